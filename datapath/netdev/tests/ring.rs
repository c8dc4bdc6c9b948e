//! The `TPACKET_V3` receive ring of `system` ports against the real kernel
//! (needs root): veth pairs with one end in a private network namespace.

mod common;

use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use common::{VethPair, marked_frame, new_nonce, recv_marked, wait_readable};
use ovs_netdev::{Netdev, SystemNetdev};

const WAIT: Duration = Duration::from_secs(3);

#[test]
fn this_kernel_gives_us_a_ring() {
    let pair = VethPair::new();
    let netdev = SystemNetdev::open(&pair.near).unwrap();
    assert!(netdev.uses_rx_ring());
}

/// Far more frames than one block holds (a block of 8 KiB holds about 40
/// small frames), sent before we read any, of many sizes up to the MTU:
/// all of them come out, in order, whatever `max` each call asks for.
#[test]
fn bursts_span_many_blocks() {
    let pair = VethPair::new();
    let netdev = SystemNetdev::open(&pair.near).unwrap();
    assert!(netdev.uses_rx_ring());
    let far = pair.far_socket();
    let nonce = new_nonce();
    let sent: Vec<_> = (0..600u16)
        .map(|i| {
            let tags: &[(u16, u16)] = if i % 3 == 0 {
                &[(0x8100, i % 4095)]
            } else {
                &[]
            };
            // About 300 KB in all: within the ring's 512 KiB.
            let len = if i % 50 == 0 {
                1514
            } else {
                60 + (usize::from(i) * 37) % 640
            };
            marked_frame(nonce, i, tags, len)
        })
        .collect();
    for f in &sent {
        far.send(f);
    }
    // Odd batch sizes, so that calls stop in the middle of blocks.
    let deadline = Instant::now() + WAIT;
    let (mut pool, mut out, mut got) = (Vec::new(), Vec::new(), Vec::new());
    let mut max = 1;
    while got.len() < sent.len() && Instant::now() < deadline {
        out.clear();
        let n = netdev.recv(&mut pool, &mut out, max).unwrap();
        assert!(n <= max && n == out.len());
        got.extend(out.drain(..).filter(|f| common::has_nonce(f, nonce)));
        max = max % 7 + 1;
        if n == 0 {
            wait_readable(netdev.rx_fd().unwrap(), Duration::from_millis(50));
        }
    }
    assert_eq!(got.len(), sent.len());
    assert!(got == sent, "frames differ");
    assert_eq!(netdev.local_drops().0, 0);
}

#[test]
fn tags_of_every_kind_are_restored_from_the_ring() {
    let pair = VethPair::new();
    let netdev = SystemNetdev::open(&pair.near).unwrap();
    assert!(netdev.uses_rx_ring());
    let far = pair.far_socket();
    let nonce = new_nonce();
    let sent = vec![
        marked_frame(nonce, 0, &[(0x8100, 0x2005)], 64),
        marked_frame(nonce, 1, &[(0x8100, 0xe000)], 64),
        marked_frame(nonce, 2, &[(0x8100, 0)], 64),
        marked_frame(nonce, 3, &[(0x88a8, 100), (0x8100, 200)], 80),
        marked_frame(nonce, 4, &[(0x8100, 4095)], 1518),
        marked_frame(nonce, 5, &[], 1514),
        marked_frame(nonce, 6, &[(0x88a8, 7)], 60),
    ];
    for f in &sent {
        far.send(f);
    }
    assert_eq!(recv_marked(netdev.as_ref(), nonce, sent.len(), WAIT), sent);
}

/// The largest MTU a veth takes, set before the port is opened: the ring
/// is made with blocks big enough for its frames, which arrive whole,
/// tagged or not.
#[test]
fn frames_of_the_largest_mtu_fit_the_ring() {
    let pair = VethPair::new();
    let mtu = 65535;
    pair.set_far_mtu(mtu);
    common::ip(&["link", "set", &pair.near, "mtu", &mtu.to_string()]).unwrap();
    let netdev = SystemNetdev::open(&pair.near).unwrap();
    assert!(netdev.uses_rx_ring());
    let far = pair.far_socket();
    let nonce = new_nonce();
    let size = 14 + mtu as usize;
    let sent = vec![
        marked_frame(nonce, 0, &[], size),
        marked_frame(nonce, 1, &[(0x8100, 9)], size + 4),
        marked_frame(nonce, 2, &[], 60),
        marked_frame(nonce, 3, &[], size),
    ];
    for f in &sent {
        far.send(f);
    }
    assert!(recv_marked(netdev.as_ref(), nonce, sent.len(), WAIT) == sent);
    assert_eq!(netdev.local_drops().0, 0);
}

