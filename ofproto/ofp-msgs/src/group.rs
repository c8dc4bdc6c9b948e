//! Groups: group_mod (OpenFlow 1.1-1.4, 1.5, and Nicira's OpenFlow 1.0
//! form of the 1.5 message), group statistics, descriptions and features.

use ovs_ofp_actions::{Action, decode_actions, encode_actions};
use ovs_ofp_core::{OfpErr, OfpPort, Reader, Version, Writer};
use ovs_ofp_match::FieldHeader;

use crate::error::EncodeError;
use crate::prop;
use crate::util::{OFPG_ANY, short};

/// Group types (`OFPGT11_*`).
pub mod group_type {
    pub const ALL: u8 = 0;
    pub const SELECT: u8 = 1;
    pub const INDIRECT: u8 = 2;
    pub const FF: u8 = 3;
}

/// Group mod commands (`OFPGC15_*`, OVS's `OFPGC11_ADD_OR_MOD`).
pub mod group_command {
    pub const ADD: u16 = 0;
    pub const MODIFY: u16 = 1;
    pub const DELETE: u16 = 2;
    pub const INSERT_BUCKET: u16 = 3;
    pub const REMOVE_BUCKET: u16 = 5;
    pub const ADD_OR_MOD: u16 = 0x8000;
}

/// `OFPG15_BUCKET_MAX`: the largest real bucket ID.
pub const BUCKET_MAX: u32 = 0xffff_ff00;
/// `OFPG15_BUCKET_FIRST`.
pub const BUCKET_FIRST: u32 = 0xffff_fffd;
/// `OFPG15_BUCKET_LAST`.
pub const BUCKET_LAST: u32 = 0xffff_fffe;
/// `OFPG15_BUCKET_ALL`.
pub const BUCKET_ALL: u32 = 0xffff_ffff;

/// Netronome's experimenter ID (group selection method).
pub const NTR_VENDOR_ID: u32 = 0x0000_154d;
/// The wrong ID OVS 2.4 used, still accepted.
pub const NTR_COMPAT_VENDOR_ID: u32 = 0x0000_1540;
const NTRT_SELECTION_METHOD: u32 = 1;
const SELECTION_METHOD_LEN: usize = 16;

/// One bucket (OVS's `ofputil_bucket`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bucket {
    pub bucket_id: u32,
    pub weight: u16,
    /// `OFPP_ANY` (`OfpPort::NONE`) for none.
    pub watch_port: OfpPort,
    /// `OFPG_ANY` for none.
    pub watch_group: u32,
    pub actions: Vec<Action>,
}

impl Bucket {
    /// True if the bucket watches a port or group.
    pub fn has_liveness(&self) -> bool {
        self.watch_port != OfpPort::NONE || self.watch_group != OFPG_ANY
    }
}

/// Group properties (OVS's `ofputil_group_props`): Netronome's selection
/// method extension.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupProps {
    /// "hash" or "dp_hash"; empty for none.
    pub selection_method: String,
    pub selection_method_param: u64,
    /// OXM headers and values (as masks) of the fields to hash, as on the
    /// wire.
    pub fields: Vec<u8>,
}

fn decode_ofp11_buckets(
    version: Version,
    r: &mut Reader<'_>,
    mut len: usize,
) -> Result<Vec<Bucket>, OfpErr> {
    let mut buckets = Vec::new();
    let mut next_id = 0;
    while len > 0 {
        if len < 16 || r.remaining() < 16 {
            return Err(OfpErr::OfpgmfcBadBucket);
        }
        let ob_len = usize::from(r.u16().map_err(short)?);
        let weight = r.u16().map_err(short)?;
        let watch_port = r.u32().map_err(short)?;
        let watch_group = r.u32().map_err(short)?;
        r.skip(4).map_err(short)?;
        if ob_len < 16 || ob_len > len {
            return Err(OfpErr::OfpgmfcBadBucket);
        }
        len -= ob_len;
        let actions = decode_actions(version, r, ob_len - 16)?;
        let watch_port = OfpPort::from_of11(watch_port).ok_or(OfpErr::OfpgmfcBadWatch)?;
        buckets.push(Bucket {
            bucket_id: next_id,
            weight,
            watch_port,
            watch_group,
            actions,
        });
        next_id += 1;
    }
    Ok(buckets)
}

