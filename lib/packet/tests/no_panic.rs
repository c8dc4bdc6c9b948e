//! No input panics: arbitrary bytes, and the golden packets with bytes
//! flipped and tails cut, go through flow extraction and every header
//! view (accessors, iterators, setters, checksums).

use ovs_flow::Flow;
use ovs_packet::{
    Metadata, Offsets, arp, ethernet, extract_with_vlan_limit, icmpv4, icmpv6, igmp, ip, ipv4,
    ipv6, mpls, nsh, offsets, sctp, tcp, udp,
};
use proptest::prelude::*;

const TSV: &str = include_str!("golden/flows.tsv");

fn golden() -> &'static [Vec<u8>] {
    static PACKETS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    PACKETS.get_or_init(|| {
        TSV.lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split('\t').nth(1))
            .map(|h| {
                (0..h.len() / 2)
                    .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap_or(0))
                    .collect()
            })
            .collect()
    })
}

fn check_offsets(o: &Offsets, len: usize) {
    let l3 = o.l3.unwrap_or(len);
    if let Some(l2_5) = o.l2_5 {
        assert!(l2_5 <= l3);
    }
    if let Some(l4) = o.l4 {
        assert!(o.l3.is_some());
        assert!(l3 <= l4 && l4 <= len);
    }
    assert!(l3 <= len);
    assert!(o.l2_pad <= len);
}

/// Every read-only accessor of every view that accepts `b`.
fn read_views(b: &[u8]) {
    if let Ok(v) = ethernet::EthernetFrame::new_checked(b) {
        let _ = (v.dst(), v.src(), v.ether_type().is_vlan(), v.payload());
    }
    if let Ok(v) = ethernet::VlanHeader::new_checked(b) {
        let _ = (
            v.tci(),
            v.pcp(),
            v.dei(),
            v.vid(),
            v.ether_type(),
            v.payload(),
        );
    }
    if let Ok(v) = ethernet::LlcSnapHeader::new_checked(b) {
        let _ = (v.is_ethernet_snap(), v.snap_type(), v.payload());
    }
    if let Ok(v) = arp::ArpPacket::new_checked(b) {
        let _ = (
            v.is_ethernet_ipv4(),
            v.operation(),
            v.sha(),
            v.spa(),
            v.tha(),
            v.tpa(),
        );
        let _ = (v.sender_hardware_addr(), v.sender_protocol_addr());
        let _ = (v.target_hardware_addr(), v.target_protocol_addr());
    }
    if let Ok(v) = ipv4::Ipv4Packet::new_checked(b) {
        let _ = (
            v.version(),
            v.tos(),
            v.ident(),
            v.is_fragment(),
            v.frag_offset(),
        );
        let _ = (v.ttl(), v.protocol(), v.src(), v.dst(), v.payload());
        let _ = (
            v.verify_checksum(),
            v.option_iter().count(),
            v.dont_fragment(),
        );
    }
    if let Ok(v) = ipv6::Ipv6Packet::new_checked(b) {
        let _ = (
            v.traffic_class(),
            v.flow_label(),
            v.hop_limit(),
            v.src(),
            v.dst(),
        );
        let walk = v.ext_headers();
        let _ = walk.clone().count();
        let _ = (walk.next_header(), walk.remaining().len());
    }
    for first in [0u8, 43, 44, 51, 60] {
        let _ = ipv6::ExtHeaders::new(ip::IpProtocol(first), b).count();
    }
    if let Ok(v) = ipv6::ExtHeader::new_checked(b) {
        let _ = (
            v.next_header(),
            v.data(),
            v.routing_type(),
            v.segments_left(),
            v.payload(),
        );
    }
    if let Ok(v) = ipv6::FragmentHeader::new_checked(b) {
        let _ = (v.frag_offset(), v.more_fragments(), v.ident(), v.payload());
    }
    if let Ok(v) = ipv6::AuthHeader::new_checked(b) {
        let _ = (v.spi(), v.sequence(), v.icv(), v.payload());
    }
    if let Ok(v) = tcp::TcpPacket::new_checked(b) {
        let _ = (
            v.src_port(),
            v.dst_port(),
            v.flags(),
            v.seq_number(),
            v.payload(),
        );
        let _ = (
            v.option_iter().count(),
            v.verify_checksum(0),
            v.urgent_pointer(),
        );
    }
    let _ = tcp::TcpOptions::new(b).count();
    let _ = ipv4::Ipv4Options::new(b).count();
    if let Ok(v) = udp::UdpPacket::new_checked(b) {
        let _ = (
            v.src_port(),
            v.len(),
            v.is_empty(),
            v.verify_checksum(0),
            v.payload(),
        );
    }
    if let Ok(v) = sctp::SctpPacket::new_checked(b) {
        let _ = (v.verification_tag(), v.verify_checksum(), v.payload());
    }
    if let Ok(v) = icmpv4::Icmpv4Packet::new_checked(b) {
        let _ = (
            v.msg_type(),
            v.code(),
            v.echo_ident(),
            v.echo_seq(),
            v.verify_checksum(),
        );
    }
    if let Ok(v) = igmp::IgmpPacket::new_checked(b) {
        let _ = (v.group(), v.verify_checksum());
    }
    if let Ok(v) = icmpv6::Icmpv6Packet::new_checked(b) {
        let _ = (v.data(), v.verify_checksum(0), v.payload());
    }
    if let Ok(v) = icmpv6::NdPacket::new_checked(b) {
        let _ = (v.flags(), v.target());
        for o in v.option_iter().flatten() {
            let _ = o.link_layer_addr();
        }
    }
    if let Ok(v) = mpls::MplsHeader::new_checked(b) {
        let _ = (v.lse().label(), v.payload());
    }
    let _ = mpls::LabelStack::new(b).count();
    if let Ok(v) = nsh::NshHeader::new_checked(b) {
        let _ = (
            v.flags(),
            v.ttl(),
            v.md_type(),
            v.spi(),
            v.si(),
            v.md1_context(),
        );
        let _ = v.payload();
    }
}

