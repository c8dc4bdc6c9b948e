//! Session and switch configuration: hello, features, get/set config.

use ovs_ofp_core::{OfpErr, Reader, Version, Writer};

use crate::port::PhyPort;
use crate::util::short;

/// `OFPHET_VERSIONBITMAP`.
const OFPHET_VERSIONBITMAP: u16 = 1;

/// `OFPT_HELLO`: the versions the sender speaks, as a bitmap (bit n =
/// wire version n).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hello {
    pub versions: u32,
}

/// The versions a hello of wire version `version` implies without a
/// bitmap: every version from 1 up to it.
pub fn versions_up_to(version: u8) -> u32 {
    let top = if version < 32 { 1u32 << version } else { 0 };
    top.wrapping_sub(1) << 1
}

impl Hello {
    /// Decodes the body (OVS's `ofputil_decode_hello`). Like OVS this never
    /// fails: elements it does not understand are ignored.
    pub(crate) fn decode(version: u8, r: &mut Reader<'_>) -> Hello {
        let mut versions = versions_up_to(version);
        while !r.is_empty() {
            let Ok(head) = r.peek(4) else { break };
            let elem_type = u16::from_be_bytes([head[0], head[1]]);
            let len = usize::from(u16::from_be_bytes([head[2], head[3]]));
            if len < 4 {
                break;
            }
            let Ok(elem) = r.take(len.div_ceil(8) * 8) else {
                break;
            };
            if elem_type == OFPHET_VERSIONBITMAP {
                let bitmap = &elem[4..len];
                if !bitmap.is_empty() && bitmap.len() % 4 == 0 {
                    // Only the first word: versions above 31 do not exist.
                    let v = u32::from_be_bytes([bitmap[0], bitmap[1], bitmap[2], bitmap[3]]) & !1;
                    if v != 0 {
                        versions = v;
                    }
                }
            }
        }
        Hello { versions }
    }

    /// Encodes the body: a version bitmap element unless the header's
    /// version alone says the same.
    pub(crate) fn encode(&self, version: Version, w: &mut Writer) {
        if self.versions != versions_up_to(version.wire()) {
            w.u16(OFPHET_VERSIONBITMAP);
            w.u16(8);
            w.u32(self.versions);
        }
    }

    /// The hello OVS sends for `versions`: its header carries the highest
    /// version, and the bitmap is added only when needed.
    pub fn header_version(&self) -> Option<Version> {
        (1..=6u8)
            .rev()
            .find(|v| self.versions & (1 << v) != 0)
            .and_then(Version::from_wire)
    }
}

/// Capabilities in OVS's version-independent numbering
/// (`OFPUTIL_C_*`).
pub mod capabilities {
    pub const FLOW_STATS: u32 = 1 << 0;
    pub const TABLE_STATS: u32 = 1 << 1;
    pub const PORT_STATS: u32 = 1 << 2;
    /// OpenFlow 1.0 only.
    pub const STP: u32 = 1 << 3;
    /// OpenFlow 1.1+ (bit 3 on the wire).
    pub const GROUP_STATS: u32 = 1 << 4;
    pub const IP_REASM: u32 = 1 << 5;
    pub const QUEUE_STATS: u32 = 1 << 6;
    /// OpenFlow 1.0 and 1.1.
    pub const ARP_MATCH_IP: u32 = 1 << 7;
    /// OpenFlow 1.2+.
    pub const PORT_BLOCKED: u32 = 1 << 8;
    /// OpenFlow 1.4+.
    pub const BUNDLES: u32 = 1 << 9;
    /// OpenFlow 1.4+.
    pub const FLOW_MONITORING: u32 = 1 << 10;
}

const OFPC_COMMON: u32 = capabilities::FLOW_STATS
    | capabilities::TABLE_STATS
    | capabilities::PORT_STATS
    | capabilities::IP_REASM
    | capabilities::QUEUE_STATS;

/// Capability bits whose wire position equals OVS's for `version`.
fn capabilities_mask(version: Version) -> u32 {
    use capabilities::*;
    match version {
        Version::Of10 | Version::Of11 => OFPC_COMMON | ARP_MATCH_IP,
        Version::Of12 | Version::Of13 => OFPC_COMMON | PORT_BLOCKED,
        Version::Of14 | Version::Of15 => OFPC_COMMON | PORT_BLOCKED | BUNDLES | FLOW_MONITORING,
    }
}

/// The capabilities `version` can carry.
pub fn capabilities_in(version: Version) -> u32 {
    capabilities_mask(version)
        | if version == Version::Of10 {
            capabilities::STP
        } else {
            capabilities::GROUP_STATS
        }
}

/// `OFPT_FEATURES_REPLY`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SwitchFeatures {
    pub datapath_id: u64,
    pub n_buffers: u32,
    pub n_tables: u8,
    /// OpenFlow 1.3+.
    pub auxiliary_id: u8,
    /// `OFPUTIL_C_*` bits (see [`capabilities`]).
    pub capabilities: u32,
    /// OpenFlow 1.0's supported-actions bitmap, as on the wire.
    pub actions: u32,
    /// The ports, in OpenFlow 1.0 to 1.2 only (1.3+ uses port description
    /// requests). OVS leaves out ports that do not fit in 64 KiB.
    pub ports: Vec<PhyPort>,
}

