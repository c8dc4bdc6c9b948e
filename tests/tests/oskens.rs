//! os-ken (OpenStack's OpenFlow controller framework, the Ryu fork Neutron
//! uses) as the controller of the switch under test: an OpenFlow 1.3 app
//! (`tests/python/osken_app.py`) listens on a free loopback port, the
//! bridge is pointed at it with `ovs-vsctl set-controller`, and the app
//! reports as JSON what it saw: the features reply, the switch description,
//! the port descriptions, and the flows it installed read back through a
//! flow stats request. The test asserts on that report.
//!
//! os-ken lives in its own virtualenv, `target/pyvenv-osken` (or
//! `$OVS_TEST_OSKEN_VENV`), made here with Debian's python3 and `pip
//! install os-ken` when it does not have os-ken yet; if that cannot be done
//! (no network), the test says SKIP.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use ovs_tests::switch::Switch;
use ovs_tests::{python_script, switch_impl_or_skip, workspace_root};

fn venv_dir() -> PathBuf {
    match std::env::var_os("OVS_TEST_OSKEN_VENV") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => workspace_root().join("target").join("pyvenv-osken"),
    }
}

fn has_osken(python: &Path) -> bool {
    Command::new(python)
        .args(["-W", "ignore", "-c", "import os_ken.base.app_manager"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The venv's python with os-ken importable, creating the venv if needed;
/// `Err` says why it cannot be had.
fn osken_python() -> Result<PathBuf, String> {
    let venv = venv_dir();
    let python = venv.join("bin").join("python");
    if has_osken(&python) {
        return Ok(python);
    }
    let run = |program: &Path, args: &[&str]| -> Result<(), String> {
        let out = Command::new(program)
            .args(args)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{} {} failed: {}\n{}",
                program.display(),
                args.join(" "),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    };
    let venv_arg = venv.display().to_string();
    run(Path::new("/usr/bin/python3"), &["-m", "venv", &venv_arg])?;
    run(
        &venv.join("bin").join("pip"),
        &[
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "os-ken",
        ],
    )?;
    if has_osken(&python) {
        Ok(python)
    } else {
        Err(format!("{} still cannot import os_ken", python.display()))
    }
}

/// A loopback TCP port nobody listens on right now.
fn free_port() -> u16 {
    match TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()) {
        Ok(addr) => addr.port(),
        Err(e) => panic!("cannot find a free port: {e}"),
    }
}

/// True once something listens on 127.0.0.1:`port` (per /proc/net/tcp, so
/// that checking does not itself connect to the controller).
fn listening(port: u16) -> bool {
    let needle = format!("0100007F:{port:04X} 00000000:0000 0A");
    std::fs::read_to_string("/proc/net/tcp").is_ok_and(|t| t.contains(&needle))
}

#[test]
fn osken_app_programs_the_switch() {
    let imp = switch_impl_or_skip!("osken_app_programs_the_switch");
    let started = Instant::now();
    let python = match osken_python() {
        Ok(python) => python,
        Err(why) => {
            println!("SKIP osken_app_programs_the_switch: no os-ken virtualenv: {why}");
            return;
        }
    };
    let venv_ready = started.elapsed();
    let sw = Switch::start("osken", imp);
    sw.add_bridge(
        "br0",
        &[
            "protocols=OpenFlow13",
            "other_config:hwaddr=\"02:00:00:00:00:01\"",
        ],
    );
    sw.add_port("br0", "p1", &["ofport_request=1"]);
    sw.add_port("br0", "p2", &["ofport_request=2"]);

    let port = free_port();
    let script = python_script("osken_app.py").display().to_string();
    let mut app = sw.background(&python, &[&script, &port.to_string()]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !listening(port) {
        assert!(
            app.is_running() && Instant::now() < deadline,
            "the os-ken app never listened on port {port}\n--- stdout\n{}\n--- stderr\n{}",
            app.stdout(),
            app.stderr()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let target = format!("tcp:127.0.0.1:{port}");
    sw.vsctl_ok(&["set-controller", "br0", &target]);
    app.wait_for("the app's report", Duration::from_secs(60), |out| {
        out.contains("DONE\n")
    });
    let (stdout, stderr) = app.finish();
    let report: Value = match stdout.lines().next().map(serde_json::from_str) {
        Some(Ok(v)) => v,
        _ => panic!("no JSON report from the app\n--- stdout\n{stdout}\n--- stderr\n{stderr}"),
    };
    let context = format!(
        "app report:\n{}\n--- app stderr\n{stderr}\n{}",
        serde_json::to_string_pretty(&report).unwrap_or_default(),
        sw.diagnostics()
    );

    assert_eq!(report["timeout"], json!(false), "{context}");
    assert_eq!(report["errors"], json!([]), "{context}");
    assert_eq!(report["flow_mods_sent"], json!(2), "{context}");
    assert_eq!(report["barrier_reply"], json!(true), "{context}");

    // The datapath ID comes from the configured bridge address.
    assert_eq!(
        report["features"],
        json!({
            "version": 4,
            "datapath_id": 0x0000_0200_0000_0001_u64,
            "n_buffers": 0,
            "n_tables": 254,
            "auxiliary_id": 0,
            // FLOW_STATS | TABLE_STATS | PORT_STATS | GROUP_STATS | QUEUE_STATS
            "capabilities": 0x4f,
        }),
        "{context}"
    );
    assert_eq!(
        report["desc"],
        json!({
            "mfr_desc": "Nicira, Inc.",
            "hw_desc": "Open vSwitch",
            "sw_desc": "3.1.0",
            "serial_num": "None",
            "dp_desc": "None",
        }),
        "{context}"
    );

    let port_desc = |port_no: u64, name: &str, hw_addr: &str| {
        json!({
            "port_no": port_no,
            "name": name,
            "hw_addr": hw_addr,
            "config": 0,
            // OFPPS_LIVE
            "state": 4,
            "curr": 0,
            "advertised": 0,
            "supported": 0,
            "peer": 0,
            "curr_speed": 0,
            "max_speed": 0,
        })
    };
    // Dummy netdevs get aa:55:aa:55:00:NN in creation order: the
    // datapath's and the bridge's own ports come first.
    assert_eq!(
        report["ports"],
        json!([
            port_desc(1, "p1", "aa:55:aa:55:00:02"),
            port_desc(2, "p2", "aa:55:aa:55:00:03"),
            port_desc(0xffff_fffe, "br0", "02:00:00:00:00:01"),
        ]),
        "{context}"
    );

    let output = |port: u64, max_len: u64| json!({"type": 0, "port": port, "max_len": max_len});
    let apply = |actions: Value| json!([{"type": 4, "actions": actions}]);
    let flow = |priority: u64, cookie: u64, m: Value, instructions: Value| {
        json!({
            "table_id": 0,
            "priority": priority,
            "cookie": cookie,
            "idle_timeout": 0,
            "hard_timeout": 0,
            "flags": 0,
            "packet_count": 0,
            "byte_count": 0,
            "match": m,
            "instructions": instructions,
        })
    };
    assert_eq!(
        report["flows"],
        json!([
            flow(
                200,
                0x1002,
                json!([["arp_op", "1"], ["eth_type", "2054"]]),
                apply(json!([
                    {"type": 25, "field": "eth_dst", "value": "00:00:00:00:00:02"},
                    output(0xffff_fffd, 128),
                ])),
            ),
            flow(
                100,
                0x1001,
                json!([
                    ["eth_type", "2048"],
                    ["in_port", "1"],
                    ["ipv4_dst", "10.0.0.1"]
                ]),
                apply(json!([output(2, 0xffe5)])),
            ),
            // No NORMAL flow: a bridge that gains its first controller
            // drops the flows it had.
        ]),
        "{context}"
    );

    // The switch side agrees.
    let dump = sw.ofctl(&["-O", "OpenFlow13", "--no-stats", "dump-flows", "br0"]);
    assert!(
        dump.success()
            && dump.stdout.contains(
                "cookie=0x1001, priority=100,ip,in_port=1,nw_dst=10.0.0.1 actions=output:2"
            ),
        "{dump}"
    );
    println!(
        "osken_app_programs_the_switch: {:.1?} (venv check {venv_ready:.1?})",
        started.elapsed()
    );
}
