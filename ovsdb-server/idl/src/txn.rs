//! Transactions: a list of operations built with [`Datum`] values, turned
//! into a `transact` request against the server's schema, and the reply
//! turned into a success or an error the way OVS's IDL classifies it.

use std::collections::HashMap;

use ovsdb::{DatabaseSchema, Datum, Type, parse_uuid, uuid_to_json};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::replica::Row;

/// The mutators of RFC 7047's `mutate` operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mutator {
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
    Insert,
    Delete,
}

impl Mutator {
    pub fn as_str(self) -> &'static str {
        match self {
            Mutator::Add => "+=",
            Mutator::Subtract => "-=",
            Mutator::Multiply => "*=",
            Mutator::Divide => "/=",
            Mutator::Modulo => "%=",
            Mutator::Insert => "insert",
            Mutator::Delete => "delete",
        }
    }
}

/// The `until` of a `wait` operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitUntil {
    Equal,
    NotEqual,
}

#[derive(Clone, Debug)]
enum TxnOp {
    Insert {
        table: String,
        placeholder: Uuid,
        columns: Vec<(String, Datum)>,
    },
    Update {
        table: String,
        uuid: Uuid,
        columns: Vec<(String, Datum)>,
    },
    Mutate {
        table: String,
        uuid: Uuid,
        mutations: Vec<(String, Mutator, Datum)>,
    },
    Delete {
        table: String,
        uuid: Uuid,
    },
    Wait {
        table: String,
        conditions: Value,
        columns: Vec<String>,
        until: WaitUntil,
        rows: Vec<Vec<(String, Datum)>>,
        timeout_ms: Option<u64>,
    },
    Comment(String),
    Raw(Value),
}

/// Operations to commit together. Building one needs no connection; the
/// table and column names and the value types are checked against the
/// server's schema when it is committed.
///
/// A row inserted here gets a placeholder UUID: use it in other operations
/// of the same transaction (references, or `update`/`mutate` of the new
/// row) and it is sent as a `named-uuid`; after commit,
/// [`TxnSuccess::inserted_uuid`] maps it to the row's real UUID.
#[derive(Clone, Debug, Default)]
pub struct Transaction {
    ops: Vec<TxnOp>,
}

