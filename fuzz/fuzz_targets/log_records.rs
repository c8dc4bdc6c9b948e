//! Reads arbitrary bytes as an OVSDB standalone log: must never panic, and
//! every record it accepts must be written back byte-for-byte the same way
//! and read back equal.
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
    assert_eq!(again, records);
});
