//! Database schemas (RFC 7047 section 3.2), parsed, validated and written
//! back exactly as OVS does.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde_json::{Map, Value};

use crate::datum::Datum;
use crate::error::{Error, OvsdbError, Result};
use crate::json::{as_integer, as_real, is_id, real_to_json};
use crate::parser::*;

/// The five atomic types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AtomicType {
    Integer,
    Real,
    Boolean,
    String,
    Uuid,
}

impl AtomicType {
    pub fn as_str(self) -> &'static str {
        match self {
            AtomicType::Integer => "integer",
            AtomicType::Real => "real",
            AtomicType::Boolean => "boolean",
            AtomicType::String => "string",
            AtomicType::Uuid => "uuid",
        }
    }

    pub fn from_name(s: &str) -> Option<AtomicType> {
        Some(match s {
            "integer" => AtomicType::Integer,
            "real" => AtomicType::Real,
            "boolean" => AtomicType::Boolean,
            "string" => AtomicType::String,
            "uuid" => AtomicType::Uuid,
            _ => return None,
        })
    }

    fn from_json(json: &Value) -> Result<AtomicType> {
        match json {
            Value::String(s) => AtomicType::from_name(s).ok_or_else(|| {
                Error::syntax(
                    Some(json),
                    "syntax error",
                    format!("\"{s}\" is not an atomic-type"),
                )
            }),
            _ => Err(Error::syntax(
                Some(json),
                "syntax error",
                "atomic-type expected",
            )),
        }
    }
}

/// Strength of a reference to another table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RefType {
    Strong,
    Weak,
}

/// An atomic type with its constraints.  Constraints that do not apply to
/// the atomic type keep their "unconstrained" defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct BaseType {
    pub atomic: AtomicType,
    /// The allowed values, as a set datum of `atomic` atoms.
    pub enum_values: Option<Datum>,
    pub min_integer: i64,
    pub max_integer: i64,
    pub min_real: f64,
    pub max_real: f64,
    /// Length bounds in Unicode characters; `u32::MAX` means unbounded.
    pub min_length: u32,
    pub max_length: u32,
    pub ref_table: Option<String>,
    pub ref_type: RefType,
}

impl BaseType {
    /// An unconstrained base type.
    pub fn new(atomic: AtomicType) -> BaseType {
        BaseType {
            atomic,
            enum_values: None,
            min_integer: i64::MIN,
            max_integer: i64::MAX,
            min_real: -f64::MAX,
            max_real: f64::MAX,
            min_length: 0,
            max_length: u32::MAX,
            ref_table: None,
            ref_type: RefType::Strong,
        }
    }

    pub fn has_constraints(&self) -> bool {
        if self.enum_values.is_some() {
            return true;
        }
        match self.atomic {
            AtomicType::Integer => self.min_integer != i64::MIN || self.max_integer != i64::MAX,
            AtomicType::Real => self.min_real != -f64::MAX || self.max_real != f64::MAX,
            AtomicType::Boolean => false,
            AtomicType::String => self.min_length != 0 || self.max_length != u32::MAX,
            AtomicType::Uuid => self.ref_table.is_some(),
        }
    }

    /// Same atomic type, no constraints.
    pub fn unconstrained(&self) -> BaseType {
        BaseType::new(self.atomic)
    }

    pub fn is_ref(&self) -> bool {
        self.atomic == AtomicType::Uuid && self.ref_table.is_some()
    }

    pub fn is_strong_ref(&self) -> bool {
        self.is_ref() && self.ref_type == RefType::Strong
    }

    pub fn is_weak_ref(&self) -> bool {
        self.is_ref() && self.ref_type == RefType::Weak
    }

    /// The set type in which `enum` values are written.
    pub(crate) fn enum_type(atomic: AtomicType) -> Type {
        Type {
            key: BaseType::new(atomic),
            value: None,
            min: 1,
            max: Type::UNLIMITED,
        }
    }

