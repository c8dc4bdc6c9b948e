//! Atoms: single values of one of the five atomic types.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use serde_json::Value;
use uuid::Uuid;

use crate::error::{Error, OvsdbError, Result};
use crate::json::{as_integer, as_real, format_g15, is_id, real_to_json, type_name};
use crate::schema::{AtomicType, BaseType, RefType};
use crate::str::Str;

/// One value.  Atoms of different types never meet inside a datum; the
/// ordering between types exists only to make `Ord` total.
#[derive(Clone, Debug)]
pub enum Atom {
    Integer(i64),
    Real(f64),
    Boolean(bool),
    String(Str),
    Uuid(Uuid),
}

impl Atom {
    pub fn atomic_type(&self) -> AtomicType {
        match self {
            Atom::Integer(_) => AtomicType::Integer,
            Atom::Real(_) => AtomicType::Real,
            Atom::Boolean(_) => AtomicType::Boolean,
            Atom::String(_) => AtomicType::String,
            Atom::Uuid(_) => AtomicType::Uuid,
        }
    }

    /// RFC 7047 defaults: 0, 0.0, false, "", all-zeros UUID.
    pub fn default_for(t: AtomicType) -> Atom {
        match t {
            AtomicType::Integer => Atom::Integer(0),
            AtomicType::Real => Atom::Real(0.0),
            AtomicType::Boolean => Atom::Boolean(false),
            AtomicType::String => Atom::String(Str::default()),
            AtomicType::Uuid => Atom::Uuid(Uuid::nil()),
        }
    }

    pub fn is_default(&self) -> bool {
        match self {
            Atom::Integer(i) => *i == 0,
            Atom::Real(r) => *r == 0.0,
            Atom::Boolean(b) => !*b,
            Atom::String(s) => s.is_empty(),
            Atom::Uuid(u) => u.is_nil(),
        }
    }

