//! Flow extraction: OVS's `flow_extract()` (`miniflow_extract()` followed
//! by expansion into a whole flow), and the layer offsets it leaves in a
//! `dp_packet`.
//!
//! The rules are OVS 3.1's, including the ones that look odd: a bad layer
//! stops the parse and leaves that layer's fields and everything after it
//! zero, but what was read before stays; the ICMP, IGMP and ICMPv6 parsers
//! run on the protocol number whatever the IP version; ND options are read
//! until one is malformed, and a repeated link-layer option throws away
//! the target and both addresses but not the option type already seen.

use ovs_flow::{Flow, offset};

use crate::ethernet::{EtherType, HEADER_LEN as ETH_HEADER_LEN, LlcSnapHeader, VLAN_CFI};
use crate::field::{array, be16, range, rest, u8_at};
use crate::icmpv6::{
    ND_OPT_SOURCE_LINKADDR, ND_OPT_TARGET_LINKADDR, ND_OPT_UNIT, NEIGHBOR_ADVERT, NEIGHBOR_SOLICIT,
};
use crate::ip::{FRAG_ANY, FRAG_LATER, IpProtocol};
use crate::ipv4::Ipv4Packet;
use crate::ipv6::{FLOW_LABEL_MASK, FRAG_OFFSET_MASK, Ipv6Packet};
use crate::nsh;

/// The packet type of an Ethernet frame (OVS's `PT_ETH`); any other value
/// is `(namespace << 16) | type`, and with namespace 1 the type is an
/// Ethernet type naming the packet's first header.
pub const PT_ETH: u32 = 0;
/// VLAN headers a flow can hold (OVS's `FLOW_MAX_VLAN_HEADERS`).
pub const MAX_VLAN_HEADERS: usize = 2;
/// MPLS label stack entries a flow holds (OVS's `FLOW_MAX_MPLS_LABELS`).
pub const MAX_MPLS_LABELS: usize = 3;

/// The original direction's addresses, ports and protocol of a connection
/// that conntrack has seen (OVS's `ct_orig_tuple`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CtTuple {
    V4 {
        src: [u8; 4],
        dst: [u8; 4],
        src_port: u16,
        dst_port: u16,
        proto: u8,
    },
    V6 {
        src: [u8; 16],
        dst: [u8; 16],
        src_port: u16,
        dst_port: u16,
        proto: u8,
    },
}

/// What the datapath knows about a packet besides its bytes (OVS's
/// `pkt_metadata`, less the tunnel: a caller with tunnel metadata writes
/// the tunnel fields into the flow after [`extract`], which zeroes them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Metadata {
    /// The input port. The flow layout stores 16 bits, so datapath port
    /// numbers must fit in 16 bits.
    pub in_port: u16,
    /// [`PT_ETH`] for Ethernet frames.
    pub packet_type: u32,
    pub recirc_id: u32,
    pub dp_hash: u32,
    pub skb_priority: u32,
    pub pkt_mark: u32,
    /// Conntrack state; 0 (untracked) also hides `ct_zone`, `ct_mark`,
    /// `ct_label` and the original tuple, as in OVS.
    pub ct_state: u8,
    pub ct_zone: u16,
    pub ct_mark: u32,
    /// Big-endian, as the flow stores it.
    pub ct_label: [u8; 16],
    pub ct_orig_tuple: Option<CtTuple>,
}

/// Where the layers start in the packet (OVS's `dp_packet` offsets; L2
/// starts at 0). `None` is OVS's `UINT16_MAX`: no such layer, or the
/// parse stopped before it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Offsets {
    /// The MPLS label stack.
    pub l2_5: Option<usize>,
    /// The network header: after the Ethernet header, VLAN headers and
    /// LLC/SNAP (if any), or after the MPLS label stack.
    pub l3: Option<usize>,
    /// The transport header: after the IPv4 header or after the IPv6
    /// header and its extension headers, when those were good.
    pub l4: Option<usize>,
    /// Bytes past the IP packet's stated length (link-layer padding).
    pub l2_pad: usize,
}

/// Where extracted fields go: a flow, or nowhere when only the offsets are
/// wanted. Monomorphised, so the offsets-only parse writes nothing at all.
trait Sink {
    fn put<const N: usize>(&mut self, at: usize, value: [u8; N]);
}

impl Sink for Flow {
    #[inline(always)]
    fn put<const N: usize>(&mut self, at: usize, value: [u8; N]) {
        if let Some(dst) = self.as_bytes_mut().get_mut(at..at + N) {
            dst.copy_from_slice(&value);
        }
    }
}

