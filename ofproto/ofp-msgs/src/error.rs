//! Errors: why a message could not be decoded or encoded, the OFPT_ERROR
//! message itself, and OVS's way of building an error reply.

use ovs_ofp_core::{OfpErr, Reader, Version, Writer};

use crate::OfpHeader;
use crate::raw::{Raw, put_header};

/// A message that could not be decoded, with the error OVS would answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// The OpenFlow error for the reply (`OFPBRC_BAD_LEN`, `OFPBRC_BAD_TYPE`,
    /// `OFPBMC_BAD_FIELD`, ...).
    pub error: OfpErr,
    /// The header, if at least 8 bytes were there.
    pub header: Option<OfpHeader>,
}

impl DecodeError {
    pub(crate) fn new(error: OfpErr, header: Option<OfpHeader>) -> DecodeError {
        DecodeError { error, header }
    }

    /// The OFPT_ERROR reply OVS sends for `msg` (the bytes that failed to
    /// decode), or `None` if not even a header could be read.
    pub fn reply(&self, msg: &[u8]) -> Option<Vec<u8>> {
        let h = self.header?;
        let len = usize::from(h.length).min(msg.len());
        Some(encode_error(h.version, h.xid, self.error, &msg[..len]))
    }
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.error)
    }
}

impl std::error::Error for DecodeError {}

/// A message that cannot be encoded as asked.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodeError {
    /// The message, or the wire form it asks for, does not exist in this
    /// OpenFlow version.
    NotInVersion {
        what: &'static str,
        version: Version,
    },
    /// The encoded message would exceed 65535 bytes (multipart replies can
    /// be split with [`crate::encode_all`]).
    TooLong,
    /// A value the wire form cannot carry.
    Invalid(&'static str),
}

impl std::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EncodeError::NotInVersion { what, version } => {
                write!(f, "{what} does not exist in {}", version.name())
            }
            EncodeError::TooLong => f.write_str("message longer than 65535 bytes"),
            EncodeError::Invalid(s) => write!(f, "cannot encode: {s}"),
        }
    }
}

impl std::error::Error for EncodeError {}

/// `NXET_VENDOR`: the OpenFlow 1.0/1.1 error type that wraps a vendor error.
pub const NXET_VENDOR: u16 = 0xb0c2;
/// `NXVC_VENDOR_ERROR`: its only code.
pub const NXVC_VENDOR_ERROR: u16 = 0;
/// `OFPET12_EXPERIMENTER`.
pub const OFPET_EXPERIMENTER: u16 = 0xffff;
/// `OFPET_HELLO_FAILED`.
pub const OFPET_HELLO_FAILED: u16 = 0;

/// How an error message names its error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// A standard type and code.
    Standard { err_type: u16, code: u16 },
    /// OpenFlow 1.2+ `OFPET_EXPERIMENTER`: type 0xffff, the 16-bit
    /// experimenter type in `code`, then the experimenter ID.
    Experimenter { vendor: u32, exp_type: u16 },
    /// Nicira's OpenFlow 1.0/1.1 wrapper (`NXET_VENDOR`,
    /// `NXVC_VENDOR_ERROR`, then vendor, type and code).
    NxVendor {
        vendor: u32,
        err_type: u16,
        code: u16,
    },
}

/// An `OFPT_ERROR` message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorMsg {
    pub code: ErrorCode,
    /// The offending message (or the text of a hello failure).
    pub data: Vec<u8>,
}

impl ErrorMsg {
    /// The error this message means in wire version `version`, if OVS
    /// knows it (OVS's `ofperr_decode_msg`).
    pub fn ofperr(&self, version: u8) -> Option<OfpErr> {
        match self.code {
            ErrorCode::Standard { err_type, code } => OfpErr::decode(version, 0, err_type, code),
            ErrorCode::Experimenter { vendor, exp_type } => {
                OfpErr::decode(version, vendor, OFPET_EXPERIMENTER, exp_type)
            }
            ErrorCode::NxVendor {
                vendor,
                err_type,
                code,
            } => OfpErr::decode(version, vendor, err_type, code),
        }
    }

    /// The message OVS sends for `err` in wire version `version`, falling
    /// back to OpenFlow 1.0 numbering for an unknown version and to
    /// `NXBRC_UNENCODABLE_ERROR` for an error the version cannot express
    /// (OVS's `ofperr_encode_msg__`). Returns the version the header must
    /// carry too.
    pub fn from_ofperr(version: u8, err: OfpErr, data: &[u8]) -> (u8, ErrorMsg) {
        let domain = if (1..=6).contains(&version) {
            version
        } else {
            1
        };
        let enc = err
            .encoding(domain)
            .or_else(|| OfpErr::NxbrcUnencodableError.encoding(domain));
        let code = match enc {
            None => ErrorCode::Standard {
                err_type: 1,
                code: 0,
            },
            Some(e) if e.vendor == 0 => ErrorCode::Standard {
                err_type: e.err_type,
                code: e.code,
            },
            Some(e) if domain <= 2 => ErrorCode::NxVendor {
                vendor: e.vendor,
                err_type: e.err_type,
                code: e.code,
            },
            Some(e) => ErrorCode::Experimenter {
                vendor: e.vendor,
                exp_type: e.code,
            },
        };
        (
            domain,
            ErrorMsg {
                code,
                data: data.to_vec(),
            },
        )
    }

