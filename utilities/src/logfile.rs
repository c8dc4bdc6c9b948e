//! OVSDB log files (`ovsdb/log.c`): a sequence of records, each a header
//! line `OVSDB <magic> <length> <sha1>` followed by that many bytes of JSON.
//! Reading reports OVS's errors; writing takes OVS's lock file
//! (`.NAME.~lock~` next to the database).

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::OpenOptionsExt;

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, fcntl};

use sha1::{Digest, Sha1};

use crate::json::{self, Flags, Json};
use crate::ovsdb::OvsdbError;

/// The magic of a standalone database.
pub const OVSDB_MAGIC: &str = "JSON";
/// The magic of a clustered database.
pub const RAFT_MAGIC: &str = "CLUSTER";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `ovsdb_log_compose_record` with the standalone magic: header and data
/// lines, the JSON printed compactly in OVS's member order.
pub fn compose_record(json: &Json) -> Vec<u8> {
    compose_record_magic(json, OVSDB_MAGIC)
}

pub fn compose_record_magic(json: &Json, magic: &str) -> Vec<u8> {
    let mut data = json.to_ovs_string(Flags::NONE).into_bytes();
    data.push(b'\n');
    let sha1 = Sha1::digest(&data);
    let mut out = format!("OVSDB {magic} {} {}\n", data.len(), hex(&sha1)).into_bytes();
    out.extend_from_slice(&data);
    out
}

/// Parses a header line (without its newline check done by the caller):
/// returns (magic, length, sha1 hex).
fn parse_header(line: &[u8]) -> Option<(String, u64, String)> {
    let line = line.strip_prefix(b"OVSDB ")?;
    let space = line.iter().position(|&c| c == b' ')?;
    let magic = String::from_utf8_lossy(&line[..space]).into_owned();
    let rest = &line[space + 1..];
    // strtoul: optional whitespace and sign, then digits.
    let mut i = 0;
    while i < rest.len() && rest[i].is_ascii_whitespace() {
        i += 1;
    }
    if i < rest.len() && rest[i] == b'+' {
        i += 1;
    }
    let start = i;
    while i < rest.len() && rest[i].is_ascii_digit() {
        i += 1;
    }
    let length: u64 = std::str::from_utf8(&rest[start..i]).ok()?.parse().ok()?;
    if length == 0 || rest.get(i) != Some(&b' ') {
        return None;
    }
    let sha = rest.get(i + 1..i + 41)?;
    if !sha.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    if rest.get(i + 41) != Some(&b'\n') {
        return None;
    }
    Some((
        magic,
        length,
        String::from_utf8_lossy(sha).to_ascii_lowercase(),
    ))
}

/// `fgets(header, 128, stream)`: up to 127 bytes, stopping after a newline.
fn read_header_line<R: BufRead>(r: &mut R) -> io::Result<Vec<u8>> {
    let mut line = Vec::new();
    while line.len() < 127 {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        let room = 127 - line.len();
        let take = buf.len().min(room);
        match buf[..take].iter().position(|&c| c == b'\n') {
            Some(p) => {
                line.extend_from_slice(&buf[..=p]);
                r.consume(p + 1);
                break;
            }
            None => {
                line.extend_from_slice(&buf[..take]);
                r.consume(take);
            }
        }
    }
    Ok(line)
}

/// An open log being read record by record.
pub struct LogReader {
    reader: BufReader<File>,
    display_name: String,
    magic: String,
    offset: u64,
    prev_offset: u64,
    error: Option<OvsdbError>,
}

