//! Datums: the value of a column, a sorted set of atoms or a sorted map
//! from atoms to atoms.
//!
//! The representation is compact (24 bytes) because a database holds one
//! datum per column per row: the common single value is stored inline, and
//! larger sets and maps share their elements through an `Arc`, so copying a
//! row for a transaction copies no elements.

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use serde_json::Value;

use crate::atom::{Atom, SymbolTable};
use crate::error::{Error, OvsdbError, Result};
use crate::schema::Type;

#[derive(Clone, Debug, Default)]
enum Repr {
    #[default]
    Empty,
    /// One key and no value.
    One(Atom),
    /// Two or more keys, sorted and unique.
    Set(Arc<[Atom]>),
    /// One or more pairs, sorted by key, keys unique.
    Map(Arc<[(Atom, Atom)]>),
}

/// A set or map value.  Keys are always sorted (in [`Atom`]'s order) and
/// unique.  An empty datum is both the empty set and the empty map; the
/// column type decides how it is written.
#[derive(Clone, Debug, Default)]
pub struct Datum(Repr);

impl Datum {
    pub fn empty() -> Datum {
        Datum(Repr::Empty)
    }

    pub(crate) const fn empty_const() -> Datum {
        Datum(Repr::Empty)
    }

    /// A one-element set (or scalar).
    pub fn scalar(atom: Atom) -> Datum {
        Datum(Repr::One(atom))
    }

    /// A set from arbitrary keys; duplicates are an error, as in OVS.
    pub fn from_set(mut keys: Vec<Atom>) -> std::result::Result<Datum, OvsdbError> {
        keys.sort();
        if keys.windows(2).any(|w| w[0] == w[1]) {
            return Err(OvsdbError::new("ovsdb error", "set contains duplicate"));
        }
        Ok(Datum::from_sorted_keys(keys))
    }

