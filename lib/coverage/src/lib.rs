//! Event counters for `ovs-appctl coverage/show` (OVS's `lib/coverage.c`):
//! named counters that any thread bumps with one relaxed atomic add, and a
//! history the daemon advances every 5 seconds so that the report can give
//! each event's rate over the last 5 seconds, minute and hour.
//!
//! It promises OVS 3.1's report format, hash line included. Only the
//! events a daemon really counts are listed (OVS lists every counter it
//! was built with, hit or not), so the "never hit" figure is ours.
//!
//! No I/O and no clock: the daemon calls [`Coverage::run`] with its time.
#![forbid(unsafe_code)]

use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// How often the history advances, ms (`COVERAGE_RUN_INTERVAL`).
pub const RUN_INTERVAL_MS: u64 = 5000;
/// Intervals per minute (`MIN_AVG_LEN`).
const MIN_SLOTS: usize = (60_000 / RUN_INTERVAL_MS) as usize;
/// Minutes per hour (`HR_AVG_LEN`).
const HOUR_SLOTS: usize = 60;

/// One event counter; declare it as a `static` next to the code that
/// counts it.
#[derive(Debug)]
pub struct Counter {
    name: &'static str,
    count: AtomicU64,
}

impl Counter {
    pub const fn new(name: &'static str) -> Counter {
        Counter {
            name,
            count: AtomicU64::new(0),
        }
    }

    pub fn inc(&self) {
        self.add(1);
    }

    pub fn add(&self, n: u64) {
        self.count.fetch_add(n, Ordering::Relaxed);
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Every event so far.
    pub fn total(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }
}

#[derive(Clone, Debug)]
struct History {
    /// The total at the last run.
    last: u64,
    /// Events per interval of the last minute.
    min: [u64; MIN_SLOTS],
    /// Events per minute of the last hour.
    hour: [u64; HOUR_SLOTS],
}

impl Default for History {
    fn default() -> Self {
        History {
            last: 0,
            min: [0; MIN_SLOTS],
            hour: [0; HOUR_SLOTS],
        }
    }
}

#[derive(Debug, Default)]
struct State {
    history: Vec<History>,
    /// The next interval's slot, counting over an hour (OVS's
    /// `idx_count`).
    idx: u32,
    next_run_ms: Option<u64>,
}

/// A daemon's counters and their history.
#[derive(Debug)]
pub struct Coverage {
    counters: Vec<&'static Counter>,
    state: Mutex<State>,
}

impl Coverage {
    /// The report lists `counters` in this order.
    pub fn new(counters: Vec<&'static Counter>) -> Coverage {
        let history = vec![History::default(); counters.len()];
        Coverage {
            counters,
            state: Mutex::new(State {
                history,
                ..State::default()
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Advances the history by every interval that ended by `now_ms`;
    /// events of a late run are spread evenly over the intervals it
    /// covers, as OVS's `coverage_run` does.
    pub fn run(&self, now_ms: u64) {
        let mut st = self.state();
        let next = *st.next_run_ms.get_or_insert(now_ms + RUN_INTERVAL_MS);
        if now_ms < next {
            return;
        }
        let slots = (now_ms - next) / RUN_INTERVAL_MS + 1;
        let start = st.idx;
        let cycle = (MIN_SLOTS * HOUR_SLOTS) as u32;
        for (c, h) in self.counters.iter().zip(st.history.iter_mut()) {
            let total = c.total();
            let count = total.saturating_sub(h.last);
            h.last = total;
            let portion = count / slots;
            let mut idx = start;
            for j in 0..slots {
                let m = idx as usize % MIN_SLOTS;
                let hr = idx as usize / MIN_SLOTS;
                h.min[m] = portion + if j == slots - 1 { count % slots } else { 0 };
                h.hour[hr] = if m == 0 {
                    h.min[m]
                } else {
                    h.hour[hr] + h.min[m]
                };
                idx = (idx + 1) % cycle;
            }
        }
        st.idx = ((u64::from(start) + slots) % u64::from(cycle)) as u32;
        st.next_run_ms = Some(next + slots * RUN_INTERVAL_MS);
    }

    /// OVS's `coverage_hash`: counters grouped by equal totals, largest
    /// first, each group's rank and names hashed; it changes whenever the
    /// ranking does.
    fn hash(&self) -> u32 {
        use ovs_shash::{hash_bytes, hash_int};
        let mut sorted: Vec<(&str, u64)> = self
            .counters
            .iter()
            .map(|c| (c.name(), c.total()))
            .collect();
        // OVS sorts by total, descending, and then by name.
        sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let mut hash = 0u32;
        let mut groups = 0u32;
        let mut i = 0;
        while i < sorted.len() && sorted[i].1 != 0 {
            groups += 1;
            hash = hash_int(i as u32, hash);
            let mut j = i;
            while j < sorted.len() && sorted[j].1 == sorted[i].1 {
                hash = hash_bytes(sorted[j].0.as_bytes(), hash);
                j += 1;
            }
            i = j;
        }
        hash_int(groups, hash)
    }

    /// The text of `ovs-appctl coverage/show`.
    pub fn show(&self) -> String {
        let st = self.state();
        let mut out = format!(
            "Event coverage, avg rate over last: {} seconds, last minute, last hour,  hash={:08x}:\n",
            RUN_INTERVAL_MS / 1000,
            self.hash()
        );
        // OVS reads the slot before `idx_count` with unsigned arithmetic,
        // wrap-around included.
        let last = st.idx.wrapping_sub(1) as usize % MIN_SLOTS;
        let mut never = 0;
        for (c, h) in self.counters.iter().zip(&st.history) {
            let total = c.total();
            if total == 0 {
                never += 1;
                continue;
            }
            let interval = h.min[last] as f64 * 1000.0 / RUN_INTERVAL_MS as f64;
            let minute = h.min.iter().sum::<u64>() as f64 / 60.0;
            let hour = h.hour.iter().sum::<u64>() as f64 / 3600.0;
            let _ = writeln!(
                out,
                "{:<24} {interval:5.1}/sec {minute:9.3}/sec {hour:13.4}/sec   total: {total}",
                c.name()
            );
        }
        let _ = writeln!(out, "{never} events never hit");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static A: Counter = Counter::new("alpha");
    static B: Counter = Counter::new("beta");
    static C: Counter = Counter::new("gamma");

    #[test]
    fn report_reads_as_ovs() {
        let cov = Coverage::new(vec![&A, &B, &C]);
        A.add(10);
        B.add(3);
        cov.run(0);
        cov.run(5000);
        let text = cov.show();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with(
            "Event coverage, avg rate over last: 5 seconds, last minute, last hour,  hash="
        ));
        assert_eq!(
            lines[1],
            "alpha                      2.0/sec     0.167/sec        0.0028/sec   total: 10"
        );
        assert_eq!(
            lines[2],
            "beta                       0.6/sec     0.050/sec        0.0008/sec   total: 3"
        );
        assert_eq!(lines[3], "1 events never hit");
    }

    #[test]
    fn the_hash_follows_the_ranking() {
        static X: Counter = Counter::new("x");
        static Y: Counter = Counter::new("y");
        let cov = Coverage::new(vec![&X, &Y]);
        let empty = cov.hash();
        // With no event hit, OVS's hash is hash_int(0, 0).
        assert_eq!(empty, ovs_shash::hash_int(0, 0));
        X.inc();
        let one = cov.hash();
        assert_ne!(one, empty);
        Y.add(5);
        assert_ne!(cov.hash(), one);
    }
}
