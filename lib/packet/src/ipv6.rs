//! IPv6 headers and the extension headers a switch walks past: hop-by-hop
//! options, routing, fragment, destination options and AH.

use crate::Error;
use crate::field::{
    array, be16, be32, range, range_mut, rest, set_array, set_be16, set_be32, set_u8, u8_at,
};
use crate::ip::IpProtocol;

/// Bytes of the fixed IPv6 header.
pub const HEADER_LEN: usize = 40;
/// The flow label bits of the first word.
pub const FLOW_LABEL_MASK: u32 = 0x000f_ffff;

/// A view of an IPv6 packet. `new_checked` applies OVS's checks: the fixed
/// header fits and the payload length does not run past the buffer (bytes
/// past it are link-layer padding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv6Packet<T> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Ipv6Packet<T> {
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let b = buffer.as_ref();
        if b.len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        if HEADER_LEN + usize::from(be16(b, 4)) > b.len() {
            return Err(Error::Truncated);
        }
        Ok(Ipv6Packet { buffer })
    }

    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// The version field (not checked, as OVS does not check it).
    pub fn version(&self) -> u8 {
        u8_at(self.b(), 0) >> 4
    }

    pub fn traffic_class(&self) -> u8 {
        (be32(self.b(), 0) >> 20) as u8
    }

    pub fn flow_label(&self) -> u32 {
        be32(self.b(), 0) & FLOW_LABEL_MASK
    }

    pub fn payload_len(&self) -> u16 {
        be16(self.b(), 4)
    }

    /// The first next-header value (an extension header or the transport).
    pub fn next_header(&self) -> IpProtocol {
        IpProtocol(u8_at(self.b(), 6))
    }

    pub fn hop_limit(&self) -> u8 {
        u8_at(self.b(), 7)
    }

    pub fn src(&self) -> [u8; 16] {
        array(self.b(), 8)
    }

    pub fn dst(&self) -> [u8; 16] {
        array(self.b(), 24)
    }

    /// The bytes after the fixed header, up to the payload length.
    pub fn payload(&self) -> &[u8] {
        range(
            self.b(),
            HEADER_LEN,
            HEADER_LEN + usize::from(self.payload_len()),
        )
    }

    /// The extension headers from the first next header on.
    pub fn ext_headers(&self) -> ExtHeaders<'_> {
        ExtHeaders::new(self.next_header(), self.payload())
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Ipv6Packet<T> {
    fn bm(&mut self) -> &mut [u8] {
        self.buffer.as_mut()
    }

    pub fn set_traffic_class(&mut self, tc: u8) {
        let w = be32(self.b(), 0);
        set_be32(self.bm(), 0, (w & !0x0ff0_0000) | (u32::from(tc) << 20));
    }

    pub fn set_flow_label(&mut self, label: u32) {
        let w = be32(self.b(), 0);
        set_be32(
            self.bm(),
            0,
            (w & !FLOW_LABEL_MASK) | (label & FLOW_LABEL_MASK),
        );
    }

    pub fn set_payload_len(&mut self, len: u16) {
        set_be16(self.bm(), 4, len);
    }

    pub fn set_next_header(&mut self, next: IpProtocol) {
        set_u8(self.bm(), 6, next.0);
    }

    pub fn set_hop_limit(&mut self, hop_limit: u8) {
        set_u8(self.bm(), 7, hop_limit);
    }

    pub fn set_src(&mut self, addr: [u8; 16]) {
        set_array(self.bm(), 8, addr);
    }

    pub fn set_dst(&mut self, addr: [u8; 16]) {
        set_array(self.bm(), 24, addr);
    }

    pub fn payload_mut(&mut self) -> &mut [u8] {
        let to = HEADER_LEN + usize::from(self.payload_len());
        range_mut(self.bm(), HEADER_LEN, to)
    }
}

/// Every extension header is at least this long, and holds its next
/// header and length in its first two bytes.
pub const EXT_HEADER_MIN_LEN: usize = 8;

/// A view of a hop-by-hop, routing or destination options header: next
/// header, length in 8-byte units not counting the first, then data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExtHeader<T> {
    buffer: T,
}

