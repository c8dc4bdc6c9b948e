//! The VLAN tag an `AF_PACKET` socket loses and how it comes back.
//!
//! On receive, Linux takes the outer 802.1Q/802.1ad tag out of the frame
//! (hardware or software VLAN acceleration) and reports it beside the frame
//! in a `tpacket_auxdata` control message. A switch must see the frame as it
//! was on the wire, so, as OVS's netdev-linux does, the tag is put back
//! between the MAC addresses and the EtherType.
//!
//! Everything here is pure: control-message bytes in, frame bytes out.

/// `TP_STATUS_VLAN_VALID`: `vlan_tci` is meaningful (even when 0).
pub const TP_STATUS_VLAN_VALID: u32 = 1 << 4;
/// `TP_STATUS_VLAN_TPID_VALID`: `vlan_tpid` is meaningful.
pub const TP_STATUS_VLAN_TPID_VALID: u32 = 1 << 6;
/// Size of `struct tpacket_auxdata`.
pub const AUXDATA_LEN: usize = 20;

const ETH_TYPE_VLAN_8021Q: u16 = 0x8100;
const ETH_TYPE_VLAN_8021AD: u16 = 0x88a8;
/// The CFI/DEI bit, which OVS clears when it pushes a tag.
const VLAN_CFI: u16 = 0x1000;
const ETH_ADDRS_LEN: usize = 12;
const VLAN_HEADER_LEN: usize = 4;

/// `struct tpacket_auxdata` (host byte order, as the kernel writes it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AuxData {
    pub status: u32,
    pub len: u32,
    pub snaplen: u32,
    pub mac: u16,
    pub net: u16,
    pub vlan_tci: u16,
    pub vlan_tpid: u16,
}

impl AuxData {
    /// Reads the structure from the start of `bytes`; None if too short.
    pub fn parse(bytes: &[u8]) -> Option<AuxData> {
        let bytes: &[u8; AUXDATA_LEN] = bytes.get(..AUXDATA_LEN)?.try_into().ok()?;
        let u32_at =
            |i: usize| u32::from_ne_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        let u16_at = |i: usize| u16::from_ne_bytes([bytes[i], bytes[i + 1]]);
        Some(AuxData {
            status: u32_at(0),
            len: u32_at(4),
            snaplen: u32_at(8),
            mac: u16_at(12),
            net: u16_at(14),
            vlan_tci: u16_at(16),
            vlan_tpid: u16_at(18),
        })
    }

    pub fn emit(&self) -> [u8; AUXDATA_LEN] {
        let mut out = [0u8; AUXDATA_LEN];
        out[0..4].copy_from_slice(&self.status.to_ne_bytes());
        out[4..8].copy_from_slice(&self.len.to_ne_bytes());
        out[8..12].copy_from_slice(&self.snaplen.to_ne_bytes());
        out[12..14].copy_from_slice(&self.mac.to_ne_bytes());
        out[14..16].copy_from_slice(&self.net.to_ne_bytes());
        out[16..18].copy_from_slice(&self.vlan_tci.to_ne_bytes());
        out[18..20].copy_from_slice(&self.vlan_tpid.to_ne_bytes());
        out
    }

    /// Whether the kernel stripped a tag. Old kernels lack the VALID flag,
    /// so a nonzero TCI counts too, as in OVS.
    pub fn has_vlan(&self) -> bool {
        self.vlan_tci != 0 || self.status & TP_STATUS_VLAN_VALID != 0
    }

    /// The stripped tag's TPID. Kernels that do not report it stripped an
    /// 802.1Q tag, unless another 802.1Q tag follows, in which case the
    /// outer one must have been 802.1ad.
    pub fn vlan_tpid(&self, double_tagged: bool) -> u16 {
        if self.status & TP_STATUS_VLAN_TPID_VALID != 0 {
            self.vlan_tpid
        } else if double_tagged {
            ETH_TYPE_VLAN_8021AD
        } else {
            ETH_TYPE_VLAN_8021Q
        }
    }
}

