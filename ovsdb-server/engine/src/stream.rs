//! Replaying a log record straight from its JSON text.  A compacted log
//! starts with one record holding every row; materialising it as a
//! `serde_json::Value` first would cost several times the database's own
//! size, so rows are decoded one at a time instead.

use std::fmt;

use serde::Deserializer as _;
use serde::de::{DeserializeSeed, Error as _, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use uuid::Uuid;

use crate::atom::parse_uuid;
use crate::changes::Changes;
use crate::db::Database;
use crate::error::{Error, OvsdbError};
use crate::exec::{Exec, Member};
use crate::json::as_integer;

/// Rows that modify or delete existing rows, whose meaning depends on
/// `_is_diff`, which may come last in the record.
type Pending = Vec<(usize, Uuid, Value)>;

struct RecordVisitor<'a, 'd> {
    exec: &'a mut Exec<'d>,
    failure: &'a mut Option<Error>,
    pending: &'a mut Pending,
    is_diff: &'a mut bool,
    /// Per table, the members of its object in text order.
    members: &'a mut Vec<Vec<Member>>,
}

impl<'de> Visitor<'de> for RecordVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a transaction record object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            let Some(t) = self.exec.meta.table(&key) else {
                let value: Value = map.next_value()?;
                let known = match key.as_str() {
                    "_date" => as_integer(&value).is_some(),
                    "_is_diff" => {
                        if let Value::Bool(b) = value {
                            *self.is_diff = b;
                            true
                        } else {
                            false
                        }
                    }
                    "_comment" => true,
                    _ => false,
                };
                if !known {
                    *self.failure = Some(Error::new(
                        "unknown table",
                        format!("No table named {key}."),
                    ));
                    return Err(A::Error::custom("unknown table"));
                }
                continue;
            };
            map.next_value_seed(TableSeed {
                exec: &mut *self.exec,
                failure: &mut *self.failure,
                pending: &mut *self.pending,
                members: &mut self.members[t],
                table: t,
            })?;
        }
        Ok(())
    }
}

struct TableSeed<'a, 'd> {
    exec: &'a mut Exec<'d>,
    failure: &'a mut Option<Error>,
    pending: &'a mut Pending,
    members: &'a mut Vec<Member>,
    table: usize,
}

impl<'de> DeserializeSeed<'de> for TableSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TableSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of rows")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            let Some(u) = parse_uuid(&key) else {
                *self.failure = Some(Error::new(
                    "syntax error",
                    format!("\"{key}\" is not a valid UUID"),
                ));
                return Err(A::Error::custom("bad uuid"));
            };
            let row: Value = map.next_value()?;
            self.members
                .push((ovs_shash::hash_name(&key), u, row.is_null()));
            if row.is_null() || self.exec.post_exists(self.table, &u) {
                self.pending.push((self.table, u, row));
            } else if let Err(e) = self.exec.load_log_row(self.table, u, &row, false) {
                *self.failure = Some(e);
                return Err(A::Error::custom("bad row"));
            }
        }
        Ok(())
    }

    // Any other JSON value is "object expected"; consume it to report so.
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        *self.failure = Some(Error::new("syntax error", "object expected"));
        Err(A::Error::custom("object expected"))
    }

    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
        *self.failure = Some(Error::new("syntax error", "object expected"));
        Err(E::custom("object expected"))
    }
}

impl Database {
    /// [`Database::apply_log_record`] for a record given as JSON text: the
    /// rows are decoded one by one, so that a huge compacted record never
    /// exists in memory as a `serde_json::Value`.
    pub fn apply_log_record_text(&mut self, text: &[u8]) -> Result<(), OvsdbError> {
        self.apply_log_record_text_changes(text).map(|_| ())
    }

    /// [`Database::apply_log_record_text`], also returning what changed.
    pub fn apply_log_record_text_changes(&mut self, text: &[u8]) -> Result<Changes, OvsdbError> {
        let mut exec = Exec::new(
            &self.meta,
            &self.tables,
            self.uuids.clone(),
            0,
            &|_| false,
            false,
        );
        exec.defer_places = true;
        let mut failure = None;
        let mut pending = Vec::new();
        let mut is_diff = false;
        let mut members = vec![Vec::new(); self.tables.len()];
        let mut de = serde_json::Deserializer::from_slice(text);
        let parsed = de
            .deserialize_map(RecordVisitor {
                exec: &mut exec,
                failure: &mut failure,
                pending: &mut pending,
                is_diff: &mut is_diff,
                members: &mut members,
            })
            .and_then(|()| de.end());
        if let Some(e) = failure {
            return Err(e.into());
        }
        if let Err(e) = parsed {
            return Err(OvsdbError::syntax(format!(
                "log record is not valid JSON ({e})"
            )));
        }
        for (t, u, row) in pending {
            exec.load_log_row(t, u, &row, is_diff)
                .map_err(OvsdbError::from)?;
        }
        exec.place_replayed_rows(&members);
        let prepared = exec.precommit().map_err(OvsdbError::from)?;
        self.uuids = prepared.uuids.clone();
        Ok(self.apply(prepared))
    }
}
