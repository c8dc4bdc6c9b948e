//! The classifier against a linear-scan reference on random rule sets
//! (the idea of OVS's tests/test-classifier.c).

use ovs_classifier::Classifier;
use ovs_flow::{FLOW_WORDS, Flow, Match, offset};
use proptest::prelude::*;

/// `(offset, length)` of the fields rules are built from: a few per lookup
/// stage, so staged lookups and cross-stage masks get exercised.
const FIELDS: [(usize, usize); 9] = [
    (offset::METADATA, 8),
    (offset::REGS, 4),
    (offset::DL_TYPE, 2),
    (offset::VLAN0_TCI, 2),
    (offset::NW_SRC, 4),
    (offset::NW_DST, 4),
    (offset::NW_PROTO, 1),
    (offset::TP_SRC, 2),
    (offset::TP_DST, 2),
];

/// Masks from a small menu, so that rules share subtables and values
/// collide often enough to make matches, ties and overlaps common.
fn mask_strategy() -> impl Strategy<Value = u64> {
    prop_oneof![
        8 => Just(0u64),
        3 => Just(u64::MAX),
        1 => Just(1u64),
        1 => Just(2u64),
        1 => Just(!1u64),
        1 => Just(0xffff_ff00u64),
        1 => Just(0xffff_0000u64),
    ]
}

/// Field values: small numbers, except that 3 in `eth_type` is IPv4, so
/// the prefix tries (which need an IPv4 packet) get consulted.
fn field_value(off: usize, v: u64) -> u64 {
    if off == offset::DL_TYPE && v == 3 {
        0x0800
    } else {
        v
    }
}

fn mask_of(spec: &[u64]) -> Flow {
    let mut wc = Flow::ZERO;
    for ((off, len), mask) in FIELDS.iter().zip(spec) {
        wc.set_be(*off, *len, *mask);
    }
    wc
}

fn with_values(wc: &Flow, values: &[u64]) -> Match {
    let mut m = Match::catchall();
    for ((off, len), v) in FIELDS.iter().zip(values) {
        m.flow.set_be(*off, *len, field_value(*off, *v));
    }
    m.flow = m.flow.masked(wc);
    m.wc = wc.clone();
    m
}

fn match_strategy() -> impl Strategy<Value = Match> {
    (
        proptest::collection::vec(mask_strategy(), FIELDS.len()),
        proptest::collection::vec(0u64..4, FIELDS.len()),
    )
        .prop_map(|(masks, values)| with_values(&mask_of(&masks), &values))
}

/// Rules drawn from a few masks, so that subtables hold several keys and
/// several priorities.
fn pool_strategy() -> impl Strategy<Value = Vec<Match>> {
    (
        proptest::collection::vec(
            proptest::collection::vec(mask_strategy(), FIELDS.len()),
            1..4,
        ),
        proptest::collection::vec(
            (
                any::<usize>(),
                proptest::collection::vec(0u64..4, FIELDS.len()),
            ),
            1..12,
        ),
    )
        .prop_map(|(masks, rules)| {
            let masks: Vec<Flow> = masks.iter().map(|m| mask_of(m)).collect();
            rules
                .iter()
                .map(|(pick, values)| with_values(&masks[pick % masks.len()], values))
                .collect()
        })
}

/// A packet built from small random field values, then forced to match
/// pool rule `seed % pool.len()` so that lookups hit (and collide) often.
fn packet_strategy() -> impl Strategy<Value = (usize, Vec<u64>)> {
    (
        any::<usize>(),
        proptest::collection::vec(0u64..4, FIELDS.len()),
    )
}

fn make_packet(pool: &[Match], (seed, values): &(usize, Vec<u64>)) -> Flow {
    let mut f = Flow::ZERO;
    for ((off, len), v) in FIELDS.iter().zip(values) {
        f.set_be(*off, *len, field_value(*off, *v));
    }
    // Every third packet is left alone, to also cover misses.
    if let Some(rule) = pool.get(seed % (pool.len() * 3)) {
        for i in 0..FLOW_WORDS {
            f.set_word(i, (f.word(i) & !rule.wc.word(i)) | rule.flow.word(i));
        }
    }
    f
}

