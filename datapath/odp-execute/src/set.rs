//! `set(...)` and masked `set(...)`: rewriting header fields in place with
//! their checksums, and metadata fields beside the packet (OVS's
//! `odp_execute_set_action`, `odp_execute_masked_set_action` and the
//! `packet_set_*` helpers).
//!
//! OVS writes where the `dp_packet` offsets point and trusts the megaflow
//! match to have checked that the header is there and is the right kind.
//! We check it here instead, from the packet itself: a set whose header is
//! missing, cut short or of another kind is skipped, which is what OVS does
//! on every packet a correct megaflow lets through, and keeps a wrong
//! action list from corrupting unrelated bytes.

use std::net::{Ipv4Addr, Ipv6Addr};

use ovs_odp::{ArpKey, DpKey, EthKey, IcmpKey, Ipv4Key, Ipv6Key, NdExtKey, NdKey, PortsKey};
use ovs_packet::checksum::{
    self, pseudo_header_ipv6, update_bytes, update_bytes_udp, update16, update16_udp,
};
use ovs_packet::icmpv6::{
    ND_HEADER_LEN, ND_OPT_SOURCE_LINKADDR, ND_OPT_TARGET_LINKADDR, ND_OPT_UNIT, NEIGHBOR_ADVERT,
    NEIGHBOR_SOLICIT,
};
use ovs_packet::sctp::SctpPacket;

use crate::bytes::{array, be16, be32, masked, put, put_be16, put_be32};
use crate::packet::{Layout, Packet};

const ETH_TYPE_IPV4: u16 = 0x0800;
const ETH_TYPE_IPV6: u16 = 0x86dd;
const ETH_TYPE_ARP: u16 = 0x0806;
const ETH_TYPE_RARP: u16 = 0x8035;

const PROTO_ICMP: u8 = 1;
const PROTO_TCP: u8 = 6;
const PROTO_UDP: u8 = 17;
const PROTO_ICMPV6: u8 = 58;
const PROTO_SCTP: u8 = 132;

const IPV4_HEADER_LEN: usize = 20;
const IPV6_HEADER_LEN: usize = 40;
const TCP_HEADER_LEN: usize = 20;
const UDP_HEADER_LEN: usize = 8;
const SCTP_HEADER_LEN: usize = 12;
const ICMP_HEADER_LEN: usize = 8;
const ICMPV6_HEADER_LEN: usize = 4;
const ARP_ETH_IPV4_LEN: usize = 28;

