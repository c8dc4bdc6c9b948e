//! [`DpAction`]: datapath actions (`OVS_ACTION_ATTR_*`) and their text, as
//! OVS's `format_odp_actions` prints and `odp_actions_from_string` parses.

use std::fmt::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::ParseError;
use crate::format_key::{ALL_ATTRS, Attr, PortNamer, format_attr, format_mpls_lse, push_vlan_tci};
use crate::key::{DpKey, Mac};
use crate::parse_key::{MAX_NESTED, Parser, PortLookup, Res};
use crate::text::{self, chomp, hex_alt};
use crate::tnl_push::{TunnelPush, format_tnl_push, parse_tnl_push};

/// One datapath action.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DpAction {
    /// `N`: send to datapath port N.
    Output(u32),
    /// `lb_output(N)`: balance over bond N.
    LbOutput(u32),
    /// `trunc(N)`: truncate the packet to N bytes for the next output.
    Trunc(u32),
    /// `tnl_push(...)`: prepend a tunnel header and output.
    TunnelPush(TunnelPush),
    /// `tnl_pop(N)`: strip the tunnel header and continue on port N.
    TunnelPop(u32),
    /// `userspace(pid=..,...)`: send to userspace.
    Userspace(Userspace),
    /// `recirc(N)`: reinject with recirculation id N.
    Recirc(u32),
    /// `hash(l4(basis))`: compute `dp_hash`.
    Hash(HashAction),
    /// `set(attr(...))`: overwrite one key attribute (the key holds
    /// exactly one).
    Set(Box<DpKey>),
    /// `set(attr(...))` with masks: overwrite the masked bits.
    SetMasked { key: Box<DpKey>, mask: Box<DpKey> },
    /// `push_eth(src=..,dst=..)`.
    PushEth { src: Mac, dst: Mac },
    /// `pop_eth`.
    PopEth,
    /// `push_vlan(...)`.
    PushVlan { tpid: u16, tci: u16 },
    /// `pop_vlan`.
    PopVlan,
    /// `push_mpls(...)`.
    PushMpls { lse: u32, ethertype: u16 },
    /// `pop_mpls(eth_type=..)`.
    PopMpls(u16),
    /// `add_mpls(...)`.
    AddMpls { lse: u32, ethertype: u16 },
    /// `sample(sample=P%,actions(...))`: probability out of `u32::MAX`.
    Sample {
        probability: u32,
        actions: Vec<DpAction>,
    },
    /// `ct(...)`.
    Ct(CtAction),
    /// `ct_clear`.
    CtClear,
    /// `clone(...)`.
    Clone(Vec<DpAction>),
    /// `meter(N)`.
    Meter(u32),
    /// `check_pkt_len(size=N,gt(...),le(...))`.
    CheckPktLen {
        pkt_len: u16,
        if_greater: Vec<DpAction>,
        if_less_equal: Vec<DpAction>,
    },
    /// `pop_nsh()`.
    PopNsh,
    /// `drop`: an explicit drop, with the reason code (not printed).
    Drop(u32),
}

/// `hash(...)`: `algorithm` is `OVS_HASH_ALG_*` (0 = `l4`, 1 = `sym_l4`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HashAction {
    pub algorithm: u32,
    pub basis: u32,
}

/// `userspace(...)`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Userspace {
    pub pid: u32,
    pub cookie: Option<UserCookie>,
    /// `,actions`: include the actions in the upcall.
    pub actions: bool,
    pub tunnel_out_port: Option<u32>,
}

/// The userdata of a userspace action, as ofproto-dpif's cookie types
/// print it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum UserCookie {
    Sflow {
        vlan_tci: u16,
        output: u32,
    },
    SlowPath {
        reason: u32,
    },
    FlowSample {
        probability: u16,
        collector_set_id: u32,
        obs_domain_id: u32,
        obs_point_id: u32,
        output_port: u32,
        direction: SampleDirection,
    },
    Ipfix {
        output_port: u32,
    },
    Controller {
        reason: u16,
        dont_send: bool,
        continuation: bool,
        recirc_id: u32,
        rule_cookie: u64,
        controller_id: u16,
        max_len: u16,
    },
    /// Opaque bytes, printed as `userdata(hex)`.
    Userdata(Vec<u8>),
}

/// `NX_ACTION_SAMPLE_*` direction of a flow sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SampleDirection {
    Default,
    Ingress,
    Egress,
}

/// `ct(...)`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct CtAction {
    pub commit: bool,
    pub force_commit: bool,
    /// 0: the default zone (not printed).
    pub zone: u16,
    /// `(value, mask)`.
    pub mark: Option<(u32, u32)>,
    /// `(value, mask)`.
    pub label: Option<(u128, u128)>,
    pub helper: Option<String>,
    pub timeout: Option<String>,
    pub nat: Option<CtNat>,
}

/// `nat(...)` inside `ct(...)`, one member per `OVS_NAT_ATTR_*`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct CtNat {
    pub src: bool,
    pub dst: bool,
    pub ip_min: Option<IpAddr>,
    pub ip_max: Option<IpAddr>,
    pub proto_min: Option<u16>,
    pub proto_max: Option<u16>,
    pub persistent: bool,
    pub proto_hash: bool,
    pub proto_random: bool,
}

fn no_names(_: u32) -> Option<String> {
    None
}

/// Formats an action list as `dpctl/dump-flows` prints it after
/// `actions:` (`drop` for an empty list).
pub fn format_actions(actions: &[DpAction]) -> String {
    format_actions_with_names(actions, &no_names)
}

/// [`format_actions`], printing output ports through `names`.
pub fn format_actions_with_names(actions: &[DpAction], names: PortNamer<'_>) -> String {
    let mut out = String::new();
    format_list(&mut out, actions, names);
    out
}

fn format_list(out: &mut String, actions: &[DpAction], names: PortNamer<'_>) {
    if actions.is_empty() {
        out.push_str("drop");
        return;
    }
    for (i, a) in actions.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        format_action(out, a, names);
    }
}

fn port(out: &mut String, p: u32, names: PortNamer<'_>) {
    match names(p) {
        Some(n) => out.push_str(&n),
        None => {
            let _ = write!(out, "{p}");
        }
    }
}

