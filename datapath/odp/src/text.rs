//! Text primitives shared by the key and action printers and parsers: OVS's
//! number, address and flag syntaxes, with its exact quirks (`%i` accepts
//! octal and hexadecimal and keeps the low bits of an out-of-range value,
//! `%#x` prints 0 as `0`, IPv6 addresses print as glibc's `inet_ntop` does).

use std::fmt::Write;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::key::Mac;

// ---------------------------------------------------------------------
// Printing.

/// C's `%#x`: `0x` prefix except for zero.
pub(crate) fn hex_alt(out: &mut String, v: u64) {
    if v == 0 {
        out.push('0');
    } else {
        let _ = write!(out, "{v:#x}");
    }
}

/// `%02x:%02x:...`.
pub(crate) fn mac(out: &mut String, m: &Mac) {
    let _ = write!(
        out,
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    );
}

pub(crate) fn ipv4(out: &mut String, a: Ipv4Addr) {
    let o = a.octets();
    let _ = write!(out, "{}.{}.{}.{}", o[0], o[1], o[2], o[3]);
}

/// glibc's `inet_ntop(AF_INET6)`: the longest run of two or more zero
/// groups (the first one on a tie) becomes `::`, and an address whose
/// first 96 bits are zero (unless the last 32 bits are at most 0xffff, so
/// that the run covers them too), or an IPv4-mapped one, ends in dotted
/// quad.
pub(crate) fn ipv6(out: &mut String, a: Ipv6Addr) {
    let w = a.segments();
    let (mut best_base, mut best_len) = (None::<usize>, 0usize);
    let (mut cur_base, mut cur_len) = (None::<usize>, 0usize);
    for (i, g) in w.iter().enumerate() {
        if *g == 0 {
            if cur_base.is_none() {
                cur_base = Some(i);
                cur_len = 1;
            } else {
                cur_len += 1;
            }
        } else if let Some(b) = cur_base.take()
            && (best_base.is_none() || cur_len > best_len)
        {
            best_base = Some(b);
            best_len = cur_len;
        }
    }
    if let Some(b) = cur_base
        && (best_base.is_none() || cur_len > best_len)
    {
        best_base = Some(b);
        best_len = cur_len;
    }
    if best_len < 2 {
        best_base = None;
    }
    let mut i = 0;
    while i < 8 {
        if let Some(b) = best_base
            && i >= b
            && i < b + best_len
        {
            if i == b {
                out.push(':');
            }
            i += 1;
            continue;
        }
        if i != 0 {
            out.push(':');
        }
        if i == 6 && best_base == Some(0) && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)) {
            let o = a.octets();
            let _ = write!(out, "{}.{}.{}.{}", o[12], o[13], o[14], o[15]);
            return;
        }
        let _ = write!(out, "{:x}", w[i]);
        i += 1;
    }
    if let Some(b) = best_base
        && b + best_len == 8
    {
        out.push(':');
    }
}

/// OVS's `ds_put_hex`: `0x` and the bytes without leading zero bytes, or `0`.
pub(crate) fn hex_bytes(out: &mut String, b: &[u8]) {
    let mut printed = false;
    for v in b {
        if *v != 0 || printed {
            if printed {
                let _ = write!(out, "{v:02x}");
            } else {
                let _ = write!(out, "0x{v:x}");
            }
            printed = true;
        }
    }
    if !printed {
        out.push('0');
    }
}

/// Removes one trailing `c`, like OVS's `ds_chomp`.
pub(crate) fn chomp(out: &mut String, c: char) {
    if out.ends_with(c) {
        out.pop();
    }
}

/// OVS's `format_flags`: names of the set bits, lowest first, joined by
/// `delim`; unnamed bits together in hex at the end; `0` when none.
pub(crate) fn flags(out: &mut String, names: fn(u32) -> Option<&'static str>, v: u32, delim: char) {
    if v == 0 {
        out.push('0');
        return;
    }
    let mut bad = 0u32;
    let mut rest = v;
    while rest != 0 {
        let bit = rest & rest.wrapping_neg();
        match names(bit) {
            Some(n) => {
                out.push_str(n);
                out.push(delim);
            }
            None => bad |= bit,
        }
        rest &= !bit;
    }
    if bad != 0 {
        let _ = write!(out, "0x{bad:x}{delim}");
    }
    chomp(out, delim);
}

