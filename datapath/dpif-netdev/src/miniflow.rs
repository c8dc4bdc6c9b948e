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

/// The words of OVS's 84-word `struct flow` that `mask` touches, as two
/// counts: words 0..64 and 64..84.
pub fn miniflow_bits(mask: &Flow) -> (u32, u32) {
    let mut words = [false; 84];
    for &(ours, len, theirs) in PLACES {
        for (i, b) in mask.bytes(ours, len).iter().enumerate() {
            if *b != 0
                && let Some(w) = words.get_mut((theirs + i) / 8)
            {
                *w = true;
            }
        }
    }
    let count = |ws: &[bool]| ws.iter().filter(|w| **w).count() as u32;
    (count(&words[..UNIT_WORDS]), count(&words[UNIT_WORDS..]))
}

/// The `dp-extra-info` text of a flow with `mask`.
pub fn extra_info(mask: &Flow) -> String {
    let (a, b) = miniflow_bits(mask);
    format!("miniflow_bits({a},{b})")
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
        assert_eq!(miniflow_bits(&m), (5, 1));
    }

    #[test]
    fn every_place_fits_ovs_flow() {
        for &(ours, len, theirs) in PLACES {
            assert!(ours + len <= ovs_flow::FLOW_BYTES);
            assert!(theirs + len <= 672);
        }
    }
}
