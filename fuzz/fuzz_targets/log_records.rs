//! Reads arbitrary bytes as an OVSDB standalone log: must never panic, and
//! every record it accepts must be written back and read back the same
//! (after at most one rounding of doubles to OVS's 15 digits).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ovsdb_log::{OVSDB_MAGIC, compose_record, parse_log};

fuzz_target!(|data: &[u8]| {
    let (records, _error) = parse_log(data);
    let rewritten: Vec<u8> = records
        .iter()
        .flat_map(|r| compose_record(r, OVSDB_MAGIC))
        .collect();
    let (again, error) = parse_log(&rewritten);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(again.len(), records.len());
    // Doubles may be rounded to OVS's 15 digits once, never again.
    let rewritten_again: Vec<u8> = again
        .iter()
        .flat_map(|r| compose_record(r, OVSDB_MAGIC))
        .collect();
    assert_eq!(rewritten_again, rewritten);
});
