//! Database schemas (`ovsdb/ovsdb.c`, `table.c`, `column.c`): parsing with
//! OVS's checks and error texts, printing back as `ovsdb_schema_to_json`
//! does, and the hash-map order OVS keeps tables and columns in (which the
//! tools' listings expose).

use super::error::{MemberParser, OvsdbError, is_id, op};
use super::types::{AtomicType, Type};
use crate::json::{self, Json, Object};
use ovs_shash as shash;

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub mutable: bool,
    pub persistent: bool,
    pub type_: Type,
    /// Insertion index: 0 is `_uuid`, 1 is `_version`.
    pub index: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableSchema {
    pub name: String,
    pub mutable: bool,
    pub max_rows: u32,
    pub is_root: bool,
    /// In OVS's `shash` iteration order, `_uuid` and `_version` included.
    pub columns: Vec<Column>,
    pub indexes: Vec<Vec<String>>,
}

impl TableSchema {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Columns sorted by name (`shash_sort`).
    pub fn sorted_columns(&self) -> Vec<&Column> {
        let mut v: Vec<&Column> = self.columns.iter().collect();
        v.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
        v
    }

    /// The user-defined columns (no leading underscore) in hash order.
    pub fn data_columns(&self) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(|c| !c.name.starts_with('_'))
    }

    fn from_json(json: &Json, name: &str) -> Result<TableSchema, OvsdbError> {
        let mut p = MemberParser::new(json, format!("table schema for table {name}"));
        let columns = p.member("columns", op::OBJECT);
        let mutable = p.member("mutable", op::TRUE | op::FALSE | op::OPTIONAL);
        let max_rows = p.member("maxRows", op::INTEGER | op::OPTIONAL);
        let is_root = p.member("isRoot", op::BOOLEAN | op::OPTIONAL);
        let indexes = p.member("indexes", op::ARRAY | op::OPTIONAL);
        p.finish()?;
        let columns = columns
            .and_then(Json::as_object)
            .cloned()
            .unwrap_or_default();

        let max_rows = match max_rows {
            Some(Json::Integer(n)) => {
                if *n <= 0 {
                    return Err(OvsdbError::syntax(Some(json), "maxRows must be at least 1"));
                }
                (*n).min(i64::from(u32::MAX)) as u32
            }
            _ => u32::MAX,
        };
        if columns.is_empty() {
            return Err(OvsdbError::syntax(
                Some(json),
                "table must have at least one column",
            ));
        }

        let mut inserted = vec![
            Column {
                name: "_uuid".to_string(),
                mutable: false,
                persistent: true,
                type_: Type::scalar(AtomicType::Uuid),
                index: 0,
            },
            Column {
                name: "_version".to_string(),
                mutable: false,
                persistent: false,
                type_: Type::scalar(AtomicType::Uuid),
                index: 1,
            },
        ];
        for (cname, cjson) in columns.iter_hash_order() {
            if cname.starts_with('_') {
                return Err(OvsdbError::syntax(
                    Some(json),
                    "names beginning with \"_\" are reserved",
                ));
            } else if !is_id(cname) {
                return Err(OvsdbError::syntax(Some(json), "name must be a valid id"));
            }
            let mut column = Column::from_json(cjson, cname)?;
            column.index = inserted.len();
            inserted.push(column);
        }
        let columns = shash::in_shash_order(&inserted, |c| c.name.clone());

        let mut table = TableSchema {
            name: name.to_string(),
            mutable: mutable.is_none_or(|m| *m == Json::Bool(true)),
            max_rows,
            is_root: matches!(is_root, Some(Json::Bool(true))),
            columns,
            indexes: Vec::new(),
        };

        if let Some(Json::Array(list)) = indexes {
            for index in list {
                let names = table.column_set_from_json(index)?;
                if names.is_empty() {
                    return Err(OvsdbError::syntax(
                        Some(json),
                        "index must have at least one column",
                    ));
                }
                for n in &names {
                    if table.column(n).is_some_and(|c| !c.persistent) {
                        return Err(OvsdbError::syntax(
                            Some(json),
                            format!("ephemeral columns (such as {n}) may not be indexed"),
                        ));
                    }
                }
                table.indexes.push(names);
            }
        }
        Ok(table)
    }

    /// `ovsdb_column_set_from_json` for a non-null set.
    pub fn column_set_from_json(&self, json: &Json) -> Result<Vec<String>, OvsdbError> {
        let generic = || OvsdbError::syntax(Some(json), "array of distinct column names expected");
        let Some(list) = json.as_array() else {
            return Err(generic());
        };
        let mut names: Vec<String> = Vec::new();
        for item in list {
            let Some(s) = item.as_str() else {
                return Err(generic());
            };
            if self.column(s).is_none() {
                return Err(OvsdbError::syntax(
                    Some(json),
                    format!("{s} is not a valid column name"),
                ));
            }
            if names.iter().any(|n| n == s) {
                return Err(generic());
            }
            names.push(s.to_string());
        }
        Ok(names)
    }

    fn to_json(&self, default_is_root: bool) -> Json {
        let mut o = Object::new();
        if !self.mutable {
            o.put("mutable", Json::Bool(false));
        }
        if default_is_root != self.is_root {
            o.put("isRoot", Json::Bool(self.is_root));
        }
        let mut columns = Object::new();
        for c in self.data_columns() {
            columns.put(c.name.clone(), c.to_json());
        }
        o.put("columns", Json::Object(columns));
        if self.max_rows != u32::MAX {
            o.put("maxRows", Json::Integer(i64::from(self.max_rows)));
        }
        if !self.indexes.is_empty() {
            o.put(
                "indexes",
                Json::Array(
                    self.indexes
                        .iter()
                        .map(|set| Json::Array(set.iter().map(Json::string).collect()))
                        .collect(),
                ),
            );
        }
        Json::Object(o)
    }
}

