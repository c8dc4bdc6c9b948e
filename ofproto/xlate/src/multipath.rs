//! The flow hashes behind `multipath`, `bundle` and `bundle_load` (OVS's
//! `flow_hash_fields` and `flow_mask_hash_fields`), the multipath link
//! algorithms, and the bundle member choice.
//!
//! The values must equal OVS's bit for bit: a controller that spreads
//! traffic with `multipath` expects the same link for the same packet from
//! either switch, and the golden traces compare them. The masks are OVS's
//! too, including where OVS under-masks (see [`flow_mask_hash_fields`]).

use ovs_flow::{Flow, offset};
use ovs_ofp_actions::{Bundle, Multipath};
use ovs_ofp_core::OfpPort;
use ovs_shash::{hash_2words, hash_add, hash_add64, hash_finish};

use crate::field::{
    ETH_TYPE_IP, ETH_TYPE_IPV6, FlowExt, IPPROTO_ICMP, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP,
};
use crate::hash::{flow_hash_symmetric_l4, jhash_bytes};

/// `NX_HASH_FIELDS_ETH_SRC`.
pub const HASH_FIELDS_ETH_SRC: u16 = 0;
/// `NX_HASH_FIELDS_SYMMETRIC_L4`.
pub const HASH_FIELDS_SYMMETRIC_L4: u16 = 1;
/// `NX_HASH_FIELDS_SYMMETRIC_L3L4`.
pub const HASH_FIELDS_SYMMETRIC_L3L4: u16 = 2;
/// `NX_HASH_FIELDS_SYMMETRIC_L3L4_UDP`.
pub const HASH_FIELDS_SYMMETRIC_L3L4_UDP: u16 = 3;
/// `NX_HASH_FIELDS_NW_SRC`.
pub const HASH_FIELDS_NW_SRC: u16 = 4;
/// `NX_HASH_FIELDS_NW_DST`.
pub const HASH_FIELDS_NW_DST: u16 = 5;
/// `NX_HASH_FIELDS_SYMMETRIC_L3`.
pub const HASH_FIELDS_SYMMETRIC_L3: u16 = 6;

const MP_ALG_MODULO_N: u16 = 0;
const MP_ALG_HASH_THRESHOLD: u16 = 1;
const MP_ALG_HRW: u16 = 2;
const MP_ALG_ITER_HASH: u16 = 3;

const BD_ALG_HRW: u16 = 1;

/// Either fragment bit (`FLOW_NW_FRAG_MASK`).
const FRAG_MASK: u8 = 0x03;

/// A C `ovs_be32` (or `ovs_be16`) reinterpreted as a host integer on a
/// little-endian machine, as OVS does when it feeds raw header words to
/// `hash_add`.
fn host_u32(flow: &Flow, off: usize) -> u32 {
    let mut w = [0u8; 4];
    w.copy_from_slice(flow.bytes(off, 4));
    u32::from_le_bytes(w)
}

fn host_u64(flow: &Flow, off: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(flow.bytes(off, 8));
    u64::from_le_bytes(w)
}

fn host_u16(flow: &Flow, off: usize) -> u16 {
    u16::from_le_bytes([flow.u8_at(off), flow.u8_at(off + 1)])
}

/// OVS's `flow_hash_symmetric_l2`: the non-IP fallback of the L3/L4 hash.
fn hash_symmetric_l2(flow: &Flow, basis: u32) -> u32 {
    if flow.packet_type() != 0 {
        // Only Ethernet frames have the L2 header this hashes.
        return 0;
    }
    let mut vid = 0u16;
    for off in [offset::VLAN0_TCI, offset::VLAN1_TCI] {
        vid ^= flow.u16_at(off) & 0x0fff;
    }
    // The C union: eth_type and vlan_tci (network order), the XORed
    // addresses, two bytes of zero padding; hashed as three host words.
    let mut b = [0u8; 12];
    b[0..2].copy_from_slice(&flow.dl_type().to_be_bytes());
    b[2..4].copy_from_slice(&vid.to_be_bytes());
    for i in 0..6 {
        b[4 + i] = flow.u8_at(offset::DL_SRC + i) ^ flow.u8_at(offset::DL_DST + i);
    }
    let mut hash = basis;
    for w in b.chunks_exact(4) {
        hash = hash_add(hash, u32::from_le_bytes([w[0], w[1], w[2], w[3]]));
    }
    hash_finish(hash, basis)
}