/// `CMSG_ALIGN`: control messages are aligned to `size_t`.
const fn cmsg_align(len: usize) -> usize {
    let align = size_of::<usize>();
    (len + align - 1) & !(align - 1)
}

/// `CMSG_ALIGN(sizeof(struct cmsghdr))`: `size_t cmsg_len; int level; int type`.
pub const CMSG_HEADER_LEN: usize = cmsg_align(size_of::<usize>() + 8);

/// One control message: level, type and data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ControlMessage<'a> {
    pub level: i32,
    pub kind: i32,
    pub data: &'a [u8],
}

/// Walks the control messages of a received message, as `CMSG_FIRSTHDR`
/// and `CMSG_NXTHDR` do, stopping at the first malformed header.
pub fn control_messages(control: &[u8]) -> impl Iterator<Item = ControlMessage<'_>> {
    let mut offset = 0usize;
    std::iter::from_fn(move || {
        let header = control.get(offset..offset.checked_add(CMSG_HEADER_LEN)?)?;
        let (len_bytes, rest) = header.split_at(size_of::<usize>());
        let cmsg_len = usize::from_ne_bytes(len_bytes.try_into().ok()?);
        let level = i32::from_ne_bytes(rest.get(0..4)?.try_into().ok()?);
        let kind = i32::from_ne_bytes(rest.get(4..8)?.try_into().ok()?);
        if cmsg_len < CMSG_HEADER_LEN {
            return None;
        }
        let end = offset.checked_add(cmsg_len)?;
        let data = control.get(offset + CMSG_HEADER_LEN..end)?;
        offset = offset.checked_add(cmsg_align(cmsg_len))?;
        Some(ControlMessage { level, kind, data })
    })
}

/// Appends one control message, laid out as the kernel would.
pub fn emit_control_message(level: i32, kind: i32, data: &[u8], out: &mut Vec<u8>) {
    let cmsg_len = CMSG_HEADER_LEN + data.len();
    let start = out.len();
    out.extend_from_slice(&cmsg_len.to_ne_bytes());
    out.extend_from_slice(&level.to_ne_bytes());
    out.extend_from_slice(&kind.to_ne_bytes());
    out.resize(start + CMSG_HEADER_LEN, 0);
    out.extend_from_slice(data);
    out.resize(start + cmsg_align(cmsg_len), 0);
}

/// The first `PACKET_AUXDATA` message that reports a stripped tag.
pub fn stripped_vlan(control: &[u8]) -> Option<AuxData> {
    control_messages(control)
        .filter(|m| m.level == crate::sys::SOL_PACKET && m.kind == crate::sys::PACKET_AUXDATA)
        .filter_map(|m| AuxData::parse(m.data))
        .find(AuxData::has_vlan)
}

