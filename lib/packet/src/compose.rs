//! Packet composition: OVS's `flow_compose()` (and the `packet_expand()`
//! that `netdev-dummy/receive FLOW --len N` adds to it), which builds the
//! packet a test sends when it names a flow instead of giving bytes.
//!
//! The packet is not meant to be realistic, but tests compare bytes and
//! checksums, so it is OVS 3.1's packet to the byte, quirks included (see
//! [`compose`]).

use ovs_flow::{Flow, offset};

use crate::checksum;
use crate::ethernet::{EtherType, HEADER_LEN as ETH_HEADER_LEN, VLAN_CFI};
use crate::extract::{MAX_MPLS_LABELS, MAX_VLAN_HEADERS};
use crate::field::{array, set_be16};
use crate::icmpv4;
use crate::icmpv6::{
    self, ND_OPT_SOURCE_LINKADDR, ND_OPT_TARGET_LINKADDR, NEIGHBOR_ADVERT, NEIGHBOR_SOLICIT,
};
use crate::ip::{FRAG_ANY, FRAG_LATER, IpProtocol};
use crate::tcp::flags::{FIN, RST, SYN};

/// The IPv4 fragment offset OVS gives a later fragment, in 8-byte units.
const LATER_FRAGMENT_OFFSET: u16 = 100;

/// Builds the packet OVS's `flow_compose()` builds for `flow` (`lib/flow.c`
/// in OVS 3.1): the headers the flow describes, with OVS's choices for
/// everything the flow leaves open, and an L7 payload of `l7_len` bytes
/// (OVS's `netdev-dummy/receive` uses 64 when a flow is given) where the
/// protocol takes one. The payload is OVS's fill pattern: byte `i` is
/// `i mod 256`.
///
/// [`crate::extract`] of the result gives back the flow's Ethernet
/// addresses and type, VLAN tags (those with CFI set), MPLS labels up to
/// bottom of stack, ARP fields, IP addresses, TOS, TTL, protocol and
/// (IPv4 only) fragment bits, IPv6 flow label, ports, TCP flags, ICMP
/// type and code, IGMP group, ND target, link-layer addresses and
/// reserved word; the list below says where it does not.
///
/// OVS's choices and quirks, kept:
///
/// - A flow with no Ethernet type (`dl_type` 0x05ff) gives a bare 802.3
///   header whose length field says 14, and no VLAN tag.
/// - A tag is pushed only if its TCI has CFI set (a flow's mark of a
///   present tag), and is pushed with CFI clear.
/// - IPv4 identification is 0 and DF is clear; a fragment has MF set, and
///   a later fragment also offset 100 (800 bytes), with no transport header.
/// - No IPv6 fragment header is written, whatever `nw_frag` says; a later
///   fragment only loses its transport header.
/// - The transport header is chosen by `nw_proto` alone, whatever the IP
///   version, and so is its checksum: an ICMPv6 header over IPv4 gets a
///   pseudo-header checksum, an ICMP header over IPv6 a plain one.
/// - SCTP gets no payload and no CRC32c (its checksum stays 0); IGMP and
///   ICMP other than echo get no payload; TCP gets none when SYN, FIN or
///   RST is set.
/// - ARP and RARP carry addresses only for opcodes 1 and 2.
/// - NSH gets no header at all (OVS 3.1 composes none), just the Ethernet
///   type; nor does any Ethernet type compose does not know.
/// - MPLS labels are copied as they are, up to the first with BOS (at most
///   three), and nothing follows them.
/// - `packet_type` is ignored: the packet is always an Ethernet frame.
/// - Lengths wider than their 16-bit fields wrap, as OVS's `htons` does.
///
/// Never panics; allocates only the packet.
pub fn compose(flow: &Flow, l7_len: usize) -> Vec<u8> {
    compose_with_layers(flow, l7_len).packet
}

