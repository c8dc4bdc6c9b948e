//! The order of a table's rows in OVS's `hmap` (keyed by `uuid_hash`), which
//! OVS's results expose wherever it walks a table: which row of a group
//! of duplicates a `select` without `_uuid` keeps, the order rows are
//! converted in, and the order of rows in a compacted log.
//!
//! Each table keeps an [`HmapModel`] and each row its [`HmapSlot`]; the
//! transaction executor reports insertions and removals in the order OVS
//! makes them (as operations run, and in hash order of a log record's
//! members when replaying).

use ovs_shash::{HmapModel, HmapSlot};
use uuid::Uuid;

use crate::row::Row;

/// OVS's hash of a row: `uuid_hash` of its UUID.
pub(crate) fn row_hash(u: &Uuid) -> u32 {
    ovs_shash::hash_uuid(u.as_bytes())
}

/// The sort key that puts rows in `HMAP_FOR_EACH` order, packed into one
/// integer for fast sorting.
pub(crate) fn row_key(model: &HmapModel, u: &Uuid, place: HmapSlot) -> u128 {
    let (bucket, rank) = model.order_key(row_hash(u), place);
    // Flipping the sign bit orders the ranks as unsigned numbers.
    ((bucket as u128) << 64) | u128::from((rank as u64) ^ (1 << 63))
}

/// `rows` (all of one table) in `HMAP_FOR_EACH` order.
pub(crate) fn sort_rows(model: &HmapModel, rows: &mut Vec<&Row>) {
    let mut keyed: Vec<(u128, &Row)> = rows
        .iter()
        .map(|r| (row_key(model, r.uuid_ref(), r.place), *r))
        .collect();
    keyed.sort_unstable_by_key(|&(k, _)| k);
    rows.clear();
    rows.extend(keyed.into_iter().map(|(_, r)| r));
}

/// The order in which OVS writes the members of a JSON object built by
/// inserting `names` in the given order: a permutation of their indexes.
pub(crate) fn member_order<S: AsRef<[u8]>>(names: &[S]) -> Vec<usize> {
    let hashes: Vec<u32> = names
        .iter()
        .map(|n| ovs_shash::hash_bytes(n.as_ref(), 0))
        .collect();
    ovs_shash::iteration_order(&hashes)
}
