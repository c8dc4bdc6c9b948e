//! The core task: owns the bridges, their ofprotos and every OpenFlow
//! session, follows the database through the IDL, and answers unixctl.
//! Everything arrives as an [`Event`]; nothing here blocks.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use ovs_daemon::Paths;
use ovs_flow::Flow;
use ovs_ofproto::{Ofproto, Output, PortInfo};
use ovs_stream::Target;
use ovs_unixctl::UnixctlRequest;
use tokio::sync::{mpsc, watch};
use tracing::{info, warn};

use crate::bridge::{self, Bridges, Capabilities};
use crate::netdev::DummyMacs;
use crate::ofconn::{self, ConnId, Hub, Origin};
use crate::options::{Dummy, Options};
use crate::xlate_glue::{SnapshotState, Sources, XlateEvent};
use crate::{OVS_VERSION, PROGRAM, dbconfig};

const LOG: &str = "bridge";

/// `bridge_reconfigure`: configurations applied.
static BRIDGE_RECONFIGURE: ovs_coverage::Counter = ovs_coverage::Counter::new("bridge_reconfigure");
/// `ofproto_packet_out`: packet-outs executed.
static OFPROTO_PACKET_OUT: ovs_coverage::Counter = ovs_coverage::Counter::new("ofproto_packet_out");

/// The counters `coverage/show` reports, in its order.
fn coverage_counters() -> Vec<&'static ovs_coverage::Counter> {
    let mut v = vec![
        &BRIDGE_RECONFIGURE,
        &OFPROTO_PACKET_OUT,
        &crate::xlate_glue::XLATE_ACTIONS,
    ];
    v.extend(ovs_dpif_netdev::coverage::counters());
    v
}

/// Everything the core reacts to.
pub enum Event {
    Connected {
        conn: ConnId,
        origin: Origin,
        peer: String,
        tx: mpsc::UnboundedSender<ofconn::Outgoing>,
        /// Zero for no limit.
        hello_timeout: Duration,
    },
    Disconnected {
        conn: ConnId,
    },
    OpenFlow {
        conn: ConnId,
        msgs: Vec<Vec<u8>>,
    },
    Unixctl(UnixctlRequest),
    /// A status transaction finished (`true` if it committed).
    StatusCommitted(bool),
    /// The periodic statistics transaction finished.
    StatsCommitted,
}

struct Session {
    bridge: String,
    /// The listener's or connector's target.
    target: String,
    tx: mpsc::UnboundedSender<ofconn::Outgoing>,
}

struct Core {
    caps: Capabilities,
    bridges: Bridges,
    datapaths: crate::datapath::Datapaths,
    ofprotos: BTreeMap<String, Ofproto>,
    /// What translation snapshots are built from, and when the next may be.
    xstate: SnapshotState,
    /// How long the last snapshot took to build; snapshots are spaced so
    /// that building them takes at most a fifth of the core's time.
    publish_cost: Duration,
    next_publish: Instant,
    /// Interface link states as last seen.
    links: Vec<bool>,
    /// What translation threads ask of the core.
    xlate_rx: mpsc::UnboundedReceiver<XlateEvent>,
    coverage: ovs_coverage::Coverage,
    sessions: HashMap<ConnId, Session>,
    /// Running listeners/connectors by (bridge, target), with their stop switch.
    services: HashMap<(String, String), watch::Sender<bool>>,
    macs: DummyMacs,
    rundir: PathBuf,
    exiting: bool,
    /// The last status transaction we committed, to avoid rewriting it.
    committed: Option<(i64, String)>,
    txn_in_flight: bool,
    seed: u64,
    /// Active controller connections' state by (bridge, target).
    controller_status: HashMap<(String, String), ofconn::SharedStatus>,
    /// The configuration last applied, for the periodic status updates.
    last_cfg: Option<bridge::Config>,
    stats_in_flight: bool,
}

impl Core {
    fn now_ms(&self) -> u64 {
        crate::now_ms()
    }

