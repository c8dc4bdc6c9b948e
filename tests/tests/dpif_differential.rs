//! Packets through the switch under test (side A, `OVS_TEST_IMPL`) and
//! through Debian's `ovs-vswitchd --enable-dummy` (side B, always real):
//! the same scenario of configuration, OpenFlow flows and injected packets
//! runs on both, and what the datapath ends up with must agree, command by
//! command: `ovs-appctl dpctl/dump-flows` (the megaflows: keys, masks,
//! counters, actions), `dpif/dump-flows`, `ofproto/trace` (the whole text),
//! `fdb/show`, `ovs-ofctl dump-flows` (OpenFlow counters, learned flows)
//! and the very packets every port sent (captured by netdev-dummy).
//!
//! # Scenario files
//!
//! The scenarios are in `tests/data/dpif/*.scenarios` ([`FILES`]); each
//! file is one `#[test]`, and the tests run in parallel, every scenario in
//! two fresh sandboxes of its own (A and B run side by side in two threads).
//!
//! A file is a list of lines. Blank lines and lines starting with `#` are
//! ignored. `scenario NAME` starts a scenario (names are unique across all
//! files); every other line is one step of the current scenario:
//!
//! ```text
//! [!|?]COMMAND ARG...
//! ```
//!
//! Words are separated by white space; a word in single quotes may hold
//! spaces (the quotes are removed; there are no escapes). Double quotes are
//! ordinary characters, as `ovs-vsctl` wants them (`other_config:x="a b"`
//! needs the single quotes around it). A step must succeed on real OVS
//! unless it starts with `!` (real OVS must fail it) or `?` (either).
//! Every expectation is checked on side B, so a scenario cannot silently
//! rot: a step that real OVS answers otherwise fails the test with a "fix
//! the scenario" message.
//!
//! | command | runs | compared as |
//! |---|---|---|
//! | `bridge NAME [COL=VAL...]` | `ovs-vsctl add-br NAME -- set bridge NAME datapath_type=dummy other_config:hwaddr=02:00:00:00:00:NN COL=VAL...` (NN counts bridges: br0 is 01) | exit status and output |
//! | `port BRIDGE NAME OFPORT [COL=VAL...]` | `ovs-vsctl add-port BRIDGE NAME COL=VAL... -- set interface NAME type=dummy ofport_request=OFPORT` (`COL` are Port columns: `tag=10`, `trunks=10,20`, `vlan_mode=native-untagged`) | same |
//! | `patch BR1 NAME1 OFPORT1 BR2 NAME2 OFPORT2` | a pair of patch ports peered with each other | same |
//! | `vsctl ARG...` | `ovs-vsctl ARG...` (waits for the daemon) | same |
//! | `ofctl ARG...` | `ovs-ofctl ARG...` (`-O VERSION` as needed) | masked as in `ofctl_differential.rs`, dumps in canonical order |
//! | `receive PORT PACKET...` | `ovs-appctl netdev-dummy/receive PORT PACKET...` (a datapath flow in ODP syntax, or hex; `--len N` may follow a flow) | exit status and output |
//! | `dump-flows [ARG...]` | `ovs-appctl dpctl/dump-flows ARG...` (e.g. `-m`) | [`canonical_dp_flows`] |
//! | `dpif-flows ARG...` | `ovs-appctl dpif/dump-flows ARG...` (e.g. `br0`, `-m br0`) | [`canonical_dp_flows`] |
//! | `trace ARG...` | `ovs-appctl ofproto/trace ARG...` | as printed |
//! | `fdb BRIDGE` | `ovs-appctl fdb/show BRIDGE` | ages masked, entries sorted ([`canonical_fdb`]) |
//! | `appctl ARG...` | any other `ovs-appctl ARG...` | as printed |
//! | `sent [INTERFACE...]` | the packets the interfaces (all if none named) sent since `sent` last showed them: every `bridge` and `port` interface captures what it sends (netdev-dummy's `options:tx_pcap`) | every packet in hex, per interface |
//!
//! Every scenario starts from the same switch ([`SETUP`]): bridge `br0`
//! (address 02:00:00:00:00:01, the default `NORMAL` flow) with dummy ports
//! `p1`..`p4` as OpenFlow ports 1-4. The dummy datapath numbers a port
//! after the digits that end its name (`p3` is datapath port 3, bridges
//! are 100 and up), so write `in_port(3)` for a packet received on `p3`,
//! and give new ports names that end in unused numbers. After the last
//! step come [`EPILOGUE`]'s `dump-flows`, `ofctl -O OpenFlow15 dump-flows
//! br0` and `sent` (so every packet every port sent, checksums included,
//! is compared).
//!
//! ## Adding a scenario
//!
//! 1. Append `scenario my-name` and its steps to the file of its family
//!    (or create a file and list it in [`FILES`] with its own `#[test]`).
//! 2. Run it on real OVS twice, printing what real OVS answered:
//!    `OVS_TEST_IMPL=real OVS_DPIF_SCENARIO=my-name OVS_DPIF_SHOW=1 cargo
//!    test -p ovs-tests --test dpif_differential -- --nocapture`.
//!    Check that the transcript shows what the scenario is about (the
//!    packet took the intended flow, the trace says why).
//! 3. If real-vs-real disagrees, find out why before masking anything: the
//!    masks here hide only values that are random or timed in real OVS.
//!
//! Pitfalls found so far:
//! - A table miss goes to the controller whenever an OpenFlow connection
//!   below version 1.3 (or not yet negotiated) is open, and `ovs-ofctl`'s
//!   own connection is one while it runs. So when an `ofctl` step changes
//!   flows after packets whose translation ended in a table miss, the
//!   revalidators may re-translate those megaflows while `ovs-ofctl` is
//!   still connected, and real OVS answers `drop` or `userspace(...)`
//!   depending on the race. Give such tables a `priority=0` flow.
//! - In `ofproto/trace`'s flow syntax `tp_src`/`tp_dst` are the TCP fields
//!   and `icmp_type`/`icmp_code` the ICMPv4 ones: write `udp_dst=`,
//!   `icmpv6_type=`.
//! - An 802.3 frame (length instead of ethertype) is a flow without
//!   `eth_type(...)`: `eth_type(0x0026)` is rejected.
//!
//! # Determinism
//!
//! Real OVS handles a received packet in its main loop after the
//! `netdev-dummy/receive` command has returned, and installs the megaflow
//! there and then (the dummy datapath's upcalls are synchronous); but its
//! revalidator threads rewrite and delete datapath flows later, whenever a
//! MAC is learned or the OpenFlow tables or ports change, and they are the
//! ones that push datapath counters into OpenFlow counters and refresh MAC
//! entries. So before any step that looks at the switch, and before every
//! packet (whose counters depend on the flows it finds), a side whose state
//! changed since it last settled is settled: two `ovs-appctl version`, then
//! two `ovs-appctl revalidator/wait` ([`Side::settle`] says why that is
//! enough). An implementation under test must offer both commands; its
//! `revalidator/wait` must return once every datapath flow reflects every
//! earlier command. Configuration steps (`bridge`, `port`, `patch`,
//! `vsctl`, changing `ofctl` commands) do not settle before they run.
//!
//! The setup makes real OVS's timing harmless: revalidators run every
//! 100 ms (`other_config:max-revalidator=100`, so a settle takes 100 to
//! 200 ms), idle flows live 100 s (`max-idle`), far beyond any scenario,
//! and `min-revalidate-pps=1` keeps a slow revalidation round (more than
//! 50 ms, on a loaded machine) from deleting a flow hit less than a second
//! ago instead of revalidating it.
//!
//! What remains random or timed in real OVS is masked, and nothing else:
//! ufids (OVS hashes flow keys with a per-process random secret), `used:`
//! times, fdb ages, OpenFlow durations and ages, UUIDs that `ovs-vsctl
//! create` prints. Hash-ordered lists are sorted: datapath flows, OpenFlow
//! flows within a table, groups. So are fdb entries, whose
//! least-recently-refreshed order depends on the clock (an entry is
//! refreshed by a known MAC only once it is a second old).
//!
//! Environment: `OVS_DPIF_SCENARIO=SUBSTRING` runs the matching scenarios
//! only; `OVS_DPIF_SHOW=1` prints real OVS's transcript of each scenario;
//! `OVS_DPIF_DETAILS=all` reports every differing scenario in full (by
//! default the first three of a file, and one summary line for each).

