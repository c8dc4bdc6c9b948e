//! What the switch says about its own abilities: the table features and
//! table statistics descriptions, group features and meter features that
//! OVS 3.1's `ofproto-dpif` on the userspace datapath reports (OVS's
//! `query_tables` in `ofproto.c`, encoded as `ofp-table.c` does per
//! version, and `dpif-netdev`'s meter limits).
//!
//! Everything here is a pure function of the OpenFlow version and the few
//! per-table settings a controller or the database can change (name, flow
//! limit, OpenFlow 1.1/1.2 table-miss config); counters come in as
//! arguments.

use ovs_flow::fields::FIELDS;
use ovs_flow::{FieldId, FieldInfo};
use ovs_ofp_core::Version;
use ovs_ofp_match::FieldHeader;
use ovs_ofp_msgs::table::tfpt;
use ovs_ofp_msgs::{
    GroupFeatures, MeterFeatures, TableFeatureProp, TableFeatures, TableMiss, TableStats,
};

/// The `max_entries` OVS advertises for a table without a lower flow limit.
pub const MAX_ENTRIES: u32 = 1_000_000;

/// The per-table settings that change what a table reports. The default is
/// an untouched ofproto-dpif table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableInfo<'a> {
    /// The table's name (database `Flow_Table` name or one set through a
    /// table features request); OVS reports an empty name otherwise.
    pub name: Option<&'a str>,
    /// The table's flow limit; the advertised `max_entries` is the smaller
    /// of this and [`MAX_ENTRIES`].
    pub max_flows: u32,
    /// Table-miss behaviour set by an OpenFlow 1.1/1.2 table mod.
    pub miss: TableMiss,
}

impl Default for TableInfo<'_> {
    fn default() -> Self {
        TableInfo {
            name: None,
            max_flows: u32::MAX,
            miss: TableMiss::Default,
        }
    }
}

impl TableInfo<'_> {
    fn max_entries(&self) -> u32 {
        self.max_flows.min(MAX_ENTRIES)
    }

    fn name(&self) -> String {
        // OVS copies at most 31 bytes into the 32-byte name field.
        let name = self.name.unwrap_or("");
        let mut end = name.len().min(31);
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        name[..end].to_string()
    }
}

/// `OFPGFC_SELECT_WEIGHT | OFPGFC_SELECT_LIVENESS | OFPGFC_CHAINING`.
const GROUP_CAPABILITIES: u32 = 0x7;
/// All, select, indirect and fast failover groups.
const GROUP_TYPES: u32 = 0xf;
/// `OFPG_MAX`: OVS allows every group ID for each type.
const MAX_GROUPS: u32 = 0xffff_ff00;

/// `dpif-netdev`'s meter limits.
const MAX_METERS: u32 = 1 << 18;
const MAX_BANDS: u8 = 8;
/// `1 << OFPMBT13_DROP`: only drop bands.
const METER_BAND_TYPES: u32 = 1 << 1;
/// kbps, pktps, burst and stats.
const METER_CAPABILITIES: u32 = 0xf;

/// The wire action type numbers (`OFPAT_*`) of the actions OVS supports,
/// as `version` numbers them. OVS supports every action it knows, so these
/// are all the entries of its per-version action map.
fn action_types(version: Version) -> Vec<u16> {
    match version {
        // output .. enqueue.
        Version::Of10 => (0..=11).collect(),
        // Everything but copy_ttl_out/in (11, 12).
        Version::Of11 => (0..=10).chain(13..=24).collect(),
        // output, then set_mpls_ttl .. set_field; no copy_ttl or PBB.
        _ => std::iter::once(0).chain(15..=25).collect(),
    }
}

/// The same set as a bitmap (table statistics, group features).
fn action_bitmap(version: Version) -> u32 {
    action_types(version)
        .into_iter()
        .fold(0, |acc, t| acc | (1u32 << t))
}