    /// Publishes a new translation snapshot to every datapath now.
    fn publish(&mut self) {
        let Some(cfg) = &self.last_cfg else {
            return;
        };
        let start = Instant::now();
        let datapaths = &self.datapaths;
        let link_up = |bridge: &str, iface: &str| datapaths.link_up(bridge, iface);
        let src = Sources {
            bridges: &self.bridges,
            cfg,
            ofprotos: &self.ofprotos,
            ports: &self.datapaths.ports,
            link_up: &link_up,
        };
        let dps = &self.datapaths.dps;
        let mut built = self
            .xstate
            .build(&src, &|t| dps.get(t).map(|b| b.recirc.clone()));
        for (t, backer) in dps {
            let cfg = built.remove(t).unwrap_or_else(|| ovs_xlate::XlateConfig {
                recirc: backer.recirc.clone(),
                ..ovs_xlate::XlateConfig::default()
            });
            backer.shared.publish(cfg);
            backer.udpif.kick();
        }
        self.publish_cost = start.elapsed();
        self.next_publish = Instant::now() + 4 * self.publish_cost;
    }

    /// Publishes if something changed and the budget allows.
    fn maybe_publish(&mut self) {
        if self.xstate.dirty && Instant::now() >= self.next_publish {
            self.publish();
        }
    }

    fn random_ea(&mut self) -> [u8; 6] {
        // A locally administered unicast address, like eth_addr_random().
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        let b = self.seed.to_be_bytes();
        [(b[2] & 0xfe) | 0x02, b[3], b[4], b[5], b[6], b[7]]
    }

    fn send(&self, outputs: Vec<Output>) {
        for out in outputs {
            match out {
                Output::Send(conn, bytes) => {
                    if let Some(s) = self.sessions.get(&conn) {
                        let _ = s.tx.send(ofconn::Outgoing::Bytes(bytes));
                    }
                }
                Output::Close(conn, why) => {
                    if let Some(s) = self.sessions.get(&conn) {
                        let _ = s.tx.send(ofconn::Outgoing::Close(why));
                    }
                }
            }
        }
    }
}