use std::collections::HashSet;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::thread;
use std::time::{Duration, Instant};

use ovs_tests::canon::{diff_report, first_difference};
use ovs_tests::switch::{
    Switch, canonical_dp_flows, canonical_fdb, hex, mask_ofctl, sort_entries,
    sort_flows_within_tables,
};
use ovs_tests::{Impl, Output, REAL_BINDIR, switch_impl_or_skip};

/// The scenario files, each run by its own test.
const FILES: &[&str] = &[
    "l2.scenarios",
    "actions.scenarios",
    "pipeline.scenarios",
    "matching.scenarios",
    "appctl.scenarios",
];

/// What every scenario starts with, in scenario syntax.
const SETUP: &str = "\
vsctl set open_vswitch . other_config:max-revalidator=100 other_config:max-idle=100000 other_config:min-revalidate-pps=1
bridge br0
port br0 p1 1
port br0 p2 2
port br0 p3 3
port br0 p4 4
";

/// What every scenario ends with.
const EPILOGUE: &str = "\
dump-flows
ofctl -O OpenFlow15 dump-flows br0
sent
";

/// What [`Side::settle`] runs: two commands that only take a main-loop
/// iteration each, then two revalidation rounds.
const SETTLE_COMMANDS: &[&str] = &["version", "version", "revalidator/wait", "revalidator/wait"];

/// How long one `ovs-appctl` may take: real OVS answers in milliseconds
/// (a `revalidator/wait` in about 100), so this only bounds a hung daemon.
const APPCTL_TIMEOUT: &str = "--timeout=10";

