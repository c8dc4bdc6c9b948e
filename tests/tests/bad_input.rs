//! Hostile and broken clients on the raw unix socket. For each case the
//! behaviour of Debian's ovsdb-server 3.1 was recorded (reply, silence, or
//! closing the connection) and is asserted exactly; after each case the
//! server must still run and answer a well-behaved client.
//!
//! What real ovsdb-server does, in short: a JSON-RPC level error (bytes
//! that are not JSON, a non-object, a member of the wrong type, an unknown
//! member, a reply nobody asked for, nesting deeper than 1000) closes the
//! connection without a word (it logs "connection dropped (Protocol
//! error)"); an unknown method gets `{"id":..,"error":"unknown method"}`;
//! bad OVSDB params get an error object; a bad transaction gets a result
//! array with the error; notifications (`"id": null`) are never answered,
//! whatever their method.

use std::io::{ErrorKind, Read, Write};
use std::os::unix::net::UnixStream;
use std::thread;
use std::time::{Duration, Instant};

use ovs_tests::{Impl, Sandbox, impl_or_skip};
use serde_json::{Value, json};

const QUIET: Duration = Duration::from_millis(300);
const DEADLINE: Duration = Duration::from_secs(60);

#[derive(Debug, PartialEq)]
enum Ending {
    /// The server closed the connection (EOF or reset).
    Closed,
    /// The connection is still open.
    Open,
}

