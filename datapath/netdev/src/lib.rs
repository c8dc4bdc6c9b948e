//! The network devices under the userspace datapath: OVS's netdev-linux
//! (`system` ports over an `AF_PACKET` socket; `internal` and `tap` ports as
//! Linux tap devices) and netdev-dummy (`dummy`, `dummy-internal`,
//! `dummy-pmd`: no host device, frames injected by `netdev-dummy/receive`
//! and optionally captured to pcap files).
//!
//! It promises OVS's observable behaviour for each type: which frames are
//! received (whole Ethernet frames, VLAN tags restored, the host's own
//! transmissions not looped back), how devices are created and removed,
//! which counters `stats` reports, the bytes of the pcap files, and the
//! texts of errors. Receive and send take batches and do not allocate per
//! frame once the caller's buffer pool is warm.
//!
//! It is layer 3 (I/O). It must not depend on OpenFlow, OVSDB or ofproto
//! crates. `unsafe` is confined to the `sys` module (system calls; tests
//! also call libc directly), every block with a `// SAFETY:` comment.
//!
//! Nothing here logs, but for one debug line per `system` port saying how
//! it receives: where OVS writes a rate-limited warning (a frame too big
//! for the buffer, a pcap file that cannot be opened) the event is counted
//! or reported through the API instead.

pub mod auxdata;
pub mod dummy;
mod linux;
mod netlink;
pub mod pcap;
pub mod ring;
mod sys;
pub mod system;
pub mod tap;
pub mod wait;

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::os::fd::RawFd;
use std::sync::Arc;

pub use dummy::{DummyNetdev, dummy_by_name, dummy_names};
pub use system::SystemNetdev;
pub use tap::TapNetdev;

/// A device's counters, as OVS's `struct netdev_stats` (the subset
/// OpenFlow port statistics and the Interface `statistics` column use).
/// A counter the device does not keep is `u64::MAX`, as in OVS, where
/// `ovs-ofctl dump-ports` prints it as `?` and the database omits it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NetdevStats {
    pub rx_packets: u64,
    pub rx_bytes: u64,
    pub tx_packets: u64,
    pub tx_bytes: u64,
    pub rx_dropped: u64,
    pub tx_dropped: u64,
    pub rx_errors: u64,
    pub tx_errors: u64,
    pub multicast: u64,
    pub collisions: u64,
    pub rx_length_errors: u64,
    pub rx_over_errors: u64,
    pub rx_crc_errors: u64,
    pub rx_frame_errors: u64,
    pub rx_fifo_errors: u64,
    pub rx_missed_errors: u64,
    pub tx_aborted_errors: u64,
    pub tx_carrier_errors: u64,
    pub tx_fifo_errors: u64,
    pub tx_heartbeat_errors: u64,
    pub tx_window_errors: u64,
}

impl NetdevStats {
    /// Every counter unavailable (OVS's `memset(stats, 0xff, ...)`).
    pub const UNAVAILABLE: NetdevStats = NetdevStats {
        rx_packets: u64::MAX,
        rx_bytes: u64::MAX,
        tx_packets: u64::MAX,
        tx_bytes: u64::MAX,
        rx_dropped: u64::MAX,
        tx_dropped: u64::MAX,
        rx_errors: u64::MAX,
        tx_errors: u64::MAX,
        multicast: u64::MAX,
        collisions: u64::MAX,
        rx_length_errors: u64::MAX,
        rx_over_errors: u64::MAX,
        rx_crc_errors: u64::MAX,
        rx_frame_errors: u64::MAX,
        rx_fifo_errors: u64::MAX,
        rx_missed_errors: u64::MAX,
        tx_aborted_errors: u64::MAX,
        tx_carrier_errors: u64::MAX,
        tx_fifo_errors: u64::MAX,
        tx_heartbeat_errors: u64::MAX,
        tx_window_errors: u64::MAX,
    };
}

/// One network device. Implementations are shared between the datapath's
/// threads: `recv` is called by one thread at a time, `send` by any.
pub trait Netdev: Send + Sync {
    fn name(&self) -> &str;
    /// OVS type name: "system", "internal", "tap", "dummy", "dummy-internal",
    /// "dummy-pmd".
    fn type_name(&self) -> &str;
    fn mac(&self) -> [u8; 6];
    fn mtu(&self) -> u32;
    fn ifindex(&self) -> Option<u32>;
    /// Receives up to `max` packets without blocking, appending them (whole
    /// Ethernet frames) to `out`; takes buffers from `pool` (clearing them)
    /// before allocating. Ok(0) when nothing waits. Only one thread calls
    /// recv on a device at a time.
    fn recv(
        &self,
        pool: &mut Vec<Vec<u8>>,
        out: &mut Vec<Vec<u8>>,
        max: usize,
    ) -> io::Result<usize>;
    /// Sends every frame (batched system calls where the device allows),
    /// counting failures as tx_dropped, never blocking for long; may be
    /// called from several threads.
    fn send(&self, packets: &[Vec<u8>]);
    /// A descriptor that polls readable when recv would return packets
    /// (for idle waits with poll(2)); None if the device never receives.
    fn rx_fd(&self) -> Option<RawFd>;
    fn stats(&self) -> NetdevStats;

