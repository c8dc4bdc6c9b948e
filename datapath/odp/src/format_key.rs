//! Printing a [`DpKey`] and its mask as OVS's `odp_flow_format` does.

use std::fmt::Write;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::key::{
    ArpKey, CtTuple6, DpKey, EthKey, GeneveOpt, IcmpKey, Ipv4Key, Mac, NdExtKey, NdKey, PortsKey,
    TunnelKey, VLAN_CFI,
};
use crate::text::{self, chomp, hex_alt};

/// Maps a datapath port number to the name to print, if any.
pub type PortNamer<'a> = &'a dyn Fn(u32) -> Option<String>;

fn no_names(_: u32) -> Option<String> {
    None
}

/// Formats `key` with its `mask` the way `ovs-appctl dpctl/dump-flows`
/// prints a flow: without `verbose`, fully wildcarded attributes are left
/// out and exact fields print without a mask; port numbers print as
/// numbers.
pub fn format_key(key: &DpKey, mask: Option<&DpKey>, verbose: bool) -> String {
    format_key_with_names(key, mask, verbose, &no_names)
}

/// [`format_key`], printing an exactly matched `in_port` through `names`
/// (as `dpctl/dump-flows --names` does).
pub fn format_key_with_names(
    key: &DpKey,
    mask: Option<&DpKey>,
    verbose: bool,
    names: PortNamer<'_>,
) -> String {
    let mut out = String::new();
    format_flow(&mut out, key, mask, names, verbose);
    out
}

/// The attributes of a key, in print order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Attr {
    SkbPriority,
    Tunnel,
    SkbMark,
    CtState,
    CtZone,
    CtMark,
    CtLabel,
    CtTuple4,
    CtTuple6,
    RecircId,
    DpHash,
    InPort,
    PacketType,
    Eth,
    EthType,
    Vlan,
    Encap,
    Mpls,
    Ipv4,
    Ipv6,
    Arp,
    Tcp,
    TcpFlags,
    Udp,
    Sctp,
    Icmp,
    Icmpv6,
    Nd,
    NdExt,
}

pub(crate) const ALL_ATTRS: [Attr; 29] = [
    Attr::SkbPriority,
    Attr::Tunnel,
    Attr::SkbMark,
    Attr::CtState,
    Attr::CtZone,
    Attr::CtMark,
    Attr::CtLabel,
    Attr::CtTuple4,
    Attr::CtTuple6,
    Attr::RecircId,
    Attr::DpHash,
    Attr::InPort,
    Attr::PacketType,
    Attr::Eth,
    Attr::EthType,
    Attr::Vlan,
    Attr::Encap,
    Attr::Mpls,
    Attr::Ipv4,
    Attr::Ipv6,
    Attr::Arp,
    Attr::Tcp,
    Attr::TcpFlags,
    Attr::Udp,
    Attr::Sctp,
    Attr::Icmp,
    Attr::Icmpv6,
    Attr::Nd,
    Attr::NdExt,
];

