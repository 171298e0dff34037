//! Reconciling the layers per container, after [`super::selection`] picked the series:
//! Metrics API ↔ backend (must be exact) and Metrics API ↔ the kubelet's own samples (may
//! drift: they are newer).

use std::collections::BTreeMap;

use super::cadvisor::{WORKING_SET, container_label, whole};
use super::model::{BackendKind, PromSample, Reconciliation};
use super::selection::{Inputs, Selected, Selection};
use super::time::{offset, rfc3339_ms};

/// The backend's value for one container and when it was sampled or evaluated (ms).
#[derive(Debug, Clone, Copy)]
struct BackendValue {
    bytes: i128,
    at_ms: Option<i64>,
}

/// Per container: its backend value, or why a sample of it could not be read.
type Backend = Result<BackendValue, String>;

/// One row per container seen in any layer, in kubectl's order.
pub fn reconcile(inputs: &Inputs, sel: &Selection) -> Vec<Reconciliation> {
    let backend = backend_values(inputs);
    let mut names: Vec<String> = sel.by_container.keys().cloned().collect();
    names.extend(backend.keys().cloned());
    if let Some(m) = inputs.metrics {
        names.extend(m.containers.iter().map(|c| c.name.clone()));
    }
    names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    names.dedup();
    names
        .iter()
        .map(|n| row(n, inputs, sel.by_container.get(n), backend.get(n).cloned()))
        .collect()
}

/// Per container: the adapter query result (summed per container label) or the first
/// `/metrics/resource` working-set sample (metrics-server keeps the first of duplicates).
fn backend_values(inputs: &Inputs) -> BTreeMap<String, Backend> {
    let mut out: BTreeMap<String, Backend> = BTreeMap::new();
    if inputs.kind == BackendKind::PrometheusAdapter {
        let Some(rule) = inputs.rule else { return out };
        for s in rule.result.get().map(Vec::as_slice).unwrap_or_default() {
            let at_ms = s
                .timestamp
                .parse::<f64>()
                .ok()
                .map(|t| (t * 1000.0).round() as i64);
            let key = s.label(&rule.container_label).unwrap_or_default();
            let e = out
                .entry(key.to_string())
                .or_insert(Ok(BackendValue { bytes: 0, at_ms }));
            match (prom_value(s), e.as_mut()) {
                (Ok(v), Ok(b)) => b.bytes = b.bytes.saturating_add(v),
                (Err(why), Ok(_)) => *e = Err(why),
                (_, Err(_)) => {}
            }
        }
        return out;
    }
    for s in inputs.resource.samples_named(WORKING_SET) {
        if let Some(bytes) = whole(s.value) {
            out.entry(container_label(s).to_string())
                .or_insert(Ok(BackendValue {
                    bytes,
                    at_ms: s.timestamp_ms,
                }));
        }
    }
    out
}

/// A Prometheus value in whole bytes as the adapter makes it: `int64(v*1000)` milli-bytes,
/// then `Value()` rounds up. Any other value is unreadable, quoted: not a decimal number,
/// NaN, infinite or beyond int64 (the adapter would make NaN and negatives 0, but that 0 is
/// no reading, so it is never shown as one).
fn prom_value(s: &PromSample) -> Result<i128, String> {
    let text = &s.value;
    if let Some(why) = &s.unreadable {
        return Err(format!("the query's sample is unreadable: {why}"));
    }
    let decimal = text
        .bytes()
        .all(|b| b.is_ascii_digit() || b".+-eE".contains(&b));
    let special = matches!(text.as_str(), "NaN" | "+Inf" | "-Inf" | "Inf");
    let v: f64 = match text.parse() {
        Ok(v) if decimal || special => v,
        _ => {
            return Err(format!("the query returned {text:?}, not a decimal number"));
        }
    };
    if v.is_nan() || v < 0.0 {
        return Err(format!(
            "the query returned {text:?}, not a byte count (the adapter would make it 0)"
        ));
    }
    if !v.is_finite() || v > 9.2e15 {
        return Err(format!(
            "the query returned {text:?}, beyond any byte count"
        ));
    }
    let milli = (v * 1000.0).trunc() as i128;
    Ok((milli + 999).div_euclid(1000))
}

