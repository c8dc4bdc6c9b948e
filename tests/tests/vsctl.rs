//! The real `ovs-vsctl --no-wait` against the server under test: every
//! database command it has, with assertions on its exact output.

use std::collections::BTreeSet;
use std::thread;
use std::time::{Duration, Instant};

use ovs_tests::canon::{UuidMap, canonical_vsctl_show};
use ovs_tests::{Sandbox, impl_or_skip};

fn lines(s: &str) -> Vec<&str> {
    s.lines().collect()
}

fn line_set(s: &str) -> BTreeSet<&str> {
    s.lines().filter(|l| !l.is_empty()).collect()
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit() && !c.is_ascii_uppercase(),
        })
}

/// Value of `column` in an `ovs-vsctl list` record.
fn field<'a>(record: &'a str, column: &str) -> Option<&'a str> {
    record.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        (name.trim_end() == column).then(|| value.trim())
    })
}

#[test]
fn init_creates_the_root_row_once() {
    let imp = impl_or_skip!("init_creates_the_root_row_once");
    let sb = Sandbox::with_server("vsctl-init", imp);
    sb.vsctl_ok(&["init"]);
    sb.vsctl_ok(&["init"]);
    let list = sb.vsctl_ok(&["list", "Open_vSwitch"]);
    let records: Vec<&str> = list.split("\n\n").filter(|r| !r.is_empty()).collect();
    assert_eq!(records.len(), 1, "{list}");
    let rec = records[0];
    assert!(is_uuid(field(rec, "_uuid").unwrap_or_default()), "{rec}");
    assert_eq!(field(rec, "bridges"), Some("[]"));
    assert_eq!(field(rec, "next_cfg"), Some("0"));
    assert_eq!(field(rec, "cur_cfg"), Some("0"));
    assert_eq!(field(rec, "external_ids"), Some("{}"));
    assert_eq!(field(rec, "dpdk_initialized"), Some("false"));
    // Columns are listed in alphabetical order, _uuid first.
    let names: Vec<&str> = rec
        .lines()
        .filter_map(|l| l.split_once(':').map(|(n, _)| n.trim_end()))
        .collect();
    let mut sorted = names.clone();
    sorted[1..].sort_unstable();
    assert_eq!(names, sorted);
    assert_eq!(names.len(), 18, "{rec}");
    assert_eq!(sb.vsctl_ok(&["list-br"]), "");
    assert_eq!(sb.vsctl_ok(&["get", "Open_vSwitch", ".", "cur_cfg"]), "0\n");
}

