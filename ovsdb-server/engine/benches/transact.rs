//! The engine's share of a transaction: 1000 one-row inserts into `Queue`
//! of the installed vswitch schema, each with its log record, then 1000
//! updates of those rows by `_uuid` (the bench harness's transactions,
//! without sockets or files).

use std::sync::Arc;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use ovsdb::{Database, DatabaseSchema, TxnContext, TxnOutcome};
use serde_json::{Value, json};

const SCHEMA: &str = "/usr/share/openvswitch/vswitch.ovsschema";

fn schema() -> Arc<DatabaseSchema> {
    let text = std::fs::read_to_string(SCHEMA).expect("openvswitch-common's vswitch schema");
    let json: Value = serde_json::from_str(&text).expect("schema is JSON");
    Arc::new(DatabaseSchema::from_json(&json).expect("schema parses"))
}

fn insert_ops(i: usize) -> Vec<Value> {
    vec![json!({"op": "insert", "table": "Queue",
        "row": {"external_ids": ["map", [["i", i.to_string()], ["bench", "ovsb"]]]}})]
}

fn commit(db: &mut Database, ops: &[Value]) -> Value {
    let ctx = TxnContext {
        now_ms: 0,
        owns_lock: &|_| false,
    };
    match db.transact(ops, &ctx) {
        TxnOutcome::Committed { reply, changes } => {
            std::hint::black_box(changes.log_record(db, None, 0));
            reply
        }
        other => panic!("transaction did not commit: {other:?}"),
    }
}

fn transact(c: &mut Criterion) {
    let schema = schema();
    let mut group = c.benchmark_group("ovsdb");
    group.throughput(Throughput::Elements(1000));
    group.bench_function("insert_1000_with_log_records", |b| {
        b.iter_batched(
            || Database::new(schema.clone()),
            |mut db| {
                for i in 0..1000 {
                    commit(&mut db, &insert_ops(i));
                }
                db
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("update_1000_by_uuid", |b| {
        b.iter_batched(
            || {
                let mut db = Database::new(schema.clone());
                let uuids: Vec<Value> = (0..1000)
                    .map(|i| commit(&mut db, &insert_ops(i))[0]["uuid"].clone())
                    .collect();
                (db, uuids)
            },
            |(mut db, uuids)| {
                for (i, uuid) in uuids.iter().enumerate() {
                    let ops = [json!({"op": "update", "table": "Queue",
                        "where": [["_uuid", "==", uuid]],
                        "row": {"external_ids": ["map", [["i", i.to_string()], ["u", "1"]]]}})];
                    commit(&mut db, &ops);
                }
                db
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, transact);
criterion_main!(benches);
