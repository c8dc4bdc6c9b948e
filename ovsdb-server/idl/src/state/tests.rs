//! The session fed with JSON, and against an in-memory server built from
//! the engine (the same code that computes our `ovsdb-server`'s updates).

use std::collections::{BTreeMap, BTreeSet};

use ovsdb::{Atom, Changes, Database, Datum, Monitor, MonitorVersion, Str, TxnContext, TxnOutcome};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Value, json};

use super::*;
use crate::txn::Mutator;

const DB: &str = "P";
const ZERO: &str = "00000000-0000-0000-0000-000000000000";

fn schema_json() -> Value {
    json!({
        "name": DB,
        "version": "1.2.3",
        "tables": {
            "A": {"columns": {
                "s": {"type": "string"},
                "i": {"type": "integer"},
                "b": {"type": "boolean"},
                "r": {"type": "real"},
                "set": {"type": {"key": "integer", "min": 0, "max": "unlimited"}},
                "map": {"type": {"key": "string", "value": "integer", "min": 0, "max": "unlimited"}},
                "opt": {"type": {"key": "string", "min": 0, "max": 1}},
                "refs": {"type": {"key": {"type": "uuid", "refTable": "B", "refType": "weak"},
                                  "min": 0, "max": "unlimited"}}
            }, "isRoot": true},
            "B": {"columns": {
                "name": {"type": "string"},
                "tags": {"type": {"key": "string", "min": 0, "max": 3}}
            }, "isRoot": true}
        }
    })
}

fn ctx() -> TxnContext<'static> {
    TxnContext {
        now_ms: 0,
        owns_lock: &|_| false,
    }
}

/// An in-memory `ovsdb-server` for one client connection.
struct FakeServer {
    db: Database,
    /// Newest monitor method it knows.
    max_method: MonitorMethod,
    monitor: Option<(Value, Monitor, MonitorMethod)>,
    /// Every commit, for `monitor_cond_since` (a clustered server's
    /// history; ours and OVS's standalone ones keep none).
    history: Vec<Changes>,
    keep_history: bool,
    connected: bool,
}

impl FakeServer {
    fn new(max_method: MonitorMethod, keep_history: bool) -> FakeServer {
        let schema = DatabaseSchema::from_json(&schema_json()).unwrap();
        FakeServer {
            db: Database::new(Arc::new(schema)),
            max_method,
            monitor: None,
            history: Vec::new(),
            keep_history,
            connected: false,
        }
    }

    fn last_id(&self) -> String {
        self.history
            .last()
            .map_or(ZERO.to_string(), |c| c.txn_id.hyphenated().to_string())
    }

    /// Commits `ops`; returns the transact reply and, while a client is
    /// connected and monitoring, the update notification.
    fn transact(&mut self, ops: &[Value]) -> (Value, Option<Message>) {
        match self.db.transact(ops, &ctx()) {
            TxnOutcome::Committed { reply, changes } => {
                let note = self.notification(&changes);
                if self.keep_history {
                    self.history.push(changes);
                }
                (reply, note)
            }
            TxnOutcome::Failed { reply } => (reply, None),
            TxnOutcome::Blocked { .. } => panic!("test transactions never block"),
        }
    }

    fn notification(&self, changes: &Changes) -> Option<Message> {
        let (id, monitor, method) = self.monitor.as_ref().filter(|_| self.connected)?;
        let updates = monitor.updates(changes)?;
        let (name, params) = match method {
            MonitorMethod::Monitor => ("update", json!([id, updates])),
            MonitorMethod::MonitorCond => ("update2", json!([id, updates])),
            MonitorMethod::MonitorCondSince => (
                "update3",
                json!([id, changes.txn_id.hyphenated().to_string(), updates]),
            ),
        };
        Some(Message::notify(name, params))
    }

