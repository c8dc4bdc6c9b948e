//! The real `ovsdb-client` against the server under test: database and
//! schema listing, `transact` results (successes and each error kind, with
//! the exact JSON real OVS prints), `dump`, `monitor` and `monitor-cond`.
//!
//! Where the output is a formatting of the schema (list-tables,
//! list-columns, get-schema) it is compared byte for byte with the same
//! command against Debian's ovsdb-server, started beside.

use std::collections::BTreeMap;
use std::time::Duration;

use ovs_tests::canon::{UuidMap, json_difference, replace_uuids};
use ovs_tests::{Impl, REAL_BINDIR, Sandbox, VSWITCH_SCHEMA, impl_or_skip};
use serde_json::{Value, json};

const MONITOR_WAIT: Duration = Duration::from_secs(20);

fn installed_schema() -> Value {
    let text = match std::fs::read_to_string(VSWITCH_SCHEMA) {
        Ok(t) => t,
        Err(e) => panic!("{VSWITCH_SCHEMA}: {e}"),
    };
    match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => panic!("{VSWITCH_SCHEMA}: {e}"),
    }
}

/// RFC 7047 allows several spellings of one column type ("string" or
/// {"type":"string"}, absent min/max meaning 1...). This spells every type
/// the long way so two schemas can be compared for meaning.
fn normalise_base(base: &Value) -> Value {
    let mut base = match base {
        Value::String(atomic) => json!({ "type": atomic }),
        other => other.clone(),
    };
    // An enum is a set of atoms: its order means nothing, one atom may
    // stand alone.
    if let Some(e) = base.get_mut("enum") {
        let mut atoms = match &*e {
            Value::Array(a) if a.len() == 2 && a[0] == "set" => {
                a[1].as_array().cloned().unwrap_or_default()
            }
            single => vec![single.clone()],
        };
        atoms.sort_by_key(|a| a.to_string());
        *e = json!(["set", atoms]);
    }
    if base.get("refTable").is_some() {
        base.as_object_mut()
            .map(|o| o.entry("refType").or_insert(json!("strong")));
    }
    base
}

