//! Flows: flow_mod, flow removed, and flow and aggregate statistics, in
//! their OpenFlow 1.0, Nicira (NXM) and OpenFlow 1.1+ forms.

use ovs_flow::{FieldId, Match, TlvTable};
use ovs_ofp_actions::{
    Action, TlvMap, decode_actions_with, decode_instructions_with, encode_actions,
    encode_actions_with, encode_instructions, encode_instructions_with,
};
use ovs_ofp_core::{OfpErr, OfpPort, Reader, Version, Writer};
use ovs_ofp_match::{
    NxmOptions, decode_match, decode_match_with, decode_nxm_with, decode_ofp10_match, encode_match,
    encode_match_tlv, encode_nxm_full, encode_nxm_tlv, encode_ofp10_match,
};

use crate::error::EncodeError;
use crate::util::{OFPG_ANY, OFPTT_ALL, port_from_of11, short};

/// `OFPFW10_ALL`: every OpenFlow 1.0 wildcard bit.
const OFPFW10_ALL: u32 = (1 << 22) - 1;

/// What a flow_mod does (`OFPFC_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlowModCommand {
    Add = 0,
    Modify = 1,
    ModifyStrict = 2,
    Delete = 3,
    DeleteStrict = 4,
}

impl FlowModCommand {
    fn from_wire(v: u16) -> Result<FlowModCommand, OfpErr> {
        match v {
            0 => Ok(FlowModCommand::Add),
            1 => Ok(FlowModCommand::Modify),
            2 => Ok(FlowModCommand::ModifyStrict),
            3 => Ok(FlowModCommand::Delete),
            4 => Ok(FlowModCommand::DeleteStrict),
            _ => Err(OfpErr::OfpfmfcBadCommand),
        }
    }

    fn is_delete(self) -> bool {
        matches!(self, FlowModCommand::Delete | FlowModCommand::DeleteStrict)
    }

    fn is_modify(self) -> bool {
        matches!(self, FlowModCommand::Modify | FlowModCommand::ModifyStrict)
    }
}

/// Flow flags in OVS's version-independent numbering (`OFPUTIL_FF_*`).
pub mod flow_flags {
    pub const SEND_FLOW_REM: u16 = 1 << 0;
    /// OpenFlow 1.3+.
    pub const NO_PKT_COUNTS: u16 = 1 << 1;
    /// OpenFlow 1.3+.
    pub const NO_BYT_COUNTS: u16 = 1 << 2;
    pub const CHECK_OVERLAP: u16 = 1 << 3;
    /// OpenFlow 1.2+ on the wire; implied by "add" in 1.0 and 1.1.
    pub const RESET_COUNTS: u16 = 1 << 4;
    /// OpenFlow 1.0's emergency flag, which OVS rejects.
    pub const EMERG: u16 = 1 << 5;
}

/// (wire bit, OVS bit, first version, last version) for flow flags.
const FLAG_TABLE: [(u16, u16, Version, Version); 6] = [
    (
        1 << 0,
        flow_flags::SEND_FLOW_REM,
        Version::Of10,
        Version::Of15,
    ),
    (
        1 << 1,
        flow_flags::CHECK_OVERLAP,
        Version::Of10,
        Version::Of15,
    ),
    (1 << 2, flow_flags::EMERG, Version::Of10, Version::Of10),
    (
        1 << 2,
        flow_flags::RESET_COUNTS,
        Version::Of12,
        Version::Of15,
    ),
    (
        1 << 3,
        flow_flags::NO_PKT_COUNTS,
        Version::Of13,
        Version::Of15,
    ),
    (
        1 << 4,
        flow_flags::NO_BYT_COUNTS,
        Version::Of13,
        Version::Of15,
    ),
];

/// Decodes wire flags (OVS's `ofputil_decode_flow_mod_flags`); `command`
/// is `None` for flow stats.
fn decode_flags(
    raw: u16,
    command: Option<FlowModCommand>,
    version: Version,
) -> Result<u16, OfpErr> {
    let mut raw = raw;
    let mut flags = 0;
    for (wire, ovs, lo, hi) in FLAG_TABLE {
        if raw & wire != 0 && lo <= version && version <= hi {
            raw &= !wire;
            flags |= ovs;
        }
    }
    if version <= Version::Of11 && command == Some(FlowModCommand::Add) {
        flags |= flow_flags::RESET_COUNTS;
    }
    if raw != 0 {
        Err(OfpErr::OfpfmfcBadFlags)
    } else {
        Ok(flags)
    }
}

fn encode_flags(flags: u16, version: Version) -> u16 {
    FLAG_TABLE
        .iter()
        .filter(|(_, ovs, lo, hi)| flags & ovs != 0 && *lo <= version && version <= *hi)
        .fold(0, |acc, (wire, ..)| acc | wire)
}

/// The flags `version` can carry for `command` once decoded (used to build
/// representable values).
pub fn flags_in(version: Version) -> u16 {
    FLAG_TABLE
        .iter()
        .filter(|(_, ovs, lo, hi)| *ovs != flow_flags::EMERG && *lo <= version && version <= *hi)
        .fold(0, |acc, (_, ovs, ..)| acc | ovs)
}

/// Reads an NXM match of `match_len` bytes plus its padding to 8 bytes
/// (OVS's `nx_pull_match`).
pub(crate) fn pull_nxm(
    r: &mut Reader<'_>,
    match_len: usize,
    options: NxmOptions<'_>,
) -> Result<ovs_ofp_match::NxmMatch, OfpErr> {
    let padded = match_len.div_ceil(8) * 8;
    let mut m = r.sub(padded).map_err(|_| OfpErr::OfpbmcBadLen)?;
    decode_nxm_with(&mut m, match_len, None, options)
}

/// Writes an NXM match with its padding; returns its unpadded length.
pub(crate) fn put_nxm(
    m: &Match,
    cookie: u64,
    cookie_mask: u64,
    tlv: Option<&TlvTable>,
    w: &mut Writer,
) -> usize {
    let n = encode_nxm_full(m, None, cookie, cookie_mask, tlv, w);
    w.zeros(n.div_ceil(8) * 8 - n);
    n
}

