//! Message identification: which wire form (OVS's `ofpraw`) a message is,
//! from its OpenFlow header, stats header and vendor header; the length
//! rules each form imposes; and writing those headers back.
//!
//! The table below is generated from the message catalogue of Open vSwitch
//! 3.1 (facts: type numbers, version ranges, fixed body sizes and the size
//! of repeated trailing elements); the code around it is ours.

use ovs_ofp_core::{NX_VENDOR_ID, ONF_VENDOR_ID, OfpErr, Writer};

/// `OFPT_VENDOR` / `OFPT_EXPERIMENTER`.
pub(crate) const OFPT_VENDOR: u8 = 4;
const OFPT10_STATS_REQUEST: u8 = 16;
const OFPT10_STATS_REPLY: u8 = 17;
const OFPT11_STATS_REQUEST: u8 = 18;
const OFPT11_STATS_REPLY: u8 = 19;
/// The stats type that introduces a vendor (experimenter) multipart message.
const OFPST_VENDOR: u16 = 0xffff;
/// `OFPSF_REPLY_MORE` / `OFPSF_REQ_MORE`.
pub const MULTIPART_MORE: u16 = 1;

/// The family a wire form belongs to, which decides its headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Ofpt,
    OfpstRequest,
    OfpstReply,
    Nxt,
    NxstRequest,
    NxstReply,
    Onft,
    OnfstRequest,
    OnfstReply,
}

/// Facts about one wire form.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawInfo {
    pub raw: Raw,
    pub kind: Kind,
    pub min_version: u8,
    pub max_version: u8,
    /// OFPT type, stats type, or vendor subtype.
    pub number: u32,
    /// Fixed body bytes after all headers.
    pub min_body: u16,
    /// 0: the body is exactly `min_body`; 1: at least `min_body`; n: at
    /// least `min_body` and longer by a multiple of n.
    pub extra_multiple: u16,
    /// OVS's name, e.g. `OFPST_FLOW request`.
    pub name: &'static str,
}

/// The header fields that identify a message (OVS's `ofphdrs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Hdrs {
    pub version: u8,
    pub msg_type: u8,
    pub stat: u16,
    pub vendor: u32,
    pub subtype: u32,
}

fn is_stats_type(version: u8, msg_type: u8) -> bool {
    if version == 1 {
        msg_type == OFPT10_STATS_REQUEST || msg_type == OFPT10_STATS_REPLY
    } else {
        msg_type == OFPT11_STATS_REQUEST || msg_type == OFPT11_STATS_REPLY
    }
}

/// True if `(version, msg_type)` is a multipart request.
pub(crate) fn is_stats_request(version: u8, msg_type: u8) -> bool {
    match version {
        1 => msg_type == OFPT10_STATS_REQUEST,
        2..=6 => msg_type == OFPT11_STATS_REQUEST,
        _ => false,
    }
}

/// True if `(version, msg_type)` is a multipart reply.
pub(crate) fn is_stats_reply(version: u8, msg_type: u8) -> bool {
    match version {
        1 => msg_type == OFPT10_STATS_REPLY,
        2..=6 => msg_type == OFPT11_STATS_REPLY,
        _ => false,
    }
}

fn be16(msg: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*msg.get(at)?, *msg.get(at + 1)?]))
}

fn be32(msg: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([
        *msg.get(at)?,
        *msg.get(at + 1)?,
        *msg.get(at + 2)?,
        *msg.get(at + 3)?,
    ]))
}

impl Hdrs {
    /// Reads the identifying headers of `msg` (OVS's `ofphdrs_decode`).
    pub fn decode(msg: &[u8]) -> Result<Hdrs, OfpErr> {
        let bad_len = OfpErr::OfpbrcBadLen;
        if msg.len() < 8 {
            return Err(bad_len);
        }
        let mut h = Hdrs {
            version: msg[0],
            msg_type: msg[1],
            stat: 0,
            vendor: 0,
            subtype: 0,
        };
        if h.msg_type == OFPT_VENDOR {
            h.vendor = be32(msg, 8).ok_or(bad_len)?;
            let subtype = be32(msg, 12).ok_or(bad_len)?;
            if h.vendor != NX_VENDOR_ID && h.vendor != ONF_VENDOR_ID {
                return Err(OfpErr::OfpbrcBadVendor);
            }
            h.subtype = subtype;
        } else if h.version == 1 && is_stats_type(1, h.msg_type) {
            h.stat = be16(msg, 8).ok_or(bad_len)?;
            if msg.len() < 12 {
                return Err(bad_len);
            }
            if h.stat == OFPST_VENDOR {
                h.vendor = be32(msg, 12).ok_or(bad_len)?;
                if h.vendor != NX_VENDOR_ID {
                    return Err(OfpErr::OfpbrcBadVendor);
                }
                h.subtype = be32(msg, 16).ok_or(bad_len)?;
                if msg.len() < 24 {
                    return Err(bad_len);
                }
            }
        } else if h.version != 1 && is_stats_type(h.version, h.msg_type) {
            if msg.len() < 16 {
                return Err(bad_len);
            }
            h.stat = be16(msg, 8).ok_or(bad_len)?;
            if h.stat == OFPST_VENDOR {
                h.vendor = be32(msg, 16).ok_or(bad_len)?;
                if msg.len() < 24 {
                    return Err(bad_len);
                }
                if h.vendor != NX_VENDOR_ID && h.vendor != ONF_VENDOR_ID {
                    return Err(OfpErr::OfpbrcBadVendor);
                }
                h.subtype = be32(msg, 20).ok_or(bad_len)?;
            }
        }
        Ok(h)
    }

    /// Bytes of headers before the body (OVS's `ofphdrs_len`).
    pub fn len(&self) -> usize {
        if self.msg_type == OFPT_VENDOR {
            return 16;
        }
        if is_stats_type(self.version, self.msg_type) {
            match (self.version, self.stat == OFPST_VENDOR) {
                (1, false) => 12,
                (1, true) => 24,
                (_, false) => 16,
                (_, true) => 24,
            }
        } else {
            8
        }
    }

    fn is_stat(&self) -> bool {
        is_stats_request(self.version, self.msg_type) || is_stats_reply(self.version, self.msg_type)
    }
}

impl RawInfo {
    /// The identifying headers of this form in `version`.
    pub fn hdrs(&self, version: u8) -> Hdrs {
        let (request_type, reply_type) = if version == 1 {
            (OFPT10_STATS_REQUEST, OFPT10_STATS_REPLY)
        } else {
            (OFPT11_STATS_REQUEST, OFPT11_STATS_REPLY)
        };
        let mut h = Hdrs {
            version,
            msg_type: 0,
            stat: 0,
            vendor: 0,
            subtype: 0,
        };
        match self.kind {
            Kind::Ofpt => h.msg_type = self.number as u8,
            Kind::OfpstRequest | Kind::OfpstReply => {
                h.msg_type = if self.kind == Kind::OfpstRequest {
                    request_type
                } else {
                    reply_type
                };
                h.stat = self.number as u16;
            }
            Kind::Nxt | Kind::Onft => {
                h.msg_type = OFPT_VENDOR;
                h.vendor = if self.kind == Kind::Nxt {
                    NX_VENDOR_ID
                } else {
                    ONF_VENDOR_ID
                };
                h.subtype = self.number;
            }
            Kind::NxstRequest | Kind::NxstReply | Kind::OnfstRequest | Kind::OnfstReply => {
                h.msg_type = if matches!(self.kind, Kind::NxstRequest | Kind::OnfstRequest) {
                    request_type
                } else {
                    reply_type
                };
                h.stat = OFPST_VENDOR;
                h.vendor = if matches!(self.kind, Kind::NxstRequest | Kind::NxstReply) {
                    NX_VENDOR_ID
                } else {
                    ONF_VENDOR_ID
                };
                h.subtype = self.number;
            }
        }
        h
    }

    /// Checks a whole message length against this form's body rule.
    pub(crate) fn check_length(&self, hdrs_len: usize, len: usize) -> Result<(), OfpErr> {
        let min = hdrs_len + usize::from(self.min_body);
        let ok = match self.extra_multiple {
            0 => len == min,
            1 => len >= min,
            n => len >= min && (len - min).is_multiple_of(usize::from(n)),
        };
        if ok {
            Ok(())
        } else {
            Err(OfpErr::OfpbrcBadLen)
        }
    }
}

