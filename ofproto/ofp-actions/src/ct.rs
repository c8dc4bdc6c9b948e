//! Connection tracking: `NXAST_CT` (with nested actions) and `NXAST_NAT`.

use std::net::{Ipv4Addr, Ipv6Addr};

use ovs_ofp_core::{OfpErr, Writer};

use crate::action::{
    Action, CT_F_COMMIT, CT_F_FORCE, Ct, CtZone, NAT_F_DST, NAT_F_MASK, NAT_F_PROTO_HASH,
    NAT_F_PROTO_RANDOM, NAT_F_SRC, Nat, NatRange, Subfield,
};
use crate::bits::{be16, be32, set8, set16, set32, slice, tail};
use crate::decode::{self, APPLY_ONLY, Dec, Outer};
use crate::encode::{self, Enc};
use crate::field::{check_src, decode_ofs_nbits, encode_ofs_nbits};
use crate::nxm;
use crate::raw::{self, Raw};

pub(crate) fn decode_ct(d: &Dec<'_>, b: &[u8]) -> Result<Action, OfpErr> {
    let flags = be16(b, 10);
    if flags & CT_F_FORCE != 0 && flags & CT_F_COMMIT == 0 {
        return Err(OfpErr::OfpbacBadArgument);
    }
    let zone_src = be32(b, 12);
    let zone = if zone_src != 0 {
        let (ofs, n_bits) = decode_ofs_nbits(be16(b, 16));
        let field = nxm::field_from_nxm32(zone_src, d.tlv())?;
        let sf = Subfield { field, ofs, n_bits };
        check_src(&sf, d.tlv())?;
        if n_bits != 16 {
            return Err(OfpErr::OfpbacBadSetLen);
        }
        CtZone::Field(sf)
    } else {
        CtZone::Imm(be16(b, 16))
    };
    let recirc_table = b.get(18).copied().unwrap_or(0);
    let alg = be16(b, 22);
    let actions = decode::nested(d, tail(b, 24), APPLY_ONLY, Outer::Ct)?;
    if flags & CT_F_COMMIT == 0 && !actions.iter().all(decode::plain_nat) {
        return Err(OfpErr::OfpbacBadArgument);
    }
    Ok(Action::Ct(Box::new(Ct {
        flags,
        zone,
        recirc_table,
        alg,
        actions,
    })))
}

pub(crate) fn encode_ct(e: &Enc<'_>, ct: &Ct, w: &mut Writer) {
    let start = raw::put_with(w, e.version, Raw::NxCt, 0, usize::MAX, |b| {
        set16(b, 10, ct.flags);
        match ct.zone {
            CtZone::Field(sf) => {
                set32(b, 12, nxm::nxm32(sf.field, e.tlv()));
                set16(b, 16, encode_ofs_nbits(sf.ofs, sf.n_bits));
            }
            CtZone::Imm(z) => set16(b, 16, z),
        }
        set8(b, 18, ct.recirc_table);
        set16(b, 22, ct.alg);
    });
    encode::encode_list(e, &ct.actions, w);
    raw::finish(w, start);
}

/// `NX_NAT_RANGE_*`: which optional fields follow.
const RANGE_IPV4_MIN: u16 = 1 << 0;
const RANGE_IPV4_MAX: u16 = 1 << 1;
const RANGE_IPV6_MIN: u16 = 1 << 2;
const RANGE_IPV6_MAX: u16 = 1 << 3;
const RANGE_PROTO_MIN: u16 = 1 << 4;
const RANGE_PROTO_MAX: u16 = 1 << 5;

/// Takes `n` bytes of optional NAT fields, if that many remain.
fn take<'a>(opts: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if opts.len() < n {
        return None;
    }
    let v = slice(opts, 0, n);
    *opts = tail(opts, n);
    Some(v)
}

fn v4(b: &[u8]) -> Ipv4Addr {
    Ipv4Addr::from(be32(b, 0))
}

fn v6(b: &[u8]) -> Ipv6Addr {
    let mut a = [0u8; 16];
    a.copy_from_slice(slice(b, 0, 16).get(..16).unwrap_or(&[0; 16]));
    Ipv6Addr::from(a)
}

