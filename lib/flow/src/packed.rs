//! [`PackedFlow`]: a [`Flow`] without its zero words, for keeping many.

use std::sync::Arc;

use crate::flow::{FLOW_WORDS, Flow};

/// Words of the map in front of the values: one bit per flow word.
const MAP_WORDS: usize = FLOW_WORDS.div_ceil(64);

/// A flow with its all-zero 64-bit words left out (the idea of OVS's
/// miniflow): a bitmap of the nonzero words, then their values in order.
/// A packet's key has a dozen nonzero words of eighty, so a datapath
/// that keeps one per megaflow keeps a sixth of the bytes. Immutable and
/// shared: cloning copies a pointer.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PackedFlow(Arc<[u64]>);

impl PackedFlow {
    pub fn new(flow: &Flow) -> PackedFlow {
        let mut buf = [0u64; MAP_WORDS + FLOW_WORDS];
        let mut n = MAP_WORDS;
        for i in 0..FLOW_WORDS {
            let w = flow.word(i);
            if w != 0 {
                buf[i / 64] |= 1 << (i % 64);
                buf[n] = w;
                n += 1;
            }
        }
        PackedFlow(Arc::from(&buf[..n]))
    }

    /// The whole flow back.
    pub fn unpack(&self) -> Flow {
        let mut flow = Flow::ZERO;
        let (map, mut values) = self.0.split_at(MAP_WORDS);
        for (m, bits) in map.iter().enumerate() {
            let mut bits = *bits;
            while bits != 0 {
                let i = m * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if let Some((w, rest)) = values.split_first() {
                    flow.set_word(i, *w);
                    values = rest;
                }
            }
        }
        flow
    }
}

impl From<&Flow> for PackedFlow {
    fn from(flow: &Flow) -> PackedFlow {
        PackedFlow::new(flow)
    }
}

impl std::fmt::Debug for PackedFlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.unpack().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FLOW_BYTES;
    use proptest::prelude::*;

    #[test]
    fn zero_and_ones() {
        for f in [Flow::ZERO, Flow::ONES] {
            assert_eq!(PackedFlow::new(&f).unpack(), f);
        }
        assert_eq!(PackedFlow::new(&Flow::ZERO).0.len(), MAP_WORDS);
        assert_eq!(PackedFlow::new(&Flow::ONES).0.len(), MAP_WORDS + FLOW_WORDS);
    }

    proptest! {
        /// Sparse flows, as packets make them: a few nonzero bytes
        /// anywhere, the last word included.
        #[test]
        fn round_trip(bytes in prop::collection::vec((0..FLOW_BYTES, 1u8..), 0..40)) {
            let mut f = Flow::ZERO;
            for (at, v) in bytes {
                f.as_bytes_mut()[at] = v;
            }
            let p = PackedFlow::new(&f);
            prop_assert_eq!(p.unpack(), f.clone());
            prop_assert_eq!(p, PackedFlow::new(&f.clone()));
        }
    }
}
