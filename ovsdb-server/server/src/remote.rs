//! Remotes: the `--remote` strings, and the tasks that listen, connect and
//! carry bytes for one JSON-RPC session.
//!
//! ```text
//!  listener task (punix:/ptcp:)      connector task (unix:/tcp:, reconnects)
//!        |  accept                          |  connect
//!        v                                  v
//!   reader task --Event::Received--> core (one task, owns all state)
//!   writer task <--Outgoing--------- core
//! ```
//!
//! The reader decodes the stream with OVS's framing (concatenated JSON
//! values); a framing error or an invalid JSON-RPC message closes the
//! session, as OVS's jsonrpc does. TCP sessions get OVS's inactivity probe:
//! an "echo" request after 5 s of silence, then a disconnect after 5 s more.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use ovs_jsonrpc::{Message, StreamDecoder};
use ovs_stream::{Listener, Stream, Target, connect};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, watch};
use tracing::{info, warn};

use crate::core::{Event, Outgoing};
use crate::locks::SessionId;

const LOG: &str = "reconnect";
const PROBE_INTERVAL: Duration = Duration::from_secs(5);
/// OVS refuses JSON-RPC messages above this size? It has no hard cap, but a
/// 100 MB string must not take the server down: bound one message.
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

/// Shared by every connection task: where events go and how ids are made.
#[derive(Clone)]
pub struct Hub {
    pub events: mpsc::UnboundedSender<Event>,
    next_id: Arc<AtomicU64>,
}

impl Hub {
    pub fn new(events: mpsc::UnboundedSender<Event>) -> Hub {
        Hub {
            events,
            next_id: Arc::new(AtomicU64::new(1)),
        }
    }

    fn next_id(&self) -> SessionId {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }
}

/// Starts serving `target` until `stop` turns true. Passive targets bind
/// before this returns, so errors such as "address in use" are reported.
pub async fn start(hub: Hub, target: Target, stop: watch::Receiver<bool>) -> std::io::Result<()> {
    if !target.is_passive() {
        tokio::spawn(connect_loop(hub, target, stop));
        return Ok(());
    }
    let listener = Listener::bind(&target).await?;
    tokio::spawn(async move {
        accept_loop(&hub, &listener, &target, stop).await;
    });
    Ok(())
}

async fn accept_loop(
    hub: &Hub,
    listener: &Listener,
    target: &Target,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            r = listener.accept() => match r {
                Ok(stream) => {
                    spawn_session(hub, stream, target, stop.clone());
                }
                Err(e) => warn!(target: LOG, "accept failed: {e}"),
            },
            _ = stop.changed() => return,
        }
    }
}

/// Active remotes reconnect with OVS's backoff: 1 s doubling to 8 s.
async fn connect_loop(hub: Hub, target: Target, mut stop: watch::Receiver<bool>) {
    let mut backoff = Duration::from_secs(1);
    loop {
        match connect(&target).await {
            Ok(stream) => {
                info!(target: LOG, "{}: connected", stream.name);
                backoff = Duration::from_secs(1);
                let mut closed = spawn_session(&hub, stream, &target, stop.clone());
                tokio::select! {
                    _ = closed.changed() => {}
                    _ = stop.changed() => return,
                }
            }
            Err(e) => warn!(target: LOG, "{}: connection attempt failed ({e})", target.name()),
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = stop.changed() => return,
        }
        backoff = (backoff * 2).min(Duration::from_secs(8));
    }
}

/// Spawns the reader and writer of one session; the returned receiver
/// changes when the session has ended.
fn spawn_session(
    hub: &Hub,
    stream: Stream,
    target: &Target,
    stop: watch::Receiver<bool>,
) -> watch::Receiver<bool> {
    let Stream { rd, wr, name } = stream;
    let id = hub.next_id();
    let (out_tx, out_rx) = mpsc::unbounded_channel();
    let (closed_tx, closed_rx) = watch::channel(false);
    let _ = hub.events.send(Event::Connected {
        id,
        out: out_tx.clone(),
    });
    tokio::spawn(writer(wr, out_rx));
    tokio::spawn(reader(
        hub.events.clone(),
        id,
        rd,
        out_tx,
        name,
        target.is_tcp(),
        stop,
        closed_tx,
    ));
    closed_rx
}