/// OVS's `flow_hash_symmetric_l3l4`.
fn hash_symmetric_l3l4(flow: &Flow, basis: u32, udp_ports: bool) -> u32 {
    let mut hash = basis;
    match flow.dl_type() {
        ETH_TYPE_IP => {
            hash = hash_add(
                hash,
                host_u32(flow, offset::NW_SRC) ^ host_u32(flow, offset::NW_DST),
            );
        }
        ETH_TYPE_IPV6 => {
            for i in 0..2 {
                let a = host_u64(flow, offset::IPV6_SRC + 8 * i);
                let b = host_u64(flow, offset::IPV6_DST + 8 * i);
                hash = hash_add64(hash, a ^ b);
            }
        }
        _ => return hash_symmetric_l2(flow, basis),
    }
    let proto = flow.nw_proto();
    hash = hash_add(hash, u32::from(proto));
    if flow.nw_frag() & FRAG_MASK == 0
        && (proto == IPPROTO_TCP || proto == IPPROTO_SCTP || (udp_ports && proto == IPPROTO_UDP))
    {
        let ports = host_u16(flow, offset::TP_SRC) ^ host_u16(flow, offset::TP_DST);
        hash = hash_add(hash, u32::from(ports));
    }
    hash_finish(hash, basis)
}

/// OVS's `flow_hash_symmetric_l3`.
fn hash_symmetric_l3(flow: &Flow, basis: u32) -> u32 {
    // The C struct: a 16-byte address union and eth_type, padded to 20.
    let mut b = [0u8; 20];
    let dl_type = flow.dl_type();
    b[16..18].copy_from_slice(&dl_type.to_be_bytes());
    let addrs = match dl_type {
        ETH_TYPE_IP => Some((offset::NW_SRC, offset::NW_DST, 4)),
        ETH_TYPE_IPV6 => Some((offset::IPV6_SRC, offset::IPV6_DST, 16)),
        _ => None,
    };
    if let Some((src, dst, len)) = addrs {
        for (i, x) in b.iter_mut().take(len).enumerate() {
            *x = flow.u8_at(src + i) ^ flow.u8_at(dst + i);
        }
    }
    jhash_bytes(&b, basis)
}

/// OVS's `flow_hash_fields`: the hash of the parts of `flow` that
/// `fields` (an `NX_HASH_FIELDS_*` value) names. An unknown value (which
/// the action decoder rejects) hashes nothing and gives `basis`.
pub fn flow_hash_fields(flow: &Flow, fields: u16, basis: u16) -> u32 {
    let basis = u32::from(basis);
    let dl_type = flow.dl_type();
    match fields {
        HASH_FIELDS_ETH_SRC => jhash_bytes(flow.bytes(offset::DL_SRC, 6), basis),
        HASH_FIELDS_SYMMETRIC_L4 => flow_hash_symmetric_l4(flow, basis),
        HASH_FIELDS_SYMMETRIC_L3L4 => hash_symmetric_l3l4(flow, basis, false),
        HASH_FIELDS_SYMMETRIC_L3L4_UDP => hash_symmetric_l3l4(flow, basis, true),
        HASH_FIELDS_NW_SRC | HASH_FIELDS_NW_DST => {
            let src = fields == HASH_FIELDS_NW_SRC;
            match dl_type {
                ETH_TYPE_IP => {
                    let off = if src { offset::NW_SRC } else { offset::NW_DST };
                    jhash_bytes(flow.bytes(off, 4), basis)
                }
                ETH_TYPE_IPV6 => {
                    let off = if src {
                        offset::IPV6_SRC
                    } else {
                        offset::IPV6_DST
                    };
                    jhash_bytes(flow.bytes(off, 16), basis)
                }
                _ => basis,
            }
        }
        HASH_FIELDS_SYMMETRIC_L3 => hash_symmetric_l3(flow, basis),
        _ => basis,
    }
}

/// OVS's `flow_unwildcard_tp_ports`. ICMP keeps its type and code in the
/// low byte of the port fields, and OVS assigns (not ORs) that mask.
fn unwildcard_tp_ports(flow: &Flow, wc: &mut Flow) {
    if flow.nw_proto() == IPPROTO_ICMP {
        wc.set_u16(offset::TP_SRC, 0x00ff);
        wc.set_u16(offset::TP_DST, 0x00ff);
    } else {
        wc.or_bytes(offset::TP_SRC, 2);
        wc.or_bytes(offset::TP_DST, 2);
    }
}

