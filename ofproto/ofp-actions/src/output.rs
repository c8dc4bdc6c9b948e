//! Output-like actions: output, group, controller, enqueue, output_reg,
//! output_trunc, bundle.

use ovs_ofp_core::{OfpErr, OfpPort, Reader, Version, Writer};

use crate::action::{
    Action, Bundle, Controller, ControllerForm, OFPR_ACTION, OutputRegForm, Subfield,
};
use crate::bits::{all_zeros, be16, be32, byte, set8, set16, set32, slice, tail};
use crate::decode::Dec;
use crate::encode::Enc;
use crate::field::{check_dst, check_src, decode_ofs_nbits, encode_ofs_nbits};
use crate::nxm;
use crate::raw::{self, Raw};

/// Valid output ports (`ofpact_check_output_port`).
pub(crate) fn check_output_port(port: OfpPort, max_ports: OfpPort) -> Result<(), OfpErr> {
    match port {
        OfpPort::IN_PORT
        | OfpPort::TABLE
        | OfpPort::NORMAL
        | OfpPort::FLOOD
        | OfpPort::ALL
        | OfpPort::CONTROLLER
        | OfpPort::LOCAL => Ok(()),
        OfpPort::NONE => Err(OfpErr::OfpbacBadOutPort),
        p if p.0 < max_ports.0 => Ok(()),
        _ => Err(OfpErr::OfpbacBadOutPort),
    }
}

pub(crate) fn decode_output10(b: &[u8]) -> Result<Action, OfpErr> {
    let port = OfpPort(be16(b, 4));
    check_output_port(port, OfpPort::MAX)?;
    Ok(Action::Output {
        port,
        max_len: be16(b, 6),
    })
}

pub(crate) fn decode_output11(b: &[u8]) -> Result<Action, OfpErr> {
    let port = OfpPort::from_of11(be32(b, 4)).ok_or(OfpErr::OfpbacBadOutPort)?;
    check_output_port(port, OfpPort::MAX)?;
    Ok(Action::Output {
        port,
        max_len: be16(b, 8),
    })
}

pub(crate) fn decode_controller(b: &[u8]) -> Action {
    // The trailing "must be zero" byte is not checked by OVS.
    Action::Controller(Controller {
        max_len: be16(b, 10),
        controller_id: be16(b, 12),
        reason: byte(b, 14),
        userdata: Vec::new(),
        pause: false,
        meter_id: 0,
        form: ControllerForm::Controller,
    })
}

/// `NXAC2PT_*` property types.
const PROP_MAX_LEN: u16 = 0;
const PROP_CONTROLLER_ID: u16 = 1;
const PROP_REASON: u16 = 2;
const PROP_USERDATA: u16 = 3;
const PROP_PAUSE: u16 = 4;
const PROP_METER_ID: u16 = 5;

/// One OpenFlow property pulled with `ofpprop_pull` rules: returns its type
/// and payload, with OVS's property errors.
fn pull_prop<'a>(props: &mut &'a [u8]) -> Result<(u16, &'a [u8]), OfpErr> {
    if props.len() < 4 {
        return Err(OfpErr::OfpbpcBadLen);
    }
    let ptype = be16(props, 0);
    let len = usize::from(be16(props, 2));
    let padded = len.div_ceil(8) * 8;
    if len < 4 || padded > props.len() {
        return Err(OfpErr::OfpbpcBadLen);
    }
    if ptype == 0xffff {
        if len < 12 {
            return Err(OfpErr::OfpbpcBadLen);
        }
        if be32(props, 4) == 0 {
            return Err(OfpErr::OfpbpcBadExperimenter);
        }
        // No experimenter property is known here.
        return Err(OfpErr::OfpbpcBadExpType);
    }
    let payload = slice(props, 4, len - 4);
    *props = tail(props, padded);
    Ok((ptype, payload))
}

