//! Unit tests over the public API.

use super::*;
use ovs_ofp_core::OfpPort;

fn enc(v: Version, a: &[Action]) -> Vec<u8> {
    let mut w = Writer::new();
    encode_actions(v, a, &mut w);
    w.into_vec()
}

fn dec(v: Version, b: &[u8]) -> Result<Vec<Action>, OfpErr> {
    decode_actions(v, &mut Reader::new(b), b.len())
}

#[test]
fn output_round_trip() {
    let a = vec![Action::Output {
        port: OfpPort(1),
        max_len: 0,
    }];
    for v in Version::ALL {
        assert_eq!(dec(v, &enc(v, &a)).unwrap(), a);
    }
}

/// The deepest clone nesting that fits in one action (64 KiB).
fn deep_clone(depth: usize) -> Vec<u8> {
    let mut inner = vec![0, 0, 0, 8, 0, 1, 0, 0];
    for _ in 0..depth {
        let len = (16 + inner.len()) as u16;
        let mut b = vec![0xff, 0xff];
        b.extend_from_slice(&len.to_be_bytes());
        b.extend_from_slice(&[0, 0, 0x23, 0x20, 0, 42, 0, 0, 0, 0, 0, 0]);
        b.extend_from_slice(&inner);
        inner = b;
    }
    inner
}

#[test]
fn deep_nesting_is_bounded() {
    let b = deep_clone(257);
    assert_eq!(dec(Version::Of10, &b), Err(OfpErr::OfpbacTooMany));
    let b = deep_clone(4094);
    assert!(b.len() <= 65528);
    assert_eq!(dec(Version::Of10, &b), Err(OfpErr::OfpbacTooMany));
}

#[test]
fn deepest_nesting_fits_a_small_stack() {
    let b = deep_clone(256);
    assert!(b.len() <= 65528);
    let h = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let a = dec(Version::Of10, &b).unwrap();
            let again = enc(Version::Of10, &a);
            assert_eq!(again, b);
            let mut a = a;
            let p = CheckParams {
                max_ports: 0xff00,
                table_id: 0,
                n_tables: 255,
                version: Version::Of10,
                tlv: None,
            };
            check_actions_with(&mut a, &ovs_flow::Match::catchall(), &p).unwrap();
            drop(a);
        })
        .unwrap();
    h.join().unwrap();
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn params(version: Version) -> CheckParams {
    CheckParams {
        max_ports: 0xff00,
        table_id: 0,
        n_tables: 255,
        version,
        tlv: None,
    }
}

fn tcp_match() -> ovs_flow::Match {
    let mut m = ovs_flow::Match::catchall();
    m.set_exact(FieldId::EthType, &[0x08, 0x00]).unwrap();
    m.set_exact(FieldId::IpProto, &[6]).unwrap();
    m
}

use ovs_flow::FieldId;

/// What checking learns changes the OpenFlow 1.1 and 1.3 encodings, as in
/// OVS (expected bytes from `ovs-ofctl parse-flow`).
#[test]
fn check_annotations_pick_ovs_encodings() {
    // mod_vlan_vid:5,mod_vlan_pcp:3 without a VLAN match, OpenFlow 1.1:
    // one push_vlan, then the sets.
    let mut a = vec![
        Action::SetVlanVid {
            vid: 5,
            push_vlan_if_needed: true,
            flow_has_vlan: false,
        },
        Action::SetVlanPcp {
            pcp: 3,
            push_vlan_if_needed: true,
            flow_has_vlan: false,
        },
    ];
    check_actions_with(&mut a, &ovs_flow::Match::catchall(), &params(Version::Of11)).unwrap();
    let mut w = Writer::new();
    encode_instructions(Version::Of11, &a, &mut w);
    assert_eq!(
        w.as_slice(),
        hex("0004002000000000001100088100000000010008000500000002000803000000")
    );
    // tcp,actions=mod_tp_src:80,mod_tp_dst:443 in OpenFlow 1.3 becomes
    // set_field on tcp_src/tcp_dst.
    let mut a = vec![
        Action::SetL4SrcPort {
            port: 80,
            flow_ip_proto: 0,
        },
        Action::SetL4DstPort {
            port: 443,
            flow_ip_proto: 0,
        },
    ];
    check_actions_with(&mut a, &tcp_match(), &params(Version::Of13)).unwrap();
    let mut w = Writer::new();
    encode_instructions(Version::Of13, &a, &mut w);
    assert_eq!(
        w.as_slice(),
        hex("00040028000000000019001080001a0200500000000000000019001080001c0201bb000000000000")
    );
}

