//! The IDL against a real server process: ours (`target/*/ovsdb-server`,
//! skipped with a SKIP line when it has not been built) and Debian's
//! (`/usr/sbin/ovsdb-server`, skipped when not installed), driven beside
//! the real `ovs-vsctl`.
//!
//! Every process a test starts is killed and its directory removed when
//! the sandbox guard drops, on success and on panic alike.

use std::fs::File;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ovsdb_idl::{
    Atom, Datum, Idl, IdlConfig, MonitorMethod, Replica, SessionState, Transaction, TxnError, Uuid,
};
use tempfile::TempDir;

const SCHEMA: &str = "/usr/share/openvswitch/vswitch.ovsschema";
const OVSDB_TOOL: &str = "/usr/bin/ovsdb-tool";
const OVS_VSCTL: &str = "/usr/bin/ovs-vsctl";
const REAL_SERVER: &str = "/usr/sbin/ovsdb-server";
const ALL_METHODS: [MonitorMethod; 3] = [
    MonitorMethod::MonitorCondSince,
    MonitorMethod::MonitorCond,
    MonitorMethod::Monitor,
];
/// Longest any single wait in these tests may take.
const WAIT: Duration = Duration::from_secs(20);

/// Our server binary: `$OVSDB_SERVER_BIN`, else the newest of
/// `target/{debug,release}/ovsdb-server`.
fn our_server() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("OVSDB_SERVER_BIN").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = manifest.ancestors().nth(2).unwrap_or(manifest);
    let target = match std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => workspace.join(dir),
        None => workspace.join("target"),
    };
    ["debug", "release"]
        .iter()
        .map(|profile| target.join(profile).join("ovsdb-server"))
        .filter(|p| p.is_file())
        .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
}

/// A port nothing listens on right now (the server binds it a moment
/// later; a clash would only fail the test, never hang it).
fn free_tcp_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("local address").port()
}

fn real_tools_present() -> bool {
    [SCHEMA, OVSDB_TOOL, OVS_VSCTL]
        .iter()
        .all(|p| Path::new(p).exists())
}

/// A temp dir with a vswitch database and at most one server on it.
struct Sandbox {
    dir: TempDir,
    server_bin: PathBuf,
    server: Option<Child>,
    /// A TCP port the server also listens on, on 127.0.0.1.
    tcp_port: Option<u16>,
}

