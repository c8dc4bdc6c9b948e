//! Flow monitoring: requests and flow updates in their Nicira (OpenFlow
//! 1.0-1.2), ONF (OpenFlow 1.3) and OpenFlow 1.4+ forms.

use ovs_flow::{Match, TlvTable};
use ovs_ofp_actions::{
    Action, decode_actions, decode_instructions, encode_actions_with, encode_instructions_with,
};
use ovs_ofp_core::{OfpErr, OfpPort, Reader, Version, Writer};
use ovs_ofp_match::{NxmOptions, decode_match, encode_match, encode_match_tlv};

use crate::flow::{action_encode_options, pull_nxm, put_nxm};
use crate::util::{OFPG_ANY, port_from_of11, short};

/// Flow monitor flags in OpenFlow 1.4 numbering (`OFPFMF_*`).
pub mod monitor_flags {
    pub const INITIAL: u16 = 1 << 0;
    pub const ADD: u16 = 1 << 1;
    pub const REMOVED: u16 = 1 << 2;
    pub const MODIFY: u16 = 1 << 3;
    pub const INSTRUCTIONS: u16 = 1 << 4;
    pub const NO_ABBREV: u16 = 1 << 5;
    pub const ONLY_OWN: u16 = 1 << 6;
}

/// Flow monitor commands (OpenFlow 1.4+; the older forms only add).
pub mod monitor_command {
    pub const ADD: u8 = 0;
    pub const MODIFY: u8 = 1;
    pub const DELETE: u8 = 2;
}

/// Nicira/ONF flags: the same bits as OpenFlow 1.4's up to "instructions",
/// then "own" at bit 5.
fn nx_to_of_flags(f: u16) -> u16 {
    (f & 0x1f)
        | if f & (1 << 5) != 0 {
            monitor_flags::ONLY_OWN
        } else {
            0
        }
}

fn of_to_nx_flags(f: u16) -> u16 {
    (f & 0x1f)
        | if f & monitor_flags::ONLY_OWN != 0 {
            1 << 5
        } else {
            0
        }
}

/// One flow monitor request (OVS's `ofputil_flow_monitor_request`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowMonitorRequest {
    pub id: u32,
    /// [`monitor_command`].
    pub command: u8,
    /// [`monitor_flags`].
    pub flags: u16,
    pub out_port: OfpPort,
    /// OpenFlow 1.4+.
    pub out_group: u32,
    pub table_id: u8,
    pub match_: Match,
}

impl FlowMonitorRequest {
    pub(crate) fn decode(
        version: Version,
        r: &mut Reader<'_>,
    ) -> Result<FlowMonitorRequest, OfpErr> {
        if r.remaining() < 16 {
            return Err(OfpErr::OfpbrcBadLen);
        }
        match version {
            Version::Of10 | Version::Of11 | Version::Of12 | Version::Of13 => {
                let id = r.u32().map_err(short)?;
                let flags = r.u16().map_err(short)?;
                let (out_port, match_len, table_id, zeros);
                if version == Version::Of13 {
                    match_len = usize::from(r.u16().map_err(short)?);
                    out_port = r.u32().map_err(short)?;
                    table_id = r.u8().map_err(short)?;
                    zeros = r.take(3).map_err(short)?;
                } else {
                    out_port = u32::from(r.u16().map_err(short)?);
                    match_len = usize::from(r.u16().map_err(short)?);
                    table_id = r.u8().map_err(short)?;
                    zeros = r.take(5).map_err(short)?;
                }
                if flags & 0xe == 0 || flags & !0x3f != 0 {
                    return Err(OfpErr::OfpmofcBadFlags);
                }
                if zeros.iter().any(|b| *b != 0) {
                    return Err(OfpErr::NxbrcMustBeZero);
                }
                let (out_port, match_) = if version == Version::Of13 {
                    let p = port_from_of11(out_port)?;
                    (p, decode_match(version, r)?)
                } else {
                    let m = pull_nxm(r, match_len, NxmOptions::default())?.m;
                    (OfpPort(out_port as u16), m)
                };
                Ok(FlowMonitorRequest {
                    id,
                    command: monitor_command::ADD,
                    flags: nx_to_of_flags(flags),
                    out_port,
                    out_group: OFPG_ANY,
                    table_id,
                    match_,
                })
            }
            Version::Of14 | Version::Of15 => {
                let id = r.u32().map_err(short)?;
                let out_port = r.u32().map_err(short)?;
                let out_group = r.u32().map_err(short)?;
                let flags = r.u16().map_err(short)?;
                let table_id = r.u8().map_err(short)?;
                let command = r.u8().map_err(short)?;
                if command == monitor_command::DELETE {
                    let match_ = decode_match(version, r)?;
                    return Ok(FlowMonitorRequest {
                        id,
                        command,
                        flags: 0,
                        out_port: OfpPort::NONE,
                        out_group: OFPG_ANY,
                        table_id: 0xff,
                        match_,
                    });
                }
                if flags & 0xe == 0 || flags & !0x5f != 0 {
                    return Err(OfpErr::OfpmofcBadFlags);
                }
                let out_port = port_from_of11(out_port)?;
                let match_ = decode_match(version, r)?;
                Ok(FlowMonitorRequest {
                    id,
                    command,
                    flags,
                    out_port,
                    out_group,
                    table_id,
                    match_,
                })
            }
        }
    }

