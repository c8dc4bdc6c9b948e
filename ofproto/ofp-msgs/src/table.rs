//! Tables: table_mod, table statistics, table features, table
//! descriptions and table status.

use ovs_ofp_core::{OfpErr, Reader, Version, Writer};
use ovs_ofp_match::FieldHeader;

use crate::prop;
use crate::util::{get_name, put_name, short};

/// `OFP_MAX_TABLE_NAME_LEN`.
pub const TABLE_NAME_LEN: usize = 32;

/// What a table does with a packet no flow matches (OpenFlow 1.1 and 1.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TableMiss {
    /// The version's default (decoded for versions without the setting).
    Default,
    Controller,
    Continue,
    Drop,
}

/// A tri-state table setting (eviction, vacancy events; OpenFlow 1.4+).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TableSetting {
    /// Not specified (decoded for versions without the setting).
    Default,
    On,
    Off,
}

const OFPTC14_EVICTION: u32 = 1 << 2;
const OFPTC14_VACANCY_EVENTS: u32 = 1 << 3;
const OFPTMPT14_EVICTION: u64 = 2;
const OFPTMPT14_VACANCY: u64 = 3;

fn decode_miss(config: u32, version: Version) -> TableMiss {
    if version == Version::Of11 || version == Version::Of12 {
        match config & 3 {
            1 => TableMiss::Continue,
            2 => TableMiss::Drop,
            _ => TableMiss::Controller,
        }
    } else {
        TableMiss::Default
    }
}

fn decode_setting(config: u32, bit: u32, version: Version) -> TableSetting {
    if version < Version::Of14 {
        TableSetting::Default
    } else if config & bit != 0 {
        TableSetting::On
    } else {
        TableSetting::Off
    }
}

/// OVS's `ofputil_encode_table_config`.
fn encode_config(
    miss: TableMiss,
    eviction: TableSetting,
    vacancy: TableSetting,
    version: Version,
) -> u32 {
    match version {
        Version::Of10 | Version::Of13 => 0,
        Version::Of11 | Version::Of12 => match miss {
            TableMiss::Continue => 1,
            TableMiss::Drop => 2,
            TableMiss::Default | TableMiss::Controller => 0,
        },
        Version::Of14 | Version::Of15 => {
            let mut c = 0;
            if eviction == TableSetting::On {
                c |= OFPTC14_EVICTION;
            }
            if vacancy == TableSetting::On {
                c |= OFPTC14_VACANCY_EVENTS;
            }
            c
        }
    }
}

/// Vacancy thresholds (percent).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Vacancy {
    pub vacancy_down: u8,
    pub vacancy_up: u8,
    /// Current vacancy (descriptions and status only).
    pub vacancy: u8,
}

/// `OFPT_TABLE_MOD` (OpenFlow 1.1+).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableMod {
    /// 0xff: all tables.
    pub table_id: u8,
    /// OpenFlow 1.1 and 1.2 only.
    pub miss: TableMiss,
    /// OpenFlow 1.4+.
    pub eviction: TableSetting,
    /// `OFPTMPEF14_*`, if the eviction property was present (OpenFlow 1.4+).
    /// OVS 3.1 stores this property's value in its eviction setting
    /// instead; ofproto should treat it as OVS does.
    pub eviction_flags: Option<u32>,
    /// OpenFlow 1.4+.
    pub vacancy: TableSetting,
    pub table_vacancy: Vacancy,
}

impl TableMod {
    pub(crate) fn decode(version: Version, r: &mut Reader<'_>) -> Result<TableMod, OfpErr> {
        let table_id = r.u8().map_err(short)?;
        r.skip(3).map_err(short)?;
        let config = r.u32().map_err(short)?;
        let mut tm = TableMod {
            table_id,
            miss: decode_miss(config, version),
            eviction: decode_setting(config, OFPTC14_EVICTION, version),
            eviction_flags: None,
            vacancy: decode_setting(config, OFPTC14_VACANCY_EVENTS, version),
            table_vacancy: Vacancy::default(),
        };
        if version >= Version::Of14 {
            while !r.is_empty() {
                let p = prop::pull(r)?;
                match p.prop_type {
                    OFPTMPT14_EVICTION => tm.eviction_flags = Some(p.u32()?),
                    OFPTMPT14_VACANCY => {
                        if p.whole.len() != 8 {
                            return Err(OfpErr::OfpbpcBadLen);
                        }
                        let (down, up, cur) = (p.whole[4], p.whole[5], p.whole[6]);
                        if down > up || down > 100 || up > 100 || cur != 0 {
                            return Err(OfpErr::OfpbpcBadValue);
                        }
                        tm.table_vacancy = Vacancy {
                            vacancy_down: down,
                            vacancy_up: up,
                            vacancy: 0,
                        };
                    }
                    _ => return Err(OfpErr::OfpbrcBadType),
                }
            }
        }
        Ok(tm)
    }