impl Attr {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Attr::SkbPriority => "skb_priority",
            Attr::Tunnel => "tunnel",
            Attr::SkbMark => "skb_mark",
            Attr::CtState => "ct_state",
            Attr::CtZone => "ct_zone",
            Attr::CtMark => "ct_mark",
            Attr::CtLabel => "ct_label",
            Attr::CtTuple4 => "ct_tuple4",
            Attr::CtTuple6 => "ct_tuple6",
            Attr::RecircId => "recirc_id",
            Attr::DpHash => "dp_hash",
            Attr::InPort => "in_port",
            Attr::PacketType => "packet_type",
            Attr::Eth => "eth",
            Attr::EthType => "eth_type",
            Attr::Vlan => "vlan",
            Attr::Encap => "encap",
            Attr::Mpls => "mpls",
            Attr::Ipv4 => "ipv4",
            Attr::Ipv6 => "ipv6",
            Attr::Arp => "arp",
            Attr::Tcp => "tcp",
            Attr::TcpFlags => "tcp_flags",
            Attr::Udp => "udp",
            Attr::Sctp => "sctp",
            Attr::Icmp => "icmp",
            Attr::Icmpv6 => "icmpv6",
            Attr::Nd => "nd",
            Attr::NdExt => "nd_ext",
        }
    }

    pub(crate) fn present(self, k: &DpKey) -> bool {
        match self {
            Attr::SkbPriority => k.skb_priority.is_some(),
            Attr::Tunnel => k.tunnel.is_some(),
            Attr::SkbMark => k.skb_mark.is_some(),
            Attr::CtState => k.ct_state.is_some(),
            Attr::CtZone => k.ct_zone.is_some(),
            Attr::CtMark => k.ct_mark.is_some(),
            Attr::CtLabel => k.ct_label.is_some(),
            Attr::CtTuple4 => k.ct_tuple4.is_some(),
            Attr::CtTuple6 => k.ct_tuple6.is_some(),
            Attr::RecircId => k.recirc_id.is_some(),
            Attr::DpHash => k.dp_hash.is_some(),
            Attr::InPort => k.in_port.is_some(),
            Attr::PacketType => k.packet_type.is_some(),
            Attr::Eth => k.eth.is_some(),
            Attr::EthType => k.eth_type.is_some(),
            Attr::Vlan => k.vlan.is_some(),
            Attr::Encap => k.encap.is_some(),
            Attr::Mpls => k.mpls.is_some(),
            Attr::Ipv4 => k.ipv4.is_some(),
            Attr::Ipv6 => k.ipv6.is_some(),
            Attr::Arp => k.arp.is_some(),
            Attr::Tcp => k.tcp.is_some(),
            Attr::TcpFlags => k.tcp_flags.is_some(),
            Attr::Udp => k.udp.is_some(),
            Attr::Sctp => k.sctp.is_some(),
            Attr::Icmp => k.icmp.is_some(),
            Attr::Icmpv6 => k.icmpv6.is_some(),
            Attr::Nd => k.nd.is_some(),
            Attr::NdExt => k.nd_ext.is_some(),
        }
    }

    /// OVS's `odp_mask_attr_is_wildcard` for this attribute of `m`.
    fn mask_is_wildcard(self, m: &DpKey) -> bool {
        let zero6 = |a: &Ipv6Addr| a.is_unspecified();
        let zero4 = |a: &Ipv4Addr| a.is_unspecified();
        match self {
            Attr::SkbPriority => m.skb_priority == Some(0),
            Attr::SkbMark => m.skb_mark == Some(0),
            Attr::CtState => m.ct_state == Some(0),
            Attr::CtZone => m.ct_zone == Some(0),
            Attr::CtMark => m.ct_mark == Some(0),
            Attr::CtLabel => m.ct_label == Some(0),
            Attr::RecircId => m.recirc_id == Some(0),
            Attr::DpHash => m.dp_hash == Some(0),
            Attr::InPort => m.in_port == Some(0),
            Attr::PacketType => m.packet_type == Some(0),
            Attr::EthType => m.eth_type == Some(0),
            Attr::Vlan => m.vlan == Some(0),
            Attr::TcpFlags => m.tcp_flags.is_some_and(|f| f & 0x0fff == 0),
            Attr::Eth => m.eth == Some(EthKey::default()),
            Attr::Mpls => m.mpls.as_ref().is_some_and(|v| v.iter().all(|x| *x == 0)),
            Attr::Ipv4 => m.ipv4 == Some(Ipv4Key::default()),
            Attr::Ipv6 => m.ipv6.is_some_and(|i| {
                zero6(&i.src)
                    && zero6(&i.dst)
                    && i.label & 0x000f_ffff == 0
                    && i.proto == 0
                    && i.tclass == 0
                    && i.hlimit == 0
                    && i.frag == 0
            }),
            Attr::Arp => m.arp == Some(ArpKey::default()),
            Attr::Tcp => m.tcp == Some(PortsKey::default()),
            Attr::Udp => m.udp == Some(PortsKey::default()),
            Attr::Sctp => m.sctp == Some(PortsKey::default()),
            Attr::Icmp => m.icmp == Some(IcmpKey::default()),
            Attr::Icmpv6 => m.icmpv6 == Some(IcmpKey::default()),
            Attr::Nd => m.nd == Some(NdKey::default()),
            Attr::NdExt => m.nd_ext == Some(NdExtKey::default()),
            Attr::CtTuple4 => m.ct_tuple4.is_some_and(|t| {
                zero4(&t.src) && zero4(&t.dst) && t.proto == 0 && t.tp_src == 0 && t.tp_dst == 0
            }),
            Attr::CtTuple6 => m.ct_tuple6.is_some_and(|t| {
                zero6(&t.src) && zero6(&t.dst) && t.proto == 0 && t.tp_src == 0 && t.tp_dst == 0
            }),
            // Nested attributes are never wildcards: their mask holds
            // attribute headers.
            Attr::Tunnel | Attr::Encap => false,
        }
    }
}