    fn handle(&mut self, msg: Message) -> Vec<Message> {
        let Message::Request { method, params, id } = msg else {
            return Vec::new();
        };
        let p = params.as_array().cloned().unwrap_or_default();
        let unknown = || vec![Message::error(id.clone(), json!("unknown method"))];
        match method.as_str() {
            "get_schema" => vec![Message::reply(id, self.db.schema().to_json())],
            "echo" => vec![Message::reply(id, params)],
            "transact" => {
                let (reply, note) = self.transact(&p[1..]);
                // OVS sends the update before the reply.
                note.into_iter()
                    .chain([Message::reply(id, reply)])
                    .collect()
            }
            "monitor" | "monitor_cond" | "monitor_cond_since" => {
                let m = match method.as_str() {
                    "monitor" => MonitorMethod::Monitor,
                    "monitor_cond" => MonitorMethod::MonitorCond,
                    _ => MonitorMethod::MonitorCondSince,
                };
                if m > self.max_method {
                    return unknown();
                }
                let version = match m {
                    MonitorMethod::Monitor => MonitorVersion::V1,
                    MonitorMethod::MonitorCond => MonitorVersion::V2,
                    MonitorMethod::MonitorCondSince => MonitorVersion::V3,
                };
                let monitor = Monitor::new(self.db.schema(), &p[2], version).unwrap();
                let initial = monitor.initial(&self.db);
                let result = if m == MonitorMethod::MonitorCondSince {
                    let since = p[3].as_str().unwrap();
                    let pos = self
                        .history
                        .iter()
                        .position(|c| c.txn_id.hyphenated().to_string() == since);
                    match pos {
                        Some(pos) => {
                            let updates = monitor
                                .updates_batch(&self.history[pos + 1..])
                                .unwrap_or(json!({}));
                            json!([true, self.last_id(), updates])
                        }
                        None => json!([false, self.last_id(), initial]),
                    }
                } else {
                    initial
                };
                self.monitor = Some((p[1].clone(), monitor, m));
                vec![Message::reply(id, result)]
            }
            _ => unknown(),
        }
    }
}

/// Delivers messages both ways until both sides are quiet.
fn pump(idl: &mut IdlState, server: &mut FakeServer, now: u64) -> Result<(), IdlError> {
    while let Some(m) = idl.poll_transmit() {
        for reply in server.handle(m) {
            idl.handle_message(now, reply)?;
        }
    }
    Ok(())
}

fn connect(idl: &mut IdlState, server: &mut FakeServer, now: u64) {
    server.connected = true;
    server.monitor = None;
    idl.handle_connected(now);
    pump(idl, server, now).unwrap();
}

/// The replica holds exactly the server's rows.
fn assert_in_sync(idl: &IdlState, db: &Database) {
    let replica = idl.replica();
    for table in ["A", "B"] {
        let t = replica.table(table).unwrap();
        assert_eq!(t.len(), db.n_rows(table), "table {table}");
        let names = db.column_names(table).unwrap();
        for row in db.rows(table) {
            let mine = t
                .get(&row.uuid())
                .unwrap_or_else(|| panic!("missing row {}", row.uuid()));
            for (c, name) in names.iter().enumerate() {
                if name.starts_with('_') {
                    continue;
                }
                assert_eq!(mine.get(name), row.get(c), "{table} {} {name}", row.uuid());
            }
        }
    }
}

fn state(method: MonitorMethod) -> IdlState {
    let options = IdlOptions {
        max_monitor_method: method,
        ..IdlOptions::default()
    };
    IdlState::new(DB, MonitorSelection::all(), options)
}

#[test]
fn startup_requests_match_ovs() {
    let mut idl = IdlState::new(DB, MonitorSelection::all(), IdlOptions::default());
    assert_eq!(idl.state(), SessionState::Backoff);
    assert_eq!(idl.reconnect_at(), Some(0));
    idl.handle_connected(0);
    assert_eq!(
        idl.poll_transmit(),
        Some(Message::request("get_schema", json!([DB]), json!(0)))
    );
    assert_eq!(idl.poll_transmit(), None);
    idl.handle_message(1, Message::reply(json!(0), schema_json()))
        .unwrap();
    let all_a = ["b", "i", "map", "opt", "r", "refs", "s", "set"];
    assert_eq!(
        idl.poll_transmit(),
        Some(Message::request(
            "monitor_cond_since",
            json!([DB, ["monid", DB], {
                "A": [{"columns": all_a}],
                "B": [{"columns": ["name", "tags"]}],
            }, ZERO]),
            json!(1)
        ))
    );
    assert_eq!(
        idl.state(),
        SessionState::MonitorRequested(MonitorMethod::MonitorCondSince)
    );
    let u = "00000000-0000-0000-0000-0000000000aa";
    let txn = "00000000-0000-0000-0000-0000000000bb";
    idl.handle_message(
        2,
        Message::reply(
            json!(1),
            json!([false, txn, {"B": {u: {"initial": {"name": "x"}}}}]),
        ),
    )
    .unwrap();
    assert_eq!(
        idl.state(),
        SessionState::Monitoring(MonitorMethod::MonitorCondSince)
    );
    assert_eq!(idl.last_txn_id(), parse_uuid(txn).unwrap());
    let r = idl.replica();
    assert_eq!(r.seqno(), 1);
    let row = r.row("B", &parse_uuid(u).unwrap()).unwrap();
    assert_eq!(row.get_str("name"), Some("x"));
    assert!(row.get_set("tags").is_empty());
    assert_eq!(r.table("A").unwrap().len(), 0);

    // An update3 moves the transaction id on.
    let txn2 = "00000000-0000-0000-0000-0000000000cc";
    idl.handle_message(
        3,
        Message::notify(
            "update3",
            json!([["monid", DB], txn2, {"B": {u: {"modify": {"tags": ["set", ["t"]]}}}}]),
        ),
    )
    .unwrap();
    assert_eq!(idl.last_txn_id(), parse_uuid(txn2).unwrap());
    assert_eq!(idl.replica().seqno(), 2);
    let row = idl.replica().row("B", &parse_uuid(u).unwrap()).unwrap();
    assert_eq!(row.get_set("tags"), &[Atom::String(Str::new("t"))]);

    // Updates for someone else's monitor are not ours.
    idl.handle_message(
        4,
        Message::notify("update2", json!([["other"], {"B": {u: {"delete": null}}}])),
    )
    .unwrap();
    assert_eq!(idl.replica().seqno(), 2);
}

