//! `dummy`, `dummy-internal` and `dummy-pmd` ports: OVS's netdev-dummy, the
//! device of its test suite. There is no host device. Frames arrive only
//! through [`DummyNetdev::inject`] (what `ovs-appctl netdev-dummy/receive`
//! does once it has built the frame), found by name with
//! [`dummy_by_name`]; transmitted frames are counted, kept in memory for
//! tests ([`DummyNetdev::take_sent`]) and, if the Interface options ask,
//! written to pcap files.
//!
//! As OVS's netdev-dummy:
//! - MACs are handed out in creation order from aa:55:aa:55:00:00 up, the
//!   MTU is 1500 and the device is up;
//! - `options:pcap=FILE` captures received (injected) and transmitted
//!   frames into one file; otherwise `options:rxq_pcap=FILE` captures
//!   received and `options:tx_pcap=FILE` transmitted frames. Files are
//!   opened for appending, the header written only into an empty file, and
//!   reopened at every [`Netdev::set_config`]. An injected frame is
//!   captured even when the receive queue is full and drops it;
//! - the receive queue holds at most 100 frames, and each `recv` returns
//!   at most one frame (OVS's dummy receives one packet per call);
//! - `send` stops at the first frame shorter than an Ethernet header or
//!   longer than MTU + 14 (+ 4 for an 802.1Q tag), dropping the rest;
//! - with an IPv4 address set ([`DummyNetdev::set_in4`],
//!   `netdev-dummy/ip4addr`), an ARP request for it that is sent on the
//!   device is answered by a reply injected back into it;
//! - `stats` has only packet and byte counts; every other counter is
//!   unavailable (`u64::MAX`), which `ovs-ofctl dump-ports` shows as `?`;
//! - `options:ifindex=N` sets the ifindex, which is otherwise absent.

use std::collections::{BTreeMap, VecDeque};
use std::io;
use std::net::Ipv4Addr;
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use crate::pcap::PcapWriter;
use crate::{ETH_HEADER_LEN, Netdev, NetdevError, NetdevStats, VLAN_HEADER_LEN, sys};

/// `NETDEV_DUMMY_MAX_QUEUE`: injected frames beyond this are dropped.
pub const MAX_QUEUE: usize = 100;
/// How many transmitted frames [`DummyNetdev::take_sent`] can return.
pub const SENT_KEEP: usize = 1024;

const DUMMY_MIN_MTU: u32 = 68;
const DUMMY_MAX_MTU: u32 = 65535;

/// OVS's `next_n`: every dummy takes the next MAC, process-wide.
static NEXT_MAC: AtomicU32 = AtomicU32::new(0xaa55_0000);

/// Every live dummy by name, for `netdev-dummy/*` commands.
static REGISTRY: Mutex<BTreeMap<String, Weak<DummyNetdev>>> = Mutex::new(BTreeMap::new());

fn registry() -> MutexGuard<'static, BTreeMap<String, Weak<DummyNetdev>>> {
    // A panic elsewhere while holding the lock leaves the map usable.
    REGISTRY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The live dummy device called `name`.
pub fn dummy_by_name(name: &str) -> Option<Arc<DummyNetdev>> {
    registry().get(name).and_then(Weak::upgrade)
}

/// Names of every live dummy device, sorted.
pub fn dummy_names() -> Vec<String> {
    registry()
        .iter()
        .filter(|(_, weak)| weak.strong_count() > 0)
        .map(|(name, _)| name.clone())
        .collect()
}

/// Where captured frames go.
#[derive(Default)]
struct Captures {
    rxq: Option<PcapWriter>,
    tx: Option<PcapWriter>,
    /// `options:pcap`: `rxq` takes transmitted frames too.
    shared: bool,
}

impl Captures {
    fn write_rx(&mut self, frame: &[u8]) {
        if let Some(w) = &mut self.rxq {
            // OVS ignores write errors on capture files too.
            let _ = w.write(frame);
        }
    }

    fn write_tx(&mut self, frame: &[u8]) {
        let writer = if self.shared {
            self.rxq.as_mut()
        } else {
            self.tx.as_mut()
        };
        if let Some(w) = writer {
            let _ = w.write(frame);
        }
    }
}

