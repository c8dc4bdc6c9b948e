//! `ovs-ofctl` against the switch under test (side A, `OVS_TEST_IMPL`) and
//! against Debian's `ovs-vswitchd` (side B, always real), in lockstep: the
//! same command runs on A and then on B, and both must agree on exit
//! status, stdout and stderr byte for byte once live values are masked
//! (`ovs_tests::switch::mask_ofctl`: durations, flow ages, log clocks, the
//! sandbox path, which errno a hang-up gave the tool) and hash-ordered
//! lists are put in order (`sort_flows_within_tables` and friends: real
//! OVS itself lists flows of one table, groups, monitor events and
//! `diff-flows` lines differently from run to run). Everything else,
//! including the order of meters and ports, is compared as printed.
//!
//! Each script runs on A and B in the same order; the switches start the
//! same way ([`standard_setup`]: ports added one by one with fixed numbers,
//! a fixed bridge address), so even their dummy MAC addresses agree.
//!
//! The flows come from the corpus in `tests/data/ofctl/` (see
//! [`CORPUS`]); every file runs under each OpenFlow version its first line
//! names, through one script of `ovs-ofctl` commands ([`corpus_script`]).
//! `errors.cmds` lists commands that must fail (or succeed) exactly as on
//! real OVS, including raw messages `ovs-ofctl` would never send. Every
//! expectation about real OVS is checked on side B too, so the scripts
//! cannot silently rot.

use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use ovs_tests::canon::diff_report;
use ovs_tests::switch::{
    Switch, mask_ofctl, ovs_ofctl, sort_entries, sort_flows_within_tables, sort_lines, unhex,
};
use ovs_tests::{Impl, Output, switch_impl_or_skip};

/// Flow files of the corpus, grouped as the tests run them.
const L2_L3_FILES: &[&str] = &["match_l2.flows", "match_l3.flows", "flow_attrs.flows"];
const L4_META_FILES: &[&str] = &["match_l4.flows", "match_meta.flows"];
const ACTION_FILES: &[&str] = &["actions_basic.flows", "actions_nx.flows"];
const VERSION_FILES: &[&str] = &["of10.flows", "of13.flows", "of15.flows"];
/// Every flow file (the corpus size check counts these).
const CORPUS: &[&[&str]] = &[L2_L3_FILES, L4_META_FILES, ACTION_FILES, VERSION_FILES];

fn data_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join("ofctl")
        .join(name)
}

fn read_data(name: &str) -> String {
    let path = data_path(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => panic!("cannot read {}: {e}", path.display()),
    }
}

/// The non-comment, non-blank lines of a data file.
fn data_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// The versions a flow file is for: its `# versions: ...` line.
fn file_versions(text: &str) -> Vec<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("# versions:"))
        .map(|v| v.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

/// How an output is put in canonical form before comparing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Order {
    /// As printed (the order is deterministic in real OVS).
    Exact,
    /// Flow dumps: flows of one table in sorted order.
    Flows,
    /// Entries under each header sorted (groups, monitor events).
    Entries,
    /// All lines sorted (`diff-flows`).
    Lines,
}

/// What real OVS must do with a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Ok,
    Err,
    /// Either; only the agreement of both sides matters.
    Any,
}

/// One ovs-ofctl command of a script.
struct Cmd {
    args: Vec<String>,
    stdin: Option<String>,
    order: Order,
    expect: Expect,
}

impl Cmd {
    fn new(args: &[&str], order: Order, expect: Expect) -> Cmd {
        Cmd {
            args: args.iter().map(|s| s.to_string()).collect(),
            stdin: None,
            order,
            expect,
        }
    }

    /// `ovs-ofctl -O VERSION ARGS`, which must succeed on real OVS.
    fn ok(version: &str, args: &[&str], order: Order) -> Cmd {
        let mut all = vec!["-O", version];
        all.extend_from_slice(args);
        Cmd::new(&all, order, Expect::Ok)
    }

    fn with_stdin(mut self, stdin: String) -> Cmd {
        self.stdin = Some(stdin);
        self
    }
}

/// The switch under test and real OVS, set up identically.
struct Pair {
    a: Switch,
    b: Switch,
    commands: usize,
}

