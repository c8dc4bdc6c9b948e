//! The in-memory database and the entry points of the transaction engine.

use std::sync::Arc;

use ovs_shash::HmapModel;
use serde_json::Value;
use uuid::Uuid;

use crate::atom::UuidGen;
use crate::changes::Changes;
use crate::datum::Datum;
use crate::error::{Error, OvsdbError};
use crate::exec::{Exec, ExecOutcome};
use crate::hash::{FastMap, FastSet};
use crate::meta::SchemaMeta;
use crate::row::{Row, RowRef};
use crate::schema::DatabaseSchema;

/// What a transaction may learn about its session.
pub struct TxnContext<'a> {
    /// The current time, in milliseconds (any epoch, used for `wait`).
    pub now_ms: u64,
    /// Whether the session owns the named lock (for `assert`).
    pub owns_lock: &'a dyn Fn(&str) -> bool,
}

/// The result of [`Database::transact`].
#[derive(Debug)]
pub enum TxnOutcome {
    /// The transaction committed in memory; `reply` is the `transact`
    /// result array.  `changes` may be empty.
    Committed { reply: Value, changes: Changes },
    /// An operation or a commit-time check failed; nothing changed.
    Failed { reply: Value },
    /// A `wait` is not yet satisfied: retry after the next commit, or at
    /// `until_ms` (when the trigger times out), whichever comes first.
    Blocked { until_ms: Option<u64> },
}

/// One table's rows and the structures that keep commits fast.
#[derive(Debug, Default)]
pub(crate) struct Table {
    pub rows: FastSet<RowRef>,
    /// One map per schema index: the indexed columns' values to the row.
    pub indexes: Vec<FastMap<Box<[Datum]>, Uuid>>,
    /// Rows of any table holding weak references to a row of this table,
    /// by the referenced row: (source table, source row).
    pub weak_in: FastMap<Uuid, Vec<(usize, Uuid)>>,
    /// OVS's hash map of the rows, whose order its outputs expose; each
    /// row knows its own place in it.
    pub hmap: HmapModel,
}

impl Table {
    pub fn get(&self, uuid: &Uuid) -> Option<&Arc<Row>> {
        self.rows.get(uuid).map(|r| &r.0)
    }

    /// The rows in OVS's `HMAP_FOR_EACH` order.
    pub fn rows_in_hmap_order(&self) -> Vec<&Row> {
        let mut rows: Vec<&Row> = self.rows.iter().map(|r| &*r.0).collect();
        crate::order::sort_rows(&self.hmap, &mut rows);
        rows
    }
}

/// An OVSDB database in memory: its schema and rows, and the transaction
/// engine that changes them.
#[derive(Debug)]
pub struct Database {
    pub(crate) meta: Arc<SchemaMeta>,
    pub(crate) tables: Vec<Table>,
    pub(crate) uuids: UuidGen,
    /// Per table, OVS's column comparison order, if the server set it.
    pub(crate) column_order: Vec<Option<Vec<usize>>>,
}

impl Database {
    /// An empty database for `schema`.
    pub fn new(schema: Arc<DatabaseSchema>) -> Database {
        let meta = Arc::new(SchemaMeta::new(schema));
        let tables = meta
            .tables
            .iter()
            .map(|t| Table {
                indexes: t.indexes.iter().map(|_| FastMap::default()).collect(),
                ..Table::default()
            })
            .collect();
        let column_order = vec![None; meta.tables.len()];
        Database {
            meta,
            tables,
            uuids: UuidGen::from_entropy(),
            column_order,
        }
    }

    /// Tells the engine the order in which OVS walks `table`'s columns (its
    /// hash-map order, which depends on the order the schema text lists
    /// them in, which a parsed [`DatabaseSchema`] no longer knows; see
    /// `ovs_shash`).  OVS orders `select` results without a "sort" by
    /// comparing every column in that order, and names the rows of a
    /// duplicate-index error in it.  Without it, such `select` results are
    /// ordered by `_uuid`.  Unknown names are an error; columns left out are
    /// compared last.  A database made by [`Database::convert`] starts
    /// without it (OVS's order there is that of the new schema's clone).
    pub fn set_column_order(&mut self, table: &str, columns: &[&str]) -> Result<(), OvsdbError> {
        let Some(t) = self.meta.table(table) else {
            return Err(OvsdbError::syntax(format!("no table named {table}")));
        };
        let tm = &self.meta.tables[t];
        let mut order = Vec::with_capacity(tm.columns.len());
        for name in columns {
            let Some(c) = tm.column(name) else {
                return Err(OvsdbError::syntax(format!(
                    "{name} is not a valid column name"
                )));
            };
            if !order.contains(&c) {
                order.push(c);
            }
        }
        for c in 0..tm.columns.len() {
            if !order.contains(&c) {
                order.push(c);
            }
        }
        self.column_order[t] = Some(order);
        Ok(())
    }

