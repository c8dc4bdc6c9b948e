//! The fixed-layout matches: OpenFlow 1.0's 40-byte `ofp10_match` and
//! OpenFlow 1.1's 88-byte `ofp11_match` (`OFPMT_STANDARD`), as OVS's
//! `ofputil_match_{from,to}_ofp1{0,1}_match` read and write them.
//!
//! Both carry only a few fields; encoding silently drops what they cannot
//! express, as OVS does ([`ofp10_can_express`] tells whether anything would
//! be lost).

use ovs_flow::{Flow, Match, offset, port_from_of11, port_to_of11};
use ovs_ofp_core::{OfpErr, Reader, Writer};

/// Bytes in an `ofp10_match`.
pub const OFP10_MATCH_LEN: usize = 40;
/// Bytes in an `ofp11_match`, header included.
pub const OFP11_MATCH_LEN: usize = 88;
/// `ofp_match.type` of the OpenFlow 1.1 fixed match.
pub const OFPMT_STANDARD: u16 = 0;
/// `ofp_match.type` of an OXM match.
pub const OFPMT_OXM: u16 = 1;

const OFPFW10_IN_PORT: u32 = 1 << 0;
const OFPFW10_DL_VLAN: u32 = 1 << 1;
const OFPFW10_DL_SRC: u32 = 1 << 2;
const OFPFW10_DL_DST: u32 = 1 << 3;
const OFPFW10_DL_TYPE: u32 = 1 << 4;
const OFPFW10_NW_PROTO: u32 = 1 << 5;
const OFPFW10_TP_SRC: u32 = 1 << 6;
const OFPFW10_TP_DST: u32 = 1 << 7;
const OFPFW10_NW_SRC_SHIFT: u32 = 8;
const OFPFW10_NW_DST_SHIFT: u32 = 14;
const OFPFW10_DL_VLAN_PCP: u32 = 1 << 20;
const OFPFW10_NW_TOS: u32 = 1 << 21;
const OFPFW10_ALL: u32 = (1 << 22) - 1;
/// `dl_vlan` value meaning "no 802.1Q header".
const OFP10_VLAN_NONE: u16 = 0xffff;

const OFPFW11_IN_PORT: u32 = 1 << 0;
const OFPFW11_DL_VLAN: u32 = 1 << 1;
const OFPFW11_DL_VLAN_PCP: u32 = 1 << 2;
const OFPFW11_DL_TYPE: u32 = 1 << 3;
const OFPFW11_NW_TOS: u32 = 1 << 4;
const OFPFW11_NW_PROTO: u32 = 1 << 5;
const OFPFW11_TP_SRC: u32 = 1 << 6;
const OFPFW11_TP_DST: u32 = 1 << 7;
const OFPFW11_MPLS_LABEL: u32 = 1 << 8;
const OFPFW11_MPLS_TC: u32 = 1 << 9;
const OFPVID11_ANY: u16 = 0xfffe;
const OFPVID11_NONE: u16 = 0xffff;

const VLAN_CFI: u64 = 0x1000;
const VLAN_VID_MASK: u64 = 0x0fff;
const VLAN_PCP_MASK: u64 = 0xe000;
const IP_DSCP_MASK: u64 = 0xfc;

fn put(m: &mut Match, off: usize, len: usize, value: u64, mask: u64) {
    m.flow.set_be(off, len, value & mask);
    m.wc.set_be(off, len, mask);
}

fn get(f: &Flow, off: usize, len: usize) -> u64 {
    f.get_be(off, len)
}

/// A netmask with `wcbits` low bits wildcarded (32 or more: all).
fn wcbits_to_netmask(wcbits: u32) -> u64 {
    let wcbits = wcbits & 0x3f;
    if wcbits < 32 {
        u64::from(!((1u32 << wcbits) - 1))
    } else {
        0
    }
}

