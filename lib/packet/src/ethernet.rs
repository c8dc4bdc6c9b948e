//! Ethernet II and 802.3 frames, 802.1Q/802.1ad VLAN headers, LLC/SNAP.

use crate::Error;
use crate::field::{array, be16, rest, set_array, set_be16, u8_at};

/// An Ethernet type (or, below [`EtherType::MIN`], an 802.3 length). Any
/// value is kept, so unknown types print and compare exactly.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct EtherType(pub u16);

impl EtherType {
    pub const IPV4: EtherType = EtherType(0x0800);
    pub const ARP: EtherType = EtherType(0x0806);
    pub const TEB: EtherType = EtherType(0x6558);
    pub const RARP: EtherType = EtherType(0x8035);
    pub const VLAN_8021Q: EtherType = EtherType(0x8100);
    pub const IPV6: EtherType = EtherType(0x86dd);
    pub const LACP: EtherType = EtherType(0x8809);
    pub const MPLS: EtherType = EtherType(0x8847);
    pub const MPLS_MCAST: EtherType = EtherType(0x8848);
    pub const VLAN_8021AD: EtherType = EtherType(0x88a8);
    pub const NSH: EtherType = EtherType(0x894f);
    /// Values below this are 802.3 frame lengths, not types.
    pub const MIN: EtherType = EtherType(0x0600);
    /// What OVS records as the type of a frame that has none it can name:
    /// 802.3 without SNAP, or SNAP carrying a length (`FLOW_DL_TYPE_NONE`).
    pub const NONE: EtherType = EtherType(0x05ff);

    /// 802.1Q or 802.1ad: a VLAN header follows.
    pub fn is_vlan(self) -> bool {
        self == Self::VLAN_8021Q || self == Self::VLAN_8021AD
    }

    /// Unicast or multicast MPLS: a label stack follows.
    pub fn is_mpls(self) -> bool {
        self == Self::MPLS || self == Self::MPLS_MCAST
    }

    /// An 802.3 length rather than a type.
    pub fn is_length(self) -> bool {
        self < Self::MIN
    }

    fn name(self) -> Option<&'static str> {
        Some(match self {
            Self::IPV4 => "IPv4",
            Self::ARP => "ARP",
            Self::TEB => "TEB",
            Self::RARP => "RARP",
            Self::VLAN_8021Q => "802.1Q",
            Self::IPV6 => "IPv6",
            Self::LACP => "LACP",
            Self::MPLS => "MPLS",
            Self::MPLS_MCAST => "MPLS-multicast",
            Self::VLAN_8021AD => "802.1ad",
            Self::NSH => "NSH",
            _ => return None,
        })
    }
}

impl std::fmt::Debug for EtherType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name() {
            Some(n) => write!(f, "{n}"),
            None => write!(f, "0x{:04x}", self.0),
        }
    }
}

impl From<u16> for EtherType {
    fn from(v: u16) -> Self {
        EtherType(v)
    }
}

impl From<EtherType> for u16 {
    fn from(v: EtherType) -> Self {
        v.0
    }
}

/// Bytes of the Ethernet header: two addresses and a type or length.
pub const HEADER_LEN: usize = 14;
/// Bytes of one MAC address.
pub const ADDR_LEN: usize = 6;

/// A view of an Ethernet frame: destination, source, then the type (or
/// 802.3 length) and the payload after it. VLAN headers, if any, are the
/// start of the payload; see [`VlanHeader`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EthernetFrame<T> {
    buffer: T,
}

