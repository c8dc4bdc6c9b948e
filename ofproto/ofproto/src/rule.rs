//! One OpenFlow flow entry as the switch keeps it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use ovs_ofp_actions::Action;

/// A flow entry. The match and priority are the classifier's key.
#[derive(Clone, Debug)]
pub struct Rule {
    pub cookie: u64,
    /// Shared: a modify of many flows to the same actions stores them once.
    pub actions: Arc<[Action]>,
    pub idle_timeout: u16,
    pub hard_timeout: u16,
    pub importance: u16,
    /// `ovs_ofp_msgs` `flow_flags`.
    pub flags: u16,
    /// Milliseconds on the switch's clock.
    pub created: u64,
    pub modified: u64,
    /// Counters shared by every copy of the rule: the datapath's threads
    /// credit packets to the copy in the snapshot they translated with, and
    /// the switch reads them from its own.
    pub stats: Arc<RuleStats>,
}

impl Rule {
    /// Seconds a duration in milliseconds makes, clamped to 16 bits, as the
    /// `idle_age`/`hard_age` fields want.
    pub fn age_secs(age_ms: u64) -> u16 {
        u16::try_from(age_ms / 1000).unwrap_or(u16::MAX)
    }

    pub fn packet_count(&self) -> u64 {
        self.stats.packets()
    }

    pub fn byte_count(&self) -> u64 {
        self.stats.bytes()
    }

    /// When a packet last matched (ms), or when the rule was added.
    pub fn used(&self) -> u64 {
        self.stats.used()
    }
}

/// A rule's packet and byte counts and last use.
#[derive(Debug, Default)]
pub struct RuleStats {
    packets: AtomicU64,
    bytes: AtomicU64,
    used: AtomicU64,
}

impl RuleStats {
    /// Counters at zero, last used `now`.
    pub fn new(now: u64) -> Arc<RuleStats> {
        Arc::new(RuleStats {
            packets: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            used: AtomicU64::new(now),
        })
    }

    /// Counts `packets` packets of `bytes` bytes in all, seen at `used`
    /// (an earlier time than the last one recorded leaves it).
    pub fn credit(&self, packets: u64, bytes: u64, used: u64) {
        if packets == 0 {
            return;
        }
        self.packets.fetch_add(packets, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        self.used.fetch_max(used, Ordering::Relaxed);
    }

    pub fn packets(&self) -> u64 {
        self.packets.load(Ordering::Relaxed)
    }

    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    pub fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    /// Starts the counts over (`OFPFF_RESET_COUNTS`).
    pub fn reset(&self) {
        self.packets.store(0, Ordering::Relaxed);
        self.bytes.store(0, Ordering::Relaxed);
    }
}
