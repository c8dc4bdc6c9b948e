//! A throw-away directory holding one database, at most one running
//! `ovsdb-server`, and the environment that points the OVS tools at it.

use std::fs::File;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::process::{self, Background, COMMAND_TIMEOUT, Output};
use crate::rpc::Rpc;
use crate::{Impl, REAL_BINDIR, VSWITCH_SCHEMA};

/// How long a starting server may take to create its socket.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// How long a server gets to exit after SIGTERM before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(5);

struct Server {
    imp: Impl,
    child: Child,
}

/// One test's private OVS world. Dropping it kills its server (SIGTERM,
/// then SIGKILL) and removes the directory, unless `OVS_TEST_KEEP=1`.
pub struct Sandbox {
    name: String,
    dir: Option<TempDir>,
    path: PathBuf,
    server: Option<Server>,
}

impl Sandbox {
    /// A fresh empty sandbox; `name` only makes the directory recognisable.
    pub fn new(name: &str) -> Sandbox {
        let dir = match tempfile::Builder::new()
            .prefix(&format!("ovs-tests-{name}-"))
            .tempdir()
        {
            Ok(dir) => dir,
            Err(e) => panic!("cannot create sandbox directory: {e}"),
        };
        let path = dir.path().to_path_buf();
        // A unix socket path must fit in sun_path (108 bytes).
        assert!(
            path.join("ovsdb-server.ctl").as_os_str().len() < 100,
            "sandbox path {} is too long for unix sockets; set TMPDIR to a short directory",
            path.display()
        );
        Sandbox {
            name: name.to_string(),
            dir: Some(dir),
            path,
            server: None,
        }
    }

