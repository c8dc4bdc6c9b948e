//! One database file: replay on open, append on commit, compaction.
//!
//! Automatic compaction follows OVS's rule for standalone databases, kept
//! in `ovsdb_log::SnapshotSchedule`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ovsdb::{Database, DatabaseSchema};
use ovsdb_log::{LogFile, OpenMode, SnapshotSchedule};
use serde_json::Value;
use tracing::{info, warn};

use crate::schema_text;

const LOG: &str = "ovsdb_server";

pub struct Storage {
    log: LogFile,
    path: PathBuf,
    schedule: SnapshotSchedule,
    /// Whether a `commit` with `"durable": true` is waiting for fsync.
    sync_pending: bool,
}

/// What opening a database file found.
pub struct Opened {
    pub storage: Storage,
    pub schema: Arc<DatabaseSchema>,
    pub schema_json: Value,
    /// The `get_schema` result (see [`crate::schema_text`]).
    pub schema_text: String,
    pub data: Database,
}

impl Storage {
    /// Opens `path`, reads its schema and replays every transaction. A torn
    /// or corrupt tail is reported and cut back to the last good record.
    pub fn open(path: &Path, now_ms: u64, jitter_ms: u64) -> Result<Opened, String> {
        let name = path.display();
        // Log errors name the file themselves.
        let mut log = LogFile::open(path, OpenMode::ReadWrite).map_err(|e| e.to_string())?;
        let schema_record = match log.read_record_text() {
            Ok(Some(text)) => text,
            Ok(None) => return Err(format!("{name}: unexpected end of file")),
            Err(e) => return Err(format!("{name}: {e}")),
        };
        let mut schema_json: Value = serde_json::from_slice(&schema_record)
            .map_err(|e| format!("{name}: schema record is not valid JSON ({e})"))?;
        ovs_jsonrpc::text::normalize_numbers(&mut schema_json);
        let schema = DatabaseSchema::from_json(&schema_json)
            .map_err(|e| format!("{name}: {}", e.to_json()))?;
        // The record's text keeps the member order that decides OVS's
        // hash-map orders: of get_schema's reply and of select results.
        let record_text = String::from_utf8_lossy(&schema_record);
        let schema_text = schema_text::get_schema_text(&schema, Some(&record_text));
        let column_orders = schema_text::column_orders(&record_text);
        let schema = Arc::new(schema);
        let mut data = Database::new(schema.clone());
        for (table, columns) in &column_orders {
            let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
            if let Err(e) = data.set_column_order(table, &columns) {
                warn!(target: LOG, "{name}: {e}");
            }
        }
        let mut n_records = 1;
        loop {
            match log.read_record_text() {
                Ok(Some(record)) => {
                    if let Err(e) = data.apply_log_record_text(&record) {
                        // OVS stops reading at a record it cannot apply and
                        // truncates there: later records depend on it.
                        warn!(target: LOG, "{name}: cannot apply transaction record {}: {}; \
                              discarding it and everything after it",
                              n_records, e.to_json());
                        log.unread();
                        log.truncate_to_last_good()
                            .map_err(|e| format!("{name}: {e}"))?;
                        break;
                    }
                    n_records += 1;
                }
                Ok(None) => break,
                Err(e) => {
                    warn!(target: LOG, "{name}: {e}; truncating to last good record");
                    log.truncate_to_last_good()
                        .map_err(|e| format!("{name}: {e}"))?;
                    break;
                }
            }
        }
        Ok(Opened {
            storage: Storage {
                log,
                path: path.to_path_buf(),
                schedule: SnapshotSchedule::new(now_ms, jitter_ms),
                sync_pending: false,
            },
            schema,
            schema_json,
            schema_text,
            data,
        })
    }

    /// Appends one transaction record. It reaches the kernel before this
    /// returns, so a crash of this process cannot lose it; `durable` ones
    /// are also fsynced by [`Storage::flush`] before the client hears back.
    pub fn append(&mut self, record: &Value, durable: bool) -> Result<(), String> {
        self.log
            .write_record(record)
            .map_err(|e| format!("{}: write failed: {e}", self.path.display()))?;
        self.sync_pending |= durable;
        Ok(())
    }

    /// Called once per batch of commits, before any reply leaves.
    pub fn flush(&mut self) -> Result<(), String> {
        if std::mem::take(&mut self.sync_pending) {
            self.log
                .commit()
                .map_err(|e| format!("{}: fsync failed: {e}", self.path.display()))?;
        }
        Ok(())
    }

    pub fn should_compact(&self, now_ms: u64) -> bool {
        self.schedule.should_snapshot(now_ms, &self.log)
    }

    /// Rewrites the file as the schema plus one record holding every row.
    pub fn compact(
        &mut self,
        schema_json: &Value,
        data: &Database,
        now_ms: u64,
        jitter_ms: u64,
        date_ms: u64,
    ) -> Result<(), String> {
        // Rows go out in OVS's table order, so that reading the file back
        // (here or in OVS) rebuilds the same hash-map order.
        let schema_text = ovs_jsonrpc::text::to_string(schema_json);
        let mut snapshot = Vec::new();
        data.write_snapshot_record(
            &mut snapshot,
            Some("compacting database online"),
            Some(date_ms),
        );
        let result = self
            .log
            .replace_with_text(&[schema_text.as_bytes(), &snapshot])
            .map_err(|e| format!("{}: compaction failed: {e}", self.path.display()));
        self.schedule
            .snapshot_taken(now_ms, jitter_ms, result.is_err());
        result?;
        info!(target: LOG, "{}: compacted database", self.path.display());
        self.sync_pending = false;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn schema_record_text_orders_get_schema() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("db");
        let tables: serde_json::Map<String, Value> = ["T", "U", "V", "W", "X", "Y", "Z"]
            .iter()
            .map(|t| (t.to_string(), json!({"columns": {"c": {"type": "string"}}})))
            .collect();
        let schema = json!({"name": "d", "tables": tables});
        let mut bytes = ovsdb_log::compose_record(&schema, ovsdb_log::OVSDB_MAGIC);
        let txn = json!({"T": {"6f1b1e5a-3b8f-4a3e-9a53-2a4a1c1f0d11": {"c": "x"}}});
        bytes.extend(ovsdb_log::compose_record(&txn, ovsdb_log::OVSDB_MAGIC));
        std::fs::write(&path, &bytes).expect("write db");

        let text = format!("{}\n", ovs_jsonrpc::text::to_string(&schema));

        let opened = Storage::open(&path, 0, 0).expect("db opens");
        assert_eq!(
            opened.schema_text,
            schema_text::get_schema_text(&opened.schema, Some(&text))
        );
        // The record's order made a difference.
        assert_ne!(
            opened.schema_text,
            schema_text::get_schema_text(&opened.schema, None)
        );
    }
}
