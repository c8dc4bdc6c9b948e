//! Helpers for tests that run our tools beside Debian's real ones on the
//! same input and compare what they print.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const REAL_CLIENT: &str = "/usr/bin/ovsdb-client";
pub const REAL_TOOL: &str = "/usr/bin/ovsdb-tool";
pub const REAL_SERVER: &str = "/usr/sbin/ovsdb-server";
pub const REAL_VSCTL: &str = "/usr/bin/ovs-vsctl";
pub const SCHEMA: &str = "/usr/share/openvswitch/vswitch.ovsschema";

pub const OUR_CLIENT: &str = env!("CARGO_BIN_EXE_ovsdb-client");
pub const OUR_TOOL: &str = env!("CARGO_BIN_EXE_ovsdb-tool");

/// Whether the real OVS tools this comparison needs are installed; prints
/// why a test is skipped when they are not.
pub fn have_real(what: &str) -> bool {
    let needed = [REAL_TOOL, REAL_CLIENT, REAL_SERVER, REAL_VSCTL, SCHEMA];
    match needed.iter().find(|p| !Path::new(p).exists()) {
        None => true,
        Some(missing) => {
            eprintln!("skipping {what}: {missing} is not installed");
            false
        }
    }
}

/// A scratch directory that also serves as OVS_RUNDIR/OVS_DBDIR/OVS_LOGDIR,
/// so that defaults never touch the system's.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `program` with the sandbox's environment, in `cwd`.
    pub fn run_in(&self, cwd: &Path, program: &str, args: &[&str]) -> Output {
        Command::new(program)
            .args(args)
            .current_dir(cwd)
            .env("OVS_RUNDIR", self.root())
            .env("OVS_DBDIR", self.root())
            .env("OVS_LOGDIR", self.root())
            .env("OVS_SYSCONFDIR", self.root())
            .env_remove("OVS_CTL_TIMEOUT")
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("running {program}: {e}"))
    }

    pub fn run(&self, program: &str, args: &[&str]) -> Output {
        self.run_in(self.root(), program, args)
    }
}

