//! `ovs-vsctl` driving the switch under test (side A, `OVS_TEST_IMPL`) and
//! Debian's `ovs-vswitchd` (side B, always real) through the same
//! configuration session, without `--no-wait`: every command returns only
//! once the daemon has applied it and reported so through `cur_cfg`, and
//! both sides must print the same thing (UUIDs renamed, the sandbox path
//! masked).
//!
//! At checkpoints everything the daemon writes back into the database is
//! compared: the whole database through `ovsdb-client dump` (UUIDs renamed
//! by content as in `ovs_tests::canon`, Ethernet addresses masked since
//! OVS draws some at random, the live `statistics` columns left out),
//! `ovs-vsctl show`, `list Interface`, each interface's `ofport`, and the
//! configuration sequence numbers. Datapath IDs derived from random
//! addresses are checked for how they are derived instead of by value.

use std::time::{Duration, Instant};

use ovs_tests::canon::{
    UuidMap, canonical_uuids, canonical_vsctl_list, canonical_vsctl_show, diff_report,
    parse_json_dump, render_dump, replace_uuids,
};
use ovs_tests::switch::{Switch, mask_macs, mask_ofctl};
use ovs_tests::{Impl, Output, switch_impl_or_skip};

/// One step of the session.
enum Step {
    /// `ovs-vsctl ARGS` (waiting for the daemon) that must succeed on real
    /// OVS.
    Run(&'static [&'static str]),
    /// `ovs-vsctl ARGS` that must fail on real OVS.
    Fails(&'static [&'static str]),
    /// `ovs-ofctl ARGS` that must succeed on real OVS.
    Ofctl(&'static [&'static str]),
    /// Compare everything the daemon reports.
    Check,
}

use Step::{Check, Fails, Ofctl, Run};

