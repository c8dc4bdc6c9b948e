//! NXM/OXM field headers and entries as actions use them: which code point
//! OVS writes for a field in a given version, how a header inside an action
//! is looked up (with the action-specific errors), field widths under a
//! tunnel-metadata (TLV) map, and which values a field may take.

use ovs_flow::{FieldId, OxmDef};
use ovs_ofp_core::{OfpErr, Reader, Writer};
use ovs_ofp_match::FieldHeader;

use crate::bits;

/// The widths of the switch's mapped `tun_metadataN` fields (OVS's
/// `vl_mff_map`), all the action codec needs of the switch's
/// [`ovs_flow::TlvTable`]; build it from the table with `From`, so the two
/// never disagree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TlvMap {
    lengths: [u8; 64],
}

impl Default for TlvMap {
    fn default() -> Self {
        TlvMap { lengths: [0; 64] }
    }
}

impl TlvMap {
    /// An empty map: no option is mapped.
    pub fn new() -> TlvMap {
        TlvMap::default()
    }

    /// Maps `tun_metadata<index>` to an option of `len` bytes (1..=124);
    /// `len` 0 unmaps it. Out-of-range indexes are ignored.
    pub fn set(&mut self, index: usize, len: u8) {
        if let Some(l) = self.lengths.get_mut(index) {
            *l = len.min(124);
        }
    }

    /// The mapped width of `tun_metadata<index>`.
    pub fn get(&self, index: usize) -> Option<u8> {
        self.lengths.get(index).copied().filter(|l| *l != 0)
    }
}

impl From<&ovs_flow::TlvTable> for TlvMap {
    fn from(table: &ovs_flow::TlvTable) -> TlvMap {
        let mut map = TlvMap::new();
        for (i, e) in table.iter() {
            map.set(i, e.option_len);
        }
        map
    }
}

pub(crate) use ovs_flow::tun_metadata_index;

/// Width in bytes and significant bits of `field`'s value: for tunnel
/// metadata, the mapped width when a map is given (`None` if unmapped), or
/// the full 124 bytes without a map, as OVS treats them.
pub(crate) fn width(field: FieldId, tlv: Option<&TlvMap>) -> Option<(usize, u16)> {
    let info = field.info();
    if !info.variable_length {
        return Some((usize::from(info.n_bytes), info.n_bits));
    }
    match (tlv, tun_metadata_index(field)) {
        (Some(map), Some(i)) => map.get(i).map(|l| (usize::from(l), u16::from(l) * 8)),
        _ => Some((usize::from(info.n_bytes), info.n_bits)),
    }
}

/// Width used when encoding a header for `field` (unmapped metadata is
/// written at its full width, as OVS does).
pub(crate) fn enc_width(field: FieldId, tlv: Option<&TlvMap>) -> usize {
    width(field, tlv).map_or(usize::from(field.info().n_bytes), |w| w.0)
}

/// The code point OVS writes for `field` in wire version `version` (0 means
/// "prefer the NXM extension header"): OVS keeps each field's code points
/// in a list, extension ones first (version 0) then standard OXMs by the
/// version that introduced them, and picks the last one not newer than the
/// version asked for.
pub(crate) fn header_def(field: FieldId, version: u8) -> Option<OxmDef> {
    let info = field.info();
    let mut best: Option<OxmDef> = None;
    for d in info.oxm.iter().filter(|d| d.since.is_none()) {
        best = Some(*d);
    }
    if let Some(d) = info.nxm {
        best = Some(d);
    }
    // Standard OXMs, ordered by version then position: the last one not
    // newer than `version`, or (with no extension header) the oldest.
    let standard = info
        .oxm
        .iter()
        .enumerate()
        .filter_map(|(i, d)| d.since.map(|s| ((s, i), *d)));
    let usable = standard
        .clone()
        .filter(|((s, _), _)| *s <= version)
        .max_by_key(|(k, _)| *k);
    match (usable, best) {
        (Some((_, d)), _) => Some(d),
        (None, Some(d)) => Some(d),
        (None, None) => standard.min_by_key(|(k, _)| *k).map(|(_, d)| d),
    }
}

