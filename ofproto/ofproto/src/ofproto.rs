//! One switch (bridge) as OpenFlow sees it: ports, tables, and the
//! connections of its controllers (OVS's `struct ofproto` with its
//! `connmgr`).

use std::collections::{BTreeMap, HashMap};

use ovs_ofp_core::{OfpPort, Version};
use ovs_ofp_msgs::{AsyncConfig, FlowFormat, Message, PacketInFormat, Role, SwitchConfig};

use crate::groups::{Group, Meter};
use crate::probe::{Probe, ProbeStep};
use crate::tables::Tables;

/// Identifies a connection; chosen by the daemon.
pub type ConnId = u64;

/// What the daemon must do after an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// Send these bytes (one or more whole messages) on the connection.
    Send(ConnId, Vec<u8>),
    /// Close the connection after what was sent before; the text is why,
    /// as OVS's rconn records it (`Protocol error`, `Connection timed
    /// out`).
    Close(ConnId, &'static str),
}

/// A port as the daemon describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortInfo {
    pub port_no: OfpPort,
    pub name: String,
    pub hw_addr: [u8; 6],
    /// `OFPPC_*` bits, as port mods set them.
    pub config: u32,
    /// The queues its device has (statistics unknown).
    pub queues: Vec<u32>,
    /// The device's custom counters, by name (OpenFlow 1.4+ port stats).
    pub custom_stats: Vec<(String, u64)>,
}

/// Where port statistics come from: the daemon's devices, read when a
/// controller asks (the switch itself does no I/O).
pub trait PortCounterSource: Send + Sync {
    /// The counters of `port`'s device; `None` if it has none, which
    /// reads as zero packets and bytes and unknown errors.
    fn counters(&self, port: OfpPort) -> Option<ovs_ofp_msgs::PortCounters>;
}

/// How a connection was made and how to watch it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConnSettings {
    /// The management socket and other passive services, not controllers.
    pub service: bool,
    /// Inactivity probe interval, seconds (0: none).
    pub probe_interval: u32,
    /// An active connection must finish the hello exchange within this
    /// many milliseconds (0: no limit), as in rconn's CONNECTING state.
    pub hello_timeout_ms: u64,
}

/// Per-connection state (OVS's `ofconn` plus its `vconn` negotiation).
#[derive(Clone, Debug)]
pub struct Conn {
    /// Management socket and other passive services, not controllers.
    pub service: bool,
    pub probe: Probe,
    /// When the hello exchange must be done by, for active connections.
    pub hello_by: Option<u64>,
    /// Negotiated version, once the peer's hello arrived.
    pub version: Option<Version>,
    pub role: Role,
    pub flow_format: FlowFormat,
    pub packet_in_format: PacketInFormat,
    pub flow_mod_table_id: bool,
    pub controller_id: u16,
    pub config: SwitchConfig,
    /// What the controller set with set_async; `None` means the default
    /// for its version (see [`Conn::async_config_or_default`]).
    pub async_config: Option<AsyncConfig>,
    /// The Controller row's `enable_async_messages` (OVS's
    /// `enable_async_msgs`): when off, the default configuration sends
    /// nothing until the controller sets one.
    pub async_enabled: bool,
    /// When the connection was made, and whether rconn would call it
    /// admitted: the peer sent a message only a controller that accepted
    /// the switch sends, or it has been up for 30 seconds.
    pub connected_at: u64,
    pub admitted: bool,
    /// Open and closed bundles by ID.
    pub bundles: BTreeMap<u32, Bundle>,
    /// Flow monitors by ID.
    pub monitors: BTreeMap<u32, ovs_ofp_msgs::FlowMonitorRequest>,
}

/// A bundle being filled (OVS's `ofp_bundle`).
#[derive(Clone, Debug, Default)]
pub struct Bundle {
    pub flags: u16,
    pub closed: bool,
    /// The messages to apply, with the xid each arrived with.
    pub msgs: Vec<(u32, ovs_ofp_msgs::Message)>,
}