/// The instruction types (`OFPIT_*`) a table offers: goto_table only if a
/// later table exists, meter only in OpenFlow 1.3 and 1.4 (OVS uses the
/// OpenFlow 1.1 numbering for 1.5, which has no meter instruction).
fn instruction_types(version: Version, goto_table: bool) -> Vec<u16> {
    let meter = matches!(version, Version::Of13 | Version::Of14);
    let mut ids = Vec::new();
    if goto_table {
        ids.push(1);
    }
    // write_metadata, write_actions, apply_actions, clear_actions.
    ids.extend(2..=5);
    if meter {
        ids.push(6);
    }
    ids
}

fn instruction_bitmap(version: Version, goto_table: bool) -> u32 {
    instruction_types(version, goto_table)
        .into_iter()
        .fold(0, |acc, t| acc | (1u32 << t))
}

/// Fields OVS can name in NXM or OXM at all: the only ones it advertises.
fn has_code_point(f: &FieldInfo) -> bool {
    f.nxm.is_some() || !f.oxm.is_empty()
}

fn matchable(f: &FieldInfo) -> bool {
    has_code_point(f)
}

fn maskable(f: &FieldInfo) -> bool {
    has_code_point(f) && f.maskable
}

fn writable(f: &FieldInfo) -> bool {
    has_code_point(f) && f.writable
}

/// The headers of the fields `pick` selects, in OVS's field order, as
/// `version` names them; `masked` marks those advertised with a mask.
fn field_headers(
    version: Version,
    pick: fn(&FieldInfo) -> bool,
    masked: Option<fn(&FieldInfo) -> bool>,
) -> Vec<FieldHeader> {
    FIELDS
        .iter()
        .filter(|f| pick(f))
        .filter_map(|f| {
            let m = masked.is_some_and(|m| m(f));
            FieldHeader::for_field(f.id, Some(version), m)
        })
        .collect()
}

/// OVS's OpenFlow 1.2 field bitmap: bit N for each selected field whose
/// header in OpenFlow 1.2 is the basic OXM class with field number N.
fn oxm12_bitmap(pick: fn(&FieldInfo) -> bool) -> u64 {
    FIELDS
        .iter()
        .filter(|f| pick(f))
        .filter_map(|f| FieldHeader::for_field(f.id, Some(Version::Of12), false))
        .filter(|h| h.class == 0x8000 && h.field < 64)
        .fold(0, |acc, h| acc | (1u64 << h.field))
}

/// OpenFlow 1.0 wildcard bits and the field each stands for.
const OF10_WILDCARDS: [(u32, FieldId); 12] = [
    (1 << 0, FieldId::InPort),
    (1 << 1, FieldId::VlanVid),
    (1 << 2, FieldId::EthSrc),
    (1 << 3, FieldId::EthDst),
    (1 << 4, FieldId::EthType),
    (1 << 5, FieldId::IpProto),
    (1 << 6, FieldId::TcpSrc),
    (1 << 7, FieldId::TcpDst),
    (0x3f << 8, FieldId::Ipv4Src),
    (0x3f << 14, FieldId::Ipv4Dst),
    (1 << 20, FieldId::VlanPcp),
    (1 << 21, FieldId::IpDscp),
];

/// OpenFlow 1.1 match-field bits and the field each stands for (1 << 10,
/// the match type, has no field and is never set).
const OF11_FIELDS: [(u32, FieldId); 15] = [
    (1 << 0, FieldId::InPort),
    (1 << 1, FieldId::VlanVid),
    (1 << 2, FieldId::VlanPcp),
    (1 << 3, FieldId::EthType),
    (1 << 4, FieldId::IpDscp),
    (1 << 5, FieldId::IpProto),
    (1 << 6, FieldId::TcpSrc),
    (1 << 7, FieldId::TcpDst),
    (1 << 8, FieldId::MplsLabel),
    (1 << 9, FieldId::MplsTc),
    (1 << 11, FieldId::EthSrc),
    (1 << 12, FieldId::EthDst),
    (1 << 13, FieldId::Ipv4Src),
    (1 << 14, FieldId::Ipv4Dst),
    (1 << 15, FieldId::Metadata),
];

