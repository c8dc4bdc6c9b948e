//! Per-action tests on hand-built packets, checked field by field, with
//! checksums verified by full recomputation; and property tests that no
//! action list panics and that incremental checksum updates equal full
//! recomputation.

use std::net::{Ipv4Addr, Ipv6Addr};

use etherparse::{IpNumber, PacketBuilder};
use ovs_odp::{
    ArpKey, CtAction, DpAction, DpKey, EthKey, HashAction, IcmpKey, Ipv4Key, Ipv6Key, NdExtKey,
    NdKey, PortsKey, TunnelKey, TunnelPush, Userspace,
};
use ovs_packet::checksum;
use proptest::prelude::*;

use crate::{
    Batch, DatapathOps, PACKET_TYPE_ETH, PACKET_TYPE_NSH, Packet, execute,
    packet_type_for_ether_type,
};

const MAC_A: [u8; 6] = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55];
const MAC_B: [u8; 6] = [0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb];

/// What the datapath was asked to do, in order.
#[derive(Default)]
struct Recorder {
    calls: Vec<(&'static str, u32, Vec<Packet>)>,
    random: u32,
    meter_drops_all: bool,
    dropped: usize,
}

impl Recorder {
    fn outputs(&self) -> Vec<(u32, Vec<u8>)> {
        self.calls
            .iter()
            .filter(|c| c.0 == "output")
            .flat_map(|(_, port, ps)| ps.iter().map(|p| (*port, p.data.clone())))
            .collect()
    }
}

impl DatapathOps for Recorder {
    fn output(&mut self, port: u32, packets: Batch) {
        self.calls.push(("output", port, packets));
    }
    fn lb_output(&mut self, bond: u32, packets: Batch) {
        self.calls.push(("lb_output", bond, packets));
    }
    fn tunnel_push(&mut self, _: &TunnelPush, packets: Batch) {
        self.calls.push(("tnl_push", 0, packets));
    }
    fn tunnel_pop(&mut self, port: u32, packets: Batch) {
        self.calls.push(("tnl_pop", port, packets));
    }
    fn userspace(&mut self, u: &Userspace, packets: Batch) {
        self.calls.push(("userspace", u.pid, packets));
    }
    fn recirc(&mut self, id: u32, packets: Batch) {
        self.calls.push(("recirc", id, packets));
    }
    fn ct(&mut self, ct: &CtAction, batch: &mut Batch) {
        for p in batch.iter_mut() {
            p.md.ct_state = 0x21;
            p.md.ct_zone = ct.zone;
        }
        self.calls.push(("ct", u32::from(ct.zone), batch.clone()));
    }
    fn meter(&mut self, id: u32, batch: &mut Batch) {
        if self.meter_drops_all {
            batch.clear();
        }
        self.calls.push(("meter", id, Vec::new()));
    }
    fn random_u32(&mut self) -> u32 {
        self.random
    }
    fn dropped(&mut self, _: u32, count: usize) {
        self.dropped += count;
    }
}

fn run1(p: &Packet, actions: &[DpAction]) -> (Packet, Recorder) {
    let mut rec = Recorder::default();
    let mut batch = vec![p.clone()];
    execute(&mut batch, actions, &mut rec, false);
    (batch.pop().unwrap_or_default(), rec)
}

/// Applies `actions` (no datapath actions among them) and returns the packet.
fn apply(p: &Packet, actions: &[DpAction]) -> Packet {
    run1(p, actions).0
}

fn set(key: DpKey) -> DpAction {
    DpAction::Set(Box::new(key))
}

fn set_masked(key: DpKey, mask: DpKey) -> DpAction {
    DpAction::SetMasked {
        key: Box::new(key),
        mask: Box::new(mask),
    }
}

fn eth_packet(data: Vec<u8>) -> Packet {
    Packet::ethernet(data, 1)
}

fn tcp4(payload: &[u8]) -> Packet {
    let mut v = Vec::new();
    PacketBuilder::ethernet2(MAC_A, MAC_B)
        .ipv4([10, 0, 0, 1], [10, 0, 0, 2], 64)
        .tcp(1234, 80, 7, 1000)
        .write(&mut v, payload)
        .unwrap();
    eth_packet(v)
}

fn udp4(payload: &[u8]) -> Packet {
    let mut v = Vec::new();
    PacketBuilder::ethernet2(MAC_A, MAC_B)
        .ipv4([192, 168, 1, 1], [192, 168, 1, 2], 17)
        .udp(5000, 53)
        .write(&mut v, payload)
        .unwrap();
    eth_packet(v)
}

const V6_A: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const V6_B: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

fn tcp6(payload: &[u8]) -> Packet {
    let mut v = Vec::new();
    PacketBuilder::ethernet2(MAC_A, MAC_B)
        .ipv6(V6_A, V6_B, 64)
        .tcp(1234, 80, 7, 1000)
        .write(&mut v, payload)
        .unwrap();
    eth_packet(v)
}

fn udp6(payload: &[u8]) -> Packet {
    let mut v = Vec::new();
    PacketBuilder::ethernet2(MAC_A, MAC_B)
        .ipv6(V6_A, V6_B, 64)
        .udp(5000, 53)
        .write(&mut v, payload)
        .unwrap();
    eth_packet(v)
}

fn icmp4() -> Packet {
    let mut v = Vec::new();
    PacketBuilder::ethernet2(MAC_A, MAC_B)
        .ipv4([10, 0, 0, 1], [10, 0, 0, 2], 64)
        .icmpv4_echo_request(1, 2)
        .write(&mut v, b"ping")
        .unwrap();
    eth_packet(v)
}

/// A neighbour solicitation for V6_B with a source link-layer option.
fn nd_solicit() -> Packet {
    let mut body = V6_B.to_vec();
    body.extend_from_slice(&[1, 1]);
    body.extend_from_slice(&MAC_A);
    let mut v = Vec::new();
    PacketBuilder::ethernet2(MAC_A, MAC_B)
        .ipv6(V6_A, V6_B, 255)
        .icmpv6_raw(135, 0, [0; 4])
        .write(&mut v, &body)
        .unwrap();
    eth_packet(v)
}

fn sctp4() -> Packet {
    let mut l4 = vec![0u8; 12];
    l4[..2].copy_from_slice(&1000u16.to_be_bytes());
    l4[2..4].copy_from_slice(&2000u16.to_be_bytes());
    l4[4..8].copy_from_slice(&0xdead_beefu32.to_be_bytes());
    l4.extend_from_slice(&[0x01, 0x00, 0x00, 0x08, 1, 2, 3, 4]);
    let mut sctp = ovs_packet::sctp::SctpPacket::new_checked(&mut l4[..]).unwrap();
    sctp.fill_checksum();
    let mut v = Vec::new();
    PacketBuilder::ethernet2(MAC_A, MAC_B)
        .ipv4([10, 0, 0, 1], [10, 0, 0, 2], 64)
        .write(&mut v, IpNumber(132), &l4)
        .unwrap();
    eth_packet(v)
}

fn arp() -> Packet {
    let mut v = MAC_B.to_vec();
    v.extend_from_slice(&MAC_A);
    v.extend_from_slice(&[0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1]);
    v.extend_from_slice(&MAC_A);
    v.extend_from_slice(&[10, 0, 0, 1]);
    v.extend_from_slice(&[0; 6]);
    v.extend_from_slice(&[10, 0, 0, 2]);
    eth_packet(v)
}

/// True if the IPv4 header (when there is one) and the TCP, UDP or ICMPv6
/// checksum sum correctly, recomputed from scratch.
fn checksums_ok(p: &Packet) -> bool {
    let lay = p.layout();
    let (Some(l3), Some(l4)) = (lay.l3, lay.l4) else {
        return true;
    };
    let d = &p.data;
    let end = d.len() - lay.l2_pad;
    let seg = &d[l4..end];
    let pseudo = match lay.dl_type {
        0x0800 => {
            if !checksum::is_valid(&d[l3..l4]) {
                return false;
            }
            let src = d[l3 + 12..l3 + 16].try_into().unwrap();
            let dst = d[l3 + 16..l3 + 20].try_into().unwrap();
            checksum::pseudo_header_ipv4(src, dst, lay.nw_proto, seg.len() as u16)
        }
        0x86dd => {
            let src = d[l3 + 8..l3 + 24].try_into().unwrap();
            let dst = d[l3 + 24..l3 + 40].try_into().unwrap();
            checksum::pseudo_header_ipv6(src, dst, lay.nw_proto, seg.len() as u32)
        }
        _ => return true,
    };
    match lay.nw_proto {
        6 | 58 => checksum::combine(pseudo, checksum::sum(seg)) == 0xffff,
        17 => seg[6..8] == [0, 0] || checksum::combine(pseudo, checksum::sum(seg)) == 0xffff,
        1 => checksum::is_valid(seg),
        _ => true,
    }
}

fn ipv4_key(src: [u8; 4], dst: [u8; 4], tos: u8, ttl: u8) -> DpKey {
    DpKey {
        ipv4: Some(Ipv4Key {
            src: Ipv4Addr::from(src),
            dst: Ipv4Addr::from(dst),
            proto: 6,
            tos,
            ttl,
            frag: 0,
        }),
        ..DpKey::default()
    }
}

#[test]
fn push_vlan_inserts_tag_after_macs_without_cfi() {
    let p = tcp4(b"hello");
    let out = apply(
        &p,
        &[DpAction::PushVlan {
            tpid: 0x88a8,
            tci: 0x1000 | (5 << 13) | 100,
        }],
    );
    assert_eq!(out.data.len(), p.data.len() + 4);
    assert_eq!(&out.data[..12], &p.data[..12]);
    assert_eq!(&out.data[12..16], &[0x88, 0xa8, 0xa0, 100]);
    assert_eq!(&out.data[16..], &p.data[12..]);
    // Two tags, then two pops, give back the original.
    let two = apply(
        &out,
        &[DpAction::PushVlan {
            tpid: 0x8100,
            tci: 0x1000 | 7,
        }],
    );
    assert_eq!(&two.data[12..16], &[0x81, 0x00, 0x00, 7]);
    let one = apply(&two, &[DpAction::PopVlan]);
    assert_eq!(one.data, out.data);
    assert_eq!(apply(&one, &[DpAction::PopVlan]).data, p.data);
    // Nothing to pop.
    assert_eq!(apply(&p, &[DpAction::PopVlan]).data, p.data);
}

#[test]
fn set_eth_whole_and_masked() {
    let p = tcp4(b"");
    let key = DpKey {
        eth: Some(EthKey {
            src: [1, 2, 3, 4, 5, 6],
            dst: [7, 8, 9, 10, 11, 12],
        }),
        ..DpKey::default()
    };
    let out = apply(&p, &[set(key.clone())]);
    assert_eq!(&out.data[..6], &[7, 8, 9, 10, 11, 12]);
    assert_eq!(&out.data[6..12], &[1, 2, 3, 4, 5, 6]);
    assert_eq!(&out.data[12..], &p.data[12..]);

    let mask = DpKey {
        eth: Some(EthKey {
            src: [0, 0, 0, 0, 0, 0xff],
            dst: [0xff, 0, 0, 0, 0, 0],
        }),
        ..DpKey::default()
    };
    let key = DpKey {
        eth: Some(EthKey {
            src: [0, 0, 0, 0, 0, 6],
            dst: [7, 0, 0, 0, 0, 0],
        }),
        ..DpKey::default()
    };
    let out = apply(&p, &[set_masked(key, mask)]);
    assert_eq!(&out.data[..6], &[7, 0x77, 0x88, 0x99, 0xaa, 0xbb]);
    assert_eq!(&out.data[6..12], &[0x00, 0x11, 0x22, 0x33, 0x44, 6]);
}

#[test]
fn set_ipv4_rewrites_fields_and_keeps_checksums() {
    let p = tcp4(b"some tcp payload");
    assert!(checksums_ok(&p));
    let out = apply(&p, &[set(ipv4_key([1, 2, 3, 4], [5, 6, 7, 8], 0x2e, 9))]);
    let l3 = 14;
    assert_eq!(&out.data[l3 + 12..l3 + 16], &[1, 2, 3, 4]);
    assert_eq!(&out.data[l3 + 16..l3 + 20], &[5, 6, 7, 8]);
    assert_eq!(out.data[l3 + 1], 0x2e);
    assert_eq!(out.data[l3 + 8], 9);
    assert!(checksums_ok(&out));
    // Everything else is as it was.
    assert_eq!(out.data[l3 + 9], 6);
    assert_eq!(&out.data[l3 + 20..l3 + 36], &p.data[l3 + 20..l3 + 36]);
}

#[test]
fn set_ipv4_masked_changes_only_masked_bits() {
    let p = tcp4(b"x");
    let mut mask = ipv4_key([0, 0, 0, 0xff], [0; 4], 0, 0xff);
    mask.ipv4.as_mut().unwrap().proto = 0;
    let out = apply(
        &p,
        &[set_masked(ipv4_key([0, 0, 0, 99], [0; 4], 0, 3), mask)],
    );
    assert_eq!(&out.data[26..30], &[10, 0, 0, 99]);
    assert_eq!(&out.data[30..34], &[10, 0, 0, 2]);
    assert_eq!(out.data[22], 3);
    assert_eq!(out.data[15], p.data[15]);
    assert!(checksums_ok(&out));
}

#[test]
fn set_ipv4_udp_zero_checksum_stays_zero() {
    let mut p = udp4(b"dns");
    assert!(checksums_ok(&p));
    let out = apply(&p, &[set(ipv4_key([9, 9, 9, 9], [8, 8, 8, 8], 0, 64))]);
    assert!(checksums_ok(&out));
    assert_ne!(&out.data[40..42], &[0, 0]);

    p.data[40] = 0;
    p.data[41] = 0;
    let out = apply(&p, &[set(ipv4_key([9, 9, 9, 9], [8, 8, 8, 8], 0, 64))]);
    assert_eq!(&out.data[40..42], &[0, 0]);
    assert!(checksum::is_valid(&out.data[14..34]));
}

#[test]
fn set_ipv4_on_arp_or_truncated_packet_does_nothing() {
    let a = arp();
    assert_eq!(
        apply(&a, &[set(ipv4_key([1, 1, 1, 1], [2, 2, 2, 2], 0, 1))]).data,
        a.data
    );
    let mut short = tcp4(b"");
    short.data.truncate(30);
    assert_eq!(
        apply(&short, &[set(ipv4_key([1, 1, 1, 1], [2, 2, 2, 2], 0, 1))]).data,
        short.data
    );
}

#[test]
fn set_ipv6_rewrites_fields_and_keeps_checksums() {
    for p in [tcp6(b"v6 tcp"), udp6(b"v6 udp")] {
        assert!(checksums_ok(&p));
        let mut src = V6_A;
        src[15] = 0x99;
        let key = DpKey {
            ipv6: Some(Ipv6Key {
                src: Ipv6Addr::from(src),
                dst: Ipv6Addr::from(V6_A),
                label: 0xabcde,
                proto: 0,
                tclass: 0xb8,
                hlimit: 3,
                frag: 0,
            }),
            ..DpKey::default()
        };
        let out = apply(&p, &[set(key)]);
        let l3 = 14;
        assert_eq!(&out.data[l3..l3 + 4], &[0x6b, 0x8a, 0xbc, 0xde]);
        assert_eq!(out.data[l3 + 7], 3);
        assert_eq!(&out.data[l3 + 8..l3 + 24], &src);
        assert_eq!(&out.data[l3 + 24..l3 + 40], &V6_A);
        assert!(checksums_ok(&out));
    }
}

#[test]
fn set_transport_ports_keep_checksums() {
    let ports = |s, d| Some(PortsKey { src: s, dst: d });
    let out = apply(
        &tcp4(b"abc"),
        &[set(DpKey {
            tcp: ports(4321, 8080),
            ..DpKey::default()
        })],
    );
    assert_eq!(&out.data[34..38], &[0x10, 0xe1, 0x1f, 0x90]);
    assert!(checksums_ok(&out));

    let out = apply(
        &udp6(b"abc"),
        &[set(DpKey {
            udp: ports(1, 2),
            ..DpKey::default()
        })],
    );
    assert_eq!(&out.data[54..58], &[0, 1, 0, 2]);
    assert!(checksums_ok(&out));

    // Masked: only the destination port's low byte.
    let out = apply(
        &tcp6(b"abc"),
        &[set_masked(
            DpKey {
                tcp: ports(0, 0x0011),
                ..DpKey::default()
            },
            DpKey {
                tcp: ports(0, 0x00ff),
                ..DpKey::default()
            },
        )],
    );
    assert_eq!(&out.data[54..58], &[0x04, 0xd2, 0x00, 0x11]);
    assert!(checksums_ok(&out));

    // A TCP set on a UDP packet is skipped.
    let u = udp4(b"abc");
    assert_eq!(
        apply(
            &u,
            &[set(DpKey {
                tcp: ports(1, 2),
                ..DpKey::default()
            })]
        )
        .data,
        u.data
    );
}

#[test]
fn set_sctp_ports_keep_crc32c() {
    let p = sctp4();
    let l4 = 34;
    let crc_ok = |p: &Packet| {
        ovs_packet::sctp::SctpPacket::new_checked(&p.data[l4..])
            .unwrap()
            .verify_checksum()
    };
    assert!(crc_ok(&p));
    let out = apply(
        &p,
        &[set(DpKey {
            sctp: Some(PortsKey { src: 7, dst: 9 }),
            ..DpKey::default()
        })],
    );
    assert_eq!(&out.data[l4..l4 + 4], &[0, 7, 0, 9]);
    assert!(crc_ok(&out));

    // A wrong CRC stays exactly as wrong.
    let mut bad = p.clone();
    bad.data[l4 + 8] ^= 0x5a;
    let out = apply(
        &bad,
        &[set(DpKey {
            sctp: Some(PortsKey { src: 7, dst: 9 }),
            ..DpKey::default()
        })],
    );
    let mut fixed = out.clone();
    fixed.data[l4 + 8] ^= 0x5a;
    assert!(crc_ok(&fixed));
}

#[test]
fn set_icmp_type_code_keeps_checksum() {
    let p = icmp4();
    assert!(checksums_ok(&p));
    let out = apply(
        &p,
        &[set(DpKey {
            icmp: Some(IcmpKey {
                icmp_type: 0,
                code: 3,
            }),
            ..DpKey::default()
        })],
    );
    assert_eq!(&out.data[34..36], &[0, 3]);
    assert!(checksums_ok(&out));
}

#[test]
fn set_arp_fields() {
    let p = arp();
    let key = DpKey {
        arp: Some(ArpKey {
            sip: Ipv4Addr::new(1, 1, 1, 1),
            tip: Ipv4Addr::new(2, 2, 2, 2),
            op: 2,
            sha: MAC_B,
            tha: MAC_A,
        }),
        ..DpKey::default()
    };
    let out = apply(&p, &[set(key)]);
    let a = &out.data[14..];
    assert_eq!(&a[6..8], &[0, 2]);
    assert_eq!(&a[8..14], &MAC_B);
    assert_eq!(&a[14..18], &[1, 1, 1, 1]);
    assert_eq!(&a[18..24], &MAC_A);
    assert_eq!(&a[24..28], &[2, 2, 2, 2]);
    assert_eq!(&a[..6], &p.data[14..20]);
}

#[test]
fn set_nd_target_and_link_layer_keep_checksum() {
    let p = nd_solicit();
    assert!(checksums_ok(&p));
    let mut target = V6_B;
    target[14] = 0x42;
    let key = DpKey {
        nd: Some(NdKey {
            target: Ipv6Addr::from(target),
            sll: MAC_B,
            tll: [9; 6],
        }),
        ..DpKey::default()
    };
    let out = apply(&p, &[set(key)]);
    let l4 = 54;
    assert_eq!(&out.data[l4 + 8..l4 + 24], &target);
    assert_eq!(&out.data[l4 + 24..l4 + 26], &[1, 1]);
    assert_eq!(&out.data[l4 + 26..l4 + 32], &MAC_B);
    assert!(checksums_ok(&out));

    let ext = DpKey {
        nd_ext: Some(NdExtKey {
            reserved: 0x6000_0000,
            options_type: 2,
        }),
        ..DpKey::default()
    };
    let out = apply(&out, &[set(ext)]);
    assert_eq!(&out.data[l4 + 4..l4 + 8], &[0x60, 0, 0, 0]);
    assert_eq!(out.data[l4 + 24], 2);
    assert!(checksums_ok(&out));
}

#[test]
fn mpls_push_set_pop() {
    let p = tcp4(b"mpls");
    let lse = (100 << 12) | 0x100 | 64;
    let out = apply(
        &p,
        &[DpAction::PushMpls {
            lse,
            ethertype: 0x8847,
        }],
    );
    assert_eq!(&out.data[12..14], &[0x88, 0x47]);
    assert_eq!(&out.data[14..18], &lse.to_be_bytes());
    assert_eq!(&out.data[18..], &p.data[14..]);
    assert_eq!(out.layout().l2_5, Some(14));

    // Masked set of the TTL only.
    let out = apply(
        &out,
        &[set_masked(
            DpKey {
                mpls: Some(vec![5]),
                ..DpKey::default()
            },
            DpKey {
                mpls: Some(vec![0xff]),
                ..DpKey::default()
            },
        )],
    );
    assert_eq!(
        &out.data[14..18],
        &((100 << 12) | 0x100 | 5u32).to_be_bytes()
    );

    let back = apply(&out, &[DpAction::PopMpls(0x0800)]);
    assert_eq!(back.data, p.data);
    // Nothing to pop on a packet without labels.
    assert_eq!(apply(&p, &[DpAction::PopMpls(0x0800)]).data, p.data);
    // A non-MPLS Ethernet type is refused.
    assert_eq!(
        apply(
            &p,
            &[DpAction::PushMpls {
                lse,
                ethertype: 0x0800
            }]
        )
        .data,
        p.data
    );
}

#[test]
fn mpls_push_after_vlan_names_type_after_the_tag() {
    let p = apply(
        &tcp4(b""),
        &[DpAction::PushVlan {
            tpid: 0x8100,
            tci: 0x1000 | 10,
        }],
    );
    let out = apply(
        &p,
        &[DpAction::PushMpls {
            lse: 0x100,
            ethertype: 0x8848,
        }],
    );
    assert_eq!(&out.data[12..14], &[0x81, 0x00]);
    assert_eq!(&out.data[16..18], &[0x88, 0x48]);
    assert_eq!(&out.data[18..22], &0x100u32.to_be_bytes());
    assert_eq!(apply(&out, &[DpAction::PopMpls(0x0800)]).data, p.data);
}

#[test]
fn add_mpls_makes_an_l3_mpls_packet() {
    let p = tcp4(b"");
    let out = apply(
        &p,
        &[DpAction::AddMpls {
            lse: 0x1100,
            ethertype: 0x8847,
        }],
    );
    assert_eq!(out.md.packet_type, packet_type_for_ether_type(0x8847));
    assert_eq!(&out.data[..4], &0x1100u32.to_be_bytes());
    assert_eq!(&out.data[4..], &p.data[..]);
    let back = apply(&out, &[DpAction::PopMpls(0x6558)]);
    assert_eq!(back.md.packet_type, PACKET_TYPE_ETH);
    assert_eq!(back.data, p.data);
}

#[test]
fn pop_eth_and_push_eth() {
    let p = tcp4(b"l3");
    let l3 = apply(&p, &[DpAction::PopEth]);
    assert_eq!(l3.md.packet_type, packet_type_for_ether_type(0x0800));
    assert_eq!(&l3.data[..], &p.data[14..]);
    // set(eth) and push_vlan need an Ethernet header.
    let same = apply(
        &l3,
        &[
            DpAction::PushVlan {
                tpid: 0x8100,
                tci: 0x1001,
            },
            set(DpKey {
                eth: Some(EthKey::default()),
                ..DpKey::default()
            }),
        ],
    );
    assert_eq!(same.data, l3.data);
    let back = apply(
        &l3,
        &[DpAction::PushEth {
            src: MAC_A,
            dst: MAC_B,
        }],
    );
    assert_eq!(back.md.packet_type, PACKET_TYPE_ETH);
    assert_eq!(back.data, p.data);
    // set(ipv4) still finds the header in an L3 packet.
    let out = apply(&l3, &[set(ipv4_key([1, 2, 3, 4], [10, 0, 0, 2], 0, 64))]);
    assert_eq!(&out.data[12..16], &[1, 2, 3, 4]);
    assert!(checksums_ok(&out));
}

#[test]
fn pop_nsh_strips_header_or_drops() {
    let inner = tcp4(b"nsh");
    // Version 0, length 6 words (MD type 1), next protocol Ethernet.
    let mut data = vec![0x00, 0x06, 0x01, 0x03];
    data.extend_from_slice(&[0; 20]);
    data.extend_from_slice(&inner.data);
    let mut p = Packet::ethernet(data, 1);
    p.md.packet_type = PACKET_TYPE_NSH;
    let out = apply(&p, &[DpAction::PopNsh]);
    assert_eq!(out.md.packet_type, PACKET_TYPE_ETH);
    assert_eq!(out.data, inner.data);

    p.data[3] = 0x77;
    let (_, rec) = run1(&p, &[DpAction::PopNsh, DpAction::Output(1)]);
    assert!(rec.calls.is_empty());
    // Not an NSH packet: unchanged, kept.
    assert_eq!(apply(&inner, &[DpAction::PopNsh]).data, inner.data);
}

#[test]
fn metadata_sets_and_ct_clear() {
    let mut p = tcp4(b"");
    p.md.skb_priority = 0xffff_0000;
    p.md.ct_state = 0x21;
    let tunnel = TunnelKey {
        tun_id: Some(42),
        ipv4_dst: Some(Ipv4Addr::new(1, 2, 3, 4)),
        ..TunnelKey::default()
    };
    let out = apply(
        &p,
        &[
            set_masked(
                DpKey {
                    skb_priority: Some(0x0000_0012),
                    ..DpKey::default()
                },
                DpKey {
                    skb_priority: Some(0x0000_00ff),
                    ..DpKey::default()
                },
            ),
            set(DpKey {
                skb_mark: Some(7),
                dp_hash: Some(8),
                recirc_id: Some(9),
                tunnel: Some(tunnel.clone()),
                ct_mark: Some(10),
                ..DpKey::default()
            }),
            DpAction::CtClear,
        ],
    );
    assert_eq!(out.md.skb_priority, 0xffff_0012);
    assert_eq!(out.md.pkt_mark, 7);
    assert_eq!(out.md.dp_hash, 8);
    assert_eq!(out.md.recirc_id, 9);
    assert_eq!(out.md.tunnel, tunnel);
    assert_eq!(out.md.ct_mark, 10);
    assert_eq!(out.md.ct_state, 0);
    assert_eq!(out.data, p.data);
}

#[test]
fn hash_is_deterministic_and_symmetric_l4_is_symmetric() {
    let hash = |p: &Packet, algorithm, basis| {
        apply(p, &[DpAction::Hash(HashAction { algorithm, basis })])
            .md
            .dp_hash
    };
    let p = tcp4(b"");
    assert_eq!(hash(&p, 0, 1), hash(&p, 0, 1));
    assert_ne!(hash(&p, 0, 1), hash(&p, 0, 2));
    // The same 5-tuple with another payload hashes the same.
    assert_eq!(hash(&p, 0, 1), hash(&tcp4(b"other"), 0, 1));

    // The reverse direction of the connection.
    let mut rev = Vec::new();
    PacketBuilder::ethernet2(MAC_B, MAC_A)
        .ipv4([10, 0, 0, 2], [10, 0, 0, 1], 64)
        .tcp(80, 1234, 9, 1000)
        .write(&mut rev, b"")
        .unwrap();
    let rev = eth_packet(rev);
    assert_eq!(hash(&p, 1, 5), hash(&rev, 1, 5));
    assert_ne!(hash(&p, 0, 5), hash(&rev, 0, 5));

    // A hash the NIC gave is used for l4.
    let mut rss = p.clone();
    rss.md.rss_hash = Some(1234);
    assert_eq!(hash(&rss, 0, 7), crate::hash::hash_int(1234, 7));
    // An unknown algorithm leaves dp_hash alone.
    assert_eq!(hash(&p, 9, 7), 0);
}

/// Values printed by a throwaway C program built against OVS 3.1's own
/// `lib/hash.h` (portable build, no SSE 4.2), on x86-64, fed the flow
/// words of the packet as OVS's flow hashes read them.
#[test]
fn hashes_match_ovs_values() {
    assert_eq!(crate::hash::hash_int(0, 0), 1_669_671_676);
    assert_eq!(crate::hash::hash_int(1234, 7), 3_191_323_547);
    assert_eq!(crate::hash::hash_int(0xdead_beef, 42), 3_415_658_801);
    // flow_hash_5tuple of 10.0.0.1:1234 -> 10.0.0.2:80 TCP, basis 5.
    let hash = apply(
        &tcp4(b""),
        &[DpAction::Hash(HashAction {
            algorithm: 0,
            basis: 5,
        })],
    )
    .md
    .dp_hash;
    assert_eq!(hash, 1_790_523_131);
    // flow_hash_symmetric_l3l4 of the same packet, basis 5.
    let hash = apply(
        &tcp4(b""),
        &[DpAction::Hash(HashAction {
            algorithm: 1,
            basis: 5,
        })],
    )
    .md
    .dp_hash;
    assert_eq!(hash, 2_597_640_300);
}

#[test]
fn trunc_cuts_the_next_output_only() {
    let p = tcp4(&[0u8; 100]);
    let (left, rec) = run1(
        &p,
        &[
            DpAction::Trunc(60),
            DpAction::Output(1),
            DpAction::Output(2),
            DpAction::Trunc(3),
            DpAction::Output(3),
        ],
    );
    let outs = rec.outputs();
    assert_eq!(outs[0].1.len(), 60);
    assert_eq!(outs[0].1[..], p.data[..60]);
    assert_eq!(outs[1].1, p.data);
    // Never below an Ethernet header.
    assert_eq!(outs[2].1.len(), 14);
    assert_eq!(left.data, p.data);
}

#[test]
fn clone_works_on_a_copy_and_last_output_steals() {
    let p = tcp4(b"c");
    let actions = [
        DpAction::Clone(vec![
            set(DpKey {
                eth: Some(EthKey {
                    src: [1; 6],
                    dst: [2; 6],
                }),
                ..DpKey::default()
            }),
            DpAction::Output(1),
        ]),
        DpAction::Output(2),
    ];
    let mut rec = Recorder::default();
    let mut batch = vec![p.clone(), p.clone()];
    execute(&mut batch, &actions, &mut rec, true);
    assert!(batch.is_empty());
    let outs = rec.outputs();
    assert_eq!(outs.len(), 4);
    assert_eq!(&outs[0].1[..6], &[2; 6]);
    assert_eq!(outs[2], (2, p.data.clone()));

    // Without steal the originals stay, unmodified by the clone.
    let mut batch = vec![p.clone()];
    execute(&mut batch, &actions, &mut Recorder::default(), false);
    assert_eq!(batch, vec![p]);
}

#[test]
fn check_pkt_len_branches_on_length() {
    let small = tcp4(b"");
    let big = tcp4(&[0; 200]);
    let action = DpAction::CheckPktLen {
        pkt_len: 100,
        if_greater: vec![DpAction::Output(1)],
        if_less_equal: vec![DpAction::Output(2)],
    };
    let mut rec = Recorder::default();
    let mut batch = vec![small.clone(), big.clone()];
    execute(&mut batch, &[action], &mut rec, true);
    assert_eq!(rec.outputs(), vec![(2, small.data), (1, big.data)]);
}

#[test]
fn sample_runs_below_probability_only() {
    let p = tcp4(b"");
    let action = DpAction::Sample {
        probability: 1000,
        actions: vec![DpAction::Userspace(Userspace {
            pid: 77,
            ..Userspace::default()
        })],
    };
    let mut rec = Recorder {
        random: 999,
        ..Recorder::default()
    };
    execute(
        &mut vec![p.clone()],
        &[action.clone(), DpAction::Output(1)],
        &mut rec,
        true,
    );
    assert_eq!(rec.calls[0].0, "userspace");
    assert_eq!(rec.calls[0].1, 77);
    assert_eq!(rec.calls[1].0, "output");

    let mut rec = Recorder {
        random: 1000,
        ..Recorder::default()
    };
    execute(&mut vec![p], &[action], &mut rec, true);
    assert!(rec.calls.is_empty());
}

#[test]
fn drop_meter_and_ct() {
    let p = tcp4(b"");
    let (_, rec) = run1(&p, &[DpAction::Drop(0), DpAction::Output(1)]);
    assert!(rec.calls.is_empty());
    assert_eq!(rec.dropped, 1);

    let mut rec = Recorder {
        meter_drops_all: true,
        ..Recorder::default()
    };
    execute(
        &mut vec![p.clone()],
        &[DpAction::Meter(3), DpAction::Output(1)],
        &mut rec,
        false,
    );
    assert_eq!(rec.calls.len(), 1);

    let ct = CtAction {
        zone: 5,
        ..CtAction::default()
    };
    let (left, rec) = run1(
        &p,
        &[
            DpAction::Ct(ct),
            DpAction::Recirc(4),
            DpAction::TunnelPop(6),
            DpAction::LbOutput(1),
        ],
    );
    assert_eq!(left.md.ct_zone, 5);
    let names: Vec<_> = rec.calls.iter().map(|c| (c.0, c.1)).collect();
    assert_eq!(
        names,
        vec![("ct", 5), ("recirc", 4), ("tnl_pop", 6), ("lb_output", 1)]
    );
    assert_eq!(rec.calls[1].2[0].md.ct_state, 0x21);
}

// ---- property tests ----

fn arb_mac() -> impl Strategy<Value = [u8; 6]> {
    any::<[u8; 6]>()
}

fn arb_key() -> impl Strategy<Value = DpKey> {
    prop_oneof![
        (arb_mac(), arb_mac()).prop_map(|(src, dst)| DpKey {
            eth: Some(EthKey { src, dst }),
            ..DpKey::default()
        }),
        (any::<[u8; 4]>(), any::<[u8; 4]>(), any::<u8>(), any::<u8>())
            .prop_map(|(s, d, tos, ttl)| ipv4_key(s, d, tos, ttl)),
        (
            any::<[u8; 16]>(),
            any::<[u8; 16]>(),
            any::<u32>(),
            any::<u8>()
        )
            .prop_map(|(s, d, label, h)| DpKey {
                ipv6: Some(Ipv6Key {
                    src: Ipv6Addr::from(s),
                    dst: Ipv6Addr::from(d),
                    label,
                    proto: 0,
                    tclass: h,
                    hlimit: h,
                    frag: 0,
                }),
                ..DpKey::default()
            }),
        (any::<u16>(), any::<u16>(), 0..3u8).prop_map(|(src, dst, which)| {
            let ports = Some(PortsKey { src, dst });
            match which {
                0 => DpKey {
                    tcp: ports,
                    ..DpKey::default()
                },
                1 => DpKey {
                    udp: ports,
                    ..DpKey::default()
                },
                _ => DpKey {
                    sctp: ports,
                    ..DpKey::default()
                },
            }
        }),
        (any::<u8>(), any::<u8>(), any::<bool>()).prop_map(|(t, c, v6)| {
            let k = Some(IcmpKey {
                icmp_type: t,
                code: c,
            });
            if v6 {
                DpKey {
                    icmpv6: k,
                    ..DpKey::default()
                }
            } else {
                DpKey {
                    icmp: k,
                    ..DpKey::default()
                }
            }
        }),
        (any::<[u8; 4]>(), any::<u16>(), arb_mac()).prop_map(|(ip, op, mac)| DpKey {
            arp: Some(ArpKey {
                sip: Ipv4Addr::from(ip),
                tip: Ipv4Addr::from(ip),
                op,
                sha: mac,
                tha: mac,
            }),
            ..DpKey::default()
        }),
        (any::<[u8; 16]>(), arb_mac(), any::<u32>(), any::<u8>()).prop_map(
            |(t, mac, reserved, options_type)| DpKey {
                nd: Some(NdKey {
                    target: Ipv6Addr::from(t),
                    sll: mac,
                    tll: mac,
                }),
                nd_ext: Some(NdExtKey {
                    reserved,
                    options_type,
                }),
                ..DpKey::default()
            }
        ),
        any::<u32>().prop_map(|lse| DpKey {
            mpls: Some(vec![lse]),
            skb_priority: Some(lse),
            skb_mark: Some(lse),
            ..DpKey::default()
        }),
    ]
}

fn arb_leaf() -> impl Strategy<Value = DpAction> {
    prop_oneof![
        (0..4u32).prop_map(DpAction::Output),
        any::<u32>().prop_map(DpAction::Trunc),
        (0..2u32, any::<u32>())
            .prop_map(|(algorithm, basis)| DpAction::Hash(HashAction { algorithm, basis })),
        arb_key().prop_map(set),
        (arb_key(), arb_key()).prop_map(|(k, m)| set_masked(k, m)),
        (arb_mac(), arb_mac()).prop_map(|(src, dst)| DpAction::PushEth { src, dst }),
        Just(DpAction::PopEth),
        (prop_oneof![Just(0x8100u16), Just(0x88a8)], any::<u16>())
            .prop_map(|(tpid, tci)| DpAction::PushVlan { tpid, tci }),
        Just(DpAction::PopVlan),
        (
            any::<u32>(),
            prop_oneof![Just(0x8847u16), Just(0x8848), any::<u16>()]
        )
            .prop_map(|(lse, ethertype)| DpAction::PushMpls { lse, ethertype }),
        (any::<u32>(), prop_oneof![Just(0x8847u16), any::<u16>()])
            .prop_map(|(lse, ethertype)| DpAction::AddMpls { lse, ethertype }),
        prop_oneof![Just(0x0800u16), Just(0x8847), Just(0x6558), any::<u16>()]
            .prop_map(DpAction::PopMpls),
        Just(DpAction::PopNsh),
        Just(DpAction::CtClear),
        (0..3u32).prop_map(DpAction::Recirc),
        Just(DpAction::Ct(CtAction::default())),
        (0..2u32).prop_map(DpAction::Meter),
        Just(DpAction::Drop(0)),
    ]
}

fn arb_actions() -> impl Strategy<Value = Vec<DpAction>> {
    let leaf = arb_leaf();
    let action = leaf.prop_recursive(2, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(DpAction::Clone),
            (
                any::<u16>(),
                proptest::collection::vec(inner.clone(), 0..3),
                proptest::collection::vec(inner.clone(), 0..3)
            )
                .prop_map(|(pkt_len, if_greater, if_less_equal)| {
                    DpAction::CheckPktLen {
                        pkt_len,
                        if_greater,
                        if_less_equal,
                    }
                }),
            (any::<u32>(), proptest::collection::vec(inner, 0..3)).prop_map(
                |(probability, actions)| DpAction::Sample {
                    probability,
                    actions
                }
            ),
        ]
    });
    proptest::collection::vec(action, 0..8)
}

