//! OVSDB errors: the `{"error": ..., "details": ...}` objects of RFC 7047.

use std::fmt;

use serde_json::{Map, Value};

/// An OVSDB error as the protocol reports it: a short fixed tag ("syntax
/// error", "constraint violation", "referential integrity violation", ...)
/// and a human-readable explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OvsdbError {
    /// The RFC 7047 error tag, e.g. `"constraint violation"`.
    pub error: &'static str,
    /// Free-form explanation; empty when there is none.
    pub details: String,
    /// The offending JSON as compact text with sorted keys (OVS's
    /// `"syntax"` extension member), when the error quotes its input.
    pub syntax: Option<String>,
}

impl OvsdbError {
    /// Builds an error from its tag and details.
    pub fn new(error: &'static str, details: impl Into<String>) -> Self {
        OvsdbError {
            error,
            details: details.into(),
            syntax: None,
        }
    }

    /// A "syntax error" with the given details.
    pub fn syntax(details: impl Into<String>) -> Self {
        OvsdbError::new("syntax error", details)
    }

    /// `{"error": ..., "details": ..., "syntax": ...}`, omitting empty
    /// details and a missing syntax as OVS omits them.
    pub fn to_json(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("error".into(), Value::String(self.error.into()));
        if !self.details.is_empty() {
            obj.insert("details".into(), Value::String(self.details.clone()));
        }
        if let Some(syntax) = &self.syntax {
            obj.insert("syntax".into(), Value::String(syntax.clone()));
        }
        Value::Object(obj)
    }
}

impl fmt::Display for OvsdbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.details.is_empty() {
            f.write_str(self.error)
        } else {
            write!(f, "{}: {}", self.error, self.details)
        }
    }
}

impl std::error::Error for OvsdbError {}

/// The engine's working error, convertible both ways with [`OvsdbError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Error {
    pub tag: &'static str,
    pub details: String,
    pub syntax: Option<String>,
}

impl Error {
    pub fn new(tag: &'static str, details: impl Into<String>) -> Self {
        Error {
            tag,
            details: details.into(),
            syntax: None,
        }
    }

    /// An error whose "syntax" member quotes `json`, as OVS's
    /// `ovsdb_syntax_error()` does.
    pub fn syntax(json: Option<&Value>, tag: &'static str, details: impl Into<String>) -> Self {
        Error {
            tag,
            details: details.into(),
            syntax: json.map(|j| serde_json::to_string(j).unwrap_or_default()),
        }
    }

    pub fn to_json(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("error".into(), Value::String(self.tag.into()));
        if !self.details.is_empty() {
            obj.insert("details".into(), Value::String(self.details.clone()));
        }
        if let Some(syntax) = &self.syntax {
            obj.insert("syntax".into(), Value::String(syntax.clone()));
        }
        Value::Object(obj)
    }
}

impl From<Error> for OvsdbError {
    fn from(e: Error) -> Self {
        OvsdbError {
            error: e.tag,
            details: e.details,
            syntax: e.syntax,
        }
    }
}

impl From<OvsdbError> for Error {
    fn from(e: OvsdbError) -> Self {
        Error {
            tag: e.error,
            details: e.details,
            syntax: e.syntax,
        }
    }
}

pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_json_shapes() {
        let e = OvsdbError::new("constraint violation", "too many rows");
        assert_eq!(
            e.to_json(),
            serde_json::json!({"error": "constraint violation", "details": "too many rows"})
        );
        assert_eq!(
            OvsdbError::new("aborted", "").to_json(),
            serde_json::json!({"error": "aborted"})
        );
        let inner = Error::syntax(
            Some(&serde_json::json!({"b": 1, "a": [2]})),
            "syntax error",
            "x",
        );
        assert_eq!(inner.syntax.as_deref(), Some(r#"{"a":[2],"b":1}"#));
        assert_eq!(e.to_string(), "constraint violation: too many rows");
    }
}