#[test]
fn bridges_and_ports() {
    let imp = impl_or_skip!("bridges_and_ports");
    let sb = Sandbox::with_server("vsctl-br", imp);
    sb.vsctl_ok(&["init"]);
    sb.vsctl_ok(&["add-br", "br1"]);
    sb.vsctl_ok(&["add-br", "br0"]);
    sb.vsctl_ok(&["add-port", "br0", "p1"]);
    sb.vsctl_ok(&[
        "add-port",
        "br0",
        "p2",
        "--",
        "set",
        "interface",
        "p2",
        "type=internal",
    ]);
    assert_eq!(sb.vsctl_ok(&["list-br"]), "br0\nbr1\n");
    assert_eq!(sb.vsctl_ok(&["list-ports", "br0"]), "p1\np2\n");
    assert_eq!(sb.vsctl_ok(&["list-ports", "br1"]), "");
    assert_eq!(sb.vsctl_ok(&["list-ifaces", "br0"]), "p1\np2\n");
    assert_eq!(sb.vsctl_ok(&["port-to-br", "p2"]), "br0\n");
    assert_eq!(sb.vsctl_ok(&["iface-to-br", "p1"]), "br0\n");
    assert_eq!(sb.vsctl_ok(&["br-to-vlan", "br0"]), "0\n");
    assert_eq!(sb.vsctl_ok(&["br-to-parent", "br0"]), "br0\n");
    assert_eq!(
        sb.vsctl_ok(&["get", "interface", "p2", "type"]),
        "internal\n"
    );
    assert_eq!(
        sb.vsctl_ok(&["get", "interface", "br0", "type"]),
        "internal\n"
    );
    assert_eq!(sb.vsctl_ok(&["get", "interface", "p1", "type"]), "\"\"\n");

    assert_eq!(sb.vsctl(&["br-exists", "br1"]).code(), Some(0));
    assert_eq!(sb.vsctl(&["br-exists", "nope"]).code(), Some(2));

    let dup = sb.vsctl(&["add-br", "br0"]);
    assert_eq!(
        dup.failed(),
        "ovs-vsctl: cannot create a bridge named br0 because a bridge named br0 already exists\n"
    );
    sb.vsctl_ok(&["--may-exist", "add-br", "br0"]);
    sb.vsctl_ok(&["--may-exist", "add-port", "br0", "p1"]);
    let dup_port = sb.vsctl(&["add-port", "br1", "p1"]);
    assert_eq!(
        dup_port.failed(),
        "ovs-vsctl: cannot create a port named p1 because a port named p1 already exists on bridge \
         br0\n"
    );

    sb.vsctl_ok(&["del-port", "br0", "p1"]);
    assert_eq!(sb.vsctl_ok(&["list-ports", "br0"]), "p2\n");
    assert_eq!(
        sb.vsctl(&["del-port", "br0", "p1"]).failed(),
        "ovs-vsctl: no port named p1\n"
    );
    sb.vsctl_ok(&["--if-exists", "del-port", "br0", "p1"]);
    sb.vsctl_ok(&["del-br", "br1"]);
    assert_eq!(sb.vsctl_ok(&["list-br"]), "br0\n");
    assert_eq!(
        sb.vsctl(&["del-br", "br1"]).failed(),
        "ovs-vsctl: no bridge named br1\n"
    );
    sb.vsctl_ok(&["--if-exists", "del-br", "br1"]);
    // del-br garbage-collects the bridge's ports and interfaces.
    sb.vsctl_ok(&["del-br", "br0"]);
    assert_eq!(sb.vsctl_ok(&["list", "Port"]), "");
    assert_eq!(sb.vsctl_ok(&["list", "Interface"]), "");
}

