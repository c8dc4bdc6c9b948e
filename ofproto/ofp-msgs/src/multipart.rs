//! Multipart (statistics) requests and replies: the bodies of every
//! `OFPST_*`/`OFPMP_*`, `NXST_*` and `ONFST_*` message.

use ovs_flow::TlvTable;
use ovs_ofp_core::{OfpErr, OfpPort, Reader, Version, Writer};

use crate::error::EncodeError;
use crate::flow::{AggregateStats, FlowStats, FlowStatsRequest};
use crate::group::{GroupDesc, GroupFeatures, GroupStats};
use crate::meter::{MeterConfig, MeterFeatures, MeterStats};
use crate::monitor::{FlowMonitorRequest, FlowUpdate};
use crate::nx::IpfixStats;
use crate::port::{PhyPort, PortStats};
use crate::queue::{QueueConfig, QueueConfigRequest, QueueStats, QueueStatsRequest};
use crate::raw::Raw;
use crate::table::{TableDesc, TableFeatures, TableStats};
use crate::util::{get_name, port_from_of11, put_name, short};

/// `OFPST_DESC` reply (`ofp_desc_stats`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DescStats {
    /// At most 255 bytes.
    pub mfr_desc: String,
    pub hw_desc: String,
    pub sw_desc: String,
    /// At most 31 bytes.
    pub serial_num: String,
    pub dp_desc: String,
}

/// `DESC_STR_LEN`.
pub const DESC_STR_LEN: usize = 256;
/// `SERIAL_NUM_LEN`.
pub const SERIAL_NUM_LEN: usize = 32;

impl DescStats {
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<DescStats, OfpErr> {
        Ok(DescStats {
            mfr_desc: get_name(r, DESC_STR_LEN)?,
            hw_desc: get_name(r, DESC_STR_LEN)?,
            sw_desc: get_name(r, DESC_STR_LEN)?,
            serial_num: get_name(r, SERIAL_NUM_LEN)?,
            dp_desc: get_name(r, DESC_STR_LEN)?,
        })
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        put_name(w, &self.mfr_desc, DESC_STR_LEN);
        put_name(w, &self.hw_desc, DESC_STR_LEN);
        put_name(w, &self.sw_desc, DESC_STR_LEN);
        put_name(w, &self.serial_num, SERIAL_NUM_LEN);
        put_name(w, &self.dp_desc, DESC_STR_LEN);
    }
}

/// The body of a multipart request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MpRequest {
    Desc,
    /// `OFPST_FLOW` or `NXST_FLOW`.
    Flow(FlowStatsRequest),
    /// `OFPST_AGGREGATE` or `NXST_AGGREGATE`.
    Aggregate(FlowStatsRequest),
    Table,
    /// `OFPP_ANY` (`OfpPort::NONE`) for all ports.
    PortStats {
        port: OfpPort,
    },
    QueueStats(QueueStatsRequest),
    /// `OFPG_ALL` for all groups.
    GroupStats {
        group_id: u32,
    },
    /// `OFPG_ALL` for all groups (always, before OpenFlow 1.5).
    GroupDesc {
        group_id: u32,
    },
    GroupFeatures,
    /// `OFPM_ALL` for all meters.
    MeterStats {
        meter_id: u32,
    },
    MeterConfig {
        meter_id: u32,
    },
    MeterFeatures,
    /// Empty to read, non-empty to configure (OpenFlow 1.3+).
    TableFeatures(Vec<TableFeatures>),
    TableDesc,
    /// `OFPP_ANY` for all ports (a port filter only in OpenFlow 1.5).
    PortDesc {
        port: OfpPort,
    },
    /// OpenFlow 1.4+ queue configuration request.
    QueueDesc(QueueConfigRequest),
    FlowMonitor(Vec<FlowMonitorRequest>),
    IpfixBridge,
    IpfixFlow,
}

/// A multipart request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultipartRequest {
    /// `OFPSF_REQ_MORE` (bit 0) and any other flags, as on the wire.
    pub flags: u16,
    pub body: MpRequest,
}

