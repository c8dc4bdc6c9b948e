//! The flow tables of one switch and OVS's flow_mod semantics over them
//! (`ofproto.c`: add, modify, modify_strict, delete, delete_strict, the
//! selection criteria, and timeouts).

use std::sync::Arc;

use ovs_classifier::Classifier;
use ovs_flow::Match;

use ovs_ofp_actions::Action;
use ovs_ofp_core::{OfpErr, OfpPort};

use ovs_ofp_msgs::flow::flow_flags as flags;
use ovs_ofp_msgs::table::{TableDesc, TableMiss, TableMod, TableSetting, Vacancy, table_reason};

use crate::rule::Rule;

/// OVS's ofproto-dpif has 255 tables. The last, [`TABLE_INTERNAL`], is
/// hidden (not in "all tables" requests) and read-only.
pub const N_TABLES: u8 = 255;
/// Tables a controller sees (features, table statistics).
pub const N_VISIBLE_TABLES: u8 = 254;
/// ofproto-dpif's internal table.
pub const TABLE_INTERNAL: u8 = 254;
/// "All tables" in requests.
pub const TABLE_ALL: u8 = 0xff;
/// "Any group" for out_group filters.
pub const GROUP_ANY: u32 = 0xffff_ffff;
/// OVS's default flow limit per table: none (what it advertises as
/// `max_entries` is capped separately, see `features`).
pub const DEFAULT_MAX_FLOWS: u32 = u32::MAX;

/// Why a flow left its table (`OFPRR_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RemovedReason {
    IdleTimeout,
    HardTimeout,
    Delete,
    GroupDelete,
    MeterDelete,
    Eviction,
}

/// One flow table.
#[derive(Clone)]
pub struct Table {
    pub cls: Classifier<Rule>,
    /// Left out of "all tables" requests (table 254).
    pub hidden: bool,
    /// Flow mods may not change it (table 254).
    pub readonly: bool,
    pub name: Option<String>,
    pub max_flows: u32,
    /// Packets looked up in / matched in this table (fed by the datapath).
    pub lookup_count: u64,
    pub matched_count: u64,
    /// What table mods set.
    pub config: TableConfig,
}

/// The settings a table mod changes (OVS's `oftable` miss_config,
/// eviction and vacancy members).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableConfig {
    /// OpenFlow 1.1/1.2 table-miss behaviour.
    pub miss: TableMiss,
    /// Eviction enabled through OpenFlow.
    pub eviction: bool,
    /// The vacancy event armed next (`table_reason::VACANCY_*`), `None`
    /// while vacancy events are off.
    pub vacancy_event: Option<u8>,
    pub vacancy_down: u8,
    pub vacancy_up: u8,
}

impl Default for TableConfig {
    fn default() -> Self {
        TableConfig {
            miss: TableMiss::Default,
            eviction: false,
            vacancy_event: None,
            vacancy_down: 0,
            vacancy_up: 0,
        }
    }
}

/// The eviction flags OVS reports and accepts (`OFPROTO_EVICTION_FLAGS`:
/// other, importance, lifetime).
pub const EVICTION_FLAGS: u32 = 0b111;

/// The prefix trie fields OVS gives every table unless configured
/// otherwise (`Flow_Table` column `prefixes`).
pub const DEFAULT_PREFIX_FIELDS: [ovs_flow::FieldId; 2] =
    [ovs_flow::FieldId::Ipv4Dst, ovs_flow::FieldId::Ipv4Src];

impl Default for Table {
    fn default() -> Self {
        Table {
            cls: Classifier::with_prefix_fields(&DEFAULT_PREFIX_FIELDS),
            hidden: false,
            readonly: false,
            name: None,
            max_flows: DEFAULT_MAX_FLOWS,
            lookup_count: 0,
            matched_count: 0,
            config: TableConfig::default(),
        }
    }
}

impl Table {
    /// Free space in percent, as OVS rounds it (`oftable_vacancy`): a
    /// table without a limit is 100 % free only while empty.
    pub fn vacancy(&self) -> u8 {
        let n = self.cls.len() as u64;
        let max = u64::from(self.max_flows);
        if max == 0 {
            100
        } else if n >= max {
            0
        } else {
            ((max - n) as f64 * 100.0 / max as f64) as u8
        }
    }

