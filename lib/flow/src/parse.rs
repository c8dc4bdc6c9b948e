//! The text syntax of matches and flows that `ovs-ofctl` and
//! `ovs-appctl ofproto/trace` take (`in_port=1,tcp,nw_dst=10.0.0.0/8`),
//! read as OVS reads it: OVS's `ofputil_parse_key_value` splits the text,
//! `ofp_parse_protocol` knows the shorthands, `mf_parse` reads one field's
//! value in that field's own syntax, `parse_ofp_str__` builds a match and
//! `parse_ofp_exact_flow` builds a flow.
//!
//! Error messages are OVS's, word for word, since users and scripts see
//! them (`ofproto/trace` prints them after `Bad openflow flow syntax: `).
//! Values are read with OVS's quirks where a user could notice the
//! difference: numbers after `0x` may be any length as long as the value
//! fits, decimal numbers follow C's `strtoull` (octal after a leading `0`,
//! `-1` is all ones), the dotted-quad and MAC readers follow OVS's own
//! `scanf` (each part keeps its low 8 bits).

use std::net::Ipv6Addr;

use crate::fields::{FieldFormat, FieldId, FieldInfo};
use crate::flow::Flow;
use crate::matches::{FieldError, Match, port_from_of11, port_to_of11};
use crate::table::{ALL_FIELDS, offset};

/// OVS's `ofp_parse_protocol` table: a shorthand word, the Ethernet type
/// it stands for, and the IP protocol (0 for none).
pub const PROTOCOLS: &[(&str, u16, u8)] = &[
    ("ip", 0x0800, 0),
    ("ipv4", 0x0800, 0),
    ("ip4", 0x0800, 0),
    ("arp", 0x0806, 0),
    ("icmp", 0x0800, 1),
    ("tcp", 0x0800, 6),
    ("udp", 0x0800, 17),
    ("sctp", 0x0800, 132),
    ("ipv6", 0x86dd, 0),
    ("ip6", 0x86dd, 0),
    ("icmp6", 0x86dd, 58),
    ("tcp6", 0x86dd, 6),
    ("udp6", 0x86dd, 17),
    ("sctp6", 0x86dd, 132),
    ("rarp", 0x8035, 0),
    ("mpls", 0x8847, 0),
    ("mplsm", 0x8848, 0),
];

/// The Ethernet type and IP protocol (0 for none) of a protocol shorthand
/// such as `tcp6`.
pub fn protocol(name: &str) -> Option<(u16, u8)> {
    PROTOCOLS
        .iter()
        .find(|p| p.0 == name)
        .map(|&(_, dl_type, proto)| (dl_type, proto))
}

/// The OpenFlow 1.0 port numbers with names (`ofputil_port_from_string`
/// accepts these names in any case). `NONE` is an old spelling of `ANY`.
pub const RESERVED_PORTS: &[(&str, u16)] = &[
    ("IN_PORT", 0xfff8),
    ("TABLE", 0xfff9),
    ("NORMAL", 0xfffa),
    ("FLOOD", 0xfffb),
    ("ALL", 0xfffc),
    ("CONTROLLER", 0xfffd),
    ("LOCAL", 0xfffe),
    ("ANY", 0xffff),
    ("UNSET", 0xfff7),
    ("NONE", 0xffff),
];

/// `OFPP_NONE`: what an exact flow's `in_port` is when the text names none.
const OFPP_NONE: u16 = 0xffff;

/// Splits `s` into `key=value`, `key:value`, `key(value)` and bare `key`
/// items separated by commas or white space (OVS's
/// `ofputil_parse_key_value`). A bare key comes with an empty value.
/// Parentheses nest inside a value, so `packet_type=(1,0x800)` is one item.
pub fn key_values(s: &str) -> KeyValues<'_> {
    KeyValues { s, pos: 0 }
}

/// The iterator of [`key_values`].
#[derive(Clone, Debug)]
pub struct KeyValues<'a> {
    s: &'a str,
    pos: usize,
}

const ITEM_DELIMITERS: &[u8] = b", \t\r\n";

impl<'a> Iterator for KeyValues<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<(&'a str, &'a str)> {
        let b = self.s.as_bytes();
        while self.pos < b.len() && ITEM_DELIMITERS.contains(&b[self.pos]) {
            self.pos += 1;
        }
        if self.pos >= b.len() {
            return None;
        }
        let start = self.pos;
        let key_len = b[start..]
            .iter()
            .position(|c| b":=(, \t\r\n".contains(c))
            .unwrap_or(b.len() - start);
        let key = &self.s[start..start + key_len];
        let delimiter = b.get(start + key_len).copied();
        self.pos = start + key_len + usize::from(delimiter.is_some());
        let value_delimiters: &[u8] = match delimiter {
            Some(b':' | b'=') => ITEM_DELIMITERS,
            Some(b'(') => b")",
            _ => return Some((key, "")),
        };
        let value_start = self.pos;
        let mut n = value_len(&b[value_start..], value_delimiters);
        // `key(x)->y` (an action such as `load(...)->dst`) keeps going
        // after the closing parenthesis.
        if delimiter == Some(b'(') && b[value_start + n..].starts_with(b")->") {
            n += value_len(&b[value_start + n..], ITEM_DELIMITERS);
        }
        let value = &self.s[value_start..value_start + n];
        self.pos = value_start + n + usize::from(value_start + n < b.len());
        Some((key, value))
    }
}

/// Bytes up to the first of `delimiters`, stepping over balanced
/// parentheses (an unbalanced one runs to the end).
fn value_len(b: &[u8], delimiters: &[u8]) -> usize {
    let mut n = 0;
    while n < b.len() && !delimiters.contains(&b[n]) {
        if b[n] != b'(' {
            n += 1;
            continue;
        }
        let mut level = 0i32;
        loop {
            match b.get(n) {
                None => return n,
                Some(b'(') => level += 1,
                Some(b')') => level -= 1,
                Some(_) => {}
            }
            n += 1;
            if level <= 0 {
                break;
            }
        }
    }
    n
}

// ---------------------------------------------------------------------------
// Number readers with C's and OVS's rules.

fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

fn digit_value(c: u8) -> Option<u32> {
    char::from(c).to_digit(16)
}

