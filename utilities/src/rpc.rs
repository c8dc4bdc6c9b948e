//! A blocking JSON-RPC connection as `lib/jsonrpc.c` runs one for the
//! command-line tools: `unix:` and `tcp:` streams (and their passive forms,
//! which wait for one peer), OVS's message framing (back-to-back JSON
//! objects, parsed with OVS's own parser so that member order is kept), and
//! OVS's validity rules for messages.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::os::unix::net::{UnixListener, UnixStream};

use crate::json::{self, Json, Object};
use crate::util;

/// OVSDB's IANA port.
pub const OVSDB_PORT: u16 = 6640;

#[derive(Debug)]
enum Stream {
    Unix(UnixStream),
    Tcp(TcpStream),
}

impl Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Unix(s) => s.read(buf),
            Stream::Tcp(s) => s.read(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Stream::Unix(s) => s.write_all(buf),
            Stream::Tcp(s) => s.write_all(buf),
        }
    }
}

/// Why opening a connection failed, with OVS's fatal message.
#[derive(Debug)]
pub struct OpenError {
    pub message: String,
}

/// An errno-style failure of a connection: `EOF` or an I/O error, with
/// OVS's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecvError {
    pub text: String,
}

impl RecvError {
    fn eof() -> RecvError {
        RecvError {
            text: "End of file".to_string(),
        }
    }

    fn io(e: &io::Error) -> RecvError {
        RecvError {
            text: util::strerror(e),
        }
    }

    fn protocol() -> RecvError {
        RecvError {
            text: util::errno_text(71), // EPROTO
        }
    }
}

/// A JSON-RPC message; members that are JSON `null` count as absent.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Request {
        method: String,
        params: Json,
        id: Json,
    },
    Notify {
        method: String,
        params: Json,
    },
    Reply {
        result: Json,
        id: Json,
    },
    Error {
        error: Json,
        id: Json,
    },
}

impl Message {
    /// `jsonrpc_msg_from_json` with `jsonrpc_msg_is_valid`.
    pub fn from_json(json: Json) -> Result<Message, String> {
        let Json::Object(object) = json else {
            return Err("message is not a JSON object".to_string());
        };
        let take = |name: &str| match object.get(name) {
            None | Some(Json::Null) => None,
            Some(v) => Some(v.clone()),
        };
        let method = match object.get("method") {
            None => None,
            Some(Json::String(s)) => Some(s.clone()),
            Some(_) => return Err("method is not a JSON string".to_string()),
        };
        let params = take("params");
        let result = take("result");
        let error = take("error");
        let id = take("id");
        let known = ["method", "params", "result", "error", "id"];
        if let Some((name, _)) = object
            .iter_hash_order()
            .into_iter()
            .find(|(n, _)| !known.contains(n))
        {
            return Err(format!("message has unexpected member \"{name}\""));
        }
        if params.as_ref().is_some_and(|p| p.as_array().is_none()) {
            return Err("\"params\" must be JSON array".to_string());
        }
        let (kind, pattern) = if result.is_some() {
            ("reply", [false, false, true, false, true])
        } else if error.is_some() {
            ("error", [false, false, false, true, true])
        } else if id.is_some() {
            ("request", [true, true, false, false, true])
        } else {
            ("notification", [true, true, false, false, false])
        };
        let present = [
            method.is_some(),
            params.is_some(),
            result.is_some(),
            error.is_some(),
            id.is_some(),
        ];
        for ((name, want), have) in known.iter().zip(pattern).zip(present) {
            if want != have {
                let not = if want { "" } else { " not" };
                return Err(format!("{kind} must{not} have \"{name}\""));
            }
        }
        Ok(match (method, params, result, error, id) {
            (_, _, Some(result), _, Some(id)) => Message::Reply { result, id },
            (_, _, _, Some(error), Some(id)) => Message::Error { error, id },
            (Some(method), Some(params), _, _, Some(id)) => Message::Request { method, params, id },
            (Some(method), Some(params), _, _, None) => Message::Notify { method, params },
            _ => return Err("invalid JSON-RPC message".to_string()),
        })
    }

