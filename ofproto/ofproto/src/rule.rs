//! One OpenFlow flow entry as the switch keeps it.

use std::sync::Arc;

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
    pub used: u64,
    pub packet_count: u64,
    pub byte_count: u64,
}

impl Rule {
    /// Seconds a duration in milliseconds makes, clamped to 16 bits, as the
    /// `idle_age`/`hard_age` fields want.
    pub fn age_secs(age_ms: u64) -> u16 {
        u16::try_from(age_ms / 1000).unwrap_or(u16::MAX)
    }
}
