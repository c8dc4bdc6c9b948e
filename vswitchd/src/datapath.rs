//! The datapaths under the bridges (OVS's dpif "backers"): one userspace
//! datapath per datapath type in use, shared by every bridge of that type,
//! with its upcall handler and revalidator, and one datapath port per
//! bridge interface other than patch ports.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use ovs_dpif::{Dpif, OdpPort, PortSpec};
use ovs_dpif_netdev::{Class, DpifNetdev};
use ovs_ofproto_dpif::{RevalidatorThread, Udpif};
use ovs_xlate::{RecircIds, XlateConfig};
use tokio::sync::mpsc;
use tracing::{info, warn};

use crate::bridge::Bridges;
use crate::netdev::Kind;
use crate::xlate_glue::{Shared, XlateEvent, Xlator};

/// One datapath and the ofproto-dpif machinery over it.
pub struct Backer {
    pub dp: Arc<DpifNetdev>,
    pub udpif: Arc<Udpif<Xlator>>,
    /// The snapshot its handlers translate against.
    pub shared: Arc<Shared>,
    /// Recirculation ids, shared by every snapshot of this datapath.
    pub recirc: Arc<RecircIds>,
    revalidator: Option<RevalidatorThread<Xlator>>,
}

impl Backer {
    fn open(class: Class, events: mpsc::UnboundedSender<XlateEvent>) -> Result<Backer, String> {
        let dp = DpifNetdev::open(class).map_err(|e| e.to_string())?;
        let recirc = Arc::new(RecircIds::default());
        let cfg = XlateConfig {
            recirc: recirc.clone(),
            ..XlateConfig::default()
        };
        let shared = Shared::new(cfg, events);
        let (udpif, revalidator) = Udpif::start(
            dp.clone(),
            Xlator {
                shared: shared.clone(),
            },
        );
        Ok(Backer {
            dp,
            udpif,
            shared,
            recirc,
            revalidator: Some(revalidator),
        })
    }
}

impl Drop for Backer {
    fn drop(&mut self) {
        // The revalidator first, then the poll thread, which owns the
        // handler that holds the datapath.
        self.revalidator.take();
        self.dp.close();
    }
}

/// Where one bridge interface sits in its datapath.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DpPortRef {
    pub datapath_type: String,
    pub port: OdpPort,
}

pub struct Datapaths {
    /// By datapath type (`netdev`, `dummy`).
    pub dps: BTreeMap<String, Backer>,
    /// (bridge, interface) to its datapath port.
    pub ports: HashMap<(String, String), DpPortRef>,
    /// What each datapath port was opened as, to reopen it if that changes.
    specs: HashMap<(String, OdpPort), PortSpec>,
    events: mpsc::UnboundedSender<XlateEvent>,
}

impl Datapaths {
    pub fn new(events: mpsc::UnboundedSender<XlateEvent>) -> Datapaths {
        Datapaths {
            dps: BTreeMap::new(),
            ports: HashMap::new(),
            specs: HashMap::new(),
            events,
        }
    }