/// How many low bits `netmask` wildcards: its trailing zeros, as OVS counts
/// them (a non-CIDR mask thus becomes a wider CIDR one).
fn netmask_to_wcbits(netmask: u64) -> u32 {
    (netmask as u32).trailing_zeros()
}

/// Decodes a 40-byte `ofp10_match`. OVS accepts any bytes here; the only
/// error is running out of them (`OFPBRC_BAD_LEN`, a truncated message).
pub fn decode_ofp10_match(r: &mut Reader<'_>) -> Result<Match, OfpErr> {
    let b = r
        .array::<OFP10_MATCH_LEN>()
        .map_err(|_| OfpErr::OfpbrcBadLen)?;
    let mut s = Reader::new(&b);
    let short = |_| OfpErr::OfpbrcBadLen;
    let wildcards = s.u32().map_err(short)? & OFPFW10_ALL;
    let in_port = s.u16().map_err(short)?;
    let dl_src = s.array::<6>().map_err(short)?;
    let dl_dst = s.array::<6>().map_err(short)?;
    let dl_vlan = s.u16().map_err(short)?;
    let dl_vlan_pcp = s.u8().map_err(short)?;
    s.skip(1).map_err(short)?;
    let dl_type = s.u16().map_err(short)?;
    let nw_tos = s.u8().map_err(short)?;
    let nw_proto = s.u8().map_err(short)?;
    s.skip(2).map_err(short)?;
    let nw_src = s.u32().map_err(short)?;
    let nw_dst = s.u32().map_err(short)?;
    let tp_src = s.u16().map_err(short)?;
    let tp_dst = s.u16().map_err(short)?;

    let wild = |bit: u32| wildcards & bit != 0;
    let mut m = Match::default();
    // Masks first (OVS's ofputil_wildcard_from_ofpfw10).
    let mut wc = Flow::ZERO;
    if !wild(OFPFW10_IN_PORT) {
        wc.set_be(offset::IN_PORT, 2, 0xffff);
    }
    if !wild(OFPFW10_NW_TOS) {
        wc.set_be(offset::NW_TOS, 1, IP_DSCP_MASK);
    }
    if !wild(OFPFW10_NW_PROTO) {
        wc.set_be(offset::NW_PROTO, 1, 0xff);
    }
    let src_mask = wcbits_to_netmask(wildcards >> OFPFW10_NW_SRC_SHIFT);
    let dst_mask = wcbits_to_netmask(wildcards >> OFPFW10_NW_DST_SHIFT);
    wc.set_be(offset::NW_SRC, 4, src_mask);
    wc.set_be(offset::NW_DST, 4, dst_mask);
    if !wild(OFPFW10_TP_SRC) {
        wc.set_be(offset::TP_SRC, 2, 0xffff);
    }
    if !wild(OFPFW10_TP_DST) {
        wc.set_be(offset::TP_DST, 2, 0xffff);
    }
    if !wild(OFPFW10_DL_SRC) {
        wc.bytes_mut(offset::DL_SRC, 6).fill(0xff);
    }
    if !wild(OFPFW10_DL_DST) {
        wc.bytes_mut(offset::DL_DST, 6).fill(0xff);
    }
    if !wild(OFPFW10_DL_TYPE) {
        wc.set_be(offset::DL_TYPE, 2, 0xffff);
    }
    let mut tci_mask = 0;
    if !wild(OFPFW10_DL_VLAN_PCP) {
        tci_mask |= VLAN_PCP_MASK | VLAN_CFI;
    }
    if !wild(OFPFW10_DL_VLAN) {
        tci_mask |= VLAN_VID_MASK | VLAN_CFI;
    }
    wc.set_be(offset::VLAN0_TCI, 2, tci_mask);
    m.wc = wc;

    // Any matched field but in_port implies an Ethernet packet.
    let data_bits = OFPFW10_NW_TOS
        | OFPFW10_NW_PROTO
        | OFPFW10_TP_SRC
        | OFPFW10_TP_DST
        | OFPFW10_DL_SRC
        | OFPFW10_DL_DST
        | OFPFW10_DL_TYPE
        | OFPFW10_DL_VLAN
        | OFPFW10_DL_VLAN_PCP;
    if wildcards & data_bits != data_bits || src_mask != 0 || dst_mask != 0 {
        m.set_default_packet_type();
    }

    let flow = &mut m.flow;
    flow.set_be(offset::NW_SRC, 4, u64::from(nw_src));
    flow.set_be(offset::NW_DST, 4, u64::from(nw_dst));
    flow.set_be(offset::IN_PORT, 2, u64::from(in_port));
    flow.set_be(offset::DL_TYPE, 2, u64::from(dl_type));
    flow.set_be(offset::TP_SRC, 2, u64::from(tp_src));
    flow.set_be(offset::TP_DST, 2, u64::from(tp_dst));
    flow.bytes_mut(offset::DL_SRC, 6).copy_from_slice(&dl_src);
    flow.bytes_mut(offset::DL_DST, 6).copy_from_slice(&dl_dst);
    flow.set_be(offset::NW_TOS, 1, u64::from(nw_tos) & IP_DSCP_MASK);
    flow.set_be(offset::NW_PROTO, 1, u64::from(nw_proto));

    if !wild(OFPFW10_DL_VLAN) && dl_vlan == OFP10_VLAN_NONE {
        // Only packets without an 802.1Q header (even with a PCP matched,
        // which older OVS accepted and so does this).
        put(&mut m, offset::VLAN0_TCI, 2, 0, 0xffff);
    } else {
        let tci = (u64::from(dl_vlan) & VLAN_VID_MASK)
            | ((u64::from(dl_vlan_pcp) << 13) & VLAN_PCP_MASK)
            | VLAN_CFI;
        m.flow.set_be(offset::VLAN0_TCI, 2, tci & tci_mask);
    }

    m.flow = m.flow.masked(&m.wc);
    Ok(m)
}

