//! Conjunctive matches (OVS's `conjunction(id, k/n)` flows and `conj_id`).
//!
//! A rule whose only actions are `conjunction(...)` is a "soft" match: it
//! matching a packet proves nothing by itself. When, at one priority, soft
//! matches cover every clause `1..=n` of some conjunction `id`, the lookup
//! runs again with the packet's `conj_id` set to `id`, and a rule matching
//! `conj_id=id` (or any other rule that wins that second lookup) is the
//! answer. If no conjunction completes at the highest soft priority, the
//! lookup falls back to lower-priority rules with the same matches as those
//! soft matches, exactly as OVS's `classifier_lookup__` does, so the rule
//! found and the bits un-wildcarded are OVS's.
//!
//! Which rules are soft is the caller's knowledge (the classifier does not
//! know actions): the lookup asks a function for each candidate's
//! conjunctions, an empty list meaning a plain ("hard") rule.

use ovs_flow::{Flow, offset};

use crate::classifier::{Classifier, Found};
use crate::trie::{MAX_TRIES, TrieCtx};

/// One `conjunction(id, clause/n_clauses)` action of a rule; `clause` is
/// 0-based (the action's `k` minus one), `n_clauses` is 2 to 64.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Conjunction {
    pub id: u32,
    pub clause: u8,
    pub n_clauses: u8,
}

/// What a lookup asks of the payloads: a rule's conjunctions and whether
/// the lookup may see it.
struct Look<'l, T> {
    conjunctions: &'l dyn Fn(&T) -> Vec<Conjunction>,
    visible: &'l dyn Fn(&T) -> bool,
}

/// A soft match found by the lookup: the rule (subtable, slot), its
/// priority and its conjunctions (OVS's `cls_conjunction_set`).
struct Soft {
    si: usize,
    slot: u32,
    priority: u16,
    conj: Vec<Conjunction>,
    min_n_clauses: u8,
}

impl Soft {
    fn new(si: usize, slot: u32, priority: u16, conj: Vec<Conjunction>) -> Soft {
        let min_n_clauses = conj.iter().map(|c| c.n_clauses).min().unwrap_or(0);
        Soft {
            si,
            slot,
            priority,
            conj,
            min_n_clauses,
        }
    }
}

/// The conjunctions seen so far at one priority: id and the clauses
/// present, bits past `n_clauses` preset (OVS's `conjunctive_match`).
type Partial = Vec<(u32, u64)>;

/// OVS's `find_conjunctive_match`: adds `set`'s clauses to `matches` and
/// returns the first conjunction id whose clauses are then all present.
/// Conjunctions needing more clauses than `max_n_clauses` (the number of
/// soft matches at this priority) cannot complete and are skipped.
fn find_conjunctive_match(set: &Soft, max_n_clauses: usize, matches: &mut Partial) -> Option<u32> {
    if max_n_clauses < usize::from(set.min_n_clauses) {
        return None;
    }
    for c in &set.conj {
        if usize::from(c.n_clauses) > max_n_clauses {
            continue;
        }
        let i = match matches.iter().position(|(id, _)| *id == c.id) {
            Some(i) => i,
            None => {
                // OVS shifts by n_clauses modulo 64: 64 clauses start full.
                matches.push((c.id, u64::MAX << (c.n_clauses & 63)));
                matches.len() - 1
            }
        };
        let entry = &mut matches[i];
        entry.1 |= 1u64 << (c.clause & 63);
        if entry.1 == u64::MAX {
            return Some(entry.0);
        }
    }
    None
}