pub(crate) fn decode_controller2(b: &[u8]) -> Result<Action, OfpErr> {
    if !all_zeros(slice(b, 10, 6)) {
        return Err(OfpErr::NxbrcMustBeZero);
    }
    let mut c = Controller {
        form: ControllerForm::Controller2,
        ..Controller::default()
    };
    let mut props = tail(b, 16);
    while !props.is_empty() {
        let (ptype, p) = pull_prop(&mut props)?;
        match ptype {
            PROP_MAX_LEN | PROP_CONTROLLER_ID => {
                if p.len() < 2 {
                    return Err(OfpErr::OfpbpcBadLen);
                }
                if ptype == PROP_MAX_LEN {
                    c.max_len = be16(p, 0);
                } else {
                    c.controller_id = be16(p, 0);
                }
            }
            PROP_REASON => {
                c.reason = *p.first().ok_or(OfpErr::OfpbpcBadLen)?;
            }
            PROP_USERDATA => c.userdata = p.to_vec(),
            PROP_PAUSE => c.pause = true,
            PROP_METER_ID => {
                if p.len() != 4 {
                    return Err(OfpErr::OfpbpcBadLen);
                }
                c.meter_id = be32(p, 0);
            }
            _ => return Err(OfpErr::OfpbpcBadType),
        }
    }
    Ok(Action::Controller(c))
}

pub(crate) fn decode_enqueue(b: &[u8]) -> Result<Action, OfpErr> {
    let port = OfpPort(be16(b, 4));
    if port.0 >= OfpPort::MAX.0 && port != OfpPort::IN_PORT && port != OfpPort::LOCAL {
        return Err(OfpErr::OfpbacBadOutPort);
    }
    Ok(Action::Enqueue {
        port,
        queue: be32(b, 12),
    })
}

pub(crate) fn decode_output_reg(d: &Dec<'_>, b: &[u8]) -> Result<Action, OfpErr> {
    if !all_zeros(slice(b, 18, 6)) {
        return Err(OfpErr::OfpbacBadArgument);
    }
    let (ofs, n_bits) = decode_ofs_nbits(be16(b, 10));
    let field = nxm::field_from_nxm32(be32(b, 12), d.tlv())?;
    let src = Subfield { field, ofs, n_bits };
    check_src(&src, d.tlv())?;
    Ok(Action::OutputReg {
        src,
        max_len: be16(b, 16),
        form: OutputRegForm::OutputReg,
    })
}

pub(crate) fn decode_output_reg2(d: &Dec<'_>, b: &[u8]) -> Result<Action, OfpErr> {
    let (ofs, n_bits) = decode_ofs_nbits(be16(b, 10));
    let mut r = Reader::new(tail(b, 14));
    let field = nxm::pull_field(&mut r, d.tlv())?;
    if !all_zeros(r.rest()) {
        return Err(OfpErr::NxbrcMustBeZero);
    }
    let src = Subfield { field, ofs, n_bits };
    check_src(&src, d.tlv())?;
    Ok(Action::OutputReg {
        src,
        max_len: be16(b, 12),
        form: OutputRegForm::OutputReg2,
    })
}

pub(crate) fn decode_output_trunc(b: &[u8]) -> Result<Action, OfpErr> {
    let max_len = be32(b, 12);
    if max_len < 14 {
        return Err(OfpErr::OfpbacBadArgument);
    }
    Ok(Action::OutputTrunc {
        port: OfpPort(be16(b, 10)),
        max_len,
    })
}

/// `NX_HASH_FIELDS_*` values OVS accepts.
pub(crate) fn hash_fields_valid(fields: u16) -> bool {
    fields <= 6
}

/// `BUNDLE_MAX_MEMBERS`.
const BUNDLE_MAX_MEMBERS: u16 = 2048;
/// `NXM_OF_IN_PORT`, the only member type.
const MEMBER_TYPE_IN_PORT: u32 = 0x0000_0002;

/// Checks a bundle's destination and members (`bundle_check`).
pub(crate) fn bundle_check(
    bundle: &Bundle,
    max_ports: OfpPort,
    dst_check: impl Fn(&Subfield) -> Result<(), OfpErr>,
) -> Result<(), OfpErr> {
    if let Some(dst) = &bundle.dst {
        dst_check(dst)?;
    }
    for &m in &bundle.members {
        if m != OfpPort::NONE {
            check_output_port(m, max_ports)?;
        }
        if m == OfpPort::CONTROLLER {
            return Err(OfpErr::OfpbacBadOutPort);
        }
    }
    Ok(())
}