    /// The wire form, with members in the order OVS sends them.
    pub fn to_json(&self) -> Json {
        let mut o = Object::new();
        match self {
            Message::Request { method, params, id } => {
                o.put("method", Json::string(method));
                o.put("params", params.clone());
                o.put("id", id.clone());
            }
            Message::Notify { method, params } => {
                o.put("method", Json::string(method));
                o.put("params", params.clone());
                o.put("id", Json::Null);
            }
            Message::Reply { result, id } => {
                o.put("result", result.clone());
                o.put("error", Json::Null);
                o.put("id", id.clone());
            }
            Message::Error { error, id } => {
                o.put("result", Json::Null);
                o.put("error", error.clone());
                o.put("id", id.clone());
            }
        }
        Json::Object(o)
    }

    pub fn id(&self) -> Option<&Json> {
        match self {
            Message::Request { id, .. } | Message::Reply { id, .. } | Message::Error { id, .. } => {
                Some(id)
            }
            Message::Notify { .. } => None,
        }
    }
}

/// A connected JSON-RPC peer.
#[derive(Debug)]
pub struct Connection {
    stream: Stream,
    name: String,
    input: Vec<u8>,
    parser: Option<json::Parser>,
    next_id: i64,
    failed: Option<RecvError>,
}

/// `unix:`/`tcp:` (active) or `punix:`/`ptcp:` (passive) name, after OVS
/// appends the default port.
fn with_default_port(name: &str) -> String {
    if (name.starts_with("tcp:") || name.starts_with("ssl:")) && name.split(':').count() < 3 {
        format!("{name}:{OVSDB_PORT}")
    } else {
        name.to_string()
    }
}

/// Splits "HOST:PORT", where HOST may be a bracketed IPv6 address.
fn host_port(rest: &str, default_port: Option<u16>) -> Option<(String, u16)> {
    let (host, port) = if let Some(r) = rest.strip_prefix('[') {
        let (h, after) = r.split_once(']')?;
        let port = after.strip_prefix(':').unwrap_or("");
        (h.to_string(), port)
    } else {
        match rest.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p),
            None => (rest.to_string(), ""),
        }
    };
    let port = if port.is_empty() {
        default_port?
    } else {
        port.parse().ok()?
    };
    Some((host, port))
}

const EAFNOSUPPORT: i32 = 97;
const EINVAL: i32 = 22;

impl Connection {
    /// `open_jsonrpc` of ovsdb-client: connect, or for a passive name listen
    /// and accept one connection.
    pub fn open(server: &str) -> Result<Connection, OpenError> {
        let name = with_default_port(server);
        let fail = |errno_text: String| OpenError {
            message: format!("failed to connect to \"{server}\" ({errno_text})"),
        };
        let stream = if let Some(path) = name.strip_prefix("unix:") {
            let path = util::abs_file_name(&util::rundir(), path);
            Stream::Unix(UnixStream::connect(&path).map_err(|e| fail(util::strerror(&e)))?)
        } else if let Some(rest) = name.strip_prefix("tcp:") {
            let (host, port) =
                host_port(rest, None).ok_or_else(|| fail(util::errno_text(EINVAL)))?;
            let addrs: Vec<_> = (host.as_str(), port)
                .to_socket_addrs()
                .map_err(|_| fail(util::errno_text(EINVAL)))?
                .collect();
            let mut last = io::Error::from_raw_os_error(EINVAL);
            let mut connected = None;
            for a in addrs {
                match TcpStream::connect(a) {
                    Ok(s) => {
                        connected = Some(s);
                        break;
                    }
                    Err(e) => last = e,
                }
            }
            let s = connected.ok_or_else(|| fail(util::strerror(&last)))?;
            let _ = s.set_nodelay(true);
            Stream::Tcp(s)
        } else if name.starts_with("punix:") || name.starts_with("ptcp:") {
            return Connection::listen(server);
        } else {
            return Err(OpenError {
                message: format!(
                    "failed to connect or listen to \"{server}\" ({})",
                    util::errno_text(EAFNOSUPPORT)
                ),
            });
        };
        Ok(Connection::from_stream(stream, name))
    }

