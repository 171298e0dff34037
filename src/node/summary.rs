//! The node report's headline: why `kubectl top node NODE` and `kubectl describe node NODE`
//! show different numbers, in a few plain lines drawn from the rest of the report (every
//! figure is one of its numbers, in human units).
//!
//! Reading order: what `top node` measures, what `describe node` adds up, why they differ,
//! where the rest of the use is, the worst finding. A missing source is named where its
//! number would be, and the verdict is then `partial`: never all-clear with a source missing.

use serde::Serialize;

use super::describe::DescribeNode;
use super::findings::{NodeFinding, show};
use super::model::{NodeInputs, NodeReport, ResourceSide, TopViews, Unavailable};
use crate::lineage::model::{Layer, Tone, Verdict};
use crate::quantity::human_bytes;

/// Longest worst-finding line, in characters (the full message is in the findings).
pub const MAX_WORST: usize = 200;

/// The answer, first.
#[derive(Debug, Clone, Serialize)]
pub struct NodeSummary {
    /// ``Why do `kubectl top node N` and `kubectl describe node N` show different numbers?``
    pub question: String,
    /// The headline statements, in reading order.
    pub lines: Vec<NodeLine>,
    /// Each missing source in a few words (`list pods at cluster scope (HTTP 403)`).
    pub missing: Vec<String>,
    /// `consistent` when every source was read, else `partial` (decides the exit code).
    pub verdict: Verdict,
}

/// One headline statement.
#[derive(Debug, Clone, Serialize)]
pub struct NodeLine {
    /// Which part of the answer it is.
    pub kind: NodeLineKind,
    /// Plain words, human units.
    pub text: String,
    /// Colour intent (`warn`: a source is missing or something needs a look).
    pub tone: Tone,
}

/// Which part of the answer a [`NodeLine`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeLineKind {
    /// What `kubectl top node` measures: use of allocatable.
    Top,
    /// What `kubectl describe node`'s Allocated resources add up: Σ requests and limits.
    Describe,
    /// Why the two differ.
    Why,
    /// Where the rest of the node's use is (use − Σ pods).
    Rest,
    /// The source value behind NodeMetrics and how it compares.
    Source,
    /// The worst finding, in one line.
    Worst,
}

impl NodeLineKind {
    /// The label a renderer shows before the line.
    pub fn label(self) -> &'static str {
        match self {
            NodeLineKind::Top => "top",
            NodeLineKind::Describe => "describe",
            NodeLineKind::Why => "why",
            NodeLineKind::Rest => "rest",
            NodeLineKind::Source => "source",
            NodeLineKind::Worst => "worst",
        }
    }
}

/// Width of the widest label.
pub const LABEL_WIDTH: usize = 8;

impl NodeSummary {
    /// An empty summary, before [`summary`] fills it.
    pub fn pending(node: &str) -> Self {
        NodeSummary {
            question: question(node),
            lines: Vec::new(),
            missing: Vec::new(),
            verdict: Verdict::Partial,
        }
    }
}

fn question(node: &str) -> String {
    format!(
        "Why do `kubectl top node {node}` and `kubectl describe node {node}` show different numbers?"
    )
}

fn line(kind: NodeLineKind, text: String, tone: Tone) -> NodeLine {
    NodeLine { kind, text, tone }
}

/// The headline of an analysed report (everything but `summary` filled).
pub fn summary(inputs: &NodeInputs, r: &NodeReport) -> NodeSummary {
    let missing = missing_sources(inputs, r);
    let mut lines = vec![
        top_line(inputs, r),
        describe_line(r),
        why_line(r),
        rest_line(inputs, r),
    ];
    if let Some(b) = r.backend.get() {
        let (text, tone) = super::backend::headline(b);
        lines.push(line(NodeLineKind::Source, text, tone));
    }
    lines.extend(worst_line(&r.findings));
    NodeSummary {
        question: question(&r.node),
        lines,
        verdict: verdict(&missing, r),
        missing,
    }
}

/// Disagreement first (NodeMetrics is not the value its own source gives for the same
/// evaluation: never all-clear), then a missing source, then drift (a newer kubelet reading).
fn verdict(missing: &[String], r: &NodeReport) -> Verdict {
    let statuses: Vec<&str> = r.backend.get().map_or(Vec::new(), |b| {
        vec![b.memory.status.as_str(), b.cpu.status.as_str()]
    });
    if statuses.contains(&"differs") {
        Verdict::Disagree
    } else if !missing.is_empty() {
        Verdict::Partial
    } else if statuses.contains(&"drift") {
        Verdict::Drift
    } else {
        Verdict::Consistent
    }
}

fn status(u: &Unavailable) -> String {
    u.status.map_or(String::new(), |s| format!(" (HTTP {s})"))
}

