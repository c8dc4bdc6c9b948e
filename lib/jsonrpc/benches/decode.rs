//! The JSON-RPC receive path: 1000 `transact` requests of the shape
//! `ovs-vsctl` and the bench harness send, arriving in one buffer (a
//! pipelined client) and split into 4 KiB reads.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ovs_jsonrpc::{DEFAULT_MAX_MESSAGE_BYTES, Message, StreamDecoder};
use serde_json::json;

fn stream() -> Vec<u8> {
    let mut bytes = Vec::new();
    for i in 0..1000 {
        let msg = Message::request(
            "transact",
            json!(["Open_vSwitch", {"op": "insert", "table": "Queue",
                "row": {"external_ids": ["map", [["i", i.to_string()], ["bench", "ovsb"]]]}}]),
            json!(i),
        );
        bytes.extend_from_slice(&msg.to_bytes());
    }
    bytes
}

fn decode(c: &mut Criterion) {
    let bytes = stream();
    let mut group = c.benchmark_group("jsonrpc");
    group.throughput(Throughput::Elements(1000));
    group.bench_function("decode_1000_transacts", |b| {
        b.iter(|| {
            let mut decoder = StreamDecoder::new(DEFAULT_MAX_MESSAGE_BYTES);
            let mut n = 0;
            for chunk in bytes.chunks(4096) {
                decoder.feed(chunk);
                while let Some(m) = decoder.next_message() {
                    n += usize::from(m.is_ok());
                }
            }
            assert_eq!(n, 1000);
        })
    });
    let messages: Vec<Message> = ovs_jsonrpc::decode_all(&bytes)
        .into_iter()
        .filter_map(Result::ok)
        .collect();
    group.bench_function("encode_1000_transacts", |b| {
        b.iter(|| messages.iter().map(|m| m.to_bytes().len()).sum::<usize>())
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
