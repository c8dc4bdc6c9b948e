//! The server's state and the handling of every JSON-RPC method.
//!
//! One task owns all of it and works in batches: it takes every event that
//! is ready, executes them in arrival order, appends the committed
//! transactions to the database files, and only then releases the replies
//! and monitor updates those transactions produced. A client that has seen
//! "committed" can therefore rely on the record being in the file, and
//! pipelined clients get their commits grouped into few writes.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use ovs_jsonrpc::Message;
use ovs_unixctl::UnixctlRequest;
use ovsdb::{Changes, Database, DatabaseSchema, Monitor, MonitorVersion, TxnContext, TxnOutcome};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tracing::{info, warn};

use crate::locks::{LockError, Locks, Mode, SessionId};
use crate::server_db;
use crate::storage::Storage;

const LOG: &str = "ovsdb_server";
const ZERO_UUID: &str = "00000000-0000-0000-0000-000000000000";

/// What the connection tasks and the unixctl server tell the core.
pub enum Event {
    Connected {
        id: SessionId,
        out: mpsc::UnboundedSender<Outgoing>,
    },
    Received {
        id: SessionId,
        msg: Message,
    },
    Closed {
        id: SessionId,
    },
    Unixctl(UnixctlRequest),
}

/// What the core tells a session's writer.
pub enum Outgoing {
    Bytes(Vec<u8>),
    Close,
}

struct Session {
    out: mpsc::UnboundedSender<Outgoing>,
    monitors: Vec<SessionMonitor>,
    db_change_aware: bool,
    /// Bytes produced during this batch, released after storage is flushed.
    pending: Vec<u8>,
    close_after_flush: bool,
    /// The reader has ended: drop the session once its output is out.
    gone: bool,
}

struct SessionMonitor {
    id: Value,
    db: String,
    version: MonitorVersion,
    monitor: Monitor,
}

/// A `transact` that is waiting on a "wait" operation.
struct Trigger {
    session: SessionId,
    id: Value,
    db: String,
    ops: Vec<Value>,
    created_ms: u64,
    until_ms: Option<u64>,
}

pub struct Db {
    pub schema: Arc<DatabaseSchema>,
    pub schema_json: Value,
    /// The `get_schema` result, written once: the schema never changes
    /// while served.
    pub schema_text: String,
    pub data: Database,
    pub storage: Option<Storage>,
}

/// The remotes as configured (`--remote` and `ovsdb-server/add-remote`).
pub type Remotes = BTreeSet<String>;

pub struct Core {
    pub dbs: BTreeMap<String, Db>,
    sessions: HashMap<SessionId, Session>,
    locks: Locks,
    triggers: Vec<Trigger>,
    pub remotes: Remotes,
    pub remotes_changed: bool,
    server_id: String,
    clock: Instant,
    changed_dbs: BTreeSet<String>,
    /// A user database committed since remotes were last resolved.
    user_db_changed: bool,
    pub exiting: bool,
    /// Unixctl replies wait for the batch like everything else.
    unixctl_replies: Vec<(UnixctlRequest, Result<String, String>)>,
}

fn wall_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// `{"error": "syntax error", "details": ..., "syntax": <json>}` as OVS's
/// ovsdb_syntax_error() builds it.
pub fn syntax_error(syntax: Option<&Value>, tag: Option<&str>, details: String) -> Value {
    let mut e = serde_json::Map::new();
    e.insert(
        "error".into(),
        Value::String(tag.unwrap_or("syntax error").into()),
    );
    e.insert("details".into(), Value::String(details));
    if let Some(s) = syntax {
        e.insert("syntax".into(), Value::String(s.to_string()));
    }
    Value::Object(e)
}

