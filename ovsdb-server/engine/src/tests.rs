//! Engine behaviour tests on a small schema of our own.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::*;

fn schema() -> Arc<DatabaseSchema> {
    let v = json!({
        "name": "Zoo",
        "version": "1.0.0",
        "tables": {
            "Zoo": {
                "columns": {
                    "name": {"type": "string"},
                    "keepers": {"type": {"key": {"type": "uuid", "refTable": "Keeper"}, "min": 0, "max": "unlimited"}},
                    "counter": {"type": "integer"},
                    "tags": {"type": {"key": "string", "value": "string", "min": 0, "max": "unlimited"}},
                    "state": {"type": "string", "ephemeral": true}
                },
                "isRoot": true,
                "maxRows": 2
            },
            "Keeper": {
                "columns": {
                    "name": {"type": "string", "mutable": false},
                    "animals": {"type": {"key": {"type": "uuid", "refTable": "Animal"}, "min": 0, "max": "unlimited"}},
                    "favourite": {"type": {"key": {"type": "uuid", "refTable": "Animal", "refType": "weak"}, "min": 0, "max": 1}},
                    "buddy": {"type": {"key": {"type": "uuid", "refTable": "Animal", "refType": "weak"}}}
                },
                "indexes": [["name"]]
            },
            "Animal": {
                "columns": {
                    "kind": {"type": {"key": {"type": "string", "enum": ["set", ["cat", "dog", "emu"]]}}},
                    "legs": {"type": {"key": {"type": "integer", "minInteger": 0, "maxInteger": 8}}},
                    "weight": {"type": {"key": "real", "min": 0, "max": 1}}
                }
            }
        }
    });
    Arc::new(DatabaseSchema::from_json(&v).unwrap())
}

fn db() -> Database {
    let mut d = Database::new(schema());
    d.seed_uuids(7);
    d
}

const U1: &str = "11111111-1111-4111-8111-111111111111";
const K1: &str = "22222222-2222-4222-8222-222222222222";
const K2: &str = "22222222-2222-4222-8222-333333333333";
const A1: &str = "33333333-3333-4333-8333-333333333333";
const A2: &str = "33333333-3333-4333-8333-444444444444";

fn no_locks(_: &str) -> bool {
    false
}

fn run(d: &mut Database, ops: Value) -> TxnOutcome {
    run_at(d, ops, 0, 0)
}

fn run_at(d: &mut Database, ops: Value, now: u64, started: u64) -> TxnOutcome {
    let ctx = TxnContext {
        now_ms: now,
        owns_lock: &no_locks,
    };
    d.transact_since(ops.as_array().unwrap(), &ctx, started)
}

fn ok(d: &mut Database, ops: Value) -> (Value, Changes) {
    match run(d, ops.clone()) {
        TxnOutcome::Committed { reply, changes } => (reply, changes),
        other => panic!("{ops} did not commit: {other:?}"),
    }
}

fn fail(d: &mut Database, ops: Value) -> Value {
    match run(d, ops.clone()) {
        TxnOutcome::Failed { reply } => reply,
        other => panic!("{ops} did not fail: {other:?}"),
    }
}

fn u(s: &str) -> Uuid {
    parse_uuid(s).unwrap()
}

/// A zoo with one keeper who keeps one animal.
fn populated() -> Database {
    let mut d = db();
    ok(
        &mut d,
        json!([
            {"op": "insert", "table": "Animal", "uuid": A1, "row": {"kind": "cat", "legs": 4}},
            {"op": "insert", "table": "Keeper", "uuid": K1, "row": {"name": "kim", "animals": ["uuid", A1], "favourite": ["uuid", A1], "buddy": ["uuid", A1]}},
            {"op": "insert", "table": "Zoo", "uuid": U1, "row": {"name": "z", "keepers": ["uuid", K1]}}
        ]),
    );
    d
}

#[test]
fn insert_select_and_results_shape() {
    let mut d = populated();
    let (reply, changes) = ok(
        &mut d,
        json!([{"op": "select", "table": "Animal", "where": [], "columns": ["kind", "legs", "weight"]}]),
    );
    assert_eq!(
        reply,
        json!([{"rows": [{"kind": "cat", "legs": 4, "weight": ["set", []]}]}])
    );
    assert!(changes.is_empty());

    // A failing operation truncates: error in its slot, null for the rest.
    let reply = fail(
        &mut d,
        json!([
            {"op": "select", "table": "Animal", "where": [], "columns": ["legs"]},
            {"op": "abort"},
            {"op": "select", "table": "Animal", "where": []}
        ]),
    );
    assert_eq!(
        reply,
        json!([{"rows": [{"legs": 4}]}, {"error": "aborted", "details": "aborted by request"}, null])
    );
}

#[test]
fn commit_failure_appends_error() {
    let mut d = populated();
    let reply = fail(
        &mut d,
        json!([
            {"op": "insert", "table": "Zoo", "row": {"name": "b"}},
            {"op": "insert", "table": "Zoo", "row": {"name": "c"}}
        ]),
    );
    let arr = reply.as_array().unwrap();
    assert_eq!(arr.len(), 3);
    assert_eq!(arr[2]["error"], json!("constraint violation"));
    assert_eq!(
        arr[2]["details"],
        json!(
            "transaction causes \"Zoo\" table to contain 3 rows, greater than the schema-defined limit of 2 row(s)"
        )
    );
    assert_eq!(d.n_rows("Zoo"), 1);
}

#[test]
fn garbage_collection() {
    let mut d = populated();
    // An unreferenced non-root row vanishes at commit.
    let (reply, changes) = ok(
        &mut d,
        json!([{"op": "insert", "table": "Animal", "row": {"kind": "dog"}}]),
    );
    assert!(reply[0]["uuid"].is_array());
    assert!(changes.is_empty());
    assert_eq!(d.n_rows("Animal"), 1);

    // Dropping the only reference collects the keeper and then its animal.
    let (_, changes) = ok(
        &mut d,
        json!([{"op": "update", "table": "Zoo", "where": [], "row": {"keepers": ["set", []]}}]),
    );
    assert_eq!(d.n_rows("Keeper"), 0);
    assert_eq!(d.n_rows("Animal"), 0);
    let mut seen: Vec<(&str, bool, bool)> = changes
        .tables()
        .flat_map(|(t, rows)| {
            rows.iter()
                .map(move |r| (t, r.old.is_some(), r.new.is_some()))
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            ("Animal", true, false),
            ("Keeper", true, false),
            ("Zoo", true, true)
        ]
    );
}

