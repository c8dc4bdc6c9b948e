//! Our `ovsdb-tool` against Debian's real one on copies of the same
//! database files, and files written by each read by the other (and by the
//! real `ovsdb-server`).

mod common;

use common::*;
use ovs_utilities::json::{Flags, Json};

/// A database populated through the real server, then stopped: returns the
/// sandbox (kept alive by the server value) and the file's path.
fn populated() -> (RealServer, String) {
    let mut server = RealServer::start();
    server.populate();
    server.stop();
    let db = server.db.clone();
    (server, db)
}

/// Copies `src` to `<sandbox>/real/<name>` and `<sandbox>/ours/<name>`.
fn copies(sb: &Sandbox, src: &str, name: &str) -> (String, String) {
    for d in ["real", "ours"] {
        std::fs::create_dir_all(sb.path(d)).expect("mkdir");
    }
    let r = sb.path(&format!("real/{name}"));
    let o = sb.path(&format!("ours/{name}"));
    std::fs::copy(src, &r).expect("copy");
    std::fs::copy(src, &o).expect("copy");
    (r, o)
}

/// Runs the real tool with `{}` in args replaced by `real_file` and ours
/// with `ours_file`; asserts the same stdout (with the two paths mapped to
/// one) and exit status.
fn same_on(sb: &Sandbox, args: &[&str], real_file: &str, ours_file: &str, check_stderr: bool) {
    let ra: Vec<String> = args.iter().map(|a| a.replace("{}", real_file)).collect();
    let oa: Vec<String> = args.iter().map(|a| a.replace("{}", ours_file)).collect();
    let ra: Vec<&str> = ra.iter().map(String::as_str).collect();
    let oa: Vec<&str> = oa.iter().map(String::as_str).collect();
    let r = sb.run(REAL_TOOL, &ra);
    let o = sb.run(OUR_TOOL, &oa);
    let unify = |s: String, f: &str| s.replace(f, "<db>");
    assert_eq!(
        unify(stdout(&o), ours_file),
        unify(stdout(&r), real_file),
        "stdout differs for {args:?}"
    );
    assert_eq!(
        o.status.code(),
        r.status.code(),
        "status differs for {args:?}"
    );
    if check_stderr {
        assert_eq!(
            unify(stderr_text(&o), ours_file),
            unify(stderr_text(&r), real_file),
            "stderr differs for {args:?}"
        );
    }
}

fn show_log(sb: &Sandbox, file: &str, more: &str) -> String {
    let out = sb.run(REAL_TOOL, &[more, "show-log", file]);
    assert!(out.status.success(), "real show-log failed on {file}");
    normalize(&stdout(&out))
}

#[test]
fn create_is_byte_identical() {
    if !have_real("create_is_byte_identical") {
        return;
    }
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.path("real")).unwrap();
    std::fs::create_dir_all(sb.path("ours")).unwrap();
    let (r, o) = (sb.path("real/c.db"), sb.path("ours/c.db"));
    same_on(&sb, &["create", "{}", SCHEMA], &r, &o, true);
    assert_eq!(std::fs::read(&r).unwrap(), std::fs::read(&o).unwrap());
    // Creating over an existing file fails the same way.
    same_on(&sb, &["create", "{}", SCHEMA], &r, &o, true);
    // Defaults: $OVS_DBDIR/conf.db from $OVS_PKGDATADIR/vswitch.ovsschema.
    let out = sb.run(OUR_TOOL, &["create"]);
    assert!(out.status.success());
    assert_eq!(
        std::fs::read(sb.path("conf.db")).unwrap(),
        std::fs::read(&r).unwrap()
    );
    // The real tools accept our file.
    for cmd in ["db-name", "db-version", "db-cksum", "show-log"] {
        same_on(&sb, &[cmd, "{}"], &r, &o, true);
    }
}

