//! OVSDB column types (`lib/ovsdb-types.c`): atomic types, base types with
//! their constraints, and full types with `min`/`max`.

use super::data::{Atom, Datum};
use super::error::{MemberParser, OvsdbError, op};
use crate::json::{Json, Object};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AtomicType {
    Integer,
    Real,
    Boolean,
    String,
    Uuid,
}

impl AtomicType {
    pub fn name(self) -> &'static str {
        match self {
            AtomicType::Integer => "integer",
            AtomicType::Real => "real",
            AtomicType::Boolean => "boolean",
            AtomicType::String => "string",
            AtomicType::Uuid => "uuid",
        }
    }

    pub fn from_name(s: &str) -> Option<AtomicType> {
        Some(match s {
            "integer" => AtomicType::Integer,
            "real" => AtomicType::Real,
            "boolean" => AtomicType::Boolean,
            "string" => AtomicType::String,
            "uuid" => AtomicType::Uuid,
            _ => return None,
        })
    }

    fn from_json(json: &Json) -> Result<AtomicType, OvsdbError> {
        match json {
            Json::String(s) => AtomicType::from_name(s).ok_or_else(|| {
                OvsdbError::syntax(Some(json), format!("\"{s}\" is not an atomic-type"))
            }),
            _ => Err(OvsdbError::syntax(Some(json), "atomic-type expected")),
        }
    }
}

/// How a reference column holds its target rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefType {
    Strong,
    Weak,
}

/// An atomic type plus constraints (`struct ovsdb_base_type`).
#[derive(Debug, Clone, PartialEq)]
pub struct BaseType {
    pub atomic: AtomicType,
    /// Allowed values, sorted and unique.
    pub enum_: Option<Datum>,
    pub min_integer: i64,
    pub max_integer: i64,
    pub min_real: f64,
    pub max_real: f64,
    pub min_length: u32,
    pub max_length: u32,
    pub ref_table: Option<String>,
    pub ref_type: RefType,
}

impl BaseType {
    pub fn new(atomic: AtomicType) -> BaseType {
        BaseType {
            atomic,
            enum_: None,
            min_integer: i64::MIN,
            max_integer: i64::MAX,
            min_real: -f64::MAX,
            max_real: f64::MAX,
            min_length: 0,
            max_length: u32::MAX,
            ref_table: None,
            ref_type: RefType::Strong,
        }
    }

    /// The same atomic type without constraints.
    pub fn unconstrained(&self) -> BaseType {
        BaseType::new(self.atomic)
    }

    pub fn has_constraints(&self) -> bool {
        if self.enum_.is_some() {
            return true;
        }
        match self.atomic {
            AtomicType::Integer => self.min_integer != i64::MIN || self.max_integer != i64::MAX,
            AtomicType::Real => self.min_real != -f64::MAX || self.max_real != f64::MAX,
            AtomicType::Boolean => false,
            AtomicType::String => self.min_length != 0 || self.max_length != u32::MAX,
            AtomicType::Uuid => self.ref_table.is_some(),
        }
    }

    pub fn is_strong_ref(&self) -> bool {
        self.atomic == AtomicType::Uuid
            && self.ref_table.is_some()
            && self.ref_type == RefType::Strong
    }

    pub fn is_weak_ref(&self) -> bool {
        self.atomic == AtomicType::Uuid
            && self.ref_table.is_some()
            && self.ref_type == RefType::Weak
    }

    /// The type of an `enum` member: a set of 1 or more atoms.
    pub fn enum_type(atomic: AtomicType) -> Type {
        Type {
            key: BaseType::new(atomic),
            value: None,
            n_min: 1,
            n_max: u32::MAX,
        }
    }

