//! Turning header changes made during translation into datapath set
//! actions (OVS's `commit_odp_actions` in `odp-util.c`).
//!
//! Translation changes `flow`; `base` is the packet as the datapath will
//! have it at this point of the action list. Before each output, every
//! attribute that differs between the two becomes one `set` (or masked
//! `set`) action, and `base` catches up. Attributes compare field by field:
//! the fields that did not change drop out of the mask, so a masked set
//! writes only the fields that changed, and a plain set (datapaths without
//! masked sets, or a mask that came out exact) writes the whole attribute
//! and unwildcards all of it.

use std::net::{Ipv4Addr, Ipv6Addr};

use ovs_flow::{Flow, offset};
use ovs_odp::{ArpKey, DpAction, DpKey, EthKey, IcmpKey, Ipv4Key, Ipv6Key, PortsKey};

use crate::field::{
    ETH_TYPE_ARP, ETH_TYPE_IP, ETH_TYPE_IPV6, FRAG_ANY, FRAG_LATER, FlowExt, IPPROTO_ICMP,
    IPPROTO_ICMPV6, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP,
};

/// `SLOW_ACTION`: the flow needs the userspace slow path because no
/// datapath action can make a change it needs.
pub const SLOW_ACTION: u32 = 1 << 5;

/// One member of a key attribute: where it lives in the flow.
type Member = (usize, usize);

fn same(a: &Flow, b: &Flow, m: Member) -> bool {
    a.bytes(m.0, m.1) == b.bytes(m.0, m.1)
}

fn copy(dst: &mut Flow, src: &Flow, m: Member) {
    dst.bytes_mut(m.0, m.1).copy_from_slice(src.bytes(m.0, m.1));
}

fn zero(dst: &mut Flow, m: Member) {
    dst.bytes_mut(m.0, m.1).fill(0);
}

fn ones(dst: &mut Flow, m: Member) {
    dst.bytes_mut(m.0, m.1).fill(0xff);
}

fn all_ones(f: &Flow, m: Member) -> bool {
    f.bytes(m.0, m.1).iter().all(|b| *b == 0xff)
}

/// How one key attribute is laid out and built.
struct Attr {
    members: &'static [Member],
    /// Members whose mask is forced to zero (not writable).
    read_only: &'static [Member],
    /// Builds the attribute into a key from a flow (or a mask).
    build: fn(&Flow, bool, &mut DpKey),
}

/// OVS's `commit()`: returns true if an action was added.
fn commit(
    attr: &Attr,
    use_masked: bool,
    flow: &Flow,
    base: &mut Flow,
    wc: &mut Flow,
    actions: &mut Vec<DpAction>,
) -> bool {
    // Most attributes did not change: that takes no mask to find out.
    if attr.members.iter().all(|m| same(flow, base, *m)) {
        return false;
    }
    let mut mask = Flow::ZERO;
    for m in attr.members {
        copy(&mut mask, wc, *m);
    }
    for m in attr.read_only {
        zero(&mut mask, *m);
    }
    for m in attr.members {
        if same(flow, base, *m) {
            zero(&mut mask, *m);
        }
    }
    let fully_masked = attr.members.iter().all(|m| all_ones(&mask, *m));
    if use_masked && !fully_masked {
        let mut key = Flow::ZERO;
        for m in attr.members {
            copy(&mut key, flow, *m);
        }
        let key = key.masked(&mask);
        let mut k = DpKey::default();
        (attr.build)(&key, false, &mut k);
        let mut mk = DpKey::default();
        (attr.build)(&mask, true, &mut mk);
        actions.push(DpAction::SetMasked {
            key: Box::new(k),
            mask: Box::new(mk),
        });
    } else {
        for m in attr.members {
            ones(&mut mask, *m);
        }
        let mut k = DpKey::default();
        (attr.build)(flow, false, &mut k);
        actions.push(DpAction::Set(Box::new(k)));
    }
    for m in attr.members {
        copy(base, flow, *m);
        // The mask that the set needed joins what was already consulted.
        for (w, k) in wc.bytes_mut(m.0, m.1).iter_mut().zip(mask.bytes(m.0, m.1)) {
            *w |= k;
        }
    }
    true
}