#[test]
fn read_only_commands() {
    if !have_real("read_only_commands") {
        return;
    }
    let (server, db) = populated();
    let sb = &server.sb;
    let (r, o) = copies(sb, &db, "s.db");
    for args in [
        vec!["db-name", "{}"],
        vec!["db-version", "{}"],
        vec!["db-cksum", "{}"],
        vec!["db-is-standalone", "{}"],
        vec!["db-is-clustered", "{}"],
        vec!["db-cid", "{}"],
        vec!["show-log", "{}"],
        vec!["-m", "show-log", "{}"],
        vec!["-mm", "show-log", "{}"],
        vec!["needs-conversion", "{}", SCHEMA],
        vec!["schema-name", SCHEMA],
        vec!["schema-version", SCHEMA],
        vec!["schema-cksum", SCHEMA],
        vec!["schema-name"],
        vec!["compare-versions", "1.2.3", "<", "1.10.0"],
        vec!["compare-versions", "1.2.3", "==", "1.2.3"],
        vec!["compare-versions", "2.0.0", "<=", "1.10.0"],
        vec!["compare-versions", "1.2", ">", "1.10.0"],
        vec!["compare-versions", "1.2.3", "=", "1.10.0"],
        vec!["list-commands"],
        vec!["--help"],
        vec!["--version"],
    ] {
        same_on(sb, &args, &r, &o, true);
    }
}

#[test]
fn queries() {
    if !have_real("queries") {
        return;
    }
    let (server, db) = populated();
    let sb = &server.sb;
    let (r, o) = copies(sb, &db, "q.db");
    for txn in [
        r#"["Open_vSwitch",{"op":"select","table":"Bridge","where":[],"columns":["name","_uuid","ports"]}]"#,
        r#"["Open_vSwitch",{"op":"select","table":"Interface","where":[],"columns":["name","type","options"]}]"#,
        r#"["Open_vSwitch",{"op":"select","table":"Interface","where":[],"columns":["type"]}]"#,
        r#"["Open_vSwitch",{"op":"select","table":"Interface","where":[],"columns":[]}]"#,
        r#"["Open_vSwitch",{"op":"select","table":"Port","where":[["tag","==",5]],"columns":["name","trunks"]}]"#,
        r#"["Open_vSwitch",{"op":"select","table":"Port","where":[],"columns":["name"],"sort":["name"]}]"#,
        r#"["Open_vSwitch",{"op":"select","table":"Port","where":[],"columns":["name","nope"]}]"#,
        r#"["Open_vSwitch",{"op":"select","table":"Nope","where":[]}]"#,
        r#"["Open_vSwitch",{"op":"delete","table":"Port","where":[["name","==","p1"]]}]"#,
        r#"["Open_vSwitch",{"op":"update","table":"Bridge","where":[["name","==","br0"]],"row":{"stp_enable":true}},{"op":"select","table":"Bridge","where":[],"columns":["name","stp_enable"]}]"#,
        r#"["Open_vSwitch",{"op":"select","table":"Bridge","where":[],"columns":["name"]},{"op":"wait","table":"Bridge","where":[],"columns":["name"],"until":"==","rows":[],"timeout":1000},{"op":"comment","comment":"x"}]"#,
        r#"["Open_vSwitch",{"op":"wait","table":"Bridge","where":[],"columns":["name"],"until":"==","rows":[],"timeout":0}]"#,
        r#"["Open_vSwitch",{"op":"wait","table":"Bridge","where":[],"columns":["name"],"until":"!=","rows":[]}]"#,
        r#"["Foo",{"op":"select","table":"Bridge","where":[]}]"#,
        r#"{}"#,
        r#"[x"#,
    ] {
        same_on(sb, &["query", "{}", txn], &r, &o, true);
    }
    // Queries never change the file.
    assert_eq!(std::fs::read(&r).unwrap(), std::fs::read(&o).unwrap());
}

