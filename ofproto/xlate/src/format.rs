//! OpenFlow text as `ofproto/trace` prints it: OVS's `match_format`,
//! `flow_format`, `ofpacts_format` and `mf_format_subfield`.
//!
//! Covers what translation reports: every action this crate translates
//! and the match fields of the flow layout (tunnel metadata options, NSH
//! and some conntrack details are printed in simplified form).

use std::fmt::Write;
use std::net::{Ipv4Addr, Ipv6Addr};

use ovs_flow::{FieldFormat, FieldId, Flow, Match, offset};
use ovs_ofp_actions::{Action, Learn, LearnDst, LearnSrc, SetFieldForm, Subfield};
use ovs_ofp_core::OfpPort;

use crate::field::{self, FlowExt};
use crate::recirc::FrozenAction;

/// OVS's `ofputil_port_to_string` without a port map.
pub fn port_name(port: OfpPort) -> String {
    match port {
        OfpPort::IN_PORT => "IN_PORT".into(),
        OfpPort::TABLE => "TABLE".into(),
        OfpPort::NORMAL => "NORMAL".into(),
        OfpPort::FLOOD => "FLOOD".into(),
        OfpPort::ALL => "ALL".into(),
        OfpPort::CONTROLLER => "CONTROLLER".into(),
        OfpPort::LOCAL => "LOCAL".into(),
        OfpPort::NONE => "ANY".into(),
        OfpPort::UNSET => "UNSET".into(),
        p => p.0.to_string(),
    }
}

/// `xx:xx:xx:xx:xx:xx`.
pub fn mac(m: &[u8; 6]) -> String {
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    )
}

/// OVS's `ds_put_hex`: `0x` and the bytes without leading zero bytes.
fn hex(bytes: &[u8]) -> String {
    let mut s = String::new();
    for b in bytes {
        if s.is_empty() {
            if *b != 0 {
                let _ = write!(s, "0x{b:x}");
            }
        } else {
            let _ = write!(s, "{b:02x}");
        }
    }
    if s.is_empty() {
        s.push('0');
    }
    s
}

fn cidr_bits(mask: u32) -> Option<u32> {
    let n = mask.leading_ones();
    (mask.checked_shl(n).unwrap_or(0) == 0).then_some(n)
}

fn ip_masked(s: &mut String, ip: u32, mask: u32) {
    let _ = write!(s, "{}", Ipv4Addr::from(ip));
    if mask != u32::MAX {
        match cidr_bits(mask) {
            Some(n) => {
                let _ = write!(s, "/{n}");
            }
            None => {
                let _ = write!(s, "/{}", Ipv4Addr::from(mask));
            }
        }
    }
}

fn ipv6_masked(s: &mut String, ip: u128, mask: u128) {
    let _ = write!(s, "{}", Ipv6Addr::from(ip));
    if mask != u128::MAX {
        let n = mask.leading_ones();
        if mask.checked_shl(n).unwrap_or(0) == 0 {
            let _ = write!(s, "/{n}");
        } else {
            let _ = write!(s, "/{}", Ipv6Addr::from(mask));
        }
    }
}

fn eth_masked(s: &mut String, name: &str, v: [u8; 6], m: [u8; 6]) {
    if m != [0; 6] {
        let _ = write!(s, "{name}={}", mac(&v));
        if m != [0xff; 6] {
            let _ = write!(s, "/{}", mac(&m));
        }
        s.push(',');
    }
}

fn ip_netmask(s: &mut String, name: &str, v: u32, m: u32) {
    if m != 0 {
        let _ = write!(s, "{name}=");
        ip_masked(s, v, m);
        s.push(',');
    }
}

fn ipv6_netmask(s: &mut String, name: &str, v: u128, m: u128) {
    if m != 0 {
        let _ = write!(s, "{name}=");
        ipv6_masked(s, v, m);
        s.push(',');
    }
}

fn be16_masked(s: &mut String, name: &str, v: u16, m: u16) {
    if m != 0 {
        if m == u16::MAX {
            let _ = write!(s, "{name}={v},");
        } else {
            let _ = write!(s, "{name}=0x{v:x}/0x{m:x},");
        }
    }
}

fn be32_masked(s: &mut String, name: &str, v: u32, m: u32) {
    if m != 0 {
        if m == u32::MAX {
            let _ = write!(s, "{name}={v},");
        } else {
            let _ = write!(s, "{name}=0x{v:08x}/0x{m:08x},");
        }
    }
}

fn uint16_masked(s: &mut String, name: &str, v: u16, m: u16) {
    if m != 0 {
        if m == u16::MAX {
            let _ = write!(s, "{name}={v},");
        } else {
            let _ = write!(s, "{name}=0x{v:x}/0x{m:x},");
        }
    }
}

/// C's `%#x`: no `0x` prefix for zero.
pub(crate) fn c_hex(v: impl Into<u128>) -> String {
    let v = v.into();
    if v == 0 {
        "0".into()
    } else {
        format!("{v:#x}")
    }
}

fn uint32_masked(s: &mut String, name: &str, v: u32, m: u32) {
    if m != 0 {
        let _ = write!(s, "{name}={}", c_hex(v));
        if m != u32::MAX {
            let _ = write!(s, "/{}", c_hex(m));
        }
        s.push(',');
    }
}

fn be64_masked(s: &mut String, name: &str, v: u64, m: u64) {
    if m != 0 {
        let _ = write!(s, "{name}={}", c_hex(v));
        if m != u64::MAX {
            let _ = write!(s, "/{}", c_hex(m));
        }
        s.push(',');
    }
}

const CT_STATE_NAMES: [&str; 8] = ["new", "est", "rel", "rpl", "inv", "trk", "snat", "dnat"];

fn ct_flags(v: u32) -> String {
    let names: Vec<&str> = (0..8)
        .filter(|i| v & (1 << i) != 0)
        .map(|i| CT_STATE_NAMES[i])
        .collect();
    names.join("|")
}

fn member128(f: &Flow, off: usize, len: usize) -> u128 {
    field::member(f, off, len)
}

