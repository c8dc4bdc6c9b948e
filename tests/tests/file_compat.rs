//! On-disk compatibility: a database file written by one server (10,000
//! transactions of inserts, updates and deletes, an online compaction, more
//! transactions) is read by the other server and by Debian's `ovsdb-tool`,
//! and every reader sees the same data. Runs both ways: ours writes and
//! real reads, real writes and ours reads (real and real with
//! `OVS_TEST_IMPL=real`).

use std::collections::BTreeMap;

use ovs_tests::canon::first_difference;
use ovs_tests::rpc::committed;
use ovs_tests::{Impl, Rpc, Sandbox, VSWITCH_SCHEMA, impl_or_skip};
use serde_json::{Value, json};

const FIRST_BATCH: u64 = 10_000;
const SECOND_BATCH: u64 = 300;

fn ok_results(rpc: &mut Rpc, ops: &[Value], sb: &Sandbox) -> Vec<Value> {
    match rpc.transact(ops) {
        Ok(r) if committed(&r) => r,
        Ok(r) => panic!("transaction failed: {r:?}\n{}", sb.diagnostics()),
        Err(e) => panic!("transact: {e}\n{}", sb.diagnostics()),
    }
}

/// Runs `count` transactions: every one inserts a Queue row, every 7th also
/// updates an earlier row, every 50th deletes one, every 1000th touches a
/// bridge. Returns the UUIDs of the rows still alive.
fn churn(sb: &Sandbox, first_seq: u64, count: u64, alive: &mut Vec<String>) {
    let mut rpc = sb.rpc();
    for seq in first_seq..first_seq + count {
        let mut ops = vec![json!({
            "op": "insert", "table": "Queue",
            "row": {"external_ids": ["map", [["seq", seq.to_string()]]], "dscp": (seq % 64) as i64}
        })];
        if seq % 7 == 0
            && let Some(u) = alive.get((seq as usize * 31) % alive.len().max(1))
        {
            ops.push(json!({
                "op": "update", "table": "Queue", "where": [["_uuid", "==", ["uuid", u]]],
                "row": {"other_config": ["map", [["touched", seq.to_string()]]]}
            }));
        }
        let deleted = if seq % 50 == 0 && !alive.is_empty() {
            let u = alive.remove((seq as usize * 17) % alive.len());
            ops.push(json!({
                "op": "delete", "table": "Queue", "where": [["_uuid", "==", ["uuid", u]]]
            }));
            true
        } else {
            false
        };
        if seq % 1000 == 0 {
            ops.push(json!({
                "op": "mutate", "table": "Open_vSwitch", "where": [],
                "mutations": [["external_ids", "insert", ["map", [[format!("k{seq}"), "v"]]]]]
            }));
        }
        let results = ok_results(&mut rpc, &ops, sb);
        if let Some(u) = results[0]["uuid"][1].as_str() {
            alive.push(u.to_string());
        }
        if deleted {
            let count = results.last().map(|r| r["count"].clone());
            assert_eq!(count, Some(json!(1)), "seq {seq}: {results:?}");
        }
    }
}

/// Every Queue row, keyed by UUID (select results come in no set order).
fn rows_by_uuid(reply: &Value) -> BTreeMap<String, Value> {
    reply[0]["rows"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|r| (r["_uuid"][1].as_str().unwrap_or_default().to_string(), r))
        .collect()
}

/// Compares two row sets with a short message (they hold ~10,000 rows).
fn assert_same_rows(got: &BTreeMap<String, Value>, want: &BTreeMap<String, Value>) {
    assert_eq!(got.len(), want.len(), "row counts differ");
    if let Some((uuid, row)) = want.iter().find(|(u, r)| got.get(*u) != Some(*r)) {
        panic!("row {uuid} differs: want {row}, got {:?}", got.get(uuid));
    }
}

fn parse(text: &str) -> Value {
    match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => panic!("not JSON ({e}): {text}"),
    }
}

fn schema_field(field: &str) -> String {
    let text = std::fs::read_to_string(VSWITCH_SCHEMA).unwrap_or_default();
    parse(&text)[field].as_str().unwrap_or_default().to_string()
}

