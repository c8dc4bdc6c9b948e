//! Bit ranges within big-endian byte strings, numbered from the least
//! significant bit of the last byte (OVS's `bitwise_*` helpers).

/// Reads bit `i` (0 = LSB of the last byte); bits outside read as 0.
fn get_bit(bytes: &[u8], i: usize) -> bool {
    let n = bytes.len();
    if i >= n * 8 {
        return false;
    }
    bytes
        .get(n - 1 - i / 8)
        .is_some_and(|b| b & (1 << (i % 8)) != 0)
}

fn set_bit(bytes: &mut [u8], i: usize, v: bool) {
    let n = bytes.len();
    if i >= n * 8 {
        return;
    }
    if let Some(b) = bytes.get_mut(n - 1 - i / 8) {
        if v {
            *b |= 1 << (i % 8);
        } else {
            *b &= !(1 << (i % 8));
        }
    }
}

/// Writes the low `n_bits` (at most 64) of `value` at bit offset `ofs`.
pub(crate) fn put(value: u64, dst: &mut [u8], ofs: usize, n_bits: usize) {
    for k in 0..n_bits.min(64) {
        set_bit(dst, ofs + k, (value >> k) & 1 != 0);
    }
}

/// Reads `n_bits` (at most 64) bits at offset `ofs`.
pub(crate) fn get(src: &[u8], ofs: usize, n_bits: usize) -> u64 {
    let mut v = 0u64;
    for k in 0..n_bits.min(64) {
        if get_bit(src, ofs + k) {
            v |= 1 << k;
        }
    }
    v
}

/// Sets `n_bits` bits at offset `ofs` to 1.
pub(crate) fn one(dst: &mut [u8], ofs: usize, n_bits: usize) {
    for k in 0..n_bits {
        set_bit(dst, ofs + k, true);
    }
}

/// Copies `n_bits` bits from `src` at `src_ofs` to `dst` at `dst_ofs`.
pub(crate) fn copy(src: &[u8], src_ofs: usize, dst: &mut [u8], dst_ofs: usize, n_bits: usize) {
    for k in 0..n_bits {
        set_bit(dst, dst_ofs + k, get_bit(src, src_ofs + k));
    }
}

/// The first bit index in `start..end` whose value is `target`, or `end`.
pub(crate) fn scan(bytes: &[u8], target: bool, start: usize, end: usize) -> usize {
    (start..end)
        .find(|&i| get_bit(bytes, i) == target)
        .unwrap_or(end)
}

pub(crate) fn all_ones(bytes: &[u8]) -> bool {
    bytes.iter().all(|b| *b == 0xff)
}

pub(crate) fn all_zeros(bytes: &[u8]) -> bool {
    bytes.iter().all(|b| *b == 0)
}

/// Big-endian reads at fixed offsets of a slice whose length was already
/// validated; out-of-range reads yield 0 rather than panicking.
pub(crate) fn be16(b: &[u8], ofs: usize) -> u16 {
    match b.get(ofs..ofs + 2) {
        Some(s) => u16::from_be_bytes([s[0], s[1]]),
        None => 0,
    }
}

pub(crate) fn be32(b: &[u8], ofs: usize) -> u32 {
    match b.get(ofs..ofs + 4) {
        Some(s) => u32::from_be_bytes([s[0], s[1], s[2], s[3]]),
        None => 0,
    }
}

pub(crate) fn be64(b: &[u8], ofs: usize) -> u64 {
    match b.get(ofs..ofs + 8) {
        Some(s) => u64::from_be_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]]),
        None => 0,
    }
}

pub(crate) fn byte(b: &[u8], ofs: usize) -> u8 {
    b.get(ofs).copied().unwrap_or(0)
}

/// Big-endian stores into a fixed buffer; out-of-range stores are ignored.
pub(crate) fn set8(b: &mut [u8], ofs: usize, v: u8) {
    if let Some(d) = b.get_mut(ofs) {
        *d = v;
    }
}

pub(crate) fn set_bytes(b: &mut [u8], ofs: usize, v: &[u8]) {
    if let Some(d) = b.get_mut(ofs..ofs + v.len()) {
        d.copy_from_slice(v);
    }
}

pub(crate) fn set16(b: &mut [u8], ofs: usize, v: u16) {
    set_bytes(b, ofs, &v.to_be_bytes());
}

pub(crate) fn set32(b: &mut [u8], ofs: usize, v: u32) {
    set_bytes(b, ofs, &v.to_be_bytes());
}

pub(crate) fn set64(b: &mut [u8], ofs: usize, v: u64) {
    set_bytes(b, ofs, &v.to_be_bytes());
}

/// `len` bytes at `ofs`, or as many as exist.
pub(crate) fn slice(b: &[u8], ofs: usize, len: usize) -> &[u8] {
    let end = ofs.saturating_add(len).min(b.len());
    b.get(ofs.min(end)..end).unwrap_or(&[])
}

/// Bytes from `ofs` to the end.
pub(crate) fn tail(b: &[u8], ofs: usize) -> &[u8] {
    b.get(ofs..).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_get_scan() {
        let mut b = [0u8; 4];
        put(0x5, &mut b, 4, 3);
        assert_eq!(b, [0, 0, 0, 0x50]);
        assert_eq!(get(&b, 4, 3), 5);
        one(&mut b, 8, 8);
        assert_eq!(b, [0, 0, 0xff, 0x50]);
        assert_eq!(scan(&b, true, 0, 32), 4);
        assert_eq!(scan(&b, false, 8, 32), 16);
        let mut c = [0u8; 2];
        copy(&b, 8, &mut c, 4, 8);
        assert_eq!(c, [0x0f, 0xf0]);
        // Out of range is ignored, never a panic.
        put(1, &mut c, 100, 1);
        assert_eq!(get(&c, 100, 64), 0);
        assert_eq!(be32(&c, 1), 0);
        assert_eq!(slice(&c, 1, 10), &[0xf0]);
    }
}
