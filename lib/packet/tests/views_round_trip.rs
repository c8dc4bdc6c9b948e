//! Every setter's value reads back through its accessor, leaves the other
//! fields alone, and checksums filled after a rewrite verify (and agree
//! with an incremental update where the datapath would use one).

use ovs_packet::checksum;
use ovs_packet::ethernet::{EtherType, EthernetFrame, VlanHeader};
use ovs_packet::icmpv6::{Icmpv6Packet, NdPacket};
use ovs_packet::ip::IpProtocol;
use ovs_packet::ipv4::Ipv4Packet;
use ovs_packet::ipv6::Ipv6Packet;
use ovs_packet::mpls::{Lse, MplsHeader};
use ovs_packet::sctp::SctpPacket;
use ovs_packet::tcp::TcpPacket;
use ovs_packet::udp::UdpPacket;
use ovs_packet::{arp::ArpPacket, icmpv4::Icmpv4Packet};
use proptest::prelude::*;

proptest! {
    #[test]
    fn ethernet_and_vlan(dst in any::<[u8; 6]>(), src in any::<[u8; 6]>(), t in any::<u16>(), tci in any::<u16>(), inner in any::<u16>()) {
        let mut b = [0u8; 18];
        let mut f = EthernetFrame::new_checked(&mut b[..]).unwrap();
        f.set_dst(dst);
        f.set_src(src);
        f.set_ether_type(EtherType(t));
        let mut v = VlanHeader::new_checked(&mut b[14..]).unwrap();
        v.set_tci(tci);
        v.set_ether_type(EtherType(inner));
        let f = EthernetFrame::new_checked(&b[..]).unwrap();
        prop_assert_eq!((f.dst(), f.src(), f.ether_type()), (dst, src, EtherType(t)));
        let v = VlanHeader::new_checked(f.payload()).unwrap();
        prop_assert_eq!((v.tci(), v.ether_type()), (tci, EtherType(inner)));
        prop_assert_eq!(u16::from(v.pcp()) << 13 | u16::from(v.dei()) << 12 | v.vid(), tci);
    }

    #[test]
    fn ipv4_rewrites(
        tos in any::<u8>(), ttl in any::<u8>(), proto in any::<u8>(),
        src in any::<[u8; 4]>(), dst in any::<[u8; 4]>(), ident in any::<u16>(), ff in any::<u16>(),
        new_src in any::<[u8; 4]>(), payload in proptest::collection::vec(any::<u8>(), 0..20),
    ) {
        let mut b = vec![0u8; 20 + payload.len()];
        b[0] = 0x45;
        b[2..4].copy_from_slice(&((20 + payload.len()) as u16).to_be_bytes());
        b[20..].copy_from_slice(&payload);
        let mut ip = Ipv4Packet::new_checked(&mut b[..]).unwrap();
        ip.set_tos(tos);
        ip.set_ttl(ttl);
        ip.set_protocol(IpProtocol(proto));
        ip.set_src(src);
        ip.set_dst(dst);
        ip.set_ident(ident);
        ip.set_flags_frag_off(ff);
        ip.fill_checksum();
        prop_assert!(ip.verify_checksum());
        prop_assert_eq!((ip.tos(), ip.ttl(), ip.protocol().0), (tos, ttl, proto));
        prop_assert_eq!((ip.src(), ip.dst(), ip.ident(), ip.flags_frag_off()), (src, dst, ident, ff));
        prop_assert_eq!(ip.payload(), &payload[..]);
        // A NAT-style rewrite with an incremental update stays valid.
        let c = checksum::update32(ip.checksum(), u32::from_be_bytes(src), u32::from_be_bytes(new_src));
        ip.set_src(new_src);
        ip.set_checksum(c);
        prop_assert!(ip.verify_checksum());
    }

    #[test]
    fn ipv6_fields(tc in any::<u8>(), label in 0u32..0x100000, hlim in any::<u8>(), nh in any::<u8>(), src in any::<[u8; 16]>(), dst in any::<[u8; 16]>()) {
        let mut b = [0u8; 40];
        b[0] = 0x60;
        let mut ip = Ipv6Packet::new_checked(&mut b[..]).unwrap();
        ip.set_traffic_class(tc);
        ip.set_flow_label(label);
        ip.set_hop_limit(hlim);
        ip.set_next_header(IpProtocol(nh));
        ip.set_src(src);
        ip.set_dst(dst);
        prop_assert_eq!((ip.version(), ip.traffic_class(), ip.flow_label()), (6, tc, label));
        prop_assert_eq!((ip.hop_limit(), ip.next_header().0, ip.src(), ip.dst()), (hlim, nh, src, dst));
    }

    #[test]
    fn tcp_over_ipv6_port_rewrite(sp in any::<u16>(), dp in any::<u16>(), new_dp in any::<u16>(), flags in 0u16..0x1000, data in proptest::collection::vec(any::<u8>(), 0..30), src in any::<[u8; 16]>(), dst in any::<[u8; 16]>()) {
        let mut b = vec![0u8; 20];
        b[12] = 0x50;
        b.extend_from_slice(&data);
        let ph = checksum::pseudo_header_ipv6(&src, &dst, 6, b.len() as u32);
        let mut t = TcpPacket::new_checked(&mut b[..]).unwrap();
        t.set_src_port(sp);
        t.set_dst_port(dp);
        t.set_flags(flags);
        t.fill_checksum(ph);
        prop_assert!(t.verify_checksum(ph));
        prop_assert_eq!((t.src_port(), t.dst_port(), t.flags(), t.header_len()), (sp, dp, flags, 20));
        let c = checksum::update16(t.checksum(), dp, new_dp);
        t.set_dst_port(new_dp);
        t.set_checksum(c);
        prop_assert!(t.verify_checksum(ph));
    }

    #[test]
    fn udp_address_rewrite(sp in any::<u16>(), dp in any::<u16>(), data in proptest::collection::vec(any::<u8>(), 0..30), src in any::<[u8; 4]>(), dst in any::<[u8; 4]>(), new_dst in any::<[u8; 4]>()) {
        let mut b = vec![0u8; 8];
        b.extend_from_slice(&data);
        let len = b.len() as u16;
        let ph = checksum::pseudo_header_ipv4(src, dst, 17, len);
        let mut u = UdpPacket::new_checked(&mut b[..]).unwrap();
        u.set_src_port(sp);
        u.set_dst_port(dp);
        u.set_len(len);
        u.fill_checksum(ph);
        prop_assert!(u.verify_checksum(ph));
        prop_assert_ne!(u.checksum(), 0);
        // The pseudo-header covers the addresses: rewrite one.
        let c = checksum::update32_udp(u.checksum(), u32::from_be_bytes(dst), u32::from_be_bytes(new_dst));
        u.set_checksum(c);
        prop_assert!(u.verify_checksum(checksum::pseudo_header_ipv4(src, new_dst, 17, len)));
        prop_assert_eq!((u.src_port(), u.dst_port(), u.len()), (sp, dp, len));
    }

    #[test]
    fn sctp_and_icmp(sp in any::<u16>(), dp in any::<u16>(), tag in any::<u32>(), t in any::<u8>(), code in any::<u8>(), data in proptest::collection::vec(any::<u8>(), 0..30)) {
        let mut b = vec![0u8; 12];
        b.extend_from_slice(&data);
        let mut s = SctpPacket::new_checked(&mut b[..]).unwrap();
        s.set_src_port(sp);
        s.set_dst_port(dp);
        s.set_verification_tag(tag);
        s.fill_checksum();
        prop_assert!(s.verify_checksum());
        prop_assert_eq!((s.src_port(), s.dst_port(), s.verification_tag()), (sp, dp, tag));

        let mut b = vec![0u8; 8];
        b.extend_from_slice(&data);
        let mut i = Icmpv4Packet::new_checked(&mut b[..]).unwrap();
        i.set_msg_type(t);
        i.set_code(code);
        i.fill_checksum();
        prop_assert!(i.verify_checksum());
        prop_assert_eq!((i.msg_type(), i.code()), (t, code));

        let mut b = vec![0u8; 8];
        b.extend_from_slice(&data);
        let mut i = Icmpv6Packet::new_checked(&mut b[..]).unwrap();
        i.set_msg_type(t);
        i.set_code(code);
        i.fill_checksum(0x1234);
        prop_assert!(i.verify_checksum(0x1234));
        prop_assert_eq!((i.msg_type(), i.code()), (t, code));
    }

    #[test]
    fn arp_nd_mpls(op in any::<u16>(), sha in any::<[u8; 6]>(), spa in any::<[u8; 4]>(), tha in any::<[u8; 6]>(), tpa in any::<[u8; 4]>(), target in any::<[u8; 16]>(), flags in any::<u32>(), label in 0u32..0x100000, tc in 0u8..8, bos in any::<bool>(), ttl in any::<u8>()) {
        let mut b = [0u8; 28];
        b[..6].copy_from_slice(&[0, 1, 8, 0, 6, 4]);
        let mut a = ArpPacket::new_checked(&mut b[..]).unwrap();
        a.set_operation(op);
        a.set_sha(sha);
        a.set_spa(spa);
        a.set_tha(tha);
        a.set_tpa(tpa);
        prop_assert!(a.is_ethernet_ipv4());
        prop_assert_eq!((a.operation(), a.sha(), a.spa(), a.tha(), a.tpa()), (op, sha, spa, tha, tpa));

        let mut b = [0u8; 32];
        b[0] = 135;
        b[24..26].copy_from_slice(&[1, 1]);
        let mut nd = NdPacket::new_checked(&mut b[..]).unwrap();
        nd.set_target(target);
        nd.set_flags(flags);
        prop_assert!(nd.set_link_layer_option(1, sha));
        prop_assert_eq!((nd.target(), nd.flags()), (target, flags));
        let opt = nd.option_iter().next().unwrap().unwrap();
        prop_assert_eq!(opt.link_layer_addr(), Some(sha));

        let lse = Lse::new(label, tc, bos, ttl);
        let mut b = [0u8; 4];
        MplsHeader::new_checked(&mut b[..]).unwrap().set_lse(lse);
        let back = MplsHeader::new_checked(&b[..]).unwrap().lse();
        prop_assert_eq!((back.label(), back.tc(), back.bos(), back.ttl()), (label, tc, bos, ttl));
    }
}