fn encode_ofp11_bucket(version: Version, b: &Bucket, w: &mut Writer) {
    let start = w.len();
    w.u16(0);
    w.u16(b.weight);
    w.u32(b.watch_port.to_of11());
    w.u32(b.watch_group);
    w.zeros(4);
    encode_actions(version, &b.actions, w);
    let len = w.len() - start;
    w.patch_u16(start, len as u16);
}

fn decode_ofp15_buckets(
    version: Version,
    group_type: u8,
    r: &mut Reader<'_>,
    mut len: usize,
) -> Result<Vec<Bucket>, OfpErr> {
    let mut buckets: Vec<Bucket> = Vec::new();
    while len > 0 {
        let bad = OfpErr::OfpgmfcBadBucket;
        let ob_len = usize::from(r.u16().map_err(|_| bad)?);
        let actions_len = usize::from(r.u16().map_err(|_| bad)?);
        let bucket_id = r.u32().map_err(|_| bad)?;
        if ob_len < 8 || ob_len > len || actions_len > ob_len - 8 {
            return Err(bad);
        }
        len -= ob_len;
        let actions = decode_actions(version, r, actions_len)?;
        let mut props = r.sub(ob_len - 8 - actions_len).map_err(short)?;
        let mut weight = if group_type == group_type::SELECT {
            1
        } else {
            0
        };
        let mut watch_port = OfpPort::NONE.to_of11();
        let mut watch_group = OFPG_ANY;
        while !props.is_empty() {
            let p = prop::pull(&mut props)?;
            match p.prop_type {
                0 => weight = p.u16()?,
                1 => watch_port = p.u32()?,
                2 => watch_group = p.u32()?,
                t => prop::unknown(false, t)?,
            }
        }
        let watch_port = OfpPort::from_of11(watch_port).ok_or(OfpErr::OfpgmfcBadWatch)?;
        if bucket_id > BUCKET_MAX {
            return Err(bad);
        }
        buckets.push(Bucket {
            bucket_id,
            weight,
            watch_port,
            watch_group,
            actions,
        });
    }
    for (i, b) in buckets.iter().enumerate() {
        if buckets[..i].iter().any(|o| o.bucket_id == b.bucket_id) {
            return Err(OfpErr::OfpgmfcBadBucket);
        }
    }
    Ok(buckets)
}

/// Writes OpenFlow 1.5 buckets; bucket IDs above `BUCKET_MAX` get the
/// lowest free ID, as OVS assigns them.
fn encode_ofp15_buckets(version: Version, group_type: u8, buckets: &[Bucket], w: &mut Writer) {
    let mut used: Vec<u32> = buckets
        .iter()
        .map(|b| b.bucket_id)
        .filter(|id| *id <= BUCKET_MAX)
        .collect();
    for b in buckets {
        let id = if b.bucket_id <= BUCKET_MAX {
            b.bucket_id
        } else {
            let mut id = 0;
            while used.contains(&id) {
                id += 1;
            }
            used.push(id);
            id
        };
        let start = w.len();
        w.u16(0);
        w.u16(0);
        w.u32(id);
        let actions_start = w.len();
        encode_actions(version, &b.actions, w);
        let actions_len = w.len() - actions_start;
        if group_type == group_type::SELECT || b.weight != 0 {
            prop::put_u16(w, 0, b.weight);
        }
        if b.watch_port != OfpPort::NONE {
            prop::put_u32(w, 1, b.watch_port.to_of11());
        }
        if b.watch_group != OFPG_ANY {
            prop::put_u32(w, 2, b.watch_group);
        }
        let len = w.len() - start;
        w.patch_u16(start, len as u16);
        w.patch_u16(start + 2, actions_len as u16);
    }
}

