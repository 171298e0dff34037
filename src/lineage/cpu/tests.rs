use super::adapter::adapter_millis;
use super::metrics_server::own_check;
use super::*;
use crate::exposition::parse::parse_sample_line;

#[test]
fn millicores_are_written_exactly() {
    assert_eq!(millis_text(2_000_002), "2.000002");
    assert_eq!(millis_text(18_000_000), "18");
    assert_eq!(millis_text(0), "0");
    assert_eq!(millis_text(-1_500_000), "-1.5");
}

#[test]
fn the_adapter_truncates_toward_zero_and_floors_nan_and_negatives_at_zero() {
    assert_eq!(adapter_millis(0.01875), 18);
    assert_eq!(adapter_millis(1.2359999), 1235);
    assert_eq!(adapter_millis(f64::NAN), 0);
    assert_eq!(adapter_millis(-0.5), 0);
}

#[test]
fn own_check_is_metrics_servers_arithmetic_on_two_kubelet_readings() {
    let a = parse_sample_line(
        r#"container_cpu_usage_seconds_total{container="c",namespace="n",pod="p"} 4.7 1636128347000"#,
    )
    .unwrap();
    // 15 s later, 0.015000015 s more CPU: uint64(4.715000015 × 1e9) − uint64(4.7 × 1e9)
    // = 4715000015 − 4700000000 = 15000015 ns; / 15 s = 1000001n → ceil to 2m.
    let b = parse_sample_line(
        r#"container_cpu_usage_seconds_total{container="c",namespace="n",pod="p"} 4.715000015 1636128362000"#,
    )
    .unwrap();
    assert_eq!(
        own_check(&a, &b).unwrap(),
        "ktrace's own check (two kubelet readings 15 s apart), not metrics-server's value: (4715000015 − 4700000000) ns / 15 s = 1000001n → 2m"
    );
    assert_eq!(
        own_check(&b, &a).unwrap_err(),
        "ktrace's own check: the second kubelet reading has no newer sample (2021-11-05T16:06:02Z then 2021-11-05T16:05:47Z)"
    );
}
