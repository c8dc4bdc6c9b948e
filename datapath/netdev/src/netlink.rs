//! The one rtnetlink exchange the crate needs: a device's kernel counters,
//! as OVS's `get_stats_via_netlink` reads them (`RTM_GETLINK` by name, then
//! `IFLA_STATS64`, falling back to the 32-bit `IFLA_STATS`).
//!
//! Building the request and decoding the reply are pure; [`link_stats`]
//! does the I/O, in the network namespace of the calling thread.

use std::io;
use std::os::fd::AsFd;

use crate::NetdevStats;
use crate::sys;

const NLMSG_HEADER_LEN: usize = 16;
const IFINFOMSG_LEN: usize = 16;
const NLA_HEADER_LEN: usize = 4;
const NLA_TYPE_MASK: u16 = 0x3fff;

const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const RTM_NEWLINK: u16 = 16;
const RTM_GETLINK: u16 = 18;
const NLM_F_REQUEST: u16 = 1;

const IFLA_IFNAME: u16 = 3;
const IFLA_STATS: u16 = 7;
const IFLA_STATS64: u16 = 23;

/// `struct rtnl_link_stats` / `rtnl_link_stats64` up to `tx_compressed`:
/// every kernel since 2.6 sends at least these 23 counters.
const LINK_STATS_FIELDS: usize = 23;

const fn nla_align(len: usize) -> usize {
    (len + 3) & !3
}

/// An `RTM_GETLINK` request for the device `name`.
pub(crate) fn getlink_request(name: &str, seq: u32) -> Vec<u8> {
    let name_attr_len = NLA_HEADER_LEN + name.len() + 1;
    let total = NLMSG_HEADER_LEN + IFINFOMSG_LEN + nla_align(name_attr_len);
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&(total as u32).to_ne_bytes());
    out.extend_from_slice(&RTM_GETLINK.to_ne_bytes());
    out.extend_from_slice(&NLM_F_REQUEST.to_ne_bytes());
    out.extend_from_slice(&seq.to_ne_bytes());
    out.extend_from_slice(&0u32.to_ne_bytes());
    out.resize(NLMSG_HEADER_LEN + IFINFOMSG_LEN, 0);
    out.extend_from_slice(&(name_attr_len as u16).to_ne_bytes());
    out.extend_from_slice(&IFLA_IFNAME.to_ne_bytes());
    out.extend_from_slice(name.as_bytes());
    out.push(0);
    out.resize(total, 0);
    out
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_ne_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_ne_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

/// Walks `(type, payload)` netlink attributes, stopping at a malformed one.
fn attributes(mut bytes: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let len = usize::from(u16_at(bytes, 0)?);
        let kind = u16_at(bytes, 2)? & NLA_TYPE_MASK;
        if len < NLA_HEADER_LEN {
            return None;
        }
        let payload = bytes.get(NLA_HEADER_LEN..len)?;
        bytes = bytes.get(nla_align(len).min(bytes.len())..)?;
        Some((kind, payload))
    })
}

/// Counters in `rtnl_link_stats64` order, from 64- or 32-bit fields.
fn stats_from_fields(field: impl Fn(usize) -> u64) -> NetdevStats {
    NetdevStats {
        rx_packets: field(0),
        tx_packets: field(1),
        rx_bytes: field(2),
        tx_bytes: field(3),
        rx_errors: field(4),
        tx_errors: field(5),
        rx_dropped: field(6),
        tx_dropped: field(7),
        multicast: field(8),
        collisions: field(9),
        rx_length_errors: field(10),
        rx_over_errors: field(11),
        rx_crc_errors: field(12),
        rx_frame_errors: field(13),
        rx_fifo_errors: field(14),
        rx_missed_errors: field(15),
        tx_aborted_errors: field(16),
        tx_carrier_errors: field(17),
        tx_fifo_errors: field(18),
        tx_heartbeat_errors: field(19),
        tx_window_errors: field(20),
    }
}

/// Decodes the reply to [`getlink_request`]: the device's counters, or the
/// errno the kernel answered with (EPROTO for a reply without counters).
pub(crate) fn parse_link_stats(reply: &[u8]) -> Result<NetdevStats, i32> {
    let len = u32_at(reply, 0).ok_or(libc::EPROTO)? as usize;
    let kind = u16_at(reply, 4).ok_or(libc::EPROTO)?;
    let message = reply.get(..len).ok_or(libc::EPROTO)?;
    match kind {
        NLMSG_ERROR => {
            let code = u32_at(message, NLMSG_HEADER_LEN).ok_or(libc::EPROTO)? as i32;
            // An "error" of 0 is an acknowledgement, which GETLINK never
            // sends alone; treat it as a reply without counters. So is a
            // code with no errno to negate into (i32::MIN).
            Err(match code.checked_neg() {
                Some(errno) if errno > 0 => errno,
                _ => libc::EPROTO,
            })
        }
        NLMSG_DONE => Err(libc::EPROTO),
        RTM_NEWLINK => {
            let attrs = message
                .get(NLMSG_HEADER_LEN + IFINFOMSG_LEN..)
                .ok_or(libc::EPROTO)?;
            let mut stats32 = None;
            for (kind, payload) in attributes(attrs) {
                if kind == IFLA_STATS64 && payload.len() >= LINK_STATS_FIELDS * 8 {
                    return Ok(stats_from_fields(|i| u64_at(payload, i * 8).unwrap_or(0)));
                }
                if kind == IFLA_STATS && payload.len() >= LINK_STATS_FIELDS * 4 {
                    stats32 = Some(stats_from_fields(|i| {
                        u64::from(u32_at(payload, i * 4).unwrap_or(0))
                    }));
                }
            }
            stats32.ok_or(libc::EPROTO)
        }
        _ => Err(libc::EPROTO),
    }
}

