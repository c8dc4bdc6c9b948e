//! OpenFlow messages: one version-neutral [`Message`] type with decoders
//! and encoders for OpenFlow 1.0 to 1.5 and the Nicira and ONF extension
//! messages that Open vSwitch 3.1 speaks (OVS's `ofp-msgs` plus the
//! `ofputil_*` message codecs), as `ovs-vswitchd` must accept them from
//! `ovs-ofctl`, `ovn-controller` and os-ken and send them back.
//!
//! It promises: [`decode`] never panics on any input and, for a message OVS
//! would reject, returns the OpenFlow error OVS answers with
//! ([`DecodeError`]; [`DecodeError::reply`] and [`encode_error`] build the
//! `OFPT_ERROR` byte for byte as OVS does, checked against real
//! `ovs-vswitchd` replies); for a message OVS accepts it yields the meaning
//! OVS's decoders give it (OVS's version-independent numbering of flags,
//! ports, reasons). [`encode`] writes the bytes OVS writes for the same value
//! and version (checked against captured traffic), and refuses what a
//! version cannot carry. Where one version has several wire forms (OpenFlow
//! 1.0's `OFPST_FLOW` vs `NXST_FLOW`, `OFPT_PACKET_IN` vs
//! `NXT_PACKET_IN2`, ...) the value records which one, so a reply goes back
//! in the form of its request. Multipart replies too long for one message
//! are split by [`encode_all`]; multipart requests that span several
//! messages are put back together by [`MultipartAssembler`].
//!
//! It depends only on the flow layout, the OpenFlow foundations, and the
//! match and action codecs; it does no I/O, reads no clock, and keeps no
//! connection state: what changes decoding (the `NXT_FLOW_MOD_TABLE_ID`
//! switch) comes in through [`DecodeOptions`]/[`EncodeOptions`], and the
//! caller checks a message against the negotiated version with
//! [`check_version`]. Checks that need the switch's state (ports, tables,
//! groups, action consistency) belong to ofproto.
#![forbid(unsafe_code)]

pub mod assembler;
pub mod bundle;
pub mod connection;
pub mod error;
pub mod flow;
pub mod group;
pub mod meter;
pub mod monitor;
pub mod multipart;
pub mod nx;
pub mod packet;
pub mod port;
pub mod prop;
pub mod queue;
pub mod raw;
pub mod switch;
pub mod table;
pub mod util;

pub use assembler::MultipartAssembler;
pub use bundle::{BundleAdd, BundleCtrl};
pub use connection::{AsyncConfig, Role, RoleMsg, RoleStatus, SetAsync, SetAsyncForm};
pub use error::{DecodeError, EncodeError, ErrorCode, ErrorMsg, encode_error};
pub use flow::{
    AggregateStats, FlowMod, FlowModCommand, FlowRemoved, FlowStats, FlowStatsRequest, flow_flags,
};
pub use group::{Bucket, GroupDesc, GroupFeatures, GroupMod, GroupProps, GroupStats};
pub use meter::{MeterBand, MeterConfig, MeterFeatures, MeterMod, MeterStats};
pub use monitor::{FlowMonitorRequest, FlowUpdate, FlowUpdateEvent, FlowUpdateFull};
pub use multipart::{DescStats, MpReply, MpRequest, MultipartReply, MultipartRequest};
pub use nx::{CtFlush, FlowFormat, IpfixStats, PacketInFormat, TlvMap, TlvTableMod, TlvTableReply};
pub use packet::{Continuation, ContinuationFrame, PacketIn, PacketOut};
pub use port::{PhyPort, PortCounters, PortMod, PortStats, PortStatus};
pub use queue::{QueueConfig, QueueConfigRequest, QueueStats, QueueStatsRequest};
pub use raw::{MULTIPART_MORE, Raw, classify_partial};
pub use switch::{Hello, SwitchConfig, SwitchFeatures};
pub use table::{
    TableDesc, TableFeatureProp, TableFeatures, TableMiss, TableMod, TableSetting, TableStats,
    TableStatus, Vacancy,
};

use ovs_flow::TlvTable;
use ovs_ofp_core::{OfpErr, OfpPort, Reader, Version, Writer};

use crate::raw::{MULTIPART_FLAGS_OFFSET, classify, is_stats_reply, is_stats_request, put_header};

/// The common OpenFlow header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OfpHeader {
    pub version: u8,
    pub msg_type: u8,
    pub length: u16,
    pub xid: u32,
}

impl OfpHeader {
    /// Reads the first 8 bytes of `msg`.
    pub fn decode(msg: &[u8]) -> Option<OfpHeader> {
        let mut r = Reader::new(msg);
        Some(OfpHeader {
            version: r.u8().ok()?,
            msg_type: r.u8().ok()?,
            length: r.u16().ok()?,
            xid: r.u32().ok()?,
        })
    }
}

/// `OFPT_REQUESTFORWARD`: a group or meter change made by another
/// controller, forwarded to this one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestForward {
    /// The xid of the forwarded request.
    pub xid: u32,
    pub request: ForwardedRequest,
}

/// What a [`RequestForward`] carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ForwardedRequest {
    GroupMod(GroupMod),
    MeterMod(MeterMod),
}

