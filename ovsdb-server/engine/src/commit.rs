//! Commit-time checks and the commit itself: reference counting and
//! referential integrity, garbage collection of unreferenced non-root rows,
//! `maxRows`, weak references, unique indexes, `_version`; then applying
//! the transaction to the tables.

use std::sync::Arc;

use uuid::Uuid;

use crate::atom::{Atom, UuidGen};
use crate::changes::{Changes, RowChange, TableChanges};
use crate::datum::Datum;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::exec::{Exec, TxnHmaps, TxnRow};
use crate::hash::FastMap;
use crate::meta::TableMeta;
use crate::row::{Row, RowRef, VERSION_COLUMN};
use crate::schema::RefType;

/// A transaction that passed every check, ready to apply.
pub(crate) struct Prepared {
    pub txn: Vec<FastMap<Uuid, TxnRow>>,
    /// Change in the number of strong references to each row.
    pub ref_delta: FastMap<(usize, Uuid), i64>,
    pub uuids: UuidGen,
    pub comment: Option<String>,
    pub durable: bool,
    /// Each table's hash maps as the transaction leaves them.
    pub hmaps: Vec<TxnHmaps>,
}

/// The rows referenced (with the given strength) by column `c` of a row.
fn refs_in(table: &TableMeta, c: usize, d: &Datum, strength: RefType) -> Vec<(usize, Uuid)> {
    let col = &table.columns[c];
    let mut out = Vec::new();
    if let Some((tt, rt)) = col.key_ref
        && rt == strength
    {
        for i in 0..d.len() {
            if let Some(Atom::Uuid(u)) = d.key(i) {
                out.push((tt, *u));
            }
        }
    }
    if let Some((tt, rt)) = col.value_ref
        && rt == strength
    {
        for (_, v) in d.pairs() {
            if let Atom::Uuid(u) = v {
                out.push((tt, *u));
            }
        }
    }
    out
}

/// Every strong reference held by a row, self-references excluded.
fn strong_refs_of(table: &TableMeta, row: &Row) -> Vec<(usize, Uuid)> {
    let me = row.uuid();
    let mut out = Vec::new();
    for &c in &table.strong_columns {
        out.extend(
            refs_in(table, c, row.field(c), RefType::Strong)
                .into_iter()
                .filter(|&(_, u)| u != me),
        );
    }
    out
}

/// Distinct rows a row refers to weakly (for the reverse index).
fn weak_targets_of(table: &TableMeta, row: &Row) -> Vec<(usize, Uuid)> {
    let me = row.uuid();
    let mut out = Vec::new();
    for &c in &table.weak_columns {
        out.extend(
            refs_in(table, c, row.field(c), RefType::Weak)
                .into_iter()
                .filter(|&(_, u)| u != me),
        );
    }
    out.sort();
    out.dedup();
    out
}

pub(crate) fn index_key(row: &Row, columns: &[usize]) -> Box<[Datum]> {
    columns.iter().map(|&c| row.field(c).clone()).collect()
}

fn english_delimiter(index: usize, total: usize) -> &'static str {
    if index == 0 {
        ""
    } else if index < total - 1 {
        ", "
    } else if total > 2 {
        ", and "
    } else {
        " and "
    }
}

fn columns_to_string(table: &TableMeta, row: &Row, columns: &[usize]) -> String {
    let mut s = String::new();
    for (i, &c) in columns.iter().enumerate() {
        s.push_str(english_delimiter(i, columns.len()));
        s.push_str(&row.field(c).to_ovs_string(&table.columns[c].ty));
    }
    s
}

fn column_set_to_string(table: &TableMeta, columns: &[usize]) -> String {
    if columns.is_empty() {
        return "no columns".into();
    }
    let mut s = format!("column{} ", if columns.len() > 1 { "s" } else { "" });
    for (i, &c) in columns.iter().enumerate() {
        s.push_str(english_delimiter(i, columns.len()));
        s.push('"');
        s.push_str(&table.columns[c].name);
        s.push('"');
    }
    s
}