struct Discard;

impl Sink for Discard {
    #[inline(always)]
    fn put<const N: usize>(&mut self, _: usize, _: [u8; N]) {}
}

/// The process's VLAN limit for [`extract`] (OVS's global
/// `flow_vlan_limit`); 0, the default, parses every tag a flow can hold.
static VLAN_LIMIT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Sets the VLAN limit [`extract`] applies from now on, process-wide, as
/// `ovs-vswitchd` does from `other_config:vlan-limit` (its default is 1).
pub fn set_vlan_limit(limit: usize) {
    VLAN_LIMIT.store(limit, std::sync::atomic::Ordering::Relaxed);
}

/// The VLAN limit [`extract`] applies (0: [`MAX_VLAN_HEADERS`]).
pub fn vlan_limit() -> usize {
    VLAN_LIMIT.load(std::sync::atomic::Ordering::Relaxed)
}

/// Reads `packet` into `flow` (overwriting all of it) as OVS's
/// `flow_extract()` does, with as many VLAN headers as the process's
/// [`vlan_limit`] allows, and returns the layer offsets. Never panics,
/// never allocates.
pub fn extract(packet: &[u8], md: &Metadata, flow: &mut Flow) -> Offsets {
    extract_with_vlan_limit(packet, md, vlan_limit(), flow)
}

/// [`extract`] with OVS's `other_config:vlan-limit`: at most `vlan_limit`
/// VLAN headers are parsed (0 means [`MAX_VLAN_HEADERS`], larger values
/// are capped to it); a tag past the limit is left as the Ethernet type.
pub fn extract_with_vlan_limit(
    packet: &[u8],
    md: &Metadata,
    vlan_limit: usize,
    flow: &mut Flow,
) -> Offsets {
    *flow = Flow::ZERO;
    put_metadata(md, flow);
    parse(packet, md, vlan_limit, flow)
}

/// The layer offsets [`extract`] would return, without a flow.
pub fn offsets(packet: &[u8], packet_type: u32, vlan_limit: usize) -> Offsets {
    let md = Metadata {
        packet_type,
        ..Metadata::default()
    };
    parse(packet, &md, vlan_limit, &mut Discard)
}

fn put_metadata(md: &Metadata, out: &mut impl Sink) {
    out.put(offset::SKB_PRIORITY, md.skb_priority.to_be_bytes());
    out.put(offset::PKT_MARK, md.pkt_mark.to_be_bytes());
    out.put(offset::DP_HASH, md.dp_hash.to_be_bytes());
    out.put(offset::IN_PORT, md.in_port.to_be_bytes());
    out.put(offset::RECIRC_ID, md.recirc_id.to_be_bytes());
    if md.ct_state != 0 {
        out.put(offset::CT_STATE, u32::from(md.ct_state).to_be_bytes());
        out.put(offset::CT_ZONE, md.ct_zone.to_be_bytes());
        out.put(offset::CT_MARK, md.ct_mark.to_be_bytes());
        out.put(offset::CT_LABEL, md.ct_label);
    }
    out.put(offset::PACKET_TYPE, md.packet_type.to_be_bytes());
}

const ETH_TYPE_MIN: u16 = EtherType::MIN.0;

/// The Ethernet type after the MAC addresses and VLAN headers at `pos`
/// (OVS's `parse_ethertype`), and where the payload starts. An 802.3
/// length is followed by LLC; only SNAP with OUI 0 and a real type names
/// a type, and only then is the LLC/SNAP header skipped.
#[inline(always)]
fn ether_type(packet: &[u8], mut pos: usize) -> (u16, usize) {
    let proto = be16(packet, pos);
    pos += 2;
    if proto >= ETH_TYPE_MIN {
        return (proto, pos);
    }
    let Ok(llc) = LlcSnapHeader::new_checked(rest(packet, pos)) else {
        return (EtherType::NONE.0, pos);
    };
    if !llc.is_ethernet_snap() {
        return (EtherType::NONE.0, pos);
    }
    pos += crate::ethernet::LLC_SNAP_HEADER_LEN;
    let snap_type = llc.snap_type().0;
    if snap_type >= ETH_TYPE_MIN {
        (snap_type, pos)
    } else {
        (EtherType::NONE.0, pos)
    }
}