fn decode_group_props(
    group_type: u8,
    command: u16,
    r: &mut Reader<'_>,
) -> Result<GroupProps, OfpErr> {
    let mut gp = GroupProps::default();
    while !r.is_empty() {
        let p = prop::pull(r)?;
        if p.prop_type == prop::exp(NTR_VENDOR_ID, NTRT_SELECTION_METHOD)
            || p.prop_type == prop::exp(NTR_COMPAT_VENDOR_ID, NTRT_SELECTION_METHOD)
        {
            match group_type {
                group_type::SELECT => {}
                group_type::ALL | group_type::INDIRECT | group_type::FF => {
                    return Err(OfpErr::OfpbpcBadValue);
                }
                _ => return Err(OfpErr::OfpgmfcBadType),
            }
            match command {
                group_command::ADD | group_command::MODIFY | group_command::ADD_OR_MOD => {}
                group_command::DELETE
                | group_command::INSERT_BUCKET
                | group_command::REMOVE_BUCKET => return Err(OfpErr::OfpbpcBadValue),
                _ => return Err(OfpErr::OfpgmfcBadCommand),
            }
            if p.whole.len() < 40 {
                return Err(OfpErr::OfpbpcBadLen);
            }
            let method = &p.whole[16..16 + SELECTION_METHOD_LEN];
            let Some(n) = method.iter().position(|b| *b == 0) else {
                return Err(OfpErr::OfpbpcBadValue);
            };
            let method = &method[..n];
            if method != b"hash" && method != b"dp_hash" {
                return Err(OfpErr::OfpbpcBadValue);
            }
            gp.selection_method = String::from_utf8_lossy(method).into_owned();
            let mut e = Reader::new(&p.whole[32..40]);
            gp.selection_method_param = e.u64().map_err(short)?;
            let fields = &p.whole[40..];
            if !fields.is_empty() && method != b"hash" {
                return Err(OfpErr::OfpbpcBadValue);
            }
            let mut f = Reader::new(fields);
            while !f.is_empty() {
                let h = FieldHeader::decode(&mut f)?;
                if h.has_mask {
                    return Err(OfpErr::OfpbmcBadMask);
                }
                f.skip(usize::from(h.payload_len))
                    .map_err(|_| OfpErr::OfpbmcBadLen)?;
            }
            gp.fields = fields.to_vec();
        } else {
            prop::unknown(false, p.prop_type)?;
        }
    }
    Ok(gp)
}

fn encode_group_props(gp: &GroupProps, w: &mut Writer) {
    if gp.selection_method.is_empty() {
        return;
    }
    let at = prop::start(w, prop::exp(NTR_VENDOR_ID, NTRT_SELECTION_METHOD));
    w.zeros(4);
    crate::util::put_name(w, &gp.selection_method, SELECTION_METHOD_LEN);
    w.u64(gp.selection_method_param);
    w.bytes(&gp.fields);
    prop::end(w, at);
}

/// `OFPT_GROUP_MOD` (OVS's `ofputil_group_mod`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupMod {
    /// [`group_command`].
    pub command: u16,
    /// [`group_type`].
    pub group_type: u8,
    pub group_id: u32,
    /// For insert/remove bucket (OpenFlow 1.5); `BUCKET_ALL` otherwise.
    pub command_bucket_id: u32,
    pub buckets: Vec<Bucket>,
    pub props: GroupProps,
}

