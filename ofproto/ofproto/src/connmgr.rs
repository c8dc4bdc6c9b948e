//! The OpenFlow side of a switch: version negotiation, then one handler per
//! message (OVS's `vconn` hello exchange plus `ofproto.c`'s
//! `handle_openflow__`). Everything is a reply computed from state; the
//! daemon moves the bytes.

use ovs_ofp_core::{OfpErr, OfpPort, Version};
use ovs_ofp_msgs::{
    self as msgs, AsyncConfig, DescStats, EncodeOptions, FlowFormat, FlowUpdate, FlowUpdateEvent,
    FlowUpdateFull, Hello, Message, MpReply, MpRequest, MultipartReply, MultipartRequest, PhyPort,
    Role, RoleMsg, SwitchConfig, SwitchFeatures, TableStats,
};

use crate::ofproto::{Bundle, Conn, ConnId, ConnSettings, Ofproto, Output, PortInfo};
use crate::probe::Probe;

/// Why a failed negotiation ends a connection (`EPROTO`).
const PROTOCOL_ERROR: &str = "Protocol error";
/// The reasons OpenFlow 1.4 split out of `OFPR_ACTION` (action set, group,
/// packet-out).
const OFPR14_ACTION_BITS: u32 = (1 << msgs::packet::reason::ACTION_SET)
    | (1 << msgs::packet::reason::GROUP)
    | (1 << msgs::packet::reason::PACKET_OUT);
/// `OFP_DEFAULT_MISS_SEND_LEN`.
const DEFAULT_MISS_SEND_LEN: u16 = 128;
use crate::tables::{FlowModEffects, N_TABLES, N_VISIBLE_TABLES};
use ovs_ofp_msgs::connection::oam;
use ovs_ofp_msgs::util::OFPQ_ALL;

/// OVS 3.1's description strings.
const MFR_DESC: &str = "Nicira, Inc.";
const HW_DESC: &str = "Open vSwitch";
const SW_DESC: &str = "3.1.0";

/// OpenFlow 1.0's action bitmap: OVS supports all twelve.
const OF10_ACTIONS: u32 = 0xfff;

