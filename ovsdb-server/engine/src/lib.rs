//! The OVSDB engine.
