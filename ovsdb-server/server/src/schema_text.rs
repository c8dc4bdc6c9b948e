//! The `get_schema` result, byte for byte as ovsdb-server 3.1 writes it.
//!
//! OVS answers `get_schema` with `ovsdb_schema_to_json()` serialized without
//! sorting, so every JSON object's members come out in the iteration order
//! of the hash map (`shash`) the object was built in, and that order depends
//! on the order the keys went in. Clients that list what they received
//! (`ovsdb-client list-tables`, `list-columns`) print that order back
//! through their own maps, so the wire order is visible to users.
//!
//! Two kinds of objects appear. Most are built by code that inserts a fixed
//! set of keys in a fixed order (`name`, `version`, ... for the schema;
//! `key`, `value`, `min`, `max` for a type). The `tables` object and each
//! `columns` object are different: their keys are names from the schema
//! text, and each passes through three maps before it reaches the wire:
//!
//! 1. the JSON parser inserts members in text order;
//! 2. `ovsdb_schema_from_json` walks that object and adds each table to the
//!    schema's map (`ovsdb_table_schema_from_json` likewise adds columns,
//!    after the `_uuid` and `_version` columns it always adds first);
//! 3. `ovsdb_schema_to_json` walks the schema's maps and inserts into fresh
//!    JSON objects (skipping the `_` columns), which the writer walks.
//!
//! That one step, "the order a map built by these insertions iterates in",
//! is `ovs_shash::in_shash_order` (named [`shash_iteration`] for lists of
//! names); the stages above and the final write each apply it once.

use std::collections::{HashMap, HashSet};
use std::fmt;

use ovsdb::DatabaseSchema;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// The order each kind of object's keys are inserted by OVS's
/// `ovsdb_schema_to_json`, `ovsdb_table_schema_to_json`,
/// `ovsdb_column_to_json`, `ovsdb_type_to_json` and
/// `ovsdb_base_type_to_json`.
const SCHEMA_KEYS: &[&str] = &["name", "version", "cksum", "tables"];
const TABLE_KEYS: &[&str] = &["mutable", "isRoot", "columns", "maxRows", "indexes"];
const COLUMN_KEYS: &[&str] = &["mutable", "ephemeral", "type"];
const TYPE_KEYS: &[&str] = &["key", "value", "min", "max"];
const BASE_TYPE_KEYS: &[&str] = &[
    "type",
    "enum",
    "minInteger",
    "maxInteger",
    "minReal",
    "maxReal",
    "minLength",
    "maxLength",
    "refTable",
    "refType",
];

/// Columns every table schema has before its own ones.
const STD_COLUMNS: [&str; 2] = ["_uuid", "_version"];

/// The order in which OVS iterates a `shash` built by inserting `inserted`
/// (distinct names) in that order.
pub fn shash_iteration<S: AsRef<str> + Clone>(inserted: &[S]) -> Vec<S> {
    ovs_shash::in_shash_order(inserted, |name| name.as_ref().to_owned())
}

/// The `get_schema` result for `schema`, whose database file (or built-in
/// text) holds `record_text` as its schema record. Without the text, or if
/// it does not parse, tables and columns are taken in name order.
pub fn get_schema_text(schema: &DatabaseSchema, record_text: Option<&str>) -> String {
    let text = record_text
        .and_then(|t| serde_json::from_str::<Members>(t).ok())
        .unwrap_or_default();
    let json = schema.to_json();
    let built = object(&json, SCHEMA_KEYS, |name, value| match name {
        "tables" => tables(value, text.get("tables")),
        _ => Built::Plain(value.clone()),
    });
    let mut out = String::new();
    built.write(&mut out);
    out
}

/// For each table of the schema record `record_text`, the order in which
/// OVS walks the table's columns (its `shash`, `_uuid` and `_version`
/// included): OVS compares rows in that order to sort `select` results.
pub fn column_orders(record_text: &str) -> Vec<(String, Vec<String>)> {
    let text = serde_json::from_str::<Members>(record_text).unwrap_or_default();
    let tables = text.get("tables");
    tables
        .names()
        .into_iter()
        .map(|table| {
            let parsed = shash_iteration(&tables.get(&table).get("columns").names());
            let in_schema: Vec<String> = STD_COLUMNS
                .into_iter()
                .map(str::to_string)
                .chain(parsed)
                .collect();
            (table, shash_iteration(&in_schema))
        })
        .collect()
}

