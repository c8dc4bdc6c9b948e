//! System and tap devices against the real kernel (needs root): veth pairs
//! with one end in a private network namespace, tap devices in this one.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{RawSocket, VethPair, marked_frame, new_nonce, recv_marked, sysfs_flags, unique_name};
use ovs_netdev::{Netdev, NetdevError, SystemNetdev, TapNetdev, open};

const WAIT: Duration = Duration::from_secs(3);
const IFF_UP: u32 = 0x1;
const IFF_PROMISC: u32 = 0x100;

fn no_options() -> BTreeMap<String, String> {
    BTreeMap::new()
}

#[test]
fn frames_sent_in_the_namespace_arrive_through_recv() {
    let pair = VethPair::new();
    let netdev = open(&pair.near, "system", &no_options()).unwrap();
    let far = pair.far_socket();
    let nonce = new_nonce();
    let sent: Vec<_> = (0..50)
        .map(|i| marked_frame(nonce, i, &[], 60 + usize::from(i) * 29))
        .collect();
    for f in &sent {
        far.send(f);
    }
    let got = recv_marked(netdev.as_ref(), nonce, sent.len(), WAIT);
    assert_eq!(got, sent);
}

#[test]
fn frames_we_send_arrive_in_the_namespace() {
    let pair = VethPair::new();
    let netdev = open(&pair.near, "", &no_options()).unwrap();
    assert_eq!(netdev.type_name(), "system");
    let far = pair.far_socket();
    let nonce = new_nonce();
    // More than one sendmmsg batch.
    let sent: Vec<_> = (0..70).map(|i| marked_frame(nonce, i, &[], 1514)).collect();
    netdev.send(&sent);
    let got = far.recv_marked(nonce, sent.len(), WAIT);
    assert_eq!(got, sent);
}

#[test]
fn vlan_tags_survive_recv() {
    let pair = VethPair::new();
    let netdev = open(&pair.near, "system", &no_options()).unwrap();
    let far = pair.far_socket();
    let nonce = new_nonce();
    let sent = vec![
        // 802.1Q, priority 1, VLAN 5.
        marked_frame(nonce, 0, &[(0x8100, 0x2005)], 64),
        // VLAN 0 (priority tag only).
        marked_frame(nonce, 1, &[(0x8100, 0xe000)], 64),
        // QinQ: 802.1ad outer, 802.1Q inner.
        marked_frame(nonce, 2, &[(0x88a8, 100), (0x8100, 200)], 80),
        // Full-size payload behind a tag: 1500 + 18 bytes.
        marked_frame(nonce, 3, &[(0x8100, 7)], 1518),
        // Untagged, for contrast.
        marked_frame(nonce, 4, &[], 64),
    ];
    for f in &sent {
        far.send(f);
    }
    let got = recv_marked(netdev.as_ref(), nonce, sent.len(), WAIT);
    assert_eq!(got, sent);
}

#[test]
fn our_own_and_the_hosts_transmissions_are_not_received() {
    let pair = VethPair::new();
    let netdev = open(&pair.near, "system", &no_options()).unwrap();
    let far = pair.far_socket();
    let host = RawSocket::bind(&pair.near).unwrap();
    let nonce = new_nonce();
    netdev.send(&[
        marked_frame(nonce, 1, &[], 60),
        marked_frame(nonce, 2, &[], 60),
    ]);
    // Another sender on the same device in this namespace: outgoing too.
    host.send(&marked_frame(nonce, 3, &[], 60));
    // They did go out.
    assert_eq!(far.recv_marked(nonce, 3, WAIT).len(), 3);
    // A frame from the far side marks the end: everything before it that
    // we could have seen has been queued by then.
    far.send(&marked_frame(nonce, 99, &[], 60));
    let got = recv_marked(netdev.as_ref(), nonce, 4, Duration::from_millis(500));
    assert_eq!(got, vec![marked_frame(nonce, 99, &[], 60)]);
}

