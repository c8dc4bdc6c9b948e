//! Where control sockets live.

use std::io;
use std::path::{Path, PathBuf};

/// `$OVS_RUNDIR`, defaulting to `/var/run/openvswitch`.
pub fn rundir() -> PathBuf {
    std::env::var_os("OVS_RUNDIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/run/openvswitch"))
}

/// The socket path a daemon uses for `--unixctl=<arg>`: `None` (no option)
/// gives `<rundir>/<program>.<pid>.ctl`; `"none"` means no control socket
/// (returns `None`); a relative name is taken under `rundir`.
pub fn server_path(rundir: &Path, arg: Option<&str>, program: &str, pid: u32) -> Option<PathBuf> {
    match arg {
        Some("none") => None,
        Some(name) => Some(rundir.join(name)),
        None => Some(rundir.join(format!("{program}.{pid}.ctl"))),
    }
}

/// `<rundir>/<program>.<pid>.ctl` for this process: the socket without a
/// `--unixctl` option.
pub fn default_path(rundir: &Path, program: &str) -> PathBuf {
    rundir.join(format!("{program}.{}.ctl", std::process::id()))
}

/// How `ovs-appctl -t TARGET` finds a socket: a target starting with `/` is
/// the socket itself; otherwise `<rundir>/<target>.pid` names the daemon's
/// pid and the socket is `<rundir>/<target>.<pid>.ctl`.
pub fn target_path(rundir: &Path, target: &str) -> io::Result<PathBuf> {
    if target.starts_with('/') {
        return Ok(PathBuf::from(target));
    }
    let pidfile = rundir.join(format!("{target}.pid"));
    let text = std::fs::read_to_string(&pidfile).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("cannot read pidfile \"{}\": {e}", pidfile.display()),
        )
    })?;
    let pid: u32 = text.trim().parse().map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: pidfile does not contain a pid", pidfile.display()),
        )
    })?;
    Ok(rundir.join(format!("{target}.{pid}.ctl")))
}