#[test]
fn transactions_append_the_same_records() {
    if !have_real("transactions_append_the_same_records") {
        return;
    }
    let (server, db) = populated();
    let sb = &server.sb;
    let (r, o) = copies(sb, &db, "t.db");
    let txns = [
        r#"["Open_vSwitch",{"op":"insert","table":"Bridge","row":{"name":"br9","other_config":["map",[["a","b"]]]},"uuid-name":"nb"},{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["bridges","insert",["named-uuid","nb"]]]},{"op":"comment","comment":"hello"}]"#,
        r#"["Open_vSwitch",{"op":"update","table":"Bridge","where":[["name","==","br9"]],"row":{"other_config":["map",[["c","d"]]],"flood_vlans":["set",[1,2]]}}]"#,
        r#"["Open_vSwitch",{"op":"delete","table":"Port","where":[["name","==","p1"]]}]"#,
        r#"["Open_vSwitch",{"op":"mutate","table":"Bridge","where":[["name","==","br0"]],"mutations":[["ports","delete",["set",[]]]]},{"op":"select","table":"Bridge","where":[],"columns":["name"]}]"#,
        r#"["Open_vSwitch",{"op":"select","table":"Bridge","where":[],"columns":["name","other_config","flood_vlans"]}]"#,
    ];
    for txn in txns {
        let ro = sb.run(REAL_TOOL, &["transact", &r, txn]);
        let oo = sb.run(OUR_TOOL, &["transact", &o, txn]);
        assert_eq!(normalize(&stdout(&oo)), normalize(&stdout(&ro)), "{txn}");
        assert_eq!(oo.status.code(), ro.status.code());
    }
    // Same records, as the real tool reads them back.
    for more in ["-m", "-mm"] {
        assert_eq!(show_log(sb, &o, more), show_log(sb, &r, more));
    }
    // Each tool reads the other's file.
    for args in [vec!["-mm", "show-log", "{}"], vec!["query", "{}", txns[4]]] {
        let ours_on_real = sb.run(
            OUR_TOOL,
            &args
                .iter()
                .map(|a| a.replace("{}", &r))
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        );
        let real_on_real = sb.run(
            REAL_TOOL,
            &args
                .iter()
                .map(|a| a.replace("{}", &r))
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        );
        assert_eq!(stdout(&ours_on_real), stdout(&real_on_real));
    }
}