/// Encodes `m` as a 40-byte `ofp10_match`, dropping what it cannot express
/// (OVS's `ofputil_match_to_ofp10_match`).
pub fn encode_ofp10_match(m: &Match, w: &mut Writer) {
    let f = &m.flow;
    let wc = &m.wc;
    let mut ofpfw = 0u32;
    if get(wc, offset::IN_PORT, 2) == 0 {
        ofpfw |= OFPFW10_IN_PORT;
    }
    if get(wc, offset::DL_TYPE, 2) == 0 {
        ofpfw |= OFPFW10_DL_TYPE;
    }
    if get(wc, offset::NW_PROTO, 1) == 0 {
        ofpfw |= OFPFW10_NW_PROTO;
    }
    ofpfw |= netmask_to_wcbits(get(wc, offset::NW_SRC, 4)) << OFPFW10_NW_SRC_SHIFT;
    ofpfw |= netmask_to_wcbits(get(wc, offset::NW_DST, 4)) << OFPFW10_NW_DST_SHIFT;
    if get(wc, offset::NW_TOS, 1) & IP_DSCP_MASK == 0 {
        ofpfw |= OFPFW10_NW_TOS;
    }
    if get(wc, offset::TP_SRC, 2) == 0 {
        ofpfw |= OFPFW10_TP_SRC;
    }
    if get(wc, offset::TP_DST, 2) == 0 {
        ofpfw |= OFPFW10_TP_DST;
    }
    if get(wc, offset::DL_SRC, 6) == 0 {
        ofpfw |= OFPFW10_DL_SRC;
    }
    if get(wc, offset::DL_DST, 6) == 0 {
        ofpfw |= OFPFW10_DL_DST;
    }

    let tci = get(f, offset::VLAN0_TCI, 2);
    let tci_mask = get(wc, offset::VLAN0_TCI, 2);
    let mut dl_vlan = 0u16;
    let mut dl_vlan_pcp = 0u8;
    if tci_mask == 0 {
        ofpfw |= OFPFW10_DL_VLAN | OFPFW10_DL_VLAN_PCP;
    } else if tci_mask & VLAN_CFI != 0 && tci & VLAN_CFI == 0 {
        dl_vlan = OFP10_VLAN_NONE;
    } else {
        if tci_mask & VLAN_VID_MASK == 0 {
            ofpfw |= OFPFW10_DL_VLAN;
        } else {
            dl_vlan = (tci & VLAN_VID_MASK) as u16;
        }
        if tci_mask & VLAN_PCP_MASK == 0 {
            ofpfw |= OFPFW10_DL_VLAN_PCP;
        } else {
            dl_vlan_pcp = (tci >> 13) as u8;
        }
    }

    w.u32(ofpfw);
    w.u16(get(f, offset::IN_PORT, 2) as u16);
    w.bytes(f.bytes(offset::DL_SRC, 6));
    w.bytes(f.bytes(offset::DL_DST, 6));
    w.u16(dl_vlan);
    w.u8(dl_vlan_pcp);
    w.zeros(1);
    w.u16(get(f, offset::DL_TYPE, 2) as u16);
    w.u8((get(f, offset::NW_TOS, 1) & IP_DSCP_MASK) as u8);
    w.u8(get(f, offset::NW_PROTO, 1) as u8);
    w.zeros(2);
    w.u32(get(f, offset::NW_SRC, 4) as u32);
    w.u32(get(f, offset::NW_DST, 4) as u32);
    w.u16(get(f, offset::TP_SRC, 2) as u16);
    w.u16(get(f, offset::TP_DST, 2) as u16);
}

