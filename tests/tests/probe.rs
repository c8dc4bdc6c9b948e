//! Inactivity probes on a controller connection: the test plays a
//! controller that completes the hello exchange and then says nothing. The
//! switch must send an echo request after the probe interval, give the
//! connection up when that goes unanswered for another interval, and
//! connect again. A controller that answers is kept.

use std::io::Write;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use ovs_tests::controller::{
    Next, OFPT_ECHO_REPLY, OFPT_ECHO_REQUEST, accept_controller, accept_switch, read_message,
    wait_for,
};
use ovs_tests::switch::Switch;
use ovs_tests::switch_impl_or_skip;

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

    // The database still says why the last connection ended: the switch
    // refreshed it at least twice since (every 5 s), and the live
    // connection cannot have timed out yet.
    let deadline = Instant::now() + Duration::from_secs(6);
    loop {
        let status = sw.vsctl_ok(&["get", "controller", "br0", "status"]);
        if status.contains("last_error=\"Connection timed out\"") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the Controller status does not report the timeout: {status}\n{}",
            sw.diagnostics()
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn a_controller_that_never_says_hello_is_dropped() {
    let imp = switch_impl_or_skip!("a_controller_that_never_says_hello_is_dropped");
    let sw = Switch::start("hello", imp);
    sw.add_bridge("br0", &[]);
    let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().expect("address").port();
    sw.vsctl_ok(&["set-controller", "br0", &format!("tcp:127.0.0.1:{port}")]);
    let mut silent = accept_switch(&listener, &sw);
    // The switch's hello arrives; ours never goes out. OVS gives the
    // connection and hello exchange 1 s (more after repeated failures).
    let end = wait_for(&mut silent, 0xff, Duration::from_secs(15));
    assert!(
        matches!(end, Next::Closed),
        "the switch kept a connection that never finished its hello: {end:?}\n{}",
        sw.diagnostics()
    );
}
