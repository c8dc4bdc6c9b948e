//! The OpenFlow priority classifier: a set of rules (a match, a priority
//! and a payload) that finds the highest-priority rule matching a packet's
//! [`ovs_flow::Flow`], the way OVS's `lib/classifier.c` does it (tuple space
//! search: one hash table per distinct mask, searched in descending order of
//! the best priority each holds, stopping once nothing left can win).
//!
//! It promises: exact (match, priority) identity for insert, replace, remove
//! and strict find; OpenFlow's loose selection for non-strict
//! modify/delete/stats; overlap checks for OFPFF_CHECK_OVERLAP; lookups that
//! also report the bits they depended on, for megaflows; OVS's conjunctive
//! matches (`conjunction(id, k/n)` rules and `conj_id`), given which rules
//! are conjunctive. Memory per rule is
//! small: each mask is stored once per subtable, each rule keeps only the
//! words its mask covers. Lookups are deterministic for a given history.
//!
//! It depends only on the flow layout (`ovs-flow`); it knows nothing of
//! OpenFlow messages, actions or I/O, and reads no clock.
#![forbid(unsafe_code)]

mod classifier;
mod conjunction;
mod subtable;
mod trie;
mod view;
mod words;

pub use classifier::{Classifier, Found, LooseIter};
pub use conjunction::Conjunction;
pub use view::RuleView;
