//! Builds a flow from arbitrary bytes and composes packets from it, as
//! `netdev-dummy/receive PORT FLOW [--len N]` does.
//!
//! Input layout: byte 0 steers the flow (bits 0-2 the Ethernet type: as
//! given, IPv4, IPv6, ARP, RARP, MPLS, 802.3, NSH; bit 3 a common
//! transport protocol; bit 4 VLAN TPIDs made real ones; bit 5 the IPv6
//! label cut to 20 bits); bytes 1-2 the L7 length and 3-4 the `--len`
//! (both big-endian, modulo 2048 and 2200); then the bytes of every field
//! compose reads, in the order of `FIELDS`; whatever follows is laid over
//! the whole flow first, so any flow at all can be reached.
//!
//! Checks, mirroring `lib/packet/tests/compose.rs`: no panic; at least an
//! Ethernet header; `compose_to_len` gives exactly `len` bytes or refuses
//! only when the headers alone are longer; extracting either packet does
//! not panic and gives back the Ethernet addresses always, and the VLAN
//! tags, Ethernet type, ARP, MPLS and IP fields and transport ports
//! wherever compose promises them (see `ovs_packet::compose`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ovs_flow::{FLOW_BYTES, Flow, offset};
use ovs_packet::ip::{FRAG_ANY, FRAG_LATER, IpProtocol};
use ovs_packet::{Metadata, compose, compose_to_len, extract};

/// The fields compose reads, with their widths.
const FIELDS: &[(usize, usize)] = &[
    (offset::DL_DST, 6),
    (offset::DL_SRC, 6),
    (offset::DL_TYPE, 2),
    (offset::VLAN0_TPID, 2),
    (offset::VLAN0_TCI, 2),
    (offset::VLAN1_TPID, 2),
    (offset::VLAN1_TCI, 2),
    (offset::NW_PROTO, 1),
    (offset::NW_FRAG, 1),
    (offset::NW_TOS, 1),
    (offset::NW_TTL, 1),
    (offset::NW_SRC, 4),
    (offset::NW_DST, 4),
    (offset::TP_SRC, 2),
    (offset::TP_DST, 2),
    (offset::TCP_FLAGS, 2),
    (offset::IPV6_LABEL, 4),
    (offset::IPV6_SRC, 16),
    (offset::IPV6_DST, 16),
    (offset::IGMP_GROUP_IP4, 4),
    (offset::ND_TARGET, 16),
    (offset::ARP_SHA, 6),
    (offset::ARP_THA, 6),
    (offset::MPLS_LSE0, 12),
];

const VLAN_CFI: u16 = 0x1000;
const DL_TYPE_NONE: u16 = 0x05ff;

fuzz_target!(|data: &[u8]| {
    let Some((head, rest)) = data.split_at_checked(5) else {
        return;
    };
    let selector = head[0];
    let l7_len = usize::from(u16::from_be_bytes([head[1], head[2]])) % 2048;
    let len = usize::from(u16::from_be_bytes([head[3], head[4]])) % 2200;
    let flow = build_flow(selector, rest);

    let packet = compose(&flow, l7_len);
    assert!(packet.len() >= 14);
    check_extract(&flow, &packet, false);

    let bare = compose(&flow, 0);
    match compose_to_len(&flow, len) {
        Some(padded) => {
            assert_eq!(padded.len(), len);
            // 802.3's length field grows with the frame and may come to
            // read as an Ethernet type.
            check_extract(&flow, &padded, true);
        }
        None => assert!(bare.len() > len, "{} header bytes fit {len}", bare.len()),
    }
    assert_eq!(
        compose(&flow, l7_len),
        packet,
        "compose is not deterministic"
    );
});