#[test]
fn referential_integrity() {
    let mut d = populated();
    let reply = fail(
        &mut d,
        json!([{"op": "mutate", "table": "Keeper", "where": [], "mutations": [["animals", "insert", ["uuid", A2]]]}]),
    );
    assert_eq!(reply[1]["error"], json!("referential integrity violation"));
    assert_eq!(
        reply[1]["details"],
        json!(format!(
            "Table Keeper column animals row {K1} references nonexistent row {A2} in table Animal."
        ))
    );
    let reply = fail(
        &mut d,
        json!([{"op": "delete", "table": "Keeper", "where": []}]),
    );
    assert_eq!(
        reply[1]["details"],
        json!(format!(
            "cannot delete Keeper row {K1} because of 1 remaining reference(s)"
        ))
    );
}

#[test]
fn weak_references() {
    let mut d = populated();
    ok(
        &mut d,
        json!([
            {"op": "insert", "table": "Animal", "uuid": A2, "row": {"kind": "emu", "legs": 2}},
            {"op": "mutate", "table": "Keeper", "where": [], "mutations": [["animals", "insert", ["uuid", A2]]]},
            {"op": "update", "table": "Keeper", "where": [], "row": {"buddy": ["uuid", A2]}}
        ]),
    );
    // Removing A1 from "animals" collects it; the weak "favourite" drops it.
    let (_, changes) = ok(
        &mut d,
        json!([{"op": "mutate", "table": "Keeper", "where": [], "mutations": [["animals", "delete", ["uuid", A1]]]}]),
    );
    let keeper = d.row("Keeper", &u(K1)).unwrap();
    let fav = d.column_index("Keeper", "favourite").unwrap();
    assert!(keeper.get(fav).unwrap().is_empty());
    assert_eq!(changes.n_rows(), 2);
    // A weak reference that must not become empty blocks the deletion.
    let reply = fail(
        &mut d,
        json!([{"op": "mutate", "table": "Keeper", "where": [], "mutations": [["animals", "delete", ["uuid", A2]]]}]),
    );
    assert_eq!(reply[1]["error"], json!("constraint violation"));
    assert_eq!(
        reply[1]["details"],
        json!(format!(
            "Deletion of 1 weak reference(s) to deleted (or never-existing) rows from column \"buddy\" in \"Keeper\" row {K1} caused this column to become empty, but constraints on this column disallow an empty column."
        ))
    );
    // A weak reference to a row that never existed is dropped silently
    // (the row still counts as modified, as in OVS).
    ok(
        &mut d,
        json!([{"op": "update", "table": "Keeper", "where": [], "row": {"favourite": ["uuid", A1]}}]),
    );
    let keeper = d.row("Keeper", &u(K1)).unwrap();
    assert!(keeper.get(fav).unwrap().is_empty());
}

#[test]
fn indexes_are_unique() {
    let mut d = populated();
    let reply = fail(
        &mut d,
        json!([
            {"op": "insert", "table": "Keeper", "uuid": K2, "row": {"name": "kim", "buddy": ["uuid", A1]}},
            {"op": "mutate", "table": "Zoo", "where": [], "mutations": [["keepers", "insert", ["uuid", K2]]]}
        ]),
    );
    assert_eq!(reply[2]["error"], json!("constraint violation"));
    let details = reply[2]["details"].as_str().unwrap();
    assert!(details.starts_with("Transaction causes multiple rows in \"Keeper\" table to have identical values (kim) for index on column \"name\".  First row, with UUID "));
    assert!(details.contains("was inserted by this transaction."));
    assert!(details.contains(
        "existed in the database before this transaction and was not modified by the transaction."
    ));
}

#[test]
fn constraints_and_immutability() {
    let mut d = populated();
    let reply = fail(
        &mut d,
        json!([{"op": "update", "table": "Animal", "where": [], "row": {"kind": "yak"}}]),
    );
    assert_eq!(
        reply[0]["details"],
        json!("yak is not one of the allowed values ([cat, dog, emu])")
    );
    let reply = fail(
        &mut d,
        json!([{"op": "update", "table": "Keeper", "where": [], "row": {"name": "bob"}}]),
    );
    assert_eq!(
        reply[0]["details"],
        json!("Cannot update immutable column name in table Keeper.")
    );
    let reply = fail(
        &mut d,
        json!([{"op": "mutate", "table": "Animal", "where": [], "mutations": [["legs", "+=", 5]]}]),
    );
    assert_eq!(
        reply[0]["details"],
        json!("9 is not in the valid range 0 to 8 (inclusive)")
    );
    let reply = fail(
        &mut d,
        json!([{"op": "mutate", "table": "Animal", "where": [], "mutations": [["_version", "+=", 5]]}]),
    );
    assert_eq!(
        reply[0]["details"],
        json!("Cannot mutate immutable column _version in table Animal.")
    );
    // The default of a constrained column is checked on insert.
    let reply = fail(
        &mut d,
        json!([{"op": "insert", "table": "Animal", "row": {}}]),
    );
    assert_eq!(
        reply[0]["details"],
        json!("\"\" is not one of the allowed values ([cat, dog, emu])")
    );
}

#[test]
fn mutations() {
    let mut d = populated();
    ok(
        &mut d,
        json!([{"op": "mutate", "table": "Zoo", "where": [], "mutations": [
            ["counter", "+=", 10], ["counter", "*=", 3], ["counter", "-=", 2], ["counter", "/=", 4], ["counter", "%=", 4],
            ["tags", "insert", ["map", [["a", "1"], ["b", "2"]]]],
            ["tags", "insert", ["map", [["a", "9"]]]],
            ["tags", "delete", ["set", ["b"]]]
        ]}]),
    );
    let (reply, _) = ok(
        &mut d,
        json!([{"op": "select", "table": "Zoo", "where": [], "columns": ["counter", "tags"]}]),
    );
    assert_eq!(
        reply,
        json!([{"rows": [{"counter": 3, "tags": ["map", [["a", "1"]]]}]}])
    );
    let reply = fail(
        &mut d,
        json!([{"op": "mutate", "table": "Zoo", "where": [], "mutations": [["counter", "/=", 0]]}]),
    );
    assert_eq!(
        reply[0],
        json!({"error": "domain error", "details": "Division by zero."})
    );
    let reply = fail(
        &mut d,
        json!([{"op": "mutate", "table": "Zoo", "where": [], "mutations": [["counter", "+=", i64::MAX]]}]),
    );
    assert_eq!(
        reply[0],
        json!({"error": "range error", "details": "Result of \"+=\" operation is out of range."})
    );
}

