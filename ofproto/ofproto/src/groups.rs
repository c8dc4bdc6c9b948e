//! Groups and meters as OVS's ofproto keeps them: stored, reported, and
//! taking the flows that use them along when deleted.

use std::sync::Arc;

use ovs_ofp_core::{OfpErr, OfpPort};
use ovs_ofp_msgs::group::{
    BUCKET_ALL, BUCKET_FIRST, BUCKET_LAST, BUCKET_MAX, Bucket, GroupDesc, GroupMod, GroupStats,
    group_command, group_type,
};
use ovs_ofp_msgs::meter::{MeterConfig, MeterMod, MeterStats, meter_command};

use crate::ofproto::Ofproto;
use crate::rule::RuleStats;
use crate::tables::{Criteria, FlowModEffects, GROUP_ANY, RemovedReason, TABLE_ALL};

/// `OFPG_MAX`: the largest group number a controller may use.
pub const OFPG_MAX: u32 = 0xffff_ff00;
/// `OFPG_ALL`.
pub const OFPG_ALL: u32 = 0xffff_fffc;
/// `OFPM13_MAX`, `OFPM13_SLOWPATH`, `OFPM13_CONTROLLER`, `OFPM13_ALL`.
pub const OFPM_MAX: u32 = 0xffff_0000;
pub const OFPM_SLOWPATH: u32 = 0xffff_fffd;
pub const OFPM_CONTROLLER: u32 = 0xffff_fffe;
pub const OFPM_ALL: u32 = 0xffff_ffff;
/// dpif-netdev's meter limits.
pub const MAX_METERS: u32 = 1 << 18;
pub const MAX_BANDS: usize = 8;

/// A group in the group table.
#[derive(Clone, Debug)]
pub struct Group {
    pub desc: GroupDesc,
    pub created: u64,
    /// The group's counters, shared by every copy (translation snapshots
    /// credit them as packets go through, like rule counters).
    pub stats: Arc<RuleStats>,
    /// One per bucket, in `desc.buckets` order.
    pub bucket_stats: Vec<Arc<RuleStats>>,
}

impl Group {
    /// A group with zero counters; OVS also starts them over whenever a
    /// group mod changes the group.
    pub fn new(desc: GroupDesc, now: u64) -> Group {
        let bucket_stats = desc.buckets.iter().map(|_| RuleStats::new(now)).collect();
        Group {
            desc,
            created: now,
            stats: RuleStats::new(now),
            bucket_stats,
        }
    }

    fn reset_stats(&mut self, now: u64) {
        self.stats = RuleStats::new(now);
        self.bucket_stats = self
            .desc
            .buckets
            .iter()
            .map(|_| RuleStats::new(now))
            .collect();
    }
}

/// A meter in the meter table.
#[derive(Clone, Debug)]
pub struct Meter {
    pub config: MeterConfig,
    pub created: u64,
}

fn duration(created: u64, now: u64) -> (u32, u32) {
    let ms = now.saturating_sub(created);
    (
        u32::try_from(ms / 1000).unwrap_or(u32::MAX),
        ((ms % 1000) * 1_000_000) as u32,
    )
}

impl Ofproto {
    /// OFPT_GROUP_MOD (OVS's `handle_group_mod`).
    pub fn group_mod(&mut self, gm: &GroupMod, now: u64) -> Result<FlowModEffects, OfpErr> {
        let mut fx = FlowModEffects::default();
        let command = gm.command;
        if command == group_command::DELETE {
            let ids: Vec<u32> = if gm.group_id == OFPG_ALL {
                self.groups.keys().copied().collect()
            } else {
                vec![gm.group_id]
            };
            for id in ids {
                if self.groups.remove(&id).is_some() {
                    self.delete_flows_using(Some(id), None, &mut fx);
                }
            }
            return Ok(fx);
        }
        if gm.group_id > OFPG_MAX {
            return Err(OfpErr::OfpgmfcInvalidGroup);
        }
        if gm.group_type > group_type::FF
            && command != group_command::INSERT_BUCKET
            && command != group_command::REMOVE_BUCKET
        {
            return Err(OfpErr::OfpgmfcBadType);
        }
        let exists = self.groups.contains_key(&gm.group_id);
        let command = match command {
            group_command::ADD_OR_MOD if exists => group_command::MODIFY,
            group_command::ADD_OR_MOD => group_command::ADD,
            c => c,
        };
        match command {
            group_command::ADD => {
                if exists {
                    return Err(OfpErr::OfpgmfcGroupExists);
                }
                let desc = GroupDesc {
                    group_type: gm.group_type,
                    group_id: gm.group_id,
                    buckets: gm.buckets.clone(),
                    props: gm.props.clone(),
                };
                self.groups.insert(gm.group_id, Group::new(desc, now));
            }
            group_command::MODIFY => {
                if !exists {
                    return Err(OfpErr::OfpgmfcUnknownGroup);
                }
                if let Some(g) = self.groups.get_mut(&gm.group_id) {
                    g.desc.group_type = gm.group_type;
                    g.desc.buckets = gm.buckets.clone();
                    g.desc.props = gm.props.clone();
                    g.reset_stats(now);
                }
            }
            group_command::INSERT_BUCKET => {
                let Some(g) = self.groups.get(&gm.group_id) else {
                    return Err(OfpErr::OfpgmfcUnknownGroup);
                };
                let buckets = insert_buckets(&g.desc.buckets, &gm.buckets, gm.command_bucket_id)?;
                if let Some(g) = self.groups.get_mut(&gm.group_id) {
                    g.desc.buckets = buckets;
                    g.reset_stats(now);
                }
            }
            group_command::REMOVE_BUCKET => {
                let Some(g) = self.groups.get_mut(&gm.group_id) else {
                    return Err(OfpErr::OfpgmfcUnknownGroup);
                };
                let id = gm.command_bucket_id;
                let skip = match id {
                    BUCKET_ALL => None,
                    BUCKET_FIRST => g.desc.buckets.first().map(|b| b.bucket_id),
                    BUCKET_LAST => g.desc.buckets.last().map(|b| b.bucket_id),
                    _ if g.desc.buckets.iter().any(|b| b.bucket_id == id) => Some(id),
                    _ => return Err(OfpErr::OfpgmfcUnknownBucket),
                };
                match skip {
                    None => g.desc.buckets.clear(),
                    Some(s) => g.desc.buckets.retain(|b| b.bucket_id != s),
                }
                g.reset_stats(now);
            }
            _ => return Err(OfpErr::OfpgmfcBadCommand),
        }
        Ok(fx)
    }

