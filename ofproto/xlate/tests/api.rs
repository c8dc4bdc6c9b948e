//! The seam the daemon uses: translating a datapath upcall, crediting
//! rules, applying side effects, and turning controller upcalls into
//! packet-ins.

use std::net::Ipv4Addr;
use std::sync::Arc;

use ovs_flow::{FieldId, Flow, Match, offset};
use ovs_odp::{DpAction, UserCookie};
use ovs_ofp_actions::{Action, Controller, Learn, LearnDst, LearnSpec, LearnSrc, Subfield};
use ovs_ofp_core::OfpPort;
use ovs_ofproto::{NewFlow, Tables};
use ovs_xlate::{
    Effect, XBridge, XPort, XlateConfig, XlateIn, packet_in_from_upcall, reason, xlate,
};

fn bridge_with(flows: Vec<(Match, u16, Vec<Action>)>) -> XlateConfig {
    let mut br = XBridge::new("br0");
    br.add_simple_port(XPort::new(OfpPort::LOCAL, Some(100), "br0"), 1);
    for p in 1..=3u16 {
        br.add_simple_port(
            XPort::new(OfpPort(p), Some(u32::from(p)), format!("p{p}")),
            1 + u32::from(p),
        );
    }
    let mut tables = Tables::default();
    for (m, priority, actions) in flows {
        let nf = NewFlow {
            table_id: 0,
            matches: m,
            priority,
            cookie: 0x42,
            actions: actions.into(),
            idle_timeout: 0,
            hard_timeout: 0,
            importance: 0,
            flags: 0,
        };
        tables.add(nf, 0, &mut Default::default()).expect("add");
    }
    br.tables = Arc::new(tables);
    let mut cfg = XlateConfig::default();
    cfg.bridges.insert("br0".into(), Arc::new(br));
    cfg.index_odp_ports();
    cfg
}

fn tcp_packet_flow(in_port: u16, src: u8, dst: u8) -> Flow {
    let mut f = Flow::ZERO;
    f.set_be(offset::IN_PORT, 2, u64::from(in_port));
    f.set_be(offset::DL_SRC, 6, u64::from(src));
    f.set_be(offset::DL_DST, 6, u64::from(dst));
    f.set_be(offset::DL_TYPE, 2, 0x0800);
    f.set_be(
        offset::NW_SRC,
        4,
        u64::from(u32::from(Ipv4Addr::new(10, 0, 0, 1))),
    );
    f.set_be(
        offset::NW_DST,
        4,
        u64::from(u32::from(Ipv4Addr::new(10, 0, 0, 2))),
    );
    f.set_be(offset::NW_PROTO, 1, 6);
    f.set_be(offset::NW_TTL, 1, 64);
    f.set_be(offset::TP_SRC, 2, 1000);
    f.set_be(offset::TP_DST, 2, 80);
    f
}

fn in_port(p: u16) -> Match {
    let mut m = Match::catchall();
    m.set_exact(FieldId::InPort, &p.to_be_bytes())
        .expect("in_port");
    m
}

#[test]
fn upcall_controller_action_becomes_a_packet_in() {
    let cfg = bridge_with(vec![(
        in_port(1),
        100,
        vec![Action::Controller(Controller {
            max_len: 128,
            controller_id: 3,
            userdata: vec![1, 2, 3],
            ..Controller::default()
        })],
    )]);
    // The datapath's flow has in_port = the datapath port.
    let mut dp_flow = tcp_packet_flow(1, 1, 2);
    dp_flow.set_be(offset::IN_PORT, 2, 1);
    let (bridge, flow) = cfg.flow_from_datapath(&dp_flow).expect("known port");
    let packet = [0u8; 60];
    let mut xin = XlateIn::new(&bridge, flow);
    xin.packet = Some(&packet);
    xin.allow_side_effects = true;
    xin.for_datapath_flow = true;
    let out = xlate(&cfg, &xin);
    assert_eq!(out.error, None);
    assert_eq!(out.rules.len(), 1);
    assert_eq!(out.recircs.len(), 1);
    let DpAction::Userspace(u) = &out.actions[0] else {
        panic!("{:?}", out.actions)
    };
    let cookie = u.cookie.clone().expect("cookie");
    assert!(matches!(
        cookie,
        UserCookie::Controller {
            dont_send: false,
            ..
        }
    ));
    let pin = packet_in_from_upcall(&cfg, &cookie, &packet).expect("packet-in");
    assert_eq!(pin.bridge, "br0");
    assert_eq!(pin.reason, reason::ACTION);
    assert_eq!(pin.cookie, 0x42);
    assert_eq!(pin.controller_id, 3);
    assert_eq!(pin.max_len, 128);
    assert_eq!(pin.userdata, vec![1, 2, 3]);
    assert_eq!(pin.metadata.in_port, 1);
    // The datapath flow owns the id; once it is gone and two maintenance
    // rounds pass, the packet-in can no longer be built.
    for id in &out.recircs {
        cfg.recirc.unref(*id);
    }
    cfg.recirc.run();
    cfg.recirc.run();
    assert!(packet_in_from_upcall(&cfg, &cookie, &packet).is_none());
}

