//! Mutations (`mutate` operation): arithmetic on numeric columns and
//! insert/delete on sets and maps, with OVS's overflow and error rules.

use serde_json::Value;

use crate::atom::{Atom, SymbolTable};
use crate::datum::Datum;
use crate::error::{Error, Result};
use crate::meta::TableMeta;
use crate::row::Row;
use crate::schema::{AtomicType, Type};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mutator {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Insert,
    Delete,
}

impl Mutator {
    fn from_name(s: &str) -> Option<Mutator> {
        Some(match s {
            "+=" => Mutator::Add,
            "-=" => Mutator::Sub,
            "*=" => Mutator::Mul,
            "/=" => Mutator::Div,
            "%=" => Mutator::Mod,
            "insert" => Mutator::Insert,
            "delete" => Mutator::Delete,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Mutator::Add => "+=",
            Mutator::Sub => "-=",
            Mutator::Mul => "*=",
            Mutator::Div => "/=",
            Mutator::Mod => "%=",
            Mutator::Insert => "insert",
            Mutator::Delete => "delete",
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Mutation {
    pub column: usize,
    mutator: Mutator,
    arg: Datum,
}

fn type_mismatch(mutator: Mutator, column: &str, ty: &Type, json: &Value) -> Error {
    Error::syntax(
        Some(json),
        "syntax error",
        format!(
            "Type mismatch: \"{}\" operator may not be applied to column {} of type {}.",
            mutator.name(),
            column,
            ty.to_english()
        ),
    )
}

impl Mutation {
    fn parse(
        table: &TableMeta,
        json: &Value,
        symtab: Option<&mut SymbolTable>,
    ) -> Result<Mutation> {
        let parts = match json {
            Value::Array(a) if a.len() == 3 && a[0].is_string() && a[1].is_string() => a,
            _ => {
                return Err(Error::syntax(
                    Some(json),
                    "syntax error",
                    "Parse error in mutation.",
                ));
            }
        };
        let column_name = parts[0].as_str().unwrap_or_default();
        let Some(column) = table.column(column_name) else {
            return Err(Error::syntax(
                Some(json),
                "unknown column",
                format!("No column {column_name} in table {}.", table.name),
            ));
        };
        let meta = &table.columns[column];
        if !meta.mutable {
            return Err(Error::syntax(
                Some(json),
                "constraint violation",
                format!(
                    "Cannot mutate immutable column {column_name} in table {}.",
                    table.name
                ),
            ));
        }
        let mutator_name = parts[1].as_str().unwrap_or_default();
        let Some(mutator) = Mutator::from_name(mutator_name) else {
            return Err(Error::syntax(
                None,
                "unknown mutator",
                format!("No mutator named {mutator_name}."),
            ));
        };
        let ty = &meta.ty;
        let mut arg_type = ty.clone();
        let arg = match mutator {
            Mutator::Add | Mutator::Sub | Mutator::Mul | Mutator::Div | Mutator::Mod => {
                let numeric = matches!(ty.key.atomic, AtomicType::Integer | AtomicType::Real);
                if (!ty.is_scalar() && !ty.is_set())
                    || !numeric
                    || (mutator == Mutator::Mod && ty.key.atomic == AtomicType::Real)
                {
                    return Err(type_mismatch(mutator, column_name, ty, json));
                }
                arg_type.key = ty.key.unconstrained();
                arg_type.min = 1;
                arg_type.max = 1;
                Datum::parse(&arg_type, &parts[2], symtab)?
            }
            Mutator::Insert | Mutator::Delete => {
                if !ty.is_set() && !ty.is_map() {
                    return Err(type_mismatch(mutator, column_name, ty, json));
                }
                arg_type.min = 0;
                if mutator == Mutator::Delete {
                    arg_type.max = Type::UNLIMITED;
                }
                match symtab {
                    Some(st) => match Datum::parse(&arg_type, &parts[2], Some(&mut *st)) {
                        Ok(d) => d,
                        Err(e) => {
                            if ty.is_map() && mutator == Mutator::Delete {
                                arg_type.value = None;
                                Datum::parse(&arg_type, &parts[2], Some(st))?
                            } else {
                                return Err(e);
                            }
                        }
                    },
                    None => match Datum::parse(&arg_type, &parts[2], None) {
                        Ok(d) => d,
                        Err(e) => {
                            if ty.is_map() && mutator == Mutator::Delete {
                                arg_type.value = None;
                                Datum::parse(&arg_type, &parts[2], None)?
                            } else {
                                return Err(e);
                            }
                        }
                    },
                }
            }
        };
        Ok(Mutation {
            column,
            mutator,
            arg,
        })
    }

    /// Applies the mutation to `row` in place.
    fn execute(&self, table: &TableMeta, row: &mut Row) -> Result<()> {
        let ty = &table.columns[self.column].ty;
        let current = row.field(self.column).clone();
        let result = match self.mutator {
            Mutator::Insert => {
                let d = current.union(&self.arg);
                check_count(&d, ty)?;
                d
            }
            Mutator::Delete => {
                let d = current.subtract(&self.arg);
                check_count(&d, ty)?;
                d
            }
            m => {
                let Some(y) = self.arg.as_scalar() else {
                    return Err(Error::new("ovsdb error", "missing mutation argument"));
                };
                mutate_scalar(&current, y, m, ty)?
            }
        };
        row.set(self.column, result);
        Ok(())
    }
}

fn check_count(d: &Datum, ty: &Type) -> Result<()> {
    let n = d.len();
    if n < ty.min as usize || n > ty.max as usize {
        return Err(Error::new(
            "constraint violation",
            format!("Attempted to store {n} elements in {}.", ty.to_english()),
        ));
    }
    Ok(())
}

enum ScalarError {
    Domain,
    Range,
}

fn scalar_error(e: ScalarError, m: Mutator) -> Error {
    match e {
        ScalarError::Domain => Error::new("domain error", "Division by zero."),
        ScalarError::Range => Error::new(
            "range error",
            format!("Result of \"{}\" operation is out of range.", m.name()),
        ),
    }
}

/// Integer arithmetic with exactly OVS's overflow tests (including its
/// conservative multiplication test).
fn mutate_int(x: i64, y: i64, m: Mutator) -> std::result::Result<i64, ScalarError> {
    match m {
        Mutator::Add => x.checked_add(y).ok_or(ScalarError::Range),
        Mutator::Sub => x.checked_sub(y).ok_or(ScalarError::Range),
        Mutator::Mul => {
            let overflow = if x > 0 {
                if y > 0 {
                    x >= i64::MAX / y
                } else {
                    y < i64::MIN / x
                }
            } else if y > 0 {
                x < i64::MIN / y
            } else {
                // OVS divides by zero here when y == 0; that product cannot overflow.
                x != 0 && y != 0 && y < i64::MAX / y
            };
            if overflow {
                Err(ScalarError::Range)
            } else {
                Ok(x.wrapping_mul(y))
            }
        }
        Mutator::Div | Mutator::Mod => {
            if y == 0 {
                Err(ScalarError::Domain)
            } else if x == i64::MIN && y == -1 {
                Err(ScalarError::Range)
            } else if m == Mutator::Div {
                Ok(x / y)
            } else {
                Ok(x % y)
            }
        }
        Mutator::Insert | Mutator::Delete => Ok(x),
    }
}

fn mutate_real(x: f64, y: f64, m: Mutator) -> std::result::Result<f64, ScalarError> {
    let r = match m {
        Mutator::Add => x + y,
        Mutator::Sub => x - y,
        Mutator::Mul => x * y,
        Mutator::Div => {
            if y == 0.0 {
                return Err(ScalarError::Domain);
            }
            x / y
        }
        Mutator::Mod | Mutator::Insert | Mutator::Delete => x,
    };
    if (-f64::MAX..=f64::MAX).contains(&r) {
        Ok(r)
    } else {
        Err(ScalarError::Range)
    }
}

fn mutate_scalar(current: &Datum, y: &Atom, m: Mutator, ty: &Type) -> Result<Datum> {
    let mut out = Vec::with_capacity(current.len());
    for x in current.keys() {
        let r = match (x, y) {
            (Atom::Integer(x), Atom::Integer(y)) => mutate_int(*x, *y, m).map(Atom::Integer),
            (Atom::Real(x), Atom::Real(y)) => mutate_real(*x, *y, m).map(Atom::Real),
            _ => return Err(Error::new("ovsdb error", "mutation type mismatch")),
        };
        out.push(r.map_err(|e| scalar_error(e, m))?);
    }
    for a in &out {
        a.check_constraints_inner(&ty.key)?;
    }
    out.sort();
    if out.windows(2).any(|w| w[0] == w[1]) {
        return Err(Error::new(
            "constraint violation",
            format!("Result of \"{}\" operation contains duplicates.", m.name()),
        ));
    }
    Ok(Datum::from_sorted_keys(out))
}

/// The mutations of one `mutate` operation.
#[derive(Clone, Debug, Default)]
pub(crate) struct MutationSet {
    pub mutations: Vec<Mutation>,
}

impl MutationSet {
    pub fn parse(
        table: &TableMeta,
        json: &Value,
        mut symtab: Option<&mut SymbolTable>,
    ) -> Result<MutationSet> {
        let items: &[Value] = match json {
            Value::Array(a) => a,
            _ => &[],
        };
        let mut mutations = Vec::with_capacity(items.len());
        for item in items {
            mutations.push(Mutation::parse(table, item, symtab.as_deref_mut())?);
        }
        Ok(MutationSet { mutations })
    }

    pub fn execute(&self, table: &TableMeta, row: &mut Row) -> Result<()> {
        for m in &self.mutations {
            m.execute(table, row)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_overflow_rules() {
        assert!(mutate_int(i64::MAX, 1, Mutator::Add).is_err());
        assert!(mutate_int(i64::MIN, 1, Mutator::Sub).is_err());
        assert_eq!(mutate_int(6, 7, Mutator::Mul).ok(), Some(42));
        // OVS's test is conservative: x == MAX / y already counts as overflow.
        assert!(mutate_int(3, i64::MAX / 3, Mutator::Mul).is_err());
        assert!(matches!(
            mutate_int(1, 0, Mutator::Div),
            Err(ScalarError::Domain)
        ));
        assert!(matches!(
            mutate_int(i64::MIN, -1, Mutator::Mod),
            Err(ScalarError::Range)
        ));
        assert_eq!(mutate_int(-7, 2, Mutator::Mod).ok(), Some(-1));
        assert_eq!(mutate_int(-7, -2, Mutator::Mul).ok(), Some(14));
        assert!(mutate_real(f64::MAX, f64::MAX, Mutator::Add).is_err());
    }
}
