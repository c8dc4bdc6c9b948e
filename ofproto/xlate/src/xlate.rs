//! The translation itself (OVS's `xlate_actions` and `do_xlate_actions`).

use std::sync::Arc;

use ovs_classifier::RuleView;
use ovs_flow::{FieldId, Flow, Match, offset};
use ovs_odp::{DpAction, HashAction, UserCookie, Userspace};
use ovs_ofp_actions::{Action, Controller, Learn, LearnDst, LearnSrc, SetField, SetFieldForm};
use ovs_ofp_core::OfpPort;
use ovs_ofp_msgs::group::{Bucket, group_type};
use ovs_ofproto::groups::Group;
use ovs_ofproto::{NewFlow, Rule, RuleStats};

use crate::commit::{SLOW_ACTION, commit_odp_actions};
use crate::config::{
    FragHandling, OFPPC_NO_FLOOD, OFPPC_NO_FWD, OFPPC_NO_PACKET_IN, OFPPC_NO_RECV, OFPPC_PORT_DOWN,
    XBridge, XlateConfig,
};
use crate::field::{self, FRAG_ANY, FRAG_LATER, FlowExt};
use crate::format;
use crate::recirc::{FrozenAction, FrozenMetadata, FrozenState};
use crate::trace::{NodeKind, TraceBuf};

/// Translation depth limit (OVS's `MAX_DEPTH`).
pub const MAX_DEPTH: u32 = 64;
/// Resubmit limit (OVS's `MAX_RESUBMITS`).
pub const MAX_RESUBMITS: u32 = MAX_DEPTH * MAX_DEPTH;
const MAX_LIVENESS_RECURSION: u32 = 128;

/// `OFPR_*` packet-in reasons.
pub mod reason {
    pub const NO_MATCH: u8 = 0;
    pub const ACTION: u8 = 1;
    pub const INVALID_TTL: u8 = 2;
    pub const ACTION_SET: u8 = 3;
    pub const GROUP: u8 = 4;
    pub const PACKET_OUT: u8 = 5;
    pub const EXPLICIT_MISS: u8 = 6;
    pub const IMPLICIT_MISS: u8 = 7;
}

const TABLE_INTERNAL: u8 = 254;
const OFPG_ANY: u32 = 0xffff_ffff;

/// Why translation failed (OVS's `enum xlate_error`); the flow is then
/// installed as a drop flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum XlateError {
    BridgeNotFound,
    RecursionTooDeep,
    TooManyResubmits,
    StackTooDeep,
    NoRecirculationContext,
    RecirculationConflict,
    TooManyMplsLabels,
    InvalidTunnelMetadata,
    UnsupportedPacketType,
    CongestionDrop,
    ForwardingDisabled,
}

impl XlateError {
    /// The number OVS gives the error (the explicit drop action's reason).
    pub fn code(self) -> u32 {
        match self {
            XlateError::BridgeNotFound => 1,
            XlateError::RecursionTooDeep => 2,
            XlateError::TooManyResubmits => 3,
            XlateError::StackTooDeep => 4,
            XlateError::NoRecirculationContext => 5,
            XlateError::RecirculationConflict => 6,
            XlateError::TooManyMplsLabels => 7,
            XlateError::InvalidTunnelMetadata => 8,
            XlateError::UnsupportedPacketType => 9,
            XlateError::CongestionDrop => 10,
            XlateError::ForwardingDisabled => 11,
        }
    }
}

impl std::fmt::Display for XlateError {
    /// OVS's `xlate_strerror`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            XlateError::BridgeNotFound => "Bridge not found",
            XlateError::RecursionTooDeep => "Recursion too deep",
            XlateError::TooManyResubmits => "Too many resubmits",
            XlateError::StackTooDeep => "Stack too deep",
            XlateError::NoRecirculationContext => "No recirculation context",
            XlateError::RecirculationConflict => "Recirculation conflict",
            XlateError::TooManyMplsLabels => "Too many MPLS labels",
            XlateError::InvalidTunnelMetadata => "Invalid tunnel metadata",
            XlateError::UnsupportedPacketType => "Unsupported packet type",
            XlateError::CongestionDrop => "Congestion Drop",
            XlateError::ForwardingDisabled => "Forwarding is disabled",
        })
    }
}

impl std::error::Error for XlateError {}

/// What to translate.
#[derive(Clone, Debug)]
pub struct XlateIn<'a> {
    /// The bridge the packet entered (see [`XlateConfig::flow_from_datapath`]).
    pub bridge: &'a str,
    /// The packet's flow with `in_port` as an OpenFlow port of `bridge`,
    /// metadata included; `recirc_id` nonzero resumes a frozen translation.
    pub flow: Flow,
    pub packet: Option<&'a [u8]>,
    pub now_ms: u64,
    /// MAC learning, learn actions and fin_timeout may change state (OVS:
    /// true when there is a packet).
    pub allow_side_effects: bool,
    /// The result becomes a datapath flow (OVS's `xcache`): learn actions
    /// still yield their flows, and controller actions send packet-ins.
    pub for_datapath_flow: bool,
    /// The packet's TCP flags, for fin_timeout.
    pub tcp_flags: u16,
    /// Translate these actions instead of looking up the tables (a
    /// packet-out, `ofproto/trace-packet-out`).
    pub actions: Option<&'a [Action]>,
    /// Record a trace (for `ofproto/trace`).
    pub trace: bool,
}

impl<'a> XlateIn<'a> {
    /// A translation of `flow` on `bridge` without a packet (no side
    /// effects), as `ofproto/trace` without a packet does.
    pub fn new(bridge: &'a str, flow: Flow) -> XlateIn<'a> {
        XlateIn {
            bridge,
            flow,
            packet: None,
            now_ms: 0,
            allow_side_effects: false,
            for_datapath_flow: false,
            tcp_flags: 0,
            actions: None,
            trace: false,
        }
    }
}

/// A state change translation asks the caller to make.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Effect {
    /// A `learn` action's flow: add it to the bridge's table
    /// (modify-strict semantics), unless `limit` flows learned by this
    /// action already exist.
    Learn {
        bridge: String,
        flow: NewFlow,
        limit: u32,
    },
    /// `fin_timeout` on a TCP FIN or RST: lower the timeouts of the rule.
    FinTimeout {
        bridge: String,
        table_id: u8,
        matches: Match,
        priority: u16,
        idle_timeout: u16,
        hard_timeout: u16,
    },
}

/// The result of a translation.
#[derive(Clone, Debug, Default)]
pub struct XlateOut {
    /// Datapath actions (an explicit drop when there is nothing to do and
    /// the datapath supports it).
    pub actions: Vec<DpAction>,
    /// The megaflow mask: 1 bits were consulted.
    pub wc: Flow,
    /// The flow after translation (what `ofproto/trace` shows as "Final
    /// flow").
    pub final_flow: Flow,
    /// Counters of every rule the packet went through, to credit.
    pub rules: Vec<Arc<RuleStats>>,
    pub effects: Vec<Effect>,
    /// `SLOW_*` reasons (`SLOW_ACTION` = 0x20) the flow must stay in the
    /// slow path for.
    pub slow: u32,
    pub error: Option<XlateError>,
    /// Recirculation ids referenced by the actions; the caller owns one
    /// reference on each and releases it with [`crate::RecircIds::unref`]
    /// when the datapath flow goes away.
    pub recircs: Vec<u32>,
    /// The result depends on something that may change without a table
    /// change (a learn limit); do not cache it.
    pub avoid_caching: bool,
    /// Trace nodes, when asked for.
    pub trace: TraceBuf,
    /// Conntrack recirculations, recorded when tracing.
    pub forks: Vec<CtFork>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum RuleKind {
    Normal,
    Miss,
    NoPacketIn,
    DropFrags,
}

/// A rule found by a lookup.
#[derive(Clone, Copy)]
pub(crate) struct RuleRef<'a> {
    pub rule: &'a Rule,
    pub table_id: u8,
    pub priority: u16,
    pub view: Option<RuleView<'a>>,
    pub kind: RuleKind,
}

impl RuleRef<'_> {
    fn is_table_miss(&self) -> bool {
        self.priority == 0 && self.view.is_some_and(|v| v.words().next().is_none())
    }
}

/// An action list being translated: a rule's or bucket's plain actions,
/// or thawed frozen actions.
#[derive(Clone, Copy)]
pub(crate) enum Acts<'x> {
    Of(&'x [Action]),
    Frozen(&'x [FrozenAction]),
}

#[derive(Clone, Copy)]
pub(crate) enum ActRef<'x> {
    Of(&'x Action),
    Unroll(u8, u64),
}

impl<'x> Acts<'x> {
    fn len(&self) -> usize {
        match self {
            Acts::Of(a) => a.len(),
            Acts::Frozen(a) => a.len(),
        }
    }

    fn get(&self, i: usize) -> Option<ActRef<'x>> {
        match self {
            Acts::Of(a) => a.get(i).map(ActRef::Of),
            Acts::Frozen(a) => a.get(i).map(|f| match f {
                FrozenAction::Action(a) => ActRef::Of(a),
                FrozenAction::Unroll { table_id, cookie } => ActRef::Unroll(*table_id, *cookie),
            }),
        }
    }
}

pub(crate) struct Ctx<'a> {
    pub cfg: &'a XlateConfig,
    pub xin: &'a XlateIn<'a>,
    pub bridge: &'a XBridge,
    /// The flow as it came in (OVS's `upcall_flow`).
    pub upcall_flow: &'a Flow,
    pub flow: Flow,
    pub base_flow: Flow,
    pub wc: Flow,
    pub odp: Vec<DpAction>,
    pub table_id: u8,
    pub rule: Option<RuleRef<'a>>,
    pub rule_cookie: u64,
    pub depth: u32,
    pub resubmits: u32,
    pub exit: bool,
    pub error: Option<XlateError>,
    pub freezing: bool,
    pub recirc_update_dp_hash: bool,
    pub dp_hash_alg: u32,
    pub dp_hash_basis: u32,
    pub frozen_actions: Vec<FrozenAction>,
    /// Index in `frozen_actions` of the last unroll marker.
    pub frozen_unroll: Option<usize>,
    pub pause: Option<Controller>,
    pub was_mpls: bool,
    pub conntracked: bool,
    pub action_set: Vec<Action>,
    pub action_set_has_group: bool,
    pub in_action_set: bool,
    pub in_packet_out: bool,
    pub stack: Vec<u128>,
    pub orig_skb_priority: u32,
    pub slow: u32,
    pub rules: Vec<Arc<RuleStats>>,
    pub effects: Vec<Effect>,
    pub recircs: Vec<u32>,
    pub avoid_caching: bool,
    pub trace: Option<TraceBuf>,
    /// The trace node new nodes go under (`None`: top level).
    pub cur: Option<usize>,
    /// This translation resumes a frozen one.
    pub thawed: bool,
    /// A `nat` action waiting for its `ct`.
    pub ct_nat: Option<ovs_ofp_actions::Nat>,
    /// Conntrack recirculations the trace follows.
    pub forks: Vec<CtFork>,
    /// Flows learned so far in this translation. OVS adds a learned flow
    /// to its table at once, in a classifier version this translation does
    /// not see; later lookups in that table still search its subtable, so
    /// the megaflow depends on its match fields.
    pub learned: Vec<NewFlow>,
    /// The table (and number of `learned` flows) [`Ctx::overlay`] was
    /// built for: a copy of that table's classifier with the learned flows
    /// in it, marked invisible by sharing [`Ctx::invisible`]'s counters.
    pub overlay: Option<(u8, usize, Box<ovs_classifier::Classifier<Rule>>)>,
    /// Made with the first overlay: most translations learn nothing.
    pub invisible: Option<Arc<RuleStats>>,
}

/// A packet copy that a `ct(table=N)` recirculates, for `ofproto/trace`
/// to follow (OVS's `oftrace_recirc_node`).
#[derive(Clone, Debug)]
pub struct CtFork {
    pub recirc_id: u32,
    /// The flow at the fork, with `recirc_id` and `ct_zone` set.
    pub flow: Flow,
    pub nat: Option<ovs_ofp_actions::Nat>,
}

