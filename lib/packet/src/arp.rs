//! ARP (and RARP) packets.

use crate::Error;
use crate::field::{array, be16, range, set_array, set_be16, u8_at};

/// Bytes of the fixed part: hardware type and length, protocol type and
/// length, operation.
pub const HEADER_LEN: usize = 8;
/// Bytes of an Ethernet/IPv4 ARP packet.
pub const ETH_IPV4_LEN: usize = 28;
/// Hardware type: Ethernet.
pub const HTYPE_ETHERNET: u16 = 1;
pub const OP_REQUEST: u16 = 1;
pub const OP_REPLY: u16 = 2;
pub const OP_RARP_REQUEST: u16 = 3;
pub const OP_RARP_REPLY: u16 = 4;

/// A view of an ARP packet of any hardware and protocol address sizes;
/// the `sha()`-style accessors read the Ethernet/IPv4 layout that
/// [`ArpPacket::is_ethernet_ipv4`] confirms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArpPacket<T> {
    buffer: T,
}

impl<T: AsRef<[u8]>> ArpPacket<T> {
    /// A view over `buffer`, which must hold the fixed part and the four
    /// addresses its lengths announce.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let b = buffer.as_ref();
        if b.len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        let addrs = 2 * (usize::from(u8_at(b, 4)) + usize::from(u8_at(b, 5)));
        if b.len() < HEADER_LEN + addrs {
            return Err(Error::Truncated);
        }
        Ok(ArpPacket { buffer })
    }

    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    pub fn hardware_type(&self) -> u16 {
        be16(self.b(), 0)
    }

    pub fn protocol_type(&self) -> u16 {
        be16(self.b(), 2)
    }

    pub fn hardware_len(&self) -> u8 {
        u8_at(self.b(), 4)
    }

    pub fn protocol_len(&self) -> u8 {
        u8_at(self.b(), 5)
    }

    pub fn operation(&self) -> u16 {
        be16(self.b(), 6)
    }

    /// Ethernet hardware addresses and IPv4 protocol addresses.
    pub fn is_ethernet_ipv4(&self) -> bool {
        self.hardware_type() == HTYPE_ETHERNET
            && self.protocol_type() == 0x0800
            && self.hardware_len() == 6
            && self.protocol_len() == 4
    }

    fn addr(&self, index: usize) -> &[u8] {
        let h = usize::from(self.hardware_len());
        let p = usize::from(self.protocol_len());
        let start = HEADER_LEN + [0, h, h + p, 2 * h + p][index.min(3)];
        let len = if index.is_multiple_of(2) { h } else { p };
        range(self.b(), start, start + len)
    }

    pub fn sender_hardware_addr(&self) -> &[u8] {
        self.addr(0)
    }

    pub fn sender_protocol_addr(&self) -> &[u8] {
        self.addr(1)
    }

    pub fn target_hardware_addr(&self) -> &[u8] {
        self.addr(2)
    }

    pub fn target_protocol_addr(&self) -> &[u8] {
        self.addr(3)
    }

    /// Ethernet/IPv4 layout: sender hardware address.
    pub fn sha(&self) -> [u8; 6] {
        array(self.b(), 8)
    }

    /// Ethernet/IPv4 layout: sender protocol address.
    pub fn spa(&self) -> [u8; 4] {
        array(self.b(), 14)
    }

    /// Ethernet/IPv4 layout: target hardware address.
    pub fn tha(&self) -> [u8; 6] {
        array(self.b(), 18)
    }

    /// Ethernet/IPv4 layout: target protocol address.
    pub fn tpa(&self) -> [u8; 4] {
        array(self.b(), 24)
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> ArpPacket<T> {
    pub fn set_operation(&mut self, op: u16) {
        set_be16(self.buffer.as_mut(), 6, op);
    }

    /// Ethernet/IPv4 layout.
    pub fn set_sha(&mut self, mac: [u8; 6]) {
        set_array(self.buffer.as_mut(), 8, mac);
    }

    /// Ethernet/IPv4 layout.
    pub fn set_spa(&mut self, ip: [u8; 4]) {
        set_array(self.buffer.as_mut(), 14, ip);
    }

    /// Ethernet/IPv4 layout.
    pub fn set_tha(&mut self, mac: [u8; 6]) {
        set_array(self.buffer.as_mut(), 18, mac);
    }

    /// Ethernet/IPv4 layout.
    pub fn set_tpa(&mut self, ip: [u8; 4]) {
        set_array(self.buffer.as_mut(), 24, ip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Who has 10.0.0.2? Tell 10.0.0.1 (00:00:5e:00:53:01).
    static REQUEST: [u8; 28] = [
        0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01, // Ethernet, IPv4, request
        0x00, 0x00, 0x5e, 0x00, 0x53, 0x01, 10, 0, 0, 1, // sender
        0, 0, 0, 0, 0, 0, 10, 0, 0, 2, // target
    ];

    #[test]
    fn request() {
        let a = ArpPacket::new_checked(&REQUEST[..]).unwrap();
        assert!(a.is_ethernet_ipv4());
        assert_eq!(a.operation(), OP_REQUEST);
        assert_eq!(a.sha(), [0, 0, 0x5e, 0, 0x53, 1]);
        assert_eq!(a.spa(), [10, 0, 0, 1]);
        assert_eq!(a.tha(), [0; 6]);
        assert_eq!(a.tpa(), [10, 0, 0, 2]);
        assert_eq!(a.sender_hardware_addr(), &REQUEST[8..14]);
        assert_eq!(a.sender_protocol_addr(), &REQUEST[14..18]);
        assert_eq!(a.target_hardware_addr(), &REQUEST[18..24]);
        assert_eq!(a.target_protocol_addr(), &REQUEST[24..28]);
    }

    #[test]
    fn reply_emit_and_lengths() {
        let mut b = REQUEST;
        let mut a = ArpPacket::new_checked(&mut b[..]).unwrap();
        a.set_operation(OP_REPLY);
        a.set_tha(a.sha());
        a.set_tpa(a.spa());
        a.set_sha([2; 6]);
        a.set_spa([10, 0, 0, 2]);
        assert_eq!(&b[6..8], &[0, 2]);
        assert_eq!(&b[18..28], &REQUEST[8..18]);
        assert_eq!(
            ArpPacket::new_checked(&REQUEST[..27]),
            Err(Error::Truncated)
        );
        // Odd address sizes are walked by their lengths.
        let odd = [0u8, 6, 0, 1, 2, 1, 0, 1, 0xa, 0xb, 1, 0xc, 0xd, 2];
        let a = ArpPacket::new_checked(&odd[..]).unwrap();
        assert!(!a.is_ethernet_ipv4());
        assert_eq!(a.sender_hardware_addr(), &[0xa, 0xb]);
        assert_eq!(a.sender_protocol_addr(), &[1]);
        assert_eq!(a.target_hardware_addr(), &[0xc, 0xd]);
        assert_eq!(a.target_protocol_addr(), &[2]);
    }
}
