use super::*;
use crate::exposition::parse::{Exposition, parse};
use crate::lineage::model::{MetricsApiContainer, MetricsApiView, RuleView};
use crate::lineage::selection::select;
use crate::lineage::selection::tests::{QUERY, rule};

/// PodMetrics at 2021-11-05T16:06:02Z (1636128362000 ms) with these containers' bytes.
fn metrics(containers: &[(&str, i128)]) -> MetricsApiView {
    MetricsApiView {
        api_version: "metrics.k8s.io/v1beta1".into(),
        timestamp: Some("2021-11-05T16:06:02Z".into()),
        window: Some("5m0s".into()),
        containers: containers
            .iter()
            .map(|(name, bytes)| MetricsApiContainer {
                name: (*name).into(),
                memory: Some(bytes.to_string()),
                memory_bytes: Some(*bytes),
                memory_nanos: Some(bytes * 1_000_000_000),
                cpu: None,
                cpu_nanocores: None,
            })
            .collect(),
    }
}

/// One query answer for `container`, evaluated at the PodMetrics timestamp.
fn answer(container: &str, value: &str) -> PromSample {
    PromSample {
        labels: vec![
            ("container".into(), container.into()),
            ("pod".into(), "p".into()),
        ],
        value: value.into(),
        timestamp: "1636128362".into(),
        unreadable: None,
    }
}

/// A kubelet working-set line of pod `csi/p`, sampled at `ms`.
fn line(container: &str, value: i128, ms: i64) -> String {
    format!(
        "container_memory_working_set_bytes{{container=\"{container}\",namespace=\"csi\",pod=\"p\"}} {value} {ms}"
    )
}

fn rows(
    kind: BackendKind,
    api: &MetricsApiView,
    rule: Option<&RuleView>,
    cadvisor: &Exposition,
    resource: &Exposition,
) -> Vec<Reconciliation> {
    let inputs = Inputs {
        kind,
        metrics: Some(api),
        rule,
        cadvisor,
        resource,
    };
    reconcile(&inputs, &select(&inputs))
}

fn summary(r: &Reconciliation) -> (&str, Option<i128>, Option<i128>, Option<i128>, &str) {
    (
        r.container.as_str(),
        r.metrics_api_bytes,
        r.backend_bytes,
        r.series_sum_bytes,
        r.verdict.as_str(),
    )
}

#[test]
fn every_layer_equal_is_exact() {
    let text = [line("POD", 180224, 1), line("app", 88784896, 2)].join("\n");
    let api = metrics(&[("app", 88784896), ("POD", 180224)]);
    let r = rule(
        QUERY,
        vec![answer("POD", "180224"), answer("app", "8.8784896e+07")],
    );
    let got = rows(
        BackendKind::PrometheusAdapter,
        &api,
        Some(&r),
        &parse(&text),
        &parse(""),
    );
    let got: Vec<_> = got
        .iter()
        .map(|r| (summary(r), r.agrees, r.differs, r.drift))
        .collect();
    assert_eq!(
        got,
        [
            (
                ("POD", Some(180224), Some(180224), Some(180224), "exact"),
                true,
                false,
                false
            ),
            (
                (
                    "app",
                    Some(88784896),
                    Some(88784896),
                    Some(88784896),
                    "exact"
                ),
                true,
                false,
                false
            ),
        ]
    );
}

#[test]
fn a_newer_kubelet_sample_is_drift_and_a_different_query_value_disagrees() {
    // Issue 9: a sample 3 s after the PodMetrics timestamp (one before it is no drift, below).
    let text = line("app", 150, 1636128365000);
    let api = metrics(&[("app", 100)]);
    let r = rule(QUERY, vec![answer("app", "120")]);
    let got = rows(
        BackendKind::PrometheusAdapter,
        &api,
        Some(&r),
        &parse(&text),
        &parse(""),
    );
    assert_eq!(
        summary(&got[0]),
        (
            "app",
            Some(100),
            Some(120),
            Some(150),
            "query result off by +20 B from Metrics API; cAdvisor Σ off by +50 B from Metrics API; cAdvisor sampled 3.000 s after the Metrics API timestamp"
        )
    );
    assert_eq!(
        (got[0].agrees, got[0].differs, got[0].drift),
        (false, true, true)
    );
}

/// Issue 9: the row for one `app` kubelet text against a Metrics API of 100 B and a query
/// that reproduces it: (verdict, differs, drift).
fn against_exact_query(text: &str) -> (String, bool, bool) {
    let api = metrics(&[("app", 100)]);
    let r = rule(QUERY, vec![answer("app", "100")]);
    let got = rows(
        BackendKind::PrometheusAdapter,
        &api,
        Some(&r),
        &parse(text),
        &parse(""),
    );
    (got[0].verdict.clone(), got[0].differs, got[0].drift)
}

#[test]
fn an_older_kubelet_sample_that_differs_disagrees() {
    assert_eq!(
        against_exact_query(&line("app", 150, 1636128359127)),
        (
            "cAdvisor Σ off by +50 B from Metrics API; cAdvisor sampled 2.873 s before the Metrics API timestamp (not newer than the PodMetrics timestamp: the backend read a sample at least as new)".into(),
            true,
            false
        )
    );
    let untimed =
        "container_memory_working_set_bytes{container=\"app\",namespace=\"csi\",pod=\"p\"} 150";
    assert_eq!(
        against_exact_query(untimed),
        (
            "cAdvisor Σ off by +50 B from Metrics API (no timestamp shows the kubelet sample is newer than the PodMetrics)".into(),
            true,
            false
        )
    );
}