/// What real OVS must do with a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Ok,
    Fail,
    Any,
}

/// The kinds of steps (the first word of a step line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Bridge,
    Port,
    Patch,
    Vsctl,
    Ofctl,
    Receive,
    DumpFlows,
    DpifFlows,
    Trace,
    Fdb,
    Appctl,
    Sent,
}

impl Kind {
    fn parse(word: &str) -> Option<Kind> {
        Some(match word {
            "bridge" => Kind::Bridge,
            "port" => Kind::Port,
            "patch" => Kind::Patch,
            "vsctl" => Kind::Vsctl,
            "ofctl" => Kind::Ofctl,
            "receive" => Kind::Receive,
            "dump-flows" => Kind::DumpFlows,
            "dpif-flows" => Kind::DpifFlows,
            "trace" => Kind::Trace,
            "fdb" => Kind::Fdb,
            "appctl" => Kind::Appctl,
            "sent" => Kind::Sent,
            _ => return None,
        })
    }

    /// The `ovs-appctl` command behind a step kind.
    fn appctl_command(self) -> Option<&'static str> {
        match self {
            Kind::Receive => Some("netdev-dummy/receive"),
            Kind::DumpFlows => Some("dpctl/dump-flows"),
            Kind::DpifFlows => Some("dpif/dump-flows"),
            Kind::Trace => Some("ofproto/trace"),
            Kind::Fdb => Some("fdb/show"),
            _ => None,
        }
    }
}

/// One line of a scenario.
#[derive(Clone, Debug)]
struct Step {
    /// `FILE:LINE`, or `setup`/`epilogue`.
    location: String,
    expect: Expect,
    kind: Kind,
    args: Vec<String>,
}

/// A named list of steps.
#[derive(Clone, Debug)]
struct Scenario {
    name: String,
    location: String,
    steps: Vec<Step>,
}

/// Splits a step line into words: white space separates, single quotes
/// group (and are removed).
fn words(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if quoted {
        return Err(format!("unbalanced single quote in {line:?}"));
    }
    if in_word {
        out.push(word);
    }
    Ok(out)
}

/// Parses one step line (not blank, not a comment).
fn parse_step(location: String, line: &str) -> Result<Step, String> {
    let (expect, rest) = match line.as_bytes().first() {
        Some(b'!') => (Expect::Fail, &line[1..]),
        Some(b'?') => (Expect::Any, &line[1..]),
        _ => (Expect::Ok, line),
    };
    let mut all = words(rest).map_err(|e| format!("{location}: {e}"))?;
    if all.is_empty() {
        return Err(format!("{location}: empty step"));
    }
    let keyword = all.remove(0);
    let kind =
        Kind::parse(&keyword).ok_or_else(|| format!("{location}: unknown command {keyword:?}"))?;
    let args = all;
    let arity_ok = match kind {
        Kind::Bridge => !args.is_empty(),
        Kind::Port => args.len() >= 3 && args[2].parse::<u16>().is_ok(),
        Kind::Patch => {
            args.len() == 6 && args[2].parse::<u16>().is_ok() && args[5].parse::<u16>().is_ok()
        }
        Kind::Vsctl | Kind::Ofctl | Kind::Trace | Kind::Appctl | Kind::DpifFlows => {
            !args.is_empty()
        }
        Kind::Receive => args.len() >= 2,
        Kind::Fdb => args.len() == 1,
        Kind::DumpFlows | Kind::Sent => true,
    };
    if !arity_ok {
        return Err(format!(
            "{location}: wrong arguments for {keyword}: {args:?} (see the table at the top \
             of dpif_differential.rs)"
        ));
    }
    Ok(Step {
        location,
        expect,
        kind,
        args,
    })
}

/// Parses the steps of a fixed text (setup, epilogue).
fn fixed_steps(label: &str, text: &str) -> Vec<Step> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| match parse_step(label.to_string(), l.trim()) {
            Ok(step) => step,
            Err(e) => panic!("{e}"),
        })
        .collect()
}

/// Parses a scenario file.
fn parse_file(file: &str, text: &str) -> Result<Vec<Scenario>, String> {
    let mut scenarios: Vec<Scenario> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let location = format!("{file}:{}", n + 1);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix("scenario ") {
            let name = name.trim();
            if name.is_empty() || name.contains(char::is_whitespace) {
                return Err(format!("{location}: bad scenario name {name:?}"));
            }
            scenarios.push(Scenario {
                name: name.to_string(),
                location,
                steps: Vec::new(),
            });
            continue;
        }
        let step = parse_step(location.clone(), line)?;
        match scenarios.last_mut() {
            Some(s) => s.steps.push(step),
            None => return Err(format!("{location}: step before the first `scenario`")),
        }
    }
    for s in &scenarios {
        if s.steps.is_empty() {
            return Err(format!("{}: scenario {} has no steps", s.location, s.name));
        }
    }
    Ok(scenarios)
}

fn data_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join("dpif")
        .join(name)
}

