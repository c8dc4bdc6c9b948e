//! One subtable: every rule that has one particular mask.
//!
//! Layout, chosen for memory: the mask's word indices and words once; per
//! rule only its masked values (in `keys`, `stride` words per rule, so there
//! is no per-rule allocation), a priority, a chain link and the payload (in
//! `slots`, parallel to `keys`). A hash table maps each distinct value key to
//! the slot of its highest-priority rule; rules that share a key (same match,
//! different priorities) are chained from it in descending priority order.
//!
//! Slots are kept dense with `swap_remove`, so removing a rule relinks the
//! rule that moved into its place.

use std::collections::BTreeMap;

use hashbrown::HashTable;
use ovs_flow::{Flow, offset};

use crate::trie::{self, MAX_TRIES, PrefixTree, TrieCtx, TrieField};
use crate::view::RuleView;
use crate::words::{MaskRef, STAGE_ENDS, WordHasher, WordMap, hash_words};

/// No next slot in a chain.
const NONE: u32 = u32::MAX;

#[derive(Clone)]
pub(crate) struct Slot<T> {
    pub(crate) priority: u16,
    /// Next lower-priority rule with the same key, or [`NONE`].
    next: u32,
    pub(crate) value: T,
}

/// A counted multiset of partial-key hashes for one non-final lookup stage.
/// A hash absent here proves that no rule agrees with the packet on the
/// words up to this stage; collisions only make the lookup look further.
type StageIndex = HashTable<(u64, u32)>;

#[derive(Clone)]
pub(crate) struct Subtable<T> {
    pub(crate) map: WordMap,
    pub(crate) indices: Box<[u8]>,
    pub(crate) masks: Box<[u64]>,
    /// For each non-final stage that has mask words: how many of the mask's
    /// words belong to it and the stages before it.
    stage_ends: Box<[u8]>,
    stages: Box<[StageIndex]>,
    heads: HashTable<u32>,
    keys: Vec<u64>,
    pub(crate) slots: Vec<Slot<T>>,
    /// How many rules have each priority; the last key is the max priority.
    priorities: BTreeMap<u16, u32>,
    /// The mask's prefix length on each of the classifier's prefix fields
    /// (0: the trie does not apply to this subtable).
    pub(crate) trie_plen: [u8; MAX_TRIES],
    /// The transport ports mask (left-aligned 32 bits) and its length up
    /// to its last set bit (OVS's `ports_mask_len`), with the trie of the
    /// rules' masked ports.
    ports_mask: u128,
    ports_mask_len: u32,
    ports_trie: PrefixTree,
}

impl<T> Subtable<T> {
    pub(crate) fn new(mask: &MaskRef<'_>, tries: &[TrieField]) -> Self {
        let (indices, masks): (Vec<u8>, Vec<u64>) = mask.words().map(|(i, m)| (i as u8, m)).unzip();
        let mut stage_ends = Vec::new();
        let mut pos = 0;
        for end in STAGE_ENDS {
            let count = indices[pos..]
                .iter()
                .take_while(|i| usize::from(**i) < end)
                .count();
            if count > 0 {
                pos += count;
                stage_ends.push(pos as u8);
            }
        }
        // The last nonempty stage is answered by the main table itself.
        stage_ends.pop();
        let stages = stage_ends.iter().map(|_| StageIndex::new()).collect();
        let ports_mask = trie::ports(mask.wc);
        let ports_mask_len = if ports_mask == 0 {
            0
        } else {
            32 - (ports_mask >> 96).trailing_zeros()
        };
        let mut sub = Subtable {
            map: mask.map,
            indices: indices.into(),
            masks: masks.into(),
            stage_ends: stage_ends.into(),
            stages,
            heads: HashTable::new(),
            keys: Vec::new(),
            slots: Vec::new(),
            priorities: BTreeMap::new(),
            trie_plen: [0; MAX_TRIES],
            ports_mask,
            ports_mask_len,
            ports_trie: PrefixTree::default(),
        };
        sub.set_trie_plens(mask.wc, tries);
        sub
    }

    /// Recomputes the prefix lengths for the classifier's prefix fields.
    pub(crate) fn set_trie_plens(&mut self, mask: &Flow, tries: &[TrieField]) {
        self.trie_plen = [0; MAX_TRIES];
        for (p, t) in self.trie_plen.iter_mut().zip(tries) {
            *p = u8::try_from(t.prefix_len(mask)).unwrap_or(0);
        }
    }

    /// The full mask, as a flow.
    pub(crate) fn mask_flow(&self) -> Flow {
        let mut f = Flow::ZERO;
        for (i, m) in self.indices.iter().zip(self.masks.iter()) {
            f.set_word(usize::from(*i), *m);
        }
        f
    }

