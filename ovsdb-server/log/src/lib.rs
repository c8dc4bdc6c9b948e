//! The OVSDB on-disk log file.
