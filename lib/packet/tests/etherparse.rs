//! Flow extraction against an independent parser: random well-formed
//! packets (up to two VLAN tags, ARP, IPv4 with options and fragments,
//! IPv6 with extension header chains, TCP, UDP, ICMPv4, ICMPv6, and
//! link-layer padding) are sliced by `etherparse`, and every field it
//! decodes must be what [`ovs_packet::extract`] put in the flow, at the
//! offsets it returned.

use etherparse::{LinkExtSlice, LinkSlice, NetSlice, SlicedPacket, TransportSlice};
use ovs_flow::{Flow, offset};
use ovs_packet::{Metadata, extract};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum L4 {
    Tcp {
        ports: (u16, u16),
        flags: u16,
        option_words: usize,
    },
    Udp {
        ports: (u16, u16),
    },
    Icmp {
        msg_type: u8,
        code: u8,
    },
    Other {
        proto: u8,
    },
}

impl L4 {
    fn proto(&self, v6: bool) -> u8 {
        match self {
            L4::Tcp { .. } => 6,
            L4::Udp { .. } => 17,
            L4::Icmp { .. } if v6 => 58,
            L4::Icmp { .. } => 1,
            L4::Other { proto } => *proto,
        }
    }

    fn bytes(&self, payload: &[u8]) -> Vec<u8> {
        let mut b = match self {
            L4::Tcp {
                ports,
                flags,
                option_words,
            } => {
                let mut t = Vec::new();
                t.extend_from_slice(&ports.0.to_be_bytes());
                t.extend_from_slice(&ports.1.to_be_bytes());
                t.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 2]);
                let off = 5 + *option_words as u16;
                t.extend_from_slice(&((off << 12) | flags).to_be_bytes());
                t.extend_from_slice(&[0x10, 0, 0, 0, 0, 0]);
                t.resize(t.len() + 4 * option_words, 1); // NOPs
                t
            }
            L4::Udp { ports } => {
                let mut u = Vec::new();
                u.extend_from_slice(&ports.0.to_be_bytes());
                u.extend_from_slice(&ports.1.to_be_bytes());
                u.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
                u.extend_from_slice(&[0, 0]);
                u
            }
            L4::Icmp { msg_type, code } => vec![*msg_type, *code, 0, 0, 0, 1, 0, 2],
            L4::Other { .. } => Vec::new(),
        };
        b.extend_from_slice(payload);
        b
    }
}

#[derive(Clone, Debug)]
enum Ext {
    /// Hop-by-hop (only first), routing or destination options, with this
    /// many 8-byte units after the first.
    Options { proto: u8, extra_units: u8 },
    /// A first fragment (offset 0), with or without more to come.
    Fragment { more: bool },
    /// AH with this many 4-byte ICV words beyond the minimum one.
    Auth { extra_words: u8 },
}

impl Ext {
    fn proto(&self) -> u8 {
        match self {
            Ext::Options { proto, .. } => *proto,
            Ext::Fragment { .. } => 44,
            Ext::Auth { .. } => 51,
        }
    }

    fn bytes(&self, next: u8) -> Vec<u8> {
        match self {
            Ext::Options { extra_units, .. } => {
                let mut b = vec![next, *extra_units, 1, 4, 0, 0, 0, 0];
                for _ in 0..*extra_units {
                    b.extend_from_slice(&[1, 6, 0, 0, 0, 0, 0, 0]);
                }
                b
            }
            Ext::Fragment { more } => vec![next, 0, 0, u8::from(*more), 0, 0, 0, 7],
            Ext::Auth { extra_words } => {
                let mut b = vec![next, 2 + extra_words, 0, 0, 0, 0, 1, 0, 0, 0, 0, 5];
                b.resize(b.len() + 4 + 4 * usize::from(*extra_words), 0xee);
                b
            }
        }
    }
}

#[derive(Clone, Debug)]
enum L3 {
    V4 {
        tos: u8,
        ttl: u8,
        src: [u8; 4],
        dst: [u8; 4],
        flags_frag: u16,
        option_words: usize,
        l4: L4,
    },
    V6 {
        tc: u8,
        label: u32,
        hlim: u8,
        src: [u8; 16],
        dst: [u8; 16],
        hop_by_hop: bool,
        exts: Vec<Ext>,
        l4: L4,
    },
    Arp {
        op: u16,
        sha: [u8; 6],
        spa: [u8; 4],
        tha: [u8; 6],
        tpa: [u8; 4],
    },
}

