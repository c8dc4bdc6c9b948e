//! Splitting a byte stream into top-level JSON values.
//!
//! A byte scanner finds where each top-level value ends by tracking only
//! strings, escapes and bracket depth; the complete value is then handed to
//! serde_json. The scanner keeps its state between calls, so every byte is
//! scanned once however the stream is chunked.

use std::fmt;

use serde::Deserialize;
use serde_json::Value;

use crate::message::{Message, MessageError};

/// The deepest nesting of arrays and objects accepted, as in OVS's JSON
/// parser (`JSON_MAX_HEIGHT`).
pub const MAX_DEPTH: usize = 1000;

/// A generous default for [`StreamDecoder::new`]. OVS itself sets no limit on
/// received messages; big transactions from e.g. ovn-northd run to tens of
/// megabytes, so the default stays far above that.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 256 << 20;

/// Where in the current message an error was found, counted the way OVS's
/// parser counts: from the first byte after the previous message, lines and
/// columns from 0, bytes before the offending one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    pub line: u64,
    pub column: u64,
    pub byte: u64,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}, byte {}",
            self.line, self.column, self.byte
        )
    }
}

/// The byte stream is not a sequence of JSON objects or arrays.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FramingError {
    /// Invalid JSON; the text follows OVS's parser where the scanner itself
    /// found the problem, and serde_json's wording otherwise.
    #[error("{at}: {message}")]
    Syntax { at: Position, message: String },
    /// More than [`MAX_DEPTH`] nested arrays or objects.
    #[error("{at}: input exceeds maximum nesting depth {limit}")]
    TooDeep { at: Position, limit: usize },
    /// The message (with the whitespace before it) is longer than the
    /// decoder's limit.
    #[error("message exceeds maximum size of {limit} bytes")]
    TooLong { limit: usize },
}

