//! Which series produced each Metrics API number, and whether the layers agree.
//!
//! For prometheus-adapter the rendered query's own selector is applied to the kubelet
//! series with Prometheus label semantics and summed by the query's grouping; for
//! metrics-server the `/metrics/resource` working set of each container is the source.

use std::collections::BTreeMap;

use super::cadvisor::{container_label, whole};
use super::model::{BackendKind, MetricsApiView, PromSample, Reconciliation, RuleView};
use crate::exposition::parse::Sample;
use crate::promql::selector::{VectorSelector, analyze_query};

/// Labels Prometheus adds at scrape time; the kubelet's own lines never carry them.
pub const TARGET_LABELS: &[&str] = &[
    "job",
    "instance",
    "endpoint",
    "service",
    "metrics_path",
    "node",
    "prometheus",
    "prometheus_replica",
];

/// Everything reconciliation needs.
pub struct Inputs<'a> {
    /// The backend kind.
    pub kind: BackendKind,
    /// The PodMetrics, if read.
    pub metrics: Option<&'a MetricsApiView>,
    /// The adapter's memory rule view, if any.
    pub rule: Option<&'a RuleView>,
    /// Parsed `/metrics/cadvisor` samples of the pod.
    pub cadvisor: &'a [Sample],
    /// Parsed `/metrics/resource` samples of the pod.
    pub resource: &'a [Sample],
    /// The `/metrics/cadvisor` text the samples were parsed from (for verbatim lines).
    pub cadvisor_text: &'a str,
    /// The `/metrics/resource` text.
    pub resource_text: &'a str,
}

/// The series a backend picked for one container, and their sum.
#[derive(Debug, Default, Clone)]
pub struct Selected {
    /// Human description of each series (`id=…` and value).
    pub series: Vec<String>,
    /// Σ of their values.
    pub sum: i128,
    /// Latest sample timestamp among them (ms).
    pub newest_ms: Option<i64>,
}

/// What the selection step found, plus notes about assumptions it had to make.
#[derive(Debug, Default)]
pub struct Selection {
    /// By container name.
    pub by_container: BTreeMap<String, Selected>,
    /// Assumptions (e.g. scrape-time labels) and problems (unparsable query).
    pub notes: Vec<String>,
}

/// Selects the source series per container for the backend.
pub fn select(inputs: &Inputs) -> Selection {
    match (inputs.kind, inputs.rule) {
        (BackendKind::PrometheusAdapter, Some(rule)) => select_by_query(rule, inputs),
        (BackendKind::PrometheusAdapter, None) => Selection {
            notes: vec!["adapter rule unavailable: series chosen by container name only".into()],
            ..select_by_name(
                inputs.cadvisor,
                inputs.cadvisor_text,
                "container_memory_working_set_bytes",
            )
        },
        _ => select_by_name(
            inputs.cadvisor,
            inputs.cadvisor_text,
            "container_memory_working_set_bytes",
        ),
    }
}

/// App containers by name (what metrics-server uses: never the pause container or pod cgroup).
fn select_by_name(samples: &[Sample], text: &str, metric: &str) -> Selection {
    let mut sel = Selection::default();
    for s in samples.iter().filter(|s| s.name == metric) {
        let c = container_label(s);
        if c.is_empty() || c == "POD" {
            continue;
        }
        add(sel.by_container.entry(c.to_string()).or_default(), s, text);
    }
    sel
}

/// Adds a series to a container's selection, shown as its verbatim exposition line.
fn add(entry: &mut Selected, s: &Sample, text: &str) {
    let line = s.line.checked_sub(1).and_then(|i| text.lines().nth(i));
    entry
        .series
        .push(line.map_or_else(|| format!("{} {}", s.name, s.value_text), str::to_string));
    entry.sum += whole(s.value);
    entry.newest_ms = entry.newest_ms.max(s.timestamp_ms);
}

fn select_by_query(rule: &RuleView, inputs: &Inputs) -> Selection {
    let mut sel = Selection::default();
    let shape = match analyze_query(&rule.rendered) {
        Ok(s) => s,
        Err(e) => {
            sel.notes
                .push(format!("cannot analyse the rendered query: {e}"));
            return sel;
        }
    };
    let group_label = &rule.container_label;
    for selector in &shape.selectors {
        let (candidates, text, prefix) = candidates_for(selector, inputs);
        for s in candidates {
            let (ok, assumed) = matches(selector, s, prefix);
            if ok {
                sel.notes.extend(assumed);
                let key = s.label_or_empty(group_label).to_string();
                add(sel.by_container.entry(key).or_default(), s, text);
            }
        }
    }
    sel.notes.sort();
    sel.notes.dedup();
    sel
}

/// Dedicated service monitors rename `/metrics/resource` series with a `pa_` prefix.
fn candidates_for<'a>(
    sel: &VectorSelector,
    inputs: &Inputs<'a>,
) -> (&'a [Sample], &'a str, &'static str) {
    match sel.metric.as_deref() {
        Some(m) if m.starts_with("pa_") => (inputs.resource, inputs.resource_text, "pa_"),
        _ => (inputs.cadvisor, inputs.cadvisor_text, ""),
    }
}

/// Applies the selector; matchers on scrape-time labels the kubelet line cannot carry are
/// assumed satisfied and reported.
fn matches(sel: &VectorSelector, s: &Sample, prefix: &str) -> (bool, Vec<String>) {
    let mut reduced = sel.clone();
    let mut assumed = Vec::new();
    reduced.matchers.retain(|m| {
        let target_only = TARGET_LABELS.contains(&m.name.as_str()) && s.label(&m.name).is_none();
        if target_only {
            assumed.push(format!(
                "matcher on `{}` is a label Prometheus adds at scrape time; assumed to hold for the kubelet target",
                m.name
            ));
        }
        !target_only
    });
    let name = format!("{prefix}{}", s.name);
    (reduced.matches(&name, &s.labels), assumed)
}

