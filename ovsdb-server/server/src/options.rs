//! The command line, spelled as OVS's `ovsdb-server` spells it.
//!
//! OVS uses getopt_long: `--name=value` or `--name value` for options that
//! take an argument, `--name[=value]` for optional ones (only the `=` form),
//! and short options with attached values (`-vconsole:dbg`). clap cannot
//! express `-vSPEC` next to `-v` alone, so the parser is hand-written.

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

/// How an option takes its argument.
#[derive(Clone, Copy, PartialEq)]
enum Arg {
    None,
    Required,
    Optional,
}

const LONG_OPTIONS: &[(&str, Arg)] = &[
    ("remote", Arg::Required),
    ("unixctl", Arg::Required),
    ("run", Arg::Required),
    ("help", Arg::None),
    ("version", Arg::None),
    ("detach", Arg::None),
    ("no-chdir", Arg::None),
    ("monitor", Arg::None),
    ("pidfile", Arg::Optional),
    ("overwrite-pidfile", Arg::None),
    ("user", Arg::Required),
    ("verbose", Arg::Optional),
    ("log-file", Arg::Optional),
    ("syslog-method", Arg::Required),
    ("syslog-target", Arg::Required),
    ("private-key", Arg::Required),
    ("certificate", Arg::Required),
    ("ca-cert", Arg::Required),
    ("bootstrap-ca-cert", Arg::Required),
    ("peer-ca-cert", Arg::Required),
    ("ssl-protocols", Arg::Required),
    ("ssl-ciphers", Arg::Required),
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
        let mut args = args.into_iter();
        let mut only_positional = false;
        while let Some(arg) = args.next() {
            if only_positional || arg == "-" || !arg.starts_with('-') {
                opts.databases.push(PathBuf::from(arg));
            } else if arg == "--" {
                only_positional = true;
            } else if let Some(long) = arg.strip_prefix("--") {
                let (name, inline) = match long.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (long, None),
                };
                let (full, kind) = resolve_long(name)?;
                let value = match kind {
                    Arg::None if inline.is_some() => {
                        return Err(format!("option '--{full}' doesn't allow an argument"));
                    }
                    Arg::None | Arg::Optional => inline,
                    Arg::Required => match inline {
                        Some(v) => Some(v),
                        None => Some(
                            args.next()
                                .ok_or_else(|| format!("option '--{full}' requires an argument"))?,
                        ),
                    },
                };
                opts.apply(full, value)?;
            } else {
                opts.apply_short(&arg[1..], &mut args)?;
            }
        }
        Ok(opts)
    }

    fn apply_short(
        &mut self,
        cluster: &str,
        rest: &mut impl Iterator<Item = String>,
    ) -> Result<(), String> {
        let chars = cluster.char_indices();
        for (i, c) in chars {
            let attached = &cluster[i + c.len_utf8()..];
            let long = match c {
                'v' => {
                    let spec = (!attached.is_empty()).then(|| attached.to_string());
                    return self.apply("verbose", spec);
                }
                'h' => "help",
                'V' => "version",
                'p' => "private-key",
                'c' => "certificate",
                'C' => "ca-cert",
                _ => return Err(format!("invalid option -- '{c}'")),
            };
            if matches!(c, 'p' | 'c' | 'C') {
                let value = if attached.is_empty() {
                    rest.next()
                        .ok_or_else(|| format!("option requires an argument -- '{c}'"))?
                } else {
                    attached.to_string()
                };
                return self.apply(long, Some(value));
            }
            self.apply(long, None)?;
        }
        Ok(())
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

/// getopt_long accepts any unambiguous prefix of a long option.
fn resolve_long(name: &str) -> Result<(&'static str, Arg), String> {
    if let Some(&(full, kind)) = LONG_OPTIONS.iter().find(|(n, _)| *n == name) {
        return Ok((full, kind));
    }
    let mut matches = LONG_OPTIONS.iter().filter(|(n, _)| n.starts_with(name));
    match (matches.next(), matches.next()) {
        (Some(&(full, kind)), None) if !name.is_empty() => Ok((full, kind)),
        (Some(_), Some(_)) => Err(format!("option '--{name}' is ambiguous")),
        _ => Err(format!("unrecognized option '--{name}'")),
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