    pub(crate) fn encode(&self, version: Version, w: &mut Writer) {
        w.u8(self.table_id);
        w.zeros(3);
        w.u32(encode_config(
            self.miss,
            self.eviction,
            self.vacancy,
            version,
        ));
        if version >= Version::Of14 {
            if let Some(f) = self.eviction_flags {
                prop::put_u32(w, OFPTMPT14_EVICTION, f);
            }
            if self.vacancy == TableSetting::On {
                let at = prop::start(w, OFPTMPT14_VACANCY);
                w.u8(self.table_vacancy.vacancy_down);
                w.u8(self.table_vacancy.vacancy_up);
                w.zeros(2);
                prop::end(w, at);
            }
        }
    }
}

/// One table's description (OpenFlow 1.4+ `OFPMP_TABLE_DESC`, and inside
/// table status).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableDesc {
    pub table_id: u8,
    pub eviction: TableSetting,
    pub eviction_flags: Option<u32>,
    pub vacancy: TableSetting,
    pub table_vacancy: Vacancy,
}

impl TableDesc {
    pub(crate) fn decode(version: Version, r: &mut Reader<'_>) -> Result<TableDesc, OfpErr> {
        let bad = OfpErr::OfpbrcBadLen;
        let total = r.remaining();
        if total < 8 {
            return Err(bad);
        }
        let length = usize::from(r.u16().map_err(short)?);
        let table_id = r.u8().map_err(short)?;
        r.skip(1).map_err(short)?;
        let config = r.u32().map_err(short)?;
        if length < 8 || length - 8 > total - 8 {
            return Err(bad);
        }
        let mut td = TableDesc {
            table_id,
            eviction: decode_setting(config, OFPTC14_EVICTION, version),
            eviction_flags: None,
            vacancy: decode_setting(config, OFPTC14_VACANCY_EVENTS, version),
            table_vacancy: Vacancy::default(),
        };
        let mut props = r.sub(length - 8).map_err(short)?;
        while !props.is_empty() {
            let p = prop::pull(&mut props)?;
            match p.prop_type {
                OFPTMPT14_EVICTION => td.eviction_flags = Some(p.u32()?),
                OFPTMPT14_VACANCY => {
                    if p.whole.len() != 8 {
                        return Err(OfpErr::OfpbpcBadLen);
                    }
                    td.table_vacancy = Vacancy {
                        vacancy_down: p.whole[4],
                        vacancy_up: p.whole[5],
                        vacancy: p.whole[6],
                    };
                }
                _ => {}
            }
        }
        Ok(td)
    }

    /// `status`: the table-status form, which always carries both
    /// properties (OVS's `ofputil_put_ofp14_table_desc`).
    pub(crate) fn encode(&self, version: Version, status: bool, w: &mut Writer) {
        let start = w.len();
        w.u16(0);
        w.u8(self.table_id);
        w.zeros(1);
        w.u32(encode_config(
            TableMiss::Default,
            self.eviction,
            self.vacancy,
            version,
        ));
        if status {
            prop::put_u32(
                w,
                OFPTMPT14_EVICTION,
                self.eviction_flags.unwrap_or(u32::MAX),
            );
        } else if let Some(f) = self.eviction_flags {
            prop::put_u32(w, OFPTMPT14_EVICTION, f);
        }
        if status || self.vacancy == TableSetting::On {
            let at = prop::start(w, OFPTMPT14_VACANCY);
            w.u8(self.table_vacancy.vacancy_down);
            w.u8(self.table_vacancy.vacancy_up);
            w.u8(self.table_vacancy.vacancy);
            w.zeros(1);
            prop::end(w, at);
        }
        let len = w.len() - start;
        w.patch_u16(start, len as u16);
    }
}

