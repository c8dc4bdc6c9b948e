//! The one small error of the header views.

/// Why a header view could not be made over a buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The buffer ends before the header (or the part of it that its own
    /// length fields announce) does.
    Truncated,
    /// A length or version field contradicts itself: an IPv4 header length
    /// under 20 bytes or beyond the total length, a TCP data offset under 5
    /// words, an NSH version other than 0...
    Malformed,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Error::Truncated => "header truncated",
            Error::Malformed => "malformed header",
        })
    }
}

impl std::error::Error for Error {}
