//! `--detach` without `fork`.
//!
//! Forking a process that may already have threads is unsound, and this
//! workspace has no `unsafe` outside system-call crates. Instead the parent
//! starts its own executable again, with the same arguments minus
//! `--detach` and a marker in the environment, and waits:
//!
//! ```text
//!  parent (foreground)                 child (the daemon)
//!  spawn(current_exe, args) ───────>   setsid(); normal start-up
//!  forward child's stdout lines <────  (pidfile, sockets, ...)
//!  READY line ⇒ exit(0)         <────  notify_ready(): READY line,
//!  EOF ⇒ exit(child's status)          stdio → /dev/null, chdir("/")
//! ```
//!
//! The child's stderr stays the terminal until it is ready, so start-up
//! errors reach the user just as with OVS.

use std::ffi::OsString;
use std::fs::OpenOptions;
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::DaemonError;

/// Set in the child's environment to the parent's pid.
pub const DETACH_ENV: &str = "OVS_RS_DETACH_PARENT";

/// What the child prints when it is ready; never shown to the user.
const READY_LINE: &[u8] = b"\0ovs-rs-daemon-ready\n";

static NOTIFIED: AtomicBool = AtomicBool::new(false);

/// True in the child started by a `--detach` parent (until the marker is
/// inherited by a grandchild, which the parent-pid check rules out).
pub fn is_detached_child() -> bool {
    std::env::var(DETACH_ENV)
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .is_some_and(|parent| parent == std::os::unix::process::parent_id())
}

/// Proof that this process is the detached child; finish detaching with
/// [`Detached::notify_ready`] once start-up has succeeded.
#[derive(Debug)]
#[must_use = "the --detach parent waits until notify_ready is called"]
pub struct Detached {
    chdir: bool,
}

impl Detached {
    /// See the free function [`notify_ready`]. Failures (the parent has
    /// gone, /dev/null missing) are logged: there is nobody left to tell.
    pub fn notify_ready(self) {
        if let Err(e) = notify_ready(!self.chdir) {
            tracing::warn!(target: "daemon_unix", "{e}");
        }
    }
}

/// Call first thing in `main`, before starting threads or a runtime.
///
/// In the detached child: starts a new session and returns
/// `Some(Detached)`, whose `notify_ready` later releases the parent (and
/// changes to `/` if `chdir`). Otherwise, with `detach`: becomes the
/// waiting parent and never returns (the process exits 0 once the child is
/// ready, or with the child's status if it dies first). Without `detach`:
/// returns `None` at once.
pub fn detach_if_requested(detach: bool, chdir: bool) -> Result<Option<Detached>, DaemonError> {
    if is_detached_child() {
        // Fails only if we already lead a process group, which a spawned
        // child does not; then we just stay in our parent's session.
        let _ = nix::unistd::setsid();
        return Ok(Some(Detached { chdir }));
    }
    if !detach {
        return Ok(None);
    }
    let code = run_parent(std::env::args_os().collect())?;
    std::process::exit(code)
}

/// Spawns the child and relays its start-up; returns the exit code for the
/// parent.
fn run_parent(argv: Vec<OsString>) -> Result<i32, DaemonError> {
    let detach_error = |what: &str, e: io::Error| {
        DaemonError::Detach(format!(
            "could not detach from foreground session: {what}: {e}"
        ))
    };
    let exe = std::env::current_exe().map_err(|e| detach_error("cannot find own executable", e))?;
    let mut argv = argv.into_iter();
    let arg0 = argv.next().unwrap_or_else(|| exe.clone().into_os_string());
    let args: Vec<OsString> = argv.filter(|a| a != "--detach").collect();
    let mut child = Command::new(&exe)
        .arg0(&arg0)
        .args(&args)
        .env(DETACH_ENV, std::process::id().to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| detach_error("spawn failed", e))?;

    if let Some(out) = child.stdout.take() {
        let mut reader = BufReader::new(out);
        let mut line = Vec::new();
        let stdout = io::stdout();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    // The child may have left a line unfinished before
                    // signalling, so the marker can end a longer line.
                    let ready = line.ends_with(READY_LINE);
                    if ready {
                        line.truncate(line.len() - READY_LINE.len());
                    }
                    let mut lock = stdout.lock();
                    let _ = lock.write_all(&line);
                    let _ = lock.flush();
                    if ready {
                        return Ok(0);
                    }
                }
            }
        }
    }

    let status = child
        .wait()
        .map_err(|e| detach_error("waitpid failed", e))?;
    match (status.code(), status.signal()) {
        (Some(code), _) => Ok(code),
        (None, Some(signal)) => {
            let program = arg0.to_string_lossy().into_owned();
            eprintln!(
                "{program}: fork child died before signaling startup (killed ({}))",
                signal_name(signal)
            );
            Ok(1)
        }
        (None, None) => Ok(1),
    }
}

/// Tells a `--detach` parent that start-up succeeded (call once the sockets
/// are bound and the pidfile exists), then finishes detaching: stdin,
/// stdout and stderr go to `/dev/null`, the working directory becomes `/`
/// unless `no_chdir`, and console logging is turned off, as OVS does. Does
/// nothing when not detached, or when called again.
pub fn notify_ready(no_chdir: bool) -> Result<(), DaemonError> {
    if !is_detached_child() || NOTIFIED.swap(true, Ordering::SeqCst) {
        return Ok(());
    }
    let io_error = |what: &str, e: io::Error| DaemonError::Detach(format!("{what}: {e}"));
    {
        let mut out = io::stdout().lock();
        out.write_all(READY_LINE)
            .and_then(|()| out.flush())
            .map_err(|e| io_error("could not notify parent", e))?;
    }
    let null = OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
        .map_err(|e| io_error("/dev/null", e))?;
    nix::unistd::dup2_stdin(&null)
        .and_then(|()| nix::unistd::dup2_stdout(&null))
        .and_then(|()| nix::unistd::dup2_stderr(&null))
        .map_err(|e| io_error("dup2", e.into()))?;
    if !no_chdir {
        let _ = std::env::set_current_dir("/");
    }
    ovs_vlog::set_levels(
        None,
        Some(ovs_vlog::Destination::Console),
        ovs_vlog::Level::Off,
    );
    Ok(())
}

fn signal_name(signal: i32) -> String {
    let name = match signal {
        libc::SIGHUP => "Hangup",
        libc::SIGINT => "Interrupt",
        libc::SIGQUIT => "Quit",
        libc::SIGILL => "Illegal instruction",
        libc::SIGABRT => "Aborted",
        libc::SIGBUS => "Bus error",
        libc::SIGFPE => "Floating point exception",
        libc::SIGKILL => "Killed",
        libc::SIGSEGV => "Segmentation fault",
        libc::SIGPIPE => "Broken pipe",
        libc::SIGTERM => "Terminated",
        _ => return format!("signal {signal}"),
    };
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_a_child_without_marker() {
        assert!(!is_detached_child());
        // Not detached: a no-op that must not touch stdio.
        notify_ready(true).unwrap();
    }

    #[test]
    fn signal_names() {
        assert_eq!(signal_name(libc::SIGSEGV), "Segmentation fault");
        assert_eq!(signal_name(200), "signal 200");
    }
}
