//! The daemon's side of translation: the snapshot of the bridges that
//! upcall handlers and revalidators translate against, published by the
//! core whenever the bridges, their flow tables or their ports change, and
//! the translator each datapath's [`Udpif`] calls, which hands the side
//! effects of translation (learned flows, packet-ins) back to the core as
//! events.
//!
//! Handler threads never wait for the core: they read the last published
//! snapshot, and what they ask of the core goes through the core's event
//! channel.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use ovs_flow::{Flow, offset};
use ovs_odp::Userspace;
use ovs_ofp_core::OfpPort;
use ovs_ofproto::{Ofproto, Tables};
use ovs_ofproto_dpif::{Translation, Translator};
use ovs_xlate::{
    BundleId, Effect, FragHandling, MacLearning, PacketIn, RecircIds, VlanMode, VlanSet, XBridge,
    XBundle, XPort, XlateConfig, XlateIn,
};
use tokio::sync::mpsc;

use crate::bridge::Bridges;
use crate::netdev::Kind;

/// `xlate_actions`: translations run (upcalls, revalidation, packet-outs).
pub static XLATE_ACTIONS: ovs_coverage::Counter = ovs_coverage::Counter::new("xlate_actions");

/// How many VLAN headers flows hold in this process: `other_config:vlan-limit`
/// (applied with [`ovs_packet::set_vlan_limit`]), 0 meaning as many as a
/// flow can hold.
pub fn vlan_headers() -> usize {
    match ovs_packet::vlan_limit() {
        0 => ovs_packet::MAX_VLAN_HEADERS,
        n => n.min(ovs_packet::MAX_VLAN_HEADERS),
    }
}

/// What translation asks the core to do.
#[derive(Debug)]
pub enum XlateEvent {
    /// Learned flows and fin_timeouts to apply to the bridges' tables.
    Effects(Vec<Effect>),
    /// A packet for the bridge's controllers.
    PacketIn(PacketIn),
}

/// The snapshot one datapath's handlers translate against.
pub struct Shared {
    cfg: RwLock<Arc<XlateConfig>>,
    /// Moves with every published snapshot; with the MAC tables'
    /// generations it is the translator's generation.
    seq: AtomicU64,
    events: mpsc::UnboundedSender<XlateEvent>,
}

impl Shared {
    pub fn new(cfg: XlateConfig, events: mpsc::UnboundedSender<XlateEvent>) -> Arc<Shared> {
        Arc::new(Shared {
            cfg: RwLock::new(Arc::new(cfg)),
            seq: AtomicU64::new(1),
            events,
        })
    }

    pub fn snapshot(&self) -> Arc<XlateConfig> {
        self.cfg.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Makes `cfg` the configuration later translations see.
    pub fn publish(&self, cfg: XlateConfig) {
        *self.cfg.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(cfg);
        self.seq.fetch_add(1, Ordering::Release);
    }
}

/// The megaflow mask the userspace datapath installs: the bits translation
/// consulted, without the OpenFlow-only fields no datapath key carries
/// (OVS's dpif-netdev takes the translation's wildcards as they are; only
/// `dpctl` output goes through the datapath key format).
pub fn datapath_mask(wc: Flow) -> Flow {
    let mut mask = wc;
    for (off, len) in [
        (offset::METADATA, 8),
        (offset::REGS, 64),
        (offset::ACTSET_OUTPUT, 2),
        (offset::CONJ_ID, 4),
    ] {
        for b in mask.bytes_mut(off, len) {
            *b = 0;
        }
    }
    mask
}

/// The [`Translator`] of one datapath.
pub struct Xlator {
    pub shared: Arc<Shared>,
}

impl Xlator {
    /// The configuration to translate with, and its generation: the
    /// publication count, read first (a configuration published meanwhile
    /// then looks older than it is, never newer), and the MAC tables'
    /// change counts.
    fn snapshot(&self) -> (Arc<XlateConfig>, u64) {
        let seq = self.shared.seq.load(Ordering::Acquire);
        let cfg = self.shared.snapshot();
        let macs: u64 = cfg
            .bridges
            .values()
            .map(|b| b.mac.generation())
            .fold(0, u64::wrapping_add);
        (cfg, (seq << 32).wrapping_add(macs))
    }
}

impl Translator for Xlator {
    fn translate(&self, key: &Flow, packet: Option<&[u8]>, may_learn: bool) -> Option<Translation> {
        let (cfg, generation) = self.snapshot();
        let (bridge, flow) = cfg.flow_from_datapath(key)?;
        let mut xin = XlateIn::new(&bridge, flow);
        xin.packet = packet;
        xin.now_ms = self.now_ms();
        xin.allow_side_effects = may_learn;
        xin.for_datapath_flow = true;
        xin.tcp_flags = key.get_be(offset::TCP_FLAGS, 2) as u16;
        XLATE_ACTIONS.inc();
        let out = ovs_xlate::xlate(&cfg, &xin);
        if xin.allow_side_effects && !out.effects.is_empty() {
            let _ = self.shared.events.send(XlateEvent::Effects(out.effects));
        }
        Some(Translation {
            mask: datapath_mask(out.wc),
            actions: out.actions,
            rules: out.rules,
            // A failed translation installs its explicit drop, as OVS does.
            install: true,
            slow: out.slow,
            generation,
        })
    }

