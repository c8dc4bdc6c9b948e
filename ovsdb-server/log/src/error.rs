//! Errors, printed as OVS prints its `ovsdb_error`s (`"<tag>: <details>"`).

use std::io;

/// What went wrong with a log file. Cloneable because a log that failed
/// keeps returning its error, as OVS's does.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LogError {
    /// A system call failed: `I/O error: <details> (<strerror>)`.
    #[error("I/O error: {details} ({reason})")]
    Io {
        details: String,
        reason: String,
        kind: io::ErrorKind,
        errno: Option<i32>,
    },
    /// A record ends beyond the end of the file:
    /// `I/O error: <details> (End of file)`.
    #[error("I/O error: {details} (End of file)")]
    UnexpectedEof { details: String },
    /// A malformed header, a SHA-1 mismatch, or a body that is not a JSON
    /// object.
    #[error("syntax error: {0}")]
    Syntax(String),
    /// Not an OVSDB log of the expected kind (e.g. a clustered database).
    #[error("ovsdb error: {0}")]
    Format(String),
}

impl LogError {
    pub(crate) fn io(details: impl Into<String>, e: &io::Error) -> LogError {
        LogError::Io {
            details: details.into(),
            reason: strerror(e),
            kind: e.kind(),
            errno: e.raw_os_error(),
        }
    }

    /// True for errors that mean the file's tail cannot be trusted (a torn
    /// or corrupted record), after which
    /// [`LogFile::truncate_to_last_good`](crate::LogFile::truncate_to_last_good)
    /// is the usual recovery.
    pub fn is_corruption(&self) -> bool {
        matches!(self, LogError::UnexpectedEof { .. } | LogError::Syntax(_))
    }

    /// The errno of an I/O error, if any.
    pub fn errno(&self) -> Option<i32> {
        match self {
            LogError::Io { errno, .. } => *errno,
            _ => None,
        }
    }
}

/// `strerror`'s text: Rust's error text without " (os error N)".
pub(crate) fn strerror(e: &io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}
