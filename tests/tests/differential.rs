//! One scripted configuration session, run with the real `ovs-vsctl` against
//! the server under test (side A, `OVS_TEST_IMPL`) and against Debian's
//! ovsdb-server (side B, always real), in lockstep.
//!
//! After every command both sides must agree on exit status, stdout and
//! stderr (UUIDs and log timestamps normalised). At checkpoints the whole
//! database is compared through `ovsdb-client dump` (JSON and table
//! formats), `ovs-vsctl show` and `ovs-vsctl list` of every table, after the
//! content-based UUID renaming of `ovs_tests::canon` (see there for why that
//! hides nothing but UUID-dependent order).

use ovs_tests::canon::{
    UuidMap, canonical_text_dump, canonical_uuids, canonical_vsctl_list, canonical_vsctl_show,
    diff_report, parse_json_dump, render_dump, replace_uuids,
};
use ovs_tests::{Impl, Output, Sandbox, impl_or_skip};

/// Every table of the vswitch schema, for `ovs-vsctl list`.
const TABLES: &[&str] = &[
    "AutoAttach",
    "Bridge",
    "CT_Timeout_Policy",
    "CT_Zone",
    "Controller",
    "Datapath",
    "Flow_Sample_Collector_Set",
    "Flow_Table",
    "IPFIX",
    "Interface",
    "Manager",
    "Mirror",
    "NetFlow",
    "Open_vSwitch",
    "Port",
    "QoS",
    "Queue",
    "SSL",
    "sFlow",
];

/// One step of the session.
enum Step {
    /// `ovs-vsctl --no-wait ARGS` that must succeed (on real OVS).
    Run(&'static [&'static str]),
    /// `ovs-vsctl --no-wait ARGS` that must fail (on real OVS).
    Fails(&'static [&'static str]),
    /// Compare the whole databases.
    Check,
}

use Step::{Check, Fails, Run};

