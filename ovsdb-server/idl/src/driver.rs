//! The tokio driver: one task owns the connection and the [`IdlState`].
//!
//! ```text
//!   user tasks                         IDL task (Idl::spawn)
//!   ----------                         ---------------------
//!   IdlHandle::commit ---- Command --> [ IdlState ] <--- bytes --- socket
//!        ^                               |     |    ---- bytes --> socket
//!        '------ oneshot (outcome) ------'     |
//!   IdlHandle::snapshot <-- watch<Arc<Replica>>'  (published after each
//!   IdlHandle::state    <-- watch<SessionState>    batch of messages)
//! ```
//!
//! Snapshots: the task publishes a new `Arc<Replica>` whenever the replica
//! changed, after handling everything one read returned; readers clone the
//! `Arc` and keep a consistent view for as long as they like.

use std::collections::HashMap;
use std::future::pending;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use ovs_jsonrpc::{DEFAULT_MAX_MESSAGE_BYTES, StreamDecoder};
use ovs_stream::{OVSDB_PORT, Stream, Target};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep_until, timeout};

use crate::IdlError;
use crate::replica::Replica;
use crate::state::{Event, IdlOptions, IdlState, MonitorSelection, SessionState, TxnId};
use crate::txn::{Transaction, TxnError, TxnSuccess};

/// How long one connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// OVS's default inactivity probe interval for TCP sessions.
const TCP_PROBE_INTERVAL_MS: u64 = 5000;

/// What to connect to and what to replicate.
#[derive(Clone, Debug)]
pub struct IdlConfig {
    /// `unix:PATH` or `tcp:HOST[:PORT]` (port 6640 by default).
    pub remote: String,
    /// E.g. `Open_vSwitch`.
    pub database: String,
    pub selection: MonitorSelection,
    pub options: IdlOptions,
}

impl IdlConfig {
    /// Every table of `database` at `remote`, with OVS's timers: backoff
    /// from 1 s to 8 s, 5 s probes on TCP, none on unix sockets.
    pub fn new(remote: &str, database: &str) -> IdlConfig {
        let mut options = IdlOptions::default();
        if remote.starts_with("tcp:") {
            options.probe_interval_ms = TCP_PROBE_INTERVAL_MS;
        }
        IdlConfig {
            remote: remote.to_string(),
            database: database.to_string(),
            selection: MonitorSelection::all(),
            options,
        }
    }
}

enum Command {
    Commit(Transaction, oneshot::Sender<Result<TxnSuccess, TxnError>>),
    Reconnect,
}

/// A cheap, clonable handle on a running [`Idl`].
#[derive(Clone, Debug)]
pub struct IdlHandle {
    commands: mpsc::UnboundedSender<Command>,
    replica: watch::Receiver<Arc<Replica>>,
    state: watch::Receiver<SessionState>,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Commit(..) => f.write_str("Commit"),
            Command::Reconnect => f.write_str("Reconnect"),
        }
    }
}

impl IdlHandle {
    /// The latest published replica.
    pub fn snapshot(&self) -> Arc<Replica> {
        self.replica.borrow().clone()
    }

    /// A receiver that sees each newly published replica.
    pub fn subscribe(&self) -> watch::Receiver<Arc<Replica>> {
        self.replica.clone()
    }

    pub fn state(&self) -> SessionState {
        *self.state.borrow()
    }

    pub fn subscribe_state(&self) -> watch::Receiver<SessionState> {
        self.state.clone()
    }

    /// Waits for a replica with a `seqno` above `seen`.
    pub async fn wait_for_change(&self, seen: u64) -> Result<Arc<Replica>, IdlError> {
        self.wait_until(|r| r.seqno() > seen).await
    }

    /// Waits for a replica satisfying `ready` (checked on each published
    /// replica, the current one first).
    pub async fn wait_until(
        &self,
        mut ready: impl FnMut(&Replica) -> bool,
    ) -> Result<Arc<Replica>, IdlError> {
        let mut rx = self.replica.clone();
        loop {
            {
                let r = rx.borrow_and_update();
                if ready(&r) {
                    return Ok(r.clone());
                }
            }
            rx.changed().await.map_err(|_| IdlError::Closed)?;
        }
    }