/// The packet `ovs-appctl netdev-dummy/receive PORT FLOW --len LEN` injects:
/// [`compose`] without payload, then zero bytes up to `len` with the
/// lengths and checksums fixed (OVS's `packet_expand()`). `None` if the
/// headers alone are longer than `len`, as OVS then sends nothing. (OVS's
/// command also refuses `len` under 60; that check is the caller's.)
///
/// OVS's UDP length here counts the added bytes twice (once within the
/// UDP bytes, once more on top), so it overstates; so does this.
pub fn compose_to_len(flow: &Flow, len: usize) -> Option<Vec<u8>> {
    let mut c = compose_with_layers(flow, 0);
    let size = c.packet.len();
    if size > len {
        return None;
    }
    if size == len {
        return Some(c.packet);
    }
    let extra = len - size;
    c.packet.resize(len, 0);

    let f = Fields(flow);
    let dl_type = f.dl_type();
    if dl_type == EtherType::NONE.0 {
        set_be16(&mut c.packet, 12, len as u16);
    } else if let Some(l4) = c.l4 {
        let l4_len = len - l4;
        let pseudo = if dl_type == EtherType::IPV4.0 {
            fill_ipv4_lengths(&mut c.packet, c.l3, l4_len)
        } else {
            fill_ipv6_length(&mut c.packet, c.l3, l4_len)
        };
        if f.composes_l4() && f.nw_proto() == IpProtocol::UDP {
            set_be16(&mut c.packet, l4 + 4, (l4_len + extra) as u16);
        }
        fill_l4_checksum(&mut c.packet, l4, &f, pseudo);
    }
    Some(c.packet)
}

/// A composed packet and where its layers start.
struct Composed {
    packet: Vec<u8>,
    l3: usize,
    /// Set for IPv4 and IPv6, even when no transport header was written.
    l4: Option<usize>,
}

/// Typed reads of the flow fields compose uses.
struct Fields<'a>(&'a Flow);

impl Fields<'_> {
    fn bytes<const N: usize>(&self, at: usize) -> [u8; N] {
        array(self.0.as_bytes(), at)
    }
    fn be16(&self, at: usize) -> u16 {
        u16::from_be_bytes(self.bytes(at))
    }
    fn be32(&self, at: usize) -> u32 {
        u32::from_be_bytes(self.bytes(at))
    }
    fn u8(&self, at: usize) -> u8 {
        self.bytes::<1>(at)[0]
    }
    fn dl_type(&self) -> u16 {
        self.be16(offset::DL_TYPE)
    }
    fn nw_proto(&self) -> IpProtocol {
        IpProtocol(self.u8(offset::NW_PROTO))
    }
    fn nw_frag(&self) -> u8 {
        self.u8(offset::NW_FRAG)
    }
    /// OVS writes a transport header unless the flow is a later fragment
    /// (both bits set: `FRAG_LATER` alone does not count).
    fn composes_l4(&self) -> bool {
        self.nw_frag() & (FRAG_ANY | FRAG_LATER) != FRAG_ANY | FRAG_LATER
    }
    /// The ICMP-style type and code: OVS keeps the low byte of the 16-bit
    /// `tp_src` and `tp_dst`.
    fn type_code(&self) -> (u8, u8) {
        (
            self.be16(offset::TP_SRC) as u8,
            self.be16(offset::TP_DST) as u8,
        )
    }
}

