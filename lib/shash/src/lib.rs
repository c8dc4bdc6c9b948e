//! The iteration order of Open vSwitch's hash maps (`struct hmap`, and the
//! string maps `struct shash` built on it).
//!
//! Many outputs of the real OVS programs walk a hash map rather than a
//! sorted list: `ovsdb-client list-tables` and `list-columns`, the rows of
//! a `monitor` update, every JSON object written without sorting
//! (`get_schema` replies, log records among them), the rows of a database
//! table. To be output-compatible we reproduce the order exactly: OVS's
//! murmur-based `hash_string` and its `uuid_hash`, buckets selected by
//! `hash & mask`, new nodes pushed at the head of their bucket, and the
//! table growing (re-pushing every node in bucket order) whenever the node
//! count exceeds twice the mask. [`HmapModel`] keeps just enough of that
//! state for a caller that stores its own nodes (a database table);
//! [`HashOrder`] and [`shash_order`] keep the nodes too. The murmur steps
//! the hashes are made of ([`hash_add`], [`hash_finish`], ...) are public
//! for the other places whose outputs depend on OVS's hash values (select
//! groups, multipath, flood order).
//!
//! Promises: a pure model, no I/O, no `unsafe`, no panics; the orders it
//! returns are always permutations of its input. Insertions and removals
//! are modelled (removal never shrinks, as in OVS); a replaced value keeps
//! its node, so callers record only the first insertion of a name.
//!
//! It must not depend on anything but `std`: both the tools and the server
//! build on it.

#![forbid(unsafe_code)]

/// OVS's `hash_bytes(data, len, basis)` in its portable (non-CRC32) form,
/// which is the one Debian's x86-64 build uses.
pub fn hash_bytes(data: &[u8], basis: u32) -> u32 {
    let mut hash = basis;
    let mut chunks = data.chunks_exact(4);
    for chunk in &mut chunks {
        let word = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        hash = hash_add(hash, word);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut tail = [0u8; 4];
        tail[..rest.len()].copy_from_slice(rest);
        hash = hash_add(hash, u32::from_le_bytes(tail));
    }
    // The length is folded in as a 32-bit value, as in C.
    hash_finish(hash, data.len() as u32)
}

/// OVS's `hash_string(s, 0)`, the hash of a `shash` key.
pub fn hash_name(name: &str) -> u32 {
    hash_bytes(name.as_bytes(), 0)
}

/// OVS's `hash_int(x, basis)`: the key hash of port and meter maps. It is
/// OVS's `hash_2words(x, basis)`.
pub fn hash_int(x: u32, basis: u32) -> u32 {
    hash_2words(x, basis)
}

/// OVS's portable `hash_2words(x, y)`: `x` is the starting state, not a
/// word added to it.
pub fn hash_2words(x: u32, y: u32) -> u32 {
    hash_finish(hash_add(hash_add(x, 0), y), 8)
}

/// OVS's `hash_uint64(x)` (`hash_uint64_basis` with basis 0).
pub fn hash_uint64(x: u64) -> u32 {
    hash_finish(hash_add64(0, x), 8)
}

/// OVS's portable `hash_add` (`mhash_add`): one murmur3 step. A zero word
/// leaves the state unmixed but still rotated, as in OVS.
pub fn hash_add(hash: u32, data: u32) -> u32 {
    let mut hash = hash;
    if data != 0 {
        let mut d = data.wrapping_mul(0xcc9e_2d51);
        d = d.rotate_left(15);
        d = d.wrapping_mul(0x1b87_3593);
        hash ^= d;
    }
    hash = hash.rotate_left(13);
    hash.wrapping_mul(5).wrapping_add(0xe654_6b64)
}

/// OVS's portable `hash_add64`: the low 32 bits first.
pub fn hash_add64(hash: u32, data: u64) -> u32 {
    hash_add(hash_add(hash, data as u32), (data >> 32) as u32)
}

/// OVS's `hash_finish(hash, final)` (`mhash_finish` of `hash ^ final`).
pub fn hash_finish(hash: u32, final_word: u32) -> u32 {
    let mut h = hash ^ final_word;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    h
}

/// The bucket mask `hmap` picks for `capacity` nodes.
fn calc_mask(capacity: usize) -> usize {
    let mut mask = capacity / 2;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    mask |= mask >> 32;
    // Dynamically allocated tables have at least 4 buckets.
    mask |= (mask & 1) << 1;
    mask
}

