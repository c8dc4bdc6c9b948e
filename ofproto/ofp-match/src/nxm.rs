//! NXM and OXM: a match as a run of field TLVs (OVS's `nx_pull_raw` and
//! `nx_put_raw`).
//!
//! Decoding checks each TLV in OVS's order, so the same bad input yields the
//! same error: truncated header or payload (`OFPBMC_BAD_LEN`), value bits
//! outside the mask (`OFPBMC_BAD_WILDCARDS`), unknown field
//! (`OFPBMC_BAD_FIELD`), mask on a field that takes none (`OFPBMC_BAD_MASK`),
//! value the field cannot hold (`OFPBMC_BAD_VALUE`), prerequisites not met by
//! the TLVs before it (`OFPBMC_BAD_PREREQ`), field already matched
//! (`OFPBMC_DUP_FIELD`).
//!
//! Encoding writes the fields in OVS's order with OVS's choice of code point
//! and of exact or masked form, so our bytes equal OVS's for the same match.

use ovs_flow::{
    FieldError, FieldId, Match, Prereq, TlvTable, offset, port_to_of11, tun_metadata_index,
    value_is_valid,
};
use ovs_ofp_core::{OfpErr, Reader, Version, Writer};

use crate::header::FieldHeader;

/// How strictly to decode, and what else to accept (the knobs of OVS's
/// `nx_pull_match`, `nx_pull_match_loose` and `oxm_decode_match`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NxmOptions<'a> {
    /// Reject unknown fields and unmet prerequisites (OVS's "strict"). Loose
    /// decoding skips unknown fields and does not check prerequisites.
    pub strict: bool,
    /// Accept the `NXM_NX_COOKIE` pseudo-field (NXM flow_mod and flow stats
    /// requests).
    pub allow_cookie: bool,
    /// Only pipeline fields (metadata, registers, tunnel, in_port,
    /// packet_type) are allowed, as in packet-out and resume metadata.
    pub pipeline_fields_only: bool,
    /// The switch's TLV table. With it, `tun_metadata<N>` TLVs are
    /// accepted while the table maps them (at the mapped width) and
    /// rejected with `NXFMFC_INVALID_TLV_FIELD` otherwise; without it every
    /// `tun_metadata<N>` TLV is rejected that way, since there is nowhere
    /// to put its bytes.
    pub tlv: Option<&'a TlvTable>,
}

impl Default for NxmOptions<'_> {
    fn default() -> Self {
        NxmOptions {
            strict: true,
            allow_cookie: false,
            pipeline_fields_only: false,
            tlv: None,
        }
    }
}

/// A decoded NXM/OXM match with the cookie pseudo-field, if it was allowed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NxmMatch {
    pub m: Match,
    pub cookie: u64,
    /// 0 if there was no cookie TLV.
    pub cookie_mask: u64,
}

/// Decodes a run of NXM/OXM TLVs of exactly `match_len` bytes (no padding)
/// strictly. `version` is `None` for NXM (OpenFlow 1.0 Nicira messages) or
/// the OpenFlow version of an OXM match; like OVS, decoding accepts every
/// known code point whatever the version.
pub fn decode_nxm(
    r: &mut Reader<'_>,
    match_len: usize,
    version: Option<Version>,
) -> Result<Match, OfpErr> {
    decode_nxm_with(r, match_len, version, NxmOptions::default()).map(|d| d.m)
}

/// [`decode_nxm`] with OVS's other decoding modes.
pub fn decode_nxm_with(
    r: &mut Reader<'_>,
    match_len: usize,
    _version: Option<Version>,
    options: NxmOptions<'_>,
) -> Result<NxmMatch, OfpErr> {
    let bytes = r.take(match_len).map_err(|_| OfpErr::OfpbmcBadLen)?;
    pull_raw(bytes, options)
}

enum Entry {
    Field {
        field: FieldId,
        value: Vec<u8>,
        mask: Vec<u8>,
    },
    Cookie {
        value: u64,
        mask: u64,
    },
}

