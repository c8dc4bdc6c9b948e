//! Field prerequisites checked against a match (OVS's
//! `mf_are_match_prereqs_ok`).
//!
//! As in OVS, prerequisites look at the match's values, not its masks: a
//! wildcarded `eth_type` reads as 0, so it fails an IPv4 prerequisite. The one
//! exception is `CtValid`, where "not invalid" must be matched explicitly.

use crate::fields::{ALL_FIELDS, FieldId, Prereq};
use crate::matches::{FRAG_LATER, Match};
use crate::table::offset;

const ETH_TYPE_IP: u64 = 0x0800;
const ETH_TYPE_IPV6: u64 = 0x86dd;
const ETH_TYPE_ARP: u64 = 0x0806;
const ETH_TYPE_RARP: u64 = 0x8035;
const ETH_TYPE_MPLS: u64 = 0x8847;
const ETH_TYPE_MPLS_MCAST: u64 = 0x8848;
const ETH_TYPE_NSH: u64 = 0x894f;
/// What OVS stores as the Ethernet type of a non-Ethernet packet type it
/// cannot name (`FLOW_DL_TYPE_NONE`).
const DL_TYPE_NONE: u64 = 0x05ff;
/// Packet type namespace whose types are Ethertypes (`OFPHTN_ETHERTYPE`).
const PT_NS_ETHERTYPE: u64 = 1;

const IPPROTO_ICMP: u64 = 1;
const IPPROTO_TCP: u64 = 6;
const IPPROTO_UDP: u64 = 17;
const IPPROTO_ICMPV6: u64 = 58;
const IPPROTO_SCTP: u64 = 132;
const ND_NEIGHBOR_SOLICIT: u64 = 135;
const ND_NEIGHBOR_ADVERT: u64 = 136;

const CS_NEW: u64 = 0x01;
const CS_ESTABLISHED: u64 = 0x02;
const CS_RELATED: u64 = 0x04;
const CS_REPLY_DIR: u64 = 0x08;
const CS_INVALID: u64 = 0x10;
const CS_TRACKED: u64 = 0x20;
const CS_SRC_NAT: u64 = 0x40;
const CS_DST_NAT: u64 = 0x80;

impl Match {
    fn value(&self, off: usize, len: usize) -> u64 {
        self.flow.get_be(off, len)
    }

    /// The Ethernet type the match implies: `eth_type` for Ethernet
    /// packets, the type itself for an Ethertype packet type (OVS's
    /// `get_dl_type`).
    pub fn dl_type(&self) -> u16 {
        let pt = self.value(offset::PACKET_TYPE, 4);
        let dl_type = if pt == 0 {
            self.value(offset::DL_TYPE, 2)
        } else if pt >> 16 == PT_NS_ETHERTYPE {
            pt & 0xffff
        } else {
            DL_TYPE_NONE
        };
        dl_type as u16
    }

    fn is_ip_any(&self) -> bool {
        matches!(u64::from(self.dl_type()), ETH_TYPE_IP | ETH_TYPE_IPV6)
    }

    fn ip_proto_is(&self, proto: u64) -> bool {
        self.is_ip_any() && self.value(offset::NW_PROTO, 1) == proto
    }

    fn not_later_fragment(&self) -> bool {
        self.value(offset::NW_FRAG, 1) & u64::from(FRAG_LATER) == 0
    }

    fn is_icmpv6(&self) -> bool {
        u64::from(self.dl_type()) == ETH_TYPE_IPV6
            && self.value(offset::NW_PROTO, 1) == IPPROTO_ICMPV6
    }

    fn is_nd(&self) -> bool {
        self.is_icmpv6()
            && self.value(offset::TP_DST, 2) == 0
            && matches!(
                self.value(offset::TP_SRC, 2),
                ND_NEIGHBOR_SOLICIT | ND_NEIGHBOR_ADVERT
            )
    }

    fn is_ct_valid(&self) -> bool {
        let state = self.value(offset::CT_STATE, 4);
        let mask = self.wc.get_be(offset::CT_STATE, 4);
        state & (CS_NEW | CS_ESTABLISHED | CS_RELATED | CS_REPLY_DIR | CS_SRC_NAT | CS_DST_NAT) != 0
            || (state & CS_TRACKED != 0 && mask & CS_INVALID != 0 && state & CS_INVALID == 0)
    }

    /// True if this match satisfies `field`'s prerequisites, so that
    /// `field` may be matched (or set by an action) here.
    pub fn prereqs_ok(&self, field: FieldId) -> bool {
        let dl_type = u64::from(self.dl_type());
        let ethernet = self.value(offset::PACKET_TYPE, 4) == 0;
        match field.info().prereq {
            Prereq::None => true,
            Prereq::Ethernet => ethernet,
            Prereq::Arp => dl_type == ETH_TYPE_ARP || dl_type == ETH_TYPE_RARP,
            Prereq::Ipv4 => dl_type == ETH_TYPE_IP,
            Prereq::Ipv6 => dl_type == ETH_TYPE_IPV6,
            Prereq::VlanVid => ethernet && self.value(offset::VLAN0_TCI, 2) & 0x1000 != 0,
            Prereq::Mpls => dl_type == ETH_TYPE_MPLS || dl_type == ETH_TYPE_MPLS_MCAST,
            Prereq::IpAny => self.is_ip_any(),
            Prereq::Nsh => dl_type == ETH_TYPE_NSH,
            Prereq::CtValid => self.is_ct_valid(),
            Prereq::Tcp => self.ip_proto_is(IPPROTO_TCP) && self.not_later_fragment(),
            Prereq::Udp => self.ip_proto_is(IPPROTO_UDP) && self.not_later_fragment(),
            Prereq::Sctp => self.ip_proto_is(IPPROTO_SCTP) && self.not_later_fragment(),
            Prereq::Icmpv4 => {
                dl_type == ETH_TYPE_IP && self.value(offset::NW_PROTO, 1) == IPPROTO_ICMP
            }
            Prereq::Icmpv6 => self.is_icmpv6(),
            Prereq::Nd => self.is_nd(),
            Prereq::NdSolicit => {
                self.is_nd() && self.value(offset::TP_SRC, 2) == ND_NEIGHBOR_SOLICIT
            }
            Prereq::NdAdvert => self.is_nd() && self.value(offset::TP_SRC, 2) == ND_NEIGHBOR_ADVERT,
        }
    }