fn compose_with_layers(flow: &Flow, l7_len: usize) -> Composed {
    let f = Fields(flow);
    let dl_type = f.dl_type();
    // Room for the longest headers (ND with both options) and a payload of
    // up to 64 KiB; a longer one grows the buffer as it is written.
    let headers = ETH_HEADER_LEN + 4 * MAX_VLAN_HEADERS + 40 + 48;
    let mut p = Vec::with_capacity(headers + l7_len.min(usize::from(u16::MAX)));
    p.extend_from_slice(&f.bytes::<6>(offset::DL_DST));
    p.extend_from_slice(&f.bytes::<6>(offset::DL_SRC));
    if dl_type == EtherType::NONE.0 {
        // An 802.3 frame: the type field holds the frame's length, and OVS
        // stops here, before pushing any VLAN tag.
        p.extend_from_slice(&(ETH_HEADER_LEN as u16).to_be_bytes());
        return Composed {
            packet: p,
            l3: ETH_HEADER_LEN,
            l4: None,
        };
    }
    // OVS pushes the innermost tag first, each in front of the last, so
    // the tags end up in flow order; a pushed tag loses its CFI bit, which
    // in a flow only says the tag is present.
    let tags = [
        (offset::VLAN0_TPID, offset::VLAN0_TCI),
        (offset::VLAN1_TPID, offset::VLAN1_TCI),
    ];
    for (tpid_at, tci_at) in tags {
        let tci = f.be16(tci_at);
        if tci & VLAN_CFI != 0 {
            p.extend_from_slice(&f.bytes::<2>(tpid_at));
            p.extend_from_slice(&(tci & !VLAN_CFI).to_be_bytes());
        }
    }
    p.extend_from_slice(&dl_type.to_be_bytes());
    let l3 = p.len();
    let mut l4 = None;

    match EtherType(dl_type) {
        EtherType::IPV4 => {
            let mut frag_off = 0;
            if f.nw_frag() & FRAG_ANY != 0 {
                frag_off |= crate::ipv4::MORE_FRAGMENTS;
                if f.nw_frag() & FRAG_LATER != 0 {
                    frag_off |= LATER_FRAGMENT_OFFSET;
                }
            }
            p.extend_from_slice(&[0x45, f.u8(offset::NW_TOS), 0, 0, 0, 0]);
            p.extend_from_slice(&frag_off.to_be_bytes());
            p.extend_from_slice(&[f.u8(offset::NW_TTL), f.nw_proto().0, 0, 0]);
            p.extend_from_slice(&f.bytes::<4>(offset::NW_SRC));
            p.extend_from_slice(&f.bytes::<4>(offset::NW_DST));
            let start = p.len();
            compose_l4(&mut p, &f, l7_len);
            let l4_len = p.len() - start;
            let pseudo = fill_ipv4_lengths(&mut p, l3, l4_len);
            fill_l4_checksum(&mut p, start, &f, pseudo);
            l4 = Some(start);
        }
        EtherType::IPV6 => {
            // OVS ORs the whole 32-bit label in, bits above the 20 of a
            // real label included.
            let first_word =
                (6 << 28) | (u32::from(f.u8(offset::NW_TOS)) << 20) | f.be32(offset::IPV6_LABEL);
            p.extend_from_slice(&first_word.to_be_bytes());
            p.extend_from_slice(&[0, 0, f.nw_proto().0, f.u8(offset::NW_TTL)]);
            p.extend_from_slice(&f.bytes::<16>(offset::IPV6_SRC));
            p.extend_from_slice(&f.bytes::<16>(offset::IPV6_DST));
            let start = p.len();
            compose_l4(&mut p, &f, l7_len);
            let l4_len = p.len() - start;
            let pseudo = fill_ipv6_length(&mut p, l3, l4_len);
            fill_l4_checksum(&mut p, start, &f, pseudo);
            l4 = Some(start);
        }
        EtherType::ARP | EtherType::RARP => {
            let op = f.u8(offset::NW_PROTO);
            p.extend_from_slice(&crate::arp::HTYPE_ETHERNET.to_be_bytes());
            p.extend_from_slice(&EtherType::IPV4.0.to_be_bytes());
            p.extend_from_slice(&[6, 4, 0, op]);
            if u16::from(op) == crate::arp::OP_REQUEST || u16::from(op) == crate::arp::OP_REPLY {
                p.extend_from_slice(&f.bytes::<6>(offset::ARP_SHA));
                p.extend_from_slice(&f.bytes::<4>(offset::NW_SRC));
                p.extend_from_slice(&f.bytes::<6>(offset::ARP_THA));
                p.extend_from_slice(&f.bytes::<4>(offset::NW_DST));
            } else {
                p.extend_from_slice(&[0; 20]);
            }
        }
        t if t.is_mpls() => {
            // Nothing follows the label stack (an MPLS flow has no L3
            // fields compose could use), so the labels go at the end.
            for i in 0..MAX_MPLS_LABELS {
                let lse = f.be32(offset::MPLS_LSE0 + 4 * i);
                p.extend_from_slice(&lse.to_be_bytes());
                if lse & crate::mpls::BOS_MASK != 0 {
                    break;
                }
            }
        }
        _ => {}
    }
    Composed { packet: p, l3, l4 }
}

/// OVS's payload: `len` bytes counting up from 0 and wrapping.
fn put_l7(p: &mut Vec<u8>, len: usize) {
    p.extend((0..len).map(|i| i as u8));
}

