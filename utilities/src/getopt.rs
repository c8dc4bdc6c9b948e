//! Command-line parsing with GNU `getopt_long` semantics, as the OVS tools
//! get from glibc: options may follow operands (argv is permuted), long
//! options may be abbreviated to any unique prefix, `--` ends the options,
//! and errors read like glibc's.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HasArg {
    No,
    Required,
    Optional,
}

/// One long option and its optional short equivalent.
#[derive(Debug, Clone, Copy)]
pub struct LongOpt {
    pub name: &'static str,
    pub has_arg: HasArg,
    pub short: Option<char>,
}

pub const fn opt(name: &'static str, has_arg: HasArg, short: Option<char>) -> LongOpt {
    LongOpt {
        name,
        has_arg,
        short,
    }
}

/// A recognised option: its long name (or the short letter's long name)
/// and argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub name: &'static str,
    pub arg: Option<String>,
}

/// Parses `args` (without the program name). Returns the options in order
/// and the operands; the error is glibc's message without the program
/// name prefix.
pub fn parse(args: &[String], opts: &[LongOpt]) -> Result<(Vec<Parsed>, Vec<String>), String> {
    let mut parsed = Vec::new();
    let mut operands = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "--" {
            operands.extend(args[i..].iter().cloned());
            break;
        }
        if let Some(body) = arg.strip_prefix("--") {
            let (name, value) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let opt = find_long(opts, name, arg)?;
            let arg_value = match opt.has_arg {
                HasArg::No => {
                    if value.is_some() {
                        return Err(format!("option '--{}' doesn't allow an argument", opt.name));
                    }
                    None
                }
                HasArg::Optional => value,
                HasArg::Required => match value {
                    Some(v) => Some(v),
                    None => {
                        if i < args.len() {
                            i += 1;
                            Some(args[i - 1].clone())
                        } else {
                            return Err(format!("option '--{}' requires an argument", opt.name));
                        }
                    }
                },
            };
            parsed.push(Parsed {
                name: opt.name,
                arg: arg_value,
            });
        } else if arg.len() > 1 && arg.starts_with('-') {
            let chars: Vec<char> = arg[1..].chars().collect();
            let mut j = 0;
            while j < chars.len() {
                let c = chars[j];
                j += 1;
                let Some(opt) = opts.iter().find(|o| o.short == Some(c)) else {
                    return Err(format!("invalid option -- '{c}'"));
                };
                match opt.has_arg {
                    HasArg::No => parsed.push(Parsed {
                        name: opt.name,
                        arg: None,
                    }),
                    HasArg::Optional => {
                        let rest: String = chars[j..].iter().collect();
                        parsed.push(Parsed {
                            name: opt.name,
                            arg: (!rest.is_empty()).then_some(rest),
                        });
                        break;
                    }
                    HasArg::Required => {
                        let rest: String = chars[j..].iter().collect();
                        let value = if !rest.is_empty() {
                            rest
                        } else if i < args.len() {
                            i += 1;
                            args[i - 1].clone()
                        } else {
                            return Err(format!("option requires an argument -- '{c}'"));
                        };
                        parsed.push(Parsed {
                            name: opt.name,
                            arg: Some(value),
                        });
                        break;
                    }
                }
            }
        } else {
            operands.push(arg.clone());
        }
    }
    Ok((parsed, operands))
}

fn find_long<'a>(opts: &'a [LongOpt], name: &str, whole: &str) -> Result<&'a LongOpt, String> {
    if let Some(o) = opts.iter().find(|o| o.name == name) {
        return Ok(o);
    }
    let candidates: Vec<&LongOpt> = opts.iter().filter(|o| o.name.starts_with(name)).collect();
    match candidates.as_slice() {
        [] => Err(format!(
            "unrecognized option '{}'",
            whole.split('=').next().unwrap_or(whole)
        )),
        [one] => Ok(one),
        many => {
            let first = many[0];
            if many
                .iter()
                .all(|o| o.has_arg == first.has_arg && o.short == first.short && o.short.is_some())
            {
                return Ok(first);
            }
            let mut msg = format!("option '--{name}' is ambiguous; possibilities:");
            for o in many {
                msg.push_str(&format!(" '--{}'", o.name));
            }
            Err(msg)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTS: &[LongOpt] = &[
        opt("format", HasArg::Required, Some('f')),
        opt("pretty", HasArg::No, None),
        opt("pidfile", HasArg::Optional, None),
        opt("verbose", HasArg::Optional, Some('v')),
    ];

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn permutes_and_abbreviates() {
        let (p, rest) = parse(&args(&["dump", "--form=csv", "x", "-fjson", "--pr"]), OPTS).unwrap();
        assert_eq!(rest, args(&["dump", "x"]));
        assert_eq!(p.len(), 3);
        assert_eq!(p[0].arg.as_deref(), Some("csv"));
        assert_eq!(p[1].arg.as_deref(), Some("json"));
        assert_eq!(p[2].name, "pretty");
    }

    #[test]
    fn errors() {
        assert_eq!(
            parse(&args(&["--foo"]), OPTS).unwrap_err(),
            "unrecognized option '--foo'"
        );
        assert_eq!(
            parse(&args(&["--p"]), OPTS).unwrap_err(),
            "option '--p' is ambiguous; possibilities: '--pretty' '--pidfile'"
        );
        assert_eq!(
            parse(&args(&["--pretty=1"]), OPTS).unwrap_err(),
            "option '--pretty' doesn't allow an argument"
        );
        assert_eq!(
            parse(&args(&["-x"]), OPTS).unwrap_err(),
            "invalid option -- 'x'"
        );
    }
}
