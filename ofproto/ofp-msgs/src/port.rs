//! Ports: descriptions (features reply, port status, port description
//! replies), port mod, and port statistics.

use ovs_ofp_core::{OfpErr, OfpPort, Reader, Version, Writer};

use crate::prop;
use crate::util::{get_mac, get_name, port_from_of11, put_name, short};

/// `OFP_MAX_PORT_NAME_LEN`.
pub const PORT_NAME_LEN: usize = 16;

/// Port config bits in OVS's numbering (`OFPUTIL_PC_*`).
pub mod config {
    pub const PORT_DOWN: u32 = 1 << 0;
    /// OpenFlow 1.0 only.
    pub const NO_STP: u32 = 1 << 1;
    pub const NO_RECV: u32 = 1 << 2;
    /// OpenFlow 1.0 only.
    pub const NO_RECV_STP: u32 = 1 << 3;
    /// OpenFlow 1.0 only.
    pub const NO_FLOOD: u32 = 1 << 4;
    pub const NO_FWD: u32 = 1 << 5;
    pub const NO_PACKET_IN: u32 = 1 << 6;
    /// Every bit OpenFlow 1.0 defines.
    pub const ALL_OF10: u32 = 0x7f;
    /// Every bit OpenFlow 1.1+ defines.
    pub const ALL_OF11: u32 = PORT_DOWN | NO_RECV | NO_FWD | NO_PACKET_IN;
}

/// Port state bits in OVS's numbering (`OFPUTIL_PS_*`).
pub mod state {
    pub const LINK_DOWN: u32 = 1 << 0;
    /// OpenFlow 1.1+.
    pub const BLOCKED: u32 = 1 << 1;
    /// OpenFlow 1.1+.
    pub const LIVE: u32 = 1 << 2;
    /// OpenFlow 1.0 spanning tree state (2 bits).
    pub const STP_MASK: u32 = 3 << 8;
    pub const ALL_OF10: u32 = LINK_DOWN | STP_MASK;
    pub const ALL_OF11: u32 = LINK_DOWN | BLOCKED | LIVE;
}

/// The config bits `version` carries.
pub fn config_mask(version: Version) -> u32 {
    if version == Version::Of10 {
        config::ALL_OF10
    } else {
        config::ALL_OF11
    }
}

/// The state bits `version` carries.
pub fn state_mask(version: Version) -> u32 {
    if version == Version::Of10 {
        state::ALL_OF10
    } else {
        state::ALL_OF11
    }
}

/// Port features (`NETDEV_F_*`, which equal OpenFlow 1.1's `OFPPF_*`) as
/// OpenFlow 1.0 packs them.
fn features_from_of10(f: u32) -> u32 {
    (f & 0x7f) | ((f & 0xf80) << 4)
}

fn features_to_of10(f: u32) -> u32 {
    (f & 0x7f) | ((f & 0xf800) >> 4)
}

/// The features OpenFlow 1.0 can carry.
pub const FEATURES_OF10: u32 = 0x7f | 0xf800;

/// The speed implied by a features bitmap, in kbps (OVS's
/// `netdev_features_to_bps` / 1000 with no default).
pub fn features_to_kbps(f: u32) -> u32 {
    const TABLE: [(u32, u32); 7] = [
        (1 << 9, 1_000_000_000),
        (1 << 8, 100_000_000),
        (1 << 7, 40_000_000),
        (1 << 6, 10_000_000),
        (0x30, 1_000_000),
        (0x0c, 100_000),
        (0x03, 10_000),
    ];
    TABLE
        .iter()
        .find(|(bits, _)| f & bits != 0)
        .map_or(0, |(_, kbps)| *kbps)
}

/// A port description (OVS's `ofputil_phy_port`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhyPort {
    pub port_no: OfpPort,
    pub hw_addr: [u8; 6],
    /// At most 15 bytes.
    pub name: String,
    /// [`config`] bits.
    pub config: u32,
    /// [`state`] bits.
    pub state: u32,
    /// `NETDEV_F_*` feature bitmaps.
    pub curr: u32,
    pub advertised: u32,
    pub supported: u32,
    pub peer: u32,
    /// In kbps; OpenFlow 1.0 derives them from the features.
    pub curr_speed: u32,
    pub max_speed: u32,
}