fn load(file: &str) -> Vec<Scenario> {
    let path = data_path(file);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => panic!("cannot read {}: {e}", path.display()),
    };
    match parse_file(file, &text) {
        Ok(scenarios) => scenarios,
        Err(e) => panic!("{e}"),
    }
}

/// What one step produced on one side, in comparable form.
struct StepResult {
    /// The command as run (for reports).
    command: String,
    /// Exit status, masked and canonical stdout and stderr.
    rendered: String,
}

/// Everything one side did in a scenario.
struct Transcript {
    results: Vec<StepResult>,
    /// The daemons' log tails, for failure reports.
    diagnostics: String,
    /// How long starting the switch and the standard setup took.
    setup_time: Duration,
}

/// One side of a scenario: a switch and what is pending on it.
struct Side {
    sw: Switch,
    /// True when packets or configuration changed the switch since it was
    /// last settled.
    dirty: bool,
    bridges: usize,
    /// Interfaces that capture what they send, in the order they were
    /// added, with how many of their packets `sent` has shown.
    captures: Vec<(String, usize)>,
}

impl Side {
    fn appctl(&self, args: &[String]) -> Output {
        let ctl = self.sw.ctl_path().display().to_string();
        let mut all = vec!["-t", ctl.as_str(), APPCTL_TIMEOUT];
        all.extend(args.iter().map(String::as_str));
        self.sw
            .run(Path::new(REAL_BINDIR).join("ovs-appctl"), &all, None)
    }

    /// Waits until the revalidators have looked at everything the switch
    /// has done so far; returns the command that failed, if any.
    ///
    /// Real OVS's main loop handles a received packet one iteration after
    /// `netdev-dummy/receive` returned, notes a MAC it learned from it in
    /// the same iteration, and asks the revalidators to look at every flow
    /// (a new `reval_seq`) one iteration later; OpenFlow, port and database
    /// changes ask no later than that. Each unixctl connection is accepted
    /// no earlier than the iteration after the previous command's reply, so
    /// once two cheap commands have been answered, revalidation has been
    /// requested. `revalidator/wait` then returns when a revalidation round
    /// ends, but that round may have begun before the request; the round
    /// that ends the second wait began after the first one's, hence after
    /// the request, and it saw every flow with the new tables.
    fn settle(&mut self) -> Option<Output> {
        if !self.dirty {
            return None;
        }
        for command in SETTLE_COMMANDS {
            let out = self.appctl(&[command.to_string()]);
            if !out.success() {
                return Some(out);
            }
        }
        self.dirty = false;
        None
    }

    /// Where interface `name` writes the packets it sends.
    fn capture_path(&self, name: &str) -> PathBuf {
        self.sw.dir().join(format!("{name}-tx.pcap"))
    }

    /// The `ovs-vsctl` arguments that make interface `name` capture what it
    /// sends (netdev-dummy's `tx_pcap` option), and notes it for `sent`.
    fn capture(&mut self, name: &str) -> Vec<String> {
        self.captures.push((name.to_string(), 0));
        vec![
            "--".into(),
            "set".into(),
            "interface".into(),
            name.into(),
            format!("options:tx_pcap={}", self.capture_path(name).display()),
        ]
    }

    /// The packets the interfaces `names` (all capturing ones if none)
    /// sent since `sent` last showed them, in hex, one per line.
    fn sent(&mut self, names: &[String]) -> Output {
        let mut stdout = String::new();
        let mut ok = true;
        for index in 0..self.captures.len() {
            let (name, shown) = self.captures[index].clone();
            if !names.is_empty() && !names.contains(&name) {
                continue;
            }
            match read_pcap(&self.capture_path(&name)) {
                Ok(packets) => {
                    let new = packets.get(shown..).unwrap_or(&[]);
                    stdout.push_str(&format!("{name}: {} sent\n", new.len()));
                    for packet in new {
                        stdout.push_str(&format!("  {}\n", hex(packet)));
                    }
                    self.captures[index].1 = packets.len().max(shown);
                }
                Err(e) => {
                    ok = false;
                    stdout.push_str(&format!("{name}: {e}\n"));
                }
            }
        }
        for name in names {
            if !self.captures.iter().any(|(n, _)| n == name) {
                ok = false;
                stdout.push_str(&format!("{name}: not a capturing interface\n"));
            }
        }
        Output {
            command: format!("sent {}", names.join(" ")),
            status: Some(ExitStatus::from_raw(if ok { 0 } else { 1 << 8 })),
            stdout,
            stderr: String::new(),
        }
    }

    fn vsctl(&self, args: &[String]) -> Output {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.sw.vsctl(&args)
    }

