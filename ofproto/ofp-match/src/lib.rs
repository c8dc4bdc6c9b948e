//! OpenFlow match encodings: NXM and OXM field TLVs, the OpenFlow 1.2+
//! `ofp_match` wrapper, and the fixed OpenFlow 1.0 and 1.1 `ofp_match`
//! structures, all decoding into and encoding from [`ovs_flow::Match`].
//!
//! It promises: decoding never panics and reports the OpenFlow error OVS
//! 3.1 reports for the same bytes; encoding writes the bytes OVS writes for
//! the same match (fields in OVS's order, OVS's code points, exact or masked
//! as OVS chooses). It knows nothing of actions or messages, and does no
//! I/O. Tunnel metadata (`tun_metadata<N>`) goes through the switch's
//! [`TlvTable`], given in [`NxmOptions::tlv`] and to the `*_tlv` encoders:
//! options the table does not map (or all of them, without a table) are
//! rejected with `NXFMFC_INVALID_TLV_FIELD`, as OVS does.
#![forbid(unsafe_code)]

pub mod header;
pub mod nxm;
pub mod standard;

pub use header::FieldHeader;
pub use nxm::{
    NxmMatch, NxmOptions, decode_nxm, decode_nxm_with, encode_nxm, encode_nxm_cookie,
    encode_nxm_full, encode_nxm_tlv,
};
pub use standard::{
    OFP10_MATCH_LEN, OFP11_MATCH_LEN, OFPMT_OXM, OFPMT_STANDARD, decode_ofp10_match,
    decode_ofp11_match, encode_ofp10_match, encode_ofp11_match, ofp10_can_express,
};

use ovs_flow::{Match, TlvTable};
use ovs_ofp_core::{OfpErr, Reader, Version, Writer};

/// Decodes the `ofp_match` of an OpenFlow 1.1+ message: `OFPMT_STANDARD`
/// (88 bytes) or `OFPMT_OXM` (type, length, TLVs, then padding to 8 bytes,
/// all consumed). Like OVS, either type is accepted in any of these
/// versions. For OpenFlow 1.0 this decodes the 40-byte `ofp10_match`.
pub fn decode_match(version: Version, r: &mut Reader<'_>) -> Result<Match, OfpErr> {
    decode_match_with(version, r, NxmOptions::default())
}

/// [`decode_match`] with OVS's other OXM decoding modes (loose, pipeline
/// fields only). The cookie option does not apply to OXM and is ignored.
pub fn decode_match_with(
    version: Version,
    r: &mut Reader<'_>,
    options: NxmOptions<'_>,
) -> Result<Match, OfpErr> {
    if version == Version::Of10 {
        return decode_ofp10_match(r);
    }
    let head = r.peek(4).map_err(|_| OfpErr::OfpbmcBadLen)?;
    let match_type = u16::from_be_bytes([head[0], head[1]]);
    let match_len = usize::from(u16::from_be_bytes([head[2], head[3]]));
    match match_type {
        OFPMT_STANDARD => decode_ofp11_match(r),
        OFPMT_OXM => {
            if match_len < 4 {
                return Err(OfpErr::OfpbmcBadLen);
            }
            let padded = match_len.div_ceil(8) * 8;
            let mut all = r.sub(padded).map_err(|_| OfpErr::OfpbmcBadLen)?;
            all.skip(4).map_err(|_| OfpErr::OfpbmcBadLen)?;
            let options = NxmOptions {
                allow_cookie: false,
                ..options
            };
            decode_nxm_with(&mut all, match_len - 4, Some(version), options).map(|d| d.m)
        }
        _ => Err(OfpErr::OfpbmcBadType),
    }
}

/// Encodes `m` as the `ofp_match` of `version`: the 40-byte `ofp10_match`
/// for OpenFlow 1.0, the 88-byte standard match for 1.1, an OXM match with
/// its padding for 1.2 and later. Returns the match length without padding
/// (the OXM `length` field; 40 or 88 for the fixed ones).
pub fn encode_match(version: Version, m: &Match, w: &mut Writer) -> usize {
    encode_match_tlv(version, m, None, w)
}

/// [`encode_match`] for a switch with TLV table `tlv`, so that matches on
/// `tun_metadata<N>` are written (OXM only; the fixed matches cannot
/// express them).
pub fn encode_match_tlv(
    version: Version,
    m: &Match,
    tlv: Option<&TlvTable>,
    w: &mut Writer,
) -> usize {
    match version {
        Version::Of10 => {
            encode_ofp10_match(m, w);
            OFP10_MATCH_LEN
        }
        Version::Of11 => {
            encode_ofp11_match(m, w);
            OFP11_MATCH_LEN
        }
        _ => {
            let start = w.len();
            w.u16(OFPMT_OXM);
            w.u16(0);
            let len = 4 + encode_nxm_tlv(m, Some(version), tlv, w);
            w.patch_u16(start + 2, len as u16);
            let rem = (w.len() - start) % 8;
            if rem != 0 {
                w.zeros(8 - rem);
            }
            len
        }
    }
}

#[cfg(test)]
mod captures;
#[cfg(test)]
mod tests;
