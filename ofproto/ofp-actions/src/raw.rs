//! Every wire form of every action OVS 3.1 knows (OVS's "raw" action
//! types), with the versions, type numbers and lengths that identify them.

use ovs_ofp_core::{NX_VENDOR_ID, ONF_VENDOR_ID, OfpErr, Version, Writer};

use crate::bits::{be16, be32};

/// One wire form of an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Raw {
    Of10Output,
    Of11Output,
    Of10SetVlanVid,
    Of10SetVlanPcp,
    Of11SetVlanVid,
    Of11SetVlanPcp,
    Of11PushVlan,
    Of10StripVlan,
    Of11PopVlan,
    SetDlSrc,
    SetDlDst,
    SetNwSrc,
    SetNwDst,
    SetNwTos,
    Of11SetNwEcn,
    SetTpSrc,
    SetTpDst,
    Of10Enqueue,
    SetMplsLabel,
    SetMplsTc,
    SetMplsTtl,
    DecMplsTtl,
    PushMpls,
    PopMpls,
    SetQueue,
    Group,
    Of11SetNwTtl,
    DecNwTtl,
    NxDecTtlCntIds,
    Of12SetField,
    Of15SetField,
    NxRegLoad,
    NxRegLoad2,
    Of15CopyField,
    Onf13CopyField,
    NxRegMove,
    Of15Meter,
    NxResubmit,
    NxResubmitTable,
    NxResubmitTableCt,
    NxSetTunnel,
    NxSetTunnel64,
    NxPopQueue,
    NxNote,
    NxMultipath,
    NxBundle,
    NxBundleLoad,
    NxOutputReg,
    NxOutputReg2,
    NxLearn,
    NxLearn2,
    NxExit,
    NxFinTimeout,
    NxController,
    NxController2,
    NxWriteMetadata,
    NxStackPush,
    NxStackPop,
    NxSample,
    NxSample2,
    NxSample3,
    NxConjunction,
    NxCt,
    NxNat,
    NxOutputTrunc,
    NxClone,
    NxCtClear,
    NxEncap,
    NxDecap,
    NxDecNshTtl,
    NxCheckPktLarger,
    NxDeleteField,
    NxDebugSlow,
    NxDebugRecirc,
}

/// Variable-length actions may be up to this long.
const VAR: u16 = 65528;

/// One (vendor, type, version range) -> raw mapping.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Instance {
    pub raw: Raw,
    /// 0 for standard actions.
    pub vendor: u32,
    /// Action type, or subtype for vendor actions.
    pub kind: u16,
    pub min_version: u8,
    pub max_version: u8,
    pub min_len: u16,
    pub max_len: u16,
    /// Offset and width of a plain integer argument.
    pub arg: Option<(u8, u8)>,
}

const OF: u32 = 0;
const NX: u32 = NX_VENDOR_ID;
const ONF: u32 = ONF_VENDOR_ID;

/// A standard or extension action whose argument is one integer of `size`
/// bytes, aligned after the header (4 bytes standard, 10 bytes extension)
/// and padded to a multiple of 8, as OVS lays them out.
const fn int(raw: Raw, vendor: u32, kind: u16, v1: u8, v2: u8, size: u8) -> Instance {
    let header: u8 = if vendor == OF { 4 } else { 10 };
    let ofs = header.div_ceil(size) * size;
    let len = ((ofs + size) as u16).div_ceil(8) * 8;
    Instance {
        raw,
        vendor,
        kind,
        min_version: v1,
        max_version: v2,
        min_len: len,
        max_len: len,
        arg: Some((ofs, size)),
    }
}

/// An action that is just a header.
const fn void(raw: Raw, vendor: u32, kind: u16, v1: u8, v2: u8) -> Instance {
    let len = if vendor == OF { 8 } else { 16 };
    Instance {
        raw,
        vendor,
        kind,
        min_version: v1,
        max_version: v2,
        min_len: len,
        max_len: len,
        arg: None,
    }
}