fn version_list(bitmap: u32) -> String {
    // OVS's version_bitmap_to_string(): "version 0x04", "versions 0x01, 0x04",
    // "version 0x06 and earlier".
    let versions: Vec<u32> = (0..32).filter(|b| bitmap & (1 << b) != 0).collect();
    match versions.as_slice() {
        [] => "no versions".to_string(),
        [one] => format!("version 0x{one:02x}"),
        all if all.len() > 1 && all.iter().copied().eq(1..=all[all.len() - 1]) => {
            format!("version 0x{:02x} and earlier", all[all.len() - 1])
        }
        all => format!(
            "versions {}",
            all.iter()
                .map(|v| format!("0x{v:02x}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn highest(bitmap: u32) -> u8 {
    (31 - bitmap.leading_zeros()) as u8
}

impl Ofproto {
    /// A new connection: OVS sends its hello first.
    /// A new connection, which gets the switch's hello.
    pub fn connect(&mut self, conn: ConnId, settings: ConnSettings, now: u64) -> Vec<Output> {
        let mut c = Conn::new(settings.service, Probe::new(settings.probe_interval, now));
        c.hello_by = (settings.hello_timeout_ms > 0).then(|| now + settings.hello_timeout_ms);
        c.connected_at = now;
        self.conns.insert(conn, c);
        let version = highest(self.allowed_versions);
        let hello = Message::Hello(Hello {
            versions: self.allowed_versions,
        });
        let v = Version::from_wire(version).unwrap_or(Version::Of15);
        match msgs::encode(v, 0, &hello) {
            Ok(bytes) => vec![Output::Send(conn, bytes)],
            Err(_) => vec![Output::Close(conn, PROTOCOL_ERROR)],
        }
    }

    /// The connection's inactivity probe interval changed (seconds, 0 for
    /// none).
    pub fn set_probe_interval(&mut self, conn: ConnId, probe_interval: u32) {
        if let Some(c) = self.conns.get_mut(&conn) {
            c.probe.set_interval(probe_interval);
        }
    }

    pub fn disconnect(&mut self, conn: ConnId) {
        self.conns.remove(&conn);
    }

    /// One whole OpenFlow message from `conn`.
    pub fn handle(&mut self, conn: ConnId, msg: &[u8], now: u64) -> Vec<Output> {
        let out = self.handle_one(conn, msg, now);
        self.mark_sent(&out, now);
        out
    }

    fn handle_one(&mut self, conn: ConnId, msg: &[u8], now: u64) -> Vec<Output> {
        self.note_received(conn, msg, now);
        let Some(c) = self.conns.get_mut(&conn) else {
            return Vec::new();
        };
        c.probe.activity(now);
        let mut out = Vec::new();
        let Some(version) = c.version else {
            self.handle_hello(conn, msg, &mut out);
            return out;
        };
        let opts = msgs::DecodeOptions {
            flow_mod_table_id: c.flow_mod_table_id,
            tlv: Some(&self.tlv),
        };
        let wire_version = msg.first().copied().unwrap_or(0);
        let (header, message) = match msgs::decode_with(msg, &opts) {
            Ok(x) => x,
            Err(e) => {
                if let Some(reply) = e.reply(msg) {
                    out.push(Output::Send(conn, reply));
                }
                return out;
            }
        };
        if wire_version != version.wire()
            && !matches!(
                message,
                Message::Hello(_)
                    | Message::Error(_)
                    | Message::EchoRequest(_)
                    | Message::EchoReply(_)
            )
        {
            out.push(Output::Send(
                conn,
                msgs::encode_error(wire_version, header.xid, OfpErr::OfpbrcBadVersion, msg),
            ));
            return out;
        }
        let xid = header.xid;
        match self.dispatch(conn, version, xid, message, msg, now, &mut out) {
            Ok(()) => {}
            Err(err) => out.push(Output::Send(
                conn,
                msgs::encode_error(version.wire(), xid, err, msg),
            )),
        }
        out
    }

    fn handle_hello(&mut self, conn: ConnId, msg: &[u8], out: &mut Vec<Output>) {
        match msgs::decode(msg) {
            Ok((_, Message::Hello(h))) => {
                let common = h.versions & self.allowed_versions;
                if common == 0 {
                    let text = format!(
                        "We support {}, you support {}, no common versions.",
                        version_list(self.allowed_versions),
                        version_list(h.versions)
                    );
                    let v = highest(h.versions);
                    out.push(Output::Send(
                        conn,
                        msgs::encode_error(v, 0, OfpErr::OfphfcIncompatible, text.as_bytes()),
                    ));
                    out.push(Output::Close(conn, PROTOCOL_ERROR));
                } else if let Some(c) = self.conns.get_mut(&conn) {
                    c.version = Version::from_wire(highest(common));
                }
            }
            // Anything else before the hello ends the connection, as in OVS.
            _ => out.push(Output::Close(conn, PROTOCOL_ERROR)),
        }
    }

    fn send(&self, conn: ConnId, version: Version, xid: u32, m: &Message, out: &mut Vec<Output>) {
        let opts = EncodeOptions {
            flow_mod_table_id: false,
            tlv: Some(&self.tlv),
        };
        match msgs::encode_all(version, xid, m, &opts) {
            Ok(parts) => out.extend(parts.into_iter().map(|p| Output::Send(conn, p))),
            Err(e) => {
                // Only an entry too large for any message gets here; OVS
                // drops such replies too.
                let _ = e;
            }
        }
    }

    /// A flow statistics reply, encoded flow by flow as the tables are
    /// walked.
    fn send_flow_stats(
        &self,
        conn: ConnId,
        version: Version,
        xid: u32,
        req: &msgs::FlowStatsRequest,
        now: u64,
        out: &mut Vec<Output>,
    ) -> Result<(), OfpErr> {
        let template = Message::MultipartReply(MultipartReply {
            flags: 0,
            body: MpReply::Flow {
                nx: req.nx,
                stats: Vec::new(),
            },
        });
        let Ok(mut enc) = msgs::MultipartEncoder::new(version, xid, &template) else {
            return Ok(());
        };
        self.visit_flow_stats(req, now, |s| {
            enc.push_flow_stats(s, req.nx, Some(&self.tlv))
        })?;
        // Only an invalid encoding gets an error here; OVS drops such
        // replies too.
        if let Ok(parts) = enc.finish() {
            out.extend(parts.into_iter().map(|p| Output::Send(conn, p)));
        }
        Ok(())
    }

    fn reject_secondary(&self, conn: ConnId) -> Result<(), OfpErr> {
        match self.conns.get(&conn) {
            Some(c) if c.role == Role::Secondary => Err(OfpErr::OfpbrcIsSecondary),
            _ => Ok(()),
        }
    }

    fn phy_ports(&self) -> Vec<PhyPort> {
        self.ports
            .values()
            .map(|p| PhyPort {
                port_no: p.port_no,
                hw_addr: p.hw_addr,
                name: p.name.chars().take(15).collect(),
                config: p.config,
                // A port taken down has no link; otherwise it is up and
                // usable, which OpenFlow 1.1+ calls LIVE.
                state: if p.config & msgs::port::config::PORT_DOWN != 0 {
                    msgs::port::state::LINK_DOWN
                } else {
                    msgs::port::state::LIVE
                },
                curr: 0,
                advertised: 0,
                supported: 0,
                peer: 0,
                curr_speed: 0,
                max_speed: 0,
            })
            .collect()
    }

    #[allow(clippy::too_many_arguments)]
    fn dispatch(
        &mut self,
        conn: ConnId,
        version: Version,
        xid: u32,
        message: Message,
        raw: &[u8],
        now: u64,
        out: &mut Vec<Output>,
    ) -> Result<(), OfpErr> {
        match message {
            Message::Hello(_) | Message::EchoReply(_) | Message::Error(_) => {}
            Message::EchoRequest(data) => {
                self.send(conn, version, xid, &Message::EchoReply(data), out)
            }
            Message::FeaturesRequest => {
                use msgs::switch::capabilities as cap;
                let features = SwitchFeatures {
                    datapath_id: self.datapath_id,
                    n_buffers: 0,
                    n_tables: N_VISIBLE_TABLES,
                    auxiliary_id: 0,
                    capabilities: cap::FLOW_STATS
                        | cap::TABLE_STATS
                        | cap::PORT_STATS
                        | cap::QUEUE_STATS
                        | cap::ARP_MATCH_IP
                        | cap::GROUP_STATS
                        | cap::BUNDLES,
                    actions: OF10_ACTIONS,
                    ports: if version <= Version::Of12 {
                        self.phy_ports()
                    } else {
                        Vec::new()
                    },
                };
                self.send(conn, version, xid, &Message::FeaturesReply(features), out);
            }
            Message::GetConfigRequest => {
                // Fragment handling belongs to the switch; miss_send_len to
                // the connection (as in OVS).
                let miss_send_len = self.conns.get(&conn).map_or(0, |c| c.config.miss_send_len);
                let c = SwitchConfig {
                    flags: self.frag_flags,
                    miss_send_len,
                };
                self.send(conn, version, xid, &Message::GetConfigReply(c), out);
            }
            Message::SetConfig(cfg) => {
                // ofproto-dpif cannot reassemble fragments (OFPC_FRAG_REASM):
                // that mode is refused with only a log line, as in OVS.
                const FRAG_MASK: u16 = 3;
                const FRAG_REASM: u16 = 2;
                if cfg.flags & FRAG_MASK != FRAG_REASM {
                    self.frag_flags = (self.frag_flags & !FRAG_MASK) | (cfg.flags & FRAG_MASK);
                } else {
                    tracing::warn!(target: "ofproto", "{}: unsupported fragment handling mode reassemble", self.name);
                }
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.config = SwitchConfig {
                        flags: cfg.flags,
                        miss_send_len: cfg.miss_send_len,
                    };
                }
            }
            Message::BarrierRequest => self.send(conn, version, xid, &Message::BarrierReply, out),
            Message::SetFlowFormat(f) => {
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.flow_format = f;
                }
            }
            Message::FlowModTableId(on) => {
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.flow_mod_table_id = on;
                }
            }
            Message::SetPacketInFormat(f) => {
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.packet_in_format = f;
                }
            }
            Message::SetControllerId(id) => {
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.controller_id = id;
                }
            }
            Message::FlowAge => {}
            Message::RoleRequest(req) => self.role_request(conn, version, xid, req, out)?,
            Message::GetAsyncRequest => {
                let cfg = self.conns.get(&conn).map_or_else(
                    || AsyncConfig::default_for(version),
                    |c| c.async_config_or_default(),
                );
                self.send(conn, version, xid, &Message::GetAsyncReply(cfg), out);
            }
            Message::SetAsync(sa) => {
                if let Some(c) = self.conns.get_mut(&conn) {
                    let mut config = sa.config.apply(&c.async_config_or_default());
                    // Before OpenFlow 1.4 the reasons 1.4 split out of
                    // OFPR_ACTION travel as OFPR_ACTION, so asking for it
                    // asks for them too (OVS's ofconn_set_async_config).
                    if version < Version::Of14 {
                        for masks in [&mut config.primary, &mut config.secondary] {
                            if let Some(m) = masks[oam::PACKET_IN].as_mut()
                                && *m & (1 << msgs::packet::reason::ACTION) != 0
                            {
                                *m |= OFPR14_ACTION_BITS;
                            }
                        }
                    }
                    c.async_config = Some(config);
                    // A service connection that configures asynchronous
                    // messages wants them.
                    if c.service && c.config.miss_send_len == 0 {
                        c.config.miss_send_len = DEFAULT_MISS_SEND_LEN;
                    }
                }
            }
            Message::FlowMod(fm) => {
                self.reject_secondary(conn)?;
                let fx = self.flow_mod(&fm, version, now)?;
                self.after_flow_mod(fx, Some((conn, xid)), now, out);
            }
            Message::GroupMod(gm) => {
                self.reject_secondary(conn)?;
                let fx = self.group_mod(&gm, now)?;
                self.after_flow_mod(fx, Some((conn, xid)), now, out);
            }
            Message::MeterMod(mm) => {
                self.reject_secondary(conn)?;
                let fx = self.meter_mod(&mm, now)?;
                self.after_flow_mod(fx, Some((conn, xid)), now, out);
            }
            Message::PortMod(pm) => {
                self.reject_secondary(conn)?;
                self.port_mod(&pm)?;
            }
            Message::TableMod(tm) => {
                self.reject_secondary(conn)?;
                self.tables.table_mod(&tm)?;
            }
            Message::PacketOut(po) => {
                self.reject_secondary(conn)?;
                let actions = self.check_packet_out(&po, version)?;
                self.check_references(&actions)?;
                self.queue_packet_out((conn, xid, version), raw.to_vec(), po, actions);
            }
            Message::MultipartRequest(req) => self.multipart(conn, version, xid, req, now, out)?,
            Message::BundleControl(ctrl) => {
                self.reject_secondary(conn)?;
                self.bundle_control(conn, version, xid, ctrl, now, out)?;
            }
            Message::BundleAdd(add) => {
                self.reject_secondary(conn)?;
                self.bundle_add(conn, version, xid, add)?;
            }
            Message::FlowMonitorCancel(id) => {
                let known = self
                    .conns
                    .get_mut(&conn)
                    .is_some_and(|c| c.monitors.remove(&id).is_some());
                if !known {
                    return Err(OfpErr::OfpmofcUnknownMonitor);
                }
            }
            Message::QueueGetConfigRequest(req) => {
                let queues = self.queue_configs(req.port, req.queue)?;
                self.send(
                    conn,
                    version,
                    xid,
                    &Message::QueueGetConfigReply {
                        port: req.port,
                        queues,
                    },
                    out,
                );
            }
            Message::TlvTableMod(ttm) => {
                self.reject_secondary(conn)?;
                self.tlv_table_mod(&ttm)?;
            }
            Message::TlvTableRequest => self.send(
                conn,
                version,
                xid,
                &Message::TlvTableReply(crate::tlv::tlv_table_reply(&self.tlv)),
                out,
            ),
            _ => return Err(OfpErr::OfpbrcBadType),
        }
        Ok(())
    }

    fn bundle_control(
        &mut self,
        conn: ConnId,
        version: Version,
        xid: u32,
        ctrl: msgs::BundleCtrl,
        now: u64,
        out: &mut Vec<Output>,
    ) -> Result<(), OfpErr> {
        use msgs::bundle::bundle_ctrl_type as t;
        let Some(c) = self.conns.get_mut(&conn) else {
            return Ok(());
        };
        let id = ctrl.bundle_id;
        let reply_type = match ctrl.ctrl_type {
            t::OPEN_REQUEST => {
                if c.bundles.remove(&id).is_some() {
                    return Err(OfpErr::OfpbfcBadId);
                }
                c.bundles.insert(
                    id,
                    Bundle {
                        flags: ctrl.flags,
                        closed: false,
                        msgs: Vec::new(),
                    },
                );
                t::OPEN_REPLY
            }
            t::CLOSE_REQUEST => {
                let Some(b) = c.bundles.get_mut(&id) else {
                    return Err(OfpErr::OfpbfcBadId);
                };
                if b.closed {
                    c.bundles.remove(&id);
                    return Err(OfpErr::OfpbfcBundleClosed);
                }
                if b.flags != ctrl.flags {
                    c.bundles.remove(&id);
                    return Err(OfpErr::OfpbfcBadFlags);
                }
                b.closed = true;
                t::CLOSE_REPLY
            }
            t::DISCARD_REQUEST => {
                if c.bundles.remove(&id).is_none() {
                    return Err(OfpErr::OfpbfcBadId);
                }
                t::DISCARD_REPLY
            }
            t::COMMIT_REQUEST => {
                let Some(b) = c.bundles.remove(&id) else {
                    return Err(OfpErr::OfpbfcBadId);
                };
                if b.flags != ctrl.flags {
                    return Err(OfpErr::OfpbfcBadFlags);
                }
                self.bundle_commit(conn, version, b, now, out)?;
                t::COMMIT_REPLY
            }
            _ => return Err(OfpErr::OfpbfcBadType),
        };
        let reply = msgs::BundleCtrl {
            bundle_id: id,
            ctrl_type: reply_type,
            flags: 0,
        };
        self.send(conn, version, xid, &Message::BundleControl(reply), out);
        Ok(())
    }

    fn bundle_add(
        &mut self,
        conn: ConnId,
        version: Version,
        xid: u32,
        add: msgs::BundleAdd,
    ) -> Result<(), OfpErr> {
        // What the switch checks when the message is added, before commit.
        if let Message::PacketOut(po) = add.message.as_ref() {
            self.check_packet_out(po, version)?;
        }
        if let Message::FlowMod(fm) = add.message.as_ref() {
            let mut actions = fm.actions.clone();
            ovs_ofp_actions::check_actions_with(
                &mut actions,
                &fm.match_,
                &ovs_ofp_actions::CheckParams {
                    max_ports: crate::flows::MAX_PORTS,
                    table_id: fm.table_id,
                    n_tables: N_TABLES,
                    version,
                    tlv: Some((&self.tlv).into()),
                },
            )?;
        }
        let Some(c) = self.conns.get_mut(&conn) else {
            return Ok(());
        };
        let id = add.bundle_id;
        match c.bundles.get_mut(&id) {
            None => {
                c.bundles.insert(
                    id,
                    Bundle {
                        flags: add.flags,
                        closed: false,
                        msgs: vec![(xid, *add.message)],
                    },
                );
            }
            Some(b) if b.closed => {
                c.bundles.remove(&id);
                return Err(OfpErr::OfpbfcBundleClosed);
            }
            Some(b) if b.flags != add.flags => {
                c.bundles.remove(&id);
                return Err(OfpErr::OfpbfcBadFlags);
            }
            Some(b) => b.msgs.push((xid, *add.message)),
        }
        Ok(())
    }

    /// Applies a bundle all or nothing: on the first failure the switch
    /// goes back to how it was, the failing message gets its own error, and
    /// the commit fails with `OFPBFC_MSG_FAILED`, as in OVS.
    fn bundle_commit(
        &mut self,
        conn: ConnId,
        version: Version,
        b: Bundle,
        now: u64,
        out: &mut Vec<Output>,
    ) -> Result<(), OfpErr> {
        let atomic = b.flags & msgs::bundle::bundle_flags::ATOMIC != 0;
        let saved = (
            self.tables.clone(),
            self.groups.clone(),
            self.meters.clone(),
            self.meter_order.clone(),
        );
        let mut effects = Vec::new();
        let mut packet_outs = Vec::new();
        for (xid, m) in &b.msgs {
            let r = match m {
                Message::FlowMod(fm) => self.flow_mod(fm, version, now),
                Message::GroupMod(gm) => self.group_mod(gm, now),
                Message::PortMod(pm) if atomic => {
                    let _ = pm;
                    Err(OfpErr::OfpbfcMsgFailed)
                }
                Message::PortMod(pm) => self.port_mod(pm).map(|()| FlowModEffects::default()),
                Message::PacketOut(po) => self.check_packet_out(po, version).and_then(|actions| {
                    self.check_references(&actions)?;
                    packet_outs.push((*xid, po.clone(), actions));
                    Ok(FlowModEffects::default())
                }),
                _ => Err(OfpErr::OfpbfcMsgUnsup),
            };
            match r {
                Ok(fx) => effects.push((fx, *xid)),
                Err(e) => {
                    (self.tables, self.groups, self.meters, self.meter_order) = saved;
                    let data = msgs::encode(version, *xid, m).unwrap_or_default();
                    out.push(Output::Send(
                        conn,
                        msgs::encode_error(version.wire(), *xid, e, &data),
                    ));
                    return Err(OfpErr::OfpbfcMsgFailed);
                }
            }
        }
        for (fx, xid) in effects {
            self.after_flow_mod(fx, Some((conn, xid)), now, out);
        }
        // A bundled packet-out's error would name the message it came in,
        // so the request is what that message encodes to.
        for (xid, po, actions) in packet_outs {
            let request =
                msgs::encode(version, xid, &Message::PacketOut(po.clone())).unwrap_or_default();
            self.queue_packet_out((conn, xid, version), request, po, actions);
        }
        Ok(())
    }

    fn role_request(
        &mut self,
        conn: ConnId,
        version: Version,
        xid: u32,
        req: RoleMsg,
        out: &mut Vec<Output>,
    ) -> Result<(), OfpErr> {
        let Some(c) = self.conns.get(&conn) else {
            return Ok(());
        };
        if c.service {
            // OVS: "role request on a service connection" is not allowed.
            return Err(OfpErr::OfprrfcBadRole);
        }
        if req.role != Role::NoChange {
            if let Some(g) = req.generation_id
                && matches!(req.role, Role::Primary | Role::Secondary)
            {
                if let Some(cur) = self.generation_id
                    && (g.wrapping_sub(cur) as i64) < 0
                {
                    return Err(OfpErr::OfprrfcStale);
                }
                self.generation_id = Some(g);
            }
            if req.role == Role::Primary {
                for other in self.conns.values_mut() {
                    if other.role == Role::Primary {
                        other.role = Role::Secondary;
                    }
                }
            }
            if let Some(c) = self.conns.get_mut(&conn) {
                c.role = req.role;
            }
        }
        let role = self.conns.get(&conn).map(|c| c.role).unwrap_or(Role::Equal);
        let reply = RoleMsg {
            role,
            generation_id: if req.nx {
                None
            } else {
                self.generation_id.or(Some(u64::MAX))
            },
            nx: req.nx,
        };
        self.send(conn, version, xid, &Message::RoleReply(reply), out);
        Ok(())
    }

    pub(crate) fn port_mod(&mut self, pm: &msgs::PortMod) -> Result<(), OfpErr> {
        match self.ports.get_mut(&pm.port_no) {
            None => Err(OfpErr::OfppmfcBadPort),
            Some(p) if p.hw_addr != pm.hw_addr => Err(OfpErr::OfppmfcBadHwAddr),
            Some(p) => {
                let config = (p.config & !pm.mask) | (pm.config & pm.mask);
                if config != p.config {
                    p.config = config;
                    self.ports_changed = true;
                }
                Ok(())
            }
        }
    }

    fn after_flow_mod(
        &mut self,
        fx: FlowModEffects,
        origin: Option<(ConnId, u32)>,
        now: u64,
        out: &mut Vec<Output>,
    ) {
        for r in &fx.removed {
            if let Some(fr) = Ofproto::flow_removed(r, now) {
                self.send_async_flow_removed(&fr, out);
            }
        }
        if fx.track {
            let mut changes = fx.changes;
            for r in fx.removed {
                changes.push(crate::tables::FlowChange {
                    event: FlowUpdateEvent::Removed,
                    table_id: r.table_id,
                    matches: r.matches,
                    priority: r.priority,
                    rule: r.rule,
                    reason: r.reason.wire(),
                    old_actions: None,
                });
            }
            self.report_to_monitors(&changes, origin, out);
        }
    }

    /// OVS's ofmonitor_report(): each connection gets, per change its
    /// monitors select, a full update, or (for its own change, unless it
    /// asked for them) one abbreviated update naming the request.
    fn report_to_monitors(
        &self,
        changes: &[crate::tables::FlowChange],
        origin: Option<(ConnId, u32)>,
        out: &mut Vec<Output>,
    ) {
        use ovs_ofp_msgs::monitor::monitor_flags as mf;
        for (id, c) in &self.conns {
            let Some(version) = c.version else { continue };
            if c.monitors.is_empty() {
                continue;
            }
            let mut updates = Vec::new();
            let mut sent_abbrev = false;
            for ch in changes {
                let wanted = match ch.event {
                    FlowUpdateEvent::Added | FlowUpdateEvent::Initial => mf::ADD,
                    FlowUpdateEvent::Removed => mf::REMOVED,
                    FlowUpdateEvent::Modified => mf::MODIFY,
                };
                let mut flags = 0;
                for m in c.monitors.values() {
                    let port_ok = m.out_port == OfpPort::NONE
                        || crate::actions::outputs_to_port(&ch.rule.actions, m.out_port)
                        || ch
                            .old_actions
                            .as_ref()
                            .is_some_and(|a| crate::actions::outputs_to_port(a, m.out_port));
                    let group_ok = m.out_group == crate::tables::GROUP_ANY
                        || crate::actions::outputs_to_group(&ch.rule.actions, m.out_group);
                    if m.flags & wanted != 0
                        && (m.table_id == 0xff || m.table_id == ch.table_id)
                        && port_ok
                        && group_ok
                        && is_loose_match(&ch.matches, &m.match_)
                    {
                        flags |= m.flags;
                    }
                }
                if flags == 0 {
                    continue;
                }
                let own = origin.is_some_and(|(o, _)| o == *id);
                if flags & mf::ONLY_OWN != 0 || !own {
                    updates.push(full_update(ch, flags & mf::INSTRUCTIONS != 0));
                } else if !sent_abbrev {
                    sent_abbrev = true;
                    updates.push(FlowUpdate::Abbrev {
                        xid: origin.map_or(0, |(_, x)| x),
                    });
                }
            }
            if !updates.is_empty() {
                let m = Message::MultipartReply(MultipartReply {
                    flags: 0,
                    body: MpReply::FlowMonitor(updates),
                });
                self.send(*id, version, 0, &m, out);
            }
        }
    }

    fn flow_monitor_request(
        &mut self,
        conn: ConnId,
        reqs: Vec<msgs::FlowMonitorRequest>,
        now: u64,
    ) -> Result<Vec<FlowUpdate>, OfpErr> {
        use ovs_ofp_msgs::monitor::{monitor_command as cmd, monitor_flags as mf};
        let _ = now;
        let mut updates = Vec::new();
        for req in reqs {
            let Some(c) = self.conns.get_mut(&conn) else {
                return Ok(updates);
            };
            match req.command {
                cmd::DELETE => {
                    if c.monitors.remove(&req.id).is_none() {
                        return Err(OfpErr::OfpmofcUnknownMonitor);
                    }
                    continue;
                }
                cmd::MODIFY => {
                    if !c.monitors.contains_key(&req.id) {
                        return Err(OfpErr::OfpmofcUnknownMonitor);
                    }
                }
                _ => {
                    if c.monitors.contains_key(&req.id) {
                        return Err(OfpErr::OfpmofcMonitorExists);
                    }
                }
            }
            c.monitors.insert(req.id, req.clone());
            if req.flags & mf::INITIAL != 0 {
                let target = req.match_.clone();
                let criteria = crate::tables::Criteria {
                    table_id: req.table_id,
                    target: &target,
                    strict_priority: None,
                    cookie: 0,
                    cookie_mask: 0,
                    out_port: req.out_port,
                    out_group: req.out_group,
                };
                let with_actions = req.flags & mf::INSTRUCTIONS != 0;
                self.tables
                    .visit(&criteria, |table_id, view, priority, rule| {
                        let ch = crate::tables::FlowChange {
                            event: FlowUpdateEvent::Initial,
                            table_id,
                            matches: view.to_match(),
                            priority,
                            rule: rule.clone(),
                            reason: 0,
                            old_actions: None,
                        };
                        updates.push(full_update(&ch, with_actions));
                    })?;
            }
        }
        Ok(updates)
    }

    /// Sends a flow_removed to every connection whose asynchronous
    /// configuration asks for its reason (OVS's
    /// `connmgr_send_flow_removed`).
    pub(crate) fn send_async_flow_removed(&self, fr: &msgs::FlowRemoved, out: &mut Vec<Output>) {
        let mut ids: Vec<ConnId> = self.conns.keys().copied().collect();
        ids.sort_unstable();
        for id in &ids {
            let Some(c) = self.conns.get(id) else {
                continue;
            };
            let Some(v) = c.version else { continue };
            if !c.receives_async(oam::FLOW_REMOVED, fr.reason) {
                continue;
            }
            let mut fr = fr.clone();
            fr.nx = c.flow_format == FlowFormat::Nxm && v == Version::Of10;
            self.send(*id, v, 0, &Message::FlowRemoved(fr), out);
        }
    }

    fn multipart(
        &mut self,
        conn: ConnId,
        version: Version,
        xid: u32,
        req: MultipartRequest,
        now: u64,
        out: &mut Vec<Output>,
    ) -> Result<(), OfpErr> {
        let body = match req.body {
            MpRequest::Desc => MpReply::Desc(DescStats {
                mfr_desc: MFR_DESC.into(),
                hw_desc: HW_DESC.into(),
                sw_desc: SW_DESC.into(),
                serial_num: "None".into(),
                dp_desc: self.dp_desc.as_deref().unwrap_or("None").into(),
            }),
            MpRequest::Flow(r) => return self.send_flow_stats(conn, version, xid, &r, now, out),
            MpRequest::Aggregate(r) => MpReply::Aggregate {
                nx: r.nx,
                stats: self.aggregate_stats(&r)?,
            },
            MpRequest::Table => MpReply::Table(self.table_stats(version)),
            MpRequest::TableDesc => MpReply::TableDesc(self.tables.table_descs()),
            MpRequest::QueueDesc(req) => {
                MpReply::QueueDesc(self.queue_configs(req.port, req.queue)?)
            }
            MpRequest::QueueStats(req) => MpReply::QueueStats(
                self.select_queues(req.port_no, req.queue_id)?
                    .into_iter()
                    .map(|(port_no, queue_id)| msgs::QueueStats {
                        port_no,
                        queue_id,
                        tx_bytes: u64::MAX,
                        tx_packets: u64::MAX,
                        tx_errors: u64::MAX,
                        duration_sec: u32::MAX,
                        duration_nsec: u32::MAX,
                    })
                    .collect(),
            ),
            MpRequest::TableFeatures(set) if set.is_empty() => {
                MpReply::TableFeatures(crate::features::table_features(version, N_VISIBLE_TABLES))
            }
            MpRequest::GroupFeatures => {
                MpReply::GroupFeatures(crate::features::group_features(version))
            }
            MpRequest::MeterFeatures => MpReply::MeterFeatures(crate::features::meter_features()),
            MpRequest::PortDesc { port } => MpReply::PortDesc(
                self.phy_ports()
                    .into_iter()
                    .filter(|p| port == OfpPort::NONE || p.port_no == port)
                    .collect(),
            ),
            // OVS answers a request for a port it does not have with an
            // empty reply.
            MpRequest::PortStats { port } => {
                MpReply::PortStats(
                    self.ports_in_order()
                        .into_iter()
                        .filter(|p| port == OfpPort::NONE || p.port_no == port)
                        .map(|p| {
                            let ms = now.saturating_sub(self.created);
                            msgs::PortStats {
                                port_no: p.port_no,
                                // Without a device: packets and bytes are
                                // zero and the rest unknown (all ones), as
                                // OVS's dummy ports report.
                                stats: self
                                    .port_counters
                                    .as_ref()
                                    .and_then(|c| c.counters(p.port_no))
                                    .unwrap_or(msgs::PortCounters {
                                        rx_packets: 0,
                                        tx_packets: 0,
                                        rx_bytes: 0,
                                        tx_bytes: 0,
                                        ..msgs::PortCounters::default()
                                    }),
                                custom: p.custom_stats.clone(),
                                duration_sec: (ms / 1000) as u32,
                                duration_nsec: ((ms % 1000) * 1_000_000) as u32,
                            }
                        })
                        .collect(),
                )
            }
            MpRequest::GroupStats { group_id } => {
                MpReply::GroupStats(self.group_stats(group_id, now))
            }
            MpRequest::GroupDesc { group_id } => MpReply::GroupDesc(self.group_descs(group_id)),
            MpRequest::MeterStats { meter_id } => {
                MpReply::MeterStats(self.meter_stats(meter_id, now))
            }
            MpRequest::MeterConfig { meter_id } => {
                MpReply::MeterConfig(self.meter_configs(meter_id))
            }
            MpRequest::FlowMonitor(reqs) => {
                MpReply::FlowMonitor(self.flow_monitor_request(conn, reqs, now)?)
            }
            _ => return Err(OfpErr::OfpbrcBadStat),
        };
        self.send(
            conn,
            version,
            xid,
            &Message::MultipartReply(MultipartReply { flags: 0, body }),
            out,
        );
        Ok(())
    }

    /// The queues a queue request names (OVS's queue stats and queue config
    /// handlers): every queue of a port for `OFPQ_ALL`, which no port
    /// refuses; for any port, an error only if every port refuses.
    fn select_queues(&self, port: OfpPort, queue: u32) -> Result<Vec<(OfpPort, u32)>, OfpErr> {
        let of_port = |p: &PortInfo| -> Result<Vec<(OfpPort, u32)>, OfpErr> {
            if queue == OFPQ_ALL {
                Ok(p.queues.iter().map(|&q| (p.port_no, q)).collect())
            } else if p.queues.contains(&queue) {
                Ok(vec![(p.port_no, queue)])
            } else {
                Err(OfpErr::OfpqofcBadQueue)
            }
        };
        if port != OfpPort::NONE {
            return of_port(self.ports.get(&port).ok_or(OfpErr::OfpqofcBadPort)?);
        }
        let (mut answered, mut all) = (false, Vec::new());
        for p in self.ports_in_order() {
            if let Ok(qs) = of_port(p) {
                answered = true;
                all.extend(qs);
            }
        }
        if answered {
            Ok(all)
        } else {
            Err(OfpErr::OfpqofcBadQueue)
        }
    }

    /// Queue configurations: OVS knows no queue property it could report.
    fn queue_configs(&self, port: OfpPort, queue: u32) -> Result<Vec<msgs::QueueConfig>, OfpErr> {
        Ok(self
            .select_queues(port, queue)?
            .into_iter()
            .map(|(port, queue)| msgs::QueueConfig {
                port,
                queue,
                min_rate: u16::MAX,
                max_rate: u16::MAX,
            })
            .collect())
    }

    fn table_stats(&self, version: Version) -> Vec<TableStats> {
        self.tables
            .tables
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.hidden)
            .map(|(i, t)| {
                let info = crate::features::TableInfo {
                    name: t.name.as_deref(),
                    max_flows: t.max_flows,
                    miss: t.config.miss,
                };
                crate::features::table_stats_for(
                    version,
                    i as u8,
                    N_VISIBLE_TABLES,
                    &info,
                    t.cls.len() as u32,
                    t.lookup_count,
                    t.matched_count,
                )
            })
            .collect()
    }
}

