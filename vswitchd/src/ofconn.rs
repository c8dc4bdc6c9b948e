//! OpenFlow connections: the listeners (`punix:<rundir>/<bridge>.mgmt`,
//! passive `Controller` targets), the connectors (active `Controller`
//! targets, with OVS's backoff), and per connection a reader that frames
//! messages and a writer that sends what the core queues.
//!
//! ```text
//!  listener / connector task
//!        │ accept / connect
//!        v
//!   reader task ──Event::OpenFlow(conn, bytes)──> core task (all state)
//!   writer task <──mpsc<Vec<u8>>──────────────── core task
//! ```
//!
//! Framing is OpenFlow's: an 8-byte header whose length field covers the
//! whole message. A length below 8 cannot be framed; OVS drops the
//! connection then, and so do we.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use std::time::Instant;

use ovs_stream::{Listener, Stream, Target};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, watch};
use tracing::{info, warn};

use crate::core::Event;

const LOG: &str = "rconn";

/// Identifies one OpenFlow connection for the life of the process.
pub type ConnId = u64;

/// Where a connection came from: the bridge and the target it serves.
#[derive(Clone, Debug)]
pub struct Origin {
    pub bridge: String,
    pub target: String,
    /// The management socket and other service (passive) connections are
    /// not "controllers" for fail-mode and role purposes.
    pub service: bool,
    /// Inactivity probe interval, seconds (0: none).
    pub probe_interval: u32,
    /// Where an active target's connection state is kept.
    pub status: Option<SharedStatus>,
}

/// An active connection's state and history as OVS's rconn keeps them,
/// for the Controller row's `is_connected` and `status` columns.
#[derive(Clone, Debug, Default)]
pub struct RconnStatus {
    /// `CONNECTING`, `ACTIVE` or `BACKOFF` (`IDLE` is the connection's own
    /// probe state, known to ofproto).
    pub state: &'static str,
    /// The connection while there is one.
    pub conn: Option<ConnId>,
    pub last_connected: Option<Instant>,
    pub last_disconnected: Option<Instant>,
    /// Why the last connection ended or failed, in OVS's words.
    pub last_error: Option<String>,
}

pub type SharedStatus = Arc<Mutex<RconnStatus>>;

fn update(status: &SharedStatus, f: impl FnOnce(&mut RconnStatus)) {
    if let Ok(mut s) = status.lock() {
        f(&mut s);
    }
}