#[test]
fn selected_tables_and_columns_only() {
    let mut sel = MonitorSelection::all();
    sel.columns("A", &["i", "nonexistent"])
        .columns("A", &["s"])
        .table("B")
        .table("Missing");
    let mut idl = IdlState::new(DB, sel, IdlOptions::default());
    idl.handle_connected(0);
    idl.poll_transmit();
    idl.handle_message(0, Message::reply(json!(0), schema_json()))
        .unwrap();
    let Some(Message::Request { params, .. }) = idl.poll_transmit() else {
        panic!("no monitor request");
    };
    assert_eq!(
        params[2],
        json!({"A": [{"columns": ["i", "s"]}], "B": [{"columns": ["name", "tags"]}]})
    );
}

#[test]
fn monitor_methods_fall_back() {
    for max in [MonitorMethod::MonitorCond, MonitorMethod::Monitor] {
        let mut server = FakeServer::new(max, false);
        let mut idl = state(MonitorMethod::MonitorCondSince);
        connect(&mut idl, &mut server, 0);
        assert_eq!(idl.state(), SessionState::Monitoring(max));
        let (_, note) =
            server.transact(&[json!({"op": "insert", "table": "B", "row": {"name": "n"}})]);
        idl.handle_message(1, note.unwrap()).unwrap();
        assert_in_sync(&idl, &server.db);
        assert_eq!(idl.replica().table("B").unwrap().len(), 1);
    }
}

#[test]
fn refused_by_every_method_is_an_error() {
    let mut idl = state(MonitorMethod::MonitorCondSince);
    idl.handle_connected(0);
    idl.poll_transmit();
    idl.handle_message(0, Message::reply(json!(0), schema_json()))
        .unwrap();
    for id in 1..3 {
        idl.poll_transmit().unwrap();
        idl.handle_message(0, Message::error(json!(id), json!("unknown method")))
            .unwrap();
    }
    idl.poll_transmit().unwrap();
    assert!(matches!(
        idl.handle_message(0, Message::error(json!(3), json!("unknown method"))),
        Err(IdlError::Server { .. })
    ));
}

#[test]
fn server_errors_and_bad_replies_end_the_session() {
    let mut idl = state(MonitorMethod::MonitorCondSince);
    idl.handle_connected(0);
    idl.poll_transmit();
    assert!(matches!(
        idl.handle_message(
            0,
            Message::error(json!(0), json!({"error": "unknown database"}))
        ),
        Err(IdlError::Server { .. })
    ));

    let mut idl = state(MonitorMethod::MonitorCondSince);
    idl.handle_connected(0);
    idl.poll_transmit();
    assert!(matches!(
        idl.handle_message(0, Message::reply(json!(0), json!({"name": 1}))),
        Err(IdlError::Schema(_))
    ));

    for bad in [
        json!({}),
        json!([true, "x", {}]),
        json!([1, ZERO, {}]),
        json!([false, ZERO, []]),
    ] {
        let mut idl = state(MonitorMethod::MonitorCondSince);
        idl.handle_connected(0);
        idl.poll_transmit();
        idl.handle_message(0, Message::reply(json!(0), schema_json()))
            .unwrap();
        idl.poll_transmit();
        assert!(
            idl.handle_message(0, Message::reply(json!(1), bad.clone()))
                .is_err(),
            "{bad}"
        );
        assert_eq!(idl.replica().seqno(), 0);
    }
}

