//! Executing the operations of a `transact` request against a
//! transaction: a copy-on-write overlay of the rows it touches.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::sync::Arc;

use ovs_shash::{HmapModel, HmapSlot};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::atom::{Atom, SymbolTable, UuidGen, parse_uuid, uuid_to_json};
use crate::condition::Condition;
use crate::datum::Datum;
use crate::db::Table;
use crate::error::{Error, Result};
use crate::hash::FastMap;
use crate::json::as_integer;
use crate::meta::{SchemaMeta, TableMeta};
use crate::mutation::MutationSet;
use crate::order::{row_hash, row_key};
use crate::parser::*;
use crate::row::{Row, UUID_COLUMN, VERSION_COLUMN};

/// A row touched by the transaction.  `old` is the committed row (absent
/// for an insert); `new` the row as the transaction leaves it (absent for
/// a delete).
#[derive(Debug)]
pub(crate) struct TxnRow {
    pub old: Option<Arc<Row>>,
    pub new: Option<Row>,
    /// Columns that count as changed even if their value ended up equal to
    /// the old one (weak references dropped at commit), as OVS marks them.
    pub forced: Vec<usize>,
    /// Where the row sits in the transaction's own map of touched rows.
    touch: HmapSlot,
}

impl TxnRow {
    pub fn new(old: Option<Arc<Row>>, new: Option<Row>) -> TxnRow {
        TxnRow {
            old,
            new,
            forced: Vec::new(),
            touch: HmapSlot::default(),
        }
    }
}

/// One table's hash maps during a transaction.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TxnHmaps {
    /// The table's rows (inserted and removed as operations run, as in
    /// OVS).
    pub rows: HmapModel,
    /// The rows the transaction touched (OVS's `txn_rows`), which decides
    /// the order an abort restores rows in.
    touched: HmapModel,
}

/// One member of a replayed log record's table object: the hash of its
/// name (the row's UUID as written), the row, and whether it deletes it.
pub(crate) type Member = (u32, Uuid, bool);

/// What aborting a transaction does to one table's hash map: its new
/// state, and the deleted rows put back, with their new places.
pub(crate) type AbortPlaces = (HmapModel, Vec<(Uuid, HmapSlot)>);

pub(crate) enum ExecOutcome {
    Done { results: Vec<Value> },
    Failed { results: Vec<Value> },
    Blocked { timeout_ms: Option<u64> },
}

pub(crate) struct Exec<'d> {
    pub meta: &'d Arc<SchemaMeta>,
    pub tables: &'d [Table],
    /// Per table, the rows this transaction touched.
    pub txn: Vec<FastMap<Uuid, TxnRow>>,
    pub symtab: SymbolTable,
    pub durable: bool,
    pub comment: Option<String>,
    elapsed_ms: u64,
    timeout_ms: Option<u64>,
    owns_lock: &'d dyn Fn(&str) -> bool,
    restricted: bool,
    /// Per table, the column order OVS compares rows in (its hash order),
    /// when the server knows it; see [`crate::Database::set_column_order`].
    pub column_order: &'d [Option<Vec<usize>>],
    /// Per table, OVS's hash maps as the transaction leaves them.
    pub hmaps: Vec<TxnHmaps>,
    /// Replaying a log record: rows get their places afterwards, in the
    /// order OVS walks the record (see `place_replayed_rows`).
    pub defer_places: bool,
}