impl Transaction {
    pub fn new() -> Transaction {
        Transaction::default()
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Number of operations, which is also the index the next one gets in
    /// [`TxnSuccess::results`].
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Inserts a row; columns not given get their defaults. Returns the
    /// row's placeholder UUID.
    pub fn insert<S: Into<String>>(
        &mut self,
        table: &str,
        columns: impl IntoIterator<Item = (S, Datum)>,
    ) -> Uuid {
        let placeholder = Uuid::new_v4();
        self.ops.push(TxnOp::Insert {
            table: table.to_string(),
            placeholder,
            columns: collect_columns(columns),
        });
        placeholder
    }

    /// Sets `columns` of the row `uuid` (e.g. `Interface` `ofport`, or
    /// `Open_vSwitch` `cur_cfg`). Returns the operation's index.
    pub fn update<S: Into<String>>(
        &mut self,
        table: &str,
        uuid: Uuid,
        columns: impl IntoIterator<Item = (S, Datum)>,
    ) -> usize {
        self.push(TxnOp::Update {
            table: table.to_string(),
            uuid,
            columns: collect_columns(columns),
        })
    }

    /// Mutates columns of the row `uuid`. The argument of an arithmetic
    /// mutator is one atom; of `insert`, a set or map like the column; of
    /// `delete` on a map, either a map or a set of keys.
    pub fn mutate<S: Into<String>>(
        &mut self,
        table: &str,
        uuid: Uuid,
        mutations: impl IntoIterator<Item = (S, Mutator, Datum)>,
    ) -> usize {
        self.push(TxnOp::Mutate {
            table: table.to_string(),
            uuid,
            mutations: mutations
                .into_iter()
                .map(|(c, m, d)| (c.into(), m, d))
                .collect(),
        })
    }

    pub fn delete(&mut self, table: &str, uuid: Uuid) -> usize {
        self.push(TxnOp::Delete {
            table: table.to_string(),
            uuid,
        })
    }

    /// Makes the commit fail with [`TxnError::TryAgain`] unless `columns`
    /// of `row` still hold the values `row` has (so take `row` from the
    /// snapshot the transaction's decisions were based on). Sent as a
    /// `wait` with timeout 0, as OVS's IDL does.
    pub fn verify(&mut self, row: &Row, columns: &[&str]) -> usize {
        // Only replicated columns can be verified; `row` has no value for
        // the others.
        let values = columns
            .iter()
            .filter_map(|c| row.get(c).map(|d| (c.to_string(), d.clone())))
            .collect::<Vec<_>>();
        self.push(TxnOp::Wait {
            table: row.table().to_string(),
            conditions: where_uuid(&row.uuid()),
            columns: values.iter().map(|(c, _)| c.clone()).collect(),
            until: WaitUntil::Equal,
            rows: vec![values],
            timeout_ms: Some(0),
        })
    }

    /// A general `wait`: `conditions` is RFC 7047 `<where>` JSON, `rows`
    /// the expected values of `columns`. `None` waits as long as the
    /// server allows.
    pub fn wait(
        &mut self,
        table: &str,
        conditions: Value,
        columns: &[&str],
        until: WaitUntil,
        rows: Vec<Vec<(String, Datum)>>,
        timeout_ms: Option<u64>,
    ) -> usize {
        self.push(TxnOp::Wait {
            table: table.to_string(),
            conditions,
            columns: columns.iter().map(|c| c.to_string()).collect(),
            until,
            rows,
            timeout_ms,
        })
    }

    /// A `comment` operation: the text goes to the server's log.
    pub fn comment(&mut self, text: &str) -> usize {
        self.push(TxnOp::Comment(text.to_string()))
    }

    /// Any operation as JSON, sent unchanged (except placeholders).
    pub fn raw(&mut self, op: Value) -> usize {
        self.push(TxnOp::Raw(op))
    }

    fn push(&mut self, op: TxnOp) -> usize {
        self.ops.push(op);
        self.ops.len() - 1
    }

    /// The `transact` params for `database` under `schema`.
    pub(crate) fn encode(
        &self,
        database: &str,
        schema: &DatabaseSchema,
    ) -> Result<EncodedTxn, TxnError> {
        let names: HashMap<Uuid, String> = self
            .ops
            .iter()
            .filter_map(|op| match op {
                TxnOp::Insert { placeholder, .. } => {
                    Some((*placeholder, format!("row{}", placeholder.simple())))
                }
                _ => None,
            })
            .collect();
        let mut params = vec![Value::String(database.to_string())];
        let mut inserts = Vec::new();
        for (index, op) in self.ops.iter().enumerate() {
            let mut json = encode_op(op, schema)?;
            if let TxnOp::Insert { placeholder, .. } = op {
                inserts.push((*placeholder, index));
            }
            replace_placeholders(&mut json, &names);
            if let (TxnOp::Insert { placeholder, .. }, Value::Object(o)) = (op, &mut json)
                && let Some(name) = names.get(placeholder)
            {
                o.insert("uuid-name".into(), Value::String(name.clone()));
            }
            params.push(json);
        }
        Ok(EncodedTxn {
            params: Value::Array(params),
            n_ops: self.ops.len(),
            inserts,
        })
    }
}

fn collect_columns<S: Into<String>>(
    columns: impl IntoIterator<Item = (S, Datum)>,
) -> Vec<(String, Datum)> {
    columns.into_iter().map(|(c, d)| (c.into(), d)).collect()
}

fn invalid(details: impl Into<String>) -> TxnError {
    TxnError::Invalid(details.into())
}

fn where_uuid(uuid: &Uuid) -> Value {
    json!([["_uuid", "==", uuid_to_json(uuid)]])
}

fn encode_op(op: &TxnOp, schema: &DatabaseSchema) -> Result<Value, TxnError> {
    let table_schema = |name: &str| {
        schema
            .table(name)
            .ok_or_else(|| invalid(format!("no table named {name}")))
    };
    Ok(match op {
        TxnOp::Insert { table, columns, .. } => {
            let t = table_schema(table)?;
            json!({"op": "insert", "table": table, "row": encode_row(t, columns)?})
        }
        TxnOp::Update {
            table,
            uuid,
            columns,
        } => {
            let t = table_schema(table)?;
            json!({
                "op": "update",
                "table": table,
                "where": where_uuid(uuid),
                "row": encode_row(t, columns)?,
            })
        }
        TxnOp::Mutate {
            table,
            uuid,
            mutations,
        } => {
            let t = table_schema(table)?;
            let mut list = Vec::with_capacity(mutations.len());
            for (column, mutator, arg) in mutations {
                let ty = column_type(t, column)?;
                list.push(json!([
                    column,
                    mutator.as_str(),
                    encode_mutation_arg(column, ty, *mutator, arg)?
                ]));
            }
            json!({
                "op": "mutate",
                "table": table,
                "where": where_uuid(uuid),
                "mutations": list,
            })
        }
        TxnOp::Delete { table, uuid } => {
            table_schema(table)?;
            json!({"op": "delete", "table": table, "where": where_uuid(uuid)})
        }
        TxnOp::Wait {
            table,
            conditions,
            columns,
            until,
            rows,
            timeout_ms,
        } => {
            let t = table_schema(table)?;
            for c in columns {
                column_type(t, c)?;
            }
            let rows = rows
                .iter()
                .map(|r| encode_row(t, r))
                .collect::<Result<Vec<_>, _>>()?;
            let mut o = Map::new();
            o.insert("op".into(), json!("wait"));
            if let Some(ms) = timeout_ms {
                o.insert("timeout".into(), json!(ms));
            }
            o.insert("table".into(), json!(table));
            o.insert("where".into(), conditions.clone());
            o.insert("columns".into(), json!(columns));
            let until = match until {
                WaitUntil::Equal => "==",
                WaitUntil::NotEqual => "!=",
            };
            o.insert("until".into(), json!(until));
            o.insert("rows".into(), Value::Array(rows));
            Value::Object(o)
        }
        TxnOp::Comment(text) => json!({"op": "comment", "comment": text}),
        TxnOp::Raw(v) => v.clone(),
    })
}

fn column_type<'a>(t: &'a ovsdb::TableSchema, column: &str) -> Result<&'a Type, TxnError> {
    t.column(column)
        .map(|c| &c.type_)
        .ok_or_else(|| invalid(format!("table {} has no column {column}", t.name)))
}