#[test]
fn bad_update_forces_a_full_reload() {
    let mut server = FakeServer::new(MonitorMethod::MonitorCondSince, true);
    let mut idl = state(MonitorMethod::MonitorCondSince);
    let (_, _) = server.transact(&[json!({"op": "insert", "table": "B", "row": {"name": "n"}})]);
    connect(&mut idl, &mut server, 0);
    assert!(!idl.last_txn_id().is_nil());
    let before = idl.replica().clone();
    for bad in [
        json!([["monid", DB], ZERO]),
        json!([["monid", DB], "nope", {}]),
        json!([["monid", DB], ZERO, {"Nope": {}}]),
    ] {
        assert!(
            idl.handle_message(1, Message::notify("update3", bad))
                .is_err()
        );
    }
    assert!(idl.last_txn_id().is_nil());
    assert_eq!(idl.replica().seqno(), before.seqno());
    // An update in the other format is refused too.
    assert!(
        idl.handle_message(1, Message::notify("update", json!([["monid", DB], {}])))
            .is_err()
    );
}

#[test]
fn echo_requests_are_answered_and_unknown_replies_ignored() {
    let mut idl = state(MonitorMethod::MonitorCondSince);
    idl.handle_connected(0);
    idl.poll_transmit();
    idl.handle_message(0, Message::request("echo", json!(["x"]), json!("echo")))
        .unwrap();
    assert_eq!(
        idl.poll_transmit(),
        Some(Message::reply(json!("echo"), json!(["x"])))
    );
    idl.handle_message(0, Message::reply(json!(99), json!({})))
        .unwrap();
    idl.handle_message(0, Message::reply(json!("weird"), json!({})))
        .unwrap();
    idl.handle_message(0, Message::notify("locked", json!(["l"])))
        .unwrap();
    idl.handle_message(0, Message::request("steal", json!([]), json!(5)))
        .unwrap();
    assert_eq!(idl.poll_transmit(), None);
    assert_eq!(idl.state(), SessionState::SchemaRequested);
}

#[test]
fn probes_like_ovs() {
    let options = IdlOptions {
        probe_interval_ms: 5000,
        ..IdlOptions::default()
    };
    let mut idl = IdlState::new(DB, MonitorSelection::all(), options);
    assert!(idl.handle_timeout(100_000).is_ok());
    idl.handle_connected(1000);
    idl.poll_transmit();
    assert_eq!(idl.poll_timeout(), Some(6000));
    idl.handle_timeout(5999).unwrap();
    assert_eq!(idl.poll_transmit(), None);
    // Anything received counts as activity.
    idl.handle_message(3000, Message::reply(json!("echo"), json!([])))
        .unwrap();
    assert_eq!(idl.poll_timeout(), Some(8000));
    idl.handle_timeout(8000).unwrap();
    assert_eq!(
        idl.poll_transmit(),
        Some(Message::request("echo", json!([]), json!("echo")))
    );
    assert_eq!(idl.poll_timeout(), Some(13000));
    idl.handle_timeout(12999).unwrap();
    assert!(matches!(
        idl.handle_timeout(13000),
        Err(IdlError::ProbeTimeout { idle_ms: 10000 })
    ));
    // Probes off: no timeout while connected.
    let mut idl = state(MonitorMethod::MonitorCondSince);
    idl.handle_connected(0);
    assert_eq!(idl.poll_timeout(), None);
}

#[test]
fn backoff_like_ovs() {
    let mut idl = state(MonitorMethod::MonitorCondSince);
    let mut waits = Vec::new();
    let mut now = 0;
    for _ in 0..6 {
        idl.handle_connect_failed(now);
        let at = idl.reconnect_at().unwrap();
        waits.push(at - now);
        now = at;
    }
    assert_eq!(waits, [1000, 2000, 4000, 8000, 8000, 8000]);
    // A connection that lived and talked earns a quick retry.
    idl.handle_connected(now);
    idl.handle_message(now + 9000, Message::reply(json!(7), json!({})))
        .unwrap();
    idl.handle_disconnected(now + 20_000);
    assert_eq!(idl.reconnect_at(), Some(now + 21_000));
    // One that died at once backs off further.
    now += 21_000;
    idl.handle_connected(now);
    idl.handle_disconnected(now + 10);
    assert_eq!(idl.reconnect_at(), Some(now + 10 + 2000));
}

