//! The `filter=` of `dump-flows`: an OpenFlow-style exact flow
//! (`in_port=1,tcp,tp_dst=80`), read as OVS's `parse_ofp_exact_flow`
//! reads it, and matched against a datapath flow as `dpctl_dump_flows`
//! does.
//!
//! Field values take OVS's syntaxes for every field but `packet_type`,
//! which is refused with a message saying so.

use std::net::{Ipv4Addr, Ipv6Addr};

use ovs_flow::{FieldFormat, FieldId, Flow, Match};

/// A parsed filter: values and the bits they cover.
#[derive(Clone, Debug)]
pub(crate) struct Filter {
    m: Match,
}

/// OVS's `ofp_parse_protocol` table: shorthand words for an Ethertype and
/// IP protocol.
const PROTOCOLS: &[(&str, u16, u8)] = &[
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

/// `ofputil_parse_key_value`: the next `key[=:]value`, `key(value)` or
/// bare `key` of `s` from `*pos`.
fn next_key_value<'s>(s: &'s str, pos: &mut usize) -> Option<(&'s str, &'s str)> {
    const DELIMS: &[u8] = b", \t\r\n";
    let b = s.as_bytes();
    while *pos < b.len() && DELIMS.contains(&b[*pos]) {
        *pos += 1;
    }
    if *pos >= b.len() {
        return None;
    }
    let start = *pos;
    let key_len = b[start..]
        .iter()
        .position(|c| b":=(, \t\r\n".contains(c))
        .unwrap_or(b.len() - start);
    let key = &s[start..start + key_len];
    let delim = b.get(start + key_len).copied();
    *pos = start + key_len + usize::from(delim.is_some());
    let value_delims: &[u8] = match delim {
        Some(b':' | b'=') => DELIMS,
        Some(b'(') => b")",
        _ => return Some((key, "")),
    };
    let vstart = *pos;
    let mut n = value_len(&b[vstart..], value_delims);
    // `(x)->y` keeps going after the parenthesis.
    if delim == Some(b'(') && b[vstart + n..].starts_with(b")->") {
        n += value_len(&b[vstart + n..], DELIMS);
    }
    let value = &s[vstart..vstart + n];
    *pos = vstart + n + usize::from(vstart + n < b.len());
    Some((key, value))
}

/// `parse_value`: up to a delimiter, skipping over balanced parentheses.
fn value_len(b: &[u8], delims: &[u8]) -> usize {
    let mut n = 0;
    while n < b.len() && !delims.contains(&b[n]) {
        if b[n] == b'(' {
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
        } else {
            n += 1;
        }
    }
    n
}

impl Filter {
    /// Parses `s`; `ports` maps port names to the numbers `in_port=NAME`
    /// stands for. Errors read as OVS's (`s: unknown field foo`).
    pub(crate) fn parse(s: &str, ports: &[(String, u32)]) -> Result<Filter, String> {
        let mut m = Match::catchall();
        let mut pos = 0;
        let dl_type = FieldId::from_name("dl_type").ok_or("no dl_type field")?;
        let nw_proto = FieldId::from_name("nw_proto").ok_or("no nw_proto field")?;
        while let Some((key, value)) = next_key_value(s, &mut pos) {
            if let Some(&(_, eth_type, proto)) = PROTOCOLS.iter().find(|p| p.0 == key) {
                if m.flow.get_be(ovs_flow::offset::DL_TYPE, 2) != 0 {
                    return Err(format!("{s}: Ethernet type set multiple times"));
                }
                set(&mut m, dl_type, &eth_type.to_be_bytes())?;
                if proto != 0 {
                    if m.flow.get_be(ovs_flow::offset::NW_PROTO, 1) != 0 {
                        return Err(format!("{s}: network protocol set multiple times"));
                    }
                    set(&mut m, nw_proto, &[proto])?;
                }
                continue;
            }
            let Some(field) = FieldId::from_name(key) else {
                return Err(format!("{s}: unknown field {key}"));
            };
            if !m.prereqs_ok(field) {
                return Err(format!("{s}: prerequisites not met for setting {key}"));
            }
            let is_set = m.get(field).is_some_and(|(v, _)| v.iter().any(|b| *b != 0));
            if is_set {
                return Err(format!("{s}: field {key} set multiple times"));
            }
            let bytes = parse_value(field, value, ports)
                .map_err(|e| format!("{s}: bad value for {key} ({e})"))?;
            set(&mut m, field, &bytes).map_err(|e| format!("{s}: bad value for {key} ({e})"))?;
        }
        Ok(Filter { m })
    }

