//! What a committed transaction changed, and its on-disk log record.

use std::sync::Arc;

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::datum::Datum;
use crate::db::Database;
use crate::meta::{SchemaMeta, TableMeta};
use crate::row::{Row, UUID_COLUMN};

/// One row's change: `old` is absent for an insert, `new` for a delete.
#[derive(Debug, Clone)]
pub struct RowChange {
    pub uuid: Uuid,
    pub old: Option<Arc<Row>>,
    pub new: Option<Arc<Row>>,
    /// Columns OVS counts as changed although their value is the same
    /// (weak references dropped and re-dropped); they are logged.
    pub(crate) forced: Vec<usize>,
}

/// The changed rows of one table.
#[derive(Debug, Clone)]
pub struct TableChanges {
    pub(crate) table: usize,
    pub rows: Vec<RowChange>,
}

/// Everything a committed transaction changed.  Rows are shared with the
/// database, so keeping a `Changes` (e.g. for `monitor_cond_since`
/// history) costs little.
#[derive(Debug, Clone)]
pub struct Changes {
    /// A fresh random id for this commit.
    pub txn_id: Uuid,
    /// The text of the transaction's `comment` operations, joined by
    /// newlines.
    pub comment: Option<String>,
    /// Whether a `commit` operation asked for `"durable": true`.
    pub durable: bool,
    pub(crate) meta: Arc<SchemaMeta>,
    pub(crate) tables: Vec<TableChanges>,
}

impl Changes {
    /// True if no row changed.
    pub fn is_empty(&self) -> bool {
        self.tables.iter().all(|t| t.rows.is_empty())
    }

    /// The changed tables, by name.
    pub fn tables(&self) -> impl Iterator<Item = (&str, &[RowChange])> {
        self.tables
            .iter()
            .map(|t| (self.meta.tables[t.table].name.as_ref(), t.rows.as_slice()))
    }

    /// Number of changed rows.
    pub fn n_rows(&self) -> usize {
        self.tables.iter().map(|t| t.rows.len()).sum()
    }

    /// Column names of `table`, in the order of [`Row::get`].
    pub fn column_names(&self, table: &str) -> Option<Vec<&str>> {
        let t = self.meta.table(table)?;
        Some(
            self.meta.tables[t]
                .columns
                .iter()
                .map(|c| c.name.as_ref())
                .collect(),
        )
    }

    /// OVS's on-disk transaction record for this commit:
    /// `{"<table>": {"<uuid>": <row> | null, ...}, ..., "_comment": ...,
    /// "_is_diff": true, "_date": <ms>}`.  Inserted rows carry their
    /// non-default persistent columns; modified rows the changed persistent
    /// columns as diffs; deleted rows `null`.  `comment` defaults to the
    /// transaction's own comment.
    ///
    /// OVS writes no record at all when nothing persistent changed; use
    /// [`Changes::log_record`] to know that.
    pub fn to_log_record(&self, db: &Database, comment: Option<&str>, date_ms: u64) -> Value {
        let mut obj = self.log_tables(db);
        annotate(&mut obj, comment.or(self.comment.as_deref()), Some(date_ms));
        Value::Object(obj)
    }

    /// [`Changes::to_log_record`], or `None` when OVS would write nothing
    /// (no persistent column changed).
    pub fn log_record(&self, db: &Database, comment: Option<&str>, date_ms: u64) -> Option<Value> {
        let mut obj = self.log_tables(db);
        if obj.is_empty() {
            return None;
        }
        annotate(&mut obj, comment.or(self.comment.as_deref()), Some(date_ms));
        Some(Value::Object(obj))
    }

    fn log_tables(&self, db: &Database) -> Map<String, Value> {
        let meta = if Arc::ptr_eq(&self.meta, &db.meta) {
            &db.meta
        } else {
            &self.meta
        };
        let mut out = Map::new();
        for tc in &self.tables {
            let table = &meta.tables[tc.table];
            let mut rows = Map::new();
            for rc in &tc.rows {
                let row_json = match (&rc.old, &rc.new) {
                    (_, None) => Value::Null,
                    (None, Some(new)) => Value::Object(inserted_row_json(table, new)),
                    (Some(old), Some(new)) => {
                        let mut obj = Map::new();
                        for (c, col) in table.columns.iter().enumerate() {
                            if c == UUID_COLUMN
                                || !col.persistent
                                || (old.field(c) == new.field(c) && !rc.forced.contains(&c))
                            {
                                continue;
                            }
                            let diff = Datum::diff(old.field(c), new.field(c), &col.ty);
                            obj.insert(col.name.to_string(), diff.to_json(&col.ty));
                        }
                        if obj.is_empty() {
                            continue;
                        }
                        Value::Object(obj)
                    }
                };
                rows.insert(rc.uuid.hyphenated().to_string(), row_json);
            }
            if !rows.is_empty() {
                out.insert(table.name.to_string(), Value::Object(rows));
            }
        }
        out
    }
}

