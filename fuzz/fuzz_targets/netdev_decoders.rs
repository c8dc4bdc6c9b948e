//! Feeds arbitrary bytes to the decoders of `ovs-netdev` that read what
//! comes from outside the process. The first byte picks the decoder
//! (modulo 3); the rest is its input:
//!
//! - 0: a pcap file (as netdev-dummy's `pcap=`, `rxq_pcap=` and `tx_pcap=`
//!   write them, or any other). Accepted files re-encode to the same bytes
//!   when in host order, and to a file that decodes to the same header and
//!   records otherwise.
//! - 1: `AF_PACKET` receive: 20 bytes of `tpacket_auxdata`, then a frame.
//!   The auxdata round-trips, is found again among other control messages,
//!   and putting its VLAN tag back gives a frame four bytes longer with the
//!   addresses first, then a TPID and a TCI with CFI clear, then the rest
//!   of the frame. The whole input is also walked as raw control messages.
//! - 2: an rtnetlink `RTM_GETLINK` reply. Errors are positive errnos, and
//!   bytes after the message's stated length change nothing.
//!
//! None of them may panic.
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use libfuzzer_sys::fuzz_target;
use ovs_netdev::auxdata::{
    AUXDATA_LEN, AuxData, control_messages, emit_control_message, reinsert_vlan, stripped_vlan,
};
use ovs_netdev::fuzzing::{PACKET_AUXDATA, SOL_PACKET, parse_link_stats};
use ovs_netdev::pcap::{self, ByteOrder, PCAP_HEADER_LEN, PcapHeader, PcapRecord};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    match selector % 3 {
        0 => pcap_file(input),
        1 => vlan_reinsertion(input),
        _ => link_stats(input),
    }
});

fn pcap_file(input: &[u8]) {
    let Ok((header, records)) = pcap::decode(input) else {
        return;
    };
    let Ok((same_header, order)) = PcapHeader::decode(input) else {
        panic!("file accepted but its header refused");
    };
    assert_eq!(same_header, header);

    let mut out = header.encode().to_vec();
    for r in &records {
        assert!(r.data.len() <= input.len() - PCAP_HEADER_LEN);
        r.encode(&mut out);
    }
    if order == ByteOrder::NATIVE {
        assert_eq!(out, input, "host-order file does not re-encode to itself");
    } else {
        // The encoder writes host order only, so a foreign file comes back
        // swapped: same length, same contents.
        assert_eq!(out.len(), input.len());
    }
    assert_eq!(pcap::decode(&out), Ok((header, records.clone())));

    // A record built for a frame, as the writer builds them, stores the
    // frame whole.
    for r in records.iter().filter(|r| r.ts_subsec < 1_000_000) {
        let when = UNIX_EPOCH + Duration::new(u64::from(r.ts_sec), r.ts_subsec * 1000);
        let built = PcapRecord::new(&r.data, when);
        assert_eq!(built.data, r.data);
        assert_eq!(built.orig_len as usize, r.data.len());
        assert_eq!((built.ts_sec, built.ts_subsec), (r.ts_sec, r.ts_subsec));
    }
}

fn vlan_reinsertion(input: &[u8]) {
    // Raw control bytes: every message found lies inside them.
    for m in control_messages(input) {
        assert!(m.data.len() <= input.len());
    }
    let _ = stripped_vlan(input);

    let mut aux_bytes = [0u8; AUXDATA_LEN];
    let n = input.len().min(AUXDATA_LEN);
    aux_bytes[..n].copy_from_slice(&input[..n]);
    let frame = input.get(AUXDATA_LEN..).unwrap_or(&[]);

    let Some(aux) = AuxData::parse(&aux_bytes) else {
        panic!("a whole tpacket_auxdata refused");
    };
    assert_eq!(aux.emit(), aux_bytes);

    // The auxdata as the kernel would deliver it, after an unrelated
    // message (SCM_TIMESTAMPNS-like) of some of the frame's bytes.
    let mut control = Vec::new();
    let other_len = frame.first().map_or(0, |&b| usize::from(b % 24));
    emit_control_message(1, 35, frame.get(..other_len).unwrap_or(frame), &mut control);
    emit_control_message(SOL_PACKET, PACKET_AUXDATA, &aux.emit(), &mut control);
    assert_eq!(control_messages(&control).count(), 2);
    assert_eq!(stripped_vlan(&control), aux.has_vlan().then_some(aux));

    let mut out = frame.to_vec();
    if reinsert_vlan(&mut out, &aux) {
        assert!(aux.has_vlan());
        assert_eq!(out.len(), frame.len() + 4);
        assert_eq!(out[..12], frame[..12]);
        let double_tagged = frame[12..14] == [0x81, 0x00];
        assert_eq!(out[12..14], aux.vlan_tpid(double_tagged).to_be_bytes());
        let tci = u16::from_be_bytes([out[14], out[15]]);
        assert_eq!(tci, aux.vlan_tci & !0x1000, "CFI must be clear");
        assert_eq!(out[16..], frame[12..]);
    } else {
        assert!(!aux.has_vlan() || frame.len() < 14);
        assert_eq!(out, frame);
    }
}

fn link_stats(input: &[u8]) {
    let result = parse_link_stats(input);
    if let Err(errno) = result {
        assert!(errno > 0, "errno {errno} is not an errno");
    }
    assert_eq!(parse_link_stats(input), result);
    // Only the first message counts.
    if let Some(len) = input
        .get(..4)
        .map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
        && let Some(message) = input.get(..len as usize)
    {
        let mut longer = message.to_vec();
        longer.extend_from_slice(&[0xff; 40]);
        assert_eq!(parse_link_stats(&longer), result);
        assert_eq!(parse_link_stats(message), result);
    }
}