/// One integer conversion of OVS's `ovs_scan` (`%d`, `%i`, `%x`, `%hhu`,
/// ...) at the start of `s`: optional white space and sign, `0x` for
/// base 16 or 0, then digits. Out-of-range values wrap, as in OVS (the
/// caller keeps the low bits it needs). `base` 0 means C's automatic
/// base. Returns the value and the bytes consumed.
fn scan_int(s: &[u8], base: u32) -> Option<(u64, usize)> {
    let mut i = 0;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let negative = s.get(i) == Some(&b'-');
    if matches!(s.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let mut base = base;
    if (base == 0 || base == 16)
        && s.get(i) == Some(&b'0')
        && matches!(s.get(i + 1), Some(b'x' | b'X'))
    {
        base = 16;
        i += 2;
    } else if base == 0 {
        base = if s.get(i) == Some(&b'0') { 8 } else { 10 };
    }
    let mut value = 0u64;
    let mut digits = 0;
    while let Some(d) = s.get(i).and_then(|c| digit_value(*c)) {
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
    Some((
        if negative {
            value.wrapping_neg()
        } else {
            value
        },
        i,
    ))
}

/// Why [`parse_int_string`] failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum IntError {
    /// No number (C's `EINVAL`).
    Syntax,
    /// The number does not fit (C's `ERANGE`).
    Range,
}

/// C's `strtoull(s, &tail, 0)`: returns the value and the bytes consumed.
fn strtoull(s: &[u8]) -> Result<(u64, usize), IntError> {
    let mut i = 0;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let negative = s.get(i) == Some(&b'-');
    if matches!(s.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let mut base = 10u32;
    if s.get(i) == Some(&b'0') {
        let hex_digit_follows = s.get(i + 2).and_then(|c| digit_value(*c)).is_some();
        if matches!(s.get(i + 1), Some(b'x' | b'X')) && hex_digit_follows {
            base = 16;
            i += 2;
        } else {
            base = 8;
        }
    }
    let mut value = 0u64;
    let mut digits = 0;
    let mut overflow = false;
    while let Some(d) = s.get(i).and_then(|c| digit_value(*c)) {
        if d >= base {
            break;
        }
        match value
            .checked_mul(u64::from(base))
            .and_then(|v| v.checked_add(u64::from(d)))
        {
            Some(v) => value = v,
            None => overflow = true,
        }
        digits += 1;
        i += 1;
    }
    if digits == 0 {
        return Err(IntError::Syntax);
    }
    if overflow {
        return Err(IntError::Range);
    }
    Ok((
        if negative {
            value.wrapping_neg()
        } else {
            value
        },
        i,
    ))
}

/// OVS's `parse_int_string`: a number right-aligned in `width` bytes,
/// big-endian. After `0x` any number of hex digits (white space between
/// them is skipped) is fine if the value fits; otherwise C's `strtoull`
/// with automatic base, so decimal is limited to 64 bits. Returns the
/// value and the bytes consumed.
fn parse_int_string(s: &str, width: usize) -> Result<(Vec<u8>, usize), IntError> {
    let b = s.as_bytes();
    if b.starts_with(b"0x") || b.starts_with(b"0X") {
        let mut nibbles: Vec<u8> = Vec::new();
        let mut i = 2;
        loop {
            while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
                i += 1;
            }
            let Some(d) = b.get(i).and_then(|c| digit_value(*c)) else {
                break;
            };
            if d != 0 || !nibbles.is_empty() {
                if (nibbles.len() + 1).div_ceil(2) > width {
                    return Err(IntError::Range);
                }
                nibbles.push(d as u8);
            }
            i += 1;
        }
        let mut value = vec![0u8; width];
        for (k, nibble) in nibbles.iter().rev().enumerate() {
            let byte = width - 1 - k / 2;
            value[byte] |= nibble << (4 * (k % 2));
        }
        return Ok((value, i));
    }
    let (mut integer, used) = strtoull(b)?;
    let mut value = vec![0u8; width];
    for byte in value.iter_mut().rev() {
        *byte = integer as u8;
        integer = integer.checked_shr(8).unwrap_or(0);
    }
    if integer != 0 {
        return Err(IntError::Range);
    }
    Ok((value, used))
}

// ---------------------------------------------------------------------------
// One field's value (`mf_parse`).

/// A field's value and mask, both `n_bytes` long, big-endian.
pub type ValueMask = (Vec<u8>, Vec<u8>);

/// OVS's `mf_from_integer_string`: `value[/mask]`.
fn integer(info: &FieldInfo, s: &str) -> Result<ValueMask, String> {
    let n = usize::from(info.n_bytes);
    let error = |e: IntError, what: &str| match e {
        IntError::Range => format!("{s}: {what} too large for {n}-byte field {}", info.name),
        IntError::Syntax => format!("{s}: bad syntax for {} {what}", info.name),
    };
    let (value, used) = parse_int_string(s, n).map_err(|e| error(e, "value"))?;
    let tail = &s[used..];
    if tail.is_empty() {
        return Ok((value, vec![0xff; n]));
    }
    let Some(mask_s) = tail.strip_prefix('/') else {
        return Err(error(IntError::Syntax, "value"));
    };
    let (mask, used) = parse_int_string(mask_s, n).map_err(|e| error(e, "mask"))?;
    if used != mask_s.len() {
        return Err(error(IntError::Syntax, "mask"));
    }
    Ok((value, mask))
}

/// OVS's `ETH_ADDR_SCAN_FMT`: six `%hhx` separated by colons.
fn scan_mac(b: &[u8]) -> Option<([u8; 6], usize)> {
    let mut mac = [0u8; 6];
    let mut i = 0;
    for (k, byte) in mac.iter_mut().enumerate() {
        if k > 0 {
            if b.get(i) != Some(&b':') {
                return None;
            }
            i += 1;
        }
        let (v, used) = scan_int(&b[i..], 16)?;
        *byte = v as u8;
        i += used;
    }
    Some((mac, i))
}

/// OVS's `mf_from_ethernet_string`: `xx:xx:xx:xx:xx:xx[/mask]`.
fn ethernet(s: &str) -> Result<ValueMask, String> {
    let b = s.as_bytes();
    if let Some((mac, used)) = scan_mac(b) {
        if used == b.len() {
            return Ok((mac.to_vec(), vec![0xff; 6]));
        }
        if b[used] == b'/'
            && let Some((mask, mask_used)) = scan_mac(&b[used + 1..])
            && used + 1 + mask_used == b.len()
        {
            return Ok((mac.to_vec(), mask.to_vec()));
        }
    }
    Err(format!("{s}: invalid Ethernet address"))
}

/// OVS's `IP_SCAN_FMT`: four `%hhu` separated by dots.
fn scan_ipv4(b: &[u8]) -> Option<(u32, usize)> {
    let mut ip = 0u32;
    let mut i = 0;
    for k in 0..4 {
        if k > 0 {
            if b.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
        let (v, used) = scan_int(&b[i..], 10)?;
        ip = (ip << 8) | u32::from(v as u8);
        i += used;
    }
    Some((ip, i))
}

fn prefix_mask32(bits: u32) -> u32 {
    u32::MAX.checked_shl(32 - bits).unwrap_or(0)
}

/// OVS's `ip_parse_masked`: `a.b.c.d`, `a.b.c.d/e.f.g.h` or `a.b.c.d/N`.
pub fn parse_ipv4_masked(s: &str) -> Result<(u32, u32), String> {
    let b = s.as_bytes();
    let invalid = || format!("{s}: invalid IP address");
    let (ip, used) = scan_ipv4(b).ok_or_else(invalid)?;
    let (mask, end) = if b.get(used) == Some(&b'/') {
        if let Some((mask, mask_used)) = scan_ipv4(&b[used + 1..]) {
            (mask, used + 1 + mask_used)
        } else if let Some((prefix, prefix_used)) = scan_int(&b[used + 1..], 10) {
            let prefix = prefix as i32;
            if !(0..=32).contains(&prefix) {
                return Err(format!(
                    "{s}: IPv4 network prefix bits not between 0 and 32, inclusive"
                ));
            }
            (prefix_mask32(prefix as u32), used + 1 + prefix_used)
        } else {
            (u32::MAX, used)
        }
    } else {
        (u32::MAX, used)
    };
    if end != b.len() {
        return Err(invalid());
    }
    Ok((ip, mask))
}

/// OVS's `IPV6_SCAN_FMT`: up to 46 of the characters an IPv6 address may
/// hold, read with `inet_pton`.
fn scan_ipv6(b: &[u8]) -> Option<(Ipv6Addr, usize)> {
    let n = b
        .iter()
        .take(46)
        .take_while(|c| c.is_ascii_hexdigit() || matches!(c, b':' | b'.'))
        .count();
    if n == 0 {
        return None;
    }
    let text = std::str::from_utf8(&b[..n]).ok()?;
    text.parse::<Ipv6Addr>().ok().map(|a| (a, n))
}

fn prefix_mask128(bits: u32) -> u128 {
    u128::MAX.checked_shl(128 - bits).unwrap_or(0)
}

/// OVS's `ipv6_parse_masked`: an IPv6 address, optionally `/N` or
/// `/mask`.
pub fn parse_ipv6_masked(s: &str) -> Result<(Ipv6Addr, Ipv6Addr), String> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && is_c_space(b[i]) {
        i += 1;
    }
    let invalid = || format!("{s}: invalid IPv6 address");
    let (ip, used) = scan_ipv6(&b[i..]).ok_or_else(invalid)?;
    i += used;
    let mut mask = Ipv6Addr::from(u128::MAX);
    if b.get(i) == Some(&b'/') {
        if let Some((prefix, prefix_used)) = scan_int(&b[i + 1..], 10) {
            let prefix = prefix as i32;
            if !(0..=128).contains(&prefix) {
                return Err(format!(
                    "{s}: IPv6 network prefix bits not between 0 and 128, inclusive"
                ));
            }
            mask = Ipv6Addr::from(prefix_mask128(prefix as u32));
            i += 1 + prefix_used;
        } else {
            let n = b[i + 1..]
                .iter()
                .take(46)
                .take_while(|c| c.is_ascii_hexdigit() || matches!(c, b':' | b'.'))
                .count();
            if n > 0 {
                mask = scan_ipv6(&b[i + 1..])
                    .map(|(m, _)| m)
                    .ok_or_else(|| format!("{s}: Invalid IPv6 mask"))?;
                i += 1 + n;
            }
        }
    }
    if i != b.len() {
        return Err(invalid());
    }
    Ok((ip, mask))
}

/// OVS's `ofputil_port_from_string`: a port number (OpenFlow 1.0 numbers,
/// and OpenFlow 1.1+ numbers of reserved ports), a reserved port name in
/// any case (`LOCAL`, `in_port`, ...), or a name `ports` knows, bare or in
/// double quotes.
pub fn parse_port(s: &str, ports: &dyn Fn(&str) -> Option<u16>) -> Option<u16> {
    if s.starts_with('-') {
        return None;
    }
    if let Some(n) = c_decimal_whole(s) {
        return match n {
            0..0xff00 => Some(n as u16),
            // Reserved numbers: accepted with a warning in OVS.
            0xff00..=0xffff => Some(n as u16),
            0x1_0000..0xffff_ff00 => None,
            0xffff_ff00..=0xffff_ffff => Some((n - 0xffff_0000) as u16),
            _ => None,
        };
    }
    if let Some(&(_, port)) = RESERVED_PORTS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(s))
    {
        return Some(port);
    }
    let name = match s.strip_prefix('"') {
        Some(rest) => unquote(rest.strip_suffix('"')?)?,
        None => s.to_string(),
    };
    ports(&name).filter(|p| *p != OFPP_NONE)
}

