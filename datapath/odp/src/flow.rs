//! Converting between a [`DpKey`] (plus mask) and an [`ovs_flow::Flow`]
//! (plus a `Flow` used as mask), as OVS's `odp_flow_key_from_flow`,
//! `odp_flow_key_from_mask`, `odp_flow_key_to_flow` and
//! `odp_flow_key_to_mask` do.
//!
//! In a datapath `Flow`, `in_port` holds the datapath port number; its
//! 16 bits hold ports up to 0xfffe, and 0xffff stands for OVS's
//! `ODPP_NONE` (no port).

use std::net::{Ipv4Addr, Ipv6Addr};

use ovs_flow::{Flow, offset};

use crate::format_key::{ALL_ATTRS, Attr};
use crate::key::{
    ArpKey, CtTuple4, CtTuple6, DpKey, ErspanOpts, EthKey, GtpuOpts, IcmpKey, Ipv4Key, Ipv6Key,
    NdExtKey, NdKey, PT_ETH, PortsKey, TunnelKey, VLAN_CFI,
};

/// What the datapath can match on (OVS's `struct odp_support`), which
/// decides the attributes of a key built from a flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OdpSupport {
    /// VLAN headers to represent (the smaller of the datapath's limit and
    /// `other_config:vlan-limit`, 1 by default).
    pub max_vlan_headers: usize,
    /// MPLS labels a mask may cover.
    pub max_mpls_depth: usize,
    pub recirc: bool,
    pub ct_state: bool,
    pub ct_zone: bool,
    pub ct_mark: bool,
    pub ct_label: bool,
    pub ct_orig_tuple: bool,
    pub ct_orig_tuple6: bool,
    pub nd_ext: bool,
}

impl Default for OdpSupport {
    /// The userspace datapath's support with the default VLAN limit.
    fn default() -> Self {
        OdpSupport {
            max_vlan_headers: 1,
            max_mpls_depth: usize::MAX,
            recirc: true,
            ct_state: true,
            ct_zone: true,
            ct_mark: true,
            ct_label: true,
            ct_orig_tuple: true,
            ct_orig_tuple6: true,
            nd_ext: false,
        }
    }
}

/// Why a key (or mask) does not convert to a flow: OVS's
/// `ODP_FIT_ERROR`, `ODP_FIT_TOO_LITTLE` and `ODP_FIT_TOO_MUCH`, plus what
/// a [`Flow`] cannot hold.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// The key is malformed (`ODP_FIT_ERROR`).
    Invalid(&'static str),
    /// Attributes the key's protocols call for are missing.
    TooLittle,
    /// The key has attributes its protocols do not explain.
    TooMuch,
    /// Valid, but not representable here (Geneve options need the run-time
    /// TLV table; a port number above 0xfffe).
    Unsupported(&'static str),
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyError::Invalid(why) => write!(f, "invalid flow key: {why}"),
            KeyError::TooLittle => f.write_str("flow key is missing attributes"),
            KeyError::TooMuch => f.write_str("flow key has unexpected attributes"),
            KeyError::Unsupported(why) => write!(f, "flow key not supported: {why}"),
        }
    }
}

impl std::error::Error for KeyError {}

const ETH_TYPE_IP: u16 = 0x0800;
const ETH_TYPE_IPV6: u16 = 0x86dd;
const ETH_TYPE_ARP: u16 = 0x0806;
const ETH_TYPE_RARP: u16 = 0x8035;
const ETH_TYPE_NSH: u16 = 0x894f;
const ETH_TYPE_MIN: u16 = 0x600;
const FLOW_DL_TYPE_NONE: u16 = 0x5ff;
const IPPROTO_ICMP: u8 = 1;
const IPPROTO_TCP: u8 = 6;
const IPPROTO_UDP: u8 = 17;
const IPPROTO_ICMPV6: u8 = 58;
const IPPROTO_SCTP: u8 = 132;
const FRAG_ANY: u8 = 1;
const FRAG_LATER: u8 = 2;
const FRAG_MASK: u8 = 3;
const MAX_MPLS_LABELS: usize = 3;
const MPLS_BOS: u32 = 0x100;
const TNL_F_OAM: u16 = 1 << 0;
const TNL_F_DONT_FRAGMENT: u16 = 1 << 1;
const TNL_F_CSUM: u16 = 1 << 2;
const TNL_F_KEY: u16 = 1 << 3;
/// `ODPP_NONE` as the 16-bit `in_port` of a [`Flow`].
const IN_PORT_NONE: u16 = 0xffff;
const OFPHTN_ETHERTYPE: u32 = 1;

fn eth_type_vlan(t: u16) -> bool {
    t == 0x8100 || t == 0x88a8
}

fn eth_type_mpls(t: u16) -> bool {
    t == 0x8847 || t == 0x8848
}

/// Typed reads and writes of a [`Flow`]'s members.
trait FlowExt {
    fn u8_at(&self, off: usize) -> u8;
    fn u16_at(&self, off: usize) -> u16;
    fn u32_at(&self, off: usize) -> u32;
    fn u64_at(&self, off: usize) -> u64;
    fn u128_at(&self, off: usize) -> u128;
    fn ip4(&self, off: usize) -> Ipv4Addr;
    fn ip6(&self, off: usize) -> Ipv6Addr;
    fn mac(&self, off: usize) -> [u8; 6];
}

impl FlowExt for Flow {
    fn u8_at(&self, off: usize) -> u8 {
        self.get_be(off, 1) as u8
    }
    fn u16_at(&self, off: usize) -> u16 {
        self.get_be(off, 2) as u16
    }
    fn u32_at(&self, off: usize) -> u32 {
        self.get_be(off, 4) as u32
    }
    fn u64_at(&self, off: usize) -> u64 {
        self.get_be(off, 8)
    }
    fn u128_at(&self, off: usize) -> u128 {
        self.bytes(off, 16)
            .iter()
            .fold(0u128, |acc, b| (acc << 8) | u128::from(*b))
    }
    fn ip4(&self, off: usize) -> Ipv4Addr {
        Ipv4Addr::from(self.u32_at(off))
    }
    fn ip6(&self, off: usize) -> Ipv6Addr {
        Ipv6Addr::from(self.u128_at(off))
    }
    fn mac(&self, off: usize) -> [u8; 6] {
        let mut m = [0u8; 6];
        for (d, s) in m.iter_mut().zip(self.bytes(off, 6)) {
            *d = *s;
        }
        m
    }
}