/// Writes an OXM-type `ofp_match` for `version` with its padding. OVS uses
/// this even for OpenFlow 1.1 flow statistics replies, where no OXM code
/// point exists yet and the NXM ones are used.
pub(crate) fn put_oxm_match(
    version: Version,
    m: &Match,
    tlv: Option<&TlvTable>,
    w: &mut Writer,
) -> usize {
    let start = w.len();
    w.u16(ovs_ofp_match::OFPMT_OXM);
    w.u16(0);
    let len = 4 + encode_nxm_tlv(m, Some(version), tlv, w);
    w.patch_u16(start + 2, len as u16);
    w.zeros(len.div_ceil(8) * 8 - len);
    len
}

/// What the action codec needs of the switch's TLV table.
pub(crate) fn action_decode_options(tlv: Option<&TlvTable>) -> ovs_ofp_actions::DecodeOptions {
    ovs_ofp_actions::DecodeOptions {
        allow_debug: false,
        tlv: tlv.map(TlvMap::from),
    }
}

/// What the action encoder needs of the switch's TLV table.
pub(crate) fn action_encode_options(tlv: Option<&TlvTable>) -> ovs_ofp_actions::EncodeOptions {
    ovs_ofp_actions::EncodeOptions {
        tlv: tlv.map(TlvMap::from),
    }
}

/// Wildcards the fields of an OpenFlow 1.0 match that its Ethernet type and
/// IP protocol make meaningless (OVS's `ofputil_normalize_match` for the
/// fields an `ofp10_match` can carry), as OVS does to OpenFlow 1.0 flow
/// mods.
fn normalize_of10_match(m: &mut Match) {
    use ovs_flow::offset;
    let dl_type = m.flow.get_be(offset::DL_TYPE, 2);
    let nw_proto = m.flow.get_be(offset::NW_PROTO, 1);
    let (mut nw_addr, mut tp, mut proto, mut tos) = (false, false, false, false);
    match dl_type {
        0x0800 => {
            (nw_addr, proto, tos) = (true, true, true);
            tp = matches!(nw_proto, 6 | 17 | 132 | 1);
        }
        0x86dd => {
            (proto, tos) = (true, true);
            tp = matches!(nw_proto, 6 | 17 | 132 | 58);
        }
        0x0806 | 0x8035 => (nw_addr, proto) = (true, true),
        _ => {}
    }
    let mut clear = |off: usize, len: usize| {
        m.wc.set_be(off, len, 0);
        m.flow.set_be(off, len, 0);
    };
    if !nw_addr {
        clear(offset::NW_SRC, 4);
        clear(offset::NW_DST, 4);
    }
    if !tp {
        clear(offset::TP_SRC, 2);
        clear(offset::TP_DST, 2);
    }
    if !proto {
        clear(offset::NW_PROTO, 1);
    }
    if !tos {
        clear(offset::NW_TOS, 1);
        clear(offset::NW_TTL, 1);
    }
}

/// Rejects conntrack original-direction addresses of the wrong IP version
/// (the check at the end of OVS's `ofputil_decode_flow_mod`).
fn check_ct_addresses(m: &Match) -> Result<(), OfpErr> {
    let dl_type = m.get_uint(FieldId::EthType).map_or(0, |(v, _)| v);
    let set = |f| !m.is_wild(f);
    if ((set(FieldId::CtNwSrc) || set(FieldId::CtNwDst)) && dl_type != 0x0800)
        || ((set(FieldId::CtIpv6Src) || set(FieldId::CtIpv6Dst)) && dl_type != 0x86dd)
    {
        return Err(OfpErr::OfpbacMatchInconsistent);
    }
    Ok(())
}

/// `OFPT_FLOW_MOD` / `NXT_FLOW_MOD` (OVS's `ofputil_flow_mod`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowMod {
    pub match_: Match,
    pub priority: u16,
    /// Cookie bits to match (modify and delete), under `cookie_mask`.
    pub cookie: u64,
    pub cookie_mask: u64,
    /// Cookie for new or modified flows; `u64::MAX` to leave it alone.
    pub new_cookie: u64,
    /// True if a modify must change the cookie (OpenFlow 1.0 and NXM).
    pub modify_cookie: bool,
    /// 0xff: any table (OpenFlow 1.0 without the table-id extension).
    pub table_id: u8,
    pub command: FlowModCommand,
    pub idle_timeout: u16,
    pub hard_timeout: u16,
    /// OpenFlow 1.4+ "add" only.
    pub importance: u16,
    pub buffer_id: u32,
    pub out_port: OfpPort,
    /// OpenFlow 1.1+ deletes only; `OFPG_ANY` otherwise.
    pub out_group: u32,
    /// [`flow_flags`].
    pub flags: u16,
    /// The actions, with instructions as OVS models them.
    pub actions: Vec<Action>,
    /// The `NXT_FLOW_MOD` form (NXM match).
    pub nx: bool,
}

