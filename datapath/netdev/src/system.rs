//! `system` ports: an existing Linux device, reached through an `AF_PACKET`
//! raw socket bound to it (OVS's netdev-linux on the userspace datapath).
//!
//! What OVS does, and so what this does:
//! - open fails with ENODEV if the device does not exist;
//! - the socket sees only frames the device receives, never ones the host
//!   (or we) transmit on it (OVS attaches a BPF "inbound" filter; here
//!   `PACKET_IGNORE_OUTGOING`, with the same filter as a fallback on kernels
//!   before 4.20);
//! - receive buffers hold `18 + MTU` bytes; a bigger frame (GRO/TSO on the
//!   device) or one shorter than an Ethernet header is dropped and counted;
//! - the VLAN tag the kernel strips is put back from `PACKET_AUXDATA`
//!   (from the ring's frame header when receiving through the ring).
//!
//! Unlike OVS, frames are read from a `TPACKET_V2` ring mapped from the
//! socket (see [`crate::ring`]), which needs no system call while traffic
//! flows and hands each frame over as soon as the kernel has written it;
//! if the kernel refuses the ring, with `recvmmsg`, 32 at a time, as OVS
//! does. The ring's slots hold frames of the MTU the device has when the
//! port is opened (at least 1950); a frame too big for its slot is read
//! whole from the socket's queue, and a port whose MTU grows past what the
//! slots hold gives the ring up for `recvmmsg`. Frames go out with
//! `sendmmsg` (a `TPACKET_V2` transmit ring was measured slower on veth,
//! whose peer must copy the ring's pages), with the qdisc in the path so
//! that `tcpdump` on the port sees them.
//!
//! And as OVS:
//! - the device is put in promiscuous mode when the port is added (OVS's
//!   `do_add_port`), and that is undone when the port goes away. OVS does
//!   not bring the device up: the administrator does (`ip link set up`);
//! - `stats` are the kernel's counters for the device (rtnetlink
//!   `IFLA_STATS64`), exactly what OVS reports for a system port of a
//!   userspace bridge; the frames this module drops itself are not added
//!   there, as in OVS, but are available from [`SystemNetdev::local_drops`].

use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::auxdata::{reinsert_vlan, stripped_vlan};
use crate::linux;
use crate::ring::{RecvStats, RxRing};
use crate::sys::{self, MAX_BATCH, RecvSlot};
use crate::{
    ETH_HEADER_LEN, Netdev, NetdevError, NetdevStats, VLAN_ETH_HEADER_LEN, VLAN_HEADER_LEN,
    netlink, take_buffer,
};

/// Classic BPF "inbound" (tcpdump -dd inbound): drop frames whose packet
/// type is PACKET_OUTGOING (4), accept the rest whole.
const INBOUND_FILTER: [libc::sock_filter; 4] = [
    libc::sock_filter {
        code: 0x28,
        jt: 0,
        jf: 0,
        k: 0xffff_f004,
    },
    libc::sock_filter {
        code: 0x15,
        jt: 0,
        jf: 1,
        k: 4,
    },
    libc::sock_filter {
        code: 0x06,
        jt: 0,
        jf: 0,
        k: 0,
    },
    libc::sock_filter {
        code: 0x06,
        jt: 0,
        jf: 0,
        k: 0xffff,
    },
];

/// Receives frames from a bound packet socket with `recvmmsg`.
struct MmsgReceiver {
    socket: OwnedFd,
}

impl MmsgReceiver {
    /// Appends up to `max` (at most 32) frames to `out`. Frames that do not
    /// fit `18 + mtu` bytes or are shorter than an Ethernet header are
    /// dropped and counted in `dropped`; `truncated` is set when a frame was
    /// too big, so that the caller can look at the MTU again.
    fn recv(
        &self,
        mtu: u32,
        pool: &mut Vec<Vec<u8>>,
        out: &mut Vec<Vec<u8>>,
        max: usize,
        dropped: &AtomicU64,
        truncated: &mut bool,
    ) -> io::Result<usize> {
        self.recv_batch(mtu, pool, out, max, dropped, truncated)
            .map(|(delivered, _)| delivered)
    }