impl Sandbox {
    fn new(server_bin: PathBuf) -> Sandbox {
        // Short, so that the socket path fits in sun_path.
        let dir = tempfile::Builder::new()
            .prefix("idl-")
            .tempdir_in("/tmp")
            .expect("temp dir");
        let sb = Sandbox {
            dir,
            server_bin,
            server: None,
            tcp_port: None,
        };
        let out = sb
            .command(OVSDB_TOOL)
            .arg("create")
            .arg(sb.path("conf.db"))
            .arg(SCHEMA)
            .output()
            .expect("run ovsdb-tool");
        assert!(out.status.success(), "ovsdb-tool create: {out:?}");
        sb
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn remote(&self) -> String {
        format!("unix:{}", self.path("db.sock").display())
    }

    fn command(&self, program: impl AsRef<Path>) -> Command {
        let mut cmd = Command::new(program.as_ref());
        for var in ["OVS_RUNDIR", "OVS_LOGDIR", "OVS_DBDIR", "OVS_SYSCONFDIR"] {
            cmd.env(var, self.dir.path());
        }
        cmd.current_dir(self.dir.path()).stdin(Stdio::null());
        cmd
    }

    fn start(&mut self) {
        assert!(self.server.is_none());
        let _ = std::fs::remove_file(self.path("db.sock"));
        let console = |name: &str| {
            File::options()
                .create(true)
                .append(true)
                .open(self.path(name))
                .map_or_else(|_| Stdio::null(), Stdio::from)
        };
        let child = self
            .command(&self.server_bin)
            .arg(self.path("conf.db"))
            .arg(format!("--remote=punix:{}", self.path("db.sock").display()))
            .arg(format!(
                "--unixctl={}",
                self.path("ovsdb-server.ctl").display()
            ))
            .arg(format!(
                "--log-file={}",
                self.path("ovsdb-server.log").display()
            ))
            .args(
                self.tcp_port
                    .map(|port| format!("--remote=ptcp:{port}:127.0.0.1")),
            )
            .stdout(console("stdout"))
            .stderr(console("stderr"))
            .spawn()
            .expect("start ovsdb-server");
        self.server = Some(child);
        let deadline = Instant::now() + WAIT;
        while UnixStream::connect(self.path("db.sock")).is_err() {
            assert!(
                Instant::now() < deadline,
                "server did not listen\n{}",
                self.diagnostics()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// SIGKILL, as a crash would.
    fn kill(&mut self) {
        if let Some(mut child) = self.server.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// `ovs-vsctl --no-wait` on this database; panics unless it succeeds.
    #[track_caller]
    fn vsctl(&self, args: &[&str]) -> String {
        let out = self
            .command(OVS_VSCTL)
            .arg(format!("--db={}", self.remote()))
            .arg("--no-wait")
            .arg("--timeout=20")
            .args(args)
            .output()
            .expect("run ovs-vsctl");
        assert!(
            out.status.success(),
            "ovs-vsctl {args:?}: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            self.diagnostics()
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn diagnostics(&self) -> String {
        ["ovsdb-server.log", "stdout", "stderr"]
            .iter()
            .map(|f| {
                let text = std::fs::read_to_string(self.path(f)).unwrap_or_default();
                format!("--- {f}\n{text}")
            })
            .collect()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn within<T>(what: &str, f: impl Future<Output = T>) -> T {
    match tokio::time::timeout(WAIT, f).await {
        Ok(v) => v,
        Err(_) => panic!("timed out waiting for {what}"),
    }
}

async fn wait_for(
    idl: &Idl,
    what: &str,
    ready: impl FnMut(&Replica) -> bool,
) -> std::sync::Arc<Replica> {
    within(what, idl.wait_until(ready))
        .await
        .expect("IDL running")
}

async fn wait_state(idl: &Idl, want: impl Fn(SessionState) -> bool) {
    let mut rx = idl.subscribe_state();
    within("session state", rx.wait_for(|s| want(*s)))
        .await
        .expect("IDL running");
}

fn bridge_named(r: &Replica, name: &str) -> bool {
    r.rows("Bridge").any(|b| b.get_str("name") == Some(name))
}

fn monitoring(s: SessionState) -> bool {
    matches!(s, SessionState::Monitoring(_))
}

fn ovs_row(r: &Replica) -> Option<Uuid> {
    r.rows("Open_vSwitch").next().map(|row| row.uuid())
}

/// The whole story against `server_bin`, with `method` as the newest
/// monitor method the IDL may use (older ones exercise the fallbacks'
/// update formats against the real thing).
async fn exercise(server_bin: PathBuf, method: MonitorMethod, tcp: bool) {
    let mut sb = Sandbox::new(server_bin);
    if tcp {
        sb.tcp_port = Some(free_tcp_port());
    }
    sb.start();

    let remote = match sb.tcp_port {
        Some(port) => format!("tcp:127.0.0.1:{port}"),
        None => sb.remote(),
    };
    let mut config = IdlConfig::new(&remote, "Open_vSwitch");
    config.options.min_backoff_ms = 100;
    config.options.max_backoff_ms = 400;
    // Short probes check that the server answers our echoes and that an
    // idle session stays up (OVS itself never probes unix sockets).
    config.options.probe_interval_ms = 50;
    config.options.max_monitor_method = method;
    let idl = Idl::spawn(config).expect("spawn IDL");
    wait_state(&idl, monitoring).await;
    assert_eq!(idl.state(), SessionState::Monitoring(method));
    let seqno = idl.snapshot().seqno();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(idl.snapshot().seqno(), seqno, "idle session was reloaded");
    assert!(monitoring(idl.state()));

    // Rows inserted by another client show up.
    sb.vsctl(&["add-br", "br0"]);
    let r = wait_for(&idl, "br0", |r| bridge_named(r, "br0")).await;
    let ovs = ovs_row(&r).expect("Open_vSwitch row");
    let bridge = r.rows("Bridge").next().expect("bridge").clone();
    let ovs_bridges = r
        .row("Open_vSwitch", &ovs)
        .expect("row")
        .get_set("bridges")
        .to_vec();
    assert_eq!(ovs_bridges, [Atom::Uuid(bridge.uuid())]);
    let iface = r
        .rows("Interface")
        .find(|i| i.get_str("name") == Some("br0"))
        .expect("interface br0")
        .clone();
    assert_eq!(iface.get_str("type"), Some("internal"));
    assert!(iface.get("ofport").expect("ofport column").is_empty());

    // Status writes as ovs-vswitchd does them.
    let mut txn = Transaction::new();
    txn.update(
        "Open_vSwitch",
        ovs,
        [("cur_cfg", Datum::scalar(Atom::Integer(42)))],
    );
    txn.update(
        "Interface",
        iface.uuid(),
        [("ofport", Datum::scalar(Atom::Integer(65534)))],
    );
    txn.verify(&iface, &["name"]);
    let ok = within("commit", idl.commit(txn)).await.expect("commit");
    assert_eq!(ok.results().len(), 3);
    assert_eq!(sb.vsctl(&["get", "Open_vSwitch", ".", "cur_cfg"]), "42");
    assert_eq!(sb.vsctl(&["get", "Interface", "br0", "ofport"]), "65534");
    wait_for(&idl, "cur_cfg 42", |r| {
        r.row("Open_vSwitch", &ovs)
            .and_then(|row| row.get_integer("cur_cfg"))
            == Some(42)
    })
    .await;

    // A refusal by the server is reported as such.
    let mut txn = Transaction::new();
    txn.update(
        "Bridge",
        bridge.uuid(),
        [("name", Datum::scalar(Atom::string("x")))],
    );
    match within("commit", idl.commit(txn)).await {
        Err(TxnError::Failed(errors)) => assert_eq!(errors[0].error, "constraint violation"),
        other => panic!("immutable column written: {other:?}"),
    }

    // The server goes away: commits ask to try again; when it is back the
    // replica is reloaded and follows new changes.
    let before = idl.snapshot().seqno();
    sb.kill();
    wait_state(&idl, |s| s == SessionState::Backoff).await;
    let mut txn = Transaction::new();
    txn.comment("while down");
    assert!(matches!(
        within("commit", idl.commit(txn)).await,
        Err(TxnError::TryAgain(_))
    ));
    sb.start();
    let r = wait_for(&idl, "resync", |r| r.seqno() > before).await;
    assert!(bridge_named(&r, "br0"));
    assert_eq!(
        r.row("Open_vSwitch", &ovs)
            .and_then(|row| row.get_integer("cur_cfg")),
        Some(42)
    );
    wait_state(&idl, monitoring).await;
    sb.vsctl(&["add-br", "br1"]);
    wait_for(&idl, "br1", |r| bridge_named(r, "br1")).await;

    // A requested reconnection resyncs too.
    let before = idl.snapshot().seqno();
    idl.force_reconnect();
    let r = wait_for(&idl, "resync", |r| r.seqno() > before).await;
    assert!(bridge_named(&r, "br1"));
    sb.vsctl(&["del-br", "br0"]);
    wait_for(&idl, "br0 gone", |r| !bridge_named(r, "br0")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idl_with_our_server() {
    if !real_tools_present() {
        println!("SKIP idl_with_our_server: Debian's ovsdb-tool / ovs-vsctl are not installed");
        return;
    }
    let Some(server) = our_server() else {
        println!(
            "SKIP idl_with_our_server: build it first (cargo build -p ovsdb-server) or set \
             OVSDB_SERVER_BIN"
        );
        return;
    };
    for method in ALL_METHODS {
        exercise(server.clone(), method, false).await;
    }
    exercise(server, MonitorMethod::MonitorCondSince, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idl_with_real_ovsdb_server() {
    if !real_tools_present() || !Path::new(REAL_SERVER).exists() {
        println!("SKIP idl_with_real_ovsdb_server: Debian's Open vSwitch is not installed");
        return;
    }
    for method in ALL_METHODS {
        exercise(PathBuf::from(REAL_SERVER), method, false).await;
    }
    exercise(
        PathBuf::from(REAL_SERVER),
        MonitorMethod::MonitorCondSince,
        true,
    )
    .await;
}
