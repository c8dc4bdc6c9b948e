//! Our `ovsdb-client` against Debian's real one, both talking to the real
//! `ovsdb-server`: identical stdout and exit status (and stderr for errors).

mod common;

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

fn same(server: &RealServer, args: &[&str]) {
    assert_same(&server.sb, REAL_CLIENT, OUR_CLIENT, args, false);
}

fn same_with_stderr(server: &RealServer, args: &[&str]) {
    assert_same(&server.sb, REAL_CLIENT, OUR_CLIENT, args, true);
}

#[test]
fn schema_listings() {
    if !have_real("schema_listings") {
        return;
    }
    let server = RealServer::start();
    server.populate();
    let r = server.remote.as_str();
    same(&server, &["list-dbs", r]);
    for format in ["table", "list", "csv", "html", "json"] {
        let f = format!("--format={format}");
        same(&server, &[&f, "list-tables", r]);
        same(&server, &[&f, "list-tables", r, "_Server"]);
        same(&server, &[&f, "list-columns", r]);
        same(&server, &[&f, "list-columns", r, "Bridge"]);
        same(&server, &[&f, "list-columns", r, "_Server", "Database"]);
        same(&server, &[&f, "--pretty", "list-columns", r, "Interface"]);
    }
    same(&server, &["--no-headings", "list-tables", r]);
    same(&server, &["get-schema", r]);
    same(&server, &["--pretty", "get-schema", r]);
    same(&server, &["get-schema", r, "_Server"]);
    same(&server, &["get-schema-version", r]);
    same(&server, &["get-schema-cksum", r]);
    same(&server, &["get-schema-version", r, "_Server"]);
    // The default remote is unix:$OVS_RUNDIR/db.sock.
    same(&server, &["list-dbs"]);
    same(&server, &["get-schema-version"]);
}

#[test]
fn dump_formats() {
    if !have_real("dump_formats") {
        return;
    }
    let server = RealServer::start();
    server.populate();
    let r = server.remote.as_str();
    for format in ["table", "list", "csv", "html", "json"] {
        for data in ["string", "bare", "json"] {
            let f = format!("--format={format}");
            let d = format!("--data={data}");
            same(&server, &[&f, &d, "dump", r]);
        }
    }
    same(&server, &["--bare", "dump", r]);
    same(&server, &["--no-headings", "dump", r, "Bridge"]);
    same(&server, &["--max-column-width=12", "dump", r, "Interface"]);
    same(&server, &["-f", "json", "--pretty", "dump", r, "Port"]);
    same(&server, &["dump", r, "Open_vSwitch"]);
    same(&server, &["dump", r, "Open_vSwitch", "Open_vSwitch"]);
    same(&server, &["dump", r, "Bridge", "name", "ports", "_uuid"]);
    same(&server, &["dump", r, "Interface", "type"]);
    same(&server, &["dump", r, "_Server"]);
    same(&server, &["dump", "Bridge", "--format=csv"]);
    same_with_stderr(&server, &["dump", r, "Nope"]);
    same_with_stderr(&server, &["dump", r, "Bridge", "nope"]);
}

