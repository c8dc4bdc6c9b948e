//! Flow-table messages: flow_mod, flow and aggregate statistics, and the
//! flow_removed messages that expiry and deletion produce.

use std::sync::Arc;

use ovs_ofp_actions::{Action, CheckParams, check_actions_with};
use ovs_ofp_core::{OfpErr, OfpPort, Version};
use ovs_ofp_msgs::flow::{
    AggregateStats, FlowMod, FlowModCommand, FlowRemoved, FlowStats, FlowStatsRequest,
    removed_reason,
};

use crate::ofproto::Ofproto;
use crate::tables::{Criteria, FlowModEffects, N_TABLES, NewFlow, Removed, RemovedReason};

/// OVS's port limit for ofproto-dpif (`OFPP_MAX`).
pub const MAX_PORTS: u16 = 0xff00;

fn duration(created: u64, now: u64) -> (u32, u32) {
    let ms = now.saturating_sub(created);
    (
        u32::try_from(ms / 1000).unwrap_or(u32::MAX),
        ((ms % 1000) * 1_000_000) as u32,
    )
}

impl RemovedReason {
    pub fn wire(self) -> u8 {
        match self {
            RemovedReason::IdleTimeout => removed_reason::IDLE_TIMEOUT,
            RemovedReason::HardTimeout => removed_reason::HARD_TIMEOUT,
            RemovedReason::Delete => removed_reason::DELETE,
            RemovedReason::GroupDelete => removed_reason::GROUP_DELETE,
            RemovedReason::MeterDelete => removed_reason::METER_DELETE,
            RemovedReason::Eviction => removed_reason::EVICTION,
        }
    }
}

impl Ofproto {
    /// OVS's checks that need the switch: groups and meters must exist.
    pub(crate) fn check_references(&self, actions: &[Action]) -> Result<(), OfpErr> {
        for m in crate::actions::meters(actions) {
            if !self.meters.contains_key(&m) {
                return Err(OfpErr::OfpmmfcInvalidMeter);
            }
        }
        for g in crate::actions::groups(actions) {
            if !self.groups.contains_key(&g) {
                return Err(OfpErr::OfpbacBadOutGroup);
            }
        }
        Ok(())
    }

    /// Applies a flow_mod received on a connection speaking `version`
    /// (OVS's `handle_flow_mod`).
    pub fn flow_mod(
        &mut self,
        fm: &FlowMod,
        version: Version,
        now: u64,
    ) -> Result<FlowModEffects, OfpErr> {
        let mut actions = fm.actions.clone();
        check_actions_with(
            &mut actions,
            &fm.match_,
            &CheckParams {
                max_ports: MAX_PORTS,
                table_id: fm.table_id,
                n_tables: N_TABLES,
                version,
                tlv: Some((&self.tlv).into()),
            },
        )?;
        // Only OVS's own flows may match non-default values of the hidden
        // fields (add_flow_init's minimatch_has_default_hidden_fields).
        let adds = !matches!(
            fm.command,
            FlowModCommand::Delete | FlowModCommand::DeleteStrict
        );
        if adds
            && [ovs_flow::FieldId::RecircId, ovs_flow::FieldId::DpHash]
                .iter()
                .any(|f| {
                    fm.match_
                        .get(*f)
                        .is_some_and(|(v, _)| v.iter().any(|b| *b != 0))
                })
        {
            return Err(OfpErr::OfpbrcEperm);
        }
        let actions: Arc<[Action]> = actions.into();
        let template = NewFlow {
            // ofproto-dpif has no table chooser: "any table" adds go to 0.
            table_id: if fm.table_id == 0xff { 0 } else { fm.table_id },
            matches: fm.match_.clone(),
            priority: fm.priority,
            cookie: fm.new_cookie,
            actions,
            idle_timeout: fm.idle_timeout,
            hard_timeout: fm.hard_timeout,
            importance: fm.importance,
            flags: fm.flags,
        };
        let strict = matches!(
            fm.command,
            FlowModCommand::ModifyStrict | FlowModCommand::DeleteStrict
        );
        let criteria = Criteria {
            table_id: fm.table_id,
            target: &fm.match_,
            strict_priority: strict.then_some(fm.priority),
            cookie: fm.cookie,
            cookie_mask: fm.cookie_mask,
            out_port: fm.out_port,
            out_group: fm.out_group,
        };
        let mut fx = FlowModEffects {
            track: self.monitoring(),
            ..FlowModEffects::default()
        };
        match fm.command {
            FlowModCommand::Add => {
                self.check_references(&template.actions)?;
                self.tables.add(template, now, &mut fx)?;
            }
            FlowModCommand::Modify | FlowModCommand::ModifyStrict => {
                // Modify selects without the out_port/out_group filters.
                let criteria = Criteria {
                    out_port: OfpPort::NONE,
                    out_group: crate::tables::GROUP_ANY,
                    ..criteria
                };
                let may_add = fm.new_cookie != u64::MAX && fm.cookie_mask == 0;
                if !self.tables.collect(&criteria)?.is_empty() || may_add {
                    self.check_references(&template.actions)?;
                }
                self.tables
                    .modify(&criteria, template, fm.modify_cookie, may_add, now, &mut fx)?;
            }
            FlowModCommand::Delete | FlowModCommand::DeleteStrict => {
                self.tables
                    .delete(&criteria, RemovedReason::Delete, &mut fx)?;
            }
        }
        Ok(fx)
    }

