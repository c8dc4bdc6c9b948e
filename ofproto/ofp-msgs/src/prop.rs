//! OpenFlow 1.4+ style TLV properties (`ofp_prop_header`): a 16-bit type, a
//! 16-bit length that counts the header, padding to 8 bytes; experimenter
//! properties carry a 32-bit experimenter ID and type after the header.

use ovs_ofp_core::{OfpErr, Reader, Writer};

/// A property type: a standard 16-bit type, or `(experimenter << 32) |
/// exp_type` for experimenter properties (OVS's `OFPPROP_EXP`).
pub type PropType = u64;

/// Builds an experimenter property type.
pub const fn exp(experimenter: u32, exp_type: u32) -> PropType {
    ((experimenter as u64) << 32) | exp_type as u64
}

/// True if `t` names an experimenter property.
pub const fn is_experimenter(t: PropType) -> bool {
    t > 0xffff
}

/// One property pulled from a list.
#[derive(Clone, Debug)]
pub(crate) struct Prop<'a> {
    pub prop_type: PropType,
    /// Wire type field (0xffff or 0xfffe for experimenter properties).
    pub raw_type: u16,
    /// The whole property including its header, unpadded.
    pub whole: &'a [u8],
    /// Bytes after the (standard or experimenter) header.
    pub payload: &'a [u8],
}

/// Pulls the next property from `r` (OVS's `ofpprop_pull__`): types at or
/// above `min_exp` are experimenter properties; the stated length is
/// rounded up to `alignment`.
pub(crate) fn pull_with<'a>(
    r: &mut Reader<'a>,
    alignment: usize,
    min_exp: u32,
) -> Result<Prop<'a>, OfpErr> {
    let bad = OfpErr::OfpbpcBadLen;
    let head = r.peek(4).map_err(|_| bad)?;
    let raw_type = u16::from_be_bytes([head[0], head[1]]);
    let len = usize::from(u16::from_be_bytes([head[2], head[3]]));
    let padded = len.div_ceil(alignment) * alignment;
    if len < 4 || padded > r.remaining() {
        return Err(bad);
    }
    let whole_padded = r.take(padded).map_err(|_| bad)?;
    let whole = &whole_padded[..len];
    if u32::from(raw_type) < min_exp {
        Ok(Prop {
            prop_type: u64::from(raw_type),
            raw_type,
            whole,
            payload: &whole[4..],
        })
    } else {
        if len < 12 {
            return Err(bad);
        }
        let experimenter = u32::from_be_bytes([whole[4], whole[5], whole[6], whole[7]]);
        let exp_type = u32::from_be_bytes([whole[8], whole[9], whole[10], whole[11]]);
        if experimenter == 0 {
            return Err(OfpErr::OfpbpcBadExperimenter);
        }
        Ok(Prop {
            prop_type: exp(experimenter, exp_type),
            raw_type,
            whole,
            payload: &whole[12..],
        })
    }
}

/// Pulls the next property with the common rules (8-byte alignment,
/// experimenter type 0xffff).
pub(crate) fn pull<'a>(r: &mut Reader<'a>) -> Result<Prop<'a>, OfpErr> {
    pull_with(r, 8, 0xffff)
}

impl<'a> Prop<'a> {
    /// A 32-bit value; the payload must be exactly 4 bytes.
    pub fn u32(&self) -> Result<u32, OfpErr> {
        match self.payload {
            [a, b, c, d] => Ok(u32::from_be_bytes([*a, *b, *c, *d])),
            _ => Err(OfpErr::OfpbpcBadLen),
        }
    }

    /// A 16-bit value at the start of a payload at least 2 bytes long.
    pub fn u16(&self) -> Result<u16, OfpErr> {
        match self.payload {
            [a, b, ..] => Ok(u16::from_be_bytes([*a, *b])),
            _ => Err(OfpErr::OfpbpcBadLen),
        }
    }

    /// An 8-bit value at the start of a non-empty payload.
    pub fn u8(&self) -> Result<u8, OfpErr> {
        self.payload.first().copied().ok_or(OfpErr::OfpbpcBadLen)
    }

    /// A 64-bit value, which sits 8-byte aligned after the header.
    pub fn u64(&self) -> Result<u64, OfpErr> {
        let off = self.header_len().div_ceil(8) * 8;
        match self.whole.get(off..) {
            Some(b) if b.len() == 8 => Ok(u64::from_be_bytes([
                b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
            ])),
            _ => Err(OfpErr::OfpbpcBadLen),
        }
    }