impl Core {
    pub fn new(dbs: BTreeMap<String, Db>, remotes: Remotes) -> Core {
        let mut core = Core {
            dbs,
            sessions: HashMap::new(),
            locks: Locks::default(),
            triggers: Vec::new(),
            remotes,
            remotes_changed: true,
            server_id: uuid::Uuid::new_v4().to_string(),
            clock: Instant::now(),
            changed_dbs: BTreeSet::new(),
            user_db_changed: false,
            exiting: false,
            unixctl_replies: Vec::new(),
        };
        let server = server_db::new_database();
        core.dbs.insert(
            server_db::NAME.to_string(),
            Db {
                schema_json: server.schema().to_json(),
                schema_text: server_db::schema_text(server.schema()),
                schema: server.schema().clone(),
                data: server,
                storage: None,
            },
        );
        core.refresh_server_db();
        core
    }

    pub fn now_ms(&self) -> u64 {
        self.clock.elapsed().as_millis() as u64
    }

    /// Rewrites the `_Server` database's `Database` rows to describe the
    /// databases being served.
    fn refresh_server_db(&mut self) {
        let described: Vec<(String, Value)> = self
            .dbs
            .iter()
            .map(|(name, db)| (name.clone(), db.schema_json.clone()))
            .collect();
        let ops = server_db::sync_ops(&described);
        self.execute_internal(server_db::NAME, &ops);
    }

    /// Executes a transaction the server itself makes (never blocks).
    fn execute_internal(&mut self, db_name: &str, ops: &[Value]) {
        let Some(db) = self.dbs.get_mut(db_name) else {
            return;
        };
        let ctx = TxnContext {
            now_ms: 0,
            owns_lock: &|_| false,
        };
        match db.data.transact_unrestricted(ops, &ctx) {
            TxnOutcome::Committed { changes, .. } => self.committed(db_name, &changes),
            TxnOutcome::Failed { reply } => {
                warn!(target: LOG, "internal transaction on {db_name} failed: {reply}")
            }
            TxnOutcome::Blocked { .. } => {}
        }
    }

    pub fn handle(&mut self, event: Event) {
        match event {
            Event::Connected { id, out } => {
                self.sessions.insert(
                    id,
                    Session {
                        out,
                        monitors: Vec::new(),
                        db_change_aware: false,
                        pending: Vec::new(),
                        close_after_flush: false,
                        gone: false,
                    },
                );
            }
            Event::Received { id, msg } => self.received(id, msg),
            Event::Closed { id } => self.session_closed(id),
            Event::Unixctl(req) => self.unixctl(req),
        }
    }

    /// The peer is gone (or sent something OVS would hang up on). Replies
    /// already computed still go out, as OVS writes its queued output
    /// before closing, so the session itself leaves at the end of the batch.
    fn session_closed(&mut self, id: SessionId) {
        if let Some(s) = self.sessions.get_mut(&id) {
            s.monitors.clear();
            s.close_after_flush = true;
            s.gone = true;
        }
        self.triggers.retain(|t| t.session != id);
        for (name, effects) in self.locks.remove_session(id) {
            for s in effects.locked {
                self.notify(s, "locked", json!([name]));
            }
        }
    }

    fn send(&mut self, session: SessionId, msg: Message) {
        if let Some(s) = self.sessions.get_mut(&session) {
            s.pending.extend_from_slice(&msg.to_bytes());
        }
    }

    fn reply(&mut self, session: SessionId, id: Value, result: Value) {
        self.send(session, Message::Reply { result, id });
    }

    fn error(&mut self, session: SessionId, id: Value, error: Value) {
        self.send(session, Message::Error { error, id });
    }

    fn notify(&mut self, session: SessionId, method: &str, params: Value) {
        self.send(
            session,
            Message::Notify {
                method: method.to_string(),
                params,
            },
        );
    }

    fn received(&mut self, session: SessionId, msg: Message) {
        match msg {
            Message::Request { method, params, id } => self.request(session, &method, params, id),
            Message::Notify { method, params } => {
                if method == "cancel" {
                    self.cancel(session, &params);
                }
            }
            // The reader hangs up on these before they get here (see
            // `remote::reader`): a server never asked anything.
            Message::Reply { .. } | Message::Error { .. } => {}
        }
    }