#[test]
fn decoded_values() {
    // OpenFlow 1.3 set_field:0x1->tun_metadata0: one value byte on the
    // wire, right-aligned in the 124-byte field without a TLV map.
    let b = hex("00190010000150010100000000000000");
    let a = dec(Version::Of13, &b).unwrap();
    let Action::SetField(sf) = &a[0] else {
        panic!("{a:?}")
    };
    assert_eq!((sf.field, sf.value.len()), (FieldId::TunMetadata0, 124));
    assert_eq!(sf.value[123], 1);
    assert!(sf.mask.iter().all(|b| *b == 0xff));

    // load:0x5->NXM_NX_REG0[3..8].
    let b = hex("ffff0018000023200007 00c5 00010004 0000000000000005"
        .replace(' ', "")
        .as_str());
    let a = dec(Version::Of10, &b).unwrap();
    assert_eq!(
        a,
        vec![Action::SetField(SetField {
            field: FieldId::Reg0,
            value: vec![0, 0, 0, 0x28],
            mask: vec![0, 0, 0x01, 0xf8],
            form: SetFieldForm::RegLoad,
            flow_has_vlan: false,
        })]
    );

    // resubmit:3 as ovs-ofctl sends it (NXAST_RESUBMIT_TABLE, table 255).
    let b = hex("ffff00100000232000 0e 0003 ff 000000"
        .replace(' ', "")
        .as_str());
    assert_eq!(
        dec(Version::Of13, &b).unwrap(),
        vec![Action::Resubmit(Resubmit {
            in_port: OfpPort(3),
            table_id: 255,
            with_ct_orig: false,
            form: ResubmitForm::ResubmitTable,
        })]
    );
}

#[test]
fn tlv_map_widths() {
    // move:NXM_NX_TUN_METADATA1[0..7]->NXM_NX_REG0[0..7] as ovs-ofctl
    // sends it, with the header at the full 124-byte width.
    let b = hex("ffff0018000023200006000800000000 0001527c 00010004"
        .replace(' ', "")
        .as_str());
    assert!(dec(Version::Of13, &b).is_ok());
    let mut opts = DecodeOptions::default();
    let mut map = TlvMap::new();
    opts.tlv = Some(map);
    let r = decode_actions_with(Version::Of13, &mut Reader::new(&b), b.len(), &opts);
    assert_eq!(r, Err(OfpErr::NxfmfcInvalidTlvField));
    map.set(1, 4);
    opts.tlv = Some(map);
    let a = decode_actions_with(Version::Of13, &mut Reader::new(&b), b.len(), &opts).unwrap();
    // Re-encoded with the map, the header carries the mapped width.
    let mut w = Writer::new();
    encode_actions_with(Version::Of13, &a, &mut w, &EncodeOptions { tlv: Some(map) });
    assert_eq!(
        w.as_slice(),
        hex("ffff0018000023200006000800000000 00015204 00010004"
            .replace(' ', "")
            .as_str())
    );
    // Subfields beyond the mapped width are rejected.
    let b = hex("ffff0018000023200006000800200000 0001527c 00010004"
        .replace(' ', "")
        .as_str());
    let r = decode_actions_with(Version::Of13, &mut Reader::new(&b), b.len(), &opts);
    assert_eq!(r, Err(OfpErr::OfpbacBadSetLen));
}

