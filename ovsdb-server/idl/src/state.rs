//! The IDL session without I/O: what to send after connecting, how to read
//! every reply and notification, when to probe, when to reconnect.
//!
//! The driver tells it about the connection (`handle_connected`,
//! `handle_disconnected`, `handle_connect_failed`), feeds it each received
//! message (`handle_message`) and the passing of time (`handle_timeout`),
//! and drains what it wants sent (`poll_transmit`) and what it has to say
//! (`poll_event`). Time is milliseconds on any monotonic clock the driver
//! likes. An `Err` from a `handle_*` call means the connection is no longer
//! usable: the driver drops it and calls `handle_disconnected`.
//!
//! Sequence on each connection: `get_schema`, then `monitor_cond_since`
//! (with the last transaction id seen, so a server that keeps history only
//! sends what changed), falling back to `monitor_cond` and then `monitor`
//! when the server refuses, as OVS's IDL does. The replica survives
//! disconnections; it is replaced when the new monitor reply says the
//! server could not continue from our transaction id.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use ovs_jsonrpc::Message;
use ovsdb::{DatabaseSchema, parse_uuid};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::IdlError;
use crate::replica::{Replica, TableLayout, UpdateFormat};
use crate::txn::{EncodedTxn, Transaction, TxnError, TxnSuccess};

/// The monitor request methods, newest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MonitorMethod {
    /// RFC 7047 `monitor`, answered with `update`.
    Monitor,
    /// `monitor_cond`, answered with `update2`.
    MonitorCond,
    /// `monitor_cond_since`, answered with `update3`.
    MonitorCondSince,
}

impl MonitorMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            MonitorMethod::Monitor => "monitor",
            MonitorMethod::MonitorCond => "monitor_cond",
            MonitorMethod::MonitorCondSince => "monitor_cond_since",
        }
    }

    /// What to try when the server refuses this one.
    fn fallback(self) -> Option<MonitorMethod> {
        match self {
            MonitorMethod::MonitorCondSince => Some(MonitorMethod::MonitorCond),
            MonitorMethod::MonitorCond => Some(MonitorMethod::Monitor),
            MonitorMethod::Monitor => None,
        }
    }

    fn format(self) -> UpdateFormat {
        match self {
            MonitorMethod::Monitor => UpdateFormat::V1,
            _ => UpdateFormat::V2,
        }
    }
}

/// Which tables and columns to replicate. The default is every column of
/// every table; naming a table switches to only the named tables.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MonitorSelection {
    /// `None`: all tables. Per table, `None`: all columns.
    tables: Option<BTreeMap<String, Option<BTreeSet<String>>>>,
}

impl MonitorSelection {
    /// Every column of every table.
    pub fn all() -> MonitorSelection {
        MonitorSelection::default()
    }

    /// Adds every column of `table`.
    pub fn table(&mut self, table: &str) -> &mut Self {
        self.tables
            .get_or_insert_default()
            .insert(table.to_string(), None);
        self
    }

    /// Adds `columns` of `table` (unless all its columns are selected).
    pub fn columns(&mut self, table: &str, columns: &[&str]) -> &mut Self {
        let entry = self
            .tables
            .get_or_insert_default()
            .entry(table.to_string())
            .or_insert_with(|| Some(BTreeSet::new()));
        if let Some(set) = entry {
            set.extend(columns.iter().map(|c| c.to_string()));
        }
        self
    }

    /// The layouts for `schema`. Tables and columns the server does not
    /// have are left out with a warning (the server may be older than the
    /// client), as OVS's IDL does.
    fn resolve(&self, schema: &DatabaseSchema) -> BTreeMap<String, Arc<TableLayout>> {
        let mut out = BTreeMap::new();
        let all_columns =
            |t: &ovsdb::TableSchema| TableLayout::new(t, t.columns.keys().map(String::as_str));
        match &self.tables {
            None => {
                for (name, t) in &schema.tables {
                    out.insert(name.clone(), Arc::new(all_columns(t)));
                }
            }
            Some(tables) => {
                for (name, columns) in tables {
                    let Some(t) = schema.table(name) else {
                        tracing::warn!(
                            "{} database lacks {name} table (database needs upgrade?)",
                            schema.name
                        );
                        continue;
                    };
                    let layout = match columns {
                        None => all_columns(t),
                        Some(columns) => {
                            for c in columns.iter().filter(|c| !t.columns.contains_key(*c)) {
                                tracing::warn!(
                                    "{name} table in {} database lacks {c} column (database \
                                     needs upgrade?)",
                                    schema.name
                                );
                            }
                            TableLayout::new(t, columns.iter().map(String::as_str))
                        }
                    };
                    if layout.column_names().next().is_some() {
                        out.insert(name.clone(), Arc::new(layout));
                    }
                }
            }
        }
        out
    }
}

