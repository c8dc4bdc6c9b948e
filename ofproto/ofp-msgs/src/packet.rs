//! Packets: packet-in (standard, `NXT_PACKET_IN`, `NXT_PACKET_IN2`),
//! `NXT_RESUME`, and packet-out.

use ovs_flow::{FieldId, Match};
use ovs_ofp_actions::{Action, decode_actions, encode_actions};
use ovs_ofp_core::{OfpErr, OfpPort, Reader, Version, Writer};
use ovs_ofp_match::{NxmOptions, OFPMT_OXM, decode_nxm_with, encode_match, encode_nxm};

use crate::error::EncodeError;
use crate::flow::{pull_nxm, put_nxm};
use crate::nx::PacketInFormat;
use crate::prop;
use crate::util::{NO_BUFFER, port_from_of11, short};

/// Reads an OpenFlow 1.2+ OXM `ofp_match` (type OXM only) and its padding
/// (OVS's `oxm_pull_match__`).
pub(crate) fn pull_oxm(
    version: Version,
    r: &mut Reader<'_>,
    options: NxmOptions,
) -> Result<Match, OfpErr> {
    let bad = OfpErr::OfpbmcBadLen;
    let head = r.peek(4).map_err(|_| bad)?;
    let match_type = u16::from_be_bytes([head[0], head[1]]);
    let match_len = usize::from(u16::from_be_bytes([head[2], head[3]]));
    if match_len < 4 {
        return Err(bad);
    }
    if match_type != OFPMT_OXM {
        return Err(OfpErr::OfpbmcBadType);
    }
    let mut all = r.sub(match_len.div_ceil(8) * 8).map_err(|_| bad)?;
    all.skip(4).map_err(|_| bad)?;
    decode_nxm_with(&mut all, match_len - 4, Some(version), options).map(|d| d.m)
}

fn loose() -> NxmOptions<'static> {
    NxmOptions {
        strict: false,
        ..NxmOptions::default()
    }
}

/// The packet-in reasons (`OFPR_*`), plus OVS's internal ones.
pub mod reason {
    pub const NO_MATCH: u8 = 0;
    pub const ACTION: u8 = 1;
    pub const INVALID_TTL: u8 = 2;
    pub const ACTION_SET: u8 = 3;
    pub const GROUP: u8 = 4;
    pub const PACKET_OUT: u8 = 5;
    pub const EXPLICIT_MISS: u8 = 6;
    pub const IMPLICIT_MISS: u8 = 7;
}

/// The reason `version` puts on the wire for OVS's `reason` (OVS's
/// `encode_packet_in_reason`).
pub fn wire_reason(reason: u8, version: Version) -> u8 {
    match reason {
        reason::ACTION_SET | reason::GROUP | reason::PACKET_OUT if version < Version::Of14 => {
            reason::ACTION
        }
        reason::EXPLICIT_MISS if version < Version::Of13 => reason::ACTION,
        reason::EXPLICIT_MISS | reason::IMPLICIT_MISS => reason::NO_MATCH,
        r => r,
    }
}

/// `NXPINT_*` property types of `NXT_PACKET_IN2` and `NXT_RESUME`.
mod nxpint {
    pub const PACKET: u64 = 0;
    pub const FULL_LEN: u64 = 1;
    pub const BUFFER_ID: u64 = 2;
    pub const TABLE_ID: u64 = 3;
    pub const COOKIE: u64 = 4;
    pub const REASON: u64 = 5;
    pub const METADATA: u64 = 6;
    pub const USERDATA: u64 = 7;
    pub const CONTINUATION: u64 = 8;
}