    /// Whether a datapath flow (`key` under `mask`) passes: on the bits
    /// both the filter and the flow match on, the values agree. Bits the
    /// flow wildcards pass, so a filter on a field the flow ignores lets
    /// the flow through, as in OVS.
    pub(crate) fn matches(&self, key: &Flow, mask: &Flow) -> bool {
        let k = key.as_bytes();
        let w = mask.as_bytes();
        let f = self.m.flow.as_bytes();
        let fw = self.m.wc.as_bytes();
        k.iter()
            .zip(w)
            .zip(f.iter().zip(fw))
            .all(|((k, w), (f, fw))| (k ^ f) & w & fw == 0)
    }
}

fn set(m: &mut Match, field: FieldId, value: &[u8]) -> Result<(), String> {
    m.set_exact(field, value).map_err(|e| e.to_string())
}

/// `mf_parse_value`: the field's value, which must be exact.
fn parse_value(field: FieldId, s: &str, ports: &[(String, u32)]) -> Result<Vec<u8>, String> {
    let info = field.info();
    let n = usize::from(info.n_bytes);
    let name = info.name;
    let (value, mask) = if s == "*" {
        (vec![0; n], vec![0; n])
    } else {
        match info.format {
            FieldFormat::Decimal | FieldFormat::Hexadecimal => integer(s, n, name)?,
            FieldFormat::Ethernet => ethernet(s)?,
            FieldFormat::Ipv4 => ipv4(s)?,
            FieldFormat::Ipv6 => ipv6(s)?,
            FieldFormat::OfpPort => {
                let p = port(s, ports)
                    .ok_or_else(|| format!("{s}: invalid or unknown port for {name}"))?;
                (p.to_be_bytes().to_vec(), vec![0xff; 2])
            }
            FieldFormat::OfpPortOxm => {
                let p = port(s, ports)
                    .ok_or_else(|| format!("{s}: port value out of range for {name}"))?;
                let p32 = ovs_flow::port_to_of11(p);
                (p32.to_be_bytes().to_vec(), vec![0xff; 4])
            }
            FieldFormat::Frag => frag(s)?,
            FieldFormat::CtState => flags(s, n, CT_STATE_FLAGS, 0xff, "ct_state")?,
            FieldFormat::TcpFlags => flags(s, n, TCP_FLAGS, 0x0fff, "TCP")?,
            // Only `oam` is the public tunnel flag.
            FieldFormat::TunnelFlags => flags(s, n, TUNNEL_FLAGS, 0x1, "tunnel")?,
            FieldFormat::PacketType => {
                return Err(format!(
                    "{s}: {name} is not supported in a dump-flows filter"
                ));
            }
        }
    };
    if mask.len() != n || value.len() != n {
        return Err(format!("{s}: value of the wrong width for {name}"));
    }
    if mask.iter().any(|b| *b != 0xff) {
        return Err(format!("{s}: wildcards not allowed here"));
    }
    Ok(value)
}

/// Why an integer did not read.
enum IntError {
    Syntax,
    Range,
}