    /// Runs one step; returns the command as run and its output.
    fn run(&mut self, step: &Step) -> (String, Output, Option<Output>) {
        let a = &step.args;
        let config = matches!(
            step.kind,
            Kind::Bridge | Kind::Port | Kind::Patch | Kind::Vsctl
        ) || (step.kind == Kind::Ofctl && !ofctl_is_read_only(a));
        let settled = if config { None } else { self.settle() };
        let (command, out) = match step.kind {
            Kind::Bridge => {
                self.bridges += 1;
                let mut args: Vec<String> = vec![
                    "add-br".into(),
                    a[0].clone(),
                    "--".into(),
                    "set".into(),
                    "bridge".into(),
                    a[0].clone(),
                    "datapath_type=dummy".into(),
                    format!(
                        "other_config:hwaddr=\"02:00:00:00:00:{:02x}\"",
                        self.bridges
                    ),
                ];
                args.extend(a[1..].iter().cloned());
                args.extend(self.capture(&a[0]));
                (format!("ovs-vsctl {}", args.join(" ")), self.vsctl(&args))
            }
            Kind::Port => {
                let mut args: Vec<String> = vec!["add-port".into(), a[0].clone(), a[1].clone()];
                args.extend(a[3..].iter().cloned());
                args.extend([
                    "--".into(),
                    "set".into(),
                    "interface".into(),
                    a[1].clone(),
                    "type=dummy".into(),
                    format!("ofport_request={}", a[2]),
                ]);
                args.extend(self.capture(&a[1]));
                (format!("ovs-vsctl {}", args.join(" ")), self.vsctl(&args))
            }
            Kind::Patch => {
                let half = |bridge: &str, name: &str, ofport: &str, peer: &str| -> Vec<String> {
                    vec![
                        "add-port".into(),
                        bridge.into(),
                        name.into(),
                        "--".into(),
                        "set".into(),
                        "interface".into(),
                        name.into(),
                        "type=patch".into(),
                        format!("options:peer={peer}"),
                        format!("ofport_request={ofport}"),
                    ]
                };
                let mut args = half(&a[0], &a[1], &a[2], &a[4]);
                args.push("--".into());
                args.extend(half(&a[3], &a[4], &a[5], &a[1]));
                (format!("ovs-vsctl {}", args.join(" ")), self.vsctl(&args))
            }
            Kind::Vsctl => (format!("ovs-vsctl {}", a.join(" ")), self.vsctl(a)),
            Kind::Ofctl => {
                let args: Vec<&str> = a.iter().map(String::as_str).collect();
                (format!("ovs-ofctl {}", a.join(" ")), self.sw.ofctl(&args))
            }
            Kind::Appctl => (format!("ovs-appctl {}", a.join(" ")), self.appctl(a)),
            Kind::Sent => (format!("sent {}", a.join(" ")), self.sent(a)),
            kind => {
                let mut args = vec![kind.appctl_command().unwrap_or("").to_string()];
                args.extend(a.iter().cloned());
                (format!("ovs-appctl {}", args.join(" ")), self.appctl(&args))
            }
        };
        if config || matches!(step.kind, Kind::Receive | Kind::Appctl) {
            self.dirty = true;
        }
        (command, out, settled)
    }
}

/// True for `ovs-ofctl` commands that change nothing.
fn ofctl_is_read_only(args: &[String]) -> bool {
    args.iter()
        .find(|a| !a.starts_with('-') && !a.starts_with("OpenFlow"))
        .is_some_and(|cmd| {
            cmd.starts_with("dump-")
                || matches!(
                    cmd.as_str(),
                    "show" | "queue-stats" | "meter-stats" | "get-frags" | "probe"
                )
        })
}

/// One side's output of a step in comparable form.
fn render(step: &Step, out: &Output, settled: Option<&Output>, dir: &Path) -> String {
    let dirs = dir.display().to_string();
    let plain = |t: &str| t.replace(&dirs, "$DIR");
    let stdout = match step.kind {
        Kind::DumpFlows | Kind::DpifFlows => canonical_dp_flows(&plain(&out.stdout)),
        Kind::Fdb => canonical_fdb(&plain(&out.stdout)),
        Kind::Ofctl => {
            let masked = mask_ofctl(&out.stdout, dir);
            if step.args.iter().any(|a| a == "dump-flows") {
                sort_flows_within_tables(&masked)
            } else if step
                .args
                .iter()
                .any(|a| a == "dump-groups" || a == "dump-group-stats")
            {
                sort_entries(&masked)
            } else {
                masked
            }
        }
        // `create` prints the new row's UUID, random in every run.
        Kind::Vsctl => mask_uuids(&plain(&out.stdout)),
        _ => plain(&out.stdout),
    };
    let stderr = mask_ofctl(&out.stderr, dir);
    let status = match out.status {
        Some(s) => format!("{s}"),
        None => "killed at the deadline".to_string(),
    };
    let mut text = String::new();
    if let Some(wait) = settled {
        text.push_str(&format!(
            "!! settling before this step failed ({}):\n{}{}",
            plain(&wait.command),
            plain(&wait.stdout),
            mask_ofctl(&wait.stderr, dir)
        ));
    }
    text.push_str(&format!(
        "exit: {status}\n--- stdout\n{stdout}--- stderr\n{stderr}"
    ));
    text
}