/// The attributes present in a single-attribute key, in print order.
fn present_attrs(k: &DpKey) -> impl Iterator<Item = Attr> + '_ {
    ALL_ATTRS.into_iter().filter(|a| a.present(k))
}

fn format_action(out: &mut String, a: &DpAction, names: PortNamer<'_>) {
    match a {
        DpAction::Output(p) => port(out, *p, names),
        DpAction::LbOutput(b) => {
            let _ = write!(out, "lb_output({b})");
        }
        DpAction::Trunc(n) => {
            let _ = write!(out, "trunc({n})");
        }
        DpAction::TunnelPop(p) => {
            out.push_str("tnl_pop(");
            port(out, *p, names);
            out.push(')');
        }
        DpAction::TunnelPush(t) => format_tnl_push(out, t, names),
        DpAction::Userspace(u) => format_userspace(out, u, names),
        DpAction::Recirc(id) => {
            out.push_str("recirc(");
            hex_alt(out, u64::from(*id));
            out.push(')');
        }
        DpAction::Hash(h) => {
            let _ = match h.algorithm {
                0 => write!(out, "hash(l4({}))", h.basis),
                1 => write!(out, "hash(sym_l4({}))", h.basis),
                n => write!(out, "hash(Unknown hash algorithm({n}))"),
            };
        }
        DpAction::Set(k) => {
            out.push_str("set(");
            for (i, attr) in present_attrs(k).enumerate() {
                if i > 0 {
                    out.push(',');
                }
                format_attr(out, attr, k, None, &no_names, true);
            }
            out.push(')');
        }
        DpAction::SetMasked { key, mask } => {
            out.push_str("set(");
            for (i, attr) in present_attrs(key).enumerate() {
                if i > 0 {
                    out.push(',');
                }
                // OVS can show a mask only for attributes that fit its
                // buffer; a masked tunnel (which it never builds) prints
                // without one.
                let m = if attr == Attr::Tunnel {
                    None
                } else {
                    Some(&**mask)
                };
                format_attr(out, attr, key, m, &no_names, false);
            }
            out.push(')');
        }
        DpAction::PushEth { src, dst } => {
            out.push_str("push_eth(src=");
            text::mac(out, src);
            out.push_str(",dst=");
            text::mac(out, dst);
            out.push(')');
        }
        DpAction::PopEth => out.push_str("pop_eth"),
        DpAction::PushVlan { tpid, tci } => {
            out.push_str("push_vlan(");
            if *tpid != 0x8100 {
                let _ = write!(out, "tpid=0x{tpid:04x},");
            }
            push_vlan_tci(out, *tci);
            out.push(')');
        }
        DpAction::PopVlan => out.push_str("pop_vlan"),
        DpAction::PushMpls { lse, ethertype } => {
            out.push_str("push_mpls(");
            format_mpls_lse(out, *lse);
            let _ = write!(out, ",eth_type=0x{ethertype:x})");
        }
        DpAction::PopMpls(t) => {
            let _ = write!(out, "pop_mpls(eth_type=0x{t:x})");
        }
        DpAction::AddMpls { lse, ethertype } => {
            out.push_str("add_mpls(");
            format_mpls_lse(out, *lse);
            let _ = write!(out, ",eth_type=0x{ethertype:x})");
        }
        DpAction::Sample {
            probability,
            actions,
        } => {
            let pct = 100.0 * f64::from(*probability) / f64::from(u32::MAX);
            let _ = write!(out, "sample(sample={pct:.1}%,actions(");
            format_list(out, actions, names);
            out.push_str("))");
        }
        DpAction::Ct(ct) => format_ct(out, ct),
        DpAction::CtClear => out.push_str("ct_clear"),
        DpAction::Clone(acts) => {
            out.push_str("clone(");
            format_list(out, acts, names);
            out.push(')');
        }
        DpAction::Meter(m) => {
            let _ = write!(out, "meter({m})");
        }
        DpAction::CheckPktLen {
            pkt_len,
            if_greater,
            if_less_equal,
        } => {
            let _ = write!(out, "check_pkt_len(size={pkt_len},gt(");
            format_list(out, if_greater, names);
            out.push_str("),le(");
            format_list(out, if_less_equal, names);
            out.push_str("))");
        }
        DpAction::PopNsh => out.push_str("pop_nsh()"),
        DpAction::Drop(_) => out.push_str("drop"),
    }
}

fn format_userspace(out: &mut String, u: &Userspace, names: PortNamer<'_>) {
    let _ = write!(out, "userspace(pid={}", u.pid);
    match &u.cookie {
        None => {}
        Some(UserCookie::Sflow { vlan_tci, output }) => {
            let _ = write!(
                out,
                ",sFlow(vid={},pcp={},output={})",
                vlan_tci & 0x0fff,
                vlan_tci >> 13,
                output
            );
        }
        Some(UserCookie::SlowPath { reason }) => {
            out.push_str(",slow_path(");
            text::flags(out, text::slow_path_name, *reason, ',');
            out.push(')');
        }
        Some(UserCookie::FlowSample {
            probability,
            collector_set_id,
            obs_domain_id,
            obs_point_id,
            output_port,
            direction,
        }) => {
            let _ = write!(
                out,
                ",flow_sample(probability={probability},collector_set_id={collector_set_id},\
                 obs_domain_id={obs_domain_id},obs_point_id={obs_point_id},output_port="
            );
            port(out, *output_port, names);
            match direction {
                SampleDirection::Default => {}
                SampleDirection::Ingress => out.push_str(",ingress"),
                SampleDirection::Egress => out.push_str(",egress"),
            }
            out.push(')');
        }
        Some(UserCookie::Ipfix { output_port }) => {
            out.push_str(",ipfix(output_port=");
            port(out, *output_port, names);
            out.push(')');
        }
        Some(UserCookie::Controller {
            reason,
            dont_send,
            continuation,
            recirc_id,
            rule_cookie,
            controller_id,
            max_len,
        }) => {
            let _ = write!(
                out,
                ",controller(reason={reason},dont_send={},continuation={},recirc_id={recirc_id},\
                 rule_cookie=",
                u8::from(*dont_send),
                u8::from(*continuation)
            );
            hex_alt(out, *rule_cookie);
            let _ = write!(out, ",controller_id={controller_id},max_len={max_len})");
        }
        Some(UserCookie::Userdata(d)) => {
            out.push_str(",userdata(");
            for b in d {
                let _ = write!(out, "{b:02x}");
            }
            out.push(')');
        }
    }
    if u.actions {
        out.push_str(",actions");
    }
    if let Some(p) = u.tunnel_out_port {
        out.push_str(",tunnel_out_port=");
        port(out, p, names);
    }
    out.push(')');
}

