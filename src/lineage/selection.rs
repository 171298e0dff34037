//! Which kubelet series produced each Metrics API number: the selection step of the
//! reconciliation (the comparison is in [`super::reconcile`]).
//!
//! For prometheus-adapter the rendered query's own selector is applied to the kubelet
//! series with Prometheus label semantics and summed by the query's grouping; otherwise
//! the app containers' `/metrics/cadvisor` working sets are picked by container name.
//! Every picked series is shown as its verbatim exposition line.

use std::collections::BTreeMap;

use super::cadvisor::{WORKING_SET, container_label, group_key, whole};
use super::model::{BackendKind, Finding, MetricsApiView, RuleView, Severity};
use crate::exposition::parse::{Exposition, Sample};
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

/// Everything selection and reconciliation need.
pub struct Inputs<'a> {
    /// The backend kind.
    pub kind: BackendKind,
    /// The PodMetrics, if read.
    pub metrics: Option<&'a MetricsApiView>,
    /// The adapter's memory rule view, if any.
    pub rule: Option<&'a RuleView>,
    /// The pod's `/metrics/cadvisor` lines, parsed (empty when not collected).
    pub cadvisor: &'a Exposition<'a>,
    /// The pod's `/metrics/resource` lines, parsed (empty when not collected).
    pub resource: &'a Exposition<'a>,
}

/// The series a backend picked for one container, and their sum.
#[derive(Debug, Default, Clone)]
pub struct Selected {
    /// Each series as its verbatim exposition line (a note appended when it is not summed).
    pub series: Vec<String>,
    /// Σ of their values (what a PromQL `sum` makes of them).
    pub sum: i128,
    /// The first one's value (what metrics-server keeps when a container appears twice).
    pub first: Option<i128>,
    /// True when a matched series had no whole byte value (the sum would be incomplete).
    pub skipped: bool,
    /// Latest sample timestamp among them (ms).
    pub newest_ms: Option<i64>,
    /// The cgroup of each summed series ([`group_key`]), in order.
    pub keys: Vec<String>,
    /// True when a summed value is negative (no working set is).
    pub negative: bool,
    /// Each summed sample's identity (name, sorted labels, value text, timestamp): an exact
    /// repeat of one of them is counted once, as Prometheus stores it once.
    seen: Vec<SampleId>,
}

/// What makes two exposition lines the same sample for Prometheus.
type SampleId = (String, Vec<(String, String)>, String, Option<i64>);

fn sample_id(s: &Sample) -> SampleId {
    let mut labels = s.labels.clone();
    labels.sort();
    (s.name.clone(), labels, s.value_text.clone(), s.timestamp_ms)
}

/// What the selection step found, plus notes about assumptions it had to make.
#[derive(Debug, Default)]
pub struct Selection {
    /// By container name.
    pub by_container: BTreeMap<String, Selected>,
    /// Assumptions (e.g. scrape-time labels) and problems (unparsable query).
    pub notes: Vec<String>,
    /// Lines that repeat a selected sample exactly, verbatim; each counted once.
    pub repeated: Vec<String>,
}

/// Selects the source series per container for the backend.
pub fn select(inputs: &Inputs) -> Selection {
    match (inputs.kind, inputs.rule) {
        (BackendKind::PrometheusAdapter, Some(rule)) => select_by_query(rule, inputs),
        (BackendKind::PrometheusAdapter, None) => Selection {
            notes: vec!["adapter rule unavailable: series chosen by container name only".into()],
            ..select_by_name(inputs.cadvisor)
        },
        _ => select_by_name(inputs.cadvisor),
    }
}

/// App containers' working sets by name (what metrics-server uses: never the pause
/// container or the pod cgroup).
fn select_by_name(exposition: &Exposition) -> Selection {
    let mut sel = Selection::default();
    for s in exposition.samples_named(WORKING_SET) {
        let c = container_label(s);
        if c.is_empty() || c == "POD" {
            continue;
        }
        let entry = sel.by_container.entry(c.to_string()).or_default();
        add(entry, s, exposition.verbatim(&s.span), &mut sel.repeated);
    }
    sel
}

/// Adds a series to a container's selection, shown as its verbatim exposition line; an
/// exact repeat of a sample already added goes to `repeated` instead.
fn add(entry: &mut Selected, s: &Sample, line: &str, repeated: &mut Vec<String>) {
    let id = sample_id(s);
    if entry.seen.contains(&id) {
        repeated.push(line.to_string());
        return;
    }
    let Some(v) = whole(s.value) else {
        // Listed, so the reader sees it matched, but not added: it is no byte count, and
        // the sum of the others would be incomplete.
        entry
            .series
            .push(format!("{line}   (not a whole byte count: not summed)"));
        entry.skipped = true;
        return;
    };
    entry.seen.push(id);
    entry.series.push(line.to_string());
    entry.negative |= v < 0;
    entry.sum = entry.sum.saturating_add(v);
    entry.first = entry.first.or(Some(v));
    entry.newest_ms = entry.newest_ms.max(s.timestamp_ms);
    entry.keys.push(group_key(s));
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
        let (candidates, prefix) = candidates_for(selector, inputs);
        for s in &candidates.samples {
            let (ok, assumed) = matches(selector, s, prefix);
            if ok {
                sel.notes.extend(assumed);
                let key = s.label_or_empty(group_label).to_string();
                let entry = sel.by_container.entry(key).or_default();
                add(entry, s, candidates.verbatim(&s.span), &mut sel.repeated);
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
) -> (&'a Exposition<'a>, &'static str) {
    match sel.metric.as_deref() {
        Some(m) if m.starts_with("pa_") => (inputs.resource, "pa_"),
        _ => (inputs.cadvisor, ""),
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

/// The `repeated-line` finding: exact repeats are not double counting.
pub fn repeated_finding(sel: &Selection) -> Option<Finding> {
    let first = sel.repeated.first()?;
    let n = sel.repeated.len();
    let lines = if n == 1 {
        "line repeats"
    } else {
        "lines repeat"
    };
    Some(Finding::new(
        "repeated-line",
        Severity::Info,
        format!(
            "{n} kubelet {lines} an earlier sample exactly (same labels, value and timestamp); Prometheus stores such a sample once, so it is counted once."
        ),
        vec![first.clone()],
    ))
}

#[cfg(test)]
pub(super) mod tests;
