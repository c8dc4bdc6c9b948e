//! Integration-test harness for ovs-rs: runs an OVSDB server (ours or
//! Debian's) in a throw-away sandbox and drives it with the real Open vSwitch
//! client tools (`ovs-vsctl`, `ovsdb-client`, `ovs-appctl`, `ovsdb-tool`), the
//! Debian python IDL and raw JSON-RPC over its unix socket.
//!
//! Promises: every sandbox is a fresh uniquely named temp dir, so tests run in
//! parallel; every process a test starts is killed and every sandbox removed
//! when its guard drops, on success and on panic alike; no external command
//! can hang a test (each one runs under a deadline). The server is always
//! started with the exact command line of the bench (`shared/bench`).
//!
//! Which implementation is under test ("side A") comes from `OVS_TEST_IMPL`:
//! `real` runs the whole suite against Debian's binaries (to validate the
//! tests themselves), `ours` insists on our binaries, and when unset our
//! binaries are used if they have been built, else each test prints a SKIP
//! line and passes. Differential tests always use real OVS as side B.
//!
//! This crate depends on nothing of ours: it only talks to binaries, so it
//! tests exactly what an operator runs.

#![forbid(unsafe_code)]

pub mod canon;
pub mod controller;
pub mod netns;
pub mod process;
pub mod rpc;
pub mod sandbox;
pub mod switch;

use std::path::{Path, PathBuf};

pub use process::{Background, Output};
pub use rpc::Rpc;
pub use sandbox::Sandbox;

/// The schema every test database is created from (Debian's copy: the
/// repository never carries one).
pub const VSWITCH_SCHEMA: &str = "/usr/share/openvswitch/vswitch.ovsschema";

/// Debian's daemons.
pub const REAL_SBINDIR: &str = "/usr/sbin";
/// Debian's client tools, always the ones the tests drive the server with.
pub const REAL_BINDIR: &str = "/usr/bin";

/// An implementation of the OVS binaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Impl {
    /// ovs-rs, from `$OVS_RS_BINDIR` or else `<workspace>/target/release`.
    Ours,
    /// Debian's Open vSwitch 3.1 in /usr/sbin and /usr/bin.
    Real,
}

impl Impl {
    /// Short name for messages and file names.
    pub fn label(self) -> &'static str {
        match self {
            Impl::Ours => "ours",
            Impl::Real => "real",
        }
    }

    /// Path of this implementation's `ovsdb-server`.
    pub fn ovsdb_server(self) -> PathBuf {
        match self {
            Impl::Ours => ours_bindir().join("ovsdb-server"),
            Impl::Real => Path::new(REAL_SBINDIR).join("ovsdb-server"),
        }
    }

    /// Path of this implementation's `ovsdb-tool`, if it has one.
    pub fn ovsdb_tool(self) -> Option<PathBuf> {
        match self {
            Impl::Ours => {
                let path = ours_bindir().join("ovsdb-tool");
                path.is_file().then_some(path)
            }
            Impl::Real => Some(Path::new(REAL_BINDIR).join("ovsdb-tool")),
        }
    }

    /// This implementation's `ovsdb-tool`, or Debian's while ours does not
    /// exist yet (used only to create databases, where any correct tool
    /// will do).
    pub fn ovsdb_tool_or_real(self) -> PathBuf {
        self.ovsdb_tool()
            .unwrap_or_else(|| Path::new(REAL_BINDIR).join("ovsdb-tool"))
    }
}

/// Where our binaries are: `$OVS_RS_BINDIR`, else `release/` under
/// `$CARGO_TARGET_DIR` or the workspace's `target/`.
pub fn ours_bindir() -> PathBuf {
    if let Some(dir) = std::env::var_os("OVS_RS_BINDIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let target = match std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => workspace_root().join(dir),
        None => workspace_root().join("target"),
    };
    target.join("release")
}

/// The workspace root (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Path of a helper script under `tests/python/`.
pub fn python_script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("python")
        .join(name)
}

/// The implementation under test (side A), or `None` after printing a SKIP
/// line when `OVS_TEST_IMPL` is unset and ours is not built.
///
/// Panics on an unknown `OVS_TEST_IMPL`, when `OVS_TEST_IMPL=ours` and our
/// server is missing, or when the real client tools are missing (the suite
/// cannot say anything without them: `scripts/test.sh` installs them).
pub fn impl_under_test(test: &str) -> Option<Impl> {
    check_real_tools();
    let requested = std::env::var("OVS_TEST_IMPL").unwrap_or_default();
    match requested.as_str() {
        "real" => Some(Impl::Real),
        "ours" => {
            let server = Impl::Ours.ovsdb_server();
            assert!(
                server.is_file(),
                "OVS_TEST_IMPL=ours but {} does not exist (cargo build --release -p ovsdb-server, \
                 or set OVS_RS_BINDIR)",
                server.display()
            );
            Some(Impl::Ours)
        }
        "" => {
            let server = Impl::Ours.ovsdb_server();
            if server.is_file() {
                Some(Impl::Ours)
            } else {
                println!(
                    "SKIP {test}: {} is not built; build it, or run with OVS_TEST_IMPL=real to \
                     check the test against Debian's OVS",
                    server.display()
                );
                None
            }
        }
        other => panic!("OVS_TEST_IMPL must be `real` or `ours`, not {other:?}"),
    }
}

/// Panics with a clear message if Debian's OVS tools are not installed.
pub fn check_real_tools() {
    let needed = [
        format!("{REAL_SBINDIR}/ovsdb-server"),
        format!("{REAL_BINDIR}/ovsdb-tool"),
        format!("{REAL_BINDIR}/ovsdb-client"),
        format!("{REAL_BINDIR}/ovs-vsctl"),
        format!("{REAL_BINDIR}/ovs-appctl"),
        VSWITCH_SCHEMA.to_string(),
    ];
    for path in &needed {
        assert!(
            Path::new(path).exists(),
            "{path} is missing: install openvswitch-switch and openvswitch-common \
             (sudo ./scripts/test.sh does)"
        );
    }
}

/// Returns the side-A implementation or returns from the calling test after
/// printing why it is skipped.
#[macro_export]
macro_rules! impl_or_skip {
    ($test:expr) => {
        match $crate::impl_under_test($test) {
            Some(imp) => imp,
            None => return,
        }
    };
}
