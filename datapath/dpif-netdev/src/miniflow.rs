//! `dp-extra-info:miniflow_bits(a,b)`: how many 64-bit words of OVS's
//! `struct flow` a megaflow's mask covers, in each of the two 64-word
//! units of OVS's miniflow map. Operators and tests read it in
//! `dpctl/dump-flows -m`; it is a fact about OVS's flow layout, which
//! differs from [`ovs_flow::Flow`]'s, so each field is placed where OVS 3.1
//! (x86_64) keeps it.

use ovs_flow::{Flow, offset};

/// (our offset, length, OVS's `struct flow` offset) for every field.
/// `in_port` is absent: OVS clears its mask before building the
/// subtable mask, as dpcls classifies by port first.
const PLACES: &[(usize, usize, usize)] = &[
    (offset::TUN_IP_DST, 4, 0),
    (offset::TUN_IP_SRC, 4, 20),
    (offset::TUN_IPV6_DST, 16, 4),
    (offset::TUN_IPV6_SRC, 16, 24),
    (offset::TUN_ID, 8, 40),
    // flags through gtpu_msgtype and padding, laid out alike.
    (offset::TUN_FLAGS, 24, 48),
    (offset::TUN_METADATA_PRESENT, 8, 72),
    (offset::TUN_METADATA, 256, 88),
    (offset::METADATA, 8, 344),
    (offset::REGS, 64, 352),
    (offset::SKB_PRIORITY, 4, 416),
    (offset::PKT_MARK, 4, 420),
    (offset::DP_HASH, 4, 424),
    (offset::RECIRC_ID, 4, 432),
    (offset::ACTSET_OUTPUT, 2, 468),
    (offset::CT_ZONE, 2, 438),
    (offset::CT_NW_PROTO, 1, 437),
    // Four bytes here, one byte (the low one) in OVS.
    (offset::CT_STATE, 4, 433),
    (offset::CT_MARK, 4, 440),
    (offset::PACKET_TYPE, 4, 444),
    (offset::CONJ_ID, 4, 464),
    (offset::CT_LABEL, 16, 448),
    (offset::DL_DST, 6, 472),
    (offset::DL_SRC, 6, 478),
    (offset::DL_TYPE, 2, 484),
    (offset::VLAN0_TPID, 8, 488),
    (offset::MPLS_LSE0, 16, 496),
    (offset::NW_SRC, 4, 512),
    (offset::NW_DST, 4, 516),
    (offset::CT_NW_SRC, 4, 520),
    (offset::CT_NW_DST, 4, 524),
    (offset::IPV6_SRC, 16, 528),
    (offset::IPV6_DST, 16, 544),
    (offset::CT_IPV6_SRC, 16, 560),
    (offset::CT_IPV6_DST, 16, 576),
    (offset::IPV6_LABEL, 4, 592),
    // nw_frag, nw_tos, nw_ttl, nw_proto.
    (offset::NW_FRAG, 4, 596),
    (offset::ND_TARGET, 16, 600),
    (offset::ARP_SHA, 6, 616),
    (offset::ARP_THA, 6, 622),
    (offset::TCP_FLAGS, 2, 628),
    (offset::NSH_FLAGS, 24, 632),
    // tp_src, tp_dst, ct_tp_src, ct_tp_dst.
    (offset::TP_SRC, 8, 656),
    (offset::IGMP_GROUP_IP4, 4, 664),
];

/// 64-bit words per miniflow map unit.
const UNIT_WORDS: usize = 64;

/// Words of OVS's `struct flow`.
const OVS_WORDS: usize = 84;

/// What of a key decides which words a megaflow for it may match on:
/// megaflows of one mask mostly share it, so the datapath counts their
/// `miniflow_bits` once per class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyClass {
    tunnel: bool,
    dl_type: u16,
    nw_proto: u8,
    /// An ICMPv6 neighbour solicitation or advertisement.
    nd: bool,
}

impl KeyClass {
    pub fn of(key: &Flow) -> KeyClass {
        let dl_type = key.get_be(offset::DL_TYPE, 2) as u16;
        let nw_proto = key.get_be(offset::NW_PROTO, 1) as u8;
        let icmp_type = key.get_be(offset::TP_SRC, 2);
        let icmp_code = key.get_be(offset::TP_DST, 2);
        KeyClass {
            tunnel: key.get_be(offset::TUN_IP_DST, 4) != 0
                || key.get_be(offset::TUN_IPV6_DST, 8) != 0,
            dl_type,
            nw_proto,
            nd: dl_type == 0x86dd
                && nw_proto == 58
                && (icmp_type == 135 || icmp_type == 136)
                && icmp_code == 0,
        }
    }
}