    pub(crate) fn decode(r: &mut Reader<'_>) -> ErrorMsg {
        // The header check guaranteed the 4-byte type and code.
        let err_type = r.u16().unwrap_or(0);
        let code = r.u16().unwrap_or(0);
        let rest = r.rest();
        let code = if err_type == NXET_VENDOR && code == NXVC_VENDOR_ERROR && rest.len() >= 8 {
            let vendor = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]);
            let t = u16::from_be_bytes([rest[4], rest[5]]);
            let c = u16::from_be_bytes([rest[6], rest[7]]);
            let _ = r.skip(8);
            ErrorCode::NxVendor {
                vendor,
                err_type: t,
                code: c,
            }
        } else if err_type == OFPET_EXPERIMENTER && rest.len() >= 4 {
            let vendor = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]);
            let _ = r.skip(4);
            ErrorCode::Experimenter {
                vendor,
                exp_type: code,
            }
        } else {
            ErrorCode::Standard { err_type, code }
        };
        ErrorMsg {
            code,
            data: r.rest().to_vec(),
        }
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        match self.code {
            ErrorCode::Standard { err_type, code } => {
                w.u16(err_type);
                w.u16(code);
            }
            ErrorCode::Experimenter { vendor, exp_type } => {
                w.u16(OFPET_EXPERIMENTER);
                w.u16(exp_type);
                w.u32(vendor);
            }
            ErrorCode::NxVendor {
                vendor,
                err_type,
                code,
            } => {
                w.u16(NXET_VENDOR);
                w.u16(NXVC_VENDOR_ERROR);
                w.u32(vendor);
                w.u16(err_type);
                w.u16(code);
            }
        }
        // Whatever fits in one message, as OVS does.
        let room = 65535usize.saturating_sub(w.len());
        let n = self.data.len().min(room);
        w.bytes(&self.data[..n]);
    }
}

/// An OFPT_ERROR message for `err` with wire version `version` (falling back
/// to OpenFlow 1.0 for versions OVS does not know) and `xid`, carrying
/// `data` truncated to fit in one message. OVS's `ofperr_encode_reply`
/// passes the whole offending request as `data`; `ofperr_encode_hello`
/// passes a text explanation with xid 0.
pub fn encode_error(version: u8, xid: u32, err: OfpErr, data: &[u8]) -> Vec<u8> {
    let (domain, msg) = ErrorMsg::from_ofperr(version, err, data);
    let mut w = Writer::with_capacity(16 + data.len().min(65535));
    put_header(&mut w, Raw::OfptError, domain, xid);
    msg.encode(&mut w);
    let len = w.len() as u16;
    w.patch_u16(2, len);
    w.into_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_and_experimenter_errors() {
        let req = [4u8, 99, 0, 8, 0, 0, 0, 7];
        let e = encode_error(4, 7, OfpErr::OfpbrcBadType, &req);
        assert_eq!(
            e,
            [4, 1, 0, 20, 0, 0, 0, 7, 0, 1, 0, 1, 4, 99, 0, 8, 0, 0, 0, 7]
        );
        // NXBRC_NXM_INVALID: Nicira vendor error (1,256) in OpenFlow 1.0,
        // experimenter error in 1.2+.
        let e = encode_error(1, 1, OfpErr::NxbrcNxmInvalid, &[]);
        assert_eq!(
            e,
            [
                1, 1, 0, 20, 0, 0, 0, 1, 0xb0, 0xc2, 0, 0, 0, 0, 0x23, 0x20, 0, 1, 1, 0
            ]
        );
        let (_, m) = ErrorMsg::from_ofperr(1, OfpErr::NxbrcNxmInvalid, &[]);
        assert_eq!(m.ofperr(1), Some(OfpErr::NxbrcNxmInvalid));
        let e = encode_error(4, 1, OfpErr::NxbrcNxmInvalid, &[]);
        assert_eq!(
            e,
            [4, 1, 0, 16, 0, 0, 0, 1, 0xff, 0xff, 0, 2, 0, 0, 0x23, 0x20]
        );
        // Unknown version: OpenFlow 1.0 numbering and header.
        let e = encode_error(9, 1, OfpErr::OfpbrcBadVersion, &[]);
        assert_eq!(&e[..2], &[1, 1]);
    }

    #[test]
    fn unencodable_falls_back() {
        // Bundle errors do not exist in OpenFlow 1.0.
        let (_, m) = ErrorMsg::from_ofperr(1, OfpErr::OfpbfcUnknown, &[]);
        assert_eq!(m.ofperr(1), Some(OfpErr::NxbrcUnencodableError));
    }

    #[test]
    fn decodes_vendor_forms() {
        let body = [0xb0, 0xc2, 0, 0, 0, 0, 0x23, 0x20, 0, 1, 0, 2, 9];
        let m = ErrorMsg::decode(&mut Reader::new(&body));
        assert_eq!(
            m.code,
            ErrorCode::NxVendor {
                vendor: 0x2320,
                err_type: 1,
                code: 2
            }
        );
        assert_eq!(m.data, [9]);
        let mut w = Writer::new();
        m.encode(&mut w);
        assert_eq!(w.as_slice(), &body);
    }
}
