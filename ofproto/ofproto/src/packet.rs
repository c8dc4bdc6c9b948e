//! Packets crossing between the datapath and the controllers: a packet the
//! datapath sent up goes out as a packet-in to the connections that want it
//! (OVS's `connmgr_send_async_msg`), and a checked packet-out is queued for
//! the daemon to translate and execute (OVS's `handle_packet_out` up to
//! `packet_xlate`, which lives in the daemon).
//!
//! OVS 3.1 neither buffers nor truncates packet-ins: every packet-in carries
//! the whole packet with `buffer_id` `NO_BUFFER`, whatever the controller
//! action's `max_len` or the connection's `miss_send_len` says (checked
//! against `ovs-vswitchd` 3.1). `miss_send_len` only decides whether a
//! service connection gets asynchronous messages at all.

use ovs_flow::{FieldId, Match};
use ovs_ofp_actions::{Action, CheckParams, check_actions_with};
use ovs_ofp_core::{OfpErr, OfpPort, Version};
use ovs_ofp_msgs::connection::oam;
use ovs_ofp_msgs::util::NO_BUFFER;
use ovs_ofp_msgs::{self as msgs, Continuation, Message, PacketIn, PacketOut, Raw};

use crate::ofproto::{ConnId, Ofproto, Output};

/// A packet the datapath sent up for the controllers (OVS's
/// `ofproto_async_msg` for `OAM_PACKET_IN`): a `controller` action, a table
/// miss sent to the controller, or a paused pipeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PacketInRequest {
    /// The whole packet, as it was when the action ran.
    pub packet: Vec<u8>,
    /// OVS's reason, one of `ovs_ofp_msgs::packet::reason` (including the
    /// internal `EXPLICIT_MISS` and `IMPLICIT_MISS`); each connection gets
    /// it mapped for its version.
    pub reason: u8,
    pub table_id: u8,
    /// The rule's cookie; `u64::MAX` when there is none (packet-outs).
    pub cookie: u64,
    /// The pipeline fields (in_port, metadata, registers, tunnel, ...) as
    /// OVS's `flow_get_metadata` gives them.
    pub metadata: Match,
    /// `controller(userdata=...)`; only `NXT_PACKET_IN2` carries it.
    pub userdata: Vec<u8>,
    /// `controller(id=N)`: only connections with this controller ID get
    /// the packet (0 for table misses and plain `output:CONTROLLER`).
    pub controller_id: u16,
    /// For `controller(pause)`: where the pipeline stopped. Encoded for each
    /// connection's version (its actions are OpenFlow actions), and only
    /// `NXT_PACKET_IN2` carries it.
    pub continuation: Option<Continuation>,
}

/// A checked packet-out for the daemon to translate and execute (OVS's
/// `ofproto_packet_out` as `packet_xlate` receives it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PacketOutRequest {
    /// The connection that sent it, the request's xid and its version,
    /// and the request's bytes, to answer a failed translation with
    /// [`Ofproto::packet_out_failed`].
    pub conn: ConnId,
    pub xid: u32,
    pub version: Version,
    pub request: Vec<u8>,
    pub packet: Vec<u8>,
    /// The input port in OVS's 16-bit numbering: a port, or
    /// `OfpPort::CONTROLLER`, `OfpPort::LOCAL` or `OfpPort::NONE` (OpenFlow
    /// 1.1+ reserved ports are already mapped down).
    pub in_port: OfpPort,
    /// The pipeline fields the packet starts with as decoded: before
    /// OpenFlow 1.5 the input port and the Ethernet packet type, in 1.5
    /// whatever pipeline fields the request set.
    pub metadata: Match,
    /// The actions, checked and annotated as for a flow_mod.
    pub actions: Vec<Action>,
}

/// Messages that do not show that the peer accepted the switch (OVS's
/// rconn `is_admitted_msg`): the ones a controller sends before deciding.
fn is_admitted(raw: Raw) -> bool {
    !matches!(
        raw,
        Raw::OfptHello
            | Raw::OfptError
            | Raw::OfptEchoRequest
            | Raw::OfptEchoReply
            | Raw::OfptFeaturesRequest
            | Raw::Ofpt10FeaturesReply
            | Raw::Ofpt11FeaturesReply
            | Raw::Ofpt13FeaturesReply
            | Raw::OfptGetConfigRequest
            | Raw::OfptGetConfigReply
            | Raw::OfptSetConfig
            | Raw::Ofpt10QueueGetConfigRequest
            | Raw::Ofpt11QueueGetConfigRequest
            | Raw::Ofpt10QueueGetConfigReply
            | Raw::Ofpt11QueueGetConfigReply
            | Raw::Ofpt13GetAsyncRequest
            | Raw::Ofpt14GetAsyncRequest
            | Raw::Ofpt13GetAsyncReply
            | Raw::Ofpt14GetAsyncReply
            | Raw::NxstGroupRequest
            | Raw::Ofpst11GroupRequest
            | Raw::NxstGroupReply
            | Raw::Ofpst11GroupReply
            | Raw::Ofpst13GroupReply
            | Raw::NxstGroupDescRequest
            | Raw::Ofpst11GroupDescRequest
            | Raw::Ofpst15GroupDescRequest
            | Raw::NxstGroupDescReply
            | Raw::Ofpst11GroupDescReply
            | Raw::NxstGroupFeaturesRequest
            | Raw::Ofpst12GroupFeaturesRequest
            | Raw::NxstGroupFeaturesReply
            | Raw::Ofpst12GroupFeaturesReply
            | Raw::Ofpst13TableFeaturesRequest
            | Raw::Ofpst13TableFeaturesReply
            | Raw::Ofpst14TableDescRequest
            | Raw::Ofpst14TableDescReply
    )
}