/// Runs the daemon until `exit` or a signal.
pub async fn serve(
    opts: Options,
    paths: Paths,
    unixctl_path: PathBuf,
    detached: Option<ovs_daemon::Detached>,
) -> Result<()> {
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let (xlate_tx, xlate_rx) = mpsc::unbounded_channel::<XlateEvent>();
    let hub = Hub::new(events_tx.clone());
    let caps = Capabilities {
        dummy: opts.enable_dummy,
        system: false,
    };
    if opts.enable_dummy == Dummy::Off && !opts.disable_system {
        warn!(target: LOG, "the kernel datapath is not available; bridges need datapath_type=netdev");
    }

    let version = format!("{PROGRAM} (Open vSwitch) {OVS_VERSION}");
    let (unixctl, mut unixctl_requests) = ovs_unixctl::UnixctlServer::bind(&unixctl_path, version)
        .with_context(|| format!("{}: could not bind unixctl socket", unixctl_path.display()))?;
    for (name, usage, min, max) in [
        ("exit", "[--cleanup]", 0, 1),
        ("memory/show", "", 0, 0),
        ("ofproto/list", "", 0, 0),
        ("coverage/show", "", 0, 0),
        ("bridge/reconnect", "[bridge]", 0, 1),
    ]
    .into_iter()
    .chain(ovs_vlog::UNIXCTL_COMMANDS)
    {
        unixctl.register(name, usage, min, max);
    }
    if opts.enable_dummy != Dummy::Off {
        unixctl.register(
            "netdev-dummy/receive",
            "name [--qid queue_id] packet|flow [--len packet_len]...",
            2,
            usize::MAX,
        );
        unixctl.register("netdev-dummy/set-admin-state", "[netdev] up|down", 1, 2);
    }
    for (name, usage, min, max) in crate::dp_appctl::COMMANDS {
        unixctl.register(name, usage, *min, *max);
    }
    for (name, usage, min, max) in ovs_dpctl::COMMANDS {
        unixctl.register(&format!("dpctl/{name}"), usage, *min, *max);
    }
    let unixctl_handle = unixctl.handle();
    tokio::spawn(unixctl.run());
    let unixctl_events = events_tx.clone();
    tokio::spawn(async move {
        while let Some(req) = unixctl_requests.recv().await {
            if unixctl_events.send(Event::Unixctl(req)).is_err() {
                break;
            }
        }
    });

    let db_target = opts.database_target(&paths.rundir);
    let idl = ovsdb_idl::Idl::spawn(ovsdb_idl::IdlConfig::new(&db_target, "Open_vSwitch"))
        .map_err(|e| anyhow::anyhow!("{db_target}: {e}"))?;
    let mut replica_changes = idl.subscribe();

    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0x9e37_79b9)
        ^ u64::from(std::process::id());
    let mut core = Core {
        caps,
        bridges: Bridges::default(),
        datapaths: crate::datapath::Datapaths::new(xlate_tx),
        ofprotos: BTreeMap::new(),
        xstate: SnapshotState::default(),
        publish_cost: Duration::ZERO,
        next_publish: Instant::now(),
        links: Vec::new(),
        xlate_rx,
        coverage: ovs_coverage::Coverage::new(coverage_counters()),
        sessions: HashMap::new(),
        services: HashMap::new(),
        macs: DummyMacs::default(),
        rundir: paths.rundir.clone(),
        exiting: false,
        committed: None,
        txn_in_flight: false,
        seed: seed | 1,
        controller_status: HashMap::new(),
        last_cfg: None,
        stats_in_flight: false,
    };

    if let Some(d) = detached {
        d.notify_ready();
    }
    info!(target: "vswitchd", "{PROGRAM} (ovs-rs) {} started", env!("CARGO_PKG_VERSION"));

    let mut tick = tokio::time::interval(Duration::from_millis(250));
    // OVS refreshes statistics and controller status every 5 s.
    let mut stats_tick = tokio::time::interval(Duration::from_secs(5));
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    let mut reconfigure_needed = true;
    loop {
        if reconfigure_needed {
            reconfigure_needed = false;
            let replica = idl.snapshot();
            if let Some(cfg) = dbconfig::read(&replica) {
                reconfigure(&mut core, &hub, &cfg, &idl, &replica, &events_tx).await;
            }
        }
        core.maybe_publish();
        let publish_at = tokio::time::Instant::from_std(core.next_publish);
        let publish_pending = core.xstate.dirty;
        tokio::select! {
            ev = core.xlate_rx.recv() => {
                if let Some(ev) = ev {
                    handle_xlate(&mut core, ev);
                }
                drain_xlate(&mut core);
            }
            _ = tokio::time::sleep_until(publish_at), if publish_pending => {}
            ev = events.recv() => {
                let Some(ev) = ev else { break };
                handle(&mut core, ev, &mut reconfigure_needed);
                for _ in 0..4096 {
                    match events.try_recv() {
                        Ok(ev) => handle(&mut core, ev, &mut reconfigure_needed),
                        Err(_) => break,
                    }
                }
            }
            r = replica_changes.changed() => {
                if r.is_err() { break; }
                reconfigure_needed = true;
            }
            _ = tick.tick() => {
                let now = core.now_ms();
                let mut outputs = Vec::new();
                let mut expired = Vec::new();
                for (name, ofproto) in core.ofprotos.iter_mut() {
                    let before = ofproto.n_flows();
                    outputs.extend(ofproto.run(now));
                    if ofproto.n_flows() != before {
                        expired.push(name.clone());
                    }
                }
                for name in expired {
                    core.xstate.tables_changed(&name);
                }
                core.send(outputs);
                for mac in core.xstate.macs.values() {
                    mac.run(now);
                }
                core.coverage.run(now);
                // Links that went up or down change port liveness.
                let links = core.datapaths.links();
                if links != core.links {
                    core.links = links;
                    core.xstate.dirty = true;
                }
                for backer in core.datapaths.dps.values() {
                    backer.recirc.run();
                }
            }
            _ = stats_tick.tick() => {
                if !core.stats_in_flight && let Some(cfg) = &core.last_cfg {
                    let txn = dbconfig::controller_status_txn(
                        cfg,
                        &controller_status(&core),
                        &idl.snapshot(),
                    );
                    core.stats_in_flight = true;
                    let handle = idl.handle();
                    let events = events_tx.clone();
                    tokio::spawn(async move {
                        let _ = handle.commit(txn).await;
                        let _ = events.send(Event::StatsCommitted);
                    });
                }
            }
            _ = terminate.recv() => core.exiting = true,
            _ = interrupt.recv() => core.exiting = true,
            _ = hangup.recv() => core.exiting = true,
        }
        if core.exiting {
            break;
        }
    }
    for (_, stop) in core.services.drain() {
        let _ = stop.send(true);
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), unixctl_handle.flush()).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let _ = std::fs::remove_file(&unixctl_path);
    info!(target: "vswitchd", "exiting");
    Ok(())
}