    fn stride(&self) -> usize {
        self.indices.len()
    }

    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    pub(crate) fn max_priority(&self) -> Option<u16> {
        self.priorities.last_key_value().map(|(p, _)| *p)
    }

    pub(crate) fn has_priority(&self, priority: u16) -> bool {
        self.priorities.contains_key(&priority)
    }

    pub(crate) fn same_mask(&self, mask: &MaskRef<'_>) -> bool {
        self.map == mask.map
            && self
                .masks
                .iter()
                .zip(mask.words())
                .all(|(a, (_, b))| *a == b)
    }

    pub(crate) fn key(&self, slot: u32) -> &[u64] {
        let n = self.stride();
        let start = slot as usize * n;
        self.keys.get(start..start + n).unwrap_or(&[])
    }

    pub(crate) fn view(&self, slot: u32) -> RuleView<'_> {
        RuleView {
            map: self.map,
            indices: &self.indices,
            masks: &self.masks,
            values: self.key(slot),
        }
    }

    /// The view, priority and mutable payload of `slot`, borrowed together.
    pub(crate) fn entry_mut(&mut self, slot: u32) -> Option<(RuleView<'_>, u16, &mut T)> {
        let n = self.stride();
        let start = slot as usize * n;
        let values = self.keys.get(start..start + n)?;
        let s = self.slots.get_mut(slot as usize)?;
        let view = RuleView {
            map: self.map,
            indices: &self.indices,
            masks: &self.masks,
            values,
        };
        Some((view, s.priority, &mut s.value))
    }

    /// The next lower-priority rule with the same key as `slot`.
    pub(crate) fn next_in_chain(&self, slot: u32) -> Option<u32> {
        let next = self.slots.get(slot as usize)?.next;
        (next != NONE).then_some(next)
    }

    /// Head of the chain that `slot` belongs to (`hash` is its key's hash).
    fn head_of_slot(&self, hash: u64, slot: u32) -> Option<u32> {
        let key = self.key(slot);
        self.heads.find(hash, |&s| self.key(s) == key).copied()
    }

    /// Slot of the rule whose values are `flow`'s under this subtable's
    /// mask, with exactly `priority`.
    pub(crate) fn find_exact(&self, flow: &Flow, priority: u16) -> Option<u32> {
        self.chain(self.lookup(flow)?)
            .find(|s| self.slots[*s as usize].priority == priority)
    }

    /// Slots chained from `head`, highest priority first.
    pub(crate) fn chain(&self, head: u32) -> impl Iterator<Item = u32> + '_ {
        std::iter::successors(Some(head), |s| {
            let next = self.slots[*s as usize].next;
            (next != NONE).then_some(next)
        })
    }

    /// The highest-priority rule for `flow` in this subtable (its chain's
    /// head). For a match's own flow, that is the chain of rules with that
    /// match.
    #[inline]
    pub(crate) fn lookup(&self, flow: &Flow) -> Option<u32> {
        let mut h = WordHasher::new();
        for (i, m) in self.indices.iter().zip(self.masks.iter()) {
            h.add(flow.word(usize::from(*i)) & m);
        }
        self.probe(flow, h.finish())
    }

    #[inline]
    fn probe(&self, flow: &Flow, hash: u64) -> Option<u32> {
        let n = self.stride();
        let (keys, indices, masks) = (&self.keys, &self.indices, &self.masks);
        self.heads
            .find(hash, |&s| {
                let key = keys.get(s as usize * n..s as usize * n + n).unwrap_or(&[]);
                key.len() == n
                    && key
                        .iter()
                        .zip(indices.iter().zip(masks.iter()))
                        .all(|(k, (i, m))| flow.word(usize::from(*i)) & m == *k)
            })
            .copied()
    }

    /// Like [`Subtable::lookup`], also un-wildcarding in `wc` the mask bits
    /// that decided the outcome (OVS's `find_match_wc`): the stages
    /// examined when a stage index proves there is no match; only the
    /// stages before, plus the prefix bits the tries needed, when a prefix
    /// trie proves it; the ports bits the ports trie needed when the last
    /// stage fails; otherwise the whole mask.
    pub(crate) fn lookup_wc(
        &self,
        flow: &Flow,
        wc: &mut Flow,
        tries: &[TrieField],
        ctx: &mut [TrieCtx; MAX_TRIES],
    ) -> Option<u32> {
        let mut h = WordHasher::new();
        let mut pos = 0;
        let has_tries = self.trie_plen.iter().any(|p| *p != 0);
        for (end, stage) in self.stage_ends.iter().zip(self.stages.iter()) {
            let end = usize::from(*end);
            let words = &self.indices[pos..end];
            if has_tries
                && trie::check_tries(
                    ctx,
                    tries,
                    &self.trie_plen,
                    |w| words.iter().any(|i| usize::from(*i) == w),
                    flow,
                    wc,
                )
            {
                self.unwildcard(wc, pos);
                return None;
            }
            for (i, m) in self.indices[pos..end].iter().zip(&self.masks[pos..end]) {
                h.add(flow.word(usize::from(*i)) & m);
            }
            pos = end;
            let partial = h.finish();
            if stage.find(partial, |(x, _)| *x == partial).is_none() {
                self.unwildcard(wc, end);
                return None;
            }
        }
        let words = &self.indices[pos..];
        if has_tries
            && trie::check_tries(
                ctx,
                tries,
                &self.trie_plen,
                |w| words.iter().any(|i| usize::from(*i) == w),
                flow,
                wc,
            )
        {
            self.unwildcard(wc, pos);
            return None;
        }
        for (i, m) in self.indices[pos..].iter().zip(&self.masks[pos..]) {
            h.add(flow.word(usize::from(*i)) & m);
        }
        let found = self.probe(flow, h.finish());
        if found.is_none() && self.ports_mask_len > 0 {
            // Every field of the final stage decided the miss, so all of
            // them go into `wc`; only the transport ports themselves are
            // narrowed to the prefix the ports trie needed (OVS 3.1 with
            // the fix for CVE-2023-5366, as Debian ships it).
            let value = trie::ports(flow) & self.ports_mask;
            let (mbits, _) = self.ports_trie.lookup(value, 32);
            let before = wc.get_be(offset::TP_SRC, 4);
            self.unwildcard(wc, self.stride());
            wc.set_be(offset::TP_SRC, 4, before);
            trie::set_ports_bits(wc, self.ports_mask, mbits);
            return None;
        }
        self.unwildcard(wc, self.stride());
        found
    }

    fn unwildcard(&self, wc: &mut Flow, upto: usize) {
        for (i, m) in self.indices[..upto].iter().zip(&self.masks[..upto]) {
            let i = usize::from(*i);
            wc.set_word(i, wc.word(i) | m);
        }
    }

    /// Partial hashes of `key` at each non-final stage end (at most three,
    /// since there are four stages).
    fn stage_hashes(&self, key: &[u64]) -> [u64; STAGE_ENDS.len() - 1] {
        let mut out = [0; STAGE_ENDS.len() - 1];
        let mut h = WordHasher::new();
        let mut pos = 0;
        for (o, end) in out.iter_mut().zip(self.stage_ends.iter()) {
            let end = usize::from(*end);
            for w in key.get(pos..end).unwrap_or(&[]) {
                h.add(*w);
            }
            pos = end;
            *o = h.finish();
        }
        out
    }

    /// Inserts a rule whose values are `flow`'s under this subtable's mask;
    /// returns the payload it replaced if the same values and priority were
    /// present.
    pub(crate) fn insert(&mut self, flow: &Flow, priority: u16, value: T) -> Option<T> {
        let new_slot = self.slots.len() as u32;
        let head = self.lookup(flow);
        let mut next = NONE;
        let mut prev = NONE;
        if let Some(head) = head {
            let mut cur = head;
            while cur != NONE {
                let slot = &mut self.slots[cur as usize];
                if slot.priority == priority {
                    return Some(std::mem::replace(&mut slot.value, value));
                }
                if slot.priority < priority {
                    break;
                }
                prev = cur;
                cur = slot.next;
            }
            next = cur;
        }
        self.slots.push(Slot {
            priority,
            next,
            value,
        });
        let (indices, masks) = (&self.indices, &self.masks);
        self.keys.extend(
            indices
                .iter()
                .zip(masks.iter())
                .map(|(i, m)| flow.word(usize::from(*i)) & m),
        );
        let hash = hash_words(self.key(new_slot));
        match head {
            Some(head) if prev == NONE => self.replace_head(hash, head, new_slot),
            Some(_) => self.slots[prev as usize].next = new_slot,
            None => {
                let n = self.stride();
                let keys = &self.keys;
                self.heads.insert_unique(hash, new_slot, |&s| {
                    hash_words(keys.get(s as usize * n..s as usize * n + n).unwrap_or(&[]))
                });
            }
        }
        *self.priorities.entry(priority).or_insert(0) += 1;
        if self.ports_mask_len > 0 {
            self.ports_trie
                .insert(trie::ports(flow) & self.ports_mask, self.ports_mask_len);
        }
        let hashes = self.stage_hashes(self.key(new_slot));
        for (stage, hash) in self.stages.iter_mut().zip(hashes) {
            match stage.find_mut(hash, |(x, _)| *x == hash) {
                Some((_, count)) => *count += 1,
                None => {
                    stage.insert_unique(hash, (hash, 1), |(x, _)| *x);
                }
            }
        }
        None
    }

    /// Points the table entry with key hash `hash` from slot `old` to `new`.
    fn replace_head(&mut self, hash: u64, old: u32, new: u32) {
        if let Some(s) = self.heads.find_mut(hash, |&s| s == old) {
            *s = new;
        } else {
            debug_assert!(false, "chain head missing from its subtable");
        }
    }

    /// Removes the rule in `slot`, returning it.
    pub(crate) fn remove_slot(&mut self, slot: u32) -> Slot<T> {
        let n = self.stride();
        let next = self.slots[slot as usize].next;
        let priority = self.slots[slot as usize].priority;
        let hash = hash_words(self.key(slot));
        let stage_hashes = self.stage_hashes(self.key(slot));
        if self.ports_mask_len > 0 {
            let rule = self.view(slot).to_match().flow;
            self.ports_trie
                .remove(trie::ports(&rule) & self.ports_mask, self.ports_mask_len);
        }

        // Unlink the rule from its chain.
        match self.head_of_slot(hash, slot) {
            Some(head) if head == slot => {
                if next == NONE {
                    if let Ok(entry) = self.heads.find_entry(hash, |&s| s == slot) {
                        entry.remove();
                    }
                } else {
                    self.replace_head(hash, slot, next);
                }
            }
            Some(head) => {
                let prev = self.predecessor(head, slot);
                if let Some(prev) = prev {
                    self.slots[prev as usize].next = next;
                }
            }
            None => debug_assert!(false, "rule missing from its subtable"),
        }

        if let Some(count) = self.priorities.get_mut(&priority) {
            *count -= 1;
            if *count == 0 {
                self.priorities.remove(&priority);
            }
        }
        for (stage, hash) in self.stages.iter_mut().zip(stage_hashes) {
            if let Ok(mut entry) = stage.find_entry(hash, |(x, _)| *x == hash) {
                if entry.get().1 <= 1 {
                    entry.remove();
                } else {
                    entry.get_mut().1 -= 1;
                }
            }
        }

        // The last rule moves into the freed slot: repoint whoever refers
        // to it (the table, or its predecessor in its chain).
        let last = (self.slots.len() - 1) as u32;
        if slot != last {
            let last_hash = hash_words(self.key(last));
            if let Some(head) = self.head_of_slot(last_hash, last) {
                if head == last {
                    self.replace_head(last_hash, last, slot);
                } else {
                    let prev = self.predecessor(head, last);
                    if let Some(prev) = prev {
                        self.slots[prev as usize].next = slot;
                    }
                }
            }
            let (dst, src) = (slot as usize * n, last as usize * n);
            self.keys.copy_within(src..src + n, dst);
        }
        self.keys.truncate(last as usize * n);
        let removed = self.slots.swap_remove(slot as usize);
        self.maybe_shrink();
        removed
    }

    /// The slot whose chain link points at `target`, starting from `head`.
    fn predecessor(&self, head: u32, target: u32) -> Option<u32> {
        self.chain(head)
            .find(|s| self.slots[*s as usize].next == target)
    }

    /// Gives memory back after mass removal, with hysteresis so that a
    /// table oscillating around a size does not reallocate every time.
    fn maybe_shrink(&mut self) {
        let len = self.slots.len();
        if len >= 64 && self.slots.capacity() > 4 * len {
            self.slots.shrink_to(2 * len);
            self.keys.shrink_to(2 * len * self.stride());
            let n = self.stride();
            let keys = &self.keys;
            self.heads.shrink_to(2 * len, |&s| {
                hash_words(keys.get(s as usize * n..s as usize * n + n).unwrap_or(&[]))
            });
            for stage in self.stages.iter_mut() {
                stage.shrink_to(0, |(x, _)| *x);
            }
        }
    }

    /// Heap bytes owned by this subtable, not counting what payloads own.
    pub(crate) fn heap_bytes(&self) -> usize {
        // A B-tree leaf holds up to 11 entries in roughly this many bytes.
        const BTREE_BYTES_PER_ENTRY: usize = 16;
        self.indices.len()
            + self.masks.len() * 8
            + self.stage_ends.len()
            + std::mem::size_of_val::<[StageIndex]>(&self.stages)
            + self
                .stages
                .iter()
                .map(HashTable::allocation_size)
                .sum::<usize>()
            + self.heads.allocation_size()
            + self.keys.capacity() * 8
            + self.slots.capacity() * std::mem::size_of::<Slot<T>>()
            + self.priorities.len() * BTREE_BYTES_PER_ENTRY
    }
}
