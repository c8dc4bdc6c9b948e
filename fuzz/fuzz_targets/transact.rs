//! Runs arbitrary bytes as the operations of a `transact` request against a
//! database of the installed vswitch schema: whatever the input, the engine
//! must answer (commit, fail or block) without panicking, and a committed
//! transaction's log record must replay into an identical database.
#![no_main]

use std::sync::{Arc, LazyLock};

use libfuzzer_sys::fuzz_target;
use ovsdb::{Database, DatabaseSchema, TxnContext, TxnOutcome};
use serde_json::Value;

const SCHEMA: &str = "/usr/share/openvswitch/vswitch.ovsschema";

static SCHEMA_JSON: LazyLock<Arc<DatabaseSchema>> = LazyLock::new(|| {
    let text = std::fs::read_to_string(SCHEMA).expect("the openvswitch-common package's schema");
    let json: Value = serde_json::from_str(&text).expect("schema is JSON");
    Arc::new(DatabaseSchema::from_json(&json).expect("schema parses"))
});

fuzz_target!(|data: &[u8]| {
    let mut decoder = ovs_jsonrpc::StreamDecoder::new(1 << 20);
    decoder.feed(data);
    let Some(Ok(Value::Array(ops))) = decoder.next_value() else {
        return;
    };
    let schema = SCHEMA_JSON.clone();
    let mut db = Database::new(schema.clone());
    let ctx = TxnContext { now_ms: 0, owns_lock: &|name| name.len() % 2 == 0 };
    if let TxnOutcome::Committed { changes, .. } = db.transact(&ops, &ctx) {
        if changes.is_empty() {
            return;
        }
        let record = changes.to_log_record(&db, None, 0);
        let mut replay = Database::new(schema);
        replay.apply_log_record(&record).expect("our own record replays");
        assert_eq!(replay.snapshot_record(), db.snapshot_record());
    }
});
