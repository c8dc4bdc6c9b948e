//! The unixctl control socket: the server `ovs-appctl` talks to, and a
//! client for our own tools.
//!
//! The protocol is OVS's JSON-RPC over a unix stream socket: a request's
//! `method` is the command name and its `params` an array of strings; the
//! answer is a reply whose `result` is a string, or an error whose `error`
//! is a string. The server validates commands and argument counts itself
//! with OVS's error texts, answers `list-commands` and `version`, and hands
//! every other command to the daemon as a [`UnixctlRequest`] on a channel, so
//! the daemon's state never needs locking for it.
//!
//! Promises: the socket file is removed when the server is dropped; a
//! misbehaving client only loses its own connection. Built on tokio and
//! ovs-jsonrpc; it must not depend on the OVSDB or OpenFlow crates.

#![forbid(unsafe_code)]

mod client;
mod paths;
mod server;

pub use client::UnixctlClient;
pub use paths::{default_path, rundir, server_path, target_path};
pub use server::{UnixctlHandle, UnixctlRequest, UnixctlServer};

#[cfg(test)]
mod tests;
