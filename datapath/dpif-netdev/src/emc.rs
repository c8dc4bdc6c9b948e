//! The exact-match cache in front of the megaflow table (OVS's EMC): a
//! direct-mapped table from a packet's whole flow to the megaflow it
//! matched, so a steady flow costs one hash and one compare instead of a
//! subtable walk. Entries name megaflows by slot and generation: a removed
//! megaflow's entries stop matching without being hunted down.

use ovs_flow::Flow;

use crate::dpcls::{FlowTable, Slot};

/// OVS's `EM_FLOW_HASH_ENTRIES`.
const ENTRIES: usize = 1 << 13;

struct Entry {
    hash: u64,
    flow: Flow,
    slot: Slot,
    generation: u32,
}

/// The cache. Entries are allocated on first use, so an idle datapath
/// keeps only the index.
pub struct Emc {
    entries: Vec<Option<Box<Entry>>>,
    /// Insert one miss in this many (OVS's `emc-insert-inv-prob`, 100 by
    /// default): short flows then do not evict long ones.
    insert_inv_prob: u32,
    counter: u32,
}

impl Default for Emc {
    fn default() -> Self {
        Emc {
            entries: (0..ENTRIES).map(|_| None).collect(),
            insert_inv_prob: 100,
            counter: 0,
        }
    }
}

impl Emc {
    #[inline]
    pub fn lookup(&self, hash: u64, flow: &Flow, table: &FlowTable) -> Option<Slot> {
        let e = self.entries[(hash as usize) & (ENTRIES - 1)].as_deref()?;
        (e.hash == hash
            && table.generation(e.slot) == e.generation
            && table.get(e.slot).is_some()
            && e.flow == *flow)
            .then_some(e.slot)
    }

    /// Offers an entry; most offers are declined (see `insert_inv_prob`).
    pub fn maybe_insert(&mut self, hash: u64, flow: &Flow, slot: Slot, table: &FlowTable) {
        if self.insert_inv_prob == 0 {
            return;
        }
        self.counter = self.counter.wrapping_add(1);
        if !self.counter.is_multiple_of(self.insert_inv_prob) {
            return;
        }
        let generation = table.generation(slot);
        match &mut self.entries[(hash as usize) & (ENTRIES - 1)] {
            Some(e) => {
                e.hash = hash;
                e.flow.clone_from(flow);
                e.slot = slot;
                e.generation = generation;
            }
            empty => {
                *empty = Some(Box::new(Entry {
                    hash,
                    flow: flow.clone(),
                    slot,
                    generation,
                }))
            }
        }
    }

    /// `other_config:emc-insert-inv-prob` (0 disables the cache).
    #[cfg(test)]
    pub fn set_insert_inv_prob(&mut self, n: u32) {
        self.insert_inv_prob = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ovs_dpif::Ufid;
    use ovs_flow::{PackedFlow, offset};
    use std::sync::Arc;

    #[test]
    fn an_entry_dies_with_its_megaflow() {
        let mut t = FlowTable::default();
        let mut f = Flow::ZERO;
        f.set_be(offset::IN_PORT, 2, 1);
        let mut m = Flow::ZERO;
        m.set_be(offset::IN_PORT, 2, 0xffff);
        let m = Arc::new(m);
        let slot = t
            .insert(Ufid(1), &f, PackedFlow::new(&f), &m, Arc::from(vec![]))
            .unwrap();
        let mut emc = Emc::default();
        emc.set_insert_inv_prob(1);
        let h = crate::dpcls::hash_flow(&f, 0);
        emc.maybe_insert(h, &f, slot, &t);
        assert_eq!(emc.lookup(h, &f, &t), Some(slot));
        let mut other = f.clone();
        other.set_be(offset::NW_TTL, 1, 9);
        assert_eq!(emc.lookup(h, &other, &t), None);
        t.remove(slot);
        let again = t
            .insert(Ufid(2), &f, PackedFlow::new(&f), &m, Arc::from(vec![]))
            .unwrap();
        assert_eq!(again, slot, "the slot is reused");
        assert_eq!(emc.lookup(h, &f, &t), None, "but the old entry is stale");
    }
}
