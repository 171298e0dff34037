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
