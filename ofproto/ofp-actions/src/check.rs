//! Consistency of actions with the match they run under, and with the
//! switch (`ofpacts_check_consistency`, `ofpacts_check`): output ports,
//! goto_table, field prerequisites, and the annotations OVS makes while
//! checking (whether a VLAN tag is known to exist, which L4 protocol).

use ovs_flow::{FieldId, Match, Prereq, offset};
use ovs_ofp_core::{OfpErr, OfpPort, Version};

use crate::action::{Action, CT_F_COMMIT, CtZone, LearnDst, LearnSrc, NatRange, Subfield};
use crate::bits;
use crate::header::eth_type_mpls;
use crate::nxm::{self, TlvMap};
use crate::output::{bundle_check, check_output_port};

/// What the checks need to know about the switch and the flow table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckParams {
    /// Ports numbered at or above this (other than the reserved ports) are
    /// rejected.
    pub max_ports: u16,
    /// The table the actions will live in; 255 disables the backward
    /// goto_table check (as for a packet_out or an OpenFlow 1.0 flow_mod
    /// without a table).
    pub table_id: u8,
    /// Number of tables; 255 disables the range check, as in OVS.
    pub n_tables: u8,
    /// Protocol version of the connection. OpenFlow 1.0 tolerates actions
    /// inconsistent with the match (e.g. `mod_nw_src` without `ip`); later
    /// versions reject them with `OFPBAC_MATCH_INCONSISTENT`.
    pub version: Version,
    /// Tunnel metadata widths.
    pub tlv: Option<TlvMap>,
}

/// Checks `actions` against the match `m` for a switch with `max_ports`
/// ports and `n_tables` tables (table unknown, so goto_table is checked
/// only against the number of tables).
pub fn check_actions(
    actions: &[Action],
    m: &Match,
    max_ports: u16,
    n_tables: u8,
    version: Version,
) -> Result<(), OfpErr> {
    let mut copy = actions.to_vec();
    check_actions_with(
        &mut copy,
        m,
        &CheckParams {
            max_ports,
            table_id: 255,
            n_tables,
            version,
            tlv: None,
        },
    )
}

/// Checks `actions` as ofproto does for a flow_mod or packet_out, and
/// records in them what OVS records while checking (`flow_has_vlan`,
/// `flow_ip_proto`), which the encoders use for OpenFlow 1.0/1.1.
pub fn check_actions_with(
    actions: &mut [Action],
    m: &Match,
    p: &CheckParams,
) -> Result<(), OfpErr> {
    let mut c = Checker {
        m: m.clone(),
        p,
        inconsistent: false,
    };
    c.check_list(actions)?;
    if c.inconsistent && p.version != Version::Of10 {
        return Err(OfpErr::OfpbacMatchInconsistent);
    }
    Ok(())
}

const ETH_TYPE_IP: u16 = 0x0800;
const ETH_TYPE_IPV6: u16 = 0x86dd;
const ETH_TYPE_ARP: u16 = 0x0806;
const ETH_TYPE_RARP: u16 = 0x8035;
const ETH_TYPE_NSH: u16 = 0x894f;
const PT_ETH: u32 = 0;
const PT_NSH: u32 = 0x0001_894f;
const PT_UNKNOWN: u32 = 0xffff_ffff;
/// `FLOW_DL_TYPE_NONE`.
const DL_TYPE_NONE: u16 = 0x05ff;
const VLAN_CFI: u16 = 0x1000;
const FRAG_LATER: u8 = 2;
const CS_NEW: u32 = 1;
const CS_ESTABLISHED: u32 = 2;
const CS_RELATED: u32 = 4;
const CS_REPLY_DIR: u32 = 8;
const CS_INVALID: u32 = 16;
const CS_TRACKED: u32 = 32;
const CS_SRC_NAT: u32 = 64;
const CS_DST_NAT: u32 = 128;

/// The flow fields the checks read and temporarily change, taken from and
/// put back into a match.
#[derive(Clone, Copy)]
struct Saved {
    packet_type: u64,
    dl_type: u64,
    nw_proto: u64,
    vlans: u64,
}

struct Checker<'a> {
    m: Match,
    p: &'a CheckParams,
    /// OVS clears the non-OpenFlow-1.0 protocols from the usable set.
    inconsistent: bool,
}

