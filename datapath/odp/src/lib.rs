//! OVS's datapath ("odp") flow keys, masks and actions, and their exact text.
//!
//! This is the vocabulary between ofproto's translation and a datapath: a
//! [`DpKey`] names the packet fields a datapath flow matches (one optional
//! attribute per `OVS_KEY_ATTR_*`), the same type carries the flow's mask,
//! and a [`DpAction`] list says what the datapath does with a match. It
//! promises the text that `ovs-appctl dpctl/dump-flows`, `dpctl/add-flow` and
//! `ofproto/trace` use, byte for byte as OVS 3.1 prints it
//! ([`format_key`], [`format_actions`]) and parses it ([`parse_key`],
//! [`parse_actions`]), and the conversion between a key plus mask and an
//! [`ovs_flow::Flow`] plus mask ([`key_from_flow`], [`key_to_flow`]) that
//! decides, as `odp_flow_key_from_flow` does, which attributes a flow has.
//! Parsing never panics on any text.
//!
//! It does no I/O and reads no clock; it depends on `ovs-flow` only, never
//! on OpenFlow, OVSDB or datapath implementation crates. The netlink (binary)
//! encoding of these attributes for the kernel datapath is not here.
#![forbid(unsafe_code)]

mod action;
mod flow;
mod format_key;
mod key;
mod parse_key;
mod text;
mod tnl_push;

pub use action::{
    CtAction, CtNat, DpAction, HashAction, SampleDirection, UserCookie, Userspace, format_actions,
    format_actions_with_names, parse_actions, parse_actions_with_names,
};
pub use flow::{
    KeyError, OdpSupport, key_from_flow, key_to_flow, key_to_flow_partial, mask_from_flow,
    mask_to_flow,
};
pub use format_key::{PortNamer, format_key, format_key_with_names};
pub use key::{
    ArpKey, CtTuple4, CtTuple6, DpKey, ErspanOpts, EthKey, GeneveOpt, GtpuOpts, IcmpKey, Ipv4Key,
    Ipv6Key, Mac, NdExtKey, NdKey, OdpFrag, PT_ETH, PortsKey, TunnelKey, VLAN_CFI, ct_state,
};
pub use parse_key::{PortLookup, parse_key, parse_key_with_names};
pub use tnl_push::{TunnelPush, vport_type};

/// Text that could not be parsed. Displays as OVS reports it:
/// `syntax error at <the text from the failing attribute or action on>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset of the attribute or action that failed.
    pub offset: usize,
    /// The input from `offset` on.
    pub context: String,
    /// What was wrong, for logs and tests.
    pub reason: &'static str,
}

impl ParseError {
    pub(crate) fn new(s: &str, offset: usize, reason: &'static str) -> Self {
        ParseError {
            offset,
            context: s.get(offset..).unwrap_or("").to_string(),
            reason,
        }
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "syntax error at {}", self.context)
    }
}

impl std::error::Error for ParseError {}