/// A packet sent to the controller (OVS's `ofputil_packet_in` plus the
/// opaque continuation of `NXT_PACKET_IN2`), or a packet resumed with
/// `NXT_RESUME`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PacketIn {
    /// The wire form; `NXT_RESUME` uses the `Nxt2` properties.
    pub form: PacketInFormat,
    /// The bytes included (possibly truncated).
    pub packet: Vec<u8>,
    /// The packet's full length.
    pub total_len: u32,
    /// `NO_BUFFER` unless the switch buffered it (OVS never does).
    pub buffer_id: u32,
    /// OVS's reason ([`reason`]); mapped per version when encoding.
    pub reason: u8,
    pub table_id: u8,
    /// The flow's cookie; `u64::MAX` if not known.
    pub cookie: u64,
    /// The pipeline fields (in_port, metadata, registers, tunnel, ...).
    pub metadata: Match,
    /// `NXAST_CONTROLLER2` userdata (`NXT_PACKET_IN2` only).
    pub userdata: Vec<u8>,
    /// The switch-private continuation properties (the contents of
    /// `NXPINT_CONTINUATION`), opaque to controllers.
    pub continuation: Vec<u8>,
}

fn in_port_of(m: &Match) -> OfpPort {
    OfpPort(m.get_uint(FieldId::InPort).map_or(0, |(v, _)| v as u16))
}

fn match_in_port(p: OfpPort) -> Match {
    let mut m = Match::default();
    let _ = m.set_exact(FieldId::InPort, &p.0.to_be_bytes());
    m
}

impl PacketIn {
    /// Decodes a packet-in; `resume` for `NXT_RESUME` (strict metadata).
    pub(crate) fn decode(
        version: Version,
        form: PacketInFormat,
        resume: bool,
        r: &mut Reader<'_>,
    ) -> Result<PacketIn, OfpErr> {
        let mut pin = PacketIn {
            form,
            packet: Vec::new(),
            total_len: 0,
            buffer_id: NO_BUFFER,
            reason: 0,
            table_id: 0,
            cookie: u64::MAX,
            metadata: Match::default(),
            userdata: Vec::new(),
            continuation: Vec::new(),
        };
        match form {
            PacketInFormat::Standard => match version {
                Version::Of10 => {
                    pin.buffer_id = r.u32().map_err(short)?;
                    pin.total_len = u32::from(r.u16().map_err(short)?);
                    pin.metadata = match_in_port(OfpPort(r.u16().map_err(short)?));
                    pin.reason = r.u8().map_err(short)?;
                    r.skip(1).map_err(short)?;
                    pin.packet = r.rest().to_vec();
                }
                Version::Of11 => {
                    pin.buffer_id = r.u32().map_err(short)?;
                    let in_port = port_from_of11(r.u32().map_err(short)?)?;
                    r.skip(4).map_err(short)?;
                    pin.total_len = u32::from(r.u16().map_err(short)?);
                    pin.reason = r.u8().map_err(short)?;
                    pin.table_id = r.u8().map_err(short)?;
                    pin.metadata = match_in_port(in_port);
                    pin.packet = r.rest().to_vec();
                }
                _ => {
                    pin.buffer_id = r.u32().map_err(short)?;
                    pin.total_len = u32::from(r.u16().map_err(short)?);
                    pin.reason = r.u8().map_err(short)?;
                    pin.table_id = r.u8().map_err(short)?;
                    if version >= Version::Of13 {
                        pin.cookie = r.u64().map_err(short)?;
                    }
                    pin.metadata = pull_oxm(version, r, loose())?;
                    r.skip(2).map_err(short)?;
                    pin.packet = r.rest().to_vec();
                }
            },
            PacketInFormat::Nxt => {
                pin.buffer_id = r.u32().map_err(short)?;
                pin.total_len = u32::from(r.u16().map_err(short)?);
                pin.reason = r.u8().map_err(short)?;
                pin.table_id = r.u8().map_err(short)?;
                pin.cookie = r.u64().map_err(short)?;
                let match_len = usize::from(r.u16().map_err(short)?);
                r.skip(6).map_err(short)?;
                pin.metadata = pull_nxm(r, match_len, loose())?.m;
                r.skip(2).map_err(short)?;
                pin.packet = r.rest().to_vec();
            }
            PacketInFormat::Nxt2 => {
                let mut have_total = false;
                while !r.is_empty() {
                    let p = prop::pull(r)?;
                    match p.prop_type {
                        nxpint::PACKET => pin.packet = p.payload.to_vec(),
                        nxpint::FULL_LEN => {
                            pin.total_len = p.u32()?;
                            have_total = true;
                        }
                        nxpint::BUFFER_ID => pin.buffer_id = p.u32()?,
                        nxpint::TABLE_ID => pin.table_id = p.u8()?,
                        nxpint::COOKIE => pin.cookie = p.u64()?,
                        nxpint::REASON => pin.reason = p.u8()?,
                        nxpint::METADATA => {
                            let options = if resume {
                                NxmOptions::default()
                            } else {
                                loose()
                            };
                            let mut m = Reader::new(p.payload);
                            pin.metadata =
                                decode_nxm_with(&mut m, p.payload.len(), Some(version), options)?.m;
                        }
                        nxpint::USERDATA => pin.userdata = p.payload.to_vec(),
                        nxpint::CONTINUATION => pin.continuation = p.nested()?.to_vec(),
                        t => prop::unknown(!resume, t)?,
                    }
                }
                if pin.packet.is_empty() {
                    return Err(OfpErr::OfpbrcBadLen);
                }
                let n = pin.packet.len() as u32;
                if !have_total || pin.total_len == 0 {
                    pin.total_len = n;
                } else if pin.total_len < n {
                    return Err(OfpErr::OfpbrcBadLen);
                }
            }
        }
        Ok(pin)
    }

