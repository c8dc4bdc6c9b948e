//! Levels and destinations, with OVS's names.

use std::fmt;

/// A vlog level. Order matters: a message is logged to a destination when
/// its level is at or below the destination's level (`Off` logs nothing,
/// `Dbg` everything).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Off,
    Emer,
    Err,
    Warn,
    Info,
    Dbg,
}

impl Level {
    pub const ALL: [Level; 6] = [
        Level::Off,
        Level::Emer,
        Level::Err,
        Level::Warn,
        Level::Info,
        Level::Dbg,
    ];

    /// The upper-case name OVS prints (`%p`, `vlog/list`).
    pub fn name(self) -> &'static str {
        match self {
            Level::Off => "OFF",
            Level::Emer => "EMER",
            Level::Err => "ERR",
            Level::Warn => "WARN",
            Level::Info => "INFO",
            Level::Dbg => "DBG",
        }
    }

    /// Case-insensitive, as OVS parses it.
    pub fn from_name(name: &str) -> Option<Level> {
        Level::ALL
            .into_iter()
            .find(|l| l.name().eq_ignore_ascii_case(name))
    }

    /// The syslog severity OVS sends for this level.
    pub fn syslog_severity(self) -> u32 {
        match self {
            Level::Off | Level::Emer => 1,
            Level::Err => 3,
            Level::Warn => 4,
            Level::Info => 5,
            Level::Dbg => 7,
        }
    }

    pub(crate) fn from_tracing(level: &tracing::Level) -> Level {
        match *level {
            tracing::Level::ERROR => Level::Err,
            tracing::Level::WARN => Level::Warn,
            tracing::Level::INFO => Level::Info,
            _ => Level::Dbg,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// Where messages go, in OVS's order (which `vlog/list-pattern` follows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Destination {
    Syslog,
    Console,
    File,
}

impl Destination {
    pub const ALL: [Destination; 3] =
        [Destination::Syslog, Destination::Console, Destination::File];

    pub fn name(self) -> &'static str {
        match self {
            Destination::Syslog => "SYSLOG",
            Destination::Console => "CONSOLE",
            Destination::File => "FILE",
        }
    }

    pub fn from_name(name: &str) -> Option<Destination> {
        Destination::ALL
            .into_iter()
            .find(|d| d.name().eq_ignore_ascii_case(name))
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// OVS's built-in pattern for this destination.
    pub fn default_pattern(self) -> &'static str {
        match self {
            Destination::Syslog => "ovs|%05N|%c%T|%p|%m",
            Destination::Console => "%D{%Y-%m-%dT%H:%M:%SZ}|%05N|%c%T|%p|%m",
            Destination::File => "%D{%Y-%m-%dT%H:%M:%S.###Z}|%05N|%c%T|%p|%m",
        }
    }
}

/// Syslog facilities accepted by `FACILITY:<name>`, with their values.
pub(crate) const FACILITIES: [(&str, u32); 23] = [
    ("kern", 0 << 3),
    ("user", 1 << 3),
    ("mail", 2 << 3),
    ("daemon", 3 << 3),
    ("auth", 4 << 3),
    ("syslog", 5 << 3),
    ("lpr", 6 << 3),
    ("news", 7 << 3),
    ("uucp", 8 << 3),
    ("clock", 9 << 3),
    ("ftp", 11 << 3),
    ("ntp", 12 << 3),
    ("audit", 13 << 3),
    ("alert", 14 << 3),
    ("clock2", 15 << 3),
    ("local0", 16 << 3),
    ("local1", 17 << 3),
    ("local2", 18 << 3),
    ("local3", 19 << 3),
    ("local4", 20 << 3),
    ("local5", 21 << 3),
    ("local6", 22 << 3),
    ("local7", 23 << 3),
];

pub(crate) const LOG_DAEMON: u32 = 3 << 3;
pub(crate) const LOG_LOCAL0: u32 = 16 << 3;
