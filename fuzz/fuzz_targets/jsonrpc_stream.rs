//! Feeds arbitrary bytes to the JSON-RPC stream decoder, first whole and then
//! split at a point taken from the input, and checks both agree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ovs_jsonrpc::{DEFAULT_MAX_MESSAGE_BYTES, StreamDecoder, decode_all};

fuzz_target!(|data: &[u8]| {
    let whole = decode_all(data);

    let split = data.first().map_or(0, |&b| usize::from(b)).min(data.len());
    let mut decoder = StreamDecoder::new(DEFAULT_MAX_MESSAGE_BYTES);
    let mut chunked = Vec::new();
    for part in [&data[..split], &data[split..]] {
        decoder.feed(part);
        while let Some(m) = decoder.next_message() {
            chunked.push(m);
        }
    }
    assert_eq!(whole, chunked);

    // Encoding may round doubles to OVS's 15 digits once; after that, a
    // message must survive any number of re-encodes unchanged.
    for message in whole.into_iter().flatten() {
        let once = decode_all(&message.to_bytes());
        assert_eq!(once.len(), 1);
        let Some(Ok(once)) = once.into_iter().next() else {
            panic!("a decoded message failed to decode after re-encoding");
        };
        let twice = decode_all(&once.to_bytes());
        assert_eq!(twice, vec![Ok(once)]);
    }
});