fn is_cookie(h: &FieldHeader) -> bool {
    h.vendor == 0
        && h.class == 1
        && h.field == 30
        && ((!h.has_mask && h.payload_len == 8) || (h.has_mask && h.payload_len == 16))
}

fn be_u64(b: &[u8]) -> u64 {
    b.iter().fold(0u64, |acc, x| (acc << 8) | u64::from(*x))
}

fn pull_entry(
    r: &mut Reader<'_>,
    allow_cookie: bool,
    tlv: Option<&TlvTable>,
) -> Result<Entry, OfpErr> {
    let h = FieldHeader::decode(r)?;
    let field = h.lookup();
    let mut header_error = None;
    // The width a tunnel metadata value takes once decoded: the mapped
    // option length, whatever the TLV says.
    let mut mapped_len = None;
    match field {
        // OVS answers this for an unmapped option before looking at the
        // payload.
        Some(f) if f.info().variable_length => {
            let len = tun_metadata_index(f)
                .and_then(|i| tlv.and_then(|t| t.field_len(i)))
                .ok_or(OfpErr::NxfmfcInvalidTlvField)?;
            mapped_len = Some(usize::from(len));
        }
        Some(_) => {}
        None if allow_cookie && is_cookie(&h) => {}
        None => header_error = Some(OfpErr::OfpbmcBadField),
    }
    let payload_len = usize::from(h.payload_len);
    let payload = r.take(payload_len).map_err(|_| OfpErr::OfpbmcBadLen)?;
    let width = if h.has_mask {
        payload_len / 2
    } else {
        payload_len
    };
    let value = &payload[..width];
    let mask_bytes = if h.has_mask {
        let mask = &payload[width..2 * width];
        if value.iter().zip(mask).any(|(v, m)| v & !m != 0) {
            return Err(OfpErr::OfpbmcBadWildcards);
        }
        Some(mask)
    } else {
        None
    };
    if let Some(e) = header_error {
        return Err(e);
    }
    if let (Some(n), Some(field)) = (mapped_len, field) {
        // Like OVS's copy_entry_value for a mapped field: the leading bytes
        // of the TLV, as many as fit, right-aligned in the mapped width.
        let fit = |b: &[u8]| {
            let copy = b.len().min(n);
            let mut v = vec![0u8; n - copy];
            v.extend_from_slice(&b[..copy]);
            v
        };
        return Ok(Entry::Field {
            field,
            value: fit(value),
            mask: mask_bytes.map_or_else(|| vec![0xff; n], fit),
        });
    }
    let mask = mask_bytes.map_or_else(|| vec![0xff; width], <[u8]>::to_vec);
    let Some(field) = field else {
        return Ok(Entry::Cookie {
            value: be_u64(value),
            mask: be_u64(&mask),
        });
    };
    let info = field.info();
    let exact_or_wild = mask.iter().all(|b| *b == 0xff) || mask.iter().all(|b| *b == 0);
    if !info.maskable && !exact_or_wild {
        return Err(OfpErr::OfpbmcBadMask);
    }
    if !value_is_valid(field, value) {
        return Err(OfpErr::OfpbmcBadValue);
    }
    Ok(Entry::Field {
        field,
        value: value.to_vec(),
        mask,
    })
}

/// OVS's `mf_is_pipeline_field`.
fn is_pipeline_field(field: FieldId) -> bool {
    use FieldId as F;
    let id = field as u16;
    let within = |a: F, b: F| (a as u16..=b as u16).contains(&id);
    matches!(
        field,
        F::TunId
            | F::TunSrc
            | F::TunDst
            | F::TunIpv6Src
            | F::TunIpv6Dst
            | F::TunFlags
            | F::TunGbpId
            | F::TunGbpFlags
            | F::TunErspanVer
            | F::TunErspanIdx
            | F::TunErspanDir
            | F::TunErspanHwid
            | F::TunGtpuFlags
            | F::TunGtpuMsgtype
            | F::Metadata
            | F::InPort
            | F::InPortOxm
            | F::PacketType
    ) || within(F::TunMetadata0, F::TunMetadata63)
        || within(F::Reg0, F::Xxreg3)
}