/// Timers and limits of a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdlOptions {
    /// First wait before reconnecting after a failure (OVS: 1 s).
    pub min_backoff_ms: u64,
    /// Longest wait between connection attempts (OVS: 8 s).
    pub max_backoff_ms: u64,
    /// Send an `echo` after this long without hearing from the server, and
    /// drop the connection after as long again; 0 disables probes (OVS
    /// probes TCP every 5 s and never probes unix sockets).
    pub probe_interval_ms: u64,
    /// The newest monitor method to try (lower it to test fallbacks, or
    /// for servers that misbehave with the newer ones).
    pub max_monitor_method: MonitorMethod,
}

impl Default for IdlOptions {
    fn default() -> IdlOptions {
        IdlOptions {
            min_backoff_ms: 1000,
            max_backoff_ms: 8000,
            probe_interval_ms: 0,
            max_monitor_method: MonitorMethod::MonitorCondSince,
        }
    }
}

/// Where the session stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionState {
    /// Not connected: waiting to (re)connect at [`IdlState::reconnect_at`].
    Backoff,
    /// Connected; `get_schema` sent.
    SchemaRequested,
    /// The monitor request sent with this method.
    MonitorRequested(MonitorMethod),
    /// The replica is in sync and follows the server's updates.
    Monitoring(MonitorMethod),
}

/// Identifies a committed transaction in [`Event::TxnDone`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TxnId(pub u64);

/// Something the driver should pass on to the user.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event {
    /// A transaction from [`IdlState::commit`] has its outcome.
    TxnDone {
        id: TxnId,
        result: Result<TxnSuccess, TxnError>,
    },
}

#[derive(Debug)]
enum Pending {
    Schema,
    Monitor(MonitorMethod),
    Transact(TxnId, EncodedTxn),
}

/// The id of our `echo` probes, as OVS's jsonrpc sessions use.
const ECHO_ID: &str = "echo";

/// The sans-I/O IDL session. See the module documentation.
#[derive(Debug)]
pub struct IdlState {
    database: String,
    selection: MonitorSelection,
    options: IdlOptions,
    state: SessionState,
    /// `["monid", <database>]`, as OVS's IDL names its monitor.
    monitor_id: Value,

    next_request_id: u64,
    next_txn_id: u64,
    pending: HashMap<u64, Pending>,
    outbox: VecDeque<Message>,
    events: VecDeque<Event>,

    replica: Arc<Replica>,
    schema: Option<Arc<DatabaseSchema>>,
    schema_json: Option<Value>,
    layouts: BTreeMap<String, Arc<TableLayout>>,
    /// The last `update3` transaction id; nil when there is none or the
    /// replica must be reloaded in full.
    last_txn_id: Uuid,
    /// The `last_txn_id` sent with the outstanding `monitor_cond_since`.
    requested_txn_id: Uuid,

    backoff_ms: u64,
    reconnect_at_ms: u64,
    connected_at_ms: u64,
    last_received_ms: u64,
    probe_sent_at_ms: Option<u64>,
}

impl IdlState {
    pub fn new(database: &str, selection: MonitorSelection, options: IdlOptions) -> IdlState {
        IdlState {
            database: database.to_string(),
            selection,
            options,
            state: SessionState::Backoff,
            monitor_id: json!(["monid", database]),
            next_request_id: 0,
            next_txn_id: 0,
            pending: HashMap::new(),
            outbox: VecDeque::new(),
            events: VecDeque::new(),
            replica: Arc::new(Replica::default()),
            schema: None,
            schema_json: None,
            layouts: BTreeMap::new(),
            last_txn_id: Uuid::nil(),
            requested_txn_id: Uuid::nil(),
            backoff_ms: 0,
            reconnect_at_ms: 0,
            connected_at_ms: 0,
            last_received_ms: 0,
            probe_sent_at_ms: None,
        }
    }