    /// Deletes every flow that outputs to `group` or uses `meter`.
    fn delete_flows_using(
        &mut self,
        group: Option<u32>,
        meter: Option<u32>,
        fx: &mut FlowModEffects,
    ) {
        let target = ovs_flow::Match::catchall();
        if let Some(g) = group {
            let c = Criteria {
                table_id: TABLE_ALL,
                target: &target,
                strict_priority: None,
                cookie: 0,
                cookie_mask: 0,
                out_port: OfpPort::NONE,
                out_group: g,
            };
            let _ = self.tables.delete(&c, RemovedReason::GroupDelete, fx);
        }
        if let Some(m) = meter {
            let all = Criteria {
                table_id: TABLE_ALL,
                target: &target,
                strict_priority: None,
                cookie: 0,
                cookie_mask: 0,
                out_port: OfpPort::NONE,
                out_group: GROUP_ANY,
            };
            if let Ok(sel) = self.tables.collect(&all) {
                for s in sel {
                    let uses = self
                        .tables
                        .get(&s)
                        .is_some_and(|r| crate::actions::meters(&r.actions).contains(&m));
                    if uses
                        && let Some(rule) = self.tables.tables[usize::from(s.table_id)]
                            .cls
                            .remove(&s.matches, s.priority)
                    {
                        fx.removed.push(crate::tables::Removed {
                            table_id: s.table_id,
                            matches: s.matches,
                            priority: s.priority,
                            rule,
                            reason: RemovedReason::MeterDelete,
                        });
                    }
                }
            }
        }
    }

    /// Group statistics for `group_id` (or all).
    pub fn group_stats(&self, group_id: u32, now: u64) -> Vec<GroupStats> {
        self.groups
            .values()
            .filter(|g| group_id == OFPG_ALL || g.desc.group_id == group_id)
            .map(|g| {
                let (duration_sec, duration_nsec) = duration(g.created, now);
                GroupStats {
                    group_id: g.desc.group_id,
                    ref_count: self.group_ref_count(g.desc.group_id),
                    packet_count: g.stats.packets(),
                    byte_count: g.stats.bytes(),
                    duration_sec,
                    duration_nsec,
                    bucket_stats: g
                        .desc
                        .buckets
                        .iter()
                        .enumerate()
                        .map(|(i, _)| {
                            g.bucket_stats
                                .get(i)
                                .map_or((0, 0), |s| (s.packets(), s.bytes()))
                        })
                        .collect(),
                }
            })
            .collect()
    }

    /// Flows whose actions use meter `meter_id`.
    fn meter_flow_count(&self, meter_id: u32) -> u32 {
        let target = ovs_flow::Match::catchall();
        let c = Criteria {
            table_id: TABLE_ALL,
            target: &target,
            strict_priority: None,
            cookie: 0,
            cookie_mask: 0,
            out_port: OfpPort::NONE,
            out_group: GROUP_ANY,
        };
        let mut n = 0;
        let _ = self.tables.visit(&c, |_, _, _, rule| {
            if crate::actions::meters(&rule.actions).contains(&meter_id) {
                n += 1;
            }
        });
        n
    }

