//! The node report's findings: plain words with their numbers.

use serde::Serialize;

use super::describe::DescribeNode;
use super::model::{NodeInputs, ResourceSide, TopViews};
use crate::lineage::model::Layer;
use crate::quantity::human_bytes;

/// One finding.
#[derive(Debug, Clone, Serialize)]
pub struct NodeFinding {
    /// Stable identifier, e.g. `reservations-vs-use`.
    pub code: String,
    /// `info` or `warning`.
    pub severity: String,
    /// The finding in plain words, with its numbers.
    pub message: String,
}

fn finding(code: &str, severity: &str, message: String) -> NodeFinding {
    NodeFinding {
        code: code.to_owned(),
        severity: severity.to_owned(),
        message,
    }
}

/// `1355m` or `499.8Mi`.
pub fn show(res: &str, v: i128) -> String {
    if res == "cpu" {
        format!("{v}m")
    } else {
        human_bytes(v)
    }
}

/// All findings, most important first.
pub fn findings(
    inputs: &NodeInputs,
    top: &Layer<TopViews>,
    describe: &Layer<DescribeNode>,
    cpu: &ResourceSide,
    memory: &ResourceSide,
) -> Vec<NodeFinding> {
    let mut out = Vec::new();
    missing_inputs(inputs, &mut out);
    for side in [cpu, memory] {
        reservations_vs_use(side, &mut out);
    }
    if let (Some(t), Some(_)) = (top.get(), describe.get()) {
        memory_over_100(t, memory, &mut out);
    }
    for side in [cpu, memory] {
        outside_pods(side, &mut out);
        pods_far_from_requests(side, &mut out);
    }
    out
}

fn missing_inputs(inputs: &NodeInputs, out: &mut Vec<NodeFinding>) {
    if let Err(u) = &inputs.pods {
        let msg = if u.status == Some(403) {
            format!(
                "listing pods at cluster scope is forbidden ({}): needs `list pods` in all namespaces \
                 (kubectl describe node prints `Pods: not authorized` there); the Allocated resources \
                 and the Σ of the pods cannot be computed, the rest of the report stands",
                u.reason
            )
        } else {
            format!(
                "the node's pods could not be listed ({}); no describe node totals",
                u.reason
            )
        };
        out.push(finding("pods-list-missing", "warning", msg));
    }
    if let Err(u) = &inputs.node_metrics {
        out.push(finding(
            "node-metrics-missing",
            "warning",
            format!(
                "no NodeMetrics for {} ({}): kubectl top node NODE fails and the all-nodes list shows <unknown>; \
                 measured usage is unknown",
                inputs.node_name, u.reason
            ),
        ));
    }
    if let Some(Err(u)) = &inputs.pod_metrics {
        out.push(finding(
            "pod-metrics-missing",
            "info",
            format!(
                "no PodMetrics ({}): the Σ of the pods' usage is unknown",
                u.reason
            ),
        ));
    }
}

fn reservations_vs_use(s: &ResourceSide, out: &mut Vec<NodeFinding>) {
    let (Some(req), Some(lim), Some(usage)) = (s.requests, s.limits, s.usage) else {
        return;
    };
    let r = &s.resource;
    let of = s
        .allocatable
        .map_or(String::new(), |a| format!(" of allocatable {}", show(r, a)));
    out.push(finding(
        "reservations-vs-use",
        "info",
        format!(
            "{r}: describe node shows reservations, top node shows use: the pods request {} and limit {}{of}; \
             the node measured {}. They share only the denominator.",
            show(r, req), show(r, lim), show(r, usage)
        ),
    ));
}

fn memory_over_100(t: &TopViews, m: &ResourceSide, out: &mut Vec<NodeFinding>) {
    let (Some(usage), Some(alloc)) = (m.usage, m.allocatable) else {
        return;
    };
    if usage <= alloc {
        return;
    }
    let pct = |v: &super::top::TopNode| {
        v.memory
            .as_ref()
            .and_then(|x| x.percent.clone())
            .unwrap_or_default()
    };
    let reserved = m.reserved.map_or(String::new(), |r| {
        format!(
            " ({} below capacity: reserved for the system)",
            human_bytes(r)
        )
    });
    out.push(finding(
        "memory-percent-over-100",
        "info",
        format!(
            "MEMORY(%) is {} because it divides by allocatable {}{reserved}, not by the machine: usage {} is above \
             allocatable; --show-capacity gives {}",
            pct(&t.allocatable), human_bytes(alloc), human_bytes(usage), pct(&t.capacity)
        ),
    ));
}

fn outside_pods(s: &ResourceSide, out: &mut Vec<NodeFinding>) {
    let (Some(usage), Some(pods), Some(rest)) = (s.usage, s.pods_usage, s.rest) else {
        return;
    };
    let r = &s.resource;
    out.push(finding(
        "usage-outside-pods",
        "info",
        format!(
            "{r}: top node {} − Σ of {} pods {} = {} used outside the pods (system daemons, kubelet, container \
             runtime, kernel{})",
            show(r, usage), s.pods_with_usage, show(r, pods), show(r, rest),
            if r == "memory" { ", page cache outside pod cgroups" } else { "" }
        ),
    ));
}

fn pods_far_from_requests(s: &ResourceSide, out: &mut Vec<NodeFinding>) {
    let r = &s.resource;
    let over: Vec<String> = s
        .pods
        .iter()
        .filter(|p| p.request > 0 && p.usage.is_some_and(|u| u > 2 * p.request))
        .map(|p| {
            format!(
                "{} uses {} (request {})",
                p.pod,
                show(r, p.usage.unwrap_or(0)),
                show(r, p.request)
            )
        })
        .collect();
    let under: Vec<String> = s
        .pods
        .iter()
        .filter(|p| p.usage.is_some_and(|u| p.request > 0 && u * 4 < p.request))
        .map(|p| {
            format!(
                "{} uses {} of {} requested",
                p.pod,
                show(r, p.usage.unwrap_or(0)),
                show(r, p.request)
            )
        })
        .collect();
    // A pod that requests nothing is not "over" its request: the scheduler reserved nothing
    // for it, which is its own news (describe node counts it as 0).
    let unreserved: Vec<String> = s
        .pods
        .iter()
        .filter(|p| p.request == 0 && p.usage.is_some_and(|u| u > 0))
        .map(|p| format!("{} uses {}", p.pod, show(r, p.usage.unwrap_or(0))))
        .collect();
    if !unreserved.is_empty() {
        out.push(finding(
            "pods-without-requests",
            "info",
            format!(
                "{r}: pods that request none, so describe node counts them as 0 while they use: {}",
                unreserved.join("; ")
            ),
        ));
    }
    if !over.is_empty() {
        out.push(finding(
            "pods-over-requests",
            "info",
            format!(
                "{r}: pods using more than twice their request: {}",
                over.join("; ")
            ),
        ));
    }
    if !under.is_empty() {
        out.push(finding(
            "pods-under-requests",
            "info",
            format!(
                "{r}: pods using under a quarter of their request (reserved, idle): {}",
                under.join("; ")
            ),
        ));
    }
}