#[test]
fn transactions_round_trip_and_fail_over_disconnects() {
    let mut server = FakeServer::new(MonitorMethod::MonitorCondSince, false);
    let mut idl = state(MonitorMethod::MonitorCondSince);

    let mut txn = Transaction::new();
    txn.comment("early");
    assert!(matches!(idl.commit(&txn), Err(TxnError::TryAgain(_))));

    connect(&mut idl, &mut server, 0);
    let mut txn = Transaction::new();
    let b = txn.insert("B", [("name", Datum::scalar(Atom::string("b1")))]);
    let a = txn.insert(
        "A",
        [
            ("s", Datum::scalar(Atom::string("a1"))),
            ("refs", Datum::scalar(Atom::Uuid(b))),
        ],
    );
    txn.mutate(
        "A",
        a,
        [("i", Mutator::Add, Datum::scalar(Atom::Integer(5)))],
    );
    let id = idl.commit(&txn).unwrap();
    pump(&mut idl, &mut server, 1).unwrap();
    let Some(Event::TxnDone { id: done, result }) = idl.poll_event() else {
        panic!("no outcome");
    };
    assert_eq!(done, id);
    let ok = result.unwrap();
    let real_a = ok.inserted_uuid(&a).unwrap();
    let real_b = ok.inserted_uuid(&b).unwrap();
    assert_in_sync(&idl, &server.db);
    let row = idl.replica().row("A", &real_a).unwrap().clone();
    assert_eq!(row.get_integer("i"), Some(5));
    assert_eq!(row.get_set("refs"), &[Atom::Uuid(real_b)]);

    // A verify of what we read passes; once someone changed it, it asks
    // us to try again.
    let mut txn = Transaction::new();
    txn.verify(&row, &["i", "s"]);
    txn.update("A", real_a, [("i", Datum::scalar(Atom::Integer(6)))]);
    idl.commit(&txn).unwrap();
    pump(&mut idl, &mut server, 2).unwrap();
    assert!(matches!(
        idl.poll_event(),
        Some(Event::TxnDone { result: Ok(_), .. })
    ));
    idl.commit(&txn).unwrap();
    pump(&mut idl, &mut server, 3).unwrap();
    assert!(matches!(
        idl.poll_event(),
        Some(Event::TxnDone {
            result: Err(TxnError::TryAgain(_)),
            ..
        })
    ));

    // The server's refusal comes back as such.
    let mut txn = Transaction::new();
    txn.update(
        "B",
        real_b,
        [(
            "tags",
            Datum::from_set(["1", "2", "3", "4"].map(Atom::string).to_vec()).unwrap(),
        )],
    );
    idl.commit(&txn).unwrap();
    pump(&mut idl, &mut server, 4).unwrap();
    match idl.poll_event() {
        Some(Event::TxnDone {
            result: Err(TxnError::Failed(errors)),
            ..
        }) => assert_eq!(errors[0].error, "syntax error"),
        other => panic!("{other:?}"),
    }

    // In flight when the connection drops: try again.
    let mut txn = Transaction::new();
    txn.comment("lost");
    let id = idl.commit(&txn).unwrap();
    idl.handle_disconnected(5);
    assert!(matches!(
        idl.poll_event(),
        Some(Event::TxnDone { id: lost, result: Err(TxnError::TryAgain(_)) }) if lost == id
    ));
    assert_eq!(idl.poll_transmit(), None);
    assert!(matches!(idl.commit(&txn), Err(TxnError::TryAgain(_))));
}

#[test]
fn monitor_cond_since_continues_or_reloads() {
    let mut server = FakeServer::new(MonitorMethod::MonitorCondSince, true);
    let mut idl = state(MonitorMethod::MonitorCondSince);
    server.transact(&[json!({"op": "insert", "table": "B", "row": {"name": "one"}})]);
    connect(&mut idl, &mut server, 0);
    assert_in_sync(&idl, &server.db);
    let seqno = idl.replica().seqno();
    let one = idl
        .replica()
        .table("B")
        .unwrap()
        .rows()
        .next()
        .unwrap()
        .clone();

    // Changes while we are away come as a diff: untouched rows keep their
    // identity.
    idl.handle_disconnected(1);
    server.connected = false;
    server.transact(&[json!({"op": "insert", "table": "B", "row": {"name": "two"}})]);
    connect(&mut idl, &mut server, 2);
    assert_in_sync(&idl, &server.db);
    assert_eq!(idl.replica().seqno(), seqno + 1);
    assert!(Arc::ptr_eq(
        idl.replica().row("B", &one.uuid()).unwrap(),
        &one
    ));

    // A server that lost our history (e.g. restarted) sends everything.
    server.history.clear();
    server.transact(&[json!({"op": "insert", "table": "B", "row": {"name": "three"}})]);
    idl.handle_disconnected(3);
    server.connected = false;
    connect(&mut idl, &mut server, 4);
    assert_in_sync(&idl, &server.db);
    assert!(!Arc::ptr_eq(
        idl.replica().row("B", &one.uuid()).unwrap(),
        &one
    ));
}

