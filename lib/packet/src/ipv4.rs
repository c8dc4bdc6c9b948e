//! IPv4 headers and their options.

use crate::Error;
use crate::checksum;
use crate::field::{array, be16, range, range_mut, set_array, set_be16, set_u8, u8_at};
use crate::ip::IpProtocol;

/// Bytes of an IPv4 header without options.
pub const HEADER_LEN: usize = 20;
/// The "more fragments" flag in the flags/fragment-offset word.
pub const MORE_FRAGMENTS: u16 = 0x2000;
/// The "don't fragment" flag in the flags/fragment-offset word.
pub const DONT_FRAGMENT: u16 = 0x4000;
/// The fragment offset (in 8-byte units) in the flags/fragment-offset word.
pub const FRAG_OFFSET_MASK: u16 = 0x1fff;

/// A view of an IPv4 packet. `new_checked` applies the same checks as
/// OVS's flow extraction, so a packet this accepts is one whose IPv4
/// fields OVS would extract: the header length is at least 20 bytes and
/// within both the buffer and the total length, and the total length is
/// within the buffer (bytes past it are link-layer padding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv4Packet<T> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Ipv4Packet<T> {
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let b = buffer.as_ref();
        if b.len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        let header_len = usize::from(u8_at(b, 0) & 0x0f) * 4;
        if header_len < HEADER_LEN {
            return Err(Error::Malformed);
        }
        if header_len > b.len() {
            return Err(Error::Truncated);
        }
        let total_len = usize::from(be16(b, 2));
        if total_len < header_len {
            return Err(Error::Malformed);
        }
        if total_len > b.len() {
            return Err(Error::Truncated);
        }
        Ok(Ipv4Packet { buffer })
    }

    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// The version field (4 for a real IPv4 packet; not checked, as OVS
    /// does not check it either).
    pub fn version(&self) -> u8 {
        u8_at(self.b(), 0) >> 4
    }

    /// Header length in bytes (IHL * 4), options included.
    pub fn header_len(&self) -> usize {
        usize::from(u8_at(self.b(), 0) & 0x0f) * 4
    }

    /// The whole TOS byte: DSCP and ECN.
    pub fn tos(&self) -> u8 {
        u8_at(self.b(), 1)
    }

    pub fn total_len(&self) -> u16 {
        be16(self.b(), 2)
    }

    pub fn ident(&self) -> u16 {
        be16(self.b(), 4)
    }

    /// The flags and fragment offset word as it is on the wire.
    pub fn flags_frag_off(&self) -> u16 {
        be16(self.b(), 6)
    }

    pub fn dont_fragment(&self) -> bool {
        self.flags_frag_off() & DONT_FRAGMENT != 0
    }

    pub fn more_fragments(&self) -> bool {
        self.flags_frag_off() & MORE_FRAGMENTS != 0
    }

    /// Fragment offset in 8-byte units.
    pub fn frag_offset(&self) -> u16 {
        self.flags_frag_off() & FRAG_OFFSET_MASK
    }

    /// More fragments follow, or this is not the first: either way a
    /// fragment.
    pub fn is_fragment(&self) -> bool {
        self.flags_frag_off() & (MORE_FRAGMENTS | FRAG_OFFSET_MASK) != 0
    }

    pub fn ttl(&self) -> u8 {
        u8_at(self.b(), 8)
    }

    pub fn protocol(&self) -> IpProtocol {
        IpProtocol(u8_at(self.b(), 9))
    }

    pub fn checksum(&self) -> u16 {
        be16(self.b(), 10)
    }

    pub fn src(&self) -> [u8; 4] {
        array(self.b(), 12)
    }

    pub fn dst(&self) -> [u8; 4] {
        array(self.b(), 16)
    }

    /// The option bytes between the fixed header and the payload.
    pub fn options(&self) -> &[u8] {
        range(self.b(), HEADER_LEN, self.header_len())
    }

    /// The options one by one.
    pub fn option_iter(&self) -> Ipv4Options<'_> {
        Ipv4Options {
            data: self.options(),
        }
    }

    /// The bytes after the header, up to the total length (link-layer
    /// padding excluded).
    pub fn payload(&self) -> &[u8] {
        range(self.b(), self.header_len(), usize::from(self.total_len()))
    }

    /// True if the header checksum is right.
    pub fn verify_checksum(&self) -> bool {
        checksum::is_valid(range(self.b(), 0, self.header_len()))
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Ipv4Packet<T> {
    fn bm(&mut self) -> &mut [u8] {
        self.buffer.as_mut()
    }

    pub fn set_tos(&mut self, tos: u8) {
        set_u8(self.bm(), 1, tos);
    }

    pub fn set_ident(&mut self, ident: u16) {
        set_be16(self.bm(), 4, ident);
    }

    pub fn set_flags_frag_off(&mut self, value: u16) {
        set_be16(self.bm(), 6, value);
    }

    pub fn set_ttl(&mut self, ttl: u8) {
        set_u8(self.bm(), 8, ttl);
    }

    pub fn set_protocol(&mut self, protocol: IpProtocol) {
        set_u8(self.bm(), 9, protocol.0);
    }

    pub fn set_checksum(&mut self, checksum: u16) {
        set_be16(self.bm(), 10, checksum);
    }

    pub fn set_src(&mut self, addr: [u8; 4]) {
        set_array(self.bm(), 12, addr);
    }

    pub fn set_dst(&mut self, addr: [u8; 4]) {
        set_array(self.bm(), 16, addr);
    }

    /// Recomputes the header checksum from scratch.
    pub fn fill_checksum(&mut self) {
        self.set_checksum(0);
        let c = checksum::checksum(range(self.b(), 0, self.header_len()));
        self.set_checksum(c);
    }

    /// The payload, mutable (up to the total length).
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let (from, to) = (self.header_len(), usize::from(self.total_len()));
        range_mut(self.bm(), from, to)
    }
}