fn build_flow(selector: u8, rest: &[u8]) -> Flow {
    let fields_len: usize = FIELDS.iter().map(|(_, n)| n).sum();
    let (fields, background) = rest.split_at(rest.len().min(fields_len));
    let mut flow = Flow::ZERO;
    let n = background.len().min(FLOW_BYTES);
    flow.as_bytes_mut()[..n].copy_from_slice(&background[..n]);

    let mut pos = 0;
    for &(at, width) in FIELDS {
        let Some(bytes) = fields.get(pos..pos + width) else {
            break;
        };
        flow.bytes_mut(at, width).copy_from_slice(bytes);
        pos += width;
    }

    let dl_type = match selector & 7 {
        1 => Some(0x0800),
        2 => Some(0x86dd),
        3 => Some(0x0806),
        4 => Some(0x8035),
        5 => Some(0x8847),
        6 => Some(DL_TYPE_NONE),
        7 => Some(0x894f),
        _ => None,
    };
    if let Some(t) = dl_type {
        flow.set_be(offset::DL_TYPE, 2, t.into());
    }
    if selector & 8 != 0 {
        let known = [1u64, 2, 6, 17, 58, 132];
        let p = flow.get_be(offset::NW_PROTO, 1) as usize;
        flow.set_be(offset::NW_PROTO, 1, known[p % known.len()]);
    }
    if selector & 0x10 != 0 {
        for tpid_at in [offset::VLAN0_TPID, offset::VLAN1_TPID] {
            let tpid = if flow.get_be(tpid_at, 2) & 1 == 0 {
                0x8100
            } else {
                0x88a8
            };
            flow.set_be(tpid_at, 2, tpid);
        }
    }
    if selector & 0x20 != 0 {
        let label = flow.get_be(offset::IPV6_LABEL, 4) & 0xf_ffff;
        flow.set_be(offset::IPV6_LABEL, 4, label);
    }
    flow
}

fn is_vlan(tpid: u16) -> bool {
    tpid == 0x8100 || tpid == 0x88a8
}

