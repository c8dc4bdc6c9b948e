//! A log file open for reading and appending.

use std::fs::{File, OpenOptions};
use std::io::{BufReader, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::LogError;
use crate::lockfile::{self, Lockfile, follow_symlinks};
use crate::record::{
    OVSDB_MAGIC, compose_record_text, parse_header, read_header_line, read_record, read_record_data,
};

/// How to open a log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Read only; takes no lock (any number of readers may look at a log
    /// while one process writes it).
    ReadOnly,
    /// Read, then append; the file must exist.
    ReadWrite,
    /// Create a new file; fails if it exists.
    CreateExclusive,
    /// Create the file if needed, else open it for reading and appending.
    Create,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading records; writing would first cut off any unread ones.
    Read,
    /// A record could not be read; writing cuts the file back to the end of
    /// the last good record.
    ReadError,
    /// Positioned at the end, appending.
    Write,
    /// A write failed (and was undone); the next write retries.
    WriteError,
    /// A replacement failed so badly that the file is unusable.
    Broken,
}

/// An OVSDB standalone log: a sequence of records, the first of which is a
/// database schema, the rest transactions (or, after compaction, one
/// snapshot of all the data).
#[derive(Debug)]
pub struct LogFile {
    /// Absolute, so it still works after a daemon `chdir("/")`s.
    name: PathBuf,
    /// As the user gave it, for messages.
    display_name: String,
    magic: String,
    reader: BufReader<File>,
    lock: Option<Lockfile>,
    state: State,
    error: Option<LogError>,
    /// End of the last record read or written.
    offset: u64,
    prev_offset: u64,
    /// Size at the last snapshot, for [`grew_lots`](Self::grew_lots).
    base: u64,
    n_read: u64,
    n_written: u64,
}

impl LogFile {
    /// Opens a standalone (`OVSDB JSON`) log, taking OVS's lock file
    /// `.<name>.~lock~` unless `mode` is [`OpenMode::ReadOnly`]. Reading
    /// starts at the first record.
    pub fn open(path: &Path, mode: OpenMode) -> Result<LogFile, LogError> {
        LogFile::open_with(path, mode, mode != OpenMode::ReadOnly, &[OVSDB_MAGIC])
    }

    /// The general form of [`open`](Self::open), as OVS's `ovsdb_log_open`:
    /// the file's first header may carry any of `magics` (e.g.
    /// [`OVSDB_MAGIC`] and [`CLUSTER_MAGIC`](crate::CLUSTER_MAGIC), for a
    /// tool that must tell the two kinds apart; see [`magic`](Self::magic)),
    /// and `locking` says whether to take the lock file whatever the mode
    /// (a caller that holds the lock through other means passes `false`).
    /// An empty file cannot be identified when more than one magic is
    /// accepted, and creating a file needs exactly one.
    pub fn open_with(
        path: &Path,
        mode: OpenMode,
        locking: bool,
        magics: &[&str],
    ) -> Result<LogFile, LogError> {
        let display_name = path.display().to_string();
        let creating = matches!(mode, OpenMode::Create | OpenMode::CreateExclusive);
        if magics.is_empty() || (creating && magics.len() != 1) {
            return Err(LogError::Format(format!(
                "{display_name}: invalid set of magics {magics:?} for {mode:?}"
            )));
        }
        let name = std::path::absolute(path)
            .map_err(|e| LogError::io("could not determine current working directory", &e))?;
        let lock = if locking {
            Some(lockfile::lock(&name).map_err(|e| {
                LogError::io(format!("{display_name}: failed to lock lockfile"), &e)
            })?)
        } else {
            None
        };

        let mut options = OpenOptions::new();
        options.read(true).mode(0o660);
        match mode {
            OpenMode::ReadOnly => {}
            OpenMode::ReadWrite => {
                options.write(true);
            }
            OpenMode::CreateExclusive => {
                // POSIX makes O_EXCL fail on a dangling symlink, but the
                // file it names is what should be created.
                let dangling = std::fs::metadata(&name).is_err()
                    && std::fs::symlink_metadata(&name).is_ok_and(|m| m.file_type().is_symlink());
                options.write(true).create(true);
                if !dangling {
                    options.create_new(true);
                }
            }
            OpenMode::Create => {
                options.write(true).create(true);
            }
        }
        let file = options.open(&name).map_err(|e| {
            let op = match mode {
                OpenMode::CreateExclusive => "create",
                OpenMode::Create => "create or open",
                _ => "open",
            };
            LogError::io(format!("{display_name}: {op} failed"), &e)
        })?;

        // Check the first header's magic, so that a clustered or foreign
        // file is refused up front.
        let mut reader = BufReader::new(file);
        let first = read_header_line(&mut reader)
            .map_err(|e| LogError::io(format!("{display_name}: read error"), &e))?;
        let magic = if first.is_empty() {
            // The kind of an empty file is only known if just one is
            // accepted.
            let [magic] = magics else {
                return Err(LogError::Format(format!(
                    "{display_name}: cannot identify file type"
                )));
            };
            // A new file: make its directory entry durable.
            sync_parent_dir(&name);
            magic.to_string()
        } else {
            match parse_header(&first) {
                None => {
                    return Err(LogError::Format(format!(
                        "{display_name}: unexpected file format"
                    )));
                }
                Some(h) if !magics.contains(&h.magic.as_str()) => {
                    return Err(LogError::Format(format!(
                        "{display_name}: cannot identify file type"
                    )));
                }
                Some(h) => h.magic,
            }
        };
        reader
            .seek(SeekFrom::Start(0))
            .map_err(|e| LogError::io(format!("{display_name}: seek failed"), &e))?;

        Ok(LogFile {
            name,
            display_name,
            magic,
            reader,
            lock,
            state: State::Read,
            error: None,
            offset: 0,
            prev_offset: 0,
            base: 0,
            n_read: 0,
            n_written: 0,
        })
    }

