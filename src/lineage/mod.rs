//! The lineage analysis: evidence in, lineage out.
//!
//! Pure and total: no I/O, no clock, no panics. A malformed or missing payload becomes a
//! [`model::Layer::Missing`] or a finding, never an error, so a report can always be drawn.

mod adapter;
mod backend;
mod breakdown;
mod cadvisor;
mod cgroup_version;
mod compare;
mod cpu;
mod excerpts;
mod findings;
mod identity;
mod kubelet_body;
mod limits;
mod metrics_api;
mod missing;
pub mod model;
mod openshift;
mod pod;
mod pod_findings;
mod reconcile;
mod selection;
mod sources;
mod summary;
mod tidy;
pub mod time;
mod unreadable;

use crate::evidence::{Evidence, Source};
use crate::exposition::parse::{self, Exposition};

pub use model::*;

pub(crate) use breakdown::{Counters as CgroupCounters, decompose as decompose_cgroup};
pub(crate) use sources::{raw_cmd, view as source_view};
// For `compare`, which applies other tools' selectors to the same kubelet series.
pub(crate) use cadvisor::{
    classify as classify_cgroup, container_label as container_of, group_key as cgroup_key,
    whole as whole_bytes,
};
pub(crate) use selection::TARGET_LABELS;

/// Analyses one pod's evidence.
pub fn analyze(ev: &Evidence) -> Lineage {
    let s = &ev.sources;
    // Each kubelet body is parsed once; its samples keep their lines' spans into it.
    let cad = parse::parse(s.kubelet_cadvisor.body().unwrap_or_default());
    let res = parse::parse(s.kubelet_resource.body().unwrap_or_default());
    let metrics_api = layer(&s.pod_metrics, |body| {
        identity::check_body(body, &ev.target)?;
        metrics_api::parse_pod_metrics(body)
    });
    let top = match metrics_api.get() {
        Some(view) => metrics_api::predict_top(&ev.target.name, view),
        None => missing("no PodMetrics to compute from".into()),
    };
    let backend = backend::backend_view(s);
    let pod = pod::pod_view(&s.pod, &ev.target);
    let adapter = (backend.kind == BackendKind::PrometheusAdapter)
        .then(|| adapter::adapter_view(s, &backend, &ev.target.namespace, &ev.target.name));
    let inputs = selection::Inputs {
        kind: backend.kind,
        metrics: metrics_api.get(),
        rule: adapter.as_ref().and_then(|a| a.memory.get()),
        cadvisor: &cad,
        resource: &res,
    };
    let selection = selection::select(&inputs);
    let reconciliation = reconcile::reconcile(&inputs, &selection);
    let sources = sources::source_views(ev, adapter.as_ref());
    let cadvisor = layer(&s.kubelet_cadvisor, |_| {
        kubelet_body::check_body(&s.kubelet_cadvisor, &cad)?;
        Ok(cadvisor::cadvisor_view(&cad))
    });
    let version = cadvisor
        .get()
        .map_or(CgroupVersion::Unknown, |v| cgroup_version::detect(&cad, v));
    let breakdown = breakdown::breakdowns(
        cadvisor.get(),
        &selection,
        backend.kind,
        metrics_api.get(),
        &version,
    );
    let (cpu, cpu_found) = cpu::cpu(&cpu::Inputs {
        ev,
        backend: backend.kind,
        adapter: adapter.as_ref(),
        top: top.get(),
        metrics: metrics_api.get(),
        pod: pod.get(),
        cadvisor: &cad,
        resource: &res,
    });
    let mut lineage = Lineage {
        report_version: REPORT_VERSION,
        producer: Producer::this_build(&ev.ktrace_version),
        summary: Summary {
            question: String::new(),
            number: None,
            lines: Vec::new(),
            cpu: None,
            verdict: Verdict::Consistent,
        },
        target: ev.target.clone(),
        captured_at: ev.captured_at.clone(),
        cluster: ev.cluster.clone(),
        pod,
        top,
        metrics_api,
        backend,
        adapter,
        cpu,
        resource: layer(&s.kubelet_resource, |_| {
            kubelet_body::check_body(&s.kubelet_resource, &res)?;
            Ok(resource_rows(&res))
        }),
        cadvisor,
        breakdown,
        reconciliation,
        findings: Vec::new(),
        sources,
        excerpts: excerpts::excerpts(ev, &cad, &res),
        compare: Vec::new(),
        verdict: Verdict::Consistent,
    };
    // Other tools' queries read the lineage's top, backend and adapter rule.
    lineage.compare = compare::views(ev, &lineage);
    let pod_found = pod_findings::findings(ev, &lineage);
    let explained = pod_found
        .iter()
        .any(|f| f.code == "no-pod-metrics" || f.code == "metrics-api-not-available");
    let mut found = findings::findings(&lineage, &selection.notes, explained);
    found.extend(cpu_found);
    found.extend(pod_found);
    identity::findings(&lineage, &mut found);
    limits::findings(ev, &mut found);
    unreadable::findings(&lineage, &mut found);
    found.extend(selection::repeated_finding(&selection));
    // Sources whose evidence is incomplete (cut at a limit, or lines unreadable): when the
    // lineage needs one, the report cannot be all-clear.
    let mut incomplete = limits::cut_sources(ev);
    for (name, src, parsed, layer) in [
        (
            "kubelet /metrics/cadvisor",
            &s.kubelet_cadvisor,
            &cad,
            lineage.cadvisor.reason(),
        ),
        (
            "kubelet /metrics/resource",
            &s.kubelet_resource,
            &res,
            lineage.resource.reason(),
        ),
    ] {
        if let Some(f) = kubelet_body::finding(name, src, parsed, layer) {
            found.push(f);
            incomplete.push(name.to_string());
        }
    }
    lineage.findings = tidy::tidy(found);
    lineage.verdict = verdict(&lineage, &incomplete);
    lineage.summary = summary::summary(&lineage);
    lineage
}

