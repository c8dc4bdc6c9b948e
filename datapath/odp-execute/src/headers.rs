//! Pushing and popping whole headers: VLAN, MPLS, Ethernet, NSH (OVS's
//! `eth_push_vlan`, `eth_pop_vlan`, `push_mpls`, `add_mpls`, `pop_mpls`,
//! `push_eth`, `pop_eth`, `pop_nsh`). Each leaves the packet alone when the
//! header it would work on is not there.

use ovs_odp::Mac;

use crate::bytes::{be16, be32, put_be16};
use crate::packet::{PACKET_TYPE_ETH, PACKET_TYPE_NSH, Packet, packet_type_for_ether_type};

const ETH_HEADER_LEN: usize = 14;
const ETH_ADDRS_LEN: usize = 12;
const VLAN_HEADER_LEN: usize = 4;
const MPLS_HEADER_LEN: usize = 4;
const VLAN_CFI: u16 = 0x1000;
const ETH_TYPE_TEB: u16 = 0x6558;

fn is_vlan_type(t: u16) -> bool {
    t == 0x8100 || t == 0x88a8
}

fn is_mpls_type(t: u16) -> bool {
    t == 0x8847 || t == 0x8848
}

/// Inserts a VLAN header after the MAC addresses. The CFI bit of `tci`,
/// which in a datapath key means "a header is present", is sent as 0.
pub(crate) fn push_vlan(p: &mut Packet, tpid: u16, tci: u16) {
    if !p.is_ethernet() || p.data.len() < ETH_ADDRS_LEN {
        return;
    }
    let mut tag = [0u8; VLAN_HEADER_LEN];
    tag[..2].copy_from_slice(&tpid.to_be_bytes());
    tag[2..].copy_from_slice(&(tci & !VLAN_CFI).to_be_bytes());
    p.data.splice(ETH_ADDRS_LEN..ETH_ADDRS_LEN, tag);
}

/// Removes the outermost VLAN header, if the frame has one (802.1Q or
/// 802.1ad).
pub(crate) fn pop_vlan(p: &mut Packet) {
    if !p.is_ethernet() || p.data.len() < ETH_HEADER_LEN + VLAN_HEADER_LEN {
        return;
    }
    if be16(&p.data, ETH_ADDRS_LEN).is_some_and(is_vlan_type) {
        p.data.drain(ETH_ADDRS_LEN..ETH_ADDRS_LEN + VLAN_HEADER_LEN);
    }
}

/// Writes the Ethernet type that names what follows the L2 header: after
/// the VLAN headers if there are any, which is just before `after_l2`.
fn set_ether_type(p: &mut Packet, after_l2: usize, ether_type: u16) {
    if !p.is_ethernet() || p.data.len() < ETH_HEADER_LEN {
        return;
    }
    if be16(&p.data, ETH_ADDRS_LEN).is_some_and(is_vlan_type) {
        if let Some(at) = after_l2.checked_sub(2) {
            put_be16(&mut p.data, at, ether_type);
        }
    } else {
        put_be16(&mut p.data, ETH_ADDRS_LEN, ether_type);
    }
}

/// Pushes `lse` as the outermost MPLS label: between the L2 header and
/// the label stack, or the network header if there is no stack yet.
pub(crate) fn push_mpls(p: &mut Packet, ether_type: u16, lse: u32) {
    if !is_mpls_type(ether_type) {
        return;
    }
    let lay = p.layout();
    let Some(at) = lay.l2_5.or(lay.l3) else {
        return;
    };
    if at > p.data.len() {
        return;
    }
    set_ether_type(p, at, ether_type);
    p.data.splice(at..at, lse.to_be_bytes());
}

/// Pushes `lse` in front of the whole packet, which becomes an MPLS packet
/// without an L2 header. (OVS pushes after the L2 header instead when the
/// action carries its L3-tunnel flag; OVS 3.1 never sets that flag.)
pub(crate) fn add_mpls(p: &mut Packet, ether_type: u16, lse: u32) {
    if !is_mpls_type(ether_type) {
        return;
    }
    p.data.splice(0..0, lse.to_be_bytes());
    p.md.packet_type = packet_type_for_ether_type(ether_type);
}

/// Pops the outermost MPLS label; if it was the last one, the L2 header
/// now names `ether_type` (or, without an L2 header, the packet becomes a
/// packet of that type).
pub(crate) fn pop_mpls(p: &mut Packet, ether_type: u16) {
    let lay = p.layout();
    let Some(at) = lay.l2_5 else { return };
    if be32(&p.data, at).is_none() {
        return;
    }
    set_ether_type(p, at, ether_type);
    p.data.drain(at..at + MPLS_HEADER_LEN);
    if at == 0 {
        p.md.packet_type = if ether_type == ETH_TYPE_TEB {
            PACKET_TYPE_ETH
        } else {
            packet_type_for_ether_type(ether_type)
        };
    }
}

/// Puts an Ethernet header in front of a packet that has none; its type
/// is the packet type's.
pub(crate) fn push_eth(p: &mut Packet, src: &Mac, dst: &Mac) {
    if p.is_ethernet() {
        return;
    }
    let mut header = [0u8; ETH_HEADER_LEN];
    header[..6].copy_from_slice(dst);
    header[6..12].copy_from_slice(src);
    header[12..].copy_from_slice(&(p.md.packet_type as u16).to_be_bytes());
    p.data.splice(0..0, header);
    p.md.packet_type = PACKET_TYPE_ETH;
}

/// Removes the Ethernet header and any VLAN headers; the packet's type
/// becomes the Ethernet type that followed them.
pub(crate) fn pop_eth(p: &mut Packet) {
    if !p.is_ethernet() {
        return;
    }
    let lay = p.layout();
    let Some(at) = lay.l2_5.or(lay.l3) else {
        return;
    };
    let Some(ether_type) = at.checked_sub(2).and_then(|t| be16(&p.data, t)) else {
        return;
    };
    p.data.drain(..at);
    p.md.packet_type = packet_type_for_ether_type(ether_type);
}

/// Removes an NSH header from an NSH packet. Returns false if the packet
/// must be dropped: its next protocol is unknown, or its header lies about
/// its length.
pub(crate) fn pop_nsh(p: &mut Packet) -> bool {
    if p.md.packet_type != PACKET_TYPE_NSH {
        return true;
    }
    let (Some(first), Some(next)) = (be16(&p.data, 0), p.data.get(3).copied()) else {
        return false;
    };
    let next_type = match next {
        1 => packet_type_for_ether_type(0x0800),
        2 => packet_type_for_ether_type(0x86dd),
        3 => PACKET_TYPE_ETH,
        4 => PACKET_TYPE_NSH,
        _ => return false,
    };
    let len = usize::from(first & 0x3f) * 4;
    if len > p.data.len() {
        return false;
    }
    p.data.drain(..len);
    p.md.packet_type = next_type;
    true
}
