//! The calling side, for our own utilities (`ovs-appctl` and friends).

use std::io;
use std::path::Path;

use ovs_jsonrpc::{DEFAULT_MAX_MESSAGE_BYTES, Message, StreamDecoder};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;

/// A connection to a unixctl server.
#[derive(Debug)]
pub struct UnixctlClient {
    stream: UnixStream,
    decoder: StreamDecoder,
    next_id: u64,
}

impl UnixctlClient {
    pub async fn connect(path: &Path) -> io::Result<UnixctlClient> {
        Ok(UnixctlClient {
            stream: UnixStream::connect(path).await?,
            decoder: StreamDecoder::new(DEFAULT_MAX_MESSAGE_BYTES),
            next_id: 0,
        })
    }

    /// Runs `command` with `args`. The outer error is a transport or
    /// protocol failure; the inner `Err` is the server's error text (what
    /// `ovs-appctl` prints on stderr before "server returned an error").
    /// Messages that are not the answer to this request are skipped, as
    /// OVS's client does.
    pub async fn call(
        &mut self,
        command: &str,
        args: &[String],
    ) -> io::Result<Result<String, String>> {
        let id = Value::from(self.next_id);
        self.next_id += 1;
        let params = Value::Array(args.iter().cloned().map(Value::String).collect());
        let request = Message::request(command, params, id.clone());
        self.stream.write_all(&request.to_bytes()).await?;

        let mut buf = vec![0u8; 4096];
        loop {
            while let Some(item) = self.decoder.next_message() {
                let message = item.map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
                match message {
                    Message::Reply { result, id: got } if got == id => {
                        return match result {
                            Value::String(s) => Ok(Ok(s)),
                            other => Err(unexpected("result", &other)),
                        };
                    }
                    Message::Error { error, id: got } if got == id => {
                        return match error {
                            Value::String(s) => Ok(Err(s)),
                            other => Err(unexpected("error", &other)),
                        };
                    }
                    _ => {}
                }
            }
            let n = self.stream.read(&mut buf).await?;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed before the reply",
                ));
            }
            self.decoder.feed(&buf[..n]);
        }
    }
}

fn unexpected(what: &str, value: &Value) -> io::Error {
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("unexpected {what} type in JSON RPC reply: {kind}"),
    )
}
