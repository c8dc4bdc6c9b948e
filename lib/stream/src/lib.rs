//! OVS's stream names and the sockets behind them: `unix:PATH`, `tcp:HOST:PORT`
//! (active) and `punix:PATH`, `ptcp:PORT[:IP]` (passive), as used by
//! `--remote`, `Manager` and `Controller` rows and the OpenFlow management
//! socket.
//!
//! It promises: target strings parse as OVS parses them (each protocol picks
//! its default port: 6640 for OVSDB, 6653 for OpenFlow), a connected stream
//! comes split into owned read and write halves for separate tasks, and a
//! passive unix socket replaces a stale socket file. It knows nothing about
//! what is carried (JSON-RPC or OpenFlow). SSL is not supported yet.

use std::path::PathBuf;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream, UnixListener, UnixStream};

/// Default port of OVSDB remotes.
pub const OVSDB_PORT: u16 = 6640;
/// Default port of OpenFlow remotes.
pub const OPENFLOW_PORT: u16 = 6653;

/// A parsed stream name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    PassiveUnix(PathBuf),
    PassiveTcp { port: u16, ip: String },
    ActiveUnix(PathBuf),
    ActiveTcp { host: String, port: u16 },
}

impl Target {
    /// Parses `s`; `default_port` fills in a missing port.
    pub fn parse(s: &str, default_port: u16) -> Result<Target, String> {
        let (kind, rest) = s
            .split_once(':')
            .ok_or_else(|| format!("{s}: unknown remote type"))?;
        let port_number = |p: &str| -> Result<u16, String> {
            if p.is_empty() {
                Ok(default_port)
            } else {
                p.parse()
                    .map_err(|_| format!("{s}: bad port number \"{p}\""))
            }
        };
        match kind {
            "punix" => Ok(Target::PassiveUnix(PathBuf::from(rest))),
            "unix" => Ok(Target::ActiveUnix(PathBuf::from(rest))),
            "ptcp" => {
                let (port, ip) = match rest.split_once(':') {
                    Some((p, ip)) => (p, ip.trim_matches(|c| c == '[' || c == ']')),
                    None => (rest, "0.0.0.0"),
                };
                Ok(Target::PassiveTcp {
                    port: port_number(port)?,
                    ip: ip.to_string(),
                })
            }
            "tcp" => {
                let (host, port) = split_host_port(rest).unwrap_or((rest, ""));
                Ok(Target::ActiveTcp {
                    host: host.to_string(),
                    port: port_number(port)?,
                })
            }
            "ssl" | "pssl" => Err(format!("{s}: SSL remotes are not supported yet")),
            _ => Err(format!("{s}: unknown remote type")),
        }
    }

    /// The name as OVS spells it (`unix:PATH`, `tcp:HOST:PORT`, ...).
    pub fn name(&self) -> String {
        match self {
            Target::PassiveUnix(p) => format!("punix:{}", p.display()),
            Target::PassiveTcp { port, ip } => format!("ptcp:{port}:{ip}"),
            Target::ActiveUnix(p) => format!("unix:{}", p.display()),
            Target::ActiveTcp { host, port } => format!("tcp:{host}:{port}"),
        }
    }

    pub fn is_passive(&self) -> bool {
        matches!(self, Target::PassiveUnix(_) | Target::PassiveTcp { .. })
    }

    /// TCP sessions get inactivity probes; unix sockets do not (as in OVS).
    pub fn is_tcp(&self) -> bool {
        matches!(self, Target::PassiveTcp { .. } | Target::ActiveTcp { .. })
    }
}

fn split_host_port(s: &str) -> Option<(&str, &str)> {
    if let Some(rest) = s.strip_prefix('[') {
        let (host, tail) = rest.split_once(']')?;
        return Some((host, tail.strip_prefix(':')?));
    }
    s.rsplit_once(':')
}

