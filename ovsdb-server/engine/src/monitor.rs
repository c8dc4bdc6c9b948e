//! Monitors: what a `monitor`, `monitor_cond` or `monitor_cond_since`
//! client asked to see, and the `<table-updates>` / `<table-updates2>`
//! objects that tell it.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::changes::{Changes, write_json_string};
use crate::condition::Condition;
use crate::datum::Datum;
use crate::db::Database;
use crate::error::{Error, OvsdbError};
use crate::meta::SchemaMeta;
use crate::parser::*;
use crate::row::{Row, UUID_COLUMN};
use crate::schema::DatabaseSchema;

/// The monitor protocol a client used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MonitorVersion {
    /// `monitor`: `update` notifications with `old`/`new` rows.
    V1,
    /// `monitor_cond`: `update2` with `initial`/`insert`/`delete`/`modify`.
    V2,
    /// `monitor_cond_since`: `update3`, same row format as V2.
    V3,
}

const INITIAL: u8 = 1;
const INSERT: u8 = 2;
const DELETE: u8 = 4;
const MODIFY: u8 = 8;
const ALL: u8 = INITIAL | INSERT | DELETE | MODIFY;

#[derive(Clone, Debug)]
struct MonitoredColumn {
    index: usize,
    select: u8,
}

#[derive(Clone, Debug)]
struct MonitorTable {
    table: usize,
    name: Arc<str>,
    columns: Vec<MonitoredColumn>,
    select: u8,
    /// V2/V3 only; an empty condition matches every row.
    condition: Option<Condition>,
    /// Columns a condition uses but the client does not see: a change to
    /// them still counts as a change to the row (OVS then sends an empty
    /// "modify").
    hidden: Vec<usize>,
}

impl MonitorTable {
    fn has_column(&self, c: usize) -> bool {
        self.columns.iter().any(|m| m.index == c) || self.hidden.contains(&c)
    }

    fn add_condition_columns(&mut self) {
        let cols: Vec<usize> = self.condition.iter().flat_map(|c| c.columns()).collect();
        for c in cols {
            if !self.has_column(c) {
                self.hidden.push(c);
            }
        }
    }
}

/// One monitor: parsed `<monitor-requests>` plus, for conditional
/// monitors, the current conditions.
#[derive(Clone, Debug)]
pub struct Monitor {
    version: MonitorVersion,
    meta: Arc<SchemaMeta>,
    tables: Vec<MonitorTable>,
}

/// A row's state before the first and after the last of several commits.
type MergedRow<'a> = (uuid::Uuid, Option<&'a Arc<Row>>, Option<&'a Arc<Row>>);

fn update_type(initial: bool, old: bool, new: bool) -> u8 {
    if initial {
        INITIAL
    } else if !old {
        INSERT
    } else if !new {
        DELETE
    } else {
        MODIFY
    }
}

impl Monitor {
    /// Parses `<monitor-requests>` (a table name to one request or an array
    /// of them) for `schema`.
    pub fn new(
        schema: &DatabaseSchema,
        requests: &Value,
        version: MonitorVersion,
    ) -> Result<Monitor, OvsdbError> {
        let meta = Arc::new(SchemaMeta::new(Arc::new(schema.clone())));
        Monitor::with_meta(meta, requests, version).map_err(OvsdbError::from)
    }

    /// [`Monitor::new`] for `db`'s schema, without copying the schema.
    pub fn for_database(
        db: &Database,
        requests: &Value,
        version: MonitorVersion,
    ) -> Result<Monitor, OvsdbError> {
        Monitor::with_meta(db.meta.clone(), requests, version).map_err(OvsdbError::from)
    }

    fn with_meta(
        meta: Arc<SchemaMeta>,
        requests: &Value,
        version: MonitorVersion,
    ) -> Result<Monitor, Error> {
        let Value::Object(obj) = requests else {
            return Err(Error::syntax(
                Some(requests),
                "syntax error",
                "monitor-requests must be object",
            ));
        };
        let mut tables = Vec::with_capacity(obj.len());
        for (name, request) in obj {
            let Some(t) = meta.table(name) else {
                return Err(Error::syntax(
                    None,
                    "syntax error",
                    format!("no table named {name}"),
                ));
            };
            let mut mt = MonitorTable {
                table: t,
                name: meta.tables[t].name.clone(),
                columns: Vec::new(),
                select: 0,
                condition: None,
                hidden: Vec::new(),
            };
            match request {
                Value::Array(list) => {
                    for r in list {
                        parse_request(&meta, &mut mt, r, version)?;
                    }
                }
                r => parse_request(&meta, &mut mt, r, version)?,
            }
            mt.add_condition_columns();
            tables.push(mt);
        }
        Ok(Monitor {
            version,
            meta,
            tables,
        })
    }

