//! The schema in the form the engine works with: tables and columns by
//! number.  Table `i` is the `i`th table of the schema in name order; column
//! 0 is `_uuid`, 1 is `_version`, then the schema's columns in name order.

use std::collections::HashMap;
use std::sync::Arc;

use crate::datum::Datum;
use crate::row::{Row, UUID_COLUMN, VERSION_COLUMN};
use crate::schema::{BaseType, ColumnSchema, DatabaseSchema, RefType, TableSchema, Type};

#[derive(Debug)]
pub(crate) struct ColumnMeta {
    pub name: Arc<str>,
    pub ty: Type,
    pub mutable: bool,
    pub persistent: bool,
    /// Table referenced by the key atoms, with the reference strength.
    pub key_ref: Option<(usize, RefType)>,
    /// Table referenced by the value atoms, with the reference strength.
    pub value_ref: Option<(usize, RefType)>,
}

impl ColumnMeta {
    pub fn has_strong_ref(&self) -> bool {
        matches!(self.key_ref, Some((_, RefType::Strong)))
            || matches!(self.value_ref, Some((_, RefType::Strong)))
    }

    pub fn has_weak_ref(&self) -> bool {
        matches!(self.key_ref, Some((_, RefType::Weak)))
            || matches!(self.value_ref, Some((_, RefType::Weak)))
    }
}

#[derive(Debug)]
pub(crate) struct TableMeta {
    pub name: Arc<str>,
    pub columns: Vec<ColumnMeta>,
    pub by_name: HashMap<String, usize>,
    pub is_root: bool,
    pub max_rows: Option<u32>,
    pub indexes: Vec<Vec<usize>>,
    /// Columns holding strong references.
    pub strong_columns: Vec<usize>,
    /// Columns holding weak references.
    pub weak_columns: Vec<usize>,
    /// Every column's default value.
    pub defaults: Vec<Datum>,
    /// A row of defaults, the starting point of a new row.
    pub default_row: Row,
}

impl TableMeta {
    pub fn column(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }
}

#[derive(Debug)]
pub(crate) struct SchemaMeta {
    pub schema: Arc<DatabaseSchema>,
    pub tables: Vec<TableMeta>,
    pub by_name: HashMap<String, usize>,
}

impl SchemaMeta {
    pub fn new(schema: Arc<DatabaseSchema>) -> SchemaMeta {
        let by_name: HashMap<String, usize> = schema
            .tables
            .keys()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect();
        let tables = schema
            .tables
            .values()
            .map(|t| table_meta(t, &by_name))
            .collect();
        SchemaMeta {
            schema,
            tables,
            by_name,
        }
    }

    pub fn table(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }
}

fn ref_of(base: &BaseType, tables: &HashMap<String, usize>) -> Option<(usize, RefType)> {
    if !base.is_ref() {
        return None;
    }
    let t = base.ref_table.as_ref().and_then(|n| tables.get(n))?;
    Some((*t, base.ref_type))
}

fn column_meta(c: &ColumnSchema, tables: &HashMap<String, usize>) -> ColumnMeta {
    ColumnMeta {
        name: Arc::from(c.name.as_str()),
        ty: c.type_.clone(),
        mutable: c.mutable,
        persistent: c.persistent,
        key_ref: ref_of(&c.type_.key, tables),
        value_ref: c.type_.value.as_ref().and_then(|v| ref_of(v, tables)),
    }
}

fn table_meta(t: &TableSchema, tables: &HashMap<String, usize>) -> TableMeta {
    let mut columns = Vec::with_capacity(t.columns.len() + 2);
    for special in ["_uuid", "_version"] {
        if let Some(c) = t.column(special) {
            columns.push(column_meta(c, tables));
        }
    }
    debug_assert_eq!(columns[UUID_COLUMN].name.as_ref(), "_uuid");
    debug_assert_eq!(columns[VERSION_COLUMN].name.as_ref(), "_version");
    for c in t.columns.values() {
        columns.push(column_meta(c, tables));
    }
    let by_name: HashMap<String, usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.to_string(), i))
        .collect();
    let indexes = t
        .indexes
        .iter()
        .map(|idx| idx.iter().filter_map(|n| by_name.get(n).copied()).collect())
        .collect();
    let strong_columns = (0..columns.len())
        .filter(|&i| columns[i].has_strong_ref())
        .collect();
    let weak_columns = (0..columns.len())
        .filter(|&i| columns[i].has_weak_ref())
        .collect();
    let defaults: Vec<Datum> = columns.iter().map(|c| Datum::default_for(&c.ty)).collect();
    let default_row = Row::from_fields(defaults.clone());
    TableMeta {
        name: Arc::from(t.name.as_str()),
        columns,
        by_name,
        is_root: t.is_root,
        max_rows: t.max_rows,
        indexes,
        strong_columns,
        weak_columns,
        defaults,
        default_row,
    }
}
