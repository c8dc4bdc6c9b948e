//! The MAC learning table NORMAL forwards by (OVS's `mac-learning.c`):
//! (MAC, VLAN) to the bundle the MAC was last seen on, with aging, a size
//! limit enforced by evicting the least recently used entry of the bundle
//! with the most entries, static entries, and the gratuitous ARP lock.
//!
//! Handler threads learn concurrently, so the table locks internally; time
//! is an argument (milliseconds on the caller's monotonic clock, of which
//! OVS uses whole seconds).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use ovs_ofp_core::OfpPort;

use crate::config::{BundleId, VlanSet};

/// `MAC_ENTRY_DEFAULT_IDLE_TIME`: seconds an unused entry lives.
pub const DEFAULT_IDLE_TIME: u32 = 300;
/// `MAC_DEFAULT_MAX`: entries before eviction starts.
pub const DEFAULT_MAX_ENTRIES: usize = 2048;
/// Seconds a gratuitous ARP on a non-bond port locks an entry against
/// moves learned over bonds (`MAC_GRAT_ARP_LOCK_TIME`).
const GRAT_ARP_LOCK_TIME: i64 = 5;

type Key = ([u8; 6], u16);

#[derive(Clone, Debug)]
struct Entry {
    port: BundleId,
    /// Seconds; `None` for a static entry.
    expires: Option<i64>,
    grat_arp_lock: i64,
    /// Position in both LRU orders (global and per port).
    seq: u64,
}

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<Key, Entry>,
    /// Global LRU order: oldest first.
    lru: BTreeMap<u64, Key>,
    /// Per-bundle LRU order, for fair eviction.
    by_port: BTreeMap<BundleId, BTreeMap<u64, Key>>,
    next_seq: u64,
    idle_time: u32,
    max_entries: usize,
    flood_vlans: Option<VlanSet>,
    need_revalidate: bool,
    generation: u64,
    static_entries: usize,
    total_learned: u64,
    total_expired: u64,
    total_evicted: u64,
    total_moved: u64,
}

/// One entry as `fdb/show` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FdbEntry {
    pub port: BundleId,
    pub vlan: u16,
    pub mac: [u8; 6],
    /// Seconds since last seen; `None` for a static entry.
    pub age: Option<u32>,
}

/// A MAC learning table with its own lock.
#[derive(Debug)]
pub struct MacLearning {
    inner: RwLock<Inner>,
}

impl Default for MacLearning {
    fn default() -> Self {
        MacLearning::new(DEFAULT_IDLE_TIME, DEFAULT_MAX_ENTRIES)
    }
}

fn is_multicast(mac: &[u8; 6]) -> bool {
    mac[0] & 1 != 0
}

fn normalize_idle_time(t: u32) -> u32 {
    t.clamp(15, 3600)
}

fn secs(now_ms: u64) -> i64 {
    i64::try_from(now_ms / 1000).unwrap_or(i64::MAX)
}

impl Inner {
    fn is_learning_vlan(&self, vlan: u16) -> bool {
        self.flood_vlans.as_ref().is_none_or(|s| !s.contains(vlan))
    }

    fn may_learn(&self, mac: &[u8; 6], vlan: u16) -> bool {
        self.is_learning_vlan(vlan) && !is_multicast(mac)
    }

    fn touch(&mut self) {
        self.need_revalidate = true;
        self.generation += 1;
    }

    fn age(&self, e: &Entry, now: i64) -> Option<i64> {
        e.expires
            .map(|exp| i64::from(self.idle_time) - (exp.saturating_sub(now)))
    }

    fn unlink(&mut self, key: &Key, e: &Entry) {
        self.lru.remove(&e.seq);
        if let Some(list) = self.by_port.get_mut(&e.port) {
            list.remove(&e.seq);
            if list.is_empty() {
                self.by_port.remove(&e.port);
            }
        }
        let _ = key;
    }

    fn expire(&mut self, key: &Key) {
        if let Some(e) = self.entries.remove(key) {
            self.unlink(key, &e);
            if e.expires.is_none() {
                self.static_entries = self.static_entries.saturating_sub(1);
            }
            self.touch();
        }
    }

    fn evict_fairly(&mut self) {
        // The bundle with the most entries loses its least recently used.
        let victim = self
            .by_port
            .values()
            .max_by_key(|l| l.len())
            .and_then(|l| l.values().next().copied());
        if let Some(key) = victim {
            self.total_evicted += 1;
            self.expire(&key);
        }
    }

