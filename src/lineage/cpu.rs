//! The CPU lineage: `kubectl top pod`'s CPU column traced back to the counter samples, on
//! either backend (reference/cpu-node.md §A, §C, §D.2).
//!
//! prometheus-adapter: the cpu rule's answer is recomputed from the raw samples of its range
//! (the `cpu-samples` query) with the answering Prometheus's semantics and compared to the
//! last bit; then `int64(v × 1000)` millicores and kubectl's rounding. metrics-server: the
//! PodMetrics rate, the kubelet's counter, and (with a second kubelet reading) ktrace's own
//! two-point rate as an independent check. Findings tie each oddity to its samples.

mod adapter;
mod engine;
mod findings;
mod group;
mod headline;
mod matrix;
mod metrics_server;
mod pod_findings;
mod series;

use super::model::{
    AdapterView, BackendKind, CpuLineage, CpuPodRow, Finding, Layer, MetricsApiContainer,
    MetricsApiView, PodView, TopPrediction,
};
use crate::evidence::Evidence;
use crate::exposition::parse::Exposition;

pub use crate::promql::answer::prom_float;
pub use headline::headline;

/// What the CPU lineage reads.
#[derive(Clone, Copy)]
pub struct Inputs<'a> {
    /// The evidence.
    pub ev: &'a Evidence,
    /// The backend.
    pub backend: BackendKind,
    /// The adapter layer (adapter only).
    pub adapter: Option<&'a AdapterView>,
    /// The `top` prediction.
    pub top: Option<&'a TopPrediction>,
    /// The PodMetrics.
    pub metrics: Option<&'a MetricsApiView>,
    /// The Pod.
    pub pod: Option<&'a PodView>,
    /// kubelet `/metrics/cadvisor`, parsed.
    pub cadvisor: &'a Exposition<'a>,
    /// kubelet `/metrics/resource`, parsed.
    pub resource: &'a Exposition<'a>,
}

/// The CPU layer and its findings.
pub fn cpu(inputs: &Inputs) -> (Layer<CpuLineage>, Vec<Finding>) {
    let mut found = Vec::new();
    let layer = match (inputs.backend, inputs.adapter) {
        (BackendKind::PrometheusAdapter, Some(adapter)) => {
            match adapter::cpu_lineage(inputs, adapter) {
                Ok((cpu, trace)) => {
                    findings::trace_findings(&cpu, &trace, &mut found);
                    Layer::Present { value: cpu }
                }
                Err(reason) => Layer::Missing { reason },
            }
        }
        (BackendKind::MetricsServer, _) => Layer::Present {
            value: metrics_server::cpu_lineage(inputs),
        },
        _ => Layer::Missing {
            reason: "the Metrics API backend is unknown, so is the CPU path".into(),
        },
    };
    if let Layer::Present { value } = &layer {
        findings::backend_differs(value, &mut found);
    }
    findings::pod_findings(inputs, &mut found);
    (layer, found)
}

/// The container's `top` CPU string and its PodMetrics entry.
fn top_of<'a>(
    inputs: &Inputs<'a>,
    name: &str,
) -> (Option<String>, Option<&'a MetricsApiContainer>) {
    let top = inputs
        .top
        .and_then(|t| t.containers.iter().find(|c| c.name == name))
        .map(|c| c.cpu.clone());
    let api = inputs
        .metrics
        .and_then(|m| m.containers.iter().find(|c| c.name == name));
    (top, api)
}

/// `kubectl top pod NAME`: Σ usage.cpu of the containers, then rounded up once.
fn pod_row(inputs: &Inputs) -> CpuPodRow {
    let (Some(top), Some(api)) = (inputs.top, inputs.metrics) else {
        return CpuPodRow {
            top: None,
            arithmetic: "no PodMetrics to sum".into(),
        };
    };
    let strings: Vec<&str> = api
        .containers
        .iter()
        .map(|c| c.cpu.as_deref().unwrap_or("0"))
        .collect();
    let nanos: i128 = api
        .containers
        .iter()
        .filter_map(|c| c.cpu_nanocores)
        .fold(0, i128::saturating_add);
    let p = &top.pod_row.cpu;
    CpuPodRow {
        top: Some(p.clone()),
        arithmetic: format!(
            "Σ usage.cpu = {} = {nanos}n; rounded up once: ceil({} m) → {p}",
            if strings.is_empty() {
                "0".to_string()
            } else {
                strings.join(" + ")
            },
            millis_text(nanos)
        ),
    }
}

/// Nanocores as exact millicores: `2000002` → `2.000002`.
fn millis_text(nanos: i128) -> String {
    let sign = if nanos < 0 { "-" } else { "" };
    let (whole, frac) = (
        nanos.unsigned_abs() / 1_000_000,
        nanos.unsigned_abs() % 1_000_000,
    );
    if frac == 0 {
        return format!("{sign}{whole}");
    }
    let digits = format!("{frac:06}");
    format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests;
