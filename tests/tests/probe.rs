//! Inactivity probes on a controller connection: the test plays a
//! controller that completes the hello exchange and then says nothing. The
//! switch must send an echo request after the probe interval, give the
//! connection up when that goes unanswered for another interval, and
//! connect again. A controller that answers is kept.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use ovs_tests::switch::Switch;
use ovs_tests::switch_impl_or_skip;

const OFPT_HELLO: u8 = 0;
const OFPT_ECHO_REQUEST: u8 = 2;
const OFPT_ECHO_REPLY: u8 = 3;

/// What the controller side saw next.
#[derive(Debug)]
enum Next {
    Message(Vec<u8>),
    Closed,
    TimedOut,
}

fn read_message(s: &mut TcpStream, until: Instant) -> Next {
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

/// Accepts the switch's connection and exchanges OpenFlow 1.3 hellos.
fn accept_controller(listener: &TcpListener, sw: &Switch) -> TcpStream {
    let deadline = Instant::now() + Duration::from_secs(30);
    listener
        .set_nonblocking(true)
        .expect("nonblocking listener");
    let mut s = loop {
        match listener.accept() {
            Ok((s, _)) => break s,
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("the switch never connected: {e}\n{}", sw.diagnostics()),
        }
    };
    s.set_nonblocking(false).expect("blocking stream");
    s.write_all(&[4, OFPT_HELLO, 0, 8, 0, 0, 0, 1])
        .expect("hello");
    match read_message(&mut s, Instant::now() + Duration::from_secs(10)) {
        Next::Message(m) if m[1] == OFPT_HELLO => s,
        other => panic!("expected the switch's hello, got {other:?}"),
    }
}

/// The next message of `kind`, skipping others (features requests, port
/// status, ...).
fn wait_for(s: &mut TcpStream, kind: u8, within: Duration) -> Next {
    let until = Instant::now() + within;
    loop {
        match read_message(s, until) {
            Next::Message(m) if m[1] == kind => return Next::Message(m),
            Next::Message(_) => continue,
            other => return other,
        }
    }
}

#[test]
fn unanswered_probe_drops_the_controller_and_an_answer_keeps_it() {
    let imp = switch_impl_or_skip!("unanswered_probe_drops_the_controller_and_an_answer_keeps_it");
    let sw = Switch::start("probe", imp);
    sw.add_bridge("br0", &[]);
    let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().expect("address").port();
    // 1 s asks for more than OVS allows: it probes every 5 s at most.
    sw.vsctl_ok(&[
        "set-controller",
        "br0",
        &format!("tcp:127.0.0.1:{port}"),
        "--",
        "set",
        "controller",
        "br0",
        "inactivity_probe=1000",
    ]);

    let mut quiet = accept_controller(&listener, &sw);
    let hello_at = Instant::now();
    let echo = wait_for(&mut quiet, OFPT_ECHO_REQUEST, Duration::from_secs(20));
    let waited = hello_at.elapsed();
    assert!(
        matches!(echo, Next::Message(_)),
        "no echo request from the switch: {echo:?}\n{}",
        sw.diagnostics()
    );
    assert!(
        waited >= Duration::from_secs(3),
        "the probe came after {waited:?}, before the 5 s interval\n{}",
        sw.diagnostics()
    );
    // Unanswered, the connection goes.
    let end = wait_for(&mut quiet, 0xff, Duration::from_secs(20));
    assert!(
        matches!(end, Next::Closed),
        "the switch kept a controller that did not answer its probe: {end:?}\n{}",
        sw.diagnostics()
    );

    // It comes back, and answering the probes keeps it up past two
    // intervals.
    let mut chatty = accept_controller(&listener, &sw);
    let until = Instant::now() + Duration::from_secs(13);
    let mut answered = 0;
    while Instant::now() < until {
        match read_message(&mut chatty, until) {
            Next::Message(m) if m[1] == OFPT_ECHO_REQUEST => {
                let mut reply = m.clone();
                reply[1] = OFPT_ECHO_REPLY;
                chatty.write_all(&reply).expect("echo reply");
                answered += 1;
            }
            Next::Message(_) | Next::TimedOut => {}
            Next::Closed => panic!(
                "the switch dropped a controller that answered {answered} probes\n{}",
                sw.diagnostics()
            ),
        }
    }
    assert!(answered >= 2, "only {answered} probes in 13 s");
}