/// The Metrics API bytes of a container: exact sum over every entry with that name
/// (a backend can list a name twice), rounded up once like `Value()`.
fn api_bytes(inputs: &Inputs, name: &str) -> (Option<i128>, usize) {
    let Some(m) = inputs.metrics else {
        return (None, 0);
    };
    let entries: Vec<i128> = m
        .containers
        .iter()
        .filter(|c| c.name == name)
        .filter_map(|c| c.memory_nanos)
        .collect();
    if entries.is_empty() {
        return (None, m.containers.iter().filter(|c| c.name == name).count());
    }
    let nanos = entries.iter().fold(0i128, |a, n| a.saturating_add(*n));
    (Some(ceil_div(nanos, 1_000_000_000)), entries.len())
}

/// Division rounding up for positives (away from zero), as apimachinery's `Value()`.
pub fn ceil_div(n: i128, d: i128) -> i128 {
    let q = n.div_euclid(d);
    if n.rem_euclid(d) != 0 && n > 0 {
        q.saturating_add(1)
    } else {
        q
    }
}

fn row(
    name: &str,
    inputs: &Inputs,
    sel: Option<&Selected>,
    backend: Option<Backend>,
) -> Reconciliation {
    let (backend, unreadable) = match backend {
        Some(Ok(b)) => (Some(b), None),
        Some(Err(why)) => (None, Some(why)),
        None => (None, None),
    };
    let (api, entries) = api_bytes(inputs, name);
    // The adapter sums what its selector matched; metrics-server reads one sample.
    // No sum when a matched series is no whole byte count: a partial sum would mislead.
    let cadvisor = sel
        .filter(|s| s.first.is_some() && !s.skipped)
        .and_then(|s| match inputs.kind {
            BackendKind::MetricsServer => s.first,
            _ => Some(s.sum),
        });
    let mut c = compare(inputs, api, backend, cadvisor, sel);
    if let Some(why) = unreadable {
        (c.text, c.agrees) = (format!("unreadable: {why}"), false);
    }
    let mut verdict = c.text;
    if entries > 1 {
        verdict.push_str(&format!(
            " ({entries} Metrics API entries named {name:?}, summed)"
        ));
    }
    Reconciliation {
        container: name.to_string(),
        metrics_api_bytes: api,
        backend_bytes: backend.map(|b| b.bytes),
        series: sel.map(|s| s.series.clone()).unwrap_or_default(),
        series_sum_bytes: cadvisor,
        verdict,
        agrees: c.agrees,
        differs: c.differs,
        drift: c.drift,
    }
}

struct Compared {
    text: String,
    agrees: bool,
    differs: bool,
    drift: bool,
}