/// Translates one packet's flow through the pipeline of `input.bridge`.
pub fn xlate(cfg: &XlateConfig, input: &XlateIn<'_>) -> XlateOut {
    let Some(bridge) = cfg.bridge(input.bridge) else {
        return XlateOut {
            error: Some(XlateError::BridgeNotFound),
            final_flow: input.flow.clone(),
            ..XlateOut::default()
        };
    };
    let mut flow = input.flow.clone();
    flow.set_u16(offset::ACTSET_OUTPUT, OfpPort::UNSET.0);
    let mut base_flow = flow.clone();
    // The datapath keeps no tunnel metadata unless an action sets it.
    for b in base_flow.bytes_mut(0, offset::METADATA) {
        *b = 0;
    }
    let mut ctx = Ctx {
        cfg,
        xin: input,
        bridge,
        upcall_flow: &input.flow,
        orig_skb_priority: flow.u32_at(offset::SKB_PRIORITY),
        flow,
        base_flow,
        wc: Flow::ZERO,
        odp: Vec::new(),
        table_id: 0,
        rule: None,
        rule_cookie: u64::MAX,
        depth: 0,
        resubmits: 0,
        exit: false,
        error: None,
        freezing: false,
        recirc_update_dp_hash: false,
        dp_hash_alg: 0,
        dp_hash_basis: 0,
        frozen_actions: Vec::new(),
        frozen_unroll: None,
        pause: None,
        was_mpls: false,
        conntracked: false,
        action_set: Vec::new(),
        action_set_has_group: false,
        in_action_set: false,
        in_packet_out: input.actions.is_some(),
        stack: Vec::new(),
        slow: 0,
        rules: Vec::new(),
        effects: Vec::new(),
        recircs: Vec::new(),
        avoid_caching: false,
        trace: input.trace.then(TraceBuf::default),
        cur: None,
        thawed: false,
        ct_nat: None,
        forks: Vec::new(),
        learned: Vec::new(),
        overlay: None,
        invisible: None,
    };
    ctx.run();
    ctx.finish()
}

impl<'a> Ctx<'a> {
    // ---- Tracing ----

    pub(crate) fn tracing(&self) -> bool {
        self.trace.is_some()
    }

    pub(crate) fn report(&mut self, kind: NodeKind, text: impl Into<String>) -> Option<usize> {
        let cur = self.cur;
        self.trace.as_mut().map(|t| t.push(cur, kind, text.into()))
    }

    /// Like [`Ctx::report`], with the text built only when tracing (the
    /// translation of every upcall goes through the reports).
    pub(crate) fn report_with(
        &mut self,
        kind: NodeKind,
        text: impl FnOnce(&Self) -> String,
    ) -> Option<usize> {
        if !self.tracing() {
            return None;
        }
        let s = text(self);
        self.report(kind, s)
    }

    pub(crate) fn report_error(&mut self, text: impl Into<String>) {
        self.report(NodeKind::Error, text);
    }

    // ---- Top level ----

    fn wc_init(&mut self) {
        self.wc.as_bytes_mut().fill(0);
        self.wc.or_bytes(offset::PACKET_TYPE, 4);
        self.wc.or_bytes(offset::IN_PORT, 2);
        self.wc.or_bytes(offset::DL_TYPE, 2);
        if self.flow.is_ip_any() {
            let m = self.wc.u8_at(offset::NW_FRAG) | FRAG_ANY | FRAG_LATER;
            self.wc.set_u8(offset::NW_FRAG, m);
        }
        if self.cfg.support.recirc {
            self.wc.or_bytes(offset::RECIRC_ID, 4);
        }
        // OVS's tnl_wc_init: a packet that came in on a tunnel matches its
        // outer addresses and flags exactly.
        if self.flow.u32_at(offset::TUN_IP_DST) != 0
            || !self
                .flow
                .bytes(offset::TUN_IPV6_DST, 16)
                .iter()
                .all(|b| *b == 0)
        {
            for (off, len) in [
                (offset::TUN_IP_DST, 4),
                (offset::TUN_IP_SRC, 4),
                (offset::TUN_IPV6_DST, 16),
                (offset::TUN_IPV6_SRC, 16),
                (offset::TUN_ID, 8),
                (offset::TUN_TOS, 1),
                (offset::TUN_TTL, 1),
                (offset::TUN_TP_SRC, 2),
                (offset::TUN_TP_DST, 2),
                (offset::TUN_FLAGS, 2),
            ] {
                self.wc.or_bytes(off, len);
            }
        }
    }

    fn wc_finish(&mut self) {
        // Metadata and registers are not part of a datapath flow.
        for (off, len) in [
            (offset::METADATA, 8),
            (offset::REGS, 64),
            (offset::ACTSET_OUTPUT, 2),
            (offset::CONJ_ID, 4),
        ] {
            for b in self.wc.bytes_mut(off, len) {
                *b = 0;
            }
        }
        if self.upcall_flow.packet_type() != 0 {
            for b in self.wc.bytes_mut(offset::DL_DST, 12) {
                *b = 0;
            }
        }
        let dl_type = self.flow.dl_type();
        let proto = self.flow.nw_proto();
        if (dl_type == field::ETH_TYPE_IP && proto == field::IPPROTO_ICMP)
            || (dl_type == field::ETH_TYPE_IPV6 && proto == field::IPPROTO_ICMPV6)
        {
            let s = self.wc.u16_at(offset::TP_SRC) & 0xff;
            let d = self.wc.u16_at(offset::TP_DST) & 0xff;
            self.wc.set_u16(offset::TP_SRC, s);
            self.wc.set_u16(offset::TP_DST, d);
        }
        for off in [offset::VLAN0_TCI, offset::VLAN1_TCI] {
            let m = self.wc.u16_at(off);
            if m != 0 {
                self.wc.set_u16(off, m | 0x1000);
            }
        }
        if self.flow.nw_frag() & FRAG_LATER != 0 {
            self.wc.set_u16(offset::TP_SRC, 0);
            self.wc.set_u16(offset::TP_DST, 0);
        }
        if !matches!(self.upcall_flow.dl_type(), 0x8847 | 0x8848) {
            for b in self.wc.bytes_mut(offset::MPLS_LSE0, 16) {
                *b = 0;
            }
        }
        for (tpid, tci) in [
            (offset::VLAN0_TPID, offset::VLAN0_TCI),
            (offset::VLAN1_TPID, offset::VLAN1_TCI),
        ] {
            if !matches!(self.upcall_flow.u16_at(tpid), 0x8100 | 0x88a8) {
                self.wc.set_u16(tpid, 0);
                self.wc.set_u16(tci, 0);
            }
        }
        let tnl_dst_set = self.upcall_flow.u32_at(offset::TUN_IP_DST) != 0
            || !self
                .upcall_flow
                .bytes(offset::TUN_IPV6_DST, 16)
                .iter()
                .all(|b| *b == 0);
        if !tnl_dst_set {
            for b in self.wc.bytes_mut(0, offset::METADATA) {
                *b = 0;
            }
        }
    }