fn format_ct(out: &mut String, ct: &CtAction) {
    out.push_str("ct");
    let any = ct.commit
        || ct.force_commit
        || ct.zone != 0
        || ct.mark.is_some()
        || ct.label.is_some()
        || ct.helper.is_some()
        || ct.timeout.is_some()
        || ct.nat.is_some();
    if !any {
        return;
    }
    out.push('(');
    if ct.commit {
        out.push_str("commit,");
    }
    if ct.force_commit {
        out.push_str("force_commit,");
    }
    if ct.zone != 0 {
        let _ = write!(out, "zone={},", ct.zone);
    }
    if let Some((v, m)) = ct.mark {
        out.push_str("mark=");
        hex_alt(out, u64::from(v));
        out.push('/');
        hex_alt(out, u64::from(m));
        out.push(',');
    }
    if let Some((v, m)) = ct.label {
        out.push_str("label=");
        text::hex_bytes(out, &v.to_be_bytes());
        if m != u128::MAX {
            out.push('/');
            text::hex_bytes(out, &m.to_be_bytes());
        }
        out.push(',');
    }
    if let Some(h) = &ct.helper {
        let _ = write!(out, "helper={h},");
    }
    if let Some(t) = &ct.timeout {
        let _ = write!(out, "timeout={t},");
    }
    if let Some(nat) = &ct.nat {
        format_nat(out, nat);
    }
    chomp(out, ',');
    out.push(')');
}

fn ip_bytes(a: &IpAddr) -> Vec<u8> {
    match a {
        IpAddr::V4(a) => a.octets().to_vec(),
        IpAddr::V6(a) => a.octets().to_vec(),
    }
}

fn format_nat(out: &mut String, n: &CtNat) {
    let has_opts = n.ip_min.is_some()
        || n.ip_max.is_some()
        || n.proto_min.is_some()
        || n.proto_max.is_some()
        || n.persistent
        || n.proto_hash
        || n.proto_random;
    if !(n.src || n.dst) && has_opts {
        out.push_str("nat(error: options allowed only with \"src\" or \"dst\")");
        return;
    }
    if n.src && n.dst {
        out.push_str("nat(error: Only one of \"src\" or \"dst\" may be present.)");
        return;
    }
    if n.ip_min.is_none() && n.proto_min.is_some() {
        out.push_str("nat(error: proto but no IP.)");
        return;
    }
    if (n.ip_min.is_none() && n.ip_max.is_some())
        || (n.proto_min.is_none() && n.proto_max.is_some())
    {
        out.push_str("nat(error: range max without min.)");
        return;
    }
    if let (Some(a), Some(b)) = (&n.ip_min, &n.ip_max)
        && a.is_ipv4() != b.is_ipv4()
    {
        out.push_str("nat(error: IP address sizes do not match)");
        return;
    }
    let proto_min = n.proto_min.unwrap_or(0);
    let proto_max = n.proto_max.unwrap_or(0);
    let range_error = match (&n.ip_min, &n.ip_max) {
        (Some(min), Some(max)) => {
            let max_b = ip_bytes(max);
            max_b.iter().any(|b| *b != 0) && ip_bytes(min) > max_b
        }
        _ => false,
    } || (proto_max != 0 && proto_min > proto_max);
    if range_error {
        out.push_str("nat(range error)");
        return;
    }
    out.push_str("nat");
    if !(n.src || n.dst) {
        return;
    }
    out.push('(');
    out.push_str(if n.src { "src" } else { "dst" });
    if let Some(min) = &n.ip_min {
        out.push('=');
        let bracket = proto_min != 0;
        let put6 = |out: &mut String, a: &Ipv6Addr| {
            if bracket {
                out.push('[');
            }
            text::ipv6(out, *a);
            if bracket {
                out.push(']');
            }
        };
        match min {
            IpAddr::V4(a) => {
                text::ipv4(out, *a);
                if let Some(IpAddr::V4(b)) = n.ip_max
                    && !b.is_unspecified()
                    && b != *a
                {
                    out.push('-');
                    text::ipv4(out, b);
                }
            }
            IpAddr::V6(a) => {
                put6(out, a);
                if let Some(IpAddr::V6(b)) = n.ip_max
                    && !b.is_unspecified()
                    && b != *a
                {
                    out.push('-');
                    put6(out, &b);
                }
            }
        }
        if proto_min != 0 {
            let _ = write!(out, ":{proto_min}");
            if proto_max != 0 && proto_max != proto_min {
                let _ = write!(out, "-{proto_max}");
            }
        }
    }
    out.push(',');
    if n.persistent {
        out.push_str("persistent,");
    }
    if n.proto_hash {
        out.push_str("hash,");
    }
    if n.proto_random {
        out.push_str("random,");
    }
    chomp(out, ',');
    out.push(')');
}

// ---------------------------------------------------------------------
// Parsing.

/// Parses an action list as `dpctl/add-flow` does (`drop` alone is an
/// explicit drop). Beyond what OVS parses, this also accepts what it prints
/// but cannot read back: `hash(...)`, `push_eth(...)`, `pop_eth`,
/// `push_mpls(...)`, `pop_mpls(...)`, `recirc(0x..)`, `drop` inside nested lists,
/// multi-reason `slow_path(a,b)`, and ERSPAN and GTP-U `tnl_push`.
pub fn parse_actions(s: &str) -> Result<Vec<DpAction>, ParseError> {
    parse_actions_with_names(s, &|_| None)
}

/// [`parse_actions`], resolving output port names through `names`.
pub fn parse_actions_with_names(
    s: &str,
    names: PortLookup<'_>,
) -> Result<Vec<DpAction>, ParseError> {
    if s.eq_ignore_ascii_case("drop") {
        return Ok(vec![DpAction::Drop(0)]);
    }
    let mut p = Parser::new(s, Some(names));
    let mut out = Vec::new();
    loop {
        p.skip_delimiters();
        if p.at_end() {
            return Ok(out);
        }
        let start = p.pos;
        let a = p.action().map_err(|why| ParseError::new(s, start, why))?;
        if !matches!(p.peek(), None | Some(b',' | b' ' | b'\t' | b'\r' | b'\n')) {
            return Err(ParseError::new(s, start, "syntax error"));
        }
        out.push(a);
    }
}