/// Clears the packet type when it only says "Ethernet", which OpenFlow 1.0
/// implies; `None` if it says anything else.
fn without_default_packet_type(m: &Match) -> Option<Match> {
    let mut m = m.clone();
    let pt_mask = m.wc.get_be(offset::PACKET_TYPE, 4);
    if pt_mask != 0 && !m.has_default_packet_type() {
        return None;
    }
    m.flow.set_be(offset::PACKET_TYPE, 4, 0);
    m.wc.set_be(offset::PACKET_TYPE, 4, 0);
    Some(m)
}

/// True if `m` can be sent as a plain OpenFlow 1.0 match without losing
/// anything: only OpenFlow 1.0's fields, exact (CIDR for the IPv4
/// addresses), VLAN as "none", a VID and/or a PCP. This is what OVS's
/// "usable protocols" decides for `OFPUTIL_P_OF10_STD`; otherwise the flow
/// needs NXM.
pub fn ofp10_can_express(m: &Match) -> bool {
    let Some(want) = without_default_packet_type(m) else {
        return false;
    };
    let mut w = Writer::with_capacity(OFP10_MATCH_LEN);
    encode_ofp10_match(m, &mut w);
    let back = decode_ofp10_match(&mut Reader::new(w.as_slice()));
    match back.ok().as_ref().and_then(without_default_packet_type) {
        Some(back) => back == want,
        None => false,
    }
}

