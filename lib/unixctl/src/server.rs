//! The listening side: one task accepts, one task per connection decodes
//! requests and forwards them to the daemon through a channel.
//!
//! ```text
//!  ovs-appctl ──unix socket──> connection task ──UnixctlRequest──> daemon
//!                                   ^                                 │
//!                                   └──── oneshot Result<String> ─────┘
//! ```
//!
//! Like OVS, a connection handles one request at a time: the next request is
//! not read until the reply to the current one has been written.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use ovs_jsonrpc::{DEFAULT_MAX_MESSAGE_BYTES, Message, StreamDecoder};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;
use tokio::sync::{Notify, mpsc, oneshot};
use tokio::task::JoinSet;

/// How many requests may wait for the daemon before connections stall.
const QUEUE_DEPTH: usize = 64;

/// One command for the daemon to carry out. Send the outcome on `reply`:
/// `Ok(text)` is printed by `ovs-appctl` on stdout, `Err(text)` on stderr
/// with exit status 2. A newline is appended to non-empty texts that lack
/// one, as OVS does.
#[derive(Debug)]
pub struct UnixctlRequest {
    pub command: String,
    pub args: Vec<String>,
    pub reply: oneshot::Sender<Result<String, String>>,
}

struct Command {
    usage: String,
    min_args: usize,
    max_args: usize,
}

/// State shared by the server, its handles and its connection tasks.
struct Shared {
    commands: Mutex<BTreeMap<String, Command>>,
    version: String,
    /// Requests handed to the daemon whose reply is not yet written out.
    in_flight: AtomicUsize,
    idle: Notify,
    next_connection: AtomicU64,
}

impl Shared {
    fn commands(&self) -> MutexGuard<'_, BTreeMap<String, Command>> {
        self.commands.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Registers commands and waits for replies after [`UnixctlServer::run`]
/// has taken the server. Cheap to clone.
#[derive(Clone)]
pub struct UnixctlHandle {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for UnixctlHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnixctlHandle").finish_non_exhaustive()
    }
}

impl UnixctlHandle {
    /// See [`UnixctlServer::register`].
    pub fn register(&self, name: &str, usage: &str, min_args: usize, max_args: usize) {
        // As in OVS, the first registration of a name wins.
        self.shared
            .commands()
            .entry(name.to_string())
            .or_insert(Command {
                usage: usage.to_string(),
                min_args,
                max_args,
            });
    }

    /// Waits until every reply sent on a request's oneshot has been written
    /// to its socket, e.g. before exiting after replying to `exit`.
    pub async fn flush(&self) {
        loop {
            let idle = self.shared.idle.notified();
            if self.shared.in_flight.load(Ordering::SeqCst) == 0 {
                return;
            }
            idle.await;
        }
    }
}

/// The control socket `ovs-appctl` talks to.
pub struct UnixctlServer {
    listener: std::os::unix::net::UnixListener,
    socket_file: SocketFile,
    handle: UnixctlHandle,
    requests: mpsc::Sender<UnixctlRequest>,
}

impl std::fmt::Debug for UnixctlServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnixctlServer")
            .field("path", &self.socket_file.0)
            .finish_non_exhaustive()
    }
}

/// Removes the socket file when the server goes away.
struct SocketFile(PathBuf);

impl Drop for SocketFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl UnixctlServer {
    /// Binds the socket at `path` (removing a stale file first, as OVS does)
    /// and registers the built-in `list-commands` and `version` (which
    /// answers `version_string`, e.g. `ovsdb-server (Open vSwitch) 3.1.0`).
    /// Needs no runtime: the socket is bound before [`run`](Self::run), so a
    /// daemon can report readiness only once it is connectable.
    pub fn bind(
        path: &Path,
        version_string: String,
    ) -> io::Result<(UnixctlServer, mpsc::Receiver<UnixctlRequest>)> {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                tracing::warn!(target: "socket_util_unix", "unlinking \"{}\": {}", path.display(), e);
            }
            _ => {}
        }
        let listener = std::os::unix::net::UnixListener::bind(path)?;
        let socket_file = SocketFile(path.to_path_buf());
        listener.set_nonblocking(true)?;
        let (requests, receiver) = mpsc::channel(QUEUE_DEPTH);
        let handle = UnixctlHandle {
            shared: Arc::new(Shared {
                commands: Mutex::new(BTreeMap::new()),
                version: version_string,
                in_flight: AtomicUsize::new(0),
                idle: Notify::new(),
                next_connection: AtomicU64::new(0),
            }),
        };
        handle.register("list-commands", "", 0, 0);
        handle.register("version", "", 0, 0);
        let server = UnixctlServer {
            listener,
            socket_file,
            handle,
            requests,
        };
        Ok((server, receiver))
    }

    /// Adds a command. Requests for it reach the receiver only with between
    /// `min_args` and `max_args` arguments, all strings; the server answers
    /// anything else itself with OVS's error texts. `usage` is shown by
    /// `list-commands`.
    pub fn register(&self, name: &str, usage: &str, min_args: usize, max_args: usize) {
        self.handle.register(name, usage, min_args, max_args);
    }

    pub fn handle(&self) -> UnixctlHandle {
        self.handle.clone()
    }

    pub fn path(&self) -> &Path {
        &self.socket_file.0
    }

    /// Accepts and serves connections until dropped (drop the future or
    /// abort its task to stop; the socket file and all connections go with
    /// it). Must run inside a tokio runtime.
    pub async fn run(self) {
        let listener = match tokio::net::UnixListener::from_std(self.listener) {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(target: "unixctl", "{}: cannot listen: {}", self.socket_file.0.display(), e);
                return;
            }
        };
        let socket_file = self.socket_file;
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let shared = Arc::clone(&self.handle.shared);
                        let requests = self.requests.clone();
                        let n = shared.next_connection.fetch_add(1, Ordering::Relaxed);
                        let name = format!("unix#{n}");
                        connections.spawn(serve_connection(stream, name, shared, requests));
                    }
                    Err(e) => {
                        tracing::warn!(target: "unixctl", "{}: accept failed: {}", socket_file.0.display(), e);
                        // Typically EMFILE: give connections a chance to close.
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    }
                },
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
    }
}

