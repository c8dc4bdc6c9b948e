//! The JSON text rules of OVS's `lib/json.c` that a client can observe.
//!
//! Two differ from serde_json's defaults:
//! - Numbers: OVS's lexer keeps a number an integer whenever its decimal
//!   value is a whole number that fits in 64 bits (`1.0`, `1e2`, and every
//!   zero, including `-0.0`), and only the rest become doubles.
//! - Doubles are printed with C's `%.15g` (15 significant digits), so
//!   `1.2345678901234568e29` goes out as `1.23456789012346e+29`.
//!
//! Strings are escaped as serde_json escapes them, which is OVS's rule too:
//! `"` and `\`, `\b \f \n \r \t`, other control characters as `\u00XX`,
//! everything else verbatim.

use std::fmt::Write as _;

use serde_json::{Number, Value};

/// Rewrites numbers in place as OVS's lexer would have typed them.
pub fn normalize_numbers(value: &mut Value) {
    match value {
        Value::Number(n) => {
            if let Some(i) = n.as_f64().filter(|_| n.is_f64()).and_then(whole_i64) {
                *n = Number::from(i);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(normalize_numbers),
        Value::Object(o) => o.values_mut().for_each(normalize_numbers),
        _ => {}
    }
}

fn whole_i64(f: f64) -> Option<i64> {
    // 2^63 is exactly representable; anything at or above it does not fit.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    (f == 0.0 || (f.fract() == 0.0 && (-LIMIT..LIMIT).contains(&f))).then_some(f as i64)
}

/// Appends `value` as compact JSON text the way OVS writes it.
pub fn write_json(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_string(out, s),
        Value::Array(a) => {
            out.push('[');
            for (i, v) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, v);
            }
            out.push(']');
        }
        Value::Object(o) => {
            out.push('{');
            for (i, (k, v)) in o.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                write_json(out, v);
            }
            out.push('}');
        }
    }
}

/// `value` as OVS's compact JSON text.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write_json(&mut out, value);
    out
}

fn write_number(out: &mut String, n: &Number) {
    if let Some(i) = n.as_i64() {
        let _ = write!(out, "{i}");
    } else if let Some(u) = n.as_u64() {
        let _ = write!(out, "{u}");
    } else if let Some(f) = n.as_f64() {
        out.push_str(&format_g(f, 15));
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    let mut plain_from = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[plain_from..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(escape);
        }
        plain_from = i + 1;
    }
    out.push_str(&s[plain_from..]);
    out.push('"');
}

/// C's `printf("%.{precision}g", value)` as glibc prints it.
pub fn format_g(value: f64, precision: usize) -> String {
    if value.is_nan() {
        return if value.is_sign_negative() {
            "-nan"
        } else {
            "nan"
        }
        .to_string();
    }
    if value.is_infinite() {
        return if value < 0.0 { "-inf" } else { "inf" }.to_string();
    }
    if value == 0.0 {
        return if value.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let p = precision.max(1);
    // The exponent after rounding to `p` digits picks the notation.
    let sci = format!("{:.*e}", p - 1, value);
    let (mantissa, exp) = match sci.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (sci.as_str(), 0),
    };
    let p = p as i32;
    if exp < -4 || exp >= p {
        let sign = if exp < 0 { '-' } else { '+' };
        format!(
            "{}e{sign}{:02}",
            trim_fraction(mantissa),
            exp.unsigned_abs()
        )
    } else {
        let decimals = (p - 1 - exp).max(0) as usize;
        trim_fraction(&format!("{value:.decimals$}")).to_string()
    }
}

fn trim_fraction(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    #[test]
    fn doubles_print_like_percent_15g() {
        assert_eq!(format_g(1.2345678901234568e29, 15), "1.23456789012346e+29");
        assert_eq!(format_g(1.5e300, 15), "1.5e+300");
        assert_eq!(format_g(0.5, 15), "0.5");
        assert_eq!(format_g(0.0001, 15), "0.0001");
        assert_eq!(format_g(0.00001, 15), "1e-05");
        assert_eq!(format_g(123456789012345.0, 15), "123456789012345");
        assert_eq!(format_g(1234567890123456.0, 15), "1.23456789012346e+15");
        assert_eq!(format_g(-2.5, 15), "-2.5");
    }

    #[test]
    fn whole_numbers_become_integers() {
        let mut v: Value =
            serde_json::from_str("[1.0, -0.0, 0.0, 1e2, 2.5, 1e300, 1e-400]").expect("valid json");
        normalize_numbers(&mut v);
        assert_eq!(to_string(&v), "[1,0,0,100,2.5,1e+300,0]");
    }

    #[test]
    fn strings_escape_as_ovs() {
        assert_eq!(
            to_string(&json!({"k": "a\"b\\c\n\u{1}\u{7f}é/"})),
            "{\"k\":\"a\\\"b\\\\c\\n\\u0001\u{7f}é/\"}"
        );
    }

    proptest! {
        #[test]
        fn output_is_json_serde_reads_back(s in "\\PC{0,20}", i in any::<i64>(), f in -1e300f64..1e300) {
            let v = json!([s, i, f]);
            let text = to_string(&v);
            let back: Value = serde_json::from_str(&text).expect("our output parses");
            prop_assert_eq!(&back[0], &v[0]);
            prop_assert_eq!(&back[1], &v[1]);
            let g: f64 = back[2].as_f64().expect("number");
            prop_assert!((g - f).abs() <= f.abs() * 1e-14);
        }
    }
}
