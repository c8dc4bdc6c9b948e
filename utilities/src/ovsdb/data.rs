//! OVSDB atoms and datums (`lib/ovsdb-data.c`): parsing from the RFC 7047
//! JSON notation, printing back to JSON, and OVS's text forms (the one
//! `ovs-vsctl` and `ovsdb-client` print, and the "bare" one).

use std::cmp::Ordering;
use std::fmt;

use super::error::OvsdbError;
use super::types::{AtomicType, BaseType, Type};
use crate::cfmt::format_g;
use crate::json::Json;

/// A UUID as OVS stores it: four 32-bit words, compared word by word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Uuid(pub [u32; 4]);

impl Uuid {
    pub const ZERO: Uuid = Uuid([0; 4]);

    /// `uuid_from_string_prefix`: the first 36 bytes of `s` in the form
    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (either case).
    pub fn parse_prefix(s: &[u8]) -> Option<Uuid> {
        if s.len() < 36 {
            return None;
        }
        let hex = |r: std::ops::Range<usize>| -> Option<u32> {
            let mut v = 0u32;
            for &c in &s[r] {
                v = (v << 4) | (c as char).to_digit(16)?;
            }
            Some(v)
        };
        if s[8] != b'-' || s[13] != b'-' || s[18] != b'-' || s[23] != b'-' {
            return None;
        }
        Some(Uuid([
            hex(0..8)?,
            (hex(9..13)? << 16) | hex(14..18)?,
            (hex(19..23)? << 16) | hex(24..28)?,
            hex(28..36)?,
        ]))
    }

    /// `uuid_from_string`: exactly a UUID, nothing more.
    pub fn parse(s: &str) -> Option<Uuid> {
        if s.len() != 36 {
            return None;
        }
        Uuid::parse_prefix(s.as_bytes())
    }

    pub fn from_u128(v: u128) -> Uuid {
        Uuid([
            (v >> 96) as u32,
            (v >> 64) as u32,
            (v >> 32) as u32,
            v as u32,
        ])
    }

    pub fn as_u128(&self) -> u128 {
        let [a, b, c, d] = self.0;
        (u128::from(a) << 96) | (u128::from(b) << 64) | (u128::from(c) << 32) | u128::from(d)
    }

    /// A random (version 4) UUID, as `uuid_generate` makes.
    pub fn random() -> Uuid {
        Uuid::from_u128(uuid::Uuid::new_v4().as_u128())
    }

    pub fn is_zero(&self) -> bool {
        self.0 == [0; 4]
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d] = self.0;
        write!(
            f,
            "{:08x}-{:04x}-{:04x}-{:04x}-{:04x}{:08x}",
            a,
            b >> 16,
            b & 0xffff,
            c >> 16,
            c & 0xffff,
            d
        )
    }
}

/// One value of an atomic type.
#[derive(Debug, Clone, PartialEq)]
pub enum Atom {
    Integer(i64),
    Real(f64),
    Boolean(bool),
    String(String),
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

    /// The default value of a type (`ovsdb_atom_init_default`).
    pub fn default_for(t: AtomicType) -> Atom {
        match t {
            AtomicType::Integer => Atom::Integer(0),
            AtomicType::Real => Atom::Real(0.0),
            AtomicType::Boolean => Atom::Boolean(false),
            AtomicType::String => Atom::String(String::new()),
            AtomicType::Uuid => Atom::Uuid(Uuid::ZERO),
        }
    }

    /// `ovsdb_atom_compare_3way`; atoms of different types (which OVS never
    /// compares) order by type.
    pub fn compare(&self, other: &Atom) -> Ordering {
        match (self, other) {
            (Atom::Integer(a), Atom::Integer(b)) => a.cmp(b),
            (Atom::Real(a), Atom::Real(b)) => {
                if a < b {
                    Ordering::Less
                } else if a > b {
                    Ordering::Greater
                } else {
                    Ordering::Equal
                }
            }
            (Atom::Boolean(a), Atom::Boolean(b)) => a.cmp(b),
            (Atom::String(a), Atom::String(b)) => a.as_bytes().cmp(b.as_bytes()),
            (Atom::Uuid(a), Atom::Uuid(b)) => a.cmp(b),
            _ => self.atomic_type().cmp(&other.atomic_type()),
        }
    }