impl Column {
    fn from_json(json: &Json, name: &str) -> Result<Column, OvsdbError> {
        let mut p = MemberParser::new(json, format!("schema for column {name}"));
        let mutable = p.member("mutable", op::TRUE | op::FALSE | op::OPTIONAL);
        let ephemeral = p.member("ephemeral", op::TRUE | op::FALSE | op::OPTIONAL);
        let type_json = p.member("type", op::STRING | op::OBJECT);
        p.finish()?;
        let type_json =
            type_json.ok_or_else(|| OvsdbError::syntax(Some(json), "ovsdb type expected"))?;
        let type_ = Type::from_json(type_json)?;
        let mut mutable = mutable.is_none_or(|m| *m == Json::Bool(true));
        // A weak reference must be able to change when its target goes away.
        if !mutable
            && (type_.key.is_weak_ref() || type_.value.as_ref().is_some_and(|v| v.is_weak_ref()))
        {
            mutable = true;
        }
        let persistent = !matches!(ephemeral, Some(Json::Bool(true)));
        Ok(Column {
            name: name.to_string(),
            mutable,
            persistent,
            type_,
            index: 0,
        })
    }

    fn to_json(&self) -> Json {
        let mut o = Object::new();
        if !self.mutable {
            o.put("mutable", Json::Bool(false));
        }
        if !self.persistent {
            o.put("ephemeral", Json::Bool(true));
        }
        o.put("type", self.type_.to_json());
        Json::Object(o)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DatabaseSchema {
    pub name: String,
    /// Empty when the schema has no version (old databases).
    pub version: String,
    /// Empty when absent.
    pub cksum: String,
    /// In OVS's `shash` iteration order.
    pub tables: Vec<TableSchema>,
}

impl DatabaseSchema {
    pub fn table(&self, name: &str) -> Option<&TableSchema> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// Tables sorted by name (`shash_sort`).
    pub fn sorted_tables(&self) -> Vec<&TableSchema> {
        let mut v: Vec<&TableSchema> = self.tables.iter().collect();
        v.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
        v
    }

    /// `ovsdb_schema_from_file`.
    pub fn from_file(path: &str) -> Result<DatabaseSchema, OvsdbError> {
        let json = json::parse_file(path).map_err(|msg| {
            OvsdbError::new(
                "failed to read schema",
                format!("\"{path}\" could not be read as JSON ({msg})"),
            )
        })?;
        DatabaseSchema::from_json(&json)
            .map_err(|e| e.wrap(format!("failed to parse \"{path}\" as ovsdb schema")))
    }

    /// `ovsdb_schema_from_json`.
    pub fn from_json(json: &Json) -> Result<DatabaseSchema, OvsdbError> {
        let mut p = MemberParser::new(json, "database schema");
        let name = p.member("name", op::ID);
        let version = p.member("version", op::STRING | op::OPTIONAL);
        let cksum = p.member("cksum", op::STRING | op::OPTIONAL);
        let tables = p.member("tables", op::OBJECT);
        p.finish()?;

        let version = match version.and_then(Json::as_str) {
            Some(v) => {
                if !is_valid_version(v) {
                    return Err(OvsdbError::syntax(
                        Some(json),
                        format!("schema version \"{v}\" not in format x.y.z"),
                    ));
                }
                v.to_string()
            }
            None => String::new(),
        };
        let name = name.and_then(Json::as_str).unwrap_or_default().to_string();
        let cksum = cksum.and_then(Json::as_str).unwrap_or_default().to_string();
        let tables_json = tables
            .and_then(Json::as_object)
            .cloned()
            .unwrap_or_default();

        let mut parsed = Vec::new();
        for (tname, tjson) in tables_json.iter_hash_order() {
            if tname.starts_with('_') {
                return Err(OvsdbError::syntax(
                    Some(json),
                    "names beginning with \"_\" are reserved",
                ));
            } else if !is_id(tname) {
                return Err(OvsdbError::syntax(Some(json), "name must be a valid id"));
            }
            parsed.push(TableSchema::from_json(tjson, tname)?);
        }
        let mut tables = shash::in_shash_order(&parsed, |t| t.name.clone());

        // Before "isRoot" existed every table was a root; keep that meaning
        // for schemas that mark none.
        if !tables.iter().any(|t| t.is_root) {
            for t in &mut tables {
                t.is_root = true;
            }
        }

        // Every refTable must exist; a strong reference to a non-root table
        // must be persistent (see ovsdb_schema_check_ref_table).
        let roots: Vec<(String, bool)> =
            tables.iter().map(|t| (t.name.clone(), t.is_root)).collect();
        for t in &mut tables {
            for c in &mut t.columns {
                for (base, which) in [
                    (Some(&c.type_.key), "key"),
                    (c.type_.value.as_ref(), "value"),
                ] {
                    let Some(base) = base else { continue };
                    if base.atomic != AtomicType::Uuid {
                        continue;
                    }
                    let Some(ref_table) = &base.ref_table else {
                        continue;
                    };
                    match roots.iter().find(|(n, _)| n == ref_table) {
                        None => {
                            return Err(OvsdbError::syntax(
                                None,
                                format!(
                                    "column {} {which} refers to undefined table {ref_table}",
                                    c.name
                                ),
                            ));
                        }
                        Some((_, is_root)) => {
                            if base.is_strong_ref() && !is_root {
                                c.persistent = true;
                            }
                        }
                    }
                }
            }
        }

        Ok(DatabaseSchema {
            name,
            version,
            cksum,
            tables,
        })
    }

    /// `ovsdb_schema_to_json`.
    pub fn to_json(&self) -> Json {
        let mut o = Object::new();
        o.put("name", Json::string(&self.name));
        if !self.version.is_empty() {
            o.put("version", Json::string(&self.version));
        }
        if !self.cksum.is_empty() {
            o.put("cksum", Json::string(&self.cksum));
        }
        let n_root = self.tables.iter().filter(|t| t.is_root).count();
        let default_is_root = n_root == self.tables.len();
        let mut tables = Object::new();
        for t in &self.tables {
            tables.put(t.name.clone(), t.to_json(default_is_root));
        }
        o.put("tables", Json::Object(tables));
        Json::Object(o)
    }

    /// `ovsdb_schema_equal`.
    pub fn equal(&self, other: &DatabaseSchema) -> bool {
        self.to_json() == other.to_json()
    }
}

/// `ovsdb_is_valid_version`: "x.y.z" with unsigned decimal parts.
pub fn is_valid_version(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 3 && parts.iter().all(|p| parse_scan_uint(p).is_some())
}

/// What `%u` in `ovs_scan` accepts: optional leading whitespace and sign,
/// then digits.
fn parse_scan_uint(s: &str) -> Option<u32> {
    let t = s.trim_start();
    let t = t.strip_prefix('+').unwrap_or(t);
    if t.is_empty() || !t.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    t.parse::<u64>().ok().map(|v| v as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = r#"{"name":"T","version":"1.2.3","tables":{
        "A":{"columns":{"x":{"type":"integer"},"r":{"type":{"key":{"type":"uuid","refTable":"B"},"min":0,"max":"unlimited"}}},"isRoot":true},
        "B":{"columns":{"y":{"type":"string","ephemeral":true},"z":{"type":"string"}},"indexes":[["z"]]}}}"#;

    #[test]
    fn parses_and_prints() {
        let s = DatabaseSchema::from_json(&json::parse(SCHEMA).unwrap()).unwrap();
        assert_eq!(s.name, "T");
        assert_eq!(s.tables.len(), 2);
        let b = s.table("B").unwrap();
        assert!(!b.is_root);
        // Strong reference to a non-root table forces persistence... of the
        // referencing column (A.r), not of B.y.
        assert!(!b.column("y").unwrap().persistent);
        let back = DatabaseSchema::from_json(&s.to_json()).unwrap();
        assert!(back.equal(&s));
    }

    #[test]
    fn reports_bad_ref() {
        let bad = r#"{"name":"T","tables":{"A":{"columns":{"r":{"type":{"key":{"type":"uuid","refTable":"Z"}}}}}}}"#;
        let e = DatabaseSchema::from_json(&json::parse(bad).unwrap()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "syntax error: column r key refers to undefined table Z"
        );
    }
}