    pub fn from_json(json: &Json) -> Result<BaseType, OvsdbError> {
        if json.as_str().is_some() {
            return Ok(BaseType::new(AtomicType::from_json(json)?));
        }
        let mut p = MemberParser::new(json, "ovsdb type");
        let type_json = p.member("type", op::STRING);
        let Some(type_json) = type_json else {
            return match p.finish() {
                Err(e) => Err(e),
                Ok(()) => Err(OvsdbError::syntax(Some(json), "ovsdb type expected")),
            };
        };
        if p.has_error() {
            return p.finish().map(|_| BaseType::new(AtomicType::Integer));
        }
        let atomic = AtomicType::from_json(type_json)?;
        let mut base = BaseType::new(atomic);
        let mut error: Option<OvsdbError> = None;

        if let Some(e) = p.member("enum", op::ANY | op::OPTIONAL) {
            match Datum::from_json(&BaseType::enum_type(atomic), e) {
                Ok(d) => base.enum_ = Some(d),
                Err(err) => error = Some(err),
            }
        } else {
            match atomic {
                AtomicType::Integer => {
                    let min = p.member("minInteger", op::INTEGER | op::OPTIONAL);
                    let max = p.member("maxInteger", op::INTEGER | op::OPTIONAL);
                    if let Some(Json::Integer(v)) = min {
                        base.min_integer = *v;
                    }
                    if let Some(Json::Integer(v)) = max {
                        base.max_integer = *v;
                    }
                    if base.min_integer > base.max_integer {
                        error = Some(OvsdbError::syntax(
                            Some(json),
                            "minInteger exceeds maxInteger",
                        ));
                    }
                }
                AtomicType::Real => {
                    let min = p.member("minReal", op::NUMBER | op::OPTIONAL);
                    let max = p.member("maxReal", op::NUMBER | op::OPTIONAL);
                    if let Some(v) = min.and_then(json_real) {
                        base.min_real = v;
                    }
                    if let Some(v) = max.and_then(json_real) {
                        base.max_real = v;
                    }
                    if base.min_real > base.max_real {
                        error = Some(OvsdbError::syntax(Some(json), "minReal exceeds maxReal"));
                    }
                }
                AtomicType::String => {
                    match optional_uint(&mut p, "minLength") {
                        Ok(Some(v)) => base.min_length = v,
                        Ok(None) => {}
                        Err(e) => error = Some(e),
                    }
                    if error.is_none() {
                        match optional_uint(&mut p, "maxLength") {
                            Ok(Some(v)) => base.max_length = v,
                            Ok(None) => {}
                            Err(e) => error = Some(e),
                        }
                    }
                    if error.is_none() && base.min_length > base.max_length {
                        error = Some(OvsdbError::syntax(
                            Some(json),
                            "minLength exceeds maxLength",
                        ));
                    }
                }
                AtomicType::Uuid => {
                    if let Some(rt) = p.member("refTable", op::ID | op::OPTIONAL) {
                        base.ref_table = rt.as_str().map(str::to_string);
                        if let Some(kind) = p.member("refType", op::ID | op::OPTIONAL) {
                            match kind.as_str() {
                                Some("strong") => base.ref_type = RefType::Strong,
                                Some("weak") => base.ref_type = RefType::Weak,
                                other => {
                                    error = Some(OvsdbError::syntax(
                                        Some(json),
                                        format!(
                                            "refType must be \"strong\" or \"weak\" (not \"{}\")",
                                            other.unwrap_or("")
                                        ),
                                    ))
                                }
                            }
                        }
                    }
                }
                AtomicType::Boolean => {}
            }
        }

        match error {
            Some(e) => Err(e),
            None => p.finish().map(|()| base),
        }
    }