impl LogReader {
    /// `ovsdb_log_open(name, magics, READ_ONLY, -1)`: `magics` is a
    /// `|`-separated list of accepted magics.
    pub fn open(name: &str, magics: &str) -> Result<LogReader, OvsdbError> {
        let file = if name == "/dev/stdin" {
            File::open("/dev/stdin")
        } else {
            File::open(name)
        }
        .map_err(|e| OvsdbError::io(&e, format!("{name}: open failed")))?;
        let mut reader = BufReader::new(file);
        let line = read_header_line(&mut reader)
            .map_err(|e| OvsdbError::io(&e, format!("{name}: read error")))?;
        let magic = if line.is_empty() {
            if magics.contains('|') {
                return Err(OvsdbError::new(
                    "ovsdb error",
                    format!("{name}: cannot identify file type"),
                ));
            }
            magics.to_string()
        } else {
            match parse_header(&line) {
                None => {
                    return Err(OvsdbError::new(
                        "ovsdb error",
                        format!("{name}: unexpected file format"),
                    ));
                }
                Some((m, _, _)) => {
                    if m.contains('|') || !magics.split('|').any(|x| x == m) {
                        return Err(OvsdbError::new(
                            "ovsdb error",
                            format!("{name}: cannot identify file type"),
                        ));
                    }
                    m
                }
            }
        };
        reader
            .seek(SeekFrom::Start(0))
            .map_err(|e| OvsdbError::io(&e, format!("{name}: seek failed")))?;
        Ok(LogReader {
            reader,
            display_name: name.to_string(),
            magic,
            offset: 0,
            prev_offset: 0,
            error: None,
        })
    }

    pub fn magic(&self) -> &str {
        &self.magic
    }

    /// The offset just past the last record read successfully.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// `ovsdb_log_unread`.
    pub fn unread(&mut self) {
        self.offset = self.prev_offset;
    }

    /// `ovsdb_log_read`: the next record, `None` at end of file.
    pub fn read(&mut self) -> Result<Option<Json>, OvsdbError> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        match self.read_inner() {
            Ok(v) => Ok(v),
            Err(e) => {
                self.error = Some(e.clone());
                Err(e)
            }
        }
    }

    fn read_inner(&mut self) -> Result<Option<Json>, OvsdbError> {
        let name = self.display_name.clone();
        let line = read_header_line(&mut self.reader)
            .map_err(|e| OvsdbError::io(&e, format!("{name}: read failed")))?;
        if line.is_empty() {
            return Ok(None);
        }
        let data_offset = self.offset + line.len() as u64;
        let header = match parse_header(&line) {
            Some(h) if h.0 == self.magic => h,
            _ => {
                let shown = line.split(|&c| c == b'\n').next().unwrap_or(&[]);
                return Err(OvsdbError::syntax(
                    None,
                    format!(
                        "{name}: parse error at offset {} in header line \"{}\"",
                        self.offset,
                        String::from_utf8_lossy(shown)
                    ),
                ));
            }
        };
        let (_, length, expected) = header;
        let mut data = Vec::new();
        let got = (&mut self.reader)
            .take(length)
            .read_to_end(&mut data)
            .map_err(|e| {
                OvsdbError::io(
                    &e,
                    format!(
                        "{name}: error reading {length} bytes starting at offset {data_offset}"
                    ),
                )
            })?;
        if (got as u64) < length {
            let mut e = OvsdbError::new(
                "I/O error",
                format!("{name}: error reading {length} bytes starting at offset {data_offset}"),
            );
            e.io_error = Some("End of file".to_string());
            return Err(e);
        }
        let actual = hex(&Sha1::digest(&data));
        if actual != expected {
            return Err(OvsdbError::syntax(
                None,
                format!(
                    "{name}: {length} bytes starting at offset {data_offset} have SHA-1 hash {actual} but should have hash {expected}"
                ),
            ));
        }
        let json = match json::parse_bytes(&data) {
            Ok(j) => j,
            Err(msg) => {
                return Err(OvsdbError::syntax(
                    None,
                    format!(
                        "{name}: {length} bytes starting at offset {data_offset} are not valid JSON ({msg})"
                    ),
                ));
            }
        };
        if json.as_object().is_none() {
            return Err(OvsdbError::syntax(
                None,
                format!(
                    "{name}: {length} bytes starting at offset {data_offset} are not a JSON object"
                ),
            ));
        }
        self.prev_offset = self.offset;
        self.offset = data_offset + length;
        Ok(Some(json))
    }
}