/// OVS's `match_format` (`priority` 32768 is not printed).
pub fn match_to_string(m: &Match, priority: u16) -> String {
    let f = &m.flow;
    let w = &m.wc;
    let mut s = String::new();
    if priority != 32768 {
        let _ = write!(s, "priority={priority},");
    }
    uint32_masked(
        &mut s,
        "pkt_mark",
        f.u32_at(offset::PKT_MARK),
        w.u32_at(offset::PKT_MARK),
    );
    let mut is_megaflow = false;
    if w.u32_at(offset::RECIRC_ID) != 0 {
        uint32_masked(
            &mut s,
            "recirc_id",
            f.u32_at(offset::RECIRC_ID),
            w.u32_at(offset::RECIRC_ID),
        );
        is_megaflow = true;
    }
    uint32_masked(
        &mut s,
        "dp_hash",
        f.u32_at(offset::DP_HASH),
        w.u32_at(offset::DP_HASH),
    );
    if w.u32_at(offset::CONJ_ID) != 0 {
        let _ = write!(s, "conj_id={},", f.u32_at(offset::CONJ_ID));
    }
    if w.u32_at(offset::SKB_PRIORITY) != 0 {
        let _ = write!(s, "skb_priority={},", c_hex(f.u32_at(offset::SKB_PRIORITY)));
    }
    if w.u16_at(offset::ACTSET_OUTPUT) != 0 {
        let _ = write!(
            s,
            "actset_output={},",
            port_name(OfpPort(f.u16_at(offset::ACTSET_OUTPUT)))
        );
    }
    let ct_mask = w.u32_at(offset::CT_STATE);
    if ct_mask != 0 {
        let v = f.u32_at(offset::CT_STATE);
        if ct_mask == 0xff {
            if v != 0 {
                let _ = write!(s, "ct_state={},", ct_flags(v));
            } else {
                s.push_str("ct_state=0,");
            }
        } else {
            // OVS's format_flags_masked: +flag / -flag for each masked bit.
            s.push_str("ct_state=");
            for (i, name) in CT_STATE_NAMES.iter().enumerate() {
                if ct_mask & (1 << i) != 0 {
                    s.push(if v & (1 << i) != 0 { '+' } else { '-' });
                    s.push_str(name);
                }
            }
            s.push(',');
        }
    }
    uint16_masked(
        &mut s,
        "ct_zone",
        f.u16_at(offset::CT_ZONE),
        w.u16_at(offset::CT_ZONE),
    );
    uint32_masked(
        &mut s,
        "ct_mark",
        f.u32_at(offset::CT_MARK),
        w.u32_at(offset::CT_MARK),
    );
    let lm = member128(w, offset::CT_LABEL, 16);
    if lm != 0 {
        let lv = member128(f, offset::CT_LABEL, 16);
        let _ = write!(s, "ct_label={}", c_hex(lv));
        if lm != u128::MAX {
            let _ = write!(s, "/{}", c_hex(lm));
        }
        s.push(',');
    }
    ip_netmask(
        &mut s,
        "ct_nw_src",
        f.u32_at(offset::CT_NW_SRC),
        w.u32_at(offset::CT_NW_SRC),
    );
    ipv6_netmask(
        &mut s,
        "ct_ipv6_src",
        member128(f, offset::CT_IPV6_SRC, 16),
        member128(w, offset::CT_IPV6_SRC, 16),
    );
    ip_netmask(
        &mut s,
        "ct_nw_dst",
        f.u32_at(offset::CT_NW_DST),
        w.u32_at(offset::CT_NW_DST),
    );
    ipv6_netmask(
        &mut s,
        "ct_ipv6_dst",
        member128(f, offset::CT_IPV6_DST, 16),
        member128(w, offset::CT_IPV6_DST, 16),
    );
    if w.u8_at(offset::CT_NW_PROTO) != 0 {
        let _ = write!(s, "ct_nw_proto={},", f.u8_at(offset::CT_NW_PROTO));
        be16_masked(
            &mut s,
            "ct_tp_src",
            f.u16_at(offset::CT_TP_SRC),
            w.u16_at(offset::CT_TP_SRC),
        );
        be16_masked(
            &mut s,
            "ct_tp_dst",
            f.u16_at(offset::CT_TP_DST),
            w.u16_at(offset::CT_TP_DST),
        );
    }

    let pt = f.packet_type();
    let pt_mask = w.u32_at(offset::PACKET_TYPE);
    let default_pt = pt == 0 && pt_mask == u32::MAX;
    let mut dl_type = f.dl_type();
    if pt_mask != 0 && (!default_pt || is_megaflow) {
        if pt == 0 && pt_mask == u32::MAX {
            s.push_str("eth");
        } else {
            let put = |s: &mut String, v: u16, m: u16| {
                if m == u16::MAX {
                    let _ = write!(s, "{}", c_hex(v));
                } else {
                    let _ = write!(s, "{}/{}", c_hex(v), c_hex(m));
                }
            };
            s.push_str("packet_type=(");
            put(&mut s, (pt >> 16) as u16, (pt_mask >> 16) as u16);
            s.push(',');
            put(&mut s, pt as u16, pt_mask as u16);
            s.push(')');
        }
        s.push(',');
        if pt >> 16 == 1 {
            dl_type = pt as u16;
        }
    }

    let mut skip_type = false;
    let mut skip_proto = false;
    let proto = f.nw_proto();
    let proto_masked = w.u8_at(offset::NW_PROTO) != 0;
    if w.u16_at(offset::DL_TYPE) != 0 {
        skip_type = true;
        match dl_type {
            field::ETH_TYPE_IP => {
                let name = if proto_masked {
                    match proto {
                        1 => Some("icmp"),
                        6 => Some("tcp"),
                        17 => Some("udp"),
                        132 => Some("sctp"),
                        _ => None,
                    }
                } else {
                    None
                };
                match name {
                    Some(n) => {
                        skip_proto = true;
                        let _ = write!(s, "{n},");
                    }
                    None => s.push_str("ip,"),
                }
            }
            field::ETH_TYPE_IPV6 => {
                let name = if proto_masked {
                    match proto {
                        58 => Some("icmp6"),
                        6 => Some("tcp6"),
                        17 => Some("udp6"),
                        132 => Some("sctp6"),
                        _ => None,
                    }
                } else {
                    None
                };
                match name {
                    Some(n) => {
                        skip_proto = true;
                        let _ = write!(s, "{n},");
                    }
                    None => s.push_str("ipv6,"),
                }
            }
            field::ETH_TYPE_ARP => s.push_str("arp,"),
            field::ETH_TYPE_RARP => s.push_str("rarp,"),
            0x8847 => s.push_str("mpls,"),
            0x8848 => s.push_str("mplsm,"),
            _ => skip_type = false,
        }
    }
    for i in 0..16 {
        let off = offset::REGS + 4 * i;
        uint32_masked(&mut s, &format!("reg{i}"), f.u32_at(off), w.u32_at(off));
    }
    // Tunnel (OVS's format_flow_tunnel, the common members).
    be64_masked(
        &mut s,
        "tun_id",
        f.get_be(offset::TUN_ID, 8),
        w.get_be(offset::TUN_ID, 8),
    );
    ip_netmask(
        &mut s,
        "tun_src",
        f.u32_at(offset::TUN_IP_SRC),
        w.u32_at(offset::TUN_IP_SRC),
    );
    ip_netmask(
        &mut s,
        "tun_dst",
        f.u32_at(offset::TUN_IP_DST),
        w.u32_at(offset::TUN_IP_DST),
    );
    ipv6_netmask(
        &mut s,
        "tun_ipv6_src",
        member128(f, offset::TUN_IPV6_SRC, 16),
        member128(w, offset::TUN_IPV6_SRC, 16),
    );
    ipv6_netmask(
        &mut s,
        "tun_ipv6_dst",
        member128(f, offset::TUN_IPV6_DST, 16),
        member128(w, offset::TUN_IPV6_DST, 16),
    );
    be16_masked(
        &mut s,
        "tun_tp_src",
        f.u16_at(offset::TUN_TP_SRC),
        w.u16_at(offset::TUN_TP_SRC),
    );
    be16_masked(
        &mut s,
        "tun_tp_dst",
        f.u16_at(offset::TUN_TP_DST),
        w.u16_at(offset::TUN_TP_DST),
    );
    if w.u8_at(offset::TUN_TOS) != 0 {
        let _ = write!(s, "tun_tos={},", f.u8_at(offset::TUN_TOS));
    }
    if w.u8_at(offset::TUN_TTL) != 0 {
        let _ = write!(s, "tun_ttl={},", f.u8_at(offset::TUN_TTL));
    }
    be64_masked(
        &mut s,
        "metadata",
        f.get_be(offset::METADATA, 8),
        w.get_be(offset::METADATA, 8),
    );
    if w.u16_at(offset::IN_PORT) != 0 {
        let _ = write!(s, "in_port={},", port_name(OfpPort(f.in_port())));
    }
    for (i, off) in [offset::VLAN0_TCI, offset::VLAN1_TCI]
        .into_iter()
        .enumerate()
    {
        let mask = w.u16_at(off);
        if mask == 0 {
            break;
        }
        let sfx = if i == 0 { String::new() } else { i.to_string() };
        let tci = f.u16_at(off);
        let vid_mask = mask & 0x0fff;
        let pcp_mask = mask & 0xe000;
        let cfi = mask & 0x1000;
        if cfi != 0
            && tci & 0x1000 != 0
            && (vid_mask == 0 || vid_mask == 0x0fff)
            && (pcp_mask == 0 || pcp_mask == 0xe000)
            && (vid_mask != 0 || pcp_mask != 0)
        {
            if vid_mask != 0 {
                let _ = write!(s, "dl_vlan{sfx}={},", tci & 0x0fff);
            }
            if pcp_mask != 0 {
                let _ = write!(s, "dl_vlan_pcp{sfx}={},", tci >> 13);
            }
        } else if mask == 0xffff {
            let _ = write!(s, "vlan_tci{sfx}=0x{tci:04x},");
        } else {
            let _ = write!(s, "vlan_tci{sfx}=0x{tci:04x}/0x{mask:04x},");
        }
    }
    eth_masked(
        &mut s,
        "dl_src",
        f.mac(offset::DL_SRC),
        w.mac(offset::DL_SRC),
    );
    eth_masked(
        &mut s,
        "dl_dst",
        f.mac(offset::DL_DST),
        w.mac(offset::DL_DST),
    );
    if !skip_type && w.u16_at(offset::DL_TYPE) != 0 {
        let _ = write!(s, "dl_type=0x{dl_type:04x},");
    }
    let arp = dl_type == field::ETH_TYPE_ARP || dl_type == field::ETH_TYPE_RARP;
    if dl_type == field::ETH_TYPE_IPV6 {
        ipv6_netmask(
            &mut s,
            "ipv6_src",
            member128(f, offset::IPV6_SRC, 16),
            member128(w, offset::IPV6_SRC, 16),
        );
        ipv6_netmask(
            &mut s,
            "ipv6_dst",
            member128(f, offset::IPV6_DST, 16),
            member128(w, offset::IPV6_DST, 16),
        );
        let lm = w.u32_at(offset::IPV6_LABEL);
        if lm != 0 {
            let lv = f.u32_at(offset::IPV6_LABEL);
            if lm == u32::MAX {
                let _ = write!(s, "ipv6_label=0x{lv:05x},");
            } else {
                let _ = write!(s, "ipv6_label=0x{lv:05x}/0x{lm:05x},");
            }
        }
    } else if arp {
        ip_netmask(
            &mut s,
            "arp_spa",
            f.u32_at(offset::NW_SRC),
            w.u32_at(offset::NW_SRC),
        );
        ip_netmask(
            &mut s,
            "arp_tpa",
            f.u32_at(offset::NW_DST),
            w.u32_at(offset::NW_DST),
        );
    } else if dl_type == field::ETH_TYPE_NSH {
        // NSH fields are not printed.
    } else {
        ip_netmask(
            &mut s,
            "nw_src",
            f.u32_at(offset::NW_SRC),
            w.u32_at(offset::NW_SRC),
        );
        ip_netmask(
            &mut s,
            "nw_dst",
            f.u32_at(offset::NW_DST),
            w.u32_at(offset::NW_DST),
        );
    }
    if !skip_proto && proto_masked {
        if arp {
            let _ = write!(s, "arp_op={proto},");
        } else {
            let _ = write!(s, "nw_proto={proto},");
        }
    }
    if arp {
        eth_masked(
            &mut s,
            "arp_sha",
            f.mac(offset::ARP_SHA),
            w.mac(offset::ARP_SHA),
        );
        eth_masked(
            &mut s,
            "arp_tha",
            f.mac(offset::ARP_THA),
            w.mac(offset::ARP_THA),
        );
    }
    let tos = f.u8_at(offset::NW_TOS);
    let tos_mask = w.u8_at(offset::NW_TOS);
    if tos_mask & 0xfc != 0 {
        let _ = write!(s, "nw_tos={},", tos & 0xfc);
    }
    if tos_mask & 0x03 != 0 {
        let _ = write!(s, "nw_ecn={},", tos & 0x03);
    }
    if w.u8_at(offset::NW_TTL) != 0 {
        let _ = write!(s, "nw_ttl={},", f.u8_at(offset::NW_TTL));
    }
    let lse = f.u32_at(offset::MPLS_LSE0);
    let lse_m = w.u32_at(offset::MPLS_LSE0);
    if lse_m & 0xffff_f000 != 0 {
        let _ = write!(s, "mpls_label={},", lse >> 12);
    }
    if lse_m & 0x0e00 != 0 {
        let _ = write!(s, "mpls_tc={},", (lse >> 9) & 7);
    }
    if lse_m & 0xff != 0 {
        let _ = write!(s, "mpls_ttl={},", lse & 0xff);
    }
    if lse_m & 0x100 != 0 {
        let _ = write!(s, "mpls_bos={},", (lse >> 8) & 1);
    }
    be32_masked(
        &mut s,
        "mpls_lse1",
        f.u32_at(offset::MPLS_LSE1),
        w.u32_at(offset::MPLS_LSE1),
    );
    be32_masked(
        &mut s,
        "mpls_lse2",
        f.u32_at(offset::MPLS_LSE2),
        w.u32_at(offset::MPLS_LSE2),
    );
    let frag = f.nw_frag();
    match w.nw_frag() & 3 {
        3 => {
            let v = match (frag & 1 != 0, frag & 2 != 0) {
                (true, true) => "later",
                (true, false) => "first",
                (false, true) => "<error>",
                (false, false) => "no",
            };
            let _ = write!(s, "nw_frag={v},");
        }
        1 => {
            let _ = write!(s, "nw_frag={},", if frag & 1 != 0 { "yes" } else { "no" });
        }
        2 => {
            let _ = write!(
                s,
                "nw_frag={},",
                if frag & 2 != 0 { "later" } else { "not_later" }
            );
        }
        _ => {}
    }
    let tp_src = f.u16_at(offset::TP_SRC);
    let tp_dst = f.u16_at(offset::TP_DST);
    let tp_src_m = w.u16_at(offset::TP_SRC);
    let tp_dst_m = w.u16_at(offset::TP_DST);
    if dl_type == field::ETH_TYPE_IP && proto == 1 {
        be16_masked(&mut s, "icmp_type", tp_src, tp_src_m);
        be16_masked(&mut s, "icmp_code", tp_dst, tp_dst_m);
    } else if dl_type == field::ETH_TYPE_IPV6 && proto == 58 {
        be16_masked(&mut s, "icmp_type", tp_src, tp_src_m);
        be16_masked(&mut s, "icmp_code", tp_dst, tp_dst_m);
        ipv6_netmask(
            &mut s,
            "nd_target",
            member128(f, offset::ND_TARGET, 16),
            member128(w, offset::ND_TARGET, 16),
        );
        eth_masked(
            &mut s,
            "nd_sll",
            f.mac(offset::ARP_SHA),
            w.mac(offset::ARP_SHA),
        );
        eth_masked(
            &mut s,
            "nd_tll",
            f.mac(offset::ARP_THA),
            w.mac(offset::ARP_THA),
        );
    } else {
        be16_masked(&mut s, "tp_src", tp_src, tp_src_m);
        be16_masked(&mut s, "tp_dst", tp_dst, tp_dst_m);
    }
    let tf_m = w.u16_at(offset::TCP_FLAGS) & 0x0fff;
    if f.is_ip_any() && proto == 6 && tf_m != 0 {
        let tf = f.u16_at(offset::TCP_FLAGS);
        const NAMES: [&str; 12] = [
            "fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns", "[200]", "[400]", "[800]",
        ];
        s.push_str("tcp_flags=");
        if tf_m == 0x0fff {
            let names: Vec<&str> = (0..12)
                .filter(|i| tf & (1 << i) != 0)
                .map(|i| NAMES[i])
                .collect();
            if names.is_empty() {
                s.push('0');
            } else {
                s.push_str(&names.join("|"));
            }
        } else {
            for (i, n) in NAMES.iter().enumerate() {
                if tf_m & (1 << i) != 0 {
                    s.push(if tf & (1 << i) != 0 { '+' } else { '-' });
                    s.push_str(n);
                }
            }
        }
        s.push(',');
    }
    if s.ends_with(',') {
        s.pop();
    }
    s
}