fn fixed_bitmap(map: &[(u32, FieldId)], pick: impl Fn(&FieldInfo) -> bool) -> u32 {
    map.iter()
        .filter(|(_, f)| pick(f.info()))
        .fold(0, |acc, (bit, _)| acc | bit)
}

/// OVS lets every field it matches be wildcarded entirely.
fn wildcardable(f: &FieldInfo) -> bool {
    matchable(f)
}

/// The OpenFlow 1.0/1.1 "wildcards" OVS reports: fields that either cannot
/// be matched or can be wildcarded.
fn wild_or_nonmatchable(f: &FieldInfo) -> bool {
    !matchable(f) || wildcardable(f)
}

/// The properties of one table's features entry (OVS's
/// `ofputil_append_table_features` with `query_tables`'s values): the same
/// instruction set for regular and table-miss flows, then match and
/// wildcards.
fn table_properties(version: Version, table_id: u8, n_tables: u8) -> Vec<TableFeatureProp> {
    let next: Vec<u8> = (u16::from(table_id) + 1..u16::from(n_tables))
        .filter_map(|t| u8::try_from(t).ok())
        .collect();
    let instructions = instruction_types(version, !next.is_empty());
    let actions = action_types(version);
    let set_fields = field_headers(version, writable, None);
    let mut props = Vec::with_capacity(14);
    for miss in [0, 1] {
        props.push(TableFeatureProp::Ids {
            prop_type: tfpt::INSTRUCTIONS + miss,
            ids: instructions.clone(),
        });
        props.push(TableFeatureProp::NextTables {
            prop_type: tfpt::NEXT_TABLES + miss,
            tables: next.clone(),
        });
        for (actions_type, fields_type) in [
            (tfpt::WRITE_ACTIONS, tfpt::WRITE_SETFIELD),
            (tfpt::APPLY_ACTIONS, tfpt::APPLY_SETFIELD),
        ] {
            props.push(TableFeatureProp::Ids {
                prop_type: actions_type + miss,
                ids: actions.clone(),
            });
            props.push(TableFeatureProp::Fields {
                prop_type: fields_type + miss,
                fields: set_fields.clone(),
            });
        }
    }
    props.push(TableFeatureProp::Fields {
        prop_type: tfpt::MATCH,
        fields: field_headers(version, matchable, Some(maskable)),
    });
    props.push(TableFeatureProp::Fields {
        prop_type: tfpt::WILDCARDS,
        fields: field_headers(version, matchable, None),
    });
    props
}

/// One table's `OFPMP_TABLE_FEATURES` reply entry. `n_tables` is the number
/// of tables a controller sees (OVS: 254, the hidden internal table left
/// out); `goto_table` and next tables cover the later ones.
pub fn table_features_for(
    version: Version,
    table_id: u8,
    n_tables: u8,
    info: &TableInfo<'_>,
) -> TableFeatures {
    TableFeatures {
        command: ovs_ofp_msgs::table::tf_command::REPLACE,
        table_id,
        name: info.name(),
        metadata_match: u64::MAX,
        metadata_write: u64::MAX,
        // ofproto-dpif supports neither eviction nor vacancy events as
        // table capabilities.
        capabilities: 0,
        max_entries: info.max_entries(),
        properties: table_properties(version, table_id, n_tables),
    }
}

/// The `OFPMP_TABLE_FEATURES` reply entries of tables `0..n_tables`, all
/// with default settings. OVS only sends these in OpenFlow 1.3 and later;
/// for older versions the values follow the same rules.
pub fn table_features(version: Version, n_tables: u8) -> Vec<TableFeatures> {
    (0..n_tables)
        .map(|t| table_features_for(version, t, n_tables, &TableInfo::default()))
        .collect()
}

/// One table's statistics entry with default settings, as
/// [`table_stats_for`].
pub fn table_stats(
    version: Version,
    table_id: u8,
    active_count: u32,
    lookup_count: u64,
    matched_count: u64,
) -> TableStats {
    table_stats_for(
        version,
        table_id,
        crate::tables::N_VISIBLE_TABLES,
        &TableInfo::default(),
        active_count,
        lookup_count,
        matched_count,
    )
}