impl FlowMod {
    /// Decodes a flow mod (OVS's `ofputil_decode_flow_mod`, without the
    /// action consistency checks that need the switch's ports and tables).
    pub(crate) fn decode(
        version: Version,
        nx: bool,
        table_id_ext: bool,
        tlv: Option<&TlvTable>,
        r: &mut Reader<'_>,
    ) -> Result<FlowMod, OfpErr> {
        let with_tlv = NxmOptions {
            tlv,
            ..NxmOptions::default()
        };
        let mut fm;
        let raw_flags;
        if version != Version::Of10 && !nx {
            let cookie = r.u64().map_err(short)?;
            let cookie_mask = r.u64().map_err(short)?;
            let table_id = r.u8().map_err(short)?;
            let command_raw = r.u8().map_err(short)?;
            let idle_timeout = r.u16().map_err(short)?;
            let hard_timeout = r.u16().map_err(short)?;
            let priority = r.u16().map_err(short)?;
            let buffer_id = r.u32().map_err(short)?;
            let out_port = r.u32().map_err(short)?;
            let out_group = r.u32().map_err(short)?;
            raw_flags = r.u16().map_err(short)?;
            let importance = r.u16().map_err(short)?;
            let m = decode_match_with(version, r, with_tlv)?;
            let is_add = command_raw == 0;
            let is_modify = command_raw == 1 || command_raw == 2;
            let is_delete = command_raw == 3 || command_raw == 4;
            let (c, cm, nc) =
                if is_add || (version == Version::Of11 && is_modify && cookie_mask == 0) {
                    (0, 0, cookie)
                } else {
                    (cookie, cookie_mask, u64::MAX)
                };
            if table_id == OFPTT_ALL && (version == Version::Of11 || !is_delete) {
                return Err(OfpErr::OfpfmfcBadTableId);
            }
            let out_port = port_from_of11(out_port)?;
            fm = FlowMod {
                match_: m,
                priority,
                cookie: c,
                cookie_mask: cm,
                new_cookie: nc,
                modify_cookie: false,
                table_id,
                // Checked below, after the match, as OVS does.
                command: FlowModCommand::Add,
                idle_timeout,
                hard_timeout,
                importance: if version >= Version::Of14 && is_add {
                    importance
                } else {
                    0
                },
                buffer_id,
                out_port,
                out_group: if is_delete { out_group } else { OFPG_ANY },
                flags: 0,
                actions: Vec::new(),
                nx: false,
            };
            check_ct_addresses(&fm.match_)?;
            fm.command = FlowModCommand::from_wire(u16::from(command_raw))?;
        } else {
            let command_raw;
            if !nx {
                let wildcards = r.peek(4).map_err(short)?;
                let wildcards =
                    u32::from_be_bytes([wildcards[0], wildcards[1], wildcards[2], wildcards[3]]);
                let mut m = decode_ofp10_match(r)?;
                normalize_of10_match(&mut m);
                let cookie = r.u64().map_err(short)?;
                command_raw = r.u16().map_err(short)?;
                let idle_timeout = r.u16().map_err(short)?;
                let hard_timeout = r.u16().map_err(short)?;
                let priority = r.u16().map_err(short)?;
                let buffer_id = r.u32().map_err(short)?;
                let out_port = OfpPort(r.u16().map_err(short)?);
                raw_flags = r.u16().map_err(short)?;
                fm = FlowMod {
                    match_: m,
                    // OpenFlow 1.0 exact-match flows have the top priority.
                    priority: if wildcards & OFPFW10_ALL != 0 {
                        priority
                    } else {
                        u16::MAX
                    },
                    cookie: 0,
                    cookie_mask: 0,
                    new_cookie: cookie,
                    modify_cookie: false,
                    table_id: OFPTT_ALL,
                    command: FlowModCommand::Add,
                    idle_timeout,
                    hard_timeout,
                    importance: 0,
                    buffer_id,
                    out_port,
                    out_group: OFPG_ANY,
                    flags: 0,
                    actions: Vec::new(),
                    nx: false,
                };
            } else {
                let new_cookie = r.u64().map_err(short)?;
                command_raw = r.u16().map_err(short)?;
                let idle_timeout = r.u16().map_err(short)?;
                let hard_timeout = r.u16().map_err(short)?;
                let priority = r.u16().map_err(short)?;
                let buffer_id = r.u32().map_err(short)?;
                let out_port = OfpPort(r.u16().map_err(short)?);
                raw_flags = r.u16().map_err(short)?;
                let match_len = usize::from(r.u16().map_err(short)?);
                r.skip(6).map_err(short)?;
                let nm = pull_nxm(
                    r,
                    match_len,
                    NxmOptions {
                        allow_cookie: true,
                        ..with_tlv
                    },
                )?;
                if command_raw & 0xff == 0 && nm.cookie_mask != 0 {
                    return Err(OfpErr::NxbrcNxmInvalid);
                }
                fm = FlowMod {
                    match_: nm.m,
                    priority,
                    cookie: nm.cookie,
                    cookie_mask: nm.cookie_mask,
                    new_cookie,
                    modify_cookie: false,
                    table_id: OFPTT_ALL,
                    command: FlowModCommand::Add,
                    idle_timeout,
                    hard_timeout,
                    importance: 0,
                    buffer_id,
                    out_port,
                    out_group: OFPG_ANY,
                    flags: 0,
                    actions: Vec::new(),
                    nx: true,
                };
            }
            fm.modify_cookie = fm.new_cookie != u64::MAX;
            // Only OpenFlow 1.0 connections have the table-id extension.
            let command = if table_id_ext && version == Version::Of10 {
                fm.table_id = (command_raw >> 8) as u8;
                command_raw & 0xff
            } else {
                command_raw
            };
            check_ct_addresses(&fm.match_)?;
            fm.command = FlowModCommand::from_wire(command)?;
        }
        let len = r.remaining();
        fm.actions = decode_instructions_with(version, r, len, &action_decode_options(tlv))?;
        fm.flags = decode_flags(raw_flags, Some(fm.command), version)?;
        if fm.flags & flow_flags::EMERG != 0 {
            // OVS has no emergency flow cache.
            return Err(if fm.hard_timeout != 0 || fm.idle_timeout != 0 {
                OfpErr::OfpfmfcBadEmergTimeout
            } else {
                OfpErr::OfpfmfcTableFull
            });
        }
        Ok(fm)
    }

