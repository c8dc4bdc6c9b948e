//! The datapath interface (OVS's `dpif`): what ofproto-dpif and the
//! `dpctl/*` commands ask of a datapath, whichever datapath it is (the
//! userspace one, `dpif-netdev`, or the Linux kernel's over generic
//! netlink).
//!
//! A datapath has ports, numbered by the datapath (`odp_port`), and a table
//! of megaflows: a flow key, a mask of the bits that matter, and the
//! datapath actions to run, each with its own statistics. A packet that
//! matches no megaflow is a miss: the datapath hands it up ([`Upcall`]),
//! ofproto translates the OpenFlow pipeline for it and answers with the
//! actions and the mask to install ([`UpcallReply`]). Packets that ofproto
//! sends itself (packet-out, the first packet of an upcall on datapaths
//! that queue upcalls) go through [`Dpif::execute`].
//!
//! It promises: one interface, no OpenFlow types in it. Keys and masks are
//! [`ovs_flow::Flow`] values (the userspace datapath matches on them as
//! they are; a kernel datapath converts them with `ovs_odp`), actions are
//! [`ovs_odp::DpAction`]s, whose text form is the one `dpctl/dump-flows`
//! prints. It must not depend on ofproto, OpenFlow codecs or OVSDB crates,
//! and has no I/O of its own.
//!
//! Errors are OVS's errno values, because operators read them in logs and
//! `dpctl` output (`File exists`, `No such file or directory`).
#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use ovs_flow::{Flow, PackedFlow};
use ovs_odp::DpAction;

/// A datapath port number (OVS's `odp_port_t`). Port 0 is the datapath's
/// own internal port, named after the datapath.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OdpPort(pub u32);

impl OdpPort {
    /// The datapath's local (internal) port.
    pub const LOCAL: OdpPort = OdpPort(0);
    /// "No port" (`ODPP_NONE`).
    pub const NONE: OdpPort = OdpPort(u32::MAX);
}

/// How to create a port: the device name, its OVS type (`system`,
/// `internal`, `tap`, `dummy`, `dummy-internal`, `vxlan`, ...) and the
/// Interface row's options the device needs (`pcap`, `rxq_pcap`,
/// `remote_ip`, ...). The datapath opens the device itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PortSpec {
    pub name: String,
    pub port_type: String,
    pub options: BTreeMap<String, String>,
}

/// A port as the datapath reports it (`dpctl/show`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DpPort {
    pub port_no: OdpPort,
    pub name: String,
    pub port_type: String,
}

/// The poll-thread ID OVS gives flows of ports that no dedicated poll
/// thread serves.
pub const NON_PMD_CORE_ID: u32 = u32::MAX;

/// A megaflow's identity (OVS's `ufid`): 128 bits derived from the key, so
/// that ofproto and the datapath name a flow without sending the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Ufid(pub u128);

/// A map keyed by [`Ufid`]. A ufid is already a hash of its flow, so the
/// map folds its bits instead of hashing them again.
pub type UfidMap<V> = std::collections::HashMap<Ufid, V, BuildPrehashed>;

/// The hasher of maps whose keys are already good hashes ([`Ufid`]s,
/// flow hashes): it folds the key's bits instead of hashing them again.
#[derive(Clone, Copy, Debug, Default)]
pub struct BuildPrehashed;

impl std::hash::BuildHasher for BuildPrehashed {
    type Hasher = Prehashed;
    fn build_hasher(&self) -> Prehashed {
        Prehashed(0)
    }
}

/// See [`BuildPrehashed`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write_u64(&mut self, v: u64) {
        self.0 ^= v;
    }
    fn write_u128(&mut self, v: u128) {
        self.0 ^= (v as u64) ^ ((v >> 64) as u64);
    }
    fn write(&mut self, bytes: &[u8]) {
        // Keys that are not plain integers still spread (FNV-1a steps).
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }
}

/// Packet and byte counts of one flow (OVS's `dpif_flow_stats`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct FlowStats {
    pub n_packets: u64,
    pub n_bytes: u64,
    /// When the flow last matched a packet, milliseconds on the datapath's
    /// monotonic clock; `None` if never.
    pub used: Option<u64>,
    /// The TCP flags seen, ORed.
    pub tcp_flags: u16,
}