#[test]
fn a_negative_working_set_or_a_flood_of_series_is_no_drift() {
    assert_eq!(
        against_exact_query(&line("app", -5, 1636128365000)),
        (
            "cAdvisor Σ off by -105 B from Metrics API; cAdvisor sampled 3.000 s after the Metrics API timestamp (a negative working set is no memory reading)".into(),
            true,
            false
        )
    );
    let flood: Vec<String> = (0..=MAX_DRIFT_SERIES)
        .map(|i| {
            format!(
                "container_memory_working_set_bytes{{container=\"app\",id=\"/x/{i}\",namespace=\"csi\",pod=\"p\"}} 10 1636128365000"
            )
        })
        .collect();
    assert_eq!(
        against_exact_query(&flood.join("\n")),
        (
            "cAdvisor Σ off by +70 B from Metrics API; cAdvisor sampled 3.000 s after the Metrics API timestamp (17 series match the container, more than its cgroups explain)".into(),
            true,
            false
        )
    );
}

#[test]
fn an_exact_repeat_of_a_line_is_counted_once() {
    let l = line("app", 100, 1636128359127);
    assert_eq!(
        against_exact_query(&format!("{l}\n{l}")),
        ("exact".into(), false, false)
    );
}

#[test]
fn what_a_layer_lacks_is_named_in_the_row() {
    let text = [line("app", 100, 1), line("sidecar", 7, 1)].join("\n");
    let api = metrics(&[("app", 100), ("gone", 5)]);
    let r = rule(QUERY, vec![answer("app", "100"), answer("sidecar", "7")]);
    let got = rows(
        BackendKind::PrometheusAdapter,
        &api,
        Some(&r),
        &parse(&text),
        &parse(""),
    );
    let got: Vec<_> = got.iter().map(|r| (summary(r), r.agrees)).collect();
    assert_eq!(
        got,
        [
            (("app", Some(100), Some(100), Some(100), "exact"), true),
            (
                (
                    "gone",
                    Some(5),
                    None,
                    None,
                    "missing: the adapter's query returned no sample for this container"
                ),
                false
            ),
            (
                (
                    "sidecar",
                    None,
                    Some(7),
                    Some(7),
                    "missing: not in the Metrics API"
                ),
                false
            ),
        ]
    );
}

#[test]
fn metrics_server_keeps_the_first_resource_sample_and_drifts_when_it_is_later() {
    let resource = [
        line("app", 90, 1636128363000),
        line("app", 95, 1636128363000),
    ]
    .join("\n");
    let cadvisor = line("app", 100, 1636128361000);
    let api = metrics(&[("app", 100)]);
    let got = rows(
        BackendKind::MetricsServer,
        &api,
        None,
        &parse(&cadvisor),
        &parse(&resource),
    );
    assert_eq!(
        summary(&got[0]),
        (
            "app",
            Some(100),
            Some(90),
            Some(100),
            "/metrics/resource off by -10 B from Metrics API; /metrics/resource sampled 1.000 s after the Metrics API timestamp"
        )
    );
    assert_eq!((got[0].differs, got[0].drift), (false, true));
}

#[test]
fn adapter_values_round_up_like_the_adapter_and_api_entries_are_summed() {
    assert_eq!(prom_value(&answer("a", "1.5")), Ok(2));
    assert_eq!(
        prom_value(&answer("a", "1.0004")),
        Ok(1),
        "sub-milli is cut first"
    );
    // Issue 9: NaN and negatives are no reading (never shown as the adapter's 0).
    let zero = |v: &str| {
        format!("the query returned {v:?}, not a byte count (the adapter would make it 0)")
    };
    assert_eq!(prom_value(&answer("a", "NaN")), Err(zero("NaN")));
    assert_eq!(prom_value(&answer("a", "-3")), Err(zero("-3")));
    assert_eq!(prom_value(&answer("a", "-Inf")), Err(zero("-Inf")));
    let beyond = |v: &str| format!("the query returned {v:?}, beyond any byte count");
    assert_eq!(prom_value(&answer("a", "+Inf")), Err(beyond("+Inf")));
    assert_eq!(prom_value(&answer("a", "1e400")), Err(beyond("1e400")));
    assert_eq!(
        prom_value(&answer("a", "0x10")),
        Err("the query returned \"0x10\", not a decimal number".into())
    );
    assert_eq!(
        prom_value(&answer("a", "infinity")),
        Err("the query returned \"infinity\", not a decimal number".into())
    );
    assert_eq!(
        (ceil_div(7, 2), ceil_div(-7, 2), ceil_div(6, 2)),
        (4, -4, 3)
    );
    let api = metrics(&[("app", 10), ("app", 11)]);
    let text = line("app", 21, 1);
    let r = rule(QUERY, vec![answer("app", "21")]);
    let got = rows(
        BackendKind::PrometheusAdapter,
        &api,
        Some(&r),
        &parse(&text),
        &parse(""),
    );
    assert_eq!(
        got[0].verdict,
        "exact (2 Metrics API entries named \"app\", summed)"
    );
}