/// Packet-outs the daemon has not taken yet are capped, so a daemon that
/// never drains them cannot grow without bound (it drains after every
/// `handle`, so only a bundle commit comes near).
const MAX_PENDING_PACKET_OUTS: usize = 4096;

/// A connection that has been up this long counts as admitted whatever it
/// sent (rconn's 30-second rule).
const ADMIT_AFTER_MS: u64 = 30_000;

/// The flow a packet-out's actions are checked against: the packet's own
/// headers with the request's pipeline fields (OVS's `miniflow_extract`
/// of the packet unioned into the metadata flow), matched exactly.
fn packet_out_match(po: &PacketOut) -> Match {
    let packet_type = po
        .metadata
        .get_uint(FieldId::PacketType)
        .map_or(ovs_packet::PT_ETH, |(v, _)| v as u32);
    let md = ovs_packet::Metadata {
        packet_type,
        ..ovs_packet::Metadata::default()
    };
    let mut flow = ovs_flow::Flow::ZERO;
    ovs_packet::extract(&po.packet, &md, &mut flow);
    for i in 0..ovs_flow::FLOW_WORDS {
        flow.set_word(i, flow.word(i) | po.metadata.flow.word(i));
    }
    Match {
        flow,
        wc: ovs_flow::Flow::ONES,
    }
}

impl Ofproto {
    /// Sends a packet the datapath sent up to every connection that wants
    /// it, as OVS's `connmgr_send_async_msg` does: connections that have
    /// finished the hello exchange, whose controller ID is the request's,
    /// and whose asynchronous configuration for their role lets this
    /// reason through (a service connection only once it set a nonzero
    /// `miss_send_len` or an async configuration). Each gets its own
    /// version and packet-in format, with xid 0.
    pub fn packet_in(&mut self, pin: PacketInRequest, now: u64) -> Vec<Output> {
        let mut ids: Vec<ConnId> = self.conns.keys().copied().collect();
        ids.sort_unstable();
        let total_len = u32::try_from(pin.packet.len()).unwrap_or(u32::MAX);
        let mut m = Message::PacketIn(PacketIn {
            form: msgs::PacketInFormat::Standard,
            packet: pin.packet,
            total_len,
            buffer_id: NO_BUFFER,
            reason: pin.reason,
            table_id: pin.table_id,
            cookie: pin.cookie,
            metadata: pin.metadata,
            userdata: pin.userdata,
            continuation: Vec::new(),
        });
        let mut out = Vec::new();
        for id in ids {
            let Some(c) = self.conns.get(&id) else {
                continue;
            };
            let Some(version) = c.version else { continue };
            if c.controller_id != pin.controller_id || !c.receives_async(oam::PACKET_IN, pin.reason)
            {
                continue;
            }
            if let Message::PacketIn(p) = &mut m {
                p.form = c.packet_in_format;
                p.continuation = match (&pin.continuation, c.packet_in_format) {
                    (Some(k), msgs::PacketInFormat::Nxt2) => k.encode(version),
                    _ => Vec::new(),
                };
            }
            match msgs::encode(version, 0, &m) {
                Ok(bytes) => out.push(Output::Send(id, bytes)),
                // Only a packet too long for the 16-bit length fields gets
                // here; it cannot be expressed, so that connection misses it.
                Err(e) => {
                    tracing::warn!(target: "connmgr", "{}<->{id}: cannot encode packet-in: {e:?}", self.name);
                }
            }
        }
        self.mark_sent(&out, now);
        out
    }

    /// Should a table miss send the packet to the controller (OVS's
    /// `connmgr_wants_packet_in_on_miss`)? Yes if some connection, service
    /// or controller, has controller ID 0 and speaks OpenFlow 1.0 to 1.2 or
    /// has not finished the hello exchange: OpenFlow 1.3 made table misses
    /// drop by default.
    pub fn wants_packet_in_on_miss(&self) -> bool {
        self.conns
            .values()
            .any(|c| c.controller_id == 0 && c.version.is_none_or(|v| v < Version::Of13))
    }

    /// Is the controller reachable, for `watch_port=CONTROLLER` group
    /// buckets (OVS's `ofproto_is_alive`)? The switch must have controllers
    /// configured and one controller connection (not a service) must be
    /// admitted: it sent a message only an accepting controller sends, or
    /// has been connected for 30 seconds.
    pub fn controller_alive(&self) -> bool {
        self.has_controllers() && self.conns.values().any(|c| !c.service && c.admitted)
    }

