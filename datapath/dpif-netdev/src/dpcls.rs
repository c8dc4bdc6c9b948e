//! The megaflow table (OVS's `dpcls` with the flow table around it): flows
//! grouped into subtables by mask, each subtable a hash table of masked
//! keys, subtables tried most-hit first. Megaflows do not overlap when
//! ofproto installs them, so the first subtable that matches answers.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use ovs_dpif::{BuildPrehashed, FlowStats, Ufid, UfidMap};
use ovs_flow::{FLOW_WORDS, Flow, PackedFlow, offset};
use ovs_odp::DpAction;

use crate::miniflow::KeyClass;

/// Mixes one word into a running hash.
#[inline]
fn mix(h: u64, w: u64) -> u64 {
    let h = (h ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    h ^ (h >> 29)
}

/// The running state of a hash of every word of a flow: four independent
/// lanes, so that the multiplications overlap instead of waiting on each
/// other.
#[derive(Clone, Copy, Debug)]
pub struct FlowHash([u64; 4]);

impl FlowHash {
    pub fn new(flow: &Flow, seed: u64) -> FlowHash {
        let mut lanes = [seed, seed ^ 1, seed ^ 2, seed ^ 3];
        let mut i = 0;
        while i + 4 <= FLOW_WORDS {
            for (l, lane) in lanes.iter_mut().enumerate() {
                *lane = mix(*lane, flow.word(i + l));
            }
            i += 4;
        }
        while i < FLOW_WORDS {
            lanes[0] = mix(lanes[0], flow.word(i));
            i += 1;
        }
        FlowHash(lanes)
    }

    /// 64 bits of it.
    pub fn value(&self) -> u64 {
        let [a, b, c, d] = self.0;
        mix(mix(mix(a, b), c), d)
    }

    /// 128 bits of it, [`FlowHash::value`] among them: the ufid of the
    /// flow when nobody names one.
    pub fn ufid(&self) -> Ufid {
        let [a, b, c, d] = self.0;
        let lo = mix(mix(mix(d ^ 0x243f_6a88_85a3_08d3, c), b), a);
        Ufid((u128::from(self.value()) << 64) | u128::from(lo))
    }
}

/// A hash of every word of `flow`, from `seed`.
pub fn hash_flow(flow: &Flow, seed: u64) -> u64 {
    FlowHash::new(flow, seed).value()
}

/// A megaflow in the table.
#[derive(Clone, Debug)]
pub struct Megaflow {
    pub ufid: Ufid,
    /// The masked key, compact: the key's values under the subtable's
    /// nonzero mask words, in the subtable's word order.
    key: Box<[u64]>,
    /// The key as it was put, unmasked: dumps show it (OVS keeps the
    /// packet's values under zero mask bits, `src=10.0.0.1/0.0.0.0`).
    pub key_as_put: PackedFlow,
    /// Shared by every megaflow of its subtable.
    pub mask: Arc<Flow>,
    /// What dumps show as `dp-extra-info`: OVS's `miniflow_bits(a,b)`,
    /// counted and formatted once per subtable and key class.
    pub extra_info: Arc<str>,
    pub actions: Arc<[DpAction]>,
    pub stats: FlowStats,
    subtable: usize,
    hash: u64,
    /// The next megaflow of the subtable whose masked key hashes alike.
    next: Option<Slot>,
}

/// Unit tests keep two bits of each bucket hash, so that chains of equal
/// hashes are exercised.
const BUCKET_HASH_MASK: u64 = if cfg!(test) { 3 } else { u64::MAX };

struct Subtable {
    mask: Arc<Flow>,
    /// `hash_flow` of the mask, to find the subtable of a mask quickly.
    mask_hash: u64,
    /// The mask's nonzero words: the only ones a lookup reads.
    words: Vec<(usize, u64)>,
    /// Masked-key hash to the first megaflow slot with that hash.
    buckets: HashMap<u64, Slot, BuildPrehashed>,
    /// `extra_info` by key class, as counted so far.
    bits: Vec<(KeyClass, Arc<str>)>,
    len: usize,
    hits: u64,
}

impl Subtable {
    fn new(mask: &Flow, mask_hash: u64) -> Subtable {
        let words = (0..FLOW_WORDS)
            .map(|i| (i, mask.word(i)))
            .filter(|&(_, m)| m != 0)
            .collect();
        Subtable {
            mask: Arc::new(mask.clone()),
            mask_hash,
            words,
            buckets: HashMap::default(),
            bits: Vec::new(),
            len: 0,
            hits: 0,
        }
    }

    /// The hash of `flow`'s bits under the mask.
    #[inline]
    fn hash(&self, flow: &Flow) -> u64 {
        let mut h = 0;
        for &(i, m) in &self.words {
            h = mix(h, flow.word(i) & m);
        }
        h & BUCKET_HASH_MASK
    }

    /// `flow` masked, in compact form.
    fn compact(&self, flow: &Flow) -> Box<[u64]> {
        self.words.iter().map(|&(i, m)| flow.word(i) & m).collect()
    }

    #[inline]
    fn matches(&self, flow: &Flow, key: &[u64]) -> bool {
        self.words
            .iter()
            .zip(key)
            .all(|(&(i, m), &k)| flow.word(i) & m == k)
    }

    fn extra_info(&mut self, key: &Flow) -> Arc<str> {
        let class = KeyClass::of(key);
        if let Some((_, text)) = self.bits.iter().find(|(c, _)| *c == class) {
            return text.clone();
        }
        let text: Arc<str> = extra_info(crate::miniflow::miniflow_bits(class, &self.mask)).into();
        self.bits.push((class, text.clone()));
        text
    }
}

fn extra_info((a, b): (u32, u32)) -> String {
    format!("miniflow_bits({a},{b})")
}

/// Slot numbers of megaflows; stable while the flow lives, reused after.
pub type Slot = u32;

/// The megaflow table of one poll thread.
#[derive(Default)]
pub struct FlowTable {
    slots: Vec<Option<Megaflow>>,
    /// Bumped when a slot is freed, so caches holding the slot notice.
    generations: Vec<u32>,
    free: Vec<Slot>,
    by_ufid: UfidMap<Slot>,
    subtables: Vec<Subtable>,
    /// Subtable indexes in the order lookups try them.
    order: Vec<usize>,
    len: usize,
    /// Megaflows ever inserted: a packet that missed still misses while
    /// this stays the same.
    inserts: u64,
    lookups_since_rank: u32,
    /// The mask of the last insertion and its subtable: handlers share
    /// mask allocations between the flows they install, so that the next
    /// insertion of the same `Arc` skips finding the subtable.
    last_mask: Option<(Arc<Flow>, usize)>,
}

/// Why a put failed.
#[derive(Debug, PartialEq, Eq)]
pub enum PutError {
    /// A flow with that ufid, or with the same key and mask, exists.
    Exists,
    /// The table holds its maximum.
    Full,
}

/// OVS's `MAX_FLOWS` per poll thread.
pub const MAX_FLOWS: usize = 65536;

impl FlowTable {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn n_masks(&self) -> usize {
        self.subtables.iter().filter(|s| s.len > 0).count()
    }

    /// How many megaflows were ever inserted.
    pub fn inserts(&self) -> u64 {
        self.inserts
    }

    pub fn get(&self, slot: Slot) -> Option<&Megaflow> {
        self.slots.get(slot as usize).and_then(Option::as_ref)
    }

    pub fn get_mut(&mut self, slot: Slot) -> Option<&mut Megaflow> {
        self.slots.get_mut(slot as usize).and_then(Option::as_mut)
    }

    pub fn generation(&self, slot: Slot) -> u32 {
        self.generations.get(slot as usize).copied().unwrap_or(0)
    }

    pub fn by_ufid(&self, ufid: Ufid) -> Option<Slot> {
        self.by_ufid.get(&ufid).copied()
    }

    /// The megaflow matching `flow`, and how many subtables it took.
    #[inline]
    pub fn lookup(&mut self, flow: &Flow) -> (Option<Slot>, u32) {
        self.lookups_since_rank = self.lookups_since_rank.wrapping_add(1);
        if self.lookups_since_rank >= 1 << 16 {
            self.rank();
        }
        let mut tried = 0;
        for &si in &self.order {
            let s = &mut self.subtables[si];
            if s.len == 0 {
                continue;
            }
            tried += 1;
            let mut next = s.buckets.get(&s.hash(flow)).copied();
            while let Some(slot) = next {
                let Some(Some(mf)) = self.slots.get(slot as usize) else {
                    break;
                };
                if s.matches(flow, &mf.key) {
                    s.hits += 1;
                    return (Some(slot), tried);
                }
                next = mf.next;
            }
        }
        (None, tried)
    }

    /// Puts the most-hit subtables first (OVS re-sorts its pvector of
    /// subtables by hits the same way, periodically).
    pub fn rank(&mut self) {
        self.lookups_since_rank = 0;
        let subtables = &self.subtables;
        self.order
            .sort_by(|&a, &b| subtables[b].hits.cmp(&subtables[a].hits));
        for s in &mut self.subtables {
            s.hits /= 2;
        }
    }

    /// The subtable of `mask` (as [`megaflow_mask`] made it), if any.
    fn subtable_of(&self, mask: &Flow, mask_hash: u64) -> Option<usize> {
        self.subtables
            .iter()
            .position(|s| s.mask_hash == mask_hash && *s.mask == *mask)
    }

    /// The subtable of `mask`, made if there is none yet.
    fn subtable_for(&mut self, mask: &Flow) -> Result<usize, PutError> {
        let mask = megaflow_mask(mask);
        let mask_hash = hash_flow(&mask, 0);
        if let Some(si) = self.subtable_of(&mask, mask_hash) {
            return Ok(si);
        }
        if self.len >= MAX_FLOWS {
            return Err(PutError::Full);
        }
        self.subtables.push(Subtable::new(&mask, mask_hash));
        self.order.push(self.subtables.len() - 1);
        Ok(self.subtables.len() - 1)
    }

    /// The slot in subtable `si` whose masked key is `key`.
    fn find_in(&self, si: usize, key: &[u64], hash: u64) -> Option<Slot> {
        let mut next = self.subtables[si].buckets.get(&hash).copied();
        while let Some(slot) = next {
            let mf = self.get(slot)?;
            if *mf.key == *key {
                return Some(slot);
            }
            next = mf.next;
        }
        None
    }

    /// The flow exactly as `key`/`mask` says, if installed.
    pub fn find_exact(&self, key: &Flow, mask: &Flow) -> Option<Slot> {
        let mask = megaflow_mask(mask);
        let si = self.subtable_of(&mask, hash_flow(&mask, 0))?;
        let s = &self.subtables[si];
        self.find_in(si, &s.compact(key), s.hash(key))
    }

    /// Installs a megaflow for `key`; `packed` is the same key packed
    /// (shared with whoever made it), kept for dumps.
    pub fn insert(
        &mut self,
        ufid: Ufid,
        key: &Flow,
        packed: PackedFlow,
        mask: &Arc<Flow>,
        actions: Arc<[DpAction]>,
    ) -> Result<Slot, PutError> {
        debug_assert_eq!(packed.unpack(), *key);
        if self.by_ufid.contains_key(&ufid) {
            return Err(PutError::Exists);
        }
        let si = match &self.last_mask {
            Some((last, si)) if Arc::ptr_eq(last, mask) => *si,
            _ => {
                let si = self.subtable_for(mask)?;
                self.last_mask = Some((mask.clone(), si));
                si
            }
        };
        let s = &self.subtables[si];
        let compact = s.compact(key);
        let hash = s.hash(key);
        if self.find_in(si, &compact, hash).is_some() {
            return Err(PutError::Exists);
        }
        if self.len >= MAX_FLOWS {
            return Err(PutError::Full);
        }
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.slots.push(None);
                self.generations.push(0);
                (self.slots.len() - 1) as Slot
            }
        };
        let s = &mut self.subtables[si];
        let extra_info = s.extra_info(key);
        let next = s.buckets.insert(hash, slot);
        s.len += 1;
        let mask = s.mask.clone();
        self.slots[slot as usize] = Some(Megaflow {
            ufid,
            key: compact,
            key_as_put: packed,
            mask,
            extra_info,
            actions,
            stats: FlowStats::default(),
            subtable: si,
            hash,
            next,
        });
        self.by_ufid.insert(ufid, slot);
        self.len += 1;
        self.inserts += 1;
        Ok(slot)
    }

    /// Removes a megaflow and returns it.
    pub fn remove(&mut self, slot: Slot) -> Option<Megaflow> {
        let mf = self.slots.get_mut(slot as usize)?.take()?;
        self.generations[slot as usize] = self.generations[slot as usize].wrapping_add(1);
        self.free.push(slot);
        self.by_ufid.remove(&mf.ufid);
        // Unlink it from its hash chain.
        let s = &mut self.subtables[mf.subtable];
        if s.buckets.get(&mf.hash) == Some(&slot) {
            match mf.next {
                Some(n) => {
                    s.buckets.insert(mf.hash, n);
                }
                None => {
                    s.buckets.remove(&mf.hash);
                }
            }
        } else {
            let mut cur = s.buckets.get(&mf.hash).copied();
            while let Some(c) = cur {
                let Some(Some(m)) = self.slots.get_mut(c as usize) else {
                    break;
                };
                if m.next == Some(slot) {
                    m.next = mf.next;
                    break;
                }
                cur = m.next;
            }
        }
        s.len -= 1;
        self.len -= 1;
        Some(mf)
    }

    /// Removes every flow.
    pub fn clear(&mut self) -> usize {
        let n = self.len;
        let live: Vec<Slot> = (0..self.slots.len() as Slot)
            .filter(|&s| self.get(s).is_some())
            .collect();
        for s in live {
            self.remove(s);
        }
        self.subtables.clear();
        self.order.clear();
        self.last_mask = None;
        n
    }

    /// Every live megaflow.
    pub fn iter(&self) -> impl Iterator<Item = &Megaflow> {
        self.slots.iter().filter_map(Option::as_ref)
    }
}