    fn run(&mut self) {
        self.wc_init();
        self.cur = self.report_with(NodeKind::Bridge, |c| {
            format!("bridge(\"{}\")", c.bridge.name)
        });
        let top = self.cur;

        let recirc_id = self.flow.u32_at(offset::RECIRC_ID);
        let mut thawed: Option<Arc<FrozenState>> = None;
        if recirc_id != 0 {
            match self.cfg.recirc.get(recirc_id) {
                Some(state) => {
                    if self.xin.actions.is_some() {
                        self.report_error("Recirculation conflict (actions)!");
                        self.error = Some(XlateError::RecirculationConflict);
                        return;
                    }
                    if !self.thaw(&state) {
                        return;
                    }
                    self.thawed = true;
                    thawed = Some(state);
                }
                None => {
                    self.report_error(format!(
                        "Recirculation context not found for ID {recirc_id:x}"
                    ));
                    self.error = Some(XlateError::NoRecirculationContext);
                    return;
                }
            }
        }
        if thawed.is_none() {
            const CS_TRACKED: u32 = 0x20;
            if self.flow.u32_at(offset::CT_STATE) & CS_TRACKED != 0 {
                self.conntracked = true;
            }
        }
        self.cur = top;

        let in_port = OfpPort(self.base_flow.in_port());
        let frozen_actions = thawed
            .as_ref()
            .map(|s| s.actions.clone())
            .unwrap_or_default();
        let have_actions = self.xin.actions.is_some() || !frozen_actions.is_empty();
        if !have_actions {
            let mut table_id = self.table_id;
            let rule = self.lookup_from_table(&mut table_id, self.flow.in_port(), true, true);
            self.table_id = table_id;
            self.rules.push(rule.rule.stats.clone());
            self.rule = Some(rule);
            self.report_table(&rule, table_id);
        }

        let xport = self.bridge.port(in_port);
        if xport.is_none_or(|p| self.may_receive(p.config)) {
            let acts: Acts<'_> = if let Some(a) = self.xin.actions {
                Acts::Of(a)
            } else if !frozen_actions.is_empty() {
                Acts::Frozen(&frozen_actions)
            } else if let Some(r) = self.rule {
                self.rule_cookie = r.rule.cookie;
                Acts::Of(&r.rule.actions)
            } else {
                Acts::Of(&[])
            };
            self.do_xlate_actions(acts, true, false);
            if self.error.is_some() {
                return;
            }
            if !self.freezing {
                self.xlate_action_set();
            }
            if self.freezing {
                self.finish_freezing();
            }
        }
        self.wc_finish();
    }

    /// Restores a frozen state (OVS's thawing in `xlate_actions`).
    fn thaw(&mut self, state: &FrozenState) -> bool {
        let thaw = self.report(NodeKind::Thaw, "thaw");
        let old = self.cur;
        self.cur = thaw;
        if state.bridge != self.bridge.name {
            match self.cfg.bridge(&state.bridge) {
                Some(b) => self.bridge = b,
                None => {
                    self.report_error("Frozen bridge no longer exists.");
                    self.error = Some(XlateError::BridgeNotFound);
                    self.cur = old;
                    return false;
                }
            }
        }
        self.table_id = state.table_id;
        let t = state.table_id;
        self.report_with(NodeKind::Thaw, |_| format!("Resuming from table {t}"));
        self.conntracked = state.conntracked;
        if !state.conntracked {
            self.clear_conntrack();
        }
        metadata_to_flow(&state.metadata, &mut self.flow);
        self.stack = state.stack.clone();
        if !state.action_set.is_empty() {
            self.report_with(NodeKind::Thaw, |_| {
                format!(
                    "Restoring action set: {}",
                    format::actions(&state.action_set)
                )
            });
            self.flow.set_u16(offset::ACTSET_OUTPUT, OfpPort::UNSET.0);
            self.write_actions(&state.action_set);
        }
        if !state.actions.is_empty() {
            self.report_with(NodeKind::Thaw, |_| {
                format!(
                    "Restoring actions: {}",
                    format::frozen_actions(&state.actions)
                )
            });
        }
        self.cur = old;
        true
    }

    fn finish(mut self) -> XlateOut {
        if self.error.is_some() {
            self.slow = 0;
            self.odp.clear();
        } else if let Some(DpAction::Clone(_)) = self.odp.last() {
            // OVS's xlate_optimize_odp_actions: a trailing clone needs no
            // copy of the packet.
            if let Some(DpAction::Clone(inner)) = self.odp.pop() {
                self.odp.extend(inner);
            }
        }
        if self.odp.is_empty() && self.cfg.support.explicit_drop_action {
            self.odp
                .push(DpAction::Drop(self.error.map(|e| e.code()).unwrap_or(0)));
        }
        let error = match self.error {
            Some(XlateError::CongestionDrop | XlateError::ForwardingDisabled) => None,
            e => e,
        };
        XlateOut {
            actions: self.odp,
            wc: self.wc,
            final_flow: self.flow,
            rules: self.rules,
            effects: self.effects,
            slow: self.slow,
            error,
            recircs: self.recircs,
            avoid_caching: self.avoid_caching,
            trace: self.trace.unwrap_or_default(),
            forks: self.forks,
        }
    }

    fn may_receive(&self, config: u32) -> bool {
        config & OFPPC_NO_RECV == 0
    }

    fn clear_conntrack(&mut self) {
        self.conntracked = false;
        for (off, len) in [
            (offset::CT_STATE, 4),
            (offset::CT_ZONE, 2),
            (offset::CT_MARK, 4),
            (offset::CT_LABEL, 16),
            (offset::CT_NW_PROTO, 1),
            (offset::CT_NW_SRC, 4),
            (offset::CT_NW_DST, 4),
            (offset::CT_IPV6_SRC, 16),
            (offset::CT_IPV6_DST, 16),
            (offset::CT_TP_SRC, 2),
            (offset::CT_TP_DST, 2),
        ] {
            for b in self.flow.bytes_mut(off, len) {
                *b = 0;
            }
        }
    }

    // ---- Table lookups ----

    fn internal_rule(&self, reg0: u32) -> Option<RuleRef<'a>> {
        let table = self.bridge.tables.tables.get(usize::from(TABLE_INTERNAL))?;
        let mut m = Match::catchall();
        m.set_exact(FieldId::Reg0, &reg0.to_be_bytes()).ok()?;
        let rule = table.cls.find_exact(&m, 0)?;
        Some(RuleRef {
            rule,
            table_id: TABLE_INTERNAL,
            priority: 0,
            view: None,
            kind: if reg0 == 1 {
                RuleKind::Miss
            } else {
                RuleKind::NoPacketIn
            },
        })
    }

    /// OVS's `rule_dpif_lookup_from_table`: looks up from `table_id` on,
    /// following "continue" table-miss settings; always returns a rule
    /// (the internal miss or no-packet-in rule on a miss).
    pub(crate) fn lookup_from_table(
        &mut self,
        table_id: &mut u8,
        in_port: u16,
        may_packet_in: bool,
        honor_table_miss: bool,
    ) -> RuleRef<'a> {
        use ovs_ofp_msgs::table::TableMiss;
        let old_tp_src = self.flow.u16_at(offset::TP_SRC);
        let old_tp_dst = self.flow.u16_at(offset::TP_DST);
        let old_in_port = self.flow.in_port();
        if self.flow.nw_frag() & FRAG_ANY != 0 && self.bridge.frag != FragHandling::NxMatch {
            if self.bridge.frag == FragHandling::Normal {
                self.flow.set_u16(offset::TP_SRC, 0);
                self.flow.set_u16(offset::TP_DST, 0);
            } else if let Some(mut r) = self.internal_rule(2) {
                r.kind = RuleKind::DropFrags;
                return r;
            }
        }
        self.flow.set_u16(offset::IN_PORT, in_port);
        let tables: &'a ovs_ofproto::Tables = &self.bridge.tables;
        let mut miss_config = TableMiss::Continue;
        let mut next = *table_id;
        let mut found = None;
        loop {
            if next == TABLE_INTERNAL || next == 255 {
                break;
            }
            *table_id = next;
            let Some(table) = tables.tables.get(usize::from(next)) else {
                break;
            };
            let hit = if self.learned.iter().any(|nf| nf.table_id == next) {
                self.lookup_with_learned(next, table)
            } else {
                table
                    .cls
                    .lookup_wc_conj(&self.flow, &mut self.wc, &rule_conjunctions)
            };
            if let Some((view, priority, rule)) = hit {
                found = Some(RuleRef {
                    rule,
                    table_id: next,
                    priority,
                    view: Some(view),
                    kind: RuleKind::Normal,
                });
                break;
            }
            if honor_table_miss {
                miss_config = table.config.miss;
                if miss_config == TableMiss::Continue {
                    next += 1;
                    continue;
                }
            }
            break;
        }
        self.flow.set_u16(offset::TP_SRC, old_tp_src);
        self.flow.set_u16(offset::TP_DST, old_tp_dst);
        self.flow.set_u16(offset::IN_PORT, old_in_port);
        if let Some(r) = found {
            return r;
        }
        let mut wants_miss = false;
        if may_packet_in {
            if matches!(miss_config, TableMiss::Continue | TableMiss::Controller) {
                wants_miss = self
                    .bridge
                    .port(OfpPort(old_in_port))
                    .is_some_and(|p| p.config & OFPPC_NO_PACKET_IN == 0);
            } else if miss_config == TableMiss::Default && self.bridge.packet_in_on_miss {
                wants_miss = true;
            }
        }
        let rule = if wants_miss {
            self.internal_rule(1)
        } else {
            self.internal_rule(2)
        };
        // Table 254 always has its internal rules; a table set without them
        // (hand-built in a test) behaves as a drop.
        rule.unwrap_or_else(|| RuleRef {
            rule: empty_rule(),
            table_id: TABLE_INTERNAL,
            priority: 0,
            view: None,
            kind: RuleKind::NoPacketIn,
        })
    }

    /// A lookup in `table` (number `table_id`) as OVS does it after this
    /// translation learned flows into it: the learned flows are there but
    /// invisible. The rule found is the table's own.
    fn lookup_with_learned(
        &mut self,
        table_id: u8,
        table: &'a ovs_ofproto::tables::Table,
    ) -> Option<ovs_classifier::Found<'a, Rule>> {
        let n = self.learned.len();
        let fresh = self
            .overlay
            .as_ref()
            .is_some_and(|(t, k, _)| *t == table_id && *k == n);
        if !fresh {
            let invisible = self
                .invisible
                .get_or_insert_with(|| RuleStats::new(0))
                .clone();
            let mut cls = Box::new(table.cls.clone());
            for nf in self.learned.iter().filter(|nf| nf.table_id == table_id) {
                // Learning a flow that is already there replaces it in the
                // new version; the old one stays visible to us.
                if cls.find_exact(&nf.matches, nf.priority).is_some() {
                    continue;
                }
                let rule = Rule {
                    cookie: nf.cookie,
                    actions: nf.actions.clone(),
                    idle_timeout: nf.idle_timeout,
                    hard_timeout: nf.hard_timeout,
                    importance: nf.importance,
                    flags: nf.flags,
                    created: 0,
                    modified: 0,
                    stats: invisible.clone(),
                };
                cls.insert(&nf.matches, nf.priority, rule);
            }
            self.overlay = Some((table_id, n, cls));
        }
        let (_, _, cls) = self.overlay.as_ref()?;
        let invisible = self.invisible.as_ref()?;
        let visible = |r: &Rule| !Arc::ptr_eq(&r.stats, invisible);
        let (view, priority, _) =
            cls.lookup_wc_visible(&self.flow, &mut self.wc, &rule_conjunctions, &visible)?;
        table.cls.find_exact_entry(&view.to_match(), priority)
    }

    fn report_table(&mut self, rule: &RuleRef<'_>, table_id: u8) {
        if !self.tracing() {
            return;
        }
        let mut s = format!("{table_id:2}. ");
        match rule.kind {
            RuleKind::Miss => s.push_str("No match, and a \"packet-in\" is called for."),
            RuleKind::NoPacketIn => s.push_str("No match."),
            RuleKind::DropFrags => {
                s.push_str("Packets are IP fragments and the fragment handling mode is \"drop\".")
            }
            RuleKind::Normal => {
                if let Some(v) = rule.view {
                    s.push_str(&format::match_to_string(&v.to_match(), 32768));
                }
                if !s.ends_with(' ') {
                    s.push_str(", ");
                }
                s.push_str(&format!("priority {}", rule.priority));
                if rule.rule.cookie != 0 {
                    s.push_str(&format!(", cookie {}", format::c_hex(rule.rule.cookie)));
                }
            }
        }
        self.cur = self.report(NodeKind::Table, s);
    }

    fn resubmit_resource_check(&mut self) -> bool {
        if self.depth >= MAX_DEPTH {
            self.report_error(format!("over max translation depth {MAX_DEPTH}"));
            self.error = Some(XlateError::RecursionTooDeep);
        } else if self.resubmits >= MAX_RESUBMITS {
            self.report_error(format!("over {MAX_RESUBMITS} resubmit actions"));
            self.error = Some(XlateError::TooManyResubmits);
        } else if self.odp.len() > 4096 {
            self.report_error("resubmits yielded over 64 kB of actions");
            self.exit = true;
        } else if self.stack.len() >= 65536 / 16 {
            self.report_error("resubmits yielded over 64 kB of stack");
            self.error = Some(XlateError::StackTooDeep);
        } else {
            return true;
        }
        false
    }

    /// OVS's `xlate_table_action`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn xlate_table_action(
        &mut self,
        in_port: u16,
        table_id: u8,
        may_packet_in: bool,
        honor_table_miss: bool,
        with_ct_orig: bool,
        is_last_action: bool,
        clone: bool,
    ) {
        if self.was_mpls {
            self.trigger_freeze();
            return;
        }
        if !self.resubmit_resource_check() {
            return;
        }
        let old_table_id = self.table_id;
        self.table_id = table_id;
        if with_ct_orig {
            if self.flow.u8_at(offset::CT_NW_PROTO) == 0 || !self.flow.is_ip_any() {
                self.report_error("resubmit(ct) with non-tracked or non-IP packet!");
                self.table_id = old_table_id;
                return;
            }
            self.tuple_swap();
        }
        let mut tid = table_id;
        let rule = self.lookup_from_table(&mut tid, in_port, may_packet_in, honor_table_miss);
        self.table_id = tid;
        if with_ct_orig {
            self.tuple_swap();
        }
        let old_cur = self.cur;
        self.report_table(&rule, table_id);
        self.xlate_recursively(rule, table_id <= old_table_id, is_last_action, clone);
        self.cur = old_cur;
        self.table_id = old_table_id;
    }

    fn tuple_swap(&mut self) {
        let ipv4 = self.flow.dl_type() == field::ETH_TYPE_IP;
        let pairs: &[(usize, usize, usize)] = if ipv4 {
            &[
                (offset::NW_PROTO, offset::CT_NW_PROTO, 1),
                (offset::NW_SRC, offset::CT_NW_SRC, 4),
                (offset::NW_DST, offset::CT_NW_DST, 4),
                (offset::TP_SRC, offset::CT_TP_SRC, 2),
                (offset::TP_DST, offset::CT_TP_DST, 2),
            ]
        } else {
            &[
                (offset::NW_PROTO, offset::CT_NW_PROTO, 1),
                (offset::IPV6_SRC, offset::CT_IPV6_SRC, 16),
                (offset::IPV6_DST, offset::CT_IPV6_DST, 16),
                (offset::TP_SRC, offset::CT_TP_SRC, 2),
                (offset::TP_DST, offset::CT_TP_DST, 2),
            ]
        };
        for f in [&mut self.flow, &mut self.wc] {
            for &(a, b, len) in pairs {
                let va = field::member(f, a, len);
                let vb = field::member(f, b, len);
                *f = field::set_member(f, a, len, vb);
                *f = field::set_member(f, b, len, va);
            }
        }
    }

    fn xlate_recursively(
        &mut self,
        rule: RuleRef<'a>,
        deepens: bool,
        is_last_action: bool,
        clone: bool,
    ) {
        let old_rule = self.rule;
        let old_cookie = self.rule_cookie;
        self.rules.push(rule.rule.stats.clone());
        self.resubmits += 1;
        if deepens {
            self.depth += 1;
        }
        self.rule = Some(rule);
        self.rule_cookie = rule.rule.cookie;
        let actions: &'a [Action] = &rule.rule.actions;
        if clone {
            self.clone_xlate_actions(Acts::Of(actions), is_last_action);
        } else {
            self.do_xlate_actions(Acts::Of(actions), is_last_action, false);
        }
        self.rule_cookie = old_cookie;
        self.rule = old_rule;
        if deepens {
            self.depth -= 1;
        }
    }

    // ---- Freezing ----

    pub(crate) fn trigger_freeze(&mut self) {
        self.exit = true;
        self.freezing = true;
    }

    fn trigger_recirculate_with_hash(&mut self, alg: u32, basis: u32) {
        self.exit = true;
        self.freezing = true;
        self.recirc_update_dp_hash = true;
        self.dp_hash_alg = alg;
        self.dp_hash_basis = basis;
    }

    fn cancel_freeze(&mut self) {
        if self.freezing {
            self.freezing = false;
            self.recirc_update_dp_hash = false;
            self.frozen_actions.clear();
            self.frozen_unroll = None;
            self.pause = None;
        }
    }

    fn freeze_put_unroll(&mut self) {
        let table_id = self.table_id;
        let cookie = self.rule_cookie;
        let same = self.frozen_unroll.and_then(|i| self.frozen_actions.get(i)).is_some_and(
            |f| matches!(f, FrozenAction::Unroll { table_id: t, cookie: c } if *t == table_id && *c == cookie),
        );
        if !same {
            self.frozen_unroll = Some(self.frozen_actions.len());
            self.frozen_actions
                .push(FrozenAction::Unroll { table_id, cookie });
        }
    }

    /// OVS's `freeze_unroll_actions`: keeps `acts[from..]` to run after
    /// thawing.
    fn freeze_unroll_actions(&mut self, acts: Acts<'_>, from: usize) {
        for i in from..acts.len() {
            let Some(a) = acts.get(i) else { break };
            let a = match a {
                ActRef::Unroll(table_id, cookie) => {
                    self.frozen_actions
                        .push(FrozenAction::Unroll { table_id, cookie });
                    continue;
                }
                ActRef::Of(a) => a,
            };
            match a {
                Action::OutputReg { .. }
                | Action::OutputTrunc { .. }
                | Action::Group { .. }
                | Action::Output { .. }
                | Action::Controller(_)
                | Action::DecMplsTtl
                | Action::DecNshTtl
                | Action::DecTtl { .. } => self.freeze_put_unroll(),
                Action::Resubmit(r) if r.table_id == 0xff => self.freeze_put_unroll(),
                Action::GotoTable { table_id } => {
                    self.frozen_actions
                        .push(FrozenAction::Action(Action::Resubmit(
                            ovs_ofp_actions::Resubmit {
                                in_port: OfpPort::IN_PORT,
                                table_id: *table_id,
                                with_ct_orig: false,
                                form: Default::default(),
                            },
                        )));
                    continue;
                }
                Action::WriteMetadata { metadata, mask } => {
                    self.frozen_actions
                        .push(FrozenAction::Action(Action::SetField(SetField {
                            field: FieldId::Metadata,
                            value: metadata.to_be_bytes().to_vec(),
                            mask: mask.to_be_bytes().to_vec(),
                            form: SetFieldForm::SetField,
                            flow_has_vlan: false,
                        })));
                    continue;
                }
                Action::Note(_) | Action::Conjunction { .. } => continue,
                _ => {}
            }
            self.frozen_actions.push(FrozenAction::Action(a.clone()));
        }
    }

    fn frozen_metadata(&self) -> FrozenMetadata {
        let mut regs = [0u32; 16];
        for (i, r) in regs.iter_mut().enumerate() {
            *r = self.flow.u32_at(offset::REGS + 4 * i);
        }
        FrozenMetadata {
            tunnel: self.flow.bytes(0, offset::METADATA).to_vec(),
            metadata: self.flow.get_be(offset::METADATA, 8),
            regs,
            in_port: self.flow.in_port(),
        }
    }

    fn frozen_state(
        &self,
        table_id: u8,
        actions: Vec<FrozenAction>,
        userdata: Vec<u8>,
    ) -> FrozenState {
        FrozenState {
            bridge: self.bridge.name.clone(),
            table_id,
            metadata: self.frozen_metadata(),
            stack: self.stack.clone(),
            conntracked: self.conntracked,
            was_mpls: self.was_mpls,
            actions,
            action_set: self.action_set.clone(),
            userdata,
        }
    }

    fn alloc_recirc(&mut self, state: FrozenState) -> u32 {
        let id = self.cfg.recirc.alloc(state);
        self.recircs.push(id);
        id
    }

    /// OVS's `finish_freezing__`.
    fn finish_freezing_table(&mut self, table: u8) -> u32 {
        let actions = std::mem::take(&mut self.frozen_actions);
        let userdata = self
            .pause
            .as_ref()
            .map(|p| p.userdata.clone())
            .unwrap_or_default();
        let state = self.frozen_state(table, actions, userdata);
        let id = self.alloc_recirc(state);
        if let Some(pause) = self.pause.clone() {
            if !self.xin.allow_side_effects && !self.xin.for_datapath_flow {
                self.cancel_freeze();
                return 0;
            }
            self.put_controller_user_action(
                false,
                true,
                id,
                pause.max_len,
                pause.reason,
                pause.controller_id,
            );
        } else {
            if self.recirc_update_dp_hash {
                self.odp.push(DpAction::Hash(HashAction {
                    algorithm: self.dp_hash_alg,
                    basis: self.dp_hash_basis,
                }));
            }
            self.odp.push(DpAction::Recirc(id));
        }
        self.cancel_freeze();
        id
    }

    pub(crate) fn finish_freezing(&mut self) {
        self.commit();
        self.finish_freezing_table(0);
    }

    // ---- Committing ----

    pub(crate) fn commit(&mut self) {
        self.slow |= commit_odp_actions(
            &self.flow,
            &mut self.base_flow,
            &mut self.wc,
            self.cfg.support.masked_set_action,
            &mut self.odp,
        );
    }

    // ---- The action loop ----

    pub(crate) fn do_xlate_actions(
        &mut self,
        acts: Acts<'_>,
        is_last_action: bool,
        group_bucket_action: bool,
    ) {
        if acts.len() == 0 {
            self.report(NodeKind::Action, "drop");
            return;
        }
        let n = acts.len();
        let mut i = 0;
        while i < n {
            let Some(aref) = acts.get(i) else { break };
            let last = is_last_action && i + 1 == n && self.action_set.is_empty();
            if self.error.is_some() {
                break;
            }
            if self.exit {
                if self.freezing {
                    self.freeze_unroll_actions(acts, i);
                }
                break;
            }
            let a = match aref {
                ActRef::Unroll(table_id, cookie) => {
                    self.table_id = table_id;
                    self.rule_cookie = cookie;
                    self.report(
                        NodeKind::Action,
                        format!("unroll_xlate(table={table_id}, cookie={cookie})"),
                    );
                    self.report(
                        NodeKind::Thaw,
                        format!(
                            "restored state: table={table_id}, cookie={}",
                            format::c_hex(cookie)
                        ),
                    );
                    i += 1;
                    continue;
                }
                ActRef::Of(a) => a,
            };
            if self.tracing() {
                let s = format::action(a);
                self.report(NodeKind::Action, s);
            }
            let mut skip_next = false;
            match a {
                Action::Output { port, max_len } => {
                    self.output_action(*port, *max_len, true, last, false, group_bucket_action)
                }
                Action::Group { group_id } => {
                    if self.group_action(*group_id, last) {
                        return;
                    }
                }
                Action::Controller(c) => {
                    if c.pause {
                        self.pause = Some(c.clone());
                        self.trigger_freeze();
                        skip_next = true;
                    } else {
                        let meter = if c.meter_id == 0 {
                            None
                        } else {
                            Some(c.meter_id)
                        };
                        self.controller_action(
                            c.max_len,
                            c.reason,
                            c.controller_id,
                            meter,
                            &c.userdata,
                        );
                    }
                }
                Action::Enqueue { port, queue } => {
                    self.wc.or_bytes(offset::SKB_PRIORITY, 4);
                    self.enqueue_action(*port, *queue, last);
                }
                Action::SetVlanVid {
                    vid,
                    push_vlan_if_needed,
                    ..
                } => {
                    let m = self.wc.u16_at(offset::VLAN0_TCI) | 0x1fff;
                    self.wc.set_u16(offset::VLAN0_TCI, m);
                    let tci = self.flow.u16_at(offset::VLAN0_TCI);
                    if tci & 0x1000 != 0 || *push_vlan_if_needed {
                        if self.flow.u16_at(offset::VLAN0_TPID) == 0 {
                            self.flow.set_u16(offset::VLAN0_TPID, 0x8100);
                        }
                        self.flow
                            .set_u16(offset::VLAN0_TCI, (tci & !0x0fff) | (vid & 0x0fff) | 0x1000);
                    }
                }
                Action::SetVlanPcp {
                    pcp,
                    push_vlan_if_needed,
                    ..
                } => {
                    let m = self.wc.u16_at(offset::VLAN0_TCI) | 0xf000;
                    self.wc.set_u16(offset::VLAN0_TCI, m);
                    let tci = self.flow.u16_at(offset::VLAN0_TCI);
                    if tci & 0x1000 != 0 || *push_vlan_if_needed {
                        if self.flow.u16_at(offset::VLAN0_TPID) == 0 {
                            self.flow.set_u16(offset::VLAN0_TPID, 0x8100);
                        }
                        self.flow.set_u16(
                            offset::VLAN0_TCI,
                            (tci & !0xe000) | (u16::from(*pcp & 7) << 13) | 0x1000,
                        );
                    }
                }
                Action::StripVlan { .. } => self.pop_vlan(),
                Action::PushVlan { ethertype } => {
                    self.push_vlan_uninit();
                    self.flow.set_u16(offset::VLAN0_TPID, *ethertype);
                    self.flow.set_u16(offset::VLAN0_TCI, 0x1000);
                }
                Action::SetEthSrc { mac } => {
                    self.wc.or_bytes(offset::DL_SRC, 6);
                    self.flow.bytes_mut(offset::DL_SRC, 6).copy_from_slice(mac);
                }
                Action::SetEthDst { mac } => {
                    self.wc.or_bytes(offset::DL_DST, 6);
                    self.flow.bytes_mut(offset::DL_DST, 6).copy_from_slice(mac);
                }
                Action::SetIpv4Src { addr } => {
                    if self.flow.dl_type() == field::ETH_TYPE_IP {
                        self.wc.or_bytes(offset::NW_PROTO, 1);
                        self.wc.or_bytes(offset::NW_SRC, 4);
                        self.flow.set_u32(offset::NW_SRC, u32::from(*addr));
                    }
                }
                Action::SetIpv4Dst { addr } => {
                    if self.flow.dl_type() == field::ETH_TYPE_IP {
                        self.wc.or_bytes(offset::NW_PROTO, 1);
                        self.wc.or_bytes(offset::NW_DST, 4);
                        self.flow.set_u32(offset::NW_DST, u32::from(*addr));
                    }
                }
                Action::SetIpDscp { dscp } => {
                    if self.flow.is_ip_any() {
                        self.wc.or_bytes(offset::NW_PROTO, 1);
                        let m = self.wc.u8_at(offset::NW_TOS) | 0xfc;
                        self.wc.set_u8(offset::NW_TOS, m);
                        let t = (self.flow.u8_at(offset::NW_TOS) & !0xfc) | (dscp & 0xfc);
                        self.flow.set_u8(offset::NW_TOS, t);
                    }
                }
                Action::SetIpEcn { ecn } => {
                    if self.flow.is_ip_any() {
                        self.wc.or_bytes(offset::NW_PROTO, 1);
                        let m = self.wc.u8_at(offset::NW_TOS) | 0x03;
                        self.wc.set_u8(offset::NW_TOS, m);
                        let t = (self.flow.u8_at(offset::NW_TOS) & !0x03) | (ecn & 0x03);
                        self.flow.set_u8(offset::NW_TOS, t);
                    }
                }
                Action::SetIpTtl { ttl } => {
                    if self.flow.is_ip_any() {
                        self.wc.or_bytes(offset::NW_PROTO, 1);
                        self.wc.set_u8(offset::NW_TTL, 0xff);
                        self.flow.set_u8(offset::NW_TTL, *ttl);
                    }
                }
                Action::SetL4SrcPort { port, .. } => {
                    if self.flow.is_ip_any() && self.flow.nw_frag() & FRAG_LATER == 0 {
                        self.wc.or_bytes(offset::NW_PROTO, 1);
                        self.wc.or_bytes(offset::TP_SRC, 2);
                        self.flow.set_u16(offset::TP_SRC, *port);
                    }
                }
                Action::SetL4DstPort { port, .. } => {
                    if self.flow.is_ip_any() && self.flow.nw_frag() & FRAG_LATER == 0 {
                        self.wc.or_bytes(offset::NW_PROTO, 1);
                        self.wc.or_bytes(offset::TP_DST, 2);
                        self.flow.set_u16(offset::TP_DST, *port);
                    }
                }
                Action::Resubmit(r) => {
                    self.resubmit_action(r, last);
                    i += 1;
                    continue;
                }
                Action::GotoTable { table_id } => {
                    let in_port = self.flow.in_port();
                    self.xlate_table_action(in_port, *table_id, true, true, false, last, false);
                    i += 1;
                    continue;
                }
                Action::SetTunnel { tun_id, .. } => {
                    self.flow.set_be(offset::TUN_ID, 8, *tun_id);
                }
                Action::SetQueue { queue_id } => {
                    self.wc.or_bytes(offset::SKB_PRIORITY, 4);
                    // The userspace datapath maps queue N to priority N.
                    self.flow.set_u32(offset::SKB_PRIORITY, *queue_id);
                }
                Action::PopQueue => {
                    self.wc.or_bytes(offset::SKB_PRIORITY, 4);
                    if self.flow.u32_at(offset::SKB_PRIORITY) != self.orig_skb_priority {
                        let p = self.orig_skb_priority;
                        self.flow.set_u32(offset::SKB_PRIORITY, p);
                        self.report_with(NodeKind::Detail, |_| {
                            format!("queue = {}", format::c_hex(p))
                        });
                    }
                }
                Action::RegMove { src, dst, .. } => {
                    if field::prereqs_ok(dst.field, &self.flow, &mut self.wc)
                        && field::prereqs_ok(src.field, &self.flow, &mut self.wc)
                    {
                        field::mask_subfield(src, &mut self.wc);
                        field::mask_subfield(dst, &mut self.wc);
                        let v = field::read_subfield(src, &self.flow);
                        field::write_subfield(dst, v, &mut self.flow);
                    }
                    self.report_subfield(dst);
                }
                Action::SetField(sf) => {
                    if field::prereqs_ok(sf.field, &self.flow, &mut self.wc) {
                        field::mask_l3_prereqs(sf.field, &self.flow, &mut self.wc);
                        let v = field::from_bytes(&sf.value);
                        let m = field::from_bytes(&sf.mask);
                        field::mask_field(sf.field, &mut self.wc, m);
                        field::set_masked(sf.field, &mut self.flow, v, m);
                    } else {
                        let name = sf.field.info().name;
                        self.report(
                            NodeKind::Warn,
                            format!("unmet prerequisites for {name}, set_field ignored"),
                        );
                    }
                }
                Action::StackPush(sf) => {
                    field::mask_subfield(sf, &mut self.wc);
                    let v = field::read_subfield(sf, &self.flow);
                    self.stack.push(v);
                }
                Action::StackPop(sf) => {
                    if let Some(v) = self.stack.pop() {
                        field::mask_subfield(sf, &mut self.wc);
                        field::write_subfield(sf, v, &mut self.flow);
                        self.report_subfield(sf);
                    } else {
                        let s = format::subfield(sf);
                        self.report_error(format!("stack underflow, {s} not changed"));
                    }
                }
                Action::DecTtl { cnt_ids, .. } => {
                    self.wc.set_u8(offset::NW_TTL, 0xff);
                    if self.dec_ttl(cnt_ids) {
                        return;
                    }
                }
                Action::Note(_) => {}
                Action::Bundle(b) => self.bundle_action(b, last, group_bucket_action),
                Action::OutputReg { src, max_len, .. } => {
                    let port = field::read_subfield(src, &self.flow);
                    if port <= 0xffff {
                        self.report_with(NodeKind::Detail, |_| format!("output port is {port}"));
                        field::mask_subfield(src, &mut self.wc);
                        self.output_action(
                            OfpPort(port as u16),
                            *max_len,
                            false,
                            last,
                            false,
                            group_bucket_action,
                        );
                    } else {
                        self.report(
                            NodeKind::Warn,
                            format!("output port {port} is out of range"),
                        );
                    }
                }
                Action::OutputTrunc { port, max_len } => {
                    self.output_trunc_action(*port, *max_len, last, group_bucket_action)
                }
                Action::Learn(l) => self.learn_action(l),
                Action::Conjunction { .. } => {
                    self.report_error("executing no-op conjunction action")
                }
                Action::Exit => self.exit = true,
                Action::FinTimeout {
                    idle_timeout,
                    hard_timeout,
                } => {
                    self.wc.or_bytes(offset::NW_PROTO, 1);
                    self.fin_timeout(*idle_timeout, *hard_timeout);
                }
                Action::ClearActions => {
                    self.report_action_set("was");
                    self.action_set.clear();
                    self.flow.set_u16(offset::ACTSET_OUTPUT, OfpPort::UNSET.0);
                    self.action_set_has_group = false;
                }
                Action::WriteActions(list) => {
                    self.write_actions(list);
                    self.report_action_set("is");
                }
                Action::WriteMetadata { metadata, mask } => {
                    let old = self.flow.get_be(offset::METADATA, 8);
                    self.flow
                        .set_be(offset::METADATA, 8, (old & !mask) | (metadata & mask));
                }
                Action::Meter { meter_id } => {
                    if let Some(dp) = self.bridge.meters.get(meter_id) {
                        self.odp.push(DpAction::Meter(*dp));
                    }
                }
                Action::Clone(list) => self.clone_xlate_actions(Acts::Of(list), last),
                Action::CtClear => {
                    if self.conntracked {
                        self.commit();
                        self.odp.push(DpAction::CtClear);
                        self.clear_conntrack();
                    }
                }
                Action::DebugRecirc => {
                    self.trigger_freeze();
                    skip_next = true;
                }
                Action::DebugSlow => self.slow |= SLOW_ACTION,
                Action::Ct(ct) => self.conntrack_action(ct, last),
                Action::Nat(n) => self.ct_nat = Some(*n),
                Action::Multipath(mp) => {
                    let link = crate::multipath::multipath_execute(mp, &self.flow, &mut self.wc);
                    // OVS's nxm_reg_load: the whole destination is matched.
                    field::mask_subfield(&mp.dst, &mut self.wc);
                    field::write_subfield(&mp.dst, u128::from(link), &mut self.flow);
                    self.report_subfield(&mp.dst);
                }
                Action::Sample(_)
                | Action::PushMpls { .. }
                | Action::PopMpls { .. }
                | Action::SetMplsLabel { .. }
                | Action::SetMplsTc { .. }
                | Action::SetMplsTtl { .. }
                | Action::DecMplsTtl
                | Action::Encap(_)
                | Action::Decap { .. }
                | Action::DecNshTtl
                | Action::CheckPktLarger { .. }
                | Action::DeleteField { .. } => {
                    let name = a.name();
                    self.report_error(format!("{name} is not implemented by this switch"));
                }
            }
            if skip_next {
                // The actions after a freezing action run after thawing.
                i += 1;
                if self.freezing {
                    self.freeze_unroll_actions(acts, i);
                }
                break;
            }
            if self.error.is_none() && self.exit && self.frozen_actions.is_empty() && self.freezing
            {
                self.freeze_unroll_actions(acts, i);
                break;
            }
            i += 1;
        }
    }

    pub(crate) fn report_subfield(&mut self, sf: &ovs_ofp_actions::Subfield) {
        if !self.tracing() {
            return;
        }
        let mut s = format::subfield(sf);
        s.push_str(" is now ");
        if sf.ofs == 0 && sf.n_bits >= sf.field.info().n_bits {
            s.push_str(&format::field_value(
                sf.field,
                field::get(sf.field, &self.flow),
            ));
        } else {
            s.push_str(&format::c_hex(field::read_subfield(sf, &self.flow)));
        }
        self.report(NodeKind::Detail, s);
    }

    fn report_action_set(&mut self, verb: &str) {
        if !self.tracing() {
            return;
        }
        let list = execute_action_set(&self.action_set);
        if list.is_empty() {
            self.report(NodeKind::Detail, format!("action set {verb} empty"));
        } else {
            let s = format::actions(&list);
            self.report(NodeKind::Detail, format!("action set {verb}: {s}"));
        }
    }

    fn pop_vlan(&mut self) {
        // OVS's flow_pop_vlan: the outer tag goes, the inner moves out.
        let m = self.wc.u16_at(offset::VLAN0_TCI) | 0x1fff;
        self.wc.set_u16(offset::VLAN0_TCI, m);
        let (tpid1, tci1) = (
            self.flow.u16_at(offset::VLAN1_TPID),
            self.flow.u16_at(offset::VLAN1_TCI),
        );
        self.flow.set_u16(offset::VLAN0_TPID, tpid1);
        self.flow.set_u16(offset::VLAN0_TCI, tci1);
        self.flow.set_u16(offset::VLAN1_TPID, 0);
        self.flow.set_u16(offset::VLAN1_TCI, 0);
        let (wtpid1, wtci1) = (
            self.wc.u16_at(offset::VLAN1_TPID),
            self.wc.u16_at(offset::VLAN1_TCI),
        );
        let _ = (wtpid1, wtci1);
    }

    fn push_vlan_uninit(&mut self) {
        // OVS's flow_push_vlan_uninit: the mask of the outer tag follows
        // it inward.
        let (t0, c0) = (
            self.wc.u16_at(offset::VLAN0_TPID),
            self.wc.u16_at(offset::VLAN0_TCI),
        );
        self.wc.set_u16(offset::VLAN1_TPID, t0);
        self.wc.set_u16(offset::VLAN1_TCI, c0);
        self.wc.set_u16(offset::VLAN0_TPID, 0xffff);
        self.wc.set_u16(offset::VLAN0_TCI, 0xffff);
        let (t0, c0) = (
            self.flow.u16_at(offset::VLAN0_TPID),
            self.flow.u16_at(offset::VLAN0_TCI),
        );
        self.flow.set_u16(offset::VLAN1_TPID, t0);
        self.flow.set_u16(offset::VLAN1_TCI, c0);
        self.flow.set_u16(offset::VLAN0_TPID, 0);
        self.flow.set_u16(offset::VLAN0_TCI, 0);
    }

    // ---- Outputs ----

    /// OVS's `xlate_output_action`.
    pub(crate) fn output_action(
        &mut self,
        port: OfpPort,
        controller_len: u16,
        _may_packet_in: bool,
        is_last_action: bool,
        truncate: bool,
        group_bucket_action: bool,
    ) {
        let in_port = OfpPort(self.flow.in_port());
        match port {
            OfpPort::IN_PORT => self.compose_output(in_port, is_last_action, truncate, true),
            OfpPort::TABLE => {
                self.xlate_table_action(in_port.0, 0, _may_packet_in, true, false, false, false)
            }
            OfpPort::NORMAL => self.xlate_normal(),
            OfpPort::FLOOD => self.flood_packets(false, is_last_action),
            OfpPort::ALL => self.flood_packets(true, is_last_action),
            OfpPort::CONTROLLER => {
                let reason = if self.in_packet_out {
                    reason::PACKET_OUT
                } else if group_bucket_action {
                    reason::GROUP
                } else if self.in_action_set {
                    reason::ACTION_SET
                } else {
                    reason::ACTION
                };
                self.controller_action(controller_len, reason, 0, None, &[]);
            }
            OfpPort::NONE => {}
            _ => {
                if port != in_port {
                    self.compose_output(port, is_last_action, truncate, true);
                } else {
                    self.report(NodeKind::Warn, "skipping output to input port");
                }
            }
        }
    }

    fn output_trunc_action(
        &mut self,
        port: OfpPort,
        max_len: u32,
        is_last_action: bool,
        group_bucket_action: bool,
    ) {
        match port {
            OfpPort::TABLE
            | OfpPort::NORMAL
            | OfpPort::FLOOD
            | OfpPort::ALL
            | OfpPort::CONTROLLER
            | OfpPort::NONE => {
                let name = format::port_name(port);
                self.report(
                    NodeKind::Warn,
                    format!("output_trunc does not support port: {name}"),
                );
            }
            _ => {
                if port.0 != self.flow.in_port() {
                    if self.bridge.port(port).and_then(|p| p.odp_port).is_none() {
                        let name = format::port_name(port);
                        self.report_error(format!(
                            "output_trunc does not support patch port {name}"
                        ));
                        return;
                    }
                    self.odp.push(DpAction::Trunc(max_len));
                    self.output_action(port, 0, false, is_last_action, true, group_bucket_action);
                } else {
                    self.report(NodeKind::Warn, "skipping output to input port");
                }
            }
        }
    }

    fn enqueue_action(&mut self, port: OfpPort, queue: u32, is_last_action: bool) {
        let in_port = self.flow.in_port();
        let port = if port == OfpPort::IN_PORT {
            OfpPort(in_port)
        } else if port.0 == in_port {
            return;
        } else {
            port
        };
        let saved = self.flow.u32_at(offset::SKB_PRIORITY);
        self.flow.set_u32(offset::SKB_PRIORITY, queue);
        self.compose_output(port, is_last_action, false, true);
        self.flow.set_u32(offset::SKB_PRIORITY, saved);
    }

    fn flood_packets(&mut self, all: bool, is_last_action: bool) {
        let in_port = self.flow.in_port();
        let bridge = self.bridge;
        let ports: Vec<OfpPort> = crate::hash::hmap_order(bridge.xport_insertion_order())
            .into_iter()
            .filter(|p| p.0 != in_port)
            .filter(|p| {
                all || bridge
                    .port(*p)
                    .is_some_and(|x| x.config & OFPPC_NO_FLOOD == 0)
            })
            .collect();
        let n = ports.len();
        for (i, p) in ports.into_iter().enumerate() {
            let last = is_last_action && i + 1 == n;
            self.compose_output(p, last, false, !all);
        }
    }

    /// OVS's `compose_output_action__`.
    pub(crate) fn compose_output(
        &mut self,
        port: OfpPort,
        is_last_action: bool,
        truncate: bool,
        _check_stp: bool,
    ) {
        let bridge = self.bridge;
        let Some(xport) = bridge.port(port) else {
            self.report(NodeKind::Warn, "Nonexistent output port");
            return;
        };
        if xport.config & OFPPC_NO_FWD != 0 {
            self.report(NodeKind::Detail, "OFPPC_NO_FWD set, skipping output");
            return;
        }
        if self.is_protected(port) {
            self.report(
                NodeKind::Warn,
                "Flow is between protected ports, skipping output.",
            );
            return;
        }
        if let Some((peer_bridge, peer_port)) = &xport.peer {
            if truncate {
                self.report_error("Cannot truncate output to patch port");
            }
            self.patch_port_output(peer_bridge, *peer_port, is_last_action);
            return;
        }
        let Some(odp_port) = xport.odp_port else {
            return;
        };
        let saved_vlans = self.flow.bytes(offset::VLAN0_TPID, 8).to_vec();
        let saved_tos = self.flow.u8_at(offset::NW_TOS);
        self.commit();
        self.odp.push(DpAction::Output(odp_port));
        self.flow
            .bytes_mut(offset::VLAN0_TPID, 8)
            .copy_from_slice(&saved_vlans);
        self.flow.set_u8(offset::NW_TOS, saved_tos);
    }

    fn is_protected(&self, out: OfpPort) -> bool {
        let b = self.bridge;
        let bundle_of = |p: OfpPort| b.port(p).and_then(|x| x.bundle).and_then(|i| b.bundle(i));
        match (bundle_of(OfpPort(self.flow.in_port())), bundle_of(out)) {
            (Some(i), Some(o)) => i.protected && o.protected,
            _ => false,
        }
    }

    /// OVS's `patch_port_output`: translation continues in the peer
    /// bridge, inside a datapath clone if its actions are not reversible.
    fn patch_port_output(&mut self, peer_bridge: &str, peer_port: OfpPort, is_last_action: bool) {
        let cfg = self.cfg;
        let Some(out_bridge) = cfg.bridge(peer_bridge) else {
            return;
        };
        let Some(out_dev) = out_bridge.port(peer_port) else {
            return;
        };
        let old_flow = self.flow.clone();
        let old_tnl_wc = self.wc.bytes(0, offset::METADATA).to_vec();
        let old_conntrack = self.conntracked;
        let old_was_mpls = self.was_mpls;
        let old_stack = std::mem::take(&mut self.stack);
        let old_action_set = std::mem::take(&mut self.action_set);
        let old_has_group = self.action_set_has_group;
        self.action_set_has_group = false;
        let old_cur = self.cur;
        let old_bridge = self.bridge;

        self.flow.set_u16(offset::IN_PORT, peer_port.0);
        self.flow.set_be(offset::METADATA, 8, 0);
        for b in self.flow.bytes_mut(0, offset::METADATA) {
            *b = 0;
        }
        for b in self.wc.bytes_mut(0, offset::METADATA) {
            *b = 0;
        }
        for b in self.flow.bytes_mut(offset::REGS, 64) {
            *b = 0;
        }
        self.flow.set_u16(offset::ACTSET_OUTPUT, OfpPort::UNSET.0);
        self.clear_conntrack();
        self.cur = self.report_with(NodeKind::Bridge, |_| {
            format!("bridge(\"{}\")", out_bridge.name)
        });
        self.bridge = out_bridge;

        if self.may_receive(out_dev.config) {
            let in_port = self.flow.in_port();
            self.xlate_table_action(in_port, 0, true, true, false, is_last_action, true);
            if !self.freezing {
                self.xlate_action_set();
            }
            if self.freezing {
                self.finish_freezing();
            }
        }

        self.cur = old_cur;
        self.flow = old_flow;
        self.bridge = old_bridge;
        self.action_set = old_action_set;
        self.action_set_has_group = old_has_group;
        self.stack = old_stack;
        self.wc
            .bytes_mut(0, offset::METADATA)
            .copy_from_slice(&old_tnl_wc);
        self.was_mpls = old_was_mpls;
        self.conntracked = old_conntrack;
        self.exit = false;
        self.error = None;
    }

    // ---- Resubmit, clone, action sets ----

    fn resubmit_action(&mut self, r: &ovs_ofp_actions::Resubmit, is_last_action: bool) {
        let internal = self.rule.is_some_and(|r| r.table_id == TABLE_INTERNAL);
        let in_port = if r.in_port == OfpPort::IN_PORT {
            self.flow.in_port()
        } else {
            r.in_port.0
        };
        let table_id = if r.table_id == 255 {
            self.table_id
        } else {
            r.table_id
        };
        self.xlate_table_action(
            in_port,
            table_id,
            internal,
            internal,
            r.with_ct_orig,
            is_last_action,
            false,
        );
    }

    /// OVS's `clone_xlate_actions`.
    pub(crate) fn clone_xlate_actions(&mut self, acts: Acts<'_>, is_last_action: bool) {
        let old_stack = self.stack.clone();
        let old_action_set = self.action_set.clone();
        let old_flow = self.flow.clone();
        if is_last_action || reversible(acts) {
            self.do_xlate_actions(acts, is_last_action, false);
            if !self.freezing {
                self.xlate_action_set();
            }
            if self.freezing {
                self.finish_freezing();
            }
        } else {
            self.commit();
            let old_base = self.base_flow.clone();
            let old_was_mpls = self.was_mpls;
            let old_conntracked = self.conntracked;
            if self.cfg.support.clone {
                let start = self.odp.len();
                self.do_xlate_actions(acts, true, false);
                if !self.freezing {
                    self.xlate_action_set();
                }
                if self.freezing {
                    self.finish_freezing();
                }
                let inner = self.odp.split_off(start);
                if !inner.is_empty() {
                    self.odp.push(DpAction::Clone(inner));
                }
            } else {
                self.report_error("Failed to compose clone action");
            }
            self.conntracked = old_conntracked;
            self.was_mpls = old_was_mpls;
            self.base_flow = old_base;
        }
        self.action_set = old_action_set;
        self.stack = old_stack;
        self.flow = old_flow;
    }

    fn write_actions(&mut self, list: &[Action]) {
        if !self.action_set_has_group {
            for a in list {
                match a {
                    Action::Output { port, .. } => {
                        self.flow.set_u16(offset::ACTSET_OUTPUT, port.0);
                    }
                    Action::Group { .. } => {
                        self.flow.set_u16(offset::ACTSET_OUTPUT, OfpPort::UNSET.0);
                        self.action_set_has_group = true;
                        break;
                    }
                    _ => {}
                }
            }
        }
        self.action_set.extend(list.iter().cloned());
    }

    fn xlate_action_set(&mut self) {
        let list = execute_action_set(&self.action_set);
        self.action_set.clear();
        if !list.is_empty() {
            self.in_action_set = true;
            let old = self.cur;
            self.cur = self.report(NodeKind::Table, "--. Executing action set:");
            self.do_xlate_actions(Acts::Of(&list), true, false);
            self.cur = old;
            self.in_action_set = false;
        }
    }

    // ---- Controller ----

    pub(crate) fn put_controller_user_action(
        &mut self,
        dont_send: bool,
        continuation: bool,
        recirc_id: u32,
        max_len: u16,
        reason: u8,
        controller_id: u16,
    ) {
        self.odp.push(DpAction::Userspace(Userspace {
            pid: 0,
            cookie: Some(UserCookie::Controller {
                reason: u16::from(reason),
                dont_send,
                continuation,
                recirc_id,
                rule_cookie: self.rule_cookie,
                controller_id,
                max_len,
            }),
            actions: false,
            tunnel_out_port: None,
        }));
    }

    /// OVS's `xlate_controller_action`: a userspace action whose cookie
    /// names a frozen state, from which the packet-in is built when the
    /// datapath executes it (see [`crate::packet_in_from_upcall`]).
    pub(crate) fn controller_action(
        &mut self,
        max_len: u16,
        mut reason: u8,
        controller_id: u16,
        meter_id: Option<u32>,
        userdata: &[u8],
    ) {
        self.commit();
        if reason == reason::ACTION && self.rule.is_some_and(|r| r.is_table_miss()) {
            reason = reason::EXPLICIT_MISS;
        }
        let state = self.frozen_state(self.table_id, Vec::new(), userdata.to_vec());
        let state = FrozenState {
            action_set: Vec::new(),
            ..state
        };
        let id = self.alloc_recirc(state);
        let meter = meter_id.or(self.bridge.controller_meter);
        let dont_send = !self.xin.allow_side_effects && !self.xin.for_datapath_flow;
        let start = self.odp.len();
        if let Some(m) = meter {
            self.odp.push(DpAction::Meter(m));
        }
        self.put_controller_user_action(dont_send, false, id, max_len, reason, controller_id);
        if meter.is_some() {
            let inner = self.odp.split_off(start);
            self.odp.push(DpAction::Sample {
                probability: u32::MAX,
                actions: inner,
            });
        }
    }

    fn dec_ttl(&mut self, cnt_ids: &[u16]) -> bool {
        if !self.flow.is_ip_any() {
            return false;
        }
        self.wc.set_u8(offset::NW_TTL, 0xff);
        self.wc.or_bytes(offset::NW_PROTO, 1);
        let ttl = self.flow.u8_at(offset::NW_TTL);
        if ttl > 1 {
            self.flow.set_u8(offset::NW_TTL, ttl - 1);
            false
        } else {
            for id in cnt_ids {
                self.controller_action(u16::MAX, reason::INVALID_TTL, *id, None, &[]);
            }
            let v = if self.flow.dl_type() == field::ETH_TYPE_IP {
                4
            } else {
                6
            };
            self.report(NodeKind::Warn, format!("IPv{v} decrement TTL exception"));
            true
        }
    }

    // ---- Conntrack ----

    /// OVS's `compose_conntrack_action`.
    fn conntrack_action(&mut self, ct: &ovs_ofp_actions::Ct, is_last_action: bool) {
        use ovs_ofp_actions::{CT_F_COMMIT, CT_F_FORCE, CT_RECIRC_NONE, CtZone};
        let zone = match &ct.zone {
            CtZone::Imm(z) => *z,
            CtZone::Field(sf) => {
                let z = field::read_subfield(sf, &self.flow) as u16;
                // After thawing, frozen metadata already identifies the
                // flow through its new recirculation id.
                let frozen = usize::from(sf.field.info().storage_offset) < offset::SKB_PRIORITY
                    || matches!(sf.field, FieldId::InPort | FieldId::InPortOxm);
                if !(self.thawed && frozen) {
                    field::mask_subfield(sf, &mut self.wc);
                }
                z
            }
        };
        let old_label = self.wc.bytes(offset::CT_LABEL, 16).to_vec();
        let old_mark = self.wc.u32_at(offset::CT_MARK);
        self.commit();
        self.ct_nat = None;
        self.wc.set_u32(offset::CT_MARK, 0);
        for b in self.wc.bytes_mut(offset::CT_LABEL, 16) {
            *b = 0;
        }
        self.do_xlate_actions(Acts::Of(&ct.actions), is_last_action, false);

        let mark_mask = self.wc.u32_at(offset::CT_MARK);
        let label_mask = field::member(&self.wc, offset::CT_LABEL, 16);
        let mut a = ovs_odp::CtAction {
            commit: ct.flags & CT_F_COMMIT != 0 && ct.flags & CT_F_FORCE == 0,
            force_commit: ct.flags & CT_F_COMMIT != 0 && ct.flags & CT_F_FORCE != 0,
            zone,
            ..Default::default()
        };
        if mark_mask != 0 {
            a.mark = Some((self.flow.u32_at(offset::CT_MARK) & mark_mask, mark_mask));
        }
        if label_mask != 0 {
            let v = field::member(&self.flow, offset::CT_LABEL, 16);
            a.label = Some((v & label_mask, label_mask));
        }
        match ct.alg {
            0 => {}
            21 => a.helper = Some("ftp".into()),
            69 => a.helper = Some("tftp".into()),
            alg => self.report_error(format!("cannot serialize ct_helper {alg}")),
        }
        if let Some(n) = self.ct_nat {
            a.nat = Some(odp_nat(&n));
        }
        self.odp.push(DpAction::Ct(a));
        self.wc.set_u32(offset::CT_MARK, old_mark);
        self.wc
            .bytes_mut(offset::CT_LABEL, 16)
            .copy_from_slice(&old_label);

        if ct.recirc_table != CT_RECIRC_NONE {
            self.conntracked = true;
            self.recirculate_and_fork(ct.recirc_table, zone);
        }
        self.ct_nat = None;
        self.clear_conntrack();
        self.report(
            NodeKind::Detail,
            "Sets the packet to an untracked state, and clears all the conntrack fields.",
        );
        self.conntracked = false;
    }

    /// OVS's `compose_recirculate_and_fork`: a copy of the packet goes
    /// through `table` after the datapath's conntrack; this one goes on.
    fn recirculate_and_fork(&mut self, table: u8, zone: u16) {
        self.freezing = true;
        let saved = std::mem::take(&mut self.frozen_actions);
        let id = self.finish_freezing_table(table);
        self.frozen_actions = saved;
        if self.tracing() && id != 0 {
            let mut flow = self.flow.clone();
            flow.set_u32(offset::RECIRC_ID, id);
            flow.set_u16(offset::CT_ZONE, zone);
            self.forks.push(CtFork {
                recirc_id: id,
                flow,
                nat: self.ct_nat,
            });
            self.report(
                NodeKind::Detail,
                format!(
                    "A clone of the packet is forked to recirculate. The forked pipeline will be resumed at table {table}."
                ),
            );
        }
    }

    // ---- Groups ----

    fn group_action(&mut self, group_id: u32, is_last_action: bool) -> bool {
        if !self.resubmit_resource_check() {
            return false;
        }
        let groups: &'a std::collections::BTreeMap<u32, Group> = &self.bridge.groups;
        let Some(group) = groups.get(&group_id) else {
            self.report(
                NodeKind::Warn,
                format!("output to nonexistent group {group_id}"),
            );
            return true;
        };
        let desc = &group.desc;
        // The group and each bucket used count the packet, as OVS's
        // xlate_group_stats does; a group with no live bucket does not.
        if desc.group_type == group_type::ALL || desc.group_type == group_type::INDIRECT {
            let n = desc.buckets.len();
            self.rules.push(group.stats.clone());
            self.rules.extend(group.bucket_stats.iter().cloned());
            for (i, b) in desc.buckets.iter().enumerate() {
                self.group_bucket(b, is_last_action && i + 1 == n);
            }
        } else {
            let bucket = if desc.group_type == group_type::SELECT {
                self.pick_select_bucket(group)
            } else if desc.group_type == group_type::FF {
                self.first_live_bucket(group, 0)
            } else {
                None
            };
            match bucket {
                Some(b) => {
                    let id = b.bucket_id;
                    if let Some(s) = desc
                        .buckets
                        .iter()
                        .position(|x| x.bucket_id == id)
                        .and_then(|i| group.bucket_stats.get(i))
                    {
                        self.rules.push(group.stats.clone());
                        self.rules.push(s.clone());
                    }
                    self.report_with(NodeKind::Detail, |_| format!("using bucket {id}"));
                    self.group_bucket(b, is_last_action);
                }
                None => {
                    self.report(NodeKind::Detail, "no live bucket");
                }
            }
        }
        false
    }

    fn group_bucket(&mut self, bucket: &Bucket, is_last_action: bool) {
        let old_cur = self.cur;
        if self.tracing() {
            let id = bucket.bucket_id;
            self.cur = self.report(NodeKind::Bucket, format!("bucket {id}"));
        }
        let list = execute_action_set(&bucket.actions);
        let old_flow = self.flow.clone();
        let old_was_mpls = self.was_mpls;
        self.depth += 1;
        self.do_xlate_actions(Acts::Of(&list), is_last_action, true);
        self.depth -= 1;
        if self.freezing {
            self.finish_freezing();
        }
        self.flow = old_flow;
        self.was_mpls = old_was_mpls;
        self.exit = false;
        if matches!(
            self.error,
            Some(XlateError::TooManyMplsLabels | XlateError::UnsupportedPacketType)
        ) {
            self.error = None;
        }
        self.cur = old_cur;
    }

    fn port_is_alive(&self, port: OfpPort) -> bool {
        self.bridge.port(port).is_some_and(|p| p.may_enable)
    }

    fn group_is_alive(&mut self, group_id: u32, depth: u32) -> bool {
        let groups: &'a std::collections::BTreeMap<u32, Group> = &self.bridge.groups;
        match groups.get(&group_id) {
            Some(g) => self.first_live_bucket(g, depth).is_some(),
            None => false,
        }
    }

    fn bucket_is_alive(&mut self, group: &Group, bucket: &Bucket, depth: u32) -> bool {
        if depth >= MAX_LIVENESS_RECURSION {
            self.report_error(format!(
                "bucket chaining exceeded {MAX_LIVENESS_RECURSION} links"
            ));
            return false;
        }
        if group.desc.group_type == group_type::SELECT && bucket.weight == 0 {
            return false;
        }
        !bucket.has_liveness()
            || (bucket.watch_port != OfpPort::NONE
                && bucket.watch_port != OfpPort::CONTROLLER
                && self.port_is_alive(bucket.watch_port))
            || (bucket.watch_group != OFPG_ANY
                && self.group_is_alive(bucket.watch_group, depth + 1))
            || (bucket.watch_port == OfpPort::CONTROLLER && self.bridge.controller_alive)
    }

    fn report_bucket_not_live(&mut self, bucket: &Bucket) {
        if !self.tracing() {
            return;
        }
        let mut s = String::new();
        if bucket.watch_port != OfpPort::NONE {
            s.push_str("port ");
            s.push_str(&format::port_name(bucket.watch_port));
        }
        if bucket.watch_group != OFPG_ANY {
            if !s.is_empty() {
                s.push_str(" and ");
            }
            s.push_str(&format!("port {}", bucket.watch_group));
        }
        let id = bucket.bucket_id;
        self.report(
            NodeKind::Detail,
            format!("bucket {id}: not live due to {s}"),
        );
    }

    fn first_live_bucket(&mut self, group: &'a Group, depth: u32) -> Option<&'a Bucket> {
        for b in &group.desc.buckets {
            if self.bucket_is_alive(group, b, depth) {
                return Some(b);
            }
            self.report_bucket_not_live(b);
        }
        None
    }

    fn best_live_bucket(&mut self, group: &'a Group, basis: u32) -> Option<&'a Bucket> {
        let mut best = None;
        let mut best_score = 0u32;
        for b in &group.desc.buckets {
            if self.bucket_is_alive(group, b, 0) {
                let score = (ovs_shash::hash_int(b.bucket_id, basis) & 0xffff)
                    .wrapping_mul(u32::from(b.weight));
                if score >= best_score {
                    best = Some(b);
                    best_score = score;
                }
                let id = b.bucket_id;
                self.report_with(NodeKind::Detail, |_| format!("bucket {id}: score {score}"));
            } else {
                self.report_bucket_not_live(b);
            }
        }
        best
    }

    fn pick_select_bucket(&mut self, group: &'a Group) -> Option<&'a Bucket> {
        if self.was_mpls {
            self.trigger_freeze();
            return None;
        }
        let props = &group.desc.props;
        let method = props.selection_method.as_str();
        let dp_hash_table = match method {
            "" => crate::hash::dp_hash_table(&group.desc.buckets, 256).map(|t| (t, 1u32, 0u32)),
            "dp_hash" => crate::hash::dp_hash_table(&group.desc.buckets, 0).map(|t| {
                let alg = (props.selection_method_param >> 32) as u32;
                let alg = if alg >= 2 { 0 } else { alg };
                (t, alg, props.selection_method_param as u32)
            }),
            _ => None,
        };
        if method == "hash" && !props.fields.is_empty() {
            return self.pick_hash_fields_bucket(group);
        }
        if let Some((table, alg, basis)) = dp_hash_table {
            let dp_hash = self.flow.u32_at(offset::DP_HASH);
            if dp_hash == 0 {
                let alg = if alg > self.cfg.support.max_hash_alg {
                    0
                } else {
                    alg
                };
                self.trigger_recirculate_with_hash(alg, basis);
                return None;
            }
            let mask = (table.len() - 1) as u32;
            let m = self.wc.u32_at(offset::DP_HASH) | mask;
            self.wc.set_u32(offset::DP_HASH, m);
            for i in 0..=mask {
                let idx = (dp_hash.wrapping_add(i) & mask) as usize;
                if let Some(b) = table.get(idx).and_then(|bi| group.desc.buckets.get(*bi))
                    && self.bucket_is_alive(group, b, 0)
                {
                    return Some(b);
                }
            }
            return None;
        }
        // OVS's default method: a symmetric L4 hash computed here.
        crate::multipath::flow_mask_hash_fields(
            &self.flow,
            &mut self.wc,
            crate::multipath::HASH_FIELDS_SYMMETRIC_L4,
        );
        let basis = crate::hash::flow_hash_symmetric_l4(&self.flow, 0);
        self.best_live_bucket(group, basis)
    }

    /// OVS's `pick_hash_fields_select_group`: the `hash` selection method
    /// with `fields(...)`. Each field (in field id order) whose
    /// prerequisites the packet meets is hashed, masked, into the basis and
    /// unwildcarded under its mask; nothing else is consulted.
    fn pick_hash_fields_bucket(&mut self, group: &'a Group) -> Option<&'a Bucket> {
        let props = &group.desc.props;
        let mut basis = ovs_shash::hash_uint64(props.selection_method_param);
        for (f, mask) in hash_field_array(&props.fields) {
            if !field::prereqs_ok(f, &self.flow, &mut self.wc) {
                continue;
            }
            let n = usize::from(f.info().n_bytes);
            let value = field::get(f, &self.flow) & mask;
            let bytes = value.to_be_bytes();
            basis = ovs_shash::hash_bytes(&bytes[16 - n..], basis);
            field::mask_field(f, &mut self.wc, mask);
        }
        self.best_live_bucket(group, basis)
    }

    // ---- Bundle, learn, fin_timeout ----

    fn bundle_action(
        &mut self,
        b: &ovs_ofp_actions::Bundle,
        is_last_action: bool,
        group_bucket_action: bool,
    ) {
        let bridge = self.bridge;
        // OVS's member_enabled_cb. A port configured down has lost its
        // carrier in OVS, so it is never enabled, whatever `may_enable`
        // this snapshot was built with.
        let enabled = |p: OfpPort| match p {
            OfpPort::IN_PORT
            | OfpPort::TABLE
            | OfpPort::NORMAL
            | OfpPort::FLOOD
            | OfpPort::ALL
            | OfpPort::NONE => true,
            OfpPort::CONTROLLER => false,
            _ => bridge
                .port(p)
                .is_some_and(|x| x.may_enable && x.config & OFPPC_PORT_DOWN == 0),
        };
        let port = crate::multipath::bundle_execute(b, &self.flow, &mut self.wc, enabled);
        if let Some(dst) = &b.dst {
            field::mask_subfield(dst, &mut self.wc);
            field::write_subfield(dst, u128::from(port.0), &mut self.flow);
            self.report_subfield(dst);
        } else {
            self.output_action(port, 0, false, is_last_action, false, group_bucket_action);
        }
    }

    fn learn_action(&mut self, learn: &Learn) {
        // OVS's learn_mask: every source field is consulted.
        for spec in &learn.specs {
            if let LearnSrc::Field(sf) = &spec.src {
                field::mask_subfield(sf, &mut self.wc);
            }
        }
        if !(self.xin.for_datapath_flow || self.xin.allow_side_effects) {
            self.report(
                NodeKind::Warn,
                "suppressing side effects, so learn action ignored",
            );
            return;
        }
        let nf = learn_execute(learn, &self.flow);
        if self.tracing() {
            let mut s = format!("table={} ", nf.table_id);
            s.push_str(&format::match_to_string(&nf.matches, 32768));
            while s.ends_with(' ') {
                s.pop();
            }
            s.push_str(&format!(" priority={}", nf.priority));
            if nf.cookie != 0 {
                s.push_str(&format!(" cookie={}", format::c_hex(nf.cookie)));
            }
            if nf.idle_timeout != 0 {
                s.push_str(&format!(" idle={}", nf.idle_timeout));
            }
            if nf.hard_timeout != 0 {
                s.push_str(&format!(" hard={}", nf.hard_timeout));
            }
            if learn.flags & ovs_ofp_actions::LEARN_F_SEND_FLOW_REM != 0 {
                s.push_str(" send_flow_rem");
            }
            s.push_str(" actions=");
            s.push_str(&format::actions(&nf.actions));
            self.report(NodeKind::Detail, s);
        }
        // OVS's ofproto_flow_mod_learn: an existing identical flow is only
        // refreshed; a new one is refused once `limit` flows with its
        // cookie are in its table. Judged on this snapshot; the caller
        // checks again when it adds the flow.
        let below_limit =
            learn.limit == 0 || crate::learn_below_limit(&self.bridge.tables, &nf, learn.limit);
        if let Some(dst) = &learn.result_dst {
            field::mask_subfield(dst, &mut self.wc);
            field::write_subfield(dst, u128::from(below_limit), &mut self.flow);
            self.report_subfield(dst);
        }
        if learn.limit != 0 {
            self.avoid_caching = true;
        }
        if below_limit && self.xin.allow_side_effects {
            self.learned.push(nf.clone());
        }
        if below_limit && (self.xin.allow_side_effects || self.xin.for_datapath_flow) {
            self.effects.push(Effect::Learn {
                bridge: self.bridge.name.clone(),
                flow: nf,
                limit: learn.limit,
            });
        }
    }

    fn fin_timeout(&mut self, idle_timeout: u16, hard_timeout: u16) {
        const TCP_FIN: u16 = 0x01;
        const TCP_RST: u16 = 0x04;
        let Some(rule) = self.rule else { return };
        if !self.xin.allow_side_effects || self.xin.tcp_flags & (TCP_FIN | TCP_RST) == 0 {
            return;
        }
        let Some(view) = rule.view else { return };
        self.effects.push(Effect::FinTimeout {
            bridge: self.bridge.name.clone(),
            table_id: rule.table_id,
            matches: view.to_match(),
            priority: rule.priority,
            idle_timeout,
            hard_timeout,
        });
    }
}

/// A `nat` action as the datapath's `ct(nat(...))`.
fn odp_nat(n: &ovs_ofp_actions::Nat) -> ovs_odp::CtNat {
    use ovs_ofp_actions::{
        NAT_F_DST, NAT_F_PERSISTENT, NAT_F_PROTO_HASH, NAT_F_PROTO_RANDOM, NAT_F_SRC, NatRange,
    };
    use std::net::IpAddr;
    let mut out = ovs_odp::CtNat::default();
    if n.flags & (NAT_F_SRC | NAT_F_DST) == 0 {
        return out;
    }
    out.src = n.flags & NAT_F_SRC != 0;
    out.dst = !out.src;
    out.persistent = n.flags & NAT_F_PERSISTENT != 0;
    out.proto_hash = n.flags & NAT_F_PROTO_HASH != 0;
    out.proto_random = !out.proto_hash && n.flags & NAT_F_PROTO_RANDOM != 0;
    let has_range = match n.range {
        NatRange::None => false,
        NatRange::Ipv4 { min, max } => {
            out.ip_min = Some(IpAddr::V4(min));
            if max > min {
                out.ip_max = Some(IpAddr::V4(max));
            }
            true
        }
        NatRange::Ipv6 { min, max } => {
            out.ip_min = Some(IpAddr::V6(min));
            if max > min {
                out.ip_max = Some(IpAddr::V6(max));
            }
            true
        }
    };
    if has_range && n.proto_min != 0 {
        out.proto_min = Some(n.proto_min);
        if n.proto_max > n.proto_min {
            out.proto_max = Some(n.proto_max);
        }
    }
    out
}

fn empty_rule() -> &'static Rule {
    static EMPTY: std::sync::OnceLock<Rule> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| Rule {
        cookie: 0,
        actions: Vec::new().into(),
        idle_timeout: 0,
        hard_timeout: 0,
        importance: 0,
        flags: 0,
        created: 0,
        modified: 0,
        stats: RuleStats::new(0),
    })
}

/// OVS's `reversible_actions`: whether translating `acts` in place can be
/// undone by restoring the flow, so no datapath clone is needed.
fn reversible(acts: Acts<'_>) -> bool {
    (0..acts.len()).all(|i| match acts.get(i) {
        Some(ActRef::Of(a)) => !matches!(
            a,
            Action::Ct(_)
                | Action::Meter { .. }
                | Action::Nat(_)
                | Action::OutputTrunc { .. }
                | Action::Encap(_)
                | Action::Decap { .. }
                | Action::DecNshTtl
        ),
        _ => true,
    })
}

/// OVS's `ofpacts_execute_action_set`: the order an action set runs in,
/// with a group taking precedence over an output.
pub(crate) fn execute_action_set(set: &[Action]) -> Vec<Action> {
    if set.is_empty() {
        return Vec::new();
    }
    // Actions of each kind, the last written winning, in OpenFlow's
    // action-set order.
    fn rank(a: &Action) -> Option<u8> {
        Some(match a {
            Action::PopMpls { .. } | Action::StripVlan { .. } | Action::Decap { .. } => 1,
            Action::PushMpls { .. } => 2,
            Action::PushVlan { .. } => 3,
            Action::DecTtl { .. } | Action::DecMplsTtl | Action::DecNshTtl => 4,
            Action::SetMplsLabel { .. }
            | Action::SetMplsTc { .. }
            | Action::SetMplsTtl { .. }
            | Action::RegMove { .. }
            | Action::SetEthDst { .. }
            | Action::SetEthSrc { .. }
            | Action::SetField(_)
            | Action::SetIpDscp { .. }
            | Action::SetIpEcn { .. }
            | Action::SetIpTtl { .. }
            | Action::SetIpv4Dst { .. }
            | Action::SetIpv4Src { .. }
            | Action::SetL4DstPort { .. }
            | Action::SetL4SrcPort { .. }
            | Action::SetTunnel { .. }
            | Action::SetVlanPcp { .. }
            | Action::SetVlanVid { .. }
            | Action::Encap(_) => 5,
            Action::SetQueue { .. } => 6,
            Action::Group { .. } => 7,
            Action::Output { .. } => 8,
            _ => return None,
        })
    }
    let mut out: Vec<Action> = Vec::new();
    // Kinds 1-4 and 6-8 keep only the last of each action type; set
    // actions (5) all apply in order.
    for r in 1..=8u8 {
        let of_rank: Vec<&Action> = set.iter().filter(|a| rank(a) == Some(r)).collect();
        if r == 5 {
            out.extend(of_rank.into_iter().cloned());
        } else if let Some(last) = of_rank.last() {
            out.push((*last).clone());
        }
    }
    // A group makes the output pointless.
    if out.iter().any(|a| matches!(a, Action::Group { .. })) {
        out.retain(|a| !matches!(a, Action::Output { .. }));
    }
    out
}

/// Writes frozen metadata back into a flow (OVS's `frozen_metadata_to_flow`).
pub(crate) fn metadata_to_flow(md: &FrozenMetadata, flow: &mut Flow) {
    let n = md.tunnel.len().min(offset::METADATA);
    flow.bytes_mut(0, n).copy_from_slice(&md.tunnel[..n]);
    flow.set_be(offset::METADATA, 8, md.metadata);
    for (i, r) in md.regs.iter().enumerate() {
        flow.set_u32(offset::REGS + 4 * i, *r);
    }
    flow.set_u16(offset::IN_PORT, md.in_port);
}

/// OVS's `learn_execute`: the flow a learn action adds for `flow`.
pub fn learn_execute(learn: &Learn, flow: &Flow) -> NewFlow {
    let mut m = Match::catchall();
    let mut actions = Vec::new();
    if learn.fin_idle_timeout != 0 || learn.fin_hard_timeout != 0 {
        actions.push(Action::FinTimeout {
            idle_timeout: learn.fin_idle_timeout,
            hard_timeout: learn.fin_hard_timeout,
        });
    }
    for spec in &learn.specs {
        let value = match &spec.src {
            LearnSrc::Field(sf) => field::read_subfield(sf, flow),
            LearnSrc::Immediate(bytes) => field::from_bytes(bytes),
        };
        match &spec.dst {
            LearnDst::Match(dst) => {
                if let Some((v, mk)) = m.get(dst.field) {
                    let bits = field::subfield_bits(dst);
                    let v = (field::from_bytes(&v) & !bits)
                        | (value.checked_shl(u32::from(dst.ofs)).unwrap_or(0) & bits);
                    let mk = field::from_bytes(&mk) | bits;
                    let vb = field::to_bytes(dst.field, v);
                    let mb = field::to_bytes(dst.field, mk);
                    let _ = m.set_masked(dst.field, &vb, &mb);
                    m.add_ethernet_prereq(dst.field);
                }
            }
            LearnDst::Load(dst) => {
                let bits = field::subfield_bits(dst);
                let v = value.checked_shl(u32::from(dst.ofs)).unwrap_or(0) & bits;
                actions.push(Action::SetField(SetField {
                    field: dst.field,
                    value: field::to_bytes(dst.field, v),
                    mask: field::to_bytes(dst.field, bits),
                    form: SetFieldForm::RegLoad,
                    flow_has_vlan: false,
                }));
            }
            LearnDst::Output => {
                if spec.n_bits <= 16 || value >> 16 == 0 {
                    let port = OfpPort(value as u16);
                    if port.0 < OfpPort::MAX.0
                        || port == OfpPort::IN_PORT
                        || port == OfpPort::FLOOD
                        || port == OfpPort::LOCAL
                        || port == OfpPort::ALL
                    {
                        actions.push(Action::Output { port, max_len: 0 });
                    }
                }
            }
        }
    }
    NewFlow {
        table_id: learn.table_id,
        matches: m,
        priority: learn.priority,
        cookie: learn.cookie,
        actions: actions.into(),
        idle_timeout: learn.idle_timeout,
        hard_timeout: learn.hard_timeout,
        importance: 0,
        flags: if learn.flags & ovs_ofp_actions::LEARN_F_SEND_FLOW_REM != 0 {
            ovs_ofp_msgs::flow::flow_flags::SEND_FLOW_REM
        } else {
            0
        },
    }
}

/// A select group's `fields(...)` (OXM headers, each followed by the mask
/// to hash the field under), as OVS's field array holds them: sorted by
/// field id, unknown, variable-length and repeated fields left out (the
/// group decoder has already refused malformed arrays).
fn hash_field_array(raw: &[u8]) -> Vec<(FieldId, u128)> {
    let mut out: Vec<(FieldId, u128)> = Vec::new();
    let mut r = ovs_ofp_core::Reader::new(raw);
    while !r.is_empty() {
        let Ok(h) = ovs_ofp_match::FieldHeader::decode(&mut r) else {
            break;
        };
        let Ok(value) = r.take(usize::from(h.payload_len)) else {
            break;
        };
        let Some(f) = h.lookup() else {
            continue;
        };
        if f.info().variable_length || value.len() > 16 || out.iter().any(|(g, _)| *g == f) {
            continue;
        }
        let mask = value
            .iter()
            .fold(0u128, |acc, b| (acc << 8) | u128::from(*b));
        out.push((f, mask));
    }
    out.sort_by_key(|(f, _)| *f);
    out
}

/// A rule's `conjunction(...)` actions, for the classifier's conjunctive
/// lookup: a flow whose actions are conjunctions (and notes) is one clause
/// of each of them, never a match of its own (OVS's `get_conjunctions`).
fn rule_conjunctions(rule: &ovs_ofproto::Rule) -> Vec<ovs_classifier::Conjunction> {
    // Every lookup asks this of the rules it finds: decide on the first
    // action that is not a note (conjunctions admit nothing else).
    let conjunctive = rule
        .actions
        .iter()
        .find(|a| !matches!(a, Action::Note(_)))
        .is_some_and(|a| matches!(a, Action::Conjunction { .. }));
    if !conjunctive {
        return Vec::new();
    }
    rule.actions
        .iter()
        .filter_map(|a| match a {
            Action::Conjunction {
                id,
                clause,
                n_clauses,
            } => Some(ovs_classifier::Conjunction {
                id: *id,
                clause: *clause,
                n_clauses: *n_clauses,
            }),
            _ => None,
        })
        .collect()
}