/// OVS's `flow_format`: the packet's fields, leaving out zero metadata.
pub fn flow(f: &Flow) -> String {
    let mut w = Flow::ZERO;
    let ones = |w: &mut Flow, off: usize, len: usize| w.or_bytes(off, len);
    let tnl_dst = f.u32_at(offset::TUN_IP_DST) != 0 || member128(f, offset::TUN_IPV6_DST, 16) != 0;
    if tnl_dst {
        for (off, len) in [
            (offset::TUN_IP_SRC, 4),
            (offset::TUN_IP_DST, 4),
            (offset::TUN_IPV6_SRC, 16),
            (offset::TUN_IPV6_DST, 16),
            (offset::TUN_FLAGS, 2),
            (offset::TUN_TOS, 1),
            (offset::TUN_TTL, 1),
            (offset::TUN_TP_SRC, 2),
            (offset::TUN_TP_DST, 2),
        ] {
            ones(&mut w, off, len);
        }
        if f.u16_at(offset::TUN_FLAGS) & 0x8 != 0 {
            ones(&mut w, offset::TUN_ID, 8);
        }
    } else if f.get_be(offset::TUN_ID, 8) != 0 {
        ones(&mut w, offset::TUN_ID, 8);
    }
    // OVS keeps ct_state in 8 bits.
    if f.u32_at(offset::CT_STATE) != 0 {
        w.set_u32(offset::CT_STATE, 0xff);
    }
    for (off, len) in [
        (offset::SKB_PRIORITY, 4),
        (offset::PKT_MARK, 4),
        (offset::CT_ZONE, 2),
        (offset::CT_MARK, 4),
        (offset::CT_LABEL, 16),
        (offset::RECIRC_ID, 4),
        (offset::DP_HASH, 4),
        (offset::IN_PORT, 2),
        (offset::PACKET_TYPE, 4),
    ] {
        if member128(f, off, len) != 0 {
            ones(&mut w, off, len);
        }
    }
    // The packet type is always part of a packet's wildcards; zero
    // context fields are left out.
    ones(&mut w, offset::PACKET_TYPE, 4);
    let mut dl_type = f.dl_type();
    if f.packet_type() == 0 {
        ones(&mut w, offset::DL_DST, 6);
        ones(&mut w, offset::DL_SRC, 6);
        ones(&mut w, offset::DL_TYPE, 2);
        ones(&mut w, offset::VLAN0_TPID, 4);
        if f.u16_at(offset::VLAN0_TCI) != 0 {
            ones(&mut w, offset::VLAN1_TPID, 4);
        }
    } else {
        dl_type = f.packet_type() as u16;
    }
    // The original-direction tuple shows for a valid tracked connection.
    let ct = f.u32_at(offset::CT_STATE);
    let ct_valid = ct & 0xcf != 0 || (ct & 0x20 != 0 && ct & 0x10 == 0);
    let ct_tuple = ct_valid && f.u8_at(offset::CT_NW_PROTO) != 0;
    let mut ip = false;
    match dl_type {
        field::ETH_TYPE_IP => {
            ones(&mut w, offset::NW_SRC, 4);
            ones(&mut w, offset::NW_DST, 4);
            if ct_tuple {
                ones(&mut w, offset::CT_NW_SRC, 4);
                ones(&mut w, offset::CT_NW_DST, 4);
            }
            ip = true;
        }
        field::ETH_TYPE_IPV6 => {
            ones(&mut w, offset::IPV6_SRC, 16);
            ones(&mut w, offset::IPV6_DST, 16);
            ones(&mut w, offset::IPV6_LABEL, 4);
            let nd = f.nw_proto() == 58
                && f.u16_at(offset::TP_DST) == 0
                && matches!(f.u16_at(offset::TP_SRC), 135 | 136);
            if nd {
                ones(&mut w, offset::ARP_SHA, 6);
                ones(&mut w, offset::ARP_THA, 6);
                ones(&mut w, offset::ND_TARGET, 16);
            } else if ct_tuple {
                ones(&mut w, offset::CT_IPV6_SRC, 16);
                ones(&mut w, offset::CT_IPV6_DST, 16);
            }
            ip = true;
        }
        field::ETH_TYPE_ARP | field::ETH_TYPE_RARP => {
            ones(&mut w, offset::NW_SRC, 4);
            ones(&mut w, offset::NW_DST, 4);
            ones(&mut w, offset::NW_PROTO, 1);
            ones(&mut w, offset::ARP_SHA, 6);
            ones(&mut w, offset::ARP_THA, 6);
        }
        0x8847 | 0x8848 => {
            for i in 0..3 {
                ones(&mut w, offset::MPLS_LSE0 + 4 * i, 4);
                if f.u32_at(offset::MPLS_LSE0 + 4 * i) & 0x100 != 0 {
                    break;
                }
            }
        }
        _ => {}
    }
    if ip {
        let m = w.nw_frag() | 3;
        w.set_u8(offset::NW_FRAG, m);
        ones(&mut w, offset::NW_TOS, 1);
        ones(&mut w, offset::NW_TTL, 1);
        ones(&mut w, offset::NW_PROTO, 1);
        if ct_tuple {
            ones(&mut w, offset::CT_NW_PROTO, 1);
            ones(&mut w, offset::CT_TP_SRC, 2);
            ones(&mut w, offset::CT_TP_DST, 2);
        }
        let p = f.nw_proto();
        if f.nw_frag() & 2 == 0 && matches!(p, 1 | 58 | 6 | 17 | 132 | 2) {
            ones(&mut w, offset::TP_SRC, 2);
            ones(&mut w, offset::TP_DST, 2);
            if p == 6 {
                ones(&mut w, offset::TCP_FLAGS, 2);
            }
        }
    }
    for i in 0..16 {
        let off = offset::REGS + 4 * i;
        if f.u32_at(off) != 0 {
            ones(&mut w, off, 4);
        }
    }
    if f.get_be(offset::METADATA, 8) != 0 {
        ones(&mut w, offset::METADATA, 8);
    }
    // Zero context fields are left out; these are always written above
    // only when nonzero.
    let m = Match {
        flow: f.clone(),
        wc: w,
    };
    match_to_string(&m, 32768)
}

