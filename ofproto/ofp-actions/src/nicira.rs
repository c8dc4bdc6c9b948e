//! Nicira extension actions without a family of their own: resubmit,
//! fin_timeout, conjunction, multipath, sample, clone, encap/decap, note,
//! exit, write_metadata, debugging actions.

use ovs_ofp_core::{OfpErr, OfpPort, Writer};

use crate::action::{
    Action, EdProp, Encap, Multipath, PT_ETH, PT_MPLS, PT_MPLS_MC, PT_NSH, Resubmit, ResubmitForm,
    Sample, SampleForm, Subfield,
};
use crate::bits::{all_zeros, be16, be32, be64, byte, set8, set16, set32, slice, tail};
use crate::decode::{self, APPLY_ONLY, Dec, Outer};
use crate::encode::{self, Enc};
use crate::field::{check_dst, decode_ofs_nbits, encode_ofs_nbits};
use crate::nxm;
use crate::output::hash_fields_valid;
use crate::raw::{self, Raw};

pub(crate) fn decode_resubmit(raw: Raw, b: &[u8], arg: u64) -> Result<Action, OfpErr> {
    if raw == Raw::NxResubmit {
        return Ok(Action::Resubmit(Resubmit {
            in_port: OfpPort(arg as u16),
            table_id: 0xff,
            with_ct_orig: false,
            form: ResubmitForm::Resubmit,
        }));
    }
    if !all_zeros(slice(b, 13, 3)) {
        return Err(OfpErr::OfpbacBadArgument);
    }
    Ok(Action::Resubmit(Resubmit {
        in_port: OfpPort(be16(b, 10)),
        table_id: byte(b, 12),
        with_ct_orig: raw == Raw::NxResubmitTableCt,
        form: ResubmitForm::ResubmitTable,
    }))
}

pub(crate) fn decode_fin_timeout(b: &[u8]) -> Action {
    Action::FinTimeout {
        idle_timeout: be16(b, 10),
        hard_timeout: be16(b, 12),
    }
}

pub(crate) fn decode_conjunction(b: &[u8]) -> Result<Action, OfpErr> {
    let clause = byte(b, 10);
    let n_clauses = byte(b, 11);
    if !(2..=64).contains(&n_clauses) || clause >= n_clauses {
        return Err(OfpErr::NxbacBadConjunction);
    }
    Ok(Action::Conjunction {
        id: be32(b, 12),
        clause,
        n_clauses,
    })
}

/// `ceil(log2(n))`.
fn log2_ceil(n: u32) -> u32 {
    if n <= 1 {
        0
    } else {
        32 - (n - 1).leading_zeros()
    }
}

pub(crate) fn decode_multipath(d: &Dec<'_>, b: &[u8]) -> Result<Action, OfpErr> {
    let fields = be16(b, 10);
    let algorithm = be16(b, 16);
    let max_link = be16(b, 18);
    let (ofs, n_bits) = decode_ofs_nbits(be16(b, 26));
    let field = nxm::field_from_nxm32(be32(b, 28), d.tlv())?;
    let dst = Subfield { field, ofs, n_bits };
    if !hash_fields_valid(fields)
        || algorithm > 3
        || u32::from(n_bits) < log2_ceil(u32::from(max_link) + 1)
    {
        return Err(OfpErr::OfpbacBadArgument);
    }
    check_dst(&dst, d.tlv())?;
    Ok(Action::Multipath(Multipath {
        fields,
        basis: be16(b, 12),
        algorithm,
        max_link,
        arg: be32(b, 20),
        dst,
    }))
}

pub(crate) fn decode_sample(raw: Raw, b: &[u8]) -> Result<Action, OfpErr> {
    let mut s = Sample {
        probability: be16(b, 10),
        collector_set_id: be32(b, 12),
        obs_domain_id: be32(b, 16),
        obs_point_id: be32(b, 20),
        sampling_port: OfpPort::NONE,
        direction: 0,
        form: SampleForm::Sample,
    };
    match raw {
        Raw::NxSample2 => {
            s.sampling_port = OfpPort(be16(b, 24));
            s.form = SampleForm::Sample2;
        }
        Raw::NxSample3 => {
            if !all_zeros(slice(b, 27, 5)) {
                return Err(OfpErr::NxbrcMustBeZero);
            }
            s.direction = byte(b, 26);
            if s.direction > 2 {
                return Err(OfpErr::OfpbacBadArgument);
            }
            s.sampling_port = OfpPort(be16(b, 24));
            s.form = SampleForm::Sample3;
        }
        _ => {}
    }
    if s.probability == 0 {
        return Err(OfpErr::OfpbacBadArgument);
    }
    Ok(Action::Sample(s))
}

