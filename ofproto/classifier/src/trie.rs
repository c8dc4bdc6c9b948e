//! Prefix tries (OVS's `cls_trie`): for a few address fields, the set of
//! CIDR prefixes the rules match on, so a lookup can tell that no rule of
//! a subtable can match the packet's address after looking at only as many
//! leading bits as needed, and wildcard the rest in the megaflow. The same
//! structure over the 32 bits of the two transport ports narrows the
//! wildcards of a subtable whose last stage failed (OVS's ports trie).
//!
//! The tree here is an uncompressed binary trie; its answers (how many bits
//! decide the outcome, which prefix lengths match) are those of OVS's
//! path-compressed trie.

use ovs_flow::{FieldId, Flow, Prereq, offset};

/// At most this many prefix fields per classifier (`CLS_MAX_TRIES`).
pub(crate) const MAX_TRIES: usize = 3;

const NIL: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Node {
    child: [u32; 2],
    /// Rules whose prefix ends here.
    n_rules: u32,
}

/// A set of prefixes with counts. Values are left-aligned in a `u128`.
#[derive(Clone, Debug, Default)]
pub(crate) struct PrefixTree {
    nodes: Vec<Node>,
    free: Vec<u32>,
}

fn bit(value: u128, i: u32) -> usize {
    ((value >> (127 - i)) & 1) as usize
}

impl PrefixTree {
    fn alloc(&mut self) -> u32 {
        let n = Node {
            child: [NIL, NIL],
            n_rules: 0,
        };
        match self.free.pop() {
            Some(i) => {
                self.nodes[i as usize] = n;
                i
            }
            None => {
                self.nodes.push(n);
                (self.nodes.len() - 1) as u32
            }
        }
    }

    pub(crate) fn insert(&mut self, value: u128, plen: u32) {
        if self.nodes.is_empty() {
            self.alloc();
        }
        let mut node = 0u32;
        for i in 0..plen {
            let b = bit(value, i);
            let next = self.nodes[node as usize].child[b];
            node = if next == NIL {
                let n = self.alloc();
                self.nodes[node as usize].child[b] = n;
                n
            } else {
                next
            };
        }
        self.nodes[node as usize].n_rules += 1;
    }

    pub(crate) fn remove(&mut self, value: u128, plen: u32) {
        if self.nodes.is_empty() {
            return;
        }
        let mut path = Vec::with_capacity(plen as usize + 1);
        let mut node = 0u32;
        path.push(node);
        for i in 0..plen {
            let next = self.nodes[node as usize].child[bit(value, i)];
            if next == NIL {
                return;
            }
            node = next;
            path.push(node);
        }
        let n = &mut self.nodes[node as usize];
        n.n_rules = n.n_rules.saturating_sub(1);
        // Prune nodes that lead to no prefix any more.
        for depth in (1..path.len()).rev() {
            let me = path[depth];
            let m = self.nodes[me as usize];
            if m.n_rules > 0 || m.child != [NIL, NIL] {
                break;
            }
            let parent = path[depth - 1];
            let b = bit(value, (depth - 1) as u32);
            self.nodes[parent as usize].child[b] = NIL;
            self.free.push(me);
        }
        if self.nodes[0].child == [NIL, NIL] && self.nodes[0].n_rules == 0 {
            self.nodes.clear();
            self.free.clear();
        }
    }

    /// OVS's `trie_lookup_value`: the number of leading bits of `value`
    /// that decide which prefixes match (one past the first bit that no
    /// prefix shares, unless no longer prefix continues there), and the
    /// set of prefix lengths with rules that match (bit `L - 1` for
    /// length `L`).
    pub(crate) fn lookup(&self, value: u128, n_bits: u32) -> (u32, u128) {
        let mut plens = 0u128;
        if self.nodes.is_empty() {
            return (0, plens);
        }
        let mut node = 0u32;
        let mut depth = 0u32;
        loop {
            if depth >= n_bits {
                return (n_bits, plens);
            }
            let b = bit(value, depth);
            let next = self.nodes[node as usize].child[b];
            if next == NIL {
                let other = self.nodes[node as usize].child[1 - b];
                return (if other == NIL { depth } else { depth + 1 }, plens);
            }
            node = next;
            depth += 1;
            if self.nodes[node as usize].n_rules > 0 {
                plens |= 1u128 << (depth - 1);
            }
        }
    }
}