/// Writes the header OVS writes for `field` (`nx_put_header_len`), for a
/// value `n_bytes` wide. A field without any code point gets an all-zero
/// header, as in OVS.
pub(crate) fn put_header(
    w: &mut Writer,
    field: FieldId,
    version: u8,
    masked: bool,
    n_bytes: usize,
) {
    let n = u8::try_from(n_bytes).unwrap_or(u8::MAX);
    match header_def(field, version) {
        Some(d) => FieldHeader {
            vendor: d.vendor,
            class: d.class,
            field: d.field,
            has_mask: masked,
            payload_len: if masked { n.saturating_mul(2) } else { n },
        }
        .encode(w),
        None => w.u32(if masked { 0x100 } else { 0 }),
    }
}

/// Writes `field`'s header at its width under `tlv` (`nx_put_mff_header`).
pub(crate) fn put_field_header(w: &mut Writer, field: FieldId, version: u8, tlv: Option<&TlvMap>) {
    put_header(w, field, version, false, enc_width(field, tlv));
}

/// The 32-bit NXM/OXM header OVS uses for `field` where an action has room
/// for only 32 bits (`nxm_header_from_mff`); 0 if the field's preferred
/// code point is an experimenter OXM.
pub(crate) fn nxm32(field: FieldId, tlv: Option<&TlvMap>) -> u32 {
    match header_def(field, 0) {
        Some(d) if d.class != 0xffff => {
            let n = u32::try_from(enc_width(field, tlv)).unwrap_or(0) & 0xff;
            (u32::from(d.class) << 16) | (u32::from(d.field) << 9) | n
        }
        _ => 0,
    }
}

/// True if `field` has a 32-bit header (`mf_nxm_header` nonzero).
pub(crate) fn has_nxm32(field: FieldId) -> bool {
    matches!(header_def(field, 0), Some(d) if d.class != 0xffff)
}

/// Writes an NXM/OXM entry (`nx_put_entry`): variable-width fields drop
/// leading zero bytes; the mask is written only if not all ones.
pub(crate) fn put_entry(w: &mut Writer, field: FieldId, version: u8, value: &[u8], mask: &[u8]) {
    let n = value.len();
    let masked = !bits::all_ones(mask);
    let len = if field.info().variable_length {
        let lead = |b: &[u8]| b.iter().take_while(|x| **x == 0).count();
        let mut len = n - lead(value);
        if masked {
            len = len.max(mask.len() - lead(mask));
        }
        len.min(n)
    } else {
        n
    };
    put_header(w, field, version, masked, len);
    w.bytes(bits::tail(value, n - len));
    if masked {
        let mut m = bits::tail(mask, mask.len().saturating_sub(len)).to_vec();
        m.resize(len, 0);
        w.bytes(&m);
    }
}

/// What a header lookup found.
enum Found {
    Field(FieldId),
    /// The code point is known, but with another length.
    WrongLength,
    Unknown,
}

/// Looks up a field by code point and exact payload length
/// (`nxm_field_by_header`): the length must match unless the field is
/// variable-width.
fn lookup(vendor: u32, class: u16, field: u8, exact_len: u8) -> Found {
    match FieldId::from_code(vendor, class, field, None) {
        Some(f) => {
            let info = f.info();
            if info.variable_length || info.n_bytes == exact_len {
                Found::Field(f)
            } else {
                Found::WrongLength
            }
        }
        None => Found::Unknown,
    }
}

/// Rejects unmapped tunnel metadata when the switch has a map.
fn check_mapped(field: FieldId, tlv: Option<&TlvMap>) -> Result<FieldId, OfpErr> {
    if width(field, tlv).is_none() {
        Err(OfpErr::NxfmfcInvalidTlvField)
    } else {
        Ok(field)
    }
}

/// A header pulled from inside an action.
pub(crate) struct Pulled {
    pub field: FieldId,
    pub header: FieldHeader,
}

/// Pulls a field header (`nx_pull_header__`). `is_action` selects the errors
/// for an unknown field: `OFPBAC_BAD_SET_TYPE` / `OFPBAC_BAD_SET_LEN` for
/// set-field style entries, `OFPBMC_BAD_FIELD` otherwise.
pub(crate) fn pull_header_any(
    r: &mut Reader<'_>,
    tlv: Option<&TlvMap>,
    is_action: bool,
) -> Result<Pulled, OfpErr> {
    let h = FieldHeader::decode(r)?;
    let exact = if h.has_mask {
        h.payload_len / 2
    } else {
        h.payload_len
    };
    let field = match lookup(h.vendor, h.class, h.field, exact) {
        Found::Field(f) => f,
        Found::WrongLength if is_action => {
            let exp_len = if h.class == 0xffff { 4 } else { 0 };
            return Err(if u16::from(exact) + exp_len > 0 {
                OfpErr::OfpbacBadSetLen
            } else {
                OfpErr::OfpbacBadSetType
            });
        }
        _ if is_action => return Err(OfpErr::OfpbacBadSetType),
        _ => return Err(OfpErr::OfpbmcBadField),
    };
    Ok(Pulled {
        field: check_mapped(field, tlv)?,
        header: h,
    })
}