    pub fn to_json(&self) -> Json {
        if !self.has_constraints() {
            return Json::string(self.atomic.name());
        }
        let mut o = Object::new();
        o.put("type", Json::string(self.atomic.name()));
        if let Some(e) = &self.enum_ {
            o.put("enum", e.to_json(&BaseType::enum_type(self.atomic)));
        }
        match self.atomic {
            AtomicType::Integer => {
                if self.min_integer != i64::MIN {
                    o.put("minInteger", Json::Integer(self.min_integer));
                }
                if self.max_integer != i64::MAX {
                    o.put("maxInteger", Json::Integer(self.max_integer));
                }
            }
            AtomicType::Real => {
                if self.min_real != -f64::MAX {
                    o.put("minReal", Json::Real(self.min_real));
                }
                if self.max_real != f64::MAX {
                    o.put("maxReal", Json::Real(self.max_real));
                }
            }
            AtomicType::Boolean => {}
            AtomicType::String => {
                if self.min_length != 0 {
                    o.put("minLength", Json::Integer(i64::from(self.min_length)));
                }
                if self.max_length != u32::MAX {
                    o.put("maxLength", Json::Integer(i64::from(self.max_length)));
                }
            }
            AtomicType::Uuid => {
                if let Some(t) = &self.ref_table {
                    o.put("refTable", Json::string(t));
                    if self.ref_type == RefType::Weak {
                        o.put("refType", Json::string("weak"));
                    }
                }
            }
        }
        Json::Object(o)
    }

    /// `ovsdb_atom_check_constraints`.
    pub fn check(&self, atom: &Atom) -> Result<(), OvsdbError> {
        if let Some(e) = &self.enum_
            && !e.keys.iter().any(|k| k.compare(atom).is_eq())
        {
            return Err(OvsdbError::constraint(format!(
                "{} is not one of the allowed values ({})",
                atom.to_ovs_string(),
                e.to_ovs_string(&BaseType::enum_type(self.atomic))
            )));
        }
        match atom {
            Atom::Integer(v) => {
                let v = *v;
                if v >= self.min_integer && v <= self.max_integer {
                    Ok(())
                } else if self.min_integer != i64::MIN {
                    if self.max_integer != i64::MAX {
                        Err(OvsdbError::constraint(format!(
                            "{v} is not in the valid range {} to {} (inclusive)",
                            self.min_integer, self.max_integer
                        )))
                    } else {
                        Err(OvsdbError::constraint(format!(
                            "{v} is less than minimum allowed value {}",
                            self.min_integer
                        )))
                    }
                } else {
                    Err(OvsdbError::constraint(format!(
                        "{v} is greater than maximum allowed value {}",
                        self.max_integer
                    )))
                }
            }
            Atom::Real(v) => {
                let g = |x: f64| crate::cfmt::format_g(x, 15);
                let v = *v;
                if v >= self.min_real && v <= self.max_real {
                    Ok(())
                } else if self.min_real != -f64::MAX {
                    if self.max_real != f64::MAX {
                        Err(OvsdbError::constraint(format!(
                            "{} is not in the valid range {} to {} (inclusive)",
                            g(v),
                            g(self.min_real),
                            g(self.max_real)
                        )))
                    } else {
                        Err(OvsdbError::constraint(format!(
                            "{} is less than minimum allowed value {}",
                            g(v),
                            g(self.min_real)
                        )))
                    }
                } else {
                    Err(OvsdbError::constraint(format!(
                        "{} is greater than maximum allowed value {}",
                        g(v),
                        g(self.max_real)
                    )))
                }
            }
            Atom::String(s) => {
                let n = s.chars().count();
                if n < self.min_length as usize {
                    Err(OvsdbError::constraint(format!(
                        "\"{s}\" length {n} is less than minimum allowed length {}",
                        self.min_length
                    )))
                } else if n > self.max_length as usize {
                    Err(OvsdbError::constraint(format!(
                        "\"{s}\" length {n} is greater than maximum allowed length {}",
                        self.max_length
                    )))
                } else {
                    Ok(())
                }
            }
            Atom::Boolean(_) | Atom::Uuid(_) => Ok(()),
        }
    }
}

fn json_real(json: &Json) -> Option<f64> {
    match json {
        Json::Integer(i) => Some(*i as f64),
        Json::Real(r) => Some(*r),
        _ => None,
    }
}

