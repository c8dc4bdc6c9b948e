//! Action list decoding and OVS's ordering/nesting rules
//! (`ofpacts_pull_openflow_actions`, `ofpacts_verify`).

use ovs_flow::FieldId;
use ovs_ofp_core::{OfpErr, Reader, Version};

use crate::action::{Action, Instruction, NatRange};
use crate::raw::{self, Raw};
use crate::{DecodeOptions, TlvMap, ct, field, header, learn, nicira, output};

/// Decoding context.
pub(crate) struct Dec<'a> {
    pub version: Version,
    pub opts: &'a DecodeOptions,
    /// How many `clone`/`ct` actions enclose the list being decoded.
    pub depth: usize,
}

/// Deepest `clone`/`ct` nesting accepted. OVS has no limit of its own (a
/// 64 KiB action can nest about 4000 deep), but every recursive walk over
/// such a tree risks the stack, and OVS's translation gives up past 64
/// levels anyway, so deeper lists are refused as `OFPBAC_TOO_MANY`.
pub(crate) const MAX_DEPTH: usize = 256;

impl Dec<'_> {
    pub fn tlv(&self) -> Option<&TlvMap> {
        self.opts.tlv.as_ref()
    }
}

/// The action an action list is nested in, for the nesting rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outer {
    None,
    Ct,
}

/// Instructions allowed in a plain action list (packet_out, buckets): only
/// apply-actions and the meter (an action from OpenFlow 1.5).
pub(crate) const ACTIONS_ALLOWED: u32 =
    (1 << Instruction::ApplyActions as u32) | (1 << Instruction::Meter as u32);
/// Every instruction.
pub(crate) const ALL_ALLOWED: u32 = 0x3f;
/// Only apply-actions (nested lists).
pub(crate) const APPLY_ONLY: u32 = 1 << Instruction::ApplyActions as u32;

pub(crate) fn decode_actions(
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
    pull_actions(&d, r, len, ACTIONS_ALLOWED)
}

/// `ofpacts_pull_openflow_actions__` at top level.
pub(crate) fn pull_actions(
    d: &Dec<'_>,
    r: &mut Reader<'_>,
    len: usize,
    allowed: u32,
) -> Result<Vec<Action>, OfpErr> {
    if !len.is_multiple_of(8) {
        return Err(OfpErr::OfpbrcBadLen);
    }
    let bytes = r.take(len).map_err(|_| OfpErr::OfpbrcBadLen)?;
    let actions = decode_list(d, bytes)?;
    verify(&actions, d.version, allowed, Outer::None)?;
    Ok(actions)
}

/// Decodes and verifies the list nested in a `clone` or `ct`, with `outer`
/// as the enclosing action for the nesting rules.
pub(crate) fn nested(
    d: &Dec<'_>,
    bytes: &[u8],
    allowed: u32,
    outer: Outer,
) -> Result<Vec<Action>, OfpErr> {
    if d.depth >= MAX_DEPTH {
        return Err(OfpErr::OfpbacTooMany);
    }
    let inner = Dec {
        version: d.version,
        opts: d.opts,
        depth: d.depth + 1,
    };
    let actions = decode_list(&inner, bytes)?;
    verify(&actions, d.version, allowed, outer)?;
    Ok(actions)
}

/// Decodes every action in `bytes` (`ofpacts_decode`), without the
/// ordering rules.
pub(crate) fn decode_list(d: &Dec<'_>, bytes: &[u8]) -> Result<Vec<Action>, OfpErr> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let p = raw::pull(rest, d.version)?;
        rest = crate::bits::tail(rest, p.bytes.len());
        out.push(decode_one(d, p.raw, p.bytes, p.arg)?);
    }
    Ok(out)
}