/// Decodes the body of an 88-byte `ofp11_match` after its 4-byte header
/// (OVS's `ofputil_match_from_ofp11_match`).
fn decode_ofp11_body(s: &mut Reader<'_>) -> Result<Match, OfpErr> {
    let short = |_| OfpErr::OfpbmcBadLen;
    let in_port = s.u32().map_err(short)?;
    // OVS reads the wildcards into 16 bits.
    let wc = s.u32().map_err(short)? & 0xffff;
    let dl_src = s.array::<6>().map_err(short)?;
    let dl_src_mask = s.array::<6>().map_err(short)?;
    let dl_dst = s.array::<6>().map_err(short)?;
    let dl_dst_mask = s.array::<6>().map_err(short)?;
    let dl_vlan = s.u16().map_err(short)?;
    let dl_vlan_pcp = s.u8().map_err(short)?;
    s.skip(1).map_err(short)?;
    let dl_type = s.u16().map_err(short)?;
    let nw_tos = s.u8().map_err(short)?;
    let nw_proto = s.u8().map_err(short)?;
    let nw_src = s.u32().map_err(short)?;
    let nw_src_mask = s.u32().map_err(short)?;
    let nw_dst = s.u32().map_err(short)?;
    let nw_dst_mask = s.u32().map_err(short)?;
    let tp_src = s.u16().map_err(short)?;
    let tp_dst = s.u16().map_err(short)?;
    let mpls_label = s.u32().map_err(short)?;
    let mpls_tc = s.u8().map_err(short)?;
    s.skip(3).map_err(short)?;
    let metadata = s.u64().map_err(short)?;
    let metadata_mask = s.u64().map_err(short)?;

    let wild = |bit: u32| wc & bit != 0;
    let mut m = Match::default();
    if !wild(OFPFW11_IN_PORT) {
        let port = port_from_of11(in_port).ok_or(OfpErr::OfpbmcBadValue)?;
        put(&mut m, offset::IN_PORT, 2, u64::from(port), 0xffff);
    }

    let invert = |a: [u8; 6]| a.map(|b| !b);
    let src_mask = invert(dl_src_mask);
    let dst_mask = invert(dl_dst_mask);
    if src_mask.iter().chain(dst_mask.iter()).any(|b| *b != 0) {
        for (off, addr, mask) in [
            (offset::DL_SRC, dl_src, src_mask),
            (offset::DL_DST, dl_dst, dst_mask),
        ] {
            for (i, (a, k)) in addr.iter().zip(mask.iter()).enumerate() {
                m.flow.set_be(off + i, 1, u64::from(a & k));
                m.wc.set_be(off + i, 1, u64::from(*k));
            }
        }
        m.set_default_packet_type();
    }

    if !wild(OFPFW11_DL_VLAN) {
        if dl_vlan == OFPVID11_NONE {
            put(&mut m, offset::VLAN0_TCI, 2, 0, 0xffff);
        } else {
            let (mut tci, mut tci_mask) = if dl_vlan == OFPVID11_ANY {
                (VLAN_CFI, VLAN_CFI)
            } else if dl_vlan < 4096 {
                (VLAN_CFI | u64::from(dl_vlan), VLAN_CFI | VLAN_VID_MASK)
            } else {
                return Err(OfpErr::OfpbmcBadValue);
            };
            if !wild(OFPFW11_DL_VLAN_PCP) {
                if dl_vlan_pcp > 7 {
                    return Err(OfpErr::OfpbmcBadValue);
                }
                tci |= u64::from(dl_vlan_pcp) << 13;
                tci_mask |= VLAN_PCP_MASK;
            }
            put(&mut m, offset::VLAN0_TCI, 2, tci, tci_mask);
        }
        m.set_default_packet_type();
    }

    if !wild(OFPFW11_DL_TYPE) {
        put(&mut m, offset::DL_TYPE, 2, u64::from(dl_type), 0xffff);
        m.set_default_packet_type();
    }

    let flow_dl_type = m.flow.get_be(offset::DL_TYPE, 2);
    let ipv4 = flow_dl_type == 0x0800;
    let arp = flow_dl_type == 0x0806 || flow_dl_type == 0x8035;

    if ipv4 && !wild(OFPFW11_NW_TOS) {
        if u64::from(nw_tos) & !IP_DSCP_MASK != 0 {
            return Err(OfpErr::OfpbmcBadValue);
        }
        put(&mut m, offset::NW_TOS, 1, u64::from(nw_tos), IP_DSCP_MASK);
    }

    if ipv4 || arp {
        if !wild(OFPFW11_NW_PROTO) {
            put(&mut m, offset::NW_PROTO, 1, u64::from(nw_proto), 0xff);
        }
        put(
            &mut m,
            offset::NW_SRC,
            4,
            u64::from(nw_src),
            u64::from(!nw_src_mask),
        );
        put(
            &mut m,
            offset::NW_DST,
            4,
            u64::from(nw_dst),
            u64::from(!nw_dst_mask),
        );
    }

    let tp_all = OFPFW11_TP_SRC | OFPFW11_TP_DST;
    if ipv4 && wc & tp_all != tp_all {
        match m.flow.get_be(offset::NW_PROTO, 1) {
            // OpenFlow 1.1 says to ignore the ports unless TCP, UDP or SCTP;
            // OVS keeps ICMP type and code, as OpenFlow 1.0 did.
            1 => {
                for (bit, off, value) in [
                    (OFPFW11_TP_SRC, offset::TP_SRC, tp_src),
                    (OFPFW11_TP_DST, offset::TP_DST, tp_dst),
                ] {
                    if !wild(bit) {
                        if value >= 0x100 {
                            return Err(OfpErr::OfpbmcBadField);
                        }
                        put(&mut m, off, 2, u64::from(value), 0xffff);
                    }
                }
            }
            6 | 17 | 132 => {
                if !wild(OFPFW11_TP_SRC) {
                    put(&mut m, offset::TP_SRC, 2, u64::from(tp_src), 0xffff);
                }
                if !wild(OFPFW11_TP_DST) {
                    put(&mut m, offset::TP_DST, 2, u64::from(tp_dst), 0xffff);
                }
            }
            _ => {}
        }
    }

    if flow_dl_type == 0x8847 || flow_dl_type == 0x8848 {
        let (lse, lse_mask) = (
            m.flow.get_be(offset::MPLS_LSE0, 4),
            m.wc.get_be(offset::MPLS_LSE0, 4),
        );
        let (mut lse, mut lse_mask) = (lse, lse_mask);
        if !wild(OFPFW11_MPLS_LABEL) {
            lse = (lse & !0xffff_f000) | ((u64::from(mpls_label) << 12) & 0xffff_f000);
            lse_mask |= 0xffff_f000;
        }
        if !wild(OFPFW11_MPLS_TC) {
            lse = (lse & !0x0e00) | ((u64::from(mpls_tc) << 9) & 0x0e00);
            lse_mask |= 0x0e00;
        }
        put(&mut m, offset::MPLS_LSE0, 4, lse, lse_mask);
    }

    put(&mut m, offset::METADATA, 8, metadata, !metadata_mask);
    Ok(m)
}

