//! The OVSDB engine, run in this process, against Debian's real
//! `ovsdb-server` on the same database file and the same sequence of
//! transactions: the replies must be identical.
//!
//! A `select` that leaves `_uuid` out shows which row of each group of
//! duplicates OVS met first walking the table's hash map, and that order
//! depends on the whole history of the server's process: rows loaded from
//! the file, rows inserted and deleted by transactions, and the rows put
//! back (at the head of their buckets) when a transaction fails.

mod common;

use common::*;
use ovs_utilities::json::{self, Flags, Json, Object};
use serde_json::Value;

fn mix(k: usize) -> u64 {
    (k as u64 + 1)
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .rotate_left(29)
}

/// Eight distinct first words, so that rows share buckets at every size.
fn uuid(k: usize) -> String {
    format!("{:08x}-0000-4000-8000-{:012x}", mix(k) & 7, k + 1)
}

/// Unique names; three kinds, so that each bucket holds several rows of
/// each kind.
fn row(k: usize) -> Json {
    Json::Object(
        Object::new()
            .with("name", Json::String(format!("n{:03}", (k * 37) % 211)))
            .with("kind", Json::String(format!("k{}", (mix(k) >> 8) % 3))),
    )
}

fn inserts(ks: impl Iterator<Item = usize>) -> Vec<String> {
    ks.map(|k| {
        format!(
            r#"{{"op":"insert","table":"A","uuid":"{}","row":{}}}"#,
            uuid(k),
            row(k).to_ovs_string(Flags::NONE)
        )
    })
    .collect()
}

