//! LogFile behaviour, checked against the real `ovsdb-tool` where it is
//! installed.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use super::*;

const OVSDB_TOOL: &str = "/usr/bin/ovsdb-tool";
const SCHEMA: &str = "/usr/share/openvswitch/vswitch.ovsschema";

fn have_ovs() -> bool {
    let ok = Path::new(OVSDB_TOOL).exists() && Path::new(SCHEMA).exists();
    if !ok {
        eprintln!("skipping the comparison with OVS: {OVSDB_TOOL} or {SCHEMA} missing");
    }
    ok
}

fn ovsdb_tool(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(OVSDB_TOOL).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn read_all(log: &mut LogFile) -> Vec<Value> {
    let mut out = Vec::new();
    while let Some(r) = log.read_record().unwrap() {
        out.push(r);
    }
    out
}

fn schema() -> Value {
    if let Ok(text) = std::fs::read_to_string(SCHEMA) {
        serde_json::from_str(&text).unwrap()
    } else {
        json!({"name": "Test", "version": "1.0.0", "tables": {"T": {"columns": {"c": {"type": "integer"}}}}})
    }
}

fn insert_record(uuid: &str, date: u64) -> Value {
    json!({
        "Open_vSwitch": {uuid: {"next_cfg": 1}},
        "_date": date,
        "_is_diff": true,
        "_comment": "test",
    })
}

#[test]
fn write_then_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("conf.db");
    let records = vec![
        schema(),
        insert_record("e0b4ce33-8108-40a0-923e-d58d90986f10", 1),
    ];
    {
        let mut log = LogFile::open(&path, OpenMode::CreateExclusive).unwrap();
        assert_eq!(log.read_record().unwrap(), None);
        for r in &records {
            log.write_record(r).unwrap();
        }
        log.commit().unwrap();
        assert_eq!(log.offset(), std::fs::metadata(&path).unwrap().len());
        assert_eq!(log.n_written(), 2);
    }
    let expected: Vec<u8> = records
        .iter()
        .flat_map(|r| compose_record(r, OVSDB_MAGIC))
        .collect();
    assert_eq!(std::fs::read(&path).unwrap(), expected);

    let mut log = LogFile::open(&path, OpenMode::ReadWrite).unwrap();
    assert_eq!(read_all(&mut log), records);
    assert_eq!(log.n_read(), 2);
    assert_eq!(
        log.base(),
        log.offset(),
        "base is marked after the second record"
    );
    // Appending after reading everything.
    log.write_record(&json!({"_date": 2})).unwrap();
    drop(log);
    let mut log = LogFile::open(&path, OpenMode::ReadOnly).unwrap();
    assert_eq!(read_all(&mut log).len(), 3);

    assert_eq!(
        LogFile::open(&path, OpenMode::CreateExclusive)
            .unwrap_err()
            .to_string(),
        format!("I/O error: {}: create failed (File exists)", path.display())
    );
}

#[test]
fn ovsdb_tool_reads_our_files() {
    if !have_ovs() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("conf.db");
    let mut log = LogFile::open(&path, OpenMode::CreateExclusive).unwrap();
    log.write_record(&schema()).unwrap();
    log.write_record(&insert_record(
        "e0b4ce33-8108-40a0-923e-d58d90986f10",
        1_795_268_973_099,
    ))
    .unwrap();
    log.commit().unwrap();
    drop(log);

    let p = path.to_str().unwrap();
    let (ok, out, err) = ovsdb_tool(&["show-log", "-m", p]);
    assert!(ok, "{err}");
    assert!(
        out.starts_with("record 0: \"Open_vSwitch\" schema, version=\""),
        "{out}"
    );
    assert!(
        out.contains("record 1: 2026-11-21 13:49:33.099 \"test\""),
        "{out}"
    );
    assert!(
        out.contains("table Open_vSwitch insert row e0b4ce33"),
        "{out}"
    );
    // The data is meaningful to OVS, not just well framed.
    let (ok, out, err) = ovsdb_tool(&[
        "query",
        p,
        r#"["Open_vSwitch",{"op":"select","table":"Open_vSwitch","where":[],"columns":["next_cfg"]}]"#,
    ]);
    assert!(ok, "{err}");
    assert_eq!(out.trim(), r#"[{"rows":[{"next_cfg":1}]}]"#);
}

#[test]
fn we_read_ovsdb_tool_files_and_share_its_lock() {
    if !have_ovs() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("conf.db");
    let p = path.to_str().unwrap();
    let (ok, _, err) = ovsdb_tool(&["create", p, SCHEMA]);
    assert!(ok, "{err}");
    let (ok, _, err) = ovsdb_tool(&[
        "transact",
        p,
        r#"["Open_vSwitch",{"op":"insert","table":"Open_vSwitch","row":{"next_cfg":7}}]"#,
    ]);
    assert!(ok, "{err}");

    let mut log = LogFile::open(&path, OpenMode::ReadWrite).unwrap();
    let records = read_all(&mut log);
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["name"], "Open_vSwitch");
    // ovsdb-tool writes the schema in its normalized form.
    assert_eq!(records[0]["version"], schema()["version"]);
    assert!(records[1]["_date"].is_u64());

    // While we hold the lock, OVS refuses to write the file.
    let (ok, _, err) = ovsdb_tool(&["compact", p]);
    assert!(!ok);
    assert!(
        err.contains(&format!(
            "{p}: failed to lock lockfile (Resource temporarily unavailable)"
        )),
        "{err}"
    );
    drop(log);
    let (ok, _, err) = ovsdb_tool(&["compact", p]);
    assert!(ok, "{err}");
    // And we read what its compaction wrote.
    let mut log = LogFile::open(&path, OpenMode::ReadOnly).unwrap();
    assert_eq!(read_all(&mut log).len(), 2);
}