#[test]
fn transact_and_query() {
    if !have_real("transact_and_query") {
        return;
    }
    let server = RealServer::start();
    server.populate();
    let r = server.remote.as_str();
    let selects = [
        r#"["Open_vSwitch",{"op":"select","table":"Bridge","where":[],"columns":["name","other_config","flood_vlans","_uuid"]}]"#,
        r#"["Open_vSwitch",{"op":"select","table":"Interface","where":[["name","==","p2"]]},{"op":"comment","comment":"x"}]"#,
        r#"["Open_vSwitch",{"op":"select","table":"Port","where":[],"columns":["name","tag","trunks"]}]"#,
        r#"["Open_vSwitch",{"op":"select","table":"Nope","where":[]}]"#,
        r#"["Open_vSwitch",{"op":"select","table":"Port","where":[["tag","<","x"]]}]"#,
        r#"["_Server",{"op":"select","table":"Database","where":[],"columns":["name","model","connected","leader"]}]"#,
    ];
    for txn in selects {
        same(&server, &["transact", r, txn]);
        same(&server, &["query", r, txn]);
        same(&server, &["--pretty", "transact", r, txn]);
    }
    // A query's changes are aborted, and the abort's result is removed.
    same(
        &server,
        &[
            "query",
            r,
            r#"["Open_vSwitch",{"op":"delete","table":"Bridge","where":[]},{"op":"select","table":"Bridge","where":[],"columns":["name"]}]"#,
        ],
    );
    same(&server, &["dump", r, "Bridge", "name"]);
    // A transaction that changes something, then the same read by both.
    let out = server.sb.run(
        OUR_CLIENT,
        &[
            "transact",
            r,
            r#"["Open_vSwitch",{"op":"update","table":"Bridge","where":[["name","==","br1"]],"row":{"other_config":["map",[["z","9"]]]}}]"#,
        ],
    );
    assert_eq!(stdout(&out), "[{\"count\":1}]\n");
    same(&server, &["dump", r, "Bridge", "name", "other_config"]);
    // Errors, with the same messages.
    same_with_stderr(
        &server,
        &[
            "transact",
            r,
            r#"["Nope",{"op":"select","table":"x","where":[]}]"#,
        ],
    );
    same_with_stderr(&server, &["transact", r, "{}"]);
    same_with_stderr(&server, &["transact", r, "[1]"]);
    same_with_stderr(&server, &["query", r, "{}"]);
    same_with_stderr(&server, &["transact", r, "[x"]);
    same_with_stderr(&server, &["transact", r, r#"["a" "b"]"#]);
}

#[test]
fn command_line_errors() {
    if !have_real("command_line_errors") {
        return;
    }
    let server = RealServer::start();
    let r = server.remote.as_str();
    let bad_unix = format!("unix:{}", server.sb.path("nonexistent.sock"));
    for args in [
        vec!["--foo"],
        vec!["-x"],
        vec!["--format"],
        vec!["--pretty=1", "list-dbs"],
        vec!["-f", "xml", "list-dbs"],
        vec!["-d", "xml", "list-dbs"],
        vec!["--timeout=0", "list-dbs"],
        vec!["--timeout=x", "list-dbs"],
        vec![],
        vec!["frobnicate"],
        vec!["list-dbs", r, "extra"],
        vec!["list-dbs", &bad_unix],
        vec!["list-dbs", "foo:bar"],
        vec!["list-dbs", "tcp:127.0.0.1:1"],
        vec!["monitor", r, "Nope"],
        vec!["monitor", r, "Bridge", "nope"],
        vec!["monitor", r, "Bridge", "name,name"],
        vec!["monitor-cond", r, r#"[["nope","==",1]]"#, "Bridge"],
        vec!["monitor-cond", r, r#"[["name","<",1]]"#, "Bridge"],
        vec!["monitor-cond", r, r#"[["name","==",1]]"#, "Bridge"],
        vec!["monitor-cond", r, r#"[["name","=",1]]"#, "Bridge"],
        vec!["monitor-cond", r, "[1]", "Bridge"],
        vec!["monitor-cond", r, "[]", "Nope"],
    ] {
        same_with_stderr(&server, &args);
    }
    same(&server, &["--help"]);
    same(&server, &["--version"]);
}

/// A running monitor whose stdout is collected in the background.
struct Monitor {
    child: Child,
    output: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
}

impl Monitor {
    fn spawn(sb: &Sandbox, program: &str, args: &[&str]) -> Monitor {
        let mut child = Command::new(program)
            .args(args)
            .current_dir(sb.root())
            .env("OVS_RUNDIR", sb.root())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .stdin(Stdio::null())
            .spawn()
            .expect("spawn monitor");
        let mut pipe = child.stdout.take().expect("stdout");
        let output = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = output.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().map(|mut v| v.extend_from_slice(&buf[..n])).ok();
            }
        });
        Monitor { child, output }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().map(|v| v.clone()).unwrap_or_default())
            .into_owned()
    }

    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::thread::sleep(Duration::from_millis(20));
        self.text()
    }
}

fn wait_lines(monitors: &[&Monitor], lines: usize) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        if monitors.iter().all(|m| m.text().lines().count() >= lines) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn monitors_print_the_same_updates() {
    if !have_real("monitors_print_the_same_updates") {
        return;
    }
    let server = RealServer::start();
    server.populate();
    let r = server.remote.as_str();
    let variants: Vec<Vec<&str>> = vec![
        vec!["monitor", r, "Bridge"],
        vec!["monitor", r, "Port", "name,tag,trunks"],
        vec!["monitor", r, "Interface", "name", "!initial,type,options"],
        vec!["monitor", r, "ALL"],
        vec!["--format=csv", "monitor", r, "Port", "name,interfaces"],
        vec!["--format=json", "monitor", r, "Interface", "name,options"],
        vec![
            "--data=bare",
            "monitor",
            r,
            "Bridge",
            "name,other_config,ports",
        ],
        vec!["monitor-cond", r, r#"[["name","==","br0"]]"#, "Bridge"],
        vec!["monitor-cond", r, "[]", "Port", "name,tag"],
        vec!["monitor-cond-since", r, "[]", "Port", "name,tag"],
    ];
    let mut pairs = Vec::new();
    for args in &variants {
        let real = Monitor::spawn(&server.sb, REAL_CLIENT, args);
        let ours = Monitor::spawn(&server.sb, OUR_CLIENT, args);
        pairs.push((args.clone(), real, ours));
    }
    for (_, real, ours) in &pairs {
        wait_lines(&[real, ours], 1);
    }
    server.vsctl(&[
        "set",
        "bridge",
        "br0",
        "other_config:y=2",
        "--",
        "add-port",
        "br1",
        "q9",
        "--",
        "set",
        "port",
        "p1",
        "tag=7",
    ]);
    std::thread::sleep(Duration::from_millis(300));
    server.vsctl(&[
        "del-port",
        "q9",
        "--",
        "set",
        "bridge",
        "br0",
        "flood_vlans=[]",
        "--",
        "set",
        "interface",
        "p2",
        "options:k=v",
    ]);
    std::thread::sleep(Duration::from_millis(500));
    for (args, real, ours) in pairs {
        let r = real.stop();
        let o = ours.stop();
        assert!(!r.is_empty(), "real monitor printed nothing for {args:?}");
        assert_eq!(o, r, "monitor output differs for {args:?}");
    }
}

#[test]
fn schema_comparison_wait_backup_lock_timeout() {
    if !have_real("schema_comparison_wait_backup_lock_timeout") {
        return;
    }
    let server = RealServer::start();
    server.populate();
    let r = server.remote.as_str();
    same(&server, &["needs-conversion", r, SCHEMA]);
    let changed =
        std::fs::read_to_string(SCHEMA)
            .unwrap()
            .replacen("\"version\": \"", "\"version\": \"1", 1);
    let changed_path = server.sb.path("changed.ovsschema");
    std::fs::write(&changed_path, changed).unwrap();
    same(&server, &["needs-conversion", r, &changed_path]);
    same_with_stderr(&server, &["needs-conversion", r, "/nonexistent.ovsschema"]);
    same(&server, &["wait", r, "Open_vSwitch", "added"]);
    same(&server, &["wait", r, "Open_vSwitch", "connected"]);
    same_with_stderr(&server, &["wait", r, "Open_vSwitch", "bogus"]);

    // backup: the same two records, but for the date (and so the hash).
    let strip = |s: String| {
        s.lines()
            .filter(|l| !l.starts_with("OVSDB JSON"))
            .map(|l| match l.find(",\"_date\":") {
                Some(i) => {
                    let tail = &l[i + 9..];
                    let end = tail
                        .find(|c: char| !c.is_ascii_digit())
                        .unwrap_or(tail.len());
                    format!("{}{}", &l[..i], &tail[end..])
                }
                None => l.to_string(),
            })
            .collect::<Vec<_>>()
    };
    let real = server.sb.run(REAL_CLIENT, &["backup", r]);
    let ours = server.sb.run(OUR_CLIENT, &["backup", r]);
    assert!(real.status.success() && ours.status.success());
    assert_eq!(strip(stdout(&ours)), strip(stdout(&real)));

    // lock prints the reply and waits; -t makes both die of SIGALRM.
    use std::os::unix::process::ExitStatusExt;
    let real = server
        .sb
        .run(REAL_CLIENT, &["-t", "1", "lock", r, "mylock"]);
    let ours = server.sb.run(OUR_CLIENT, &["-t", "1", "lock", r, "mylock"]);
    assert_eq!(stdout(&ours), stdout(&real));
    assert_eq!(real.status.signal(), Some(14));
    assert_eq!(ours.status.signal(), real.status.signal());
}

#[test]
fn restore_puts_back_a_backup() {
    if !have_real("restore_puts_back_a_backup") {
        return;
    }
    let server = RealServer::start();
    server.populate();
    let r = server.remote.as_str();
    let view = |sb: &Sandbox| {
        let mut text = String::new();
        for args in [
            vec![
                "dump",
                r,
                "Bridge",
                "name",
                "other_config",
                "flood_vlans",
                "external_ids",
            ],
            vec!["dump", r, "Port", "name", "tag", "trunks"],
            vec![
                "dump",
                r,
                "Interface",
                "name",
                "type",
                "options",
                "external_ids",
                "mtu_request",
            ],
        ] {
            text.push_str(&stdout(&sb.run(REAL_CLIENT, &args)));
        }
        text
    };
    let before = view(&server.sb);
    let backup = server.sb.path("backup.db");
    let out = server.sb.run(OUR_CLIENT, &["backup", r]);
    std::fs::write(&backup, &out.stdout).unwrap();
    server.vsctl(&["del-br", "br1", "--", "set", "port", "p1", "tag=9"]);
    assert_ne!(view(&server.sb), before);
    let restore = |program: &str, file: &str| {
        std::process::Command::new(program)
            .args(["restore", r])
            .env("OVS_RUNDIR", server.sb.root())
            .stdin(std::fs::File::open(file).unwrap())
            .output()
            .unwrap()
    };
    let out = restore(OUR_CLIENT, &backup);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(view(&server.sb), before);
    // A backup of another schema is refused with OVS's message.
    let other = server.sb.path("other.db");
    let schema = ovs_utilities::json::parse(
        r#"{"name":"Open_vSwitch","version":"1.0.0","tables":{"A":{"columns":{"n":{"type":"integer"}}}}}"#,
    )
    .unwrap();
    std::fs::write(&other, ovs_utilities::logfile::compose_record(&schema)).unwrap();
    let real = restore(REAL_CLIENT, &other);
    let ours = restore(OUR_CLIENT, &other);
    assert_eq!(ours.status.code(), real.status.code());
    assert_eq!(stderr_text(&ours), stderr_text(&real));
}