fn inserted_row_json(table: &TableMeta, row: &Row) -> Map<String, Value> {
    let mut obj = Map::new();
    for (c, col) in table.columns.iter().enumerate() {
        let d = row.field(c);
        if c == UUID_COLUMN || !col.persistent || d.is_default(&col.ty) {
            continue;
        }
        obj.insert(col.name.to_string(), d.to_json(&col.ty));
    }
    obj
}

pub(crate) fn write_json_string(out: &mut Vec<u8>, s: &str) {
    let _ = serde_json::to_writer(&mut *out, s);
}

fn annotate(obj: &mut Map<String, Value>, comment: Option<&str>, date_ms: Option<u64>) {
    if let Some(c) = comment {
        obj.insert("_comment".into(), Value::String(c.to_string()));
    }
    obj.insert("_is_diff".into(), Value::Bool(true));
    if let Some(d) = date_ms {
        obj.insert("_date".into(), Value::from(d));
    }
}

impl Database {
    /// [`Database::snapshot_record_with`] written straight to JSON text
    /// (byte-for-byte what serializing it gives, key order aside), without
    /// building the whole record in memory.  Each table's rows come in the
    /// order OVS writes them (its table walk, then its JSON object's hash
    /// order), so that a server reloading the file rebuilds the same hash
    /// maps as OVS would.
    pub fn write_snapshot_record(
        &self,
        out: &mut Vec<u8>,
        comment: Option<&str>,
        date_ms: Option<u64>,
    ) {
        out.push(b'{');
        let mut first = true;
        for (t, table) in self.meta.tables.iter().enumerate() {
            let stored = &self.tables[t];
            if stored.rows.is_empty() {
                continue;
            }
            if !first {
                out.push(b',');
            }
            first = false;
            write_json_string(out, &table.name);
            out.extend_from_slice(b":{");
            let walked = stored.rows_in_hmap_order();
            let names: Vec<[u8; 36]> = walked
                .iter()
                .map(|r| {
                    let mut text = [0u8; 36];
                    r.uuid_ref().hyphenated().encode_lower(&mut text);
                    text
                })
                .collect();
            for (i, k) in crate::order::member_order(&names).into_iter().enumerate() {
                let row = walked[k];
                if i > 0 {
                    out.push(b',');
                }
                out.push(b'"');
                out.extend_from_slice(&names[k]);
                out.extend_from_slice(b"\":");
                let row = Value::Object(inserted_row_json(table, row));
                let _ = serde_json::to_writer(&mut *out, &row);
            }
            out.push(b'}');
        }
        let mut tail = Map::new();
        annotate(&mut tail, comment, date_ms);
        for (k, v) in tail {
            if !first {
                out.push(b',');
            }
            first = false;
            write_json_string(out, &k);
            out.push(b':');
            let _ = serde_json::to_writer(&mut *out, &v);
        }
        out.push(b'}');
    }

    /// One record holding every row, as OVS writes when compacting the log
    /// (comment "compacting database online"; no `_date`, since the engine
    /// has no clock: see [`Database::snapshot_record_with`]).
    pub fn snapshot_record(&self) -> Value {
        self.snapshot_record_with(Some("compacting database online"), None)
    }

    /// [`Database::snapshot_record`] with a chosen comment and date.
    pub fn snapshot_record_with(&self, comment: Option<&str>, date_ms: Option<u64>) -> Value {
        let mut out = Map::new();
        for (t, table) in self.meta.tables.iter().enumerate() {
            let rows = &self.tables[t].rows;
            if rows.is_empty() {
                continue;
            }
            let mut obj = Map::new();
            for r in rows {
                obj.insert(
                    r.0.uuid().hyphenated().to_string(),
                    Value::Object(inserted_row_json(table, &r.0)),
                );
            }
            out.insert(table.name.to_string(), Value::Object(obj));
        }
        annotate(&mut out, comment, date_ms);
        Value::Object(out)
    }
}