/// Reads until `want` complete JSON messages arrived, or the server closed
/// the connection, or (when no message is wanted) `quiet` passed without a
/// byte.
fn read_messages(stream: &mut UnixStream, want: usize, quiet: Duration) -> (Vec<Value>, Ending) {
    let mut buf: Vec<u8> = Vec::new();
    let mut parsed = Vec::new();
    let mut chunk = vec![0u8; 1 << 20];
    let deadline = Instant::now() + DEADLINE;
    let _ = stream.set_read_timeout(Some(if want > 0 { DEADLINE } else { quiet }));
    loop {
        if parsed.len() >= want && want > 0 {
            return (parsed, Ending::Open);
        }
        assert!(
            Instant::now() < deadline,
            "reply took longer than {DEADLINE:?}"
        );
        match stream.read(&mut chunk) {
            Ok(0) => return (parsed, Ending::Closed),
            Ok(n) => {
                let closes = chunk[..n].iter().any(|&c| c == b'}' || c == b']');
                buf.extend_from_slice(&chunk[..n]);
                // Parsing only when a closing bracket arrived keeps a 100 MB
                // reply linear.
                if closes {
                    let mut it = serde_json::Deserializer::from_slice(&buf).into_iter::<Value>();
                    let mut consumed = 0;
                    while let Some(Ok(v)) = it.next() {
                        parsed.push(v);
                        consumed = it.byte_offset();
                    }
                    buf.drain(..consumed);
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                assert!(
                    buf.is_empty(),
                    "partial message left: {:?}",
                    String::from_utf8_lossy(&buf)
                );
                return (parsed, Ending::Open);
            }
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return (parsed, Ending::Closed),
            Err(e) => panic!("read: {e}"),
        }
    }
}

/// Writes `payload` from a helper thread (the server may close before it
/// has read everything, or answer while we still write) and optionally
/// closes our sending side afterwards.
fn send(stream: &UnixStream, payload: Vec<u8>, shutdown: bool) -> thread::JoinHandle<()> {
    let mut w = match stream.try_clone() {
        Ok(w) => w,
        Err(e) => panic!("clone: {e}"),
    };
    thread::spawn(move || {
        // EPIPE when the server hangs up early is part of the test.
        let _ = w.write_all(&payload);
        if shutdown {
            let _ = w.shutdown(std::net::Shutdown::Write);
        }
    })
}

#[derive(Debug)]
enum Expect {
    /// These replies, in order; the connection stays usable.
    Replies(Vec<Value>),
    /// No reply at all; the connection stays usable.
    Silence,
    /// No reply, the connection stays open, waiting for the rest of an
    /// incomplete message (so it is not reused).
    Pending,
    /// The server closes the connection without sending anything.
    Closed,
    /// These replies, then the server closes (we closed our side).
    RepliesThenClosed(Vec<Value>),
}

/// A message list for failure output, cut short (one case echoes 100 MB).
fn short(v: &[Value]) -> String {
    let text = format!("{v:?}");
    if text.len() > 600 {
        format!("{}... ({} bytes)", &text[..600], text.len())
    } else {
        text
    }
}

fn check_case(sb: &mut Sandbox, name: &str, payload: Vec<u8>, shutdown: bool, expect: Expect) {
    let mut stream = match UnixStream::connect(sb.socket_path()) {
        Ok(s) => s,
        Err(e) => panic!("{name}: connect: {e}\n{}", sb.diagnostics()),
    };
    let writer = send(&stream, payload, shutdown);
    match &expect {
        Expect::Replies(want) => {
            let (got, ending) = read_messages(&mut stream, want.len(), QUIET);
            assert!(
                &got == want,
                "{name}: replies {} instead of {}",
                short(&got),
                short(want)
            );
            assert_eq!(ending, Ending::Open, "{name}");
        }
        Expect::Silence | Expect::Pending => {
            let (got, ending) = read_messages(&mut stream, 0, QUIET);
            assert!(
                got.is_empty(),
                "{name}: expected no reply, got {}",
                short(&got)
            );
            assert_eq!(ending, Ending::Open, "{name}: connection should stay open");
        }
        Expect::Closed => {
            let (got, ending) = read_messages(&mut stream, 0, Duration::from_secs(10));
            assert!(
                got.is_empty(),
                "{name}: expected no reply, got {}",
                short(&got)
            );
            assert_eq!(
                ending,
                Ending::Closed,
                "{name}: connection should be closed"
            );
        }
        Expect::RepliesThenClosed(want) => {
            let (got, ending) = read_messages(&mut stream, 0, Duration::from_secs(10));
            assert!(
                &got == want,
                "{name}: replies {} instead of {}",
                short(&got),
                short(want)
            );
            assert_eq!(ending, Ending::Closed, "{name}");
        }
    }
    let _ = writer.join();
    // Where the connection survived, it still works, and nothing was
    // queued before this reply.
    if matches!(expect, Expect::Replies(_) | Expect::Silence) {
        let _ = stream.write_all(br#"{"method":"list_dbs","params":[],"id":"after"}"#);
        let (got, _) = read_messages(&mut stream, 1, Duration::from_secs(10));
        assert_eq!(
            got.first().map(|m| m["id"].clone()),
            Some(json!("after")),
            "{name}: same connection after the case: {got:?}"
        );
    }
    drop(stream);
    assert!(
        sb.server_alive(),
        "{name}: the server died\n{}",
        sb.diagnostics()
    );
    let mut rpc = sb.rpc();
    match rpc.list_dbs() {
        Ok(dbs) => assert_eq!(dbs, ["Open_vSwitch", "_Server"], "{name}"),
        Err(e) => panic!(
            "{name}: a second client gets no answer: {e}\n{}",
            sb.diagnostics()
        ),
    }
}

fn b(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

fn unknown_method(id: Value) -> Value {
    json!({"id": id, "error": "unknown method"})
}

#[test]
fn framing_and_json_errors() {
    let imp = impl_or_skip!("framing_and_json_errors");
    let mut sb = Sandbox::with_server("bad-framing", imp);
    sb.vsctl_ok(&["init"]);
    let cases: Vec<(&str, Vec<u8>, bool, Expect)> = vec![
        (
            "truncated JSON then close",
            b(r#"{"method":"list_dbs","par"#),
            true,
            Expect::Closed,
        ),
        (
            "truncated JSON, left open",
            b(r#"{"method":"list_dbs","par"#),
            false,
            Expect::Pending,
        ),
        (
            "garbage bytes",
            b"\x00\x01\xff garbage }}}".to_vec(),
            false,
            Expect::Closed,
        ),
        (
            "garbage then close",
            b"\xde\xad\xbe\xef".to_vec(),
            true,
            Expect::Closed,
        ),
        ("top-level array", b("[1,2,3]"), false, Expect::Closed),
        ("top-level number", b("42 "), false, Expect::Closed),
        ("top-level string", b(r#""hello""#), false, Expect::Closed),
        ("whitespace only", b("  \n\t "), false, Expect::Silence),
        (
            "NUL inside a string",
            b(r#"{"method":"echo","params":["a\u0000b"],"id":6}"#),
            false,
            Expect::Closed,
        ),
        (
            "method not a string",
            b(r#"{"method":5,"params":[],"id":1}"#),
            false,
            Expect::Closed,
        ),
        (
            "unknown member",
            b(r#"{"method":"echo","params":[],"id":1,"foo":2}"#),
            false,
            Expect::Closed,
        ),
        (
            "request without params",
            b(r#"{"method":"list_dbs","id":10}"#),
            false,
            Expect::Closed,
        ),
        (
            "params not an array",
            b(r#"{"method":"transact","params":{"a":1},"id":6}"#),
            false,
            Expect::Closed,
        ),
        (
            "reply nobody asked for",
            b(r#"{"result":[],"error":null,"id":99}"#),
            false,
            Expect::Closed,
        ),
        (
            "request, then close",
            b(r#"{"method":"list_dbs","params":[],"id":"x"}"#),
            true,
            Expect::RepliesThenClosed(vec![
                json!({"id": "x", "result": ["Open_vSwitch", "_Server"], "error": null}),
            ]),
        ),
        (
            "two requests in one write",
            b(r#"{"method":"list_dbs","params":[],"id":12}{"method":"echo","params":[1],"id":13}"#),
            false,
            Expect::Replies(vec![
                json!({"id": 12, "result": ["Open_vSwitch", "_Server"], "error": null}),
                json!({"id": 13, "result": [1], "error": null}),
            ]),
        ),
        (
            "ids of any JSON type",
            b(r#"{"method":"echo","params":[],"id":[1,{"a":2}]}"#),
            false,
            Expect::Replies(vec![
                json!({"id": [1, {"a": 2}], "result": [], "error": null}),
            ]),
        ),
        (
            "duplicate member: the last wins",
            b(r#"{"method":"echo","method":"list_dbs","params":[],"id":9}"#),
            false,
            Expect::Replies(vec![
                json!({"id": 9, "result": ["Open_vSwitch", "_Server"], "error": null}),
            ]),
        ),
    ];
    for (name, payload, shutdown, expect) in cases {
        check_case(&mut sb, name, payload, shutdown, expect);
    }
}

#[test]
fn nesting_depth_limit_is_1000() {
    let imp = impl_or_skip!("nesting_depth_limit_is_1000");
    let mut sb = Sandbox::with_server("bad-nesting", imp);
    let nested = |arrays: usize| {
        format!(
            r#"{{"method":"echo","params":{}{},"id":1}}"#,
            "[".repeat(arrays),
            "]".repeat(arrays)
        )
        .into_bytes()
    };
    // The request object plus 999 arrays is depth 1000: accepted, and
    // echoed. (Read raw: serde_json itself stops at depth 128.)
    let mut stream = match UnixStream::connect(sb.socket_path()) {
        Ok(s) => s,
        Err(e) => panic!("connect: {e}"),
    };
    let _ = stream.write_all(&nested(999));
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reply = Vec::new();
    let mut chunk = [0u8; 4096];
    while !reply.ends_with(b"}") {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => reply.extend_from_slice(&chunk[..n]),
        }
    }
    let reply = String::from_utf8_lossy(&reply).into_owned();
    let deep = format!("{}{}", "[".repeat(999), "]".repeat(999));
    let flattened = reply.replacen(&deep, "\"999 nested arrays\"", 1);
    let parsed: Value = serde_json::from_str(&flattened).unwrap_or(Value::Null);
    assert_eq!(
        parsed,
        json!({"id": 1, "result": "999 nested arrays", "error": null}),
        "depth 1000 reply: {}",
        &reply[..reply.len().min(200)]
    );
    drop(stream);
    check_case(&mut sb, "depth 1001", nested(1000), false, Expect::Closed);
    check_case(
        &mut sb,
        "100k brackets",
        nested(100_000),
        false,
        Expect::Closed,
    );
    check_case(
        &mut sb,
        "100k open brackets",
        b"[".repeat(100_000),
        false,
        Expect::Closed,
    );
}

#[test]
fn huge_string() {
    let imp = impl_or_skip!("huge_string");
    let mut sb = Sandbox::with_server("bad-huge", imp);
    const SIZE: usize = 100 * 1024 * 1024;
    let big = "a".repeat(SIZE);
    let mut payload = b(r#"{"method":"echo","params":[""#);
    payload.extend_from_slice(big.as_bytes());
    payload.extend_from_slice(br#""],"id":"big"}"#);
    // Real ovsdb-server has no message size limit: it echoes all 100 MB.
    check_case(
        &mut sb,
        "100 MB string echoed",
        payload,
        false,
        Expect::Replies(vec![json!({"id": "big", "result": [big], "error": null})]),
    );
    // An unterminated 100 MB string, then the client goes away.
    let mut payload = b(r#"{"method":"echo","params":[""#);
    payload.extend_from_slice(&vec![b'a'; SIZE]);
    check_case(
        &mut sb,
        "100 MB unterminated, then close",
        payload,
        true,
        Expect::Closed,
    );
}

#[test]
fn ovsdb_level_errors() {
    let imp = impl_or_skip!("ovsdb_level_errors");
    let mut sb = Sandbox::with_server("bad-ovsdb", imp);
    sb.vsctl_ok(&["init"]);
    let cases: Vec<(&str, Value, Expect)> = vec![
        (
            "unknown method",
            json!({"method": "foo", "params": [], "id": 1}),
            Expect::Replies(vec![unknown_method(json!(1))]),
        ),
        (
            "cancel is not implemented",
            json!({"method": "cancel", "params": [1], "id": 2}),
            Expect::Replies(vec![unknown_method(json!(2))]),
        ),
        (
            "unknown method as notification",
            json!({"method": "foo", "params": [], "id": null}),
            Expect::Silence,
        ),
        (
            "echo as notification",
            json!({"method": "echo", "params": [1], "id": null}),
            Expect::Silence,
        ),
        (
            "request without id",
            json!({"method": "list_dbs", "params": []}),
            Expect::Silence,
        ),
        (
            "transact without database",
            json!({"method": "transact", "params": [], "id": 2}),
            Expect::Replies(vec![json!({"id": 2, "error": {
                "syntax": "[]",
                "details": "transact request params must begin with <db-name>",
                "error": "syntax error"}})]),
        ),
        (
            "transact on unknown database",
            json!({"method": "transact", "params": ["Nope", {"op": "select", "table": "Bridge", "where": []}], "id": 3}),
            Expect::Replies(vec![json!({"id": 3, "error": {
                "syntax": "[\"Nope\",{\"op\":\"select\",\"table\":\"Bridge\",\"where\":[]}]",
                "details": "transact request specifies unknown database Nope",
                "error": "unknown database"}})]),
        ),
        (
            "unknown operation",
            json!({"method": "transact", "params": ["Open_vSwitch", {"op": "frob", "table": "Bridge"}], "id": 4}),
            Expect::Replies(vec![json!({"id": 4, "error": null, "result": [{
                "syntax": "{\"op\":\"frob\",\"table\":\"Bridge\"}",
                "details": "Parsing ovsdb operation 1 of 1 failed: No operation \"frob\"",
                "error": "syntax error"}]})]),
        ),
        (
            "unknown table",
            json!({"method": "transact", "params": ["Open_vSwitch", {"op": "select", "table": "Nope", "where": []}], "id": 5}),
            Expect::Replies(vec![json!({"id": 5, "error": null, "result": [{
                "syntax": "{\"op\":\"select\",\"table\":\"Nope\",\"where\":[]}",
                "details": "Parsing ovsdb operation 1 of 1 failed: No table named Nope.",
                "error": "syntax error"}]})]),
        ),
        (
            "operation not an object",
            json!({"method": "transact", "params": ["Open_vSwitch", 5], "id": 6}),
            Expect::Replies(vec![json!({"id": 6, "error": null, "result": [{
                "details": "Parsing ovsdb operation 1 of 1 failed: Object expected.",
                "error": "syntax error"}]})]),
        ),
        (
            "transact as notification is not executed",
            json!({"method": "transact", "params": ["Open_vSwitch",
                {"op": "insert", "table": "Queue", "row": {"external_ids": ["map", [["notif", "1"]]]}}], "id": null}),
            Expect::Silence,
        ),
        (
            "monitor without database",
            json!({"method": "monitor", "params": [], "id": 7}),
            Expect::Replies(vec![json!({"id": 7, "error": {
                "syntax": "[]",
                "details": "monitor request params must begin with <db-name>",
                "error": "syntax error"}})]),
        ),
        (
            "monitor of unknown table",
            json!({"method": "monitor", "params": ["Open_vSwitch", null, {"Nope": {}}], "id": 8}),
            Expect::Replies(vec![json!({"id": 8, "error": {
                "details": "no table named Nope",
                "error": "syntax error"}})]),
        ),
        (
            "monitor on unknown database",
            json!({"method": "monitor", "params": ["Nope", null, {}], "id": 9}),
            Expect::Replies(vec![json!({"id": 9, "error": {
                "syntax": "[\"Nope\",null,{}]",
                "details": "monitor request specifies unknown database Nope",
                "error": "unknown database"}})]),
        ),
        (
            "monitor_cond with unknown column",
            json!({"method": "monitor_cond", "params": ["Open_vSwitch", null,
                {"Bridge": [{"where": [["nope", "==", 1]]}]}], "id": 10}),
            Expect::Replies(vec![json!({"id": 10, "error": {
                "syntax": "[\"nope\",\"==\",1]",
                "details": "No column nope in table Bridge.",
                "error": "unknown column"}})]),
        ),
        (
            "monitor_cancel of unknown monitor",
            json!({"method": "monitor_cancel", "params": ["nope"], "id": 11}),
            Expect::Replies(vec![json!({"id": 11, "error": "unknown monitor"})]),
        ),
        (
            "get_schema without database",
            json!({"method": "get_schema", "params": [], "id": 12}),
            Expect::Replies(vec![json!({"id": 12, "error": {
                "syntax": "[]",
                "details": "get_schema request params must begin with <db-name>",
                "error": "syntax error"}})]),
        ),
        (
            "get_schema of unknown database",
            json!({"method": "get_schema", "params": ["Nope"], "id": 13}),
            Expect::Replies(vec![json!({"id": 13, "error": {
                "syntax": "[\"Nope\"]",
                "details": "get_schema request specifies unknown database Nope",
                "error": "unknown database"}})]),
        ),
        (
            "lock without a name",
            json!({"method": "lock", "params": [], "id": 14}),
            Expect::Replies(vec![json!({"id": 14, "error": {
                "syntax": "[]",
                "details": "lock request params must be <id>",
                "error": "syntax error"}})]),
        ),
    ];
    for (name, msg, expect) in cases {
        check_case(&mut sb, name, msg.to_string().into_bytes(), false, expect);
    }
    // The notification transact really did nothing.
    assert_eq!(sb.vsctl_ok(&["find", "Queue", "external_ids:notif=1"]), "");
}

#[test]
fn odd_but_accepted_values() {
    let imp = impl_or_skip!("odd_but_accepted_values");
    let mut sb = Sandbox::with_server("bad-values", imp);
    // Real OVS passes strings through byte for byte, even invalid UTF-8,
    // because its JSON layer never validates encodings. Ours decodes JSON
    // as the RFC requires (UTF-8 only) and treats invalid UTF-8 as any
    // other malformed JSON: it closes that connection, as OVS does for
    // every JSON-RPC level error, and keeps serving everyone else. This is
    // a deliberate, documented difference (see ovsdb-server/README.md).
    let mut payload = b(r#"{"method":"echo","params":[""#);
    payload.extend_from_slice(b"\xff\xfe");
    payload.extend_from_slice(br#""],"id":15}"#);
    match imp {
        Impl::Real => {
            let mut stream = match UnixStream::connect(sb.socket_path()) {
                Ok(s) => s,
                Err(e) => panic!("connect: {e}"),
            };
            let _ = stream.write_all(&payload);
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let expected = br#"{"id":15,"result":[""#
                .iter()
                .chain(b"\xff\xfe")
                .chain(br#""],"error":null}"#)
                .copied()
                .collect::<Vec<u8>>();
            let mut got = vec![0u8; expected.len()];
            let read = stream.read_exact(&mut got);
            assert!(
                read.is_ok() && got == expected,
                "invalid UTF-8 echo: {read:?} {:?}",
                String::from_utf8_lossy(&got)
            );
        }
        Impl::Ours => {
            check_case(
                &mut sb,
                "invalid UTF-8 in a string",
                payload,
                false,
                Expect::Closed,
            );
        }
    }

    // Numbers are doubles printed with 15 significant digits; -0 and
    // underflow become 0.
    check_case(
        &mut sb,
        "number formatting",
        b(
            r#"{"method":"echo","params":[123456789012345678901234567890, 1.5e300, -0.0, 1e-400, 7],"id":8}"#,
        ),
        false,
        Expect::Replies(vec![json!({"id": 8, "error": null,
            "result": [1.23456789012346e29, 1.5e300, 0, 0, 7]})]),
    );
}
