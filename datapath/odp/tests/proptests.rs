//! Property tests: printed keys and actions parse back to themselves, the
//! printers are a fixpoint of parse-then-print, and no text makes the
//! parsers panic.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ovs_odp::*;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

fn mac() -> impl Strategy<Value = Mac> {
    any::<[u8; 6]>()
}

fn ip4() -> impl Strategy<Value = Ipv4Addr> {
    any::<u32>().prop_map(Ipv4Addr::from)
}

fn ip6() -> impl Strategy<Value = Ipv6Addr> {
    prop_oneof![
        any::<u128>().prop_map(Ipv6Addr::from),
        // Addresses with zero runs, to exercise `::` and dotted forms.
        (any::<u16>(), any::<u32>(), 0usize..8).prop_map(|(a, b, shift)| {
            Ipv6Addr::from((u128::from(a) << (16 * shift.min(7))) | u128::from(b & 0xffff))
        }),
        any::<u32>().prop_map(|v| Ipv6Addr::from(u128::from(v) | (0xffff << 32))),
    ]
}

fn ipv4_key() -> BoxedStrategy<Ipv4Key> {
    (ip4(), ip4(), any::<u8>(), any::<u8>(), any::<u8>(), 0u8..3)
        .prop_map(|(src, dst, proto, tos, ttl, frag)| Ipv4Key {
            src,
            dst,
            proto,
            tos,
            ttl,
            frag,
        })
        .boxed()
}

fn ipv6_key() -> BoxedStrategy<Ipv6Key> {
    (
        ip6(),
        ip6(),
        0u32..=0xfffff,
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        0u8..3,
    )
        .prop_map(|(src, dst, label, proto, tclass, hlimit, frag)| Ipv6Key {
            src,
            dst,
            label,
            proto,
            tclass,
            hlimit,
            frag,
        })
        .boxed()
}

fn ports() -> impl Strategy<Value = PortsKey> {
    (any::<u16>(), any::<u16>()).prop_map(|(src, dst)| PortsKey { src, dst })
}

fn icmp() -> impl Strategy<Value = IcmpKey> {
    (any::<u8>(), any::<u8>()).prop_map(|(icmp_type, code)| IcmpKey { icmp_type, code })
}

fn geneve_opt() -> BoxedStrategy<GeneveOpt> {
    (any::<u16>(), any::<u8>(), 0u8..4)
        .prop_flat_map(|(class, opt_type, length)| {
            vec(any::<u8>(), usize::from(length) * 4).prop_map(move |data| GeneveOpt {
                class,
                opt_type,
                length,
                data,
            })
        })
        .boxed()
}

fn tunnel_key() -> BoxedStrategy<TunnelKey> {
    let erspan = prop_oneof![
        any::<u32>().prop_map(|index| ErspanOpts {
            version: 1,
            index,
            dir: 0,
            hwid: 0
        }),
        (0u8..2, 0u8..16).prop_map(|(dir, hwid)| ErspanOpts {
            version: 2,
            index: 0,
            dir,
            hwid
        }),
    ];
    (
        (
            option::of(any::<u64>()),
            option::of(ip4()),
            option::of(ip4()),
            option::of(ip6()),
            option::of(ip6()),
            option::of(any::<u8>()),
            option::of(any::<u8>()),
        ),
        (
            any::<[bool; 3]>(),
            option::of(any::<u16>()),
            option::of(any::<u16>()),
            option::of(1u32..=0x00ff_ffff),
            option::of(vec(geneve_opt(), 0..3)),
            option::of(erspan),
            option::of(
                (any::<u8>(), any::<u8>()).prop_map(|(flags, msgtype)| GtpuOpts { flags, msgtype }),
            ),
        ),
    )
        .prop_map(
            |(
                (tun_id, ipv4_src, ipv4_dst, ipv6_src, ipv6_dst, tos, ttl),
                (flags, tp_src, tp_dst, vxlan_gbp, geneve, erspan, gtpu),
            )| TunnelKey {
                tun_id,
                ipv4_src,
                ipv4_dst,
                ipv6_src,
                ipv6_dst,
                tos,
                ttl,
                dont_fragment: flags[0],
                csum: flags[1],
                tp_src,
                tp_dst,
                oam: flags[2],
                vxlan_gbp,
                geneve,
                erspan,
                gtpu,
            },
        )
        .boxed()
}

