//! The built-in `_Server` database, which tells clients (the IDL, ovs-vsctl)
//! what databases are served, in what model, and with what schema.
//!
//! Its schema is part of the protocol rather than a configuration file, so
//! it is built here; the Debian package does not install it separately.

use std::sync::Arc;

use ovsdb::{Database, DatabaseSchema};
use serde_json::{Value, json};

pub const NAME: &str = "_Server";

/// The schema as OVS embeds it in its server. Only its content and the
/// order of the column names matter: OVS builds the schema by parsing its
/// text, so that order decides the order `get_schema` sends the columns in
/// (see [`crate::schema_text`]).
const SCHEMA_TEXT: &str = r#"{
  "name": "_Server", "version": "1.2.0", "cksum": "3009684573 744",
  "tables": {"Database": {"isRoot": true, "columns": {
    "name": {"type": "string"},
    "model": {"type": {"key": {"type": "string",
                               "enum": ["set", ["standalone", "clustered", "relay"]]}}},
    "connected": {"type": "boolean"},
    "leader": {"type": "boolean"},
    "schema": {"type": {"key": {"type": "string"}, "min": 0, "max": 1}},
    "cid": {"type": {"key": {"type": "uuid"}, "min": 0, "max": 1}},
    "sid": {"type": {"key": {"type": "uuid"}, "min": 0, "max": 1}},
    "index": {"type": {"key": {"type": "integer"}, "min": 0, "max": 1}}}}}}"#;

pub fn new_database() -> Database {
    // The schema above is a constant; failing to parse it is a bug here.
    let json: Value = serde_json::from_str(SCHEMA_TEXT)
        .unwrap_or_else(|e| panic!("built-in _Server schema is not JSON: {e}"));
    let schema = DatabaseSchema::from_json(&json)
        .unwrap_or_else(|e| panic!("built-in _Server schema rejected: {}", e.to_json()));
    Database::new(Arc::new(schema))
}

/// The `get_schema` result for the `_Server` database.
pub fn schema_text(schema: &DatabaseSchema) -> String {
    crate::schema_text::get_schema_text(schema, Some(SCHEMA_TEXT))
}

/// Operations that make the `Database` table describe exactly `dbs`
/// (name, schema JSON): one row per database, standalone, connected, leader,
/// the schema as compact JSON with sorted keys, as OVS writes it.
pub fn sync_ops(dbs: &[(String, Value)]) -> Vec<Value> {
    let mut ops = vec![json!({"op": "delete", "table": "Database", "where": []})];
    for (name, schema) in dbs {
        ops.push(json!({
            "op": "insert",
            "table": "Database",
            "row": {
                "name": name,
                "model": "standalone",
                "connected": true,
                "leader": true,
                "schema": schema.to_string(),
            }
        }));
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_schema_sends_what_ovs_sends() {
        // Observed from ovsdb-server 3.1.
        let sent = concat!(
            r#"{"cksum":"3009684573 744","name":"_Server","version":"1.2.0","tables":{"#,
            r#""Database":{"columns":{"name":{"type":"string"},"#,
            r#""model":{"type":{"key":{"type":"string","#,
            r#""enum":["set",["clustered","relay","standalone"]]}}},"#,
            r#""connected":{"type":"boolean"},"leader":{"type":"boolean"},"#,
            r#""schema":{"type":{"min":0,"key":"string"}},"sid":{"type":{"min":0,"key":"uuid"}},"#,
            r#""cid":{"type":{"min":0,"key":"uuid"}},"index":{"type":{"min":0,"key":"integer"}}}}}}"#,
        );
        assert_eq!(schema_text(new_database().schema()), sent);
    }
}