/// Real packets of every kind, cut at a random length, with random bytes
/// written over them: lying headers of every sort.
fn arb_packet() -> impl Strategy<Value = Packet> {
    let base = prop_oneof![
        Just(tcp4(b"payload")),
        Just(udp4(b"payload")),
        Just(tcp6(b"payload")),
        Just(udp6(b"payload")),
        Just(icmp4()),
        Just(nd_solicit()),
        Just(sctp4()),
        Just(arp()),
        proptest::collection::vec(any::<u8>(), 0..80).prop_map(eth_packet),
    ];
    (
        base,
        any::<prop::sample::Index>(),
        proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
        prop_oneof![
            Just(PACKET_TYPE_ETH),
            Just(PACKET_TYPE_NSH),
            Just(packet_type_for_ether_type(0x0800)),
            Just(packet_type_for_ether_type(0x8847)),
        ],
    )
        .prop_map(|(mut p, cut, pokes, packet_type)| {
            let len = p.data.len();
            p.data.truncate(cut.index(len + 1));
            for (at, b) in pokes {
                if !p.data.is_empty() {
                    let i = at.index(p.data.len());
                    p.data[i] = b;
                }
            }
            if packet_type != PACKET_TYPE_ETH && cut.index(4) == 0 {
                p.md.packet_type = packet_type;
            }
            p
        })
}

