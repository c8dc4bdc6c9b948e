//! `struct ovsdb_error` and the member parser (`ovsdb_parser`) that produces
//! most of OVS's syntax errors.

use std::fmt;

use crate::json::{Json, Object};

/// An OVSDB error: a tag ("syntax error", "constraint violation", ...), an
/// optional detail text, and for syntax errors the offending JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct OvsdbError {
    pub tag: String,
    pub details: Option<String>,
    pub syntax: Option<String>,
    /// An errno text appended in parentheses (`ovsdb_io_error`).
    pub io_error: Option<String>,
}

impl OvsdbError {
    pub fn new(tag: impl Into<String>, details: impl Into<String>) -> OvsdbError {
        OvsdbError {
            tag: tag.into(),
            details: Some(details.into()),
            syntax: None,
            io_error: None,
        }
    }

    /// `ovsdb_syntax_error(json, NULL, ...)`.
    pub fn syntax(json: Option<&Json>, details: impl Into<String>) -> OvsdbError {
        OvsdbError {
            tag: "syntax error".to_string(),
            details: Some(details.into()),
            syntax: json.map(Json::to_sorted_string),
            io_error: None,
        }
    }

    pub fn constraint(details: impl Into<String>) -> OvsdbError {
        OvsdbError::new("constraint violation", details)
    }

    /// `ovsdb_io_error(errno, ...)`.
    pub fn io(err: &std::io::Error, details: impl Into<String>) -> OvsdbError {
        OvsdbError {
            tag: "I/O error".to_string(),
            details: Some(details.into()),
            syntax: None,
            io_error: Some(crate::util::strerror(err)),
        }
    }

    /// `ovsdb_wrap_error`: prefixes the details.
    pub fn wrap(mut self, prefix: impl fmt::Display) -> OvsdbError {
        self.details = Some(match self.details {
            Some(d) => format!("{prefix}: {d}"),
            None => prefix.to_string(),
        });
        self
    }

    /// `ovsdb_error_to_json`.
    pub fn to_json(&self) -> Json {
        let mut o = Object::new();
        o.put("error", Json::string(&self.tag));
        if let Some(d) = &self.details {
            o.put("details", Json::string(d));
        }
        if let Some(s) = &self.syntax {
            o.put("syntax", Json::string(s));
        }
        if let Some(e) = &self.io_error {
            o.put("io-error", Json::string(e));
        }
        Json::Object(o)
    }
}

impl fmt::Display for OvsdbError {
    /// `ovsdb_error_to_string`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = &self.syntax {
            write!(f, "syntax \"{s}\": ")?;
        }
        f.write_str(&self.tag)?;
        if let Some(d) = &self.details {
            write!(f, ": {d}")?;
        }
        if let Some(e) = &self.io_error {
            write!(f, " ({e})")?;
        }
        Ok(())
    }
}

impl std::error::Error for OvsdbError {}

/// Which JSON types a member may have (`enum ovsdb_parser_types`).
pub mod op {
    pub const NULL: u32 = 1 << 0;
    pub const FALSE: u32 = 1 << 1;
    pub const TRUE: u32 = 1 << 2;
    pub const OBJECT: u32 = 1 << 3;
    pub const ARRAY: u32 = 1 << 4;
    pub const INTEGER: u32 = 1 << 5;
    pub const REAL: u32 = 1 << 6;
    pub const STRING: u32 = 1 << 7;
    pub const BOOLEAN: u32 = FALSE | TRUE;
    pub const NUMBER: u32 = INTEGER | REAL;
    pub const ANY: u32 = NULL | BOOLEAN | OBJECT | ARRAY | NUMBER | STRING;
    /// A string that is a valid `<id>`.
    pub const ID: u32 = 1 << 8;
    pub const OPTIONAL: u32 = 1 << 9;
}

fn type_bit(json: &Json) -> u32 {
    match json {
        Json::Null => op::NULL,
        Json::Bool(false) => op::FALSE,
        Json::Bool(true) => op::TRUE,
        Json::Object(_) => op::OBJECT,
        Json::Array(_) => op::ARRAY,
        Json::Integer(_) => op::INTEGER,
        Json::Real(_) => op::REAL,
        Json::String(_) => op::STRING,
    }
}

/// `ovsdb_parser_is_id`.
pub fn is_id(s: &str) -> bool {
    let b = s.as_bytes();
    match b.first() {
        Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {}
        _ => return false,
    }
    b[1..]
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

/// Validates the members of one JSON object as `ovsdb_parser` does, with the
/// same error texts ("Parsing NAME failed: ...").
pub struct MemberParser<'a> {
    name: String,
    json: &'a Json,
    object: Option<&'a Object>,
    used: Vec<String>,
    error: Option<OvsdbError>,
}

impl<'a> MemberParser<'a> {
    pub fn new(json: &'a Json, name: impl Into<String>) -> MemberParser<'a> {
        let mut p = MemberParser {
            name: name.into(),
            json,
            object: json.as_object(),
            used: Vec::new(),
            error: None,
        };
        if p.object.is_none() {
            p.raise("Object expected.".to_string());
        }
        p
    }

    pub fn raise(&mut self, message: String) {
        if self.error.is_none() {
            let json = self.object.map(|_| self.json);
            self.error = Some(OvsdbError::syntax(
                json,
                format!("Parsing {} failed: {message}", self.name),
            ));
        }
    }

    pub fn has_error(&self) -> bool {
        self.error.is_some()
    }

    pub fn member(&mut self, name: &str, types: u32) -> Option<&'a Json> {
        let object = self.object?;
        let Some(value) = object.get(name) else {
            if types & op::OPTIONAL == 0 {
                self.raise(format!("Required '{name}' member is missing."));
            }
            return None;
        };
        let id_ok = types & op::ID != 0 && value.as_str().is_some_and(is_id);
        if types & type_bit(value) != 0 || id_ok {
            if !self.used.iter().any(|u| u == name) {
                self.used.push(name.to_string());
            }
            Some(value)
        } else {
            self.raise(format!("Type mismatch for member '{name}'."));
            None
        }
    }

    /// Reports members that were never asked for (first in hash order, as
    /// OVS does), then returns the first error.
    pub fn finish(mut self) -> Result<(), OvsdbError> {
        if self.error.is_none()
            && let Some(object) = self.object
        {
            let n_unused = object.len() - self.used.len();
            if n_unused > 0 {
                let unused = object
                    .iter_hash_order()
                    .into_iter()
                    .map(|(k, _)| k)
                    .find(|k| !self.used.iter().any(|u| u == k));
                if let Some(name) = unused {
                    let msg = if n_unused > 1 {
                        format!(
                            "Member '{name}' and {} other member{} are present but not allowed here.",
                            n_unused - 1,
                            if n_unused > 2 { "s" } else { "" }
                        )
                    } else {
                        format!("Member '{name}' is present but not allowed here.")
                    };
                    self.raise(msg);
                }
            }
        }
        match self.error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// The first error so far, without the unused-member check.
    pub fn take_error(self) -> Option<OvsdbError> {
        self.error
    }
}