fn ip4(f: &Flow, off: usize) -> Ipv4Addr {
    Ipv4Addr::from(f.u32_at(off))
}

fn ip6(f: &Flow, off: usize) -> Ipv6Addr {
    let mut b = [0u8; 16];
    b.copy_from_slice(f.bytes(off, 16));
    Ipv6Addr::from(b)
}

/// OVS's `ovs_to_odp_frag`.
fn odp_frag(nw_frag: u8, is_mask: bool) -> u8 {
    if is_mask {
        if nw_frag != 0 { 0xff } else { 0 }
    } else if nw_frag & FRAG_ANY == 0 {
        0
    } else if nw_frag & FRAG_LATER != 0 {
        2
    } else {
        1
    }
}

const ETH: Attr = Attr {
    members: &[(offset::DL_SRC, 6), (offset::DL_DST, 6)],
    read_only: &[],
    build: |f, _, k| {
        k.eth = Some(EthKey {
            src: f.mac(offset::DL_SRC),
            dst: f.mac(offset::DL_DST),
        })
    },
};

const IPV4: Attr = Attr {
    members: &[
        (offset::NW_SRC, 4),
        (offset::NW_DST, 4),
        (offset::NW_PROTO, 1),
        (offset::NW_TOS, 1),
        (offset::NW_TTL, 1),
        (offset::NW_FRAG, 1),
    ],
    read_only: &[(offset::NW_PROTO, 1), (offset::NW_FRAG, 1)],
    build: |f, is_mask, k| {
        k.ipv4 = Some(Ipv4Key {
            src: ip4(f, offset::NW_SRC),
            dst: ip4(f, offset::NW_DST),
            proto: f.nw_proto(),
            tos: f.u8_at(offset::NW_TOS),
            ttl: f.u8_at(offset::NW_TTL),
            frag: odp_frag(f.nw_frag(), is_mask),
        })
    },
};

const IPV6: Attr = Attr {
    members: &[
        (offset::IPV6_SRC, 16),
        (offset::IPV6_DST, 16),
        (offset::IPV6_LABEL, 4),
        (offset::NW_PROTO, 1),
        (offset::NW_TOS, 1),
        (offset::NW_TTL, 1),
        (offset::NW_FRAG, 1),
    ],
    read_only: &[(offset::NW_PROTO, 1), (offset::NW_FRAG, 1)],
    build: |f, is_mask, k| {
        k.ipv6 = Some(Ipv6Key {
            src: ip6(f, offset::IPV6_SRC),
            dst: ip6(f, offset::IPV6_DST),
            label: f.u32_at(offset::IPV6_LABEL),
            proto: f.nw_proto(),
            tclass: f.u8_at(offset::NW_TOS),
            hlimit: f.u8_at(offset::NW_TTL),
            frag: odp_frag(f.nw_frag(), is_mask),
        })
    },
};

const ARP: Attr = Attr {
    members: &[
        (offset::NW_SRC, 4),
        (offset::NW_DST, 4),
        (offset::NW_PROTO, 1),
        (offset::ARP_SHA, 6),
        (offset::ARP_THA, 6),
    ],
    read_only: &[],
    build: |f, _, k| {
        k.arp = Some(ArpKey {
            sip: ip4(f, offset::NW_SRC),
            tip: ip4(f, offset::NW_DST),
            // OVS widens an all-ones op (the whole 8-bit mask) to the
            // whole 16-bit attribute member, so a masked set of the op
            // prints no `/0xff`.
            op: match f.nw_proto() {
                0xff => 0xffff,
                p => u16::from(p),
            },
            sha: f.mac(offset::ARP_SHA),
            tha: f.mac(offset::ARP_THA),
        })
    },
};

const PORTS: [Member; 2] = [(offset::TP_SRC, 2), (offset::TP_DST, 2)];

fn ports(f: &Flow) -> PortsKey {
    PortsKey {
        src: f.u16_at(offset::TP_SRC),
        dst: f.u16_at(offset::TP_DST),
    }
}

const TCP: Attr = Attr {
    members: &PORTS,
    read_only: &[],
    build: |f, _, k| k.tcp = Some(ports(f)),
};
const UDP: Attr = Attr {
    members: &PORTS,
    read_only: &[],
    build: |f, _, k| k.udp = Some(ports(f)),
};
const SCTP: Attr = Attr {
    members: &PORTS,
    read_only: &[],
    build: |f, _, k| k.sctp = Some(ports(f)),
};

