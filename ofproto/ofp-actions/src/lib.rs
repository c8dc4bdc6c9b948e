//! OpenFlow actions and instructions: OVS's version-neutral "ofpact" model
//! ([`Action`]) with decoders and encoders for OpenFlow 1.0 to 1.5 and the
//! Nicira (`NXAST_*`) and ONF extension actions, and the consistency checks
//! ofproto applies to a flow_mod's or packet_out's actions.
//!
//! It promises: decoding never panics on any input and fails with the
//! OpenFlow error OVS 3.1 reports for the same bytes; re-encoding for a
//! version writes what OVS would send, using the wire-form hints that
//! decoding records (e.g. `load` stays `NXAST_REG_LOAD`, a plain
//! `NXAST_RESUBMIT` stays plain). It does no I/O, and knows nothing of
//! messages, tables, groups or meters beyond what the actions name; it
//! depends only on the flow layout (`ovs-flow`), the OpenFlow foundations
//! (`ovs-ofp-core`) and NXM/OXM headers (`ovs-ofp-match`).
#![forbid(unsafe_code)]

mod action;
mod bits;
mod check;
mod ct;
mod decode;
mod encode;
mod field;
mod header;
mod instructions;
mod learn;
mod nicira;
mod nxm;
mod output;
mod raw;

pub use action::*;
pub use check::{CheckParams, check_actions, check_actions_with};
pub use nxm::TlvMap;

use ovs_ofp_core::{OfpErr, Reader, Version, Writer};

/// How to decode, beyond the version.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Accept `debug_recirc` and `debug_slow`, as OVS does only when
    /// started with `--enable-dummy`.
    pub allow_debug: bool,
    /// The switch's tunnel metadata map. With a map, unmapped
    /// `tun_metadataN` fields are `NXFMFC_INVALID_TLV_FIELD` and mapped
    /// ones have their mapped width; without one (as in `ovs-ofctl`), every
    /// `tun_metadataN` is accepted at its full 124-byte width.
    pub tlv: Option<TlvMap>,
}

/// How to encode, beyond the version.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EncodeOptions {
    /// Widths of mapped tunnel metadata, for their field headers.
    pub tlv: Option<TlvMap>,
}

/// Decodes an action list of exactly `len` bytes (OpenFlow 1.0 flow_mod,
/// packet_out, group buckets, ...). Instructions are not allowed except the
/// OpenFlow 1.5 meter action.
pub fn decode_actions(
    version: Version,
    r: &mut Reader<'_>,
    len: usize,
) -> Result<Vec<Action>, OfpErr> {
    decode_actions_with(version, r, len, &DecodeOptions::default())
}

/// [`decode_actions`] with options.
pub fn decode_actions_with(
    version: Version,
    r: &mut Reader<'_>,
    len: usize,
    opts: &DecodeOptions,
) -> Result<Vec<Action>, OfpErr> {
    decode::decode_actions(version, r, len, opts)
}

/// Decodes an OpenFlow 1.1+ instruction list of exactly `len` bytes into
/// actions (instructions become `Meter`, `ClearActions`, `WriteActions`,
/// `WriteMetadata`, `GotoTable`; apply-actions become plain actions). For
/// OpenFlow 1.0 this is an action list in which OVS's instruction-like
/// extension actions are allowed.
pub fn decode_instructions(
    version: Version,
    r: &mut Reader<'_>,
    len: usize,
) -> Result<Vec<Action>, OfpErr> {
    decode_instructions_with(version, r, len, &DecodeOptions::default())
}

/// [`decode_instructions`] with options.
pub fn decode_instructions_with(
    version: Version,
    r: &mut Reader<'_>,
    len: usize,
    opts: &DecodeOptions,
) -> Result<Vec<Action>, OfpErr> {
    instructions::decode_instructions(version, r, len, opts)
}

/// Encodes `actions` as an action list for `version`.
pub fn encode_actions(version: Version, actions: &[Action], w: &mut Writer) {
    encode_actions_with(version, actions, w, &EncodeOptions::default());
}

/// [`encode_actions`] with options.
pub fn encode_actions_with(
    version: Version,
    actions: &[Action],
    w: &mut Writer,
    opts: &EncodeOptions,
) {
    encode::encode_list(&encode::Enc { version, opts }, actions, w);
}

/// Encodes `actions` as an instruction list for `version` (an action list
/// for OpenFlow 1.0).
pub fn encode_instructions(version: Version, actions: &[Action], w: &mut Writer) {
    encode_instructions_with(version, actions, w, &EncodeOptions::default());
}

/// [`encode_instructions`] with options.
pub fn encode_instructions_with(
    version: Version,
    actions: &[Action],
    w: &mut Writer,
    opts: &EncodeOptions,
) {
    instructions::encode_instructions(&encode::Enc { version, opts }, actions, w);
}

/// The `tun_metadataN` options `actions` refer to, as a bitmap (bit N for
/// `tun_metadataN`), so a switch can refuse to unmap options in use (OVS's
/// `ofpacts_tlv_bitmap`).
pub fn tun_metadata_used(actions: &[Action]) -> u64 {
    let mut bits = 0u64;
    let mut nested_bits = 0u64;
    let mut note = |f: ovs_flow::FieldId| {
        if let Some(i) = nxm::tun_metadata_index(f) {
            bits |= 1 << i;
        }
    };
    for a in actions {
        match a {
            Action::SetField(sf) => note(sf.field),
            Action::RegMove { src, dst, .. } => {
                note(src.field);
                note(dst.field);
            }
            Action::OutputReg { src: sf, .. }
            | Action::StackPush(sf)
            | Action::StackPop(sf)
            | Action::CheckPktLarger { dst: sf, .. } => note(sf.field),
            Action::Multipath(mp) => note(mp.dst.field),
            Action::Bundle(b) => b.dst.iter().for_each(|sf| note(sf.field)),
            Action::DeleteField { field } => note(*field),
            Action::Learn(l) => {
                l.result_dst.iter().for_each(|sf| note(sf.field));
                for spec in &l.specs {
                    if let LearnSrc::Field(sf) = &spec.src {
                        note(sf.field);
                    }
                    if let LearnDst::Match(sf) | LearnDst::Load(sf) = &spec.dst {
                        note(sf.field);
                    }
                }
            }
            Action::Ct(ct) => {
                if let CtZone::Field(sf) = &ct.zone {
                    note(sf.field);
                }
            }
            _ => {}
        }
        if let Some(nested) = a.nested() {
            nested_bits |= tun_metadata_used(nested);
        }
    }
    bits | nested_bits
}

#[cfg(test)]
mod tests;
