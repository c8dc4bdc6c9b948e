//! From database rows to bridges and ports, and back to status columns: the
//! part of OVS's `vswitchd/bridge.c` that decides what exists.
//!
//! [`Config`] is what the Open_vSwitch database asks for (read by the IDL
//! glue in `core.rs`); [`Bridges`] is what exists. [`Bridges::reconfigure`]
//! moves the latter towards the former with OVS's rules (port numbers:
//! requested, else the one recorded in the database, else OVS's allocator
//! that avoids recently freed numbers; port creation order: OVS's shash
//! order; error texts) and reports the status OVS writes back.

use std::collections::{BTreeMap, HashMap};

use crate::netdev::{self, DummyMacs, Netdev};
use crate::options::Dummy;

/// `OFPP_LOCAL`, the bridge's own port.
pub const OFPP_LOCAL: u16 = 0xfffe;
/// Ports numbers OVS hands out automatically stay below this.
const AUTO_PORT_LIMIT: u16 = 32768;
/// Largest valid port number (`OFPP_MAX`, exclusive).
const OFPP_MAX: u16 = 0xff00;

/// One Interface row as it matters here.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IfaceCfg {
    pub uuid: String,
    pub name: String,
    pub iface_type: String,
    pub ofport_request: Option<i64>,
    /// The `ofport` column: the number this interface had before.
    pub ofport: Option<i64>,
    pub options: BTreeMap<String, String>,
    pub mtu_request: Option<i64>,
}

/// One Port row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PortCfg {
    pub uuid: String,
    pub name: String,
    pub interfaces: Vec<IfaceCfg>,
    /// VLAN configuration: `tag`, `trunks`, `vlan_mode`.
    pub tag: Option<i64>,
    pub trunks: Vec<i64>,
    pub vlan_mode: Option<String>,
}

/// One Controller row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ControllerCfg {
    pub uuid: String,
    pub target: String,
    /// Milliseconds; unset means OVS's default.
    pub inactivity_probe: Option<i64>,
}

impl ControllerCfg {
    /// The probe interval in seconds as OVS's bridge derives it: 5 unless
    /// set, 0 (off) for 0, at least 1 second otherwise.
    pub fn probe_interval(&self) -> u32 {
        match self.inactivity_probe {
            None => 5,
            Some(ms) if ms <= 0 => 0,
            Some(ms) if ms < 1000 => 1,
            Some(ms) => u32::try_from(ms / 1000).unwrap_or(u32::MAX),
        }
    }
}

/// A controller a bridge connects to (or listens for).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Controller {
    pub target: String,
    /// Seconds; 0 for none.
    pub probe_interval: u32,
}

/// One Bridge row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BridgeCfg {
    pub uuid: String,
    pub name: String,
    pub datapath_type: String,
    pub fail_mode: Option<String>,
    pub protocols: Vec<String>,
    pub other_config: BTreeMap<String, String>,
    /// `flow_tables`: per OpenFlow table, its `Flow_Table` settings.
    pub flow_tables: BTreeMap<u8, FlowTableCfg>,
    pub ports: Vec<PortCfg>,
    pub controllers: Vec<ControllerCfg>,
}

/// The Open_vSwitch row and everything reachable from it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    pub uuid: String,
    /// The Open_vSwitch row's `other_config`.
    pub other_config: BTreeMap<String, String>,
    pub next_cfg: i64,
    pub cur_cfg: i64,
    pub bridges: Vec<BridgeCfg>,
}

/// An interface that exists on a bridge.
#[derive(Clone, Debug)]
pub struct Iface {
    pub name: String,
    pub port_name: String,
    pub ofport: u16,
    pub netdev: Netdev,
    /// The MTU came from `mtu_request` (OVS's netdev_mtu_is_user_config).
    pub mtu_user: bool,
}

/// One `Flow_Table` row, as far as it is applied.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlowTableCfg {
    /// `prefixes`: the prefix trie fields (`none` for none; empty for
    /// OVS's default).
    pub prefixes: Vec<String>,
}