impl PhyPort {
    /// Decodes one port description.
    pub(crate) fn decode(version: Version, r: &mut Reader<'_>) -> Result<PhyPort, OfpErr> {
        match version {
            Version::Of10 => {
                let port_no = OfpPort(r.u16().map_err(short)?);
                let hw_addr = get_mac(r)?;
                let name = get_name(r, PORT_NAME_LEN)?;
                let config = r.u32().map_err(short)? & config::ALL_OF10;
                let state = r.u32().map_err(short)? & state::ALL_OF10;
                let curr = features_from_of10(r.u32().map_err(short)?);
                let advertised = features_from_of10(r.u32().map_err(short)?);
                let supported = features_from_of10(r.u32().map_err(short)?);
                let peer = features_from_of10(r.u32().map_err(short)?);
                Ok(PhyPort {
                    port_no,
                    hw_addr,
                    name,
                    config,
                    state,
                    curr,
                    advertised,
                    supported,
                    peer,
                    curr_speed: features_to_kbps(curr),
                    max_speed: features_to_kbps(supported),
                })
            }
            Version::Of11 | Version::Of12 | Version::Of13 => {
                let port_no = port_from_of11(r.u32().map_err(short)?)?;
                r.skip(4).map_err(short)?;
                let hw_addr = get_mac(r)?;
                r.skip(2).map_err(short)?;
                let name = get_name(r, PORT_NAME_LEN)?;
                Ok(PhyPort {
                    port_no,
                    hw_addr,
                    name,
                    config: r.u32().map_err(short)? & config::ALL_OF11,
                    state: r.u32().map_err(short)? & state::ALL_OF11,
                    curr: r.u32().map_err(short)? & 0xffff,
                    advertised: r.u32().map_err(short)? & 0xffff,
                    supported: r.u32().map_err(short)? & 0xffff,
                    peer: r.u32().map_err(short)? & 0xffff,
                    curr_speed: r.u32().map_err(short)?,
                    max_speed: r.u32().map_err(short)?,
                })
            }
            Version::Of14 | Version::Of15 => {
                let total = r.remaining();
                if total < 40 {
                    return Err(OfpErr::OfpbrcBadLen);
                }
                let port_no_raw = r.u32().map_err(short)?;
                let len = usize::from(r.u16().map_err(short)?);
                if len < 40 || len - 40 > total - 40 {
                    return Err(OfpErr::OfpbrcBadLen);
                }
                r.skip(2).map_err(short)?;
                let hw_addr = get_mac(r)?;
                r.skip(2).map_err(short)?;
                let name = get_name(r, PORT_NAME_LEN)?;
                let config = r.u32().map_err(short)? & config::ALL_OF11;
                let state = r.u32().map_err(short)? & state::ALL_OF11;
                let mut props = r.sub(len - 40).map_err(short)?;
                let port_no = port_from_of11(port_no_raw)?;
                let mut p = PhyPort {
                    port_no,
                    hw_addr,
                    name,
                    config,
                    state,
                    curr: 0,
                    advertised: 0,
                    supported: 0,
                    peer: 0,
                    curr_speed: 0,
                    max_speed: 0,
                };
                while !props.is_empty() {
                    let pr = prop::pull(&mut props)?;
                    if pr.prop_type == 0 {
                        if pr.whole.len() != 32 {
                            return Err(OfpErr::OfpbpcBadLen);
                        }
                        let mut e = Reader::new(&pr.whole[8..]);
                        p.curr = e.u32().map_err(short)? & 0xffff;
                        p.advertised = e.u32().map_err(short)? & 0xffff;
                        p.supported = e.u32().map_err(short)? & 0xffff;
                        p.peer = e.u32().map_err(short)? & 0xffff;
                        p.curr_speed = e.u32().map_err(short)?;
                        p.max_speed = e.u32().map_err(short)?;
                    }
                }
                Ok(p)
            }
        }
    }