/// The attributes that can appear inside `encap(...)`.
fn inner_key() -> BoxedStrategy<DpKey> {
    (
        option::of(any::<u16>()),
        option::of(vec(any::<u32>(), 1..4)),
        option::of(ipv4_key()),
        option::of(ipv6_key()),
        option::of((ip4(), ip4(), any::<u16>(), mac(), mac()).prop_map(
            |(sip, tip, op, sha, tha)| ArpKey {
                sip,
                tip,
                op,
                sha,
                tha,
            },
        )),
        (option::of(ports()), option::of(0u16..0x1000)),
        (option::of(ports()), option::of(ports())),
        (option::of(icmp()), option::of(icmp())),
        option::of((ip6(), mac(), mac()).prop_map(|(target, sll, tll)| NdKey { target, sll, tll })),
        option::of(
            (any::<u32>(), any::<u8>()).prop_map(|(reserved, options_type)| NdExtKey {
                reserved,
                options_type,
            }),
        ),
    )
        .prop_map(
            |(
                eth_type,
                mpls,
                ipv4,
                ipv6,
                arp,
                (tcp, tcp_flags),
                (udp, sctp),
                (icmp, icmpv6),
                nd,
                nd_ext,
            )| {
                DpKey {
                    eth_type,
                    mpls,
                    ipv4,
                    ipv6,
                    arp,
                    tcp,
                    tcp_flags,
                    udp,
                    sctp,
                    icmp,
                    icmpv6,
                    nd,
                    nd_ext,
                    ..DpKey::default()
                }
            },
        )
        .boxed()
}

fn key() -> BoxedStrategy<DpKey> {
    (
        (
            option::of(any::<u32>()),
            option::of(tunnel_key()),
            option::of(any::<u32>()),
            option::of(0u32..0x100),
            option::of(any::<u16>()),
            option::of(any::<u32>()),
            option::of(any::<u128>()),
        ),
        (
            option::of(
                (ip4(), ip4(), any::<u8>(), any::<u16>(), any::<u16>()).prop_map(
                    |(src, dst, proto, tp_src, tp_dst)| CtTuple4 {
                        src,
                        dst,
                        proto,
                        tp_src,
                        tp_dst,
                    },
                ),
            ),
            option::of(
                (ip6(), ip6(), any::<u8>(), any::<u16>(), any::<u16>()).prop_map(
                    |(src, dst, proto, tp_src, tp_dst)| CtTuple6 {
                        src,
                        dst,
                        proto,
                        tp_src,
                        tp_dst,
                    },
                ),
            ),
            option::of(any::<u32>()),
            option::of(any::<u32>()),
            option::of(any::<u32>()),
            option::of(any::<u32>()),
            option::of((mac(), mac()).prop_map(|(src, dst)| EthKey { src, dst })),
        ),
        option::of(any::<u16>()),
        option::of(inner_key()),
        inner_key(),
    )
        .prop_map(
            |(
                (skb_priority, tunnel, skb_mark, ct_state, ct_zone, ct_mark, ct_label),
                (ct_tuple4, ct_tuple6, recirc_id, dp_hash, in_port, packet_type, eth),
                vlan,
                encap,
                rest,
            )| {
                let mut k = DpKey {
                    skb_priority,
                    tunnel,
                    skb_mark,
                    ct_state,
                    ct_zone,
                    ct_mark,
                    ct_label,
                    ct_tuple4,
                    ct_tuple6,
                    recirc_id,
                    dp_hash,
                    in_port,
                    packet_type,
                    eth,
                    ..rest
                };
                if let Some(inner) = encap {
                    k.vlan = vlan;
                    k.encap = Some(Box::new(inner));
                }
                if k.is_empty() {
                    k.recirc_id = Some(0);
                }
                k
            },
        )
        .boxed()
}

