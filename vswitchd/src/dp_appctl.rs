//! The unixctl commands that look at datapaths and translation:
//! `dpctl/*`, `dpif/show`, `dpif/dump-flows`, `fdb/show`, `fdb/flush`,
//! `ofproto/trace`, `upcall/show` and `netdev-dummy/set-admin-state`, with
//! OVS 3.1's texts. (`revalidator/wait` and `revalidator/purge` block, so
//! the core runs them off its task.)

use std::collections::BTreeMap;
use std::sync::Arc;

use ovs_dpif::{Dpif, DpifError};
use ovs_flow::Flow;
use ovs_xlate::XlateConfig;

use crate::bridge::Bridges;
use crate::datapath::{Datapaths, dp_type};

/// The registrations: (name, usage, min args, max args).
pub const COMMANDS: &[(&str, &str, usize, usize)] = &[
    ("dpif/show", "", 0, 0),
    (
        "dpif/dump-flows",
        "[-m] [--names | --no-names] bridge",
        1,
        usize::MAX,
    ),
    ("fdb/show", "bridge", 1, 1),
    ("fdb/flush", "[bridge]", 0, 1),
    (
        "ofproto/trace",
        "{[dp_name] odp_flow | bridge br_flow} [OPTIONS...] [-generate|packet]",
        1,
        usize::MAX,
    ),
    ("upcall/show", "", 0, 0),
    ("bridge/dump-flows", "[--offload-stats] bridge", 1, 2),
    ("revalidator/wait", "", 0, 0),
    ("revalidator/purge", "", 0, 0),
];

/// What the commands read.
pub struct View<'a> {
    pub datapaths: &'a Datapaths,
    pub bridges: &'a Bridges,
    pub cfg: Option<&'a crate::bridge::Config>,
    pub ofprotos: &'a BTreeMap<String, ovs_ofproto::Ofproto>,
    pub now_ms: u64,
}