/// Every OpenFlow message OVS 3.1 knows, in one version-neutral form.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Message {
    Hello(Hello),
    Error(ErrorMsg),
    EchoRequest(Vec<u8>),
    EchoReply(Vec<u8>),
    FeaturesRequest,
    FeaturesReply(SwitchFeatures),
    GetConfigRequest,
    GetConfigReply(SwitchConfig),
    SetConfig(SwitchConfig),
    PacketIn(PacketIn),
    FlowRemoved(FlowRemoved),
    PortStatus(PortStatus),
    PacketOut(PacketOut),
    FlowMod(FlowMod),
    GroupMod(GroupMod),
    PortMod(PortMod),
    TableMod(TableMod),
    BarrierRequest,
    BarrierReply,
    /// OpenFlow 1.0-1.3 (1.4+ uses [`MpRequest::QueueDesc`]).
    QueueGetConfigRequest(QueueConfigRequest),
    /// OpenFlow 1.0-1.3 (1.4+ uses [`MpReply::QueueDesc`]).
    QueueGetConfigReply {
        port: OfpPort,
        queues: Vec<QueueConfig>,
    },
    RoleRequest(RoleMsg),
    RoleReply(RoleMsg),
    GetAsyncRequest,
    GetAsyncReply(AsyncConfig),
    SetAsync(SetAsync),
    MeterMod(MeterMod),
    RoleStatus(RoleStatus),
    TableStatus(TableStatus),
    RequestForward(RequestForward),
    BundleControl(BundleCtrl),
    BundleAdd(BundleAdd),
    /// `NXT_SET_FLOW_FORMAT` (OpenFlow 1.0).
    SetFlowFormat(FlowFormat),
    /// `NXT_FLOW_MOD_TABLE_ID`: enable or disable table IDs in the command
    /// field of OpenFlow 1.0 and NXM flow mods.
    FlowModTableId(bool),
    /// `NXT_SET_PACKET_IN_FORMAT`.
    SetPacketInFormat(PacketInFormat),
    /// `NXT_FLOW_AGE`.
    FlowAge,
    /// `NXT_SET_CONTROLLER_ID`.
    SetControllerId(u16),
    TlvTableMod(TlvTableMod),
    TlvTableRequest,
    TlvTableReply(TlvTableReply),
    /// `NXT_RESUME`: a continuation coming back from the controller.
    Resume(PacketIn),
    /// `NXT_CT_FLUSH_ZONE`.
    CtFlushZone(u16),
    /// `NXT_CT_FLUSH`.
    CtFlush(CtFlush),
    /// `NXT_FLOW_MONITOR_CANCEL` / ONF 1.3 (1.4+ uses a flow monitor request
    /// with the delete command).
    FlowMonitorCancel(u32),
    /// `NXT_FLOW_MONITOR_PAUSED` / ONF 1.3.
    FlowMonitorPaused,
    /// `NXT_FLOW_MONITOR_RESUMED` / ONF 1.3.
    FlowMonitorResumed,
    MultipartRequest(MultipartRequest),
    MultipartReply(MultipartReply),
}

/// Connection and switch state that changes how messages decode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecodeOptions<'a> {
    /// `NXT_FLOW_MOD_TABLE_ID` is on: OpenFlow 1.0 and NXM flow mods carry
    /// a table ID in the command's high byte. Like OVS, this applies to
    /// OpenFlow 1.0 connections only.
    pub flow_mod_table_id: bool,
    /// The switch's TLV table, for `tun_metadata<N>` in the matches and
    /// actions of flow mods and flow statistics requests and replies (without it such
    /// fields are `NXFMFC_INVALID_TLV_FIELD` in matches and full width in
    /// actions, as in a switch with no table).
    pub tlv: Option<&'a TlvTable>,
}

/// Connection and switch state that changes how messages encode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EncodeOptions<'a> {
    /// Put the flow mod's table ID in the command's high byte of OpenFlow
    /// 1.0 and NXM flow mods (after enabling `NXT_FLOW_MOD_TABLE_ID`).
    pub flow_mod_table_id: bool,
    /// The switch's TLV table, so that flow statistics, flow removed
    /// messages and monitor updates write `tun_metadata<N>` at the widths
    /// it maps.
    pub tlv: Option<&'a TlvTable>,
}

/// Decodes one whole message (`msg` must be exactly the header's length)
/// with default options.
pub fn decode(msg: &[u8]) -> Result<(OfpHeader, Message), DecodeError> {
    decode_with(msg, &DecodeOptions::default())
}

/// Decodes one whole message.
pub fn decode_with(
    msg: &[u8],
    opts: &DecodeOptions<'_>,
) -> Result<(OfpHeader, Message), DecodeError> {
    let header = OfpHeader::decode(msg);
    let fail = |e: OfpErr| DecodeError::new(e, header);
    let Some(h) = header else {
        return Err(fail(OfpErr::OfpbrcBadLen));
    };
    if usize::from(h.length) != msg.len() {
        return Err(fail(OfpErr::OfpbrcBadLen));
    }
    let version = Version::from_wire(h.version);
    let (raw, hdrs_len) = match classify(msg) {
        Ok(x) => x,
        Err(e) => {
            return Err(fail(if version.is_none() {
                OfpErr::OfpbrcBadVersion
            } else {
                e
            }));
        }
    };
    let mut r = Reader::new(&msg[hdrs_len..]);
    let m = match version {
        Some(v) => decode_body(raw, v, h.version, msg, &mut r, opts),
        // Only hello, error and echo exist in every version number.
        None => decode_any_version(raw, h.version, &mut r),
    }
    .map_err(fail)?;
    Ok((h, m))
}

