//! A byte cursor for decoding and a growable buffer for encoding.
//!
//! Variable-length items are read by taking a sub-reader of exactly their
//! declared length, so an item can never run into its neighbour, and a
//! decoder checks `is_empty()` at the end to reject trailing bytes.

/// Decoding ran out of bytes (the item said it was longer than what is left).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Short;

/// A cursor over a byte slice.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0 }
    }

    /// Bytes not yet read.
    pub fn rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or(&[])
    }

    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The next `n` bytes, consumed.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], Short> {
        let end = self.pos.checked_add(n).ok_or(Short)?;
        let s = self.buf.get(self.pos..end).ok_or(Short)?;
        self.pos = end;
        Ok(s)
    }

    /// A reader over the next `n` bytes, which are consumed from this one.
    pub fn sub(&mut self, n: usize) -> Result<Reader<'a>, Short> {
        self.take(n).map(Reader::new)
    }

    /// The next `n` bytes without consuming them.
    pub fn peek(&self, n: usize) -> Result<&'a [u8], Short> {
        let end = self.pos.checked_add(n).ok_or(Short)?;
        self.buf.get(self.pos..end).ok_or(Short)
    }

    pub fn skip(&mut self, n: usize) -> Result<(), Short> {
        self.take(n).map(|_| ())
    }

    pub fn u8(&mut self) -> Result<u8, Short> {
        Ok(self.take(1)?[0])
    }

    pub fn u16(&mut self) -> Result<u16, Short> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    pub fn u32(&mut self) -> Result<u32, Short> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub fn u64(&mut self) -> Result<u64, Short> {
        let b = self.take(8)?;
        Ok(u64::from_be_bytes([
            b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
        ]))
    }

    /// A fixed-size array.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], Short> {
        let b = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(b);
        Ok(out)
    }
}

/// An output buffer with big-endian writers and length back-patching.
#[derive(Clone, Debug, Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    pub fn new() -> Writer {
        Writer::default()
    }

    pub fn with_capacity(n: usize) -> Writer {
        Writer {
            buf: Vec::with_capacity(n),
        }
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    pub fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    pub fn zeros(&mut self, n: usize) {
        self.buf.resize(self.buf.len() + n, 0);
    }

    /// Pads with zeros to a multiple of `align` bytes.
    pub fn pad_to(&mut self, align: usize) {
        let rem = self.buf.len() % align;
        if rem != 0 {
            self.zeros(align - rem);
        }
    }

    /// Overwrites the big-endian u16 at `at` (a length written earlier as a
    /// placeholder). Out-of-range positions are ignored.
    pub fn patch_u16(&mut self, at: usize, v: u16) {
        if let Some(dst) = self.buf.get_mut(at..at + 2) {
            dst.copy_from_slice(&v.to_be_bytes());
        }
    }

    /// Overwrites the big-endian u32 at `at`.
    pub fn patch_u32(&mut self, at: usize, v: u32) {
        if let Some(dst) = self.buf.get_mut(at..at + 4) {
            dst.copy_from_slice(&v.to_be_bytes());
        }
    }

    pub fn as_slice(&self) -> &[u8] {
        &self.buf
    }

    /// Drops everything from `len` on (nothing if shorter).
    pub fn truncate(&mut self, len: usize) {
        self.buf.truncate(len);
    }

    /// Takes everything from `at` on out of the writer (nothing if `at` is
    /// past the end).
    pub fn split_off(&mut self, at: usize) -> Vec<u8> {
        if at >= self.buf.len() {
            return Vec::new();
        }
        self.buf.split_off(at)
    }

    pub fn into_vec(self) -> Vec<u8> {
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_readers_are_bounded() {
        let data = [0, 4, 1, 2, 9];
        let mut r = Reader::new(&data);
        let len = r.u16().unwrap() as usize;
        let mut item = r.sub(len - 2).unwrap();
        assert_eq!(item.u16().unwrap(), 0x0102);
        assert!(item.is_empty());
        assert_eq!(item.u8(), Err(Short));
        assert_eq!(r.u8().unwrap(), 9);
        assert_eq!(r.take(usize::MAX), Err(Short));
    }

    #[test]
    fn writer_patches() {
        let mut w = Writer::new();
        w.u16(0);
        w.u32(7);
        w.patch_u16(0, w.len() as u16);
        w.pad_to(8);
        assert_eq!(w.as_slice(), &[0, 6, 0, 0, 0, 7, 0, 0]);
    }
}