fn handle(core: &mut Core, ev: Event, reconfigure_needed: &mut bool) {
    let now = core.now_ms();
    match ev {
        Event::Connected {
            conn,
            origin,
            peer,
            tx,
            hello_timeout,
        } => {
            let Some(ofproto) = core.ofprotos.get_mut(&origin.bridge) else {
                return;
            };
            info!(target: "connmgr", "{}<->{}: connected ({peer})", origin.bridge, origin.target);
            core.sessions.insert(
                conn,
                Session {
                    bridge: origin.bridge.clone(),
                    target: origin.target.clone(),
                    tx,
                },
            );
            let settings = ovs_ofproto::ConnSettings {
                service: origin.service,
                probe_interval: origin.probe_interval,
                hello_timeout_ms: hello_timeout.as_millis() as u64,
            };
            let out = ofproto.connect(conn, settings, now);
            core.send(out);
        }
        Event::Disconnected { conn } => {
            if let Some(s) = core.sessions.remove(&conn)
                && let Some(ofproto) = core.ofprotos.get_mut(&s.bridge)
            {
                ofproto.disconnect(conn);
            }
        }
        Event::OpenFlow { conn, msgs } => {
            let Some(s) = core.sessions.get(&conn) else {
                return;
            };
            let Some(ofproto) = core.ofprotos.get_mut(&s.bridge) else {
                return;
            };
            let mut outputs = Vec::new();
            for m in &msgs {
                outputs.extend(ofproto.handle(conn, m, now));
            }
            let packet_outs = ofproto.take_packet_outs();
            if std::mem::take(&mut ofproto.ports_changed) {
                *reconfigure_needed = true;
            }
            // Most messages change nothing translation reads, but telling
            // which do is not worth it: an unchanged table is not copied
            // again unless marked, and marking costs one copy per burst.
            let bridge = s.bridge.clone();
            core.xstate.tables_changed(&bridge);
            if !packet_outs.is_empty() {
                core.publish();
                for po in packet_outs {
                    packet_out(core, &bridge, po, &mut outputs);
                }
            }
            core.send(outputs);
        }
        Event::Unixctl(req) => {
            // Commands see every change made before them, including what
            // translation of earlier packets asked for.
            drain_xlate(core);
            if core.xstate.dirty {
                core.publish();
            }
            if matches!(
                req.command.as_str(),
                "revalidator/wait" | "revalidator/purge"
            ) {
                revalidator_command(core, req);
                return;
            }
            let view = crate::dp_appctl::View {
                datapaths: &core.datapaths,
                bridges: &core.bridges,
                cfg: core.last_cfg.as_ref(),
                ofprotos: &core.ofprotos,
                now_ms: now,
            };
            if let Some(result) = view.run(&req.command, &req.args) {
                if req.command == "netdev-dummy/set-admin-state" {
                    core.xstate.dirty = true;
                }
                let _ = req.reply.send(result);
                return;
            }
            let result = match req.command.as_str() {
                "exit" => {
                    core.exiting = true;
                    Ok(String::new())
                }
                "memory/show" => {
                    let flows: usize = core.ofprotos.values().map(|o| o.n_flows()).sum();
                    let ports: usize = core.bridges.bridges.values().map(|b| b.ifaces.len()).sum();
                    Ok(format!(
                        "handlers:1 idl-cells:0 ports:{ports} revalidators:1 rules:{flows} udpif keys:0"
                    ))
                }
                "ofproto/list" => Ok(core.ofprotos.keys().map(|n| format!("{n}\n")).collect()),
                "coverage/show" => Ok(core.coverage.show()),
                "bridge/reconnect" => Ok(String::new()),
                "netdev-dummy/receive" => {
                    // Processed before the reply, so the next command sees
                    // the packets' effects, as OVS's single main thread
                    // gives.
                    let r = crate::dummy::receive(&req.args);
                    for b in core.datapaths.dps.values() {
                        b.dp.quiesce();
                    }
                    drain_xlate(core);
                    r
                }
                other => ovs_vlog::unixctl(other, &req.args)
                    .unwrap_or_else(|| Err(format!("\"{other}\" is not a valid command"))),
            };
            let _ = req.reply.send(result);
        }
        Event::StatsCommitted => core.stats_in_flight = false,
        Event::StatusCommitted(ok) => {
            core.txn_in_flight = false;
            if !ok {
                core.committed = None;
            }
            // Whatever changed while the transaction was out gets written now.
            *reconfigure_needed = true;
        }
    }
}