/// OVS's `uuid_hash()`: a UUID's first 32-bit word, i.e. its first eight
/// hex digits read as a number. Tables of rows are `hmap`s keyed by it.
pub fn hash_uuid(bytes: &[u8; 16]) -> u32 {
    u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

/// Where one node sits among the nodes of its bucket in an [`HmapModel`].
/// The model hands one out for each insertion; the caller keeps it with the
/// node (and keeps it when OVS would `hmap_replace` the node). The default
/// value is never handed out, so it can mark a node not yet inserted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct HmapSlot(i64);

/// The part of an `hmap` that decides its iteration order, without the
/// nodes: how many there are, the bucket mask, and a way to rank the nodes
/// of a bucket.
///
/// `HMAP_FOR_EACH` walks the buckets in index order (`hash & mask`) and each
/// bucket from its head. An insertion pushes the new node at the head; a
/// growth re-pushes every node bucket by bucket, and since each new bucket
/// draws all its nodes from one old bucket, that exactly reverses every
/// bucket. So a bucket's order is "latest insertion first", flipped once
/// per growth so far: a counter value per node, whose sign records the
/// parity of growths at its insertion, ranks it in O(1) space, and no
/// node needs touching when the table grows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HmapModel {
    mask: usize,
    len: usize,
    /// The counter value given to the latest insertion.
    counter: i64,
    /// An odd number of growths so far.
    reversed: bool,
}