/// A random mask for `k`: each attribute of the key gets a mask, all bits
/// random (frag masks are 0 or 0xff; ct_state and tcp_flags masks stay
/// within their flags so they print by name).
fn mask_for(k: &DpKey, seed: u64) -> DpKey {
    let mut rng = seed;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut m = k.exact_mask();
    macro_rules! rnd {
        ($field:expr, $t:ty) => {
            if let Some(v) = $field.as_mut() {
                *v = match next() % 4 {
                    0 => 0,
                    1 => <$t>::MAX,
                    _ => next() as $t,
                };
            }
        };
    }
    rnd!(m.skb_priority, u32);
    rnd!(m.skb_mark, u32);
    rnd!(m.ct_zone, u16);
    rnd!(m.ct_mark, u32);
    rnd!(m.dp_hash, u32);
    rnd!(m.in_port, u32);
    rnd!(m.packet_type, u32);
    rnd!(m.vlan, u16);
    if let Some(v) = m.ct_state.as_mut() {
        *v = match next() % 3 {
            0 => 0,
            1 => u32::MAX,
            _ => (next() & 0xff) as u32,
        };
    }
    if let Some(v) = m.ct_label.as_mut() {
        *v = if next() % 2 == 0 {
            u128::MAX
        } else {
            u128::from(next())
        };
    }
    if let Some(e) = m.eth.as_mut() {
        e.src = next().to_be_bytes()[..6].try_into().unwrap_or([0; 6]);
    }
    if let Some(i) = m.ipv4.as_mut() {
        i.src = Ipv4Addr::from(next() as u32);
        i.tos = next() as u8;
        i.frag = if next() % 2 == 0 { 0 } else { 0xff };
    }
    if let Some(i) = m.ipv6.as_mut() {
        i.dst = Ipv6Addr::from(u128::from(next()));
        i.label = (next() as u32) & 0xfffff;
        i.frag = if next() % 2 == 0 { 0 } else { 0xff };
    }
    if let Some(p) = m.udp.as_mut() {
        p.dst = next() as u16;
    }
    if let Some(f) = m.tcp_flags.as_mut() {
        *f = (next() as u16) & 0x0fff;
    }
    if let Some(t) = m.tunnel.as_mut() {
        if let Some(id) = t.tun_id.as_mut() {
            *id = next();
        }
        t.dont_fragment = next() % 2 == 0;
        t.oam = next() % 2 == 0;
        if let Some(g) = t.geneve.as_mut() {
            for o in g.iter_mut() {
                o.class = next() as u16;
                o.length = (next() as u8) & 0x1f;
                for b in o.data.iter_mut() {
                    *b = next() as u8;
                }
            }
        }
    }
    if let (Some(mm), Some(km)) = (m.mpls.as_mut(), k.mpls.as_ref()) {
        for (x, _) in mm.iter_mut().zip(km) {
            *x = next() as u32;
        }
    }
    if let Some(i) = m.encap.as_mut().and_then(|inner| inner.ipv4.as_mut()) {
        i.dst = Ipv4Addr::from(next() as u32);
    }
    m
}

fn canonical_nat() -> BoxedStrategy<CtNat> {
    let v4 = (any::<u32>(), any::<u32>()).prop_map(|(a, b)| {
        let (lo, hi) = (a.min(b), a.max(b));
        (
            IpAddr::V4(Ipv4Addr::from(lo)),
            (hi > lo).then(|| IpAddr::V4(Ipv4Addr::from(hi))),
        )
    });
    let v6 = (any::<u128>(), any::<u128>()).prop_map(|(a, b)| {
        let (lo, hi) = (a.min(b), a.max(b));
        (
            IpAddr::V6(Ipv6Addr::from(lo)),
            (hi > lo).then(|| IpAddr::V6(Ipv6Addr::from(hi))),
        )
    });
    (
        any::<bool>(),
        option::of(prop_oneof![v4, v6]),
        option::of((1u16.., any::<u16>())),
        any::<bool>(),
        0u8..3,
    )
        .prop_map(|(src, addr, proto, persistent, hash_random)| {
            let mut n = CtNat {
                src,
                dst: !src,
                ..CtNat::default()
            };
            if let Some((min, max)) = addr {
                n.ip_min = Some(min);
                n.ip_max = max;
                if let Some((pmin, pmax)) = proto {
                    n.proto_min = Some(pmin);
                    n.proto_max = (pmax > pmin).then_some(pmax);
                }
                n.persistent = persistent;
                n.proto_hash = hash_random == 1;
                n.proto_random = hash_random == 2;
            }
            n
        })
        .boxed()
}

fn name() -> impl Strategy<Value = String> {
    "[a-z0-9_.-]{1,15}"
}

fn ct_action() -> BoxedStrategy<CtAction> {
    (
        0u8..3,
        any::<u16>(),
        option::of((any::<u32>(), 1u32..)),
        option::of((any::<u128>(), 1u128..)),
        option::of(name()),
        option::of(name()),
        option::of(prop_oneof![Just(CtNat::default()), canonical_nat()]),
    )
        .prop_map(|(c, zone, mark, label, helper, timeout, nat)| CtAction {
            commit: c == 1,
            force_commit: c == 2,
            zone,
            mark,
            label,
            helper,
            timeout,
            nat,
        })
        .boxed()
}

