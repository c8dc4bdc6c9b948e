use super::*;
use crate::schema::{AtomicType, BaseType};
use proptest::prelude::*;
use serde_json::json;

fn set_of(atomic: AtomicType, min: u32, max: u32) -> Type {
    Type {
        key: BaseType::new(atomic),
        value: None,
        min,
        max,
    }
}

fn map_of(k: AtomicType, v: AtomicType) -> Type {
    Type {
        key: BaseType::new(k),
        value: Some(BaseType::new(v)),
        min: 0,
        max: Type::UNLIMITED,
    }
}

#[test]
fn compact() {
    assert_eq!(std::mem::size_of::<Datum>(), 24);
    assert_eq!(std::mem::size_of::<Atom>(), 24);
}

#[test]
fn json_shapes() {
    let s = set_of(AtomicType::Integer, 0, Type::UNLIMITED);
    assert_eq!(
        Datum::from_json(&s, &json!(["set", []]))
            .unwrap()
            .to_json(&s),
        json!(["set", []])
    );
    assert_eq!(
        Datum::from_json(&s, &json!(["set", [3]]))
            .unwrap()
            .to_json(&s),
        json!(3)
    );
    assert_eq!(
        Datum::from_json(&s, &json!(3)).unwrap().to_json(&s),
        json!(3)
    );
    assert_eq!(
        Datum::from_json(&s, &json!(["set", [3, 1, 2]]))
            .unwrap()
            .to_json(&s),
        json!(["set", [1, 2, 3]])
    );
    let m = map_of(AtomicType::String, AtomicType::Integer);
    assert_eq!(
        Datum::from_json(&m, &json!(["map", [["b", 1], ["a", 2]]]))
            .unwrap()
            .to_json(&m),
        json!(["map", [["a", 2], ["b", 1]]])
    );
    assert_eq!(Datum::empty().to_json(&m), json!(["map", []]));
    let u = set_of(AtomicType::Uuid, 0, 1);
    let d = Datum::from_json(&u, &json!(["uuid", "7537c28c-97a4-4839-b910-f5cb6cd9bc3b"])).unwrap();
    assert_eq!(
        d.to_json(&u),
        json!(["uuid", "7537c28c-97a4-4839-b910-f5cb6cd9bc3b"])
    );
}

#[test]
fn parse_errors() {
    let s = set_of(AtomicType::Integer, 0, 2);
    let e = Datum::parse(&s, &json!(["set", [1, 2, 3]]), None).unwrap_err();
    assert_eq!(e.details, "set must have 0 to 2 members but 3 are present");
    let e = Datum::parse(&s, &json!(["set", [1, 1]]), None).unwrap_err();
    assert_eq!(
        (e.tag, e.details.as_str()),
        ("ovsdb error", "set contains duplicate")
    );
    let e = Datum::parse(&s, &json!(["set", 1]), None).unwrap_err();
    assert_eq!(e.details, "expected [\"set\", <array>]");
    let m = map_of(AtomicType::String, AtomicType::String);
    let e = Datum::parse(&m, &json!(["map", [["a"]]]), None).unwrap_err();
    assert_eq!(e.details, "expected 2-element array");
    let e = Datum::parse(&m, &json!("a"), None).unwrap_err();
    assert_eq!(e.details, "expected [\"map\", <array>]");
    let e = Datum::parse(&m, &json!(["map", [["a", "b"], ["a", "c"]]]), None).unwrap_err();
    assert_eq!(e.details, "map contains duplicate key");
    let scalar = Type::scalar(AtomicType::Integer);
    let e = Datum::parse(&scalar, &json!(["set", []]), None).unwrap_err();
    assert_eq!(
        e.details,
        "set must have exactly one member but 0 are present"
    );
}

#[test]
fn defaults() {
    let t = Type::scalar(AtomicType::String);
    let d = Datum::default_for(&t);
    assert_eq!(d.to_json(&t), json!(""));
    assert!(d.is_default(&t));
    let m = Type {
        min: 1,
        max: 1,
        ..map_of(AtomicType::Integer, AtomicType::Boolean)
    };
    assert_eq!(
        Datum::default_for(&m).to_json(&m),
        json!(["map", [[0, false]]])
    );
    let s = set_of(AtomicType::Uuid, 0, 1);
    assert!(Datum::default_for(&s).is_empty());
}

#[test]
fn diff_examples() {
    let m = map_of(AtomicType::String, AtomicType::String);
    let old = Datum::from_json(&m, &json!(["map", [["a", "b"], ["c", "d"]]])).unwrap();
    let new = Datum::from_json(&m, &json!(["map", [["a", "x"], ["e", "f"]]])).unwrap();
    let diff = Datum::diff(&old, &new, &m);
    assert_eq!(
        diff.to_json(&m),
        json!(["map", [["a", "x"], ["c", "d"], ["e", "f"]]])
    );
    assert_eq!(old.apply_diff(&diff, &m).unwrap(), new);
    let s = set_of(AtomicType::Integer, 0, 2);
    let big = Datum::from_json(&s, &json!(["set", [1, 2]])).unwrap();
    let diff = Datum::from_json(&set_of(AtomicType::Integer, 0, 9), &json!(["set", [3]])).unwrap();
    assert!(big.apply_diff(&diff, &s).is_err());
}