/// The body of a multipart reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MpReply {
    Desc(DescStats),
    /// `nx`: the `NXST_FLOW` form (OpenFlow 1.0 only).
    Flow {
        nx: bool,
        stats: Vec<FlowStats>,
    },
    Aggregate {
        nx: bool,
        stats: AggregateStats,
    },
    Table(Vec<TableStats>),
    PortStats(Vec<PortStats>),
    QueueStats(Vec<QueueStats>),
    GroupStats(Vec<GroupStats>),
    GroupDesc(Vec<GroupDesc>),
    GroupFeatures(GroupFeatures),
    MeterStats(Vec<MeterStats>),
    MeterConfig(Vec<MeterConfig>),
    MeterFeatures(MeterFeatures),
    TableFeatures(Vec<TableFeatures>),
    TableDesc(Vec<TableDesc>),
    PortDesc(Vec<PhyPort>),
    QueueDesc(Vec<QueueConfig>),
    FlowMonitor(Vec<FlowUpdate>),
    IpfixBridge(IpfixStats),
    IpfixFlow(Vec<IpfixStats>),
}

/// A multipart reply (one part; see [`crate::encode_all`] for splitting).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultipartReply {
    /// `OFPSF_REPLY_MORE` (bit 0) and any other flags, as on the wire.
    pub flags: u16,
    pub body: MpReply,
}

fn not_in(what: &'static str, version: Version) -> EncodeError {
    EncodeError::NotInVersion { what, version }
}

impl MpRequest {
    /// The wire form of this request in `version`.
    pub(crate) fn raw(&self, version: Version) -> Result<Raw, EncodeError> {
        use Version::*;
        let v = version;
        Ok(match self {
            MpRequest::Desc => Raw::OfpstDescRequest,
            MpRequest::Flow(r) if r.nx => {
                if v != Of10 {
                    return Err(not_in("NXST_FLOW", v));
                }
                Raw::NxstFlowRequest
            }
            MpRequest::Flow(_) => {
                if v == Of10 {
                    Raw::Ofpst10FlowRequest
                } else {
                    Raw::Ofpst11FlowRequest
                }
            }
            MpRequest::Aggregate(r) if r.nx => {
                if v != Of10 {
                    return Err(not_in("NXST_AGGREGATE", v));
                }
                Raw::NxstAggregateRequest
            }
            MpRequest::Aggregate(_) => match v {
                Of10 => Raw::Ofpst10AggregateRequest,
                Of15 => Raw::Ofpst15AggregateRequest,
                _ => Raw::Ofpst11AggregateRequest,
            },
            MpRequest::Table => Raw::OfpstTableRequest,
            MpRequest::PortStats { .. } => {
                if v == Of10 {
                    Raw::Ofpst10PortRequest
                } else {
                    Raw::Ofpst11PortRequest
                }
            }
            MpRequest::QueueStats(_) => {
                if v == Of10 {
                    Raw::Ofpst10QueueRequest
                } else {
                    Raw::Ofpst11QueueRequest
                }
            }
            MpRequest::GroupStats { .. } => {
                if v == Of10 {
                    Raw::NxstGroupRequest
                } else {
                    Raw::Ofpst11GroupRequest
                }
            }
            MpRequest::GroupDesc { .. } => match v {
                Of10 => Raw::NxstGroupDescRequest,
                Of15 => Raw::Ofpst15GroupDescRequest,
                _ => Raw::Ofpst11GroupDescRequest,
            },
            MpRequest::GroupFeatures => {
                if v <= Of11 {
                    Raw::NxstGroupFeaturesRequest
                } else {
                    Raw::Ofpst12GroupFeaturesRequest
                }
            }
            MpRequest::MeterStats { .. } => Raw::Ofpst13MeterRequest,
            MpRequest::MeterConfig { .. } => Raw::Ofpst13MeterConfigRequest,
            MpRequest::MeterFeatures => Raw::Ofpst13MeterFeaturesRequest,
            MpRequest::TableFeatures(_) => Raw::Ofpst13TableFeaturesRequest,
            MpRequest::TableDesc => Raw::Ofpst14TableDescRequest,
            MpRequest::PortDesc { .. } => {
                if v == Of15 {
                    Raw::Ofpst15PortDescRequest
                } else {
                    Raw::Ofpst10PortDescRequest
                }
            }
            MpRequest::QueueDesc(_) => Raw::Ofpst14QueueDescRequest,
            MpRequest::FlowMonitor(_) => match v {
                Of10 | Of11 | Of12 => Raw::NxstFlowMonitorRequest,
                Of13 => Raw::Onfst13FlowMonitorRequest,
                _ => Raw::Ofpst14FlowMonitorRequest,
            },
            MpRequest::IpfixBridge => Raw::NxstIpfixBridgeRequest,
            MpRequest::IpfixFlow => Raw::NxstIpfixFlowRequest,
        })
    }