fn arb_tcp_udp4() -> impl Strategy<Value = Packet> {
    (
        any::<[u8; 4]>(),
        any::<[u8; 4]>(),
        any::<u16>(),
        any::<u16>(),
        proptest::collection::vec(any::<u8>(), 0..40),
        0..3u8,
    )
        .prop_map(|(s, d, sp, dp, payload, kind)| {
            let mut v = Vec::new();
            let b = PacketBuilder::ethernet2(MAC_A, MAC_B).ipv4(s, d, 64);
            match kind {
                0 => b.tcp(sp, dp, 1, 2).write(&mut v, &payload).unwrap(),
                _ => b.udp(sp, dp).write(&mut v, &payload).unwrap(),
            }
            if kind == 2 {
                // UDP without a checksum.
                v[40] = 0;
                v[41] = 0;
            }
            eth_packet(v)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_action_list_panics(
        packets in proptest::collection::vec(arb_packet(), 1..3),
        actions in arb_actions(),
        random in any::<u32>(),
        steal in any::<bool>(),
    ) {
        let mut rec = Recorder { random, ..Recorder::default() };
        let mut batch = packets;
        execute(&mut batch, &actions, &mut rec, steal);
        if steal {
            prop_assert!(batch.is_empty());
        }
    }

    #[test]
    fn push_then_pop_vlan_restores(
        data in proptest::collection::vec(any::<u8>(), 14..100),
        tpid in prop_oneof![Just(0x8100u16), Just(0x88a8)],
        tci in any::<u16>(),
    ) {
        let p = eth_packet(data);
        let out = apply(&p, &[DpAction::PushVlan { tpid, tci }, DpAction::PopVlan]);
        prop_assert_eq!(out, p);
    }

    #[test]
    fn ipv4_and_port_rewrites_keep_checksums(
        p in arb_tcp_udp4(),
        src in any::<[u8; 4]>(),
        dst in any::<[u8; 4]>(),
        tos in any::<u8>(),
        ttl in any::<u8>(),
        sp in any::<u16>(),
        dp in any::<u16>(),
        mask in any::<[u8; 4]>(),
    ) {
        prop_assert!(checksums_ok(&p));
        let ports = Some(PortsKey { src: sp, dst: dp });
        let zero_udp = p.data[23] == 17 && p.data[40..42] == [0, 0];
        let mut m = ipv4_key(mask, mask, mask[0], mask[1]);
        m.ipv4.as_mut().unwrap().proto = 0;
        let out = apply(&p, &[
            set(ipv4_key(src, dst, tos, ttl)),
            set(DpKey { tcp: ports, udp: ports, ..DpKey::default() }),
            set_masked(ipv4_key(dst, src, ttl, tos), m),
        ]);
        prop_assert!(checksums_ok(&out));
        prop_assert_eq!(&out.data[34..38], &[sp.to_be_bytes(), dp.to_be_bytes()].concat()[..]);
        if zero_udp {
            prop_assert_eq!(&out.data[40..42], &[0u8, 0][..]);
        }
    }

    #[test]
    fn ipv6_rewrites_keep_checksums(
        payload in proptest::collection::vec(any::<u8>(), 0..40),
        src in any::<[u8; 16]>(),
        dst in any::<[u8; 16]>(),
        udp in any::<bool>(),
    ) {
        let p = if udp { udp6(&payload) } else { tcp6(&payload) };
        let key = DpKey {
            ipv6: Some(Ipv6Key {
                src: Ipv6Addr::from(src),
                dst: Ipv6Addr::from(dst),
                label: 1,
                proto: 0,
                tclass: 0,
                hlimit: 1,
                frag: 0,
            }),
            ..DpKey::default()
        };
        let out = apply(&p, &[set(key)]);
        prop_assert!(checksums_ok(&out));
    }
}

#[test]
fn drop_without_steal_leaves_packets_with_the_caller() {
    let p = tcp4(b"");
    let mut batch = vec![p.clone()];
    let mut rec = Recorder::default();
    execute(
        &mut batch,
        &[DpAction::Drop(0), DpAction::Output(1)],
        &mut rec,
        false,
    );
    assert_eq!(batch, vec![p]);
    assert!(rec.calls.is_empty());
}

/// With a routing header that has segments left, the destination is not
/// the final one the transport checksum covers, so rewriting it leaves the
/// checksum alone. OVS's walk stops at that header and takes its type for
/// the transport protocol, so a new source does not touch the checksum
/// either (`packet_rh_present` and `packet_set_ipv6` in OVS's packets.c).
#[test]
fn set_ipv6_dst_behind_routing_header_keeps_transport_checksum() {
    let mut p = tcp6(b"rh");
    let l3 = 14;
    p.data[l3 + 6] = 43;
    let plen = u16::from_be_bytes([p.data[l3 + 4], p.data[l3 + 5]]) + 8;
    p.data[l3 + 4..l3 + 6].copy_from_slice(&plen.to_be_bytes());
    p.data.splice(l3 + 40..l3 + 40, [6, 0, 0, 1, 0, 0, 0, 0]);
    let csum_at = l3 + 48 + 16;
    let before = p.data[csum_at..csum_at + 2].to_vec();
    let key = |src: [u8; 16], dst: [u8; 16]| {
        set(DpKey {
            ipv6: Some(Ipv6Key {
                src: Ipv6Addr::from(src),
                dst: Ipv6Addr::from(dst),
                label: 0,
                proto: 6,
                tclass: 0,
                hlimit: 64,
                frag: 0,
            }),
            ..DpKey::default()
        })
    };
    let out = apply(&p, &[key(V6_A, [7; 16])]);
    assert_eq!(&out.data[l3 + 24..l3 + 40], &[7; 16]);
    assert_eq!(out.data[csum_at..csum_at + 2], before[..]);
    let out = apply(&p, &[key([7; 16], V6_B)]);
    assert_eq!(&out.data[l3 + 8..l3 + 24], &[7; 16]);
    assert_eq!(out.data[csum_at..csum_at + 2], before[..]);
}
