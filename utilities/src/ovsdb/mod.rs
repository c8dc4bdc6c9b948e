//! The parts of OVSDB's data model the tools need to read and print data:
//! schemas, types, atoms and datums, errors. They follow `lib/ovsdb-*.c`
//! closely because the tools' output is defined by those printers.

pub mod condition;
pub mod data;
pub mod error;
pub mod schema;
pub mod types;

pub use data::{Atom, Datum, Uuid};
pub use error::OvsdbError;
pub use schema::{Column, DatabaseSchema, TableSchema};
pub use types::{AtomicType, BaseType, Type};