    /// The table's `OFPMP_TABLE_DESC` entry.
    pub fn desc(&self, table_id: u8) -> TableDesc {
        let on_off = |b| {
            if b {
                TableSetting::On
            } else {
                TableSetting::Off
            }
        };
        TableDesc {
            table_id,
            eviction: on_off(self.config.eviction),
            eviction_flags: Some(EVICTION_FLAGS),
            vacancy: on_off(self.config.vacancy_event.is_some()),
            table_vacancy: Vacancy {
                vacancy_down: self.config.vacancy_down,
                vacancy_up: self.config.vacancy_up,
                vacancy: self.vacancy(),
            },
        }
    }

    /// Applies one table mod to this table (OVS's `table_mod__`).
    fn apply(&mut self, tm: &TableMod) {
        if tm.miss != TableMiss::Default {
            self.config.miss = tm.miss;
        }
        // OVS 3.1 decodes the eviction property's flags into its eviction
        // setting, so flags equal to the "on" or "off" setting's number
        // act as that setting and other flags change nothing.
        let eviction = match tm.eviction_flags {
            Some(1) => TableSetting::On,
            Some(2) => TableSetting::Off,
            Some(_) => TableSetting::Default,
            None => tm.eviction,
        };
        match eviction {
            TableSetting::On => self.config.eviction = true,
            TableSetting::Off => self.config.eviction = false,
            TableSetting::Default => {}
        }
        if tm.vacancy != TableSetting::Default {
            self.config.vacancy_down = tm.table_vacancy.vacancy_down;
            self.config.vacancy_up = tm.table_vacancy.vacancy_up;
            if tm.vacancy == TableSetting::Off {
                self.config.vacancy_event = None;
            } else if self.config.vacancy_event.is_none() {
                self.config.vacancy_event = Some(if self.vacancy() < self.config.vacancy_up {
                    table_reason::VACANCY_UP
                } else {
                    table_reason::VACANCY_DOWN
                });
            }
        }
    }
}

/// Which flows a modify, delete or statistics request selects (OVS's
/// `rule_criteria`).
#[derive(Clone, Debug)]
pub struct Criteria<'a> {
    pub table_id: u8,
    pub target: &'a Match,
    /// `Some` for strict requests: the exact priority.
    pub strict_priority: Option<u16>,
    pub cookie: u64,
    pub cookie_mask: u64,
    /// `OfpPort::NONE` (OFPP_ANY) selects every flow.
    pub out_port: OfpPort,
    pub out_group: u32,
}

/// A flow to install (OVS's `ofproto_rule_create` arguments).
#[derive(Clone, Debug)]
pub struct NewFlow {
    pub table_id: u8,
    pub matches: Match,
    pub priority: u16,
    pub cookie: u64,
    pub actions: Arc<[Action]>,
    pub idle_timeout: u16,
    pub hard_timeout: u16,
    pub importance: u16,
    pub flags: u16,
}

/// A flow that left a table, for flow-removed messages and monitors.
#[derive(Clone, Debug)]
pub struct Removed {
    pub table_id: u8,
    pub matches: Match,
    pub priority: u16,
    pub rule: Rule,
    pub reason: RemovedReason,
}

/// One flow change as flow monitors report it.
#[derive(Clone, Debug)]
pub struct FlowChange {
    pub event: ovs_ofp_msgs::FlowUpdateEvent,
    pub table_id: u8,
    pub matches: Match,
    pub priority: u16,
    pub rule: Rule,
    /// OFPRR_* for removals.
    pub reason: u8,
    /// For modifications: the actions before.
    pub old_actions: Option<Arc<[Action]>>,
}

/// What a flow_mod changed, for monitors and flow-removed messages.
#[derive(Clone, Debug, Default)]
pub struct FlowModEffects {
    /// Record every change in `changes` (set when flow monitors exist).
    pub track: bool,
    pub changes: Vec<FlowChange>,
    pub n_added: usize,
    pub n_modified: usize,
    pub removed: Vec<Removed>,
    pub n_removed: usize,
}

/// All tables of one switch.
#[derive(Clone)]
pub struct Tables {
    pub tables: Vec<Table>,
}

impl Default for Tables {
    fn default() -> Self {
        let mut tables: Vec<Table> = (0..N_TABLES).map(|_| Table::default()).collect();
        if let Some(t) = tables.get_mut(usize::from(TABLE_INTERNAL)) {
            t.hidden = true;
            t.readonly = true;
        }
        let mut t = Tables { tables };
        t.add_internal_flows();
        t
    }
}