    /// As [`MmsgReceiver::recv`], returning how many frames were delivered
    /// and how many were read off the queue.
    fn recv_batch(
        &self,
        mtu: u32,
        pool: &mut Vec<Vec<u8>>,
        out: &mut Vec<Vec<u8>>,
        max: usize,
        dropped: &AtomicU64,
        truncated: &mut bool,
    ) -> io::Result<(usize, usize)> {
        let n = max.min(MAX_BATCH);
        if n == 0 {
            return Ok((0, 0));
        }
        let room = VLAN_ETH_HEADER_LEN + mtu as usize;
        let mut bufs: [Vec<u8>; MAX_BATCH] = std::array::from_fn(|_| Vec::new());
        for buf in &mut bufs[..n] {
            let mut b = take_buffer(pool, room + VLAN_HEADER_LEN);
            // Room for the tag we may put back, so that it never reallocates.
            b.reserve(room + VLAN_HEADER_LEN);
            *buf = b;
        }
        let mut slots = [RecvSlot::EMPTY; MAX_BATCH];
        let result = sys::recv_frames(self.socket.as_fd(), &mut bufs[..n], room, &mut slots[..n]);
        let count = match result {
            Ok(count) => count,
            Err(e) => {
                pool.extend(bufs[..n].iter_mut().map(std::mem::take));
                return if e.kind() == io::ErrorKind::WouldBlock {
                    Ok((0, 0))
                } else {
                    Err(e)
                };
            }
        };
        let mut delivered = 0;
        for (buf, slot) in bufs[..count].iter_mut().zip(&slots[..count]) {
            let mut frame = std::mem::take(buf);
            if slot.truncated || slot.len > room || slot.len < ETH_HEADER_LEN {
                *truncated |= slot.truncated || slot.len > room;
                dropped.fetch_add(1, Ordering::Relaxed);
                pool.push(frame);
                continue;
            }
            if let Some(aux) = stripped_vlan(slot.control()) {
                reinsert_vlan(&mut frame, &aux);
            }
            out.push(frame);
            delivered += 1;
        }
        pool.extend(bufs[count..n].iter_mut().map(std::mem::take));
        Ok((delivered, count))
    }

    /// Reads `count` frames (as [`MmsgReceiver::recv`] would) in batches,
    /// or fewer if the queue runs dry first; returns how many of them were
    /// delivered.
    fn recv_exactly(
        &self,
        mtu: u32,
        pool: &mut Vec<Vec<u8>>,
        out: &mut Vec<Vec<u8>>,
        count: usize,
        dropped: &AtomicU64,
        truncated: &mut bool,
    ) -> usize {
        let mut left = count;
        let mut delivered = 0;
        while left > 0 {
            match self.recv_batch(mtu, pool, out, left, dropped, truncated) {
                Ok((n, read)) if read > 0 => {
                    delivered += n;
                    left = left.saturating_sub(read);
                }
                // The kernel queues the copy before it hands the slot
                // over, so this is not expected; the frames are lost.
                _ => break,
            }
        }
        delivered
    }
}

/// An existing Linux network device (`type=system`, or no type).
pub struct SystemNetdev {
    name: String,
    ifindex: u32,
    rx: MmsgReceiver,
    /// The receive ring; None: `recvmmsg` (the kernel refused a ring, or
    /// the MTU outgrew it).
    ring: Mutex<Option<RxRing>>,
    /// For interface ioctls, in the namespace the device was opened in.
    control: OwnedFd,
    mtu: AtomicU32,
    rx_dropped: AtomicU64,
    tx_dropped: AtomicU64,
    /// Whether we turned promiscuous mode on, to turn it off at the end.
    set_promisc: AtomicBool,
}

impl SystemNetdev {
    pub fn open(name: &str) -> Result<Arc<SystemNetdev>, NetdevError> {
        SystemNetdev::open_with(name, true)
    }

    /// As [`SystemNetdev::open`], receiving with `recvmmsg` only: the path
    /// taken when the kernel refuses the ring, for tests to reach.
    #[doc(hidden)]
    pub fn open_without_ring(name: &str) -> Result<Arc<SystemNetdev>, NetdevError> {
        SystemNetdev::open_with(name, false)
    }

    fn open_with(name: &str, want_ring: bool) -> Result<Arc<SystemNetdev>, NetdevError> {
        let err = |e: io::Error| NetdevError::from_io(name, &e);
        let control = sys::control_socket().map_err(err)?;
        let flags = sys::get_flags(control.as_fd(), name).map_err(err)?;
        let ifindex = sys::get_ifindex(control.as_fd(), name).map_err(err)?;
        let mtu = sys::get_mtu(control.as_fd(), name).map_err(err)?;

        let socket = sys::packet_socket().map_err(err)?;
        sys::set_int_option(socket.as_fd(), sys::SOL_PACKET, sys::PACKET_AUXDATA, 1)
            .map_err(err)?;
        // Before bind, so that no frame lands in the ordinary queue first.
        let ring = want_ring
            .then(|| open_ring(socket.as_fd(), name, VLAN_ETH_HEADER_LEN + mtu as usize))
            .flatten();
        // Before bind, so that no outgoing frame is ever queued.
        if sys::set_int_option(
            socket.as_fd(),
            sys::SOL_PACKET,
            sys::PACKET_IGNORE_OUTGOING,
            1,
        )
        .is_err()
        {
            sys::attach_filter(socket.as_fd(), &INBOUND_FILTER).map_err(err)?;
        }
        sys::bind_packet(socket.as_fd(), ifindex).map_err(err)?;

        let netdev = SystemNetdev {
            name: name.to_owned(),
            ifindex,
            rx: MmsgReceiver { socket },
            ring: Mutex::new(ring),
            control,
            mtu: AtomicU32::new(mtu),
            rx_dropped: AtomicU64::new(0),
            tx_dropped: AtomicU64::new(0),
            set_promisc: AtomicBool::new(false),
        };
        if flags & libc::IFF_PROMISC as u32 == 0 {
            sys::set_flags(
                netdev.control.as_fd(),
                name,
                flags | libc::IFF_PROMISC as u32,
            )
            .map_err(err)?;
            netdev.set_promisc.store(true, Ordering::Relaxed);
        }
        Ok(Arc::new(netdev))
    }

