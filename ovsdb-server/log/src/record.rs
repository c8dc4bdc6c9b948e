//! The record format, independent of files.
//!
//! A record is a header line `OVSDB <magic> <length> <sha1>\n` followed by
//! `<length>` bytes of data: a JSON object (as written: compact JSON and a
//! newline), whose SHA-1 the header gives in lower-case hex.

use std::io::{BufRead, Read};

use ovs_jsonrpc::StreamDecoder;
use serde_json::Value;
use sha1::{Digest, Sha1};

use crate::error::LogError;

/// The magic of standalone databases.
pub const OVSDB_MAGIC: &str = "JSON";
/// The magic of clustered databases (not supported here).
pub const CLUSTER_MAGIC: &str = "CLUSTER";

/// OVS reads headers with a 128-byte buffer: 127 bytes and a NUL.
const MAX_HEADER_LEN: usize = 127;

/// The bytes of one record for `json`: header then data.
pub fn compose_record(json: &Value, magic: &str) -> Vec<u8> {
    compose_record_text(ovs_jsonrpc::text::to_string(json).as_bytes(), magic)
}

/// The bytes of one record whose data is the JSON text `text`.
pub fn compose_record_text(text: &[u8], magic: &str) -> Vec<u8> {
    let mut data = Vec::with_capacity(text.len() + 1);
    data.extend_from_slice(text);
    data.push(b'\n');
    let sha1 = Sha1::digest(&data);
    let mut out = format!("OVSDB {magic} {} {sha1:x}\n", data.len()).into_bytes();
    out.extend_from_slice(&data);
    out
}

/// A parsed header line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    pub magic: String,
    pub length: u64,
    pub sha1: [u8; 20],
}

/// Parses a header line (with its `\n`) the way OVS's `parse_header` does.
pub(crate) fn parse_header(line: &[u8]) -> Option<Header> {
    let rest = line.strip_prefix(b"OVSDB ")?;
    let space = rest.iter().position(|&c| c == b' ')?;
    let magic = std::str::from_utf8(&rest[..space]).ok()?.to_string();
    let rest = &rest[space + 1..];
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    let length: u64 = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    if length == 0 || rest.get(digits) != Some(&b' ') {
        return None;
    }
    let hex = rest.get(digits + 1..digits + 41)?;
    let mut sha1 = [0u8; 20];
    for (byte, pair) in sha1.iter_mut().zip(hex.chunks(2)) {
        let text = std::str::from_utf8(pair).ok()?;
        if !text.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        *byte = u8::from_str_radix(text, 16).ok()?;
    }
    if rest.get(digits + 41..) != Some(b"\n".as_slice()) {
        return None;
    }
    Some(Header {
        magic,
        length,
        sha1,
    })
}

/// Reads up to and including `\n`, at most [`MAX_HEADER_LEN`] bytes, like
/// `fgets`. An empty result means end of file.
pub(crate) fn read_header_line<R: BufRead>(reader: &mut R) -> std::io::Result<Vec<u8>> {
    let mut line = Vec::new();
    while line.len() < MAX_HEADER_LEN {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            break;
        }
        let room = MAX_HEADER_LEN - line.len();
        let take = available.len().min(room);
        match available[..take].iter().position(|&c| c == b'\n') {
            Some(nl) => {
                line.extend_from_slice(&available[..=nl]);
                reader.consume(nl + 1);
                return Ok(line);
            }
            None => {
                line.extend_from_slice(&available[..take]);
                reader.consume(take);
            }
        }
    }
    Ok(line)
}

/// Reads the record starting at `offset` (where `reader` is positioned).
/// Returns the record and the offset just past it, or `None` at a clean end
/// of file. `name` is the file name used in error texts.
/// Reads one record's header and data and checks the data's SHA-1; the
/// caller parses the JSON (`read_record` does).
pub(crate) fn read_record_data<R: BufRead>(
    reader: &mut R,
    offset: u64,
    name: &str,
    magic: &str,
) -> Result<Option<(Vec<u8>, u64)>, LogError> {
    let line =
        read_header_line(reader).map_err(|e| LogError::io(format!("{name}: read failed"), &e))?;
    if line.is_empty() {
        return Ok(None);
    }
    let data_offset = offset + line.len() as u64;
    let header = match parse_header(&line) {
        Some(h) if h.magic == magic => h,
        _ => {
            let shown = line.split(|&c| c == b'\n').next().unwrap_or(&[]);
            return Err(LogError::Syntax(format!(
                "{name}: parse error at offset {offset} in header line \"{}\"",
                String::from_utf8_lossy(shown)
            )));
        }
    };

    // Read as the data arrives, so a huge length in a corrupt header costs
    // no more memory than the file actually holds.
    let mut data = Vec::new();
    let read = reader.take(header.length).read_to_end(&mut data);
    let eof_error = || LogError::UnexpectedEof {
        details: format!(
            "{name}: error reading {} bytes starting at offset {data_offset}",
            header.length
        ),
    };
    match read {
        Ok(n) if n as u64 == header.length => {}
        Ok(_) => return Err(eof_error()),
        Err(e) => {
            return Err(LogError::io(
                format!(
                    "{name}: error reading {} bytes starting at offset {data_offset}",
                    header.length
                ),
                &e,
            ));
        }
    }

    let actual: [u8; 20] = Sha1::digest(&data).into();
    if actual != header.sha1 {
        return Err(LogError::Syntax(format!(
            "{name}: {} bytes starting at offset {data_offset} have SHA-1 hash {} but should have hash {}",
            header.length,
            hex(&actual),
            hex(&header.sha1)
        )));
    }

    Ok(Some((data, data_offset + header.length)))
}

