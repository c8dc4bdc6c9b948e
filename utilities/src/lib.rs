//! Shared code of the `ovsdb-client` and `ovsdb-tool` binaries.
//!
//! Both tools must print exactly what Open vSwitch 3.1's tools print for the
//! same input, so this crate models the OVS pieces that shape that output:
//! its JSON printer and parser (`json`), the OVSDB data model's text forms
//! (`ovsdb`), the table formatter of `lib/table.c` (`table`), GNU option
//! parsing (`getopt`) and the JSON-RPC client connection (`rpc`);
//! hash-map iteration order comes from the `ovs-shash` crate, and database
//! files are framed and locked by the `ovsdb-log` crate (`logfile` only
//! carries their records through `json`). The commands themselves are in
//! `client` and `tool`; `tool` runs transactions on the workspace's OVSDB
//! engine (`ovsdb` crate).
//!
//! Promises: no `unsafe`; no panics on input (server replies, files,
//! command lines). It must not depend on the server crates' internals
//! beyond their public APIs.

#![forbid(unsafe_code)]

pub mod cfmt;
pub mod client;
pub mod getopt;
pub mod json;
pub mod logfile;
pub mod ovsdb;
pub mod rpc;
pub mod table;
pub mod tool;
pub mod util;