#[test]
fn compact_and_convert() {
    if !have_real("compact_and_convert") {
        return;
    }
    let (server, db) = populated();
    let sb = &server.sb;
    let (r, o) = copies(sb, &db, "k.db");
    // Compaction to a new file: the same bytes but for the date.
    same_on(sb, &["compact", "{}", "{}.c"], &r, &o, true);
    let strip_date = |p: &str| {
        let text = std::fs::read_to_string(p).unwrap();
        // The header's SHA-1 covers the date, so it is left out too.
        let mut lines: Vec<String> = text
            .lines()
            .map(|l| match l.strip_prefix("OVSDB JSON ") {
                Some(rest) => format!("OVSDB JSON {}", rest.split(' ').next().unwrap_or("")),
                None => l.to_string(),
            })
            .collect();
        if let Some(last) = lines.last_mut()
            && let Some(i) = last.find(",\"_date\":")
        {
            let digits = last[i + 9..].find(|c: char| !c.is_ascii_digit());
            let end = digits.map_or(last.len(), |e| i + 9 + e);
            last.replace_range(i..end, "");
        }
        lines
    };
    let (rc, oc) = (format!("{r}.c"), format!("{o}.c"));
    assert_eq!(strip_date(&oc), strip_date(&rc));
    assert_eq!(show_log(sb, &oc, "-mm"), show_log(sb, &rc, "-mm"));
    // In place.
    same_on(sb, &["compact", "{}"], &r, &o, true);
    assert_eq!(strip_date(&o), strip_date(&r));

    // Conversion: a column dropped, one added, the version changed.
    let schema_text = std::fs::read_to_string(SCHEMA).unwrap();
    let mut schema = ovs_utilities::json::parse(&schema_text).unwrap();
    if let Json::Object(top) = &mut schema {
        top.put("version", Json::string("9.0.0"));
        let bridge_columns = top
            .get_mut("tables")
            .and_then(|t| match t {
                Json::Object(t) => t.get_mut("Bridge"),
                _ => None,
            })
            .and_then(|b| match b {
                Json::Object(b) => b.get_mut("columns"),
                _ => None,
            });
        if let Some(Json::Object(cols)) = bridge_columns {
            cols.remove("other_config");
            let newcol =
                ovs_utilities::json::parse(r#"{"type":{"key":"integer","min":0}}"#).unwrap();
            cols.put("newcol", newcol);
        }
    }
    let new_path = sb.path("new.ovsschema");
    std::fs::write(
        &new_path,
        schema.to_ovs_string(Flags {
            pretty: true,
            sort: false,
        }),
    )
    .unwrap();
    let (cr, co) = copies(sb, &db, "v.db");
    same_on(sb, &["needs-conversion", "{}", &new_path], &cr, &co, true);
    same_on(sb, &["schema-version", &new_path], &cr, &co, true);
    same_on(sb, &["convert", "{}", &new_path, "{}.v2"], &cr, &co, true);
    let (vr, vo) = (format!("{cr}.v2"), format!("{co}.v2"));
    assert_eq!(strip_date(&vo), strip_date(&vr));
    assert_eq!(show_log(sb, &vo, "-mm"), show_log(sb, &vr, "-mm"));
    same_on(sb, &["needs-conversion", "{}", &new_path], &vr, &vo, true);

    // A value the new schema rejects stops both with the same message.
    let mut strict = ovs_utilities::json::parse(&schema_text).unwrap();
    let tag_key = ["tables", "Port", "columns", "tag", "type", "key"]
        .iter()
        .try_fold(&mut strict, |j, k| match j {
            Json::Object(o) => o.get_mut(k),
            _ => None,
        });
    if let Some(Json::Object(key)) = tag_key {
        key.put("maxInteger", Json::Integer(4));
    }
    let strict_path = sb.path("strict.ovsschema");
    std::fs::write(&strict_path, strict.to_ovs_string(Flags::NONE)).unwrap();
    same_on(
        sb,
        &["convert", "{}", &strict_path, "{}.out"],
        &cr,
        &co,
        true,
    );
    assert!(!std::path::Path::new(&format!("{co}.out")).exists());
    assert!(!std::path::Path::new(&format!("{cr}.out")).exists());
}

#[test]
fn real_server_serves_our_files() {
    if !have_real("real_server_serves_our_files") {
        return;
    }
    let (server, db) = populated();
    let sb = &server.sb;
    let (r, o) = copies(sb, &db, "x.db");
    let txn = r#"["Open_vSwitch",{"op":"update","table":"Interface","where":[["name","==","p2"]],"row":{"options":["map",[["k","v"]]]}}]"#;
    assert!(sb.run(REAL_TOOL, &["transact", &r, txn]).status.success());
    assert!(sb.run(OUR_TOOL, &["transact", &o, txn]).status.success());
    assert!(sb.run(OUR_TOOL, &["compact", &o]).status.success());
    assert!(sb.run(REAL_TOOL, &["compact", &r]).status.success());
    // Serve each file with the real server and dump it.
    let dump = |file: &str, name: &str| {
        let sock = sb.path(&format!("{name}.sock"));
        let pidfile = sb.path(&format!("{name}.pid"));
        let out = sb.run(
            REAL_SERVER,
            &[
                file,
                &format!("--remote=punix:{sock}"),
                &format!("--unixctl={}", sb.path(&format!("{name}.ctl"))),
                &format!("--pidfile={pidfile}"),
                "--detach",
                "--no-chdir",
                &format!("--log-file={}", sb.path(&format!("{name}.log"))),
            ],
        );
        assert!(out.status.success(), "real server refused {file}");
        let text = stdout(&sb.run(REAL_CLIENT, &["dump", &format!("unix:{sock}")]));
        if let Some(pid) = std::fs::read_to_string(&pidfile)
            .ok()
            .and_then(|s| s.trim().parse::<i32>().ok())
        {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGTERM,
            );
            let proc_dir = std::path::PathBuf::from(format!("/proc/{pid}"));
            wait_for(|| !proc_dir.exists(), "server exit");
        }
        text
    };
    let from_real = dump(&r, "real");
    let from_ours = dump(&o, "ours");
    assert!(from_real.contains("Bridge table"));
    assert_eq!(from_ours, from_real);
}

