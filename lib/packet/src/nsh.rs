//! Network service headers (RFC 8300).

use crate::Error;
use crate::field::{array, be16, be32, rest, u8_at};

/// Bytes of the base and service path headers.
pub const BASE_HEADER_LEN: usize = 8;
/// Length of an MD type 1 header, context included.
pub const MD_TYPE1_LEN: usize = 24;
pub const MD_TYPE1: u8 = 1;
pub const MD_TYPE2: u8 = 2;

/// A view of an NSH header. `new_checked` asks for the base header, a
/// version of 0 and a length field within the buffer; whether the length
/// suits the MD type is left to the caller (OVS checks it for type 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NshHeader<T> {
    buffer: T,
}

impl<T: AsRef<[u8]>> NshHeader<T> {
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let b = buffer.as_ref();
        if b.len() < BASE_HEADER_LEN {
            return Err(Error::Truncated);
        }
        if u8_at(b, 0) >> 6 != 0 {
            return Err(Error::Malformed);
        }
        if usize::from(be16(b, 0) & 0x3f) * 4 > b.len() {
            return Err(Error::Truncated);
        }
        Ok(NshHeader { buffer })
    }

    fn word0(&self) -> u16 {
        be16(self.buffer.as_ref(), 0)
    }

    pub fn version(&self) -> u8 {
        (self.word0() >> 14) as u8
    }

    /// The O and U bits (OVS's `nsh_flags`).
    pub fn flags(&self) -> u8 {
        ((self.word0() & 0x3000) >> 12) as u8
    }

    pub fn ttl(&self) -> u8 {
        ((self.word0() & 0x0fc0) >> 6) as u8
    }

    /// The whole header's length in bytes.
    pub fn header_len(&self) -> usize {
        usize::from(self.word0() & 0x3f) * 4
    }

    /// The MD type byte as it is on the wire, reserved bits included (OVS
    /// keeps the whole byte).
    pub fn md_type_byte(&self) -> u8 {
        u8_at(self.buffer.as_ref(), 2)
    }

    /// The MD type.
    pub fn md_type(&self) -> u8 {
        self.md_type_byte() & 0x0f
    }

    pub fn next_proto(&self) -> u8 {
        u8_at(self.buffer.as_ref(), 3)
    }

    /// Service path identifier (24 bits) and service index (8 bits).
    pub fn path_hdr(&self) -> u32 {
        be32(self.buffer.as_ref(), 4)
    }

    pub fn spi(&self) -> u32 {
        self.path_hdr() >> 8
    }

    pub fn si(&self) -> u8 {
        self.path_hdr() as u8
    }

    /// MD type 1's four context words as bytes (meaningless for other
    /// types).
    pub fn md1_context(&self) -> [u8; 16] {
        array(self.buffer.as_ref(), BASE_HEADER_LEN)
    }

    pub fn payload(&self) -> &[u8] {
        rest(self.buffer.as_ref(), self.header_len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md1() {
        let mut h = [0u8; 26];
        h[0..4].copy_from_slice(&[0x0f, 0xc6, 0x01, 0x03]); // ttl 63, len 6 words, MD1, Ethernet
        h[4..8].copy_from_slice(&[0x00, 0x01, 0x02, 0xff]); // spi 0x102, si 255
        h[8] = 0xaa;
        let n = NshHeader::new_checked(&h[..]).unwrap();
        assert_eq!((n.version(), n.flags(), n.ttl()), (0, 0, 63));
        assert_eq!((n.header_len(), n.md_type(), n.next_proto()), (24, 1, 3));
        assert_eq!((n.spi(), n.si()), (0x102, 255));
        assert_eq!(n.md1_context()[0], 0xaa);
        assert_eq!(n.payload().len(), 2);
        h[0] |= 0x40;
        assert_eq!(NshHeader::new_checked(&h[..]), Err(Error::Malformed));
        h[0] = 0x0f;
        assert_eq!(NshHeader::new_checked(&h[..20]), Err(Error::Truncated));
    }
}