#[test]
fn conditions() {
    let mut d = populated();
    ok(
        &mut d,
        json!([{"op": "insert", "table": "Animal", "uuid": A2, "row": {"kind": "emu", "legs": 2, "weight": 1.5}},
                      {"op": "mutate", "table": "Keeper", "where": [], "mutations": [["animals", "insert", ["uuid", A2]]]}]),
    );
    let q = |d: &mut Database, w: Value| -> Value {
        let (reply, _) = ok(
            d,
            json!([{"op": "select", "table": "Animal", "where": w, "columns": ["kind"]}]),
        );
        reply[0]["rows"].clone()
    };
    assert_eq!(
        q(&mut d, json!([["legs", "<", 3]])),
        json!([{"kind": "emu"}])
    );
    assert_eq!(
        q(&mut d, json!([["legs", ">=", 3], ["kind", "!=", "dog"]])),
        json!([{"kind": "cat"}])
    );
    // An empty optional value never satisfies an ordering.
    assert_eq!(
        q(&mut d, json!([["weight", "<", 100]])),
        json!([{"kind": "emu"}])
    );
    assert_eq!(
        q(&mut d, json!([["weight", "==", ["set", []]]])),
        json!([{"kind": "cat"}])
    );
    assert_eq!(
        q(&mut d, json!([["_uuid", "==", ["uuid", A2]]])),
        json!([{"kind": "emu"}])
    );
    assert_eq!(
        q(&mut d, json!([["kind", "includes", "emu"]])),
        json!([{"kind": "emu"}])
    );
    assert_eq!(
        q(&mut d, json!([["kind", "excludes", "emu"]])),
        json!([{"kind": "cat"}])
    );
    let (reply, _) = ok(
        &mut d,
        json!([{"op": "select", "table": "Keeper", "where": [["animals", "includes", ["set", [["uuid", A1], ["uuid", A2]]]]], "columns": ["name"]}]),
    );
    assert_eq!(reply[0]["rows"], json!([{"name": "kim"}]));
    let reply = fail(
        &mut d,
        json!([{"op": "select", "table": "Animal", "where": [["kind", "<", "x"]]}]),
    );
    assert_eq!(
        reply[0]["details"],
        json!("Type mismatch: \"<\" operator may not be applied to column kind of type string.")
    );
}

#[test]
fn wait_blocks_then_times_out() {
    let mut d = populated();
    let ops = json!([{"op": "wait", "table": "Animal", "where": [], "columns": ["legs"], "until": "==", "rows": [{"legs": 3}], "timeout": 500}]);
    match run_at(&mut d, ops.clone(), 1000, 1000) {
        TxnOutcome::Blocked { until_ms } => assert_eq!(until_ms, Some(1500)),
        other => panic!("{other:?}"),
    }
    match run_at(&mut d, ops.clone(), 1600, 1000) {
        TxnOutcome::Failed { reply } => {
            assert_eq!(
                reply,
                json!([{"error": "timed out", "details": "\"wait\" timed out after 600 ms"}])
            )
        }
        other => panic!("{other:?}"),
    }
    let satisfied = json!([{"op": "wait", "table": "Animal", "where": [], "columns": ["legs"], "until": "==", "rows": [{"legs": 4}]}]);
    assert!(matches!(
        run(&mut d, satisfied),
        TxnOutcome::Committed { .. }
    ));
    let forever = json!([{"op": "wait", "table": "Animal", "where": [], "columns": ["legs"], "until": "!=", "rows": [{"legs": 4}]}]);
    assert!(matches!(
        run(&mut d, forever),
        TxnOutcome::Blocked { until_ms: None }
    ));
}

#[test]
fn assert_and_comment_and_durable() {
    let mut d = populated();
    let reply = fail(&mut d, json!([{"op": "assert", "lock": "l"}]));
    assert_eq!(
        reply[0],
        json!({"error": "not owner", "details": "Asserted lock l not held."})
    );
    let ctx = TxnContext {
        now_ms: 0,
        owns_lock: &|l: &str| l == "l",
    };
    let ops = json!([{"op": "assert", "lock": "l"}, {"op": "comment", "comment": "a"}, {"op": "comment", "comment": "b"},
                     {"op": "commit", "durable": true}, {"op": "update", "table": "Zoo", "where": [], "row": {"counter": 1}}]);
    let TxnOutcome::Committed { reply, changes } = d.transact(ops.as_array().unwrap(), &ctx) else {
        panic!("not committed");
    };
    assert_eq!(reply, json!([{}, {}, {}, {}, {"count": 1}]));
    assert_eq!(changes.comment.as_deref(), Some("a\nb"));
    assert!(changes.durable);
    let rec = changes.log_record(&d, None, 42).unwrap();
    assert_eq!(
        rec,
        json!({U1: {"counter": 1}, "_comment": "a\nb", "_is_diff": true, "_date": 42})
            .as_object()
            .map(|o| {
                let mut m = serde_json::Map::new();
                m.insert("Zoo".into(), json!({U1: {"counter": 1}}));
                m.insert("_comment".into(), o["_comment"].clone());
                m.insert("_is_diff".into(), json!(true));
                m.insert("_date".into(), json!(42));
                Value::Object(m)
            })
            .unwrap()
    );
}

#[test]
fn versions_change_on_modify_only() {
    let mut d = populated();
    let before = d.row("Zoo", &u(U1)).unwrap().version();
    let (_, changes) = ok(
        &mut d,
        json!([{"op": "update", "table": "Zoo", "where": [], "row": {"name": "z"}}]),
    );
    assert!(changes.is_empty());
    assert_eq!(d.row("Zoo", &u(U1)).unwrap().version(), before);
    ok(
        &mut d,
        json!([{"op": "update", "table": "Zoo", "where": [], "row": {"name": "y"}}]),
    );
    assert_ne!(d.row("Zoo", &u(U1)).unwrap().version(), before);
}