/// A rule's match is at least as specific as `target` on `target`'s mask
/// (OVS's cls_rule_is_loose_match).
fn is_loose_match(rule: &ovs_flow::Match, target: &ovs_flow::Match) -> bool {
    (0..ovs_flow::FLOW_WORDS).all(|i| {
        let tm = target.wc.word(i);
        rule.wc.word(i) & tm == tm && (rule.flow.word(i) ^ target.flow.word(i)) & tm == 0
    })
}

fn full_update(ch: &crate::tables::FlowChange, with_actions: bool) -> FlowUpdate {
    FlowUpdate::Full(Box::new(FlowUpdateFull {
        event: ch.event,
        reason: u16::from(ch.reason),
        priority: ch.priority,
        idle_timeout: ch.rule.idle_timeout,
        hard_timeout: ch.rule.hard_timeout,
        table_id: ch.table_id,
        cookie: ch.rule.cookie,
        match_: ch.matches.clone(),
        actions: if with_actions {
            ch.rule.actions.to_vec()
        } else {
            Vec::new()
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_lists_read_as_ovs_writes_them() {
        assert_eq!(version_list(0b111_1110), "version 0x06 and earlier");
        assert_eq!(version_list(1 << 4), "version 0x04");
        assert_eq!(version_list((1 << 1) | (1 << 4)), "versions 0x01, 0x04");
    }
}