/// Applies every attribute `key` holds; with `mask`, only the mask's 1
/// bits are written.
pub(crate) fn set_action(p: &mut Packet, key: &DpKey, mask: Option<&DpKey>) {
    set_metadata(p, key, mask);

    let needs_headers = key.eth.is_some()
        || key.mpls.is_some()
        || key.ipv4.is_some()
        || key.ipv6.is_some()
        || key.arp.is_some()
        || key.tcp.is_some()
        || key.udp.is_some()
        || key.sctp.is_some()
        || key.icmp.is_some()
        || key.icmpv6.is_some()
        || key.nd.is_some()
        || key.nd_ext.is_some();
    if !needs_headers {
        return;
    }
    let lay = p.layout();

    if let Some(k) = &key.eth {
        let m = mask.and_then(|m| m.eth).unwrap_or(EthKey {
            src: [0xff; 6],
            dst: [0xff; 6],
        });
        set_eth(p, k, &m);
    }
    if let Some(lse) = key.mpls.as_ref().and_then(|stack| stack.first()) {
        let m = mask
            .and_then(|m| m.mpls.as_ref())
            .and_then(|stack| stack.first().copied())
            .unwrap_or(u32::MAX);
        set_mpls(p, &lay, *lse, m);
    }
    if let Some(k) = &key.ipv4 {
        let m = mask.and_then(|m| m.ipv4).unwrap_or(Ipv4Key {
            src: Ipv4Addr::BROADCAST,
            dst: Ipv4Addr::BROADCAST,
            proto: 0xff,
            tos: 0xff,
            ttl: 0xff,
            frag: 0xff,
        });
        set_ipv4(p, &lay, k, &m);
    }
    if let Some(k) = &key.ipv6 {
        let m = mask.and_then(|m| m.ipv6).unwrap_or(Ipv6Key {
            src: Ipv6Addr::from(u128::MAX),
            dst: Ipv6Addr::from(u128::MAX),
            label: u32::MAX,
            proto: 0xff,
            tclass: 0xff,
            hlimit: 0xff,
            frag: 0xff,
        });
        set_ipv6(p, &lay, k, &m);
    }
    if let Some(k) = &key.arp {
        let m = mask.and_then(|m| m.arp).unwrap_or(ArpKey {
            sip: Ipv4Addr::BROADCAST,
            tip: Ipv4Addr::BROADCAST,
            op: 0xffff,
            sha: [0xff; 6],
            tha: [0xff; 6],
        });
        set_arp(p, &lay, k, &m);
    }
    let ports_mask = |m: Option<PortsKey>| m.unwrap_or(PortsKey::ONES);
    if let Some(k) = &key.tcp {
        set_tcp(p, &lay, k, &ports_mask(mask.and_then(|m| m.tcp)));
    }
    if let Some(k) = &key.udp {
        set_udp(p, &lay, k, &ports_mask(mask.and_then(|m| m.udp)));
    }
    if let Some(k) = &key.sctp {
        set_sctp(p, &lay, k, &ports_mask(mask.and_then(|m| m.sctp)));
    }
    if let Some(k) = &key.icmp {
        let m = mask.and_then(|m| m.icmp).unwrap_or(IcmpKey::ONES);
        set_icmp(p, &lay, PROTO_ICMP, k, &m);
    }
    if let Some(k) = &key.icmpv6 {
        let m = mask.and_then(|m| m.icmpv6).unwrap_or(IcmpKey::ONES);
        set_icmp(p, &lay, PROTO_ICMPV6, k, &m);
    }
    if let Some(k) = &key.nd {
        let m = mask.and_then(|m| m.nd).unwrap_or(NdKey {
            target: Ipv6Addr::from(u128::MAX),
            sll: [0xff; 6],
            tll: [0xff; 6],
        });
        set_nd(p, &lay, k, &m);
    }
    if let Some(k) = &key.nd_ext {
        let m = mask.and_then(|m| m.nd_ext).unwrap_or(NdExtKey {
            reserved: u32::MAX,
            options_type: 0xff,
        });
        set_nd_ext(p, &lay, k, &m);
    }
}

fn masked32(old: u32, key: u32, mask: Option<u32>) -> u32 {
    match mask {
        Some(m) => key | (old & !m),
        None => key,
    }
}

/// The attributes that live beside the packet. OVS rejects conntrack
/// attributes in `set` (xlate never emits them); we store them, so that a
/// datapath can restore conntrack state with an ordinary action list.
/// OVS does not support a masked tunnel set, so one is ignored.
fn set_metadata(p: &mut Packet, key: &DpKey, mask: Option<&DpKey>) {
    let md = &mut p.md;
    if let Some(v) = key.skb_priority {
        md.skb_priority = masked32(md.skb_priority, v, mask.and_then(|m| m.skb_priority));
    }
    if let Some(v) = key.skb_mark {
        md.pkt_mark = masked32(md.pkt_mark, v, mask.and_then(|m| m.skb_mark));
    }
    if let Some(v) = key.dp_hash {
        md.dp_hash = masked32(md.dp_hash, v, mask.and_then(|m| m.dp_hash));
    }
    if let Some(v) = key.recirc_id {
        md.recirc_id = masked32(md.recirc_id, v, mask.and_then(|m| m.recirc_id));
    }
    if let Some(t) = &key.tunnel
        && mask.is_none()
    {
        md.tunnel = t.clone();
    }
    if let Some(v) = key.ct_state {
        let v = masked32(u32::from(md.ct_state), v, mask.and_then(|m| m.ct_state));
        md.ct_state = v as u8;
    }
    if let Some(v) = key.ct_zone {
        md.ct_zone = match mask.and_then(|m| m.ct_zone) {
            Some(m) => v | (md.ct_zone & !m),
            None => v,
        };
    }
    if let Some(v) = key.ct_mark {
        md.ct_mark = masked32(md.ct_mark, v, mask.and_then(|m| m.ct_mark));
    }
    if let Some(v) = key.ct_label {
        md.ct_label = match mask.and_then(|m| m.ct_label) {
            Some(m) => v | (md.ct_label & !m),
            None => v,
        };
    }
}

