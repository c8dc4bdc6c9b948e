//! OVS's hash functions where their values decide behaviour a user can see
//! (select group buckets, multipath links, bundle members, the order of
//! flooding), and the select group `dp_hash` bucket table. The murmur
//! hashes (`hash_int`, `hash_bytes`, ...) and the `hmap` order model are
//! `ovs-shash`'s; what is here is what only translation needs (Jenkins'
//! `jhash`, the symmetric L4 flow hash).

use ovs_flow::{Flow, offset};
use ovs_ofp_core::OfpPort;
use ovs_ofp_msgs::group::Bucket;

use crate::field::{ETH_TYPE_IP, ETH_TYPE_IPV6, FlowExt};

fn jhash_mix(a: &mut u32, b: &mut u32, c: &mut u32) {
    *a = a.wrapping_sub(*c);
    *a ^= c.rotate_left(4);
    *c = c.wrapping_add(*b);
    *b = b.wrapping_sub(*a);
    *b ^= a.rotate_left(6);
    *a = a.wrapping_add(*c);
    *c = c.wrapping_sub(*b);
    *c ^= b.rotate_left(8);
    *b = b.wrapping_add(*a);
    *a = a.wrapping_sub(*c);
    *a ^= c.rotate_left(16);
    *c = c.wrapping_add(*b);
    *b = b.wrapping_sub(*a);
    *b ^= a.rotate_left(19);
    *a = a.wrapping_add(*c);
    *c = c.wrapping_sub(*b);
    *c ^= b.rotate_left(4);
    *b = b.wrapping_add(*a);
}

fn jhash_final(a: &mut u32, b: &mut u32, c: &mut u32) {
    *c ^= *b;
    *c = c.wrapping_sub(b.rotate_left(14));
    *a ^= *c;
    *a = a.wrapping_sub(c.rotate_left(11));
    *b ^= *a;
    *b = b.wrapping_sub(a.rotate_left(25));
    *c ^= *b;
    *c = c.wrapping_sub(b.rotate_left(16));
    *a ^= *c;
    *a = a.wrapping_sub(c.rotate_left(4));
    *b ^= *a;
    *b = b.wrapping_sub(a.rotate_left(14));
    *c ^= *b;
    *c = c.wrapping_sub(b.rotate_left(24));
}

/// OVS's `jhash_bytes` on a little-endian machine.
pub fn jhash_bytes(p: &[u8], basis: u32) -> u32 {
    let n = p.len() as u32;
    let mut a = 0xdead_beefu32.wrapping_add(n).wrapping_add(basis);
    let mut b = a;
    let mut c = a;
    let word = |s: &[u8]| {
        let mut w = [0u8; 4];
        w[..s.len()].copy_from_slice(s);
        u32::from_le_bytes(w)
    };
    let mut chunks = p.chunks_exact(12);
    for ch in &mut chunks {
        a = a.wrapping_add(word(&ch[0..4]));
        b = b.wrapping_add(word(&ch[4..8]));
        c = c.wrapping_add(word(&ch[8..12]));
        jhash_mix(&mut a, &mut b, &mut c);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut tmp = [0u8; 12];
        tmp[..rest.len()].copy_from_slice(rest);
        a = a.wrapping_add(word(&tmp[0..4]));
        b = b.wrapping_add(word(&tmp[4..8]));
        c = c.wrapping_add(word(&tmp[8..12]));
        jhash_final(&mut a, &mut b, &mut c);
    }
    c
}

/// OVS's `flow_hash_symmetric_l4`.
pub fn flow_hash_symmetric_l4(flow: &Flow, basis: u32) -> u32 {
    // The C struct: a 16-byte address union, eth_type, vlan_tci, tp_port,
    // eth_addr[6], ip_proto, padded to 32 bytes.
    let mut f = [0u8; 32];
    for i in 0..6 {
        f[22 + i] = flow.u8_at(offset::DL_SRC + i) ^ flow.u8_at(offset::DL_DST + i);
    }
    let mut vlan_tci = 0u16;
    for off in [offset::VLAN0_TCI, offset::VLAN1_TCI] {
        let tci = flow.u16_at(off);
        if tci == 0 {
            break;
        }
        vlan_tci ^= tci & 0x0fff;
    }
    let dl_type = flow.dl_type();
    f[16..18].copy_from_slice(&dl_type.to_be_bytes());
    f[18..20].copy_from_slice(&vlan_tci.to_be_bytes());
    let proto = flow.nw_proto();
    let tp = flow.u16_at(offset::TP_SRC) ^ flow.u16_at(offset::TP_DST);
    if dl_type == ETH_TYPE_IP {
        let a = flow.u32_at(offset::NW_SRC) ^ flow.u32_at(offset::NW_DST);
        f[0..4].copy_from_slice(&a.to_be_bytes());
        f[28] = proto;
        if proto == 6 || proto == 132 {
            f[20..22].copy_from_slice(&tp.to_be_bytes());
        }
    } else if dl_type == ETH_TYPE_IPV6 {
        for (i, b) in f.iter_mut().take(16).enumerate() {
            *b = flow.u8_at(offset::IPV6_SRC + i) ^ flow.u8_at(offset::IPV6_DST + i);
        }
        f[28] = proto;
        if proto == 6 || proto == 132 {
            f[20..22].copy_from_slice(&tp.to_be_bytes());
        }
    }
    jhash_bytes(&f, basis)
}

