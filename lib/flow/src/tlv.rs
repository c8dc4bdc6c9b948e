//! The switch's tunnel-metadata TLV table (OVS's `tun_table` together with
//! its `vl_mff_map`): which Geneve option (class, type, length) each
//! `tun_metadata<N>` field stands for, and where in the flow's 256-byte
//! option area its bytes live.
//!
//! The area is handed out in 4-byte units the way OVS's allocator does it
//! (first run long enough, else the longest run, chained), so a table built
//! by the same sequence of additions and deletions places every option
//! where OVS would. Placement only has to stay put while flows use an
//! option, which the switch guarantees by refusing to unmap options that
//! flows still reference.

/// Number of `tun_metadata<N>` fields (`TUN_METADATA_NUM_OPTS`).
pub const TUN_METADATA_NUM_OPTS: usize = 64;
/// Bytes of option space in a flow (`TUN_METADATA_TOT_OPT_SIZE`).
pub const TUN_METADATA_TOT_OPT_SIZE: usize = 256;
/// Longest option a mapping may have (`TLV_MAX_OPT_SIZE`).
pub const TLV_MAX_OPT_SIZE: u8 = 124;

/// Allocation granule of the option area: Geneve option lengths are
/// multiples of 4, so the bitmap has one bit per 4 bytes.
const UNIT: usize = 4;
const UNITS: usize = TUN_METADATA_TOT_OPT_SIZE / UNIT;

/// Why a mapping could not be added (the `NXTTMFC_*` codes OVS answers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlvError {
    /// The field index already has a mapping (`NXTTMFC_ALREADY_MAPPED`).
    AlreadyMapped,
    /// Another field already maps this class and type
    /// (`NXTTMFC_DUP_ENTRY`).
    DupEntry,
    /// No room left in the option area (`NXTTMFC_TABLE_FULL`).
    TableFull,
    /// Field index of 64 or more (`NXTTMFC_BAD_FIELD_IDX`).
    BadFieldIdx,
}

impl std::fmt::Display for TlvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TlvError::AlreadyMapped => "field index already mapped",
            TlvError::DupEntry => "option class and type already mapped",
            TlvError::TableFull => "no space left for tunnel metadata",
            TlvError::BadFieldIdx => "tunnel metadata field index out of range",
        })
    }
}

impl std::error::Error for TlvError {}

/// One mapped option.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TlvEntry {
    pub option_class: u16,
    pub option_type: u8,
    /// Bytes of option data, a multiple of 4 up to [`TLV_MAX_OPT_SIZE`];
    /// the mapped field is this wide.
    pub option_len: u8,
    /// Pieces of the option area holding the data, in data order: byte
    /// offset into the area and length.
    chunks: Vec<(u8, u8)>,
}

impl TlvEntry {
    /// Offsets (into the 256-byte option area) of the option's bytes, in
    /// data order.
    fn byte_offsets(&self) -> impl Iterator<Item = usize> + '_ {
        self.chunks
            .iter()
            .flat_map(|&(off, len)| usize::from(off)..usize::from(off) + usize::from(len))
    }
}

/// The table: up to 64 mappings sharing 256 bytes of option space.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TlvTable {
    entries: Vec<Option<TlvEntry>>,
    /// Bit `i` set: bytes `4i .. 4i + 4` of the area are taken.
    used: u64,
}

impl TlvTable {
    /// An empty table.
    pub fn new() -> TlvTable {
        TlvTable::default()
    }

    /// True if nothing is mapped.
    pub fn is_empty(&self) -> bool {
        self.entries.iter().all(Option::is_none)
    }

    /// The mapping of `tun_metadata<index>`.
    pub fn get(&self, index: usize) -> Option<&TlvEntry> {
        self.entries.get(index).and_then(Option::as_ref)
    }

    /// The mapped width in bytes of `tun_metadata<index>`, if mapped (OVS's
    /// `vl_mff_map` lookup).
    pub fn field_len(&self, index: usize) -> Option<u8> {
        self.get(index).map(|e| e.option_len)
    }