#[test]
fn ephemeral_columns_are_not_logged() {
    let mut d = populated();
    let (_, changes) = ok(
        &mut d,
        json!([{"op": "update", "table": "Zoo", "where": [], "row": {"state": "busy"}}]),
    );
    assert!(!changes.is_empty());
    assert!(changes.log_record(&d, None, 0).is_none());
    assert!(d.snapshot_record()["Zoo"][U1].get("state").is_none());
}

#[test]
fn log_replay_reproduces_the_database() {
    let mut d = populated();
    let mut records = Vec::new();
    let steps = [
        json!([{"op": "insert", "table": "Animal", "uuid": A2, "row": {"kind": "emu", "legs": 2}},
               {"op": "mutate", "table": "Keeper", "where": [], "mutations": [["animals", "insert", ["uuid", A2]]]},
               {"op": "update", "table": "Keeper", "where": [], "row": {"buddy": ["uuid", A2]}}]),
        json!([{"op": "mutate", "table": "Zoo", "where": [], "mutations": [["tags", "insert", ["map", [["a", "1"], ["b", "2"]]]]]}]),
        json!([{"op": "update", "table": "Zoo", "where": [], "row": {"tags": ["map", [["a", "3"], ["c", "4"]]]}}]),
        json!([{"op": "mutate", "table": "Keeper", "where": [], "mutations": [["animals", "delete", ["uuid", A1]]]}]),
    ];
    let mut fresh = Database::new(schema());
    fresh.apply_log_record(&d.snapshot_record()).unwrap();
    for s in steps {
        let (_, changes) = ok(&mut d, s);
        records.push(changes.to_log_record(&d, None, 1));
    }
    for r in &records {
        fresh.apply_log_record(r).unwrap();
    }
    assert_eq!(fresh.snapshot_record(), d.snapshot_record());
    let zoo_tags = &records[2]["Zoo"][U1]["tags"];
    assert_eq!(
        zoo_tags,
        &json!(["map", [["a", "3"], ["b", "2"], ["c", "4"]]])
    );
    let e = fresh.apply_log_record(&json!({"Nope": {}})).unwrap_err();
    assert_eq!(
        (e.error, e.details.as_str()),
        ("unknown table", "No table named Nope.")
    );
    let e = fresh
        .apply_log_record(&json!({"Animal": {A1: null}}))
        .unwrap_err();
    assert_eq!(
        e.details,
        format!("transaction deletes row {A1} that does not exist")
    );
}

#[test]
fn reserved_databases_are_read_only() {
    let v = json!({"name": "_Server", "tables": {"T": {"columns": {"a": {"type": "integer"}}}}});
    let mut d = Database::new(Arc::new(DatabaseSchema::from_json(&v).unwrap()));
    let reply = fail(&mut d, json!([{"op": "insert", "table": "T", "row": {}}]));
    assert_eq!(
        reply[0],
        json!({"error": "not allowed", "details": "insert operation not allowed on table in reserved database _Server"})
    );
    let ctx = TxnContext {
        now_ms: 0,
        owns_lock: &no_locks,
    };
    assert!(matches!(
        d.transact_unrestricted(
            json!([{"op": "insert", "table": "T", "row": {}}])
                .as_array()
                .unwrap(),
            &ctx
        ),
        TxnOutcome::Committed { .. }
    ));
    assert!(matches!(
        run(&mut d, json!([{"op": "select", "table": "T", "where": []}])),
        TxnOutcome::Committed { .. }
    ));
}

#[test]
fn named_uuids() {
    let mut d = populated();
    let (reply, _) = ok(
        &mut d,
        json!([
            {"op": "insert", "table": "Animal", "uuid-name": "rex", "row": {"kind": "dog"}},
            {"op": "mutate", "table": "Keeper", "where": [], "mutations": [["animals", "insert", ["named-uuid", "rex"]]]}
        ]),
    );
    let rex = parse_uuid(reply[0]["uuid"][1].as_str().unwrap()).unwrap();
    assert!(d.row("Animal", &rex).is_some());
    let reply = fail(
        &mut d,
        json!([
            {"op": "insert", "table": "Animal", "uuid-name": "a", "row": {"kind": "dog"}},
            {"op": "insert", "table": "Animal", "uuid-name": "a", "row": {"kind": "dog"}}
        ]),
    );
    assert_eq!(reply[1]["error"], json!("duplicate uuid-name"));
}

#[test]
fn monitor_v1() {
    let mut d = populated();
    let m = Monitor::for_database(
        &d,
        &json!({"Zoo": {"columns": ["name", "counter"]}}),
        MonitorVersion::V1,
    )
    .unwrap();
    assert_eq!(
        m.initial(&d),
        json!({"Zoo": {U1: {"new": {"name": "z", "counter": 0}}}})
    );
    let (_, changes) = ok(
        &mut d,
        json!([{"op": "update", "table": "Zoo", "where": [], "row": {"counter": 5}}]),
    );
    assert_eq!(
        m.updates(&changes),
        Some(json!({"Zoo": {U1: {"old": {"counter": 0}, "new": {"name": "z", "counter": 5}}}}))
    );
    let (_, changes) = ok(
        &mut d,
        json!([{"op": "update", "table": "Zoo", "where": [], "row": {"tags": ["map", [["x", "y"]]]}}]),
    );
    assert_eq!(m.updates(&changes), None);
    let e = Monitor::for_database(
        &d,
        &json!({"Zoo": {"columns": ["nope"]}}),
        MonitorVersion::V1,
    )
    .unwrap_err();
    assert_eq!(e.details, "nope is not a valid column name");
    let e =
        Monitor::for_database(&d, &json!({"Zoo": {"where": []}}), MonitorVersion::V1).unwrap_err();
    assert_eq!(
        e.details,
        "Parsing table Zoo failed: Member 'where' is present but not allowed here."
    );
    let e = Monitor::new(d.schema(), &json!({"Nope": {}}), MonitorVersion::V2).unwrap_err();
    assert_eq!(e.details, "no table named Nope");
}

