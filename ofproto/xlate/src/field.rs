//! Field reads and writes on a bare [`Flow`] (and on a mask, which has the
//! same shape) with OVS's meta-flow meaning: `mf_get_value`,
//! `mf_set_flow_value`, `mf_set_flow_value_masked`,
//! `mf_mask_field_masked`, `mf_are_prereqs_ok` with its wildcard side
//! effects, and the subfield operations built on them.
//!
//! Values are unsigned numbers of the field's width (at most 16 bytes);
//! the variable-length tunnel metadata fields are not handled here (reads
//! give 0, writes are ignored).

use ovs_flow::{FieldId, Flow, Prereq, offset};
use ovs_ofp_actions::Subfield;

const VLAN_CFI: u64 = 0x1000;
const VLAN_VID_MASK: u64 = 0x0fff;
const VLAN_PCP_MASK: u64 = 0xe000;
const MPLS_LABEL_MASK: u64 = 0xffff_f000;
const MPLS_TC_MASK: u64 = 0x0000_0e00;
const MPLS_BOS_MASK: u64 = 0x0000_0100;
const MPLS_TTL_MASK: u64 = 0x0000_00ff;
const IP_DSCP_MASK: u64 = 0xfc;
const IP_ECN_MASK: u64 = 0x03;
const FRAG_MASK: u64 = 0x03;
pub(crate) const FRAG_ANY: u8 = 0x01;
pub(crate) const FRAG_LATER: u8 = 0x02;
const TNL_PUBLIC_FLAGS: u64 = 0x0001;
const IPV6_LABEL_MASK: u64 = 0x000f_ffff;

pub(crate) const ETH_TYPE_IP: u16 = 0x0800;
pub(crate) const ETH_TYPE_IPV6: u16 = 0x86dd;
pub(crate) const ETH_TYPE_ARP: u16 = 0x0806;
pub(crate) const ETH_TYPE_RARP: u16 = 0x8035;
pub(crate) const ETH_TYPE_NSH: u16 = 0x894f;
pub(crate) const IPPROTO_ICMP: u8 = 1;
pub(crate) const IPPROTO_TCP: u8 = 6;
pub(crate) const IPPROTO_UDP: u8 = 17;
pub(crate) const IPPROTO_ICMPV6: u8 = 58;
pub(crate) const IPPROTO_SCTP: u8 = 132;

/// Typed access to the members translation reads and writes most.
pub(crate) trait FlowExt {
    fn u8_at(&self, off: usize) -> u8;
    fn u16_at(&self, off: usize) -> u16;
    fn u32_at(&self, off: usize) -> u32;
    fn set_u8(&mut self, off: usize, v: u8);
    fn set_u16(&mut self, off: usize, v: u16);
    fn set_u32(&mut self, off: usize, v: u32);
    fn or_bytes(&mut self, off: usize, len: usize);
    fn dl_type(&self) -> u16;
    fn nw_proto(&self) -> u8;
    fn nw_frag(&self) -> u8;
    fn packet_type(&self) -> u32;
    fn in_port(&self) -> u16;
    fn mac(&self, off: usize) -> [u8; 6];
    fn is_ip_any(&self) -> bool;
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
    fn set_u8(&mut self, off: usize, v: u8) {
        self.set_be(off, 1, u64::from(v));
    }
    fn set_u16(&mut self, off: usize, v: u16) {
        self.set_be(off, 2, u64::from(v));
    }
    fn set_u32(&mut self, off: usize, v: u32) {
        self.set_be(off, 4, u64::from(v));
    }
    /// Sets every bit of `len` bytes at `off` (a mask "exact").
    fn or_bytes(&mut self, off: usize, len: usize) {
        for b in self.bytes_mut(off, len) {
            *b = 0xff;
        }
    }
    fn dl_type(&self) -> u16 {
        self.u16_at(offset::DL_TYPE)
    }
    fn nw_proto(&self) -> u8 {
        self.u8_at(offset::NW_PROTO)
    }
    fn nw_frag(&self) -> u8 {
        self.u8_at(offset::NW_FRAG)
    }
    fn packet_type(&self) -> u32 {
        self.u32_at(offset::PACKET_TYPE)
    }
    fn in_port(&self) -> u16 {
        self.u16_at(offset::IN_PORT)
    }
    fn mac(&self, off: usize) -> [u8; 6] {
        let mut m = [0u8; 6];
        m.copy_from_slice(self.bytes(off, 6));
        m
    }
    fn is_ip_any(&self) -> bool {
        matches!(self.dl_type(), ETH_TYPE_IP | ETH_TYPE_IPV6)
    }
}