/// Decodes an OpenFlow 1.1 `ofp_match` of type `OFPMT_STANDARD` (88 bytes,
/// header included).
pub fn decode_ofp11_match(r: &mut Reader<'_>) -> Result<Match, OfpErr> {
    let head = r.peek(4).map_err(|_| OfpErr::OfpbmcBadLen)?;
    let len = u16::from_be_bytes([head[2], head[3]]);
    if usize::from(len) != OFP11_MATCH_LEN || r.remaining() < OFP11_MATCH_LEN {
        return Err(OfpErr::OfpbmcBadLen);
    }
    let mut s = r.sub(OFP11_MATCH_LEN).map_err(|_| OfpErr::OfpbmcBadLen)?;
    s.skip(4).map_err(|_| OfpErr::OfpbmcBadLen)?;
    decode_ofp11_body(&mut s)
}

/// Encodes `m` as an 88-byte OpenFlow 1.1 `ofp_match`, dropping what it
/// cannot express (OVS's `ofputil_match_to_ofp11_match`).
pub fn encode_ofp11_match(m: &Match, w: &mut Writer) {
    let f = &m.flow;
    let wcf = &m.wc;
    let mut wc = 0u32;

    w.u16(OFPMT_STANDARD);
    w.u16(OFP11_MATCH_LEN as u16);

    if get(wcf, offset::IN_PORT, 2) == 0 {
        wc |= OFPFW11_IN_PORT;
        w.u32(0);
    } else {
        w.u32(port_to_of11(get(f, offset::IN_PORT, 2) as u16));
    }
    let wildcards_at = w.len();
    w.u32(0);
    let inverted = |b: &[u8]| b.iter().map(|x| !x).collect::<Vec<u8>>();
    w.bytes(f.bytes(offset::DL_SRC, 6));
    w.bytes(&inverted(wcf.bytes(offset::DL_SRC, 6)));
    w.bytes(f.bytes(offset::DL_DST, 6));
    w.bytes(&inverted(wcf.bytes(offset::DL_DST, 6)));

    let tci = get(f, offset::VLAN0_TCI, 2);
    let tci_mask = get(wcf, offset::VLAN0_TCI, 2);
    let mut dl_vlan = 0u16;
    let mut dl_vlan_pcp = 0u8;
    if tci_mask == 0 {
        wc |= OFPFW11_DL_VLAN | OFPFW11_DL_VLAN_PCP;
    } else if tci_mask & VLAN_CFI != 0 && tci & VLAN_CFI == 0 {
        dl_vlan = OFPVID11_NONE;
        wc |= OFPFW11_DL_VLAN_PCP;
    } else {
        dl_vlan = if tci_mask & VLAN_VID_MASK == 0 {
            OFPVID11_ANY
        } else {
            (tci & VLAN_VID_MASK) as u16
        };
        if tci_mask & VLAN_PCP_MASK == 0 {
            wc |= OFPFW11_DL_VLAN_PCP;
        } else {
            dl_vlan_pcp = (tci >> 13) as u8;
        }
    }
    w.u16(dl_vlan);
    w.u8(dl_vlan_pcp);
    w.zeros(1);

    if get(wcf, offset::DL_TYPE, 2) == 0 {
        wc |= OFPFW11_DL_TYPE;
        w.u16(0);
    } else {
        w.u16(get(f, offset::DL_TYPE, 2) as u16);
    }
    if get(wcf, offset::NW_TOS, 1) & IP_DSCP_MASK == 0 {
        wc |= OFPFW11_NW_TOS;
        w.u8(0);
    } else {
        w.u8((get(f, offset::NW_TOS, 1) & IP_DSCP_MASK) as u8);
    }
    if get(wcf, offset::NW_PROTO, 1) == 0 {
        wc |= OFPFW11_NW_PROTO;
        w.u8(0);
    } else {
        w.u8(get(f, offset::NW_PROTO, 1) as u8);
    }
    w.u32(get(f, offset::NW_SRC, 4) as u32);
    w.u32(!(get(wcf, offset::NW_SRC, 4) as u32));
    w.u32(get(f, offset::NW_DST, 4) as u32);
    w.u32(!(get(wcf, offset::NW_DST, 4) as u32));
    for (bit, off) in [
        (OFPFW11_TP_SRC, offset::TP_SRC),
        (OFPFW11_TP_DST, offset::TP_DST),
    ] {
        if get(wcf, off, 2) == 0 {
            wc |= bit;
            w.u16(0);
        } else {
            w.u16(get(f, off, 2) as u16);
        }
    }
    let lse = get(f, offset::MPLS_LSE0, 4);
    let lse_mask = get(wcf, offset::MPLS_LSE0, 4);
    if lse_mask & 0xffff_f000 == 0 {
        wc |= OFPFW11_MPLS_LABEL;
        w.u32(0);
    } else {
        w.u32((lse >> 12) as u32);
    }
    if lse_mask & 0x0e00 == 0 {
        wc |= OFPFW11_MPLS_TC;
        w.u8(0);
    } else {
        w.u8(((lse >> 9) & 7) as u8);
    }
    w.zeros(3);
    w.u64(get(f, offset::METADATA, 8));
    w.u64(!get(wcf, offset::METADATA, 8));
    w.patch_u32(wildcards_at, wc);
}