    pub(crate) fn from_json(json: &Value) -> Result<BaseType> {
        if json.is_string() {
            return Ok(BaseType::new(AtomicType::from_json(json)?));
        }
        let mut p = Parser::new(json, ParserName::Static("ovsdb type"));
        let type_json = p.member("type", OP_STRING);
        let Some(type_json) = type_json else {
            return Err(p.finish().unwrap_or_else(|| Error::new("syntax error", "")));
        };
        let atomic = AtomicType::from_json(type_json)?;
        let mut base = BaseType::new(atomic);
        let mut error: Option<Error> = None;

        if let Some(enum_json) = p.member("enum", OP_ANY | OP_OPTIONAL) {
            match Datum::parse(&BaseType::enum_type(atomic), enum_json, None) {
                Ok(d) => base.enum_values = Some(d),
                Err(e) => error = Some(e),
            }
        } else {
            match atomic {
                AtomicType::Integer => {
                    let min = p.member("minInteger", OP_INTEGER | OP_OPTIONAL);
                    let max = p.member("maxInteger", OP_INTEGER | OP_OPTIONAL);
                    base.min_integer = min.and_then(as_integer).unwrap_or(i64::MIN);
                    base.max_integer = max.and_then(as_integer).unwrap_or(i64::MAX);
                    if base.min_integer > base.max_integer {
                        error = Some(Error::syntax(
                            Some(json),
                            "syntax error",
                            "minInteger exceeds maxInteger",
                        ));
                    }
                }
                AtomicType::Real => {
                    let min = p.member("minReal", OP_NUMBER | OP_OPTIONAL);
                    let max = p.member("maxReal", OP_NUMBER | OP_OPTIONAL);
                    base.min_real = min.and_then(as_real).unwrap_or(-f64::MAX);
                    base.max_real = max.and_then(as_real).unwrap_or(f64::MAX);
                    if base.min_real > base.max_real {
                        error = Some(Error::syntax(
                            Some(json),
                            "syntax error",
                            "minReal exceeds maxReal",
                        ));
                    }
                }
                AtomicType::String => {
                    error = parse_optional_uint(&mut p, "minLength", &mut base.min_length)
                        .err()
                        .or_else(|| {
                            parse_optional_uint(&mut p, "maxLength", &mut base.max_length).err()
                        });
                    if error.is_none() && base.min_length > base.max_length {
                        error = Some(Error::syntax(
                            Some(json),
                            "syntax error",
                            "minLength exceeds maxLength",
                        ));
                    }
                }
                AtomicType::Uuid => {
                    if let Some(ref_table) = p.member("refTable", OP_ID | OP_OPTIONAL) {
                        base.ref_table = ref_table.as_str().map(str::to_string);
                        if let Some(ref_type) = p.member("refType", OP_ID | OP_OPTIONAL) {
                            match ref_type.as_str() {
                                Some("strong") => base.ref_type = RefType::Strong,
                                Some("weak") => base.ref_type = RefType::Weak,
                                other => {
                                    error = Some(Error::syntax(
                                        Some(json),
                                        "syntax error",
                                        format!(
                                            "refType must be \"strong\" or \"weak\" (not \"{}\")",
                                            other.unwrap_or("")
                                        ),
                                    ))
                                }
                            }
                        }
                    }
                }
                AtomicType::Boolean => {}
            }
        }
        match error {
            Some(e) => Err(e),
            None => match p.finish() {
                Some(e) => Err(e),
                None => Ok(base),
            },
        }
    }