fn txn(ops: &[String]) -> String {
    format!(r#"["T",{}]"#, ops.join(","))
}

#[test]
fn replies_match_after_failed_transactions() {
    if !have_real("replies_match_after_failed_transactions") {
        return;
    }
    // OVS compares the columns in the order name, _version, kind, _uuid,
    // so rows are sorted by name, which the `kind` selects do not show.
    let schema = json::parse(
        r#"{"name":"T","version":"1.0.0","tables":{"A":{"columns":{"name":{"type":"string"},"kind":{"type":"string"}},"isRoot":true,"indexes":[["name"]]}}}"#,
    )
    .unwrap();
    let mut records = Vec::new();
    for ks in [0..20, 20..45, 45..60] {
        let mut rows = Object::new();
        for k in ks {
            rows.put(uuid(k), row(k));
        }
        records.push(Json::Object(Object::new().with("A", Json::Object(rows))));
    }
    let sb = Sandbox::new();
    let db = sb.path("t.db");
    let mut bytes = ovs_utilities::logfile::compose_record(&schema);
    for r in &records {
        bytes.extend(ovs_utilities::logfile::compose_record(r));
    }
    std::fs::write(&db, &bytes).unwrap();

    // The engine, loaded as ovsdb-server loads the file.
    let schema_text = schema.to_ovs_string(Flags::NONE);
    let ovs_schema =
        ovs_utilities::ovsdb::DatabaseSchema::from_json(&json::parse(&schema_text).unwrap())
            .unwrap();
    let engine_schema =
        ovsdb::DatabaseSchema::from_json(&serde_json::from_str(&schema_text).unwrap()).unwrap();
    let mut engine = ovsdb::Database::new(std::sync::Arc::new(engine_schema));
    for ts in &ovs_schema.tables {
        let names: Vec<&str> = ts.columns.iter().map(|c| c.name.as_str()).collect();
        engine.set_column_order(&ts.name, &names).unwrap();
    }
    for r in &records {
        engine
            .apply_log_record_text(r.to_ovs_string(Flags::NONE).as_bytes())
            .unwrap();
    }

    // Each select shows, for the rows from some name on, the order of the
    // first row of each kind met walking the table.
    let probes: Vec<String> = (0..211)
        .step_by(5)
        .map(|n| {
            format!(
                r#"{{"op":"select","table":"A","where":[["name",">=","n{n:03}"]],"columns":["kind"]}}"#
            )
        })
        .collect();
    let select = txn(&probes);
    let abort = r#"{"op":"abort"}"#.to_string();
    let delete = |cond: &str| format!(r#"{{"op":"delete","table":"A","where":[{cond}]}}"#);
    let mut steps: Vec<String> = vec![select.clone()];
    // Deleted rows come back at the head of their buckets.
    steps.push(txn(&[delete(r#"["kind","==","k1"]"#), abort.clone()]));
    steps.push(select.clone());
    // Insertions grow the map, which an abort does not shrink.
    let mut ops = inserts(100..170);
    ops.push(delete(r#"["kind","==","k2"]"#));
    ops.push(abort.clone());
    steps.push(txn(&ops));
    steps.push(select.clone());
    // A "wait" that times out also aborts.
    let mut ops = vec![delete(r#"["name","<","n030"]"#)];
    ops.extend(inserts(170..173));
    ops.push(
        r#"{"op":"wait","table":"A","where":[],"columns":["kind"],"until":"==","rows":[],"timeout":0}"#
            .to_string(),
    );
    steps.push(txn(&ops));
    steps.push(select.clone());
    // A commit that succeeds.
    let mut ops = vec![delete(r#"["name",">","n150"]"#)];
    ops.extend(inserts(180..186));
    steps.push(txn(&ops));
    steps.push(select.clone());
    // A commit-time failure (a duplicate index value) aborts after the
    // operations all succeeded.
    let mut ops = vec![delete(r#"["kind","==","k0"]"#)];
    ops.extend(inserts(190..193));
    ops.push(r#"{"op":"insert","table":"A","row":{"name":"n074","kind":"k0"}}"#.to_string());
    let commit_fails = steps.len();
    steps.push(txn(&ops));
    steps.push(select.clone());
    steps.push(
        r#"["T",{"op":"select","table":"A","where":[["kind","!=","k2"]],"columns":["kind"]}]"#
            .to_string(),
    );

    let server = RealServer::serve(sb, db);
    let no_locks = |_: &str| false;
    let ctx = ovsdb::TxnContext {
        now_ms: 0,
        owns_lock: &no_locks,
    };
    for (i, step) in steps.iter().enumerate() {
        let out = server
            .sb
            .run(REAL_CLIENT, &["transact", &server.remote, step]);
        let real: Value = serde_json::from_str(&stdout(&out)).unwrap_or(Value::Null);
        let request: Vec<Value> = serde_json::from_str(step).unwrap();
        let ours = match engine.transact(&request[1..], &ctx) {
            ovsdb::TxnOutcome::Committed { reply, .. } | ovsdb::TxnOutcome::Failed { reply } => {
                reply
            }
            ovsdb::TxnOutcome::Blocked { .. } => Value::Null,
        };
        // Compare what both say about rows; error texts are checked
        // elsewhere.
        let rows = |v: &Value| -> Vec<Value> {
            v.as_array()
                .map(|a| {
                    a.iter()
                        .map(|r| r.get("rows").cloned().unwrap_or(Value::Null))
                        .collect()
                })
                .unwrap_or_default()
        };
        assert!(real.is_array(), "real server replied {real} to {step}");
        assert_eq!(rows(&ours), rows(&real), "step {i}: {step}");
        let failed = |v: &Value| v.to_string().contains("\"error\"");
        assert_eq!(failed(&ours), failed(&real), "{step}: {ours} vs {real}");
        if i == commit_fails {
            assert!(real.to_string().contains("constraint violation"), "{real}");
        }
    }
}

/// The engine's compacted record lists each table's rows in the order the
/// real `ovsdb-tool compact` writes them, given the same history.
#[test]
fn snapshot_rows_in_ovs_order() {
    if !have_real("snapshot_rows_in_ovs_order") {
        return;
    }
    let schema = json::parse(
        r#"{"name":"T","version":"1.0.0","tables":{"A":{"columns":{"name":{"type":"string"},"kind":{"type":"string"}},"isRoot":true}}}"#,
    )
    .unwrap();
    let sb = Sandbox::new();
    let range = |spec: &str| -> Vec<usize> {
        match spec.split_once('-') {
            Some((a, b)) => (a.parse().unwrap()..=b.parse().unwrap()).collect(),
            None => vec![spec.parse().unwrap()],
        }
    };
    for history in [
        "i0-39",
        "i0-9;i10-19;i20-29;i30-39",
        "i0-29;d0-14;i30-49",
        "i0-5;d0-2;i6-20;d6-10;i21-40;d3-5",
        "i0-99;d0-90",
    ] {
        let mut records = Vec::new();
        for txn in history.split(';') {
            let mut rows = Object::new();
            for op in txn.split(',') {
                for k in range(&op[1..]) {
                    rows.put(
                        uuid(k),
                        if op.starts_with('d') {
                            Json::Null
                        } else {
                            row(k)
                        },
                    );
                }
            }
            records.push(Json::Object(Object::new().with("A", Json::Object(rows))));
        }
        let db = sb.path("s.db");
        let mut bytes = ovs_utilities::logfile::compose_record(&schema);
        for r in &records {
            bytes.extend(ovs_utilities::logfile::compose_record(r));
        }
        std::fs::write(&db, &bytes).unwrap();
        assert!(sb.run(REAL_TOOL, &["compact", &db]).status.success());
        let text = std::fs::read_to_string(&db).unwrap();
        let last = text.lines().last().unwrap_or("");
        let real: Vec<String> = json::parse(last)
            .unwrap()
            .as_object()
            .and_then(|o| o.get("A"))
            .and_then(Json::as_object)
            .map(|o| o.names().into_iter().map(str::to_string).collect())
            .unwrap_or_default();

        let engine_schema = ovsdb::DatabaseSchema::from_json(
            &serde_json::from_str(&schema.to_ovs_string(Flags::NONE)).unwrap(),
        )
        .unwrap();
        let mut engine = ovsdb::Database::new(std::sync::Arc::new(engine_schema));
        for r in &records {
            engine
                .apply_log_record_text(r.to_ovs_string(Flags::NONE).as_bytes())
                .unwrap();
        }
        let mut out = Vec::new();
        engine.write_snapshot_record(&mut out, None, None);
        // The engine writes row members in its own order; the row keys'
        // order is what must agree.
        let ours: Vec<String> = json::parse_bytes(&out)
            .unwrap()
            .as_object()
            .and_then(|o| o.get("A"))
            .and_then(Json::as_object)
            .map(|o| o.names().into_iter().map(str::to_string).collect())
            .unwrap_or_default();
        assert_eq!(ours, real, "history {history}");
    }
}