fn normalise_type(ty: &Value) -> Value {
    let mut out = serde_json::Map::new();
    match ty {
        Value::String(_) => {
            out.insert("key".into(), normalise_base(ty));
        }
        Value::Object(obj) => {
            for (k, v) in obj {
                match k.as_str() {
                    "key" | "value" => {
                        out.insert(k.clone(), normalise_base(v));
                    }
                    _ => {
                        out.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        other => return other.clone(),
    }
    out.entry("min").or_insert(json!(1));
    out.entry("max").or_insert(json!(1));
    Value::Object(out)
}

fn normalise_schema(schema: &Value) -> Value {
    let mut schema = schema.clone();
    if let Some(tables) = schema.get_mut("tables").and_then(Value::as_object_mut) {
        for table in tables.values_mut() {
            let Some(t) = table.as_object_mut() else {
                continue;
            };
            t.entry("isRoot").or_insert(json!(false));
            t.entry("indexes").or_insert(json!([]));
            if let Some(columns) = t.get_mut("columns").and_then(Value::as_object_mut) {
                for column in columns.values_mut() {
                    let Some(c) = column.as_object_mut() else {
                        continue;
                    };
                    if let Some(ty) = c.get("type") {
                        let ty = normalise_type(ty);
                        c.insert("type".into(), ty);
                    }
                    c.entry("ephemeral").or_insert(json!(false));
                    c.entry("mutable").or_insert(json!(true));
                }
            }
        }
    }
    schema
}

fn parse(text: &str) -> Value {
    match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => panic!("not JSON ({e}): {text}"),
    }
}

#[test]
fn list_dbs_tables_and_columns() {
    let imp = impl_or_skip!("list_dbs_tables_and_columns");
    let sb = Sandbox::with_server("client-list", imp);
    let real = Sandbox::with_server("client-list-ref", Impl::Real);
    let remote = sb.remote();
    let real_remote = real.remote();

    assert_eq!(
        sb.client_ok(&["list-dbs", &remote]),
        "Open_vSwitch\n_Server\n"
    );

    let schema = installed_schema();
    let tables = sb.client_ok(&["list-tables", &remote, "Open_vSwitch"]);
    let mut listed: Vec<&str> = tables.lines().skip(2).collect();
    assert_eq!(tables.lines().next(), Some("Table"));
    listed.sort_unstable();
    let expected: Vec<&str> = schema["tables"]
        .as_object()
        .map(|t| t.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(listed, expected);
    assert_eq!(
        tables,
        real.client_ok(&["list-tables", &real_remote, "Open_vSwitch"])
    );

    let server_tables = sb.client_ok(&["list-tables", &remote, "_Server"]);
    assert_eq!(server_tables, "Table\n--------\nDatabase\n");

    for table in ["Bridge", "Open_vSwitch", "Interface"] {
        let cols = sb.client_ok(&["list-columns", &remote, "Open_vSwitch", table]);
        let header = cols.lines().next().unwrap_or_default();
        assert!(
            header.starts_with("Column") && header.ends_with("Type"),
            "{cols}"
        );
        // Every schema column appears, with _uuid and _version.
        let names: Vec<&str> = cols
            .lines()
            .skip(2)
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        let schema_cols = schema["tables"][table]["columns"]
            .as_object()
            .map(|c| c.len())
            .unwrap_or_default();
        assert_eq!(names.len(), schema_cols + 2, "{cols}");
        assert!(names.contains(&"_uuid") && names.contains(&"_version"));
        assert_eq!(
            cols,
            real.client_ok(&["list-columns", &real_remote, "Open_vSwitch", table]),
            "list-columns {table} differs from real ovsdb-server"
        );
    }
    assert_eq!(
        sb.client_ok(&["list-columns", &remote, "Open_vSwitch"]),
        real.client_ok(&["list-columns", &real_remote, "Open_vSwitch"])
    );
}

#[test]
fn get_schema_matches_the_installed_schema() {
    let imp = impl_or_skip!("get_schema_matches_the_installed_schema");
    let sb = Sandbox::with_server("client-schema", imp);
    let real = Sandbox::with_server("client-schema-ref", Impl::Real);
    let remote = sb.remote();
    let text = sb.client_ok(&["get-schema", &remote, "Open_vSwitch"]);
    let served = parse(&text);
    let installed = installed_schema();
    assert_eq!(served["name"], "Open_vSwitch");
    assert_eq!(served["version"], installed["version"]);
    assert_eq!(served["cksum"], installed["cksum"]);
    if let Some(diff) = json_difference(&normalise_schema(&served), &normalise_schema(&installed)) {
        panic!("served schema differs from {VSWITCH_SCHEMA}: {diff}");
    }
    // ovsdb-client re-serialises what it parsed, so this compares meaning,
    // in real ovsdb-client's spelling.
    assert_eq!(
        text,
        real.client_ok(&["get-schema", &real.remote(), "Open_vSwitch"])
    );
    assert_eq!(
        sb.client_ok(&["get-schema-version", &remote, "Open_vSwitch"]),
        format!("{}\n", installed["version"].as_str().unwrap_or_default())
    );
    assert_eq!(
        sb.client_ok(&["get-schema-cksum", &remote, "Open_vSwitch"]),
        format!("{}\n", installed["cksum"].as_str().unwrap_or_default())
    );
    let server_schema = parse(&sb.client_ok(&["get-schema", &remote, "_Server"]));
    assert_eq!(server_schema["name"], "_Server");
    // ovsdb-client checks the name against list_dbs before asking.
    let err = sb.client(&["get-schema", &remote, "Nope"]);
    assert_eq!(
        err.failed(),
        "ovsdb-client: invalid syntax for 'get-schema' (use --help for help)\n"
    );
}

#[test]
fn server_database_describes_open_vswitch() {
    let imp = impl_or_skip!("server_database_describes_open_vswitch");
    let sb = Sandbox::with_server("client-server-db", imp);
    let remote = sb.remote();
    let json = sb.client_ok(&["-f", "json", "dump", &remote, "_Server"]);
    let table = parse(json.trim());
    assert_eq!(table["caption"], "Database table");
    assert_eq!(
        table["headings"],
        json!([
            "_uuid",
            "cid",
            "connected",
            "index",
            "leader",
            "model",
            "name",
            "schema",
            "sid"
        ])
    );
    let rows = table["data"].as_array().cloned().unwrap_or_default();
    let row = rows
        .iter()
        .find(|r| r[6] == "Open_vSwitch")
        .cloned()
        .unwrap_or_else(|| panic!("no Open_vSwitch row in {json}"));
    assert_eq!(row[1], json!(["set", []]), "cid");
    assert_eq!(row[2], json!(true), "connected");
    assert_eq!(row[3], json!(["set", []]), "index");
    assert_eq!(row[4], json!(true), "leader");
    assert_eq!(row[5], json!("standalone"), "model");
    assert_eq!(row[8], json!(["set", []]), "sid");
    // The schema column holds the database's schema as a JSON string.
    let schema = parse(row[7].as_str().unwrap_or_default());
    if let Some(diff) = json_difference(
        &normalise_schema(&schema),
        &normalise_schema(&installed_schema()),
    ) {
        panic!("_Server schema column differs from {VSWITCH_SCHEMA}: {diff}");
    }
}

/// Runs `ovsdb-client transact` and returns its stdout with UUIDs renamed
/// by first appearance (`ffffffff-ffff-ffff-ffff-00000000000N`).
fn transact(sb: &Sandbox, txn: &Value) -> String {
    let out = sb.client(&["transact", &sb.remote(), &txn.to_string()]);
    replace_uuids(out.ok(), &UuidMap::default())
}

const U1: &str = "ffffffff-ffff-ffff-ffff-000000000001";

#[test]
fn transact_results_and_errors() {
    let imp = impl_or_skip!("transact_results_and_errors");
    let sb = Sandbox::with_server("client-transact", imp);
    sb.vsctl_ok(&["init", "--", "add-br", "br0"]);
    let db = "Open_vSwitch";

    let cases: Vec<(Value, String)> = vec![
        (
            json!([db,
                {"op": "insert", "table": "Queue", "uuid-name": "q1",
                 "row": {"dscp": 5, "external_ids": ["map", [["a", "1"]]]}},
                {"op": "insert", "table": "Queue", "uuid-name": "q2",
                 "row": {"other_config": ["map", [["x", "y"]]]}}]),
            format!(
                "[{{\"uuid\":[\"uuid\",\"{U1}\"]}},{{\"uuid\":[\"uuid\",\"ffffffff-ffff-ffff-ffff-000000000002\"]}}]\n"
            ),
        ),
        (
            json!([db, {"op": "select", "table": "Queue", "where": [["dscp", "==", 5]],
                        "columns": ["dscp", "external_ids"]}]),
            "[{\"rows\":[{\"dscp\":5,\"external_ids\":[\"map\",[[\"a\",\"1\"]]]}]}]\n".into(),
        ),
        (
            json!([db,
                {"op": "update", "table": "Queue", "where": [["dscp", "==", 5]], "row": {"dscp": 6}},
                {"op": "select", "table": "Queue", "where": [["dscp", "==", 6]], "columns": ["dscp"]}]),
            "[{\"count\":1},{\"rows\":[{\"dscp\":6}]}]\n".into(),
        ),
        (
            json!([db,
                {"op": "mutate", "table": "Queue", "where": [["dscp", "==", 6]],
                 "mutations": [["dscp", "+=", 1], ["external_ids", "delete", ["set", ["a"]]]]},
                {"op": "select", "table": "Queue", "where": [["dscp", "==", 7]],
                 "columns": ["dscp", "external_ids"]}]),
            "[{\"count\":1},{\"rows\":[{\"dscp\":7,\"external_ids\":[\"map\",[]]}]}]\n".into(),
        ),
        (
            json!([db, {"op": "mutate", "table": "Queue", "where": [["dscp", "==", 7]],
                        "mutations": [["dscp", "+=", 100]]}]),
            "[{\"details\":\"107 is not in the valid range 0 to 63 (inclusive)\",\"error\":\"constraint violation\"}]\n".into(),
        ),
        (
            json!([db, {"op": "insert", "table": "Bridge",
                        "row": {"name": "x", "fail_mode": "bogus"}}]),
            "[{\"details\":\"bogus is not one of the allowed values ([secure, standalone])\",\"error\":\"constraint violation\"}]\n".into(),
        ),
        (
            json!([db, {"op": "insert", "table": "Bridge",
                        "row": {"name": "x", "ports": ["set", [["uuid", "11111111-1111-1111-1111-111111111111"]]]}}]),
            format!(
                "[{{\"uuid\":[\"uuid\",\"{U1}\"]}},{{\"details\":\"Table Bridge column ports row {U1} references nonexistent row ffffffff-ffff-ffff-ffff-000000000002 in table Port.\",\"error\":\"referential integrity violation\"}}]\n"
            ),
        ),
        (
            json!([db, {"op": "select", "table": "Queue", "where": [["nope", "==", 1]]}]),
            "[{\"details\":\"No column nope in table Queue.\",\"error\":\"unknown column\",\"syntax\":\"[\\\"nope\\\",\\\"==\\\",1]\"}]\n".into(),
        ),
        (
            json!([db, {"op": "insert", "table": "Queue", "row": {"dscp": "x"}}]),
            "[{\"details\":\"expected integer\",\"error\":\"syntax error\",\"syntax\":\"\\\"x\\\"\"}]\n".into(),
        ),
        (
            json!([db, {"op": "insert", "table": "Queue", "row": {"dscp": ["set", [1, 2]]}}]),
            "[{\"details\":\"set must have 0 to 1 members but 2 are present\",\"error\":\"syntax error\",\"syntax\":\"[\\\"set\\\",[1,2]]\"}]\n".into(),
        ),
        (
            json!([db,
                {"op": "insert", "table": "Queue", "row": {}, "uuid-name": "a"},
                {"op": "insert", "table": "Queue", "row": {}, "uuid-name": "a"}]),
            format!(
                "[{{\"uuid\":[\"uuid\",\"{U1}\"]}},{{\"details\":\"This \\\"uuid-name\\\" appeared on an earlier \\\"insert\\\" operation.\",\"error\":\"duplicate uuid-name\",\"syntax\":\"\\\"a\\\"\"}}]\n"
            ),
        ),
        (
            json!([db, {"op": "frob", "table": "Queue"}]),
            "[{\"details\":\"Parsing ovsdb operation 1 of 1 failed: No operation \\\"frob\\\"\",\"error\":\"syntax error\",\"syntax\":\"{\\\"op\\\":\\\"frob\\\",\\\"table\\\":\\\"Queue\\\"}\"}]\n".into(),
        ),
        (
            json!([db, {"op": "assert", "lock": "mylock"}]),
            "[{\"details\":\"Asserted lock mylock not held.\",\"error\":\"not owner\"}]\n".into(),
        ),
        (
            json!([db, {"op": "wait", "table": "Queue", "where": [], "columns": ["dscp"],
                        "until": "==", "rows": [{"dscp": 63}], "timeout": 0}]),
            "[{\"details\":\"\\\"where\\\" clause test failed\",\"error\":\"timed out\"}]\n".into(),
        ),
        (
            json!([db, {"op": "insert", "table": "Open_vSwitch", "row": {}}]),
            format!(
                "[{{\"uuid\":[\"uuid\",\"{U1}\"]}},{{\"details\":\"transaction causes \\\"Open_vSwitch\\\" table to contain 2 rows, greater than the schema-defined limit of 1 row(s)\",\"error\":\"constraint violation\"}}]\n"
            ),
        ),
        (
            json!([db, {"op": "comment", "comment": "hello"}, {"op": "abort"}]),
            "[{},{\"details\":\"aborted by request\",\"error\":\"aborted\"}]\n".into(),
        ),
        (
            json!([db, {"op": "commit", "durable": false}, {"op": "comment", "comment": "c"}]),
            "[{},{}]\n".into(),
        ),
        (json!([db]), "[]\n".into()),
        (
            json!([db, {"op": "delete", "table": "Bridge", "where": [["name", "==", "br0"]]}]),
            format!(
                "[{{\"count\":1}},{{\"details\":\"cannot delete Bridge row {U1} because of 1 remaining reference(s)\",\"error\":\"referential integrity violation\"}}]\n"
            ),
        ),
        (
            json!([db, {"op": "update", "table": "Queue", "where": [],
                        "row": {"_uuid": ["uuid", "11111111-1111-1111-1111-111111111111"]}}]),
            "[{\"details\":\"Cannot update immutable column _uuid in table Queue.\",\"error\":\"constraint violation\",\"syntax\":\"{\\\"op\\\":\\\"update\\\",\\\"row\\\":{\\\"_uuid\\\":[\\\"uuid\\\",\\\"ffffffff-ffff-ffff-ffff-000000000001\\\"]},\\\"table\\\":\\\"Queue\\\",\\\"where\\\":[]}\"}]\n".into(),
        ),
        (
            json!([db, {"op": "delete", "table": "Queue", "where": [["dscp", "==", 7]]}]),
            "[{\"count\":1}]\n".into(),
        ),
    ];
    for (txn, expected) in &cases {
        assert_eq!(&transact(&sb, txn), expected, "transaction {txn}");
    }
    // The failed transactions changed nothing: only the two Queue rows of
    // the first transaction were ever committed, and one was deleted.
    assert_eq!(
        transact(
            &sb,
            &json!([db, {"op": "select", "table": "Queue", "where": [], "columns": ["other_config"]}])
        ),
        "[{\"rows\":[{\"other_config\":[\"map\",[[\"x\",\"y\"]]]}]}]\n"
    );
    assert_eq!(sb.vsctl_ok(&["list-br"]), "br0\n");
    // Client-side refusal: a transaction must name a database.
    let out = sb.client(&["transact", &sb.remote(), "[]"]);
    assert_eq!(out.failed(), "ovsdb-client: not a valid OVSDB query\n");
}

#[test]
fn dump_shows_the_rows() {
    let imp = impl_or_skip!("dump_shows_the_rows");
    let sb = Sandbox::with_server("client-dump", imp);
    sb.vsctl_ok(&[
        "init",
        "--",
        "add-br",
        "br0",
        "--",
        "set",
        "bridge",
        "br0",
        "datapath_type=netdev",
        "external_ids:k=v",
    ]);
    let remote = sb.remote();
    let uuid = sb.vsctl_ok(&["get", "bridge", "br0", "_uuid"]);
    let uuid = uuid.trim();
    let port = sb.vsctl_ok(&["get", "port", "br0", "_uuid"]);
    let port = port.trim();
    // Columns come out sorted by name whatever the order asked, and _uuid
    // only when asked for.
    let text = sb.client_ok(&[
        "dump",
        &remote,
        "Open_vSwitch",
        "Bridge",
        "ports",
        "name",
        "external_ids",
        "datapath_type",
        "_uuid",
    ]);
    assert_eq!(
        text,
        format!(
            "Bridge table\n\
             _uuid                                datapath_type external_ids name ports\n\
             ------------------------------------ ------------- ------------ ---- \
             --------------------------------------\n\
             {uuid} netdev        {{k=v}}        br0  [{port}]\n"
        )
    );
    let csv = sb.client_ok(&[
        "-f",
        "csv",
        "dump",
        &remote,
        "Open_vSwitch",
        "Port",
        "name",
        "_uuid",
    ]);
    assert_eq!(csv, format!("Port table\n_uuid,name\n{port},br0\n"));
    // A whole-database dump has every table, in alphabetical order.
    let all = sb.client_ok(&["dump", &remote]);
    let captions: Vec<&str> = all.lines().filter(|l| l.ends_with(" table")).collect();
    let mut sorted = captions.clone();
    sorted.sort_unstable();
    assert_eq!(captions, sorted);
    assert_eq!(captions.len(), 19, "{all}");
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| l.starts_with('{'))
        .map(parse)
        .collect()
}

/// (action, name, datapath_type) of every row of every update printed by
/// `ovsdb-client --format=json monitor`, with the row UUID mapped to the
/// bridge name when known.
fn monitor_events(text: &str) -> Vec<(String, Value, Value)> {
    let mut events = Vec::new();
    for update in json_lines(text) {
        for row in update["data"].as_array().cloned().unwrap_or_default() {
            events.push((
                row[1].as_str().unwrap_or_default().to_string(),
                row[2].clone(),
                row[3].clone(),
            ));
        }
    }
    events
}

#[test]
fn monitor_reports_changes() {
    let imp = impl_or_skip!("monitor_reports_changes");
    let sb = Sandbox::with_server("client-monitor", imp);
    sb.vsctl_ok(&["init", "--", "add-br", "br0"]);
    let client = format!("{REAL_BINDIR}/ovsdb-client");
    let remote = sb.remote();
    let mut json_mon = sb.background(
        &client,
        &[
            "--format=json",
            "monitor",
            &remote,
            "Open_vSwitch",
            "Bridge",
            "name,datapath_type",
        ],
    );
    let mut text_mon = sb.background(
        &client,
        &[
            "monitor",
            &remote,
            "Open_vSwitch",
            "Bridge",
            "name,datapath_type",
        ],
    );
    json_mon.wait_for("initial rows", MONITOR_WAIT, |s| s.contains("\"initial\""));
    text_mon.wait_for("initial rows", MONITOR_WAIT, |s| s.contains(" initial "));

    sb.vsctl_ok(&["add-br", "br8"]);
    sb.vsctl_ok(&["set", "bridge", "br8", "datapath_type=netdev"]);
    sb.vsctl_ok(&["del-br", "br8"]);
    json_mon.wait_for("delete of br8", MONITOR_WAIT, |s| s.contains("\"delete\""));
    text_mon.wait_for("delete of br8", MONITOR_WAIT, |s| s.contains(" delete "));

    let events = monitor_events(&json_mon.stdout());
    let expected: Vec<(String, Value, Value)> = vec![
        ("initial".into(), json!("br0"), json!("")),
        ("insert".into(), json!("br8"), json!("")),
        // monitor (v1) reports a modification as the old values of the
        // changed columns, then the whole new row.
        ("old".into(), Value::Null, json!("")),
        ("new".into(), json!("br8"), json!("netdev")),
        ("delete".into(), json!("br8"), json!("netdev")),
    ];
    assert_eq!(events, expected, "{}", json_mon.stdout());
    let headings = json_lines(&json_mon.stdout())
        .first()
        .map(|u| u["headings"].clone())
        .unwrap_or_default();
    assert_eq!(headings, json!(["row", "action", "name", "datapath_type"]));

    let br8 = json_lines(&json_mon.stdout())[1]["data"][0][0]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let text = text_mon.stdout();
    // The table format is ovsdb-client's, so only the contents can differ;
    // trailing blanks are trimmed on both sides.
    let expected_text = format!(
        "row                                  action name datapath_type\n\
         ------------------------------------ ------ ---- -------------\n\
         {br8} insert br8  \"\"\n\
         \n\
         row                                  action name datapath_type\n\
         ------------------------------------ ------ ---- -------------\n\
         {br8} old         \"\"\n                                     new    br8  netdev\n\
         \n\
         row                                  action name datapath_type\n\
         ------------------------------------ ------ ---- -------------\n\
         {br8} delete br8  netdev\n"
    );
    let after_initial = text.split_once("\n\n").map(|(_, rest)| rest).unwrap_or("");
    let normalise = |s: &str| s.lines().map(str::trim_end).collect::<Vec<_>>().join("\n");
    assert_eq!(
        normalise(after_initial),
        normalise(&expected_text),
        "full output:\n{text}"
    );
}

#[test]
fn monitor_cond_filters_rows() {
    let imp = impl_or_skip!("monitor_cond_filters_rows");
    let sb = Sandbox::with_server("client-monitor-cond", imp);
    sb.vsctl_ok(&["init", "--", "add-br", "br0"]);
    let client = format!("{REAL_BINDIR}/ovsdb-client");
    let remote = sb.remote();
    let mut mon = sb.background(
        &client,
        &[
            "--format=json",
            "monitor-cond",
            &remote,
            "Open_vSwitch",
            "[[\"name\",\"!=\",\"br7\"]]",
            "Bridge",
            "name,datapath_type",
        ],
    );
    mon.wait_for("initial rows", MONITOR_WAIT, |s| s.contains("\"initial\""));
    // br7 is filtered out, br8 is seen; br7's change comes first so that,
    // updates being ordered, its absence is proven by br8's arrival.
    sb.vsctl_ok(&["add-br", "br7"]);
    sb.vsctl_ok(&["set", "bridge", "br7", "datapath_type=netdev"]);
    sb.vsctl_ok(&["add-br", "br8"]);
    sb.vsctl_ok(&["set", "bridge", "br8", "datapath_type=netdev"]);
    sb.vsctl_ok(&["del-br", "br8"]);
    mon.wait_for("delete of br8", MONITOR_WAIT, |s| s.contains("\"delete\""));
    let out = mon.stdout();
    let events = monitor_events(&out);
    // monitor_cond (update2): an insert or initial row leaves out columns
    // that hold their default, a modify carries only the changed columns,
    // a delete carries nothing.
    let expected: Vec<(String, Value, Value)> = vec![
        ("initial".into(), json!("br0"), Value::Null),
        ("insert".into(), json!("br8"), Value::Null),
        ("modify".into(), Value::Null, json!("netdev")),
        ("delete".into(), Value::Null, Value::Null),
    ];
    assert_eq!(events, expected, "{out}");
    assert!(!out.contains("br7"), "{out}");

    // And with a condition that starts out empty: no initial rows at all.
    let mut empty = sb.background(
        &client,
        &[
            "monitor-cond",
            &remote,
            "Open_vSwitch",
            "[[\"name\",\"==\",\"br9\"]]",
            "Bridge",
            "name",
        ],
    );
    // Nothing to wait for but time: then br9 appears and must be reported
    // (as "insert", or as "initial" should this loaded machine have taken
    // longer than the pause to start the client).
    std::thread::sleep(Duration::from_millis(700));
    assert_eq!(empty.stdout(), "", "no initial rows expected");
    sb.vsctl_ok(&["add-br", "br9"]);
    empty.wait_for("br9", MONITOR_WAIT, |s| {
        s.contains(" insert br9") || s.contains(" initial br9")
    });
    let lines: BTreeMap<usize, String> = empty
        .stdout()
        .lines()
        .enumerate()
        .map(|(i, l)| (i, l.trim_end().to_string()))
        .collect();
    assert!(
        lines
            .get(&0)
            .is_some_and(|l| l.starts_with("row ") && l.ends_with(" name")),
        "{lines:?}"
    );
    assert!(
        lines.get(&2).is_some_and(|l| l.ends_with(" br9")),
        "{lines:?}"
    );
}
