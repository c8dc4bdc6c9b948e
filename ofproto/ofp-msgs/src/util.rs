//! Small helpers shared by the message families.

use ovs_ofp_core::{OfpErr, OfpPort, Reader, Writer};

/// Reading past the end of a body whose length the header already
/// validated: OVS answers `OFPBRC_BAD_LEN`.
pub(crate) fn short<T>(_: T) -> OfpErr {
    OfpErr::OfpbrcBadLen
}

/// A 32-bit OpenFlow 1.1+ port as OVS's 16-bit port; numbers with no 16-bit
/// equivalent are `OFPBAC_BAD_OUT_PORT` (OVS's `ofputil_port_from_ofp11`).
pub(crate) fn port_from_of11(p: u32) -> Result<OfpPort, OfpErr> {
    OfpPort::from_of11(p).ok_or(OfpErr::OfpbacBadOutPort)
}

/// `OFPP_ANY` (OpenFlow 1.0's `OFPP_NONE`) in OVS's 16-bit numbering.
pub const OFPP_ANY: OfpPort = OfpPort::NONE;
/// `OFPG_ANY`: no group.
pub const OFPG_ANY: u32 = 0xffff_ffff;
/// `OFPG_ALL`: every group.
pub const OFPG_ALL: u32 = 0xffff_fffc;
/// `OFPTT_ALL`: every table.
pub const OFPTT_ALL: u8 = 0xff;
/// `OFPQ_ALL`: every queue.
pub const OFPQ_ALL: u32 = 0xffff_ffff;
/// `OFPM_ALL`: every meter.
pub const OFPM_ALL: u32 = 0xffff_ffff;
/// No buffered packet.
pub const NO_BUFFER: u32 = 0xffff_ffff;

/// A NUL-terminated name in a fixed field, as OVS reads it
/// (`ovs_strlcpy_arrays`: at most `len - 1` bytes, up to the first NUL).
pub(crate) fn get_name(r: &mut Reader<'_>, len: usize) -> Result<String, OfpErr> {
    let raw = r.take(len).map_err(short)?;
    let limit = len.saturating_sub(1);
    let end = raw
        .iter()
        .take(limit)
        .position(|b| *b == 0)
        .unwrap_or(limit);
    Ok(String::from_utf8_lossy(&raw[..end]).into_owned())
}

/// Writes `name` into a fixed field of `len` bytes, truncated so a NUL
/// always ends it.
pub(crate) fn put_name(w: &mut Writer, name: &str, len: usize) {
    let n = truncated_len(name, len.saturating_sub(1));
    w.bytes(&name.as_bytes()[..n]);
    w.zeros(len - n);
}

/// The length of the longest prefix of `s` of at most `max` bytes that ends
/// on a character boundary, so that a truncated name reads back the same.
pub(crate) fn truncated_len(s: &str, max: usize) -> usize {
    let mut n = s.len().min(max);
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    n
}

/// A name as it survives being written into a fixed field of `len` bytes
/// and read back.
pub fn normalize_name(name: &str, len: usize) -> String {
    let mut w = Writer::new();
    put_name(&mut w, name, len);
    get_name(&mut Reader::new(w.as_slice()), len).unwrap_or_default()
}

/// Reads a 6-byte Ethernet address.
pub(crate) fn get_mac(r: &mut Reader<'_>) -> Result<[u8; 6], OfpErr> {
    r.array::<6>().map_err(short)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let mut w = Writer::new();
        put_name(&mut w, "a-very-long-port-name", 16);
        assert_eq!(w.len(), 16);
        let n = get_name(&mut Reader::new(w.as_slice()), 16).unwrap();
        assert_eq!(n, "a-very-long-por");
        assert_eq!(normalize_name("br0", 16), "br0");
    }
}