#[test]
fn monitor_canceled_restarts() {
    let mut server = FakeServer::new(MonitorMethod::MonitorCondSince, true);
    let mut idl = state(MonitorMethod::MonitorCondSince);
    connect(&mut idl, &mut server, 0);
    idl.handle_message(
        1,
        Message::notify("monitor_canceled", json!([["monid", "other"]])),
    )
    .unwrap();
    assert!(idl.poll_transmit().is_none());
    idl.handle_message(
        1,
        Message::notify("monitor_canceled", json!([["monid", DB]])),
    )
    .unwrap();
    assert_eq!(idl.state(), SessionState::SchemaRequested);
    pump(&mut idl, &mut server, 2).unwrap();
    assert_eq!(
        idl.state(),
        SessionState::Monitoring(MonitorMethod::MonitorCondSince)
    );
}

/// What the property test does, step by step.
#[derive(Clone, Debug)]
enum Step {
    InsertA(ARow),
    InsertB(String, BTreeSet<String>),
    /// Through the IDL's own transaction, when connected.
    UpdateA(Index, ARow),
    MutateA(Index, BTreeSet<i64>, BTreeSet<String>),
    DeleteA(Index),
    DeleteB(Index),
    Disconnect,
    Reconnect,
}

#[derive(Clone, Debug)]
struct ARow {
    s: String,
    i: i64,
    b: bool,
    r: i32,
    set: BTreeSet<i64>,
    map: BTreeMap<String, i64>,
    opt: Option<String>,
    refs: Vec<Index>,
}

fn word() -> impl Strategy<Value = String> {
    "[a-c]{0,2}"
}

fn a_row() -> impl Strategy<Value = ARow> {
    (
        word(),
        -3i64..3,
        any::<bool>(),
        -4i32..4,
        prop::collection::btree_set(-3i64..3, 0..4),
        prop::collection::btree_map(word(), -2i64..2, 0..3),
        prop::option::of(word()),
        prop::collection::vec(any::<Index>(), 0..3),
    )
        .prop_map(|(s, i, b, r, set, map, opt, refs)| ARow {
            s,
            i,
            b,
            r,
            set,
            map,
            opt,
            refs,
        })
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => a_row().prop_map(Step::InsertA),
        2 => (word(), prop::collection::btree_set(word(), 0..3)).prop_map(|(n, t)| Step::InsertB(n, t)),
        3 => (any::<Index>(), a_row()).prop_map(|(i, r)| Step::UpdateA(i, r)),
        2 => (any::<Index>(), prop::collection::btree_set(-3i64..3, 0..3), prop::collection::btree_set(word(), 0..2))
            .prop_map(|(i, add, del)| Step::MutateA(i, add, del)),
        1 => any::<Index>().prop_map(Step::DeleteA),
        1 => any::<Index>().prop_map(Step::DeleteB),
        1 => Just(Step::Disconnect),
        1 => Just(Step::Reconnect),
    ]
}

fn uuids(db: &Database, table: &str) -> Vec<Uuid> {
    let mut v: Vec<Uuid> = db.rows(table).map(|r| r.uuid()).collect();
    v.sort();
    v
}

