//! Verbatim excerpts of the evidence, for reports attached to tickets.

use super::cadvisor::WORKING_SET;
use super::model::Excerpt;
use crate::evidence::{Evidence, Source};
use crate::exposition::parse::Exposition;

/// The working-set families of the kubelet endpoints: pod level, then container level.
const FAMILIES: [&str; 2] = ["pod_memory_working_set_bytes", WORKING_SET];

/// The PodMetrics body, the adapter's query answers, and the working-set lines of both kubelet
/// endpoints (`cadvisor`, `resource`: their parsed bodies), each exactly as received.
pub fn excerpts(ev: &Evidence, cadvisor: &Exposition, resource: &Exposition) -> Vec<Excerpt> {
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
    push_families(
        &mut out,
        "kubelet /metrics/cadvisor: working-set lines of the pod",
        &s.kubelet_cadvisor,
        cadvisor,
    );
    push_families(
        &mut out,
        "kubelet /metrics/resource: working-set lines of the pod",
        &s.kubelet_resource,
        resource,
    );
    out
}

/// A small JSON answer, shown whole.
fn push_whole(out: &mut Vec<Excerpt>, title: &str, src: &Source) {
    if let Some(body) = src.body() {
        out.push(Excerpt {
            title: title.to_string(),
            request: src.request.clone(),
            text: body.to_string(),
        });
    }
}

/// The `# HELP`/`# TYPE` and sample lines of the working-set families, in the order written,
/// read back through the parser's spans.
fn push_families(out: &mut Vec<Excerpt>, title: &str, src: &Source, parsed: &Exposition) {
    let text = family_lines(parsed);
    if !text.is_empty() {
        out.push(Excerpt {
            title: title.to_string(),
            request: src.request.clone(),
            text,
        });
    }
}

fn family_lines(parsed: &Exposition) -> String {
    let mut spans: Vec<_> = FAMILIES
        .iter()
        .flat_map(|name| {
            let meta = parsed.family(name).into_iter().flat_map(|f| &f.spans);
            meta.chain(parsed.samples_named(name).map(|s| &s.span))
        })
        .collect();
    spans.sort_by_key(|span| span.start);
    let lines: Vec<&str> = spans.iter().map(|span| parsed.verbatim(span)).collect();
    lines.join("\n")
}

#[cfg(test)]
mod tests;