impl SwitchFeatures {
    pub(crate) fn decode(version: Version, r: &mut Reader<'_>) -> Result<SwitchFeatures, OfpErr> {
        let datapath_id = r.u64().map_err(short)?;
        let n_buffers = r.u32().map_err(short)?;
        let n_tables = r.u8().map_err(short)?;
        let auxiliary_id = r.u8().map_err(short)?;
        r.skip(2).map_err(short)?;
        let wire_caps = r.u32().map_err(short)?;
        let wire_actions = r.u32().map_err(short)?;
        let mut caps = wire_caps & capabilities_mask(version);
        let mut f = SwitchFeatures {
            datapath_id,
            n_buffers,
            n_tables,
            auxiliary_id: 0,
            capabilities: 0,
            actions: 0,
            ports: Vec::new(),
        };
        if version == Version::Of10 {
            if wire_caps & (1 << 3) != 0 {
                caps |= capabilities::STP;
            }
            f.actions = wire_actions;
        } else {
            if wire_caps & (1 << 3) != 0 {
                caps |= capabilities::GROUP_STATS;
            }
            if version >= Version::Of13 {
                f.auxiliary_id = auxiliary_id;
            }
        }
        f.capabilities = caps;
        if version <= Version::Of12 {
            while !r.is_empty() {
                f.ports.push(PhyPort::decode(version, r)?);
            }
        }
        Ok(f)
    }

    pub(crate) fn encode(&self, version: Version, w: &mut Writer) {
        w.u64(self.datapath_id);
        w.u32(self.n_buffers);
        w.u8(self.n_tables);
        w.u8(if version >= Version::Of13 {
            self.auxiliary_id
        } else {
            0
        });
        w.zeros(2);
        let mut caps = self.capabilities & capabilities_mask(version);
        let special = if version == Version::Of10 {
            capabilities::STP
        } else {
            capabilities::GROUP_STATS
        };
        if self.capabilities & special != 0 {
            caps |= 1 << 3;
        }
        w.u32(caps);
        w.u32(if version == Version::Of10 {
            self.actions
        } else {
            0
        });
        if version <= Version::Of12 {
            for p in &self.ports {
                // Like OVS, drop a port that would overflow the message.
                let mut one = Writer::new();
                p.encode(version, &mut one);
                if w.len() + one.len() <= 65535 {
                    w.bytes(one.as_slice());
                }
            }
        }
    }
}

/// Fragment handling (`OFPC_FRAG_*`).
pub mod frag {
    pub const NORMAL: u16 = 0;
    pub const DROP: u16 = 1;
    pub const REASM: u16 = 2;
    pub const NX_MATCH: u16 = 3;
    pub const MASK: u16 = 3;
}

/// `OFPC_INVALID_TTL_TO_CONTROLLER` (OpenFlow 1.1 and 1.2).
pub const OFPC_INVALID_TTL_TO_CONTROLLER: u16 = 1 << 2;

/// `OFPT_GET_CONFIG_REPLY` and `OFPT_SET_CONFIG`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SwitchConfig {
    /// `OFPC_*` flags as on the wire (see [`frag`]).
    pub flags: u16,
    pub miss_send_len: u16,
}

impl SwitchConfig {
    /// Fragment handling (`frag::*`).
    pub fn frag(&self) -> u16 {
        self.flags & frag::MASK
    }

    /// Whether packets with an invalid TTL go to the controller; `None` in
    /// OpenFlow 1.3+, which has no such setting.
    pub fn invalid_ttl_to_controller(&self, version: Version) -> Option<bool> {
        (version < Version::Of13).then_some(self.flags & OFPC_INVALID_TTL_TO_CONTROLLER != 0)
    }

    /// Flags `version` defines.
    pub fn valid_flags(version: Version) -> u16 {
        if version < Version::Of13 {
            frag::MASK | OFPC_INVALID_TTL_TO_CONTROLLER
        } else {
            frag::MASK
        }
    }

    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<SwitchConfig, OfpErr> {
        Ok(SwitchConfig {
            flags: r.u16().map_err(short)?,
            miss_send_len: r.u16().map_err(short)?,
        })
    }

    /// A set-config with flags its version does not define is
    /// `OFPSCFC_BAD_FLAGS` (OVS's `ofputil_decode_set_config`).
    pub(crate) fn check_set(&self, version: Version) -> Result<(), OfpErr> {
        if self.flags & !SwitchConfig::valid_flags(version) != 0 {
            Err(OfpErr::OfpscfcBadFlags)
        } else {
            Ok(())
        }
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.u16(self.flags);
        w.u16(self.miss_send_len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_bitmaps() {
        assert_eq!(versions_up_to(4), 0b11110);
        let h = Hello::decode(4, &mut Reader::new(&[]));
        assert_eq!(h.versions, 0b11110);
        // ovs-ofctl -O OpenFlow13 sends a bitmap with only 1.3.
        let body = [0, 1, 0, 8, 0, 0, 0, 0x10];
        let h = Hello::decode(4, &mut Reader::new(&body));
        assert_eq!(h.versions, 0x10);
        let mut w = Writer::new();
        h.encode(Version::Of13, &mut w);
        assert_eq!(w.as_slice(), &body);
        // Unknown elements and a bad bitmap are ignored.
        let body = [0, 9, 0, 4, 0, 0, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0];
        assert_eq!(Hello::decode(2, &mut Reader::new(&body)).versions, 0b110);
        assert_eq!(
            Hello { versions: 0x30 }.header_version(),
            Some(Version::Of14)
        );
    }
}
