//! Durability: a JSON-RPC client commits a stream of 10,000 transactions,
//! each waiting for its reply; the server is killed with SIGKILL in the
//! middle and restarted on the same file. Every acknowledged transaction
//! must be there, and at most the one in flight beyond it. Also: a clean
//! restart (SIGTERM, and `ovs-appctl exit`) gives back the identical
//! database, UUIDs included.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use ovs_tests::canon::first_difference;
use ovs_tests::rpc::committed;
use ovs_tests::{Impl, Rpc, Sandbox, impl_or_skip};
use serde_json::{Value, json};

const TOTAL: u64 = 10_000;
const KILL_AFTER: u64 = 4_000;

/// Queue is a root table, so its rows live without references (the bench
/// uses it the same way).
fn insert_seq(seq: u64) -> Value {
    json!({
        "op": "insert",
        "table": "Queue",
        "row": {"external_ids": ["map", [["seq", seq.to_string()]]]}
    })
}

/// Commits `from..=to` one transaction at a time; stops at the first
/// connection error. Returns the last acknowledged seq (`from - 1` if none).
fn write_stream(sb: &Sandbox, from: u64, to: u64, acked: &AtomicU64) -> u64 {
    let Ok(mut rpc) = Rpc::connect(&sb.socket_path()) else {
        return from - 1;
    };
    let mut last = from - 1;
    for seq in from..=to {
        match rpc.transact(&[insert_seq(seq)]) {
            Ok(results) => {
                assert!(committed(&results), "seq {seq} failed: {results:?}");
                last = seq;
                acked.store(seq, Ordering::SeqCst);
            }
            Err(_) => break,
        }
    }
    last
}

/// Every `seq` in the Queue table, checking none is repeated.
fn stored_seqs(sb: &Sandbox) -> BTreeSet<u64> {
    let mut rpc = sb.rpc();
    let results = match rpc.transact(&[json!({
        "op": "select", "table": "Queue", "where": [], "columns": ["external_ids"]
    })]) {
        Ok(r) => r,
        Err(e) => panic!("select failed: {e}\n{}", sb.diagnostics()),
    };
    let rows = results[0]["rows"].as_array().cloned().unwrap_or_default();
    let mut seqs = BTreeSet::new();
    for row in &rows {
        let pairs = row["external_ids"][1]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let seq = pairs
            .iter()
            .find(|p| p[0] == "seq")
            .and_then(|p| p[1].as_str())
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or_else(|| panic!("row without seq: {row}"));
        assert!(seqs.insert(seq), "seq {seq} stored twice");
    }
    seqs
}

#[test]
fn kill_9_loses_no_acknowledged_transaction() {
    let imp = impl_or_skip!("kill_9_loses_no_acknowledged_transaction");
    let mut sb = Sandbox::with_server("crash-kill9", imp);
    sb.vsctl_ok(&["init"]);

    let acked = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let last = thread::scope(|s| {
        let writer = s.spawn(|| write_stream(&sb, 1, TOTAL, &acked));
        let deadline = Instant::now() + Duration::from_secs(300);
        while acked.load(Ordering::SeqCst) < KILL_AFTER && !writer.is_finished() {
            assert!(Instant::now() < deadline, "writer too slow: {acked:?}");
            thread::sleep(Duration::from_millis(1));
        }
        // SIGKILL while transactions are in flight.
        let pid = sb.server_pid().unwrap_or_default();
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
        match writer.join() {
            Ok(last) => last,
            Err(_) => panic!("writer panicked"),
        }
    });
    sb.kill_ovsdb_server();
    assert!(
        (KILL_AFTER..TOTAL).contains(&last),
        "the kill must land mid-stream (last acked {last})"
    );
    println!(
        "{} acknowledged before SIGKILL, {:.1} s",
        last,
        started.elapsed().as_secs_f64()
    );

    sb.start_ovsdb_server(imp);
    let seqs = stored_seqs(&sb);
    let missing: Vec<u64> = (1..=last).filter(|s| !seqs.contains(s)).collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    let beyond: Vec<u64> = seqs.iter().copied().filter(|&s| s > last).collect();
    assert!(
        beyond.is_empty() || beyond == [last + 1],
        "rows never acknowledged: {beyond:?}"
    );

    // The recovered file takes new commits: finish the stream.
    let next = seqs.last().copied().unwrap_or(0) + 1;
    let done = write_stream(&sb, next, TOTAL, &AtomicU64::new(0));
    assert_eq!(done, TOTAL);
    assert!(sb.stop_ovsdb_server().is_some(), "server ignored SIGTERM");

    // Real ovsdb-tool reads the file it left.
    let log = sb.tool(Impl::Real, &["show-log", &sb.db_path().to_string_lossy()]);
    assert!(
        log.ok().starts_with("record 0: \"Open_vSwitch\" schema"),
        "{log}"
    );

    sb.start_ovsdb_server(imp);
    let all = stored_seqs(&sb);
    assert_eq!(all.len() as u64, TOTAL);
    assert_eq!(all.first().copied(), Some(1));
    assert_eq!(all.last().copied(), Some(TOTAL));
}

fn full_dump(sb: &Sandbox) -> String {
    sb.client_ok(&["dump", &sb.remote()])
}

#[test]
fn clean_restart_keeps_everything() {
    let imp = impl_or_skip!("clean_restart_keeps_everything");
    let mut sb = Sandbox::with_server("crash-restart", imp);
    sb.vsctl_ok(&[
        "init",
        "--",
        "add-br",
        "br0",
        "--",
        "add-port",
        "br0",
        "p1",
        "tag=5",
        "--",
        "set",
        "interface",
        "p1",
        "type=internal",
        "options:key=value",
        "--",
        "set",
        "Open_vSwitch",
        ".",
        "external_ids:system-id=restart-test",
    ]);
    sb.vsctl_ok(&["add-br", "br1", "--", "del-port", "br0", "p1"]);
    sb.vsctl_ok(&[
        "add-port",
        "br1",
        "p1",
        "--",
        "set",
        "port",
        "p1",
        "trunks=1,2",
    ]);
    let before = full_dump(&sb);

    // SIGTERM, then start again.
    let status = sb.stop_ovsdb_server();
    assert!(status.is_some(), "server had to be killed after SIGTERM");
    sb.start_ovsdb_server(imp);
    if let Some(diff) = first_difference(&full_dump(&sb), &before) {
        panic!("database changed across SIGTERM restart: {diff}");
    }

    // `ovs-appctl exit`: the server exits by itself, with status 0.
    sb.appctl(&["exit"]).ok();
    let status = sb.wait_ovsdb_server_exit(Duration::from_secs(10));
    assert!(
        status.is_some_and(|s| s.success()),
        "after appctl exit: {status:?}\n{}",
        sb.diagnostics()
    );
    sb.start_ovsdb_server(imp);
    if let Some(diff) = first_difference(&full_dump(&sb), &before) {
        panic!("database changed across appctl exit: {diff}");
    }
    assert_eq!(sb.vsctl_ok(&["list-ports", "br1"]), "p1\n");
}