    /// The decoded continuation, for the switch that sent it.
    pub fn decode_continuation(
        &self,
        version: Version,
        loose: bool,
    ) -> Result<Continuation, OfpErr> {
        Continuation::decode(version, &self.continuation, loose)
    }

    /// The properties shared by `NXT_PACKET_IN2` and `NXT_RESUME`.
    fn put_props(&self, version: Version, w: &mut Writer) {
        prop::put(w, nxpint::PACKET, &self.packet);
        if self.total_len != self.packet.len() as u32 {
            prop::put_u32(w, nxpint::FULL_LEN, self.total_len);
        }
        if self.buffer_id != NO_BUFFER {
            prop::put_u32(w, nxpint::BUFFER_ID, self.buffer_id);
        }
        prop::put_u8(w, nxpint::TABLE_ID, self.table_id);
        if self.cookie != u64::MAX {
            prop::put_u64(w, nxpint::COOKIE, self.cookie);
        }
        prop::put_u8(w, nxpint::REASON, wire_reason(self.reason, version));
        let at = prop::start(w, nxpint::METADATA);
        encode_nxm(&self.metadata, Some(version), w);
        prop::end(w, at);
    }

    pub(crate) fn encode(
        &self,
        version: Version,
        resume: bool,
        w: &mut Writer,
    ) -> Result<(), EncodeError> {
        let reason = wire_reason(self.reason, version);
        let total_len = || -> Result<u16, EncodeError> {
            u16::try_from(self.total_len).map_err(|_| EncodeError::Invalid("total_len over 65535"))
        };
        match self.form {
            PacketInFormat::Standard if !resume => match version {
                Version::Of10 => {
                    w.u32(self.buffer_id);
                    w.u16(total_len()?);
                    w.u16(in_port_of(&self.metadata).0);
                    w.u8(reason);
                    w.zeros(1);
                    w.bytes(&self.packet);
                }
                Version::Of11 => {
                    let in_port = in_port_of(&self.metadata).to_of11();
                    w.u32(self.buffer_id);
                    w.u32(in_port);
                    w.u32(in_port);
                    w.u16(total_len()?);
                    w.u8(reason);
                    w.u8(self.table_id);
                    w.bytes(&self.packet);
                }
                _ => {
                    w.u32(self.buffer_id);
                    w.u16(total_len()?);
                    w.u8(reason);
                    w.u8(self.table_id);
                    if version >= Version::Of13 {
                        w.u64(self.cookie);
                    }
                    encode_match(version, &self.metadata, w);
                    w.zeros(2);
                    w.bytes(&self.packet);
                }
            },
            PacketInFormat::Nxt if !resume => {
                w.u32(self.buffer_id);
                w.u16(total_len()?);
                w.u8(reason);
                w.u8(self.table_id);
                w.u64(self.cookie);
                let len_at = w.len();
                w.u16(0);
                w.zeros(6);
                let n = put_nxm(&self.metadata, 0, 0, None, w);
                w.patch_u16(len_at, n as u16);
                w.zeros(2);
                w.bytes(&self.packet);
            }
            _ => {
                self.put_props(version, w);
                if !self.continuation.is_empty() {
                    let at = prop::start_nested(w, nxpint::CONTINUATION);
                    w.bytes(&self.continuation);
                    prop::end(w, at);
                }
                if !resume && !self.userdata.is_empty() {
                    prop::put(w, nxpint::USERDATA, &self.userdata);
                }
            }
        }
        Ok(())
    }
}

