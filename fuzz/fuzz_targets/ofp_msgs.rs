//! Feeds arbitrary bytes to the OpenFlow message decoder. The first byte
//! picks the options (bit 0: `NXT_FLOW_MOD_TABLE_ID` on); the rest is one
//! message, whose length field is forced to the input's length so that most
//! inputs reach the body decoders. Decoding must never panic; a rejected
//! message must yield an error reply that itself decodes; whatever decodes
//! must re-encode to bytes that decode again (unless an action or match OVS
//! accepts re-encodes into one it rejects) and, within
//! three rounds, re-encode identically.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ovs_ofp_core::{OfpErr, Version};
use ovs_ofp_msgs::{DecodeOptions, EncodeOptions, decode, decode_with, encode_with};

/// Errors of the action and match codecs, whose own targets check their
/// fixed points; OVS accepts some actions and matches that it re-encodes
/// into ones it rejects (e.g. an NXM `vlan_tci` without the CFI bit, which
/// becomes OXM `vlan_vid` + `vlan_pcp` whose prerequisite fails).
fn codec_error(e: OfpErr) -> bool {
    let n = e.name();
    n.starts_with("OFPBAC_") || n.starts_with("OFPBIC_") || n.starts_with("OFPBMC_")
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, msg)) = data.split_first() else {
        return;
    };
    if msg.len() < 8 || msg.len() > 65535 {
        let _ = decode(msg);
        return;
    }
    let mut msg = msg.to_vec();
    let len = msg.len() as u16;
    msg[2..4].copy_from_slice(&len.to_be_bytes());
    let tid = flags & 1 != 0;
    // Half the inputs run against a switch with tunnel metadata mapped, so
    // tun_metadataN in matches and actions decode and re-encode.
    let mut table = ovs_flow::TlvTable::new();
    if flags & 2 != 0 {
        for (i, len) in [(0, 4), (1, 8), (2, 124), (5, 0)] {
            let _ = table.add(i, 0xffff, i as u8, len);
        }
    }
    let tlv = (flags & 2 != 0).then_some(&table);
    let opts = DecodeOptions {
        flow_mod_table_id: tid,
        tlv,
    };
    let eopts = EncodeOptions {
        flow_mod_table_id: tid,
        tlv,
    };
    match decode_with(&msg, &opts) {
        Err(e) => {
            if let Some(reply) = e.reply(&msg) {
                assert!(decode(&reply).is_ok(), "error reply does not decode");
            }
        }
        Ok((h, m)) => {
            let Some(v) = Version::from_wire(h.version) else {
                return;
            };
            let Ok(mut b) = encode_with(v, h.xid, &m, &eopts) else {
                return;
            };
            // A value the version cannot carry exactly (a match field the
            // fixed OpenFlow 1.1 match drops on decoding) may take another
            // round to settle; then it must stay put.
            for _ in 0..3 {
                let (_, m2) = match decode_with(&b, &opts) {
                    Ok(x) => x,
                    // See codec_error(); nothing else may fail.
                    Err(e) if codec_error(e.error) => return,
                    Err(e) => panic!("re-encoded message does not decode: {e:?}"),
                };
                let b2 = encode_with(v, h.xid, &m2, &eopts).expect("re-encodes");
                if b2 == b {
                    return;
                }
                b = b2;
            }
            panic!("encoding does not reach a fixed point");
        }
    }
});