/// The value of the inside of a JSON string, or `None` if its escapes are
/// malformed.
fn unquote(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next()?;
        out.push(match e {
            '"' | '\\' | '/' => e,
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let hex: String = chars.by_ref().take(4).collect();
                char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
            }
            _ => return None,
        });
    }
    Some(out)
}

/// OVS's `str_to_uint(s, 10, ...)`: the whole of `s` is a base-10 number
/// (C's `strtoll`, so leading white space and `+` are fine) from 0 to
/// `UINT_MAX`.
fn c_decimal_whole(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && is_c_space(b[i]) {
        i += 1;
    }
    if b.get(i) == Some(&b'+') {
        i += 1;
    }
    let digits = &s[i..];
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits
        .parse::<u64>()
        .ok()
        .filter(|n| *n <= u64::from(u32::MAX))
}

/// OVS's `all_frags` table: name, mask, value.
const FRAG_NAMES: &[(&str, u8, u8)] = &[
    ("no", 3, 0),
    ("first", 3, 1),
    ("later", 3, 3),
    ("no", 1, 0),
    ("yes", 1, 1),
    ("not_later", 2, 0),
    ("later", 2, 2),
];

/// OVS's `mf_from_frag_string`. The mask has the unused high bits set, as
/// in OVS, so that an exact match reads as exact.
fn frag(s: &str) -> Result<ValueMask, String> {
    FRAG_NAMES
        .iter()
        .find(|(name, _, _)| name.eq_ignore_ascii_case(s))
        .map(|&(_, mask, value)| (vec![value], vec![mask | 0xfc]))
        .ok_or_else(|| {
            format!(
                "{s}: unknown fragment type (valid types are \"no\", \"yes\", \"first\", \"later\", \"not_later\""
            )
        })
}

/// Names of the TCP flags, bit by bit (OVS's `packet_tcp_flag_to_string`).
pub const TCP_FLAG_NAMES: &[(u32, &str)] = &[
    (0x001, "fin"),
    (0x002, "syn"),
    (0x004, "rst"),
    (0x008, "psh"),
    (0x010, "ack"),
    (0x020, "urg"),
    (0x040, "ece"),
    (0x080, "cwr"),
    (0x100, "ns"),
    (0x200, "[200]"),
    (0x400, "[400]"),
    (0x800, "[800]"),
];

/// Names of the connection tracking states (OVS's `ct_state_to_string`).
pub const CT_STATE_NAMES: &[(u32, &str)] = &[
    (0x01, "new"),
    (0x02, "est"),
    (0x04, "rel"),
    (0x08, "rpl"),
    (0x10, "inv"),
    (0x20, "trk"),
    (0x40, "snat"),
    (0x80, "dnat"),
];

/// Names of the tunnel flags (OVS's `flow_tun_flag_to_string`); only
/// `oam` may be matched.
pub const TUNNEL_FLAG_NAMES: &[(u32, &str)] =
    &[(0x1, "oam"), (0x2, "df"), (0x4, "csum"), (0x8, "key")];

/// OVS's `parse_flags` with a mask: `value/mask` numbers, `+flag-flag...`
/// (set and not-set bits), or `flag|flag|number...` (exact). Returns the
/// flags and the mask.
fn parse_flags(
    s: &str,
    names: &[(u32, &str)],
    field_name: &str,
    allowed: u32,
) -> Result<(u32, u32), String> {
    let b = s.as_bytes();
    let unknown = |at: &str| format!("{at}: unknown {field_name} flag(s)");
    // `%i/%i`, with anything after it ignored, as OVS does.
    if let Some((flags, used)) = scan_int(b, 0)
        && b.get(used) == Some(&b'/')
        && let Some((mask, _)) = scan_int(&b[used + 1..], 0)
    {
        let (flags, mask) = (flags as u32, mask as u32);
        if flags & !allowed != 0 || mask & !allowed != 0 {
            return Err(unknown(s));
        }
        return Ok((flags, mask));
    }
    if matches!(b.first(), Some(b'+' | b'-')) {
        let (mut flags, mut mask) = (0u32, 0u32);
        let mut i = 0;
        while i < b.len() {
            let set = match b[i] {
                b'+' => true,
                b'-' => false,
                _ => {
                    return Err(format!(
                        "{}: {field_name} must be preceded by '+' (for SET) or '-' (NOT SET)",
                        &s[i..]
                    ));
                }
            };
            i += 1;
            let rest = &s[i..];
            let found = names.iter().find(|(_, name)| {
                rest.starts_with(name)
                    && matches!(rest.as_bytes().get(name.len()), None | Some(b'+' | b'-'))
            });
            let Some(&(bit, name)) = found else {
                return Err(unknown(rest));
            };
            if mask & bit != 0 {
                return Err(format!(
                    "{rest}: Each {field_name} flag can be specified only once"
                ));
            }
            if bit & allowed == 0 {
                return Err(unknown(rest));
            }
            if set {
                flags |= bit;
            }
            mask |= bit;
            i += name.len();
        }
        return Ok((flags, mask));
    }
    let mut flags = 0u32;
    let mut i = 0;
    while i < b.len() {
        let bar_after = |end: usize| usize::from(b.get(end) == Some(&b'|'));
        if let Some((number, used)) = scan_int(&b[i..], 0) {
            if number & u64::from(!allowed) != 0 {
                return Err(unknown(s));
            }
            flags |= number as u32;
            i += used + bar_after(i + used);
            continue;
        }
        let rest = &s[i..];
        let found = names.iter().find(|(_, name)| {
            rest.starts_with(name) && matches!(rest.as_bytes().get(name.len()), None | Some(b'|'))
        });
        let Some(&(bit, name)) = found else {
            return Err(unknown(s));
        };
        if bit & allowed == 0 {
            return Err(unknown(s));
        }
        flags |= bit;
        i += name.len() + bar_after(i + name.len());
    }
    Ok((flags, u32::MAX))
}

/// OVS's `mf_from_packet_type_string`: `(namespace,type)`. As in OVS,
/// anything after the closing parenthesis is ignored.
fn packet_type(s: &str) -> Result<ValueMask, String> {
    let error = |at: &str, what: &str| format!("{at}: bad syntax for packet type {what}");
    let Some(rest) = s.strip_prefix('(') else {
        return Err(error(s, "missing '('"));
    };
    let (ns, used) = parse_int_string(rest, 2).map_err(|_| error(rest, "ns"))?;
    let Some(rest) = rest[used..].strip_prefix(',') else {
        return Err(error(rest, "missing ','"));
    };
    let (ns_type, used) = parse_int_string(rest, 2).map_err(|_| error(rest, "ns_type"))?;
    if !rest[used..].starts_with(')') {
        return Err(error(rest, "missing ')'"));
    }
    Ok(([ns, ns_type].concat(), vec![0xff; 4]))
}

fn be_bytes(value: u64, n: usize) -> Vec<u8> {
    let all = value.to_be_bytes();
    all[8usize.saturating_sub(n)..].to_vec()
}

fn be_value(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
}