fn set_eth(p: &mut Packet, key: &EthKey, mask: &EthKey) {
    // OVS finds no Ethernet header in a frame shorter than one.
    if !p.is_ethernet() || p.data.len() < 14 {
        return;
    }
    let d = &mut p.data;
    if let (Some(dst), Some(src)) = (array::<6>(d, 0), array::<6>(d, 6)) {
        put(d, 0, masked(dst, key.dst, mask.dst));
        put(d, 6, masked(src, key.src, mask.src));
    }
}

fn set_mpls(p: &mut Packet, lay: &Layout, lse: u32, mask: u32) {
    let Some(at) = lay.l2_5 else { return };
    if let Some(old) = be32(&p.data, at) {
        put_be32(&mut p.data, at, lse | (old & !mask));
    }
}

/// Where the transport checksum is, if the transport header is one whose
/// checksum covers the IP addresses and it is all there. A later fragment
/// has no transport header (OVS would still write into its payload).
fn l4_checksum_at(p: &Packet, lay: &Layout, proto: u8) -> Option<(usize, bool)> {
    if lay.is_later_fragment() {
        return None;
    }
    let l4 = lay.l4?;
    let size = lay.l4_size(p.data.len());
    match proto {
        PROTO_TCP if size >= TCP_HEADER_LEN => Some((l4 + 16, false)),
        PROTO_UDP if size >= UDP_HEADER_LEN => Some((l4 + 6, true)),
        PROTO_ICMPV6 if size >= ICMPV6_HEADER_LEN => Some((l4 + 2, false)),
        _ => None,
    }
}

/// Folds a change of pseudo-header bytes `old` to `new` into the
/// transport checksum, keeping a zero UDP checksum zero.
fn update_l4_checksum<const N: usize>(
    p: &mut Packet,
    at: Option<(usize, bool)>,
    old: &[u8; N],
    new: &[u8; N],
) {
    let Some((at, is_udp)) = at else { return };
    let Some(c) = be16(&p.data, at) else { return };
    let c = if is_udp {
        update_bytes_udp(c, old, new)
    } else {
        update_bytes(c, old, new)
    };
    put_be16(&mut p.data, at, c);
}

fn set_ipv4(p: &mut Packet, lay: &Layout, key: &Ipv4Key, mask: &Ipv4Key) {
    let Some(l3) = lay.l3 else { return };
    if lay.dl_type != ETH_TYPE_IPV4 || p.data.len() < l3 + IPV4_HEADER_LEN {
        return;
    }
    let proto = p.data[l3 + 9];
    // ICMPv4's checksum does not cover the addresses; only TCP's and UDP's do.
    let l4_csum = if proto == PROTO_ICMPV6 {
        None
    } else {
        l4_checksum_at(p, lay, proto)
    };
    let csum_at = l3 + 10;
    for (at, key, mask) in [
        (l3 + 12, key.src.octets(), mask.src.octets()),
        (l3 + 16, key.dst.octets(), mask.dst.octets()),
    ] {
        if mask == [0; 4] {
            continue;
        }
        let Some(old) = array::<4>(&p.data, at) else {
            return;
        };
        let new = masked(old, key, mask);
        if new != old {
            update_l4_checksum(p, l4_csum, &old, &new);
            let c = be16(&p.data, csum_at).unwrap_or(0);
            put_be16(&mut p.data, csum_at, update_bytes(c, &old, &new));
            put(&mut p.data, at, new);
        }
    }
    // TOS is the low byte of the header's first 16-bit word, TTL the high
    // byte of its fifth.
    if mask.tos != 0 {
        let old = p.data[l3 + 1];
        let new = key.tos | (old & !mask.tos);
        if new != old {
            let c = be16(&p.data, csum_at).unwrap_or(0);
            put_be16(
                &mut p.data,
                csum_at,
                update16(c, u16::from(old), u16::from(new)),
            );
            p.data[l3 + 1] = new;
        }
    }
    if mask.ttl != 0 {
        let old = p.data[l3 + 8];
        let new = key.ttl | (old & !mask.ttl);
        if new != old {
            let c = be16(&p.data, csum_at).unwrap_or(0);
            put_be16(
                &mut p.data,
                csum_at,
                update16(c, u16::from(old) << 8, u16::from(new) << 8),
            );
            p.data[l3 + 8] = new;
        }
    }
}

