//! The local copy of the monitored tables, and how `update`, `update2` and
//! `update3` payloads change it.
//!
//! A [`Replica`] is immutable once published: the IDL changes its own copy
//! and hands out `Arc<Replica>` snapshots. Tables and rows sit behind `Arc`s
//! too, so an update copies only the tables it touches (their row maps are
//! maps of pointers) and never copies a row it does not change.

use std::collections::BTreeMap;
use std::sync::Arc;

use ovsdb::{Atom, BaseType, ColumnSchema, DatabaseSchema, Datum, Type, parse_uuid};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::IdlError;

/// The columns the replica keeps for one table, sorted by name.
#[derive(Debug)]
pub struct TableLayout {
    name: String,
    columns: Vec<ColumnLayout>,
}

#[derive(Debug)]
struct ColumnLayout {
    name: String,
    /// The column's type in the server's schema.
    type_: Type,
    /// The same shape without element counts or constraints: what the
    /// server sends is parsed with this, so that diffs (which may hold more
    /// elements than the column allows) and values that break a constraint
    /// the client does not care about are still understood.
    wire_type: Type,
}

impl TableLayout {
    /// `columns` are names of columns of `table`; unknown names are
    /// skipped (the caller has already warned about them).
    pub(crate) fn new<'a>(
        table: &ovsdb::TableSchema,
        columns: impl IntoIterator<Item = &'a str>,
    ) -> TableLayout {
        let mut out: Vec<ColumnLayout> = columns
            .into_iter()
            .filter_map(|name| table.columns.get(name))
            .map(column_layout)
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out.dedup_by(|a, b| a.name == b.name);
        TableLayout {
            name: table.name.clone(),
            columns: out,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The replicated column names, sorted.
    pub fn column_names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|c| c.name.as_str())
    }

    /// The schema type of a replicated column.
    pub fn column_type(&self, column: &str) -> Option<&Type> {
        self.index(column).map(|i| &self.columns[i].type_)
    }

    fn index(&self, column: &str) -> Option<usize> {
        self.columns
            .binary_search_by(|c| c.name.as_str().cmp(column))
            .ok()
    }

    fn default_values(&self) -> Vec<Datum> {
        self.columns
            .iter()
            .map(|c| Datum::default_for(&c.type_))
            .collect()
    }
}

fn column_layout(c: &ColumnSchema) -> ColumnLayout {
    let loose = |b: &BaseType| BaseType::new(b.atomic);
    ColumnLayout {
        name: c.name.clone(),
        type_: c.type_.clone(),
        wire_type: Type {
            key: loose(&c.type_.key),
            value: c.type_.value.as_ref().map(loose),
            min: 0,
            max: Type::UNLIMITED,
        },
    }
}

/// One row: its UUID and the value of every replicated column.
#[derive(Clone, Debug)]
pub struct Row {
    uuid: Uuid,
    layout: Arc<TableLayout>,
    values: Box<[Datum]>,
}

impl PartialEq for Row {
    fn eq(&self, other: &Row) -> bool {
        self.uuid == other.uuid
            && self.layout.name == other.layout.name
            && self.column_names().eq(other.column_names())
            && self.values == other.values
    }
}

impl Row {
    pub fn uuid(&self) -> Uuid {
        self.uuid
    }

    /// The table this row belongs to.
    pub fn table(&self) -> &str {
        &self.layout.name
    }

    /// The value of `column`, or `None` if it is not replicated.
    pub fn get(&self, column: &str) -> Option<&Datum> {
        self.layout.index(column).map(|i| &self.values[i])
    }

    /// Every replicated column with its value, in name order.
    pub fn columns(&self) -> impl Iterator<Item = (&str, &Datum)> {
        self.layout.column_names().zip(self.values.iter())
    }

    fn column_names(&self) -> impl Iterator<Item = &str> {
        self.layout.column_names()
    }

    /// The only atom of a column holding exactly one value (a scalar, or an
    /// optional value that is set).
    pub fn get_atom(&self, column: &str) -> Option<&Atom> {
        let d = self.get(column)?;
        if d.is_map() { None } else { d.as_scalar() }
    }

    pub fn get_str(&self, column: &str) -> Option<&str> {
        self.get_atom(column)?.as_str()
    }

