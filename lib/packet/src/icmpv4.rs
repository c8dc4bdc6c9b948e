//! ICMPv4 messages.

use crate::Error;
use crate::checksum;
use crate::field::{be16, be32, rest, set_be16, set_u8, u8_at};

/// Bytes of the ICMP header: type, code, checksum and 4 bytes whose
/// meaning depends on the type.
pub const HEADER_LEN: usize = 8;

pub const ECHO_REPLY: u8 = 0;
pub const DEST_UNREACHABLE: u8 = 3;
pub const REDIRECT: u8 = 5;
pub const ECHO_REQUEST: u8 = 8;
pub const TIME_EXCEEDED: u8 = 11;

/// A view of an ICMPv4 message (the checksum covers the whole buffer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Icmpv4Packet<T> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Icmpv4Packet<T> {
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        if buffer.as_ref().len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        Ok(Icmpv4Packet { buffer })
    }

    pub fn into_inner(self) -> T {
        self.buffer
    }

    pub fn msg_type(&self) -> u8 {
        u8_at(self.buffer.as_ref(), 0)
    }

    pub fn code(&self) -> u8 {
        u8_at(self.buffer.as_ref(), 1)
    }

    pub fn checksum(&self) -> u16 {
        be16(self.buffer.as_ref(), 2)
    }

    /// The 4 type-specific bytes after the checksum.
    pub fn rest_of_header(&self) -> u32 {
        be32(self.buffer.as_ref(), 4)
    }

    /// Echo request/reply: identifier.
    pub fn echo_ident(&self) -> u16 {
        be16(self.buffer.as_ref(), 4)
    }

    /// Echo request/reply: sequence number.
    pub fn echo_seq(&self) -> u16 {
        be16(self.buffer.as_ref(), 6)
    }

    pub fn payload(&self) -> &[u8] {
        rest(self.buffer.as_ref(), HEADER_LEN)
    }

    pub fn verify_checksum(&self) -> bool {
        checksum::is_valid(self.buffer.as_ref())
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Icmpv4Packet<T> {
    pub fn set_msg_type(&mut self, t: u8) {
        set_u8(self.buffer.as_mut(), 0, t);
    }

    pub fn set_code(&mut self, code: u8) {
        set_u8(self.buffer.as_mut(), 1, code);
    }

    pub fn set_checksum(&mut self, c: u16) {
        set_be16(self.buffer.as_mut(), 2, c);
    }

    pub fn fill_checksum(&mut self) {
        self.set_checksum(0);
        let c = checksum::checksum(self.buffer.as_ref());
        self.set_checksum(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo() {
        // "ping" with id 0x1234, seq 1 and 4 bytes of data.
        let mut p = [8, 0, 0, 0, 0x12, 0x34, 0x00, 0x01, b'p', b'i', b'n', b'g'];
        let mut m = Icmpv4Packet::new_checked(&mut p[..]).unwrap();
        m.fill_checksum();
        assert!(m.verify_checksum());
        assert_eq!((m.msg_type(), m.code()), (ECHO_REQUEST, 0));
        assert_eq!((m.echo_ident(), m.echo_seq()), (0x1234, 1));
        assert_eq!(m.rest_of_header(), 0x1234_0001);
        assert_eq!(m.payload(), b"ping");
        let old = u16::from_be_bytes([ECHO_REQUEST, 0]);
        m.set_msg_type(ECHO_REPLY);
        m.set_checksum(checksum::update16(m.checksum(), old, 0));
        assert!(m.verify_checksum());
        m.set_code(1);
        assert!(!m.verify_checksum());
        assert_eq!(Icmpv4Packet::new_checked(&p[..7]), Err(Error::Truncated));
    }
}