/// `parse_int_string`: hexadecimal after `0x` (any length whose value
/// fits), else C's `strtoull` with base 0 (octal after `0`). Returns the
/// value and the rest of `s`.
fn int_string(s: &str, width: usize) -> Result<(Vec<u8>, &str), IntError> {
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        let mut digits = Vec::new();
        let mut rest = hex;
        loop {
            rest = rest.trim_start_matches([' ', '\t', '\r', '\n']);
            let Some(d) = rest.chars().next().and_then(|c| c.to_digit(16)) else {
                break;
            };
            if d != 0 || !digits.is_empty() {
                if (digits.len() + 2) / 2 > width {
                    return Err(IntError::Range);
                }
                digits.push(d as u8);
            }
            rest = &rest[1..];
        }
        let mut v = vec![0u8; width];
        let mut idx = width;
        let mut i = digits.len();
        while i > 0 {
            idx -= 1;
            let lo = digits[i - 1];
            let hi = if i >= 2 { digits[i - 2] } else { 0 };
            v[idx] = (hi << 4) | lo;
            i = i.saturating_sub(2);
        }
        return Ok((v, rest));
    }
    let t = s.trim_start_matches([' ', '\t', '\r', '\n', '\x0b', '\x0c']);
    let t = t.strip_prefix('+').unwrap_or(t);
    // strtoull negates "-N"; no such value fits a field.
    if t.strip_prefix('-')
        .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
    {
        return Err(IntError::Range);
    }
    let (radix, body) = if let Some(b) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (16, b)
    } else if t.starts_with('0') {
        (8, t)
    } else {
        (10, t)
    };
    let len = body.chars().take_while(|c| c.is_digit(radix)).count();
    if len == 0 {
        return Err(IntError::Syntax);
    }
    let v = u64::from_str_radix(&body[..len], radix).map_err(|_| IntError::Range)?;
    let bytes = v.to_be_bytes();
    if width < 8 && bytes[..8 - width].iter().any(|b| *b != 0) {
        return Err(IntError::Range);
    }
    let mut out = vec![0u8; width];
    let take = width.min(8);
    out[width - take..].copy_from_slice(&bytes[8 - take..]);
    Ok((out, &body[len..]))
}

/// `mf_from_integer_string`: `value[/mask]`.
fn integer(s: &str, width: usize, name: &str) -> Result<(Vec<u8>, Vec<u8>), String> {
    let err = |e: IntError, what: &str| match e {
        IntError::Range => format!("{s}: {what} too large for {width}-byte field {name}"),
        IntError::Syntax => format!("{s}: bad syntax for {name} {what}"),
    };
    let (value, tail) = int_string(s, width).map_err(|e| err(e, "value"))?;
    if tail.is_empty() {
        return Ok((value, vec![0xff; width]));
    }
    let Some(mask_s) = tail.strip_prefix('/') else {
        return Err(err(IntError::Syntax, "value"));
    };
    let (mask, tail) = int_string(mask_s, width).map_err(|e| err(e, "mask"))?;
    if !tail.is_empty() {
        return Err(err(IntError::Syntax, "mask"));
    }
    Ok((value, mask))
}

fn mac(s: &str) -> Option<[u8; 6]> {
    let mut out = [0u8; 6];
    let mut parts = s.split(':');
    for b in &mut out {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 2 {
            return None;
        }
        *b = u8::from_str_radix(p, 16).ok()?;
    }
    parts.next().is_none().then_some(out)
}

/// `mf_from_ethernet_string`: `xx:xx:xx:xx:xx:xx[/mask]`.
fn ethernet(s: &str) -> Result<(Vec<u8>, Vec<u8>), String> {
    let bad = || format!("{s}: invalid Ethernet address");
    let (v, m) = match s.split_once('/') {
        Some((v, m)) => (mac(v).ok_or_else(bad)?, mac(m).ok_or_else(bad)?),
        None => (mac(s).ok_or_else(bad)?, [0xff; 6]),
    };
    Ok((v.to_vec(), m.to_vec()))
}