impl FlowTableCfg {
    /// The fields to build prefix tries on, as OVS's
    /// `bridge_configure_tables` reads the column: unknown or unsuitable
    /// names are skipped, at most three are kept.
    pub fn prefix_fields(&self) -> Vec<ovs_flow::FieldId> {
        use ovs_flow::FieldId;
        if self.prefixes.is_empty() {
            return ovs_ofproto::tables::DEFAULT_PREFIX_FIELDS.to_vec();
        }
        if self.prefixes.iter().any(|p| p == "none") {
            return Vec::new();
        }
        let mut out = Vec::new();
        for name in &self.prefixes {
            let Some(f) = FieldId::from_name(name) else {
                tracing::warn!(target: "bridge", "flow_table: unknown field {name} in prefixes");
                continue;
            };
            let usable = matches!(
                f,
                FieldId::Ipv4Src
                    | FieldId::Ipv4Dst
                    | FieldId::Ipv6Src
                    | FieldId::Ipv6Dst
                    | FieldId::TunSrc
                    | FieldId::TunDst
                    | FieldId::TunIpv6Src
                    | FieldId::TunIpv6Dst
            );
            if !usable {
                tracing::warn!(target: "bridge", "flow_table: {name} cannot be used as a prefix field");
                continue;
            }
            if out.len() == 3 {
                tracing::warn!(target: "bridge", "flow_table: too many prefix fields, ignoring {name}");
                break;
            }
            if !out.contains(&f) {
                out.push(f);
            }
        }
        out
    }
}

/// A bridge that exists.
#[derive(Debug)]
pub struct Bridge {
    pub name: String,
    pub uuid: String,
    pub datapath_type: String,
    pub ea: [u8; 6],
    pub dpid: u64,
    pub fail_mode: Option<String>,
    pub protocols: Vec<String>,
    pub controllers: Vec<Controller>,
    /// `other_config:dp-desc`, the OpenFlow description of the datapath.
    pub dp_desc: Option<String>,
    /// By interface name.
    pub ifaces: BTreeMap<String, Iface>,
    /// OVS's `alloc_port_no`: where the allocator resumes.
    alloc_port_no: u16,
    /// Port number usage: in use (`None`) or freed at this time (ms).
    usage: HashMap<u16, Option<u64>>,
    /// The local port's randomly chosen address, kept across reconfigurations.
    random_ea: [u8; 6],
}

/// Status to write back for one interface.
#[derive(Clone, Debug, PartialEq)]
pub enum IfaceStatus {
    Up {
        ofport: u16,
        mac: [u8; 6],
        mtu: Option<i64>,
        ifindex: i64,
        admin_down: bool,
        error: Option<String>,
    },
    Failed {
        error: String,
    },
}

/// Everything the database should be told after a reconfiguration.
#[derive(Clone, Debug, Default)]
pub struct Status {
    /// Interface UUID to status.
    pub ifaces: Vec<(String, IfaceStatus)>,
    /// Bridge UUID to datapath ID (16 hex digits) and datapath version.
    pub bridges: Vec<(String, String, String)>,
}

/// What this daemon supports, as written to the Open_vSwitch row.
#[derive(Clone, Copy, Debug)]
pub struct Capabilities {
    pub dummy: Dummy,
    pub system: bool,
}

impl Capabilities {
    pub fn datapath_types(&self) -> Vec<&'static str> {
        let mut v = vec!["netdev"];
        if self.dummy != Dummy::Off {
            v.push("dummy");
        }
        if self.system {
            v.push("system");
        }
        v.sort_unstable();
        v
    }

    pub fn iface_types(&self) -> Vec<&'static str> {
        // The netdev classes OVS 3.1's userspace build registers (tunnel
        // vports and AF_XDP included), plus the dummy classes.
        let mut v = vec![
            "afxdp",
            "afxdp-nonpmd",
            "bareudp",
            "erspan",
            "geneve",
            "gre",
            "gtpu",
            "internal",
            "ip6erspan",
            "ip6gre",
            "lisp",
            "patch",
            "stt",
            "system",
            "tap",
            "vxlan",
        ];
        if self.dummy != Dummy::Off {
            v.extend(["dummy", "dummy-internal", "dummy-pmd"]);
        }
        v.sort_unstable();
        v
    }
}

/// Every bridge.
#[derive(Debug, Default)]
pub struct Bridges {
    pub bridges: BTreeMap<String, Bridge>,
}

fn format_mac(m: &[u8; 6]) -> String {
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    )
}

pub fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let mut out = [0u8; 6];
    let mut parts = s.split(':');
    for b in &mut out {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 2 {
            return None;
        }
        *b = u8::from_str_radix(p, 16).ok()?;
    }
    parts.next().is_none().then_some(out)
}

