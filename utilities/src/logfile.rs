//! The tools' side of OVSDB log files. Framing, SHA-1 checks and OVS's lock
//! file come from the `ovsdb-log` crate; this module only moves record text
//! through this crate's order-keeping JSON parser and printer (member order
//! decides OVS's output) and turns `ovsdb-log`'s errors into `OvsdbError`s,
//! which print as OVS prints them.

use std::path::Path;

use ovsdb_log::LogError;
pub use ovsdb_log::{
    CLUSTER_MAGIC as RAFT_MAGIC, Lockfile, LogFile, OVSDB_MAGIC, OpenMode, follow_symlinks,
};

use crate::json::{self, Flags, Json};
use crate::ovsdb::OvsdbError;

/// One standalone (`OVSDB JSON`) record for `json`, printed compactly in
/// OVS's member order.
pub fn compose_record(json: &Json) -> Vec<u8> {
    ovsdb_log::compose_record_text(json.to_ovs_string(Flags::NONE).as_bytes(), OVSDB_MAGIC)
}

/// `ovsdb-log`'s error as OVS's `ovsdb_error` of the same text.
pub fn error(e: LogError) -> OvsdbError {
    match e {
        LogError::Io {
            details, reason, ..
        } => OvsdbError {
            io_error: Some(reason),
            ..OvsdbError::new("I/O error", details)
        },
        LogError::UnexpectedEof { details } => OvsdbError {
            io_error: Some("End of file".to_string()),
            ..OvsdbError::new("I/O error", details)
        },
        LogError::Syntax(details) => OvsdbError::syntax(None, details),
        LogError::Format(details) => OvsdbError::new("ovsdb error", details),
        other => OvsdbError::new("ovsdb error", other.to_string()),
    }
}

/// `ovsdb_log_open(name, "JSON|CLUSTER", rw ? READ_WRITE : READ_ONLY, -1)`:
/// either kind of database, locked when opened for writing.
pub fn open_any(name: &str, rw: bool) -> Result<LogFile, OvsdbError> {
    let mode = if rw {
        OpenMode::ReadWrite
    } else {
        OpenMode::ReadOnly
    };
    LogFile::open_with(Path::new(name), mode, rw, &[OVSDB_MAGIC, RAFT_MAGIC]).map_err(error)
}

/// A new standalone log: `exclusive` fails if `name` exists, otherwise an
/// existing log is overwritten from its start by the first write. `lock`
/// is false for a caller that already holds the lock.
pub fn create(name: &str, exclusive: bool, lock: bool) -> Result<LogFile, OvsdbError> {
    let mode = if exclusive {
        OpenMode::CreateExclusive
    } else {
        OpenMode::Create
    };
    LogFile::open_with(Path::new(name), mode, lock, &[OVSDB_MAGIC]).map_err(error)
}

/// `ovsdb_log_read`: the next record, `None` at the end. A record that is
/// not a JSON object is an error, as in OVS, and is left unread.
pub fn read(log: &mut LogFile) -> Result<Option<Json>, OvsdbError> {
    let Some(text) = log.read_record_text().map_err(error)? else {
        return Ok(None);
    };
    let length = text.len();
    let start = log.offset() - length as u64;
    let what = match json::parse_bytes(&text) {
        Ok(json) if json.as_object().is_some() => return Ok(Some(json)),
        Ok(_) => "are not a JSON object".to_string(),
        Err(msg) => format!("are not valid JSON ({msg})"),
    };
    log.unread();
    Err(OvsdbError::syntax(
        None,
        format!(
            "{}: {length} bytes starting at offset {start} {what}",
            log.display_name()
        ),
    ))
}

/// `ovsdb_log_write`.
pub fn write(log: &mut LogFile, json: &Json) -> Result<(), OvsdbError> {
    log.write_record_text(json.to_ovs_string(Flags::NONE).as_bytes())
        .map_err(error)
}

/// `ovsdb_log_commit_block`.
pub fn commit(log: &mut LogFile) -> Result<(), OvsdbError> {
    log.commit().map_err(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file name in a fresh directory that lives as long as the guard.
    fn temp_db(base: &str) -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(base).to_string_lossy().into_owned();
        (dir, path)
    }

    #[test]
    fn record_round_trip() {
        let (_dir, path) = temp_db("x.db");
        let path = path.as_str();
        let a = json::parse(r#"{"name":"x","tables":{}}"#).unwrap();
        let b = json::parse(r#"{"T":{"00000000-0000-0000-0000-000000000001":{"c":1}}}"#).unwrap();
        {
            let mut w = create(path, true, true).unwrap();
            write(&mut w, &a).unwrap();
            write(&mut w, &b).unwrap();
            commit(&mut w).unwrap();
        }
        let mut r = open_any(path, false).unwrap();
        assert_eq!(r.magic(), OVSDB_MAGIC);
        assert_eq!(read(&mut r).unwrap(), Some(a));
        assert_eq!(read(&mut r).unwrap(), Some(b));
        assert_eq!(read(&mut r).unwrap(), None);
        // A second exclusive create fails like OVS.
        let e = create(path, true, false).err().unwrap();
        assert_eq!(
            e.to_string(),
            format!("I/O error: {path}: create failed (File exists)")
        );
    }

    #[test]
    fn non_objects_are_errors() {
        let (_dir, path) = temp_db("x.db");
        let path = path.as_str();
        let mut bytes = compose_record(&json::parse(r#"{"a":1}"#).unwrap());
        bytes.extend(ovsdb_log::compose_record_text(b"[1]", OVSDB_MAGIC));
        std::fs::write(path, &bytes).unwrap();
        let mut r = open_any(path, false).unwrap();
        assert!(read(&mut r).unwrap().is_some());
        assert_eq!(
            read(&mut r).unwrap_err().to_string(),
            format!("syntax error: {path}: 4 bytes starting at offset 116 are not a JSON object")
        );
    }

    proptest::proptest! {
        #[test]
        fn records_round_trip(entries in proptest::collection::vec(("[a-z_]{1,8}", -1000i64..1000, "[ -~]{0,12}"), 0..8)) {
            let (_dir, path) = temp_db("p.db");
            let path = path.as_str();
            let mut obj = crate::json::Object::new();
            for (k, n, s) in &entries {
                obj.put(k.clone(), Json::Array(vec![Json::Integer(*n), Json::String(s.clone())]));
            }
            let record = Json::Object(obj);
            std::fs::write(path, compose_record(&record)).unwrap();
            let mut r = open_any(path, false).unwrap();
            proptest::prop_assert_eq!(read(&mut r).unwrap(), Some(record));
            proptest::prop_assert_eq!(read(&mut r).unwrap(), None);
        }
    }
}