/// `odp_flow_format` for one nesting level.
pub(crate) fn format_flow(
    out: &mut String,
    key: &DpKey,
    mask: Option<&DpKey>,
    names: PortNamer<'_>,
    verbose: bool,
) {
    if key.is_empty() {
        out.push_str("<empty>");
        return;
    }
    let mut first = true;
    let mut has_ethtype = false;
    let mut has_packet_type = false;
    let empty = DpKey::default();
    for attr in ALL_ATTRS {
        if !attr.present(key) {
            continue;
        }
        match attr {
            Attr::EthType => has_ethtype = true,
            Attr::PacketType => has_packet_type = true,
            _ => {}
        }
        let nested = matches!(attr, Attr::Tunnel | Attr::Encap);
        // `ma`: the mask to format with. `None` = no mask at all (exact).
        let (is_wildcard, ma) = match mask {
            None => (false, None),
            Some(m) if attr.present(m) => (attr.mask_is_wildcard(m), Some(m)),
            // An absent mask attribute is a wildcard; where it is printed
            // anyway, OVS formats it with an all-zero mask.
            Some(_) => (true, Some(&empty)),
        };
        if verbose || !is_wildcard || nested {
            if !first {
                out.push(',');
            }
            format_attr(out, attr, key, ma, names, verbose);
            first = false;
        } else if attr == Attr::Eth && !has_packet_type {
            // Without a packet_type, the presence of eth() is what says the
            // packet is Ethernet, so it prints even fully wildcarded.
            if !first {
                out.push(',');
            }
            out.push_str("eth()");
        } else if attr == Attr::PacketType && is_wildcard {
            has_packet_type = false;
        }
    }
    if !has_ethtype && let Some(m) = mask.and_then(|m| m.eth_type) {
        let _ = write!(out, ",eth_type(0/0x{m:04x})");
    }
}

