//! Field-writing actions: set_field, NXAST_REG_LOAD(2), move/copy_field,
//! stack push/pop, delete_field, check_pkt_larger; and the subfield checks
//! they share (`mf_check_src`, `mf_check_dst`).

use ovs_flow::FieldId;
use ovs_ofp_core::{OfpErr, Reader, Version, Writer};

use crate::action::{Action, MoveForm, SetField, SetFieldForm, Subfield};
use crate::bits::{self, all_ones, all_zeros, be16, be32, be64, set16, set32, set64, tail};
use crate::decode::Dec;
use crate::encode::Enc;
use crate::nxm::{self, TlvMap};
use crate::output::finish_fixed;
use crate::raw::{self, Raw};

/// `(ofs << 6) | (n_bits - 1)`, as NXM actions pack a subfield.
pub(crate) fn decode_ofs_nbits(v: u16) -> (u16, u16) {
    (v >> 6, (v & 0x3f) + 1)
}

pub(crate) fn encode_ofs_nbits(ofs: u16, n_bits: u16) -> u16 {
    (ofs << 6) | n_bits.wrapping_sub(1)
}

/// Bit-range checks of a subfield (`mf_check__` without a match).
pub(crate) fn check_range(sf: &Subfield, tlv: Option<&TlvMap>) -> Result<(), OfpErr> {
    let width = nxm::width(sf.field, tlv).map_or(0, |w| u32::from(w.1));
    let (ofs, n) = (u32::from(sf.ofs), u32::from(sf.n_bits));
    if n == 0 || ofs >= width || ofs + n > width {
        return Err(OfpErr::OfpbacBadSetLen);
    }
    Ok(())
}

/// `mf_check_src` without a match.
pub(crate) fn check_src(sf: &Subfield, tlv: Option<&TlvMap>) -> Result<(), OfpErr> {
    check_range(sf, tlv)
}

/// `mf_check_dst` without a match.
pub(crate) fn check_dst(sf: &Subfield, tlv: Option<&TlvMap>) -> Result<(), OfpErr> {
    check_range(sf, tlv)?;
    if !sf.field.info().writable {
        return Err(OfpErr::OfpbacBadSetArgument);
    }
    Ok(())
}

/// `OFPVID12_PRESENT`.
const VID_PRESENT: u16 = 0x1000;

pub(crate) fn decode_set_field(d: &Dec<'_>, b: &[u8], may_mask: bool) -> Result<Action, OfpErr> {
    let mut r = Reader::new(tail(b, 4));
    let e = nxm::pull_entry(&mut r, d.tlv(), may_mask).map_err(|e| {
        if e == OfpErr::OfpbmcBadMask {
            OfpErr::OfpbacBadSetMask
        } else {
            e
        }
    })?;
    if !all_zeros(r.rest()) {
        return Err(OfpErr::OfpbacBadSetArgument);
    }
    // OpenFlow forbids setting in_port through OXM_OF_IN_PORT.
    if e.field == FieldId::InPortOxm || !e.field.info().writable {
        return Err(OfpErr::OfpbacBadSetArgument);
    }
    let vid_bad = e.field == FieldId::VlanVid
        && (bits::get(&e.mask, 0, 16) as u16 & VID_PRESENT == 0
            || bits::get(&e.value, 0, 16) as u16 & VID_PRESENT == 0);
    if !nxm::value_valid(e.field, &e.value) || vid_bad {
        return Err(OfpErr::OfpbacBadSetArgument);
    }
    Ok(Action::SetField(SetField {
        field: e.field,
        value: e.value,
        mask: e.mask,
        form: SetFieldForm::SetField,
        flow_has_vlan: false,
    }))
}

pub(crate) fn decode_reg_load(d: &Dec<'_>, b: &[u8]) -> Result<Action, OfpErr> {
    let (ofs, n_bits) = decode_ofs_nbits(be16(b, 10));
    let field = nxm::field_from_nxm32(be32(b, 12), d.tlv())?;
    let dst = Subfield { field, ofs, n_bits };
    check_dst(&dst, d.tlv())?;
    let value = be64(b, 16);
    if n_bits < 64 && value >> n_bits != 0 {
        return Err(OfpErr::OfpbacBadArgument);
    }
    let n_bytes = nxm::width(field, d.tlv()).map_or(0, |w| w.0);
    let mut v = vec![0u8; n_bytes];
    let mut m = vec![0u8; n_bytes];
    bits::put(value, &mut v, usize::from(ofs), usize::from(n_bits));
    bits::one(&mut m, usize::from(ofs), usize::from(n_bits));
    Ok(Action::SetField(SetField {
        field,
        value: v,
        mask: m,
        form: SetFieldForm::RegLoad,
        flow_has_vlan: false,
    }))
}

