//! The immutable snapshot of every bridge that translation reads (OVS's
//! `xlate_cfg` with its `xbridge`, `xbundle` and `xport`).
//!
//! The daemon builds a new [`XlateConfig`] whenever the configuration,
//! the flow tables or the port states change, and publishes it RCU-style;
//! handler threads translate against whichever snapshot they hold. The MAC
//! learning tables and the recirculation ids live behind `Arc`s so that
//! every snapshot shares them.

use std::collections::BTreeMap;
use std::sync::Arc;

use ovs_flow::{Flow, offset};
use ovs_ofp_core::OfpPort;
use ovs_ofproto::Tables;
use ovs_ofproto::groups::Group;

use crate::mac_learning::MacLearning;
use crate::recirc::RecircIds;

/// `OFPPC_PORT_DOWN`.
pub const OFPPC_PORT_DOWN: u32 = 1 << 0;
/// `OFPPC_NO_RECV`.
pub const OFPPC_NO_RECV: u32 = 1 << 2;
/// `OFPPC_NO_FWD`.
pub const OFPPC_NO_FWD: u32 = 1 << 5;
/// `OFPPC_NO_PACKET_IN`.
pub const OFPPC_NO_PACKET_IN: u32 = 1 << 6;
/// OpenFlow 1.0's `OFPPC_NO_FLOOD` (OVS keeps it for every version).
pub const OFPPC_NO_FLOOD: u32 = 1 << 4;

/// A stable name for a bundle (an OVSDB `Port`) that outlives
/// configuration snapshots; MAC learning entries point at bundles by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BundleId(pub u32);

/// How a bundle treats VLANs (`Port` column `vlan_mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum VlanMode {
    /// Untagged on the wire, all traffic in VLAN `tag`.
    Access,
    /// Tagged on the wire, VLANs in `trunks` (all if `None`).
    #[default]
    Trunk,
    /// Untagged frames belong to `tag`; output in `tag` stays tagged.
    NativeTagged,
    /// Untagged frames belong to `tag`; output in `tag` is untagged.
    NativeUntagged,
    /// 802.1ad: an outer tag `tag` with TPID `qinq_ethtype` is pushed on
    /// input and popped on output; `cvlans` limits the inner VLANs.
    Dot1qTunnel,
}

/// A set of VLAN ids (0..4096).
#[derive(Clone, PartialEq, Eq)]
pub struct VlanSet(Box<[u64; 64]>);

impl std::fmt::Debug for VlanSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set()
            .entries((0..4096u16).filter(|v| self.contains(*v)))
            .finish()
    }
}

impl VlanSet {
    /// The set holding exactly `vlans` (values above 4095 are ignored).
    pub fn from_vlans(vlans: impl IntoIterator<Item = u16>) -> VlanSet {
        let mut bits = Box::new([0u64; 64]);
        for v in vlans {
            if let Some(w) = bits.get_mut(usize::from(v / 64)) {
                *w |= 1 << (v % 64);
            }
        }
        VlanSet(bits)
    }

    pub fn contains(&self, vlan: u16) -> bool {
        self.0
            .get(usize::from(vlan / 64))
            .is_some_and(|w| w & (1 << (vlan % 64)) != 0)
    }
}

/// One bundle: an OVSDB `Port` with its member interfaces, as NORMAL sees
/// it (OVS's `xbundle`).
#[derive(Clone, Debug)]
pub struct XBundle {
    pub id: BundleId,
    pub name: String,
    /// Member OpenFlow ports, in the order OVS lists them; the first is
    /// what `fdb/show` prints and what non-bond output uses.
    pub members: Vec<OfpPort>,
    pub vlan_mode: VlanMode,
    /// The `tag` column (0 when unset).
    pub vlan: u16,
    /// `trunks`; `None` trunks every VLAN.
    pub trunks: Option<VlanSet>,
    /// `cvlans` of a dot1q-tunnel port; `None` allows every VLAN.
    pub cvlans: Option<VlanSet>,
    /// `other_config:qinq-ethtype`: 0x88a8 by default, or 0x8100.
    pub qinq_ethtype: u16,
    /// `other_config:priority-tags`.
    pub use_priority_tags: bool,
    /// False if a member has `no_flood` set (OVS's `floodable`).
    pub floodable: bool,
    /// `protected`: no output between two protected bundles.
    pub protected: bool,
    /// A bond (more than one member). Bond member selection is not
    /// implemented; the first enabled member is used.
    pub bond: bool,
}