#[test]
fn monitor_v2_conditions() {
    let mut d = populated();
    let mut m = Monitor::for_database(
        &d,
        &json!({"Animal": {"columns": ["kind", "legs"], "where": [["legs", ">", 3]]}}),
        MonitorVersion::V2,
    )
    .unwrap();
    assert_eq!(
        m.initial(&d),
        json!({"Animal": {A1: {"initial": {"kind": "cat", "legs": 4}}}})
    );
    // Leaving the condition is a delete, entering it an insert.
    let (_, changes) = ok(
        &mut d,
        json!([{"op": "update", "table": "Animal", "where": [], "row": {"legs": 2}}]),
    );
    assert_eq!(
        m.updates(&changes),
        Some(json!({"Animal": {A1: {"delete": null}}}))
    );
    let (_, changes) = ok(
        &mut d,
        json!([{"op": "update", "table": "Animal", "where": [], "row": {"legs": 6}}]),
    );
    assert_eq!(
        m.updates(&changes),
        Some(json!({"Animal": {A1: {"insert": {"kind": "cat", "legs": 6}}}}))
    );
    let (_, changes) = ok(
        &mut d,
        json!([{"op": "update", "table": "Animal", "where": [], "row": {"legs": 5, "weight": 2.5}}]),
    );
    assert_eq!(
        m.updates(&changes),
        Some(json!({"Animal": {A1: {"modify": {"legs": 5}}}}))
    );
    // A change only to a column the condition uses shows as an empty modify.
    let mut m2 = Monitor::for_database(
        &d,
        &json!({"Animal": {"columns": ["kind"], "where": [["legs", ">", 3]]}}),
        MonitorVersion::V2,
    )
    .unwrap();
    let (_, changes) = ok(
        &mut d,
        json!([{"op": "update", "table": "Animal", "where": [], "row": {"legs": 7}}]),
    );
    assert_eq!(
        m2.updates(&changes),
        Some(json!({"Animal": {A1: {"modify": {}}}}))
    );
    // Changing the condition reports rows entering and leaving.
    let upd = m2
        .change_conditions(&d, &json!({"Animal": [{"where": [["legs", "<", 3]]}]}))
        .unwrap();
    assert_eq!(upd, Some(json!({"Animal": {A1: {"delete": null}}})));
    let upd = m2
        .change_conditions(&d, &json!({"Animal": [{"where": [true]}]}))
        .unwrap();
    assert_eq!(
        upd,
        Some(json!({"Animal": {A1: {"insert": {"kind": "cat"}}}}))
    );
    let e = m
        .change_conditions(&d, &json!({"Zoo": [{"where": []}]}))
        .unwrap_err();
    assert_eq!(e.details, "no table named Zoo in monitor session");
    let e = m
        .change_conditions(&d, &json!({"Animal": [{"columns": []}]}))
        .unwrap_err();
    assert_eq!(e.details, "changing columns is unsupported");
}

#[test]
fn monitor_v2_maps_and_sets_diff() {
    let mut d = populated();
    let m = Monitor::for_database(
        &d,
        &json!({"Zoo": {"columns": ["tags"]}}),
        MonitorVersion::V3,
    )
    .unwrap();
    assert_eq!(m.initial(&d), json!({"Zoo": {U1: {"initial": {}}}}));
    ok(
        &mut d,
        json!([{"op": "update", "table": "Zoo", "where": [], "row": {"tags": ["map", [["a", "1"], ["b", "2"]]]}}]),
    );
    let (_, changes) = ok(
        &mut d,
        json!([{"op": "update", "table": "Zoo", "where": [], "row": {"tags": ["map", [["a", "9"], ["c", "3"]]]}}]),
    );
    assert_eq!(
        m.updates(&changes),
        Some(
            json!({"Zoo": {U1: {"modify": {"tags": ["map", [["a", "9"], ["b", "2"], ["c", "3"]]]}}}})
        )
    );
}

#[test]
fn default_monitor_columns_include_version() {
    let mut d = populated();
    let m = Monitor::for_database(&d, &json!({"Animal": {}}), MonitorVersion::V2).unwrap();
    let init = m.initial(&d);
    assert!(init["Animal"][A1]["initial"].get("_version").is_some());
    assert!(init["Animal"][A1]["initial"].get("_uuid").is_none());
    let (_, changes) = ok(
        &mut d,
        json!([{"op": "update", "table": "Animal", "where": [], "row": {"legs": 1}}]),
    );
    let upd = m.updates(&changes).unwrap();
    let modify = upd["Animal"][A1]["modify"].as_object().unwrap();
    assert_eq!(modify.keys().collect::<Vec<_>>(), vec!["_version", "legs"]);
}

#[test]
fn text_writers_match_values() {
    let mut d = populated();
    ok(
        &mut d,
        json!([{"op": "update", "table": "Zoo", "where": [], "row": {"tags": ["map", [["a\"b", "é\n"]]], "state": "s"}}]),
    );
    let mut out = Vec::new();
    d.write_snapshot_record(&mut out, Some("c"), Some(5));
    let parsed: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(parsed, d.snapshot_record_with(Some("c"), Some(5)));
    for version in [MonitorVersion::V1, MonitorVersion::V2] {
        let m = Monitor::for_database(
            &d,
            &json!({"Zoo": {}, "Animal": {}, "Keeper": {"columns": ["name"]}}),
            version,
        )
        .unwrap();
        let mut out = Vec::new();
        m.write_initial(&d, &mut out);
        assert_eq!(
            serde_json::from_slice::<Value>(&out).unwrap(),
            m.initial(&d)
        );
    }
    let empty = Monitor::for_database(
        &d,
        &json!({"Zoo": {"select": {"initial": false}}}),
        MonitorVersion::V2,
    )
    .unwrap();
    let mut out = Vec::new();
    empty.write_initial(&d, &mut out);
    assert_eq!(out, b"{}");
}