    pub fn version(&self) -> MonitorVersion {
        self.version
    }

    /// True if [`Monitor::updates`] always gives the same result for both
    /// monitors (same tables, columns, selections and conditions; V2 and
    /// V3 share a format), so a server can compute an update once and send
    /// it to every such client, as OVS does.
    pub fn shares_updates_with(&self, other: &Monitor) -> bool {
        let v1 = |m: &Monitor| m.version == MonitorVersion::V1;
        if v1(self) != v1(other) || self.tables.len() != other.tables.len() {
            return false;
        }
        self.tables.iter().zip(&other.tables).all(|(a, b)| {
            a.name == b.name
                && a.select == b.select
                && a.hidden == b.hidden
                && a.columns.len() == b.columns.len()
                && a.columns
                    .iter()
                    .zip(&b.columns)
                    .all(|(x, y)| x.index == y.index && x.select == y.select)
                && match (&a.condition, &b.condition) {
                    (None, None) => true,
                    (Some(x), Some(y)) => x.same_as(y),
                    _ => false,
                }
        })
    }

    /// The monitored tables' names.
    pub fn table_names(&self) -> impl Iterator<Item = &str> {
        self.tables.iter().map(|t| t.name.as_ref())
    }

    /// The reply to the monitor request: every selected row, as
    /// `<table-updates>` (V1) or `<table-updates2>` (V2, V3).  `{}` when
    /// there is nothing.
    pub fn initial(&self, db: &Database) -> Value {
        let mut out = Map::new();
        for mt in &self.tables {
            if mt.select & INITIAL == 0 {
                continue;
            }
            let Some(t) = self.table_in(&db.meta, mt) else {
                continue;
            };
            let mut rows = Map::new();
            for r in &db.tables[t].rows {
                let row = &*r.0;
                let cond = mt.condition.as_ref();
                if let Some(json) = self.compose(mt, Some(row), Some(row), true, cond, cond) {
                    rows.insert(row.uuid().hyphenated().to_string(), json);
                }
            }
            if !rows.is_empty() {
                out.insert(mt.name.to_string(), Value::Object(rows));
            }
        }
        Value::Object(out)
    }

    /// [`Monitor::initial`] written straight to JSON text, without
    /// building the whole reply in memory (large databases).
    pub fn write_initial(&self, db: &Database, out: &mut Vec<u8>) {
        out.push(b'{');
        let mut first_table = true;
        for mt in &self.tables {
            if mt.select & INITIAL == 0 {
                continue;
            }
            let Some(t) = self.table_in(&db.meta, mt) else {
                continue;
            };
            let cond = mt.condition.as_ref();
            let mut first_row = true;
            for r in &db.tables[t].rows {
                let row = &*r.0;
                let Some(json) = self.compose(mt, Some(row), Some(row), true, cond, cond) else {
                    continue;
                };
                if first_row {
                    if !first_table {
                        out.push(b',');
                    }
                    first_table = false;
                    write_json_string(out, &mt.name);
                    out.extend_from_slice(b":{");
                    first_row = false;
                } else {
                    out.push(b',');
                }
                out.push(b'"');
                out.extend_from_slice(row.uuid().hyphenated().to_string().as_bytes());
                out.extend_from_slice(b"\":");
                let _ = serde_json::to_writer(&mut *out, &json);
            }
            if !first_row {
                out.push(b'}');
            }
        }
        out.push(b'}');
    }