    fn generation(&self) -> u64 {
        self.snapshot().1
    }

    fn userspace(&self, action: &Userspace, _key: &Flow, packet: &[u8]) {
        let Some(cookie) = &action.cookie else {
            return;
        };
        let cfg = self.shared.snapshot();
        if let Some(pin) = ovs_xlate::packet_in_from_upcall(&cfg, cookie, packet) {
            let _ = self.shared.events.send(XlateEvent::PacketIn(pin));
        }
    }

    fn now_ms(&self) -> u64 {
        crate::now_ms()
    }
}

/// What the core keeps between snapshots: the state that outlives any one
/// configuration (MAC tables, bundle identities) and the last copy of each
/// bridge's flow tables.
#[derive(Default)]
pub struct SnapshotState {
    /// By bridge name.
    pub macs: HashMap<String, Arc<MacLearning>>,
    /// Stable bundle ids by (bridge, port name), allocated in the order
    /// ports were first seen, which is NORMAL's flooding order.
    bundle_ids: HashMap<(String, String), u32>,
    next_bundle_id: u32,
    /// Each bridge's tables as last published.
    tables: HashMap<String, Arc<Tables>>,
    /// Bridges whose tables changed since they were last copied.
    dirty_tables: HashSet<String>,
    /// Something changed since the last publication.
    pub dirty: bool,
}

/// Everything a snapshot is built from.
pub struct Sources<'a> {
    pub bridges: &'a Bridges,
    pub cfg: &'a crate::bridge::Config,
    pub ofprotos: &'a BTreeMap<String, Ofproto>,
    pub ports: &'a HashMap<(String, String), crate::datapath::DpPortRef>,
    /// Whether (bridge, interface) has its link up (OVS's `may_enable`
    /// without BFD/CFM/LACP).
    pub link_up: &'a dyn Fn(&str, &str) -> bool,
}

impl SnapshotState {
    /// The tables of `bridge` changed (or may have).
    pub fn tables_changed(&mut self, bridge: &str) {
        self.dirty_tables.insert(bridge.to_string());
        self.dirty = true;
    }

    /// Everything may have changed (a reconfiguration).
    pub fn all_changed(&mut self, bridges: impl IntoIterator<Item = String>) {
        self.dirty_tables.extend(bridges);
        self.dirty = true;
    }

