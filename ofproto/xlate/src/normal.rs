//! The NORMAL action: an L2 learning switch with VLANs (OVS's
//! `xlate_normal` and its helpers). Multicast snooping, mirrors, bonds
//! (beyond using the first member) and the gratuitous ARP lock for bonds
//! are not implemented.

use ovs_flow::offset;
use ovs_ofp_core::OfpPort;

use crate::config::{VlanMode, XBundle};
use crate::field::{ETH_TYPE_ARP, FlowExt};
use crate::trace::NodeKind;
use crate::xlate::Ctx;

/// Up to two VLAN headers as NORMAL sees them (OVS's `xvlan`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct XVlan {
    v: [Tag; 2],
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Tag {
    tpid: u16,
    vid: u16,
    pcp: u16,
}

const TPIDS: [usize; 2] = [offset::VLAN0_TPID, offset::VLAN1_TPID];
const TCIS: [usize; 2] = [offset::VLAN0_TCI, offset::VLAN1_TCI];

impl XVlan {
    fn extract(flow: &ovs_flow::Flow) -> XVlan {
        let mut x = XVlan::default();
        for i in 0..2 {
            let tpid = flow.u16_at(TPIDS[i]);
            let tci = flow.u16_at(TCIS[i]);
            if !matches!(tpid, 0x8100 | 0x88a8) || tci & 0x1000 == 0 {
                break;
            }
            x.v[i] = Tag {
                tpid,
                vid: tci & 0x0fff,
                pcp: tci & 0xe000,
            };
        }
        x
    }

    fn put(&self, flow: &mut ovs_flow::Flow, priority_tags: bool) {
        for i in 0..2 {
            let t = self.v[i];
            let mut tci = t.vid | (t.pcp & 0xe000);
            if tci != 0 || (priority_tags && t.tpid != 0) {
                tci |= 0x1000;
                flow.set_u16(TPIDS[i], if t.tpid != 0 { t.tpid } else { 0x8100 });
            }
            flow.set_u16(TCIS[i], tci);
        }
    }

    fn pop(&mut self) {
        self.v[0] = self.v[1];
        self.v[1] = Tag::default();
    }

    fn push_uninit(&mut self) {
        self.v[1] = self.v[0];
        self.v[0] = Tag::default();
    }
}

fn trunks_vlan(b: &XBundle, vlan: u16) -> bool {
    b.vlan_mode != VlanMode::Access && b.trunks.as_ref().is_none_or(|t| t.contains(vlan))
}

fn allows_cvlan(b: &XBundle, vlan: u16) -> bool {
    b.cvlans.as_ref().is_none_or(|t| t.contains(vlan))
}

fn includes_vlan(b: &XBundle, x: &XVlan) -> bool {
    match b.vlan_mode {
        VlanMode::Access => x.v[0].vid == b.vlan && x.v[1].vid == 0,
        VlanMode::Trunk | VlanMode::NativeUntagged | VlanMode::NativeTagged => {
            trunks_vlan(b, x.v[0].vid)
        }
        VlanMode::Dot1qTunnel => x.v[0].vid == b.vlan && allows_cvlan(b, x.v[1].vid),
    }
}

fn input_translate(b: &XBundle, input: &XVlan) -> XVlan {
    match b.vlan_mode {
        VlanMode::Access => {
            let mut x = XVlan::default();
            x.v[0].tpid = if input.v[0].tpid != 0 {
                input.v[0].tpid
            } else {
                0x8100
            };
            x.v[0].vid = b.vlan;
            x.v[0].pcp = input.v[0].pcp;
            x
        }
        VlanMode::Trunk => *input,
        VlanMode::NativeUntagged | VlanMode::NativeTagged => {
            let mut x = *input;
            if input.v[0].vid == 0 {
                x.v[0].tpid = if input.v[0].tpid != 0 {
                    input.v[0].tpid
                } else {
                    0x8100
                };
                x.v[0].vid = b.vlan;
                x.v[0].pcp = input.v[0].pcp;
            }
            x
        }
        VlanMode::Dot1qTunnel => {
            let mut x = *input;
            x.push_uninit();
            x.v[0] = Tag {
                tpid: b.qinq_ethtype,
                vid: b.vlan,
                pcp: 0,
            };
            x
        }
    }
}

