//! Daemon plumbing: pidfile, detach, run directories.