fn put_u8(f: &mut Flow, off: usize, v: u8) {
    f.set_be(off, 1, u64::from(v));
}
fn put_u16(f: &mut Flow, off: usize, v: u16) {
    f.set_be(off, 2, u64::from(v));
}
fn put_u32(f: &mut Flow, off: usize, v: u32) {
    f.set_be(off, 4, u64::from(v));
}
fn put_u64(f: &mut Flow, off: usize, v: u64) {
    f.set_be(off, 8, v);
}
fn put_bytes(f: &mut Flow, off: usize, b: &[u8]) {
    for (d, s) in f.bytes_mut(off, b.len()).iter_mut().zip(b) {
        *d = *s;
    }
}
fn put_ip6(f: &mut Flow, off: usize, a: Ipv6Addr) {
    put_bytes(f, off, &a.octets());
}

/// `flow_count_mpls_labels`.
fn count_mpls_labels(flow: &Flow) -> usize {
    if !eth_type_mpls(flow.u16_at(offset::DL_TYPE)) {
        return 0;
    }
    let mut cnt = 0;
    for i in 0..MAX_MPLS_LABELS {
        let lse = flow.u32_at(offset::MPLS_LSE0 + 4 * i);
        if lse & MPLS_BOS != 0 {
            return i + 1;
        }
        if lse != 0 {
            cnt += 1;
        }
    }
    cnt
}

fn is_nd(flow: &Flow) -> bool {
    flow.u16_at(offset::DL_TYPE) == ETH_TYPE_IPV6
        && flow.u8_at(offset::NW_PROTO) == IPPROTO_ICMPV6
        && flow.u16_at(offset::TP_DST) == 0
        && matches!(flow.u16_at(offset::TP_SRC), 135 | 136)
}

fn tnl_dst_or_src_set(flow: &Flow) -> bool {
    flow.u32_at(offset::TUN_IP_DST) != 0
        || flow.u128_at(offset::TUN_IPV6_DST) != 0
        || flow.u32_at(offset::TUN_IP_SRC) != 0
        || flow.u128_at(offset::TUN_IPV6_SRC) != 0
}

/// `tun_key_to_attr` over `data` (the flow for a key, the mask for a mask).
fn tunnel_from_flow(data: &Flow) -> TunnelKey {
    let flags = data.u16_at(offset::TUN_FLAGS);
    let nz4 = |off| (data.u32_at(off) != 0).then(|| data.ip4(off));
    let nz6 = |off| (data.u128_at(off) != 0).then(|| data.ip6(off));
    let tun_id = data.u64_at(offset::TUN_ID);
    let gbp_id = data.u16_at(offset::TUN_GBP_ID);
    let gbp_flags = data.u8_at(offset::TUN_GBP_FLAGS);
    let erspan_ver = data.u8_at(offset::TUN_ERSPAN_VER);
    let gtpu_flags = data.u8_at(offset::TUN_GTPU_FLAGS);
    let gtpu_msgtype = data.u8_at(offset::TUN_GTPU_MSGTYPE);
    TunnelKey {
        tun_id: (tun_id != 0 || flags & TNL_F_KEY != 0).then_some(tun_id),
        ipv4_src: nz4(offset::TUN_IP_SRC),
        ipv4_dst: nz4(offset::TUN_IP_DST),
        ipv6_src: nz6(offset::TUN_IPV6_SRC),
        ipv6_dst: nz6(offset::TUN_IPV6_DST),
        tos: Some(data.u8_at(offset::TUN_TOS)).filter(|v| *v != 0),
        ttl: Some(data.u8_at(offset::TUN_TTL)),
        dont_fragment: flags & TNL_F_DONT_FRAGMENT != 0,
        csum: flags & TNL_F_CSUM != 0,
        tp_src: Some(data.u16_at(offset::TUN_TP_SRC)).filter(|v| *v != 0),
        tp_dst: Some(data.u16_at(offset::TUN_TP_DST)).filter(|v| *v != 0),
        oam: flags & TNL_F_OAM != 0,
        vxlan_gbp: (gbp_id != 0 || gbp_flags != 0)
            .then_some((u32::from(gbp_flags) << 16) | u32::from(gbp_id)),
        // Geneve options live in the run-time TLV table's layout of
        // `tun_metadata`, which this crate does not know.
        geneve: None,
        erspan: (erspan_ver == 1 || erspan_ver == 2).then(|| ErspanOpts {
            version: erspan_ver,
            index: if erspan_ver == 1 {
                data.u32_at(offset::TUN_ERSPAN_IDX)
            } else {
                0
            },
            dir: if erspan_ver == 2 {
                data.u8_at(offset::TUN_ERSPAN_DIR)
            } else {
                0
            },
            hwid: if erspan_ver == 2 {
                data.u8_at(offset::TUN_ERSPAN_HWID)
            } else {
                0
            },
        }),
        gtpu: (gtpu_flags != 0 && gtpu_msgtype != 0).then_some(GtpuOpts {
            flags: gtpu_flags,
            msgtype: gtpu_msgtype,
        }),
    }
}

/// The key of `flow` (OVS's `odp_flow_key_from_flow`). `mask`, the flow's
/// wildcards if known, only decides whether `tcp_flags` appears.
pub fn key_from_flow(flow: &Flow, mask: Option<&Flow>, support: &OdpSupport) -> DpKey {
    from_flow(flow, mask, flow, false, support)
}

/// The mask attributes for `flow` matched with `mask` (OVS's
/// `odp_flow_key_from_mask`): the attributes follow the flow, their values
/// the mask.
pub fn mask_from_flow(flow: &Flow, mask: &Flow, support: &OdpSupport) -> DpKey {
    from_flow(flow, Some(mask), mask, true, support)
}