/// OVS's `format_flags_masked` without a name.
pub(crate) fn flags_masked(
    out: &mut String,
    names: fn(u32) -> Option<&'static str>,
    v: u32,
    mask: u32,
    max_mask: u32,
) {
    if mask == max_mask {
        flags(out, names, v, '|');
        return;
    }
    if mask == 0 {
        out.push_str("0/0");
        return;
    }
    let mut rest = mask;
    while rest != 0 {
        let bit = rest & rest.wrapping_neg();
        out.push(if v & bit != 0 { '+' } else { '-' });
        out.push_str(names(bit).unwrap_or("[Unknown]"));
        rest &= !bit;
    }
}

pub(crate) fn ct_state_name(bit: u32) -> Option<&'static str> {
    Some(match bit {
        0x08 => "rpl",
        0x20 => "trk",
        0x01 => "new",
        0x02 => "est",
        0x04 => "rel",
        0x10 => "inv",
        0x40 => "snat",
        0x80 => "dnat",
        _ => return None,
    })
}

pub(crate) fn tcp_flag_name(bit: u32) -> Option<&'static str> {
    Some(match bit {
        0x001 => "fin",
        0x002 => "syn",
        0x004 => "rst",
        0x008 => "psh",
        0x010 => "ack",
        0x020 => "urg",
        0x040 => "ece",
        0x080 => "cwr",
        0x100 => "ns",
        0x200 => "[200]",
        0x400 => "[400]",
        0x800 => "[800]",
        _ => return None,
    })
}

/// Tunnel flag bits as `flow_tun_flag_to_string` names them.
pub(crate) const TNL_F_OAM: u32 = 1 << 0;
pub(crate) const TNL_F_DONT_FRAGMENT: u32 = 1 << 1;
pub(crate) const TNL_F_CSUM: u32 = 1 << 2;
pub(crate) const TNL_F_KEY: u32 = 1 << 3;
pub(crate) const TNL_F_MASK: u32 = (1 << 4) - 1;

pub(crate) fn tun_flag_name(bit: u32) -> Option<&'static str> {
    Some(match bit {
        TNL_F_DONT_FRAGMENT => "df",
        TNL_F_CSUM => "csum",
        TNL_F_KEY => "key",
        TNL_F_OAM => "oam",
        _ => return None,
    })
}

pub(crate) fn slow_path_name(bit: u32) -> Option<&'static str> {
    Some(match bit {
        0x01 => "cfm",
        0x02 => "bfd",
        0x04 => "lacp",
        0x08 => "stp",
        0x10 => "lldp",
        0x20 => "action",
        0x40 => "match",
        _ => return None,
    })
}

// ---------------------------------------------------------------------
// Scanning. Each scanner takes the text at the current position and
// returns the value and the number of bytes it used, or `None`.

fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn skip_spaces(s: &[u8]) -> usize {
    s.iter().take_while(|b| is_c_space(**b)).count()
}

fn hexit(b: u8) -> Option<u32> {
    (b as char).to_digit(16)
}