    fn request_criteria<'a>(req: &'a FlowStatsRequest) -> Criteria<'a> {
        Criteria {
            table_id: req.table_id,
            target: &req.match_,
            strict_priority: None,
            cookie: req.cookie,
            cookie_mask: req.cookie_mask,
            out_port: req.out_port,
            out_group: req.out_group,
        }
    }

    /// OFPMP_FLOW / NXST_FLOW.
    pub fn flow_stats(&self, req: &FlowStatsRequest, now: u64) -> Result<Vec<FlowStats>, OfpErr> {
        let mut out = Vec::new();
        self.visit_flow_stats(req, now, |s| out.push(s.clone()))?;
        Ok(out)
    }

    /// Calls `f` with the statistics entry of each flow `req` selects, one
    /// at a time, so a dump can be encoded without holding every entry.
    pub fn visit_flow_stats(
        &self,
        req: &FlowStatsRequest,
        now: u64,
        mut f: impl FnMut(&FlowStats),
    ) -> Result<(), OfpErr> {
        self.tables.visit(
            &Self::request_criteria(req),
            |table_id, view, priority, rule| {
                let (duration_sec, duration_nsec) = duration(rule.created, now);
                f(&FlowStats {
                    match_: view.to_match(),
                    cookie: rule.cookie,
                    table_id,
                    duration_sec,
                    duration_nsec,
                    priority,
                    idle_timeout: rule.idle_timeout,
                    hard_timeout: rule.hard_timeout,
                    importance: rule.importance,
                    flags: rule.flags,
                    idle_age: Some(u32::from(crate::Rule::age_secs(
                        now.saturating_sub(rule.used()),
                    ))),
                    hard_age: Some(u32::from(crate::Rule::age_secs(
                        now.saturating_sub(rule.modified),
                    ))),
                    packet_count: rule.packet_count(),
                    byte_count: rule.byte_count(),
                    actions: rule.actions.to_vec(),
                });
            },
        )
    }

    /// OFPMP_AGGREGATE / NXST_AGGREGATE.
    pub fn aggregate_stats(&self, req: &FlowStatsRequest) -> Result<AggregateStats, OfpErr> {
        let mut agg = AggregateStats {
            packet_count: 0,
            byte_count: 0,
            flow_count: 0,
        };
        self.tables
            .visit(&Self::request_criteria(req), |_, _, _, rule| {
                agg.packet_count += rule.packet_count();
                agg.byte_count += rule.byte_count();
                agg.flow_count += 1;
            })?;
        Ok(agg)
    }

    /// The flow_removed message for `r`, if its flow asked for one.
    pub fn flow_removed(r: &Removed, now: u64) -> Option<FlowRemoved> {
        if r.rule.flags & ovs_ofp_msgs::flow::flow_flags::SEND_FLOW_REM == 0 {
            return None;
        }
        let (duration_sec, duration_nsec) = duration(r.rule.created, now);
        Some(FlowRemoved {
            match_: r.matches.clone(),
            cookie: r.rule.cookie,
            priority: r.priority,
            reason: r.reason.wire(),
            table_id: r.table_id,
            duration_sec,
            duration_nsec,
            idle_timeout: r.rule.idle_timeout,
            hard_timeout: r.rule.hard_timeout,
            packet_count: r.rule.packet_count(),
            byte_count: r.rule.byte_count(),
            nx: false,
        })
    }
}
