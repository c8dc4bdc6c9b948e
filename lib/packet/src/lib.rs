//! Packet headers for the datapath: zero-copy views of the headers a switch
//! looks at (Ethernet with 802.1Q/802.1ad tags, LLC/SNAP, MPLS, ARP, IPv4,
//! IPv6 with its extension headers, TCP, UDP, SCTP, ICMPv4, IGMP, ICMPv6 with
//! neighbour discovery, NSH), the checksums that header rewrites must keep
//! right, flow extraction: OVS's `flow_extract()`, which reads a packet
//! into an [`ovs_flow::Flow`], and its inverse for tests, OVS's
//! `flow_compose()`, which builds a packet from a flow ([`compose`]).
//!
//! It promises: no view and no function here panics on any input, and
//! none allocates but [`compose`] (which returns a new packet); a view's `new_checked` validates lengths once, after which every
//! accessor reads inside the validated bytes; [`extract`] gives the flow
//! OVS 3.1 gives for the same bytes and metadata, including its handling of
//! short and lying headers (it stops at the first bad layer and leaves the
//! fields of that layer and the layers after it zero); [`compose`] gives
//! OVS 3.1's packet for a flow byte for byte. It does no I/O, reads
//! no clock and depends only on `ovs-flow` (never on OpenFlow, the datapath
//! or netdev crates).
#![forbid(unsafe_code)]

pub mod arp;
pub mod checksum;
mod compose;
mod error;
pub mod ethernet;
mod extract;
mod field;
pub mod icmpv4;
pub mod icmpv6;
pub mod igmp;
pub mod ip;
pub mod ipv4;
pub mod ipv6;
pub mod mpls;
pub mod nsh;
pub mod sctp;
pub mod tcp;
pub mod udp;

pub use compose::{compose, compose_to_len};
pub use error::Error;
pub use extract::{
    CtTuple, MAX_MPLS_LABELS, MAX_VLAN_HEADERS, Metadata, Offsets, PT_ETH, extract,
    extract_with_vlan_limit, offsets, set_vlan_limit, vlan_limit,
};