const SCENARIO: &[Step] = &[
    Check,
    Run(&[
        "add-br",
        "br0",
        "--",
        "set",
        "bridge",
        "br0",
        "datapath_type=dummy",
    ]),
    Check,
    Run(&[
        "add-port",
        "br0",
        "p1",
        "--",
        "set",
        "interface",
        "p1",
        "type=dummy",
    ]),
    Run(&[
        "add-port",
        "br0",
        "p2",
        "--",
        "set",
        "interface",
        "p2",
        "type=dummy",
        "ofport_request=10",
    ]),
    Run(&[
        "add-port",
        "br0",
        "i1",
        "--",
        "set",
        "interface",
        "i1",
        "type=internal",
    ]),
    Check,
    // Several ports in one transaction. Real OVS numbers the ones without a
    // request in an order that varies from run to run, so only one of them
    // lacks one.
    Run(&[
        "add-port",
        "br0",
        "m1",
        "--",
        "set",
        "interface",
        "m1",
        "type=dummy",
        "ofport_request=20",
        "--",
        "add-port",
        "br0",
        "m2",
        "--",
        "set",
        "interface",
        "m2",
        "type=dummy",
        "ofport_request=21",
        "--",
        "add-port",
        "br0",
        "m3",
        "--",
        "set",
        "interface",
        "m3",
        "type=dummy",
    ]),
    Run(&[
        "add-br",
        "br1",
        "--",
        "set",
        "bridge",
        "br1",
        "datapath_type=dummy",
        "other_config:datapath-id=0000000000000123",
    ]),
    Run(&[
        "add-port",
        "br0",
        "patch-a",
        "--",
        "set",
        "interface",
        "patch-a",
        "type=patch",
        "options:peer=patch-b",
        "--",
        "add-port",
        "br1",
        "patch-b",
        "--",
        "set",
        "interface",
        "patch-b",
        "type=patch",
        "options:peer=patch-a",
    ]),
    Check,
    // Interfaces the daemon cannot set up: the command still succeeds, with
    // a warning, and the error lands in the Interface row.
    Run(&[
        "add-port",
        "br0",
        "bad1",
        "--",
        "set",
        "interface",
        "bad1",
        "type=nonexistent",
    ]),
    Run(&[
        "add-port",
        "br1",
        "px",
        "--",
        "set",
        "interface",
        "px",
        "type=patch",
    ]),
    Run(&[
        "add-port",
        "br1",
        "loop",
        "--",
        "set",
        "interface",
        "loop",
        "type=patch",
        "options:peer=loop",
    ]),
    Check,
    Run(&[
        "add-port",
        "br1",
        "p3",
        "--",
        "set",
        "interface",
        "p3",
        "type=dummy",
        "ofport_request=5",
    ]),
    Run(&["set", "interface", "p1", "ofport_request=7"]),
    Run(&["set", "interface", "p3", "mtu_request=1400"]),
    // A requested port number already in use goes to the later request
    // only when the earlier one gives it up.
    Run(&["set", "interface", "m1", "ofport_request=10"]),
    Check,
    Ofctl(&["mod-port", "br0", "p2", "down"]),
    Ofctl(&["mod-port", "br0", "i1", "down"]),
    Run(&["set", "interface", "p2", "other_config:foo=bar"]),
    Check,
    Ofctl(&["mod-port", "br0", "p2", "up"]),
    Run(&["clear", "interface", "p2", "other_config"]),
    Run(&["set", "interface", "i1", "type=dummy"]),
    Run(&["set", "interface", "bad1", "type=dummy"]),
    Run(&["set", "interface", "px", "options:peer=nowhere"]),
    Check,
    Run(&["del-port", "br0", "p1"]),
    Run(&[
        "add-port",
        "br0",
        "p1",
        "--",
        "set",
        "interface",
        "p1",
        "type=dummy",
    ]),
    Run(&[
        "set",
        "bridge",
        "br0",
        "other_config:hwaddr=\"02:00:00:00:00:aa\"",
    ]),
    Check,
    Fails(&["add-port", "br0", "p1"]),
    Fails(&["del-port", "br0", "nope"]),
    Fails(&["add-br", "br0"]),
    Run(&["--if-exists", "del-port", "br0", "nope"]),
    Run(&["list-ports", "br0"]),
    Run(&["list-ifaces", "br1"]),
    Run(&["port-to-br", "patch-b"]),
    Run(&["iface-to-br", "m2"]),
    Run(&["get", "interface", "p2", "ofport", "ofport_request", "type"]),
    Run(&[
        "--columns=name,ofport,error",
        "find",
        "interface",
        "ofport=-1",
    ]),
    Run(&["wait-until", "interface", "p1", "ofport>0"]),
    // The peer of patch-a disappears with br1.
    Run(&["del-br", "br1"]),
    Check,
    Run(&["del-port", "br0", "patch-a"]),
    Run(&["del-br", "br0"]),
    Check,
    Run(&[
        "add-br",
        "br2",
        "--",
        "set",
        "bridge",
        "br2",
        "datapath_type=dummy",
    ]),
    Run(&[
        "add-port",
        "br2",
        "p1",
        "--",
        "set",
        "interface",
        "p1",
        "type=dummy",
    ]),
    Check,
];

struct Side {
    label: String,
    sw: Switch,
}

/// Columns whose values are counters the daemon refreshes on a timer:
/// whether they have been written yet at a checkpoint is a matter of
/// timing.
const LIVE_COLUMNS: &[&str] = &["statistics"];

/// Every interface name the scenario uses.
const IFACES: &[&str] = &[
    "br0", "br1", "br2", "p1", "p2", "p3", "i1", "m1", "m2", "m3", "patch-a", "patch-b", "bad1",
    "px", "loop",
];

/// Stdout/stderr of a command with UUIDs renamed by first appearance and
/// the sandbox path and log clocks masked.
fn render(side: &Side, o: &Output) -> String {
    let status = match o.status {
        Some(s) => format!("{s}"),
        None => "killed at the deadline".to_string(),
    };
    format!(
        "exit: {status}\n--- stdout\n{}--- stderr\n{}",
        replace_uuids(&mask_ofctl(&o.stdout, side.sw.dir()), &UuidMap::default()),
        replace_uuids(&mask_ofctl(&o.stderr, side.sw.dir()), &UuidMap::default())
    )
}

fn must(side: &Side, out: Output) -> String {
    assert!(
        out.success(),
        "{}: {out}\n{}",
        side.label,
        side.sw.diagnostics()
    );
    out.stdout
}