/// `OFPTR_*`: why a table status was sent.
pub mod table_reason {
    pub const VACANCY_DOWN: u8 = 3;
    pub const VACANCY_UP: u8 = 4;
}

/// `OFPT_TABLE_STATUS` (OpenFlow 1.4+).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableStatus {
    /// [`table_reason`].
    pub reason: u8,
    pub desc: TableDesc,
}

impl TableStatus {
    pub(crate) fn decode(version: Version, r: &mut Reader<'_>) -> Result<TableStatus, OfpErr> {
        let reason = r.u8().map_err(short)?;
        r.skip(7).map_err(short)?;
        if reason != table_reason::VACANCY_DOWN && reason != table_reason::VACANCY_UP {
            return Err(OfpErr::OfpbpcBadValue);
        }
        let desc = TableDesc::decode(version, r)?;
        Ok(TableStatus { reason, desc })
    }

    pub(crate) fn encode(&self, version: Version, w: &mut Writer) {
        w.u8(self.reason);
        w.zeros(7);
        self.desc.encode(version, true, w);
    }
}

/// One table's statistics. OpenFlow 1.3+ carries only the counters; the
/// older versions also describe the table in their own bitmaps, which are
/// kept as they appear on the wire (OpenFlow 1.0 `OFPFW10_*` wildcards, 1.1
/// `OFPFMF11_*`, 1.2 `1 << OFPXMT12_*`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableStats {
    pub table_id: u8,
    pub active_count: u32,
    pub lookup_count: u64,
    pub matched_count: u64,
    /// OpenFlow 1.0-1.2.
    pub name: String,
    pub max_entries: u32,
    pub wildcards: u64,
    /// OpenFlow 1.1-1.2.
    pub match_: u64,
    pub instructions: u32,
    pub write_actions: u32,
    pub apply_actions: u32,
    pub config: u32,
    /// OpenFlow 1.2.
    pub write_setfields: u64,
    pub apply_setfields: u64,
    pub metadata_match: u64,
    pub metadata_write: u64,
}

impl TableStats {
    pub(crate) fn decode(version: Version, r: &mut Reader<'_>) -> Result<TableStats, OfpErr> {
        let size = match version {
            Version::Of10 => 64,
            Version::Of11 => 88,
            Version::Of12 => 128,
            _ => 24,
        };
        let mut e = r.sub(size).map_err(short)?;
        let mut s = TableStats {
            table_id: e.u8().map_err(short)?,
            ..TableStats::default()
        };
        match version {
            Version::Of10 => {
                e.skip(3).map_err(short)?;
                s.name = get_name(&mut e, TABLE_NAME_LEN)?;
                s.wildcards = u64::from(e.u32().map_err(short)?);
                s.max_entries = e.u32().map_err(short)?;
                s.active_count = e.u32().map_err(short)?;
            }
            Version::Of11 => {
                e.skip(7).map_err(short)?;
                s.name = get_name(&mut e, TABLE_NAME_LEN)?;
                s.wildcards = u64::from(e.u32().map_err(short)?);
                s.match_ = u64::from(e.u32().map_err(short)?);
                s.instructions = e.u32().map_err(short)?;
                s.write_actions = e.u32().map_err(short)?;
                s.apply_actions = e.u32().map_err(short)?;
                s.config = e.u32().map_err(short)?;
                s.max_entries = e.u32().map_err(short)?;
                s.active_count = e.u32().map_err(short)?;
            }
            Version::Of12 => {
                e.skip(7).map_err(short)?;
                s.name = get_name(&mut e, TABLE_NAME_LEN)?;
                s.match_ = e.u64().map_err(short)?;
                s.wildcards = e.u64().map_err(short)?;
                s.write_actions = e.u32().map_err(short)?;
                s.apply_actions = e.u32().map_err(short)?;
                s.write_setfields = e.u64().map_err(short)?;
                s.apply_setfields = e.u64().map_err(short)?;
                s.metadata_match = e.u64().map_err(short)?;
                s.metadata_write = e.u64().map_err(short)?;
                s.instructions = e.u32().map_err(short)?;
                s.config = e.u32().map_err(short)?;
                s.max_entries = e.u32().map_err(short)?;
                s.active_count = e.u32().map_err(short)?;
            }
            _ => {
                e.skip(3).map_err(short)?;
                s.active_count = e.u32().map_err(short)?;
            }
        }
        s.lookup_count = e.u64().map_err(short)?;
        s.matched_count = e.u64().map_err(short)?;
        Ok(s)
    }