pub(crate) fn decode_nat(b: &[u8]) -> Result<Action, OfpErr> {
    let bad = OfpErr::OfpbacBadArgument;
    let flags = be16(b, 12);
    let present = be16(b, 14);
    let mut opts = tail(b, 16);
    if flags & !NAT_F_MASK != 0
        || (flags & NAT_F_SRC != 0 && flags & NAT_F_DST != 0)
        || (flags & NAT_F_PROTO_HASH != 0 && flags & NAT_F_PROTO_RANDOM != 0)
    {
        return Err(bad);
    }
    let mut nat = Nat {
        flags,
        range: NatRange::None,
        proto_min: 0,
        proto_max: 0,
    };
    if present & RANGE_IPV4_MIN != 0 {
        if present & (RANGE_IPV6_MIN | RANGE_IPV6_MAX) != 0 {
            return Err(bad);
        }
        let min = take(&mut opts, 4).map(v4).ok_or(bad)?;
        if min.is_unspecified() {
            return Err(bad);
        }
        let mut max = Ipv4Addr::UNSPECIFIED;
        if present & RANGE_IPV4_MAX != 0 {
            max = take(&mut opts, 4).map(v4).ok_or(bad)?;
            if u32::from(max) < u32::from(min) {
                return Err(bad);
            }
        }
        nat.range = NatRange::Ipv4 { min, max };
    } else if present & RANGE_IPV4_MAX != 0 {
        return Err(bad);
    } else if present & RANGE_IPV6_MIN != 0 {
        let min = take(&mut opts, 16).map(v6).ok_or(bad)?;
        if min.is_unspecified() {
            return Err(bad);
        }
        let mut max = Ipv6Addr::UNSPECIFIED;
        if present & RANGE_IPV6_MAX != 0 {
            max = take(&mut opts, 16).map(v6).ok_or(bad)?;
            if max.octets() < min.octets() {
                return Err(bad);
            }
        }
        nat.range = NatRange::Ipv6 { min, max };
    } else if present & RANGE_IPV6_MAX != 0 {
        return Err(bad);
    }
    if present & RANGE_PROTO_MIN != 0 {
        if nat.range == NatRange::None {
            return Err(bad);
        }
        let min = take(&mut opts, 2).map(|p| be16(p, 0)).ok_or(bad)?;
        if min == 0 {
            return Err(bad);
        }
        nat.proto_min = min;
        if present & RANGE_PROTO_MAX != 0 {
            let max = take(&mut opts, 2).map(|p| be16(p, 0)).ok_or(bad)?;
            if max < min {
                return Err(bad);
            }
            nat.proto_max = max;
        }
    } else if present & RANGE_PROTO_MAX != 0 {
        return Err(bad);
    }
    Ok(Action::Nat(nat))
}

pub(crate) fn encode_nat(e: &Enc<'_>, nat: &Nat, w: &mut Writer) {
    let start = raw::put_with(w, e.version, Raw::NxNat, 0, usize::MAX, |b| {
        set16(b, 12, nat.flags);
    });
    let mut present = 0u16;
    match nat.range {
        NatRange::Ipv4 { min, max } => {
            if !min.is_unspecified() {
                w.u32(u32::from(min));
                present |= RANGE_IPV4_MIN;
            }
            if !max.is_unspecified() {
                w.u32(u32::from(max));
                present |= RANGE_IPV4_MAX;
            }
        }
        NatRange::Ipv6 { min, max } => {
            if !min.is_unspecified() {
                w.bytes(&min.octets());
                present |= RANGE_IPV6_MIN;
            }
            if !max.is_unspecified() {
                w.bytes(&max.octets());
                present |= RANGE_IPV6_MAX;
            }
        }
        NatRange::None => {}
    }
    if nat.range != NatRange::None {
        if nat.proto_min != 0 {
            w.u16(nat.proto_min);
            present |= RANGE_PROTO_MIN;
        }
        if nat.proto_max != 0 {
            w.u16(nat.proto_max);
            present |= RANGE_PROTO_MAX;
        }
    }
    raw::finish(w, start);
    w.patch_u16(start + 14, present);
}
