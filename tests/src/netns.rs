//! Network namespaces and veth pairs for tests that move real packets.
//!
//! Every namespace gets a name unique to this process and call, and is
//! deleted (with every device in it) when its [`NetNs`] drops, on success
//! and on panic alike. Device names are short (Linux allows 15 bytes) and
//! carry the same unique tag, so tests can run in parallel.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use std::process::Command;

use crate::process::{self, Output};

fn run_with_deadline(program: &str, args: &[&str], deadline: Duration) -> Output {
    let mut cmd = Command::new(program);
    cmd.args(args);
    process::run(cmd, None, deadline)
}

static NEXT: AtomicU32 = AtomicU32::new(0);

/// A short tag unique to this process and call: `<pid mod 10^5><n>`.
pub fn unique_tag() -> String {
    format!(
        "{}{}",
        std::process::id() % 100_000,
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Runs `ip` with `args`, panicking with its output if it fails.
#[track_caller]
pub fn ip(args: &[&str]) -> String {
    let out = run_with_deadline("ip", args, Duration::from_secs(20));
    assert!(out.success(), "ip {}: {out}", args.join(" "));
    out.stdout
}

/// A network namespace, deleted on drop.
#[derive(Debug)]
pub struct NetNs {
    name: String,
}

impl NetNs {
    /// A fresh namespace named `ors-<what>-<tag>`, with its loopback up.
    pub fn new(what: &str) -> NetNs {
        let name = format!("ors-{what}-{}", unique_tag());
        ip(&["netns", "add", &name]);
        let ns = NetNs { name };
        ns.ok(&["ip", "link", "set", "lo", "up"]);
        ns
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs a command inside the namespace.
    pub fn exec(&self, argv: &[&str]) -> Output {
        self.exec_with_deadline(argv, Duration::from_secs(30))
    }

    pub fn exec_with_deadline(&self, argv: &[&str], deadline: Duration) -> Output {
        let mut args = vec!["netns", "exec", self.name.as_str()];
        args.extend_from_slice(argv);
        run_with_deadline("ip", &args, deadline)
    }

    /// Runs a command inside the namespace, panicking if it fails.
    #[track_caller]
    pub fn ok(&self, argv: &[&str]) -> String {
        let out = self.exec(argv);
        assert!(out.success(), "in {}: {}: {out}", self.name, argv.join(" "));
        out.stdout
    }

    /// Starts a command inside the namespace in the background; the caller
    /// kills and reaps it.
    pub fn exec_background(&self, argv: &[&str]) -> std::process::Child {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", self.name.as_str()])
            .args(argv)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        match cmd.spawn() {
            Ok(c) => c,
            Err(e) => panic!("cannot start {} in {}: {e}", argv.join(" "), self.name),
        }
    }

    /// `ip netns exec NAME` as a command prefix, for daemons that must run
    /// inside.
    pub fn prefix(&self) -> Vec<String> {
        vec![
            "ip".to_string(),
            "netns".to_string(),
            "exec".to_string(),
            self.name.clone(),
        ]
    }
}

impl Drop for NetNs {
    fn drop(&mut self) {
        let _ = run_with_deadline("ip", &["netns", "del", &self.name], Duration::from_secs(20));
    }
}

/// Makes a veth pair with end `a` in namespace `ns_a` and end `b` in
/// `ns_b`, both up. Transmit checksum offload is turned off on both ends,
/// as OVS's own userspace-datapath tests do: a frame that leaves a
/// namespace with its checksum still to be filled in would otherwise reach
/// the other side through a userspace switch unfinished.
#[track_caller]
pub fn veth(ns_a: &NetNs, a: &str, ns_b: &NetNs, b: &str) {
    ip(&[
        "link",
        "add",
        a,
        "netns",
        ns_a.name(),
        "type",
        "veth",
        "peer",
        "name",
        b,
        "netns",
        ns_b.name(),
    ]);
    for (ns, dev) in [(ns_a, a), (ns_b, b)] {
        ns.ok(&["ip", "link", "set", dev, "up"]);
        ns.ok(&["ethtool", "-K", dev, "tx", "off"]);
    }
}