/// What OVS's `packet_rh_present` finds walking the IPv6 extension
/// headers: whether a routing header with segments left is there (then the
/// destination address is not the final one, and the transport checksum,
/// computed over the final one, must not change with it), the protocol
/// after the headers, and whether the transport checksum may be updated at
/// all (not when a fragment header says this is not a whole first
/// fragment).
struct Ipv6Walk {
    routing_header: bool,
    proto: u8,
    update_checksum: bool,
}

fn walk_ipv6(p: &Packet, lay: &Layout, l3: usize) -> Ipv6Walk {
    let mut walk = Ipv6Walk {
        routing_header: false,
        proto: 0,
        update_checksum: true,
    };
    let end = lay.l4.unwrap_or(p.data.len()).min(p.data.len());
    let Some(headers) = p.data.get(l3..end) else {
        return walk;
    };
    let Some(mut rest) = headers.get(IPV6_HEADER_LEN..) else {
        return walk;
    };
    walk.proto = headers[6];
    loop {
        let len = match walk.proto {
            0 | 43 | 60 | 51 | 44 if rest.len() < 8 => return walk,
            51 => (usize::from(rest[1]) + 2) * 4,
            44 => {
                let off_flags = u16::from_be_bytes([rest[2], rest[3]]);
                walk.update_checksum = off_flags & 0xfff8 == 0 && off_flags & 1 != 0;
                8
            }
            43 => {
                if rest[3] > 0 {
                    walk.routing_header = true;
                    return walk;
                }
                (usize::from(rest[1]) + 1) * 8
            }
            0 | 60 => (usize::from(rest[1]) + 1) * 8,
            _ => return walk,
        };
        walk.proto = rest[0];
        match rest.get(len..) {
            Some(r) => rest = r,
            None => return walk,
        }
    }
}

fn set_ipv6(p: &mut Packet, lay: &Layout, key: &Ipv6Key, mask: &Ipv6Key) {
    let Some(l3) = lay.l3 else { return };
    if lay.dl_type != ETH_TYPE_IPV6 || p.data.len() < l3 + IPV6_HEADER_LEN {
        return;
    }
    let walk = walk_ipv6(p, lay, l3);
    let l4_csum = if walk.update_checksum {
        l4_checksum_at(p, lay, walk.proto)
    } else {
        None
    };
    for (at, key, mask, update) in [
        (l3 + 8, key.src.octets(), mask.src.octets(), l4_csum),
        (
            l3 + 24,
            key.dst.octets(),
            mask.dst.octets(),
            l4_csum.filter(|_| !walk.routing_header),
        ),
    ] {
        let Some(old) = array::<16>(&p.data, at) else {
            return;
        };
        let new = masked(old, key, mask);
        if new != old {
            update_l4_checksum(p, update, &old, &new);
            put(&mut p.data, at, new);
        }
    }
    // Unlike the addresses, OVS rewrites these even when unchanged; no
    // checksum covers them.
    let word = be32(&p.data, l3).unwrap_or(0);
    let old_tc = (word >> 20) as u8;
    let tc = key.tclass | (old_tc & !mask.tclass);
    let word = (word & 0xf00f_ffff) | (u32::from(tc) << 20);
    let label = key.label | ((word & 0x000f_ffff) & !mask.label);
    let word = (word & !0x000f_ffff) | label;
    put_be32(&mut p.data, l3, word);
    let hlimit = &mut p.data[l3 + 7];
    *hlimit = key.hlimit | (*hlimit & !mask.hlimit);
}

/// The transport header of protocol `proto`, if the packet has a whole one
/// of at least `min_len` bytes: where it starts and how many bytes the
/// transport layer has.
fn l4_of(p: &Packet, lay: &Layout, proto: u8, min_len: usize) -> Option<(usize, usize)> {
    if lay.nw_proto != proto
        || !matches!(lay.dl_type, ETH_TYPE_IPV4 | ETH_TYPE_IPV6)
        || lay.is_later_fragment()
    {
        return None;
    }
    let l4 = lay.l4?;
    let size = lay.l4_size(p.data.len());
    (size >= min_len).then_some((l4, size))
}

/// Rewrites a 16-bit port at `at` and folds the change into the checksum
/// at `csum_at` (OVS's `packet_set_port`).
fn set_port(data: &mut [u8], at: usize, new: u16, csum_at: usize) {
    let (Some(old), Some(c)) = (be16(data, at), be16(data, csum_at)) else {
        return;
    };
    if old != new {
        put_be16(data, csum_at, update16(c, old, new));
        put_be16(data, at, new);
    }
}