pub(crate) fn decode_reg_load2(d: &Dec<'_>, b: &[u8]) -> Result<Action, OfpErr> {
    let mut r = Reader::new(tail(b, 10));
    let e = nxm::pull_entry(&mut r, d.tlv(), true)?;
    if !all_zeros(r.rest()) || !e.field.info().writable {
        return Err(OfpErr::OfpbacBadSetArgument);
    }
    Ok(Action::SetField(SetField {
        field: e.field,
        value: e.value,
        mask: e.mask,
        form: SetFieldForm::RegLoad2,
        flow_has_vlan: false,
    }))
}

pub(crate) fn decode_move(d: &Dec<'_>, raw: Raw, b: &[u8]) -> Result<Action, OfpErr> {
    // (n_bits, src_ofs, dst_ofs, where the headers start)
    let (n_bits, src_ofs, dst_ofs, hdr, form) = match raw {
        Raw::Of15CopyField => (be16(b, 4), be16(b, 6), be16(b, 8), 12, MoveForm::CopyField),
        Raw::Onf13CopyField => (
            be16(b, 12),
            be16(b, 14),
            be16(b, 16),
            20,
            MoveForm::CopyField,
        ),
        _ => (be16(b, 10), be16(b, 12), be16(b, 14), 16, MoveForm::RegMove),
    };
    let mut r = Reader::new(tail(b, hdr));
    let src_field = nxm::pull_field(&mut r, d.tlv())?;
    let dst_field = nxm::pull_field(&mut r, d.tlv())?;
    if !all_zeros(r.rest()) {
        return Err(OfpErr::NxbrcMustBeZero);
    }
    let src = Subfield {
        field: src_field,
        ofs: src_ofs,
        n_bits,
    };
    let dst = Subfield {
        field: dst_field,
        ofs: dst_ofs,
        n_bits,
    };
    check_src(&src, d.tlv())?;
    check_dst(&dst, d.tlv())?;
    Ok(Action::RegMove { src, dst, form })
}

pub(crate) fn decode_stack(d: &Dec<'_>, b: &[u8], push: bool) -> Result<Action, OfpErr> {
    let ofs = be16(b, 10);
    let mut r = Reader::new(bits::slice(b, 12, 12));
    let field = nxm::pull_field(&mut r, d.tlv())?;
    let n_bits = r.u16().unwrap_or(0);
    if !all_zeros(r.rest()) {
        return Err(OfpErr::NxbrcMustBeZero);
    }
    let sf = Subfield { field, ofs, n_bits };
    if push {
        check_src(&sf, d.tlv())?;
        Ok(Action::StackPush(sf))
    } else {
        check_dst(&sf, d.tlv())?;
        Ok(Action::StackPop(sf))
    }
}

pub(crate) fn decode_delete_field(d: &Dec<'_>, b: &[u8]) -> Result<Action, OfpErr> {
    let mut r = Reader::new(tail(b, 10));
    let field = nxm::pull_field(&mut r, d.tlv())?;
    Ok(Action::DeleteField { field })
}

pub(crate) fn decode_check_pkt_larger(d: &Dec<'_>, b: &[u8]) -> Result<Action, OfpErr> {
    let pkt_len = be16(b, 10);
    let ofs = be16(b, 12);
    let mut r = Reader::new(tail(b, 14));
    let field = nxm::pull_field(&mut r, d.tlv())?;
    if !all_zeros(r.rest()) {
        return Err(OfpErr::NxbrcMustBeZero);
    }
    let dst = Subfield {
        field,
        ofs,
        n_bits: 1,
    };
    check_dst(&dst, d.tlv())?;
    Ok(Action::CheckPktLarger { pkt_len, dst })
}

/// `OFPAT_SET_FIELD` with value and mask.
fn set_field_to_set_field(e: &Enc<'_>, field: FieldId, value: &[u8], mask: &[u8], w: &mut Writer) {
    let start = raw::put_with(w, e.version, Raw::Of12SetField, 0, 4, |_| {});
    nxm::put_entry(w, field, e.v(), value, mask);
    raw::finish(w, start);
}

/// A set_field of a whole field to `value` (the low `n_bytes` of it), as
/// OVS writes the standard equivalents of old actions in OpenFlow 1.2+.
pub(crate) fn put_set_field(e: &Enc<'_>, field: FieldId, value: u64, w: &mut Writer) {
    let n = usize::from(field.info().n_bytes).min(8);
    let bytes = value.to_be_bytes();
    let v = bits::tail(&bytes, 8 - n);
    set_field_to_set_field(e, field, v, &vec![0xff; n], w);
}

