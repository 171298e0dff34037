//! The lineage analysis: evidence in, lineage out.
//!
//! Pure and total: no I/O, no clock, no panics. A malformed or missing payload becomes a
//! [`model::Layer::Missing`] or a finding, never an error, so a report can always be drawn.

mod adapter;
mod backend;
mod cadvisor;
mod excerpts;
mod findings;
mod metrics_api;
pub mod model;
mod pod;
mod pod_findings;
mod reconcile;
mod sources;
mod time;

use crate::evidence::Evidence;
use crate::exposition::parse;

pub use model::*;

/// Analyses one pod's evidence.
pub fn analyze(ev: &Evidence) -> Lineage {
    let s = &ev.sources;
    let metrics_api = match s.pod_metrics.body() {
        Some(body) => match metrics_api::parse_pod_metrics(body) {
            Ok(v) => Layer::Present { value: v },
            Err(reason) => Layer::Missing { reason },
        },
        None => Layer::Missing {
            reason: s.pod_metrics.missing_reason().unwrap_or_default(),
        },
    };
    let top = match metrics_api.get() {
        Some(view) => metrics_api::predict_top(&ev.target.name, view),
        None => Layer::Missing {
            reason: "no PodMetrics to compute from".into(),
        },
    };
    let backend = backend::backend_view(s);
    let adapter = (backend.kind == BackendKind::PrometheusAdapter)
        .then(|| adapter::adapter_view(s, &backend, &ev.target.namespace, &ev.target.name));
    let (cadvisor, cad_samples) = match s.kubelet_cadvisor.body() {
        Some(text) => {
            let (view, samples) = cadvisor::cadvisor_view(text);
            (Layer::Present { value: view }, samples)
        }
        None => (
            Layer::Missing {
                reason: s.kubelet_cadvisor.missing_reason().unwrap_or_default(),
            },
            Vec::new(),
        ),
    };
    let res_samples = s
        .kubelet_resource
        .body()
        .map(|t| parse::parse(t).samples)
        .unwrap_or_default();
    let resource = match s.kubelet_resource.body() {
        Some(_) => Layer::Present {
            value: resource_rows(&res_samples),
        },
        None => Layer::Missing {
            reason: s.kubelet_resource.missing_reason().unwrap_or_default(),
        },
    };
    let rule = adapter.as_ref().and_then(|a| a.memory.get());
    let inputs = reconcile::Inputs {
        kind: backend.kind,
        metrics: metrics_api.get(),
        rule,
        cadvisor: &cad_samples,
        resource: &res_samples,
        cadvisor_text: s.kubelet_cadvisor.body().unwrap_or_default(),
        resource_text: s.kubelet_resource.body().unwrap_or_default(),
    };
    let selection = reconcile::select(&inputs);
    let reconciliation = reconcile::reconcile(&inputs, &selection);
    let sources = sources::source_views(ev, adapter.as_ref());
    let mut lineage = Lineage {
        report_version: REPORT_VERSION,
        target: ev.target.clone(),
        captured_at: ev.captured_at.clone(),
        cluster: ev.cluster.clone(),
        pod: pod::pod_view(&s.pod),
        top,
        metrics_api,
        backend,
        adapter,
        resource,
        cadvisor,
        reconciliation,
        findings: Vec::new(),
        sources,
        excerpts: excerpts::excerpts(ev),
        verdict: Verdict::Consistent,
    };
    lineage.findings = findings::findings(&lineage, &selection.notes);
    lineage
        .findings
        .extend(pod_findings::findings(ev, &lineage));
    lineage
        .findings
        .sort_by_key(|f| f.severity == Severity::Missing);
    lineage.verdict = verdict(&lineage);
    lineage
}

fn resource_rows(samples: &[parse::Sample]) -> Vec<ResourceSample> {
    samples
        .iter()
        .map(|s| ResourceSample {
            metric: s.name.clone(),
            container: s.label_or_empty("container").to_string(),
            value: s.value_text.clone(),
            timestamp_ms: s.timestamp_ms,
        })
        .collect()
}

fn verdict(l: &Lineage) -> Verdict {
    if l.reconciliation
        .iter()
        .any(|r| r.verdict.contains("off by"))
    {
        return Verdict::Disagree;
    }
    let adapter_missing = l.adapter.as_ref().is_some_and(|a| {
        a.memory
            .get()
            .is_none_or(|rule| rule.result.get().is_none())
    });
    let layer_missing =
        l.metrics_api.get().is_none() || l.cadvisor.get().is_none() || adapter_missing;
    let source_missing = l.sources.iter().any(|s| s.required && !s.ok);
    if layer_missing || source_missing || l.reconciliation.iter().any(|r| !r.agrees) {
        return Verdict::Partial;
    }
    Verdict::Consistent
}