/// A selected flow: where it is.
#[derive(Clone, Debug)]
pub struct Selected {
    pub table_id: u8,
    pub matches: Match,
    pub priority: u16,
}

impl Tables {
    pub fn n_flows(&self) -> usize {
        self.tables.iter().map(|t| t.cls.len()).sum()
    }

    /// An `OFPT_TABLE_MOD` (OVS's `table_mod`): one table, or every table
    /// a controller may change.
    pub fn table_mod(&mut self, tm: &TableMod) -> Result<(), OfpErr> {
        if tm.table_id == TABLE_ALL {
            for t in self.tables.iter_mut().filter(|t| !t.hidden && !t.readonly) {
                t.apply(tm);
            }
            return Ok(());
        }
        let Some(t) = self.tables.get_mut(usize::from(tm.table_id)) else {
            return Err(OfpErr::OfptmfcBadTable);
        };
        if t.readonly {
            return Err(OfpErr::OfptmfcEperm);
        }
        t.apply(tm);
        Ok(())
    }

    /// The `OFPMP_TABLE_DESC` entries of the visible tables.
    pub fn table_descs(&self) -> Vec<TableDesc> {
        self.tables
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.hidden)
            .map(|(i, t)| t.desc(i as u8))
            .collect()
    }

    /// ofproto-dpif's internal flows in table 254: misses go to the
    /// controller (reg0=1) or are dropped (reg0=2, 3), and anything that
    /// reaches the table outside recirculation is dropped.
    fn add_internal_flows(&mut self) {
        use ovs_ofp_actions::Controller;
        let Some(table) = self.tables.get_mut(usize::from(TABLE_INTERNAL)) else {
            return;
        };
        let rule = |actions: Vec<Action>| Rule {
            cookie: 0,
            actions: actions.into(),
            idle_timeout: 0,
            hard_timeout: 0,
            importance: 0,
            flags: 0,
            created: 0,
            modified: 0,
            stats: crate::RuleStats::new(0),
        };
        // OVS's OFPR_IMPLICIT_MISS, a reason no OpenFlow version names.
        const IMPLICIT_MISS: u8 = 7;
        let miss = Action::Controller(Controller {
            reason: IMPLICIT_MISS,
            ..Controller::default()
        });
        for (reg0, actions) in [(1u32, vec![miss]), (2, Vec::new()), (3, Vec::new())] {
            let mut m = Match::catchall();
            if m.set_exact(ovs_flow::FieldId::Reg0, &reg0.to_be_bytes())
                .is_ok()
            {
                table.cls.insert(&m, 0, rule(actions));
            }
        }
        let mut m = Match::catchall();
        if m.set_exact(ovs_flow::FieldId::RecircId, &0u32.to_be_bytes())
            .is_ok()
        {
            table.cls.insert(&m, 2, rule(Vec::new()));
        }
    }

    /// Removes every flow from the visible tables (OVS's ofproto_flush).
    pub fn flush(&mut self) -> Vec<Removed> {
        let mut out = Vec::new();
        for (t, table) in self.tables.iter_mut().enumerate() {
            if table.hidden {
                continue;
            }
            for (m, p, rule) in table.cls.extract_if(|_, _, _| true) {
                out.push(Removed {
                    table_id: t as u8,
                    matches: m,
                    priority: p,
                    rule,
                    reason: RemovedReason::Delete,
                });
            }
        }
        out
    }

    /// The flows `c` selects for reading, in table order (OVS's
    /// collect_rules_loose or collect_rules_strict).
    pub fn collect(&self, c: &Criteria<'_>) -> Result<Vec<Selected>, OfpErr> {
        self.collect_for(c, true)
    }

    /// Like [`Tables::collect`]; without `include_readonly`, flows in
    /// read-only tables are passed over, and if only such flows matched the
    /// answer is `OFPBRC_EPERM`, as OVS's rule_criteria_require_rw() makes it.
    pub fn collect_for(
        &self,
        c: &Criteria<'_>,
        include_readonly: bool,
    ) -> Result<Vec<Selected>, OfpErr> {
        let mut out = Vec::new();
        self.visit_for(c, include_readonly, |table_id, view, priority, _| {
            out.push(Selected {
                table_id,
                matches: view.to_match(),
                priority,
            });
        })?;
        Ok(out)
    }

    /// Calls `f` on every flow `c` selects for reading, without copying.
    pub fn visit(
        &self,
        c: &Criteria<'_>,
        f: impl FnMut(u8, ovs_classifier::RuleView<'_>, u16, &Rule),
    ) -> Result<(), OfpErr> {
        self.visit_for(c, true, f)
    }

    fn visit_for(
        &self,
        c: &Criteria<'_>,
        include_readonly: bool,
        mut f: impl FnMut(u8, ovs_classifier::RuleView<'_>, u16, &Rule),
    ) -> Result<(), OfpErr> {
        let mut n_selected = 0;
        let mut n_readonly = 0;
        // OVS answers a request with an exact cookie from its cookie index,
        // which spans every table, the hidden one included.
        let by_cookie = c.cookie_mask == u64::MAX;
        for (t, table) in self.tables.iter().enumerate() {
            let wanted = if c.table_id == TABLE_ALL {
                by_cookie || !table.hidden
            } else {
                t == usize::from(c.table_id)
            };
            if !wanted {
                continue;
            }
            for (view, p, rule) in table.cls.iter_loose(c.target) {
                if let Some(strict) = c.strict_priority
                    && (p != strict || !view.equals(c.target))
                {
                    continue;
                }
                if (rule.cookie ^ c.cookie) & c.cookie_mask != 0
                    || (c.out_port != OfpPort::NONE
                        && !crate::actions::outputs_to_port(&rule.actions, c.out_port))
                    || (c.out_group != GROUP_ANY
                        && !crate::actions::outputs_to_group(&rule.actions, c.out_group))
                {
                    continue;
                }
                if table.readonly && !include_readonly {
                    n_readonly += 1;
                } else {
                    n_selected += 1;
                    f(t as u8, view, p, rule);
                }
            }
        }
        if n_selected == 0 && n_readonly > 0 {
            return Err(OfpErr::OfpbrcEperm);
        }
        Ok(())
    }

    pub fn get(&self, s: &Selected) -> Option<&Rule> {
        self.tables
            .get(usize::from(s.table_id))?
            .cls
            .find_exact(&s.matches, s.priority)
    }

    /// OFPFC_ADD. Returns whether an identical flow was replaced.
    pub fn add(&mut self, f: NewFlow, now: u64, fx: &mut FlowModEffects) -> Result<(), OfpErr> {
        let table = &mut self.tables[usize::from(f.table_id)];
        if table.readonly {
            return Err(OfpErr::OfpbrcEperm);
        }
        let old = table.cls.find_exact(&f.matches, f.priority).cloned();
        if old.is_none() {
            if f.flags & flags::CHECK_OVERLAP != 0 && table.cls.overlaps(&f.matches, f.priority) {
                return Err(OfpErr::OfpfmfcOverlap);
            }
            if table.cls.len() >= table.max_flows as usize {
                return Err(OfpErr::OfpfmfcTableFull);
            }
        }
        let mut rule = Rule {
            cookie: f.cookie,
            actions: f.actions,
            idle_timeout: f.idle_timeout,
            hard_timeout: f.hard_timeout,
            importance: f.importance,
            // The flags OVS keeps with a flow (OFPUTIL_FF_STATE: all but
            // the emergency and internal ones).
            flags: f.flags
                & (flags::SEND_FLOW_REM
                    | flags::NO_PKT_COUNTS
                    | flags::NO_BYT_COUNTS
                    | flags::CHECK_OVERLAP
                    | flags::RESET_COUNTS),
            created: now,
            modified: now,
            stats: crate::RuleStats::new(now),
        };
        let mut old_actions = None;
        if let Some(old) = old {
            // An add over an identical flow replaces it; OVS keeps the
            // counters only if the flow_mod does not ask to reset them.
            if f.flags & flags::RESET_COUNTS == 0 {
                rule.stats = old.stats.clone();
            }
            old_actions = Some(old.actions.clone());
        }
        if fx.track {
            // An add that replaces a flow reports "added" all the same (OVS).
            fx.changes.push(FlowChange {
                event: ovs_ofp_msgs::FlowUpdateEvent::Added,
                table_id: f.table_id,
                matches: f.matches.clone(),
                priority: f.priority,
                rule: rule.clone(),
                reason: 0,
                old_actions,
            });
        }
        table.cls.insert(&f.matches, f.priority, rule);
        fx.n_added += 1;
        Ok(())
    }

    /// OFPFC_MODIFY / OFPFC_MODIFY_STRICT: `template` carries the new
    /// actions (and, when `modify_cookie`, the new cookie). If nothing is
    /// selected and `may_add` holds, the template is added instead.
    pub fn modify(
        &mut self,
        c: &Criteria<'_>,
        template: NewFlow,
        modify_cookie: bool,
        may_add: bool,
        now: u64,
        fx: &mut FlowModEffects,
    ) -> Result<(), OfpErr> {
        let selected = self.collect_for(c, false)?;
        if selected.is_empty() {
            if may_add {
                return self.add(template, now, fx);
            }
            return Ok(());
        }
        for s in selected {
            let table = &mut self.tables[usize::from(s.table_id)];
            if let Some(rule) = table.cls.find_exact_mut(&s.matches, s.priority) {
                let changed_actions = rule.actions != template.actions;
                let before = rule.actions.clone();
                let new_cookie =
                    modify_cookie && template.cookie != u64::MAX && template.cookie != rule.cookie;
                rule.actions = template.actions.clone();
                if new_cookie {
                    rule.cookie = template.cookie;
                }
                rule.modified = now;
                if template.flags & flags::RESET_COUNTS != 0 {
                    rule.stats.reset();
                }
                if changed_actions || new_cookie {
                    fx.n_modified += 1;
                }
                if fx.track && (changed_actions || new_cookie) {
                    fx.changes.push(FlowChange {
                        event: ovs_ofp_msgs::FlowUpdateEvent::Modified,
                        table_id: s.table_id,
                        matches: s.matches.clone(),
                        priority: s.priority,
                        rule: rule.clone(),
                        reason: 0,
                        old_actions: Some(before),
                    });
                }
            }
        }
        Ok(())
    }

    /// OFPFC_DELETE / OFPFC_DELETE_STRICT. Only flows that asked for a
    /// flow_removed message are reported in `fx.removed`.
    pub fn delete(
        &mut self,
        c: &Criteria<'_>,
        reason: RemovedReason,
        fx: &mut FlowModEffects,
    ) -> Result<(), OfpErr> {
        if c.strict_priority.is_some() || c.cookie_mask == u64::MAX {
            let selected = self.collect_for(c, false)?;
            for s in selected {
                if let Some(rule) = self.tables[usize::from(s.table_id)]
                    .cls
                    .remove(&s.matches, s.priority)
                {
                    fx.n_removed += 1;
                    if fx.track || rule.flags & flags::SEND_FLOW_REM != 0 {
                        fx.removed.push(Removed {
                            table_id: s.table_id,
                            matches: s.matches,
                            priority: s.priority,
                            rule,
                            reason,
                        });
                    }
                }
            }
            return Ok(());
        }
        // A loose delete removes in one pass per table, without first
        // listing what it selects (a del-flows of 100k flows).
        let mut n_readonly = 0;
        let mut n = 0;
        for (t, table) in self.tables.iter_mut().enumerate() {
            let wanted = if c.table_id == TABLE_ALL {
                !table.hidden
            } else {
                t == usize::from(c.table_id)
            };
            if !wanted {
                continue;
            }
            let target_is_catchall = c.target.wc.is_zero();
            let select = |view: ovs_classifier::RuleView<'_>, rule: &Rule| {
                (target_is_catchall || view.is_loose_match(c.target))
                    && (rule.cookie ^ c.cookie) & c.cookie_mask == 0
                    && (c.out_port == OfpPort::NONE
                        || crate::actions::outputs_to_port(&rule.actions, c.out_port))
                    && (c.out_group == GROUP_ANY
                        || crate::actions::outputs_to_group(&rule.actions, c.out_group))
            };
            if table.readonly {
                n_readonly += table.cls.iter().filter(|(v, _, r)| select(*v, r)).count();
                continue;
            }
            let removed = &mut fx.removed;
            let track = fx.track;
            table.cls.retain(|view, p, rule| {
                if !select(view, rule) {
                    return true;
                }
                n += 1;
                if track || rule.flags & flags::SEND_FLOW_REM != 0 {
                    removed.push(Removed {
                        table_id: t as u8,
                        matches: view.to_match(),
                        priority: p,
                        rule: rule.clone(),
                        reason,
                    });
                }
                false
            });
        }
        fx.n_removed += n;
        if n == 0 && n_readonly > 0 {
            return Err(OfpErr::OfpbrcEperm);
        }
        Ok(())
    }

    /// Removes flows whose idle or hard timeout passed at `now` (ms).
    pub fn expire(&mut self, now: u64) -> Vec<Removed> {
        let mut out = Vec::new();
        for (t, table) in self.tables.iter_mut().enumerate() {
            let mut doomed = Vec::new();
            for (view, p, rule) in table.cls.iter() {
                if rule.hard_timeout == 0 && rule.idle_timeout == 0 {
                    continue;
                }
                let reason = if rule.hard_timeout != 0
                    && now > rule.modified + u64::from(rule.hard_timeout) * 1000
                {
                    Some(RemovedReason::HardTimeout)
                } else if rule.idle_timeout != 0
                    && now > rule.used() + u64::from(rule.idle_timeout) * 1000
                {
                    Some(RemovedReason::IdleTimeout)
                } else {
                    None
                };
                if let Some(r) = reason {
                    doomed.push((view.to_match(), p, r));
                }
            }
            for (m, p, reason) in doomed {
                if let Some(rule) = table.cls.remove(&m, p) {
                    out.push(Removed {
                        table_id: t as u8,
                        matches: m,
                        priority: p,
                        rule,
                        reason,
                    });
                }
            }
        }
        out
    }

    /// The earliest time (ms) at which some flow may expire.
    pub fn next_expiry(&self) -> Option<u64> {
        let mut best: Option<u64> = None;
        for table in &self.tables {
            for (_, _, rule) in table.cls.iter() {
                let mut consider = |t: u64| best = Some(best.map_or(t, |b| b.min(t)));
                if rule.hard_timeout != 0 {
                    consider(rule.modified + u64::from(rule.hard_timeout) * 1000 + 1);
                }
                if rule.idle_timeout != 0 {
                    consider(rule.used() + u64::from(rule.idle_timeout) * 1000 + 1);
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table_mod(table_id: u8) -> TableMod {
        TableMod {
            table_id,
            miss: TableMiss::Default,
            eviction: TableSetting::Default,
            eviction_flags: None,
            vacancy: TableSetting::Default,
            table_vacancy: Vacancy::default(),
        }
    }

    #[test]
    fn table_mods_change_what_descriptions_report() {
        let mut t = Tables::default();
        let before = t.table_descs();
        assert_eq!(before.len(), usize::from(N_VISIBLE_TABLES));
        assert_eq!(before[1].eviction, TableSetting::Off);
        assert_eq!(before[1].eviction_flags, Some(EVICTION_FLAGS));
        assert_eq!(before[1].table_vacancy.vacancy, 100);

        let mut tm = table_mod(1);
        tm.eviction = TableSetting::On;
        t.table_mod(&tm).expect("eviction on");
        let mut tm = table_mod(2);
        tm.vacancy = TableSetting::On;
        tm.table_vacancy = Vacancy {
            vacancy_down: 20,
            vacancy_up: 80,
            vacancy: 0,
        };
        t.table_mod(&tm).expect("vacancy on");
        let after = t.table_descs();
        assert_eq!(after[1].eviction, TableSetting::On);
        assert_eq!(after[2].vacancy, TableSetting::On);
        assert_eq!(
            (
                after[2].table_vacancy.vacancy_down,
                after[2].table_vacancy.vacancy_up
            ),
            (20, 80)
        );
        // An empty unlimited table is all vacancy, so the next event is
        // the one for running low.
        assert_eq!(
            t.tables[2].config.vacancy_event,
            Some(table_reason::VACANCY_DOWN)
        );

        // OVS 3.1 reads the eviction property's flags as the setting.
        let mut tm = table_mod(1);
        tm.eviction_flags = Some(2);
        t.table_mod(&tm).expect("flags 2 act as off");
        assert_eq!(t.table_descs()[1].eviction, TableSetting::Off);
        tm.eviction_flags = Some(EVICTION_FLAGS);
        t.table_mod(&tm).expect("other flags change nothing");
        assert_eq!(t.table_descs()[1].eviction, TableSetting::Off);

        assert_eq!(
            t.table_mod(&table_mod(TABLE_INTERNAL)),
            Err(OfpErr::OfptmfcEperm)
        );
        let mut all = table_mod(TABLE_ALL);
        all.eviction = TableSetting::On;
        t.table_mod(&all).expect("all tables");
        assert!(
            t.table_descs()
                .iter()
                .all(|d| d.eviction == TableSetting::On)
        );
        assert!(!t.tables[usize::from(TABLE_INTERNAL)].config.eviction);
    }
}
