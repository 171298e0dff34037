//! Which series produced each Metrics API number, and whether the layers agree.
//!
//! For prometheus-adapter the rendered query's own selector is applied to the kubelet
//! series with Prometheus label semantics and summed by the query's grouping; for
//! metrics-server the `/metrics/resource` working set of each container is the source.

use std::collections::BTreeMap;

use super::cadvisor::{container_label, whole};
use super::model::{BackendKind, MetricsApiView, RuleView};
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
    /// Σ of their values (what a PromQL `sum` makes of them).
    pub sum: i128,
    /// The first one's value (what metrics-server keeps when a container appears twice).
    pub first: Option<i128>,
    /// True when a matched series had no whole byte value (the sum would be incomplete).
    pub skipped: bool,
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
    let lines: Vec<&str> = text.lines().collect();
    for s in samples.iter().filter(|s| s.name == metric) {
        let c = container_label(s);
        if c.is_empty() || c == "POD" {
            continue;
        }
        add(
            sel.by_container.entry(c.to_string()).or_default(),
            s,
            &lines,
        );
    }
    sel
}

/// Adds a series to a container's selection, shown as its verbatim exposition line.
fn add(entry: &mut Selected, s: &Sample, lines: &[&str]) {
    let line = s.line.checked_sub(1).and_then(|i| lines.get(i));
    let shown = line.map_or_else(|| format!("{} {}", s.name, s.value_text), |l| l.to_string());
    let Some(v) = whole(s.value) else {
        // Listed, so the reader sees it matched, but not added: it is no byte count.
        entry
            .series
            .push(format!("{shown}   (not a whole byte count: not summed)"));
        return;
    };
    entry.series.push(shown);
    entry.sum = entry.sum.saturating_add(v);
    entry.first = entry.first.or(Some(v));
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
        let lines: Vec<&str> = text.lines().collect();
        for s in candidates {
            let (ok, assumed) = matches(selector, s, prefix);
            if ok {
                sel.notes.extend(assumed);
                let key = s.label_or_empty(group_label).to_string();
                add(sel.by_container.entry(key).or_default(), s, &lines);
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
