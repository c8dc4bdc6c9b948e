//! UDP headers.

use crate::Error;
use crate::checksum;
use crate::field::{be16, rest, set_be16};

/// Bytes of a UDP header.
pub const HEADER_LEN: usize = 8;

/// A view of a UDP datagram. `new_checked` only asks for the 8-byte
/// header, as OVS's flow extraction does; the length field is reported,
/// not trusted, and [`UdpPacket::payload`] is whatever follows the header
/// in the buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UdpPacket<T> {
    buffer: T,
}

impl<T: AsRef<[u8]>> UdpPacket<T> {
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        if buffer.as_ref().len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        Ok(UdpPacket { buffer })
    }

    pub fn into_inner(self) -> T {
        self.buffer
    }

    pub fn src_port(&self) -> u16 {
        be16(self.buffer.as_ref(), 0)
    }

    pub fn dst_port(&self) -> u16 {
        be16(self.buffer.as_ref(), 2)
    }

    /// The length field (header plus payload, as the sender claims).
    pub fn len(&self) -> u16 {
        be16(self.buffer.as_ref(), 4)
    }

    /// The length field claims no payload.
    pub fn is_empty(&self) -> bool {
        self.len() <= HEADER_LEN as u16
    }

    /// 0 means "no checksum" (allowed over IPv4 only).
    pub fn checksum(&self) -> u16 {
        be16(self.buffer.as_ref(), 6)
    }

    pub fn payload(&self) -> &[u8] {
        rest(self.buffer.as_ref(), HEADER_LEN)
    }

    /// True if the checksum over the whole buffer and a pseudo-header sum
    /// is right, or absent (0).
    pub fn verify_checksum(&self, pseudo_header: u16) -> bool {
        self.checksum() == 0
            || checksum::combine(pseudo_header, checksum::sum(self.buffer.as_ref())) == 0xffff
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> UdpPacket<T> {
    pub fn set_src_port(&mut self, port: u16) {
        set_be16(self.buffer.as_mut(), 0, port);
    }

    pub fn set_dst_port(&mut self, port: u16) {
        set_be16(self.buffer.as_mut(), 2, port);
    }

    pub fn set_len(&mut self, len: u16) {
        set_be16(self.buffer.as_mut(), 4, len);
    }

    pub fn set_checksum(&mut self, checksum: u16) {
        set_be16(self.buffer.as_mut(), 6, checksum);
    }

    /// Recomputes the checksum over the whole buffer and a pseudo-header
    /// sum; a result of 0 is sent as 0xffff, since 0 means "none".
    pub fn fill_checksum(&mut self, pseudo_header: u16) {
        self.set_checksum(0);
        let c = !checksum::combine(pseudo_header, checksum::sum(self.buffer.as_ref()));
        self.set_checksum(if c == 0 { 0xffff } else { c });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static DNS_QUERY_HEAD: [u8; 12] = [
        0xd4, 0x31, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00, 0xab, 0xcd, 0x01, 0x00,
    ];

    #[test]
    fn parse_fill_verify() {
        let mut d = DNS_QUERY_HEAD;
        let ph = checksum::pseudo_header_ipv4([192, 0, 2, 1], [192, 0, 2, 53], 17, 12);
        let mut udp = UdpPacket::new_checked(&mut d[..]).unwrap();
        assert_eq!((udp.src_port(), udp.dst_port(), udp.len()), (54321, 53, 12));
        assert!(!udp.is_empty());
        assert!(udp.verify_checksum(ph));
        udp.fill_checksum(ph);
        assert_ne!(udp.checksum(), 0);
        assert!(udp.verify_checksum(ph));
        udp.set_src_port(1);
        assert!(!udp.verify_checksum(ph));
        assert_eq!(udp.payload(), &[0xab, 0xcd, 0x01, 0x00]);
        assert_eq!(UdpPacket::new_checked(&d[..7]), Err(Error::Truncated));
    }

    #[test]
    fn emit_is_byte_identical() {
        let mut d = [0u8; 12];
        d[8..].copy_from_slice(&DNS_QUERY_HEAD[8..]);
        let mut udp = UdpPacket::new_checked(&mut d[..]).unwrap();
        udp.set_src_port(54321);
        udp.set_dst_port(53);
        udp.set_len(12);
        udp.set_checksum(0);
        assert_eq!(d, DNS_QUERY_HEAD);
    }
}
