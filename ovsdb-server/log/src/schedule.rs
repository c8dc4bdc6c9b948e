//! When to compact, following OVS's storage layer: not before a randomized
//! 10-20 minutes since opening or the last snapshot; then if at least 100
//! records have been read or written and the log [grew lots]; and in any
//! case once a day if there was any record at all. No clock here: the
//! caller passes the time and a random number.
//!
//! [grew lots]: crate::LogFile::grew_lots

use crate::LogFile;

const MINUTE_MS: u64 = 60 * 1000;
const DAY_MS: u64 = 24 * 60 * MINUTE_MS;

/// The window in which the next snapshot may be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotSchedule {
    next_min_ms: u64,
    next_max_ms: u64,
}

impl SnapshotSchedule {
    /// The schedule after opening a database at `now_ms`; `random` is any
    /// random number (it spreads the minimum over 10 minutes).
    pub fn new(now_ms: u64, random: u64) -> SnapshotSchedule {
        SnapshotSchedule {
            next_min_ms: now_ms + 10 * MINUTE_MS + random % (10 * MINUTE_MS),
            next_max_ms: now_ms + DAY_MS,
        }
    }

    /// Reschedules after a snapshot attempt at `now_ms`. After a failure,
    /// the next try comes sooner (1-2 minutes) and the daily deadline stays.
    pub fn snapshot_taken(&mut self, now_ms: u64, random: u64, failed: bool) {
        if failed {
            self.next_min_ms = now_ms + MINUTE_MS + random % MINUTE_MS;
        } else {
            *self = SnapshotSchedule::new(now_ms, random);
        }
    }

    /// Whether to compact `log` now.
    pub fn should_snapshot(&self, now_ms: u64, log: &LogFile) -> bool {
        self.decide(now_ms, log.n_records(), log.grew_lots())
    }

    /// [`should_snapshot`](Self::should_snapshot) on the raw inputs.
    pub fn decide(&self, now_ms: u64, n_records: u64, grew_lots: bool) -> bool {
        if now_ms < self.next_min_ms {
            false
        } else if now_ms < self.next_max_ms {
            n_records >= 100 && grew_lots
        } else {
            n_records > 0
        }
    }

    /// Earliest time of the next snapshot.
    pub fn next_min_ms(&self) -> u64 {
        self.next_min_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_ovs_rules() {
        let s = SnapshotSchedule::new(0, 5 * MINUTE_MS);
        assert_eq!(s.next_min_ms(), 15 * MINUTE_MS);
        assert!(!s.decide(15 * MINUTE_MS - 1, 1000, true));
        assert!(s.decide(15 * MINUTE_MS, 100, true));
        assert!(!s.decide(15 * MINUTE_MS, 99, true));
        assert!(!s.decide(15 * MINUTE_MS, 1000, false));
        assert!(s.decide(DAY_MS, 1, false));
        assert!(!s.decide(DAY_MS, 0, false));

        let mut s = s;
        s.snapshot_taken(DAY_MS, 0, true);
        assert_eq!(s.next_min_ms(), DAY_MS + MINUTE_MS);
        assert!(
            s.decide(DAY_MS + MINUTE_MS, 1, false),
            "the daily deadline stays"
        );
        s.snapshot_taken(DAY_MS, 0, false);
        assert_eq!(s.next_min_ms(), DAY_MS + 10 * MINUTE_MS);
        assert!(!s.decide(DAY_MS + 10 * MINUTE_MS, 1, false));
    }
}
