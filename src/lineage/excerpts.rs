//! Verbatim excerpts of the evidence, for reports attached to tickets.

use super::model::Excerpt;
use crate::evidence::{Evidence, Source};

const WORKING_SET: &str = "container_memory_working_set_bytes";

/// The PodMetrics body, the adapter's query answers, and the working-set lines of both kubelet
/// endpoints, each exactly as received.
pub fn excerpts(ev: &Evidence) -> Vec<Excerpt> {
    let s = &ev.sources;
    let mut out = Vec::new();
    push_whole(&mut out, "Metrics API PodMetrics", &s.pod_metrics);
    for q in &s.prometheus {
        push_whole(
            &mut out,
            &format!("Prometheus answer to the {} query `{}`", q.purpose, q.query),
            &q.source,
        );
    }
    push_family(
        &mut out,
        "kubelet /metrics/cadvisor: working-set lines of the pod",
        &s.kubelet_cadvisor,
    );
    push_family(
        &mut out,
        "kubelet /metrics/resource: working-set lines of the pod",
        &s.kubelet_resource,
    );
    out
}

fn push_whole(out: &mut Vec<Excerpt>, title: &str, src: &Source) {
    if let Some(body) = src.body() {
        out.push(Excerpt {
            title: title.to_string(),
            request: src.request.clone(),
            text: body.to_string(),
        });
    }
}

/// The HELP/TYPE and sample lines of the working-set family (pod- and container-level).
fn push_family(out: &mut Vec<Excerpt>, title: &str, src: &Source) {
    let Some(body) = src.body() else { return };
    let lines: Vec<&str> = body.lines().filter(|l| in_family(l)).collect();
    if !lines.is_empty() {
        out.push(Excerpt {
            title: title.to_string(),
            request: src.request.clone(),
            text: lines.join("\n"),
        });
    }
}

fn in_family(line: &str) -> bool {
    let rest = line
        .strip_prefix("# HELP ")
        .or_else(|| line.strip_prefix("# TYPE "))
        .unwrap_or(line);
    let rest = rest
        .strip_prefix("pod_memory_working_set_bytes")
        .or_else(|| rest.strip_prefix(WORKING_SET));
    rest.is_some_and(|r| r.starts_with(['{', ' ']))
}
