//! `ofproto/trace` (OVS's `ofproto-dpif-trace.c`): the tree of what
//! translation did, and the text OVS prints for it.

use std::fmt::Write;

use ovs_flow::{Flow, Match};
use ovs_ofp_actions::Action;

use crate::config::XlateConfig;
use crate::format;
use crate::xlate::{CtFork, XlateIn, XlateOut, xlate};

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
/// table lookup. Conntrack recirculations are followed as OVS does, with
/// the default next state `trk|new`.
pub fn trace_actions(
    cfg: &XlateConfig,
    bridge: &str,
    flow: &Flow,
    packet: Option<&[u8]>,
    now_ms: u64,
    actions: Option<&[Action]>,
) -> TraceResult {
    let (mut text, out) = trace_one(cfg, bridge, flow, packet, now_ms, actions);
    let mut queue: std::collections::VecDeque<CtFork> = out.forks.iter().cloned().collect();
    while let Some(fork) = queue.pop_front() {
        text.push_str("\n\n");
        text.push_str(&"=".repeat(79));
        let _ = write!(
            text,
            "\nrecirc({:#x}) - resume conntrack with default ct_state=trk|new (use --ct-next to customize)\n",
            fork.recirc_id
        );
        let mut f = fork.flow.clone();
        // CS_NEW | CS_TRACKED.
        f.set_be(ovs_flow::offset::CT_STATE, 4, 0x21);
        if let Some(nat) = &fork.nat {
            text.push_str("Replacing src/dst IP/ports to simulate NAT:\n Initial flow: ");
            print_ip_flow(&mut text, &f, &nat.range);
            simulate_nat(&mut f, nat);
            text.push_str(" Modified flow: ");
            print_ip_flow(&mut text, &f, &nat.range);
        }
        text.push_str(&"=".repeat(79));
        text.push_str("\n\n");
        let (t, o) = trace_one(cfg, bridge, &f, packet, now_ms, actions);
        text.push_str(&t);
        queue.extend(o.forks.iter().cloned());
        cfg.recirc.unref(fork.recirc_id);
    }
    TraceResult { text, out }
}

/// OVS's `oftrace_print_ip_flow`.
fn print_ip_flow(text: &mut String, f: &Flow, range: &ovs_ofp_actions::NatRange) {
    use ovs_flow::offset;
    use ovs_ofp_actions::NatRange;
    let port = |off| f.get_be(off, 2);
    match range {
        NatRange::Ipv4 { .. } => {
            let ip = |off| std::net::Ipv4Addr::from(f.get_be(off, 4) as u32);
            let _ = write!(
                text,
                "nw_src={},tp_src={},nw_dst={},tp_dst={}",
                ip(offset::NW_SRC),
                port(offset::TP_SRC),
                ip(offset::NW_DST),
                port(offset::TP_DST)
            );
        }
        NatRange::Ipv6 { .. } => {
            let ip = |off| {
                let mut b = [0u8; 16];
                b.copy_from_slice(f.bytes(off, 16));
                std::net::Ipv6Addr::from(b)
            };
            let _ = write!(
                text,
                "ipv6_src=[{}],tp_src={},ipv6_dst=[{}],tp_dst={}",
                ip(offset::IPV6_SRC),
                port(offset::TP_SRC),
                ip(offset::IPV6_DST),
                port(offset::TP_DST)
            );
        }
        NatRange::None => {}
    }
    text.push('\n');
}

/// The trace's NAT simulation: the first address and port of the range.
fn simulate_nat(f: &mut Flow, nat: &ovs_ofp_actions::Nat) {
    use ovs_flow::offset;
    use ovs_ofp_actions::{NAT_F_DST, NAT_F_SRC, NatRange};
    for (flag, ip4, ip6, tp) in [
        (NAT_F_SRC, offset::NW_SRC, offset::IPV6_SRC, offset::TP_SRC),
        (NAT_F_DST, offset::NW_DST, offset::IPV6_DST, offset::TP_DST),
    ] {
        if nat.flags & flag == 0 {
            continue;
        }
        match nat.range {
            NatRange::Ipv4 { min, .. } => f.set_be(ip4, 4, u64::from(u32::from(min))),
            NatRange::Ipv6 { min, .. } => f.bytes_mut(ip6, 16).copy_from_slice(&min.octets()),
            NatRange::None => {}
        }
        if !matches!(nat.range, NatRange::None) && nat.proto_min != 0 {
            f.set_be(tp, 2, u64::from(nat.proto_min));
        }
    }
}

fn trace_one(
    cfg: &XlateConfig,
    bridge: &str,
    flow: &Flow,
    packet: Option<&[u8]>,
    now_ms: u64,
    actions: Option<&[Action]>,
) -> (String, XlateOut) {
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
    // The forks keep their ids until they are traced.
    let forked: Vec<u32> = out.forks.iter().map(|f| f.recirc_id).collect();
    for id in &out.recircs {
        if !forked.contains(id) {
            cfg.recirc.unref(*id);
        }
    }
    (text, out)
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