/// The packets of a pcap file, in order (either byte order, micro- or
/// nanosecond timestamps; a truncated last record is an error).
fn read_pcap(path: &Path) -> Result<Vec<Vec<u8>>, String> {
    let data = std::fs::read(path).map_err(|e| format!("cannot read capture: {e}"))?;
    let header = data
        .get(..24)
        .ok_or_else(|| format!("capture of {} bytes has no pcap header", data.len()))?;
    let magic = [header[0], header[1], header[2], header[3]];
    let little = match magic {
        [0xd4, 0xc3, 0xb2, 0xa1] | [0x4d, 0x3c, 0xb2, 0xa1] => true,
        [0xa1, 0xb2, 0xc3, 0xd4] | [0xa1, 0xb2, 0x3c, 0x4d] => false,
        _ => return Err(format!("not a pcap file (magic {})", hex(&magic))),
    };
    let word = |b: &[u8]| {
        let b = [b[0], b[1], b[2], b[3]];
        if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    };
    let mut packets = Vec::new();
    let mut rest = &data[24..];
    while !rest.is_empty() {
        let record = rest
            .get(..16)
            .ok_or_else(|| format!("truncated record header after {} packets", packets.len()))?;
        let len = usize::try_from(word(&record[8..12])).unwrap_or(usize::MAX);
        let packet = rest
            .get(16..16usize.saturating_add(len))
            .ok_or_else(|| format!("truncated packet after {} packets", packets.len()))?;
        packets.push(packet.to_vec());
        rest = &rest[16 + len..];
    }
    Ok(packets)
}

/// Replaces every UUID (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`) with
/// `<uuid>`.
fn mask_uuids(text: &str) -> String {
    fn is_uuid(b: &[u8]) -> bool {
        b.len() >= 36
            && b[..36].iter().enumerate().all(|(i, c)| {
                if matches!(i, 8 | 13 | 18 | 23) {
                    *c == b'-'
                } else {
                    c.is_ascii_hexdigit()
                }
            })
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if is_uuid(&bytes[i..]) {
            out.push_str(&text[copied..i]);
            out.push_str("<uuid>");
            i += 36;
            copied = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Runs `scenario` (setup, steps, epilogue) on a fresh switch of `imp`.
/// On real OVS (`check`), a step that does not meet its expectation
/// panics: the scenario is wrong.
fn run_side(imp: Impl, sandbox: &str, scenario: &Scenario, check: bool) -> Transcript {
    let started = Instant::now();
    let sw = Switch::start(sandbox, imp);
    let mut side = Side {
        sw,
        dirty: true,
        bridges: 0,
        captures: Vec::new(),
    };
    let setup_steps = fixed_steps("setup", SETUP).len();
    let mut setup_time = Duration::ZERO;
    let steps = fixed_steps("setup", SETUP)
        .into_iter()
        .chain(scenario.steps.iter().cloned())
        .chain(fixed_steps("epilogue", EPILOGUE));
    let mut results = Vec::new();
    for (index, step) in steps.enumerate() {
        if index == setup_steps {
            setup_time = started.elapsed();
        }
        let (command, out, settled) = side.run(&step);
        if check {
            if let Some(wait) = &settled {
                panic!(
                    "scenario {} ({}): real OVS could not settle before `{command}`:\n{wait}\n{}",
                    scenario.name,
                    step.location,
                    side.sw.diagnostics()
                );
            }
            let ok = match step.expect {
                Expect::Ok => out.success(),
                Expect::Fail => out.status.is_some() && !out.success(),
                Expect::Any => true,
            };
            assert!(
                ok,
                "scenario {} ({}): real OVS does not {} `{command}` (fix the scenario):\n{out}\n{}",
                scenario.name,
                step.location,
                if step.expect == Expect::Ok {
                    "accept"
                } else {
                    "reject"
                },
                side.sw.diagnostics()
            );
        }
        let rendered = render(&step, &out, settled.as_ref(), side.sw.dir());
        results.push(StepResult { command, rendered });
    }
    Transcript {
        results,
        diagnostics: side.sw.diagnostics(),
        setup_time,
    }
}

/// The text of a panic payload.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else {
        "(non-text panic)".to_string()
    }
}

fn step_location(scenario: &Scenario, index: usize) -> String {
    let setup = fixed_steps("setup", SETUP).len();
    if index < setup {
        "setup".to_string()
    } else if index < setup + scenario.steps.len() {
        scenario.steps[index - setup].location.clone()
    } else {
        "epilogue".to_string()
    }
}

/// How side A departed from real OVS in one scenario.
struct Failure {
    scenario: String,
    /// One line: where, and the first differing line of both sides.
    summary: String,
    /// The step's full comparison and side A's daemon logs.
    details: String,
}

/// How many failing scenarios of a file are reported in full (the others
/// get their summary line); `OVS_DPIF_DETAILS=all` reports all in full.
const DETAILED_FAILURES: usize = 3;

/// Runs one scenario on A and B; returns the slower setup time, or how A
/// differs. Panics when the scenario itself is wrong (real OVS does not
/// behave as it says).
fn run_scenario(imp: Impl, tag: &str, scenario: &Scenario) -> Result<Duration, Failure> {
    let (ta, tb) = thread::scope(|s| {
        let a = s.spawn(|| run_side(imp, &format!("{tag}-A"), scenario, false));
        let b = s.spawn(|| run_side(Impl::Real, &format!("{tag}-B"), scenario, true));
        (a.join(), b.join())
    });
    let tb = match tb {
        Ok(t) => t,
        Err(payload) => panic!("{}", panic_text(payload.as_ref())),
    };
    if std::env::var_os("OVS_DPIF_SHOW").is_some() {
        println!(
            "===== scenario {} ({}) on real OVS",
            scenario.name, scenario.location
        );
        for (i, r) in tb.results.iter().enumerate() {
            println!(
                "--- [{}] $ {}\n{}",
                step_location(scenario, i),
                r.command,
                r.rendered
            );
        }
    }
    let failure = |summary: String, details: String| Failure {
        scenario: scenario.name.clone(),
        summary,
        details,
    };
    let ta = match ta {
        Ok(t) => t,
        Err(payload) => {
            let text = panic_text(payload.as_ref());
            let first = text.lines().next().unwrap_or("").to_string();
            return Err(failure(
                format!("side A ({}) broke down: {first}", imp.label()),
                text,
            ));
        }
    };
    if ta.results.len() != tb.results.len() {
        return Err(failure(
            format!(
                "side A ran {} steps, real OVS {}",
                ta.results.len(),
                tb.results.len()
            ),
            ta.diagnostics,
        ));
    }
    for (i, (ra, rb)) in ta.results.iter().zip(&tb.results).enumerate() {
        let got = format!("got ({})", imp.label());
        if let Some(report) = diff_report(&got, &ra.rendered, "expected (real OVS)", &rb.rendered) {
            let where_ = format!("step {} ({})", i + 1, step_location(scenario, i));
            let first = first_difference(&ra.rendered, &rb.rendered).unwrap_or_default();
            return Err(failure(
                format!("{where_}: `{}`: {first}", shorten(&rb.command, 100)),
                format!(
                    "scenario {} ({}), {where_}:\n  $ {}\n{report}\n\n{}",
                    scenario.name, scenario.location, rb.command, ta.diagnostics
                ),
            ));
        }
    }
    Ok(ta.setup_time.max(tb.setup_time))
}

/// `text` cut to `max` characters, with an ellipsis when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max).collect();
        format!("{cut}...")
    }
}