    /// Encodes one port description.
    pub(crate) fn encode(&self, version: Version, w: &mut Writer) {
        match version {
            Version::Of10 => {
                w.u16(self.port_no.0);
                w.bytes(&self.hw_addr);
                put_name(w, &self.name, PORT_NAME_LEN);
                w.u32(self.config & config::ALL_OF10);
                w.u32(self.state & state::ALL_OF10);
                for f in [self.curr, self.advertised, self.supported, self.peer] {
                    w.u32(features_to_of10(f));
                }
            }
            Version::Of11 | Version::Of12 | Version::Of13 => {
                w.u32(self.port_no.to_of11());
                w.zeros(4);
                w.bytes(&self.hw_addr);
                w.zeros(2);
                put_name(w, &self.name, PORT_NAME_LEN);
                w.u32(self.config & config::ALL_OF11);
                w.u32(self.state & state::ALL_OF11);
                for f in [self.curr, self.advertised, self.supported, self.peer] {
                    w.u32(f & 0xffff);
                }
                w.u32(self.curr_speed);
                w.u32(self.max_speed);
            }
            Version::Of14 | Version::Of15 => {
                w.u32(self.port_no.to_of11());
                w.u16(40 + 32);
                w.zeros(2);
                w.bytes(&self.hw_addr);
                w.zeros(2);
                put_name(w, &self.name, PORT_NAME_LEN);
                w.u32(self.config & config::ALL_OF11);
                w.u32(self.state & state::ALL_OF11);
                w.u16(0);
                w.u16(32);
                w.zeros(4);
                for f in [self.curr, self.advertised, self.supported, self.peer] {
                    w.u32(f & 0xffff);
                }
                w.u32(self.curr_speed);
                w.u32(self.max_speed);
            }
        }
    }

    /// This port as it survives encoding for `version` then decoding.
    pub fn normalized(&self, version: Version) -> PhyPort {
        let mut w = Writer::new();
        self.encode(version, &mut w);
        PhyPort::decode(version, &mut Reader::new(w.as_slice())).unwrap_or_else(|_| self.clone())
    }
}

/// `OFPPR_*`: why a port status was sent.
pub mod reason {
    pub const ADD: u8 = 0;
    pub const DELETE: u8 = 1;
    pub const MODIFY: u8 = 2;
}

/// `OFPT_PORT_STATUS`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortStatus {
    /// [`reason`].
    pub reason: u8,
    pub desc: PhyPort,
}

impl PortStatus {
    pub(crate) fn decode(version: Version, r: &mut Reader<'_>) -> Result<PortStatus, OfpErr> {
        let reason = r.u8().map_err(short)?;
        r.skip(7).map_err(short)?;
        if reason > reason::MODIFY {
            return Err(OfpErr::NxbrcBadReason);
        }
        let desc = PhyPort::decode(version, r)?;
        Ok(PortStatus { reason, desc })
    }

    pub(crate) fn encode(&self, version: Version, w: &mut Writer) {
        w.u8(self.reason);
        w.zeros(7);
        self.desc.encode(version, w);
    }
}

/// `OFPT_PORT_MOD`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortMod {
    pub port_no: OfpPort,
    pub hw_addr: [u8; 6],
    /// [`config`] bits to set (only those in `mask` count).
    pub config: u32,
    pub mask: u32,
    /// `NETDEV_F_*` features to advertise; 0 leaves them alone.
    pub advertise: u32,
}

