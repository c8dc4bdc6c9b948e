//! TCP headers and their options.

use crate::Error;
use crate::checksum;
use crate::field::{be16, be32, range, rest, set_be16, set_be32, u8_at};

/// Bytes of a TCP header without options.
pub const HEADER_LEN: usize = 20;

/// The flag bits as OVS's `tcp_flags` field holds them (the low 12 bits
/// of the data-offset/flags word).
pub mod flags {
    pub const FIN: u16 = 0x001;
    pub const SYN: u16 = 0x002;
    pub const RST: u16 = 0x004;
    pub const PSH: u16 = 0x008;
    pub const ACK: u16 = 0x010;
    pub const URG: u16 = 0x020;
    pub const ECE: u16 = 0x040;
    pub const CWR: u16 = 0x080;
    pub const NS: u16 = 0x100;
    /// Every bit the field can hold, the 3 reserved ones included.
    pub const MASK: u16 = 0x0fff;
}

/// A view of a TCP segment. `new_checked` applies OVS's checks: the fixed
/// header fits, and the data offset is at least 5 words and within the
/// buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpPacket<T> {
    buffer: T,
}

impl<T: AsRef<[u8]>> TcpPacket<T> {
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let b = buffer.as_ref();
        if b.len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        let header_len = usize::from(u8_at(b, 12) >> 4) * 4;
        if header_len < HEADER_LEN {
            return Err(Error::Malformed);
        }
        if header_len > b.len() {
            return Err(Error::Truncated);
        }
        Ok(TcpPacket { buffer })
    }

    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    pub fn src_port(&self) -> u16 {
        be16(self.b(), 0)
    }

    pub fn dst_port(&self) -> u16 {
        be16(self.b(), 2)
    }

    pub fn seq_number(&self) -> u32 {
        be32(self.b(), 4)
    }

    pub fn ack_number(&self) -> u32 {
        be32(self.b(), 8)
    }

    /// Header length in bytes (data offset * 4).
    pub fn header_len(&self) -> usize {
        usize::from(u8_at(self.b(), 12) >> 4) * 4
    }

    /// The 12 flag bits (see [`flags`]).
    pub fn flags(&self) -> u16 {
        be16(self.b(), 12) & flags::MASK
    }

    pub fn window(&self) -> u16 {
        be16(self.b(), 14)
    }

    pub fn checksum(&self) -> u16 {
        be16(self.b(), 16)
    }

    pub fn urgent_pointer(&self) -> u16 {
        be16(self.b(), 18)
    }

    pub fn options(&self) -> &[u8] {
        range(self.b(), HEADER_LEN, self.header_len())
    }

    pub fn option_iter(&self) -> TcpOptions<'_> {
        TcpOptions {
            data: self.options(),
        }
    }

    pub fn payload(&self) -> &[u8] {
        rest(self.b(), self.header_len())
    }

    /// True if the checksum over the whole buffer (header and payload) and
    /// a pseudo-header sum (see [`crate::checksum`]) is right.
    pub fn verify_checksum(&self, pseudo_header: u16) -> bool {
        checksum::combine(pseudo_header, checksum::sum(self.b())) == 0xffff
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> TcpPacket<T> {
    fn bm(&mut self) -> &mut [u8] {
        self.buffer.as_mut()
    }

    pub fn set_src_port(&mut self, port: u16) {
        set_be16(self.bm(), 0, port);
    }

    pub fn set_dst_port(&mut self, port: u16) {
        set_be16(self.bm(), 2, port);
    }

    pub fn set_seq_number(&mut self, seq: u32) {
        set_be32(self.bm(), 4, seq);
    }

    pub fn set_ack_number(&mut self, ack: u32) {
        set_be32(self.bm(), 8, ack);
    }

    /// Sets the 12 flag bits, keeping the data offset.
    pub fn set_flags(&mut self, value: u16) {
        let w = be16(self.b(), 12);
        set_be16(self.bm(), 12, (w & !flags::MASK) | (value & flags::MASK));
    }

    pub fn set_window(&mut self, window: u16) {
        set_be16(self.bm(), 14, window);
    }

    pub fn set_checksum(&mut self, checksum: u16) {
        set_be16(self.bm(), 16, checksum);
    }

    /// Recomputes the checksum over the whole buffer and a pseudo-header
    /// sum.
    pub fn fill_checksum(&mut self, pseudo_header: u16) {
        self.set_checksum(0);
        let c = !checksum::combine(pseudo_header, checksum::sum(self.b()));
        self.set_checksum(c);
    }
}

/// Option kind: end of the option list.
pub const OPT_END: u8 = 0;
/// Option kind: one byte of padding.
pub const OPT_NOP: u8 = 1;
pub const OPT_MSS: u8 = 2;
pub const OPT_WINDOW_SCALE: u8 = 3;
pub const OPT_SACK_PERMITTED: u8 = 4;
pub const OPT_SACK: u8 = 5;
pub const OPT_TIMESTAMPS: u8 = 8;

/// One TCP option: its kind and the bytes after its length byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpOption<'a> {
    pub kind: u8,
    pub data: &'a [u8],
}