/// Builds one reconciliation row per container seen in any layer.
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
        .map(|n| row(n, inputs, sel.by_container.get(n), backend.get(n).copied()))
        .collect()
}

/// Per container: the adapter query result or the `/metrics/resource` sample.
fn backend_values(inputs: &Inputs) -> BTreeMap<String, i128> {
    let mut out = BTreeMap::new();
    match inputs.kind {
        BackendKind::PrometheusAdapter => {
            let Some(rule) = inputs.rule else { return out };
            for s in rule.result.get().map(Vec::as_slice).unwrap_or_default() {
                if let Some(v) = prom_value(s) {
                    let c = label(&s.labels, &rule.container_label);
                    *out.entry(c).or_insert(0) += v;
                }
            }
        }
        _ => {
            for s in inputs
                .resource
                .iter()
                .filter(|s| s.name == "container_memory_working_set_bytes")
            {
                out.insert(container_label(s).to_string(), whole(s.value));
            }
        }
    }
    out
}

fn label(labels: &[(String, String)], name: &str) -> String {
    labels
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// A Prometheus sample value in whole bytes, rounded up as the adapter's quantity → Value() is.
fn prom_value(s: &PromSample) -> Option<i128> {
    let v: f64 = s.value.parse().ok()?;
    if !v.is_finite() || v < 0.0 {
        return Some(0);
    }
    let milli = (v * 1000.0).trunc() as i128;
    Some((milli + 999).div_euclid(1000))
}

fn row(
    name: &str,
    inputs: &Inputs,
    sel: Option<&Selected>,
    backend: Option<i128>,
) -> Reconciliation {
    let api = inputs
        .metrics
        .and_then(|m| m.containers.iter().find(|c| c.name == name))
        .and_then(|c| c.memory_bytes);
    let series_sum = sel.filter(|s| !s.series.is_empty()).map(|s| s.sum);
    let v = verdict(api, backend, series_sum, inputs.kind);
    let (mut text, mut agrees, differs) = (v.text, v.agrees, v.differs);
    if backend.is_none() && api.is_some() && query_answered(inputs) {
        text = "missing: the adapter's query returned no sample for this container".into();
        agrees = false;
    }
    if v.cadvisor_differs {
        text.push_str(&sample_age(inputs, sel));
    }
    Reconciliation {
        container: name.to_string(),
        metrics_api_bytes: api,
        backend_bytes: backend,
        series: sel.map(|s| s.series.clone()).unwrap_or_default(),
        series_sum_bytes: series_sum,
        differs,
        verdict: text,
        agrees,
    }
}

/// `; cAdvisor sampled 12.345 s before the Metrics API timestamp`, when both times are known.
fn sample_age(inputs: &Inputs, sel: Option<&Selected>) -> String {
    let ts = inputs.metrics.and_then(|m| m.timestamp.as_deref());
    let newest = sel.and_then(|s| s.newest_ms);
    match (ts.and_then(super::time::rfc3339_ms), newest) {
        (Some(t), Some(n)) => format!(
            "; cAdvisor sampled {:.3} s before the Metrics API timestamp",
            (t - n) as f64 / 1000.0
        ),
        _ => String::new(),
    }
}

/// True when the adapter's memory query was run and answered (possibly with an empty vector).
fn query_answered(inputs: &Inputs) -> bool {
    inputs.kind == BackendKind::PrometheusAdapter
        && inputs.rule.is_some_and(|r| r.result.get().is_some())
}

/// How the values of one container compare.
struct Compared {
    text: String,
    agrees: bool,
    differs: bool,
    cadvisor_differs: bool,
}

fn verdict(
    api: Option<i128>,
    backend: Option<i128>,
    series: Option<i128>,
    kind: BackendKind,
) -> Compared {
    let backend_name = match kind {
        BackendKind::PrometheusAdapter => "query result",
        _ => "/metrics/resource",
    };
    let named = [
        ("Metrics API", api),
        (backend_name, backend),
        ("cAdvisor Σ", series),
    ];
    let present: Vec<(&str, i128)> = named
        .iter()
        .filter_map(|(n, v)| v.map(|v| (*n, v)))
        .collect();
    let missing: Vec<&str> = named
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(n, _)| *n)
        .collect();
    let Some(&(first_name, first)) = present.first() else {
        let text = "missing in every layer".into();
        return Compared {
            text,
            agrees: false,
            differs: false,
            cadvisor_differs: false,
        };
    };
    let differing: Vec<&(&str, i128)> = present
        .iter()
        .skip(1)
        .filter(|(_, v)| *v != first)
        .collect();
    let diffs: Vec<String> = differing
        .iter()
        .map(|(n, v)| format!("{n} off by {:+} B from {first_name}", v - first))
        .collect();
    let mut text = if diffs.is_empty() {
        "exact".to_string()
    } else {
        diffs.join("; ")
    };
    if !missing.is_empty() {
        text.push_str(&format!(" (no {})", missing.join(", no ")));
    }
    Compared {
        text,
        agrees: diffs.is_empty() && api.is_some(),
        differs: !diffs.is_empty(),
        cadvisor_differs: differing.iter().any(|(n, _)| *n == "cAdvisor Σ"),
    }
}