impl PortMod {
    /// Decodes a port mod (OVS's `ofputil_decode_port_mod`, strict).
    pub(crate) fn decode(version: Version, r: &mut Reader<'_>) -> Result<PortMod, OfpErr> {
        let mut pm = match version {
            Version::Of10 => {
                let port_no = OfpPort(r.u16().map_err(short)?);
                let hw_addr = get_mac(r)?;
                let config = r.u32().map_err(short)? & config::ALL_OF10;
                let mask = r.u32().map_err(short)? & config::ALL_OF10;
                let advertise = features_from_of10(r.u32().map_err(short)?);
                PortMod {
                    port_no,
                    hw_addr,
                    config,
                    mask,
                    advertise,
                }
            }
            Version::Of11 | Version::Of12 | Version::Of13 => {
                let port_no = port_from_of11(r.u32().map_err(short)?)?;
                r.skip(4).map_err(short)?;
                let hw_addr = get_mac(r)?;
                r.skip(2).map_err(short)?;
                PortMod {
                    port_no,
                    hw_addr,
                    config: r.u32().map_err(short)? & config::ALL_OF11,
                    mask: r.u32().map_err(short)? & config::ALL_OF11,
                    advertise: r.u32().map_err(short)? & 0xffff,
                }
            }
            Version::Of14 | Version::Of15 => {
                let port_no = port_from_of11(r.u32().map_err(short)?)?;
                r.skip(4).map_err(short)?;
                let hw_addr = get_mac(r)?;
                r.skip(2).map_err(short)?;
                let config = r.u32().map_err(short)? & config::ALL_OF11;
                let mask = r.u32().map_err(short)? & config::ALL_OF11;
                let mut pm = PortMod {
                    port_no,
                    hw_addr,
                    config,
                    mask,
                    advertise: 0,
                };
                while !r.is_empty() {
                    let p = prop::pull(r)?;
                    if p.prop_type == 0 {
                        pm.advertise = p.u32()? & 0xffff;
                    } else {
                        prop::unknown(false, p.prop_type)?;
                    }
                }
                pm
            }
        };
        pm.config &= pm.mask;
        Ok(pm)
    }

    pub(crate) fn encode(&self, version: Version, w: &mut Writer) {
        match version {
            Version::Of10 => {
                w.u16(self.port_no.0);
                w.bytes(&self.hw_addr);
                w.u32(self.config & config::ALL_OF10);
                w.u32(self.mask & config::ALL_OF10);
                w.u32(features_to_of10(self.advertise));
                w.zeros(4);
            }
            _ => {
                w.u32(self.port_no.to_of11());
                w.zeros(4);
                w.bytes(&self.hw_addr);
                w.zeros(2);
                w.u32(self.config & config::ALL_OF11);
                w.u32(self.mask & config::ALL_OF11);
                if version <= Version::Of13 {
                    w.u32(self.advertise & 0xffff);
                    w.zeros(4);
                } else if self.advertise != 0 {
                    prop::put_u32(w, 0, self.advertise & 0xffff);
                }
            }
        }
    }
}

/// Port counters (OVS's `netdev_stats` as port stats carry it). A counter
/// the message did not carry is `u64::MAX`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortCounters {
    pub rx_packets: u64,
    pub tx_packets: u64,
    pub rx_bytes: u64,
    pub tx_bytes: u64,
    pub rx_dropped: u64,
    pub tx_dropped: u64,
    pub rx_errors: u64,
    pub tx_errors: u64,
    pub rx_frame_errors: u64,
    pub rx_over_errors: u64,
    pub rx_crc_errors: u64,
    pub collisions: u64,
    /// RFC 2819 counters (Intel's OpenFlow 1.4+ extension), in wire order:
    /// rx 1-64, 65-127, 128-255, 256-511, 512-1023, 1024-1522, 1523-max;
    /// the same for tx; tx multicast, rx broadcast, tx broadcast, rx
    /// undersized, rx oversize, rx fragmented, rx jabber errors.
    pub rfc2819: [u64; 21],
}

impl Default for PortCounters {
    fn default() -> Self {
        PortCounters {
            rx_packets: u64::MAX,
            tx_packets: u64::MAX,
            rx_bytes: u64::MAX,
            tx_bytes: u64::MAX,
            rx_dropped: u64::MAX,
            tx_dropped: u64::MAX,
            rx_errors: u64::MAX,
            tx_errors: u64::MAX,
            rx_frame_errors: u64::MAX,
            rx_over_errors: u64::MAX,
            rx_crc_errors: u64::MAX,
            collisions: u64::MAX,
            rfc2819: [u64::MAX; 21],
        }
    }
}