/// Removes `key : value` lines of live columns from `ovs-vsctl list`.
fn drop_live_lines(text: &str) -> String {
    text.lines()
        .filter(|l| {
            !LIVE_COLUMNS.iter().any(|c| {
                l.strip_prefix(c)
                    .is_some_and(|r| r.trim_start().starts_with(':'))
            })
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The datapath ID of `bridge` must be its local port's address with two
/// zero bytes in front (unless configured); returns it.
fn check_derived_dpid(side: &Side, bridge: &str) -> String {
    let dpid = must(
        side,
        side.sw.vsctl(&["get", "bridge", bridge, "datapath_id"]),
    );
    let mac = must(
        side,
        side.sw.vsctl(&["get", "interface", bridge, "mac_in_use"]),
    );
    let expected = format!("\"0000{}\"", mac.trim().trim_matches('"').replace(':', ""));
    assert_eq!(
        dpid.trim(),
        expected,
        "{}: datapath_id of {bridge} is not derived from its address {mac}",
        side.label
    );
    dpid
}

/// Everything the daemon reports, canonicalised.
fn views(side: &Side) -> Vec<(String, String)> {
    let sb = side.sw.sandbox();
    let remote = sb.remote();
    let json = must(side, sb.client(&["-f", "json", "dump", &remote]));
    let mut tables = match parse_json_dump(&mask_macs(&json)) {
        Ok(t) => t,
        Err(e) => panic!("{}: bad JSON dump: {e}\n{json}", side.label),
    };
    let bridges: Vec<String> = must(side, side.sw.vsctl(&["list-br"]))
        .lines()
        .map(str::to_string)
        .collect();
    for table in &mut tables {
        // Datapath IDs follow random addresses; `check_derived_dpid` and
        // the configured one below check them.
        let masked: Vec<usize> = table
            .headings
            .iter()
            .enumerate()
            .filter(|(_, h)| {
                LIVE_COLUMNS.contains(&h.as_str())
                    || (table.name == "Bridge" && h.as_str() == "datapath_id")
            })
            .map(|(i, _)| i)
            .collect();
        for row in &mut table.rows {
            for &i in &masked {
                if let Some(v) = row.get_mut(i) {
                    *v = serde_json::Value::String("<masked>".into());
                }
            }
        }
    }
    let map = canonical_uuids(&tables);
    let mut views = vec![(
        "ovsdb-client -f json dump".to_string(),
        render_dump(&tables, &map),
    )];
    views.push((
        "ovs-vsctl show".to_string(),
        canonical_vsctl_show(&mask_macs(&must(side, side.sw.vsctl(&["show"]))), &map),
    ));
    let list = must(side, side.sw.vsctl(&["list", "interface"]));
    views.push((
        "ovs-vsctl list Interface".to_string(),
        canonical_vsctl_list(&drop_live_lines(&mask_macs(&list)), &map),
    ));
    let columns = "--columns=name,ofport,ofport_request,admin_state,link_state,mac_in_use,error,\
                   type,options,mtu";
    let brief = must(side, side.sw.vsctl(&[columns, "list", "interface"]));
    views.push((
        format!("ovs-vsctl {columns} list Interface"),
        canonical_vsctl_list(&mask_macs(&brief), &map),
    ));
    let mut ofports = String::new();
    for iface in IFACES {
        let out = side.sw.vsctl(&["get", "interface", iface, "ofport"]);
        ofports.push_str(&format!(
            "{iface}: {}{}",
            out.stdout,
            mask_ofctl(&out.stderr, side.sw.dir())
        ));
    }
    views.push(("ovs-vsctl get Interface X ofport".to_string(), ofports));
    let mut dpids = String::new();
    for bridge in &bridges {
        let dpid = if bridge == "br1" {
            must(
                side,
                side.sw.vsctl(&["get", "bridge", bridge, "datapath_id"]),
            )
        } else {
            check_derived_dpid(side, bridge);
            "derived from its address\n".to_string()
        };
        dpids.push_str(&format!("{bridge}: {dpid}"));
    }
    views.push(("ovs-vsctl get Bridge X datapath_id".to_string(), dpids));
    for column in [
        "cur_cfg",
        "next_cfg",
        "iface_types",
        "datapath_types",
        "ovs_version",
        "db_version",
    ] {
        views.push((
            format!("ovs-vsctl get Open_vSwitch . {column}"),
            must(side, side.sw.vsctl(&["get", "Open_vSwitch", ".", column])),
        ));
    }
    views
}

/// How long the two switches get to agree at a checkpoint. Some of what
/// real OVS writes back comes from a periodic status refresh rather than
/// from applying the configuration (e.g. a patch port's "No usable peer"
/// error), so it may land shortly after `cur_cfg` says the change is
/// applied.
const SETTLE: Duration = Duration::from_secs(5);

fn checkpoint(n: usize, a: &Side, b: &Side) {
    let started = Instant::now();
    let deadline = started + SETTLE;
    let mut waited_for = None;
    loop {
        let va = views(a);
        let vb = views(b);
        let difference = va.iter().zip(vb.iter()).find_map(|((what, ta), (_, tb))| {
            diff_report(&a.label, ta, &b.label, tb).map(|r| (what.clone(), r))
        });
        let Some((what, report)) = difference else {
            if let Some(what) = waited_for {
                println!(
                    "checkpoint {n}: agreed after {:.1?} (waited for {what})",
                    started.elapsed()
                );
            }
            return;
        };
        if Instant::now() >= deadline {
            panic!(
                "checkpoint {n}, {what}: the switches still differ after {SETTLE:?}\n{report}\n\n\
                 {}\n{}",
                a.sw.diagnostics(),
                b.sw.diagnostics()
            );
        }
        waited_for = Some(what);
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn vsctl_session_matches_real_vswitchd() {
    let imp = switch_impl_or_skip!("vsctl_session_matches_real_vswitchd");
    let started = Instant::now();
    let a = Side {
        label: format!("A ({})", imp.label()),
        sw: Switch::start("vsctl-A", imp),
    };
    let b = Side {
        label: "B (real)".to_string(),
        sw: Switch::start("vsctl-B", Impl::Real),
    };
    let (mut commands, mut failures, mut checkpoints) = (0, 0, 0);
    for (i, step) in SCENARIO.iter().enumerate() {
        let (oa, ob, args, should_fail) = match step {
            Check => {
                checkpoints += 1;
                checkpoint(checkpoints, &a, &b);
                continue;
            }
            Run(args) | Fails(args) => (
                a.sw.vsctl(args),
                b.sw.vsctl(args),
                format!("ovs-vsctl {}", args.join(" ")),
                matches!(step, Fails(_)),
            ),
            Ofctl(args) => (
                a.sw.ofctl(args),
                b.sw.ofctl(args),
                format!("ovs-ofctl {}", args.join(" ")),
                false,
            ),
        };
        commands += 1;
        assert_eq!(
            ob.success(),
            !should_fail,
            "step {i} on real OVS did not go as the script says:\n{ob}"
        );
        if should_fail {
            failures += 1;
        }
        if let Some(report) = diff_report(&a.label, &render(&a, &oa), &b.label, &render(&b, &ob)) {
            panic!(
                "step {i}: {args}: the switches disagree\n{report}\n\n{}\n{}",
                a.sw.diagnostics(),
                b.sw.diagnostics()
            );
        }
    }
    assert!(failures >= 3, "only {failures} commands failed");
    println!(
        "{commands} commands ({failures} failing as expected), {checkpoints} checkpoints, {:.1?}",
        started.elapsed()
    );
}

/// The view comparison must see a real difference: a port more on B.
#[test]
fn vsctl_comparison_detects_a_difference() {
    let imp = switch_impl_or_skip!("vsctl_comparison_detects_a_difference");
    let a = Side {
        label: "A".to_string(),
        sw: Switch::start("vsctl-sanity-A", imp),
    };
    let b = Side {
        label: "B".to_string(),
        sw: Switch::start("vsctl-sanity-B", Impl::Real),
    };
    for side in [&a, &b] {
        side.sw.add_bridge("br0", &[]);
        side.sw.add_port("br0", "p1", &[]);
    }
    b.sw.add_port("br0", "p2", &[]);
    let va = views(&a);
    let vb = views(&b);
    let differing: Vec<&str> = va
        .iter()
        .zip(vb.iter())
        .filter(|((_, ta), (_, tb))| ta != tb)
        .map(|((what, _), _)| what.as_str())
        .collect();
    for expected in [
        "ovsdb-client -f json dump",
        "ovs-vsctl show",
        "ovs-vsctl list Interface",
        "ovs-vsctl get Interface X ofport",
    ] {
        assert!(
            differing.contains(&expected),
            "{expected} missed the difference ({differing:?})"
        );
    }
    assert!(!differing.contains(&"ovs-vsctl get Open_vSwitch . iface_types"));
}
