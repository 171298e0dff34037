//! Other tools' queries for one pod, explained series by series against `top` (issue 12).
//!
//! Pure: the evidence in, an [`Explanation`] out. [`queries`] holds the built-in query sets;
//! [`explain`] applies a memory query's selector with PromQL semantics to the pod's kubelet
//! `/metrics/cadvisor` lines (as [`crate::lineage`] does for the adapter rule), evaluates its
//! `sum`/`max` shape ([`shape`] says which shapes), and lists every difference from the series
//! `top` sums as a term, so that tool value − top value = Σ extra − Σ missing to the byte.

pub mod display;
pub mod queries;
pub mod shape;
mod terms;

use crate::evidence::Evidence;
use crate::exposition::parse::{self, Exposition, Sample};
use crate::lineage::{self, BackendKind, CgroupRole};
use crate::promql::selector::VectorSelector;
use serde::{Serialize, Serializer};

pub use display::Display;
pub use queries::{ClusterKind, Resource, ToolQuery, default_for, fill, find, sets};
pub use terms::{Term, TermKind};

/// What a series is, from its labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A cgroup role as lineage classifies it (pod cgroup, pause, sandbox, app, other).
    Cgroup(CgroupRole),
    /// An app container's series from an earlier instance (lower restart attempt in `name`).
    OldInstance,
}

/// A role is written as its short label (`pod cgroup`, `old container instance`).
impl Serialize for Role {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Role {
    /// Short label.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Cgroup(r) => r.as_str(),
            Role::OldInstance => "old container instance",
        }
    }
}

/// One kubelet series a query selected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listed {
    /// The exposition line, verbatim.
    pub line: String,
    /// Metric name.
    pub metric: String,
    /// Its labels.
    pub labels: Vec<(String, String)>,
    /// Its role.
    pub role: Role,
    /// `container` (or `container_name`) label.
    pub container: String,
    /// Its cgroup key (the `id` label, or container and name).
    pub cgroup: String,
    /// Its value in bytes.
    pub bytes: i128,
    /// Whether the query's value counts it (false when an inner `max` dropped it).
    pub counted: bool,
}

/// One query evaluated over the kubelet series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluated {
    /// The query.
    pub query: String,
    /// Every series its selector matched, in kubelet order.
    pub series: Vec<Listed>,
    /// Its result rows: grouping labels and bytes.
    pub rows: Vec<(Vec<(String, String)>, i128)>,
    /// Σ rows: the pod's value.
    pub bytes: i128,
}

/// A tool's query explained against `top`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The tool's query over the kubelet series.
    pub tool: Evaluated,
    /// What `top` sums: the adapter's rendered memory rule, or the app containers' working
    /// sets for metrics-server.
    pub top: Evaluated,
    /// The Metrics API pod sum (`top pod`'s bytes before Mi), when read.
    pub metrics_api_bytes: Option<i128>,
    /// The differences; Σ `bytes` = tool − top.
    pub terms: Vec<Term>,
    /// Assumptions and caveats.
    pub notes: Vec<String>,
}

impl Explanation {
    /// tool − top, in bytes.
    pub fn difference(&self) -> i128 {
        self.tool.bytes - self.top.bytes
    }

    /// Σ of the series the tool counts and top does not.
    pub fn extra_bytes(&self) -> i128 {
        self.terms
            .iter()
            .flat_map(|t| &t.extra)
            .map(|s| s.bytes)
            .sum()
    }

    /// Σ of the series top counts and the tool does not.
    pub fn missing_bytes(&self) -> i128 {
        self.terms
            .iter()
            .flat_map(|t| &t.missing)
            .map(|s| s.bytes)
            .sum()
    }

    /// The tool's value over top's, or `None` when top is 0.
    pub fn ratio(&self) -> Option<f64> {
        (self.top.bytes != 0).then(|| self.tool.bytes as f64 / self.top.bytes as f64)
    }
}

/// Why a query was not explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Explains a filled memory query against `top` for the pod of `ev`.
pub fn explain(query: &str, ev: &Evidence) -> Result<Explanation, Unsupported> {
    explain_with(query, ev, &lineage::analyze(ev))
}

/// [`explain`] with the pod's lineage already analysed (its `top`, backend and adapter rule
/// are read; this is how [`lineage::analyze`] itself explains the compared queries).
pub fn explain_with(
    query: &str,
    ev: &Evidence,
    lin: &lineage::Lineage,
) -> Result<Explanation, Unsupported> {
    let body = ev.sources.kubelet_cadvisor.body().ok_or_else(|| {
        Unsupported("the kubelet /metrics/cadvisor lines were not collected".into())
    })?;
    let cad = parse::parse(body);
    let mut notes = Vec::new();
    let tool = evaluate(query, &cad, &mut notes)?;
    notes.extend(resource_copies_note(query));
    let top = top_side(lin, &cad, &mut notes)?;
    let metrics_api_bytes = lin.top.get().map(|t| t.pod_row.memory_bytes);
    if metrics_api_bytes.is_some_and(|b| b != top.bytes) {
        notes.push(format!(
            "top's series sum to {} B here but the Metrics API pod sum is {} B: the kubelet lines are not the samples the backend read",
            top.bytes,
            metrics_api_bytes.unwrap_or_default()
        ));
    }
    let terms = terms::terms(&tool, &top);
    let out = Explanation {
        tool,
        top,
        metrics_api_bytes,
        terms,
        notes,
    };
    let sum: i128 = out.terms.iter().map(|t| t.bytes).sum();
    assert_eq!(sum, out.difference(), "terms must add up to tool − top");
    assert_eq!(out.extra_bytes() - out.missing_bytes(), out.difference());
    Ok(out)
}

