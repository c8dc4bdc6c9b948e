//! `NXAST_LEARN` and `NXAST_LEARN2`.

use ovs_ofp_core::{OfpErr, Reader, Writer};

use crate::action::{
    Action, LEARN_F_DELETE_LEARNED, LEARN_F_SEND_FLOW_REM, LEARN_F_WRITE_RESULT, Learn, LearnDst,
    LearnForm, LearnSpec, LearnSrc, Subfield,
};
use crate::bits::{all_zeros, be16, be32, be64, byte, set8, set16, set32, set64, slice, tail};
use crate::decode::Dec;
use crate::encode::Enc;
use crate::nxm;
use crate::raw::{self, Raw};

const SRC_IMMEDIATE: u16 = 1 << 13;
const DST_MASK: u16 = 3 << 11;
const DST_MATCH: u16 = 0;
const DST_LOAD: u16 = 1 << 11;
const DST_OUTPUT: u16 = 2 << 11;
const N_BITS_MASK: u16 = 0x3ff;

/// Bytes an immediate source of `n_bits` takes on the wire.
fn imm_wire_len(n_bits: u16) -> usize {
    2 * usize::from(n_bits).div_ceil(16)
}

/// Bytes OVS keeps of an immediate source.
fn imm_len(n_bits: u16) -> usize {
    usize::from(n_bits).div_ceil(8)
}

/// Minimum bytes following a spec header (`learn_min_len`).
fn min_len(header: u16) -> usize {
    let n_bits = header & N_BITS_MASK;
    let dst = header & DST_MASK;
    let mut n = if header & SRC_IMMEDIATE == 0 {
        6
    } else {
        imm_wire_len(n_bits)
    };
    if dst == DST_MATCH || dst == DST_LOAD {
        n += 6;
    }
    n
}

fn decode_specs(d: &Dec<'_>, mut p: &[u8]) -> Result<Vec<LearnSpec>, OfpErr> {
    let mut specs = Vec::new();
    while !p.is_empty() {
        let header = be16(p, 0);
        p = tail(p, 2);
        if header == 0 {
            break;
        }
        let imm = header & SRC_IMMEDIATE != 0;
        let dst_type = header & DST_MASK;
        let n_bits = header & N_BITS_MASK;
        if !(dst_type == DST_MATCH || dst_type == DST_LOAD || (dst_type == DST_OUTPUT && !imm)) {
            return Err(OfpErr::OfpbacBadArgument);
        }
        if p.len() < min_len(header) {
            return Err(OfpErr::OfpbacBadLen);
        }
        let src = if imm {
            let wire = imm_wire_len(n_bits);
            let keep = imm_len(n_bits);
            let v = slice(p, wire - keep, keep).to_vec();
            p = tail(p, wire);
            LearnSrc::Immediate(v)
        } else {
            let field = nxm::field_from_nxm32(be32(p, 0), d.tlv())?;
            let ofs = be16(p, 4);
            p = tail(p, 6);
            LearnSrc::Field(Subfield { field, ofs, n_bits })
        };
        let dst = match dst_type {
            DST_MATCH | DST_LOAD => {
                let field = nxm::field_from_nxm32(be32(p, 0), d.tlv())?;
                let sf = Subfield {
                    field,
                    ofs: be16(p, 4),
                    n_bits,
                };
                p = tail(p, 6);
                if dst_type == DST_MATCH {
                    LearnDst::Match(sf)
                } else {
                    LearnDst::Load(sf)
                }
            }
            _ => LearnDst::Output,
        };
        specs.push(LearnSpec { n_bits, src, dst });
    }
    if !all_zeros(p) {
        return Err(OfpErr::OfpbacBadArgument);
    }
    Ok(specs)
}