    /// Encodes a flow mod (OVS's `ofputil_encode_flow_mod`). With
    /// `table_id_ext`, OpenFlow 1.0 and NXM flow mods carry the table in
    /// the command's high byte (the controller must have sent
    /// `NXT_FLOW_MOD_TABLE_ID` first).
    pub(crate) fn encode(
        &self,
        version: Version,
        table_id_ext: bool,
        w: &mut Writer,
    ) -> Result<(), EncodeError> {
        let raw_flags = encode_flags(self.flags, version);
        let tid_command = || {
            if table_id_ext && version == Version::Of10 {
                (self.command as u16) | (u16::from(self.table_id) << 8)
            } else {
                self.command as u16
            }
        };
        if self.nx {
            w.u64(self.new_cookie);
            w.u16(tid_command());
            w.u16(self.idle_timeout);
            w.u16(self.hard_timeout);
            w.u16(self.priority);
            w.u32(self.buffer_id);
            w.u16(self.out_port.0);
            w.u16(raw_flags);
            let len_at = w.len();
            w.u16(0);
            w.zeros(6);
            let n = put_nxm(&self.match_, self.cookie, self.cookie_mask, None, w);
            w.patch_u16(len_at, n as u16);
            // OVS reads instructions after the match of an NXT_FLOW_MOD sent
            // in OpenFlow 1.1+.
            if version == Version::Of10 {
                encode_actions(version, &self.actions, w);
            } else {
                encode_instructions(version, &self.actions, w);
            }
        } else if version == Version::Of10 {
            encode_ofp10_match(&self.match_, w);
            w.u64(self.new_cookie);
            w.u16(tid_command());
            w.u16(self.idle_timeout);
            w.u16(self.hard_timeout);
            w.u16(self.priority);
            w.u32(self.buffer_id);
            w.u16(self.out_port.0);
            w.u16(raw_flags);
            encode_actions(version, &self.actions, w);
        } else {
            let cookie = if self.command == FlowModCommand::Add
                || (version == Version::Of11 && self.command.is_modify() && self.cookie_mask == 0)
            {
                self.new_cookie
            } else {
                self.cookie & self.cookie_mask
            };
            w.u64(cookie);
            w.u64(self.cookie_mask);
            w.u8(
                if self.table_id != OFPTT_ALL
                    || (version != Version::Of11 && self.command.is_delete())
                {
                    self.table_id
                } else {
                    0
                },
            );
            w.u8(self.command as u8);
            w.u16(self.idle_timeout);
            w.u16(self.hard_timeout);
            w.u16(self.priority);
            w.u32(self.buffer_id);
            w.u32(self.out_port.to_of11());
            w.u32(self.out_group);
            w.u16(raw_flags);
            w.u16(
                if version >= Version::Of14 && self.command == FlowModCommand::Add {
                    self.importance
                } else {
                    0
                },
            );
            encode_match(version, &self.match_, w);
            encode_instructions(version, &self.actions, w);
        }
        Ok(())
    }
}

/// A flow or aggregate statistics request (OVS's
/// `ofputil_flow_stats_request`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowStatsRequest {
    pub match_: Match,
    /// 0xff: all tables.
    pub table_id: u8,
    pub out_port: OfpPort,
    /// OpenFlow 1.1+.
    pub out_group: u32,
    /// OpenFlow 1.1+ and NXM.
    pub cookie: u64,
    pub cookie_mask: u64,
    /// The `NXST_FLOW` / `NXST_AGGREGATE` form (OpenFlow 1.0 only).
    pub nx: bool,
}

impl FlowStatsRequest {
    pub(crate) fn decode(
        version: Version,
        nx: bool,
        tlv: Option<&TlvTable>,
        r: &mut Reader<'_>,
    ) -> Result<FlowStatsRequest, OfpErr> {
        let with_tlv = NxmOptions {
            tlv,
            ..NxmOptions::default()
        };
        if nx {
            let out_port = OfpPort(r.u16().map_err(short)?);
            let match_len = usize::from(r.u16().map_err(short)?);
            let table_id = r.u8().map_err(short)?;
            r.skip(3).map_err(short)?;
            let nm = pull_nxm(
                r,
                match_len,
                NxmOptions {
                    allow_cookie: true,
                    ..with_tlv
                },
            )?;
            if !r.is_empty() {
                return Err(OfpErr::OfpbrcBadLen);
            }
            Ok(FlowStatsRequest {
                match_: nm.m,
                table_id,
                out_port,
                out_group: OFPG_ANY,
                cookie: nm.cookie,
                cookie_mask: nm.cookie_mask,
                nx: true,
            })
        } else if version == Version::Of10 {
            let m = decode_ofp10_match(r)?;
            let table_id = r.u8().map_err(short)?;
            r.skip(1).map_err(short)?;
            let out_port = OfpPort(r.u16().map_err(short)?);
            Ok(FlowStatsRequest {
                match_: m,
                table_id,
                out_port,
                out_group: OFPG_ANY,
                cookie: 0,
                cookie_mask: 0,
                nx: false,
            })
        } else {
            let table_id = r.u8().map_err(short)?;
            r.skip(3).map_err(short)?;
            let out_port = port_from_of11(r.u32().map_err(short)?)?;
            let out_group = r.u32().map_err(short)?;
            r.skip(4).map_err(short)?;
            let cookie = r.u64().map_err(short)?;
            let cookie_mask = r.u64().map_err(short)?;
            let m = decode_match_with(version, r, with_tlv)?;
            Ok(FlowStatsRequest {
                match_: m,
                table_id,
                out_port,
                out_group,
                cookie,
                cookie_mask,
                nx: false,
            })
        }
    }

    pub(crate) fn encode(&self, version: Version, w: &mut Writer) {
        if self.nx {
            w.u16(self.out_port.0);
            let len_at = w.len();
            w.u16(0);
            w.u8(self.table_id);
            w.zeros(3);
            let n = put_nxm(&self.match_, self.cookie, self.cookie_mask, None, w);
            w.patch_u16(len_at, n as u16);
        } else if version == Version::Of10 {
            encode_ofp10_match(&self.match_, w);
            w.u8(self.table_id);
            w.zeros(1);
            w.u16(self.out_port.0);
        } else {
            w.u8(self.table_id);
            w.zeros(3);
            w.u32(self.out_port.to_of11());
            w.u32(self.out_group);
            w.zeros(4);
            w.u64(self.cookie);
            w.u64(self.cookie_mask);
            encode_match(version, &self.match_, w);
        }
    }
}

/// `OXS_OF_*` statistics of OpenFlow 1.5, decoded (`u32::MAX`/`u64::MAX`
/// when absent, as OVS's `oxs_stats`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OxsStats {
    pub duration_sec: u32,
    pub duration_nsec: u32,
    pub idle_age: u32,
    pub packet_count: u64,
    pub byte_count: u64,
    pub flow_count: u32,
}

impl Default for OxsStats {
    fn default() -> Self {
        OxsStats {
            duration_sec: u32::MAX,
            duration_nsec: u32::MAX,
            idle_age: u32::MAX,
            packet_count: u64::MAX,
            byte_count: u64::MAX,
            flow_count: u32::MAX,
        }
    }
}