    pub(crate) fn decode(
        raw: Raw,
        version: Version,
        tlv: Option<&TlvTable>,
        r: &mut Reader<'_>,
    ) -> Result<MpRequest, OfpErr> {
        Ok(match raw {
            Raw::OfpstDescRequest => MpRequest::Desc,
            Raw::Ofpst10FlowRequest | Raw::Ofpst11FlowRequest => {
                MpRequest::Flow(FlowStatsRequest::decode(version, false, tlv, r)?)
            }
            Raw::NxstFlowRequest => {
                MpRequest::Flow(FlowStatsRequest::decode(version, true, tlv, r)?)
            }
            Raw::Ofpst10AggregateRequest
            | Raw::Ofpst11AggregateRequest
            | Raw::Ofpst15AggregateRequest => {
                MpRequest::Aggregate(FlowStatsRequest::decode(version, false, tlv, r)?)
            }
            Raw::NxstAggregateRequest => {
                MpRequest::Aggregate(FlowStatsRequest::decode(version, true, tlv, r)?)
            }
            Raw::OfpstTableRequest => MpRequest::Table,
            Raw::Ofpst10PortRequest => MpRequest::PortStats {
                port: OfpPort(r.u16().map_err(short)?),
            },
            Raw::Ofpst11PortRequest => MpRequest::PortStats {
                port: port_from_of11(r.u32().map_err(short)?)?,
            },
            Raw::Ofpst10QueueRequest | Raw::Ofpst11QueueRequest => {
                MpRequest::QueueStats(QueueStatsRequest::decode(version, r)?)
            }
            Raw::NxstGroupRequest | Raw::Ofpst11GroupRequest => MpRequest::GroupStats {
                group_id: r.u32().map_err(short)?,
            },
            Raw::Ofpst11GroupDescRequest => MpRequest::GroupDesc {
                group_id: crate::util::OFPG_ALL,
            },
            Raw::NxstGroupDescRequest | Raw::Ofpst15GroupDescRequest => MpRequest::GroupDesc {
                group_id: r.u32().map_err(short)?,
            },
            Raw::NxstGroupFeaturesRequest | Raw::Ofpst12GroupFeaturesRequest => {
                MpRequest::GroupFeatures
            }
            Raw::Ofpst13MeterRequest => MpRequest::MeterStats {
                meter_id: r.u32().map_err(short)?,
            },
            Raw::Ofpst13MeterConfigRequest => MpRequest::MeterConfig {
                meter_id: r.u32().map_err(short)?,
            },
            Raw::Ofpst13MeterFeaturesRequest => MpRequest::MeterFeatures,
            Raw::Ofpst13TableFeaturesRequest => {
                let mut v = Vec::new();
                while !r.is_empty() {
                    v.push(TableFeatures::decode(version, false, r)?);
                }
                MpRequest::TableFeatures(v)
            }
            Raw::Ofpst14TableDescRequest => MpRequest::TableDesc,
            Raw::Ofpst10PortDescRequest => MpRequest::PortDesc {
                port: OfpPort::NONE,
            },
            Raw::Ofpst15PortDescRequest => MpRequest::PortDesc {
                port: port_from_of11(r.u32().map_err(short)?)?,
            },
            Raw::Ofpst14QueueDescRequest => {
                MpRequest::QueueDesc(QueueConfigRequest::decode(version, r)?)
            }
            Raw::Ofpst14FlowMonitorRequest
            | Raw::Onfst13FlowMonitorRequest
            | Raw::NxstFlowMonitorRequest => {
                let mut v = Vec::new();
                while !r.is_empty() {
                    v.push(FlowMonitorRequest::decode(version, r)?);
                }
                MpRequest::FlowMonitor(v)
            }
            Raw::NxstIpfixBridgeRequest => MpRequest::IpfixBridge,
            Raw::NxstIpfixFlowRequest => MpRequest::IpfixFlow,
            _ => return Err(OfpErr::OfpbrcBadStat),
        })
    }

