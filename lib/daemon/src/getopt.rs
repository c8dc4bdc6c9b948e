//! The command-line conventions of OVS's daemons and tools (getopt_long).
//!
//! `--name=value` or `--name value` for options that need an argument,
//! `--name[=value]` (only the `=` form) for optional ones, any unambiguous
//! prefix of a long name, short options with attached values (`-vdbg`),
//! and `--` to end options. clap cannot express `-vSPEC` next to a bare
//! `-v`, hence this small parser; each program keeps its own option table.

/// How an option takes its argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    None,
    Required,
    Optional,
}

/// One parsed command-line item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// A long option, by its full name, with its argument if any.
    Option(&'static str, Option<String>),
    Positional(String),
}

/// The options every OVS daemon takes (daemon, logging, SSL, unixctl):
/// a program lists these plus its own.
pub const DAEMON_OPTIONS: &[(&str, Arg)] = &[
    ("help", Arg::None),
    ("version", Arg::None),
    ("unixctl", Arg::Required),
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
];

/// The short options every OVS daemon takes.
pub const DAEMON_SHORT_OPTIONS: &[(char, &str)] = &[
    ('h', "help"),
    ('V', "version"),
    ('v', "verbose"),
    ('p', "private-key"),
    ('c', "certificate"),
    ('C', "ca-cert"),
];

/// Splits `args` (without the program name) into options and positional
/// arguments. `long` lists every long option (in one or more tables);
/// `short` maps short letters to long names (the argument kind comes from
/// `long`). Errors are getopt's messages, ready to print after the program
/// name.
pub fn parse<I: IntoIterator<Item = String>>(
    args: I,
    long: &[&'static [(&'static str, Arg)]],
    short: &[(char, &'static str)],
) -> Result<Vec<Item>, String> {
    let mut out = Vec::new();
    let mut args = args.into_iter();
    let mut only_positional = false;
    while let Some(arg) = args.next() {
        if only_positional || arg == "-" || !arg.starts_with('-') {
            out.push(Item::Positional(arg));
        } else if arg == "--" {
            only_positional = true;
        } else if let Some(body) = arg.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let (full, kind) = resolve_long(long, name)?;
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
            out.push(Item::Option(full, value));
        } else {
            let cluster = &arg[1..];
            for (i, c) in cluster.char_indices() {
                let attached = &cluster[i + c.len_utf8()..];
                let name = short
                    .iter()
                    .find(|(s, _)| *s == c)
                    .map(|(_, l)| *l)
                    .ok_or_else(|| format!("invalid option -- '{c}'"))?;
                let (full, kind) = resolve_long(long, name)?;
                match kind {
                    Arg::None => out.push(Item::Option(full, None)),
                    Arg::Optional => {
                        out.push(Item::Option(
                            full,
                            (!attached.is_empty()).then(|| attached.to_string()),
                        ));
                        break;
                    }
                    Arg::Required => {
                        let value = if attached.is_empty() {
                            args.next()
                                .ok_or_else(|| format!("option requires an argument -- '{c}'"))?
                        } else {
                            attached.to_string()
                        };
                        out.push(Item::Option(full, Some(value)));
                        break;
                    }
                }
            }
        }
    }
    Ok(out)
}

/// getopt_long accepts any unambiguous prefix of a long option.
fn resolve_long(
    long: &[&'static [(&'static str, Arg)]],
    name: &str,
) -> Result<(&'static str, Arg), String> {
    let all = || long.iter().flat_map(|t| t.iter());
    if let Some(&(full, kind)) = all().find(|(n, _)| *n == name) {
        return Ok((full, kind));
    }
    let mut matches = all().filter(|(n, _)| n.starts_with(name));
    match (matches.next(), matches.next()) {
        (Some(&(full, kind)), None) if !name.is_empty() => Ok((full, kind)),
        (Some(_), Some(_)) => Err(format!("option '--{name}' is ambiguous")),
        _ => Err(format!("unrecognized option '--{name}'")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: &[(&str, Arg)] = &[
        ("verbose", Arg::Optional),
        ("pidfile", Arg::Optional),
        ("remote", Arg::Required),
        ("detach", Arg::None),
        ("no-chdir", Arg::None),
        ("no-self-confinement", Arg::None),
    ];
    const SHORT: &[(char, &str)] = &[('v', "verbose"), ('r', "remote")];

    fn p(args: &[&str]) -> Result<Vec<Item>, String> {
        parse(args.iter().map(|s| s.to_string()), &[LONG], SHORT)
    }

    #[test]
    fn forms() {
        use Item::*;
        assert_eq!(
            p(&[
                "db",
                "--pidfile",
                "-vconsole:off",
                "-v",
                "--remote",
                "x",
                "-ry",
                "--no-ch",
                "--",
                "-z"
            ])
            .unwrap(),
            vec![
                Positional("db".into()),
                Option("pidfile", None),
                Option("verbose", Some("console:off".into())),
                Option("verbose", None),
                Option("remote", Some("x".into())),
                Option("remote", Some("y".into())),
                Option("no-chdir", None),
                Positional("-z".into()),
            ]
        );
    }

    #[test]
    fn errors() {
        assert!(p(&["--bogus"]).unwrap_err().contains("unrecognized"));
        assert!(
            p(&["--remote"])
                .unwrap_err()
                .contains("requires an argument")
        );
        assert!(p(&["--detach=1"]).unwrap_err().contains("doesn't allow"));
        assert!(p(&["--no"]).unwrap_err().contains("ambiguous"));
        assert!(p(&["-x"]).unwrap_err().contains("invalid option"));
        assert!(p(&["-r"]).unwrap_err().contains("requires an argument"));
    }
}