    pub fn to_json(&self) -> Value {
        if !self.has_constraints() {
            return Value::String(self.atomic.as_str().into());
        }
        let mut obj = Map::new();
        obj.insert("type".into(), Value::String(self.atomic.as_str().into()));
        if let Some(e) = &self.enum_values {
            obj.insert("enum".into(), e.to_json(&BaseType::enum_type(self.atomic)));
        }
        match self.atomic {
            AtomicType::Integer => {
                if self.min_integer != i64::MIN {
                    obj.insert("minInteger".into(), self.min_integer.into());
                }
                if self.max_integer != i64::MAX {
                    obj.insert("maxInteger".into(), self.max_integer.into());
                }
            }
            AtomicType::Real => {
                if self.min_real != -f64::MAX {
                    obj.insert("minReal".into(), real_to_json(self.min_real));
                }
                if self.max_real != f64::MAX {
                    obj.insert("maxReal".into(), real_to_json(self.max_real));
                }
            }
            AtomicType::String => {
                if self.min_length != 0 {
                    obj.insert("minLength".into(), self.min_length.into());
                }
                if self.max_length != u32::MAX {
                    obj.insert("maxLength".into(), self.max_length.into());
                }
            }
            AtomicType::Uuid => {
                if let Some(t) = &self.ref_table {
                    obj.insert("refTable".into(), Value::String(t.clone()));
                    if self.ref_type == RefType::Weak {
                        obj.insert("refType".into(), Value::String("weak".into()));
                    }
                }
            }
            AtomicType::Boolean => {}
        }
        Value::Object(obj)
    }
}

fn parse_optional_uint(p: &mut Parser<'_>, member: &'static str, out: &mut u32) -> Result<()> {
    if let Some(json) = p.member(member, OP_INTEGER | OP_OPTIONAL) {
        match as_integer(json) {
            Some(i) if (0..=u32::MAX as i64).contains(&i) => *out = i as u32,
            _ => {
                return Err(Error::syntax(
                    Some(json),
                    "syntax error",
                    format!("{member} out of valid range 0 to {}", u32::MAX),
                ));
            }
        }
    }
    Ok(())
}

/// A column type: a key type, an optional value type (making it a map) and
/// the allowed number of elements.
#[derive(Clone, Debug, PartialEq)]
pub struct Type {
    pub key: BaseType,
    pub value: Option<BaseType>,
    pub min: u32,
    /// [`Type::UNLIMITED`] stands for "unlimited".
    pub max: u32,
}

impl Type {
    pub const UNLIMITED: u32 = u32::MAX;

    /// A scalar (exactly one value) of the given atomic type.
    pub fn scalar(atomic: AtomicType) -> Type {
        Type {
            key: BaseType::new(atomic),
            value: None,
            min: 1,
            max: 1,
        }
    }

    pub fn is_map(&self) -> bool {
        self.value.is_some()
    }

    pub fn is_scalar(&self) -> bool {
        self.value.is_none() && self.min == 1 && self.max == 1
    }

    pub fn is_optional_scalar(&self) -> bool {
        self.value.is_none() && self.min == 0 && self.max == 1
    }

    pub fn is_set(&self) -> bool {
        self.value.is_none() && (self.min != 1 || self.max != 1)
    }

    /// More than one element allowed: sets and maps proper.
    pub fn is_composite(&self) -> bool {
        self.max > 1
    }

    fn is_valid(&self) -> bool {
        let base_ok = |b: &BaseType| match b.atomic {
            AtomicType::Integer => b.min_integer <= b.max_integer,
            AtomicType::Real => b.min_real <= b.max_real,
            AtomicType::String => b.min_length <= b.max_length,
            _ => true,
        };
        base_ok(&self.key)
            && self.value.as_ref().is_none_or(base_ok)
            && self.min <= 1
            && self.max >= 1
    }

    /// OVS's English description, e.g. "map of (string, string) pairs".
    pub fn to_english(&self) -> String {
        let key = self.key.atomic.as_str();
        if self.is_scalar() {
            return key.to_string();
        }
        let mut s = String::from(if self.is_map() { "map" } else { "set" });
        if self.max == Type::UNLIMITED {
            if self.min > 0 {
                s.push_str(&format!(" of {} or more", self.min));
            } else {
                s.push_str(" of");
            }
        } else if self.min > 0 {
            s.push_str(&format!(" of {} to {}", self.min, self.max));
        } else {
            s.push_str(&format!(" of up to {}", self.max));
        }
        match &self.value {
            None => s.push_str(&format!(" {key}s")),
            Some(v) => s.push_str(&format!(" ({key}, {}) pairs", v.atomic.as_str())),
        }
        s
    }