const SCENARIO: &[Step] = &[
    Run(&["init"]),
    Run(&["add-br", "br0"]),
    Run(&[
        "add-br",
        "br1",
        "--",
        "set",
        "bridge",
        "br1",
        "datapath_type=netdev",
        "protocols=OpenFlow10,OpenFlow13",
    ]),
    Run(&[
        "add-port",
        "br0",
        "p1",
        "--",
        "set",
        "interface",
        "p1",
        "type=internal",
    ]),
    Run(&["add-port", "br0", "p2", "tag=10"]),
    Run(&[
        "add-port",
        "br0",
        "p3",
        "trunks=10,20,30",
        "vlan_mode=trunk",
    ]),
    Run(&[
        "add-port",
        "br1",
        "tun0",
        "--",
        "set",
        "interface",
        "tun0",
        "type=vxlan",
        "options:remote_ip=192.0.2.1",
        "options:key=flow",
        "options:dst_port=4790",
    ]),
    Run(&[
        "add-bond",
        "br0",
        "bond0",
        "e1",
        "e2",
        "lacp=active",
        "--",
        "set",
        "port",
        "bond0",
        "bond_mode=balance-tcp",
        "other_config:lacp-time=fast",
    ]),
    Run(&["add-br", "vlan10", "br0", "10"]),
    Run(&[
        "set",
        "interface",
        "e1",
        "external_ids:attached-mac=\"00:00:00:00:00:01\"",
        "other_config:foo=bar",
        "ofport_request=11",
        "mtu_request=1400",
    ]),
    Run(&[
        "set",
        "port",
        "p2",
        "external_ids:vm=vm1",
        "other_config:priority-tags=true",
    ]),
    Run(&[
        "set",
        "bridge",
        "br0",
        "external_ids:bridge-id=br0",
        "other_config:hwaddr=\"02:00:00:00:00:01\"",
        "stp_enable=true",
        "mcast_snooping_enable=true",
    ]),
    Check,
    Run(&["set-controller", "br0", "tcp:127.0.0.1:6653"]),
    Run(&["set", "controller", "br0", "connection_mode=out-of-band"]),
    Run(&["set-fail-mode", "br0", "secure"]),
    Run(&[
        "set-controller",
        "br0",
        "tcp:127.0.0.1:6653",
        "unix:/nonexistent/ctl.sock",
    ]),
    // "via controller of Bridge" needs exactly one controller.
    Fails(&["set", "controller", "br0", "connection_mode=in-band"]),
    Run(&["set-manager", "ptcp:6640"]),
    Run(&[
        "--id=@m",
        "create",
        "Manager",
        "target=\"ptcp:6641:127.0.0.1\"",
        "inactivity_probe=30000",
        "--",
        "add",
        "Open_vSwitch",
        ".",
        "manager_options",
        "@m",
    ]),
    Run(&[
        "set",
        "port",
        "p1",
        "qos=@q",
        "--",
        "--id=@q",
        "create",
        "QoS",
        "type=linux-htb",
        "other-config:max-rate=1000000",
        "queues:0=@q0",
        "queues:1=@q1",
        "--",
        "--id=@q0",
        "create",
        "Queue",
        "other-config:min-rate=100",
        "--",
        "--id=@q1",
        "create",
        "Queue",
        "other-config:max-rate=500",
        "dscp=8",
    ]),
    Run(&["set-ssl", "/etc/key.pem", "/etc/cert.pem", "/etc/ca.pem"]),
    Run(&["set", "ssl", ".", "bootstrap_ca_cert=true"]),
    Run(&[
        "--",
        "--id=@p2",
        "get",
        "port",
        "p2",
        "--",
        "--id=@p3",
        "get",
        "port",
        "p3",
        "--",
        "--id=@b0",
        "get",
        "port",
        "bond0",
        "--",
        "--id=@m",
        "create",
        "Mirror",
        "name=mir0",
        "select-src-port=@p2,@b0",
        "select-dst-port=@p2",
        "output-port=@p3",
        "--",
        "add",
        "bridge",
        "br0",
        "mirrors",
        "@m",
    ]),
    Run(&[
        "--",
        "--id=@nf",
        "create",
        "NetFlow",
        "targets=\"127.0.0.1:2055\"",
        "active_timeout=60",
        "--",
        "set",
        "bridge",
        "br0",
        "netflow=@nf",
    ]),
    Run(&[
        "--",
        "--id=@sf",
        "create",
        "sFlow",
        "agent=lo",
        "targets=\"127.0.0.1:6343\"",
        "header=128",
        "sampling=64",
        "polling=10",
        "--",
        "set",
        "bridge",
        "br1",
        "sflow=@sf",
    ]),
    Run(&[
        "--",
        "--id=@ip",
        "create",
        "IPFIX",
        "targets=\"127.0.0.1:4739\"",
        "obs_domain_id=123",
        "obs_point_id=456",
        "cache_active_timeout=60",
        "cache_max_flows=1000",
        "--",
        "set",
        "bridge",
        "br1",
        "ipfix=@ip",
    ]),
    Run(&[
        "--",
        "--id=@br",
        "get",
        "bridge",
        "br1",
        "--",
        "--id=@ip2",
        "create",
        "IPFIX",
        "targets=\"127.0.0.1:4740\"",
        "--",
        "create",
        "Flow_Sample_Collector_Set",
        "id=1",
        "bridge=@br",
        "ipfix=@ip2",
        "external_ids:owner=test",
    ]),
    Run(&[
        "--",
        "--id=@ft",
        "create",
        "Flow_Table",
        "name=table0",
        "flow_limit=1000",
        "overflow_policy=evict",
        "groups=\"NXM_OF_IN_PORT[]\"",
        "prefixes=ip_dst,ip_src",
        "--",
        "set",
        "bridge",
        "br0",
        "flow_tables:0=@ft",
    ]),
    Run(&["add-aa-mapping", "br0", "100", "200"]),
    Run(&["add-aa-mapping", "br0", "101", "201"]),
    Run(&[
        "--",
        "--id=@tp",
        "create",
        "CT_Timeout_Policy",
        "timeouts:icmp_first=30",
        "timeouts:icmp_reply=20",
        "--",
        "--id=@z",
        "create",
        "CT_Zone",
        "timeout_policy=@tp",
        "--",
        "--id=@dp",
        "create",
        "Datapath",
        "ct_zones:5=@z",
        "--",
        "set",
        "Open_vSwitch",
        ".",
        "datapaths:netdev=@dp",
    ]),
    Run(&[
        "set",
        "interface",
        "tun0",
        "bfd:enable=true",
        "bfd:min_tx=100",
        "cfm_mpid=5",
    ]),
    Run(&["add", "bridge", "br0", "flood_vlans", "100", "200"]),
    Run(&["remove", "port", "p3", "trunks", "20"]),
    Run(&[
        "set",
        "Open_vSwitch",
        ".",
        "external_ids:system-id=xyz",
        "other_config:stats-update-interval=5000",
    ]),
    Check,
    // Client-side and server-side failures must look the same.
    Fails(&["add-br", "br0"]),
    Fails(&["set", "bridge", "br0", "fail_mode=bogus"]),
    Fails(&[
        "--id=@b",
        "create",
        "Bridge",
        "name=br0",
        "--",
        "add",
        "Open_vSwitch",
        ".",
        "bridges",
        "@b",
    ]),
    Fails(&["get", "bridge", "br0", "external_ids:nokey"]),
    Run(&["--if-exists", "get", "bridge", "br0", "external_ids:nokey"]),
    Run(&["wait-until", "bridge", "br0", "fail_mode=secure"]),
    Run(&["br-get-external-id", "br0"]),
    Run(&["get-controller", "br0"]),
    Run(&["get-manager"]),
    Run(&["get-ssl"]),
    Run(&["get-aa-mapping", "br0"]),
    Run(&["list-br"]),
    Run(&["list-ports", "br0"]),
    Run(&["list-ifaces", "br0"]),
    Run(&["br-to-parent", "vlan10"]),
    Run(&["br-to-vlan", "vlan10"]),
    Run(&[
        "--bare",
        "--columns=name,tag,trunks",
        "find",
        "port",
        "vlan_mode=trunk",
    ]),
    Check,
    // Deletions: weak references (Mirror ports) shrink, unreferenced
    // non-root rows are garbage-collected, roots stay.
    // p2 has tag 10, so it belongs to the fake bridge vlan10.
    Fails(&["del-port", "br0", "p2"]),
    Run(&["del-port", "p2"]),
    Run(&["del-port", "br0", "p3"]),
    Run(&["--if-exists", "del-port", "br0", "nope"]),
    Run(&["clear", "port", "p1", "qos"]),
    Run(&["del-aa-mapping", "br0", "100", "200"]),
    Run(&["del-controller", "br0"]),
    Run(&["del-manager"]),
    Run(&["del-ssl"]),
    Run(&["clear", "bridge", "br0", "netflow"]),
    Run(&["remove", "bridge", "br0", "external_ids", "bridge-id"]),
    Run(&["del-br", "vlan10"]),
    Check,
    // The Flow_Sample_Collector_Set (a root) still references br1, which so
    // survives outside Open_vSwitch.bridges until the set is destroyed, and
    // is then garbage-collected with its ports, sFlow and IPFIX.
    Run(&["del-br", "br1"]),
    Check,
    Fails(&["del-br", "br1"]),
    Run(&["--all", "destroy", "Flow_Sample_Collector_Set"]),
    Run(&["--all", "destroy", "QoS"]),
    Run(&["--all", "destroy", "Queue"]),
    Run(&["clear", "Open_vSwitch", ".", "datapaths"]),
    Run(&["set-controller", "br0", "tcp:127.0.0.1:6654"]),
    Run(&["emer-reset"]),
    Check,
    Run(&["--if-exists", "del-br", "nope"]),
    Run(&["del-br", "br0"]),
    Check,
];