pub(crate) fn decode_clone(d: &Dec<'_>, b: &[u8]) -> Result<Action, OfpErr> {
    // OVS decodes clone's actions as a top-level list (no nesting rules
    // beyond apply-actions only), so e.g. an OpenFlow 1.5 meter is allowed.
    Ok(Action::Clone(decode::nested(
        d,
        tail(b, 16),
        APPLY_ONLY,
        Outer::None,
    )?))
}

/// `OFPPPC_NSH` and its property types.
const PROP_CLASS_NSH: u16 = 4;
const PROP_NSH_MDTYPE: u8 = 1;
const PROP_NSH_TLV: u8 = 2;

/// One encap property (`decode_ed_prop`); returns it and its padded length.
fn decode_ed_prop(p: &[u8]) -> Result<(EdProp, usize), OfpErr> {
    let class = be16(p, 0);
    let ptype = byte(p, 2);
    let len = usize::from(byte(p, 3));
    let padded = len.div_ceil(8) * 8;
    if len < 4 || padded > p.len() {
        return Err(OfpErr::OfpbacBadLen);
    }
    if class != PROP_CLASS_NSH {
        return Err(OfpErr::NxbacUnknownEdProp);
    }
    let prop = match ptype {
        PROP_NSH_MDTYPE => {
            if len > 8 {
                return Err(OfpErr::NxbacBadEdProp);
            }
            EdProp::NshMdType(byte(p, 4))
        }
        PROP_NSH_TLV => {
            let tlv_len = usize::from(byte(p, 7));
            if len != 8 + tlv_len.div_ceil(8) * 8 {
                return Err(OfpErr::NxbacBadEdProp);
            }
            EdProp::NshTlv {
                class: be16(p, 4),
                tlv_type: byte(p, 6),
                value: slice(p, 8, tlv_len).to_vec(),
            }
        }
        _ => return Err(OfpErr::NxbacUnknownEdProp),
    };
    Ok((prop, padded))
}

pub(crate) fn decode_encap(b: &[u8]) -> Result<Action, OfpErr> {
    let new_pkt_type = be32(b, 12);
    if ![PT_ETH, PT_NSH, PT_MPLS, PT_MPLS_MC].contains(&new_pkt_type) {
        return Err(OfpErr::NxbacBadHeaderType);
    }
    let mut props = Vec::new();
    let mut rest = tail(b, 16);
    while !rest.is_empty() {
        let (prop, n) = decode_ed_prop(rest)?;
        props.push(prop);
        rest = tail(rest, n);
    }
    Ok(Action::Encap(Encap {
        new_pkt_type,
        hdr_size: be16(b, 10),
        props,
    }))
}

pub(crate) fn decode_decap(b: &[u8]) -> Result<Action, OfpErr> {
    if b.len() > 16 {
        // No decap properties are supported.
        return Err(OfpErr::NxbacUnknownEdProp);
    }
    Ok(Action::Decap {
        new_pkt_type: be32(b, 12),
    })
}

pub(crate) fn decode_write_metadata(b: &[u8]) -> Result<Action, OfpErr> {
    if !all_zeros(slice(b, 10, 6)) {
        return Err(OfpErr::NxbrcMustBeZero);
    }
    Ok(Action::WriteMetadata {
        metadata: be64(b, 16),
        mask: be64(b, 24),
    })
}

fn encode_encap(e: &Enc<'_>, encap: &Encap, w: &mut Writer) {
    let start = raw::put_with(w, e.version, Raw::NxEncap, 0, usize::MAX, |b| {
        set16(b, 10, encap.hdr_size);
        set32(b, 12, encap.new_pkt_type);
    });
    for prop in &encap.props {
        match prop {
            EdProp::NshMdType(md) => {
                w.u16(PROP_CLASS_NSH);
                w.u8(PROP_NSH_MDTYPE);
                w.u8(5);
                w.u8(*md);
                w.zeros(3);
            }
            EdProp::NshTlv {
                class,
                tlv_type,
                value,
            } => {
                let tlv_len = value.len().min(usize::from(u8::MAX));
                let padded = tlv_len.div_ceil(8) * 8;
                w.u16(PROP_CLASS_NSH);
                w.u8(PROP_NSH_TLV);
                w.u8(u8::try_from(8 + padded).unwrap_or(u8::MAX));
                w.u16(*class);
                w.u8(*tlv_type);
                w.u8(tlv_len as u8);
                w.bytes(slice(value, 0, tlv_len));
                w.zeros(padded - tlv_len);
            }
        }
    }
    raw::finish(w, start);
}