    /// The name as given to [`open`](Self::open).
    pub fn display_name(&self) -> &str {
        &self.display_name
    }

    /// The magic of this log's records (one of those it was opened with).
    pub fn magic(&self) -> &str {
        &self.magic
    }

    /// The absolute path.
    pub fn path(&self) -> &Path {
        &self.name
    }

    /// Reads the next record: `Ok(None)` at the end (or once writing has
    /// begun). A record whose header is malformed, that runs past the end of
    /// the file, whose SHA-1 does not match or that is not a JSON object is
    /// an error; it and everything after it are untrusted, and the same
    /// error is returned again by later calls. The usual recovery is
    /// [`truncate_to_last_good`](Self::truncate_to_last_good) (or just
    /// writing, which truncates likewise).
    ///
    /// After the second record is read, the file size so far becomes the
    /// base for [`grew_lots`](Self::grew_lots), as OVS's storage layer does.
    pub fn read_record(&mut self) -> Result<Option<Value>, LogError> {
        self.read_with(read_record)
    }

    /// Like [`read_record`](Self::read_record), but hands back the record's
    /// JSON text (its SHA-1 checked) for the caller to parse: replaying a
    /// large database is cheaper without an intermediate `Value`, and the
    /// text keeps the member order OVS's hash maps depend on.
    pub fn read_record_text(&mut self) -> Result<Option<Vec<u8>>, LogError> {
        self.read_with(read_record_data)
    }

    fn read_with<T>(
        &mut self,
        read: impl FnOnce(&mut BufReader<File>, u64, &str, &str) -> Result<Option<(T, u64)>, LogError>,
    ) -> Result<Option<T>, LogError> {
        match self.state {
            State::Read => {}
            State::Write => return Ok(None),
            State::ReadError | State::WriteError | State::Broken => {
                return Err(self
                    .error
                    .clone()
                    .unwrap_or_else(|| LogError::Format("log failed".into())));
            }
        }
        match read(
            &mut self.reader,
            self.offset,
            &self.display_name,
            &self.magic,
        ) {
            Ok(None) => Ok(None),
            Ok(Some((record, next))) => {
                self.prev_offset = self.offset;
                self.offset = next;
                self.n_read += 1;
                if self.n_read == 2 {
                    self.mark_base();
                }
                Ok(Some(record))
            }
            Err(e) => {
                self.state = State::ReadError;
                self.error = Some(e.clone());
                Err(e)
            }
        }
    }