/// OVS's lock file for `path`: `.NAME.~lock~` in the same directory, held
/// for as long as this value lives.
pub struct LockFile {
    _file: File,
    path: String,
}

impl LockFile {
    /// `lockfile_lock`: a POSIX write lock (the kind OVS takes, so real
    /// OVS processes and this one exclude each other); the error is OVS's
    /// message.
    pub fn lock(path: &str) -> Result<LockFile, (io::Error, String)> {
        let lock_name = lock_name(path);
        let msg = || format!("{path}: failed to lock lockfile");
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&lock_name)
            .map_err(|e| (e, msg()))?;
        let request = libc::flock {
            l_type: libc::F_WRLCK as libc::c_short,
            l_whence: libc::SEEK_SET as libc::c_short,
            l_start: 0,
            l_len: 0,
            l_pid: 0,
        };
        loop {
            match fcntl(file.as_fd(), FcntlArg::F_SETLK(&request)) {
                Ok(_) => {
                    return Ok(LockFile {
                        _file: file,
                        path: lock_name,
                    });
                }
                Err(Errno::EINTR) => continue,
                // OVS reports a lock held elsewhere as EAGAIN.
                Err(Errno::EACCES) | Err(Errno::EAGAIN) => {
                    return Err((io::Error::from_raw_os_error(libc::EAGAIN), msg()));
                }
                Err(e) => return Err((io::Error::from_raw_os_error(e as i32), msg())),
            }
        }
    }

    pub fn path(&self) -> &str {
        &self.path
    }
}

/// `lockfile_name`: the lock file next to `path` (symlinks followed).
pub fn lock_name(path: &str) -> String {
    let target = follow_symlinks(path);
    let (dir, base) = match target.rfind('/') {
        Some(i) => (&target[..=i], &target[i + 1..]),
        None => ("", target.as_str()),
    };
    format!("{dir}.{base}.~lock~")
}

/// `follow_symlinks`: resolves a chain of symlinks (relative targets are
/// taken relative to the link's directory).
pub fn follow_symlinks(path: &str) -> String {
    let mut current = path.to_string();
    for _ in 0..10 {
        match std::fs::read_link(&current) {
            Ok(target) => {
                let t = target.to_string_lossy().into_owned();
                current = if t.starts_with('/') {
                    t
                } else {
                    match current.rfind('/') {
                        Some(i) => format!("{}/{t}", &current[..i]),
                        None => t,
                    }
                };
            }
            Err(_) => break,
        }
    }
    current
}

/// A log opened for appending (`ovsdb_log_open` READ_WRITE or CREATE, with
/// the read position at its end).
pub struct LogWriter {
    file: File,
    name: String,
    _lock: Option<LockFile>,
}

impl LogWriter {
    /// Creates `name`, failing if it exists (`OVSDB_LOG_CREATE_EXCL`), or
    /// truncating it when `exclusive` is false (`OVSDB_LOG_CREATE` with the
    /// file then rewritten from the start).
    pub fn create(name: &str, exclusive: bool, lock: bool) -> Result<LogWriter, OvsdbError> {
        let lock = if lock {
            Some(LockFile::lock(name).map_err(|(e, msg)| OvsdbError::io(&e, msg))?)
        } else {
            None
        };
        let mut opts = OpenOptions::new();
        opts.read(true).write(true).mode(0o660);
        // O_EXCL would refuse a dangling symlink; OVS then creates its target.
        let dangling = std::fs::metadata(name).is_err() && std::fs::symlink_metadata(name).is_ok();
        if exclusive && !dangling {
            opts.create_new(true);
        } else {
            opts.create(true);
        }
        let file = opts.open(name).map_err(|e| {
            let op = if exclusive {
                "create"
            } else {
                "create or open"
            };
            OvsdbError::io(&e, format!("{name}: {op} failed"))
        })?;
        if !exclusive {
            file.set_len(0)
                .map_err(|e| OvsdbError::io(&e, format!("{name}: cannot truncate to length 0")))?;
        }
        Ok(LogWriter {
            file,
            name: name.to_string(),
            _lock: lock,
        })
    }