fn mask_l3_addrs(flow: &Flow, wc: &mut Flow, src: bool, dst: bool) -> bool {
    match flow.dl_type() {
        ETH_TYPE_IP => {
            if src {
                wc.or_bytes(offset::NW_SRC, 4);
            }
            if dst {
                wc.or_bytes(offset::NW_DST, 4);
            }
            true
        }
        ETH_TYPE_IPV6 => {
            if src {
                wc.or_bytes(offset::IPV6_SRC, 16);
            }
            if dst {
                wc.or_bytes(offset::IPV6_DST, 16);
            }
            true
        }
        _ => false,
    }
}

/// OVS's `flow_mask_hash_fields`: unwildcards in `wc` what the hash of
/// `fields` reads from `flow`.
///
/// This is OVS's mask exactly, which is not quite what the hash reads:
/// the L3/L4 hashes of a non-IP packet fall back to its Ethernet addresses,
/// VLAN and type, but only the type (always matched) is unwildcarded; and
/// whether the packet is a fragment (which decides if the ports count) is
/// matched only because translation always matches it for IP.
pub fn flow_mask_hash_fields(flow: &Flow, wc: &mut Flow, fields: u16) {
    match fields {
        HASH_FIELDS_ETH_SRC => wc.or_bytes(offset::DL_SRC, 6),
        HASH_FIELDS_SYMMETRIC_L4 => {
            wc.or_bytes(offset::DL_SRC, 6);
            wc.or_bytes(offset::DL_DST, 6);
            mask_l3_addrs(flow, wc, true, true);
            if flow.is_ip_any() {
                wc.or_bytes(offset::NW_PROTO, 1);
                // The symmetric L4 hash leaves UDP ports out.
                if flow.nw_proto() != IPPROTO_UDP {
                    unwildcard_tp_ports(flow, wc);
                }
            }
            for off in [offset::VLAN0_TCI, offset::VLAN1_TCI] {
                let m = wc.u16_at(off) | 0x1fff;
                wc.set_u16(off, m);
            }
        }
        HASH_FIELDS_SYMMETRIC_L3L4 | HASH_FIELDS_SYMMETRIC_L3L4_UDP => {
            let unfragmented = flow.nw_frag() & FRAG_MASK == 0;
            if fields == HASH_FIELDS_SYMMETRIC_L3L4_UDP
                && flow.is_ip_any()
                && flow.nw_proto() == IPPROTO_UDP
                && unfragmented
            {
                wc.or_bytes(offset::TP_SRC, 2);
                wc.or_bytes(offset::TP_DST, 2);
            }
            if !mask_l3_addrs(flow, wc, true, true) {
                return;
            }
            wc.or_bytes(offset::NW_PROTO, 1);
            let proto = flow.nw_proto();
            if (proto == IPPROTO_TCP || proto == IPPROTO_SCTP) && unfragmented {
                wc.or_bytes(offset::TP_SRC, 2);
                wc.or_bytes(offset::TP_DST, 2);
            }
        }
        HASH_FIELDS_NW_SRC => {
            mask_l3_addrs(flow, wc, true, false);
        }
        HASH_FIELDS_NW_DST => {
            mask_l3_addrs(flow, wc, false, true);
        }
        HASH_FIELDS_SYMMETRIC_L3 => {
            mask_l3_addrs(flow, wc, true, true);
        }
        _ => {}
    }
}

/// OVS's `round_up_pow2` in `multipath.c`, which only folds 16 bits (link
/// counts never need more).
fn round_up_pow2(x: u32) -> u32 {
    let mut x = x.wrapping_sub(1);
    x |= x >> 1;
    x |= x >> 2;
    x |= x >> 4;
    x |= x >> 8;
    x.wrapping_add(1)
}

fn iter_hash(hash: u32, n_links: u32, modulo: u32) -> u16 {
    let modulo = if modulo < n_links || modulo / 2 > n_links {
        round_up_pow2(n_links)
    } else {
        modulo
    };
    let mut i = 0u32;
    loop {
        // OVS keeps the link in a 16-bit variable, truncating the
        // remainder when `modulo` exceeds 65536.
        let link = (hash_2words(hash, i) % modulo) as u16;
        i = i.wrapping_add(1);
        if u32::from(link) < n_links {
            return link;
        }
    }
}

fn hrw(hash: u32, n_links: u32) -> u16 {
    let mut best_link = 0u16;
    let mut best_weight = hash_2words(hash, 0);
    for link in 1..n_links {
        let weight = hash_2words(hash, link);
        if weight > best_weight {
            best_link = link as u16;
            best_weight = weight;
        }
    }
    best_link
}