    /// Makes generated UUIDs reproducible (tests).
    pub fn seed_uuids(&mut self, seed: u128) {
        self.uuids = UuidGen::from_seed(seed);
    }

    pub fn schema(&self) -> &Arc<DatabaseSchema> {
        &self.meta.schema
    }

    /// The rows of `table`, in no particular order (OVS's order, where it
    /// shows, is kept internally: see `crate::order`).
    pub fn rows(&self, table: &str) -> impl Iterator<Item = &Arc<Row>> {
        self.meta
            .table(table)
            .and_then(|t| self.tables.get(t))
            .into_iter()
            .flat_map(|t| t.rows.iter().map(|r| &r.0))
    }

    /// The row of `table` with this UUID.
    pub fn row(&self, table: &str, uuid: &Uuid) -> Option<&Arc<Row>> {
        self.tables.get(self.meta.table(table)?)?.get(uuid)
    }

    pub fn n_rows(&self, table: &str) -> usize {
        self.meta
            .table(table)
            .and_then(|t| self.tables.get(t))
            .map_or(0, |t| t.rows.len())
    }

    /// Column names of `table` in the order of [`Row::get`].
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

    /// The position of `column` in [`Row::get`] for `table`.
    pub fn column_index(&self, table: &str, column: &str) -> Option<usize> {
        self.meta.tables[self.meta.table(table)?].column(column)
    }

    /// Total number of atoms stored, roughly as OVS reports it for
    /// `memory/show`.
    pub fn n_atoms(&self) -> usize {
        self.tables
            .iter()
            .flat_map(|t| t.rows.iter())
            .map(|r| {
                r.0.values()
                    .map(|d| if d.is_map() { 2 * d.len() } else { d.len() })
                    .sum::<usize>()
            })
            .sum()
    }

    /// Rows times columns (including `_uuid` and `_version`), OVS's
    /// "cells" in `memory/show`.
    pub fn n_cells(&self) -> usize {
        self.meta
            .tables
            .iter()
            .zip(&self.tables)
            .map(|(m, t)| m.columns.len() * t.rows.len())
            .sum()
    }

    /// Weak references between distinct rows, roughly OVS's "n-weak-refs".
    pub fn n_weak_refs(&self) -> usize {
        self.tables
            .iter()
            .flat_map(|t| t.weak_in.values())
            .map(Vec::len)
            .sum()
    }

    /// Runs a transaction: `ops` are the `transact` parameters after the
    /// database name.  A `wait` that is not satisfied yields
    /// [`TxnOutcome::Blocked`]; on retry use [`Database::transact_since`]
    /// with the time of the first attempt so that `wait` can time out.
    pub fn transact(&mut self, ops: &[Value], ctx: &TxnContext<'_>) -> TxnOutcome {
        self.transact_since(ops, ctx, ctx.now_ms)
    }

    /// [`Database::transact`] for a transaction first attempted at
    /// `started_ms` (the `wait` timeouts count from then).
    pub fn transact_since(
        &mut self,
        ops: &[Value],
        ctx: &TxnContext<'_>,
        started_ms: u64,
    ) -> TxnOutcome {
        let restricted = self.meta.schema.name.starts_with('_');
        self.run(ops, ctx, started_ms, restricted)
    }

    /// Like [`Database::transact`] but allows writes to a reserved
    /// database (one whose name starts with `_`, such as `_Server`), which
    /// clients may only read: for the server's own bookkeeping.
    pub fn transact_unrestricted(&mut self, ops: &[Value], ctx: &TxnContext<'_>) -> TxnOutcome {
        self.run(ops, ctx, ctx.now_ms, false)
    }