/// Intel's experimenter ID.
pub const INTEL_VENDOR_ID: u32 = 0x0000_aa01;
const INTEL_PORT_STATS_RFC2819: u32 = 1;
const INTEL_PORT_STATS_CUSTOM: u32 = 2;

/// One port's statistics (OVS's `ofputil_port_stats`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortStats {
    pub port_no: OfpPort,
    pub stats: PortCounters,
    /// Named counters (OpenFlow 1.4+, Intel extension).
    pub custom: Vec<(String, u64)>,
    /// `u32::MAX` if unknown (OpenFlow 1.0-1.2).
    pub duration_sec: u32,
    pub duration_nsec: u32,
}

impl PortStats {
    pub(crate) fn decode(version: Version, r: &mut Reader<'_>) -> Result<PortStats, OfpErr> {
        let mut s = PortStats {
            port_no: OfpPort(0),
            stats: PortCounters::default(),
            custom: Vec::new(),
            duration_sec: u32::MAX,
            duration_nsec: u32::MAX,
        };
        let c = &mut s.stats;
        match version {
            Version::Of10 | Version::Of11 | Version::Of12 | Version::Of13 => {
                let size = match version {
                    Version::Of10 | Version::Of11 | Version::Of12 => 104,
                    _ => 112,
                };
                let mut e = r.sub(size).map_err(short)?;
                s.port_no = if version == Version::Of10 {
                    let p = OfpPort(e.u16().map_err(short)?);
                    e.skip(6).map_err(short)?;
                    p
                } else {
                    let p = port_from_of11(e.u32().map_err(short)?)?;
                    e.skip(4).map_err(short)?;
                    p
                };
                for f in [
                    &mut c.rx_packets,
                    &mut c.tx_packets,
                    &mut c.rx_bytes,
                    &mut c.tx_bytes,
                    &mut c.rx_dropped,
                    &mut c.tx_dropped,
                    &mut c.rx_errors,
                    &mut c.tx_errors,
                    &mut c.rx_frame_errors,
                    &mut c.rx_over_errors,
                    &mut c.rx_crc_errors,
                    &mut c.collisions,
                ] {
                    *f = e.u64().map_err(short)?;
                }
                if version == Version::Of13 {
                    s.duration_sec = e.u32().map_err(short)?;
                    s.duration_nsec = e.u32().map_err(short)?;
                }
            }
            Version::Of14 | Version::Of15 => {
                if r.remaining() < 80 {
                    return Err(OfpErr::OfpbrcBadLen);
                }
                let len = usize::from(r.u16().map_err(short)?);
                if len < 80 || len - 80 > r.remaining() - 78 {
                    return Err(OfpErr::OfpbrcBadLen);
                }
                r.skip(2).map_err(short)?;
                s.port_no = port_from_of11(r.u32().map_err(short)?)?;
                s.duration_sec = r.u32().map_err(short)?;
                s.duration_nsec = r.u32().map_err(short)?;
                for f in [
                    &mut c.rx_packets,
                    &mut c.tx_packets,
                    &mut c.rx_bytes,
                    &mut c.tx_bytes,
                    &mut c.rx_dropped,
                    &mut c.tx_dropped,
                    &mut c.rx_errors,
                    &mut c.tx_errors,
                ] {
                    *f = r.u64().map_err(short)?;
                }
                let mut props = r.sub(len - 80).map_err(short)?;
                while !props.is_empty() {
                    let p = prop::pull(&mut props)?;
                    if p.prop_type == 0 {
                        if p.whole.len() != 40 {
                            return Err(OfpErr::OfpbpcBadLen);
                        }
                        let mut e = Reader::new(&p.whole[8..]);
                        c.rx_frame_errors = e.u64().map_err(short)?;
                        c.rx_over_errors = e.u64().map_err(short)?;
                        c.rx_crc_errors = e.u64().map_err(short)?;
                        c.collisions = e.u64().map_err(short)?;
                    } else if p.prop_type == prop::exp(INTEL_VENDOR_ID, INTEL_PORT_STATS_RFC2819) {
                        if p.whole.len() != 184 {
                            return Err(OfpErr::OfpbpcBadLen);
                        }
                        let mut e = Reader::new(&p.whole[16..]);
                        for v in c.rfc2819.iter_mut() {
                            *v = e.u64().map_err(short)?;
                        }
                    } else if p.prop_type == prop::exp(INTEL_VENDOR_ID, INTEL_PORT_STATS_CUSTOM) {
                        let bad = |_| OfpErr::OfpbpcBadLen;
                        let mut e = Reader::new(p.whole);
                        e.skip(14).map_err(bad)?;
                        let n = e.u16().map_err(bad)?;
                        s.custom.clear();
                        for _ in 0..n {
                            let name_len = usize::from(e.u8().map_err(bad)?);
                            let name = e.take(name_len).map_err(bad)?;
                            // OVS keeps at most 31 bytes of a counter name.
                            let name = &name[..name.len().min(31)];
                            let value = e.u64().map_err(bad)?;
                            s.custom
                                .push((String::from_utf8_lossy(name).into_owned(), value));
                        }
                    }
                }
            }
        }
        Ok(s)
    }

