use super::*;

/// Outputs of Go 1.20 `strconv.FormatFloat(v, fmt, -1, 64)` with the format MarshalValue
/// picks, as a Prometheus 2.42 server writes them (the `e` forms keep Go's two-digit signed
/// exponent).
#[test]
fn writes_what_go_writes() {
    let cases: [(f64, &str); 14] = [
        (0.019, "0.019"),
        (0.0, "0"),
        (-0.0, "-0"),
        (1.0, "1"),
        (110.00000000000001, "110.00000000000001"),
        (0.35070000000000007, "0.35070000000000007"),
        (1e-6, "0.000001"),
        (1e-7, "1e-07"),
        (1.2345e-8, "1.2345e-08"),
        (-2.5e-7, "-2.5e-07"),
        (1.5e21, "1.5e+21"),
        (1e21, "1e+21"),
        (999999999999999900000.0, "999999999999999900000"),
        (1e-300, "1e-300"),
    ];
    for (v, go) in cases {
        assert_eq!(prom_float(v), go, "{v:e}");
    }
    assert_eq!(prom_float(f64::NAN), "NaN");
    assert_eq!(prom_float(f64::INFINITY), "+Inf");
    assert_eq!(prom_float(f64::NEG_INFINITY), "-Inf");
}

#[test]
fn reads_every_text_prometheus_writes() {
    assert_eq!(parse_prom_float("0.019"), Some(0.019));
    assert_eq!(parse_prom_float("1e-07"), Some(1e-7));
    assert_eq!(parse_prom_float("+Inf"), Some(f64::INFINITY));
    assert_eq!(parse_prom_float("-Inf"), Some(f64::NEG_INFINITY));
    assert!(parse_prom_float("NaN").is_some_and(f64::is_nan));
    assert_eq!(parse_prom_float("0x10"), None);
    assert_eq!(parse_prom_float("infinite"), None);
    assert_eq!(parse_prom_float(""), None);
}

#[test]
fn bit_patterns_have_sixteen_hex_digits() {
    assert_eq!(bits(1.0), "0x3ff0000000000000");
    assert_eq!(bits(0.0), "0x0000000000000000");
}