#[test]
fn set_get_clear_add_remove() {
    let imp = impl_or_skip!("set_get_clear_add_remove");
    let sb = Sandbox::with_server("vsctl-set", imp);
    sb.vsctl_ok(&["init", "--", "add-br", "br0", "--", "add-port", "br0", "p1"]);
    sb.vsctl_ok(&[
        "set",
        "bridge",
        "br0",
        "datapath_type=netdev",
        "other-config:hwaddr=\"00:11:22:33:44:55\"",
        "external_ids:owner=tests",
        "protocols=OpenFlow10,OpenFlow13",
    ]);
    assert_eq!(
        sb.vsctl_ok(&["get", "bridge", "br0", "name", "datapath_type"]),
        "br0\nnetdev\n"
    );
    assert_eq!(
        sb.vsctl_ok(&["get", "bridge", "br0", "other_config:hwaddr"]),
        "\"00:11:22:33:44:55\"\n"
    );
    assert_eq!(
        sb.vsctl_ok(&["get", "bridge", "br0", "other_config"]),
        "{hwaddr=\"00:11:22:33:44:55\"}\n"
    );
    assert_eq!(
        sb.vsctl_ok(&["get", "bridge", "br0", "protocols"]),
        "[OpenFlow10, OpenFlow13]\n"
    );
    assert_eq!(
        sb.vsctl(&["get", "bridge", "br0", "other_config:nokey"])
            .failed(),
        "ovs-vsctl: no key \"nokey\" in Bridge record \"br0\" column other_config\n"
    );
    assert_eq!(
        sb.vsctl_ok(&["--if-exists", "get", "bridge", "br0", "other_config:nokey"]),
        "\n"
    );
    assert_eq!(
        sb.vsctl(&["get", "bridge", "nope", "name"]).failed(),
        "ovs-vsctl: no row \"nope\" in table Bridge\n"
    );

    sb.vsctl_ok(&["clear", "bridge", "br0", "other_config", "protocols"]);
    assert_eq!(
        sb.vsctl_ok(&["get", "bridge", "br0", "other_config", "protocols"]),
        "{}\n[]\n"
    );

    sb.vsctl_ok(&["add", "bridge", "br0", "flood_vlans", "30", "10", "20"]);
    assert_eq!(
        sb.vsctl_ok(&["get", "bridge", "br0", "flood_vlans"]),
        "[10, 20, 30]\n"
    );
    sb.vsctl_ok(&["remove", "bridge", "br0", "flood_vlans", "10", "30"]);
    assert_eq!(
        sb.vsctl_ok(&["get", "bridge", "br0", "flood_vlans"]),
        "[20]\n"
    );

    sb.vsctl_ok(&["add", "port", "p1", "trunks", "1", "2", "3"]);
    sb.vsctl_ok(&["set", "port", "p1", "tag=7", "vlan_mode=native-untagged"]);
    assert_eq!(
        sb.vsctl_ok(&["get", "port", "p1", "tag", "trunks", "vlan_mode"]),
        "7\n[1, 2, 3]\nnative-untagged\n"
    );

    sb.vsctl_ok(&[
        "add",
        "interface",
        "p1",
        "options",
        "remote_ip=10.0.0.1",
        "key=5",
    ]);
    sb.vsctl_ok(&["set", "interface", "p1", "type=vxlan"]);
    assert_eq!(
        sb.vsctl_ok(&["get", "interface", "p1", "options"]),
        "{key=\"5\", remote_ip=\"10.0.0.1\"}\n"
    );
    // Map removal by key, and by key=value (which must match the value).
    sb.vsctl_ok(&["remove", "interface", "p1", "options", "key=6"]);
    assert_eq!(
        sb.vsctl_ok(&["get", "interface", "p1", "options:key"]),
        "\"5\"\n"
    );
    sb.vsctl_ok(&["remove", "interface", "p1", "options", "key=5"]);
    sb.vsctl_ok(&["remove", "interface", "p1", "options", "remote_ip"]);
    assert_eq!(sb.vsctl_ok(&["get", "interface", "p1", "options"]), "{}\n");

    // Client-side constraint checks the schema drives.
    assert_eq!(
        sb.vsctl(&["set", "bridge", "br0", "fail_mode=bogus"])
            .failed(),
        "ovs-vsctl: constraint violation: bogus is not one of the allowed values ([secure, \
         standalone])\n"
    );
    assert_eq!(
        sb.vsctl(&["set", "interface", "p1", "ofport_request=0"])
            .failed(),
        "ovs-vsctl: constraint violation: 0 is not in the valid range 1 to 65279 (inclusive)\n"
    );
}

#[test]
fn list_and_find() {
    let imp = impl_or_skip!("list_and_find");
    let sb = Sandbox::with_server("vsctl-find", imp);
    sb.vsctl_ok(&[
        "init",
        "--",
        "add-br",
        "br0",
        "--",
        "add-port",
        "br0",
        "p1",
        "tag=7",
        "--",
        "add-port",
        "br0",
        "p2",
        "--",
        "set",
        "interface",
        "p2",
        "type=internal",
    ]);
    let internal = sb.vsctl_ok(&[
        "--bare",
        "--columns=name",
        "find",
        "interface",
        "type=internal",
    ]);
    assert_eq!(line_set(&internal), BTreeSet::from(["br0", "p2"]));
    assert_eq!(
        sb.vsctl_ok(&["--columns=name,tag", "find", "port", "tag=7"]),
        "name                : p1\ntag                 : 7\n"
    );
    let others = sb.vsctl_ok(&["--bare", "--columns=name", "find", "port", "tag!=7"]);
    assert_eq!(line_set(&others), BTreeSet::from(["br0", "p2"]));
    assert_eq!(sb.vsctl_ok(&["find", "port", "name=nope"]), "");

    let csv = sb.vsctl_ok(&["--format=csv", "--columns=name,tag", "list", "port", "p1"]);
    assert_eq!(csv, "name,tag\np1,7\n");
    let json = sb.vsctl_ok(&["--format=json", "--columns=name,tag", "list", "port", "p1"]);
    assert_eq!(
        json,
        "{\"data\":[[\"p1\",7]],\"headings\":[\"name\",\"tag\"]}\n"
    );
    let table = sb.vsctl_ok(&["--format=table", "--columns=name,tag", "list", "port", "p1"]);
    assert_eq!(table, "name tag\n---- ---\np1   7\n");

    let all = sb.vsctl_ok(&["list", "bridge"]);
    let rec = all.trim_end();
    assert_eq!(field(rec, "name"), Some("br0"));
    let ports = field(rec, "ports").unwrap_or_default();
    let port_uuids: Vec<&str> = ports
        .trim_matches(|c| c == '[' || c == ']')
        .split(", ")
        .collect();
    assert_eq!(port_uuids.len(), 3, "{rec}");
    assert!(port_uuids.iter().all(|u| is_uuid(u)), "{rec}");
    let mut sorted = port_uuids.clone();
    sorted.sort_unstable();
    assert_eq!(port_uuids, sorted, "sets print in UUID order");
    // Each listed port UUID names a Port row.
    for u in port_uuids {
        sb.vsctl_ok(&["get", "port", u, "name"]);
    }
}