struct State {
    mac: [u8; 6],
    mtu: u32,
    up: bool,
    ifindex: Option<u32>,
    in4: Option<(Ipv4Addr, Ipv4Addr)>,
    queue: VecDeque<Vec<u8>>,
    rx_packets: u64,
    rx_bytes: u64,
    tx_packets: u64,
    tx_bytes: u64,
    rx_dropped: u64,
    tx_dropped: u64,
    captures: Captures,
    /// Why a capture file could not be opened (OVS logs it and goes on).
    capture_errors: Vec<String>,
    sent: VecDeque<Vec<u8>>,
}

/// A dummy device.
pub struct DummyNetdev {
    name: String,
    type_name: &'static str,
    /// Readable exactly while the receive queue is not empty.
    event: OwnedFd,
    state: Mutex<State>,
}

impl DummyNetdev {
    /// Returns the registered device `name` if there is one of the same
    /// type (applying `options` to it), fails with EEXIST if its type
    /// differs, and otherwise creates and registers one.
    pub fn open(
        name: &str,
        type_name: &str,
        options: &BTreeMap<String, String>,
    ) -> Result<Arc<DummyNetdev>, NetdevError> {
        let type_name = match type_name {
            "dummy-internal" => "dummy-internal",
            "dummy-pmd" => "dummy-pmd",
            _ => "dummy",
        };
        let mut map = registry();
        if let Some(existing) = map.get(name).and_then(Weak::upgrade) {
            // Release the registry before `existing` may be dropped, since
            // dropping a device takes the registry lock.
            drop(map);
            if existing.type_name != type_name {
                return Err(NetdevError::new(name, libc::EEXIST));
            }
            existing.set_config(options)?;
            return Ok(existing);
        }
        let event = sys::eventfd().map_err(|e| NetdevError::from_io(name, &e))?;
        let n = NEXT_MAC.fetch_add(1, Ordering::Relaxed).to_be_bytes();
        let netdev = Arc::new(DummyNetdev {
            name: name.to_owned(),
            type_name,
            event,
            state: Mutex::new(State {
                mac: [0xaa, 0x55, n[0], n[1], n[2], n[3]],
                mtu: 1500,
                up: true,
                ifindex: None,
                in4: None,
                queue: VecDeque::new(),
                rx_packets: 0,
                rx_bytes: 0,
                tx_packets: 0,
                tx_bytes: 0,
                rx_dropped: 0,
                tx_dropped: 0,
                captures: Captures::default(),
                capture_errors: Vec::new(),
                sent: VecDeque::new(),
            }),
        });
        map.insert(name.to_owned(), Arc::downgrade(&netdev));
        drop(map);
        netdev.set_config(options)?;
        Ok(netdev)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues `frame` for `recv`, as if it had arrived on the wire
    /// (`netdev-dummy/receive`). Returns false if the queue was full and
    /// the frame was dropped; it is captured by `rxq_pcap` either way.
    pub fn inject(&self, frame: Vec<u8>) -> bool {
        let mut state = self.state();
        self.queue_locked(&mut state, frame)
    }

    fn queue_locked(&self, state: &mut State, frame: Vec<u8>) -> bool {
        state.captures.write_rx(&frame);
        if state.queue.len() >= MAX_QUEUE {
            state.rx_dropped += 1;
            return false;
        }
        if state.queue.is_empty() {
            sys::eventfd_signal(self.event.as_fd());
        }
        state.queue.push_back(frame);
        true
    }

    /// The transmitted frames kept since the last call (at most
    /// [`SENT_KEEP`], the most recent ones), oldest first.
    pub fn take_sent(&self) -> Vec<Vec<u8>> {
        self.state().sent.drain(..).collect()
    }

    /// How many frames wait in the receive queue.
    pub fn queue_len(&self) -> usize {
        self.state().queue.len()
    }

    /// Frames dropped on injection (queue full) and on send (too short or
    /// too long, and the rest of their batch). OVS does not report these.
    pub fn local_drops(&self) -> (u64, u64) {
        let state = self.state();
        (state.rx_dropped, state.tx_dropped)
    }

    /// OVS's warnings about capture files that could not be opened, e.g.
    /// `/x/p1.pcap: failed to open pcap file for appending (No such file
    /// or directory)`, since the last call.
    pub fn take_capture_errors(&self) -> Vec<String> {
        std::mem::take(&mut self.state().capture_errors)
    }

    /// Sets the device's IPv4 address and netmask (`netdev-dummy/ip4addr`);
    /// ARP requests for it that the device transmits get answered.
    pub fn set_in4(&self, addr: Ipv4Addr, mask: Ipv4Addr) {
        self.state().in4 = Some((addr, mask));
    }

    pub fn in4(&self) -> Option<(Ipv4Addr, Ipv4Addr)> {
        self.state().in4
    }
}

impl Drop for DummyNetdev {
    fn drop(&mut self) {
        let mut map = registry();
        // A newer device may have taken the name already; keep that one.
        if map
            .get(&self.name)
            .is_some_and(|weak| std::ptr::eq(weak.as_ptr(), self as *const DummyNetdev))
        {
            map.remove(&self.name);
        }
    }
}

/// The EtherType after up to two VLAN tags, and where its payload starts,
/// as OVS's flow extraction sees it.
fn inner_ethertype(frame: &[u8]) -> Option<(u16, usize)> {
    let mut at = 12;
    let mut ethertype = u16::from_be_bytes([*frame.get(at)?, *frame.get(at + 1)?]);
    for _ in 0..2 {
        if ethertype != 0x8100 && ethertype != 0x88a8 {
            break;
        }
        at += VLAN_HEADER_LEN;
        ethertype = u16::from_be_bytes([*frame.get(at)?, *frame.get(at + 1)?]);
    }
    Some((ethertype, at + 2))
}

/// The ARP reply OVS's dummy sends for a request for `addr` (`compose_arp`:
/// 42 bytes, to the requester's Ethernet source, no VLAN), or None.
fn arp_reply(frame: &[u8], mac: [u8; 6], addr: Ipv4Addr) -> Option<Vec<u8>> {
    let (ethertype, at) = inner_ethertype(frame)?;
    let arp = frame.get(at..at + 28)?;
    let is_request_for_us = ethertype == 0x0806
        && arp[0..2] == [0, 1]
        && arp[2..4] == [0x08, 0x00]
        && arp[4] == 6
        && arp[5] == 4
        && arp[6..8] == [0, 1]
        && arp[24..28] == addr.octets();
    if !is_request_for_us {
        return None;
    }
    let requester_mac = &frame[6..12];
    let requester_ip = &arp[14..18];
    let mut reply = Vec::with_capacity(42);
    reply.extend_from_slice(requester_mac);
    reply.extend_from_slice(&mac);
    reply.extend_from_slice(&[0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 2]);
    reply.extend_from_slice(&mac);
    reply.extend_from_slice(&addr.octets());
    reply.extend_from_slice(requester_mac);
    reply.extend_from_slice(requester_ip);
    Some(reply)
}

impl Netdev for DummyNetdev {
    fn name(&self) -> &str {
        &self.name
    }

