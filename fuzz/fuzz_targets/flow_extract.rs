//! Feeds arbitrary bytes to flow extraction. The first byte picks the
//! metadata: bits 0-1 the VLAN limit (0-3), bits 2-4 the packet type
//! (Ethernet, or an Ethertype packet type for IPv4, IPv6, ARP, MPLS, NSH,
//! an unknown type), bit 5 conntrack state with an original tuple. The rest
//! is the packet. Must never panic; the offsets must be ordered and inside
//! the packet, agree with the offsets-only parse, and extraction must be
//! deterministic; the header views over the network and transport layers
//! must not panic either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ovs_flow::Flow;
use ovs_packet::{
    CtTuple, Metadata, extract_with_vlan_limit, icmpv6, ipv4, ipv6, offsets, tcp, udp,
};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, packet)) = data.split_first() else {
        return;
    };
    let vlan_limit = usize::from(selector & 3);
    let packet_type = match (selector >> 2) & 7 {
        1 => 0x0001_0800,
        2 => 0x0001_86dd,
        3 => 0x0001_0806,
        4 => 0x0001_8847,
        5 => 0x0001_894f,
        6 => 0x0001_1234,
        _ => 0,
    };
    let ct = selector & 0x20 != 0;
    let md = Metadata {
        packet_type,
        in_port: 1,
        ct_state: if ct { 0x21 } else { 0 },
        ct_orig_tuple: ct.then_some(CtTuple::V4 {
            src: [1, 2, 3, 4],
            dst: [5, 6, 7, 8],
            src_port: 9,
            dst_port: 10,
            proto: 6,
        }),
        ..Metadata::default()
    };

    let mut flow = Flow::ZERO;
    let o = extract_with_vlan_limit(packet, &md, vlan_limit, &mut flow);
    assert_eq!(o, offsets(packet, packet_type, vlan_limit));
    let mut again = Flow::ONES;
    assert_eq!(extract_with_vlan_limit(packet, &md, vlan_limit, &mut again), o);
    assert_eq!(again, flow);

    let l3 = o.l3.unwrap_or(packet.len());
    assert!(l3 <= packet.len());
    if let Some(l2_5) = o.l2_5 {
        assert!(l2_5 <= l3);
    }
    if let Some(l4) = o.l4 {
        assert!(o.l3.is_some() && l3 <= l4 && l4 <= packet.len());
    }

    if let Some(b) = packet.get(l3..) {
        if let Ok(ip) = ipv4::Ipv4Packet::new_checked(b) {
            let _ = (ip.option_iter().count(), ip.verify_checksum(), ip.payload().len());
        }
        if let Ok(ip) = ipv6::Ipv6Packet::new_checked(b) {
            let _ = ip.ext_headers().count();
        }
    }
    if let Some(b) = o.l4.and_then(|l4| packet.get(l4..)) {
        if let Ok(t) = tcp::TcpPacket::new_checked(b) {
            let _ = (t.option_iter().count(), t.flags(), t.payload().len());
        }
        if let Ok(u) = udp::UdpPacket::new_checked(b) {
            let _ = (u.len(), u.payload().len());
        }
        if let Ok(nd) = icmpv6::NdPacket::new_checked(b) {
            let _ = nd.option_iter().count();
        }
    }
});