    pub fn as_uuid(&self) -> Option<&Uuid> {
        match self {
            Atom::Uuid(u) => Some(u),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Atom::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_integer(&self) -> Option<i64> {
        match self {
            Atom::Integer(i) => Some(*i),
            _ => None,
        }
    }

    pub fn string(s: &str) -> Atom {
        Atom::String(Str::new(s))
    }

    /// RFC 7047 JSON: numbers, booleans, strings, `["uuid", "..."]`.
    pub fn to_json(&self) -> Value {
        match self {
            Atom::Integer(i) => Value::from(*i),
            Atom::Real(r) => real_to_json(*r),
            Atom::Boolean(b) => Value::Bool(*b),
            Atom::String(s) => Value::String(s.to_string()),
            Atom::Uuid(u) => uuid_to_json(u),
        }
    }

    /// Parses an atom of type `base` (constraints checked), without
    /// named-UUID support.
    pub fn from_json(base: &BaseType, json: &Value) -> std::result::Result<Atom, OvsdbError> {
        Atom::parse(base, json, None).map_err(OvsdbError::from)
    }

    pub(crate) fn parse(
        base: &BaseType,
        json: &Value,
        symtab: Option<&mut SymbolTable>,
    ) -> Result<Atom> {
        let atom = Atom::parse_unchecked(base, json, symtab)?;
        atom.check_constraints_inner(base)?;
        Ok(atom)
    }

    fn parse_unchecked(
        base: &BaseType,
        json: &Value,
        symtab: Option<&mut SymbolTable>,
    ) -> Result<Atom> {
        let atom = match base.atomic {
            AtomicType::Integer => as_integer(json).map(Atom::Integer),
            AtomicType::Real => as_real(json).map(|r| Atom::Real(if r == 0.0 { 0.0 } else { r })),
            AtomicType::Boolean => json.as_bool().map(Atom::Boolean),
            AtomicType::String => json.as_str().map(|s| Atom::String(Str::new(s))),
            AtomicType::Uuid => return parse_uuid_atom(json, symtab, base).map(Atom::Uuid),
        };
        atom.ok_or_else(|| {
            Error::syntax(
                Some(json),
                "syntax error",
                format!("expected {}", base.atomic.as_str()),
            )
        })
    }

    /// Checks `enum`, range and length constraints.  References are
    /// checked at commit time instead.
    pub fn check_constraints(&self, base: &BaseType) -> std::result::Result<(), OvsdbError> {
        self.check_constraints_inner(base).map_err(OvsdbError::from)
    }

    pub(crate) fn check_constraints_inner(&self, base: &BaseType) -> Result<()> {
        if let Some(allowed) = &base.enum_values {
            if !allowed.contains_key(self) {
                return Err(Error::new(
                    "constraint violation",
                    format!(
                        "{} is not one of the allowed values ({})",
                        self.to_ovs_string(),
                        allowed.to_ovs_string(&BaseType::enum_type(base.atomic))
                    ),
                ));
            }
            return Ok(());
        }
        match self {
            Atom::Integer(i) => {
                let (min, max) = (base.min_integer, base.max_integer);
                if *i >= min && *i <= max {
                    Ok(())
                } else if min != i64::MIN {
                    if max != i64::MAX {
                        Err(Error::new(
                            "constraint violation",
                            format!("{i} is not in the valid range {min} to {max} (inclusive)"),
                        ))
                    } else {
                        Err(Error::new(
                            "constraint violation",
                            format!("{i} is less than minimum allowed value {min}"),
                        ))
                    }
                } else {
                    Err(Error::new(
                        "constraint violation",
                        format!("{i} is greater than maximum allowed value {max}"),
                    ))
                }
            }
            Atom::Real(r) => {
                let (min, max) = (base.min_real, base.max_real);
                if *r >= min && *r <= max {
                    Ok(())
                } else if min != -f64::MAX {
                    if max != f64::MAX {
                        Err(Error::new(
                            "constraint violation",
                            format!(
                                "{} is not in the valid range {} to {} (inclusive)",
                                format_g15(*r),
                                format_g15(min),
                                format_g15(max)
                            ),
                        ))
                    } else {
                        Err(Error::new(
                            "constraint violation",
                            format!(
                                "{} is less than minimum allowed value {}",
                                format_g15(*r),
                                format_g15(min)
                            ),
                        ))
                    }
                } else {
                    Err(Error::new(
                        "constraint violation",
                        format!(
                            "{} is greater than maximum allowed value {}",
                            format_g15(*r),
                            format_g15(max)
                        ),
                    ))
                }
            }
            Atom::String(s) => {
                let n = s.chars().count() as u64;
                if n < base.min_length as u64 {
                    Err(Error::new(
                        "constraint violation",
                        format!(
                            "\"{s}\" length {n} is less than minimum allowed length {}",
                            base.min_length
                        ),
                    ))
                } else if n > base.max_length as u64 {
                    Err(Error::new(
                        "constraint violation",
                        format!(
                            "\"{s}\" length {n} is greater than maximum allowed length {}",
                            base.max_length
                        ),
                    ))
                } else {
                    Ok(())
                }
            }
            Atom::Boolean(_) | Atom::Uuid(_) => Ok(()),
        }
    }

    /// The `ovsdb-vsctl`-style text form OVS uses in error messages.
    pub fn to_ovs_string(&self) -> String {
        match self {
            Atom::Integer(i) => i.to_string(),
            Atom::Real(r) => format_g15(*r),
            Atom::Boolean(b) => b.to_string(),
            Atom::String(s) => {
                if string_needs_quotes(s) {
                    serde_json::to_string(s.as_str()).unwrap_or_default()
                } else {
                    s.to_string()
                }
            }
            Atom::Uuid(u) => u.hyphenated().to_string(),
        }
    }

    fn type_rank(&self) -> u8 {
        match self {
            Atom::Integer(_) => 0,
            Atom::Real(_) => 1,
            Atom::Boolean(_) => 2,
            Atom::String(_) => 3,
            Atom::Uuid(_) => 4,
        }
    }
}

fn string_needs_quotes(s: &str) -> bool {
    let mut bytes = s.bytes();
    match bytes.next() {
        Some(c) if c.is_ascii_alphabetic() || c == b'_' => {}
        _ => return true,
    }
    if !bytes.all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.') {
        return true;
    }
    s == "true" || s == "false" || parse_uuid(s).is_some()
}

impl PartialEq for Atom {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Atom::Integer(a), Atom::Integer(b)) => a == b,
            (Atom::Real(a), Atom::Real(b)) => a == b,
            (Atom::Boolean(a), Atom::Boolean(b)) => a == b,
            (Atom::String(a), Atom::String(b)) => a == b,
            (Atom::Uuid(a), Atom::Uuid(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Atom {}

impl PartialOrd for Atom {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Atom {
    /// OVS's `ovsdb_atom_compare_3way()`: numeric order, false < true,
    /// byte-wise strings, UUIDs by their 32-bit words (the same as their
    /// text order).
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Atom::Integer(a), Atom::Integer(b)) => a.cmp(b),
            (Atom::Real(a), Atom::Real(b)) => a.partial_cmp(b).unwrap_or(Ordering::Equal),
            (Atom::Boolean(a), Atom::Boolean(b)) => a.cmp(b),
            (Atom::String(a), Atom::String(b)) => a.cmp(b),
            (Atom::Uuid(a), Atom::Uuid(b)) => a.as_u128().cmp(&b.as_u128()),
            _ => self.type_rank().cmp(&other.type_rank()),
        }
    }
}

impl Hash for Atom {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Atom::Integer(i) => i.hash(state),
            // 0.0 and -0.0 compare equal, so they must hash alike.
            Atom::Real(r) => (if *r == 0.0 { 0.0f64 } else { *r }).to_bits().hash(state),
            Atom::Boolean(b) => b.hash(state),
            Atom::String(s) => s.hash(state),
            Atom::Uuid(u) => u.hash(state),
        }
    }
}

