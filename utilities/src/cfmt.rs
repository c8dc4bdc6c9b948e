//! C `printf` number conversions that OVS output depends on.

/// C's `%.{precision}g` for a double, as glibc prints it.
pub fn format_g(value: f64, precision: usize) -> String {
    if value.is_nan() {
        return if value.is_sign_negative() {
            "-nan".to_string()
        } else {
            "nan".to_string()
        };
    }
    if value.is_infinite() {
        return if value < 0.0 {
            "-inf".to_string()
        } else {
            "inf".to_string()
        };
    }
    let p = precision.max(1);
    if value == 0.0 {
        return if value.is_sign_negative() {
            "-0".to_string()
        } else {
            "0".to_string()
        };
    }

    // Round to `p` significant digits first: the exponent after rounding
    // decides between fixed and exponential notation.
    let sci = format!("{:.*e}", p - 1, value);
    let (mantissa, exp) = match sci.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (sci.as_str(), 0),
    };
    let p = p as i32;
    if exp < -4 || exp >= p {
        let mantissa = strip_fraction_zeros(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.unsigned_abs())
    } else {
        let decimals = (p - 1 - exp).max(0) as usize;
        let fixed = format!("{:.*}", decimals, value);
        strip_fraction_zeros(&fixed).to_string()
    }
}

fn strip_fraction_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn matches_glibc() {
        let cases: &[(f64, &str)] = &[
            (1.5, "1.5"),
            (0.1, "0.1"),
            (100.0, "100"),
            (1e15, "1e+15"),
            (123456789012345.0, "123456789012345"),
            (1234567890123456.0, "1.23456789012346e+15"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5e-300, "-2.5e-300"),
            (1.7976931348623157e308, "1.79769313486232e+308"),
            (0.30000000000000004, "0.3"),
            (-0.0, "-0"),
            (3.0, "3"),
        ];
        for &(v, want) in cases {
            assert_eq!(format_g(v, 15), want, "{v}");
        }
        assert_eq!(format_g(1.0 / 3.0, 17), "0.33333333333333331");
    }

    proptest! {
        #[test]
        fn parses_back_close(v in any::<f64>().prop_filter("finite", |v| v.is_finite())) {
            let s = format_g(v, 17);
            let back: f64 = s.parse().map_err(|e| TestCaseError::fail(format!("{s}: {e}")))?;
            prop_assert_eq!(back, v);
        }
    }
}