fn decode_one(d: &Dec<'_>, raw: Raw, b: &[u8], arg: u64) -> Result<Action, OfpErr> {
    match raw {
        Raw::Of10Output => output::decode_output10(b),
        Raw::Of11Output => output::decode_output11(b),
        Raw::Group => Ok(Action::Group {
            group_id: arg as u32,
        }),
        Raw::NxController => Ok(output::decode_controller(b)),
        Raw::NxController2 => output::decode_controller2(b),
        Raw::Of10Enqueue => output::decode_enqueue(b),
        Raw::NxOutputReg => output::decode_output_reg(d, b),
        Raw::NxOutputReg2 => output::decode_output_reg2(d, b),
        Raw::NxOutputTrunc => output::decode_output_trunc(b),
        Raw::NxBundle => output::decode_bundle(d, b, false),
        Raw::NxBundleLoad => output::decode_bundle(d, b, true),

        Raw::Of10SetVlanVid
        | Raw::Of11SetVlanVid
        | Raw::Of10SetVlanPcp
        | Raw::Of11SetVlanPcp
        | Raw::Of10StripVlan
        | Raw::Of11PopVlan
        | Raw::Of11PushVlan
        | Raw::SetDlSrc
        | Raw::SetDlDst
        | Raw::SetNwSrc
        | Raw::SetNwDst
        | Raw::SetNwTos
        | Raw::Of11SetNwEcn
        | Raw::Of11SetNwTtl
        | Raw::SetTpSrc
        | Raw::SetTpDst
        | Raw::SetMplsLabel
        | Raw::SetMplsTc
        | Raw::SetMplsTtl
        | Raw::DecMplsTtl
        | Raw::PushMpls
        | Raw::PopMpls
        | Raw::SetQueue
        | Raw::NxPopQueue
        | Raw::DecNwTtl
        | Raw::NxDecTtlCntIds
        | Raw::NxSetTunnel
        | Raw::NxSetTunnel64 => header::decode(raw, b, arg),

        Raw::Of12SetField => field::decode_set_field(d, b, false),
        Raw::Of15SetField => field::decode_set_field(d, b, true),
        Raw::NxRegLoad => field::decode_reg_load(d, b),
        Raw::NxRegLoad2 => field::decode_reg_load2(d, b),
        Raw::NxRegMove | Raw::Of15CopyField | Raw::Onf13CopyField => field::decode_move(d, raw, b),
        Raw::NxStackPush => field::decode_stack(d, b, true),
        Raw::NxStackPop => field::decode_stack(d, b, false),
        Raw::NxDeleteField => field::decode_delete_field(d, b),
        Raw::NxCheckPktLarger => field::decode_check_pkt_larger(d, b),

        Raw::NxLearn => learn::decode(d, b, false),
        Raw::NxLearn2 => learn::decode(d, b, true),

        Raw::NxCt => ct::decode_ct(d, b),
        Raw::NxNat => ct::decode_nat(b),
        Raw::NxCtClear => Ok(Action::CtClear),

        Raw::Of15Meter => Ok(Action::Meter {
            meter_id: arg as u32,
        }),
        Raw::NxWriteMetadata => nicira::decode_write_metadata(b),
        Raw::NxResubmit | Raw::NxResubmitTable | Raw::NxResubmitTableCt => {
            nicira::decode_resubmit(raw, b, arg)
        }
        Raw::NxNote => Ok(Action::Note(crate::bits::tail(b, 10).to_vec())),
        Raw::NxExit => Ok(Action::Exit),
        Raw::NxFinTimeout => Ok(nicira::decode_fin_timeout(b)),
        Raw::NxConjunction => nicira::decode_conjunction(b),
        Raw::NxMultipath => nicira::decode_multipath(d, b),
        Raw::NxSample | Raw::NxSample2 | Raw::NxSample3 => nicira::decode_sample(raw, b),
        Raw::NxClone => nicira::decode_clone(d, b),
        Raw::NxEncap => nicira::decode_encap(b),
        Raw::NxDecap => nicira::decode_decap(b),
        Raw::NxDecNshTtl => Ok(Action::DecNshTtl),
        Raw::NxDebugRecirc | Raw::NxDebugSlow => {
            if !d.opts.allow_debug {
                Err(OfpErr::OfpbacBadVendorType)
            } else if raw == Raw::NxDebugRecirc {
                Ok(Action::DebugRecirc)
            } else {
                Ok(Action::DebugSlow)
            }
        }
    }
}

/// The field an action writes, if any (`ofpact_get_mf_dst`).
fn written_field(a: &Action) -> Option<FieldId> {
    match a {
        Action::SetField(sf) => Some(sf.field),
        Action::RegMove { dst, .. } => Some(dst.field),
        _ => None,
    }
}