/// Why a connection must be dropped. `Display` gives the text OVS logs after
/// the connection's name (`"<name>: <error>"`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    #[error("error parsing stream: {0}")]
    Framing(#[from] FramingError),
    #[error("received bad JSON-RPC message: {0}")]
    Message(#[from] MessageError),
}

/// Incremental decoder for one connection's input.
///
/// Feed it the bytes as they arrive, then drain complete values with
/// [`next_value`](Self::next_value) or messages with
/// [`next_message`](Self::next_message) until they return `None`.
#[derive(Debug)]
pub struct StreamDecoder {
    buf: Vec<u8>,
    /// Where the current message's parse starts (just after the previous
    /// value); positions in errors are relative to it.
    origin: usize,
    /// Where the current message's opening bracket is, once seen.
    value_start: usize,
    /// Next byte to scan.
    pos: usize,
    depth: usize,
    in_string: bool,
    escape: bool,
    /// Inside a `\uXXXX` escape: how many `0` digits have followed the `u`.
    /// OVS refuses `\u0000`, so the stream must too.
    unicode_zeros: Option<u8>,
    max_message_bytes: usize,
    failed: bool,
}

enum Scan {
    Complete { start: usize, end: usize },
    Incomplete,
    Error(FramingError),
}

impl StreamDecoder {
    /// `max_message_bytes` bounds one message including the whitespace
    /// before it; see [`DEFAULT_MAX_MESSAGE_BYTES`].
    pub fn new(max_message_bytes: usize) -> Self {
        StreamDecoder {
            buf: Vec::new(),
            origin: 0,
            value_start: 0,
            pos: 0,
            depth: 0,
            in_string: false,
            escape: false,
            unicode_zeros: None,
            max_message_bytes,
            failed: false,
        }
    }

    /// Appends received bytes. Ignored once an error has been reported.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.failed {
            return;
        }
        self.compact();
        self.buf.extend_from_slice(bytes);
    }

    /// True once an error has been returned: the connection should be closed.
    pub fn is_failed(&self) -> bool {
        self.failed
    }

    /// True if bytes other than whitespace are waiting for the rest of their
    /// value (useful to tell a clean hang-up from one in mid-message).
    pub fn has_partial(&self) -> bool {
        self.buf[self.origin..]
            .iter()
            .any(|c| !matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
    }

    /// Returns the next complete top-level value, `None` if more bytes are
    /// needed (or after an error), or the error that ends the stream.
    pub fn next_value(&mut self) -> Option<Result<Value, FramingError>> {
        if self.failed {
            return None;
        }
        match self.scan() {
            Scan::Incomplete => None,
            Scan::Error(e) => {
                self.failed = true;
                Some(Err(e))
            }
            Scan::Complete { start, end } => {
                let result = self.parse(start, end);
                self.origin = end;
                self.pos = end;
                if result.is_err() {
                    self.failed = true;
                }
                Some(result)
            }
        }
    }

    /// Like [`next_value`](Self::next_value), then validated as a JSON-RPC
    /// message.
    pub fn next_message(&mut self) -> Option<Result<Message, DecodeError>> {
        let value = match self.next_value()? {
            Ok(value) => value,
            Err(e) => return Some(Err(e.into())),
        };
        match Message::from_json(value) {
            Ok(message) => Some(Ok(message)),
            Err(e) => {
                self.failed = true;
                Some(Err(e.into()))
            }
        }
    }

    /// Drops consumed bytes, moving the tail only when that is cheap relative
    /// to what was consumed, so many small messages in one chunk cost O(n).
    fn compact(&mut self) {
        if self.origin == 0 {
            return;
        }
        if self.origin == self.buf.len() {
            self.buf.clear();
        } else if self.origin >= self.buf.len() / 2 {
            self.buf.drain(..self.origin);
        } else {
            return;
        }
        self.pos -= self.origin;
        self.value_start = self.value_start.saturating_sub(self.origin);
        self.origin = 0;
    }

    fn scan(&mut self) -> Scan {
        let limit_end = self.origin.saturating_add(self.max_message_bytes);
        while self.pos < self.buf.len() {
            if self.pos >= limit_end {
                return Scan::Error(FramingError::TooLong {
                    limit: self.max_message_bytes,
                });
            }
            let here = self.pos;
            let c = self.buf[here];
            self.pos += 1;
            if self.in_string {
                if let Some(zeros) = self.unicode_zeros.take()
                    && c == b'0'
                {
                    if zeros == 3 {
                        return self
                            .syntax(here, "null bytes not supported in quoted strings".into());
                    }
                    self.unicode_zeros = Some(zeros + 1);
                    continue;
                }
                if self.escape {
                    self.escape = false;
                    if c == b'u' {
                        self.unicode_zeros = Some(0);
                    }
                } else if c == b'\\' {
                    self.escape = true;
                } else if c == b'"' {
                    self.in_string = false;
                } else if c < 0x20 {
                    return self
                        .syntax(here, format!("U+{c:04X} must be escaped in quoted string"));
                }
                continue;
            }
            match c {
                b' ' | b'\t' | b'\n' | b'\r' => {}
                b'{' | b'[' => {
                    if self.depth >= MAX_DEPTH {
                        return Scan::Error(FramingError::TooDeep {
                            at: self.position(here),
                            limit: MAX_DEPTH,
                        });
                    }
                    if self.depth == 0 {
                        self.value_start = here;
                    }
                    self.depth += 1;
                }
                b'}' | b']' if self.depth > 0 => {
                    self.depth -= 1;
                    if self.depth == 0 {
                        return Scan::Complete {
                            start: self.value_start,
                            end: self.pos,
                        };
                    }
                }
                b'"' if self.depth > 0 => self.in_string = true,
                // Anything that can appear in a value: serde_json will judge
                // the details once the value is complete.
                b':' | b',' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'+' | b'.' | b'E'
                    if self.depth > 0 => {}
                // Tokens OVS's lexer accepts but that cannot start a message.
                b'}' | b']' | b'"' | b':' | b',' | b'a'..=b'z' | b'0'..=b'9' | b'-' => {
                    return self.syntax(here, "syntax error at beginning of input".into());
                }
                0x20..=0x7e => {
                    return self.syntax(here, format!("invalid character '{}'", char::from(c)));
                }
                _ => return self.syntax(here, format!("invalid character U+{c:04x}")),
            }
        }
        Scan::Incomplete
    }

    fn parse(&self, start: usize, end: usize) -> Result<Value, FramingError> {
        let slice = &self.buf[start..end];
        let mut de = serde_json::Deserializer::from_slice(slice);
        // The scanner has bounded the depth to MAX_DEPTH already.
        de.disable_recursion_limit();
        let result = Value::deserialize(&mut de)
            .and_then(|v| de.end().map(|()| v))
            .map(|mut v| {
                crate::text::normalize_numbers(&mut v);
                v
            });
        result.map_err(|e| {
            let offset = serde_offset(slice, e.line(), e.column());
            FramingError::Syntax {
                at: self.position(start + offset),
                message: ovs_wording(&e),
            }
        })
    }

    fn syntax(&self, at: usize, message: String) -> Scan {
        Scan::Error(FramingError::Syntax {
            at: self.position(at),
            message,
        })
    }

    /// Position of buffer index `at` relative to the current message's origin
    /// (only computed on errors, so a rescan is fine).
    fn position(&self, at: usize) -> Position {
        let before = &self.buf[self.origin..at.min(self.buf.len())];
        let line = before.iter().filter(|&&c| c == b'\n').count();
        let column = match before.iter().rposition(|&c| c == b'\n') {
            Some(nl) => before.len() - nl - 1,
            None => before.len(),
        };
        Position {
            line: line as u64,
            column: column as u64,
            byte: before.len() as u64,
        }
    }
}