/// The NXM (or else OXM, or else meta-flow) name of a field, as
/// `mf_format_subfield` prints it.
pub fn field_nxm_name(field: FieldId) -> &'static str {
    let info = field.info();
    if let Some(n) = info.nxm {
        n.name
    } else if let Some(o) = info.oxm.first() {
        o.name
    } else {
        info.name
    }
}

/// OVS's `mf_format_subfield`: `NXM_NX_REG0[]`, `[3]`, `[0..15]`.
pub fn subfield(sf: &Subfield) -> String {
    let mut s = String::from(field_nxm_name(sf.field));
    if sf.ofs == 0 && sf.n_bits == sf.field.info().n_bits {
        s.push_str("[]");
    } else if sf.n_bits == 1 {
        let _ = write!(s, "[{}]", sf.ofs);
    } else {
        let _ = write!(
            s,
            "[{}..{}]",
            sf.ofs,
            u32::from(sf.ofs) + u32::from(sf.n_bits) - 1
        );
    }
    s
}

/// OVS's `mf_format` for a whole value without a mask.
pub fn field_value(field: FieldId, value: u128) -> String {
    field_value_masked(field, value, None)
}

fn field_value_masked(field: FieldId, value: u128, mask: Option<u128>) -> String {
    let info = field.info();
    let n = usize::from(info.n_bytes).min(16);
    let mask = match mask {
        Some(m) if m & field::width_mask(field) == 0 => return "ANY".into(),
        Some(m) if m & field::width_mask(field) == field::width_mask(field) => None,
        m => m,
    };
    let bytes = |v: u128| field::to_bytes(field, v);
    let mut s = String::new();
    match info.format {
        FieldFormat::OfpPortOxm if mask.is_none() => {
            let p = ovs_flow::port_from_of11(value as u32).unwrap_or(0);
            return port_name(OfpPort(p));
        }
        FieldFormat::OfpPort if mask.is_none() => return port_name(OfpPort(value as u16)),
        FieldFormat::Ethernet => {
            let mut m6 = [0u8; 6];
            m6.copy_from_slice(&bytes(value)[..6.min(n)]);
            s.push_str(&mac(&m6));
            if let Some(mk) = mask {
                let mut k6 = [0u8; 6];
                k6.copy_from_slice(&bytes(mk)[..6.min(n)]);
                let _ = write!(s, "/{}", mac(&k6));
            }
            return s;
        }
        FieldFormat::Ipv4 => {
            ip_masked(
                &mut s,
                value as u32,
                mask.map(|m| m as u32).unwrap_or(u32::MAX),
            );
            return s;
        }
        FieldFormat::Ipv6 => {
            ipv6_masked(&mut s, value, mask.unwrap_or(u128::MAX));
            return s;
        }
        FieldFormat::Hexadecimal => s.push_str(&hex(&bytes(value))),
        _ => {
            let _ = write!(s, "{value}");
        }
    }
    if let Some(m) = mask {
        s.push('/');
        s.push_str(&hex(&bytes(m)));
    }
    s
}