    /// A sandbox with a fresh database and `imp`'s server running on it.
    pub fn with_server(name: &str, imp: Impl) -> Sandbox {
        let mut sb = Sandbox::new(name);
        sb.create_db(imp);
        sb.start_ovsdb_server(imp);
        sb
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn dir(&self) -> &Path {
        &self.path
    }

    /// `DIR/conf.db`.
    pub fn db_path(&self) -> PathBuf {
        self.path.join("conf.db")
    }

    /// `DIR/db.sock`.
    pub fn socket_path(&self) -> PathBuf {
        self.path.join("db.sock")
    }

    /// `unix:DIR/db.sock`, the remote the tools are given.
    pub fn remote(&self) -> String {
        format!("unix:{}", self.socket_path().display())
    }

    /// `DIR/ovsdb-server.ctl`, the unixctl socket.
    pub fn ctl_path(&self) -> PathBuf {
        self.path.join("ovsdb-server.ctl")
    }

    /// `DIR/ovsdb-server.log`.
    pub fn log_path(&self) -> PathBuf {
        self.path.join("ovsdb-server.log")
    }

    /// `DIR/ovsdb-server.pid`.
    pub fn pid_path(&self) -> PathBuf {
        self.path.join("ovsdb-server.pid")
    }

    /// A command for `program` with the sandbox's OVS environment, run from
    /// the sandbox directory.
    pub fn command(&self, program: impl AsRef<Path>) -> Command {
        let mut cmd = Command::new(program.as_ref());
        for var in ["OVS_RUNDIR", "OVS_LOGDIR", "OVS_DBDIR", "OVS_SYSCONFDIR"] {
            cmd.env(var, &self.path);
        }
        // Outputs of two runs are compared byte for byte: no locale
        // differences between them.
        cmd.env("LC_ALL", "C").current_dir(&self.path);
        cmd
    }

    /// Creates `DIR/conf.db` from the vswitch schema with `imp`'s
    /// `ovsdb-tool` (Debian's while ours does not exist).
    pub fn create_db(&self, imp: Impl) {
        let db = self.db_path();
        let mut cmd = self.command(imp.ovsdb_tool_or_real());
        cmd.arg("create").arg(&db).arg(VSWITCH_SCHEMA);
        process::run(cmd, None, COMMAND_TIMEOUT).ok();
    }

    /// Starts `imp`'s ovsdb-server on `DIR/conf.db` with the bench's
    /// command line, and waits until its socket accepts connections.
    pub fn start_ovsdb_server(&mut self, imp: Impl) {
        self.start_ovsdb_server_with(imp, &[]);
    }

    /// Like [`Sandbox::start_ovsdb_server`], with extra arguments appended.
    pub fn start_ovsdb_server_with(&mut self, imp: Impl, extra: &[&str]) {
        assert!(
            self.server.is_none(),
            "{}: a server is already running",
            self.name
        );
        // A socket left by a killed server must not fool the readiness check.
        let _ = std::fs::remove_file(self.socket_path());
        let mut cmd = self.command(imp.ovsdb_server());
        cmd.arg(self.db_path())
            .arg(format!("--remote=punix:{}", self.socket_path().display()))
            .arg(format!("--pidfile={}", self.pid_path().display()))
            .arg(format!("--log-file={}", self.log_path().display()))
            .arg(format!("--unixctl={}", self.ctl_path().display()))
            .args(extra);
        let console = |suffix: &str| -> Stdio {
            match File::create(self.path.join(format!("ovsdb-server.{suffix}"))) {
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
        self.server = Some(Server { imp, child });
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if UnixStream::connect(self.socket_path()).is_ok() {
                return;
            }
            if let Some(server) = self.server.as_mut()
                && let Ok(Some(status)) = server.child.try_wait()
            {
                self.server = None;
                panic!(
                    "{} ovsdb-server exited with {status} before its socket appeared\n$ \
                     {command}\n{}",
                    imp.label(),
                    self.diagnostics()
                );
            }
            if Instant::now() >= deadline {
                panic!(
                    "{} ovsdb-server did not create {} within {START_TIMEOUT:?}\n$ {command}\n{}",
                    imp.label(),
                    self.socket_path().display(),
                    self.diagnostics()
                );
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Which implementation's server runs here, if any.
    pub fn server_impl(&self) -> Option<Impl> {
        self.server.as_ref().map(|s| s.imp)
    }

    /// Pid of the running server.
    pub fn server_pid(&self) -> Option<u32> {
        self.server.as_ref().map(|s| s.child.id())
    }

    /// True while the server process runs.
    pub fn server_alive(&mut self) -> bool {
        match self.server.as_mut() {
            Some(s) => matches!(s.child.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// Stops the server with SIGTERM (SIGKILL after a grace period) and
    /// returns how it exited (`None` if it had to be killed).
    pub fn stop_ovsdb_server(&mut self) -> Option<ExitStatus> {
        let mut server = self.server.take()?;
        process::terminate(&mut server.child, STOP_GRACE)
    }

    /// Waits up to `timeout` for the server to exit by itself (e.g. after
    /// `ovs-appctl exit`); returns its status, or `None` if it is still
    /// running (it is then left running).
    pub fn wait_ovsdb_server_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let status = process::wait_deadline(&mut self.server.as_mut()?.child, timeout);
        if status.is_some() {
            self.server = None;
        }
        status
    }

    /// Kills the server with SIGKILL, as a crash would.
    pub fn kill_ovsdb_server(&mut self) {
        if let Some(mut server) = self.server.take() {
            let _ = server.child.kill();
            let _ = server.child.wait();
        }
    }

    /// The last lines of the server's log and console output, for failure
    /// messages.
    pub fn diagnostics(&self) -> String {
        let mut s = format!("sandbox {}\n", self.path.display());
        for file in [
            "ovsdb-server.log",
            "ovsdb-server.stdout",
            "ovsdb-server.stderr",
        ] {
            let text = std::fs::read_to_string(self.path.join(file)).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let tail = &lines[lines.len().saturating_sub(30)..];
            s.push_str(&format!("--- {file} (last {} lines)\n", tail.len()));
            for line in tail {
                s.push_str(line);
                s.push('\n');
            }
        }
        s
    }

    fn run_tool(&self, program: impl AsRef<Path>, args: &[&str], stdin: Option<&[u8]>) -> Output {
        let mut cmd = self.command(program);
        cmd.args(args);
        process::run(cmd, stdin, COMMAND_TIMEOUT)
    }

    /// Real `ovs-vsctl --no-wait` on this sandbox (there is never an
    /// ovs-vswitchd here to wait for).
    pub fn vsctl(&self, args: &[&str]) -> Output {
        let mut all = vec!["--no-wait"];
        all.extend_from_slice(args);
        self.vsctl_raw(&all)
    }

    /// Real `ovs-vsctl` with only `--db` and `--timeout` added.
    pub fn vsctl_raw(&self, args: &[&str]) -> Output {
        let db = format!("--db={}", self.remote());
        let mut all = vec![db.as_str(), "--timeout=30"];
        all.extend_from_slice(args);
        self.run_tool(format!("{REAL_BINDIR}/ovs-vsctl"), &all, None)
    }

    /// Stdout of a `vsctl` call that must succeed; panics with the command
    /// and the server's log otherwise.
    #[track_caller]
    pub fn vsctl_ok(&self, args: &[&str]) -> String {
        let out = self.vsctl(args);
        assert!(out.success(), "{out}\n{}", self.diagnostics());
        out.stdout
    }

    /// Real `ovsdb-client` with `args` as given (put the remote in yourself).
    pub fn client(&self, args: &[&str]) -> Output {
        self.run_tool(format!("{REAL_BINDIR}/ovsdb-client"), args, None)
    }

    /// Stdout of an `ovsdb-client` call that must succeed.
    #[track_caller]
    pub fn client_ok(&self, args: &[&str]) -> String {
        let out = self.client(args);
        assert!(out.success(), "{out}\n{}", self.diagnostics());
        out.stdout
    }

    /// Real `ovs-appctl -t DIR/ovsdb-server.ctl`.
    pub fn appctl(&self, args: &[&str]) -> Output {
        let target = self.ctl_path().display().to_string();
        let mut all = vec!["-t", target.as_str(), "--timeout=30"];
        all.extend_from_slice(args);
        self.run_tool(format!("{REAL_BINDIR}/ovs-appctl"), &all, None)
    }

    /// `imp`'s `ovsdb-tool` (panics if that implementation has none: ask
    /// `Impl::ovsdb_tool` first).
    pub fn tool(&self, imp: Impl, args: &[&str]) -> Output {
        let tool = match imp.ovsdb_tool() {
            Some(tool) => tool,
            None => panic!("{} has no ovsdb-tool", imp.label()),
        };
        self.run_tool(tool, args, None)
    }

    /// Runs any program with the sandbox's environment, under the usual
    /// deadline.
    pub fn run(&self, program: impl AsRef<Path>, args: &[&str], stdin: Option<&[u8]>) -> Output {
        self.run_tool(program, args, stdin)
    }

    /// Starts a real client tool in the background (e.g. `ovsdb-client
    /// monitor`); it is killed when the returned guard drops.
    pub fn background(&self, program: impl AsRef<Path>, args: &[&str]) -> Background {
        let mut cmd = self.command(program);
        cmd.args(args);
        Background::spawn(cmd)
    }

    /// A raw JSON-RPC connection to the server's socket.
    pub fn rpc(&self) -> Rpc {
        match Rpc::connect(&self.socket_path()) {
            Ok(rpc) => rpc,
            Err(e) => panic!(
                "cannot connect to {}: {e}\n{}",
                self.socket_path().display(),
                self.diagnostics()
            ),
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(mut server) = self.server.take() {
            process::terminate(&mut server.child, STOP_GRACE);
        }
        if std::env::var("OVS_TEST_KEEP").as_deref() == Ok("1")
            && let Some(dir) = self.dir.take()
        {
            eprintln!("kept sandbox {}", dir.keep().display());
        }
    }
}