    /// Frames this module dropped itself: received ones that did not fit
    /// or were runts, and sends the kernel refused. OVS counts these too
    /// but does not add them to a system port's statistics.
    pub fn local_drops(&self) -> (u64, u64) {
        (
            self.rx_dropped.load(Ordering::Relaxed),
            self.tx_dropped.load(Ordering::Relaxed),
        )
    }

    fn flags(&self) -> io::Result<u32> {
        sys::get_flags(self.control.as_fd(), &self.name)
    }

    /// Whether frames are read from a `TPACKET_V2` ring (rather than with
    /// `recvmmsg`).
    pub fn uses_rx_ring(&self) -> bool {
        self.ring_state().is_some()
    }

    fn ring_state(&self) -> MutexGuard<'_, Option<RxRing>> {
        // A panic elsewhere while holding the lock leaves the ring as
        // consistent as any early return would.
        self.ring.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Gives up the ring if its slots cannot hold a frame of `room` bytes
    /// (the MTU grew past what it was made for): receiving goes on with
    /// `recvmmsg`. Frames still in the ring (none, when called once the
    /// ring had nothing more ready, but for those arriving meanwhile) are
    /// lost; frames waiting on the socket's queue are not.
    ///
    /// A bigger ring could be set up on the same socket, but frames that
    /// arrive while it has none land on the socket's queue and would have
    /// to be read before the new ring's, and a new socket would change
    /// `rx_fd` under the poll loop's feet.
    fn fit_ring(&self, ring: &mut Option<RxRing>, room: usize) {
        let Some(old) = ring.take_if(|r| r.geometry().max_room() < room) else {
            return;
        };
        let result = old.close(self.rx.socket.as_fd());
        tracing::debug!(
            target: "netdev_linux",
            "{}: frames of {room} bytes do not fit the packet ring{}; receiving with recvmmsg",
            self.name,
            result.err().map(|e| format!(" (and removing it failed: {e})")).unwrap_or_default()
        );
    }
}

/// A `TPACKET_V2` receive ring for frames of up to `room` bytes on `fd`,
/// or None (and the socket left without a ring) if the kernel refuses one.
fn open_ring(fd: std::os::fd::BorrowedFd<'_>, name: &str, room: usize) -> Option<RxRing> {
    let result = sys::set_int_option(fd, sys::SOL_PACKET, sys::PACKET_VERSION, sys::TPACKET_V2)
        .and_then(|()| RxRing::open(fd, room));
    match result {
        Ok(ring) => {
            let g = ring.geometry();
            tracing::debug!(
                target: "netdev_linux",
                "{name}: receiving through a TPACKET_V2 ring ({} slots of {} bytes)",
                g.slot_count(),
                g.slot_size
            );
            Some(ring)
        }
        Err(e) => {
            tracing::debug!(
                target: "netdev_linux",
                "{name}: no packet ring ({e}); receiving with recvmmsg"
            );
            None
        }
    }
}

impl Drop for SystemNetdev {
    fn drop(&mut self) {
        if self.set_promisc.load(Ordering::Relaxed)
            && let Ok(flags) = self.flags()
        {
            // The device may be gone already; nothing to restore then.
            let _ = sys::set_flags(
                self.control.as_fd(),
                &self.name,
                flags & !(libc::IFF_PROMISC as u32),
            );
        }
    }
}