fn packet_in_reason(r: u8) -> String {
    match r {
        0 => "no_match".into(),
        1 => "action".into(),
        2 => "invalid_ttl".into(),
        3 => "action_set".into(),
        4 => "group".into(),
        5 => "packet_out".into(),
        6 | 7 => String::new(),
        r => r.to_string(),
    }
}

/// Contiguous runs of set bits of `mask`, low to high: `(ofs, n_bits)`.
fn mask_segments(mask: u128) -> Vec<(u16, u16)> {
    let mut out = Vec::new();
    let mut ofs = 0u32;
    while ofs < 128 {
        if mask >> ofs & 1 == 1 {
            let start = ofs;
            while ofs < 128 && mask >> ofs & 1 == 1 {
                ofs += 1;
            }
            out.push((start as u16, (ofs - start) as u16));
        } else {
            ofs += 1;
        }
    }
    out
}

fn learn(l: &Learn, s: &mut String) {
    let _ = write!(s, "learn(table={}", l.table_id);
    if l.idle_timeout != 0 {
        let _ = write!(s, ",idle_timeout={}", l.idle_timeout);
    }
    if l.hard_timeout != 0 {
        let _ = write!(s, ",hard_timeout={}", l.hard_timeout);
    }
    if l.fin_idle_timeout != 0 {
        let _ = write!(s, ",fin_idle_timeout={}", l.fin_idle_timeout);
    }
    if l.fin_hard_timeout != 0 {
        let _ = write!(s, ",fin_hard_timeout={}", l.fin_hard_timeout);
    }
    if l.priority != 32768 {
        let _ = write!(s, ",priority={}", l.priority);
    }
    if l.flags & ovs_ofp_actions::LEARN_F_SEND_FLOW_REM != 0 {
        s.push_str(",send_flow_rem");
    }
    if l.flags & ovs_ofp_actions::LEARN_F_DELETE_LEARNED != 0 {
        s.push_str(",delete_learned");
    }
    if l.cookie != 0 {
        let _ = write!(s, ",cookie={}", c_hex(l.cookie));
    }
    if l.limit != 0 {
        let _ = write!(s, ",limit={}", l.limit);
    }
    if let Some(r) = &l.result_dst {
        let _ = write!(s, ",result_dst={}", subfield(r));
    }
    for spec in &l.specs {
        s.push(',');
        match (&spec.src, &spec.dst) {
            (LearnSrc::Immediate(imm), LearnDst::Match(dst)) => {
                if dst.ofs == 0 && dst.n_bits == dst.field.info().n_bits {
                    let _ = write!(
                        s,
                        "{}={}",
                        dst.field.info().name,
                        field_value(dst.field, field::from_bytes(imm))
                    );
                } else {
                    let _ = write!(s, "{}={}", subfield(dst), hex(imm));
                }
            }
            (LearnSrc::Field(src), LearnDst::Match(dst)) => {
                s.push_str(&subfield(dst));
                if src.field != dst.field || src.ofs != dst.ofs {
                    let _ = write!(s, "={}", subfield(src));
                }
            }
            (LearnSrc::Immediate(imm), LearnDst::Load(dst)) => {
                let _ = write!(s, "load:{}->{}", hex(imm), subfield(dst));
            }
            (LearnSrc::Field(src), LearnDst::Load(dst)) => {
                let _ = write!(s, "load:{}->{}", subfield(src), subfield(dst));
            }
            (LearnSrc::Field(src), LearnDst::Output) => {
                let _ = write!(s, "output:{}", subfield(src));
            }
            (LearnSrc::Immediate(_), LearnDst::Output) => s.push_str("output:?"),
        }
    }
    s.push(')');
}