fn icmp(f: &Flow) -> IcmpKey {
    IcmpKey {
        icmp_type: f.u16_at(offset::TP_SRC) as u8,
        code: f.u16_at(offset::TP_DST) as u8,
    }
}

const ICMP: Attr = Attr {
    members: &PORTS,
    read_only: &[],
    build: |f, _, k| k.icmp = Some(icmp(f)),
};
const ICMPV6: Attr = Attr {
    members: &PORTS,
    read_only: &[],
    build: |f, _, k| k.icmpv6 = Some(icmp(f)),
};

const PRIORITY: Attr = Attr {
    members: &[(offset::SKB_PRIORITY, 4)],
    read_only: &[],
    build: |f, _, k| k.skb_priority = Some(f.u32_at(offset::SKB_PRIORITY)),
};
const PKT_MARK: Attr = Attr {
    members: &[(offset::PKT_MARK, 4)],
    read_only: &[],
    build: |f, _, k| k.skb_mark = Some(f.u32_at(offset::PKT_MARK)),
};

const VLAN_CFI: u16 = 0x1000;
const VLAN_TCI: [usize; 2] = [offset::VLAN0_TCI, offset::VLAN1_TCI];
const VLAN_TPID: [usize; 2] = [offset::VLAN0_TPID, offset::VLAN1_TPID];

fn count_vlans(f: &Flow) -> usize {
    VLAN_TCI
        .iter()
        .take_while(|off| f.u16_at(**off) & VLAN_CFI != 0)
        .count()
}

fn qtag(f: &Flow, i: usize) -> (u16, u16) {
    (f.u16_at(VLAN_TPID[i]), f.u16_at(VLAN_TCI[i]))
}

/// OVS's `commit_vlan_action`: pops the base's tags that differ and pushes
/// the flow's, innermost first.
fn commit_vlan(flow: &Flow, base: &mut Flow, wc: &mut Flow, actions: &mut Vec<DpAction>) {
    let mut base_n = count_vlans(base) as isize - 1;
    let mut flow_n = count_vlans(flow) as isize - 1;
    // Skip the tags both have in common, innermost first.
    while base_n >= 0 && flow_n >= 0 {
        if qtag(base, base_n as usize) != qtag(flow, flow_n as usize) {
            break;
        }
        base_n -= 1;
        flow_n -= 1;
    }
    while base_n >= 0 {
        actions.push(DpAction::PopVlan);
        let i = base_n as usize;
        wc.set_u16(VLAN_TPID[i], 0xffff);
        wc.set_u16(VLAN_TCI[i], 0xffff);
        base_n -= 1;
    }
    while flow_n >= 0 {
        let (tpid, tci) = qtag(flow, flow_n as usize);
        actions.push(DpAction::PushVlan { tpid, tci });
        flow_n -= 1;
    }
    for i in 0..2 {
        base.set_u16(VLAN_TPID[i], flow.u16_at(VLAN_TPID[i]));
        base.set_u16(VLAN_TCI[i], flow.u16_at(VLAN_TCI[i]));
    }
}