    fn type_name(&self) -> &str {
        self.type_name
    }

    fn mac(&self) -> [u8; 6] {
        self.state().mac
    }

    fn mtu(&self) -> u32 {
        self.state().mtu
    }

    fn ifindex(&self) -> Option<u32> {
        self.state().ifindex
    }

    /// The injected frame itself is handed over, so the pool is not used.
    fn recv(
        &self,
        _pool: &mut Vec<Vec<u8>>,
        out: &mut Vec<Vec<u8>>,
        max: usize,
    ) -> io::Result<usize> {
        if max == 0 {
            return Ok(0);
        }
        let mut state = self.state();
        let Some(frame) = state.queue.pop_front() else {
            return Ok(0);
        };
        if state.queue.is_empty() {
            sys::eventfd_clear(self.event.as_fd());
        }
        state.rx_packets += 1;
        state.rx_bytes += frame.len() as u64;
        drop(state);
        out.push(frame);
        Ok(1)
    }

    fn send(&self, packets: &[Vec<u8>]) {
        let mut state = self.state();
        for (i, frame) in packets.iter().enumerate() {
            let mut max_size = state.mtu as usize + ETH_HEADER_LEN;
            if frame.len() >= ETH_HEADER_LEN && frame[12..14] == [0x81, 0x00] {
                max_size += VLAN_HEADER_LEN;
            }
            if frame.len() < ETH_HEADER_LEN || frame.len() > max_size {
                state.tx_dropped += (packets.len() - i) as u64;
                return;
            }
            state.tx_packets += 1;
            state.tx_bytes += frame.len() as u64;
            if let Some((addr, _)) = state.in4
                && let Some(reply) = arp_reply(frame, state.mac, addr)
            {
                self.queue_locked(&mut state, reply);
            }
            state.captures.write_tx(frame);
            if state.sent.len() >= SENT_KEEP {
                state.sent.pop_front();
            }
            state.sent.push_back(frame.clone());
        }
    }