    /// Forgets the record just read, so the next write overwrites it (for a
    /// record that parsed but made no sense to the caller).
    pub fn unread(&mut self) {
        if self.state == State::Read && self.offset != self.prev_offset {
            self.offset = self.prev_offset;
            self.n_read = self.n_read.saturating_sub(1);
        }
    }

    /// Cuts the file back to the end of the last good record and switches
    /// to appending. Logs a warning when that discards bytes.
    pub fn truncate_to_last_good(&mut self) -> Result<(), LogError> {
        if self.state == State::Broken {
            return Err(self
                .error
                .clone()
                .unwrap_or_else(|| LogError::Format("log failed".into())));
        }
        let size = self
            .reader
            .get_ref()
            .metadata()
            .map(|m| m.len())
            .unwrap_or(0);
        if size > self.offset {
            tracing::warn!(
                target: "ovsdb_log",
                "{}: truncating log from {size} to {} bytes, discarding what follows the last good record",
                self.display_name,
                self.offset
            );
        }
        self.truncate()
    }

    fn truncate(&mut self) -> Result<(), LogError> {
        self.state = State::Write;
        self.error = None;
        let offset = self.offset;
        if let Err(e) = self.reader.seek(SeekFrom::Start(offset)) {
            return self.fail_write(LogError::io(
                format!("{}: cannot seek to offset {offset}", self.display_name),
                &e,
            ));
        }
        if let Err(e) = self.reader.get_ref().set_len(offset) {
            return self.fail_write(LogError::io(
                format!("{}: cannot truncate to length {offset}", self.display_name),
                &e,
            ));
        }
        Ok(())
    }

    fn fail_write(&mut self, e: LogError) -> Result<(), LogError> {
        self.state = State::WriteError;
        self.error = Some(e.clone());
        Err(e)
    }

    /// Appends a record (a JSON object or array). If records remain unread,
    /// or a read failed, the file is first cut back to the end of the last
    /// record read, as in OVS. Durable only after [`commit`](Self::commit).
    pub fn write_record(&mut self, json: &Value) -> Result<(), LogError> {
        if !json.is_object() && !json.is_array() {
            return Err(LogError::Format(format!(
                "{}: a log record must be a JSON object or array",
                self.display_name
            )));
        }
        self.write_record_text(ovs_jsonrpc::text::to_string(json).as_bytes())
    }

    /// Appends a record whose data is `text`, which must be one JSON object
    /// (for callers that write large records straight to text).
    pub fn write_record_text(&mut self, text: &[u8]) -> Result<(), LogError> {
        match self.state {
            State::Write => {}
            State::Read | State::ReadError | State::WriteError => self.truncate()?,
            State::Broken => {
                return Err(self
                    .error
                    .clone()
                    .unwrap_or_else(|| LogError::Format("log failed".into())));
            }
        }
        self.append_record(compose_record_text(text, &self.magic))
    }

    fn append_record(&mut self, record: Vec<u8>) -> Result<(), LogError> {
        let file = self.reader.get_mut();
        if let Err(e) = file.write_all(&record) {
            tracing::warn!(target: "ovsdb_log", "{}: write failed ({})", self.name.display(), crate::error::strerror(&e));
            // Remove whatever part made it to the file.
            let _ = file.set_len(self.offset);
            let _ = file.seek(SeekFrom::Start(self.offset));
            return self.fail_write(LogError::io(
                format!("{}: write failed", self.display_name),
                &e,
            ));
        }
        self.offset += record.len() as u64;
        self.n_written += 1;
        Ok(())
    }

    /// Makes everything written so far durable (`fdatasync`).
    pub fn commit(&mut self) -> Result<(), LogError> {
        self.reader
            .get_ref()
            .sync_data()
            .map_err(|e| LogError::io(format!("{}: fsync failed", self.display_name), &e))
    }

