//! JSON-RPC framing as Open vSwitch speaks it.
//!
//! OVS sends JSON-RPC 1.0 messages over a byte stream (unix, tcp, ssl) as
//! plain concatenated JSON objects: no length prefix, no delimiter, optional
//! whitespace between values. This crate turns such a byte stream into
//! [`Message`]s ([`StreamDecoder`]) and messages back into bytes
//! ([`Message::to_bytes`]), applying the same validity rules and producing
//! the same error texts as OVS's `lib/jsonrpc.c` and `lib/json.c`, so that
//! logs and client-visible behaviour match.
//!
//! Promises: no I/O, no clock, no `unsafe`; no input can make it panic,
//! recurse without bound, or buffer more than the configured message size
//! plus one fed chunk. After any error the caller is expected to drop the
//! connection, as OVS does; the decoder refuses further input.
//!
//! It must not depend on sockets, async runtimes or the OVSDB crates.

#![forbid(unsafe_code)]

mod decoder;
mod message;
pub mod text;

pub use decoder::{
    DEFAULT_MAX_MESSAGE_BYTES, DecodeError, FramingError, MAX_DEPTH, Position, StreamDecoder,
};
pub use message::{Message, MessageError};

/// Decodes every message in `bytes` as one connection would see them, stopping
/// at the first error (which is the last element). Bytes of an unfinished
/// trailing value are ignored, as they are when a peer hangs up mid-message.
///
/// This is the entry point of the `jsonrpc_stream` fuzz target.
pub fn decode_all(bytes: &[u8]) -> Vec<Result<Message, DecodeError>> {
    let mut decoder = StreamDecoder::new(DEFAULT_MAX_MESSAGE_BYTES);
    decoder.feed(bytes);
    let mut out = Vec::new();
    while let Some(item) = decoder.next_message() {
        out.push(item);
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Map, Value};

    use super::*;

    /// Any string OVS can carry: everything but NUL, which its JSON refuses.
    fn text(max: usize) -> impl Strategy<Value = String> {
        prop::string::string_regex(&format!("[^\\x00]{{0,{max}}}")).expect("valid regex")
    }

    fn any_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            // Doubles OVS carries unchanged: not whole, and exact in 15 digits.
            any::<i32>().prop_map(|i| Value::from(f64::from(i) + 0.25)),
            text(12).prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((text(8), inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
            ]
        })
    }

    fn non_null() -> impl Strategy<Value = Value> {
        any_value().prop_filter("not null", |v| !v.is_null())
    }

    fn array() -> impl Strategy<Value = Value> {
        prop::collection::vec(any_value(), 0..5).prop_map(Value::Array)
    }

    fn any_message() -> impl Strategy<Value = Message> {
        prop_oneof![
            (text(10), array(), non_null()).prop_map(|(m, p, id)| Message::request(m, p, id)),
            (text(10), array()).prop_map(|(m, p)| Message::notify(m, p)),
            (non_null(), non_null()).prop_map(|(id, r)| Message::reply(id, r)),
            (non_null(), non_null()).prop_map(|(id, e)| Message::error(id, e)),
        ]
    }

    proptest! {
        #[test]
        fn messages_survive_any_chunking(
            messages in prop::collection::vec(any_message(), 0..6),
            separators in prop::collection::vec("[ \t\r\n]{0,3}", 6),
            cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..8),
        ) {
            let mut bytes = Vec::new();
            for (m, sep) in messages.iter().zip(&separators) {
                bytes.extend_from_slice(sep.as_bytes());
                bytes.extend_from_slice(&m.to_bytes());
            }
            let mut points: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
            points.push(0);
            points.push(bytes.len());
            points.sort_unstable();

            let mut decoder = StreamDecoder::new(DEFAULT_MAX_MESSAGE_BYTES);
            let mut got = Vec::new();
            for pair in points.windows(2) {
                decoder.feed(&bytes[pair[0]..pair[1]]);
                while let Some(m) = decoder.next_message() {
                    got.push(m.map_err(|e| e.to_string()));
                }
            }
            let want: Vec<_> = messages.into_iter().map(Ok).collect();
            prop_assert_eq!(got, want);
            prop_assert!(!decoder.has_partial());
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
            let results = decode_all(&bytes);
            // Only the last result may be an error.
            for r in results.iter().rev().skip(1) {
                prop_assert!(r.is_ok());
            }
        }
    }
}