fn noise_strategy() -> impl Strategy<Value = Vec<u64>> {
    proptest::collection::vec(any::<u64>(), FLOW_WORDS)
}

#[derive(Clone, Debug)]
enum Op {
    Insert { rule: usize, priority: u16 },
    Remove { rule: usize, priority: u16 },
}

fn op_strategy(n_rules: usize) -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..n_rules, 0u16..4).prop_map(|(rule, priority)| Op::Insert { rule, priority }),
        1 => (0..n_rules, 0u16..4).prop_map(|(rule, priority)| Op::Remove { rule, priority }),
    ]
}

fn matches(m: &Match, f: &Flow) -> bool {
    (0..FLOW_WORDS).all(|i| (f.word(i) ^ m.flow.word(i)) & m.wc.word(i) == 0)
}

fn loose(rule: &Match, target: &Match) -> bool {
    (0..FLOW_WORDS).all(|i| {
        let t = target.wc.word(i);
        rule.wc.word(i) & t == t && (rule.flow.word(i) ^ target.flow.word(i)) & t == 0
    })
}

fn overlap(a: &Match, b: &Match) -> bool {
    (0..FLOW_WORDS).all(|i| (a.flow.word(i) ^ b.flow.word(i)) & a.wc.word(i) & b.wc.word(i) == 0)
}

/// The obviously correct classifier.
#[derive(Default)]
struct Reference(Vec<(Match, u16, u32)>);

impl Reference {
    fn insert(&mut self, m: &Match, p: u16, v: u32) -> Option<u32> {
        for r in &mut self.0 {
            if r.0 == *m && r.1 == p {
                return Some(std::mem::replace(&mut r.2, v));
            }
        }
        self.0.push((m.clone(), p, v));
        None
    }

    fn remove(&mut self, m: &Match, p: u16) -> Option<u32> {
        let at = self.0.iter().position(|r| r.0 == *m && r.1 == p)?;
        Some(self.0.swap_remove(at).2)
    }

    fn find(&self, m: &Match, p: u16) -> Option<u32> {
        self.0.iter().find(|r| r.0 == *m && r.1 == p).map(|r| r.2)
    }

    fn best_priority(&self, f: &Flow) -> Option<u16> {
        self.0
            .iter()
            .filter(|r| matches(&r.0, f))
            .map(|r| r.1)
            .max()
    }
}

fn sorted(mut v: Vec<(Vec<u8>, u16, u32)>) -> Vec<(Vec<u8>, u16, u32)> {
    v.sort();
    v
}