    /// The MAC table of `bridge`, created with the bridge's settings.
    fn mac_table(
        &mut self,
        bridge: &str,
        other_config: &BTreeMap<String, String>,
    ) -> Arc<MacLearning> {
        let aging = other_config
            .get("mac-aging-time")
            .and_then(|v| v.parse::<u32>().ok())
            .filter(|v| *v > 0)
            .unwrap_or(300);
        let size = other_config
            .get("mac-table-size")
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|v| *v > 0)
            .unwrap_or(2048);
        let mac = self
            .macs
            .entry(bridge.to_string())
            .or_insert_with(|| Arc::new(MacLearning::new(aging, size)))
            .clone();
        if mac.idle_time() != aging {
            mac.set_idle_time(aging);
        }
        if mac.max_entries() != size {
            mac.set_max_entries(size);
        }
        mac
    }

    fn bundle_id(&mut self, bridge: &str, port: &str) -> u32 {
        let key = (bridge.to_string(), port.to_string());
        if let Some(id) = self.bundle_ids.get(&key) {
            return *id;
        }
        self.next_bundle_id += 1;
        self.bundle_ids.insert(key, self.next_bundle_id);
        self.next_bundle_id
    }

    /// Builds one snapshot per datapath type, keyed by type, and forgets
    /// state of bridges that are gone.
    pub fn build(
        &mut self,
        src: &Sources<'_>,
        recirc: &dyn Fn(&str) -> Option<Arc<RecircIds>>,
    ) -> BTreeMap<String, XlateConfig> {
        self.dirty = false;
        let live: HashSet<&String> = src.bridges.bridges.keys().collect();
        self.macs.retain(|b, _| live.contains(b));
        self.tables.retain(|b, _| live.contains(b));
        self.bundle_ids.retain(|(b, _), _| live.contains(b));

        let mut out: BTreeMap<String, XlateConfig> = BTreeMap::new();
        for bcfg in &src.cfg.bridges {
            let (Some(br), Some(ofproto)) = (
                src.bridges.bridges.get(&bcfg.name),
                src.ofprotos.get(&bcfg.name),
            ) else {
                continue;
            };
            let dp_type = crate::datapath::dp_type(&br.datapath_type).to_string();
            let xb = self.build_bridge(src, bcfg, br, ofproto);
            let cfg = match out.entry(dp_type.clone()) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => {
                    let Some(r) = recirc(&dp_type) else { continue };
                    e.insert(XlateConfig {
                        recirc: r,
                        ..XlateConfig::default()
                    })
                }
            };
            cfg.bridges.insert(bcfg.name.clone(), Arc::new(xb));
        }
        self.dirty_tables.clear();
        for cfg in out.values_mut() {
            cfg.index_odp_ports();
        }
        out
    }

    fn build_bridge(
        &mut self,
        src: &Sources<'_>,
        bcfg: &crate::bridge::BridgeCfg,
        br: &crate::bridge::Bridge,
        ofproto: &Ofproto,
    ) -> XBridge {
        let name = &bcfg.name;
        let tables = match self.tables.get(name) {
            Some(t) if !self.dirty_tables.contains(name) => t.clone(),
            _ => {
                let t = Arc::new(ofproto.tables.clone());
                self.tables.insert(name.clone(), t.clone());
                t
            }
        };
        let mut xb = XBridge::new(name.clone());
        xb.tables = tables;
        xb.groups = Arc::new(ofproto.groups.clone());
        xb.mac = self.mac_table(name, &bcfg.other_config);
        xb.forward_bpdu = bcfg
            .other_config
            .get("forward-bpdu")
            .is_some_and(|v| v == "true");
        xb.frag = match ofproto.frag_flags & 3 {
            1 => FragHandling::Drop,
            3 => FragHandling::NxMatch,
            _ => FragHandling::Normal,
        };

        // Bundles in the order they were first configured. Ports that
        // appear together get ids with the local port first, then by port
        // number, which is the order OVS 3.1 is seen to flood them in.
        let mut ports: Vec<&crate::bridge::PortCfg> = bcfg.ports.iter().collect();
        let first_iface = |p: &crate::bridge::PortCfg| {
            p.interfaces
                .first()
                .and_then(|i| br.ifaces.get(&i.name))
                .map_or(u16::MAX, |i| i.ofport)
        };
        ports.sort_by_key(|p| (p.name != *name, first_iface(p)));
        for p in &ports {
            self.bundle_id(name, &p.name);
        }
        ports.sort_by_key(|p| self.bundle_id(name, &p.name));
        for pcfg in ports {
            let members: Vec<&crate::bridge::Iface> = pcfg
                .interfaces
                .iter()
                .filter_map(|i| br.ifaces.get(&i.name))
                .collect();
            if members.is_empty() {
                continue;
            }
            let id = self.bundle_id(name, &pcfg.name);
            let mut bundle = XBundle::new(
                BundleId(id),
                pcfg.name.clone(),
                members.iter().map(|i| OfpPort(i.ofport)).collect(),
            );
            configure_vlans(&mut bundle, pcfg);
            bundle.bond = members.len() > 1;
            let index = xb.bundles.len();
            for iface in &members {
                let ofp_port = OfpPort(iface.ofport);
                let info = ofproto.ports.get(&ofp_port);
                let odp_port = src
                    .ports
                    .get(&(name.clone(), iface.name.clone()))
                    .map(|r| r.port.0);
                let mut xp = XPort::new(ofp_port, odp_port, iface.name.clone());
                xp.config = info.map_or(0, |p| p.config);
                xp.may_enable = (src.link_up)(name, &iface.name);
                xp.bundle = Some(index);
                if iface.netdev.kind == Kind::Patch {
                    xp.peer = patch_peer(src, name, &iface.name);
                }
                if xp.config & ovs_xlate::config::OFPPC_NO_FLOOD != 0 {
                    bundle.floodable = false;
                }
                xb.ports.insert(ofp_port, xp);
            }
            xb.bundles.push(bundle);
        }
        xb
    }
}

