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

    /// The header OVS uses for `field` in `version`: NXM if `version` is
    /// `None` (NXM flow format) or if the field has no OXM code point usable in
    /// that version; otherwise the newest usable OXM code point.
    pub fn for_field(
        field: FieldId,
        version: Option<Version>,
        has_mask: bool,
    ) -> Option<FieldHeader> {
        let info = field.info();
        let oxm = version.and_then(|v| {
            info.oxm
                .iter()
                .rev()
                .find(|d| d.since.is_none_or(|s| s <= v.wire()))
        });
        let def = oxm.or(info.nxm.as_ref())?;
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
        // Truncated experimenter header.
        assert_eq!(
            FieldHeader::decode(&mut Reader::new(&[0xff, 0xff, 0x00, 0x08, 0, 0])),
            Err(OfpErr::OfpbmcBadLen)
        );
    }
}