/// `OFPT_PACKET_OUT`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PacketOut {
    /// `NO_BUFFER` when the packet is included.
    pub buffer_id: u32,
    /// The pipeline fields the packet starts with; before OpenFlow 1.5 only
    /// the input port (and an Ethernet packet type).
    pub metadata: Match,
    pub actions: Vec<Action>,
    /// Empty when `buffer_id` names a buffered packet.
    pub packet: Vec<u8>,
}

impl PacketOut {
    /// The metadata OpenFlow 1.0 to 1.4 packet-outs carry.
    pub fn metadata_for_port(in_port: OfpPort) -> Match {
        let mut m = match_in_port(in_port);
        m.set_default_packet_type();
        m
    }

    /// The input port.
    pub fn in_port(&self) -> OfpPort {
        in_port_of(&self.metadata)
    }

    pub(crate) fn decode(version: Version, r: &mut Reader<'_>) -> Result<PacketOut, OfpErr> {
        let buffer_id;
        let metadata;
        let actions_len;
        match version {
            Version::Of10 => {
                buffer_id = r.u32().map_err(short)?;
                metadata = PacketOut::metadata_for_port(OfpPort(r.u16().map_err(short)?));
                actions_len = usize::from(r.u16().map_err(short)?);
            }
            Version::Of11 | Version::Of12 | Version::Of13 | Version::Of14 => {
                buffer_id = r.u32().map_err(short)?;
                let in_port = port_from_of11(r.u32().map_err(short)?)?;
                actions_len = usize::from(r.u16().map_err(short)?);
                r.skip(6).map_err(short)?;
                metadata = PacketOut::metadata_for_port(in_port);
            }
            Version::Of15 => {
                buffer_id = r.u32().map_err(short)?;
                actions_len = usize::from(r.u16().map_err(short)?);
                r.skip(2).map_err(short)?;
                metadata = pull_oxm(
                    version,
                    r,
                    NxmOptions {
                        strict: false,
                        pipeline_fields_only: true,
                        ..NxmOptions::default()
                    },
                )?;
                if metadata.is_wild(FieldId::InPort) {
                    return Err(OfpErr::OfpbrcBadPort);
                }
            }
        }
        let actions = decode_actions(version, r, actions_len)?;
        let in_port = in_port_of(&metadata);
        if in_port.0 >= OfpPort::MAX.0
            && in_port != OfpPort::LOCAL
            && in_port != OfpPort::NONE
            && in_port != OfpPort::CONTROLLER
        {
            return Err(OfpErr::OfpbrcBadPort);
        }
        let packet = if buffer_id == NO_BUFFER {
            r.rest().to_vec()
        } else {
            Vec::new()
        };
        let _ = r.skip(r.remaining());
        Ok(PacketOut {
            buffer_id,
            metadata,
            actions,
            packet,
        })
    }

