//! Golden vectors captured from real `ovs-ofctl` 3.1 (see
//! `golden/capture.py`): for each flow and OpenFlow version, the bytes
//! `ovs-ofctl parse-flow` puts in the flow_mod's action or instruction list,
//! and what `ovs-ofctl ofp-print` makes of the whole message (its action
//! text, or the decode error). Decoding must give the same verdict and
//! re-encoding must give back the same bytes.

use ovs_flow::{FieldId, Match};
use ovs_ofp_actions::{CheckParams, check_actions_with, decode_instructions, encode_instructions};
use ovs_ofp_core::{Reader, Version, Writer};

struct Vector<'a> {
    version: Version,
    /// The match part of the flow, as `ovs-ofctl` spells it.
    matching: &'a str,
    flow: String,
    printed: &'a str,
    bytes: Vec<u8>,
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn version(name: &str) -> Version {
    Version::ALL.into_iter().find(|v| v.name() == name).unwrap()
}

fn vectors() -> Vec<Vector<'static>> {
    include_str!("golden/flows.txt")
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('|').collect();
            Vector {
                version: version(f[0]),
                matching: f[1],
                flow: format!("{},actions={}", f[1], f[2]),
                printed: f[3],
                bytes: hex(f[4]),
            }
        })
        .collect()
}

/// The few matches the vectors use, built as `ovs-ofctl` builds them.
fn build_match(s: &str) -> Match {
    let mut m = Match::catchall();
    for part in s.split(',').filter(|p| !p.is_empty()) {
        let mut set = |f, v: &[u8], k: &[u8]| m.set_masked(f, v, k).unwrap();
        match part {
            "ip" => set(FieldId::EthType, &[0x08, 0x00], &[0xff; 2]),
            "ipv6" => set(FieldId::EthType, &[0x86, 0xdd], &[0xff; 2]),
            "mpls" => set(FieldId::EthType, &[0x88, 0x47], &[0xff; 2]),
            "tcp" | "udp" => {
                set(FieldId::EthType, &[0x08, 0x00], &[0xff; 2]);
                set(
                    FieldId::IpProto,
                    &[if part == "tcp" { 6 } else { 17 }],
                    &[0xff],
                );
            }
            "dl_vlan=5" => set(FieldId::VlanTci, &[0x10, 0x05], &[0x1f, 0xff]),
            "vlan_tci=0x1000/0x1000" => set(FieldId::VlanTci, &[0x10, 0x00], &[0x10, 0x00]),
            "ct_state=+trk+est" => set(FieldId::CtState, &[0, 0, 0, 0x22], &[0, 0, 0, 0x22]),
            _ => panic!("unknown match {part}"),
        }
    }
    m
}

#[test]
fn ovs_ofctl_bytes_decode_and_reencode() {
    let mut failures = Vec::new();
    let all = vectors();
    assert!(all.len() > 400);
    for v in &all {
        // ofp-print decodes the flow_mod and checks its actions against its
        // match, as ofproto does.
        let params = CheckParams {
            max_ports: 0xff00,
            table_id: 0,
            n_tables: 255,
            version: v.version,
            tlv: None,
        };
        let m = build_match(v.matching);
        let got = decode_instructions(v.version, &mut Reader::new(&v.bytes), v.bytes.len())
            .and_then(|mut a| check_actions_with(&mut a, &m, &params).map(|()| a));
        match (v.printed.strip_prefix("ERROR:"), got) {
            (Some(err), Ok(a)) => failures.push(format!(
                "{:?} {}: expected {err}, decoded {a:?}",
                v.version, v.flow
            )),
            (Some(err), Err(e)) => {
                if e.name() != err {
                    failures.push(format!(
                        "{:?} {}: expected {err}, got {e}",
                        v.version, v.flow
                    ));
                }
            }
            (None, Err(e)) => failures.push(format!("{:?} {}: {e}", v.version, v.flow)),
            (None, Ok(actions)) => {
                let mut w = Writer::new();
                encode_instructions(v.version, &actions, &mut w);
                if w.as_slice() != v.bytes.as_slice() {
                    failures.push(format!(
                        "{:?} {}:\n   ovs {}\n  ours {}\n  {actions:?}",
                        v.version,
                        v.flow,
                        to_hex(&v.bytes),
                        to_hex(w.as_slice())
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Hand-made lists judged by real `ovs-ofctl parse-actions` (kind `a`:
/// decode an action list) and `parse-instructions` (kind `i`: decode an
/// instruction list, then check it against a catch-all match with
/// OFPP_MAX ports, 255 tables and the given table), see
/// `golden/errors.py`.
#[test]
fn verdicts_match_ovs_ofctl() {
    use ovs_ofp_actions::decode_actions;

    let mut failures = Vec::new();
    let mut n = 0;
    for line in include_str!("golden/errors.txt").lines() {
        let f: Vec<&str> = line.split('|').collect();
        let (v, kind, table, bytes, verdict) = (version(f[0]), f[1], f[2], hex(f[3]), f[4]);
        n += 1;
        let got = if kind == "a" {
            decode_actions(v, &mut Reader::new(&bytes), bytes.len())
        } else {
            decode_instructions(v, &mut Reader::new(&bytes), bytes.len()).and_then(|mut a| {
                let p = CheckParams {
                    max_ports: 0xff00,
                    table_id: table.parse().unwrap_or(0),
                    n_tables: 255,
                    version: v,
                    tlv: None,
                };
                check_actions_with(&mut a, &Match::catchall(), &p).map(|()| a)
            })
        };
        let ours = match &got {
            Ok(_) => "OK".to_string(),
            Err(e) => e.name().to_string(),
        };
        let theirs = verdict.split('(').next().unwrap_or(verdict);
        if ours != theirs {
            failures.push(format!(
                "#{n} {v:?} {kind} {}: ovs {verdict}, ours {ours} {got:?}",
                f[3]
            ));
        }
    }
    assert!(n > 150);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