/// Checks a received message against the connection's negotiated version,
/// as OVS's `vconn_recv` does: a message of another version is answered
/// with `OFPBRC_BAD_VERSION` (and dropped) unless it is a well-formed hello,
/// error or echo.
pub fn check_version(negotiated: Version, msg: &[u8]) -> Result<(), DecodeError> {
    let header = OfpHeader::decode(msg);
    let Some(h) = header else {
        return Err(DecodeError::new(OfpErr::OfpbrcBadLen, None));
    };
    if h.version == negotiated.wire() {
        return Ok(());
    }
    let any_version = usize::from(h.length) == msg.len()
        && matches!(
            classify(msg),
            Ok((
                Raw::OfptHello | Raw::OfptError | Raw::OfptEchoRequest | Raw::OfptEchoReply,
                _
            ))
        );
    if any_version {
        Ok(())
    } else {
        Err(DecodeError::new(OfpErr::OfpbrcBadVersion, header))
    }
}

fn decode_any_version(raw: Raw, wire: u8, r: &mut Reader<'_>) -> Result<Message, OfpErr> {
    Ok(match raw {
        Raw::OfptHello => Message::Hello(Hello::decode(wire, r)),
        Raw::OfptError => Message::Error(ErrorMsg::decode(r)),
        Raw::OfptEchoRequest => Message::EchoRequest(r.rest().to_vec()),
        Raw::OfptEchoReply => Message::EchoReply(r.rest().to_vec()),
        _ => return Err(OfpErr::OfpbrcBadVersion),
    })
}

fn multipart_flags(msg: &[u8]) -> u16 {
    msg.get(MULTIPART_FLAGS_OFFSET..MULTIPART_FLAGS_OFFSET + 2)
        .map_or(0, |b| u16::from_be_bytes([b[0], b[1]]))
}