#[test]
fn errors() {
    if !have_real("errors") {
        return;
    }
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.path("real")).unwrap();
    std::fs::create_dir_all(sb.path("ours")).unwrap();
    for (name, content) in [
        ("empty.db", &b""[..]),
        ("garbage.db", &b"garbage\n"[..]),
        (
            "bad.db",
            &b"OVSDB JSON 5 0000000000000000000000000000000000000000\n{}\n\n"[..],
        ),
    ] {
        std::fs::write(sb.path(&format!("real/{name}")), content).unwrap();
        std::fs::write(sb.path(&format!("ours/{name}")), content).unwrap();
    }
    for file in ["empty.db", "garbage.db", "bad.db", "missing.db"] {
        let (r, o) = (
            sb.path(&format!("real/{file}")),
            sb.path(&format!("ours/{file}")),
        );
        for args in [
            vec!["db-version", "{}"],
            vec!["show-log", "{}"],
            vec!["db-name", "{}"],
            vec!["query", "{}", "[]"],
        ] {
            same_on(&sb, &args, &r, &o, true);
        }
    }
    let (r, o) = (sb.path("real/x"), sb.path("ours/x"));
    for args in [
        vec![],
        vec!["frobnicate"],
        vec!["create", "a", "b", "c"],
        vec!["compare-versions", "1"],
        vec!["--bogus"],
        vec!["schema-name", "/nonexistent.ovsschema"],
        vec!["create", "{}", "/nonexistent.ovsschema"],
    ] {
        same_on(&sb, &args, &r, &o, true);
    }
}

/// UUIDs whose text all hash to the same bucket of a small OVS hash map,
/// so that the order of rows in a compacted record reveals the order of
/// the table's rows in memory (which depends on the insertion history).
fn colliding_uuids(n: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut k: u64 = 1;
    for first in 0..n as u32 {
        loop {
            k = k
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let text = format!(
                "{first:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
                (k >> 48) & 0xffff,
                (k >> 32) & 0xffff,
                (k >> 16) & 0xffff,
                k & 0xffff_ffff_ffff
            );
            if ovs_shash::hash_name(&text) & 15 == 0 {
                out.push(text);
                break;
            }
        }
    }
    out
}

#[test]
fn compaction_keeps_in_memory_row_order() {
    if !have_real("compaction_keeps_in_memory_row_order") {
        return;
    }
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.path("real")).unwrap();
    std::fs::create_dir_all(sb.path("ours")).unwrap();
    let schema = ovs_utilities::json::parse(
        r#"{"name":"T","version":"1.0.0","tables":{"A":{"columns":{"n":{"type":"integer"}},"isRoot":true}}}"#,
    )
    .unwrap();
    let u = colliding_uuids(16);
    for history in [
        "i0,i1,i2,i3",
        "i3;i2;i1;i0",
        "i0;i4;i8;i12",
        "i0;i4;i8;i12;d4;i5",
        "i1;i0;i4;i8",
        "i0;i1;i2;i3;i4;i5;i6;i7;i8;d3;i9",
    ] {
        let mut bytes = ovs_utilities::logfile::compose_record(&schema);
        for txn in history.split(';') {
            let mut rows = ovs_utilities::json::Object::new();
            for op in txn.split(',') {
                let k: usize = op[1..].parse().unwrap();
                let row = if op.starts_with('d') {
                    Json::Null
                } else {
                    Json::Object(
                        ovs_utilities::json::Object::new().with("n", Json::Integer(k as i64)),
                    )
                };
                rows.put(u[k].clone(), row);
            }
            let record =
                Json::Object(ovs_utilities::json::Object::new().with("A", Json::Object(rows)));
            bytes.extend(ovs_utilities::logfile::compose_record(&record));
        }
        let (r, o) = (sb.path("real/h.db"), sb.path("ours/h.db"));
        std::fs::write(&r, &bytes).unwrap();
        std::fs::write(&o, &bytes).unwrap();
        assert!(sb.run(REAL_TOOL, &["compact", &r]).status.success());
        assert!(sb.run(OUR_TOOL, &["compact", &o]).status.success());
        let data = |p: &str| {
            let text = std::fs::read_to_string(p).unwrap();
            let last = text.lines().last().unwrap_or("").to_string();
            match last.find("\"_date\":") {
                Some(i) => {
                    let tail = &last[i + 8..];
                    let end = tail
                        .find(|c: char| !c.is_ascii_digit())
                        .unwrap_or(tail.len());
                    format!("{}{}", &last[..i], &tail[end..])
                }
                None => last,
            }
        };
        assert_eq!(data(&o), data(&r), "history {history}");
    }
}