/// `revalidator/wait` and `revalidator/purge`: every packet already
/// waiting in a datapath is processed first, then a full revalidation
/// pass (which sees every change published before the command) must end.
/// They block, so they run off the core task.
fn revalidator_command(core: &Core, req: UnixctlRequest) {
    let purge = req.command == "revalidator/purge";
    let backers: Vec<_> = core
        .datapaths
        .dps
        .values()
        .map(|b| (b.dp.clone(), b.udpif.clone()))
        .collect();
    tokio::task::spawn_blocking(move || {
        for (dp, udpif) in &backers {
            dp.quiesce();
            if purge {
                udpif.purge();
            } else {
                udpif.wait();
            }
        }
        let _ = req.reply.send(Ok(String::new()));
    });
}

/// Runs a packet-out through translation and the bridge's datapath.
fn packet_out(
    core: &mut Core,
    bridge: &str,
    po: ovs_ofproto::PacketOutRequest,
    outputs: &mut Vec<Output>,
) {
    let now = core.now_ms();
    let Some(br) = core.bridges.bridges.get(bridge) else {
        return;
    };
    let Some(backer) = core
        .datapaths
        .dps
        .get(crate::datapath::dp_type(&br.datapath_type))
    else {
        return;
    };
    let cfg = backer.shared.snapshot();
    let flow = crate::xlate_glue::packet_out_flow(&po);
    OFPROTO_PACKET_OUT.inc();
    crate::xlate_glue::XLATE_ACTIONS.inc();
    let mut xin = ovs_xlate::XlateIn::new(bridge, flow);
    xin.packet = Some(&po.packet);
    xin.actions = Some(&po.actions);
    xin.allow_side_effects = true;
    xin.now_ms = now;
    let out = ovs_xlate::xlate(&cfg, &xin);
    if out.error.is_some() {
        if let Some(ofproto) = core.ofprotos.get_mut(bridge) {
            outputs.extend(ofproto.packet_out_failed(&po, now));
        }
        return;
    }
    for r in &out.rules {
        r.credit(1, po.packet.len() as u64, now);
    }
    // The datapath port of the input port, if it has one; the
    // packet-out's own reserved ports have none.
    let in_port = cfg
        .bridge(bridge)
        .and_then(|b| b.port(po.in_port))
        .and_then(|p| p.odp_port)
        .unwrap_or(0xffff);
    let exec = ovs_dpif::Execute {
        packet: po.packet.clone(),
        metadata: ovs_dpif::PacketMetadata {
            in_port: ovs_dpif::OdpPort(in_port),
            flow: Flow::ZERO,
        },
        actions: out.actions.into(),
        mru: None,
    };
    use ovs_dpif::Dpif;
    if let Err(e) = backer.dp.execute(&exec) {
        warn!(target: "ofproto_dpif", "{bridge}: packet-out failed ({e})");
    }
    if !out.effects.is_empty() {
        handle_xlate(core, XlateEvent::Effects(out.effects));
    }
}