fn decode_body(
    raw: Raw,
    v: Version,
    wire: u8,
    msg: &[u8],
    r: &mut Reader<'_>,
    opts: &DecodeOptions<'_>,
) -> Result<Message, OfpErr> {
    use Raw as R;
    if is_stats_request(wire, msg[1]) {
        let body = MpRequest::decode(raw, v, opts.tlv, r)?;
        return Ok(Message::MultipartRequest(MultipartRequest {
            flags: multipart_flags(msg),
            body,
        }));
    }
    if is_stats_reply(wire, msg[1]) {
        let body = MpReply::decode(raw, v, opts.tlv, r)?;
        return Ok(Message::MultipartReply(MultipartReply {
            flags: multipart_flags(msg),
            body,
        }));
    }
    Ok(match raw {
        R::OfptHello | R::OfptError | R::OfptEchoRequest | R::OfptEchoReply => {
            decode_any_version(raw, wire, r)?
        }
        R::OfptFeaturesRequest => Message::FeaturesRequest,
        R::Ofpt10FeaturesReply | R::Ofpt11FeaturesReply | R::Ofpt13FeaturesReply => {
            Message::FeaturesReply(SwitchFeatures::decode(v, r)?)
        }
        R::OfptGetConfigRequest => Message::GetConfigRequest,
        R::OfptGetConfigReply => Message::GetConfigReply(SwitchConfig::decode(r)?),
        R::OfptSetConfig => {
            let c = SwitchConfig::decode(r)?;
            c.check_set(v)?;
            Message::SetConfig(c)
        }
        R::Ofpt10PacketIn | R::Ofpt11PacketIn | R::Ofpt12PacketIn | R::Ofpt13PacketIn => {
            Message::PacketIn(PacketIn::decode(v, PacketInFormat::Standard, false, r)?)
        }
        R::NxtPacketIn => Message::PacketIn(PacketIn::decode(v, PacketInFormat::Nxt, false, r)?),
        R::NxtPacketIn2 => Message::PacketIn(PacketIn::decode(v, PacketInFormat::Nxt2, false, r)?),
        R::NxtResume => Message::Resume(PacketIn::decode(v, PacketInFormat::Nxt2, true, r)?),
        R::Ofpt10FlowRemoved | R::Ofpt11FlowRemoved | R::Ofpt15FlowRemoved => {
            Message::FlowRemoved(FlowRemoved::decode(v, false, r)?)
        }
        R::NxtFlowRemoved => Message::FlowRemoved(FlowRemoved::decode(v, true, r)?),
        R::Ofpt10PortStatus | R::Ofpt11PortStatus | R::Ofpt14PortStatus => {
            Message::PortStatus(PortStatus::decode(v, r)?)
        }
        R::Ofpt10PacketOut | R::Ofpt11PacketOut | R::Ofpt15PacketOut => {
            Message::PacketOut(PacketOut::decode(v, r)?)
        }
        R::Ofpt10FlowMod | R::Ofpt11FlowMod => Message::FlowMod(FlowMod::decode(
            v,
            false,
            opts.flow_mod_table_id,
            opts.tlv,
            r,
        )?),
        R::NxtFlowMod => Message::FlowMod(FlowMod::decode(
            v,
            true,
            opts.flow_mod_table_id,
            opts.tlv,
            r,
        )?),
        R::NxtGroupMod | R::Ofpt11GroupMod | R::Ofpt15GroupMod => {
            Message::GroupMod(GroupMod::decode(v, r)?)
        }
        R::Ofpt10PortMod | R::Ofpt11PortMod | R::Ofpt14PortMod => {
            Message::PortMod(PortMod::decode(v, r)?)
        }
        R::Ofpt11TableMod | R::Ofpt14TableMod => Message::TableMod(TableMod::decode(v, r)?),
        R::Ofpt10BarrierRequest | R::Ofpt11BarrierRequest => Message::BarrierRequest,
        R::Ofpt10BarrierReply | R::Ofpt11BarrierReply => Message::BarrierReply,
        R::Ofpt10QueueGetConfigRequest | R::Ofpt11QueueGetConfigRequest => {
            Message::QueueGetConfigRequest(QueueConfigRequest::decode(v, r)?)
        }
        R::Ofpt10QueueGetConfigReply | R::Ofpt11QueueGetConfigReply => {
            let port = if v == Version::Of10 {
                let p = OfpPort(r.u16().map_err(util::short)?);
                r.skip(6).map_err(util::short)?;
                p
            } else {
                let p = util::port_from_of11(r.u32().map_err(util::short)?)?;
                r.skip(4).map_err(util::short)?;
                p
            };
            let mut queues = Vec::new();
            while !r.is_empty() {
                queues.push(QueueConfig::decode_of10(v, port, r)?);
            }
            Message::QueueGetConfigReply { port, queues }
        }
        R::Ofpt12RoleRequest => Message::RoleRequest(RoleMsg::decode(false, true, r)?),
        R::NxtRoleRequest => Message::RoleRequest(RoleMsg::decode(true, true, r)?),
        R::Ofpt12RoleReply => Message::RoleReply(RoleMsg::decode(false, false, r)?),
        R::NxtRoleReply => Message::RoleReply(RoleMsg::decode(true, false, r)?),
        R::Ofpt13GetAsyncRequest | R::Ofpt14GetAsyncRequest => Message::GetAsyncRequest,
        R::Ofpt13GetAsyncReply => Message::GetAsyncReply(AsyncConfig::decode_legacy(v, r)?),
        R::Ofpt14GetAsyncReply => Message::GetAsyncReply(AsyncConfig::decode_props(v, true, r)?),
        R::Ofpt13SetAsync => Message::SetAsync(SetAsync {
            form: SetAsyncForm::Standard,
            config: AsyncConfig::decode_legacy(v, r)?,
        }),
        R::NxtSetAsyncConfig => Message::SetAsync(SetAsync {
            form: SetAsyncForm::Nx,
            config: AsyncConfig::decode_legacy(v, r)?,
        }),
        R::NxtSetAsyncConfig2 => Message::SetAsync(SetAsync {
            form: SetAsyncForm::Nx2,
            config: AsyncConfig::decode_props(v, false, r)?,
        }),
        R::Ofpt14SetAsync => Message::SetAsync(SetAsync {
            form: SetAsyncForm::Standard,
            config: AsyncConfig::decode_props(v, false, r)?,
        }),
        R::Ofpt13MeterMod => Message::MeterMod(MeterMod::decode(r)?),
        R::Onft13RoleStatus | R::Ofpt14RoleStatus => Message::RoleStatus(RoleStatus::decode(r)?),
        R::Ofpt14TableStatus => Message::TableStatus(TableStatus::decode(v, r)?),
        R::NxtRequestforward | R::Onft13Requestforward | R::Ofpt14Requestforward => {
            Message::RequestForward(decode_requestforward(wire, r, opts)?)
        }
        R::Ofpt14BundleControl | R::Onft13BundleControl => {
            Message::BundleControl(BundleCtrl::decode(r)?)
        }
        R::Ofpt14BundleAddMessage | R::Onft13BundleAddMessage => {
            Message::BundleAdd(decode_bundle_add(msg, r, opts)?)
        }
        R::NxtSetFlowFormat => Message::SetFlowFormat(FlowFormat::decode(r)?),
        R::NxtFlowModTableId => {
            let b = r.take(8).map_err(util::short)?;
            Message::FlowModTableId(b[0] != 0)
        }
        R::NxtSetPacketInFormat => Message::SetPacketInFormat(PacketInFormat::decode(r)?),
        R::NxtFlowAge => Message::FlowAge,
        R::NxtSetControllerId => Message::SetControllerId(nx::decode_zero6_u16(r)?),
        R::NxtTlvTableMod => Message::TlvTableMod(TlvTableMod::decode(r)?),
        R::NxtTlvTableRequest => Message::TlvTableRequest,
        R::NxtTlvTableReply => Message::TlvTableReply(TlvTableReply::decode(r)?),
        R::NxtCtFlushZone => Message::CtFlushZone(nx::decode_zero6_u16(r)?),
        R::NxtCtFlush => Message::CtFlush(CtFlush::decode(r)?),
        R::Onft13FlowMonitorCancel | R::NxtFlowMonitorCancel => {
            Message::FlowMonitorCancel(r.u32().map_err(util::short)?)
        }
        R::Onft13FlowMonitorPaused | R::NxtFlowMonitorPaused => Message::FlowMonitorPaused,
        R::Onft13FlowMonitorResumed | R::NxtFlowMonitorResumed => Message::FlowMonitorResumed,
        _ => return Err(OfpErr::OfpbrcBadType),
    })
}

/// OVS's `ofputil_decode_requestforward`.
fn decode_requestforward(
    outer_version: u8,
    r: &mut Reader<'_>,
    opts: &DecodeOptions<'_>,
) -> Result<RequestForward, OfpErr> {
    let rest = r.rest();
    let bad = OfpErr::OfpbfcMsgBadLen;
    let inner_h = OfpHeader::decode(rest).ok_or(bad)?;
    let inner_len = usize::from(inner_h.length);
    if inner_len < 8 || inner_len > rest.len() {
        return Err(bad);
    }
    if inner_h.version != outer_version {
        return Err(OfpErr::OfpbrcBadVersion);
    }
    let inner = &rest[..inner_len];
    let _ = r.skip(rest.len());
    let (_, m) = decode_with(inner, opts).map_err(|e| e.error)?;
    let request = match m {
        Message::GroupMod(g) => ForwardedRequest::GroupMod(g),
        Message::MeterMod(m) => ForwardedRequest::MeterMod(m),
        _ => return Err(OfpErr::OfpbfcMsgUnsup),
    };
    Ok(RequestForward {
        xid: inner_h.xid,
        request,
    })
}