fn optional_uint(p: &mut MemberParser<'_>, name: &str) -> Result<Option<u32>, OvsdbError> {
    match p.member(name, op::INTEGER | op::OPTIONAL) {
        Some(j @ Json::Integer(v)) => {
            if *v < 0 || *v > i64::from(u32::MAX) {
                Err(OvsdbError::syntax(
                    Some(j),
                    format!("{name} out of valid range 0 to {}", u32::MAX),
                ))
            } else {
                Ok(Some(*v as u32))
            }
        }
        _ => Ok(None),
    }
}

/// A column type (`struct ovsdb_type`): a key type, an optional value type
/// (then it is a map), and the allowed number of elements.
#[derive(Debug, Clone, PartialEq)]
pub struct Type {
    pub key: BaseType,
    pub value: Option<BaseType>,
    pub n_min: u32,
    /// `u32::MAX` is "unlimited".
    pub n_max: u32,
}

impl Type {
    pub fn scalar(atomic: AtomicType) -> Type {
        Type {
            key: BaseType::new(atomic),
            value: None,
            n_min: 1,
            n_max: 1,
        }
    }

    pub fn is_map(&self) -> bool {
        self.value.is_some()
    }

    pub fn is_scalar(&self) -> bool {
        self.value.is_none() && self.n_min == 1 && self.n_max == 1
    }

    pub fn is_optional_scalar(&self) -> bool {
        self.value.is_none() && self.n_min == 0 && self.n_max == 1
    }

    pub fn is_set(&self) -> bool {
        self.value.is_none() && (self.n_min != 1 || self.n_max != 1)
    }

    /// The same shape without any constraints (as
    /// `ovsdb_unconstrained_datum_from_json` relaxes it).
    pub fn unconstrained(&self) -> Type {
        Type {
            key: self.key.unconstrained(),
            value: self.value.as_ref().map(BaseType::unconstrained),
            n_min: 0,
            n_max: u32::MAX,
        }
    }

    /// Only the element count relaxed (`ovsdb_transient_datum_from_json`).
    pub fn relaxed(&self) -> Type {
        Type {
            n_min: 0,
            n_max: u32::MAX,
            ..self.clone()
        }
    }

    pub fn from_json(json: &Json) -> Result<Type, OvsdbError> {
        match json {
            Json::String(_) => Ok(Type {
                key: BaseType::from_json(json)?,
                value: None,
                n_min: 1,
                n_max: 1,
            }),
            Json::Object(_) => {
                let mut p = MemberParser::new(json, "ovsdb type");
                let key = p.member("key", op::STRING | op::OBJECT);
                let value = p.member("value", op::STRING | op::OBJECT | op::OPTIONAL);
                let min = p.member("min", op::INTEGER | op::OPTIONAL);
                let max = p.member("max", op::INTEGER | op::STRING | op::OPTIONAL);
                p.finish()?;
                let key =
                    key.ok_or_else(|| OvsdbError::syntax(Some(json), "ovsdb type expected"))?;
                let key = BaseType::from_json(key)?;
                let value = value.map(BaseType::from_json).transpose()?;
                let n_min = match min {
                    None => 1,
                    Some(m) => n_from_json(m)?,
                };
                let n_max = match max {
                    None => 1,
                    Some(Json::String(s)) if s == "unlimited" => u32::MAX,
                    Some(m) => n_from_json(m)?,
                };
                let t = Type {
                    key,
                    value,
                    n_min,
                    n_max,
                };
                let valid = t.n_min <= 1
                    && t.n_max >= 1
                    && base_valid(&t.key)
                    && t.value.as_ref().is_none_or(base_valid);
                if !valid {
                    return Err(OvsdbError::syntax(
                        Some(json),
                        "ovsdb type fails constraint checks",
                    ));
                }
                Ok(t)
            }
            _ => Err(OvsdbError::syntax(Some(json), "ovsdb type expected")),
        }
    }