/// Option kind: end of the option list.
pub const OPT_END: u8 = 0;
/// Option kind: one byte of padding.
pub const OPT_NOP: u8 = 1;

/// One IPv4 option: its kind byte and the bytes after its length byte
/// (empty for NOP).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv4Option<'a> {
    pub kind: u8,
    pub data: &'a [u8],
}

/// The options of an IPv4 header. Stops at an end-of-list option; an
/// option whose length is under 2 or runs past the header yields
/// `Err(Malformed)` once and ends the iteration.
#[derive(Clone, Debug)]
pub struct Ipv4Options<'a> {
    data: &'a [u8],
}

impl<'a> Ipv4Options<'a> {
    /// Options from raw option bytes.
    pub fn new(data: &'a [u8]) -> Self {
        Ipv4Options { data }
    }
}

impl<'a> Iterator for Ipv4Options<'a> {
    type Item = Result<Ipv4Option<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        next_option(&mut self.data).map(|r| r.map(|(kind, data)| Ipv4Option { kind, data }))
    }
}

/// Takes the next kind-length-value option (the grammar of IPv4's and
/// TCP's options, where kind 0 ends the list and kind 1 has no length)
/// off the front of `data`. After an error or the end, `data` is empty.
pub(crate) fn next_option<'a>(data: &mut &'a [u8]) -> Option<Result<(u8, &'a [u8]), Error>> {
    let all = *data;
    let (&kind, rest) = all.split_first()?;
    match kind {
        OPT_END => {
            *data = &[];
            None
        }
        OPT_NOP => {
            *data = rest;
            Some(Ok((kind, &[])))
        }
        _ => {
            let len = usize::from(rest.first().copied().unwrap_or(0));
            match all.get(2..len) {
                Some(value) if len >= 2 => {
                    *data = all.get(len..).unwrap_or(&[]);
                    Some(Ok((kind, value)))
                }
                _ => {
                    *data = &[];
                    Some(Err(Error::Malformed))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// UDP in IPv4 with a router-alert option (RFC 2113) and a NOP, from
    /// 192.0.2.1 to 198.51.100.7, two bytes of payload and two of padding.
    static PACKET: [u8; 30] = [
        0x47, 0xb8, 0x00, 0x1c, // v4, IHL 7, DSCP 46 + ECN 0, total 28
        0x12, 0x34, 0x40, 0x00, // ident, DF
        0x3f, 0x11, 0x9c, 0x48, // ttl 63, UDP, checksum
        0xc0, 0x00, 0x02, 0x01, // src
        0xc6, 0x33, 0x64, 0x07, // dst
        0x94, 0x04, 0x00, 0x00, // router alert
        0x01, 0x00, 0x00, 0x00, // NOP, END, pad
        0xaa, 0xbb, // payload
    ];

    fn packet() -> [u8; 32] {
        let mut p = [0u8; 32];
        p[..30].copy_from_slice(&PACKET);
        p
    }

    #[test]
    fn parse_every_field() {
        let mut bytes = packet();
        // total_len 28 covers header (28 bytes) only; make it 30 to include
        // the payload and leave 2 bytes of padding.
        bytes[2..4].copy_from_slice(&30u16.to_be_bytes());
        let mut ip = Ipv4Packet::new_checked(&mut bytes[..]).unwrap();
        ip.fill_checksum();
        let ip = Ipv4Packet::new_checked(ip.into_inner()).unwrap();
        assert_eq!(ip.version(), 4);
        assert_eq!(ip.header_len(), 28);
        assert_eq!(ip.tos(), 0xb8);
        assert_eq!(ip.total_len(), 30);
        assert_eq!(ip.ident(), 0x1234);
        assert!(ip.dont_fragment() && !ip.more_fragments() && !ip.is_fragment());
        assert_eq!(ip.frag_offset(), 0);
        assert_eq!(ip.ttl(), 63);
        assert_eq!(ip.protocol(), IpProtocol::UDP);
        assert_eq!(ip.src(), [192, 0, 2, 1]);
        assert_eq!(ip.dst(), [198, 51, 100, 7]);
        assert!(ip.verify_checksum());
        assert_eq!(ip.payload(), &[0xaa, 0xbb]);
        let opts: Vec<_> = ip.option_iter().collect();
        assert_eq!(
            opts,
            vec![
                Ok(Ipv4Option {
                    kind: 0x94,
                    data: &[0, 0]
                }),
                Ok(Ipv4Option {
                    kind: OPT_NOP,
                    data: &[]
                }),
            ]
        );
    }

    #[test]
    fn emit_is_byte_identical() {
        let mut bytes = [0u8; 30];
        bytes[0] = 0x47;
        bytes[2..4].copy_from_slice(&28u16.to_be_bytes());
        bytes[20..30].copy_from_slice(&PACKET[20..30]);
        let mut ip = Ipv4Packet::new_checked(&mut bytes[..]).unwrap();
        ip.set_tos(0xb8);
        ip.set_ident(0x1234);
        ip.set_flags_frag_off(DONT_FRAGMENT);
        ip.set_ttl(63);
        ip.set_protocol(IpProtocol::UDP);
        ip.set_src([192, 0, 2, 1]);
        ip.set_dst([198, 51, 100, 7]);
        ip.set_checksum(0x9c48);
        assert_eq!(bytes, PACKET);
        let mut again = PACKET;
        let mut ip = Ipv4Packet::new_checked(&mut again[..]).unwrap();
        ip.fill_checksum();
        assert!(ip.verify_checksum());
    }

    #[test]
    fn lying_lengths_are_rejected() {
        let p = packet();
        let with = |f: &dyn Fn(&mut [u8; 32])| {
            let mut b = p;
            f(&mut b);
            Ipv4Packet::new_checked(b).map(|_| ())
        };
        assert_eq!(with(&|_| {}), Ok(()));
        assert_eq!(with(&|b| b[0] = 0x44), Err(Error::Malformed));
        assert_eq!(with(&|b| b[0] = 0x4f), Err(Error::Truncated));
        assert_eq!(with(&|b| b[3] = 20), Err(Error::Malformed));
        assert_eq!(with(&|b| b[3] = 33), Err(Error::Truncated));
        assert_eq!(Ipv4Packet::new_checked(&p[..19]), Err(Error::Truncated));
    }

    #[test]
    fn bad_options_stop_the_walk() {
        let opts = [OPT_NOP, 0x83, 7, 1, 2];
        let got: Vec<_> = Ipv4Options::new(&opts).collect();
        assert_eq!(
            got,
            vec![
                Ok(Ipv4Option {
                    kind: OPT_NOP,
                    data: &[]
                }),
                Err(Error::Malformed)
            ]
        );
        let got: Vec<_> = Ipv4Options::new(&[0x44, 1]).collect();
        assert_eq!(got, vec![Err(Error::Malformed)]);
        assert_eq!(Ipv4Options::new(&[0x44]).count(), 1);
    }
}
