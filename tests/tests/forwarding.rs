//! Real packets through the userspace datapath: a switch (`OVS_TEST_IMPL`)
//! runs in a network namespace of its own with a `datapath_type=netdev`
//! bridge; each host is another namespace joined to a `system` port of the
//! bridge by a veth pair. The hosts ping each other and run iperf3 through
//! the switch, under the default NORMAL flow, explicit OpenFlow rules,
//! VLAN access and trunk ports, and no flows at all; the bridge's internal
//! port answers ping once it has an address.
//!
//! `OVS_TEST_IMPL=real` runs the same tests on Debian's `ovs-vswitchd`
//! (its userspace datapath works without the kernel module), which is how
//! the expectations here are checked.

use std::time::Duration;

use ovs_tests::netns::{NetNs, unique_tag, veth};
use ovs_tests::switch::{Switch, SwitchConfig};
use ovs_tests::{Impl, switch_impl_or_skip};

/// A switch and its hosts. Fields drop in order: the switch stops before
/// the namespaces (and the devices in them) go.
struct Lab {
    sw: Switch,
    hosts: Vec<NetNs>,
    sw_ns: NetNs,
    tag: String,
}

impl Lab {
    /// A switch with bridge `br0` (netdev datapath, standalone) and no
    /// hosts yet.
    fn new(test: &str, imp: Impl) -> Lab {
        let sw_ns = NetNs::new("sw");
        let sw = Switch::start_with(test, SwitchConfig::new(imp).netns(sw_ns.name()));
        sw.vsctl_ok(&[
            "add-br",
            "br0",
            "--",
            "set",
            "bridge",
            "br0",
            "datapath_type=netdev",
        ]);
        Lab {
            sw,
            hosts: Vec::new(),
            sw_ns,
            tag: unique_tag(),
        }
    }

    /// Adds host `n` (1-based) with address `addr` (CIDR) on `eth0`, whose
    /// peer is `system` port `p<n>` with OpenFlow port number `n` and the
    /// given Port settings (e.g. `tag=10`).
    fn host(&mut self, n: usize, addr: Option<&str>, port_settings: &[&str]) -> usize {
        self.host_on("br0", n, addr, port_settings)
    }

    /// Like [`Lab::host`], on bridge `bridge`.
    fn host_on(
        &mut self,
        bridge: &str,
        n: usize,
        addr: Option<&str>,
        port_settings: &[&str],
    ) -> usize {
        let host = NetNs::new(&format!("h{n}"));
        let port = self.port_name(n);
        veth(&host, "eth0", &self.sw_ns, &port);
        if let Some(a) = addr {
            host.ok(&["ip", "addr", "add", a, "dev", "eth0"]);
        }
        let ofport = format!("ofport_request={n}");
        let mut args = vec!["add-port", bridge, &port];
        if !port_settings.is_empty() {
            args.extend(["--", "set", "port", &port]);
            args.extend_from_slice(port_settings);
        }
        args.extend(["--", "set", "interface", &port, &ofport]);
        self.sw.vsctl_ok(&args);
        self.hosts.push(host);
        self.hosts.len() - 1
    }

    fn port_name(&self, n: usize) -> String {
        format!("p{n}x{}", self.tag)
    }

    /// Pings `dst` from host index `from`; true if replies came back.
    fn ping(&self, from: usize, dst: &str) -> bool {
        self.hosts[from]
            .exec_with_deadline(
                &["ping", "-c", "3", "-i", "0.2", "-W", "2", "-q", dst],
                Duration::from_secs(20),
            )
            .success()
    }

    fn diagnostics(&self) -> String {
        let flows = self.sw.ofctl(&["dump-flows", "br0"]);
        let dp = self.sw.vswitchd_appctl(&["dpctl/dump-flows"]);
        format!(
            "flows:\n{}\ndatapath flows:\n{}{}\n{}",
            flows.stdout,
            dp.stdout,
            dp.stderr,
            self.sw.diagnostics()
        )
    }

    #[track_caller]
    fn assert_ping(&self, from: usize, dst: &str, expect: bool) {
        let got = self.ping(from, dst);
        assert_eq!(
            got,
            expect,
            "{}: ping from host {} to {dst} {}\n{}",
            self.sw.label(),
            from + 1,
            if expect { "failed" } else { "got through" },
            self.diagnostics()
        );
    }
}

/// Runs iperf3 from host `client` to host `server` at `addr`; extra client
/// arguments select UDP and the like. Returns the client's report.
fn iperf(lab: &Lab, server: usize, client: usize, addr: &str, extra: &[&str]) -> String {
    let port = format!("{}", 20000 + std::process::id() % 20000);
    let mut srv = lab.hosts[server].exec_background(&["iperf3", "-s", "-1", "-p", &port]);
    std::thread::sleep(Duration::from_millis(300));
    let mut args = vec!["iperf3", "-c", addr, "-p", &port, "-t", "2"];
    args.extend_from_slice(extra);
    let out = lab.hosts[client].exec_with_deadline(&args, Duration::from_secs(30));
    let _ = srv.kill();
    let _ = srv.wait();
    assert!(
        out.success(),
        "{}: iperf3 {} failed: {out}\n{}",
        lab.sw.label(),
        extra.join(" "),
        lab.diagnostics()
    );
    out.stdout
}