    pub(crate) fn from_json(json: &Value) -> Result<Type> {
        match json {
            Value::String(_) => Ok(Type {
                key: BaseType::from_json(json)?,
                value: None,
                min: 1,
                max: 1,
            }),
            Value::Object(_) => {
                let mut p = Parser::new(json, ParserName::Static("ovsdb type"));
                let key = p.member("key", OP_STRING | OP_OBJECT);
                let value = p.member("value", OP_STRING | OP_OBJECT | OP_OPTIONAL);
                let min = p.member("min", OP_INTEGER | OP_OPTIONAL);
                let max = p.member("max", OP_INTEGER | OP_STRING | OP_OPTIONAL);
                if let Some(e) = p.finish() {
                    return Err(e);
                }
                let key = key.map(BaseType::from_json).transpose()?;
                let Some(key) = key else {
                    return Err(Error::syntax(
                        Some(json),
                        "syntax error",
                        "ovsdb type expected",
                    ));
                };
                let value = value.map(BaseType::from_json).transpose()?;
                let min = match min {
                    None => 1,
                    Some(m) => n_from_json(m)?,
                };
                let max = match max {
                    None => 1,
                    Some(Value::String(s)) if s == "unlimited" => Type::UNLIMITED,
                    Some(m) => n_from_json(m)?,
                };
                let t = Type {
                    key,
                    value,
                    min,
                    max,
                };
                if !t.is_valid() {
                    return Err(Error::syntax(
                        Some(json),
                        "syntax error",
                        "ovsdb type fails constraint checks",
                    ));
                }
                Ok(t)
            }
            _ => Err(Error::syntax(
                Some(json),
                "syntax error",
                "ovsdb type expected",
            )),
        }
    }

    pub fn to_json(&self) -> Value {
        if self.is_scalar() && !self.key.has_constraints() {
            return self.key.to_json();
        }
        let mut obj = Map::new();
        obj.insert("key".into(), self.key.to_json());
        if let Some(v) = &self.value {
            obj.insert("value".into(), v.to_json());
        }
        if self.min != 1 {
            obj.insert("min".into(), self.min.into());
        }
        if self.max == Type::UNLIMITED {
            obj.insert("max".into(), Value::String("unlimited".into()));
        } else if self.max != 1 {
            obj.insert("max".into(), self.max.into());
        }
        Value::Object(obj)
    }
}

fn n_from_json(json: &Value) -> Result<u32> {
    match as_integer(json) {
        Some(i) if (0..u32::MAX as i64).contains(&i) => Ok(i as u32),
        _ => Err(Error::syntax(
            Some(json),
            "syntax error",
            "bad min or max value",
        )),
    }
}

/// A column: its type and whether it may change after insertion and is
/// written to disk.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnSchema {
    pub name: String,
    pub type_: Type,
    pub mutable: bool,
    /// False for "ephemeral" columns, which are not written to the log.
    pub persistent: bool,
}

