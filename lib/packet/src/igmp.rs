//! IGMP messages (the fixed 8-byte part all versions share).

use crate::Error;
use crate::checksum;
use crate::field::{array, be16, rest, u8_at};

/// Bytes of the IGMP header: type, max response time (or code), checksum
/// and group address.
pub const HEADER_LEN: usize = 8;

pub const MEMBERSHIP_QUERY: u8 = 0x11;
pub const V1_MEMBERSHIP_REPORT: u8 = 0x12;
pub const V2_MEMBERSHIP_REPORT: u8 = 0x16;
pub const LEAVE_GROUP: u8 = 0x17;
pub const V3_MEMBERSHIP_REPORT: u8 = 0x22;

/// A view of an IGMP message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IgmpPacket<T> {
    buffer: T,
}

impl<T: AsRef<[u8]>> IgmpPacket<T> {
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        if buffer.as_ref().len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        Ok(IgmpPacket { buffer })
    }

    pub fn msg_type(&self) -> u8 {
        u8_at(self.buffer.as_ref(), 0)
    }

    /// Max response time (v2 and v3 queries), or what OVS calls the code.
    pub fn code(&self) -> u8 {
        u8_at(self.buffer.as_ref(), 1)
    }

    pub fn checksum(&self) -> u16 {
        be16(self.buffer.as_ref(), 2)
    }

    /// The group address (0 in a general query; reserved in a v3 report).
    pub fn group(&self) -> [u8; 4] {
        array(self.buffer.as_ref(), 4)
    }

    pub fn payload(&self) -> &[u8] {
        rest(self.buffer.as_ref(), HEADER_LEN)
    }

    pub fn verify_checksum(&self) -> bool {
        checksum::is_valid(self.buffer.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v2_report() {
        // Report for 239.1.2.3, checksum computed by hand over the 8 bytes.
        let mut p = [0x16, 0x00, 0x00, 0x00, 239, 1, 2, 3];
        let c = checksum::checksum(&p);
        p[2..4].copy_from_slice(&c.to_be_bytes());
        let m = IgmpPacket::new_checked(&p[..]).unwrap();
        assert_eq!(m.msg_type(), V2_MEMBERSHIP_REPORT);
        assert_eq!(m.code(), 0);
        assert_eq!(m.group(), [239, 1, 2, 3]);
        assert!(m.verify_checksum());
        assert!(m.payload().is_empty());
        assert_eq!(IgmpPacket::new_checked(&p[..7]), Err(Error::Truncated));
    }
}
