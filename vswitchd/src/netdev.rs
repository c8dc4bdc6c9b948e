//! The network devices behind ports, as far as part 1 of the switch needs
//! them: identity (type, address, MTU) and OVS's open errors. Moving packets
//! is the datapath's business (`datapath/`, next issue); until then a port's
//! netdev is its description, not an I/O handle.

use std::collections::BTreeMap;

use crate::bridge::Capabilities;
use crate::options::Dummy;

/// What backs a port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// OVS's dummy netdev (tests): no host device.
    Dummy,
    /// The bridge's local port or `type=internal`.
    Internal,
    /// An existing Linux device (`type=system` or empty).
    System,
    Tap,
    /// A patch port to another bridge.
    Patch,
    /// A type this switch does not know.
    Unknown,
}

impl Kind {
    /// The kind that `type` (the Interface column) opens as.
    pub fn for_type(iface_type: &str, caps: Capabilities) -> Kind {
        if caps.dummy == Dummy::Override && iface_type != "patch" {
            return Kind::Dummy;
        }
        match iface_type {
            "dummy" | "dummy-internal" | "dummy-pmd" if caps.dummy != Dummy::Off => Kind::Dummy,
            "internal" => Kind::Internal,
            "" | "system" => Kind::System,
            "tap" => Kind::Tap,
            "patch" => Kind::Patch,
            _ => Kind::Unknown,
        }
    }
}

/// Hands out OVS's dummy addresses: `aa:55:aa:55:00:01`, `:02`, ... in
/// creation order, for the life of the process.
#[derive(Debug, Default)]
pub struct DummyMacs {
    next: u32,
}

impl DummyMacs {
    pub fn next(&mut self) -> [u8; 6] {
        self.next += 1;
        let n = self.next.to_be_bytes();
        [0xaa, 0x55, 0xaa, 0x55, n[2], n[3]]
    }
}

/// A port's device.
#[derive(Clone, Debug)]
pub struct Netdev {
    pub kind: Kind,
    pub mac: [u8; 6],
    /// `None` for devices without one (patch ports).
    pub mtu: Option<i64>,
}

const DEFAULT_MTU: i64 = 1500;

impl Netdev {
    /// Whether OVS would open this port with its dummy netdev class: dummy
    /// ports, and internal ports of a dummy datapath (`dummy-internal`).
    fn is_dummy_class(&self, datapath_type: &str) -> bool {
        match self.kind {
            Kind::Dummy => true,
            Kind::Internal => datapath_type == "dummy",
            _ => false,
        }
    }

    /// The queues the device reports to OpenFlow queue requests, all with
    /// unknown statistics. OVS's dummy netdev has exactly queue 0; Linux
    /// devices without QoS configured and patch ports have none.
    pub fn queue_ids(&self, datapath_type: &str) -> &'static [u32] {
        if self.is_dummy_class(datapath_type) {
            &[0]
        } else {
            &[]
        }
    }

    /// The device's custom counters (OpenFlow 1.4+ port statistics). OVS's
    /// dummy netdev has two of its own and bytes/packets per queue, for its
    /// one receive and one transmit queue; nothing moves packets yet, so
    /// all are zero.
    pub fn custom_stats(&self, datapath_type: &str) -> Vec<(String, u64)> {
        if !self.is_dummy_class(datapath_type) {
            return Vec::new();
        }
        [
            "rx_custom_packets_1",
            "rx_custom_packets_2",
            "rx_q0_bytes",
            "rx_q0_packets",
        ]
        .into_iter()
        .chain(["tx_q0_bytes", "tx_q0_packets"])
        .map(|n| (n.to_string(), 0))
        .collect()
    }

    /// A device with no backing (the fallback for a local port that
    /// cannot be opened).
    pub fn synthetic(mac: [u8; 6]) -> Netdev {
        Netdev {
            kind: Kind::Internal,
            mac,
            mtu: Some(DEFAULT_MTU),
        }
    }

    /// Opens `name` as `iface_type`; errors are the texts OVS writes to the
    /// Interface's `error` column.
    pub fn open(
        name: &str,
        iface_type: &str,
        options: &BTreeMap<String, String>,
        caps: Capabilities,
        macs: &mut DummyMacs,
    ) -> Result<Netdev, String> {
        let kind = Kind::for_type(iface_type, caps);
        let open_error = |why: &str| format!("could not open network device {name} ({why})");
        match kind {
            // With the dummy classes loaded OVS's internal ports on a dummy
            // datapath are dummies too; on the netdev datapath they will be
            // tap devices once the datapath exists (part 2), and until then
            // take a dummy address.
            Kind::Dummy | Kind::Internal | Kind::Tap => Ok(Netdev {
                kind,
                mac: macs.next(),
                mtu: Some(DEFAULT_MTU),
            }),
            Kind::System => {
                let dir = std::path::Path::new("/sys/class/net").join(name);
                if name.contains('/') || !dir.exists() {
                    return Err(open_error("No such device"));
                }
                let mac = std::fs::read_to_string(dir.join("address"))
                    .ok()
                    .and_then(|s| crate::bridge::parse_mac(s.trim()))
                    .unwrap_or([0; 6]);
                let mtu = std::fs::read_to_string(dir.join("mtu"))
                    .ok()
                    .and_then(|s| s.trim().parse().ok())
                    .unwrap_or(DEFAULT_MTU);
                Ok(Netdev {
                    kind,
                    mac,
                    mtu: Some(mtu),
                })
            }
            Kind::Patch => match options.get("peer") {
                None => Err(format!("{name}: patch type requires valid 'peer' argument")),
                Some(_) if options.len() > 1 => {
                    Err(format!("{name}: patch type takes only a 'peer' argument"))
                }
                Some(peer) if peer == name => Err(format!("{name}: patch peer must not be self")),
                Some(_) => Ok(Netdev {
                    kind,
                    mac: macs.next(),
                    mtu: None,
                }),
            },
            Kind::Unknown => Err(open_error("Address family not supported by protocol")),
        }
    }
}
