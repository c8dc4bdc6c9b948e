//! [`Classifier`]: subtables (one per distinct mask) searched in order of
//! their highest rule priority.

use hashbrown::HashTable;
use ovs_flow::{FieldId, Flow, Match};

use crate::subtable::Subtable;
use crate::trie::{MAX_TRIES, TrieCtx, TrieField};
use crate::view::RuleView;
use crate::words::{MaskRef, hash_mask, position};

/// A set of rules, each a [`Match`] and a priority with a payload `T`,
/// answering "which rule has the highest priority among those matching this
/// packet" (OVS's tuple space search).
///
/// A rule is identified by its match and priority: inserting the same pair
/// again replaces the payload. Among matching rules of equal priority,
/// lookups return one chosen by insertion history, the same one every time
/// for the same table contents and operations.
///
/// `Clone` (for `T: Clone`) copies the flat tables without rehashing, for
/// publishing a modified copy while readers keep the old one.
#[derive(Clone)]
pub struct Classifier<T> {
    pub(crate) subtables: Vec<Subtable<T>>,
    /// Subtable index by mask.
    by_mask: HashTable<u32>,
    /// `(max priority, subtable index)`, highest priority first: lookups stop
    /// as soon as no remaining subtable can beat what they found.
    pub(crate) order: Vec<(u16, u32)>,
    len: usize,
    /// Prefix tries, one per prefix field (OVS's `cls->tries`).
    pub(crate) tries: Vec<TrieField>,
}

/// One rule as lookups and iterators return it: its match (a view), its
/// priority and its payload.
pub type Found<'a, T> = (RuleView<'a>, u16, &'a T);

impl<T> Default for Classifier<T> {
    fn default() -> Self {
        Classifier::new()
    }
}

impl<T> std::fmt::Debug for Classifier<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Classifier")
            .field("rules", &self.len)
            .field("subtables", &self.subtables.len())
            .finish()
    }
}

impl<T> Classifier<T> {
    pub fn new() -> Self {
        Classifier {
            subtables: Vec::new(),
            by_mask: HashTable::new(),
            order: Vec::new(),
            len: 0,
            tries: Vec::new(),
        }
    }

    /// A classifier with prefix tries on `fields` (see
    /// [`Classifier::set_prefix_fields`]).
    pub fn with_prefix_fields(fields: &[FieldId]) -> Self {
        let mut c = Classifier::new();
        c.set_prefix_fields(fields);
        c
    }

    /// Keeps prefix tries on up to three `fields` (OVS's
    /// `classifier_set_prefix_fields`; ofproto uses `ip_dst` and `ip_src`
    /// by default): lookups then wildcard the address bits beyond those
    /// that decided a subtable cannot match, as OVS's megaflows do. Fields
    /// that cannot have a trie (not a 4- or 16-byte maskable field) and
    /// repeats are ignored. Returns true if the set changed.
    pub fn set_prefix_fields(&mut self, fields: &[FieldId]) -> bool {
        let mut new: Vec<TrieField> = Vec::new();
        for f in fields {
            if new.len() < MAX_TRIES
                && !new.iter().any(|t| t.field == *f)
                && let Some(t) = TrieField::new(*f)
            {
                new.push(t);
            }
        }
        if new
            .iter()
            .map(|t| t.field)
            .eq(self.tries.iter().map(|t| t.field))
        {
            return false;
        }
        self.tries = new;
        for si in 0..self.subtables.len() {
            let mask = self.subtables[si].mask_flow();
            let tries = &self.tries;
            self.subtables[si].set_trie_plens(&mask, tries);
            let plen = self.subtables[si].trie_plen;
            let n = self.subtables[si].len();
            for slot in 0..n as u32 {
                let flow = self.subtables[si].view(slot).to_match().flow;
                for (j, t) in self.tries.iter_mut().enumerate() {
                    if plen[j] != 0 {
                        t.tree.insert(t.value(&flow), u32::from(plen[j]));
                    }
                }
            }
        }
        true
    }

    /// The prefix fields in use.
    pub fn prefix_fields(&self) -> Vec<FieldId> {
        self.tries.iter().map(|t| t.field).collect()
    }

