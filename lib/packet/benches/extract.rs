//! Flow extraction per packet: a minimum-size UDP/IPv4 frame (the
//! packet-rate benchmark's traffic) and a TCP/IPv6 segment with options.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ovs_flow::Flow;
use ovs_packet::{Metadata, extract, offsets};

/// 64 bytes on the wire less the FCS: Ethernet, IPv4, UDP, 18 bytes of
/// payload.
fn udp4_frame() -> Vec<u8> {
    let mut p = Vec::with_capacity(60);
    p.extend_from_slice(&[0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00]);
    p.extend_from_slice(&[
        0x45, 0x00, 0x00, 46, 0x00, 0x01, 0x00, 0x00, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ]);
    p.extend_from_slice(&[0x04, 0xd2, 0x16, 0x2e, 0x00, 26, 0x00, 0x00]);
    p.resize(60, 0xab);
    p
}

/// Ethernet, IPv6, TCP with a 12-byte option block, 20 bytes of data.
fn tcp6_frame() -> Vec<u8> {
    let mut p = Vec::new();
    p.extend_from_slice(&[0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x86, 0xdd]);
    p.extend_from_slice(&[0x60, 0x01, 0x23, 0x45, 0x00, 52, 6, 64]);
    p.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    p.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    p.extend_from_slice(&[
        0x9c, 0x40, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 1, 0x80, 0x18, 0x01, 0xf6, 0, 0, 0, 0,
    ]);
    p.extend_from_slice(&[1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2]);
    p.resize(p.len() + 20, 0xcd);
    p
}

fn bench(c: &mut Criterion) {
    let md = Metadata {
        in_port: 1,
        ..Metadata::default()
    };
    let mut group = c.benchmark_group("extract");
    group.throughput(Throughput::Elements(1));
    for (name, frame) in [("udp4_64B", udp4_frame()), ("tcp6", tcp6_frame())] {
        let mut flow = Flow::ZERO;
        group.bench_function(name, |b| {
            b.iter(|| {
                let o = extract(black_box(&frame), black_box(&md), &mut flow);
                black_box(&flow);
                o
            })
        });
        group.bench_function(format!("{name}_offsets_only"), |b| {
            b.iter(|| offsets(black_box(&frame), 0, 0))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