fn conntrack(ct: &ovs_ofp_actions::Ct, s: &mut String) {
    use ovs_ofp_actions::{CT_F_COMMIT, CT_F_FORCE, CT_RECIRC_NONE, CtZone};
    s.push_str("ct(");
    if ct.flags & CT_F_COMMIT != 0 {
        s.push_str("commit,");
    }
    if ct.flags & CT_F_FORCE != 0 {
        s.push_str("force,");
    }
    if ct.recirc_table != CT_RECIRC_NONE {
        let _ = write!(s, "table={},", ct.recirc_table);
    }
    match &ct.zone {
        CtZone::Field(sf) => {
            let _ = write!(s, "zone={},", subfield(sf));
        }
        CtZone::Imm(0) => {}
        CtZone::Imm(z) => {
            let _ = write!(s, "zone={z},");
        }
    }
    let mut rest: &[Action] = &ct.actions;
    if let Some((Action::Nat(n), tail)) = rest.split_first() {
        nat(n, s);
        s.push(',');
        rest = tail;
    }
    if !rest.is_empty() {
        let _ = write!(s, "exec({}),", actions(rest));
    }
    match ct.alg {
        0 => {}
        21 => s.push_str("alg=ftp,"),
        69 => s.push_str("alg=tftp,"),
        a => {
            let _ = write!(s, "alg={a},");
        }
    }
    if s.ends_with(',') {
        s.pop();
    }
    s.push(')');
}

fn nat(n: &ovs_ofp_actions::Nat, s: &mut String) {
    use ovs_ofp_actions::{
        NAT_F_DST, NAT_F_PERSISTENT, NAT_F_PROTO_HASH, NAT_F_PROTO_RANDOM, NAT_F_SRC, NatRange,
    };
    s.push_str("nat");
    if n.flags & (NAT_F_SRC | NAT_F_DST) == 0 {
        return;
    }
    s.push('(');
    s.push_str(if n.flags & NAT_F_SRC != 0 {
        "src"
    } else {
        "dst"
    });
    let bracket = |a: &Ipv6Addr| {
        if n.proto_min != 0 {
            format!("[{a}]")
        } else {
            a.to_string()
        }
    };
    let has_range = match n.range {
        NatRange::None => false,
        NatRange::Ipv4 { min, max } => {
            let _ = write!(s, "={min}");
            if !max.is_unspecified() && max != min {
                let _ = write!(s, "-{max}");
            }
            true
        }
        NatRange::Ipv6 { min, max } => {
            let _ = write!(s, "={}", bracket(&min));
            if !max.is_unspecified() && max != min {
                let _ = write!(s, "-{}", bracket(&max));
            }
            true
        }
    };
    if has_range {
        if n.proto_min != 0 {
            let _ = write!(s, ":{}", n.proto_min);
            if n.proto_max != 0 && n.proto_max != n.proto_min {
                let _ = write!(s, "-{}", n.proto_max);
            }
        }
        s.push(',');
        if n.flags & NAT_F_PERSISTENT != 0 {
            s.push_str("persistent,");
        }
        if n.flags & NAT_F_PROTO_HASH != 0 {
            s.push_str("hash,");
        }
        if n.flags & NAT_F_PROTO_RANDOM != 0 {
            s.push_str("random,");
        }
    }
    if s.ends_with(',') {
        s.pop();
    }
    s.push(')');
}