/// One megaflow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DpFlow {
    pub ufid: Ufid,
    /// Packed and shared with the datapath's own copy, so dumps copy no
    /// flows.
    pub key: PackedFlow,
    /// 1 bits: the bits of `key` that matter.
    pub mask: Arc<Flow>,
    pub actions: Arc<[DpAction]>,
    pub stats: FlowStats,
    /// The poll thread that owns the flow, on datapaths that have them
    /// ([`NON_PMD_CORE_ID`] for the thread that polls ports without
    /// their own threads, OVS's "main thread").
    pub pmd_id: Option<u32>,
    /// Datapath-specific facts `dpctl/dump-flows -m` appends as
    /// `dp-extra-info:...` (the userspace datapath's `miniflow_bits(a,b)`).
    pub extra_info: Option<Arc<str>>,
}

/// Whether a put may create a flow, change one, or both (OVS's
/// `DPIF_FP_CREATE` and `DPIF_FP_MODIFY`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PutMode {
    Create,
    Modify,
    CreateOrModify,
}

/// Installs or changes a megaflow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowPut {
    pub ufid: Ufid,
    pub key: Flow,
    pub mask: Flow,
    pub actions: Arc<[DpAction]>,
    pub mode: PutMode,
    /// Start an existing flow's statistics over (`DPIF_FP_ZERO_STATS`).
    pub zero_stats: bool,
}

/// Packet metadata that does not live in the packet's bytes: where it came
/// in, and what recirculation and tunnels attached to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PacketMetadata {
    pub in_port: OdpPort,
    /// The fields a flow key takes from outside the packet (tunnel, skb
    /// mark and priority, conntrack state, `recirc_id`, `dp_hash`).
    pub flow: Flow,
}

/// Runs actions on one packet (OVS's `dpif_execute`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Execute {
    pub packet: Vec<u8>,
    pub metadata: PacketMetadata,
    pub actions: Arc<[DpAction]>,
    /// Largest fragment size seen before reassembly, if it was reassembled.
    pub mru: Option<u16>,
}

/// Why a packet came up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UpcallKind {
    /// No megaflow matched.
    Miss,
    /// A `userspace(...)` action sent it; the action says why (its
    /// cookie) and whether the packet's actions come along.
    Action { action: ovs_odp::Userspace },
}

/// A packet handed up from the datapath (OVS's `dpif_upcall`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upcall {
    pub kind: UpcallKind,
    pub packet: Vec<u8>,
    /// The packet's flow key as the datapath extracted it, metadata
    /// included.
    pub key: Flow,
    pub ufid: Ufid,
    pub in_port: OdpPort,
    pub pmd_id: Option<u32>,
}

/// What ofproto answers to an upcall.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct UpcallReply {
    /// The actions to run on this packet.
    pub actions: Vec<DpAction>,
    /// For a miss: the megaflow to install, or `None` not to install one.
    pub install: Option<Install>,
}

/// The megaflow an upcall's handler asks the datapath to install for the
/// missed packet's key. The parts are shared with the handler's own
/// record of the flow, so the pair keeps one copy of each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Install {
    /// The upcall's key, packed.
    pub key: PackedFlow,
    pub mask: Arc<Flow>,
    /// They may differ from the packet's actions.
    pub actions: Arc<[DpAction]>,
}

/// Where a datapath that calls back on a miss sends it (the userspace
/// datapath calls from its poll threads, as OVS's `upcall_cb`).
pub trait UpcallHandler: Send + Sync {
    /// Translates `upcall`. An error drops the packet and installs
    /// nothing.
    fn upcall(&self, upcall: &Upcall) -> Result<UpcallReply, DpifError>;
}

/// Datapath-wide counters (OVS's `dpif_dp_stats`, as `dpctl/show` prints
/// them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct DpStats {
    pub n_hit: u64,
    pub n_missed: u64,
    pub n_lost: u64,
    pub n_flows: u64,
    /// Megaflow mask cache hits, if the datapath counts them.
    pub n_cache_hit: Option<u64>,
    /// Masks visited for matches, if the datapath counts them.
    pub n_mask_hit: Option<u64>,
    pub n_masks: Option<u32>,
}