impl Parser<'_, '_> {
    /// A port number, or a name up to a delimiter or `)`. OVS reads names
    /// only for a plain output action; they are read wherever one prints.
    pub(crate) fn port_or_name(&mut self) -> Res<u32> {
        if let Some((v, n)) = text::scan_u32(self.rest()) {
            self.pos += n;
            return Ok(v);
        }
        if let Some(names) = self.names {
            let rest = self.rest();
            let len = rest
                .find([',', ' ', '\t', '\r', '\n', ')'])
                .unwrap_or(rest.len());
            if let Some(p) = rest.get(..len).and_then(names) {
                self.pos += len;
                return Ok(p);
            }
        }
        Err("invalid port")
    }

    fn action(&mut self) -> Res<DpAction> {
        self.depth += 1;
        let r = if self.depth >= MAX_NESTED {
            Err("too deeply nested")
        } else {
            self.action__()
        };
        self.depth -= 1;
        r
    }

    /// `parse_action_list`: actions up to (not including) a `)`; `drop`
    /// stands for the empty list.
    fn action_list(&mut self) -> Res<Vec<DpAction>> {
        let mut out = Vec::new();
        loop {
            self.skip_delimiters();
            match self.peek() {
                Some(b')') => return Ok(out),
                None => return Err("unterminated action list"),
                _ => {}
            }
            if out.is_empty()
                && self.starts_with_ignore_case("drop")
                && self.peek_at(4) == Some(b')')
            {
                self.pos += 4;
                return Ok(out);
            }
            out.push(self.action()?);
        }
    }

    fn scan_in_parens<T>(&mut self, prefix: &str, f: fn(&str) -> Option<(T, usize)>) -> Option<T> {
        let save = self.pos;
        if self.eat(prefix)
            && let Ok(v) = self.scan(f)
            && self.eat(")")
        {
            return Some(v);
        }
        self.pos = save;
        None
    }

    fn action__(&mut self) -> Res<DpAction> {
        if let Some((v, n)) = text::scan_u32(self.rest()) {
            self.pos += n;
            return Ok(DpAction::Output(v));
        }
        let dec = |s: &str| text::scan_int(s, 10).map(|(v, n)| (v as u32, n));
        if let Some(v) = self.scan_in_parens("lb_output(", dec) {
            return Ok(DpAction::LbOutput(v));
        }
        if let Some(v) = self.scan_in_parens("trunc(", text::scan_u32) {
            return Ok(DpAction::Trunc(v));
        }
        if let Some(names) = self.names {
            // OVS takes the name up to a delimiter; inside a nested list
            // that would swallow the `)`, so it stops there too.
            let rest = self.rest();
            let len = rest
                .find([',', ' ', '\t', '\r', '\n', ')'])
                .unwrap_or(rest.len());
            if let Some(p) = rest.get(..len).and_then(names) {
                self.pos += len;
                return Ok(DpAction::Output(p));
            }
        }
        // OVS prints the id in hex but reads only decimal; both are read.
        let dec_or_hex = |s: &str| {
            let hex = s.starts_with("0x") || s.starts_with("0X");
            text::scan_int(s, if hex { 16 } else { 10 }).map(|(v, n)| (v as u32, n))
        };
        if let Some(v) = self.scan_in_parens("recirc(", dec_or_hex) {
            return Ok(DpAction::Recirc(v));
        }
        if self.starts_with("userspace(") {
            return self.userspace().map(DpAction::Userspace);
        }
        if self.eat("set(") {
            return self.set();
        }
        if self.starts_with("push_vlan(") {
            return self.push_vlan();
        }
        if self.eat("pop_vlan") {
            return Ok(DpAction::PopVlan);
        }
        if let Some(v) = self.scan_in_parens("meter(", text::scan_u32) {
            return Ok(DpAction::Meter(v));
        }
        if self.eat("sample(sample=") {
            return self.sample();
        }
        if self.eat("clone(") {
            let acts = self.action_list()?;
            self.pos += 1;
            return Ok(DpAction::Clone(acts));
        }
        if self.eat("pop_nsh()") {
            return Ok(DpAction::PopNsh);
        }
        if self.eat("tnl_pop(") {
            let p = self.port_or_name()?;
            self.expect(")")?;
            return Ok(DpAction::TunnelPop(p));
        }
        if self.eat("ct_clear") {
            return Ok(DpAction::CtClear);
        }
        if self.eat("check_pkt_len(size=") {
            return self.check_pkt_len();
        }
        if self.starts_with("ct") {
            return self.ct().map(DpAction::Ct);
        }
        if self.starts_with("add_mpls(") || self.starts_with("push_mpls(") {
            return self.mpls_push();
        }
        if self.eat("pop_mpls(eth_type=0x") {
            let t = self.scan(|s| text::scan_int(s, 16).map(|(v, n)| (v as u16, n)))?;
            self.expect(")")?;
            return Ok(DpAction::PopMpls(t));
        }
        if self.starts_with("tnl_push(") {
            return parse_tnl_push(self).map(DpAction::TunnelPush);
        }
        if self.eat("hash(") {
            let alg = if self.eat("l4(") {
                0
            } else if self.eat("sym_l4(") {
                1
            } else {
                return Err("unknown hash algorithm");
            };
            let basis = self.scan(dec)?;
            self.expect("))")?;
            return Ok(DpAction::Hash(HashAction {
                algorithm: alg,
                basis,
            }));
        }
        if self.eat("push_eth(src=") {
            let src = self.scan(text::scan_mac)?;
            self.expect(",dst=")?;
            let dst = self.scan(text::scan_mac)?;
            self.expect(")")?;
            return Ok(DpAction::PushEth { src, dst });
        }
        if self.eat("pop_eth") {
            return Ok(DpAction::PopEth);
        }
        if self.starts_with_ignore_case("drop") {
            self.pos += 4;
            return Ok(DpAction::Drop(0));
        }
        Err("unknown action")
    }