/// OVS's format of one action (`ofpacts_format` of a single action).
/// OVS's `flow_hash_fields_to_str`.
fn hash_fields_name(fields: u16) -> &'static str {
    match fields {
        0 => "eth_src",
        1 => "symmetric_l4",
        2 => "symmetric_l3l4",
        3 => "symmetric_l3l4+udp",
        4 => "nw_src",
        5 => "nw_dst",
        6 => "symmetric_l3",
        _ => "<unknown>",
    }
}

pub fn action(a: &Action) -> String {
    let mut s = String::new();
    write_action(a, &mut s);
    s
}

fn write_action(a: &Action, s: &mut String) {
    match a {
        Action::Output { port, max_len } => {
            if port.0 < OfpPort::MAX.0 {
                s.push_str("output:");
            }
            s.push_str(&port_name(*port));
            if *port == OfpPort::CONTROLLER {
                let _ = write!(s, ":{max_len}");
            }
        }
        Action::Group { group_id } => {
            let _ = write!(s, "group:{group_id}");
        }
        Action::Controller(c) => {
            if c.reason == 1
                && c.controller_id == 0
                && c.userdata.is_empty()
                && !c.pause
                && c.meter_id == 0
            {
                let _ = write!(s, "CONTROLLER:{}", c.max_len);
            } else {
                s.push_str("controller(");
                if c.reason != 1 {
                    let _ = write!(s, "reason={},", packet_in_reason(c.reason));
                }
                if c.max_len != u16::MAX {
                    let _ = write!(s, "max_len={},", c.max_len);
                }
                if c.controller_id != 0 {
                    let _ = write!(s, "id={},", c.controller_id);
                }
                if !c.userdata.is_empty() {
                    s.push_str("userdata=");
                    let hx: Vec<String> = c.userdata.iter().map(|b| format!("{b:02x}")).collect();
                    s.push_str(&hx.join("."));
                    s.push(',');
                }
                if c.pause {
                    s.push_str("pause,");
                }
                if c.meter_id != 0 {
                    let _ = write!(s, "meter_id={},", c.meter_id);
                }
                if s.ends_with(',') {
                    s.pop();
                }
                s.push(')');
            }
        }
        Action::Enqueue { port, queue } => {
            let _ = write!(s, "enqueue:{}:{queue}", port_name(*port));
        }
        Action::OutputReg { src, .. } => {
            let _ = write!(s, "output:{}", subfield(src));
        }
        Action::OutputTrunc { port, max_len } => {
            let _ = write!(s, "output(port={},max_len={max_len})", port_name(*port));
        }
        Action::Bundle(b) => {
            let fields = hash_fields_name(b.fields);
            let alg = match b.algorithm {
                0 => "active_backup",
                1 => "hrw",
                _ => "<unknown>",
            };
            let members: Vec<String> = b.members.iter().map(|p| port_name(*p)).collect();
            match &b.dst {
                Some(dst) => {
                    let _ = write!(
                        s,
                        "bundle_load({fields},{},{alg},ofport,{},members:{})",
                        b.basis,
                        subfield(dst),
                        members.join(",")
                    );
                }
                None => {
                    let _ = write!(
                        s,
                        "bundle({fields},{},{alg},ofport,members:{})",
                        b.basis,
                        members.join(",")
                    );
                }
            }
        }
        Action::SetVlanVid {
            vid,
            push_vlan_if_needed,
            ..
        } => {
            let name = if *push_vlan_if_needed {
                "mod_vlan_vid"
            } else {
                "set_vlan_vid"
            };
            let _ = write!(s, "{name}:{vid}");
        }
        Action::SetVlanPcp {
            pcp,
            push_vlan_if_needed,
            ..
        } => {
            let name = if *push_vlan_if_needed {
                "mod_vlan_pcp"
            } else {
                "set_vlan_pcp"
            };
            let _ = write!(s, "{name}:{pcp}");
        }
        Action::StripVlan { form } => s.push_str(match form {
            ovs_ofp_actions::StripVlanForm::PopVlan => "pop_vlan",
            ovs_ofp_actions::StripVlanForm::StripVlan => "strip_vlan",
        }),
        Action::PushVlan { ethertype } => {
            let _ = write!(s, "push_vlan:{}", c_hex(*ethertype));
        }
        Action::SetEthSrc { mac: m } => {
            let _ = write!(s, "mod_dl_src:{}", mac(m));
        }
        Action::SetEthDst { mac: m } => {
            let _ = write!(s, "mod_dl_dst:{}", mac(m));
        }
        Action::SetIpv4Src { addr } => {
            let _ = write!(s, "mod_nw_src:{addr}");
        }
        Action::SetIpv4Dst { addr } => {
            let _ = write!(s, "mod_nw_dst:{addr}");
        }
        Action::SetIpDscp { dscp } => {
            let _ = write!(s, "mod_nw_tos:{dscp}");
        }
        Action::SetIpEcn { ecn } => {
            let _ = write!(s, "mod_nw_ecn:{ecn}");
        }
        Action::SetIpTtl { ttl } => {
            let _ = write!(s, "mod_nw_ttl:{ttl}");
        }
        Action::SetL4SrcPort { port, .. } => {
            let _ = write!(s, "mod_tp_src:{port}");
        }
        Action::SetL4DstPort { port, .. } => {
            let _ = write!(s, "mod_tp_dst:{port}");
        }
        Action::RegMove { src, dst, .. } => {
            let _ = write!(s, "move:{}->{}", subfield(src), subfield(dst));
        }
        Action::SetField(sf) => {
            let v = field::from_bytes(&sf.value);
            let m = field::from_bytes(&sf.mask);
            if sf.form == SetFieldForm::RegLoad {
                let segs = mask_segments(m);
                let parts: Vec<String> = segs
                    .into_iter()
                    .map(|(ofs, n)| {
                        let dst = Subfield {
                            field: sf.field,
                            ofs,
                            n_bits: n,
                        };
                        let bits = field::subfield_bits(&dst);
                        let val = (v & bits) >> ofs;
                        format!("load:{}->{}", c_hex(val), subfield(&dst))
                    })
                    .collect();
                s.push_str(&parts.join(","));
            } else {
                let _ = write!(
                    s,
                    "set_field:{}->{}",
                    field_value_masked(sf.field, v, Some(m)),
                    sf.field.info().name
                );
            }
        }
        Action::StackPush(sf) => {
            let _ = write!(s, "push:{}", subfield(sf));
        }
        Action::StackPop(sf) => {
            let _ = write!(s, "pop:{}", subfield(sf));
        }
        Action::DecTtl { cnt_ids, form } => {
            s.push_str("dec_ttl");
            if *form == ovs_ofp_actions::DecTtlForm::CntIds {
                let ids: Vec<String> = cnt_ids.iter().map(|i| i.to_string()).collect();
                let _ = write!(s, "({})", ids.join(","));
            }
        }
        Action::SetMplsLabel { label } => {
            let _ = write!(s, "set_mpls_label({label})");
        }
        Action::SetMplsTc { tc } => {
            let _ = write!(s, "set_mpls_tc({tc})");
        }
        Action::SetMplsTtl { ttl } => {
            let _ = write!(s, "set_mpls_ttl({ttl})");
        }
        Action::DecMplsTtl => s.push_str("dec_mpls_ttl"),
        Action::PushMpls { ethertype } => {
            let _ = write!(s, "push_mpls:{}", c_hex(*ethertype));
        }
        Action::PopMpls { ethertype } => {
            let _ = write!(s, "pop_mpls:{ethertype:#06x}");
        }
        Action::SetTunnel { tun_id, form } => {
            let sfx = if *tun_id > u64::from(u32::MAX)
                || *form == ovs_ofp_actions::SetTunnelForm::SetTunnel64
            {
                "64"
            } else {
                ""
            };
            let _ = write!(s, "set_tunnel{sfx}:{}", c_hex(*tun_id));
        }
        Action::SetQueue { queue_id } => {
            let _ = write!(s, "set_queue:{queue_id}");
        }
        Action::PopQueue => s.push_str("pop_queue"),
        Action::FinTimeout {
            idle_timeout,
            hard_timeout,
        } => {
            s.push_str("fin_timeout(");
            if *idle_timeout != 0 {
                let _ = write!(s, "idle_timeout={idle_timeout},");
            }
            if *hard_timeout != 0 {
                let _ = write!(s, "hard_timeout={hard_timeout},");
            }
            if s.ends_with(',') {
                s.pop();
            }
            s.push(')');
        }
        Action::Resubmit(r) => {
            if r.in_port != OfpPort::IN_PORT && r.table_id == 255 {
                let _ = write!(s, "resubmit:{}", port_name(r.in_port));
            } else {
                s.push_str("resubmit(");
                if r.in_port != OfpPort::IN_PORT {
                    s.push_str(&port_name(r.in_port));
                }
                s.push(',');
                if r.table_id != 255 {
                    let _ = write!(s, "{}", r.table_id);
                }
                if r.with_ct_orig {
                    s.push_str(",ct");
                }
                s.push(')');
            }
        }
        Action::Learn(l) => learn(l, s),
        Action::Conjunction {
            id,
            clause,
            n_clauses,
        } => {
            let _ = write!(
                s,
                "conjunction({id},{}/{n_clauses})",
                u16::from(*clause) + 1
            );
        }
        Action::Multipath(mp) => {
            let alg = match mp.algorithm {
                0 => "modulo_n",
                1 => "hash_threshold",
                2 => "hrw",
                3 => "iter_hash",
                _ => "<unknown>",
            };
            let _ = write!(
                s,
                "multipath({},{},{alg},{},{},{})",
                hash_fields_name(mp.fields),
                mp.basis,
                u32::from(mp.max_link) + 1,
                mp.arg,
                subfield(&mp.dst)
            );
        }
        Action::Note(data) => {
            s.push_str("note:");
            let hx: Vec<String> = data.iter().map(|b| format!("{b:02x}")).collect();
            s.push_str(&hx.join("."));
        }
        Action::Exit => s.push_str("exit"),
        Action::Sample(_) => s.push_str("sample(...)"),
        Action::Clone(list) => {
            s.push_str("clone(");
            s.push_str(&actions(list));
            s.push(')');
        }
        Action::Ct(ct) => conntrack(ct, s),
        Action::CtClear => s.push_str("ct_clear"),
        Action::Nat(n) => nat(n, s),
        Action::Encap(_) => s.push_str("encap(...)"),
        Action::Decap { .. } => s.push_str("decap()"),
        Action::DecNshTtl => s.push_str("dec_nsh_ttl"),
        Action::CheckPktLarger { pkt_len, dst } => {
            let _ = write!(s, "check_pkt_larger({pkt_len})->{}", subfield(dst));
        }
        Action::DeleteField { field } => {
            let _ = write!(s, "delete_field:{}", field.info().name);
        }
        Action::DebugRecirc => s.push_str("debug_recirc"),
        Action::DebugSlow => s.push_str("debug_slow"),
        Action::Meter { meter_id } => {
            let _ = write!(s, "meter:{meter_id}");
        }
        Action::ClearActions => s.push_str("clear_actions"),
        Action::WriteActions(list) => {
            s.push_str("write_actions(");
            s.push_str(&actions(list));
            s.push(')');
        }
        Action::WriteMetadata { metadata, mask } => {
            let _ = write!(s, "write_metadata:{}", c_hex(*metadata));
            if *mask != u64::MAX {
                let _ = write!(s, "/{}", c_hex(*mask));
            }
        }
        Action::GotoTable { table_id } => {
            let _ = write!(s, "goto_table:{table_id}");
        }
    }
}

