//! NXM/OXM field headers: which field, with or without a mask, how long.
//!
//! A header is 32 bits: class (16), field (7), has-mask (1), length (8).
//! Experimenter classes (0xffff) are followed by a 32-bit experimenter ID
//! that counts towards the length.

use ovs_flow::FieldId;
use ovs_ofp_core::{OfpErr, Reader, Version, Writer};

/// The experimenter OXM class.
pub const OXM_CLASS_EXPERIMENTER: u16 = 0xffff;

/// A decoded field header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldHeader {
    pub vendor: u32,
    pub class: u16,
    pub field: u8,
    pub has_mask: bool,
    /// Payload length in bytes (value, plus mask if `has_mask`), not
    /// counting the experimenter ID.
    pub payload_len: u8,
}

impl FieldHeader {
    /// Reads a header. Errors are OVS's: a truncated or zero-length
    /// experimenter header is `OFPBMC_BAD_LEN`.
    pub fn decode(r: &mut Reader<'_>) -> Result<FieldHeader, OfpErr> {
        let h = r.u32().map_err(|_| OfpErr::OfpbmcBadLen)?;
        let class = (h >> 16) as u16;
        let field = ((h >> 9) & 0x7f) as u8;
        let has_mask = h & 0x100 != 0;
        let len = (h & 0xff) as u8;
        if class == OXM_CLASS_EXPERIMENTER {
            if len < 4 {
                return Err(OfpErr::OfpbmcBadLen);
            }
            let vendor = r.u32().map_err(|_| OfpErr::OfpbmcBadLen)?;
            Ok(FieldHeader {
                vendor,
                class,
                field,
                has_mask,
                payload_len: len - 4,
            })
        } else {
            Ok(FieldHeader {
                vendor: 0,
                class,
                field,
                has_mask,
                payload_len: len,
            })
        }
    }

    /// Writes the header.
    pub fn encode(&self, w: &mut Writer) {
        let experimenter = self.class == OXM_CLASS_EXPERIMENTER;
        let len = u32::from(self.payload_len) + if experimenter { 4 } else { 0 };
        w.u32(
            (u32::from(self.class) << 16)
                | (u32::from(self.field) << 9)
                | (u32::from(self.has_mask) << 8)
                | (len & 0xff),
        );
        if experimenter {
            w.u32(self.vendor);
        }
    }

    /// Bytes the header itself takes on the wire.
    pub fn header_len(&self) -> usize {
        if self.class == OXM_CLASS_EXPERIMENTER {
            8
        } else {
            4
        }
    }

    /// The field this header names, for a message of `version` (OXM code
    /// points newer than the version are not recognised).
    pub fn field_id(&self, version: Option<Version>) -> Option<FieldId> {
        FieldId::from_code(
            self.vendor,
            self.class,
            self.field,
            version.map(Version::wire),
        )
    }

    /// The field a match TLV with this header carries, as OVS's decoder
    /// finds it: any known code point in any version, provided the payload
    /// has the field's width (half the payload if masked; the tunnel
    /// metadata fields take any width).
    pub fn lookup(&self) -> Option<FieldId> {
        let field = FieldId::from_code(self.vendor, self.class, self.field, None)?;
        let info = field.info();
        let width = if self.has_mask {
            self.payload_len / 2
        } else {
            self.payload_len
        };
        (info.variable_length || width == info.n_bytes).then_some(field)
    }