/// A dotted quad as OVS's `IP_SCAN_FMT` (`%hhu` four times) reads it:
/// each number keeps its low 8 bits, so `300.1.1.1` is `44.1.1.1`.
fn dotted_quad(s: &str) -> Option<u32> {
    let mut v = 0u32;
    let mut parts = s.split('.');
    for _ in 0..4 {
        let p = parts.next()?;
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // strtoul saturates, and the saturated value's low byte is 0xff.
        let n = p.parse::<u64>().unwrap_or(u64::MAX);
        v = (v << 8) | (n & 0xff) as u32;
    }
    parts.next().is_none().then_some(v)
}

/// `ip_parse_masked`: `a.b.c.d[/mask|/prefix]`.
fn ipv4(s: &str) -> Result<(Vec<u8>, Vec<u8>), String> {
    let bad = || format!("{s}: invalid IP address");
    let (v, m) = match s.split_once('/') {
        None => (s, None),
        Some((v, m)) => (v, Some(m)),
    };
    let ip = Ipv4Addr::from(dotted_quad(v).ok_or_else(bad)?);
    let mask = match m {
        None => u32::MAX,
        Some(m) => match dotted_quad(m) {
            Some(a) => a,
            None => {
                let bits: i64 = m.parse().map_err(|_| bad())?;
                if !(0..=32).contains(&bits) {
                    return Err(format!(
                        "{s}: IPv4 network prefix bits not between 0 and 32, inclusive"
                    ));
                }
                u32::MAX.checked_shl(32 - bits as u32).unwrap_or(0)
            }
        },
    };
    Ok((ip.octets().to_vec(), mask.to_be_bytes().to_vec()))
}

/// `ipv6_parse_masked`: `addr[/mask|/prefix]`.
fn ipv6(s: &str) -> Result<(Vec<u8>, Vec<u8>), String> {
    let bad = || format!("{s}: invalid IPv6 address");
    let (v, m) = match s.split_once('/') {
        None => (s, None),
        Some((v, m)) => (v, Some(m)),
    };
    let ip: Ipv6Addr = v.parse().map_err(|_| bad())?;
    let mask = match m {
        None => u128::MAX,
        Some(m) => match m.parse::<i64>() {
            Ok(bits) => {
                if !(0..=128).contains(&bits) {
                    return Err(format!(
                        "{s}: IPv6 network prefix bits not between 0 and 128, inclusive"
                    ));
                }
                u128::MAX.checked_shl(128 - bits as u32).unwrap_or(0)
            }
            Err(_) => {
                let a: Ipv6Addr = m.parse().map_err(|_| format!("{s}: Invalid IPv6 mask"))?;
                u128::from(a)
            }
        },
    };
    Ok((ip.octets().to_vec(), mask.to_be_bytes().to_vec()))
}

/// `ofputil_port_from_string`: a number, a reserved port's name, or a
/// port's name (optionally in double quotes).
fn port(s: &str, ports: &[(String, u32)]) -> Option<u16> {
    if s.starts_with('-') {
        return None;
    }
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        let n: u64 = s.parse().ok()?;
        return if n <= 0xffff {
            Some(n as u16)
        } else if n < 0xffff_ff00 {
            None
        } else if n <= u64::from(u32::MAX) {
            // OpenFlow 1.1's reserved ports.
            Some((n - 0xffff_0000) as u16)
        } else {
            None
        };
    }
    const NAMED: &[(&str, u16)] = &[
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
    if let Some((_, p)) = NAMED.iter().find(|(n, _)| n.eq_ignore_ascii_case(s)) {
        return Some(*p);
    }
    let name = match s.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) if s.len() > 1 => inner,
        _ => s,
    };
    ports
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, p)| *p as u16)
        .filter(|p| *p != 0xffff)
}

/// Flag names by bit (OVS's `ct_state_to_string`).
const CT_STATE_FLAGS: &[(u32, &str)] = &[
    (0x01, "new"),
    (0x02, "est"),
    (0x04, "rel"),
    (0x08, "rpl"),
    (0x10, "inv"),
    (0x20, "trk"),
    (0x40, "snat"),
    (0x80, "dnat"),
];