/// `format_odp_key_attr__`: `name(...)` for one attribute of `key`, with
/// `mask` holding the mask attributes (`None`: exact; a mask lacking the
/// attribute: all wildcard).
pub(crate) fn format_attr(
    out: &mut String,
    attr: Attr,
    key: &DpKey,
    mask: Option<&DpKey>,
    names: PortNamer<'_>,
    verbose: bool,
) {
    out.push_str(attr.name());
    out.push('(');
    let zero = DpKey::default();
    // For attributes absent from a given mask, OVS uses an all-zero mask.
    let m = mask.map(|m| if attr.present(m) { m } else { &zero });
    match attr {
        Attr::Encap => {
            if let Some(inner) = key.encap.as_deref()
                && !inner.is_empty()
            {
                // An empty or missing mask formats the inside as exact.
                let mi = m
                    .and_then(|m| m.encap.as_deref())
                    .filter(|mi| !mi.is_empty());
                format_flow(out, inner, mi, names, verbose);
            }
        }
        Attr::SkbPriority | Attr::SkbMark | Attr::DpHash | Attr::RecircId => {
            let get = |k: &DpKey| match attr {
                Attr::SkbPriority => k.skb_priority,
                Attr::SkbMark => k.skb_mark,
                Attr::DpHash => k.dp_hash,
                _ => k.recirc_id,
            };
            let v = get(key).unwrap_or(0);
            hex_alt(out, u64::from(v));
            let mv = m.map(|m| get(m).unwrap_or(0));
            if let Some(mv) = mv
                && mv != u32::MAX
            {
                out.push('/');
                hex_alt(out, u64::from(mv));
            }
        }
        Attr::CtMark => {
            let mv = m.map(|m| m.ct_mark.unwrap_or(0));
            if verbose || mv.is_some_and(|x| x != 0) {
                hex_alt(out, u64::from(key.ct_mark.unwrap_or(0)));
                if let Some(mv) = mv
                    && mv != u32::MAX
                {
                    out.push('/');
                    hex_alt(out, u64::from(mv));
                }
            }
        }
        Attr::CtZone => {
            let mv = m.map(|m| m.ct_zone.unwrap_or(0));
            if verbose || mv.is_some_and(|x| x != 0) {
                hex_alt(out, u64::from(key.ct_zone.unwrap_or(0)));
                if let Some(mv) = mv
                    && mv != u16::MAX
                {
                    out.push('/');
                    hex_alt(out, u64::from(mv));
                }
            }
        }
        Attr::CtState => {
            let v = key.ct_state.unwrap_or(0);
            let mv = m.map(|m| m.ct_state.unwrap_or(0));
            let exact = mv.is_none_or(|x| x == u32::MAX);
            if verbose {
                hex_alt(out, u64::from(v));
                if !exact {
                    out.push('/');
                    hex_alt(out, u64::from(mv.unwrap_or(0)));
                }
            } else if !exact {
                text::flags_masked(out, text::ct_state_name, v, mv.unwrap_or(0), u32::MAX);
            } else {
                text::flags(out, text::ct_state_name, v, '|');
            }
        }
        Attr::CtLabel => {
            let v = key.ct_label.unwrap_or(0);
            let mv = m.map(|m| m.ct_label.unwrap_or(0));
            if verbose || mv.is_some_and(|x| x != 0) {
                text::hex_bytes(out, &v.to_be_bytes());
                if let Some(mv) = mv
                    && mv != u128::MAX
                {
                    out.push('/');
                    text::hex_bytes(out, &mv.to_be_bytes());
                }
            }
        }
        Attr::CtTuple4 => {
            let k = key.ct_tuple4.unwrap_or_default();
            let mm = m.map(|m| m.ct_tuple4.unwrap_or_default());
            f_ipv4(out, "src", k.src, mm.map(|x| x.src), verbose);
            f_ipv4(out, "dst", k.dst, mm.map(|x| x.dst), verbose);
            f_u8u(out, "proto", k.proto, mm.map(|x| x.proto), verbose);
            f_be16(out, "tp_src", k.tp_src, mm.map(|x| x.tp_src), verbose);
            f_be16(out, "tp_dst", k.tp_dst, mm.map(|x| x.tp_dst), verbose);
            chomp(out, ',');
        }
        Attr::CtTuple6 => {
            let k: CtTuple6 = key.ct_tuple6.unwrap_or_default();
            let mm = m.map(|m| m.ct_tuple6.unwrap_or_default());
            f_in6(out, "src", k.src, mm.map(|x| x.src), verbose);
            f_in6(out, "dst", k.dst, mm.map(|x| x.dst), verbose);
            f_u8u(out, "proto", k.proto, mm.map(|x| x.proto), verbose);
            f_be16(out, "src_port", k.tp_src, mm.map(|x| x.tp_src), verbose);
            f_be16(out, "dst_port", k.tp_dst, mm.map(|x| x.tp_dst), verbose);
            chomp(out, ',');
        }
        Attr::Tunnel => {
            let k = key.tunnel.clone().unwrap_or_default();
            let mm = m.map(|m| m.tunnel.clone().unwrap_or_default());
            format_tunnel(out, &k, mm.as_ref(), verbose);
        }
        Attr::InPort => {
            let v = key.in_port.unwrap_or(0);
            let mv = m.map(|m| m.in_port.unwrap_or(0));
            match mv {
                Some(mv) if mv != u32::MAX => {
                    let _ = write!(out, "{v}/");
                    hex_alt(out, u64::from(mv));
                }
                _ => match names(v) {
                    Some(n) => out.push_str(&n),
                    None => {
                        let _ = write!(out, "{v}");
                    }
                },
            }
        }
        Attr::PacketType => {
            let v = key.packet_type.unwrap_or(0);
            let mv = m.map_or(u32::MAX, |m| m.packet_type.unwrap_or(0));
            f_be16(
                out,
                "ns",
                (v >> 16) as u16,
                Some((mv >> 16) as u16),
                verbose,
            );
            f_be16x(out, "id", v as u16, Some(mv as u16), verbose);
            chomp(out, ',');
        }
        Attr::Eth => {
            let k = key.eth.unwrap_or_default();
            let mm = m.map(|m| m.eth.unwrap_or_default());
            f_eth(out, "src", &k.src, mm.as_ref().map(|x| &x.src), verbose);
            f_eth(out, "dst", &k.dst, mm.as_ref().map(|x| &x.dst), verbose);
            chomp(out, ',');
        }
        Attr::Vlan => {
            let mv = m.map_or(u16::MAX, |m| m.vlan.unwrap_or(0));
            format_vlan_tci(out, key.vlan.unwrap_or(0), mv, verbose);
        }
        Attr::Mpls => {
            let k = key.mpls.as_deref().unwrap_or(&[]);
            if k.is_empty() {
                out.push_str("(bad key length 0)");
                return;
            }
            let mv = m.map(|m| m.mpls.as_deref().unwrap_or(&[]));
            let exact = mv.is_none_or(|v| v.iter().all(|x| *x == u32::MAX));
            if exact {
                format_mpls(out, k, None);
            } else {
                let mv = mv.unwrap_or(&[]);
                if mv.len() != k.len() {
                    let _ = write!(
                        out,
                        "(key length {} != mask length {})",
                        k.len() * 4,
                        mv.len() * 4
                    );
                    return;
                }
                format_mpls(out, k, Some(mv));
            }
        }
        Attr::EthType => {
            let _ = write!(out, "0x{:04x}", key.eth_type.unwrap_or(0));
            if let Some(mv) = m.map(|m| m.eth_type.unwrap_or(0))
                && mv != u16::MAX
            {
                let _ = write!(out, "/0x{mv:04x}");
            }
        }
        Attr::Ipv4 => {
            let k = key.ipv4.unwrap_or_default();
            let mm = m.map(|m| m.ipv4.unwrap_or_default());
            f_ipv4(out, "src", k.src, mm.map(|x| x.src), verbose);
            f_ipv4(out, "dst", k.dst, mm.map(|x| x.dst), verbose);
            f_u8u(out, "proto", k.proto, mm.map(|x| x.proto), verbose);
            f_u8x(out, "tos", k.tos, mm.map(|x| x.tos), verbose);
            f_u8u(out, "ttl", k.ttl, mm.map(|x| x.ttl), verbose);
            f_frag(out, k.frag, mm.map(|x| x.frag));
            chomp(out, ',');
        }
        Attr::Ipv6 => {
            let k = key.ipv6.unwrap_or_default();
            let mm = m.map(|m| m.ipv6.unwrap_or_default());
            f_in6(out, "src", k.src, mm.map(|x| x.src), verbose);
            f_in6(out, "dst", k.dst, mm.map(|x| x.dst), verbose);
            f_label(out, k.label, mm.map(|x| x.label), verbose);
            f_u8u(out, "proto", k.proto, mm.map(|x| x.proto), verbose);
            f_u8x(out, "tclass", k.tclass, mm.map(|x| x.tclass), verbose);
            f_u8u(out, "hlimit", k.hlimit, mm.map(|x| x.hlimit), verbose);
            f_frag(out, k.frag, mm.map(|x| x.frag));
            chomp(out, ',');
        }
        Attr::Tcp | Attr::Udp | Attr::Sctp => {
            let get = |k: &DpKey| match attr {
                Attr::Tcp => k.tcp,
                Attr::Udp => k.udp,
                _ => k.sctp,
            };
            let k = get(key).unwrap_or_default();
            let mm = m.map(|m| get(m).unwrap_or_default());
            f_be16(out, "src", k.src, mm.map(|x| x.src), verbose);
            f_be16(out, "dst", k.dst, mm.map(|x| x.dst), verbose);
            chomp(out, ',');
        }
        Attr::TcpFlags => {
            let v = u32::from(key.tcp_flags.unwrap_or(0));
            let mv = m.map(|m| u32::from(m.tcp_flags.unwrap_or(0)));
            match mv {
                Some(mv) if mv & 0x0fff != 0x0fff => {
                    text::flags_masked(out, text::tcp_flag_name, v, mv & 0x0fff, 0x0fff)
                }
                _ => text::flags(out, text::tcp_flag_name, v, '|'),
            }
        }
        Attr::Icmp | Attr::Icmpv6 => {
            let get = |k: &DpKey| if attr == Attr::Icmp { k.icmp } else { k.icmpv6 };
            let k = get(key).unwrap_or_default();
            let mm = m.map(|m| get(m).unwrap_or_default());
            f_u8u(out, "type", k.icmp_type, mm.map(|x| x.icmp_type), verbose);
            f_u8u(out, "code", k.code, mm.map(|x| x.code), verbose);
            chomp(out, ',');
        }
        Attr::Arp => {
            let k = key.arp.unwrap_or_default();
            let mm = m.map(|m| m.arp.unwrap_or_default());
            f_ipv4(out, "sip", k.sip, mm.map(|x| x.sip), verbose);
            f_ipv4(out, "tip", k.tip, mm.map(|x| x.tip), verbose);
            f_be16(out, "op", k.op, mm.map(|x| x.op), verbose);
            f_eth(out, "sha", &k.sha, mm.as_ref().map(|x| &x.sha), verbose);
            f_eth(out, "tha", &k.tha, mm.as_ref().map(|x| &x.tha), verbose);
            chomp(out, ',');
        }
        Attr::Nd => {
            let k = key.nd.unwrap_or_default();
            let mm = m.map(|m| m.nd.unwrap_or_default());
            f_in6(out, "target", k.target, mm.map(|x| x.target), verbose);
            f_eth(out, "sll", &k.sll, mm.as_ref().map(|x| &x.sll), verbose);
            f_eth(out, "tll", &k.tll, mm.as_ref().map(|x| &x.tll), verbose);
            chomp(out, ',');
        }
        Attr::NdExt => {
            let k = key.nd_ext.unwrap_or_default();
            let mm = m.map(|m| m.nd_ext.unwrap_or_default());
            let _ = write!(out, "nd_reserved=0x{:x},", k.reserved);
            f_u8u(
                out,
                "nd_options_type",
                k.options_type,
                mm.map(|x| x.options_type),
                verbose,
            );
            chomp(out, ',');
        }
    }
    out.push(')');
}

