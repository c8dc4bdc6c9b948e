//! OVS's `odp-execute` for the userspace datapath: runs a list of datapath
//! actions ([`ovs_odp::DpAction`]) on a batch of packets, rewriting them in
//! place, and calls back into the datapath ([`DatapathOps`]) for the
//! actions only a datapath can do (output, tunnels, upcalls,
//! recirculation, conntrack, meters).
//!
//! It promises OVS 3.1's results for the actions it runs itself: VLAN,
//! MPLS, Ethernet and NSH pushes and pops, `set` and masked `set` of every
//! header and metadata field a datapath key carries with the checksums
//! kept right (incrementally, as OVS does, so a bad checksum stays exactly
//! as bad), `hash`, `trunc`, `clone`, `sample`, `check_pkt_len`, `ct_clear`
//! and `drop`; and OVS's rules for when a packet is copied and when the
//! last action may take it. No input panics: an action whose header is
//! missing or cut short leaves the packet alone, where OVS relies on the
//! megaflow match never to send it such a packet.
//!
//! It does no I/O, reads no clock (the randomness `sample` needs comes from
//! the datapath) and depends only on `ovs-odp`, `ovs-flow` and
//! `ovs-packet`, never on OpenFlow, OVSDB or datapath implementation
//! crates.
#![forbid(unsafe_code)]

mod bytes;
mod execute;
pub mod hash;
mod headers;
mod packet;
mod set;

pub use execute::{Batch, DatapathOps, execute};
pub use packet::{
    Layout, PACKET_TYPE_ETH, PACKET_TYPE_NS_ETHERTYPE, PACKET_TYPE_NSH, Packet, PacketMetadata,
    packet_type_for_ether_type,
};

#[cfg(test)]
mod tests;