    /// The `update`/`update2`/`update3` payload for a commit, or `None`
    /// when nothing this monitor shows changed.
    pub fn updates(&self, changes: &Changes) -> Option<Value> {
        let mut out = Map::new();
        for mt in &self.tables {
            let Some(t) = self.table_in(&changes.meta, mt) else {
                continue;
            };
            let Some(tc) = changes.tables.iter().find(|tc| tc.table == t) else {
                continue;
            };
            let mut rows = Map::new();
            let cond = mt.condition.as_ref();
            for rc in &tc.rows {
                if let Some(json) =
                    self.compose(mt, rc.old.as_deref(), rc.new.as_deref(), false, cond, cond)
                {
                    rows.insert(rc.uuid.hyphenated().to_string(), json);
                }
            }
            if !rows.is_empty() {
                out.insert(mt.name.to_string(), Value::Object(rows));
            }
        }
        if out.is_empty() {
            None
        } else {
            Some(Value::Object(out))
        }
    }

    /// One payload for several commits in order (a client that fell
    /// behind, or `monitor_cond_since` history): each row appears once,
    /// going from its state before the first commit to its state after the
    /// last, as OVS merges changes.
    pub fn updates_batch<'c>(&self, batch: impl IntoIterator<Item = &'c Changes>) -> Option<Value> {
        let batch: Vec<&Changes> = batch.into_iter().collect();
        let last = batch.last()?;
        if batch.len() == 1 {
            return self.updates(last);
        }
        let mut out = Map::new();
        for mt in &self.tables {
            // (old, new) per row, in first-seen order.
            let mut merged: Vec<MergedRow<'_>> = Vec::new();
            let mut index: std::collections::HashMap<uuid::Uuid, usize> =
                std::collections::HashMap::new();
            for changes in &batch {
                let Some(t) = self.table_in(&changes.meta, mt) else {
                    continue;
                };
                let Some(tc) = changes.tables.iter().find(|tc| tc.table == t) else {
                    continue;
                };
                for rc in &tc.rows {
                    match index.get(&rc.uuid) {
                        None => {
                            index.insert(rc.uuid, merged.len());
                            merged.push((rc.uuid, rc.old.as_ref(), rc.new.as_ref()));
                        }
                        Some(&i) => merged[i].2 = rc.new.as_ref(),
                    }
                }
            }
            let mut rows = Map::new();
            let cond = mt.condition.as_ref();
            for (u, old, new) in merged {
                if old.is_none() && new.is_none() {
                    continue;
                }
                if let Some(json) =
                    self.compose(mt, old.map(|r| &**r), new.map(|r| &**r), false, cond, cond)
                {
                    rows.insert(u.hyphenated().to_string(), json);
                }
            }
            if !rows.is_empty() {
                out.insert(mt.name.to_string(), Value::Object(rows));
            }
        }
        if out.is_empty() {
            None
        } else {
            Some(Value::Object(out))
        }
    }

    /// Applies `monitor_cond_change` (`<monitor-cond-update-requests>`:
    /// table name to an array of `{"where": ...}`) and returns the rows
    /// that enter (as "insert") or leave (as "delete") the client's view.
    pub fn change_conditions(
        &mut self,
        db: &Database,
        requests: &Value,
    ) -> Result<Option<Value>, OvsdbError> {
        self.change_conditions_inner(db, requests)
            .map_err(OvsdbError::from)
    }

    fn change_conditions_inner(
        &mut self,
        db: &Database,
        requests: &Value,
    ) -> Result<Option<Value>, Error> {
        let Value::Object(obj) = requests else {
            return Err(Error::syntax(
                None,
                "syntax error",
                "monitor-cond-change-requests must be object",
            ));
        };
        let mut pending: Vec<(usize, Condition)> = Vec::new();
        for (name, request) in obj {
            let Some(t) = self.meta.table(name) else {
                return Err(Error::syntax(
                    None,
                    "syntax error",
                    format!("no table named {name}"),
                ));
            };
            let Some(i) = self.tables.iter().position(|mt| mt.table == t) else {
                return Err(Error::syntax(
                    None,
                    "syntax error",
                    format!("no table named {name} in monitor session"),
                ));
            };
            let Value::Array(list) = request else {
                return Err(Error::syntax(
                    None,
                    "syntax error",
                    format!("table {name} no monitor-cond-change JSON array"),
                ));
            };
            for r in list {
                let mut p = Parser::new(r, ParserName::Prefixed("table ", name, ""));
                let columns = p.member("columns", OP_ARRAY | OP_OPTIONAL);
                let where_json = p.member("where", OP_ARRAY | OP_OPTIONAL);
                if let Some(e) = p.finish() {
                    return Err(e);
                }
                if columns.is_some() {
                    return Err(Error::syntax(
                        Some(r),
                        "syntax error",
                        "changing columns is unsupported",
                    ));
                }
                let cond = match where_json {
                    Some(w) => Condition::parse(&self.meta.tables[t], w, None)?,
                    None => Condition::default(),
                };
                pending.push((i, cond));
            }
        }
        if self.version == MonitorVersion::V1 {
            return Ok(None);
        }
        let mut out = Map::new();
        for (i, new_cond) in pending {
            let old_cond = self.tables[i].condition.clone().unwrap_or_default();
            if old_cond.same_as(&new_cond) {
                continue;
            }
            {
                let mt = &self.tables[i];
                if let Some(t) = self.table_in(&db.meta, mt) {
                    let mut rows = Map::new();
                    for r in &db.tables[t].rows {
                        let row = &*r.0;
                        if let Some(json) = self.compose(
                            mt,
                            Some(row),
                            Some(row),
                            false,
                            Some(&old_cond),
                            Some(&new_cond),
                        ) {
                            rows.insert(row.uuid().hyphenated().to_string(), json);
                        }
                    }
                    if !rows.is_empty() {
                        match out.get_mut(mt.name.as_ref()) {
                            Some(Value::Object(existing)) => existing.extend(rows),
                            _ => {
                                out.insert(mt.name.to_string(), Value::Object(rows));
                            }
                        }
                    }
                }
            }
            let mt = &mut self.tables[i];
            mt.condition = Some(new_cond);
            mt.add_condition_columns();
        }
        Ok(if out.is_empty() {
            None
        } else {
            Some(Value::Object(out))
        })
    }

    /// The index of `mt`'s table in `meta` (normally the same schema).
    fn table_in(&self, meta: &Arc<SchemaMeta>, mt: &MonitorTable) -> Option<usize> {
        if Arc::ptr_eq(meta, &self.meta) {
            Some(mt.table)
        } else {
            meta.table(&mt.name)
        }
    }

    /// One row's `<row-update>` or `<row-update2>`, or `None`.
    fn compose(
        &self,
        mt: &MonitorTable,
        old: Option<&Row>,
        new: Option<&Row>,
        initial: bool,
        old_cond: Option<&Condition>,
        new_cond: Option<&Condition>,
    ) -> Option<Value> {
        let mut kind = update_type(initial, old.is_some(), new.is_some());
        if self.version != MonitorVersion::V1 {
            let old_ok = old.is_some_and(|r| old_cond.is_none_or(|c| c.empty_or_matches_any(r)));
            let new_ok = new.is_some_and(|r| new_cond.is_none_or(|c| c.empty_or_matches_any(r)));
            kind = if !old_ok && !new_ok {
                0
            } else {
                match kind {
                    INITIAL | INSERT => {
                        if new_ok {
                            kind
                        } else {
                            0
                        }
                    }
                    MODIFY => {
                        if !old_ok {
                            INSERT
                        } else if !new_ok {
                            DELETE
                        } else {
                            MODIFY
                        }
                    }
                    _ => {
                        if old_ok {
                            kind
                        } else {
                            0
                        }
                    }
                }
            };
        }
        if mt.select & kind == 0 {
            return None;
        }
        let changed = |c: usize| -> bool {
            match (old, new) {
                (Some(o), Some(n)) => o.field(c) != n.field(c),
                _ => false,
            }
        };
        if kind == MODIFY {
            let any = mt.columns.iter().any(|m| changed(m.index))
                || mt.hidden.iter().any(|&c| changed(c));
            if !any {
                return None;
            }
        }
        let table = &self.meta.tables[mt.table];
        let mut result = Map::new();
        if self.version == MonitorVersion::V1 {
            let mut old_json = Map::new();
            let mut new_json = Map::new();
            for m in &mt.columns {
                if m.select & kind == 0 {
                    continue;
                }
                let col = &table.columns[m.index];
                if ((kind == MODIFY && changed(m.index)) || kind == DELETE)
                    && let Some(o) = old
                {
                    old_json.insert(col.name.to_string(), o.field(m.index).to_json(&col.ty));
                }
                if kind & (INITIAL | INSERT | MODIFY) != 0
                    && let Some(n) = new
                {
                    new_json.insert(col.name.to_string(), n.field(m.index).to_json(&col.ty));
                }
            }
            if kind & (DELETE | MODIFY) != 0 {
                result.insert("old".into(), Value::Object(old_json));
            }
            if kind & (INITIAL | INSERT | MODIFY) != 0 {
                result.insert("new".into(), Value::Object(new_json));
            }
            return Some(Value::Object(result));
        }
        if kind == DELETE {
            result.insert("delete".into(), Value::Null);
            return Some(Value::Object(result));
        }
        let mut diff = Map::new();
        for m in &mt.columns {
            if m.select & kind == 0 {
                continue;
            }
            let col = &table.columns[m.index];
            if kind == MODIFY {
                if !changed(m.index) {
                    continue;
                }
                if let (Some(o), Some(n)) = (old, new) {
                    let d = Datum::diff(o.field(m.index), n.field(m.index), &col.ty);
                    diff.insert(col.name.to_string(), d.to_json(&col.ty));
                }
            } else if let Some(n) = new {
                let d = n.field(m.index);
                if !d.is_default(&col.ty) {
                    diff.insert(col.name.to_string(), d.to_json(&col.ty));
                }
            }
        }
        let op = match kind {
            INITIAL => "initial",
            MODIFY => "modify",
            _ => "insert",
        };
        result.insert(op.into(), Value::Object(diff));
        Some(Value::Object(result))
    }
}