#[derive(Clone, Debug)]
struct Packet {
    dst: [u8; 6],
    src: [u8; 6],
    vlans: Vec<(u16, u16)>,
    l3: L3,
    payload: Vec<u8>,
    padding: usize,
}

impl Packet {
    fn bytes(&self) -> Vec<u8> {
        let mut p = Vec::new();
        p.extend_from_slice(&self.dst);
        p.extend_from_slice(&self.src);
        for (tpid, tci) in &self.vlans {
            p.extend_from_slice(&tpid.to_be_bytes());
            p.extend_from_slice(&tci.to_be_bytes());
        }
        match &self.l3 {
            L3::V4 {
                tos,
                ttl,
                src,
                dst,
                flags_frag,
                option_words,
                l4,
            } => {
                p.extend_from_slice(&[0x08, 0x00]);
                let body = l4.bytes(&self.payload);
                let ihl = 5 + option_words;
                let total = (4 * ihl + body.len()) as u16;
                p.push(0x40 | ihl as u8);
                p.push(*tos);
                p.extend_from_slice(&total.to_be_bytes());
                p.extend_from_slice(&[0x12, 0x34]);
                p.extend_from_slice(&flags_frag.to_be_bytes());
                p.extend_from_slice(&[*ttl, l4.proto(false), 0, 0]);
                p.extend_from_slice(src);
                p.extend_from_slice(dst);
                p.resize(p.len() + 4 * option_words, 1); // NOPs
                p.extend_from_slice(&body);
            }
            L3::V6 {
                tc,
                label,
                hlim,
                src,
                dst,
                hop_by_hop,
                exts,
                l4,
            } => {
                p.extend_from_slice(&[0x86, 0xdd]);
                let mut chain: Vec<Ext> = Vec::new();
                if *hop_by_hop {
                    chain.push(Ext::Options {
                        proto: 0,
                        extra_units: 0,
                    });
                }
                chain.extend(exts.iter().cloned());
                let mut body = Vec::new();
                for (i, e) in chain.iter().enumerate() {
                    let next = chain.get(i + 1).map_or(l4.proto(true), Ext::proto);
                    body.extend_from_slice(&e.bytes(next));
                }
                body.extend_from_slice(&l4.bytes(&self.payload));
                let first = chain.first().map_or(l4.proto(true), Ext::proto);
                let word = (6u32 << 28) | (u32::from(*tc) << 20) | (label & 0xfffff);
                p.extend_from_slice(&word.to_be_bytes());
                p.extend_from_slice(&(body.len() as u16).to_be_bytes());
                p.extend_from_slice(&[first, *hlim]);
                p.extend_from_slice(src);
                p.extend_from_slice(dst);
                p.extend_from_slice(&body);
            }
            L3::Arp {
                op,
                sha,
                spa,
                tha,
                tpa,
            } => {
                p.extend_from_slice(&[0x08, 0x06, 0, 1, 8, 0, 6, 4]);
                p.extend_from_slice(&op.to_be_bytes());
                p.extend_from_slice(sha);
                p.extend_from_slice(spa);
                p.extend_from_slice(tha);
                p.extend_from_slice(tpa);
            }
        }
        p.resize(p.len() + self.padding, 0);
        p
    }
}

fn l4() -> impl Strategy<Value = L4> {
    prop_oneof![
        (any::<(u16, u16)>(), 0u16..0x200, 0usize..=10).prop_map(|(ports, flags, option_words)| {
            L4::Tcp {
                ports,
                flags,
                option_words,
            }
        }),
        any::<(u16, u16)>().prop_map(|ports| L4::Udp { ports }),
        // Types etherparse slices without asking for more than 8 bytes.
        (
            prop::sample::select(vec![0u8, 3, 8, 11, 1, 2, 128, 129]),
            any::<u8>()
        )
            .prop_map(|(msg_type, code)| L4::Icmp { msg_type, code }),
        prop::sample::select(vec![47u8, 50, 59, 103, 253]).prop_map(|proto| L4::Other { proto }),
    ]
}

