//! Translation per upcall, the cost of setting up one megaflow: NORMAL on
//! a four-port bridge whose MAC table knows the destination (learning on,
//! as for a real upcall), and a `multipath` table that hashes the 5-tuple
//! like the flow-setup benchmark's.

use std::hint::black_box;
use std::net::Ipv4Addr;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ovs_flow::{FieldId, Flow, Match, offset};
use ovs_ofp_actions::{Action, Multipath, Subfield};
use ovs_ofp_core::OfpPort;
use ovs_ofproto::{NewFlow, Tables};
use ovs_xlate::{BundleId, XBridge, XPort, XlateConfig, XlateIn, xlate};

fn bridge(actions: Vec<Action>) -> XlateConfig {
    let mut br = XBridge::new("br0");
    br.add_simple_port(XPort::new(OfpPort::LOCAL, Some(100), "br0"), 1);
    for p in 1..=3u16 {
        br.add_simple_port(
            XPort::new(OfpPort(p), Some(u32::from(p)), format!("p{p}")),
            1 + u32::from(p),
        );
    }
    let mut tables = Tables::default();
    let nf = NewFlow {
        table_id: 0,
        matches: Match::catchall(),
        priority: 0,
        cookie: 0,
        actions: actions.into(),
        idle_timeout: 0,
        hard_timeout: 0,
        importance: 0,
        flags: 0,
    };
    tables.add(nf, 0, &mut Default::default()).expect("add");
    br.tables = Arc::new(tables);
    br.mac
        .update([0, 0, 0, 0, 0, 2], 0, false, false, BundleId(3), 0);
    let mut cfg = XlateConfig::default();
    cfg.bridges.insert("br0".into(), Arc::new(br));
    cfg.index_odp_ports();
    cfg
}

fn udp_flow(src_port: u16) -> Flow {
    let mut f = Flow::ZERO;
    f.set_be(offset::IN_PORT, 2, 1);
    f.set_be(offset::DL_SRC, 6, 1);
    f.set_be(offset::DL_DST, 6, 2);
    f.set_be(offset::DL_TYPE, 2, 0x0800);
    f.set_be(
        offset::NW_SRC,
        4,
        u64::from(u32::from(Ipv4Addr::new(10, 0, 0, 1))),
    );
    f.set_be(
        offset::NW_DST,
        4,
        u64::from(u32::from(Ipv4Addr::new(10, 0, 0, 2))),
    );
    f.set_be(offset::NW_PROTO, 1, 17);
    f.set_be(offset::NW_TTL, 1, 64);
    f.set_be(offset::TP_SRC, 2, u64::from(src_port));
    f.set_be(offset::TP_DST, 2, 5001);
    f
}

fn upcall(cfg: &XlateConfig, flow: Flow) -> usize {
    let mut xin = XlateIn::new("br0", flow);
    xin.for_datapath_flow = true;
    xin.allow_side_effects = true;
    xin.now_ms = 1;
    xlate(cfg, &xin).actions.len()
}

fn translate(c: &mut Criterion) {
    let mut g = c.benchmark_group("xlate");
    g.throughput(Throughput::Elements(1));

    let normal = bridge(vec![Action::Output {
        port: OfpPort::NORMAL,
        max_len: 0,
    }]);
    g.bench_function("normal_learned", |b| {
        b.iter(|| upcall(&normal, black_box(udp_flow(1000))))
    });

    // multipath(symmetric_l3l4+udp,1024,hrw,2,0,NXM_NX_REG0[0..1]),NORMAL
    let mp = bridge(vec![
        Action::Multipath(Multipath {
            fields: 3,
            basis: 1024,
            algorithm: 2,
            max_link: 1,
            arg: 0,
            dst: Subfield {
                field: FieldId::Reg0,
                ofs: 0,
                n_bits: 2,
            },
        }),
        Action::Output {
            port: OfpPort::NORMAL,
            max_len: 0,
        },
    ]);
    let mut port = 0u16;
    g.bench_function("multipath_5tuple", |b| {
        b.iter(|| {
            port = port.wrapping_add(1);
            upcall(&mp, black_box(udp_flow(port)))
        })
    });
    g.finish();
}

criterion_group!(benches, translate);
criterion_main!(benches);