    /// The mappings in field-index order, as OVS lists them in a
    /// `NXT_TLV_TABLE_REPLY`.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &TlvEntry)> {
        self.entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| e.as_ref().map(|e| (i, e)))
    }

    /// Maps `tun_metadata<index>` to option `class`/`type_` of `len` bytes
    /// (OVS's `tun_metadata_add_entry`). `len` must already be a valid
    /// option length (a multiple of 4, at most 124), as the message decoder
    /// checks. On error the table is unchanged.
    pub fn add(&mut self, index: usize, class: u16, type_: u8, len: u8) -> Result<(), TlvError> {
        if index >= TUN_METADATA_NUM_OPTS {
            return Err(TlvError::BadFieldIdx);
        }
        if self.get(index).is_some() {
            return Err(TlvError::AlreadyMapped);
        }
        if self
            .iter()
            .any(|(_, e)| e.option_class == class && e.option_type == type_)
        {
            return Err(TlvError::DupEntry);
        }
        let mut used = self.used;
        let mut chunks = Vec::new();
        let mut remaining = usize::from(len) / UNIT;
        while remaining > 0 {
            let (start, n) = alloc_run(used, remaining).ok_or(TlvError::TableFull)?;
            used |= run_bits(start, n);
            chunks.push(((start * UNIT) as u8, (n * UNIT) as u8));
            remaining -= n;
        }
        self.used = used;
        if self.entries.len() < TUN_METADATA_NUM_OPTS {
            self.entries.resize(TUN_METADATA_NUM_OPTS, None);
        }
        if let Some(slot) = self.entries.get_mut(index) {
            *slot = Some(TlvEntry {
                option_class: class,
                option_type: type_,
                option_len: len,
                chunks,
            });
        }
        Ok(())
    }

    /// Unmaps `tun_metadata<index>` and frees its space (OVS's
    /// `tun_metadata_del_entry`); nothing happens if it is not mapped.
    pub fn remove(&mut self, index: usize) {
        let Some(entry) = self.entries.get_mut(index).and_then(Option::take) else {
            return;
        };
        for (off, len) in entry.chunks {
            self.used &= !run_bits(usize::from(off) / UNIT, usize::from(len) / UNIT);
        }
    }

    /// Offsets into the option area of the bytes of `tun_metadata<index>`,
    /// in data order, if it is mapped.
    pub fn byte_offsets(&self, index: usize) -> Option<Vec<usize>> {
        self.get(index).map(|e| e.byte_offsets().collect())
    }
}

fn run_bits(start: usize, n: usize) -> u64 {
    let ones = if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
    ones.checked_shl(start as u32).unwrap_or(0)
}

fn is_used(used: u64, unit: usize) -> bool {
    unit < UNITS && used & (1u64 << unit) != 0
}

/// OVS's `tun_metadata_alloc_chain`: the first free run of `want` units,
/// or else the longest free run (the earliest among equals). `None` if the
/// area is full.
fn alloc_run(used: u64, want: usize) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    let mut scan = 0;
    while scan < UNITS {
        let Some(start) = (scan..UNITS).find(|u| !is_used(used, *u)) else {
            break;
        };
        let limit = (start + want).min(UNITS);
        let end = (start..limit).find(|u| is_used(used, *u)).unwrap_or(limit);
        let n = end - start;
        if n == want {
            return Some((start, n));
        }
        if n > best.map_or(0, |b| b.1) {
            best = Some((start, n));
        }
        scan = end + 1;
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_in_order_and_lists_by_index() {
        let mut t = TlvTable::new();
        t.add(2, 0x0102, 0x80, 124).unwrap();
        t.add(0, 0xffff, 0, 4).unwrap();
        assert_eq!(t.byte_offsets(2).unwrap(), (0..124).collect::<Vec<_>>());
        assert_eq!(t.byte_offsets(0).unwrap(), (124..128).collect::<Vec<_>>());
        let listed: Vec<usize> = t.iter().map(|(i, _)| i).collect();
        assert_eq!(listed, vec![0, 2]);
        assert_eq!(t.field_len(2), Some(124));
        assert_eq!(t.field_len(1), None);
    }

    #[test]
    fn errors_follow_ovs_order() {
        let mut t = TlvTable::new();
        t.add(0, 0xffff, 0, 4).unwrap();
        assert_eq!(t.add(0, 0xffff, 1, 4), Err(TlvError::AlreadyMapped));
        assert_eq!(t.add(1, 0xffff, 0, 4), Err(TlvError::DupEntry));
        assert_eq!(t.add(64, 1, 1, 4), Err(TlvError::BadFieldIdx));
        t.add(1, 1, 1, 124).unwrap();
        t.add(2, 1, 2, 124).unwrap();
        // 252 of 256 bytes taken.
        let before = t.clone();
        assert_eq!(t.add(3, 1, 3, 8), Err(TlvError::TableFull));
        assert_eq!(t, before);
        t.add(3, 1, 3, 4).unwrap();
        assert_eq!(t.add(4, 1, 4, 0), Ok(()));
        assert_eq!(t.byte_offsets(4), Some(Vec::new()));
    }

    #[test]
    fn fragmented_space_is_chained() {
        let mut t = TlvTable::new();
        for i in 0..8 {
            t.add(i, 1, i as u8, 32).unwrap();
        }
        // Free units 0-1 (bytes 0..8) and bytes 64..96.
        t.remove(0);
        t.remove(2);
        assert_eq!(t.add(0, 2, 0, 8), Ok(()));
        assert_eq!(t.byte_offsets(0).unwrap(), (0..8).collect::<Vec<_>>());
        t.remove(4);
        t.remove(0);
        // Free: bytes 0..32, 64..96 and 128..160. No run fits 40 bytes, so
        // the earliest longest run goes first, then the first run that
        // fits the rest.
        assert_eq!(t.add(9, 2, 9, 40), Ok(()));
        let mut want: Vec<usize> = (0..32).collect();
        want.extend(64..72);
        assert_eq!(t.byte_offsets(9).unwrap(), want);
        t.remove(9);
        assert_eq!(t.used & run_bits(0, 2), 0);
    }
}