impl XBundle {
    /// A single-port trunk bundle with OVS's defaults.
    pub fn new(id: BundleId, name: impl Into<String>, members: Vec<OfpPort>) -> XBundle {
        XBundle {
            id,
            name: name.into(),
            members,
            vlan_mode: VlanMode::Trunk,
            vlan: 0,
            trunks: None,
            cvlans: None,
            qinq_ethtype: 0x88a8,
            use_priority_tags: false,
            floodable: true,
            protected: false,
            bond: false,
        }
    }
}

/// One OpenFlow port of a bridge (OVS's `xport`).
#[derive(Clone, Debug)]
pub struct XPort {
    pub ofp_port: OfpPort,
    /// The datapath port; `None` for patch ports, which exist only here.
    pub odp_port: Option<u32>,
    pub name: String,
    /// `OFPPC_*` bits.
    pub config: u32,
    /// Link up and administratively enabled (OVS's `may_enable`), for
    /// group bucket liveness and `bundle` member choice.
    pub may_enable: bool,
    /// The other end of a patch port: `(bridge name, its OpenFlow port)`.
    pub peer: Option<(String, OfpPort)>,
    /// Index into [`XBridge::bundles`].
    pub bundle: Option<usize>,
}

impl XPort {
    /// An enabled port with no configuration bits.
    pub fn new(ofp_port: OfpPort, odp_port: Option<u32>, name: impl Into<String>) -> XPort {
        XPort {
            ofp_port,
            odp_port,
            name: name.into(),
            config: 0,
            may_enable: true,
            peer: None,
            bundle: None,
        }
    }
}

/// What the bridge does with IP fragments (`ovs-ofctl set-frags`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FragHandling {
    /// Fragments are looked up with their L4 ports as zero.
    #[default]
    Normal,
    /// Fragments are dropped.
    Drop,
    /// Fragments are matched like any packet (`nx-match`).
    NxMatch,
}

/// One bridge (OVS's `xbridge`).
#[derive(Clone)]
pub struct XBridge {
    pub name: String,
    pub tables: Arc<Tables>,
    pub groups: Arc<BTreeMap<u32, Group>>,
    /// OpenFlow meter id to datapath meter id.
    pub meters: BTreeMap<u32, u32>,
    /// The datapath meter of the `controller` virtual meter, if set.
    pub controller_meter: Option<u32>,
    pub ports: BTreeMap<OfpPort, XPort>,
    /// In the order NORMAL floods them (OVS's `xbundles` list order: the
    /// order in which the bundles were first configured).
    pub bundles: Vec<XBundle>,
    pub mac: Arc<MacLearning>,
    /// `other_config:forward-bpdu`.
    pub forward_bpdu: bool,
    /// A controller connection wants table misses sent to it when the
    /// table says "default" (OVS's `connmgr_wants_packet_in_on_miss`).
    pub packet_in_on_miss: bool,
    /// A controller connection is up (bucket liveness for
    /// `watch_port=CONTROLLER`).
    pub controller_alive: bool,
    pub frag: FragHandling,
}

impl std::fmt::Debug for XBridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XBridge")
            .field("name", &self.name)
            .field("flows", &self.tables.n_flows())
            .field("groups", &self.groups.len())
            .field("ports", &self.ports)
            .field("bundles", &self.bundles)
            .finish_non_exhaustive()
    }
}

impl XBridge {
    /// A bridge with default tables and no ports.
    pub fn new(name: impl Into<String>) -> XBridge {
        XBridge {
            name: name.into(),
            tables: Arc::new(Tables::default()),
            groups: Arc::new(BTreeMap::new()),
            meters: BTreeMap::new(),
            controller_meter: None,
            ports: BTreeMap::new(),
            bundles: Vec::new(),
            mac: Arc::new(MacLearning::default()),
            forward_bpdu: false,
            packet_in_on_miss: false,
            controller_alive: false,
            frag: FragHandling::Normal,
        }
    }

    pub fn port(&self, port: OfpPort) -> Option<&XPort> {
        self.ports.get(&port)
    }

    pub fn bundle(&self, index: usize) -> Option<&XBundle> {
        self.bundles.get(index)
    }