    pub(crate) fn encode(&self, version: Version, w: &mut Writer) {
        let c = &self.stats;
        match version {
            Version::Of10 | Version::Of11 | Version::Of12 | Version::Of13 => {
                if version == Version::Of10 {
                    w.u16(self.port_no.0);
                    w.zeros(6);
                } else {
                    w.u32(self.port_no.to_of11());
                    w.zeros(4);
                }
                for v in [
                    c.rx_packets,
                    c.tx_packets,
                    c.rx_bytes,
                    c.tx_bytes,
                    c.rx_dropped,
                    c.tx_dropped,
                    c.rx_errors,
                    c.tx_errors,
                    c.rx_frame_errors,
                    c.rx_over_errors,
                    c.rx_crc_errors,
                    c.collisions,
                ] {
                    w.u64(v);
                }
                if version == Version::Of13 {
                    w.u32(self.duration_sec);
                    w.u32(self.duration_nsec);
                }
            }
            Version::Of14 | Version::Of15 => {
                let start = w.len();
                w.u16(0);
                w.zeros(2);
                w.u32(self.port_no.to_of11());
                w.u32(self.duration_sec);
                w.u32(self.duration_nsec);
                for v in [
                    c.rx_packets,
                    c.tx_packets,
                    c.rx_bytes,
                    c.tx_bytes,
                    c.rx_dropped,
                    c.tx_dropped,
                    c.rx_errors,
                    c.tx_errors,
                ] {
                    w.u64(v);
                }
                let at = prop::start(w, 0);
                w.zeros(4);
                for v in [
                    c.rx_frame_errors,
                    c.rx_over_errors,
                    c.rx_crc_errors,
                    c.collisions,
                ] {
                    w.u64(v);
                }
                prop::end(w, at);
                let at = prop::start(w, prop::exp(INTEL_VENDOR_ID, INTEL_PORT_STATS_RFC2819));
                w.zeros(4);
                for v in c.rfc2819 {
                    w.u64(v);
                }
                prop::end(w, at);
                if !self.custom.is_empty() {
                    let at = prop::start(w, prop::exp(INTEL_VENDOR_ID, INTEL_PORT_STATS_CUSTOM));
                    w.zeros(2);
                    w.u16(self.custom.len() as u16);
                    for (name, value) in &self.custom {
                        // OVS keeps at most 31 bytes of a name.
                        let n = crate::util::truncated_len(name, 31);
                        w.u8(n as u8);
                        w.bytes(&name.as_bytes()[..n]);
                        w.u64(*value);
                    }
                    prop::end(w, at);
                }
                let len = w.len() - start;
                w.patch_u16(start, len as u16);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn of10_features_and_speed() {
        assert_eq!(features_from_of10(0x80), 1 << 11);
        assert_eq!(features_to_of10(1 << 11), 0x80);
        assert_eq!(features_to_kbps(1 << 5), 1_000_000);
        assert_eq!(features_to_kbps(0), 0);
    }
}