/// Pulls an unmasked field header, as the move, output_reg2, stack,
/// delete_field, check_pkt_larger and learn2 actions carry
/// (`mf_vl_mff_nx_pull_header` without a mask).
pub(crate) fn pull_field(r: &mut Reader<'_>, tlv: Option<&TlvMap>) -> Result<FieldId, OfpErr> {
    let p = pull_header_any(r, tlv, false)?;
    if p.header.has_mask {
        return Err(OfpErr::OfpbmcBadMask);
    }
    Ok(p.field)
}

/// A field value (and mask) pulled from an action.
pub(crate) struct Entry {
    pub field: FieldId,
    pub value: Vec<u8>,
    /// All ones if the entry had no mask.
    pub mask: Vec<u8>,
}

/// Copies an entry payload into a value of the field's width; variable-width
/// values are right-aligned, as OVS stores them.
fn entry_value(field: FieldId, n_bytes: usize, payload: &[u8]) -> Vec<u8> {
    let copy = payload.len().min(n_bytes);
    let mut v = vec![0u8; n_bytes];
    if field.info().variable_length {
        bits::set_bytes(&mut v, n_bytes - copy, bits::slice(payload, 0, copy));
    } else {
        bits::set_bytes(&mut v, 0, bits::slice(payload, 0, copy));
    }
    v
}

/// Pulls an NXM/OXM entry for set_field or reg_load2 (`nx_pull_entry` with
/// action errors). With `allow_mask` false, a masked entry is
/// `OFPBMC_BAD_MASK`.
pub(crate) fn pull_entry(
    r: &mut Reader<'_>,
    tlv: Option<&TlvMap>,
    allow_mask: bool,
) -> Result<Entry, OfpErr> {
    let p = pull_header_any(r, tlv, true)?;
    let payload = r
        .take(usize::from(p.header.payload_len))
        .map_err(|_| OfpErr::OfpbmcBadLen)?;
    let n_bytes = width(p.field, tlv).map_or(0, |w| w.0);
    let (value, mask) = if p.header.has_mask {
        let half = payload.len() / 2;
        let (v, m) = (
            bits::slice(payload, 0, half),
            bits::slice(payload, half, half),
        );
        if v.iter().zip(m).any(|(v, m)| v & !m != 0) {
            return Err(OfpErr::OfpbmcBadWildcards);
        }
        (
            entry_value(p.field, n_bytes, v),
            entry_value(p.field, n_bytes, m),
        )
    } else {
        (entry_value(p.field, n_bytes, payload), vec![0xff; n_bytes])
    };
    if p.header.has_mask && !allow_mask {
        return Err(OfpErr::OfpbmcBadMask);
    }
    Ok(Entry {
        field: p.field,
        value,
        mask,
    })
}

/// The field named by a 32-bit NXM header inside an action
/// (`mf_vl_mff_mf_from_nxm_header`). A masked header names its field too.
pub(crate) fn field_from_nxm32(header: u32, tlv: Option<&TlvMap>) -> Result<FieldId, OfpErr> {
    let class = (header >> 16) as u16;
    let field = ((header >> 9) & 0x7f) as u8;
    let has_mask = header & 0x100 != 0;
    let len = (header & 0xff) as u8;
    let exact = if has_mask { len / 2 } else { len };
    match lookup(0, class, field, exact) {
        Found::Field(f) => check_mapped(f, tlv),
        _ => Err(OfpErr::OfpbacBadSetType),
    }
}