/// The mask a megaflow is stored with: a mask that ignores the first VLAN
/// tag is taken to mean "no VLAN tag" (VID and CFI exact), as OVS's
/// userspace datapath does for every flow it adds, so that a tagged
/// packet never matches a flow made for untagged ones.
pub fn megaflow_mask(mask: &Flow) -> Cow<'_, Flow> {
    if mask.get_be(offset::VLAN0_TCI, 2) != 0 {
        return Cow::Borrowed(mask);
    }
    let mut m = mask.clone();
    m.set_be(offset::VLAN0_TCI, 2, 0x1fff);
    Cow::Owned(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ovs_flow::offset;

    fn flow(in_port: u16, dst: u32) -> Flow {
        let mut f = Flow::ZERO;
        f.set_be(offset::IN_PORT, 4, u64::from(in_port));
        f.set_be(offset::NW_DST, 4, u64::from(dst));
        f.set_be(offset::DL_TYPE, 2, 0x0800);
        f
    }

    fn mask(in_port: bool, dst_bits: u32) -> Flow {
        let mut m = Flow::ZERO;
        if in_port {
            m.set_be(offset::IN_PORT, 4, 0xffff_ffff);
        }
        m.set_be(offset::DL_TYPE, 2, 0xffff);
        m.set_be(offset::NW_DST, 4, u64::from(dst_bits));
        m
    }

    /// Inserts `f` under `m` with no actions.
    fn put(t: &mut FlowTable, ufid: u128, f: Flow, m: &Flow) -> Result<Slot, PutError> {
        let m = Arc::new(m.clone());
        t.insert(Ufid(ufid), &f, PackedFlow::new(&f), &m, Arc::from(vec![]))
    }

    #[test]
    fn lookups_find_the_megaflow_whose_masked_bits_agree() {
        let mut t = FlowTable::default();
        let a = put(&mut t, 1, flow(1, 0x0a00_0001), &mask(true, 0)).unwrap();
        let b = put(&mut t, 2, flow(2, 0x0a00_0001), &mask(true, 0xffff_ff00)).unwrap();
        assert_eq!(t.lookup(&flow(1, 0x0b00_0000)).0, Some(a));
        assert_eq!(t.lookup(&flow(2, 0x0a00_00fe)).0, Some(b));
        assert_eq!(t.lookup(&flow(2, 0x0a00_0100)).0, None);
        assert_eq!(t.lookup(&flow(3, 0x0a00_0001)).0, None);
        assert_eq!(t.n_masks(), 2);
    }

    #[test]
    fn the_same_key_and_mask_or_ufid_cannot_go_in_twice() {
        let mut t = FlowTable::default();
        put(&mut t, 1, flow(1, 5), &mask(true, 0)).unwrap();
        assert_eq!(
            put(&mut t, 2, flow(1, 6), &mask(true, 0)),
            Err(PutError::Exists)
        );
        assert_eq!(
            put(&mut t, 1, flow(2, 6), &mask(true, 0)),
            Err(PutError::Exists)
        );
    }

    #[test]
    fn removal_frees_the_slot_and_moves_its_generation() {
        let mut t = FlowTable::default();
        let a = put(&mut t, 1, flow(1, 5), &mask(true, 0)).unwrap();
        let g = t.generation(a);
        assert!(t.remove(a).is_some());
        assert_ne!(t.generation(a), g);
        assert_eq!(t.lookup(&flow(1, 5)).0, None);
        assert_eq!(t.by_ufid(Ufid(1)), None);
        assert_eq!(t.len(), 0);
        assert_eq!(t.n_masks(), 0);
    }

    #[test]
    fn chains_of_equal_hashes_survive_removal_in_any_order() {
        // Unit tests keep two bits of each bucket hash, so these 40 flows
        // share four chains; a plain model checks every lookup.
        let mut t = FlowTable::default();
        let mut live = std::collections::BTreeMap::new();
        for i in 0..40u32 {
            let slot = put(&mut t, u128::from(i), flow(1, i), &mask(true, u32::MAX)).unwrap();
            live.insert(i, slot);
        }
        let mut x = 7u32;
        for _ in 0..30 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let i = (x >> 8) % 40;
            if let Some(slot) = live.remove(&i) {
                assert_eq!(t.remove(slot).map(|m| m.ufid), Some(Ufid(u128::from(i))));
            }
            for j in 0..40u32 {
                assert_eq!(t.lookup(&flow(1, j)).0, live.get(&j).copied(), "flow {j}");
                let exact = t.find_exact(&flow(1, j), &mask(true, u32::MAX));
                assert_eq!(exact, live.get(&j).copied());
            }
        }
        assert_eq!(t.len(), live.len());
    }

    #[test]
    fn a_shared_mask_finds_its_subtable_again_after_a_clear() {
        let mut t = FlowTable::default();
        let m = Arc::new(mask(true, 0));
        let none: Arc<[DpAction]> = Arc::from(vec![]);
        for round in 0..2u16 {
            for p in 1..=3u16 {
                let f = flow(p, 5);
                let slot = t
                    .insert(
                        Ufid(u128::from(round * 10 + p)),
                        &f,
                        PackedFlow::new(&f),
                        &m,
                        none.clone(),
                    )
                    .unwrap();
                assert_eq!(t.lookup(&f).0, Some(slot));
            }
            assert_eq!(t.subtables.len(), 1);
            assert_eq!(t.clear(), 3);
            assert_eq!(t.lookup(&flow(1, 5)).0, None);
        }
    }

    #[test]
    fn megaflows_of_a_mask_share_it_and_its_miniflow_bits() {
        let mut t = FlowTable::default();
        let a = put(&mut t, 1, flow(1, 5), &mask(true, 0)).unwrap();
        let b = put(&mut t, 2, flow(2, 5), &mask(true, 0)).unwrap();
        let (ma, mb) = (t.get(a).unwrap(), t.get(b).unwrap());
        assert!(Arc::ptr_eq(&ma.mask, &mb.mask));
        assert!(Arc::ptr_eq(&ma.extra_info, &mb.extra_info));
        assert_eq!(
            *ma.extra_info,
            *extra_info(crate::miniflow::miniflow_bits(
                KeyClass::of(&flow(1, 5)),
                &ma.mask
            ))
        );
        assert_eq!(t.inserts(), 2);
    }
}
