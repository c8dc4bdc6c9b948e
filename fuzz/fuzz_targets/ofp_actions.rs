//! Feeds arbitrary bytes to the OpenFlow action and instruction decoders.
//! The first byte picks the version and options: bits 0-2 the version
//! (mod 6), bit 3 instructions rather than actions, bit 4 debug actions,
//! bit 5 a tunnel-metadata map (options 0-3 mapped to 4 bytes). Whatever
//! decodes must re-encode to bytes that decode again and re-encode to the
//! same bytes, and must survive the consistency checks.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ovs_flow::Match;
use ovs_ofp_actions::{
    Action, CheckParams, DecodeOptions, EncodeOptions, LearnDst, LearnSrc, TlvMap,
    check_actions_with, decode_actions_with, decode_instructions_with, encode_actions_with,
    encode_instructions_with,
};
use ovs_ofp_core::{Reader, Version, Writer};

fn decode(v: Version, inst: bool, b: &[u8], o: &DecodeOptions) -> Option<Vec<Action>> {
    let mut r = Reader::new(b);
    if inst {
        decode_instructions_with(v, &mut r, b.len(), o).ok()
    } else {
        decode_actions_with(v, &mut r, b.len(), o).ok()
    }
}

fn encode(v: Version, inst: bool, a: &[Action], o: &EncodeOptions) -> Vec<u8> {
    let mut w = Writer::new();
    if inst {
        encode_instructions_with(v, a, &mut w, o);
    } else {
        encode_actions_with(v, a, &mut w, o);
    }
    w.into_vec()
}

/// Actions that OVS accepts but re-encodes into something it then rejects
/// (set_field values it did not validate, zero-width learn specs); so do
/// we.
fn unvalidated(a: &Action) -> bool {
    match a {
        Action::SetMplsTc { tc } => *tc > 7,
        Action::SetMplsLabel { label } => *label > 0xf_ffff,
        // A zero-width field-to-match spec re-encodes as an all-zero
        // header, which ends the spec list.
        Action::Learn(l) => l.specs.iter().any(|s| {
            s.n_bits == 0
                && matches!(s.src, LearnSrc::Field(_))
                && matches!(s.dst, LearnDst::Match(_))
        }),
        _ => a.nested().is_some_and(|n| n.iter().any(unvalidated)),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let v = Version::ALL[usize::from(sel & 7) % 6];
    let inst = sel & 8 != 0;
    let tlv = (sel & 32 != 0).then(|| {
        let mut m = TlvMap::new();
        for i in 0..4 {
            m.set(i, 4);
        }
        m
    });
    let dopts = DecodeOptions {
        allow_debug: sel & 16 != 0,
        tlv,
    };
    let eopts = EncodeOptions { tlv };
    let Some(mut actions) = decode(v, inst, bytes, &dopts) else {
        return;
    };
    let once = encode(v, inst, &actions, &eopts);
    match decode(v, inst, &once, &dopts) {
        Some(again) => assert_eq!(encode(v, inst, &again, &eopts), once),
        None => assert!(actions.iter().any(unvalidated)),
    }
    let params = CheckParams {
        max_ports: 0xff00,
        table_id: 0,
        n_tables: 255,
        version: v,
        tlv,
    };
    let _ = check_actions_with(&mut actions, &Match::catchall(), &params);
});