/// Handles every translation request already queued.
fn drain_xlate(core: &mut Core) {
    for _ in 0..4096 {
        match core.xlate_rx.try_recv() {
            Ok(ev) => handle_xlate(core, ev),
            Err(_) => break,
        }
    }
}

/// What translation asked for.
fn handle_xlate(core: &mut Core, ev: XlateEvent) {
    let now = core.now_ms();
    match ev {
        XlateEvent::Effects(effects) => {
            for e in effects {
                if let ovs_xlate::Effect::Learn {
                    bridge,
                    flow,
                    limit,
                } = e
                    && let Some(ofproto) = core.ofprotos.get_mut(&bridge)
                    && (limit == 0 || ovs_xlate::learn_below_limit(&ofproto.tables, &flow, limit))
                {
                    learn(ofproto, flow, now);
                    core.xstate.tables_changed(&bridge);
                }
            }
        }
        XlateEvent::PacketIn(pin) => {
            if let Some(ofproto) = core.ofprotos.get_mut(&pin.bridge) {
                let out = ofproto.packet_in(crate::xlate_glue::packet_in_request(pin), now);
                core.send(out);
            }
        }
    }
}

/// Adds a learned flow: a strict modify that adds the flow if it is new
/// (OVS's learn sends `OFPFC_MODIFY_STRICT`).
fn learn(ofproto: &mut Ofproto, flow: ovs_ofproto::NewFlow, now: u64) {
    let target = flow.matches.clone();
    let criteria = ovs_ofproto::Criteria {
        table_id: flow.table_id,
        target: &target,
        strict_priority: Some(flow.priority),
        cookie: 0,
        cookie_mask: 0,
        out_port: ovs_ofp_core::OfpPort::NONE,
        out_group: ovs_ofproto::tables::GROUP_ANY,
    };
    let mut fx = ovs_ofproto::FlowModEffects::default();
    let _ = ofproto
        .tables
        .modify(&criteria, flow, true, true, now, &mut fx);
}

/// The connection status of every active controller, by Controller row
/// UUID, as OVS's `connmgr_get_controller_info` reports it.
fn controller_status(core: &Core) -> HashMap<String, dbconfig::ControllerStatus> {
    let mut out = HashMap::new();
    let Some(cfg) = &core.last_cfg else {
        return out;
    };
    let now = Instant::now();
    for b in &cfg.bridges {
        for c in &b.controllers {
            let key = (b.name.clone(), c.target.clone());
            let Some(shared) = core.controller_status.get(&key) else {
                continue;
            };
            let Ok(st) = shared.lock().map(|s| s.clone()) else {
                continue;
            };
            let conn = st
                .conn
                .and_then(|id| core.ofprotos.get(&b.name).and_then(|o| o.conns.get(&id)));
            // An unanswered probe is rconn's IDLE state.
            let state = match conn {
                Some(c) if c.probe.is_probing() => "IDLE",
                _ => st.state,
            };
            let mut status = Vec::new();
            if let Some(e) = &st.last_error {
                status.push(("last_error".to_string(), e.clone()));
            }
            status.push(("state".to_string(), state.to_string()));
            let secs = |t: Instant| now.duration_since(t).as_secs().to_string();
            if let Some(t) = st.last_connected {
                status.push(("sec_since_connect".to_string(), secs(t)));
            }
            if let Some(t) = st.last_disconnected {
                status.push(("sec_since_disconnect".to_string(), secs(t)));
            }
            out.insert(
                c.uuid.clone(),
                dbconfig::ControllerStatus {
                    is_connected: matches!(state, "ACTIVE" | "IDLE"),
                    role: conn.map(|c| c.role_name()),
                    status,
                },
            );
        }
    }
    out
}