#[test]
fn debug_actions_need_the_option() {
    let b = hex("ffff001000002320 00ff 000000000000"
        .replace(' ', "")
        .as_str());
    assert_eq!(dec(Version::Of10, &b), Err(OfpErr::OfpbacBadVendorType));
    let opts = DecodeOptions {
        allow_debug: true,
        tlv: None,
    };
    let a = decode_actions_with(Version::Of10, &mut Reader::new(&b), b.len(), &opts).unwrap();
    assert_eq!(a, vec![Action::DebugRecirc]);
    assert_eq!(enc(Version::Of10, &a), b);
}

#[test]
fn checks() {
    let catchall = ovs_flow::Match::catchall();
    let check = |a: &[Action], m: &ovs_flow::Match, p: CheckParams| {
        check_actions_with(&mut a.to_vec(), m, &p)
    };
    // Output ports against the switch's port count.
    let out = |p| Action::Output {
        port: OfpPort(p),
        max_len: 0,
    };
    let mut p = params(Version::Of13);
    p.max_ports = 10;
    assert_eq!(check(&[out(9)], &catchall, p), Ok(()));
    assert_eq!(
        check(&[out(10)], &catchall, p),
        Err(OfpErr::OfpbacBadOutPort)
    );
    assert_eq!(check(&[out(0xfffa)], &catchall, p), Ok(()));
    // goto_table: forward only, and within the tables.
    let goto = |t| Action::GotoTable { table_id: t };
    let mut p = params(Version::Of13);
    p.table_id = 3;
    p.n_tables = 10;
    assert_eq!(
        check(&[goto(3)], &catchall, p),
        Err(OfpErr::OfpbicBadTableId)
    );
    assert_eq!(check(&[goto(9)], &catchall, p), Ok(()));
    assert_eq!(
        check(&[goto(10)], &catchall, p),
        Err(OfpErr::OfpbicBadTableId)
    );
    assert_eq!(
        check_actions(&[goto(10)], &catchall, 0xff00, 10, Version::Of13),
        Err(OfpErr::OfpbicBadTableId)
    );
    // mod_nw_src without an IP match: tolerated only in OpenFlow 1.0.
    let nw = [Action::SetIpv4Src {
        addr: std::net::Ipv4Addr::new(1, 2, 3, 4),
    }];
    assert_eq!(check(&nw, &catchall, params(Version::Of10)), Ok(()));
    assert_eq!(
        check(&nw, &catchall, params(Version::Of13)),
        Err(OfpErr::OfpbacMatchInconsistent)
    );
    // ... but not inside write_actions, whose consistency OVS cannot judge.
    let wa = [Action::WriteActions(nw.to_vec())];
    assert_eq!(check(&wa, &catchall, params(Version::Of13)), Ok(()));
    // ... and it is found inside clone.
    let cl = [Action::Clone(nw.to_vec())];
    assert_eq!(
        check(&cl, &catchall, params(Version::Of13)),
        Err(OfpErr::OfpbacMatchInconsistent)
    );
    // set_field prerequisites are hard errors in every version.
    let sf = [Action::SetField(SetField {
        field: FieldId::TcpSrc,
        value: vec![0, 80],
        mask: vec![0xff, 0xff],
        form: SetFieldForm::SetField,
        flow_has_vlan: false,
    })];
    assert_eq!(
        check(&sf, &catchall, params(Version::Of10)),
        Err(OfpErr::OfpbacMatchInconsistent)
    );
    assert_eq!(check(&sf, &tcp_match(), params(Version::Of13)), Ok(()));
    // A learned match may rely on earlier specs for its prerequisites.
    let learn = |specs| {
        Action::Learn(Box::new(Learn {
            idle_timeout: 0,
            hard_timeout: 0,
            priority: 0x8000,
            cookie: 0,
            flags: 0,
            table_id: 1,
            fin_idle_timeout: 0,
            fin_hard_timeout: 0,
            limit: 0,
            result_dst: None,
            specs,
            form: LearnForm::Learn,
        }))
    };
    let ip_dst = LearnSpec {
        n_bits: 32,
        src: LearnSrc::Immediate(vec![10, 0, 0, 1]),
        dst: LearnDst::Match(Subfield::whole(FieldId::Ipv4Dst)),
    };
    let eth_type = LearnSpec {
        n_bits: 16,
        src: LearnSrc::Immediate(vec![8, 0]),
        dst: LearnDst::Match(Subfield::whole(FieldId::EthType)),
    };
    assert_eq!(
        check(
            &[learn(vec![ip_dst.clone()])],
            &catchall,
            params(Version::Of13)
        ),
        Err(OfpErr::OfpbacMatchInconsistent)
    );
    assert_eq!(
        check(
            &[learn(vec![eth_type, ip_dst])],
            &catchall,
            params(Version::Of13)
        ),
        Ok(())
    );
    // Meter ids.
    assert_eq!(
        check(
            &[Action::Meter { meter_id: 0 }],
            &catchall,
            params(Version::Of13)
        ),
        Err(OfpErr::OfpmmfcInvalidMeter)
    );
    // ct needs IP; a committed ct of an invalid connection is refused.
    let ct = Action::Ct(Box::new(Ct {
        flags: CT_F_COMMIT,
        zone: CtZone::Imm(0),
        recirc_table: CT_RECIRC_NONE,
        alg: 0,
        actions: vec![],
    }));
    assert_eq!(
        check(std::slice::from_ref(&ct), &catchall, params(Version::Of10)),
        Err(OfpErr::OfpbacMatchInconsistent)
    );
    assert_eq!(
        check(
            std::slice::from_ref(&ct),
            &tcp_match(),
            params(Version::Of13)
        ),
        Ok(())
    );
    let mut inv = tcp_match();
    inv.set_masked(FieldId::CtState, &[0, 0, 0, 0x10], &[0, 0, 0, 0x10])
        .unwrap();
    assert_eq!(
        check(&[ct], &inv, params(Version::Of13)),
        Err(OfpErr::OfpbacMatchInconsistent)
    );
    // Three VLAN pushes are one too many.
    let push = Action::PushVlan { ethertype: 0x8100 };
    assert_eq!(
        check(
            &[push.clone(), push.clone()],
            &catchall,
            params(Version::Of13)
        ),
        Ok(())
    );
    assert_eq!(
        check(
            &[push.clone(), push.clone(), push],
            &catchall,
            params(Version::Of13)
        ),
        Err(OfpErr::OfpbacBadTag)
    );
}

