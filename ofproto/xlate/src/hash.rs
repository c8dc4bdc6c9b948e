//! OVS's hash functions where their values decide behaviour a user can see
//! (select group buckets, multipath links, bundle members, the order of
//! flooding), and the select group `dp_hash` bucket table.

use ovs_flow::{Flow, offset};
use ovs_ofp_core::OfpPort;
use ovs_ofp_msgs::group::Bucket;

use crate::field::{ETH_TYPE_IP, ETH_TYPE_IPV6, FlowExt};

fn mhash_add(hash: u32, data: u32) -> u32 {
    let mut hash = hash;
    if data != 0 {
        let d = data
            .wrapping_mul(0xcc9e_2d51)
            .rotate_left(15)
            .wrapping_mul(0x1b87_3593);
        hash ^= d;
    }
    hash.rotate_left(13)
        .wrapping_mul(5)
        .wrapping_add(0xe654_6b64)
}

fn mhash_finish(mut hash: u32) -> u32 {
    hash ^= hash >> 16;
    hash = hash.wrapping_mul(0x85eb_ca6b);
    hash ^= hash >> 13;
    hash = hash.wrapping_mul(0xc2b2_ae35);
    hash ^= hash >> 16;
    hash
}

/// OVS's `hash_int` (the portable, non-SSE4.2 build Debian ships).
pub fn hash_int(x: u32, basis: u32) -> u32 {
    mhash_finish(mhash_add(mhash_add(x, 0), basis) ^ 8)
}

/// OVS's `hash_add` (murmur step, portable build).
pub(crate) fn hash_add(hash: u32, data: u32) -> u32 {
    mhash_add(hash, data)
}

/// OVS's `hash_add64`: the low half first, as the portable build does.
pub(crate) fn hash_add64(hash: u32, data: u64) -> u32 {
    hash_add(hash_add(hash, data as u32), (data >> 32) as u32)
}

/// OVS's `hash_finish`.
pub(crate) fn hash_finish(hash: u32, last: u32) -> u32 {
    mhash_finish(hash ^ last)
}

/// OVS's `hash_bytes`: 32-bit words read in host (little-endian) order,
/// a short tail zero-padded.
pub(crate) fn hash_bytes(p: &[u8], basis: u32) -> u32 {
    let mut hash = basis;
    let mut chunks = p.chunks_exact(4);
    for c in chunks.by_ref() {
        hash = hash_add(hash, u32::from_le_bytes([c[0], c[1], c[2], c[3]]));
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let mut t = [0u8; 4];
        t[..tail.len()].copy_from_slice(tail);
        hash = hash_add(hash, u32::from_le_bytes(t));
    }
    hash_finish(hash, p.len() as u32)
}

/// OVS's `hash_uint64`.
pub(crate) fn hash_uint64(x: u64) -> u32 {
    hash_finish(hash_add64(0, x), 8)
}

/// OVS's `hash_2words`.
pub(crate) fn hash_2words(x: u32, y: u32) -> u32 {
    hash_finish(hash_add(hash_add(x, 0), y), 8)
}

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
/// iterates, for ports inserted in the order given: by bucket, and within
/// a bucket the most recently inserted first, with OVS's growth policy.
pub fn hmap_order(ports: impl IntoIterator<Item = OfpPort>) -> Vec<OfpPort> {
    let mut buckets: Vec<Vec<OfpPort>> = vec![Vec::new()];
    let mut mask = 0usize;
    let mut n = 0usize;
    for p in ports {
        let h = hash_int(u32::from(p.0), 0) as usize;
        buckets[h & mask].insert(0, p);
        n += 1;
        if n / 2 > mask {
            let new_mask = calc_mask(n);
            if new_mask > mask {
                let mut nb: Vec<Vec<OfpPort>> = vec![Vec::new(); new_mask + 1];
                for b in &buckets {
                    for q in b {
                        let h = hash_int(u32::from(q.0), 0) as usize;
                        nb[h & new_mask].insert(0, *q);
                    }
                }
                buckets = nb;
                mask = new_mask;
            }
        }
    }
    buckets.into_iter().flatten().collect()
}

fn calc_mask(capacity: usize) -> usize {
    let mut mask = capacity / 2;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    mask |= mask >> 32;
    mask |= (mask & 1) << 1;
    mask
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

    #[test]
    fn calc_mask_matches_ovs() {
        assert_eq!(calc_mask(2), 3);
        assert_eq!(calc_mask(8), 7);
        assert_eq!(calc_mask(16), 15);
    }
}