/// An error as OVS's `ovs_strerror` prints it (no Rust suffix).
fn error_text(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// What the core hands a connection's writer.
#[derive(Debug)]
pub enum Outgoing {
    /// Whole messages.
    Bytes(Vec<u8>),
    /// Close once what precedes is out; why, in OVS's words.
    Close(&'static str),
}

/// What the tasks share: where events go and how ids are made.
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

    fn next_id(&self) -> ConnId {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }
}

/// Serves `target` for `origin` until `stop` turns true. Passive targets
/// are bound before this returns so that bind errors can be reported.
pub async fn start(
    hub: Hub,
    origin: Origin,
    target: Target,
    stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    if !target.is_passive() {
        tokio::spawn(connect_loop(hub, origin, target, stop));
        return Ok(());
    }
    let listener = Listener::bind(&target).await?;
    tokio::spawn(async move {
        let mut stop = stop;
        loop {
            tokio::select! {
                r = listener.accept() => match r {
                    Ok(stream) => spawn_connection(&hub, stream, origin.clone(), stop.clone()),
                    Err(e) => warn!(target: LOG, "{}: accept failed: {e}", origin.target),
                },
                _ = stop.changed() => return,
            }
        }
    });
    Ok(())
}

/// Active targets reconnect with OVS's rconn backoff: 1 s doubling to 8 s.
async fn connect_loop(hub: Hub, origin: Origin, target: Target, mut stop: watch::Receiver<bool>) {
    let mut backoff = Duration::from_secs(1);
    let status = origin.status.clone().unwrap_or_default();
    loop {
        info!(target: LOG, "{}<->{}: connecting...", origin.bridge, origin.target);
        update(&status, |s| s.state = "CONNECTING");
        match ovs_stream::connect(&target).await {
            Ok(stream) => {
                info!(target: LOG, "{}<->{}: connected", origin.bridge, origin.target);
                let hello_timeout = backoff.max(Duration::from_secs(1));
                backoff = Duration::from_secs(1);
                let (done_tx, done_rx) = tokio::sync::oneshot::channel();
                // rconn gives the connection and hello exchange the longer
                // of 1 s and the current backoff.
                let id = spawn_connection_with_done(
                    &hub,
                    stream,
                    origin.clone(),
                    stop.clone(),
                    Some(done_tx),
                    hello_timeout,
                );
                update(&status, |s| {
                    s.state = "ACTIVE";
                    s.conn = Some(id);
                    s.last_connected = Some(Instant::now());
                });
                let why = tokio::select! {
                    r = done_rx => r.ok().flatten(),
                    _ = stop.changed() => return,
                };
                info!(target: LOG, "{}<->{}: connection closed", origin.bridge, origin.target);
                update(&status, |s| {
                    s.state = "BACKOFF";
                    s.conn = None;
                    s.last_disconnected = Some(Instant::now());
                    s.last_error = Some(why.unwrap_or_else(|| "End of file".to_string()));
                });
            }
            Err(e) => {
                warn!(target: LOG, "{}<->{}: connection failed ({e})", origin.bridge, origin.target);
                // rconn does not count a connection refused on the spot
                // as a disconnection.
                update(&status, |s| {
                    s.state = "BACKOFF";
                    s.last_error = Some(error_text(&e));
                });
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = stop.changed() => return,
        }
        backoff = (backoff * 2).min(Duration::from_secs(8));
    }
}

/// How long a connection keeps looking for its peer's next message after
/// one arrived, before the thread may sleep.
///
/// A controller that waits for each reply (`ovs-ofctl add-flows` sends
/// every flow_mod with a barrier and waits for the barrier reply) pays a
/// thread wake-up on each side per round trip when the switch sleeps
/// between messages; on a virtual machine that wake-up costs more than
/// handling the flow_mod. Busy for a moment after each message, the switch
/// sees the next one as it lands, and an idle switch still sleeps.
const READ_SPIN: Duration = Duration::from_micros(200);

/// Reads like `rd.read(chunk)`, but for [`READ_SPIN`] yields to the other
/// tasks between attempts instead of letting the runtime sleep.
async fn read_soon(
    rd: &mut (dyn tokio::io::AsyncRead + Unpin + Send),
    chunk: &mut [u8],
) -> std::io::Result<usize> {
    let until = std::time::Instant::now() + READ_SPIN;
    let mut read = std::pin::pin!(rd.read(chunk));
    loop {
        let attempt = std::future::poll_fn(|cx| {
            std::task::Poll::Ready(match read.as_mut().poll(cx) {
                std::task::Poll::Ready(r) => Some(r),
                std::task::Poll::Pending => None,
            })
        })
        .await;
        if let Some(r) = attempt {
            return r;
        }
        if std::time::Instant::now() >= until {
            return read.await;
        }
        tokio::task::yield_now().await;
    }
}

fn spawn_connection(hub: &Hub, stream: Stream, origin: Origin, stop: watch::Receiver<bool>) {
    spawn_connection_with_done(hub, stream, origin, stop, None, Duration::ZERO);
}

/// Returns the connection's ID; `done` gets why it ended (`None`: the peer
/// closed it). A nonzero `hello_timeout` bounds the hello exchange.
fn spawn_connection_with_done(
    hub: &Hub,
    stream: Stream,
    origin: Origin,
    mut stop: watch::Receiver<bool>,
    done: Option<tokio::sync::oneshot::Sender<Option<String>>>,
    hello_timeout: Duration,
) -> ConnId {
    let id = hub.next_id();
    let (out_tx, mut out_rx) = mpsc::unbounded_channel::<Outgoing>();
    let Stream {
        mut rd,
        mut wr,
        name,
    } = stream;
    if hub
        .events
        .send(Event::Connected {
            conn: id,
            origin,
            peer: name,
            tx: out_tx,
            hello_timeout,
        })
        .is_err()
    {
        return id;
    }
    // The writer ends the reader when the switch closes the connection
    // (a peer that stopped answering may never close its side), saying why.
    let (closed_tx, mut closed_rx) = tokio::sync::oneshot::channel::<&'static str>();
    tokio::spawn(async move {
        // Gather what is queued into one write: a dump reply is thousands of
        // messages.
        let mut buf = Vec::new();
        let mut closing = None;
        while let Some(first) = out_rx.recv().await {
            buf.clear();
            let mut next = Some(first);
            while let Some(out) = next.take() {
                match out {
                    Outgoing::Bytes(b) => buf.extend_from_slice(&b),
                    Outgoing::Close(why) => {
                        closing = Some(why);
                        break;
                    }
                }
                if buf.len() < 1 << 20 {
                    next = out_rx.try_recv().ok();
                }
            }
            if wr.write_all(&buf).await.is_err() || closing.is_some() {
                break;
            }
        }
        let _ = wr.shutdown().await;
        if let Some(why) = closing {
            let _ = closed_tx.send(why);
        }
    });
    let events = hub.events.clone();
    tokio::spawn(async move {
        let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
        let mut chunk = vec![0u8; 64 * 1024];
        let reason = 'read: loop {
            let n = tokio::select! {
                r = read_soon(&mut rd, &mut chunk) => match r {
                    Ok(0) => break 'read None,
                    Ok(n) => n,
                    Err(e) => break 'read Some(error_text(&e)),
                },
                _ = stop.changed() => break 'read None,
                why = &mut closed_rx => break 'read why.ok().map(str::to_string),
            };
            buf.extend_from_slice(&chunk[..n]);
            let mut start = 0;
            let mut batch = Vec::new();
            while buf.len() - start >= 8 {
                let len = usize::from(u16::from_be_bytes([buf[start + 2], buf[start + 3]]));
                if len < 8 {
                    break 'read Some(format!(
                        "received too-short OpenFlow message (length {len})"
                    ));
                }
                if buf.len() - start < len {
                    break;
                }
                batch.push(buf[start..start + len].to_vec());
                start += len;
            }
            buf.drain(..start);
            if !batch.is_empty()
                && events
                    .send(Event::OpenFlow {
                        conn: id,
                        msgs: batch,
                    })
                    .is_err()
            {
                break 'read None;
            }
        };
        if let Some(r) = &reason {
            warn!(target: LOG, "connection {id}: {r}");
        }
        let _ = events.send(Event::Disconnected { conn: id });
        if let Some(done) = done {
            let _ = done.send(reason);
        }
    });
    id
}