    pub fn database(&self) -> &str {
        &self.database
    }

    pub fn state(&self) -> SessionState {
        self.state
    }

    pub fn is_connected(&self) -> bool {
        self.state != SessionState::Backoff
    }

    /// The current replica. It only changes inside `handle_message`.
    pub fn replica(&self) -> &Arc<Replica> {
        &self.replica
    }

    /// The last transaction id from `monitor_cond_since` or `update3`
    /// (nil if none).
    pub fn last_txn_id(&self) -> Uuid {
        self.last_txn_id
    }

    /// When to connect next, while in [`SessionState::Backoff`].
    pub fn reconnect_at(&self) -> Option<u64> {
        (self.state == SessionState::Backoff).then_some(self.reconnect_at_ms)
    }

    /// The next time `handle_timeout` has something to do.
    pub fn poll_timeout(&self) -> Option<u64> {
        if self.state == SessionState::Backoff {
            return Some(self.reconnect_at_ms);
        }
        let interval = self.options.probe_interval_ms;
        if interval == 0 {
            return None;
        }
        Some(match self.probe_sent_at_ms {
            Some(sent) => sent.saturating_add(interval),
            None => self.last_received_ms.saturating_add(interval),
        })
    }

    pub fn poll_transmit(&mut self) -> Option<Message> {
        self.outbox.pop_front()
    }

    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// A connection is up: start over with `get_schema`.
    pub fn handle_connected(&mut self, now: u64) {
        self.fail_transactions("connection reset");
        self.pending.clear();
        self.outbox.clear();
        self.connected_at_ms = now;
        self.last_received_ms = now;
        self.probe_sent_at_ms = None;
        self.request_schema();
    }

    /// A connection attempt failed.
    pub fn handle_connect_failed(&mut self, now: u64) {
        self.state = SessionState::Backoff;
        self.back_off(now, false);
    }

    /// The connection is gone. Transactions waiting for replies complete
    /// with [`TxnError::TryAgain`]: they may or may not have committed.
    pub fn handle_disconnected(&mut self, now: u64) {
        if self.state == SessionState::Backoff {
            return;
        }
        self.fail_transactions("connection lost");
        self.pending.clear();
        self.outbox.clear();
        self.probe_sent_at_ms = None;
        self.state = SessionState::Backoff;
        self.back_off(now, true);
    }

    /// OVS's reconnect backoff: a connection that worked for a while
    /// earns a quick retry; repeated failures double the wait up to the
    /// maximum.
    fn back_off(&mut self, now: u64, was_connected: bool) {
        let o = &self.options;
        let min = o.min_backoff_ms;
        let max = o.max_backoff_ms.max(min);
        let earned_quick_retry = was_connected
            && self.last_received_ms.saturating_sub(self.connected_at_ms) >= self.backoff_ms;
        self.backoff_ms = if earned_quick_retry || self.backoff_ms < min {
            min
        } else {
            self.backoff_ms.saturating_mul(2).min(max)
        };
        self.reconnect_at_ms = now.saturating_add(self.backoff_ms);
    }

    fn fail_transactions(&mut self, why: &str) {
        let mut ids: Vec<TxnId> = self
            .pending
            .values()
            .filter_map(|p| match p {
                Pending::Transact(id, _) => Some(*id),
                _ => None,
            })
            .collect();
        ids.sort();
        for id in ids {
            self.events.push_back(Event::TxnDone {
                id,
                result: Err(TxnError::TryAgain(why.to_string())),
            });
        }
        self.pending
            .retain(|_, p| !matches!(p, Pending::Transact(..)));
    }