    /// The bundle with stable id `id`.
    pub fn bundle_by_id(&self, id: BundleId) -> Option<(usize, &XBundle)> {
        self.bundles.iter().enumerate().find(|(_, b)| b.id == id)
    }

    /// The order in which OVS inserts this bridge's ports into its
    /// `xports` hash map, which decides the order FLOOD and ALL output in:
    /// every configuration change rebuilds the map bundle by bundle (in
    /// [`XBridge::bundles`] order, each bundle's members in order), then
    /// the ports that belong to no bundle.
    pub fn xport_insertion_order(&self) -> Vec<OfpPort> {
        let mut order: Vec<OfpPort> = self
            .bundles
            .iter()
            .flat_map(|b| b.members.iter().copied())
            .filter(|p| self.ports.contains_key(p))
            .collect();
        for p in self.ports.keys() {
            if !order.contains(p) {
                order.push(*p);
            }
        }
        order
    }

    /// Adds a port in a one-port trunk bundle of the same name (what
    /// `ovs-vsctl add-port` makes by default). `bundle_id` must be unique
    /// in the bridge.
    pub fn add_simple_port(&mut self, mut port: XPort, bundle_id: u32) {
        let bundle = XBundle::new(BundleId(bundle_id), port.name.clone(), vec![port.ofp_port]);
        port.bundle = Some(self.bundles.len());
        self.bundles.push(bundle);
        self.ports.insert(port.ofp_port, port);
    }
}

/// What the datapath supports, where translation depends on it (a subset
/// of OVS's `dpif_backer_support`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DpSupport {
    pub masked_set_action: bool,
    pub clone: bool,
    pub recirc: bool,
    /// `OVS_HASH_ALG_*` the datapath knows (1 = symmetric L4).
    pub max_hash_alg: u32,
    /// Empty action lists become an explicit `drop` action.
    pub explicit_drop_action: bool,
}

impl Default for DpSupport {
    /// The userspace datapath's support.
    fn default() -> Self {
        DpSupport {
            masked_set_action: true,
            clone: true,
            recirc: true,
            max_hash_alg: 1,
            explicit_drop_action: true,
        }
    }
}

/// Everything translation reads.
#[derive(Clone, Debug, Default)]
pub struct XlateConfig {
    pub bridges: BTreeMap<String, Arc<XBridge>>,
    /// Datapath port to `(bridge, OpenFlow port)`, for every bridge on the
    /// datapath (several bridges share one datapath).
    pub odp_ports: BTreeMap<u32, (String, OfpPort)>,
    /// Frozen translation states by recirculation id, shared by every
    /// snapshot of the datapath.
    pub recirc: Arc<RecircIds>,
    pub support: DpSupport,
}

impl XlateConfig {
    pub fn bridge(&self, name: &str) -> Option<&XBridge> {
        self.bridges.get(name).map(|b| &**b)
    }

    /// Rebuilds [`XlateConfig::odp_ports`] from the bridges' ports.
    pub fn index_odp_ports(&mut self) {
        self.odp_ports.clear();
        for (name, br) in &self.bridges {
            for p in br.ports.values() {
                if let Some(odp) = p.odp_port {
                    self.odp_ports.insert(odp, (name.clone(), p.ofp_port));
                }
            }
        }
    }

    /// The bridge and OpenFlow port a datapath flow (whose `in_port` holds
    /// the datapath port number) arrived on (OVS's `xlate_lookup`).
    pub fn lookup_odp_in_port(&self, dp_flow: &Flow) -> Option<(&XBridge, OfpPort)> {
        let odp = dp_flow.get_be(offset::IN_PORT, 2) as u32;
        let (name, port) = self.odp_ports.get(&odp)?;
        Some((self.bridge(name)?, *port))
    }

    /// A copy of datapath flow `dp_flow` with `in_port` renumbered to the
    /// OpenFlow port, and the bridge it belongs to.
    pub fn flow_from_datapath(&self, dp_flow: &Flow) -> Option<(String, Flow)> {
        let odp = dp_flow.get_be(offset::IN_PORT, 2) as u32;
        let (name, port) = self.odp_ports.get(&odp)?;
        let mut flow = dp_flow.clone();
        flow.set_be(offset::IN_PORT, 2, u64::from(port.0));
        Some((name.clone(), flow))
    }
}