#[test]
fn normal_learns_with_side_effects_only() {
    let cfg = bridge_with(vec![(
        Match::catchall(),
        0,
        vec![Action::Output {
            port: OfpPort::NORMAL,
            max_len: 0,
        }],
    )]);
    let br = cfg.bridge("br0").expect("br0");
    let packet = [0u8; 60];
    // A trace without a packet learns nothing.
    let out = xlate(&cfg, &XlateIn::new("br0", tcp_packet_flow(2, 2, 1)));
    assert_eq!(ovs_odp::format_actions(&out.actions), "100,1,3");
    assert!(br.mac.is_empty());
    // An upcall does.
    let mut xin = XlateIn::new("br0", tcp_packet_flow(2, 2, 1));
    xin.packet = Some(&packet);
    xin.allow_side_effects = true;
    xin.now_ms = 5_000;
    xlate(&cfg, &xin);
    assert_eq!(br.mac.len(), 1);
    // Now traffic to that MAC goes to port 2 only.
    let out = xlate(&cfg, &XlateIn::new("br0", tcp_packet_flow(1, 1, 2)));
    assert_eq!(ovs_odp::format_actions(&out.actions), "2");
    let show = br.mac.format_show(7_000, |id| {
        br.bundle_by_id(id)
            .and_then(|(_, b)| b.members.first().copied())
    });
    assert_eq!(
        show,
        " port  VLAN  MAC                Age\n    2     0  00:00:00:00:00:02    2\n"
    );
}

#[test]
fn learn_yields_a_flow_for_the_caller() {
    let sf = |field| Subfield::whole(field);
    let learn = Learn {
        idle_timeout: 10,
        hard_timeout: 0,
        priority: 5,
        cookie: 0,
        flags: 0,
        table_id: 1,
        fin_idle_timeout: 0,
        fin_hard_timeout: 0,
        limit: 0,
        result_dst: None,
        specs: vec![
            LearnSpec {
                n_bits: 48,
                src: LearnSrc::Field(sf(FieldId::EthSrc)),
                dst: LearnDst::Match(sf(FieldId::EthDst)),
            },
            LearnSpec {
                n_bits: 16,
                src: LearnSrc::Field(sf(FieldId::InPort)),
                dst: LearnDst::Output,
            },
        ],
        form: Default::default(),
    };
    let cfg = bridge_with(vec![(in_port(1), 10, vec![Action::Learn(Box::new(learn))])]);
    let packet = [0u8; 60];
    let mut xin = XlateIn::new("br0", tcp_packet_flow(1, 7, 2));
    xin.packet = Some(&packet);
    xin.allow_side_effects = true;
    let out = xlate(&cfg, &xin);
    // The source fields are in the megaflow.
    assert_eq!(out.wc.get_be(offset::DL_SRC, 6), 0xffff_ffff_ffff);
    let [Effect::Learn { bridge, flow, .. }] = out.effects.as_slice() else {
        panic!("{:?}", out.effects)
    };
    assert_eq!(bridge, "br0");
    assert_eq!(flow.table_id, 1);
    assert_eq!(flow.priority, 5);
    assert_eq!(flow.idle_timeout, 10);
    assert_eq!(
        flow.matches.get_uint(FieldId::EthDst),
        Some((7, 0xffff_ffff_ffff))
    );
    assert_eq!(
        &*flow.actions,
        &[Action::Output {
            port: OfpPort(1),
            max_len: 0
        }]
    );
}

