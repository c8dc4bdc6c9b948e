//! Bounds-checked big-endian access at byte offsets. Every read of a header
//! that may be cut short goes through these, so a lying header can only
//! make an action skip, never panic.

pub(crate) fn array<const N: usize>(buf: &[u8], at: usize) -> Option<[u8; N]> {
    let src = buf.get(at..at.checked_add(N)?)?;
    let mut out = [0u8; N];
    out.copy_from_slice(src);
    Some(out)
}

pub(crate) fn be16(buf: &[u8], at: usize) -> Option<u16> {
    array(buf, at).map(u16::from_be_bytes)
}

pub(crate) fn be32(buf: &[u8], at: usize) -> Option<u32> {
    array(buf, at).map(u32::from_be_bytes)
}

/// Writes `value` at `at` if it fits; returns whether it did.
pub(crate) fn put<const N: usize>(buf: &mut [u8], at: usize, value: [u8; N]) -> bool {
    match at.checked_add(N).and_then(|end| buf.get_mut(at..end)) {
        Some(dst) => {
            dst.copy_from_slice(&value);
            true
        }
        None => false,
    }
}

pub(crate) fn put_be16(buf: &mut [u8], at: usize, value: u16) -> bool {
    put(buf, at, value.to_be_bytes())
}

pub(crate) fn put_be32(buf: &mut [u8], at: usize, value: u32) -> bool {
    put(buf, at, value.to_be_bytes())
}

/// `key | (old & !mask)` byte by byte: OVS's masked write, where the key
/// arrives already masked.
pub(crate) fn masked<const N: usize>(old: [u8; N], key: [u8; N], mask: [u8; N]) -> [u8; N] {
    let mut out = [0u8; N];
    for i in 0..N {
        out[i] = key[i] | (old[i] & !mask[i]);
    }
    out
}
