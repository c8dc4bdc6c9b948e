//! Pidfiles with OVS's locking protocol.
//!
//! A live daemon keeps a POSIX (fcntl) write lock on its pidfile for as long
//! as it runs, and the file holds its pid. Readers, including OVS's own
//! `ovs-appctl` and `ovs-ctl`, trust a pidfile only when the process holding
//! the lock is the one named in it; an unlocked pidfile is stale.
//!
//! POSIX locks belong to the process and vanish when *any* descriptor of
//! the file is closed, so the daemon must never open its own pidfile again:
//! [`read_pidfile`] recognizes it by device and inode instead.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Seek, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, fcntl};

use crate::{DaemonError, Paths};

/// Device and inode of each pidfile this process holds.
static OWN_PIDFILES: Mutex<Vec<(u64, u64)>> = Mutex::new(Vec::new());

fn own_pidfiles() -> std::sync::MutexGuard<'static, Vec<(u64, u64)>> {
    OWN_PIDFILES.lock().unwrap_or_else(|e| e.into_inner())
}

/// A pidfile this process created and holds locked. Dropping it removes the
/// file (if it is still ours) and releases the lock.
#[derive(Debug)]
pub struct Pidfile {
    path: PathBuf,
    /// Kept open: closing it would release the lock.
    _file: File,
    dev: u64,
    ino: u64,
}

impl Pidfile {
    /// `--pidfile[=NAME]` for `program`: [`create_at`](Self::create_at) on
    /// [`Paths::pidfile`]`(name, program)` (a relative name is taken under
    /// the run directory; no name gives `<rundir>/<program>.pid`).
    pub fn create(
        paths: &Paths,
        program: &str,
        name: Option<&str>,
        overwrite: bool,
    ) -> Result<Pidfile, DaemonError> {
        Pidfile::create_at(&paths.pidfile(name, program), overwrite)
    }