/// OVS's `flow_compose_l4`: the transport header `nw_proto` names, with
/// checksums zero (they are filled once the IP lengths are known).
fn compose_l4(p: &mut Vec<u8>, f: &Fields<'_>, l7_len: usize) {
    if !f.composes_l4() {
        return;
    }
    let ports = |p: &mut Vec<u8>| {
        p.extend_from_slice(&f.bytes::<2>(offset::TP_SRC));
        p.extend_from_slice(&f.bytes::<2>(offset::TP_DST));
    };
    match f.nw_proto() {
        IpProtocol::TCP => {
            let flags = f.be16(offset::TCP_FLAGS);
            ports(p);
            // Sequence and acknowledgement numbers.
            p.extend_from_slice(&[0; 8]);
            // Data offset 5 words, ORed with the flags as OVS's TCP_CTL
            // does: flag bits above the twelve real ones land in it.
            p.extend_from_slice(&(flags | (5 << 12)).to_be_bytes());
            // Window, checksum, urgent pointer.
            p.extend_from_slice(&[0; 6]);
            if flags & (SYN | FIN | RST) == 0 {
                put_l7(p, l7_len);
            }
        }
        IpProtocol::UDP => {
            ports(p);
            let len = (crate::udp::HEADER_LEN + l7_len) as u16;
            p.extend_from_slice(&len.to_be_bytes());
            p.extend_from_slice(&[0, 0]);
            put_l7(p, l7_len);
        }
        IpProtocol::SCTP => {
            ports(p);
            // Verification tag and checksum: OVS computes no CRC32c here.
            p.extend_from_slice(&[0; 8]);
        }
        IpProtocol::ICMP => {
            let (msg_type, code) = f.type_code();
            p.extend_from_slice(&[msg_type, code, 0, 0, 0, 0, 0, 0]);
            if (msg_type == icmpv4::ECHO_REQUEST || msg_type == icmpv4::ECHO_REPLY) && code == 0 {
                put_l7(p, l7_len);
            }
        }
        IpProtocol::IGMP => {
            let (msg_type, code) = f.type_code();
            p.extend_from_slice(&[msg_type, code, 0, 0]);
            p.extend_from_slice(&f.bytes::<4>(offset::IGMP_GROUP_IP4));
        }
        IpProtocol::ICMPV6 => {
            let (msg_type, code) = f.type_code();
            p.extend_from_slice(&[msg_type, code, 0, 0]);
            // The word after the checksum: ND's reserved bits or flags,
            // which the flow keeps where IGMP's group goes.
            p.extend_from_slice(&f.bytes::<4>(offset::IGMP_GROUP_IP4));
            if code == 0 && (msg_type == NEIGHBOR_SOLICIT || msg_type == NEIGHBOR_ADVERT) {
                p.extend_from_slice(&f.bytes::<16>(offset::ND_TARGET));
                let options = [
                    (ND_OPT_SOURCE_LINKADDR, offset::ARP_SHA),
                    (ND_OPT_TARGET_LINKADDR, offset::ARP_THA),
                ];
                for (kind, at) in options {
                    let mac = f.bytes::<6>(at);
                    if mac != [0; 6] {
                        p.extend_from_slice(&[kind, 1]);
                        p.extend_from_slice(&mac);
                    }
                }
            } else if code == 0
                && (msg_type == icmpv6::ECHO_REQUEST || msg_type == icmpv6::ECHO_REPLY)
            {
                put_l7(p, l7_len);
            }
        }
        _ => {}
    }
}

/// Sets the IPv4 total length and header checksum for `l4_len` bytes after
/// the header at `l3`; returns the pseudo-header sum.
fn fill_ipv4_lengths(p: &mut [u8], l3: usize, l4_len: usize) -> u16 {
    let header_len = crate::ipv4::HEADER_LEN;
    let total_len = (header_len + l4_len) as u16;
    set_be16(p, l3 + 2, total_len);
    set_be16(p, l3 + 10, 0);
    let header = p.get(l3..l3 + header_len).unwrap_or(&[]);
    let sum = checksum::checksum(header);
    let (proto, src, dst) = (
        crate::field::u8_at(p, l3 + 9),
        array::<4>(p, l3 + 12),
        array::<4>(p, l3 + 16),
    );
    set_be16(p, l3 + 10, sum);
    // OVS derives the pseudo-header length from the 16-bit total length,
    // so it wraps with it.
    checksum::pseudo_header_ipv4(src, dst, proto, total_len.wrapping_sub(header_len as u16))
}

/// Sets the IPv6 payload length for `l4_len` bytes after the header at
/// `l3`; returns the pseudo-header sum.
fn fill_ipv6_length(p: &mut [u8], l3: usize, l4_len: usize) -> u16 {
    let payload_len = l4_len as u16;
    set_be16(p, l3 + 4, payload_len);
    let next_header = crate::field::u8_at(p, l3 + 6);
    let (src, dst) = (array::<16>(p, l3 + 8), array::<16>(p, l3 + 24));
    checksum::pseudo_header_ipv6(&src, &dst, next_header, u32::from(payload_len))
}

