use super::*;

#[test]
fn times_read_as_rfc3339_with_their_age() {
    let api = parse_rfc3339("2021-11-05T16:06:02Z").unwrap();
    assert_eq!(api, 1_636_128_362_000);
    assert_eq!(rfc3339(1_636_128_359_127), "2021-11-05T16:05:59.127Z");
    assert_eq!(age(1_636_128_359_127, api), "2.9 s before");
    assert_eq!(age(api + 12_000, api), "12.0 s after");
    assert_eq!(signed_age(1_636_128_359_127, api), "-2.9 s");
    assert_eq!(signed_age(api + 1_250, api), "+1.3 s");
    assert_eq!(signed_age(api, api), "+0.0 s");
    assert_eq!(
        time_with_age(1_636_128_353_412, Some(api)),
        "2021-11-05T16:05:53.412Z, 8.6 s before the PodMetrics timestamp"
    );
    assert_eq!(time_with_age(api, None), "2021-11-05T16:06:02Z");
    assert_eq!(prom_seconds_ms("1636128362"), Some(api));
    assert_eq!(prom_seconds_ms("1636128362.5"), Some(api + 500));
    assert_eq!(prom_seconds_ms("NaN"), None);
    assert_eq!(rfc3339(i64::MAX), format!("{} ms", i64::MAX));
}