    /// Sends `txn` and waits for its outcome. Fails at once with
    /// [`TxnError::TryAgain`] while the replica is not in sync.
    pub async fn commit(&self, txn: Transaction) -> Result<TxnSuccess, TxnError> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::Commit(txn, tx))
            .map_err(|_| TxnError::Closed)?;
        rx.await.map_err(|_| TxnError::Closed)?
    }

    /// Drops the current connection (if any) and reconnects at once.
    pub fn force_reconnect(&self) {
        let _ = self.commands.send(Command::Reconnect);
    }
}

/// A running IDL. Dropping it stops its task and closes the connection;
/// handles then see [`IdlError::Closed`] / [`TxnError::Closed`].
#[derive(Debug)]
pub struct Idl {
    handle: IdlHandle,
    task: JoinHandle<()>,
}

impl Deref for Idl {
    type Target = IdlHandle;

    fn deref(&self) -> &IdlHandle {
        &self.handle
    }
}

impl Drop for Idl {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Idl {
    /// Starts the IDL task on the current tokio runtime. It connects at
    /// once and keeps reconnecting until dropped.
    pub fn spawn(config: IdlConfig) -> Result<Idl, IdlError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| IdlError::NoRuntime)?;
        let target = Target::parse(&config.remote, OVSDB_PORT).map_err(IdlError::BadRemote)?;
        if target.is_passive() {
            return Err(IdlError::BadRemote(format!(
                "{}: the IDL needs an active remote (unix: or tcp:)",
                config.remote
            )));
        }
        let core = IdlState::new(&config.database, config.selection, config.options);
        let (commands_tx, commands) = mpsc::unbounded_channel();
        let (replica_tx, replica) = watch::channel(core.replica().clone());
        let (state_tx, state) = watch::channel(core.state());
        let driver = Driver {
            core,
            name: target.name(),
            target,
            commands,
            replica_tx,
            state_tx,
            waiters: HashMap::new(),
            epoch: Instant::now(),
        };
        let task = runtime.spawn(driver.run());
        Ok(Idl {
            handle: IdlHandle {
                commands: commands_tx,
                replica,
                state,
            },
            task,
        })
    }

    pub fn handle(&self) -> IdlHandle {
        self.handle.clone()
    }
}

/// How a session ended.
enum End {
    /// Every handle is gone: stop.
    Closed,
    /// The user asked for a new connection.
    Reconnect,
    Lost(IdlError),
}

struct Driver {
    core: IdlState,
    target: Target,
    name: String,
    commands: mpsc::UnboundedReceiver<Command>,
    replica_tx: watch::Sender<Arc<Replica>>,
    state_tx: watch::Sender<SessionState>,
    waiters: HashMap<TxnId, oneshot::Sender<Result<TxnSuccess, TxnError>>>,
    epoch: Instant,
}

impl Driver {
    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn at(&self, ms: u64) -> Instant {
        self.epoch + Duration::from_millis(ms)
    }

    async fn run(mut self) {
        let mut skip_backoff = false;
        loop {
            if let Some(at) = self.core.reconnect_at().filter(|_| !skip_backoff) {
                let deadline = self.at(at);
                loop {
                    tokio::select! {
                        _ = sleep_until(deadline) => break,
                        cmd = self.commands.recv() => match cmd {
                            None => return,
                            Some(Command::Reconnect) => break,
                            Some(cmd) => self.command(cmd),
                        },
                    }
                }
            }
            skip_backoff = false;
            tracing::info!("{}: connecting...", self.name);
            let stream = match timeout(CONNECT_TIMEOUT, ovs_stream::connect(&self.target)).await {
                Ok(Ok(stream)) => stream,
                Ok(Err(e)) => {
                    tracing::info!("{}: connection attempt failed ({e})", self.name);
                    self.core.handle_connect_failed(self.now());
                    self.publish();
                    continue;
                }
                Err(_) => {
                    tracing::info!("{}: connection attempt timed out", self.name);
                    self.core.handle_connect_failed(self.now());
                    self.publish();
                    continue;
                }
            };
            tracing::info!("{}: connected", self.name);
            self.core.handle_connected(self.now());
            let end = self.session(stream).await;
            self.core.handle_disconnected(self.now());
            match end {
                End::Closed => return,
                End::Reconnect => {
                    tracing::info!("{}: reconnecting", self.name);
                    skip_backoff = true;
                }
                End::Lost(IdlError::Eof) => {
                    tracing::info!("{}: connection closed by peer", self.name)
                }
                End::Lost(e) => tracing::warn!("{}: connection dropped ({e})", self.name),
            }
            self.publish();
        }
    }

