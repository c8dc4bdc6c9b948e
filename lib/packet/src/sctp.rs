//! SCTP common headers.

use crate::Error;
use crate::checksum;
use crate::field::{array, be16, be32, rest, set_array, set_be16, set_be32};

/// Bytes of the SCTP common header.
pub const HEADER_LEN: usize = 12;

/// A view of an SCTP packet: ports, verification tag and the CRC32c that
/// covers the whole packet (so a port rewrite means recomputing it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SctpPacket<T> {
    buffer: T,
}

impl<T: AsRef<[u8]>> SctpPacket<T> {
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        if buffer.as_ref().len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        Ok(SctpPacket { buffer })
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

    pub fn verification_tag(&self) -> u32 {
        be32(self.buffer.as_ref(), 4)
    }

    /// The checksum as the CRC value it carries (the field holds the
    /// CRC's bytes least significant first).
    pub fn checksum(&self) -> u32 {
        u32::from_le_bytes(array(self.buffer.as_ref(), 8))
    }

    /// The CRC32c of the whole buffer with the checksum field taken as 0.
    pub fn compute_checksum(&self) -> u32 {
        let b = self.buffer.as_ref();
        let crc = checksum::crc32c_update(!0, b.get(..8).unwrap_or(&[]));
        let crc = checksum::crc32c_update(crc, &[0; 4]);
        !checksum::crc32c_update(crc, rest(b, HEADER_LEN))
    }

    pub fn verify_checksum(&self) -> bool {
        self.compute_checksum() == self.checksum()
    }

    /// The chunks after the common header.
    pub fn payload(&self) -> &[u8] {
        rest(self.buffer.as_ref(), HEADER_LEN)
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> SctpPacket<T> {
    pub fn set_src_port(&mut self, port: u16) {
        set_be16(self.buffer.as_mut(), 0, port);
    }

    pub fn set_dst_port(&mut self, port: u16) {
        set_be16(self.buffer.as_mut(), 2, port);
    }

    pub fn set_verification_tag(&mut self, tag: u32) {
        set_be32(self.buffer.as_mut(), 4, tag);
    }

    pub fn set_checksum(&mut self, crc: u32) {
        set_array(self.buffer.as_mut(), 8, crc.to_le_bytes());
    }

    pub fn fill_checksum(&mut self) {
        let crc = self.compute_checksum();
        self.set_checksum(crc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_and_crc() {
        // An INIT chunk header after the common header.
        let mut p = [
            0x0b, 0x59, 0x0b, 0x59, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00, 0x14,
        ];
        let mut s = SctpPacket::new_checked(&mut p[..]).unwrap();
        assert_eq!(
            (s.src_port(), s.dst_port(), s.verification_tag()),
            (2905, 2905, 0)
        );
        s.fill_checksum();
        assert!(s.verify_checksum());
        let mut copy = p;
        copy[8..12].fill(0);
        assert_eq!(
            SctpPacket::new_checked(&p[..]).unwrap().checksum(),
            checksum::crc32c(&copy)
        );
        let mut s = SctpPacket::new_checked(&mut p[..]).unwrap();
        s.set_dst_port(80);
        assert!(!s.verify_checksum());
        s.fill_checksum();
        assert!(s.verify_checksum());
        assert_eq!(SctpPacket::new_checked(&p[..11]), Err(Error::Truncated));
    }
}