impl<T: AsRef<[u8]>> ExtHeader<T> {
    /// A view over `buffer`, which must hold the whole header its length
    /// byte announces.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let b = buffer.as_ref();
        if b.len() < EXT_HEADER_MIN_LEN || b.len() < (usize::from(u8_at(b, 1)) + 1) * 8 {
            return Err(Error::Truncated);
        }
        Ok(ExtHeader { buffer })
    }

    pub fn next_header(&self) -> IpProtocol {
        IpProtocol(u8_at(self.buffer.as_ref(), 0))
    }

    /// The whole header's length in bytes.
    pub fn header_len(&self) -> usize {
        (usize::from(u8_at(self.buffer.as_ref(), 1)) + 1) * 8
    }

    /// The bytes after next-header and length: TLV options for hop-by-hop
    /// and destination options; type, segments left and data for routing.
    pub fn data(&self) -> &[u8] {
        range(self.buffer.as_ref(), 2, self.header_len())
    }

    /// Routing header only: the routing type.
    pub fn routing_type(&self) -> u8 {
        u8_at(self.buffer.as_ref(), 2)
    }

    /// Routing header only: segments left.
    pub fn segments_left(&self) -> u8 {
        u8_at(self.buffer.as_ref(), 3)
    }

    pub fn payload(&self) -> &[u8] {
        rest(self.buffer.as_ref(), self.header_len())
    }
}

/// Bytes of a fragment header.
pub const FRAGMENT_HEADER_LEN: usize = 8;
/// The fragment offset bits (in 8-byte units, shifted left 3) of the
/// offset/flags word.
pub const FRAG_OFFSET_MASK: u16 = 0xfff8;
/// The M (more fragments) flag of the offset/flags word.
pub const FRAG_MORE: u16 = 0x0001;

/// A view of a fragment header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FragmentHeader<T> {
    buffer: T,
}

impl<T: AsRef<[u8]>> FragmentHeader<T> {
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        if buffer.as_ref().len() < FRAGMENT_HEADER_LEN {
            return Err(Error::Truncated);
        }
        Ok(FragmentHeader { buffer })
    }

    pub fn next_header(&self) -> IpProtocol {
        IpProtocol(u8_at(self.buffer.as_ref(), 0))
    }

    /// Offset, reserved bits and M flag as on the wire.
    pub fn offset_flags(&self) -> u16 {
        be16(self.buffer.as_ref(), 2)
    }

    /// Fragment offset in 8-byte units.
    pub fn frag_offset(&self) -> u16 {
        self.offset_flags() >> 3
    }

    pub fn more_fragments(&self) -> bool {
        self.offset_flags() & FRAG_MORE != 0
    }

    pub fn ident(&self) -> u32 {
        be32(self.buffer.as_ref(), 4)
    }

    pub fn payload(&self) -> &[u8] {
        rest(self.buffer.as_ref(), FRAGMENT_HEADER_LEN)
    }
}

/// Bytes of the fixed part of an authentication header.
pub const AUTH_HEADER_MIN_LEN: usize = 12;

/// A view of an authentication header (RFC 4302), whose length counts
/// 4-byte units minus 2 rather than 8-byte units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuthHeader<T> {
    buffer: T,
}

impl<T: AsRef<[u8]>> AuthHeader<T> {
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let b = buffer.as_ref();
        let len = (usize::from(u8_at(b, 1)) + 2) * 4;
        if b.len() < AUTH_HEADER_MIN_LEN || b.len() < len {
            return Err(Error::Truncated);
        }
        Ok(AuthHeader { buffer })
    }

    pub fn next_header(&self) -> IpProtocol {
        IpProtocol(u8_at(self.buffer.as_ref(), 0))
    }

    pub fn header_len(&self) -> usize {
        (usize::from(u8_at(self.buffer.as_ref(), 1)) + 2) * 4
    }

    pub fn spi(&self) -> u32 {
        be32(self.buffer.as_ref(), 4)
    }

    pub fn sequence(&self) -> u32 {
        be32(self.buffer.as_ref(), 8)
    }

    pub fn icv(&self) -> &[u8] {
        range(self.buffer.as_ref(), AUTH_HEADER_MIN_LEN, self.header_len())
    }

    pub fn payload(&self) -> &[u8] {
        rest(self.buffer.as_ref(), self.header_len())
    }
}