    /// OVS's `mac_learning_insert__`: finds or creates the entry and marks
    /// it most recently used. A new entry has no port yet (`None`).
    fn insert(&mut self, key: Key, is_static: bool, now: i64, port: BundleId) -> Option<BundleId> {
        let seq = self.next_seq;
        self.next_seq += 1;
        let expires = if is_static {
            None
        } else {
            Some(now + i64::from(self.idle_time))
        };
        if let Some(mut e) = self.entries.remove(&key) {
            self.unlink(&key, &e);
            let old_port = e.port;
            if is_static && e.expires.is_some() {
                self.static_entries += 1;
            }
            e.seq = seq;
            e.expires = expires;
            self.lru.insert(seq, key);
            self.by_port.entry(e.port).or_default().insert(seq, key);
            self.entries.insert(key, e);
            return Some(old_port);
        }
        if self.entries.len() >= self.max_entries {
            self.evict_fairly();
        }
        if is_static {
            self.static_entries += 1;
        } else {
            self.total_learned += 1;
        }
        self.lru.insert(seq, key);
        self.by_port.entry(port).or_default().insert(seq, key);
        self.entries.insert(
            key,
            Entry {
                port,
                expires,
                grat_arp_lock: i64::MIN,
                seq,
            },
        );
        self.touch();
        None
    }

    fn set_port(&mut self, key: &Key, port: BundleId) {
        let Some(e) = self.entries.get(key).cloned() else {
            return;
        };
        if e.port == port {
            return;
        }
        if let Some(list) = self.by_port.get_mut(&e.port) {
            list.remove(&e.seq);
            if list.is_empty() {
                self.by_port.remove(&e.port);
            }
        }
        self.by_port.entry(port).or_default().insert(e.seq, *key);
        if let Some(e) = self.entries.get_mut(key) {
            e.port = port;
        }
        self.touch();
    }
}

impl MacLearning {
    /// A table whose entries age out after `idle_time` seconds (clamped to
    /// 15..3600 as OVS does) holding up to `max_entries`.
    pub fn new(idle_time: u32, max_entries: usize) -> MacLearning {
        MacLearning {
            inner: RwLock::new(Inner {
                idle_time: normalize_idle_time(idle_time),
                max_entries: max_entries.clamp(10, 1_000_000),
                ..Inner::default()
            }),
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|p| p.into_inner())
    }

    /// `other_config:mac-aging-time` (OVS's `mac_learning_set_idle_time`):
    /// existing entries keep their age.
    pub fn set_idle_time(&self, idle_time: u32) {
        let mut t = self.write();
        let idle_time = normalize_idle_time(idle_time);
        let delta = i64::from(idle_time) - i64::from(t.idle_time);
        if delta != 0 {
            for e in t.entries.values_mut() {
                if let Some(exp) = e.expires.as_mut() {
                    *exp += delta;
                }
            }
            t.idle_time = idle_time;
        }
    }

    pub fn idle_time(&self) -> u32 {
        self.read().idle_time
    }

    /// `other_config:mac-table-size`, clamped to 10..1000000.
    pub fn set_max_entries(&self, max_entries: usize) {
        self.write().max_entries = max_entries.clamp(10, 1_000_000);
    }

    pub fn max_entries(&self) -> usize {
        self.read().max_entries
    }

    /// VLANs on which nothing is learned and everything floods
    /// (`flood_vlans`). Returns true if the set changed.
    pub fn set_flood_vlans(&self, vlans: Option<VlanSet>) -> bool {
        let mut t = self.write();
        if t.flood_vlans == vlans {
            return false;
        }
        t.flood_vlans = vlans;
        t.touch();
        true
    }