    /// Atomically replaces the whole file with `records` (compaction: the
    /// schema, then one record with all the data). Writes `<name>.tmp`
    /// beside the real file (through symlinks), syncs it, renames it over
    /// the original and syncs the directory; on failure the original is
    /// untouched. Afterwards the log is positioned at the end for appending
    /// and its size becomes the new base for [`grew_lots`](Self::grew_lots).
    pub fn replace_with(&mut self, records: &[Value]) -> Result<(), LogError> {
        self.replace_with_each(records.len(), |new, i| new.write_record(&records[i]))
    }

    /// [`replace_with`](Self::replace_with) for records given as JSON text.
    pub fn replace_with_text(&mut self, records: &[&[u8]]) -> Result<(), LogError> {
        self.replace_with_each(records.len(), |new, i| new.write_record_text(records[i]))
    }

    fn replace_with_each(
        &mut self,
        n: usize,
        write: impl Fn(&mut LogFile, usize) -> Result<(), LogError>,
    ) -> Result<(), LogError> {
        if self.state == State::Broken {
            return Err(self
                .error
                .clone()
                .unwrap_or_else(|| LogError::Format("log failed".into())));
        }
        if self.lock.is_none() {
            return Err(LogError::Format(format!(
                "{}: cannot replace a log opened read-only",
                self.display_name
            )));
        }
        let target = follow_symlinks(&self.name);
        let mut tmp_name = target.clone().into_os_string();
        tmp_name.push(".tmp");
        let tmp_name = PathBuf::from(tmp_name);
        match std::fs::remove_file(&tmp_name) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(LogError::io(
                    format!("failed to remove {}", tmp_name.display()),
                    &e,
                ));
            }
            _ => {}
        }

        let mut new = LogFile::open_with(
            &tmp_name,
            OpenMode::CreateExclusive,
            false,
            &[self.magic.as_str()],
        )?;
        let abort = |e: LogError| {
            let _ = std::fs::remove_file(&tmp_name);
            e
        };
        for i in 0..n {
            write(&mut new, i).map_err(abort)?;
        }
        if new.state == State::Read {
            // No records: still switch it to writing at offset 0.
            new.truncate().map_err(abort)?;
        }
        new.mark_base();
        new.commit().map_err(abort)?;

        std::fs::rename(&tmp_name, &target).map_err(|e| {
            abort(LogError::io(
                format!(
                    "failed to rename \"{}\" to \"{}\"",
                    tmp_name.display(),
                    target.display()
                ),
                &e,
            ))
        })?;
        sync_parent_dir(&self.name);

        // The new file, already positioned at its end, takes over.
        self.reader = new.reader;
        self.state = State::Write;
        self.error = None;
        self.offset = new.offset;
        self.base = new.base;
        Ok(())
    }

    /// End of the last good record read, or of the last record written:
    /// while appending, the file's size.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The size right after the last snapshot (see
    /// [`grew_lots`](Self::grew_lots)).
    pub fn base(&self) -> u64 {
        self.base
    }

    /// Takes the current size as the snapshot size.
    pub fn mark_base(&mut self) {
        self.base = self.offset;
    }

    /// OVS's test for "big enough to be worth compacting": over 10 MB and
    /// more than twice the size right after the last snapshot.
    pub fn grew_lots(&self) -> bool {
        self.offset > 10 * 1024 * 1024 && self.offset / 2 > self.base
    }

    /// Records read since opening.
    pub fn n_read(&self) -> u64 {
        self.n_read
    }

    /// Records written since opening (not reset by compaction, as in OVS).
    pub fn n_written(&self) -> u64 {
        self.n_written
    }

    /// `n_read + n_written`: OVS's "log length" for the snapshot decision.
    pub fn n_records(&self) -> u64 {
        self.n_read + self.n_written
    }

    /// The error that stopped reading or writing, if any.
    pub fn error(&self) -> Option<&LogError> {
        self.error.as_ref()
    }
}

fn sync_parent_dir(path: &Path) {
    if let Some(dir) = path.parent()
        && let Ok(d) = File::open(dir)
    {
        let _ = d.sync_all();
    }
}