/// Decrements the in-flight count however a request ends.
struct InFlight<'a>(&'a Shared);

impl<'a> InFlight<'a> {
    fn new(shared: &'a Shared) -> Self {
        shared.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(shared)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if self.0.in_flight.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

async fn serve_connection(
    mut stream: UnixStream,
    name: String,
    shared: Arc<Shared>,
    requests: mpsc::Sender<UnixctlRequest>,
) {
    let mut decoder = StreamDecoder::new(DEFAULT_MAX_MESSAGE_BYTES);
    let mut buf = vec![0u8; 4096];
    loop {
        while let Some(item) = decoder.next_message() {
            let message = match item {
                Ok(m) => m,
                Err(e) => {
                    tracing::warn!(target: "jsonrpc", "{name}: {e}");
                    return;
                }
            };
            let Message::Request { method, params, id } = message else {
                tracing::warn!(target: "unixctl", "{name}: received unexpected {} message", message.type_name());
                return;
            };
            tracing::debug!(target: "unixctl", "received request {method}{params}, id={id}");
            // Counted from before the daemon sees it until its reply is written.
            let in_flight = InFlight::new(&shared);
            let outcome = process_request(&shared, &requests, method, params).await;
            let (success, body) = match outcome {
                Ok(text) => (true, text),
                Err(text) => (false, text),
            };
            tracing::debug!(
                target: "unixctl",
                "replying with {}, id={id}: \"{body}\"",
                if success { "success" } else { "error" }
            );
            let body = Value::String(terminate_line(body));
            let reply = if success {
                Message::reply(id, body)
            } else {
                Message::error(id, body)
            };
            let written = stream.write_all(&reply.to_bytes()).await;
            drop(in_flight);
            if written.is_err() {
                return;
            }
        }
        match stream.read(&mut buf).await {
            Ok(0) => return,
            Ok(n) => decoder.feed(&buf[..n]),
            Err(e) => {
                tracing::warn!(target: "jsonrpc", "{name}: receive error: {e}");
                return;
            }
        }
    }
}

/// Validates a request as OVS's unixctl server does and, if it is for a
/// daemon command, hands it over and waits for the answer.
async fn process_request(
    shared: &Shared,
    requests: &mpsc::Sender<UnixctlRequest>,
    method: String,
    params: Value,
) -> Result<String, String> {
    let params = match params {
        Value::Array(a) => a,
        // Message::from_json guarantees an array; be safe regardless.
        other => vec![other],
    };
    let (min_args, max_args) = {
        let commands = shared.commands();
        match commands.get(&method) {
            None => {
                return Err(format!(
                    "\"{method}\" is not a valid command (use \"list-commands\" to see a list of valid commands)"
                ));
            }
            Some(c) => (c.min_args, c.max_args),
        }
    };
    if params.len() < min_args {
        return Err(format!(
            "\"{method}\" command requires at least {min_args} arguments"
        ));
    }
    if params.len() > max_args {
        return Err(format!(
            "\"{method}\" command takes at most {max_args} arguments"
        ));
    }
    let mut args = Vec::with_capacity(params.len());
    for p in params {
        match p {
            Value::String(s) => args.push(s),
            _ => return Err(format!("\"{method}\" command has non-string argument")),
        }
    }
    match method.as_str() {
        "list-commands" => return Ok(list_commands(shared)),
        "version" => return Ok(shared.version.clone()),
        _ => {}
    }
    let (reply, answer) = oneshot::channel();
    let request = UnixctlRequest {
        command: method,
        args,
        reply,
    };
    if requests.send(request).await.is_err() {
        return Err("the daemon is not accepting commands".into());
    }
    answer
        .await
        .unwrap_or_else(|_| Err("the command was dropped without a reply".into()))
}

fn list_commands(shared: &Shared) -> String {
    let mut out = String::from("The available commands are:\n");
    for (name, command) in shared.commands().iter() {
        out.push_str(&format!("  {:<23} {}\n", name, command.usage));
    }
    out
}

fn terminate_line(mut body: String) -> String {
    if !body.is_empty() && !body.ends_with('\n') {
        body.push('\n');
    }
    body
}