    fn listen(server: &str) -> Result<Connection, OpenError> {
        let fail = |what: &str, e: &io::Error| OpenError {
            message: format!("failed to {what} \"{server}\" ({})", util::strerror(e)),
        };
        if let Some(path) = server.strip_prefix("punix:") {
            let path = util::abs_file_name(&util::rundir(), path);
            let _ = std::fs::remove_file(&path);
            let listener =
                UnixListener::bind(&path).map_err(|e| fail("connect or listen to", &e))?;
            let (s, _) = listener
                .accept()
                .map_err(|e| fail("accept connection on", &e))?;
            let _ = std::fs::remove_file(&path);
            Ok(Connection::from_stream(Stream::Unix(s), server.to_string()))
        } else {
            let rest = server.strip_prefix("ptcp:").unwrap_or("");
            let (port, host) = match rest.split_once(':') {
                Some((p, h)) => (p, h.trim_start_matches('[').trim_end_matches(']')),
                None => (rest, "0.0.0.0"),
            };
            let port: u16 = if port.is_empty() {
                OVSDB_PORT
            } else {
                port.parse().map_err(|_| OpenError {
                    message: format!(
                        "failed to connect or listen to \"{server}\" ({})",
                        util::errno_text(EINVAL)
                    ),
                })?
            };
            let listener =
                TcpListener::bind((host, port)).map_err(|e| fail("connect or listen to", &e))?;
            let (s, _) = listener
                .accept()
                .map_err(|e| fail("accept connection on", &e))?;
            Ok(Connection::from_stream(Stream::Tcp(s), server.to_string()))
        }
    }

    fn from_stream(stream: Stream, name: String) -> Connection {
        Connection {
            stream,
            name,
            input: Vec::new(),
            parser: None,
            next_id: 0,
            failed: None,
        }
    }

    /// The stream name, as OVS prints it in messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A request with the next integer id.
    pub fn request(&mut self, method: &str, params: Json) -> Message {
        let id = Json::Integer(self.next_id);
        self.next_id += 1;
        Message::Request {
            method: method.to_string(),
            params,
            id,
        }
    }

    pub fn send(&mut self, msg: &Message) -> Result<(), RecvError> {
        let text = msg.to_json().to_ovs_string(json::Flags::NONE);
        self.stream
            .write_all(text.as_bytes())
            .map_err(|e| RecvError::io(&e))
    }

    /// `jsonrpc_recv_block`: the next message; a malformed message or a
    /// closed connection is an error (and stays one).
    pub fn recv(&mut self) -> Result<Message, RecvError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        loop {
            if !self.input.is_empty() {
                let parser = self.parser.get_or_insert_with(|| json::Parser::new(false));
                let used = parser.feed(&self.input);
                self.input.drain(..used);
                if parser.is_done() {
                    let parser = self.parser.take();
                    let result = parser.map(json::Parser::finish);
                    match result {
                        Some(Ok(json)) => match Message::from_json(json) {
                            Ok(m) => return Ok(m),
                            Err(_) => return Err(self.fail(RecvError::protocol())),
                        },
                        _ => return Err(self.fail(RecvError::protocol())),
                    }
                }
            }
            let mut buf = [0u8; 65536];
            match self.stream.read(&mut buf) {
                Ok(0) => {
                    // A partial message at EOF is a protocol error in OVS.
                    let err = if self.parser.as_ref().is_some_and(json::Parser::is_started) {
                        RecvError::protocol()
                    } else {
                        RecvError::eof()
                    };
                    return Err(self.fail(err));
                }
                Ok(n) => self.input.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.fail(RecvError::io(&e))),
            }
        }
    }

    fn fail(&mut self, e: RecvError) -> RecvError {
        self.failed = Some(e.clone());
        e
    }

    /// `jsonrpc_transact_block`: sends `request` and waits for the reply or
    /// error with its id, dropping anything else.
    pub fn transact(&mut self, request: Message) -> Result<Message, RecvError> {
        let id = request.id().cloned();
        self.send(&request)?;
        loop {
            let msg = self.recv()?;
            if matches!(msg, Message::Reply { .. } | Message::Error { .. })
                && msg.id() == id.as_ref()
            {
                return Ok(msg);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_validation() {
        let m =
            Message::from_json(json::parse(r#"{"id":1,"result":{"a":1},"error":null}"#).unwrap())
                .unwrap();
        assert!(matches!(m, Message::Reply { .. }));
        let e =
            Message::from_json(json::parse(r#"{"id":1,"method":"echo"}"#).unwrap()).unwrap_err();
        assert_eq!(e, "request must have \"params\"");
        let e = Message::from_json(json::parse(r#"{"x":1}"#).unwrap()).unwrap_err();
        assert_eq!(e, "message has unexpected member \"x\"");
    }

    #[test]
    fn default_port_added() {
        assert_eq!(with_default_port("tcp:1.2.3.4"), "tcp:1.2.3.4:6640");
        assert_eq!(with_default_port("tcp:1.2.3.4:99"), "tcp:1.2.3.4:99");
        assert_eq!(host_port("[::1]:5", None), Some(("::1".to_string(), 5)));
    }
}