    pub(crate) fn encode(&self, version: Version, w: &mut Writer) {
        let len_at;
        match version {
            Version::Of10 => {
                w.u32(self.buffer_id);
                w.u16(self.in_port().0);
                len_at = w.len();
                w.u16(0);
            }
            Version::Of11 | Version::Of12 | Version::Of13 | Version::Of14 => {
                w.u32(self.buffer_id);
                w.u32(self.in_port().to_of11());
                len_at = w.len();
                w.u16(0);
                w.zeros(6);
            }
            Version::Of15 => {
                w.u32(self.buffer_id);
                len_at = w.len();
                w.u16(0);
                w.zeros(2);
                encode_match(version, &self.metadata, w);
            }
        }
        let start = w.len();
        encode_actions(version, &self.actions, w);
        let n = w.len() - start;
        w.patch_u16(len_at, n as u16);
        if self.buffer_id == NO_BUFFER {
            w.bytes(&self.packet);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_per_version() {
        assert_eq!(wire_reason(reason::GROUP, Version::Of13), reason::ACTION);
        assert_eq!(wire_reason(reason::GROUP, Version::Of14), reason::GROUP);
        assert_eq!(
            wire_reason(reason::EXPLICIT_MISS, Version::Of10),
            reason::ACTION
        );
        assert_eq!(
            wire_reason(reason::EXPLICIT_MISS, Version::Of13),
            reason::NO_MATCH
        );
        assert_eq!(
            wire_reason(reason::IMPLICIT_MISS, Version::Of10),
            reason::NO_MATCH
        );
    }
}

/// `NXCPT_*`: the switch-private properties inside `NXPINT_CONTINUATION`.
mod nxcpt {
    pub const BRIDGE: u64 = 0x8000;
    pub const STACK: u64 = 0x8001;
    pub const MIRRORS: u64 = 0x8002;
    pub const CONNTRACKED: u64 = 0x8003;
    pub const TABLE_ID: u64 = 0x8004;
    pub const COOKIE: u64 = 0x8005;
    pub const ACTIONS: u64 = 0x8006;
    pub const ACTION_SET: u64 = 0x8007;
    pub const ODP_PORT: u64 = 0x8008;
}

/// Largest stack entry (OVS's `union mf_subvalue`).
const MAX_STACK_ENTRY: usize = 128;

/// Actions still to run in one frame of the pipeline: the rule's table and
/// cookie and the rest of its actions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContinuationFrame {
    pub table_id: u8,
    pub cookie: u64,
    pub actions: Vec<Action>,
}

/// The decoded continuation of a paused pipeline (what OVS keeps in
/// `ofputil_packet_in_private` beyond the packet-in): private to the switch
/// that sent it, which gets it back in `NXT_RESUME`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Continuation {
    /// The bridge's UUID (all zeros: none).
    pub bridge: [u8; 16],
    /// The `push`/`pop` stack, top first.
    pub stack: Vec<Vec<u8>>,
    pub mirrors: u32,
    pub conntracked: bool,
    /// Frames from the outermost rule inward.
    pub frames: Vec<ContinuationFrame>,
    pub action_set: Vec<Action>,
    /// 0: none.
    pub odp_port: u32,
}

fn actions_prop(version: Version, p: &prop::Prop<'_>) -> Result<Vec<Action>, OfpErr> {
    let nested = p.nested()?;
    decode_actions(version, &mut Reader::new(nested), nested.len())
}