impl<T: AsRef<[u8]>> EthernetFrame<T> {
    /// A view over `buffer`, which must hold at least the 14-byte header.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        if buffer.as_ref().len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        Ok(EthernetFrame { buffer })
    }

    pub fn into_inner(self) -> T {
        self.buffer
    }

    pub fn dst(&self) -> [u8; ADDR_LEN] {
        array(self.buffer.as_ref(), 0)
    }

    pub fn src(&self) -> [u8; ADDR_LEN] {
        array(self.buffer.as_ref(), 6)
    }

    /// The outer type: for a tagged frame, the TPID.
    pub fn ether_type(&self) -> EtherType {
        EtherType(be16(self.buffer.as_ref(), 12))
    }

    /// Everything after the 14-byte header.
    pub fn payload(&self) -> &[u8] {
        rest(self.buffer.as_ref(), HEADER_LEN)
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> EthernetFrame<T> {
    pub fn set_dst(&mut self, mac: [u8; ADDR_LEN]) {
        set_array(self.buffer.as_mut(), 0, mac);
    }

    pub fn set_src(&mut self, mac: [u8; ADDR_LEN]) {
        set_array(self.buffer.as_mut(), 6, mac);
    }

    pub fn set_ether_type(&mut self, ether_type: EtherType) {
        set_be16(self.buffer.as_mut(), 12, ether_type.0);
    }

    pub fn payload_mut(&mut self) -> &mut [u8] {
        self.buffer
            .as_mut()
            .get_mut(HEADER_LEN..)
            .unwrap_or(&mut [])
    }
}

/// The CFI (DEI) bit of a TCI; in a flow's TCI it means "a VLAN header is
/// present" instead.
pub const VLAN_CFI: u16 = 0x1000;
/// The VLAN ID bits of a TCI.
pub const VLAN_VID_MASK: u16 = 0x0fff;
/// The priority bits of a TCI.
pub const VLAN_PCP_MASK: u16 = 0xe000;
pub const VLAN_PCP_SHIFT: u32 = 13;
/// Bytes of a VLAN header (what follows the TPID): TCI and inner type.
pub const VLAN_HEADER_LEN: usize = 4;

/// A view of the 4 bytes that follow an 802.1Q/802.1ad TPID: the tag
/// control information and the type of what follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VlanHeader<T> {
    buffer: T,
}

impl<T: AsRef<[u8]>> VlanHeader<T> {
    /// A view over `buffer` (the bytes just after the TPID), which must
    /// hold at least the 4-byte header.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        if buffer.as_ref().len() < VLAN_HEADER_LEN {
            return Err(Error::Truncated);
        }
        Ok(VlanHeader { buffer })
    }

    pub fn into_inner(self) -> T {
        self.buffer
    }

    pub fn tci(&self) -> u16 {
        be16(self.buffer.as_ref(), 0)
    }

    pub fn pcp(&self) -> u8 {
        ((self.tci() & VLAN_PCP_MASK) >> VLAN_PCP_SHIFT) as u8
    }

    pub fn dei(&self) -> bool {
        self.tci() & VLAN_CFI != 0
    }

    pub fn vid(&self) -> u16 {
        self.tci() & VLAN_VID_MASK
    }

    /// The inner type (another TPID for a double-tagged frame).
    pub fn ether_type(&self) -> EtherType {
        EtherType(be16(self.buffer.as_ref(), 2))
    }

    pub fn payload(&self) -> &[u8] {
        rest(self.buffer.as_ref(), VLAN_HEADER_LEN)
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> VlanHeader<T> {
    pub fn set_tci(&mut self, tci: u16) {
        set_be16(self.buffer.as_mut(), 0, tci);
    }

    pub fn set_ether_type(&mut self, ether_type: EtherType) {
        set_be16(self.buffer.as_mut(), 2, ether_type.0);
    }
}

/// Bytes of an LLC header plus a SNAP header.
pub const LLC_SNAP_HEADER_LEN: usize = 8;
const LLC_SAP_SNAP: u8 = 0xaa;
const LLC_CNTL_SNAP: u8 = 0x03;

/// A view of the LLC + SNAP headers that may follow an 802.3 length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LlcSnapHeader<T> {
    buffer: T,
}