#[test]
fn torn_tail_is_reported_then_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("conf.db");
    let mut log = LogFile::open(&path, OpenMode::CreateExclusive).unwrap();
    log.write_record(&schema()).unwrap();
    log.write_record(&json!({"_date": 1})).unwrap();
    let good_end = log.offset();
    log.write_record(&json!({"_date": 2, "x": "y"})).unwrap();
    drop(log);
    // A crash in mid-write: the last record is cut short.
    let full = std::fs::metadata(&path).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(full - 5)
        .unwrap();

    let mut log = LogFile::open(&path, OpenMode::ReadWrite).unwrap();
    assert_eq!(log.read_record().unwrap().unwrap(), schema());
    assert_eq!(log.read_record().unwrap(), Some(json!({"_date": 1})));
    let err = log.read_record().unwrap_err();
    let torn = compose_record(&json!({"_date": 2, "x": "y"}), OVSDB_MAGIC);
    let header_len = torn.iter().position(|&c| c == b'\n').unwrap() + 1;
    let data_len = torn.len() - header_len;
    assert_eq!(
        err.to_string(),
        format!(
            "I/O error: {}: error reading {data_len} bytes starting at offset {} (End of file)",
            path.display(),
            good_end + header_len as u64
        )
    );
    assert!(err.is_corruption());
    // The error sticks until the caller recovers.
    assert_eq!(log.read_record().unwrap_err(), err);
    log.truncate_to_last_good().unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().len(), good_end);
    log.write_record(&json!({"_date": 3})).unwrap();
    drop(log);

    let mut log = LogFile::open(&path, OpenMode::ReadOnly).unwrap();
    assert_eq!(read_all(&mut log).len(), 3);
    if have_ovs() {
        let (ok, out, err) = ovsdb_tool(&["show-log", path.to_str().unwrap()]);
        assert!(ok, "{err}");
        assert!(out.contains("record 2:"), "{out}");
    }
}

#[test]
fn corrupted_record_errors_match_ovsdb_tool() {
    if !have_ovs() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.db");
    let p = path.to_str().unwrap();
    let (ok, _, err) = ovsdb_tool(&["create", p, SCHEMA]);
    assert!(ok, "{err}");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(&compose_record(&json!({"_date": 5}), OVSDB_MAGIC));
    // Flip one byte of the data: the SHA-1 no longer matches.
    let last = bytes.len() - 3;
    bytes[last] = b'6';
    bytes.extend_from_slice(b"garbage\n");
    std::fs::write(&path, &bytes).unwrap();

    let (ok, _, ovs_err) = ovsdb_tool(&["show-log", p]);
    assert!(!ok);
    let mut log = LogFile::open(Path::new(p), OpenMode::ReadOnly).unwrap();
    log.read_record().unwrap();
    let ours = log.read_record().unwrap_err();
    assert_eq!(ovs_err.trim_end(), format!("ovsdb-tool: {ours}"));
    assert!(ours.to_string().contains("have SHA-1 hash"));
}

#[test]
fn foreign_and_clustered_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    std::fs::write(&path, "xx\n").unwrap();
    assert_eq!(
        LogFile::open(&path, OpenMode::ReadOnly)
            .unwrap_err()
            .to_string(),
        format!("ovsdb error: {}: unexpected file format", path.display())
    );
    std::fs::write(&path, compose_record(&json!({}), CLUSTER_MAGIC)).unwrap();
    assert_eq!(
        LogFile::open(&path, OpenMode::ReadOnly)
            .unwrap_err()
            .to_string(),
        format!("ovsdb error: {}: cannot identify file type", path.display())
    );
    assert_eq!(
        LogFile::open(&dir.path().join("missing.db"), OpenMode::ReadWrite)
            .unwrap_err()
            .to_string(),
        format!(
            "I/O error: {}: open failed (No such file or directory)",
            dir.path().join("missing.db").display()
        )
    );
}