impl GroupMod {
    /// Decodes and checks a group mod (OVS's `ofputil_decode_group_mod`).
    pub(crate) fn decode(version: Version, r: &mut Reader<'_>) -> Result<GroupMod, OfpErr> {
        let gm = if version == Version::Of10 || version == Version::Of15 {
            let command = r.u16().map_err(short)?;
            let group_type = r.u8().map_err(short)?;
            r.skip(1).map_err(short)?;
            let group_id = r.u32().map_err(short)?;
            let bucket_list_len = usize::from(r.u16().map_err(short)?);
            r.skip(2).map_err(short)?;
            let command_bucket_id = r.u32().map_err(short)?;
            let ok = match command {
                group_command::REMOVE_BUCKET | group_command::INSERT_BUCKET => {
                    (command == group_command::REMOVE_BUCKET && command_bucket_id == BUCKET_ALL)
                        || command_bucket_id <= BUCKET_MAX
                        || command_bucket_id == BUCKET_FIRST
                        || command_bucket_id == BUCKET_LAST
                }
                _ => command_bucket_id == BUCKET_ALL,
            };
            if !ok {
                return Err(OfpErr::OfpgmfcBadBucket);
            }
            if bucket_list_len > r.remaining() {
                return Err(OfpErr::OfpbrcBadLen);
            }
            let buckets = decode_ofp15_buckets(version, group_type, r, bucket_list_len)?;
            let props = decode_group_props(group_type, command, r)?;
            GroupMod {
                command,
                group_type,
                group_id,
                command_bucket_id,
                buckets,
                props,
            }
        } else {
            let command = r.u16().map_err(short)?;
            let group_type = r.u8().map_err(short)?;
            r.skip(1).map_err(short)?;
            let group_id = r.u32().map_err(short)?;
            let len = r.remaining();
            let buckets = decode_ofp11_buckets(version, r, len)?;
            if version >= Version::Of13 && command == group_command::DELETE && !buckets.is_empty() {
                return Err(OfpErr::OfpgmfcInvalidGroup);
            }
            GroupMod {
                command,
                group_type,
                group_id,
                command_bucket_id: BUCKET_ALL,
                buckets,
                props: GroupProps::default(),
            }
        };
        gm.check()?;
        Ok(gm)
    }

    /// OVS's `ofputil_check_group_mod`.
    fn check(&self) -> Result<(), OfpErr> {
        match self.group_type {
            group_type::INDIRECT => {
                if self.command != group_command::DELETE && self.buckets.len() != 1 {
                    return Err(OfpErr::OfpgmfcInvalidGroup);
                }
            }
            group_type::ALL | group_type::SELECT | group_type::FF => {}
            _ => return Err(OfpErr::OfpgmfcBadType),
        }
        match self.command {
            group_command::ADD
            | group_command::MODIFY
            | group_command::ADD_OR_MOD
            | group_command::DELETE
            | group_command::INSERT_BUCKET => {}
            group_command::REMOVE_BUCKET => {
                if !self.buckets.is_empty() {
                    return Err(OfpErr::OfpgmfcBadBucket);
                }
            }
            _ => return Err(OfpErr::OfpgmfcBadCommand),
        }
        for b in &self.buckets {
            if b.weight != 0
                && self.group_type != group_type::SELECT
                && self.command != group_command::INSERT_BUCKET
            {
                return Err(OfpErr::OfpgmfcInvalidGroup);
            }
            match self.group_type {
                group_type::ALL | group_type::INDIRECT if b.has_liveness() => {
                    return Err(OfpErr::OfpgmfcWatchUnsupported);
                }
                group_type::FF if !b.has_liveness() => {
                    return Err(OfpErr::OfpgmfcInvalidGroup);
                }
                _ => {}
            }
        }
        Ok(())
    }

