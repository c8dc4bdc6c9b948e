//! The OVSDB standalone database file, as Open vSwitch 3.1 reads and writes
//! it (`ovsdb/log.c`): a sequence of records, each a header line
//! `OVSDB JSON <length> <sha1>\n` followed by `<length>` bytes holding a JSON
//! object and a newline. The first record is the schema; the rest are
//! transactions, or after compaction a single snapshot of all the data.
//!
//! Promises: files we write are accepted by the real `ovsdb-tool` and
//! `ovsdb-server`, and theirs by us; a writer holds OVS's lock file
//! (`.<name>.~lock~`), so two writers, ours or OVS's, never share a file;
//! a torn or corrupted tail is detected (never trusted) and can be cut off;
//! compaction replaces the file atomically. Error texts match OVS's.
//!
//! This crate knows nothing of what records mean (that is the `ovsdb`
//! engine's job) and must not depend on it, on async runtimes or on
//! sockets. Clustered (`OVSDB CLUSTER`) files are recognized: `LogFile::open`
//! refuses them, `LogFile::open_with` can accept them so that a tool can
//! tell the kinds apart, but nothing here interprets their records.

#![forbid(unsafe_code)]

mod error;
mod lockfile;
mod log;
mod record;
mod schedule;

pub use error::LogError;
pub use lockfile::{Lockfile, follow_symlinks};
pub use log::{LogFile, OpenMode};
pub use record::{CLUSTER_MAGIC, OVSDB_MAGIC, compose_record, compose_record_text, parse_log};
pub use schedule::SnapshotSchedule;

#[cfg(test)]
mod tests;