    fn set(&mut self) -> Res<DpAction> {
        let mut k = DpKey::default();
        let mut m = DpKey::default();
        self.key_attr(&mut k, &mut m)?;
        self.expect(")")?;
        let attr = present_attrs(&k).next().ok_or("empty set")?;
        if attr_mask_is_all_ones(attr, &m) || matches!(attr, Attr::Tunnel | Attr::Encap) {
            Ok(DpAction::Set(Box::new(k)))
        } else {
            Ok(DpAction::SetMasked {
                key: Box::new(k),
                mask: Box::new(m),
            })
        }
    }

    fn push_vlan(&mut self) -> Res<DpAction> {
        // The four forms OVS accepts, tried in its order.
        let forms: [(bool, bool); 4] = [(false, false), (false, true), (true, false), (true, true)];
        let start = self.pos;
        for (with_tpid, with_cfi) in forms {
            self.pos = start;
            let i = |s: &str| text::scan_int(s, 0).map(|(v, n)| (v as u32, n));
            let attempt = (|| -> Res<(u32, u32, u32, u32)> {
                self.expect("push_vlan(")?;
                let mut tpid = 0x8100;
                if with_tpid {
                    self.expect("tpid=")?;
                    tpid = self.scan(i)?;
                    self.expect(",")?;
                }
                self.expect("vid=")?;
                let vid = self.scan(i)?;
                self.expect(",pcp=")?;
                let pcp = self.scan(i)?;
                let mut cfi = 1;
                if with_cfi {
                    self.expect(",cfi=")?;
                    cfi = self.scan(i)?;
                }
                self.expect(")")?;
                Ok((tpid, vid, pcp, cfi))
            })();
            if let Ok((tpid, vid, pcp, cfi)) = attempt {
                if vid & !0x0fff != 0 || pcp & !7 != 0 {
                    return Err("invalid VLAN");
                }
                let tci = (vid | (pcp << 13) | if cfi != 0 { 0x1000 } else { 0 }) as u16;
                return Ok(DpAction::PushVlan {
                    tpid: tpid as u16,
                    tci,
                });
            }
        }
        Err("invalid push_vlan")
    }

    fn sample(&mut self) -> Res<DpAction> {
        // `%lf`: optional sign, digits, fraction, exponent.
        let b = self.rest().as_bytes();
        let mut n = 0;
        while b
            .get(n)
            .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
        {
            n += 1;
        }
        let start = n;
        if matches!(b.get(n), Some(b'+' | b'-')) {
            n += 1;
        }
        let digits = |n: &mut usize| {
            while b.get(*n).is_some_and(|c| c.is_ascii_digit()) {
                *n += 1;
            }
        };
        digits(&mut n);
        if b.get(n) == Some(&b'.') {
            n += 1;
            digits(&mut n);
        }
        if matches!(b.get(n), Some(b'e' | b'E')) {
            n += 1;
            if matches!(b.get(n), Some(b'+' | b'-')) {
                n += 1;
            }
            digits(&mut n);
        }
        let num = self.rest().get(start..n).unwrap_or("");
        let pct: f64 = if num.is_empty() {
            0.0
        } else {
            num.parse().map_err(|_| "invalid sample probability")?
        };
        self.pos += n;
        self.expect("%,actions(")?;
        if !(0.0..=100.0).contains(&pct) {
            return Err("invalid sample probability");
        }
        let prob = (f64::from(u32::MAX) * (pct / 100.0) + 0.5).floor();
        let probability = if prob <= 0.0 {
            0
        } else if prob >= f64::from(u32::MAX) {
            u32::MAX
        } else {
            prob as u32
        };
        let actions = self.action_list()?;
        self.expect("))")?;
        Ok(DpAction::Sample {
            probability,
            actions,
        })
    }

    fn check_pkt_len(&mut self) -> Res<DpAction> {
        let pkt_len = self.scan(text::scan_u16)?;
        self.expect(",gt(")?;
        let if_greater = self.list_or_drop()?;
        self.expect("),le(")?;
        let if_less_equal = self.list_or_drop()?;
        self.expect("))")?;
        Ok(DpAction::CheckPktLen {
            pkt_len,
            if_greater,
            if_less_equal,
        })
    }

    fn list_or_drop(&mut self) -> Res<Vec<DpAction>> {
        if self.starts_with_ignore_case("drop") {
            self.pos += 4;
            return Ok(Vec::new());
        }
        self.action_list()
    }

    fn mpls_push(&mut self) -> Res<DpAction> {
        let add = self.eat("add_mpls(");
        if !add {
            self.expect("push_mpls(")?;
        }
        let i = |s: &str| text::scan_int(s, 0).map(|(v, n)| (v as u32, n));
        let d = |s: &str| text::scan_int(s, 10).map(|(v, n)| (v as u8, n));
        self.expect("label=")?;
        let label = self.scan(i)?;
        self.expect(",tc=")?;
        let tc = self.scan(d)?;
        self.expect(",ttl=")?;
        let ttl = self.scan(d)?;
        self.expect(",bos=")?;
        let bos = self.scan(d)?;
        self.expect(",eth_type=0x")?;
        let ethertype = self.scan(|s| text::scan_int(s, 16).map(|(v, n)| (v as u16, n)))?;
        self.expect(")")?;
        // As OVS composes it: each part shifted into place, unchecked.
        let lse = (label << 12) | (u32::from(tc) << 9) | u32::from(ttl) | (u32::from(bos) << 8);
        Ok(if add {
            DpAction::AddMpls { lse, ethertype }
        } else {
            DpAction::PushMpls { lse, ethertype }
        })
    }