    /// Finds the database a request names in its first parameter.
    fn lookup_db(&self, method: &str, params: &Value) -> Result<String, Value> {
        let name = params
            .as_array()
            .and_then(|a| a.first())
            .and_then(Value::as_str);
        let Some(name) = name else {
            return Err(syntax_error(
                Some(params),
                None,
                format!("{method} request params must begin with <db-name>"),
            ));
        };
        if !self.dbs.contains_key(name) {
            return Err(syntax_error(
                Some(params),
                Some("unknown database"),
                format!("{method} request specifies unknown database {name}"),
            ));
        }
        Ok(name.to_string())
    }

    fn request(&mut self, session: SessionId, method: &str, params: Value, id: Value) {
        let result = match method {
            "transact" => {
                match self.lookup_db(method, &params) {
                    Ok(db) => self.transact(session, db, params, id),
                    Err(e) => self.error(session, id, e),
                }
                return;
            }
            "monitor" | "monitor_cond" | "monitor_cond_since" => {
                let version = match method {
                    "monitor" => MonitorVersion::V1,
                    "monitor_cond" => MonitorVersion::V2,
                    _ => MonitorVersion::V3,
                };
                let created = self
                    .lookup_db(method, &params)
                    .and_then(|db| self.monitor_create(session, db, &params, version));
                match created {
                    // The initial contents can be megabytes: they go out as
                    // text written straight from the rows.
                    Ok(text) => {
                        let bytes = Message::reply_bytes_with_raw_result(&id, &text);
                        if let Some(s) = self.sessions.get_mut(&session) {
                            s.pending.extend_from_slice(&bytes);
                        }
                    }
                    Err(e) => self.error(session, id, e),
                }
                return;
            }
            "monitor_cond_change" => self.monitor_cond_change(session, &params),
            "monitor_cancel" => self.monitor_cancel(session, &params),
            "get_schema" => {
                match self.lookup_db(method, &params) {
                    Ok(db) => {
                        let bytes =
                            Message::reply_bytes_with_raw_result(&id, &self.dbs[&db].schema_text);
                        if let Some(s) = self.sessions.get_mut(&session) {
                            s.pending.extend_from_slice(&bytes);
                        }
                    }
                    Err(e) => self.error(session, id, e),
                }
                return;
            }
            "list_dbs" => Ok(Value::Array(
                self.dbs.keys().map(|k| Value::String(k.clone())).collect(),
            )),
            "get_server_id" => Ok(Value::String(self.server_id.clone())),
            "lock" => self.lock(session, method, &params, Mode::Wait),
            "steal" => self.lock(session, method, &params, Mode::Steal),
            "unlock" => self.unlock(session, method, &params),
            "set_db_change_aware" => match params.as_array().map(Vec::as_slice) {
                Some([Value::Bool(b)]) => {
                    if let Some(s) = self.sessions.get_mut(&session) {
                        s.db_change_aware = *b;
                    }
                    Ok(json!({}))
                }
                _ => Err(syntax_error(
                    Some(&params),
                    None,
                    format!("{method}: true or false parameter expected"),
                )),
            },
            "echo" => Ok(params),
            "convert" => Err(json!({
                "error": "not supported",
                "details": "this ovsdb-server does not implement \"convert\" yet",
            })),
            _ => Err(Value::String("unknown method".into())),
        };
        match result {
            Ok(r) => self.reply(session, id, r),
            Err(e) => self.error(session, id, e),
        }
    }

    fn transact(&mut self, session: SessionId, db: String, params: Value, id: Value) {
        if self
            .triggers
            .iter()
            .any(|t| t.session == session && t.id == id)
        {
            let e = syntax_error(
                Some(&params),
                None,
                "transact: duplicate request ID".to_string(),
            );
            self.error(session, id, e);
            return;
        }
        let ops = match params {
            Value::Array(mut a) => {
                a.remove(0);
                a
            }
            _ => Vec::new(),
        };
        // One clock reading for creation and first try: like OVS's cached
        // poll-loop time, a transaction's first execution sees 0 ms elapsed
        // (a "wait" with timeout 0 then fails with the where-clause error).
        let now = self.now_ms();
        let trigger = Trigger {
            session,
            id,
            db,
            ops,
            created_ms: now,
            until_ms: None,
        };
        if let Some(pending) = self.try_trigger(trigger, now) {
            self.triggers.push(pending);
        }
    }