impl ColumnSchema {
    fn from_json(json: &Value, name: &str) -> Result<ColumnSchema> {
        let mut p = Parser::new(json, ParserName::Prefixed("schema for column ", name, ""));
        let mutable = p.member("mutable", OP_BOOLEAN | OP_OPTIONAL);
        let ephemeral = p.member("ephemeral", OP_BOOLEAN | OP_OPTIONAL);
        let type_json = p.member("type", OP_STRING | OP_OBJECT);
        if let Some(e) = p.finish() {
            return Err(e);
        }
        let Some(type_json) = type_json else {
            return Err(Error::new("syntax error", "missing column type"));
        };
        let type_ = Type::from_json(type_json)?;
        let mut mutable = mutable.and_then(Value::as_bool).unwrap_or(true);
        // A weak reference must be able to change when its target goes away.
        if type_.key.is_weak_ref() || type_.value.as_ref().is_some_and(BaseType::is_weak_ref) {
            mutable = true;
        }
        let persistent = !ephemeral.and_then(Value::as_bool).unwrap_or(false);
        Ok(ColumnSchema {
            name: name.to_string(),
            type_,
            mutable,
            persistent,
        })
    }

    pub fn to_json(&self) -> Value {
        let mut obj = Map::new();
        if !self.mutable {
            obj.insert("mutable".into(), Value::Bool(false));
        }
        if !self.persistent {
            obj.insert("ephemeral".into(), Value::Bool(true));
        }
        obj.insert("type".into(), self.type_.to_json());
        Value::Object(obj)
    }
}

static UUID_COLUMN: LazyLock<ColumnSchema> = LazyLock::new(|| ColumnSchema {
    name: "_uuid".into(),
    type_: Type::scalar(AtomicType::Uuid),
    mutable: false,
    persistent: true,
});

static VERSION_COLUMN: LazyLock<ColumnSchema> = LazyLock::new(|| ColumnSchema {
    name: "_version".into(),
    type_: Type::scalar(AtomicType::Uuid),
    mutable: false,
    persistent: false,
});

/// A table.  `columns` holds the schema's own columns; the automatic
/// `_uuid` and `_version` columns are found through [`TableSchema::column`].
#[derive(Clone, Debug, PartialEq)]
pub struct TableSchema {
    pub name: String,
    pub columns: BTreeMap<String, ColumnSchema>,
    pub mutable: bool,
    /// `None` when unlimited.
    pub max_rows: Option<u32>,
    pub is_root: bool,
    /// Each index is a list of column names whose values must be unique.
    pub indexes: Vec<Vec<String>>,
}

impl TableSchema {
    /// Looks up a column, including `_uuid` and `_version`.
    pub fn column(&self, name: &str) -> Option<&ColumnSchema> {
        match name {
            "_uuid" => Some(&UUID_COLUMN),
            "_version" => Some(&VERSION_COLUMN),
            _ => self.columns.get(name),
        }
    }

    fn from_json(json: &Value, name: &str) -> Result<TableSchema> {
        let mut p = Parser::new(
            json,
            ParserName::Prefixed("table schema for table ", name, ""),
        );
        let columns = p.member("columns", OP_OBJECT);
        let mutable = p.member("mutable", OP_BOOLEAN | OP_OPTIONAL);
        let max_rows = p.member("maxRows", OP_INTEGER | OP_OPTIONAL);
        let is_root = p.member("isRoot", OP_BOOLEAN | OP_OPTIONAL);
        let indexes = p.member("indexes", OP_ARRAY | OP_OPTIONAL);
        if let Some(e) = p.finish() {
            return Err(e);
        }
        let max_rows = match max_rows.and_then(as_integer) {
            Some(n) if n <= 0 => {
                return Err(Error::syntax(
                    Some(json),
                    "syntax error",
                    "maxRows must be at least 1",
                ));
            }
            Some(n) if n < u32::MAX as i64 => Some(n as u32),
            _ => None,
        };
        let columns_json = columns
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        if columns_json.is_empty() {
            return Err(Error::syntax(
                Some(json),
                "syntax error",
                "table must have at least one column",
            ));
        }
        let mut columns = BTreeMap::new();
        for (col_name, col_json) in &columns_json {
            if col_name.starts_with('_') {
                return Err(Error::syntax(
                    Some(json),
                    "syntax error",
                    "names beginning with \"_\" are reserved",
                ));
            }
            if !is_id(col_name) {
                return Err(Error::syntax(
                    Some(json),
                    "syntax error",
                    "name must be a valid id",
                ));
            }
            columns.insert(
                col_name.clone(),
                ColumnSchema::from_json(col_json, col_name)?,
            );
        }
        let mut table = TableSchema {
            name: name.to_string(),
            columns,
            mutable: mutable.and_then(Value::as_bool).unwrap_or(true),
            max_rows,
            is_root: is_root.and_then(Value::as_bool).unwrap_or(false),
            indexes: Vec::new(),
        };
        if let Some(Value::Array(list)) = indexes {
            for index_json in list {
                let index = parse_column_list(index_json, &table)?;
                if index.is_empty() {
                    return Err(Error::syntax(
                        Some(json),
                        "syntax error",
                        "index must have at least one column",
                    ));
                }
                for c in &index {
                    if table.column(c).is_some_and(|c| !c.persistent) {
                        return Err(Error::syntax(
                            Some(json),
                            "syntax error",
                            format!("ephemeral columns (such as {c}) may not be indexed"),
                        ));
                    }
                }
                table.indexes.push(index);
            }
        }
        Ok(table)
    }