/// Sends `packets` with `sendmmsg`, 32 at a time, counting refused frames
/// in `dropped`. A frame the kernel rejects by itself (too big or too
/// small) is skipped; when the device or its queue refuses everything, the
/// rest is dropped at once rather than retried.
fn send_batched(fd: std::os::fd::BorrowedFd<'_>, packets: &[Vec<u8>], dropped: &AtomicU64) {
    let mut offset = 0;
    while offset < packets.len() {
        let end = packets.len().min(offset + MAX_BATCH);
        match sys::send_frames(fd, &packets[offset..end]) {
            Ok(0) => {
                dropped.fetch_add((packets.len() - offset) as u64, Ordering::Relaxed);
                return;
            }
            Ok(sent) => offset += sent,
            Err(e) if matches!(e.raw_os_error(), Some(libc::EMSGSIZE) | Some(libc::EINVAL)) => {
                dropped.fetch_add(1, Ordering::Relaxed);
                offset += 1;
            }
            Err(_) => {
                dropped.fetch_add((packets.len() - offset) as u64, Ordering::Relaxed);
                return;
            }
        }
    }
}

impl Netdev for SystemNetdev {
    fn name(&self) -> &str {
        &self.name
    }

    fn type_name(&self) -> &str {
        "system"
    }

    fn mac(&self) -> [u8; 6] {
        sys::get_hwaddr(self.control.as_fd(), &self.name).unwrap_or_default()
    }

    fn mtu(&self) -> u32 {
        match sys::get_mtu(self.control.as_fd(), &self.name) {
            Ok(mtu) => {
                self.mtu.store(mtu, Ordering::Relaxed);
                mtu
            }
            Err(_) => self.mtu.load(Ordering::Relaxed),
        }
    }

    fn ifindex(&self) -> Option<u32> {
        Some(self.ifindex)
    }

    fn recv(
        &self,
        pool: &mut Vec<Vec<u8>>,
        out: &mut Vec<Vec<u8>>,
        max: usize,
    ) -> io::Result<usize> {
        let mut mtu = self.mtu.load(Ordering::Relaxed);
        let mut state = self.ring_state();
        let mut delivered = 0;
        if let Some(ring) = state.as_mut() {
            let mut stats = RecvStats {
                dropped: &self.rx_dropped,
                truncated: false,
            };
            let idle = loop {
                let taken = ring.recv(
                    VLAN_ETH_HEADER_LEN + mtu as usize,
                    pool,
                    out,
                    max - delivered,
                    &mut stats,
                );
                delivered += taken.delivered;
                if taken.copied == 0 {
                    break taken.idle;
                }
                // Frames too big for their slots: the MTU most likely grew
                // behind our back, so look before reading them whole from
                // the queue, where they wait in order.
                mtu = self.mtu();
                delivered += self.rx.recv_exactly(
                    mtu,
                    pool,
                    out,
                    taken.copied,
                    &self.rx_dropped,
                    &mut stats.truncated,
                );
                if delivered >= max {
                    break false;
                }
            };
            if stats.truncated {
                // The MTU may have grown since we last looked.
                mtu = self.mtu();
            }
            if !idle {
                // More may be ready in the ring.
                return Ok(delivered);
            }
            // Nothing more is ready in the ring: the moment to give it up
            // if it is too small now, losing as little as can be.
            self.fit_ring(&mut state, VLAN_ETH_HEADER_LEN + mtu as usize);
            if state.is_some() {
                return Ok(delivered);
            }
        }
        drop(state);
        let mut truncated = false;
        let result = self.rx.recv(
            mtu,
            pool,
            out,
            max - delivered,
            &self.rx_dropped,
            &mut truncated,
        );
        if truncated {
            // The MTU may have grown since we last looked.
            self.mtu();
        }
        match result {
            Ok(n) => Ok(delivered + n),
            Err(_) if delivered > 0 => Ok(delivered),
            Err(e) => Err(e),
        }
    }

    fn send(&self, packets: &[Vec<u8>]) {
        send_batched(self.rx.socket.as_fd(), packets, &self.tx_dropped);
    }

    fn rx_fd(&self) -> Option<RawFd> {
        Some(self.rx.socket.as_raw_fd())
    }

    fn stats(&self) -> NetdevStats {
        netlink::link_stats(&self.name).unwrap_or(NetdevStats::UNAVAILABLE)
    }

    fn set_mac(&self, mac: [u8; 6]) -> io::Result<()> {
        sys::set_hwaddr(self.control.as_fd(), &self.name, mac)
    }

    fn set_mtu(&self, mtu: u32) -> io::Result<()> {
        linux::set_mtu(self.control.as_fd(), &self.name, mtu, &self.mtu)?;
        // Now rather than at the next receive, so that no frame of the new
        // size is clipped by the ring.
        self.fit_ring(&mut self.ring_state(), VLAN_ETH_HEADER_LEN + mtu as usize);
        Ok(())
    }

    fn is_up(&self) -> bool {
        linux::is_up(self.control.as_fd(), &self.name)
    }

    fn set_up(&self, up: bool) -> io::Result<()> {
        linux::set_up(self.control.as_fd(), &self.name, up)
    }

    fn carrier(&self) -> bool {
        linux::carrier(self.control.as_fd(), &self.name)
    }
}