/// The scenarios of `file` selected by `OVS_DPIF_SCENARIO`.
fn selected(file: &str) -> Vec<Scenario> {
    let filter = std::env::var("OVS_DPIF_SCENARIO").unwrap_or_default();
    load(file)
        .into_iter()
        .filter(|s| s.name.contains(&filter))
        .collect()
}

fn run_file(test: &str, imp: Impl, file: &str) {
    let started = Instant::now();
    let scenarios = selected(file);
    let short = file.trim_end_matches(".scenarios");
    let mut failures = Vec::new();
    for (n, scenario) in scenarios.iter().enumerate() {
        let t = Instant::now();
        match run_scenario(imp, &format!("dpif-{short}{n}"), scenario) {
            Ok(setup) => println!(
                "{test}: {} agrees in {:.1?} (setup {setup:.1?})",
                scenario.name,
                t.elapsed()
            ),
            Err(failure) => {
                println!("{test}: {} DIFFERS ({:.1?})", scenario.name, t.elapsed());
                failures.push(failure);
            }
        }
    }
    println!(
        "{test}: {} scenarios, {} differ, {:.1?}",
        scenarios.len(),
        failures.len(),
        started.elapsed()
    );
    if failures.is_empty() {
        return;
    }
    let width = failures.iter().map(|f| f.scenario.len()).max().unwrap_or(0);
    let summary: Vec<String> = failures
        .iter()
        .map(|f| format!("  {:width$}  {}", f.scenario, f.summary))
        .collect();
    let all = std::env::var("OVS_DPIF_DETAILS").is_ok_and(|v| v == "all");
    let shown = if all {
        failures.len()
    } else {
        DETAILED_FAILURES.min(failures.len())
    };
    let details: Vec<&str> = failures[..shown]
        .iter()
        .map(|f| f.details.as_str())
        .collect();
    panic!(
        "{file}: {} of {} scenarios differ from real OVS ({}):\n{}\n\nDetails of {} of them \
         (OVS_DPIF_SCENARIO=NAME runs one scenario, OVS_DPIF_DETAILS=all details every \
         one):\n\n{}",
        failures.len(),
        scenarios.len(),
        imp.label(),
        summary.join("\n"),
        shown,
        details.join("\n\n==========\n\n")
    );
}

#[test]
fn scenario_files_parse() {
    let mut names = HashSet::new();
    let mut total = 0;
    for file in FILES {
        for s in load(file) {
            assert!(
                names.insert(s.name.clone()),
                "{}: scenario name {} is used twice",
                s.location,
                s.name
            );
            assert!(
                s.steps
                    .iter()
                    .any(|st| matches!(st.kind, Kind::Receive | Kind::Trace)),
                "{}: scenario {} neither sends nor traces a packet",
                s.location,
                s.name
            );
            total += 1;
        }
    }
    assert!(total >= 30, "only {total} scenarios");
    fixed_steps("setup", SETUP);
    fixed_steps("epilogue", EPILOGUE);
}