fn from_flow(
    flow: &Flow,
    mask: Option<&Flow>,
    data: &Flow,
    export_mask: bool,
    support: &OdpSupport,
) -> DpKey {
    let mut k = DpKey {
        skb_priority: Some(data.u32_at(offset::SKB_PRIORITY)),
        ..DpKey::default()
    };
    if tnl_dst_or_src_set(flow) || export_mask {
        k.tunnel = Some(tunnel_from_flow(data));
    }
    k.skb_mark = Some(data.u32_at(offset::PKT_MARK));
    if support.ct_state {
        k.ct_state = Some(data.u32_at(offset::CT_STATE) & 0xff);
    }
    if support.ct_zone {
        k.ct_zone = Some(data.u16_at(offset::CT_ZONE));
    }
    if support.ct_mark {
        k.ct_mark = Some(data.u32_at(offset::CT_MARK));
    }
    if support.ct_label {
        k.ct_label = Some(data.u128_at(offset::CT_LABEL));
    }
    if flow.u8_at(offset::CT_NW_PROTO) != 0 {
        let dl_type = flow.u16_at(offset::DL_TYPE);
        if support.ct_orig_tuple && dl_type == ETH_TYPE_IP {
            k.ct_tuple4 = Some(CtTuple4 {
                src: data.ip4(offset::CT_NW_SRC),
                dst: data.ip4(offset::CT_NW_DST),
                proto: data.u8_at(offset::CT_NW_PROTO),
                tp_src: data.u16_at(offset::CT_TP_SRC),
                tp_dst: data.u16_at(offset::CT_TP_DST),
            });
        } else if support.ct_orig_tuple6 && dl_type == ETH_TYPE_IPV6 {
            k.ct_tuple6 = Some(CtTuple6 {
                src: data.ip6(offset::CT_IPV6_SRC),
                dst: data.ip6(offset::CT_IPV6_DST),
                proto: data.u8_at(offset::CT_NW_PROTO),
                tp_src: data.u16_at(offset::CT_TP_SRC),
                tp_dst: data.u16_at(offset::CT_TP_DST),
            });
        }
    }
    if support.recirc {
        k.recirc_id = Some(data.u32_at(offset::RECIRC_ID));
        k.dp_hash = Some(data.u32_at(offset::DP_HASH));
    }
    if export_mask || flow.u16_at(offset::IN_PORT) != IN_PORT_NONE {
        let p = data.u16_at(offset::IN_PORT);
        k.in_port = Some(if p == IN_PORT_NONE {
            u32::MAX
        } else {
            u32::from(p)
        });
    }
    k.packet_type = Some(data.u32_at(offset::PACKET_TYPE));

    // The attributes from L2 on, nesting into `encap` per VLAN header.
    let mut level = Level::default();
    let mut levels: Vec<Level> = Vec::new();
    let mut done = false;
    if flow.u32_at(offset::PACKET_TYPE) == PT_ETH {
        k.eth = Some(EthKey {
            src: data.mac(offset::DL_SRC),
            dst: data.mac(offset::DL_DST),
        });
        let vlans = [
            (offset::VLAN0_TPID, offset::VLAN0_TCI),
            (offset::VLAN1_TPID, offset::VLAN1_TCI),
        ];
        for &(tpid_off, tci_off) in vlans.iter().take(support.max_vlan_headers) {
            let mut tpid = flow.u16_at(tpid_off);
            let tci = flow.u16_at(tci_off);
            if tci == 0 {
                let dl_type = flow.u16_at(offset::DL_TYPE);
                if eth_type_vlan(dl_type) {
                    // A truncated VLAN header: its TPID is in dl_type.
                    tpid = dl_type;
                } else {
                    break;
                }
            }
            level.eth_type = Some(if export_mask { 0xffff } else { tpid });
            level.vlan = Some(data.u16_at(tci_off));
            levels.push(std::mem::take(&mut level));
            if tci == 0 {
                done = true;
                break;
            }
        }
    }
    let dl_type = flow.u16_at(offset::DL_TYPE);
    if !done && dl_type < ETH_TYPE_MIN {
        if export_mask {
            level.eth_type = Some(0xffff);
        }
        done = true;
    }
    if !done {
        level.eth_type = Some(data.u16_at(offset::DL_TYPE));
        if !eth_type_vlan(dl_type) {
            l3_l4_from_flow(&mut level, flow, mask, data, export_mask, support);
        }
    }
    // Close the nests from the innermost out.
    let mut inner = level.into_key();
    while let Some(outer) = levels.pop() {
        let mut o = outer.into_key();
        o.encap = Some(Box::new(inner));
        inner = o;
    }
    merge_l2(&mut k, inner);
    k
}

/// The part of a key that can sit inside `encap(...)`.
#[derive(Default)]
struct Level {
    eth_type: Option<u16>,
    vlan: Option<u16>,
    rest: DpKey,
}

impl Level {
    fn into_key(self) -> DpKey {
        DpKey {
            eth_type: self.eth_type,
            vlan: self.vlan,
            ..self.rest
        }
    }
}

fn merge_l2(k: &mut DpKey, l: DpKey) {
    k.eth_type = l.eth_type;
    k.vlan = l.vlan;
    k.encap = l.encap;
    k.mpls = l.mpls;
    k.ipv4 = l.ipv4;
    k.ipv6 = l.ipv6;
    k.arp = l.arp;
    k.tcp = l.tcp;
    k.tcp_flags = l.tcp_flags;
    k.udp = l.udp;
    k.sctp = l.sctp;
    k.icmp = l.icmp;
    k.icmpv6 = l.icmpv6;
    k.nd = l.nd;
    k.nd_ext = l.nd_ext;
}

fn odp_frag(nw_frag: u8, is_mask: bool) -> u8 {
    if is_mask {
        if nw_frag & FRAG_ANY != 0 { 0xff } else { 0 }
    } else if nw_frag & FRAG_ANY == 0 {
        0
    } else if nw_frag & FRAG_LATER != 0 {
        2
    } else {
        1
    }
}