    /// A map from arbitrary pairs; duplicate keys are an error, as in OVS.
    pub fn from_map(mut pairs: Vec<(Atom, Atom)>) -> std::result::Result<Datum, OvsdbError> {
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        if pairs.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err(OvsdbError::new("ovsdb error", "map contains duplicate key"));
        }
        Ok(Datum::from_sorted_pairs(pairs))
    }

    /// Keys must already be sorted and unique.
    pub(crate) fn from_sorted_keys(mut keys: Vec<Atom>) -> Datum {
        match keys.len() {
            0 => Datum(Repr::Empty),
            1 => Datum(Repr::One(keys.pop().unwrap_or(Atom::Integer(0)))),
            _ => Datum(Repr::Set(Arc::from(keys))),
        }
    }

    /// Pairs must already be sorted and unique by key.
    pub(crate) fn from_sorted_pairs(pairs: Vec<(Atom, Atom)>) -> Datum {
        if pairs.is_empty() {
            Datum(Repr::Empty)
        } else {
            Datum(Repr::Map(Arc::from(pairs)))
        }
    }

    /// The default value of a column of type `ty`: empty if it may be
    /// empty, otherwise one default atom (or pair).
    pub fn default_for(ty: &Type) -> Datum {
        if ty.min == 0 {
            return Datum::empty();
        }
        let key = Atom::default_for(ty.key.atomic);
        match &ty.value {
            None => Datum::scalar(key),
            Some(v) => Datum::from_sorted_pairs(vec![(key, Atom::default_for(v.atomic))]),
        }
    }

    pub fn is_default(&self, ty: &Type) -> bool {
        if self.len() != ty.min as usize {
            return false;
        }
        match &self.0 {
            Repr::Empty => true,
            Repr::One(a) => a.is_default(),
            Repr::Set(s) => s.iter().all(Atom::is_default),
            Repr::Map(m) => m.iter().all(|(k, v)| k.is_default() && v.is_default()),
        }
    }

    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Empty => 0,
            Repr::One(_) => 1,
            Repr::Set(s) => s.len(),
            Repr::Map(m) => m.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!(self.0, Repr::Empty)
    }

    /// True if this datum holds pairs.
    pub fn is_map(&self) -> bool {
        matches!(self.0, Repr::Map(_))
    }

    /// The keys of a set; empty for a map (use [`Datum::pairs`]).
    pub fn keys(&self) -> &[Atom] {
        match &self.0 {
            Repr::Empty | Repr::Map(_) => &[],
            Repr::One(a) => std::slice::from_ref(a),
            Repr::Set(s) => s,
        }
    }

    /// The pairs of a map; empty for a set.
    pub fn pairs(&self) -> &[(Atom, Atom)] {
        match &self.0 {
            Repr::Map(m) => m,
            _ => &[],
        }
    }

    /// The `i`th key, for sets and maps alike.
    pub fn key(&self, i: usize) -> Option<&Atom> {
        match &self.0 {
            Repr::Map(m) => m.get(i).map(|p| &p.0),
            _ => self.keys().get(i),
        }
    }

    /// The `i`th value of a map.
    pub fn value(&self, i: usize) -> Option<&Atom> {
        self.pairs().get(i).map(|p| &p.1)
    }

    /// The single atom of a one-element set.
    pub fn as_scalar(&self) -> Option<&Atom> {
        match &self.0 {
            Repr::One(a) => Some(a),
            _ => None,
        }
    }

    /// All atoms: keys, and for maps values too (keys first).
    pub fn for_each_atom(&self, mut f: impl FnMut(&Atom, bool)) {
        match &self.0 {
            Repr::Map(m) => {
                for (k, v) in m.iter() {
                    f(k, true);
                    f(v, false);
                }
            }
            _ => {
                for k in self.keys() {
                    f(k, true);
                }
            }
        }
    }

    /// Binary search for `key`: `Ok(index)` if present, `Err(insertion
    /// point)` otherwise.
    pub fn find_key(&self, key: &Atom) -> std::result::Result<usize, usize> {
        match &self.0 {
            Repr::Map(m) => m.binary_search_by(|p| p.0.cmp(key)),
            _ => self.keys().binary_search(key),
        }
    }

    pub fn contains_key(&self, key: &Atom) -> bool {
        self.find_key(key).is_ok()
    }

    fn contains_element(&self, key: &Atom, value: Option<&Atom>) -> bool {
        match self.find_key(key) {
            Ok(i) => match value {
                Some(v) => self.value(i).is_some_and(|mine| mine == v),
                None => true,
            },
            Err(_) => false,
        }
    }

    /// Every element of `self` is in `other` (pairs must match when both
    /// are maps).
    pub fn includes_all_of(&self, other: &Datum) -> bool {
        // "a includes b": every element of b is in a.
        other.is_subset_of(self)
    }

    fn is_subset_of(&self, other: &Datum) -> bool {
        if self.len() > other.len() {
            return false;
        }
        match &self.0 {
            Repr::Map(m) => m.iter().all(|(k, v)| other.contains_element(k, Some(v))),
            _ => self.keys().iter().all(|k| other.contains_element(k, None)),
        }
    }

    /// No element of `self` is in `other`.
    pub fn excludes_all_of(&self, other: &Datum) -> bool {
        match &self.0 {
            Repr::Map(m) => m.iter().all(|(k, v)| !other.contains_element(k, Some(v))),
            _ => self.keys().iter().all(|k| !other.contains_element(k, None)),
        }
    }

    /// RFC 7047 JSON in OVS's form: maps always `["map", ...]`, a
    /// one-element set as the bare atom, other sets `["set", [...]]`.
    pub fn to_json(&self, ty: &Type) -> Value {
        if ty.is_map() {
            let pairs = self
                .pairs()
                .iter()
                .map(|(k, v)| Value::Array(vec![k.to_json(), v.to_json()]))
                .collect();
            return Value::Array(vec![Value::String("map".into()), Value::Array(pairs)]);
        }
        match &self.0 {
            Repr::One(a) => a.to_json(),
            _ => {
                let keys = self.keys().iter().map(Atom::to_json).collect();
                Value::Array(vec![Value::String("set".into()), Value::Array(keys)])
            }
        }
    }

    /// Parses the RFC 7047 notation for a value of type `ty`, checking the
    /// element count and constraints; named UUIDs are not accepted.
    pub fn from_json(ty: &Type, json: &Value) -> std::result::Result<Datum, OvsdbError> {
        Datum::parse(ty, json, None).map_err(OvsdbError::from)
    }

    pub(crate) fn parse(
        ty: &Type,
        json: &Value,
        mut symtab: Option<&mut SymbolTable>,
    ) -> Result<Datum> {
        let is_set_notation =
            matches!(json, Value::Array(a) if !a.is_empty() && a[0].as_str() == Some("set"));
        if !ty.is_map() && !is_set_notation {
            let atom = Atom::parse(&ty.key, json, symtab)?;
            return Ok(Datum::scalar(atom));
        }
        let class = if ty.is_map() { "map" } else { "set" };
        let inner = match json {
            Value::Array(a) if a.len() == 2 && a[0].as_str() == Some(class) && a[1].is_array() => {
                a[1].as_array()
            }
            _ => None,
        };
        let Some(inner) = inner else {
            return Err(Error::syntax(
                Some(json),
                "syntax error",
                format!("expected [\"{class}\", <array>]"),
            ));
        };
        let n = inner.len();
        if n < ty.min as usize || n > ty.max as usize {
            let details = if ty.min == 1 && ty.max == 1 {
                format!("{class} must have exactly one member but {n} are present")
            } else {
                format!(
                    "{class} must have {} to {} members but {n} are present",
                    ty.min, ty.max
                )
            };
            return Err(Error::syntax(Some(json), "syntax error", details));
        }
        match &ty.value {
            None => {
                let mut keys = Vec::with_capacity(n);
                for element in inner {
                    keys.push(Atom::parse(&ty.key, element, symtab.as_deref_mut())?);
                }
                keys.sort();
                if keys.windows(2).any(|w| w[0] == w[1]) {
                    return Err(Error::new("ovsdb error", "set contains duplicate"));
                }
                Ok(Datum::from_sorted_keys(keys))
            }
            Some(value_type) => {
                let mut pairs = Vec::with_capacity(n);
                for element in inner {
                    let (k, v) = match element {
                        Value::Array(p) if p.len() == 2 => (&p[0], &p[1]),
                        _ => {
                            return Err(Error::syntax(
                                Some(element),
                                "syntax error",
                                "expected 2-element array",
                            ));
                        }
                    };
                    let k = Atom::parse(&ty.key, k, symtab.as_deref_mut())?;
                    let v = Atom::parse(value_type, v, symtab.as_deref_mut())?;
                    pairs.push((k, v));
                }
                pairs.sort_by(|a, b| a.0.cmp(&b.0));
                if pairs.windows(2).any(|w| w[0].0 == w[1].0) {
                    return Err(Error::new("ovsdb error", "map contains duplicate key"));
                }
                Ok(Datum::from_sorted_pairs(pairs))
            }
        }
    }

    /// Checks every atom against the key and value constraints of `ty`.
    pub(crate) fn check_constraints(&self, ty: &Type) -> Result<()> {
        match &self.0 {
            Repr::Map(m) => {
                for (k, _) in m.iter() {
                    k.check_constraints_inner(&ty.key)?;
                }
                if let Some(vt) = &ty.value {
                    for (_, v) in m.iter() {
                        v.check_constraints_inner(vt)?;
                    }
                }
                Ok(())
            }
            _ => {
                for k in self.keys() {
                    k.check_constraints_inner(&ty.key)?;
                }
                Ok(())
            }
        }
    }

    /// The text form OVS uses in messages: `[a, b]`, `{k=v}`, or a bare
    /// atom for types holding at most one value.
    pub fn to_ovs_string(&self, ty: &Type) -> String {
        let is_map = ty.is_map();
        let bracket = ty.max > 1 || self.is_empty();
        let mut out = String::new();
        if bracket {
            out.push(if is_map { '{' } else { '[' });
        }
        if is_map {
            for (i, (k, v)) in self.pairs().iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&k.to_ovs_string());
                out.push('=');
                out.push_str(&v.to_ovs_string());
            }
        } else {
            for (i, k) in self.keys().iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&k.to_ovs_string());
            }
        }
        if bracket {
            out.push(if is_map { '}' } else { ']' });
        }
        out
    }

    /// `self ∪ other`; for keys present in both, `self`'s value is kept
    /// (the "insert" mutator never overwrites).
    pub(crate) fn union(&self, other: &Datum) -> Datum {
        if other.is_empty() {
            return self.clone();
        }
        // Adding a few elements to a large set: copy runs between binary-
        // searched insertion points instead of comparing every element.
        if !self.is_map() && !other.is_map() && other.len() * 16 < self.len() {
            let a = self.keys();
            let mut out = Vec::with_capacity(a.len() + other.len());
            let mut copied = 0;
            for k in other.keys() {
                match a[copied..].binary_search(k) {
                    Ok(_) => {}
                    Err(pos) => {
                        out.extend_from_slice(&a[copied..copied + pos]);
                        out.push(k.clone());
                        copied += pos;
                    }
                }
            }
            if out.is_empty() {
                return self.clone();
            }
            out.extend_from_slice(&a[copied..]);
            return Datum::from_sorted_keys(out);
        }
        if self.is_map() || other.is_map() {
            let (a, b) = (self.pairs(), other.pairs());
            let mut out = Vec::with_capacity(a.len() + b.len());
            let (mut i, mut j) = (0, 0);
            while i < a.len() && j < b.len() {
                match a[i].0.cmp(&b[j].0) {
                    Ordering::Less => {
                        out.push(a[i].clone());
                        i += 1;
                    }
                    Ordering::Greater => {
                        out.push(b[j].clone());
                        j += 1;
                    }
                    Ordering::Equal => {
                        out.push(a[i].clone());
                        i += 1;
                        j += 1;
                    }
                }
            }
            out.extend_from_slice(&a[i..]);
            out.extend_from_slice(&b[j..]);
            Datum::from_sorted_pairs(out)
        } else {
            let (a, b) = (self.keys(), other.keys());
            let mut out = Vec::with_capacity(a.len() + b.len());
            let (mut i, mut j) = (0, 0);
            while i < a.len() && j < b.len() {
                match a[i].cmp(&b[j]) {
                    Ordering::Less => {
                        out.push(a[i].clone());
                        i += 1;
                    }
                    Ordering::Greater => {
                        out.push(b[j].clone());
                        j += 1;
                    }
                    Ordering::Equal => {
                        out.push(a[i].clone());
                        i += 1;
                        j += 1;
                    }
                }
            }
            out.extend_from_slice(&a[i..]);
            out.extend_from_slice(&b[j..]);
            Datum::from_sorted_keys(out)
        }
    }

    /// `self` minus the elements of `other`.  When `other` is a set and
    /// `self` a map, keys are removed whatever their values; when both are
    /// maps, only matching pairs are removed.
    pub(crate) fn subtract(&self, other: &Datum) -> Datum {
        if other.is_empty() || self.is_empty() {
            return self.clone();
        }
        match (&self.0, &other.0) {
            (Repr::Map(m), Repr::Map(_)) => {
                let out: Vec<(Atom, Atom)> = m
                    .iter()
                    .filter(|(k, v)| !other.contains_element(k, Some(v)))
                    .cloned()
                    .collect();
                if out.len() == m.len() {
                    self.clone()
                } else {
                    Datum::from_sorted_pairs(out)
                }
            }
            (Repr::Map(m), _) => {
                let out: Vec<(Atom, Atom)> = m
                    .iter()
                    .filter(|(k, _)| !other.contains_key(k))
                    .cloned()
                    .collect();
                if out.len() == m.len() {
                    self.clone()
                } else {
                    Datum::from_sorted_pairs(out)
                }
            }
            _ => {
                let keys = self.keys();
                let out: Vec<Atom> = keys
                    .iter()
                    .filter(|k| !other.contains_key(k))
                    .cloned()
                    .collect();
                if out.len() == keys.len() {
                    self.clone()
                } else {
                    Datum::from_sorted_keys(out)
                }
            }
        }
    }

    /// OVS's `ovsdb_datum_added_removed()`: what `new` adds to and removes
    /// from `old`.  For types of at most one value, `old` is all removed and
    /// `new` all added.  A map pair whose value changed is in both.
    pub(crate) fn added_removed(old: &Datum, new: &Datum, ty: &Type) -> (Datum, Datum) {
        if !ty.is_composite() {
            return (new.clone(), old.clone());
        }
        if ty.is_map() {
            let (a, b) = trim_common(old.pairs(), new.pairs());
            let (mut added, mut removed) = (Vec::new(), Vec::new());
            let (mut i, mut j) = (0, 0);
            while i < a.len() && j < b.len() {
                match a[i].0.cmp(&b[j].0) {
                    Ordering::Less => {
                        removed.push(a[i].clone());
                        i += 1;
                    }
                    Ordering::Greater => {
                        added.push(b[j].clone());
                        j += 1;
                    }
                    Ordering::Equal => {
                        if a[i].1 != b[j].1 {
                            removed.push(a[i].clone());
                            added.push(b[j].clone());
                        }
                        i += 1;
                        j += 1;
                    }
                }
            }
            removed.extend_from_slice(&a[i..]);
            added.extend_from_slice(&b[j..]);
            (
                Datum::from_sorted_pairs(added),
                Datum::from_sorted_pairs(removed),
            )
        } else {
            let (a, b) = trim_common(old.keys(), new.keys());
            let (mut added, mut removed) = (Vec::new(), Vec::new());
            let (mut i, mut j) = (0, 0);
            while i < a.len() && j < b.len() {
                match a[i].cmp(&b[j]) {
                    Ordering::Less => {
                        removed.push(a[i].clone());
                        i += 1;
                    }
                    Ordering::Greater => {
                        added.push(b[j].clone());
                        j += 1;
                    }
                    Ordering::Equal => {
                        i += 1;
                        j += 1;
                    }
                }
            }
            removed.extend_from_slice(&a[i..]);
            added.extend_from_slice(&b[j..]);
            (
                Datum::from_sorted_keys(added),
                Datum::from_sorted_keys(removed),
            )
        }
    }

    /// OVS's `ovsdb_datum_diff()`: for sets, the elements in exactly one of
    /// `old` and `new`; for maps, pairs whose key is in exactly one, plus
    /// the new pair for keys whose value changed.  For types of at most one
    /// value the diff is simply `new`.  Applying the diff to `old` with
    /// [`Datum::apply_diff`] yields `new`.
    pub fn diff(old: &Datum, new: &Datum, ty: &Type) -> Datum {
        if !ty.is_composite() {
            return new.clone();
        }
        if ty.is_map() {
            let (a, b) = trim_common(old.pairs(), new.pairs());
            let mut out = Vec::new();
            let (mut i, mut j) = (0, 0);
            while i < a.len() && j < b.len() {
                match a[i].0.cmp(&b[j].0) {
                    Ordering::Less => {
                        out.push(a[i].clone());
                        i += 1;
                    }
                    Ordering::Greater => {
                        out.push(b[j].clone());
                        j += 1;
                    }
                    Ordering::Equal => {
                        if a[i].1 != b[j].1 {
                            out.push(b[j].clone());
                        }
                        i += 1;
                        j += 1;
                    }
                }
            }
            out.extend_from_slice(&a[i..]);
            out.extend_from_slice(&b[j..]);
            Datum::from_sorted_pairs(out)
        } else {
            let (a, b) = trim_common(old.keys(), new.keys());
            let mut out = Vec::new();
            let (mut i, mut j) = (0, 0);
            while i < a.len() && j < b.len() {
                match a[i].cmp(&b[j]) {
                    Ordering::Less => {
                        out.push(a[i].clone());
                        i += 1;
                    }
                    Ordering::Greater => {
                        out.push(b[j].clone());
                        j += 1;
                    }
                    Ordering::Equal => {
                        i += 1;
                        j += 1;
                    }
                }
            }
            out.extend_from_slice(&a[i..]);
            out.extend_from_slice(&b[j..]);
            Datum::from_sorted_keys(out)
        }
    }

    /// Applies a diff made by [`Datum::diff`]: toggles set elements; for
    /// maps, removes a pair given with its current value, replaces the
    /// value of a present key given with another value, and adds absent
    /// keys.  Fails, as OVS does, if the result's size does not fit `ty`.
    pub fn apply_diff(&self, diff: &Datum, ty: &Type) -> std::result::Result<Datum, OvsdbError> {
        if !ty.is_composite() {
            return Ok(diff.clone());
        }
        let result = if ty.is_map() {
            let (a, d) = (self.pairs(), diff.pairs());
            let mut out = Vec::with_capacity(a.len() + d.len());
            let (mut i, mut j) = (0, 0);
            while i < a.len() && j < d.len() {
                match a[i].0.cmp(&d[j].0) {
                    Ordering::Less => {
                        out.push(a[i].clone());
                        i += 1;
                    }
                    Ordering::Greater => {
                        out.push(d[j].clone());
                        j += 1;
                    }
                    Ordering::Equal => {
                        if a[i].1 != d[j].1 {
                            out.push(d[j].clone());
                        }
                        i += 1;
                        j += 1;
                    }
                }
            }
            out.extend_from_slice(&a[i..]);
            out.extend_from_slice(&d[j..]);
            Datum::from_sorted_pairs(out)
        } else {
            Datum::diff(self, diff, ty)
        };
        let n = result.len();
        if n < ty.min as usize || n > ty.max as usize {
            return Err(OvsdbError::new(
                "ovsdb error",
                "Datum crated by diff has size error",
            ));
        }
        Ok(result)
    }

    /// True if both datums share storage (so are certainly equal).
    fn ptr_eq(&self, other: &Datum) -> bool {
        match (&self.0, &other.0) {
            (Repr::Set(a), Repr::Set(b)) => Arc::ptr_eq(a, b),
            (Repr::Map(a), Repr::Map(b)) => Arc::ptr_eq(a, b),
            (Repr::Empty, Repr::Empty) => true,
            _ => false,
        }
    }
}