fn encode_row(t: &ovsdb::TableSchema, columns: &[(String, Datum)]) -> Result<Value, TxnError> {
    let mut row = Map::new();
    for (column, datum) in columns {
        let ty = column_type(t, column)?;
        check_shape(column, ty, datum)?;
        row.insert(column.clone(), datum.to_json(ty));
    }
    Ok(Value::Object(row))
}

/// The datum's atoms are of the column's atomic types, and it is a map
/// exactly when the column is (the server checks everything else).
fn check_shape(column: &str, ty: &Type, datum: &Datum) -> Result<(), TxnError> {
    if !datum.is_empty() && datum.is_map() != ty.is_map() {
        let what = if ty.is_map() { "a map" } else { "not a map" };
        return Err(invalid(format!("column {column} is {what}")));
    }
    let mut wrong = None;
    datum.for_each_atom(|atom, is_key| {
        let want = match (&ty.value, is_key) {
            (Some(v), false) => v.atomic,
            _ => ty.key.atomic,
        };
        if atom.atomic_type() != want {
            wrong = Some(want);
        }
    });
    match wrong {
        Some(want) => Err(invalid(format!(
            "column {column} holds {} values",
            want.as_str()
        ))),
        None => Ok(()),
    }
}

fn encode_mutation_arg(
    column: &str,
    ty: &Type,
    mutator: Mutator,
    arg: &Datum,
) -> Result<Value, TxnError> {
    match mutator {
        Mutator::Insert | Mutator::Delete => {
            // Deleting from a map takes either pairs or bare keys.
            let as_keys = ty.is_map() && mutator == Mutator::Delete && !arg.is_map();
            let shape = Type {
                key: ty.key.clone(),
                value: if as_keys { None } else { ty.value.clone() },
                min: 0,
                max: Type::UNLIMITED,
            };
            check_shape(column, &shape, arg)?;
            Ok(arg.to_json(&shape))
        }
        _ => {
            let atom = match arg.as_scalar() {
                Some(a) if !arg.is_map() => a,
                _ => {
                    return Err(invalid(format!(
                        "mutator {} on column {column} needs one atom",
                        mutator.as_str()
                    )));
                }
            };
            if atom.atomic_type() != ty.key.atomic {
                return Err(invalid(format!(
                    "column {column} holds {} values",
                    ty.key.atomic.as_str()
                )));
            }
            Ok(atom.to_json())
        }
    }
}