/// OVS's `mf_parse`: `s` as a value and mask of `field`, in the field's
/// own syntax (decimal or `0x` hex numbers with `/mask`, MAC and IP
/// addresses with masks or prefixes, port numbers and names, flag words,
/// fragment words). `*` is the all-wildcards value. `ports` maps port
/// names (other than the reserved ones) to numbers.
pub fn parse_field(
    field: FieldId,
    s: &str,
    ports: &dyn Fn(&str) -> Option<u16>,
) -> Result<ValueMask, String> {
    let info = field.info();
    let n = usize::from(info.n_bytes);
    if s == "*" {
        return Ok((vec![0; n], vec![0; n]));
    }
    let (value, mask) = match info.format {
        FieldFormat::Decimal | FieldFormat::Hexadecimal => integer(info, s)?,
        FieldFormat::Ethernet => ethernet(s)?,
        FieldFormat::Ipv4 => {
            let (ip, mask) = parse_ipv4_masked(s)?;
            (ip.to_be_bytes().to_vec(), mask.to_be_bytes().to_vec())
        }
        FieldFormat::Ipv6 => {
            let (ip, mask) = parse_ipv6_masked(s)?;
            (ip.octets().to_vec(), mask.octets().to_vec())
        }
        FieldFormat::OfpPort => {
            let port = parse_port(s, ports)
                .ok_or_else(|| format!("{s}: invalid or unknown port for {}", info.name))?;
            (port.to_be_bytes().to_vec(), vec![0xff; 2])
        }
        FieldFormat::OfpPortOxm => {
            let port = parse_port(s, ports)
                .ok_or_else(|| format!("{s}: port value out of range for {}", info.name))?;
            (port_to_of11(port).to_be_bytes().to_vec(), vec![0xff; 4])
        }
        FieldFormat::Frag => frag(s)?,
        FieldFormat::TunnelFlags => {
            let (flags, mask) = parse_flags(s, TUNNEL_FLAG_NAMES, "tunnel", 0x1)?;
            (be_bytes(u64::from(flags), 2), be_bytes(u64::from(mask), 2))
        }
        FieldFormat::TcpFlags => {
            let (flags, mask) = parse_flags(s, TCP_FLAG_NAMES, "TCP", 0x0fff)?;
            (be_bytes(u64::from(flags), 2), be_bytes(u64::from(mask), 2))
        }
        FieldFormat::CtState => {
            let (flags, mask) = parse_flags(s, CT_STATE_NAMES, "ct_state", 0xff)?;
            (flags.to_be_bytes().to_vec(), mask.to_be_bytes().to_vec())
        }
        FieldFormat::PacketType => packet_type(s)?,
    };
    let exact = mask.iter().all(|b| *b == 0xff);
    let wild = mask.iter().all(|b| *b == 0);
    if !info.maskable && !exact && !wild {
        return Err(format!("{s}: invalid mask for field {}", info.name));
    }
    Ok((value, mask))
}

/// OVS's `mf_parse_value`: like [`parse_field`], but the value must be
/// exact.
pub fn parse_field_value(
    field: FieldId,
    s: &str,
    ports: &dyn Fn(&str) -> Option<u16>,
) -> Result<Vec<u8>, String> {
    let (value, mask) = parse_field(field, s, ports)?;
    if mask.iter().any(|b| *b != 0xff) {
        return Err(format!("{s}: wildcards not allowed here"));
    }
    Ok(value)
}

// ---------------------------------------------------------------------------
// Exact flows (`parse_ofp_exact_flow`).

fn put(flow: &mut Flow, off: usize, len: usize, value: u64) {
    flow.set_be(off, len, value);
}

fn update(flow: &mut Flow, off: usize, len: usize, clear: u64, set: u64) {
    let old = flow.get_be(off, len);
    flow.set_be(off, len, (old & !clear) | (set & clear));
}

/// A VLAN TCI with no TPID gets the 802.1Q one (OVS's
/// `flow_fix_vlan_tpid`), so the flow describes a real tagged packet.
fn fix_vlan_tpid(flow: &mut Flow) {
    if flow.get_be(offset::VLAN0_TPID, 2) == 0 && flow.get_be(offset::VLAN0_TCI, 2) != 0 {
        flow.set_be(offset::VLAN0_TPID, 2, 0x8100);
    }
}

/// Stores `value` (`n_bytes` long, big-endian) as `field`'s value in
/// `flow`, with OVS's `mf_set_flow_value` meaning: views of shared
/// members change only their bits, out-of-range bits are dropped as OVS
/// drops them (`dl_vlan=5000` is VLAN 904), `dl_vlan=0xffff` removes the
/// VLAN header, and setting a VLAN field gives the tag the 802.1Q TPID.
/// Tunnel metadata options are ignored: where they live depends on a TLV
/// table (OVS also drops them when the switch has no mapping for them).
pub fn set_flow_value(flow: &mut Flow, field: FieldId, value: &[u8]) {
    use FieldId as F;
    let info = field.info();
    if info.variable_length || value.len() != usize::from(info.n_bytes) {
        return;
    }
    let v = || be_value(value);
    const VID: u64 = 0x0fff;
    const CFI: u64 = 0x1000;
    const PCP: u64 = 0xe000;
    match field {
        F::TunFlags => update(flow, offset::TUN_FLAGS, 2, 0x1, v()),
        F::InPortOxm | F::ActsetOutput => {
            let port = port_from_of11(v() as u32).unwrap_or(OFPP_NONE);
            let off = if field == F::InPortOxm {
                offset::IN_PORT
            } else {
                offset::ACTSET_OUTPUT
            };
            put(flow, off, 2, u64::from(port));
        }
        F::VlanTci => {
            put(flow, offset::VLAN0_TCI, 2, v());
            fix_vlan_tpid(flow);
        }
        F::DlVlan => {
            if v() == 0xffff {
                put(flow, offset::VLAN0_TCI, 2, 0);
            } else {
                update(flow, offset::VLAN0_TCI, 2, VID | CFI, CFI | (v() & VID));
            }
            fix_vlan_tpid(flow);
        }
        F::VlanVid => {
            update(flow, offset::VLAN0_TCI, 2, VID | CFI, v());
            fix_vlan_tpid(flow);
        }
        F::DlVlanPcp | F::VlanPcp => {
            update(
                flow,
                offset::VLAN0_TCI,
                2,
                PCP | CFI,
                ((v() & 7) << 13) | CFI,
            );
            fix_vlan_tpid(flow);
        }
        F::MplsLabel => update(flow, offset::MPLS_LSE0, 4, 0xffff_f000, v() << 12),
        F::MplsTc => update(flow, offset::MPLS_LSE0, 4, 0x0e00, v() << 9),
        F::MplsBos => update(flow, offset::MPLS_LSE0, 4, 0x0100, v() << 8),
        F::MplsTtl => update(flow, offset::MPLS_LSE0, 4, 0x00ff, v()),
        F::Ipv6Label => put(flow, offset::IPV6_LABEL, 4, v() & 0x000f_ffff),
        F::IpDscp => update(flow, offset::NW_TOS, 1, 0xfc, v()),
        F::IpDscpShifted => update(flow, offset::NW_TOS, 1, 0xfc, v() << 2),
        F::IpEcn => update(flow, offset::NW_TOS, 1, 0x03, v()),
        F::IpFrag => put(flow, offset::NW_FRAG, 1, v() & 0x03),
        F::ArpOp => put(flow, offset::NW_PROTO, 1, v() & 0xff),
        F::Icmpv4Type | F::Icmpv6Type => put(flow, offset::TP_SRC, 2, v()),
        F::Icmpv4Code | F::Icmpv6Code => put(flow, offset::TP_DST, 2, v()),
        F::NdOptionsType => put(flow, offset::TCP_FLAGS, 2, v()),
        F::NshSpi => update(flow, offset::NSH_PATH_HDR, 4, 0xffff_ff00, v() << 8),
        F::NshSi => update(flow, offset::NSH_PATH_HDR, 4, 0x0000_00ff, v()),
        _ => {
            let off = usize::from(info.storage_offset);
            let len = usize::from(info.storage_len).min(value.len());
            let src = &value[value.len() - len..];
            for (dst, b) in flow.bytes_mut(off, len).iter_mut().zip(src) {
                *dst = *b;
            }
        }
    }
}

/// The value of `field` in `flow` (OVS's `mf_get_value`); `None` for the
/// tunnel metadata options.
fn flow_value(flow: &Flow, field: FieldId) -> Option<Vec<u8>> {
    let m = Match {
        flow: flow.clone(),
        wc: Flow::ONES,
    };
    m.get(field).map(|(value, _)| value)
}