fn n_bytes(field: FieldId) -> usize {
    usize::from(field.info().n_bytes)
}

fn storage(field: FieldId) -> (usize, usize) {
    let i = field.info();
    (usize::from(i.storage_offset), usize::from(i.storage_len))
}

fn read_be(flow: &Flow, off: usize, len: usize) -> u128 {
    flow.bytes(off, len)
        .iter()
        .fold(0u128, |acc, b| (acc << 8) | u128::from(*b))
}

fn write_be(flow: &Flow, off: usize, len: usize, value: u128) -> Flow {
    let mut f = flow.clone();
    put_be(&mut f, off, len, value);
    f
}

fn put_be(flow: &mut Flow, off: usize, len: usize, value: u128) {
    let dst = flow.bytes_mut(off, len);
    let n = dst.len();
    for (i, b) in dst.iter_mut().enumerate() {
        let shift = 8 * (n - 1 - i);
        *b = if shift >= 128 {
            0
        } else {
            (value >> shift) as u8
        };
    }
}

/// Mask of a field's value bits (its width in bytes).
pub(crate) fn width_mask(field: FieldId) -> u128 {
    let bits = 8 * n_bytes(field);
    if bits >= 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    }
}

/// OVS's `mf_get_value`.
pub(crate) fn get(field: FieldId, flow: &Flow) -> u128 {
    use FieldId as F;
    if field.info().variable_length {
        return 0;
    }
    let at = |off: usize, len: usize| u128::from(flow.get_be(off, len));
    let tci = || at(offset::VLAN0_TCI, 2);
    let lse = || at(offset::MPLS_LSE0, 4);
    let tos = || at(offset::NW_TOS, 1);
    match field {
        F::InPortOxm => u128::from(ovs_flow::port_to_of11(flow.in_port())),
        F::ActsetOutput => u128::from(ovs_flow::port_to_of11(flow.u16_at(offset::ACTSET_OUTPUT))),
        F::TunFlags => at(offset::TUN_FLAGS, 2) & u128::from(TNL_PUBLIC_FLAGS),
        F::DlVlan => tci() & u128::from(VLAN_VID_MASK),
        F::VlanVid => tci() & u128::from(VLAN_VID_MASK | VLAN_CFI),
        F::DlVlanPcp | F::VlanPcp => (tci() & u128::from(VLAN_PCP_MASK)) >> 13,
        F::MplsLabel => (lse() & u128::from(MPLS_LABEL_MASK)) >> 12,
        F::MplsTc => (lse() & u128::from(MPLS_TC_MASK)) >> 9,
        F::MplsBos => (lse() & u128::from(MPLS_BOS_MASK)) >> 8,
        F::MplsTtl => lse() & u128::from(MPLS_TTL_MASK),
        F::IpDscp => tos() & u128::from(IP_DSCP_MASK),
        F::IpDscpShifted => tos() >> 2,
        F::IpEcn => tos() & u128::from(IP_ECN_MASK),
        F::IpFrag => at(offset::NW_FRAG, 1) & u128::from(FRAG_MASK),
        F::ArpOp => at(offset::NW_PROTO, 1),
        F::Icmpv4Type | F::Icmpv6Type => at(offset::TP_SRC, 2) & 0xff,
        F::Icmpv4Code | F::Icmpv6Code => at(offset::TP_DST, 2) & 0xff,
        F::NdOptionsType => at(offset::TCP_FLAGS, 2) & 0xff,
        F::Ipv6Label => at(offset::IPV6_LABEL, 4) & u128::from(IPV6_LABEL_MASK),
        F::NshSpi => (at(offset::NSH_PATH_HDR, 4) >> 8) & 0xff_ffff,
        F::NshSi => at(offset::NSH_PATH_HDR, 4) & 0xff,
        _ => {
            let (off, len) = storage(field);
            read_be(flow, off, len)
        }
    }
}