/// A datapath failure, named by the errno OVS reports for it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DpifError {
    /// `EEXIST`: a port or flow by that name, number or key exists.
    Exists,
    /// `ENOENT`/`ENODEV`: no such port or flow.
    NotFound,
    /// `EINVAL`: the request makes no sense for this datapath.
    Invalid(String),
    /// `EFBIG`: the flow table is full.
    TableFull,
    /// `EOPNOTSUPP`: this datapath cannot do that.
    NotSupported,
    /// A device error, with the errno OVS would log.
    Device { errno: i32, message: String },
}

impl std::fmt::Display for DpifError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DpifError::Exists => f.write_str("File exists"),
            DpifError::NotFound => f.write_str("No such file or directory"),
            DpifError::Invalid(why) => write!(f, "Invalid argument ({why})"),
            DpifError::TableFull => f.write_str("File too large"),
            DpifError::NotSupported => f.write_str("Operation not supported"),
            DpifError::Device { message, .. } => f.write_str(message),
        }
    }
}

impl std::error::Error for DpifError {}

/// A datapath. Methods take `&self`: a datapath is shared between the
/// upcall handlers, revalidators and the main thread, and keeps its own
/// locks (or none, where its tables are published read-copy-update).
pub trait Dpif: Send + Sync {
    /// The datapath's name (`ovs-netdev`, `ovs-system`, `ovs-dummy`).
    fn name(&self) -> &str;
    /// Its type (`netdev`, `system`, `dummy`).
    fn dp_type(&self) -> &str;

    /// Opens `spec` as a port, numbered `requested` if given and free.
    fn port_add(&self, spec: &PortSpec, requested: Option<OdpPort>) -> Result<OdpPort, DpifError>;
    fn port_del(&self, port: OdpPort) -> Result<(), DpifError>;
    fn port_by_number(&self, port: OdpPort) -> Result<DpPort, DpifError>;
    fn port_by_name(&self, name: &str) -> Result<DpPort, DpifError>;
    /// Every port, by number.
    fn ports(&self) -> Vec<DpPort>;

    /// Installs or changes a flow; returns the statistics it had when it
    /// was changed.
    fn flow_put(&self, put: FlowPut) -> Result<Option<FlowStats>, DpifError>;
    fn flow_get(&self, ufid: Ufid) -> Result<DpFlow, DpifError>;
    /// Removes a flow and returns its final statistics.
    fn flow_del(&self, ufid: Ufid) -> Result<FlowStats, DpifError>;
    fn flow_flush(&self);
    /// Every flow, once each, in no particular order; `visit` returns
    /// false to stop early.
    fn flow_dump(&self, visit: &mut dyn FnMut(&DpFlow) -> bool);

    /// Runs `exec.actions` on `exec.packet` now.
    fn execute(&self, exec: &Execute) -> Result<(), DpifError>;

    /// Where misses and `userspace()` actions go.
    fn set_upcall_handler(&self, handler: Arc<dyn UpcallHandler>);

    fn stats(&self) -> DpStats;

    /// The datapath's clock, in milliseconds: what [`FlowStats::used`]
    /// counts in, so callers can say how long ago a flow was used.
    fn now_ms(&self) -> u64;
}

/// The zero of every datapath clock in the process ([`Dpif::now_ms`]).
/// The daemon counts OpenFlow rule times from it too, so that `used`
/// times a datapath reports credit rules without conversion.
pub fn clock_epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_read_as_ovs_logs_them() {
        assert_eq!(DpifError::Exists.to_string(), "File exists");
        assert_eq!(DpifError::NotFound.to_string(), "No such file or directory");
        assert_eq!(DpifError::TableFull.to_string(), "File too large");
    }

    /// The interface can be held and shared as a trait object.
    #[test]
    fn dpif_is_object_safe() {
        fn takes(_: Option<Arc<dyn Dpif>>) {}
        takes(None);
    }
}