/// `packet_tcp_flag_to_string`.
const TCP_FLAGS: &[(u32, &str)] = &[
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

/// `flow_tun_flag_to_string`.
const TUNNEL_FLAGS: &[(u32, &str)] = &[(0x1, "oam"), (0x2, "df"), (0x4, "csum"), (0x8, "key")];

/// C's `%i` (`strtol` base 0): blanks, a sign, `0x` hex, `0` octal or
/// decimal. Returns the value and the bytes read.
fn scan_c_int(s: &str) -> Option<(i64, usize)> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && b" \t\n\r\x0b\x0c".contains(&b[i]) {
        i += 1;
    }
    let neg = match b.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let (radix, start) = if b[i..].starts_with(b"0x") || b[i..].starts_with(b"0X") {
        if b.get(i + 2).is_some_and(u8::is_ascii_hexdigit) {
            (16, i + 2)
        } else {
            (8, i)
        }
    } else if b.get(i) == Some(&b'0') {
        (8, i)
    } else {
        (10, i)
    };
    let len = b[start..]
        .iter()
        .take_while(|c| (**c as char).is_digit(radix))
        .count();
    if len == 0 {
        return None;
    }
    let v = i64::from_str_radix(&s[start..start + len], radix).unwrap_or(i64::MAX);
    Some((if neg { v.wrapping_neg() } else { v }, start + len))
}

/// `parse_flags` for a filter value: `N/M`, `+a-b...` or `a|b|N`, as
/// value and mask `width` bytes wide; `allowed` are the bits the field
/// may match.
fn flags(
    s: &str,
    width: usize,
    names: &[(u32, &str)],
    allowed: u32,
    field: &str,
) -> Result<(Vec<u8>, Vec<u8>), String> {
    let unknown = || format!("{s}: unknown {field} flag(s)");
    let bytes = |v: u32| v.to_be_bytes()[4 - width.min(4)..].to_vec();
    // Numeric, masked.
    if let Some((v, n)) = scan_c_int(s)
        && s[n..].starts_with('/')
        && let Some((m, _)) = scan_c_int(&s[n + 1..])
    {
        let (v, m) = (v as u32, m as u32);
        if v & !allowed != 0 || m & !allowed != 0 {
            return Err(unknown());
        }
        return Ok((bytes(v), bytes(m)));
    }
    let name_at = |rest: &str, ends: &[char]| {
        names.iter().find(|(_, name)| {
            rest.strip_prefix(name)
                .is_some_and(|after| after.is_empty() || after.starts_with(ends))
        })
    };
    if s.starts_with(['+', '-']) {
        let (mut flags, mut mask) = (0u32, 0u32);
        let mut rest = s;
        while !rest.is_empty() {
            let set = match rest.as_bytes()[0] {
                b'+' => true,
                b'-' => false,
                _ => {
                    return Err(format!(
                        "{rest}: {field} must be preceded by '+' (for SET) or '-' (NOT SET)"
                    ));
                }
            };
            rest = &rest[1..];
            let &(bit, name) = name_at(rest, &['+', '-']).ok_or_else(unknown)?;
            if mask & bit != 0 {
                return Err(format!(
                    "{rest}: Each {field} flag can be specified only once"
                ));
            }
            if bit & allowed == 0 {
                return Err(unknown());
            }
            if set {
                flags |= bit;
            }
            mask |= bit;
            rest = &rest[name.len()..];
        }
        return Ok((bytes(flags), bytes(mask)));
    }
    let mut result = 0u32;
    let mut rest = s;
    while !rest.is_empty() {
        if let Some((v, n)) = scan_c_int(rest) {
            if v as u64 & !u64::from(allowed) != 0 {
                return Err(unknown());
            }
            result |= v as u32;
            rest = &rest[n..];
            rest = rest.strip_prefix('|').unwrap_or(rest);
            continue;
        }
        let &(bit, name) = name_at(rest, &['|']).ok_or_else(unknown)?;
        if bit & allowed == 0 {
            return Err(unknown());
        }
        result |= bit;
        rest = &rest[name.len()..];
        rest = rest.strip_prefix('|').unwrap_or(rest);
    }
    Ok((bytes(result), vec![0xff; width]))
}