impl<'d> Exec<'d> {
    pub fn new(
        meta: &'d Arc<SchemaMeta>,
        tables: &'d [Table],
        uuids: UuidGen,
        elapsed_ms: u64,
        owns_lock: &'d dyn Fn(&str) -> bool,
        restricted: bool,
    ) -> Exec<'d> {
        Exec {
            meta,
            tables,
            txn: (0..tables.len()).map(|_| FastMap::default()).collect(),
            symtab: SymbolTable::new(uuids),
            durable: false,
            comment: None,
            elapsed_ms,
            timeout_ms: None,
            owns_lock,
            restricted,
            column_order: &[],
            hmaps: tables
                .iter()
                .map(|t| TxnHmaps {
                    rows: t.hmap,
                    touched: HmapModel::new(),
                })
                .collect(),
            defer_places: false,
        }
    }

    // ---- OVS's hash maps. ----

    /// Adds a row to the transaction (`ovsdb_txn_row_create`).
    pub fn add_txn_row(&mut self, t: usize, u: Uuid, mut tr: TxnRow) {
        tr.touch = self.hmaps[t].touched.insert();
        self.txn[t].insert(u, tr);
    }

    /// Forgets a row the transaction inserted and then deleted.
    pub fn drop_txn_row(&mut self, t: usize, u: &Uuid) {
        if self.txn[t].remove(u).is_some() {
            self.hmaps[t].touched.remove();
        }
    }

    /// A new row enters table `t` (`hmap_insert`).
    fn place_new_row(&mut self, t: usize, row: &mut Row) {
        if !self.defer_places {
            row.place = self.hmaps[t].rows.insert();
        }
    }

    /// A row leaves table `t` (`hmap_remove`).
    pub fn unplace_row(&mut self, t: usize) {
        if !self.defer_places {
            self.hmaps[t].rows.remove();
        }
    }

    /// Places the rows of a replayed record as `ovsdb_file_txn_from_json`
    /// inserts and deletes them: each table object's members in the order
    /// OVS's parser-built map iterates them (given here in text order).
    pub fn place_replayed_rows(&mut self, members: &[Vec<Member>]) {
        for (t, members) in members.iter().enumerate() {
            if members.is_empty() {
                continue;
            }
            let hashes: Vec<u32> = members.iter().map(|m| m.0).collect();
            for i in ovs_shash::iteration_order(&hashes) {
                let (_, u, deletes) = members[i];
                if deletes {
                    self.hmaps[t].rows.remove();
                    continue;
                }
                let model = &mut self.hmaps[t].rows;
                if let Some(TxnRow {
                    old: None,
                    new: Some(row),
                    ..
                }) = self.txn[t].get_mut(&u)
                    && row.place == HmapSlot::default()
                {
                    row.place = model.insert();
                }
            }
        }
        self.defer_places = false;
    }

    /// What `ovsdb_txn_abort` does to each table's hash map: walking the
    /// touched rows in the transaction's own map order, it removes the
    /// rows the transaction inserted and re-inserts (at the head of their
    /// buckets) the rows it deleted.
    pub fn abort_places(&self) -> Vec<AbortPlaces> {
        let mut out = Vec::with_capacity(self.txn.len());
        for (t, rows) in self.txn.iter().enumerate() {
            let mut model = self.hmaps[t].rows;
            let mut restored = Vec::new();
            if !rows.is_empty() {
                let touched = &self.hmaps[t].touched;
                let mut order: Vec<(&Uuid, &TxnRow)> = rows.iter().collect();
                order.sort_unstable_by_key(|(u, tr)| touched.order_key(row_hash(u), tr.touch));
                for (u, tr) in order {
                    match (&tr.old, &tr.new) {
                        (None, Some(_)) => model.remove(),
                        (Some(_), None) => restored.push((*u, model.insert())),
                        _ => {}
                    }
                }
            }
            out.push((model, restored));
        }
        out
    }

    /// The columns compared when rows are ordered without an explicit
    /// "sort", if known.
    pub fn compare_order(&self, t: usize) -> Option<&'d [usize]> {
        self.column_order.get(t).and_then(|o| o.as_deref())
    }

    pub fn into_uuids(self) -> UuidGen {
        self.symtab.uuids
    }

    // ---- Row access through the overlay. ----

    /// The row as the transaction currently sees it.
    pub fn get(&self, t: usize, u: &Uuid) -> Option<&Row> {
        match self.txn[t].get(u) {
            Some(tr) => tr.new.as_ref(),
            None => self.tables[t].get(u).map(|r| &**r),
        }
    }

    pub fn post_exists(&self, t: usize, u: &Uuid) -> bool {
        match self.txn[t].get(u) {
            Some(tr) => tr.new.is_some(),
            None => self.tables[t].rows.contains(u),
        }
    }

    /// Existed before the transaction or touched by it.
    pub fn known(&self, t: usize, u: &Uuid) -> bool {
        self.txn[t].contains_key(u) || self.tables[t].rows.contains(u)
    }

    /// A writable copy of the row, pulled into the transaction.
    pub fn modify(&mut self, t: usize, u: &Uuid) -> Option<&mut Row> {
        if !self.txn[t].contains_key(u) {
            let committed = self.tables[t].get(u)?.clone();
            // The copy keeps the row's place (`hmap_replace`).
            let copy = (*committed).clone();
            self.add_txn_row(t, *u, TxnRow::new(Some(committed), Some(copy)));
        }
        self.txn[t].get_mut(u)?.new.as_mut()
    }

    pub fn delete(&mut self, t: usize, u: &Uuid) {
        match self.txn[t].get_mut(u) {
            Some(tr) => {
                if tr.new.is_none() {
                    return;
                }
                if tr.old.is_some() {
                    tr.new = None;
                } else {
                    self.drop_txn_row(t, u);
                }
            }
            None => {
                let Some(committed) = self.tables[t].get(u) else {
                    return;
                };
                let committed = committed.clone();
                self.add_txn_row(t, *u, TxnRow::new(Some(committed), None));
            }
        }
        self.unplace_row(t);
    }

    fn may_create_row(&self, t: usize, u: &Uuid) -> bool {
        !self.tables[t].rows.contains(u) && !self.txn[t].contains_key(u)
    }

    /// UUIDs of the rows matching every clause of `cond`, in the order
    /// OVS's table walk meets them (which decides the order OVS touches
    /// them in, and which of several alike rows a `select` keeps).
    pub fn query(&self, t: usize, cond: &Condition) -> Vec<Uuid> {
        self.query_in(t, cond, true)
    }

    /// [`Exec::query`], in no particular order unless `ordered`.
    fn query_in(&self, t: usize, cond: &Condition, ordered: bool) -> Vec<Uuid> {
        if let Some(u) = cond.uuid_lookup() {
            return match self.get(t, &u) {
                Some(row) if cond.matches_all(row) => vec![u],
                _ => Vec::new(),
            };
        }
        let overlay = &self.txn[t];
        let model = &self.hmaps[t].rows;
        let key = |u: &Uuid, row: &Row| {
            if ordered {
                row_key(model, u, row.place)
            } else {
                0
            }
        };
        let mut out: Vec<(u128, Uuid)> = Vec::new();
        for r in &self.tables[t].rows {
            let u = r.0.uuid_ref();
            if !overlay.contains_key(u) && cond.matches_all(&r.0) {
                out.push((key(u, &r.0), *u));
            }
        }
        for (u, tr) in overlay {
            if let Some(new) = &tr.new
                && cond.matches_all(new)
            {
                out.push((key(u, new), *u));
            }
        }
        if ordered && out.len() > 1 {
            out.sort_unstable_by_key(|&(k, _)| k);
        }
        out.into_iter().map(|(_, u)| u).collect()
    }

    fn new_row(&self, t: usize) -> Row {
        self.meta.tables[t].default_row.clone()
    }

    // ---- Operations. ----

    /// Runs the operations, returning OVS's result array.
    pub fn execute(&mut self, ops: &[Value]) -> ExecOutcome {
        let n = ops.len();
        let mut results = Vec::with_capacity(n + 1);
        let mut failed = false;
        for (i, op) in ops.iter().enumerate() {
            let mut p = Parser::new(
                op,
                ParserName::Operation {
                    index: i + 1,
                    count: n,
                },
            );
            let mut result = Map::new();
            let mut error = None;
            let mut read_only = false;
            let mut op_name = "";
            if let Some(name) = p.member("op", OP_ID).and_then(Value::as_str) {
                op_name = name;
                let r = match name {
                    "insert" => self.op_insert(&mut p, &mut result),
                    "select" => {
                        read_only = true;
                        self.op_select(&mut p, &mut result)
                    }
                    "update" => self.op_update(&mut p, &mut result),
                    "mutate" => self.op_mutate(&mut p, &mut result),
                    "delete" => self.op_delete(&mut p, &mut result),
                    "wait" => {
                        read_only = true;
                        self.op_wait(&mut p)
                    }
                    "commit" => self.op_commit(&mut p),
                    "abort" => {
                        read_only = true;
                        Err(Error::new("aborted", "aborted by request"))
                    }
                    "comment" => {
                        read_only = true;
                        self.op_comment(&mut p)
                    }
                    "assert" => {
                        read_only = true;
                        self.op_assert(&mut p)
                    }
                    other => {
                        p.raise(&format!("No operation \"{other}\""));
                        Ok(())
                    }
                };
                error = r.err();
            }
            if let Some(parse_error) = p.finish() {
                error = Some(parse_error);
            }
            if !read_only && error.is_none() && self.restricted {
                error = Some(Error::new(
                    "not allowed",
                    format!(
                        "{op_name} operation not allowed on table in reserved database {}",
                        self.meta.schema.name
                    ),
                ));
            }
            if let Some(e) = error {
                if e.tag == "not supported" {
                    return ExecOutcome::Blocked {
                        timeout_ms: self.timeout_ms,
                    };
                }
                results.push(e.to_json());
                failed = true;
                break;
            }
            results.push(Value::Object(result));
        }
        while results.len() < n {
            results.push(Value::Null);
        }
        if failed {
            ExecOutcome::Failed { results }
        } else {
            ExecOutcome::Done { results }
        }
    }

    fn parse_table(&self, p: &mut Parser<'_>, member: &'static str) -> Option<usize> {
        let name = p.member(member, OP_ID)?.as_str()?;
        match self.meta.table(name) {
            Some(t) => Some(t),
            None => {
                p.raise(&format!("No table named {name}."));
                None
            }
        }
    }

    /// Fills `row` from a `<row>` object, recording the columns it names.
    fn parse_row(
        &mut self,
        json: &Value,
        t: usize,
        row: &mut Row,
        mut included: Option<&mut Vec<usize>>,
    ) -> Result<()> {
        let Value::Object(obj) = json else {
            return Err(Error::syntax(
                Some(json),
                "syntax error",
                "row must be JSON object",
            ));
        };
        let table = &self.meta.tables[t];
        for (name, value) in obj {
            let Some(c) = table.column(name) else {
                return Err(Error::syntax(
                    Some(json),
                    "unknown column",
                    format!("No column {name} in table {}.", table.name),
                ));
            };
            let datum = Datum::parse(&table.columns[c].ty, value, Some(&mut self.symtab))?;
            row.set(c, datum);
            if let Some(inc) = included.as_deref_mut() {
                inc.push(c);
            }
        }
        Ok(())
    }

    fn parse_condition(&mut self, t: usize, json: &Value) -> Result<Condition> {
        Condition::parse(&self.meta.tables[t], json, Some(&mut self.symtab))
    }

    fn op_insert(&mut self, p: &mut Parser<'_>, result: &mut Map<String, Value>) -> Result<()> {
        let table = self.parse_table(p, "table");
        let uuid_json = p.member("uuid", OP_STRING | OP_OPTIONAL);
        let uuid_name = p.member("uuid-name", OP_ID | OP_OPTIONAL);
        let row_json = p.member("row", OP_OBJECT);
        if let Some(e) = p.get_error() {
            return Err(e);
        }
        let (Some(t), Some(row_json)) = (table, row_json) else {
            return Err(Error::new("syntax error", "incomplete insert"));
        };
        let mut requested = None;
        if let Some(uj) = uuid_json {
            let Some(u) = uj.as_str().and_then(parse_uuid) else {
                return Err(Error::syntax(Some(uj), "syntax error", "bad uuid"));
            };
            if !self.may_create_row(t, &u) {
                return Err(Error::syntax(
                    Some(uj),
                    "duplicate uuid",
                    "This UUID would duplicate a UUID already present within the table or deleted within the same transaction.",
                ));
            }
            requested = Some(u);
        }
        let row_uuid = match uuid_name.and_then(Value::as_str) {
            Some(name) => {
                let symbol = self.symtab.insert(name);
                if symbol.created {
                    return Err(Error::syntax(
                        uuid_name,
                        "duplicate uuid-name",
                        "This \"uuid-name\" appeared on an earlier \"insert\" operation.",
                    ));
                }
                match requested {
                    Some(u) => symbol.uuid = u,
                    None => requested = Some(symbol.uuid),
                }
                symbol.created = true;
                requested.unwrap_or(symbol.uuid)
            }
            None => match requested {
                Some(u) => u,
                None => self.symtab.uuids.generate(),
            },
        };
        let mut row = self.new_row(t);
        self.parse_row(row_json, t, &mut row, None)?;
        // Defaults were never checked: a single default value may violate a
        // constraint (larger datums were checked while parsing).
        let table = &self.meta.tables[t];
        for (c, column) in table.columns.iter().enumerate() {
            let d = row.field(c);
            if d.len() == 1 {
                d.check_constraints(&column.ty)?;
            }
        }
        row.set(UUID_COLUMN, Datum::scalar(Atom::Uuid(row_uuid)));
        row.set(
            VERSION_COLUMN,
            Datum::scalar(Atom::Uuid(self.symtab.uuids.generate())),
        );
        self.place_new_row(t, &mut row);
        self.add_txn_row(t, row_uuid, TxnRow::new(None, Some(row)));
        result.insert("uuid".into(), uuid_to_json(&row_uuid));
        Ok(())
    }

    fn column_set(&self, t: usize, json: Option<&Value>) -> Result<Vec<usize>> {
        let table = &self.meta.tables[t];
        let Some(json) = json else {
            return Ok((0..table.columns.len()).collect());
        };
        let generic = || {
            Error::syntax(
                Some(json),
                "syntax error",
                "array of distinct column names expected",
            )
        };
        let Value::Array(items) = json else {
            return Err(generic());
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let Some(name) = item.as_str() else {
                return Err(generic());
            };
            let Some(c) = table.column(name) else {
                return Err(Error::syntax(
                    Some(json),
                    "syntax error",
                    format!("{name} is not a valid column name"),
                ));
            };
            if out.contains(&c) {
                return Err(generic());
            }
            out.push(c);
        }
        Ok(out)
    }

    fn op_select(&mut self, p: &mut Parser<'_>, result: &mut Map<String, Value>) -> Result<()> {
        let table = self.parse_table(p, "table");
        let where_json = p.member("where", OP_ARRAY);
        let columns_json = p.member("columns", OP_ARRAY | OP_OPTIONAL);
        let sort_json = p.member("sort", OP_ARRAY | OP_OPTIONAL);
        if let Some(e) = p.get_error() {
            return Err(e);
        }
        let (Some(t), Some(where_json)) = (table, where_json) else {
            return Err(Error::new("syntax error", "incomplete select"));
        };
        let cond = self.parse_condition(t, where_json)?;
        let columns = self.column_set(t, columns_json)?;
        let explicit_sort = sort_json.is_some();
        let sort = self.column_set(t, sort_json)?;
        // With `_uuid` among the columns the result is sorted on a unique
        // key, so the order rows are met in does not show.
        let distinct = !columns.contains(&UUID_COLUMN);
        let uuids = self.query_in(t, &cond, distinct);
        let mut rows: Vec<&Row> = uuids.iter().filter_map(|u| self.get(t, u)).collect();
        if distinct {
            // Projected rows are distinct, like a relational SELECT DISTINCT.
            // Of rows alike in the asked columns OVS keeps the first it
            // meets walking the table (the query's order), and the others
            // decide its place in the sorted result.
            let mut seen: HashSet<Vec<&Datum>> = HashSet::with_capacity(rows.len());
            rows.retain(|r| seen.insert(columns.iter().map(|&c| r.field(c)).collect()));
        }
        if rows.len() > 1 && !sort.is_empty() {
            // Without "sort", OVS orders by every column in its hash order.
            let order = match self.compare_order(t) {
                Some(order) if !explicit_sort => order,
                _ => &sort,
            };
            if order.first() == Some(&UUID_COLUMN) {
                rows.sort_by(|a, b| a.uuid_ref().as_bytes().cmp(b.uuid_ref().as_bytes()));
            } else {
                rows.sort_by(|a, b| compare_columns(a, b, order));
            }
        }
        let table = &self.meta.tables[t];
        let out: Vec<Value> = rows
            .iter()
            .map(|r| row_to_json(table, r, &columns))
            .collect();
        result.insert("rows".into(), Value::Array(out));
        Ok(())
    }

    fn op_update(&mut self, p: &mut Parser<'_>, result: &mut Map<String, Value>) -> Result<()> {
        let table = self.parse_table(p, "table");
        let where_json = p.member("where", OP_ARRAY);
        let row_json = p.member("row", OP_OBJECT);
        if let Some(e) = p.get_error() {
            return Err(e);
        }
        let (Some(t), Some(where_json), Some(row_json)) = (table, where_json, row_json) else {
            return Err(Error::new("syntax error", "incomplete update"));
        };
        let mut row = self.new_row(t);
        let mut columns = Vec::new();
        self.parse_row(row_json, t, &mut row, Some(&mut columns))?;
        let meta = self.meta;
        let table = &meta.tables[t];
        for &c in &columns {
            if !table.columns[c].mutable {
                return Err(Error::syntax(
                    Some(p.json()),
                    "constraint violation",
                    format!(
                        "Cannot update immutable column {} in table {}.",
                        table.columns[c].name, table.name
                    ),
                ));
            }
        }
        let cond = self.parse_condition(t, where_json)?;
        let matches = self.query(t, &cond);
        for u in &matches {
            let unchanged = self
                .get(t, u)
                .is_some_and(|cur| columns.iter().all(|&c| cur.field(c) == row.field(c)));
            if unchanged {
                continue;
            }
            if let Some(target) = self.modify(t, u) {
                for &c in &columns {
                    target.set(c, row.field(c).clone());
                }
            }
        }
        result.insert("count".into(), Value::from(matches.len()));
        Ok(())
    }

    fn op_mutate(&mut self, p: &mut Parser<'_>, result: &mut Map<String, Value>) -> Result<()> {
        let table = self.parse_table(p, "table");
        let where_json = p.member("where", OP_ARRAY);
        let mutations_json = p.member("mutations", OP_ARRAY);
        if let Some(e) = p.get_error() {
            return Err(e);
        }
        let (Some(t), Some(where_json), Some(mutations_json)) = (table, where_json, mutations_json)
        else {
            return Err(Error::new("syntax error", "incomplete mutate"));
        };
        let meta = self.meta;
        let table = &meta.tables[t];
        let mutations = MutationSet::parse(table, mutations_json, Some(&mut self.symtab))?;
        let cond = self.parse_condition(t, where_json)?;
        let matches = self.query(t, &cond);
        for u in &matches {
            if let Some(row) = self.modify(t, u) {
                mutations.execute(table, row)?;
            }
        }
        result.insert("count".into(), Value::from(matches.len()));
        Ok(())
    }

    fn op_delete(&mut self, p: &mut Parser<'_>, result: &mut Map<String, Value>) -> Result<()> {
        let where_json = p.member("where", OP_ARRAY);
        let table = self.parse_table(p, "table");
        if let Some(e) = p.get_error() {
            return Err(e);
        }
        let (Some(t), Some(where_json)) = (table, where_json) else {
            return Err(Error::new("syntax error", "incomplete delete"));
        };
        let cond = self.parse_condition(t, where_json)?;
        let matches = self.query(t, &cond);
        for u in &matches {
            self.delete(t, u);
        }
        result.insert("count".into(), Value::from(matches.len()));
        Ok(())
    }

    fn op_wait(&mut self, p: &mut Parser<'_>) -> Result<()> {
        let timeout = p.member("timeout", OP_INTEGER | OP_OPTIONAL);
        let where_json = p.member("where", OP_ARRAY);
        let columns_json = p.member("columns", OP_ARRAY | OP_OPTIONAL);
        let until = p.member("until", OP_STRING);
        let rows_json = p.member("rows", OP_ARRAY);
        let table = self.parse_table(p, "table");
        if let Some(e) = p.get_error() {
            return Err(e);
        }
        let (Some(t), Some(where_json), Some(until), Some(rows_json)) =
            (table, where_json, until, rows_json)
        else {
            return Err(Error::new("syntax error", "incomplete wait"));
        };
        let cond = self.parse_condition(t, where_json)?;
        let columns = self.column_set(t, columns_json)?;
        let mut timeout_ms = None;
        if let Some(tj) = timeout {
            let v = as_integer(tj).unwrap_or(0);
            if v < 0 {
                return Err(Error::syntax(
                    Some(tj),
                    "syntax error",
                    "timeout must be nonnegative",
                ));
            }
            let v = v as u64;
            timeout_ms = Some(v);
            if self.timeout_ms.is_none_or(|cur| v < cur) {
                self.timeout_ms = Some(v);
            }
        }
        let until_eq = match until.as_str() {
            Some("==") => true,
            Some("!=") => false,
            _ => {
                return Err(Error::syntax(
                    Some(until),
                    "syntax error",
                    "\"until\" must be \"==\" or \"!=\"",
                ));
            }
        };
        let mut expected: HashSet<Vec<Datum>> = HashSet::new();
        for row_json in rows_json.as_array().map(Vec::as_slice).unwrap_or(&[]) {
            let mut row = self.new_row(t);
            self.parse_row(row_json, t, &mut row, None)?;
            expected.insert(columns.iter().map(|&c| row.field(c).clone()).collect());
        }
        let mut actual: HashSet<Vec<Datum>> = HashSet::new();
        let mut equal = true;
        for u in self.query_in(t, &cond, false) {
            let Some(row) = self.get(t, &u) else { continue };
            let key: Vec<Datum> = columns.iter().map(|&c| row.field(c).clone()).collect();
            if !expected.contains(&key) {
                equal = false;
                break;
            }
            actual.insert(key);
        }
        if equal {
            equal = actual.len() == expected.len();
        }
        if until_eq != equal {
            if let Some(limit) = timeout_ms
                && self.elapsed_ms >= limit
            {
                return Err(if self.elapsed_ms > 0 {
                    Error::new(
                        "timed out",
                        format!("\"wait\" timed out after {} ms", self.elapsed_ms),
                    )
                } else {
                    Error::new("timed out", "\"where\" clause test failed")
                });
            }
            return Err(Error::new("not supported", "triggers not supported"));
        }
        Ok(())
    }

    fn op_commit(&mut self, p: &mut Parser<'_>) -> Result<()> {
        if let Some(d) = p.member("durable", OP_BOOLEAN)
            && d.as_bool() == Some(true)
        {
            self.durable = true;
        }
        Ok(())
    }

    fn op_comment(&mut self, p: &mut Parser<'_>) -> Result<()> {
        if let Some(c) = p.member("comment", OP_STRING).and_then(Value::as_str) {
            match &mut self.comment {
                Some(existing) => {
                    existing.push('\n');
                    existing.push_str(c);
                }
                None => self.comment = Some(c.to_string()),
            }
        }
        Ok(())
    }

    fn op_assert(&mut self, p: &mut Parser<'_>) -> Result<()> {
        let Some(lock) = p.member("lock", OP_ID).and_then(Value::as_str) else {
            return Ok(());
        };
        if (self.owns_lock)(lock) {
            Ok(())
        } else {
            Err(Error::new(
                "not owner",
                format!("Asserted lock {lock} not held."),
            ))
        }
    }

    // ---- Log replay. ----

    /// Adds a row built elsewhere (conversion), with a fresh `_version`.
    pub(crate) fn insert_loaded_row(&mut self, t: usize, u: Uuid, fields: Vec<Datum>) {
        let mut row = Row::from_fields(fields);
        row.set(
            VERSION_COLUMN,
            Datum::scalar(Atom::Uuid(self.symtab.uuids.generate())),
        );
        self.place_new_row(t, &mut row);
        self.add_txn_row(t, u, TxnRow::new(None, Some(row)));
    }

    /// Loads one on-disk transaction record into the overlay.
    pub fn load_log_record(&mut self, record: &Value) -> Result<()> {
        let Value::Object(obj) = record else {
            return Err(Error::syntax(
                Some(record),
                "syntax error",
                "object expected",
            ));
        };
        let is_diff = obj.get("_is_diff") == Some(&Value::Bool(true));
        self.defer_places = true;
        let mut members: Vec<Vec<Member>> = vec![Vec::new(); self.tables.len()];
        for (name, table_json) in obj {
            let Some(t) = self.meta.table(name) else {
                match (name.as_str(), table_json) {
                    ("_date", v) if as_integer(v).is_some() => continue,
                    ("_is_diff", Value::Bool(_)) => continue,
                    ("_comment", _) => continue,
                    _ => {
                        return Err(Error::syntax(
                            Some(record),
                            "unknown table",
                            format!("No table named {name}."),
                        ));
                    }
                }
            };
            let Value::Object(rows) = table_json else {
                return Err(Error::syntax(
                    Some(table_json),
                    "syntax error",
                    "object expected",
                ));
            };
            for (uuid_str, row_json) in rows {
                let Some(u) = parse_uuid(uuid_str) else {
                    return Err(Error::syntax(
                        Some(table_json),
                        "syntax error",
                        format!("\"{uuid_str}\" is not a valid UUID"),
                    ));
                };
                self.load_log_row(t, u, row_json, is_diff)?;
                members[t].push((ovs_shash::hash_name(uuid_str), u, row_json.is_null()));
            }
        }
        self.place_replayed_rows(&members);
        Ok(())
    }

    pub(crate) fn load_log_row(
        &mut self,
        t: usize,
        u: Uuid,
        json: &Value,
        is_diff: bool,
    ) -> Result<()> {
        if json.is_null() {
            if !self.post_exists(t, &u) {
                return Err(Error::syntax(
                    None,
                    "syntax error",
                    format!(
                        "transaction deletes row {} that does not exist",
                        u.hyphenated()
                    ),
                ));
            }
            self.delete(t, &u);
            return Ok(());
        }
        let Value::Object(obj) = json else {
            return Err(Error::syntax(
                Some(json),
                "syntax error",
                "row must be JSON object",
            ));
        };
        let meta = self.meta;
        let table = &meta.tables[t];
        let existed = self.post_exists(t, &u);
        let mut fresh = None;
        if !existed {
            let mut row = self.new_row(t);
            row.set(UUID_COLUMN, Datum::scalar(Atom::Uuid(u)));
            row.set(
                VERSION_COLUMN,
                Datum::scalar(Atom::Uuid(self.symtab.uuids.generate())),
            );
            fresh = Some(row);
        }
        let row = match fresh.as_mut() {
            Some(r) => r,
            None => match self.modify(t, &u) {
                Some(r) => r,
                None => return Err(Error::new("syntax error", "row vanished")),
            },
        };
        for (name, value) in obj {
            let Some(c) = table.column(name) else {
                return Err(Error::syntax(
                    Some(json),
                    "unknown column",
                    format!("No column {name} in table {}.", table.name),
                ));
            };
            let ty = &table.columns[c].ty;
            let current = row.field(c);
            if is_diff && !current.is_default(ty) {
                // A diff of a bounded set may momentarily exceed the bound.
                let mut relaxed = ty.clone();
                relaxed.min = 0;
                relaxed.max = crate::schema::Type::UNLIMITED;
                let diff = Datum::parse(&relaxed, value, None)?;
                let merged = current.apply_diff(&diff, ty).map_err(Error::from)?;
                row.set(c, merged);
            } else {
                let d = Datum::parse(ty, value, None)?;
                row.set(c, d);
            }
        }
        if let Some(mut row) = fresh {
            self.place_new_row(t, &mut row);
            self.add_txn_row(t, u, TxnRow::new(None, Some(row)));
        }
        Ok(())
    }
}

/// Orders rows by the given columns, as OVS's `select` "sort" does.
pub(crate) fn compare_columns(a: &Row, b: &Row, columns: &[usize]) -> Ordering {
    for &c in columns {
        let o = a.field(c).cmp(b.field(c));
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

pub(crate) fn row_to_json(table: &TableMeta, row: &Row, columns: &[usize]) -> Value {
    let mut obj = Map::new();
    for &c in columns {
        let col = &table.columns[c];
        obj.insert(col.name.to_string(), row.field(c).to_json(&col.ty));
    }
    Value::Object(obj)
}