    /// Tracks rconn's admission of a connection from a message it sent.
    pub(crate) fn note_received(&mut self, conn: ConnId, msg: &[u8], now: u64) {
        if let Some(c) = self.conns.get_mut(&conn)
            && !c.admitted
            && (msgs::classify_partial(msg).is_ok_and(is_admitted)
                || now.saturating_sub(c.connected_at) >= ADMIT_AFTER_MS)
        {
            c.admitted = true;
        }
    }

    /// The packet-outs accepted since the last call, oldest first, for the
    /// daemon to translate and execute.
    pub fn take_packet_outs(&mut self) -> Vec<PacketOutRequest> {
        std::mem::take(&mut self.packet_outs)
    }

    /// Translating a packet-out failed: OVS answers the request with
    /// `OFPFMFC_UNKNOWN` ("error processing actions").
    pub fn packet_out_failed(&mut self, po: &PacketOutRequest, now: u64) -> Vec<Output> {
        if !self.conns.contains_key(&po.conn) {
            return Vec::new();
        }
        let out = vec![Output::Send(
            po.conn,
            msgs::encode_error(
                po.version.wire(),
                po.xid,
                OfpErr::OfpfmfcUnknown,
                &po.request,
            ),
        )];
        self.mark_sent(&out, now);
        out
    }

    /// OVS's `ofproto_packet_out_init`: the checks a packet-out passes
    /// when it arrives, also inside a bundle. The input port was checked
    /// when decoding (ofproto-dpif allows every port below `OFPP_MAX`).
    /// Groups and meters are checked later, by [`Ofproto::check_references`]
    /// (OVS's `ofproto_packet_out_start`).
    pub(crate) fn check_packet_out(
        &self,
        po: &PacketOut,
        version: Version,
    ) -> Result<Vec<Action>, OfpErr> {
        if po.buffer_id != NO_BUFFER {
            return Err(OfpErr::OfpbrcBufferUnknown);
        }
        let mut actions = po.actions.clone();
        check_actions_with(
            &mut actions,
            &packet_out_match(po),
            &CheckParams {
                max_ports: crate::flows::MAX_PORTS,
                table_id: 0xff,
                n_tables: crate::tables::N_TABLES,
                version,
                tlv: Some((&self.tlv).into()),
            },
        )?;
        Ok(actions)
    }

    /// Queues a checked packet-out.
    pub(crate) fn queue_packet_out(
        &mut self,
        origin: (ConnId, u32, Version),
        request: Vec<u8>,
        po: PacketOut,
        actions: Vec<Action>,
    ) {
        let (conn, xid, version) = origin;
        if self.packet_outs.len() >= MAX_PENDING_PACKET_OUTS {
            tracing::warn!(target: "ofproto", "{}: dropping packet-out: {MAX_PENDING_PACKET_OUTS} wait for execution", self.name);
            return;
        }
        self.packet_outs.push(PacketOutRequest {
            conn,
            xid,
            version,
            request,
            in_port: po.in_port(),
            packet: po.packet,
            metadata: po.metadata,
            actions,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admission_follows_rconn() {
        assert!(!is_admitted(Raw::OfptHello));
        assert!(!is_admitted(Raw::OfptFeaturesRequest));
        assert!(!is_admitted(Raw::Ofpst13TableFeaturesRequest));
        assert!(is_admitted(Raw::Ofpt11FlowMod));
        assert!(is_admitted(Raw::Ofpt11BarrierRequest));
        assert!(is_admitted(Raw::OfpstDescRequest));
    }

    #[test]
    fn packet_out_flow_is_packet_plus_metadata() {
        let mut packet = vec![0u8; 12];
        packet.extend_from_slice(&[0x08, 0x00, 0x45, 0, 0, 20, 0, 0, 0, 0, 64, 6, 0, 0]);
        packet.extend_from_slice(&[10, 0, 0, 1, 10, 0, 0, 2]);
        let mut metadata = PacketOut::metadata_for_port(OfpPort(7));
        metadata
            .set_exact(FieldId::Reg0, &5u32.to_be_bytes())
            .unwrap();
        let po = PacketOut {
            buffer_id: NO_BUFFER,
            metadata,
            actions: Vec::new(),
            packet,
        };
        let m = packet_out_match(&po);
        assert_eq!(m.get_uint(FieldId::InPort), Some((7, 0xffff)));
        assert_eq!(m.get_uint(FieldId::Reg0), Some((5, 0xffff_ffff)));
        assert_eq!(m.get_uint(FieldId::EthType), Some((0x0800, 0xffff)));
        assert_eq!(m.get_uint(FieldId::IpProto), Some((6, 0xff)));
        assert_eq!(
            m.get_uint(FieldId::Ipv4Dst),
            Some((0x0a00_0002, 0xffff_ffff))
        );
    }
}