impl View<'_> {
    /// The snapshot the bridge's datapath translates against.
    fn snapshot_of(&self, bridge: &str) -> Option<Arc<XlateConfig>> {
        let br = self.bridges.bridges.get(bridge)?;
        let backer = self.datapaths.dps.get(dp_type(&br.datapath_type))?;
        Some(backer.shared.snapshot())
    }

    /// Runs `cmd` if it is one of ours.
    pub fn run(&self, cmd: &str, args: &[String]) -> Option<Result<String, String>> {
        Some(match cmd {
            "dpif/show" => Ok(self.dpif_show()),
            "dpif/dump-flows" => self.dpif_dump_flows(args),
            "fdb/show" => self.fdb_show(&args[0]),
            "fdb/flush" => self.fdb_flush(args.first().map(String::as_str)),
            "ofproto/trace" => self.trace(args),
            "upcall/show" => Ok(self.upcall_show()),
            "bridge/dump-flows" => self.bridge_dump_flows(args),
            "netdev-dummy/set-admin-state" => set_admin_state(args),
            c if c.starts_with("dpctl/") => {
                let dps: Vec<&dyn Dpif> = self
                    .datapaths
                    .dps
                    .values()
                    .map(|b| &*b.dp as &dyn Dpif)
                    .collect();
                let params = ovs_dpctl::Params {
                    support: odp_support(),
                    ..ovs_dpctl::Params::appctl()
                };
                ovs_dpctl::run_appctl(&params, c, args, &dps, &DevicePorts(self.datapaths))
                    .into_result()
            }
            _ => return None,
        })
    }

    fn dpif_show(&self) -> String {
        let mut out = String::new();
        for backer in self.datapaths.dps.values() {
            let dp = &*backer.dp;
            let st = dp.stats();
            out.push_str(&format!(
                "{}@{}: hit:{} missed:{}\n",
                dp.dp_type(),
                dp.name(),
                st.n_hit,
                st.n_missed
            ));
            for br in self.bridges.bridges.values() {
                if dp_type(&br.datapath_type) != dp.dp_type() {
                    continue;
                }
                out.push_str(&format!("  {}:\n", br.name));
                for iface in br.ifaces.values() {
                    let odp = self
                        .datapaths
                        .ports
                        .get(&(br.name.clone(), iface.name.clone()))
                        .map(|r| r.port);
                    let (odp_text, type_text) = match odp {
                        Some(p) => (
                            p.0.to_string(),
                            dp.port_by_number(p)
                                .map(|dp| dp.port_type)
                                .unwrap_or_default(),
                        ),
                        None => (
                            "none".to_string(),
                            self.iface_type_text(&br.name, &iface.name),
                        ),
                    };
                    out.push_str(&format!(
                        "    {} {}/{}: ({})\n",
                        iface.name, iface.ofport, odp_text, type_text
                    ));
                }
            }
        }
        out
    }

    /// The type and configuration of an interface without a datapath port
    /// (a patch port): `patch: peer=p1`.
    fn iface_type_text(&self, bridge: &str, iface: &str) -> String {
        let Some(icfg) = self.cfg.and_then(|c| {
            c.bridges
                .iter()
                .find(|b| b.name == bridge)?
                .ports
                .iter()
                .flat_map(|p| &p.interfaces)
                .find(|i| i.name == iface)
        }) else {
            return String::new();
        };
        let mut s = icfg.iface_type.clone();
        if icfg.iface_type == "patch"
            && let Some(peer) = icfg.options.get("peer")
        {
            s.push_str(&format!(": peer={peer}"));
        }
        s
    }

    fn dpif_dump_flows(&self, args: &[String]) -> Result<String, String> {
        let Some((bridge, opts)) = args.split_last() else {
            return Err("no such bridge".to_string());
        };
        let Some(br) = self.bridges.bridges.get(bridge) else {
            return Err("no such bridge".to_string());
        };
        let Some(backer) = self.datapaths.dps.get(dp_type(&br.datapath_type)) else {
            return Err("no such bridge".to_string());
        };
        let verbose = opts.iter().any(|o| o == "-m");
        let mut names = verbose;
        for o in opts {
            match o.as_str() {
                "--names" => names = true,
                "--no-names" => names = false,
                _ => {}
            }
        }
        let dp = &*backer.dp;
        let mut port_names: BTreeMap<u32, String> = BTreeMap::new();
        if names {
            for p in dp.ports() {
                port_names.insert(p.port_no.0, p.name);
            }
        }
        let namer = |p: u32| {
            if names {
                port_names.get(&p).cloned()
            } else {
                None
            }
        };
        let cfg = backer.shared.snapshot();
        let support = odp_support();
        let now = dp.now_ms();
        let mut out = String::new();
        dp.flow_dump(&mut |f| {
            let flow = f.key.unpack();
            let owner = cfg.lookup_odp_in_port(&flow).map(|(b, _)| b.name.clone());
            if owner.as_deref() != Some(bridge.as_str()) {
                return true;
            }
            if verbose {
                out.push_str(&ovs_dpctl::format_ufid(f.ufid));
                out.push(' ');
            }
            let key = ovs_odp::key_from_flow(&flow, Some(&f.mask), &support);
            let mask = ovs_odp::mask_from_flow(&flow, &f.mask, &support);
            out.push_str(&ovs_odp::format_key_with_names(
                &key,
                Some(&mask),
                verbose,
                &namer,
            ));
            out.push_str(", ");
            out.push_str(&ovs_dpctl::format_flow_stats(&f.stats, now));
            out.push_str(", actions:");
            out.push_str(&ovs_odp::format_actions_with_names(&f.actions, &namer));
            out.push('\n');
            true
        });
        Ok(out)
    }

    fn fdb_show(&self, bridge: &str) -> Result<String, String> {
        let cfg = self.snapshot_of(bridge).ok_or("no such bridge")?;
        let xb = cfg.bridge(bridge).ok_or("no such bridge")?;
        Ok(xb.mac.format_show(self.now_ms, |id| {
            xb.bundle_by_id(id)
                .and_then(|(_, b)| b.members.first().copied())
        }))
    }

    fn fdb_flush(&self, bridge: Option<&str>) -> Result<String, String> {
        let mut found = false;
        for name in self.bridges.bridges.keys() {
            if bridge.is_some_and(|b| b != name) {
                continue;
            }
            if let Some(cfg) = self.snapshot_of(name)
                && let Some(xb) = cfg.bridge(name)
            {
                xb.mac.flush();
                found = true;
            }
        }
        if bridge.is_some() && !found {
            return Err("no such bridge".to_string());
        }
        Ok("table successfully flushed".to_string())
    }

    /// `bridge/dump-flows`: every flow, hidden tables included, as OVS's
    /// `ofproto_get_all_flows` prints them.
    fn bridge_dump_flows(&self, args: &[String]) -> Result<String, String> {
        let name = args.last().map(String::as_str).unwrap_or_default();
        let ofproto = self.ofprotos.get(name).ok_or("Unknown bridge")?;
        let offload = args.len() > 1 && args[0] == "--offload-stats";
        let mut out = String::new();
        for (t, table) in ofproto.tables.tables.iter().enumerate() {
            for (view, priority, rule) in table.cls.iter() {
                if t != 0 {
                    out.push_str(&format!("table_id={t}, "));
                }
                out.push_str(&format!(
                    "duration={}s, n_packets={}, n_bytes={}, ",
                    self.now_ms.saturating_sub(rule.created) / 1000,
                    rule.packet_count(),
                    rule.byte_count()
                ));
                if offload {
                    out.push_str("n_offload_packets=0, n_offload_bytes=0, ");
                }
                let m = ovs_xlate::format::match_to_string(&view.to_match(), priority);
                out.push_str(m.trim_end_matches([',', ' ']));
                out.push_str(",actions=");
                out.push_str(&ovs_xlate::format::actions(&rule.actions));
                out.push('\n');
            }
        }
        Ok(out)
    }

    fn upcall_show(&self) -> String {
        self.datapaths
            .dps
            .values()
            .map(|b| b.udpif.show())
            .collect()
    }

    fn trace(&self, args: &[String]) -> Result<String, String> {
        let req = parse_trace_args(args)?;
        let (cfg, bridge, flow) = self.trace_flow(&req)?;
        let packet = match (&req.packet, req.generate) {
            (Some(p), _) => Some(p.clone()),
            (None, true) => Some(ovs_packet::compose(&flow, 64)),
            (None, false) => None,
        };
        let flow = match &packet {
            // With a packet, the flow is the packet's, with the metadata
            // of the flow given.
            Some(p) if !req.generate => {
                use ovs_flow::offset;
                let md = ovs_packet::Metadata {
                    in_port: flow.get_be(offset::IN_PORT, 2) as u16,
                    recirc_id: flow.get_be(offset::RECIRC_ID, 4) as u32,
                    dp_hash: flow.get_be(offset::DP_HASH, 4) as u32,
                    skb_priority: flow.get_be(offset::SKB_PRIORITY, 4) as u32,
                    pkt_mark: flow.get_be(offset::PKT_MARK, 4) as u32,
                    ..ovs_packet::Metadata::default()
                };
                let mut extracted = Flow::ZERO;
                ovs_packet::extract(p, &md, &mut extracted);
                extracted
            }
            _ => flow,
        };
        let r = ovs_xlate::trace(&cfg, &bridge, &flow, packet.as_deref(), self.now_ms);
        Ok(r.text)
    }

    /// The snapshot, bridge and OpenFlow-numbered flow a trace request
    /// names.
    fn trace_flow(&self, req: &TraceArgs) -> Result<(Arc<XlateConfig>, String, Flow), String> {
        let flow_text = req.args.last().ok_or("Syntax error")?;
        // The datapath: named, or the only one.
        let backer = match req.args.len() {
            2 => {
                let t = req.args[0].strip_prefix("ovs-").unwrap_or(&req.args[0]);
                self.datapaths.dps.get(t)
            }
            _ if self.datapaths.dps.len() == 1 => self.datapaths.dps.values().next(),
            _ => None,
        };
        match ovs_odp::parse_key(flow_text) {
            Ok((key, _)) => {
                let backer = backer.ok_or("Cannot find the datapath")?;
                let dp_flow =
                    ovs_odp::key_to_flow(&key, &odp_support()).map_err(|e| e.to_string())?;
                let cfg = backer.shared.snapshot();
                let (bridge, flow) = cfg
                    .flow_from_datapath(&dp_flow)
                    .ok_or("no OpenFlow port for datapath port")?;
                Ok((cfg, bridge, flow))
            }
            Err(e) if req.args.len() != 2 => Err(format!("{e} (or the bridge name was omitted)")),
            Err(_) => {
                let bridge = &req.args[0];
                let cfg = self
                    .snapshot_of(bridge)
                    .ok_or_else(|| format!("{bridge}: unknown bridge"))?;
                let xb = cfg
                    .bridge(bridge)
                    .ok_or_else(|| format!("{bridge}: unknown bridge"))?;
                let ports = |name: &str| {
                    xb.ports
                        .values()
                        .find(|p| p.name == name)
                        .map(|p| p.ofp_port.0)
                };
                let flow = ovs_flow::parse_exact_flow(flow_text, &ports)
                    .map_err(|e| format!("Bad openflow flow syntax: {e}"))?;
                Ok((cfg.clone(), bridge.clone(), flow))
            }
        }
    }
}

