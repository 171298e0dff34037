use super::*;

#[test]
fn offsets_say_before_or_after_to_the_millisecond() {
    let api = rfc3339_ms("2021-11-05T16:06:02Z").unwrap();
    assert_eq!(api, 1_636_128_362_000);
    assert_eq!(
        offset(1_636_128_359_127, api),
        "2.873 s before the Metrics API timestamp"
    );
    assert_eq!(
        offset(api + 1500, api),
        "1.500 s after the Metrics API timestamp"
    );
    assert_eq!(
        delta_text(
            "2021-11-05T16:06:02Z",
            &[1_636_128_353_412, 1_636_128_359_127]
        ),
        "; the newest sample is 2.873 s before the Metrics API timestamp"
    );
    assert_eq!(delta_text("not a time", &[1]), "");
    assert_eq!(delta_text("2021-11-05T16:06:02Z", &[]), "");
}

#[test]
fn times_read_as_rfc3339_with_an_age_against_a_reference() {
    let api = 1_636_128_362_000;
    assert_eq!(rfc3339_from_ms(api), "2021-11-05T16:06:02Z");
    assert_eq!(
        rfc3339_from_ms(1_636_128_359_127),
        "2021-11-05T16:05:59.127Z"
    );
    assert_eq!(rfc3339_from_ms(1_636_128_359_100), "2021-11-05T16:05:59.1Z");
    assert_eq!(rfc3339_from_ms(i64::MAX), "9223372036854775807 ms");
    let ts = "PodMetrics timestamp";
    assert_eq!(
        age(api - 12_000, api, ts),
        "12 s before the PodMetrics timestamp"
    );
    assert_eq!(
        age(1_636_128_359_127, api, ts),
        "2.873 s before the PodMetrics timestamp"
    );
    assert_eq!(
        age(api + 1_500, api, ts),
        "1.5 s after the PodMetrics timestamp"
    );
    assert_eq!(
        age(api + 20, api, ts),
        "0.02 s after the PodMetrics timestamp"
    );
    assert_eq!(age(api, api, ts), "at the PodMetrics timestamp");
    assert_eq!(
        when(1_636_128_353_412, api, ts),
        "2021-11-05T16:05:53.412Z (8.588 s before the PodMetrics timestamp)"
    );
    assert_eq!(
        age(i64::MIN, i64::MAX, "x"),
        "18446744073709551.615 s before the x"
    );
}