#[test]
fn destroy_and_if_exists() {
    let imp = impl_or_skip!("destroy_and_if_exists");
    let sb = Sandbox::with_server("vsctl-destroy", imp);
    sb.vsctl_ok(&["init"]);
    let uuid = sb.vsctl_ok(&["create", "Flow_Table", "name=ft1"]);
    let uuid = uuid.trim();
    assert!(is_uuid(uuid), "{uuid}");
    // Flow_Table is not a root table: unreferenced, it is garbage-collected
    // at once.
    assert_eq!(sb.vsctl_ok(&["list", "Flow_Table"]), "");
    let qos = sb.vsctl_ok(&["create", "QoS", "type=linux-htb"]);
    let qos = qos.trim();
    assert_eq!(sb.vsctl_ok(&["get", "QoS", qos, "type"]), "linux-htb\n");
    sb.vsctl_ok(&["destroy", "QoS", qos]);
    assert_eq!(sb.vsctl_ok(&["list", "QoS"]), "");
    assert_eq!(
        sb.vsctl(&["destroy", "QoS", qos]).failed(),
        format!("ovs-vsctl: no row \"{qos}\" in table QoS\n")
    );
    sb.vsctl_ok(&["--if-exists", "destroy", "QoS", qos]);
    sb.vsctl_ok(&["create", "QoS", "type=a"]);
    sb.vsctl_ok(&["create", "QoS", "type=b"]);
    sb.vsctl_ok(&["--all", "destroy", "QoS"]);
    assert_eq!(sb.vsctl_ok(&["list", "QoS"]), "");
}

#[test]
fn id_references_in_one_transaction() {
    let imp = impl_or_skip!("id_references_in_one_transaction");
    let sb = Sandbox::with_server("vsctl-id", imp);
    sb.vsctl_ok(&["init", "--", "add-br", "br0", "--", "add-port", "br0", "p1"]);
    let out = sb.vsctl_ok(&[
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
        "other-config:max-rate=100",
        "--",
        "--id=@q1",
        "create",
        "Queue",
        "dscp=10",
    ]);
    let created = lines(&out);
    assert_eq!(created.len(), 3, "one UUID per create: {out}");
    assert!(created.iter().all(|u| is_uuid(u)), "{out}");
    let (qos, q0, q1) = (created[0], created[1], created[2]);
    assert_eq!(
        sb.vsctl_ok(&["get", "port", "p1", "qos"]),
        format!("{qos}\n")
    );
    assert_eq!(
        sb.vsctl_ok(&["get", "QoS", qos, "queues"]),
        format!("{{0={q0}, 1={q1}}}\n")
    );
    assert_eq!(sb.vsctl_ok(&["get", "Queue", q1, "dscp"]), "10\n");
    assert_eq!(
        sb.vsctl_ok(&["get", "Queue", q0, "other_config"]),
        "{max-rate=\"100\"}\n"
    );
    // Unknown @name is an error of the client, nothing is sent.
    let unknown = sb.vsctl(&["set", "port", "p1", "qos=@nope"]);
    assert_eq!(
        unknown.failed(),
        "ovs-vsctl: row id \"@nope\" is referenced but never created (e.g. with \"-- --id=@nope \
         create ...\")\n"
    );
    assert_eq!(
        sb.vsctl_ok(&["get", "port", "p1", "qos"]),
        format!("{qos}\n")
    );
    // Clearing the reference garbage-collects QoS and both queues (QoS and
    // Queue are roots, so they stay: check exactly that).
    sb.vsctl_ok(&["clear", "port", "p1", "qos"]);
    assert_eq!(
        line_set(&sb.vsctl_ok(&["--bare", "--columns=_uuid", "list", "QoS"])),
        BTreeSet::from([qos])
    );
    assert_eq!(
        line_set(&sb.vsctl_ok(&["--bare", "--columns=_uuid", "list", "Queue"])),
        BTreeSet::from([q0, q1])
    );
    // A server-side failure: a second Bridge named br0 breaks the name index.
    let err = sb.vsctl(&[
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
    ]);
    let stderr = err.failed();
    assert!(
        stderr.contains("ovs-vsctl: transaction error: {\"details\":\"Transaction causes multiple rows in \\\"Bridge\\\" table to have identical values (br0) for index on column \\\"name\\\".")
            && stderr.contains("\"error\":\"constraint violation\"}"),
        "{err}"
    );
    assert_eq!(sb.vsctl_ok(&["list-br"]), "br0\n");
}