fn encode_sample(e: &Enc<'_>, s: &Sample, w: &mut Writer) {
    let raw = if s.form == SampleForm::Sample3 || s.direction != 0 {
        Raw::NxSample3
    } else if s.form == SampleForm::Sample2 || s.sampling_port != OfpPort::NONE {
        Raw::NxSample2
    } else {
        Raw::NxSample
    };
    raw::put_with(w, e.version, raw, 0, usize::MAX, |b| {
        set16(b, 10, s.probability);
        set32(b, 12, s.collector_set_id);
        set32(b, 16, s.obs_domain_id);
        set32(b, 20, s.obs_point_id);
        if raw != Raw::NxSample {
            set16(b, 24, s.sampling_port.0);
            set8(b, 26, s.direction);
        }
    });
}

pub(crate) fn encode(e: &Enc<'_>, a: &Action, w: &mut Writer) {
    let v = e.version;
    match a {
        Action::Resubmit(r) => {
            if r.table_id == 0xff && r.form == ResubmitForm::Resubmit {
                raw::put(w, v, Raw::NxResubmit, u64::from(r.in_port.0));
            } else {
                let raw = if r.with_ct_orig {
                    Raw::NxResubmitTableCt
                } else {
                    Raw::NxResubmitTable
                };
                raw::put_with(w, v, raw, 0, usize::MAX, |b| {
                    set16(b, 10, r.in_port.0);
                    set8(b, 12, r.table_id);
                });
            }
        }
        Action::FinTimeout {
            idle_timeout,
            hard_timeout,
        } => {
            raw::put_with(w, v, Raw::NxFinTimeout, 0, usize::MAX, |b| {
                set16(b, 10, *idle_timeout);
                set16(b, 12, *hard_timeout);
            });
        }
        Action::Conjunction {
            id,
            clause,
            n_clauses,
        } => {
            raw::put_with(w, v, Raw::NxConjunction, 0, usize::MAX, |b| {
                set8(b, 10, *clause);
                set8(b, 11, *n_clauses);
                set32(b, 12, *id);
            });
        }
        Action::Multipath(mp) => {
            raw::put_with(w, v, Raw::NxMultipath, 0, usize::MAX, |b| {
                set16(b, 10, mp.fields);
                set16(b, 12, mp.basis);
                set16(b, 16, mp.algorithm);
                set16(b, 18, mp.max_link);
                set32(b, 20, mp.arg);
                set16(b, 26, encode_ofs_nbits(mp.dst.ofs, mp.dst.n_bits));
                set32(b, 28, nxm::nxm32(mp.dst.field, e.tlv()));
            });
        }
        Action::Note(data) => {
            let start = raw::put_with(w, v, Raw::NxNote, 0, 10, |_| {});
            w.bytes(data);
            raw::finish(w, start);
        }
        Action::Exit => {
            raw::put(w, v, Raw::NxExit, 0);
        }
        Action::Sample(s) => encode_sample(e, s, w),
        Action::Clone(actions) => {
            let start = raw::put(w, v, Raw::NxClone, 0);
            encode::encode_list(e, actions, w);
            raw::finish(w, start);
        }
        Action::Encap(encap) => encode_encap(e, encap, w),
        Action::Decap { new_pkt_type } => {
            raw::put_with(w, v, Raw::NxDecap, 0, usize::MAX, |b| {
                set32(b, 12, *new_pkt_type);
            });
        }
        Action::DecNshTtl => {
            raw::put(w, v, Raw::NxDecNshTtl, 0);
        }
        Action::DebugRecirc => {
            raw::put(w, v, Raw::NxDebugRecirc, 0);
        }
        Action::DebugSlow => {
            raw::put(w, v, Raw::NxDebugSlow, 0);
        }
        _ => {}
    }
}