fn format_vlan_tci(out: &mut String, tci: u16, mask: u16, verbose: bool) {
    let vid = |t: u16| t & 0x0fff;
    let pcp = |t: u16| t >> 13;
    if verbose || vid(tci) != 0 || vid(mask) != 0 {
        let _ = write!(out, "vid={}", vid(tci));
        if vid(mask) != 0x0fff {
            let _ = write!(out, "/0x{:x}", vid(mask));
        }
        out.push(',');
    }
    if verbose || pcp(tci) != 0 || pcp(mask) != 0 {
        let _ = write!(out, "pcp={}", pcp(tci));
        if pcp(mask) != 7 {
            let _ = write!(out, "/0x{:x}", pcp(mask));
        }
        out.push(',');
    }
    if tci & VLAN_CFI == 0 {
        out.push_str("cfi=0,");
    }
    chomp(out, ',');
}

pub(crate) fn push_vlan_tci(out: &mut String, tci: u16) {
    format_vlan_tci(out, tci, u16::MAX, false);
}

pub(crate) fn format_mpls_lse(out: &mut String, lse: u32) {
    let _ = write!(
        out,
        "label={},tc={},ttl={},bos={}",
        lse >> 12,
        (lse >> 9) & 7,
        lse & 0xff,
        (lse >> 8) & 1
    );
}

