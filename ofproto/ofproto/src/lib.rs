//! Switch semantics without I/O: the flow tables of one bridge and OVS's
//! flow_mod rules over them, groups and meters, the statistics replies, and
//! the OpenFlow connection state machine (version negotiation, roles,
//! formats, bundles, monitors) that turns decoded messages into replies,
//! packet-ins out to the connections that want them, and packet-outs into
//! checked requests for the daemon to execute.
//!
//! It promises: the effects, replies and errors OVS 3.1's `ofproto.c` and
//! `connmgr.c` produce for the same messages. Time comes in as an argument
//! (milliseconds); sockets live in the daemon. It must not depend on OVSDB
//! crates or on the datapath.
#![forbid(unsafe_code)]

pub mod actions;
mod connmgr;
pub mod features;
mod flows;
pub mod groups;
mod ofproto;
mod packet;
pub mod probe;
pub mod rule;
pub mod tables;
pub mod tlv;

pub use ofproto::{Conn, ConnId, ConnSettings, Ofproto, Output, PortCounterSource, PortInfo};
pub use packet::{PacketInRequest, PacketOutRequest};
pub use rule::{Rule, RuleStats};
pub use tables::{Criteria, FlowModEffects, NewFlow, Removed, RemovedReason, Selected, Tables};