impl Raw {
    pub(crate) fn info(self) -> &'static RawInfo {
        // The table is in declaration order.
        &RAW_INFOS[self as usize]
    }

    /// OVS's name for this form, e.g. `OFPT_FLOW_MOD` or `NXST_FLOW reply`.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// True if this form exists in wire version `version`.
    pub fn in_version(self, version: u8) -> bool {
        let i = self.info();
        i.min_version <= version && version <= i.max_version
    }

    /// The form whose headers are `hdrs` (OVS's `ofpraw_from_ofphdrs`).
    pub(crate) fn from_hdrs(hdrs: &Hdrs) -> Result<Raw, OfpErr> {
        RAW_INFOS
            .iter()
            .find(|i| {
                i.min_version <= hdrs.version
                    && hdrs.version <= i.max_version
                    && i.hdrs(hdrs.version) == *hdrs
            })
            .map(|i| i.raw)
            .ok_or(if hdrs.vendor != 0 {
                OfpErr::OfpbrcBadSubtype
            } else if hdrs.is_stat() {
                OfpErr::OfpbrcBadStat
            } else {
                OfpErr::OfpbrcBadType
            })
    }

    /// The multipart reply form that answers this request form in wire
    /// version `version` (OVS's `ofpraw_stats_request_to_reply`).
    pub fn stats_reply(self, version: u8) -> Option<Raw> {
        let mut h = self.info().hdrs(version);
        h.msg_type = if is_stats_request(version, h.msg_type) {
            if version == 1 {
                OFPT10_STATS_REPLY
            } else {
                OFPT11_STATS_REPLY
            }
        } else {
            return None;
        };
        Raw::from_hdrs(&h).ok()
    }
}

/// Identifies `msg`, whose length must be exactly what its header says, and
/// checks its length against the form's rule. Returns the form and the
/// length of its headers (OVS's `ofpraw_pull`).
pub(crate) fn classify(msg: &[u8]) -> Result<(Raw, usize), OfpErr> {
    let hdrs = Hdrs::decode(msg)?;
    let raw = Raw::from_hdrs(&hdrs)?;
    let hdrs_len = hdrs.len();
    raw.info().check_length(hdrs_len, msg.len())?;
    Ok((raw, hdrs_len))
}

/// Identifies a possibly truncated message without checking its length
/// (OVS's `ofpraw_decode_partial`), e.g. the copy inside an error message.
pub fn classify_partial(msg: &[u8]) -> Result<Raw, OfpErr> {
    Raw::from_hdrs(&Hdrs::decode(msg)?)
}

/// Writes the headers of `raw` in `version` with a zero length (patched by
/// [`finish`]); returns nothing since the header always starts at 0.
pub(crate) fn put_header(w: &mut Writer, raw: Raw, version: u8, xid: u32) {
    let h = raw.info().hdrs(version);
    w.u8(version);
    w.u8(h.msg_type);
    w.u16(0);
    w.u32(xid);
    if h.msg_type == OFPT_VENDOR {
        w.u32(h.vendor);
        w.u32(h.subtype);
    } else if is_stats_type(version, h.msg_type) {
        w.u16(h.stat);
        w.u16(0);
        if version == 1 {
            if h.stat == OFPST_VENDOR {
                w.u32(h.vendor);
                w.u32(h.subtype);
                w.zeros(4);
            }
        } else {
            w.zeros(4);
            if h.stat == OFPST_VENDOR {
                w.u32(h.vendor);
                w.u32(h.subtype);
            }
        }
    }
}

/// Checks an encoded message against its form's length rule.
pub(crate) fn check_encoded(raw: Raw, msg: &[u8]) -> bool {
    Hdrs::decode(msg)
        .map(|h| raw.info().check_length(h.len(), msg.len()).is_ok())
        .unwrap_or(false)
}

/// Offset of the multipart flags in a stats message.
pub(crate) const MULTIPART_FLAGS_OFFSET: usize = 10;

/// Every wire form of every message OVS 3.1 knows (OVS's `enum ofpraw`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Raw {
    OfptHello,
    OfptError,
    OfptEchoRequest,
    OfptEchoReply,
    OfptFeaturesRequest,
    Ofpt10FeaturesReply,
    Ofpt11FeaturesReply,
    Ofpt13FeaturesReply,
    OfptGetConfigRequest,
    OfptGetConfigReply,
    OfptSetConfig,
    Ofpt10PacketIn,
    Ofpt11PacketIn,
    Ofpt12PacketIn,
    Ofpt13PacketIn,
    NxtPacketIn,
    NxtPacketIn2,
    Ofpt10FlowRemoved,
    Ofpt11FlowRemoved,
    Ofpt15FlowRemoved,
    NxtFlowRemoved,
    Ofpt10PortStatus,
    Ofpt11PortStatus,
    Ofpt14PortStatus,
    Ofpt10PacketOut,
    Ofpt11PacketOut,
    Ofpt15PacketOut,
    Ofpt10FlowMod,
    Ofpt11FlowMod,
    NxtFlowMod,
    NxtGroupMod,
    Ofpt11GroupMod,
    Ofpt15GroupMod,
    Ofpt10PortMod,
    Ofpt11PortMod,
    Ofpt14PortMod,
    Ofpt11TableMod,
    Ofpt14TableMod,
    Ofpt10BarrierRequest,
    Ofpt11BarrierRequest,
    Ofpt10BarrierReply,
    Ofpt11BarrierReply,
    Ofpt10QueueGetConfigRequest,
    Ofpt11QueueGetConfigRequest,
    Ofpt10QueueGetConfigReply,
    Ofpt11QueueGetConfigReply,
    Ofpt12RoleRequest,
    NxtRoleRequest,
    Ofpt12RoleReply,
    NxtRoleReply,
    Ofpt13GetAsyncRequest,
    Ofpt14GetAsyncRequest,
    Ofpt13GetAsyncReply,
    Ofpt14GetAsyncReply,
    Ofpt13SetAsync,
    NxtSetAsyncConfig,
    NxtSetAsyncConfig2,
    Ofpt14SetAsync,
    Ofpt13MeterMod,
    Onft13RoleStatus,
    Ofpt14RoleStatus,
    Ofpt14TableStatus,
    NxtRequestforward,
    Onft13Requestforward,
    Ofpt14Requestforward,
    Ofpt14BundleControl,
    Onft13BundleControl,
    Ofpt14BundleAddMessage,
    Onft13BundleAddMessage,
    OfpstDescRequest,
    OfpstDescReply,
    Ofpst10FlowRequest,
    Ofpst11FlowRequest,
    NxstFlowRequest,
    Ofpst10FlowReply,
    Ofpst11FlowReply,
    Ofpst13FlowReply,
    Ofpst15FlowReply,
    NxstFlowReply,
    Ofpst10AggregateRequest,
    Ofpst11AggregateRequest,
    Ofpst15AggregateRequest,
    NxstAggregateRequest,
    OfpstAggregateReply,
    Ofpst15AggregateReply,
    NxstAggregateReply,
    OfpstTableRequest,
    Ofpst10TableReply,
    Ofpst11TableReply,
    Ofpst12TableReply,
    Ofpst13TableReply,
    Ofpst10PortRequest,
    Ofpst11PortRequest,
    Ofpst10PortReply,
    Ofpst11PortReply,
    Ofpst13PortReply,
    Ofpst14PortReply,
    Ofpst10QueueRequest,
    Ofpst11QueueRequest,
    Ofpst10QueueReply,
    Ofpst11QueueReply,
    Ofpst13QueueReply,
    Ofpst14QueueReply,
    NxstGroupRequest,
    Ofpst11GroupRequest,
    NxstGroupReply,
    Ofpst11GroupReply,
    Ofpst13GroupReply,
    NxstGroupDescRequest,
    Ofpst11GroupDescRequest,
    Ofpst15GroupDescRequest,
    NxstGroupDescReply,
    Ofpst11GroupDescReply,
    NxstGroupFeaturesRequest,
    Ofpst12GroupFeaturesRequest,
    NxstGroupFeaturesReply,
    Ofpst12GroupFeaturesReply,
    Ofpst13MeterRequest,
    Ofpst13MeterReply,
    Ofpst13MeterConfigRequest,
    Ofpst13MeterConfigReply,
    Ofpst13MeterFeaturesRequest,
    Ofpst13MeterFeaturesReply,
    Ofpst13TableFeaturesRequest,
    Ofpst13TableFeaturesReply,
    Ofpst14TableDescRequest,
    Ofpst14TableDescReply,
    Ofpst10PortDescRequest,
    Ofpst15PortDescRequest,
    Ofpst10PortDescReply,
    Ofpst11PortDescReply,
    Ofpst14PortDescReply,
    Ofpst14QueueDescRequest,
    Ofpst14QueueDescReply,
    Ofpst14FlowMonitorRequest,
    Onfst13FlowMonitorRequest,
    NxstFlowMonitorRequest,
    Ofpst14FlowMonitorReply,
    Onfst13FlowMonitorReply,
    NxstFlowMonitorReply,
    Onft13FlowMonitorCancel,
    NxtFlowMonitorCancel,
    Onft13FlowMonitorPaused,
    NxtFlowMonitorPaused,
    Onft13FlowMonitorResumed,
    NxtFlowMonitorResumed,
    NxtSetFlowFormat,
    NxtFlowModTableId,
    NxtSetPacketInFormat,
    NxtFlowAge,
    NxtSetControllerId,
    NxtTlvTableMod,
    NxtTlvTableRequest,
    NxtTlvTableReply,
    NxtResume,
    NxtCtFlushZone,
    NxtCtFlush,
    NxstIpfixBridgeRequest,
    NxstIpfixBridgeReply,
    NxstIpfixFlowRequest,
    NxstIpfixFlowReply,
}

