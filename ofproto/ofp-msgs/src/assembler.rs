//! Reassembly of multipart requests that span several messages (OpenFlow
//! 1.3+ `OFPSF_REQ_MORE`), as OVS's `ofpmp_assembler` does it: parts are
//! held by xid until the last one arrives, a sequence that stalls for a
//! second times out, and one sequence may not exceed 4 MiB.
//!
//! Time is an argument (milliseconds on any monotonic clock), so the
//! assembler does no I/O and reads no clock.

use ovs_ofp_core::OfpErr;

use crate::error::encode_error;
use crate::raw::{Hdrs, MULTIPART_FLAGS_OFFSET, MULTIPART_MORE, Raw, is_stats_request};

/// How long a partial sequence may wait for its next part.
pub const PART_TIMEOUT_MS: i64 = 1000;
/// Largest total size of one sequence (table features requests can be
/// large).
pub const MAX_SEQUENCE_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug)]
struct Partial {
    xid: u32,
    raw: Raw,
    timeout: i64,
    msgs: Vec<Vec<u8>>,
    size: usize,
    has_body: bool,
}

/// Multipart request reassembly for one connection.
#[derive(Debug, Default)]
pub struct MultipartAssembler {
    partials: Vec<Partial>,
}

fn xid_of(msg: &[u8]) -> u32 {
    msg.get(4..8)
        .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

impl MultipartAssembler {
    pub fn new() -> MultipartAssembler {
        MultipartAssembler::default()
    }

    /// Drops every partial sequence.
    pub fn clear(&mut self) {
        self.partials.clear();
    }

    /// Submits one received message. Returns the messages ready for
    /// processing: the message itself if it is not a multipart request, all
    /// the parts of a completed sequence (without empty parts, unless only
    /// one remains), or nothing while parts are still expected. An error is
    /// for the caller to answer `msg` with (OVS's
    /// `ofpmp_assembler_execute`).
    pub fn execute(&mut self, msg: Vec<u8>, now: i64) -> Result<Vec<Vec<u8>>, OfpErr> {
        let (Some(&version), Some(&msg_type)) = (msg.first(), msg.get(1)) else {
            return Ok(vec![msg]);
        };
        if !is_stats_request(version, msg_type) {
            return Ok(vec![msg]);
        }
        let hdrs = Hdrs::decode(&msg)?;
        let raw = Raw::from_hdrs(&hdrs)?;
        let min_len = hdrs.len();
        let has_body = msg.len() > min_len;
        if has_body {
            raw.info().check_length(min_len, msg.len())?;
        }
        let xid = xid_of(&msg);
        let idx = match self.partials.iter().position(|p| p.xid == xid) {
            Some(i) => i,
            None => {
                self.partials.push(Partial {
                    xid,
                    raw,
                    timeout: now,
                    msgs: Vec::new(),
                    size: 0,
                    has_body: false,
                });
                self.partials.len() - 1
            }
        };
        let p = &mut self.partials[idx];
        p.timeout = now.saturating_add(PART_TIMEOUT_MS);
        if p.raw != raw {
            self.partials.swap_remove(idx);
            return Err(OfpErr::OfpbrcBadStat);
        }
        p.size += msg.len();
        if p.size > MAX_SEQUENCE_BYTES {
            self.partials.swap_remove(idx);
            return Err(OfpErr::OfpbrcMultipartBufferOverflow);
        }
        let flags = msg
            .get(MULTIPART_FLAGS_OFFSET..MULTIPART_FLAGS_OFFSET + 2)
            .map_or(0, |b| u16::from_be_bytes([b[0], b[1]]));
        let more = version >= 4 && flags & MULTIPART_MORE != 0;
        if has_body {
            p.has_body = true;
        }
        if !more && !p.has_body && raw.info().min_body != 0 {
            self.partials.swap_remove(idx);
            return Err(OfpErr::OfpbrcBadLen);
        }
        p.msgs.push(msg);
        if more {
            return Ok(Vec::new());
        }
        let done = self.partials.swap_remove(idx);
        let mut out = done.msgs;
        // Empty parts are allowed anywhere; keep at least one.
        let mut i = 0;
        while i < out.len() {
            if out[i].len() <= min_len && out.len() > 1 {
                out.remove(i);
            } else {
                i += 1;
            }
        }
        Ok(out)
    }

    /// Expires sequences whose time is up: returns the `OFPT_ERROR`
    /// (`OFPBRC_MULTIPART_REQUEST_TIMEOUT`) to send for the first one found,
    /// if any (OVS's `ofpmp_assembler_run`).
    pub fn run(&mut self, now: i64) -> Option<Vec<u8>> {
        let idx = self.partials.iter().position(|p| now >= p.timeout)?;
        let p = self.partials.swap_remove(idx);
        let last = p.msgs.last()?;
        Some(encode_error(
            last[0],
            p.xid,
            OfpErr::OfpbrcMultipartRequestTimeout,
            last,
        ))
    }

    /// When the next sequence times out, if any is pending.
    pub fn next_timeout(&self) -> Option<i64> {
        self.partials.iter().map(|p| p.timeout).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table_features_part(xid: u32, more: bool, body: &[u8]) -> Vec<u8> {
        let mut m = vec![
            4,
            18,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            12,
            0,
            u8::from(more),
            0,
            0,
            0,
            0,
        ];
        m[4..8].copy_from_slice(&xid.to_be_bytes());
        m.extend_from_slice(body);
        let len = m.len() as u16;
        m[2..4].copy_from_slice(&len.to_be_bytes());
        m
    }

    #[test]
    fn reassembles_and_times_out() {
        let mut a = MultipartAssembler::new();
        // Not a multipart request: passes through.
        let echo = vec![4, 2, 0, 8, 0, 0, 0, 1];
        assert_eq!(a.execute(echo.clone(), 0), Ok(vec![echo]));
        let p1 = table_features_part(5, true, &[0; 64]);
        let p2 = table_features_part(5, true, &[]);
        let p3 = table_features_part(5, false, &[0; 64]);
        assert_eq!(a.execute(p1.clone(), 0), Ok(vec![]));
        assert_eq!(a.execute(p2, 10), Ok(vec![]));
        assert_eq!(a.next_timeout(), Some(1010));
        assert_eq!(a.execute(p3.clone(), 20), Ok(vec![p1.clone(), p3]));
        assert_eq!(a.next_timeout(), None);
        // A stalled sequence times out with an error for its last part.
        assert_eq!(a.execute(p1, 100), Ok(vec![]));
        assert_eq!(a.run(1099), None);
        let err = a.run(1100).unwrap();
        let (_, m) = crate::decode(&err).unwrap();
        let crate::Message::Error(e) = m else {
            panic!()
        };
        assert_eq!(e.ofperr(4), Some(OfpErr::OfpbrcMultipartRequestTimeout));
    }

    #[test]
    fn type_must_not_change() {
        let mut a = MultipartAssembler::new();
        let p1 = table_features_part(5, true, &[0; 64]);
        assert_eq!(a.execute(p1, 0), Ok(vec![]));
        // A port description request with the same xid.
        let p2 = vec![4, 18, 0, 16, 0, 0, 0, 5, 0, 13, 0, 0, 0, 0, 0, 0];
        assert_eq!(a.execute(p2, 0), Err(OfpErr::OfpbrcBadStat));
    }
}