const OXS_CLASS_BASIC: u32 = 0x8002;

impl OxsStats {
    /// Reads an `ofp_oxs_stat` block and its padding (OVS's
    /// `oxs_pull_stat`); unknown entries are skipped.
    pub fn decode(r: &mut Reader<'_>) -> Result<OxsStats, OfpErr> {
        let bad = OfpErr::OfpbmcBadLen;
        let head = r.peek(4).map_err(|_| bad)?;
        let len = usize::from(u16::from_be_bytes([head[2], head[3]]));
        if len < 4 {
            return Err(bad);
        }
        let block = r.take(len.div_ceil(8) * 8).map_err(|_| bad)?;
        let mut e = Reader::new(&block[4..len]);
        let mut s = OxsStats::default();
        while !e.is_empty() {
            let h = e.u32().map_err(|_| bad)?;
            let class = h >> 16;
            let field = (h >> 9) & 0x7f;
            let length = (h & 0xff) as usize;
            let exp_len = if class == 0xffff { 4 } else { 0 };
            if length < exp_len {
                return Err(bad);
            }
            e.skip(exp_len).map_err(|_| bad)?;
            let payload = e.take(length - exp_len).map_err(|_| bad)?;
            let mut p = Reader::new(payload);
            // Only exact headers count (no mask bit, the standard length).
            let key = h & 0xffff_ff00;
            if class == OXS_CLASS_BASIC && h & 0x100 == 0 {
                match (field, length) {
                    (0, 8) => {
                        s.duration_sec = p.u32().map_err(|_| bad)?;
                        s.duration_nsec = p.u32().map_err(|_| bad)?;
                    }
                    (1, 8) => s.idle_age = p.u32().map_err(|_| bad)?,
                    (3, 4) => s.flow_count = p.u32().map_err(|_| bad)?,
                    (4, 8) => s.packet_count = p.u64().map_err(|_| bad)?,
                    (5, 8) => s.byte_count = p.u64().map_err(|_| bad)?,
                    _ => {}
                }
            }
            let _ = key;
        }
        Ok(s)
    }

    /// Writes an `ofp_oxs_stat` block with the known values, padded to 8.
    pub fn encode(&self, w: &mut Writer) {
        let start = w.len();
        w.u16(0);
        w.u16(0);
        let hdr = |field: u32, len: u32| (OXS_CLASS_BASIC << 16) | (field << 9) | len;
        if self.duration_sec != u32::MAX {
            w.u32(hdr(0, 8));
            w.u32(self.duration_sec);
            w.u32(self.duration_nsec);
        }
        if self.idle_age != u32::MAX {
            w.u32(hdr(1, 8));
            w.u32(self.idle_age);
            w.u32(0);
        }
        if self.packet_count != u64::MAX {
            w.u32(hdr(4, 8));
            w.u64(self.packet_count);
        }
        if self.byte_count != u64::MAX {
            w.u32(hdr(5, 8));
            w.u64(self.byte_count);
        }
        if self.flow_count != u32::MAX {
            w.u32(hdr(3, 4));
            w.u32(self.flow_count);
        }
        let len = w.len() - start;
        w.patch_u16(start + 2, len as u16);
        w.pad_to(8);
    }
}

/// One flow in a flow statistics reply (OVS's `ofputil_flow_stats`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowStats {
    pub match_: Match,
    pub cookie: u64,
    pub table_id: u8,
    pub duration_sec: u32,
    pub duration_nsec: u32,
    pub priority: u16,
    pub idle_timeout: u16,
    pub hard_timeout: u16,
    /// OpenFlow 1.4+.
    pub importance: u16,
    /// [`flow_flags`] (OpenFlow 1.3+).
    pub flags: u16,
    /// Seconds since the last packet, if known (NXM and OpenFlow 1.5).
    pub idle_age: Option<u32>,
    /// Seconds since the last modification, if known (NXM).
    pub hard_age: Option<u32>,
    /// `u64::MAX` if unknown.
    pub packet_count: u64,
    pub byte_count: u64,
    pub actions: Vec<Action>,
}

