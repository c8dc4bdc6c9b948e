//! Sparse word lists over the [`Flow`] layout, and the word hash.
//!
//! A mask is stored as the indices of its nonzero 64-bit words and those
//! words; a rule as the values of exactly those words (OVS's miniflow and
//! minimask idea). Every rule of a subtable shares its mask's index list, so
//! a rule costs only its values.

use ovs_flow::{FLOW_WORDS, Flow, offset};

/// A set of word indices; 83 words fit in 128 bits.
pub(crate) type WordMap = u128;

/// Exclusive word index where each lookup stage ends (OVS's metadata, L2,
/// L3 and L4 segments; as in OVS 3.1, the L3 segment ends where the ND
/// target starts, so ND and ARP addresses and TCP flags are in the final
/// stage with the transport ports). A staged lookup can stop after a stage
/// whose words already rule out every rule, leaving later stages' bits
/// wildcarded.
pub(crate) const STAGE_ENDS: [usize; 4] = [
    offset::DL_DST / 8,
    offset::NW_SRC / 8,
    offset::ND_TARGET / 8,
    FLOW_WORDS,
];

const _: () = assert!(
    FLOW_WORDS > 64 && FLOW_WORDS <= 128,
    "word maps are 128 bits wide, scanned as two halves"
);
const _: () = assert!(
    offset::DL_DST.is_multiple_of(8)
        && offset::NW_SRC.is_multiple_of(8)
        && offset::ND_TARGET.is_multiple_of(8),
    "stage boundaries must fall on word boundaries"
);

const SEED: u64 = 0x243f_6a88_85a3_08d3;
const MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;

/// Running hash state over a sequence of words.
#[derive(Clone, Copy)]
pub(crate) struct WordHasher(u64);

impl WordHasher {
    #[inline]
    pub(crate) fn new() -> Self {
        WordHasher(SEED)
    }

    #[inline]
    pub(crate) fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(26) ^ word).wrapping_mul(MULTIPLIER);
    }

    /// The hash of the words added so far; the state may keep growing, so a
    /// stage's hash is a prefix of the full hash computation.
    #[inline]
    pub(crate) fn finish(&self) -> u64 {
        // A full avalanche, because hashbrown takes bucket bits from the low
        // end and tag bits from the high end, while the multiply above only
        // spreads low bits upward.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// Hash of a whole word sequence.
#[inline]
pub(crate) fn hash_words(words: &[u64]) -> u64 {
    let mut h = WordHasher::new();
    for w in words {
        h.add(*w);
    }
    h.finish()
}

/// A mask as the classifier sees it: which words are nonzero, and the mask
/// itself to read them from. Costs nothing to build beyond one scan.
#[derive(Clone, Copy)]
pub(crate) struct MaskRef<'a> {
    pub(crate) map: WordMap,
    pub(crate) wc: &'a Flow,
}

impl<'a> MaskRef<'a> {
    pub(crate) fn of(wc: &'a Flow) -> Self {
        // Whole-word loads, branch-free, 64-bit halves: this scan runs on
        // every insert, remove and strict find.
        let word_bits = |bytes: &[u8]| {
            bytes
                .chunks_exact(8)
                .enumerate()
                .fold(0u64, |acc, (i, chunk)| {
                    let word = u64::from_ne_bytes(<[u8; 8]>::try_from(chunk).unwrap_or([0; 8]));
                    acc | (u64::from(word != 0) << i)
                })
        };
        let (low, high) = wc.as_bytes().split_at(64 * 8);
        let map = WordMap::from(word_bits(low)) | (WordMap::from(word_bits(high)) << 64);
        MaskRef { map, wc }
    }

    /// `(word index, mask word)` for each nonzero word, in index order.
    pub(crate) fn words(&self) -> impl Iterator<Item = (usize, u64)> + 'a {
        let wc = self.wc;
        map_indices(self.map).map(move |i| (i, wc.word(i)))
    }

    pub(crate) fn hash(&self) -> u64 {
        hash_mask(self.map, self.words().map(|(_, w)| w))
    }
}

/// The indices in `map`, ascending.
pub(crate) fn map_indices(mut map: WordMap) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (map != 0).then(|| {
            let i = map.trailing_zeros() as usize;
            map &= map - 1;
            i
        })
    })
}

/// Hash identifying a mask (which words, and their bits).
pub(crate) fn hash_mask(map: WordMap, masks: impl Iterator<Item = u64>) -> u64 {
    let mut h = WordHasher::new();
    h.add(map as u64);
    h.add((map >> 64) as u64);
    for m in masks {
        h.add(m);
    }
    h.finish()
}

/// Position of word `index` in a sparse list with word map `map`, if present.
#[inline]
pub(crate) fn position(map: WordMap, index: usize) -> Option<usize> {
    if index >= FLOW_WORDS || map & (1 << index) == 0 {
        return None;
    }
    Some((map & ((1u128 << index) - 1)).count_ones() as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_ref_lists_nonzero_words() {
        let mut m = Flow::ZERO;
        m.set_be(offset::NW_DST, 4, 0xffff_ff00);
        m.set_be(offset::DL_TYPE, 2, 0xffff);
        let r = MaskRef::of(&m);
        let (l2, l3) = (offset::DL_TYPE / 8, offset::NW_DST / 8);
        assert_eq!(
            r.words().collect::<Vec<_>>(),
            vec![(l2, m.word(l2)), (l3, m.word(l3))]
        );
        assert_eq!(position(r.map, l3), Some(1));
        assert_eq!(position(r.map, 0), None);
        assert_eq!(position(r.map, 500), None);
        assert_eq!(
            r.hash(),
            hash_mask(r.map, [m.word(l2), m.word(l3)].into_iter())
        );
        assert_eq!(MaskRef::of(&Flow::ZERO).words().count(), 0);
        assert_eq!(MaskRef::of(&Flow::ONES).words().count(), FLOW_WORDS);
    }

    #[test]
    fn hash_is_prefix_friendly_and_spreads() {
        let mut h = WordHasher::new();
        h.add(1);
        let one = h.finish();
        assert_eq!(one, hash_words(&[1]));
        h.add(2);
        assert_eq!(h.finish(), hash_words(&[1, 2]));
        assert_ne!(hash_words(&[1, 2]), hash_words(&[2, 1]));
        // Values differing only in their top byte still differ in low bits.
        let a = hash_words(&[1 << 56]);
        let b = hash_words(&[2 << 56]);
        assert_ne!(a & 0xffff, b & 0xffff);
    }
}