/// OVS's `mf_set_flow_value`: writes the whole field.
pub(crate) fn set(field: FieldId, flow: &mut Flow, value: u128) {
    use FieldId as F;
    if field.info().variable_length {
        return;
    }
    let v = value as u64;
    let mut bits = |off: usize, len: usize, mask: u64, new: u64| {
        let old = flow.get_be(off, len);
        flow.set_be(off, len, (old & !mask) | (new & mask));
    };
    match field {
        F::InPortOxm => {
            if let Some(p) = ovs_flow::port_from_of11(v as u32) {
                flow.set_u16(offset::IN_PORT, p);
            }
        }
        F::ActsetOutput => {
            if let Some(p) = ovs_flow::port_from_of11(v as u32) {
                flow.set_u16(offset::ACTSET_OUTPUT, p);
            }
        }
        F::TunFlags => bits(offset::TUN_FLAGS, 2, TNL_PUBLIC_FLAGS, v),
        F::DlVlan => {
            // OpenFlow 1.0's "no VLAN" value removes the tag.
            if v == 0xffff {
                flow.set_u16(offset::VLAN0_TCI, 0);
            } else {
                bits(
                    offset::VLAN0_TCI,
                    2,
                    VLAN_VID_MASK | VLAN_CFI,
                    (v & VLAN_VID_MASK) | VLAN_CFI,
                );
            }
        }
        F::VlanVid => bits(offset::VLAN0_TCI, 2, VLAN_VID_MASK | VLAN_CFI, v),
        F::DlVlanPcp | F::VlanPcp => bits(
            offset::VLAN0_TCI,
            2,
            VLAN_PCP_MASK | VLAN_CFI,
            ((v & 7) << 13) | VLAN_CFI,
        ),
        F::MplsLabel => bits(offset::MPLS_LSE0, 4, MPLS_LABEL_MASK, v << 12),
        F::MplsTc => bits(offset::MPLS_LSE0, 4, MPLS_TC_MASK, v << 9),
        F::MplsBos => bits(offset::MPLS_LSE0, 4, MPLS_BOS_MASK, v << 8),
        F::MplsTtl => bits(offset::MPLS_LSE0, 4, MPLS_TTL_MASK, v),
        F::IpDscp => bits(offset::NW_TOS, 1, IP_DSCP_MASK, v),
        F::IpDscpShifted => bits(offset::NW_TOS, 1, IP_DSCP_MASK, v << 2),
        F::IpEcn => bits(offset::NW_TOS, 1, IP_ECN_MASK, v),
        F::IpFrag => bits(offset::NW_FRAG, 1, 0xff, v & FRAG_MASK),
        F::ArpOp => flow.set_u8(offset::NW_PROTO, v as u8),
        F::Icmpv4Type | F::Icmpv6Type => flow.set_u16(offset::TP_SRC, v as u8 as u16),
        F::Icmpv4Code | F::Icmpv6Code => flow.set_u16(offset::TP_DST, v as u8 as u16),
        F::NdOptionsType => flow.set_u16(offset::TCP_FLAGS, v as u8 as u16),
        F::Ipv6Label => flow.set_u32(offset::IPV6_LABEL, (v & IPV6_LABEL_MASK) as u32),
        F::NshSpi => bits(offset::NSH_PATH_HDR, 4, 0xffff_ff00, v << 8),
        F::NshSi => bits(offset::NSH_PATH_HDR, 4, 0xff, v),
        _ => {
            let (off, len) = storage(field);
            put_be(flow, off, len, value);
        }
    }
}

/// OVS's `mf_set_flow_value_masked`.
pub(crate) fn set_masked(field: FieldId, flow: &mut Flow, value: u128, mask: u128) {
    let old = get(field, flow);
    set(field, flow, (old & !mask) | (value & mask));
}

/// OVS's `mf_mask_field_masked`: ORs `mask` into the field's mask in `wc`.
pub(crate) fn mask_field(field: FieldId, wc: &mut Flow, mask: u128) {
    let mask = if field == FieldId::DlVlan {
        mask & u128::from(VLAN_VID_MASK)
    } else {
        mask
    };
    let old = get(field, wc);
    set(field, wc, old | mask);
}