/// A fixed-size structure.
const fn fixed(raw: Raw, vendor: u32, kind: u16, v1: u8, v2: u8, len: u16) -> Instance {
    Instance {
        raw,
        vendor,
        kind,
        min_version: v1,
        max_version: v2,
        min_len: len,
        max_len: len,
        arg: None,
    }
}

/// A structure followed by 0 or more multiples of 8 bytes.
const fn var(raw: Raw, vendor: u32, kind: u16, v1: u8, v2: u8, len: u16) -> Instance {
    Instance {
        raw,
        vendor,
        kind,
        min_version: v1,
        max_version: v2,
        min_len: len,
        max_len: VAR,
        arg: None,
    }
}

const V10: u8 = 1;
const V11: u8 = 2;
const V12: u8 = 3;
const V13: u8 = 4;
const V14: u8 = 5;
const V15: u8 = 6;

/// The table, in the order OVS lists the forms (the first instance of a raw
/// type is the one used to encode it when no instance matches the version,
/// as OVS's generated `put_*` helpers do for version-independent forms).
pub(crate) static INSTANCES: &[Instance] = &[
    fixed(Raw::Of10Output, OF, 0, V10, V10, 8),
    fixed(Raw::Of11Output, OF, 0, V11, V15, 16),
    int(Raw::Of10SetVlanVid, OF, 1, V10, V10, 2),
    int(Raw::Of10SetVlanPcp, OF, 2, V10, V10, 1),
    int(Raw::Of11SetVlanVid, OF, 1, V11, V15, 2),
    int(Raw::Of11SetVlanPcp, OF, 2, V11, V15, 1),
    int(Raw::Of11PushVlan, OF, 17, V11, V15, 2),
    void(Raw::Of10StripVlan, OF, 3, V10, V10),
    void(Raw::Of11PopVlan, OF, 18, V11, V15),
    fixed(Raw::SetDlSrc, OF, 4, V10, V10, 16),
    fixed(Raw::SetDlSrc, OF, 3, V11, V15, 16),
    fixed(Raw::SetDlDst, OF, 5, V10, V10, 16),
    fixed(Raw::SetDlDst, OF, 4, V11, V15, 16),
    int(Raw::SetNwSrc, OF, 6, V10, V10, 4),
    int(Raw::SetNwSrc, OF, 5, V11, V15, 4),
    int(Raw::SetNwDst, OF, 7, V10, V10, 4),
    int(Raw::SetNwDst, OF, 6, V11, V15, 4),
    int(Raw::SetNwTos, OF, 8, V10, V10, 1),
    int(Raw::SetNwTos, OF, 7, V11, V15, 1),
    int(Raw::Of11SetNwEcn, OF, 8, V11, V15, 1),
    int(Raw::SetTpSrc, OF, 9, V10, V15, 2),
    int(Raw::SetTpDst, OF, 10, V10, V15, 2),
    fixed(Raw::Of10Enqueue, OF, 11, V10, V10, 16),
    int(Raw::SetMplsLabel, NX, 30, V10, V10, 4),
    int(Raw::SetMplsLabel, OF, 13, V11, V15, 4),
    int(Raw::SetMplsTc, NX, 31, V10, V10, 1),
    int(Raw::SetMplsTc, OF, 14, V11, V15, 1),
    int(Raw::SetMplsTtl, NX, 25, V10, V10, 1),
    int(Raw::SetMplsTtl, OF, 15, V11, V15, 1),
    void(Raw::DecMplsTtl, NX, 26, V10, V10),
    void(Raw::DecMplsTtl, OF, 16, V11, V15),
    int(Raw::PushMpls, NX, 23, V10, V10, 2),
    int(Raw::PushMpls, OF, 19, V11, V15, 2),
    int(Raw::PopMpls, NX, 24, V10, V10, 2),
    int(Raw::PopMpls, OF, 20, V11, V15, 2),
    int(Raw::SetQueue, NX, 4, V10, V10, 4),
    int(Raw::SetQueue, OF, 21, V11, V15, 4),
    int(Raw::Group, NX, 40, V10, V10, 4),
    int(Raw::Group, OF, 22, V11, V15, 4),
    int(Raw::Of11SetNwTtl, OF, 23, V11, V15, 1),
    void(Raw::DecNwTtl, NX, 18, V10, V10),
    void(Raw::DecNwTtl, OF, 24, V11, V15),
    var(Raw::NxDecTtlCntIds, NX, 21, V10, V15, 16),
    var(Raw::Of12SetField, OF, 25, V12, V14, 8),
    var(Raw::Of15SetField, OF, 25, V15, V15, 8),
    fixed(Raw::NxRegLoad, NX, 7, V10, V14, 24),
    var(Raw::NxRegLoad2, NX, 33, V10, V14, 16),
    var(Raw::Of15CopyField, OF, 28, V15, V15, 16),
    var(Raw::Onf13CopyField, ONF, 3200, V13, V14, 24),
    var(Raw::NxRegMove, NX, 6, V10, V14, 16),
    int(Raw::Of15Meter, OF, 29, V15, V15, 4),
    int(Raw::NxResubmit, NX, 1, V10, V15, 2),
    fixed(Raw::NxResubmitTable, NX, 14, V10, V15, 16),
    fixed(Raw::NxResubmitTableCt, NX, 44, V10, V15, 16),
    int(Raw::NxSetTunnel, NX, 2, V10, V15, 4),
    int(Raw::NxSetTunnel64, NX, 9, V10, V15, 8),
    void(Raw::NxPopQueue, NX, 5, V10, V15),
    var(Raw::NxNote, NX, 8, V10, V15, 16),
    fixed(Raw::NxMultipath, NX, 10, V10, V15, 32),
    var(Raw::NxBundle, NX, 12, V10, V15, 32),
    var(Raw::NxBundleLoad, NX, 13, V10, V15, 32),
    fixed(Raw::NxOutputReg, NX, 15, V10, V15, 24),
    fixed(Raw::NxOutputReg2, NX, 32, V10, V15, 24),
    var(Raw::NxLearn, NX, 16, V10, V15, 32),
    var(Raw::NxLearn2, NX, 45, V10, V15, 40),
    void(Raw::NxExit, NX, 17, V10, V15),
    fixed(Raw::NxFinTimeout, NX, 19, V10, V15, 16),
    fixed(Raw::NxController, NX, 20, V10, V15, 16),
    var(Raw::NxController2, NX, 37, V10, V15, 16),
    fixed(Raw::NxWriteMetadata, NX, 22, V10, V15, 32),
    fixed(Raw::NxStackPush, NX, 27, V10, V15, 24),
    fixed(Raw::NxStackPop, NX, 28, V10, V15, 24),
    fixed(Raw::NxSample, NX, 29, V10, V15, 24),
    fixed(Raw::NxSample2, NX, 38, V10, V15, 32),
    fixed(Raw::NxSample3, NX, 41, V10, V15, 32),
    fixed(Raw::NxConjunction, NX, 34, V10, V15, 16),
    var(Raw::NxCt, NX, 35, V10, V15, 24),
    var(Raw::NxNat, NX, 36, V10, V15, 16),
    fixed(Raw::NxOutputTrunc, NX, 39, V10, V15, 16),
    var(Raw::NxClone, NX, 42, V10, V15, 16),
    void(Raw::NxCtClear, NX, 43, V10, V15),
    var(Raw::NxEncap, NX, 46, V13, V15, 16),
    var(Raw::NxDecap, NX, 47, V13, V15, 16),
    void(Raw::NxDecNshTtl, NX, 48, V13, V15),
    var(Raw::NxCheckPktLarger, NX, 49, V10, V15, 24),
    fixed(Raw::NxDeleteField, NX, 50, V10, V15, 24),
    void(Raw::NxDebugSlow, NX, 254, V10, V15),
    void(Raw::NxDebugRecirc, NX, 255, V10, V15),
];