    fn to_json(&self, default_is_root: bool) -> Value {
        let mut obj = Map::new();
        if !self.mutable {
            obj.insert("mutable".into(), Value::Bool(false));
        }
        if default_is_root != self.is_root {
            obj.insert("isRoot".into(), Value::Bool(self.is_root));
        }
        let columns: Map<String, Value> = self
            .columns
            .iter()
            .map(|(n, c)| (n.clone(), c.to_json()))
            .collect();
        obj.insert("columns".into(), Value::Object(columns));
        if let Some(m) = self.max_rows {
            obj.insert("maxRows".into(), m.into());
        }
        if !self.indexes.is_empty() {
            let idx = self
                .indexes
                .iter()
                .map(|i| Value::Array(i.iter().map(|c| Value::String(c.clone())).collect()))
                .collect();
            obj.insert("indexes".into(), Value::Array(idx));
        }
        Value::Object(obj)
    }
}

/// Parses `[<column>*]`: distinct names of columns in `table`.
pub(crate) fn parse_column_list(json: &Value, table: &TableSchema) -> Result<Vec<String>> {
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
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let Value::String(s) = item else {
            return Err(generic());
        };
        if table.column(s).is_none() {
            return Err(Error::syntax(
                Some(json),
                "syntax error",
                format!("{s} is not a valid column name"),
            ));
        }
        if out.contains(s) {
            return Err(generic());
        }
        out.push(s.clone());
    }
    Ok(out)
}

/// A database schema.
#[derive(Clone, Debug, PartialEq)]
pub struct DatabaseSchema {
    pub name: String,
    /// "x.y.z", or empty for very old schemas without a version.
    pub version: String,
    pub cksum: Option<String>,
    pub tables: BTreeMap<String, TableSchema>,
}

impl DatabaseSchema {
    /// Parses and validates a schema as `ovsdb-tool` and `ovsdb-server` do.
    pub fn from_json(json: &Value) -> std::result::Result<DatabaseSchema, OvsdbError> {
        Self::from_json_inner(json).map_err(OvsdbError::from)
    }