/// True if `value` (the field's width, big-endian) is a value OVS accepts
/// for `field` (`mf_is_value_valid`).
pub(crate) fn value_valid(field: FieldId, value: &[u8]) -> bool {
    let u8v = || value.last().copied().unwrap_or(0);
    let u16v = || bits::get(value, 0, 16) as u16;
    let u32v = || bits::get(value, 0, 32) as u32;
    match field {
        FieldId::InPortOxm | FieldId::ActsetOutput => {
            ovs_ofp_core::OfpPort::from_of11(u32v()).is_some()
        }
        FieldId::IpDscp => u8v() & !0xfc == 0,
        FieldId::IpDscpShifted => u8v() & !0x3f == 0,
        FieldId::IpEcn => u8v() & !0x03 == 0,
        FieldId::IpFrag => u8v() & !0x03 == 0,
        FieldId::TcpFlags => u16v() & !0x0fff == 0,
        FieldId::ArpOp => u16v() & 0xff00 == 0,
        FieldId::DlVlan => u16v() & 0xf000 == 0,
        FieldId::VlanVid => u16v() & 0xe000 == 0,
        FieldId::DlVlanPcp | FieldId::VlanPcp => u8v() & !0x07 == 0,
        FieldId::Ipv6Label => u32v() & !0x000f_ffff == 0,
        FieldId::MplsLabel => u32v() & !0x000f_ffff == 0,
        FieldId::MplsTc => u8v() & !0x07 == 0,
        FieldId::MplsBos => u8v() & !0x01 == 0,
        FieldId::TunFlags => u16v() & !0x0001 == 0,
        FieldId::CtState => u32v() & !0xff == 0,
        FieldId::NshTtl => u8v() <= 63,
        FieldId::NshMdtype => u8v() == 1 || u8v() == 2,
        FieldId::NshSpi => u32v() & 0xff00_0000 == 0,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_preferences_follow_ovs() {
        // NXM preferred with version 0, OXM from 1.2 on.
        let d = header_def(FieldId::EthSrc, 0).unwrap();
        assert_eq!(d.name, "NXM_OF_ETH_SRC");
        let d = header_def(FieldId::EthSrc, 4).unwrap();
        assert_eq!(d.name, "OXM_OF_ETH_SRC");
        // tun_id's OXM only exists from OpenFlow 1.3.
        assert_eq!(header_def(FieldId::TunId, 3).unwrap().name, "NXM_NX_TUN_ID");
        assert_eq!(
            header_def(FieldId::TunId, 4).unwrap().name,
            "OXM_OF_TUNNEL_ID"
        );
        // dp_hash: the NXM header wins over the experimenter OXM.
        assert_eq!(
            header_def(FieldId::DpHash, 6).unwrap().name,
            "NXM_NX_DP_HASH"
        );
        // tcp_flags: ONF experimenter in 1.3/1.4, standard in 1.5.
        assert_eq!(
            header_def(FieldId::TcpFlags, 4).unwrap().name,
            "ONFOXM_ET_TCP_FLAGS"
        );
        assert_eq!(
            header_def(FieldId::TcpFlags, 6).unwrap().name,
            "OXM_OF_TCP_FLAGS"
        );
        assert_eq!(nxm32(FieldId::Reg0, None), 0x0001_0004);
        assert_eq!(nxm32(FieldId::Reg1, None), 0x0001_0204);
        assert_eq!(nxm32(FieldId::InPort, None), 0x0000_0002);
        assert!(!has_nxm32(FieldId::TunErspanIdx));
    }

    #[test]
    fn nxm32_lookup() {
        assert_eq!(field_from_nxm32(0x0001_0004, None), Ok(FieldId::Reg0));
        // Masked header names the field too.
        assert_eq!(field_from_nxm32(0x0001_0108, None), Ok(FieldId::Reg0));
        assert_eq!(
            field_from_nxm32(0x0001_0005, None),
            Err(OfpErr::OfpbacBadSetType)
        );
        let map = TlvMap::new();
        assert_eq!(
            field_from_nxm32(nxm32(FieldId::TunMetadata3, None), Some(&map)),
            Err(OfpErr::NxfmfcInvalidTlvField)
        );
    }

    #[test]
    fn variable_entries_trim_and_right_align() {
        let mut map = TlvMap::new();
        map.set(0, 4);
        let mut w = Writer::new();
        put_entry(&mut w, FieldId::TunMetadata0, 0, &[0, 0, 1, 2], &[0xff; 4]);
        assert_eq!(w.as_slice(), &[0x00, 0x01, 0x50, 0x02, 1, 2]);
        let e = pull_entry(&mut Reader::new(w.as_slice()), Some(&map), true).unwrap();
        assert_eq!(e.value, vec![0, 0, 1, 2]);
        assert_eq!(e.mask, vec![0xff; 4]);
    }
}