#[test]
fn pcap_files_parse() {
    let dir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(e) => panic!("{e}"),
    };
    let path = dir.path().join("x.pcap");
    let mut data = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
    data.extend([0; 8]);
    data.extend([0xee, 5, 0, 0, 1, 0, 0, 0]);
    for packet in [&[1u8, 2, 3][..], &[0xff][..]] {
        data.extend([9, 9, 9, 9, 8, 8, 8, 8]);
        let len = u8::try_from(packet.len()).unwrap_or(0);
        data.extend([len, 0, 0, 0, len, 0, 0, 0]);
        data.extend_from_slice(packet);
    }
    let write = |bytes: &[u8]| {
        if let Err(e) = std::fs::write(&path, bytes) {
            panic!("{e}");
        }
    };
    write(&data);
    assert_eq!(read_pcap(&path), Ok(vec![vec![1, 2, 3], vec![0xff]]));
    write(&data[..data.len() - 1]);
    assert!(read_pcap(&path).is_err());
    write(&data[..10]);
    assert!(read_pcap(&path).is_err());
}

#[test]
fn words_and_steps_parse() {
    assert_eq!(
        words("a  'b c'  d'e f'g ''").unwrap_or_default(),
        vec!["a", "b c", "de fg", ""]
    );
    assert!(words("a 'b").is_err());
    let step =
        parse_step("x:1".into(), "!trace br0 'in_port=1, tcp'").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(step.expect, Expect::Fail);
    assert_eq!(step.kind, Kind::Trace);
    assert_eq!(step.args, vec!["br0", "in_port=1, tcp"]);
    assert!(parse_step("x:2".into(), "port br0 p5").is_err());
    assert!(parse_step("x:3".into(), "frobnicate").is_err());
    assert!(parse_file("f", "receive p1 x\n").is_err());
    assert!(parse_file("f", "scenario a\nscenario b\ntrace br0 x\n").is_err());
    assert_eq!(
        mask_uuids("344b221a-8b3d-4795-a9e3-7916ba087508\nx 00000000-0000-0000-0000-00000000000"),
        "<uuid>\nx 00000000-0000-0000-0000-00000000000"
    );
    assert!(ofctl_is_read_only(&[
        "-O".into(),
        "OpenFlow13".into(),
        "dump-flows".into()
    ]));
    assert!(!ofctl_is_read_only(&["add-flow".into(), "br0".into()]));
}

#[test]
fn dpif_l2() {
    let imp = switch_impl_or_skip!("dpif_l2");
    run_file("dpif_l2", imp, "l2.scenarios");
}

#[test]
fn dpif_actions() {
    let imp = switch_impl_or_skip!("dpif_actions");
    run_file("dpif_actions", imp, "actions.scenarios");
}

#[test]
fn dpif_pipeline() {
    let imp = switch_impl_or_skip!("dpif_pipeline");
    run_file("dpif_pipeline", imp, "pipeline.scenarios");
}

#[test]
fn dpif_matching() {
    let imp = switch_impl_or_skip!("dpif_matching");
    run_file("dpif_matching", imp, "matching.scenarios");
}

#[test]
fn dpif_appctl() {
    let imp = switch_impl_or_skip!("dpif_appctl");
    run_file("dpif_appctl", imp, "appctl.scenarios");
}

/// The comparison must see a real difference: an extra flow on B only
/// changes the datapath actions of the same packet.
#[test]
fn dpif_comparison_detects_a_difference() {
    let imp = switch_impl_or_skip!("dpif_comparison_detects_a_difference");
    let packet = "in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),\
                  ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)";
    let text = format!("scenario sanity\nreceive p1 {packet}\ndump-flows\n");
    let scenarios = match parse_file("sanity", &text) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    let mut differing = scenarios[0].clone();
    let extra = parse_step(
        "sanity:extra".into(),
        "ofctl add-flow br0 priority=5,udp,actions=output:3",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    differing.steps.insert(0, extra);
    let ta = run_side(imp, "dpif-sanity-A", &scenarios[0], false);
    let tb = run_side(Impl::Real, "dpif-sanity-B", &differing, true);
    // The epilogue's `dump-flows`: the same packet, other actions.
    let datapath = |t: &Transcript| {
        t.results
            .iter()
            .rev()
            .find(|r| r.command.contains("dpctl/dump-flows"))
            .map(|r| r.rendered.clone())
            .unwrap_or_default()
    };
    assert!(
        datapath(&tb).contains("actions:3"),
        "the extra flow did not apply on real OVS:\n{}",
        datapath(&tb)
    );
    assert!(
        diff_report("A", &datapath(&ta), "B", &datapath(&tb)).is_some(),
        "the extra flow went unnoticed:\n{}\n{}",
        datapath(&ta),
        datapath(&tb)
    );
}