#[test]
fn union_keeps_existing_values_and_subtract() {
    let m = map_of(AtomicType::String, AtomicType::String);
    let a = Datum::from_json(&m, &json!(["map", [["a", "b"]]])).unwrap();
    let b = Datum::from_json(&m, &json!(["map", [["a", "x"], ["e", "f"]]])).unwrap();
    assert_eq!(
        a.union(&b).to_json(&m),
        json!(["map", [["a", "b"], ["e", "f"]]])
    );
    let keys = Datum::scalar(Atom::string("a"));
    assert_eq!(b.subtract(&keys).to_json(&m), json!(["map", [["e", "f"]]]));
    let pair = Datum::from_json(&m, &json!(["map", [["e", "g"]]])).unwrap();
    assert_eq!(b.subtract(&pair), b);
}

#[test]
fn ovs_strings() {
    let s = set_of(AtomicType::String, 0, Type::UNLIMITED);
    let d = Datum::from_json(&s, &json!(["set", ["b", "a b"]])).unwrap();
    assert_eq!(d.to_ovs_string(&s), "[\"a b\", b]");
    let m = map_of(AtomicType::String, AtomicType::Integer);
    let d = Datum::from_json(&m, &json!(["map", [["k", 1]]])).unwrap();
    assert_eq!(d.to_ovs_string(&m), "{k=1}");
    assert_eq!(
        Datum::scalar(Atom::Integer(4)).to_ovs_string(&Type::scalar(AtomicType::Integer)),
        "4"
    );
}

fn atom_strategy(t: AtomicType) -> BoxedStrategy<Atom> {
    match t {
        AtomicType::Integer => any::<i64>().prop_map(Atom::Integer).boxed(),
        AtomicType::Real => (-1.0e6f64..1.0e6)
            .prop_map(|r| Atom::Real(crate::json::round_to_dbl_dig(r)))
            .boxed(),
        AtomicType::Boolean => any::<bool>().prop_map(Atom::Boolean).boxed(),
        AtomicType::String => "[a-z \\\\\"é]{0,8}".prop_map(|s| Atom::string(&s)).boxed(),
        AtomicType::Uuid => any::<u128>()
            .prop_map(|u| Atom::Uuid(uuid::Uuid::from_u128(u)))
            .boxed(),
    }
}

fn atomic_strategy() -> impl Strategy<Value = AtomicType> {
    prop_oneof![
        Just(AtomicType::Integer),
        Just(AtomicType::Real),
        Just(AtomicType::Boolean),
        Just(AtomicType::String),
        Just(AtomicType::Uuid),
    ]
}

fn typed_datum() -> impl Strategy<Value = (Type, Datum)> {
    (atomic_strategy(), proptest::option::of(atomic_strategy())).prop_flat_map(|(k, v)| match v {
        None => proptest::collection::vec(atom_strategy(k), 0..6)
            .prop_map(move |mut keys| {
                keys.sort();
                keys.dedup();
                (set_of(k, 0, Type::UNLIMITED), Datum::from_sorted_keys(keys))
            })
            .boxed(),
        Some(v) => proptest::collection::vec((atom_strategy(k), atom_strategy(v)), 0..6)
            .prop_map(move |pairs| {
                let d = Datum::from_map(pairs.clone()).unwrap_or_else(|_| {
                    let mut p = pairs.clone();
                    p.sort_by(|a, b| a.0.cmp(&b.0));
                    p.dedup_by(|a, b| a.0 == b.0);
                    Datum::from_sorted_pairs(p)
                });
                (map_of(k, v), d)
            })
            .boxed(),
    })
}

proptest! {
    #[test]
    fn json_round_trip((ty, d) in typed_datum()) {
        let j = d.to_json(&ty);
        let text = serde_json::to_string(&j).unwrap();
        let reparsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        let back = Datum::from_json(&ty, &reparsed).unwrap();
        prop_assert_eq!(back, d);
    }

    #[test]
    fn diff_round_trip((ty, a) in typed_datum(), seed in any::<u64>()) {
        // Derive a second datum of the same type by dropping and changing some elements.
        let b = if ty.is_map() {
            let pairs: Vec<(Atom, Atom)> = a.pairs().iter().enumerate()
                .filter(|(i, _)| (seed >> i) & 1 == 0)
                .map(|(_, p)| p.clone())
                .collect();
            Datum::from_sorted_pairs(pairs)
        } else {
            let keys: Vec<Atom> = a.keys().iter().enumerate()
                .filter(|(i, _)| (seed >> i) & 1 == 0)
                .map(|(_, k)| k.clone())
                .collect();
            Datum::from_sorted_keys(keys)
        };
        let d = Datum::diff(&a, &b, &ty);
        prop_assert_eq!(a.apply_diff(&d, &ty).unwrap(), b.clone());
        let d2 = Datum::diff(&b, &a, &ty);
        prop_assert_eq!(b.apply_diff(&d2, &ty).unwrap(), a.clone());
        let (added, removed) = Datum::added_removed(&a, &b, &ty);
        prop_assert_eq!(a.subtract(&removed).union(&added), b);
    }
}