    /// Runs a transaction; gives it back if it must keep waiting.
    fn try_trigger(&mut self, mut t: Trigger, now: u64) -> Option<Trigger> {
        let Some(db) = self.dbs.get_mut(&t.db) else {
            self.error(t.session, t.id, Value::String("canceled".into()));
            return None;
        };
        let locks = &self.locks;
        let session = t.session;
        let owns = move |name: &str| locks.owns(session, name);
        let ctx = TxnContext {
            now_ms: now,
            owns_lock: &owns,
        };
        match db.data.transact_since(&t.ops, &ctx, t.created_ms) {
            TxnOutcome::Committed { reply, changes } => {
                let db_name = t.db.clone();
                self.committed(&db_name, &changes);
                self.reply(t.session, t.id, reply);
                None
            }
            TxnOutcome::Failed { reply } => {
                self.reply(t.session, t.id, reply);
                None
            }
            TxnOutcome::Blocked { until_ms } => {
                t.until_ms = until_ms;
                Some(t)
            }
        }
    }

    /// Bookkeeping after a commit: the file, the monitors, the triggers.
    fn committed(&mut self, db_name: &str, changes: &Changes) {
        // Like OVS, a transaction that changed nothing writes nothing.
        if changes.is_empty() {
            return;
        }
        let Some(db) = self.dbs.get_mut(db_name) else {
            return;
        };
        if let Some(storage) = db.storage.as_mut() {
            // Changes to ephemeral columns only are not written, as in OVS.
            if let Some(record) =
                changes.log_record(&db.data, changes.comment.as_deref(), wall_ms())
                && let Err(e) = storage.append(&record, changes.durable)
            {
                warn!(target: LOG, "{e}");
            }
        }
        self.changed_dbs.insert(db_name.to_string());
        self.user_db_changed |= db_name != server_db::NAME;
        let mut notes = Vec::new();
        for (&sid, s) in &self.sessions {
            for m in s.monitors.iter().filter(|m| m.db == db_name) {
                if let Some(updates) = m.monitor.updates(changes) {
                    notes.push((sid, update_notification(m, updates)));
                }
            }
        }
        for (sid, msg) in notes {
            self.send(sid, msg);
        }
    }

    fn cancel(&mut self, session: SessionId, params: &Value) {
        let Some([id]) = params.as_array().map(Vec::as_slice) else {
            return;
        };
        if let Some(pos) = self
            .triggers
            .iter()
            .position(|t| t.session == session && &t.id == id)
        {
            // OVS drops the transaction silently, except towards clients
            // that declared themselves db_change_aware.
            let t = self.triggers.remove(pos);
            if self
                .sessions
                .get(&session)
                .is_some_and(|s| s.db_change_aware)
            {
                self.error(t.session, t.id, Value::String("canceled".into()));
            }
        }
    }

