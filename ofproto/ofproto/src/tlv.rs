//! The switch's tunnel-metadata TLV table: `NXT_TLV_TABLE_MOD` and
//! `NXT_TLV_TABLE_REQUEST` as OVS's `handle_tlv_table_mod` and
//! `handle_tlv_table_request` answer them.
//!
//! OVS keeps two structures in step (the option placement table and the
//! `vl_mff_map` of field widths with use counts); here one [`TlvTable`]
//! serves both, and the use counts are read off the flow tables when a
//! mapping is about to go, which gives the same answers without
//! bookkeeping on every flow change.

use ovs_flow::{TlvError, TlvTable, tlv::TUN_METADATA_NUM_OPTS};
use ovs_ofp_core::OfpErr;
use ovs_ofp_msgs::{TlvMap, TlvTableMod, TlvTableReply, nx::tlv_command};

use crate::ofproto::Ofproto;
use crate::tables::Tables;

fn tlv_error(e: TlvError) -> OfpErr {
    match e {
        TlvError::AlreadyMapped => OfpErr::NxttmfcAlreadyMapped,
        TlvError::DupEntry => OfpErr::NxttmfcDupEntry,
        TlvError::BadFieldIdx => OfpErr::NxttmfcBadFieldIdx,
        _ => OfpErr::NxttmfcTableFull,
    }
}

/// The mod applied to `table`, or the error OVS answers (in OVS's order:
/// the placement table's own errors first, then the use check). `in_use`
/// has bit N set if some flow still refers to `tun_metadata<N>`.
pub fn apply_tlv_table_mod(
    table: &TlvTable,
    ttm: &TlvTableMod,
    in_use: u64,
) -> Result<TlvTable, OfpErr> {
    let used = |index: usize| index < 64 && in_use & (1u64 << index) != 0;
    match ttm.command {
        tlv_command::ADD => {
            let mut new = table.clone();
            for m in &ttm.mappings {
                new.add(
                    usize::from(m.index),
                    m.option_class,
                    m.option_type,
                    m.option_len,
                )
                .map_err(tlv_error)?;
            }
            Ok(new)
        }
        tlv_command::DELETE => {
            // Every mapping is checked before any is removed, so a failed
            // delete changes nothing.
            for m in &ttm.mappings {
                let index = usize::from(m.index);
                if index >= TUN_METADATA_NUM_OPTS {
                    return Err(OfpErr::NxttmfcBadFieldIdx);
                }
                if table.get(index).is_some() && used(index) {
                    return Err(OfpErr::NxttmfcInvalidTlvDel);
                }
            }
            let mut new = table.clone();
            for m in &ttm.mappings {
                new.remove(usize::from(m.index));
            }
            Ok(new)
        }
        tlv_command::CLEAR => {
            if table.iter().any(|(index, _)| used(index)) {
                return Err(OfpErr::NxttmfcInvalidTlvDel);
            }
            Ok(TlvTable::new())
        }
        _ => Err(OfpErr::NxttmfcBadCommand),
    }
}

/// The `NXT_TLV_TABLE_REPLY` for `table`: mappings by field index.
pub fn tlv_table_reply(table: &TlvTable) -> TlvTableReply {
    TlvTableReply {
        max_option_space: ovs_flow::tlv::TUN_METADATA_TOT_OPT_SIZE as u32,
        max_fields: TUN_METADATA_NUM_OPTS as u16,
        mappings: table
            .iter()
            .map(|(index, e)| TlvMap {
                option_class: e.option_class,
                option_type: e.option_type,
                option_len: e.option_len,
                index: index as u16,
            })
            .collect(),
    }
}

impl Tables {
    /// Bit N set if a flow matches on or acts on `tun_metadata<N>` (the
    /// references OVS counts in its `vl_mff_map`).
    pub fn tlv_in_use(&self) -> u64 {
        let all = ovs_flow::Match::catchall();
        let mut bits = 0u64;
        for table in &self.tables {
            for (view, _, rule) in table.cls.iter_loose(&all) {
                bits |= view.to_match().tun_metadata_matched();
                bits |= ovs_ofp_actions::tun_metadata_used(&rule.actions);
            }
        }
        bits
    }
}

impl Ofproto {
    pub(crate) fn tlv_table_mod(&mut self, ttm: &TlvTableMod) -> Result<(), OfpErr> {
        self.tlv = apply_tlv_table_mod(&self.tlv, ttm, self.tables.tlv_in_use())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(class: u16, type_: u8, len: u8, index: u16) -> TlvMap {
        TlvMap {
            option_class: class,
            option_type: type_,
            option_len: len,
            index,
        }
    }

    fn tm(command: u16, mappings: Vec<TlvMap>) -> TlvTableMod {
        TlvTableMod { command, mappings }
    }

    #[test]
    fn add_delete_clear_as_ovs_does() {
        let t = TlvTable::new();
        let t =
            apply_tlv_table_mod(&t, &tm(tlv_command::ADD, vec![map(0xffff, 0, 4, 0)]), 0).unwrap();
        let t = apply_tlv_table_mod(
            &t,
            &tm(
                tlv_command::ADD,
                vec![map(0xffff, 1, 8, 1), map(0x0102, 0x80, 124, 2)],
            ),
            0,
        )
        .unwrap();
        assert_eq!(
            apply_tlv_table_mod(&t, &tm(tlv_command::ADD, vec![map(0xffff, 2, 4, 0)]), 0),
            Err(OfpErr::NxttmfcAlreadyMapped)
        );
        assert_eq!(
            apply_tlv_table_mod(&t, &tm(tlv_command::ADD, vec![map(0xffff, 1, 4, 5)]), 0),
            Err(OfpErr::NxttmfcDupEntry)
        );
        assert_eq!(
            apply_tlv_table_mod(&t, &tm(tlv_command::ADD, vec![map(9, 9, 124, 5)]), 0),
            Err(OfpErr::NxttmfcTableFull)
        );
        let reply = tlv_table_reply(&t);
        assert_eq!(
            reply.mappings,
            vec![
                map(0xffff, 0, 4, 0),
                map(0xffff, 1, 8, 1),
                map(0x0102, 0x80, 124, 2)
            ]
        );
        assert_eq!((reply.max_option_space, reply.max_fields), (256, 64));
        // A mapping a flow uses cannot go, alone or with the others.
        let del0 = tm(tlv_command::DELETE, vec![map(0xffff, 0, 4, 0)]);
        assert_eq!(
            apply_tlv_table_mod(&t, &del0, 0b1),
            Err(OfpErr::NxttmfcInvalidTlvDel)
        );
        assert_eq!(
            apply_tlv_table_mod(&t, &tm(tlv_command::CLEAR, vec![]), 0b100),
            Err(OfpErr::NxttmfcInvalidTlvDel)
        );
        let t = apply_tlv_table_mod(&t, &del0, 0b10).unwrap();
        assert_eq!(t.field_len(0), None);
        // Deleting what is not mapped is fine.
        let t = apply_tlv_table_mod(&t, &del0, 0).unwrap();
        let t = apply_tlv_table_mod(&t, &tm(tlv_command::CLEAR, vec![]), 0).unwrap();
        assert!(t.is_empty());
    }
}