    async fn session(&mut self, stream: Stream) -> End {
        let Stream { mut rd, mut wr, .. } = stream;
        let mut decoder = StreamDecoder::new(DEFAULT_MAX_MESSAGE_BYTES);
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let mut out = Vec::new();
            while let Some(m) = self.core.poll_transmit() {
                out.extend_from_slice(&m.to_bytes());
            }
            if !out.is_empty()
                && let Err(e) = wr.write_all(&out).await
            {
                return End::Lost(e.into());
            }
            self.publish();
            let deadline = self.core.poll_timeout().map(|ms| self.at(ms));
            let timer = async {
                match deadline {
                    Some(d) => sleep_until(d).await,
                    None => pending().await,
                }
            };
            tokio::select! {
                r = rd.read(&mut buf) => {
                    let n = match r {
                        Ok(0) => return End::Lost(IdlError::Eof),
                        Ok(n) => n,
                        Err(e) => return End::Lost(e.into()),
                    };
                    decoder.feed(&buf[..n]);
                    while let Some(m) = decoder.next_message() {
                        let result = match m {
                            Ok(m) => self.core.handle_message(self.now(), m),
                            Err(e) => Err(e.into()),
                        };
                        if let Err(e) = result {
                            return End::Lost(e);
                        }
                    }
                }
                cmd = self.commands.recv() => match cmd {
                    None => return End::Closed,
                    Some(Command::Reconnect) => return End::Reconnect,
                    Some(cmd) => self.command(cmd),
                },
                _ = timer => {
                    if let Err(e) = self.core.handle_timeout(self.now()) {
                        return End::Lost(e);
                    }
                }
            }
        }
    }

    fn command(&mut self, cmd: Command) {
        match cmd {
            Command::Commit(txn, reply) => match self.core.commit(&txn) {
                Ok(id) => {
                    self.waiters.insert(id, reply);
                }
                Err(e) => {
                    let _ = reply.send(Err(e));
                }
            },
            Command::Reconnect => {}
        }
    }

    /// Hands out transaction outcomes and publishes the replica and state
    /// if they changed.
    fn publish(&mut self) {
        while let Some(event) = self.core.poll_event() {
            match event {
                Event::TxnDone { id, result } => {
                    if let Some(reply) = self.waiters.remove(&id) {
                        let _ = reply.send(result);
                    }
                }
            }
        }
        let replica = self.core.replica();
        if !Arc::ptr_eq(&self.replica_tx.borrow(), replica) {
            self.replica_tx.send_replace(replica.clone());
        }
        let state = self.core.state();
        self.state_tx.send_if_modified(|s| {
            let changed = *s != state;
            *s = state;
            changed
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spawning_needs_a_runtime() {
        assert!(matches!(
            Idl::spawn(IdlConfig::new("unix:/x", "db")),
            Err(IdlError::NoRuntime)
        ));
    }

    #[tokio::test]
    async fn remotes_are_checked() {
        for bad in ["punix:/tmp/x", "ptcp:6640", "ssl:1.2.3.4:6640", "nonsense"] {
            assert!(matches!(
                Idl::spawn(IdlConfig::new(bad, "Open_vSwitch")),
                Err(IdlError::BadRemote(_))
            ));
        }
    }

    #[test]
    fn tcp_sessions_probe_by_default() {
        assert_eq!(
            IdlConfig::new("tcp:127.0.0.1", "db")
                .options
                .probe_interval_ms,
            5000
        );
        assert_eq!(IdlConfig::new("unix:/x", "db").options.probe_interval_ms, 0);
    }

    #[tokio::test]
    async fn commits_wait_for_the_connection_and_handles_see_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let remote = format!("unix:{}", dir.path().join("none.sock").display());
        let mut config = IdlConfig::new(&remote, "db");
        config.options.min_backoff_ms = 10;
        let idl = Idl::spawn(config).unwrap();
        let handle = idl.handle();
        let mut txn = Transaction::new();
        txn.comment("x");
        assert!(matches!(
            handle.commit(txn.clone()).await,
            Err(TxnError::TryAgain(_))
        ));
        assert_eq!(handle.state(), SessionState::Backoff);
        drop(idl);
        assert!(matches!(handle.commit(txn).await, Err(TxnError::Closed)));
        assert!(matches!(
            handle.wait_for_change(0).await,
            Err(IdlError::Closed)
        ));
    }
}