fn set_tcp(p: &mut Packet, lay: &Layout, key: &PortsKey, mask: &PortsKey) {
    let Some((l4, size)) = l4_of(p, lay, PROTO_TCP, TCP_HEADER_LEN) else {
        return;
    };
    let header_len = usize::from(p.data[l4 + 12] >> 4) * 4;
    if header_len < TCP_HEADER_LEN || header_len > size {
        return;
    }
    let src = be16(&p.data, l4).unwrap_or(0);
    let dst = be16(&p.data, l4 + 2).unwrap_or(0);
    set_port(&mut p.data, l4, key.src | (src & !mask.src), l4 + 16);
    set_port(&mut p.data, l4 + 2, key.dst | (dst & !mask.dst), l4 + 16);
}

fn set_udp(p: &mut Packet, lay: &Layout, key: &PortsKey, mask: &PortsKey) {
    let Some((l4, _)) = l4_of(p, lay, PROTO_UDP, UDP_HEADER_LEN) else {
        return;
    };
    let src = be16(&p.data, l4).unwrap_or(0);
    let dst = be16(&p.data, l4 + 2).unwrap_or(0);
    let new_src = key.src | (src & !mask.src);
    let new_dst = key.dst | (dst & !mask.dst);
    let csum = be16(&p.data, l4 + 6).unwrap_or(0);
    if csum == 0 {
        // A zero UDP checksum means "none": it stays zero.
        put_be16(&mut p.data, l4, new_src);
        put_be16(&mut p.data, l4 + 2, new_dst);
        return;
    }
    let c = update16_udp(csum, src, new_src);
    let c = update16_udp(c, dst, new_dst);
    put_be16(&mut p.data, l4, new_src);
    put_be16(&mut p.data, l4 + 2, new_dst);
    put_be16(&mut p.data, l4 + 6, c);
}

fn set_sctp(p: &mut Packet, lay: &Layout, key: &PortsKey, mask: &PortsKey) {
    let Some((l4, size)) = l4_of(p, lay, PROTO_SCTP, SCTP_HEADER_LEN) else {
        return;
    };
    let Some(segment) = p.data.get_mut(l4..l4 + size) else {
        return;
    };
    let Ok(mut sctp) = SctpPacket::new_checked(segment) else {
        return;
    };
    // Whatever error the packet's CRC carried, it carries the same one
    // after the rewrite: only the difference the new ports make is folded
    // in (OVS's `packet_set_sctp_port`).
    let old_crc = sctp.checksum();
    let old_correct = sctp.compute_checksum();
    let src = sctp.src_port();
    let dst = sctp.dst_port();
    sctp.set_src_port(key.src | (src & !mask.src));
    sctp.set_dst_port(key.dst | (dst & !mask.dst));
    let new_correct = sctp.compute_checksum();
    sctp.set_checksum(old_crc ^ old_correct ^ new_correct);
}

fn set_icmp(p: &mut Packet, lay: &Layout, proto: u8, key: &IcmpKey, mask: &IcmpKey) {
    let Some((l4, _)) = l4_of(p, lay, proto, ICMP_HEADER_LEN) else {
        return;
    };
    let old = be16(&p.data, l4).unwrap_or(0);
    let [old_type, old_code] = old.to_be_bytes();
    let new = u16::from_be_bytes([
        key.icmp_type | (old_type & !mask.icmp_type),
        key.code | (old_code & !mask.code),
    ]);
    if new != old {
        let c = be16(&p.data, l4 + 2).unwrap_or(0);
        put_be16(&mut p.data, l4, new);
        put_be16(&mut p.data, l4 + 2, update16(c, old, new));
    }
}