    pub(crate) fn encode(&self, version: Version, w: &mut Writer) {
        w.u8(self.table_id);
        match version {
            Version::Of10 => {
                w.zeros(3);
                put_name(w, &self.name, TABLE_NAME_LEN);
                w.u32(self.wildcards as u32);
                w.u32(self.max_entries);
                w.u32(self.active_count);
            }
            Version::Of11 => {
                w.zeros(7);
                put_name(w, &self.name, TABLE_NAME_LEN);
                w.u32(self.wildcards as u32);
                w.u32(self.match_ as u32);
                w.u32(self.instructions);
                w.u32(self.write_actions);
                w.u32(self.apply_actions);
                w.u32(self.config);
                w.u32(self.max_entries);
                w.u32(self.active_count);
            }
            Version::Of12 => {
                w.zeros(7);
                put_name(w, &self.name, TABLE_NAME_LEN);
                w.u64(self.match_);
                w.u64(self.wildcards);
                w.u32(self.write_actions);
                w.u32(self.apply_actions);
                w.u64(self.write_setfields);
                w.u64(self.apply_setfields);
                w.u64(self.metadata_match);
                w.u64(self.metadata_write);
                w.u32(self.instructions);
                w.u32(self.config);
                w.u32(self.max_entries);
                w.u32(self.active_count);
            }
            _ => {
                w.zeros(3);
                w.u32(self.active_count);
            }
        }
        w.u64(self.lookup_count);
        w.u64(self.matched_count);
    }
}

/// Table feature property types (`OFPTFPT13_*`); odd values are the
/// table-miss variants.
pub mod tfpt {
    pub const INSTRUCTIONS: u16 = 0;
    pub const INSTRUCTIONS_MISS: u16 = 1;
    pub const NEXT_TABLES: u16 = 2;
    pub const NEXT_TABLES_MISS: u16 = 3;
    pub const WRITE_ACTIONS: u16 = 4;
    pub const WRITE_ACTIONS_MISS: u16 = 5;
    pub const APPLY_ACTIONS: u16 = 6;
    pub const APPLY_ACTIONS_MISS: u16 = 7;
    pub const MATCH: u16 = 8;
    pub const WILDCARDS: u16 = 10;
    pub const WRITE_SETFIELD: u16 = 12;
    pub const WRITE_SETFIELD_MISS: u16 = 13;
    pub const APPLY_SETFIELD: u16 = 14;
    pub const APPLY_SETFIELD_MISS: u16 = 15;
    /// Properties every OpenFlow 1.3/1.4 table features entry must have.
    pub const REQUIRED: u32 = (1 << INSTRUCTIONS)
        | (1 << NEXT_TABLES)
        | (1 << WRITE_ACTIONS)
        | (1 << APPLY_ACTIONS)
        | (1 << MATCH)
        | (1 << WILDCARDS)
        | (1 << WRITE_SETFIELD)
        | (1 << APPLY_SETFIELD);
}

/// One table feature property.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TableFeatureProp {
    /// Instruction or action type IDs (instructions, write/apply actions
    /// and their miss variants).
    Ids { prop_type: u16, ids: Vec<u16> },
    /// Tables `goto_table` may reach (next tables and its miss variant).
    NextTables { prop_type: u16, tables: Vec<u8> },
    /// NXM/OXM field headers (match, wildcards, set-field and miss
    /// variants).
    Fields {
        prop_type: u16,
        fields: Vec<FieldHeader>,
    },
    /// Anything else, kept whole (type, contents after the 4-byte header).
    Other { prop_type: u16, data: Vec<u8> },
}

impl TableFeatureProp {
    /// The property type.
    pub fn prop_type(&self) -> u16 {
        match self {
            TableFeatureProp::Ids { prop_type, .. }
            | TableFeatureProp::NextTables { prop_type, .. }
            | TableFeatureProp::Fields { prop_type, .. }
            | TableFeatureProp::Other { prop_type, .. } => *prop_type,
        }
    }
}