/// OVS's `flow_compose_l4_csum`: the transport checksum over everything
/// from `l4` to the end of the packet.
fn fill_l4_checksum(p: &mut [u8], l4: usize, f: &Fields<'_>, pseudo: u16) {
    if !f.composes_l4() {
        return;
    }
    let at = match f.nw_proto() {
        IpProtocol::TCP => 16,
        IpProtocol::UDP => 6,
        IpProtocol::ICMP | IpProtocol::IGMP | IpProtocol::ICMPV6 => 2,
        _ => return,
    };
    set_be16(p, l4 + at, 0);
    let data = p.get(l4..).unwrap_or(&[]);
    let value = match f.nw_proto() {
        IpProtocol::ICMP | IpProtocol::IGMP => checksum::checksum(data),
        IpProtocol::UDP => match !checksum::combine(pseudo, checksum::sum(data)) {
            // Zero would mean "no checksum".
            0 => 0xffff,
            c => c,
        },
        _ => !checksum::combine(pseudo, checksum::sum(data)),
    };
    set_be16(p, l4 + at, value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Metadata, extract};

    fn eth_flow(dl_type: u16) -> Flow {
        let mut f = Flow::ZERO;
        f.set_be(offset::DL_DST, 6, 0x0200_0000_0002);
        f.set_be(offset::DL_SRC, 6, 0x0200_0000_0001);
        f.set_be(offset::DL_TYPE, 2, u64::from(dl_type));
        f
    }

    fn ipv4_flow(proto: u8) -> Flow {
        let mut f = eth_flow(0x0800);
        f.set_be(offset::NW_SRC, 4, 0x0a00_0001);
        f.set_be(offset::NW_DST, 4, 0x0a00_0002);
        f.set_be(offset::NW_TTL, 1, 64);
        f.set_be(offset::NW_PROTO, 1, u64::from(proto));
        f
    }

    #[test]
    fn payload_pattern_wraps() {
        let mut f = ipv4_flow(17);
        f.set_be(offset::TP_SRC, 2, 1);
        let p = compose(&f, 300);
        let l7 = &p[14 + 20 + 8..];
        assert_eq!(l7.len(), 300);
        assert_eq!(l7[255], 255);
        assert_eq!(l7[256], 0);
        assert_eq!(l7[299], 43);
    }

    #[test]
    fn checksums_verify() {
        for proto in [1u8, 2, 6, 17, 58] {
            let mut f = ipv4_flow(proto);
            f.set_be(offset::TP_SRC, 2, 8);
            let p = compose(&f, 33);
            assert!(checksum::is_valid(&p[14..34]), "ip {proto}");
            let l4 = &p[34..];
            let pseudo =
                checksum::pseudo_header_ipv4([10, 0, 0, 1], [10, 0, 0, 2], proto, l4.len() as u16);
            let total = match proto {
                1 | 2 => checksum::sum(l4),
                _ => checksum::combine(pseudo, checksum::sum(l4)),
            };
            assert_eq!(total, 0xffff, "l4 {proto}");
        }
    }

    #[test]
    fn tcp_flag_bits_above_twelve_go_into_the_data_offset() {
        let mut f = ipv4_flow(6);
        f.set_be(offset::TCP_FLAGS, 2, 0xf010);
        let p = compose(&f, 0);
        assert_eq!(&p[46..48], &[0xf0, 0x10]);
        let mut back = Flow::ZERO;
        extract(&p, &Metadata::default(), &mut back);
        // A 60-byte header does not fit: OVS's parse would stop too.
        assert_eq!(back.get_be(offset::TP_SRC, 2), 0);
    }

    #[test]
    fn huge_payload_wraps_lengths_without_panic() {
        let mut f = ipv4_flow(17);
        f.set_be(offset::TP_DST, 2, 9);
        let p = compose(&f, 70_000);
        assert_eq!(p.len(), 14 + 20 + 8 + 70_000);
        assert_eq!(
            u16::from_be_bytes([p[16], p[17]]),
            (20 + 8 + 70_000usize) as u16
        );
        assert_eq!(u16::from_be_bytes([p[38], p[39]]), (8 + 70_000usize) as u16);
    }

    #[test]
    fn expand_pads_and_fixes_lengths() {
        let mut f = ipv4_flow(17);
        f.set_be(offset::TP_SRC, 2, 7);
        let p = compose_to_len(&f, 100).unwrap();
        assert_eq!(p.len(), 100);
        assert_eq!(u16::from_be_bytes([p[16], p[17]]), 86);
        assert!(checksum::is_valid(&p[14..34]));
        // 66 UDP bytes, 58 of them added: OVS writes 66 + 58.
        assert_eq!(u16::from_be_bytes([p[38], p[39]]), 124);
        assert_eq!(compose_to_len(&f, 41), None);
        assert_eq!(compose_to_len(&f, 42).map(|p| p.len()), Some(42));
        let none = eth_flow(0x05ff);
        let p = compose_to_len(&none, 60).unwrap();
        assert_eq!(&p[12..14], &[0, 60]);
    }
}