    pub fn to_json(&self) -> Json {
        if self.is_scalar() && !self.key.has_constraints() {
            return self.key.to_json();
        }
        let mut o = Object::new();
        o.put("key", self.key.to_json());
        if let Some(v) = &self.value {
            o.put("value", v.to_json());
        }
        if self.n_min != 1 {
            o.put("min", Json::Integer(i64::from(self.n_min)));
        }
        if self.n_max == u32::MAX {
            o.put("max", Json::string("unlimited"));
        } else if self.n_max != 1 {
            o.put("max", Json::Integer(i64::from(self.n_max)));
        }
        Json::Object(o)
    }

    /// `ovsdb_type_to_english`.
    pub fn to_english(&self) -> String {
        let key = self.key.atomic.name();
        if self.is_scalar() {
            return key.to_string();
        }
        let mut s = String::from(if self.is_map() { "map" } else { "set" });
        if self.n_max == u32::MAX {
            if self.n_min > 0 {
                s.push_str(&format!(" of {} or more", self.n_min));
            } else {
                s.push_str(" of");
            }
        } else if self.n_min > 0 {
            s.push_str(&format!(" of {} to {}", self.n_min, self.n_max));
        } else {
            s.push_str(&format!(" of up to {}", self.n_max));
        }
        match &self.value {
            None => s.push_str(&format!(" {key}s")),
            Some(v) => s.push_str(&format!(" ({key}, {}) pairs", v.atomic.name())),
        }
        s
    }
}

fn base_valid(b: &BaseType) -> bool {
    match b.atomic {
        AtomicType::Integer => b.min_integer <= b.max_integer,
        AtomicType::Real => b.min_real <= b.max_real,
        AtomicType::String => b.min_length <= b.max_length,
        AtomicType::Boolean | AtomicType::Uuid => true,
    }
}

fn n_from_json(json: &Json) -> Result<u32, OvsdbError> {
    match json {
        Json::Integer(v) if *v >= 0 && *v < i64::from(u32::MAX) => Ok(*v as u32),
        _ => Err(OvsdbError::syntax(Some(json), "bad min or max value")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    fn round(text: &str) -> String {
        let j = parse(&format!("[{text}]")).unwrap();
        let t = Type::from_json(&j.as_array().unwrap()[0]).unwrap();
        t.to_json().to_sorted_string()
    }

    #[test]
    fn types_round_trip_like_ovs() {
        assert_eq!(round(r#""string""#), r#""string""#);
        assert_eq!(
            round(r#"{"key":{"type":"uuid","refTable":"Port"},"min":0,"max":"unlimited"}"#),
            r#"{"key":{"refTable":"Port","type":"uuid"},"max":"unlimited","min":0}"#
        );
        assert_eq!(
            round(
                r#"{"key":{"type":"integer","minInteger":0,"maxInteger":4095},"min":0,"max":4096}"#
            ),
            r#"{"key":{"maxInteger":4095,"minInteger":0,"type":"integer"},"max":4096,"min":0}"#
        );
        assert_eq!(
            round(r#"{"key":{"type":"string","enum":["set",["b","a"]]}}"#),
            r#"{"key":{"enum":["set",["a","b"]],"type":"string"}}"#
        );
        assert_eq!(
            round(r#"{"key":{"type":"string","enum":"x"},"min":0}"#),
            r#"{"key":{"enum":"x","type":"string"},"min":0}"#
        );
    }

    #[test]
    fn errors_match_ovs() {
        let j = parse(r#"[{"key":"string","foo":1}]"#).unwrap();
        let e = Type::from_json(&j.as_array().unwrap()[0]).unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"syntax "{"foo":1,"key":"string"}": syntax error: Parsing ovsdb type failed: Member 'foo' is present but not allowed here."#
        );
    }
}