fn output_translate(b: &XBundle, x: &XVlan) -> XVlan {
    match b.vlan_mode {
        VlanMode::Access => XVlan::default(),
        VlanMode::Trunk | VlanMode::NativeTagged => *x,
        VlanMode::NativeUntagged => {
            let mut o = *x;
            if x.v[0].vid == b.vlan {
                o.pop();
            }
            o
        }
        VlanMode::Dot1qTunnel => {
            let mut o = *x;
            o.pop();
            o
        }
    }
}

fn is_reserved_multicast(mac: &[u8; 6]) -> bool {
    // 01:80:c2:00:00:0x, the IEEE 802.1D reserved range OVS's
    // eth_addr_is_reserved covers (plus a few Cisco addresses).
    (mac[..5] == [0x01, 0x80, 0xc2, 0x00, 0x00] && mac[5] & 0xf0 == 0)
        || matches!(
            mac,
            [0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc]
                | [0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcd]
                | [0x01, 0x00, 0x0c, 0xcd, 0xcd, 0xcd]
                | [0x01, 0x00, 0x0c, 0x00, 0x00, 0x00]
        )
}

impl Ctx<'_> {
    fn input_vid_is_valid(&mut self, vid: u16, b: &XBundle) -> bool {
        match b.vlan_mode {
            VlanMode::Access => {
                if vid != 0 {
                    let (name, tag) = (b.name.clone(), b.vlan);
                    self.report_error(format!(
                        "dropping VLAN {vid} tagged packet received on port {name} configured as VLAN {tag} access port"
                    ));
                    return false;
                }
                true
            }
            VlanMode::NativeUntagged | VlanMode::NativeTagged | VlanMode::Trunk => {
                if vid == 0 && b.vlan_mode != VlanMode::Trunk {
                    return true;
                }
                if !trunks_vlan(b, vid) {
                    let name = b.name.clone();
                    self.report_error(format!(
                        "dropping VLAN {vid} packet received on port {name} not configured for trunking VLAN {vid}"
                    ));
                    return false;
                }
                true
            }
            VlanMode::Dot1qTunnel => {
                if !allows_cvlan(b, vid) {
                    let name = b.name.clone();
                    self.report_error(format!(
                        "dropping VLAN {vid} packet received on dot1q-tunnel port {name} that excludes this VLAN"
                    ));
                    return false;
                }
                true
            }
        }
    }

    fn is_gratuitous_arp(&mut self) -> bool {
        if self.flow.dl_type() != ETH_TYPE_ARP {
            return false;
        }
        self.wc.or_bytes(offset::DL_DST, 6);
        if self.flow.mac(offset::DL_DST) != [0xff; 6] {
            return false;
        }
        self.wc.or_bytes(offset::NW_PROTO, 1);
        match self.flow.nw_proto() {
            2 => true,
            1 => {
                self.wc.or_bytes(offset::NW_SRC, 4);
                self.wc.or_bytes(offset::NW_DST, 4);
                self.flow.u32_at(offset::NW_SRC) == self.flow.u32_at(offset::NW_DST)
            }
            _ => false,
        }
    }

    fn output_normal(&mut self, out: usize, x: &XVlan) {
        let bridge = self.bridge;
        let Some(b) = bridge.bundle(out) else { return };
        if b.vlan_mode == VlanMode::Dot1qTunnel && b.cvlans.is_some() {
            self.wc.set_u16(offset::VLAN1_TCI, 0xffff);
        }
        let mut o = output_translate(b, x);
        if b.use_priority_tags {
            o.v[0].pcp = self.flow.u16_at(offset::VLAN0_TCI) & 0xe000;
        }
        // Bonds: the first enabled member stands in for OVS's choice.
        let member = if b.bond {
            b.members
                .iter()
                .copied()
                .find(|p| bridge.port(*p).is_some_and(|x| x.may_enable))
        } else {
            b.members.first().copied()
        };
        let Some(port) = member else { return };
        let old = self.flow.bytes(offset::VLAN0_TPID, 8).to_vec();
        o.put(&mut self.flow, b.use_priority_tags);
        self.compose_output(port, false, false, true);
        self.flow
            .bytes_mut(offset::VLAN0_TPID, 8)
            .copy_from_slice(&old);
    }

    fn normal_flood(&mut self, in_bundle: Option<usize>, x: &XVlan) {
        let bridge = self.bridge;
        let in_id = in_bundle.and_then(|i| bridge.bundle(i)).map(|b| b.id);
        for (i, b) in bridge.bundles.iter().enumerate() {
            if Some(i) != in_bundle && Some(b.id) != in_id && includes_vlan(b, x) && b.floodable {
                self.output_normal(i, x);
            }
        }
    }

    /// OVS's `xlate_normal`.
    pub(crate) fn xlate_normal(&mut self) {
        self.wc.or_bytes(offset::DL_SRC, 6);
        self.wc.or_bytes(offset::DL_DST, 6);
        let m = self.wc.u16_at(offset::VLAN0_TCI) | 0x1fff;
        self.wc.set_u16(offset::VLAN0_TCI, m);

        let bridge = self.bridge;
        let in_port = OfpPort(self.flow.in_port());
        let xport = bridge.port(in_port);
        // OFPP_NONE and CONTROLLER as input stand for "from the controller"
        // (OVS's ofpp_none_bundle): any VLAN, no learning.
        let in_bundle: Option<usize> = match xport.and_then(|p| p.bundle) {
            Some(b) => Some(b),
            None if in_port == OfpPort::CONTROLLER || in_port == OfpPort::NONE => None,
            None => {
                self.report_error(format!("received packet on unknown port {}", in_port.0));
                self.report(NodeKind::Warn, "no input bundle, dropping");
                return;
            }
        };
        let in_b = in_bundle.and_then(|i| bridge.bundle(i));

        if matches!(self.flow.dl_type(), 0x8100 | 0x88a8)
            && self.flow.u16_at(offset::VLAN0_TCI) & 0x1000 == 0
        {
            if self.xin.packet.is_some() {
                let name = in_b.map(|b| b.name.clone()).unwrap_or_default();
                self.report_error(format!(
                    "dropping packet with partial VLAN tag received on port {name}"
                ));
            }
            self.report(NodeKind::Warn, "partial VLAN tag, dropping");
            return;
        }

        let in_xvlan = XVlan::extract(&self.flow);
        if let Some(b) = in_b
            && !self.input_vid_is_valid(in_xvlan.v[0].vid, b)
        {
            self.report(
                NodeKind::Warn,
                "disallowed VLAN VID for this input port, dropping",
            );
            return;
        }
        let xvlan = match in_b {
            Some(b) => input_translate(b, &in_xvlan),
            None => in_xvlan,
        };
        let vlan = xvlan.v[0].vid;

        if xport.is_some() && !bridge.forward_bpdu {
            let dst = self.flow.mac(offset::DL_DST);
            if is_reserved_multicast(&dst) {
                self.report(
                    NodeKind::Detail,
                    "packet has reserved destination MAC, dropping",
                );
                return;
            }
        }

        let is_grat_arp = self.is_gratuitous_arp();
        if self.xin.allow_side_effects
            && self.flow.packet_type() == 0
            && xport.is_some()
            && let Some(b) = in_b
        {
            let src = self.flow.mac(offset::DL_SRC);
            let learned = bridge
                .mac
                .update(src, vlan, is_grat_arp, b.bond, b.id, self.xin.now_ms);
            if learned {
                let name = b.name.clone();
                self.report(
                    NodeKind::Detail,
                    format!(
                        "learned that {} is on port {name} in VLAN {vlan}",
                        crate::format::mac(&src)
                    ),
                );
            }
        }

        let dst = self.flow.mac(offset::DL_DST);
        match bridge.mac.lookup(dst, vlan) {
            Some(id) => match bridge.bundle_by_id(id) {
                Some((idx, b)) => {
                    let same = in_b.is_some_and(|ib| ib.id == b.id) || Some(idx) == in_bundle;
                    if !same {
                        self.report(NodeKind::Detail, "forwarding to learned port");
                        self.output_normal(idx, &xvlan);
                    } else {
                        self.report(NodeKind::Detail, "learned port is input port, dropping");
                    }
                }
                None => {
                    self.report(NodeKind::Warn, "learned port is unknown, dropping");
                }
            },
            None => {
                self.report(NodeKind::Detail, "no learned MAC for destination, flooding");
                self.normal_flood(in_bundle, &xvlan);
            }
        }
    }
}