pub(crate) fn read_record<R: BufRead>(
    reader: &mut R,
    offset: u64,
    name: &str,
    magic: &str,
) -> Result<Option<(Value, u64)>, LogError> {
    let Some((data, next)) = read_record_data(reader, offset, name, magic)? else {
        return Ok(None);
    };
    let length = data.len();
    let data_offset = next - length as u64;
    let json = parse_body(&data).map_err(|why| {
        LogError::Syntax(format!(
            "{name}: {} bytes starting at offset {data_offset} are not valid JSON ({why})",
            length
        ))
    })?;
    if !json.is_object() {
        return Err(LogError::Syntax(format!(
            "{name}: {} bytes starting at offset {data_offset} are not a JSON object",
            length
        )));
    }
    Ok(Some((json, next)))
}

/// One JSON object or array, with only whitespace around it. Depth and
/// size are bounded by the JSON-RPC decoder's scanner, so no input can
/// exhaust the stack.
fn parse_body(data: &[u8]) -> Result<Value, String> {
    let mut decoder = StreamDecoder::new(usize::MAX);
    decoder.feed(data);
    match decoder.next_value() {
        Some(Ok(value)) => {
            if decoder.has_partial() || decoder.next_value().is_some() {
                Err("trailing garbage at end of input".into())
            } else {
                Ok(value)
            }
        }
        Some(Err(e)) => Err(e.to_string()),
        None if decoder.has_partial() => Err("unexpected end of input".into()),
        None => Err("empty input stream".into()),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads every record in `bytes` as a standalone log would, stopping at the
/// first error (returned beside the records read before it).
///
/// This is the entry point of the `log_records` fuzz target.
pub fn parse_log(bytes: &[u8]) -> (Vec<Value>, Option<LogError>) {
    let mut reader = bytes;
    let mut offset = 0;
    let mut records = Vec::new();
    loop {
        match read_record(&mut reader, offset, "log", OVSDB_MAGIC) {
            Ok(Some((json, next))) => {
                records.push(json);
                offset = next;
            }
            Ok(None) => return (records, None),
            Err(e) => return (records, Some(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn composes_ovs_records() {
        // The hash is what `sha1sum` gives for `{"_is_diff":true}\n`.
        let record = compose_record(&json!({"_is_diff": true}), OVSDB_MAGIC);
        assert_eq!(
            String::from_utf8(record).unwrap(),
            "OVSDB JSON 18 e40c1487bf6092f03660f1acadb8c371710c61ea\n{\"_is_diff\":true}\n"
        );
    }

    #[test]
    fn header_parsing() {
        let good = b"OVSDB JSON 99 057a437ff688ae6a20d6602d4b9073d8f02d9e6e\n";
        let h = parse_header(good).unwrap();
        assert_eq!(h.magic, "JSON");
        assert_eq!(h.length, 99);
        assert_eq!(hex(&h.sha1), "057a437ff688ae6a20d6602d4b9073d8f02d9e6e");
        assert!(
            parse_header(b"OVSDB JSON 99 057A437FF688AE6A20D6602D4B9073D8F02D9E6E\n").is_some()
        );
        for bad in [
            &b"OVSDB JSON 0 057a437ff688ae6a20d6602d4b9073d8f02d9e6e\n"[..],
            b"OVSDB JSON 99 057a437ff688ae6a20d6602d4b9073d8f02d9e6\n",
            b"OVSDB JSON 99 057a437ff688ae6a20d6602d4b9073d8f02d9e6e \n",
            b"OVSDB JSON 99 057a437ff688ae6a20d6602d4b9073d8f02d9e6e",
            b"OVSDB JSON99 057a437ff688ae6a20d6602d4b9073d8f02d9e6e\n",
            b"OVSDB JSON 99 g57a437ff688ae6a20d6602d4b9073d8f02d9e6e\n",
            b"OVSDB JSON 99999999999999999999999 057a437ff688ae6a20d6602d4b9073d8f02d9e6e\n",
            b"ovsdb JSON 99 057a437ff688ae6a20d6602d4b9073d8f02d9e6e\n",
            b"garbage\n",
        ] {
            assert_eq!(parse_header(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn records_round_trip_and_errors_read_like_ovs() {
        let mut bytes = compose_record(&json!({"a": [1, "x"]}), OVSDB_MAGIC);
        bytes.extend(compose_record(&json!({"b": {}}), OVSDB_MAGIC));
        let (records, error) = parse_log(&bytes);
        assert_eq!(records, vec![json!({"a": [1, "x"]}), json!({"b": {}})]);
        assert_eq!(error, None);

        let first_len = compose_record(&json!({"a": [1, "x"]}), OVSDB_MAGIC).len();
        let (records, error) = parse_log(&bytes[..bytes.len() - 3]);
        assert_eq!(records.len(), 1);
        let header_len = bytes[first_len..].iter().position(|&c| c == b'\n').unwrap() + 1;
        assert_eq!(
            error.unwrap().to_string(),
            format!(
                "I/O error: log: error reading 9 bytes starting at offset {} (End of file)",
                first_len + header_len
            )
        );

        let mut garbage = bytes.clone();
        garbage.extend_from_slice(b"garbage\n");
        let (records, error) = parse_log(&garbage);
        assert_eq!(records.len(), 2);
        assert_eq!(
            error.unwrap().to_string(),
            format!(
                "syntax error: log: parse error at offset {} in header line \"garbage\"",
                bytes.len()
            )
        );

        let array = b"OVSDB JSON 4 6d7e0100a388d5914d5a530b405235ce85fea122\n[1]\n";
        assert_eq!(
            parse_log(array).1.unwrap().to_string(),
            "syntax error: log: 4 bytes starting at offset 54 are not a JSON object"
        );

        let mut bad_sha = compose_record(&json!({"k": 1}), OVSDB_MAGIC);
        let last = bad_sha.len() - 2;
        bad_sha[last] = b'2';
        let e = parse_log(&bad_sha).1.unwrap().to_string();
        assert!(
            e.starts_with("syntax error: log: 8 bytes starting at offset 54 have SHA-1 hash "),
            "{e}"
        );
        assert!(e.contains(" but should have hash "), "{e}");
    }

    #[test]
    fn invalid_json_bodies() {
        let record = |body: &[u8]| {
            let sha: [u8; 20] = Sha1::digest(body).into();
            let sha = hex(&sha);
            let mut r = format!("OVSDB JSON {} {sha}\n", body.len()).into_bytes();
            r.extend_from_slice(body);
            parse_log(&r).1.unwrap().to_string()
        };
        assert!(
            record(b"{\"a\":1} x\n")
                .ends_with("are not valid JSON (trailing garbage at end of input)")
        );
        assert!(record(b"{\"a\":1\n").ends_with("are not valid JSON (unexpected end of input)"));
        assert!(record(b"  \n").ends_with("are not valid JSON (empty input stream)"));
        assert!(record(b"1\n").contains("syntax error at beginning of input"));
    }

    #[test]
    fn long_header_lines_are_cut_like_fgets() {
        let long = vec![b'x'; 300];
        let e = parse_log(&long).1.unwrap().to_string();
        assert_eq!(
            e,
            format!(
                "syntax error: log: parse error at offset 0 in header line \"{}\"",
                "x".repeat(127)
            )
        );
    }

    #[test]
    fn huge_lengths_do_not_allocate() {
        let e = parse_log(
            b"OVSDB JSON 18446744073709551615 057a437ff688ae6a20d6602d4b9073d8f02d9e6e\n{}",
        )
        .1
        .unwrap();
        assert!(matches!(e, LogError::UnexpectedEof { .. }), "{e}");
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_parse_without_panicking(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let _ = parse_log(&bytes);
        }

        #[test]
        fn objects_round_trip(keys in proptest::collection::vec(("[a-z_]{1,8}", proptest::num::i64::ANY, "[^\\x00]{0,10}"), 1..6)) {
            let mut bytes = Vec::new();
            let mut want = Vec::new();
            for (k, n, s) in keys {
                let v = serde_json::json!({ k: [n, s, {"nested": null}] });
                bytes.extend(compose_record(&v, OVSDB_MAGIC));
                want.push(v);
            }
            let (records, error) = parse_log(&bytes);
            proptest::prop_assert_eq!(error, None);
            proptest::prop_assert_eq!(records, want);
        }
    }
}