    pub(crate) fn encode(&self, version: Version, w: &mut Writer) {
        match version {
            Version::Of10 | Version::Of11 | Version::Of12 => {
                w.u32(self.id);
                w.u16(of_to_nx_flags(self.flags));
                w.u16(self.out_port.0);
                let len_at = w.len();
                w.u16(0);
                w.u8(self.table_id);
                w.zeros(5);
                let n = put_nxm(&self.match_, 0, 0, None, w);
                w.patch_u16(len_at, n as u16);
            }
            Version::Of13 => {
                w.u32(self.id);
                w.u16(of_to_nx_flags(self.flags));
                let len_at = w.len();
                w.u16(0);
                w.u32(self.out_port.to_of11());
                w.u8(self.table_id);
                w.zeros(3);
                let n = encode_match(version, &self.match_, w);
                w.patch_u16(len_at, n as u16);
            }
            Version::Of14 | Version::Of15 => {
                w.u32(self.id);
                w.u32(self.out_port.to_of11());
                w.u32(self.out_group);
                w.u16(self.flags);
                w.u8(self.table_id);
                w.u8(self.command);
                encode_match(version, &self.match_, w);
            }
        }
    }
}

/// What happened to a flow (OpenFlow 1.4 `OFPFME_*` numbering).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlowUpdateEvent {
    /// Present when the monitor was created (OpenFlow 1.4+; "added" before).
    Initial = 0,
    Added = 1,
    Removed = 2,
    Modified = 3,
}

impl FlowUpdateEvent {
    fn from_of14(v: u16) -> Option<FlowUpdateEvent> {
        match v {
            0 => Some(FlowUpdateEvent::Initial),
            1 => Some(FlowUpdateEvent::Added),
            2 => Some(FlowUpdateEvent::Removed),
            3 => Some(FlowUpdateEvent::Modified),
            _ => None,
        }
    }

    fn from_nx(v: u16) -> Option<FlowUpdateEvent> {
        match v {
            0 => Some(FlowUpdateEvent::Added),
            1 => Some(FlowUpdateEvent::Removed),
            2 => Some(FlowUpdateEvent::Modified),
            _ => None,
        }
    }

    fn to_nx(self) -> u16 {
        match self {
            FlowUpdateEvent::Initial | FlowUpdateEvent::Added => 0,
            FlowUpdateEvent::Removed => 1,
            FlowUpdateEvent::Modified => 2,
        }
    }
}

/// The full description of a monitored flow change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowUpdateFull {
    pub event: FlowUpdateEvent,
    /// `OFPRR_*` for removals.
    pub reason: u16,
    pub priority: u16,
    pub idle_timeout: u16,
    pub hard_timeout: u16,
    pub table_id: u8,
    pub cookie: u64,
    pub match_: Match,
    pub actions: Vec<Action>,
}