/// Rewrites `["uuid", P]` for every placeholder `P` into
/// `["named-uuid", name]`.
fn replace_placeholders(json: &mut Value, names: &HashMap<Uuid, String>) {
    if names.is_empty() {
        return;
    }
    match json {
        Value::Array(a) => {
            if let [Value::String(tag), Value::String(s)] = a.as_slice()
                && tag == "uuid"
                && let Some(name) = parse_uuid(s).and_then(|u| names.get(&u))
            {
                *json = json!(["named-uuid", name]);
                return;
            }
            for v in a {
                replace_placeholders(v, names);
            }
        }
        Value::Object(o) => {
            for v in o.values_mut() {
                replace_placeholders(v, names);
            }
        }
        _ => {}
    }
}

/// A transaction ready to send, with what is needed to read its reply.
#[derive(Clone, Debug)]
pub(crate) struct EncodedTxn {
    pub params: Value,
    n_ops: usize,
    /// Placeholder UUID and operation index of each insert.
    inserts: Vec<(Uuid, usize)>,
}

/// A committed transaction.
#[derive(Clone, Debug, PartialEq)]
pub struct TxnSuccess {
    results: Vec<Value>,
    inserted: HashMap<Uuid, Uuid>,
}

impl TxnSuccess {
    /// One result object per operation, as the server sent them.
    pub fn results(&self) -> &[Value] {
        &self.results
    }

    /// The real UUID of a row inserted with [`Transaction::insert`].
    pub fn inserted_uuid(&self, placeholder: &Uuid) -> Option<Uuid> {
        self.inserted.get(placeholder).copied()
    }
}

/// One failed operation in a `transact` reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpError {
    /// Index of the operation, or the number of operations for an error
    /// found at commit time (e.g. "referential integrity violation").
    pub index: usize,
    /// RFC 7047's error tag, e.g. "constraint violation".
    pub error: String,
    pub details: Option<String>,
}

impl std::fmt::Display for OpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.details {
            Some(d) => write!(f, "{}: {d}", self.error),
            None => f.write_str(&self.error),
        }
    }
}

/// Why a transaction did not commit.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TxnError {
    /// Nothing was decided for sure: the IDL was not connected and
    /// monitoring, the connection dropped before the reply (the
    /// transaction may or may not have committed), or a `verify` or `wait`
    /// found the data changed. Rebuild from a fresh snapshot and retry.
    #[error("try again: {0}")]
    TryAgain(String),
    /// The server refused an operation, or the commit.
    #[error("transaction failed: {}", join(.0))]
    Failed(Vec<OpError>),
    /// An operation needs a lock this session does not own ("not owner").
    #[error("not locked")]
    NotLocked,
    /// The server answered with a JSON-RPC error (e.g. unknown database).
    #[error("transact error: {0}")]
    Rpc(Value),
    /// The reply was not a `transact` result.
    #[error("bad transact reply: {0}")]
    BadReply(String),
    /// The transaction does not fit the server's schema.
    #[error("invalid transaction: {0}")]
    Invalid(String),
    /// The IDL has been shut down.
    #[error("IDL closed")]
    Closed,
}