impl Exec<'_> {
    fn committed_refs(&self, t: usize, u: &Uuid) -> i64 {
        match self.txn[t].get(u) {
            Some(tr) => tr.old.as_ref().map_or(0, |o| o.n_refs() as i64),
            None => self.tables[t].get(u).map_or(0, |r| r.n_refs() as i64),
        }
    }

    fn drop_unchanged(&mut self) {
        for rows in &mut self.txn {
            rows.retain(|_, tr| match (&tr.old, &tr.new) {
                (Some(o), Some(n)) => !tr.forced.is_empty() || **o != *n,
                _ => true,
            });
        }
    }

    /// Runs every commit-time check, leaving the transaction ready to
    /// apply, or returns the error that makes it fail.
    pub fn precommit(&mut self) -> Result<Prepared> {
        let meta = self.meta;
        self.drop_unchanged();

        // Strong references: count them and check their targets exist.
        let mut delta: FastMap<(usize, Uuid), i64> = FastMap::default();
        for (t, table) in meta.tables.iter().enumerate() {
            if table.strong_columns.is_empty() {
                continue;
            }
            for (u, tr) in &self.txn[t] {
                for &c in &table.strong_columns {
                    let (added, removed) = match (&tr.old, &tr.new) {
                        (Some(o), None) => (Datum::empty(), o.field(c).clone()),
                        (None, Some(n)) => (n.field(c).clone(), Datum::empty()),
                        (Some(o), Some(n)) => {
                            if o.field(c) == n.field(c) {
                                continue;
                            }
                            Datum::added_removed(o.field(c), n.field(c), &table.columns[c].ty)
                        }
                        (None, None) => continue,
                    };
                    for (tt, target) in refs_in(table, c, &removed, RefType::Strong) {
                        if target != *u {
                            *delta.entry((tt, target)).or_default() -= 1;
                        }
                    }
                    for (tt, target) in refs_in(table, c, &added, RefType::Strong) {
                        if target == *u {
                            continue;
                        }
                        if !self.known(tt, &target) {
                            return Err(Error::new(
                                "referential integrity violation",
                                format!(
                                    "Table {} column {} row {} references nonexistent row {} in table {}.",
                                    table.name,
                                    table.columns[c].name,
                                    u.hyphenated(),
                                    target.hyphenated(),
                                    meta.tables[tt].name
                                ),
                            ));
                        }
                        *delta.entry((tt, target)).or_default() += 1;
                    }
                }
            }
        }
        for (t, rows) in self.txn.iter().enumerate() {
            for (u, tr) in rows {
                if let (Some(old), None) = (&tr.old, &tr.new) {
                    let n = old.n_refs() as i64 + delta.get(&(t, *u)).copied().unwrap_or(0);
                    if n != 0 {
                        return Err(Error::new(
                            "referential integrity violation",
                            format!(
                                "cannot delete {} row {} because of {} remaining reference(s)",
                                meta.tables[t].name,
                                u.hyphenated(),
                                n
                            ),
                        ));
                    }
                }
            }
        }

        // Garbage-collect non-root rows that nothing references any more.
        let mut work: Vec<(usize, Uuid)> = Vec::new();
        for (t, rows) in self.txn.iter().enumerate() {
            if meta.tables[t].is_root {
                continue;
            }
            work.extend(
                rows.iter()
                    .filter(|(_, tr)| tr.new.is_some())
                    .map(|(u, _)| (t, *u)),
            );
        }
        work.extend(
            delta
                .keys()
                .filter(|(t, _)| !meta.tables[*t].is_root)
                .copied(),
        );
        while let Some((t, u)) = work.pop() {
            if meta.tables[t].is_root || !self.post_exists(t, &u) {
                continue;
            }
            if self.committed_refs(t, &u) + delta.get(&(t, u)).copied().unwrap_or(0) != 0 {
                continue;
            }
            let refs = match self.txn[t].get_mut(&u) {
                Some(tr) => {
                    let refs = tr
                        .new
                        .as_ref()
                        .map(|r| strong_refs_of(&meta.tables[t], r))
                        .unwrap_or_default();
                    tr.new = None;
                    if tr.old.is_none() {
                        self.drop_txn_row(t, &u);
                    }
                    refs
                }
                None => {
                    let Some(committed) = self.tables[t].get(&u).cloned() else {
                        continue;
                    };
                    let refs = strong_refs_of(&meta.tables[t], &committed);
                    self.add_txn_row(t, u, TxnRow::new(Some(committed), None));
                    refs
                }
            };
            self.unplace_row(t);
            for target in refs {
                *delta.entry(target).or_default() -= 1;
                work.push(target);
            }
        }

        // maxRows.
        for (t, rows) in self.txn.iter().enumerate() {
            let Some(max) = meta.tables[t].max_rows else {
                continue;
            };
            if rows.is_empty() {
                continue;
            }
            let mut n = self.tables[t].rows.len() as i64;
            for tr in rows.values() {
                match (&tr.old, &tr.new) {
                    (None, Some(_)) => n += 1,
                    (Some(_), None) => n -= 1,
                    _ => {}
                }
            }
            if n > max as i64 {
                return Err(Error::new(
                    "constraint violation",
                    format!(
                        "transaction causes \"{}\" table to contain {} rows, greater than the schema-defined limit of {} row(s)",
                        meta.tables[t].name, n, max
                    ),
                ));
            }
        }

        self.check_weak_refs()?;
        self.check_indexes()?;

        // Every modified row gets a new _version.
        let uuids = &mut self.symtab.uuids;
        for rows in &mut self.txn {
            for tr in rows.values_mut() {
                if tr.old.is_some()
                    && let Some(new) = tr.new.as_mut()
                {
                    new.set(VERSION_COLUMN, Datum::scalar(Atom::Uuid(uuids.generate())));
                }
            }
        }

        Ok(Prepared {
            txn: std::mem::take(&mut self.txn),
            ref_delta: delta,
            uuids: self.symtab.uuids.clone(),
            comment: self.comment.take(),
            durable: self.durable,
            hmaps: std::mem::take(&mut self.hmaps),
        })
    }

    /// Drops weak references to rows that do not exist after the
    /// transaction, pulling in rows that referred to deleted rows.
    fn check_weak_refs(&mut self) -> Result<()> {
        let meta = self.meta;
        let mut pulls = Vec::new();
        for (t, rows) in self.txn.iter().enumerate() {
            for (u, tr) in rows {
                if tr.old.is_some()
                    && tr.new.is_none()
                    && let Some(sources) = self.tables[t].weak_in.get(u)
                {
                    for &(st, su) in sources {
                        if !self.txn[st].contains_key(&su) && self.tables[st].rows.contains(&su) {
                            pulls.push((st, su));
                        }
                    }
                }
            }
        }
        for (st, su) in &pulls {
            self.modify(*st, su);
        }

        let mut edits: Vec<(usize, Uuid, usize, Datum)> = Vec::new();
        for (t, table) in meta.tables.iter().enumerate() {
            if table.weak_columns.is_empty() {
                continue;
            }
            for (u, tr) in &self.txn[t] {
                let Some(new) = &tr.new else { continue };
                for &c in &table.weak_columns {
                    let col = &table.columns[c];
                    let d = new.field(c);
                    let weak_target =
                        |r: Option<(usize, RefType)>, a: &Atom| -> Option<(usize, Uuid)> {
                            match (r, a) {
                                (Some((tt, RefType::Weak)), Atom::Uuid(x)) => Some((tt, *x)),
                                _ => None,
                            }
                        };
                    let mut zero = false;
                    let mut dangling = |target: Option<(usize, Uuid)>| -> bool {
                        match target {
                            Some((tt, x)) if !self.post_exists(tt, &x) => {
                                zero |= x.is_nil();
                                true
                            }
                            _ => false,
                        }
                    };
                    let (kept, removed) = if d.is_map() {
                        let mut kept = Vec::with_capacity(d.len());
                        for (k, v) in d.pairs() {
                            let bad_key = dangling(weak_target(col.key_ref, k));
                            let bad_value = !bad_key && dangling(weak_target(col.value_ref, v));
                            if !bad_key && !bad_value {
                                kept.push((k.clone(), v.clone()));
                            }
                        }
                        let removed = d.len() - kept.len();
                        (Datum::from_sorted_pairs(kept), removed)
                    } else {
                        let mut kept = Vec::with_capacity(d.len());
                        for k in d.keys() {
                            if !dangling(weak_target(col.key_ref, k)) {
                                kept.push(k.clone());
                            }
                        }
                        let removed = d.len() - kept.len();
                        (Datum::from_sorted_keys(kept), removed)
                    };
                    if removed == 0 {
                        continue;
                    }
                    if kept.len() < col.ty.min as usize {
                        let details = if zero && tr.old.is_none() {
                            format!(
                                "Weak reference column \"{}\" in \"{}\" row {} (inserted within this transaction) contained all-zeros UUID (probably as the default value for this column) but deleting this value caused a constraint volation because this column is not allowed to be empty.",
                                col.name,
                                table.name,
                                u.hyphenated()
                            )
                        } else {
                            format!(
                                "Deletion of {} weak reference(s) to deleted (or never-existing) rows from column \"{}\" in \"{}\" row {} {}caused this column to become empty, but constraints on this column disallow an empty column.",
                                removed,
                                col.name,
                                table.name,
                                u.hyphenated(),
                                if tr.old.is_some() {
                                    ""
                                } else {
                                    "(inserted within this transaction) "
                                }
                            )
                        };
                        return Err(Error::new("constraint violation", details));
                    }
                    edits.push((t, *u, c, kept));
                }
            }
        }
        for (t, u, c, d) in edits {
            if let Some(tr) = self.txn[t].get_mut(&u)
                && let Some(new) = tr.new.as_mut()
            {
                new.set(c, d);
                tr.forced.push(c);
            }
        }
        if !pulls.is_empty() {
            self.drop_unchanged();
        }
        Ok(())
    }

    fn check_indexes(&self) -> Result<()> {
        let meta = self.meta;
        for (t, table) in meta.tables.iter().enumerate() {
            if table.indexes.is_empty() || self.txn[t].is_empty() {
                continue;
            }
            for (i, columns) in table.indexes.iter().enumerate() {
                let mut seen: FastMap<Box<[Datum]>, Uuid> = FastMap::default();
                for (u, tr) in &self.txn[t] {
                    let Some(new) = &tr.new else { continue };
                    let key = index_key(new, columns);
                    if let Some(other) = seen.get(&key)
                        && let Some(other_row) = self.get(t, other)
                    {
                        return Err(self.duplicate_index_error(t, columns, other_row, new));
                    }
                    if let Some(owner) = self.tables[t].indexes[i].get(&key)
                        && !self.txn[t].contains_key(owner)
                        && let Some(owner_row) = self.tables[t].get(owner)
                    {
                        return Err(self.duplicate_index_error(t, columns, owner_row, new));
                    }
                    seen.insert(key, *u);
                }
            }
        }
        Ok(())
    }

    fn describe_index_row(&self, t: usize, columns: &[usize], row: &Row, title: &str) -> String {
        let table = &self.meta.tables[t];
        let u = row.uuid();
        let mut s = format!("{title} row, with UUID {}, ", u.hyphenated());
        match self.txn[t].get(&u) {
            None | Some(TxnRow { new: None, .. }) => {
                s.push_str("existed in the database before this transaction and was not modified by the transaction.");
            }
            Some(TxnRow { old: None, .. }) => s.push_str("was inserted by this transaction."),
            Some(TxnRow {
                old: Some(old),
                new: Some(new),
                ..
            }) => {
                if columns.iter().all(|&c| old.field(c) == new.field(c)) {
                    s.push_str(
                        "existed in the database before this transaction, which modified some of the row's columns but not any columns in this index.",
                    );
                } else {
                    s.push_str("had the following index values before the transaction: ");
                    s.push_str(&columns_to_string(table, old, columns));
                    s.push('.');
                }
            }
        }
        s
    }

    fn duplicate_index_error(&self, t: usize, columns: &[usize], a: &Row, b: &Row) -> Error {
        let table = &self.meta.tables[t];
        // Predictable order: the row that sorts last comes first.  OVS
        // compares the columns in its hash order; comparing the schema's
        // columns first and the random `_version` and `_uuid` last agrees
        // with it whenever the rows differ in a real column.
        let (a, b) = match self.compare_order(t) {
            Some(order) => {
                if crate::exec::compare_columns(a, b, order) == std::cmp::Ordering::Less {
                    (b, a)
                } else {
                    (a, b)
                }
            }
            None => {
                fn key(r: &Row) -> (Vec<&Datum>, Uuid, Uuid) {
                    let user: Vec<&Datum> = r.values().skip(VERSION_COLUMN + 1).collect();
                    (user, r.version(), r.uuid())
                }
                if key(a) < key(b) { (b, a) } else { (a, b) }
            }
        };
        let details = format!(
            "Transaction causes multiple rows in \"{}\" table to have identical values ({}) for index on {}.  {}  {}",
            table.name,
            columns_to_string(table, a, columns),
            column_set_to_string(table, columns),
            self.describe_index_row(t, columns, a, "First"),
            self.describe_index_row(t, columns, b, "Second"),
        );
        Error::new("constraint violation", details)
    }
}

