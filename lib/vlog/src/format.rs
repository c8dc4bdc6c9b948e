//! Expanding OVS log patterns (`%D{...}|%05N|%c%T|%p|%m`) into lines.

use std::fmt::Write as _;

use crate::level::Level;

/// Everything a pattern can refer to for one message.
pub(crate) struct Record<'a> {
    pub module: &'a str,
    pub level: Level,
    pub message: &'a str,
    pub seq: u32,
    /// Wall-clock time, milliseconds since the Unix epoch.
    pub unix_ms: i64,
    pub program: &'a str,
    pub facility: u32,
    pub pid: u32,
    pub uptime_ms: u64,
    pub hostname: &'a str,
}

/// Expands `pattern` for `record` into `out` (cleared first), following the
/// conversions of OVS's vlog: `%[-][0][width]X`, with `{...}` arguments for
/// `%c`, `%d` and `%D`. Unknown conversions print the conversion character.
pub(crate) fn format_pattern(pattern: &str, record: &Record<'_>, out: &mut String) {
    out.clear();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut left = false;
        let mut pad = ' ';
        if chars.peek() == Some(&'-') {
            left = true;
            chars.next();
        }
        if chars.peek() == Some(&'0') {
            pad = '0';
            chars.next();
        }
        let mut width = 0usize;
        while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
            width = width.saturating_mul(10).saturating_add(d as usize);
            chars.next();
        }
        let Some(conversion) = chars.next() else {
            break;
        };
        let start = out.len();
        let mut braces = |default: &str| -> String {
            if chars.peek() == Some(&'{') {
                chars.next();
                let mut arg = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    arg.push(c);
                }
                arg
            } else {
                default.to_string()
            }
        };
        match conversion {
            'A' => out.push_str(record.program),
            'B' => {
                let facility = if record.facility == 0 {
                    crate::level::LOG_LOCAL0
                } else {
                    record.facility
                };
                let _ = write!(out, "{}", facility + record.level.syslog_severity());
            }
            'c' => {
                braces("");
                out.push_str(record.module);
            }
            // OVS prints %d in local time; without a time-zone database this
            // crate prints UTC for both.
            'd' | 'D' => {
                let template = braces("%Y-%m-%d %H:%M:%S.###");
                strftime_msec(&template, record.unix_ms, out);
            }
            'E' => out.push_str(record.hostname),
            'm' => {
                out.push_str(record.message);
                while out.len() > start && out.ends_with('\n') {
                    out.pop();
                }
            }
            'N' => {
                let _ = write!(out, "{}", record.seq);
            }
            'n' => out.push('\n'),
            'p' => out.push_str(record.level.name()),
            'P' => {
                let _ = write!(out, "{}", record.pid);
            }
            'r' => {
                let _ = write!(out, "{}", record.uptime_ms);
            }
            't' => out.push_str("main"),
            // OVS prints "(<thread name>)" for its named helper threads; the
            // threads that log here are anonymous runtime workers.
            'T' => {}
            other => out.push(other),
        }
        let used = out[start..].chars().count();
        if used < width {
            let padding: String = std::iter::repeat_n(pad, width - used).collect();
            if left {
                out.push_str(&padding);
            } else {
                out.insert_str(start, &padding);
            }
        }
    }
}

/// A broken-down UTC time.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    weekday: u32,
    yearday: u32,
}