#[test]
fn wait_until_condition_already_true() {
    let imp = impl_or_skip!("wait_until_condition_already_true");
    let sb = Sandbox::with_server("vsctl-wait1", imp);
    sb.vsctl_ok(&["init", "--", "add-br", "br0"]);
    sb.vsctl_ok(&["set", "bridge", "br0", "external_ids:ready=yes"]);
    let start = Instant::now();
    sb.vsctl_ok(&["wait-until", "bridge", "br0", "external_ids:ready=yes"]);
    sb.vsctl_ok(&["wait-until", "bridge", "br0"]);
    sb.vsctl_ok(&["wait-until", "Open_vSwitch", ".", "next_cfg=0"]);
    assert!(start.elapsed() < Duration::from_secs(10));
}

#[test]
fn wait_until_made_true_by_another_client() {
    let imp = impl_or_skip!("wait_until_made_true_by_another_client");
    let sb = Sandbox::with_server("vsctl-wait2", imp);
    sb.vsctl_ok(&["init"]);
    let out = thread::scope(|s| {
        let waiter = s.spawn(|| {
            sb.vsctl(&[
                "--",
                "wait-until",
                "bridge",
                "brw",
                "external_ids:go=yes",
                "--",
                "get",
                "bridge",
                "brw",
                "external_ids:go",
            ])
        });
        // The condition is false: the waiter must still be waiting.
        thread::sleep(Duration::from_millis(700));
        if waiter.is_finished() {
            let out = waiter.join().map(|o| o.to_string()).unwrap_or_default();
            panic!("wait-until returned before the row existed:\n{out}");
        }
        sb.vsctl_ok(&["add-br", "brw"]);
        thread::sleep(Duration::from_millis(300));
        if waiter.is_finished() {
            let out = waiter.join().map(|o| o.to_string()).unwrap_or_default();
            panic!("wait-until returned before go=yes:\n{out}");
        }
        sb.vsctl_ok(&["set", "bridge", "brw", "external_ids:go=yes"]);
        waiter.join()
    });
    match out {
        Ok(out) => assert_eq!(out.ok(), "yes\n"),
        Err(_) => panic!("waiter thread panicked"),
    }
}