fn set_arp(p: &mut Packet, lay: &Layout, key: &ArpKey, mask: &ArpKey) {
    let Some(l3) = lay.l3 else { return };
    if !matches!(lay.dl_type, ETH_TYPE_ARP | ETH_TYPE_RARP) || p.data.len() < l3 + ARP_ETH_IPV4_LEN
    {
        return;
    }
    let d = &mut p.data;
    let op = be16(d, l3 + 6).unwrap_or(0);
    put_be16(d, l3 + 6, key.op | (op & !mask.op));
    let field6 = |d: &mut [u8], at: usize, k: [u8; 6], m: [u8; 6]| {
        if let Some(old) = array::<6>(d, at) {
            put(d, at, masked(old, k, m));
        }
    };
    let field4 = |d: &mut [u8], at: usize, k: Ipv4Addr, m: Ipv4Addr| {
        if let Some(old) = array::<4>(d, at) {
            put(d, at, masked(old, k.octets(), m.octets()));
        }
    };
    field6(d, l3 + 8, key.sha, mask.sha);
    field4(d, l3 + 14, key.sip, mask.sip);
    field6(d, l3 + 18, key.tha, mask.tha);
    field4(d, l3 + 24, key.tip, mask.tip);
}

/// The ND message (neighbour solicitation or advertisement) at the
/// transport header, if whole: where it starts and the transport size.
fn nd_of(p: &Packet, lay: &Layout) -> Option<(usize, usize)> {
    if lay.dl_type != ETH_TYPE_IPV6 {
        return None;
    }
    let (l4, size) = l4_of(p, lay, PROTO_ICMPV6, ND_HEADER_LEN)?;
    matches!(p.data[l4], NEIGHBOR_SOLICIT | NEIGHBOR_ADVERT).then_some((l4, size))
}

fn set_nd(p: &mut Packet, lay: &Layout, key: &NdKey, mask: &NdKey) {
    let Some((l4, size)) = nd_of(p, lay) else {
        return;
    };
    let csum_at = l4 + 2;
    let target_at = l4 + 8;
    let Some(old) = array::<16>(&p.data, target_at) else {
        return;
    };
    let new = masked(old, key.target.octets(), mask.target.octets());
    if new != old {
        let c = be16(&p.data, csum_at).unwrap_or(0);
        put_be16(&mut p.data, csum_at, update_bytes(c, &old, &new));
        put(&mut p.data, target_at, new);
    }
    // Only the first link-layer address option is rewritten: a packet
    // carries one, source or target, and OVS stops at it.
    let end = l4 + size;
    let mut at = l4 + ND_HEADER_LEN;
    while at + ND_OPT_UNIT <= end {
        let (kind, len) = (p.data[at], p.data[at + 1]);
        if len == 0 {
            break;
        }
        let replacement = match (kind, len) {
            (ND_OPT_SOURCE_LINKADDR, 1) => Some((key.sll, mask.sll)),
            (ND_OPT_TARGET_LINKADDR, 1) => Some((key.tll, mask.tll)),
            _ => None,
        };
        if let Some((k, m)) = replacement {
            if let Some(old) = array::<6>(&p.data, at + 2) {
                let new = masked(old, k, m);
                if new != old {
                    let c = be16(&p.data, csum_at).unwrap_or(0);
                    put_be16(&mut p.data, csum_at, update_bytes(c, &old, &new));
                    put(&mut p.data, at + 2, new);
                }
            }
            break;
        }
        at += usize::from(len) * ND_OPT_UNIT;
    }
}

fn set_nd_ext(p: &mut Packet, lay: &Layout, key: &NdExtKey, mask: &NdExtKey) {
    let Some((l4, size)) = nd_of(p, lay) else {
        return;
    };
    let Some(l3) = lay.l3 else { return };
    let old = be32(&p.data, l4 + 4).unwrap_or(0);
    let reserved = if mask.reserved != 0 {
        key.reserved
    } else {
        old
    };
    put_be32(&mut p.data, l4 + 4, reserved);
    // The first option's type; there may be no option at all.
    if mask.options_type != 0 && size > ND_HEADER_LEN {
        p.data[l4 + ND_HEADER_LEN] = key.options_type;
    }
    // OVS recomputes the whole checksum here rather than updating it, over
    // a pseudo-header built from the IPv6 header's own next-header and
    // payload-length fields.
    let (Some(src), Some(dst), Some(plen)) = (
        array::<16>(&p.data, l3 + 8),
        array::<16>(&p.data, l3 + 24),
        be16(&p.data, l3 + 4),
    ) else {
        return;
    };
    let next = p.data[l3 + 6];
    put_be16(&mut p.data, l4 + 2, 0);
    let pseudo = pseudo_header_ipv6(&src, &dst, next, u32::from(plen));
    let body = checksum::sum(&p.data[l4..l4 + size]);
    put_be16(&mut p.data, l4 + 2, !checksum::combine(pseudo, body));
}