    /// Opens and closes datapaths and their ports to match the bridges.
    /// Failures are logged as OVS logs them and leave the interface out of
    /// the datapath.
    pub fn sync(&mut self, bridges: &Bridges, options: &HashMap<(String, String), PortSpec>) {
        let wanted_types: Vec<String> = bridges
            .bridges
            .values()
            .map(|b| dp_type(&b.datapath_type).to_string())
            .collect();
        self.dps.retain(|t, _| wanted_types.contains(t));
        for t in &wanted_types {
            if self.dps.contains_key(t) {
                continue;
            }
            let class = match t.as_str() {
                "dummy" => Class::Dummy,
                _ => Class::Netdev,
            };
            match Backer::open(class, self.events.clone()) {
                Ok(dp) => {
                    info!(target: "dpif_netdev", "{}: datapath opened", class.dp_name());
                    self.dps.insert(t.clone(), dp);
                }
                Err(e) => {
                    warn!(target: "dpif", "{}: could not open datapath ({e})", class.dp_name())
                }
            }
        }

        // Every interface that should have a datapath port, with its spec.
        let mut wanted: HashMap<(String, String), (String, PortSpec)> = HashMap::new();
        for br in bridges.bridges.values() {
            let t = dp_type(&br.datapath_type).to_string();
            for iface in br.ifaces.values() {
                if iface.netdev.kind == Kind::Patch {
                    continue;
                }
                let key = (br.name.clone(), iface.name.clone());
                let spec = options.get(&key).cloned().unwrap_or_else(|| PortSpec {
                    name: iface.name.clone(),
                    port_type: if iface.name == br.name {
                        "internal".to_string()
                    } else {
                        String::new()
                    },
                    options: BTreeMap::new(),
                });
                wanted.insert(key, (t.clone(), spec));
            }
        }

        // Ports that went away or changed.
        let specs = &self.specs;
        let dps = &self.dps;
        self.ports.retain(|key, r| {
            let keep = wanted.get(key).is_some_and(|(t, spec)| {
                *t == r.datapath_type
                    && specs.get(&(t.clone(), r.port)) == Some(spec)
                    && dps.contains_key(t)
            });
            if !keep && let Some(b) = dps.get(&r.datapath_type) {
                let _ = b.dp.port_del(r.port);
            }
            keep
        });
        let live: Vec<(String, OdpPort)> = self
            .ports
            .values()
            .map(|r| (r.datapath_type.clone(), r.port))
            .collect();
        self.specs.retain(|k, _| live.contains(k));

        let mut keys: Vec<_> = wanted.keys().cloned().collect();
        keys.sort();
        for key in keys {
            if self.ports.contains_key(&key) {
                continue;
            }
            let Some((t, spec)) = wanted.get(&key) else {
                continue;
            };
            let Some(dp) = self.dps.get(t).map(|b| &b.dp) else {
                continue;
            };
            match dp.port_add(spec, None) {
                Ok(port) => {
                    info!(target: "dpif_netdev", "{}: added port {} ({})", dp.name(), spec.name, port.0);
                    self.specs.insert((t.clone(), port), spec.clone());
                    self.ports.insert(
                        key,
                        DpPortRef {
                            datapath_type: t.clone(),
                            port,
                        },
                    );
                }
                Err(e) => warn!(
                    target: "bridge",
                    "could not add network device {} to ofproto ({e})",
                    spec.name
                ),
            }
        }
    }
}

impl Datapaths {
    /// Whether the device behind (bridge, interface) is up with carrier;
    /// interfaces without a device here (patch ports) are.
    pub fn link_up(&self, bridge: &str, iface: &str) -> bool {
        let Some(r) = self.ports.get(&(bridge.to_string(), iface.to_string())) else {
            return true;
        };
        let Some(b) = self.dps.get(&r.datapath_type) else {
            return true;
        };
        b.dp.netdev(r.port).is_none_or(|n| n.is_up() && n.carrier())
    }

    /// Where `bridge`'s OpenFlow port statistics come from.
    pub fn port_counters(&self, bridge: &crate::bridge::Bridge) -> Arc<DeviceCounters> {
        let mut devices = BTreeMap::new();
        for iface in bridge.ifaces.values() {
            let key = (bridge.name.clone(), iface.name.clone());
            let Some(r) = self.ports.get(&key) else {
                continue;
            };
            if let Some(n) = self
                .dps
                .get(&r.datapath_type)
                .and_then(|b| b.dp.netdev(r.port))
            {
                devices.insert(ovs_ofp_core::OfpPort(iface.ofport), n);
            }
        }
        Arc::new(DeviceCounters { devices })
    }

    /// Every interface's [`Datapaths::link_up`], to notice changes.
    pub fn links(&self) -> Vec<bool> {
        let mut keys: Vec<&(String, String)> = self.ports.keys().collect();
        keys.sort();
        keys.into_iter().map(|(b, i)| self.link_up(b, i)).collect()
    }
}

/// A bridge's port devices, for OpenFlow port statistics.
pub struct DeviceCounters {
    devices: BTreeMap<ovs_ofp_core::OfpPort, Arc<dyn ovs_netdev::Netdev>>,
}

impl ovs_ofproto::PortCounterSource for DeviceCounters {
    fn counters(&self, port: ovs_ofp_core::OfpPort) -> Option<ovs_ofp_msgs::PortCounters> {
        let n = self.devices.get(&port)?;
        let s = n.stats();
        // Counters a device does not keep are all ones on both sides.
        let c = ovs_ofp_msgs::PortCounters {
            rx_packets: s.rx_packets,
            tx_packets: s.tx_packets,
            rx_bytes: s.rx_bytes,
            tx_bytes: s.tx_bytes,
            rx_dropped: s.rx_dropped,
            tx_dropped: s.tx_dropped,
            rx_errors: s.rx_errors,
            tx_errors: s.tx_errors,
            rx_frame_errors: s.rx_frame_errors,
            rx_over_errors: s.rx_over_errors,
            rx_crc_errors: s.rx_crc_errors,
            collisions: s.collisions,
            ..ovs_ofp_msgs::PortCounters::default()
        };
        Some(c)
    }
}

/// The datapath type a bridge's `datapath_type` column names.
pub fn dp_type(t: &str) -> &str {
    if t.is_empty() { "system" } else { t }
}