fn compare(
    inputs: &Inputs,
    api: Option<i128>,
    backend: Option<BackendValue>,
    cadvisor: Option<i128>,
    sel: Option<&Selected>,
) -> Compared {
    let api_ms = inputs
        .metrics
        .and_then(|m| m.timestamp.as_deref())
        .and_then(rfc3339_ms);
    let backend_name = if inputs.kind == BackendKind::PrometheusAdapter {
        "query result"
    } else {
        "/metrics/resource"
    };
    let mut parts = Vec::new();
    let (mut differs, mut drift) = (false, false);
    if let (Some(a), Some(b)) = (api, backend)
        && a != b.bytes
    {
        let later = inputs.kind == BackendKind::MetricsServer && is_later(b.at_ms, api_ms);
        let when = if inputs.kind == BackendKind::MetricsServer {
            age(b.at_ms, api_ms, "/metrics/resource")
        } else {
            String::new()
        };
        parts.push(format!(
            "{backend_name} off by {:+} B from Metrics API{when}",
            b.bytes - a
        ));
        if later { drift = true } else { differs = true }
    }
    if let (Some(a), Some(c)) = (api, cadvisor)
        && a != c
    {
        let newest = sel.and_then(|s| s.newest_ms);
        let why = not_drift(sel, newest, api_ms);
        parts.push(format!(
            "cAdvisor Σ off by {:+} B from Metrics API{}{}",
            c - a,
            age(newest, api_ms, "cAdvisor"),
            why.as_deref()
                .map(|w| format!(" ({w})"))
                .unwrap_or_default()
        ));
        if why.is_some() {
            differs = true
        } else {
            drift = true
        }
    }
    let missing = missing_parts(inputs, api, backend, cadvisor, backend_name);
    let mut text = match (parts.is_empty(), api.is_some()) {
        (true, true) => "exact".to_string(),
        (true, false) => "missing: not in the Metrics API".to_string(),
        (false, _) => parts.join("; "),
    };
    let also_missing: Vec<&str> = missing
        .iter()
        .copied()
        .filter(|m| *m != "Metrics API")
        .collect();
    if !also_missing.is_empty() {
        text.push_str(&format!(" (no {})", also_missing.join(", no ")));
    }
    if backend.is_none() && api.is_some() && query_answered(inputs) {
        text = "missing: the adapter's query returned no sample for this container".into();
    }
    Compared {
        agrees: parts.is_empty() && missing.is_empty(),
        text,
        differs,
        drift,
    }
}

fn missing_parts(
    inputs: &Inputs,
    api: Option<i128>,
    backend: Option<BackendValue>,
    cadvisor: Option<i128>,
    backend_name: &'static str,
) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if api.is_none() {
        missing.push("Metrics API");
    }
    if backend.is_none() && inputs.kind != BackendKind::Unknown {
        missing.push(backend_name);
    }
    if cadvisor.is_none() {
        missing.push("cAdvisor series");
    }
    missing
}

/// Most series one container's working set can honestly be summed from (its cgroup under two
/// paths, a few lingering old instances); past it a difference is not drift.
pub const MAX_DRIFT_SERIES: usize = 16;

/// Why a kubelet sum that differs from the Metrics API is a disagreement, not drift: drift
/// is only a kubelet sample newer than the PodMetrics timestamp (the backend read one at
/// least as new as any older sample, so an older one that differs contradicts it).
fn not_drift(sel: Option<&Selected>, newest: Option<i64>, api_ms: Option<i64>) -> Option<String> {
    let sel = sel?;
    if sel.negative {
        return Some("a negative working set is no memory reading".into());
    }
    if sel.series.len() > MAX_DRIFT_SERIES {
        return Some(format!(
            "{} series match the container, more than its cgroups explain",
            sel.series.len()
        ));
    }
    match (newest, api_ms) {
        (Some(_), Some(_)) if is_later(newest, api_ms) => None,
        (Some(_), Some(_)) => Some(
            "not newer than the PodMetrics timestamp: the backend read a sample at least as new"
                .into(),
        ),
        _ => Some("no timestamp shows the kubelet sample is newer than the PodMetrics".into()),
    }
}

/// True when the sample is from a later second than the Metrics API timestamp.
fn is_later(sample_ms: Option<i64>, api_ms: Option<i64>) -> bool {
    matches!((sample_ms, api_ms), (Some(s), Some(a)) if s.div_euclid(1000) > a.div_euclid(1000))
}

/// `; cAdvisor sampled 2.873 s before the Metrics API timestamp` (or after).
fn age(sample_ms: Option<i64>, api_ms: Option<i64>, what: &str) -> String {
    let (Some(s), Some(a)) = (sample_ms, api_ms) else {
        return String::new();
    };
    format!("; {what} sampled {}", offset(s, a))
}

/// True when the adapter's memory query was run and answered (possibly with an empty vector).
fn query_answered(inputs: &Inputs) -> bool {
    inputs.kind == BackendKind::PrometheusAdapter
        && inputs.rule.is_some_and(|r| r.result.get().is_some())
}

#[cfg(test)]
mod tests;