#[test]
fn missing_devices_fail_as_in_ovs() {
    let name = unique_name("nx");
    let err: NetdevError = open(&name, "system", &no_options()).err().unwrap();
    assert_eq!(err.errno, libc::ENODEV);
    assert_eq!(
        err.to_string(),
        format!("could not open network device {name} (No such device)")
    );
    let err = open("a-name-far-too-long-for-linux", "system", &no_options())
        .err()
        .unwrap();
    assert_eq!(err.errno, libc::ENODEV);
}

#[test]
fn properties_promiscuity_and_counters() {
    let pair = VethPair::new();
    let sysfs_mac =
        std::fs::read_to_string(format!("/sys/class/net/{}/address", pair.near)).unwrap();
    let sysfs_ifindex: u32 =
        std::fs::read_to_string(format!("/sys/class/net/{}/ifindex", pair.near))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
    assert_eq!(sysfs_flags(&pair.near).unwrap() & IFF_PROMISC, 0);

    let netdev = SystemNetdev::open(&pair.near).unwrap();
    let mac = netdev.mac();
    let text = mac
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":");
    assert_eq!(text, sysfs_mac.trim());
    assert_eq!(netdev.ifindex(), Some(sysfs_ifindex));
    assert_eq!(netdev.mtu(), 1500);
    assert!(netdev.is_up());
    // The kernel raises a new veth's carrier asynchronously (link watch).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !netdev.carrier() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(netdev.carrier());
    // The userspace datapath puts its ports in promiscuous mode.
    assert_ne!(sysfs_flags(&pair.near).unwrap() & IFF_PROMISC, 0);

    let before = netdev.stats();
    let far = pair.far_socket();
    let nonce = new_nonce();
    for i in 0..5 {
        far.send(&marked_frame(nonce, i, &[], 100));
    }
    netdev.send(&[marked_frame(nonce, 9, &[], 200)]);
    assert_eq!(recv_marked(netdev.as_ref(), nonce, 5, WAIT).len(), 5);
    let after = netdev.stats();
    assert!(
        after.rx_packets >= before.rx_packets + 5,
        "{before:?} {after:?}"
    );
    assert!(after.rx_bytes >= before.rx_bytes + 500);
    assert!(after.tx_packets > before.tx_packets);
    assert!(after.tx_bytes >= before.tx_bytes + 200);

    let new_mac = [0x02, 0x11, 0x22, 0x33, 0x44, 0x55];
    netdev.set_mac(new_mac).unwrap();
    assert_eq!(netdev.mac(), new_mac);

    netdev.set_up(false).unwrap();
    assert!(!netdev.is_up());
    assert_eq!(sysfs_flags(&pair.near).unwrap() & IFF_UP, 0);
    assert!(!netdev.carrier());
    netdev.set_up(true).unwrap();

    drop(netdev);
    assert_eq!(sysfs_flags(&pair.near).unwrap() & IFF_PROMISC, 0);
}

#[test]
fn jumbo_frames_follow_the_mtu() {
    let pair = VethPair::new();
    pair.set_far_mtu(9000);
    let netdev = SystemNetdev::open(&pair.near).unwrap();
    netdev.set_mtu(9000).unwrap();
    assert_eq!(netdev.mtu(), 9000);
    let far = pair.far_socket();
    let nonce = new_nonce();
    let jumbo = marked_frame(nonce, 0, &[(0x8100, 3)], 9018);
    far.send(&jumbo);
    assert_eq!(recv_marked(netdev.as_ref(), nonce, 1, WAIT), vec![jumbo]);
    netdev.send(&[marked_frame(nonce, 1, &[], 9014)]);
    assert_eq!(far.recv_marked(nonce, 1, WAIT).len(), 1);
}