/// What each interface's datapath port is opened as: its type as the
/// datapath names it, and its options.
fn port_specs(
    cfg: &bridge::Config,
    caps: Capabilities,
) -> HashMap<(String, String), ovs_dpif::PortSpec> {
    use crate::netdev::Kind;
    let mut out = HashMap::new();
    for b in &cfg.bridges {
        for i in b.ports.iter().flat_map(|p| &p.interfaces) {
            let port_type = match Kind::for_type(&i.iface_type, caps) {
                Kind::Dummy if i.iface_type.starts_with("dummy") => i.iface_type.clone(),
                Kind::Dummy if i.iface_type == "internal" => "dummy-internal".to_string(),
                Kind::Dummy => "dummy".to_string(),
                Kind::Internal => "internal".to_string(),
                Kind::Tap => "tap".to_string(),
                Kind::System => "system".to_string(),
                Kind::Patch | Kind::Unknown => continue,
            };
            out.insert(
                (b.name.clone(), i.name.clone()),
                ovs_dpif::PortSpec {
                    name: i.name.clone(),
                    port_type,
                    options: i.options.clone(),
                },
            );
        }
    }
    out
}

async fn reconfigure(
    core: &mut Core,
    hub: &Hub,
    cfg: &bridge::Config,
    idl: &ovsdb_idl::Idl,
    replica: &Arc<ovsdb_idl::Replica>,
    events: &mpsc::UnboundedSender<Event>,
) {
    BRIDGE_RECONFIGURE.inc();
    // OVS's default limit is one VLAN header; 0 lifts it.
    let vlan_limit = cfg
        .other_config
        .get("vlan-limit")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1);
    ovs_packet::set_vlan_limit(vlan_limit);
    let now = core.now_ms();
    let caps = core.caps;
    let mut macs = std::mem::take(&mut core.macs);
    let mut eas: Vec<[u8; 6]> = (0..cfg.bridges.len()).map(|_| core.random_ea()).collect();
    let ofprotos = &core.ofprotos;
    let admin_down = |bridge: &str, ofport: u16| {
        ofprotos
            .get(bridge)
            .and_then(|o| o.ports.get(&ovs_ofp_core::OfpPort(ofport)))
            .is_some_and(|p| p.config & 1 != 0)
    };
    let status = core.bridges.reconfigure(
        cfg,
        caps,
        &mut macs,
        now,
        || eas.pop().unwrap_or([2, 0, 0, 0, 0, 1]),
        admin_down,
    );
    core.macs = macs;
    core.datapaths.sync(&core.bridges, &port_specs(cfg, caps));
    core.xstate
        .all_changed(core.bridges.bridges.keys().cloned());

    // Ofprotos follow the bridges.
    core.ofprotos
        .retain(|name, _| core.bridges.bridges.contains_key(name));
    let mut outputs = Vec::new();
    for (name, br) in &core.bridges.bridges {
        let ofproto = core
            .ofprotos
            .entry(name.clone())
            .or_insert_with(|| Ofproto::new(name));
        ofproto.set_datapath_id(br.dpid);
        ofproto.port_counters = Some(core.datapaths.port_counters(br));
        if let Some(bcfg) = cfg.bridges.iter().find(|b| b.name == *name) {
            for (i, table) in ofproto.tables.tables.iter_mut().enumerate() {
                let fields = u8::try_from(i)
                    .ok()
                    .and_then(|t| bcfg.flow_tables.get(&t))
                    .map_or_else(
                        || ovs_ofproto::tables::DEFAULT_PREFIX_FIELDS.to_vec(),
                        |t| t.prefix_fields(),
                    );
                table.cls.set_prefix_fields(&fields);
            }
        }
        ofproto.set_dp_desc(br.dp_desc.as_deref());
        ofproto.set_allowed_versions(&br.protocols);
        ofproto.configure(
            !br.controllers.is_empty(),
            br.fail_mode.as_deref() == Some("secure"),
            now,
        );
        let ports: Vec<PortInfo> = br
            .ifaces
            .values()
            .map(|i| PortInfo {
                port_no: ovs_ofp_core::OfpPort(i.ofport),
                name: i.name.clone(),
                hw_addr: i.netdev.mac,
                config: 0,
                queues: i.netdev.queue_ids(&br.datapath_type).to_vec(),
                custom_stats: i.netdev.custom_stats(&br.datapath_type),
            })
            .collect();
        outputs.extend(ofproto.set_ports(ports, now));
    }
    core.send(outputs);

    // Services: the management and snoop sockets, and controllers.
    // (bridge, target, service, probe interval): OVS probes its management
    // connections every 60 s.
    let mut wanted: Vec<(String, String, bool, u32)> = Vec::new();
    for (name, br) in &core.bridges.bridges {
        wanted.push((
            name.clone(),
            format!("punix:{}/{name}.mgmt", core.rundir.display()),
            true,
            60,
        ));
        for c in &br.controllers {
            wanted.push((
                name.clone(),
                c.target.clone(),
                Target::parse(&c.target, ovs_stream::OPENFLOW_PORT).is_ok_and(|t| t.is_passive()),
                c.probe_interval,
            ));
        }
    }
    core.services.retain(|key, stop| {
        let keep = wanted.iter().any(|(b, t, _, _)| (b, t) == (&key.0, &key.1));
        if !keep {
            let _ = stop.send(true);
        }
        keep
    });
    let services = &core.services;
    core.controller_status
        .retain(|key, _| services.contains_key(key));
    // Live connections follow a changed probe interval, as rconn does.
    for (conn, s) in &core.sessions {
        if let Some((.., probe)) = wanted
            .iter()
            .find(|(b, t, ..)| (b, t) == (&s.bridge, &s.target))
            && let Some(ofproto) = core.ofprotos.get_mut(&s.bridge)
        {
            ofproto.set_probe_interval(*conn, *probe);
        }
    }
    for (bridge, target, service, probe_interval) in wanted {
        let key = (bridge.clone(), target.clone());
        if core.services.contains_key(&key) {
            continue;
        }
        match Target::parse(&target, ovs_stream::OPENFLOW_PORT) {
            Ok(t) => {
                let (stop_tx, stop_rx) = watch::channel(false);
                let status = (!t.is_passive()).then(|| {
                    let st = ofconn::SharedStatus::default();
                    core.controller_status.insert(key.clone(), st.clone());
                    st
                });
                let origin = Origin {
                    bridge: bridge.clone(),
                    target: target.clone(),
                    service,
                    probe_interval,
                    status,
                };
                match ofconn::start(hub.clone(), origin, t, stop_rx).await {
                    Ok(()) => {
                        core.services.insert(key, stop_tx);
                    }
                    Err(e) => warn!(target: "connmgr", "{bridge}: {target}: listen failed: {e}"),
                }
            }
            Err(e) => warn!(target: "connmgr", "{bridge}: {e}"),
        }
    }

    core.last_cfg = Some(cfg.clone());

    // Status back to the database, once per distinct content.
    let txn = dbconfig::status_txn(cfg, &status, caps, replica);
    let fingerprint = (cfg.next_cfg, format!("{status:?}"));
    if core.committed.as_ref() != Some(&fingerprint) && !core.txn_in_flight {
        core.committed = Some(fingerprint);
        core.txn_in_flight = true;
        let handle = idl.handle();
        let events = events.clone();
        tokio::spawn(async move {
            let ok = handle.commit(txn).await.is_ok();
            let _ = events.send(Event::StatusCommitted(ok));
        });
    }
}