/// The userspace datapath's key support under the process's VLAN limit
/// (OVS caps both key directions with its global `flow_vlan_limit`).
fn odp_support() -> ovs_odp::OdpSupport {
    ovs_odp::OdpSupport {
        max_vlan_headers: crate::xlate_glue::vlan_headers(),
        ..ovs_dpctl::userspace_support()
    }
}

/// `ofproto/trace`'s arguments once options are taken out.
struct TraceArgs {
    args: Vec<String>,
    packet: Option<Vec<u8>>,
    generate: bool,
}

/// OVS's `parse_flow_and_packet`, the argument part.
fn parse_trace_args(argv: &[String]) -> Result<TraceArgs, String> {
    let mut args = Vec::new();
    let mut generate = false;
    let mut i = 0;
    while i < argv.len() {
        let a = argv[i].as_str();
        match a {
            "-generate" | "--generate" => generate = true,
            "--l7" | "--l7-len" | "--ct-next" => {
                if i + 1 >= argv.len() {
                    return Err(format!("Missing argument for option {a}"));
                }
                // Accepted and not applied yet.
                i += 1;
            }
            "-names" | "--names" => {}
            _ if a.starts_with('-') => return Err(format!("{a}: unknown option")),
            _ if args.len() >= 3 => return Err("too many arguments".to_string()),
            _ => args.push(a.to_string()),
        }
        i += 1;
    }
    let mut packet = None;
    if !generate && args.len() > 1 {
        match crate::dummy::eth_from_hex(args.last().map_or("", String::as_str)) {
            Ok(p) => {
                packet = Some(p);
                args.pop();
            }
            Err(e) if args.len() > 2 => return Err(e.to_string()),
            Err(_) => {}
        }
    }
    if args.is_empty() || args.len() > 2 {
        return Err("Syntax error".to_string());
    }
    Ok(TraceArgs {
        args,
        packet,
        generate,
    })
}