fn civil_from_unix(secs: i64) -> Civil {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Days to (year, month, day) in the proleptic Gregorian calendar, using
    // 400-year eras that start on 1 March.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const CUMULATIVE: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let yearday = CUMULATIVE[(month - 1) as usize] + day - 1 + u32::from(leap && month > 2);
    Civil {
        year,
        month,
        day,
        hour: (rem / 3600) as u32,
        minute: (rem / 60 % 60) as u32,
        second: (rem % 60) as u32,
        // 1970-01-01 was a Thursday.
        weekday: (days + 4).rem_euclid(7) as u32,
        yearday,
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MONTHS_LONG: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const DAYS_LONG: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// strftime for the conversions OVS patterns use, in UTC, then every run of
/// `#` replaced by the milliseconds (as OVS's `strftime_msec` does).
pub(crate) fn strftime_msec(template: &str, unix_ms: i64, out: &mut String) {
    let t = civil_from_unix(unix_ms.div_euclid(1000));
    let msec = unix_ms.rem_euclid(1000);
    let start = out.len();
    let mut chars = template.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(conversion) = chars.next() else {
            out.push('%');
            break;
        };
        let _ = match conversion {
            'Y' => write!(out, "{}", t.year),
            'y' => write!(out, "{:02}", t.year.rem_euclid(100)),
            'C' => write!(out, "{:02}", t.year.div_euclid(100)),
            'm' => write!(out, "{:02}", t.month),
            'd' => write!(out, "{:02}", t.day),
            'e' => write!(out, "{:2}", t.day),
            'j' => write!(out, "{:03}", t.yearday + 1),
            'H' => write!(out, "{:02}", t.hour),
            'k' => write!(out, "{:2}", t.hour),
            'I' => write!(out, "{:02}", (t.hour + 11) % 12 + 1),
            'l' => write!(out, "{:2}", (t.hour + 11) % 12 + 1),
            'p' => write!(out, "{}", if t.hour < 12 { "AM" } else { "PM" }),
            'M' => write!(out, "{:02}", t.minute),
            'S' => write!(out, "{:02}", t.second),
            'T' => write!(out, "{:02}:{:02}:{:02}", t.hour, t.minute, t.second),
            'R' => write!(out, "{:02}:{:02}", t.hour, t.minute),
            'F' => write!(out, "{}-{:02}-{:02}", t.year, t.month, t.day),
            'D' => write!(
                out,
                "{:02}/{:02}/{:02}",
                t.month,
                t.day,
                t.year.rem_euclid(100)
            ),
            'b' | 'h' => write!(out, "{}", MONTHS[(t.month - 1) as usize]),
            'B' => write!(out, "{}", MONTHS_LONG[(t.month - 1) as usize]),
            'a' => write!(out, "{}", DAYS[t.weekday as usize]),
            'A' => write!(out, "{}", DAYS_LONG[t.weekday as usize]),
            'u' => write!(out, "{}", if t.weekday == 0 { 7 } else { t.weekday }),
            'w' => write!(out, "{}", t.weekday),
            's' => write!(out, "{}", unix_ms.div_euclid(1000)),
            'z' => write!(out, "+0000"),
            'Z' => write!(out, "GMT"),
            'n' => writeln!(out),
            't' => write!(out, "\t"),
            '%' => write!(out, "%"),
            other => write!(out, "%{other}"),
        };
    }
    if out[start..].contains('#') {
        let digits = format!("{msec:03}");
        let mut replaced = String::with_capacity(out.len() - start);
        let mut run = 0usize;
        for c in out[start..].chars() {
            if c == '#' {
                // Beyond three '#'s OVS pads with zeros.
                replaced.push(digits.as_bytes().get(run).map_or('0', |&b| char::from(b)));
                run += 1;
            } else {
                run = 0;
                replaced.push(c);
            }
        }
        out.truncate(start);
        out.push_str(&replaced);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(message: &str) -> Record<'_> {
        Record {
            module: "ovsdb_server",
            level: Level::Info,
            message,
            seq: 2,
            // 2026-11-21T10:56:29.097Z
            unix_ms: 1_795_258_589_097,
            program: "ovsdb-server",
            facility: 0,
            pid: 42,
            uptime_ms: 1234,
            hostname: "host",
        }
    }

    fn expand(pattern: &str, r: &Record<'_>) -> String {
        let mut out = String::new();
        format_pattern(pattern, r, &mut out);
        out
    }

    #[test]
    fn default_patterns() {
        let r = record("ovsdb-server (Open vSwitch) 3.1.0\n\n");
        assert_eq!(
            expand(crate::Destination::File.default_pattern(), &r),
            "2026-11-21T10:56:29.097Z|00002|ovsdb_server|INFO|ovsdb-server (Open vSwitch) 3.1.0"
        );
        assert_eq!(
            expand(crate::Destination::Console.default_pattern(), &r),
            "2026-11-21T10:56:29Z|00002|ovsdb_server|INFO|ovsdb-server (Open vSwitch) 3.1.0"
        );
        assert_eq!(
            expand(crate::Destination::Syslog.default_pattern(), &r),
            "ovs|00002|ovsdb_server|INFO|ovsdb-server (Open vSwitch) 3.1.0"
        );
    }

    #[test]
    fn widths_padding_and_misc_conversions() {
        let r = record("m");
        assert_eq!(
            expand("[%-8p][%8c][%3N][%-05N]", &r),
            "[INFO    ][ovsdb_server][  2][20000]"
        );
        assert_eq!(
            expand("%A %P %r %E %t%T %B %% %q", &r),
            "ovsdb-server 42 1234 host main 133 % q"
        );
        assert_eq!(expand("%d", &r), "2026-11-21 10:56:29.097");
        assert_eq!(
            expand("%D{%h %e %T} %D{%j %a %A %B %y %F %s}", &r),
            "Nov 21 10:56:29 325 Sat Saturday November 26 2026-11-21 1795258589"
        );
        assert_eq!(expand("%D{####.##}", &r), "0970.09");
        assert_eq!(expand("%c{ignored}|%D{%H", &r), "ovsdb_server|10");
        assert_eq!(expand("trailing %", &r), "trailing ");
    }

    #[test]
    fn civil_dates() {
        let cases = [
            (0, (1970, 1, 1, 4, 0)),
            (951_782_400, (2000, 2, 29, 2, 59)),
            (1_709_164_800, (2024, 2, 29, 4, 59)),
            (-86_400, (1969, 12, 31, 3, 364)),
            (4_102_444_800, (2100, 1, 1, 5, 0)),
        ];
        for (secs, (y, m, d, wd, yd)) in cases {
            let c = civil_from_unix(secs);
            assert_eq!(
                (c.year, c.month, c.day, c.weekday, c.yearday),
                (y, m, d, wd, yd),
                "{secs}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn any_pattern_expands_without_panicking(pattern in "[%{}#a-zA-Z0-9 .|-]{0,40}", ms in proptest::num::i64::ANY) {
            let mut r = record("message");
            r.unix_ms = ms / 4;
            let _ = expand(&pattern, &r);
        }
    }
}