fn tables(json: &Value, text: &Members) -> Built {
    let parsed = shash_iteration(&text.names());
    let inserted = shash_iteration(&parsed);
    object(json, &inserted, |name, table| {
        object(table, TABLE_KEYS, |key, value| match key {
            "columns" => columns(value, text.get(name).get("columns")),
            _ => Built::Plain(value.clone()),
        })
    })
}

fn columns(json: &Value, text: &Members) -> Built {
    let parsed = shash_iteration(&text.names());
    let in_schema: Vec<&str> = STD_COLUMNS
        .into_iter()
        .chain(parsed.iter().map(String::as_str))
        .collect();
    let inserted: Vec<&str> = shash_iteration(&in_schema)
        .into_iter()
        .filter(|name| !name.starts_with('_'))
        .collect();
    object(json, &inserted, |_, column| {
        object(column, COLUMN_KEYS, |key, value| match key {
            "type" => column_type(value),
            _ => Built::Plain(value.clone()),
        })
    })
}

fn column_type(json: &Value) -> Built {
    object(json, TYPE_KEYS, |key, value| match key {
        "key" | "value" => object(value, BASE_TYPE_KEYS, |_, v| Built::Plain(v.clone())),
        _ => Built::Plain(value.clone()),
    })
}

/// `json` with its members in `insertion` order, each converted by `child`.
/// Members `insertion` does not name (none, for what OVS itself builds)
/// follow in name order, so that nothing is ever dropped. A non-object is
/// taken as it is.
fn object<S: AsRef<str>>(
    json: &Value,
    insertion: &[S],
    child: impl Fn(&str, &Value) -> Built,
) -> Built {
    let Value::Object(map) = json else {
        return Built::Plain(json.clone());
    };
    let named: HashSet<&str> = insertion.iter().map(AsRef::as_ref).collect();
    let listed = insertion
        .iter()
        .map(AsRef::as_ref)
        .filter(|name| map.contains_key(*name));
    let rest = map
        .keys()
        .map(String::as_str)
        .filter(|name| !named.contains(name));
    let members = listed
        .chain(rest)
        .filter_map(|name| Some((name.to_owned(), child(name, map.get(name)?))))
        .collect();
    Built::Object(members)
}

/// A JSON value whose objects list their members in insertion order.
#[derive(Debug)]
enum Built {
    Plain(Value),
    Object(Vec<(String, Built)>),
}