/// The instruction order OVS enforces, and where instructions may appear.
#[test]
fn verify_rules() {
    let meter = Action::Meter { meter_id: 1 };
    let out = Action::Output {
        port: OfpPort(1),
        max_len: 0,
    };
    let goto = Action::GotoTable { table_id: 2 };
    let verify = |a: &[Action], v| {
        crate::decode::verify(a, v, crate::decode::ALL_ALLOWED, crate::decode::Outer::None)
    };
    assert_eq!(
        verify(&[meter.clone(), out.clone(), goto.clone()], Version::Of13),
        Ok(())
    );
    assert_eq!(
        verify(&[out.clone(), meter.clone()], Version::Of13),
        Err(OfpErr::OfpbacUnsupportedOrder)
    );
    assert_eq!(
        verify(&[goto.clone(), goto.clone()], Version::Of13),
        Err(OfpErr::OfpbacUnsupportedOrder)
    );
    // In OpenFlow 1.5 the meter is an action, allowed anywhere in the list.
    assert_eq!(verify(&[out.clone(), meter.clone()], Version::Of15), Ok(()));
    // Instructions are not allowed in a plain action list.
    let b = enc(
        Version::Of10,
        &[Action::WriteMetadata {
            metadata: 1,
            mask: 1,
        }],
    );
    assert_eq!(dec(Version::Of10, &b), Err(OfpErr::OfpbicUnsupInst));
}

#[test]
fn tun_metadata_bitmap() {
    let sf = |field| Subfield {
        field,
        ofs: 0,
        n_bits: 8,
    };
    let a = vec![
        Action::RegMove {
            src: sf(FieldId::TunMetadata1),
            dst: sf(FieldId::Reg0),
            form: MoveForm::RegMove,
        },
        Action::Clone(vec![Action::DeleteField {
            field: FieldId::TunMetadata63,
        }]),
    ];
    assert_eq!(tun_metadata_used(&a), (1 << 1) | (1 << 63));
}