/// Puts the tag described by `aux` back into `frame` (an Ethernet frame of
/// at least 14 bytes), as OVS's `eth_push_vlan` does, CFI bit cleared.
/// Returns false, leaving the frame alone, if there is no tag to restore or
/// the frame is too short to have been Ethernet.
pub fn reinsert_vlan(frame: &mut Vec<u8>, aux: &AuxData) -> bool {
    if !aux.has_vlan() || frame.len() < ETH_ADDRS_LEN + 2 {
        return false;
    }
    let double_tagged =
        frame[ETH_ADDRS_LEN..ETH_ADDRS_LEN + 2] == ETH_TYPE_VLAN_8021Q.to_be_bytes();
    let tpid = aux.vlan_tpid(double_tagged);
    let tci = aux.vlan_tci & !VLAN_CFI;
    let old_len = frame.len();
    frame.resize(old_len + VLAN_HEADER_LEN, 0);
    frame.copy_within(ETH_ADDRS_LEN..old_len, ETH_ADDRS_LEN + VLAN_HEADER_LEN);
    frame[ETH_ADDRS_LEN..ETH_ADDRS_LEN + 2].copy_from_slice(&tpid.to_be_bytes());
    frame[ETH_ADDRS_LEN + 2..ETH_ADDRS_LEN + 4].copy_from_slice(&tci.to_be_bytes());
    true
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::sys::{PACKET_AUXDATA, SOL_PACKET};

    fn control_with(aux: &AuxData) -> Vec<u8> {
        let mut control = Vec::new();
        emit_control_message(SOL_PACKET, PACKET_AUXDATA, &aux.emit(), &mut control);
        control
    }

    #[test]
    fn header_matches_libc() {
        assert_eq!(CMSG_HEADER_LEN, size_of::<libc::cmsghdr>());
        // SAFETY: CMSG_LEN and CMSG_SPACE are pure arithmetic.
        let (len, space) = unsafe {
            (
                libc::CMSG_LEN(AUXDATA_LEN as u32) as usize,
                libc::CMSG_SPACE(AUXDATA_LEN as u32) as usize,
            )
        };
        let mut control = Vec::new();
        emit_control_message(SOL_PACKET, PACKET_AUXDATA, &[0; AUXDATA_LEN], &mut control);
        assert_eq!(control.len(), space);
        assert_eq!(
            usize::from_ne_bytes(control[..size_of::<usize>()].try_into().unwrap()),
            len
        );
    }

    #[test]
    fn single_tag_is_restored_as_8021q() {
        let mut frame = vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x00, 0x45];
        let aux = AuxData {
            status: TP_STATUS_VLAN_VALID,
            vlan_tci: 0x3005,
            ..AuxData::default()
        };
        assert!(reinsert_vlan(&mut frame, &aux));
        assert_eq!(
            frame,
            [
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x81, 0x00, 0x20, 0x05, 0x08, 0x00, 0x45
            ]
        );
    }

    #[test]
    fn tag_before_another_8021q_tag_is_8021ad_unless_reported() {
        let base = vec![0u8; 12]
            .into_iter()
            .chain([0x81, 0x00, 0x00, 0x0a])
            .collect::<Vec<_>>();
        let mut frame = base.clone();
        let aux = AuxData {
            status: TP_STATUS_VLAN_VALID,
            vlan_tci: 7,
            ..AuxData::default()
        };
        reinsert_vlan(&mut frame, &aux);
        assert_eq!(frame[12..16], [0x88, 0xa8, 0, 7]);

        let mut frame = base;
        let aux = AuxData {
            status: TP_STATUS_VLAN_VALID | TP_STATUS_VLAN_TPID_VALID,
            vlan_tci: 7,
            vlan_tpid: 0x9100,
            ..AuxData::default()
        };
        reinsert_vlan(&mut frame, &aux);
        assert_eq!(frame[12..16], [0x91, 0x00, 0, 7]);
    }

    #[test]
    fn vlan_zero_counts_only_when_valid() {
        let mut frame = vec![0u8; 14];
        assert!(!reinsert_vlan(&mut frame, &AuxData::default()));
        assert_eq!(frame.len(), 14);
        let aux = AuxData {
            status: TP_STATUS_VLAN_VALID,
            ..AuxData::default()
        };
        assert!(reinsert_vlan(&mut frame, &aux));
        assert_eq!(frame[12..16], [0x81, 0x00, 0, 0]);
    }

    #[test]
    fn auxdata_is_found_among_other_messages() {
        let aux = AuxData {
            status: TP_STATUS_VLAN_VALID,
            vlan_tci: 9,
            ..AuxData::default()
        };
        let mut control = Vec::new();
        emit_control_message(libc::SOL_SOCKET, 29, &[1, 2, 3], &mut control);
        emit_control_message(SOL_PACKET, PACKET_AUXDATA, &aux.emit(), &mut control);
        assert_eq!(stripped_vlan(&control), Some(aux));
        // A truncated message is not read.
        assert_eq!(stripped_vlan(&control[..control.len() - 8]), None);
        // Nor is a message shorter than the structure.
        let mut short = Vec::new();
        emit_control_message(SOL_PACKET, PACKET_AUXDATA, &aux.emit()[..16], &mut short);
        assert_eq!(stripped_vlan(&short), None);
    }

    fn any_aux() -> impl Strategy<Value = AuxData> {
        (
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            any::<u16>(),
            any::<u16>(),
            any::<u16>(),
            any::<u16>(),
        )
            .prop_map(
                |(status, len, snaplen, mac, net, vlan_tci, vlan_tpid)| AuxData {
                    status,
                    len,
                    snaplen,
                    mac,
                    net,
                    vlan_tci,
                    vlan_tpid,
                },
            )
    }

    proptest! {
        #[test]
        fn auxdata_round_trips(aux in any_aux()) {
            prop_assert_eq!(AuxData::parse(&aux.emit()), Some(aux));
            let control = control_with(&aux);
            let found: Vec<_> = control_messages(&control).collect();
            prop_assert_eq!(found.len(), 1);
            prop_assert_eq!(AuxData::parse(found[0].data), Some(aux));
        }

        #[test]
        fn control_walk_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = control_messages(&bytes).count();
            let _ = stripped_vlan(&bytes);
        }

        /// Whatever the frame and auxdata: a restored tag makes the frame
        /// four bytes longer, with the addresses, then the tag (CFI clear),
        /// then the rest of the frame; otherwise the frame is untouched.
        #[test]
        fn reinsertion_gives_a_well_formed_tag(
            aux in any_aux(),
            frame in proptest::collection::vec(any::<u8>(), 0..80),
        ) {
            let mut out = frame.clone();
            if reinsert_vlan(&mut out, &aux) {
                let double_tagged = frame[12..14] == [0x81, 0x00];
                prop_assert_eq!(out.len(), frame.len() + VLAN_HEADER_LEN);
                prop_assert_eq!(&out[..12], &frame[..12]);
                prop_assert_eq!(&out[12..14], &aux.vlan_tpid(double_tagged).to_be_bytes()[..]);
                prop_assert_eq!(&out[14..16], &(aux.vlan_tci & !VLAN_CFI).to_be_bytes()[..]);
                prop_assert_eq!(&out[16..], &frame[12..]);
            } else {
                prop_assert!(!aux.has_vlan() || frame.len() < 14);
                prop_assert_eq!(out, frame);
            }
        }

        /// Strip a tag from a tagged frame the way the kernel does, describe
        /// it in auxdata, restore it: the frame comes back (CFI cleared).
        #[test]
        fn strip_then_reinsert_restores_the_frame(
            macs in proptest::array::uniform12(any::<u8>()),
            tci in any::<u16>(),
            tpid in prop_oneof![Just(0x8100u16), Just(0x88a8u16)],
            payload in proptest::collection::vec(any::<u8>(), 2..100),
        ) {
            let mut wire = macs.to_vec();
            wire.extend_from_slice(&tpid.to_be_bytes());
            wire.extend_from_slice(&(tci & !VLAN_CFI).to_be_bytes());
            wire.extend_from_slice(&payload);

            let mut stripped = macs.to_vec();
            stripped.extend_from_slice(&payload);
            let aux = AuxData {
                status: TP_STATUS_VLAN_VALID | TP_STATUS_VLAN_TPID_VALID,
                vlan_tci: tci,
                vlan_tpid: tpid,
                ..AuxData::default()
            };
            let found = stripped_vlan(&control_with(&aux));
            prop_assert_eq!(found, Some(aux));
            prop_assert!(reinsert_vlan(&mut stripped, &aux));
            prop_assert_eq!(stripped, wire);
        }
    }
}
