use super::*;

fn answer(result: &str) -> String {
    format!(r#"{{"status":"success","data":{{"resultType":"matrix","result":{result}}}}}"#)
}

#[test]
fn times_are_read_exactly_to_the_millisecond() {
    assert_eq!(time_ms("1636128362"), Some(1_636_128_362_000));
    assert_eq!(time_ms("1636128362.5"), Some(1_636_128_362_500));
    assert_eq!(time_ms("1796155480.884"), Some(1_796_155_480_884));
    assert_eq!(time_ms("1636128362.001"), Some(1_636_128_362_001));
    // A longer fraction rounds to the millisecond, as parseTime does.
    assert_eq!(time_ms("1636128362.0005"), Some(1_636_128_362_001));
    assert_eq!(time_ms("1.6361283625e9"), Some(1_636_128_362_500));
    assert_eq!(time_ms("soon"), None);
    assert_eq!(time_ms("12.x"), None);
}

#[test]
fn a_matrix_gives_each_series_its_samples_in_order() {
    let body = answer(
        r#"[{"metric":{"pod":"p","container":"c"},"values":[[1636128332.5,"100"],[1636128362.5,"100.5625"]]},
            {"metric":{"pod":"p","container":"POD"},"values":[[1636128332,"NaN"],[1636128362,"+Inf"]]}]"#,
    );
    let got = parse_matrix(&body).unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(
        got[0].labels,
        [("container".into(), "c".into()), ("pod".into(), "p".into())]
    );
    assert_eq!(got[0].label("container"), "c");
    assert_eq!(got[0].label("cpu"), "");
    let ts: Vec<i64> = got[0].samples.iter().map(|s| s.t_ms).collect();
    assert_eq!(ts, [1_636_128_332_500, 1_636_128_362_500]);
    assert_eq!(got[0].samples[1].v, 100.5625);
    assert_eq!(got[0].samples[1].text, "100.5625");
    assert!(got[1].samples[0].v.is_nan());
    assert_eq!(got[1].samples[1].v, f64::INFINITY);
    assert_eq!(got[1].problem, None);
}

#[test]
fn odd_samples_make_the_series_unreadable_with_the_reason() {
    let body = answer(
        r#"[{"metric":{"container":"a"},"values":[[1,"1"],[2,0.5]]},
            {"metric":{"container":"b"},"values":[[1,"1"],[true,"2"]]},
            {"metric":{"container":"c"},"values":[[2,"1"],[1,"2"]]},
            {"metric":{"container":"d"}},
            {"metric":{"container":"e"},"values":[[1]]},
            {"metric":{"container":"f"},"values":[[1,"fast"]]}]"#,
    );
    let problems: Vec<String> = parse_matrix(&body)
        .unwrap()
        .into_iter()
        .map(|s| s.problem.unwrap_or_default())
        .collect();
    assert_eq!(
        problems,
        [
            "sample 2: the value 0.5 is not a string, as Prometheus sends it",
            "sample 2: the time true is not a number",
            "sample 2: not later than the one before",
            "the series has no `values` array",
            "sample 1: [1] is no [time, \"value\"] pair",
            "sample 1: the value \"fast\" is not a float",
        ]
    );
}

#[test]
fn a_vector_or_an_error_is_not_a_matrix() {
    let vector = r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
    assert_eq!(
        parse_matrix(vector).unwrap_err(),
        "the cpu-samples answer is a vector, not a matrix"
    );
    let err = r#"{"status":"error","error":"bad_data: 1:2: parse error"}"#;
    assert_eq!(
        parse_matrix(err).unwrap_err(),
        "Prometheus error: bad_data: 1:2: parse error"
    );
    assert!(
        parse_matrix("{")
            .unwrap_err()
            .starts_with("the cpu-samples answer is not JSON")
    );
}