/// `OFPTFC15_*`: what a table features request does (OpenFlow 1.5).
pub mod tf_command {
    pub const REPLACE: u8 = 0;
    pub const MODIFY: u8 = 1;
    pub const ENABLE: u8 = 2;
    pub const DISABLE: u8 = 3;
}

/// One table's features (`ofp13_table_features`), with its properties as
/// they appear on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableFeatures {
    /// [`tf_command`] (OpenFlow 1.5; `REPLACE` before).
    pub command: u8,
    pub table_id: u8,
    pub name: String,
    pub metadata_match: u64,
    pub metadata_write: u64,
    /// `OFPTC14_*` capabilities (OpenFlow 1.4+; 0 before).
    pub capabilities: u32,
    pub max_entries: u32,
    pub properties: Vec<TableFeatureProp>,
}

impl TableFeatures {
    /// Decodes one entry (OVS's `ofputil_decode_table_features`); `loose`
    /// for replies, strict for requests.
    pub(crate) fn decode(
        version: Version,
        loose: bool,
        r: &mut Reader<'_>,
    ) -> Result<TableFeatures, OfpErr> {
        let bad = OfpErr::OfpbpcBadLen;
        let total = r.remaining();
        if total < 64 {
            return Err(bad);
        }
        let len = usize::from(r.peek(2).map_or(0, |b| u16::from_be_bytes([b[0], b[1]])));
        if len < 64 || len % 8 != 0 || len > total {
            return Err(bad);
        }
        let mut e = r.sub(len).map_err(short)?;
        e.skip(2).map_err(short)?;
        let table_id = e.u8().map_err(short)?;
        let command_raw = e.u8().map_err(short)?;
        e.skip(4).map_err(short)?;
        let command = if version >= Version::Of15 {
            if command_raw > tf_command::DISABLE {
                return Err(OfpErr::OfptffcBadCommand);
            }
            command_raw
        } else {
            tf_command::REPLACE
        };
        if table_id == 0xff {
            return Err(OfpErr::OfptffcBadTable);
        }
        let name = get_name(&mut e, TABLE_NAME_LEN)?;
        let metadata_match = e.u64().map_err(short)?;
        let metadata_write = e.u64().map_err(short)?;
        let caps = e.u32().map_err(short)?;
        let max_entries = e.u32().map_err(short)?;
        let any_properties = !e.is_empty();
        let mut seen = 0u32;
        let mut properties = Vec::new();
        while !e.is_empty() {
            let p = prop::pull(&mut e)?;
            let t = p.prop_type;
            if t < 32 {
                let bit = 1u32 << t;
                if seen & bit != 0 {
                    return Err(OfpErr::OfptffcBadFeatures);
                }
                seen |= bit;
            }
            let raw_type = p.raw_type;
            let prop = match raw_type {
                tfpt::INSTRUCTIONS
                | tfpt::INSTRUCTIONS_MISS
                | tfpt::WRITE_ACTIONS
                | tfpt::WRITE_ACTIONS_MISS
                | tfpt::APPLY_ACTIONS
                | tfpt::APPLY_ACTIONS_MISS
                    if t < 0x10000 =>
                {
                    let mut ids = Vec::new();
                    let mut pr = Reader::new(p.payload);
                    while !pr.is_empty() {
                        let id = prop::pull_with(&mut pr, 1, 0x10000)?;
                        let id = id.raw_type;
                        if raw_type <= tfpt::INSTRUCTIONS_MISS && !loose && !(1..=6).contains(&id) {
                            return Err(OfpErr::OfpbicUnknownInst);
                        }
                        ids.push(id);
                    }
                    TableFeatureProp::Ids {
                        prop_type: raw_type,
                        ids,
                    }
                }
                tfpt::NEXT_TABLES | tfpt::NEXT_TABLES_MISS => {
                    if p.payload.contains(&0xff) {
                        return Err(OfpErr::OfpbpcBadValue);
                    }
                    TableFeatureProp::NextTables {
                        prop_type: raw_type,
                        tables: p.payload.to_vec(),
                    }
                }
                tfpt::MATCH
                | tfpt::WILDCARDS
                | tfpt::WRITE_SETFIELD
                | tfpt::WRITE_SETFIELD_MISS
                | tfpt::APPLY_SETFIELD
                | tfpt::APPLY_SETFIELD_MISS => {
                    let mut fields = Vec::new();
                    let mut pr = Reader::new(p.payload);
                    while !pr.is_empty() {
                        let h = FieldHeader::decode(&mut pr)?;
                        if h.field_id(Some(version)).is_none() {
                            if !loose {
                                return Err(OfpErr::OfpbmcBadField);
                            }
                        } else if h.has_mask && raw_type != tfpt::MATCH {
                            return Err(OfpErr::OfpbmcBadMask);
                        }
                        fields.push(h);
                    }
                    TableFeatureProp::Fields {
                        prop_type: raw_type,
                        fields,
                    }
                }
                _ => {
                    prop::unknown(loose, t)?;
                    TableFeatureProp::Other {
                        prop_type: raw_type,
                        data: p.whole[4..].to_vec(),
                    }
                }
            };
            properties.push(prop);
        }
        let missing = (seen & tfpt::REQUIRED) ^ tfpt::REQUIRED;
        if missing != 0 && (any_properties || version < Version::Of15) {
            return Err(OfpErr::OfptffcBadFeatures);
        }
        Ok(TableFeatures {
            command,
            table_id,
            name,
            metadata_match,
            metadata_write,
            capabilities: if version >= Version::Of14 { caps } else { 0 },
            max_entries,
            properties,
        })
    }