/// What every switch of these tests has: br0 with three dummy ports as
/// OpenFlow ports 1-3 (added one by one, so their dummy MAC addresses are
/// assigned in a known order) and a fixed bridge address, hence a fixed
/// datapath ID.
fn standard_setup(sw: &Switch) {
    sw.add_bridge("br0", &["other_config:hwaddr=\"02:00:00:00:00:01\""]);
    for (n, port) in ["p1", "p2", "p3"].iter().enumerate() {
        sw.add_port("br0", port, &[&format!("ofport_request={}", n + 1)]);
    }
}

impl Pair {
    fn new(name: &str, imp: Impl, setup: impl Fn(&Switch)) -> Pair {
        let a = Switch::start(&format!("{name}-A"), imp);
        let b = Switch::start(&format!("{name}-B"), Impl::Real);
        setup(&a);
        setup(&b);
        Pair { a, b, commands: 0 }
    }

    fn run_one(sw: &Switch, cmd: &Cmd) -> Output {
        let args: Vec<&str> = cmd.args.iter().map(String::as_str).collect();
        match &cmd.stdin {
            Some(input) => sw.ofctl_stdin(&args, input.as_bytes()),
            None => sw.ofctl(&args),
        }
    }

    /// Runs `cmd` on A then B, checks B against the expectation and A
    /// against B; returns B's output.
    #[track_caller]
    fn run(&mut self, step: &str, cmd: &Cmd) -> Output {
        self.commands += 1;
        let oa = Pair::run_one(&self.a, cmd);
        let ob = Pair::run_one(&self.b, cmd);
        let described = format!("ovs-ofctl {}", cmd.args.join(" "));
        match cmd.expect {
            Expect::Ok => assert!(
                ob.success(),
                "{step}: {described} should succeed on real OVS (fix the script):\n{ob}"
            ),
            Expect::Err => assert!(
                ob.status.is_some() && !ob.success(),
                "{step}: {described} should fail on real OVS (fix the script):\n{ob}"
            ),
            Expect::Any => {}
        }
        self.compare(step, &described, cmd.order, &oa, &ob);
        ob
    }

    #[track_caller]
    fn compare(&self, step: &str, described: &str, order: Order, oa: &Output, ob: &Output) {
        let ra = render(&self.a, order, oa);
        let rb = render(&self.b, order, ob);
        if let Some(report) = diff_report(self.a.label(), &ra, self.b.label(), &rb) {
            panic!(
                "{step}: {described}: the switches disagree\n{report}\n\n{}\n{}",
                self.a.diagnostics(),
                self.b.diagnostics()
            );
        }
    }

    #[track_caller]
    fn run_all(&mut self, step: &str, cmds: &[Cmd]) {
        for (i, cmd) in cmds.iter().enumerate() {
            self.run(&format!("{step} #{i}"), cmd);
        }
    }
}

fn canonical_order(order: Order, text: &str) -> String {
    match order {
        Order::Exact => text.to_string(),
        Order::Flows => sort_flows_within_tables(text),
        Order::Entries => sort_entries(text),
        Order::Lines => sort_lines(text),
    }
}

/// One side's result in comparable form.
fn render(sw: &Switch, order: Order, o: &Output) -> String {
    let stdout = canonical_order(order, &mask_ofctl(&o.stdout, sw.dir()));
    let stderr = mask_ofctl(&o.stderr, sw.dir());
    let status = match o.status {
        Some(s) => format!("{s}"),
        None => "killed at the deadline".to_string(),
    };
    format!("exit: {status}\n--- stdout\n{stdout}--- stderr\n{stderr}")
}