/// A selector with no `image!=""` and no `metrics_path` guard also selects the kubelet's
/// `/metrics/resource` copies when Prometheus scrapes them (not in the evidence's lines).
fn resource_copies_note(query: &str) -> Option<String> {
    let (sel, _) = shape::parse(query).ok()?;
    let guarded = sel
        .matchers
        .iter()
        .any(|m| m.name == "metrics_path" || (m.name == "image" && !m.matches_value("")));
    let ws = sel.metric.as_deref() == Some("container_memory_working_set_bytes");
    (ws && !guarded).then(|| {
        "no image!=\"\" or metrics_path matcher: where Prometheus also scrapes the kubelet's /metrics/resource, its container_memory_working_set_bytes copies are selected too (not counted here: the evidence holds the /metrics/cadvisor lines)".to_string()
    })
}

/// What `top` sums, as an [`Evaluated`].
fn top_side(
    lin: &lineage::Lineage,
    cad: &Exposition,
    notes: &mut Vec<String>,
) -> Result<Evaluated, Unsupported> {
    let rule = lin.adapter.as_ref().and_then(|a| a.memory.get());
    match (lin.backend.kind, rule) {
        (BackendKind::PrometheusAdapter, Some(rule)) => evaluate(&rule.rendered, cad, notes),
        _ => {
            notes.push("top side: the app containers' working sets (metrics-server never counts the pod cgroup or the pause container)".into());
            let q = "sum(container_memory_working_set_bytes{container!=\"\",container!=\"POD\"})";
            evaluate(q, cad, notes)
        }
    }
}

/// Applies `query` to the kubelet lines.
fn evaluate(
    query: &str,
    cad: &Exposition,
    notes: &mut Vec<String>,
) -> Result<Evaluated, Unsupported> {
    let (sel, shape) = shape::parse(query).map_err(Unsupported)?;
    if !sel
        .metric
        .as_deref()
        .is_some_and(|m| m.starts_with("container_memory_"))
    {
        return Err(Unsupported(format!(
            "only container_memory_* queries are explained, not {}",
            sel.metric
                .as_deref()
                .unwrap_or("a selector without a metric name")
        )));
    }
    let picked = select(&sel, cad, notes);
    let values: Vec<_> = picked.iter().map(|s| (s.labels.clone(), s.bytes)).collect();
    let rows = shape::eval(&shape, &values);
    let mut series = picked;
    for (i, s) in series.iter_mut().enumerate() {
        s.counted = rows.iter().any(|r| r.members.contains(&i));
    }
    mark_old_instances(&mut series);
    let bytes = rows.iter().map(|r| r.bytes).sum();
    Ok(Evaluated {
        query: query.to_string(),
        series,
        rows: rows.into_iter().map(|r| (r.labels, r.bytes)).collect(),
        bytes,
    })
}

/// The selected kubelet series; a series repeated exactly is taken once, as Prometheus
/// stores it once, and matchers on scrape-time labels are assumed to hold (noted).
fn select(sel: &VectorSelector, cad: &Exposition, notes: &mut Vec<String>) -> Vec<Listed> {
    let mut out: Vec<Listed> = Vec::new();
    let mut reduced = sel.clone();
    reduced.matchers.retain(|m| {
        let scrape = lineage::TARGET_LABELS.contains(&m.name.as_str());
        if scrape {
            let note = format!("matcher {m} is on a label Prometheus adds at scrape time; assumed to hold for the kubelet's cAdvisor target");
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
        !scrape
    });
    let Ok(compiled) = reduced.compile() else {
        return out;
    };
    for s in &cad.samples {
        let Some(bytes) = lineage::whole_bytes(s.value) else {
            continue;
        };
        if !compiled.matches(&s.name, &s.labels) || out.iter().any(|o| same_series(o, s)) {
            continue;
        }
        out.push(Listed {
            line: cad.verbatim(&s.span).to_string(),
            metric: s.name.clone(),
            labels: s.labels.clone(),
            role: Role::Cgroup(lineage::classify_cgroup(s)),
            container: lineage::container_of(s).to_string(),
            cgroup: lineage::cgroup_key(s),
            bytes,
            counted: true,
        });
    }
    out
}

fn same_series(o: &Listed, s: &Sample) -> bool {
    let mut a = o.labels.clone();
    let mut b = s.labels.clone();
    a.sort();
    b.sort();
    o.metric == s.name && a == b
}

/// The restart attempt from a kubelet container `name` (`k8s_<c>_<pod>_<ns>_<uid>_<n>`).
fn attempt(s: &Listed) -> Option<u64> {
    let name = s.labels.iter().find(|(k, _)| k == "name")?;
    name.1.rsplit('_').next()?.parse().ok()
}

/// App series of a container whose restart attempt is below that container's newest.
fn mark_old_instances(series: &mut [Listed]) {
    let newest = |c: &str, all: &[Listed]| {
        all.iter()
            .filter(|s| s.role == Role::Cgroup(CgroupRole::App) && s.container == c)
            .filter_map(attempt)
            .max()
    };
    let olds: Vec<bool> = series
        .iter()
        .map(|s| {
            s.role == Role::Cgroup(CgroupRole::App)
                && attempt(s)
                    .zip(newest(&s.container, series))
                    .is_some_and(|(a, n)| a < n)
        })
        .collect();
    for (s, old) in series.iter_mut().zip(olds) {
        if old {
            s.role = Role::OldInstance;
        }
    }
}

#[cfg(test)]
mod tests;