    /// `ovsdb_atom_from_json` without named UUIDs: the JSON form of one atom
    /// of `base`'s type, then its constraints.
    pub fn from_json(base: &BaseType, json: &Json) -> Result<Atom, OvsdbError> {
        let atom = Atom::from_json_unchecked(base.atomic, json)?;
        base.check(&atom)?;
        Ok(atom)
    }

    pub fn from_json_unchecked(t: AtomicType, json: &Json) -> Result<Atom, OvsdbError> {
        let atom = match (t, json) {
            (AtomicType::Integer, Json::Integer(i)) => Some(Atom::Integer(*i)),
            (AtomicType::Real, Json::Integer(i)) => Some(Atom::Real(*i as f64)),
            (AtomicType::Real, Json::Real(r)) => Some(Atom::Real(*r)),
            (AtomicType::Boolean, Json::Bool(b)) => Some(Atom::Boolean(*b)),
            (AtomicType::String, Json::String(s)) => Some(Atom::String(s.clone())),
            (AtomicType::Uuid, _) => return parse_uuid_json(json).map(Atom::Uuid),
            _ => None,
        };
        atom.ok_or_else(|| OvsdbError::syntax(Some(json), format!("expected {}", t.name())))
    }

    pub fn to_json(&self) -> Json {
        match self {
            Atom::Integer(i) => Json::Integer(*i),
            Atom::Real(r) => Json::Real(*r),
            Atom::Boolean(b) => Json::Bool(*b),
            Atom::String(s) => Json::String(s.clone()),
            Atom::Uuid(u) => Json::Array(vec![Json::string("uuid"), Json::String(u.to_string())]),
        }
    }

    /// `ovsdb_atom_to_string`.
    pub fn to_ovs_string(&self) -> String {
        match self {
            Atom::Integer(i) => i.to_string(),
            Atom::Real(r) => format_g(*r, 15),
            Atom::Boolean(b) => b.to_string(),
            Atom::String(s) => {
                if string_needs_quotes(s) {
                    Json::String(s.clone()).to_ovs_string(crate::json::Flags::NONE)
                } else {
                    s.clone()
                }
            }
            Atom::Uuid(u) => u.to_string(),
        }
    }

    /// `ovsdb_atom_to_bare`.
    pub fn to_bare(&self) -> String {
        match self {
            Atom::String(s) => s.clone(),
            other => other.to_ovs_string(),
        }
    }
}

/// `unwrap_json(json, "uuid", JSON_STRING)` plus `uuid_from_string`.
fn parse_uuid_json(json: &Json) -> Result<Uuid, OvsdbError> {
    match json.as_array() {
        Some([Json::String(tag), Json::String(s)]) if tag == "uuid" => Uuid::parse(s)
            .ok_or_else(|| OvsdbError::syntax(Some(json), format!("\"{s}\" is not a valid UUID"))),
        _ => Err(OvsdbError::syntax(
            Some(json),
            "expected [\"uuid\", <string>]",
        )),
    }
}

/// `ovsdb_data_row_name`: the symbol `ovsdb-client restore` gives a row.
pub fn row_name(u: &Uuid) -> String {
    format!("row{u}").replace('-', "_")
}

/// OVS's rule for quoting a string in the text form: anything that is not
/// an identifier-like word, or that would read back as a boolean or a UUID.
pub fn string_needs_quotes(s: &str) -> bool {
    let b = s.as_bytes();
    match b.first() {
        Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {}
        _ => return true,
    }
    if !b[1..]
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
    {
        return true;
    }
    s == "true" || s == "false" || Uuid::parse(s).is_some()
}

/// A column value: sorted unique keys, plus values for a map.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Datum {
    pub keys: Vec<Atom>,
    /// Empty unless the datum is a map, then as long as `keys`.
    pub values: Vec<Atom>,
}

