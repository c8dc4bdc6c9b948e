//! Nicira extension messages that have no standard counterpart: flow and
//! packet-in formats, the flow_mod table-id switch, the controller ID, the
//! tunnel metadata (TLV) table, conntrack flushes and IPFIX statistics.

use ovs_ofp_core::{OfpErr, Reader, Writer};

use crate::prop;
use crate::util::short;

/// `NXT_SET_FLOW_FORMAT` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlowFormat {
    /// `NXFF_OPENFLOW10`: OpenFlow 1.0 matches.
    OpenFlow10 = 0,
    /// `NXFF_NXM`: Nicira extended matches.
    Nxm = 2,
}

impl FlowFormat {
    /// An unknown format is `OFPBRC_EPERM`, as ofproto answers.
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<FlowFormat, OfpErr> {
        match r.u32().map_err(short)? {
            0 => Ok(FlowFormat::OpenFlow10),
            2 => Ok(FlowFormat::Nxm),
            _ => Err(OfpErr::OfpbrcEperm),
        }
    }
}

/// Packet-in formats (`NXT_SET_PACKET_IN_FORMAT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PacketInFormat {
    /// The version's standard `OFPT_PACKET_IN`.
    Standard = 0,
    /// `NXT_PACKET_IN`.
    Nxt = 1,
    /// `NXT_PACKET_IN2`.
    Nxt2 = 2,
}

impl PacketInFormat {
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<PacketInFormat, OfpErr> {
        match r.u32().map_err(short)? {
            0 => Ok(PacketInFormat::Standard),
            1 => Ok(PacketInFormat::Nxt),
            2 => Ok(PacketInFormat::Nxt2),
            _ => Err(OfpErr::OfpbrcEperm),
        }
    }
}

/// Reads an 8-byte body that is six zero bytes then a 16-bit value
/// (`nx_controller_id`, `nx_zone_id`); nonzero padding is
/// `NXBRC_MUST_BE_ZERO`.
pub(crate) fn decode_zero6_u16(r: &mut Reader<'_>) -> Result<u16, OfpErr> {
    let zero = r.take(6).map_err(short)?;
    let v = r.u16().map_err(short)?;
    if zero.iter().any(|b| *b != 0) {
        return Err(OfpErr::NxbrcMustBeZero);
    }
    Ok(v)
}

pub(crate) fn encode_zero6_u16(v: u16, w: &mut Writer) {
    w.zeros(6);
    w.u16(v);
}

/// `TLV_MAX_OPT_SIZE`: longest Geneve option.
pub const TLV_MAX_OPT_SIZE: u8 = 124;
/// `TUN_METADATA_NUM_OPTS`.
pub const TUN_METADATA_NUM_OPTS: u16 = 64;

/// One tunnel option to `tun_metadata<index>` mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TlvMap {
    pub option_class: u16,
    pub option_type: u8,
    /// A multiple of 4, at most 124.
    pub option_len: u8,
    pub index: u16,
}

fn decode_tlv_maps(r: &mut Reader<'_>, max_fields: u16) -> Result<Vec<TlvMap>, OfpErr> {
    let mut maps = Vec::new();
    while !r.is_empty() {
        let option_class = r.u16().map_err(short)?;
        let option_type = r.u8().map_err(short)?;
        let option_len = r.u8().map_err(short)?;
        let index = r.u16().map_err(short)?;
        r.skip(2).map_err(short)?;
        if option_len % 4 != 0 || option_len > TLV_MAX_OPT_SIZE {
            return Err(OfpErr::NxttmfcBadOptLen);
        }
        if index >= max_fields {
            return Err(OfpErr::NxttmfcBadFieldIdx);
        }
        maps.push(TlvMap {
            option_class,
            option_type,
            option_len,
            index,
        });
    }
    Ok(maps)
}

fn encode_tlv_maps(maps: &[TlvMap], w: &mut Writer) {
    for m in maps {
        w.u16(m.option_class);
        w.u8(m.option_type);
        w.u8(m.option_len);
        w.u16(m.index);
        w.zeros(2);
    }
}

/// `NXTTMC_*`.
pub mod tlv_command {
    pub const ADD: u16 = 0;
    pub const DELETE: u16 = 1;
    pub const CLEAR: u16 = 2;
}

/// `NXT_TLV_TABLE_MOD`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlvTableMod {
    /// [`tlv_command`].
    pub command: u16,
    pub mappings: Vec<TlvMap>,
}

impl TlvTableMod {
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<TlvTableMod, OfpErr> {
        let command = r.u16().map_err(short)?;
        r.skip(6).map_err(short)?;
        if command > tlv_command::CLEAR {
            return Err(OfpErr::NxttmfcBadCommand);
        }
        Ok(TlvTableMod {
            command,
            mappings: decode_tlv_maps(r, TUN_METADATA_NUM_OPTS)?,
        })
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.u16(self.command);
        w.zeros(6);
        encode_tlv_maps(&self.mappings, w);
    }
}

/// `NXT_TLV_TABLE_REPLY`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlvTableReply {
    pub max_option_space: u32,
    pub max_fields: u16,
    pub mappings: Vec<TlvMap>,
}