/// OVS's `ofputil_decode_bundle_add`, then the inner message's own decoding
/// (which ofproto does when it receives the bundle add).
fn decode_bundle_add(
    outer: &[u8],
    r: &mut Reader<'_>,
    opts: &DecodeOptions<'_>,
) -> Result<BundleAdd, OfpErr> {
    let bundle_id = r.u32().map_err(util::short)?;
    r.skip(2).map_err(util::short)?;
    let flags = r.u16().map_err(util::short)?;
    let rest = r.rest();
    let _ = r.skip(rest.len());
    let inner_h = OfpHeader::decode(rest).ok_or(OfpErr::OfpbfcMsgBadLen)?;
    if inner_h.version != outer[0] {
        return Err(OfpErr::OfpbfcBadVersion);
    }
    let inner_len = usize::from(inner_h.length);
    if inner_len < 8 || inner_len > rest.len() {
        return Err(OfpErr::OfpbfcMsgBadLen);
    }
    let outer_xid = OfpHeader::decode(outer).map_or(0, |h| h.xid);
    if inner_h.xid != outer_xid {
        return Err(OfpErr::OfpbfcMsgBadXid);
    }
    let inner = &rest[..inner_len];
    // A message whose headers do not even identify it is "unsupported".
    classify(inner).map_err(|_| OfpErr::OfpbfcMsgUnsup)?;
    let (_, m) = decode_with(inner, opts).map_err(|e| e.error)?;
    if !BundleAdd::is_bundlable(&m) {
        return Err(OfpErr::OfpbfcMsgUnsup);
    }
    Ok(BundleAdd {
        bundle_id,
        flags,
        message: Box::new(m),
    })
}

fn not_in(what: &'static str, version: Version) -> EncodeError {
    EncodeError::NotInVersion { what, version }
}