impl Checker<'_> {
    fn tlv(&self) -> Option<&TlvMap> {
        self.p.tlv.as_ref()
    }

    fn get(&self, ofs: usize, len: usize) -> u64 {
        self.m.flow.get_be(ofs, len)
    }

    fn set(&mut self, ofs: usize, len: usize, v: u64) {
        self.m.flow.set_be(ofs, len, v);
    }

    fn save(&self) -> Saved {
        Saved {
            packet_type: self.get(offset::PACKET_TYPE, 4),
            dl_type: self.get(offset::DL_TYPE, 2),
            nw_proto: self.get(offset::NW_PROTO, 1),
            vlans: self.get(offset::VLAN0_TPID, 8),
        }
    }

    fn restore(&mut self, s: Saved) {
        self.set(offset::PACKET_TYPE, 4, s.packet_type);
        self.set(offset::DL_TYPE, 2, s.dl_type);
        self.set(offset::NW_PROTO, 1, s.nw_proto);
        self.set(offset::VLAN0_TPID, 8, s.vlans);
    }

    fn packet_type(&self) -> u32 {
        self.get(offset::PACKET_TYPE, 4) as u32
    }

    /// `get_dl_type`: the Ethertype, also for non-Ethernet packet types.
    fn dl_type(&self) -> u16 {
        let pt = self.packet_type();
        if pt == PT_ETH {
            self.get(offset::DL_TYPE, 2) as u16
        } else if pt >> 16 == 1 {
            pt as u16
        } else {
            DL_TYPE_NONE
        }
    }

    fn tci(&self, i: usize) -> u16 {
        self.get(offset::VLAN0_TCI + 4 * i, 2) as u16
    }

    fn nw_proto(&self) -> u8 {
        self.get(offset::NW_PROTO, 1) as u8
    }

    fn ip_any(&self) -> bool {
        let t = self.dl_type();
        t == ETH_TYPE_IP || t == ETH_TYPE_IPV6
    }

    fn ct_state(&self) -> u32 {
        self.get(offset::CT_STATE, 4) as u32
    }

    /// `is_ct_valid`: with the match's mask, or (`use_mask` false) as for a
    /// fully extracted flow.
    fn ct_valid(&self, use_mask: bool) -> bool {
        let s = self.ct_state();
        if use_mask {
            let mask = self.m.wc.get_be(offset::CT_STATE, 4) as u32;
            s & (CS_NEW | CS_ESTABLISHED | CS_RELATED | CS_REPLY_DIR | CS_SRC_NAT | CS_DST_NAT) != 0
                || (s & CS_TRACKED != 0 && mask & CS_INVALID != 0 && s & CS_INVALID == 0)
        } else {
            s & (CS_NEW | CS_ESTABLISHED | CS_REPLY_DIR) != 0
        }
    }

    /// `mf_are_prereqs_ok` / `mf_are_match_prereqs_ok`.
    fn prereqs_ok(&self, field: FieldId, use_mask: bool) -> bool {
        let dl = self.dl_type();
        let proto = self.nw_proto();
        let frag_later = self.get(offset::NW_FRAG, 1) as u8 & FRAG_LATER != 0;
        let icmpv6 = dl == ETH_TYPE_IPV6 && proto == 58;
        let tp_src = self.get(offset::TP_SRC, 2);
        let nd = icmpv6 && self.get(offset::TP_DST, 2) == 0 && (tp_src == 135 || tp_src == 136);
        match field.info().prereq {
            Prereq::None => true,
            Prereq::Ethernet => self.packet_type() == PT_ETH,
            Prereq::Arp => dl == ETH_TYPE_ARP || dl == ETH_TYPE_RARP,
            Prereq::Ipv4 => dl == ETH_TYPE_IP,
            Prereq::Ipv6 => dl == ETH_TYPE_IPV6,
            Prereq::VlanVid => self.packet_type() == PT_ETH && self.tci(0) & VLAN_CFI != 0,
            Prereq::Mpls => eth_type_mpls(dl),
            Prereq::IpAny => self.ip_any(),
            Prereq::Nsh => dl == ETH_TYPE_NSH,
            Prereq::CtValid => self.ct_valid(use_mask),
            Prereq::Tcp => self.ip_any() && proto == 6 && !frag_later,
            Prereq::Udp => self.ip_any() && proto == 17 && !frag_later,
            Prereq::Sctp => self.ip_any() && proto == 132 && !frag_later,
            Prereq::Icmpv4 => dl == ETH_TYPE_IP && proto == 1,
            Prereq::Icmpv6 => icmpv6,
            Prereq::Nd => nd,
            Prereq::NdSolicit => nd && tp_src == 135,
            Prereq::NdAdvert => nd && tp_src == 136,
        }
    }

    /// `mf_check_src` against this match.
    fn check_src(&self, sf: &Subfield) -> Result<(), OfpErr> {
        crate::field::check_range(sf, self.tlv())?;
        if !self.prereqs_ok(sf.field, true) {
            return Err(OfpErr::OfpbacMatchInconsistent);
        }
        Ok(())
    }

    /// `mf_check_dst` against this match.
    fn check_dst(&self, sf: &Subfield) -> Result<(), OfpErr> {
        self.check_src(sf)?;
        if !sf.field.info().writable {
            return Err(OfpErr::OfpbacBadSetArgument);
        }
        Ok(())
    }

    fn max_ports(&self) -> OfpPort {
        OfpPort(self.p.max_ports)
    }

    /// `ofpacts_check`: each action in order, with the changed flow fields
    /// restored afterwards.
    fn check_list(&mut self, actions: &mut [Action]) -> Result<(), OfpErr> {
        let saved = self.save();
        let mut result = Ok(());
        for a in actions.iter_mut() {
            result = self.check_one(a);
            if result.is_err() {
                break;
            }
        }
        self.restore(saved);
        result
    }

    fn check_one(&mut self, a: &mut Action) -> Result<(), OfpErr> {
        match a {
            Action::Output { port, .. } | Action::OutputTrunc { port, .. } => {
                check_output_port(*port, self.max_ports())
            }
            Action::Enqueue { port, .. } => {
                if port.0 >= self.p.max_ports
                    && *port != OfpPort::IN_PORT
                    && *port != OfpPort::LOCAL
                {
                    Err(OfpErr::OfpbacBadOutPort)
                } else {
                    Ok(())
                }
            }
            Action::OutputReg { src, .. } => self.check_src(src),
            Action::Bundle(b) => bundle_check(b, self.max_ports(), |sf| self.check_dst(sf)),
            Action::SetVlanVid {
                push_vlan_if_needed,
                flow_has_vlan,
                ..
            }
            | Action::SetVlanPcp {
                push_vlan_if_needed,
                flow_has_vlan,
                ..
            } => {
                let tci = self.tci(0);
                *flow_has_vlan = tci & VLAN_CFI != 0;
                if !*flow_has_vlan && !*push_vlan_if_needed {
                    self.inconsistent = true;
                }
                self.set(offset::VLAN0_TCI, 2, u64::from(tci | VLAN_CFI));
                Ok(())
            }
            Action::StripVlan { .. } => {
                if self.tci(0) & VLAN_CFI == 0 {
                    self.inconsistent = true;
                }
                self.pop_vlan();
                Ok(())
            }
            Action::PushVlan { .. } => {
                if self.tci(1) & VLAN_CFI != 0 {
                    return Err(OfpErr::OfpbacBadTag);
                }
                let v0 = self.get(offset::VLAN0_TPID, 4);
                self.set(offset::VLAN1_TPID, 4, v0);
                self.set(offset::VLAN0_TPID, 4, u64::from(VLAN_CFI));
                Ok(())
            }
            Action::SetIpv4Src { .. } | Action::SetIpv4Dst { .. } => {
                if self.dl_type() != ETH_TYPE_IP {
                    self.inconsistent = true;
                }
                Ok(())
            }
            Action::SetIpDscp { .. }
            | Action::SetIpEcn { .. }
            | Action::SetIpTtl { .. }
            | Action::DecTtl { .. } => {
                if !self.ip_any() {
                    self.inconsistent = true;
                }
                Ok(())
            }
            Action::SetL4SrcPort { flow_ip_proto, .. }
            | Action::SetL4DstPort { flow_ip_proto, .. } => {
                let proto = self.nw_proto();
                let frag_later = self.get(offset::NW_FRAG, 1) as u8 & FRAG_LATER != 0;
                if !self.ip_any() || frag_later || !matches!(proto, 6 | 17 | 132) {
                    self.inconsistent = true;
                }
                *flow_ip_proto = proto;
                Ok(())
            }
            Action::RegMove { src, dst, .. } => {
                self.check_src(src)?;
                self.check_dst(dst)
            }
            Action::SetField(sf) => {
                let tci = self.tci(0);
                if !self.prereqs_ok(sf.field, false)
                    || (sf.field == FieldId::VlanVid && tci & VLAN_CFI == 0)
                {
                    return Err(OfpErr::OfpbacMatchInconsistent);
                }
                sf.flow_has_vlan = tci & VLAN_CFI != 0;
                if sf.field == FieldId::VlanTci {
                    // The write may add or remove the tag.
                    let v = bits::get(&sf.value, 0, 16);
                    self.set(offset::VLAN0_TCI, 2, v);
                }
                Ok(())
            }
            Action::StackPush(sf) => self.check_src(sf),
            Action::StackPop(sf) => self.check_dst(sf),
            Action::SetMplsLabel { .. }
            | Action::SetMplsTc { .. }
            | Action::SetMplsTtl { .. }
            | Action::DecMplsTtl => {
                if !eth_type_mpls(self.dl_type()) {
                    self.inconsistent = true;
                }
                Ok(())
            }
            Action::PushMpls { ethertype } => {
                if self.packet_type() != PT_ETH {
                    self.inconsistent = true;
                }
                self.set(offset::DL_TYPE, 2, u64::from(*ethertype));
                // The MPLS payload is opaque.
                self.set(offset::NW_PROTO, 1, 0);
                Ok(())
            }
            Action::PopMpls { ethertype } => {
                if self.packet_type() != PT_ETH || !eth_type_mpls(self.dl_type()) {
                    self.inconsistent = true;
                }
                self.set(offset::DL_TYPE, 2, u64::from(*ethertype));
                Ok(())
            }
            Action::FinTimeout { .. } => {
                if self.nw_proto() != 6 {
                    self.inconsistent = true;
                }
                Ok(())
            }
            Action::Resubmit(r) => {
                if r.with_ct_orig && !self.ct_valid(true) {
                    Err(OfpErr::OfpbacMatchInconsistent)
                } else {
                    Ok(())
                }
            }
            Action::Learn(l) => self.learn_check(l),
            Action::Multipath(mp) => self.check_dst(&mp.dst),
            Action::Clone(actions) => self.check_list(actions),
            Action::Ct(ct) => {
                let dl = self.dl_type();
                let proto = self.nw_proto();
                if !(dl == ETH_TYPE_IP || dl == ETH_TYPE_IPV6)
                    || (self.ct_state() & CS_INVALID != 0 && ct.flags & CT_F_COMMIT != 0)
                    || (ct.alg == 21 && proto != 6)
                    || (ct.alg == 69 && proto != 17)
                {
                    return Err(OfpErr::OfpbacMatchInconsistent);
                }
                if let CtZone::Field(sf) = &ct.zone {
                    // As in OVS, a zone from a field skips the nested checks.
                    return self.check_src(sf);
                }
                self.check_list(&mut ct.actions)
            }
            Action::Nat(nat) => {
                let dl = self.dl_type();
                let ok = match nat.range {
                    NatRange::None => dl == ETH_TYPE_IP || dl == ETH_TYPE_IPV6,
                    NatRange::Ipv4 { .. } => dl == ETH_TYPE_IP,
                    NatRange::Ipv6 { .. } => dl == ETH_TYPE_IPV6,
                };
                if !ok {
                    Err(OfpErr::OfpbacMatchInconsistent)
                } else {
                    Ok(())
                }
            }
            Action::Encap(encap) => {
                let pt = encap.new_pkt_type;
                self.set(offset::PACKET_TYPE, 4, u64::from(pt));
                if pt >> 16 == 1 {
                    self.set(offset::DL_TYPE, 2, u64::from(pt & 0xffff));
                }
                if !self.ip_any() {
                    self.set(offset::NW_PROTO, 1, 0);
                }
                Ok(())
            }
            Action::Decap { .. } => {
                if self.packet_type() == PT_ETH {
                    let dl = self.get(offset::DL_TYPE, 2);
                    self.set(offset::PACKET_TYPE, 4, (1 << 16) | dl);
                } else {
                    // Unknown until decapsulated: nothing header-dependent
                    // may follow.
                    self.set(offset::PACKET_TYPE, 4, u64::from(PT_UNKNOWN));
                    self.set(offset::DL_TYPE, 2, 0xffff);
                }
                Ok(())
            }
            Action::DecNshTtl => {
                if self.packet_type() != PT_NSH
                    && self.get(offset::DL_TYPE, 2) as u16 != ETH_TYPE_NSH
                {
                    self.inconsistent = true;
                }
                Ok(())
            }
            Action::DeleteField { field } => {
                if nxm::tun_metadata_index(*field).is_none() {
                    Err(OfpErr::OfpbacBadArgument)
                } else {
                    Ok(())
                }
            }
            Action::Meter { meter_id } => {
                if *meter_id == 0 || *meter_id > 0xffff_0000 {
                    Err(OfpErr::OfpmmfcInvalidMeter)
                } else {
                    Ok(())
                }
            }
            Action::WriteActions(actions) => {
                // An action set's consistency cannot be judged, so only
                // hard errors count.
                let outer = self.inconsistent;
                let r = self.check_list(actions);
                self.inconsistent = outer;
                r
            }
            Action::GotoTable { table_id } => {
                let (t, n) = (self.p.table_id, self.p.n_tables);
                if (t != 255 && *table_id <= t) || (n != 255 && *table_id >= n) {
                    Err(OfpErr::OfpbicBadTableId)
                } else {
                    Ok(())
                }
            }
            Action::Group { .. }
            | Action::Controller(_)
            | Action::SetEthSrc { .. }
            | Action::SetEthDst { .. }
            | Action::SetTunnel { .. }
            | Action::SetQueue { .. }
            | Action::PopQueue
            | Action::Conjunction { .. }
            | Action::Note(_)
            | Action::Exit
            | Action::Sample(_)
            | Action::CtClear
            | Action::CheckPktLarger { .. }
            | Action::DebugRecirc
            | Action::DebugSlow
            | Action::ClearActions
            | Action::WriteMetadata { .. } => Ok(()),
        }
    }

    /// `flow_pop_vlan`.
    fn pop_vlan(&mut self) {
        let n = (0..2).take_while(|i| self.tci(*i) & VLAN_CFI != 0).count();
        if n > 1 {
            let v1 = self.get(offset::VLAN1_TPID, 4);
            self.set(offset::VLAN0_TPID, 4, v1);
        }
        if n > 0 {
            self.set(offset::VLAN0_TPID + 4 * (n - 1), 4, 0);
        }
    }

    /// `learn_check`: sources against the flow's match, destinations
    /// against the match being built by the earlier specs.
    fn learn_check(&self, l: &crate::action::Learn) -> Result<(), OfpErr> {
        let mut dst = Checker {
            m: Match::catchall(),
            p: self.p,
            inconsistent: false,
        };
        for spec in &l.specs {
            if let LearnSrc::Field(sf) = &spec.src {
                self.check_src(sf)?;
            }
            match &spec.dst {
                LearnDst::Match(sf) => {
                    dst.check_src(sf)?;
                    if let LearnSrc::Immediate(v) = &spec.src {
                        write_subfield(&mut dst.m, sf, v);
                    }
                }
                LearnDst::Load(sf) => dst.check_dst(sf)?,
                LearnDst::Output => {}
            }
        }
        Ok(())
    }
}