fn format_mpls(out: &mut String, key: &[u32], mask: Option<&[u32]>) {
    for (i, k) in key.iter().enumerate() {
        match mask.and_then(|m| m.get(i)) {
            None => format_mpls_lse(out, *k),
            Some(m) => {
                let _ = write!(
                    out,
                    "label={}/0x{:x},tc={}/{:x},ttl={}/0x{:x},bos={}/{:x}",
                    k >> 12,
                    m >> 12,
                    (k >> 9) & 7,
                    (m >> 9) & 7,
                    k & 0xff,
                    m & 0xff,
                    (k >> 8) & 1,
                    (m >> 8) & 1
                );
            }
        }
        out.push(',');
    }
    chomp(out, ',');
}

fn format_tunnel(out: &mut String, k: &TunnelKey, m: Option<&TunnelKey>, verbose: bool) {
    let mut flags = 0u32;
    let mut mask_flags = 0u32;
    if let Some(id) = k.tun_id {
        let mv = m.map(|m| m.tun_id.unwrap_or(0));
        if verbose || mv.is_some_and(|x| x != 0) || mv.is_none() {
            let _ = write!(out, "tun_id=0x{id:x}");
            if let Some(mv) = mv
                && mv != u64::MAX
            {
                out.push('/');
                hex_alt(out, mv);
            }
            out.push(',');
        }
        flags |= text::TNL_F_KEY;
        if m.is_some() {
            mask_flags |= text::TNL_F_KEY;
        }
    }
    if let Some(a) = k.ipv4_src {
        f_ipv4(
            out,
            "src",
            a,
            m.map(|m| m.ipv4_src.unwrap_or(Ipv4Addr::UNSPECIFIED)),
            verbose,
        );
    }
    if let Some(a) = k.ipv4_dst {
        f_ipv4(
            out,
            "dst",
            a,
            m.map(|m| m.ipv4_dst.unwrap_or(Ipv4Addr::UNSPECIFIED)),
            verbose,
        );
    }
    if let Some(a) = k.ipv6_src {
        f_in6(
            out,
            "ipv6_src",
            a,
            m.map(|m| m.ipv6_src.unwrap_or(Ipv6Addr::UNSPECIFIED)),
            verbose,
        );
    }
    if let Some(a) = k.ipv6_dst {
        f_in6(
            out,
            "ipv6_dst",
            a,
            m.map(|m| m.ipv6_dst.unwrap_or(Ipv6Addr::UNSPECIFIED)),
            verbose,
        );
    }
    if let Some(v) = k.tos {
        f_u8x(out, "tos", v, m.map(|m| m.tos.unwrap_or(0)), verbose);
    }
    if let Some(v) = k.ttl {
        f_u8u(out, "ttl", v, m.map(|m| m.ttl.unwrap_or(0)), verbose);
    }
    if k.dont_fragment {
        flags |= text::TNL_F_DONT_FRAGMENT;
    }
    if k.csum {
        flags |= text::TNL_F_CSUM;
    }
    if let Some(v) = k.tp_src {
        f_be16(out, "tp_src", v, m.map(|m| m.tp_src.unwrap_or(0)), verbose);
    }
    if let Some(v) = k.tp_dst {
        f_be16(out, "tp_dst", v, m.map(|m| m.tp_dst.unwrap_or(0)), verbose);
    }
    if k.oam {
        flags |= text::TNL_F_OAM;
    }
    if let Some(gbp) = k.vxlan_gbp {
        out.push_str("vxlan(");
        let mg = m.map(|m| m.vxlan_gbp.unwrap_or(0));
        out.push_str("gbp(");
        f_be16(out, "id", gbp as u16, mg.map(|x| x as u16), verbose);
        f_u8x(
            out,
            "flags",
            (gbp >> 16) as u8,
            mg.map(|x| (x >> 16) as u8),
            verbose,
        );
        chomp(out, ',');
        out.push_str("),");
        chomp(out, ',');
        out.push_str("),");
    }
    if let Some(opts) = &k.geneve {
        out.push_str("geneve(");
        let mo = m.map(|m| m.geneve.clone().unwrap_or_default());
        format_geneve(out, opts, mo.as_deref(), verbose);
        out.push_str("),");
    }
    if let Some(e) = k.erspan {
        out.push_str("erspan(");
        let me = m.map(|m| m.erspan.unwrap_or_default());
        f_u8u(out, "ver", e.version, me.map(|x| x.version), verbose);
        if e.version == 1 {
            out.push_str("idx=");
            hex_alt(out, u64::from(e.index));
            if let Some(me) = me {
                out.push('/');
                hex_alt(out, u64::from(me.index));
            }
            out.push(',');
        } else if e.version == 2 {
            f_u8u(out, "dir", e.dir & 1, me.map(|x| x.dir & 1), verbose);
            f_u8x(out, "hwid", e.hwid & 0xf, me.map(|x| x.hwid & 0xf), verbose);
        }
        chomp(out, ',');
        out.push_str("),");
    }
    if let Some(g) = k.gtpu {
        out.push_str("gtpu(");
        let mg = m.map(|m| m.gtpu.unwrap_or_default());
        f_u8x(out, "flags", g.flags, mg.map(|x| x.flags), verbose);
        f_u8u(out, "msgtype", g.msgtype, mg.map(|x| x.msgtype), verbose);
        chomp(out, ',');
        out.push_str("),");
    }
    if let Some(m) = m {
        if m.dont_fragment {
            mask_flags |= text::TNL_F_DONT_FRAGMENT;
        }
        if m.csum {
            mask_flags |= text::TNL_F_CSUM;
        }
        if m.oam {
            mask_flags |= text::TNL_F_OAM;
        }
    }
    let mask_flags = m.map(|_| mask_flags);
    if verbose || mask_flags != Some(0) {
        out.push_str("flags(");
        match mask_flags {
            Some(mf) => text::flags_masked(
                out,
                text::tun_flag_name,
                flags,
                mf & text::TNL_F_MASK,
                text::TNL_F_MASK,
            ),
            None => text::flags(out, text::tun_flag_name, flags, '|'),
        }
        out.push_str("),");
    }
    chomp(out, ',');
}

