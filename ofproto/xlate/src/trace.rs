//! `ofproto/trace` (OVS's `ofproto-dpif-trace.c`): the tree of what
//! translation did, and the text OVS prints for it.

use std::fmt::Write;

use ovs_flow::{Flow, Match};
use ovs_ofp_actions::Action;

use crate::config::XlateConfig;
use crate::format;
use crate::xlate::{XlateIn, XlateOut, xlate};

/// The kinds of trace node (OVS's `oftrace_node_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Bridge,
    Table,
    Thaw,
    Action,
    Detail,
    Warn,
    Error,
    Bucket,
}

impl NodeKind {
    fn is_terminal(self) -> bool {
        matches!(
            self,
            NodeKind::Action
                | NodeKind::Detail
                | NodeKind::Warn
                | NodeKind::Error
                | NodeKind::Bucket
        )
    }
}

/// One trace node.
#[derive(Clone, Debug)]
pub struct Node {
    pub kind: NodeKind,
    pub text: String,
    pub children: Vec<usize>,
}

/// The trace tree, nodes in an arena; `roots` are the top-level nodes.
#[derive(Clone, Debug, Default)]
pub struct TraceBuf {
    pub nodes: Vec<Node>,
    pub roots: Vec<usize>,
}

impl TraceBuf {
    /// Appends a node under `parent` (or at the top) and returns its index.
    pub fn push(&mut self, parent: Option<usize>, kind: NodeKind, text: String) -> usize {
        let i = self.nodes.len();
        self.nodes.push(Node {
            kind,
            text,
            children: Vec::new(),
        });
        match parent.and_then(|p| self.nodes.get_mut(p)) {
            Some(p) => p.children.push(i),
            None => self.roots.push(i),
        }
        i
    }

    /// OVS's `oftrace_node_print_details`.
    pub fn print(&self, out: &mut String) {
        self.print_list(out, &self.roots, 0);
    }

    fn print_list(&self, out: &mut String, list: &[usize], level: usize) {
        for (pos, &i) in list.iter().enumerate() {
            let Some(n) = self.nodes.get(i) else { continue };
            if n.kind == NodeKind::Bridge {
                out.push('\n');
            }
            let more = usize::from(pos + 1 < list.len() || n.kind.is_terminal());
            let indent = " ".repeat((level + more) * 4);
            out.push_str(&indent);
            match n.kind {
                NodeKind::Detail => {
                    let _ = writeln!(out, " -> {}", n.text);
                }
                NodeKind::Warn => {
                    let _ = writeln!(out, " >> {}", n.text);
                }
                NodeKind::Error => {
                    let _ = writeln!(out, " >>>> {} <<<<", n.text);
                }
                NodeKind::Bridge => {
                    let _ = writeln!(out, "{}", n.text);
                    out.push_str(&indent);
                    out.push_str(&"-".repeat(n.text.len()));
                    out.push('\n');
                }
                NodeKind::Table | NodeKind::Bucket | NodeKind::Thaw | NodeKind::Action => {
                    let _ = writeln!(out, "{}", n.text);
                }
            }
            self.print_list(out, &n.children, level + more + more);
        }
    }
}

/// What `ofproto/trace` prints, and the translation behind it.
#[derive(Clone, Debug)]
pub struct TraceResult {
    pub text: String,
    pub out: XlateOut,
}

/// `ovs-appctl ofproto/trace <bridge> <flow> [packet]`: translates `flow`
/// (whose `in_port` is an OpenFlow port of `bridge`) without side effects
/// unless `packet` is given, and formats the result as OVS 3.1 does. The
/// recirculation ids the trace allocated are released again.
pub fn trace(
    cfg: &XlateConfig,
    bridge: &str,
    flow: &Flow,
    packet: Option<&[u8]>,
    now_ms: u64,
) -> TraceResult {
    trace_actions(cfg, bridge, flow, packet, now_ms, None)
}

/// `ofproto/trace-packet-out`: like [`trace`] with `actions` instead of a
/// table lookup.
pub fn trace_actions(
    cfg: &XlateConfig,
    bridge: &str,
    flow: &Flow,
    packet: Option<&[u8]>,
    now_ms: u64,
    actions: Option<&[Action]>,
) -> TraceResult {
    let mut xin = XlateIn::new(bridge, flow.clone());
    xin.packet = packet;
    xin.allow_side_effects = packet.is_some();
    xin.now_ms = now_ms;
    xin.trace = true;
    xin.actions = actions;
    // The trace's view of the flow has actset_output unset, as OVS's
    // xlate_in_init makes it.
    let mut initial = flow.clone();
    initial.set_be(ovs_flow::offset::ACTSET_OUTPUT, 2, 0xfff7);

    let out = xlate(cfg, &xin);
    let mut text = String::from("Flow: ");
    text.push_str(&format::flow(&initial));
    text.push('\n');
    out.trace.print(&mut text);
    text.push_str("\nFinal flow: ");
    if out.final_flow == initial {
        text.push_str("unchanged");
    } else {
        text.push_str(&format::flow(&out.final_flow));
    }
    text.push('\n');
    text.push_str("Megaflow: ");
    let m = Match {
        flow: flow.masked(&out.wc),
        wc: out.wc.clone(),
    };
    text.push_str(&format::match_to_string(&m, 32768));
    text.push('\n');
    text.push_str("Datapath actions: ");
    text.push_str(&ovs_odp::format_actions(&out.actions));
    if let Some(e) = out.error {
        let _ = write!(text, "\nTranslation failed ({e}), packet is dropped.\n");
    } else if out.slow != 0 {
        text.push_str("\nThis flow is handled by the userspace slow path because it:");
        for (bit, why) in SLOW_REASONS {
            if out.slow & bit != 0 {
                let _ = write!(text, "\n  - {why}.");
            }
        }
    }
    for id in &out.recircs {
        cfg.recirc.unref(*id);
    }
    TraceResult { text, out }
}

/// OVS's `slow_path_reason_to_explanation`.
const SLOW_REASONS: [(u32, &str); 7] = [
    (1 << 0, "Consists of CFM packets"),
    (1 << 1, "Consists of BFD packets"),
    (1 << 2, "Consists of LACP packets"),
    (1 << 3, "Consists of STP packets"),
    (1 << 4, "Consists of LLDP packets"),
    (1 << 5, "Uses action(s) not supported by datapath"),
    (1 << 6, "Datapath can't match specifically enough"),
];