/// `OFPAT_VENDOR` / `OFPAT_EXPERIMENTER`.
pub(crate) const OFPAT_VENDOR: u16 = 0xffff;

/// One action pulled off the wire: its form, its whole bytes (header
/// included, exactly its declared length) and its integer argument.
pub(crate) struct Pulled<'a> {
    pub raw: Raw,
    pub bytes: &'a [u8],
    pub arg: u64,
}

/// Identifies and length-checks the action at the front of `buf`, with
/// OVS's errors in OVS's order.
pub(crate) fn pull(buf: &[u8], version: Version) -> Result<Pulled<'_>, OfpErr> {
    if buf.len() < 8 {
        return Err(OfpErr::OfpbacBadLen);
    }
    let atype = be16(buf, 0);
    let (vendor, kind) = if atype == OFPAT_VENDOR {
        let vendor = be32(buf, 4);
        if vendor != NX_VENDOR_ID && vendor != ONF_VENDOR_ID {
            return Err(OfpErr::OfpbacBadVendor);
        }
        if buf.len() < 16 {
            return Err(OfpErr::OfpbacBadLen);
        }
        (vendor, be16(buf, 8))
    } else {
        (0, atype)
    };
    let v = version.wire();
    let inst = INSTANCES
        .iter()
        .find(|i| i.vendor == vendor && i.kind == kind && i.min_version <= v && v <= i.max_version)
        .ok_or(if vendor != 0 {
            OfpErr::OfpbacBadVendorType
        } else {
            OfpErr::OfpbacBadType
        })?;
    let len = usize::from(be16(buf, 2));
    if len > buf.len()
        || len < usize::from(inst.min_len)
        || len > usize::from(inst.max_len)
        || len % 8 != 0
    {
        return Err(OfpErr::OfpbacBadLen);
    }
    let bytes = buf.get(..len).ok_or(OfpErr::OfpbacBadLen)?;
    let mut arg = 0u64;
    if let Some((ofs, size)) = inst.arg {
        for b in crate::bits::slice(bytes, usize::from(ofs), usize::from(size)) {
            arg = (arg << 8) | u64::from(*b);
        }
    }
    Ok(Pulled {
        raw: inst.raw,
        bytes,
        arg,
    })
}

