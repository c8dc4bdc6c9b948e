//! A throw-away Open vSwitch: a [`Sandbox`] with its database and
//! `ovsdb-server`, plus an `ovs-vswitchd` on it, each from the chosen
//! implementation, driven with Debian's `ovs-vsctl`, `ovs-ofctl` and
//! `ovs-appctl` (or raw OpenFlow through [`OfConn`]).
//!
//! Nothing here touches the host: the daemon runs with `--enable-dummy
//! --disable-system`, bridges get `datapath_type=dummy` and ports
//! `type=dummy` ([`Switch::add_bridge`], [`Switch::add_port`]), and every
//! file and socket (including the `BRIDGE.mgmt` sockets `ovs-ofctl` talks
//! to) lives in the sandbox directory, so switches run side by side.
//!
//! Dropping a [`Switch`] stops `ovs-vswitchd` the way an operator would
//! (`ovs-appctl exit`), then with SIGTERM and SIGKILL if it does not go,
//! and then the database server as [`Sandbox`] does.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::process::{self, Background, Output};
use crate::sandbox::Sandbox;
use crate::{Impl, REAL_BINDIR, REAL_SBINDIR, ours_bindir};

/// How long a starting `ovs-vswitchd` may take to accept unixctl
/// connections and apply its first configuration.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// How long `ovs-vswitchd` gets to leave after `ovs-appctl exit`, and again
/// after SIGTERM.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// The daemon options every switch gets unless told otherwise: dummy
/// datapaths and netdevs only, no kernel datapath.
pub const DEFAULT_VSWITCHD_ARGS: &[&str] = &["--enable-dummy", "--disable-system"];

/// Path of `imp`'s `ovs-vswitchd`.
pub fn vswitchd_path(imp: Impl) -> PathBuf {
    match imp {
        Impl::Ours => ours_bindir().join("ovs-vswitchd"),
        Impl::Real => Path::new(REAL_SBINDIR).join("ovs-vswitchd"),
    }
}

/// Debian's `ovs-ofctl`, the tool every OpenFlow test drives switches with.
pub fn ovs_ofctl() -> PathBuf {
    Path::new(REAL_BINDIR).join("ovs-ofctl")
}

/// Panics with a clear message if the real daemons and tools a switch test
/// needs are missing.
pub fn check_real_switch_tools() {
    crate::check_real_tools();
    for path in [vswitchd_path(Impl::Real), ovs_ofctl()] {
        assert!(
            path.exists(),
            "{} is missing: install openvswitch-switch and openvswitch-common \
             (sudo ./scripts/test.sh does)",
            path.display()
        );
    }
}

/// The implementation under test for switch tests (side A), or `None`
/// after printing a SKIP line.
///
/// Like [`crate::impl_under_test`], but ours counts as built only when
/// both our `ovsdb-server` and our `ovs-vswitchd` exist: `OVS_TEST_IMPL=ours`
/// panics if either is missing, and with `OVS_TEST_IMPL` unset the test is
/// skipped until both are built.
pub fn impl_under_test(test: &str) -> Option<Impl> {
    check_real_switch_tools();
    let requested = std::env::var("OVS_TEST_IMPL").unwrap_or_default();
    let ours = [Impl::Ours.ovsdb_server(), vswitchd_path(Impl::Ours)];
    let missing: Vec<String> = ours
        .iter()
        .filter(|p| !p.is_file())
        .map(|p| p.display().to_string())
        .collect();
    match requested.as_str() {
        "real" => Some(Impl::Real),
        "ours" => {
            assert!(
                missing.is_empty(),
                "OVS_TEST_IMPL=ours but {} missing (cargo build --release, or set \
                 OVS_RS_BINDIR)",
                missing.join(" and ")
            );
            Some(Impl::Ours)
        }
        "" => {
            if missing.is_empty() {
                Some(Impl::Ours)
            } else {
                println!(
                    "SKIP {test}: {} not built; build it, or run with OVS_TEST_IMPL=real to \
                     check the test against Debian's OVS",
                    missing.join(" and ")
                );
                None
            }
        }
        other => panic!("OVS_TEST_IMPL must be `real` or `ours`, not {other:?}"),
    }
}