/// OVS's `mf_set_mask_l3_prereqs` (the CVE-2023-1668 fix Debian's OVS
/// 3.1 carries): setting one of these L3 fields unwildcards `nw_proto`, so
/// that a packet with IP protocol 0 cannot share the megaflow. The list is
/// OVS's, exactly: `ip_dscp` in its OXM (shifted) form, and the L4 fields
/// (whose prerequisites already looked at `nw_proto`), are not on it.
pub(crate) fn mask_l3_prereqs(field: FieldId, flow: &Flow, wc: &mut Flow) {
    use FieldId as F;
    let ip = matches!(
        field,
        F::Ipv4Src
            | F::Ipv4Dst
            | F::Ipv6Src
            | F::Ipv6Dst
            | F::Ipv6Label
            | F::IpDscp
            | F::IpEcn
            | F::IpTtl
    );
    let arp = matches!(
        field,
        F::ArpOp | F::ArpSha | F::ArpTha | F::ArpSpa | F::ArpTpa
    );
    if (ip && flow.is_ip_any()) || (arp && flow.dl_type() == ETH_TYPE_ARP) {
        wc.set_u8(offset::NW_PROTO, 0xff);
    }
}

/// OVS's `is_ethernet` with its wildcard side effect.
pub(crate) fn is_ethernet(flow: &Flow, wc: &mut Flow) -> bool {
    wc.or_bytes(offset::PACKET_TYPE, 4);
    flow.packet_type() == 0
}

fn is_ip_proto(flow: &Flow, proto: u8, wc: &mut Flow) -> bool {
    if flow.is_ip_any() {
        wc.or_bytes(offset::NW_PROTO, 1);
        flow.nw_proto() == proto
    } else {
        false
    }
}

fn is_icmpv4(flow: &Flow, wc: &mut Flow) -> bool {
    if flow.dl_type() == ETH_TYPE_IP {
        wc.or_bytes(offset::NW_PROTO, 1);
        flow.nw_proto() == IPPROTO_ICMP
    } else {
        false
    }
}

fn is_icmpv6(flow: &Flow, wc: &mut Flow) -> bool {
    if flow.dl_type() == ETH_TYPE_IPV6 {
        wc.or_bytes(offset::NW_PROTO, 1);
        flow.nw_proto() == IPPROTO_ICMPV6
    } else {
        false
    }
}

fn is_nd(flow: &Flow, wc: &mut Flow) -> bool {
    if is_icmpv6(flow, wc) {
        wc.or_bytes(offset::TP_DST, 2);
        if flow.u16_at(offset::TP_DST) != 0 {
            return false;
        }
        wc.or_bytes(offset::TP_SRC, 2);
        matches!(flow.u16_at(offset::TP_SRC), 135 | 136)
    } else {
        false
    }
}

fn is_ct_valid(flow: &Flow, wc: &mut Flow) -> bool {
    // OVS's is_ct_valid: "tracked and not invalid", or any other state bit.
    const CS_TRACKED: u32 = 0x20;
    const CS_INVALID: u32 = 0x10;
    wc.or_bytes(offset::CT_STATE, 4);
    let s = flow.u32_at(offset::CT_STATE);
    s & CS_TRACKED != 0 && s & CS_INVALID == 0
}

/// OVS's `mf_are_prereqs_ok` on a flow, unwildcarding what it looks at.
pub(crate) fn prereqs_ok(field: FieldId, flow: &Flow, wc: &mut Flow) -> bool {
    let later = flow.nw_frag() & FRAG_LATER != 0;
    match field.info().prereq {
        Prereq::None => true,
        Prereq::Ethernet => is_ethernet(flow, wc),
        Prereq::Arp => matches!(flow.dl_type(), ETH_TYPE_ARP | ETH_TYPE_RARP),
        Prereq::Ipv4 => flow.dl_type() == ETH_TYPE_IP,
        Prereq::Ipv6 => flow.dl_type() == ETH_TYPE_IPV6,
        Prereq::VlanVid => {
            if !is_ethernet(flow, wc) {
                return false;
            }
            let m = wc.u16_at(offset::VLAN0_TCI) | VLAN_CFI as u16;
            wc.set_u16(offset::VLAN0_TCI, m);
            u64::from(flow.u16_at(offset::VLAN0_TCI)) & VLAN_CFI != 0
        }
        Prereq::Mpls => matches!(flow.dl_type(), 0x8847 | 0x8848),
        Prereq::IpAny => flow.is_ip_any(),
        Prereq::Nsh => flow.dl_type() == ETH_TYPE_NSH,
        Prereq::CtValid => is_ct_valid(flow, wc),
        Prereq::Tcp => is_ip_proto(flow, IPPROTO_TCP, wc) && !later,
        Prereq::Udp => is_ip_proto(flow, IPPROTO_UDP, wc) && !later,
        Prereq::Sctp => is_ip_proto(flow, IPPROTO_SCTP, wc) && !later,
        Prereq::Icmpv4 => is_icmpv4(flow, wc),
        Prereq::Icmpv6 => is_icmpv6(flow, wc),
        Prereq::Nd => is_nd(flow, wc),
        Prereq::NdSolicit => is_nd(flow, wc) && flow.u16_at(offset::TP_SRC) == 135,
        Prereq::NdAdvert => is_nd(flow, wc) && flow.u16_at(offset::TP_SRC) == 136,
    }
}

