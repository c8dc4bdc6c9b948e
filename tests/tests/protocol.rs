//! The JSON-RPC methods beyond transact/monitor that OVS clients rely on:
//! locks with their notifications, echo, get_server_id,
//! set_db_change_aware, monitor_cond_change, monitor_cancel,
//! monitor_cond_since, wait triggers and cancel, and the ovsdb-server
//! unixctl commands. Each expectation was taken from Debian's ovsdb-server
//! 3.1 (`OVS_TEST_IMPL=real` runs this file against it).

use std::time::{Duration, Instant};

use ovs_tests::rpc::Rpc;
use ovs_tests::{Sandbox, impl_or_skip};
use serde_json::{Value, json};

/// Reads messages until one satisfies `pred`, keeping the others.
fn wait_for(rpc: &mut Rpc, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
    if let Some(pos) = rpc.notifications.iter().position(&pred) {
        return rpc.notifications.remove(pos);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        match rpc.recv() {
            Ok(Some(msg)) if pred(&msg) => return msg,
            Ok(Some(msg)) => rpc.notifications.push(msg),
            other => panic!("waiting for {what}: {other:?}"),
        }
    }
    panic!("no {what} within 10 s");
}

fn notify_pred(method: &'static str, params: Value) -> impl Fn(&Value) -> bool {
    move |m| m["method"] == method && m["params"] == params && m["id"].is_null()
}

#[test]
fn locks_steal_and_hand_over() {
    let imp = impl_or_skip!("locks_steal_and_hand_over");
    let sb = Sandbox::with_server("locks", imp);
    let mut a = sb.rpc();
    let mut b = sb.rpc();

    assert_eq!(
        a.request("lock", json!(["L"])).unwrap()["result"],
        json!({"locked": true})
    );
    assert_eq!(
        b.request("lock", json!(["L"])).unwrap()["result"],
        json!({"locked": false})
    );
    // A second lock by the same session is refused.
    let again = a.request("lock", json!(["L"])).unwrap();
    assert_eq!(again["error"]["error"], "syntax error");
    assert_eq!(
        again["error"]["details"],
        "must issue \"unlock\" before new \"lock\""
    );
    // Bad names.
    let bad = a.request("lock", json!(["1x"])).unwrap();
    assert_eq!(bad["error"]["details"], "lock request params must be <id>");

    // Only the owner passes "assert".
    let assert_op = json!([{"op": "assert", "lock": "L"}]);
    assert_eq!(
        a.transact(assert_op.as_array().unwrap()).unwrap(),
        vec![json!({})]
    );
    let refused = b.transact(assert_op.as_array().unwrap()).unwrap();
    assert_eq!(refused[0]["error"], "not owner");

    // Unlock hands the lock to the waiter, which is told so.
    assert_eq!(
        a.request("unlock", json!(["L"])).unwrap()["result"],
        json!({})
    );
    wait_for(&mut b, "locked", notify_pred("locked", json!(["L"])));
    let stray = a.request("unlock", json!(["L"])).unwrap();
    assert_eq!(
        stray["error"]["details"],
        "unlock: \"unlock\" without \"lock\" or \"steal\""
    );

    // Steal takes it away; the victim hears "stolen".
    assert_eq!(
        a.request("steal", json!(["L"])).unwrap()["result"],
        json!({"locked": true})
    );
    wait_for(&mut b, "stolen", notify_pred("stolen", json!(["L"])));

    // A disconnect releases everything the session held.
    drop(a);
    wait_for(
        &mut b,
        "locked after disconnect",
        notify_pred("locked", json!(["L"])),
    );
}

#[test]
fn small_methods() {
    let imp = impl_or_skip!("small_methods");
    let sb = Sandbox::with_server("small-methods", imp);
    let mut c = sb.rpc();
    assert_eq!(
        c.request("echo", json!(["x", 1])).unwrap()["result"],
        json!(["x", 1])
    );
    let id1 = c.request("get_server_id", json!([])).unwrap()["result"].clone();
    let id2 = sb.rpc().request("get_server_id", json!([])).unwrap()["result"].clone();
    assert_eq!(id1, id2, "one id per server");
    assert_eq!(id1.as_str().map(str::len), Some(36));
    assert_eq!(
        c.request("set_db_change_aware", json!([true])).unwrap()["result"],
        json!({})
    );
    let bad = c.request("set_db_change_aware", json!(["yes"])).unwrap();
    assert_eq!(
        bad["error"]["details"],
        "set_db_change_aware: true or false parameter expected"
    );
    let unknown = c.request("get_schema", json!(["Nope"])).unwrap();
    assert_eq!(unknown["error"]["error"], "unknown database");
    assert_eq!(
        unknown["error"]["details"],
        "get_schema request specifies unknown database Nope"
    );
}