    /// Time has passed: probe an idle server, or give up on a silent one.
    pub fn handle_timeout(&mut self, now: u64) -> Result<(), IdlError> {
        let interval = self.options.probe_interval_ms;
        if self.state == SessionState::Backoff || interval == 0 {
            return Ok(());
        }
        match self.probe_sent_at_ms {
            Some(sent) if now >= sent.saturating_add(interval) => Err(IdlError::ProbeTimeout {
                idle_ms: now.saturating_sub(self.last_received_ms),
            }),
            None if now >= self.last_received_ms.saturating_add(interval) => {
                self.outbox
                    .push_back(Message::request("echo", json!([]), json!(ECHO_ID)));
                self.probe_sent_at_ms = Some(now);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Queues a `transact`; its outcome comes later as [`Event::TxnDone`].
    /// Fails at once with [`TxnError::TryAgain`] unless the replica is in
    /// sync, and with [`TxnError::Invalid`] if it does not fit the schema.
    pub fn commit(&mut self, txn: &Transaction) -> Result<TxnId, TxnError> {
        let (SessionState::Monitoring(_), Some(schema)) = (self.state, self.schema.as_ref()) else {
            return Err(TxnError::TryAgain("not connected to the database".into()));
        };
        let encoded = txn.encode(&self.database, schema)?;
        let id = TxnId(self.next_txn_id);
        self.next_txn_id += 1;
        let params = encoded.params.clone();
        self.send_request("transact", params, Pending::Transact(id, encoded));
        Ok(id)
    }

    fn send_request(&mut self, method: &str, params: Value, pending: Pending) {
        let id = self.next_request_id;
        self.next_request_id += 1;
        self.pending.insert(id, pending);
        self.outbox
            .push_back(Message::request(method, params, json!(id)));
    }

    fn request_schema(&mut self) {
        self.state = SessionState::SchemaRequested;
        let params = json!([self.database]);
        self.send_request("get_schema", params, Pending::Schema);
    }

    fn request_monitor(&mut self, method: MonitorMethod) {
        let mut requests = Map::new();
        for (name, layout) in &self.layouts {
            let columns: Vec<&str> = layout.column_names().collect();
            requests.insert(name.clone(), json!([{ "columns": columns }]));
        }
        let mut params = vec![
            json!(self.database),
            self.monitor_id.clone(),
            Value::Object(requests),
        ];
        if method == MonitorMethod::MonitorCondSince {
            self.requested_txn_id = self.last_txn_id;
            params.push(json!(self.last_txn_id.hyphenated().to_string()));
        }
        self.state = SessionState::MonitorRequested(method);
        self.send_request(
            method.as_str(),
            Value::Array(params),
            Pending::Monitor(method),
        );
    }

    /// Handles one received message.
    pub fn handle_message(&mut self, now: u64, msg: Message) -> Result<(), IdlError> {
        self.last_received_ms = now;
        self.probe_sent_at_ms = None;
        match msg {
            Message::Request { method, params, id } => {
                if method == "echo" {
                    self.outbox.push_back(Message::reply(id, params));
                } else {
                    tracing::warn!(
                        "{}: ignoring unexpected request \"{method}\"",
                        self.database
                    );
                }
                Ok(())
            }
            Message::Notify { method, params } => self.handle_notify(&method, &params),
            Message::Reply { result, id } => self.handle_response(&id, Ok(result)),
            Message::Error { error, id } => self.handle_response(&id, Err(error)),
        }
    }

    fn handle_notify(&mut self, method: &str, params: &Value) -> Result<(), IdlError> {
        let method_format = match method {
            "update" => UpdateFormat::V1,
            "update2" | "update3" => UpdateFormat::V2,
            "monitor_canceled" => {
                if params.as_array().and_then(|p| p.first()) == Some(&self.monitor_id) {
                    // The database went away or was converted: start over
                    // on the same connection, reloading everything.
                    tracing::info!("{}: monitor canceled by server, resyncing", self.database);
                    self.last_txn_id = Uuid::nil();
                    self.request_schema();
                }
                return Ok(());
            }
            _ => {
                tracing::debug!("{}: ignoring \"{method}\" notification", self.database);
                return Ok(());
            }
        };
        let n = if method == "update3" { 3 } else { 2 };
        let Some(p) = params.as_array().filter(|p| p.len() == n) else {
            return Err(IdlError::BadUpdate(format!(
                "{method} must be an array with {n} elements"
            )));
        };
        if p[0] != self.monitor_id {
            return Ok(());
        }
        let SessionState::Monitoring(monitoring) = self.state else {
            tracing::warn!(
                "{}: ignoring {method} before the monitor reply",
                self.database
            );
            return Ok(());
        };
        if method_format != monitoring.format() {
            return Err(IdlError::BadUpdate(format!(
                "{method} received for a {} monitor",
                monitoring.as_str()
            )));
        }
        let txn_id = if n == 3 {
            let id = p[1].as_str().and_then(parse_uuid).ok_or_else(|| {
                IdlError::BadUpdate(format!("last-txn-id {} is not in UUID format", p[1]))
            })?;
            Some(id)
        } else {
            None
        };
        if let Err(e) = self.replica.apply_update(&p[n - 1], method_format) {
            // Our replica no longer matches any transaction id of the
            // server's: the next monitor must reload everything.
            self.last_txn_id = Uuid::nil();
            return Err(e);
        }
        if let Some(id) = txn_id {
            self.last_txn_id = id;
        }
        Ok(())
    }

    fn handle_response(
        &mut self,
        id: &Value,
        result: Result<Value, Value>,
    ) -> Result<(), IdlError> {
        if id.as_str() == Some(ECHO_ID) {
            return Ok(());
        }
        let Some(pending) = id.as_u64().and_then(|n| self.pending.remove(&n)) else {
            tracing::debug!("{}: ignoring reply to unknown request {id}", self.database);
            return Ok(());
        };
        match pending {
            Pending::Schema => self.handle_schema_reply(result),
            Pending::Monitor(method) => self.handle_monitor_reply(method, result),
            Pending::Transact(id, encoded) => {
                let result = encoded.interpret(result.as_ref());
                self.events.push_back(Event::TxnDone { id, result });
                Ok(())
            }
        }
    }

    fn handle_schema_reply(&mut self, result: Result<Value, Value>) -> Result<(), IdlError> {
        let json = result.map_err(|error| IdlError::Server {
            method: "get_schema".into(),
            error,
        })?;
        let schema = Arc::new(DatabaseSchema::from_json(&json).map_err(IdlError::Schema)?);
        let layouts = self.selection.resolve(&schema);
        let same = self.schema_json.as_ref() == Some(&json)
            && layouts.len() == self.layouts.len()
            && layouts
                .iter()
                .zip(&self.layouts)
                .all(|((a, la), (b, lb))| a == b && la.column_names().eq(lb.column_names()));
        if !same {
            // What we hold is not what a diff since our transaction id
            // would apply to.
            self.last_txn_id = Uuid::nil();
            self.layouts = layouts;
        }
        self.schema = Some(schema);
        self.schema_json = Some(json);
        self.request_monitor(self.options.max_monitor_method);
        Ok(())
    }

    fn handle_monitor_reply(
        &mut self,
        method: MonitorMethod,
        result: Result<Value, Value>,
    ) -> Result<(), IdlError> {
        let result = match result {
            Ok(r) => r,
            Err(error) => {
                return match method.fallback() {
                    Some(next) => {
                        tracing::debug!(
                            "{}: {} refused ({error}), trying {}",
                            self.database,
                            method.as_str(),
                            next.as_str()
                        );
                        self.request_monitor(next);
                        Ok(())
                    }
                    None => Err(IdlError::Server {
                        method: method.as_str().into(),
                        error,
                    }),
                };
            }
        };
        let bad = |details: &str| IdlError::BadReply {
            method: method.as_str().into(),
            details: details.into(),
        };
        let (found, txn_id, updates) = if method == MonitorMethod::MonitorCondSince {
            match result.as_array().map(Vec::as_slice) {
                Some([Value::Bool(found), Value::String(id), updates]) => {
                    let id = parse_uuid(id).ok_or_else(|| bad("last-txn-id is not a UUID"))?;
                    (*found, id, updates)
                }
                _ => return Err(bad("bad monitor_cond_since reply format")),
            }
        } else {
            (false, Uuid::nil(), &result)
        };
        // "Found" only means something if we asked to continue from a
        // transaction of ours.
        let clear = !found || self.requested_txn_id.is_nil();
        let schema = self.schema.clone().ok_or_else(|| bad("no schema"))?;
        if clear {
            let mut fresh = Arc::new(Replica::empty(schema, &self.layouts, self.replica.seqno()));
            if let Err(e) = fresh.apply_update(updates, method.format()) {
                self.last_txn_id = Uuid::nil();
                return Err(e);
            }
            self.replica = fresh;
        } else if let Err(e) = self.replica.apply_update(updates, method.format()) {
            self.last_txn_id = Uuid::nil();
            return Err(e);
        }
        self.last_txn_id = txn_id;
        self.state = SessionState::Monitoring(method);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