    fn userspace(&mut self) -> Res<Userspace> {
        self.expect("userspace(pid=")?;
        let pid = self.scan(text::scan_u32)?;
        let mut u = Userspace {
            pid,
            ..Userspace::default()
        };
        let i32s = text::scan_u32;
        if self.starts_with(",sFlow(vid=") {
            let save = self.pos;
            let r = (|| -> Res<UserCookie> {
                self.expect(",sFlow(vid=")?;
                let vid = self.scan(i32s)?;
                self.expect(",pcp=")?;
                let pcp = self.scan(i32s)?;
                self.expect(",output=")?;
                let output = self.scan(i32s)?;
                self.expect(")")?;
                let mut tci = vid | (pcp << 13);
                if tci != 0 {
                    tci |= 0x1000;
                }
                Ok(UserCookie::Sflow {
                    vlan_tci: tci as u16,
                    output,
                })
            })();
            match r {
                Ok(c) => u.cookie = Some(c),
                Err(_) => self.pos = save,
            }
        } else if self.eat(",slow_path(") {
            // OVS prints several reasons with ',' but parses only '|'.
            let rest = self.rest();
            let end = rest.find(')').ok_or("unterminated slow_path")?;
            let list = rest[..end].replace(',', "|");
            let (v, _, n) =
                text::parse_flags(&format!("{list})"), text::slow_path_name, b')', 0x7f, false)
                    .ok_or("invalid slow_path reason")?;
            if n != list.len() {
                return Err("invalid slow_path reason");
            }
            self.pos += end + 1;
            u.cookie = Some(UserCookie::SlowPath { reason: v });
        } else if self.starts_with(",flow_sample(") {
            self.expect(",flow_sample(probability=")?;
            let probability = self.scan(i32s)? as u16;
            self.expect(",collector_set_id=")?;
            let collector_set_id = self.scan(i32s)?;
            self.expect(",obs_domain_id=")?;
            let obs_domain_id = self.scan(i32s)?;
            self.expect(",obs_point_id=")?;
            let obs_point_id = self.scan(i32s)?;
            self.expect(",output_port=")?;
            let output_port = self.port_or_name()?;
            let direction = if self.eat(",ingress") {
                SampleDirection::Ingress
            } else if self.eat(",egress") {
                SampleDirection::Egress
            } else {
                SampleDirection::Default
            };
            self.expect(")")?;
            u.cookie = Some(UserCookie::FlowSample {
                probability,
                collector_set_id,
                obs_domain_id,
                obs_point_id,
                output_port,
                direction,
            });
        } else if self.starts_with(",ipfix(output_port=") {
            let save = self.pos;
            self.pos += ",ipfix(output_port=".len();
            match self.port_or_name() {
                Ok(p) if self.eat(")") => {
                    u.cookie = Some(UserCookie::Ipfix { output_port: p });
                }
                _ => self.pos = save,
            }
        } else if self.starts_with(",controller(") {
            let save = self.pos;
            let dec = |s: &str| text::scan_int(s, 10);
            let r = (|| -> Res<UserCookie> {
                self.expect(",controller(reason=")?;
                let reason = self.scan(dec)? as u16;
                self.expect(",dont_send=")?;
                let dont_send = self.scan(dec)? as u8;
                self.expect(",continuation=")?;
                let continuation = self.scan(dec)? as u8;
                self.expect(",recirc_id=")?;
                let recirc_id = self.scan(dec)? as u32;
                self.expect(",rule_cookie=")?;
                let rule_cookie = self.scan(|s| text::scan_int(s, 16))?;
                self.expect(",controller_id=")?;
                let controller_id = self.scan(dec)? as u16;
                self.expect(",max_len=")?;
                let max_len = self.scan(dec)? as u16;
                self.expect(")")?;
                Ok(UserCookie::Controller {
                    reason,
                    dont_send: dont_send != 0,
                    continuation: continuation != 0,
                    recirc_id,
                    rule_cookie,
                    controller_id,
                    max_len,
                })
            })();
            match r {
                Ok(c) => u.cookie = Some(c),
                Err(_) => self.pos = save,
            }
        } else if self.eat(",userdata(") {
            let mut data = Vec::new();
            loop {
                while matches!(self.peek(), Some(b' ' | b'.' | b'\t' | b'\r' | b'\n')) {
                    self.pos += 1;
                }
                let (Some(h), Some(l)) = (
                    self.peek().and_then(|c| (c as char).to_digit(16)),
                    self.peek_at(1).and_then(|c| (c as char).to_digit(16)),
                ) else {
                    break;
                };
                data.push(((h << 4) | l) as u8);
                self.pos += 2;
            }
            self.expect(")")?;
            // The datapath gets at least 8 bytes of userdata.
            if data.len() < 8 {
                data.resize(8, 0);
            }
            u.cookie = Some(UserCookie::Userdata(data));
        }
        if u.cookie.is_none() {
            // As OVS: without a recognised cookie the userdata is OVS's
            // 48-byte cookie structure, all zeros.
            u.cookie = Some(UserCookie::Userdata(vec![0; 48]));
        }
        if self.eat(",actions") {
            u.actions = true;
        }
        if self.eat(",tunnel_out_port=") {
            u.tunnel_out_port = Some(self.port_or_name()?);
        }
        self.expect(")")?;
        Ok(u)
    }

    fn ct(&mut self) -> Res<CtAction> {
        self.expect("ct")?;
        let mut ct = CtAction::default();
        if !self.eat("(") {
            return Ok(ct);
        }
        let mut end = self.pos + self.rest().find(')').ok_or("unterminated ct")?;
        while self.pos != end {
            self.skip_delimiters();
            if self.pos > end {
                return Err("syntax error");
            }
            if self.pos == end {
                // OVS would try the options at `)` and fail.
                return Err("syntax error");
            }
            if self.eat("commit") {
                ct.commit = true;
                continue;
            }
            if self.eat("force_commit") {
                ct.force_commit = true;
                continue;
            }
            if self.eat("zone=") {
                ct.zone = self.scan(|s| text::scan_int(s, 10).map(|(v, n)| (v as u16, n)))?;
                continue;
            }
            if self.eat("mark=") {
                let hex = |s: &str| text::scan_int(s, 16).map(|(v, n)| (v as u32, n));
                let v = self.scan(hex)?;
                let mut m = u32::MAX;
                if self.peek() == Some(b'/')
                    && let Some((mv, n)) = self.rest().get(1..).and_then(hex)
                {
                    self.pos += 1 + n;
                    m = mv;
                }
                ct.mark = Some((v, m));
                continue;
            }
            if self.eat("label=") {
                let (v, n) = text::parse_int_string(self.rest(), 16).ok_or("invalid label")?;
                self.pos += n;
                let v = be_u128(&v);
                let mut m = u128::MAX;
                if self.eat("/") {
                    let (mv, n) =
                        text::parse_int_string(self.rest(), 16).ok_or("invalid label mask")?;
                    self.pos += n;
                    m = be_u128(&mv);
                }
                ct.label = Some((v, m));
                continue;
            }
            if self.eat("helper=") {
                ct.helper = Some(self.word(15)?);
                continue;
            }
            if self.eat("timeout=") {
                ct.timeout = Some(self.word(31)?);
                continue;
            }
            if self.eat("nat") {
                ct.nat = Some(self.nat()?);
                // The `)` found first belonged to nat(...): look again.
                end = self.pos + self.rest().find(')').ok_or("unterminated ct")?;
                continue;
            }
            return Err("unknown ct option");
        }
        self.pos += 1;
        if ct.commit && ct.force_commit {
            return Err("commit and force_commit together");
        }
        // OVS only emits the attributes that carry something.
        if ct.mark.is_some_and(|(_, m)| m == 0) {
            ct.mark = None;
        }
        if ct.label.is_some_and(|(_, m)| m == 0) {
            ct.label = None;
        }
        Ok(ct)
    }

