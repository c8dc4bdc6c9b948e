//! Rows: one datum per column, `_uuid` first and `_version` second.

use std::borrow::Borrow;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use uuid::Uuid;

use crate::atom::Atom;
use crate::datum::Datum;

/// Column index of `_uuid` in every table.
pub const UUID_COLUMN: usize = 0;
/// Column index of `_version` in every table.
pub const VERSION_COLUMN: usize = 1;

static NIL: Uuid = Uuid::nil();

/// A row.  Committed rows are shared (`Arc<Row>`) between the database and
/// the [`crate::Changes`] handed out for them, and never change, except for
/// the count of strong references pointing at the row, which is database
/// bookkeeping and not part of the row's value.
#[derive(Debug)]
pub struct Row {
    fields: Box<[Datum]>,
    n_refs: AtomicU32,
}

impl Clone for Row {
    fn clone(&self) -> Self {
        Row {
            fields: self.fields.clone(),
            n_refs: AtomicU32::new(self.n_refs()),
        }
    }
}

impl Row {
    pub(crate) fn new(fields: Box<[Datum]>) -> Row {
        Row {
            fields,
            n_refs: AtomicU32::new(0),
        }
    }

    /// The row's `_uuid`.
    pub fn uuid(&self) -> Uuid {
        *self.uuid_ref()
    }

    pub(crate) fn uuid_ref(&self) -> &Uuid {
        self.fields
            .get(UUID_COLUMN)
            .and_then(Datum::as_scalar)
            .and_then(Atom::as_uuid)
            .unwrap_or(&NIL)
    }

    /// The row's `_version`.
    pub fn version(&self) -> Uuid {
        self.fields
            .get(VERSION_COLUMN)
            .and_then(Datum::as_scalar)
            .and_then(Atom::as_uuid)
            .copied()
            .unwrap_or(NIL)
    }

    /// All columns, indexed as in the table's column order: `_uuid`,
    /// `_version`, then the schema's columns sorted by name.
    pub fn fields(&self) -> &[Datum] {
        &self.fields
    }

    pub fn get(&self, column: usize) -> Option<&Datum> {
        self.fields.get(column)
    }

    pub(crate) fn field(&self, column: usize) -> &Datum {
        static EMPTY: Datum = Datum::empty_const();
        self.fields.get(column).unwrap_or(&EMPTY)
    }

    pub(crate) fn set(&mut self, column: usize, datum: Datum) {
        if let Some(slot) = self.fields.get_mut(column) {
            *slot = datum;
        }
    }

    pub(crate) fn n_refs(&self) -> u32 {
        self.n_refs.load(Ordering::Relaxed)
    }

    pub(crate) fn set_n_refs(&self, n: u32) {
        self.n_refs.store(n, Ordering::Relaxed);
    }

    /// Rough heap and inline size, for memory reports.
    pub fn approximate_size(&self) -> usize {
        std::mem::size_of::<Row>() + self.fields.len() * std::mem::size_of::<Datum>()
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