/// `["uuid", "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"]`.
pub fn uuid_to_json(u: &Uuid) -> Value {
    Value::Array(vec![
        Value::String("uuid".into()),
        Value::String(u.hyphenated().to_string()),
    ])
}

/// Parses exactly the 36-character RFC 4122 form (either case), as OVS's
/// `uuid_from_string()` does; the `uuid` crate's other forms are rejected.
pub fn parse_uuid(s: &str) -> Option<Uuid> {
    let b = s.as_bytes();
    if b.len() != 36 {
        return None;
    }
    let mut out = [0u8; 16];
    let mut n = 0;
    let mut i = 0;
    while i < 36 {
        if matches!(i, 8 | 13 | 18 | 23) {
            if b[i] != b'-' {
                return None;
            }
            i += 1;
            continue;
        }
        let hi = hex_value(b[i])?;
        let lo = hex_value(b[i + 1])?;
        out[n] = (hi << 4) | lo;
        n += 1;
        i += 2;
    }
    Some(Uuid::from_bytes(out))
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn unwrap_pair<'a>(json: &'a Value, name: &str, want: &'static str) -> Option<&'a Value> {
    match json {
        Value::Array(a)
            if a.len() == 2 && a[0].as_str() == Some(name) && type_name(&a[1]) == want =>
        {
            Some(&a[1])
        }
        _ => None,
    }
}

fn parse_uuid_atom(
    json: &Value,
    symtab: Option<&mut SymbolTable>,
    base: &BaseType,
) -> Result<Uuid> {
    if let Some(s) = unwrap_pair(json, "uuid", "string").and_then(Value::as_str) {
        return parse_uuid(s).ok_or_else(|| {
            Error::syntax(
                Some(json),
                "syntax error",
                format!("\"{s}\" is not a valid UUID"),
            )
        });
    }
    let expected = || Error::syntax(Some(json), "syntax error", "expected [\"uuid\", <string>]");
    let Some(symtab) = symtab else {
        return Err(expected());
    };
    let Some(name) = unwrap_pair(json, "named-uuid", "string").and_then(Value::as_str) else {
        return Err(expected());
    };
    if !is_id(name) {
        return Err(Error::syntax(
            Some(json),
            "syntax error",
            "named-uuid string is not a valid <id>",
        ));
    }
    let symbol = symtab.insert(name);
    if base.is_ref() {
        match base.ref_type {
            RefType::Strong => symbol.strong_ref = true,
            RefType::Weak => symbol.weak_ref = true,
        }
    }
    Ok(symbol.uuid)
}

/// A fast pseudo-random UUID source (xoshiro256**), seeded once from the
/// operating system, so that every row and transaction does not cost a
/// system call.
#[derive(Clone, Debug)]
pub(crate) struct UuidGen {
    s: [u64; 4],
}

impl UuidGen {
    pub fn from_entropy() -> UuidGen {
        let a = Uuid::new_v4().as_u128();
        let b = Uuid::new_v4().as_u128();
        UuidGen::from_seed(a ^ (b << 7) ^ (b >> 3))
    }

    pub fn from_seed(seed: u128) -> UuidGen {
        let mut x = (seed as u64) ^ ((seed >> 64) as u64).rotate_left(29);
        let mut split = || {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        UuidGen {
            s: [split(), split(), split(), split()],
        }
    }

    fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// A random (version 4) UUID.
    pub fn generate(&mut self) -> Uuid {
        let hi = self.next_u64();
        let lo = self.next_u64();
        uuid::Builder::from_random_bytes(((hi as u128) << 64 | lo as u128).to_be_bytes())
            .into_uuid()
    }
}

/// A named UUID from `uuid-name` / `["named-uuid", ...]`.
#[derive(Clone, Debug)]
pub(crate) struct Symbol {
    pub uuid: Uuid,
    /// Set once an `insert` has used the name.
    pub created: bool,
    pub strong_ref: bool,
    pub weak_ref: bool,
}

/// The named UUIDs of one transaction.
pub(crate) struct SymbolTable {
    symbols: HashMap<String, Symbol>,
    pub uuids: UuidGen,
}

impl SymbolTable {
    pub fn new(uuids: UuidGen) -> SymbolTable {
        SymbolTable {
            symbols: HashMap::new(),
            uuids,
        }
    }

    /// The symbol `name`, created with a fresh UUID on first use.
    pub fn insert(&mut self, name: &str) -> &mut Symbol {
        let uuids = &mut self.uuids;
        self.symbols
            .entry(name.to_string())
            .or_insert_with(|| Symbol {
                uuid: uuids.generate(),
                created: false,
                strong_ref: false,
                weak_ref: false,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn uuid_strict() {
        let u = parse_uuid("7537C28C-97a4-4839-b910-f5cb6cd9bc3b").unwrap();
        assert_eq!(
            u.hyphenated().to_string(),
            "7537c28c-97a4-4839-b910-f5cb6cd9bc3b"
        );
        assert!(parse_uuid("7537c28c97a44839b910f5cb6cd9bc3b").is_none());
        assert!(parse_uuid("{7537c28c-97a4-4839-b910-f5cb6cd9bc3b}").is_none());
        assert!(parse_uuid("7537c28c-97a4-4839-b910-f5cb6cd9bc3g").is_none());
    }

    #[test]
    fn parse_errors() {
        let int = BaseType::new(AtomicType::Integer);
        let e = Atom::parse(&int, &json!("x"), None).unwrap_err();
        assert_eq!(e.details, "expected integer");
        assert_eq!(e.syntax.as_deref(), Some("\"x\""));
        assert!(Atom::parse(&int, &json!(1.5), None).is_err());
        assert_eq!(
            Atom::parse(&int, &json!(2.0), None).unwrap(),
            Atom::Integer(2)
        );
        let real = BaseType::new(AtomicType::Real);
        assert_eq!(
            Atom::parse(&real, &json!(2), None).unwrap(),
            Atom::Real(2.0)
        );
        let u = BaseType::new(AtomicType::Uuid);
        let e = Atom::parse(&u, &json!(["named-uuid", "a"]), None).unwrap_err();
        assert_eq!(e.details, "expected [\"uuid\", <string>]");
        let e = Atom::parse(&u, &json!(["uuid", "zz"]), None).unwrap_err();
        assert_eq!(e.details, "\"zz\" is not a valid UUID");
        let mut st = SymbolTable::new(UuidGen::from_seed(1));
        let a = Atom::parse(&u, &json!(["named-uuid", "a"]), Some(&mut st)).unwrap();
        let b = Atom::parse(&u, &json!(["named-uuid", "a"]), Some(&mut st)).unwrap();
        assert_eq!(a, b);
        let e = Atom::parse(&u, &json!(["named-uuid", "1a"]), Some(&mut st)).unwrap_err();
        assert_eq!(e.details, "named-uuid string is not a valid <id>");
    }

    #[test]
    fn constraints() {
        let mut b = BaseType::new(AtomicType::Integer);
        b.min_integer = 0;
        b.max_integer = 4095;
        let e = Atom::parse(&b, &json!(5000), None).unwrap_err();
        assert_eq!(e.tag, "constraint violation");
        assert_eq!(
            e.details,
            "5000 is not in the valid range 0 to 4095 (inclusive)"
        );
        b.max_integer = i64::MAX;
        assert_eq!(
            Atom::parse(&b, &json!(-1), None).unwrap_err().details,
            "-1 is less than minimum allowed value 0"
        );
        let mut s = BaseType::new(AtomicType::String);
        s.max_length = 2;
        assert_eq!(
            Atom::parse(&s, &json!("abc"), None).unwrap_err().details,
            "\"abc\" length 3 is greater than maximum allowed length 2"
        );
        let mut r = BaseType::new(AtomicType::Real);
        r.min_real = 0.5;
        assert_eq!(
            Atom::parse(&r, &json!(0.25), None).unwrap_err().details,
            "0.25 is less than minimum allowed value 0.5"
        );
    }

    #[test]
    fn ovs_strings() {
        assert_eq!(Atom::string("abc").to_ovs_string(), "abc");
        assert_eq!(Atom::string("a b").to_ovs_string(), "\"a b\"");
        assert_eq!(Atom::string("true").to_ovs_string(), "\"true\"");
        assert_eq!(Atom::string("").to_ovs_string(), "\"\"");
        assert_eq!(Atom::string("in-band").to_ovs_string(), "in-band");
        assert_eq!(Atom::Real(1.5).to_ovs_string(), "1.5");
    }

    #[test]
    fn ordering() {
        assert!(Atom::string("B") < Atom::string("a"));
        assert!(Atom::Boolean(false) < Atom::Boolean(true));
        assert_eq!(Atom::Real(0.0), Atom::Real(-0.0));
        let a = parse_uuid("00000000-0000-0000-0000-0000000000ff").unwrap();
        let b = parse_uuid("00000001-0000-0000-0000-000000000000").unwrap();
        assert!(Atom::Uuid(a) < Atom::Uuid(b));
    }

    #[test]
    fn generator_is_v4_and_distinct() {
        let mut g = UuidGen::from_seed(42);
        let a = g.generate();
        let b = g.generate();
        assert_ne!(a, b);
        assert_eq!(a.get_version_num(), 4);
    }
}
