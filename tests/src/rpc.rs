//! A minimal OVSDB JSON-RPC client over a unix socket, for tests that need
//! more control than the real tools give (raw bytes, long transaction
//! streams, exact replies).

use std::io::{self, Write};
use std::net::Shutdown;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

/// How long a reply may take before the test gives up on it.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(30);

type Messages = serde_json::StreamDeserializer<'static, serde_json::de::IoRead<UnixStream>, Value>;

/// One JSON-RPC session.
pub struct Rpc {
    writer: UnixStream,
    messages: Messages,
    next_id: u64,
    /// Notifications (e.g. monitor `update`s) that arrived while waiting for
    /// a reply.
    pub notifications: Vec<Value>,
}

impl Rpc {
    pub fn connect(path: &Path) -> io::Result<Rpc> {
        let stream = UnixStream::connect(path)?;
        stream.set_read_timeout(Some(REPLY_TIMEOUT))?;
        stream.set_write_timeout(Some(REPLY_TIMEOUT))?;
        let reader = stream.try_clone()?;
        Ok(Rpc {
            writer: stream,
            messages: serde_json::Deserializer::from_reader(reader).into_iter(),
            next_id: 0,
            notifications: Vec::new(),
        })
    }

    /// The underlying socket (e.g. to change timeouts).
    pub fn stream(&self) -> &UnixStream {
        &self.writer
    }

    /// Writes bytes as they are.
    pub fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.writer.write_all(bytes)
    }

    /// Closes our sending side (the server sees end of input).
    pub fn shutdown_write(&self) -> io::Result<()> {
        self.writer.shutdown(Shutdown::Write)
    }

    /// Sends one JSON value.
    pub fn send(&mut self, msg: &Value) -> io::Result<()> {
        let text = serde_json::to_vec(msg).map_err(io::Error::other)?;
        self.send_raw(&text)
    }

    /// The next message from the server, whatever it is. `Ok(None)` means
    /// the server closed the connection cleanly.
    pub fn recv(&mut self) -> io::Result<Option<Value>> {
        match self.messages.next() {
            None => Ok(None),
            Some(Ok(v)) => Ok(Some(v)),
            Some(Err(e)) if e.is_io() => Err(io::Error::new(
                e.io_error_kind().unwrap_or(io::ErrorKind::Other),
                e.to_string(),
            )),
            Some(Err(e)) if e.is_eof() => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("connection closed inside a message: {e}"),
            )),
            Some(Err(e)) => Err(io::Error::new(io::ErrorKind::InvalidData, e.to_string())),
        }
    }

    /// Sends a request and returns the whole reply object (`result`,
    /// `error`, `id`). Echo requests from the server are answered and
    /// notifications kept in `notifications` meanwhile.
    pub fn request(&mut self, method: &str, params: Value) -> io::Result<Value> {
        let id = self.start(method, params)?;
        self.wait_reply(id)
    }

    /// Sends a request without waiting; returns its id.
    pub fn start(&mut self, method: &str, params: Value) -> io::Result<u64> {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"method": method, "params": params, "id": id}))?;
        Ok(id)
    }

    /// Waits for the reply to request `id`.
    pub fn wait_reply(&mut self, id: u64) -> io::Result<Value> {
        loop {
            let Some(msg) = self.recv()? else {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "server closed the connection",
                ));
            };
            if msg.get("method").and_then(Value::as_str) == Some("echo") && msg.get("id").is_some()
            {
                let params = msg.get("params").cloned().unwrap_or(Value::Null);
                let reply_id = msg.get("id").cloned().unwrap_or(Value::Null);
                self.send(&json!({"result": params, "error": null, "id": reply_id}))?;
                continue;
            }
            if msg.get("id") == Some(&json!(id)) {
                return Ok(msg);
            }
            self.notifications.push(msg);
        }
    }

    /// `transact` on Open_vSwitch with `ops`; returns the `result` array.
    /// A JSON-RPC level error is returned as `InvalidData`.
    pub fn transact(&mut self, ops: &[Value]) -> io::Result<Vec<Value>> {
        let mut params = vec![json!("Open_vSwitch")];
        params.extend_from_slice(ops);
        let reply = self.request("transact", Value::Array(params))?;
        match reply.get("result") {
            Some(Value::Array(results)) => Ok(results.clone()),
            _ => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("transact failed: {reply}"),
            )),
        }
    }

    /// `list_dbs`, the smallest "are you alive and sane" request.
    pub fn list_dbs(&mut self) -> io::Result<Vec<String>> {
        let reply = self.request("list_dbs", json!([]))?;
        let names = reply
            .get("result")
            .and_then(Value::as_array)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, reply.to_string()))?;
        Ok(names
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect())
    }
}

/// True if a transact `result` array committed: no element carries an
/// `error`.
pub fn committed(results: &[Value]) -> bool {
    results.iter().all(|r| r.get("error").is_none())
}
