//! Classifier hot paths at the benchmark's scale: 100,000 rules shaped like
//! `priority=1000..2007,ip,nw_dst=10.200.x.y`, plus a few other subtables.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use ovs_classifier::Classifier;
use ovs_flow::{Flow, Match, offset};

const N_RULES: u32 = 100_000;
const BASE: u32 = 0x0ac8_0000; // 10.200.0.0

fn nw_dst_rule(i: u32) -> (Match, u16) {
    let mut m = Match::catchall();
    m.wc.set_be(offset::DL_TYPE, 2, 0xffff);
    m.flow.set_be(offset::DL_TYPE, 2, 0x0800);
    m.wc.set_be(offset::NW_DST, 4, 0xffff_ffff);
    m.flow.set_be(offset::NW_DST, 4, u64::from(BASE + i));
    (m, 1000 + (i % 1008) as u16)
}

/// The 100k rules plus a catch-all, an L4 subtable that outranks them and
/// a metadata/in_port subtable, as a small OpenFlow pipeline would have.
fn full_table() -> Classifier<u32> {
    let mut c = Classifier::new();
    for i in 0..N_RULES {
        let (m, p) = nw_dst_rule(i);
        c.insert(&m, p, i);
    }
    c.insert(&Match::catchall(), 0, u32::MAX);
    for port in 0..16u64 {
        let mut m = Match::catchall();
        m.wc.set_be(offset::DL_TYPE, 2, 0xffff);
        m.flow.set_be(offset::DL_TYPE, 2, 0x0800);
        m.wc.set_be(offset::NW_PROTO, 1, 0xff);
        m.flow.set_be(offset::NW_PROTO, 1, 6);
        m.wc.set_be(offset::TP_DST, 2, 0xffff);
        m.flow.set_be(offset::TP_DST, 2, 8000 + port);
        c.insert(&m, 3000, 1);
        let mut m = Match::catchall();
        m.wc.set_be(offset::IN_PORT, 2, 0xffff);
        m.flow.set_be(offset::IN_PORT, 2, port);
        m.wc.set_be(offset::METADATA, 8, u64::MAX);
        m.flow.set_be(offset::METADATA, 8, 7);
        c.insert(&m, 500, 2);
    }
    c
}

fn packets() -> Vec<Flow> {
    (0..1024u32)
        .map(|i| {
            let mut f = Flow::ZERO;
            f.set_be(offset::IN_PORT, 2, u64::from(i % 4));
            f.set_be(offset::DL_TYPE, 2, 0x0800);
            // Three in four hit an nw_dst rule; the rest fall to lower ones.
            let dst = if i % 4 == 3 {
                0x0b00_0000 + i
            } else {
                BASE + i * 97 % N_RULES
            };
            f.set_be(offset::NW_DST, 4, u64::from(dst));
            f.set_be(offset::NW_PROTO, 1, 6);
            f.set_be(offset::TP_DST, 2, u64::from(80 + i % 3));
            f
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let table = full_table();
    eprintln!(
        "classifier memory: {} rules in {} subtables, {} heap bytes, {:.1} bytes/rule \
         (payload u32 included)",
        table.len(),
        table.n_subtables(),
        table.heap_bytes(),
        table.heap_bytes() as f64 / table.len() as f64
    );

    // Rules are built in place from one template, as a flow_mod decoder
    // would hand them over, so the timing is the classifier's, not the cost
    // of streaming 100k prebuilt 1.3 KB matches through the cache.
    let insert_all = |cls: &mut Classifier<u32>| {
        let (mut m, _) = nw_dst_rule(0);
        for i in 0..N_RULES {
            m.flow.set_be(offset::NW_DST, 4, u64::from(BASE + i));
            cls.insert(&m, 1000 + (i % 1008) as u16, i);
        }
    };
    c.bench_function("insert 100k nw_dst rules", |b| {
        b.iter_batched(
            Classifier::new,
            |mut cls| {
                insert_all(&mut cls);
                cls
            },
            BatchSize::LargeInput,
        )
    });

    c.bench_function("remove 100k nw_dst rules", |b| {
        b.iter_batched(
            || {
                let mut cls = Classifier::new();
                insert_all(&mut cls);
                cls
            },
            |mut cls| {
                let (mut m, _) = nw_dst_rule(0);
                for i in 0..N_RULES {
                    m.flow.set_be(offset::NW_DST, 4, u64::from(BASE + i));
                    black_box(cls.remove(&m, 1000 + (i % 1008) as u16));
                }
                cls
            },
            BatchSize::LargeInput,
        )
    });

    let pkts = packets();
    c.bench_function("lookup x1024 in 100k rules", |b| {
        b.iter(|| {
            let mut hits = 0u32;
            for f in &pkts {
                if let Some((_, p, _)) = table.lookup(black_box(f)) {
                    hits += u32::from(p);
                }
            }
            hits
        })
    });

    c.bench_function("lookup_wc x1024 in 100k rules", |b| {
        b.iter(|| {
            let mut hits = 0u32;
            for f in &pkts {
                let mut wc = Flow::ZERO;
                if let Some((_, p, _)) = table.lookup_wc(black_box(f), &mut wc) {
                    hits += u32::from(p);
                }
                black_box(&wc);
            }
            hits
        })
    });

    let target = nw_dst_rule(12345).0;
    c.bench_function("find_exact x1024 in 100k rules", |b| {
        b.iter(|| {
            let mut n = 0;
            for p in 1000..2024u16 {
                n += usize::from(table.find_exact(black_box(&target), p).is_some());
            }
            n
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