/// One flow update (OVS's `ofputil_flow_update`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FlowUpdate {
    Full(Box<FlowUpdateFull>),
    /// The change came from the monitoring controller's own flow_mod with
    /// this xid.
    Abbrev {
        xid: u32,
    },
    /// Monitoring paused (OpenFlow 1.4+; `NXT_FLOW_MONITOR_PAUSED` before).
    Paused,
    /// Monitoring resumed.
    Resumed,
}

const NXFME_ABBREV: u16 = 3;
const OFPFME_ABBREV: u16 = 4;
const OFPFME_PAUSED: u16 = 5;
const OFPFME_RESUMED: u16 = 6;

impl FlowUpdate {
    pub(crate) fn decode(version: Version, r: &mut Reader<'_>) -> Result<FlowUpdate, OfpErr> {
        let bad = OfpErr::OfpbrcBadLen;
        if r.remaining() < 4 {
            return Err(bad);
        }
        let head = r.peek(4).map_err(short)?;
        let length = usize::from(u16::from_be_bytes([head[0], head[1]]));
        let event = u16::from_be_bytes([head[2], head[3]]);
        if length > r.remaining() || length % 8 != 0 {
            return Err(bad);
        }
        if version <= Version::Of13 {
            if event == NXFME_ABBREV {
                if length != 8 {
                    return Err(bad);
                }
                r.skip(4).map_err(short)?;
                return Ok(FlowUpdate::Abbrev {
                    xid: r.u32().map_err(short)?,
                });
            }
            let Some(ev) = FlowUpdateEvent::from_nx(event) else {
                return Err(OfpErr::NxbrcFmBadEvent);
            };
            if length < 24 {
                return Err(bad);
            }
            r.skip(4).map_err(short)?;
            let reason = r.u16().map_err(short)?;
            let priority = r.u16().map_err(short)?;
            let idle_timeout = r.u16().map_err(short)?;
            let hard_timeout = r.u16().map_err(short)?;
            let match_len = usize::from(r.u16().map_err(short)?);
            let table_id = r.u8().map_err(short)?;
            r.skip(1).map_err(short)?;
            let cookie = r.u64().map_err(short)?;
            if 24 + match_len > length {
                return Err(bad);
            }
            let (match_, actions) = if version == Version::Of13 {
                let before = r.remaining();
                let m = decode_match(version, r)?;
                let used = before - r.remaining();
                let n = length.checked_sub(24 + used).ok_or(bad)?;
                (m, decode_instructions(version, r, n)?)
            } else {
                let m = pull_nxm(r, match_len, NxmOptions::default())?.m;
                let n = length
                    .checked_sub(24 + match_len.div_ceil(8) * 8)
                    .ok_or(bad)?;
                (m, decode_actions(version, r, n)?)
            };
            Ok(FlowUpdate::Full(Box::new(FlowUpdateFull {
                event: ev,
                reason,
                priority,
                idle_timeout,
                hard_timeout,
                table_id,
                cookie,
                match_,
                actions,
            })))
        } else {
            match event {
                OFPFME_ABBREV => {
                    if length != 8 {
                        return Err(bad);
                    }
                    r.skip(4).map_err(short)?;
                    Ok(FlowUpdate::Abbrev {
                        xid: r.u32().map_err(short)?,
                    })
                }
                OFPFME_PAUSED | OFPFME_RESUMED => {
                    if length != 8 {
                        return Err(bad);
                    }
                    r.skip(8).map_err(short)?;
                    Ok(if event == OFPFME_PAUSED {
                        FlowUpdate::Paused
                    } else {
                        FlowUpdate::Resumed
                    })
                }
                _ => {
                    let Some(ev) = FlowUpdateEvent::from_of14(event) else {
                        return Err(OfpErr::NxbrcFmBadEvent);
                    };
                    if length < 24 {
                        return Err(bad);
                    }
                    r.skip(4).map_err(short)?;
                    let table_id = r.u8().map_err(short)?;
                    let reason = u16::from(r.u8().map_err(short)?);
                    let idle_timeout = r.u16().map_err(short)?;
                    let hard_timeout = r.u16().map_err(short)?;
                    let priority = r.u16().map_err(short)?;
                    r.skip(4).map_err(short)?;
                    let cookie = r.u64().map_err(short)?;
                    let before = r.remaining();
                    let match_ = decode_match(version, r)?;
                    let used = before - r.remaining();
                    let n = length.checked_sub(24 + used).ok_or(bad)?;
                    let actions = decode_instructions(version, r, n)?;
                    Ok(FlowUpdate::Full(Box::new(FlowUpdateFull {
                        event: ev,
                        reason,
                        priority,
                        idle_timeout,
                        hard_timeout,
                        table_id,
                        cookie,
                        match_,
                        actions,
                    })))
                }
            }
        }
    }