impl HmapModel {
    /// An empty map (`HMAP_INITIALIZER`: one bucket).
    pub const fn new() -> HmapModel {
        HmapModel {
            mask: 0,
            len: 0,
            counter: 0,
            reversed: false,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bucket mask (`hmap->mask`).
    pub fn mask(&self) -> usize {
        self.mask
    }

    /// `hmap_insert`: one more node, at the head of its bucket; the map
    /// grows once the count exceeds twice the mask.
    pub fn insert(&mut self) -> HmapSlot {
        self.counter = self.counter.saturating_add(1);
        let slot = HmapSlot(if self.reversed {
            -self.counter
        } else {
            self.counter
        });
        self.len += 1;
        if self.len / 2 > self.mask {
            let new_mask = calc_mask(self.len);
            if new_mask > self.mask {
                self.mask = new_mask;
                self.reversed = !self.reversed;
            }
        }
        slot
    }

    /// `hmap_remove`: one node fewer. The others keep their places and the
    /// map never shrinks.
    pub fn remove(&mut self) {
        self.len = self.len.saturating_sub(1);
    }

    /// Corrects the node count (for a caller that knows it better, e.g.
    /// after removals it did not report one by one).
    pub fn set_len(&mut self, len: usize) {
        self.len = len;
    }

    /// Sorting nodes by this key, ascending, gives `HMAP_FOR_EACH` order.
    pub fn order_key(&self, hash: u32, slot: HmapSlot) -> (usize, i64) {
        // Latest (largest counter, sign-corrected) first within a bucket.
        let rank = if self.reversed { slot.0 } else { -slot.0 };
        ((hash as usize) & self.mask, rank)
    }
}

/// The order in which `HMAP_FOR_EACH` visits an `hmap` built by inserting
/// nodes with `hashes`, in that order, into an empty map: a permutation of
/// `0..hashes.len()`.
pub fn iteration_order(hashes: &[u32]) -> Vec<usize> {
    let mut model = HmapModel::new();
    let slots: Vec<HmapSlot> = hashes.iter().map(|_| model.insert()).collect();
    let mut order: Vec<usize> = (0..hashes.len()).collect();
    order.sort_unstable_by_key(|&i| model.order_key(hashes[i], slots[i]));
    order
}

/// A model of an `hmap` that records only where each inserted item sits.
#[derive(Debug, Clone, Default)]
pub struct HashOrder {
    model: HmapModel,
    /// The hash and slot of each item currently present.
    nodes: std::collections::HashMap<usize, (u32, HmapSlot)>,
}

impl HashOrder {
    pub fn new() -> HashOrder {
        HashOrder::default()
    }

    /// Records the insertion of `item` with `hash`, growing as `hmap_insert`
    /// does. An item already present is first removed.
    pub fn insert(&mut self, hash: u32, item: usize) {
        self.remove(item);
        let slot = self.model.insert();
        self.nodes.insert(item, (hash, slot));
    }

    /// Records the removal of `item` (`hmap_remove`: no shrinking).
    pub fn remove(&mut self, item: usize) {
        if self.nodes.remove(&item).is_some() {
            self.model.remove();
        }
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The items in `HMAP_FOR_EACH` order.
    pub fn order(&self) -> Vec<usize> {
        let mut items: Vec<(usize, u32, HmapSlot)> = self
            .nodes
            .iter()
            .map(|(&item, &(hash, slot))| (item, hash, slot))
            .collect();
        items.sort_unstable_by_key(|&(_, hash, slot)| self.model.order_key(hash, slot));
        items.into_iter().map(|(item, _, _)| item).collect()
    }
}

/// The order in which OVS iterates a `shash` built by inserting `names` in
/// the given order (all distinct): a permutation of `0..names.len()`.
pub fn shash_order<S: AsRef<str>>(names: &[S]) -> Vec<usize> {
    let hashes: Vec<u32> = names.iter().map(|n| hash_name(n.as_ref())).collect();
    iteration_order(&hashes)
}

/// `items` rearranged into the iteration order of a `shash` built by
/// inserting their names (all distinct) in the given order.
pub fn in_shash_order<T: Clone, S: AsRef<str>>(items: &[T], name: impl Fn(&T) -> S) -> Vec<T> {
    let names: Vec<S> = items.iter().map(&name).collect();
    shash_order(&names)
        .into_iter()
        .map(|i| items[i].clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn hash_matches_ovs() {
        // Values computed with OVS's hash_string() on x86-64.
        assert_eq!(hash_bytes(b"", 0), 0);
        assert_eq!(hash_name("a"), hash_bytes(b"a", 0));
        // A table order observed from the real `ovsdb-client list-tables`
        // depends on these; the ordering test below checks them end to end.
    }

    #[test]
    fn small_map_keeps_reverse_bucket_order() {
        // With one bucket, the most recently inserted node comes first.
        assert_eq!(iteration_order(&[7]), vec![0]);
        // The second insertion grows the map to four buckets.
        assert_eq!(iteration_order(&[1, 0]), vec![1, 0]);
        assert_eq!(iteration_order(&[0, 4]), vec![0, 1]);
        // Still four buckets for three and four nodes: bucket 0 holds the
        // hashes 0, 4 and 8, latest first except for the two that were
        // reversed by the growth.
        assert_eq!(iteration_order(&[0, 4, 8]), vec![2, 0, 1]);
    }

    #[test]
    fn uuid_hash_is_the_first_word() {
        let bytes = [
            0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0, 0, 0, 0, 0, 0, 0, 1,
        ];
        assert_eq!(hash_uuid(&bytes), 0x0123_4567);
    }

    /// A literal `hmap`: buckets of `(hash, item)`, heads first.
    struct Buckets {
        mask: usize,
        buckets: Vec<Vec<(u32, usize)>>,
    }

    impl Buckets {
        fn new() -> Buckets {
            Buckets {
                mask: 0,
                buckets: vec![Vec::new()],
            }
        }

        fn len(&self) -> usize {
            self.buckets.iter().map(Vec::len).sum()
        }

        fn insert(&mut self, hash: u32, item: usize) {
            self.buckets[hash as usize & self.mask].insert(0, (hash, item));
            let n = self.len();
            if n / 2 > self.mask {
                let new_mask = calc_mask(n);
                if new_mask > self.mask {
                    let mut buckets = vec![Vec::new(); new_mask + 1];
                    for bucket in &self.buckets {
                        for &(h, it) in bucket {
                            let b: &mut Vec<(u32, usize)> = &mut buckets[h as usize & new_mask];
                            b.insert(0, (h, it));
                        }
                    }
                    self.buckets = buckets;
                    self.mask = new_mask;
                }
            }
        }

        fn remove(&mut self, item: usize) {
            for bucket in &mut self.buckets {
                bucket.retain(|&(_, it)| it != item);
            }
        }

        fn order(&self) -> Vec<usize> {
            self.buckets
                .iter()
                .flat_map(|b| b.iter().map(|&(_, it)| it))
                .collect()
        }
    }

    #[test]
    fn vswitch_table_order_matches_real_list_tables() {
        // The table names in the order a real ovsdb-server 3.1 sends them in
        // get_schema, and the order real `ovsdb-client list-tables` prints.
        let sent = [
            "Controller",
            "Bridge",
            "Queue",
            "IPFIX",
            "NetFlow",
            "Open_vSwitch",
            "CT_Zone",
            "QoS",
            "Datapath",
            "SSL",
            "Port",
            "sFlow",
            "Flow_Sample_Collector_Set",
            "CT_Timeout_Policy",
            "Mirror",
            "Flow_Table",
            "Interface",
            "AutoAttach",
            "Manager",
        ];
        let once: Vec<&str> = shash_order(&sent).into_iter().map(|i| sent[i]).collect();
        let twice: Vec<&str> = shash_order(&once).into_iter().map(|i| once[i]).collect();
        assert_eq!(twice, sent.to_vec());
    }

    proptest! {
        #[test]
        fn order_is_a_permutation(names in prop::collection::hash_set("[a-z_]{1,12}", 0..200)) {
            let names: Vec<String> = names.into_iter().collect();
            let mut order = shash_order(&names);
            order.sort_unstable();
            prop_assert_eq!(order, (0..names.len()).collect::<Vec<_>>());
        }

        /// The compact model agrees with a literal hash map under any mix
        /// of insertions and removals, hashes that collide often included.
        #[test]
        fn model_matches_literal_buckets(
            ops in prop::collection::vec((any::<bool>(), 0u32..64, any::<prop::sample::Index>()), 0..300),
        ) {
            let mut literal = Buckets::new();
            let mut model = HashOrder::new();
            let mut present: Vec<usize> = Vec::new();
            for (i, (insert, hash, pick)) in ops.into_iter().enumerate() {
                if insert || present.is_empty() {
                    let hash = hash.wrapping_mul(0x9e37_79b9) >> (hash % 29);
                    literal.insert(hash, i);
                    model.insert(hash, i);
                    present.push(i);
                } else {
                    let item = present.swap_remove(pick.index(present.len()));
                    literal.remove(item);
                    model.remove(item);
                }
                prop_assert_eq!(model.order(), literal.order());
            }
        }
    }
}