/// A `select` whose columns leave out `_uuid` keeps, of rows alike in those
/// columns, the first one OVS meets walking the table's hash map, and
/// sorts the kept rows by all their columns: so its result shows the
/// table's in-memory order, which depends on every insertion and deletion
/// since the file was read (and within the transaction).
#[test]
fn distinct_selects_follow_table_order() {
    if !have_real("distinct_selects_follow_table_order") {
        return;
    }
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.path("real")).unwrap();
    std::fs::create_dir_all(sb.path("ours")).unwrap();
    // OVS compares these columns in the order name, _version, kind, _uuid:
    // the kept rows come out by name, which does not show in the result.
    let schema = ovs_utilities::json::parse(
        r#"{"name":"T","version":"1.0.0","tables":{"A":{"columns":{"name":{"type":"string"},"kind":{"type":"string"}},"isRoot":true}}}"#,
    )
    .unwrap();
    // Few distinct first words, so that rows share buckets at every size.
    let uuid = |k: usize| {
        let first = (k as u32).wrapping_mul(0x9e37_79b9) >> 29;
        format!("{first:08x}-0000-4000-8000-{:012x}", k + 1)
    };
    let row = |k: usize| {
        Json::Object(
            ovs_utilities::json::Object::new()
                .with("name", Json::String(format!("n{:03}", (k * 37) % 101)))
                .with("kind", Json::String(format!("k{}", k % 7))),
        )
    };
    let histories = [
        "i0-39",
        "i0-9;i10-19;i20-29;i30-39",
        "i39,i38,i37,i36,i35,i34,i33,i32,i31,i30,i29,i28,i27,i26,i25,i24,i23,i22,i21,i20",
        "i0-29;d0-14;i30-49",
        "i0-5;d0-2;i6-20;d6-10;i21-40;d3-5",
        "i0-63;d0-60",
    ];
    let selects = [
        r#"["T",{"op":"select","table":"A","where":[],"columns":["kind"]}]"#,
        r#"["T",{"op":"select","table":"A","where":[["name","<","n050"]],"columns":["kind"]}]"#,
        r#"["T",{"op":"select","table":"A","where":[],"columns":["kind"],"sort":["kind"]}]"#,
        r#"["T",{"op":"select","table":"A","where":[],"columns":["kind","_uuid","name"]}]"#,
        // Rows inserted and deleted earlier in the same transaction.
        r#"["T",{"op":"insert","table":"A","uuid":"00000001-0000-4000-8000-000000000001","row":{"name":"a","kind":"k1"}},{"op":"insert","table":"A","uuid":"00000005-0000-4000-8000-000000000002","row":{"name":"b","kind":"k2"}},{"op":"insert","table":"A","uuid":"00000021-0000-4000-8000-000000000003","row":{"name":"c","kind":"k3"}},{"op":"select","table":"A","where":[],"columns":["kind"]}]"#,
        r#"["T",{"op":"delete","table":"A","where":[["kind","==","k4"]]},{"op":"insert","table":"A","uuid":"00000002-0000-4000-8000-000000000004","row":{"name":"d","kind":"k0"}},{"op":"select","table":"A","where":[],"columns":["kind"]}]"#,
    ];
    let range = |spec: &str| -> Vec<usize> {
        match spec.split_once('-') {
            Some((a, b)) => (a.parse().unwrap()..=b.parse().unwrap()).collect(),
            None => vec![spec.parse().unwrap()],
        }
    };
    for history in histories {
        let mut bytes = ovs_utilities::logfile::compose_record(&schema);
        for txn in history.split(';') {
            let mut rows = ovs_utilities::json::Object::new();
            for op in txn.split(',') {
                for k in range(&op[1..]) {
                    let value = if op.starts_with('d') {
                        Json::Null
                    } else {
                        row(k)
                    };
                    rows.put(uuid(k), value);
                }
            }
            let record =
                Json::Object(ovs_utilities::json::Object::new().with("A", Json::Object(rows)));
            bytes.extend(ovs_utilities::logfile::compose_record(&record));
        }
        let (r, o) = (sb.path("real/d.db"), sb.path("ours/d.db"));
        std::fs::write(&r, &bytes).unwrap();
        std::fs::write(&o, &bytes).unwrap();
        for txn in selects {
            let run = |tool: &str, file: &str| {
                stdout(&sb.run(tool, &["query", file, txn])).replace(file, "<db>")
            };
            let real = run(REAL_TOOL, &r);
            assert_eq!(real, run(REAL_TOOL, &r), "the real result varies: {txn}");
            assert_eq!(run(OUR_TOOL, &o), real, "history {history}: {txn}");
        }
    }
}