/// Returns the side-A implementation for a switch test, or returns from the
/// calling test after printing why it is skipped.
#[macro_export]
macro_rules! switch_impl_or_skip {
    ($test:expr) => {
        match $crate::switch::impl_under_test($test) {
            Some(imp) => imp,
            None => return,
        }
    };
}

/// How to start a [`Switch`].
#[derive(Clone, Debug)]
pub struct SwitchConfig {
    /// Whose `ovsdb-server` holds the configuration.
    pub db: Impl,
    /// Whose `ovs-vswitchd` runs.
    pub vswitchd: Impl,
    /// Daemon options before the database and the sandbox's
    /// pidfile/log-file/unixctl options ([`DEFAULT_VSWITCHD_ARGS`]).
    pub vswitchd_args: Vec<String>,
    /// Run `ovs-vswitchd` inside this network namespace (its devices, taps
    /// included, are then private to the test).
    pub netns: Option<String>,
}

impl SwitchConfig {
    /// Both daemons from `imp`, with the default options.
    pub fn new(imp: Impl) -> SwitchConfig {
        SwitchConfig {
            db: imp,
            vswitchd: imp,
            vswitchd_args: DEFAULT_VSWITCHD_ARGS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            netns: None,
        }
    }

    /// Runs the daemon inside network namespace `ns`.
    pub fn netns(mut self, ns: &str) -> SwitchConfig {
        self.netns = Some(ns.to_string());
        self
    }

    /// Replaces the daemon options.
    pub fn vswitchd_args(mut self, args: &[&str]) -> SwitchConfig {
        self.vswitchd_args = args.iter().map(|s| s.to_string()).collect();
        self
    }
}

/// A running `ovsdb-server` + `ovs-vswitchd` pair in a private directory.
pub struct Switch {
    config: SwitchConfig,
    label: String,
    vswitchd: Option<Child>,
    // Declared last: dropped after the daemon is stopped by `Drop`.
    sb: Sandbox,
}

impl Switch {
    /// A switch with both daemons from `imp` and the default options, with
    /// an empty configuration applied (`cur_cfg` is 1 when this returns).
    pub fn start(name: &str, imp: Impl) -> Switch {
        Switch::start_with(name, SwitchConfig::new(imp))
    }

    /// A switch started as `config` says.
    pub fn start_with(name: &str, config: SwitchConfig) -> Switch {
        let sb = Sandbox::with_server(name, config.db);
        let label = if config.db == config.vswitchd {
            format!("{name} ({})", config.vswitchd.label())
        } else {
            format!(
                "{name} (ovsdb-server {}, ovs-vswitchd {})",
                config.db.label(),
                config.vswitchd.label()
            )
        };
        let mut sw = Switch {
            config,
            label,
            vswitchd: None,
            sb,
        };
        let init = sw.sb.vsctl(&["init"]);
        assert!(init.success(), "{init}\n{}", sw.diagnostics());
        sw.start_vswitchd();
        sw
    }

    fn start_vswitchd(&mut self) {
        let imp = self.config.vswitchd;
        let _ = std::fs::remove_file(self.ctl_path());
        let mut cmd = match &self.config.netns {
            Some(ns) => {
                let mut c = self.sb.command("ip");
                c.args(["netns", "exec", ns.as_str()])
                    .arg(vswitchd_path(imp));
                c
            }
            None => self.sb.command(vswitchd_path(imp)),
        };
        cmd.args(&self.config.vswitchd_args)
            .arg(self.sb.remote())
            .arg(format!("--pidfile={}", self.pid_path().display()))
            .arg(format!("--log-file={}", self.log_path().display()))
            .arg(format!("--unixctl={}", self.ctl_path().display()));
        let console = |suffix: &str| -> Stdio {
            match File::create(self.dir().join(format!("ovs-vswitchd.{suffix}"))) {
                Ok(f) => Stdio::from(f),
                Err(_) => Stdio::null(),
            }
        };
        cmd.stdin(Stdio::null())
            .stdout(console("stdout"))
            .stderr(console("stderr"));
        let command = process::describe(&cmd);
        let child = match cmd.spawn() {
            Ok(child) => child,
            Err(e) => panic!("cannot start {command}: {e}"),
        };
        self.vswitchd = Some(child);
        let deadline = Instant::now() + START_TIMEOUT;
        while UnixStream::connect(self.ctl_path()).is_err() {
            if !self.vswitchd_alive() {
                panic!(
                    "{}: ovs-vswitchd exited before its control socket appeared\n$ \
                     {command}\n{}",
                    self.label,
                    self.diagnostics()
                );
            }
            if Instant::now() >= deadline {
                panic!(
                    "{}: ovs-vswitchd did not create {} within {START_TIMEOUT:?}\n$ \
                     {command}\n{}",
                    self.label,
                    self.ctl_path().display(),
                    self.diagnostics()
                );
            }
            thread::sleep(Duration::from_millis(10));
        }
        // A waiting `init` returns once the daemon has read the database and
        // reported the new configuration applied: from here on the switch
        // answers exactly like a started real one.
        let ready = self.vsctl(&["init"]);
        assert!(
            ready.success(),
            "{}: ovs-vswitchd never applied its first configuration\n{ready}\n{}",
            self.label,
            self.diagnostics()
        );
    }

