//! Small JSON helpers that reproduce how OVS's own JSON library classifies
//! and prints values, so that parsing and error texts match real OVS.

use serde_json::{Number, Value};

/// OVS's lexer turns any number written without a significant fraction
/// that fits in a signed 64-bit integer into an integer (`1.0` and `1e2`
/// included); everything else is a real.  serde_json keeps `1.0` as a
/// float, so this reclassifies it.
pub(crate) fn as_integer(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Some(i)
            } else if n.is_u64() {
                None
            } else {
                let f = n.as_f64()?;
                // 2^63 is exactly representable; the range is [-2^63, 2^63).
                const TWO_63: f64 = (1u64 << 63) as f64;
                if f.fract() == 0.0 && (-TWO_63..TWO_63).contains(&f) {
                    Some(f as i64)
                } else {
                    None
                }
            }
        }
        _ => None,
    }
}

/// Any JSON number as a double.
pub(crate) fn as_real(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

/// OVS's JSON type names, as used in "expected [\"set\", <array>]".
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(false) => "false",
        Value::Bool(true) => "true",
        Value::Object(_) => "object",
        Value::Array(_) => "array",
        Value::Number(_) => "number",
        Value::String(_) => "string",
    }
}

/// An `<id>`: a letter or underscore, then letters, digits or underscores.
pub(crate) fn is_id(s: &str) -> bool {
    let mut bytes = s.bytes();
    match bytes.next() {
        Some(c) if c.is_ascii_alphabetic() || c == b'_' => {}
        _ => return false,
    }
    bytes.all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// Rounds a double to the 15 significant digits OVS prints (`%.15g`).
pub(crate) fn round_to_dbl_dig(x: f64) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    format!("{x:.14e}").parse().unwrap_or(x)
}

/// The JSON form OVS writes for a real: `%.15g` text, which its readers
/// (and everyone else's) parse back as an integer when it has no fraction.
pub(crate) fn real_to_json(x: f64) -> Value {
    let r = round_to_dbl_dig(x);
    if r.fract() == 0.0 && r.abs() < 9.0e15 {
        return Value::Number(Number::from(r as i64));
    }
    Number::from_f64(r)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// C's `printf("%.15g", x)`, which is how OVS prints reals.
pub(crate) fn format_g15(x: f64) -> String {
    ovs_jsonrpc::text::format_g(x, 15)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integers_like_ovs() {
        assert_eq!(as_integer(&json!(5)), Some(5));
        assert_eq!(as_integer(&json!(1.0)), Some(1));
        assert_eq!(as_integer(&json!(-3e2)), Some(-300));
        assert_eq!(as_integer(&json!(1.5)), None);
        assert_eq!(as_integer(&json!(u64::MAX)), None);
        assert_eq!(as_integer(&json!("1")), None);
    }

    #[test]
    fn g15() {
        assert_eq!(format_g15(1.0), "1");
        assert_eq!(format_g15(0.1), "0.1");
        assert_eq!(format_g15(1.5), "1.5");
        assert_eq!(format_g15(1.0 / 3.0), "0.333333333333333");
        assert_eq!(format_g15(1e20), "1e+20");
        assert_eq!(format_g15(1.25e-7), "1.25e-07");
        assert_eq!(format_g15(123456.789), "123456.789");
        assert_eq!(format_g15(-2.5), "-2.5");
        assert_eq!(format_g15(f64::MAX), "1.79769313486232e+308");
        assert_eq!(format_g15(100000000000000.0), "100000000000000");
        assert_eq!(format_g15(1e15), "1e+15");
    }

    #[test]
    fn real_json() {
        assert_eq!(real_to_json(1.0), json!(1));
        assert_eq!(real_to_json(0.5), json!(0.5));
        assert_eq!(real_to_json(0.1 + 0.2), json!(0.3));
    }

    #[test]
    fn ids() {
        assert!(is_id("_a1"));
        assert!(is_id("Bridge"));
        assert!(!is_id("1a"));
        assert!(!is_id(""));
        assert!(!is_id("a-b"));
    }
}