/// Extracts `packet`, composed from `flow` (`padded` when it came from
/// `compose_to_len`), and checks what compose promises to give back.
fn check_extract(flow: &Flow, packet: &[u8], padded: bool) {
    let mut back = Flow::ZERO;
    extract(packet, &Metadata::default(), &mut back);
    let mut again = Flow::ONES;
    extract(packet, &Metadata::default(), &mut again);
    assert_eq!(again, back, "extract is not deterministic");

    let same = |at: usize, width: usize, what: &str| {
        assert_eq!(
            back.bytes(at, width),
            flow.bytes(at, width),
            "{what} not given back from {}",
            hex(packet)
        );
    };
    let zero = |at: usize, width: usize, what: &str| {
        assert!(
            back.bytes(at, width).iter().all(|&b| b == 0),
            "{what} should be zero in {}",
            hex(packet)
        );
    };
    same(offset::DL_DST, 6, "dl_dst");
    same(offset::DL_SRC, 6, "dl_src");

    let dl_type = flow.get_be(offset::DL_TYPE, 2) as u16;
    if dl_type == DL_TYPE_NONE {
        zero(offset::VLAN0_TPID, 8, "VLAN tags of an 802.3 frame");
        if !padded || packet.len() < 0x600 {
            assert_eq!(back.get_be(offset::DL_TYPE, 2), u64::from(DL_TYPE_NONE));
        }
        return;
    }

    // The tags compose pushes: those marked present, in flow order.
    let pushed: Vec<(u16, u16)> = [0, 1]
        .into_iter()
        .map(|i| {
            (
                flow.get_be(offset::VLAN0_TPID + 4 * i, 2) as u16,
                flow.get_be(offset::VLAN0_TCI + 4 * i, 2) as u16,
            )
        })
        .filter(|(_, tci)| tci & VLAN_CFI != 0)
        .collect();
    // Extract reads the leading tags with a VLAN TPID, the CFI bit set.
    for (i, (tpid, tci)) in pushed.iter().take_while(|(t, _)| is_vlan(*t)).enumerate() {
        assert_eq!(back.get_be(offset::VLAN0_TPID + 4 * i, 2), u64::from(*tpid));
        assert_eq!(back.get_be(offset::VLAN0_TCI + 4 * i, 2), u64::from(*tci));
    }
    let clean_l2 =
        pushed.iter().all(|(t, _)| is_vlan(*t)) && (!is_vlan(dl_type) || pushed.len() == 2);
    if !clean_l2 {
        return;
    }
    if pushed.len() < 2 {
        zero(
            offset::VLAN0_TPID + 4 * pushed.len(),
            4 * (2 - pushed.len()),
            "absent tags",
        );
    }
    if dl_type < 0x0600 {
        // Nothing follows a length, or only zeros: no SNAP header.
        assert_eq!(back.get_be(offset::DL_TYPE, 2), u64::from(DL_TYPE_NONE));
        return;
    }
    same(offset::DL_TYPE, 2, "dl_type");

    let nw_proto = flow.get_be(offset::NW_PROTO, 1) as u8;
    let frag = flow.get_be(offset::NW_FRAG, 1) as u8;
    let composes_l4 = frag & (FRAG_ANY | FRAG_LATER) != FRAG_ANY | FRAG_LATER;
    match dl_type {
        0x0800 => {
            same(offset::NW_SRC, 4, "nw_src");
            same(offset::NW_DST, 4, "nw_dst");
            same(offset::NW_TOS, 1, "nw_tos");
            same(offset::NW_TTL, 1, "nw_ttl");
            same(offset::NW_PROTO, 1, "nw_proto");
            let expected_frag = match frag & (FRAG_ANY | FRAG_LATER) {
                f if f & FRAG_ANY == 0 => 0,
                f => f,
            };
            assert_eq!(back.get_be(offset::NW_FRAG, 1), u64::from(expected_frag));
            if composes_l4 {
                check_ports(flow, &back, nw_proto, packet);
            }
        }
        0x86dd => {
            if flow.get_be(offset::IPV6_LABEL, 4) > 0xf_ffff {
                // OVS ORs the whole label into the version word.
                return;
            }
            same(offset::IPV6_SRC, 16, "ipv6_src");
            same(offset::IPV6_DST, 16, "ipv6_dst");
            if IpProtocol(nw_proto).is_ipv6_extension() {
                // Compose writes no extension header; extract then finds
                // a truncated one (or zeros) and stops.
                return;
            }
            same(offset::IPV6_LABEL, 4, "ipv6_label");
            same(offset::NW_TOS, 1, "nw_tos");
            same(offset::NW_TTL, 1, "nw_ttl");
            same(offset::NW_PROTO, 1, "nw_proto");
            zero(offset::NW_FRAG, 1, "IPv6 nw_frag");
            if composes_l4 {
                check_ports(flow, &back, nw_proto, packet);
            }
        }
        0x0806 | 0x8035 => {
            same(offset::NW_PROTO, 1, "ARP opcode");
            if nw_proto == 1 || nw_proto == 2 {
                same(offset::NW_SRC, 4, "arp_spa");
                same(offset::NW_DST, 4, "arp_tpa");
                same(offset::ARP_SHA, 6, "arp_sha");
                same(offset::ARP_THA, 6, "arp_tha");
            } else {
                zero(offset::NW_SRC, 8, "ARP addresses");
                zero(offset::ARP_SHA, 12, "ARP hardware addresses");
            }
        }
        0x8847 | 0x8848 => {
            let mut i = 0;
            while i < 3 {
                same(offset::MPLS_LSE0 + 4 * i, 4, "MPLS label");
                i += 1;
                if flow.get_be(offset::MPLS_LSE0 + 4 * (i - 1), 4) & 0x100 != 0 {
                    break;
                }
            }
            if i < 3 {
                zero(offset::MPLS_LSE0 + 4 * i, 4 * (3 - i), "labels after BOS");
            }
        }
        _ => {}
    }
}

/// Ports of the transports compose writes them for, when extract can read
/// the header back (a TCP data offset of 5 words: flag bits above the
/// twelve real ones would change it).
fn check_ports(flow: &Flow, back: &Flow, nw_proto: u8, packet: &[u8]) {
    let tcp_flags = flow.get_be(offset::TCP_FLAGS, 2);
    let readable = match nw_proto {
        6 => tcp_flags < 0x1000,
        17 | 132 => true,
        _ => false,
    };
    if !readable {
        return;
    }
    for (at, what) in [(offset::TP_SRC, "tp_src"), (offset::TP_DST, "tp_dst")] {
        assert_eq!(
            back.bytes(at, 2),
            flow.bytes(at, 2),
            "{what} not given back from {}",
            hex(packet)
        );
    }
    if nw_proto == 6 {
        assert_eq!(back.get_be(offset::TCP_FLAGS, 2), tcp_flags);
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