    /// Name and implementations, for messages.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The implementation of `ovs-vswitchd` running here.
    pub fn imp(&self) -> Impl {
        self.config.vswitchd
    }

    /// The implementation of `ovsdb-server` running here.
    pub fn db_impl(&self) -> Impl {
        self.config.db
    }

    /// The underlying sandbox (database, server, environment).
    pub fn sandbox(&self) -> &Sandbox {
        &self.sb
    }

    /// The sandbox directory: `OVS_RUNDIR`, `OVS_DBDIR`, `OVS_LOGDIR` and
    /// `OVS_SYSCONFDIR` of every process.
    pub fn dir(&self) -> &Path {
        self.sb.dir()
    }

    /// `DIR/ovs-vswitchd.ctl`.
    pub fn ctl_path(&self) -> PathBuf {
        self.dir().join("ovs-vswitchd.ctl")
    }

    /// `DIR/ovs-vswitchd.log`.
    pub fn log_path(&self) -> PathBuf {
        self.dir().join("ovs-vswitchd.log")
    }

    /// `DIR/ovs-vswitchd.pid`.
    pub fn pid_path(&self) -> PathBuf {
        self.dir().join("ovs-vswitchd.pid")
    }

    /// `DIR/BRIDGE.mgmt`, the OpenFlow management socket of a bridge.
    pub fn mgmt_path(&self, bridge: &str) -> PathBuf {
        self.dir().join(format!("{bridge}.mgmt"))
    }

