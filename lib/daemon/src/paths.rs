//! OVS's directories, overridable through the environment as in
//! `lib/dirs.c`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The directories a daemon uses. Empty variables count as unset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// `$OVS_RUNDIR`: pidfiles and control sockets.
    pub rundir: PathBuf,
    /// `$OVS_LOGDIR`: log files.
    pub logdir: PathBuf,
    /// `$OVS_DBDIR`, else `$OVS_SYSCONFDIR/openvswitch`: databases.
    pub dbdir: PathBuf,
    /// `$OVS_SYSCONFDIR`.
    pub sysconfdir: PathBuf,
    /// `$OVS_PKGDATADIR`: schemas.
    pub pkgdatadir: PathBuf,
    /// `$OVS_BINDIR`.
    pub bindir: PathBuf,
}

impl Paths {
    pub fn from_env() -> Paths {
        Paths::from_lookup(|name| std::env::var_os(name))
    }

    /// Like [`from_env`](Self::from_env) with variables from `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<OsString>) -> Paths {
        let get = |name: &str| lookup(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        let dir = |name: &str, default: &str| get(name).unwrap_or_else(|| PathBuf::from(default));
        let sysconfdir = get("OVS_SYSCONFDIR");
        Paths {
            rundir: dir("OVS_RUNDIR", "/var/run/openvswitch"),
            logdir: dir("OVS_LOGDIR", "/var/log/openvswitch"),
            dbdir: get("OVS_DBDIR").unwrap_or_else(|| match &sysconfdir {
                Some(s) => s.join("openvswitch"),
                None => PathBuf::from("/etc/openvswitch"),
            }),
            sysconfdir: sysconfdir.unwrap_or_else(|| PathBuf::from("/etc")),
            pkgdatadir: dir("OVS_PKGDATADIR", "/usr/share/openvswitch"),
            bindir: dir("OVS_BINDIR", "/usr/bin"),
        }
    }

    /// `--pidfile[=FILE]`: `None` (no file name) gives
    /// `<rundir>/<program>.pid`; a relative name is taken under `rundir`.
    pub fn pidfile(&self, name: Option<&str>, program: &str) -> PathBuf {
        match name {
            None => self.rundir.join(format!("{program}.pid")),
            Some(name) => abs_file_name(&self.rundir, Path::new(name)),
        }
    }

    /// `<rundir>/<program>.<pid>.ctl`, the default control socket.
    pub fn unixctl_socket(&self, program: &str, pid: u32) -> PathBuf {
        self.rundir.join(format!("{program}.{pid}.ctl"))
    }

    /// `<logdir>/<program>.log`.
    pub fn log_file(&self, program: &str) -> PathBuf {
        self.logdir.join(format!("{program}.log"))
    }

    /// `<dbdir>/conf.db`, ovsdb-server's default database.
    pub fn default_db(&self) -> PathBuf {
        self.dbdir.join("conf.db")
    }

    /// `<pkgdatadir>/vswitch.ovsschema`.
    pub fn default_schema(&self) -> PathBuf {
        self.pkgdatadir.join("vswitch.ovsschema")
    }
}

/// `file` if absolute, else under `dir`.
pub fn abs_file_name(dir: &Path, file: &Path) -> PathBuf {
    if file.is_absolute() {
        file.to_path_buf()
    } else {
        dir.join(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_debian_ovs() {
        let p = Paths::from_lookup(|_| None);
        assert_eq!(p.rundir, Path::new("/var/run/openvswitch"));
        assert_eq!(p.logdir, Path::new("/var/log/openvswitch"));
        assert_eq!(p.dbdir, Path::new("/etc/openvswitch"));
        assert_eq!(p.sysconfdir, Path::new("/etc"));
        assert_eq!(p.pkgdatadir, Path::new("/usr/share/openvswitch"));
        assert_eq!(p.default_db(), Path::new("/etc/openvswitch/conf.db"));
        assert_eq!(
            p.pidfile(None, "ovsdb-server"),
            Path::new("/var/run/openvswitch/ovsdb-server.pid")
        );
        assert_eq!(
            p.pidfile(Some("a.pid"), "x"),
            Path::new("/var/run/openvswitch/a.pid")
        );
        assert_eq!(p.pidfile(Some("/tmp/a.pid"), "x"), Path::new("/tmp/a.pid"));
        assert_eq!(
            p.unixctl_socket("ovsdb-server", 7),
            Path::new("/var/run/openvswitch/ovsdb-server.7.ctl")
        );
        assert_eq!(
            p.log_file("ovsdb-server"),
            Path::new("/var/log/openvswitch/ovsdb-server.log")
        );
    }

    #[test]
    fn environment_overrides() {
        let env = |name: &str| -> Option<OsString> {
            match name {
                "OVS_RUNDIR" => Some("/r".into()),
                "OVS_LOGDIR" => Some("".into()),
                "OVS_SYSCONFDIR" => Some("/s".into()),
                _ => None,
            }
        };
        let p = Paths::from_lookup(env);
        assert_eq!(p.rundir, Path::new("/r"));
        assert_eq!(p.logdir, Path::new("/var/log/openvswitch"));
        assert_eq!(p.dbdir, Path::new("/s/openvswitch"));
        assert_eq!(p.sysconfdir, Path::new("/s"));
        let p = Paths::from_lookup(|n| (n == "OVS_DBDIR").then(|| "/d".into()));
        assert_eq!(p.dbdir, Path::new("/d"));
    }
}
