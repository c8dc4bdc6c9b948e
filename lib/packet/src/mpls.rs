//! MPLS label stack entries.

use crate::Error;
use crate::field::{be32, rest, set_be32};

/// Bytes of one label stack entry.
pub const HEADER_LEN: usize = 4;
pub const LABEL_MASK: u32 = 0xffff_f000;
pub const LABEL_SHIFT: u32 = 12;
pub const TC_MASK: u32 = 0x0000_0e00;
pub const TC_SHIFT: u32 = 9;
pub const BOS_MASK: u32 = 0x0000_0100;
pub const TTL_MASK: u32 = 0x0000_00ff;

/// One label stack entry as a 32-bit value: label (20 bits), traffic class
/// (3), bottom of stack (1), TTL (8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Lse(pub u32);

impl Lse {
    /// An entry from its parts; bits beyond each part's width are dropped.
    pub fn new(label: u32, tc: u8, bos: bool, ttl: u8) -> Lse {
        Lse(((label << LABEL_SHIFT) & LABEL_MASK)
            | ((u32::from(tc) << TC_SHIFT) & TC_MASK)
            | if bos { BOS_MASK } else { 0 }
            | u32::from(ttl))
    }

    pub fn label(self) -> u32 {
        (self.0 & LABEL_MASK) >> LABEL_SHIFT
    }

    pub fn tc(self) -> u8 {
        ((self.0 & TC_MASK) >> TC_SHIFT) as u8
    }

    pub fn bos(self) -> bool {
        self.0 & BOS_MASK != 0
    }

    pub fn ttl(self) -> u8 {
        (self.0 & TTL_MASK) as u8
    }

    pub fn with_ttl(self, ttl: u8) -> Lse {
        Lse((self.0 & !TTL_MASK) | u32::from(ttl))
    }
}

/// A view of the label stack entry at the start of a buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MplsHeader<T> {
    buffer: T,
}

impl<T: AsRef<[u8]>> MplsHeader<T> {
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        if buffer.as_ref().len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        Ok(MplsHeader { buffer })
    }

    pub fn lse(&self) -> Lse {
        Lse(be32(self.buffer.as_ref(), 0))
    }

    /// What follows this entry (the next entry, or the payload after the
    /// bottom of the stack).
    pub fn payload(&self) -> &[u8] {
        rest(self.buffer.as_ref(), HEADER_LEN)
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> MplsHeader<T> {
    pub fn set_lse(&mut self, lse: Lse) {
        set_be32(self.buffer.as_mut(), 0, lse.0);
    }
}

/// The entries of a label stack, down to and including the first with the
/// bottom-of-stack bit, or until fewer than 4 bytes remain (a stack cut
/// short just ends; [`LabelStack::remaining`] then says how it ended).
#[derive(Clone, Debug)]
pub struct LabelStack<'a> {
    data: &'a [u8],
    done: bool,
}

impl<'a> LabelStack<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        LabelStack { data, done: false }
    }

    /// The bytes after the entries walked so far: after a full walk, the
    /// payload under the stack.
    pub fn remaining(&self) -> &'a [u8] {
        self.data
    }
}

impl Iterator for LabelStack<'_> {
    type Item = Lse;

    fn next(&mut self) -> Option<Lse> {
        if self.done {
            return None;
        }
        let Some((entry, rest)) = self.data.split_first_chunk::<HEADER_LEN>() else {
            self.done = true;
            return None;
        };
        let lse = Lse(u32::from_be_bytes(*entry));
        self.data = rest;
        self.done = lse.bos();
        Some(lse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields() {
        let lse = Lse::new(0xabcde, 5, true, 64);
        assert_eq!(lse.0, 0xabcd_eb40);
        assert_eq!(
            (lse.label(), lse.tc(), lse.bos(), lse.ttl()),
            (0xabcde, 5, true, 64)
        );
        assert_eq!(lse.with_ttl(1).ttl(), 1);
        assert_eq!(Lse::new(0x1f_ffff, 9, false, 0).0, 0xffff_f200);
    }

    #[test]
    fn stack_walk() {
        let bytes = [
            0x00, 0x01, 0x00, 0x40, // label 16, ttl 64
            0x00, 0x02, 0x01, 0x3f, // label 32, bos, ttl 63
            0x45, 0x00,
        ];
        let mut stack = LabelStack::new(&bytes);
        let labels: Vec<_> = stack.by_ref().map(|l| l.label()).collect();
        assert_eq!(labels, vec![16, 32]);
        assert_eq!(stack.remaining(), &[0x45, 0x00]);
        let mut cut = LabelStack::new(&bytes[..6]);
        assert_eq!(cut.by_ref().count(), 1);
        assert_eq!(cut.remaining(), &[0x00, 0x02]);
        let mut b = bytes;
        let mut h = MplsHeader::new_checked(&mut b[..]).unwrap();
        h.set_lse(h.lse().with_ttl(9));
        assert_eq!(b[3], 9);
        assert_eq!(MplsHeader::new_checked(&b[..3]), Err(Error::Truncated));
    }
}