/// Every source the report lacks, in words.
fn missing_sources(inputs: &NodeInputs, r: &NodeReport) -> Vec<String> {
    let mut out = Vec::new();
    if let Err(u) = &inputs.node {
        out.push(format!("the Node object{}", status(u)));
    }
    match &inputs.pods {
        Err(u) if u.status == Some(403) => {
            out.push(format!("list pods at cluster scope{}", status(u)))
        }
        Err(u) => out.push(format!("the node's pod list{}", status(u))),
        Ok(_) => {}
    }
    if let Err(u) = &inputs.node_metrics {
        out.push(format!("NodeMetrics{}", status(u)));
    }
    match &inputs.pod_metrics {
        None => out.push("PodMetrics (not collected)".to_owned()),
        Some(Err(u)) => out.push(format!("PodMetrics{}", status(u))),
        Some(Ok(_)) => {}
    }
    let bad_layer = |ok: bool, l: Option<&str>, what: &str| {
        l.filter(|_| ok).map(|why| format!("{what} ({why})"))
    };
    let inputs_ok = inputs.node.is_ok() && inputs.pods.is_ok();
    out.extend(bad_layer(inputs_ok, r.describe.reason(), "describe node"));
    out.extend(bad_layer(
        inputs.node_metrics.is_ok(),
        r.top.reason(),
        "top node",
    ));
    out
}

/// `CPU 2346m = 16% of allocatable 14000m`.
fn top_part(res: &str, t: &TopViews, s: &ResourceSide) -> Option<String> {
    let v = if res == "cpu" {
        t.allocatable.cpu.as_ref()?
    } else {
        t.allocatable.memory.as_ref()?
    };
    let name = if res == "cpu" { "CPU" } else { "memory" };
    let shown = match (res, s.usage) {
        ("memory", Some(b)) => format!("{} ({})", v.shown, human_bytes(b)),
        _ => v.shown.clone(),
    };
    Some(match (&v.percent, s.allocatable) {
        (Some(p), Some(a)) => format!("{name} {shown} = {p} of allocatable {}", show(res, a)),
        _ => format!("{name} {shown} (no percentage: the Node's allocatable is unknown)"),
    })
}

fn top_line(inputs: &NodeInputs, r: &NodeReport) -> NodeLine {
    let n = &r.node;
    let t = match &r.top {
        Layer::Present { value } => value,
        Layer::Missing { reason } => {
            let text = format!("`kubectl top node {n}` cannot be predicted: {reason}");
            return line(NodeLineKind::Top, text, Tone::Warn);
        }
    };
    if t.allocatable.missing.is_some() {
        let why = inputs
            .node_metrics
            .as_ref()
            .err()
            .map_or(String::new(), |u| format!(" ({})", u.reason));
        let text = format!(
            "`kubectl top node {n}` has no number: there are no NodeMetrics for the node{why}; \
             the all-nodes list prints <unknown> in every column"
        );
        return line(NodeLineKind::Top, text, Tone::Warn);
    }
    let parts: Vec<String> = [("cpu", &r.cpu), ("memory", &r.memory)]
        .iter()
        .filter_map(|(res, s)| top_part(res, t, s))
        .collect();
    let text = format!(
        "`kubectl top node {n}` measures use (NodeMetrics: the node's whole cgroup tree): {}",
        parts.join("; ")
    );
    line(NodeLineKind::Top, text, Tone::Neutral)
}

/// `CPU 1355m (9%)` from a describe row and the side's value.
fn alloc_part(d: &DescribeNode, res: &str, v: Option<i128>, limits: bool) -> Option<String> {
    let row = d.allocated.iter().find(|a| a.resource == res)?;
    let total = if limits {
        &row.limits_total
    } else {
        &row.requests_total
    };
    let name = if res == "cpu" { "CPU" } else { "memory" };
    let pct = total.percent.map_or(String::new(), |p| format!(" ({p}%)"));
    Some(format!("{name} {}{pct}", show(res, v?)))
}