    /// Encodes one update. Paused and resumed exist only in OpenFlow 1.4+
    /// replies (the caller uses the separate messages before).
    pub(crate) fn encode(&self, version: Version, tlv: Option<&TlvTable>, w: &mut Writer) {
        let start = w.len();
        let acts = action_encode_options(tlv);
        match self {
            FlowUpdate::Abbrev { xid } => {
                w.u16(8);
                w.u16(if version <= Version::Of13 {
                    NXFME_ABBREV
                } else {
                    OFPFME_ABBREV
                });
                w.u32(*xid);
            }
            FlowUpdate::Paused | FlowUpdate::Resumed => {
                w.u16(8);
                w.u16(if matches!(self, FlowUpdate::Paused) {
                    OFPFME_PAUSED
                } else {
                    OFPFME_RESUMED
                });
                w.zeros(4);
            }
            FlowUpdate::Full(u) => {
                if version <= Version::Of13 {
                    w.u16(0);
                    w.u16(u.event.to_nx());
                    w.u16(u.reason);
                    w.u16(u.priority);
                    w.u16(u.idle_timeout);
                    w.u16(u.hard_timeout);
                    let len_at = w.len();
                    w.u16(0);
                    w.u8(u.table_id);
                    w.zeros(1);
                    w.u64(u.cookie);
                    let n = if version == Version::Of13 {
                        let n = encode_match_tlv(version, &u.match_, tlv, w);
                        encode_instructions_with(version, &u.actions, w, &acts);
                        n
                    } else {
                        let n = put_nxm(&u.match_, 0, 0, tlv, w);
                        encode_actions_with(version, &u.actions, w, &acts);
                        n
                    };
                    w.patch_u16(len_at, n as u16);
                } else {
                    w.u16(0);
                    w.u16(u.event as u16);
                    w.u8(u.table_id);
                    w.u8(u.reason as u8);
                    w.u16(u.idle_timeout);
                    w.u16(u.hard_timeout);
                    w.u16(u.priority);
                    w.zeros(4);
                    w.u64(u.cookie);
                    encode_match_tlv(version, &u.match_, tlv, w);
                    encode_instructions_with(version, &u.actions, w, &acts);
                }
                let len = w.len() - start;
                w.patch_u16(start, len as u16);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_mapping() {
        assert_eq!(nx_to_of_flags(0x3f), 0x5f);
        assert_eq!(of_to_nx_flags(0x5f), 0x3f);
    }

    #[test]
    fn bad_flags_and_event() {
        // NX request with no add/delete/modify flag.
        let body = [0, 0, 0, 1, 0, 1, 0xff, 0xff, 0, 0, 0xff, 0, 0, 0, 0, 0];
        assert_eq!(
            FlowMonitorRequest::decode(Version::Of10, &mut Reader::new(&body)),
            Err(OfpErr::OfpmofcBadFlags)
        );
        let upd = [0, 8, 0, 9, 0, 0, 0, 0];
        assert_eq!(
            FlowUpdate::decode(Version::Of10, &mut Reader::new(&upd)),
            Err(OfpErr::NxbrcFmBadEvent)
        );
    }
}