    fn run(
        &mut self,
        ops: &[Value],
        ctx: &TxnContext<'_>,
        started_ms: u64,
        restricted: bool,
    ) -> TxnOutcome {
        let elapsed = ctx.now_ms.saturating_sub(started_ms);
        let column_order = &self.column_order;
        let mut exec = Exec::new(
            &self.meta,
            &self.tables,
            self.uuids.clone(),
            elapsed,
            ctx.owns_lock,
            restricted,
        );
        exec.column_order = column_order;
        let outcome = exec.execute(ops);
        let mut results = match outcome {
            ExecOutcome::Blocked { timeout_ms } => {
                let places = exec.abort_places();
                self.uuids = exec.into_uuids();
                self.abort(places);
                return TxnOutcome::Blocked {
                    until_ms: timeout_ms.map(|t| started_ms.saturating_add(t)),
                };
            }
            ExecOutcome::Failed { results } => {
                let places = exec.abort_places();
                self.uuids = exec.into_uuids();
                self.abort(places);
                return TxnOutcome::Failed {
                    reply: Value::Array(results),
                };
            }
            ExecOutcome::Done { results } => results,
        };
        let prepared = match exec.precommit() {
            Ok(p) => p,
            Err(e) => {
                results.push(e.to_json());
                let places = exec.abort_places();
                self.uuids = exec.into_uuids();
                self.abort(places);
                return TxnOutcome::Failed {
                    reply: Value::Array(results),
                };
            }
        };
        self.uuids = prepared.uuids.clone();
        let changes = self.apply(prepared);
        TxnOutcome::Committed {
            reply: Value::Array(results),
            changes,
        }
    }

    /// Leaves the tables' hash maps as OVS's abort of a transaction does:
    /// grown if the transaction's insertions grew them, and the rows it
    /// deleted back at the head of their buckets.
    fn abort(&mut self, places: Vec<crate::exec::AbortPlaces>) {
        for (table, (hmap, restored)) in self.tables.iter_mut().zip(places) {
            table.hmap = hmap;
            table.hmap.set_len(table.rows.len());
            for (u, place) in restored {
                let Some(row) = table.get(&u) else { continue };
                let mut moved = (**row).clone();
                moved.place = place;
                table.rows.replace(RowRef(Arc::new(moved)));
            }
        }
    }

    /// Replays one transaction record from the on-disk log (as written by
    /// OVS or by [`Changes::to_log_record`]), including records with
    /// `"_is_diff": true`.
    pub fn apply_log_record(&mut self, record: &Value) -> Result<(), OvsdbError> {
        self.apply_log_record_inner(record)
            .map(|_| ())
            .map_err(OvsdbError::from)
    }

    /// [`Database::apply_log_record`], also returning what changed (for a
    /// server that replays while monitors are active).
    pub fn apply_log_record_changes(&mut self, record: &Value) -> Result<Changes, OvsdbError> {
        self.apply_log_record_inner(record)
            .map_err(OvsdbError::from)
    }

    /// A copy of this database under `schema`, as `ovsdb-client convert`
    /// and `ovsdb-tool convert` make it: tables and columns missing from
    /// the new schema are dropped, values are re-checked against the new
    /// types, and the commit-time checks run on the result.
    pub fn convert(&self, schema: Arc<DatabaseSchema>) -> Result<Database, OvsdbError> {
        let mut dst = Database::new(schema);
        dst.uuids = self.uuids.clone();
        let dst_meta = dst.meta.clone();
        let mut exec = Exec::new(
            &dst_meta,
            &dst.tables,
            dst.uuids.clone(),
            0,
            &|_| false,
            false,
        );
        for (st, src_table) in self.meta.tables.iter().enumerate() {
            let Some(dt) = dst_meta.table(&src_table.name) else {
                continue;
            };
            let dst_table = &dst_meta.tables[dt];
            let mapping: Vec<(usize, usize)> = src_table
                .columns
                .iter()
                .enumerate()
                .skip(crate::row::VERSION_COLUMN + 1)
                .filter_map(|(sc, col)| dst_table.column(&col.name).map(|dc| (sc, dc)))
                .collect();
            // OVS converts each table walking its hash map.
            for src_row in self.tables[st].rows_in_hmap_order() {
                let mut fields = dst_table.defaults.clone();
                fields[crate::row::UUID_COLUMN] = src_row.field(crate::row::UUID_COLUMN).clone();
                for &(sc, dc) in &mapping {
                    let json = src_row.field(sc).to_json(&src_table.columns[sc].ty);
                    fields[dc] = Datum::parse(&dst_table.columns[dc].ty, &json, None)
                        .map_err(OvsdbError::from)?;
                }
                exec.insert_loaded_row(dt, src_row.uuid(), fields);
            }
        }
        let prepared = exec.precommit().map_err(OvsdbError::from)?;
        dst.uuids = prepared.uuids.clone();
        dst.apply(prepared);
        Ok(dst)
    }

    fn apply_log_record_inner(&mut self, record: &Value) -> Result<Changes, Error> {
        let mut exec = Exec::new(
            &self.meta,
            &self.tables,
            self.uuids.clone(),
            0,
            &|_| false,
            false,
        );
        exec.load_log_record(record)?;
        let prepared = exec.precommit()?;
        self.uuids = prepared.uuids.clone();
        Ok(self.apply(prepared))
    }
}