#[test]
fn normal_forwards_ping_and_iperf_until_the_flows_go() {
    let imp = switch_impl_or_skip!("normal_forwards_ping_and_iperf_until_the_flows_go");
    let mut lab = Lab::new("fwd-normal", imp);
    let h1 = lab.host(1, Some("10.0.0.1/24"), &[]);
    let h2 = lab.host(2, Some("10.0.0.2/24"), &[]);
    lab.assert_ping(h1, "10.0.0.2", true);
    lab.assert_ping(h2, "10.0.0.1", true);

    let tcp = iperf(&lab, h2, h1, "10.0.0.2", &[]);
    assert!(tcp.contains("receiver"), "{tcp}");
    let udp = iperf(&lab, h2, h1, "10.0.0.2", &["-u", "-b", "20M"]);
    assert!(udp.contains("receiver"), "{udp}");

    lab.sw.ofctl(&["del-flows", "br0"]);
    lab.assert_ping(h1, "10.0.0.2", false);
}

#[test]
fn explicit_port_to_port_flows_forward() {
    let imp = switch_impl_or_skip!("explicit_port_to_port_flows_forward");
    let mut lab = Lab::new("fwd-explicit", imp);
    let h1 = lab.host(1, Some("10.0.1.1/24"), &[]);
    lab.host(2, Some("10.0.1.2/24"), &[]);
    lab.sw.ofctl(&["del-flows", "br0"]);
    let add = lab
        .sw
        .ofctl(&["add-flow", "br0", "in_port=1,actions=output:2"]);
    assert!(add.success(), "{add}");
    let add = lab
        .sw
        .ofctl(&["add-flow", "br0", "in_port=2,actions=output:1"]);
    assert!(add.success(), "{add}");
    lab.assert_ping(h1, "10.0.1.2", true);

    // One direction gone: no replies.
    let del = lab.sw.ofctl(&["del-flows", "br0", "in_port=2"]);
    assert!(del.success(), "{del}");
    lab.assert_ping(h1, "10.0.1.2", false);
}

/// Two bridges joined by a trunk (a veth pair between two `system`
/// ports, both trunks for VLANs 10 and 20), each with an access port in
/// VLAN 10 and one in VLAN 20: the kernel here has no VLAN devices, so the
/// tagged side of the test is the switch's own trunk, which must tag on
/// output and accept tagged frames on input.
#[test]
fn vlan_access_ports_are_separated_and_a_trunk_carries_both() {
    let imp = switch_impl_or_skip!("vlan_access_ports_are_separated_and_a_trunk_carries_both");
    let mut lab = Lab::new("fwd-vlan", imp);
    lab.sw.vsctl_ok(&[
        "add-br",
        "br1",
        "--",
        "set",
        "bridge",
        "br1",
        "datapath_type=netdev",
    ]);
    let h1 = lab.host_on("br0", 1, Some("10.0.2.1/24"), &["tag=10"]);
    let h2 = lab.host_on("br0", 2, Some("10.0.2.2/24"), &["tag=20"]);
    let h3 = lab.host_on("br1", 3, Some("10.0.2.3/24"), &["tag=10"]);
    let h4 = lab.host_on("br1", 4, Some("10.0.2.4/24"), &["tag=20"]);
    let (t0, t1) = (format!("t0x{}", lab.tag), format!("t1x{}", lab.tag));
    veth(&lab.sw_ns, &t0, &lab.sw_ns, &t1);
    for (br, port) in [("br0", &t0), ("br1", &t1)] {
        lab.sw.vsctl_ok(&[
            "add-port",
            br,
            port,
            "--",
            "set",
            "port",
            port,
            "trunks=10,20",
        ]);
    }

    lab.assert_ping(h1, "10.0.2.3", true);
    lab.assert_ping(h2, "10.0.2.4", true);
    lab.assert_ping(h4, "10.0.2.2", true);
    lab.assert_ping(h1, "10.0.2.2", false);
    lab.assert_ping(h1, "10.0.2.4", false);
    lab.assert_ping(h3, "10.0.2.2", false);
}

#[test]
fn the_bridge_internal_port_answers_ping() {
    let imp = switch_impl_or_skip!("the_bridge_internal_port_answers_ping");
    let mut lab = Lab::new("fwd-local", imp);
    let h1 = lab.host(1, Some("10.0.3.1/24"), &[]);
    lab.sw_ns
        .ok(&["ip", "addr", "add", "10.0.3.254/24", "dev", "br0"]);
    lab.sw_ns.ok(&["ip", "link", "set", "br0", "up"]);
    lab.assert_ping(h1, "10.0.3.254", true);
}
