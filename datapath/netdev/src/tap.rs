//! `tap` ports, and `internal` ports of a userspace bridge (its local port
//! included): a Linux tap device named after the port, which the host
//! stack sees as an ordinary Ethernet interface (OVS's netdev-linux tap
//! class, `netdev_linux_construct_tap`).
//!
//! As OVS does: the device is created (or an existing persistent one is
//! attached) with `IFF_TAP | IFF_NO_PI`, made persistent while open and
//! non-persistent again when the port goes away, so that it disappears with
//! the last descriptor; the kernel gives it a random locally administered
//! MAC, which [`Netdev::set_mac`] changes (the bridge sets the local port's
//! MAC this way). It is put in promiscuous mode like every port of a
//! userspace datapath, and left down: the administrator brings it up.
//!
//! Frames are read and written through the tap descriptor itself (an
//! `AF_PACKET` socket would see its own transmissions come back).
//! Counters are the kernel's with receive and transmit swapped (the kernel
//! counts from the host's side), plus the frames this module dropped, as in
//! OVS's `netdev_tap_get_stats`.

use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use crate::linux;
use crate::sys::{self, MAX_BATCH};
use crate::{
    ETH_HEADER_LEN, Netdev, NetdevError, NetdevStats, VLAN_ETH_HEADER_LEN, netlink, take_buffer,
};

/// A tap device owned by this process.
pub struct TapNetdev {
    name: String,
    type_name: &'static str,
    fd: OwnedFd,
    control: OwnedFd,
    ifindex: u32,
    mtu: AtomicU32,
    rx_dropped: AtomicU64,
    tx_dropped: AtomicU64,
}

impl TapNetdev {
    /// Creates (or attaches to) the tap device `name`; `type_name` is
    /// "tap" or "internal".
    pub fn open(name: &str, type_name: &str) -> Result<Arc<TapNetdev>, NetdevError> {
        let err = |e: io::Error| NetdevError::from_io(name, &e);
        let type_name = if type_name == "internal" {
            "internal"
        } else {
            "tap"
        };
        let control = sys::control_socket().map_err(err)?;
        let fd = sys::open_tap(name).map_err(err)?;
        sys::set_tap_persist(fd.as_fd(), true).map_err(err)?;
        let mut netdev = TapNetdev {
            name: name.to_owned(),
            type_name,
            fd,
            control,
            ifindex: 0,
            mtu: AtomicU32::new(1500),
            rx_dropped: AtomicU64::new(0),
            tx_dropped: AtomicU64::new(0),
        };
        // From here on, dropping `netdev` removes the device again.
        netdev.ifindex = sys::get_ifindex(netdev.control.as_fd(), name).map_err(err)?;
        netdev.mtu = AtomicU32::new(sys::get_mtu(netdev.control.as_fd(), name).map_err(err)?);
        let flags = sys::get_flags(netdev.control.as_fd(), name).map_err(err)?;
        if flags & libc::IFF_PROMISC as u32 == 0 {
            sys::set_flags(
                netdev.control.as_fd(),
                name,
                flags | libc::IFF_PROMISC as u32,
            )
            .map_err(err)?;
        }
        Ok(Arc::new(netdev))
    }
}

impl Drop for TapNetdev {
    fn drop(&mut self) {
        // Closing the descriptor (after this) then deletes the device.
        let _ = sys::set_tap_persist(self.fd.as_fd(), false);
    }
}

impl Netdev for TapNetdev {
    fn name(&self) -> &str {
        &self.name
    }

    fn type_name(&self) -> &str {
        self.type_name
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
        let room = VLAN_ETH_HEADER_LEN + self.mtu.load(Ordering::Relaxed) as usize;
        let mut delivered = 0;
        for _ in 0..max.min(MAX_BATCH) {
            let mut buf = take_buffer(pool, room);
            match sys::read_frame(self.fd.as_fd(), &mut buf, room) {
                Ok(len) if len > room || len < ETH_HEADER_LEN => {
                    self.rx_dropped.fetch_add(1, Ordering::Relaxed);
                    pool.push(buf);
                    if len > room {
                        self.mtu();
                    }
                }
                Ok(_) => {
                    out.push(buf);
                    delivered += 1;
                }
                Err(e) => {
                    pool.push(buf);
                    if e.kind() == io::ErrorKind::WouldBlock || delivered > 0 {
                        break;
                    }
                    return Err(e);
                }
            }
        }
        Ok(delivered)
    }

    fn send(&self, packets: &[Vec<u8>]) {
        for (i, frame) in packets.iter().enumerate() {
            match sys::write_bytes(self.fd.as_fd(), frame) {
                Ok(n) if n == frame.len() => {}
                Ok(_) => {
                    self.tx_dropped.fetch_add(1, Ordering::Relaxed);
                }
                Err(e) if e.raw_os_error() == Some(libc::EIO) => {
                    // The device is down, so the rest would fail too. OVS
                    // does not even try then and counts the whole batch;
                    // the kernel has counted this frame already (in its
                    // rx_dropped, our tx_dropped), so count the others.
                    self.tx_dropped
                        .fetch_add((packets.len() - i - 1) as u64, Ordering::Relaxed);
                    return;
                }
                Err(_) => {
                    self.tx_dropped.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }

    fn rx_fd(&self) -> Option<RawFd> {
        Some(self.fd.as_raw_fd())
    }

    fn stats(&self) -> NetdevStats {
        let Ok(kernel) = netlink::link_stats(&self.name) else {
            return NetdevStats::UNAVAILABLE;
        };
        NetdevStats {
            rx_packets: kernel.tx_packets,
            rx_bytes: kernel.tx_bytes,
            tx_packets: kernel.rx_packets,
            tx_bytes: kernel.rx_bytes,
            rx_errors: kernel.tx_errors,
            tx_errors: kernel.rx_errors,
            rx_dropped: kernel
                .tx_dropped
                .wrapping_add(self.rx_dropped.load(Ordering::Relaxed)),
            tx_dropped: kernel
                .rx_dropped
                .wrapping_add(self.tx_dropped.load(Ordering::Relaxed)),
            multicast: kernel.multicast,
            collisions: kernel.collisions,
            ..NetdevStats::default()
        }
    }

    fn set_mac(&self, mac: [u8; 6]) -> io::Result<()> {
        sys::set_hwaddr(self.control.as_fd(), &self.name, mac)
    }

    fn set_mtu(&self, mtu: u32) -> io::Result<()> {
        linux::set_mtu(self.control.as_fd(), &self.name, mtu, &self.mtu)
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