/// The instance used to encode `raw` for `version`.
fn lookup(raw: Raw, version: Version) -> Option<&'static Instance> {
    let v = version.wire();
    INSTANCES
        .iter()
        .find(|i| i.raw == raw && i.min_version <= v && v <= i.max_version)
        .or_else(|| INSTANCES.iter().find(|i| i.raw == raw))
}

/// Appends the fixed part of `raw` (zeroed, with type, length, vendor and
/// subtype filled in, and `arg` stored if the form has an integer
/// argument). Returns the action's start offset in `w`.
pub(crate) fn put(w: &mut Writer, version: Version, raw: Raw, arg: u64) -> usize {
    put_with(w, version, raw, arg, usize::MAX, |_| {})
}

/// Like [`put`], but lets `fill` set the fixed part's fields first, and
/// writes only its first `head` bytes (for actions whose variable part
/// overwrites the fixed part's padding, as OVS lays them out).
pub(crate) fn put_with(
    w: &mut Writer,
    version: Version,
    raw: Raw,
    arg: u64,
    head: usize,
    fill: impl FnOnce(&mut [u8]),
) -> usize {
    let start = w.len();
    let Some(inst) = lookup(raw, version) else {
        return start;
    };
    let len = usize::from(inst.min_len);
    let mut buf = vec![0u8; len];
    let atype = if inst.vendor != 0 {
        OFPAT_VENDOR
    } else {
        inst.kind
    };
    buf[0..2].copy_from_slice(&atype.to_be_bytes());
    buf[2..4].copy_from_slice(&inst.min_len.to_be_bytes());
    if inst.vendor != 0 {
        buf[4..8].copy_from_slice(&inst.vendor.to_be_bytes());
        buf[8..10].copy_from_slice(&inst.kind.to_be_bytes());
    }
    if let Some((ofs, size)) = inst.arg {
        let (ofs, size) = (usize::from(ofs), usize::from(size));
        for i in 0..size {
            let shift = 8 * (size - 1 - i);
            if let Some(b) = buf.get_mut(ofs + i) {
                *b = if shift >= 64 { 0 } else { (arg >> shift) as u8 };
            }
        }
    }
    fill(&mut buf);
    w.bytes(&buf[..head.min(len)]);
    start
}