/// One table's `OFPST_TABLE` entry, with the descriptive fields OpenFlow
/// 1.0-1.2 carry filled as OVS fills them (OpenFlow 1.3+ encodes only the
/// counters). `active_count` is the caller's: OVS leaves its hidden rules
/// (in-band, fail-open) out of table 0's count. `n_tables` decides whether
/// the table offers `goto_table`.
pub fn table_stats_for(
    version: Version,
    table_id: u8,
    n_tables: u8,
    info: &TableInfo<'_>,
    active_count: u32,
    lookup_count: u64,
    matched_count: u64,
) -> TableStats {
    let mut s = TableStats {
        table_id,
        active_count,
        lookup_count,
        matched_count,
        ..TableStats::default()
    };
    if version >= Version::Of13 {
        return s;
    }
    s.name = info.name();
    s.max_entries = info.max_entries();
    let goto_table = u16::from(table_id) + 1 < u16::from(n_tables);
    match version {
        Version::Of10 => {
            s.wildcards = u64::from(fixed_bitmap(&OF10_WILDCARDS, wild_or_nonmatchable));
        }
        Version::Of11 => {
            s.wildcards = u64::from(fixed_bitmap(&OF11_FIELDS, wild_or_nonmatchable));
            s.match_ = u64::from(fixed_bitmap(&OF11_FIELDS, matchable));
            s.instructions = instruction_bitmap(version, goto_table);
            s.write_actions = action_bitmap(version);
            s.apply_actions = action_bitmap(version);
            // OVS writes its internal table-miss number here (default 0,
            // controller 1, continue 2, drop 3), not the OpenFlow 1.1
            // encoding; `ovs-ofctl` then calls 3 a bad config.
            s.config = match info.miss {
                TableMiss::Default => 0,
                TableMiss::Controller => 1,
                TableMiss::Continue => 2,
                TableMiss::Drop => 3,
            };
        }
        _ => {
            s.match_ = oxm12_bitmap(matchable);
            s.wildcards = oxm12_bitmap(wildcardable);
            s.write_actions = action_bitmap(version);
            s.apply_actions = action_bitmap(version);
            s.write_setfields = oxm12_bitmap(writable);
            s.apply_setfields = oxm12_bitmap(writable);
            s.metadata_match = u64::MAX;
            s.metadata_write = u64::MAX;
            s.instructions = instruction_bitmap(version, goto_table);
            s.config = match info.miss {
                TableMiss::Continue => 1,
                TableMiss::Drop => 2,
                TableMiss::Default | TableMiss::Controller => 0,
            };
        }
    }
    s
}

/// The group features reply (`OFPST_GROUP_FEATURES`, `NXST_GROUP_FEATURES`
/// in OpenFlow 1.0/1.1): all four group types with every group ID and every
/// action, the action bitmap in `version`'s numbering.
pub fn group_features(version: Version) -> GroupFeatures {
    let actions = action_bitmap(version);
    GroupFeatures {
        types: GROUP_TYPES,
        capabilities: GROUP_CAPABILITIES,
        max_groups: [MAX_GROUPS; 4],
        actions: [actions; 4],
    }
}