    /// Up to `max` characters up to a delimiter or `)`.
    fn word(&mut self, max: usize) -> Res<String> {
        let len = self
            .rest()
            .find([',', ' ', '\t', '\r', '\n', ')'])
            .unwrap_or(self.rest().len());
        if len == 0 || len > max {
            return Err("invalid name length");
        }
        let w = self.rest()[..len].to_string();
        self.pos += len;
        Ok(w)
    }

    fn nat(&mut self) -> Res<CtNat> {
        #[derive(Default)]
        struct P {
            snat: bool,
            dnat: bool,
            min: Option<IpAddr>,
            max: Option<IpAddr>,
            proto_min: u16,
            proto_max: u16,
            persistent: bool,
            hash: bool,
            random: bool,
        }
        let mut p = P::default();
        if self.eat("(") {
            let end = self.pos + self.rest().find(')').ok_or("unterminated nat")?;
            while self.pos < end {
                self.skip_delimiters();
                if self.eat("src") {
                    self.nat_range(&mut p.min, &mut p.max, &mut p.proto_min, &mut p.proto_max)?;
                    p.snat = true;
                    continue;
                }
                if self.eat("dst") {
                    self.nat_range(&mut p.min, &mut p.max, &mut p.proto_min, &mut p.proto_max)?;
                    p.dnat = true;
                    continue;
                }
                if self.eat("persistent") {
                    p.persistent = true;
                    continue;
                }
                if self.eat("hash") {
                    p.hash = true;
                    continue;
                }
                if self.eat("random") {
                    p.random = true;
                    continue;
                }
                return Err("unknown nat option");
            }
            if p.snat && p.dnat {
                return Err("nat src and dst together");
            }
            if let (Some(min), Some(max)) = (&p.min, &p.max) {
                let max_b = ip_bytes(max);
                if max_b.iter().any(|b| *b != 0) && max_b < ip_bytes(min) {
                    return Err("nat address range reversed");
                }
            }
            if p.proto_max != 0 && p.proto_max < p.proto_min {
                return Err("nat port range reversed");
            }
            if p.hash && p.random {
                return Err("nat hash and random together");
            }
            self.pos += 1;
        }
        // What `nl_msg_put_ct_nat` keeps of it.
        let mut n = CtNat {
            src: p.snat,
            dst: !p.snat && p.dnat,
            ..CtNat::default()
        };
        if !(n.src || n.dst) {
            return Ok(n);
        }
        if let Some(min) = p.min {
            n.ip_min = Some(min);
            if let Some(max) = p.max
                && ip_bytes(&max) > ip_bytes(&min)
            {
                n.ip_max = Some(max);
            }
            if p.proto_min != 0 {
                n.proto_min = Some(p.proto_min);
                if p.proto_max > p.proto_min {
                    n.proto_max = Some(p.proto_max);
                }
            }
            n.persistent = p.persistent;
            n.proto_hash = p.hash;
            n.proto_random = p.random;
        }
        Ok(n)
    }

    fn nat_range(
        &mut self,
        min: &mut Option<IpAddr>,
        max: &mut Option<IpAddr>,
        proto_min: &mut u16,
        proto_max: &mut u16,
    ) -> Res<()> {
        if !self.eat("=") {
            return Ok(());
        }
        if let Some((a, n)) = text::scan_ipv4(self.rest()) {
            self.pos += n;
            *min = Some(IpAddr::V4(a));
            if self.eat("-") {
                let b: Ipv4Addr = self.scan(text::scan_ipv4)?;
                *max = Some(IpAddr::V4(b));
            }
        } else if let Some(a) = self.ipv6_maybe_bracketed() {
            *min = Some(IpAddr::V6(a));
            if self.eat("-") {
                let b = self.ipv6_maybe_bracketed().ok_or("invalid address")?;
                *max = Some(IpAddr::V6(b));
            }
        } else {
            return Err("invalid address");
        }
        if self.eat(":") {
            let dec = |s: &str| text::scan_int(s, 10).map(|(v, n)| (v as u16, n));
            *proto_min = self.scan(dec)?;
            if self.eat("-") {
                *proto_max = self.scan(dec)?;
            }
        }
        Ok(())
    }

    fn ipv6_maybe_bracketed(&mut self) -> Option<Ipv6Addr> {
        if let Some((a, n)) = text::scan_ipv6(self.rest()) {
            self.pos += n;
            return Some(a);
        }
        if self.peek() == Some(b'[')
            && let Some((a, n)) = self.rest().get(1..).and_then(text::scan_ipv6)
            && self.peek_at(1 + n) == Some(b']')
        {
            self.pos += n + 2;
            return Some(a);
        }
        None
    }
}

fn be_u128(b: &[u8]) -> u128 {
    b.iter().fold(0u128, |acc, x| (acc << 8) | u128::from(*x))
}