/// `netdev-dummy/set-admin-state [netdev] up|down`.
fn set_admin_state(args: &[String]) -> Result<String, String> {
    let up = match args.last().map(|s| s.to_ascii_lowercase()).as_deref() {
        Some("up") => true,
        Some("down") => false,
        _ => return Err("Invalid Admin State".to_string()),
    };
    let devs = if args.len() > 1 {
        vec![ovs_netdev::dummy_by_name(&args[0]).ok_or("Unknown Dummy Interface")?]
    } else {
        ovs_netdev::dummy_names()
            .iter()
            .filter_map(|n| ovs_netdev::dummy_by_name(n))
            .collect()
    };
    for d in devs {
        use ovs_netdev::Netdev;
        let _ = d.set_up(up);
    }
    Ok("OK".to_string())
}

/// Device facts for `dpctl/show`, from the datapaths' netdevs.
struct DevicePorts<'a>(&'a Datapaths);

impl DevicePorts<'_> {
    fn netdev(&self, dp: &str, port: &str) -> Result<Arc<dyn ovs_netdev::Netdev>, String> {
        let backer = self
            .0
            .dps
            .values()
            .find(|b| format!("{}@{}", b.dp.dp_type(), b.dp.name()) == dp || b.dp.name() == dp)
            .ok_or_else(|| DpifError::NotFound.to_string())?;
        let p = backer.dp.port_by_name(port).map_err(|e| e.to_string())?;
        backer
            .dp
            .netdev(p.port_no)
            .ok_or_else(|| DpifError::NotFound.to_string())
    }
}

impl ovs_dpctl::PortInfo for DevicePorts<'_> {
    fn config(&self, _dp: &str, _port: &str) -> Result<BTreeMap<String, String>, String> {
        // None of our netdev classes reports configuration (OVS's dummy
        // reports only an explicitly set ifindex or stream).
        Ok(BTreeMap::new())
    }

    fn stats(&self, dp: &str, port: &str) -> Result<ovs_dpctl::PortStats, String> {
        let s = self.netdev(dp, port)?.stats();
        // All ones is a counter the device does not keep (OVS's
        // convention), printed as `?`.
        let known = |v: u64| (v != u64::MAX).then_some(v);
        Ok(ovs_dpctl::PortStats {
            rx_packets: known(s.rx_packets),
            rx_bytes: known(s.rx_bytes),
            rx_errors: known(s.rx_errors),
            rx_dropped: known(s.rx_dropped),
            rx_over_errors: known(s.rx_over_errors),
            rx_frame_errors: known(s.rx_frame_errors),
            tx_packets: known(s.tx_packets),
            tx_bytes: known(s.tx_bytes),
            tx_errors: known(s.tx_errors),
            tx_dropped: known(s.tx_dropped),
            tx_aborted_errors: known(s.tx_aborted_errors),
            tx_carrier_errors: known(s.tx_carrier_errors),
            collisions: known(s.collisions),
        })
    }
}