/// OVS's `commit_odp_actions` (without encap/decap, MPLS and NSH):
/// returns `SLOW_ACTION` if a change has no datapath action.
pub(crate) fn commit_odp_actions(
    flow: &Flow,
    base: &mut Flow,
    wc: &mut Flow,
    use_masked: bool,
    actions: &mut Vec<DpAction>,
) -> u32 {
    let mut slow = 0;
    if flow.packet_type() == 0 && base.packet_type() == 0 {
        commit(&ETH, use_masked, flow, base, wc, actions);
    }
    // A packet without an L3 header (nw_proto 0 in OVS's terms) gets no
    // L3 or L4 sets.
    if flow.nw_proto() != 0 {
        match base.dl_type() {
            ETH_TYPE_IP => {
                commit(&IPV4, use_masked, flow, base, wc, actions);
            }
            ETH_TYPE_IPV6 => {
                commit(&IPV6, use_masked, flow, base, wc, actions);
            }
            ETH_TYPE_ARP if commit(&ARP, true, flow, base, wc, actions) => {
                slow = SLOW_ACTION;
            }
            _ => {}
        }
        if base.is_ip_any() {
            let attr = match flow.nw_proto() {
                IPPROTO_TCP => Some(&TCP),
                IPPROTO_UDP => Some(&UDP),
                IPPROTO_SCTP => Some(&SCTP),
                _ => None,
            };
            if let Some(attr) = attr {
                commit(attr, use_masked, flow, base, wc, actions);
            }
        }
    }
    if flow.dl_type() == ETH_TYPE_IP && flow.nw_proto() == IPPROTO_ICMP {
        commit(&ICMP, false, flow, base, wc, actions);
    } else if flow.dl_type() == ETH_TYPE_IPV6 && flow.nw_proto() == IPPROTO_ICMPV6 {
        commit(&ICMPV6, false, flow, base, wc, actions);
    }
    commit_vlan(flow, base, wc, actions);
    commit(&PRIORITY, use_masked, flow, base, wc, actions);
    commit(&PKT_MARK, use_masked, flow, base, wc, actions);
    slow
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_set_only_changed_fields() {
        let mut flow = Flow::ZERO;
        flow.set_u16(offset::DL_TYPE, ETH_TYPE_IP);
        flow.set_u8(offset::NW_PROTO, 6);
        flow.set_u8(offset::NW_TTL, 64);
        let mut base = flow.clone();
        let mut wc = Flow::ZERO;
        flow.set_u32(offset::NW_SRC, 0x0102_0304);
        wc.set_u32(offset::NW_SRC, 0xffff_ffff);
        flow.set_u8(offset::NW_TTL, 63);
        wc.set_u8(offset::NW_TTL, 0xff);
        let mut acts = Vec::new();
        commit_odp_actions(&flow, &mut base, &mut wc, true, &mut acts);
        assert_eq!(
            ovs_odp::format_actions(&acts),
            "set(ipv4(src=1.2.3.4,ttl=63))"
        );
        assert_eq!(base, flow);
        // Nothing left to commit.
        acts.clear();
        commit_odp_actions(&flow, &mut base, &mut wc, true, &mut acts);
        assert!(acts.is_empty());
    }

    #[test]
    fn arp_op_set_is_a_whole_member() {
        // set_field:2->arp_op unwildcards nw_proto's 8 bits; OVS's ARP key
        // turns that all-ones byte into an all-ones 16-bit op mask.
        let mut flow = Flow::ZERO;
        flow.set_u16(offset::DL_TYPE, ETH_TYPE_ARP);
        flow.set_u8(offset::NW_PROTO, 1);
        let mut base = flow.clone();
        let mut wc = Flow::ZERO;
        flow.set_u8(offset::NW_PROTO, 2);
        wc.set_u8(offset::NW_PROTO, 0xff);
        flow.set_u32(offset::NW_SRC, 0x0a00_004d);
        wc.set_u32(offset::NW_SRC, 0xffff_ffff);
        let mut acts = Vec::new();
        let slow = commit_odp_actions(&flow, &mut base, &mut wc, true, &mut acts);
        assert_eq!(slow, SLOW_ACTION);
        assert_eq!(
            ovs_odp::format_actions(&acts),
            "set(arp(sip=10.0.0.77,op=2))"
        );
        assert_eq!(wc.nw_proto(), 0xff);
    }

    #[test]
    fn vlan_push_and_pop() {
        let mut flow = Flow::ZERO;
        let mut base = Flow::ZERO;
        let mut wc = Flow::ZERO;
        flow.set_u16(offset::VLAN0_TPID, 0x8100);
        flow.set_u16(offset::VLAN0_TCI, 0x1000 | 10);
        let mut acts = Vec::new();
        commit_odp_actions(&flow, &mut base, &mut wc, true, &mut acts);
        assert_eq!(ovs_odp::format_actions(&acts), "push_vlan(vid=10,pcp=0)");
        let flow2 = Flow::ZERO;
        acts.clear();
        commit_odp_actions(&flow2, &mut base, &mut wc, true, &mut acts);
        assert_eq!(ovs_odp::format_actions(&acts), "pop_vlan");
    }
}