pub(crate) fn decode(d: &Dec<'_>, b: &[u8], learn2: bool) -> Result<Action, OfpErr> {
    if learn2 && be16(b, 38) != 0 {
        return Err(OfpErr::NxbacMustBeZero);
    }
    if byte(b, 27) != 0 {
        return Err(OfpErr::OfpbacBadArgument);
    }
    let table_id = byte(b, 26);
    if table_id == 0xff {
        return Err(OfpErr::OfpbacBadArgument);
    }
    let flags = be16(b, 24);
    let mut learn = Learn {
        idle_timeout: be16(b, 10),
        hard_timeout: be16(b, 12),
        priority: be16(b, 14),
        cookie: be64(b, 16),
        flags: flags & !LEARN_F_WRITE_RESULT,
        table_id,
        fin_idle_timeout: be16(b, 28),
        fin_hard_timeout: be16(b, 30),
        limit: 0,
        result_dst: None,
        specs: Vec::new(),
        form: LearnForm::Learn,
    };
    let known = LEARN_F_SEND_FLOW_REM | LEARN_F_DELETE_LEARNED;
    let specs = if learn2 {
        learn.form = LearnForm::Learn2;
        learn.limit = be32(b, 32);
        if flags & !(known | LEARN_F_WRITE_RESULT) != 0 {
            return Err(OfpErr::OfpbacBadArgument);
        }
        let result_ofs = be16(b, 36);
        let mut r = Reader::new(tail(b, 40));
        if flags & LEARN_F_WRITE_RESULT != 0 {
            let field = nxm::pull_field(&mut r, d.tlv())?;
            if !field.info().writable {
                return Err(OfpErr::OfpbacBadSetArgument);
            }
            learn.result_dst = Some(Subfield {
                field,
                ofs: result_ofs,
                n_bits: 1,
            });
        } else if result_ofs != 0 {
            return Err(OfpErr::OfpbacBadArgument);
        }
        r.rest()
    } else {
        if flags & !known != 0 {
            return Err(OfpErr::OfpbacBadArgument);
        }
        tail(b, 32)
    };
    learn.specs = decode_specs(d, specs)?;
    Ok(Action::Learn(Box::new(learn)))
}

pub(crate) fn encode(e: &Enc<'_>, l: &Learn, w: &mut Writer) {
    let learn2 = l.form == LearnForm::Learn2 || l.limit != 0 || l.result_dst.is_some();
    let mut flags = l.flags & !LEARN_F_WRITE_RESULT;
    if l.result_dst.is_some() {
        flags |= LEARN_F_WRITE_RESULT;
    }
    let raw = if learn2 { Raw::NxLearn2 } else { Raw::NxLearn };
    let start = raw::put_with(w, e.version, raw, 0, usize::MAX, |b| {
        set16(b, 10, l.idle_timeout);
        set16(b, 12, l.hard_timeout);
        set16(b, 14, l.priority);
        set64(b, 16, l.cookie);
        set16(b, 24, flags);
        set8(b, 26, l.table_id);
        set16(b, 28, l.fin_idle_timeout);
        set16(b, 30, l.fin_hard_timeout);
        if learn2 {
            set32(b, 32, l.limit);
            set16(b, 36, l.result_dst.map_or(0, |sf| sf.ofs));
        }
    });
    if let Some(sf) = &l.result_dst {
        // OVS writes this header at the field's nominal width.
        nxm::put_header(w, sf.field, 0, false, usize::from(sf.field.info().n_bytes));
    }
    for spec in &l.specs {
        let (src_type, dst_type) = (
            if matches!(spec.src, LearnSrc::Immediate(_)) {
                SRC_IMMEDIATE
            } else {
                0
            },
            match spec.dst {
                LearnDst::Match(_) => DST_MATCH,
                LearnDst::Load(_) => DST_LOAD,
                LearnDst::Output => DST_OUTPUT,
            },
        );
        let n_bits = spec.n_bits & N_BITS_MASK;
        w.u16(n_bits | dst_type | src_type);
        match &spec.src {
            LearnSrc::Field(sf) => {
                w.u32(nxm::nxm32(sf.field, e.tlv()));
                w.u16(sf.ofs);
            }
            LearnSrc::Immediate(v) => {
                let wire = imm_wire_len(n_bits);
                let n = v.len().min(wire);
                w.zeros(wire - n);
                w.bytes(tail(v, v.len() - n));
            }
        }
        if let LearnDst::Match(sf) | LearnDst::Load(sf) = &spec.dst {
            w.u32(nxm::nxm32(sf.field, e.tlv()));
            w.u16(sf.ofs);
        }
    }
    raw::finish(w, start);
}