#[inline(always)]
fn parse(packet: &[u8], md: &Metadata, vlan_limit: usize, out: &mut impl Sink) -> Offsets {
    let mut offsets = Offsets::default();
    let dl_type;
    let mut pos;
    if md.packet_type == PT_ETH {
        if packet.len() < ETH_HEADER_LEN {
            return offsets;
        }
        out.put(offset::DL_DST, array::<6>(packet, 0));
        out.put(offset::DL_SRC, array::<6>(packet, 6));
        pos = 12;
        let limit = match vlan_limit {
            0 => MAX_VLAN_HEADERS,
            n => n.min(MAX_VLAN_HEADERS),
        };
        let mut n = 0;
        while n < limit {
            let tpid = be16(packet, pos);
            // A tag needs its TCI and the next type after it.
            if !EtherType(tpid).is_vlan() || packet.len() - pos < 6 {
                break;
            }
            let tci = be16(packet, pos + 2) | VLAN_CFI;
            out.put(offset::VLAN0_TPID + 4 * n, tpid.to_be_bytes());
            out.put(offset::VLAN0_TCI + 4 * n, tci.to_be_bytes());
            pos += 4;
            n += 1;
        }
        (dl_type, pos) = ether_type(packet, pos);
    } else {
        pos = 0;
        dl_type = md.packet_type as u16;
    }
    out.put(offset::DL_TYPE, dl_type.to_be_bytes());

    if EtherType(dl_type).is_mpls() {
        offsets.l2_5 = Some(pos);
        let mut count = 0;
        while let Some(entry) = packet.get(pos..pos + 4) {
            let lse = array::<4>(entry, 0);
            if count < MAX_MPLS_LABELS {
                out.put(offset::MPLS_LSE0 + 4 * count, lse);
            }
            count += 1;
            pos += 4;
            if u32::from_be_bytes(lse) & crate::mpls::BOS_MASK != 0 {
                break;
            }
        }
    }

    offsets.l3 = Some(pos);
    let l3 = rest(packet, pos);
    let (l4, nw_frag, nw_tos, nw_ttl, nw_proto);
    let mut ct_ports = [0u8; 4];
    match EtherType(dl_type) {
        EtherType::IPV4 => {
            let Ok(ip) = Ipv4Packet::new_checked(l3) else {
                return offsets;
            };
            let total_len = usize::from(ip.total_len());
            // OVS also refuses more than 64 KiB of trailing bytes.
            if l3.len() - total_len > usize::from(u16::MAX) {
                return offsets;
            }
            offsets.l2_pad = l3.len() - total_len;
            out.put(offset::NW_SRC, ip.src());
            out.put(offset::NW_DST, ip.dst());
            if md.ct_state != 0
                && let Some(CtTuple::V4 {
                    src,
                    dst,
                    src_port,
                    dst_port,
                    proto,
                }) = md.ct_orig_tuple
            {
                out.put(offset::CT_NW_PROTO, [proto]);
                if proto != 0 {
                    out.put(offset::CT_NW_SRC, src);
                    out.put(offset::CT_NW_DST, dst);
                    ct_ports = concat_ports(src_port, dst_port);
                }
            }
            nw_tos = ip.tos();
            nw_ttl = ip.ttl();
            nw_proto = ip.protocol().0;
            nw_frag = if ip.is_fragment() {
                if ip.frag_offset() != 0 {
                    FRAG_ANY | FRAG_LATER
                } else {
                    FRAG_ANY
                }
            } else {
                0
            };
            l4 = range(l3, ip.header_len(), total_len);
            offsets.l4 = Some(pos + ip.header_len());
        }
        EtherType::IPV6 => {
            let Ok(ip) = Ipv6Packet::new_checked(l3) else {
                return offsets;
            };
            let ip_len = crate::ipv6::HEADER_LEN + usize::from(ip.payload_len());
            if l3.len() - ip_len > usize::from(u16::MAX) {
                return offsets;
            }
            offsets.l2_pad = l3.len() - ip_len;
            out.put(offset::IPV6_SRC, ip.src());
            out.put(offset::IPV6_DST, ip.dst());
            if md.ct_state != 0
                && let Some(CtTuple::V6 {
                    src,
                    dst,
                    src_port,
                    dst_port,
                    proto,
                }) = md.ct_orig_tuple
            {
                out.put(offset::CT_NW_PROTO, [proto]);
                if proto != 0 {
                    out.put(offset::CT_IPV6_SRC, src);
                    out.put(offset::CT_IPV6_DST, dst);
                    ct_ports = concat_ports(src_port, dst_port);
                }
            }
            nw_tos = ip.traffic_class();
            nw_ttl = ip.hop_limit();
            let Some((proto, frag, upper)) =
                walk_ipv6_ext_headers(ip.next_header(), range(l3, crate::ipv6::HEADER_LEN, ip_len))
            else {
                return offsets;
            };
            nw_proto = proto;
            nw_frag = frag;
            out.put(
                offset::IPV6_LABEL,
                (ip.flow_label() & FLOW_LABEL_MASK).to_be_bytes(),
            );
            offsets.l4 = Some(pos + ip_len - upper.len());
            l4 = upper;
        }
        EtherType::ARP | EtherType::RARP => {
            parse_arp(l3, out);
            return offsets;
        }
        EtherType::NSH => {
            parse_nsh(l3, out);
            return offsets;
        }
        _ => return offsets,
    }

    out.put(offset::NW_FRAG, [nw_frag]);
    out.put(offset::NW_TOS, [nw_tos]);
    out.put(offset::NW_TTL, [nw_ttl]);
    out.put(offset::NW_PROTO, [nw_proto]);
    if nw_frag & FRAG_LATER == 0 {
        parse_l4(IpProtocol(nw_proto), l4, ct_ports, out);
    }
    offsets
}

