//! The built-in `_Server` database, which tells clients (the IDL, ovs-vsctl)
//! what databases are served, in what model, and with what schema.
//!
//! Its schema is part of the protocol rather than a configuration file, so
//! it is built here; the Debian package does not install it separately.

use std::sync::Arc;

use ovsdb::{Database, DatabaseSchema};
use serde_json::{Value, json};

pub const NAME: &str = "_Server";

fn schema_json() -> Value {
    let optional = |t: &str| json!({"key": {"type": t}, "min": 0, "max": 1});
    json!({
        "name": NAME,
        "version": "1.2.0",
        "cksum": "3009684573 744",
        "tables": {
            "Database": {
                "isRoot": true,
                "columns": {
                    "name": {"type": "string"},
                    "model": {"type": {"key": {"type": "string",
                        "enum": ["set", ["standalone", "clustered", "relay"]]}}},
                    "connected": {"type": "boolean"},
                    "leader": {"type": "boolean"},
                    "schema": {"type": optional("string")},
                    "cid": {"type": optional("uuid")},
                    "sid": {"type": optional("uuid")},
                    "index": {"type": optional("integer")},
                }
            }
        }
    })
}

pub fn new_database() -> Database {
    // The schema above is a constant; failing to parse it is a bug here.
    let schema = DatabaseSchema::from_json(&schema_json())
        .unwrap_or_else(|e| panic!("built-in _Server schema rejected: {}", e.to_json()));
    Database::new(Arc::new(schema))
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