/// Turns serde_json's 1-based line/column (column = bytes consumed on the
/// line) into an offset of the offending byte within `slice`.
fn serde_offset(slice: &[u8], line: usize, column: usize) -> usize {
    let mut line_start = 0;
    let mut remaining = line.saturating_sub(1);
    if remaining > 0 {
        for (i, &c) in slice.iter().enumerate() {
            if c == b'\n' {
                remaining -= 1;
                if remaining == 0 {
                    line_start = i + 1;
                    break;
                }
            }
        }
    }
    line_start
        .saturating_add(column.saturating_sub(1))
        .min(slice.len())
}

/// serde_json's message without its " at line L column C" suffix, replaced
/// by OVS's wording where the two parsers mean the same thing.
fn ovs_wording(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let bare = match full.rfind(" at line ") {
        Some(i) => &full[..i],
        None => full.as_str(),
    };
    match bare {
        "expected value" => "syntax error expecting value".into(),
        "key must be a string" => "syntax error parsing object expecting string".into(),
        "expected `:`" => "syntax error parsing object expecting ':'".into(),
        "expected `,` or `}`" => "syntax error expecting '}' or ','".into(),
        "expected `,` or `]`" => "syntax error expecting ']' or ','".into(),
        "invalid number" => "syntax error in number".into(),
        "number out of range" => "number outside valid range".into(),
        "expected ident" => "invalid keyword".into(),
        "trailing comma" => "syntax error expecting value".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn values(decoder: &mut StreamDecoder) -> Vec<Result<Value, FramingError>> {
        let mut out = Vec::new();
        while let Some(v) = decoder.next_value() {
            out.push(v);
        }
        out
    }

    fn one_error(input: &[u8]) -> String {
        let mut d = StreamDecoder::new(DEFAULT_MAX_MESSAGE_BYTES);
        d.feed(input);
        match d.next_value() {
            Some(Err(e)) => e.to_string(),
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn concatenated_values_with_and_without_whitespace() {
        let mut d = StreamDecoder::new(1000);
        d.feed(b"{\"a\":1}[2]  \n {\"b\":\"}]\\\"{\"}");
        let got: Vec<Value> = values(&mut d).into_iter().map(Result::unwrap).collect();
        assert_eq!(got, vec![json!({"a":1}), json!([2]), json!({"b":"}]\"{"})]);
        assert!(!d.has_partial());
        assert!(!d.is_failed());
    }

    #[test]
    fn byte_by_byte_feeding() {
        let input = br#" {"method":"echo","params":["x\\y\u0041"],"id":0} [[],{}]"#;
        let mut d = StreamDecoder::new(1000);
        let mut got = Vec::new();
        for &b in input.iter() {
            d.feed(&[b]);
            got.extend(values(&mut d));
        }
        let got: Vec<Value> = got.into_iter().map(Result::unwrap).collect();
        assert_eq!(
            got,
            vec![
                json!({"method":"echo","params":["x\\yA"],"id":0}),
                json!([[], {}])
            ]
        );
    }

    #[test]
    fn partial_value_waits() {
        let mut d = StreamDecoder::new(1000);
        d.feed(b"{\"a\": [1, 2");
        assert!(d.next_value().is_none());
        assert!(d.has_partial());
        d.feed(b"]}");
        assert_eq!(d.next_value(), Some(Ok(json!({"a":[1,2]}))));
        assert!(d.next_value().is_none());
    }

    #[test]
    fn errors_at_top_level_use_ovs_texts() {
        assert_eq!(
            one_error(b"GET / HTTP/1.1"),
            "line 0, column 0, byte 0: invalid character 'G'"
        );
        assert_eq!(
            one_error(b"\n  1"),
            "line 1, column 2, byte 3: syntax error at beginning of input"
        );
        let mut d = StreamDecoder::new(100);
        d.feed(b"{} \x01");
        assert_eq!(d.next_value(), Some(Ok(json!({}))));
        assert_eq!(
            d.next_value().unwrap().unwrap_err().to_string(),
            "line 0, column 1, byte 1: invalid character U+0001"
        );
        assert_eq!(
            one_error(b"[\"a\nb\"]"),
            "line 0, column 3, byte 3: U+000A must be escaped in quoted string"
        );
    }

    #[test]
    fn errors_inside_values() {
        assert_eq!(
            one_error(b"{\"a\" 1}"),
            "line 0, column 5, byte 5: syntax error parsing object expecting ':'"
        );
        assert_eq!(
            one_error(b"[1,]"),
            "line 0, column 3, byte 3: syntax error expecting value"
        );
        assert!(one_error(b"{\"a\":1]").contains("syntax error expecting '}' or ','"));
        assert!(one_error(b"[01]").starts_with("line 0, column "));
        assert!(one_error(b"[tru]").contains("invalid keyword"));
        assert!(one_error(b"[1 @]").ends_with("invalid character '@'"));
    }

    #[test]
    fn decoder_stops_after_error() {
        let mut d = StreamDecoder::new(1000);
        d.feed(b"[1] x [2]");
        assert_eq!(d.next_value(), Some(Ok(json!([1]))));
        assert!(matches!(d.next_value(), Some(Err(_))));
        assert!(d.is_failed());
        assert!(d.next_value().is_none());
        d.feed(b"[3]");
        assert!(d.next_value().is_none());
    }

    #[test]
    fn escaped_nul_is_refused_as_ovs_does() {
        assert!(one_error(br#"{"a":"x\u0000y"}"#).contains("null bytes not supported"));
        // Split across feeds, and near misses that are fine.
        let mut d = StreamDecoder::new(1 << 20);
        d.feed(br#"{"a":"\u00"#);
        assert!(d.next_value().is_none());
        d.feed(br#"00"}"#);
        assert!(matches!(d.next_value(), Some(Err(_))));
        let mut d = StreamDecoder::new(1 << 20);
        d.feed(br#"{"a":"\u0001\\u0000 \u1000"}"#);
        assert!(matches!(d.next_value(), Some(Ok(_))));
    }

    #[test]
    fn depth_limit_matches_ovs() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        let mut d = StreamDecoder::new(DEFAULT_MAX_MESSAGE_BYTES);
        d.feed(ok.as_bytes());
        assert!(matches!(d.next_value(), Some(Ok(_))));
        // Objects cost serde_json more stack per level than arrays; this runs
        // on the test thread's 2 MiB stack, like a tokio worker's.
        let objects = format!("{}1{}", "{\"a\":".repeat(MAX_DEPTH), "}".repeat(MAX_DEPTH));
        d.feed(objects.as_bytes());
        assert!(matches!(d.next_value(), Some(Ok(_))));

        let too_deep = "[".repeat(MAX_DEPTH + 1);
        assert_eq!(
            one_error(too_deep.as_bytes()),
            "line 0, column 1000, byte 1000: input exceeds maximum nesting depth 1000"
        );
        // Far deeper input is rejected just as cheaply.
        let huge = "{\"a\":".repeat(100_000);
        assert!(one_error(huge.as_bytes()).contains("maximum nesting depth"));
    }

    #[test]
    fn size_limit() {
        let mut d = StreamDecoder::new(10);
        d.feed(b"[1,2,3,4]");
        assert_eq!(d.next_value(), Some(Ok(json!([1, 2, 3, 4]))));
        d.feed(b"[1,2,3,4,5]");
        assert_eq!(
            d.next_value(),
            Some(Err(FramingError::TooLong { limit: 10 }))
        );

        // An unfinished value is refused as soon as it passes the limit.
        let mut d = StreamDecoder::new(10);
        d.feed(b"[\"aaaaaaaaaaaaaaaaaaaaaaaa");
        assert_eq!(
            d.next_value(),
            Some(Err(FramingError::TooLong { limit: 10 }))
        );
    }

    #[test]
    fn many_small_values_in_one_chunk() {
        let input = "[0]".repeat(10_000);
        let mut d = StreamDecoder::new(100);
        d.feed(input.as_bytes());
        assert_eq!(values(&mut d).len(), 10_000);
        d.feed(b"[1]");
        assert_eq!(d.next_value(), Some(Ok(json!([1]))));
    }

    #[test]
    fn decode_error_display_matches_ovs_log_text() {
        let mut d = StreamDecoder::new(100);
        d.feed(br#"{"method":"echo","params":{},"id":1}"#);
        let e = d.next_message().unwrap().unwrap_err();
        assert_eq!(
            e.to_string(),
            "received bad JSON-RPC message: \"params\" must be JSON array"
        );
        let mut d = StreamDecoder::new(100);
        d.feed(b"x");
        let e = d.next_message().unwrap().unwrap_err();
        assert_eq!(
            e.to_string(),
            "error parsing stream: line 0, column 0, byte 0: syntax error at beginning of input"
        );
    }
}