    fn from_json_inner(json: &Value) -> Result<DatabaseSchema> {
        let mut p = Parser::new(json, ParserName::Static("database schema"));
        let name = p.member("name", OP_ID);
        let version = p.member("version", OP_STRING | OP_OPTIONAL);
        let cksum = p.member("cksum", OP_STRING | OP_OPTIONAL);
        let tables = p.member("tables", OP_OBJECT);
        if let Some(e) = p.finish() {
            return Err(e);
        }
        let version = match version.and_then(Value::as_str) {
            Some(v) => {
                if !is_valid_version(v) {
                    return Err(Error::syntax(
                        Some(json),
                        "syntax error",
                        format!("schema version \"{v}\" not in format x.y.z"),
                    ));
                }
                v.to_string()
            }
            None => String::new(),
        };
        let mut schema = DatabaseSchema {
            name: name.and_then(Value::as_str).unwrap_or_default().to_string(),
            version,
            cksum: cksum
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            tables: BTreeMap::new(),
        };
        if let Some(Value::Object(tables)) = tables {
            for (table_name, table_json) in tables {
                if table_name.starts_with('_') {
                    return Err(Error::syntax(
                        Some(json),
                        "syntax error",
                        "names beginning with \"_\" are reserved",
                    ));
                }
                if !is_id(table_name) {
                    return Err(Error::syntax(
                        Some(json),
                        "syntax error",
                        "name must be a valid id",
                    ));
                }
                schema.tables.insert(
                    table_name.clone(),
                    TableSchema::from_json(table_json, table_name)?,
                );
            }
        }
        // Schemas older than "isRoot" have no root set: every table is a root.
        if !schema.tables.values().any(|t| t.is_root) {
            for t in schema.tables.values_mut() {
                t.is_root = true;
            }
        }
        // Check references; a strong reference to a non-root table must be
        // persistent, or replaying the log would garbage-collect its target.
        let roots: BTreeMap<String, bool> = schema
            .tables
            .iter()
            .map(|(n, t)| (n.clone(), t.is_root))
            .collect();
        for table in schema.tables.values_mut() {
            for column in table.columns.values_mut() {
                let ty = column.type_.clone();
                for (base, which) in [(Some(&ty.key), "key"), (ty.value.as_ref(), "value")] {
                    let Some(base) = base else { continue };
                    let Some(ref_table) = base
                        .ref_table
                        .as_ref()
                        .filter(|_| base.atomic == AtomicType::Uuid)
                    else {
                        continue;
                    };
                    match roots.get(ref_table) {
                        None => {
                            return Err(Error::syntax(
                                None,
                                "syntax error",
                                format!(
                                    "column {} {which} refers to undefined table {ref_table}",
                                    column.name
                                ),
                            ));
                        }
                        Some(is_root) => {
                            if base.ref_type == RefType::Strong && !is_root {
                                column.persistent = true;
                            }
                        }
                    }
                }
            }
        }
        Ok(schema)
    }

    /// The schema as `get_schema` returns it.
    pub fn to_json(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("name".into(), Value::String(self.name.clone()));
        if !self.version.is_empty() {
            obj.insert("version".into(), Value::String(self.version.clone()));
        }
        if let Some(c) = self.cksum.as_ref().filter(|c| !c.is_empty()) {
            obj.insert("cksum".into(), Value::String(c.clone()));
        }
        let default_is_root = self.tables.values().all(|t| t.is_root);
        let tables = self
            .tables
            .iter()
            .map(|(n, t)| (n.clone(), t.to_json(default_is_root)))
            .collect();
        obj.insert("tables".into(), Value::Object(tables));
        Value::Object(obj)
    }

    /// The schema's `version`, as `ovsdb-tool schema-version` prints it.
    pub fn schema_version(&self) -> &str {
        &self.version
    }

    /// The schema's `cksum`, as `ovsdb-tool schema-cksum` prints it.
    pub fn checksum(&self) -> &str {
        self.cksum.as_deref().unwrap_or("")
    }

    pub fn table(&self, name: &str) -> Option<&TableSchema> {
        self.tables.get(name)
    }
}

/// Parses "x.y.z" into its three parts.
pub fn parse_version(s: &str) -> Option<(u32, u32, u32)> {
    let parts: Vec<&str> = s.split('.').collect();
    let [x, y, z] = parts.as_slice() else {
        return None;
    };
    let num = |p: &str| -> Option<u32> {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        p.parse().ok()
    };
    Some((num(x)?, num(y)?, num(z)?))
}

fn is_valid_version(s: &str) -> bool {
    parse_version(s).is_some()
}

#[cfg(test)]
mod tests;