fn written_by_read_by(writer: Impl, reader: Impl) {
    let name = format!("filecompat-{}-{}", writer.label(), reader.label());
    let mut sb = Sandbox::new(&name);
    sb.create_db(writer);
    sb.start_ovsdb_server(writer);
    sb.vsctl_ok(&["init", "--", "add-br", "br0", "--", "add-port", "br0", "p1"]);

    let mut alive = Vec::new();
    churn(&sb, 1, FIRST_BATCH, &mut alive);
    sb.appctl(&["ovsdb-server/compact"]).ok();
    churn(&sb, FIRST_BATCH + 1, SECOND_BATCH, &mut alive);
    sb.vsctl_ok(&["set", "port", "p1", "tag=9"]);

    // _version is left out: it is not stored in the file, a reader makes
    // up new ones.
    let select = json!(["Open_vSwitch", {"op": "select", "table": "Queue", "where": [],
        "columns": ["_uuid", "dscp", "external_ids", "other_config"]}]);
    let remote = sb.remote();
    let dump_before = sb.client_ok(&["dump", &remote]);
    let rows_before = rows_by_uuid(&parse(&sb.client_ok(&[
        "transact",
        &remote,
        &select.to_string(),
    ])));
    assert_eq!(rows_before.len(), alive.len());
    assert!(
        sb.stop_ovsdb_server().is_some(),
        "{} ignored SIGTERM",
        writer.label()
    );

    // Debian's ovsdb-tool reads the file.
    let db = sb.db_path().to_string_lossy().into_owned();
    let log = sb.tool(Impl::Real, &["show-log", &db]);
    let records: Vec<&str> = log
        .ok()
        .lines()
        .filter(|l| l.starts_with("record "))
        .collect();
    assert!(
        records[0].starts_with("record 0: \"Open_vSwitch\" schema, version=\"8.3.1\""),
        "{}",
        records[0]
    );
    // Compaction left one snapshot record; each later commit adds one
    // (the churn, then the vsctl set).
    let expected_records = 2 + SECOND_BATCH as usize + 1;
    assert_eq!(
        records.len(),
        expected_records,
        "records after compaction:\n{}",
        log.stdout
    );
    assert_eq!(
        sb.tool(Impl::Real, &["db-version", &db]).ok(),
        format!("{}\n", schema_field("version"))
    );
    assert_eq!(
        sb.tool(Impl::Real, &["db-cksum", &db]).ok(),
        format!("{}\n", schema_field("cksum"))
    );
    assert_eq!(
        sb.tool(Impl::Real, &["db-name", &db]).ok(),
        "Open_vSwitch\n"
    );
    let queried = sb.tool(Impl::Real, &["query", &db, &select.to_string()]);
    assert_same_rows(&rows_by_uuid(&parse(queried.ok())), &rows_before);

    // The other server opens it and serves the very same data.
    sb.start_ovsdb_server(reader);
    let dump_after = sb.client_ok(&["dump", &remote]);
    if let Some(diff) = first_difference(&dump_after, &dump_before) {
        panic!(
            "{} does not serve what {} wrote: {diff}",
            reader.label(),
            writer.label()
        );
    }
    assert_eq!(sb.vsctl_ok(&["get", "port", "p1", "tag"]), "9\n");
    // ...and appends to it.
    sb.vsctl_ok(&["add-br", "br-after"]);
    assert!(sb.stop_ovsdb_server().is_some());
    let log = sb.tool(Impl::Real, &["show-log", &db]);
    let count = log
        .ok()
        .lines()
        .filter(|l| l.starts_with("record "))
        .count();
    assert_eq!(count, expected_records + 1);
    sb.start_ovsdb_server(writer);
    assert_eq!(sb.vsctl_ok(&["list-br"]), "br-after\nbr0\n");
}

#[test]
fn file_written_by_one_server_reads_in_the_other() {
    let imp = impl_or_skip!("file_written_by_one_server_reads_in_the_other");
    written_by_read_by(imp, Impl::Real);
    if imp != Impl::Real {
        written_by_read_by(Impl::Real, imp);
    }
}