    pub(crate) fn encode(&self, version: Version, w: &mut Writer) {
        let start = w.len();
        w.u16(0);
        w.u8(self.table_id);
        w.u8(if version >= Version::Of15 {
            self.command
        } else {
            0
        });
        w.zeros(4);
        put_name(w, &self.name, TABLE_NAME_LEN);
        w.u64(self.metadata_match);
        w.u64(self.metadata_write);
        w.u32(if version >= Version::Of14 {
            self.capabilities
        } else {
            0
        });
        w.u32(self.max_entries);
        for p in &self.properties {
            let at = prop::start(w, u64::from(p.prop_type()));
            if p.prop_type() >= 0xfffe {
                // Experimenter: the 4-byte header is all start() wrote for a
                // 16-bit type; the contents carry the rest.
            }
            match p {
                TableFeatureProp::Ids { ids, .. } => {
                    for id in ids {
                        w.u16(*id);
                        w.u16(4);
                    }
                }
                TableFeatureProp::NextTables { tables, .. } => w.bytes(tables),
                TableFeatureProp::Fields { fields, .. } => {
                    for f in fields {
                        f.encode(w);
                    }
                }
                TableFeatureProp::Other { data, .. } => w.bytes(data),
            }
            prop::end(w, at);
        }
        let len = w.len() - start;
        w.patch_u16(start, len as u16);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_mod_vacancy_checks() {
        // OF1.4 table 1, vacancy events on, vacancy 50..20 (down > up).
        let body = [1, 0, 0, 0, 0, 0, 0, 8, 0, 3, 0, 8, 50, 20, 0, 0];
        assert_eq!(
            TableMod::decode(Version::Of14, &mut Reader::new(&body)),
            Err(OfpErr::OfpbpcBadValue)
        );
        let body = [1, 0, 0, 0, 0, 0, 0, 8, 0, 9, 0, 8, 0, 0, 0, 0];
        assert_eq!(
            TableMod::decode(Version::Of14, &mut Reader::new(&body)),
            Err(OfpErr::OfpbrcBadType)
        );
        let body = [1, 0, 0, 0, 0, 0, 0, 2];
        let tm = TableMod::decode(Version::Of11, &mut Reader::new(&body)).unwrap();
        assert_eq!(tm.miss, TableMiss::Drop);
    }

    #[test]
    fn table_features_need_required_props() {
        let tf = TableFeatures {
            command: 0,
            table_id: 0,
            name: "classifier".into(),
            metadata_match: u64::MAX,
            metadata_write: u64::MAX,
            capabilities: 0,
            max_entries: 1000,
            properties: vec![],
        };
        let mut w = Writer::new();
        tf.encode(Version::Of13, &mut w);
        assert_eq!(
            TableFeatures::decode(Version::Of13, false, &mut Reader::new(w.as_slice())),
            Err(OfpErr::OfptffcBadFeatures)
        );
        let mut w = Writer::new();
        tf.encode(Version::Of15, &mut w);
        assert_eq!(
            TableFeatures::decode(Version::Of15, false, &mut Reader::new(w.as_slice())),
            Ok(tf)
        );
    }
}