/// OVS's `ofpacts_format`: comma separated, `drop` when empty.
pub fn actions(list: &[Action]) -> String {
    if list.is_empty() {
        return "drop".into();
    }
    let parts: Vec<String> = list.iter().map(action).collect();
    parts.join(",")
}

pub(crate) fn frozen_actions(list: &[FrozenAction]) -> String {
    if list.is_empty() {
        return "drop".into();
    }
    let parts: Vec<String> = list
        .iter()
        .map(|f| match f {
            FrozenAction::Action(a) => action(a),
            FrozenAction::Unroll { table_id, cookie } => {
                format!("unroll_xlate(table={table_id}, cookie={cookie})")
            }
        })
        .collect();
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_like_ovs() {
        assert_eq!(hex(&[0, 0, 0, 5]), "0x5");
        assert_eq!(hex(&[0, 1, 0, 5]), "0x10005");
        assert_eq!(hex(&[0, 0]), "0");
    }

    #[test]
    fn subfields() {
        let sf = Subfield {
            field: FieldId::Reg0,
            ofs: 0,
            n_bits: 32,
        };
        assert_eq!(subfield(&sf), "NXM_NX_REG0[]");
        let sf = Subfield {
            field: FieldId::Reg1,
            ofs: 4,
            n_bits: 8,
        };
        assert_eq!(subfield(&sf), "NXM_NX_REG1[4..11]");
    }
}
