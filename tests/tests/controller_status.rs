//! The Controller row's `is_connected`, `role` and `status` columns, which
//! the switch refreshes every few seconds: first for a target nobody
//! listens on, then once the test accepts the connection as a controller.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use ovs_tests::controller::accept_controller;
use ovs_tests::switch::Switch;
use ovs_tests::switch_impl_or_skip;

/// `status` as `ovs-vsctl get` prints a string map, e.g.
/// `{last_error="Connection refused", state=BACKOFF}`.
fn parse_map(text: &str) -> BTreeMap<String, String> {
    let inner = text.trim().trim_start_matches('{').trim_end_matches('}');
    inner
        .split(", ")
        .filter(|kv| !kv.is_empty())
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
        .collect()
}

struct Seen {
    is_connected: String,
    role: String,
    status: BTreeMap<String, String>,
}

fn seen(sw: &Switch) -> Seen {
    let get = |column: &str| {
        sw.vsctl_ok(&["get", "controller", "br0", column])
            .trim()
            .to_string()
    };
    Seen {
        is_connected: get("is_connected"),
        role: get("role"),
        status: parse_map(&get("status")),
    }
}

/// A loopback TCP port that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// Polls until `pred` holds (the switch writes every 5 s).
fn wait_until(sw: &Switch, what: &str, pred: impl Fn(&Seen) -> bool) -> Seen {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let s = seen(sw);
        if pred(&s) {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: last seen is_connected={} role={} status={:?}\n{}",
            s.is_connected,
            s.role,
            s.status,
            sw.diagnostics()
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn controller_status_follows_the_connection() {
    let imp = switch_impl_or_skip!("controller_status_follows_the_connection");
    let sw = Switch::start("ctlstatus", imp);
    sw.add_bridge("br0", &[]);
    // A port nobody listens on yet.
    let port = free_port();
    sw.vsctl_ok(&["set-controller", "br0", &format!("tcp:127.0.0.1:{port}")]);

    let refused = wait_until(&sw, "refused connection reported", |s| {
        s.status.contains_key("last_error")
    });
    assert_eq!(refused.is_connected, "false");
    assert_eq!(refused.role, "[]");
    assert_eq!(refused.status["last_error"], "Connection refused");
    assert!(
        ["BACKOFF", "CONNECTING"].contains(&refused.status["state"].as_str()),
        "{:?}",
        refused.status
    );
    // A connection refused at once never counted as connected, so
    // there is no disconnection time either.
    assert!(
        !refused.status.contains_key("sec_since_disconnect"),
        "{:?}",
        refused.status
    );
    assert!(
        !refused.status.contains_key("sec_since_connect"),
        "{:?}",
        refused.status
    );

    let listener = TcpListener::bind(("127.0.0.1", port)).expect("listen on the target port");
    let _controller = accept_controller(&listener, &sw);
    let up = wait_until(&sw, "connection reported", |s| s.is_connected == "true");
    assert_eq!(up.role, "other");
    assert_eq!(up.status["state"], "ACTIVE");
    assert!(up.status.contains_key("sec_since_connect"));
    // rconn keeps the last error after reconnecting.
    assert_eq!(
        up.status["last_error"], "Connection refused",
        "{:?}",
        up.status
    );
    assert!(
        !up.status.contains_key("sec_since_disconnect"),
        "{:?}",
        up.status
    );
}

#[test]
fn passive_controller_targets_have_no_status() {
    let imp = switch_impl_or_skip!("passive_controller_targets_have_no_status");
    let sw = Switch::start("ctlpassive", imp);
    sw.add_bridge("br0", &[]);
    let port = free_port();
    sw.vsctl_ok(&["set-controller", "br0", &format!("ptcp:{port}:127.0.0.1")]);
    // Two refresh periods.
    std::thread::sleep(Duration::from_secs(11));
    let s = seen(&sw);
    assert_eq!(s.is_connected, "false");
    assert_eq!(s.role, "[]");
    assert!(s.status.is_empty(), "{:?}", s.status);
}
