//! Big-endian reads and writes at byte offsets that cannot panic.
//!
//! Views only call these inside lengths they have validated, where the
//! fallbacks (zero on read, nothing on write) are unreachable and the
//! compiler drops the checks; the fallbacks exist so that no input can turn
//! a mistake into a panic.

#[inline(always)]
pub(crate) fn array<const N: usize>(buf: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    if let Some(src) = buf.get(at..at.wrapping_add(N)) {
        out.copy_from_slice(src);
    }
    out
}

#[inline(always)]
pub(crate) fn u8_at(buf: &[u8], at: usize) -> u8 {
    buf.get(at).copied().unwrap_or(0)
}

#[inline(always)]
pub(crate) fn be16(buf: &[u8], at: usize) -> u16 {
    u16::from_be_bytes(array(buf, at))
}

#[inline(always)]
pub(crate) fn be32(buf: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(array(buf, at))
}

#[inline(always)]
pub(crate) fn set_array<const N: usize>(buf: &mut [u8], at: usize, value: [u8; N]) {
    if let Some(dst) = buf.get_mut(at..at.wrapping_add(N)) {
        dst.copy_from_slice(&value);
    }
}

#[inline(always)]
pub(crate) fn set_u8(buf: &mut [u8], at: usize, value: u8) {
    if let Some(b) = buf.get_mut(at) {
        *b = value;
    }
}

#[inline(always)]
pub(crate) fn set_be16(buf: &mut [u8], at: usize, value: u16) {
    set_array(buf, at, value.to_be_bytes());
}

#[inline(always)]
pub(crate) fn set_be32(buf: &mut [u8], at: usize, value: u32) {
    set_array(buf, at, value.to_be_bytes());
}

/// `buf[from..]`, or empty.
#[inline(always)]
pub(crate) fn rest(buf: &[u8], from: usize) -> &[u8] {
    buf.get(from..).unwrap_or(&[])
}

/// `buf[from..to]`, or empty.
#[inline(always)]
pub(crate) fn range(buf: &[u8], from: usize, to: usize) -> &[u8] {
    buf.get(from..to).unwrap_or(&[])
}

/// Mutable `buf[from..to]`, or empty.
#[inline(always)]
pub(crate) fn range_mut(buf: &mut [u8], from: usize, to: usize) -> &mut [u8] {
    buf.get_mut(from..to).unwrap_or(&mut [])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_is_harmless() {
        let mut b = [1u8, 2, 3];
        assert_eq!(be16(&b, 1), 0x0203);
        assert_eq!(be16(&b, 2), 0);
        assert_eq!(be32(&b, usize::MAX), 0);
        assert_eq!(u8_at(&b, 3), 0);
        set_be32(&mut b, 1, 0xdead_beef);
        set_be16(&mut b, usize::MAX - 1, 7);
        set_u8(&mut b, 9, 7);
        assert_eq!(b, [1, 2, 3]);
        assert_eq!(rest(&b, 4), &[] as &[u8]);
        assert_eq!(range(&b, 2, 1), &[] as &[u8]);
    }
}