fn a_datums(row: &ARow, bs: &[Uuid]) -> Vec<(&'static str, Datum)> {
    let refs: BTreeSet<Uuid> = if bs.is_empty() {
        BTreeSet::new()
    } else {
        row.refs.iter().map(|i| bs[i.index(bs.len())]).collect()
    };
    vec![
        ("s", Datum::scalar(Atom::string(&row.s))),
        ("i", Datum::scalar(Atom::Integer(row.i))),
        ("b", Datum::scalar(Atom::Boolean(row.b))),
        ("r", Datum::scalar(Atom::Real(f64::from(row.r) / 4.0))),
        (
            "set",
            Datum::from_set(row.set.iter().map(|&i| Atom::Integer(i)).collect()).unwrap(),
        ),
        (
            "map",
            Datum::from_map(
                row.map
                    .iter()
                    .map(|(k, v)| (Atom::string(k), Atom::Integer(*v)))
                    .collect(),
            )
            .unwrap(),
        ),
        (
            "opt",
            Datum::from_set(row.opt.iter().map(|s| Atom::string(s)).collect()).unwrap(),
        ),
        (
            "refs",
            Datum::from_set(refs.into_iter().map(Atom::Uuid).collect()).unwrap(),
        ),
    ]
}

fn a_json(row: &ARow, bs: &[Uuid], schema: &DatabaseSchema) -> Value {
    let t = schema.table("A").unwrap();
    let mut o = serde_json::Map::new();
    for (name, d) in a_datums(row, bs) {
        o.insert(name.into(), d.to_json(&t.column(name).unwrap().type_));
    }
    Value::Object(o)
}