#[test]
fn a_flow_learned_during_translation_is_searched_but_not_found() {
    // learn(table=1, eth_dst=eth_src -> output:in_port), then resubmit to
    // table 1: OVS has already added the learned flow there, in a version
    // this translation does not see, so the lookup misses it but still
    // consults eth_dst.
    let sf = |field| Subfield::whole(field);
    let learn = Learn {
        idle_timeout: 0,
        hard_timeout: 0,
        priority: 100,
        cookie: 0,
        flags: 0,
        table_id: 1,
        fin_idle_timeout: 0,
        fin_hard_timeout: 0,
        limit: 0,
        result_dst: None,
        specs: vec![
            LearnSpec {
                n_bits: 48,
                src: LearnSrc::Field(sf(FieldId::EthSrc)),
                dst: LearnDst::Match(sf(FieldId::EthDst)),
            },
            LearnSpec {
                n_bits: 16,
                src: LearnSrc::Field(sf(FieldId::InPort)),
                dst: LearnDst::Output,
            },
        ],
        form: Default::default(),
    };
    let resubmit = Action::Resubmit(ovs_ofp_actions::Resubmit {
        in_port: OfpPort::IN_PORT,
        table_id: 1,
        with_ct_orig: false,
        form: Default::default(),
    });
    let cfg = bridge_with(vec![(
        in_port(1),
        10,
        vec![Action::Learn(Box::new(learn)), resubmit],
    )]);
    let packet = [0u8; 60];
    let mut xin = XlateIn::new("br0", tcp_packet_flow(1, 7, 7));
    xin.packet = Some(&packet);
    xin.for_datapath_flow = true;
    xin.allow_side_effects = true;
    let out = xlate(&cfg, &xin);
    assert_eq!(out.wc.get_be(offset::DL_DST, 6), 0xffff_ffff_ffff);
    // Revalidating without new packets learns nothing now: nothing to
    // search.
    xin.allow_side_effects = false;
    let out = xlate(&cfg, &xin);
    assert_eq!(out.wc.get_be(offset::DL_DST, 6), 0);
}

#[test]
fn unknown_bridge_and_recirc_id_fail_cleanly() {
    let cfg = bridge_with(vec![]);
    let out = xlate(&cfg, &XlateIn::new("nope", Flow::ZERO));
    assert_eq!(
        out.error.map(|e| e.to_string()).as_deref(),
        Some("Bridge not found")
    );
    let mut f = tcp_packet_flow(1, 1, 2);
    f.set_be(offset::RECIRC_ID, 4, 77);
    let out = xlate(&cfg, &XlateIn::new("br0", f));
    assert_eq!(
        out.error.map(|e| e.to_string()).as_deref(),
        Some("No recirculation context")
    );
    assert_eq!(ovs_odp::format_actions(&out.actions), "drop");
}

mod megaflow {
    use super::*;
    use proptest::prelude::*;

    fn ip_dst(addr: u32, mask: u32) -> Match {
        let mut m = Match::catchall();
        m.set_exact(FieldId::EthType, &0x0800u16.to_be_bytes())
            .expect("ip");
        m.set_masked(FieldId::Ipv4Dst, &addr.to_be_bytes(), &mask.to_be_bytes())
            .expect("nw_dst");
        m
    }