    /// The header OVS uses for `field` in `version` (`None` for the NXM flow
    /// format). OVS lists a field's code points OXM first then NXM, stably
    /// sorted by the OpenFlow version that introduced them (extension code
    /// points count as version 0), and takes the last one the version has;
    /// if none qualifies, the first one. So NXM-only fields use NXM
    /// everywhere, `dp_hash` stays NXM even in OXM, `tun_id` becomes
    /// `OXM_OF_TUNNEL_ID` from OpenFlow 1.3, and `actset_output` is the ONF
    /// experimenter OXM before 1.5 (also in NXM).
    pub fn for_field(
        field: FieldId,
        version: Option<Version>,
        has_mask: bool,
    ) -> Option<FieldHeader> {
        let info = field.info();
        let v = version.map_or(0, Version::wire);
        let candidates = info
            .oxm
            .iter()
            .filter(|d| d.since.is_none())
            .chain(info.nxm.iter())
            .chain(info.oxm.iter().filter(|d| d.since.is_some()));
        let mut chosen = None;
        for d in candidates {
            if chosen.is_none() || v >= d.since.unwrap_or(0) {
                chosen = Some(d);
            }
        }
        let def = chosen?;
        let n = info.n_bytes;
        Some(FieldHeader {
            vendor: def.vendor,
            class: def.class,
            field: def.field,
            has_mask,
            payload_len: if has_mask { n.saturating_mul(2) } else { n },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nxm_and_oxm_headers() {
        // NXM_OF_ETH_DST_W: class 0, field 1, masked, 12 bytes.
        let h = FieldHeader::for_field(FieldId::EthDst, None, true).unwrap();
        let mut w = Writer::new();
        h.encode(&mut w);
        assert_eq!(w.as_slice(), &[0x00, 0x00, 0x03, 0x0c]);
        let back = FieldHeader::decode(&mut Reader::new(w.as_slice())).unwrap();
        assert_eq!(back, h);
        assert_eq!(back.field_id(None), Some(FieldId::EthDst));
        // OXM_OF_IPV4_DST in OpenFlow 1.3: class 0x8000, field 12, 4 bytes.
        let h = FieldHeader::for_field(FieldId::Ipv4Dst, Some(Version::Of13), false).unwrap();
        let mut w = Writer::new();
        h.encode(&mut w);
        assert_eq!(w.as_slice(), &[0x80, 0x00, 0x18, 0x04]);
        // OVS's choices of code point.
        let pick = |f, v| {
            let h = FieldHeader::for_field(f, v, false).unwrap();
            (h.vendor, h.class, h.field)
        };
        assert_eq!(pick(FieldId::DpHash, None), (0, 1, 35));
        assert_eq!(pick(FieldId::DpHash, Some(Version::Of15)), (0, 1, 35));
        assert_eq!(pick(FieldId::TunId, Some(Version::Of12)), (0, 1, 16));
        assert_eq!(pick(FieldId::TunId, Some(Version::Of13)), (0, 0x8000, 38));
        assert_eq!(
            pick(FieldId::ActsetOutput, None),
            (ovs_ofp_core::ONF_VENDOR_ID, 0xffff, 43)
        );
        assert_eq!(
            pick(FieldId::ActsetOutput, Some(Version::Of15)),
            (0, 0x8000, 43)
        );
        assert_eq!(pick(FieldId::TcpFlags, Some(Version::Of12)), (0, 1, 34));
        assert_eq!(
            pick(FieldId::TcpFlags, Some(Version::Of14)),
            (ovs_ofp_core::ONF_VENDOR_ID, 0xffff, 42)
        );
        assert_eq!(
            pick(FieldId::TcpFlags, Some(Version::Of15)),
            (0, 0x8000, 42)
        );
        assert_eq!(pick(FieldId::Metadata, None), (0, 0x8000, 2));
        // Decoding ignores versions but checks widths.
        let h = FieldHeader::for_field(FieldId::ActsetOutput, Some(Version::Of15), false).unwrap();
        assert_eq!(h.lookup(), Some(FieldId::ActsetOutput));
        let bad = FieldHeader {
            payload_len: 3,
            ..h
        };
        assert_eq!(bad.lookup(), None);
        // Truncated experimenter header.
        assert_eq!(
            FieldHeader::decode(&mut Reader::new(&[0xff, 0xff, 0x00, 0x08, 0, 0])),
            Err(OfpErr::OfpbmcBadLen)
        );
    }
}
