//! Every flow real Open vSwitch printed with `dpctl/dump-flows` (see
//! `gen-corpus.sh`) must parse, and print back byte for byte, with and
//! without port names and in verbose mode.

use std::collections::BTreeMap;

use ovs_odp::{
    DpKey, OdpSupport, format_actions_with_names, format_key_with_names, key_to_flow, mask_to_flow,
    parse_actions, parse_actions_with_names, parse_key, parse_key_with_names,
};

const CORPUS: &str = include_str!("data/dump-flows.txt");

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Plain,
    Names,
    Verbose,
    /// `ofproto/trace`'s "Datapath actions:" (actions only, port numbers).
    Trace,
    /// Input to `dpctl/add-flow`: key, tab, actions.
    Added,
}

struct Line<'a> {
    mode: Mode,
    ports: BTreeMap<u32, String>,
    text: &'a str,
}

fn lines() -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let mut ports = BTreeMap::new();
    let mut in_ports = false;
    let mut mode = Mode::Plain;
    for l in CORPUS.lines() {
        if l.starts_with('#') || l.is_empty() {
            continue;
        }
        if l.starts_with("@datapath") {
            ports.clear();
            continue;
        }
        match l {
            "@ports" => in_ports = true,
            "@plain" | "@names" | "@verbose" | "@trace" | "@added" => {
                in_ports = false;
                mode = match l {
                    "@plain" => Mode::Plain,
                    "@names" => Mode::Names,
                    "@trace" => Mode::Trace,
                    "@added" => Mode::Added,
                    _ => Mode::Verbose,
                };
            }
            _ if in_ports => {
                let (n, name) = l.split_once(' ').expect("port line");
                ports.insert(n.parse().expect("port number"), name.to_string());
            }
            _ => out.push(Line {
                mode,
                ports: ports.clone(),
                text: l,
            }),
        }
    }
    out
}

/// Splits a dump line into its key and its actions.
fn split(line: &str) -> (&str, &str) {
    let rest = match line.strip_prefix("ufid:") {
        Some(r) => r.split_once(", ").expect("ufid separator").1,
        None => line,
    };
    let key = rest.split_once(", packets:").expect("stats").0;
    let actions = rest.split_once(", actions:").expect("actions").1;
    let actions = actions
        .split_once(", dp-extra-info:")
        .map_or(actions, |(a, _)| a);
    (key, actions)
}

