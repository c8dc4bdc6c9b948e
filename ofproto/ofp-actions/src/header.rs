//! Header-changing actions with fixed arguments: VLAN, Ethernet, IPv4,
//! IP TOS/ECN/TTL, L4 ports, MPLS, dec_ttl, set_tunnel, queues.

use std::net::Ipv4Addr;

use ovs_flow::FieldId;
use ovs_ofp_core::{OfpErr, Version, Writer};

use crate::action::{Action, DecTtlForm, SetTunnelForm, StripVlanForm, Subfield};
use crate::bits::{all_zeros, be16, set16, slice, tail};
use crate::encode::Enc;
use crate::field::{put_reg_load, put_set_field};
use crate::raw::{self, Raw};

pub(crate) const ETH_TYPE_VLAN_8021Q: u16 = 0x8100;
pub(crate) const ETH_TYPE_VLAN_8021AD: u16 = 0x88a8;
pub(crate) const ETH_TYPE_MPLS: u16 = 0x8847;
pub(crate) const ETH_TYPE_MPLS_MCAST: u16 = 0x8848;

pub(crate) fn eth_type_mpls(t: u16) -> bool {
    t == ETH_TYPE_MPLS || t == ETH_TYPE_MPLS_MCAST
}

pub(crate) fn decode(raw: Raw, b: &[u8], arg: u64) -> Result<Action, OfpErr> {
    let a8 = arg as u8;
    let a16 = arg as u16;
    let a32 = arg as u32;
    Ok(match raw {
        Raw::Of10SetVlanVid | Raw::Of11SetVlanVid => {
            if a16 & !0x0fff != 0 {
                return Err(OfpErr::OfpbacBadArgument);
            }
            Action::SetVlanVid {
                vid: a16,
                push_vlan_if_needed: raw == Raw::Of10SetVlanVid,
                flow_has_vlan: false,
            }
        }
        Raw::Of10SetVlanPcp | Raw::Of11SetVlanPcp => {
            if a8 & !7 != 0 {
                return Err(OfpErr::OfpbacBadArgument);
            }
            Action::SetVlanPcp {
                pcp: a8,
                push_vlan_if_needed: raw == Raw::Of10SetVlanPcp,
                flow_has_vlan: false,
            }
        }
        Raw::Of10StripVlan => Action::StripVlan {
            form: StripVlanForm::StripVlan,
        },
        Raw::Of11PopVlan => Action::StripVlan {
            form: StripVlanForm::PopVlan,
        },
        Raw::Of11PushVlan => {
            if a16 != ETH_TYPE_VLAN_8021Q && a16 != ETH_TYPE_VLAN_8021AD {
                return Err(OfpErr::OfpbacBadArgument);
            }
            Action::PushVlan { ethertype: a16 }
        }
        Raw::SetDlSrc | Raw::SetDlDst => {
            let mut mac = [0u8; 6];
            mac.copy_from_slice(slice(b, 4, 6).get(..6).unwrap_or(&[0; 6]));
            if raw == Raw::SetDlSrc {
                Action::SetEthSrc { mac }
            } else {
                Action::SetEthDst { mac }
            }
        }
        Raw::SetNwSrc => Action::SetIpv4Src {
            addr: Ipv4Addr::from(a32),
        },
        Raw::SetNwDst => Action::SetIpv4Dst {
            addr: Ipv4Addr::from(a32),
        },
        Raw::SetNwTos => {
            if a8 & !0xfc != 0 {
                return Err(OfpErr::OfpbacBadArgument);
            }
            Action::SetIpDscp { dscp: a8 }
        }
        Raw::Of11SetNwEcn => {
            if a8 & !0x03 != 0 {
                return Err(OfpErr::OfpbacBadArgument);
            }
            Action::SetIpEcn { ecn: a8 }
        }
        Raw::Of11SetNwTtl => Action::SetIpTtl { ttl: a8 },
        Raw::SetTpSrc => Action::SetL4SrcPort {
            port: a16,
            flow_ip_proto: 0,
        },
        Raw::SetTpDst => Action::SetL4DstPort {
            port: a16,
            flow_ip_proto: 0,
        },
        Raw::SetMplsLabel => Action::SetMplsLabel { label: a32 },
        Raw::SetMplsTc => Action::SetMplsTc { tc: a8 },
        Raw::SetMplsTtl => Action::SetMplsTtl { ttl: a8 },
        Raw::DecMplsTtl => Action::DecMplsTtl,
        Raw::PushMpls => {
            if !eth_type_mpls(a16) {
                return Err(OfpErr::OfpbacBadArgument);
            }
            Action::PushMpls { ethertype: a16 }
        }
        Raw::PopMpls => Action::PopMpls { ethertype: a16 },
        Raw::SetQueue => Action::SetQueue { queue_id: a32 },
        Raw::NxPopQueue => Action::PopQueue,
        Raw::DecNwTtl => Action::DecTtl {
            cnt_ids: vec![0],
            form: DecTtlForm::DecTtl,
        },
        Raw::NxDecTtlCntIds => {
            let n = usize::from(be16(b, 10));
            if !all_zeros(slice(b, 12, 4)) {
                return Err(OfpErr::NxbrcMustBeZero);
            }
            let ids = tail(b, 16);
            if ids.len() < n * 2 {
                return Err(OfpErr::OfpbacBadLen);
            }
            Action::DecTtl {
                cnt_ids: (0..n).map(|i| be16(ids, i * 2)).collect(),
                form: DecTtlForm::CntIds,
            }
        }
        Raw::NxSetTunnel => Action::SetTunnel {
            tun_id: arg,
            form: SetTunnelForm::SetTunnel,
        },
        Raw::NxSetTunnel64 => Action::SetTunnel {
            tun_id: arg,
            form: SetTunnelForm::SetTunnel64,
        },
        _ => return Err(OfpErr::OfpbacBadType),
    })
}