impl IfaceStatus {
    pub fn mac_string(&self) -> Option<String> {
        match self {
            IfaceStatus::Up { mac, .. } => Some(format_mac(mac)),
            IfaceStatus::Failed { .. } => None,
        }
    }
}

/// A requested or recorded port number, if it is one OVS accepts.
fn valid_ofport(p: Option<i64>) -> Option<u16> {
    p.and_then(|v| u16::try_from(v).ok())
        .filter(|v| *v >= 1 && *v < OFPP_MAX)
}

impl Bridge {
    fn new(cfg: &BridgeCfg, random_ea: [u8; 6]) -> Bridge {
        Bridge {
            name: cfg.name.clone(),
            uuid: cfg.uuid.clone(),
            datapath_type: cfg.datapath_type.clone(),
            ea: random_ea,
            dpid: 0,
            fail_mode: None,
            protocols: Vec::new(),
            controllers: Vec::new(),
            dp_desc: None,
            ifaces: BTreeMap::new(),
            alloc_port_no: 0,
            usage: HashMap::new(),
            random_ea,
        }
    }

    fn in_use(&self, p: u16) -> bool {
        matches!(self.usage.get(&p), Some(None))
    }

    /// OVS's `alloc_ofp_port`: the preferred number if free, else the next
    /// never-used number after the last one handed out, else the number
    /// freed longest ago.
    fn alloc_ofport(&mut self, preferred: Option<u16>) -> Option<u16> {
        if let Some(p) = preferred.filter(|p| !self.in_use(*p)) {
            self.usage.insert(p, None);
            return Some(p);
        }
        let end = self.alloc_port_no;
        let mut lru: Option<(u64, u16)> = None;
        loop {
            self.alloc_port_no += 1;
            if self.alloc_port_no >= AUTO_PORT_LIMIT {
                self.alloc_port_no = 1;
            }
            let p = self.alloc_port_no;
            match self.usage.get(&p) {
                None => {
                    self.usage.insert(p, None);
                    return Some(p);
                }
                Some(Some(freed)) if lru.is_none_or(|(t, _)| *freed < t) => lru = Some((*freed, p)),
                _ => {}
            }
            if self.alloc_port_no == end {
                let (_, p) = lru?;
                self.usage.insert(p, None);
                return Some(p);
            }
        }
    }

    fn free_ofport(&mut self, p: u16, now_ms: u64) {
        if p != OFPP_LOCAL {
            self.usage.insert(p, Some(now_ms));
        }
    }
}

