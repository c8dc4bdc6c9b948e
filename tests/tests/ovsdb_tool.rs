//! `ovsdb-tool`: ours (side A) against Debian's, on identical inputs, in
//! two sandboxes so that relative file names, and so messages, match.
//! Without our ovsdb-tool built the tests print SKIP; with
//! `OVS_TEST_IMPL=real` they compare real with real (and still check the
//! outputs are what they should be).

use std::collections::BTreeMap;

use ovs_tests::canon::{UuidMap, replace_uuids};
use ovs_tests::{Impl, Output, Sandbox, VSWITCH_SCHEMA, impl_under_test};
use serde_json::{Value, json};

/// Side A's ovsdb-tool, or `None` (after a SKIP line) when it has none.
fn tool_under_test(test: &str) -> Option<Impl> {
    let imp = impl_under_test(test)?;
    if imp.ovsdb_tool().is_none() {
        println!(
            "SKIP {test}: {} has no ovsdb-tool yet (run with OVS_TEST_IMPL=real to check the test)",
            imp.label()
        );
        return None;
    }
    Some(imp)
}

macro_rules! tool_or_skip {
    ($test:expr) => {
        match tool_under_test($test) {
            Some(imp) => imp,
            None => return,
        }
    };
}

/// Replaces `YYYY-MM-DD HH:MM:SS.mmm` timestamps (show-log) and the
/// version in "compacted by ovsdb-tool X.Y.Z".
fn normalise_log(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut line = line.to_string();
        if let Some(rest) = line.strip_prefix("record ")
            && let Some((n, tail)) = rest.split_once(": ")
        {
            let b = tail.as_bytes();
            let is_date = b.len() >= 23
                && b[4] == b'-'
                && b[7] == b'-'
                && b[10] == b' '
                && b[13] == b':'
                && b[19] == b'.';
            if is_date {
                line = format!("record {n}: <date>{}", &tail[23..]);
            }
        }
        if let Some(i) = line.find("compacted by ovsdb-tool ") {
            let start = i + "compacted by ovsdb-tool ".len();
            let end = line[start..]
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .map_or(line.len(), |e| start + e);
            line.replace_range(start..end, "<version>");
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Replaces 8-hex-digit UUID abbreviations (show-log -m) by `xxxxxxxx`.
fn mask_short_uuids(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        let boundary = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        if boundary
            && i + 8 <= b.len()
            && b[i..i + 8].iter().all(|c| c.is_ascii_hexdigit())
            && b.get(i + 8).is_none_or(|c| !c.is_ascii_alphanumeric())
        {
            out.push_str("xxxxxxxx");
            i += 8;
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

#[track_caller]
fn assert_same(what: &str, a: &Output, b: &Output, normalise: impl Fn(&str) -> String) {
    let render = |o: &Output| {
        format!(
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            o.code(),
            normalise(&o.stdout),
            normalise(&o.stderr)
        )
    };
    assert_eq!(
        render(a),
        render(b),
        "{what}: side A (left) and real ovsdb-tool (right) differ\n{a}\n{b}"
    );
}

fn id(s: &str) -> String {
    s.to_string()
}

/// A database with history: built by Debian's ovsdb-server driven by
/// ovs-vsctl, so its log has comments, inserts, modifications and deletes.
fn populated_db(sb: &mut Sandbox) {
    sb.create_db(Impl::Real);
    sb.start_ovsdb_server(Impl::Real);
    sb.vsctl_ok(&["init"]);
    sb.vsctl_ok(&["add-br", "br0", "--", "add-port", "br0", "p1", "tag=3"]);
    sb.vsctl_ok(&[
        "set",
        "interface",
        "p1",
        "type=vxlan",
        "options:remote_ip=192.0.2.7",
    ]);
    sb.vsctl_ok(&[
        "add-br",
        "br1",
        "--",
        "set",
        "bridge",
        "br1",
        "datapath_type=netdev",
    ]);
    sb.vsctl_ok(&["del-port", "p1"]);
    sb.vsctl_ok(&[
        "set",
        "Open_vSwitch",
        ".",
        "external_ids:system-id=tool-test",
    ]);
    assert!(sb.stop_ovsdb_server().is_some());
}

fn copy_db(from: &Sandbox, to: &Sandbox) {
    if let Err(e) = std::fs::copy(from.db_path(), to.db_path()) {
        panic!("copy: {e}");
    }
}

/// A schema that needs conversion: newer version, one more column.
fn write_newer_schema(sb: &Sandbox) -> String {
    let text = std::fs::read_to_string(VSWITCH_SCHEMA).unwrap_or_default();
    let mut schema: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    schema["version"] = json!("8.3.2");
    schema["tables"]["Bridge"]["columns"]["test_extra"] = json!({"type": "string"});
    let path = sb.dir().join("newer.ovsschema");
    if let Err(e) = std::fs::write(&path, schema.to_string()) {
        panic!("write schema: {e}");
    }
    "newer.ovsschema".into()
}

#[test]
fn create_writes_the_same_database() {
    let imp = tool_or_skip!("create_writes_the_same_database");
    let a = Sandbox::new("tool-create-A");
    let b = Sandbox::new("tool-create-B");
    let args = ["create", "conf.db", VSWITCH_SCHEMA];
    assert_same(
        "create",
        &a.tool(imp, &args),
        &b.tool(Impl::Real, &args),
        id,
    );

    // Same record, compared as JSON (key order inside is free).
    let read = |sb: &Sandbox| std::fs::read_to_string(sb.db_path()).unwrap_or_default();
    let (fa, fb) = (read(&a), read(&b));
    let header = |f: &str| f.lines().next().unwrap_or_default().to_string();
    let ha = header(&fa);
    let parts: Vec<&str> = ha.split(' ').collect();
    assert_eq!(parts.len(), 4, "header {ha:?}");
    assert_eq!(&parts[..2], ["OVSDB", "JSON"], "header {ha:?}");
    assert!(parts[3].len() == 40 && parts[3].bytes().all(|c| c.is_ascii_hexdigit()));
    let body = |f: &str| -> Value {
        serde_json::from_str(f.lines().nth(1).unwrap_or_default()).unwrap_or(Value::Null)
    };
    assert_eq!(body(&fa), body(&fb), "schema records differ");
    // The length counts the record's terminating newline.
    assert_eq!(
        parts[2].parse::<usize>().ok(),
        fa.lines().nth(1).map(|l| l.len() + 1),
        "length in header {ha:?}"
    );
    assert!(header(&fb).starts_with("OVSDB JSON "));

    // Real ovsdb-tool accepts A's file (it checks length and SHA-1).
    let real_show = a.tool(Impl::Real, &["show-log", "conf.db"]);
    assert_eq!(
        real_show.ok(),
        "record 0: \"Open_vSwitch\" schema, version=\"8.3.1\", cksum=\"3012963480 26720\"\n\n"
    );
    // Creating over an existing file fails the same way.
    assert_same(
        "create over existing",
        &a.tool(imp, &args),
        &b.tool(Impl::Real, &args),
        id,
    );
    assert!(!b.tool(Impl::Real, &args).success());
}

#[test]
fn schema_and_database_queries() {
    let imp = tool_or_skip!("schema_and_database_queries");
    let mut a = Sandbox::new("tool-info-A");
    let b = Sandbox::new("tool-info-B");
    populated_db(&mut a);
    copy_db(&a, &b);
    let newer = write_newer_schema(&a);
    write_newer_schema(&b);
    let commands: Vec<Vec<&str>> = vec![
        vec!["schema-version", VSWITCH_SCHEMA],
        vec!["schema-cksum", VSWITCH_SCHEMA],
        vec!["schema-name", VSWITCH_SCHEMA],
        vec!["db-version", "conf.db"],
        vec!["db-cksum", "conf.db"],
        vec!["db-name", "conf.db"],
        vec!["db-is-standalone", "conf.db"],
        vec!["db-is-clustered", "conf.db"],
        vec!["needs-conversion", "conf.db", VSWITCH_SCHEMA],
        vec!["needs-conversion", "conf.db", &newer],
        vec!["schema-version", &newer],
        vec!["compare-versions", "1.2.3", "<", "1.3.0"],
        vec!["compare-versions", "1.2.3", ">", "1.3.0"],
        vec!["compare-versions", "8.3.1", "==", "8.3.1"],
        vec!["db-version", "nope.db"],
        vec!["schema-version", "nope.ovsschema"],
    ];
    let mut outputs = BTreeMap::new();
    for args in &commands {
        let oa = a.tool(imp, args);
        let ob = b.tool(Impl::Real, args);
        assert_same(&args.join(" "), &oa, &ob, id);
        outputs.insert(args.join(" "), ob);
    }
    let out = |k: &str| outputs.get(k).map(|o| o.stdout.clone()).unwrap_or_default();
    let code = |k: &str| outputs.get(k).and_then(Output::code);
    let schema = format!("schema-version {VSWITCH_SCHEMA}");
    assert_eq!(out(&schema), "8.3.1\n");
    assert_eq!(
        out(&format!("schema-cksum {VSWITCH_SCHEMA}")),
        "3012963480 26720\n"
    );
    assert_eq!(out("db-version conf.db"), "8.3.1\n");
    assert_eq!(out("db-name conf.db"), "Open_vSwitch\n");
    assert_eq!(code("db-is-standalone conf.db"), Some(0));
    assert_eq!(code("db-is-clustered conf.db"), Some(2));
    assert_eq!(
        out(&format!("needs-conversion conf.db {VSWITCH_SCHEMA}")),
        "no\n"
    );
    assert_eq!(out("needs-conversion conf.db newer.ovsschema"), "yes\n");
    assert_eq!(code("compare-versions 1.2.3 < 1.3.0"), Some(0));
    assert_eq!(code("compare-versions 1.2.3 > 1.3.0"), Some(2));
    assert_eq!(code("db-version nope.db"), Some(1));
}

#[test]
fn show_log_of_the_same_file() {
    let imp = tool_or_skip!("show_log_of_the_same_file");
    let mut a = Sandbox::new("tool-log-A");
    let b = Sandbox::new("tool-log-B");
    populated_db(&mut a);
    copy_db(&a, &b);
    for flags in [&[][..], &["-m"][..], &["-mm"][..]] {
        let mut args = vec!["show-log"];
        args.extend_from_slice(flags);
        args.push("conf.db");
        let ob = b.tool(Impl::Real, &args);
        assert_same(&args.join(" "), &a.tool(imp, &args), &ob, id);
        if flags.is_empty() {
            let text = ob.ok();
            assert!(text.starts_with("record 0: \"Open_vSwitch\" schema, version=\"8.3.1\""));
            assert_eq!(text.lines().filter(|l| l.starts_with("record ")).count(), 7);
            assert!(text.contains("ovs-vsctl --db="), "{text}");
        }
    }
}

/// Rows of every select in a query/transact result, sorted, so that the
/// server's row order does not matter.
fn sorted_rows(out: &str) -> Value {
    let mut results: Value = serde_json::from_str(out).unwrap_or(Value::Null);
    if let Some(list) = results.as_array_mut() {
        for r in list {
            if let Some(rows) = r.get_mut("rows").and_then(Value::as_array_mut) {
                rows.sort_by_key(|row| row.to_string());
            }
        }
    }
    results
}

#[test]
fn query_transact_and_compact() {
    let imp = tool_or_skip!("query_transact_and_compact");
    let mut a = Sandbox::new("tool-txn-A");
    let b = Sandbox::new("tool-txn-B");
    populated_db(&mut a);
    copy_db(&a, &b);

    let query = json!(["Open_vSwitch",
        {"op": "select", "table": "Bridge", "where": [], "columns": ["_uuid", "name", "datapath_type", "ports"]},
        {"op": "select", "table": "Interface", "where": [], "columns": ["name", "type", "options"]},
        {"op": "select", "table": "Open_vSwitch", "where": [], "columns": ["external_ids"]}])
    .to_string();
    let qa = a.tool(imp, &["query", "conf.db", &query]);
    let qb = b.tool(Impl::Real, &["query", "conf.db", &query]);
    assert_eq!(qa.code(), qb.code(), "{qa}\n{qb}");
    let rows = sorted_rows(qb.ok());
    assert_eq!(sorted_rows(qa.ok()), rows);
    assert_eq!(rows[0]["rows"].as_array().map(Vec::len), Some(2), "{rows}");
    assert_eq!(
        rows[2]["rows"][0]["external_ids"],
        json!(["map", [["system-id", "tool-test"]]])
    );
    // query never writes, even an insert.
    let insert = json!(["Open_vSwitch", {"op": "insert", "table": "Queue", "row": {}}]).to_string();
    let before = std::fs::read(b.db_path()).unwrap_or_default();
    let ia = a.tool(imp, &["query", "conf.db", &insert]);
    let ib = b.tool(Impl::Real, &["query", "conf.db", &insert]);
    assert_same("query insert", &ia, &ib, |s| {
        replace_uuids(s, &UuidMap::default())
    });
    assert_eq!(std::fs::read(b.db_path()).unwrap_or_default(), before);

    let txn = json!(["Open_vSwitch",
        {"op": "insert", "table": "Queue", "uuid-name": "q",
         "row": {"dscp": 9, "external_ids": ["map", [["by", "tool"]]]}},
        {"op": "select", "table": "Queue", "where": [["_uuid", "==", ["named-uuid", "q"]]],
         "columns": ["dscp", "external_ids"]},
        {"op": "comment", "comment": "tool transact"}])
    .to_string();
    let ta = a.tool(imp, &["transact", "conf.db", &txn]);
    let tb = b.tool(Impl::Real, &["transact", "conf.db", &txn]);
    assert_same("transact", &ta, &tb, |s| {
        replace_uuids(s, &UuidMap::default())
    });
    assert!(
        tb.ok()
            .contains("{\"rows\":[{\"dscp\":9,\"external_ids\":[\"map\",[[\"by\",\"tool\"]]]}]}")
    );
    let bad = json!(["Open_vSwitch", {"op": "insert", "table": "Queue", "row": {"dscp": 99}}])
        .to_string();
    assert_same(
        "failing transact",
        &a.tool(imp, &["transact", "conf.db", &bad]),
        &b.tool(Impl::Real, &["transact", "conf.db", &bad]),
        id,
    );
    let log_mask = |s: &str| mask_short_uuids(&normalise_log(s));
    for sb in [&a, &b] {
        let log = sb.tool(Impl::Real, &["show-log", "-m", "conf.db"]);
        assert!(log.ok().contains("\"tool transact\""), "{log}");
    }
    assert_same(
        "show-log -m after transact (read by real)",
        &a.tool(Impl::Real, &["show-log", "-m", "conf.db"]),
        &b.tool(Impl::Real, &["show-log", "-m", "conf.db"]),
        log_mask,
    );

    // compact in place.
    let size = |sb: &Sandbox| {
        std::fs::metadata(sb.db_path())
            .map(|m| m.len())
            .unwrap_or(0)
    };
    let before_b = size(&b);
    assert_same(
        "compact",
        &a.tool(imp, &["compact", "conf.db"]),
        &b.tool(Impl::Real, &["compact", "conf.db"]),
        id,
    );
    assert!(size(&b) < before_b);
    let log_a = a.tool(Impl::Real, &["show-log", "-m", "conf.db"]);
    let log_b = b.tool(Impl::Real, &["show-log", "-m", "conf.db"]);
    assert_same(
        "show-log after compact (read by real)",
        &log_a,
        &log_b,
        log_mask,
    );
    assert!(log_b.ok().contains("\"compacted by ovsdb-tool "), "{log_b}");
    assert_eq!(
        log_b
            .ok()
            .lines()
            .filter(|l| l.starts_with("record "))
            .count(),
        2
    );
    let after = sorted_rows(b.tool(Impl::Real, &["query", "conf.db", &query]).ok());
    assert_eq!(after, rows, "compaction changed the data");
    let after_a = sorted_rows(a.tool(Impl::Real, &["query", "conf.db", &query]).ok());
    assert_eq!(after_a, rows, "A's compaction changed the data");

    // compact to another file leaves the source alone.
    assert_same(
        "compact to DST",
        &a.tool(imp, &["compact", "conf.db", "copy.db"]),
        &b.tool(Impl::Real, &["compact", "conf.db", "copy.db"]),
        id,
    );
    let copy_query = b.tool(Impl::Real, &["query", "copy.db", &query]);
    assert_eq!(sorted_rows(copy_query.ok()), rows);
}