/// One extension header met on the way to the transport header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExtHeaderRef<'a> {
    /// Which header this is (the previous header's next-header value).
    pub protocol: IpProtocol,
    /// The header's bytes, whole.
    pub bytes: &'a [u8],
}

/// Walks the extension headers of an IPv6 payload in order. The walk
/// stops before the first header that is not an extension header; then
/// [`ExtHeaders::next_header`] and [`ExtHeaders::remaining`] name it and
/// hold its bytes. A header cut short yields `Err(Truncated)` once and
/// ends the walk. A fragment header with a nonzero offset also ends the
/// walk after it is yielded: what follows it is the middle of some other
/// header, not a header.
#[derive(Clone, Debug)]
pub struct ExtHeaders<'a> {
    next: IpProtocol,
    data: &'a [u8],
    done: bool,
}

impl<'a> ExtHeaders<'a> {
    /// A walk over `data`, which starts with a header of type `first`.
    pub fn new(first: IpProtocol, data: &'a [u8]) -> Self {
        ExtHeaders {
            next: first,
            data,
            done: false,
        }
    }

    /// The type of the header at [`Self::remaining`].
    pub fn next_header(&self) -> IpProtocol {
        self.next
    }

    /// The bytes not yet walked past.
    pub fn remaining(&self) -> &'a [u8] {
        self.data
    }
}

