//! Translation of a bridge's OpenFlow pipeline into datapath actions (OVS's
//! `ofproto-dpif-xlate.c`), with MAC learning (`mac-learning.c`), the
//! recirculation id table (`ofproto-dpif-rid.c`) and the `ofproto/trace`
//! text (`ofproto-dpif-trace.c`).
//!
//! It promises: for a packet's flow and an immutable snapshot of every
//! bridge ([`XlateConfig`]), [`xlate`] returns the datapath actions, the
//! megaflow mask (exactly the bits the translation consulted, as OVS 3.1
//! computes them), the rules hit (to credit their counters), and the side
//! effects for the caller to apply (learned flows, fin_timeout); MAC
//! learning and recirculation ids change through their own locks, as in
//! OVS. Packet-ins are not produced here: a controller action becomes a
//! `userspace(...controller(...))` datapath action, and
//! [`packet_in_from_upcall`] turns that upcall into a packet-in.
//!
//! Layer 2: no I/O, no clock (time is an argument); it depends on the flow,
//! OpenFlow, classifier, ofproto and datapath-vocabulary crates and OVS's
//! hashes (`ovs-shash`) only, never on the dpif trait, OVSDB or vswitchd.
#![forbid(unsafe_code)]

mod commit;
pub mod config;
mod field;
pub mod format;
mod hash;
pub mod mac_learning;
mod multipath;
mod normal;
mod packet_in;
pub mod recirc;
pub mod trace;
mod xlate;

pub use commit::SLOW_ACTION;
pub use config::{
    BundleId, DpSupport, FragHandling, VlanMode, VlanSet, XBridge, XBundle, XPort, XlateConfig,
};
pub use field::with_field;
pub use hash::{flow_hash_symmetric_l4, hmap_order, jhash_bytes};
pub use mac_learning::{FdbEntry, MacLearning};
pub use multipath::{flow_hash_fields, flow_mask_hash_fields, multipath_link};
pub use packet_in::{PacketIn, packet_in_from_upcall};
pub use recirc::{FrozenAction, FrozenMetadata, FrozenState, RecircIds};
pub use trace::{TraceResult, trace, trace_actions};
/// Whether a `learn` with `limit` may add `flow` to `tables` (OVS's
/// `ofproto_flow_mod_learn`): an identical flow already there is only
/// refreshed; otherwise fewer than `limit` flows with the same cookie
/// must be in the table.
pub fn learn_below_limit(
    tables: &ovs_ofproto::Tables,
    flow: &ovs_ofproto::NewFlow,
    limit: u32,
) -> bool {
    let Some(table) = tables.tables.get(usize::from(flow.table_id)) else {
        return false;
    };
    if table.cls.find_exact(&flow.matches, flow.priority).is_some() {
        return true;
    }
    let same_cookie = table
        .cls
        .iter()
        .filter(|(_, _, r)| r.cookie == flow.cookie)
        .count();
    same_cookie < limit as usize
}

pub use xlate::{
    CtFork, Effect, MAX_DEPTH, MAX_RESUBMITS, XlateError, XlateIn, XlateOut, learn_execute, reason,
    xlate,
};