fn field_error(e: FieldError) -> OfpErr {
    match e {
        FieldError::NotMaskable => OfpErr::OfpbmcBadMask,
        FieldError::Unsupported | FieldError::Unmapped => OfpErr::NxfmfcInvalidTlvField,
        _ => OfpErr::OfpbmcBadValue,
    }
}

fn pull_raw(bytes: &[u8], options: NxmOptions<'_>) -> Result<NxmMatch, OfpErr> {
    let mut out = NxmMatch::default();
    let mut r = Reader::new(bytes);
    while !r.is_empty() {
        match pull_entry(&mut r, options.allow_cookie, options.tlv) {
            Err(OfpErr::OfpbmcBadField) if !options.strict => continue,
            Err(e) => return Err(e),
            Ok(Entry::Cookie { value, mask }) => {
                if out.cookie_mask != 0 {
                    return Err(OfpErr::OfpbmcDupField);
                }
                out.cookie = value;
                out.cookie_mask = mask;
            }
            Ok(Entry::Field { field, value, mask }) => {
                let m = &mut out.m;
                if options.strict && !m.prereqs_ok(field) {
                    return Err(OfpErr::OfpbmcBadPrereq);
                }
                if !m.is_wild(field) {
                    return Err(OfpErr::OfpbmcDupField);
                }
                if options.pipeline_fields_only && !is_pipeline_field(field) {
                    return Err(OfpErr::OfpbrcPipelineFieldsOnly);
                }
                match (tun_metadata_index(field), options.tlv) {
                    (Some(i), Some(tlv)) => m.set_tun_metadata(tlv, i, &value, &mask),
                    _ => m.set_masked(field, &value, &mask),
                }
                .map_err(field_error)?;
                m.add_ethernet_prereq(field);
            }
        }
    }
    Ok(out)
}

/// Writes `m` as NXM (`version` `None`) or as the OXM of `version`, without
/// padding, and returns the bytes written (OVS's `nx_put_raw`). A match on
/// every packet writes nothing.
pub fn encode_nxm(m: &Match, version: Option<Version>, w: &mut Writer) -> usize {
    encode_nxm_full(m, version, 0, 0, None, w)
}

/// [`encode_nxm`] for a switch with TLV table `tlv`: the `tun_metadata<N>`
/// fields the match looks at are written at their mapped widths. Without a
/// table they cannot be read back and are left out.
pub fn encode_nxm_tlv(
    m: &Match,
    version: Option<Version>,
    tlv: Option<&TlvTable>,
    w: &mut Writer,
) -> usize {
    encode_nxm_full(m, version, 0, 0, tlv, w)
}

/// [`encode_nxm`] plus the `NXM_NX_COOKIE` pseudo-field when `cookie_mask`
/// is nonzero (NXM flow_mod and flow stats requests).
pub fn encode_nxm_cookie(
    m: &Match,
    version: Option<Version>,
    cookie: u64,
    cookie_mask: u64,
    w: &mut Writer,
) -> usize {
    encode_nxm_full(m, version, cookie, cookie_mask, None, w)
}

/// [`encode_nxm_cookie`] with the switch's TLV table (see
/// [`encode_nxm_tlv`]).
pub fn encode_nxm_full(
    m: &Match,
    version: Option<Version>,
    cookie: u64,
    cookie_mask: u64,
    tlv: Option<&TlvTable>,
    w: &mut Writer,
) -> usize {
    let mut put = Put {
        w: Writer::with_capacity(64),
        version,
        implied_ethernet: false,
        tlv,
    };
    put.all(m);
    if cookie_mask != 0 {
        let masked = cookie_mask != u64::MAX;
        let h = FieldHeader {
            vendor: 0,
            class: 1,
            field: 30,
            has_mask: masked,
            payload_len: if masked { 16 } else { 8 },
        };
        h.encode(&mut put.w);
        put.w.u64(cookie & cookie_mask);
        if masked {
            put.w.u64(cookie_mask);
        }
    }
    let start = w.len();
    // OVS inserts the Ethernet packet type in front when it is matched but
    // no field written implies it.
    if m.has_default_packet_type()
        && !put.implied_ethernet
        && let Some(h) = FieldHeader::for_field(FieldId::PacketType, version, false)
    {
        h.encode(w);
        w.u32(0);
    }
    w.bytes(put.w.as_slice());
    w.len() - start
}