/// `mod_nw_ecn` for `e.version` (a 2-bit load in OpenFlow 1.0).
pub(crate) fn encode_ecn(e: &Enc<'_>, ecn: u8, w: &mut Writer) {
    match e.version {
        Version::Of10 => {
            let dst = Subfield {
                field: FieldId::IpEcn,
                ofs: 0,
                n_bits: 2,
            };
            put_reg_load(e, &dst, u64::from(ecn), w);
        }
        Version::Of11 => {
            raw::put(w, e.version, Raw::Of11SetNwEcn, u64::from(ecn));
        }
        _ => put_set_field(e, FieldId::IpEcn, u64::from(ecn), w),
    }
}

/// The L4 port field for the transport protocol seen at check time.
fn l4_field(proto: u8, src: bool) -> Option<FieldId> {
    match (proto, src) {
        (6, true) => Some(FieldId::TcpSrc),
        (6, false) => Some(FieldId::TcpDst),
        (17, true) => Some(FieldId::UdpSrc),
        (17, false) => Some(FieldId::UdpDst),
        (132, true) => Some(FieldId::SctpSrc),
        (132, false) => Some(FieldId::SctpDst),
        _ => None,
    }
}

pub(crate) fn encode(e: &Enc<'_>, a: &Action, w: &mut Writer) {
    let v = e.version;
    let pre12 = v < Version::Of12;
    match a {
        Action::SetVlanVid {
            vid,
            push_vlan_if_needed,
            flow_has_vlan,
        } => {
            if v > Version::Of10 && *push_vlan_if_needed && !*flow_has_vlan {
                raw::put(w, v, Raw::Of11PushVlan, u64::from(ETH_TYPE_VLAN_8021Q));
            }
            match v {
                Version::Of10 => {
                    raw::put(w, v, Raw::Of10SetVlanVid, u64::from(*vid));
                }
                Version::Of11 => {
                    raw::put(w, v, Raw::Of11SetVlanVid, u64::from(*vid));
                }
                _ => put_set_field(e, FieldId::VlanVid, u64::from(*vid | 0x1000), w),
            }
        }
        Action::SetVlanPcp {
            pcp,
            push_vlan_if_needed,
            flow_has_vlan,
        } => {
            if v > Version::Of10 && *push_vlan_if_needed && !*flow_has_vlan {
                raw::put(w, v, Raw::Of11PushVlan, u64::from(ETH_TYPE_VLAN_8021Q));
            }
            match v {
                Version::Of10 => {
                    raw::put(w, v, Raw::Of10SetVlanPcp, u64::from(*pcp));
                }
                Version::Of11 => {
                    raw::put(w, v, Raw::Of11SetVlanPcp, u64::from(*pcp));
                }
                _ => put_set_field(e, FieldId::VlanPcp, u64::from(*pcp), w),
            }
        }
        Action::StripVlan { .. } => {
            let raw = if v == Version::Of10 {
                Raw::Of10StripVlan
            } else {
                Raw::Of11PopVlan
            };
            raw::put(w, v, raw, 0);
        }
        // In OpenFlow 1.0 the push is implied by the set_vlan that should
        // follow, so nothing is written.
        Action::PushVlan { ethertype } if v != Version::Of10 => {
            raw::put(w, v, Raw::Of11PushVlan, u64::from(*ethertype));
        }
        Action::SetEthSrc { mac } | Action::SetEthDst { mac } => {
            let src = matches!(a, Action::SetEthSrc { .. });
            if pre12 {
                let raw = if src { Raw::SetDlSrc } else { Raw::SetDlDst };
                raw::put_with(w, v, raw, 0, usize::MAX, |b| {
                    crate::bits::set_bytes(b, 4, mac);
                });
            } else {
                let field = if src {
                    FieldId::EthSrc
                } else {
                    FieldId::EthDst
                };
                let mut x = [0u8; 8];
                x[2..].copy_from_slice(mac);
                put_set_field(e, field, u64::from_be_bytes(x), w);
            }
        }
        Action::SetIpv4Src { addr } | Action::SetIpv4Dst { addr } => {
            let src = matches!(a, Action::SetIpv4Src { .. });
            let value = u64::from(u32::from(*addr));
            if pre12 {
                let raw = if src { Raw::SetNwSrc } else { Raw::SetNwDst };
                raw::put(w, v, raw, value);
            } else {
                let field = if src {
                    FieldId::Ipv4Src
                } else {
                    FieldId::Ipv4Dst
                };
                put_set_field(e, field, value, w);
            }
        }
        Action::SetIpDscp { dscp } => {
            if pre12 {
                raw::put(w, v, Raw::SetNwTos, u64::from(*dscp));
            } else {
                put_set_field(e, FieldId::IpDscpShifted, u64::from(*dscp >> 2), w);
            }
        }
        Action::SetIpEcn { ecn } => encode_ecn(e, *ecn, w),
        Action::SetIpTtl { ttl } => {
            if v >= Version::Of11 {
                raw::put(w, v, Raw::Of11SetNwTtl, u64::from(*ttl));
            } else {
                let dst = Subfield {
                    field: FieldId::IpTtl,
                    ofs: 0,
                    n_bits: 8,
                };
                put_reg_load(e, &dst, u64::from(*ttl), w);
            }
        }
        Action::SetL4SrcPort {
            port,
            flow_ip_proto,
        }
        | Action::SetL4DstPort {
            port,
            flow_ip_proto,
        } => {
            let src = matches!(a, Action::SetL4SrcPort { .. });
            match l4_field(*flow_ip_proto, src) {
                Some(field) if !pre12 => put_set_field(e, field, u64::from(*port), w),
                _ => {
                    let raw = if src { Raw::SetTpSrc } else { Raw::SetTpDst };
                    raw::put(w, v, raw, u64::from(*port));
                }
            }
        }
        Action::DecTtl { cnt_ids, form } => {
            if *form == DecTtlForm::CntIds || cnt_ids.as_slice() != [0] {
                let start = raw::put_with(w, v, Raw::NxDecTtlCntIds, 0, usize::MAX, |b| {
                    set16(b, 10, u16::try_from(cnt_ids.len()).unwrap_or(u16::MAX));
                });
                for id in cnt_ids {
                    w.u16(*id);
                }
                raw::finish(w, start);
            } else {
                raw::put(w, v, Raw::DecNwTtl, 0);
            }
        }
        Action::SetMplsLabel { label } => {
            if pre12 {
                raw::put(w, v, Raw::SetMplsLabel, u64::from(*label));
            } else {
                put_set_field(e, FieldId::MplsLabel, u64::from(*label), w);
            }
        }
        Action::SetMplsTc { tc } => {
            if pre12 {
                raw::put(w, v, Raw::SetMplsTc, u64::from(*tc));
            } else {
                put_set_field(e, FieldId::MplsTc, u64::from(*tc), w);
            }
        }
        Action::SetMplsTtl { ttl } => {
            raw::put(w, v, Raw::SetMplsTtl, u64::from(*ttl));
        }
        Action::DecMplsTtl => {
            raw::put(w, v, Raw::DecMplsTtl, 0);
        }
        Action::PushMpls { ethertype } => {
            raw::put(w, v, Raw::PushMpls, u64::from(*ethertype));
        }
        Action::PopMpls { ethertype } => {
            raw::put(w, v, Raw::PopMpls, u64::from(*ethertype));
        }
        Action::SetTunnel { tun_id, form } => {
            if pre12 {
                let raw = if *tun_id <= u64::from(u32::MAX) && *form != SetTunnelForm::SetTunnel64 {
                    Raw::NxSetTunnel
                } else {
                    Raw::NxSetTunnel64
                };
                raw::put(w, v, raw, *tun_id);
            } else {
                put_set_field(e, FieldId::TunId, *tun_id, w);
            }
        }
        Action::SetQueue { queue_id } => {
            raw::put(w, v, Raw::SetQueue, u64::from(*queue_id));
        }
        Action::PopQueue => {
            raw::put(w, v, Raw::NxPopQueue, 0);
        }
        _ => {}
    }
}