pub(crate) fn decode_bundle(d: &Dec<'_>, b: &[u8], load: bool) -> Result<Action, OfpErr> {
    let algorithm = be16(b, 10);
    let fields = be16(b, 12);
    let basis = be16(b, 14);
    let member_type = be32(b, 16);
    let n_members = be16(b, 20);
    let ofs_nbits = be16(b, 22);
    let dst_header = be32(b, 24);

    // OVS accumulates one error and lets later checks override it.
    let mut error = if !hash_fields_valid(fields)
        || n_members > BUNDLE_MAX_MEMBERS
        || algorithm > 1
        || member_type != MEMBER_TYPE_IN_PORT
    {
        Some(OfpErr::OfpbacBadArgument)
    } else {
        None
    };
    if !all_zeros(slice(b, 28, 4)) {
        error = Some(OfpErr::OfpbacBadArgument);
    }
    let mut dst = None;
    if load {
        let (ofs, n_bits) = decode_ofs_nbits(ofs_nbits);
        let field = nxm::field_from_nxm32(dst_header, d.tlv())?;
        // OVS stores the lookup's result in the same error variable, so a
        // successful lookup forgets the earlier argument errors.
        error = None;
        if n_bits < 16 {
            error = Some(OfpErr::OfpbacBadArgument);
        }
        dst = Some(Subfield { field, ofs, n_bits });
    } else if ofs_nbits != 0 || dst_header != 0 {
        error = Some(OfpErr::OfpbacBadArgument);
    }
    let members_bytes = tail(b, 32);
    let mut members = Vec::new();
    if members_bytes.len() < usize::from(n_members) * 2 {
        error = Some(OfpErr::OfpbacBadLen);
    } else {
        members = (0..usize::from(n_members))
            .map(|i| OfpPort(be16(members_bytes, i * 2)))
            .collect();
    }
    if let Some(e) = error {
        return Err(e);
    }
    let bundle = Bundle {
        algorithm,
        fields,
        basis,
        members,
        dst,
    };
    bundle_check(&bundle, OfpPort::MAX, |sf| check_dst(sf, d.tlv()))?;
    Ok(Action::Bundle(bundle))
}

/// `NXAC2PT_*` property with a value (`ofpprop_put`): header, value,
/// padding to 8.
fn put_prop(w: &mut Writer, ptype: u16, value: &[u8]) {
    let len = 4 + value.len();
    w.u16(ptype);
    w.u16(u16::try_from(len).unwrap_or(u16::MAX));
    w.bytes(value);
    w.zeros((8 - len % 8) % 8);
}

fn encode_controller(e: &Enc<'_>, c: &Controller, w: &mut Writer) {
    if !c.userdata.is_empty() || c.pause || c.meter_id != 0 || c.form == ControllerForm::Controller2
    {
        let start = raw::put(w, e.version, Raw::NxController2, 0);
        if c.max_len != u16::MAX {
            // 16-bit properties carry two bytes of padding, as in OpenFlow.
            let [a, b] = c.max_len.to_be_bytes();
            put_prop(w, PROP_MAX_LEN, &[a, b, 0, 0]);
        }
        if c.controller_id != 0 {
            let [a, b] = c.controller_id.to_be_bytes();
            put_prop(w, PROP_CONTROLLER_ID, &[a, b, 0, 0]);
        }
        if c.reason != OFPR_ACTION {
            put_prop(w, PROP_REASON, &[c.reason]);
        }
        if !c.userdata.is_empty() {
            put_prop(w, PROP_USERDATA, &c.userdata);
        }
        if c.pause {
            put_prop(w, PROP_PAUSE, &[]);
        }
        if c.meter_id != 0 {
            put_prop(w, PROP_METER_ID, &c.meter_id.to_be_bytes());
        }
        raw::finish(w, start);
    } else {
        raw::put_with(w, e.version, Raw::NxController, 0, usize::MAX, |b| {
            set16(b, 10, c.max_len);
            set16(b, 12, c.controller_id);
            set8(b, 14, c.reason);
        });
    }
}