struct Side {
    imp: Impl,
    label: String,
    sb: Sandbox,
}

impl Side {
    fn new(imp: Impl, label: &str) -> Side {
        Side {
            imp,
            label: format!("{label} ({})", imp.label()),
            sb: Sandbox::with_server(&format!("diff-{label}"), imp),
        }
    }
}

/// Stderr without the `2026-...Z|00002|` prefix of vlog lines and with
/// UUIDs renamed by first appearance.
fn normalise_stderr(stderr: &str) -> String {
    let mut out = String::new();
    for line in stderr.lines() {
        let is_vlog =
            line.len() > 21 && line.as_bytes().get(4) == Some(&b'-') && line.contains('|');
        let rest = if is_vlog {
            line.splitn(3, '|').nth(2).unwrap_or(line)
        } else {
            line
        };
        out.push_str(rest);
        out.push('\n');
    }
    replace_uuids(&out, &UuidMap::default())
}

fn compare_outputs(what: &str, a: &Side, oa: &Output, b: &Side, ob: &Output) {
    let render = |o: &Output| {
        format!(
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            o.code(),
            replace_uuids(&o.stdout, &UuidMap::default()),
            normalise_stderr(&o.stderr)
        )
    };
    if let Some(report) = diff_report(&a.label, &render(oa), &b.label, &render(ob)) {
        panic!(
            "{what}: the two servers disagree\n{report}\n\n{}\n{}",
            a.sb.diagnostics(),
            b.sb.diagnostics()
        );
    }
}