    /// True while `ovs-vswitchd` runs.
    pub fn vswitchd_alive(&mut self) -> bool {
        match self.vswitchd.as_mut() {
            Some(child) => matches!(child.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// Pid of `ovs-vswitchd`, while it runs.
    pub fn vswitchd_pid(&self) -> Option<u32> {
        self.vswitchd.as_ref().map(Child::id)
    }

    /// Stops `ovs-vswitchd`: `ovs-appctl exit`, then SIGTERM, then SIGKILL.
    /// Returns its exit status, `None` if it had to be killed or was not
    /// running.
    pub fn stop_vswitchd(&mut self) -> Option<std::process::ExitStatus> {
        let mut child = self.vswitchd.take()?;
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        let target = self.ctl_path().display().to_string();
        let mut cmd = self.sb.command(Path::new(REAL_BINDIR).join("ovs-appctl"));
        cmd.args(["-t", target.as_str(), "--timeout=5", "exit"]);
        process::run(cmd, None, STOP_GRACE + Duration::from_secs(1));
        if let Some(status) = process::wait_deadline(&mut child, STOP_GRACE) {
            return Some(status);
        }
        process::terminate(&mut child, STOP_GRACE)
    }

    /// The last lines of both daemons' logs and console output.
    pub fn diagnostics(&self) -> String {
        let mut s = format!("switch {}\n{}", self.label, self.sb.diagnostics());
        for file in [
            "ovs-vswitchd.log",
            "ovs-vswitchd.stdout",
            "ovs-vswitchd.stderr",
        ] {
            let text = std::fs::read_to_string(self.dir().join(file)).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let tail = &lines[lines.len().saturating_sub(40)..];
            s.push_str(&format!("--- {file} (last {} lines)\n", tail.len()));
            for line in tail {
                s.push_str(line);
                s.push('\n');
            }
        }
        s
    }

    /// Real `ovs-vsctl` that waits for `ovs-vswitchd` to apply the change
    /// (no `--no-wait`), with `--db` and `--timeout` (30 s) added.
    pub fn vsctl(&self, args: &[&str]) -> Output {
        self.sb.vsctl_raw(args)
    }

    /// Real `ovs-vsctl --no-wait`.
    pub fn vsctl_no_wait(&self, args: &[&str]) -> Output {
        self.sb.vsctl(args)
    }

    /// Stdout of a waiting `ovs-vsctl` that must succeed.
    #[track_caller]
    pub fn vsctl_ok(&self, args: &[&str]) -> String {
        let out = self.vsctl(args);
        assert!(
            out.success(),
            "{}: {out}\n{}",
            self.label,
            self.diagnostics()
        );
        out.stdout
    }

    /// Real `ovs-ofctl ARGS` (give the bridge name as the switch: the tool
    /// finds `DIR/BRIDGE.mgmt` through `OVS_RUNDIR`).
    pub fn ofctl(&self, args: &[&str]) -> Output {
        self.sb.run(ovs_ofctl(), args, None)
    }

    /// Real `ovs-ofctl -O VERSIONS ARGS`.
    pub fn ofctl_v(&self, versions: &str, args: &[&str]) -> Output {
        let mut all = vec!["-O", versions];
        all.extend_from_slice(args);
        self.ofctl(&all)
    }

    /// Real `ovs-ofctl ARGS` with `stdin` as its input (name the file `-`
    /// in ARGS, e.g. `add-flows br0 -`).
    pub fn ofctl_stdin(&self, args: &[&str], stdin: &[u8]) -> Output {
        self.sb.run(ovs_ofctl(), args, Some(stdin))
    }

    /// Real `ovs-appctl -t DIR/TARGET.ctl ARGS`, e.g. `appctl("ovs-vswitchd",
    /// &["version"])` or `appctl("ovsdb-server", ...)`.
    pub fn appctl(&self, target: &str, args: &[&str]) -> Output {
        let ctl = self.dir().join(format!("{target}.ctl"));
        let ctl = ctl.display().to_string();
        let mut all = vec!["-t", ctl.as_str(), "--timeout=30"];
        all.extend_from_slice(args);
        self.sb
            .run(Path::new(REAL_BINDIR).join("ovs-appctl"), &all, None)
    }

    /// `ovs-appctl` aimed at this switch's `ovs-vswitchd`.
    pub fn vswitchd_appctl(&self, args: &[&str]) -> Output {
        self.appctl("ovs-vswitchd", args)
    }

    /// Runs any program with the sandbox's environment, under the usual
    /// deadline.
    pub fn run(&self, program: impl AsRef<Path>, args: &[&str], stdin: Option<&[u8]>) -> Output {
        self.sb.run(program, args, stdin)
    }

    /// Starts a program in the background with the sandbox's environment
    /// (e.g. `ovs-ofctl monitor`); killed when the guard drops.
    pub fn background(&self, program: impl AsRef<Path>, args: &[&str]) -> Background {
        self.sb.background(program, args)
    }

    /// Adds bridge `name` on a dummy datapath; `settings` are more
    /// `column=value` pairs for its Bridge row. Waits for the daemon.
    #[track_caller]
    pub fn add_bridge(&self, name: &str, settings: &[&str]) {
        let mut args = vec![
            "add-br",
            name,
            "--",
            "set",
            "bridge",
            name,
            "datapath_type=dummy",
        ];
        args.extend_from_slice(settings);
        self.vsctl_ok(&args);
    }

    /// Adds port `port` with a dummy interface of the same name to
    /// `bridge`; `settings` are more `column=value` pairs for the Interface
    /// row (e.g. `ofport_request=1`). Waits for the daemon.
    #[track_caller]
    pub fn add_port(&self, bridge: &str, port: &str, settings: &[&str]) {
        let mut args = vec![
            "add-port",
            bridge,
            port,
            "--",
            "set",
            "interface",
            port,
            "type=dummy",
        ];
        args.extend_from_slice(settings);
        self.vsctl_ok(&args);
    }

    /// A raw OpenFlow connection to `bridge`, having exchanged hellos
    /// offering only `version` (wire version: 1 = OpenFlow 1.0 ... 6 = 1.5).
    pub fn openflow(&self, bridge: &str, version: u8) -> io::Result<OfConn> {
        OfConn::connect(&self.mgmt_path(bridge), version)
    }

    /// `ovs-ofctl ofp-print` of one OpenFlow message: how real OVS decodes
    /// it.
    pub fn ofp_print(&self, msg: &[u8]) -> Output {
        self.ofctl(&["ofp-print", &hex(msg)])
    }
}

impl Drop for Switch {
    fn drop(&mut self) {
        self.stop_vswitchd();
    }
}

/// Lower-case hex of `bytes`, no separators.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes of a hex string; whitespace is ignored.
pub fn unhex(text: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !digits.len().is_multiple_of(2) {
        return Err(format!("odd number of hex digits in {text:?}"));
    }
    digits
        .chunks(2)
        .map(|pair| {
            let s = std::str::from_utf8(pair).map_err(|e| e.to_string())?;
            u8::from_str_radix(s, 16).map_err(|e| format!("bad hex {s:?} in {text:?}: {e}"))
        })
        .collect()
}

/// OpenFlow message types that are the same in every version.
const OFPT_HELLO: u8 = 0;
const OFPT_ECHO_REQUEST: u8 = 2;
const OFPT_ECHO_REPLY: u8 = 3;

/// The barrier request/reply types: 18/19 in OpenFlow 1.0, 20/21 after.
fn barrier_types(version: u8) -> (u8, u8) {
    if version == 1 { (18, 19) } else { (20, 21) }
}

/// The xid of the barrier [`OfConn::exchange`] appends; test messages use
/// other xids.
const BARRIER_XID: u32 = 0xb0b0_b0b0;

/// How long [`OfConn`] waits for a message.
const OF_READ_TIMEOUT: Duration = Duration::from_secs(20);

/// A raw OpenFlow session over a bridge's management socket, for sending
/// bytes `ovs-ofctl` refuses to produce.
pub struct OfConn {
    stream: UnixStream,
    version: u8,
}

impl OfConn {
    /// Connects and exchanges hellos, offering only `version`. Returns the
    /// connection whatever the switch answered (a version the switch does
    /// not accept shows up as an error message or a closed connection in
    /// the next [`OfConn::recv`]).
    pub fn connect(path: &Path, version: u8) -> io::Result<OfConn> {
        let stream = UnixStream::connect(path)?;
        stream.set_read_timeout(Some(OF_READ_TIMEOUT))?;
        stream.set_write_timeout(Some(OF_READ_TIMEOUT))?;
        let mut conn = OfConn { stream, version };
        conn.send(&[version, OFPT_HELLO, 0, 8, 0, 0, 0, 1])?;
        match conn.recv()? {
            Some(msg) if msg.get(1) == Some(&OFPT_HELLO) => Ok(conn),
            Some(msg) => Err(io::Error::other(format!(
                "expected a hello, got {}",
                hex(&msg)
            ))),
            None => Err(io::Error::other("connection closed before hello")),
        }
    }

    /// The version offered in the hello.
    pub fn version(&self) -> u8 {
        self.version
    }

    /// Sends one message as is.
    pub fn send(&mut self, msg: &[u8]) -> io::Result<()> {
        self.stream.write_all(msg)
    }

    /// The next message, `None` when the switch closed the connection.
    pub fn recv(&mut self) -> io::Result<Option<Vec<u8>>> {
        let mut header = [0u8; 8];
        let mut got = 0;
        while got < header.len() {
            match self.stream.read(&mut header[got..]) {
                Ok(0) if got == 0 => return Ok(None),
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => return Ok(None),
                Err(e) => return Err(e),
            }
        }
        let len = usize::from(u16::from_be_bytes([header[2], header[3]]));
        if len < header.len() {
            return Err(io::Error::other(format!(
                "message length {len} in header {}",
                hex(&header)
            )));
        }
        let mut msg = vec![0u8; len];
        msg[..8].copy_from_slice(&header);
        self.stream.read_exact(&mut msg[8..])?;
        Ok(Some(msg))
    }

    /// Sends `msg` and a barrier, and returns every message the switch
    /// sent back before the barrier reply (echo requests are answered and
    /// left out). Stops early if the switch closes the connection.
    pub fn exchange(&mut self, msg: &[u8]) -> io::Result<Vec<Vec<u8>>> {
        let (request, reply) = barrier_types(self.version);
        let xid = BARRIER_XID.to_be_bytes();
        self.send(msg)?;
        // The switch may already have hung up on `msg`.
        let _ = self.send(&[self.version, request, 0, 8, xid[0], xid[1], xid[2], xid[3]]);
        let mut replies = Vec::new();
        while let Some(m) = self.recv()? {
            match m.get(1) {
                Some(&t) if t == reply && m[4..8] == xid => break,
                Some(&OFPT_ECHO_REQUEST) => {
                    let mut echo = m.clone();
                    echo[1] = OFPT_ECHO_REPLY;
                    self.send(&echo)?;
                }
                _ => replies.push(m),
            }
        }
        Ok(replies)
    }
}

/// Masks what legitimately differs between two runs of the same `ovs-ofctl`
/// command against two switches holding the same state: how long flows,
/// ports, groups and meters have existed (`duration=1.234s`,
/// `duration:1.234s`), flow ages (`idle_age=` masked, `hard_age=` removed
/// as its presence depends on timing), the clock in the tool's own log
/// lines, the sandbox directory (in socket names), and which errno the tool
/// saw when the switch hung up on it ([`HANGUP_ERRNOS`]).
/// Everything else stays.
pub fn mask_ofctl(text: &str, dir: &Path) -> String {
    let dir = dir.display().to_string();
    let text = if dir.is_empty() {
        text.to_string()
    } else {
        text.replace(&dir, "$DIR")
    };
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&mask_line(line));
    }
    out
}

/// How `ovs-ofctl` reports a switch hanging up on it: when the switch
/// closes the connection after a failed version negotiation, the tool's
/// next write or read sees whichever of these the race gives it.
const HANGUP_ERRNOS: &[&str] = &[
    "(Broken pipe)",
    "(Protocol error)",
    "(Connection reset by peer)",
];

fn mask_line(line: &str) -> String {
    let mut line = mask_vlog_time(line);
    if line.contains(": failed to connect to socket (") {
        for errno in HANGUP_ERRNOS {
            line = line.replace(errno, "(<hung up>)");
        }
    }
    let mut s = line;
    for key in ["duration=", "duration:"] {
        s = mask_number_after(&s, key, "?", true);
    }
    s = mask_number_after(&s, "idle_age=", "?", false);
    // `hard_age` is printed only when it differs from the duration in whole
    // seconds, i.e. when a modification fell into a later second than the
    // flow's creation: whether it shows at all is a matter of timing.
    s = mask_number_after(&s, "hard_age=", "?", false).replace("hard_age=?, ", "");
    s
}

/// `2026-01-02T03:04:05Z|00001|module|LEVEL|text` → the same with the
/// timestamp replaced (the sequence number is deterministic).
fn mask_vlog_time(line: &str) -> String {
    let b = line.as_bytes();
    let is_stamp = b.len() > 21
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z'
        && b[20] == b'|'
        && b[..4].iter().all(u8::is_ascii_digit);
    if is_stamp {
        format!("<time>{}", &line[20..])
    } else {
        line.to_string()
    }
}

/// Replaces the number after every `key` (digits, and a fraction when
/// `decimal`) with `mask`.
fn mask_number_after(line: &str, key: &str, mask: &str, decimal: bool) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(pos) = rest.find(key) {
        let start = pos + key.len();
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let end = tail
            .char_indices()
            .find(|&(_, c)| !(c.is_ascii_digit() || (decimal && c == '.')))
            .map_or(tail.len(), |(i, _)| i);
        if end > 0 {
            out.push_str(mask);
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Replaces every Ethernet address (`hh:hh:hh:hh:hh:hh`) in `text` with
/// `xx:xx:xx:xx:xx:xx`: for outputs holding addresses OVS draws at random
/// (patch ports, bridge ports without a configured `hwaddr`).
pub fn mask_macs(text: &str) -> String {
    fn is_mac_at(b: &[u8], i: usize) -> bool {
        i + 17 <= b.len()
            && (0..17).all(|k| {
                if k % 3 == 2 {
                    b[i + k] == b':'
                } else {
                    b[i + k].is_ascii_hexdigit()
                }
            })
            && (i == 0 || !(b[i - 1].is_ascii_hexdigit() || b[i - 1] == b':'))
            && b.get(i + 17)
                .is_none_or(|c| !(c.is_ascii_hexdigit() || *c == b':'))
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if is_mac_at(bytes, i) {
            out.push_str(&text[copied..i]);
            out.push_str("xx:xx:xx:xx:xx:xx");
            i += 17;
            copied = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Canonical order for flow dumps: real OVS lists the flows of one table in
/// the order of its classifier's hash tables, whose hash basis is random
/// per process, so two identical switches (or two runs of one) list them
/// differently. Every run of consecutive flow lines (lines starting with a
/// space) of the same `table=N` is sorted; tables stay in the order given,
/// and headers and every other line stay where they are.
pub fn sort_flows_within_tables(text: &str) -> String {
    fn table_of(line: &str) -> Option<&str> {
        let pos = line.find("table=")?;
        let rest = &line[pos + 6..];
        let end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        Some(&rest[..end])
    }
    sort_runs(text, |line| {
        line.starts_with(' ')
            .then(|| table_of(line).unwrap_or("").to_string())
    })
}

/// Sorts every run of consecutive lines that start with a space (the
/// entries under one reply header): for outputs whose entry order is a
/// hash order in real OVS (groups, monitor events, `diff-flows`).
pub fn sort_entries(text: &str) -> String {
    sort_runs(text, |line| line.starts_with(' ').then(String::new))
}

/// Sorts all lines (for `diff-flows`, whose `-`/`+` lines come in the
/// order of the tool's own classifier).
pub fn sort_lines(text: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort_unstable();
    let mut out = lines.join("\n");
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// Sorts each maximal run of consecutive lines with the same key; lines
/// whose key is `None` stay in place and end runs.
fn sort_runs(text: &str, key: impl Fn(&str) -> Option<String>) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    let mut run_key: Option<String> = None;
    for line in text.split('\n') {
        let k = key(line);
        if k.is_none() || k != run_key {
            run.sort_unstable();
            out.append(&mut run);
        }
        match k {
            Some(k) => {
                run.push(line);
                run_key = Some(k);
            }
            None => {
                out.push(line);
                run_key = None;
            }
        }
    }
    run.sort_unstable();
    out.append(&mut run);
    out.join("\n")
}

/// Canonical form of a datapath flow dump (`ovs-appctl dpctl/dump-flows`
/// or `dpif/dump-flows`, with or without `-m`).
///
/// Two things in it are not functions of what the switch was given:
/// - the flow's ufid: OVS hashes the flow key with a secret drawn at random
///   once per process (`odp_flow_key_hash`), so the same flow has a
///   different ufid in every run: `ufid:<ufid>`;
/// - `used:` (seconds since the datapath last matched a packet): `used:?s`,
///   while `used:never` (no packet ever matched the flow) stays, as that is
///   decided by the packets alone.
///
/// The datapath lists its flows in the order of a hash table keyed by the
/// ufid, so the flow lines under each `flow-dump from ...` header are
/// sorted. Packet and byte counts, TCP flags, masks and actions stay.
pub fn canonical_dp_flows(text: &str) -> String {
    let masked: Vec<String> = text.split('\n').map(mask_dp_flow_line).collect();
    sort_runs(&masked.join("\n"), |line| {
        (!line.is_empty() && !line.starts_with("flow-dump from")).then(String::new)
    })
}

fn mask_dp_flow_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(pos) = rest.find("ufid:") {
        out.push_str(&rest[..pos + 5]);
        let tail = &rest[pos + 5..];
        let end = tail
            .find(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
            .unwrap_or(tail.len());
        if end > 0 {
            out.push_str("<ufid>");
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    mask_number_after(&out, "used:", "?", true)
}

/// Canonical form of `ovs-appctl fdb/show`: the `Age` column (seconds
/// since the entry was last refreshed) becomes `?`, and the entries are
/// sorted. Real OVS lists them least recently refreshed first, but whether
/// a packet from a known MAC on the same port refreshes its entry depends
/// on the clock: an entry is refreshed only once it is at least a second
/// old (`is_mac_learning_update_needed`), so two runs of the same packets
/// list them in different orders. Ports, VLANs and MACs are compared.
pub fn canonical_fdb(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let digits = line.trim_end_matches(|c: char| c.is_ascii_digit());
        let is_entry = digits.len() < line.len()
            && digits.ends_with(' ')
            && !line.trim_start().starts_with("port");
        if is_entry {
            out.push_str(digits.trim_end());
            out.push_str("  ?");
        } else {
            out.push_str(line);
        }
    }
    sort_runs(&out, |line| line.ends_with("  ?").then(String::new))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_live_values_only() {
        let dir = Path::new("/tmp/ovs-tests-x-abc");
        let text = "2026-11-21T16:28:51Z|00001|vconn|WARN|/tmp/ovs-tests-x-abc/br1.mgmt: failed\n \
                    cookie=0x0, duration=15.480s, table=0, n_packets=0, idle_age=15, hard_age=3, \
                    priority=0 actions=NORMAL\nmeter:1 duration:0.012s bands:\n";
        assert_eq!(
            mask_ofctl(text, dir),
            "<time>|00001|vconn|WARN|$DIR/br1.mgmt: failed\n cookie=0x0, duration=?s, \
             table=0, n_packets=0, idle_age=?, priority=0 actions=NORMAL\nmeter:1 \
             duration:?s bands:\n"
        );
        assert_eq!(
            mask_ofctl("idle_timeout=5, n_bytes=10", dir),
            "idle_timeout=5, n_bytes=10"
        );
    }

    #[test]
    fn sorts_within_tables_only() {
        let text =
            "HDR\n b table=0, x\n a table=0, y\n c table=1, z\n a table=1, w\n d table=0, v\nEND";
        assert_eq!(
            sort_flows_within_tables(text),
            "HDR\n a table=0, y\n b table=0, x\n a table=1, w\n c table=1, z\n d table=0, v\nEND"
        );
        assert_eq!(
            sort_entries("H1\n b\n a\nH2\n d\n c"),
            "H1\n a\n b\nH2\n c\n d"
        );
        assert_eq!(sort_lines("b\na\n"), "a\nb\n");
    }

    #[test]
    fn masks_macs_only() {
        assert_eq!(
            mask_macs("mac_in_use : \"aa:55:aa:55:00:06\", 1:2, 12:21:0f:dc:c6:9d\n"),
            "mac_in_use : \"xx:xx:xx:xx:xx:xx\", 1:2, xx:xx:xx:xx:xx:xx\n"
        );
        // IPv6 addresses and longer colon lists are not Ethernet addresses.
        let v6 = "fe80:0000:0000:0000:0000:0000:0000:0001 aa:bb:cc:dd:ee:ff:00";
        assert_eq!(mask_macs(v6), v6);
    }

    #[test]
    fn dp_flows_lose_ufids_and_times_only() {
        let text = "flow-dump from the main thread:\n\
                    ufid:998f4a5b-3577-4e2a-b107-8d877b0dee92, in_port(2), packets:0, bytes:0, \
                    used:never, actions:1\n\
                    ufid:4904e14b-1852-4778-ade7-f106da4f6807, in_port(1), packets:1, bytes:118, \
                    used:0.296s, flags:S, actions:2\n";
        assert_eq!(
            canonical_dp_flows(text),
            "flow-dump from the main thread:\n\
             ufid:<ufid>, in_port(1), packets:1, bytes:118, used:?s, flags:S, actions:2\n\
             ufid:<ufid>, in_port(2), packets:0, bytes:0, used:never, actions:1\n"
        );
        assert_eq!(canonical_dp_flows("b\na\n"), "a\nb\n");
    }

    #[test]
    fn fdb_ages_are_masked_and_entries_sorted() {
        let text = " port  VLAN  MAC                Age\n\
                    \x20   2    10  50:54:00:00:00:02    1\n\
                    LOCAL     0  02:00:00:00:00:01    0\n\
                    \x20   1     0  50:54:00:00:00:01  145\n";
        assert_eq!(
            canonical_fdb(text),
            " port  VLAN  MAC                Age\n\
             \x20   1     0  50:54:00:00:00:01  ?\n\
             \x20   2    10  50:54:00:00:00:02  ?\n\
             LOCAL     0  02:00:00:00:00:01  ?\n"
        );
    }

    #[test]
    fn hex_round_trip() {
        let bytes = vec![0u8, 1, 0xab, 0xff];
        assert_eq!(hex(&bytes), "0001abff");
        assert_eq!(unhex("00 01\nab ff"), Ok(bytes));
        assert!(unhex("abc").is_err());
        assert!(unhex("zz").is_err());
    }
}
