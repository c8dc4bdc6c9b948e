//! The dummy device through the public API, with its pcap files checked by
//! our decoder and, when installed, by OVS's own `ovs-pcap`.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Arc;

use ovs_netdev::pcap::{self, PcapHeader};
use ovs_netdev::{Netdev, dummy_by_name, open};

fn options(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn frame(seq: u8, len: usize) -> Vec<u8> {
    let mut f = vec![0x50, 0x54, 0, 0, 0, 1, 0x50, 0x54, 0, 0, 0, 2, 0x08, 0x00];
    f.extend((0..len - 14).map(|i| seq.wrapping_add(i as u8)));
    f
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn pcap_files_are_byte_valid() {
    let dir = tempfile::tempdir().unwrap();
    let both = dir.path().join("p1.pcap");
    let tx = dir.path().join("p2-tx.pcap");
    let rx = dir.path().join("p2-rx.pcap");
    let name1 = format!("p1-{}", std::process::id());
    let name2 = format!("p2-{}", std::process::id());
    let p1 = open(
        &name1,
        "dummy",
        &options(&[("pcap", both.to_str().unwrap())]),
    )
    .unwrap();
    let p2 = open(
        &name2,
        "dummy-internal",
        &options(&[
            ("tx_pcap", tx.to_str().unwrap()),
            ("rxq_pcap", rx.to_str().unwrap()),
        ]),
    )
    .unwrap();
    assert_eq!(p2.type_name(), "dummy-internal");

    // What ovs-appctl netdev-dummy/receive does, through the registry.
    let injector = dummy_by_name(&name1).unwrap();
    injector.inject(frame(1, 60));
    p1.send(&[frame(2, 1514), frame(3, 64)]);
    injector.inject(frame(4, 100));
    dummy_by_name(&name2).unwrap().inject(frame(5, 70));
    p2.send(&[frame(6, 80)]);

    let bytes = std::fs::read(&both).unwrap();
    // The header, byte for byte, as OVS writes it on this machine.
    assert_eq!(bytes[..24], PcapHeader::OVS.encode());
    assert_eq!(bytes[..4], 0xa1b2_c3d4u32.to_ne_bytes());
    let (header, records) = pcap::decode(&bytes).unwrap();
    assert_eq!(header.snaplen, 1518);
    assert_eq!(header.linktype, 1);
    let expect = [frame(1, 60), frame(2, 1514), frame(3, 64), frame(4, 100)];
    assert_eq!(
        records.iter().map(|r| r.data.clone()).collect::<Vec<_>>(),
        expect
    );
    for r in &records {
        assert_eq!(r.orig_len as usize, r.data.len());
        assert!(r.ts_subsec < 1_000_000);
    }
    // Record lengths add up to the file exactly.
    let total: usize = 24 + records.iter().map(|r| 16 + r.data.len()).sum::<usize>();
    assert_eq!(total, bytes.len());

    let read = |p: &std::path::Path| -> Vec<Vec<u8>> {
        pcap::decode(&std::fs::read(p).unwrap())
            .unwrap()
            .1
            .into_iter()
            .map(|r| r.data)
            .collect()
    };
    assert_eq!(read(&rx), vec![frame(5, 70)]);
    assert_eq!(read(&tx), vec![frame(6, 80)]);

    // OVS's reader agrees.
    if std::path::Path::new("/usr/bin/ovs-pcap").exists() {
        let out = Command::new("/usr/bin/ovs-pcap")
            .arg(&both)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lines: Vec<String> = expect.iter().map(|f| hex(f)).collect();
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            lines.join("\n") + "\n"
        );
    }

    // Reopening on reconfiguration appends, without a second header.
    p1.set_config(&options(&[("pcap", both.to_str().unwrap())]))
        .unwrap();
    p1.send(&[frame(7, 60)]);
    assert_eq!(read(&both).len(), 5);

    let p1: Arc<dyn Netdev> = p1;
    drop((p1, injector));
    assert!(dummy_by_name(&name1).is_none());
    assert!(dummy_by_name(&name2).is_some());
}
