//! The OVSDB client IDL: keeps a local replica of chosen tables of a
//! database served by `ovsdb-server` (ours or Open vSwitch's), and commits
//! transactions to it. It is what `ovs-vswitchd` uses to read its
//! configuration and to write back status columns, in the spirit of OVS's
//! `lib/ovsdb-idl.c`.
//!
//! Two layers. [`IdlState`] is the whole protocol without I/O or clock:
//! `get_schema`, `monitor_cond_since` with fallbacks to `monitor_cond` and
//! `monitor`, `update`/`update2`/`update3`, `echo` in both directions,
//! reconnection backoff, transactions; it is driven by calls carrying the
//! time and tested by feeding it JSON. [`Idl`] is a thin tokio driver that
//! owns the socket (`unix:PATH` or `tcp:HOST:PORT`), reconnects and
//! resyncs when the server goes away, and publishes snapshots.
//!
//! Promises: the replica only ever changes by whole updates (a malformed
//! update changes nothing and forces a reconnection with a full reload);
//! nothing a server sends can make it panic; every snapshot
//! (`Arc<`[`Replica`]`>`) is consistent and never changes once handed out.
//!
//! It reuses the engine's schema and [`Datum`] types and the workspace's
//! JSON-RPC framing and stream names; it must not depend on the server
//! binary or on anything that knows the vswitch schema. Only the
//! `driver` module does I/O.

#![forbid(unsafe_code)]

mod driver;
mod replica;
mod state;
mod txn;

pub use driver::{Idl, IdlConfig, IdlHandle};
pub use ovsdb::{Atom, Datum, Uuid};
pub use replica::{Replica, Row, Table, TableLayout};
pub use state::{
    Event, IdlOptions, IdlState, MonitorMethod, MonitorSelection, SessionState, TxnId,
};
pub use txn::{Mutator, OpError, Transaction, TxnError, TxnSuccess, WaitUntil};

use ovs_jsonrpc::DecodeError;
use ovsdb::OvsdbError;
use serde_json::Value;

/// Why a session ended or could not start. None of these is fatal to the
/// [`Idl`]: it logs them and reconnects.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdlError {
    /// The remote is not `unix:PATH` or `tcp:HOST[:PORT]`.
    #[error("{0}")]
    BadRemote(String),
    /// The server answered a request of ours with an error.
    #[error("{method} request failed: {error}")]
    Server { method: String, error: Value },
    /// A reply did not have the shape its method requires.
    #[error("bad {method} reply: {details}")]
    BadReply { method: String, details: String },
    /// An update (or the monitor reply) could not be applied.
    #[error("bad update: {0}")]
    BadUpdate(String),
    /// The server's schema did not parse.
    #[error("bad schema from server: {0}")]
    Schema(OvsdbError),
    /// The server stayed silent after an inactivity probe.
    #[error("no response to inactivity probe after {idle_ms} ms, disconnecting")]
    ProbeTimeout { idle_ms: u64 },
    /// The byte stream was not JSON-RPC.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("connection closed by peer")]
    Eof,
    /// [`Idl::spawn`] was called outside a tokio runtime.
    #[error("the IDL needs a tokio runtime")]
    NoRuntime,
    /// The IDL's task has stopped.
    #[error("IDL closed")]
    Closed,
}
