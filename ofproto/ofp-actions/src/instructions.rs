//! OpenFlow 1.1+ instructions, represented as actions
//! (`ofpacts_pull_openflow_instructions`,
//! `ofpacts_put_openflow_instructions`).

use ovs_ofp_core::{OfpErr, OfpPort, Reader, Version, Writer};

use crate::DecodeOptions;
use crate::action::{Action, Instruction};
use crate::bits::{be16, be32, be64, byte, tail};
use crate::decode::{self, ALL_ALLOWED, Dec, Outer};
use crate::encode::{self, Enc};
use crate::raw::{self, Raw};

/// `OFPIT_EXPERIMENTER`.
const OFPIT_EXPERIMENTER: u16 = 0xffff;

/// The instruction type for wire number `t`, if OVS knows it.
fn from_wire(t: u16) -> Option<Instruction> {
    Some(match t {
        1 => Instruction::GotoTable,
        2 => Instruction::WriteMetadata,
        3 => Instruction::WriteActions,
        4 => Instruction::ApplyActions,
        5 => Instruction::ClearActions,
        6 => Instruction::Meter,
        _ => return None,
    })
}

pub(crate) fn decode_instructions(
    version: Version,
    r: &mut Reader<'_>,
    len: usize,
    opts: &DecodeOptions,
) -> Result<Vec<Action>, OfpErr> {
    let d = Dec {
        version,
        opts,
        depth: 0,
    };
    if version == Version::Of10 {
        // OpenFlow 1.0 has no instructions; OVS's instruction-like
        // extension actions may all appear in the action list.
        return decode::pull_actions(&d, r, len, ALL_ALLOWED);
    }
    if !len.is_multiple_of(8) {
        return Err(OfpErr::OfpbicBadLen);
    }
    let bytes = r.take(len).map_err(|_| OfpErr::OfpbicBadLen)?;

    let mut slots: [Option<&[u8]>; 6] = [None; 6];
    let mut left = bytes;
    while !left.is_empty() {
        let ilen = usize::from(be16(left, 2));
        if !ilen.is_multiple_of(8) || ilen < 8 || ilen > left.len() {
            break;
        }
        let itype = be16(left, 0);
        if itype == OFPIT_EXPERIMENTER {
            return Err(OfpErr::OfpbicBadExperimenter);
        }
        let inst = from_wire(itype).ok_or(OfpErr::OfpbicUnknownInst)?;
        let len_ok = match inst {
            Instruction::ApplyActions | Instruction::WriteActions => ilen >= 8,
            Instruction::WriteMetadata => ilen == 24,
            _ => ilen == 8,
        };
        if !len_ok {
            return Err(OfpErr::OfpbicBadLen);
        }
        if inst == Instruction::Meter && version >= Version::Of15 {
            // The meter is an action in OpenFlow 1.5.
            return Err(OfpErr::OfpbicUnknownInst);
        }
        let slot = &mut slots[inst as usize];
        if slot.is_some() {
            return Err(OfpErr::OfpbicDupInst);
        }
        *slot = left.get(..ilen);
        left = tail(left, ilen);
    }
    if !left.is_empty() {
        return Err(OfpErr::OfpbicBadLen);
    }

    let mut out = Vec::new();
    if let Some(i) = slots[Instruction::Meter as usize] {
        out.push(Action::Meter {
            meter_id: be32(i, 4),
        });
    }
    if let Some(i) = slots[Instruction::ApplyActions as usize] {
        out.extend(decode::decode_list(&d, tail(i, 8))?);
    }
    if slots[Instruction::ClearActions as usize].is_some() {
        out.push(Action::ClearActions);
    }
    if let Some(i) = slots[Instruction::WriteActions as usize] {
        let set = decode::decode_list(&d, tail(i, 8))?;
        if !set.iter().all(decode::allowed_in_action_set) {
            return Err(OfpErr::OfpbacBadType);
        }
        out.push(Action::WriteActions(set));
    }
    if let Some(i) = slots[Instruction::WriteMetadata as usize] {
        out.push(Action::WriteMetadata {
            metadata: be64(i, 8),
            mask: be64(i, 16),
        });
    }
    if let Some(i) = slots[Instruction::GotoTable as usize] {
        out.push(Action::GotoTable {
            table_id: byte(i, 4),
        });
    }
    decode::verify(&out, version, ALL_ALLOWED, Outer::None)?;
    Ok(out)
}

/// Writes an instruction that holds actions, unless the actions encode to
/// nothing (then OVS drops the instruction).
fn put_actions_instruction(w: &mut Writer, inst: Instruction, body: &[u8]) {
    if body.is_empty() {
        return;
    }
    w.u16(inst.wire_type());
    w.u16(u16::try_from(8 + body.len()).unwrap_or(u16::MAX));
    w.zeros(4);
    w.bytes(body);
}

/// Encodes an instruction-type action as OVS does in any list.
pub(crate) fn encode_instruction(e: &Enc<'_>, a: &Action, w: &mut Writer) {
    let v = e.version;
    match a {
        Action::Meter { meter_id } => match v {
            Version::Of13 | Version::Of14 => {
                w.u16(Instruction::Meter.wire_type());
                w.u16(8);
                w.u32(*meter_id);
            }
            Version::Of15 => {
                raw::put(w, v, Raw::Of15Meter, u64::from(*meter_id));
            }
            // No meters before OpenFlow 1.3.
            _ => {}
        },
        // OpenFlow 1.0 has no way to express these.
        Action::ClearActions if v > Version::Of10 => {
            w.u16(Instruction::ClearActions.wire_type());
            w.u16(8);
            w.zeros(4);
        }
        Action::WriteActions(actions) if v > Version::Of10 => {
            let mut body = Writer::new();
            encode::encode_list(e, actions, &mut body);
            put_actions_instruction(w, Instruction::WriteActions, body.as_slice());
        }
        Action::WriteMetadata { metadata, mask } => {
            if v == Version::Of10 {
                raw::put_with(w, v, Raw::NxWriteMetadata, 0, usize::MAX, |b| {
                    crate::bits::set64(b, 16, *metadata);
                    crate::bits::set64(b, 24, *mask);
                });
            } else {
                w.u16(Instruction::WriteMetadata.wire_type());
                w.u16(24);
                w.zeros(4);
                w.u64(*metadata);
                w.u64(*mask);
            }
        }
        Action::GotoTable { table_id } => {
            if v == Version::Of10 {
                raw::put_with(w, v, Raw::NxResubmitTable, 0, usize::MAX, |b| {
                    crate::bits::set16(b, 10, OfpPort::IN_PORT.0);
                    crate::bits::set8(b, 12, *table_id);
                });
            } else {
                w.u16(Instruction::GotoTable.wire_type());
                w.u16(8);
                w.u8(*table_id);
                w.zeros(3);
            }
        }
        _ => {}
    }
}

pub(crate) fn encode_instructions(e: &Enc<'_>, actions: &[Action], w: &mut Writer) {
    if e.version == Version::Of10 {
        encode::encode_list(e, actions, w);
        return;
    }
    let mut i = 0;
    while let Some(a) = actions.get(i) {
        if a.instruction(e.version).is_none() {
            // Consecutive apply-actions share one instruction.
            let mut body = Writer::new();
            while let Some(b) = actions.get(i) {
                if b.instruction(e.version).is_some() {
                    break;
                }
                encode::encode_one(e, b, &mut body);
                i += 1;
            }
            put_actions_instruction(w, Instruction::ApplyActions, body.as_slice());
        } else {
            encode_instruction(e, a, w);
            i += 1;
        }
    }
}
