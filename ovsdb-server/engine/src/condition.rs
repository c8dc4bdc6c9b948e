//! Conditions (`where` clauses): `[column, function, value]` triples and,
//! for monitors, the constants `true` and `false`.

use std::cmp::Ordering;

use serde_json::Value;

use crate::atom::SymbolTable;
use crate::datum::Datum;
use crate::error::{Error, Result};
use crate::meta::TableMeta;
use crate::row::{Row, UUID_COLUMN};
use crate::schema::{AtomicType, Type};

/// Ordered as OVS orders them: cheap, selective functions first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Function {
    False,
    True,
    Eq,
    Includes,
    Le,
    Lt,
    Ge,
    Gt,
    Excludes,
    Ne,
}

impl Function {
    fn from_name(s: &str) -> Option<Function> {
        Some(match s {
            "false" => Function::False,
            "true" => Function::True,
            "==" => Function::Eq,
            "includes" => Function::Includes,
            "<=" => Function::Le,
            "<" => Function::Lt,
            ">=" => Function::Ge,
            ">" => Function::Gt,
            "excludes" => Function::Excludes,
            "!=" => Function::Ne,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Function::False => "false",
            Function::True => "true",
            Function::Eq => "==",
            Function::Includes => "includes",
            Function::Le => "<=",
            Function::Lt => "<",
            Function::Ge => ">=",
            Function::Gt => ">",
            Function::Excludes => "excludes",
            Function::Ne => "!=",
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Clause {
    pub function: Function,
    pub column: usize,
    pub arg: Datum,
    /// The column's type (the argument may have a relaxed one).
    pub ty: Type,
}

impl Clause {
    fn parse(table: &TableMeta, json: &Value, symtab: Option<&mut SymbolTable>) -> Result<Clause> {
        if let Value::Bool(b) = json {
            return Ok(Clause {
                function: if *b { Function::True } else { Function::False },
                column: UUID_COLUMN,
                arg: Datum::empty(),
                ty: Type::scalar(AtomicType::Uuid),
            });
        }
        let parts = match json {
            Value::Array(a) if a.len() == 3 && a[0].is_string() && a[1].is_string() => a,
            _ => {
                return Err(Error::syntax(
                    Some(json),
                    "syntax error",
                    "Parse error in condition.",
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
        let col_type = table.columns[column].ty.clone();
        let function_name = parts[1].as_str().unwrap_or_default();
        let Some(function) = Function::from_name(function_name) else {
            return Err(Error::syntax(
                None,
                "unknown function",
                format!("No function named {function_name}."),
            ));
        };
        let mut arg_type = col_type.clone();
        match function {
            Function::Lt | Function::Le | Function::Gt | Function::Ge => {
                let numeric = matches!(col_type.key.atomic, AtomicType::Integer | AtomicType::Real);
                if !(col_type.is_scalar() || col_type.is_optional_scalar()) || !numeric {
                    return Err(Error::syntax(
                        Some(json),
                        "syntax error",
                        format!(
                            "Type mismatch: \"{}\" operator may not be applied to column {} of type {}.",
                            function.name(),
                            column_name,
                            col_type.to_english()
                        ),
                    ));
                }
                arg_type.min = 1;
            }
            Function::Eq | Function::Ne => {}
            Function::Excludes => {
                if !col_type.is_scalar() {
                    arg_type.min = 0;
                    arg_type.max = Type::UNLIMITED;
                }
            }
            Function::Includes => {
                if !col_type.is_scalar() {
                    arg_type.min = 0;
                }
            }
            Function::True | Function::False => {
                return Ok(Clause {
                    function,
                    column: UUID_COLUMN,
                    arg: Datum::empty(),
                    ty: Type::scalar(AtomicType::Uuid),
                });
            }
        }
        let arg = Datum::parse(&arg_type, &parts[2], symtab)?;
        Ok(Clause {
            function,
            column,
            arg,
            ty: col_type,
        })
    }

    /// OVS's `ovsdb_clause_evaluate()`.
    pub fn evaluate(&self, row: &Row) -> bool {
        let field = row.field(self.column);
        let arg = &self.arg;
        let ty = &self.ty;
        match self.function {
            Function::True => return true,
            Function::False => return false,
            _ => {}
        }
        let ordered = matches!(
            self.function,
            Function::Lt | Function::Le | Function::Gt | Function::Ge
        );
        if ty.is_optional_scalar() && field.is_empty() && ordered {
            return false;
        }
        if (ty.is_scalar() || ty.is_optional_scalar())
            && let (Some(f), Some(a)) = (field.as_scalar(), arg.as_scalar())
        {
            let cmp = f.cmp(a);
            return match self.function {
                Function::Lt => cmp == Ordering::Less,
                Function::Le => cmp != Ordering::Greater,
                Function::Eq | Function::Includes => cmp == Ordering::Equal,
                Function::Ne | Function::Excludes => cmp != Ordering::Equal,
                Function::Ge => cmp != Ordering::Less,
                Function::Gt => cmp == Ordering::Greater,
                Function::True | Function::False => false,
            };
        }
        match self.function {
            Function::Eq => field == arg,
            Function::Ne => field != arg,
            Function::Includes => field.includes_all_of(arg),
            Function::Excludes => arg.excludes_all_of(field),
            _ => false,
        }
    }

    fn cmp_sort(&self, other: &Clause) -> Ordering {
        self.function
            .cmp(&other.function)
            .then(self.column.cmp(&other.column))
            .then_with(|| self.arg.cmp(&other.arg))
    }
}

/// A list of clauses, kept in OVS's canonical order.
#[derive(Clone, Debug, Default)]
pub(crate) struct Condition {
    pub clauses: Vec<Clause>,
}

impl Condition {
    /// Parses `[<clause>*]` for `table`.
    pub fn parse(
        table: &TableMeta,
        json: &Value,
        mut symtab: Option<&mut SymbolTable>,
    ) -> Result<Condition> {
        let items: &[Value] = match json {
            Value::Array(a) => a,
            _ => &[],
        };
        let mut clauses = Vec::with_capacity(items.len());
        for item in items {
            clauses.push(Clause::parse(table, item, symtab.as_deref_mut())?);
        }
        clauses.sort_by(Clause::cmp_sort);
        Ok(Condition { clauses })
    }

    /// All clauses hold (transactions).
    pub fn matches_all(&self, row: &Row) -> bool {
        self.clauses.iter().all(|c| c.evaluate(row))
    }

    /// The condition is empty or any clause holds (monitors).
    pub fn empty_or_matches_any(&self, row: &Row) -> bool {
        self.clauses.is_empty() || self.clauses.iter().any(|c| c.evaluate(row))
    }

    /// A `_uuid == <uuid>` clause, which lets a query look the row up.
    pub fn uuid_lookup(&self) -> Option<uuid::Uuid> {
        self.clauses
            .iter()
            .find(|c| c.function == Function::Eq && c.column == UUID_COLUMN)
            .and_then(|c| c.arg.as_scalar())
            .and_then(|a| a.as_uuid())
            .copied()
    }

    /// Columns the clauses look at.
    pub fn columns(&self) -> impl Iterator<Item = usize> + '_ {
        self.clauses.iter().map(|c| c.column)
    }

    pub fn same_as(&self, other: &Condition) -> bool {
        self.clauses.len() == other.clauses.len()
            && self
                .clauses
                .iter()
                .zip(&other.clauses)
                .all(|(a, b)| a.cmp_sort(b) == Ordering::Equal)
    }
}