impl Datum {
    pub fn empty() -> Datum {
        Datum::default()
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn is_map(&self) -> bool {
        !self.values.is_empty()
    }

    /// The default value of a column (`ovsdb_datum_init_default`): `n_min`
    /// default atoms.
    pub fn default_for(t: &Type) -> Datum {
        if t.n_min == 0 {
            return Datum::empty();
        }
        Datum {
            keys: vec![Atom::default_for(t.key.atomic)],
            values: t
                .value
                .as_ref()
                .map(|v| vec![Atom::default_for(v.atomic)])
                .unwrap_or_default(),
        }
    }

    /// `ovsdb_datum_from_json` (no named UUIDs): checks the count and each
    /// atom's constraints, sorts, and rejects duplicates.
    pub fn from_json(t: &Type, json: &Json) -> Result<Datum, OvsdbError> {
        let mut d = Datum::from_json_unsorted(t, json)?;
        d.sort_checked(t.is_map())?;
        Ok(d)
    }

    /// `ovsdb_unconstrained_datum_from_json`.
    pub fn from_json_unconstrained(t: &Type, json: &Json) -> Result<Datum, OvsdbError> {
        Datum::from_json(&t.unconstrained(), json)
    }

    fn from_json_unsorted(t: &Type, json: &Json) -> Result<Datum, OvsdbError> {
        let is_set_literal =
            matches!(json.as_array(), Some([Json::String(tag), ..]) if tag == "set");
        if !(t.is_map() || is_set_literal) {
            let key = Atom::from_json(&t.key, json)?;
            return Ok(Datum {
                keys: vec![key],
                values: Vec::new(),
            });
        }
        let class = if t.is_map() { "map" } else { "set" };
        let inner = match json.as_array() {
            Some([Json::String(tag), Json::Array(inner)]) if tag == class => inner,
            _ => {
                return Err(OvsdbError::syntax(
                    Some(json),
                    format!("expected [\"{class}\", <array>]"),
                ));
            }
        };
        let n = inner.len();
        if n < t.n_min as usize || n > t.n_max as usize {
            return Err(if t.n_min == 1 && t.n_max == 1 {
                OvsdbError::syntax(
                    Some(json),
                    format!("{class} must have exactly one member but {n} are present"),
                )
            } else {
                OvsdbError::syntax(
                    Some(json),
                    format!(
                        "{class} must have {} to {} members but {n} are present",
                        t.n_min, t.n_max
                    ),
                )
            });
        }
        let mut d = Datum::empty();
        for element in inner {
            match &t.value {
                None => d.keys.push(Atom::from_json(&t.key, element)?),
                Some(vt) => {
                    let Some([k, v]) = element.as_array() else {
                        return Err(OvsdbError::syntax(
                            Some(element),
                            "expected 2-element array",
                        ));
                    };
                    d.keys.push(Atom::from_json(&t.key, k)?);
                    d.values.push(Atom::from_json(vt, v)?);
                }
            }
        }
        Ok(d)
    }

    fn pair_order(&self) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.keys.len()).collect();
        idx.sort_by(|&a, &b| self.keys[a].compare(&self.keys[b]));
        idx
    }

    fn reorder(&mut self, idx: &[usize]) {
        let keys = idx.iter().map(|&i| self.keys[i].clone()).collect();
        if !self.values.is_empty() {
            self.values = idx.iter().map(|&i| self.values[i].clone()).collect();
        }
        self.keys = keys;
    }

    /// `ovsdb_datum_sort`: sorts by key; duplicate keys are an error.
    pub fn sort_checked(&mut self, is_map: bool) -> Result<(), OvsdbError> {
        if self.keys.len() < 2 {
            return Ok(());
        }
        let idx = self.pair_order();
        self.reorder(&idx);
        if self.keys.windows(2).any(|w| w[0].compare(&w[1]).is_eq()) {
            return Err(OvsdbError {
                tag: "ovsdb error".to_string(),
                details: Some(
                    if is_map {
                        "map contains duplicate key"
                    } else {
                        "set contains duplicate"
                    }
                    .to_string(),
                ),
                syntax: None,
                io_error: None,
            });
        }
        Ok(())
    }

    /// `ovsdb_datum_sort_unique`: sorts and drops duplicate keys, keeping
    /// the smallest value of a map key.
    pub fn sort_unique(&mut self) {
        let mut idx: Vec<usize> = (0..self.keys.len()).collect();
        idx.sort_by(|&a, &b| {
            self.keys[a].compare(&self.keys[b]).then_with(|| {
                if self.values.is_empty() {
                    Ordering::Equal
                } else {
                    self.values[a].compare(&self.values[b])
                }
            })
        });
        self.reorder(&idx);
        let mut keep = vec![true; self.keys.len()];
        for (i, pair) in self.keys.windows(2).enumerate() {
            if pair[1].compare(&pair[0]).is_eq() {
                keep[i + 1] = false;
            }
        }
        let mut k = keep.iter();
        self.keys.retain(|_| *k.next().unwrap_or(&true));
        let mut k = keep.iter();
        self.values.retain(|_| *k.next().unwrap_or(&true));
    }

    /// `ovsdb_datum_to_json`.
    pub fn to_json(&self, t: &Type) -> Json {
        if t.is_map() {
            let pairs = self
                .keys
                .iter()
                .zip(&self.values)
                .map(|(k, v)| Json::Array(vec![k.to_json(), v.to_json()]))
                .collect();
            Json::Array(vec![Json::string("map"), Json::Array(pairs)])
        } else if self.keys.len() == 1 {
            self.keys[0].to_json()
        } else {
            Json::Array(vec![
                Json::string("set"),
                Json::Array(self.keys.iter().map(Atom::to_json).collect()),
            ])
        }
    }

    /// `ovsdb_datum_to_json_with_row_names`: references become
    /// `["named-uuid", "row<uuid with underscores>"]`.
    pub fn to_json_with_row_names(&self, t: &Type) -> Json {
        let atom_json = |a: &Atom, base: &BaseType| match a {
            Atom::Uuid(u) if base.ref_table.is_some() => {
                Json::Array(vec![Json::string("named-uuid"), Json::String(row_name(u))])
            }
            other => other.to_json(),
        };
        match &t.value {
            Some(vt) => {
                let pairs = self
                    .keys
                    .iter()
                    .zip(&self.values)
                    .map(|(k, v)| Json::Array(vec![atom_json(k, &t.key), atom_json(v, vt)]))
                    .collect();
                Json::Array(vec![Json::string("map"), Json::Array(pairs)])
            }
            None if self.keys.len() == 1 => atom_json(&self.keys[0], &t.key),
            None => Json::Array(vec![
                Json::string("set"),
                Json::Array(self.keys.iter().map(|k| atom_json(k, &t.key)).collect()),
            ]),
        }
    }

    /// `ovsdb_datum_to_string`.
    pub fn to_ovs_string(&self, t: &Type) -> String {
        let is_map = t.is_map();
        let brackets = t.n_max > 1 || self.keys.is_empty();
        let mut out = String::new();
        if brackets {
            out.push(if is_map { '{' } else { '[' });
        }
        for (i, k) in self.keys.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&k.to_ovs_string());
            if is_map && let Some(v) = self.values.get(i) {
                out.push('=');
                out.push_str(&v.to_ovs_string());
            }
        }
        if brackets {
            out.push(if is_map { '}' } else { ']' });
        }
        out
    }

    /// `ovsdb_datum_to_bare`.
    pub fn to_bare(&self, t: &Type) -> String {
        let mut out = String::new();
        for (i, k) in self.keys.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(&k.to_bare());
            if t.is_map()
                && let Some(v) = self.values.get(i)
            {
                out.push('=');
                out.push_str(&v.to_bare());
            }
        }
        out
    }

    /// `ovsdb_datum_compare_3way`: shorter first, then keys, then values.
    pub fn compare(&self, other: &Datum) -> Ordering {
        self.keys
            .len()
            .cmp(&other.keys.len())
            .then_with(|| compare_atoms(&self.keys, &other.keys))
            .then_with(|| compare_atoms(&self.values, &other.values))
    }

    /// `ovsdb_datum_find_key`.
    pub fn find_key(&self, key: &Atom) -> Option<usize> {
        self.keys.binary_search_by(|k| k.compare(key)).ok()
    }
}