impl Bridges {
    /// Makes the bridges and ports match `cfg`. `now_ms` timestamps freed
    /// port numbers; `random_ea` supplies addresses for new bridges.
    pub fn reconfigure(
        &mut self,
        cfg: &Config,
        caps: Capabilities,
        macs: &mut DummyMacs,
        now_ms: u64,
        mut random_ea: impl FnMut() -> [u8; 6],
        admin_down: impl Fn(&str, u16) -> bool,
    ) -> Status {
        let mut status = Status::default();
        let wanted: BTreeMap<&str, &BridgeCfg> = cfg
            .bridges
            .iter()
            .filter(|b| {
                let dp = datapath_type(&b.datapath_type);
                let ok = caps.datapath_types().contains(&dp);
                if !ok {
                    tracing::error!(target: "bridge", "bridge {}: could not open datapath of type {dp}", b.name);
                }
                ok
            })
            .map(|b| (b.name.as_str(), b))
            .collect();
        self.bridges.retain(|name, br| {
            wanted.get(name.as_str()).is_some_and(|w| {
                datapath_type(&w.datapath_type) == datapath_type(&br.datapath_type)
            })
        });
        for (name, bcfg) in &wanted {
            let br = self
                .bridges
                .entry((*name).to_string())
                .or_insert_with(|| Bridge::new(bcfg, random_ea()));
            br.uuid = bcfg.uuid.clone();
            br.fail_mode = bcfg.fail_mode.clone();
            br.protocols = bcfg.protocols.clone();
            br.dp_desc = bcfg.other_config.get("dp-desc").cloned();
            br.controllers = bcfg
                .controllers
                .iter()
                .map(|c| Controller {
                    target: c.target.clone(),
                    probe_interval: c.probe_interval(),
                })
                .collect();
            configure_ports(br, bcfg, caps, macs, now_ms, &mut status);
            // The bridge's address: other_config:hwaddr, else the smallest
            // usable port address, else the local port's own random one.
            let ea = bcfg
                .other_config
                .get("hwaddr")
                .and_then(|s| parse_mac(s))
                .filter(|m| m[0] & 1 == 0 && *m != [0; 6])
                .or_else(|| smallest_port_address(br))
                .unwrap_or(br.random_ea);
            br.ea = ea;
            if let Some(local) = br.ifaces.get_mut(&br.name) {
                local.netdev.mac = ea;
            }
            br.dpid = bcfg
                .other_config
                .get("datapath-id")
                .and_then(|s| parse_dpid(s))
                .unwrap_or_else(|| ea.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)));
            status.bridges.push((
                br.uuid.clone(),
                format!("{:016x}", br.dpid),
                "<built-in>".to_string(),
            ));
            for port in &bcfg.ports {
                for icfg in &port.interfaces {
                    if let Some(iface) = br.ifaces.get(&icfg.name) {
                        status.ifaces.push((
                            icfg.uuid.clone(),
                            IfaceStatus::Up {
                                ofport: iface.ofport,
                                mac: iface.netdev.mac,
                                mtu: iface.netdev.mtu,
                                ifindex: 0,
                                admin_down: admin_down(&br.name, iface.ofport),
                                error: None,
                            },
                        ));
                    }
                }
            }
        }
        // A patch port needs a patch port named by its peer option on a
        // bridge of the same datapath type (OVS reports it otherwise).
        let mut patch_errors = Vec::new();
        for bcfg in &cfg.bridges {
            let dp = datapath_type(&bcfg.datapath_type);
            for icfg in bcfg.ports.iter().flat_map(|p| &p.interfaces) {
                if netdev::Kind::for_type(&icfg.iface_type, caps) != netdev::Kind::Patch {
                    continue;
                }
                let Some(peer) = icfg.options.get("peer") else {
                    continue;
                };
                let usable = cfg
                    .bridges
                    .iter()
                    .filter(|b| datapath_type(&b.datapath_type) == dp)
                    .any(|b| {
                        self.bridges.get(&b.name).is_some_and(|br| {
                            br.ifaces
                                .get(peer)
                                .is_some_and(|i| i.netdev.kind == netdev::Kind::Patch)
                        })
                    });
                if !usable {
                    patch_errors.push((
                        icfg.uuid.clone(),
                        format!("No usable peer '{peer}' exists in '{dp}' datapath."),
                    ));
                }
            }
        }
        for (uuid, st) in &mut status.ifaces {
            if let IfaceStatus::Up { error, .. } = st
                && let Some((_, e)) = patch_errors.iter().find(|(u, _)| u == uuid)
            {
                *error = Some(e.clone());
            }
        }
        status
    }
}

/// OVS's choice of a bridge address among its ports: each port is
/// represented by its lowest-numbered interface, the local port does not
/// count, and only globally assigned unicast addresses that no protocol
/// reserves qualify (dummy, tap and veth devices have locally assigned
/// ones). The smallest wins.
fn smallest_port_address(br: &Bridge) -> Option<[u8; 6]> {
    let mut by_port: HashMap<&str, &Iface> = HashMap::new();
    for iface in br.ifaces.values() {
        let e = by_port.entry(iface.port_name.as_str()).or_insert(iface);
        if iface.ofport < e.ofport {
            *e = iface;
        }
    }
    by_port
        .into_values()
        .filter(|i| i.ofport != OFPP_LOCAL)
        .map(|i| i.netdev.mac)
        .filter(|m| is_usable_bridge_address(*m))
        .min()
}

/// Not multicast, not locally administered, not zero, not one of the
/// unicast addresses OVS reserves for switch protocols (Extreme's EDP and
/// EAPS); every other reserved address is multicast.
fn is_usable_bridge_address(m: [u8; 6]) -> bool {
    const RESERVED_UNICAST: [[u8; 6]; 3] = [
        [0x00, 0xe0, 0x2b, 0, 0, 0],
        [0x00, 0xe0, 0x2b, 0, 0, 4],
        [0x00, 0xe0, 0x2b, 0, 0, 6],
    ];
    m[0] & 0x03 == 0 && m != [0; 6] && !RESERVED_UNICAST.contains(&m)
}