fn concat_ports(src: u16, dst: u16) -> [u8; 4] {
    let (s, d) = (src.to_be_bytes(), dst.to_be_bytes());
    [s[0], s[1], d[0], d[1]]
}

/// OVS's `parse_ipv6_ext_hdrs`: walks hop-by-hop, routing, destination
/// options, AH and fragment headers. Returns the protocol to record, the
/// `nw_frag` bits and the bytes after the last header walked, or `None` if
/// a header runs past the payload (then OVS keeps only the addresses).
/// A later fragment stops the walk with protocol 44 (fragment).
#[inline(always)]
fn walk_ipv6_ext_headers(mut proto: IpProtocol, mut data: &[u8]) -> Option<(u8, u8, &[u8])> {
    let mut frag = 0;
    while proto.is_ipv6_extension() {
        // Every extension header is at least 8 bytes; OVS asks for that
        // much before looking at any of them.
        if data.len() < 8 {
            return None;
        }
        let current = proto;
        proto = IpProtocol(u8_at(data, 0));
        let len = match current {
            IpProtocol::FRAGMENT => crate::ipv6::FRAGMENT_HEADER_LEN,
            IpProtocol::AH => (usize::from(u8_at(data, 1)) + 2) * 4,
            _ => (usize::from(u8_at(data, 1)) + 1) * 8,
        };
        let offset_flags = be16(data, 2);
        data = data.get(len..)?;
        if current == IpProtocol::FRAGMENT && offset_flags != 0 {
            // Any nonzero bit, even a reserved one, makes it a fragment;
            // only the first fragment has headers after this one.
            frag = FRAG_ANY;
            if offset_flags & FRAG_OFFSET_MASK != 0 {
                return Some((IpProtocol::FRAGMENT.0, frag | FRAG_LATER, data));
            }
        }
    }
    Some((proto.0, frag, data))
}

/// OVS's ARP parse: only Ethernet/IPv4 ARP of at least 28 bytes is read;
/// the opcode is kept only if it fits the 8 bits of `nw_proto`.
fn parse_arp(l3: &[u8], out: &mut impl Sink) {
    let Ok(arp) = crate::arp::ArpPacket::new_checked(l3) else {
        return;
    };
    if l3.len() < crate::arp::ETH_IPV4_LEN || !arp.is_ethernet_ipv4() {
        return;
    }
    out.put(offset::NW_SRC, arp.spa());
    out.put(offset::NW_DST, arp.tpa());
    if let Ok(op) = u8::try_from(arp.operation()) {
        out.put(offset::NW_PROTO, [op]);
    }
    out.put(offset::ARP_SHA, arp.sha());
    out.put(offset::ARP_THA, arp.tha());
}

/// OVS's `parse_nsh`: version 0, a length within the packet, and for MD
/// type 1 exactly 24 bytes; the context is kept for MD type 1 only. The
/// MD type is the whole byte, reserved bits included.
fn parse_nsh(l3: &[u8], out: &mut impl Sink) {
    if l3.len() < nsh::BASE_HEADER_LEN {
        return;
    }
    let Ok(h) = nsh::NshHeader::new_checked(l3) else {
        return;
    };
    let context = match h.md_type_byte() {
        nsh::MD_TYPE1 if h.header_len() != nsh::MD_TYPE1_LEN => return,
        nsh::MD_TYPE1 => h.md1_context(),
        nsh::MD_TYPE2 if h.header_len() < nsh::BASE_HEADER_LEN => return,
        _ => [0; 16],
    };
    out.put(offset::NSH_FLAGS, [h.flags()]);
    out.put(offset::NSH_TTL, [h.ttl()]);
    out.put(offset::NSH_MDTYPE, [h.md_type_byte()]);
    out.put(offset::NSH_NP, [h.next_proto()]);
    out.put(offset::NSH_PATH_HDR, h.path_hdr().to_be_bytes());
    out.put(offset::NSH_CONTEXT, context);
}