fn missing<T>(reason: String) -> Layer<T> {
    Layer::Missing { reason }
}

/// The layer read from a source's body, or missing with the source's reason.
fn layer<T>(src: &Source, read: impl FnOnce(&str) -> Result<T, String>) -> Layer<T> {
    match src.body().map(read) {
        Some(Ok(value)) => Layer::Present { value },
        Some(Err(reason)) => missing(reason),
        None => missing(src.missing_reason().unwrap_or_default()),
    }
}

fn resource_rows(parsed: &Exposition) -> Vec<ResourceSample> {
    parsed
        .samples
        .iter()
        .map(|s| ResourceSample {
            metric: s.name.clone(),
            container: s.label_or_empty("container").to_string(),
            value: s.value_text.clone(),
            timestamp_ms: s.timestamp_ms,
        })
        .collect()
}

/// Disagreement first; then a number that counts memory twice (never all-clear, even
/// when every layer agrees); then a missing layer; then drift.
/// The verdict; `incomplete` names the sources whose evidence was cut or partly unreadable.
fn verdict(l: &Lineage, incomplete: &[String]) -> Verdict {
    let cpu_disagrees = l
        .findings
        .iter()
        .any(|f| f.severity == Severity::Disagree && f.code.starts_with("cpu-"));
    if cpu_disagrees || l.reconciliation.iter().any(|r| r.differs) {
        return Verdict::Disagree;
    }
    if l.findings
        .iter()
        .any(|f| f.severity == Severity::DoubleCount)
    {
        return Verdict::Misleading;
    }
    let adapter_missing = l.adapter.as_ref().is_some_and(|a| {
        a.memory
            .get()
            .is_none_or(|rule| rule.result.get().is_none())
    });
    let layer_missing =
        l.metrics_api.get().is_none() || l.cadvisor.get().is_none() || adapter_missing;
    let source_missing = l
        .sources
        .iter()
        .any(|s| s.required && (!s.ok || incomplete.contains(&s.name)));
    let incomplete = l.reconciliation.iter().any(|r| !r.agrees && !r.drift);
    if layer_missing || source_missing || incomplete || l.reconciliation.is_empty() {
        return Verdict::Partial;
    }
    if l.reconciliation.iter().any(|r| r.drift) {
        return Verdict::Drift;
    }
    Verdict::Consistent
}