/// Every setter and checksum filler of every view that accepts `b`.
fn write_views(b: &[u8], x: u32) {
    let mut buf = b.to_vec();
    if let Ok(mut v) = ipv4::Ipv4Packet::new_checked(&mut buf[..]) {
        v.set_src(x.to_be_bytes());
        v.set_ttl(x as u8);
        v.fill_checksum();
        let _ = v.payload_mut().len();
    }
    let mut buf = b.to_vec();
    if let Ok(mut v) = ipv6::Ipv6Packet::new_checked(&mut buf[..]) {
        v.set_flow_label(x);
        v.set_traffic_class(x as u8);
        v.set_payload_len(x as u16);
        let _ = v.payload_mut().len();
        let _ = v.payload().len();
    }
    let mut buf = b.to_vec();
    if let Ok(mut v) = tcp::TcpPacket::new_checked(&mut buf[..]) {
        v.set_flags(x as u16);
        v.fill_checksum(x as u16);
    }
    let mut buf = b.to_vec();
    if let Ok(mut v) = udp::UdpPacket::new_checked(&mut buf[..]) {
        v.fill_checksum(x as u16);
    }
    let mut buf = b.to_vec();
    if let Ok(mut v) = sctp::SctpPacket::new_checked(&mut buf[..]) {
        v.fill_checksum();
    }
    let mut buf = b.to_vec();
    if let Ok(mut v) = icmpv6::NdPacket::new_checked(&mut buf[..]) {
        let _ = v.set_link_layer_option(x as u8, [1; 6]);
    }
    let mut buf = b.to_vec();
    if let Ok(mut v) = icmpv6::Icmpv6Packet::new_checked(&mut buf[..]) {
        v.fill_checksum(x as u16);
    }
}

fn everything(packet: &[u8], packet_type: u32, vlan_limit: usize, x: u32) {
    let md = Metadata {
        packet_type,
        in_port: x as u16,
        ct_state: x as u8,
        ..Metadata::default()
    };
    let mut flow = Flow::ZERO;
    let o = extract_with_vlan_limit(packet, &md, vlan_limit, &mut flow);
    check_offsets(&o, packet.len());
    assert_eq!(o, offsets(packet, packet_type, vlan_limit));
    read_views(packet);
    for from in [o.l3, o.l4].into_iter().flatten() {
        if let Some(rest) = packet.get(from..) {
            read_views(rest);
            write_views(rest, x);
        }
    }
    write_views(packet, x);
}

fn packet_type() -> impl Strategy<Value = u32> {
    prop_oneof![
        4 => Just(0u32),
        1 => Just(0x0001_0800),
        1 => Just(0x0001_86dd),
        1 => Just(0x0001_8847),
        1 => Just(0x0001_894f),
        1 => any::<u32>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn arbitrary_bytes(
        bytes in proptest::collection::vec(any::<u8>(), 0..200),
        pt in packet_type(),
        limit in 0usize..4,
        x in any::<u32>(),
    ) {
        everything(&bytes, pt, limit, x);
    }

    #[test]
    fn damaged_golden_packets(
        pick in any::<prop::sample::Index>(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        cut in any::<prop::sample::Index>(),
        limit in 0usize..4,
        x in any::<u32>(),
    ) {
        let all = golden();
        let mut p = all[pick.index(all.len())].clone();
        if !p.is_empty() {
            for (at, v) in flips {
                let i = at.index(p.len());
                p[i] = v;
            }
            let keep = cut.index(p.len() + 1);
            if x % 2 == 0 {
                p.truncate(keep);
            }
        }
        everything(&p, 0, limit, x);
    }
}
