//! ICMPv6 messages and the neighbour discovery messages a switch matches
//! on (neighbour solicitation and advertisement, with their link-layer
//! address options).

use crate::Error;
use crate::checksum;
use crate::field::{array, be16, be32, rest, set_array, set_be16, set_u8, u8_at};

/// Bytes of the ICMPv6 header: type, code, checksum and 4 bytes whose
/// meaning depends on the type.
pub const HEADER_LEN: usize = 8;

pub const DEST_UNREACHABLE: u8 = 1;
pub const PACKET_TOO_BIG: u8 = 2;
pub const TIME_EXCEEDED: u8 = 3;
pub const PARAM_PROBLEM: u8 = 4;
pub const ECHO_REQUEST: u8 = 128;
pub const ECHO_REPLY: u8 = 129;
pub const MLD_QUERY: u8 = 130;
pub const MLD_REPORT: u8 = 131;
pub const MLD_DONE: u8 = 132;
pub const ROUTER_SOLICIT: u8 = 133;
pub const ROUTER_ADVERT: u8 = 134;
pub const NEIGHBOR_SOLICIT: u8 = 135;
pub const NEIGHBOR_ADVERT: u8 = 136;
pub const REDIRECT: u8 = 137;
pub const MLD2_REPORT: u8 = 143;

/// A view of an ICMPv6 message (the checksum covers the whole buffer and
/// the IPv6 pseudo-header).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Icmpv6Packet<T> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Icmpv6Packet<T> {
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        if buffer.as_ref().len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        Ok(Icmpv6Packet { buffer })
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

    /// The 4 type-specific bytes after the checksum (for a neighbour
    /// advertisement, the R/S/O flags and reserved bits).
    pub fn data(&self) -> u32 {
        be32(self.buffer.as_ref(), 4)
    }

    pub fn payload(&self) -> &[u8] {
        rest(self.buffer.as_ref(), HEADER_LEN)
    }

    /// True if the checksum over the buffer and the pseudo-header sum
    /// ([`checksum::pseudo_header_ipv6`]) is right.
    pub fn verify_checksum(&self, pseudo_header: u16) -> bool {
        checksum::combine(pseudo_header, checksum::sum(self.buffer.as_ref())) == 0xffff
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Icmpv6Packet<T> {
    pub fn set_msg_type(&mut self, t: u8) {
        set_u8(self.buffer.as_mut(), 0, t);
    }

    pub fn set_code(&mut self, code: u8) {
        set_u8(self.buffer.as_mut(), 1, code);
    }

    pub fn set_checksum(&mut self, c: u16) {
        set_be16(self.buffer.as_mut(), 2, c);
    }

    pub fn fill_checksum(&mut self, pseudo_header: u16) {
        self.set_checksum(0);
        let c = !checksum::combine(pseudo_header, checksum::sum(self.buffer.as_ref()));
        self.set_checksum(c);
    }
}

/// Bytes of a neighbour solicitation or advertisement before its options:
/// the ICMPv6 header and the target address.
pub const ND_HEADER_LEN: usize = 24;
/// Neighbour advertisement flag: sent by a router.
pub const ND_FLAG_ROUTER: u32 = 0x8000_0000;
/// Neighbour advertisement flag: answers a solicitation.
pub const ND_FLAG_SOLICITED: u32 = 0x4000_0000;
/// Neighbour advertisement flag: override cached entries.
pub const ND_FLAG_OVERRIDE: u32 = 0x2000_0000;

/// Option type: source link-layer address.
pub const ND_OPT_SOURCE_LINKADDR: u8 = 1;
/// Option type: target link-layer address.
pub const ND_OPT_TARGET_LINKADDR: u8 = 2;
pub const ND_OPT_PREFIX_INFO: u8 = 3;
pub const ND_OPT_REDIRECTED_HEADER: u8 = 4;
pub const ND_OPT_MTU: u8 = 5;
/// Options are counted in units of this many bytes.
pub const ND_OPT_UNIT: usize = 8;

/// A view of a neighbour solicitation or advertisement: the ICMPv6 header,
/// the target address, then options. The type is not checked here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NdPacket<T> {
    buffer: T,
}

impl<T: AsRef<[u8]>> NdPacket<T> {
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        if buffer.as_ref().len() < ND_HEADER_LEN {
            return Err(Error::Truncated);
        }
        Ok(NdPacket { buffer })
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

    /// The word after the checksum: reserved in a solicitation, R/S/O
    /// flags and reserved bits in an advertisement (OVS's `nd_reserved`).
    pub fn flags(&self) -> u32 {
        be32(self.buffer.as_ref(), 4)
    }

    pub fn target(&self) -> [u8; 16] {
        array(self.buffer.as_ref(), 8)
    }

    /// The option bytes.
    pub fn options(&self) -> &[u8] {
        rest(self.buffer.as_ref(), ND_HEADER_LEN)
    }