    pub(crate) fn encode(&self, version: Version, w: &mut Writer) -> Result<(), EncodeError> {
        if version == Version::Of10 || version == Version::Of15 {
            w.u16(self.command);
            w.u8(self.group_type);
            w.zeros(1);
            w.u32(self.group_id);
            let len_at = w.len();
            w.u16(0);
            w.zeros(2);
            w.u32(self.command_bucket_id);
            let start = w.len();
            encode_ofp15_buckets(version, self.group_type, &self.buckets, w);
            let n = w.len() - start;
            w.patch_u16(len_at, n as u16);
            encode_group_props(&self.props, w);
        } else {
            if matches!(
                self.command,
                group_command::INSERT_BUCKET | group_command::REMOVE_BUCKET
            ) {
                // OVS needs the resulting bucket list to turn these into a
                // modify; the caller must do that.
                return Err(EncodeError::NotInVersion {
                    what: "insert-bucket and remove-bucket",
                    version,
                });
            }
            w.u16(self.command);
            w.u8(self.group_type);
            w.zeros(1);
            w.u32(self.group_id);
            for b in &self.buckets {
                encode_ofp11_bucket(version, b, w);
            }
        }
        Ok(())
    }
}

/// One group description (OVS's `ofputil_group_desc`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupDesc {
    pub group_type: u8,
    pub group_id: u32,
    pub buckets: Vec<Bucket>,
    pub props: GroupProps,
}

impl GroupDesc {
    pub(crate) fn decode(version: Version, r: &mut Reader<'_>) -> Result<GroupDesc, OfpErr> {
        let bad = OfpErr::OfpbrcBadLen;
        if r.remaining() < 8 {
            return Err(bad);
        }
        let total = r.remaining();
        let length = usize::from(r.u16().map_err(short)?);
        let group_type = r.u8().map_err(short)?;
        r.skip(1).map_err(short)?;
        let group_id = r.u32().map_err(short)?;
        if length < 8 || length - 8 > total - 8 {
            return Err(bad);
        }
        if version == Version::Of10 || version == Version::Of15 {
            if r.remaining() < 8 {
                return Err(bad);
            }
            let bucket_list_len = usize::from(r.u16().map_err(short)?);
            r.skip(6).map_err(short)?;
            if length < bucket_list_len + 16 {
                return Err(bad);
            }
            let buckets = decode_ofp15_buckets(version, group_type, r, bucket_list_len)?;
            let mut props = r.sub(length - 16 - bucket_list_len).map_err(short)?;
            let props = decode_group_props(group_type, group_command::ADD, &mut props)?;
            Ok(GroupDesc {
                group_type,
                group_id,
                buckets,
                props,
            })
        } else {
            let buckets = decode_ofp11_buckets(version, r, length - 8)?;
            Ok(GroupDesc {
                group_type,
                group_id,
                buckets,
                props: GroupProps::default(),
            })
        }
    }

    pub(crate) fn encode(&self, version: Version, w: &mut Writer) {
        let start = w.len();
        w.u16(0);
        w.u8(self.group_type);
        w.zeros(1);
        w.u32(self.group_id);
        if version == Version::Of10 || version == Version::Of15 {
            let len_at = w.len();
            w.u16(0);
            w.zeros(6);
            let b_start = w.len();
            encode_ofp15_buckets(version, self.group_type, &self.buckets, w);
            let n = w.len() - b_start;
            w.patch_u16(len_at, n as u16);
            encode_group_props(&self.props, w);
        } else {
            for b in &self.buckets {
                encode_ofp11_bucket(version, b, w);
            }
        }
        let len = w.len() - start;
        w.patch_u16(start, len as u16);
    }
}

/// One group's statistics (OVS's `ofputil_group_stats`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupStats {
    pub group_id: u32,
    pub ref_count: u32,
    pub packet_count: u64,
    pub byte_count: u64,
    /// `u32::MAX` if unknown (OpenFlow 1.1 and 1.2).
    pub duration_sec: u32,
    pub duration_nsec: u32,
    /// Per bucket: (packets, bytes).
    pub bucket_stats: Vec<(u64, u64)>,
}