impl Database {
    /// Applies a checked transaction to the tables and describes it.
    pub(crate) fn apply(&mut self, prepared: Prepared) -> Changes {
        let Prepared {
            txn,
            ref_delta,
            mut uuids,
            comment,
            durable,
            hmaps,
        } = prepared;
        let meta = self.meta.clone();
        for (table, hmap) in self.tables.iter_mut().zip(hmaps) {
            table.hmap = hmap.rows;
        }

        // Reference counts of rows the transaction did not otherwise touch.
        for (&(t, u), &d) in &ref_delta {
            if d != 0
                && !txn[t].contains_key(&u)
                && let Some(row) = self.tables[t].get(&u)
            {
                row.set_n_refs((row.n_refs() as i64 + d).clamp(0, u32::MAX as i64) as u32);
            }
        }

        let mut weak_updates: Vec<(usize, Uuid, usize, Uuid, bool)> = Vec::new();
        let mut changed_tables = Vec::new();
        for (t, entries) in txn.into_iter().enumerate() {
            if entries.is_empty() {
                continue;
            }
            let table_meta = &meta.tables[t];
            let mut rows = Vec::with_capacity(entries.len());
            for (u, tr) in entries {
                let new = tr.new.map(|r| {
                    let base = tr.old.as_ref().map_or(0, |o| o.n_refs() as i64);
                    let d = ref_delta.get(&(t, u)).copied().unwrap_or(0);
                    r.set_n_refs((base + d).clamp(0, u32::MAX as i64) as u32);
                    Arc::new(r)
                });
                rows.push(RowChange {
                    uuid: u,
                    old: tr.old,
                    new,
                    forced: tr.forced,
                });
            }
            let table = &mut self.tables[t];
            for (i, columns) in table_meta.indexes.iter().enumerate() {
                let index = &mut table.indexes[i];
                for rc in &rows {
                    if let Some(old) = &rc.old {
                        let key = index_key(old, columns);
                        if index.get(&key) == Some(&rc.uuid) {
                            index.remove(&key);
                        }
                    }
                }
                for rc in &rows {
                    if let Some(new) = &rc.new {
                        index.insert(index_key(new, columns), rc.uuid);
                    }
                }
            }
            for rc in &rows {
                match &rc.new {
                    Some(new) => {
                        table.rows.replace(RowRef(new.clone()));
                    }
                    None => {
                        table.rows.remove(&rc.uuid);
                    }
                }
            }
            table.hmap.set_len(table.rows.len());
            if !table_meta.weak_columns.is_empty() {
                for rc in &rows {
                    let before = rc
                        .old
                        .as_ref()
                        .map(|r| weak_targets_of(table_meta, r))
                        .unwrap_or_default();
                    let after = rc
                        .new
                        .as_ref()
                        .map(|r| weak_targets_of(table_meta, r))
                        .unwrap_or_default();
                    for x in before.iter().filter(|x| after.binary_search(x).is_err()) {
                        weak_updates.push((x.0, x.1, t, rc.uuid, false));
                    }
                    for x in after.iter().filter(|x| before.binary_search(x).is_err()) {
                        weak_updates.push((x.0, x.1, t, rc.uuid, true));
                    }
                }
            }
            changed_tables.push(TableChanges { table: t, rows });
        }
        for (dt, du, st, su, add) in weak_updates {
            let Some(target) = self.tables.get_mut(dt) else {
                continue;
            };
            if add {
                target.weak_in.entry(du).or_default().push((st, su));
            } else if let Some(list) = target.weak_in.get_mut(&du) {
                if let Some(pos) = list.iter().position(|&x| x == (st, su)) {
                    list.swap_remove(pos);
                }
                if list.is_empty() {
                    target.weak_in.remove(&du);
                }
            }
        }
        let txn_id = uuids.generate();
        self.uuids = uuids;
        Changes {
            txn_id,
            comment,
            durable,
            meta,
            tables: changed_tables,
        }
    }
}