/// Splits on commas outside parentheses (flow syntax nests them).
fn split_top_level(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' | '{' | '[' => depth += 1,
            ')' | '}' | ']' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

/// The part of a flow line that identifies the flow for `--strict`
/// modify/delete: table, priority and match, without actions, cookie,
/// timeouts, importance and flags.
fn strict_match(line: &str) -> String {
    let before_actions = match line.find("actions=") {
        Some(pos) => &line[..pos],
        None => line,
    };
    let dropped = [
        "cookie=",
        "idle_timeout=",
        "hard_timeout=",
        "importance=",
        "send_flow_rem",
        "check_overlap",
        "reset_counts",
        "no_packet_counts",
        "no_byte_counts",
    ];
    split_top_level(before_actions)
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty() && !dropped.iter().any(|d| p.starts_with(d)))
        .collect::<Vec<_>>()
        .join(",")
}

/// The version groups and meters are managed with while flows of `version`
/// are tested (groups need 1.1+, meters 1.3+).
fn group_version(version: &str) -> &str {
    if version == "OpenFlow10" {
        "OpenFlow11"
    } else {
        version
    }
}

fn meter_version(version: &str) -> &str {
    if version == "OpenFlow10" {
        "OpenFlow13"
    } else {
        version
    }
}

/// Clears br0 and installs the corpus groups and meters.
fn reset_script(version: &str) -> Vec<Cmd> {
    let gv = group_version(version);
    let mv = meter_version(version);
    let mut cmds = vec![
        Cmd::ok(version, &["del-flows", "br0"], Order::Exact),
        Cmd::ok(gv, &["del-groups", "br0"], Order::Exact),
        Cmd::ok(mv, &["del-meters", "br0"], Order::Exact),
    ];
    let groups = data_path("groups.groups").display().to_string();
    cmds.push(Cmd::ok(gv, &["add-groups", "br0", &groups], Order::Exact));
    for meter in data_lines(&read_data("meters.meters")) {
        cmds.push(Cmd::ok(mv, &["add-meter", "br0", meter], Order::Exact));
    }
    cmds
}

/// The script one flow file runs under one version. Each command's output
/// is compared; the dumps between the modifying commands show every
/// effect.
fn corpus_script(file: &str, version: &str) -> Vec<Cmd> {
    let text = read_data(file);
    let flows = data_lines(&text);
    let path = data_path(file).display().to_string();
    let v = version;
    let gv = group_version(version);
    let mv = meter_version(version);
    let dump = || Cmd::ok(v, &["dump-flows", "br0"], Order::Flows);
    // `diff-flows` exits 2 when it finds differences, and some matches
    // have no exact form in some versions (e.g. a VLAN PCP match without
    // the CFI bit in OXM): what counts is that both switches agree.
    let diff = || {
        Cmd::new(
            &["-O", v, "diff-flows", "br0", &path],
            Order::Lines,
            Expect::Any,
        )
    };
    // Under OpenFlow 1.0 alone, ovs-ofctl cannot replace flows of several
    // tables with cookies (it needs a flow format the 1.0 session lacks).
    let replace = || {
        Cmd::new(
            &["-O", v, "replace-flows", "br0", &path],
            Order::Exact,
            Expect::Any,
        )
    };
    let mut cmds = reset_script(version);

    // Install, and every way to look at the result.
    cmds.push(Cmd::ok(v, &["add-flows", "br0", &path], Order::Exact));
    cmds.push(dump());
    cmds.push(Cmd::ok(v, &["--sort", "dump-flows", "br0"], Order::Exact));
    cmds.push(Cmd::ok(v, &["--rsort", "dump-flows", "br0"], Order::Exact));
    cmds.push(Cmd::ok(
        v,
        &["--names", "--sort", "dump-flows", "br0"],
        Order::Exact,
    ));
    cmds.push(Cmd::ok(
        v,
        &["--no-names", "--rsort=priority", "dump-flows", "br0"],
        Order::Exact,
    ));
    for filter in [
        "table=0",
        "table=1",
        "ip",
        "ipv6",
        "tcp",
        "arp",
        "in_port=1",
        "cookie=0x10/0xf0",
        "cookie=0x0/-1",
        "out_port=1",
        "out_port=p2",
        "ip,nw_src=2.0.0.0/24",
    ] {
        // An exact cookie is answered from OVS's cookie index, whose
        // hash-chain order mixes tables (the hidden table 254 included):
        // that order is an artifact, so those dumps compare as sorted sets.
        let order = if filter.ends_with("/-1") {
            Order::Entries
        } else {
            Order::Flows
        };
        cmds.push(Cmd::ok(v, &["dump-flows", "br0", filter], order));
    }
    cmds.push(Cmd::ok(v, &["dump-aggregate", "br0"], Order::Exact));
    cmds.push(Cmd::ok(v, &["dump-aggregate", "br0", "tcp"], Order::Exact));
    cmds.push(Cmd::ok(
        v,
        &["dump-aggregate", "br0", "table=0,out_port=1"],
        Order::Exact,
    ));
    cmds.push(diff());
    cmds.push(Cmd::ok(gv, &["dump-groups", "br0"], Order::Entries));
    cmds.push(Cmd::ok(gv, &["dump-group-stats", "br0"], Order::Entries));
    cmds.push(Cmd::ok(mv, &["dump-meters", "br0"], Order::Exact));
    cmds.push(Cmd::ok(mv, &["meter-stats", "br0"], Order::Exact));
    cmds.push(Cmd::ok(v, &["dump-tables", "br0"], Order::Exact));

    // Loose modify and delete, with cookie masks and port filters.
    for (op, arg) in [
        ("mod-flows", "ipv6,actions=output:2"),
        ("mod-flows", "cookie=0x30/0xf0,actions=drop"),
        ("mod-flows", "table=1,actions=output:3"),
        ("del-flows", "out_port=1"),
        ("del-flows", "cookie=0x10/0xf0"),
        ("del-flows", "tcp"),
        ("del-flows", "table=2"),
    ] {
        cmds.push(Cmd::ok(v, &[op, "br0", arg], Order::Exact));
        cmds.push(dump());
    }
    // The original flows come back, the others go.
    cmds.push(diff());
    cmds.push(replace());
    cmds.push(diff());
    cmds.push(Cmd::ok(v, &["--sort", "dump-flows", "br0"], Order::Exact));

    // Strict operations on each flow: every third one deleted, every
    // third modified, the rest kept.
    for (i, flow) in flows.iter().enumerate() {
        let m = strict_match(flow);
        match i % 3 {
            0 => cmds.push(Cmd::ok(
                v,
                &["--strict", "del-flows", "br0", &m],
                Order::Exact,
            )),
            1 => {
                let modified = format!("{m},actions=output:3");
                cmds.push(Cmd::ok(
                    v,
                    &["--strict", "mod-flows", "br0", &modified],
                    Order::Exact,
                ));
            }
            _ => {}
        }
    }
    cmds.push(Cmd::ok(v, &["--sort", "dump-flows", "br0"], Order::Exact));
    cmds.push(Cmd::ok(v, &["dump-aggregate", "br0"], Order::Exact));

    // Deleting groups and meters takes the flows using them along.
    cmds.push(replace());
    cmds.push(Cmd::ok(
        gv,
        &["del-groups", "br0", "group_id=1"],
        Order::Exact,
    ));
    cmds.push(Cmd::ok(mv, &["del-meters", "br0", "meter=1"], Order::Exact));
    cmds.push(Cmd::ok(v, &["--sort", "dump-flows", "br0"], Order::Exact));
    cmds.push(Cmd::ok(gv, &["dump-groups", "br0"], Order::Entries));
    cmds.push(Cmd::ok(mv, &["dump-meters", "br0"], Order::Exact));

    // Everything again as one bundle, from stdin.
    cmds.push(Cmd::ok(v, &["del-flows", "br0"], Order::Exact));
    cmds.push(dump());
    cmds.extend(reset_script(version));
    // A file whose flows have no OpenFlow 1.4 form says `# bundle: fails`.
    let bundle = if text.lines().any(|l| l.trim() == "# bundle: fails") {
        Expect::Err
    } else {
        Expect::Ok
    };
    cmds.push(
        Cmd::new(
            &["-O", v, "--bundle", "add-flows", "br0", "-"],
            Order::Exact,
            bundle,
        )
        .with_stdin(text.clone()),
    );
    // Bundles are OpenFlow 1.4 messages whatever -O says.
    cmds.push(diff());
    cmds.push(Cmd::ok(
        v,
        &["--readd", "add-flows", "br0", &path],
        Order::Exact,
    ));
    cmds.push(replace());
    cmds.push(diff());
    cmds.push(dump());
    cmds.push(Cmd::ok(v, &["del-flows", "br0"], Order::Exact));
    cmds.push(Cmd::ok(v, &["dump-aggregate", "br0"], Order::Exact));
    cmds
}

fn run_corpus(test: &str, imp: Impl, files: &[&str]) {
    let started = Instant::now();
    let mut pair = Pair::new(test, imp, standard_setup);
    // The flows the bridge starts with (fail-mode standalone's NORMAL).
    pair.run(
        "initial",
        &Cmd::ok("OpenFlow13", &["dump-flows", "br0"], Order::Flows),
    );
    let mut flows = 0;
    for file in files {
        let text = read_data(file);
        let versions = file_versions(&text);
        assert!(!versions.is_empty(), "{file} has no `# versions:` line");
        flows += data_lines(&text).len();
        for version in &versions {
            let script = corpus_script(file, version);
            let t = Instant::now();
            pair.run_all(&format!("{file} under {version}"), &script);
            println!(
                "{test}: {file} under {version}: {} commands, {:.1?}",
                script.len(),
                t.elapsed()
            );
        }
    }
    println!(
        "{test}: {flows} flows, {} commands on each side, {:.1?}",
        pair.commands,
        started.elapsed()
    );
}

#[test]
fn corpus_is_big_enough() {
    let flows: usize = CORPUS
        .iter()
        .flat_map(|files| files.iter())
        .map(|f| data_lines(&read_data(f)).len())
        .sum();
    let groups = data_lines(&read_data("groups.groups")).len();
    let meters = data_lines(&read_data("meters.meters")).len();
    assert!(flows >= 300, "only {flows} flows in the corpus");
    assert!(
        groups >= 10 && meters >= 5,
        "{groups} groups, {meters} meters"
    );
    for files in CORPUS {
        for file in *files {
            let text = read_data(file);
            let versions = file_versions(&text);
            assert!(
                !versions.is_empty()
                    && versions
                        .iter()
                        .all(|v| v.starts_with("OpenFlow1") && v.len() == 10),
                "{file}: bad versions line {versions:?}"
            );
            // Priorities are unique per file, so `--sort` output has a
            // single right order.
            let mut seen = std::collections::HashSet::new();
            for line in data_lines(&text) {
                let key = strict_match(line);
                assert!(seen.insert(key.clone()), "{file}: duplicate flow {key}");
            }
        }
    }
}

#[test]
fn strict_match_strips_everything_but_the_match() {
    assert_eq!(
        strict_match(
            "cookie=0x1,table=3,priority=5,idle_timeout=5,send_flow_rem,packet_type=(1,0x800),\
             ip,actions=learn(table=1,a=b),output:1"
        ),
        "table=3,priority=5,packet_type=(1,0x800),ip"
    );
    assert_eq!(strict_match("priority=1,actions="), "priority=1");
}

#[test]
fn ofctl_l2_l3_corpus() {
    let imp = switch_impl_or_skip!("ofctl_l2_l3_corpus");
    run_corpus("ofctl-l2l3", imp, L2_L3_FILES);
}

#[test]
fn ofctl_l4_meta_corpus() {
    let imp = switch_impl_or_skip!("ofctl_l4_meta_corpus");
    run_corpus("ofctl-l4meta", imp, L4_META_FILES);
}

#[test]
fn ofctl_action_corpus() {
    let imp = switch_impl_or_skip!("ofctl_action_corpus");
    run_corpus("ofctl-action", imp, ACTION_FILES);
}

#[test]
fn ofctl_version_corpus() {
    let imp = switch_impl_or_skip!("ofctl_version_corpus");
    run_corpus("ofctl-version", imp, VERSION_FILES);
}

/// Renders the replies to a raw message as `ovs-ofctl ofp-print` shows
/// them; "err" when one is an OFPT_ERROR.
fn raw_exchange(sw: &Switch, version: u8, msg: &[u8]) -> Output {
    let command = format!("raw OpenFlow v{version} {}", ovs_tests::switch::hex(msg));
    let mut conn = match sw.openflow("br0", version) {
        Ok(conn) => conn,
        Err(e) => panic!(
            "{}: cannot open OpenFlow session: {e}\n{}",
            sw.label(),
            sw.diagnostics()
        ),
    };
    let replies = match conn.exchange(msg) {
        Ok(replies) => replies,
        Err(e) => panic!("{}: {command}: {e}\n{}", sw.label(), sw.diagnostics()),
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    let mut error = false;
    for reply in &replies {
        error |= reply.get(1) == Some(&1);
        let printed = sw.ofp_print(reply);
        stdout.push_str(&printed.stdout);
        stderr.push_str(&printed.stderr);
    }
    // Shaped like a command's output so the usual comparison applies.
    let status = Some(ExitStatus::from_raw(if error { 1 << 8 } else { 0 }));
    Output {
        command,
        status,
        stdout,
        stderr,
    }
}

fn wire_version(name: &str) -> u8 {
    match name {
        "OpenFlow10" => 1,
        "OpenFlow11" => 2,
        "OpenFlow12" => 3,
        "OpenFlow13" => 4,
        "OpenFlow14" => 5,
        "OpenFlow15" => 6,
        other => panic!("unknown version {other}"),
    }
}

#[test]
fn ofctl_error_corpus() {
    let imp = switch_impl_or_skip!("ofctl_error_corpus");
    let started = Instant::now();
    let mut pair = Pair::new("ofctl-errors", imp, |sw| {
        standard_setup(sw);
        sw.add_bridge("br1", &["protocols=OpenFlow13"]);
    });
    pair.run_all("setup", &reset_script("OpenFlow13"));
    let text = read_data("errors.cmds");
    let (mut oks, mut errs) = (0, 0);
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let step = format!("errors.cmds:{}", n + 1);
        let words: Vec<&str> = line.split_whitespace().collect();
        let (expect, version, rest) = match words.as_slice() {
            [e, v, rest @ ..] if !rest.is_empty() => (*e, *v, rest),
            _ => panic!("{step}: malformed line {line:?}"),
        };
        let expect = match expect {
            "ok" => Expect::Ok,
            "err" => Expect::Err,
            other => panic!("{step}: expectation must be ok or err, not {other:?}"),
        };
        match expect {
            Expect::Ok => oks += 1,
            _ => errs += 1,
        }
        if rest[0] == "raw" {
            let msg = match unhex(&rest[1..].concat()) {
                Ok(msg) => msg,
                Err(e) => panic!("{step}: {e}"),
            };
            let v = wire_version(version);
            pair.commands += 1;
            let oa = raw_exchange(&pair.a, v, &msg);
            let ob = raw_exchange(&pair.b, v, &msg);
            assert_eq!(
                ob.success(),
                expect == Expect::Ok,
                "{step}: real OVS did not answer as the corpus says:\n{ob}"
            );
            pair.compare(&step, &oa.command, Order::Exact, &oa, &ob);
            continue;
        }
        let mut args = vec!["-O", version];
        args.extend(rest.iter().map(|w| if *w == "BR" { "br0" } else { *w }));
        let order = if args.contains(&"dump-flows") {
            Order::Flows
        } else if args.contains(&"dump-groups") {
            Order::Entries
        } else {
            Order::Exact
        };
        pair.run(&step, &Cmd::new(&args, order, expect));
    }
    assert!(errs >= 60, "only {errs} failing commands");
    println!(
        "ofctl_error_corpus: {oks} succeeding and {errs} failing commands, {:.1?}",
        started.elapsed()
    );
}

/// Everything a controller can read about the switch itself, in every
/// version that has it.
#[test]
fn ofctl_switch_views() {
    let imp = switch_impl_or_skip!("ofctl_switch_views");
    let started = Instant::now();
    let mut pair = Pair::new("ofctl-views", imp, standard_setup);
    let all = [
        "OpenFlow10",
        "OpenFlow11",
        "OpenFlow12",
        "OpenFlow13",
        "OpenFlow14",
        "OpenFlow15",
    ];
    let mut cmds = Vec::new();
    for v in all {
        cmds.push(Cmd::ok(v, &["show", "br0"], Order::Exact));
        cmds.push(Cmd::ok(v, &["--names", "show", "br0"], Order::Exact));
        cmds.push(Cmd::ok(v, &["dump-desc", "br0"], Order::Exact));
        cmds.push(Cmd::ok(v, &["dump-tables", "br0"], Order::Exact));
        cmds.push(Cmd::ok(v, &["dump-ports", "br0"], Order::Exact));
        cmds.push(Cmd::ok(v, &["dump-ports", "br0", "2"], Order::Exact));
        cmds.push(Cmd::ok(v, &["dump-ports", "br0", "LOCAL"], Order::Exact));
        cmds.push(Cmd::ok(v, &["dump-ports-desc", "br0"], Order::Exact));
        cmds.push(Cmd::ok(v, &["dump-ports-desc", "br0", "p1"], Order::Exact));
        cmds.push(Cmd::ok(v, &["queue-stats", "br0"], Order::Exact));
        cmds.push(Cmd::ok(v, &["get-frags", "br0"], Order::Exact));
        cmds.push(Cmd::ok(v, &["dump-flows", "br0"], Order::Flows));
        cmds.push(Cmd::ok(v, &["dump-aggregate", "br0"], Order::Exact));
        cmds.push(Cmd::ok(v, &["probe", "br0"], Order::Exact));
        cmds.push(Cmd::new(
            &["-O", v, "dump-ports", "br0", "9"],
            Order::Exact,
            Expect::Any,
        ));
    }
    for v in &all[1..] {
        cmds.push(Cmd::ok(v, &["dump-group-features", "br0"], Order::Exact));
        cmds.push(Cmd::ok(v, &["dump-groups", "br0"], Order::Entries));
    }
    for v in &all[3..] {
        cmds.push(Cmd::ok(v, &["dump-table-features", "br0"], Order::Exact));
        cmds.push(Cmd::ok(v, &["meter-features", "br0"], Order::Exact));
        cmds.push(Cmd::ok(v, &["dump-meters", "br0"], Order::Exact));
    }
    for v in &all[4..] {
        cmds.push(Cmd::ok(v, &["dump-table-desc", "br0"], Order::Exact));
    }
    for v in ["OpenFlow10", "OpenFlow13"] {
        for change in [
            "down",
            "no-flood",
            "no-forward",
            "no-receive",
            "no-packet-in",
            "up",
            "flood",
            "forward",
            "receive",
            "packet-in",
        ] {
            cmds.push(Cmd::ok(v, &["mod-port", "br0", "p2", change], Order::Exact));
            cmds.push(Cmd::ok(v, &["show", "br0"], Order::Exact));
        }
    }
    cmds.push(Cmd::ok(
        "OpenFlow15",
        &["dump-ports-desc", "br0"],
        Order::Exact,
    ));
    // Bridge configuration the switch reports back.
    pair.run_all("views", &cmds);
    for sw in [&pair.a, &pair.b] {
        sw.vsctl_ok(&[
            "set",
            "bridge",
            "br0",
            "other_config:dp-desc=\"test bridge\"",
            "other_config:datapath-id=00000000000000ab",
            "protocols=OpenFlow10,OpenFlow13,OpenFlow15",
            "--",
            "set",
            "interface",
            "p3",
            "admin_state=down",
        ]);
    }
    let mut after = Vec::new();
    for v in ["OpenFlow10", "OpenFlow13", "OpenFlow15"] {
        after.push(Cmd::ok(v, &["show", "br0"], Order::Exact));
        after.push(Cmd::ok(v, &["dump-desc", "br0"], Order::Exact));
    }
    after.push(Cmd::new(
        &["-O", "OpenFlow14", "show", "br0"],
        Order::Exact,
        Expect::Err,
    ));
    pair.run_all("after reconfiguration", &after);
    println!(
        "ofctl_switch_views: {} commands on each side, {:.1?}",
        pair.commands,
        started.elapsed()
    );
}

/// What `ovs-ofctl monitor` prints, with events of one reply in order.
fn monitor_text(sw: &Switch, stdout: &str, stderr: &str) -> String {
    format!(
        "--- stdout\n{}--- stderr\n{}",
        sort_entries(&mask_ofctl(stdout, sw.dir())),
        mask_ofctl(stderr, sw.dir())
    )
}

/// Waits until `pred` holds for what `mon` printed on stderr.
#[track_caller]
fn wait_for_stderr(mon: &ovs_tests::Background, what: &str, pred: impl Fn(&str) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !pred(&mon.stderr()) {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}\n--- stdout\n{}\n--- stderr\n{}",
            mon.stdout(),
            mon.stderr()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A marker flow whose event means every earlier change has been printed.
const MARKER: &str = "priority=4321,dl_type=0x1234,actions=output:3";

#[test]
fn ofctl_monitor_sees_flow_changes() {
    let imp = switch_impl_or_skip!("ofctl_monitor_sees_flow_changes");
    let started = Instant::now();
    let mut pair = Pair::new("ofctl-monitor", imp, standard_setup);
    let changes: Vec<Cmd> = [
        (
            "OpenFlow13",
            "add-flow",
            "cookie=0x5,priority=7,udp,actions=drop",
        ),
        (
            "OpenFlow13",
            "add-flow",
            "table=1,priority=8,tcp,tp_dst=80,actions=output:1",
        ),
        (
            "OpenFlow10",
            "add-flow",
            "priority=9,ip,nw_src=1.2.3.4,actions=output:2",
        ),
        ("OpenFlow13", "mod-flows", "ip,actions=output:3"),
        ("OpenFlow13", "del-flows", "udp"),
        (
            "OpenFlow15",
            "add-flow",
            "table=2,priority=10,arp,actions=normal",
        ),
        ("OpenFlow13", "del-flows", "table=1"),
    ]
    .iter()
    .map(|(v, op, flow)| Cmd::ok(v, &[op, "br0", flow], Order::Exact))
    .collect();
    let specs: &[(&str, &[&str])] = &[
        ("OpenFlow10", &["watch:"]),
        ("OpenFlow13", &["watch:!initial"]),
        ("OpenFlow14", &["watch:"]),
        ("OpenFlow10", &["watch:!initial,table=0"]),
        ("OpenFlow15", &["watch:!initial,!delete,!actions"]),
        ("OpenFlow14", &["watch:!initial,out_port=3"]),
    ];
    for (round, (version, watch)) in specs.iter().enumerate() {
        let mut args = vec!["-O", version, "monitor", "br0"];
        args.extend_from_slice(watch);
        let mut monitors = Vec::new();
        for sw in [&pair.a, &pair.b] {
            let mut mon = sw.background(ovs_ofctl(), &args);
            // The reply to the monitor request (the initial flows, or
            // none) says the monitor is in place.
            mon.wait_for("the flow monitor reply", Duration::from_secs(20), |out| {
                out.contains("reply")
            });
            monitors.push(mon);
        }
        pair.run_all(&format!("monitor round {round}"), &changes);
        let marker = Cmd::ok("OpenFlow13", &["add-flow", "br0", MARKER], Order::Exact);
        pair.run(&format!("monitor round {round} marker"), &marker);
        let mut texts = Vec::new();
        for (sw, mon) in [&pair.a, &pair.b].into_iter().zip(monitors) {
            // `monitor` prints the reply to its request on stdout and the
            // switch's asynchronous messages on stderr.
            wait_for_stderr(&mon, "the marker flow's event", |err| {
                err.contains("dl_type=0x1234")
            });
            // Later events would arrive now; give them a moment to show.
            std::thread::sleep(Duration::from_millis(100));
            let (stdout, stderr) = mon.finish();
            texts.push(monitor_text(sw, &stdout, &stderr));
        }
        let what = format!("ovs-ofctl {}", args.join(" "));
        if let Some(report) = diff_report(pair.a.label(), &texts[0], pair.b.label(), &texts[1]) {
            panic!(
                "monitor round {round}: {what}: the monitors disagree\n{report}\n\n{}\n{}",
                pair.a.diagnostics(),
                pair.b.diagnostics()
            );
        }
        assert!(
            texts[1].contains("event=ADDED table=0 cookie=0 dl_type=0x1234"),
            "{what} saw no additions on real OVS:\n{}",
            texts[1]
        );
        // Back to the start for the next round.
        pair.run_all(
            &format!("monitor round {round} reset"),
            &[
                Cmd::ok("OpenFlow13", &["del-flows", "br0"], Order::Exact),
                Cmd::ok(
                    "OpenFlow13",
                    &["add-flow", "br0", "priority=0,actions=normal"],
                    Order::Exact,
                ),
            ],
        );
    }
    println!(
        "ofctl_monitor_sees_flow_changes: {} rounds, {:.1?}",
        specs.len(),
        started.elapsed()
    );
}

/// The comparison must see a real difference: one flow more on B.
#[test]
fn ofctl_comparison_detects_a_difference() {
    let imp = switch_impl_or_skip!("ofctl_comparison_detects_a_difference");
    let pair = Pair::new("ofctl-sanity", imp, standard_setup);
    let extra = pair
        .b
        .ofctl(&["add-flow", "br0", "cookie=0x7,priority=3,ip,actions=drop"]);
    assert!(extra.success(), "{extra}");
    for (args, order) in [
        (&["dump-flows", "br0"][..], Order::Flows),
        (&["--sort", "dump-flows", "br0"][..], Order::Exact),
        (&["dump-aggregate", "br0"][..], Order::Exact),
    ] {
        let ra = render(&pair.a, order, &pair.a.ofctl(args));
        let rb = render(&pair.b, order, &pair.b.ofctl(args));
        assert!(
            diff_report("A", &ra, "B", &rb).is_some(),
            "{args:?} hid the extra flow:\n{ra}\n{rb}"
        );
    }
}