impl Continuation {
    /// Decodes the contents of `NXPINT_CONTINUATION` (OVS's
    /// `ofputil_decode_packet_in_private`); `loose` ignores unknown
    /// properties.
    pub fn decode(version: Version, data: &[u8], loose: bool) -> Result<Continuation, OfpErr> {
        let mut c = Continuation::default();
        let mut r = Reader::new(data);
        let (mut table_id, mut cookie) = (0u8, 0u64);
        while !r.is_empty() {
            let p = prop::pull(&mut r)?;
            match p.prop_type {
                nxcpt::BRIDGE => {
                    c.bridge = p.payload.try_into().map_err(|_| OfpErr::OfpbpcBadLen)?;
                }
                nxcpt::STACK => {
                    if p.payload.len() > MAX_STACK_ENTRY {
                        return Err(OfpErr::OfpbpcBadLen);
                    }
                    c.stack.push(p.payload.to_vec());
                }
                nxcpt::MIRRORS => c.mirrors = p.u32()?,
                nxcpt::CONNTRACKED => c.conntracked = true,
                nxcpt::TABLE_ID => table_id = p.u8()?,
                nxcpt::COOKIE => cookie = p.u64()?,
                nxcpt::ACTIONS => c.frames.push(ContinuationFrame {
                    table_id,
                    cookie,
                    actions: actions_prop(version, &p)?,
                }),
                nxcpt::ACTION_SET => c.action_set = actions_prop(version, &p)?,
                nxcpt::ODP_PORT => c.odp_port = p.u32()?,
                t => prop::unknown(loose, t)?,
            }
        }
        Ok(c)
    }

    /// Encodes the contents of `NXPINT_CONTINUATION` as OVS writes them
    /// (frames without actions are left out).
    pub fn encode(&self, version: Version) -> Vec<u8> {
        let mut w = Writer::new();
        if self.bridge != [0; 16] {
            prop::put(&mut w, nxcpt::BRIDGE, &self.bridge);
        }
        for v in &self.stack {
            prop::put(&mut w, nxcpt::STACK, v);
        }
        if self.mirrors != 0 {
            prop::put_u32(&mut w, nxcpt::MIRRORS, self.mirrors);
        }
        if self.conntracked {
            let at = prop::start(&mut w, nxcpt::CONNTRACKED);
            prop::end(&mut w, at);
        }
        let (mut table_id, mut cookie) = (0u8, 0u64);
        for f in self.frames.iter().filter(|f| !f.actions.is_empty()) {
            if f.table_id != table_id {
                prop::put_u8(&mut w, nxcpt::TABLE_ID, f.table_id);
                table_id = f.table_id;
            }
            if f.cookie != cookie {
                prop::put_u64(&mut w, nxcpt::COOKIE, f.cookie);
                cookie = f.cookie;
            }
            let at = prop::start_nested(&mut w, nxcpt::ACTIONS);
            encode_actions(version, &f.actions, &mut w);
            prop::end(&mut w, at);
        }
        if !self.action_set.is_empty() {
            let at = prop::start_nested(&mut w, nxcpt::ACTION_SET);
            encode_actions(version, &self.action_set, &mut w);
            prop::end(&mut w, at);
        }
        if self.odp_port != 0 {
            prop::put_u32(&mut w, nxcpt::ODP_PORT, self.odp_port);
        }
        w.into_vec()
    }
}

#[cfg(test)]
mod continuation_tests {
    use super::*;

    #[test]
    fn continuation_round_trip() {
        let c = Continuation {
            bridge: [7; 16],
            stack: vec![vec![1, 2, 3], vec![4]],
            mirrors: 3,
            conntracked: true,
            frames: vec![
                ContinuationFrame {
                    table_id: 0,
                    cookie: 0,
                    actions: vec![Action::Output {
                        port: OfpPort(1),
                        max_len: 0,
                    }],
                },
                ContinuationFrame {
                    table_id: 3,
                    cookie: 0x55,
                    actions: vec![Action::Exit],
                },
            ],
            action_set: vec![Action::Output {
                port: OfpPort(2),
                max_len: 0,
            }],
            odp_port: 9,
        };
        for v in Version::ALL {
            let b = c.encode(v);
            assert_eq!(Continuation::decode(v, &b, false), Ok(c.clone()));
        }
        let mut w = Writer::new();
        prop::put_u32(&mut w, 0x8999, 1);
        assert_eq!(
            Continuation::decode(Version::Of13, w.as_slice(), false),
            Err(OfpErr::OfpbpcBadType)
        );
    }
}