    fn monitor_create(
        &mut self,
        session: SessionId,
        db_name: String,
        params: &Value,
        version: MonitorVersion,
    ) -> Result<String, Value> {
        let p = params.as_array().map(Vec::as_slice).unwrap_or(&[]);
        let bad_count = match version {
            MonitorVersion::V1 => p.len() < 3,
            MonitorVersion::V2 => p.len() != 3,
            MonitorVersion::V3 => p.len() != 4,
        };
        if bad_count {
            return Err(syntax_error(
                Some(params),
                None,
                "invalid parameters".into(),
            ));
        }
        let (monitor_id, requests) = (&p[1], &p[2]);
        if !requests.is_object() {
            return Err(syntax_error(
                Some(requests),
                None,
                "monitor-requests must be object".into(),
            ));
        }
        let s = self.sessions.get(&session).ok_or(Value::Null)?;
        if s.monitors.iter().any(|m| &m.id == monitor_id) {
            return Err(syntax_error(
                Some(monitor_id),
                None,
                "duplicate monitor ID".into(),
            ));
        }
        let db = &self.dbs[&db_name];
        let monitor = Monitor::new(&db.schema, requests, version).map_err(|e| e.to_json())?;
        if version == MonitorVersion::V3 {
            let last = &p[3];
            let Some(last) = last.as_str() else {
                return Err(syntax_error(
                    Some(last),
                    None,
                    "last-txn-id must be string".into(),
                ));
            };
            if uuid::Uuid::parse_str(last).is_err() {
                return Err(syntax_error(
                    Some(&p[3]),
                    None,
                    "last-txn-id must be UUID format.".into(),
                ));
            }
        }
        let mut initial = Vec::new();
        monitor.write_initial(&db.data, &mut initial);
        let m = SessionMonitor {
            id: monitor_id.clone(),
            db: db_name,
            version,
            monitor,
        };
        if let Some(s) = self.sessions.get_mut(&session) {
            s.monitors.push(m);
        }
        let initial = String::from_utf8(initial).map_err(|_| Value::Null)?;
        // Standalone databases keep no transaction history (OVS only keeps
        // one for clustered and relay databases), so monitor_cond_since
        // always answers "not found" with the all-zero transaction id.
        Ok(match version {
            MonitorVersion::V3 => format!("[false,\"{ZERO_UUID}\",{initial}]"),
            _ => initial,
        })
    }

    fn monitor_cond_change(&mut self, session: SessionId, params: &Value) -> Result<Value, Value> {
        let Some([old_id, new_id, requests]) = params.as_array().map(Vec::as_slice) else {
            return Err(syntax_error(
                Some(params),
                None,
                "invalid parameters".into(),
            ));
        };
        let Some(s) = self.sessions.get_mut(&session) else {
            return Err(Value::Null);
        };
        let Some(pos) = s.monitors.iter().position(|m| &m.id == old_id) else {
            return Err(syntax_error(
                Some(old_id),
                None,
                "unknown monitor session".into(),
            ));
        };
        if old_id != new_id && s.monitors.iter().any(|m| &m.id == new_id) {
            return Err(syntax_error(
                Some(new_id),
                None,
                "duplicate monitor ID".into(),
            ));
        }
        if !requests.is_object() {
            return Err(syntax_error(
                None,
                None,
                "monitor-cond-change-requests must be object".into(),
            ));
        }
        let m = &mut s.monitors[pos];
        let db = &self.dbs[&m.db];
        let updates = m
            .monitor
            .change_conditions(&db.data, requests)
            .map_err(|e| e.to_json())?;
        m.id = new_id.clone();
        if let Some(updates) = updates {
            let note = update_notification(m, updates);
            s.pending.extend_from_slice(&note.to_bytes());
        }
        Ok(json!({}))
    }

    fn monitor_cancel(&mut self, session: SessionId, params: &Value) -> Result<Value, Value> {
        let Some([id]) = params.as_array().map(Vec::as_slice) else {
            return Err(Value::String("invalid parameters".into()));
        };
        let s = self.sessions.get_mut(&session).ok_or(Value::Null)?;
        match s.monitors.iter().position(|m| &m.id == id) {
            Some(pos) => {
                s.monitors.remove(pos);
                Ok(json!({}))
            }
            None => Err(Value::String("unknown monitor".into())),
        }
    }