/// stderr with the program path reduced to its name, so that messages of
/// `/usr/bin/ovsdb-client` and `target/.../ovsdb-client` compare equal.
pub fn stderr_text(out: &Output) -> String {
    let s = String::from_utf8_lossy(&out.stderr).into_owned();
    s.lines()
        .map(|l| {
            for prog in ["ovsdb-client:", "ovsdb-tool:"] {
                if let Some(i) = l.find(prog)
                    && l[..i].chars().all(|c| c != ' ')
                {
                    return l[i..].to_string();
                }
            }
            l.to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs the real and our program with the same arguments and asserts the
/// same stdout and exit status (and stderr when `check_stderr`).
pub fn assert_same(
    sb: &Sandbox,
    real: &str,
    ours: &str,
    args: &[&str],
    check_stderr: bool,
) -> Output {
    let r = sb.run(real, args);
    let o = sb.run(ours, args);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&r.stdout),
        "stdout differs for {args:?}"
    );
    assert_eq!(
        o.status.code(),
        r.status.code(),
        "exit status differs for {args:?}"
    );
    if check_stderr {
        assert_eq!(
            stderr_text(&o),
            stderr_text(&r),
            "stderr differs for {args:?}"
        );
    }
    o
}

/// A real ovsdb-server on a database in its own sandbox; killed (by the
/// pid it wrote) when dropped.
pub struct RealServer {
    pub sb: Sandbox,
    pub remote: String,
    pub db: String,
    pid: Option<i32>,
}

impl RealServer {
    /// Creates a vswitch database and serves it.
    pub fn start() -> RealServer {
        let sb = Sandbox::new();
        let db = sb.path("conf.db");
        let out = sb.run(REAL_TOOL, &["create", &db, SCHEMA]);
        assert!(out.status.success(), "ovsdb-tool create failed");
        let mut server = RealServer {
            remote: format!("unix:{}", sb.path("db.sock")),
            db,
            sb,
            pid: None,
        };
        server.launch();
        server
    }

    /// Serves the database file `db` (in `sb`).
    pub fn serve(sb: Sandbox, db: String) -> RealServer {
        let mut server = RealServer {
            remote: format!("unix:{}", sb.path("db.sock")),
            db,
            sb,
            pid: None,
        };
        server.launch();
        server
    }

    fn launch(&mut self) {
        let sock = self.sb.path("db.sock");
        let pidfile = self.sb.path("ovsdb-server.pid");
        let _ = std::fs::remove_file(&pidfile);
        let out = self.sb.run(
            REAL_SERVER,
            &[
                &self.db,
                &format!("--remote=punix:{sock}"),
                &format!("--unixctl={}", self.sb.path("ctl")),
                &format!("--pidfile={pidfile}"),
                "--detach",
                "--no-chdir",
                &format!("--log-file={}", self.sb.path("ovsdb-server.log")),
            ],
        );
        assert!(
            out.status.success(),
            "ovsdb-server failed to start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let pid = std::fs::read_to_string(&pidfile)
            .ok()
            .and_then(|s| s.trim().parse::<i32>().ok());
        self.pid = pid;
        wait_for(|| Path::new(&sock).exists(), "server socket");
    }

    /// Runs ovs-vsctl against this server.
    pub fn vsctl(&self, args: &[&str]) {
        let db = format!("--db={}", self.remote);
        let mut all = vec![db.as_str(), "--no-wait", "--timeout=10"];
        all.extend_from_slice(args);
        let out = self.sb.run(REAL_VSCTL, &all);
        assert!(
            out.status.success(),
            "ovs-vsctl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The standard test contents: bridges, ports, interfaces with sets,
    /// maps, quoted strings and numbers.
    pub fn populate(&self) {
        self.vsctl(&[
            "init",
            "--",
            "add-br",
            "br0",
            "--",
            "add-port",
            "br0",
            "p1",
            "--",
            "set",
            "port",
            "p1",
            "tag=5",
            "--",
            "add-port",
            "br0",
            "p2",
            "--",
            "set",
            "interface",
            "p2",
            "type=internal",
            "other_config:foo=bar",
            "external_ids:\"a b\"=\"x\\\"y\"",
            "--",
            "set",
            "bridge",
            "br0",
            "other_config:x=1.5",
            "flood_vlans=1,2,3",
            "--",
            "add-br",
            "br1",
        ]);
        self.vsctl(&[
            "set",
            "port",
            "p1",
            "trunks=10,20",
            "--",
            "set",
            "interface",
            "p1",
            "mtu_request=1400",
        ]);
        self.vsctl(&[
            "add-port",
            "br1",
            "q1",
            "--",
            "set",
            "interface",
            "q1",
            "options:remote_ip=1.2.3.4",
        ]);
        self.vsctl(&[
            "del-port",
            "q1",
            "--",
            "set",
            "bridge",
            "br1",
            "external_ids:k=v",
        ]);
    }

    /// Stops the server (so that its file can be copied consistently).
    pub fn stop(&mut self) {
        if let Some(pid) = self.pid.take() {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGTERM,
            );
            let proc_dir = PathBuf::from(format!("/proc/{pid}"));
            wait_for(|| !proc_dir.exists(), "server exit");
        }
    }
}

impl Drop for RealServer {
    fn drop(&mut self) {
        self.stop();
    }
}

pub fn wait_for(mut cond: impl FnMut() -> bool, what: &str) {
    let start = Instant::now();
    while !cond() {
        if start.elapsed() > Duration::from_secs(10) {
            panic!("timed out waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Replaces UUIDs (and their 8-digit prefixes) by their order of first
/// appearance and timestamps by a placeholder, for outputs that differ only
/// in random UUIDs and dates.
pub fn normalize(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut seen: Vec<String> = Vec::new();
    let mut out = String::new();
    let mut i = 0;
    let is_hex = |c: u8| c.is_ascii_digit() || (b'a'..=b'f').contains(&c);
    let looks_uuid = |s: &[u8]| {
        s.len() >= 36
            && s[..36].iter().enumerate().all(|(k, &c)| {
                if [8, 13, 18, 23].contains(&k) {
                    c == b'-'
                } else {
                    is_hex(c)
                }
            })
    };
    while i < bytes.len() {
        if looks_uuid(&bytes[i..]) {
            let u = text[i..i + 36].to_string();
            let n = match seen.iter().position(|s| *s == u) {
                Some(n) => n,
                None => {
                    seen.push(u);
                    seen.len() - 1
                }
            };
            out.push_str(&format!("<uuid{n}>"));
            i += 36;
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8().max(1);
        }
    }
    for (n, u) in seen.iter().enumerate() {
        out = out.replace(&u[..8], &format!("<short{n}>"));
    }
    // Short forms of UUIDs never shown in full, as "(0123abcd)".
    let mut shorts: Vec<String> = Vec::new();
    let mut replaced = String::new();
    let mut rest = out.as_str();
    while let Some(p) = rest.find('(') {
        replaced.push_str(&rest[..p]);
        let cand = &rest[p..];
        let b = cand.as_bytes();
        if b.len() >= 10 && b[1..9].iter().all(|&c| is_hex(c)) && b[9] == b')' {
            let h = cand[1..9].to_string();
            let n = match shorts.iter().position(|s| *s == h) {
                Some(n) => n,
                None => {
                    shorts.push(h);
                    shorts.len() - 1
                }
            };
            replaced.push_str(&format!("(<anon{n}>)"));
            rest = &cand[10..];
        } else {
            replaced.push('(');
            rest = &cand[1..];
        }
    }
    replaced.push_str(rest);
    let out = replaced;
    // Dates as show-log prints them: YYYY-MM-DD HH:MM:SS.mmm
    let mut result = String::new();
    let chars: Vec<char> = out.chars().collect();
    let mut k = 0;
    while k < chars.len() {
        let rest: String = chars[k..chars.len().min(k + 23)].iter().collect();
        let is_date = rest.len() == 23
            && rest.chars().enumerate().all(|(j, c)| match j {
                4 | 7 => c == '-',
                10 => c == ' ',
                13 | 16 => c == ':',
                19 => c == '.',
                _ => c.is_ascii_digit(),
            });
        if is_date {
            result.push_str("<date>");
            k += 23;
        } else {
            result.push(chars[k]);
            k += 1;
        }
    }
    result
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}
