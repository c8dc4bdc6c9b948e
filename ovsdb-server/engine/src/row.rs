//! Rows: one datum per column, `_uuid` first and `_version` second.
//!
//! Most columns of a typical OVSDB row are empty sets or maps, so a row
//! stores only its non-empty datums plus a bitmap of which columns those
//! are (for the first 64 columns; later columns are always stored).

use std::borrow::Borrow;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use ovs_shash::HmapSlot;
use uuid::Uuid;

use crate::atom::Atom;
use crate::datum::Datum;

/// Column index of `_uuid` in every table.
pub const UUID_COLUMN: usize = 0;
/// Column index of `_version` in every table.
pub const VERSION_COLUMN: usize = 1;

const SPARSE: usize = 64;

static NIL: Uuid = Uuid::nil();
static EMPTY: Datum = Datum::empty_const();

/// A row.  Committed rows are shared (`Arc<Row>`) between the database and
/// the [`crate::Changes`] handed out for them, and never change, except for
/// the count of strong references pointing at the row, which is database
/// bookkeeping and not part of the row's value.
#[derive(Debug)]
pub struct Row {
    /// Bit `c` set: column `c` (< 64) is non-empty and in `stored`.
    present: u64,
    n_columns: u32,
    n_refs: AtomicU32,
    /// Where the row sits in its table's hash map (see `crate::order`);
    /// bookkeeping, like `n_refs`, and kept by copies of the row.
    pub(crate) place: HmapSlot,
    /// The non-empty datums among the first 64 columns, in column order,
    /// then every later column.
    stored: Box<[Datum]>,
}

impl Clone for Row {
    fn clone(&self) -> Self {
        Row {
            present: self.present,
            n_columns: self.n_columns,
            n_refs: AtomicU32::new(self.n_refs()),
            place: self.place,
            stored: self.stored.clone(),
        }
    }
}

impl PartialEq for Row {
    /// Same values in every column (reference count and place aside).
    fn eq(&self, other: &Self) -> bool {
        self.present == other.present
            && self.n_columns == other.n_columns
            && self.stored == other.stored
    }
}

impl Row {
    /// A row from all of its columns' values.
    pub(crate) fn from_fields(fields: Vec<Datum>) -> Row {
        let n_columns = fields.len();
        let mut present = 0u64;
        let mut stored = Vec::with_capacity(fields.len());
        for (c, d) in fields.into_iter().enumerate() {
            if c >= SPARSE {
                stored.push(d);
            } else if !d.is_empty() {
                present |= 1 << c;
                stored.push(d);
            }
        }
        Row {
            present,
            n_columns: n_columns as u32,
            n_refs: AtomicU32::new(0),
            place: HmapSlot::default(),
            stored: stored.into_boxed_slice(),
        }
    }

    /// Where column `c` is (or would go) in `stored`, and whether it is there.
    fn slot(&self, c: usize) -> (usize, bool) {
        if c < SPARSE {
            let below = self.present & ((1u64 << c) - 1);
            (below.count_ones() as usize, self.present & (1 << c) != 0)
        } else {
            (self.present.count_ones() as usize + (c - SPARSE), true)
        }
    }

    /// The row's `_uuid`.
    pub fn uuid(&self) -> Uuid {
        *self.uuid_ref()
    }

    pub(crate) fn uuid_ref(&self) -> &Uuid {
        self.field(UUID_COLUMN)
            .as_scalar()
            .and_then(Atom::as_uuid)
            .unwrap_or(&NIL)
    }

    /// The row's `_version`.
    pub fn version(&self) -> Uuid {
        self.field(VERSION_COLUMN)
            .as_scalar()
            .and_then(Atom::as_uuid)
            .copied()
            .unwrap_or(NIL)
    }

    /// Number of columns, `_uuid` and `_version` included.
    pub fn n_columns(&self) -> usize {
        self.n_columns as usize
    }

    /// Column `c`'s value; columns are numbered as in the table's column
    /// order: `_uuid`, `_version`, then the schema's columns sorted by name.
    pub fn get(&self, c: usize) -> Option<&Datum> {
        if c < self.n_columns() {
            Some(self.field(c))
        } else {
            None
        }
    }