/// Whether OVS's `is_all_ones` holds over the attribute's mask struct
/// (including its padding, which a parsed mask leaves zero).
fn attr_mask_is_all_ones(attr: Attr, m: &DpKey) -> bool {
    let ones6 = |a: &Ipv6Addr| u128::from(*a) == u128::MAX;
    match attr {
        Attr::SkbPriority => m.skb_priority == Some(u32::MAX),
        Attr::SkbMark => m.skb_mark == Some(u32::MAX),
        Attr::CtState => m.ct_state == Some(u32::MAX),
        Attr::CtZone => m.ct_zone == Some(u16::MAX),
        Attr::CtMark => m.ct_mark == Some(u32::MAX),
        Attr::CtLabel => m.ct_label == Some(u128::MAX),
        Attr::RecircId => m.recirc_id == Some(u32::MAX),
        Attr::DpHash => m.dp_hash == Some(u32::MAX),
        Attr::InPort => m.in_port == Some(u32::MAX),
        Attr::PacketType => m.packet_type == Some(u32::MAX),
        Attr::Eth => m
            .eth
            .is_some_and(|e| e.src == [0xff; 6] && e.dst == [0xff; 6]),
        Attr::EthType => m.eth_type == Some(u16::MAX),
        Attr::Vlan => m.vlan == Some(u16::MAX),
        Attr::Mpls => m
            .mpls
            .as_ref()
            .is_some_and(|v| v.iter().all(|x| *x == u32::MAX)),
        Attr::Ipv4 => m.ipv4.is_some_and(|i| {
            i.src == Ipv4Addr::BROADCAST
                && i.dst == Ipv4Addr::BROADCAST
                && i.proto == 0xff
                && i.tos == 0xff
                && i.ttl == 0xff
                && i.frag == 0xff
        }),
        Attr::Ipv6 => m.ipv6.is_some_and(|i| {
            ones6(&i.src)
                && ones6(&i.dst)
                && i.label == u32::MAX
                && i.proto == 0xff
                && i.tclass == 0xff
                && i.hlimit == 0xff
                && i.frag == 0xff
        }),
        Attr::Tcp => m.tcp.is_some_and(|p| p.src == 0xffff && p.dst == 0xffff),
        Attr::Udp => m.udp.is_some_and(|p| p.src == 0xffff && p.dst == 0xffff),
        Attr::Sctp => m.sctp.is_some_and(|p| p.src == 0xffff && p.dst == 0xffff),
        Attr::TcpFlags => m.tcp_flags == Some(u16::MAX),
        Attr::Icmp => m
            .icmp
            .is_some_and(|i| i.icmp_type == 0xff && i.code == 0xff),
        Attr::Icmpv6 => m
            .icmpv6
            .is_some_and(|i| i.icmp_type == 0xff && i.code == 0xff),
        Attr::Nd => {
            m.nd.is_some_and(|n| ones6(&n.target) && n.sll == [0xff; 6] && n.tll == [0xff; 6])
        }
        // These structs have padding, which a mask never sets.
        Attr::Arp | Attr::NdExt | Attr::CtTuple4 | Attr::CtTuple6 => false,
        Attr::Tunnel | Attr::Encap => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt(s: &str) {
        let a = parse_actions(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(format_actions(&a), s);
    }

    #[test]
    fn round_trips_seen_in_ovs() {
        for s in [
            "2",
            "100,2,3",
            "push_vlan(vid=20,pcp=0),2",
            "userspace(pid=0,controller(reason=1,dont_send=0,continuation=0,recirc_id=2,rule_cookie=0,controller_id=0,max_len=65535))",
            "push_mpls(label=100,tc=0,ttl=64,bos=1,eth_type=0x8847),2",
            "drop",
            "set(ipv6(src=fe80::99)),2",
            "set(eth(src=00:11:22:33:44:55)),set(ipv4(tos=0x20/0xfc)),1",
            "ct(commit,zone=5,nat(src=192.168.0.1-192.168.0.9:100-200)),2",
            "pop_mpls(eth_type=0x800),2",
            "ct(zone=7),recirc(0x1)",
            "pop_vlan,2",
            "ct(commit,mark=0x5/0xffffffff),3",
            "ct(nat(dst=[fe80::1]-[fe80::5]:80,persistent,random))",
            "set(skb_mark(0x5/0xff))",
            "push_vlan(tpid=0x88a8,vid=5,pcp=1,cfi=0)",
            "lb_output(1)",
            "add_mpls(label=5,tc=1,ttl=2,bos=1,eth_type=0x8847)",
            "ct(label=0x1/0xff,helper=ftp,timeout=foo,nat)",
            "recirc(0x7)",
            "ct_clear",
            "set(tunnel(tun_id=0x5,dst=1.1.1.1,ttl=64,tp_dst=4789,flags(df|key)))",
            "set(ipv4(src=1.2.3.4))",
            "userspace(pid=5,sFlow(vid=10,pcp=2,output=7))",
            "userspace(pid=1,flow_sample(probability=100,collector_set_id=1,obs_domain_id=2,obs_point_id=3,output_port=4,ingress))",
            "userspace(pid=1,ipfix(output_port=4),actions,tunnel_out_port=9)",
            "userspace(pid=5,userdata(0102000000000000))",
            "userspace(pid=1,slow_path(lacp,match))",
            "trunc(100),2",
            "meter(3)",
            "sample(sample=50.0%,actions(1,2))",
            "clone(push_vlan(vid=5,pcp=1),2)",
            "check_pkt_len(size=200,gt(1),le(drop))",
            "ct(commit)",
            "ct(commit,zone=1,mark=0x1/0xf,nat(src))",
            "hash(l4(5))",
            "push_eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),pop_eth",
        ] {
            rt(s);
        }
    }

    #[test]
    fn ovs_parse_quirks() {
        assert_eq!(
            format_actions(&parse_actions("userspace(pid=5,userdata(0102))").unwrap()),
            "userspace(pid=5,userdata(0102000000000000))"
        );
        assert_eq!(parse_actions("drop").unwrap(), vec![DpAction::Drop(0)]);
        assert!(parse_actions("1abc").is_err());
        assert!(parse_actions("ct(commit,force_commit)").is_err());
        assert_eq!(
            parse_actions("set(ipv4(src=1.2.3.4,dst=1.2.3.5,proto=1,tos=0,ttl=3,frag=no))")
                .unwrap()[0],
            DpAction::Set(Box::new(DpKey {
                ipv4: Some(crate::Ipv4Key {
                    src: Ipv4Addr::new(1, 2, 3, 4),
                    dst: Ipv4Addr::new(1, 2, 3, 5),
                    proto: 1,
                    tos: 0,
                    ttl: 3,
                    frag: 0
                }),
                ..DpKey::default()
            }))
        );
        let names = |n: &str| (n == "p2").then_some(2);
        assert_eq!(
            parse_actions_with_names("p2,3", &names).unwrap(),
            vec![DpAction::Output(2), DpAction::Output(3)]
        );
        let deep = "clone(".repeat(40) + &")".repeat(40);
        assert!(parse_actions(&deep).is_err());
    }
}