fn cookie() -> BoxedStrategy<UserCookie> {
    prop_oneof![
        (0u16..0x1000, 0u16..8, any::<u32>()).prop_map(|(vid, pcp, output)| {
            let mut tci = vid | (pcp << 13);
            if tci != 0 {
                tci |= 0x1000;
            }
            UserCookie::Sflow {
                vlan_tci: tci,
                output,
            }
        }),
        (0u32..0x80).prop_map(|reason| UserCookie::SlowPath { reason }),
        (
            any::<u16>(),
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            prop_oneof![
                Just(SampleDirection::Default),
                Just(SampleDirection::Ingress),
                Just(SampleDirection::Egress)
            ]
        )
            .prop_map(|(probability, c, d, p, output_port, direction)| {
                UserCookie::FlowSample {
                    probability,
                    collector_set_id: c,
                    obs_domain_id: d,
                    obs_point_id: p,
                    output_port,
                    direction,
                }
            }),
        any::<u32>().prop_map(|output_port| UserCookie::Ipfix { output_port }),
        (
            any::<u16>(),
            any::<bool>(),
            any::<bool>(),
            any::<u32>(),
            any::<u64>(),
            any::<u16>(),
            any::<u16>()
        )
            .prop_map(
                |(reason, d, c, recirc_id, rule_cookie, controller_id, max_len)| {
                    UserCookie::Controller {
                        reason,
                        dont_send: d,
                        continuation: c,
                        recirc_id,
                        rule_cookie,
                        controller_id,
                        max_len,
                    }
                }
            ),
        vec(any::<u8>(), 8..40).prop_map(UserCookie::Userdata),
    ]
    .boxed()
}

/// A `set(...)` that OVS parses back as a plain set: attributes whose
/// printed fields cover the whole mask.
fn plain_set() -> BoxedStrategy<DpKey> {
    prop_oneof![
        any::<u32>().prop_map(|v| DpKey {
            skb_mark: Some(v),
            ..DpKey::default()
        }),
        any::<u32>().prop_map(|v| DpKey {
            skb_priority: Some(v),
            ..DpKey::default()
        }),
        (mac(), mac()).prop_map(|(src, dst)| DpKey {
            eth: Some(EthKey { src, dst }),
            ..DpKey::default()
        }),
        ipv4_key().prop_map(|v| DpKey {
            ipv4: Some(v),
            ..DpKey::default()
        }),
        ports().prop_map(|v| DpKey {
            tcp: Some(v),
            ..DpKey::default()
        }),
        vec(any::<u32>(), 1..4).prop_map(|v| DpKey {
            mpls: Some(v),
            ..DpKey::default()
        }),
        tunnel_key().prop_map(|t| DpKey {
            tunnel: Some(t),
            ..DpKey::default()
        }),
    ]
    .boxed()
}

/// A masked `set(...)` as OVS builds it: key bits only under the mask, and
/// a mask that is not all ones.
fn masked_set() -> BoxedStrategy<DpAction> {
    prop_oneof![
        (ipv4_key(), ip4(), any::<u8>()).prop_map(|(k, msrc, mtos)| {
            let m = Ipv4Key {
                src: msrc,
                dst: Ipv4Addr::UNSPECIFIED,
                proto: 0,
                tos: mtos,
                ttl: 0xff,
                frag: 0,
            };
            let k = Ipv4Key {
                src: Ipv4Addr::from(u32::from(k.src) & u32::from(msrc)),
                dst: Ipv4Addr::UNSPECIFIED,
                proto: 0,
                tos: k.tos & mtos,
                ttl: k.ttl,
                frag: 0,
            };
            DpAction::SetMasked {
                key: Box::new(DpKey {
                    ipv4: Some(k),
                    ..DpKey::default()
                }),
                mask: Box::new(DpKey {
                    ipv4: Some(m),
                    ..DpKey::default()
                }),
            }
        }),
        (any::<u32>(), 0u32..u32::MAX).prop_map(|(v, m)| DpAction::SetMasked {
            key: Box::new(DpKey {
                skb_mark: Some(v & m),
                ..DpKey::default()
            }),
            mask: Box::new(DpKey {
                skb_mark: Some(m),
                ..DpKey::default()
            }),
        }),
    ]
    .boxed()
}

fn sample_probability() -> impl Strategy<Value = u32> {
    // What parsing a one-decimal percentage gives.
    (0u32..=1000).prop_map(|tenths| {
        let pct = f64::from(tenths) / 10.0;
        let p = (f64::from(u32::MAX) * (pct / 100.0) + 0.5).floor();
        if p >= f64::from(u32::MAX) {
            u32::MAX
        } else {
            p as u32
        }
    })
}