impl Conn {
    /// The role as the database's Controller `role` column names it.
    pub fn role_name(&self) -> &'static str {
        match self.role {
            Role::Primary => "master",
            Role::Secondary => "slave",
            Role::Equal | Role::NoChange => "other",
        }
    }

    /// The asynchronous message configuration in force (OVS's
    /// `ofconn_get_async_config`): the one set, or the default for the
    /// version, or nothing at all before the hello exchange or when
    /// asynchronous messages are disabled.
    pub fn async_config_or_default(&self) -> AsyncConfig {
        if let Some(c) = self.async_config {
            return c;
        }
        match self.version {
            Some(v) if self.async_enabled => AsyncConfig::default_for(v),
            _ => AsyncConfig {
                primary: [Some(0); ovs_ofp_msgs::connection::oam::N_TYPES],
                secondary: [Some(0); ovs_ofp_msgs::connection::oam::N_TYPES],
            },
        }
    }

    /// Does this connection get asynchronous messages of type `oam`
    /// (`ovs_ofp_msgs::connection::oam`) for `reason` (OVS's
    /// `ofconn_receives_async_msg`)? A service connection gets none until
    /// it sets a nonzero `miss_send_len`; otherwise the mask of its role
    /// decides (secondaries have their own).
    pub fn receives_async(&self, oam: usize, reason: u8) -> bool {
        if self.version.is_none() || (self.service && self.config.miss_send_len == 0) {
            return false;
        }
        let config = self.async_config_or_default();
        let masks = if self.role == Role::Secondary {
            &config.secondary
        } else {
            &config.primary
        };
        let bit = 1u32.checked_shl(u32::from(reason)).unwrap_or(0);
        masks.get(oam).copied().flatten().unwrap_or(0) & bit != 0
    }

    pub fn new(service: bool, probe: Probe) -> Conn {
        Conn {
            service,
            probe,
            hello_by: None,
            version: None,
            role: Role::Equal,
            flow_format: FlowFormat::OpenFlow10,
            packet_in_format: PacketInFormat::Standard,
            flow_mod_table_id: false,
            controller_id: 0,
            // OVS's defaults: normal fragment handling, 128-byte packet-ins
            // for controllers (0 for service connections).
            config: SwitchConfig {
                flags: 0,
                miss_send_len: if service { 0 } else { 128 },
            },
            async_config: None,
            async_enabled: true,
            connected_at: 0,
            admitted: false,
            bundles: BTreeMap::new(),
            monitors: BTreeMap::new(),
        }
    }
}

/// One bridge's OpenFlow switch.
pub struct Ofproto {
    pub name: String,
    pub datapath_id: u64,
    /// `other_config:dp-desc`.
    pub dp_desc: Option<String>,
    /// Versions allowed by the bridge's `protocols` column (bit = wire version).
    pub allowed_versions: u32,
    pub ports: BTreeMap<OfpPort, PortInfo>,
    pub tables: Tables,
    pub groups: BTreeMap<u32, Group>,
    pub meters: BTreeMap<u32, Meter>,
    pub conns: HashMap<ConnId, Conn>,
    /// The last transaction ID of a request the switch sent itself.
    next_xid: u32,
    /// The highest generation ID a primary/secondary role request carried.
    pub generation_id: Option<u64>,
    /// When the switch was created (for port durations).
    pub created: u64,
    /// OVS's iteration order of its port and meter hash maps, which some
    /// replies follow.
    pub port_order: ovs_shash::HashOrder,
    pub meter_order: ovs_shash::HashOrder,
    /// Controller connections configured (not counting service sockets).
    has_controllers: bool,
    fail_secure: bool,
    /// A port mod changed a port; the daemon should refresh port status.
    pub ports_changed: bool,
    /// `OFPC_FRAG_*` handling set by the last set_config.
    pub frag_flags: u16,
    /// Tunnel metadata mappings (`NXT_TLV_TABLE_MOD`), which decide how
    /// `tun_metadata<N>` in flows decode, encode and are stored.
    pub tlv: ovs_flow::TlvTable,
    configured: bool,
    /// Checked packet-outs waiting for the daemon.
    pub(crate) packet_outs: Vec<crate::packet::PacketOutRequest>,
    /// Device counters for port statistics.
    pub port_counters: Option<std::sync::Arc<dyn PortCounterSource>>,
}

/// OVS's default when `protocols` is empty: OpenFlow 1.0 through 1.5.
const DEFAULT_VERSIONS: u32 = 0b111_1110;

fn version_bit(name: &str) -> Option<u32> {
    Version::ALL
        .into_iter()
        .find(|v| v.name() == name)
        .map(|v| 1u32 << v.wire())
}

impl Ofproto {
    pub fn new(name: &str) -> Ofproto {
        Ofproto {
            name: name.to_string(),
            datapath_id: 0,
            dp_desc: None,
            allowed_versions: DEFAULT_VERSIONS,
            ports: BTreeMap::new(),
            tables: Tables::default(),
            groups: BTreeMap::new(),
            meters: BTreeMap::new(),
            conns: HashMap::new(),
            next_xid: 0,
            generation_id: None,
            created: 0,
            port_order: ovs_shash::HashOrder::new(),
            meter_order: ovs_shash::HashOrder::new(),
            has_controllers: false,
            ports_changed: false,
            frag_flags: 0,
            tlv: ovs_flow::TlvTable::new(),
            fail_secure: false,
            configured: false,
            port_counters: None,
            packet_outs: Vec::new(),
        }
    }

    pub fn set_datapath_id(&mut self, dpid: u64) {
        self.datapath_id = dpid;
    }

    /// The datapath description in description statistics (`None` gives
    /// OVS's default).
    pub fn set_dp_desc(&mut self, desc: Option<&str>) {
        self.dp_desc = desc.map(str::to_string);
    }

    /// From the bridge's `protocols` column (names like `OpenFlow13`).
    pub fn set_allowed_versions(&mut self, names: &[String]) {
        let bits = names
            .iter()
            .filter_map(|n| version_bit(n))
            .fold(0, |a, b| a | b);
        self.allowed_versions = if bits == 0 { DEFAULT_VERSIONS } else { bits };
    }

