//! Parsing `-v`/`vlog/set` specifications.
//!
//! A spec is split into words on any of space, comma, colon and tab (empty
//! words skipped), exactly as OVS tokenizes it, so `ANY:file:dbg`,
//! `jsonrpc dbg` and `file,jsonrpc,,dbg` all mean the same thing.

use crate::level::{Destination, FACILITIES, Level};

/// What a spec asks for. `None` module or destination means "all".
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SpecAction {
    Levels {
        module: Option<String>,
        destination: Option<Destination>,
        level: Level,
    },
    Pattern {
        destination: Option<Destination>,
        pattern: String,
    },
    Facility(u32),
}

fn is_delimiter(c: char) -> bool {
    matches!(c, ' ' | ',' | ':' | '\t')
}

/// A `strtok_r` work-alike: `rest()` is what follows the delimiter that
/// ended the last word, which is how OVS takes a pattern verbatim.
struct Words<'a> {
    rest: &'a str,
}

impl<'a> Words<'a> {
    fn next_word(&mut self) -> Option<&'a str> {
        let s = self.rest.trim_start_matches(is_delimiter);
        if s.is_empty() {
            self.rest = s;
            return None;
        }
        match s.find(is_delimiter) {
            Some(end) => {
                let delimiter_len = s[end..].chars().next().map_or(1, char::len_utf8);
                self.rest = &s[end + delimiter_len..];
                Some(&s[..end])
            }
            None => {
                self.rest = "";
                Some(s)
            }
        }
    }
}

/// Parses one spec. `module_name` maps a word to the canonical name of a
/// known module (case-insensitively), or `None`.
pub(crate) fn parse_spec(
    spec: &str,
    module_name: impl Fn(&str) -> Option<String>,
) -> Result<SpecAction, String> {
    let mut words = Words { rest: spec };
    let first = words.next_word();
    if first.is_some_and(|w| w.eq_ignore_ascii_case("PATTERN")) {
        let Some(word) = words.next_word() else {
            return Err("missing destination".into());
        };
        let destination = if word.eq_ignore_ascii_case("ANY") {
            None
        } else {
            Some(
                Destination::from_name(word)
                    .ok_or_else(|| format!("unknown destination \"{word}\""))?,
            )
        };
        return Ok(SpecAction::Pattern {
            destination,
            pattern: words.rest.to_string(),
        });
    }
    if first.is_some_and(|w| w.eq_ignore_ascii_case("FACILITY")) {
        let name = words.rest;
        return FACILITIES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, value)| SpecAction::Facility(value))
            .ok_or_else(|| "invalid facility".to_string());
    }

    let mut module = None;
    let mut destination = None;
    let mut level = None;
    let mut word = first;
    while let Some(w) = word {
        if w.eq_ignore_ascii_case("ANY") {
            // A wildcard, same as leaving the field out.
        } else if let Some(d) = Destination::from_name(w) {
            if destination.is_some() {
                return Err("cannot specify multiple destinations".into());
            }
            destination = Some(d);
        } else if let Some(l) = Level::from_name(w) {
            if level.is_some() {
                return Err("cannot specify multiple levels".into());
            }
            level = Some(l);
        } else if let Some(m) = module_name(w) {
            if module.is_some() {
                return Err("cannot specify multiple modules".into());
            }
            module = Some(m);
        } else {
            return Err(format!("no destination, level, or module \"{w}\""));
        }
        word = words.next_word();
    }
    Ok(SpecAction::Levels {
        module,
        destination,
        level: level.unwrap_or(Level::Dbg),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(spec: &str) -> Result<SpecAction, String> {
        parse_spec(spec, |w| {
            ["jsonrpc", "vlog"]
                .into_iter()
                .find(|m| m.eq_ignore_ascii_case(w))
                .map(str::to_string)
        })
    }

    fn levels(module: Option<&str>, destination: Option<Destination>, level: Level) -> SpecAction {
        SpecAction::Levels {
            module: module.map(str::to_string),
            destination,
            level,
        }
    }

    #[test]
    fn level_specs() {
        assert_eq!(
            parse("jsonrpc:file:dbg"),
            Ok(levels(Some("jsonrpc"), Some(Destination::File), Level::Dbg))
        );
        assert_eq!(
            parse("JSONRPC FILE,,warn"),
            Ok(levels(
                Some("jsonrpc"),
                Some(Destination::File),
                Level::Warn
            ))
        );
        assert_eq!(
            parse("ANY:console:off"),
            Ok(levels(None, Some(Destination::Console), Level::Off))
        );
        assert_eq!(parse("info"), Ok(levels(None, None, Level::Info)));
        assert_eq!(
            parse("syslog"),
            Ok(levels(None, Some(Destination::Syslog), Level::Dbg))
        );
        assert_eq!(parse(""), Ok(levels(None, None, Level::Dbg)));
    }

    #[test]
    fn errors_have_ovs_texts() {
        assert_eq!(
            parse("nosuch"),
            Err("no destination, level, or module \"nosuch\"".into())
        );
        assert_eq!(
            parse("jsonrpc:file:dbg:info"),
            Err("cannot specify multiple levels".into())
        );
        assert_eq!(
            parse("file:console"),
            Err("cannot specify multiple destinations".into())
        );
        assert_eq!(
            parse("jsonrpc:vlog"),
            Err("cannot specify multiple modules".into())
        );
        assert_eq!(parse("PATTERN"), Err("missing destination".into()));
        assert_eq!(
            parse("PATTERN:nosuch:x"),
            Err("unknown destination \"nosuch\"".into())
        );
        assert_eq!(parse("FACILITY:nosuch"), Err("invalid facility".into()));
    }

    #[test]
    fn patterns_keep_their_colons() {
        assert_eq!(
            parse("PATTERN:file:%D{%H:%M}|%m"),
            Ok(SpecAction::Pattern {
                destination: Some(Destination::File),
                pattern: "%D{%H:%M}|%m".into()
            })
        );
        assert_eq!(
            parse("pattern:any"),
            Ok(SpecAction::Pattern {
                destination: None,
                pattern: String::new()
            })
        );
        assert_eq!(parse("FACILITY:local3"), Ok(SpecAction::Facility(19 << 3)));
    }

    proptest::proptest! {
        #[test]
        fn level_specs_round_trip(
            module in proptest::option::of(proptest::sample::select(vec!["jsonrpc", "vlog"])),
            destination in proptest::option::of(proptest::sample::select(Destination::ALL.to_vec())),
            level in proptest::sample::select(Level::ALL.to_vec()),
            separator in proptest::sample::select(vec![":", " ", ",", "\t", "::", ", "]),
        ) {
            let words = [
                module.unwrap_or("ANY").to_string(),
                destination.map_or("ANY", |d| d.name()).to_lowercase(),
                level.name().to_string(),
            ];
            let spec = words.join(separator);
            proptest::prop_assert_eq!(
                parse(&spec),
                Ok(levels(module, destination, level))
            );
        }

        #[test]
        fn any_text_parses_or_errs_without_panicking(spec in "\\PC{0,40}") {
            let _ = parse(&spec);
        }
    }
}
