//! The OVSDB engine: schemas, atoms and datums in RFC 7047's JSON
//! notation, the in-memory database with its transaction executor and
//! commit-time integrity checks, on-disk log records, and monitors
//! (`update`, `update2`, `update3` payloads).
//!
//! It promises OVS's observable behaviour: the same results arrays, error
//! tags and details, JSON shapes, log records and monitor updates as
//! Open vSwitch 3.1's `ovsdb-server`, so real clients (`ovs-vsctl`,
//! `ovsdb-client`, the C and Python IDLs) cannot tell the difference.
//!
//! It does no I/O and reads no clock: time comes in through
//! [`TxnContext`], JSON in and out as `serde_json::Value` (or written
//! straight to bytes for the few outputs that can be huge).  Sockets,
//! sessions, trigger queues, locks and the log file belong to the server.
//!
//! Entry points: [`DatabaseSchema::from_json`], [`Database::new`],
//! [`Database::transact`] (and [`Database::transact_since`] to retry a
//! blocked `wait`), [`Database::apply_log_record`] /
//! [`Database::apply_log_record_text`] to replay the log,
//! [`Changes::log_record`] to write it, [`Database::write_snapshot_record`]
//! to compact it, and [`Monitor`] for `monitor`, `monitor_cond` and
//! `monitor_cond_since`.

#![forbid(unsafe_code)]
// Tables are sets of `RowRef`s keyed by the row's UUID, which never changes;
// the atomic reference count inside a row is bookkeeping, not key.
#![allow(clippy::mutable_key_type)]

mod atom;
mod changes;
mod commit;
mod condition;
mod datum;
mod db;
mod error;
mod exec;
mod hash;
mod json;
mod meta;
mod monitor;
mod mutation;
mod order;
mod parser;
mod row;
mod schema;
mod str;
mod stream;

pub use atom::{Atom, parse_uuid, uuid_to_json};
pub use changes::{Changes, RowChange, TableChanges};
pub use datum::Datum;
pub use db::{Database, TxnContext, TxnOutcome};
pub use error::OvsdbError;
pub use monitor::{Monitor, MonitorVersion};
pub use row::{Row, UUID_COLUMN, VERSION_COLUMN};
pub use schema::{
    AtomicType, BaseType, ColumnSchema, DatabaseSchema, RefType, TableSchema, Type, parse_version,
};
pub use str::Str;
pub use uuid::Uuid;

#[cfg(test)]
mod tests;