/// A connected byte stream of either kind, split for a reader and a writer.
pub struct Stream {
    pub rd: Box<dyn AsyncRead + Unpin + Send>,
    pub wr: Box<dyn AsyncWrite + Unpin + Send>,
    /// How logs name the peer.
    pub name: String,
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Stream {
    fn unix(s: UnixStream, name: String) -> Stream {
        let (rd, wr) = s.into_split();
        Stream {
            rd: Box::new(rd),
            wr: Box::new(wr),
            name,
        }
    }

    fn tcp(s: TcpStream, name: String) -> Stream {
        let _ = s.set_nodelay(true);
        let (rd, wr) = s.into_split();
        Stream {
            rd: Box::new(rd),
            wr: Box::new(wr),
            name,
        }
    }
}

/// Connects to an active target.
pub async fn connect(target: &Target) -> std::io::Result<Stream> {
    match target {
        Target::ActiveUnix(p) => UnixStream::connect(p)
            .await
            .map(|s| Stream::unix(s, target.name())),
        Target::ActiveTcp { host, port } => TcpStream::connect((host.as_str(), *port))
            .await
            .map(|s| Stream::tcp(s, target.name())),
        _ => Err(std::io::Error::other("not an active remote")),
    }
}

/// A bound passive target. A unix listener removes its socket file when
/// dropped.
#[derive(Debug)]
pub enum Listener {
    Unix(UnixListener, PathBuf),
    Tcp(TcpListener),
}

impl Listener {
    /// Binds a passive target. A stale socket file left by a dead daemon is
    /// replaced, as OVS does.
    pub async fn bind(target: &Target) -> std::io::Result<Listener> {
        match target {
            Target::PassiveUnix(path) => {
                let _ = std::fs::remove_file(path);
                Ok(Listener::Unix(UnixListener::bind(path)?, path.clone()))
            }
            Target::PassiveTcp { port, ip } => Ok(Listener::Tcp(
                TcpListener::bind((ip.as_str(), *port)).await?,
            )),
            _ => Err(std::io::Error::other("not a passive remote")),
        }
    }

    /// The local TCP port (useful with `ptcp:0`).
    pub fn local_port(&self) -> Option<u16> {
        match self {
            Listener::Tcp(l) => l.local_addr().ok().map(|a| a.port()),
            Listener::Unix(..) => None,
        }
    }

    pub async fn accept(&self) -> std::io::Result<Stream> {
        match self {
            Listener::Unix(l, _) => l
                .accept()
                .await
                .map(|(s, _)| Stream::unix(s, "unix".into())),
            Listener::Tcp(l) => {
                let (s, peer) = l.accept().await?;
                Ok(Stream::tcp(s, format!("tcp:{peer}")))
            }
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Listener::Unix(_, path) = self {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_targets() {
        assert_eq!(
            Target::parse("punix:/tmp/x.sock", OVSDB_PORT),
            Ok(Target::PassiveUnix("/tmp/x.sock".into()))
        );
        assert_eq!(
            Target::parse("ptcp:6640:127.0.0.1", OVSDB_PORT),
            Ok(Target::PassiveTcp {
                port: 6640,
                ip: "127.0.0.1".into()
            })
        );
        assert_eq!(
            Target::parse("ptcp:0", OVSDB_PORT),
            Ok(Target::PassiveTcp {
                port: 0,
                ip: "0.0.0.0".into()
            })
        );
        assert_eq!(
            Target::parse("tcp:[::1]:6641", OVSDB_PORT),
            Ok(Target::ActiveTcp {
                host: "::1".into(),
                port: 6641
            })
        );
        assert_eq!(
            Target::parse("tcp:127.0.0.1", OPENFLOW_PORT),
            Ok(Target::ActiveTcp {
                host: "127.0.0.1".into(),
                port: 6653
            })
        );
        assert!(Target::parse("ssl:1.2.3.4:6640", OVSDB_PORT).is_err());
        assert!(Target::parse("bogus", OVSDB_PORT).is_err());
        assert!(Target::parse("ptcp:notaport", OVSDB_PORT).is_err());
    }
}
