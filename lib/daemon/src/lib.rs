//! Daemon plumbing shared by ovs-rs daemons: OVS's directories, pidfiles
//! with OVS's locking protocol, and `--detach` / `--no-chdir` /
//! `--pidfile` / `--overwrite-pidfile` / `--monitor` behaviour.
//!
//! Promises: files and sockets appear where OVS's would (`lib/dirs.c`,
//! `lib/daemon-unix.c`), a pidfile is readable by OVS's own tools, and
//! `--detach` returns to the shell only once the daemon is ready. No `fork`
//! and no `unsafe`: detaching re-executes the program (see [`detach`]).
//! `--monitor` (restart on crash) is accepted and ignored.
//!
//! Depends on ovs-vlog only (to silence the console once detached); it must
//! not depend on runtimes or protocol crates.

#![forbid(unsafe_code)]

pub mod detach;
pub mod getopt;
mod paths;
mod pidfile;

use std::path::Path;

pub use detach::{DETACH_ENV, Detached, detach_if_requested, is_detached_child, notify_ready};
pub use paths::{Paths, abs_file_name};
pub use pidfile::{Pidfile, read_pidfile};

/// Start-up failures, with the texts OVS prints.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DaemonError {
    #[error("{0}")]
    Pidfile(String),
    #[error("{0}")]
    Detach(String),
}

/// The daemon options OVS daemons share, as parsed from the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DaemonOptions {
    /// `--detach`
    pub detach: bool,
    /// `--no-chdir`
    pub no_chdir: bool,
    /// `--pidfile[=FILE]`: `Some(None)` for the default name.
    pub pidfile: Option<Option<String>>,
    /// `--overwrite-pidfile`
    pub overwrite_pidfile: bool,
    /// `--monitor`: accepted; no monitor process is started.
    pub monitor: bool,
}

impl DaemonOptions {
    /// OVS's `daemonize_start`: detaches if asked (the foreground process
    /// exits inside this call), then creates the pidfile if asked. Call
    /// before starting threads.
    pub fn start(
        &self,
        paths: &Paths,
        program: &str,
    ) -> Result<(Option<Detached>, Option<Pidfile>), DaemonError> {
        let detached = detach_if_requested(self.detach, !self.no_chdir)?;
        let pidfile = match &self.pidfile {
            None => None,
            Some(name) => Some(Pidfile::create(
                paths,
                program,
                name.as_deref(),
                self.overwrite_pidfile,
            )?),
        };
        Ok((detached, pidfile))
    }
}

/// Convenience for tools: the pid in `pidfile` if a live process holds it.
pub fn running_pid(pidfile: &Path) -> Option<u32> {
    read_pidfile(pidfile).ok()
}