impl TlvTableReply {
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<TlvTableReply, OfpErr> {
        let max_option_space = r.u32().map_err(short)?;
        let max_fields = r.u16().map_err(short)?;
        r.skip(10).map_err(short)?;
        Ok(TlvTableReply {
            max_option_space,
            max_fields,
            mappings: decode_tlv_maps(r, max_fields)?,
        })
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.u32(self.max_option_space);
        w.u16(self.max_fields);
        w.zeros(10);
        encode_tlv_maps(&self.mappings, w);
    }
}

/// `NXT_CT_FLUSH`: flush conntrack entries matching an IP protocol and
/// optional original/reply tuples and zone. The property list is kept as
/// it came (checked for framing); [`CtFlush::zone`] reads the zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CtFlush {
    pub ip_proto: u8,
    /// `NXT_CT_ORIG_TUPLE`, `NXT_CT_REPLY_TUPLE` and `NXT_CT_ZONE_ID`
    /// properties, padded, as on the wire.
    pub properties: Vec<u8>,
}

impl CtFlush {
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<CtFlush, OfpErr> {
        let ip_proto = r.u8().map_err(short)?;
        let pad = r.take(7).map_err(short)?;
        if pad.iter().any(|b| *b != 0) {
            return Err(OfpErr::NxbrcMustBeZero);
        }
        let properties = r.rest().to_vec();
        let mut pr = Reader::new(&properties);
        while !pr.is_empty() {
            let p = prop::pull(&mut pr)?;
            match p.prop_type {
                0 | 1 => {
                    let mut nested = Reader::new(p.nested()?);
                    while !nested.is_empty() {
                        let inner = prop::pull(&mut nested)?;
                        match inner.prop_type {
                            0 | 1 => {
                                let n = inner.payload.len();
                                if n != 4 && n != 16 {
                                    return Err(OfpErr::OfpbpcBadLen);
                                }
                            }
                            2..=4 => {
                                inner.u16()?;
                            }
                            5 | 6 => {
                                inner.u8()?;
                            }
                            _ => {}
                        }
                    }
                }
                2 => {
                    p.u16()?;
                }
                _ => {}
            }
        }
        r.skip(properties.len()).map_err(short)?;
        Ok(CtFlush {
            ip_proto,
            properties,
        })
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.u8(self.ip_proto);
        w.zeros(7);
        w.bytes(&self.properties);
    }

    /// The zone the flush is limited to, if any.
    pub fn zone(&self) -> Option<u16> {
        let mut r = Reader::new(&self.properties);
        let mut zone = None;
        while let Ok(p) = prop::pull(&mut r) {
            if p.prop_type == 2 {
                zone = p.u16().ok();
            }
        }
        zone
    }
}

/// IPFIX exporter statistics (`NXST_IPFIX_BRIDGE` / `NXST_IPFIX_FLOW`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IpfixStats {
    pub collector_set_id: u32,
    pub total_flows: u64,
    pub current_flows: u64,
    pub pkts: u64,
    pub ipv4_pkts: u64,
    pub ipv6_pkts: u64,
    pub error_pkts: u64,
    pub ipv4_error_pkts: u64,
    pub ipv6_error_pkts: u64,
    pub tx_pkts: u64,
    pub tx_errors: u64,
}

impl IpfixStats {
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<IpfixStats, OfpErr> {
        let mut s = IpfixStats::default();
        for f in [
            &mut s.total_flows,
            &mut s.current_flows,
            &mut s.pkts,
            &mut s.ipv4_pkts,
            &mut s.ipv6_pkts,
            &mut s.error_pkts,
            &mut s.ipv4_error_pkts,
            &mut s.ipv6_error_pkts,
            &mut s.tx_pkts,
            &mut s.tx_errors,
        ] {
            *f = r.u64().map_err(short)?;
        }
        s.collector_set_id = r.u32().map_err(short)?;
        r.skip(4).map_err(short)?;
        Ok(s)
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        for v in [
            self.total_flows,
            self.current_flows,
            self.pkts,
            self.ipv4_pkts,
            self.ipv6_pkts,
            self.error_pkts,
            self.ipv4_error_pkts,
            self.ipv6_error_pkts,
            self.tx_pkts,
            self.tx_errors,
        ] {
            w.u64(v);
        }
        w.u32(self.collector_set_id);
        w.zeros(4);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlv_maps_are_checked() {
        let body = [0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 5, 0, 0, 0, 0];
        assert_eq!(
            TlvTableMod::decode(&mut Reader::new(&body)),
            Err(OfpErr::NxttmfcBadOptLen)
        );
        let body = [0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 4, 0, 64, 0, 0];
        assert_eq!(
            TlvTableMod::decode(&mut Reader::new(&body)),
            Err(OfpErr::NxttmfcBadFieldIdx)
        );
        let body = [0, 3, 0, 0, 0, 0, 0, 0];
        assert_eq!(
            TlvTableMod::decode(&mut Reader::new(&body)),
            Err(OfpErr::NxttmfcBadCommand)
        );
    }

    #[test]
    fn zero_padding_is_checked() {
        assert_eq!(
            decode_zero6_u16(&mut Reader::new(&[0, 0, 0, 0, 0, 1, 0, 5])),
            Err(OfpErr::NxbrcMustBeZero)
        );
        assert_eq!(
            decode_zero6_u16(&mut Reader::new(&[0, 0, 0, 0, 0, 0, 0, 5])),
            Ok(5)
        );
    }
}