impl Message {
    /// The wire form this message takes in `version`.
    pub fn raw(&self, version: Version) -> Result<Raw, EncodeError> {
        use Version::*;
        let v = version;
        let need = |ok: bool, what: &'static str, raw: Raw| {
            if ok { Ok(raw) } else { Err(not_in(what, v)) }
        };
        match self {
            Message::Hello(_) => Ok(Raw::OfptHello),
            Message::Error(_) => Ok(Raw::OfptError),
            Message::EchoRequest(_) => Ok(Raw::OfptEchoRequest),
            Message::EchoReply(_) => Ok(Raw::OfptEchoReply),
            Message::FeaturesRequest => Ok(Raw::OfptFeaturesRequest),
            Message::FeaturesReply(_) => Ok(match v {
                Of10 => Raw::Ofpt10FeaturesReply,
                Of11 | Of12 => Raw::Ofpt11FeaturesReply,
                _ => Raw::Ofpt13FeaturesReply,
            }),
            Message::GetConfigRequest => Ok(Raw::OfptGetConfigRequest),
            Message::GetConfigReply(_) => Ok(Raw::OfptGetConfigReply),
            Message::SetConfig(_) => Ok(Raw::OfptSetConfig),
            Message::PacketIn(p) => Ok(match p.form {
                PacketInFormat::Standard => match v {
                    Of10 => Raw::Ofpt10PacketIn,
                    Of11 => Raw::Ofpt11PacketIn,
                    Of12 => Raw::Ofpt12PacketIn,
                    _ => Raw::Ofpt13PacketIn,
                },
                PacketInFormat::Nxt => Raw::NxtPacketIn,
                PacketInFormat::Nxt2 => Raw::NxtPacketIn2,
            }),
            Message::Resume(_) => Ok(Raw::NxtResume),
            Message::FlowRemoved(f) => Ok(if f.nx {
                Raw::NxtFlowRemoved
            } else {
                match v {
                    Of10 => Raw::Ofpt10FlowRemoved,
                    Of15 => Raw::Ofpt15FlowRemoved,
                    _ => Raw::Ofpt11FlowRemoved,
                }
            }),
            Message::PortStatus(_) => Ok(match v {
                Of10 => Raw::Ofpt10PortStatus,
                Of11 | Of12 | Of13 => Raw::Ofpt11PortStatus,
                _ => Raw::Ofpt14PortStatus,
            }),
            Message::PacketOut(_) => Ok(match v {
                Of10 => Raw::Ofpt10PacketOut,
                Of15 => Raw::Ofpt15PacketOut,
                _ => Raw::Ofpt11PacketOut,
            }),
            Message::FlowMod(f) => Ok(if f.nx {
                Raw::NxtFlowMod
            } else if v == Of10 {
                Raw::Ofpt10FlowMod
            } else {
                Raw::Ofpt11FlowMod
            }),
            Message::GroupMod(_) => Ok(match v {
                Of10 => Raw::NxtGroupMod,
                Of15 => Raw::Ofpt15GroupMod,
                _ => Raw::Ofpt11GroupMod,
            }),
            Message::PortMod(_) => Ok(match v {
                Of10 => Raw::Ofpt10PortMod,
                Of11 | Of12 | Of13 => Raw::Ofpt11PortMod,
                _ => Raw::Ofpt14PortMod,
            }),
            Message::TableMod(_) => match v {
                Of10 => Err(not_in("OFPT_TABLE_MOD", v)),
                Of11 | Of12 | Of13 => Ok(Raw::Ofpt11TableMod),
                _ => Ok(Raw::Ofpt14TableMod),
            },
            Message::BarrierRequest => Ok(if v == Of10 {
                Raw::Ofpt10BarrierRequest
            } else {
                Raw::Ofpt11BarrierRequest
            }),
            Message::BarrierReply => Ok(if v == Of10 {
                Raw::Ofpt10BarrierReply
            } else {
                Raw::Ofpt11BarrierReply
            }),
            Message::QueueGetConfigRequest(_) => match v {
                Of10 => Ok(Raw::Ofpt10QueueGetConfigRequest),
                Of11 | Of12 | Of13 => Ok(Raw::Ofpt11QueueGetConfigRequest),
                _ => Err(not_in("OFPT_QUEUE_GET_CONFIG_REQUEST", v)),
            },
            Message::QueueGetConfigReply { .. } => match v {
                Of10 => Ok(Raw::Ofpt10QueueGetConfigReply),
                Of11 | Of12 | Of13 => Ok(Raw::Ofpt11QueueGetConfigReply),
                _ => Err(not_in("OFPT_QUEUE_GET_CONFIG_REPLY", v)),
            },
            Message::RoleRequest(r) => Ok(if r.nx {
                Raw::NxtRoleRequest
            } else {
                need(v >= Of12, "OFPT_ROLE_REQUEST", Raw::Ofpt12RoleRequest)?
            }),
            Message::RoleReply(r) => Ok(if r.nx {
                Raw::NxtRoleReply
            } else {
                need(v >= Of12, "OFPT_ROLE_REPLY", Raw::Ofpt12RoleReply)?
            }),
            Message::GetAsyncRequest => match v {
                Of13 => Ok(Raw::Ofpt13GetAsyncRequest),
                Of14 | Of15 => Ok(Raw::Ofpt14GetAsyncRequest),
                _ => Err(not_in("OFPT_GET_ASYNC_REQUEST", v)),
            },
            Message::GetAsyncReply(_) => match v {
                Of13 => Ok(Raw::Ofpt13GetAsyncReply),
                Of14 | Of15 => Ok(Raw::Ofpt14GetAsyncReply),
                _ => Err(not_in("OFPT_GET_ASYNC_REPLY", v)),
            },
            Message::SetAsync(s) => match (s.form, v) {
                (SetAsyncForm::Standard, Of13) => Ok(Raw::Ofpt13SetAsync),
                (SetAsyncForm::Standard, Of14 | Of15) => Ok(Raw::Ofpt14SetAsync),
                (SetAsyncForm::Standard, _) => Err(not_in("OFPT_SET_ASYNC", v)),
                (SetAsyncForm::Nx, _) => Ok(Raw::NxtSetAsyncConfig),
                (SetAsyncForm::Nx2, Of14 | Of15) => Err(not_in("NXT_SET_ASYNC_CONFIG2", v)),
                (SetAsyncForm::Nx2, _) => Ok(Raw::NxtSetAsyncConfig2),
            },
            Message::MeterMod(_) => need(v >= Of13, "OFPT_METER_MOD", Raw::Ofpt13MeterMod),
            Message::RoleStatus(_) => match v {
                Of13 => Ok(Raw::Onft13RoleStatus),
                Of14 | Of15 => Ok(Raw::Ofpt14RoleStatus),
                _ => Err(not_in("OFPT_ROLE_STATUS", v)),
            },
            Message::TableStatus(_) => need(v >= Of14, "OFPT_TABLE_STATUS", Raw::Ofpt14TableStatus),
            Message::RequestForward(_) => Ok(match v {
                Of10 | Of11 | Of12 => Raw::NxtRequestforward,
                Of13 => Raw::Onft13Requestforward,
                _ => Raw::Ofpt14Requestforward,
            }),
            Message::BundleControl(_) => match v {
                Of13 => Ok(Raw::Onft13BundleControl),
                Of14 | Of15 => Ok(Raw::Ofpt14BundleControl),
                _ => Err(not_in("OFPT_BUNDLE_CONTROL", v)),
            },
            Message::BundleAdd(_) => match v {
                Of13 => Ok(Raw::Onft13BundleAddMessage),
                Of14 | Of15 => Ok(Raw::Ofpt14BundleAddMessage),
                _ => Err(not_in("OFPT_BUNDLE_ADD_MESSAGE", v)),
            },
            Message::SetFlowFormat(_) => {
                need(v == Of10, "NXT_SET_FLOW_FORMAT", Raw::NxtSetFlowFormat)
            }
            Message::FlowModTableId(_) => Ok(Raw::NxtFlowModTableId),
            Message::SetPacketInFormat(_) => Ok(Raw::NxtSetPacketInFormat),
            Message::FlowAge => Ok(Raw::NxtFlowAge),
            Message::SetControllerId(_) => Ok(Raw::NxtSetControllerId),
            Message::TlvTableMod(_) => Ok(Raw::NxtTlvTableMod),
            Message::TlvTableRequest => Ok(Raw::NxtTlvTableRequest),
            Message::TlvTableReply(_) => Ok(Raw::NxtTlvTableReply),
            Message::CtFlushZone(_) => Ok(Raw::NxtCtFlushZone),
            Message::CtFlush(_) => Ok(Raw::NxtCtFlush),
            Message::FlowMonitorCancel(_) => match v {
                Of10 | Of11 | Of12 => Ok(Raw::NxtFlowMonitorCancel),
                Of13 => Ok(Raw::Onft13FlowMonitorCancel),
                _ => Err(not_in("flow monitor cancel message", v)),
            },
            Message::FlowMonitorPaused => match v {
                Of10 | Of11 | Of12 => Ok(Raw::NxtFlowMonitorPaused),
                Of13 => Ok(Raw::Onft13FlowMonitorPaused),
                _ => Err(not_in("flow monitor paused message", v)),
            },
            Message::FlowMonitorResumed => match v {
                Of10 | Of11 | Of12 => Ok(Raw::NxtFlowMonitorResumed),
                Of13 => Ok(Raw::Onft13FlowMonitorResumed),
                _ => Err(not_in("flow monitor resumed message", v)),
            },
            Message::MultipartRequest(m) => m.body.raw(v),
            Message::MultipartReply(m) => m.body.raw(v),
        }
        .and_then(|raw| {
            if raw.in_version(v.wire()) {
                Ok(raw)
            } else {
                Err(not_in(raw.name(), v))
            }
        })
    }

    /// OVS's name for this message's wire form in `version`, e.g.
    /// `OFPT_FLOW_MOD` or `NXST_FLOW reply`.
    pub fn name(&self, version: Version) -> &'static str {
        self.raw(version).map_or("unknown", Raw::name)
    }
}