/// True if `flow` meets `field`'s prerequisites, judging by values only
/// (OVS's `mf_are_prereqs_ok` without a mask).
fn flow_prereqs_ok(flow: &Flow, field: FieldId) -> bool {
    let m = Match {
        flow: flow.clone(),
        wc: Flow::ZERO,
    };
    m.prereqs_ok(field)
}

/// OVS's `parse_ofp_exact_flow`, as `ofproto/trace` uses it: `s` is
/// `field=value` items and protocol shorthands separated by commas or
/// spaces; every field not named is zero; values must be exact; each
/// field's prerequisites must be named before it (`tcp,tp_dst=80`, not
/// `tp_dst=80,tcp`); a field may be named once. `in_port` is `ANY`
/// (65535) when not named. Errors are OVS's messages, which begin with
/// `s`.
pub fn parse_exact_flow(s: &str, ports: &dyn Fn(&str) -> Option<u16>) -> Result<Flow, String> {
    parse_exact_flow_masked(s, ports).map(|(flow, _)| flow)
}

/// [`parse_exact_flow`] that also returns which bits the text named (OVS's
/// `parse_ofp_exact_flow` with a `wc`, as `dpctl/dump-flows filter=` uses
/// it): all the bits of each named field, both members of a protocol
/// shorthand. The default `in_port` is not in the mask.
pub fn parse_exact_flow_masked(
    s: &str,
    ports: &dyn Fn(&str) -> Option<u16>,
) -> Result<(Flow, Flow), String> {
    let mut flow = Flow::ZERO;
    let mut wc = Flow::ZERO;
    for (key, value) in key_values(s) {
        if let Some((dl_type, nw_proto)) = protocol(key) {
            if flow.get_be(offset::DL_TYPE, 2) != 0 {
                return Err(format!("{s}: Ethernet type set multiple times"));
            }
            put(&mut flow, offset::DL_TYPE, 2, u64::from(dl_type));
            put(&mut wc, offset::DL_TYPE, 2, 0xffff);
            if nw_proto != 0 {
                if flow.get_be(offset::NW_PROTO, 1) != 0 {
                    return Err(format!("{s}: network protocol set multiple times"));
                }
                put(&mut flow, offset::NW_PROTO, 1, u64::from(nw_proto));
                put(&mut wc, offset::NW_PROTO, 1, 0xff);
            }
            continue;
        }
        let Some(field) = FieldId::from_name(key) else {
            return Err(format!("{s}: unknown field {key}"));
        };
        if !flow_prereqs_ok(&flow, field) {
            return Err(format!("{s}: prerequisites not met for setting {key}"));
        }
        if flow_value(&flow, field).is_some_and(|v| v.iter().any(|b| *b != 0)) {
            return Err(format!("{s}: field {key} set multiple times"));
        }
        let bytes = parse_field_value(field, value, ports)
            .map_err(|e| format!("{s}: bad value for {key} ({e})"))?;
        set_flow_value(&mut flow, field, &bytes);
        mask_field(&mut wc, field);
    }
    if flow.get_be(offset::IN_PORT, 2) == 0 {
        put(&mut flow, offset::IN_PORT, 2, u64::from(OFPP_NONE));
    }
    Ok((flow, wc))
}

/// OVS's `mf_mask_field`: makes every bit of `field` exact in the mask
/// `wc`, by storing an all-ones value the way a value is stored (so the
/// views of shared members mark only their own bits).
fn mask_field(wc: &mut Flow, field: FieldId) {
    let Some(mut ones) = flow_value(wc, field) else {
        return;
    };
    ones.fill(0xff);
    // All ones would mean "no VLAN" to `dl_vlan`.
    if field == FieldId::DlVlan {
        ones = vec![0x0f, 0xff];
    }
    set_flow_value(wc, field, &ones);
}

// ---------------------------------------------------------------------------
// Matches (`parse_ofp_str__`, the match part).

/// Brings a parsed value into the range `field` takes, as OVS's `mf_set`
/// does for values it cannot hold (`dl_vlan=5000` matches VLAN 904,
/// `nw_tos=255` matches 252): OVS drops the extra bits silently.
fn clamp_value(field: FieldId, value: &mut [u8]) {
    use FieldId as F;
    let keep: u64 = match field {
        F::DlVlan => 0x0fff,
        F::VlanVid => 0x1fff,
        F::DlVlanPcp | F::VlanPcp | F::MplsTc => 0x7,
        F::MplsLabel | F::Ipv6Label => 0x000f_ffff,
        F::MplsBos => 0x1,
        F::IpDscp => 0xfc,
        F::IpDscpShifted => 0x3f,
        F::IpEcn => 0x3,
        F::ArpOp => 0xff,
        F::NshSpi => 0x00ff_ffff,
        _ => return,
    };
    let v = be_value(value) & keep;
    let n = value.len();
    value.copy_from_slice(&be_bytes(v, n));
}

fn field_error_text(s: &str, field: FieldId, e: FieldError) -> String {
    let name = field.info().name;
    match e {
        FieldError::Unsupported => {
            format!("{s}: {name} needs a TLV mapping, which this parser does not take")
        }
        other => format!("{s}: {other} ({name})"),
    }
}

/// A bit range of a field, as `reg0[0..3]` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subfield {
    pub field: FieldId,
    /// Lowest bit (bit 0 is the least significant bit of the value).
    pub offset: u16,
    pub n_bits: u16,
}

/// OVS's `mf_parse_subfield`: `field[]`, `field[bit]` or
/// `field[start..end]`, where `field` is a field name or an NXM/OXM name
/// (`NXM_NX_REG0`, optionally with `_W`).
pub fn parse_subfield(s: &str) -> Result<Subfield, String> {
    let name_len = s.find(['[', '-']).unwrap_or(s.len());
    let name = &s[..name_len];
    let nxm_name = name
        .strip_suffix("_W")
        .filter(|_| name.len() > 2)
        .unwrap_or(name);
    let field = ALL_FIELDS
        .iter()
        .copied()
        .find(|f| {
            let info = f.info();
            info.nxm.is_some_and(|d| d.name == nxm_name)
                || info.oxm.iter().any(|d| d.name == nxm_name)
        })
        .or_else(|| FieldId::from_name(name))
        .ok_or_else(|| format!("{s}: unknown field `{name}'"))?;
    let n_bits = i64::from(field.info().n_bits);
    let mut rest = &s[name_len..];
    let (mut start, mut end) = (0i64, n_bits - 1);
    if rest.starts_with('[') {
        let b = rest.as_bytes();
        let syntax = || format!("{s}: syntax error expecting [] or [<bit>] or [<start>..<end>]");
        if !rest.starts_with("[]") {
            let (first, used) = scan_int(&b[1..], 10).ok_or_else(syntax)?;
            let after = &b[1 + used..];
            start = i64::from(first as i32);
            if after.starts_with(b"..") {
                let (last, used2) = scan_int(&after[2..], 10).ok_or_else(syntax)?;
                if after.get(2 + used2) != Some(&b']') {
                    return Err(syntax());
                }
                end = i64::from(last as i32);
            } else if after.first() == Some(&b']') {
                end = start;
            } else {
                return Err(syntax());
            }
        }
        let close = rest.find(']').ok_or_else(syntax)?;
        rest = &rest[close + 1..];
    }
    if start > end {
        return Err(format!(
            "{s}: starting bit {start} is after ending bit {end}"
        ));
    } else if start >= n_bits {
        return Err(format!(
            "{s}: starting bit {start} is not valid because field is only {n_bits} bits wide"
        ));
    } else if end >= n_bits {
        return Err(format!(
            "{s}: ending bit {end} is not valid because field is only {n_bits} bits wide"
        ));
    }
    if !rest.is_empty() {
        return Err("unexpected input following field syntax".into());
    }
    if start < 0 {
        return Err(format!("{s}: starting bit {start} is not valid"));
    }
    Ok(Subfield {
        field,
        offset: start as u16,
        n_bits: (end - start + 1) as u16,
    })
}

/// OVS's `ds_put_hex`: `0x` and the bytes without leading zeros.
fn hex_text(bytes: &[u8]) -> String {
    let digits: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let trimmed = digits.trim_start_matches('0');
    format!("0x{}", if trimmed.is_empty() { "0" } else { trimmed })
}

