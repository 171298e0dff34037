use super::*;

/// Samples every `step_s` seconds from 0, values as given.
fn series(step_s: i64, values: &[f64]) -> Vec<Sample> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| Sample {
            t_ms: i as i64 * step_s * 1000,
            v: *v,
        })
        .collect()
}

fn value(f: RangeFunction, s: &[Sample], eval_s: i64, range: &str, e: Engine) -> f64 {
    let range_ms = parse_duration_ms(range).unwrap();
    evaluate(f, s, eval_s * 1000, range_ms, e).unwrap().value()
}

// The cases below are the ones reference/cpu-node.md §A.8 verified with promtool 2.42.

#[test]
fn a_regular_counter_gives_the_rates_promtool_gave() {
    let s = series(30, &(0..=10).map(|i| f64::from(i * 30)).collect::<Vec<_>>());
    let e = Engine::V2_42;
    assert_eq!(value(RangeFunction::Rate, &s, 300, "5m", e), 1.0);
    assert_eq!(value(RangeFunction::Rate, &s, 285, "5m", e), 0.95);
    assert_eq!(value(RangeFunction::Irate, &s, 300, "5m", e), 1.0);
    assert_eq!(value(RangeFunction::Increase, &s, 300, "2m", e), 120.0);
}

#[test]
fn an_irregular_counter_with_a_reset_gives_the_bits_promtool_gave() {
    let v = [
        5.0, 17.3, 29.01, 44.7, 50.2, 3.1, 9.9, 15.55, 31.2, 47.8, 60.01,
    ];
    let s = series(30, &v);
    let e = Engine::V2_42;
    assert_eq!(
        value(RangeFunction::Rate, &s, 300, "5m", e),
        0.35070000000000007
    );
    assert_eq!(
        value(RangeFunction::Rate, &s, 285, "5m", e),
        0.34388888888888886
    );
    assert_eq!(
        value(RangeFunction::Irate, &s, 300, "5m", e),
        0.40700000000000003
    );
    assert_eq!(value(RangeFunction::Increase, &s, 300, "2m", e), 50.11);
    let calc = evaluate(RangeFunction::Rate, &s, 300_000, 300_000, e).unwrap();
    let Calc::Extrapolated(c) = calc else {
        panic!("rate is extrapolated")
    };
    assert_eq!(c.resets, vec![(150_000, 50.2)]);
}

#[test]
fn the_zero_point_and_threshold_order_changed_in_2_51() {
    // promql: Fix limiting of extrapolation to negative values (7f912db15a): h 10+10x10 at
    // 5 m steps, increase(h[100m]) at 50 m.
    let s = series(
        300,
        &(1..=11).map(|i| f64::from(i * 10)).collect::<Vec<_>>(),
    );
    let at = |e| value(RangeFunction::Increase, &s, 3000, "100m", e);
    assert_eq!(at(Engine::V2_42), 110.00000000000001);
    assert_eq!(at(Engine::parse("2.51.0").unwrap()), 105.0);
    assert_eq!(at(Engine::V3_0), 105.0);
}

#[test]
fn three_point_oh_drops_the_sample_on_the_left_boundary() {
    let s = series(30, &(0..=10).map(|i| f64::from(i * 30)).collect::<Vec<_>>());
    assert_eq!(window(&s, 300_000, 300_000, Engine::V2_42).len(), 11);
    assert_eq!(window(&s, 300_000, 300_000, Engine::V3_0).len(), 10);
}

#[test]
fn versions_and_durations_parse() {
    assert_eq!(Engine::parse("2.42.0+ds"), Some(Engine::V2_42));
    assert_eq!(Engine::parse("v3.0.0-rc.1"), Some(Engine::V3_0));
    assert_eq!(Engine::parse("banana"), None);
    assert_eq!(parse_duration_ms("1h30m"), Some(5_400_000));
    assert_eq!(parse_duration_ms("120s"), Some(120_000));
    assert_eq!(parse_duration_ms("5x"), None);
    assert_eq!(parse_duration_ms(""), None);
}

#[test]
fn kahan_sum_keeps_what_plain_addition_loses() {
    let v = [1e16, 1.0, -1e16];
    assert_eq!(sum(&v, Engine::V2_42), Some(0.0));
    assert_eq!(sum(&v, Engine::V3_0), Some(1.0));
    assert_eq!(sum(&[], Engine::V3_0), None);
}

#[test]
fn timestamps_at_the_ends_of_i64_give_a_value_not_a_panic() {
    let s = [
        Sample {
            t_ms: i64::MIN,
            v: 1.0,
        },
        Sample {
            t_ms: i64::MAX,
            v: 2.0,
        },
    ];
    for f in [
        RangeFunction::Rate,
        RangeFunction::Increase,
        RangeFunction::Irate,
    ] {
        let points = s.to_vec();
        let v = match f {
            RangeFunction::Irate => irate(&points).map(|c| c.value),
            _ => extrapolated_rate(
                &points,
                i64::MAX,
                i64::MAX,
                f == RangeFunction::Rate,
                Engine::V3_0,
            )
            .map(|c| c.value),
        };
        assert!(v.is_some_and(f64::is_finite), "{f:?}: {v:?}");
    }
}