/// Facts about each [`Raw`], in declaration order.
pub(crate) static RAW_INFOS: &[RawInfo] = &[
    RawInfo {
        raw: Raw::OfptHello,
        kind: Kind::Ofpt,
        min_version: 1,
        max_version: 255,
        number: 0,
        min_body: 0,
        extra_multiple: 1,
        name: "OFPT_HELLO",
    },
    RawInfo {
        raw: Raw::OfptError,
        kind: Kind::Ofpt,
        min_version: 1,
        max_version: 255,
        number: 1,
        min_body: 4,
        extra_multiple: 1,
        name: "OFPT_ERROR",
    },
    RawInfo {
        raw: Raw::OfptEchoRequest,
        kind: Kind::Ofpt,
        min_version: 1,
        max_version: 255,
        number: 2,
        min_body: 0,
        extra_multiple: 1,
        name: "OFPT_ECHO_REQUEST",
    },
    RawInfo {
        raw: Raw::OfptEchoReply,
        kind: Kind::Ofpt,
        min_version: 1,
        max_version: 255,
        number: 3,
        min_body: 0,
        extra_multiple: 1,
        name: "OFPT_ECHO_REPLY",
    },
    RawInfo {
        raw: Raw::OfptFeaturesRequest,
        kind: Kind::Ofpt,
        min_version: 1,
        max_version: 6,
        number: 5,
        min_body: 0,
        extra_multiple: 0,
        name: "OFPT_FEATURES_REQUEST",
    },
    RawInfo {
        raw: Raw::Ofpt10FeaturesReply,
        kind: Kind::Ofpt,
        min_version: 1,
        max_version: 1,
        number: 6,
        min_body: 24,
        extra_multiple: 48,
        name: "OFPT_FEATURES_REPLY",
    },
    RawInfo {
        raw: Raw::Ofpt11FeaturesReply,
        kind: Kind::Ofpt,
        min_version: 2,
        max_version: 3,
        number: 6,
        min_body: 24,
        extra_multiple: 64,
        name: "OFPT_FEATURES_REPLY",
    },
    RawInfo {
        raw: Raw::Ofpt13FeaturesReply,
        kind: Kind::Ofpt,
        min_version: 4,
        max_version: 6,
        number: 6,
        min_body: 24,
        extra_multiple: 0,
        name: "OFPT_FEATURES_REPLY",
    },
    RawInfo {
        raw: Raw::OfptGetConfigRequest,
        kind: Kind::Ofpt,
        min_version: 1,
        max_version: 6,
        number: 7,
        min_body: 0,
        extra_multiple: 0,
        name: "OFPT_GET_CONFIG_REQUEST",
    },
    RawInfo {
        raw: Raw::OfptGetConfigReply,
        kind: Kind::Ofpt,
        min_version: 1,
        max_version: 6,
        number: 8,
        min_body: 4,
        extra_multiple: 0,
        name: "OFPT_GET_CONFIG_REPLY",
    },
    RawInfo {
        raw: Raw::OfptSetConfig,
        kind: Kind::Ofpt,
        min_version: 1,
        max_version: 6,
        number: 9,
        min_body: 4,
        extra_multiple: 0,
        name: "OFPT_SET_CONFIG",
    },
    RawInfo {
        raw: Raw::Ofpt10PacketIn,
        kind: Kind::Ofpt,
        min_version: 1,
        max_version: 1,
        number: 10,
        min_body: 10,
        extra_multiple: 1,
        name: "OFPT_PACKET_IN",
    },
    RawInfo {
        raw: Raw::Ofpt11PacketIn,
        kind: Kind::Ofpt,
        min_version: 2,
        max_version: 2,
        number: 10,
        min_body: 16,
        extra_multiple: 1,
        name: "OFPT_PACKET_IN",
    },
    RawInfo {
        raw: Raw::Ofpt12PacketIn,
        kind: Kind::Ofpt,
        min_version: 3,
        max_version: 3,
        number: 10,
        min_body: 8,
        extra_multiple: 1,
        name: "OFPT_PACKET_IN",
    },
    RawInfo {
        raw: Raw::Ofpt13PacketIn,
        kind: Kind::Ofpt,
        min_version: 4,
        max_version: 6,
        number: 10,
        min_body: 16,
        extra_multiple: 1,
        name: "OFPT_PACKET_IN",
    },
    RawInfo {
        raw: Raw::NxtPacketIn,
        kind: Kind::Nxt,
        min_version: 1,
        max_version: 6,
        number: 17,
        min_body: 24,
        extra_multiple: 1,
        name: "NXT_PACKET_IN",
    },
    RawInfo {
        raw: Raw::NxtPacketIn2,
        kind: Kind::Nxt,
        min_version: 1,
        max_version: 6,
        number: 30,
        min_body: 0,
        extra_multiple: 8,
        name: "NXT_PACKET_IN2",
    },
    RawInfo {
        raw: Raw::Ofpt10FlowRemoved,
        kind: Kind::Ofpt,
        min_version: 1,
        max_version: 1,
        number: 11,
        min_body: 80,
        extra_multiple: 0,
        name: "OFPT_FLOW_REMOVED",
    },
    RawInfo {
        raw: Raw::Ofpt11FlowRemoved,
        kind: Kind::Ofpt,
        min_version: 2,
        max_version: 5,
        number: 11,
        min_body: 40,
        extra_multiple: 8,
        name: "OFPT_FLOW_REMOVED",
    },
    RawInfo {
        raw: Raw::Ofpt15FlowRemoved,
        kind: Kind::Ofpt,
        min_version: 6,
        max_version: 6,
        number: 11,
        min_body: 16,
        extra_multiple: 8,
        name: "OFPT_FLOW_REMOVED",
    },
    RawInfo {
        raw: Raw::NxtFlowRemoved,
        kind: Kind::Nxt,
        min_version: 1,
        max_version: 6,
        number: 14,
        min_body: 40,
        extra_multiple: 8,
        name: "NXT_FLOW_REMOVED",
    },
    RawInfo {
        raw: Raw::Ofpt10PortStatus,
        kind: Kind::Ofpt,
        min_version: 1,
        max_version: 1,
        number: 12,
        min_body: 56,
        extra_multiple: 0,
        name: "OFPT_PORT_STATUS",
    },
    RawInfo {
        raw: Raw::Ofpt11PortStatus,
        kind: Kind::Ofpt,
        min_version: 2,
        max_version: 4,
        number: 12,
        min_body: 72,
        extra_multiple: 0,
        name: "OFPT_PORT_STATUS",
    },
    RawInfo {
        raw: Raw::Ofpt14PortStatus,
        kind: Kind::Ofpt,
        min_version: 5,
        max_version: 6,
        number: 12,
        min_body: 48,
        extra_multiple: 8,
        name: "OFPT_PORT_STATUS",
    },
    RawInfo {
        raw: Raw::Ofpt10PacketOut,
        kind: Kind::Ofpt,
        min_version: 1,
        max_version: 1,
        number: 13,
        min_body: 8,
        extra_multiple: 1,
        name: "OFPT_PACKET_OUT",
    },
    RawInfo {
        raw: Raw::Ofpt11PacketOut,
        kind: Kind::Ofpt,
        min_version: 2,
        max_version: 5,
        number: 13,
        min_body: 16,
        extra_multiple: 1,
        name: "OFPT_PACKET_OUT",
    },
    RawInfo {
        raw: Raw::Ofpt15PacketOut,
        kind: Kind::Ofpt,
        min_version: 6,
        max_version: 6,
        number: 13,
        min_body: 8,
        extra_multiple: 1,
        name: "OFPT_PACKET_OUT",
    },
    RawInfo {
        raw: Raw::Ofpt10FlowMod,
        kind: Kind::Ofpt,
        min_version: 1,
        max_version: 1,
        number: 14,
        min_body: 64,
        extra_multiple: 8,
        name: "OFPT_FLOW_MOD",
    },
    RawInfo {
        raw: Raw::Ofpt11FlowMod,
        kind: Kind::Ofpt,
        min_version: 2,
        max_version: 6,
        number: 14,
        min_body: 40,
        extra_multiple: 8,
        name: "OFPT_FLOW_MOD",
    },
    RawInfo {
        raw: Raw::NxtFlowMod,
        kind: Kind::Nxt,
        min_version: 1,
        max_version: 6,
        number: 13,
        min_body: 32,
        extra_multiple: 8,
        name: "NXT_FLOW_MOD",
    },
    RawInfo {
        raw: Raw::NxtGroupMod,
        kind: Kind::Nxt,
        min_version: 1,
        max_version: 1,
        number: 31,
        min_body: 16,
        extra_multiple: 8,
        name: "NXT_GROUP_MOD",
    },
    RawInfo {
        raw: Raw::Ofpt11GroupMod,
        kind: Kind::Ofpt,
        min_version: 2,
        max_version: 5,
        number: 15,
        min_body: 8,
        extra_multiple: 8,
        name: "OFPT_GROUP_MOD",
    },
    RawInfo {
        raw: Raw::Ofpt15GroupMod,
        kind: Kind::Ofpt,
        min_version: 6,
        max_version: 6,
        number: 15,
        min_body: 16,
        extra_multiple: 8,
        name: "OFPT_GROUP_MOD",
    },
    RawInfo {
        raw: Raw::Ofpt10PortMod,
        kind: Kind::Ofpt,
        min_version: 1,
        max_version: 1,
        number: 15,
        min_body: 24,
        extra_multiple: 0,
        name: "OFPT_PORT_MOD",
    },
    RawInfo {
        raw: Raw::Ofpt11PortMod,
        kind: Kind::Ofpt,
        min_version: 2,
        max_version: 4,
        number: 16,
        min_body: 32,
        extra_multiple: 0,
        name: "OFPT_PORT_MOD",
    },
    RawInfo {
        raw: Raw::Ofpt14PortMod,
        kind: Kind::Ofpt,
        min_version: 5,
        max_version: 6,
        number: 16,
        min_body: 24,
        extra_multiple: 8,
        name: "OFPT_PORT_MOD",
    },
    RawInfo {
        raw: Raw::Ofpt11TableMod,
        kind: Kind::Ofpt,
        min_version: 2,
        max_version: 4,
        number: 17,
        min_body: 8,
        extra_multiple: 0,
        name: "OFPT_TABLE_MOD",
    },
    RawInfo {
        raw: Raw::Ofpt14TableMod,
        kind: Kind::Ofpt,
        min_version: 5,
        max_version: 6,
        number: 17,
        min_body: 8,
        extra_multiple: 8,
        name: "OFPT_TABLE_MOD",
    },
    RawInfo {
        raw: Raw::Ofpt10BarrierRequest,
        kind: Kind::Ofpt,
        min_version: 1,
        max_version: 1,
        number: 18,
        min_body: 0,
        extra_multiple: 0,
        name: "OFPT_BARRIER_REQUEST",
    },
    RawInfo {
        raw: Raw::Ofpt11BarrierRequest,
        kind: Kind::Ofpt,
        min_version: 2,
        max_version: 6,
        number: 20,
        min_body: 0,
        extra_multiple: 0,
        name: "OFPT_BARRIER_REQUEST",
    },
    RawInfo {
        raw: Raw::Ofpt10BarrierReply,
        kind: Kind::Ofpt,
        min_version: 1,
        max_version: 1,
        number: 19,
        min_body: 0,
        extra_multiple: 0,
        name: "OFPT_BARRIER_REPLY",
    },
    RawInfo {
        raw: Raw::Ofpt11BarrierReply,
        kind: Kind::Ofpt,
        min_version: 2,
        max_version: 6,
        number: 21,
        min_body: 0,
        extra_multiple: 0,
        name: "OFPT_BARRIER_REPLY",
    },
    RawInfo {
        raw: Raw::Ofpt10QueueGetConfigRequest,
        kind: Kind::Ofpt,
        min_version: 1,
        max_version: 1,
        number: 20,
        min_body: 4,
        extra_multiple: 0,
        name: "OFPT_QUEUE_GET_CONFIG_REQUEST",
    },
    RawInfo {
        raw: Raw::Ofpt11QueueGetConfigRequest,
        kind: Kind::Ofpt,
        min_version: 2,
        max_version: 4,
        number: 22,
        min_body: 8,
        extra_multiple: 0,
        name: "OFPT_QUEUE_GET_CONFIG_REQUEST",
    },
    RawInfo {
        raw: Raw::Ofpt10QueueGetConfigReply,
        kind: Kind::Ofpt,
        min_version: 1,
        max_version: 1,
        number: 21,
        min_body: 8,
        extra_multiple: 8,
        name: "OFPT_QUEUE_GET_CONFIG_REPLY",
    },
    RawInfo {
        raw: Raw::Ofpt11QueueGetConfigReply,
        kind: Kind::Ofpt,
        min_version: 2,
        max_version: 4,
        number: 23,
        min_body: 8,
        extra_multiple: 8,
        name: "OFPT_QUEUE_GET_CONFIG_REPLY",
    },
    RawInfo {
        raw: Raw::Ofpt12RoleRequest,
        kind: Kind::Ofpt,
        min_version: 3,
        max_version: 6,
        number: 24,
        min_body: 16,
        extra_multiple: 0,
        name: "OFPT_ROLE_REQUEST",
    },
    RawInfo {
        raw: Raw::NxtRoleRequest,
        kind: Kind::Nxt,
        min_version: 1,
        max_version: 6,
        number: 10,
        min_body: 4,
        extra_multiple: 0,
        name: "NXT_ROLE_REQUEST",
    },
    RawInfo {
        raw: Raw::Ofpt12RoleReply,
        kind: Kind::Ofpt,
        min_version: 3,
        max_version: 6,
        number: 25,
        min_body: 16,
        extra_multiple: 0,
        name: "OFPT_ROLE_REPLY",
    },
    RawInfo {
        raw: Raw::NxtRoleReply,
        kind: Kind::Nxt,
        min_version: 1,
        max_version: 6,
        number: 11,
        min_body: 4,
        extra_multiple: 0,
        name: "NXT_ROLE_REPLY",
    },
    RawInfo {
        raw: Raw::Ofpt13GetAsyncRequest,
        kind: Kind::Ofpt,
        min_version: 4,
        max_version: 4,
        number: 26,
        min_body: 0,
        extra_multiple: 0,
        name: "OFPT_GET_ASYNC_REQUEST",
    },
    RawInfo {
        raw: Raw::Ofpt14GetAsyncRequest,
        kind: Kind::Ofpt,
        min_version: 5,
        max_version: 6,
        number: 26,
        min_body: 0,
        extra_multiple: 0,
        name: "OFPT_GET_ASYNC_REQUEST",
    },
    RawInfo {
        raw: Raw::Ofpt13GetAsyncReply,
        kind: Kind::Ofpt,
        min_version: 4,
        max_version: 4,
        number: 27,
        min_body: 24,
        extra_multiple: 0,
        name: "OFPT_GET_ASYNC_REPLY",
    },
    RawInfo {
        raw: Raw::Ofpt14GetAsyncReply,
        kind: Kind::Ofpt,
        min_version: 5,
        max_version: 6,
        number: 27,
        min_body: 0,
        extra_multiple: 8,
        name: "OFPT_GET_ASYNC_REPLY",
    },
    RawInfo {
        raw: Raw::Ofpt13SetAsync,
        kind: Kind::Ofpt,
        min_version: 4,
        max_version: 4,
        number: 28,
        min_body: 24,
        extra_multiple: 0,
        name: "OFPT_SET_ASYNC",
    },
    RawInfo {
        raw: Raw::NxtSetAsyncConfig,
        kind: Kind::Nxt,
        min_version: 1,
        max_version: 6,
        number: 19,
        min_body: 24,
        extra_multiple: 0,
        name: "NXT_SET_ASYNC_CONFIG",
    },
    RawInfo {
        raw: Raw::NxtSetAsyncConfig2,
        kind: Kind::Nxt,
        min_version: 1,
        max_version: 4,
        number: 27,
        min_body: 0,
        extra_multiple: 8,
        name: "NXT_SET_ASYNC_CONFIG2",
    },
    RawInfo {
        raw: Raw::Ofpt14SetAsync,
        kind: Kind::Ofpt,
        min_version: 5,
        max_version: 6,
        number: 28,
        min_body: 0,
        extra_multiple: 8,
        name: "OFPT_SET_ASYNC",
    },
    RawInfo {
        raw: Raw::Ofpt13MeterMod,
        kind: Kind::Ofpt,
        min_version: 4,
        max_version: 6,
        number: 29,
        min_body: 8,
        extra_multiple: 8,
        name: "OFPT_METER_MOD",
    },
    RawInfo {
        raw: Raw::Onft13RoleStatus,
        kind: Kind::Onft,
        min_version: 4,
        max_version: 4,
        number: 1911,
        min_body: 16,
        extra_multiple: 8,
        name: "ONFT_ROLE_STATUS",
    },
    RawInfo {
        raw: Raw::Ofpt14RoleStatus,
        kind: Kind::Ofpt,
        min_version: 5,
        max_version: 6,
        number: 30,
        min_body: 16,
        extra_multiple: 8,
        name: "OFPT_ROLE_STATUS",
    },
    RawInfo {
        raw: Raw::Ofpt14TableStatus,
        kind: Kind::Ofpt,
        min_version: 5,
        max_version: 6,
        number: 31,
        min_body: 8,
        extra_multiple: 8,
        name: "OFPT_TABLE_STATUS",
    },
    RawInfo {
        raw: Raw::NxtRequestforward,
        kind: Kind::Nxt,
        min_version: 1,
        max_version: 3,
        number: 132,
        min_body: 8,
        extra_multiple: 8,
        name: "NXT_REQUESTFORWARD",
    },
    RawInfo {
        raw: Raw::Onft13Requestforward,
        kind: Kind::Onft,
        min_version: 4,
        max_version: 4,
        number: 2350,
        min_body: 8,
        extra_multiple: 8,
        name: "ONFT_REQUESTFORWARD",
    },
    RawInfo {
        raw: Raw::Ofpt14Requestforward,
        kind: Kind::Ofpt,
        min_version: 5,
        max_version: 6,
        number: 32,
        min_body: 8,
        extra_multiple: 8,
        name: "OFPT_REQUESTFORWARD",
    },
    RawInfo {
        raw: Raw::Ofpt14BundleControl,
        kind: Kind::Ofpt,
        min_version: 5,
        max_version: 6,
        number: 33,
        min_body: 8,
        extra_multiple: 8,
        name: "OFPT_BUNDLE_CONTROL",
    },
    RawInfo {
        raw: Raw::Onft13BundleControl,
        kind: Kind::Onft,
        min_version: 4,
        max_version: 4,
        number: 2300,
        min_body: 8,
        extra_multiple: 8,
        name: "ONFT_BUNDLE_CONTROL",
    },
    RawInfo {
        raw: Raw::Ofpt14BundleAddMessage,
        kind: Kind::Ofpt,
        min_version: 5,
        max_version: 6,
        number: 34,
        min_body: 8,
        extra_multiple: 1,
        name: "OFPT_BUNDLE_ADD_MESSAGE",
    },
    RawInfo {
        raw: Raw::Onft13BundleAddMessage,
        kind: Kind::Onft,
        min_version: 4,
        max_version: 4,
        number: 2301,
        min_body: 8,
        extra_multiple: 1,
        name: "ONFT_BUNDLE_ADD_MESSAGE",
    },
    RawInfo {
        raw: Raw::OfpstDescRequest,
        kind: Kind::OfpstRequest,
        min_version: 1,
        max_version: 6,
        number: 0,
        min_body: 0,
        extra_multiple: 0,
        name: "OFPST_DESC request",
    },
    RawInfo {
        raw: Raw::OfpstDescReply,
        kind: Kind::OfpstReply,
        min_version: 1,
        max_version: 6,
        number: 0,
        min_body: 1056,
        extra_multiple: 0,
        name: "OFPST_DESC reply",
    },
    RawInfo {
        raw: Raw::Ofpst10FlowRequest,
        kind: Kind::OfpstRequest,
        min_version: 1,
        max_version: 1,
        number: 1,
        min_body: 44,
        extra_multiple: 0,
        name: "OFPST_FLOW request",
    },
    RawInfo {
        raw: Raw::Ofpst11FlowRequest,
        kind: Kind::OfpstRequest,
        min_version: 2,
        max_version: 6,
        number: 1,
        min_body: 32,
        extra_multiple: 8,
        name: "OFPST_FLOW request",
    },
    RawInfo {
        raw: Raw::NxstFlowRequest,
        kind: Kind::NxstRequest,
        min_version: 1,
        max_version: 1,
        number: 0,
        min_body: 8,
        extra_multiple: 8,
        name: "NXST_FLOW request",
    },
    RawInfo {
        raw: Raw::Ofpst10FlowReply,
        kind: Kind::OfpstReply,
        min_version: 1,
        max_version: 1,
        number: 1,
        min_body: 0,
        extra_multiple: 1,
        name: "OFPST_FLOW reply",
    },
    RawInfo {
        raw: Raw::Ofpst11FlowReply,
        kind: Kind::OfpstReply,
        min_version: 2,
        max_version: 3,
        number: 1,
        min_body: 0,
        extra_multiple: 1,
        name: "OFPST_FLOW reply",
    },
    RawInfo {
        raw: Raw::Ofpst13FlowReply,
        kind: Kind::OfpstReply,
        min_version: 4,
        max_version: 5,
        number: 1,
        min_body: 0,
        extra_multiple: 1,
        name: "OFPST_FLOW reply",
    },
    RawInfo {
        raw: Raw::Ofpst15FlowReply,
        kind: Kind::OfpstReply,
        min_version: 6,
        max_version: 6,
        number: 1,
        min_body: 0,
        extra_multiple: 1,
        name: "OFPST_FLOW reply",
    },
    RawInfo {
        raw: Raw::NxstFlowReply,
        kind: Kind::NxstReply,
        min_version: 1,
        max_version: 1,
        number: 0,
        min_body: 0,
        extra_multiple: 1,
        name: "NXST_FLOW reply",
    },
    RawInfo {
        raw: Raw::Ofpst10AggregateRequest,
        kind: Kind::OfpstRequest,
        min_version: 1,
        max_version: 1,
        number: 2,
        min_body: 44,
        extra_multiple: 0,
        name: "OFPST_AGGREGATE request",
    },
    RawInfo {
        raw: Raw::Ofpst11AggregateRequest,
        kind: Kind::OfpstRequest,
        min_version: 2,
        max_version: 5,
        number: 2,
        min_body: 32,
        extra_multiple: 8,
        name: "OFPST_AGGREGATE request",
    },
    RawInfo {
        raw: Raw::Ofpst15AggregateRequest,
        kind: Kind::OfpstRequest,
        min_version: 6,
        max_version: 6,
        number: 2,
        min_body: 32,
        extra_multiple: 8,
        name: "OFPST_AGGREGATE request",
    },
    RawInfo {
        raw: Raw::NxstAggregateRequest,
        kind: Kind::NxstRequest,
        min_version: 1,
        max_version: 1,
        number: 1,
        min_body: 8,
        extra_multiple: 8,
        name: "NXST_AGGREGATE request",
    },
    RawInfo {
        raw: Raw::OfpstAggregateReply,
        kind: Kind::OfpstReply,
        min_version: 1,
        max_version: 5,
        number: 2,
        min_body: 24,
        extra_multiple: 0,
        name: "OFPST_AGGREGATE reply",
    },
    RawInfo {
        raw: Raw::Ofpst15AggregateReply,
        kind: Kind::OfpstReply,
        min_version: 6,
        max_version: 6,
        number: 2,
        min_body: 0,
        extra_multiple: 1,
        name: "OFPST_AGGREGATE reply",
    },
    RawInfo {
        raw: Raw::NxstAggregateReply,
        kind: Kind::NxstReply,
        min_version: 1,
        max_version: 1,
        number: 1,
        min_body: 24,
        extra_multiple: 0,
        name: "NXST_AGGREGATE reply",
    },
    RawInfo {
        raw: Raw::OfpstTableRequest,
        kind: Kind::OfpstRequest,
        min_version: 1,
        max_version: 6,
        number: 3,
        min_body: 0,
        extra_multiple: 0,
        name: "OFPST_TABLE request",
    },
    RawInfo {
        raw: Raw::Ofpst10TableReply,
        kind: Kind::OfpstReply,
        min_version: 1,
        max_version: 1,
        number: 3,
        min_body: 0,
        extra_multiple: 64,
        name: "OFPST_TABLE reply",
    },
    RawInfo {
        raw: Raw::Ofpst11TableReply,
        kind: Kind::OfpstReply,
        min_version: 2,
        max_version: 2,
        number: 3,
        min_body: 0,
        extra_multiple: 88,
        name: "OFPST_TABLE reply",
    },
    RawInfo {
        raw: Raw::Ofpst12TableReply,
        kind: Kind::OfpstReply,
        min_version: 3,
        max_version: 3,
        number: 3,
        min_body: 0,
        extra_multiple: 128,
        name: "OFPST_TABLE reply",
    },
    RawInfo {
        raw: Raw::Ofpst13TableReply,
        kind: Kind::OfpstReply,
        min_version: 4,
        max_version: 6,
        number: 3,
        min_body: 0,
        extra_multiple: 24,
        name: "OFPST_TABLE reply",
    },
    RawInfo {
        raw: Raw::Ofpst10PortRequest,
        kind: Kind::OfpstRequest,
        min_version: 1,
        max_version: 1,
        number: 4,
        min_body: 8,
        extra_multiple: 0,
        name: "OFPST_PORT request",
    },
    RawInfo {
        raw: Raw::Ofpst11PortRequest,
        kind: Kind::OfpstRequest,
        min_version: 2,
        max_version: 6,
        number: 4,
        min_body: 8,
        extra_multiple: 0,
        name: "OFPST_PORT request",
    },
    RawInfo {
        raw: Raw::Ofpst10PortReply,
        kind: Kind::OfpstReply,
        min_version: 1,
        max_version: 1,
        number: 4,
        min_body: 0,
        extra_multiple: 104,
        name: "OFPST_PORT reply",
    },
    RawInfo {
        raw: Raw::Ofpst11PortReply,
        kind: Kind::OfpstReply,
        min_version: 2,
        max_version: 3,
        number: 4,
        min_body: 0,
        extra_multiple: 104,
        name: "OFPST_PORT reply",
    },
    RawInfo {
        raw: Raw::Ofpst13PortReply,
        kind: Kind::OfpstReply,
        min_version: 4,
        max_version: 4,
        number: 4,
        min_body: 0,
        extra_multiple: 112,
        name: "OFPST_PORT reply",
    },
    RawInfo {
        raw: Raw::Ofpst14PortReply,
        kind: Kind::OfpstReply,
        min_version: 5,
        max_version: 6,
        number: 4,
        min_body: 0,
        extra_multiple: 8,
        name: "OFPST_PORT reply",
    },
    RawInfo {
        raw: Raw::Ofpst10QueueRequest,
        kind: Kind::OfpstRequest,
        min_version: 1,
        max_version: 1,
        number: 5,
        min_body: 8,
        extra_multiple: 0,
        name: "OFPST_QUEUE request",
    },
    RawInfo {
        raw: Raw::Ofpst11QueueRequest,
        kind: Kind::OfpstRequest,
        min_version: 2,
        max_version: 6,
        number: 5,
        min_body: 8,
        extra_multiple: 0,
        name: "OFPST_QUEUE request",
    },
    RawInfo {
        raw: Raw::Ofpst10QueueReply,
        kind: Kind::OfpstReply,
        min_version: 1,
        max_version: 1,
        number: 5,
        min_body: 0,
        extra_multiple: 32,
        name: "OFPST_QUEUE reply",
    },
    RawInfo {
        raw: Raw::Ofpst11QueueReply,
        kind: Kind::OfpstReply,
        min_version: 2,
        max_version: 3,
        number: 5,
        min_body: 0,
        extra_multiple: 32,
        name: "OFPST_QUEUE reply",
    },
    RawInfo {
        raw: Raw::Ofpst13QueueReply,
        kind: Kind::OfpstReply,
        min_version: 4,
        max_version: 4,
        number: 5,
        min_body: 0,
        extra_multiple: 40,
        name: "OFPST_QUEUE reply",
    },
    RawInfo {
        raw: Raw::Ofpst14QueueReply,
        kind: Kind::OfpstReply,
        min_version: 5,
        max_version: 6,
        number: 5,
        min_body: 0,
        extra_multiple: 8,
        name: "OFPST_QUEUE reply",
    },
    RawInfo {
        raw: Raw::NxstGroupRequest,
        kind: Kind::NxstRequest,
        min_version: 1,
        max_version: 1,
        number: 7,
        min_body: 8,
        extra_multiple: 0,
        name: "NXST_GROUP request",
    },
    RawInfo {
        raw: Raw::Ofpst11GroupRequest,
        kind: Kind::OfpstRequest,
        min_version: 2,
        max_version: 6,
        number: 6,
        min_body: 8,
        extra_multiple: 0,
        name: "OFPST_GROUP request",
    },
    RawInfo {
        raw: Raw::NxstGroupReply,
        kind: Kind::NxstReply,
        min_version: 1,
        max_version: 1,
        number: 7,
        min_body: 0,
        extra_multiple: 8,
        name: "NXST_GROUP reply",
    },
    RawInfo {
        raw: Raw::Ofpst11GroupReply,
        kind: Kind::OfpstReply,
        min_version: 2,
        max_version: 3,
        number: 6,
        min_body: 0,
        extra_multiple: 8,
        name: "OFPST_GROUP reply",
    },
    RawInfo {
        raw: Raw::Ofpst13GroupReply,
        kind: Kind::OfpstReply,
        min_version: 4,
        max_version: 6,
        number: 6,
        min_body: 0,
        extra_multiple: 8,
        name: "OFPST_GROUP reply",
    },
    RawInfo {
        raw: Raw::NxstGroupDescRequest,
        kind: Kind::NxstRequest,
        min_version: 1,
        max_version: 1,
        number: 8,
        min_body: 8,
        extra_multiple: 0,
        name: "NXST_GROUP_DESC request",
    },
    RawInfo {
        raw: Raw::Ofpst11GroupDescRequest,
        kind: Kind::OfpstRequest,
        min_version: 2,
        max_version: 5,
        number: 7,
        min_body: 0,
        extra_multiple: 0,
        name: "OFPST_GROUP_DESC request",
    },
    RawInfo {
        raw: Raw::Ofpst15GroupDescRequest,
        kind: Kind::OfpstRequest,
        min_version: 6,
        max_version: 6,
        number: 7,
        min_body: 8,
        extra_multiple: 0,
        name: "OFPST_GROUP_DESC request",
    },
    RawInfo {
        raw: Raw::NxstGroupDescReply,
        kind: Kind::NxstReply,
        min_version: 1,
        max_version: 1,
        number: 8,
        min_body: 0,
        extra_multiple: 8,
        name: "NXST_GROUP_DESC reply",
    },
    RawInfo {
        raw: Raw::Ofpst11GroupDescReply,
        kind: Kind::OfpstReply,
        min_version: 2,
        max_version: 6,
        number: 7,
        min_body: 0,
        extra_multiple: 8,
        name: "OFPST_GROUP_DESC reply",
    },
    RawInfo {
        raw: Raw::NxstGroupFeaturesRequest,
        kind: Kind::NxstRequest,
        min_version: 1,
        max_version: 2,
        number: 9,
        min_body: 0,
        extra_multiple: 0,
        name: "NXST_GROUP_FEATURES request",
    },
    RawInfo {
        raw: Raw::Ofpst12GroupFeaturesRequest,
        kind: Kind::OfpstRequest,
        min_version: 3,
        max_version: 6,
        number: 8,
        min_body: 0,
        extra_multiple: 0,
        name: "OFPST_GROUP_FEATURES request",
    },
    RawInfo {
        raw: Raw::NxstGroupFeaturesReply,
        kind: Kind::NxstReply,
        min_version: 1,
        max_version: 2,
        number: 9,
        min_body: 40,
        extra_multiple: 0,
        name: "NXST_GROUP_FEATURES reply",
    },
    RawInfo {
        raw: Raw::Ofpst12GroupFeaturesReply,
        kind: Kind::OfpstReply,
        min_version: 3,
        max_version: 6,
        number: 8,
        min_body: 40,
        extra_multiple: 0,
        name: "OFPST_GROUP_FEATURES reply",
    },
    RawInfo {
        raw: Raw::Ofpst13MeterRequest,
        kind: Kind::OfpstRequest,
        min_version: 4,
        max_version: 6,
        number: 9,
        min_body: 8,
        extra_multiple: 0,
        name: "OFPST_METER request",
    },
    RawInfo {
        raw: Raw::Ofpst13MeterReply,
        kind: Kind::OfpstReply,
        min_version: 4,
        max_version: 6,
        number: 9,
        min_body: 0,
        extra_multiple: 8,
        name: "OFPST_METER reply",
    },
    RawInfo {
        raw: Raw::Ofpst13MeterConfigRequest,
        kind: Kind::OfpstRequest,
        min_version: 4,
        max_version: 6,
        number: 10,
        min_body: 8,
        extra_multiple: 0,
        name: "OFPST_METER_CONFIG request",
    },
    RawInfo {
        raw: Raw::Ofpst13MeterConfigReply,
        kind: Kind::OfpstReply,
        min_version: 4,
        max_version: 6,
        number: 10,
        min_body: 0,
        extra_multiple: 8,
        name: "OFPST_METER_CONFIG reply",
    },
    RawInfo {
        raw: Raw::Ofpst13MeterFeaturesRequest,
        kind: Kind::OfpstRequest,
        min_version: 4,
        max_version: 6,
        number: 11,
        min_body: 0,
        extra_multiple: 0,
        name: "OFPST_METER_FEATURES request",
    },
    RawInfo {
        raw: Raw::Ofpst13MeterFeaturesReply,
        kind: Kind::OfpstReply,
        min_version: 4,
        max_version: 6,
        number: 11,
        min_body: 16,
        extra_multiple: 0,
        name: "OFPST_METER_FEATURES reply",
    },
    RawInfo {
        raw: Raw::Ofpst13TableFeaturesRequest,
        kind: Kind::OfpstRequest,
        min_version: 4,
        max_version: 6,
        number: 12,
        min_body: 0,
        extra_multiple: 8,
        name: "OFPST_TABLE_FEATURES request",
    },
    RawInfo {
        raw: Raw::Ofpst13TableFeaturesReply,
        kind: Kind::OfpstReply,
        min_version: 4,
        max_version: 6,
        number: 12,
        min_body: 64,
        extra_multiple: 8,
        name: "OFPST_TABLE_FEATURES reply",
    },
    RawInfo {
        raw: Raw::Ofpst14TableDescRequest,
        kind: Kind::OfpstRequest,
        min_version: 5,
        max_version: 6,
        number: 14,
        min_body: 0,
        extra_multiple: 0,
        name: "OFPST_TABLE_DESC request",
    },
    RawInfo {
        raw: Raw::Ofpst14TableDescReply,
        kind: Kind::OfpstReply,
        min_version: 5,
        max_version: 6,
        number: 14,
        min_body: 8,
        extra_multiple: 8,
        name: "OFPST_TABLE_DESC reply",
    },
    RawInfo {
        raw: Raw::Ofpst10PortDescRequest,
        kind: Kind::OfpstRequest,
        min_version: 1,
        max_version: 5,
        number: 13,
        min_body: 0,
        extra_multiple: 0,
        name: "OFPST_PORT_DESC request",
    },
    RawInfo {
        raw: Raw::Ofpst15PortDescRequest,
        kind: Kind::OfpstRequest,
        min_version: 6,
        max_version: 6,
        number: 13,
        min_body: 8,
        extra_multiple: 0,
        name: "OFPST_PORT_DESC request",
    },
    RawInfo {
        raw: Raw::Ofpst10PortDescReply,
        kind: Kind::OfpstReply,
        min_version: 1,
        max_version: 1,
        number: 13,
        min_body: 0,
        extra_multiple: 48,
        name: "OFPST_PORT_DESC reply",
    },
    RawInfo {
        raw: Raw::Ofpst11PortDescReply,
        kind: Kind::OfpstReply,
        min_version: 2,
        max_version: 4,
        number: 13,
        min_body: 0,
        extra_multiple: 64,
        name: "OFPST_PORT_DESC reply",
    },
    RawInfo {
        raw: Raw::Ofpst14PortDescReply,
        kind: Kind::OfpstReply,
        min_version: 5,
        max_version: 6,
        number: 13,
        min_body: 0,
        extra_multiple: 8,
        name: "OFPST_PORT_DESC reply",
    },
    RawInfo {
        raw: Raw::Ofpst14QueueDescRequest,
        kind: Kind::OfpstRequest,
        min_version: 5,
        max_version: 6,
        number: 15,
        min_body: 8,
        extra_multiple: 0,
        name: "OFPST_QUEUE_DESC request",
    },
    RawInfo {
        raw: Raw::Ofpst14QueueDescReply,
        kind: Kind::OfpstReply,
        min_version: 5,
        max_version: 6,
        number: 15,
        min_body: 0,
        extra_multiple: 8,
        name: "OFPST_QUEUE_DESC reply",
    },
    RawInfo {
        raw: Raw::Ofpst14FlowMonitorRequest,
        kind: Kind::OfpstRequest,
        min_version: 5,
        max_version: 6,
        number: 16,
        min_body: 0,
        extra_multiple: 8,
        name: "OFPST_FLOW_MONITOR request",
    },
    RawInfo {
        raw: Raw::Onfst13FlowMonitorRequest,
        kind: Kind::OnfstRequest,
        min_version: 4,
        max_version: 4,
        number: 1870,
        min_body: 0,
        extra_multiple: 8,
        name: "ONFST_FLOW_MONITOR request",
    },
    RawInfo {
        raw: Raw::NxstFlowMonitorRequest,
        kind: Kind::NxstRequest,
        min_version: 1,
        max_version: 3,
        number: 2,
        min_body: 0,
        extra_multiple: 8,
        name: "NXST_FLOW_MONITOR request",
    },
    RawInfo {
        raw: Raw::Ofpst14FlowMonitorReply,
        kind: Kind::OfpstReply,
        min_version: 5,
        max_version: 6,
        number: 16,
        min_body: 0,
        extra_multiple: 8,
        name: "OFPST_FLOW_MONITOR reply",
    },
    RawInfo {
        raw: Raw::Onfst13FlowMonitorReply,
        kind: Kind::OnfstReply,
        min_version: 4,
        max_version: 4,
        number: 1870,
        min_body: 0,
        extra_multiple: 8,
        name: "ONFST_FLOW_MONITOR reply",
    },
    RawInfo {
        raw: Raw::NxstFlowMonitorReply,
        kind: Kind::NxstReply,
        min_version: 1,
        max_version: 3,
        number: 2,
        min_body: 0,
        extra_multiple: 8,
        name: "NXST_FLOW_MONITOR reply",
    },
    RawInfo {
        raw: Raw::Onft13FlowMonitorCancel,
        kind: Kind::Onft,
        min_version: 4,
        max_version: 4,
        number: 1870,
        min_body: 4,
        extra_multiple: 0,
        name: "ONFT_FLOW_MONITOR_CANCEL",
    },
    RawInfo {
        raw: Raw::NxtFlowMonitorCancel,
        kind: Kind::Nxt,
        min_version: 1,
        max_version: 3,
        number: 21,
        min_body: 4,
        extra_multiple: 0,
        name: "NXT_FLOW_MONITOR_CANCEL",
    },
    RawInfo {
        raw: Raw::Onft13FlowMonitorPaused,
        kind: Kind::Onft,
        min_version: 4,
        max_version: 4,
        number: 1871,
        min_body: 0,
        extra_multiple: 0,
        name: "ONFT_FLOW_MONITOR_PAUSED",
    },
    RawInfo {
        raw: Raw::NxtFlowMonitorPaused,
        kind: Kind::Nxt,
        min_version: 1,
        max_version: 3,
        number: 22,
        min_body: 0,
        extra_multiple: 0,
        name: "NXT_FLOW_MONITOR_PAUSED",
    },
    RawInfo {
        raw: Raw::Onft13FlowMonitorResumed,
        kind: Kind::Onft,
        min_version: 4,
        max_version: 4,
        number: 1872,
        min_body: 0,
        extra_multiple: 0,
        name: "ONFT_FLOW_MONITOR_RESUMED",
    },
    RawInfo {
        raw: Raw::NxtFlowMonitorResumed,
        kind: Kind::Nxt,
        min_version: 1,
        max_version: 3,
        number: 23,
        min_body: 0,
        extra_multiple: 0,
        name: "NXT_FLOW_MONITOR_RESUMED",
    },
    RawInfo {
        raw: Raw::NxtSetFlowFormat,
        kind: Kind::Nxt,
        min_version: 1,
        max_version: 1,
        number: 12,
        min_body: 4,
        extra_multiple: 0,
        name: "NXT_SET_FLOW_FORMAT",
    },
    RawInfo {
        raw: Raw::NxtFlowModTableId,
        kind: Kind::Nxt,
        min_version: 1,
        max_version: 6,
        number: 15,
        min_body: 8,
        extra_multiple: 0,
        name: "NXT_FLOW_MOD_TABLE_ID",
    },
    RawInfo {
        raw: Raw::NxtSetPacketInFormat,
        kind: Kind::Nxt,
        min_version: 1,
        max_version: 6,
        number: 16,
        min_body: 4,
        extra_multiple: 0,
        name: "NXT_SET_PACKET_IN_FORMAT",
    },
    RawInfo {
        raw: Raw::NxtFlowAge,
        kind: Kind::Nxt,
        min_version: 1,
        max_version: 6,
        number: 18,
        min_body: 0,
        extra_multiple: 0,
        name: "NXT_FLOW_AGE",
    },
    RawInfo {
        raw: Raw::NxtSetControllerId,
        kind: Kind::Nxt,
        min_version: 1,
        max_version: 6,
        number: 20,
        min_body: 8,
        extra_multiple: 0,
        name: "NXT_SET_CONTROLLER_ID",
    },
    RawInfo {
        raw: Raw::NxtTlvTableMod,
        kind: Kind::Nxt,
        min_version: 1,
        max_version: 6,
        number: 24,
        min_body: 8,
        extra_multiple: 8,
        name: "NXT_TLV_TABLE_MOD",
    },
    RawInfo {
        raw: Raw::NxtTlvTableRequest,
        kind: Kind::Nxt,
        min_version: 1,
        max_version: 6,
        number: 25,
        min_body: 0,
        extra_multiple: 0,
        name: "NXT_TLV_TABLE_REQUEST",
    },
    RawInfo {
        raw: Raw::NxtTlvTableReply,
        kind: Kind::Nxt,
        min_version: 1,
        max_version: 6,
        number: 26,
        min_body: 16,
        extra_multiple: 8,
        name: "NXT_TLV_TABLE_REPLY",
    },
    RawInfo {
        raw: Raw::NxtResume,
        kind: Kind::Nxt,
        min_version: 1,
        max_version: 6,
        number: 28,
        min_body: 0,
        extra_multiple: 8,
        name: "NXT_RESUME",
    },
    RawInfo {
        raw: Raw::NxtCtFlushZone,
        kind: Kind::Nxt,
        min_version: 1,
        max_version: 6,
        number: 29,
        min_body: 8,
        extra_multiple: 0,
        name: "NXT_CT_FLUSH_ZONE",
    },
    RawInfo {
        raw: Raw::NxtCtFlush,
        kind: Kind::Nxt,
        min_version: 1,
        max_version: 6,
        number: 32,
        min_body: 8,
        extra_multiple: 8,
        name: "NXT_CT_FLUSH",
    },
    RawInfo {
        raw: Raw::NxstIpfixBridgeRequest,
        kind: Kind::NxstRequest,
        min_version: 1,
        max_version: 6,
        number: 3,
        min_body: 0,
        extra_multiple: 0,
        name: "NXST_IPFIX_BRIDGE request",
    },
    RawInfo {
        raw: Raw::NxstIpfixBridgeReply,
        kind: Kind::NxstReply,
        min_version: 1,
        max_version: 6,
        number: 3,
        min_body: 88,
        extra_multiple: 0,
        name: "NXST_IPFIX_BRIDGE reply",
    },
    RawInfo {
        raw: Raw::NxstIpfixFlowRequest,
        kind: Kind::NxstRequest,
        min_version: 1,
        max_version: 6,
        number: 4,
        min_body: 0,
        extra_multiple: 0,
        name: "NXST_IPFIX_FLOW request",
    },
    RawInfo {
        raw: Raw::NxstIpfixFlowReply,
        kind: Kind::NxstReply,
        min_version: 1,
        max_version: 6,
        number: 4,
        min_body: 0,
        extra_multiple: 88,
        name: "NXST_IPFIX_FLOW reply",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_declaration_order() {
        for (i, info) in RAW_INFOS.iter().enumerate() {
            assert_eq!(info.raw as usize, i, "{}", info.name);
        }
    }

    #[test]
    fn headers_are_unique() {
        for v in 1..=6u8 {
            let mut seen = Vec::new();
            for info in RAW_INFOS.iter().filter(|i| i.raw.in_version(v)) {
                let h = info.hdrs(v);
                assert!(!seen.contains(&h), "{} v{v}", info.name);
                seen.push(h);
                assert_eq!(Raw::from_hdrs(&h), Ok(info.raw));
            }
        }
    }

    #[test]
    fn header_round_trip() {
        for v in 1..=6u8 {
            for info in RAW_INFOS.iter().filter(|i| i.raw.in_version(v)) {
                let mut w = Writer::new();
                put_header(&mut w, info.raw, v, 7);
                let n = w.len();
                w.zeros(usize::from(info.min_body));
                let len = w.len() as u16;
                w.patch_u16(2, len);
                let (raw, hl) = classify(w.as_slice()).unwrap();
                assert_eq!((raw, hl), (info.raw, n), "{}", info.name);
            }
        }
    }

    #[test]
    fn unknown_forms() {
        // OF1.3 type 99.
        assert_eq!(
            classify(&[4, 99, 0, 8, 0, 0, 0, 1]),
            Err(OfpErr::OfpbrcBadType)
        );
        // OF1.3 multipart type 77.
        let mut m = vec![4, 18, 0, 16, 0, 0, 0, 1, 0, 77, 0, 0, 0, 0, 0, 0];
        assert_eq!(classify(&m), Err(OfpErr::OfpbrcBadStat));
        m[9] = 0;
        assert_eq!(classify(&m).map(|r| r.0), Ok(Raw::OfpstDescRequest));
        // Unknown vendor and unknown Nicira subtype.
        let v = [1, 4, 0, 16, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 1];
        assert_eq!(classify(&v), Err(OfpErr::OfpbrcBadVendor));
        let n = [1, 4, 0, 16, 0, 0, 0, 1, 0, 0, 0x23, 0x20, 0, 0, 0, 200];
        assert_eq!(classify(&n), Err(OfpErr::OfpbrcBadSubtype));
        // Short vendor header, bad fixed length.
        assert_eq!(
            classify(&[1, 4, 0, 12, 0, 0, 0, 1, 0, 0, 0x23, 0x20]),
            Err(OfpErr::OfpbrcBadLen)
        );
        assert_eq!(
            classify(&[1, 5, 0, 9, 0, 0, 0, 1, 0]),
            Err(OfpErr::OfpbrcBadLen)
        );
        // Hello of an unknown future version is still a hello.
        assert_eq!(
            classify(&[9, 0, 0, 8, 0, 0, 0, 1]).map(|r| r.0),
            Ok(Raw::OfptHello)
        );
    }
}
