//! The metrics-server path: PodMetrics `usage.cpu` is metrics-server's rate between its two
//! kubelet points `window` apart ending at `timestamp` (reference/cpu-node.md §C.3–C.4); the
//! kubelet's current counter is shown beside it, and with a second kubelet reading
//! (`--cpu-sample`) ktrace's own two-point rate, computed as metrics-server computes.

use super::super::model::{
    BackendKind, CpuContainer, CpuLineage, CpuSampleView, CpuSeries, KubeletCpu,
};
use super::super::time::{age, rfc3339_from_ms, rfc3339_ms, when};
use super::{Inputs, pod_row, top_of};
use crate::exposition::parse::{self, Exposition, Sample};

/// The kubelet's per-container CPU counter.
pub const CPU_COUNTER: &str = "container_cpu_usage_seconds_total";
const REFERENCE: &str = "PodMetrics timestamp";

/// The CPU lineage on the metrics-server path.
pub fn cpu_lineage(inputs: &Inputs) -> CpuLineage {
    let metrics = inputs.metrics;
    let ts = metrics.and_then(|m| m.timestamp.clone());
    let ref_ms = ts.as_deref().and_then(rfc3339_ms);
    let second_src = inputs.ev.sources.kubelet_resource_second.as_ref();
    let second = second_src.and_then(|s| s.body()).map(parse::parse);
    let mut missing = Vec::new();
    if second_src.is_none() {
        missing.push(
            "a second kubelet /metrics/resource reading (ktrace's own two-point check): take one with --cpu-sample DURATION".into(),
        );
    } else if second.is_none() {
        let reason = second_src
            .and_then(|s| s.missing_reason())
            .unwrap_or_default();
        missing.push(format!("the second kubelet reading: {reason}"));
    }
    let names: Vec<String> = match inputs.top {
        Some(t) => t.containers.iter().map(|c| c.name.clone()).collect(),
        None => Vec::new(),
    };
    let containers = names
        .iter()
        .map(|n| {
            container(
                n,
                inputs,
                ref_ms,
                second.as_ref(),
                metrics.and_then(|m| m.window.as_deref()),
            )
        })
        .collect();
    CpuLineage {
        backend: BackendKind::MetricsServer,
        engine: None,
        function: None,
        range: None,
        eval_time: None,
        window: metrics.and_then(|m| m.window.clone()),
        timestamp: ts,
        containers,
        pod_row: pod_row(inputs),
        missing,
    }
}

fn reading<'a>(parsed: &'a Exposition, name: &str) -> Option<&'a Sample> {
    parsed
        .samples_named(CPU_COUNTER)
        .find(|s| s.label_or_empty("container") == name)
}

fn container(
    name: &str,
    inputs: &Inputs,
    ref_ms: Option<i64>,
    second: Option<&Exposition>,
    window: Option<&str>,
) -> CpuContainer {
    let (top, api) = top_of(inputs, name);
    let first = reading(inputs.resource, name);
    let later = second.and_then(|s| reading(s, name));
    let kubelet = first.map(|s| KubeletCpu {
        value: s.value_text.clone(),
        at: s
            .timestamp_ms
            .map(|t| ref_ms.map_or(rfc3339_from_ms(t), |r| when(t, r, REFERENCE))),
    });
    let readings: Vec<&Sample> = first.into_iter().chain(later).collect();
    let own = match (first, later) {
        (Some(a), Some(b)) => Some(own_check(a, b)),
        _ => None,
    };
    let series = first
        .map(|s| CpuSeries {
            labels: s.labels.clone(),
            samples: readings.iter().map(|r| sample_view(r, ref_ms)).collect(),
            used: if own.as_ref().is_some_and(|o| o.is_ok()) {
                vec![0, 1]
            } else {
                Vec::new()
            },
            value: None,
            arithmetic: own
                .clone()
                .map_or("one kubelet reading: no rate of ktrace's own".into(), |o| {
                    o.unwrap_or_else(|e| e)
                }),
        })
        .into_iter()
        .collect();
    let usage = api.and_then(|a| a.cpu.clone());
    let arithmetic = format!(
        "{} ← usage.cpu {} = metrics-server's (CPU_last − CPU_prev) / {} between its two kubelet points (not in the evidence)",
        top.clone().unwrap_or_else(|| "?".into()),
        usage.clone().unwrap_or_else(|| "missing".into()),
        window.unwrap_or("window")
    );
    CpuContainer {
        name: name.to_string(),
        top,
        metrics_api: usage,
        metrics_api_nanocores: api.and_then(|a| a.cpu_nanocores),
        backend_value: None,
        recomputed: None,
        bit_exact: None,
        adapter_millicores: None,
        series,
        arithmetic,
        in_words: None,
        not_recomputed: Some(
            "metrics-server keeps its two kubelet points in memory; they are not in the evidence"
                .into(),
        ),
        kubelet,
        own_check: own.map(|o| o.unwrap_or_else(|e| e)),
    }
}

fn sample_view(s: &Sample, ref_ms: Option<i64>) -> CpuSampleView {
    let (t, a) = match (s.timestamp_ms, ref_ms) {
        (Some(t), Some(r)) => (rfc3339_from_ms(t), age(t, r, REFERENCE)),
        (Some(t), None) => (rfc3339_from_ms(t), String::new()),
        (None, _) => ("no timestamp".into(), String::new()),
    };
    CpuSampleView {
        t,
        age: a,
        value: s.value_text.clone(),
    }
}

/// ktrace's own check, as metrics-server computes a rate: `uint64(v × 1e9)` ns, the time
/// difference as `time.Duration.Seconds()`, the quotient truncated to nanocores.
pub fn own_check(a: &Sample, b: &Sample) -> Result<String, String> {
    let label = "ktrace's own check";
    let (Some(t1), Some(t2)) = (a.timestamp_ms, b.timestamp_ms) else {
        return Err(format!("{label}: a kubelet reading has no timestamp"));
    };
    if t2 <= t1 {
        return Err(format!(
            "{label}: the second kubelet reading has no newer sample ({} then {})",
            rfc3339_from_ms(t1),
            rfc3339_from_ms(t2)
        ));
    }
    let (prev, last) = (ns(a.value), ns(b.value));
    if last < prev {
        return Err(format!(
            "{label}: the counter went down ({prev} ns then {last} ns): the container restarted"
        ));
    }
    let window = (i128::from(t2) - i128::from(t1)) * 1_000_000;
    let seconds = (window / 1_000_000_000) as f64 + (window % 1_000_000_000) as f64 / 1e9;
    let rate = (last - prev) as f64 / seconds;
    let nanocores = rate as u64;
    let millis = nanocores.div_ceil(1_000_000);
    let secs = super::prom_float(seconds);
    Ok(format!(
        "{label} (two kubelet readings {secs} s apart), not metrics-server's value: ({last} − {prev}) ns / {secs} s = {nanocores}n → {millis}m"
    ))
}

/// metrics-server's `CumulativeCPUUsed = uint64(value × 1e9)`, truncated; NaN and negative
/// values (undefined in Go) are taken as 0.
fn ns(v: f64) -> u64 {
    if v.is_nan() || v <= 0.0 {
        return 0;
    }
    (v * 1e9) as u64
}
