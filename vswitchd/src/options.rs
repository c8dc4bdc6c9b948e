//! The command line, spelled as OVS's `ovs-vswitchd` spells it.

use ovs_daemon::getopt::{self, Arg, Item};

/// How `--enable-dummy` was given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Dummy {
    #[default]
    Off,
    /// `--enable-dummy`: the `dummy` datapath and netdev types exist.
    On,
    /// `--enable-dummy=override`: every netdev type is replaced by dummy.
    Override,
    /// `--enable-dummy=system`: dummy types exist beside the system ones.
    System,
}

/// Everything ovs-vswitchd was asked to do.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Options {
    /// The database to connect to (`unix:PATH`, `tcp:...`, or a socket path).
    pub database: Option<String>,
    pub unixctl: Option<String>,
    pub pidfile: Option<Option<String>>,
    pub overwrite_pidfile: bool,
    pub detach: bool,
    pub no_chdir: bool,
    pub monitor: bool,
    pub mlockall: bool,
    pub enable_dummy: Dummy,
    pub disable_system: bool,
    pub disable_system_route: bool,
    pub verbose: Vec<Option<String>>,
    pub log_file: Option<Option<String>>,
    pub help: bool,
    pub version: bool,
}

/// This program's own long options (the daemon ones come from
/// [`getopt::DAEMON_OPTIONS`]).
const LONG_OPTIONS: &[(&str, Arg)] = &[
    ("mlockall", Arg::None),
    ("enable-dummy", Arg::Optional),
    ("disable-system", Arg::None),
    ("disable-system-route", Arg::None),
    ("dpdk", Arg::Optional),
    ("dummy-numa", Arg::Required),
    ("no-self-confinement", Arg::None),
    ("n-handler-threads", Arg::Required),
    ("n-revalidator-threads", Arg::Required),
];

impl Options {
    /// Parses the arguments after the program name.
    pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Options, String> {
        let mut opts = Options::default();
        for item in getopt::parse(
            args,
            &[getopt::DAEMON_OPTIONS, LONG_OPTIONS],
            getopt::DAEMON_SHORT_OPTIONS,
        )? {
            match item {
                Item::Positional(db) => {
                    if opts.database.is_some() {
                        return Err(
                            "at most one non-option argument accepted; use --help for usage".into(),
                        );
                    }
                    opts.database = Some(db);
                }
                Item::Option(name, value) => opts.apply(name, value)?,
            }
        }
        Ok(opts)
    }

    fn apply(&mut self, name: &str, value: Option<String>) -> Result<(), String> {
        match name {
            "help" => self.help = true,
            "version" => self.version = true,
            "mlockall" => self.mlockall = true,
            "unixctl" => self.unixctl = value,
            "enable-dummy" => {
                self.enable_dummy = match value.as_deref() {
                    None | Some("") => Dummy::On,
                    Some("override") => Dummy::Override,
                    Some("system") => Dummy::System,
                    Some(other) => return Err(format!("{other}: unknown dummy level")),
                }
            }
            "disable-system" => self.disable_system = true,
            "disable-system-route" => self.disable_system_route = true,
            "detach" => self.detach = true,
            "no-chdir" => self.no_chdir = true,
            "monitor" => self.monitor = true,
            "pidfile" => self.pidfile = Some(value),
            "overwrite-pidfile" => self.overwrite_pidfile = true,
            "verbose" => self.verbose.push(value),
            "log-file" => self.log_file = Some(value),
            "dpdk" => return Err("--dpdk is not supported; use other_config:dpdk-init".into()),
            // Accepted for compatibility; they change nothing here.
            "dummy-numa"
            | "user"
            | "no-self-confinement"
            | "syslog-method"
            | "syslog-target"
            | "private-key"
            | "certificate"
            | "ca-cert"
            | "bootstrap-ca-cert"
            | "peer-ca-cert"
            | "ssl-protocols"
            | "ssl-ciphers"
            | "n-handler-threads"
            | "n-revalidator-threads" => {}
            _ => return Err(format!("unrecognized option '--{name}'")),
        }
        Ok(())
    }

    /// The database remote: OVS's default is the server's socket in the run
    /// directory; a bare path means a unix socket.
    pub fn database_target(&self, rundir: &std::path::Path) -> String {
        match &self.database {
            None => format!("unix:{}/db.sock", rundir.display()),
            Some(db) if db.contains(':') => db.clone(),
            Some(path) => format!("unix:{path}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, String> {
        Options::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn bench_command_line() {
        let o = parse(&[
            "unix:d/db.sock",
            "--pidfile=d/ovs-vswitchd.pid",
            "--log-file=d/ovs-vswitchd.log",
            "--unixctl=d/ovs-vswitchd.ctl",
        ])
        .unwrap();
        assert_eq!(o.database_target("/r".as_ref()), "unix:d/db.sock");
        assert_eq!(o.pidfile, Some(Some("d/ovs-vswitchd.pid".into())));
        assert_eq!(o.unixctl.as_deref(), Some("d/ovs-vswitchd.ctl"));
    }

    #[test]
    fn dummy_and_defaults() {
        let o = parse(&[
            "--enable-dummy",
            "--disable-system",
            "--mlockall",
            "-vconsole:off",
        ])
        .unwrap();
        assert_eq!(o.enable_dummy, Dummy::On);
        assert!(o.disable_system && o.mlockall);
        assert_eq!(o.database_target("/r".as_ref()), "unix:/r/db.sock");
        assert_eq!(
            parse(&["--enable-dummy=override"]).unwrap().enable_dummy,
            Dummy::Override
        );
        assert_eq!(
            parse(&["db.sock"]).unwrap().database_target("/r".as_ref()),
            "unix:db.sock"
        );
        assert!(parse(&["a", "b"]).is_err());
        assert!(parse(&["--enable-dummy=bogus"]).is_err());
    }
}
