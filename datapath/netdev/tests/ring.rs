//! The `TPACKET_V2` receive ring of `system` ports against the real kernel
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

/// Bursts sent before we read any, of many sizes up to the MTU, almost
/// half as many frames as the ring has slots (2048), and more of them than
/// it has in all: every frame comes out, in order, whatever `max` each
/// call asks for.
#[test]
fn bursts_go_round_the_ring() {
    let pair = VethPair::new();
    let netdev = SystemNetdev::open(&pair.near).unwrap();
    assert!(netdev.uses_rx_ring());
    let far = pair.far_socket();
    let nonce = new_nonce();
    let (mut pool, mut out, mut got) = (Vec::new(), Vec::new(), Vec::new());
    let mut sent = Vec::new();
    let mut max = 1;
    for burst in 0..3u16 {
        let frames: Vec<_> = (0..900u16)
            .map(|n| {
                let i = burst * 900 + n;
                let tags: &[(u16, u16)] = if i % 3 == 0 {
                    &[(0x8100, i % 4095)]
                } else {
                    &[]
                };
                let len = if i % 50 == 0 {
                    1514
                } else {
                    60 + (usize::from(i) * 37) % 640
                };
                marked_frame(nonce, i, tags, len)
            })
            .collect();
        for f in &frames {
            far.send(f);
        }
        sent.extend(frames);
        // Odd batch sizes, so that calls stop anywhere.
        let deadline = Instant::now() + WAIT;
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
/// is made with slots big enough for its frames, which arrive whole,
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
    assert!(netdev.uses_rx_ring());
}

/// A 9000-byte MTU set before the port is opened sizes the ring's slots.
#[test]
fn jumbo_frames_fit_a_ring_made_for_them() {
    let pair = VethPair::new();
    pair.set_far_mtu(9000);
    common::ip(&["link", "set", &pair.near, "mtu", "9000"]).unwrap();
    let netdev = SystemNetdev::open(&pair.near).unwrap();
    assert!(netdev.uses_rx_ring());
    let far = pair.far_socket();
    let nonce = new_nonce();
    let sent: Vec<_> = (0..40u16)
        .map(|i| match i % 3 {
            0 => marked_frame(nonce, i, &[(0x8100, 3)], 9018),
            1 => marked_frame(nonce, i, &[], 9014),
            _ => marked_frame(nonce, i, &[], 60),
        })
        .collect();
    for f in &sent {
        far.send(f);
    }
    assert!(recv_marked(netdev.as_ref(), nonce, sent.len(), WAIT) == sent);
    assert_eq!(netdev.local_drops().0, 0);
    assert!(netdev.uses_rx_ring());
}

/// The MTU raised behind our back, past what the slots (made for 1500)
/// hold: the frames too big for their slots are read whole from the
/// socket's queue, in their place among the others, and the port then
/// goes on with `recvmmsg`.
#[test]
fn frames_too_big_for_their_slots_arrive_whole_and_in_order() {
    let pair = VethPair::new();
    let netdev = SystemNetdev::open(&pair.near).unwrap();
    assert!(netdev.uses_rx_ring());
    let mtu = 9000;
    pair.set_far_mtu(mtu);
    common::ip(&["link", "set", &pair.near, "mtu", &mtu.to_string()]).unwrap();
    let far = pair.far_socket();
    let nonce = new_nonce();
    let sent: Vec<_> = (0..60u16)
        .map(|i| {
            // Runs of big frames of every length, between small ones.
            if i % 7 < i % 5 {
                marked_frame(nonce, i, &[(0x8100, i)], 2000 + usize::from(i) * 100)
            } else {
                marked_frame(nonce, i, &[], 60 + usize::from(i))
            }
        })
        .collect();
    for f in &sent {
        far.send(f);
    }
    assert!(recv_marked(netdev.as_ref(), nonce, sent.len(), WAIT) == sent);
    assert_eq!(netdev.local_drops().0, 0);
    assert!(!netdev.uses_rx_ring());
    let more = vec![
        marked_frame(nonce, 100, &[], 14 + mtu as usize),
        marked_frame(nonce, 101, &[], 60),
    ];
    for f in &more {
        far.send(f);
    }
    assert!(recv_marked(netdev.as_ref(), nonce, more.len(), WAIT) == more);
}

/// An MTU raised through `set_mtu` past what the slots hold: the port goes
/// on with `recvmmsg` at once and frames of the new size arrive whole.
#[test]
fn mtus_that_outgrow_the_ring_fall_back_to_recvmmsg() {
    let mtu = 9000;
    let pair = VethPair::new();
    let netdev = SystemNetdev::open(&pair.near).unwrap();
    assert!(netdev.uses_rx_ring());
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
    assert_eq!(netdev.local_drops().0, 0);

    // A smaller MTU keeps the ring.
    let pair = VethPair::new();
    let netdev = SystemNetdev::open(&pair.near).unwrap();
    netdev.set_mtu(1900).unwrap();
    assert!(netdev.uses_rx_ring());
}

/// A lone frame is handed over as soon as the kernel has written it, not
/// when some timer fires: the descriptor turns readable at once.
#[test]
fn a_lone_frame_arrives_at_once() {
    let pair = VethPair::new();
    let netdev = SystemNetdev::open(&pair.near).unwrap();
    assert!(netdev.uses_rx_ring());
    let far = pair.far_socket();
    let fd = netdev.rx_fd().unwrap();
    let (mut pool, mut out) = (Vec::new(), Vec::new());
    let mut waits = Vec::new();
    for seq in 0..21 {
        let nonce = new_nonce();
        // Nothing pending: not readable.
        while netdev.recv(&mut pool, &mut out, 32).unwrap() > 0 {
            out.clear();
        }
        let frame = marked_frame(nonce, seq, &[], 60);
        let start = Instant::now();
        far.send(&frame);
        assert!(wait_readable(fd, WAIT), "never readable");
        let got = recv_marked(netdev.as_ref(), nonce, 1, WAIT);
        waits.push(start.elapsed());
        assert_eq!(got, vec![frame]);
    }
    waits.sort();
    // The median, so that a busy machine's odd hiccup does not count; a
    // block-based ring would wait for its retire timer (1 ms or more).
    assert!(waits[10] < Duration::from_micros(500), "{waits:?}");
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