fn leaf_action() -> BoxedStrategy<DpAction> {
    prop_oneof![
        any::<u32>().prop_map(DpAction::Output),
        any::<u32>().prop_map(DpAction::LbOutput),
        any::<u32>().prop_map(DpAction::Trunc),
        any::<u32>().prop_map(DpAction::TunnelPop),
        any::<u32>().prop_map(DpAction::Recirc),
        any::<u32>().prop_map(DpAction::Meter),
        (0u32..2, any::<u32>())
            .prop_map(|(algorithm, basis)| DpAction::Hash(HashAction { algorithm, basis })),
        plain_set().prop_map(|k| DpAction::Set(Box::new(k))),
        masked_set(),
        (mac(), mac()).prop_map(|(src, dst)| DpAction::PushEth { src, dst }),
        Just(DpAction::PopEth),
        (any::<u16>(), any::<u16>()).prop_map(|(tpid, tci)| DpAction::PushVlan { tpid, tci }),
        Just(DpAction::PopVlan),
        (any::<u32>(), any::<u16>())
            .prop_map(|(lse, ethertype)| DpAction::PushMpls { lse, ethertype }),
        any::<u16>().prop_map(DpAction::PopMpls),
        (any::<u32>(), any::<u16>())
            .prop_map(|(lse, ethertype)| DpAction::AddMpls { lse, ethertype }),
        ct_action().prop_map(DpAction::Ct),
        Just(DpAction::CtClear),
        Just(DpAction::PopNsh),
        (
            any::<u32>(),
            cookie().prop_map(Some),
            any::<bool>(),
            option::of(any::<u32>())
        )
            .prop_map(|(pid, cookie, actions, tunnel_out_port)| {
                DpAction::Userspace(Userspace {
                    pid,
                    cookie,
                    actions,
                    tunnel_out_port,
                })
            }),
    ]
    .boxed()
}