/// The transport fields, each protocol needing only its fixed header (TCP
/// also a data offset within the bytes). A header too short leaves every
/// transport field zero.
#[inline(always)]
fn parse_l4(proto: IpProtocol, l4: &[u8], ct_ports: [u8; 4], out: &mut impl Sink) {
    let ports = |out: &mut _| {
        put_ports(out, array::<4>(l4, 0), ct_ports);
    };
    match proto {
        IpProtocol::TCP if l4.len() >= crate::tcp::HEADER_LEN => {
            let header_len = usize::from(u8_at(l4, 12) >> 4) * 4;
            if header_len >= crate::tcp::HEADER_LEN && l4.len() >= header_len {
                let flags = be16(l4, 12) & crate::tcp::flags::MASK;
                out.put(offset::TCP_FLAGS, flags.to_be_bytes());
                ports(out);
            }
        }
        IpProtocol::UDP if l4.len() >= crate::udp::HEADER_LEN => ports(out),
        IpProtocol::SCTP if l4.len() >= crate::sctp::HEADER_LEN => ports(out),
        IpProtocol::ICMP if l4.len() >= crate::icmpv4::HEADER_LEN => {
            put_ports(out, type_code(l4), ct_ports);
        }
        IpProtocol::IGMP if l4.len() >= crate::igmp::HEADER_LEN => {
            put_ports(out, type_code(l4), ct_ports);
            out.put(offset::IGMP_GROUP_IP4, array::<4>(l4, 4));
        }
        IpProtocol::ICMPV6 if l4.len() >= crate::icmpv6::HEADER_LEN => {
            let (msg_type, code) = (u8_at(l4, 0), u8_at(l4, 1));
            if code == 0 && (msg_type == NEIGHBOR_SOLICIT || msg_type == NEIGHBOR_ADVERT) {
                parse_nd(l4, out);
                // ND leaves the conntrack ports zero.
                out.put(offset::TP_SRC, [0, msg_type]);
                out.put(offset::TP_DST, [0, code]);
            } else {
                put_ports(out, type_code(l4), ct_ports);
            }
        }
        _ => {}
    }
}

/// An ICMP-style type and code as the 16-bit `tp_src` and `tp_dst`.
fn type_code(l4: &[u8]) -> [u8; 4] {
    [0, u8_at(l4, 0), 0, u8_at(l4, 1)]
}

#[inline(always)]
fn put_ports(out: &mut impl Sink, ports: [u8; 4], ct_ports: [u8; 4]) {
    out.put(offset::TP_SRC, [ports[0], ports[1]]);
    out.put(offset::TP_DST, [ports[2], ports[3]]);
    out.put(offset::CT_TP_SRC, [ct_ports[0], ct_ports[1]]);
    out.put(offset::CT_TP_DST, [ct_ports[2], ct_ports[3]]);
}