impl GroupStats {
    pub(crate) fn decode(version: Version, r: &mut Reader<'_>) -> Result<GroupStats, OfpErr> {
        let bad = OfpErr::OfpbrcBadLen;
        let base = if version == Version::Of11 || version == Version::Of12 {
            32
        } else {
            40
        };
        if r.remaining() < base {
            return Err(bad);
        }
        let length = usize::from(r.u16().map_err(short)?);
        r.skip(2).map_err(short)?;
        let group_id = r.u32().map_err(short)?;
        let ref_count = r.u32().map_err(short)?;
        r.skip(4).map_err(short)?;
        let packet_count = r.u64().map_err(short)?;
        let byte_count = r.u64().map_err(short)?;
        let (duration_sec, duration_nsec) = if base == 40 {
            (r.u32().map_err(short)?, r.u32().map_err(short)?)
        } else {
            (u32::MAX, u32::MAX)
        };
        if length < base {
            return Err(bad);
        }
        let n = (length - base) / 16;
        let mut bucket_stats = Vec::with_capacity(n.min(r.remaining() / 16));
        if r.remaining() < n * 16 {
            return Err(bad);
        }
        for _ in 0..n {
            bucket_stats.push((r.u64().map_err(short)?, r.u64().map_err(short)?));
        }
        // A length that is not a whole number of bucket counters leaves its
        // remainder unread, as in OVS.
        Ok(GroupStats {
            group_id,
            ref_count,
            packet_count,
            byte_count,
            duration_sec,
            duration_nsec,
            bucket_stats,
        })
    }

    pub(crate) fn encode(&self, version: Version, w: &mut Writer) {
        let base = if version == Version::Of11 || version == Version::Of12 {
            32
        } else {
            40
        };
        w.u16((base + 16 * self.bucket_stats.len()) as u16);
        w.zeros(2);
        w.u32(self.group_id);
        w.u32(self.ref_count);
        w.zeros(4);
        w.u64(self.packet_count);
        w.u64(self.byte_count);
        if base == 40 {
            w.u32(self.duration_sec);
            w.u32(self.duration_nsec);
        }
        for (p, b) in &self.bucket_stats {
            w.u64(*p);
            w.u64(*b);
        }
    }
}

/// Group table features (`ofp12_group_features_stats`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GroupFeatures {
    /// Bitmap of supported group types.
    pub types: u32,
    /// `OFPGFC_*` bits.
    pub capabilities: u32,
    pub max_groups: [u32; 4],
    /// Supported actions per group type, as the version's wire bitmap.
    pub actions: [u32; 4],
}

impl GroupFeatures {
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<GroupFeatures, OfpErr> {
        let mut f = GroupFeatures {
            types: r.u32().map_err(short)?,
            capabilities: r.u32().map_err(short)?,
            ..GroupFeatures::default()
        };
        for v in f.max_groups.iter_mut() {
            *v = r.u32().map_err(short)?;
        }
        for v in f.actions.iter_mut() {
            *v = r.u32().map_err(short)?;
        }
        Ok(f)
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.u32(self.types);
        w.u32(self.capabilities);
        for v in self.max_groups {
            w.u32(v);
        }
        for v in self.actions {
            w.u32(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indirect_needs_one_bucket() {
        let gm = GroupMod {
            command: group_command::ADD,
            group_type: group_type::INDIRECT,
            group_id: 1,
            command_bucket_id: BUCKET_ALL,
            buckets: vec![],
            props: GroupProps::default(),
        };
        assert_eq!(gm.check(), Err(OfpErr::OfpgmfcInvalidGroup));
    }

    #[test]
    fn delete_with_buckets_in_of13() {
        // OFPGC_DELETE, type all, group 1, one empty bucket.
        let body = [
            0, 2, 0, 0, 0, 0, 0, 1, 0, 16, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0,
            0, 0, 0,
        ];
        assert_eq!(
            GroupMod::decode(Version::Of13, &mut Reader::new(&body)),
            Err(OfpErr::OfpgmfcInvalidGroup)
        );
        assert!(GroupMod::decode(Version::Of12, &mut Reader::new(&body)).is_ok());
    }
}