/// The prefix length of a CIDR mask of `n_bits` (left-aligned), or 0 if
/// the mask is not a prefix (OVS's `minimask_get_prefix_len`).
pub(crate) fn cidr_len(mask: u128, n_bits: u32) -> u32 {
    let len = mask.leading_ones();
    if len > n_bits || mask.checked_shl(len).unwrap_or(0) != 0 {
        0
    } else {
        len
    }
}

/// One prefix field and its trie.
#[derive(Clone, Debug)]
pub(crate) struct TrieField {
    pub(crate) field: FieldId,
    off: usize,
    n_bytes: usize,
    pub(crate) n_bits: u32,
    /// The flow word holding the field's first bytes.
    pub(crate) word: usize,
    pub(crate) tree: PrefixTree,
}

impl TrieField {
    /// A trie for `field`, if it can have one: a plain field of 4 or 16
    /// bytes (OVS allows IPv4 and IPv6 addresses).
    pub(crate) fn new(field: FieldId) -> Option<TrieField> {
        let info = field.info();
        let n = usize::from(info.n_bytes);
        if !field.is_plain() || !(n == 4 || n == 16) || !info.maskable {
            return None;
        }
        let off = usize::from(info.storage_offset);
        Some(TrieField {
            field,
            off,
            n_bytes: n,
            n_bits: 8 * n as u32,
            word: off / 8,
            tree: PrefixTree::default(),
        })
    }

    /// The field of `flow` (or a mask), left-aligned.
    pub(crate) fn value(&self, flow: &Flow) -> u128 {
        let v = flow
            .bytes(self.off, self.n_bytes)
            .iter()
            .fold(0u128, |acc, b| (acc << 8) | u128::from(*b));
        v << (128 - self.n_bits)
    }

    /// The prefix length of `mask` on this field, 0 if not a nonzero CIDR.
    pub(crate) fn prefix_len(&self, mask: &Flow) -> u32 {
        cidr_len(self.value(mask), self.n_bits)
    }

    /// Whether the packet has this field (OVS checks the prerequisites
    /// before consulting a trie).
    pub(crate) fn prereqs_ok(&self, flow: &Flow) -> bool {
        let dl_type = if flow.get_be(offset::PACKET_TYPE, 4) == 0 {
            flow.get_be(offset::DL_TYPE, 2)
        } else if flow.get_be(offset::PACKET_TYPE, 4) >> 16 == 1 {
            flow.get_be(offset::PACKET_TYPE, 4) & 0xffff
        } else {
            0x05ff
        };
        match self.field.info().prereq {
            Prereq::None => true,
            Prereq::Ipv4 => dl_type == 0x0800,
            Prereq::Ipv6 => dl_type == 0x86dd,
            Prereq::IpAny => dl_type == 0x0800 || dl_type == 0x86dd,
            Prereq::Arp => dl_type == 0x0806 || dl_type == 0x8035,
            _ => false,
        }
    }

    /// Sets the first `n` bits of the field in `wc`.
    pub(crate) fn set_prefix_bits(&self, wc: &mut Flow, n: u32) {
        let mut left = n;
        for b in wc.bytes_mut(self.off, self.n_bytes) {
            if left == 0 {
                break;
            }
            let take = left.min(8);
            *b |= !(0xffu8.checked_shr(take).unwrap_or(0));
            left -= take;
        }
    }

    /// True if the first `n` bits of the field are all set in `wc`.
    pub(crate) fn prefix_bits_set(&self, wc: &Flow, n: u32) -> bool {
        let have = self.value(wc);
        let want = if n == 0 {
            0
        } else {
            u128::MAX << (128 - n.min(128))
        };
        have & want == want
    }
}