/// OVS's `multipath_algorithm`: the link (`0..n_links`) for `hash`. An
/// unknown algorithm (rejected by the decoder) gives link 0.
pub fn multipath_link(hash: u32, algorithm: u16, n_links: u32, arg: u32) -> u16 {
    let n_links = n_links.max(1);
    match algorithm {
        MP_ALG_MODULO_N => (hash % n_links) as u16,
        MP_ALG_HASH_THRESHOLD => {
            if n_links == 1 {
                0
            } else {
                (hash / (u32::MAX / n_links + 1)) as u16
            }
        }
        MP_ALG_HRW => {
            if n_links <= 64 {
                hrw(hash, n_links)
            } else {
                iter_hash(hash, n_links, 0)
            }
        }
        MP_ALG_ITER_HASH => iter_hash(hash, n_links, arg),
        _ => 0,
    }
}

/// OVS's `multipath_execute` without the final register load: unwildcards
/// the hashed fields and returns the link to store in `mp.dst`.
pub(crate) fn multipath_execute(mp: &Multipath, flow: &Flow, wc: &mut Flow) -> u16 {
    let hash = flow_hash_fields(flow, mp.fields, mp.basis);
    let link = multipath_link(hash, mp.algorithm, u32::from(mp.max_link) + 1, mp.arg);
    flow_mask_hash_fields(flow, wc, mp.fields);
    link
}

/// OVS's `bundle_execute`: the member the bundle action picks, or
/// `OfpPort::NONE` if none is enabled.
pub(crate) fn bundle_execute(
    b: &Bundle,
    flow: &Flow,
    wc: &mut Flow,
    enabled: impl Fn(OfpPort) -> bool,
) -> OfpPort {
    match b.algorithm {
        BD_ALG_HRW => {
            // With one member the hash cannot matter, so OVS leaves the
            // fields wildcarded.
            if b.members.len() > 1 {
                flow_mask_hash_fields(flow, wc, b.fields);
            }
            let flow_hash = flow_hash_fields(flow, b.fields, b.basis);
            let mut best: Option<(OfpPort, u32)> = None;
            for (i, m) in b.members.iter().enumerate() {
                if enabled(*m) {
                    let h = hash_2words(i as u32, flow_hash);
                    if best.is_none_or(|(_, bh)| h > bh) {
                        best = Some((*m, h));
                    }
                }
            }
            best.map_or(OfpPort::NONE, |(m, _)| m)
        }
        // Active-backup (`BD_ALG_ACTIVE_BACKUP`, and, defensively, anything
        // the decoder should have rejected): the first enabled member, no
        // fields consulted.
        _ => b
            .members
            .iter()
            .copied()
            .find(|p| enabled(*p))
            .unwrap_or(OfpPort::NONE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_up_pow2_matches_c() {
        assert_eq!(round_up_pow2(1), 1);
        assert_eq!(round_up_pow2(3), 4);
        assert_eq!(round_up_pow2(64), 64);
        assert_eq!(round_up_pow2(100), 128);
        assert_eq!(round_up_pow2(65536), 65536);
    }

    #[test]
    fn links_stay_in_range() {
        for alg in 0..4 {
            for n in [1u32, 2, 3, 7, 64, 65, 100, 65536] {
                for h in [0u32, 1, 0x8000_0000, u32::MAX, 0x1234_5678] {
                    let l = multipath_link(h, alg, n, 0);
                    assert!(u32::from(l) < n, "alg {alg} n {n} h {h:#x} gave {l}");
                }
            }
        }
    }

    #[test]
    fn hash_threshold_splits_by_range() {
        assert_eq!(multipath_link(0, MP_ALG_HASH_THRESHOLD, 4, 0), 0);
        assert_eq!(multipath_link(u32::MAX, MP_ALG_HASH_THRESHOLD, 4, 0), 3);
        assert_eq!(multipath_link(0x4000_0000, MP_ALG_HASH_THRESHOLD, 4, 0), 1);
    }

    #[test]
    fn unknown_fields_hash_to_the_basis() {
        assert_eq!(flow_hash_fields(&Flow::ZERO, 99, 7), 7);
        let mut wc = Flow::ZERO;
        flow_mask_hash_fields(&Flow::ZERO, &mut wc, 99);
        assert_eq!(wc, Flow::ZERO);
    }
}