fn action() -> impl Strategy<Value = DpAction> {
    leaf_action().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            (sample_probability(), vec(inner.clone(), 0..3)).prop_map(|(probability, actions)| {
                DpAction::Sample {
                    probability,
                    actions,
                }
            }),
            vec(inner.clone(), 0..3).prop_map(DpAction::Clone),
            (any::<u16>(), vec(inner.clone(), 0..3), vec(inner, 0..3)).prop_map(
                |(pkt_len, if_greater, if_less_equal)| DpAction::CheckPktLen {
                    pkt_len,
                    if_greater,
                    if_less_equal,
                }
            ),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A key printed with an exact mask (what a key without a mask means)
    /// parses back to itself.
    #[test]
    fn key_round_trips(k in key()) {
        let m = k.exact_mask();
        for verbose in [true, false] {
            let s = format_key(&k, Some(&m), verbose);
            let (k2, _) = parse_key(&s).map_err(|e| TestCaseError::fail(format!("{s}: {e} ({})", e.reason)))?;
            if verbose {
                prop_assert_eq!(&k2, &k, "{}", s);
            }
            prop_assert_eq!(format_key(&k2, Some(&m), verbose), s);
        }
    }

    /// With random masks, printing is a fixpoint of parse-then-print.
    #[test]
    fn masked_key_text_is_a_fixpoint(k in key(), seed in 1u64..) {
        let m = mask_for(&k, seed);
        let s = format_key(&k, Some(&m), true);
        let (k2, m2) = parse_key(&s).map_err(|e| TestCaseError::fail(format!("{s}: {e} ({})", e.reason)))?;
        prop_assert_eq!(format_key(&k2, Some(&m2), true), s);
    }

    #[test]
    fn actions_round_trip(acts in vec(action(), 1..5)) {
        let s = format_actions(&acts);
        let back = parse_actions(&s).map_err(|e| TestCaseError::fail(format!("{s}: {e} ({})", e.reason)))?;
        prop_assert_eq!(&back, &acts, "{}", s);
    }

    #[test]
    fn tnl_push_text_round_trips(
        kind in 0u8..6,
        v6 in any::<bool>(),
        (a, b) in (ip4(), ip4()),
        // Away from the forms where glibc and Rust print IPv6 differently.
        (a6, b6) in (any::<u64>(), any::<u64>()).prop_map(|(x, y)| (
            Ipv6Addr::from((0x2001_0db8u128 << 96) | u128::from(x)),
            Ipv6Addr::from((0xfe80u128 << 112) | u128::from(y)),
        )),
        (sport, dport, csum) in (any::<u16>(), any::<u16>(), any::<u16>()),
        (vni, key, seq) in (0u32..0x0100_0000, any::<u32>(), any::<u32>()),
        (tnl_port, out_port) in (any::<u32>(), any::<u32>()),
        (tos, ttl, label) in (any::<u8>(), any::<u8>(), 0u32..0x100000),
    ) {
        let eth = "eth(dst=f8:bc:12:44:34:b6,src=aa:55:aa:55:00:00,dl_type=";
        let (l3, l3_len) = if v6 {
            (format!("{eth}0x86dd),ipv6(src={a6},dst={b6},label={label},proto=17,tclass=0x{tos:x},hlimit={ttl}),"), 54)
        } else {
            let tos_s = if tos == 0 { "0".to_string() } else { format!("{tos:#x}") };
            (format!("{eth}0x0800),ipv4(src={a},dst={b},proto=17,tos={tos_s},ttl={ttl},frag=0x4000),"), 34)
        };
        let udp = format!("udp(src={sport},dst={dport},csum=0x{csum:x}),");
        let (ty, body, len) = match (kind, v6) {
            (0, _) => (4, format!("{udp}vxlan(flags=0x8000000,vni=0x{vni:x})"), 16),
            (1, _) => (5, format!("{udp}geneve(crit,vni=0x{vni:x},options({{class=0x102,type=0x80,len=4,0x{key:x}}}))"), 24),
            (2, false) => (3, format!("gre((flags=0x3000,proto=0x6558),key=0x{key:x},seq=0x{seq:x})"), 12),
            (2, true) => (109, format!("gre((flags=0x8000,proto=0x6558),csum=0x{csum:x})"), 8),
            (3, _) => (if v6 { 108 } else { 107 }, format!("erspan(ver=1,sid=0x{:x},idx=0x{:x})", csum & 0x3ff, key & 0xfffff), 16),
            (4, _) => (if v6 { 108 } else { 107 }, format!("erspan(ver=2,sid=0x{:x},dir={},hwid=0x{:x})", csum & 0x3ff, key & 1, seq & 0x3f), 20),
            _ => (110, format!("{udp}gtpu(flags=0x30,msgtype={ttl},teid=0x{key:x})"), 16),
        };
        let s = format!(
            "tnl_push(tnl_port({tnl_port}),header(size={},type={ty},{l3}{body}),out_port({out_port}))",
            l3_len + len
        );
        let a = parse_actions(&s).map_err(|e| TestCaseError::fail(format!("{s}: {e} ({})", e.reason)))?;
        prop_assert_eq!(format_actions(&a), s);
    }

    /// Arbitrary text never panics; what parses prints as text that parses
    /// again to the same text.
    #[test]
    fn arbitrary_text_is_safe(s in "[a-z_0-9(),=./:+|\\-{}\\[\\] %]{0,80}") {
        if let Ok((k, m)) = parse_key(&s)
            && !k.is_empty()
        {
            for verbose in [false, true] {
                let t = format_key(&k, Some(&m), verbose);
                if let Ok((k2, m2)) = parse_key(&t)
                    && !k2.is_empty()
                {
                    prop_assert_eq!(format_key(&k2, Some(&m2), verbose), t);
                }
            }
        }
        if let Ok(a) = parse_actions(&s) {
            let t = format_actions(&a);
            let again = parse_actions(&t).map_err(|e| TestCaseError::fail(format!("{s} -> {t}: {e}")))?;
            prop_assert_eq!(format_actions(&again), t);
        }
    }

    /// Fragments of real syntax, shuffled: more inputs get deep into the
    /// parsers.
    #[test]
    fn recombined_fragments_are_safe(parts in vec(prop_oneof![
        Just("in_port(1)"), Just("eth("), Just("src="), Just("00:01:02:03:04:05"), Just("/"),
        Just("ff:ff:00:00:00:00"), Just("ipv4("), Just("ipv6("), Just("1.2.3.4"), Just("fe80::1"),
        Just(")"), Just(","), Just("frag=no"), Just("tunnel("), Just("tun_id=0x5"), Just("flags("),
        Just("+key-df"), Just("geneve("), Just("{class=0x1,type=0x2,len=4,0xa}"), Just("encap("),
        Just("vlan(vid=5,pcp=1)"), Just("mpls(label=1,tc=1,ttl=1,bos=1)"), Just("ct_state(+trk)"),
        Just("tcp_flags(syn|ack)"), Just("erspan(ver=2,dir=1,hwid=0x3)"), Just("ct(commit,nat(src=1.1.1.1-1.1.1.9:1-9))"),
        Just("clone("), Just("sample(sample=10.0%,actions("), Just("set("), Just("userspace(pid=1"),
        Just(",userdata(0102"), Just("check_pkt_len(size=10,gt("), Just("),le("), Just("drop"),
        Just("tnl_push(tnl_port(1),header(size=50,type=4,"), Just("eth_type(0x0800)"), Just("0x"),
        Just("-1"), Just("4294967296"), Just("ufid:01234567-89ab-cdef-0123-456789abcdef "),
    ], 0..12)) {
        let s: String = parts.concat();
        let _ = parse_key(&s);
        if let Ok(a) = parse_actions(&s) {
            let t = format_actions(&a);
            prop_assert!(parse_actions(&t).is_ok(), "{} -> {}", s, t);
        }
    }
}

mod flows {
    use ovs_flow::{Flow, offset};
    use ovs_odp::*;
    use proptest::prelude::*;