/// `value` of `field` in OVS's `mf_format` text, for the integer fields
/// and addresses (other fields in hex), for error messages.
fn value_text(field: FieldId, value: &[u8]) -> String {
    let info = field.info();
    match info.format {
        FieldFormat::Decimal if value.len() <= 8 => format!("{}", be_value(value) as i64),
        FieldFormat::Ethernet if value.len() == 6 => value
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":"),
        FieldFormat::Ipv4 if value.len() == 4 => {
            format!("{}.{}.{}.{}", value[0], value[1], value[2], value[3])
        }
        _ => hex_text(value),
    }
}

fn bit(bytes: &[u8], index: usize) -> bool {
    let n = bytes.len();
    index < n * 8 && bytes[n - 1 - index / 8] & (1 << (index % 8)) != 0
}

fn set_bit(bytes: &mut [u8], index: usize, on: bool) {
    let n = bytes.len();
    if index < n * 8 {
        let byte = &mut bytes[n - 1 - index / 8];
        if on {
            *byte |= 1 << (index % 8);
        } else {
            *byte &= !(1 << (index % 8));
        }
    }
}

/// OVS's `parse_subfield` of `ovs-ofctl`: `reg0[0..3]=5` matches those
/// bits exactly and keeps the rest of the field's match.
fn apply_subfield(m: &mut Match, key: &str, value_s: &str) -> Result<(), String> {
    let sf = parse_subfield(key)?;
    let info = sf.field.info();
    let n = usize::from(info.n_bytes);
    let (val, used) = parse_int_string(value_s, n)
        .map_err(|_| format!("{key}: cannot parse integer value: {value_s}"))?;
    if used != value_s.len() {
        return Err(format!("{key}: cannot parse integer value: {value_s}"));
    }
    if (usize::from(sf.n_bits)..n * 8).any(|i| bit(&val, i)) {
        return Err(format!(
            "{key}: value {} does not fit into {} bits",
            value_text(sf.field, &val),
            sf.n_bits
        ));
    }
    let (mut value, mut mask) = m
        .get(sf.field)
        .ok_or_else(|| field_error_text(key, sf.field, FieldError::Unsupported))?;
    for i in 0..usize::from(sf.n_bits) {
        let at = usize::from(sf.offset) + i;
        set_bit(&mut value, at, bit(&val, i));
        set_bit(&mut mask, at, true);
    }
    set_in_match(m, sf.field, &mut value, &mask).map_err(|e| field_error_text(key, sf.field, e))?;
    m.add_ethernet_prereq(sf.field);
    Ok(())
}

/// OVS's `mf_set` for a parsed value: `dl_vlan=0xffff` means "no VLAN
/// header"; other values are first brought into the field's range.
fn set_in_match(
    m: &mut Match,
    field: FieldId,
    value: &mut [u8],
    mask: &[u8],
) -> Result<(), FieldError> {
    let exact = mask.iter().all(|b| *b == 0xff);
    if field == FieldId::DlVlan && exact && be_value(value) == 0xffff {
        return m.set_exact_uint(FieldId::VlanTci, 0);
    }
    clamp_value(field, value);
    m.set_masked(field, value, mask)
}

/// Applies one `key=value` item of `ovs-ofctl`'s flow syntax to `m`, if
/// it is part of a match: a protocol shorthand, `eth`, a field
/// (`field=value[/mask]`, or a bare `field` matching any value), or a
/// subfield (`reg0[0..3]=5`). Returns `Ok(false)` for other keywords
/// (`priority`, `actions`, `table`...), which the caller handles; `Ok(true)`
/// for the no-op keywords OVS ignores (`no_readonly_table`,
/// `allow_hidden_fields`). As in OVS, prerequisites are not checked here:
/// fields may come in any order.
pub fn parse_match_keyword(
    m: &mut Match,
    key: &str,
    value: &str,
    ports: &dyn Fn(&str) -> Option<u16>,
) -> Result<bool, String> {
    if let Some((dl_type, nw_proto)) = protocol(key) {
        m.set_exact_uint(FieldId::EthType, u128::from(dl_type))
            .map_err(|e| field_error_text(key, FieldId::EthType, e))?;
        if nw_proto != 0 {
            m.set_exact_uint(FieldId::IpProto, u128::from(nw_proto))
                .map_err(|e| field_error_text(key, FieldId::IpProto, e))?;
        }
        m.set_default_packet_type();
        return Ok(true);
    }
    match key {
        "eth" => {
            m.set_exact_uint(FieldId::PacketType, 0)
                .map_err(|e| field_error_text(key, FieldId::PacketType, e))?;
            return Ok(true);
        }
        "no_readonly_table" | "allow_hidden_fields" => return Ok(true),
        _ => {}
    }
    if let Some(field) = FieldId::from_name(key) {
        // A bare field name matches any value: the field must merely exist.
        let s = if value.is_empty() { "0/0" } else { value };
        let (mut v, mask) = parse_field(field, s, ports)?;
        set_in_match(m, field, &mut v, &mask).map_err(|e| field_error_text(s, field, e))?;
        m.add_ethernet_prereq(field);
        return Ok(true);
    }
    if key.contains('[') {
        apply_subfield(m, key, value)?;
        return Ok(true);
    }
    Ok(false)
}