/// The other end of patch port `iface` of `bridge`: the bridge holding
/// the interface its `options:peer` names, and that interface's port.
fn patch_peer(src: &Sources<'_>, bridge: &str, iface: &str) -> Option<(String, OfpPort)> {
    let peer = src
        .cfg
        .bridges
        .iter()
        .find(|b| b.name == bridge)?
        .ports
        .iter()
        .flat_map(|p| &p.interfaces)
        .find(|i| i.name == iface)?
        .options
        .get("peer")?;
    src.bridges.bridges.values().find_map(|b| {
        let i = b.ifaces.get(peer)?;
        (i.netdev.kind == Kind::Patch).then(|| (b.name.clone(), OfpPort(i.ofport)))
    })
}

/// A bundle's VLAN settings from its `Port` row, as OVS's `port_configure`
/// reads them.
fn configure_vlans(bundle: &mut XBundle, pcfg: &crate::bridge::PortCfg) {
    let tag = pcfg
        .tag
        .and_then(|t| u16::try_from(t).ok())
        .filter(|t| *t < 4096);
    let trunks: Vec<u16> = pcfg
        .trunks
        .iter()
        .filter_map(|t| u16::try_from(*t).ok())
        .filter(|t| *t < 4096)
        .collect();
    let mode = match pcfg.vlan_mode.as_deref() {
        Some("access") => VlanMode::Access,
        Some("trunk") => VlanMode::Trunk,
        Some("native-tagged") => VlanMode::NativeTagged,
        Some("native-untagged") => VlanMode::NativeUntagged,
        Some("dot1q-tunnel") => VlanMode::Dot1qTunnel,
        _ if tag.is_some() => VlanMode::Access,
        _ => VlanMode::Trunk,
    };
    bundle.vlan_mode = mode;
    bundle.vlan = match mode {
        VlanMode::Trunk => 0,
        _ => tag.unwrap_or(0),
    };
    bundle.trunks = match mode {
        VlanMode::Access => None,
        _ if trunks.is_empty() => None,
        _ => Some(VlanSet::from_vlans(trunks)),
    };
}

/// The packet-in a bridge sends for `pin`, with the pipeline fields as
/// OVS's `flow_get_metadata` reports them: the input port always, the
/// tunnel id, metadata and registers when nonzero.
pub fn packet_in_request(pin: PacketIn) -> ovs_ofproto::PacketInRequest {
    use ovs_flow::{FieldId, Match};
    let md = &pin.metadata;
    let mut m = Match::catchall();
    let _ = m.set_exact(FieldId::InPort, &md.in_port.to_be_bytes());
    let tun_id = md
        .tunnel
        .get(offset::TUN_ID..offset::TUN_ID + 8)
        .filter(|b| b.iter().any(|x| *x != 0));
    if let Some(id) = tun_id {
        let _ = m.set_exact(FieldId::TunId, id);
    }
    if md.metadata != 0 {
        let _ = m.set_exact(FieldId::Metadata, &md.metadata.to_be_bytes());
    }
    for (i, r) in md.regs.iter().enumerate() {
        if *r != 0
            && let Some(f) = FieldId::from_name(&format!("reg{i}"))
        {
            let _ = m.set_exact(f, &r.to_be_bytes());
        }
    }
    ovs_ofproto::PacketInRequest {
        packet: pin.packet,
        reason: pin.reason,
        table_id: pin.table_id,
        cookie: pin.cookie,
        metadata: m,
        userdata: pin.userdata,
        controller_id: pin.controller_id,
        // `pause` continuations are not produced yet.
        continuation: None,
    }
}

/// The flow of a packet-out's packet: its headers, with the pipeline
/// fields the request set.
pub fn packet_out_flow(po: &ovs_ofproto::PacketOutRequest) -> Flow {
    let md = ovs_packet::Metadata {
        in_port: po.in_port.0,
        ..ovs_packet::Metadata::default()
    };
    let mut flow = Flow::ZERO;
    ovs_packet::extract(&po.packet, &md, &mut flow);
    let (given, wc) = (&po.metadata.flow, &po.metadata.wc);
    let n = ovs_flow::FLOW_BYTES;
    let values: Vec<u8> = given.bytes(0, n).to_vec();
    let masks: Vec<u8> = wc.bytes(0, n).to_vec();
    for ((b, v), m) in flow.bytes_mut(0, n).iter_mut().zip(values).zip(masks) {
        *b = (*b & !m) | (v & m);
    }
    flow.set_be(offset::IN_PORT, 2, u64::from(po.in_port.0));
    flow
}