fn compare_atoms(a: &[Atom], b: &[Atom]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let c = x.compare(y);
        if c.is_ne() {
            return c;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::json::parse;

    fn ty(text: &str) -> Type {
        let j = parse(&format!("[{text}]")).unwrap();
        Type::from_json(&j.as_array().unwrap()[0]).unwrap()
    }

    fn datum(t: &Type, text: &str) -> Datum {
        let j = parse(&format!("[{text}]")).unwrap();
        Datum::from_json(t, &j.as_array().unwrap()[0]).unwrap()
    }

    #[test]
    fn strings_quote_like_ovs() {
        for (s, quoted) in [
            ("br0", false),
            ("1.5", true),
            ("", true),
            ("a b", true),
            ("true", true),
            ("x-y.z_1", false),
            ("_a", false),
            ("6502bde0-6832-4e2c-97a8-070b50d1271b", true),
            ("abcdef01-6832-4e2c-97a8-070b50d1271b", true),
        ] {
            assert_eq!(string_needs_quotes(s), quoted, "{s:?}");
        }
        assert_eq!(Atom::String("x\"y".into()).to_ovs_string(), r#""x\"y""#);
    }

    #[test]
    fn text_forms() {
        let map = ty(r#"{"key":"string","value":"string","min":0,"max":"unlimited"}"#);
        let d = datum(&map, r#"["map",[["b","2"],["a b","x\"y"]]]"#);
        assert_eq!(d.to_ovs_string(&map), r#"{"a b"="x\"y", b="2"}"#);
        assert_eq!(d.to_bare(&map), "a b=x\"y b=2");
        let set = ty(r#"{"key":"integer","min":0,"max":4096}"#);
        assert_eq!(
            datum(&set, r#"["set",[3,1,2]]"#).to_ovs_string(&set),
            "[1, 2, 3]"
        );
        assert_eq!(datum(&set, r#"["set",[]]"#).to_ovs_string(&set), "[]");
        let opt = ty(r#"{"key":"integer","min":0}"#);
        assert_eq!(datum(&opt, "5").to_ovs_string(&opt), "5");
        assert_eq!(datum(&opt, r#"["set",[]]"#).to_ovs_string(&opt), "[]");
        let real = ty(r#""real""#);
        assert_eq!(datum(&real, "1.5").to_ovs_string(&real), "1.5");
    }

    #[test]
    fn duplicates_rejected() {
        let set = ty(r#"{"key":"integer","min":0,"max":"unlimited"}"#);
        let j = parse(r#"[["set",[1,1]]]"#).unwrap();
        let e = Datum::from_json(&set, &j.as_array().unwrap()[0]).unwrap_err();
        assert_eq!(e.to_string(), "ovsdb error: set contains duplicate");
    }

    #[test]
    fn uuid_text_round_trip() {
        let s = "6502bde0-6832-4e2c-97a8-070b50d1271b";
        assert_eq!(Uuid::parse(s).unwrap().to_string(), s);
        assert!(Uuid::parse("6502bde0-6832-4e2c-97a8-070b50d1271").is_none());
    }

    proptest! {
        #[test]
        fn datum_json_round_trip(keys in prop::collection::btree_set(any::<i64>(), 0..6)) {
            let t = ty(r#"{"key":"integer","min":0,"max":"unlimited"}"#);
            let d = Datum { keys: keys.into_iter().map(Atom::Integer).collect(), values: vec![] };
            prop_assert_eq!(Datum::from_json(&t, &d.to_json(&t)).unwrap(), d);
        }

        #[test]
        fn uuid_round_trip(v in any::<u128>()) {
            let u = Uuid::from_u128(v);
            prop_assert_eq!(Uuid::parse(&u.to_string()), Some(u));
        }
    }
}