    /// The nested data of a property whose contents start 8-byte aligned.
    pub fn nested(&self) -> Result<&'a [u8], OfpErr> {
        let off = self.header_len().div_ceil(8) * 8;
        self.whole.get(off..).ok_or(OfpErr::OfpbpcBadLen)
    }

    fn header_len(&self) -> usize {
        self.whole.len() - self.payload.len()
    }
}

/// The error for a property this decoder does not know (OVS's
/// `ofpprop_unknown`): nothing when decoding loosely.
pub(crate) fn unknown(loose: bool, t: PropType) -> Result<(), OfpErr> {
    if loose {
        Ok(())
    } else if is_experimenter(t) {
        Err(OfpErr::OfpbpcBadExpType)
    } else {
        Err(OfpErr::OfpbpcBadType)
    }
}

/// Starts a property; returns its offset for [`end`].
pub(crate) fn start(w: &mut Writer, t: PropType) -> usize {
    let at = w.len();
    if is_experimenter(t) {
        w.u16(0xffff);
        w.u16(12);
        w.u32((t >> 32) as u32);
        w.u32(t as u32);
    } else {
        w.u16(t as u16);
        w.u16(4);
    }
    at
}

/// Starts a property whose contents must begin 8-byte aligned.
pub(crate) fn start_nested(w: &mut Writer, t: PropType) -> usize {
    let at = start(w, t);
    w.pad_to(8);
    at
}

/// Ends a property: fixes its length and pads to 8 bytes.
pub(crate) fn end(w: &mut Writer, at: usize) {
    let len = w.len() - at;
    w.patch_u16(at + 2, len as u16);
    w.pad_to(8);
}

/// A property with raw contents.
pub(crate) fn put(w: &mut Writer, t: PropType, value: &[u8]) {
    let at = start(w, t);
    w.bytes(value);
    end(w, at);
}

pub(crate) fn put_u8(w: &mut Writer, t: PropType, v: u8) {
    put(w, t, &[v]);
}

/// A 16-bit property; standard ones are padded to 8 bytes as the
/// specifications show them.
pub(crate) fn put_u16(w: &mut Writer, t: PropType, v: u16) {
    if is_experimenter(t) {
        put(w, t, &v.to_be_bytes());
    } else {
        let b = v.to_be_bytes();
        put(w, t, &[b[0], b[1], 0, 0]);
    }
}

pub(crate) fn put_u32(w: &mut Writer, t: PropType, v: u32) {
    put(w, t, &v.to_be_bytes());
}

pub(crate) fn put_u64(w: &mut Writer, t: PropType, v: u64) {
    let at = start(w, t);
    w.zeros(4);
    w.u64(v);
    end(w, at);
}

#[cfg(test)]
pub(crate) fn put_flag(w: &mut Writer, t: PropType) {
    let at = start(w, t);
    end(w, at);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let mut w = Writer::new();
        put_u32(&mut w, 3, 0xdead_beef);
        put_u64(&mut w, 4, 7);
        put_u16(&mut w, exp(0x2320, 9), 5);
        put_flag(&mut w, 2);
        let mut r = Reader::new(w.as_slice());
        let p = pull(&mut r).unwrap();
        assert_eq!((p.prop_type, p.u32()), (3, Ok(0xdead_beef)));
        let p = pull(&mut r).unwrap();
        assert_eq!((p.prop_type, p.u64()), (4, Ok(7)));
        let p = pull(&mut r).unwrap();
        assert_eq!((p.prop_type, p.u16()), (exp(0x2320, 9), Ok(5)));
        let p = pull(&mut r).unwrap();
        assert_eq!((p.prop_type, p.payload.len()), (2, 0));
        assert!(r.is_empty());
    }

    #[test]
    fn errors() {
        assert_eq!(
            pull(&mut Reader::new(&[0, 1, 0, 3, 0, 0, 0, 0])).err(),
            Some(OfpErr::OfpbpcBadLen)
        );
        assert_eq!(
            pull(&mut Reader::new(&[0, 1, 0, 12, 0, 0, 0, 0])).err(),
            Some(OfpErr::OfpbpcBadLen)
        );
        let exp0 = [0xff, 0xff, 0, 12, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0];
        assert_eq!(
            pull(&mut Reader::new(&exp0)).err(),
            Some(OfpErr::OfpbpcBadExperimenter)
        );
    }
}