/// The kernel's counters for device `name`.
pub(crate) fn link_stats(name: &str) -> io::Result<NetdevStats> {
    let fd = sys::netlink_route_socket()?;
    sys::set_recv_timeout(fd.as_fd(), 1000)?;
    let request = getlink_request(name, 1);
    sys::send_datagram(fd.as_fd(), &request)?;
    // A GETLINK reply with every attribute is a few kilobytes.
    let mut reply = vec![0u8; 32 * 1024];
    let n = sys::recv_datagram(fd.as_fd(), &mut reply)?;
    parse_link_stats(&reply[..n]).map_err(io::Error::from_raw_os_error)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A reply as the kernel builds it: some attribute first, then the
    /// counters in either width.
    fn reply(fields: &[u64], wide: bool) -> Vec<u8> {
        let mut attrs = Vec::new();
        for (kind, payload) in [
            (IFLA_IFNAME, b"eth0\0".to_vec()),
            (
                if wide { IFLA_STATS64 } else { IFLA_STATS },
                fields
                    .iter()
                    .flat_map(|&f| {
                        if wide {
                            f.to_ne_bytes().to_vec()
                        } else {
                            (f as u32).to_ne_bytes().to_vec()
                        }
                    })
                    .collect(),
            ),
        ] {
            attrs.extend_from_slice(&((NLA_HEADER_LEN + payload.len()) as u16).to_ne_bytes());
            attrs.extend_from_slice(&kind.to_ne_bytes());
            attrs.extend_from_slice(&payload);
            attrs.resize(nla_align(attrs.len()), 0);
        }
        let total = NLMSG_HEADER_LEN + IFINFOMSG_LEN + attrs.len();
        let mut out = Vec::new();
        out.extend_from_slice(&(total as u32).to_ne_bytes());
        out.extend_from_slice(&RTM_NEWLINK.to_ne_bytes());
        out.extend_from_slice(&[0; 10]);
        out.resize(NLMSG_HEADER_LEN + IFINFOMSG_LEN, 0);
        out.extend_from_slice(&attrs);
        out
    }

    #[test]
    fn request_layout() {
        let req = getlink_request("veth0", 7);
        assert_eq!(req.len(), 16 + 16 + 12);
        assert_eq!(u32_at(&req, 0), Some(44));
        assert_eq!(u16_at(&req, 4), Some(RTM_GETLINK));
        assert_eq!(u32_at(&req, 8), Some(7));
        let attrs: Vec<_> = attributes(&req[32..]).collect();
        assert_eq!(attrs, vec![(IFLA_IFNAME, &b"veth0\0"[..])]);
    }

    #[test]
    fn kernel_errors_become_errnos() {
        let mut out = Vec::new();
        out.extend_from_slice(&20u32.to_ne_bytes());
        out.extend_from_slice(&NLMSG_ERROR.to_ne_bytes());
        out.extend_from_slice(&[0; 10]);
        out.extend_from_slice(&(-libc::ENODEV).to_ne_bytes());
        assert_eq!(parse_link_stats(&out), Err(libc::ENODEV));
        assert_eq!(parse_link_stats(&out[..10]), Err(libc::EPROTO));
        // Found by fuzzing: the most negative code has no errno.
        out[16..20].copy_from_slice(&i32::MIN.to_ne_bytes());
        assert_eq!(parse_link_stats(&out), Err(libc::EPROTO));
    }

    #[test]
    fn reply_without_counters_is_eproto() {
        let r = reply(&[1; 10], true);
        assert_eq!(parse_link_stats(&r), Err(libc::EPROTO));
    }

    proptest! {
        #[test]
        fn counters_round_trip(fields in proptest::collection::vec(any::<u64>(), LINK_STATS_FIELDS..26), wide in any::<bool>()) {
            let r = reply(&fields, wide);
            let expect = stats_from_fields(|i| if wide { fields[i] } else { u64::from(fields[i] as u32) });
            prop_assert_eq!(parse_link_stats(&r), Ok(expect));
        }

        #[test]
        fn kernel_errors_round_trip(
            errno in 1i32..=i32::MAX,
            trailing in proptest::collection::vec(any::<u8>(), 0..20),
        ) {
            let mut out = Vec::new();
            out.extend_from_slice(&36u32.to_ne_bytes());
            out.extend_from_slice(&NLMSG_ERROR.to_ne_bytes());
            out.extend_from_slice(&[0; 10]);
            out.extend_from_slice(&(-errno).to_ne_bytes());
            // The request the error answers, then bytes past the message.
            out.extend_from_slice(&[0; 16]);
            out.extend_from_slice(&trailing);
            prop_assert_eq!(parse_link_stats(&out), Err(errno));
        }

        #[test]
        fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse_link_stats(&bytes);
        }
    }
}