fn ext() -> impl Strategy<Value = Ext> {
    prop_oneof![
        (prop::sample::select(vec![43u8, 60]), 0u8..3)
            .prop_map(|(proto, extra_units)| Ext::Options { proto, extra_units }),
        any::<bool>().prop_map(|more| Ext::Fragment { more }),
        (0u8..3).prop_map(|extra_words| Ext::Auth { extra_words }),
    ]
}

fn l3() -> impl Strategy<Value = L3> {
    // Fragments: none, DF, a first fragment, a later one (offset > 0).
    let frag = prop_oneof![
        Just(0u16),
        Just(0x4000),
        Just(0x2000),
        (1u16..0x2000, any::<bool>()).prop_map(|(off, mf)| off | if mf { 0x2000 } else { 0 }),
    ];
    prop_oneof![
        (any::<(u8, u8, [u8; 4], [u8; 4])>(), frag, 0usize..=10, l4()).prop_map(
            |((tos, ttl, src, dst), flags_frag, option_words, l4)| L3::V4 {
                tos,
                ttl,
                src,
                dst,
                flags_frag,
                option_words,
                l4,
            }
        ),
        (
            any::<(u8, u32, u8, [u8; 16], [u8; 16])>(),
            any::<bool>(),
            proptest::collection::vec(ext(), 0..4),
            l4()
        )
            .prop_map(
                |((tc, label, hlim, src, dst), hop_by_hop, exts, l4)| L3::V6 {
                    tc,
                    label: label & 0xfffff,
                    hlim,
                    src,
                    dst,
                    hop_by_hop,
                    exts,
                    l4,
                }
            ),
        (0u16..0x100, any::<([u8; 6], [u8; 4], [u8; 6], [u8; 4])>()).prop_map(
            |(op, (sha, spa, tha, tpa))| L3::Arp {
                op,
                sha,
                spa,
                tha,
                tpa
            }
        ),
    ]
}

fn packet() -> impl Strategy<Value = Packet> {
    let tag = (prop::sample::select(vec![0x8100u16, 0x88a8]), any::<u16>());
    (
        any::<([u8; 6], [u8; 6])>(),
        proptest::collection::vec(tag, 0..=2),
        l3(),
        proptest::collection::vec(any::<u8>(), 0..40),
        0usize..12,
    )
        .prop_map(|((dst, src), vlans, l3, payload, padding)| Packet {
            dst,
            src,
            vlans,
            l3,
            payload,
            padding,
        })
}

fn be(flow: &Flow, at: usize, len: usize) -> u64 {
    flow.get_be(at, len)
}