#[test]
fn show_output() {
    let imp = impl_or_skip!("show_output");
    let sb = Sandbox::with_server("vsctl-show", imp);
    sb.vsctl_ok(&[
        "init",
        "--",
        "add-br",
        "br0",
        "--",
        "set",
        "bridge",
        "br0",
        "datapath_type=netdev",
        "--",
        "add-port",
        "br0",
        "p1",
        "tag=7",
        "--",
        "set",
        "interface",
        "p1",
        "type=vxlan",
        "options:remote_ip=10.0.0.1",
        "--",
        "add-bond",
        "br0",
        "bond0",
        "a",
        "b",
        "--",
        "set-controller",
        "br0",
        "tcp:127.0.0.1:6653",
        "--",
        "set-fail-mode",
        "br0",
        "secure",
        "--",
        "set-manager",
        "ptcp:6640",
        "--",
        "set",
        "Open_vSwitch",
        ".",
        "ovs_version=3.1.0",
    ]);
    let show = sb.vsctl_ok(&["show"]);
    let first = show.lines().next().unwrap_or_default();
    assert!(is_uuid(first), "{show}");
    assert_eq!(
        sb.vsctl_ok(&["get", "Open_vSwitch", ".", "_uuid"]),
        format!("{first}\n")
    );
    let canon = canonical_vsctl_show(&show, &UuidMap::default());
    let expected = "\
ffffffff-ffff-ffff-ffff-000000000001
    Bridge br0
        Controller \"tcp:127.0.0.1:6653\"
        Port bond0
            Interface a
            Interface b
        Port br0
            Interface br0
                type: internal
        Port p1
            Interface p1
                options: {remote_ip=\"10.0.0.1\"}
                type: vxlan
            tag: 7
        datapath_type: netdev
        fail_mode: secure
    Manager \"ptcp:6640\"
    ovs_version: \"3.1.0\"
";
    assert_eq!(canon, expected, "raw show:\n{show}");
}

#[test]
fn emer_reset_clears_configuration() {
    let imp = impl_or_skip!("emer_reset_clears_configuration");
    let sb = Sandbox::with_server("vsctl-emer", imp);
    sb.vsctl_ok(&[
        "init",
        "--",
        "add-br",
        "br0",
        "--",
        "add-port",
        "br0",
        "p1",
        "tag=7",
        "--",
        "set-controller",
        "br0",
        "tcp:127.0.0.1:6653",
        "--",
        "set-fail-mode",
        "br0",
        "secure",
        "--",
        "set-manager",
        "ptcp:6640",
        "--",
        "set",
        "bridge",
        "br0",
        "other_config:a=b",
        "other_config:hwaddr=\"00:11:22:33:44:55\"",
        "external_ids:x=y",
        "flood_vlans=5",
        "--",
        "set",
        "port",
        "p1",
        "other_config:z=1",
        "external_ids:k=v",
        "--",
        "set",
        "interface",
        "p1",
        "other_config:q=2",
        "options:o=p",
        "ingress_policing_rate=1000",
        "ingress_policing_burst=100",
        "--",
        "--id=@m",
        "create",
        "Mirror",
        "name=m1",
        "select_all=true",
        "--",
        "add",
        "bridge",
        "br0",
        "mirrors",
        "@m",
        "--",
        "--id=@n",
        "create",
        "NetFlow",
        "targets=\"127.0.0.1:5566\"",
        "--",
        "set",
        "bridge",
        "br0",
        "netflow=@n",
        "--",
        "set",
        "Open_vSwitch",
        ".",
        "other_config:foo=bar",
        "external_ids:system-id=abc",
    ]);
    assert_eq!(
        sb.vsctl_ok(&["--bare", "--columns=name", "list", "Mirror"]),
        "m1\n"
    );
    assert_eq!(
        sb.vsctl_ok(&["get", "interface", "p1", "ingress_policing_rate"]),
        "1000\n"
    );
    sb.vsctl_ok(&["emer-reset"]);
    let get = |args: &[&str]| sb.vsctl_ok(args);
    assert_eq!(
        get(&[
            "get",
            "bridge",
            "br0",
            "controller",
            "fail_mode",
            "mirrors",
            "netflow",
            "other_config",
            "flood_vlans",
            "external_ids",
        ]),
        "[]\n[]\n[]\n[]\n{hwaddr=\"00:11:22:33:44:55\"}\n[]\n{x=y}\n"
    );
    assert_eq!(
        get(&["get", "port", "p1", "other_config", "external_ids", "tag"]),
        "{}\n{k=v}\n7\n"
    );
    assert_eq!(
        get(&[
            "get",
            "interface",
            "p1",
            "other_config",
            "options",
            "ingress_policing_rate",
            "ingress_policing_burst",
        ]),
        "{q=\"2\"}\n{o=p}\n0\n0\n"
    );
    assert_eq!(
        get(&[
            "get",
            "Open_vSwitch",
            ".",
            "manager_options",
            "ssl",
            "other_config",
            "external_ids",
        ]),
        "[]\n[]\n{foo=bar}\n{system-id=abc}\n"
    );
    // The rows nothing references any more are gone.
    for table in ["Mirror", "NetFlow", "Controller", "Manager"] {
        assert_eq!(get(&["list", table]), "", "{table} rows left");
    }
    assert_eq!(get(&["list-ports", "br0"]), "p1\n");
}
