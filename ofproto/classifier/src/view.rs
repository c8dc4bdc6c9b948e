//! [`RuleView`]: a borrowed, sparse view of one stored rule's match.

use ovs_flow::{Flow, Match};

use crate::words::{WordMap, position};

/// The match of a stored rule, as the classifier keeps it: the subtable's
/// shared mask words and the rule's own values for those words. Cheap to
/// copy; [`RuleView::to_match`] builds the full [`Match`] when needed.
#[derive(Clone, Copy)]
pub struct RuleView<'a> {
    pub(crate) map: WordMap,
    pub(crate) indices: &'a [u8],
    pub(crate) masks: &'a [u64],
    pub(crate) values: &'a [u64],
}

impl std::fmt::Debug for RuleView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut list = f.debug_list();
        for (i, m, v) in self.words() {
            list.entry(&format_args!("w{i}={v:016x}/{m:016x}"));
        }
        list.finish()
    }
}

impl<'a> RuleView<'a> {
    /// `(word index, mask word, value word)` for every word the match
    /// constrains, in index order (words as [`Flow::word`] returns them).
    pub fn words(&self) -> impl Iterator<Item = (usize, u64, u64)> + 'a {
        let (indices, masks, values) = (self.indices, self.masks, self.values);
        indices
            .iter()
            .zip(masks.iter().zip(values))
            .map(|(i, (m, v))| (usize::from(*i), *m, *v))
    }

    /// Mask word `i` (0 where the rule wildcards the whole word).
    pub fn mask_word(&self, i: usize) -> u64 {
        position(self.map, i)
            .and_then(|p| self.masks.get(p))
            .copied()
            .unwrap_or(0)
    }

    /// Value word `i` (already masked).
    pub fn value_word(&self, i: usize) -> u64 {
        position(self.map, i)
            .and_then(|p| self.values.get(p))
            .copied()
            .unwrap_or(0)
    }

    /// The full match.
    pub fn to_match(&self) -> Match {
        let mut m = Match::catchall();
        for (i, mask, value) in self.words() {
            m.wc.set_word(i, mask);
            m.flow.set_word(i, value);
        }
        m
    }

    /// True if this is exactly match `m`.
    pub fn equals(&self, m: &Match) -> bool {
        self.covers_exactly(&m.wc)
            && self
                .words()
                .all(|(i, mask, value)| m.flow.word(i) & mask == value)
    }

    /// True if a packet with `flow` matches this rule.
    pub fn matches(&self, flow: &Flow) -> bool {
        self.words()
            .all(|(i, mask, value)| flow.word(i) & mask == value)
    }

    /// True if this rule is at least as specific as `target` on `target`'s
    /// mask and agrees with it there (OVS's loose match).
    pub fn is_loose_match(&self, target: &Match) -> bool {
        (0..ovs_flow::FLOW_WORDS).all(|i| {
            let tm = target.wc.word(i);
            tm == 0 || {
                let m = self.mask_word(i);
                m & tm == tm && self.value_word(i) & tm == target.flow.word(i) & tm
            }
        })
    }

    /// True if some packet could match both this rule and `m`.
    pub fn overlaps(&self, m: &Match) -> bool {
        self.words()
            .all(|(i, mask, value)| (value ^ m.flow.word(i)) & mask & m.wc.word(i) == 0)
    }

    fn covers_exactly(&self, wc: &Flow) -> bool {
        (0..ovs_flow::FLOW_WORDS).all(|i| wc.word(i) == self.mask_word(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ovs_flow::offset;

    #[test]
    fn view_round_trips_and_compares() {
        let mut m = Match::catchall();
        m.wc.set_be(offset::NW_DST, 4, 0xffff_ff00);
        m.flow.set_be(offset::NW_DST, 4, 0x0a01_0200);
        let w = (offset::NW_DST / 8) as u8;
        let (masks, values) = ([m.wc.word(usize::from(w))], [m.flow.word(usize::from(w))]);
        let v = RuleView {
            map: 1 << w,
            indices: &[w],
            masks: &masks,
            values: &values,
        };
        assert_eq!(v.to_match(), m);
        assert!(v.equals(&m));
        let mut pkt = Flow::ZERO;
        pkt.set_be(offset::NW_DST, 4, 0x0a01_0207);
        assert!(v.matches(&pkt));
        pkt.set_be(offset::NW_DST, 4, 0x0a01_0307);
        assert!(!v.matches(&pkt));

        let mut wider = Match::catchall();
        wider.wc.set_be(offset::NW_DST, 4, 0xffff_0000);
        wider.flow.set_be(offset::NW_DST, 4, 0x0a01_0000);
        assert!(v.is_loose_match(&wider));
        assert!(!v.equals(&wider));
        let mut narrower = m.clone();
        narrower.wc.set_be(offset::NW_DST, 4, 0xffff_ffff);
        narrower.flow.set_be(offset::NW_DST, 4, 0x0a01_0201);
        assert!(!v.is_loose_match(&narrower));
        assert!(v.overlaps(&narrower));
        narrower.flow.set_be(offset::NW_DST, 4, 0x0a01_0301);
        assert!(!v.overlaps(&narrower));
        assert!(v.is_loose_match(&Match::catchall()));
    }
}