fn parse_select(json: &Value, table_name: &str) -> Result<u8, Error> {
    let mut p = Parser::new(json, ParserName::Prefixed("table ", table_name, " select"));
    let mut select = 0;
    for (name, bit) in [
        ("initial", INITIAL),
        ("insert", INSERT),
        ("delete", DELETE),
        ("modify", MODIFY),
    ] {
        let on = p
            .member(name, OP_BOOLEAN | OP_OPTIONAL)
            .and_then(Value::as_bool)
            .unwrap_or(true);
        if on {
            select |= bit;
        }
    }
    match p.finish() {
        Some(e) => Err(e),
        None => Ok(select),
    }
}

fn parse_request(
    meta: &SchemaMeta,
    mt: &mut MonitorTable,
    json: &Value,
    version: MonitorVersion,
) -> Result<(), Error> {
    let table = &meta.tables[mt.table];
    let mut p = Parser::new(json, ParserName::Prefixed("table ", &table.name, ""));
    let where_json = if version != MonitorVersion::V1 {
        p.member("where", OP_ARRAY | OP_OPTIONAL)
    } else {
        None
    };
    let columns = p.member("columns", OP_ARRAY | OP_OPTIONAL);
    let select_json = p.member("select", OP_OBJECT | OP_OPTIONAL);
    if let Some(e) = p.finish() {
        return Err(e);
    }
    let select = match select_json {
        Some(s) => parse_select(s, &table.name)?,
        None => ALL,
    };
    mt.select |= select;
    match columns {
        Some(columns_json) => {
            let list: &[Value] = columns_json.as_array().map(Vec::as_slice).unwrap_or(&[]);
            for item in list {
                let Some(name) = item.as_str() else {
                    return Err(Error::syntax(
                        Some(columns_json),
                        "syntax error",
                        "array of column names expected",
                    ));
                };
                let Some(c) = table.column(name) else {
                    return Err(Error::syntax(
                        Some(columns_json),
                        "syntax error",
                        format!("{name} is not a valid column name"),
                    ));
                };
                if mt.columns.iter().any(|m| m.index == c) {
                    return Err(Error::syntax(
                        Some(columns_json),
                        "syntax error",
                        format!("column {name} mentioned more than once"),
                    ));
                }
                mt.columns.push(MonitoredColumn { index: c, select });
            }
        }
        None => {
            for c in 0..table.columns.len() {
                if c == UUID_COLUMN {
                    continue;
                }
                if mt.columns.iter().any(|m| m.index == c) {
                    return Err(Error::syntax(
                        None,
                        "syntax error",
                        format!("column {} mentioned more than once", table.columns[c].name),
                    ));
                }
                mt.columns.push(MonitoredColumn { index: c, select });
            }
        }
    }
    if version != MonitorVersion::V1 {
        let cond = match where_json {
            Some(w) => Condition::parse(table, w, None)?,
            None => Condition::default(),
        };
        mt.condition = Some(cond);
    }
    Ok(())
}
