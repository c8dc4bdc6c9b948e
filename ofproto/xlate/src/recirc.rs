//! Recirculation ids and the translation states frozen under them (OVS's
//! `ofproto-dpif-rid.c`).
//!
//! When translation must stop and resume later (a controller action that
//! yields a packet-in, a select group waiting for `dp_hash`, conntrack,
//! `debug_recirc`), it freezes its state (bridge, table, metadata, stack,
//! the actions still to run, the action set) under a recirculation id. The
//! datapath either recirculates the packet with that id, or sends it to
//! userspace with the id in the cookie. Equal states share an id while it
//! is referenced; ids are handed out in increasing order from 1 and never
//! reused while the counter has not wrapped, as OVS does.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use ovs_ofp_actions::Action;

/// One action to run after thawing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrozenAction {
    Action(Action),
    /// Restores the table id and cookie a later packet-in reports (OVS's
    /// internal `unroll_xlate` action).
    Unroll {
        table_id: u8,
        cookie: u64,
    },
}

/// Pipeline metadata kept across a freeze (OVS's `frozen_metadata`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct FrozenMetadata {
    /// The tunnel section of the flow.
    pub tunnel: Vec<u8>,
    pub metadata: u64,
    pub regs: [u32; 16],
    pub in_port: u16,
}

/// Everything needed to resume translation (OVS's `frozen_state`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrozenState {
    pub bridge: String,
    pub table_id: u8,
    pub metadata: FrozenMetadata,
    pub stack: Vec<u128>,
    pub conntracked: bool,
    pub was_mpls: bool,
    pub actions: Vec<FrozenAction>,
    pub action_set: Vec<Action>,
    /// The `userdata` of the controller action that froze, for its
    /// packet-in.
    pub userdata: Vec<u8>,
}

impl FrozenState {
    fn shallow_hash(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.bridge.hash(&mut h);
        self.table_id.hash(&mut h);
        self.metadata.hash(&mut h);
        self.stack.hash(&mut h);
        self.conntracked.hash(&mut h);
        self.actions.len().hash(&mut h);
        self.action_set.len().hash(&mut h);
        self.userdata.hash(&mut h);
        h.finish()
    }
}

#[derive(Debug)]
struct Node {
    state: Arc<FrozenState>,
    refs: u32,
    hash: u64,
}

#[derive(Debug)]
struct Inner {
    next_id: u32,
    by_id: HashMap<u32, Node>,
    by_hash: HashMap<u64, Vec<u32>>,
    /// Unreferenced ids still found by [`RecircIds::get`] (packets may be
    /// recirculating with them) until two [`RecircIds::run`] calls pass.
    expiring: Vec<u32>,
    expired: Vec<u32>,
}

/// The recirculation id table shared by every translation on a datapath.
#[derive(Debug)]
pub struct RecircIds {
    inner: Mutex<Inner>,
}

impl Default for RecircIds {
    fn default() -> Self {
        RecircIds {
            inner: Mutex::new(Inner {
                next_id: 1,
                by_id: HashMap::new(),
                by_hash: HashMap::new(),
                expiring: Vec::new(),
                expired: Vec::new(),
            }),
        }
    }
}

impl RecircIds {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The id of `state`, taking a reference: an existing id if an equal
    /// state is live, else the next free id (OVS's `recirc_alloc_id_ctx`).
    pub fn alloc(&self, state: FrozenState) -> u32 {
        let hash = state.shallow_hash();
        let mut t = self.lock();
        if let Some(ids) = t.by_hash.get(&hash) {
            let found = ids
                .iter()
                .copied()
                .find(|id| t.by_id.get(id).is_some_and(|n| *n.state == state));
            if let Some(id) = found {
                if let Some(n) = t.by_id.get_mut(&id) {
                    n.refs += 1;
                }
                return id;
            }
        }
        let id = loop {
            let mut id = t.next_id;
            t.next_id = t.next_id.wrapping_add(1);
            if id == 0 {
                id = t.next_id;
                t.next_id = t.next_id.wrapping_add(1);
            }
            if !t.by_id.contains_key(&id) {
                break id;
            }
        };
        t.by_id.insert(
            id,
            Node {
                state: Arc::new(state),
                refs: 1,
                hash,
            },
        );
        t.by_hash.entry(hash).or_default().push(id);
        id
    }

    /// Takes another reference on `id`; false if it is not live.
    pub fn reference(&self, id: u32) -> bool {
        let mut t = self.lock();
        match t.by_id.get_mut(&id) {
            Some(n) if n.refs > 0 => {
                n.refs += 1;
                true
            }
            _ => false,
        }
    }

    /// Drops one reference. With the last one the state can no longer be
    /// shared by new translations, but [`RecircIds::get`] still finds it
    /// until it expires (OVS keeps freed ids for at least 250 ms, for
    /// packets still in flight).
    pub fn unref(&self, id: u32) {
        let mut t = self.lock();
        let Some(n) = t.by_id.get_mut(&id) else {
            return;
        };
        if n.refs == 0 {
            return;
        }
        n.refs -= 1;
        if n.refs > 0 {
            return;
        }
        let hash = n.hash;
        if let Some(ids) = t.by_hash.get_mut(&hash) {
            ids.retain(|x| *x != id);
            if ids.is_empty() {
                t.by_hash.remove(&hash);
            }
        }
        t.expiring.push(id);
    }

    /// Periodic maintenance (OVS's `recirc_run`, which the daemon calls at
    /// most every 250 ms): forgets the ids unreferenced two calls ago.
    pub fn run(&self) {
        let mut t = self.lock();
        let expired = std::mem::take(&mut t.expired);
        for id in expired {
            if t.by_id.get(&id).is_some_and(|n| n.refs == 0) {
                t.by_id.remove(&id);
            }
        }
        t.expired = std::mem::take(&mut t.expiring);
    }

    /// The state frozen under `id`, if live.
    pub fn get(&self, id: u32) -> Option<Arc<FrozenState>> {
        self.lock().by_id.get(&id).map(|n| n.state.clone())
    }

    /// Referenced ids.
    pub fn len(&self) -> usize {
        self.lock().by_id.values().filter(|n| n.refs > 0).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(table_id: u8) -> FrozenState {
        FrozenState {
            bridge: "br0".into(),
            table_id,
            metadata: FrozenMetadata::default(),
            stack: Vec::new(),
            conntracked: false,
            was_mpls: false,
            actions: Vec::new(),
            action_set: Vec::new(),
            userdata: Vec::new(),
        }
    }

    #[test]
    fn equal_states_share_ids_and_freed_ids_are_not_reused() {
        let r = RecircIds::default();
        assert_eq!(r.alloc(state(0)), 1);
        assert_eq!(r.alloc(state(0)), 1);
        assert_eq!(r.alloc(state(1)), 2);
        r.unref(1);
        assert!(r.get(1).is_some());
        r.unref(1);
        // Still found until two maintenance rounds pass, never shared.
        assert!(r.get(1).is_some());
        assert_eq!(r.alloc(state(0)), 3);
        r.run();
        assert!(r.get(1).is_some());
        r.run();
        assert!(r.get(1).is_none());
        assert_eq!(r.len(), 2);
    }
}