fn key(m: &Match, p: u16, v: u32) -> (Vec<u8>, u16, u32) {
    let mut bytes = m.flow.as_bytes().to_vec();
    bytes.extend_from_slice(m.wc.as_bytes());
    (bytes, p, v)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn agrees_with_linear_scan(
        (pool, ops) in pool_strategy()
            .prop_flat_map(|pool| {
                let n = pool.len();
                (Just(pool), proptest::collection::vec(op_strategy(n), 0..60))
            }),
        packet_specs in proptest::collection::vec(packet_strategy(), 1..8),
        noise in noise_strategy(),
        targets in proptest::collection::vec(match_strategy(), 1..4),
        with_tries in any::<bool>(),
    ) {
        let packets: Vec<Flow> = packet_specs.iter().map(|p| make_packet(&pool, p)).collect();
        let mut cls = if with_tries {
            Classifier::with_prefix_fields(&[ovs_flow::FieldId::Ipv4Dst, ovs_flow::FieldId::Ipv4Src])
        } else {
            Classifier::new()
        };
        let mut reference = Reference::default();
        for (n, op) in ops.iter().enumerate() {
            let n = n as u32;
            match op {
                Op::Insert { rule, priority } => prop_assert_eq!(
                    cls.insert(&pool[*rule], *priority, n),
                    reference.insert(&pool[*rule], *priority, n)
                ),
                Op::Remove { rule, priority } => prop_assert_eq!(
                    cls.remove(&pool[*rule], *priority),
                    reference.remove(&pool[*rule], *priority)
                ),
            }
            prop_assert_eq!(cls.len(), reference.0.len());
            for f in &packets {
                let got = cls.lookup(f).map(|(_, p, _)| p);
                prop_assert_eq!(got, reference.best_priority(f));
            }
        }

        // Whole contents.
        let all = sorted(cls.iter().map(|(v, p, t)| key(&v.to_match(), p, *t)).collect());
        let want = sorted(reference.0.iter().map(|(m, p, v)| key(m, *p, *v)).collect());
        prop_assert_eq!(all, want);

        // Lookups: the rule returned is a real, matching, best rule, and its
        // megaflow mask is honest: packets that agree on it get the same rule.
        for f in &packets {
            let mut wc = Flow::ZERO;
            let plain = cls.lookup(f).map(|(v, p, t)| (v.to_match(), p, *t));
            let with_wc = cls.lookup_wc(f, &mut wc).map(|(v, p, t)| (v.to_match(), p, *t));
            prop_assert_eq!(&plain, &with_wc);
            if let Some((m, p, t)) = &plain {
                prop_assert!(matches(m, f));
                prop_assert_eq!(reference.find(m, *p), Some(*t));
            }
            let mut other = Flow::ZERO;
            for (i, n) in noise.iter().enumerate() {
                other.set_word(i, (f.word(i) & wc.word(i)) | (n & !wc.word(i)));
            }
            let again = cls.lookup(&other).map(|(v, p, t)| (v.to_match(), p, *t));
            prop_assert_eq!(&again, &plain, "megaflow mask {:?}", wc);
        }

        // Strict lookups and overlap checks for every pool rule and priority.
        for m in pool.iter().chain(&targets) {
            for p in 0..4 {
                prop_assert_eq!(cls.find_exact(m, p).copied(), reference.find(m, p));
                let want = reference.0.iter().any(|r| r.1 == p && overlap(&r.0, m));
                prop_assert_eq!(cls.overlaps(m, p), want);
            }
        }

        // Loose selection.
        for t in pool.iter().chain(&targets).chain([&Match::catchall()]) {
            let got = sorted(cls.iter_loose(t).map(|(v, p, x)| key(&v.to_match(), p, *x)).collect());
            let want = sorted(
                reference.0.iter().filter(|r| loose(&r.0, t)).map(|(m, p, v)| key(m, *p, *v)).collect(),
            );
            prop_assert_eq!(got, want);
            for (v, _, _) in cls.iter_loose(t) {
                prop_assert!(v.is_loose_match(t));
            }
        }

        // Bulk removal agrees with filtering the reference, and leaves a
        // clone taken before it untouched.
        let snapshot = cls.clone();
        let before: Vec<Option<u16>> = packets.iter().map(|f| reference.best_priority(f)).collect();
        let mut cls2 = cls;
        let drop_odd = |p: u16, v: u32| (u32::from(p) + v) % 2 == 1;
        let removed = cls2.extract_if(|_, p, v| drop_odd(p, *v));
        reference.0.retain(|r| !drop_odd(r.1, r.2));
        prop_assert!(removed.iter().all(|(_, p, v)| drop_odd(*p, *v)));
        prop_assert_eq!(cls2.len(), reference.0.len());
        for f in &packets {
            prop_assert_eq!(cls2.lookup(f).map(|(_, p, _)| p), reference.best_priority(f));
        }
        for (f, want) in packets.iter().zip(before) {
            prop_assert_eq!(snapshot.lookup(f).map(|(_, p, _)| p), want);
        }
        cls2.retain(|_, _, _| false);
        prop_assert!(cls2.is_empty());
        prop_assert_eq!(cls2.n_subtables(), 0);
    }
}