#[test]
fn monitors_change_cancel_and_since() {
    let imp = impl_or_skip!("monitors_change_cancel_and_since");
    let sb = Sandbox::with_server("monitors", imp);
    sb.vsctl_ok(&["init"]);
    sb.vsctl_ok(&["add-br", "br0", "--", "add-br", "br1"]);
    let mut m = sb.rpc();
    let req = json!({"Bridge": {"columns": ["name"], "where": [["name", "==", "br0"]]}});
    let reply = m
        .request("monitor_cond", json!(["Open_vSwitch", "m", req]))
        .unwrap();
    let rows = reply["result"]["Bridge"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    assert_eq!(rows.len(), 1);
    assert!(
        rows.values()
            .all(|r| r == &json!({"initial": {"name": "br0"}}))
    );

    // Widening the condition sends the newly visible row as an insert,
    // under the new monitor id.
    let change = json!({"Bridge": [{"where": [["name", "==", "br1"]]}]});
    let r = m
        .request("monitor_cond_change", json!(["m", "m2", change]))
        .unwrap();
    assert_eq!(r["result"], json!({}));
    let upd = wait_for(&mut m, "update2 after condition change", |v| {
        v["method"] == "update2"
    });
    assert_eq!(upd["params"][0], "m2");
    let changed = upd["params"][1]["Bridge"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut kinds: Vec<String> = changed
        .values()
        .map(|v| {
            v.as_object()
                .and_then(|o| o.keys().next().cloned())
                .unwrap_or_default()
        })
        .collect();
    kinds.sort();
    assert_eq!(kinds, vec!["delete", "insert"], "{upd}");

    let unknown = m
        .request("monitor_cond_change", json!(["m", "m3", {}]))
        .unwrap();
    assert_eq!(unknown["error"]["details"], "unknown monitor session");
    assert_eq!(
        m.request("monitor_cancel", json!(["m2"])).unwrap()["result"],
        json!({})
    );
    assert_eq!(
        m.request("monitor_cancel", json!(["m2"])).unwrap()["error"],
        "unknown monitor"
    );

    // A standalone server keeps no transaction history: monitor_cond_since
    // answers "not found" with the zero id and the whole table.
    let since = m
        .request(
            "monitor_cond_since",
            json!(["Open_vSwitch", "s", {"Bridge": {"columns": ["name"]}},
                   "00000000-0000-0000-0000-000000000000"]),
        )
        .unwrap();
    assert_eq!(since["result"][0], json!(false));
    assert_eq!(since["result"][1], "00000000-0000-0000-0000-000000000000");
    assert_eq!(
        since["result"][2]["Bridge"].as_object().map(|o| o.len()),
        Some(2)
    );
    sb.vsctl_ok(&["add-br", "br2"]);
    let upd3 = wait_for(&mut m, "update3", |v| v["method"] == "update3");
    assert_eq!(upd3["params"][0], "s");
    assert_eq!(upd3["params"][1], "00000000-0000-0000-0000-000000000000");
}

#[test]
fn wait_blocks_until_true_and_cancel_ends_it() {
    let imp = impl_or_skip!("wait_blocks_until_true_and_cancel_ends_it");
    let sb = Sandbox::with_server("triggers", imp);
    sb.vsctl_ok(&["init"]);
    let mut waiter = sb.rpc();
    let wait = json!(["Open_vSwitch",
        {"op": "wait", "table": "Bridge", "where": [["name", "==", "brw"]],
         "columns": ["name"], "until": "==", "rows": [{"name": "brw"}], "timeout": 10000}]);
    let id = waiter.start("transact", wait.clone()).unwrap();
    sb.vsctl_ok(&["add-br", "brw"]);
    assert_eq!(waiter.wait_reply(id).unwrap()["result"], json!([{}]));

    // A wait that can never succeed, then cancelled: OVS forgets it
    // silently, unless the session is db_change_aware, which is told
    // "canceled".
    let never = json!(["Open_vSwitch",
        {"op": "wait", "table": "Bridge", "where": [["name", "==", "none"]],
         "columns": ["name"], "until": "==", "rows": [{"name": "none"}]}]);
    let id = waiter.start("transact", never.clone()).unwrap();
    waiter
        .send(&json!({"method": "cancel", "params": [id], "id": null}))
        .unwrap();
    // The next reply on the session is for a later request, not for `id`.
    assert_eq!(
        waiter.request("echo", json!(["after"])).unwrap()["result"],
        json!(["after"])
    );
    assert!(waiter.notifications.iter().all(|m| m["id"] != json!(id)));
    assert_eq!(
        waiter
            .request("set_db_change_aware", json!([true]))
            .unwrap()["result"],
        json!({})
    );
    let id = waiter.start("transact", never).unwrap();
    waiter
        .send(&json!({"method": "cancel", "params": [id], "id": null}))
        .unwrap();
    let reply = waiter.wait_reply(id).unwrap();
    assert_eq!(reply["error"], "canceled");

    // A timeout of 0 fails at once.
    let timed = json!(["Open_vSwitch",
        {"op": "wait", "table": "Bridge", "where": [], "columns": ["name"],
         "until": "==", "rows": [], "timeout": 0}]);
    let reply = waiter.request("transact", timed).unwrap();
    assert_eq!(reply["result"][0]["error"], "timed out");
}

#[test]
fn unixctl_commands() {
    let imp = impl_or_skip!("unixctl_commands");
    let sb = Sandbox::with_server("unixctl", imp);
    let out = |args: &[&str]| {
        let o = sb.appctl(args);
        (o.status.and_then(|s| s.code()), o.stdout, o.stderr)
    };
    let remotes = out(&["ovsdb-server/list-remotes"]);
    assert_eq!(remotes.1, format!("punix:{}\n", sb.socket_path().display()));
    let extra = format!("punix:{}/extra.sock", sb.dir().display());
    assert_eq!(out(&["ovsdb-server/add-remote", &extra]).0, Some(0));
    // The new remote serves.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !sb.dir().join("extra.sock").exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut via_extra = Rpc::connect(&sb.dir().join("extra.sock")).expect("extra remote");
    assert_eq!(via_extra.list_dbs().unwrap().len(), 2);
    let listed = out(&["ovsdb-server/list-remotes"]).1;
    assert!(listed.contains(&extra), "{listed}");
    assert_eq!(out(&["ovsdb-server/remove-remote", &extra]).0, Some(0));
    let gone = out(&["ovsdb-server/remove-remote", &extra]);
    let expected = format!(
        "no such remote\novs-appctl: {}: server returned an error\n",
        sb.ctl_path().display()
    );
    assert_eq!((gone.0, gone.2), (Some(2), expected));
    let bad_db = out(&["ovsdb-server/add-remote", "db:Nope,T,c"]);
    assert_eq!(bad_db.0, Some(2));

    assert_eq!(out(&["ovsdb-server/list-dbs"]).1, "Open_vSwitch\n_Server\n");
    assert_eq!(out(&["ovsdb-server/compact"]).0, Some(0));
    let builtin = out(&["ovsdb-server/compact", "_Server"]);
    assert!(
        builtin.2.starts_with("cannot compact built-in databases"),
        "{builtin:?}"
    );
    let none = out(&["ovsdb-server/compact", "Nope"]);
    assert!(none.2.starts_with("no database by that name"), "{none:?}");
    let mem = out(&["memory/show"]);
    assert_eq!(mem.0, Some(0));
    assert_eq!(out(&["vlog/set", "ANY:file:dbg"]).0, Some(0));
    assert!(out(&["vlog/list"]).1.contains("ovsdb_server"));
}

#[test]
fn db_remote_follows_the_database() {
    let imp = impl_or_skip!("db_remote_follows_the_database");
    let mut sb = Sandbox::new("db-remote");
    sb.create_db(imp);
    sb.start_ovsdb_server_with(
        imp,
        &["--remote=db:Open_vSwitch,Open_vSwitch,manager_options"],
    );
    sb.vsctl_ok(&["init"]);
    let path = sb.dir().join("managed.sock");
    sb.vsctl_ok(&["set-manager", &format!("punix:{}", path.display())]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !path.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut c = Rpc::connect(&path).expect("the Manager row's target listens");
    assert_eq!(c.list_dbs().unwrap().len(), 2);
}

#[test]
fn active_remote_connects_out() {
    let imp = impl_or_skip!("active_remote_connects_out");
    let mut sb = Sandbox::new("active-remote");
    let path = sb.dir().join("client.sock");
    let listener = std::os::unix::net::UnixListener::bind(&path).expect("bind");
    sb.create_db(imp);
    sb.start_ovsdb_server_with(imp, &[&format!("--remote=unix:{}", path.display())]);
    let (stream, _) = listener.accept().expect("the server connects to us");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut writer = stream.try_clone().expect("clone");
    std::io::Write::write_all(&mut writer, br#"{"method":"list_dbs","params":[],"id":7}"#)
        .expect("send");
    let mut replies = serde_json::Deserializer::from_reader(stream).into_iter::<Value>();
    let reply = replies.next().expect("a reply").expect("json");
    assert_eq!(reply["id"], 7);
    assert_eq!(reply["result"].as_array().map(Vec::len), Some(2));
}