    /// The first field (in [`FieldId`] order) that is matched although its
    /// prerequisites are not. Fields that share storage are taken together:
    /// a matched `tp_src` is fine if any of `tcp_src`, `udp_src`,
    /// `sctp_src`, `icmp_type` or `icmpv6_type` has its prerequisites met,
    /// since the match cannot tell which one was meant.
    pub fn check_prereqs(&self) -> Result<(), FieldId> {
        for &field in ALL_FIELDS.iter() {
            let info = field.info();
            if info.variable_length || self.is_wild(field) || self.prereqs_ok(field) {
                continue;
            }
            let start = usize::from(info.storage_offset);
            let end = start + usize::from(info.storage_len);
            let alias_ok = ALL_FIELDS.iter().any(|&other| {
                let o = other.info();
                let o_start = usize::from(o.storage_offset);
                let o_end = o_start + usize::from(o.storage_len);
                other != field
                    && !o.variable_length
                    && o_start < end
                    && start < o_end
                    && !self.is_wild(other)
                    && self.prereqs_ok(other)
            });
            if !alias_ok {
                return Err(field);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(fields: &[(FieldId, u128)]) -> Match {
        let mut m = Match::default();
        for (f, v) in fields {
            m.set_exact_uint(*f, *v).unwrap();
        }
        m
    }

    #[test]
    fn transport_needs_ip_and_protocol() {
        let tcp = m(&[(FieldId::EthType, 0x0800), (FieldId::IpProto, 6)]);
        assert!(tcp.prereqs_ok(FieldId::TcpSrc));
        assert!(!tcp.prereqs_ok(FieldId::UdpSrc));
        assert!(!Match::default().prereqs_ok(FieldId::TcpSrc));
        let v6 = m(&[(FieldId::EthType, 0x86dd), (FieldId::IpProto, 6)]);
        assert!(v6.prereqs_ok(FieldId::TcpDst));
        let mut later = tcp.clone();
        later.set_exact_uint(FieldId::IpFrag, 3).unwrap();
        assert!(!later.prereqs_ok(FieldId::TcpSrc));
        // A non-Ethernet packet type fails Ethernet prerequisites.
        let pt = m(&[(FieldId::PacketType, 0x0001_0800)]);
        assert!(!pt.prereqs_ok(FieldId::EthSrc));
        assert!(pt.prereqs_ok(FieldId::Ipv4Src));
    }

    #[test]
    fn nd_and_vlan_and_ct() {
        let nd = m(&[
            (FieldId::EthType, 0x86dd),
            (FieldId::IpProto, 58),
            (FieldId::Icmpv6Type, 135),
            (FieldId::Icmpv6Code, 0),
        ]);
        assert!(nd.prereqs_ok(FieldId::NdTarget));
        assert!(nd.prereqs_ok(FieldId::NdSll));
        assert!(!nd.prereqs_ok(FieldId::NdTll));
        assert!(!Match::default().prereqs_ok(FieldId::VlanPcp));
        assert!(m(&[(FieldId::VlanVid, 0x1001)]).prereqs_ok(FieldId::VlanPcp));
        assert!(!Match::default().prereqs_ok(FieldId::CtNwSrc));
        assert!(m(&[(FieldId::CtState, 0x02)]).prereqs_ok(FieldId::CtNwSrc));
        let mut not_inv = Match::default();
        not_inv
            .set_masked(FieldId::CtState, &[0, 0, 0, 0x20], &[0, 0, 0, 0x30])
            .unwrap();
        assert!(not_inv.prereqs_ok(FieldId::CtTpSrc));
    }

    #[test]
    fn whole_match() {
        let good = m(&[
            (FieldId::EthType, 0x0800),
            (FieldId::IpProto, 17),
            (FieldId::UdpDst, 53),
        ]);
        assert_eq!(good.check_prereqs(), Ok(()));
        let bad = m(&[(FieldId::EthType, 0x0800), (FieldId::TcpDst, 80)]);
        assert_eq!(bad.check_prereqs(), Err(FieldId::TcpDst));
        let arp = m(&[(FieldId::EthType, 0x0806), (FieldId::ArpOp, 1)]);
        assert_eq!(arp.check_prereqs(), Ok(()));
        let no_ip = m(&[(FieldId::Ipv4Src, 0x0a000001)]);
        assert_eq!(no_ip.check_prereqs(), Err(FieldId::Ipv4Src));
    }
}