    pub(crate) fn encode(&self, version: Version, w: &mut Writer) {
        match self {
            MpRequest::Desc
            | MpRequest::Table
            | MpRequest::GroupFeatures
            | MpRequest::MeterFeatures
            | MpRequest::TableDesc
            | MpRequest::IpfixBridge
            | MpRequest::IpfixFlow => {}
            MpRequest::Flow(r) | MpRequest::Aggregate(r) => r.encode(version, w),
            MpRequest::PortStats { port } => {
                if version == Version::Of10 {
                    w.u16(port.0);
                    w.zeros(6);
                } else {
                    w.u32(port.to_of11());
                    w.zeros(4);
                }
            }
            MpRequest::QueueStats(q) => q.encode(version, w),
            MpRequest::GroupStats { group_id } => {
                w.u32(*group_id);
                w.zeros(4);
            }
            MpRequest::GroupDesc { group_id } => {
                if version == Version::Of10 || version == Version::Of15 {
                    w.u32(*group_id);
                    w.zeros(4);
                }
            }
            MpRequest::MeterStats { meter_id } | MpRequest::MeterConfig { meter_id } => {
                w.u32(*meter_id);
                w.zeros(4);
            }
            MpRequest::TableFeatures(v) => {
                for t in v {
                    t.encode(version, w);
                }
            }
            MpRequest::PortDesc { port } => {
                if version == Version::Of15 {
                    w.u32(port.to_of11());
                    w.zeros(4);
                }
            }
            MpRequest::QueueDesc(q) => q.encode(version, w),
            MpRequest::FlowMonitor(v) => {
                for m in v {
                    m.encode(version, w);
                }
            }
        }
    }
}

impl MpReply {
    /// The wire form of this reply in `version`.
    pub(crate) fn raw(&self, version: Version) -> Result<Raw, EncodeError> {
        use Version::*;
        let v = version;
        Ok(match self {
            MpReply::Desc(_) => Raw::OfpstDescReply,
            MpReply::Flow { nx: true, .. } => {
                if v != Of10 {
                    return Err(not_in("NXST_FLOW", v));
                }
                Raw::NxstFlowReply
            }
            MpReply::Flow { .. } => match v {
                Of10 => Raw::Ofpst10FlowReply,
                Of11 | Of12 => Raw::Ofpst11FlowReply,
                Of13 | Of14 => Raw::Ofpst13FlowReply,
                Of15 => Raw::Ofpst15FlowReply,
            },
            MpReply::Aggregate { nx: true, .. } => {
                if v != Of10 {
                    return Err(not_in("NXST_AGGREGATE", v));
                }
                Raw::NxstAggregateReply
            }
            MpReply::Aggregate { .. } => {
                if v == Of15 {
                    Raw::Ofpst15AggregateReply
                } else {
                    Raw::OfpstAggregateReply
                }
            }
            MpReply::Table(_) => match v {
                Of10 => Raw::Ofpst10TableReply,
                Of11 => Raw::Ofpst11TableReply,
                Of12 => Raw::Ofpst12TableReply,
                _ => Raw::Ofpst13TableReply,
            },
            MpReply::PortStats(_) => match v {
                Of10 => Raw::Ofpst10PortReply,
                Of11 | Of12 => Raw::Ofpst11PortReply,
                Of13 => Raw::Ofpst13PortReply,
                _ => Raw::Ofpst14PortReply,
            },
            MpReply::QueueStats(_) => match v {
                Of10 => Raw::Ofpst10QueueReply,
                Of11 | Of12 => Raw::Ofpst11QueueReply,
                Of13 => Raw::Ofpst13QueueReply,
                _ => Raw::Ofpst14QueueReply,
            },
            MpReply::GroupStats(_) => match v {
                Of10 => Raw::NxstGroupReply,
                Of11 | Of12 => Raw::Ofpst11GroupReply,
                _ => Raw::Ofpst13GroupReply,
            },
            MpReply::GroupDesc(_) => {
                if v == Of10 {
                    Raw::NxstGroupDescReply
                } else {
                    Raw::Ofpst11GroupDescReply
                }
            }
            MpReply::GroupFeatures(_) => {
                if v <= Of11 {
                    Raw::NxstGroupFeaturesReply
                } else {
                    Raw::Ofpst12GroupFeaturesReply
                }
            }
            MpReply::MeterStats(_) => Raw::Ofpst13MeterReply,
            MpReply::MeterConfig(_) => Raw::Ofpst13MeterConfigReply,
            MpReply::MeterFeatures(_) => Raw::Ofpst13MeterFeaturesReply,
            MpReply::TableFeatures(_) => Raw::Ofpst13TableFeaturesReply,
            MpReply::TableDesc(_) => Raw::Ofpst14TableDescReply,
            MpReply::PortDesc(_) => match v {
                Of10 => Raw::Ofpst10PortDescReply,
                Of11 | Of12 | Of13 => Raw::Ofpst11PortDescReply,
                _ => Raw::Ofpst14PortDescReply,
            },
            MpReply::QueueDesc(_) => Raw::Ofpst14QueueDescReply,
            MpReply::FlowMonitor(u)
                if v <= Of13
                    && u.iter()
                        .any(|u| matches!(u, FlowUpdate::Paused | FlowUpdate::Resumed)) =>
            {
                return Err(not_in("paused/resumed flow updates", v));
            }
            MpReply::FlowMonitor(_) => match v {
                Of10 | Of11 | Of12 => Raw::NxstFlowMonitorReply,
                Of13 => Raw::Onfst13FlowMonitorReply,
                _ => Raw::Ofpst14FlowMonitorReply,
            },
            MpReply::IpfixBridge(_) => Raw::NxstIpfixBridgeReply,
            MpReply::IpfixFlow(_) => Raw::NxstIpfixFlowReply,
        })
    }

