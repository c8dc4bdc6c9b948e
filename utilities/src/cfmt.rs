//! C `printf` number conversions that OVS output depends on.

/// C's `%.{precision}g` for a double, as glibc prints it (one
/// implementation for the whole workspace).
pub use ovs_jsonrpc::text::format_g;

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
