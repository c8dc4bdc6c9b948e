//! The flow and match parsers against real Open vSwitch 3.1: the inputs
//! and outputs in `data/` were recorded from `ovs-appctl ofproto/trace`
//! and `ovs-ofctl parse-flow` (see the header of each file).
//!
//! OVS prints a parsed flow back in its match syntax, which this crate
//! cannot format; so each printed field is read back on its own (in the
//! canonical spelling OVS prints, which is often not the spelling of the
//! input) and the flow built from them must equal the flow parsed from the
//! input. ofproto/xlate's `flow_syntax` test compares the printed text
//! itself.

use ovs_flow::{
    FieldId, Flow, Match, key_values, offset, parse_exact_flow, parse_field_value, parse_match,
    protocol, set_flow_value,
};

/// The bridge the recordings were made on: ports p1 and p2, and the
/// bridge's own port.
fn ports(name: &str) -> Option<u16> {
    match name {
        "p1" => Some(1),
        "p2" => Some(2),
        "br0" => Some(0xfffe),
        _ => None,
    }
}

/// `(input, output)` lines of a data file.
fn cases(text: &'static str) -> Vec<(&'static str, &'static str)> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split_once('\t').expect("tab-separated line"))
        .collect()
}

/// The flow OVS's `flow_format` text describes: every printed item set
/// in a zero flow.
fn flow_from_printed(text: &str) -> Flow {
    let mut flow = Flow::ZERO;
    for (key, value) in key_values(text) {
        if let Some((dl_type, nw_proto)) = protocol(key) {
            flow.set_be(offset::DL_TYPE, 2, u64::from(dl_type));
            flow.set_be(offset::NW_PROTO, 1, u64::from(nw_proto));
            continue;
        }
        // Items that are not fields: the second VLAN tag and the deeper
        // MPLS labels, as raw numbers; `eth` restates the zero packet type.
        let raw = |v: &str, len: usize| {
            let bytes = parse_field_value(FieldId::Xreg0, v, &ports)
                .unwrap_or_else(|e| panic!("{text}: {e}"));
            u64::from_be_bytes(bytes.try_into().unwrap()) & (u64::MAX >> (64 - 8 * len))
        };
        match key {
            "eth" => continue,
            "vlan_tci1" => {
                flow.set_be(offset::VLAN1_TCI, 2, raw(value, 2));
                continue;
            }
            "mpls_lse1" | "mpls_lse2" => {
                let at = if key == "mpls_lse1" {
                    offset::MPLS_LSE1
                } else {
                    offset::MPLS_LSE2
                };
                flow.set_be(at, 4, raw(value, 4));
                continue;
            }
            _ => {}
        }
        // OVS prints two tunnel fields under names it does not parse.
        let name = match key {
            "gtpu_flags" => "tun_gtpu_flags",
            "gtpu_msgtype" => "tun_gtpu_msgtype",
            k => k,
        };
        let field = FieldId::from_name(name).unwrap_or_else(|| panic!("{text}: field {key}"));
        let bytes =
            parse_field_value(field, value, &ports).unwrap_or_else(|e| panic!("{text}: {e}"));
        set_flow_value(&mut flow, field, &bytes);
    }
    flow
}

#[test]
fn exact_flows_match_ofproto_trace() {
    let (good, bad) = check_exact_flows(include_str!("data/trace_flows.txt"));
    assert!(good >= 40 && bad >= 10, "{good} good, {bad} bad");
}

#[test]
fn generated_exact_flows_match_ofproto_trace() {
    let (good, bad) = check_exact_flows(include_str!("data/trace_flows_random.txt"));
    assert!(good >= 40 && bad >= 100, "{good} good, {bad} bad");
}

/// Clears what OVS's `flow_format` leaves out, so that the flow compares
/// equal to the one read back from the printed text.
fn hide_unprinted(flow: &mut Flow) {
    flow.set_be(offset::CONJ_ID, 4, 0);
    flow.set_be(offset::ACTSET_OUTPUT, 2, 0);
    // Without a tunnel destination only the tunnel ID is printed; with
    // one, the tunnel ID only if the "key" flag is set.
    let tunnel = flow.get_be(offset::TUN_IP_DST, 4) != 0
        || flow.bytes(offset::TUN_IPV6_DST, 16).iter().any(|b| *b != 0);
    if !tunnel {
        let tun_id = flow.get_be(offset::TUN_ID, 8);
        flow.bytes_mut(0, offset::TUN_METADATA_PRESENT).fill(0);
        flow.set_be(offset::TUN_ID, 8, tun_id);
    } else if flow.get_be(offset::TUN_FLAGS, 2) & 0x8 == 0 {
        flow.set_be(offset::TUN_ID, 8, 0);
    }
    // For ICMPv6, `nd_options_type` and `nd_reserved` (kept where the TCP
    // flags and the IGMP group live).
    if flow.get_be(offset::NW_PROTO, 1) == 58 {
        flow.set_be(offset::TCP_FLAGS, 2, 0);
        flow.set_be(offset::IGMP_GROUP_IP4, 4, 0);
    }
    // The Ethernet header of a packet that is not Ethernet.
    if flow.get_be(offset::PACKET_TYPE, 4) != 0 {
        flow.bytes_mut(offset::DL_DST, offset::MPLS_LSE0 - offset::DL_DST)
            .fill(0);
    }
}

/// Checks every line of a recording; returns how many flows and how many
/// errors it held.
fn check_exact_flows(text: &'static str) -> (usize, usize) {
    let data = cases(text);
    let (mut good, mut bad) = (0, 0);
    for (input, output) in data {
        if let Some(printed) = output.strip_prefix("Flow: ") {
            let mut ours = parse_exact_flow(input, &ports)
                .unwrap_or_else(|e| panic!("{input}: OVS accepts it, we say {e}"));
            hide_unprinted(&mut ours);
            assert_eq!(
                ours,
                flow_from_printed(printed),
                "{input}\n  OVS: {printed}"
            );
            good += 1;
        } else {
            let expected = output
                .strip_prefix("Bad openflow flow syntax: ")
                .unwrap_or_else(|| panic!("unexpected output {output}"));
            assert_eq!(
                parse_exact_flow(input, &ports).map(|_| ()),
                Err(expected.to_string()),
                "{input}"
            );
            bad += 1;
        }
    }
    (good, bad)
}

#[test]
fn matches_match_ovs_ofctl() {
    let data = cases(include_str!("data/ofctl_matches.txt"));
    for (input, output) in data {
        if let Some(expected) = output.strip_prefix("ovs-ofctl: ") {
            assert_eq!(
                parse_match(input, &ports),
                Err(expected.to_string()),
                "{input}"
            );
            continue;
        }
        let ours = parse_match(input, &ports).unwrap_or_else(|e| panic!("{input}: {e}"));
        let printed = parse_match(output, &ports).unwrap_or_else(|e| panic!("{output}: {e}"));
        assert_eq!(ours, printed, "{input}\n  OVS: {output}");
        assert_ne!(ours, Match::catchall(), "{input}");
    }
}