struct Put<'a> {
    w: Writer,
    version: Option<Version>,
    implied_ethernet: bool,
    tlv: Option<&'a TlvTable>,
}

fn be(value: u64, n: usize) -> Vec<u8> {
    value.to_be_bytes()[8usize.saturating_sub(n)..].to_vec()
}

impl Put<'_> {
    /// Writes `field` exact if `mask` is all-ones, masked if it is neither
    /// all-ones nor all-zeros, and not at all if it is all-zeros (OVS's
    /// `nxm_put`).
    fn masked(&mut self, field: FieldId, value: &[u8], mask: &[u8]) {
        if mask.iter().all(|b| *b == 0) {
            return;
        }
        let exact = mask.iter().all(|b| *b == 0xff);
        self.entry(field, value, if exact { None } else { Some(mask) });
    }

    fn exact(&mut self, field: FieldId, value: &[u8]) {
        self.entry(field, value, None);
    }

    fn entry(&mut self, field: FieldId, value: &[u8], mask: Option<&[u8]>) {
        let Some(h) = FieldHeader::for_field(field, self.version, mask.is_some()) else {
            return;
        };
        h.encode(&mut self.w);
        self.w.bytes(value);
        if let Some(mask) = mask {
            self.w.bytes(mask);
        }
        if field.info().prereq != Prereq::None {
            self.implied_ethernet = true;
        }
    }

    /// A plain member: value and mask straight from the flow's storage.
    fn member(&mut self, field: FieldId, m: &Match, off: usize, len: usize) {
        self.masked(field, m.flow.bytes(off, len), m.wc.bytes(off, len));
    }

    fn oxm(&self) -> u8 {
        self.version.map_or(0, Version::wire)
    }

    fn all(&mut self, m: &Match) {
        let f = |off: usize, len: usize| m.flow.get_be(off, len);
        let mask = |off: usize, len: usize| m.wc.get_be(off, len);
        let dl_type = u64::from(m.dl_type());
        let oxm = self.oxm();

        if mask(offset::PACKET_TYPE, 4) != 0 && !m.has_default_packet_type() {
            self.member(FieldId::PacketType, m, offset::PACKET_TYPE, 4);
        }
        if mask(offset::DP_HASH, 4) != 0 {
            self.member(FieldId::DpHash, m, offset::DP_HASH, 4);
        }
        if mask(offset::RECIRC_ID, 4) != 0 {
            self.exact(FieldId::RecircId, m.flow.bytes(offset::RECIRC_ID, 4));
        }
        if mask(offset::CONJ_ID, 4) != 0 {
            self.exact(FieldId::ConjId, m.flow.bytes(offset::CONJ_ID, 4));
        }
        if mask(offset::IN_PORT, 2) != 0 {
            let port = f(offset::IN_PORT, 2) as u16;
            if oxm != 0 {
                self.exact(FieldId::InPortOxm, &port_to_of11(port).to_be_bytes());
            } else {
                self.exact(FieldId::InPort, &port.to_be_bytes());
            }
        }
        if mask(offset::ACTSET_OUTPUT, 2) != 0 {
            let port = f(offset::ACTSET_OUTPUT, 2) as u16;
            self.exact(FieldId::ActsetOutput, &port_to_of11(port).to_be_bytes());
        }

        self.member(FieldId::EthSrc, m, offset::DL_SRC, 6);
        self.member(FieldId::EthDst, m, offset::DL_DST, 6);
        self.member(FieldId::EthType, m, offset::DL_TYPE, 2);

        if oxm != 0 {
            const VID_CFI: u64 = 0x1fff;
            let vid = f(offset::VLAN0_TCI, 2) & VID_CFI;
            let vid_mask = mask(offset::VLAN0_TCI, 2) & VID_CFI;
            if vid_mask == VID_CFI {
                self.exact(FieldId::VlanVid, &be(vid, 2));
            } else if vid_mask != 0 {
                self.masked(FieldId::VlanVid, &be(vid, 2), &be(vid_mask, 2));
            }
            if vid != 0 && mask(offset::VLAN0_TCI, 2) >> 13 != 0 {
                self.exact(FieldId::VlanPcp, &[(f(offset::VLAN0_TCI, 2) >> 13) as u8]);
            }
        } else {
            self.member(FieldId::VlanTci, m, offset::VLAN0_TCI, 2);
        }

        if dl_type == 0x8847 || dl_type == 0x8848 {
            let lse = f(offset::MPLS_LSE0, 4);
            let lse_mask = mask(offset::MPLS_LSE0, 4);
            if lse_mask & 0x0e00 != 0 {
                self.exact(FieldId::MplsTc, &[((lse >> 9) & 7) as u8]);
            }
            if lse_mask & 0x0100 != 0 {
                self.exact(FieldId::MplsBos, &[((lse >> 8) & 1) as u8]);
            }
            if lse_mask & 0x00ff != 0 {
                self.exact(FieldId::MplsTtl, &[(lse & 0xff) as u8]);
            }
            if lse_mask & 0xffff_f000 != 0 {
                self.exact(FieldId::MplsLabel, &be(lse >> 12, 4));
            }
        }

        if dl_type == 0x0800 || dl_type == 0x86dd {
            self.ip(m, dl_type);
        } else if dl_type == 0x0806 || dl_type == 0x8035 {
            if mask(offset::NW_PROTO, 1) != 0 {
                self.exact(FieldId::ArpOp, &be(f(offset::NW_PROTO, 1), 2));
            }
            self.member(FieldId::ArpSpa, m, offset::NW_SRC, 4);
            self.member(FieldId::ArpTpa, m, offset::NW_DST, 4);
            self.member(FieldId::ArpSha, m, offset::ARP_SHA, 6);
            self.member(FieldId::ArpTha, m, offset::ARP_THA, 6);
        }

        self.member(FieldId::TunId, m, offset::TUN_ID, 8);
        self.member(FieldId::TunFlags, m, offset::TUN_FLAGS, 2);
        self.member(FieldId::TunSrc, m, offset::TUN_IP_SRC, 4);
        self.member(FieldId::TunDst, m, offset::TUN_IP_DST, 4);
        self.member(FieldId::TunIpv6Src, m, offset::TUN_IPV6_SRC, 16);
        self.member(FieldId::TunIpv6Dst, m, offset::TUN_IPV6_DST, 16);
        self.member(FieldId::TunGbpId, m, offset::TUN_GBP_ID, 2);
        self.member(FieldId::TunGbpFlags, m, offset::TUN_GBP_FLAGS, 1);
        self.tun_metadata(m);
        self.member(FieldId::TunErspanIdx, m, offset::TUN_ERSPAN_IDX, 4);
        self.member(FieldId::TunErspanVer, m, offset::TUN_ERSPAN_VER, 1);
        self.member(FieldId::TunErspanDir, m, offset::TUN_ERSPAN_DIR, 1);
        self.member(FieldId::TunErspanHwid, m, offset::TUN_ERSPAN_HWID, 1);
        self.member(FieldId::TunGtpuFlags, m, offset::TUN_GTPU_FLAGS, 1);
        self.member(FieldId::TunGtpuMsgtype, m, offset::TUN_GTPU_MSGTYPE, 1);

        self.member(FieldId::NshFlags, m, offset::NSH_FLAGS, 1);
        self.member(FieldId::NshTtl, m, offset::NSH_TTL, 1);
        self.member(FieldId::NshMdtype, m, offset::NSH_MDTYPE, 1);
        self.member(FieldId::NshNp, m, offset::NSH_NP, 1);
        let path = f(offset::NSH_PATH_HDR, 4);
        let path_mask = mask(offset::NSH_PATH_HDR, 4);
        let spi_mask = match path_mask >> 8 {
            0xff_ffff => 0xffff_ffff,
            other => other,
        };
        self.masked(FieldId::NshSpi, &be(path >> 8, 4), &be(spi_mask, 4));
        self.masked(FieldId::NshSi, &[path as u8], &[path_mask as u8]);
        for (i, field) in [
            FieldId::NshC1,
            FieldId::NshC2,
            FieldId::NshC3,
            FieldId::NshC4,
        ]
        .into_iter()
        .enumerate()
        {
            self.member(field, m, offset::NSH_CONTEXT + 4 * i, 4);
        }

        if oxm < Version::Of15.wire() {
            for i in 0..16u16 {
                if let Some(&field) =
                    ovs_flow::fields::ALL_FIELDS.get(FieldId::Reg0 as usize + usize::from(i))
                {
                    self.member(field, m, offset::REGS + 4 * usize::from(i), 4);
                }
            }
        } else {
            for i in 0..8u16 {
                if let Some(&field) =
                    ovs_flow::fields::ALL_FIELDS.get(FieldId::Xreg0 as usize + usize::from(i))
                {
                    self.member(field, m, offset::REGS + 8 * usize::from(i), 8);
                }
            }
        }

        self.member(FieldId::PktMark, m, offset::PKT_MARK, 4);
        self.member(FieldId::CtState, m, offset::CT_STATE, 4);
        self.member(FieldId::CtZone, m, offset::CT_ZONE, 2);
        self.member(FieldId::CtMark, m, offset::CT_MARK, 4);
        self.member(FieldId::CtLabel, m, offset::CT_LABEL, 16);
        self.member(FieldId::CtNwSrc, m, offset::CT_NW_SRC, 4);
        self.member(FieldId::CtIpv6Src, m, offset::CT_IPV6_SRC, 16);
        self.member(FieldId::CtNwDst, m, offset::CT_NW_DST, 4);
        self.member(FieldId::CtIpv6Dst, m, offset::CT_IPV6_DST, 16);
        if f(offset::CT_NW_PROTO, 1) != 0 {
            self.member(FieldId::CtNwProto, m, offset::CT_NW_PROTO, 1);
            self.member(FieldId::CtTpSrc, m, offset::CT_TP_SRC, 2);
            self.member(FieldId::CtTpDst, m, offset::CT_TP_DST, 2);
        }
        self.member(FieldId::Metadata, m, offset::METADATA, 8);
    }

    /// OVS's `tun_metadata_to_nx_match`: each option the match looks at, in
    /// field order, at its mapped width, masked unless the mask is all ones
    /// (a zero-width option always counts as masked).
    fn tun_metadata(&mut self, m: &Match) {
        let Some(tlv) = self.tlv else {
            return;
        };
        let matched = m.tun_metadata_matched();
        for i in (0..64).filter(|i| matched & (1u64 << i) != 0) {
            let (Some((value, mask)), Some(&field)) = (
                m.tun_metadata(tlv, i),
                ovs_flow::fields::ALL_FIELDS.get(FieldId::TunMetadata0 as usize + i),
            ) else {
                continue;
            };
            let masked = value.is_empty() || !mask.iter().all(|b| *b == 0xff);
            let Some(mut h) = FieldHeader::for_field(field, self.version, masked) else {
                continue;
            };
            let n = u8::try_from(value.len()).unwrap_or(u8::MAX);
            h.payload_len = if masked { n.saturating_mul(2) } else { n };
            h.encode(&mut self.w);
            self.w.bytes(&value);
            if masked {
                self.w.bytes(&mask);
            }
        }
    }

    /// The IPv4/IPv6 part (OVS's `nxm_put_ip`).
    fn ip(&mut self, m: &Match, dl_type: u64) {
        let f = |off: usize, len: usize| m.flow.get_be(off, len);
        let mask = |off: usize, len: usize| m.wc.get_be(off, len);
        let oxm = self.oxm();
        if dl_type == 0x0800 {
            self.member(FieldId::Ipv4Src, m, offset::NW_SRC, 4);
            self.member(FieldId::Ipv4Dst, m, offset::NW_DST, 4);
        } else {
            self.member(FieldId::Ipv6Src, m, offset::IPV6_SRC, 16);
            self.member(FieldId::Ipv6Dst, m, offset::IPV6_DST, 16);
        }

        let frag = (f(offset::NW_FRAG, 1) & 3) as u8;
        let frag_mask = match (mask(offset::NW_FRAG, 1) & 3) as u8 {
            3 => 0xff,
            other => other,
        };
        self.masked(FieldId::IpFrag, &[frag], &[frag_mask]);

        let tos = f(offset::NW_TOS, 1) as u8;
        let tos_mask = mask(offset::NW_TOS, 1) as u8;
        if tos_mask & 0xfc != 0 {
            if oxm != 0 {
                self.exact(FieldId::IpDscpShifted, &[tos >> 2]);
            } else {
                self.exact(FieldId::IpDscp, &[tos & 0xfc]);
            }
        }
        if tos_mask & 0x03 != 0 {
            self.exact(FieldId::IpEcn, &[tos & 0x03]);
        }
        if mask(offset::NW_TTL, 1) != 0 {
            self.exact(FieldId::IpTtl, &[f(offset::NW_TTL, 1) as u8]);
        }
        self.member(FieldId::Ipv6Label, m, offset::IPV6_LABEL, 4);

        if mask(offset::NW_PROTO, 1) == 0 {
            return;
        }
        let proto = f(offset::NW_PROTO, 1);
        self.exact(FieldId::IpProto, &[proto as u8]);
        let tp_src = f(offset::TP_SRC, 2);
        let tp_dst = f(offset::TP_DST, 2);
        match proto {
            6 => {
                self.member(FieldId::TcpSrc, m, offset::TP_SRC, 2);
                self.member(FieldId::TcpDst, m, offset::TP_DST, 2);
                self.member(FieldId::TcpFlags, m, offset::TCP_FLAGS, 2);
            }
            17 => {
                self.member(FieldId::UdpSrc, m, offset::TP_SRC, 2);
                self.member(FieldId::UdpDst, m, offset::TP_DST, 2);
            }
            132 => {
                self.member(FieldId::SctpSrc, m, offset::TP_SRC, 2);
                self.member(FieldId::SctpDst, m, offset::TP_DST, 2);
            }
            1 if dl_type == 0x0800 => {
                if mask(offset::TP_SRC, 2) != 0 {
                    self.exact(FieldId::Icmpv4Type, &[tp_src as u8]);
                }
                if mask(offset::TP_DST, 2) != 0 {
                    self.exact(FieldId::Icmpv4Code, &[tp_dst as u8]);
                }
            }
            58 if dl_type == 0x86dd => {
                if mask(offset::TP_SRC, 2) != 0 {
                    self.exact(FieldId::Icmpv6Type, &[tp_src as u8]);
                }
                if mask(offset::TP_DST, 2) != 0 {
                    self.exact(FieldId::Icmpv6Code, &[tp_dst as u8]);
                }
                let nd = tp_dst == 0 && (tp_src == 135 || tp_src == 136);
                if nd {
                    if mask(offset::IGMP_GROUP_IP4, 4) != 0 {
                        self.exact(FieldId::NdReserved, m.flow.bytes(offset::IGMP_GROUP_IP4, 4));
                    }
                    self.member(FieldId::NdTarget, m, offset::ND_TARGET, 16);
                    if mask(offset::TCP_FLAGS, 2) != 0 {
                        self.exact(FieldId::NdOptionsType, &[f(offset::TCP_FLAGS, 2) as u8]);
                    }
                    if tp_src == 135 {
                        self.member(FieldId::NdSll, m, offset::ARP_SHA, 6);
                    }
                    if tp_src == 136 {
                        self.member(FieldId::NdTll, m, offset::ARP_THA, 6);
                    }
                }
            }
            _ => {}
        }
    }
}