/// OVS's `scan_int` behind `%i` (`base` 0), `%d`/`%u` (10) and `%x` (16):
/// leading white space, an optional sign, `0x` for base 0 or 16, a leading
/// `0` meaning octal for base 0; the value wraps modulo 2^64 (callers keep
/// the low bits, as OVS does).
pub(crate) fn scan_int(s: &str, base: u32) -> Option<(u64, usize)> {
    let b = s.as_bytes();
    let mut i = skip_spaces(b);
    let negative = b.get(i) == Some(&b'-');
    if matches!(b.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let mut base = base;
    if (base == 0 || base == 16)
        && b.get(i) == Some(&b'0')
        && matches!(b.get(i + 1), Some(b'x' | b'X'))
    {
        base = 16;
        i += 2;
    } else if base == 0 {
        base = if b.get(i) == Some(&b'0') { 8 } else { 10 };
    }
    let mut value = 0u64;
    let mut digits = 0;
    while let Some(d) = b.get(i).and_then(|c| hexit(*c)) {
        if d >= base {
            break;
        }
        value = value
            .wrapping_mul(u64::from(base))
            .wrapping_add(u64::from(d));
        digits += 1;
        i += 1;
    }
    if digits == 0 {
        return None;
    }
    if negative {
        value = value.wrapping_neg();
    }
    Some((value, i))
}

/// `%i` into an 8-bit destination.
pub(crate) fn scan_u8(s: &str) -> Option<(u8, usize)> {
    scan_int(s, 0).map(|(v, n)| (v as u8, n))
}

pub(crate) fn scan_u16(s: &str) -> Option<(u16, usize)> {
    scan_int(s, 0).map(|(v, n)| (v as u16, n))
}

pub(crate) fn scan_u32(s: &str) -> Option<(u32, usize)> {
    scan_int(s, 0).map(|(v, n)| (v as u32, n))
}

pub(crate) fn scan_u64(s: &str) -> Option<(u64, usize)> {
    scan_int(s, 0)
}

/// `IP_SCAN_FMT`: four `%hhu` separated by dots.
pub(crate) fn scan_ipv4(s: &str) -> Option<(Ipv4Addr, usize)> {
    let mut o = [0u8; 4];
    let mut n = 0;
    for (k, slot) in o.iter_mut().enumerate() {
        if k > 0 {
            if s.as_bytes().get(n) != Some(&b'.') {
                return None;
            }
            n += 1;
        }
        let (v, used) = scan_int(s.get(n..)?, 10)?;
        *slot = v as u8;
        n += used;
    }
    Some((Ipv4Addr::from(o), n))
}

/// `ETH_ADDR_SCAN_FMT`: six `%hhx` separated by colons.
pub(crate) fn scan_mac(s: &str) -> Option<(Mac, usize)> {
    let mut m = [0u8; 6];
    let mut n = 0;
    for (k, slot) in m.iter_mut().enumerate() {
        if k > 0 {
            if s.as_bytes().get(n) != Some(&b':') {
                return None;
            }
            n += 1;
        }
        let (v, used) = scan_int(s.get(n..)?, 16)?;
        *slot = v as u8;
        n += used;
    }
    Some((m, n))
}

/// `IPV6_SCAN_FMT` (up to 46 characters of hex digits, `:` and `.`) and
/// `inet_pton`.
pub(crate) fn scan_ipv6(s: &str) -> Option<(Ipv6Addr, usize)> {
    let n = s
        .bytes()
        .take(46)
        .take_while(|b| b.is_ascii_hexdigit() || *b == b':' || *b == b'.')
        .count();
    if n == 0 {
        return None;
    }
    let a = s.get(..n)?.parse::<Ipv6Addr>().ok()?;
    Some((a, n))
}

/// OVS's `parse_int_string` into `width` bytes (big-endian): `0x` then hex
/// digits (white space between them allowed, value right-aligned), or a C
/// `strtoull` number. Fails on a value too wide for `width`.
pub(crate) fn parse_int_string(s: &str, width: usize) -> Option<(Vec<u8>, usize)> {
    let b = s.as_bytes();
    if b.len() >= 2 && b[0] == b'0' && (b[1] == b'x' || b[1] == b'X') {
        let mut i = 2;
        let mut digits: Vec<u8> = Vec::new();
        loop {
            i += b.get(i..).map_or(0, |r| {
                r.iter()
                    .take_while(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
                    .count()
            });
            let Some(d) = b.get(i).and_then(|c| hexit(*c)) else {
                break;
            };
            if d != 0 || !digits.is_empty() {
                if (digits.len() + 1).div_ceil(2) > width {
                    return None;
                }
                digits.push(d as u8);
            }
            i += 1;
        }
        let mut out = vec![0u8; width];
        let mut idx = width;
        let mut k = digits.len();
        while k > 0 {
            idx -= 1;
            let lo = digits[k - 1];
            let hi = if k >= 2 { digits[k - 2] } else { 0 };
            out[idx] = (hi << 4) | lo;
            k = k.saturating_sub(2);
        }
        return Some((out, i));
    }
    let (v, n) = strtoull(s)?;
    let mut out = vec![0u8; width];
    let mut rest = v;
    for slot in out.iter_mut().rev() {
        *slot = rest as u8;
        rest = rest.checked_shr(8).unwrap_or(0);
    }
    if rest != 0 {
        return None;
    }
    Some((out, n))
}

/// C's `strtoull(s, &end, 0)`; `None` when nothing was converted or the
/// value does not fit 64 bits (ERANGE).
pub(crate) fn strtoull(s: &str) -> Option<(u64, usize)> {
    let b = s.as_bytes();
    let mut i = skip_spaces(b);
    let negative = b.get(i) == Some(&b'-');
    if matches!(b.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let base;
    if b.get(i) == Some(&b'0')
        && matches!(b.get(i + 1), Some(b'x' | b'X'))
        && b.get(i + 2).and_then(|c| hexit(*c)).is_some()
    {
        base = 16;
        i += 2;
    } else if b.get(i) == Some(&b'0') {
        base = 8;
    } else {
        base = 10;
    }
    let mut value = 0u64;
    let mut digits = 0;
    while let Some(d) = b.get(i).and_then(|c| hexit(*c)) {
        if d >= base {
            break;
        }
        value = value
            .checked_mul(u64::from(base))?
            .checked_add(u64::from(d))?;
        digits += 1;
        i += 1;
    }
    if digits == 0 {
        return None;
    }
    Some((
        if negative {
            value.wrapping_neg()
        } else {
            value
        },
        i,
    ))
}

/// OVS's `parse_flags` with `end` as the terminator: either a number with
/// an optional `/mask` (only when `masked`), `+name-name...` (only when
/// `masked`), or `name|name|number...`. Returns flags, mask (all ones for
/// the unmasked form) and bytes used, not counting the terminator.
pub(crate) fn parse_flags(
    s: &str,
    names: fn(u32) -> Option<&'static str>,
    end: u8,
    allowed: u32,
    masked: bool,
) -> Option<(u32, u32, usize)> {
    let b = s.as_bytes();
    if masked
        && let Some((v, n1)) = scan_int(s, 0)
        && b.get(n1) == Some(&b'/')
        && let Some((m, n2)) = s.get(n1 + 1..).and_then(|r| scan_int(r, 0))
    {
        let (v, m) = (v as u32, m as u32);
        if v & !allowed != 0 || m & !allowed != 0 {
            return None;
        }
        return Some((v, m, n1 + 1 + n2));
    }
    if masked && matches!(b.first(), Some(b'+' | b'-')) {
        let (mut flags, mut mask) = (0u32, 0u32);
        let mut n = 0;
        while b.get(n) != Some(&end) {
            let set = match b.get(n) {
                Some(b'+') => true,
                Some(b'-') => false,
                _ => return None,
            };
            n += 1;
            let mut found = None;
            for k in 0..32 {
                let bit = 1u32 << k;
                let Some(name) = names(bit) else { continue };
                let rest = b.get(n..)?;
                if rest.starts_with(name.as_bytes())
                    && matches!(rest.get(name.len()), Some(c) if *c == b'+' || *c == b'-' || *c == end)
                {
                    found = Some((bit, name.len()));
                    break;
                }
            }
            let (bit, len) = found?;
            if mask & bit != 0 || bit & !allowed != 0 {
                return None;
            }
            if set {
                flags |= bit;
            }
            mask |= bit;
            n += len;
        }
        return Some((flags, mask, n));
    }
    let mut n = 0;
    let mut result = 0u32;
    while b.get(n) != Some(&end) {
        let rest = s.get(n..)?;
        if let Some((v, used)) = scan_int(rest, 0) {
            if v & !u64::from(allowed) != 0 {
                return None;
            }
            result |= v as u32;
            n += used + usize::from(b.get(n + used) == Some(&b'|'));
            continue;
        }
        let mut found = None;
        for k in 0..32 {
            let bit = 1u32 << k;
            let Some(name) = names(bit) else { continue };
            let rb = rest.as_bytes();
            if rb.starts_with(name.as_bytes())
                && matches!(rb.get(name.len()), Some(c) if *c == b'|' || *c == end)
            {
                found = Some((bit, name.len()));
                break;
            }
        }
        let (bit, len) = found?;
        if bit & !allowed != 0 {
            return None;
        }
        result |= bit;
        n += len + usize::from(b.get(n + len) == Some(&b'|'));
    }
    Some((result, u32::MAX, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v6(s: &str) -> String {
        let mut o = String::new();
        ipv6(&mut o, s.parse().unwrap());
        o
    }

    #[test]
    fn ipv6_like_glibc() {
        assert_eq!(v6("::"), "::");
        assert_eq!(v6("::1"), "::1");
        assert_eq!(v6("::2"), "::2");
        assert_eq!(v6("::1:2"), "::0.1.0.2");
        assert_eq!(v6("::ffff:0:1"), "::ffff:0.0.0.1");
        assert_eq!(v6("0:0:0:0:0:1:0:0"), "::1:0:0");
        assert_eq!(v6("::1.2.3.4"), "::1.2.3.4");
        assert_eq!(v6("::ffff:1.2.3.4"), "::ffff:1.2.3.4");
        assert_eq!(v6("fe80::1"), "fe80::1");
        assert_eq!(v6("1:0:2:0:0:3:0:0"), "1:0:2::3:0:0");
        assert_eq!(v6("1:0:0:2:0:0:3:4"), "1::2:0:0:3:4");
        assert_eq!(v6("1:2:3:4:5:6:7:0"), "1:2:3:4:5:6:7:0");
        assert_eq!(v6("ffff:ffff:ffff:ffff::"), "ffff:ffff:ffff:ffff::");
        assert_eq!(v6("1::"), "1::");
    }

    #[test]
    fn ints_like_ovs_scan() {
        assert_eq!(scan_int("0x1f)", 0), Some((31, 4)));
        assert_eq!(scan_int("010", 0), Some((8, 3)));
        assert_eq!(scan_int("08", 0), Some((0, 1)));
        assert_eq!(scan_int(" 5", 0), Some((5, 2)));
        assert_eq!(scan_int("-1", 0).map(|(v, _)| v as u8), Some(255));
        assert_eq!(scan_u8("256"), Some((0, 3)));
        assert_eq!(scan_int("0x", 0), None);
        assert_eq!(scan_int("x", 0), None);
    }

    #[test]
    fn hex_and_flags() {
        let mut o = String::new();
        hex_alt(&mut o, 0);
        hex_alt(&mut o, 0xfc);
        assert_eq!(o, "00xfc");
        let mut o = String::new();
        hex_bytes(&mut o, &[0, 0, 1, 2]);
        assert_eq!(o, "0x102");
        let mut o = String::new();
        flags(&mut o, tcp_flag_name, 0x1012, '|');
        assert_eq!(o, "syn|ack|0x1000");
        let mut o = String::new();
        flags_masked(&mut o, ct_state_name, 0x21, 0x23, 0xffff_ffff);
        assert_eq!(o, "+new-est+trk");
        assert_eq!(
            parse_flags("+new-est)", ct_state_name, b')', 0xff, true),
            Some((1, 3, 8))
        );
        assert_eq!(
            parse_flags("syn|ack)", tcp_flag_name, b')', 0xfff, true),
            Some((0x12, u32::MAX, 7))
        );
        assert_eq!(
            parse_flags("0x12/0x3f)", tcp_flag_name, b')', 0xfff, true),
            Some((0x12, 0x3f, 9))
        );
        assert_eq!(
            parse_flags("bogus)", tcp_flag_name, b')', 0xfff, true),
            None
        );
    }

    #[test]
    fn int_strings() {
        assert_eq!(parse_int_string("0x0102)", 4), Some((vec![0, 0, 1, 2], 6)));
        assert_eq!(parse_int_string("0x010203", 2), None);
        assert_eq!(parse_int_string("258", 2), Some((vec![1, 2], 3)));
        assert_eq!(parse_int_string("65536", 2), None);
    }
}