    fn lock_name<'a>(method: &str, params: &'a Value) -> Result<&'a str, Value> {
        match params.as_array().map(Vec::as_slice) {
            Some([Value::String(name)]) if is_id(name) => Ok(name),
            _ => Err(syntax_error(
                Some(params),
                None,
                format!("{method} request params must be <id>"),
            )),
        }
    }

    fn lock(
        &mut self,
        session: SessionId,
        method: &str,
        params: &Value,
        mode: Mode,
    ) -> Result<Value, Value> {
        let name = Self::lock_name(method, params)?.to_string();
        match self.locks.lock(session, &name, mode) {
            Ok((owner, effects)) => {
                for victim in effects.stolen {
                    self.notify(victim, "stolen", json!([name]));
                }
                Ok(json!({ "locked": owner }))
            }
            Err(_) => Err(syntax_error(
                Some(params),
                None,
                format!("must issue \"unlock\" before new \"{method}\""),
            )),
        }
    }

    fn unlock(&mut self, session: SessionId, method: &str, params: &Value) -> Result<Value, Value> {
        let name = Self::lock_name(method, params)?.to_string();
        match self.locks.unlock(session, &name) {
            Ok(effects) => {
                for s in effects.locked {
                    self.notify(s, "locked", json!([name]));
                }
                Ok(json!({}))
            }
            Err(LockError::NotWaiting | LockError::AlreadyWaiting) => Err(syntax_error(
                Some(params),
                None,
                format!("{method}: \"unlock\" without \"lock\" or \"steal\""),
            )),
        }
    }

    /// Re-runs waiting transactions whose database changed or whose
    /// deadline passed; then writes and syncs the files; then releases the
    /// batch's output.
    pub fn finish_batch(&mut self) {
        for _ in 0..8 {
            let changed = std::mem::take(&mut self.changed_dbs);
            let now = self.now_ms();
            let (retry, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut self.triggers)
                .into_iter()
                .partition(|t| changed.contains(&t.db) || t.until_ms.is_some_and(|u| now >= u));
            self.triggers = keep;
            if retry.is_empty() {
                break;
            }
            for t in retry {
                if let Some(t) = self.try_trigger(t, now) {
                    self.triggers.push(t);
                }
            }
            if self.changed_dbs.is_empty() {
                break;
            }
        }
        self.changed_dbs.clear();
        for db in self.dbs.values_mut() {
            if let Some(storage) = db.storage.as_mut()
                && let Err(e) = storage.flush()
            {
                warn!(target: LOG, "{e}");
            }
        }
        for s in self.sessions.values_mut() {
            if !s.pending.is_empty() {
                let _ = s.out.send(Outgoing::Bytes(std::mem::take(&mut s.pending)));
            }
            if s.close_after_flush {
                let _ = s.out.send(Outgoing::Close);
            }
        }
        self.sessions.retain(|_, s| !s.gone);
        for (req, result) in self.unixctl_replies.drain(..) {
            let _ = req.reply.send(result);
        }
    }

    /// The earliest time a waiting transaction must be retried, if any.
    pub fn next_deadline_ms(&self) -> Option<u64> {
        self.triggers.iter().filter_map(|t| t.until_ms).min()
    }

    /// Automatic compaction, checked periodically.
    pub fn run_compaction(&mut self) {
        let now = self.now_ms();
        for (name, db) in self.dbs.iter_mut() {
            if let Some(storage) = db.storage.as_mut()
                && storage.should_compact(now)
            {
                info!(target: LOG, "{name}: compacting database");
                if let Err(e) = storage.compact(&db.schema_json, &db.data, now, jitter(), wall_ms())
                {
                    warn!(target: LOG, "{e}");
                }
            }
        }
    }

    fn compact(&mut self, which: Option<&str>) -> Result<String, String> {
        if which.is_some_and(|n| n.starts_with('_')) {
            return Err("cannot compact built-in databases".into());
        }
        let now = self.now_ms();
        let mut n = 0;
        let mut errors = String::new();
        for (name, db) in self.dbs.iter_mut() {
            let wanted = match which {
                Some(w) => w == name,
                None => !name.starts_with('_'),
            };
            if !wanted {
                continue;
            }
            n += 1;
            info!(target: LOG, "compacting {name} database by user request");
            if let Some(storage) = db.storage.as_mut()
                && let Err(e) = storage.compact(&db.schema_json, &db.data, now, jitter(), wall_ms())
            {
                errors.push_str(&e);
                errors.push('\n');
            }
        }
        if n == 0 {
            Err("no database by that name".into())
        } else if !errors.is_empty() {
            Err(errors)
        } else {
            Ok(String::new())
        }
    }

    /// Whether `db:` remotes must be resolved again after this batch.
    pub fn db_remotes_may_change(&mut self) -> bool {
        std::mem::take(&mut self.user_db_changed)
            && self.remotes.iter().any(|r| r.starts_with("db:"))
    }

    /// The connection targets the remotes stand for now, resolving
    /// `db:DB,TABLE,COLUMN` through the database as OVS does.
    pub fn remote_targets(&mut self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for remote in self.remotes.clone() {
            match remote.strip_prefix("db:") {
                None => {
                    out.insert(remote);
                }
                Some(spec) => match self.query_db_remotes(spec) {
                    Ok(targets) => out.extend(targets),
                    Err(e) => warn!(target: LOG, "{e}"),
                },
            }
        }
        out
    }

    fn query_db_remotes(&mut self, spec: &str) -> Result<Vec<String>, String> {
        let parts: Vec<&str> = spec.split(',').collect();
        let [db_name, table, column] = parts[..] else {
            return Err(format!("\"db:{spec}\": invalid syntax"));
        };
        let db = self
            .dbs
            .get_mut(db_name)
            .ok_or_else(|| format!("\"{db_name}\": no database named {db_name}"))?;
        let select = |db: &mut Db, table: &str, column: &str| -> Vec<Value> {
            let op = json!({"op": "select", "table": table, "where": [], "columns": [column]});
            let ctx = TxnContext {
                now_ms: 0,
                owns_lock: &|_| false,
            };
            match db.data.transact(&[op], &ctx) {
                TxnOutcome::Committed { reply, .. } => reply[0]["rows"]
                    .as_array()
                    .map(|rows| rows.iter().map(|r| r[column].clone()).collect())
                    .unwrap_or_default(),
                _ => Vec::new(),
            }
        };
        let mut targets = Vec::new();
        let mut refs = Vec::new();
        for datum in select(db, table, column) {
            for atom in datum_atoms(&datum) {
                match atom {
                    Value::String(s) => targets.push(s),
                    Value::Array(a) if a.len() == 2 && a[0] == "uuid" => refs.push(a[1].clone()),
                    _ => {}
                }
            }
        }
        if !refs.is_empty() {
            // A column of references: each referenced row has a "target".
            let ref_table = db
                .schema
                .tables
                .get(table)
                .and_then(|t| t.columns.get(column))
                .and_then(|c| c.type_.key.ref_table.clone());
            if let Some(ref_table) = ref_table {
                let op = json!({"op": "select", "table": ref_table, "where": [],
                                "columns": ["_uuid", "target"]});
                let ctx = TxnContext {
                    now_ms: 0,
                    owns_lock: &|_| false,
                };
                if let TxnOutcome::Committed { reply, .. } = db.data.transact(&[op], &ctx) {
                    for row in reply[0]["rows"].as_array().into_iter().flatten() {
                        if refs.contains(&row["_uuid"][1])
                            && let Some(t) = row["target"].as_str()
                        {
                            targets.push(t.to_string());
                        }
                    }
                }
            }
        }
        Ok(targets)
    }

    /// Handles an `ovs-appctl` command. Replies wait for the end of the batch.
    fn unixctl(&mut self, req: UnixctlRequest) {
        let arg = |i: usize| req.args.get(i).cloned();
        let result = match req.command.as_str() {
            "exit" => {
                self.exiting = true;
                Ok(String::new())
            }
            "ovsdb-server/compact" => self.compact(arg(0).as_deref()),
            "ovsdb-server/add-remote" => {
                let remote = arg(0).unwrap_or_default();
                match remote.strip_prefix("db:") {
                    Some(spec) => self.check_db_remote(spec),
                    None => Ok(()),
                }
                .map(|()| {
                    self.remotes.insert(remote);
                    self.remotes_changed = true;
                    String::new()
                })
            }
            "ovsdb-server/remove-remote" => {
                if self.remotes.remove(&arg(0).unwrap_or_default()) {
                    self.remotes_changed = true;
                    Ok(String::new())
                } else {
                    Err("no such remote".into())
                }
            }
            "ovsdb-server/list-remotes" => {
                Ok(self.remotes.iter().map(|r| format!("{r}\n")).collect())
            }
            "ovsdb-server/list-dbs" => Ok(self.dbs.keys().map(|d| format!("{d}\n")).collect()),
            "ovsdb-server/reconnect" => {
                for s in self.sessions.values_mut() {
                    s.close_after_flush = true;
                }
                Ok(String::new())
            }
            "memory/show" => Ok(self.memory_report()),
            other => ovs_vlog::unixctl(other, &req.args)
                .unwrap_or_else(|| Err(format!("\"{other}\" is not a valid command"))),
        };
        self.unixctl_replies.push((req, result));
    }

    fn check_db_remote(&self, spec: &str) -> Result<(), String> {
        let parts: Vec<&str> = spec.split(',').collect();
        let [db, table, column] = parts[..] else {
            return Err(format!("\"db:{spec}\": invalid syntax"));
        };
        let d = self
            .dbs
            .get(db)
            .ok_or_else(|| format!("\"{db}\": no database named {db}"))?;
        let t = d
            .schema
            .tables
            .get(table)
            .ok_or_else(|| format!("\"{table}\": no table named {table}"))?;
        t.columns
            .get(column)
            .map(|_| ())
            .ok_or_else(|| format!("\"{column}\": no column named {column}"))
    }

    fn memory_report(&self) -> String {
        let monitors: usize = self.sessions.values().map(|s| s.monitors.len()).sum();
        let mut usage: BTreeMap<&str, usize> = BTreeMap::new();
        usage.insert("sessions", self.sessions.len());
        usage.insert("monitors", monitors);
        usage.insert("triggers", self.triggers.len());
        usage.insert("locks", self.locks.n_locks());
        let rows: usize = self
            .dbs
            .values()
            .map(|d| {
                d.schema
                    .tables
                    .keys()
                    .map(|t| d.data.n_rows(t))
                    .sum::<usize>()
            })
            .sum();
        usage.insert("rows", rows);
        usage.retain(|_, v| *v > 0);
        usage
            .iter()
            .map(|(k, v)| format!("{k}:{v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Everything to do before the process ends: nothing may be left unsynced.
    pub fn shutdown(&mut self) {
        self.finish_batch();
        for db in self.dbs.values_mut() {
            if let Some(storage) = db.storage.as_mut() {
                let _ = storage.flush();
            }
        }
    }
}

/// The atoms of a datum in RFC 7047 notation, whatever its shape.
fn datum_atoms(datum: &Value) -> Vec<Value> {
    match datum {
        Value::Array(a) if a.len() == 2 && a[0] == "set" => {
            a[1].as_array().cloned().unwrap_or_default()
        }
        Value::Array(a) if a.len() == 2 && a[0] == "map" => Vec::new(),
        other => vec![other.clone()],
    }
}

/// An <id> as RFC 7047 defines it: a letter or underscore, then letters,
/// digits or underscores.
fn is_id(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn update_notification(m: &SessionMonitor, updates: Value) -> Message {
    let (method, params) = match m.version {
        MonitorVersion::V1 => ("update", json!([m.id, updates])),
        MonitorVersion::V2 => ("update2", json!([m.id, updates])),
        MonitorVersion::V3 => ("update3", json!([m.id, ZERO_UUID, updates])),
    };
    Message::Notify {
        method: method.into(),
        params,
    }
}

/// Spreads compactions of several servers started together.
pub fn jitter() -> u64 {
    uuid::Uuid::new_v4().as_u128() as u64
}