/// A 9000-byte MTU set on an open port still fits the ring.
#[test]
fn jumbo_frames_fit_the_ring_made_for_1500() {
    let pair = VethPair::new();
    let netdev = SystemNetdev::open(&pair.near).unwrap();
    pair.set_far_mtu(9000);
    netdev.set_mtu(9000).unwrap();
    assert!(netdev.uses_rx_ring());
    let far = pair.far_socket();
    let nonce = new_nonce();
    let sent = vec![
        marked_frame(nonce, 0, &[(0x8100, 3)], 9018),
        marked_frame(nonce, 1, &[], 60),
    ];
    for f in &sent {
        far.send(f);
    }
    assert!(recv_marked(netdev.as_ref(), nonce, sent.len(), WAIT) == sent);
    assert!(netdev.uses_rx_ring());
}

/// An MTU raised on an open port past what the ring's blocks hold: the
/// port goes on with `recvmmsg` and frames of the new size arrive whole;
/// raised behind our back, it costs the frame that shows it, as with
/// `recvmmsg` alone.
#[test]
fn mtus_that_outgrow_the_ring_fall_back_to_recvmmsg() {
    let mtu = 20000;
    // Through set_mtu.
    let pair = VethPair::new();
    let netdev = SystemNetdev::open(&pair.near).unwrap();
    pair.set_far_mtu(mtu);
    netdev.set_mtu(mtu).unwrap();
    assert!(!netdev.uses_rx_ring());
    let far = pair.far_socket();
    let nonce = new_nonce();
    let sent = vec![
        marked_frame(nonce, 0, &[(0x8100, 3)], 18 + mtu as usize),
        marked_frame(nonce, 1, &[], 60),
    ];
    for f in &sent {
        far.send(f);
    }
    assert!(recv_marked(netdev.as_ref(), nonce, sent.len(), WAIT) == sent);

    // Behind our back.
    let pair = VethPair::new();
    let netdev = SystemNetdev::open(&pair.near).unwrap();
    pair.set_far_mtu(mtu);
    common::ip(&["link", "set", &pair.near, "mtu", &mtu.to_string()]).unwrap();
    let far = pair.far_socket();
    let nonce = new_nonce();
    let big = |seq| marked_frame(nonce, seq, &[], 14 + mtu as usize);
    far.send(&big(0));
    assert!(recv_marked(netdev.as_ref(), nonce, 1, Duration::from_millis(300)).is_empty());
    assert_eq!(netdev.local_drops().0, 1);
    assert!(!netdev.uses_rx_ring());
    far.send(&big(1));
    far.send(&marked_frame(nonce, 2, &[], 60));
    let got = recv_marked(netdev.as_ref(), nonce, 2, WAIT);
    assert!(got == vec![big(1), marked_frame(nonce, 2, &[], 60)]);
}

/// A lone frame is not held back until a block fills: the kernel hands the
/// block over within its retire timeout and the descriptor turns readable.
#[test]
fn a_lone_frame_arrives_promptly() {
    let pair = VethPair::new();
    let netdev = SystemNetdev::open(&pair.near).unwrap();
    let far = pair.far_socket();
    let fd = netdev.rx_fd().unwrap();
    for seq in 0..5 {
        let nonce = new_nonce();
        let (mut pool, mut out) = (Vec::new(), Vec::new());
        // Nothing pending: not readable.
        while netdev.recv(&mut pool, &mut out, 32).unwrap() > 0 {
            out.clear();
        }
        let frame = marked_frame(nonce, seq, &[], 60);
        let start = Instant::now();
        far.send(&frame);
        assert!(wait_readable(fd, WAIT), "never readable");
        let got = recv_marked(netdev.as_ref(), nonce, 1, WAIT);
        let waited = start.elapsed();
        assert_eq!(got, vec![frame]);
        assert!(waited < Duration::from_millis(200), "{waited:?}");
    }
    let _ = fd.as_raw_fd();
}

/// The `recvmmsg` path, taken when the kernel refuses a ring, receives the
/// same frames as the ring: whole, tags restored, our own transmissions
/// left out.
#[test]
fn the_fallback_receives_what_the_ring_does() {
    for with_ring in [true, false] {
        let pair = VethPair::new();
        let netdev = if with_ring {
            SystemNetdev::open(&pair.near).unwrap()
        } else {
            SystemNetdev::open_without_ring(&pair.near).unwrap()
        };
        assert_eq!(netdev.uses_rx_ring(), with_ring);
        let far = pair.far_socket();
        let nonce = new_nonce();
        netdev.send(&[marked_frame(nonce, 100, &[], 60)]);
        let sent: Vec<_> = (0..80u16)
            .map(|i| {
                let tags: &[(u16, u16)] = match i % 4 {
                    0 => &[(0x8100, 0x2005)],
                    1 => &[(0x88a8, 100), (0x8100, 200)],
                    _ => &[],
                };
                marked_frame(nonce, i, tags, 60 + usize::from(i) * 18)
            })
            .collect();
        for f in &sent {
            far.send(f);
        }
        let got = recv_marked(
            netdev.as_ref(),
            nonce,
            sent.len() + 1,
            Duration::from_millis(500),
        );
        assert!(got == sent, "ring {with_ring}: frames differ");
    }
}