    pub fn len(&self) -> usize {
        self.read().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bundle `mac` was learned on in `vlan` (OVS's
    /// `mac_learning_lookup`): never for multicast addresses or flood VLANs.
    pub fn lookup(&self, mac: [u8; 6], vlan: u16) -> Option<BundleId> {
        if is_multicast(&mac) {
            return None;
        }
        let t = self.read();
        if !t.is_learning_vlan(vlan) {
            return None;
        }
        t.entries.get(&(mac, vlan)).map(|e| e.port)
    }

    /// True if a gratuitous ARP locked the entry within the last 5 s.
    pub fn is_grat_arp_locked(&self, mac: [u8; 6], vlan: u16, now_ms: u64) -> bool {
        self.read()
            .entries
            .get(&(mac, vlan))
            .is_some_and(|e| secs(now_ms) < e.grat_arp_lock)
    }

    /// Learns that `src` in `vlan` is on bundle `port` (OVS's
    /// `mac_learning_update`). Returns true if the table changed in a way
    /// that matters for forwarding (a new entry or a move).
    pub fn update(
        &self,
        src: [u8; 6],
        vlan: u16,
        is_gratuitous_arp: bool,
        is_bond: bool,
        port: BundleId,
        now_ms: u64,
    ) -> bool {
        let now = secs(now_ms);
        // The common case needs only the read lock: nothing changes.
        {
            let t = self.read();
            if !t.may_learn(&src, vlan) {
                return false;
            }
            if let Some(e) = t.entries.get(&(src, vlan)) {
                match t.age(e, now) {
                    None => return false,
                    Some(age) if age > 0 => {}
                    Some(_) => {
                        let needed = if is_gratuitous_arp {
                            if !is_bond {
                                true
                            } else if now < e.grat_arp_lock {
                                false
                            } else {
                                e.port != port
                            }
                        } else {
                            e.port != port
                        };
                        if !needed {
                            return false;
                        }
                    }
                }
            }
        }
        let mut t = self.write();
        if !t.may_learn(&src, vlan) {
            return false;
        }
        let key = (src, vlan);
        let old = t.insert(key, false, now, port);
        if is_gratuitous_arp {
            if !is_bond {
                if let Some(e) = t.entries.get_mut(&key) {
                    e.grat_arp_lock = now + GRAT_ARP_LOCK_TIME;
                }
            } else if t.entries.get(&key).is_some_and(|e| now < e.grat_arp_lock) {
                return false;
            }
        }
        match old {
            None => true,
            Some(old_port) if old_port != port => {
                t.total_moved += 1;
                t.set_port(&key, port);
                true
            }
            Some(_) => false,
        }
    }

    /// `fdb/add`: a static entry that never ages.
    pub fn add_static(&self, mac: [u8; 6], vlan: u16, port: BundleId, now_ms: u64) {
        let mut t = self.write();
        let key = (mac, vlan);
        if let Some(old) = t.insert(key, true, secs(now_ms), port)
            && old != port
        {
            t.set_port(&key, port);
        }
    }

    /// `fdb/del`: removes a static entry; false if there is none.
    pub fn del_static(&self, mac: [u8; 6], vlan: u16) -> bool {
        let mut t = self.write();
        let key = (mac, vlan);
        if t.entries.get(&key).is_some_and(|e| e.expires.is_none()) {
            t.expire(&key);
            true
        } else {
            false
        }
    }

    /// Expires every dynamic entry (`fdb/flush`).
    pub fn flush(&self) {
        let mut t = self.write();
        let keys: Vec<Key> = t
            .lru
            .values()
            .filter(|k| t.entries.get(k).is_some_and(|e| e.expires.is_some()))
            .copied()
            .collect();
        for k in keys {
            t.expire(&k);
        }
    }

    /// Forgets every entry on bundle `port` (when the port goes away).
    pub fn flush_port(&self, port: BundleId) {
        let mut t = self.write();
        let keys: Vec<Key> = t
            .by_port
            .get(&port)
            .map(|l| l.values().copied().collect())
            .unwrap_or_default();
        for k in keys {
            t.expire(&k);
        }
    }

    /// Periodic work (OVS's `mac_learning_run`): expires old entries and
    /// trims the table to its size limit. Returns true if anything changed
    /// since the last call that may require revalidating flows.
    pub fn run(&self, now_ms: u64) -> bool {
        let now = secs(now_ms);
        let mut t = self.write();
        loop {
            let oldest = t
                .lru
                .values()
                .find(|k| t.entries.get(k).is_some_and(|e| e.expires.is_some()))
                .copied();
            let Some(key) = oldest else { break };
            let expired = t
                .entries
                .get(&key)
                .and_then(|e| e.expires)
                .is_some_and(|exp| now >= exp);
            if t.entries.len() > t.max_entries || expired {
                t.total_expired += 1;
                t.expire(&key);
            } else {
                break;
            }
        }
        std::mem::take(&mut t.need_revalidate)
    }

    /// When [`MacLearning::run`] next has work, in milliseconds.
    pub fn next_expiry_ms(&self) -> Option<u64> {
        let t = self.read();
        t.lru
            .values()
            .filter_map(|k| t.entries.get(k).and_then(|e| e.expires))
            .next()
            .map(|s| u64::try_from(s).unwrap_or(0) * 1000)
    }

    /// Counts every change; revalidators compare it to decide whether
    /// flows that went through NORMAL must be re-translated.
    pub fn generation(&self) -> u64 {
        self.read().generation
    }

    /// Every entry, least recently used first (the order `fdb/show` uses).
    pub fn entries(&self, now_ms: u64) -> Vec<FdbEntry> {
        let now = secs(now_ms);
        let t = self.read();
        t.lru
            .values()
            .filter_map(|k| {
                let e = t.entries.get(k)?;
                Some(FdbEntry {
                    port: e.port,
                    vlan: k.1,
                    mac: k.0,
                    age: t
                        .age(e, now)
                        .map(|a| u32::try_from(a.max(0)).unwrap_or(u32::MAX)),
                })
            })
            .collect()
    }

    /// The text of `ovs-appctl fdb/show`; `port_of` names each bundle by
    /// one of its OpenFlow ports.
    pub fn format_show(
        &self,
        now_ms: u64,
        port_of: impl Fn(BundleId) -> Option<OfpPort>,
    ) -> String {
        let mut s = String::from(" port  VLAN  MAC                Age\n");
        for e in self.entries(now_ms) {
            let name = match port_of(e.port) {
                Some(p) => crate::format::port_name(p),
                None => String::from("?"),
            };
            let m = e.mac;
            let _ = write!(
                s,
                "{name:>5}  {:4}  {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}  ",
                e.vlan, m[0], m[1], m[2], m[3], m[4], m[5]
            );
            match e.age {
                Some(age) => {
                    let _ = writeln!(s, "{age:3}");
                }
                None => s.push_str("static\n"),
            }
        }
        s
    }

    /// The text of `ovs-appctl fdb/stats-show <bridge>`.
    pub fn format_stats(&self, bridge: &str) -> String {
        let t = self.read();
        format!(
            "Statistics for bridge \"{bridge}\":\n  Current/maximum MAC entries in the table: {}/{}\n  Current static MAC entries in the table : {}\n  Total number of learned MAC entries     : {}\n  Total number of expired MAC entries     : {}\n  Total number of evicted MAC entries     : {}\n  Total number of port moved MAC entries  : {}\n",
            t.entries.len(),
            t.max_entries,
            t.static_entries,
            t.total_learned,
            t.total_expired,
            t.total_evicted,
            t.total_moved
        )
    }

    /// `fdb/stats-clear`.
    pub fn clear_stats(&self) {
        let mut t = self.write();
        t.total_learned = 0;
        t.total_expired = 0;
        t.total_evicted = 0;
        t.total_moved = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: [u8; 6] = [0, 0, 0, 0, 0, 1];
    const B: [u8; 6] = [0, 0, 0, 0, 0, 2];

    #[test]
    fn learns_moves_and_ages() {
        let ml = MacLearning::default();
        assert!(ml.update(A, 0, false, false, BundleId(1), 1_000));
        assert_eq!(ml.lookup(A, 0), Some(BundleId(1)));
        assert_eq!(ml.lookup(A, 5), None);
        // Same port, same second: nothing to do.
        assert!(!ml.update(A, 0, false, false, BundleId(1), 1_500));
        // A move.
        assert!(ml.update(A, 0, false, false, BundleId(2), 2_000));
        assert_eq!(ml.lookup(A, 0), Some(BundleId(2)));
        assert!(ml.run(3_000));
        assert!(!ml.run(3_000));
        assert_eq!(ml.entries(12_000)[0].age, Some(10));
        // 300 s after the last refresh it expires.
        ml.run(301_999);
        assert_eq!(ml.len(), 1);
        ml.run(302_000);
        assert!(ml.is_empty());
    }

    #[test]
    fn multicast_is_never_learned() {
        let ml = MacLearning::default();
        assert!(!ml.update([1, 0, 0x5e, 0, 0, 1], 0, false, false, BundleId(1), 0));
        assert!(ml.is_empty());
    }

    #[test]
    fn eviction_takes_from_the_busiest_port() {
        let ml = MacLearning::new(300, 10);
        for i in 0..9u8 {
            ml.update([0, 0, 0, 0, 1, i], 0, false, false, BundleId(1), 0);
        }
        ml.update(A, 0, false, false, BundleId(2), 0);
        ml.update(B, 0, false, false, BundleId(2), 0);
        assert_eq!(ml.len(), 10);
        assert_eq!(ml.lookup([0, 0, 0, 0, 1, 0], 0), None);
        assert_eq!(ml.lookup(A, 0), Some(BundleId(2)));
    }

    #[test]
    fn show_format() {
        let ml = MacLearning::default();
        ml.update(B, 0, false, false, BundleId(7), 0);
        ml.add_static(A, 10, BundleId(8), 0);
        let s = ml.format_show(3_000, |b| Some(OfpPort(if b.0 == 7 { 2 } else { 0xfffe })));
        assert_eq!(
            s,
            " port  VLAN  MAC                Age\n    2     0  00:00:00:00:00:02    3\nLOCAL    10  00:00:00:00:00:01  static\n"
        );
        ml.flush();
        assert_eq!(ml.len(), 1);
        assert!(ml.del_static(A, 10));
        assert!(ml.is_empty());
    }
}