    fn group_ref_count(&self, group_id: u32) -> u32 {
        let target = ovs_flow::Match::catchall();
        let c = Criteria {
            table_id: TABLE_ALL,
            target: &target,
            strict_priority: None,
            cookie: 0,
            cookie_mask: 0,
            out_port: OfpPort::NONE,
            out_group: group_id,
        };
        self.tables.collect(&c).map(|v| v.len() as u32).unwrap_or(0)
    }

    /// Group descriptions for `group_id` (or all).
    pub fn group_descs(&self, group_id: u32) -> Vec<GroupDesc> {
        self.groups
            .values()
            .filter(|g| group_id == OFPG_ALL || g.desc.group_id == group_id)
            .map(|g| g.desc.clone())
            .collect()
    }

    /// OFPT_METER_MOD (OVS's `handle_meter_mod`).
    pub fn meter_mod(&mut self, mm: &MeterMod, now: u64) -> Result<FlowModEffects, OfpErr> {
        let mut fx = FlowModEffects::default();
        let id = mm.meter_id;
        if mm.command != meter_command::DELETE {
            if id == 0 || (id > OFPM_MAX && id != OFPM_SLOWPATH && id != OFPM_CONTROLLER) {
                return Err(OfpErr::OfpmmfcInvalidMeter);
            }
            if mm.bands.len() > MAX_BANDS {
                return Err(OfpErr::OfpmmfcOutOfBands);
            }
            // The userspace datapath implements drop bands only.
            if mm
                .bands
                .iter()
                .any(|b| b.band_type != ovs_ofp_msgs::meter::band_type::DROP)
            {
                return Err(OfpErr::OfpmmfcBadBand);
            }
        }
        let config = MeterConfig {
            meter_id: id,
            flags: mm.flags,
            bands: mm.bands.clone(),
        };
        match mm.command {
            meter_command::ADD => {
                if self.meters.contains_key(&id) {
                    return Err(OfpErr::OfpmmfcMeterExists);
                }
                self.meters.insert(
                    id,
                    Meter {
                        config,
                        created: now,
                    },
                );
                self.meter_order
                    .insert(ovs_shash::hash_int(id, 0), id as usize);
            }
            meter_command::MODIFY => match self.meters.get_mut(&id) {
                Some(m) => m.config = config,
                None => return Err(OfpErr::OfpmmfcUnknownMeter),
            },
            meter_command::DELETE => {
                if id != 0 {
                    let ids: Vec<u32> = if id == OFPM_ALL {
                        self.meters.keys().copied().collect()
                    } else {
                        vec![id]
                    };
                    for m in ids {
                        if self.meters.remove(&m).is_some() {
                            self.meter_order.remove(m as usize);
                            self.delete_flows_using(None, Some(m), &mut fx);
                        }
                    }
                }
            }
            _ => return Err(OfpErr::OfpmmfcBadCommand),
        }
        Ok(fx)
    }

    /// Meter configurations for `meter_id` (or all).
    pub fn meter_configs(&self, meter_id: u32) -> Vec<MeterConfig> {
        self.meters_in_order()
            .filter(|m| meter_id == OFPM_ALL || m.config.meter_id == meter_id)
            .map(|m| m.config.clone())
            .collect()
    }

    /// The meters in OVS's hash-map order.
    fn meters_in_order(&self) -> impl Iterator<Item = &Meter> {
        self.meter_order
            .order()
            .into_iter()
            .filter_map(|id| self.meters.get(&(id as u32)))
    }

    /// Meter statistics for `meter_id` (or all).
    pub fn meter_stats(&self, meter_id: u32, now: u64) -> Vec<MeterStats> {
        self.meters_in_order()
            .filter(|m| meter_id == OFPM_ALL || m.config.meter_id == meter_id)
            .map(|m| {
                let (duration_sec, duration_nsec) = duration(m.created, now);
                MeterStats {
                    meter_id: m.config.meter_id,
                    flow_count: self.meter_flow_count(m.config.meter_id),
                    packet_in_count: 0,
                    byte_in_count: 0,
                    duration_sec,
                    duration_nsec,
                    bands: m.config.bands.iter().map(|_| (0, 0)).collect(),
                }
            })
            .collect()
    }
}

/// OFPGC15_INSERT_BUCKET: `new` goes before the first, after the last, or
/// after the bucket with the given id; ids must stay unique.
fn insert_buckets(old: &[Bucket], new: &[Bucket], at: u32) -> Result<Vec<Bucket>, OfpErr> {
    let mut out: Vec<Bucket> = old.to_vec();
    let pos = match at {
        BUCKET_FIRST => 0,
        BUCKET_LAST | BUCKET_ALL => out.len(),
        id if id <= BUCKET_MAX => match out.iter().position(|b| b.bucket_id == id) {
            Some(i) => i + 1,
            None => return Err(OfpErr::OfpgmfcUnknownBucket),
        },
        _ => out.len(),
    };
    for b in new {
        if out.iter().any(|o| o.bucket_id == b.bucket_id) {
            return Err(OfpErr::OfpgmfcBucketExists);
        }
    }
    out.splice(pos..pos, new.iter().cloned());
    Ok(out)
}