fn is_ct_field(f: FieldId) -> bool {
    f == FieldId::CtMark || f == FieldId::CtLabel
}

/// Nesting rules (`ofpacts_verify_nested`).
fn verify_nested(a: &Action, outer: Outer) -> Result<(), OfpErr> {
    let field = written_field(a);
    if field.is_some_and(is_ct_field) && outer != Outer::Ct {
        return Err(OfpErr::OfpbacBadSetArgument);
    }
    if let Action::Nat(_) = a {
        return if outer != Outer::Ct {
            Err(OfpErr::OfpbacBadSetArgument)
        } else {
            Ok(())
        };
    }
    if outer != Outer::None {
        if outer == Outer::Ct {
            match field {
                None => return Err(OfpErr::OfpbacBadArgument),
                Some(f) if !is_ct_field(f) => return Err(OfpErr::OfpbacBadArgument),
                _ => {}
            }
        }
        if let Action::Meter { .. } = a {
            return Err(OfpErr::OfpbacBadArgument);
        }
    }
    Ok(())
}

/// The instruction an action belongs to in `version`.
pub(crate) fn instruction_of(a: &Action, version: Version) -> Instruction {
    a.instruction(version).unwrap_or(Instruction::ApplyActions)
}

/// OVS's `ofpacts_verify`: instruction order and uniqueness, allowed
/// instructions, nesting rules, and conjunction exclusivity.
pub(crate) fn verify(
    actions: &[Action],
    version: Version,
    allowed: u32,
    outer: Outer,
) -> Result<(), OfpErr> {
    let mut inst = Instruction::Meter;
    for (i, a) in actions.iter().enumerate() {
        if let Action::Conjunction { .. } = a {
            if actions
                .iter()
                .any(|b| !matches!(b, Action::Conjunction { .. } | Action::Note(_)))
            {
                return Err(OfpErr::NxbacBadConjunction);
            }
            return Ok(());
        }
        verify_nested(a, outer)?;
        let next = instruction_of(a, version);
        let out_of_order = if inst == Instruction::ApplyActions {
            next < inst
        } else {
            next <= inst
        };
        if i > 0 && out_of_order {
            return Err(OfpErr::OfpbacUnsupportedOrder);
        }
        if allowed & next.bit() == 0 {
            return Err(if next == Instruction::Meter && version >= Version::Of15 {
                OfpErr::OfpbacBadType
            } else {
                OfpErr::OfpbicUnsupInst
            });
        }
        inst = next;
    }
    Ok(())
}

/// True if `a` may appear in an action set (write_actions).
pub(crate) fn allowed_in_action_set(a: &Action) -> bool {
    matches!(
        a,
        Action::StripVlan { .. }
            | Action::PopMpls { .. }
            | Action::Decap { .. }
            | Action::Encap(_)
            | Action::PushMpls { .. }
            | Action::PushVlan { .. }
            | Action::DecTtl { .. }
            | Action::DecMplsTtl
            | Action::DecNshTtl
            | Action::Ct(_)
            | Action::CtClear
            | Action::Resubmit(_)
            | Action::Output { .. }
            | Action::Group { .. }
            | Action::SetField(_)
            | Action::RegMove { .. }
            | Action::SetEthDst { .. }
            | Action::SetEthSrc { .. }
            | Action::SetIpDscp { .. }
            | Action::SetIpEcn { .. }
            | Action::SetIpTtl { .. }
            | Action::SetIpv4Dst { .. }
            | Action::SetIpv4Src { .. }
            | Action::SetL4DstPort { .. }
            | Action::SetL4SrcPort { .. }
            | Action::SetMplsLabel { .. }
            | Action::SetMplsTc { .. }
            | Action::SetMplsTtl { .. }
            | Action::SetQueue { .. }
            | Action::SetTunnel { .. }
            | Action::SetVlanPcp { .. }
            | Action::SetVlanVid { .. }
    )
}

/// True if a `ct` without `commit` may carry this nested action: only a NAT
/// without flags or range.
pub(crate) fn plain_nat(a: &Action) -> bool {
    matches!(a, Action::Nat(n) if n.flags == 0 && n.range == NatRange::None)
}