/// With `recvmmsg`, as in OVS, the first frame of the new size does not
/// fit the buffer sized for MTU 1500; through the ring, it waits whole on
/// the socket's queue while the MTU is looked at again.
#[test]
fn mtu_raised_behind_our_back_costs_one_frame_without_the_ring() {
    for with_ring in [false, true] {
        let pair = VethPair::new();
        let netdev = if with_ring {
            SystemNetdev::open(&pair.near).unwrap()
        } else {
            SystemNetdev::open_without_ring(&pair.near).unwrap()
        };
        pair.set_far_mtu(4000);
        common::ip(&["link", "set", &pair.near, "mtu", "4000"]).unwrap();
        let far = pair.far_socket();
        let nonce = new_nonce();
        let big = |seq| marked_frame(nonce, seq, &[], 3000);
        far.send(&big(0));
        let got = recv_marked(netdev.as_ref(), nonce, 1, Duration::from_millis(300));
        if with_ring {
            assert_eq!(got, vec![big(0)]);
            assert_eq!(netdev.local_drops().0, 0);
        } else {
            assert!(got.is_empty());
            assert_eq!(netdev.local_drops().0, 1);
        }
        far.send(&big(1));
        assert_eq!(recv_marked(netdev.as_ref(), nonce, 1, WAIT), vec![big(1)]);
    }
}

#[test]
fn tap_device_lives_as_long_as_the_netdev() {
    let name = unique_name("tp");
    let netdev = open(&name, "internal", &no_options()).unwrap();
    assert_eq!(netdev.name(), name);
    assert_eq!(netdev.type_name(), "internal");
    let sys = format!("/sys/class/net/{name}");
    assert!(std::path::Path::new(&sys).exists());
    // tun devices report type 1 (Ethernet) and, for taps, a tun_flags file.
    assert_eq!(
        std::fs::read_to_string(format!("{sys}/type"))
            .unwrap()
            .trim(),
        "1"
    );
    let mac = netdev.mac();
    assert_eq!(
        mac[0] & 0x03,
        0x02,
        "random MACs are locally administered unicast: {mac:02x?}"
    );
    // Left down, as OVS leaves it; promiscuous like every datapath port.
    assert!(!netdev.is_up());
    assert_ne!(sysfs_flags(&name).unwrap() & IFF_PROMISC, 0);
    drop(netdev);
    assert!(!std::path::Path::new(&sys).exists());
}

#[test]
fn tap_carries_frames_both_ways() {
    let name = unique_name("tp");
    let netdev = TapNetdev::open(&name, "tap").unwrap();
    assert_eq!(netdev.type_name(), "tap");
    let _ = std::fs::write(format!("/proc/sys/net/ipv6/conf/{name}/disable_ipv6"), "1");
    let nonce = new_nonce();

    // Down: sends are dropped and counted.
    netdev.send(&[
        marked_frame(nonce, 0, &[], 60),
        marked_frame(nonce, 1, &[], 60),
    ]);
    assert_eq!(netdev.stats().tx_dropped, 2);

    netdev.set_up(true).unwrap();
    netdev.set_mac([0x02, 0xaa, 0, 0, 0, 1]).unwrap();
    assert_eq!(netdev.mac(), [0x02, 0xaa, 0, 0, 0, 1]);
    let host = RawSocket::bind(&name).unwrap();
    let before = netdev.stats();

    // What we send, the host receives.
    let down: Vec<_> = (0..40).map(|i| marked_frame(nonce, i, &[], 100)).collect();
    netdev.send(&down);
    assert_eq!(host.recv_marked(nonce, down.len(), WAIT), down);

    // What the host sends, we receive, tags and all.
    let up = vec![
        marked_frame(nonce, 100, &[], 60),
        marked_frame(nonce, 101, &[(0x8100, 42)], 1518),
    ];
    for f in &up {
        host.send(f);
    }
    assert_eq!(recv_marked(&*netdev, nonce, up.len(), WAIT), up);

    // Counters are the switch's view: what we sent is tx.
    let after = netdev.stats();
    assert!(
        after.tx_packets >= before.tx_packets + 40,
        "{before:?} {after:?}"
    );
    assert!(after.rx_packets >= before.rx_packets + 2);
    drop(netdev);
    assert!(!std::path::Path::new(&format!("/sys/class/net/{name}")).exists());
}

#[test]
fn tap_names_the_kernel_cannot_take_fail() {
    let err = open("x23456789012345678", "tap", &no_options())
        .err()
        .unwrap();
    assert_eq!(err.errno, libc::EINVAL);
}