    fn rx_fd(&self) -> Option<RawFd> {
        Some(self.event.as_raw_fd())
    }

    fn stats(&self) -> NetdevStats {
        let state = self.state();
        NetdevStats {
            rx_packets: state.rx_packets,
            rx_bytes: state.rx_bytes,
            tx_packets: state.tx_packets,
            tx_bytes: state.tx_bytes,
            ..NetdevStats::UNAVAILABLE
        }
    }

    fn set_mac(&self, mac: [u8; 6]) -> io::Result<()> {
        self.state().mac = mac;
        Ok(())
    }

    fn set_mtu(&self, mtu: u32) -> io::Result<()> {
        if !(DUMMY_MIN_MTU..=DUMMY_MAX_MTU).contains(&mtu) {
            return Err(io::Error::from_raw_os_error(libc::EINVAL));
        }
        self.state().mtu = mtu;
        Ok(())
    }

    fn is_up(&self) -> bool {
        self.state().up
    }

    fn set_up(&self, up: bool) -> io::Result<()> {
        self.state().up = up;
        Ok(())
    }

    /// OVS's `netdev_get_carrier` for a class without carrier
    /// detection: carrier whenever the device is up.
    fn carrier(&self) -> bool {
        self.state().up
    }

    fn set_config(&self, options: &BTreeMap<String, String>) -> Result<(), NetdevError> {
        let mut state = self.state();
        // OVS reads it with smap_get_int: anything unparsable or negative
        // means "no ifindex".
        state.ifindex = options
            .get("ifindex")
            .and_then(|v| v.trim().parse::<i64>().ok())
            .and_then(|v| u32::try_from(v).ok());

        let mut errors = Vec::new();
        let mut open = |path: &str| match PcapWriter::open_append(path) {
            Ok(w) => Some(w),
            Err(e) => {
                let errno = e.raw_os_error().unwrap_or(libc::EIO);
                errors.push(format!(
                    "{path}: failed to open pcap file for appending ({})",
                    sys::strerror(errno)
                ));
                None
            }
        };
        // Close the old files before opening, as OVS does.
        state.captures = Captures::default();
        state.captures = if let Some(path) = options.get("pcap") {
            Captures {
                rxq: open(path),
                tx: None,
                shared: true,
            }
        } else {
            Captures {
                rxq: options.get("rxq_pcap").and_then(|p| open(p)),
                tx: options.get("tx_pcap").and_then(|p| open(p)),
                shared: false,
            }
        };
        state.capture_errors.extend(errors);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pcap;

    fn options(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn unique(prefix: &str) -> String {
        static N: AtomicU32 = AtomicU32::new(0);
        format!("{prefix}{}", N.fetch_add(1, Ordering::Relaxed))
    }

    fn frame(len: usize, tag: u8) -> Vec<u8> {
        let mut f = vec![tag; len];
        f[12] = 0x08;
        f[13] = 0x00;
        f
    }

    #[test]
    fn macs_count_up_from_aa55() {
        let a = DummyNetdev::open(&unique("mac"), "dummy", &BTreeMap::new()).unwrap();
        let b = DummyNetdev::open(&unique("mac"), "dummy", &BTreeMap::new()).unwrap();
        let (ma, mb) = (a.mac(), b.mac());
        assert_eq!(ma[..2], [0xaa, 0x55]);
        let na = u32::from_be_bytes([ma[2], ma[3], ma[4], ma[5]]);
        let nb = u32::from_be_bytes([mb[2], mb[3], mb[4], mb[5]]);
        assert!(na >= 0xaa55_0000 && nb > na);
    }

    #[test]
    fn registry_follows_lifetime() {
        let name = unique("reg");
        let dev = DummyNetdev::open(&name, "dummy", &BTreeMap::new()).unwrap();
        assert!(Arc::ptr_eq(&dummy_by_name(&name).unwrap(), &dev));
        // Same name, same type: the same device.
        let again = DummyNetdev::open(&name, "dummy", &BTreeMap::new()).unwrap();
        assert!(Arc::ptr_eq(&again, &dev));
        // Same name, other type: EEXIST.
        let err = DummyNetdev::open(&name, "dummy-internal", &BTreeMap::new())
            .err()
            .unwrap();
        assert_eq!(err.errno, libc::EEXIST);
        drop((dev, again));
        assert!(dummy_by_name(&name).is_none());
    }

    #[test]
    fn inject_then_recv_one_at_a_time_with_rx_fd() {
        let dev = DummyNetdev::open(&unique("rx"), "dummy", &BTreeMap::new()).unwrap();
        let fd = dev.rx_fd().unwrap();
        let readable = || {
            let mut pfd = libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one live pollfd, zero timeout.
            unsafe { libc::poll(&raw mut pfd, 1, 0) == 1 }
        };
        assert!(!readable());
        assert!(dev.inject(frame(60, 1)));
        assert!(dev.inject(frame(64, 2)));
        assert!(readable());
        let (mut pool, mut out) = (Vec::new(), Vec::new());
        assert_eq!(dev.recv(&mut pool, &mut out, 32).unwrap(), 1);
        assert!(readable());
        assert_eq!(dev.recv(&mut pool, &mut out, 32).unwrap(), 1);
        assert!(!readable());
        assert_eq!(dev.recv(&mut pool, &mut out, 32).unwrap(), 0);
        assert_eq!(out, vec![frame(60, 1), frame(64, 2)]);
        let stats = dev.stats();
        assert_eq!((stats.rx_packets, stats.rx_bytes), (2, 124));
        assert_eq!(stats.rx_dropped, u64::MAX);
        assert_eq!(stats.tx_errors, u64::MAX);
    }

    #[test]
    fn queue_is_bounded() {
        let dev = DummyNetdev::open(&unique("q"), "dummy", &BTreeMap::new()).unwrap();
        for _ in 0..MAX_QUEUE {
            assert!(dev.inject(frame(60, 0)));
        }
        assert!(!dev.inject(frame(60, 0)));
        assert_eq!(dev.queue_len(), MAX_QUEUE);
        assert_eq!(dev.local_drops(), (1, 0));
    }

    #[test]
    fn send_counts_keeps_and_stops_at_bad_frames() {
        let dev = DummyNetdev::open(&unique("tx"), "dummy", &BTreeMap::new()).unwrap();
        let mut tagged = frame(1518, 3);
        tagged[12] = 0x81;
        tagged[13] = 0x00;
        dev.send(&[frame(60, 1), frame(1514, 2), tagged.clone()]);
        // Too long: it and everything after it are dropped.
        dev.send(&[frame(60, 4), frame(1515, 5), frame(60, 6)]);
        // Too short.
        dev.send(&[vec![0; 13]]);
        let sent = dev.take_sent();
        assert_eq!(
            sent,
            vec![frame(60, 1), frame(1514, 2), tagged, frame(60, 4)]
        );
        assert!(dev.take_sent().is_empty());
        let stats = dev.stats();
        assert_eq!(
            (stats.tx_packets, stats.tx_bytes),
            (4, 60 + 1514 + 1518 + 60)
        );
        assert_eq!(dev.local_drops(), (0, 3));
    }

    #[test]
    fn mtu_range_follows_ovs() {
        let dev = DummyNetdev::open(&unique("mtu"), "dummy", &BTreeMap::new()).unwrap();
        assert_eq!(dev.mtu(), 1500);
        assert_eq!(
            dev.set_mtu(67).unwrap_err().raw_os_error(),
            Some(libc::EINVAL)
        );
        assert_eq!(
            dev.set_mtu(65536).unwrap_err().raw_os_error(),
            Some(libc::EINVAL)
        );
        dev.set_mtu(9000).unwrap();
        assert_eq!(dev.mtu(), 9000);
        dev.set_mac([2, 0, 0, 0, 0, 1]).unwrap();
        assert_eq!(dev.mac(), [2, 0, 0, 0, 0, 1]);
        assert!(dev.is_up() && dev.carrier());
        dev.set_up(false).unwrap();
        assert!(!dev.is_up() && !dev.carrier());
    }

    #[test]
    fn ifindex_option() {
        let dev =
            DummyNetdev::open(&unique("ifx"), "dummy", &options(&[("ifindex", "7")])).unwrap();
        assert_eq!(dev.ifindex(), Some(7));
        dev.set_config(&options(&[("ifindex", "-1")])).unwrap();
        assert_eq!(dev.ifindex(), None);
    }

    #[test]
    fn arp_request_for_our_address_is_answered() {
        let dev = DummyNetdev::open(&unique("arp"), "dummy", &BTreeMap::new()).unwrap();
        dev.set_in4(Ipv4Addr::new(1, 1, 1, 1), Ipv4Addr::new(255, 255, 255, 0));
        let requester = [0x50, 0x54, 0, 0, 0, 9];
        let mut request = vec![0xff; 6];
        request.extend_from_slice(&requester);
        request.extend_from_slice(&[0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 1]);
        request.extend_from_slice(&requester);
        request.extend_from_slice(&[1, 1, 1, 2]);
        request.extend_from_slice(&[0; 6]);
        request.extend_from_slice(&[1, 1, 1, 1]);
        dev.send(std::slice::from_ref(&request));
        let (mut pool, mut out) = (Vec::new(), Vec::new());
        dev.recv(&mut pool, &mut out, 1).unwrap();
        let mac = dev.mac();
        let mut expect = requester.to_vec();
        expect.extend_from_slice(&mac);
        expect.extend_from_slice(&[0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 2]);
        expect.extend_from_slice(&mac);
        expect.extend_from_slice(&[1, 1, 1, 1]);
        expect.extend_from_slice(&requester);
        expect.extend_from_slice(&[1, 1, 1, 2]);
        assert_eq!(out, vec![expect]);
        // Not for us: no reply.
        let mut other = request.clone();
        other[41] = 3;
        dev.send(&[other]);
        assert_eq!(dev.queue_len(), 0);
    }

    #[test]
    fn pcap_options_choose_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = |n: &str| dir.path().join(n).to_string_lossy().into_owned();
        let (both, rx, tx) = (path("both.pcap"), path("rx.pcap"), path("tx.pcap"));
        let dev = DummyNetdev::open(
            &unique("pcap"),
            "dummy",
            &options(&[("pcap", &both), ("rxq_pcap", &rx), ("tx_pcap", &tx)]),
        )
        .unwrap();
        dev.inject(frame(60, 1));
        dev.send(&[frame(61, 2)]);
        let (header, records) = pcap::decode(&std::fs::read(&both).unwrap()).unwrap();
        assert_eq!(header, pcap::PcapHeader::OVS);
        let data: Vec<_> = records.into_iter().map(|r| r.data).collect();
        assert_eq!(data, vec![frame(60, 1), frame(61, 2)]);
        // With pcap set, the other two are ignored.
        assert!(!std::path::Path::new(&rx).exists());

        dev.set_config(&options(&[("rxq_pcap", &rx), ("tx_pcap", &tx)]))
            .unwrap();
        dev.inject(frame(62, 3));
        dev.send(&[frame(63, 4)]);
        let read = |p: &str| -> Vec<Vec<u8>> {
            pcap::decode(&std::fs::read(p).unwrap())
                .unwrap()
                .1
                .into_iter()
                .map(|r| r.data)
                .collect()
        };
        assert_eq!(read(&rx), vec![frame(62, 3)]);
        assert_eq!(read(&tx), vec![frame(63, 4)]);
        assert_eq!(read(&both).len(), 2);

        dev.set_config(&options(&[("tx_pcap", "/nonexistent-dir/x.pcap")]))
            .unwrap();
        assert_eq!(
            dev.take_capture_errors(),
            vec![
                "/nonexistent-dir/x.pcap: failed to open pcap file for appending (No such file or directory)"
            ]
        );
    }
}