    pub(crate) fn decode(
        raw: Raw,
        version: Version,
        tlv: Option<&TlvTable>,
        r: &mut Reader<'_>,
    ) -> Result<MpReply, OfpErr> {
        fn list<T>(
            r: &mut Reader<'_>,
            mut f: impl FnMut(&mut Reader<'_>) -> Result<T, OfpErr>,
        ) -> Result<Vec<T>, OfpErr> {
            let mut v = Vec::new();
            while !r.is_empty() {
                v.push(f(r)?);
            }
            Ok(v)
        }
        Ok(match raw {
            Raw::OfpstDescReply => MpReply::Desc(DescStats::decode(r)?),
            Raw::Ofpst10FlowReply
            | Raw::Ofpst11FlowReply
            | Raw::Ofpst13FlowReply
            | Raw::Ofpst15FlowReply => MpReply::Flow {
                nx: false,
                stats: list(r, |r| FlowStats::decode(version, false, tlv, r))?,
            },
            Raw::NxstFlowReply => MpReply::Flow {
                nx: true,
                stats: list(r, |r| FlowStats::decode(version, true, tlv, r))?,
            },
            Raw::OfpstAggregateReply | Raw::Ofpst15AggregateReply => MpReply::Aggregate {
                nx: false,
                stats: AggregateStats::decode(version, r)?,
            },
            Raw::NxstAggregateReply => MpReply::Aggregate {
                nx: true,
                stats: AggregateStats::decode(version, r)?,
            },
            Raw::Ofpst10TableReply
            | Raw::Ofpst11TableReply
            | Raw::Ofpst12TableReply
            | Raw::Ofpst13TableReply => {
                MpReply::Table(list(r, |r| TableStats::decode(version, r))?)
            }
            Raw::Ofpst10PortReply
            | Raw::Ofpst11PortReply
            | Raw::Ofpst13PortReply
            | Raw::Ofpst14PortReply => {
                MpReply::PortStats(list(r, |r| PortStats::decode(version, r))?)
            }
            Raw::Ofpst10QueueReply
            | Raw::Ofpst11QueueReply
            | Raw::Ofpst13QueueReply
            | Raw::Ofpst14QueueReply => {
                MpReply::QueueStats(list(r, |r| QueueStats::decode(version, r))?)
            }
            Raw::NxstGroupReply | Raw::Ofpst11GroupReply | Raw::Ofpst13GroupReply => {
                MpReply::GroupStats(list(r, |r| GroupStats::decode(version, r))?)
            }
            Raw::NxstGroupDescReply | Raw::Ofpst11GroupDescReply => {
                MpReply::GroupDesc(list(r, |r| GroupDesc::decode(version, r))?)
            }
            Raw::NxstGroupFeaturesReply | Raw::Ofpst12GroupFeaturesReply => {
                MpReply::GroupFeatures(GroupFeatures::decode(r)?)
            }
            Raw::Ofpst13MeterReply => MpReply::MeterStats(list(r, MeterStats::decode)?),
            Raw::Ofpst13MeterConfigReply => MpReply::MeterConfig(list(r, MeterConfig::decode)?),
            Raw::Ofpst13MeterFeaturesReply => MpReply::MeterFeatures(MeterFeatures::decode(r)?),
            Raw::Ofpst13TableFeaturesReply => {
                MpReply::TableFeatures(list(r, |r| TableFeatures::decode(version, true, r))?)
            }
            Raw::Ofpst14TableDescReply => {
                MpReply::TableDesc(list(r, |r| TableDesc::decode(version, r))?)
            }
            Raw::Ofpst10PortDescReply | Raw::Ofpst11PortDescReply | Raw::Ofpst14PortDescReply => {
                MpReply::PortDesc(list(r, |r| PhyPort::decode(version, r))?)
            }
            Raw::Ofpst14QueueDescReply => MpReply::QueueDesc(list(r, QueueConfig::decode_of14)?),
            Raw::NxstFlowMonitorReply
            | Raw::Onfst13FlowMonitorReply
            | Raw::Ofpst14FlowMonitorReply => {
                MpReply::FlowMonitor(list(r, |r| FlowUpdate::decode(version, r))?)
            }
            Raw::NxstIpfixBridgeReply => MpReply::IpfixBridge(IpfixStats::decode(r)?),
            Raw::NxstIpfixFlowReply => MpReply::IpfixFlow(list(r, IpfixStats::decode)?),
            _ => return Err(OfpErr::OfpbrcBadStat),
        })
    }

    /// True for the replies made of a list of entries (the others have
    /// one body, written by [`MpReply::encode_single`]).
    pub(crate) fn is_list(&self) -> bool {
        !matches!(
            self,
            MpReply::Desc(_)
                | MpReply::Aggregate { .. }
                | MpReply::GroupFeatures(_)
                | MpReply::MeterFeatures(_)
                | MpReply::IpfixBridge(_)
        )
    }

    /// Pushes each entry of a list reply (nothing for the others).
    pub(crate) fn encode_entries(
        &self,
        version: Version,
        tlv: Option<&TlvTable>,
        enc: &mut impl EntrySink,
    ) {
        fn each<T>(enc: &mut impl EntrySink, v: &[T], mut f: impl FnMut(&T, &mut Writer)) {
            for e in v {
                enc.push(|w| f(e, w));
            }
        }
        match self {
            MpReply::Desc(_)
            | MpReply::Aggregate { .. }
            | MpReply::GroupFeatures(_)
            | MpReply::MeterFeatures(_)
            | MpReply::IpfixBridge(_) => {}
            MpReply::Flow { nx, stats } => each(enc, stats, |e, w| e.encode(version, *nx, tlv, w)),
            MpReply::Table(v) => each(enc, v, |e, w| e.encode(version, w)),
            MpReply::PortStats(v) => each(enc, v, |e, w| e.encode(version, w)),
            MpReply::QueueStats(v) => each(enc, v, |e, w| e.encode(version, w)),
            MpReply::GroupStats(v) => each(enc, v, |e, w| e.encode(version, w)),
            MpReply::GroupDesc(v) => each(enc, v, |e, w| e.encode(version, w)),
            MpReply::MeterStats(v) => each(enc, v, |e, w| e.encode(w)),
            MpReply::MeterConfig(v) => each(enc, v, |e, w| e.encode(w)),
            MpReply::TableFeatures(v) => each(enc, v, |e, w| e.encode(version, w)),
            MpReply::TableDesc(v) => each(enc, v, |e, w| e.encode(version, false, w)),
            MpReply::PortDesc(v) => each(enc, v, |e, w| e.encode(version, w)),
            MpReply::QueueDesc(v) => each(enc, v, |e, w| e.encode_of14(w)),
            MpReply::FlowMonitor(v) => each(enc, v, |e, w| e.encode(version, tlv, w)),
            MpReply::IpfixFlow(v) => each(enc, v, |e, w| e.encode(w)),
        }
    }

    pub(crate) fn encode_single(&self, version: Version, tlv: Option<&TlvTable>, w: &mut Writer) {
        match self {
            MpReply::Desc(d) => d.encode(w),
            MpReply::Aggregate { nx, stats } => {
                stats.encode(version, version == Version::Of10 && !nx, w)
            }
            MpReply::GroupFeatures(f) => f.encode(w),
            MpReply::MeterFeatures(f) => f.encode(w),
            MpReply::IpfixBridge(s) => s.encode(w),
            _ => self.encode_entries(version, tlv, w),
        }
    }
}

/// Where list entries go: one message ([`Writer`]) or messages split as
/// they fill ([`crate::MultipartEncoder`]).
pub(crate) trait EntrySink {
    fn push(&mut self, encode: impl FnOnce(&mut Writer));
}

impl EntrySink for Writer {
    fn push(&mut self, encode: impl FnOnce(&mut Writer)) {
        encode(self);
    }
}

impl EntrySink for crate::MultipartEncoder {
    fn push(&mut self, encode: impl FnOnce(&mut Writer)) {
        crate::MultipartEncoder::push(self, encode);
    }
}
