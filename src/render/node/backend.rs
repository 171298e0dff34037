//! The "Behind NodeMetrics" section of the node report: NodeMetrics as sent, the value its
//! backend read and how they compare, the root cgroup's decomposition and the adapter's node
//! queries recomputed. One list of plain lines (evidence not yet escaped), shared by the
//! text and Markdown renderers.

use crate::lineage::Layer;
use crate::lineage::time::rfc3339_from_ms;
use crate::node::backend::{AdapterNode, KubeletSample, NodeBackend, RootCgroup};
use crate::node::model::NodeReport;

/// The section's heading and lines; `None` when the report has no backend lineage.
pub(super) fn section(r: &NodeReport) -> Option<(String, Vec<String>)> {
    let b = r.backend.get()?;
    let head = format!(
        "Behind NodeMetrics (backend: {}; {})",
        b.backend.as_str(),
        b.backend_evidence
    );
    let mut out = Vec::new();
    node_metrics(b, &mut out);
    for (res, c) in [("memory", &b.memory), ("cpu", &b.cpu)] {
        let source = if c.source.is_empty() {
            String::new()
        } else {
            format!(" ← {}", c.source)
        };
        out.push(format!("{res}: {}{source}: {}", c.status, c.arithmetic));
    }
    match &b.kubelet {
        Layer::Present { value } => {
            for s in [&value.memory, &value.cpu].into_iter().flatten() {
                out.push(kubelet_line(s));
            }
        }
        Layer::Missing { reason } => out.push(format!("kubelet /metrics/resource: {reason}")),
    }
    match &b.cadvisor {
        Layer::Present { value } => root(value, &mut out),
        Layer::Missing { reason } => out.push(format!("root cgroup: {reason}")),
    }
    if let Layer::Present { value } = &b.adapter {
        adapter(value, &mut out);
    }
    Some((head, out))
}

fn node_metrics(b: &NodeBackend, out: &mut Vec<String>) {
    let Some(m) = &b.node_metrics else {
        out.push("NodeMetrics: not readable".into());
        return;
    };
    let or = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    out.push(format!(
        "NodeMetrics: usage.cpu {}, usage.memory {}, timestamp {}, window {}",
        or(&m.cpu),
        or(&m.memory),
        or(&m.timestamp),
        or(&m.window)
    ));
}

fn kubelet_line(s: &KubeletSample) -> String {
    let at = s
        .t_ms
        .map_or_else(|| "no timestamp".into(), rfc3339_from_ms);
    format!(
        "kubelet {} {} at {at} (metrics-server reads {})",
        s.name, s.text, s.decoded
    )
}

fn root(c: &RootCgroup, out: &mut Vec<String>) {
    let b = &c.breakdown;
    out.push(format!("root cgroup id=\"/\": {}", b.check));
    out.extend(b.steps.iter().map(|s| format!("root cgroup: {s}")));
    out.extend(b.notes.iter().map(|s| format!("root cgroup: {s}")));
    if let Some(p) = &b.problem {
        out.push(format!("root cgroup: {p}"));
    }
    if let Some((text, _)) = &c.cpu_seconds {
        out.push(format!("root cgroup CPU counter: {text} s"));
    }
    out.push(format!("pod cgroups: {}", c.pods.arithmetic));
}

fn adapter(a: &AdapterNode, out: &mut Vec<String>) {
    out.push(format!("Prometheus semantics: {}", a.engine));
    for (what, l) in [("memory", &a.memory), ("cpu", &a.cpu)] {
        match l {
            Layer::Present { value } => out.push(format!(
                "{what} nodeQuery: {} → {}; {}",
                value.query, value.value, value.arithmetic
            )),
            Layer::Missing { reason } => out.push(format!("{what} nodeQuery: {reason}")),
        }
    }
    match &a.meminfo {
        Layer::Present { value } => {
            let exact = match value.bit_exact {
                Some(true) => " (= the memory answer, bit for bit)",
                Some(false) => " (≠ the memory answer)",
                None => " (the memory rule is another expression)",
            };
            out.push(format!("node-exporter: {}{exact}", value.arithmetic));
        }
        Layer::Missing { reason } => out.push(format!("node-exporter meminfo: {reason}")),
    }
    match &a.cpu_recompute {
        Layer::Present { value } => {
            out.push(format!(
                "cpu recomputed over the series {} ({} other series): {}",
                value.selected_by, value.other_series, value.arithmetic
            ));
            for s in &value.series {
                let labels: Vec<String> =
                    s.labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
                out.push(format!("  {{{}}}: {}", labels.join(","), s.arithmetic));
            }
        }
        Layer::Missing { reason } => out.push(format!("cpu answer: {reason}")),
    }
}