fn l3_l4_from_flow(
    level: &mut Level,
    flow: &Flow,
    mask: Option<&Flow>,
    data: &Flow,
    export_mask: bool,
    support: &OdpSupport,
) {
    let k = &mut level.rest;
    let dl_type = flow.u16_at(offset::DL_TYPE);
    if dl_type == ETH_TYPE_IP {
        k.ipv4 = Some(Ipv4Key {
            src: data.ip4(offset::NW_SRC),
            dst: data.ip4(offset::NW_DST),
            proto: data.u8_at(offset::NW_PROTO),
            tos: data.u8_at(offset::NW_TOS),
            ttl: data.u8_at(offset::NW_TTL),
            frag: odp_frag(data.u8_at(offset::NW_FRAG), export_mask),
        });
    } else if dl_type == ETH_TYPE_IPV6 {
        k.ipv6 = Some(Ipv6Key {
            src: data.ip6(offset::IPV6_SRC),
            dst: data.ip6(offset::IPV6_DST),
            label: data.u32_at(offset::IPV6_LABEL),
            proto: data.u8_at(offset::NW_PROTO),
            tclass: data.u8_at(offset::NW_TOS),
            hlimit: data.u8_at(offset::NW_TTL),
            frag: odp_frag(data.u8_at(offset::NW_FRAG), export_mask),
        });
    } else if dl_type == ETH_TYPE_ARP || dl_type == ETH_TYPE_RARP {
        let op = data.u8_at(offset::NW_PROTO);
        k.arp = Some(ArpKey {
            sip: data.ip4(offset::NW_SRC),
            tip: data.ip4(offset::NW_DST),
            op: if op == 0xff { 0xffff } else { u16::from(op) },
            sha: data.mac(offset::ARP_SHA),
            tha: data.mac(offset::ARP_THA),
        });
    } else if eth_type_mpls(dl_type) {
        let mut n = count_mpls_labels(flow);
        if export_mask {
            n = n.min(support.max_mpls_depth);
        }
        k.mpls = Some(
            (0..n)
                .map(|i| data.u32_at(offset::MPLS_LSE0 + 4 * i))
                .collect(),
        );
    }
    let nw_proto = flow.u8_at(offset::NW_PROTO);
    let ip_any = dl_type == ETH_TYPE_IP || dl_type == ETH_TYPE_IPV6;
    if !ip_any || flow.u8_at(offset::NW_FRAG) & FRAG_LATER != 0 {
        return;
    }
    let ports = PortsKey {
        src: data.u16_at(offset::TP_SRC),
        dst: data.u16_at(offset::TP_DST),
    };
    let icmp = IcmpKey {
        icmp_type: data.u16_at(offset::TP_SRC) as u8,
        code: data.u16_at(offset::TP_DST) as u8,
    };
    match nw_proto {
        IPPROTO_TCP => {
            k.tcp = Some(ports);
            let tf = data.u16_at(offset::TCP_FLAGS);
            if tf != 0 || mask.is_some_and(|m| m.u16_at(offset::TCP_FLAGS) != 0) {
                k.tcp_flags = Some(tf);
            }
        }
        IPPROTO_UDP => k.udp = Some(ports),
        IPPROTO_SCTP => k.sctp = Some(ports),
        IPPROTO_ICMP if dl_type == ETH_TYPE_IP => k.icmp = Some(icmp),
        IPPROTO_ICMPV6 if dl_type == ETH_TYPE_IPV6 => {
            k.icmpv6 = Some(icmp);
            // ICMP type and code are 8 bits in 16-bit members: an exact
            // mask is 0xff.
            if is_nd(flow)
                && (!export_mask
                    || (data.u16_at(offset::TP_SRC) == 0xff && data.u16_at(offset::TP_DST) == 0xff))
            {
                k.nd = Some(NdKey {
                    target: data.ip6(offset::ND_TARGET),
                    sll: data.mac(offset::ARP_SHA),
                    tll: data.mac(offset::ARP_THA),
                });
                let reserved = data.u32_at(offset::IGMP_GROUP_IP4);
                let tf = data.u16_at(offset::TCP_FLAGS);
                if support.nd_ext && (reserved != 0 || tf != 0) {
                    k.nd_ext = Some(NdExtKey {
                        reserved,
                        options_type: tf as u8,
                    });
                }
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------
// Key to flow.

fn bit(a: Attr) -> u32 {
    1 << (a as u32)
}

fn present(k: &DpKey) -> u32 {
    ALL_ATTRS
        .iter()
        .filter(|a| a.present(k))
        .fold(0, |acc, a| acc | bit(*a))
}

fn check_expectations(present: u32, expected: u32) -> Result<(), KeyError> {
    if expected & !present != 0 {
        return Err(KeyError::TooLittle);
    }
    if present & !expected != 0 {
        return Err(KeyError::TooMuch);
    }
    Ok(())
}

/// The flow of a key (OVS's `odp_flow_key_to_flow`); anything short of a
/// perfect fit is an error, as for the userspace datapath. `support`
/// supplies the VLAN limit.
pub fn key_to_flow(key: &DpKey, support: &OdpSupport) -> Result<Flow, KeyError> {
    let mut flow = Flow::ZERO;
    to_flow(key, &mut flow, None, support)?;
    Ok(flow)
}

/// The flow of a key as far as it goes: like [`key_to_flow`], but a key
/// with too few or too many attributes still gives the flow of those it
/// has (OVS's callers that accept any fitness short of `ODP_FIT_ERROR`,
/// such as `netdev-dummy/receive`).
pub fn key_to_flow_partial(key: &DpKey, support: &OdpSupport) -> Result<Flow, KeyError> {
    let mut flow = Flow::ZERO;
    match to_flow(key, &mut flow, None, support) {
        Ok(()) | Err(KeyError::TooLittle | KeyError::TooMuch) => Ok(flow),
        Err(e) => Err(e),
    }
}

/// The mask of a key (OVS's `odp_flow_key_to_mask`), given the flow the
/// key converted to. An empty `mask` means an exact match on every field
/// the key has.
pub fn mask_to_flow(
    mask: &DpKey,
    key: &DpKey,
    flow: &Flow,
    support: &OdpSupport,
) -> Result<Flow, KeyError> {
    let mut m = Flow::ZERO;
    if mask.is_empty() {
        to_flow(&key.exact_mask(), &mut m, Some(flow), support)?;
    } else {
        to_flow(mask, &mut m, Some(flow), support)?;
    }
    Ok(m)
}

/// `odp_flow_key_to_flow__`: `src` is `None` for a key, the key's flow for
/// a mask.
fn to_flow(
    k: &DpKey,
    flow: &mut Flow,
    src: Option<&Flow>,
    support: &OdpSupport,
) -> Result<(), KeyError> {
    let is_mask = src.is_some();
    let present_attrs = present(k);
    let mut expected = 0u32;

    if let Some(v) = k.recirc_id {
        put_u32(flow, offset::RECIRC_ID, v);
        expected |= bit(Attr::RecircId);
    } else if is_mask {
        // Always match recirc_id exactly when the mask leaves it out.
        put_u32(flow, offset::RECIRC_ID, u32::MAX);
    }
    if let Some(v) = k.dp_hash {
        put_u32(flow, offset::DP_HASH, v);
        expected |= bit(Attr::DpHash);
    }
    if let Some(v) = k.skb_priority {
        put_u32(flow, offset::SKB_PRIORITY, v);
        expected |= bit(Attr::SkbPriority);
    }
    if let Some(v) = k.skb_mark {
        put_u32(flow, offset::PKT_MARK, v);
        expected |= bit(Attr::SkbMark);
    }
    if let Some(v) = k.ct_state {
        put_u32(flow, offset::CT_STATE, v & 0xff);
        expected |= bit(Attr::CtState);
    }
    if let Some(v) = k.ct_zone {
        put_u16(flow, offset::CT_ZONE, v);
        expected |= bit(Attr::CtZone);
    }
    if let Some(v) = k.ct_mark {
        put_u32(flow, offset::CT_MARK, v);
        expected |= bit(Attr::CtMark);
    }
    if let Some(v) = k.ct_label {
        put_bytes(flow, offset::CT_LABEL, &v.to_be_bytes());
        expected |= bit(Attr::CtLabel);
    }
    if let Some(t) = k.ct_tuple4 {
        put_u32(flow, offset::CT_NW_SRC, u32::from(t.src));
        put_u32(flow, offset::CT_NW_DST, u32::from(t.dst));
        put_u8(flow, offset::CT_NW_PROTO, t.proto);
        put_u16(flow, offset::CT_TP_SRC, t.tp_src);
        put_u16(flow, offset::CT_TP_DST, t.tp_dst);
        expected |= bit(Attr::CtTuple4);
    }
    if let Some(t) = k.ct_tuple6 {
        put_ip6(flow, offset::CT_IPV6_SRC, t.src);
        put_ip6(flow, offset::CT_IPV6_DST, t.dst);
        put_u8(flow, offset::CT_NW_PROTO, t.proto);
        put_u16(flow, offset::CT_TP_SRC, t.tp_src);
        put_u16(flow, offset::CT_TP_DST, t.tp_dst);
        expected |= bit(Attr::CtTuple6);
    }
    if let Some(t) = &k.tunnel {
        tunnel_to_flow(t, flow, src.map(|s| s.u8_at(offset::TUN_ERSPAN_VER)))?;
        expected |= bit(Attr::Tunnel);
    }
    if let Some(p) = k.in_port {
        let p16 = if p == u32::MAX {
            IN_PORT_NONE
        } else if is_mask || p < u32::from(IN_PORT_NONE) {
            p as u16
        } else {
            return Err(KeyError::Unsupported("datapath port number above 0xfffe"));
        };
        put_u16(flow, offset::IN_PORT, p16);
        expected |= bit(Attr::InPort);
    } else if !is_mask {
        put_u16(flow, offset::IN_PORT, IN_PORT_NONE);
    }
    let src_pt = |flow: &Flow| src.unwrap_or(flow).u32_at(offset::PACKET_TYPE);
    if let Some(pt) = k.packet_type {
        put_u32(flow, offset::PACKET_TYPE, pt);
        expected |= bit(Attr::PacketType);
        if src_pt(flow) >> 16 == OFPHTN_ETHERTYPE {
            put_u16(flow, offset::DL_TYPE, pt as u16);
        }
    } else if !is_mask {
        put_u32(flow, offset::PACKET_TYPE, PT_ETH);
    }
    if let Some(e) = k.eth {
        put_bytes(flow, offset::DL_SRC, &e.src);
        put_bytes(flow, offset::DL_DST, &e.dst);
        if !is_mask {
            put_u32(flow, offset::PACKET_TYPE, PT_ETH);
        }
        expected |= bit(Attr::Eth);
    } else if let Some(t) = k.eth_type {
        if !is_mask {
            put_u32(
                flow,
                offset::PACKET_TYPE,
                (OFPHTN_ETHERTYPE << 16) | u32::from(t),
            );
        }
        expected |= bit(Attr::EthType);
    }
    parse_ethertype(k, present_attrs, &mut expected, flow, src)?;

    let src_tci0 = src.map(|s| s.u16_at(offset::VLAN0_TCI));
    let vlan_first = match src_tci0 {
        Some(tci) => tci & VLAN_CFI != 0,
        None => eth_type_vlan(flow.u16_at(offset::DL_TYPE)),
    };
    if vlan_first {
        parse_8021q_onward(k, present_attrs, expected, flow, src, support)
    } else {
        if is_mask {
            // A missing VLAN mask means an exact match on "no VLAN".
            put_u16(flow, offset::VLAN0_TPID, 0xffff);
            put_u16(flow, offset::VLAN0_TCI, 0xffff);
            if let Some(v) = k.vlan {
                put_u16(flow, offset::VLAN0_TCI, v);
                expected |= bit(Attr::Vlan);
            }
        }
        parse_l2_5_onward(k, present_attrs, &mut expected, flow, src, true)
    }
}

fn tunnel_to_flow(
    t: &TunnelKey,
    flow: &mut Flow,
    src_erspan_ver: Option<u8>,
) -> Result<(), KeyError> {
    let mut flags = 0u16;
    if let Some(id) = t.tun_id {
        put_u64(flow, offset::TUN_ID, id);
        flags |= TNL_F_KEY;
    }
    if let Some(a) = t.ipv4_src {
        put_u32(flow, offset::TUN_IP_SRC, u32::from(a));
    }
    if let Some(a) = t.ipv4_dst {
        put_u32(flow, offset::TUN_IP_DST, u32::from(a));
    }
    if let Some(a) = t.ipv6_src {
        put_ip6(flow, offset::TUN_IPV6_SRC, a);
    }
    if let Some(a) = t.ipv6_dst {
        put_ip6(flow, offset::TUN_IPV6_DST, a);
    }
    if let Some(v) = t.tos {
        put_u8(flow, offset::TUN_TOS, v);
    }
    if let Some(v) = t.tp_src {
        put_u16(flow, offset::TUN_TP_SRC, v);
    }
    if let Some(v) = t.tp_dst {
        put_u16(flow, offset::TUN_TP_DST, v);
    }
    if t.dont_fragment {
        flags |= TNL_F_DONT_FRAGMENT;
    }
    if t.csum {
        flags |= TNL_F_CSUM;
    }
    if t.oam {
        flags |= TNL_F_OAM;
    }
    if let Some(gbp) = t.vxlan_gbp {
        put_u16(flow, offset::TUN_GBP_ID, gbp as u16);
        put_u8(flow, offset::TUN_GBP_FLAGS, (gbp >> 16) as u8);
    }
    if t.geneve.as_ref().is_some_and(|g| !g.is_empty()) {
        return Err(KeyError::Unsupported("Geneve options need the TLV table"));
    }
    if let Some(e) = t.erspan {
        // A mask follows its key's version (OVS reads the mask's own
        // version, which is never 1 or 2, and so drops these masks).
        let ver = src_erspan_ver.unwrap_or(e.version);
        put_u8(flow, offset::TUN_ERSPAN_VER, e.version);
        if ver == 1 {
            put_u32(flow, offset::TUN_ERSPAN_IDX, e.index);
        } else if ver == 2 {
            put_u8(flow, offset::TUN_ERSPAN_DIR, e.dir);
            put_u8(flow, offset::TUN_ERSPAN_HWID, e.hwid);
        }
    }
    if let Some(g) = t.gtpu {
        put_u8(flow, offset::TUN_GTPU_FLAGS, g.flags);
        put_u8(flow, offset::TUN_GTPU_MSGTYPE, g.msgtype);
    }
    put_u16(flow, offset::TUN_FLAGS, flags);
    match t.ttl {
        Some(v) => put_u8(flow, offset::TUN_TTL, v),
        None => return Err(KeyError::Invalid("tunnel options missing TTL")),
    }
    Ok(())
}

/// `parse_ethertype`.
fn parse_ethertype(
    k: &DpKey,
    present_attrs: u32,
    expected: &mut u32,
    flow: &mut Flow,
    src: Option<&Flow>,
) -> Result<(), KeyError> {
    if let Some(t) = k.eth_type {
        put_u16(flow, offset::DL_TYPE, t);
        match src {
            None if t < ETH_TYPE_MIN => return Err(KeyError::Invalid("invalid Ethertype")),
            Some(s) if s.u16_at(offset::DL_TYPE) < ETH_TYPE_MIN && t != 0xffff => {
                return Err(KeyError::Invalid(
                    "can't bitwise match non-Ethernet II Ethertype",
                ));
            }
            _ => {}
        }
        *expected |= bit(Attr::EthType);
    } else {
        match src {
            None => {
                let t = if present_attrs & bit(Attr::Ipv4) != 0 {
                    ETH_TYPE_IP
                } else if present_attrs & bit(Attr::Ipv6) != 0 {
                    ETH_TYPE_IPV6
                } else if present_attrs & bit(Attr::Mpls) != 0 {
                    0x8847
                } else {
                    FLOW_DL_TYPE_NONE
                };
                put_u16(flow, offset::DL_TYPE, t);
            }
            Some(s) if s.u32_at(offset::PACKET_TYPE) != PT_ETH => {
                put_u16(flow, offset::DL_TYPE, 0xffff);
            }
            Some(s) if s.u16_at(offset::DL_TYPE) < ETH_TYPE_MIN => {
                return Err(KeyError::Invalid("mask expected for non-Ethernet II frame"));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// `parse_8021q_onward`.
fn parse_8021q_onward(
    outer: &DpKey,
    mut present_attrs: u32,
    mut expected: u32,
    flow: &mut Flow,
    src: Option<&Flow>,
    support: &OdpSupport,
) -> Result<(), KeyError> {
    let is_mask = src.is_some();
    let vlans = [
        (offset::VLAN0_TPID, offset::VLAN0_TCI),
        (offset::VLAN1_TPID, offset::VLAN1_TCI),
    ];
    let limit = support.max_vlan_headers.min(vlans.len());
    let mut level = outer;
    let mut encaps = 0;
    while encaps < limit {
        let (tpid_off, tci_off) = vlans[encaps];
        let go_on = match src {
            Some(s) => s.u16_at(tci_off) & VLAN_CFI != 0,
            None => eth_type_vlan(flow.u16_at(offset::DL_TYPE)),
        };
        if !go_on {
            break;
        }
        if !is_mask {
            expected |= bit(Attr::Vlan) | bit(Attr::Encap);
        } else {
            expected |= present_attrs & (bit(Attr::Vlan) | bit(Attr::Encap));
        }
        let fitness = check_expectations(present_attrs, expected);
        let dl_type = flow.u16_at(offset::DL_TYPE);
        put_u16(flow, tpid_off, dl_type);
        put_u16(flow, offset::DL_TYPE, 0);
        let tci = level.vlan.unwrap_or(0);
        put_u16(flow, tci_off, tci);
        let Some(encap) = level.encap.as_deref() else {
            return if is_mask {
                fitness
            } else {
                Err(KeyError::TooLittle)
            };
        };
        if !is_mask {
            if level.vlan.is_none() {
                return Err(KeyError::TooLittle);
            }
            if tci == 0 {
                // A truncated 802.1Q header.
                if fitness.is_ok() && !encap.is_empty() {
                    return Err(KeyError::TooMuch);
                }
                return fitness;
            }
            if tci & VLAN_CFI == 0 {
                return Err(KeyError::Invalid(
                    "VLAN TCI is nonzero but CFI bit is not set",
                ));
            }
        }
        level = encap;
        present_attrs = present(level);
        expected = 0;
        parse_ethertype(level, present_attrs, &mut expected, flow, src)?;
        parse_l2_5_onward(level, present_attrs, &mut expected, flow, src, false)?;
        encaps += 1;
    }
    check_expectations(present_attrs, expected)
}

/// `parse_l2_5_onward`.
fn parse_l2_5_onward(
    k: &DpKey,
    present_attrs: u32,
    expected: &mut u32,
    flow: &mut Flow,
    src: Option<&Flow>,
    need_check: bool,
) -> Result<(), KeyError> {
    let is_mask = src.is_some();
    // Decisions follow the key's flow; for a key that is `flow` itself.
    let s_dl_type = src.map_or_else(
        || flow.u16_at(offset::DL_TYPE),
        |s| s.u16_at(offset::DL_TYPE),
    );
    let mut l3_checked: Option<(bool, Attr)> = None;
    if eth_type_mpls(s_dl_type) {
        if !is_mask || k.mpls.is_some() {
            *expected |= bit(Attr::Mpls);
        }
        if let Some(lses) = &k.mpls {
            if lses.is_empty() {
                return Err(KeyError::Invalid("MPLS LSEs have invalid length"));
            }
            for (i, lse) in lses.iter().take(MAX_MPLS_LABELS).enumerate() {
                put_u32(flow, offset::MPLS_LSE0 + 4 * i, *lse);
            }
            if lses.len() > MAX_MPLS_LABELS {
                return Err(KeyError::TooMuch);
            }
            if !is_mask {
                let n = lses.len();
                if lses[..n - 1].iter().any(|l| l & MPLS_BOS != 0) {
                    return Err(KeyError::Invalid("MPLS BOS set in non-innermost label"));
                }
                if n < MAX_MPLS_LABELS && lses[n - 1] & MPLS_BOS == 0 {
                    return Err(KeyError::TooLittle);
                }
            }
        }
        return if need_check {
            check_expectations(present_attrs, *expected)
        } else {
            Ok(())
        };
    } else if s_dl_type == ETH_TYPE_IP {
        if !is_mask {
            *expected |= bit(Attr::Ipv4);
        }
        if let Some(ip) = k.ipv4 {
            put_u32(flow, offset::NW_SRC, u32::from(ip.src));
            put_u32(flow, offset::NW_DST, u32::from(ip.dst));
            put_u8(flow, offset::NW_PROTO, ip.proto);
            put_u8(flow, offset::NW_TOS, ip.tos);
            put_u8(flow, offset::NW_TTL, ip.ttl);
            put_u8(flow, offset::NW_FRAG, flow_frag(ip.frag, is_mask)?);
            if is_mask {
                l3_checked = Some((ip != Ipv4Key::default(), Attr::Ipv4));
            }
        }
    } else if s_dl_type == ETH_TYPE_IPV6 {
        if !is_mask {
            *expected |= bit(Attr::Ipv6);
        }
        if let Some(ip) = k.ipv6 {
            put_ip6(flow, offset::IPV6_SRC, ip.src);
            put_ip6(flow, offset::IPV6_DST, ip.dst);
            put_u32(flow, offset::IPV6_LABEL, ip.label);
            put_u8(flow, offset::NW_PROTO, ip.proto);
            put_u8(flow, offset::NW_TOS, ip.tclass);
            put_u8(flow, offset::NW_TTL, ip.hlimit);
            put_u8(flow, offset::NW_FRAG, flow_frag(ip.frag, is_mask)?);
            if is_mask {
                l3_checked = Some((ip != Ipv6Key::default(), Attr::Ipv6));
            }
        }
    } else if s_dl_type == ETH_TYPE_ARP || s_dl_type == ETH_TYPE_RARP {
        if !is_mask {
            *expected |= bit(Attr::Arp);
        }
        if let Some(arp) = k.arp {
            if !is_mask && arp.op & 0xff00 != 0 {
                return Err(KeyError::Invalid("unsupported ARP opcode"));
            }
            put_u32(flow, offset::NW_SRC, u32::from(arp.sip));
            put_u32(flow, offset::NW_DST, u32::from(arp.tip));
            put_u8(flow, offset::NW_PROTO, arp.op as u8);
            put_bytes(flow, offset::ARP_SHA, &arp.sha);
            put_bytes(flow, offset::ARP_THA, &arp.tha);
            if is_mask {
                l3_checked = Some((arp != ArpKey::default(), Attr::Arp));
            }
        }
    } else if s_dl_type == ETH_TYPE_NSH {
        // NSH keys are not modelled: the attribute is always missing.
        if !is_mask {
            *expected |= 1 << 31;
        }
    } else {
        return if need_check {
            check_expectations(present_attrs, *expected)
        } else {
            Ok(())
        };
    }
    if let Some((nonzero, attr)) = l3_checked {
        if nonzero && flow.u16_at(offset::DL_TYPE) != 0xffff {
            return Err(KeyError::Invalid(
                "unexpected L3 matching with masked Ethertype",
            ));
        }
        *expected |= bit(attr);
    }

    let s = src.unwrap_or(flow);
    let s_proto = s.u8_at(offset::NW_PROTO);
    let s_ip = s_dl_type == ETH_TYPE_IP || s_dl_type == ETH_TYPE_IPV6;
    let not_later = s.u8_at(offset::NW_FRAG) & FRAG_LATER == 0;
    let mut l4_bit: Option<Attr> = None;
    let put_ports = |flow: &mut Flow, p: PortsKey| {
        put_u16(flow, offset::TP_SRC, p.src);
        put_u16(flow, offset::TP_DST, p.dst);
    };
    if s_proto == IPPROTO_TCP && s_ip && not_later {
        if !is_mask {
            *expected |= bit(Attr::Tcp);
        }
        if let Some(p) = k.tcp {
            put_ports(flow, p);
            l4_bit = Some(Attr::Tcp);
        }
        if let Some(f) = k.tcp_flags {
            *expected |= bit(Attr::TcpFlags);
            put_u16(flow, offset::TCP_FLAGS, f);
        }
    } else if s_proto == IPPROTO_UDP && s_ip && not_later {
        if !is_mask {
            *expected |= bit(Attr::Udp);
        }
        if let Some(p) = k.udp {
            put_ports(flow, p);
            l4_bit = Some(Attr::Udp);
        }
    } else if s_proto == IPPROTO_SCTP && s_ip && not_later {
        if !is_mask {
            *expected |= bit(Attr::Sctp);
        }
        if let Some(p) = k.sctp {
            put_ports(flow, p);
            l4_bit = Some(Attr::Sctp);
        }
    } else if s_proto == IPPROTO_ICMP && s_dl_type == ETH_TYPE_IP && not_later {
        if !is_mask {
            *expected |= bit(Attr::Icmp);
        }
        if let Some(i) = k.icmp {
            put_u16(flow, offset::TP_SRC, u16::from(i.icmp_type));
            put_u16(flow, offset::TP_DST, u16::from(i.code));
            l4_bit = Some(Attr::Icmp);
        }
    } else if s_proto == IPPROTO_ICMPV6 && s_dl_type == ETH_TYPE_IPV6 && not_later {
        if !is_mask {
            *expected |= bit(Attr::Icmpv6);
        }
        if let Some(i) = k.icmpv6 {
            put_u16(flow, offset::TP_SRC, u16::from(i.icmp_type));
            put_u16(flow, offset::TP_DST, u16::from(i.code));
            l4_bit = Some(Attr::Icmpv6);
            // For a key, the type and code just stored decide.
            let s_is_nd = match src {
                Some(s) => is_nd(s),
                None => is_nd(flow),
            };
            if s_is_nd {
                if !is_mask {
                    *expected |= bit(Attr::Nd);
                }
                let icmp_exact =
                    flow.u16_at(offset::TP_SRC) == 0xff && flow.u16_at(offset::TP_DST) == 0xff;
                if let Some(nd) = k.nd {
                    put_ip6(flow, offset::ND_TARGET, nd.target);
                    put_bytes(flow, offset::ARP_SHA, &nd.sll);
                    put_bytes(flow, offset::ARP_THA, &nd.tll);
                    if is_mask {
                        if nd != NdKey::default() && !icmp_exact {
                            return Err(KeyError::Invalid(
                                "ICMP (src,dst) masks should be (0xff,0xff)",
                            ));
                        }
                        *expected |= bit(Attr::Nd);
                    }
                }
                if let Some(ext) = k.nd_ext {
                    if !is_mask {
                        *expected |= bit(Attr::NdExt);
                    }
                    put_u32(flow, offset::IGMP_GROUP_IP4, ext.reserved);
                    put_u16(flow, offset::TCP_FLAGS, u16::from(ext.options_type));
                    if is_mask {
                        if ext != NdExtKey::default() && !icmp_exact {
                            return Err(KeyError::Invalid(
                                "ICMP (src,dst) masks should be (0xff,0xff)",
                            ));
                        }
                        *expected |= bit(Attr::NdExt);
                    }
                }
            }
        }
    }
    if is_mask && let Some(b) = l4_bit {
        if (flow.u16_at(offset::TP_SRC) != 0 || flow.u16_at(offset::TP_DST) != 0)
            && flow.u8_at(offset::NW_PROTO) != 0xff
        {
            return Err(KeyError::Invalid(
                "flow matches on L4 ports but does not define an L4 protocol",
            ));
        }
        *expected |= bit(b);
    }
    if need_check {
        check_expectations(present_attrs, *expected)
    } else {
        Ok(())
    }
}

/// `odp_to_ovs_frag`.
fn flow_frag(odp: u8, is_mask: bool) -> Result<u8, KeyError> {
    if is_mask {
        return Ok(if odp != 0 { FRAG_MASK } else { 0 });
    }
    match odp {
        0 => Ok(0),
        1 => Ok(FRAG_ANY),
        2 => Ok(FRAG_ANY | FRAG_LATER),
        _ => Err(KeyError::Invalid("invalid frag in flow key")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format_key::format_key;
    use crate::parse_key::parse_key;

    #[test]
    fn udp_packet_key() {
        let s = "skb_priority(0),skb_mark(0),ct_state(0),ct_zone(0),ct_mark(0),ct_label(0),\
                 recirc_id(0),dp_hash(0),in_port(1),packet_type(ns=0,id=0),\
                 eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),\
                 ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),\
                 udp(src=1234,dst=80)";
        let (k, m) = parse_key(s).unwrap();
        let support = OdpSupport::default();
        let flow = key_to_flow(&k, &support).unwrap();
        assert_eq!(flow.get_be(offset::TP_DST, 2), 80);
        assert_eq!(flow.get_be(offset::IN_PORT, 2), 1);
        assert_eq!(key_from_flow(&flow, None, &support), k);
        let mask = mask_to_flow(&m, &k, &flow, &support).unwrap();
        assert_eq!(mask.get_be(offset::NW_FRAG, 1), 3);
        // The mask as the datapath reports it: ct_state only has 8 bits, and
        // a mask always carries a tunnel attribute (printed only with a
        // tunnel in the key).
        let back = mask_from_flow(&flow, &mask, &support);
        assert_eq!(back.ct_state, Some(0xff));
        assert!(back.tunnel.is_some());
        assert_eq!(back.ipv4, m.ipv4);
        assert_eq!(back.udp, m.udp);
        assert_eq!(
            format_key(&k, Some(&back), false),
            s.replace(
                "ct_state(0)",
                "ct_state(-new-est-rel-rpl-inv-trk-snat-dnat)"
            )
        );
        assert_eq!(format_key(&k, Some(&m), false), s);
    }

    #[test]
    fn vlan_nests_and_fits() {
        let s = "in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),\
                 eth_type(0x8100),vlan(vid=10,pcp=3),encap(eth_type(0x0800),\
                 ipv4(src=1.1.1.1,dst=2.2.2.2,proto=1,tos=0,ttl=64,frag=no),icmp(type=8,code=0))";
        let (k, _) = parse_key(s).unwrap();
        let support = OdpSupport::default();
        let flow = key_to_flow(&k, &support).unwrap();
        assert_eq!(flow.get_be(offset::VLAN0_TPID, 2), 0x8100);
        assert_eq!(flow.get_be(offset::VLAN0_TCI, 2), 0x1000 | 10 | (3 << 13));
        assert_eq!(flow.get_be(offset::DL_TYPE, 2), 0x0800);
        let back = key_from_flow(&flow, None, &support);
        assert_eq!(back.encap, k.encap);
        assert_eq!(back.vlan, k.vlan);

        // Missing ICMP attribute: too little.
        let (k, _) = parse_key("eth_type(0x0800),ipv4(proto=1)").unwrap();
        assert_eq!(key_to_flow(&k, &support), Err(KeyError::TooLittle));
        // A TCP attribute on UDP: too much.
        let (k, _) = parse_key("eth_type(0x0800),ipv4(proto=17),udp(),tcp()").unwrap();
        assert_eq!(key_to_flow(&k, &support), Err(KeyError::TooMuch));
    }
}
