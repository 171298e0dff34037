use super::*;

#[test]
fn percentages_divide_first_then_truncate() {
    assert_eq!(fraction(29, 100), 28.999999999999996);
    assert_eq!(percent(29, 100), 28);
    assert_eq!(percent(1355, 14000), 9);
    assert_eq!(percent(524_045_120, 8_216_887_296), 6);
    assert_eq!(percent(-5, 10), -50);
    assert_eq!(
        explain_percent(1355, 14000),
        "int64(1355 / 14000 × 100) = int64(9.678571428571429) = 9"
    );
}

#[test]
fn division_by_zero_gives_amd64_integer_indefinite() {
    assert_eq!(percent(0, 0), i64::MIN); // NaN
    assert_eq!(percent(100, 0), i64::MIN); // +Inf
    assert_eq!(go_int64(9.3e18), i64::MIN);
    assert_eq!(go_int64(-(2f64.powi(63))), i64::MIN); // exactly representable
    assert_eq!(go_int64(-1e19), i64::MIN);
    assert_eq!(go_int64(f64::NEG_INFINITY), i64::MIN);
    assert_eq!(go_int64(-1.9), -1);
}

#[test]
fn human_duration_matches_apimachinery_boundaries() {
    let s = |secs: i128| human_duration(secs * 1_000_000_000);
    let cases = [
        (-2, "<invalid>"),
        (-1, "0s"),
        (0, "0s"),
        (119, "119s"),
        (120, "2m"),
        (200, "3m20s"),
        (599, "9m59s"),
        (600, "10m"),
        (179 * 60 + 59, "179m"),
        (3 * 3600, "3h"),
        (7 * 3600 + 59 * 60, "7h59m"),
        (8 * 3600 + 30 * 60, "8h"),
        (47 * 3600, "47h"),
        (48 * 3600, "2d"),
        (5 * 86400 + 3 * 3600, "5d3h"),
        (8 * 86400, "8d"),
        (729 * 86400, "729d"),
        (730 * 86400, "2y"),
        (740 * 86400, "2y10d"),
        (8 * 365 * 86400, "8y"),
    ];
    for (secs, want) in cases {
        assert_eq!(s(secs), want, "{secs} s");
    }
    // Sub-second parts are dropped, not rounded.
    assert_eq!(human_duration(1_999_999_999), "1s");
}