/// Encodes one message with default options. Multipart replies must fit in
/// one message; use [`encode_all`] to split long ones.
pub fn encode(version: Version, xid: u32, msg: &Message) -> Result<Vec<u8>, EncodeError> {
    encode_with(version, xid, msg, &EncodeOptions::default())
}

/// Encodes one message.
pub fn encode_with(
    version: Version,
    xid: u32,
    msg: &Message,
    opts: &EncodeOptions<'_>,
) -> Result<Vec<u8>, EncodeError> {
    let raw = msg.raw(version)?;
    let mut w = Writer::with_capacity(64);
    put_header(&mut w, raw, version.wire(), xid);
    encode_body(version, xid, msg, opts, &mut w)?;
    let out = finish(w)?;
    if !raw::check_encoded(raw, &out) {
        // OVS would reject what we wrote (e.g. an empty table features
        // reply, which needs at least one table).
        return Err(EncodeError::Invalid(
            "body length not valid for its message",
        ));
    }
    Ok(out)
}

/// Fixes the length; fails if the message is too long for OpenFlow.
fn finish(mut w: Writer) -> Result<Vec<u8>, EncodeError> {
    let len = u16::try_from(w.len()).map_err(|_| EncodeError::TooLong)?;
    w.patch_u16(2, len);
    Ok(w.into_vec())
}

/// Encodes a message, splitting a multipart reply whose entries do not fit
/// in one message into several at entry boundaries, every part but the last
/// with the "more" flag, as OVS's `ofpmp_*` functions do. An entry too big
/// for any message is left out, as OVS does for flow statistics. Other
/// messages come back as a single message.
pub fn encode_all(
    version: Version,
    xid: u32,
    msg: &Message,
    opts: &EncodeOptions<'_>,
) -> Result<Vec<Vec<u8>>, EncodeError> {
    let Message::MultipartReply(rep) = msg else {
        return encode_with(version, xid, msg, opts).map(|m| vec![m]);
    };
    if !rep.body.is_list() {
        return encode_with(version, xid, msg, opts).map(|m| vec![m]);
    }
    let mut enc = MultipartEncoder::new(version, xid, msg)?;
    rep.body.encode_entries(version, opts.tlv, &mut enc);
    enc.finish()
}

/// A list multipart reply encoded one entry at a time, straight into
/// messages of at most 64 KiB (what [`encode_all`] does for a whole
/// [`MpReply`], without holding every entry first: a dump of 100,000 flows
/// need not exist as 100,000 decoded entries).
#[derive(Debug)]
pub struct MultipartEncoder {
    version: Version,
    raw: Raw,
    flags: u16,
    head: Vec<u8>,
    parts: Vec<Vec<u8>>,
    cur: Writer,
}

/// The most bytes one OpenFlow message can hold.
const MAX_MESSAGE: usize = 65535;

impl MultipartEncoder {
    /// Starts the reply that `template` (a multipart reply; its entries, if
    /// any, are ignored) names: its type, flags and version.
    pub fn new(version: Version, xid: u32, template: &Message) -> Result<Self, EncodeError> {
        let Message::MultipartReply(rep) = template else {
            return Err(EncodeError::Invalid("not a multipart reply"));
        };
        let raw = template.raw(version)?;
        let mut head = Writer::new();
        put_header(&mut head, raw, version.wire(), xid);
        head.patch_u16(MULTIPART_FLAGS_OFFSET, rep.flags);
        let head = head.into_vec();
        let mut cur = Writer::with_capacity(MAX_MESSAGE + 1);
        cur.bytes(&head);
        Ok(MultipartEncoder {
            version,
            raw,
            flags: rep.flags,
            head,
            parts: Vec::new(),
            cur,
        })
    }

    pub fn version(&self) -> Version {
        self.version
    }