fn join(errors: &[OpError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl EncodedTxn {
    /// Classifies a `transact` reply (`Ok(result)`) or JSON-RPC error
    /// (`Err(error)`) as OVS's IDL does: "timed out" (a `wait` or `verify`
    /// that failed) and `null` results are soft, "not owner" is a lock
    /// error, anything else fails the transaction.
    pub(crate) fn interpret(&self, reply: Result<&Value, &Value>) -> Result<TxnSuccess, TxnError> {
        let result = match reply {
            Ok(r) => r,
            Err(Value::String(s)) if s == "canceled" => {
                return Err(TxnError::TryAgain("transaction canceled by server".into()));
            }
            Err(e) => return Err(TxnError::Rpc(e.clone())),
        };
        let Value::Array(results) = result else {
            return Err(TxnError::BadReply("reply is not a JSON array".into()));
        };
        let mut hard = Vec::new();
        let (mut soft, mut lock) = (false, false);
        for (index, r) in results.iter().enumerate() {
            match r {
                Value::Null => soft = true,
                Value::Object(o) => match o.get("error") {
                    None => {}
                    Some(Value::String(e)) => match e.as_str() {
                        "timed out" | "unknown database" => soft = true,
                        "not owner" => lock = true,
                        // Only a consequence of an earlier error.
                        "aborted" => {}
                        _ => hard.push(OpError {
                            index,
                            error: e.clone(),
                            details: o.get("details").and_then(Value::as_str).map(str::to_string),
                        }),
                    },
                    Some(other) => hard.push(OpError {
                        index,
                        error: other.to_string(),
                        details: None,
                    }),
                },
                other => hard.push(OpError {
                    index,
                    error: format!("operation result is not an object: {other}"),
                    details: None,
                }),
            }
        }
        if !hard.is_empty() {
            return Err(TxnError::Failed(hard));
        }
        if lock {
            return Err(TxnError::NotLocked);
        }
        if soft {
            return Err(TxnError::TryAgain("the database changed".into()));
        }
        if results.len() < self.n_ops {
            return Err(TxnError::BadReply(format!(
                "{} results for {} operations",
                results.len(),
                self.n_ops
            )));
        }
        let mut inserted = HashMap::new();
        for (placeholder, index) in &self.inserts {
            let uuid = results[*index]
                .get("uuid")
                .and_then(Value::as_array)
                .and_then(|a| match a.as_slice() {
                    [Value::String(tag), Value::String(u)] if tag == "uuid" => parse_uuid(u),
                    _ => None,
                })
                .ok_or_else(|| {
                    TxnError::BadReply(format!("insert result {index} has no \"uuid\""))
                })?;
            inserted.insert(*placeholder, uuid);
        }
        Ok(TxnSuccess {
            results: results.clone(),
            inserted,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use ovsdb::{Atom, Str};

    use super::*;
    use crate::replica::{Replica, TableLayout, UpdateFormat};

    fn schema() -> DatabaseSchema {
        DatabaseSchema::from_json(&json!({
            "name": "S",
            "tables": {
                "Root": {"columns": {
                    "cur_cfg": {"type": "integer"},
                    "kids": {"type": {"key": {"type": "uuid", "refTable": "Kid"}, "min": 0, "max": "unlimited"}},
                    "ids": {"type": {"key": "string", "value": "string", "min": 0, "max": "unlimited"}}
                }, "isRoot": true},
                "Kid": {"columns": {"name": {"type": "string"}}}
            }
        }))
        .unwrap()
    }

    fn s(text: &str) -> Atom {
        Atom::String(Str::new(text))
    }

    #[test]
    fn update_is_encoded_with_column_types() {
        let u = Uuid::from_u128(1);
        let mut txn = Transaction::new();
        txn.update("Root", u, [("cur_cfg", Datum::scalar(Atom::Integer(7)))]);
        let e = txn.encode("S", &schema()).unwrap();
        assert_eq!(
            e.params,
            json!(["S", {
                "op": "update",
                "table": "Root",
                "where": [["_uuid", "==", ["uuid", "00000000-0000-0000-0000-000000000001"]]],
                "row": {"cur_cfg": 7}
            }])
        );
    }

    #[test]
    fn inserts_are_named_and_referenced() {
        let root = Uuid::from_u128(1);
        let mut txn = Transaction::new();
        let kid = txn.insert("Kid", [("name", Datum::scalar(s("k")))]);
        txn.mutate(
            "Root",
            root,
            [("kids", Mutator::Insert, Datum::scalar(Atom::Uuid(kid)))],
        );
        let e = txn.encode("S", &schema()).unwrap();
        let name = format!("row{}", kid.simple());
        assert_eq!(
            e.params,
            json!(["S",
                {"op": "insert", "table": "Kid", "row": {"name": "k"}, "uuid-name": name},
                {"op": "mutate", "table": "Root",
                 "where": [["_uuid", "==", ["uuid", "00000000-0000-0000-0000-000000000001"]]],
                 "mutations": [["kids", "insert", ["named-uuid", name]]]}
            ])
        );
        let real = "10000000-0000-0000-0000-000000000000";
        let ok = e
            .interpret(Ok(&json!([{"uuid": ["uuid", real]}, {"count": 1}])))
            .unwrap();
        assert_eq!(ok.inserted_uuid(&kid), parse_uuid(real));
        assert_eq!(ok.results().len(), 2);
    }

    #[test]
    fn map_mutations_and_comment() {
        let mut txn = Transaction::new();
        let u = Uuid::from_u128(2);
        let keys = Datum::from_set(vec![s("a"), s("b")]).unwrap();
        let pairs = Datum::from_map(vec![(s("c"), s("d"))]).unwrap();
        txn.mutate(
            "Root",
            u,
            [
                ("ids", Mutator::Delete, keys),
                ("ids", Mutator::Insert, pairs),
                ("cur_cfg", Mutator::Add, Datum::scalar(Atom::Integer(1))),
            ],
        );
        txn.comment("hello");
        let e = txn.encode("S", &schema()).unwrap();
        assert_eq!(
            e.params[1]["mutations"],
            json!([
                ["ids", "delete", ["set", ["a", "b"]]],
                ["ids", "insert", ["map", [["c", "d"]]]],
                ["cur_cfg", "+=", 1]
            ])
        );
        assert_eq!(e.params[2], json!({"op": "comment", "comment": "hello"}));
    }

    #[test]
    fn schema_mismatches_are_refused() {
        let u = Uuid::from_u128(1);
        type Case = Box<dyn Fn(&mut Transaction)>;
        let cases: Vec<Case> = vec![
            Box::new(move |t| {
                t.delete("Nope", u);
            }),
            Box::new(move |t| {
                t.update("Root", u, [("nope", Datum::empty())]);
            }),
            Box::new(move |t| {
                t.update("Root", u, [("cur_cfg", Datum::scalar(s("x")))]);
            }),
            Box::new(move |t| {
                let m = Datum::from_map(vec![(Atom::Integer(1), Atom::Integer(2))]).unwrap();
                t.update("Root", u, [("cur_cfg", m)]);
            }),
            Box::new(move |t| {
                t.mutate("Root", u, [("cur_cfg", Mutator::Add, Datum::empty())]);
            }),
        ];
        for case in cases {
            let mut txn = Transaction::new();
            case(&mut txn);
            assert!(matches!(
                txn.encode("S", &schema()),
                Err(TxnError::Invalid(_))
            ));
        }
    }

    #[test]
    fn verify_sends_the_values_read() {
        let schema = Arc::new(schema());
        let t = schema.table("Root").unwrap();
        let layouts = BTreeMap::from([(
            "Root".to_string(),
            Arc::new(TableLayout::new(t, t.columns.keys().map(String::as_str))),
        )]);
        let mut replica = Arc::new(Replica::empty(schema.clone(), &layouts, 0));
        let u = "00000000-0000-0000-0000-000000000009";
        replica
            .apply_update(
                &json!({"Root": {u: {"insert": {"cur_cfg": 3}}}}),
                UpdateFormat::V2,
            )
            .unwrap();
        let row = replica.row("Root", &parse_uuid(u).unwrap()).unwrap();
        let mut txn = Transaction::new();
        txn.verify(row, &["cur_cfg"]);
        let e = txn.encode("S", &schema).unwrap();
        assert_eq!(
            e.params[1],
            json!({"op": "wait", "timeout": 0, "table": "Root",
                   "where": [["_uuid", "==", ["uuid", u]]],
                   "columns": ["cur_cfg"], "until": "==", "rows": [{"cur_cfg": 3}]})
        );
    }

    #[test]
    fn replies_are_classified_like_ovs() {
        let mut txn = Transaction::new();
        txn.comment("a");
        txn.comment("b");
        let e = txn.encode("S", &schema()).unwrap();
        assert!(e.interpret(Ok(&json!([{}, {}]))).is_ok());
        assert!(matches!(
            e.interpret(Ok(&json!([{"error": "timed out"}, null]))),
            Err(TxnError::TryAgain(_))
        ));
        assert_eq!(
            e.interpret(Ok(
                &json!([{}, {}, {"error": "referential integrity violation", "details": "x"}])
            )),
            Err(TxnError::Failed(vec![OpError {
                index: 2,
                error: "referential integrity violation".into(),
                details: Some("x".into())
            }]))
        );
        assert_eq!(
            e.interpret(Ok(&json!([{"error": "not owner"}, {"error": "aborted"}]))),
            Err(TxnError::NotLocked)
        );
        assert!(matches!(
            e.interpret(Err(&json!("canceled"))),
            Err(TxnError::TryAgain(_))
        ));
        assert!(matches!(
            e.interpret(Err(&json!({"error": "unknown database"}))),
            Err(TxnError::Rpc(_))
        ));
        assert!(matches!(
            e.interpret(Ok(&json!({}))),
            Err(TxnError::BadReply(_))
        ));
        assert!(matches!(
            e.interpret(Ok(&json!([{}]))),
            Err(TxnError::BadReply(_))
        ));
        assert!(matches!(
            e.interpret(Ok(&json!([1, {}]))),
            Err(TxnError::Failed(_))
        ));
    }
}
