//! Inactivity probes (OVS's `rconn` ACTIVE and IDLE states): a connection
//! quiet for its probe interval gets an echo request; quiet for another
//! interval after that, it is given up.
//!
//! "Quiet" means nothing received and nothing sent, as in OVS, where a
//! message leaving the send queue counts as activity too.

/// What a connection should do now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeStep {
    Wait,
    /// Send an echo request (the connection is now waiting for an answer).
    SendEcho,
    /// No answer: disconnect. `waited_secs` is how long the probe went
    /// unanswered, for OVS's log message.
    GiveUp {
        waited_secs: u64,
    },
}

/// One connection's probe state. Times are milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Probe {
    /// 0: never probe.
    interval_ms: u64,
    last_activity: u64,
    /// When the echo request went out, while waiting for any answer.
    probing_since: Option<u64>,
}

impl Probe {
    /// `interval_secs` as the connection's settings give it; OVS probes no
    /// more often than every 5 seconds and 0 turns probing off.
    pub fn new(interval_secs: u32, now: u64) -> Probe {
        Probe {
            interval_ms: Self::interval_ms(interval_secs),
            last_activity: now,
            probing_since: None,
        }
    }

    fn interval_ms(secs: u32) -> u64 {
        if secs == 0 {
            0
        } else {
            u64::from(secs.max(5)) * 1000
        }
    }

    /// A new interval for a live connection (the Controller row changed).
    pub fn set_interval(&mut self, interval_secs: u32) {
        self.interval_ms = Self::interval_ms(interval_secs);
    }

    /// Something was received from the peer or sent to it.
    pub fn activity(&mut self, now: u64) {
        self.last_activity = self.last_activity.max(now);
        self.probing_since = None;
    }

    /// Waiting for an answer to an echo request (rconn's IDLE state).
    pub fn is_probing(&self) -> bool {
        self.probing_since.is_some()
    }

    pub fn step(&mut self, now: u64) -> ProbeStep {
        if self.interval_ms == 0 {
            return ProbeStep::Wait;
        }
        match self.probing_since {
            None if now.saturating_sub(self.last_activity) >= self.interval_ms => {
                self.probing_since = Some(now);
                ProbeStep::SendEcho
            }
            Some(since) if now.saturating_sub(since) >= self.interval_ms => ProbeStep::GiveUp {
                waited_secs: now.saturating_sub(since) / 1000,
            },
            _ => ProbeStep::Wait,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_peer_is_probed_then_given_up() {
        let mut p = Probe::new(5, 1000);
        assert_eq!(p.step(5999), ProbeStep::Wait);
        assert_eq!(p.step(6000), ProbeStep::SendEcho);
        // Sending the echo request is not an answer.
        assert_eq!(p.step(8000), ProbeStep::Wait);
        assert_eq!(p.step(11000), ProbeStep::GiveUp { waited_secs: 5 });
    }

    #[test]
    fn any_answer_resets_the_probe() {
        let mut p = Probe::new(5, 0);
        assert_eq!(p.step(5000), ProbeStep::SendEcho);
        p.activity(7000);
        assert_eq!(p.step(11999), ProbeStep::Wait);
        assert_eq!(p.step(12000), ProbeStep::SendEcho);
    }

    #[test]
    fn a_new_interval_applies_to_the_live_connection() {
        let mut p = Probe::new(0, 0);
        assert_eq!(p.step(60_000), ProbeStep::Wait);
        p.set_interval(10);
        assert_eq!(p.step(60_000), ProbeStep::SendEcho);
    }

    #[test]
    fn intervals_follow_ovs() {
        let mut off = Probe::new(0, 0);
        assert_eq!(off.step(u64::MAX), ProbeStep::Wait);
        // One second is raised to OVS's minimum of five.
        let mut p = Probe::new(1, 0);
        assert_eq!(p.step(4999), ProbeStep::Wait);
        assert_eq!(p.step(5000), ProbeStep::SendEcho);
    }
}