fn describe_line(r: &NodeReport) -> NodeLine {
    let n = &r.node;
    let d = match &r.describe {
        Layer::Present { value } => value,
        Layer::Missing { reason } => {
            let need = r
                .findings
                .iter()
                .find(|f| f.code == "pods-list-missing")
                .filter(|f| f.message.contains("list pods"))
                .map_or(
                    "",
                    |_| " — needs `list pods` at cluster scope (all namespaces)",
                );
            let text = format!(
                "`kubectl describe node {n}`'s Allocated resources are unknown: {reason}{need}"
            );
            return line(NodeLineKind::Describe, text, Tone::Warn);
        }
    };
    let both = |limits: bool| {
        let (c, m) = if limits {
            (r.cpu.limits, r.memory.limits)
        } else {
            (r.cpu.requests, r.memory.requests)
        };
        [
            alloc_part(d, "cpu", c, limits),
            alloc_part(d, "memory", m, limits),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ")
    };
    let left_out = d
        .excluded
        .iter()
        .filter(|e| e.reason.starts_with("phase "))
        .count();
    let left = if left_out > 0 {
        format!(" ({left_out} Succeeded/Failed pods left out)")
    } else {
        String::new()
    };
    let text = format!(
        "`kubectl describe node {n}` adds up reservations: the {} non-terminated pods{left} request {} \
         and limit {}, as percentages of allocatable",
        d.pods.len(),
        both(false),
        both(true)
    );
    line(NodeLineKind::Describe, text, Tone::Neutral)
}

/// `CPU: use 2346m vs requests 1355m (1.7×)`.
fn versus(s: &ResourceSide) -> Option<String> {
    let (u, q) = (s.usage?, s.requests?);
    let r = &s.resource;
    let name = if r == "cpu" { "CPU" } else { "memory" };
    let ratio = if q > 0 {
        format!(" ({:.1}× the requests)", u as f64 / q as f64)
    } else {
        String::new()
    };
    Some(format!(
        "{name} used {} vs requested {}{ratio}",
        show(r, u),
        show(r, q)
    ))
}

fn why_line(r: &NodeReport) -> NodeLine {
    let base = "describe counts what the pods reserve (requests, limits), top what the node \
                measures; they share only the denominator, allocatable";
    let parts: Vec<String> = [&r.cpu, &r.memory].into_iter().filter_map(versus).collect();
    if parts.is_empty() {
        let lacking = match (r.cpu.usage.is_some(), r.cpu.requests.is_some()) {
            (false, false) => "neither the node's use nor the pods' requests are known",
            (false, true) => "the node's measured use is unknown",
            _ => "the pods' requests are unknown",
        };
        let text = format!("{base}; not comparable here: {lacking}");
        return line(NodeLineKind::Why, text, Tone::Warn);
    }
    let mut text = format!("{base}: {}", parts.join("; "));
    let m = &r.memory;
    if let (Some(u), Some(a)) = (m.usage, m.allocatable)
        && u > a
    {
        text.push_str(&format!(
            "; memory use {} is above allocatable {}, so MEMORY(%) is over 100",
            human_bytes(u),
            human_bytes(a)
        ));
    }
    line(NodeLineKind::Why, text, Tone::Neutral)
}

/// `CPU 800m` of the pods and the rest, for one resource.
fn rest_part(s: &ResourceSide) -> Option<(String, String)> {
    let (p, rest) = (s.pods_usage?, s.rest?);
    let r = &s.resource;
    let name = if r == "cpu" { "CPU" } else { "memory" };
    let rest = if rest < 0 {
        format!(
            "{name} −{} (the pods' Σ exceeds the node's use: measured at different moments)",
            show(r, -rest)
        )
    } else {
        format!("{name} {}", show(r, rest))
    };
    Some((format!("{name} {}", show(r, p)), rest))
}

fn rest_line(inputs: &NodeInputs, r: &NodeReport) -> NodeLine {
    let parts: Vec<(String, String)> = [&r.cpu, &r.memory]
        .into_iter()
        .filter_map(rest_part)
        .collect();
    if parts.is_empty() {
        let why = if r.cpu.usage.is_none() {
            "the node's use is unknown (no NodeMetrics)".to_owned()
        } else if inputs.pods.is_err() {
            "the node's pods are not listed".to_owned()
        } else {
            match &inputs.pod_metrics {
                None => "no PodMetrics were collected for the node's pods".to_owned(),
                Some(Err(u)) => format!("the PodMetrics are not readable ({})", u.reason),
                Some(Ok(_)) => "none of the node's pods has PodMetrics".to_owned(),
            }
        };
        let text = format!("use outside the pods (node use − Σ pods' use) is unknown: {why}");
        return line(NodeLineKind::Rest, text, Tone::Warn);
    }
    let (pods, rest): (Vec<String>, Vec<String>) = parts.into_iter().unzip();
    let counted = r.cpu.pods.len();
    let with = r.cpu.pods_with_usage.max(r.memory.pods_with_usage);
    let of = if with < counted {
        format!("{with} of {counted}")
    } else {
        with.to_string()
    };
    let text = format!(
        "the {of} pods with PodMetrics use {}; the rest of the node's use, {}, is outside the pods: \
         system daemons, kubelet, container runtime, kernel, page cache outside pod cgroups",
        pods.join(" and "),
        rest.join(" and ")
    );
    line(NodeLineKind::Rest, text, Tone::Neutral)
}

/// Codes the other headline lines already tell.
const TOLD: [&str; 3] = [
    "reservations-vs-use",
    "usage-outside-pods",
    "node-source-exact",
];

fn worst_line(findings: &[NodeFinding]) -> Option<NodeLine> {
    let worst = findings
        .iter()
        .find(|f| f.severity == "warning")
        .or_else(|| findings.iter().find(|f| !TOLD.contains(&f.code.as_str())))?;
    let tone = if worst.severity == "warning" {
        Tone::Warn
    } else {
        Tone::Neutral
    };
    let text = format!("[{}] {}", worst.code, bounded(&worst.message, MAX_WORST));
    Some(line(NodeLineKind::Worst, text, tone))
}

/// `s`, or its items (`; `-separated) that fit `max` characters, then `; … (see the findings)`.
fn bounded(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    for item in s.split("; ") {
        let sep = if out.is_empty() { "" } else { "; " };
        if !out.is_empty() && out.chars().count() + sep.len() + item.chars().count() > max {
            break;
        }
        out.push_str(sep);
        out.push_str(item);
    }
    if out.chars().count() > max {
        out = out.chars().take(max).collect();
    }
    out.push_str("; … (see the findings)");
    out
}

#[cfg(test)]
mod tests;
