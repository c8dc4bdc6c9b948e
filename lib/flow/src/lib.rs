//! The flow: every header and metadata field a packet can be matched on, in
//! one fixed byte layout, plus the field catalogue (OVS's "meta-flow") and
//! the match (a flow plus a same-shaped mask), and the text syntax of
//! both that `ovs-ofctl` and `ofproto/trace` take (`tcp,nw_dst=10.0.0.0/8`).
//!
//! It promises: one layout shared by OpenFlow matches, the classifier, xlate
//! and the datapath; a field catalogue with OVS's names, widths, NXM/OXM code
//! points and prerequisites; field reads and writes by [`FieldId`] with OVS's
//! meta-flow meaning (`mf_set`, `mf_get`, `mf_set_wild`, prerequisites) that
//! never panic on any value; parsers of match and flow text that read
//! every field's syntax as OVS 3.1 does, answer OVS's error messages word
//! for word and never panic on any input. It does no I/O and depends on
//! nothing above it (in particular not on the OpenFlow crates: the few
//! port-number conversions the fields need live here).
#![forbid(unsafe_code)]

pub mod fields;
mod flow;
mod matches;
mod packed;
mod parse;
mod prereq;
mod table;
pub mod tlv;

pub use fields::{FieldFormat, FieldId, FieldInfo, OfSupport, OxmDef, Prereq};
pub use flow::{FLOW_WORDS, Flow};
pub use matches::{
    FieldError, Match, port_from_of11, port_to_of11, tun_metadata_index, value_is_valid,
};
pub use packed::PackedFlow;
pub use parse::{
    CT_STATE_NAMES, KeyValues, PROTOCOLS, RESERVED_PORTS, Subfield, TCP_FLAG_NAMES,
    TUNNEL_FLAG_NAMES, ValueMask, key_values, parse_exact_flow, parse_exact_flow_masked,
    parse_field, parse_field_value, parse_ipv4_masked, parse_ipv6_masked, parse_match,
    parse_match_keyword, parse_port, parse_subfield, protocol, set_flow_value,
};
pub use table::{FLOW_BYTES, SEGMENTS, offset};
pub use tlv::{TlvEntry, TlvError, TlvTable};