pub(crate) fn encode(e: &Enc<'_>, a: &Action, w: &mut Writer) {
    match a {
        Action::Output { port, max_len } => {
            if e.version == Version::Of10 {
                raw::put_with(w, e.version, Raw::Of10Output, 0, usize::MAX, |b| {
                    set16(b, 4, port.0);
                    set16(b, 6, *max_len);
                });
            } else {
                raw::put_with(w, e.version, Raw::Of11Output, 0, usize::MAX, |b| {
                    set32(b, 4, port.to_of11());
                    set16(b, 8, *max_len);
                });
            }
        }
        Action::Group { group_id } => {
            raw::put(w, e.version, Raw::Group, u64::from(*group_id));
        }
        Action::Controller(c) => encode_controller(e, c, w),
        Action::Enqueue { port, queue } => {
            if e.version == Version::Of10 {
                raw::put_with(w, e.version, Raw::Of10Enqueue, 0, usize::MAX, |b| {
                    set16(b, 4, port.0);
                    set32(b, 12, *queue);
                });
            } else {
                // OpenFlow 1.1+ has no enqueue: OVS sends set_queue, output
                // and pop_queue.
                raw::put(w, e.version, Raw::SetQueue, u64::from(*queue));
                raw::put_with(w, e.version, Raw::Of11Output, 0, usize::MAX, |b| {
                    set32(b, 4, port.to_of11());
                    set16(b, 8, u16::MAX);
                });
                raw::put(w, e.version, Raw::NxPopQueue, 0);
            }
        }
        Action::OutputReg { src, max_len, form } => {
            if *form == OutputRegForm::OutputReg2 || !nxm::has_nxm32(src.field) {
                let start = raw::put_with(w, e.version, Raw::NxOutputReg2, 0, 14, |b| {
                    set16(b, 10, encode_ofs_nbits(src.ofs, src.n_bits));
                    set16(b, 12, *max_len);
                });
                nxm::put_field_header(w, src.field, 0, e.tlv());
                finish_fixed(w, start, 24);
            } else {
                raw::put_with(w, e.version, Raw::NxOutputReg, 0, usize::MAX, |b| {
                    set16(b, 10, encode_ofs_nbits(src.ofs, src.n_bits));
                    set32(b, 12, nxm::nxm32(src.field, e.tlv()));
                    set16(b, 16, *max_len);
                });
            }
        }
        Action::OutputTrunc { port, max_len } => {
            raw::put_with(w, e.version, Raw::NxOutputTrunc, 0, usize::MAX, |b| {
                set16(b, 10, port.0);
                set32(b, 12, *max_len);
            });
        }
        Action::Bundle(bundle) => {
            let raw = if bundle.dst.is_some() {
                Raw::NxBundleLoad
            } else {
                Raw::NxBundle
            };
            let start = raw::put_with(w, e.version, raw, 0, usize::MAX, |b| {
                set16(b, 10, bundle.algorithm);
                set16(b, 12, bundle.fields);
                set16(b, 14, bundle.basis);
                set32(b, 16, MEMBER_TYPE_IN_PORT);
                set16(
                    b,
                    20,
                    u16::try_from(bundle.members.len()).unwrap_or(u16::MAX),
                );
                if let Some(dst) = &bundle.dst {
                    set16(b, 22, encode_ofs_nbits(dst.ofs, dst.n_bits));
                    set32(b, 24, nxm::nxm32(dst.field, e.tlv()));
                }
            });
            for m in &bundle.members {
                w.u16(m.0);
            }
            raw::finish(w, start);
        }
        _ => {}
    }
}

/// Pads a fixed-size action whose field header overwrote part of its
/// padding back to `total` bytes, and stores its length.
pub(crate) fn finish_fixed(w: &mut Writer, start: usize, total: usize) {
    let n = w.len() - start;
    if n < total {
        w.zeros(total - n);
    }
    raw::finish(w, start);
}