    /// Every column's value, in column order.
    pub fn values(&self) -> impl Iterator<Item = &Datum> {
        (0..self.n_columns()).map(|c| self.field(c))
    }

    pub(crate) fn field(&self, c: usize) -> &Datum {
        match self.slot(c) {
            (i, true) => self.stored.get(i).unwrap_or(&EMPTY),
            (_, false) => &EMPTY,
        }
    }

    pub(crate) fn set(&mut self, c: usize, datum: Datum) {
        if c >= self.n_columns() {
            return;
        }
        let (i, here) = self.slot(c);
        if c >= SPARSE {
            if let Some(slot) = self.stored.get_mut(i) {
                *slot = datum;
            }
            return;
        }
        match (here, datum.is_empty()) {
            (true, false) => {
                if let Some(slot) = self.stored.get_mut(i) {
                    *slot = datum;
                }
            }
            (false, true) => {}
            (true, true) => {
                let mut v = std::mem::take(&mut self.stored).into_vec();
                v.remove(i);
                self.stored = v.into_boxed_slice();
                self.present &= !(1 << c);
            }
            (false, false) => {
                let mut v = std::mem::take(&mut self.stored).into_vec();
                v.insert(i, datum);
                self.stored = v.into_boxed_slice();
                self.present |= 1 << c;
            }
        }
    }

    pub(crate) fn n_refs(&self) -> u32 {
        self.n_refs.load(Ordering::Relaxed)
    }

    pub(crate) fn set_n_refs(&self, n: u32) {
        self.n_refs.store(n, Ordering::Relaxed);
    }

    /// Rough inline size of the row and its datums, for memory reports.
    pub fn approximate_size(&self) -> usize {
        std::mem::size_of::<Row>() + self.stored.len() * std::mem::size_of::<Datum>()
    }
}

/// An `Arc<Row>` hashed and compared by its UUID, so a table can be a set
/// of rows looked up by UUID without storing the UUID twice.
#[derive(Clone, Debug)]
pub(crate) struct RowRef(pub Arc<Row>);

impl PartialEq for RowRef {
    fn eq(&self, other: &Self) -> bool {
        self.0.uuid_ref() == other.0.uuid_ref()
    }
}

impl Eq for RowRef {}

impl Hash for RowRef {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.uuid_ref().hash(state)
    }
}

impl Borrow<Uuid> for RowRef {
    fn borrow(&self) -> &Uuid {
        self.0.uuid_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_storage() {
        let mut fields: Vec<Datum> = (0..70).map(|_| Datum::empty()).collect();
        fields[3] = Datum::scalar(Atom::Integer(3));
        fields[66] = Datum::scalar(Atom::Integer(66));
        let mut r = Row::from_fields(fields);
        assert_eq!(r.n_columns(), 70);
        assert_eq!(r.field(3), &Datum::scalar(Atom::Integer(3)));
        assert_eq!(r.field(66), &Datum::scalar(Atom::Integer(66)));
        assert!(r.field(4).is_empty() && r.field(69).is_empty());
        r.set(10, Datum::scalar(Atom::Integer(10)));
        r.set(2, Datum::scalar(Atom::Integer(2)));
        r.set(3, Datum::empty());
        assert_eq!(r.field(10), &Datum::scalar(Atom::Integer(10)));
        assert_eq!(r.field(2), &Datum::scalar(Atom::Integer(2)));
        assert!(r.field(3).is_empty());
        assert_eq!(r.field(66), &Datum::scalar(Atom::Integer(66)));
        let mut again: Vec<Datum> = (0..70).map(|_| Datum::empty()).collect();
        again[2] = Datum::scalar(Atom::Integer(2));
        again[10] = Datum::scalar(Atom::Integer(10));
        again[66] = Datum::scalar(Atom::Integer(66));
        assert_eq!(Row::from_fields(again), r);
        assert_eq!(r.get(70), None);
        assert_eq!(r.values().count(), 70);
    }
}