impl Built {
    /// Compact JSON text, objects in `shash` iteration order, as OVS's
    /// `json_to_string(json, 0)` writes them.
    fn write(&self, out: &mut String) {
        match self {
            Built::Plain(value) => ovs_jsonrpc::text::write_json(out, value),
            Built::Object(members) => {
                let inserted: Vec<(&str, &Built)> =
                    members.iter().map(|(n, b)| (n.as_str(), b)).collect();
                out.push('{');
                for (i, (name, value)) in ovs_shash::in_shash_order(&inserted, |&(n, _)| n)
                    .into_iter()
                    .enumerate()
                {
                    if i > 0 {
                        out.push(',');
                    }
                    ovs_jsonrpc::text::write_json(out, &Value::String(name.to_owned()));
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// The member names of every object in a JSON text, in the order a parser
/// meets them. A repeated name keeps its first place and takes the later
/// value, as OVS's parser (`shash_replace`) does. Arrays are not looked
/// into: no schema object that matters sits in one.
#[derive(Debug, Default)]
struct Members(Vec<(String, Members)>);

static NO_MEMBERS: Members = Members(Vec::new());

impl Members {
    fn names(&self) -> Vec<String> {
        self.0.iter().map(|(n, _)| n.clone()).collect()
    }

    fn get(&self, name: &str) -> &Members {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map_or(&NO_MEMBERS, |(_, m)| m)
    }
}

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Members, D::Error> {
        deserializer.deserialize_any(MembersVisitor)
    }
}

struct MembersVisitor;

impl<'de> Visitor<'de> for MembersVisitor {
    type Value = Members;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Members, E> {
        Ok(Members::default())
    }

    fn visit_i64<E>(self, _: i64) -> Result<Members, E> {
        Ok(Members::default())
    }

    fn visit_u64<E>(self, _: u64) -> Result<Members, E> {
        Ok(Members::default())
    }

    fn visit_f64<E>(self, _: f64) -> Result<Members, E> {
        Ok(Members::default())
    }

    fn visit_str<E>(self, _: &str) -> Result<Members, E> {
        Ok(Members::default())
    }

    fn visit_unit<E>(self) -> Result<Members, E> {
        Ok(Members::default())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Members, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Members::default())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
        let mut members: Vec<(String, Members)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        while let Some(name) = map.next_key::<String>()? {
            let value = map.next_value::<Members>()?;
            match index.get(&name).and_then(|&i| members.get_mut(i)) {
                Some(slot) => slot.1 = value,
                None => {
                    index.insert(name.clone(), members.len());
                    members.push((name, value));
                }
            }
        }
        Ok(Members(members))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn schema(text: &str) -> DatabaseSchema {
        let json: Value = serde_json::from_str(text).expect("test schema is JSON");
        DatabaseSchema::from_json(&json).expect("test schema is valid")
    }

    /// The member names of `path`'s object in `text`, in text order.
    fn order_in(text: &str, path: &[&str]) -> Vec<String> {
        let members: Members = serde_json::from_str(text).expect("output is JSON");
        path.iter().fold(&members, |m, name| m.get(name)).names()
    }

    /// A schema text whose tables (each with columns `c`) and columns come
    /// in the given order.
    fn schema_text(tables: &[(&str, &[&str])]) -> String {
        let tables: Vec<String> = tables
            .iter()
            .map(|(t, cols)| {
                let cols: Vec<String> = cols
                    .iter()
                    .map(|c| format!("\"{c}\":{{\"type\":\"string\"}}"))
                    .collect();
                format!("\"{t}\":{{\"columns\":{{{}}}}}", cols.join(","))
            })
            .collect();
        format!("{{\"name\":\"db\",\"tables\":{{{}}}}}", tables.join(","))
    }

    // Observed: the table order in the schema record `ovsdb-tool create`
    // writes for vswitch.ovsschema, and the order ovsdb-server 3.1 then
    // sends the tables in.
    const VSWITCH_RECORD_TABLES: [&str; 19] = [
        "Controller",
        "Bridge",
        "Queue",
        "Open_vSwitch",
        "NetFlow",
        "IPFIX",
        "CT_Zone",
        "QoS",
        "Datapath",
        "SSL",
        "Port",
        "sFlow",
        "Flow_Sample_Collector_Set",
        "CT_Timeout_Policy",
        "Mirror",
        "Flow_Table",
        "AutoAttach",
        "Interface",
        "Manager",
    ];
    const VSWITCH_WIRE_TABLES: [&str; 19] = [
        "Controller",
        "Bridge",
        "Queue",
        "IPFIX",
        "NetFlow",
        "Open_vSwitch",
        "CT_Zone",
        "QoS",
        "Datapath",
        "SSL",
        "Port",
        "sFlow",
        "Flow_Sample_Collector_Set",
        "CT_Timeout_Policy",
        "Mirror",
        "Flow_Table",
        "Interface",
        "AutoAttach",
        "Manager",
    ];

    #[test]
    fn tables_pass_through_three_maps() {
        let tables: Vec<(&str, &[&str])> = VSWITCH_RECORD_TABLES
            .iter()
            .map(|&t| (t, &["c"][..]))
            .collect();
        let text = schema_text(&tables);
        let out = get_schema_text(&schema(&text), Some(&text));
        assert_eq!(order_in(&out, &["tables"]), VSWITCH_WIRE_TABLES);
        let three = shash_iteration(&shash_iteration(&shash_iteration(&VSWITCH_RECORD_TABLES)));
        assert_eq!(three, VSWITCH_WIRE_TABLES);
    }

    #[test]
    fn columns_share_their_map_with_uuid_and_version() {
        // Observed as above: (table, column order in the record, order sent).
        let cases: [(&str, &[&str], &[&str]); 4] = [
            (
                "SSL",
                &[
                    "bootstrap_ca_cert",
                    "private_key",
                    "certificate",
                    "external_ids",
                    "ca_cert",
                ],
                &[
                    "bootstrap_ca_cert",
                    "certificate",
                    "private_key",
                    "external_ids",
                    "ca_cert",
                ],
            ),
            (
                "Datapath",
                &[
                    "ct_zones",
                    "external_ids",
                    "capabilities",
                    "datapath_version",
                ],
                &[
                    "external_ids",
                    "ct_zones",
                    "datapath_version",
                    "capabilities",
                ],
            ),
            (
                "Manager",
                &[
                    "is_connected",
                    "connection_mode",
                    "other_config",
                    "external_ids",
                    "status",
                    "target",
                    "inactivity_probe",
                    "max_backoff",
                ],
                &[
                    "is_connected",
                    "connection_mode",
                    "other_config",
                    "external_ids",
                    "status",
                    "target",
                    "max_backoff",
                    "inactivity_probe",
                ],
            ),
            (
                "QoS",
                &["queues", "external_ids", "other_config", "type"],
                &["queues", "other_config", "external_ids", "type"],
            ),
        ];
        let tables: Vec<(&str, &[&str])> = cases.iter().map(|(t, rec, _)| (*t, *rec)).collect();
        let text = schema_text(&tables);
        let out = get_schema_text(&schema(&text), Some(&text));
        let mut hidden_columns_matter = false;
        for (table, record, wire) in cases {
            assert_eq!(
                order_in(&out, &["tables", table, "columns"]),
                wire,
                "{table}"
            );
            let without_std = shash_iteration(&shash_iteration(&shash_iteration(record)));
            hidden_columns_matter |= without_std != wire;
        }
        assert!(hidden_columns_matter);
    }

    // A schema using every key OVS writes, as a database file's record, and
    // the `get_schema` result ovsdb-server 3.1 sends for that file.
    const EVERY_KEY_RECORD: &str = r#"{"name": "T", "version": "1.0.0", "cksum": "1 2",
 "tables": {
  "Alpha": {"isRoot": true, "maxRows": 5, "indexes": [["name"], ["num", "name"]],
    "columns": {
      "name": {"type": "string", "mutable": false},
      "num": {"type": {"key": {"type": "integer", "minInteger": -3, "maxInteger": 9}}},
      "eph": {"type": {"key": "string", "min": 0, "max": 1}, "ephemeral": true, "mutable": false},
      "r": {"type": {"key": {"type": "real", "minReal": -1.5, "maxReal": 1e300}, "min": 0, "max": "unlimited"}},
      "s": {"type": {"key": {"type": "string", "minLength": 1, "maxLength": 8}, "value": {"type": "string", "enum": ["set", ["b", "a"]]}, "min": 1, "max": 3}},
      "ref": {"type": {"key": {"type": "uuid", "refTable": "Beta", "refType": "weak"}, "min": 0, "max": "unlimited"}},
      "sref": {"type": {"key": {"type": "uuid", "refTable": "Beta"}}}}},
  "Beta": {"mutable": false, "columns": {"b": {"type": "boolean"}, "one": {"type": {"key": {"type": "integer", "enum": 7}}}}}}}
"#;
    const EVERY_KEY_SENT: &str = concat!(
        r#"{"cksum":"1 2","name":"T","version":"1.0.0","tables":{"Beta":{"mutable":false,"#,
        r#""columns":{"one":{"type":{"key":{"type":"integer","enum":7}}},"b":{"type":"boolean"}}},"#,
        r#""Alpha":{"maxRows":5,"isRoot":true,"indexes":[["name"],["num","name"]],"columns":{"#,
        r#""num":{"type":{"key":{"minInteger":-3,"maxInteger":9,"type":"integer"}}},"#,
        r#""name":{"mutable":false,"type":"string"},"#,
        r#""eph":{"mutable":false,"ephemeral":true,"type":{"min":0,"key":"string"}},"#,
        r#""ref":{"type":{"max":"unlimited","min":0,"key":{"refType":"weak","type":"uuid","refTable":"Beta"}}},"#,
        r#""s":{"type":{"max":3,"key":{"maxLength":8,"minLength":1,"type":"string"},"#,
        r#""value":{"type":"string","enum":["set",["a","b"]]}}},"#,
        r#""sref":{"type":{"key":{"type":"uuid","refTable":"Beta"}}},"#,
        r#""r":{"type":{"max":"unlimited","min":0,"key":{"maxReal":1e+300,"type":"real","minReal":-1.5}}}}}}}"#,
    );

    #[test]
    fn every_key_in_ovs_order() {
        let out = get_schema_text(&schema(EVERY_KEY_RECORD), Some(EVERY_KEY_RECORD));
        assert_eq!(out, EVERY_KEY_SENT);
    }

    #[test]
    fn without_usable_text_names_are_inserted_sorted() {
        let names = ["Bb", "Aa", "Dd", "Cc", "Ff", "Ee", "Hh", "Gg", "Jj", "Ii"];
        let tables: Vec<(&str, &[&str])> = names.iter().map(|&t| (t, &["c"][..])).collect();
        let s = schema(&schema_text(&tables));
        let out = get_schema_text(&s, None);
        assert_eq!(get_schema_text(&s, Some("{not json")), out);
        let mut sorted = names;
        sorted.sort_unstable();
        assert_eq!(order_in(&out, &["tables"]), shash_iteration(&sorted));
        let back: Value = serde_json::from_str(&out).expect("output is JSON");
        assert_eq!(back, s.to_json());
    }

    #[test]
    fn repeated_names_keep_their_first_place() {
        let members: Members =
            serde_json::from_str(r#"{"a": 1, "b": {"x": [ {"q": 1} ]}, "a": {"y": 2}, "c": []}"#)
                .expect("valid JSON");
        assert_eq!(members.names(), ["a", "b", "c"]);
        assert_eq!(members.get("a").names(), ["y"]);
        assert_eq!(members.get("b").names(), ["x"]);
        assert!(members.get("b").get("x").names().is_empty());
        assert!(members.get("missing").names().is_empty());
    }

    #[test]
    fn code_built_objects_follow_their_key_lists() {
        let built = object(
            &json!({"zz": 1, "max": 2, "key": 3, "aa": 4}),
            TYPE_KEYS,
            |_, v| Built::Plain(v.clone()),
        );
        let Built::Object(members) = built else {
            panic!("an object stays an object");
        };
        let names: Vec<&str> = members.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["key", "max", "aa", "zz"]);
    }

    proptest! {
        #[test]
        fn output_is_the_schema_in_any_text_order(
            tables in prop::collection::btree_map(
                "[A-Z][a-z]{0,6}",
                prop::collection::btree_set("[a-z]{1,8}", 1..12),
                1..24,
            ),
            seed in any::<u64>(),
        ) {
            // Some permutation of the names, so text order differs from
            // sorted order.
            let rotate = |n: usize| if n == 0 { 0 } else { (seed as usize) % n };
            let mut list: Vec<(&str, Vec<&str>)> = tables
                .iter()
                .map(|(t, cols)| {
                    let mut cols: Vec<&str> = cols.iter().map(String::as_str).collect();
                    let r = rotate(cols.len());
                    cols.rotate_left(r);
                    (t.as_str(), cols)
                })
                .collect();
            let r = rotate(list.len());
            list.rotate_left(r);
            let list: Vec<(&str, &[&str])> = list.iter().map(|(t, c)| (*t, c.as_slice())).collect();
            let text = schema_text(&list);
            let s = schema(&text);
            let out = get_schema_text(&s, Some(&text));
            let back: Value = serde_json::from_str(&out).expect("output is JSON");
            prop_assert_eq!(back, s.to_json());
            let names: Vec<&str> = list.iter().map(|(t, _)| *t).collect();
            let three = shash_iteration(&shash_iteration(&shash_iteration(&names)));
            prop_assert_eq!(order_in(&out, &["tables"]), three);
        }
    }
}