/// `mf_from_frag_string`. OVS forces the mask's high bits on, so only the
/// two-bit forms (`no`, `first`, `later`) are exact.
fn frag(s: &str) -> Result<(Vec<u8>, Vec<u8>), String> {
    const ANY: u8 = 1;
    const LATER: u8 = 2;
    const TABLE: &[(&str, u8, u8)] = &[
        ("no", ANY | LATER, 0),
        ("first", ANY | LATER, ANY),
        ("later", ANY | LATER, ANY | LATER),
        ("yes", ANY, ANY),
        ("not_later", LATER, 0),
    ];
    match TABLE.iter().find(|(n, _, _)| n.eq_ignore_ascii_case(s)) {
        Some((_, mask, value)) => Ok((vec![*value], vec![mask | !(ANY | LATER)])),
        None => Err(format!(
            "{s}: unknown fragment type (valid types are \"no\", \"yes\", \"first\", \"later\", \"not_later\""
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ovs_flow::offset;
    use proptest::prelude::*;

    fn ports() -> Vec<(String, u32)> {
        vec![("p1".into(), 1), ("p2".into(), 2)]
    }

    /// OVS's own messages for the filters tried on a real switch.
    #[test]
    fn errors_as_ovs() {
        let e = |s: &str| Filter::parse(s, &ports()).unwrap_err();
        assert_eq!(e("foo=1"), "foo=1: unknown field foo");
        assert_eq!(
            e("tp_dst=80"),
            "tp_dst=80: prerequisites not met for setting tp_dst"
        );
        assert_eq!(
            e("in_port=bad"),
            "in_port=bad: bad value for in_port (bad: invalid or unknown port for in_port)"
        );
        assert_eq!(e("ip,ip"), "ip,ip: Ethernet type set multiple times");
        assert_eq!(
            e("nw_src=1.2.3.4/8"),
            "nw_src=1.2.3.4/8: prerequisites not met for setting nw_src"
        );
        assert_eq!(
            e("ip,nw_src=1.2.3.4/8"),
            "ip,nw_src=1.2.3.4/8: bad value for nw_src (1.2.3.4/8: wildcards not allowed here)"
        );
        assert_eq!(
            e("in_port=1,in_port=2"),
            "in_port=1,in_port=2: field in_port set multiple times"
        );
        assert_eq!(
            e("ip,ip_frag=yes"),
            "ip,ip_frag=yes: bad value for ip_frag (yes: wildcards not allowed here)"
        );
        assert_eq!(
            e("tcp,tp_dst=0x10000"),
            "tcp,tp_dst=0x10000: bad value for tp_dst (0x10000: value too large for 2-byte field tcp_dst)"
        );
        assert_eq!(
            e("tcp,tp_dst=8o"),
            "tcp,tp_dst=8o: bad value for tp_dst (8o: bad syntax for tcp_dst value)"
        );
        assert_eq!(
            e("tcp,tp_dst=-5"),
            "tcp,tp_dst=-5: bad value for tp_dst (-5: value too large for 2-byte field tcp_dst)"
        );
        assert_eq!(
            e("ct_state=+trk"),
            "ct_state=+trk: bad value for ct_state (+trk: wildcards not allowed here)"
        );
        assert_eq!(
            e("ip,nw_src=*"),
            "ip,nw_src=*: bad value for nw_src (*: wildcards not allowed here)"
        );
        assert_eq!(
            e("ipv6,ipv6_src=::1/64"),
            "ipv6,ipv6_src=::1/64: bad value for ipv6_src (::1/64: wildcards not allowed here)"
        );
        assert_eq!(
            e("tcp,tcp_flags=+syn"),
            "tcp,tcp_flags=+syn: bad value for tcp_flags (+syn: wildcards not allowed here)"
        );
        // What OVS accepts.
        for ok in [
            "ip,nw_src=300.1.1.1",
            "dl_src=00:11:22:33:44:5",
            "in_port=LOCAL",
            "in_port=\"p1\"",
            "ip,nw_tos=010",
            "ct_state=trk|new",
            "tcp,tcp_flags=0x12",
        ] {
            assert!(Filter::parse(ok, &ports()).is_ok(), "{ok}");
        }
    }

    fn dp_flow(in_port: u16, nw_src: [u8; 4], src_mask: [u8; 4]) -> (Flow, Flow) {
        let mut k = Flow::ZERO;
        let mut m = Flow::ZERO;
        k.set_be(offset::IN_PORT, 2, u64::from(in_port));
        m.set_be(offset::IN_PORT, 2, 0xffff);
        k.set_be(offset::DL_TYPE, 2, 0x0800);
        m.set_be(offset::DL_TYPE, 2, 0xffff);
        k.bytes_mut(offset::NW_SRC, 4).copy_from_slice(&nw_src);
        m.bytes_mut(offset::NW_SRC, 4).copy_from_slice(&src_mask);
        (k, m)
    }

    #[test]
    fn matching_follows_both_masks() {
        let (k, m) = dp_flow(2, [10, 0, 0, 1], [255, 255, 255, 0]);
        let ok = |s: &str| Filter::parse(s, &ports()).unwrap().matches(&k, &m);
        assert!(ok("in_port=2"));
        assert!(ok("in_port=p2"));
        assert!(!ok("in_port=p1"));
        assert!(ok("ip"));
        assert!(!ok("arp"));
        // Only the bits the flow matches on count.
        assert!(ok("ip,nw_src=10.0.0.99"));
        assert!(!ok("ip,nw_src=10.0.1.1"));
        // A field the flow wildcards passes.
        assert!(ok("tcp,tp_dst=80"));
        assert!(ok(""));
    }

    #[test]
    fn key_values_split_as_ovs() {
        let mut pos = 0;
        let s = "a=1, b:2 c(3,4) d(x)->y,e";
        let mut got = Vec::new();
        while let Some(kv) = next_key_value(s, &mut pos) {
            got.push(kv);
        }
        assert_eq!(
            got,
            vec![
                ("a", "1"),
                ("b", "2"),
                ("c", "3,4"),
                ("d", "x)->y"),
                ("e", "")
            ]
        );
    }

    #[test]
    fn integers_as_parse_int_string() {
        let v = |s: &str, w| int_string(s, w).ok().map(|(v, rest)| (v, rest.to_string()));
        assert_eq!(v("10", 2), Some((vec![0, 10], String::new())));
        assert_eq!(v("010", 1), Some((vec![8], String::new())));
        assert_eq!(v("0x00ff", 1), Some((vec![0xff], String::new())));
        assert_eq!(v("0xabc/x", 2), Some((vec![0x0a, 0xbc], "/x".to_string())));
        assert!(int_string("0x100", 1).is_err());
        assert!(int_string("256", 1).is_err());
        assert!(int_string("", 1).is_err());
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "[a-z_0-9=,:/().*\" x-]{0,40}") {
            let _ = Filter::parse(&s, &ports());
        }

        #[test]
        fn exact_filter_on_exact_flow(port in 1u16..0xff00, a in any::<[u8; 4]>()) {
            let (k, m) = dp_flow(port, a, [255; 4]);
            let ip = Ipv4Addr::from(a);
            let f = Filter::parse(&format!("in_port={port},ip,nw_src={ip}"), &ports()).unwrap();
            prop_assert!(f.matches(&k, &m));
            let other = Ipv4Addr::from(u32::from(ip) ^ 1);
            let f = Filter::parse(&format!("ip,nw_src={other}"), &ports()).unwrap();
            prop_assert!(!f.matches(&k, &m));
        }
    }
}