impl FlowStats {
    /// Decodes one entry; `nx` selects the `NXST_FLOW` form.
    pub(crate) fn decode(
        version: Version,
        nx: bool,
        tlv: Option<&TlvTable>,
        r: &mut Reader<'_>,
    ) -> Result<FlowStats, OfpErr> {
        let bad = OfpErr::OfpbrcBadLen;
        let start_remaining = r.remaining();
        let match_options = NxmOptions {
            tlv,
            ..NxmOptions::default()
        };
        let mut fs;
        let instructions_len;
        if nx {
            if r.remaining() < 48 {
                return Err(bad);
            }
            let length = usize::from(r.u16().map_err(short)?);
            let table_id = r.u8().map_err(short)?;
            r.skip(1).map_err(short)?;
            let duration_sec = r.u32().map_err(short)?;
            let duration_nsec = r.u32().map_err(short)?;
            let priority = r.u16().map_err(short)?;
            let idle_timeout = r.u16().map_err(short)?;
            let hard_timeout = r.u16().map_err(short)?;
            let match_len = usize::from(r.u16().map_err(short)?);
            let idle_age = r.u16().map_err(short)?;
            let hard_age = r.u16().map_err(short)?;
            let cookie = r.u64().map_err(short)?;
            let packet_count = r.u64().map_err(short)?;
            let byte_count = r.u64().map_err(short)?;
            let padded = match_len.div_ceil(8) * 8;
            if length < 48 + padded {
                return Err(bad);
            }
            let m = pull_nxm(
                r,
                match_len,
                NxmOptions {
                    tlv,
                    ..NxmOptions::default()
                },
            )?;
            instructions_len = length - 48 - padded;
            fs = FlowStats {
                match_: m.m,
                cookie,
                table_id,
                duration_sec,
                duration_nsec,
                priority,
                idle_timeout,
                hard_timeout,
                importance: 0,
                flags: 0,
                idle_age: (idle_age != 0).then(|| u32::from(idle_age) - 1),
                hard_age: (hard_age != 0).then(|| u32::from(hard_age) - 1),
                packet_count,
                byte_count,
                actions: Vec::new(),
            };
        } else if version == Version::Of10 {
            if r.remaining() < 88 {
                return Err(bad);
            }
            let length = usize::from(r.u16().map_err(short)?);
            if length < 88 {
                return Err(bad);
            }
            let table_id = r.u8().map_err(short)?;
            r.skip(1).map_err(short)?;
            let m = decode_ofp10_match(r)?;
            let duration_sec = r.u32().map_err(short)?;
            let duration_nsec = r.u32().map_err(short)?;
            let priority = r.u16().map_err(short)?;
            let idle_timeout = r.u16().map_err(short)?;
            let hard_timeout = r.u16().map_err(short)?;
            r.skip(6).map_err(short)?;
            let cookie = r.u64().map_err(short)?;
            let packet_count = r.u64().map_err(short)?;
            let byte_count = r.u64().map_err(short)?;
            instructions_len = length - 88;
            fs = FlowStats {
                match_: m,
                cookie,
                table_id,
                duration_sec,
                duration_nsec,
                priority,
                idle_timeout,
                hard_timeout,
                importance: 0,
                flags: 0,
                idle_age: None,
                hard_age: None,
                packet_count,
                byte_count,
                actions: Vec::new(),
            };
        } else if version <= Version::Of14 {
            if r.remaining() < 48 {
                return Err(bad);
            }
            let length = usize::from(r.u16().map_err(short)?);
            if length < 48 {
                return Err(bad);
            }
            let table_id = r.u8().map_err(short)?;
            r.skip(1).map_err(short)?;
            let duration_sec = r.u32().map_err(short)?;
            let duration_nsec = r.u32().map_err(short)?;
            let priority = r.u16().map_err(short)?;
            let idle_timeout = r.u16().map_err(short)?;
            let hard_timeout = r.u16().map_err(short)?;
            let raw_flags = r.u16().map_err(short)?;
            let importance = r.u16().map_err(short)?;
            r.skip(2).map_err(short)?;
            let cookie = r.u64().map_err(short)?;
            let packet_count = r.u64().map_err(short)?;
            let byte_count = r.u64().map_err(short)?;
            let before = r.remaining();
            let m = decode_match_with(version, r, match_options)?;
            let match_len = before - r.remaining();
            instructions_len = length.checked_sub(48 + match_len).ok_or(bad)?;
            fs = FlowStats {
                match_: m,
                cookie,
                table_id,
                duration_sec,
                duration_nsec,
                priority,
                idle_timeout,
                hard_timeout,
                importance: if version >= Version::Of14 {
                    importance
                } else {
                    0
                },
                flags: if version >= Version::Of13 {
                    decode_flags(raw_flags, None, version)?
                } else {
                    0
                },
                idle_age: None,
                hard_age: None,
                packet_count,
                byte_count,
                actions: Vec::new(),
            };
        } else {
            if r.remaining() < 24 {
                return Err(bad);
            }
            let length = usize::from(r.u16().map_err(short)?);
            if length < 24 {
                return Err(bad);
            }
            r.skip(2).map_err(short)?;
            let table_id = r.u8().map_err(short)?;
            r.skip(1).map_err(short)?;
            let priority = r.u16().map_err(short)?;
            let idle_timeout = r.u16().map_err(short)?;
            let hard_timeout = r.u16().map_err(short)?;
            let raw_flags = r.u16().map_err(short)?;
            let importance = r.u16().map_err(short)?;
            let cookie = r.u64().map_err(short)?;
            let before = r.remaining();
            let m = decode_match_with(version, r, match_options)?;
            let flags = decode_flags(raw_flags, None, version)?;
            let oxs = OxsStats::decode(r)?;
            let used = before - r.remaining();
            instructions_len = length.checked_sub(24 + used).ok_or(bad)?;
            fs = FlowStats {
                match_: m,
                cookie,
                table_id,
                duration_sec: oxs.duration_sec,
                duration_nsec: oxs.duration_nsec,
                priority,
                idle_timeout,
                hard_timeout,
                importance,
                flags,
                idle_age: (oxs.idle_age != u32::MAX).then_some(oxs.idle_age),
                hard_age: None,
                packet_count: oxs.packet_count,
                byte_count: oxs.byte_count,
                actions: Vec::new(),
            };
        }
        let _ = start_remaining;
        fs.actions = if version == Version::Of10 || nx {
            decode_actions_with(version, r, instructions_len, &action_decode_options(tlv))?
        } else {
            decode_instructions_with(version, r, instructions_len, &action_decode_options(tlv))?
        };
        Ok(fs)
    }