/// OVS's `parse_icmpv6` for a neighbour solicitation or advertisement
/// (`l4` starts at the ICMPv6 header and holds at least its 8 bytes).
fn parse_nd(l4: &[u8], out: &mut impl Sink) {
    // The word after the checksum, reserved or R/S/O flags: `nd_reserved`,
    // stored where IGMP's group goes.
    out.put(offset::IGMP_GROUP_IP4, array::<4>(l4, 4));
    let body = rest(l4, crate::icmpv6::HEADER_LEN);
    let Some((target, mut opts)) = body.split_first_chunk::<16>() else {
        return;
    };
    let mut target = Some(*target);
    let (mut sll, mut tll) = ([0u8; 6], [0u8; 6]);
    let mut opt_type = 0u8;
    while opts.len() >= ND_OPT_UNIT {
        let kind = u8_at(opts, 0);
        let len = usize::from(u8_at(opts, 1)) * ND_OPT_UNIT;
        if len == 0 || len > opts.len() {
            break;
        }
        let slot = match kind {
            ND_OPT_SOURCE_LINKADDR if len == ND_OPT_UNIT => Some(&mut sll),
            ND_OPT_TARGET_LINKADDR if len == ND_OPT_UNIT => Some(&mut tll),
            _ => None,
        };
        if let Some(slot) = slot {
            // A second address of the same kind makes the message invalid
            // (unless the first was all zeros, which OVS cannot tell from
            // none); the option type already seen stays.
            if *slot != [0; 6] {
                target = None;
                sll = [0; 6];
                tll = [0; 6];
                break;
            }
            *slot = array::<6>(opts, 2);
            if opt_type == 0 {
                opt_type = kind;
            }
        }
        opts = rest(opts, len);
    }
    if let Some(t) = target {
        out.put(offset::ND_TARGET, t);
    }
    out.put(offset::ARP_SHA, sll);
    out.put(offset::ARP_THA, tll);
    if opt_type != 0 {
        out.put(offset::TCP_FLAGS, [0, opt_type]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MACS: [u8; 12] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1];

    fn frame(parts: &[&[u8]]) -> Vec<u8> {
        let mut p = MACS.to_vec();
        for part in parts {
            p.extend_from_slice(part);
        }
        p
    }

    fn ipv4(proto: u8, payload: &[u8]) -> Vec<u8> {
        let total = (20 + payload.len()) as u16;
        let mut h = vec![
            0x45, 0, 0, 0, 0, 1, 0, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ];
        h[2..4].copy_from_slice(&total.to_be_bytes());
        h.extend_from_slice(payload);
        h
    }

    fn ipv6(next: u8, payload: &[u8]) -> Vec<u8> {
        let mut h = vec![0x60, 0, 0, 0, 0, 0, next, 64];
        h[4..6].copy_from_slice(&(payload.len() as u16).to_be_bytes());
        h.extend_from_slice(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        h.extend_from_slice(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
        h.extend_from_slice(payload);
        h
    }

    fn run(packet: &[u8]) -> (Flow, Offsets) {
        let mut flow = Flow::ZERO;
        let o = extract(packet, &Metadata::default(), &mut flow);
        (flow, o)
    }

    #[test]
    fn metadata_is_written() {
        let md = Metadata {
            in_port: 7,
            packet_type: PT_ETH,
            recirc_id: 0x11,
            dp_hash: 0x22,
            skb_priority: 0x33,
            pkt_mark: 0x44,
            ct_state: 0x21,
            ct_zone: 5,
            ct_mark: 6,
            ct_label: [9; 16],
            ct_orig_tuple: None,
        };
        let mut flow = Flow::ONES;
        extract(&[], &md, &mut flow);
        assert_eq!(flow.get_be(offset::IN_PORT, 2), 7);
        assert_eq!(flow.get_be(offset::RECIRC_ID, 4), 0x11);
        assert_eq!(flow.get_be(offset::DP_HASH, 4), 0x22);
        assert_eq!(flow.get_be(offset::SKB_PRIORITY, 4), 0x33);
        assert_eq!(flow.get_be(offset::PKT_MARK, 4), 0x44);
        assert_eq!(flow.get_be(offset::CT_STATE, 4), 0x21);
        assert_eq!(flow.get_be(offset::CT_ZONE, 2), 5);
        assert_eq!(flow.get_be(offset::CT_MARK, 4), 6);
        assert_eq!(flow.bytes(offset::CT_LABEL, 16), &[9; 16]);
        assert_eq!(flow.get_be(offset::DL_TYPE, 2), 0);
        // Untracked: the other conntrack fields are hidden.
        let mut flow = Flow::ZERO;
        extract(&[], &Metadata { ct_state: 0, ..md }, &mut flow);
        assert_eq!(flow.get_be(offset::CT_ZONE, 2), 0);
        assert_eq!(flow.get_be(offset::CT_MARK, 4), 0);
        assert_eq!(flow.bytes(offset::CT_LABEL, 16), &[0; 16]);
        assert_eq!(flow.get_be(offset::RECIRC_ID, 4), 0x11);
    }

    #[test]
    fn conntrack_original_tuple() {
        let udp = [0x04, 0xd2, 0x16, 0x2e, 0, 8, 0, 0];
        let p = frame(&[&[0x08, 0x00], &ipv4(17, &udp)]);
        let v4 = CtTuple::V4 {
            src: [1, 1, 1, 1],
            dst: [2, 2, 2, 2],
            src_port: 10,
            dst_port: 20,
            proto: 17,
        };
        let md = Metadata {
            ct_state: 0x22,
            ct_orig_tuple: Some(v4),
            ..Metadata::default()
        };
        let mut flow = Flow::ZERO;
        extract(&p, &md, &mut flow);
        assert_eq!(flow.get_be(offset::CT_NW_PROTO, 1), 17);
        assert_eq!(flow.bytes(offset::CT_NW_SRC, 4), &[1, 1, 1, 1]);
        assert_eq!(flow.bytes(offset::CT_NW_DST, 4), &[2, 2, 2, 2]);
        assert_eq!(flow.get_be(offset::CT_TP_SRC, 2), 10);
        assert_eq!(flow.get_be(offset::CT_TP_DST, 2), 20);
        // A tuple of the other family is ignored, as is one without state.
        let p6 = frame(&[&[0x86, 0xdd], &ipv6(17, &udp)]);
        extract(&p6, &md, &mut flow);
        assert_eq!(flow.get_be(offset::CT_NW_PROTO, 1), 0);
        assert_eq!(flow.get_be(offset::CT_TP_SRC, 2), 0);
        extract(&p, &Metadata { ct_state: 0, ..md }, &mut flow);
        assert_eq!(flow.get_be(offset::CT_NW_PROTO, 1), 0);
        let v6 = CtTuple::V6 {
            src: [3; 16],
            dst: [4; 16],
            src_port: 30,
            dst_port: 40,
            proto: 17,
        };
        extract(
            &p6,
            &Metadata {
                ct_orig_tuple: Some(v6),
                ..md
            },
            &mut flow,
        );
        assert_eq!(flow.bytes(offset::CT_IPV6_SRC, 16), &[3; 16]);
        assert_eq!(flow.bytes(offset::CT_IPV6_DST, 16), &[4; 16]);
        assert_eq!(flow.get_be(offset::CT_TP_DST, 2), 40);
    }

    #[test]
    fn vlan_tpids_and_limit() {
        let p = frame(&[
            &[0x88, 0xa8, 0x00, 0x0a, 0x81, 0x00, 0x20, 0x14, 0x08, 0x00],
            &ipv4(253, &[]),
        ]);
        let (flow, o) = run(&p);
        assert_eq!(flow.get_be(offset::VLAN0_TPID, 2), 0x88a8);
        assert_eq!(flow.get_be(offset::VLAN0_TCI, 2), 0x100a);
        assert_eq!(flow.get_be(offset::VLAN1_TPID, 2), 0x8100);
        assert_eq!(flow.get_be(offset::VLAN1_TCI, 2), 0x3014);
        assert_eq!(flow.get_be(offset::DL_TYPE, 2), 0x0800);
        assert_eq!((o.l3, o.l4), (Some(22), Some(42)));
        let mut one = Flow::ZERO;
        let o = extract_with_vlan_limit(&p, &Metadata::default(), 1, &mut one);
        assert_eq!(one.get_be(offset::VLAN0_TCI, 2), 0x100a);
        assert_eq!(one.get_be(offset::VLAN1_TCI, 2), 0);
        assert_eq!(one.get_be(offset::VLAN1_TPID, 2), 0);
        assert_eq!(one.get_be(offset::DL_TYPE, 2), 0x8100);
        assert_eq!((o.l3, o.l4), (Some(18), None));
        assert_eq!(offsets(&p, PT_ETH, 1), o);
        assert_eq!(offsets(&p, PT_ETH, 9), offsets(&p, PT_ETH, 0));
    }

    #[test]
    fn offsets_and_padding() {
        let udp = [0x04, 0xd2, 0x16, 0x2e, 0, 8, 0, 0];
        let mut p = frame(&[&[0x08, 0x00], &ipv4(17, &udp)]);
        p.resize(60, 0);
        let (_, o) = run(&p);
        assert_eq!(
            o,
            Offsets {
                l2_5: None,
                l3: Some(14),
                l4: Some(34),
                l2_pad: 18
            }
        );
        let mpls = frame(&[&[0x88, 0x47, 0, 1, 0, 64, 0, 2, 1, 64], &ipv4(17, &udp)]);
        let (flow, o) = run(&mpls);
        assert_eq!((o.l2_5, o.l3, o.l4), (Some(14), Some(22), None));
        assert_eq!(flow.get_be(offset::MPLS_LSE1, 4), 0x0002_0140);
        // Runts have no layers at all; a bad IPv4 header keeps L3 only.
        assert_eq!(run(&p[..13]).1, Offsets::default());
        let mut bad = p.clone();
        bad[14] = 0x44;
        assert_eq!(run(&bad).1.l3, Some(14));
        assert_eq!(run(&bad).1.l4, None);
        // IPv6 extension headers move L4.
        let hbh = [17, 0, 1, 4, 0, 0, 0, 0];
        let mut payload = hbh.to_vec();
        payload.extend_from_slice(&udp);
        let p6 = frame(&[&[0x86, 0xdd], &ipv6(0, &payload), &[0; 3]]);
        let (flow, o) = run(&p6);
        assert_eq!((o.l3, o.l4, o.l2_pad), (Some(14), Some(62), 3));
        assert_eq!(flow.get_be(offset::TP_DST, 2), 5678);
        // LLC/SNAP moves L3 past it.
        let snap = frame(&[
            &[0, 36, 0xaa, 0xaa, 3, 0, 0, 0, 0x08, 0x00],
            &ipv4(17, &udp),
        ]);
        let (flow, o) = run(&snap);
        assert_eq!((o.l3, o.l4), (Some(22), Some(42)));
        assert_eq!(flow.get_be(offset::TP_SRC, 2), 1234);
    }

    #[test]
    fn packet_types_other_than_ethernet() {
        let udp = [0x04, 0xd2, 0x16, 0x2e, 0, 8, 0, 0];
        let p = ipv4(17, &udp);
        let md = Metadata {
            packet_type: 0x0001_0800,
            ..Metadata::default()
        };
        let mut flow = Flow::ZERO;
        let o = extract(&p, &md, &mut flow);
        assert_eq!(flow.get_be(offset::PACKET_TYPE, 4), 0x0001_0800);
        assert_eq!(flow.get_be(offset::DL_TYPE, 2), 0x0800);
        assert_eq!(flow.bytes(offset::DL_SRC, 6), &[0; 6]);
        assert_eq!(flow.get_be(offset::TP_DST, 2), 5678);
        assert_eq!((o.l3, o.l4), (Some(0), Some(20)));
        assert_eq!(offsets(&p, 0x0001_0800, 0), o);
    }

    #[test]
    fn igmp_group_and_nd_extras() {
        let igmp = [0x16, 0, 0, 0, 239, 1, 2, 3];
        let (flow, _) = run(&frame(&[&[0x08, 0x00], &ipv4(2, &igmp)]));
        assert_eq!(flow.bytes(offset::IGMP_GROUP_IP4, 4), &[239, 1, 2, 3]);
        assert_eq!(flow.get_be(offset::TP_SRC, 2), 0x16);

        // An advertisement with R|S|O and a TLL then an SLL: the option
        // type recorded is the first one's.
        let mut na = vec![136, 0, 0, 0, 0xe0, 0, 0, 0x01];
        na.extend_from_slice(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]);
        na.extend_from_slice(&[2, 1, 0, 0, 0, 0, 0, 2, 1, 1, 0, 0, 0, 0, 0, 1]);
        let (flow, _) = run(&frame(&[&[0x86, 0xdd], &ipv6(58, &na)]));
        assert_eq!(flow.get_be(offset::IGMP_GROUP_IP4, 4), 0xe000_0001);
        assert_eq!(flow.get_be(offset::TCP_FLAGS, 2), 2);
        assert_eq!(flow.bytes(offset::ARP_SHA, 6), &[0, 0, 0, 0, 0, 1]);
        assert_eq!(flow.bytes(offset::ARP_THA, 6), &[0, 0, 0, 0, 0, 2]);
        assert_eq!(flow.get_be(offset::CT_TP_SRC, 2), 0);

        // A repeated SLL voids target and addresses, not the option type.
        let mut ns = vec![135, 0, 0, 0, 0, 0, 0, 0];
        ns.extend_from_slice(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]);
        ns.extend_from_slice(&[1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 3]);
        let (flow, _) = run(&frame(&[&[0x86, 0xdd], &ipv6(58, &ns)]));
        assert_eq!(flow.bytes(offset::ND_TARGET, 16), &[0; 16]);
        assert_eq!(flow.bytes(offset::ARP_SHA, 6), &[0; 6]);
        assert_eq!(flow.get_be(offset::TCP_FLAGS, 2), 1);
        assert_eq!(flow.get_be(offset::TP_SRC, 2), 135);
    }

    #[test]
    fn extract_overwrites_everything() {
        let mut flow = Flow::ONES;
        extract(&MACS, &Metadata::default(), &mut flow);
        assert!(flow.is_zero());
    }
}