    /// Applies the bridge's controller set and fail mode. As in OVS's
    /// connmgr, the flow tables are flushed when the switch is first
    /// configured, when it gains its first or loses its last controller, and
    /// when the fail mode changes while it has none; a switch without
    /// controllers in standalone mode then gets `priority=0 actions=NORMAL`.
    pub fn configure(&mut self, has_controllers: bool, fail_secure: bool, now: u64) {
        let flush = !self.configured
            || has_controllers != self.has_controllers
            || (fail_secure != self.fail_secure && !has_controllers);
        self.configured = true;
        self.has_controllers = has_controllers;
        self.fail_secure = fail_secure;
        if flush {
            self.tables.flush();
            if !has_controllers && !fail_secure {
                let normal = crate::tables::NewFlow {
                    table_id: 0,
                    matches: ovs_flow::Match::catchall(),
                    priority: 0,
                    cookie: 0,
                    actions: vec![ovs_ofp_actions::Action::Output {
                        port: OfpPort::NORMAL,
                        max_len: 0,
                    }]
                    .into(),
                    idle_timeout: 0,
                    hard_timeout: 0,
                    importance: 0,
                    flags: 0,
                };
                let _ = self
                    .tables
                    .add(normal, now, &mut crate::tables::FlowModEffects::default());
            }
        }
    }

    /// Are controller connections configured (OVS's
    /// `connmgr_has_controllers`)?
    pub fn has_controllers(&self) -> bool {
        self.has_controllers
    }

    /// The Controller row's `enable_async_messages` for this connection.
    pub fn set_async_enabled(&mut self, conn: ConnId, enabled: bool) {
        if let Some(c) = self.conns.get_mut(&conn) {
            c.async_enabled = enabled;
        }
    }

    /// True if some connection monitors flows (then flow_mods record
    /// their changes in detail).
    pub fn monitoring(&self) -> bool {
        self.conns.values().any(|c| !c.monitors.is_empty())
    }

    pub fn n_flows(&self) -> usize {
        self.tables.n_flows()
    }

    /// Replaces the port set; returns port-status messages for connected
    /// controllers.
    pub fn set_ports(&mut self, ports: Vec<PortInfo>, _now: u64) -> Vec<Output> {
        let mut new: BTreeMap<OfpPort, PortInfo> =
            ports.into_iter().map(|p| (p.port_no, p)).collect();
        // Port mods made over OpenFlow stay with the port.
        for (no, p) in &mut new {
            if let Some(old) = self.ports.get(no)
                && old.name == p.name
                && old.hw_addr == p.hw_addr
            {
                p.config = old.config;
            }
        }
        for old in self.ports.keys() {
            if !new.contains_key(old) {
                self.port_order.remove(usize::from(old.0));
            }
        }
        for p in new.keys() {
            if !self.ports.contains_key(p) {
                self.port_order
                    .insert(ovs_shash::hash_int(u32::from(p.0), 0), usize::from(p.0));
            }
        }
        self.ports = new;
        Vec::new()
    }

    /// The ports in OVS's hash-map order.
    pub fn ports_in_order(&self) -> Vec<&PortInfo> {
        self.port_order
            .order()
            .into_iter()
            .filter_map(|p| self.ports.get(&OfpPort(p as u16)))
            .collect()
    }

    /// Periodic work: flow expiry and inactivity probes.
    pub fn run(&mut self, now: u64) -> Vec<Output> {
        let mut out = Vec::new();
        for r in self.tables.expire(now) {
            if let Some(fr) = Ofproto::flow_removed(&r, now) {
                self.send_async_flow_removed(&fr, &mut out);
            }
        }
        self.mark_sent(&out, now);
        for (&id, c) in self.conns.iter_mut() {
            if c.version.is_none() && c.hello_by.is_some_and(|t| now >= t) {
                tracing::info!(target: "rconn", "{}<->{id}: connection timed out", self.name);
                c.hello_by = None;
                out.push(Output::Close(id, "Connection timed out"));
                continue;
            }
            match c.probe.step(now) {
                ProbeStep::Wait => {}
                ProbeStep::SendEcho => {
                    let v = c.version.unwrap_or(Version::Of10);
                    self.next_xid = self.next_xid.wrapping_add(1);
                    if let Ok(bytes) =
                        ovs_ofp_msgs::encode(v, self.next_xid, &Message::EchoRequest(Vec::new()))
                    {
                        out.push(Output::Send(id, bytes));
                    }
                }
                ProbeStep::GiveUp { waited_secs } => {
                    tracing::error!(
                        target: "rconn",
                        "{}<->{id}: no response to inactivity probe after {waited_secs} seconds, disconnecting",
                        self.name
                    );
                    out.push(Output::Close(id, "Connection timed out"));
                }
            }
        }
        out
    }

    /// What is sent to a connection counts as activity on it.
    pub(crate) fn mark_sent(&mut self, out: &[Output], now: u64) {
        for o in out {
            if let Output::Send(id, _) = o
                && let Some(c) = self.conns.get_mut(id)
            {
                c.probe.activity(now);
            }
        }
    }
}