    fn trie_insert(&mut self, si: usize, flow: &Flow) {
        let plen = self.subtables[si].trie_plen;
        for (j, t) in self.tries.iter_mut().enumerate() {
            if plen[j] != 0 {
                t.tree.insert(t.value(flow), u32::from(plen[j]));
            }
        }
    }

    fn trie_remove(&mut self, si: usize, flow: &Flow) {
        let plen = self.subtables[si].trie_plen;
        for (j, t) in self.tries.iter_mut().enumerate() {
            if plen[j] != 0 {
                t.tree.remove(t.value(flow), u32::from(plen[j]));
            }
        }
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of distinct masks (OVS's subtables), for statistics.
    pub fn n_subtables(&self) -> usize {
        self.subtables.len()
    }

    /// Removes every rule.
    pub fn clear(&mut self) {
        let fields = self.prefix_fields();
        *self = Classifier::with_prefix_fields(&fields);
    }

    /// Heap bytes the classifier owns, not counting memory the payloads
    /// own themselves (their inline size is counted).
    pub fn heap_bytes(&self) -> usize {
        self.subtables.capacity() * std::mem::size_of::<Subtable<T>>()
            + self.by_mask.allocation_size()
            + self.order.capacity() * std::mem::size_of::<(u16, u32)>()
            + self
                .subtables
                .iter()
                .map(Subtable::heap_bytes)
                .sum::<usize>()
    }

    fn subtable_index(&self, mask: &MaskRef<'_>) -> Option<usize> {
        let subtables = &self.subtables;
        self.by_mask
            .find(mask.hash(), |&i| {
                subtables.get(i as usize).is_some_and(|s| s.same_mask(mask))
            })
            .map(|i| *i as usize)
    }

    /// Inserts a rule; returns the payload previously stored under an
    /// identical match and priority, which the new one replaces.
    pub fn insert(&mut self, m: &Match, priority: u16, value: T) -> Option<T> {
        let mask = MaskRef::of(&m.wc);
        let si = match self.subtable_index(&mask) {
            Some(si) => si,
            None => {
                let si = self.subtables.len();
                self.subtables.push(Subtable::new(&mask, &self.tries));
                let subtables = &self.subtables;
                self.by_mask.insert_unique(mask.hash(), si as u32, |&i| {
                    let s = &subtables[i as usize];
                    hash_mask(s.map, s.masks.iter().copied())
                });
                si
            }
        };
        let old_max = self.subtables[si].max_priority();
        let replaced = self.subtables[si].insert(&m.flow, priority, value);
        if replaced.is_none() {
            self.trie_insert(si, &m.flow);
            self.len += 1;
            self.reorder(si, old_max);
        }
        replaced
    }

    /// Removes the rule with exactly this match and priority.
    pub fn remove(&mut self, m: &Match, priority: u16) -> Option<T> {
        let si = self.subtable_index(&MaskRef::of(&m.wc))?;
        let slot = self.subtables[si].find_exact(&m.flow, priority)?;
        let old_max = self.subtables[si].max_priority();
        let removed = self.subtables[si].remove_slot(slot);
        self.trie_remove(si, &m.flow);
        self.len -= 1;
        self.after_removal(si, old_max);
        Some(removed.value)
    }

    /// Drops subtable `si` if it became empty, else re-sorts it. Returns
    /// true if it was dropped (another subtable now has index `si`).
    fn after_removal(&mut self, si: usize, old_max: Option<u16>) -> bool {
        if self.subtables[si].len() == 0 {
            self.drop_subtable(si);
            true
        } else {
            self.reorder(si, old_max);
            false
        }
    }

    /// Keeps `order` sorted after subtable `si`'s max priority may have
    /// changed from `old_max`.
    fn reorder(&mut self, si: usize, old_max: Option<u16>) {
        let new_max = self.subtables[si].max_priority();
        if new_max == old_max {
            return;
        }
        if old_max.is_some() {
            self.order.retain(|(_, i)| *i as usize != si);
        }
        if let Some(p) = new_max {
            // After every subtable of equal priority: stable across calls.
            let at = self.order.partition_point(|(q, _)| *q >= p);
            self.order.insert(at, (p, si as u32));
        }
    }

    fn drop_subtable(&mut self, si: usize) {
        self.order.retain(|(_, i)| *i as usize != si);
        let s = &self.subtables[si];
        if let Ok(e) = self
            .by_mask
            .find_entry(hash_mask(s.map, s.masks.iter().copied()), |&i| {
                i as usize == si
            })
        {
            e.remove();
        }
        let last = self.subtables.len() - 1;
        if si != last {
            let s = &self.subtables[last];
            if let Some(i) = self
                .by_mask
                .find_mut(hash_mask(s.map, s.masks.iter().copied()), |&i| {
                    i as usize == last
                })
            {
                *i = si as u32;
            }
            for (_, i) in self.order.iter_mut() {
                if *i as usize == last {
                    *i = si as u32;
                }
            }
        }
        self.subtables.swap_remove(si);
    }

    fn exact_slot(&self, m: &Match, priority: u16) -> Option<(usize, u32)> {
        let si = self.subtable_index(&MaskRef::of(&m.wc))?;
        Some((si, self.subtables[si].find_exact(&m.flow, priority)?))
    }

    /// The payload of the rule with exactly this match and priority (a
    /// strict OpenFlow match).
    pub fn find_exact(&self, m: &Match, priority: u16) -> Option<&T> {
        let (si, slot) = self.exact_slot(m, priority)?;
        Some(&self.subtables[si].slots[slot as usize].value)
    }

    /// [`Classifier::find_exact`] as lookups answer: view, priority and
    /// payload.
    pub fn find_exact_entry(&self, m: &Match, priority: u16) -> Option<Found<'_, T>> {
        let (si, slot) = self.exact_slot(m, priority)?;
        Some(self.found(si, slot))
    }

    /// [`Classifier::find_exact`], for changing the payload in place.
    pub fn find_exact_mut(&mut self, m: &Match, priority: u16) -> Option<&mut T> {
        let (si, slot) = self.exact_slot(m, priority)?;
        Some(&mut self.subtables[si].slots[slot as usize].value)
    }

    pub(crate) fn found(&self, si: usize, slot: u32) -> Found<'_, T> {
        let s = &self.subtables[si];
        let rule = &s.slots[slot as usize];
        (s.view(slot), rule.priority, &rule.value)
    }