    /// Opens an existing log to append at `offset` (what reading found
    /// valid), truncating anything after it as OVS does on its first write.
    pub fn append_at(
        name: &str,
        offset: u64,
        lock: Option<LockFile>,
    ) -> Result<LogWriter, OvsdbError> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(name)
            .map_err(|e| OvsdbError::io(&e, format!("{name}: open failed")))?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| OvsdbError::io(&e, format!("{name}: cannot seek to offset {offset}")))?;
        file.set_len(offset).map_err(|e| {
            OvsdbError::io(&e, format!("{name}: cannot truncate to length {offset}"))
        })?;
        Ok(LogWriter {
            file,
            name: name.to_string(),
            _lock: lock,
        })
    }

    /// `ovsdb_log_write`.
    pub fn write(&mut self, json: &Json) -> Result<(), OvsdbError> {
        let record = compose_record(json);
        self.file
            .write_all(&record)
            .map_err(|e| OvsdbError::io(&e, format!("{}: write failed", self.name)))
    }

    /// `ovsdb_log_commit_block`.
    pub fn commit(&mut self) -> Result<(), OvsdbError> {
        self.file
            .sync_all()
            .map_err(|e| OvsdbError::io(&e, format!("{}: fsync failed", self.name)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        let path = path.to_str().unwrap();
        let a = json::parse(r#"{"name":"x","tables":{}}"#).unwrap();
        let b = json::parse(r#"{"T":{"00000000-0000-0000-0000-000000000001":{"c":1}}}"#).unwrap();
        {
            let mut w = LogWriter::create(path, true, true).unwrap();
            w.write(&a).unwrap();
            w.write(&b).unwrap();
            w.commit().unwrap();
        }
        let mut r = LogReader::open(path, "JSON|CLUSTER").unwrap();
        assert_eq!(r.magic(), "JSON");
        assert_eq!(r.read().unwrap(), Some(a));
        assert_eq!(r.read().unwrap(), Some(b));
        assert_eq!(r.read().unwrap(), None);
        // A second exclusive create fails like OVS.
        let e = LogWriter::create(path, true, false).err().unwrap();
        assert_eq!(
            e.to_string(),
            format!("I/O error: {path}: create failed (File exists)")
        );
    }

    proptest::proptest! {
        #[test]
        fn records_round_trip(entries in proptest::collection::vec(("[a-z_]{1,8}", -1000i64..1000, "[ -~]{0,12}"), 0..8)) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("p.db");
            let path = path.to_str().unwrap();
            let mut obj = crate::json::Object::new();
            for (k, n, s) in &entries {
                obj.put(k.clone(), Json::Array(vec![Json::Integer(*n), Json::String(s.clone())]));
            }
            let record = Json::Object(obj);
            std::fs::write(path, compose_record(&record)).unwrap();
            let mut r = LogReader::open(path, OVSDB_MAGIC).unwrap();
            proptest::prop_assert_eq!(r.read().unwrap(), Some(record));
            proptest::prop_assert_eq!(r.read().unwrap(), None);
        }
    }

    #[test]
    fn header_parsing() {
        let h = b"OVSDB JSON 12 0123456789abcdef0123456789abcdef01234567\n";
        let (m, n, _) = parse_header(h).unwrap();
        assert_eq!((m.as_str(), n), ("JSON", 12));
        assert!(parse_header(b"OVSDB JSON 0 0123456789abcdef0123456789abcdef01234567\n").is_none());
    }
}
