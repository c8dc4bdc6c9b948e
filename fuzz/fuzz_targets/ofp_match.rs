//! Reads arbitrary bytes as an OpenFlow match: the first byte picks the
//! encoding (NXM, NXM with a cookie and loose checks, or the `ofp_match` of
//! OpenFlow 1.0 to 1.5), the rest is the match. Must never panic; every
//! match it accepts must encode to bytes that decode and encode again to the
//! same bytes. The decoded matches may differ, as in OVS: the encoder leaves
//! out fields whose protocol the match does not pin down (`ct_tp_src` without
//! `ct_nw_proto`, `tcp_src` from a loose decode without `nw_proto=6`), and a
//! match whose prerequisites only held thanks to TLV order may not decode
//! again at all.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ovs_ofp_core::{Reader, Version, Writer};
use ovs_ofp_match::{
    NxmOptions, decode_match, decode_nxm, decode_nxm_with, encode_match, encode_nxm,
    encode_nxm_cookie, ofp10_can_express,
};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    match selector % 8 {
        0 => {
            if let Ok(m) = decode_nxm(&mut Reader::new(rest), rest.len(), None) {
                let mut w = Writer::new();
                let n = encode_nxm(&m, None, &mut w);
                match decode_nxm(&mut Reader::new(w.as_slice()), n, None) {
                    Ok(again) => {
                        let mut w2 = Writer::new();
                        encode_nxm(&again, None, &mut w2);
                        assert_eq!(w2.as_slice(), w.as_slice());
                    }
                    Err(_) => assert!(m.check_prereqs().is_err()),
                }
            }
        }
        7 => {
            let loose = NxmOptions {
                strict: false,
                allow_cookie: true,
                pipeline_fields_only: false,
                tlv: None,
            };
            if let Ok(d) = decode_nxm_with(&mut Reader::new(rest), rest.len(), None, loose) {
                let mut w = Writer::new();
                let n = encode_nxm_cookie(&d.m, None, d.cookie, d.cookie_mask, &mut w);
                let again = decode_nxm_with(&mut Reader::new(w.as_slice()), n, None, loose);
                let again = again.expect("re-encoded match decodes");
                let mut w2 = Writer::new();
                encode_nxm_cookie(&again.m, None, again.cookie, again.cookie_mask, &mut w2);
                assert_eq!(w2.as_slice(), w.as_slice());
                assert_eq!(again.cookie_mask, d.cookie_mask);
                assert_eq!(again.cookie, d.cookie & d.cookie_mask);
            }
        }
        wire => {
            let Some(version) = Version::from_wire(wire) else {
                return;
            };
            // OVS accepts an OXM match in OpenFlow 1.1 and a standard one in
            // 1.2+; only a fixed-layout match re-encodes to its own layout.
            let fixed = version == Version::Of10
                || (version == Version::Of11 && rest.get(..2) == Some(&[0, 0]));
            let decoded = decode_match(version, &mut Reader::new(rest));
            // An OXM match in OpenFlow 1.1 can hold more than the standard
            // match it would be sent back as, which drops it as OVS does.
            if version == Version::Of11 && !fixed {
                return;
            }
            if let Ok(m) = decoded {
                let mut w = Writer::new();
                encode_match(version, &m, &mut w);
                match decode_match(version, &mut Reader::new(w.as_slice())) {
                    Ok(again) => {
                        let mut w2 = Writer::new();
                        encode_match(version, &again, &mut w2);
                        assert_eq!(w2.as_slice(), w.as_slice());
                        // The fixed-layout matches keep everything they decode.
                        if fixed {
                            assert_eq!(again, m);
                        }
                        if version == Version::Of10 {
                            assert!(ofp10_can_express(&m));
                        }
                    }
                    Err(_) => assert!(!fixed && m.check_prereqs().is_err()),
                }
            }
        }
    }
});