/// One `NXAST_REG_LOAD` of `value` into `dst`.
pub(crate) fn put_reg_load(e: &Enc<'_>, dst: &Subfield, value: u64, w: &mut Writer) {
    raw::put_with(w, e.version, Raw::NxRegLoad, 0, usize::MAX, |b| {
        set16(b, 10, encode_ofs_nbits(dst.ofs, dst.n_bits));
        set32(b, 12, nxm::nxm32(dst.field, e.tlv()));
        set64(b, 16, value);
    });
}

/// The runs of one bits in the mask, at most 64 bits each, with their
/// values (`next_load_segment`).
fn load_segments(sf: &SetField, n_bits: usize) -> Vec<(Subfield, u64)> {
    let mut out = Vec::new();
    let mut start = 0usize;
    while start < n_bits {
        let ofs = bits::scan(&sf.mask, true, start, n_bits);
        if ofs >= n_bits {
            break;
        }
        let end = bits::scan(&sf.mask, false, ofs + 1, (ofs + 64).min(n_bits));
        let n = end - ofs;
        out.push((
            Subfield {
                field: sf.field,
                ofs: ofs as u16,
                n_bits: n as u16,
            },
            bits::get(&sf.value, ofs, n),
        ));
        start = ofs + n;
    }
    out
}

/// Nicira encodings of a field write: `NXAST_REG_LOAD2` when it came in
/// that way or cannot be a 32-bit-header load, else one `NXAST_REG_LOAD`
/// per run of mask bits.
fn set_field_to_nxast(e: &Enc<'_>, sf: &SetField, w: &mut Writer) {
    let info = sf.field.info();
    if sf.form == SetFieldForm::RegLoad2 || !nxm::has_nxm32(sf.field) || info.variable_length {
        let start = raw::put_with(w, e.version, Raw::NxRegLoad2, 0, 10, |_| {});
        nxm::put_entry(w, sf.field, 0, &sf.value, &sf.mask);
        raw::finish(w, start);
    } else {
        let n_bits = usize::from(info.n_bits).min(sf.value.len() * 8);
        for (dst, value) in load_segments(sf, n_bits) {
            put_reg_load(e, &dst, value, w);
        }
    }
}

/// OpenFlow 1.0/1.1 standard equivalents of whole-field writes, falling
/// back to Nicira loads (`set_field_to_legacy_openflow`). Masks are ignored
/// here, as in OVS.
fn set_field_to_legacy(e: &Enc<'_>, sf: &SetField, w: &mut Writer) {
    let v = &sf.value;
    let u8v = v.last().copied().unwrap_or(0);
    let u16v = bits::get(v, 0, 16) as u16;
    let u32v = bits::get(v, 0, 32) as u32;
    let of10 = e.version == Version::Of10;
    match sf.field {
        FieldId::VlanTci => {
            let (cfi, vid, pcp) = (u16v & 0x1000 != 0, u16v & 0x0fff, (u16v >> 13) as u8);
            if of10 {
                if cfi {
                    raw::put(w, e.version, Raw::Of10SetVlanVid, u64::from(vid));
                    raw::put(w, e.version, Raw::Of10SetVlanPcp, u64::from(pcp));
                } else {
                    raw::put(w, e.version, Raw::Of10StripVlan, 0);
                }
            } else if cfi {
                // OpenFlow 1.1 set-VLAN actions need an existing tag.
                if !sf.flow_has_vlan {
                    raw::put(w, e.version, Raw::Of11PushVlan, 0x8100);
                }
                raw::put(w, e.version, Raw::Of11SetVlanVid, u64::from(vid));
                raw::put(w, e.version, Raw::Of11SetVlanPcp, u64::from(pcp));
            } else {
                raw::put(w, e.version, Raw::Of11PopVlan, 0);
            }
        }
        FieldId::VlanVid => {
            let raw = if of10 {
                Raw::Of10SetVlanVid
            } else {
                Raw::Of11SetVlanVid
            };
            raw::put(w, e.version, raw, u64::from(u16v & 0x0fff));
        }
        FieldId::VlanPcp => {
            let raw = if of10 {
                Raw::Of10SetVlanPcp
            } else {
                Raw::Of11SetVlanPcp
            };
            raw::put(w, e.version, raw, u64::from(u8v));
        }
        FieldId::EthSrc | FieldId::EthDst => {
            let raw = if sf.field == FieldId::EthSrc {
                Raw::SetDlSrc
            } else {
                Raw::SetDlDst
            };
            raw::put_with(w, e.version, raw, 0, usize::MAX, |b| {
                bits::set_bytes(b, 4, bits::slice(v, 0, 6));
            });
        }
        FieldId::Ipv4Src => {
            raw::put(w, e.version, Raw::SetNwSrc, u64::from(u32v));
        }
        FieldId::Ipv4Dst => {
            raw::put(w, e.version, Raw::SetNwDst, u64::from(u32v));
        }
        FieldId::IpDscp => {
            raw::put(w, e.version, Raw::SetNwTos, u64::from(u8v));
        }
        FieldId::IpDscpShifted => {
            raw::put(w, e.version, Raw::SetNwTos, u64::from(u8v << 2));
        }
        FieldId::IpEcn => crate::header::encode_ecn(e, u8v, w),
        FieldId::TcpSrc | FieldId::UdpSrc => {
            raw::put(w, e.version, Raw::SetTpSrc, u64::from(u16v));
        }
        FieldId::TcpDst | FieldId::UdpDst => {
            raw::put(w, e.version, Raw::SetTpDst, u64::from(u16v));
        }
        _ => set_field_to_nxast(e, sf, w),
    }
}

