//! A JSON object member reader that reports problems in OVS's words
//! (`Parsing <what> failed: Required 'x' member is missing.`).  The first
//! problem wins; `finish()` also rejects members nobody asked for.

use serde_json::{Map, Value};

use crate::error::Error;
use crate::json::{as_integer, is_id};

pub(crate) const OP_NULL: u16 = 1 << 0;
pub(crate) const OP_FALSE: u16 = 1 << 1;
pub(crate) const OP_TRUE: u16 = 1 << 2;
pub(crate) const OP_OBJECT: u16 = 1 << 3;
pub(crate) const OP_ARRAY: u16 = 1 << 4;
pub(crate) const OP_INTEGER: u16 = 1 << 5;
pub(crate) const OP_REAL: u16 = 1 << 6;
pub(crate) const OP_STRING: u16 = 1 << 7;
pub(crate) const OP_BOOLEAN: u16 = OP_TRUE | OP_FALSE;
pub(crate) const OP_NUMBER: u16 = OP_INTEGER | OP_REAL;
pub(crate) const OP_ANY: u16 = OP_NULL | OP_BOOLEAN | OP_OBJECT | OP_ARRAY | OP_NUMBER | OP_STRING;
/// A string that is a valid `<id>`.
pub(crate) const OP_ID: u16 = 1 << 8;
pub(crate) const OP_OPTIONAL: u16 = 1 << 9;

/// What a parser is reading, for its error messages.  Kept unformatted so
/// that the common, error-free path does not allocate.
pub(crate) enum ParserName<'a> {
    Static(&'static str),
    Operation { index: usize, count: usize },
    Prefixed(&'static str, &'a str, &'static str),
}

impl ParserName<'_> {
    fn render(&self) -> String {
        match self {
            ParserName::Static(s) => (*s).to_string(),
            ParserName::Operation { index, count } => format!("ovsdb operation {index} of {count}"),
            ParserName::Prefixed(a, b, c) => format!("{a}{b}{c}"),
        }
    }
}

pub(crate) struct Parser<'a> {
    json: &'a Value,
    object: Option<&'a Map<String, Value>>,
    name: ParserName<'a>,
    used: Vec<&'a str>,
    error: Option<Error>,
}

fn type_bit(v: &Value) -> u16 {
    match v {
        Value::Null => OP_NULL,
        Value::Bool(false) => OP_FALSE,
        Value::Bool(true) => OP_TRUE,
        Value::Object(_) => OP_OBJECT,
        Value::Array(_) => OP_ARRAY,
        Value::Number(_) => {
            if as_integer(v).is_some() {
                OP_INTEGER
            } else {
                OP_REAL
            }
        }
        Value::String(_) => OP_STRING,
    }
}

impl<'a> Parser<'a> {
    pub fn new(json: &'a Value, name: ParserName<'a>) -> Self {
        let mut p = Parser {
            json,
            object: json.as_object(),
            name,
            used: Vec::new(),
            error: None,
        };
        if p.object.is_none() {
            p.raise("Object expected.");
        }
        p
    }

    /// Returns the member `name` if it is present with one of the `types`;
    /// otherwise records an error (unless it is absent and optional).
    pub fn member(&mut self, name: &'a str, types: u16) -> Option<&'a Value> {
        let object = self.object?;
        let Some((key, value)) = object.get_key_value(name) else {
            if types & OP_OPTIONAL == 0 {
                self.raise(&format!("Required '{name}' member is missing."));
            }
            return None;
        };
        let ok = types & type_bit(value) != 0
            || (types & OP_ID != 0 && value.as_str().is_some_and(is_id));
        if ok {
            if !self.used.contains(&key.as_str()) {
                self.used.push(key.as_str());
            }
            Some(value)
        } else {
            self.raise(&format!("Type mismatch for member '{name}'."));
            None
        }
    }

    pub fn raise(&mut self, message: &str) {
        if self.error.is_none() {
            let details = format!("Parsing {} failed: {}", self.name.render(), message);
            // OVS quotes the JSON only when it was an object at all.
            let syntax = self.object.map(|_| self.json);
            self.error = Some(Error::syntax(syntax, "syntax error", details));
        }
    }

    /// The JSON being parsed.
    pub fn json(&self) -> &'a Value {
        self.json
    }

    pub fn get_error(&self) -> Option<Error> {
        self.error.clone()
    }

    /// Ends parsing: the first recorded error, or a complaint about members
    /// that were present but never asked for.
    pub fn finish(mut self) -> Option<Error> {
        if self.error.is_none()
            && let Some(object) = self.object
        {
            let n_unused = object.len() - self.used.len();
            if n_unused > 0
                && let Some(first) = object.keys().find(|k| !self.used.contains(&k.as_str()))
            {
                let message = if n_unused > 1 {
                    format!(
                        "Member '{first}' and {} other member{} are present but not allowed here.",
                        n_unused - 1,
                        if n_unused > 2 { "s" } else { "" }
                    )
                } else {
                    format!("Member '{first}' is present but not allowed here.")
                };
                self.raise(&message);
            }
        }
        self.error
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn messages() {
        let v = json!({"op": "select", "foo": 1, "bar": 2});
        let mut p = Parser::new(&v, ParserName::Operation { index: 1, count: 1 });
        assert!(p.member("op", OP_ID).is_some());
        let e = p.finish().unwrap();
        assert_eq!(
            e.details,
            "Parsing ovsdb operation 1 of 1 failed: Member 'bar' and 1 other member are present but not allowed here."
        );

        let v = json!({"op": "select"});
        let mut p = Parser::new(&v, ParserName::Static("x"));
        assert!(p.member("where", OP_ARRAY).is_none());
        assert_eq!(
            p.finish().unwrap().details,
            "Parsing x failed: Required 'where' member is missing."
        );

        let v = json!({"timeout": 1.5});
        let mut p = Parser::new(&v, ParserName::Static("x"));
        assert!(p.member("timeout", OP_INTEGER).is_none());
        assert!(
            p.finish()
                .unwrap()
                .details
                .ends_with("Type mismatch for member 'timeout'.")
        );

        let v = json!([1]);
        let p = Parser::new(&v, ParserName::Static("x"));
        assert_eq!(
            p.finish().unwrap().details,
            "Parsing x failed: Object expected."
        );
    }
}
