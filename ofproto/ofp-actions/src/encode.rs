//! Action encoding dispatch (`ofpacts_put_openflow_actions`).

use ovs_ofp_core::{Version, Writer};

use crate::action::Action;
use crate::{EncodeOptions, TlvMap, ct, field, header, instructions, learn, nicira, output};

/// Encoding context.
pub(crate) struct Enc<'a> {
    pub version: Version,
    pub opts: &'a EncodeOptions,
}

impl Enc<'_> {
    pub fn tlv(&self) -> Option<&TlvMap> {
        self.opts.tlv.as_ref()
    }

    pub fn v(&self) -> u8 {
        self.version.wire()
    }
}

/// Encodes every action in order. Instructions met here are encoded the
/// way OVS encodes them in a list (as instruction structures in 1.1+), so
/// callers should use the instruction encoder for flow_mods.
pub(crate) fn encode_list(e: &Enc<'_>, actions: &[Action], w: &mut Writer) {
    for a in actions {
        encode_one(e, a, w);
    }
}

pub(crate) fn encode_one(e: &Enc<'_>, a: &Action, w: &mut Writer) {
    match a {
        Action::Output { .. }
        | Action::Group { .. }
        | Action::Controller(_)
        | Action::Enqueue { .. }
        | Action::OutputReg { .. }
        | Action::OutputTrunc { .. }
        | Action::Bundle(_) => output::encode(e, a, w),

        Action::SetVlanVid { .. }
        | Action::SetVlanPcp { .. }
        | Action::StripVlan { .. }
        | Action::PushVlan { .. }
        | Action::SetEthSrc { .. }
        | Action::SetEthDst { .. }
        | Action::SetIpv4Src { .. }
        | Action::SetIpv4Dst { .. }
        | Action::SetIpDscp { .. }
        | Action::SetIpEcn { .. }
        | Action::SetIpTtl { .. }
        | Action::SetL4SrcPort { .. }
        | Action::SetL4DstPort { .. }
        | Action::DecTtl { .. }
        | Action::SetMplsLabel { .. }
        | Action::SetMplsTc { .. }
        | Action::SetMplsTtl { .. }
        | Action::DecMplsTtl
        | Action::PushMpls { .. }
        | Action::PopMpls { .. }
        | Action::SetTunnel { .. }
        | Action::SetQueue { .. }
        | Action::PopQueue => header::encode(e, a, w),

        Action::SetField(sf) => field::encode_set_field(e, sf, w),
        Action::RegMove { src, dst, form } => field::encode_move(e, src, dst, *form, w),
        Action::StackPush(sf) => field::encode_stack(e, sf, true, w),
        Action::StackPop(sf) => field::encode_stack(e, sf, false, w),
        Action::DeleteField { field } => field::encode_delete_field(e, *field, w),
        Action::CheckPktLarger { pkt_len, dst } => {
            field::encode_check_pkt_larger(e, *pkt_len, dst, w)
        }

        Action::Learn(l) => learn::encode(e, l, w),
        Action::Ct(c) => ct::encode_ct(e, c, w),
        Action::Nat(n) => ct::encode_nat(e, n, w),
        Action::CtClear => {
            crate::raw::put(w, e.version, crate::raw::Raw::NxCtClear, 0);
        }

        Action::FinTimeout { .. }
        | Action::Resubmit(_)
        | Action::Conjunction { .. }
        | Action::Multipath(_)
        | Action::Note(_)
        | Action::Exit
        | Action::Sample(_)
        | Action::Clone(_)
        | Action::Encap(_)
        | Action::Decap { .. }
        | Action::DecNshTtl
        | Action::DebugRecirc
        | Action::DebugSlow => nicira::encode(e, a, w),

        Action::Meter { .. }
        | Action::ClearActions
        | Action::WriteActions(_)
        | Action::WriteMetadata { .. }
        | Action::GotoTable { .. } => instructions::encode_instruction(e, a, w),
    }
}