impl<T> Classifier<T> {
    /// [`Classifier::lookup_wc`] with conjunctive matches: `conjunctions`
    /// gives a rule's `conjunction(...)` actions (empty for an ordinary
    /// rule). Soft rules are never returned; a completed conjunction `id`
    /// answers with what a lookup of the packet with `conj_id` set to `id`
    /// finds. `wc` gets the bits every lookup involved depended on
    /// (`conj_id`'s among them: a caller building a datapath flow clears
    /// it, as it clears other metadata).
    pub fn lookup_wc_conj(
        &self,
        flow: &Flow,
        wc: &mut Flow,
        conjunctions: &dyn Fn(&T) -> Vec<Conjunction>,
    ) -> Option<Found<'_, T>> {
        self.lookup_wc_visible(flow, wc, conjunctions, &|_| true)
    }

    /// [`Classifier::lookup_wc_conj`] for a lookup that must not see some
    /// rules yet, as OVS's lookups in an older classifier version do not
    /// see rules added in a newer one: an invisible rule is never found
    /// (the next visible rule with the same match is), but its subtable,
    /// its priority and its prefixes take part in the search like any
    /// other rule's, so the bits they make the lookup consult go into
    /// `wc`.
    pub fn lookup_wc_visible(
        &self,
        flow: &Flow,
        wc: &mut Flow,
        conjunctions: &dyn Fn(&T) -> Vec<Conjunction>,
        visible: &dyn Fn(&T) -> bool,
    ) -> Option<Found<'_, T>> {
        let look = Look {
            conjunctions,
            visible,
        };
        let (si, slot) = self.lookup_conj__(flow, wc, &look, true)?;
        Some(self.found(si, slot))
    }

    /// The first visible rule of the chain from `slot` on (OVS's
    /// `find_match` within one hash bucket).
    fn first_visible(&self, si: usize, slot: u32, look: &Look<'_, T>) -> Option<u32> {
        let s = &self.subtables[si];
        s.chain(slot)
            .find(|x| (look.visible)(&s.slots[*x as usize].value))
    }

    /// OVS's `classifier_lookup__`.
    fn lookup_conj__(
        &self,
        flow: &Flow,
        wc: &mut Flow,
        look: &Look<'_, T>,
        allow_conjunctive: bool,
    ) -> Option<(usize, u32)> {
        let conjunctions = look.conjunctions;
        let mut ctx = [TrieCtx::default(); MAX_TRIES];
        let tries = &self.tries;
        let mut hard: Option<(usize, u32)> = None;
        let mut hard_pri: i32 = i32::MIN;
        let mut soft: Vec<Option<Soft>> = Vec::new();
        let mut soft_pri: i32 = i32::MIN;
        for &(max, si) in &self.order {
            if i32::from(max) <= hard_pri {
                break;
            }
            let si = si as usize;
            let s = &self.subtables[si];
            let Some(slot) = s
                .lookup_wc(flow, wc, tries, &mut ctx)
                .and_then(|head| self.first_visible(si, head, look))
            else {
                continue;
            };
            let rule = &s.slots[slot as usize];
            let p = i32::from(rule.priority);
            if p <= hard_pri {
                continue;
            }
            let conj = conjunctions(&rule.value);
            if conj.is_empty() {
                hard = Some((si, slot));
                hard_pri = p;
            } else if allow_conjunctive {
                soft.push(Some(Soft::new(si, slot, rule.priority, conj)));
                soft_pri = soft_pri.max(p);
            }
        }
        if hard_pri >= soft_pri {
            return hard;
        }

        loop {
            // Drop the exhausted soft matches and those the hard match
            // beats (moving the last one into the hole, as OVS does: the
            // order decides which conjunction completes first).
            let mut i = 0;
            while i < soft.len() {
                if soft[i]
                    .as_ref()
                    .is_none_or(|s| i32::from(s.priority) <= hard_pri)
                {
                    soft.swap_remove(i);
                } else {
                    i += 1;
                }
            }
            if soft.is_empty() {
                break;
            }
            let top = soft.iter().flatten().map(|s| s.priority).max().unwrap_or(0);
            let n_top = soft.iter().flatten().filter(|s| s.priority == top).count();

            let mut matches = Partial::new();
            for s in soft.iter().flatten() {
                if s.priority != top {
                    continue;
                }
                if let Some(id) = find_conjunctive_match(s, n_top, &mut matches) {
                    let mut with_id = flow.clone();
                    with_id.set_be(offset::CONJ_ID, 4, u64::from(id));
                    if let Some(found) = self.lookup_conj__(&with_id, wc, look, false) {
                        return Some(found);
                    }
                }
            }

            // No conjunction completed at this priority: step each of its
            // soft matches down to the next rule with the same match.
            for entry in soft.iter_mut() {
                let Some(s) = entry else { continue };
                if s.priority != top {
                    continue;
                }
                let si = s.si;
                let sub = &self.subtables[si];
                let next = sub
                    .next_in_chain(s.slot)
                    .and_then(|n| self.first_visible(si, n, look));
                *entry = match next {
                    Some(next) => {
                        let rule = &sub.slots[next as usize];
                        let conj = conjunctions(&rule.value);
                        if conj.is_empty() {
                            if i32::from(rule.priority) > hard_pri {
                                hard = Some((si, next));
                                hard_pri = i32::from(rule.priority);
                            }
                            None
                        } else {
                            Some(Soft::new(si, next, rule.priority, conj))
                        }
                    }
                    None => None,
                };
            }
        }
        hard
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ovs_flow::{FieldId, Match};

    /// Payload: the rule's name and its conjunctions.
    type R = (&'static str, Vec<Conjunction>);

    fn conj(r: &R) -> Vec<Conjunction> {
        r.1.clone()
    }

    fn c(id: u32, clause: u8, n_clauses: u8) -> Conjunction {
        Conjunction {
            id,
            clause,
            n_clauses,
        }
    }

    fn m(fields: &[(FieldId, u128)]) -> Match {
        let mut m = Match::default();
        for (f, v) in fields {
            m.set_exact_uint(*f, *v).expect("test field");
        }
        m
    }

    fn packet(src: u32, proto: u8, dst_port: u16) -> Flow {
        let mut f = Flow::ZERO;
        f.set_be(offset::DL_TYPE, 2, 0x0800);
        f.set_be(offset::NW_SRC, 4, u64::from(src));
        f.set_be(offset::NW_PROTO, 1, u64::from(proto));
        f.set_be(offset::TP_DST, 2, u64::from(dst_port));
        f
    }

    /// The pipeline of the differential test's `conjunction` scenario.
    fn table() -> Classifier<R> {
        use FieldId as F;
        let mut cls = Classifier::new();
        let ip = (F::EthType, 0x0800);
        let tcp = (F::IpProto, 6);
        cls.insert(
            &m(&[ip, (F::Ipv4Src, 0x0a00_0001)]),
            10,
            ("src1", vec![c(7, 0, 2)]),
        );
        cls.insert(
            &m(&[ip, (F::Ipv4Src, 0x0a00_0003)]),
            10,
            ("src3", vec![c(7, 0, 2)]),
        );
        cls.insert(
            &m(&[ip, tcp, (F::TcpDst, 80)]),
            10,
            ("dst80", vec![c(7, 1, 2)]),
        );
        cls.insert(
            &m(&[ip, tcp, (F::TcpDst, 443)]),
            10,
            ("dst443", vec![c(7, 1, 2)]),
        );
        cls.insert(&m(&[ip, (F::ConjId, 7)]), 10, ("conj7", vec![]));
        cls.insert(&Match::default(), 1, ("other", vec![]));
        cls
    }

    fn name(cls: &Classifier<R>, f: &Flow) -> (&'static str, Flow) {
        let mut wc = Flow::ZERO;
        let r = cls
            .lookup_wc_conj(f, &mut wc, &conj)
            .map_or("none", |(_, _, r)| r.0);
        (r, wc)
    }

    #[test]
    fn both_dimensions_must_match() {
        let cls = table();
        let (r, wc) = name(&cls, &packet(0x0a00_0001, 6, 80));
        assert_eq!(r, "conj7");
        assert_eq!(wc.get_be(offset::NW_SRC, 4), 0xffff_ffff);
        assert_eq!(wc.get_be(offset::TP_DST, 2), 0xffff);
        assert_eq!(wc.get_be(offset::CONJ_ID, 4), 0xffff_ffff);
        assert_eq!(name(&cls, &packet(0x0a00_0003, 6, 443)).0, "conj7");
        // One dimension only: the lower-priority rule.
        assert_eq!(name(&cls, &packet(0x0a00_0003, 6, 22)).0, "other");
        assert_eq!(name(&cls, &packet(0x0a00_0004, 6, 443)).0, "other");
        // A soft rule is never the answer, even alone.
        let mut alone: Classifier<R> = Classifier::new();
        alone.insert(&Match::default(), 5, ("soft", vec![c(1, 0, 2)]));
        assert_eq!(name(&alone, &packet(1, 6, 1)).0, "none");
    }

    #[test]
    fn falls_back_to_a_lower_rule_with_the_same_match() {
        use FieldId as F;
        let mut cls = table();
        // Same match as "src3", lower priority, an ordinary rule: it wins
        // when the conjunction does not complete.
        cls.insert(
            &m(&[(F::EthType, 0x0800), (F::Ipv4Src, 0x0a00_0003)]),
            5,
            ("src3-low", vec![]),
        );
        assert_eq!(name(&cls, &packet(0x0a00_0003, 6, 22)).0, "src3-low");
        assert_eq!(name(&cls, &packet(0x0a00_0003, 6, 80)).0, "conj7");
    }

    #[test]
    fn invisible_rules_only_widen_the_mask() {
        use FieldId as F;
        let mut cls: Classifier<R> = Classifier::new();
        cls.insert(&Match::default(), 0, ("any", vec![]));
        cls.insert(
            &m(&[(F::EthDst, 0x5054_0000_0001)]),
            100,
            ("hidden", vec![]),
        );
        let visible = |r: &R| r.0 != "hidden";
        let mut f = Flow::ZERO;
        f.set_be(offset::DL_DST, 6, 0x5054_0000_0001);
        let mut wc = Flow::ZERO;
        let r = cls.lookup_wc_visible(&f, &mut wc, &conj, &visible);
        assert_eq!(r.map(|(_, _, r)| r.0), Some("any"));
        assert_eq!(wc.get_be(offset::DL_DST, 6), 0xffff_ffff_ffff);
        // Hidden behind it, a visible rule with the same match is found.
        cls.insert(&m(&[(F::EthDst, 0x5054_0000_0001)]), 50, ("same", vec![]));
        let r = cls.lookup_wc_visible(&f, &mut wc, &conj, &visible);
        assert_eq!(r.map(|(_, _, r)| r.0), Some("same"));
    }

    #[test]
    fn clauses_count_per_priority() {
        use FieldId as F;
        let mut cls: Classifier<R> = Classifier::new();
        // Clause 1 at priority 20, clause 2 at priority 10: never together.
        cls.insert(&m(&[(F::EthType, 0x0800)]), 20, ("a", vec![c(3, 0, 2)]));
        cls.insert(
            &m(&[(F::IpProto, 6), (F::EthType, 0x0800)]),
            10,
            ("b", vec![c(3, 1, 2)]),
        );
        cls.insert(&m(&[(F::ConjId, 3)]), 30, ("conj3", vec![]));
        assert_eq!(name(&cls, &packet(1, 6, 1)).0, "none");
        // Both at priority 20: the conjunction completes.
        cls.insert(
            &m(&[(F::IpProto, 6), (F::EthType, 0x0800)]),
            20,
            ("b2", vec![c(3, 1, 2)]),
        );
        assert_eq!(name(&cls, &packet(1, 6, 1)).0, "conj3");
        // A conjunction cannot complete with fewer soft matches than it
        // has clauses.
        let mut wide: Classifier<R> = Classifier::new();
        wide.insert(&Match::default(), 9, ("w", vec![c(4, 5, 64)]));
        wide.insert(&m(&[(F::ConjId, 4)]), 1, ("conj4", vec![]));
        assert_eq!(name(&wide, &packet(1, 6, 1)).0, "none");
    }
}