/// Bits `ofs..ofs+n_bits` set.
pub(crate) fn subfield_bits(sf: &Subfield) -> u128 {
    let n = u32::from(sf.n_bits);
    let ones = if n >= 128 {
        u128::MAX
    } else {
        (1u128 << n) - 1
    };
    ones.checked_shl(u32::from(sf.ofs)).unwrap_or(0)
}

/// OVS's `mf_read_subfield`, as a number (bit 0 = the subfield's bit 0).
pub(crate) fn read_subfield(sf: &Subfield, flow: &Flow) -> u128 {
    let v = get(sf.field, flow);
    (v & subfield_bits(sf))
        .checked_shr(u32::from(sf.ofs))
        .unwrap_or(0)
}

/// OVS's `mf_write_subfield_flow`.
pub(crate) fn write_subfield(sf: &Subfield, value: u128, flow: &mut Flow) {
    let bits = subfield_bits(sf);
    let shifted = value.checked_shl(u32::from(sf.ofs)).unwrap_or(0);
    let old = get(sf.field, flow);
    set(sf.field, flow, (old & !bits) | (shifted & bits));
}

/// Unwildcards a subfield (OVS writes all-ones into the mask).
pub(crate) fn mask_subfield(sf: &Subfield, wc: &mut Flow) {
    write_subfield(sf, u128::MAX, wc);
}

/// The value of a field as `n_bytes` big-endian bytes.
pub(crate) fn to_bytes(field: FieldId, value: u128) -> Vec<u8> {
    let n = n_bytes(field).min(16);
    value.to_be_bytes()[16 - n..].to_vec()
}

/// A big-endian byte string (at most 16 bytes used) as a number.
pub(crate) fn from_bytes(b: &[u8]) -> u128 {
    let b = if b.len() > 16 { &b[b.len() - 16..] } else { b };
    b.iter().fold(0u128, |acc, x| (acc << 8) | u128::from(*x))
}

/// A flow with `field` written (for tests and callers building flows).
pub fn with_field(flow: &Flow, field: FieldId, value: u128) -> Flow {
    let mut f = flow.clone();
    set(field, &mut f, value);
    f
}

/// Reads `len` storage bytes as a number (used for whole members).
pub(crate) fn member(flow: &Flow, off: usize, len: usize) -> u128 {
    read_be(flow, off, len)
}

/// Writes a whole member.
pub(crate) fn set_member(flow: &Flow, off: usize, len: usize, value: u128) -> Flow {
    write_be(flow, off, len, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_round_trip() {
        let mut f = Flow::ZERO;
        set(FieldId::VlanVid, &mut f, 0x1000 | 10);
        assert_eq!(f.u16_at(offset::VLAN0_TCI), 0x100a);
        set(FieldId::VlanPcp, &mut f, 5);
        assert_eq!(f.u16_at(offset::VLAN0_TCI), 0xb00a);
        assert_eq!(get(FieldId::DlVlan, &f), 10);
        set(FieldId::DlVlan, &mut f, 0xffff);
        assert_eq!(f.u16_at(offset::VLAN0_TCI), 0);
        set(FieldId::Reg3, &mut f, 0xdead_beef);
        assert_eq!(get(FieldId::Reg3, &f), 0xdead_beef);
        let sf = Subfield {
            field: FieldId::Reg3,
            ofs: 4,
            n_bits: 8,
        };
        assert_eq!(read_subfield(&sf, &f), 0xee);
        write_subfield(&sf, 0x12, &mut f);
        assert_eq!(get(FieldId::Reg3, &f), 0xdead_b12f);
    }

    #[test]
    fn vlan_vid_mask_sets_cfi() {
        let mut wc = Flow::ZERO;
        mask_field(FieldId::VlanPcp, &mut wc, 7);
        assert_eq!(wc.u16_at(offset::VLAN0_TCI), 0xf000);
    }
}