fn geneve_len(opts: &[GeneveOpt]) -> usize {
    opts.iter()
        .map(|o| 4 + usize::from(o.length & 0x1f) * 4)
        .sum()
}

fn format_geneve(out: &mut String, opts: &[GeneveOpt], mask: Option<&[GeneveOpt]>, verbose: bool) {
    if let Some(mo) = mask {
        let ml: usize = mo.iter().map(|o| 4 + o.data.len()).sum();
        if ml != geneve_len(opts) {
            let _ = write!(
                out,
                "value len {} different from mask len {}",
                geneve_len(opts),
                ml
            );
            return;
        }
    }
    for (i, o) in opts.iter().enumerate() {
        let data_len = usize::from(o.length & 0x1f) * 4;
        let mo = mask.map(|m| m.get(i).cloned().unwrap_or_default());
        out.push('{');
        f_be16x(out, "class", o.class, mo.as_ref().map(|x| x.class), verbose);
        f_u8x(
            out,
            "type",
            o.opt_type,
            mo.as_ref().map(|x| x.opt_type),
            verbose,
        );
        let len_mask = mo.as_ref().map(|x| {
            if x.length & 0x1f == 0x1f {
                0xff
            } else {
                x.length & 0x1f
            }
        });
        f_u8u(out, "len", data_len as u8, len_mask, verbose);
        let mut data = o.data.clone();
        data.resize(data_len, 0);
        let mdata = mo.as_ref().map(|x| {
            let mut d = x.data.clone();
            d.resize(data_len, 0);
            d
        });
        if data_len > 0 && (verbose || mdata.as_ref().is_none_or(|d| d.iter().any(|b| *b != 0))) {
            text::hex_bytes(out, &data);
            if let Some(md) = &mdata
                && md.iter().any(|b| *b != 0xff)
            {
                out.push('/');
                text::hex_bytes(out, md);
            }
        } else {
            chomp(out, ',');
        }
        out.push('}');
    }
}

// The field printers of odp-util.c: each prints `name=value[/mask],`
// unless the mask is all zeros (and not verbose); no mask means exact.

fn f_eth(out: &mut String, name: &str, k: &Mac, m: Option<&Mac>, verbose: bool) {
    let empty = m.is_some_and(|m| *m == [0; 6]);
    if verbose || !empty {
        out.push_str(name);
        out.push('=');
        text::mac(out, k);
        if let Some(m) = m
            && *m != [0xff; 6]
        {
            out.push('/');
            text::mac(out, m);
        }
        out.push(',');
    }
}

fn f_ipv4(out: &mut String, name: &str, k: Ipv4Addr, m: Option<Ipv4Addr>, verbose: bool) {
    let empty = m.is_some_and(|m| m.is_unspecified());
    if verbose || !empty {
        out.push_str(name);
        out.push('=');
        text::ipv4(out, k);
        if let Some(m) = m
            && m != Ipv4Addr::BROADCAST
        {
            out.push('/');
            text::ipv4(out, m);
        }
        out.push(',');
    }
}