    pub fn option_iter(&self) -> NdOptions<'_> {
        NdOptions::new(self.options())
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> NdPacket<T> {
    pub fn set_flags(&mut self, flags: u32) {
        set_array(self.buffer.as_mut(), 4, flags.to_be_bytes());
    }

    pub fn set_target(&mut self, target: [u8; 16]) {
        set_array(self.buffer.as_mut(), 8, target);
    }

    /// Rewrites the address in the first option of type `kind` that is a
    /// one-unit (Ethernet) link-layer address option. Returns false, and
    /// changes nothing, if there is none before the options end or go bad.
    pub fn set_link_layer_option(&mut self, kind: u8, mac: [u8; 6]) -> bool {
        let mut at = ND_HEADER_LEN;
        let mut found = None;
        for opt in NdOptions::new(self.options()) {
            let Ok(opt) = opt else { break };
            if opt.kind == kind && opt.len == 1 {
                found = Some(at + 2);
                break;
            }
            at += usize::from(opt.len) * ND_OPT_UNIT;
        }
        match found {
            Some(off) => {
                set_array(self.buffer.as_mut(), off, mac);
                true
            }
            None => false,
        }
    }
}

/// One neighbour discovery option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NdOption<'a> {
    pub kind: u8,
    /// Length in 8-byte units, type and length bytes included.
    pub len: u8,
    /// The bytes after type and length.
    pub data: &'a [u8],
}

impl NdOption<'_> {
    /// The Ethernet address of a one-unit link-layer address option.
    pub fn link_layer_addr(&self) -> Option<[u8; 6]> {
        if self.len == 1 && self.data.len() >= 6 {
            Some(array(self.data, 0))
        } else {
            None
        }
    }
}

/// The options of a neighbour discovery message. Fewer than 8 bytes left,
/// a zero length, or a length past the end yields `Err(Malformed)` once
/// and ends the walk.
#[derive(Clone, Debug)]
pub struct NdOptions<'a> {
    data: &'a [u8],
}

impl<'a> NdOptions<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        NdOptions { data }
    }
}

impl<'a> Iterator for NdOptions<'a> {
    type Item = Result<NdOption<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.data.is_empty() {
            return None;
        }
        let len = u8_at(self.data, 1);
        let bytes = usize::from(len) * ND_OPT_UNIT;
        if self.data.len() < ND_OPT_UNIT || len == 0 || bytes > self.data.len() {
            self.data = &[];
            return Some(Err(Error::Malformed));
        }
        let (opt, rest) = self.data.split_at(bytes);
        self.data = rest;
        Some(Ok(NdOption {
            kind: u8_at(opt, 0),
            len,
            data: opt.get(2..).unwrap_or(&[]),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A neighbour advertisement (solicited, override) for fe80::1 with a
    /// target link-layer address option for 00:11:22:33:44:55.
    static ADVERT: [u8; 32] = [
        136, 0, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00, // type, code, csum, S|O
        0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, // target
        2, 1, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, // TLL
    ];

    #[test]
    fn advert() {
        let nd = NdPacket::new_checked(&ADVERT[..]).unwrap();
        assert_eq!((nd.msg_type(), nd.code()), (NEIGHBOR_ADVERT, 0));
        assert_eq!(nd.flags(), ND_FLAG_SOLICITED | ND_FLAG_OVERRIDE);
        assert_eq!(nd.target()[0..2], [0xfe, 0x80]);
        assert_eq!(nd.target()[15], 1);
        let opts: Vec<_> = nd.option_iter().collect();
        assert_eq!(opts.len(), 1);
        let tll = opts[0].unwrap();
        assert_eq!(tll.kind, ND_OPT_TARGET_LINKADDR);
        assert_eq!(
            tll.link_layer_addr(),
            Some([0, 0x11, 0x22, 0x33, 0x44, 0x55])
        );
    }

    #[test]
    fn rewrite_and_checksum() {
        let src = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        let dst = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        let ph = checksum::pseudo_header_ipv6(&src, &dst, 58, 32);
        let mut p = ADVERT;
        let mut m = Icmpv6Packet::new_checked(&mut p[..]).unwrap();
        m.fill_checksum(ph);
        assert!(m.verify_checksum(ph));
        assert_eq!(m.data(), 0x6000_0000);
        let mut nd = NdPacket::new_checked(&mut p[..]).unwrap();
        assert!(nd.set_link_layer_option(ND_OPT_TARGET_LINKADDR, [2; 6]));
        assert!(!nd.set_link_layer_option(ND_OPT_SOURCE_LINKADDR, [2; 6]));
        nd.set_target([3; 16]);
        nd.set_flags(ND_FLAG_ROUTER);
        assert_eq!(&p[26..32], &[2; 6]);
        assert_eq!(&p[8..24], &[3; 16]);
        assert_eq!(&p[4..8], &[0x80, 0, 0, 0]);
        let m = Icmpv6Packet::new_checked(&p[..]).unwrap();
        assert!(!m.verify_checksum(ph));
    }

    #[test]
    fn bad_options() {
        let zero_len = [1u8, 0, 0, 0, 0, 0, 0, 0];
        let got: Vec<_> = NdOptions::new(&zero_len).collect();
        assert_eq!(got, vec![Err(Error::Malformed)]);
        let too_long = [1u8, 2, 0, 0, 0, 0, 0, 0, 9];
        let got: Vec<_> = NdOptions::new(&too_long).collect();
        assert_eq!(got, vec![Err(Error::Malformed)]);
        let trailing = [1u8, 1, 1, 2, 3, 4, 5, 6, 7];
        let got: Vec<_> = NdOptions::new(&trailing).collect();
        assert_eq!(got.len(), 2);
        assert!(got[1].is_err());
        assert_eq!(NdPacket::new_checked(&ADVERT[..23]), Err(Error::Truncated));
    }
}