#[test]
fn streamed_log_records() {
    let d = populated();
    let mut text = Vec::new();
    d.write_snapshot_record(&mut text, None, Some(1));
    let mut fresh = Database::new(schema());
    fresh.apply_log_record_text(&text).unwrap();
    assert_eq!(fresh.snapshot_record(), d.snapshot_record());
    // A diff that arrives before "_is_diff" still applies as a diff.
    let rec = format!(r#"{{"Zoo":{{"{U1}":{{"tags":["map",[["k","v"]]]}}}},"_is_diff":true}}"#);
    fresh.apply_log_record_text(rec.as_bytes()).unwrap();
    fresh
        .apply_log_record_text(rec.replace("\"v\"", "\"w\"").as_bytes())
        .unwrap();
    let zoo = fresh.row("Zoo", &u(U1)).unwrap();
    let tags = fresh.column_index("Zoo", "tags").unwrap();
    assert_eq!(
        zoo.get(tags)
            .unwrap()
            .to_json(&schema().tables["Zoo"].columns["tags"].type_),
        json!(["map", [["k", "w"]]])
    );
    let e = fresh.apply_log_record_text(br#"{"Nope":{}}"#).unwrap_err();
    assert_eq!(e.details, "No table named Nope.");
    let e = fresh.apply_log_record_text(b"{\"Zoo\":").unwrap_err();
    assert_eq!(e.error, "syntax error");
}

#[test]
fn batched_updates_merge_rows() {
    let mut d = populated();
    let m = Monitor::for_database(
        &d,
        &json!({"Animal": {"columns": ["kind", "legs"]}}),
        MonitorVersion::V2,
    )
    .unwrap();
    let (_, c1) = ok(
        &mut d,
        json!([{"op": "update", "table": "Animal", "where": [], "row": {"legs": 2}}]),
    );
    let (_, c2) = ok(
        &mut d,
        json!([{"op": "update", "table": "Animal", "where": [], "row": {"legs": 3}},
                                    {"op": "insert", "table": "Animal", "uuid": A2, "row": {"kind": "emu"}},
                                    {"op": "mutate", "table": "Keeper", "where": [], "mutations": [["animals", "insert", ["uuid", A2]]]}]),
    );
    let (_, c3) = ok(
        &mut d,
        json!([{"op": "mutate", "table": "Keeper", "where": [], "mutations": [["animals", "delete", ["uuid", A2]]]}]),
    );
    assert_eq!(
        m.updates_batch([&c1, &c2]),
        Some(json!({"Animal": {A1: {"modify": {"legs": 3}}, A2: {"insert": {"kind": "emu"}}}}))
    );
    // Inserted and then deleted: nothing to say about A2.
    assert_eq!(
        m.updates_batch([&c1, &c2, &c3]),
        Some(json!({"Animal": {A1: {"modify": {"legs": 3}}}}))
    );
    assert_eq!(m.updates_batch([]), None);
}

#[test]
fn conversion() {
    let d = populated();
    let mut v = schema().to_json();
    // Drop a column, narrow a type, add a column.
    v["tables"]["Zoo"]["columns"]
        .as_object_mut()
        .unwrap()
        .remove("tags");
    v["tables"]["Animal"]["columns"]["legs"] =
        json!({"type": {"key": {"type": "integer", "maxInteger": 4}}});
    v["tables"]["Animal"]["columns"]["colour"] = json!({"type": "string"});
    let new = Arc::new(DatabaseSchema::from_json(&v).unwrap());
    let c = d.convert(new.clone()).unwrap();
    assert_eq!(c.n_rows("Animal"), 1);
    assert_eq!(c.row("Keeper", &u(K1)).unwrap().uuid(), u(K1));
    assert!(c.snapshot_record()["Zoo"][U1].get("tags").is_none());
    v["tables"]["Animal"]["columns"]["legs"] =
        json!({"type": {"key": {"type": "integer", "maxInteger": 3}}});
    let e = d
        .convert(Arc::new(DatabaseSchema::from_json(&v).unwrap()))
        .unwrap_err();
    assert_eq!(e.details, "4 is greater than maximum allowed value 3");
}

mod properties {
    //! Random transaction sequences: a client replica fed by monitor
    //! updates, and a database rebuilt from log records, must both match
    //! the database.

    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    #[derive(Clone, Debug)]
    enum Step {
        AddAnimal(u8, u8),
        SetLegs(u8, u8),
        SetWeight(u8, Option<u8>),
        Tag(bool, u8, u8),
        Keep(u8),
        Drop(u8),
        Rename(u8),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (0u8..6, 0u8..9).prop_map(|(a, l)| Step::AddAnimal(a, l)),
            (0u8..6, 0u8..9).prop_map(|(a, l)| Step::SetLegs(a, l)),
            (0u8..6, proptest::option::of(1u8..20)).prop_map(|(a, w)| Step::SetWeight(a, w)),
            (any::<bool>(), 0u8..4, 0u8..3).prop_map(|(i, k, v)| Step::Tag(i, k, v)),
            (0u8..6).prop_map(Step::Keep),
            (0u8..6).prop_map(Step::Drop),
            (0u8..3).prop_map(Step::Rename),
        ]
    }

    fn animal(a: u8) -> String {
        format!("33333333-3333-4333-8333-0000000000{a:02}")
    }

    fn ops(s: &Step) -> Value {
        let kinds = ["cat", "dog", "emu"];
        match s {
            Step::AddAnimal(a, l) => json!([
                {"op": "insert", "table": "Animal", "uuid": animal(*a), "row": {"kind": kinds[*a as usize % 3], "legs": *l}},
                {"op": "mutate", "table": "Keeper", "where": [], "mutations": [["animals", "insert", ["uuid", animal(*a)]]]}
            ]),
            Step::SetLegs(a, l) => {
                json!([{"op": "update", "table": "Animal", "where": [["_uuid", "==", ["uuid", animal(*a)]]], "row": {"legs": *l}}])
            }
            Step::SetWeight(a, w) => {
                let w = match w {
                    Some(w) => json!(*w as f64 / 4.0),
                    None => json!(["set", []]),
                };
                json!([{"op": "update", "table": "Animal", "where": [["_uuid", "==", ["uuid", animal(*a)]]], "row": {"weight": w}}])
            }
            Step::Tag(insert, k, v) => {
                let m = if *insert { "insert" } else { "delete" };
                json!([{"op": "mutate", "table": "Zoo", "where": [], "mutations": [["tags", m, ["map", [[format!("k{k}"), format!("v{v}")]]]]]}])
            }
            Step::Keep(a) => {
                json!([{"op": "update", "table": "Keeper", "where": [], "row": {"favourite": ["uuid", animal(*a)]}}])
            }
            Step::Drop(a) => {
                json!([{"op": "mutate", "table": "Keeper", "where": [], "mutations": [["animals", "delete", ["uuid", animal(*a)]]]}])
            }
            Step::Rename(n) => {
                json!([{"op": "update", "table": "Zoo", "where": [], "row": {"name": format!("zoo{n}")}}])
            }
        }
    }

    type Replica = BTreeMap<(String, String), serde_json::Map<String, Value>>;

    /// Applies a <table-updates2> to a replica holding full rows.
    fn apply_update2(replica: &mut Replica, schema: &DatabaseSchema, update: &Value) {
        for (table, rows) in update.as_object().unwrap() {
            let ts = &schema.tables[table];
            for (uuid, change) in rows.as_object().unwrap() {
                let key = (table.clone(), uuid.clone());
                let (op, row) = change.as_object().unwrap().iter().next().unwrap();
                match op.as_str() {
                    "initial" | "insert" => {
                        let mut full = serde_json::Map::new();
                        for (name, col) in &ts.columns {
                            full.insert(
                                name.clone(),
                                Datum::default_for(&col.type_).to_json(&col.type_),
                            );
                        }
                        for (name, v) in row.as_object().unwrap() {
                            full.insert(name.clone(), v.clone());
                        }
                        replica.insert(key, full);
                    }
                    "modify" => {
                        let current = replica.get_mut(&key).unwrap();
                        for (name, diff) in row.as_object().unwrap() {
                            if name == "_version" {
                                continue;
                            }
                            let ty = &ts.columns[name].type_;
                            let mut relaxed = ty.clone();
                            relaxed.min = 0;
                            relaxed.max = Type::UNLIMITED;
                            let old = Datum::from_json(&relaxed, &current[name]).unwrap();
                            let diff = Datum::from_json(&relaxed, diff).unwrap();
                            current.insert(
                                name.clone(),
                                old.apply_diff(&diff, ty).unwrap().to_json(ty),
                            );
                        }
                    }
                    "delete" => {
                        replica.remove(&key);
                    }
                    other => panic!("unexpected {other}"),
                }
            }
        }
    }

    fn contents(d: &Database) -> Replica {
        let mut out = Replica::new();
        for (name, ts) in &d.schema().tables {
            let names = d.column_names(name).unwrap();
            for row in d.rows(name) {
                let mut full = serde_json::Map::new();
                for (c, col) in names.iter().enumerate() {
                    if let Some(cs) = ts.columns.get(*col) {
                        full.insert(col.to_string(), row.get(c).unwrap().to_json(&cs.type_));
                    }
                }
                out.insert((name.clone(), row.uuid().hyphenated().to_string()), full);
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn replicas_and_logs_follow_the_database(steps in proptest::collection::vec(step(), 1..25)) {
            let mut d = populated();
            let schema = d.schema().clone();
            let all = json!({"Zoo": {}, "Keeper": {}, "Animal": {}});
            let m2 = Monitor::for_database(&d, &all, MonitorVersion::V2).unwrap();
            let mut replica = Replica::new();
            apply_update2(&mut replica, &schema, &m2.initial(&d));
            let mut from_log = Database::new(schema.clone());
            from_log.apply_log_record(&d.snapshot_record()).unwrap();
            let mut pending = Vec::new();
            for s in &steps {
                if let TxnOutcome::Committed { changes, .. } = run(&mut d, ops(s)) {
                    if let Some(u) = m2.updates(&changes) {
                        apply_update2(&mut replica, &schema, &u);
                    }
                    if let Some(rec) = changes.log_record(&d, None, 0) {
                        from_log.apply_log_record(&rec).unwrap();
                    }
                    pending.push(changes);
                }
            }
            let strip = |r: &Replica| -> Replica {
                r.iter()
                    .map(|(k, v)| {
                        let mut v = v.clone();
                        v.remove("_version");
                        (k.clone(), v)
                    })
                    .collect()
            };
            prop_assert_eq!(strip(&replica), contents(&d));
            prop_assert_eq!(from_log.snapshot_record(), d.snapshot_record());
            // One batched update from the start gives the same replica.
            let mut batched = Replica::new();
            let fresh = populated();
            apply_update2(&mut batched, &schema, &m2.initial(&fresh));
            if let Some(u) = m2.updates_batch(pending.iter()) {
                apply_update2(&mut batched, &schema, &u);
            }
            prop_assert_eq!(strip(&batched), contents(&d));
        }
    }
}

#[test]
fn column_order_decides_unsorted_selects() {
    let mut d = populated();
    ok(
        &mut d,
        json!([{"op": "insert", "table": "Animal", "uuid": A2, "row": {"kind": "emu", "legs": 2}},
                      {"op": "mutate", "table": "Keeper", "where": [], "mutations": [["animals", "insert", ["uuid", A2]]]}]),
    );
    let sel = json!([{"op": "select", "table": "Animal", "where": [], "columns": ["kind"]}]);
    let (reply, _) = ok(&mut d, sel.clone());
    assert_eq!(reply[0]["rows"], json!([{"kind": "cat"}, {"kind": "emu"}]));
    d.set_column_order("Animal", &["legs", "kind"]).unwrap();
    let (reply, _) = ok(&mut d, sel);
    assert_eq!(reply[0]["rows"], json!([{"kind": "emu"}, {"kind": "cat"}]));
    let (reply, _) = ok(
        &mut d,
        json!([{"op": "select", "table": "Animal", "where": [], "columns": ["kind"], "sort": ["kind"]}]),
    );
    assert_eq!(reply[0]["rows"], json!([{"kind": "cat"}, {"kind": "emu"}]));
    assert!(d.set_column_order("Animal", &["nope"]).is_err());
}

#[test]
fn shared_updates() {
    let d = populated();
    let req = json!({"Animal": {"columns": ["kind"]}});
    let a = Monitor::for_database(&d, &req, MonitorVersion::V2).unwrap();
    let b = Monitor::new(d.schema(), &req, MonitorVersion::V3).unwrap();
    let c = Monitor::for_database(&d, &req, MonitorVersion::V1).unwrap();
    let e = Monitor::for_database(
        &d,
        &json!({"Animal": {"columns": ["kind"], "where": [["legs", "==", 1]]}}),
        MonitorVersion::V2,
    )
    .unwrap();
    assert!(a.shares_updates_with(&b));
    assert!(!a.shares_updates_with(&c));
    assert!(!a.shares_updates_with(&e));
}

#[test]
fn shareable_across_threads() {
    fn check<T: Send + Sync>() {}
    check::<Database>();
    check::<Changes>();
    check::<Monitor>();
    check::<DatabaseSchema>();
    check::<OvsdbError>();
}

mod hmap_order {
    //! The engine's model of each table's hash map against a plain model
    //! (`ovs_shash::HashOrder`) fed the same insertions and removals.

    use proptest::prelude::*;

    use super::*;

    fn order_db() -> Database {
        let v = json!({"name": "O", "version": "1.0.0", "tables": {
            "R": {"isRoot": true, "columns": {"n": {"type": "integer"}}}}});
        let mut d = Database::new(Arc::new(DatabaseSchema::from_json(&v).unwrap()));
        d.seed_uuids(3);
        d
    }

    /// Few distinct first words, so that rows share buckets.
    fn uuid(k: u32) -> Uuid {
        Uuid::from_u128((u128::from(k.wrapping_mul(0x9e37_79b9) >> 28) << 96) | u128::from(k))
    }

    fn walked(d: &Database) -> Vec<Uuid> {
        d.tables[0]
            .rows_in_hmap_order()
            .into_iter()
            .map(Row::uuid)
            .collect()
    }

    /// The plain model's order, as UUIDs.
    fn expected(model: &ovs_shash::HashOrder) -> Vec<Uuid> {
        model.order().into_iter().map(|k| uuid(k as u32)).collect()
    }

    proptest! {
        #[test]
        fn committed_transactions(txns in prop::collection::vec(
            prop::collection::vec((any::<bool>(), 0u32..48), 1..12), 1..12)) {
            let mut d = order_db();
            let mut model = ovs_shash::HashOrder::new();
            for txn in txns {
                let mut ops = Vec::new();
                let mut present: std::collections::HashSet<u32> =
                    walked(&d).iter().map(|u| u.as_u128() as u32).collect();
                let mut deleted = std::collections::HashSet::new();
                for (insert, k) in txn {
                    let u = uuid(k);
                    let hash = ovs_shash::hash_uuid(u.as_bytes());
                    if insert && !present.contains(&k) && !deleted.contains(&k) {
                        ops.push(json!({"op": "insert", "table": "R", "uuid": u.to_string(), "row": {"n": k}}));
                        model.insert(hash, k as usize);
                        present.insert(k);
                    } else if !insert && present.remove(&k) {
                        deleted.insert(k);
                        ops.push(json!({"op": "delete", "table": "R", "where": [["_uuid", "==", ["uuid", u.to_string()]]]}));
                        model.remove(k as usize);
                    }
                }
                if ops.is_empty() {
                    continue;
                }
                ok(&mut d, Value::Array(ops));
                prop_assert_eq!(walked(&d), expected(&model));
            }
        }
    }

    #[test]
    fn replayed_rows_follow_the_records_member_hash_order() {
        let keys: Vec<u32> = (0..40).rev().collect();
        let mut record = String::from("{\"R\":{");
        for (i, k) in keys.iter().enumerate() {
            if i > 0 {
                record.push(',');
            }
            record.push_str(&format!("\"{}\":{{\"n\":{k}}}", uuid(*k)));
        }
        record.push_str("}}");
        let mut d = order_db();
        d.apply_log_record_text(record.as_bytes()).unwrap();
        // OVS inserts the rows in the order its parser's map of the
        // members iterates, which depends on the text order.
        let texts: Vec<String> = keys.iter().map(|k| uuid(*k).to_string()).collect();
        let mut model = ovs_shash::HashOrder::new();
        for i in ovs_shash::shash_order(&texts) {
            let k = keys[i];
            model.insert(ovs_shash::hash_uuid(uuid(k).as_bytes()), k as usize);
        }
        assert_eq!(walked(&d), expected(&model));
        // A record given as a value has its members in name order, as if
        // the text listed them so.
        let mut sorted = order_db();
        sorted
            .apply_log_record(&serde_json::from_str(&record).unwrap())
            .unwrap();
        let mut by_name = order_db();
        let value: Value = serde_json::from_str(&record).unwrap();
        by_name
            .apply_log_record_text(value.to_string().as_bytes())
            .unwrap();
        assert_eq!(walked(&sorted), walked(&by_name));
    }

    #[test]
    fn aborted_transactions_put_deleted_rows_first() {
        let mut d = order_db();
        let ops: Vec<Value> = (0..6)
            .map(|k| json!({"op": "insert", "table": "R", "uuid": uuid(k).to_string(), "row": {"n": k}}))
            .collect();
        ok(&mut d, Value::Array(ops));
        let before = walked(&d);
        // Six rows in four buckets: delete the second row of a bucket
        // holding two, then abort.
        let bucket = |u: &Uuid| ovs_shash::hash_uuid(u.as_bytes()) & 3;
        let victim = before
            .iter()
            .enumerate()
            .find_map(|(i, a)| before[i + 1..].iter().find(|b| bucket(a) == bucket(b)))
            .copied()
            .expect("two rows in one bucket");
        let ops = json!([
            {"op": "delete", "table": "R", "where": [["_uuid", "==", ["uuid", victim.to_string()]]]},
            {"op": "abort"}
        ]);
        assert!(matches!(run(&mut d, ops), TxnOutcome::Failed { .. }));
        let after = walked(&d);
        assert_ne!(after, before);
        // The same history in the plain model: the insertions, then the
        // abort's re-insertion of the deleted row at its bucket's head.
        let mut model = ovs_shash::HashOrder::new();
        for k in 0..6 {
            model.insert(ovs_shash::hash_uuid(uuid(k).as_bytes()), k as usize);
        }
        let k = victim.as_u128() as usize;
        model.remove(k);
        model.insert(ovs_shash::hash_uuid(victim.as_bytes()), k);
        assert_eq!(after, expected(&model));
    }
}