/// The meter features reply of the userspace datapath (OpenFlow 1.3+).
pub fn meter_features() -> MeterFeatures {
    MeterFeatures {
        max_meters: MAX_METERS,
        band_types: METER_BAND_TYPES,
        capabilities: METER_CAPABILITIES,
        max_bands: MAX_BANDS,
        max_color: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::N_VISIBLE_TABLES;
    use ovs_ofp_msgs::{EncodeOptions, Message, MpReply, MultipartReply, encode_all};

    /// Replies captured from real OVS 3.1; see the file's header.
    const GOLDEN: &str = include_str!("../tests/data/features_ovs31.txt");

    fn version(n: &str) -> Version {
        match n {
            "10" => Version::Of10,
            "11" => Version::Of11,
            "12" => Version::Of12,
            "13" => Version::Of13,
            "14" => Version::Of14,
            "15" => Version::Of15,
            _ => panic!("bad version {n} in golden data"),
        }
    }

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
            .collect()
    }

    fn fnv1a64(b: &[u8]) -> u64 {
        b.iter().fold(0xcbf2_9ce4_8422_2325, |h, &x| {
            (h ^ u64::from(x)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    }

    /// Golden lines `kind what version ...` as their remaining words.
    fn golden<'a>(kind: &'a str, what: &'a str) -> impl Iterator<Item = (Version, Vec<&'a str>)> {
        GOLDEN.lines().filter_map(move |l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            (w.len() >= 3 && w[0] == kind && w[1] == what).then(|| (version(w[2]), w[3..].to_vec()))
        })
    }

    fn zero_xid(mut m: Vec<u8>) -> Vec<u8> {
        m[4..8].fill(0);
        m
    }

    fn reply(version: Version, body: MpReply) -> Vec<Vec<u8>> {
        let msg = Message::MultipartReply(MultipartReply { flags: 0, body });
        encode_all(version, 0x1234, &msg, &EncodeOptions::default())
            .expect("encodes")
            .into_iter()
            .map(zero_xid)
            .collect()
    }

    fn tables_reply(version: Version) -> Vec<Vec<u8>> {
        // The bridge had only its default flow, in table 0.
        let stats = (0..N_VISIBLE_TABLES)
            .map(|t| table_stats(version, t, u32::from(t == 0), 0, 0))
            .collect();
        reply(version, MpReply::Table(stats))
    }

    fn encoded_entry(version: Version, tf: TableFeatures) -> Vec<u8> {
        // The entry is what follows the 16-byte multipart header.
        reply(version, MpReply::TableFeatures(vec![tf]))[0][16..].to_vec()
    }

    fn check_messages(what: &str, ours: impl Fn(Version) -> Vec<Vec<u8>>) {
        let mut seen = 0;
        for v in Version::ALL {
            let want: Vec<(usize, u64)> = golden("msg", what)
                .filter(|(gv, _)| *gv == v)
                .map(|(_, w)| {
                    (
                        w[1].parse().expect("len"),
                        u64::from_str_radix(w[2], 16).expect("hash"),
                    )
                })
                .collect();
            if want.is_empty() {
                continue;
            }
            let got: Vec<(usize, u64)> = ours(v).iter().map(|m| (m.len(), fnv1a64(m))).collect();
            assert_eq!(got, want, "{what} reply in {v:?}");
            seen += 1;
        }
        assert!(seen >= 3, "no golden {what} replies");
    }

    #[test]
    fn table_stats_replies_match_ovs() {
        check_messages("tables", tables_reply);
        for (v, w) in golden("entry", "tables") {
            let t: usize = w[0].parse().expect("table");
            let msg = &tables_reply(v)[0];
            let body_at = if v == Version::Of10 { 12 } else { 16 };
            let size = (msg.len() - body_at) / usize::from(N_VISIBLE_TABLES);
            let at = body_at + t * size;
            assert_eq!(hex(&msg[at..at + size]), w[1], "table {t} in {v:?}");
        }
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn table_features_replies_match_ovs() {
        for (v, w) in golden("entry", "table-features") {
            let t: u8 = w[0].parse().expect("table");
            let tf = table_features_for(v, t, N_VISIBLE_TABLES, &TableInfo::default());
            let got = hex(&encoded_entry(v, tf));
            assert_eq!(got, w[1], "table {t} in {v:?}");
        }
        check_messages("table-features", |v| {
            reply(
                v,
                MpReply::TableFeatures(table_features(v, N_VISIBLE_TABLES)),
            )
        });
    }

    #[test]
    fn group_and_meter_features_match_ovs() {
        let mut n = 0;
        for (v, w) in golden("whole", "group-features") {
            let got = reply(v, MpReply::GroupFeatures(group_features(v)));
            assert_eq!(got, vec![unhex(w[0])], "group features in {v:?}");
            n += 1;
        }
        for (v, w) in golden("whole", "meter-features") {
            let got = reply(v, MpReply::MeterFeatures(meter_features()));
            assert_eq!(got, vec![unhex(w[0])], "meter features in {v:?}");
            n += 1;
        }
        assert_eq!(n, 9);
    }

    /// Table 1 named "mytable" with flow limit 100, table 2 set to drop
    /// misses and table 3 to continue (OpenFlow 1.1/1.2 table mods).
    fn custom_info(t: u8) -> TableInfo<'static> {
        match t {
            1 => TableInfo {
                name: Some("mytable"),
                max_flows: 100,
                ..TableInfo::default()
            },
            2 => TableInfo {
                miss: TableMiss::Drop,
                ..TableInfo::default()
            },
            3 => TableInfo {
                miss: TableMiss::Continue,
                ..TableInfo::default()
            },
            _ => TableInfo::default(),
        }
    }

    #[test]
    fn table_settings_show_as_in_ovs() {
        let n = N_VISIBLE_TABLES;
        let mut checked = 0;
        for (v, w) in golden("custom", "tables") {
            let t: u8 = w[0].parse().expect("table");
            let s = table_stats_for(v, t, n, &custom_info(t), 0, 0, 0);
            let got = reply(v, MpReply::Table(vec![s]));
            let body_at = if v == Version::Of10 { 12 } else { 16 };
            assert_eq!(hex(&got[0][body_at..]), w[1], "table {t} in {v:?}");
            checked += 1;
        }
        for (v, w) in golden("custom", "table-features") {
            let t: u8 = w[0].parse().expect("table");
            let tf = table_features_for(v, t, n, &custom_info(t));
            let got = encoded_entry(v, tf);
            assert_eq!(hex(&got[..64]), w[1], "table {t} in {v:?}");
            checked += 1;
        }
        assert_eq!(checked, 13);
    }

    #[test]
    fn last_table_has_no_goto() {
        let tf = table_features(Version::Of13, 3);
        assert_eq!(tf.len(), 3);
        let ids = |t: &TableFeatures| match &t.properties[0] {
            TableFeatureProp::Ids { ids, .. } => ids.clone(),
            p => panic!("unexpected {p:?}"),
        };
        assert_eq!(ids(&tf[0]), vec![1, 2, 3, 4, 5, 6]);
        assert_eq!(ids(&tf[2]), vec![2, 3, 4, 5, 6]);
        let s = table_stats_for(Version::Of11, 2, 3, &TableInfo::default(), 0, 0, 0);
        assert_eq!(s.instructions, 0x3c);
    }

    #[test]
    fn long_names_are_cut_like_ovs() {
        let name = "é".repeat(20);
        let info = TableInfo {
            name: Some(&name),
            ..TableInfo::default()
        };
        let tf = table_features_for(Version::Of13, 0, 1, &info);
        assert!(tf.name.len() <= 31);
        assert!(name.starts_with(&tf.name));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

        /// What we advertise decodes back to the same entries, in the strict
        /// form a table features request needs too.
        #[test]
        fn table_features_round_trip(
            v in proptest::sample::select(vec![Version::Of13, Version::Of14, Version::Of15]),
            n in 1u8..=254,
            t in 0u8..254,
            name in "[a-z0-9_]{0,40}",
            max_flows in proptest::num::u32::ANY,
        ) {
            let t = t % n;
            let info = TableInfo { name: Some(&name), max_flows, miss: TableMiss::Default };
            let tf = table_features_for(v, t, n, &info);
            proptest::prop_assert!(tf.name.len() <= 31);
            proptest::prop_assert_eq!(tf.max_entries, max_flows.min(MAX_ENTRIES));
            let msgs = reply(v, MpReply::TableFeatures(vec![tf.clone()]));
            proptest::prop_assert_eq!(msgs.len(), 1);
            let (_, m) = ovs_ofp_msgs::decode(&msgs[0]).expect("decodes");
            let Message::MultipartReply(MultipartReply { body: MpReply::TableFeatures(back), .. }) = m else {
                panic!("not a table features reply");
            };
            proptest::prop_assert_eq!(back, vec![tf]);
        }
    }
}