    /// Appends one entry that `encode` writes; an entry that fits in no
    /// message is dropped.
    pub fn push(&mut self, encode: impl FnOnce(&mut Writer)) {
        let start = self.cur.len();
        encode(&mut self.cur);
        let len = self.cur.len() - start;
        if self.head.len() + len > MAX_MESSAGE {
            self.cur.truncate(start);
        } else if self.cur.len() > MAX_MESSAGE {
            let entry = self.cur.split_off(start);
            let mut next = Writer::with_capacity(MAX_MESSAGE + 1);
            next.bytes(&self.head);
            next.bytes(&entry);
            let mut done = std::mem::replace(&mut self.cur, next);
            done.patch_u16(MULTIPART_FLAGS_OFFSET, self.flags | MULTIPART_MORE);
            self.parts.push(done.into_vec());
        }
    }

    /// One flow statistics entry (`nx`: the `NXST_FLOW` form), its
    /// `tun_metadata<N>` at the widths `tlv` maps.
    pub fn push_flow_stats(&mut self, stats: &FlowStats, nx: bool, tlv: Option<&TlvTable>) {
        let version = self.version;
        self.push(|w| stats.encode(version, nx, tlv, w));
    }

    /// The messages, each with its length set, the last without "more".
    pub fn finish(mut self) -> Result<Vec<Vec<u8>>, EncodeError> {
        self.parts.push(self.cur.into_vec());
        for p in &mut self.parts {
            let len = u16::try_from(p.len()).map_err(|_| EncodeError::TooLong)?;
            p[2..4].copy_from_slice(&len.to_be_bytes());
        }
        if self.parts.iter().any(|p| !raw::check_encoded(self.raw, p)) {
            return Err(EncodeError::Invalid(
                "body length not valid for its message",
            ));
        }
        Ok(self.parts)
    }
}

fn encode_body(
    v: Version,
    xid: u32,
    msg: &Message,
    opts: &EncodeOptions<'_>,
    w: &mut Writer,
) -> Result<(), EncodeError> {
    match msg {
        Message::Hello(h) => h.encode(v, w),
        Message::Error(e) => e.encode(w),
        Message::EchoRequest(d) | Message::EchoReply(d) => w.bytes(d),
        Message::FeaturesRequest
        | Message::GetConfigRequest
        | Message::BarrierRequest
        | Message::BarrierReply
        | Message::GetAsyncRequest
        | Message::FlowAge
        | Message::TlvTableRequest
        | Message::FlowMonitorPaused
        | Message::FlowMonitorResumed => {}
        Message::FeaturesReply(f) => f.encode(v, w),
        Message::GetConfigReply(c) | Message::SetConfig(c) => c.encode(w),
        Message::PacketIn(p) => p.encode(v, false, w)?,
        Message::Resume(p) => p.encode(v, true, w)?,
        Message::FlowRemoved(f) => f.encode(v, opts.tlv, w),
        Message::PortStatus(p) => p.encode(v, w),
        Message::PacketOut(p) => p.encode(v, w),
        Message::FlowMod(f) => f.encode(v, opts.flow_mod_table_id, w)?,
        Message::GroupMod(g) => g.encode(v, w)?,
        Message::PortMod(p) => p.encode(v, w),
        Message::TableMod(t) => t.encode(v, w),
        Message::QueueGetConfigRequest(q) => q.encode(v, w),
        Message::QueueGetConfigReply { port, queues } => {
            if v == Version::Of10 {
                w.u16(port.0);
                w.zeros(6);
            } else {
                w.u32(port.to_of11());
                w.zeros(4);
            }
            for q in queues {
                q.encode_of10(v, w);
            }
        }
        Message::RoleRequest(r) | Message::RoleReply(r) => r.encode(v, w)?,
        Message::GetAsyncReply(c) => {
            if v >= Version::Of14 {
                c.encode_props(v, w)
            } else {
                c.encode_legacy(v, w)
            }
        }
        Message::SetAsync(s) => match s.form {
            SetAsyncForm::Standard if v >= Version::Of14 => s.config.encode_props(v, w),
            SetAsyncForm::Nx2 => s.config.encode_props(v, w),
            _ => s.config.encode_legacy(v, w),
        },
        Message::MeterMod(m) => m.encode(w),
        Message::RoleStatus(r) => r.encode(w),
        Message::TableStatus(t) => t.encode(v, w),
        Message::RequestForward(rf) => {
            let inner = match &rf.request {
                ForwardedRequest::GroupMod(g) => Message::GroupMod(g.clone()),
                ForwardedRequest::MeterMod(m) => Message::MeterMod(m.clone()),
            };
            w.bytes(&encode_with(v, rf.xid, &inner, opts)?);
        }
        Message::BundleControl(b) => b.encode(w),
        Message::BundleAdd(b) => {
            b.encode_head(w);
            w.bytes(&encode_with(v, xid, &b.message, opts)?);
        }
        Message::SetFlowFormat(f) => w.u32(*f as u32),
        Message::FlowModTableId(on) => {
            w.u8(u8::from(*on));
            w.zeros(7);
        }
        Message::SetPacketInFormat(f) => w.u32(*f as u32),
        Message::SetControllerId(id) => nx::encode_zero6_u16(*id, w),
        Message::TlvTableMod(t) => t.encode(w),
        Message::TlvTableReply(t) => t.encode(w),
        Message::CtFlushZone(z) => nx::encode_zero6_u16(*z, w),
        Message::CtFlush(c) => c.encode(w),
        Message::FlowMonitorCancel(id) => w.u32(*id),
        Message::MultipartRequest(m) => {
            w.patch_u16(MULTIPART_FLAGS_OFFSET, m.flags);
            m.body.encode(v, w);
        }
        Message::MultipartReply(m) => {
            w.patch_u16(MULTIPART_FLAGS_OFFSET, m.flags);
            m.body.encode_single(v, opts.tlv, w);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