pub(crate) fn encode_set_field(e: &Enc<'_>, sf: &SetField, w: &mut Writer) {
    if e.version >= Version::Of15 {
        // OpenFlow 1.5 set_field does everything reg_load did.
        set_field_to_set_field(e, sf.field, &sf.value, &sf.mask, w);
    } else if sf.form != SetFieldForm::SetField {
        set_field_to_nxast(e, sf, w);
    } else if e.version < Version::Of12 {
        set_field_to_legacy(e, sf, w);
    } else if all_ones(&sf.mask) {
        set_field_to_set_field(e, sf.field, &sf.value, &sf.mask, w);
    } else {
        // OpenFlow 1.2-1.4 set_field cannot be masked.
        set_field_to_nxast(e, sf, w);
    }
}

pub(crate) fn encode_move(
    e: &Enc<'_>,
    src: &Subfield,
    dst: &Subfield,
    form: MoveForm,
    w: &mut Writer,
) {
    let start;
    if e.version >= Version::Of15 {
        start = raw::put_with(w, e.version, Raw::Of15CopyField, 0, 12, |b| {
            set16(b, 4, dst.n_bits);
            set16(b, 6, src.ofs);
            set16(b, 8, dst.ofs);
        });
        nxm::put_field_header(w, src.field, e.v(), e.tlv());
        nxm::put_field_header(w, dst.field, e.v(), e.tlv());
    } else if e.version == Version::Of13 && form == MoveForm::CopyField {
        start = raw::put_with(w, e.version, Raw::Onf13CopyField, 0, 20, |b| {
            set16(b, 12, dst.n_bits);
            set16(b, 14, src.ofs);
            set16(b, 16, dst.ofs);
        });
        nxm::put_field_header(w, src.field, e.v(), e.tlv());
        nxm::put_field_header(w, dst.field, e.v(), e.tlv());
    } else {
        start = raw::put_with(w, e.version, Raw::NxRegMove, 0, usize::MAX, |b| {
            set16(b, 10, dst.n_bits);
            set16(b, 12, src.ofs);
            set16(b, 14, dst.ofs);
        });
        nxm::put_field_header(w, src.field, 0, e.tlv());
        nxm::put_field_header(w, dst.field, 0, e.tlv());
    }
    raw::finish(w, start);
}

pub(crate) fn encode_stack(e: &Enc<'_>, sf: &Subfield, push: bool, w: &mut Writer) {
    let raw = if push {
        Raw::NxStackPush
    } else {
        Raw::NxStackPop
    };
    let start = raw::put_with(w, e.version, raw, 0, 12, |b| set16(b, 10, sf.ofs));
    nxm::put_field_header(w, sf.field, 0, e.tlv());
    w.u16(sf.n_bits);
    finish_fixed(w, start, 24);
}

pub(crate) fn encode_delete_field(e: &Enc<'_>, field: FieldId, w: &mut Writer) {
    let start = raw::put_with(w, e.version, Raw::NxDeleteField, 0, 10, |_| {});
    nxm::put_field_header(w, field, 0, e.tlv());
    finish_fixed(w, start, 24);
}

pub(crate) fn encode_check_pkt_larger(e: &Enc<'_>, pkt_len: u16, dst: &Subfield, w: &mut Writer) {
    let start = raw::put_with(w, e.version, Raw::NxCheckPktLarger, 0, 14, |b| {
        set16(b, 10, pkt_len);
        set16(b, 12, dst.ofs);
    });
    nxm::put_field_header(w, dst.field, 0, e.tlv());
    finish_fixed(w, start, 24);
}