/// Sets `sf`'s bits in `m` to the low bits of `imm` and makes them exact
/// (`mf_write_subfield_value`), for the fields whose storage is their value
/// (all the ones prerequisites depend on). Other fields are left alone.
fn write_subfield(m: &mut Match, sf: &Subfield, imm: &[u8]) {
    let info = sf.field.info();
    let (ofs, n) = (usize::from(sf.ofs), usize::from(sf.n_bits));
    let (start, len) = match sf.field {
        FieldId::Icmpv4Type | FieldId::Icmpv6Type | FieldId::Icmpv4Code | FieldId::Icmpv6Code => {
            (usize::from(info.storage_offset) + 1, 1)
        }
        FieldId::IpDscpShifted => return,
        _ if info.storage_len == info.n_bytes && !info.variable_length => {
            (usize::from(info.storage_offset), usize::from(info.n_bytes))
        }
        _ => return,
    };
    let mut value = m.flow.bytes(start, len).to_vec();
    let mut mask = m.wc.bytes(start, len).to_vec();
    bits::copy(imm, 0, &mut value, ofs, n);
    bits::one(&mut mask, ofs, n);
    for (i, (v, k)) in value.iter().zip(mask.iter()).enumerate() {
        if let Some(b) = m.flow.bytes_mut(start + i, 1).first_mut() {
            *b = v & k;
        }
        if let Some(b) = m.wc.bytes_mut(start + i, 1).first_mut() {
            *b = *k;
        }
    }
}