    /// A flow as the userspace datapath extracts it from a packet.
    fn packet_flow() -> BoxedStrategy<Flow> {
        (
            (0u8..8, 0u8..7, 0u8..3, any::<bool>(), 0u8..3),
            any::<[u8; 64]>(),
            (any::<u16>(), 0u16..0xffff, any::<u32>()),
        )
            .prop_map(
                |((l3, l4, frag, tunnel, vlans), r, (tci, in_port, recirc))| {
                    let mut f = Flow::ZERO;
                    let b = |i: usize| u64::from(r[i % 64]);
                    let w = |i: usize| (b(i) << 8) | b(i + 1);
                    let d = |i: usize| (w(i) << 16) | w(i + 2);
                    f.set_be(offset::IN_PORT, 2, u64::from(in_port));
                    f.set_be(offset::RECIRC_ID, 4, u64::from(recirc));
                    f.set_be(offset::DP_HASH, 4, d(0));
                    f.set_be(offset::SKB_PRIORITY, 4, d(4));
                    f.set_be(offset::PKT_MARK, 4, d(8));
                    f.set_be(offset::CT_STATE, 4, b(12));
                    f.set_be(offset::CT_ZONE, 2, w(13));
                    f.set_be(offset::CT_MARK, 4, d(15));
                    f.bytes_mut(offset::CT_LABEL, 16)
                        .copy_from_slice(&r[16..32]);
                    f.bytes_mut(offset::DL_SRC, 6).copy_from_slice(&r[32..38]);
                    f.bytes_mut(offset::DL_DST, 6).copy_from_slice(&r[38..44]);
                    if tunnel {
                        f.set_be(offset::TUN_ID, 8, d(44) << 8);
                        f.set_be(offset::TUN_IP_SRC, 4, d(48) | 1);
                        f.set_be(offset::TUN_IP_DST, 4, d(52) | 1);
                        f.set_be(offset::TUN_TTL, 1, b(56));
                        f.set_be(offset::TUN_TOS, 1, b(57));
                        f.set_be(offset::TUN_TP_DST, 2, 4789);
                        f.set_be(offset::TUN_FLAGS, 2, 0x8 | (b(58) & 0x7));
                        f.set_be(offset::TUN_GBP_ID, 2, w(59));
                    }
                    let dl_type: u16 = match l3 {
                        0 | 1 => 0x0800,
                        2 | 3 => 0x86dd,
                        4 => 0x0806,
                        5 => 0x8847,
                        6 => 0x1234,
                        _ => 0x8035,
                    };
                    if vlans > 0 {
                        f.set_be(offset::VLAN0_TPID, 2, 0x8100);
                        f.set_be(offset::VLAN0_TCI, 2, u64::from(tci | 0x1000));
                        if vlans > 1 {
                            // With the default limit of one header, the
                            // second one's TPID is the flow's Ethertype.
                            f.set_be(offset::DL_TYPE, 2, 0x8100);
                        }
                    }
                    if vlans < 2 {
                        f.set_be(offset::DL_TYPE, 2, u64::from(dl_type));
                    }
                    let dl = f.get_be(offset::DL_TYPE, 2) as u16;
                    let ip = dl == 0x0800 || dl == 0x86dd;
                    if dl == 0x0800 || dl == 0x0806 || dl == 0x8035 {
                        f.set_be(offset::NW_SRC, 4, d(60));
                        f.set_be(offset::NW_DST, 4, d(62));
                    }
                    if dl == 0x86dd {
                        f.bytes_mut(offset::IPV6_SRC, 16).copy_from_slice(&r[0..16]);
                        f.bytes_mut(offset::IPV6_DST, 16)
                            .copy_from_slice(&r[16..32]);
                        f.set_be(offset::IPV6_LABEL, 4, d(5) & 0xfffff);
                    }
                    if dl == 0x0806 || dl == 0x8035 {
                        // Opcode 255 reads as "all ones" (OVS's mask value).
                        f.set_be(offset::NW_PROTO, 1, b(3) % 255);
                        f.bytes_mut(offset::ARP_SHA, 6).copy_from_slice(&r[40..46]);
                        f.bytes_mut(offset::ARP_THA, 6).copy_from_slice(&r[46..52]);
                    }
                    if dl == 0x8847 {
                        f.set_be(offset::MPLS_LSE0, 4, d(7) & !0x100);
                        f.set_be(offset::MPLS_LSE1, 4, (d(11) | 0x100) | 1);
                    }
                    if ip {
                        f.set_be(offset::NW_TOS, 1, b(9));
                        f.set_be(offset::NW_TTL, 1, b(10));
                        f.set_be(offset::NW_FRAG, 1, [0, 1, 3][usize::from(frag)]);
                        let (proto, v6only) = [
                            (6, false),
                            (17, false),
                            (132, false),
                            (1, false),
                            (58, true),
                            (58, true),
                            (47, false),
                        ][usize::from(l4)];
                        let proto = if v6only && dl != 0x86dd { 1 } else { proto };
                        let proto = if proto == 1 && dl == 0x86dd {
                            58
                        } else {
                            proto
                        };
                        f.set_be(offset::NW_PROTO, 1, proto);
                        if frag != 2 {
                            match proto {
                                6 | 17 | 132 => {
                                    f.set_be(offset::TP_SRC, 2, w(20));
                                    f.set_be(offset::TP_DST, 2, w(22));
                                    if proto == 6 {
                                        f.set_be(offset::TCP_FLAGS, 2, w(24) & 0xfff);
                                    }
                                }
                                1 => {
                                    f.set_be(offset::TP_SRC, 2, b(20));
                                    f.set_be(offset::TP_DST, 2, b(21));
                                }
                                58 if l4 == 5 => {
                                    f.set_be(offset::TP_SRC, 2, 135 + (b(20) & 1));
                                    f.bytes_mut(offset::ND_TARGET, 16)
                                        .copy_from_slice(&r[30..46]);
                                    f.bytes_mut(offset::ARP_SHA, 6).copy_from_slice(&r[40..46]);
                                }
                                58 => {
                                    f.set_be(offset::TP_SRC, 2, b(20));
                                    f.set_be(offset::TP_DST, 2, b(21) | 1);
                                }
                                _ => {}
                            }
                        }
                        if r[33] & 1 == 1 {
                            f.set_be(offset::CT_NW_PROTO, 1, 6);
                            f.set_be(offset::CT_TP_SRC, 2, w(34));
                            f.set_be(offset::CT_TP_DST, 2, w(36));
                            if dl == 0x0800 {
                                f.set_be(offset::CT_NW_SRC, 4, d(38));
                                f.set_be(offset::CT_NW_DST, 4, d(42));
                            } else {
                                f.bytes_mut(offset::CT_IPV6_SRC, 16)
                                    .copy_from_slice(&r[1..17]);
                                f.bytes_mut(offset::CT_IPV6_DST, 16)
                                    .copy_from_slice(&r[17..33]);
                            }
                        }
                    }
                    f
                },
            )
            .boxed()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// flow -> key -> flow -> key is stable, the key fits perfectly,
        /// and its text parses back to it.
        #[test]
        fn flow_key_round_trip(f in packet_flow()) {
            let support = OdpSupport::default();
            let k = key_from_flow(&f, None, &support);
            let f2 = key_to_flow(&k, &support).map_err(|e| TestCaseError::fail(format!("{e}: {}", format_key(&k, None, true))))?;
            prop_assert_eq!(&key_from_flow(&f2, None, &support), &k);
            let (k3, _) = parse_key(&format_key(&k, Some(&k.exact_mask()), true)).unwrap();
            prop_assert_eq!(k3, k);
        }

        /// A megaflow mask (the protocol fields exact, the rest random)
        /// survives mask -> attributes -> mask.
        #[test]
        fn flow_mask_round_trip(f in packet_flow(), r in any::<[u8; 32]>()) {
            let support = OdpSupport::default();
            let mut m = Flow::ZERO;
            for (i, off) in [offset::NW_SRC, offset::NW_DST, offset::PKT_MARK, offset::CT_MARK].into_iter().enumerate() {
                m.set_be(off, 4, u64::from(u32::from_be_bytes([r[i], r[i + 1], r[i + 2], r[i + 3]])));
            }
            m.set_be(offset::DL_TYPE, 2, 0xffff);
            m.set_be(offset::NW_PROTO, 1, 0xff);
            m.set_be(offset::NW_FRAG, 1, 3);
            m.set_be(offset::IN_PORT, 2, 0xffff);
            m.set_be(offset::RECIRC_ID, 4, 0xffff_ffff);
            m.set_be(offset::VLAN0_TCI, 2, 0xffff);
            m.set_be(offset::VLAN0_TPID, 2, 0xffff);
            m.set_be(offset::TP_DST, 2, u64::from(r[20]));
            let k = key_from_flow(&f, Some(&m), &support);
            let mk = mask_from_flow(&f, &m, &support);
            let f2 = key_to_flow(&k, &support).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let m2 = mask_to_flow(&mk, &k, &f2, &support)
                .map_err(|e| TestCaseError::fail(format!("{e}: {}", format_key(&k, Some(&mk), true))))?;
            prop_assert_eq!(mask_from_flow(&f2, &m2, &support), mk);
        }
    }
}