fn run_steps(method: MonitorMethod, history: bool, steps: Vec<Step>) -> Result<(), TestCaseError> {
    let mut server = FakeServer::new(method, history);
    let mut idl = state(MonitorMethod::MonitorCondSince);
    let mut now = 0;
    connect(&mut idl, &mut server, now);
    let schema = server.db.schema().clone();
    for step in steps {
        now += 1;
        let bs = uuids(&server.db, "B");
        let as_ = uuids(&server.db, "A");
        let pick = |v: &[Uuid], i: &Index| (!v.is_empty()).then(|| v[i.index(v.len())]);
        let ops = match &step {
            Step::InsertA(row) => {
                vec![json!({"op": "insert", "table": "A", "row": a_json(row, &bs, &schema)})]
            }
            Step::InsertB(name, tags) => vec![json!({"op": "insert", "table": "B",
                "row": {"name": name, "tags": ["set", tags.iter().collect::<Vec<_>>()]}})],
            Step::UpdateA(i, row) => {
                let Some(u) = pick(&as_, i) else { continue };
                let mut txn = Transaction::new();
                txn.update("A", u, a_datums(row, &bs));
                match idl.commit(&txn) {
                    Ok(id) => {
                        pump(&mut idl, &mut server, now).unwrap();
                        match idl.poll_event() {
                            Some(Event::TxnDone {
                                id: done,
                                result: Ok(_),
                            }) => prop_assert_eq!(done, id),
                            other => prop_assert!(false, "{:?}", other),
                        }
                    }
                    Err(TxnError::TryAgain(_)) => prop_assert!(!idl.is_connected()),
                    Err(e) => prop_assert!(false, "{}", e),
                }
                Vec::new()
            }
            Step::MutateA(i, add, del) => {
                let Some(u) = pick(&as_, i) else { continue };
                vec![json!({"op": "mutate", "table": "A",
                    "where": [["_uuid", "==", ["uuid", u.to_string()]]],
                    "mutations": [["set", "insert", ["set", add.iter().collect::<Vec<_>>()]],
                                  ["map", "delete", ["set", del]]]})]
            }
            Step::DeleteA(i) | Step::DeleteB(i) => {
                let (table, v) = if matches!(step, Step::DeleteA(_)) {
                    ("A", &as_)
                } else {
                    ("B", &bs)
                };
                let Some(u) = pick(v, i) else { continue };
                vec![json!({"op": "delete", "table": table,
                    "where": [["_uuid", "==", ["uuid", u.to_string()]]]})]
            }
            Step::Disconnect => {
                idl.handle_disconnected(now);
                server.connected = false;
                Vec::new()
            }
            Step::Reconnect => {
                if !idl.is_connected() {
                    connect(&mut idl, &mut server, now);
                }
                Vec::new()
            }
        };
        if !ops.is_empty() {
            let seqno = idl.replica().seqno();
            let (reply, note) = server.transact(&ops);
            prop_assert!(
                reply
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|r| r.get("error").is_none()),
                "{}",
                reply
            );
            if let Some(note) = note {
                idl.handle_message(now, note).unwrap();
                prop_assert_eq!(idl.replica().seqno(), seqno + 1);
            }
        }
        if idl.is_connected() {
            assert_in_sync(&idl, &server.db);
        }
    }
    if !idl.is_connected() {
        connect(&mut idl, &mut server, now + 1);
    }
    assert_in_sync(&idl, &server.db);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn replica_follows_the_engine(
        method in prop_oneof![
            Just(MonitorMethod::Monitor),
            Just(MonitorMethod::MonitorCond),
            Just(MonitorMethod::MonitorCondSince),
        ],
        history in any::<bool>(),
        steps in prop::collection::vec(step(), 1..24),
    ) {
        run_steps(method, history, steps)?;
    }

    /// Datums survive the transaction encoder and the replica's decoder.
    #[test]
    fn datums_round_trip(row in a_row(), n_b in 0usize..3) {
        let schema = DatabaseSchema::from_json(&schema_json()).unwrap();
        let bs: Vec<Uuid> = (0..n_b as u128).map(|i| Uuid::from_u128(i + 1)).collect();
        let target = Uuid::from_u128(99);
        let mut txn = Transaction::new();
        let datums = a_datums(&row, &bs);
        txn.update("A", target, datums.clone());
        let encoded = txn.encode(DB, &schema).unwrap();
        let sent = encoded.params[1]["row"].clone();

        let layouts = MonitorSelection::all().resolve(&schema);
        let mut replica = Arc::new(Replica::empty(Arc::new(schema), &layouts, 0));
        replica
            .apply_update(&json!({"A": {target.to_string(): {"insert": sent}}}), UpdateFormat::V2)
            .unwrap();
        let got = replica.row("A", &target).unwrap();
        for (name, d) in datums {
            prop_assert_eq!(got.get(name), Some(&d));
        }
    }
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..3).prop_map(Value::from),
        Just(json!(ZERO)),
        Just(json!("00000000-0000-0000-0000-000000000001")),
        Just(json!(["monid", DB])),
        prop_oneof![
            Just("A"),
            Just("B"),
            Just("s"),
            Just("set"),
            Just("map"),
            Just("refs"),
            Just("insert"),
            Just("modify"),
            Just("delete"),
            Just("initial"),
            Just("old"),
            Just("new"),
            Just("uuid"),
            Just("x"),
        ]
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(5, 48, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("A".to_string()),
                        Just("B".to_string()),
                        Just("00000000-0000-0000-0000-000000000001".to_string()),
                        Just("insert".to_string()),
                        Just("modify".to_string()),
                        Just("delete".to_string()),
                        Just("new".to_string()),
                        Just("old".to_string()),
                        Just("s".to_string()),
                        Just("set".to_string()),
                        Just("map".to_string()),
                    ],
                    inner
                ),
                0..4
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn any_message() -> impl Strategy<Value = Message> {
    let method = prop_oneof![
        Just("update"),
        Just("update2"),
        Just("update3"),
        Just("echo"),
        Just("monitor_canceled"),
        Just("locked"),
    ];
    prop_oneof![
        (method.clone(), any_json()).prop_map(|(m, p)| Message::notify(m, p)),
        (method, any_json()).prop_map(|(m, p)| Message::request(m, p, json!(1))),
        ((0u64..4), any_json()).prop_map(|(id, r)| Message::reply(json!(id), r)),
        ((0u64..4), any_json()).prop_map(|(id, e)| Message::error(json!(id), e)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Whatever a server sends, in whatever state: errors, never panics,
    /// and a refused update leaves the replica alone.
    #[test]
    fn arbitrary_server_messages_never_panic(
        synced in any::<bool>(),
        method in prop_oneof![
            Just(MonitorMethod::Monitor),
            Just(MonitorMethod::MonitorCond),
            Just(MonitorMethod::MonitorCondSince),
        ],
        messages in prop::collection::vec(any_message(), 1..8),
    ) {
        let mut server = FakeServer::new(method, false);
        server.transact(&[json!({"op": "insert", "table": "B", "row": {"name": "n"}})]);
        let mut idl = state(MonitorMethod::MonitorCondSince);
        if synced {
            connect(&mut idl, &mut server, 0);
        } else {
            idl.handle_connected(0);
        }
        let mut txn = Transaction::new();
        txn.comment("c");
        let _ = idl.commit(&txn);
        for m in messages {
            let before = idl.replica().clone();
            if idl.handle_message(1, m).is_err() {
                prop_assert_eq!(idl.replica().seqno(), before.seqno());
                idl.handle_disconnected(2);
                connect(&mut idl, &mut server, 3);
                assert_in_sync(&idl, &server.db);
            }
            while idl.poll_transmit().is_some() {}
            while idl.poll_event().is_some() {}
        }
    }
}
