//! Golden translations recorded from real OVS 3.1 by `tests/golden/gen.py`:
//! the same flows (as the OpenFlow bytes `ovs-ofctl` sent), the same
//! packets, and the exact `ofproto/trace` text, datapath actions and
//! megaflow included.

use std::collections::BTreeMap;
use std::sync::Arc;

use ovs_ofp_core::OfpPort;
use ovs_ofp_msgs::Message;
use ovs_ofproto::groups::Group;
use ovs_ofproto::{NewFlow, Tables};
use ovs_xlate::{BundleId, VlanMode, VlanSet, XBridge, XPort, XlateConfig, trace};

struct Case {
    name: String,
    cfg: XlateConfig,
    traces: Vec<(String, String)>,
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

fn apply_port_col(b: &mut ovs_xlate::XBundle, col: &str) {
    let (k, v) = col.split_once('=').expect("column=value");
    match k {
        "tag" => {
            // As vswitchd does: a tag without a vlan_mode makes an access
            // port (a later vlan_mode column overrides).
            b.vlan = v.parse().expect("tag");
            b.vlan_mode = VlanMode::Access;
        }
        "vlan_mode" => {
            b.vlan_mode = match v {
                "access" => VlanMode::Access,
                "trunk" => VlanMode::Trunk,
                "native-tagged" => VlanMode::NativeTagged,
                "native-untagged" => VlanMode::NativeUntagged,
                "dot1q-tunnel" => VlanMode::Dot1qTunnel,
                _ => panic!("vlan_mode {v}"),
            }
        }
        "trunks" => {
            b.trunks = Some(VlanSet::from_vlans(
                v.trim_matches(|c| c == '[' || c == ']')
                    .split(',')
                    .map(|x| x.trim().parse().expect("vlan")),
            ))
        }
        _ => panic!("unknown port column {k}"),
    }
}

fn load(path: &std::path::Path) -> Case {
    let text = std::fs::read_to_string(path).expect("read golden");
    let mut bridges: BTreeMap<String, XBridge> = BTreeMap::new();
    let mut traces = Vec::new();
    let mut lines = text.lines();
    let mut next_bundle = 1;
    // Implicit bundle per port: the first port of a bridge is its local
    // port; vlan settings come from `portcol` lines.
    while let Some(line) = lines.next() {
        let mut words = line.splitn(2, ' ');
        let kind = words.next().unwrap_or("");
        let rest = words.next().unwrap_or("");
        match kind {
            "bridge" => {
                let mut br = XBridge::new(rest);
                br.tables = Arc::new(Tables::default());
                bridges.insert(rest.to_string(), br);
            }
            "port" => {
                let w: Vec<&str> = rest.split(' ').collect();
                let br = bridges.get_mut(w[0]).expect("bridge");
                let ofport = OfpPort(w[2].parse().expect("ofport"));
                let odp = w[3].parse::<u32>().ok();
                let mut p = XPort::new(ofport, odp, w[1]);
                if w[4] != "-" {
                    p.peer = Some((w[4].to_string(), OfpPort(w[5].parse().expect("peer"))));
                }
                br.add_simple_port(p, next_bundle);
                next_bundle += 1;
            }
            "portcol" => {
                let w: Vec<&str> = rest.splitn(3, ' ').collect();
                let br = bridges.get_mut(w[0]).expect("bridge");
                let b = br
                    .bundles
                    .iter_mut()
                    .find(|b| b.name == w[1])
                    .expect("bundle");
                apply_port_col(b, w[2]);
            }
            "portdown" => {
                // `ovs-ofctl mod-port ... down`: configured down, and with
                // the carrier gone OVS no longer enables the port.
                let w: Vec<&str> = rest.split(' ').collect();
                let br = bridges.get_mut(w[0]).expect("bridge");
                let p = br
                    .ports
                    .values_mut()
                    .find(|p| p.name == w[1])
                    .expect("port");
                p.config |= ovs_xlate::config::OFPPC_PORT_DOWN;
                p.may_enable = false;
            }
            "flow" | "group" => {
                let w: Vec<&str> = rest.split(' ').collect();
                let br = bridges.get_mut(w[0]).expect("bridge");
                let bytes = unhex(w[1]);
                let (_, msg) = ovs_ofp_msgs::decode(&bytes).expect("decode");
                match msg {
                    Message::FlowMod(fm) => {
                        let nf = NewFlow {
                            table_id: if fm.table_id == 0xff { 0 } else { fm.table_id },
                            matches: fm.match_,
                            priority: fm.priority,
                            cookie: fm.new_cookie,
                            actions: fm.actions.into(),
                            idle_timeout: fm.idle_timeout,
                            hard_timeout: fm.hard_timeout,
                            importance: fm.importance,
                            flags: fm.flags,
                        };
                        let mut fx = Default::default();
                        Arc::make_mut(&mut br.tables)
                            .add(nf, 0, &mut fx)
                            .expect("add flow");
                    }
                    Message::GroupMod(gm) => {
                        let desc = ovs_ofp_msgs::GroupDesc {
                            group_type: gm.group_type,
                            group_id: gm.group_id,
                            buckets: gm.buckets,
                            props: gm.props,
                        };
                        Arc::make_mut(&mut br.groups).insert(gm.group_id, Group::new(desc, 0));
                    }
                    other => panic!("unexpected message {other:?}"),
                }
            }
            "fdb" => {
                let w: Vec<&str> = rest.split(' ').collect();
                let br = bridges.get_mut(w[0]).expect("bridge");
                let port = match w[1] {
                    "LOCAL" => OfpPort::LOCAL,
                    p => OfpPort(p.parse().expect("fdb port")),
                };
                let vlan: u16 = w[2].parse().expect("vlan");
                let mut mac = [0u8; 6];
                for (b, x) in mac.iter_mut().zip(w[3].split(':')) {
                    *b = u8::from_str_radix(x, 16).expect("mac");
                }
                let id = br
                    .bundles
                    .iter()
                    .find(|b| b.members.contains(&port))
                    .expect("bundle of fdb port")
                    .id;
                br.mac.update(mac, vlan, false, false, id, 0);
            }
            "trace" => {
                let flow = rest.to_string();
                let mut expect = String::new();
                for l in lines.by_ref() {
                    if l == "end" {
                        break;
                    }
                    expect.push_str(l);
                    expect.push('\n');
                }
                traces.push((flow, expect));
            }
            _ => {}
        }
    }
    let mut cfg = XlateConfig::default();
    for (name, br) in bridges {
        cfg.bridges.insert(name, Arc::new(br));
    }
    cfg.index_odp_ports();
    Case {
        name: path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        cfg,
        traces,
    }
}

fn run_trace(cfg: &XlateConfig, odp_flow: &str) -> String {
    let (key, _) = ovs_odp::parse_key(odp_flow).expect("odp flow");
    let dp_flow = ovs_odp::key_to_flow(&key, &ovs_odp::OdpSupport::default()).expect("key to flow");
    let (bridge, flow) = cfg.flow_from_datapath(&dp_flow).expect("in_port");
    let mut text = trace(cfg, &bridge, &flow, None, 0).text;
    while text.ends_with('\n') {
        text.pop();
    }
    text.push('\n');
    text
}

#[test]
fn golden_traces_match_ovs() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("golden dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    let only = std::env::var("XLATE_CASE").ok();
    let mut failures = Vec::new();
    let mut n = 0;
    for p in paths {
        let case = load(&p);
        if only.as_ref().is_some_and(|o| *o != case.name) {
            continue;
        }
        for (flow, expect) in &case.traces {
            n += 1;
            let got = run_trace(&case.cfg, flow);
            if got != *expect {
                failures.push(format!(
                    "=== {} / {flow}\n--- expected\n{expect}--- got\n{got}",
                    case.name
                ));
            }
        }
    }
    assert!(n > 0);
    assert!(
        failures.is_empty(),
        "{} of {n} traces differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn bundle_ids_are_distinct() {
    let mut br = XBridge::new("br0");
    br.add_simple_port(XPort::new(OfpPort(1), Some(1), "p1"), 1);
    br.add_simple_port(XPort::new(OfpPort(2), Some(2), "p2"), 2);
    assert_eq!(br.bundle_by_id(BundleId(2)).map(|(i, _)| i), Some(1));
}