    /// The highest-priority rule matching a packet whose fields are `flow`.
    pub fn lookup(&self, flow: &Flow) -> Option<Found<'_, T>> {
        self.search(|s| s.lookup(flow))
    }

    /// Like [`Classifier::lookup`], and ORs into `wc` every bit the answer
    /// depended on: any packet that agrees with `flow` on `wc`'s bits gets
    /// the same answer (the megaflow property). Subtables that could not
    /// beat the rule already found are not consulted and add nothing; a
    /// subtable whose earlier stages (metadata, L2, L3) already rule out
    /// every rule adds only those stages' bits.
    pub fn lookup_wc(&self, flow: &Flow, wc: &mut Flow) -> Option<Found<'_, T>> {
        let mut ctx = [TrieCtx::default(); MAX_TRIES];
        let tries = &self.tries;
        self.search(|s| s.lookup_wc(flow, wc, tries, &mut ctx))
    }

    fn search(&self, mut probe: impl FnMut(&Subtable<T>) -> Option<u32>) -> Option<Found<'_, T>> {
        let mut best: Option<(usize, u32, u16)> = None;
        for &(max, si) in &self.order {
            if best.is_some_and(|(_, _, p)| max <= p) {
                break;
            }
            let s = &self.subtables[si as usize];
            if let Some(slot) = probe(s) {
                let p = s.slots[slot as usize].priority;
                if best.is_none_or(|(_, _, q)| p > q) {
                    best = Some((si as usize, slot, p));
                }
            }
        }
        best.map(|(si, slot, _)| self.found(si, slot))
    }

    /// Every rule, subtables in descending order of their highest priority
    /// as OVS's classifier cursor visits them (rules within a subtable in
    /// an order fixed by the history).
    pub fn iter(&self) -> impl Iterator<Item = Found<'_, T>> + '_ {
        self.order.iter().flat_map(|&(_, si)| {
            let s = &self.subtables[si as usize];
            s.slots
                .iter()
                .enumerate()
                .map(move |(i, r)| (s.view(i as u32), r.priority, &r.value))
        })
    }

    /// The rules a non-strict OpenFlow modify, delete or stats request with
    /// match `target` selects: those at least as specific as `target` on
    /// `target`'s mask and equal to it there, any priority (OVS's loose
    /// match), in [`Classifier::iter`]'s order.
    pub fn iter_loose<'a>(&'a self, target: &'a Match) -> LooseIter<'a, T> {
        LooseIter {
            cls: self,
            target,
            tmask: MaskRef::of(&target.wc),
            twords: MaskRef::of(&target.wc)
                .words()
                .map(|(i, m)| (i, m, target.flow.word(i) & m))
                .collect(),
            positions: Vec::new(),
            sub: 0,
            state: LooseState::Start,
        }
    }

    /// True if a rule of priority `priority` matches some packet that `m`
    /// matches too (what OFPFF_CHECK_OVERLAP refuses). An identical rule
    /// counts.
    pub fn overlaps(&self, m: &Match, priority: u16) -> bool {
        for &(max, si) in &self.order {
            if max < priority {
                break;
            }
            let s = &self.subtables[si as usize];
            if !s.has_priority(priority) {
                continue;
            }
            let specific = s
                .indices
                .iter()
                .zip(s.masks.iter())
                .all(|(i, sm)| m.wc.word(usize::from(*i)) & sm == *sm);
            if specific {
                // `m` fixes every bit this subtable looks at, so only rules
                // with exactly `m`'s values there can overlap: one probe.
                if let Some(head) = s.lookup(&m.flow)
                    && s.chain(head)
                        .any(|slot| s.slots[slot as usize].priority == priority)
                {
                    return true;
                }
            } else if s
                .slots
                .iter()
                .enumerate()
                .any(|(i, r)| r.priority == priority && s.view(i as u32).overlaps(m))
            {
                return true;
            }
        }
        false
    }

    /// Keeps only the rules for which `keep` returns true.
    pub fn retain(&mut self, mut keep: impl FnMut(RuleView<'_>, u16, &mut T) -> bool) {
        self.remove_where(|v, p, t| !keep(v, p, t), None);
    }

    /// Removes the rules for which `pred` returns true and returns them.
    pub fn extract_if(
        &mut self,
        pred: impl FnMut(RuleView<'_>, u16, &mut T) -> bool,
    ) -> Vec<(Match, u16, T)> {
        let mut out = Vec::new();
        self.remove_where(pred, Some(&mut out));
        out
    }

    fn remove_where(
        &mut self,
        mut pred: impl FnMut(RuleView<'_>, u16, &mut T) -> bool,
        mut out: Option<&mut Vec<(Match, u16, T)>>,
    ) {
        let mut si = 0;
        while si < self.subtables.len() {
            let old_max = self.subtables[si].max_priority();
            let mut slot = 0u32;
            while let Some((view, priority, value)) = self.subtables[si].entry_mut(slot) {
                if !pred(view, priority, value) {
                    slot += 1;
                    continue;
                }
                let m = (out.is_some() || !self.tries.is_empty()).then(|| view.to_match());
                // The last rule moves into `slot`; look at it next.
                let removed = self.subtables[si].remove_slot(slot);
                if let Some(m) = &m {
                    self.trie_remove(si, &m.flow);
                }
                self.len -= 1;
                if let (Some(out), Some(m)) = (out.as_deref_mut(), m) {
                    out.push((m, removed.priority, removed.value));
                }
            }
            if !self.after_removal(si, old_max) {
                si += 1;
            }
        }
    }
}

enum LooseState {
    /// About to examine subtable `sub`.
    Start,
    /// Walking the chain of rules with the target's exact key.
    Chain(u32),
    /// Scanning every rule of a subtable more specific than the target.
    Scan(u32),
}

/// Iterator returned by [`Classifier::iter_loose`].
pub struct LooseIter<'a, T> {
    cls: &'a Classifier<T>,
    target: &'a Match,
    tmask: MaskRef<'a>,
    /// `(word index, mask, value)` of each word the target constrains.
    twords: Vec<(usize, u64, u64)>,
    /// Where each of `twords` sits in the current subtable's key.
    positions: Vec<u8>,
    sub: usize,
    state: LooseState,
}

impl<T> std::fmt::Debug for LooseIter<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LooseIter").field("sub", &self.sub).finish()
    }
}