/// A match in `ovs-ofctl`'s syntax (`tcp,nw_src=10.0.0.0/8,tp_dst=80`):
/// protocol shorthands, `field=value[/mask]` for every field, bare field
/// names, subfields (`reg0[0..3]=5`). Unlike `ovs-ofctl`, which quietly
/// drops fields whose prerequisites are missing (OpenFlow 1.0
/// normalisation) or leaves the switch to reject them, a field whose
/// prerequisites the match does not meet is an error here
/// (`tp_dst=80: prerequisites not met for setting tp_dst`). Keywords that
/// are not part of a match (`priority`, `actions`...) are errors too; use
/// [`parse_match_keyword`] to parse a whole flow_mod.
pub fn parse_match(s: &str, ports: &dyn Fn(&str) -> Option<u16>) -> Result<Match, String> {
    let mut m = Match::catchall();
    let mut named: Vec<(FieldId, &str)> = Vec::new();
    for (key, value) in key_values(s) {
        if parse_match_keyword(&mut m, key, value, ports)? {
            if let Some(field) = FieldId::from_name(key) {
                named.push((field, key));
            } else if key.contains('[')
                && let Ok(sf) = parse_subfield(key)
            {
                named.push((sf.field, key));
            }
            continue;
        }
        if value.is_empty() {
            return Err(format!("field {key} missing value"));
        }
        return Err(format!("unknown keyword {key}"));
    }
    if let Err(field) = m.check_prereqs() {
        // Report the name the text used for the field, or for one sharing
        // its storage (`tp_dst` for `tcp_dst`).
        let info = field.info();
        let start = usize::from(info.storage_offset);
        let end = start + usize::from(info.storage_len);
        let key = named
            .iter()
            .find(|(f, _)| *f == field)
            .or_else(|| {
                named.iter().find(|(f, _)| {
                    let o = f.info();
                    let o_start = usize::from(o.storage_offset);
                    o_start < end && start < o_start + usize::from(o.storage_len)
                })
            })
            .map_or(info.name, |(_, k)| *k);
        return Err(format!("{s}: prerequisites not met for setting {key}"));
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn no_ports(_: &str) -> Option<u16> {
        None
    }

    fn ports(name: &str) -> Option<u16> {
        match name {
            "p1" => Some(1),
            "br0" => Some(0xfffe),
            "my port" => Some(7),
            _ => None,
        }
    }

    fn value(field: &str, s: &str) -> Result<ValueMask, String> {
        parse_field(FieldId::from_name(field).unwrap(), s, &ports)
    }

    #[test]
    fn splits_items() {
        let items: Vec<_> =
            key_values(" tcp, in_port=1 packet_type=(1,0x800),nw_src:1.2.3.4,,ct(commit)->x")
                .collect();
        assert_eq!(
            items,
            vec![
                ("tcp", ""),
                ("in_port", "1"),
                ("packet_type", "(1,0x800)"),
                ("nw_src", "1.2.3.4"),
                ("ct", "commit)->x"),
            ]
        );
        assert_eq!(key_values(" ,\t").count(), 0);
        assert_eq!(key_values("a=(b").collect::<Vec<_>>(), vec![("a", "(b")]);
        // A comma inside `key(...)` belongs to the value.
        assert_eq!(
            key_values("c(3,4) e").collect::<Vec<_>>(),
            vec![("c", "3,4"), ("e", "")]
        );
    }

    #[test]
    fn integers() {
        assert_eq!(value("tp_src", "80"), Ok((vec![0, 80], vec![0xff, 0xff])));
        assert_eq!(
            value("tp_src", "0x50/0xfff0"),
            Ok((vec![0, 0x50], vec![0xff, 0xf0]))
        );
        // strtoull: octal after a leading 0; -1 is all ones, too big here.
        assert_eq!(value("tp_src", "010").unwrap().0, vec![0, 8]);
        assert_eq!(
            value("tp_src", "-1"),
            Err("-1: value too large for 2-byte field tcp_src".into())
        );
        assert_eq!(value("metadata", "-1").unwrap().0, vec![0xff; 8]);
        assert_eq!(
            value("tp_src", "99999"),
            Err("99999: value too large for 2-byte field tcp_src".into())
        );
        assert_eq!(
            value("tp_src", "8x"),
            Err("8x: bad syntax for tcp_src value".into())
        );
        assert_eq!(
            value("tp_src", "8/x"),
            Err("8/x: bad syntax for tcp_src mask".into())
        );
        // Long hex is fine when the value fits; leading zeros do not count.
        assert_eq!(value("tp_src", "0x0000001234").unwrap().0, vec![0x12, 0x34]);
        assert_eq!(
            value("tp_src", "0x12345"),
            Err("0x12345: value too large for 2-byte field tcp_src".into())
        );
        assert_eq!(value("tp_src", "0x").unwrap().0, vec![0, 0]);
        let (v, _) = value("xxreg0", "0x0102030405060708090a0b0c0d0e0f10").unwrap();
        assert_eq!(v, (1..=16).collect::<Vec<u8>>());
        assert_eq!(
            value("eth_type", "0x800/0xff00"),
            Err("0x800/0xff00: invalid mask for field eth_type".into())
        );
        assert_eq!(value("eth_type", "*"), Ok((vec![0, 0], vec![0, 0])));
    }

    #[test]
    fn addresses() {
        assert_eq!(
            value("dl_src", "50:54:00:00:00:01"),
            Ok((vec![0x50, 0x54, 0, 0, 0, 1], vec![0xff; 6]))
        );
        assert_eq!(
            value("dl_src", "01:00:00:00:00:00/01:00:00:00:00:00"),
            Ok((vec![1, 0, 0, 0, 0, 0], vec![1, 0, 0, 0, 0, 0]))
        );
        assert_eq!(
            value("dl_src", "50:54:00:00:00"),
            Err("50:54:00:00:00: invalid Ethernet address".into())
        );
        assert_eq!(
            value("nw_src", "10.0.0.0/8"),
            Ok((vec![10, 0, 0, 0], vec![255, 0, 0, 0]))
        );
        assert_eq!(
            value("nw_src", "10.1.2.3/255.255.0.0"),
            Ok((vec![10, 1, 2, 3], vec![255, 255, 0, 0]))
        );
        assert_eq!(value("nw_src", "1.2.3.4/0").unwrap().1, vec![0; 4]);
        // OVS's %hhu keeps the low 8 bits.
        assert_eq!(value("nw_src", "300.1.1.1").unwrap().0, vec![44, 1, 1, 1]);
        assert_eq!(
            value("nw_src", "1.2.3.4/33"),
            Err("1.2.3.4/33: IPv4 network prefix bits not between 0 and 32, inclusive".into())
        );
        assert_eq!(
            value("nw_src", "1.2.3"),
            Err("1.2.3: invalid IP address".into())
        );
        assert_eq!(
            value("nw_src", "1.2.3.4x"),
            Err("1.2.3.4x: invalid IP address".into())
        );
        let (v, m) = value("ipv6_src", "2001:db8::/32").unwrap();
        assert_eq!(&v[..4], &[0x20, 0x01, 0x0d, 0xb8]);
        assert_eq!(&m[..5], &[0xff, 0xff, 0xff, 0xff, 0]);
        let (_, m) = value("ipv6_src", "::1/ffff::").unwrap();
        assert_eq!(&m[..3], &[0xff, 0xff, 0]);
        assert_eq!(
            value("ipv6_src", "1::2::3"),
            Err("1::2::3: invalid IPv6 address".into())
        );
        assert_eq!(
            value("ipv6_src", "::1/129"),
            Err("::1/129: IPv6 network prefix bits not between 0 and 128, inclusive".into())
        );
    }

    #[test]
    fn ports_by_number_and_name() {
        let port = |s: &str| parse_port(s, &ports);
        assert_eq!(port("1"), Some(1));
        assert_eq!(port("p1"), Some(1));
        assert_eq!(port("\"my port\""), Some(7));
        assert_eq!(port("local"), Some(0xfffe));
        assert_eq!(port("NONE"), Some(0xffff));
        assert_eq!(port("in_port"), Some(0xfff8));
        assert_eq!(port("65280"), Some(0xff00));
        assert_eq!(port("4294967294"), Some(0xfffe));
        assert_eq!(port("70000"), None);
        assert_eq!(port("-1"), None);
        assert_eq!(port("nope"), None);
        assert_eq!(
            value("in_port", "nope"),
            Err("nope: invalid or unknown port for in_port".into())
        );
        assert_eq!(
            value("in_port_oxm", "LOCAL").unwrap().0,
            vec![0xff, 0xff, 0xff, 0xfe]
        );
    }

    #[test]
    fn flags() {
        assert_eq!(
            value("tcp_flags", "syn|ack"),
            Ok((vec![0, 0x12], vec![0xff, 0xff]))
        );
        assert_eq!(
            value("tcp_flags", "+syn-ack"),
            Ok((vec![0, 0x02], vec![0, 0x12]))
        );
        assert_eq!(
            value("tcp_flags", "0x12/0x12"),
            Ok((vec![0, 0x12], vec![0, 0x12]))
        );
        assert_eq!(
            value("tcp_flags", "0x12"),
            Ok((vec![0, 0x12], vec![0xff, 0xff]))
        );
        assert_eq!(
            value("tcp_flags", "+syn+syn"),
            Err("syn: Each TCP flag can be specified only once".into())
        );
        assert_eq!(
            value("tcp_flags", "+syn*ack"),
            Err("syn*ack: unknown TCP flag(s)".into())
        );
        assert_eq!(
            value("tcp_flags", "syn|bogus"),
            Err("syn|bogus: unknown TCP flag(s)".into())
        );
        assert_eq!(
            value("ct_state", "+trk-inv"),
            Ok((vec![0, 0, 0, 0x20], vec![0, 0, 0, 0x30]))
        );
        assert_eq!(
            value("ct_state", "trk|est"),
            Ok((vec![0, 0, 0, 0x22], vec![0xff; 4]))
        );
        assert_eq!(
            value("ct_state", "0x100"),
            Err("0x100: unknown ct_state flag(s)".into())
        );
        assert_eq!(
            value("tun_flags", "oam"),
            Ok((vec![0, 1], vec![0xff, 0xff]))
        );
        assert_eq!(
            value("tun_flags", "+df"),
            Err("df: unknown tunnel flag(s)".into())
        );
    }

    #[test]
    fn other_formats() {
        assert_eq!(value("ip_frag", "later"), Ok((vec![3], vec![0xff])));
        assert_eq!(value("nw_frag", "YES"), Ok((vec![1], vec![0xfd])));
        assert_eq!(value("ip_frag", "not_later"), Ok((vec![0], vec![0xfe])));
        assert!(
            value("ip_frag", "maybe")
                .unwrap_err()
                .starts_with("maybe: unknown fragment")
        );
        assert_eq!(
            value("packet_type", "(1,0x800)"),
            Ok((vec![0, 1, 8, 0], vec![0xff; 4]))
        );
        assert_eq!(
            value("packet_type", "1"),
            Err("1: bad syntax for packet type missing '('".into())
        );
        assert_eq!(
            value("packet_type", "(1;2)"),
            Err("1;2): bad syntax for packet type missing ','".into())
        );
    }

    #[test]
    fn exact_flows() {
        let f = parse_exact_flow(
            "in_port=1,tcp,dl_src=50:54:00:00:00:01,nw_dst=10.0.0.2,tp_dst=80",
            &ports,
        )
        .unwrap();
        assert_eq!(f.get_be(offset::IN_PORT, 2), 1);
        assert_eq!(f.get_be(offset::DL_TYPE, 2), 0x0800);
        assert_eq!(f.get_be(offset::NW_PROTO, 1), 6);
        assert_eq!(f.get_be(offset::NW_DST, 4), 0x0a00_0002);
        assert_eq!(f.get_be(offset::TP_DST, 2), 80);
        assert_eq!(f.get_be(offset::DL_SRC, 6), 0x5054_0000_0001);
        let f = parse_exact_flow("dl_vlan=5000,dl_vlan_pcp=3", &no_ports).unwrap();
        assert_eq!(f.get_be(offset::VLAN0_TCI, 2), 0x7000 | 0x1000 | 904);
        assert_eq!(f.get_be(offset::VLAN0_TPID, 2), 0x8100);
        assert_eq!(f.get_be(offset::IN_PORT, 2), 0xffff);
        let err = |s: &str| parse_exact_flow(s, &no_ports).unwrap_err();
        assert_eq!(
            err("tp_dst=80"),
            "tp_dst=80: prerequisites not met for setting tp_dst"
        );
        assert_eq!(err("tcp,tcp"), "tcp,tcp: Ethernet type set multiple times");
        assert_eq!(err("ip,tcp"), "ip,tcp: Ethernet type set multiple times");
        assert_eq!(err("foo=1"), "foo=1: unknown field foo");
        assert_eq!(
            err("in_port=1,in_port=2"),
            "in_port=1,in_port=2: field in_port set multiple times"
        );
        assert_eq!(
            err("ip,nw_src=1.2.3.4/8"),
            "ip,nw_src=1.2.3.4/8: bad value for nw_src (1.2.3.4/8: wildcards not allowed here)"
        );
        assert_eq!(
            err("in_port=p9"),
            "in_port=p9: bad value for in_port (p9: invalid or unknown port for in_port)"
        );
    }

    #[test]
    fn exact_flow_masks() {
        let (flow, wc) =
            parse_exact_flow_masked("tcp,dl_vlan=5,ip_dscp=3,tp_dst=80", &no_ports).unwrap();
        assert_eq!(flow.get_be(offset::VLAN0_TCI, 2), 0x1005);
        assert_eq!(wc.get_be(offset::VLAN0_TCI, 2), 0x1fff);
        assert_eq!(wc.get_be(offset::NW_TOS, 1), 0xfc);
        assert_eq!(wc.get_be(offset::DL_TYPE, 2), 0xffff);
        assert_eq!(wc.get_be(offset::NW_PROTO, 1), 0xff);
        assert_eq!(wc.get_be(offset::TP_DST, 2), 0xffff);
        assert_eq!(wc.get_be(offset::TP_SRC, 2), 0);
        assert_eq!(wc.get_be(offset::IN_PORT, 2), 0);
        let (_, wc) = parse_exact_flow_masked("in_port_oxm=3,mpls,mpls_tc=1", &no_ports).unwrap();
        assert_eq!(wc.get_be(offset::IN_PORT, 2), 0xffff);
        assert_eq!(wc.get_be(offset::MPLS_LSE0, 4), 0x0e00);
    }

    #[test]
    fn matches() {
        let m = parse_match("tcp,nw_src=10.0.0.0/8,tp_dst=0x50/0xfff0", &no_ports).unwrap();
        assert_eq!(
            m.get_uint(FieldId::Ipv4Src),
            Some((0x0a00_0000, 0xff00_0000))
        );
        assert_eq!(m.get_uint(FieldId::TcpDst), Some((0x50, 0xfff0)));
        assert!(m.has_default_packet_type());
        // Order does not matter in a match.
        assert_eq!(
            parse_match("tp_dst=0x50/0xfff0,nw_src=10.0.0.0/8,tcp", &no_ports),
            Ok(m)
        );
        let err = |s: &str| parse_match(s, &no_ports).unwrap_err();
        assert_eq!(
            err("tp_dst=80"),
            "tp_dst=80: prerequisites not met for setting tp_dst"
        );
        assert_eq!(err("priority=5"), "unknown keyword priority");
        assert_eq!(err("bogus"), "field bogus missing value");
        // UDP through the tp_* alias is fine.
        assert!(parse_match("udp,tp_dst=53", &no_ports).is_ok());
        // Values OVS quietly narrows.
        let m = parse_match("dl_vlan=5000,ip,nw_tos=255", &no_ports).unwrap();
        assert_eq!(m.get_uint(FieldId::DlVlan), Some((904, 0xfff)));
        assert_eq!(m.get_uint(FieldId::IpDscp), Some((252, 0xfc)));
        let m = parse_match("dl_vlan=0xffff", &no_ports).unwrap();
        assert_eq!(m.get_uint(FieldId::VlanTci), Some((0, 0xffff)));
        // A bare field reads as "0/0": fine for numbers, not for addresses
        // (as in OVS).
        let m = parse_match("reg3,ct_state", &no_ports).unwrap();
        assert_eq!(m, Match::catchall());
        assert_eq!(err("ip,nw_src"), "0/0: invalid IP address");
    }

    #[test]
    fn subfields() {
        let m = parse_match("reg0[4]=1,reg0[0..3]=5", &no_ports).unwrap();
        assert_eq!(m.get_uint(FieldId::Reg0), Some((0x15, 0x1f)));
        let m = parse_match("NXM_NX_REG1[]=7", &no_ports).unwrap();
        assert_eq!(m.get_uint(FieldId::Reg1), Some((7, 0xffff_ffff)));
        let err = |s: &str| parse_match(s, &no_ports).unwrap_err();
        assert_eq!(
            err("reg0[0..3]=16"),
            "reg0[0..3]: value 0x10 does not fit into 4 bits"
        );
        assert_eq!(
            err("reg0[0..3]=x"),
            "reg0[0..3]: cannot parse integer value: x"
        );
        assert_eq!(
            err("reg0[5..3]=1"),
            "reg0[5..3]: starting bit 5 is after ending bit 3"
        );
        assert_eq!(
            err("reg0[40]=1"),
            "reg0[40]: starting bit 40 is not valid because field is only 32 bits wide"
        );
        assert_eq!(err("nope[1]=1"), "nope[1]: unknown field `nope'");
        assert_eq!(
            err("reg0[x]=1"),
            "reg0[x]: syntax error expecting [] or [<bit>] or [<start>..<end>]"
        );
    }

    /// Text for `value` in a syntax `parse_field` reads back exactly.
    fn text_of(field: FieldId, value: &[u8]) -> String {
        match field.info().format {
            FieldFormat::Ethernet | FieldFormat::Ipv4 => value_text(field, value),
            FieldFormat::Ipv6 => {
                let mut b = [0u8; 16];
                b.copy_from_slice(value);
                Ipv6Addr::from(b).to_string()
            }
            FieldFormat::Decimal if value.len() <= 8 => format!("{}", be_value(value)),
            _ => hex_text(value),
        }
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in "\\PC{0,60}") {
            let _ = parse_match(&s, &ports);
            let _ = parse_exact_flow(&s, &ports);
        }

        #[test]
        fn field_syntax_never_panics(
            field in proptest::sample::select(ALL_FIELDS.to_vec()),
            s in "[-+0-9a-fA-Fx:./|,()\\[\\]a-z*]{0,40}",
        ) {
            let _ = parse_field(field, &s, &ports);
            let _ = parse_match(&format!("{}={s}", field.info().name), &ports);
            let _ = parse_exact_flow(&format!("{}={s}", field.info().name), &ports);
            let _ = parse_subfield(&s);
        }

        #[test]
        fn formatted_values_read_back(
            field in proptest::sample::select(ALL_FIELDS.iter().copied().filter(|f| matches!(
                f.info().format,
                FieldFormat::Decimal | FieldFormat::Hexadecimal | FieldFormat::Ethernet
                    | FieldFormat::Ipv4 | FieldFormat::Ipv6
            ) && !f.info().variable_length).collect::<Vec<_>>()),
            bytes in proptest::collection::vec(any::<u8>(), 16),
        ) {
            let n = usize::from(field.info().n_bytes);
            let value = bytes[16 - n..].to_vec();
            let text = text_of(field, &value);
            prop_assert_eq!(parse_field_value(field, &text, &no_ports), Ok(value));
        }
    }
}
