//! The userspace datapath end to end over dummy ports: a packet injected on
//! one port misses, goes up to the handler, whose megaflow is installed
//! and whose actions send it out; later packets hit the megaflow (and the
//! exact-match cache) without an upcall, and are counted on the flow.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ovs_dpif::{
    Dpif, DpifError, FlowPut, Install, OdpPort, PortSpec, PutMode, Ufid, Upcall, UpcallHandler,
    UpcallKind, UpcallReply,
};
use ovs_dpif_netdev::{Class, DpifNetdev};
use ovs_flow::{Flow, PackedFlow, offset};
use ovs_netdev::dummy_by_name;
use ovs_odp::DpAction;

/// Sends everything from port `from` to port `to`, megaflow on in_port.
struct PortToPort {
    out: u32,
    upcalls: AtomicUsize,
    seen: Mutex<Vec<Upcall>>,
}

impl UpcallHandler for PortToPort {
    fn upcall(&self, upcall: &Upcall) -> Result<UpcallReply, DpifError> {
        self.upcalls.fetch_add(1, Ordering::SeqCst);
        self.seen.lock().unwrap().push(upcall.clone());
        let mut mask = Flow::ZERO;
        mask.set_be(offset::IN_PORT, 2, 0xffff);
        mask.set_be(offset::RECIRC_ID, 4, 0xffff_ffff);
        let actions = vec![DpAction::Output(self.out)];
        Ok(UpcallReply {
            install: matches!(upcall.kind, UpcallKind::Miss).then(|| Install {
                key: PackedFlow::new(&upcall.key),
                mask: Arc::new(mask),
                actions: Arc::from(actions.clone()),
            }),
            actions,
        })
    }
}

fn spec(name: &str) -> PortSpec {
    PortSpec {
        name: name.to_string(),
        port_type: "dummy".to_string(),
        options: BTreeMap::new(),
    }
}

fn frame(dst_last: u8) -> Vec<u8> {
    let mut f = vec![
        0x50, 0x54, 0, 0, 0, dst_last, 0x50, 0x54, 0, 0, 0, 1, 0x08, 0x00,
    ];
    f.extend_from_slice(&[
        0x45, 0, 0, 28, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ]);
    f.extend_from_slice(&[0x13, 0x88, 0, 53, 0, 8, 0, 0]);
    f.resize(60, 0);
    f
}

fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn a_miss_installs_a_megaflow_that_serves_later_packets() {
    let dp = DpifNetdev::open(Class::Dummy).unwrap();
    let tag = std::process::id();
    let (a, b) = (format!("dpa{tag}x1"), format!("dpa{tag}x2"));
    let pa = dp.port_add(&spec(&a), None).unwrap();
    let pb = dp.port_add(&spec(&b), None).unwrap();
    assert_ne!(pa, pb);
    assert_eq!(dp.port_by_name(&a).unwrap().port_no, pa);
    assert_eq!(dp.port_by_number(OdpPort::LOCAL).unwrap().name, "ovs-dummy");
    let handler = Arc::new(PortToPort {
        out: pb.0,
        upcalls: AtomicUsize::new(0),
        seen: Mutex::new(Vec::new()),
    });
    dp.set_upcall_handler(handler.clone());

    let (da, db) = (dummy_by_name(&a).unwrap(), dummy_by_name(&b).unwrap());
    da.inject(frame(2));
    wait_until("the first packet out", || !db.take_sent().is_empty());
    assert_eq!(handler.upcalls.load(Ordering::SeqCst), 1);
    let up = handler.seen.lock().unwrap()[0].clone();
    assert_eq!(up.in_port, pa);
    assert_eq!(up.key.get_be(offset::IN_PORT, 2), u64::from(pa.0));
    assert_eq!(up.key.get_be(offset::NW_PROTO, 1), 17);

    // The dummy queue holds a limited number: feed it as it drains.
    let mut out = 0;
    for i in 0..300 {
        while !da.inject(frame(3 + (i % 7) as u8)) {
            out += db.take_sent().len();
            std::thread::yield_now();
        }
    }
    wait_until("300 more packets out", || {
        out += db.take_sent().len();
        out == 300
    });
    assert_eq!(handler.upcalls.load(Ordering::SeqCst), 1, "no more upcalls");
    let mut flows = Vec::new();
    dp.flow_dump(&mut |f| {
        flows.push(f.clone());
        true
    });
    assert_eq!(flows.len(), 1);
    assert_eq!(flows[0].stats.n_packets, 300);
    assert_eq!(flows[0].stats.n_bytes, 300 * 60);
    assert!(flows[0].stats.used.is_some());
    let st = dp.stats();
    assert_eq!(
        (st.n_hit, st.n_missed, st.n_lost, st.n_flows),
        (300, 1, 0, 1)
    );
    assert!(dp.cache_stats().0 > 0, "the exact-match cache served some");

    // Changing the flow's actions takes effect; deleting it brings the
    // upcalls back.
    let ufid = flows[0].ufid;
    dp.flow_put(FlowPut {
        ufid,
        key: flows[0].key.unpack(),
        mask: (*flows[0].mask).clone(),
        actions: Arc::from(vec![]),
        mode: PutMode::Modify,
        zero_stats: true,
    })
    .unwrap();
    da.inject(frame(2));
    wait_until("the drop to be counted", || {
        dp.flow_get(ufid).unwrap().stats.n_packets == 1
    });
    assert!(db.take_sent().is_empty());
    assert_eq!(dp.flow_del(ufid).unwrap().n_packets, 1);
    assert_eq!(dp.flow_del(ufid), Err(DpifError::NotFound));
    da.inject(frame(2));
    wait_until("a second upcall", || {
        handler.upcalls.load(Ordering::SeqCst) == 2
    });
    let _ = Ufid::default();
}

#[test]
fn dummy_ports_are_numbered_after_their_names() {
    let dp = DpifNetdev::open(Class::Dummy).unwrap();
    let tag = std::process::id() % 1000;
    let p = dp.port_add(&spec(&format!("q{tag}")), None).unwrap();
    assert_eq!(p, OdpPort(tag));
    let br = dp
        .port_add(
            &PortSpec {
                name: format!("br{tag}"),
                port_type: "internal".to_string(),
                options: BTreeMap::new(),
            },
            None,
        )
        .unwrap();
    assert_eq!(br, OdpPort(100 + tag));
    assert_eq!(dp.port_by_number(br).unwrap().port_type, "dummy-internal");
    assert_eq!(
        dp.port_add(&spec(&format!("q{tag}")), None),
        Err(DpifError::Exists)
    );
}