    /// Creates `path` for this process, as OVS's `--pidfile` does: write
    /// `<pid>\n` to a locked temporary file beside it, then rename it into
    /// place. Unless `overwrite` (`--overwrite-pidfile`), refuses when a live
    /// process holds `path`, and deletes it when it is stale.
    pub fn create_at(path: &Path, overwrite: bool) -> Result<Pidfile, DaemonError> {
        let pid = std::process::id();
        let tmp = if overwrite {
            with_suffix(path, &format!(".tmp{pid}"))
        } else {
            // A name shared by all contenders: its lock decides who may go on.
            with_suffix(path, ".tmp")
        };
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&tmp)
            .map_err(|e| {
                fail(format!(
                    "{}: create failed ({})",
                    tmp.display(),
                    strerror(&e)
                ))
            })?;
        if let Err(errno) = set_lock(&file) {
            return Err(fail(format!(
                "{}: fcntl(F_SETLK) failed ({})",
                tmp.display(),
                errno.desc()
            )));
        }
        let cleanup_tmp = |e: DaemonError| {
            let _ = std::fs::remove_file(&tmp);
            e
        };
        if !overwrite {
            match read_pidfile_inner(path, true) {
                Ok(None) => {}
                Ok(Some(other)) => {
                    return Err(cleanup_tmp(fail(format!(
                        "{}: already running as pid {other}, aborting",
                        path.display()
                    ))));
                }
                Err(e) => {
                    return Err(cleanup_tmp(fail(format!(
                        "{}: pidfile check failed ({}), aborting",
                        path.display(),
                        strerror(&e)
                    ))));
                }
            }
        }
        let meta = file.metadata().map_err(|e| {
            fail(format!(
                "{}: fstat failed ({})",
                tmp.display(),
                strerror(&e)
            ))
        })?;
        file.set_len(0).and_then(|()| file.rewind()).map_err(|e| {
            fail(format!(
                "{}: truncate failed ({})",
                tmp.display(),
                strerror(&e)
            ))
        })?;
        file.write_all(format!("{pid}\n").as_bytes())
            .and_then(|()| file.flush())
            .map_err(|e| {
                fail(format!(
                    "{}: write failed ({})",
                    tmp.display(),
                    strerror(&e)
                ))
            })?;
        std::fs::rename(&tmp, path).map_err(|e| {
            fail(format!(
                "failed to rename \"{}\" to \"{}\" ({})",
                tmp.display(),
                path.display(),
                strerror(&e)
            ))
        })?;
        own_pidfiles().push((meta.dev(), meta.ino()));
        Ok(Pidfile {
            path: path.to_path_buf(),
            _file: file,
            dev: meta.dev(),
            ino: meta.ino(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the pidfile now (same as dropping it).
    pub fn remove(self) {}
}

impl Drop for Pidfile {
    fn drop(&mut self) {
        // Another process may have replaced it (--overwrite-pidfile).
        if let Ok(meta) = std::fs::metadata(&self.path)
            && meta.dev() == self.dev
            && meta.ino() == self.ino
        {
            let _ = std::fs::remove_file(&self.path);
        }
        let mut own = own_pidfiles();
        if let Some(i) = own.iter().position(|&k| k == (self.dev, self.ino)) {
            own.swap_remove(i);
        }
    }
}

/// The pid of the live process that holds `path`, as OVS's `read_pidfile`
/// decides it. Errors: the file is missing or unreadable, stale (not
/// locked: `ESRCH`), or locked by a process other than the one it names.
pub fn read_pidfile(path: &Path) -> io::Result<u32> {
    match read_pidfile_inner(path, false)? {
        Some(pid) => Ok(pid),
        None => Err(io::Error::from_raw_os_error(libc::ENOENT)),
    }
}

/// `Ok(None)` only when `delete_if_stale` and there is no live owner (the
/// stale file, if any, has been deleted).
fn read_pidfile_inner(path: &Path, delete_if_stale: bool) -> io::Result<Option<u32>> {
    // Opening (and so closing) our own pidfile would drop our lock, and
    // F_GETLK never reports the caller's own locks anyway.
    if let Ok(meta) = std::fs::metadata(path)
        && own_pidfiles().contains(&(meta.dev(), meta.ino()))
    {
        return Ok(Some(std::process::id()));
    }

    let file = match OpenOptions::new().read(true).write(true).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound && delete_if_stale => return Ok(None),
        Err(e) => {
            tracing::warn!(target: "daemon_unix", "{}: open: {}", path.display(), strerror(&e));
            return Err(e);
        }
    };
    let holder = match lock_holder(&file) {
        Ok(h) => h,
        Err(errno) => {
            tracing::warn!(target: "daemon_unix", "{}: fcntl: {}", path.display(), errno.desc());
            return Err(errno.into());
        }
    };
    let Some(holder) = holder else {
        if !delete_if_stale {
            tracing::debug!(target: "daemon_unix", "{}: pid file is stale", path.display());
            return Err(io::Error::from_raw_os_error(libc::ESRCH));
        }
        // Only the process that manages to lock a stale pidfile may delete
        // it, and only if the name still refers to what it locked.
        if set_lock(&file).is_err() {
            tracing::warn!(target: "daemon_unix", "{}: lost race to lock pidfile", path.display());
            return Err(io::Error::from_raw_os_error(libc::EAGAIN));
        }
        let same = match (std::fs::metadata(path), file.metadata()) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        };
        if !same {
            tracing::warn!(target: "daemon_unix", "{}: lost race to delete pidfile", path.display());
            return Err(io::Error::from_raw_os_error(libc::EALREADY));
        }
        if let Err(e) = std::fs::remove_file(path) {
            tracing::warn!(
                target: "daemon_unix",
                "{}: failed to delete stale pidfile ({})",
                path.display(),
                strerror(&e)
            );
            return Err(e);
        }
        tracing::debug!(target: "daemon_unix", "{}: deleted stale pidfile", path.display());
        return Ok(None);
    };

    let mut line = String::new();
    match BufReader::new(&file).read_line(&mut line) {
        Ok(0) => {
            tracing::warn!(target: "daemon_unix", "{}: read: unexpected end of file", path.display());
            return Err(io::Error::from_raw_os_error(libc::ESRCH));
        }
        Ok(_) => {}
        Err(e) => {
            tracing::warn!(target: "daemon_unix", "{}: read: {}", path.display(), strerror(&e));
            return Err(e);
        }
    }
    let named = leading_number(&line);
    if named != Some(holder) {
        tracing::warn!(
            target: "daemon_unix",
            "{}: stale pidfile for pid {} being deleted by pid {holder}",
            path.display(),
            line.trim_end()
        );
        return Err(io::Error::from_raw_os_error(libc::ESRCH));
    }
    Ok(Some(holder))
}

/// Like `strtoul`: the digits at the start of `line`.
fn leading_number(line: &str) -> Option<u32> {
    let digits: String = line
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

fn whole_file_write_lock(kind: libc::c_short) -> libc::flock {
    libc::flock {
        l_type: kind,
        l_whence: libc::SEEK_SET as libc::c_short,
        l_start: 0,
        l_len: 0,
        l_pid: 0,
    }
}

fn set_lock(file: &File) -> Result<(), Errno> {
    let lock = whole_file_write_lock(libc::F_WRLCK as libc::c_short);
    loop {
        match fcntl(file.as_fd(), FcntlArg::F_SETLK(&lock)) {
            Err(Errno::EINTR) => continue,
            other => return other.map(drop),
        }
    }
}

/// The pid of the process holding a lock that conflicts with a write lock,
/// or `None` if the file is unlocked.
fn lock_holder(file: &File) -> Result<Option<u32>, Errno> {
    let mut lock = whole_file_write_lock(libc::F_WRLCK as libc::c_short);
    loop {
        match fcntl(file.as_fd(), FcntlArg::F_GETLK(&mut lock)) {
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
            Ok(_) => break,
        }
    }
    if lock.l_type == libc::F_UNLCK as libc::c_short {
        Ok(None)
    } else {
        Ok(Some(u32::try_from(lock.l_pid).unwrap_or(0)))
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn fail(message: String) -> DaemonError {
    DaemonError::Pidfile(message)
}

fn strerror(e: &io::Error) -> String {
    ovs_vlog::strerror(e)
}

#[cfg(test)]
mod tests {
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    use super::*;

    /// A separate process holding `path` locked with `pid_in_file` written
    /// in it, using python's fcntl (present wherever OVS's tools are).
    fn foreign_holder(path: &Path, pid_in_file: Option<&str>) -> Option<Child> {
        let script = format!(
            "import fcntl,os,sys,time\n\
             f=open(sys.argv[1],'a+'); fcntl.lockf(f, fcntl.LOCK_EX|fcntl.LOCK_NB)\n\
             f.truncate(0); f.write({content}); f.flush()\n\
             print('locked', flush=True); time.sleep(30)\n",
            content = match pid_in_file {
                Some(text) => format!("{text:?}"),
                None => "str(os.getpid())+'\\n'".to_string(),
            }
        );
        let mut child = Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(path)
            .stdout(Stdio::piped())
            .spawn()
            .ok()?;
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut()?)
            .read_line(&mut line)
            .ok()?;
        (line == "locked\n").then_some(child)
    }

    #[test]
    fn create_read_and_remove() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pid");
        let pidfile = Pidfile::create_at(&path, false).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!("{}\n", std::process::id())
        );
        assert!(!with_suffix(&path, ".tmp").exists());
        // Our own pidfile is recognized without opening it.
        assert_eq!(read_pidfile(&path).unwrap(), std::process::id());
        // A second daemon in this process is refused.
        let err = Pidfile::create_at(&path, false).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "{}: already running as pid {}, aborting",
                path.display(),
                std::process::id()
            )
        );
        drop(pidfile);
        assert!(!path.exists());
    }

    #[test]
    fn stale_pidfile_is_replaced_and_reported_stale() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pid");
        std::fs::write(&path, "999999\n").unwrap();
        assert_eq!(
            read_pidfile(&path).unwrap_err().raw_os_error(),
            Some(libc::ESRCH)
        );
        let pidfile = Pidfile::create_at(&path, false).unwrap();
        assert_eq!(read_pidfile(&path).unwrap(), std::process::id());
        pidfile.remove();
        assert!(!path.exists());
        assert_eq!(
            read_pidfile(&path).unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
    }

    #[test]
    fn live_holder_in_another_process() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pid");
        let Some(mut holder) = foreign_holder(&path, None) else {
            eprintln!("skipping: python3 not available");
            return;
        };
        let holder_pid = holder.id();
        assert_eq!(read_pidfile(&path).unwrap(), holder_pid);
        let err = Pidfile::create_at(&path, false).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "{}: already running as pid {holder_pid}, aborting",
                path.display()
            )
        );
        assert!(!with_suffix(&path, ".tmp").exists());

        // --overwrite-pidfile takes the name over regardless.
        let pidfile = Pidfile::create_at(&path, true).unwrap();
        assert_eq!(read_pidfile(&path).unwrap(), std::process::id());
        drop(pidfile);
        assert!(!path.exists());

        holder.kill().unwrap();
        holder.wait().unwrap();
    }

    #[test]
    fn locked_by_a_process_it_does_not_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pid");
        let Some(mut holder) = foreign_holder(&path, Some("1\n")) else {
            eprintln!("skipping: python3 not available");
            return;
        };
        assert_eq!(
            read_pidfile(&path).unwrap_err().raw_os_error(),
            Some(libc::ESRCH)
        );
        let err = Pidfile::create_at(&path, false).unwrap_err().to_string();
        assert!(err.contains("pidfile check failed"), "{err}");
        holder.kill().unwrap();
        holder.wait().unwrap();

        // Once the holder is gone, the file is stale and can be taken.
        let deadline = Instant::now() + Duration::from_secs(5);
        let pidfile = loop {
            match Pidfile::create_at(&path, false) {
                Ok(p) => break p,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => panic!("{e}"),
            }
        };
        drop(pidfile);
    }

    #[test]
    fn leading_numbers_like_strtoul() {
        assert_eq!(leading_number("123\n"), Some(123));
        assert_eq!(leading_number(" 42abc"), Some(42));
        assert_eq!(leading_number("x"), None);
    }
}
