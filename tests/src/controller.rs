//! The controller side of an OpenFlow connection, for tests that play a
//! controller the switch connects to (`tcp:` targets): accept, exchange
//! hellos, read whole messages with a deadline.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use crate::switch::Switch;

pub const OFPT_HELLO: u8 = 0;
pub const OFPT_ECHO_REQUEST: u8 = 2;
pub const OFPT_ECHO_REPLY: u8 = 3;

/// What the controller side saw next.
#[derive(Debug)]
pub enum Next {
    Message(Vec<u8>),
    Closed,
    TimedOut,
}

pub fn read_message(s: &mut TcpStream, until: Instant) -> Next {
    let mut msg = vec![0u8; 8];
    let mut have = 0;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Next::TimedOut;
        }
        s.set_read_timeout(Some(left)).expect("read timeout");
        let want = if have >= 8 {
            usize::from(u16::from_be_bytes([msg[2], msg[3]])).max(8)
        } else {
            8
        };
        if msg.len() < want {
            msg.resize(want, 0);
        }
        if have == want {
            return Next::Message(msg);
        }
        match s.read(&mut msg[have..want]) {
            Ok(0) => return Next::Closed,
            Ok(n) => have += n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Next::TimedOut;
            }
            // A reset is the switch closing too.
            Err(_) => return Next::Closed,
        }
    }
}

/// Accepts the switch's next connection, waiting at most 30 s.
pub fn accept_switch(listener: &TcpListener, sw: &Switch) -> TcpStream {
    let deadline = Instant::now() + Duration::from_secs(30);
    listener
        .set_nonblocking(true)
        .expect("nonblocking listener");
    let s = loop {
        match listener.accept() {
            Ok((s, _)) => break s,
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("the switch never connected: {e}\n{}", sw.diagnostics()),
        }
    };
    s.set_nonblocking(false).expect("blocking stream");
    s
}

/// Accepts the switch's connection and exchanges OpenFlow 1.3 hellos.
pub fn accept_controller(listener: &TcpListener, sw: &Switch) -> TcpStream {
    let mut s = accept_switch(listener, sw);
    s.write_all(&[4, OFPT_HELLO, 0, 8, 0, 0, 0, 1])
        .expect("hello");
    match read_message(&mut s, Instant::now() + Duration::from_secs(10)) {
        Next::Message(m) if m[1] == OFPT_HELLO => s,
        other => panic!("expected the switch's hello, got {other:?}"),
    }
}

/// The next message of `kind`, skipping others (features requests, port
/// status, ...).
pub fn wait_for(s: &mut TcpStream, kind: u8, within: Duration) -> Next {
    let until = Instant::now() + within;
    loop {
        match read_message(s, until) {
            Next::Message(m) if m[1] == kind => return Next::Message(m),
            Next::Message(_) => continue,
            other => return other,
        }
    }
}