fn f_in6(out: &mut String, name: &str, k: Ipv6Addr, m: Option<Ipv6Addr>, verbose: bool) {
    let empty = m.is_some_and(|m| m.is_unspecified());
    if verbose || !empty {
        out.push_str(name);
        out.push('=');
        text::ipv6(out, k);
        if let Some(m) = m
            && u128::from(m) != u128::MAX
        {
            out.push('/');
            text::ipv6(out, m);
        }
        out.push(',');
    }
}

fn f_label(out: &mut String, k: u32, m: Option<u32>, verbose: bool) {
    let empty = m == Some(0);
    if verbose || !empty {
        out.push_str("label=");
        hex_alt(out, u64::from(k));
        if let Some(m) = m
            && m & 0x000f_ffff != 0x000f_ffff
        {
            out.push('/');
            hex_alt(out, u64::from(m));
        }
        out.push(',');
    }
}

fn f_u8x(out: &mut String, name: &str, k: u8, m: Option<u8>, verbose: bool) {
    if verbose || m != Some(0) {
        out.push_str(name);
        out.push('=');
        hex_alt(out, u64::from(k));
        if let Some(m) = m
            && m != u8::MAX
        {
            out.push('/');
            hex_alt(out, u64::from(m));
        }
        out.push(',');
    }
}

fn f_u8u(out: &mut String, name: &str, k: u8, m: Option<u8>, verbose: bool) {
    if verbose || m != Some(0) {
        let _ = write!(out, "{name}={k}");
        if let Some(m) = m
            && m != u8::MAX
        {
            out.push('/');
            hex_alt(out, u64::from(m));
        }
        out.push(',');
    }
}

fn f_be16(out: &mut String, name: &str, k: u16, m: Option<u16>, verbose: bool) {
    if verbose || m != Some(0) {
        let _ = write!(out, "{name}={k}");
        if let Some(m) = m
            && m != u16::MAX
        {
            out.push('/');
            hex_alt(out, u64::from(m));
        }
        out.push(',');
    }
}

fn f_be16x(out: &mut String, name: &str, k: u16, m: Option<u16>, verbose: bool) {
    if verbose || m != Some(0) {
        out.push_str(name);
        out.push('=');
        hex_alt(out, u64::from(k));
        if let Some(m) = m
            && m != u16::MAX
        {
            out.push('/');
            hex_alt(out, u64::from(m));
        }
        out.push(',');
    }
}

fn f_frag(out: &mut String, k: u8, m: Option<u8>) {
    let empty = m == Some(0);
    let full = m.is_none_or(|m| m == u8::MAX);
    if !empty && !full {
        out.push_str("error: partial mask not supported for frag (");
        hex_alt(out, u64::from(m.unwrap_or(0)));
        out.push_str("),");
    } else if !empty {
        out.push_str("frag=");
        out.push_str(match k {
            0 => "no",
            1 => "first",
            2 => "later",
            _ => "<error>",
        });
        out.push(',');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::*;

    #[test]
    fn udp_flow_like_dump_flows() {
        let key = DpKey {
            recirc_id: Some(0),
            in_port: Some(1),
            packet_type: Some(0),
            eth: Some(EthKey {
                src: [0x50, 0x54, 0, 0, 0, 1],
                dst: [0x50, 0x54, 0, 0, 0, 2],
            }),
            eth_type: Some(0x0800),
            ipv4: Some(Ipv4Key {
                src: Ipv4Addr::new(10, 0, 0, 1),
                dst: Ipv4Addr::new(10, 0, 0, 2),
                proto: 17,
                tos: 0,
                ttl: 64,
                frag: 0,
            }),
            udp: Some(PortsKey { src: 1234, dst: 80 }),
            ..DpKey::default()
        };
        let mut mask = key.exact_mask();
        mask.eth = Some(EthKey::default());
        mask.ipv4 = Some(Ipv4Key {
            src: Ipv4Addr::UNSPECIFIED,
            dst: Ipv4Addr::new(255, 255, 255, 0),
            proto: 0xff,
            tos: 0xfc,
            ttl: 0,
            frag: 0xff,
        });
        mask.udp = Some(PortsKey::default());
        assert_eq!(
            format_key(&key, Some(&mask), false),
            "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth_type(0x0800),\
             ipv4(dst=10.0.0.2/255.255.255.0,proto=17,tos=0/0xfc,frag=no)"
        );
        assert_eq!(
            format_key(&key, None, false),
            "recirc_id(0),in_port(1),packet_type(ns=0,id=0),\
             eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),\
             ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),\
             udp(src=1234,dst=80)"
        );
    }
}