#[test]
fn corpus_round_trips() {
    let all = lines();
    assert!(all.len() > 300, "corpus too small: {}", all.len());
    let mut failures = Vec::new();
    for l in all.iter().filter(|l| l.mode != Mode::Added) {
        let (key_text, actions_text) = if l.mode == Mode::Trace {
            ("", l.text)
        } else {
            split(l.text)
        };
        let named = matches!(l.mode, Mode::Names | Mode::Verbose);
        let by_name: BTreeMap<String, u32> = l.ports.iter().map(|(n, s)| (s.clone(), *n)).collect();
        let lookup = |s: &str| if named { by_name.get(s).copied() } else { None };
        let namer = |p: u32| {
            if named {
                l.ports.get(&p).cloned()
            } else {
                None
            }
        };
        let verbose = l.mode == Mode::Verbose;

        match parse_key_with_names(key_text, &lookup) {
            _ if l.mode == Mode::Trace => {}
            Ok((k, m)) => {
                let again = format_key_with_names(&k, Some(&m), verbose, &namer);
                if again != key_text {
                    failures.push(format!(
                        "key {:?}\n  want {key_text}\n  got  {again}",
                        l.mode
                    ));
                }
            }
            Err(e) => failures.push(format!("key {:?} {key_text}: {e} ({})", l.mode, e.reason)),
        }
        match parse_actions_with_names(actions_text, &lookup) {
            Ok(a) => {
                let again = format_actions_with_names(&a, &namer);
                if again != actions_text {
                    failures.push(format!(
                        "actions {:?}\n  want {actions_text}\n  got  {again}",
                        l.mode
                    ));
                }
            }
            Err(e) => failures.push(format!(
                "actions {:?} {actions_text}: {e} ({})",
                l.mode, e.reason
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} lines failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

/// The flows of the switch's own datapath came from real packets: their
/// keys (parsed from the verbose dumps, which show every attribute) must
/// convert to a flow and back, and their masks to a flow mask.
#[test]
fn corpus_keys_convert_to_flows() {
    let support = OdpSupport::default();
    let mut checked = 0;
    for l in lines().iter().filter(|l| l.mode == Mode::Verbose) {
        let (key_text, _) = split(l.text);
        let by_name: BTreeMap<String, u32> = l.ports.iter().map(|(n, s)| (s.clone(), *n)).collect();
        let (k, m) = parse_key_with_names(key_text, &|s| by_name.get(s).copied()).unwrap();
        // Geneve options need the TLV table, which a flow does not carry.
        if k.tunnel.as_ref().is_some_and(|t| t.geneve.is_some()) {
            continue;
        }
        let flow = key_to_flow(&k, &support).unwrap_or_else(|e| panic!("{key_text}: {e}"));
        let mask = mask_to_flow(&m, &k, &flow, &support)
            .unwrap_or_else(|e| panic!("mask of {key_text}: {e}"));
        let back = ovs_odp::key_from_flow(&flow, Some(&mask), &support);
        let back_mask = ovs_odp::mask_from_flow(&flow, &mask, &support);
        // What the datapath would print for that flow is what OVS printed.
        let again =
            format_key_with_names(&back, Some(&back_mask), true, &|p| l.ports.get(&p).cloned());
        // `tcp_flags(0/0)` hides the flags the packet had (the key attribute
        // is there because they were nonzero); from the text they read as
        // zero, and zero flags give no attribute.
        let want = key_text.replace(",tcp_flags(0/0)", "");
        assert_eq!(again, want, "flow of {key_text}");
        assert_ne!(back, DpKey::default());
        checked += 1;
    }
    assert!(checked > 50, "only {checked} keys checked");
}

/// What `dpctl/add-flow` did on the userspace datapath, done here: parse
/// the key and mask, convert them to a flow and mask (`in_port` exact),
/// back to attributes, and print them verbosely, which must match what OVS
/// dumped for that flow; the actions parse to what OVS printed.
#[test]
fn add_flow_inputs_match_what_ovs_stored() {
    let all = lines();
    let support = OdpSupport::default();
    let dumped: Vec<&Line<'_>> = all
        .iter()
        .filter(|l| l.mode == Mode::Verbose && l.ports.get(&0).is_some_and(|n| n == "dp0"))
        .collect();
    let mut checked = 0;
    for l in all.iter().filter(|l| l.mode == Mode::Added) {
        let (key_text, actions_text) = l.text.split_once('\t').expect("tab");
        let port = key_text
            .strip_prefix("in_port(")
            .and_then(|r| r.split_once(')'))
            .map(|(p, _)| p)
            .expect("in_port first");
        let needle = format!(",in_port({port}),");
        let line = dumped
            .iter()
            .find(|d| d.text.contains(&needle))
            .unwrap_or_else(|| panic!("no dump for {key_text}"));
        let (want_key, want_actions) = split(line.text);

        let (k, m) = parse_key(key_text).unwrap_or_else(|e| panic!("{key_text}: {e}"));
        let a = parse_actions(actions_text).unwrap_or_else(|e| panic!("{actions_text}: {e}"));
        let names = |p: u32| line.ports.get(&p).cloned();
        assert_eq!(
            format_actions_with_names(&a, &names),
            want_actions,
            "actions given as {actions_text}"
        );
        // Geneve options need the TLV table, which a flow does not carry.
        if k.tunnel.as_ref().is_some_and(|t| t.geneve.is_some()) {
            continue;
        }
        let flow = key_to_flow(&k, &support).unwrap_or_else(|e| panic!("{key_text}: {e}"));
        let mut mask =
            mask_to_flow(&m, &k, &flow, &support).unwrap_or_else(|e| panic!("{key_text}: {e}"));
        // The userspace datapath always matches in_port exactly.
        mask.set_be(ovs_flow::offset::IN_PORT, 2, 0xffff);
        let back = ovs_odp::key_from_flow(&flow, Some(&mask), &support);
        let back_mask = ovs_odp::mask_from_flow(&flow, &mask, &support);
        let got = format_key_with_names(&back, Some(&back_mask), true, &|p| {
            line.ports.get(&p).cloned()
        });
        assert_eq!(got, want_key, "key given as {key_text}");
        checked += 1;
    }
    assert!(checked >= 70, "only {checked} add-flow inputs checked");
}