#[allow(clippy::too_many_arguments)]
async fn reader<R: AsyncRead + Unpin>(
    events: mpsc::UnboundedSender<Event>,
    id: SessionId,
    mut rd: R,
    out: mpsc::UnboundedSender<Outgoing>,
    name: String,
    probes: bool,
    mut stop: watch::Receiver<bool>,
    closed: watch::Sender<bool>,
) {
    let mut decoder = StreamDecoder::new(MAX_MESSAGE_BYTES);
    let mut buf = vec![0u8; 64 * 1024];
    let mut probe_sent = false;
    'session: loop {
        let read = async {
            if probes {
                tokio::time::timeout(PROBE_INTERVAL, rd.read(&mut buf)).await
            } else {
                Ok(rd.read(&mut buf).await)
            }
        };
        let n = tokio::select! {
            r = read => r,
            _ = stop.changed() => break 'session,
        };
        let n = match n {
            Err(_elapsed) => {
                if probe_sent {
                    info!(target: LOG,
                        "{name}: no response to inactivity probe after {} seconds, disconnecting",
                        PROBE_INTERVAL.as_secs());
                    break;
                }
                probe_sent = true;
                let probe = Message::Request {
                    method: "echo".into(),
                    params: serde_json::Value::Array(vec![]),
                    id: serde_json::Value::String("echo".into()),
                };
                let _ = out.send(Outgoing::Bytes(probe.to_bytes()));
                continue;
            }
            Ok(Ok(0)) => break,
            Ok(Ok(n)) => n,
            Ok(Err(e)) => {
                warn!(target: "jsonrpc", "{name}: receive error: {e}");
                break;
            }
        };
        probe_sent = false;
        decoder.feed(&buf[..n]);
        while let Some(value) = decoder.next_value() {
            let value = match value {
                Ok(v) => v,
                Err(e) => {
                    warn!(target: "jsonrpc", "{name}: error parsing stream: {e}");
                    break 'session;
                }
            };
            match Message::from_json(value) {
                // Our own probe's answer needs no further thought.
                Ok(Message::Reply { ref id, .. }) if id == "echo" => {}
                // A server never asked anything else, so OVS drops the session.
                Ok(msg @ (Message::Reply { .. } | Message::Error { .. })) => {
                    warn!(target: "ovsdb_jsonrpc_server",
                        "{name}: received unexpected {} message", msg.type_name());
                    break 'session;
                }
                Ok(msg) => {
                    if events.send(Event::Received { id, msg }).is_err() {
                        break 'session;
                    }
                }
                Err(e) => {
                    warn!(target: "jsonrpc", "{name}: received bad JSON-RPC message: {e}");
                    break 'session;
                }
            }
        }
    }
    // The core sends what it still owes the peer, then closes the writer.
    let _ = events.send(Event::Closed { id });
    let _ = closed.send(true);
}

async fn writer<W: AsyncWrite + Unpin>(mut wr: W, mut out: mpsc::UnboundedReceiver<Outgoing>) {
    let mut batch = Vec::new();
    while let Some(first) = out.recv().await {
        let mut close = false;
        let mut push = |o: Outgoing, batch: &mut Vec<u8>| match o {
            Outgoing::Bytes(b) => batch.extend_from_slice(&b),
            Outgoing::Close => close = true,
        };
        push(first, &mut batch);
        while let Ok(o) = out.try_recv() {
            push(o, &mut batch);
        }
        if !batch.is_empty() && wr.write_all(&batch).await.is_err() {
            break;
        }
        batch.clear();
        if close {
            break;
        }
    }
    let _ = wr.shutdown().await;
}