    pub fn get_integer(&self, column: &str) -> Option<i64> {
        self.get_atom(column)?.as_integer()
    }

    pub fn get_bool(&self, column: &str) -> Option<bool> {
        match self.get_atom(column)? {
            Atom::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    pub fn get_uuid(&self, column: &str) -> Option<Uuid> {
        self.get_atom(column)?.as_uuid().copied()
    }

    /// The keys of a set column (empty for a missing column or a map).
    pub fn get_set(&self, column: &str) -> &[Atom] {
        self.get(column).map_or(&[], Datum::keys)
    }

    /// The pairs of a map column (empty for a missing column or a set).
    pub fn get_map(&self, column: &str) -> &[(Atom, Atom)] {
        self.get(column).map_or(&[], Datum::pairs)
    }

    /// The value of a string-to-string map column for `key`.
    pub fn get_map_str(&self, column: &str, key: &str) -> Option<&str> {
        let d = self.get(column)?;
        let i = d.find_key(&Atom::string(key)).ok()?;
        d.value(i)?.as_str()
    }
}

/// The rows of one table.
#[derive(Clone, Debug)]
pub struct Table {
    layout: Arc<TableLayout>,
    rows: BTreeMap<Uuid, Arc<Row>>,
}

impl Table {
    fn new(layout: Arc<TableLayout>) -> Table {
        Table {
            layout,
            rows: BTreeMap::new(),
        }
    }

    pub fn name(&self) -> &str {
        &self.layout.name
    }

    pub fn layout(&self) -> &Arc<TableLayout> {
        &self.layout
    }

    pub fn get(&self, uuid: &Uuid) -> Option<&Arc<Row>> {
        self.rows.get(uuid)
    }

    /// The rows in UUID order.
    pub fn rows(&self) -> impl Iterator<Item = &Arc<Row>> {
        self.rows.values()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// A consistent snapshot of the monitored part of the database.
///
/// `seqno` counts applied updates (the monitor reply included) over the
/// IDL's whole life, across reconnections; it never goes back. Before the
/// first monitor reply the replica is empty, with no schema.
///
/// An update replaces the `Arc<Row>` of each row it touches and keeps the
/// others, so `Arc::ptr_eq` on a row from two snapshots tells cheaply
/// whether it may have changed (after a full reload, every row is new).
#[derive(Clone, Debug, Default)]
pub struct Replica {
    schema: Option<Arc<DatabaseSchema>>,
    tables: BTreeMap<String, Arc<Table>>,
    seqno: u64,
}

impl Replica {
    /// The server's schema, once known.
    pub fn schema(&self) -> Option<&Arc<DatabaseSchema>> {
        self.schema.as_ref()
    }

    pub fn seqno(&self) -> u64 {
        self.seqno
    }

    /// A monitored table.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(name).map(|t| &**t)
    }

    /// The monitored tables, by name.
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.tables.values().map(|t| &**t)
    }

    pub fn row(&self, table: &str, uuid: &Uuid) -> Option<&Arc<Row>> {
        self.table(table)?.get(uuid)
    }

    /// The rows of `table` (none if it is not monitored).
    pub fn rows(&self, table: &str) -> impl Iterator<Item = &Arc<Row>> {
        self.table(table).into_iter().flat_map(Table::rows)
    }

    /// A replica with no rows: `layouts` for `schema`, `seqno` carried on.
    pub(crate) fn empty(
        schema: Arc<DatabaseSchema>,
        layouts: &BTreeMap<String, Arc<TableLayout>>,
        seqno: u64,
    ) -> Replica {
        Replica {
            schema: Some(schema),
            tables: layouts
                .iter()
                .map(|(n, l)| (n.clone(), Arc::new(Table::new(l.clone()))))
                .collect(),
            seqno,
        }
    }

    /// Applies one `<table-updates>` (`V1`) or `<table-updates2>` payload,
    /// all or nothing, and counts it in `seqno`.
    pub(crate) fn apply_update(
        self: &mut Arc<Replica>,
        updates: &Value,
        format: UpdateFormat,
    ) -> Result<(), IdlError> {
        let changes = self.compute_changes(updates, format)?;
        let replica = Arc::make_mut(self);
        for (table, rows) in changes {
            let Some(t) = replica.tables.get_mut(&table) else {
                continue;
            };
            let t = Arc::make_mut(t);
            for (uuid, row) in rows {
                match row {
                    Some(row) => {
                        t.rows.insert(uuid, Arc::new(row));
                    }
                    None => {
                        t.rows.remove(&uuid);
                    }
                }
            }
        }
        replica.seqno += 1;
        Ok(())
    }

    /// The new state of every row `updates` touches (`None`: deleted),
    /// worked out without changing anything so that a bad payload leaves
    /// the replica as it was.
    #[allow(clippy::type_complexity)]
    fn compute_changes(
        &self,
        updates: &Value,
        format: UpdateFormat,
    ) -> Result<Vec<(String, Vec<(Uuid, Option<Row>)>)>, IdlError> {
        let Value::Object(tables) = updates else {
            return Err(bad("table updates are not a JSON object"));
        };
        let mut out = Vec::with_capacity(tables.len());
        for (table_name, rows) in tables {
            let Some(table) = self.tables.get(table_name) else {
                return Err(bad(format!("update for table {table_name} not monitored")));
            };
            let Value::Object(rows) = rows else {
                return Err(bad(format!(
                    "table {table_name}: row updates are not a JSON object"
                )));
            };
            let mut changes = Vec::with_capacity(rows.len());
            for (uuid_text, row_update) in rows {
                let Some(uuid) = parse_uuid(uuid_text) else {
                    return Err(bad(format!(
                        "table {table_name}: \"{uuid_text}\" is not a UUID"
                    )));
                };
                let old = table.rows.get(&uuid).map(|r| &**r);
                let context = |e: String| bad(format!("table {table_name} row {uuid}: {e}"));
                let new = match format {
                    UpdateFormat::V1 => row_update_v1(&table.layout, uuid, old, row_update),
                    UpdateFormat::V2 => row_update_v2(&table.layout, uuid, old, row_update),
                }
                .map_err(context)?;
                if let Some(new) = new {
                    changes.push((uuid, new));
                }
            }
            out.push((table_name.clone(), changes));
        }
        Ok(out)
    }
}

/// Which notation an update payload uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UpdateFormat {
    /// `update` / `monitor`: `{"old": row, "new": row}`.
    V1,
    /// `update2`, `update3` / `monitor_cond`, `monitor_cond_since`:
    /// `{"initial"|"insert"|"modify"|"delete": ...}`.
    V2,
}

fn bad(details: impl Into<String>) -> IdlError {
    IdlError::BadUpdate(details.into())
}

/// What a row update does: `None` when it changes nothing the replica can
/// act on (a delete or modify of a row it does not have, which OVS's IDL
/// also only logs), else the row's new state (`Some(None)`: deleted).
type RowOutcome = Result<Option<Option<Row>>, String>;

fn row_update_v1(
    layout: &Arc<TableLayout>,
    uuid: Uuid,
    old: Option<&Row>,
    u: &Value,
) -> RowOutcome {
    let Value::Object(members) = u else {
        return Err("row update is not a JSON object".into());
    };
    if let Some(name) = members.keys().find(|k| *k != "old" && *k != "new") {
        return Err(format!("row update has unexpected member \"{name}\""));
    }
    let old_json = members.get("old").filter(|v| !v.is_null());
    match (members.get("new").filter(|v| !v.is_null()), old) {
        (None, _) if old_json.is_none() => Err("row update has neither \"old\" nor \"new\"".into()),
        (None, None) => {
            tracing::warn!(
                "cannot delete missing row {uuid} from table {}",
                layout.name
            );
            Ok(None)
        }
        (None, Some(_)) => Ok(Some(None)),
        (Some(new), old) => Ok(Some(Some(row_with(layout, uuid, old, new, false)?))),
    }
}

fn row_update_v2(
    layout: &Arc<TableLayout>,
    uuid: Uuid,
    old: Option<&Row>,
    u: &Value,
) -> RowOutcome {
    let Value::Object(members) = u else {
        return Err("row update is not a JSON object".into());
    };
    let mut iter = members.iter();
    let (Some((op, value)), None) = (iter.next(), iter.next()) else {
        return Err("row update must have exactly one member".into());
    };
    match op.as_str() {
        "initial" | "insert" => {
            if old.is_some() {
                tracing::debug!("replacing existing row {uuid} in table {}", layout.name);
            }
            Ok(Some(Some(row_with(layout, uuid, None, value, false)?)))
        }
        "modify" => match old {
            Some(old) => Ok(Some(Some(row_with(layout, uuid, Some(old), value, true)?))),
            None => {
                tracing::warn!("cannot modify missing row {uuid} in table {}", layout.name);
                Ok(None)
            }
        },
        "delete" => match old {
            Some(_) => Ok(Some(None)),
            None => {
                tracing::warn!(
                    "cannot delete missing row {uuid} from table {}",
                    layout.name
                );
                Ok(None)
            }
        },
        other => Err(format!("unknown row update operation \"{other}\"")),
    }
}

/// `base` (or a row of default values) with the columns in `json` applied:
/// replaced, or for `diff`, applied as `update2` diffs.
fn row_with(
    layout: &Arc<TableLayout>,
    uuid: Uuid,
    base: Option<&Row>,
    json: &Value,
    diff: bool,
) -> Result<Row, String> {
    let Value::Object(columns) = json else {
        return Err("row is not a JSON object".into());
    };
    let mut values = match base {
        Some(row) => row.values.to_vec(),
        None => layout.default_values(),
    };
    apply_columns(layout, &mut values, columns, diff)?;
    Ok(Row {
        uuid,
        layout: layout.clone(),
        values: values.into_boxed_slice(),
    })
}

fn apply_columns(
    layout: &TableLayout,
    values: &mut [Datum],
    columns: &Map<String, Value>,
    diff: bool,
) -> Result<(), String> {
    for (name, json) in columns {
        let Some(i) = layout.index(name) else {
            // OVS's IDL ignores columns it did not ask for; so do we.
            tracing::debug!("ignoring unknown column {name} in table {}", layout.name);
            continue;
        };
        let c = &layout.columns[i];
        let datum =
            Datum::from_json(&c.wire_type, json).map_err(|e| format!("column {name}: {e}"))?;
        values[i] = if diff {
            values[i]
                .apply_diff(&datum, &c.type_)
                .map_err(|e| format!("column {name}: {e}"))?
        } else {
            datum
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn schema() -> Arc<DatabaseSchema> {
        let v = json!({
            "name": "T",
            "version": "1.0.0",
            "tables": {
                "A": {"columns": {
                    "name": {"type": "string"},
                    "n": {"type": "integer"},
                    "set": {"type": {"key": "integer", "min": 0, "max": 3}},
                    "map": {"type": {"key": "string", "value": "string", "min": 0, "max": "unlimited"}},
                    "opt": {"type": {"key": "string", "min": 0, "max": 1}}
                }, "isRoot": true}
            }
        });
        Arc::new(DatabaseSchema::from_json(&v).unwrap())
    }

    fn replica() -> Arc<Replica> {
        let schema = schema();
        let table = schema.table("A").unwrap();
        let layout = Arc::new(TableLayout::new(
            table,
            table.columns.keys().map(String::as_str),
        ));
        let layouts = BTreeMap::from([("A".to_string(), layout)]);
        Arc::new(Replica::empty(schema, &layouts, 0))
    }

    const U1: &str = "00000000-0000-0000-0000-000000000001";

    #[test]
    fn insert_fills_defaults_and_modify_applies_diffs() {
        let mut r = replica();
        r.apply_update(
            &json!({"A": {U1: {"insert": {"name": "x", "set": ["set", [1, 2, 3]]}}}}),
            UpdateFormat::V2,
        )
        .unwrap();
        let u = parse_uuid(U1).unwrap();
        let row = r.row("A", &u).unwrap().clone();
        assert_eq!(row.get_str("name"), Some("x"));
        assert_eq!(row.get_integer("n"), Some(0));
        assert_eq!(row.get_set("set").len(), 3);
        assert!(row.get("opt").unwrap().is_empty());
        assert_eq!(r.seqno(), 1);

        // A diff may hold more elements than the column allows.
        r.apply_update(
            &json!({"A": {U1: {"modify": {
                "set": ["set", [1, 2, 3, 4]],
                "map": ["map", [["k", "v"]]],
                "n": 5
            }}}}),
            UpdateFormat::V2,
        )
        .unwrap();
        let row = r.row("A", &u).unwrap();
        assert_eq!(row.get_set("set"), &[Atom::Integer(4)]);
        assert_eq!(row.get_map_str("map", "k"), Some("v"));
        assert_eq!(row.get_integer("n"), Some(5));
        assert_eq!(r.seqno(), 2);

        r.apply_update(&json!({"A": {U1: {"delete": null}}}), UpdateFormat::V2)
            .unwrap();
        assert!(r.row("A", &u).is_none());
        assert_eq!(r.seqno(), 3);
    }

    #[test]
    fn v1_old_and_new() {
        let mut r = replica();
        let u = parse_uuid(U1).unwrap();
        r.apply_update(
            &json!({"A": {U1: {"new": {"name": "a", "n": 1}}}}),
            UpdateFormat::V1,
        )
        .unwrap();
        r.apply_update(
            &json!({"A": {U1: {"old": {"n": 1}, "new": {"name": "a", "n": 2}}}}),
            UpdateFormat::V1,
        )
        .unwrap();
        assert_eq!(r.row("A", &u).unwrap().get_integer("n"), Some(2));
        r.apply_update(
            &json!({"A": {U1: {"old": {"name": "a", "n": 2}}}}),
            UpdateFormat::V1,
        )
        .unwrap();
        assert!(r.row("A", &u).is_none());
    }

    #[test]
    fn bad_updates_change_nothing() {
        let mut r = replica();
        r.apply_update(
            &json!({"A": {U1: {"insert": {"name": "x"}}}}),
            UpdateFormat::V2,
        )
        .unwrap();
        let before = r.clone();
        let bad_payloads = [
            json!([]),
            json!({"B": {}}),
            json!({"A": []}),
            json!({"A": {"not-a-uuid": {"delete": null}}}),
            json!({"A": {U1: {"modify": {"n": "text"}}}}),
            json!({"A": {U1: {"modify": {"n": 1}, "delete": null}}}),
            json!({"A": {U1: {"frobnicate": {}}}}),
            json!({"A": {U1: {"modify": []}}}),
            // Toggling four elements into an empty 0..3 set overflows it.
            json!({"A": {U1: {"modify": {"set": ["set", [1, 2, 3, 4]]}}}}),
            json!({"A": {U1: {}}}),
        ];
        for p in bad_payloads {
            let mut copy = r.clone();
            assert!(
                copy.apply_update(&p, UpdateFormat::V2).is_err(),
                "accepted {p}"
            );
            assert_eq!(copy.seqno(), before.seqno());
            assert_eq!(
                copy.row("A", &parse_uuid(U1).unwrap()),
                before.row("A", &parse_uuid(U1).unwrap())
            );
        }
        for p in [
            json!({"A": {U1: {}}}),
            json!({"A": {U1: {"old": 1, "x": 2}}}),
        ] {
            assert!(r.clone().apply_update(&p, UpdateFormat::V1).is_err());
        }
    }

    #[test]
    fn unknown_columns_are_ignored_and_missing_rows_tolerated() {
        let mut r = replica();
        r.apply_update(
            &json!({"A": {
                U1: {"insert": {"name": "x", "surprise": 1}},
                "00000000-0000-0000-0000-000000000002": {"modify": {"n": 1}},
                "00000000-0000-0000-0000-000000000003": {"delete": null}
            }}),
            UpdateFormat::V2,
        )
        .unwrap();
        assert_eq!(r.table("A").unwrap().len(), 1);
    }

    #[test]
    fn snapshots_are_not_disturbed() {
        let mut r = replica();
        r.apply_update(
            &json!({"A": {U1: {"insert": {"name": "x"}}}}),
            UpdateFormat::V2,
        )
        .unwrap();
        let snapshot = r.clone();
        r.apply_update(
            &json!({"A": {U1: {"modify": {"name": "y"}}}}),
            UpdateFormat::V2,
        )
        .unwrap();
        let u = parse_uuid(U1).unwrap();
        assert_eq!(snapshot.row("A", &u).unwrap().get_str("name"), Some("x"));
        assert_eq!(r.row("A", &u).unwrap().get_str("name"), Some("y"));
    }
}
