//! Validation of OVSDB conditions (`ovsdb/condition.c`), as `ovsdb-client
//! monitor-cond` checks its CONDITION argument before sending it.

use super::data::Datum;
use super::error::OvsdbError;
use super::schema::TableSchema;
use super::types::AtomicType;
use crate::json::Json;

const FUNCTIONS: &[&str] = &[
    "false", "true", "==", "includes", "<=", "<", ">=", ">", "excludes", "!=",
];

/// Checks every clause of `json` (an array) against `table`, returning the
/// first error as OVS words it.
pub fn check(table: &TableSchema, json: &Json) -> Result<(), OvsdbError> {
    let Some(clauses) = json.as_array() else {
        return Err(OvsdbError::syntax(Some(json), "Parse error in condition."));
    };
    for clause in clauses {
        check_clause(table, clause)?;
    }
    Ok(())
}

fn check_clause(table: &TableSchema, json: &Json) -> Result<(), OvsdbError> {
    if matches!(json, Json::Bool(_)) {
        return Ok(());
    }
    let (column_name, function, arg) = match json.as_array() {
        Some([Json::String(c), Json::String(f), arg]) => (c, f, arg),
        _ => return Err(OvsdbError::syntax(Some(json), "Parse error in condition.")),
    };
    let Some(column) = table.column(column_name) else {
        let mut e = OvsdbError::syntax(
            Some(json),
            format!("No column {column_name} in table {}.", table.name),
        );
        e.tag = "unknown column".to_string();
        return Err(e);
    };
    if !FUNCTIONS.contains(&function.as_str()) {
        return Err(OvsdbError {
            tag: "unknown function".to_string(),
            details: Some(format!("No function named {function}.")),
            syntax: None,
            io_error: None,
        });
    }
    let mut t = column.type_.clone();
    match function.as_str() {
        "<" | "<=" | ">" | ">=" => {
            let shape_ok = t.is_scalar() || t.is_optional_scalar();
            let numeric = matches!(t.key.atomic, AtomicType::Integer | AtomicType::Real);
            if !shape_ok || !numeric {
                return Err(OvsdbError::syntax(
                    Some(json),
                    format!(
                        "Type mismatch: \"{function}\" operator may not be applied to column {} of type {}.",
                        column.name,
                        t.to_english()
                    ),
                ));
            }
            t.n_min = 1;
        }
        "excludes" if !t.is_scalar() => {
            t.n_min = 0;
            t.n_max = u32::MAX;
        }
        "includes" if !t.is_scalar() => t.n_min = 0,
        _ => {}
    }
    Datum::from_json(&t, arg).map(|_| ())
}