    pub(crate) fn encode(
        &self,
        version: Version,
        nx: bool,
        tlv: Option<&TlvTable>,
        w: &mut Writer,
    ) {
        let acts = action_encode_options(tlv);
        let start = w.len();
        let unknown_to_zero = |v: u64| if v == u64::MAX { 0 } else { v };
        if nx {
            w.u16(0);
            w.u8(self.table_id);
            w.zeros(1);
            w.u32(self.duration_sec);
            w.u32(self.duration_nsec);
            w.u16(self.priority);
            w.u16(self.idle_timeout);
            w.u16(self.hard_timeout);
            let len_at = w.len();
            w.u16(0);
            let age = |a: Option<u32>| match a {
                None => 0,
                Some(a) if a < 0xffff => a as u16 + 1,
                Some(_) => 0xffff,
            };
            w.u16(age(self.idle_age));
            w.u16(age(self.hard_age));
            w.u64(self.cookie);
            w.u64(self.packet_count);
            w.u64(self.byte_count);
            let n = put_nxm(&self.match_, 0, 0, tlv, w);
            w.patch_u16(len_at, n as u16);
            encode_actions_with(version, &self.actions, w, &acts);
        } else if version == Version::Of10 {
            w.u16(0);
            w.u8(self.table_id);
            w.zeros(1);
            encode_ofp10_match(&self.match_, w);
            w.u32(self.duration_sec);
            w.u32(self.duration_nsec);
            w.u16(self.priority);
            w.u16(self.idle_timeout);
            w.u16(self.hard_timeout);
            w.zeros(6);
            w.u64(self.cookie);
            w.u64(unknown_to_zero(self.packet_count));
            w.u64(unknown_to_zero(self.byte_count));
            encode_actions_with(version, &self.actions, w, &acts);
        } else if version <= Version::Of14 {
            w.u16(0);
            w.u8(self.table_id);
            w.zeros(1);
            w.u32(self.duration_sec);
            w.u32(self.duration_nsec);
            w.u16(self.priority);
            w.u16(self.idle_timeout);
            w.u16(self.hard_timeout);
            w.u16(if version >= Version::Of13 {
                encode_flags(self.flags, version)
            } else {
                0
            });
            w.u16(if version >= Version::Of14 {
                self.importance
            } else {
                0
            });
            w.zeros(2);
            w.u64(self.cookie);
            w.u64(unknown_to_zero(self.packet_count));
            w.u64(unknown_to_zero(self.byte_count));
            put_oxm_match(version, &self.match_, tlv, w);
            encode_instructions_with(version, &self.actions, w, &acts);
        } else {
            w.u16(0);
            w.zeros(2);
            w.u8(self.table_id);
            w.zeros(1);
            w.u16(self.priority);
            w.u16(self.idle_timeout);
            w.u16(self.hard_timeout);
            w.u16(encode_flags(self.flags, version));
            w.u16(self.importance);
            w.u64(self.cookie);
            encode_match_tlv(version, &self.match_, tlv, w);
            OxsStats {
                duration_sec: self.duration_sec,
                duration_nsec: self.duration_nsec,
                idle_age: self.idle_age.unwrap_or(u32::MAX),
                packet_count: self.packet_count,
                byte_count: self.byte_count,
                flow_count: u32::MAX,
            }
            .encode(w);
            encode_instructions_with(version, &self.actions, w, &acts);
        }
        let len = w.len() - start;
        w.patch_u16(start, len as u16);
    }
}

/// An aggregate statistics reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AggregateStats {
    /// `u64::MAX` if unknown.
    pub packet_count: u64,
    pub byte_count: u64,
    pub flow_count: u32,
}

impl AggregateStats {
    pub(crate) fn decode(version: Version, r: &mut Reader<'_>) -> Result<AggregateStats, OfpErr> {
        if version >= Version::Of15 {
            let oxs = OxsStats::decode(r)?;
            Ok(AggregateStats {
                packet_count: oxs.packet_count,
                byte_count: oxs.byte_count,
                flow_count: oxs.flow_count,
            })
        } else {
            let packet_count = r.u64().map_err(short)?;
            let byte_count = r.u64().map_err(short)?;
            let flow_count = r.u32().map_err(short)?;
            r.skip(4).map_err(short)?;
            Ok(AggregateStats {
                packet_count,
                byte_count,
                flow_count,
            })
        }
    }

    /// `of10_standard`: the OpenFlow 1.0 `OFPST_AGGREGATE` form, which has no
    /// "unknown" and reports 0 instead.
    pub(crate) fn encode(&self, version: Version, of10_standard: bool, w: &mut Writer) {
        if version >= Version::Of15 {
            OxsStats {
                packet_count: self.packet_count,
                byte_count: self.byte_count,
                flow_count: self.flow_count,
                ..OxsStats::default()
            }
            .encode(w);
        } else {
            let fix = |v: u64| if of10_standard && v == u64::MAX { 0 } else { v };
            w.u64(fix(self.packet_count));
            w.u64(fix(self.byte_count));
            w.u32(self.flow_count);
            w.zeros(4);
        }
    }
}

/// `OFPRR_*`: why a flow was removed.
pub mod removed_reason {
    pub const IDLE_TIMEOUT: u8 = 0;
    pub const HARD_TIMEOUT: u8 = 1;
    pub const DELETE: u8 = 2;
    pub const GROUP_DELETE: u8 = 3;
    pub const METER_DELETE: u8 = 4;
    pub const EVICTION: u8 = 5;
}

/// `OFPT_FLOW_REMOVED` / `NXT_FLOW_REMOVED`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowRemoved {
    pub match_: Match,
    pub cookie: u64,
    pub priority: u16,
    /// [`removed_reason`].
    pub reason: u8,
    /// 255 if unknown (OpenFlow 1.0).
    pub table_id: u8,
    pub duration_sec: u32,
    pub duration_nsec: u32,
    pub idle_timeout: u16,
    /// OpenFlow 1.1+ only.
    pub hard_timeout: u16,
    pub packet_count: u64,
    pub byte_count: u64,
    /// The `NXT_FLOW_REMOVED` form.
    pub nx: bool,
}