    fn pipeline() -> XlateConfig {
        let out = |p: u16| Action::Output {
            port: OfpPort(p),
            max_len: 0,
        };
        let mut tcp22 = Match::catchall();
        tcp22
            .set_exact(FieldId::EthType, &0x0800u16.to_be_bytes())
            .expect("ip");
        tcp22.set_exact(FieldId::IpProto, &[6]).expect("tcp");
        tcp22
            .set_exact(FieldId::TcpDst, &22u16.to_be_bytes())
            .expect("tp_dst");
        bridge_with(vec![
            (ip_dst(0x0a00_0000, 0xff00_0000), 10, vec![out(2)]),
            (
                ip_dst(0x0a01_0000, 0xffff_0000),
                20,
                vec![
                    Action::SetIpv4Src {
                        addr: Ipv4Addr::new(1, 2, 3, 4),
                    },
                    Action::DecTtl {
                        cnt_ids: vec![0],
                        form: Default::default(),
                    },
                    out(3),
                ],
            ),
            (tcp22, 30, vec![]),
            (
                in_port(3),
                5,
                vec![Action::Output {
                    port: OfpPort::NORMAL,
                    max_len: 0,
                }],
            ),
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// Any packet that agrees with another on the megaflow mask gets the
        /// same datapath actions (the property a megaflow cache relies on).
        #[test]
        fn megaflow_masks_are_honest(
            in_port in 1u16..4,
            dst in prop_oneof![Just(0x0a01_0203u32), Just(0x0a09_0000), Just(0xc0a8_0001), any::<u32>()],
            proto in prop_oneof![Just(6u8), Just(17), Just(1)],
            tp_dst in prop_oneof![Just(22u16), Just(80), any::<u16>()],
            ttl in prop_oneof![Just(1u8), Just(64)],
            noise in proptest::collection::vec(any::<u64>(), ovs_flow::FLOW_WORDS),
        ) {
            let cfg = pipeline();
            let mut f = tcp_packet_flow(in_port, 1, 2);
            f.set_be(offset::NW_DST, 4, u64::from(dst));
            f.set_be(offset::NW_PROTO, 1, u64::from(proto));
            f.set_be(offset::TP_DST, 2, u64::from(tp_dst));
            f.set_be(offset::NW_TTL, 1, u64::from(ttl));
            let out = xlate(&cfg, &XlateIn::new("br0", f.clone()));
            prop_assert!(out.error.is_none());
            let mut other = Flow::ZERO;
            for (i, n) in noise.iter().enumerate() {
                other.set_word(i, (f.word(i) & out.wc.word(i)) | (n & !out.wc.word(i)));
            }
            // Fields that are never part of a datapath flow stay as they were.
            for (off, len) in [(offset::METADATA, 8), (offset::REGS, 64),
                               (offset::RECIRC_ID, 4), (offset::CONJ_ID, 4),
                               (offset::ACTSET_OUTPUT, 2), (0, offset::METADATA),
                               (offset::CT_STATE, 4), (offset::DP_HASH, 4),
                               (offset::SKB_PRIORITY, 4), (offset::PKT_MARK, 4),
                               (offset::VLAN0_TPID, 8), (offset::MPLS_LSE0, 16),
                               (offset::CT_ZONE, 2), (offset::CT_MARK, 4)] {
                let keep = f.bytes(off, len).to_vec();
                other.bytes_mut(off, len).copy_from_slice(&keep);
            }
            let again = xlate(&cfg, &XlateIn::new("br0", other));
            prop_assert_eq!(
                ovs_odp::format_actions(&again.actions),
                ovs_odp::format_actions(&out.actions)
            );
        }
    }
}

/// The megaflow masks of `multipath` and `bundle` are honest: a packet
/// that agrees with another on the mask picks the same link or member.
mod hash_masks {
    use super::*;
    use ovs_ofp_actions::{Bundle, Multipath, Resubmit, ResubmitForm};
    use ovs_xlate::config::OFPPC_PORT_DOWN;
    use proptest::prelude::*;

    fn reg0_is(v: u32) -> Match {
        let mut m = Match::catchall();
        m.set_exact(FieldId::Reg0, &v.to_be_bytes()).expect("reg0");
        m
    }

    /// Table 0 runs `first` for every packet and resubmits to table 1,
    /// which outputs link `i` of reg0 to port `i % 6 + 1`. Ports 1..=6
    /// exist; port 3 is configured down and port 6 has no carrier.
    fn pipeline(first: Vec<Action>) -> XlateConfig {
        let mut br = XBridge::new("br0");
        br.add_simple_port(XPort::new(OfpPort::LOCAL, Some(100), "br0"), 1);
        for p in 1..=6u16 {
            let mut port = XPort::new(OfpPort(p), Some(u32::from(p)), format!("p{p}"));
            if p == 3 {
                port.config |= OFPPC_PORT_DOWN;
                port.may_enable = false;
            }
            if p == 6 {
                port.may_enable = false;
            }
            br.add_simple_port(port, 1 + u32::from(p));
        }
        let mut tables = Tables::default();
        let mut add = |table_id: u8, matches: Match, actions: Vec<Action>| {
            let nf = NewFlow {
                table_id,
                matches,
                priority: 100,
                cookie: 0,
                actions: actions.into(),
                idle_timeout: 0,
                hard_timeout: 0,
                importance: 0,
                flags: 0,
            };
            tables.add(nf, 0, &mut Default::default()).expect("add");
        };
        let mut acts = first;
        acts.push(Action::Resubmit(Resubmit {
            in_port: OfpPort::IN_PORT,
            table_id: 1,
            with_ct_orig: false,
            form: ResubmitForm::ResubmitTable,
        }));
        add(0, Match::catchall(), acts);
        for i in 0..12u32 {
            add(
                1,
                reg0_is(i),
                vec![Action::Output {
                    port: OfpPort((i % 6 + 1) as u16),
                    max_len: 0,
                }],
            );
        }
        br.tables = Arc::new(tables);
        let mut cfg = XlateConfig::default();
        cfg.bridges.insert("br0".into(), Arc::new(br));
        cfg.index_odp_ports();
        cfg
    }

    fn reg0() -> Subfield {
        Subfield {
            field: FieldId::Reg0,
            ofs: 0,
            n_bits: 16,
        }
    }

    /// One of the actions under test, by number.
    fn action(kind: u8, fields: u16, alg: u16, basis: u16) -> Vec<Action> {
        let members = (1..=6).map(OfpPort).collect();
        match kind {
            0 => vec![Action::Multipath(Multipath {
                fields,
                basis,
                algorithm: alg % 4,
                max_link: 11,
                arg: 13,
                dst: reg0(),
            })],
            1 => vec![Action::Bundle(Bundle {
                algorithm: alg % 2,
                fields,
                basis,
                members,
                dst: None,
            })],
            2 => vec![Action::Bundle(Bundle {
                algorithm: alg % 2,
                fields,
                basis,
                members,
                dst: Some(reg0()),
            })],
            // A header as the destination: the rewrite is committed.
            _ => vec![
                Action::Multipath(Multipath {
                    fields,
                    basis,
                    algorithm: alg % 4,
                    max_link: 99,
                    arg: 0,
                    dst: Subfield {
                        field: FieldId::EthDst,
                        ofs: 0,
                        n_bits: 8,
                    },
                }),
                Action::Output {
                    port: OfpPort(1),
                    max_len: 0,
                },
            ],
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn packet(
        in_port: u16,
        dl_type: u16,
        proto: u8,
        frag: u8,
        vlan: Option<u16>,
        eth: (u64, u64),
        l3: (u128, u128),
        ports: (u16, u16),
    ) -> Flow {
        let mut f = Flow::ZERO;
        f.set_be(offset::IN_PORT, 2, u64::from(in_port));
        f.set_be(offset::DL_SRC, 6, eth.0 & 0xfeff_ffff_ffff);
        f.set_be(offset::DL_DST, 6, eth.1 & 0xfeff_ffff_ffff);
        if let Some(tci) = vlan {
            f.set_be(offset::VLAN0_TPID, 2, 0x8100);
            f.set_be(offset::VLAN0_TCI, 2, u64::from(tci | 0x1000));
        }
        f.set_be(offset::DL_TYPE, 2, u64::from(dl_type));
        let ip = matches!(dl_type, 0x0800 | 0x86dd);
        if dl_type == 0x0800 {
            f.set_be(offset::NW_SRC, 4, l3.0 as u64 & 0xffff_ffff);
            f.set_be(offset::NW_DST, 4, l3.1 as u64 & 0xffff_ffff);
        } else if dl_type == 0x86dd {
            f.bytes_mut(offset::IPV6_SRC, 16)
                .copy_from_slice(&l3.0.to_be_bytes());
            f.bytes_mut(offset::IPV6_DST, 16)
                .copy_from_slice(&l3.1.to_be_bytes());
        }
        if ip {
            f.set_be(offset::NW_PROTO, 1, u64::from(proto));
            f.set_be(offset::NW_TTL, 1, 64);
            f.set_be(offset::NW_FRAG, 1, u64::from(frag));
            // Later fragments carry no L4 header; ICMP's type and code
            // are one byte each.
            let (s, d) = match (frag & 2 != 0, proto) {
                (true, _) => (0, 0),
                (false, 1 | 58) => (ports.0 & 0xff, ports.1 & 0xff),
                _ => ports,
            };
            f.set_be(offset::TP_SRC, 2, u64::from(s));
            f.set_be(offset::TP_DST, 2, u64::from(d));
        }
        f
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        #[test]
        fn multipath_and_bundle_masks_are_honest(
            kind in 0u8..4,
            fields in 0u16..7,
            alg in 0u16..4,
            basis in prop_oneof![Just(0u16), any::<u16>()],
            in_port in 1u16..7,
            dl_type in prop_oneof![Just(0x0800u16), Just(0x86dd), Just(0x0806), any::<u16>()],
            proto in prop_oneof![Just(6u8), Just(17), Just(132), Just(1), Just(58), any::<u8>()],
            frag in prop_oneof![Just(0u8), Just(1), Just(3)],
            vlan in proptest::option::of(0u16..4096),
            eth in (any::<u64>(), any::<u64>()),
            l3 in (any::<u128>(), any::<u128>()),
            ports in (any::<u16>(), any::<u16>()),
            noise in proptest::collection::vec(any::<u64>(), ovs_flow::FLOW_WORDS),
        ) {
            let ip = matches!(dl_type, 0x0800 | 0x86dd);
            // OVS's mask for the L3/L4 hashes leaves out the Ethernet
            // fields their non-IP fallback reads; the goldens pin that.
            prop_assume!(ip || !matches!(fields, 2 | 3));
            let cfg = pipeline(action(kind, fields, alg, basis));
            let f = packet(in_port, dl_type, proto, frag, vlan, eth, l3, ports);
            let out = xlate(&cfg, &XlateIn::new("br0", f.clone()));
            prop_assert!(out.error.is_none());
            let mut other = Flow::ZERO;
            for (i, n) in noise.iter().enumerate() {
                other.set_word(i, (f.word(i) & out.wc.word(i)) | (n & !out.wc.word(i)));
            }
            // What is never part of a datapath flow, or is fixed by the
            // rest of the packet, stays as it was.
            let mut keep = vec![(offset::METADATA, 8), (offset::REGS, 64),
                                (offset::RECIRC_ID, 4), (offset::CONJ_ID, 4),
                                (offset::ACTSET_OUTPUT, 2), (0, offset::METADATA),
                                (offset::CT_STATE, 4), (offset::DP_HASH, 4),
                                (offset::SKB_PRIORITY, 4), (offset::PKT_MARK, 4),
                                (offset::VLAN0_TPID, 8), (offset::MPLS_LSE0, 16),
                                (offset::CT_ZONE, 2), (offset::CT_MARK, 4)];
            if ip && frag & 2 != 0 {
                keep.push((offset::TP_SRC, 4));
            }
            for (off, len) in keep {
                let v = f.bytes(off, len).to_vec();
                other.bytes_mut(off, len).copy_from_slice(&v);
            }
            let again = xlate(&cfg, &XlateIn::new("br0", other));
            prop_assert_eq!(
                ovs_odp::format_actions(&again.actions),
                ovs_odp::format_actions(&out.actions)
            );
        }
    }

    /// The benchmark relies on this: with `symmetric_l3l4+udp` every UDP
    /// 5-tuple is its own megaflow.
    #[test]
    fn l3l4_udp_unwildcards_the_udp_ports() {
        let cfg = pipeline(action(0, 3, 0, 0));
        let f = packet(1, 0x0800, 17, 0, None, (1, 2), (3, 4), (5353, 53));
        let out = xlate(&cfg, &XlateIn::new("br0", f));
        for (off, len) in [
            (offset::NW_SRC, 4),
            (offset::NW_DST, 4),
            (offset::NW_PROTO, 1),
            (offset::TP_SRC, 2),
            (offset::TP_DST, 2),
        ] {
            assert!(
                out.wc.bytes(off, len).iter().all(|b| *b == 0xff),
                "offset {off}"
            );
        }
    }
}