fn datapath_type(t: &str) -> &str {
    if t.is_empty() { "system" } else { t }
}

/// `other_config:datapath-id`: exactly 16 hex digits, not all zero.
fn parse_dpid(s: &str) -> Option<u64> {
    (s.len() == 16)
        .then(|| u64::from_str_radix(s, 16).ok())
        .flatten()
        .filter(|d| *d != 0)
}

fn configure_ports(
    br: &mut Bridge,
    bcfg: &BridgeCfg,
    caps: Capabilities,
    macs: &mut DummyMacs,
    now_ms: u64,
    status: &mut Status,
) {
    // The wanted interfaces, with the local port always there.
    let mut wanted: BTreeMap<String, (&PortCfg, &IfaceCfg)> = BTreeMap::new();
    for p in &bcfg.ports {
        for i in &p.interfaces {
            wanted.insert(i.name.clone(), (p, i));
        }
    }
    // Delete interfaces that went away or changed type.
    let doomed: Vec<String> = br
        .ifaces
        .iter()
        .filter(|(name, iface)| match wanted.get(*name) {
            None => **name != br.name,
            Some((p, i)) => {
                iface.port_name != p.name
                    || iface.netdev.kind != netdev::Kind::for_type(&i.iface_type, caps)
            }
        })
        .map(|(n, _)| n.clone())
        .collect();
    for name in doomed {
        if let Some(iface) = br.ifaces.remove(&name) {
            br.free_ofport(iface.ofport, now_ms);
        }
    }
    if !br.ifaces.contains_key(&br.name) {
        let netdev = Netdev::open(&br.name, "internal", &BTreeMap::new(), caps, macs)
            .unwrap_or_else(|_| Netdev::synthetic(br.random_ea));
        br.usage.insert(OFPP_LOCAL, None);
        br.ifaces.insert(
            br.name.clone(),
            Iface {
                name: br.name.clone(),
                port_name: br.name.clone(),
                ofport: OFPP_LOCAL,
                netdev,
                mtu_user: false,
            },
        );
    }
    // Add in OVS's order: ports in shash order of their names (built from
    // the Port rows in their column order), requested numbers first.
    let port_names: Vec<&str> = bcfg.ports.iter().map(|p| p.name.as_str()).collect();
    let order = ovs_shash::shash_order(&port_names);
    for with_request in [true, false] {
        for &pi in &order {
            let port = &bcfg.ports[pi];
            for icfg in &port.interfaces {
                if valid_ofport(icfg.ofport_request).is_some() != with_request
                    || br.ifaces.contains_key(&icfg.name)
                {
                    continue;
                }
                if icfg.name == br.name && port.name != br.name {
                    continue;
                }
                match Netdev::open(&icfg.name, &icfg.iface_type, &icfg.options, caps, macs) {
                    Ok(netdev) => {
                        let preferred =
                            valid_ofport(icfg.ofport_request).or(valid_ofport(icfg.ofport));
                        match br.alloc_ofport(preferred) {
                            Some(ofport) => {
                                br.ifaces.insert(
                                    icfg.name.clone(),
                                    Iface { name: icfg.name.clone(), port_name: port.name.clone(), ofport, netdev, mtu_user: false },
                                );
                            }
                            None => status.ifaces.push((
                                icfg.uuid.clone(),
                                IfaceStatus::Failed { error: format!("could not add network device {} to ofproto (No space left on device)", icfg.name) },
                            )),
                        }
                    }
                    Err(error) => {
                        tracing::warn!(target: "bridge", "{error}");
                        status
                            .ifaces
                            .push((icfg.uuid.clone(), IfaceStatus::Failed { error }));
                    }
                }
            }
        }
    }
    // MTUs: a requested MTU is applied; internal and patch ports without
    // one follow the smallest MTU of the others (OVS's update_mtu_ofproto).
    for (_, i) in wanted.values() {
        if let Some(iface) = br.ifaces.get_mut(&i.name) {
            match i.mtu_request.filter(|m| *m > 0) {
                Some(m) if iface.netdev.mtu.is_some() => {
                    iface.netdev.mtu = Some(m);
                    iface.mtu_user = true;
                }
                _ => iface.mtu_user = false,
            }
        }
    }
    let overridden = |i: &Iface| {
        matches!(i.netdev.kind, netdev::Kind::Internal | netdev::Kind::Patch) && !i.mtu_user
    };
    let min_mtu = br
        .ifaces
        .values()
        .filter(|i| !overridden(i))
        .filter_map(|i| i.netdev.mtu)
        .min()
        .unwrap_or(1500);
    for iface in br.ifaces.values_mut() {
        if overridden(iface) && iface.netdev.mtu.is_some() {
            iface.netdev.mtu = Some(min_mtu);
        }
    }
    // A changed ofport_request moves an existing interface.
    for (p, i) in wanted.values() {
        let _ = p;
        if let (Some(req), Some(cur)) = (
            valid_ofport(i.ofport_request),
            br.ifaces.get(&i.name).map(|x| x.ofport),
        ) && req != cur
            && !br.in_use(req)
        {
            br.free_ofport(cur, now_ms);
            br.usage.insert(req, None);
            if let Some(iface) = br.ifaces.get_mut(&i.name) {
                iface.ofport = req;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps() -> Capabilities {
        Capabilities {
            dummy: Dummy::On,
            system: false,
        }
    }

    fn iface(name: &str, t: &str, req: Option<i64>) -> PortCfg {
        PortCfg {
            uuid: format!("p-{name}"),
            name: name.into(),
            interfaces: vec![IfaceCfg {
                uuid: format!("i-{name}"),
                name: name.into(),
                iface_type: t.into(),
                ofport_request: req,
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    fn config(ports: Vec<PortCfg>) -> Config {
        Config {
            bridges: vec![BridgeCfg {
                uuid: "b".into(),
                name: "br0".into(),
                datapath_type: "dummy".into(),
                ports,
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn only_global_unicast_addresses_name_a_bridge() {
        assert!(is_usable_bridge_address([
            0x00, 0x1b, 0x21, 0x3c, 0x4d, 0x5e
        ]));
        // Dummy (aa:55:...), tap and veth addresses are locally assigned.
        assert!(!is_usable_bridge_address([0xaa, 0x55, 0xaa, 0x55, 0, 1]));
        assert!(!is_usable_bridge_address([0x02, 0, 0, 0, 0, 1]));
        assert!(!is_usable_bridge_address([0x01, 0x80, 0xc2, 0, 0, 0]));
        assert!(!is_usable_bridge_address([0; 6]));
        assert!(!is_usable_bridge_address([0x00, 0xe0, 0x2b, 0, 0, 4]));
        assert!(is_usable_bridge_address([0x00, 0xe0, 0x2b, 0, 0, 5]));
    }

    #[test]
    fn numbering_follows_ovs() {
        let mut b = Bridges::default();
        let mut macs = DummyMacs::default();
        let st = b.reconfigure(
            &config(vec![
                iface("br0", "internal", None),
                iface("p1", "dummy", None),
                iface("p2", "dummy", Some(1)),
            ]),
            caps(),
            &mut macs,
            0,
            || [2, 0, 0, 0, 0, 1],
            |_, _| false,
        );
        let br = &b.bridges["br0"];
        assert_eq!(br.ifaces["br0"].ofport, OFPP_LOCAL);
        assert_eq!(br.ifaces["p2"].ofport, 1);
        assert_eq!(br.ifaces["p1"].ofport, 2);
        assert_eq!(br.dpid, 0x0200_0000_0001);
        assert_eq!(st.bridges[0].1, "0000020000000001");
        // Deleting p1 and adding p3: 2 is not reused while 3 is free.
        b.reconfigure(
            &config(vec![
                iface("br0", "internal", None),
                iface("p2", "dummy", Some(1)),
                iface("p3", "dummy", None),
            ]),
            caps(),
            &mut macs,
            5,
            || [2, 0, 0, 0, 0, 1],
            |_, _| false,
        );
        assert_eq!(b.bridges["br0"].ifaces["p3"].ofport, 3);
    }

    #[test]
    fn bad_type_reports_ovs_error() {
        let mut b = Bridges::default();
        let st = b.reconfigure(
            &config(vec![iface("bad", "foo", None)]),
            caps(),
            &mut DummyMacs::default(),
            0,
            || [2, 0, 0, 0, 0, 1],
            |_, _| false,
        );
        assert!(st.ifaces.contains(&(
            "i-bad".into(),
            IfaceStatus::Failed { error: "could not open network device bad (Address family not supported by protocol)".into() }
        )));
    }
}