/// OVS's `group_setup_dp_hash_table`: bucket indexes for each of the
/// (power of two) hash values, spread by weight with Webster's method;
/// `None` if the buckets cannot use `dp_hash` (no weight, or more hash
/// values needed than `max_hash`, when nonzero).
pub(crate) fn dp_hash_table(buckets: &[Bucket], max_hash: u64) -> Option<Vec<usize>> {
    if buckets.is_empty() {
        return None;
    }
    let total: u64 = buckets.iter().map(|b| u64::from(b.weight)).sum();
    if total == 0 {
        return None;
    }
    let min_weight = buckets
        .iter()
        .map(|b| b.weight)
        .filter(|w| *w > 0)
        .min()
        .unwrap_or(u16::MAX);
    let min_slots = total.div_ceil(u64::from(min_weight));
    let n_hash = min_slots.next_power_of_two().max(16);
    // OVS's MAX_SELECT_GROUP_HASH_VALUES.
    if n_hash > 256 * 256 || (max_hash != 0 && n_hash > max_hash) {
        return None;
    }
    let mut divisor: Vec<u32> = vec![1; buckets.len()];
    let mut value: Vec<f64> = buckets.iter().map(|b| f64::from(b.weight)).collect();
    let mut map = Vec::with_capacity(n_hash as usize);
    for _ in 0..n_hash {
        let mut winner = 0;
        for i in 1..buckets.len() {
            if value[i] > value[winner] {
                winner = i;
            }
        }
        divisor[winner] += 2;
        value[winner] = f64::from(buckets[winner].weight) / f64::from(divisor[winner]);
        map.push(winner);
    }
    Some(map)
}

/// The order in which OVS's `hmap` of ports (hashed by `hash_ofp_port`)
/// iterates, for ports inserted in the order given.
pub fn hmap_order(ports: impl IntoIterator<Item = OfpPort>) -> Vec<OfpPort> {
    let ports: Vec<OfpPort> = ports.into_iter().collect();
    let hashes: Vec<u32> = ports
        .iter()
        .map(|p| ovs_shash::hash_int(u32::from(p.0), 0))
        .collect();
    ovs_shash::iteration_order(&hashes)
        .into_iter()
        .map(|i| ports[i])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dp_hash_table_spreads_by_weight() {
        let b = |w: u16| Bucket {
            bucket_id: 0,
            weight: w,
            watch_port: OfpPort::NONE,
            watch_group: 0xffff_ffff,
            actions: Vec::new(),
        };
        let t = dp_hash_table(&[b(100), b(100)], 256).unwrap_or_default();
        assert_eq!(t.len(), 16);
        assert_eq!(t.iter().filter(|i| **i == 0).count(), 8);
        assert!(dp_hash_table(&[b(0)], 256).is_none());
    }

    #[test]
    fn hmap_order_depends_on_insertion_order() {
        // Ports 1, 4 and LOCAL share bucket 1 of a 4-bucket map; real OVS
        // floods a bridge made of br0, p1..p4 (in that order) as 4, LOCAL,
        // 1, then 2 and 3.
        let p = |v: u16| OfpPort(v);
        let made = [p(0xfffe), p(1), p(2), p(3), p(4)];
        assert_eq!(hmap_order(made), vec![p(4), p(0xfffe), p(1), p(2), p(3)]);
        let ascending = [p(1), p(2), p(3), p(4), p(0xfffe)];
        assert_eq!(
            hmap_order(ascending),
            vec![p(0xfffe), p(4), p(1), p(2), p(3)]
        );
    }
}