    /// Changes the MAC address (OVS's `netdev_set_etheraddr`).
    fn set_mac(&self, _mac: [u8; 6]) -> io::Result<()> {
        Err(io::Error::from_raw_os_error(libc::EOPNOTSUPP))
    }
    /// Changes the MTU (OVS's `netdev_set_mtu`, from `mtu_request`).
    fn set_mtu(&self, _mtu: u32) -> io::Result<()> {
        Err(io::Error::from_raw_os_error(libc::EOPNOTSUPP))
    }
    /// Whether the device is administratively up (`NETDEV_UP`), which
    /// OpenFlow reports as the absence of `PORT_DOWN`.
    fn is_up(&self) -> bool;
    /// Sets or clears `NETDEV_UP` (`ip link set ... up/down`).
    fn set_up(&self, up: bool) -> io::Result<()>;
    /// Whether the link is up (carrier), which OpenFlow reports as the
    /// absence of `LINK_DOWN`.
    fn carrier(&self) -> bool;
    /// Applies the Interface's `options` again after a database change
    /// (OVS's `netdev_set_config`); `open` has applied them already.
    fn set_config(&self, _options: &BTreeMap<String, String>) -> Result<(), NetdevError> {
        Ok(())
    }
}

/// Why a device could not be opened: the device name and the errno, shown
/// as OVS's bridge logs it and puts into the Interface `error` column,
/// e.g. `could not open network device veth9 (No such device)`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct NetdevError {
    pub name: String,
    pub errno: i32,
    /// Set when the type was unknown.
    pub unknown_type: Option<String>,
}

impl NetdevError {
    pub fn new(name: &str, errno: i32) -> NetdevError {
        NetdevError {
            name: name.to_owned(),
            errno,
            unknown_type: None,
        }
    }

    pub(crate) fn from_io(name: &str, error: &io::Error) -> NetdevError {
        NetdevError::new(name, error.raw_os_error().unwrap_or(libc::EIO))
    }

    /// The C library's text for the errno, as OVS's `ovs_strerror`.
    pub fn strerror(&self) -> String {
        sys::strerror(self.errno)
    }

    /// The extra warning OVS's netdev layer logs before the error, if any
    /// (`could not create netdev NAME of unknown type TYPE`).
    pub fn warning(&self) -> Option<String> {
        self.unknown_type.as_ref().map(|t| {
            format!(
                "could not create netdev {} of unknown type {}",
                self.name, t
            )
        })
    }

    pub fn to_io_error(&self) -> io::Error {
        io::Error::from_raw_os_error(self.errno)
    }
}

impl fmt::Display for NetdevError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not open network device {} ({})",
            self.name,
            self.strerror()
        )
    }
}

impl std::error::Error for NetdevError {}

/// The types `open` knows.
pub const SUPPORTED_TYPES: &[&str] = &[
    "system",
    "internal",
    "tap",
    "dummy",
    "dummy-internal",
    "dummy-pmd",
];

/// Opens the device `name` of OVS type `type_name` ("" means "system"),
/// applying the Interface's `options`.
///
/// `internal` opens a tap device, as the userspace datapath does (OVS's
/// `dpif_netdev_port_open_type`). Opening a dummy whose name is already
/// registered returns the registered device if the type matches (OVS keeps
/// one netdev per name) and fails with EEXIST otherwise.
pub fn open(
    name: &str,
    type_name: &str,
    options: &BTreeMap<String, String>,
) -> Result<Arc<dyn Netdev>, NetdevError> {
    match type_name {
        "" | "system" => Ok(SystemNetdev::open(name)?),
        "internal" | "tap" => Ok(TapNetdev::open(name, type_name)?),
        "dummy" | "dummy-internal" | "dummy-pmd" => {
            Ok(DummyNetdev::open(name, type_name, options)?)
        }
        other => Err(NetdevError {
            name: name.to_owned(),
            errno: libc::EAFNOSUPPORT,
            unknown_type: Some(other.to_owned()),
        }),
    }
}

/// Entry points for the fuzz targets (`fuzz/fuzz_targets/netdev_decoders.rs`)
/// into decoders that are otherwise private. Not part of the API: hidden
/// from the documentation and free to change with the fuzz targets.
#[doc(hidden)]
pub mod fuzzing {
    /// The control-message level and type of the `tpacket_auxdata` that
    /// [`crate::auxdata::stripped_vlan`] looks for.
    pub const SOL_PACKET: i32 = crate::sys::SOL_PACKET;
    pub const PACKET_AUXDATA: i32 = crate::sys::PACKET_AUXDATA;

    /// Decodes an rtnetlink reply to `RTM_GETLINK`: the device's counters,
    /// or the errno the reply stands for.
    pub fn parse_link_stats(reply: &[u8]) -> Result<crate::NetdevStats, i32> {
        crate::netlink::parse_link_stats(reply)
    }
}

/// A cleared buffer from `pool`, or a new one.
pub(crate) fn take_buffer(pool: &mut Vec<Vec<u8>>, capacity: usize) -> Vec<u8> {
    match pool.pop() {
        Some(mut buf) => {
            buf.clear();
            buf
        }
        None => Vec::with_capacity(capacity),
    }
}

/// `ETH_HEADER_LEN`.
pub(crate) const ETH_HEADER_LEN: usize = 14;
/// `VLAN_ETH_HEADER_LEN`: room for one tag in a receive buffer.
pub(crate) const VLAN_ETH_HEADER_LEN: usize = 18;
/// `VLAN_HEADER_LEN`.
pub(crate) const VLAN_HEADER_LEN: usize = 4;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_read_as_ovs() {
        let err = NetdevError::new("veth9", libc::ENODEV);
        assert_eq!(
            err.to_string(),
            "could not open network device veth9 (No such device)"
        );
        let err = match open("p1", "frobnicate", &BTreeMap::new()) {
            Err(e) => e,
            Ok(_) => panic!("unknown type opened"),
        };
        assert_eq!(
            err.to_string(),
            "could not open network device p1 (Address family not supported by protocol)"
        );
        assert_eq!(
            err.warning().as_deref(),
            Some("could not create netdev p1 of unknown type frobnicate")
        );
    }
}