fn must(side: &Side, out: Output) -> String {
    assert!(
        out.success(),
        "{}: {out}\n{}",
        side.label,
        side.sb.diagnostics()
    );
    out.stdout
}

/// Every view of the database, canonicalised.
fn views(side: &Side) -> Vec<(String, String)> {
    let remote = side.sb.remote();
    let json = must(side, side.sb.client(&["-f", "json", "dump", &remote]));
    let text = must(side, side.sb.client(&["dump", &remote]));
    let tables = match parse_json_dump(&json) {
        Ok(t) => t,
        Err(e) => panic!("{}: bad JSON dump: {e}\n{json}", side.label),
    };
    let map = canonical_uuids(&tables);
    let mut views = vec![
        (
            "ovsdb-client -f json dump".to_string(),
            render_dump(&tables, &map),
        ),
        (
            "ovsdb-client dump".to_string(),
            canonical_text_dump(&text, &map),
        ),
        (
            "ovs-vsctl show".to_string(),
            canonical_vsctl_show(&must(side, side.sb.vsctl(&["show"])), &map),
        ),
    ];
    for table in TABLES {
        let list = must(side, side.sb.vsctl(&["list", table]));
        views.push((
            format!("ovs-vsctl list {table}"),
            canonical_vsctl_list(&list, &map),
        ));
    }
    views
}

fn checkpoint(n: usize, a: &Side, b: &Side) {
    let va = views(a);
    let vb = views(b);
    for ((what, ta), (_, tb)) in va.iter().zip(vb.iter()) {
        if let Some(report) = diff_report(&a.label, ta, &b.label, tb) {
            panic!(
                "checkpoint {n}, {what}: the databases differ\n{report}\n\n{}\n{}",
                a.sb.diagnostics(),
                b.sb.diagnostics()
            );
        }
    }
}

#[test]
fn scripted_session_matches_real_ovsdb_server() {
    let imp = impl_or_skip!("scripted_session_matches_real_ovsdb_server");
    let a = Side::new(imp, "A");
    let b = Side::new(Impl::Real, "B");
    assert_eq!(b.imp, Impl::Real);

    let mut commands = 0;
    let mut failures = 0;
    let mut checkpoints = 0;
    for (i, step) in SCENARIO.iter().enumerate() {
        let (args, should_fail) = match step {
            Check => {
                checkpoints += 1;
                checkpoint(checkpoints, &a, &b);
                continue;
            }
            Run(args) => (*args, false),
            Fails(args) => (*args, true),
        };
        commands += 1;
        let oa = a.sb.vsctl(args);
        let ob = b.sb.vsctl(args);
        // The script itself is checked against real OVS.
        assert_eq!(
            ob.success(),
            !should_fail,
            "step {i} on real OVS did not go as the script says:\n{ob}"
        );
        if should_fail {
            failures += 1;
        }
        compare_outputs(
            &format!("step {i}: ovs-vsctl {}", args.join(" ")),
            &a,
            &oa,
            &b,
            &ob,
        );
    }
    assert!(
        commands >= 40,
        "the scenario must stay meaningful: {commands}"
    );
    // The error paths were exercised (on B, hence identically on A).
    assert!(failures >= 4, "only {failures} commands failed");
    println!("{commands} commands ({failures} failing as expected), {checkpoints} checkpoints");
}

/// The comparison itself must see real differences: a database with one
/// extra key must not compare equal.
#[test]
fn comparison_detects_a_difference() {
    let imp = impl_or_skip!("comparison_detects_a_difference");
    let a = Side::new(imp, "A1");
    let b = Side::new(Impl::Real, "B1");
    for side in [&a, &b] {
        must(
            side,
            side.sb
                .vsctl(&["init", "--", "add-br", "br0", "--", "add-port", "br0", "p1"]),
        );
    }
    must(&b, b.sb.vsctl(&["set", "port", "p1", "tag=5"]));
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
        "ovsdb-client dump",
        "ovs-vsctl show",
        "ovs-vsctl list Port",
    ] {
        assert!(
            differing.contains(&expected),
            "{expected} missed the difference"
        );
    }
    assert!(!differing.contains(&"ovs-vsctl list Interface"));
}