/// Drops the elements two sorted sequences share at their start and end:
/// they contribute nothing to a difference, and a mutation of a large set
/// typically changes a few elements in the middle.
fn trim_common<'a, T: PartialEq>(a: &'a [T], b: &'a [T]) -> (&'a [T], &'a [T]) {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    (&a[..a.len() - suffix], &b[..b.len() - suffix])
}

impl PartialEq for Datum {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Datum {}

impl PartialOrd for Datum {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Datum {
    /// OVS's `ovsdb_datum_compare_3way()`: by size, then keys, then values.
    fn cmp(&self, other: &Self) -> Ordering {
        let (n, m) = (self.len(), other.len());
        if n != m {
            return n.cmp(&m);
        }
        if self.ptr_eq(other) {
            return Ordering::Equal;
        }
        match (&self.0, &other.0) {
            (Repr::Map(a), Repr::Map(b)) => {
                for (x, y) in a.iter().zip(b.iter()) {
                    let c = x.0.cmp(&y.0);
                    if c != Ordering::Equal {
                        return c;
                    }
                }
                for (x, y) in a.iter().zip(b.iter()) {
                    let c = x.1.cmp(&y.1);
                    if c != Ordering::Equal {
                        return c;
                    }
                }
                Ordering::Equal
            }
            (Repr::Map(_), _) => Ordering::Greater,
            (_, Repr::Map(_)) => Ordering::Less,
            _ => self.keys().cmp(other.keys()),
        }
    }
}

impl Hash for Datum {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.len());
        match &self.0 {
            Repr::Map(m) => {
                for (k, v) in m.iter() {
                    k.hash(state);
                    v.hash(state);
                }
            }
            _ => {
                for k in self.keys() {
                    k.hash(state);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