impl<'a> Iterator for ExtHeaders<'a> {
    type Item = Result<ExtHeaderRef<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || !self.next.is_ipv6_extension() {
            return None;
        }
        let protocol = self.next;
        let len = match protocol {
            IpProtocol::FRAGMENT => Some(FRAGMENT_HEADER_LEN),
            IpProtocol::AH => self
                .data
                .get(1)
                .map(|l| (usize::from(*l) + 2) * 4)
                .filter(|l| *l >= AUTH_HEADER_MIN_LEN),
            _ => self.data.get(1).map(|l| (usize::from(*l) + 1) * 8),
        };
        let Some((bytes, rest)) = len
            .filter(|l| *l <= self.data.len())
            .map(|l| self.data.split_at(l))
        else {
            self.done = true;
            return Some(Err(Error::Truncated));
        };
        self.next = IpProtocol(u8_at(bytes, 0));
        self.data = rest;
        if protocol == IpProtocol::FRAGMENT && be16(bytes, 2) & FRAG_OFFSET_MASK != 0 {
            self.done = true;
        }
        Some(Ok(ExtHeaderRef { protocol, bytes }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// TCP in IPv6 behind hop-by-hop (PadN), routing (type 4, one
    /// segment), a first fragment and destination options (PadN), from
    /// 2001:db8::1 to 2001:db8::2, then 4 bytes of would-be TCP.
    fn packet() -> Vec<u8> {
        let mut p = vec![
            0x6b, 0x81, 0x23, 0x45, // v6, tc 0xb8, label 0x12345
            0x00, 0x00, 0x00, 0x40, // payload len (patched), hbh, hop limit 64
        ];
        let mut src = [0u8; 16];
        src[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
        let mut dst = src;
        src[15] = 1;
        dst[15] = 2;
        p.extend_from_slice(&src);
        p.extend_from_slice(&dst);
        p.extend_from_slice(&[43, 0, 1, 4, 0, 0, 0, 0]); // hbh -> routing
        p.extend_from_slice(&[44, 2, 4, 1]); // routing -> fragment, 24 bytes
        p.extend_from_slice(&[0; 4]);
        p.extend_from_slice(&[0xfe; 16]);
        p.extend_from_slice(&[60, 0, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef]); // first frag, M
        p.extend_from_slice(&[6, 0, 1, 4, 0, 0, 0, 0]); // dst opts -> TCP
        p.extend_from_slice(&[0x12, 0x34, 0x56, 0x78]);
        let plen = (p.len() - HEADER_LEN) as u16;
        p[4..6].copy_from_slice(&plen.to_be_bytes());
        p
    }

    #[test]
    fn parse_header_and_walk() {
        let bytes = packet();
        let ip = Ipv6Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(ip.version(), 6);
        assert_eq!(ip.traffic_class(), 0xb8);
        assert_eq!(ip.flow_label(), 0x12345);
        assert_eq!(ip.hop_limit(), 64);
        assert_eq!(ip.next_header(), IpProtocol::HOPOPTS);
        assert_eq!(ip.src()[15], 1);
        assert_eq!(ip.dst()[15], 2);
        let mut walk = ip.ext_headers();
        let kinds: Vec<_> = walk
            .by_ref()
            .map(|h| h.map(|h| (h.protocol, h.bytes.len())))
            .collect();
        assert_eq!(
            kinds,
            vec![
                Ok((IpProtocol::HOPOPTS, 8)),
                Ok((IpProtocol::ROUTING, 24)),
                Ok((IpProtocol::FRAGMENT, 8)),
                Ok((IpProtocol::DSTOPTS, 8)),
            ]
        );
        assert_eq!(walk.next_header(), IpProtocol::TCP);
        assert_eq!(walk.remaining(), &[0x12, 0x34, 0x56, 0x78]);

        let routing = ExtHeader::new_checked(&bytes[48..]).unwrap();
        assert_eq!(routing.next_header(), IpProtocol::FRAGMENT);
        assert_eq!(routing.header_len(), 24);
        assert_eq!((routing.routing_type(), routing.segments_left()), (4, 1));
        let frag = FragmentHeader::new_checked(routing.payload()).unwrap();
        assert_eq!(frag.next_header(), IpProtocol::DSTOPTS);
        assert_eq!(frag.frag_offset(), 0);
        assert!(frag.more_fragments());
        assert_eq!(frag.ident(), 0xdead_beef);
    }

    #[test]
    fn setters_round_trip() {
        let mut bytes = packet();
        let orig = bytes.clone();
        let mut ip = Ipv6Packet::new_checked(&mut bytes[..]).unwrap();
        ip.set_traffic_class(0x01);
        ip.set_flow_label(0xfffff);
        ip.set_hop_limit(1);
        ip.set_src([9; 16]);
        assert_eq!(ip.traffic_class(), 1);
        assert_eq!(ip.flow_label(), 0xfffff);
        assert_eq!(ip.version(), 6);
        ip.set_traffic_class(0xb8);
        ip.set_flow_label(0x12345);
        ip.set_hop_limit(64);
        let mut src = [0u8; 16];
        src[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
        src[15] = 1;
        ip.set_src(src);
        assert_eq!(bytes, orig);
    }

    #[test]
    fn truncation() {
        let bytes = packet();
        assert_eq!(
            Ipv6Packet::new_checked(&bytes[..bytes.len() - 1]),
            Err(Error::Truncated)
        );
        // Cut inside the routing header: the walk reports it once.
        let walk = ExtHeaders::new(IpProtocol::HOPOPTS, &bytes[40..60]);
        let got: Vec<_> = walk.map(|h| h.map(|h| h.protocol)).collect();
        assert_eq!(got, vec![Ok(IpProtocol::HOPOPTS), Err(Error::Truncated)]);
        // A later fragment ends the walk after the fragment header.
        let later = [6u8, 0, 0x00, 0x08, 0, 0, 0, 1, 0xff];
        let mut walk = ExtHeaders::new(IpProtocol::FRAGMENT, &later);
        assert!(walk.next().is_some_and(|h| h.is_ok()));
        assert_eq!(walk.next(), None);
        assert_eq!(walk.next_header(), IpProtocol::TCP);
        // AH lengths count 4-byte units.
        let ah = [17u8, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2];
        let h = AuthHeader::new_checked(&ah[..]).unwrap();
        assert_eq!((h.header_len(), h.spi(), h.sequence()), (12, 1, 2));
        let mut walk = ExtHeaders::new(IpProtocol::AH, &ah);
        assert_eq!(walk.next().map(|h| h.map(|h| h.bytes.len())), Some(Ok(12)));
        assert_eq!(walk.next_header(), IpProtocol::UDP);
        assert_eq!(ExtHeader::new_checked(&[0u8; 7][..]), Err(Error::Truncated));
        assert_eq!(
            ExtHeader::new_checked(&[0u8, 1, 0, 0, 0, 0, 0, 0][..]),
            Err(Error::Truncated)
        );
    }
}
