//! The `hash(...)` action's hashes: OVS's `flow_hash_5tuple` (`l4`) and
//! `flow_hash_symmetric_l3l4` (`sym_l4`), over the flow extracted from the
//! packet, with OVS's portable murmur3-based `hash_add`/`hash_finish`.
//!
//! OVS reads the flow's network-order fields as native integers; we read
//! them little-endian, so the values equal those of OVS on x86-64 and
//! other little-endian machines, on every machine. OVS built for SSE 4.2
//! (or ARMv8 CRC) uses CRC32 instructions instead of murmur and gets other
//! values; Debian's packages use the portable form.

use ovs_flow::{Flow, offset};

use crate::packet::Packet;

/// `OVS_HASH_ALG_L4`.
pub const HASH_ALG_L4: u32 = 0;
/// `OVS_HASH_ALG_SYM_L4`.
pub const HASH_ALG_SYM_L4: u32 = 1;

use ovs_shash::{hash_add as add, hash_add64 as add64, hash_finish as finish};

/// OVS's `hash_int(x, basis)`.
pub use ovs_shash::hash_int;

fn word32(flow: &Flow, at: usize) -> u32 {
    let b = flow.bytes(at, 4);
    match *b {
        [a, b, c, d] => u32::from_le_bytes([a, b, c, d]),
        _ => 0,
    }
}

fn word64(flow: &Flow, at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(flow.bytes(at, 8).get(..8).unwrap_or(&[0; 8]));
    u64::from_le_bytes(w)
}

fn dl_type(flow: &Flow) -> u16 {
    flow.get_be(offset::DL_TYPE, 2) as u16
}

/// OVS's `flow_hash_5tuple`: addresses, protocol and ports, in that
/// order, for IPv4, IPv6 and ARP; `basis` alone for anything else.
pub fn flow_hash_5tuple(flow: &Flow, basis: u32) -> u32 {
    let mut hash = basis;
    let ty = dl_type(flow);
    if ty == 0x86dd {
        for i in 0..4 {
            hash = add64(hash, word64(flow, offset::IPV6_SRC + 8 * i));
        }
    } else if ty == 0x0800 || ty == 0x0806 {
        hash = add(hash, word32(flow, offset::NW_SRC));
        hash = add(hash, word32(flow, offset::NW_DST));
    } else {
        return finish(hash, 42);
    }
    let proto = flow.get_be(offset::NW_PROTO, 1) as u8;
    hash = add(hash, u32::from(proto));
    if matches!(proto, 6 | 17 | 132 | 1 | 58) {
        // Both ports as one word, source first in memory.
        hash = add(hash, word32(flow, offset::TP_SRC));
    }
    finish(hash, 42)
}

/// OVS's `flow_hash_symmetric_l3l4` without UDP ports: the same value for
/// both directions of a connection.
pub fn flow_hash_symmetric_l3l4(flow: &Flow, basis: u32) -> u32 {
    let mut hash = basis;
    let ty = dl_type(flow);
    if ty == 0x0800 {
        hash = add(
            hash,
            word32(flow, offset::NW_SRC) ^ word32(flow, offset::NW_DST),
        );
    } else if ty == 0x86dd {
        for i in 0..2 {
            hash = add64(
                hash,
                word64(flow, offset::IPV6_SRC + 8 * i) ^ word64(flow, offset::IPV6_DST + 8 * i),
            );
        }
    } else {
        return flow_hash_symmetric_l2(flow, basis);
    }
    let proto = flow.get_be(offset::NW_PROTO, 1) as u8;
    hash = add(hash, u32::from(proto));
    let frag = flow.get_be(offset::NW_FRAG, 1) as u8;
    if frag & 0x03 == 0 && matches!(proto, 6 | 132) {
        let ports = flow.get_be(offset::TP_SRC, 2) ^ flow.get_be(offset::TP_DST, 2);
        // The XOR of two network-order ports, read as a native 16-bit value.
        hash = add(hash, u32::from((ports as u16).swap_bytes()));
    }
    finish(hash, basis)
}

/// OVS's `flow_hash_symmetric_l2`: MAC addresses XORed, the VLAN IDs and
/// the Ethernet type; 0 for packets without an Ethernet header.
fn flow_hash_symmetric_l2(flow: &Flow, basis: u32) -> u32 {
    if flow.get_be(offset::PACKET_TYPE, 4) != 0 {
        return 0;
    }
    let src = flow.bytes(offset::DL_SRC, 6);
    let dst = flow.bytes(offset::DL_DST, 6);
    let mut fields = [0u8; 12];
    fields[..2].copy_from_slice(flow.bytes(offset::DL_TYPE, 2));
    let vid = (flow.get_be(offset::VLAN0_TCI, 2) ^ flow.get_be(offset::VLAN1_TCI, 2)) & 0x0fff;
    fields[2..4].copy_from_slice(&(vid as u16).to_be_bytes());
    for (i, (s, d)) in src.iter().zip(dst).enumerate() {
        fields[4 + i] = s ^ d;
    }
    let mut hash = basis;
    for w in fields.chunks_exact(4) {
        hash = add(hash, u32::from_le_bytes([w[0], w[1], w[2], w[3]]));
    }
    finish(hash, basis)
}

/// The `dp_hash` a `hash(alg(basis))` action gives `p`, or `None` for an
/// algorithm OVS does not know.
pub(crate) fn dp_hash(p: &Packet, algorithm: u32, basis: u32) -> Option<u32> {
    match algorithm {
        HASH_ALG_L4 => Some(match p.md.rss_hash {
            Some(rss) => hash_int(rss, basis),
            None => {
                let mut flow = Flow::ZERO;
                p.extract(&mut flow);
                flow_hash_5tuple(&flow, basis)
            }
        }),
        HASH_ALG_SYM_L4 => {
            let mut flow = Flow::ZERO;
            p.extract(&mut flow);
            Some(flow_hash_symmetric_l3l4(&flow, basis))
        }
        _ => None,
    }
}