/// The result of one trie's lookup, computed on first need during one
/// classifier lookup (OVS's `trie_ctx`).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct TrieCtx {
    done: bool,
    maskbits: u32,
    plens: u128,
}

/// OVS's `check_tries`: true if the tries prove that no rule of a
/// subtable (with prefix lengths `plen`) can match, having unwildcarded the
/// bits that proof needs. `in_stage(word)` says whether a flow word belongs
/// to the stage about to be examined.
pub(crate) fn check_tries(
    ctx: &mut [TrieCtx; MAX_TRIES],
    tries: &[TrieField],
    plen: &[u8; MAX_TRIES],
    in_stage: impl Fn(usize) -> bool,
    flow: &Flow,
    wc: &mut Flow,
) -> bool {
    for (j, t) in tries.iter().enumerate().take(MAX_TRIES) {
        let p = u32::from(plen[j]);
        if p == 0 || !in_stage(t.word) {
            continue;
        }
        let c = &mut ctx[j];
        if !c.done {
            c.done = true;
            if t.prereqs_ok(flow) {
                let (maskbits, plens) = t.tree.lookup(t.value(flow), t.n_bits);
                c.maskbits = maskbits;
                c.plens = plens;
            } else {
                // Everything may match: never skip.
                c.maskbits = 0;
                c.plens = u128::MAX;
            }
        }
        if c.plens >> (p - 1) & 1 == 0 {
            if c.maskbits <= p {
                t.set_prefix_bits(wc, c.maskbits);
                return true;
            }
            if t.prefix_bits_set(wc, c.maskbits) {
                return true;
            }
        }
    }
    false
}

/// The 32 bits of both transport ports, left-aligned (OVS's ports trie
/// key).
pub(crate) fn ports(flow: &Flow) -> u128 {
    u128::from(flow.get_be(offset::TP_SRC, 4)) << 96
}

/// ORs the first `n` of the ports bits, under `mask`, into `wc`.
pub(crate) fn set_ports_bits(wc: &mut Flow, mask: u128, n: u32) {
    let prefix = if n == 0 {
        0
    } else {
        u128::MAX << (128 - n.min(128))
    };
    let bits = ((mask & prefix) >> 96) as u64;
    let old = wc.get_be(offset::TP_SRC, 4);
    wc.set_be(offset::TP_SRC, 4, old | bits);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(a: u32) -> u128 {
        u128::from(a) << 96
    }

    #[test]
    fn lookup_like_ovs() {
        let mut t = PrefixTree::default();
        assert_eq!(t.lookup(v4(0x0a01_0203), 32), (0, 0));
        t.insert(v4(0x0a00_0000), 8);
        t.insert(v4(0x0a01_0000), 16);
        t.insert(v4(0xc0a8_0100), 24);
        // 10.1.2.3: both 10/8 and 10.1/16 match; nothing longer below.
        let (bits, plens) = t.lookup(v4(0x0a01_0203), 32);
        assert_eq!(bits, 16);
        assert_eq!(plens, (1 << 7) | (1 << 15));
        // 10.9.2.3 leaves 10.1/16 at bit 12 (10.8/13 decides).
        assert_eq!(t.lookup(v4(0x0a09_0203), 32), (13, 1 << 7));
        // 172.16.0.1 leaves 192.168.1/24 at bit 1.
        assert_eq!(t.lookup(v4(0xac10_0001), 32), (2, 0));
        t.remove(v4(0x0a01_0000), 16);
        assert_eq!(t.lookup(v4(0x0a01_0203), 32), (8, 1 << 7));
        t.remove(v4(0x0a00_0000), 8);
        t.remove(v4(0xc0a8_0100), 24);
        assert!(t.nodes.is_empty());
    }

    #[test]
    fn cidr_lengths() {
        assert_eq!(cidr_len(v4(0xffff_0000), 32), 16);
        assert_eq!(cidr_len(v4(0xff00_ff00), 32), 0);
        assert_eq!(cidr_len(0, 32), 0);
    }
}