/// OVS's `flow_wc_map`: the words of `struct flow` a megaflow for a key
/// of `class` may match on (the datapath ignores mask bits elsewhere), by
/// the key's ethertype. Arguments are OVS offsets and lengths.
fn wc_map(class: KeyClass) -> [bool; OVS_WORDS] {
    let mut map = [false; OVS_WORDS];
    let mut set = |off: usize, len: usize| {
        for w in off / 8..(off + len).div_ceil(8) {
            if let Some(x) = map.get_mut(w) {
                *x = true;
            }
        }
    };
    if class.tunnel {
        // The tunnel header up to its metadata.
        set(0, 72);
    }
    // Metadata, Ethernet and conntrack state: skb_priority through
    // packet_type, ct_label, the addresses, ethertype and VLANs.
    set(416, 32);
    set(448, 16);
    set(472, 24);
    match class.dl_type {
        0x0800 => {
            set(512, 16); // nw_src, nw_dst, ct_nw_src, ct_nw_dst
            set(596, 4); // nw_frag, nw_tos, nw_ttl, nw_proto
            set(656, 8); // tp_src, tp_dst, ct_tp_src, ct_tp_dst
            if class.nw_proto == 2 {
                set(664, 4); // igmp_group_ip4
            } else {
                set(628, 2); // tcp_flags
            }
        }
        0x86dd => {
            set(528, 32); // ipv6_src, ipv6_dst
            set(592, 8); // ipv6_label, nw_*
            set(656, 4); // tp_src, tp_dst
            if class.nd {
                set(600, 30); // nd_target, arp_sha, arp_tha, tcp_flags
                set(664, 4);
            } else {
                set(560, 32); // ct_ipv6_src, ct_ipv6_dst
                set(660, 4); // ct_tp_src, ct_tp_dst
                set(628, 2);
            }
        }
        0x8847 | 0x8848 => set(496, 16),
        0x0806 | 0x8035 => {
            set(512, 8);
            set(596, 4);
            set(616, 12);
        }
        0x894f => set(632, 24),
        _ => {}
    }
    map
}

/// The words of OVS's 84-word `struct flow` that a megaflow for a key of
/// `class` with `mask` matches on, as two counts: words 0..64 and 64..84.
pub fn miniflow_bits(class: KeyClass, mask: &Flow) -> (u32, u32) {
    let map = wc_map(class);
    let mut words = [false; OVS_WORDS];
    for &(ours, len, theirs) in PLACES {
        for (i, b) in mask.bytes(ours, len).iter().enumerate() {
            let w = (theirs + i) / 8;
            if *b != 0
                && map.get(w).copied().unwrap_or(false)
                && let Some(x) = words.get_mut(w)
            {
                *x = true;
            }
        }
    }
    let count = |ws: &[bool]| ws.iter().filter(|w| **w).count() as u32;
    (count(&words[..UNIT_WORDS]), count(&words[UNIT_WORDS..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ones(mask: &mut Flow, off: usize, len: usize) {
        for b in mask.bytes_mut(off, len) {
            *b = 0xff;
        }
    }

    #[test]
    fn an_l2_megaflow_counts_as_ovs_does() {
        // NORMAL's megaflow for IPv4: recirc_id, in_port, the MACs, the
        // ethertype and nw_frag; OVS prints miniflow_bits(5,1).
        let mut m = Flow::ZERO;
        ones(&mut m, offset::RECIRC_ID, 4);
        ones(&mut m, offset::IN_PORT, 2);
        ones(&mut m, offset::DL_DST, 6);
        ones(&mut m, offset::DL_SRC, 6);
        ones(&mut m, offset::DL_TYPE, 2);
        ones(&mut m, offset::PACKET_TYPE, 4);
        m.bytes_mut(offset::NW_FRAG, 1)[0] = 3;
        // recirc_id (word 54), packet_type (55), dl_dst (59), dl_src and
        // dl_type (59, 60): 4 so far in unit 0; the VLAN header word
        // (61) is part of every Ethernet megaflow in OVS.
        ones(&mut m, offset::VLAN0_TCI, 2);
        let mut key = Flow::ZERO;
        key.set_be(offset::DL_TYPE, 2, 0x0800);
        assert_eq!(miniflow_bits(KeyClass::of(&key), &m), (5, 1));
    }

    #[test]
    fn fields_outside_the_flows_map_do_not_count() {
        // An ICMPv6 echo: neighbour discovery fields are not part of it.
        let mut key = Flow::ZERO;
        key.set_be(offset::DL_TYPE, 2, 0x86dd);
        key.set_be(offset::NW_PROTO, 1, 58);
        key.set_be(offset::TP_SRC, 2, 128);
        let mut m = Flow::ZERO;
        ones(&mut m, offset::ND_TARGET, 16);
        assert_eq!(miniflow_bits(KeyClass::of(&key), &m), (0, 0));
        key.set_be(offset::TP_SRC, 2, 135);
        assert_eq!(miniflow_bits(KeyClass::of(&key), &m), (0, 2));
    }

    #[test]
    fn every_place_fits_ovs_flow() {
        for &(ours, len, theirs) in PLACES {
            assert!(ours + len <= ovs_flow::FLOW_BYTES);
            assert!(theirs + len <= 672);
        }
    }
}
