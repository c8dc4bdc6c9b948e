//! [`Flow`]: the fixed byte layout behind every field.

use crate::table::FLOW_BYTES;

/// 64-bit words in a [`Flow`]; the classifier and hashes work word by word.
pub const FLOW_WORDS: usize = FLOW_BYTES / 8;

/// Every matchable field of a packet, each at a fixed offset (see
/// [`crate::offset`]), multi-byte fields in network byte order, so that a
/// field's bytes are exactly its NXM/OXM value bytes.
///
/// The same type is used as a mask: a 1 bit means "this bit must match".
#[derive(Clone, PartialEq, Eq, Hash)]
#[repr(C, align(8))]
pub struct Flow {
    bytes: [u8; FLOW_BYTES],
}

impl Default for Flow {
    fn default() -> Self {
        Flow::ZERO
    }
}

impl std::fmt::Debug for Flow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Only the nonzero words: a whole flow is 600+ bytes of mostly zeros.
        let mut list = f.debug_map();
        for i in 0..FLOW_WORDS {
            let w = self.word(i);
            if w != 0 {
                list.entry(
                    &(i * 8),
                    &format_args!("{:016x}", u64::from_be_bytes(w.to_ne_bytes())),
                );
            }
        }
        list.finish()
    }
}

impl Flow {
    /// All fields zero (as a mask: everything wildcarded).
    pub const ZERO: Flow = Flow {
        bytes: [0; FLOW_BYTES],
    };
    /// All bits one (as a mask: everything exact).
    pub const ONES: Flow = Flow {
        bytes: [0xff; FLOW_BYTES],
    };

    /// The whole layout as bytes.
    pub fn as_bytes(&self) -> &[u8; FLOW_BYTES] {
        &self.bytes
    }

    /// The whole layout as mutable bytes.
    pub fn as_bytes_mut(&mut self) -> &mut [u8; FLOW_BYTES] {
        &mut self.bytes
    }

    /// `len` bytes at `offset`; an empty slice if the range is outside the flow.
    pub fn bytes(&self, offset: usize, len: usize) -> &[u8] {
        self.bytes
            .get(offset..offset.saturating_add(len))
            .unwrap_or(&[])
    }

    /// Mutable `len` bytes at `offset`; an empty slice if out of range.
    pub fn bytes_mut(&mut self, offset: usize, len: usize) -> &mut [u8] {
        self.bytes
            .get_mut(offset..offset.saturating_add(len))
            .unwrap_or(&mut [])
    }

    /// Word `i` in native byte order (for hashing and masking, not for
    /// reading field values). Words past the end read as zero.
    #[inline]
    pub fn word(&self, i: usize) -> u64 {
        match self.bytes.get(i * 8..i * 8 + 8) {
            Some(b) => u64::from_ne_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
            None => 0,
        }
    }

    /// Sets word `i` (native byte order); ignored past the end.
    #[inline]
    pub fn set_word(&mut self, i: usize, w: u64) {
        if let Some(b) = self.bytes.get_mut(i * 8..i * 8 + 8) {
            b.copy_from_slice(&w.to_ne_bytes());
        }
    }

    /// Big-endian unsigned read of up to 8 bytes at `offset` (0 if out of range).
    #[inline]
    pub fn get_be(&self, offset: usize, len: usize) -> u64 {
        // The common widths read in one load; match encoding and the
        // datapath call this for every field of every flow.
        let b = self.bytes(offset, len);
        match *b {
            [] => 0,
            [x] => u64::from(x),
            [x, y] => u64::from(u16::from_be_bytes([x, y])),
            [x, y, z, w] => u64::from(u32::from_be_bytes([x, y, z, w])),
            _ => b.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)),
        }
    }

    /// Big-endian write of the low `len` bytes of `value` at `offset`.
    pub fn set_be(&mut self, offset: usize, len: usize, value: u64) {
        let dst = self.bytes_mut(offset, len);
        // The common widths in one store, as `get_be` reads them.
        match dst.len() {
            1 => dst[0] = value as u8,
            2 => dst.copy_from_slice(&(value as u16).to_be_bytes()),
            4 => dst.copy_from_slice(&(value as u32).to_be_bytes()),
            8 => dst.copy_from_slice(&value.to_be_bytes()),
            n => {
                for (i, b) in dst.iter_mut().enumerate() {
                    let shift = 8 * (n - 1 - i);
                    *b = if shift >= 64 {
                        0
                    } else {
                        (value >> shift) as u8
                    };
                }
            }
        }
    }

    /// `self & mask`, word by word.
    pub fn masked(&self, mask: &Flow) -> Flow {
        let mut out = Flow::ZERO;
        for (o, (a, m)) in out
            .bytes
            .iter_mut()
            .zip(self.bytes.iter().zip(mask.bytes.iter()))
        {
            *o = a & m;
        }
        out
    }

    /// True if every bit is zero.
    pub fn is_zero(&self) -> bool {
        self.bytes.iter().all(|b| *b == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn be_round_trip_and_bounds() {
        let mut f = Flow::ZERO;
        f.set_be(crate::offset::TP_SRC, 2, 0x1234);
        assert_eq!(f.get_be(crate::offset::TP_SRC, 2), 0x1234);
        assert_eq!(f.bytes(crate::offset::TP_SRC, 2), &[0x12, 0x34]);
        assert_eq!(f.bytes(FLOW_BYTES, 4), &[] as &[u8]);
        assert_eq!(f.word(FLOW_WORDS), 0);
        f.set_be(FLOW_BYTES - 1, 4, 7);
    }

    #[test]
    fn every_width_reads_back_what_was_written() {
        for len in 1..=8usize {
            let mut f = Flow::ZERO;
            let value = 0x0102_0304_0506_0708u64 >> (8 * (8 - len));
            f.set_be(16, len, value);
            assert_eq!(f.get_be(16, len), value, "width {len}");
            assert_eq!(f.get_be(16 + len, 8), 0);
        }
        // A read running past the end is 0.
        assert_eq!(Flow::ONES.get_be(FLOW_BYTES - 2, 4), 0);
    }
}