/// Pads the action that starts at `start` to a multiple of 8 bytes and
/// stores its final length (OVS's `pad_ofpat`).
pub(crate) fn finish(w: &mut Writer, start: usize) {
    let n = w.len() - start;
    w.zeros((8 - n % 8) % 8);
    let len = w.len() - start;
    w.patch_u16(start + 2, u16::try_from(len).unwrap_or(u16::MAX));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_layouts_match_ovs() {
        let find = |raw, v: u8| {
            INSTANCES
                .iter()
                .find(|i| i.raw == raw && i.min_version <= v && v <= i.max_version)
                .copied()
                .unwrap()
        };
        // NX uint16 argument right after the 10-byte header.
        let i = find(Raw::NxResubmit, 1);
        assert_eq!((i.min_len, i.arg), (16, Some((10, 2))));
        // NX uint32 aligned to 12.
        let i = find(Raw::NxSetTunnel, 1);
        assert_eq!((i.min_len, i.arg), (16, Some((12, 4))));
        // NX uint64 aligned to 16, so 24 bytes.
        let i = find(Raw::NxSetTunnel64, 1);
        assert_eq!((i.min_len, i.arg), (24, Some((16, 8))));
        // Standard: argument right after the 4-byte header.
        let i = find(Raw::SetNwSrc, 4);
        assert_eq!((i.kind, i.min_len, i.arg), (5, 8, Some((4, 4))));
        let i = find(Raw::Of10SetVlanPcp, 1);
        assert_eq!((i.min_len, i.arg), (8, Some((4, 1))));
    }

    #[test]
    fn pull_errors() {
        let v = Version::Of10;
        assert_eq!(pull(&[0; 4], v).err(), Some(OfpErr::OfpbacBadLen));
        // Unknown vendor.
        let b = [0xff, 0xff, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(pull(&b, v).err(), Some(OfpErr::OfpbacBadVendor));
        // NX vendor, unknown subtype.
        let b = [0xff, 0xff, 0, 16, 0, 0, 0x23, 0x20, 0, 99, 0, 0, 0, 0, 0, 0];
        assert_eq!(pull(&b, v).err(), Some(OfpErr::OfpbacBadVendorType));
        // Unknown standard type.
        let b = [0, 77, 0, 8, 0, 0, 0, 0];
        assert_eq!(pull(&b, v).err(), Some(OfpErr::OfpbacBadType));
        // Output with the wrong length.
        let b = [0, 0, 0, 16, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(pull(&b, v).err(), Some(OfpErr::OfpbacBadLen));
        // Zero length never loops.
        let b = [0, 0, 0, 0, 0, 1, 0, 0];
        assert_eq!(pull(&b, v).err(), Some(OfpErr::OfpbacBadLen));
        let b = [0, 0, 0, 8, 0, 1, 0, 0];
        let p = pull(&b, v).unwrap();
        assert_eq!((p.raw, p.bytes.len()), (Raw::Of10Output, 8));
    }
}