fn compare(p: &Packet) {
    let bytes = p.bytes();
    let sliced = SlicedPacket::from_ethernet(&bytes).expect("etherparse accepts the packet");
    let mut flow = Flow::ZERO;
    let offs = extract(&bytes, &Metadata::default(), &mut flow);

    let Some(LinkSlice::Ethernet2(eth)) = &sliced.link else {
        panic!("no Ethernet");
    };
    assert_eq!(flow.bytes(offset::DL_DST, 6), eth.destination());
    assert_eq!(flow.bytes(offset::DL_SRC, 6), eth.source());
    let mut outer = eth.ether_type().0;
    let mut l3_at = 14;
    for (i, ext) in sliced.link_exts.iter().enumerate() {
        let LinkExtSlice::Vlan(v) = ext else {
            panic!("unexpected link extension");
        };
        let tci = u16::from(v.priority_code_point().value()) << 13
            | u16::from(v.drop_eligible_indicator()) << 12
            | v.vlan_identifier().value();
        assert_eq!(be(&flow, offset::VLAN0_TPID + 4 * i, 2), u64::from(outer));
        assert_eq!(
            be(&flow, offset::VLAN0_TCI + 4 * i, 2),
            u64::from(tci | 0x1000)
        );
        outer = v.ether_type().0;
        l3_at += 4;
    }
    assert_eq!(be(&flow, offset::DL_TYPE, 2), u64::from(outer));
    assert_eq!(offs.l3, Some(l3_at));

    match sliced.net.as_ref().expect("a network layer") {
        NetSlice::Ipv4(ip) => {
            let h = ip.header();
            assert_eq!(flow.bytes(offset::NW_SRC, 4), h.source());
            assert_eq!(flow.bytes(offset::NW_DST, 4), h.destination());
            assert_eq!(be(&flow, offset::NW_PROTO, 1), u64::from(h.protocol().0));
            assert_eq!(be(&flow, offset::NW_TTL, 1), u64::from(h.ttl()));
            let tos = h.dcp().value() << 2 | h.ecn().value();
            assert_eq!(be(&flow, offset::NW_TOS, 1), u64::from(tos));
            let frag = be(&flow, offset::NW_FRAG, 1);
            assert_eq!(frag & 1 != 0, ip.is_payload_fragmented());
            assert_eq!(frag & 2 != 0, h.fragments_offset().value() != 0);
            assert_eq!(offs.l4, Some(l3_at + h.slice().len()));
            assert_eq!(offs.l2_pad, p.padding);
        }
        NetSlice::Ipv6(ip) => {
            let h = ip.header();
            assert_eq!(flow.bytes(offset::IPV6_SRC, 16), h.source());
            assert_eq!(flow.bytes(offset::IPV6_DST, 16), h.destination());
            assert_eq!(
                be(&flow, offset::IPV6_LABEL, 4),
                u64::from(h.flow_label().value())
            );
            assert_eq!(be(&flow, offset::NW_TOS, 1), u64::from(h.traffic_class()));
            assert_eq!(be(&flow, offset::NW_TTL, 1), u64::from(h.hop_limit()));
            assert_eq!(
                be(&flow, offset::NW_PROTO, 1),
                u64::from(ip.payload().ip_number.0)
            );
            // Only first fragments are generated, so never "later".
            let frag = be(&flow, offset::NW_FRAG, 1);
            assert_eq!(frag & 2, 0);
            let has_more = ip.is_payload_fragmented();
            assert_eq!(frag & 1 != 0, has_more);
            // (Not from the payload slice: etherparse reads a zero payload
            // length as a jumbogram and takes the padding as payload.)
            let headers = h.slice().len() + ip.extensions().slice().len();
            assert_eq!(offs.l4, Some(l3_at + headers));
            assert_eq!(offs.l2_pad, p.padding);
        }
        NetSlice::Arp(arp) => {
            assert_eq!(flow.bytes(offset::NW_SRC, 4), arp.sender_protocol_addr());
            assert_eq!(flow.bytes(offset::NW_DST, 4), arp.target_protocol_addr());
            assert_eq!(flow.bytes(offset::ARP_SHA, 6), arp.sender_hw_addr());
            assert_eq!(flow.bytes(offset::ARP_THA, 6), arp.target_hw_addr());
            assert_eq!(be(&flow, offset::NW_PROTO, 1), u64::from(arp.operation().0));
            assert_eq!(offs.l4, None);
            return;
        }
    }

    let tp = (be(&flow, offset::TP_SRC, 2), be(&flow, offset::TP_DST, 2));
    match &sliced.transport {
        Some(TransportSlice::Tcp(t)) => {
            assert_eq!(
                tp,
                (u64::from(t.source_port()), u64::from(t.destination_port()))
            );
            let flags = [
                t.fin(),
                t.syn(),
                t.rst(),
                t.psh(),
                t.ack(),
                t.urg(),
                t.ece(),
                t.cwr(),
                t.ns(),
            ]
            .iter()
            .enumerate()
            .map(|(i, f)| u64::from(*f) << i)
            .sum::<u64>();
            assert_eq!(be(&flow, offset::TCP_FLAGS, 2), flags);
        }
        Some(TransportSlice::Udp(u)) => {
            assert_eq!(
                tp,
                (u64::from(u.source_port()), u64::from(u.destination_port()))
            );
        }
        Some(TransportSlice::Icmpv4(i)) => {
            assert_eq!(tp, (u64::from(i.type_u8()), u64::from(i.code_u8())));
        }
        Some(TransportSlice::Icmpv6(i)) => {
            assert_eq!(tp, (u64::from(i.type_u8()), u64::from(i.code_u8())));
        }
        Some(other) => panic!("unexpected transport {other:?}"),
        None => {
            // A later fragment or a protocol neither parser reads; a first
            // fragment still has its transport header for OVS.
            let later = be(&flow, offset::NW_FRAG, 1) & 2 != 0;
            let proto = be(&flow, offset::NW_PROTO, 1);
            if later || !matches!(proto, 1 | 6 | 17 | 58) {
                assert_eq!(tp, (0, 0));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn agrees_with_etherparse(p in packet()) {
        compare(&p);
    }
}