/// The options of a TCP header, as [`crate::ipv4::Ipv4Options`] walks
/// IPv4's: END stops, a bad length yields one `Err(Malformed)`.
#[derive(Clone, Debug)]
pub struct TcpOptions<'a> {
    data: &'a [u8],
}

impl<'a> TcpOptions<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        TcpOptions { data }
    }
}

impl<'a> Iterator for TcpOptions<'a> {
    type Item = Result<TcpOption<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        crate::ipv4::next_option(&mut self.data)
            .map(|r| r.map(|(kind, data)| TcpOption { kind, data }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A SYN from port 40000 to 80 with MSS 1460, SACK permitted,
    /// timestamps, NOP and window scale 7, between 10.0.0.1 and 10.0.0.2,
    /// checksum filled by Linux.
    static SYN: [u8; 40] = [
        0x9c, 0x40, 0x00, 0x50, 0x11, 0x22, 0x33, 0x44, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa,
        0xf0, 0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x01,
        0x02, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
    ];

    #[test]
    fn parse_every_field() {
        let tcp = TcpPacket::new_checked(&SYN[..]).unwrap();
        assert_eq!(tcp.src_port(), 40000);
        assert_eq!(tcp.dst_port(), 80);
        assert_eq!(tcp.seq_number(), 0x1122_3344);
        assert_eq!(tcp.ack_number(), 0);
        assert_eq!(tcp.header_len(), 40);
        assert_eq!(tcp.flags(), flags::SYN);
        assert_eq!(tcp.window(), 64240);
        assert_eq!(tcp.urgent_pointer(), 0);
        assert_eq!(tcp.payload(), &[] as &[u8]);
        let opts: Vec<_> = tcp
            .option_iter()
            .map(|o| o.map(|o| (o.kind, o.data.len())))
            .collect();
        assert_eq!(
            opts,
            vec![
                Ok((OPT_MSS, 2)),
                Ok((OPT_SACK_PERMITTED, 0)),
                Ok((OPT_TIMESTAMPS, 8)),
                Ok((OPT_NOP, 0)),
                Ok((OPT_WINDOW_SCALE, 1)),
            ]
        );
    }

    #[test]
    fn checksum_and_setters() {
        let mut seg = SYN;
        let ph = checksum::pseudo_header_ipv4([10, 0, 0, 1], [10, 0, 0, 2], 6, 40);
        let mut tcp = TcpPacket::new_checked(&mut seg[..]).unwrap();
        tcp.fill_checksum(ph);
        assert!(tcp.verify_checksum(ph));
        let before = tcp.checksum();
        tcp.set_dst_port(8080);
        let c = checksum::update16(before, 80, 8080);
        tcp.set_checksum(c);
        assert!(tcp.verify_checksum(ph));
        tcp.set_flags(flags::SYN | flags::ACK | 0xf000);
        assert_eq!(tcp.flags(), 0x012);
        assert_eq!(tcp.header_len(), 40);
    }

    #[test]
    fn bad_offsets() {
        let mut seg = SYN;
        seg[12] = 0x40;
        assert_eq!(TcpPacket::new_checked(&seg[..]), Err(Error::Malformed));
        seg[12] = 0xb0;
        assert_eq!(TcpPacket::new_checked(&seg[..]), Err(Error::Truncated));
        assert_eq!(TcpPacket::new_checked(&SYN[..19]), Err(Error::Truncated));
        let bad: Vec<_> = TcpOptions::new(&[OPT_MSS, 9, 0]).collect();
        assert_eq!(bad, vec![Err(Error::Malformed)]);
    }
}
