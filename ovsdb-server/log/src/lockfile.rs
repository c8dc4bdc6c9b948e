//! OVS's lock files: `.<name>.~lock~` beside the locked file, held with a
//! POSIX write lock for as long as the file is open for writing, so that a
//! real `ovsdb-tool` or `ovsdb-server` refuses to write our database and we
//! refuse theirs.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsFd;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, fcntl};

use crate::error::{LogError, strerror};

/// (device, inode) of every lock file this process holds. POSIX locks are
/// per process: a second lock attempt from this process would succeed
/// silently, and closing any descriptor of the file would drop the lock.
static HELD: Mutex<Vec<(u64, u64)>> = Mutex::new(Vec::new());

fn held() -> MutexGuard<'static, Vec<(u64, u64)>> {
    HELD.lock().unwrap_or_else(|e| e.into_inner())
}

/// A held lock file; the lock is released when this is dropped.
#[derive(Debug)]
pub struct Lockfile {
    _file: File,
    key: (u64, u64),
}

impl Lockfile {
    /// Takes OVS's lock for `file` (`.<name>.~lock~` beside it), for a
    /// caller that guards a file it does not open as a [`LogFile`]
    /// (e.g. the temporary target of a compaction). Fails at once if
    /// another process, or this one, holds it; the error reads as OVS's
    /// `<file>: failed to lock lockfile (<strerror>)`.
    ///
    /// [`LogFile`]: crate::LogFile
    pub fn acquire(file: &Path) -> Result<Lockfile, LogError> {
        lock(file)
            .map_err(|e| LogError::io(format!("{}: failed to lock lockfile", file.display()), &e))
    }
}

impl Drop for Lockfile {
    fn drop(&mut self) {
        let mut held = held();
        if let Some(i) = held.iter().position(|&k| k == self.key) {
            held.swap_remove(i);
        }
    }
}

/// The lock file's name for `file`: `.<basename>.~lock~` in the same
/// directory as the file a symlink points to.
pub(crate) fn lockfile_name(file: &Path) -> PathBuf {
    let target = follow_symlinks(file);
    let base = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = format!(".{base}.~lock~");
    match target.parent() {
        Some(dir) => dir.join(name),
        None => PathBuf::from(name),
    }
}

/// Resolves symlinks on the last component, at most 10 levels, as OVS does.
pub fn follow_symlinks(file: &Path) -> PathBuf {
    let mut current = file.to_path_buf();
    for _ in 0..10 {
        let is_link = std::fs::symlink_metadata(&current).is_ok_and(|m| m.file_type().is_symlink());
        if !is_link {
            return current;
        }
        let Ok(target) = std::fs::read_link(&current) else {
            return current;
        };
        current = if target.is_absolute() {
            target
        } else {
            match current.parent() {
                Some(dir) => dir.join(target),
                None => target,
            }
        };
    }
    tracing::warn!(target: "util", "{}: too many levels of symlinks", file.display());
    current
}

/// Takes the lock for `file` without waiting. The error is the errno OVS
/// reports (`EAGAIN` when another process holds it, `EDEADLK` when this one
/// does), after logging OVS's warning.
pub(crate) fn lock(file: &Path) -> io::Result<Lockfile> {
    let name = lockfile_name(file);
    if let Ok(meta) = std::fs::metadata(&name)
        && held().contains(&(meta.dev(), meta.ino()))
    {
        tracing::warn!(
            target: "lockfile",
            "{}: cannot lock file because this process has already locked it",
            name.display()
        );
        return Err(io::Error::from_raw_os_error(libc::EDEADLK));
    }
    let lock_file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&name)
        .inspect_err(|e| {
            tracing::warn!(target: "lockfile", "{}: failed to open lock file: {}", name.display(), strerror(e));
        })?;
    let meta = lock_file.metadata()?;
    let mut request = write_lock();
    let locked = loop {
        match fcntl(lock_file.as_fd(), FcntlArg::F_SETLK(&request)) {
            Err(Errno::EINTR) => continue,
            other => break other,
        }
    };
    match locked {
        Ok(_) => {
            let key = (meta.dev(), meta.ino());
            held().push(key);
            Ok(Lockfile {
                _file: lock_file,
                key,
            })
        }
        Err(errno) => {
            let holder = match fcntl(lock_file.as_fd(), FcntlArg::F_GETLK(&mut request)) {
                Ok(_) if request.l_type != libc::F_UNLCK as libc::c_short => Some(request.l_pid),
                _ => None,
            };
            match holder {
                Some(pid) => tracing::warn!(
                    target: "lockfile",
                    "{}: cannot lock file because it is already locked by pid {pid}",
                    name.display()
                ),
                None => tracing::warn!(
                    target: "lockfile",
                    "{}: failed to lock file: {}",
                    name.display(),
                    errno.desc()
                ),
            }
            // OVS reports EACCES as EAGAIN.
            let errno = if errno == Errno::EACCES {
                Errno::EAGAIN
            } else {
                errno
            };
            Err(errno.into())
        }
    }
}

fn write_lock() -> libc::flock {
    libc::flock {
        l_type: libc::F_WRLCK as libc::c_short,
        l_whence: libc::SEEK_SET as libc::c_short,
        l_start: 0,
        l_len: 0,
        l_pid: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("sub");
        std::fs::create_dir(&real).unwrap();
        std::fs::write(real.join("conf.db"), "").unwrap();
        std::os::unix::fs::symlink("sub/conf.db", dir.path().join("link.db")).unwrap();
        assert_eq!(
            lockfile_name(&real.join("conf.db")),
            real.join(".conf.db.~lock~")
        );
        assert_eq!(
            lockfile_name(&dir.path().join("link.db")),
            real.join(".conf.db.~lock~")
        );
        assert_eq!(lockfile_name(Path::new("db")), PathBuf::from(".db.~lock~"));
    }

    #[test]
    fn second_lock_in_process_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.db");
        let first = lock(&db).unwrap();
        assert_eq!(lock(&db).unwrap_err().raw_os_error(), Some(libc::EDEADLK));
        drop(first);
        let again = lock(&db).unwrap();
        let err = Lockfile::acquire(&db).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "I/O error: {}: failed to lock lockfile (Resource deadlock avoided)",
                db.display()
            )
        );
        drop(again);
        drop(Lockfile::acquire(&db).unwrap());
        assert!(dir.path().join(".x.db.~lock~").exists());
    }
}