#[test]
fn open_with_tells_kinds_apart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    let both = [OVSDB_MAGIC, CLUSTER_MAGIC];
    std::fs::write(&path, "").unwrap();
    assert_eq!(
        LogFile::open_with(&path, OpenMode::ReadOnly, false, &both)
            .unwrap_err()
            .to_string(),
        format!("ovsdb error: {}: cannot identify file type", path.display())
    );
    let record = json!({"a": 1});
    std::fs::write(&path, compose_record(&record, CLUSTER_MAGIC)).unwrap();
    let mut log = LogFile::open_with(&path, OpenMode::ReadOnly, false, &both).unwrap();
    assert_eq!(log.magic(), CLUSTER_MAGIC);
    assert_eq!(log.read_record().unwrap(), Some(record.clone()));
    assert_eq!(log.read_record().unwrap(), None);

    // Creating needs exactly one magic.
    assert!(LogFile::open_with(&path, OpenMode::Create, false, &both).is_err());

    // Unlocked writers: the caller holds the lock itself.
    let _lock = Lockfile::acquire(&path).unwrap();
    let mut w = LogFile::open_with(&path, OpenMode::Create, false, &[CLUSTER_MAGIC]).unwrap();
    w.write_record_text(b"{\"b\":2}").unwrap();
    w.commit().unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        compose_record_text(b"{\"b\":2}", CLUSTER_MAGIC)
    );
    assert!(LogFile::open(&path, OpenMode::ReadWrite).is_err());
}

#[test]
fn one_writer_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    let writer = LogFile::open(&path, OpenMode::Create).unwrap();
    let err = LogFile::open(&path, OpenMode::ReadWrite).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "I/O error: {}: failed to lock lockfile (Resource deadlock avoided)",
            path.display()
        )
    );
    // Readers need no lock.
    LogFile::open(&path, OpenMode::ReadOnly).unwrap();
    drop(writer);
    LogFile::open(&path, OpenMode::ReadWrite).unwrap();
    assert!(dir.path().join(".x.db.~lock~").exists());
}

#[test]
fn compaction_replaces_atomically_through_symlinks() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("data");
    std::fs::create_dir(&real).unwrap();
    let target = real.join("conf.db");
    let link = dir.path().join("conf.db");
    std::os::unix::fs::symlink(&target, &link).unwrap();

    let mut log = LogFile::open(&link, OpenMode::CreateExclusive).unwrap();
    assert!(target.exists(), "created through the dangling symlink");
    log.write_record(&schema()).unwrap();
    for i in 0..50 {
        log.write_record(&json!({"_date": i})).unwrap();
    }
    let snapshot = json!({"_date": 99, "Open_vSwitch": {}});
    log.replace_with(&[schema(), snapshot.clone()]).unwrap();
    let size = std::fs::metadata(&target).unwrap().len();
    assert_eq!(log.offset(), size);
    assert_eq!(log.base(), size);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(!real.join("conf.db.tmp").exists());
    // Appending continues in the new file.
    log.write_record(&json!({"_date": 100})).unwrap();
    log.commit().unwrap();
    drop(log);

    let mut log = LogFile::open(&link, OpenMode::ReadOnly).unwrap();
    assert_eq!(
        read_all(&mut log),
        vec![schema(), snapshot, json!({"_date": 100})]
    );
    if have_ovs() {
        let (ok, out, err) = ovsdb_tool(&["show-log", link.to_str().unwrap()]);
        assert!(ok, "{err}");
        assert_eq!(out.matches("record ").count(), 3, "{out}");
    }
}

#[test]
fn read_only_logs_cannot_be_replaced_or_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    let mut w = LogFile::open(&path, OpenMode::CreateExclusive).unwrap();
    w.write_record(&json!({"a": 1})).unwrap();
    drop(w);
    let mut r = LogFile::open(&path, OpenMode::ReadOnly).unwrap();
    assert!(r.replace_with(&[json!({})]).is_err());
    read_all(&mut r);
    assert!(r.write_record(&json!({"b": 2})).is_err());
    assert_eq!(std::fs::metadata(&path).unwrap().len(), r.offset());
}

#[test]
fn unread_lets_the_next_write_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    let mut w = LogFile::open(&path, OpenMode::CreateExclusive).unwrap();
    w.write_record(&json!({"a": 1})).unwrap();
    w.write_record(&json!({"nonsense": true})).unwrap();
    drop(w);
    let mut log = LogFile::open(&path, OpenMode::ReadWrite).unwrap();
    log.read_record().unwrap();
    log.read_record().unwrap();
    log.unread();
    log.write_record(&json!({"b": 2})).unwrap();
    drop(log);
    let mut log = LogFile::open(&path, OpenMode::ReadOnly).unwrap();
    assert_eq!(read_all(&mut log), vec![json!({"a": 1}), json!({"b": 2})]);
}

#[test]
fn grew_lots_follows_ovs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    let mut log = LogFile::open(&path, OpenMode::CreateExclusive).unwrap();
    let big = json!({"pad": "x".repeat(1 << 20)});
    for _ in 0..6 {
        log.write_record(&big).unwrap();
    }
    log.mark_base();
    assert!(!log.grew_lots(), "{} bytes", log.offset());
    for _ in 0..7 {
        log.write_record(&big).unwrap();
    }
    assert!(
        log.grew_lots(),
        "{} bytes, base {}",
        log.offset(),
        log.base()
    );
    let schedule = SnapshotSchedule::new(0, 0);
    assert!(
        !schedule.should_snapshot(20 * 60 * 1000, &log),
        "fewer than 100 records"
    );
}