impl FlowRemoved {
    pub(crate) fn decode(
        version: Version,
        nx: bool,
        r: &mut Reader<'_>,
    ) -> Result<FlowRemoved, OfpErr> {
        if nx {
            let cookie = r.u64().map_err(short)?;
            let priority = r.u16().map_err(short)?;
            let reason = r.u8().map_err(short)?;
            let table_id = r.u8().map_err(short)?;
            let duration_sec = r.u32().map_err(short)?;
            let duration_nsec = r.u32().map_err(short)?;
            let idle_timeout = r.u16().map_err(short)?;
            let match_len = usize::from(r.u16().map_err(short)?);
            let packet_count = r.u64().map_err(short)?;
            let byte_count = r.u64().map_err(short)?;
            let m = pull_nxm(r, match_len, NxmOptions::default())?;
            if !r.is_empty() {
                return Err(OfpErr::OfpbrcBadLen);
            }
            Ok(FlowRemoved {
                match_: m.m,
                cookie,
                priority,
                reason,
                table_id: table_id.wrapping_sub(1),
                duration_sec,
                duration_nsec,
                idle_timeout,
                hard_timeout: 0,
                packet_count,
                byte_count,
                nx: true,
            })
        } else if version == Version::Of10 {
            let m = decode_ofp10_match(r)?;
            let cookie = r.u64().map_err(short)?;
            let priority = r.u16().map_err(short)?;
            let reason = r.u8().map_err(short)?;
            r.skip(1).map_err(short)?;
            let duration_sec = r.u32().map_err(short)?;
            let duration_nsec = r.u32().map_err(short)?;
            let idle_timeout = r.u16().map_err(short)?;
            r.skip(2).map_err(short)?;
            let packet_count = r.u64().map_err(short)?;
            let byte_count = r.u64().map_err(short)?;
            Ok(FlowRemoved {
                match_: m,
                cookie,
                priority,
                reason,
                table_id: 255,
                duration_sec,
                duration_nsec,
                idle_timeout,
                hard_timeout: 0,
                packet_count,
                byte_count,
                nx: false,
            })
        } else if version <= Version::Of14 {
            let cookie = r.u64().map_err(short)?;
            let priority = r.u16().map_err(short)?;
            let reason = r.u8().map_err(short)?;
            let table_id = r.u8().map_err(short)?;
            let duration_sec = r.u32().map_err(short)?;
            let duration_nsec = r.u32().map_err(short)?;
            let idle_timeout = r.u16().map_err(short)?;
            let hard_timeout = r.u16().map_err(short)?;
            let packet_count = r.u64().map_err(short)?;
            let byte_count = r.u64().map_err(short)?;
            let m = decode_match(version, r)?;
            Ok(FlowRemoved {
                match_: m,
                cookie,
                priority,
                reason,
                table_id,
                duration_sec,
                duration_nsec,
                idle_timeout,
                hard_timeout,
                packet_count,
                byte_count,
                nx: false,
            })
        } else {
            let table_id = r.u8().map_err(short)?;
            let reason = r.u8().map_err(short)?;
            let priority = r.u16().map_err(short)?;
            let idle_timeout = r.u16().map_err(short)?;
            let hard_timeout = r.u16().map_err(short)?;
            let cookie = r.u64().map_err(short)?;
            let m = decode_match(version, r)?;
            let oxs = OxsStats::decode(r)?;
            Ok(FlowRemoved {
                match_: m,
                cookie,
                priority,
                reason,
                table_id,
                duration_sec: oxs.duration_sec,
                duration_nsec: oxs.duration_nsec,
                idle_timeout,
                hard_timeout,
                packet_count: oxs.packet_count,
                byte_count: oxs.byte_count,
                nx: false,
            })
        }
    }

    pub(crate) fn encode(&self, version: Version, tlv: Option<&TlvTable>, w: &mut Writer) {
        let reason = if self.reason == removed_reason::METER_DELETE && version < Version::Of14 {
            removed_reason::DELETE
        } else {
            self.reason
        };
        if self.nx {
            w.u64(self.cookie);
            w.u16(self.priority);
            w.u8(reason);
            w.u8(self.table_id.wrapping_add(1));
            w.u32(self.duration_sec);
            w.u32(self.duration_nsec);
            w.u16(self.idle_timeout);
            let len_at = w.len();
            w.u16(0);
            w.u64(self.packet_count);
            w.u64(self.byte_count);
            let n = put_nxm(&self.match_, 0, 0, tlv, w);
            w.patch_u16(len_at, n as u16);
        } else if version == Version::Of10 {
            let unknown_to_zero = |v: u64| if v == u64::MAX { 0 } else { v };
            encode_ofp10_match(&self.match_, w);
            w.u64(self.cookie);
            w.u16(self.priority);
            w.u8(reason);
            w.zeros(1);
            w.u32(self.duration_sec);
            w.u32(self.duration_nsec);
            w.u16(self.idle_timeout);
            w.zeros(2);
            w.u64(unknown_to_zero(self.packet_count));
            w.u64(unknown_to_zero(self.byte_count));
        } else if version <= Version::Of14 {
            w.u64(self.cookie);
            w.u16(self.priority);
            w.u8(reason);
            w.u8(self.table_id);
            w.u32(self.duration_sec);
            w.u32(self.duration_nsec);
            w.u16(self.idle_timeout);
            w.u16(self.hard_timeout);
            w.u64(self.packet_count);
            w.u64(self.byte_count);
            encode_match_tlv(version, &self.match_, tlv, w);
        } else {
            w.u8(self.table_id);
            w.u8(reason);
            w.u16(self.priority);
            w.u16(self.idle_timeout);
            w.u16(self.hard_timeout);
            w.u64(self.cookie);
            encode_match_tlv(version, &self.match_, tlv, w);
            OxsStats {
                duration_sec: self.duration_sec,
                duration_nsec: self.duration_nsec,
                packet_count: self.packet_count,
                byte_count: self.byte_count,
                ..OxsStats::default()
            }
            .encode(w);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_per_version() {
        assert_eq!(
            decode_flags(4, Some(FlowModCommand::Add), Version::Of10),
            Ok(flow_flags::EMERG | flow_flags::RESET_COUNTS)
        );
        assert_eq!(
            decode_flags(4, Some(FlowModCommand::Add), Version::Of13),
            Ok(flow_flags::RESET_COUNTS)
        );
        assert_eq!(
            decode_flags(8, None, Version::Of12),
            Err(OfpErr::OfpfmfcBadFlags)
        );
        assert_eq!(encode_flags(flow_flags::RESET_COUNTS, Version::Of10), 0);
        assert_eq!(encode_flags(flow_flags::NO_BYT_COUNTS, Version::Of13), 16);
    }

    #[test]
    fn of10_normalization() {
        let mut m = Match::default();
        let _ = m.set_exact(FieldId::TcpDst, &80u16.to_be_bytes());
        let _ = m.set_exact(FieldId::EthType, &0x0800u16.to_be_bytes());
        // No IP protocol: the port cannot be matched.
        normalize_of10_match(&mut m);
        assert!(m.is_wild(FieldId::TcpDst));
        assert!(!m.is_wild(FieldId::EthType));
    }

    #[test]
    fn oxs_round_trip() {
        let s = OxsStats {
            duration_sec: 3,
            duration_nsec: 4,
            idle_age: 5,
            packet_count: 6,
            byte_count: 7,
            flow_count: 8,
        };
        let mut w = Writer::new();
        s.encode(&mut w);
        assert_eq!(w.len() % 8, 0);
        assert_eq!(OxsStats::decode(&mut Reader::new(w.as_slice())), Ok(s));
    }
}