impl<'a, T> LooseIter<'a, T> {
    /// Prepares subtable `sub`; false if it cannot hold loose matches
    /// because it wildcards some bit the target fixes.
    fn enter(&mut self, s: &Subtable<T>) -> bool {
        self.positions.clear();
        for (i, tm, _) in &self.twords {
            match position(s.map, *i) {
                Some(p) if s.masks[p] & tm == *tm => self.positions.push(p as u8),
                _ => return false,
            }
        }
        true
    }

    fn selects(&self, s: &Subtable<T>, slot: u32) -> bool {
        let key = s.key(slot);
        self.twords
            .iter()
            .zip(&self.positions)
            .all(|((_, tm, tv), p)| key.get(usize::from(*p)).is_some_and(|v| v & tm == *tv))
    }
}

impl<'a, T> Iterator for LooseIter<'a, T> {
    type Item = Found<'a, T>;

    fn next(&mut self) -> Option<Self::Item> {
        let cls = self.cls;
        loop {
            let &(_, si) = cls.order.get(self.sub)?;
            let s = &cls.subtables[si as usize];
            match self.state {
                LooseState::Start => {
                    if !self.enter(s) {
                        self.sub += 1;
                        continue;
                    }
                    if s.same_mask(&self.tmask) {
                        match s.lookup(&self.target.flow) {
                            Some(head) => self.state = LooseState::Chain(head),
                            None => self.sub += 1,
                        }
                    } else {
                        self.state = LooseState::Scan(0);
                    }
                }
                LooseState::Chain(slot) => {
                    let rule = &s.slots[slot as usize];
                    let item = (s.view(slot), rule.priority, &rule.value);
                    match s.next_in_chain(slot) {
                        Some(next) => self.state = LooseState::Chain(next),
                        None => {
                            self.sub += 1;
                            self.state = LooseState::Start;
                        }
                    }
                    return Some(item);
                }
                LooseState::Scan(slot) => {
                    if slot as usize >= s.len() {
                        self.sub += 1;
                        self.state = LooseState::Start;
                        continue;
                    }
                    self.state = LooseState::Scan(slot + 1);
                    if self.selects(s, slot) {
                        let rule = &s.slots[slot as usize];
                        return Some((s.view(slot), rule.priority, &rule.value));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ovs_flow::offset;

    fn ip_dst(addr: u32, mask: u32) -> Match {
        let mut m = Match::catchall();
        m.wc.set_be(offset::DL_TYPE, 2, 0xffff);
        m.flow.set_be(offset::DL_TYPE, 2, 0x0800);
        m.wc.set_be(offset::NW_DST, 4, u64::from(mask));
        m.flow.set_be(offset::NW_DST, 4, u64::from(addr & mask));
        m
    }

    fn packet(dst: u32, tp_dst: u16) -> Flow {
        let mut f = Flow::ZERO;
        f.set_be(offset::DL_TYPE, 2, 0x0800);
        f.set_be(offset::NW_DST, 4, u64::from(dst));
        f.set_be(offset::NW_PROTO, 1, 6);
        f.set_be(offset::TP_DST, 2, u64::from(tp_dst));
        f
    }

    #[test]
    fn insert_replace_find_remove() {
        let mut c = Classifier::new();
        let m = ip_dst(0x0a00_0001, !0);
        assert_eq!(c.insert(&m, 10, "a"), None);
        assert_eq!(c.insert(&m, 20, "b"), None);
        assert_eq!(c.insert(&m, 10, "c"), Some("a"));
        assert_eq!(c.len(), 2);
        assert_eq!(c.n_subtables(), 1);
        assert_eq!(c.find_exact(&m, 10), Some(&"c"));
        assert_eq!(c.find_exact(&m, 20), Some(&"b"));
        assert_eq!(c.find_exact(&m, 30), None);
        *c.find_exact_mut(&m, 20).unwrap() = "d";

        let hit = c.lookup(&packet(0x0a00_0001, 80)).unwrap();
        assert_eq!((hit.1, *hit.2), (20, "d"));
        assert_eq!(hit.0.to_match(), m);
        assert!(c.lookup(&packet(0x0a00_0002, 80)).is_none());

        assert_eq!(c.remove(&m, 20), Some("d"));
        assert_eq!(c.remove(&m, 20), None);
        assert_eq!(c.lookup(&packet(0x0a00_0001, 80)).unwrap().1, 10);
        assert_eq!(c.remove(&m, 10), Some("c"));
        assert!(c.is_empty());
        assert_eq!(c.n_subtables(), 0);
        assert!(c.lookup(&packet(0x0a00_0001, 80)).is_none());
    }

    #[test]
    fn priority_order_across_subtables() {
        let mut c = Classifier::new();
        c.insert(&Match::catchall(), 0, "default");
        c.insert(&ip_dst(0x0a00_0000, 0xff00_0000), 100, "ten/8");
        c.insert(&ip_dst(0x0a01_0000, 0xffff_0000), 200, "ten.one/16");
        c.insert(&ip_dst(0x0a01_0203, !0), 50, "host, low priority");
        let find = |c: &Classifier<&'static str>, a| *c.lookup(&packet(a, 0)).unwrap().2;
        assert_eq!(find(&c, 0x0a01_0203), "ten.one/16");
        assert_eq!(find(&c, 0x0a02_0203), "ten/8");
        assert_eq!(find(&c, 0x0b00_0000), "default");
        assert_eq!(c.n_subtables(), 4);
    }

    #[test]
    fn lookup_wc_unwildcards_consulted_bits_only() {
        let mut c = Classifier::new();
        // Highest priority: an L4 rule whose L3 part will not match.
        let mut l4 = ip_dst(0x0b00_0001, !0);
        l4.wc.set_be(offset::NW_PROTO, 1, 0xff);
        l4.flow.set_be(offset::NW_PROTO, 1, 6);
        l4.wc.set_be(offset::TP_DST, 2, 0xffff);
        l4.flow.set_be(offset::TP_DST, 2, 22);
        c.insert(&l4, 300, "ssh to b");
        c.insert(&ip_dst(0x0a00_0000, 0xff00_0000), 200, "ten/8");
        c.insert(&Match::catchall(), 0, "default");
        c.insert(&ip_dst(0x0a00_0001, !0), 100, "never consulted");

        let mut wc = Flow::ZERO;
        let hit = c.lookup_wc(&packet(0x0a00_0001, 22), &mut wc).unwrap();
        assert_eq!(*hit.2, "ten/8");
        // The L4 subtable missed at its L3 stage: ports stay wildcarded.
        assert_eq!(wc.get_be(offset::TP_DST, 2), 0);
        assert_eq!(wc.get_be(offset::DL_TYPE, 2), 0xffff);
        assert_eq!(wc.get_be(offset::NW_DST, 4), 0xffff_ffff);
        // nw_proto shares the L3 stage with nw_dst, so it was examined.
        assert_eq!(wc.get_be(offset::NW_PROTO, 1), 0xff);

        let mut wc = Flow::ZERO;
        assert_eq!(
            *c.lookup_wc(&packet(0x0b00_0001, 22), &mut wc).unwrap().2,
            "ssh to b"
        );
        assert_eq!(wc.get_be(offset::TP_DST, 2), 0xffff);
        assert_eq!(wc.get_be(offset::NW_PROTO, 1), 0xff);
    }

    #[test]
    fn loose_iteration_and_overlap() {
        let mut c = Classifier::new();
        c.insert(&ip_dst(0x0a00_0001, !0), 1, 1);
        c.insert(&ip_dst(0x0a00_0001, !0), 2, 2);
        c.insert(&ip_dst(0x0a00_0002, !0), 1, 3);
        c.insert(&ip_dst(0x0a00_0000, 0xffff_ff00), 1, 4);
        c.insert(&ip_dst(0x0b00_0000, 0xff00_0000), 1, 5);
        c.insert(&Match::catchall(), 1, 6);

        let sorted = |it: LooseIter<'_, i32>| {
            let mut v: Vec<i32> = it.map(|(_, _, t)| *t).collect();
            v.sort();
            v
        };
        assert_eq!(
            sorted(c.iter_loose(&Match::catchall())),
            vec![1, 2, 3, 4, 5, 6]
        );
        assert_eq!(sorted(c.iter_loose(&ip_dst(0x0a00_0001, !0))), vec![1, 2]);
        assert_eq!(
            sorted(c.iter_loose(&ip_dst(0x0a00_0000, 0xffff_0000))),
            vec![1, 2, 3, 4]
        );
        assert_eq!(
            sorted(c.iter_loose(&ip_dst(0x0c00_0000, 0xff00_0000))),
            vec![]
        );

        assert!(c.overlaps(&ip_dst(0x0a00_0003, !0), 1)); // the /24 and catch-all
        assert!(!c.overlaps(&ip_dst(0x0a00_0003, !0), 2));
        assert!(c.overlaps(&ip_dst(0x0a00_0001, !0), 2));
        assert!(!c.overlaps(&ip_dst(0x0a00_0000, 0xff00_0000), 3));
    }

    #[test]
    fn retain_and_extract() {
        let mut c = Classifier::new();
        for i in 0..1000u32 {
            c.insert(&ip_dst(0x0a00_0000 + i, !0), (i % 7) as u16, i);
        }
        c.insert(&Match::catchall(), 0, 5000);
        c.retain(|_, p, v| {
            *v += 1;
            p != 3
        });
        assert_eq!(c.len(), 1001 - 1000 / 7 - 1);
        assert!(c.iter().all(|(_, p, _)| p != 3));
        assert_eq!(c.find_exact(&ip_dst(0x0a00_0001, !0), 1), Some(&2));
        let out = c.extract_if(|v, _, _| v.mask_word(offset::NW_DST / 8) != 0);
        assert_eq!(out.len(), 1001 - 1000 / 7 - 1 - 1);
        assert!(
            out.iter()
                .all(|(m, p, v)| m == &ip_dst(0x0a00_0000 + v - 1, !0) && *p != 3)
        );
        assert_eq!(c.len(), 1);
        assert_eq!(c.n_subtables(), 1);
        assert_eq!(*c.lookup(&packet(1, 1)).unwrap().2, 5001);
    }

    #[test]
    fn chains_survive_slot_moves() {
        // Same match at many priorities, interleaved with other keys, so
        // swap_remove moves chain members and heads around.
        let mut c = Classifier::new();
        for p in 0..50u16 {
            for a in 0..4u32 {
                c.insert(&ip_dst(a, !0), p, (a, p));
            }
        }
        for p in (0..50u16).step_by(3) {
            assert_eq!(c.remove(&ip_dst(1, !0), p), Some((1, p)));
        }
        for p in (1..50u16).step_by(2) {
            assert_eq!(c.remove(&ip_dst(2, !0), p), Some((2, p)));
        }
        assert_eq!(c.lookup(&packet(1, 0)).unwrap().1, 49);
        assert_eq!(c.lookup(&packet(2, 0)).unwrap().1, 48);
        assert_eq!(c.lookup(&packet(3, 0)).unwrap().1, 49);
        for p in 0..50u16 {
            assert_eq!(c.find_exact(&ip_dst(1, !0), p).is_some(), p % 3 != 0);
            assert_eq!(c.find_exact(&ip_dst(2, !0), p).is_some(), p % 2 == 0);
            assert_eq!(c.find_exact(&ip_dst(0, !0), p), Some(&(0, p)));
        }
    }

    #[test]
    fn bytes_per_rule_report() {
        // The benchmark's shape: `priority=1000..2007,ip,nw_dst=10.200.x.y`.
        let mut c: Classifier<u64> = Classifier::new();
        let n = 100_000u32;
        for i in 0..n {
            c.insert(&ip_dst(0x0ac8_0000 + i, !0), 1000 + (i % 1008) as u16, 0);
        }
        let per_rule = c.heap_bytes() as f64 / f64::from(n);
        let payload = std::mem::size_of::<u64>() as f64;
        eprintln!(
            "classifier: {n} rules, {} heap bytes, {per_rule:.1} bytes/rule \
             including an 8-byte payload",
            c.heap_bytes()
        );
        assert!(per_rule - payload < 150.0);
    }
}