impl<T: AsRef<[u8]>> LlcSnapHeader<T> {
    /// A view over `buffer`, which must hold the 8 bytes of LLC and SNAP.
    /// Whether they really are SNAP is [`Self::is_ethernet_snap`]'s
    /// question.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        if buffer.as_ref().len() < LLC_SNAP_HEADER_LEN {
            return Err(Error::Truncated);
        }
        Ok(LlcSnapHeader { buffer })
    }

    pub fn dsap(&self) -> u8 {
        u8_at(self.buffer.as_ref(), 0)
    }

    pub fn ssap(&self) -> u8 {
        u8_at(self.buffer.as_ref(), 1)
    }

    pub fn control(&self) -> u8 {
        u8_at(self.buffer.as_ref(), 2)
    }

    pub fn oui(&self) -> [u8; 3] {
        array(self.buffer.as_ref(), 3)
    }

    pub fn snap_type(&self) -> EtherType {
        EtherType(be16(self.buffer.as_ref(), 6))
    }

    /// LLC SAPs and control say SNAP, and the OUI is 00-00-00 (so the
    /// SNAP type is an Ethernet type).
    pub fn is_ethernet_snap(&self) -> bool {
        self.dsap() == LLC_SAP_SNAP
            && self.ssap() == LLC_SAP_SNAP
            && self.control() == LLC_CNTL_SNAP
            && self.oui() == [0, 0, 0]
    }

    pub fn payload(&self) -> &[u8] {
        rest(self.buffer.as_ref(), LLC_SNAP_HEADER_LEN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static DOUBLE_TAGGED: [u8; 24] = [
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, // dst
        0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, // src
        0x88, 0xa8, // 802.1ad
        0xa0, 0x64, // pcp 5, vid 100
        0x81, 0x00, // 802.1Q
        0x30, 0xc8, // pcp 1, dei, vid 200
        0x08, 0x00, // IPv4
        0x45, 0x00,
    ];

    #[test]
    fn parse_tagged_frame() {
        let frame = EthernetFrame::new_checked(&DOUBLE_TAGGED[..]).unwrap();
        assert_eq!(frame.dst(), [1, 2, 3, 4, 5, 6]);
        assert_eq!(frame.src(), [10, 11, 12, 13, 14, 15]);
        assert_eq!(frame.ether_type(), EtherType::VLAN_8021AD);
        assert!(frame.ether_type().is_vlan());
        let outer = VlanHeader::new_checked(frame.payload()).unwrap();
        assert_eq!((outer.pcp(), outer.dei(), outer.vid()), (5, false, 100));
        assert_eq!(outer.ether_type(), EtherType::VLAN_8021Q);
        let inner = VlanHeader::new_checked(outer.payload()).unwrap();
        assert_eq!((inner.pcp(), inner.dei(), inner.vid()), (1, true, 200));
        assert_eq!(inner.ether_type(), EtherType::IPV4);
        assert_eq!(inner.payload(), &[0x45, 0x00]);
    }

    #[test]
    fn emit_is_byte_identical() {
        let mut buf = [0u8; 24];
        buf[14..].copy_from_slice(&DOUBLE_TAGGED[14..]);
        let mut frame = EthernetFrame::new_checked(&mut buf[..]).unwrap();
        frame.set_dst([1, 2, 3, 4, 5, 6]);
        frame.set_src([10, 11, 12, 13, 14, 15]);
        frame.set_ether_type(EtherType::VLAN_8021AD);
        assert_eq!(buf, DOUBLE_TAGGED);
        let mut tag = VlanHeader::new_checked(&mut buf[14..]).unwrap();
        tag.set_tci(0x0001);
        tag.set_ether_type(EtherType::IPV6);
        assert_eq!(&buf[14..18], &[0, 1, 0x86, 0xdd]);
    }

    #[test]
    fn short_buffers_are_rejected() {
        assert_eq!(
            EthernetFrame::new_checked(&DOUBLE_TAGGED[..13]),
            Err(Error::Truncated)
        );
        assert_eq!(
            VlanHeader::new_checked(&[0u8; 3][..]),
            Err(Error::Truncated)
        );
        assert_eq!(
            LlcSnapHeader::new_checked(&[0u8; 7][..]),
            Err(Error::Truncated)
        );
    }

    #[test]
    fn llc_snap() {
        let snap = [0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x06, 9];
        let h = LlcSnapHeader::new_checked(&snap[..]).unwrap();
        assert!(h.is_ethernet_snap());
        assert_eq!(h.snap_type(), EtherType::ARP);
        assert_eq!(h.payload(), &[9]);
        let stp = [0x42, 0x42, 0x03, 0, 0, 0, 0, 0];
        assert!(
            !LlcSnapHeader::new_checked(&stp[..])
                .unwrap()
                .is_ethernet_snap()
        );
        assert!(EtherType(0x05dc).is_length());
        assert_eq!(format!("{:?}", EtherType(0x1234)), "0x1234");
        assert_eq!(format!("{:?}", EtherType::IPV6), "IPv6");
    }
}
