//! The command line, spelled as OVS's `ovsdb-server` spells it.
//!
//! The conventions (getopt_long) are [`ovs_daemon::getopt`]'s; this file
//! holds ovsdb-server's option table.

use std::path::PathBuf;

/// Everything ovsdb-server was asked to do.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Options {
    pub databases: Vec<PathBuf>,
    pub remotes: Vec<String>,
    pub unixctl: Option<String>,
    pub run: Option<String>,
    pub pidfile: Option<Option<String>>,
    pub overwrite_pidfile: bool,
    pub detach: bool,
    pub no_chdir: bool,
    pub monitor: bool,
    pub user: Option<String>,
    pub verbose: Vec<Option<String>>,
    pub log_file: Option<Option<String>>,
    pub syslog_method: Option<String>,
    pub syslog_target: Option<String>,
    pub private_key: Option<String>,
    pub certificate: Option<String>,
    pub ca_cert: Option<String>,
    pub bootstrap_ca_cert: Option<String>,
    pub peer_ca_cert: Option<String>,
    pub ssl_protocols: Option<String>,
    pub ssl_ciphers: Option<String>,
    pub sync_from: Option<String>,
    pub sync_exclude_tables: Option<String>,
    pub active: bool,
    pub no_dbs: bool,
    pub disable_file_column_diff: bool,
    pub help: bool,
    pub version: bool,
}

use ovs_daemon::getopt::{self, Arg, Item};

/// This program's own long options (the daemon ones come from
/// [`getopt::DAEMON_OPTIONS`]).
const LONG_OPTIONS: &[(&str, Arg)] = &[
    ("remote", Arg::Required),
    ("run", Arg::Required),
    ("sync-from", Arg::Required),
    ("sync-exclude-tables", Arg::Required),
    ("active", Arg::None),
    ("no-dbs", Arg::None),
    ("disable-file-column-diff", Arg::None),
    ("record", Arg::Optional),
    ("replay", Arg::Optional),
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
                Item::Positional(db) => opts.databases.push(PathBuf::from(db)),
                Item::Option(name, value) => opts.apply(name, value)?,
            }
        }
        Ok(opts)
    }

    fn apply(&mut self, name: &str, value: Option<String>) -> Result<(), String> {
        let v = || value.clone().unwrap_or_default();
        match name {
            "remote" => self.remotes.push(v()),
            "unixctl" => self.unixctl = Some(v()),
            "run" => self.run = Some(v()),
            "help" => self.help = true,
            "version" => self.version = true,
            "detach" => self.detach = true,
            "no-chdir" => self.no_chdir = true,
            "monitor" => self.monitor = true,
            "pidfile" => self.pidfile = Some(value),
            "overwrite-pidfile" => self.overwrite_pidfile = true,
            "user" => self.user = Some(v()),
            "verbose" => self.verbose.push(value),
            "log-file" => self.log_file = Some(value),
            "syslog-method" => self.syslog_method = Some(v()),
            "syslog-target" => self.syslog_target = Some(v()),
            "private-key" => self.private_key = Some(v()),
            "certificate" => self.certificate = Some(v()),
            "ca-cert" => self.ca_cert = Some(v()),
            "bootstrap-ca-cert" => self.bootstrap_ca_cert = Some(v()),
            "peer-ca-cert" => self.peer_ca_cert = Some(v()),
            "ssl-protocols" => self.ssl_protocols = Some(v()),
            "ssl-ciphers" => self.ssl_ciphers = Some(v()),
            "sync-from" => self.sync_from = Some(v()),
            "sync-exclude-tables" => self.sync_exclude_tables = Some(v()),
            "active" => self.active = true,
            "no-dbs" => self.no_dbs = true,
            "disable-file-column-diff" => self.disable_file_column_diff = true,
            "record" | "replay" => {
                return Err(format!("--{name} is not supported by this ovsdb-server"));
            }
            _ => return Err(format!("unrecognized option '--{name}'")),
        }
        Ok(())
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
            "d/conf.db",
            "--remote=punix:d/db.sock",
            "--pidfile=d/ovsdb-server.pid",
            "--log-file=d/ovsdb-server.log",
            "--unixctl=d/ovsdb-server.ctl",
        ])
        .unwrap();
        assert_eq!(o.databases, vec![PathBuf::from("d/conf.db")]);
        assert_eq!(o.remotes, vec!["punix:d/db.sock"]);
        assert_eq!(o.pidfile, Some(Some("d/ovsdb-server.pid".into())));
        assert_eq!(o.log_file, Some(Some("d/ovsdb-server.log".into())));
        assert_eq!(o.unixctl.as_deref(), Some("d/ovsdb-server.ctl"));
    }

    #[test]
    fn optional_and_short_forms() {
        let o = parse(&[
            "--pidfile",
            "--detach",
            "-vconsole:off",
            "-v",
            "--verbose=file:dbg",
            "--remote",
            "ptcp:6640",
            "--no-ch",
        ])
        .unwrap();
        assert_eq!(o.pidfile, Some(None));
        assert!(o.detach && o.no_chdir);
        assert_eq!(
            o.verbose,
            vec![Some("console:off".into()), None, Some("file:dbg".into())]
        );
        assert_eq!(o.remotes, vec!["ptcp:6640"]);
    }

    #[test]
    fn errors() {
        assert!(parse(&["--bogus"]).unwrap_err().contains("unrecognized"));
        assert!(
            parse(&["--remote"])
                .unwrap_err()
                .contains("requires an argument")
        );
        assert!(
            parse(&["--detach=1"])
                .unwrap_err()
                .contains("doesn't allow")
        );
        assert!(parse(&["--s"]).unwrap_err().contains("ambiguous"));
        assert!(parse(&["-x"]).unwrap_err().contains("invalid option"));
    }
}
