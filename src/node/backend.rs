//! The source value behind NodeMetrics: what the backend read for the node, and whether
//! NodeMetrics carries it unchanged (reference/cpu-node.md §B, §C; dataflow.md §3.7, §7).
//!
//! * metrics-server: NodeMetrics memory is the kubelet's `node_memory_working_set_bytes`
//!   (`/metrics/resource`, the root cgroup `/`) of metrics-server's last scrape; its CPU the
//!   rate between two readings of `node_cpu_usage_seconds_total` (`prev` and `last`, kept
//!   inside metrics-server: one reading cannot reproduce it).
//! * prometheus-adapter: the rules' node queries, answered by Prometheus at the NodeMetrics
//!   timestamp, become `int64(v × 1000)` milli quantities. The memory answer is recomputed
//!   from node-exporter's MemTotal and MemAvailable, the CPU answer from the raw idle
//!   samples, bit for bit, when the evidence tells which series are the node's.
//! * Both: the root cgroup from `/metrics/cadvisor` (`id="/"`), its working set decomposed
//!   as the pod report does, and the Σ of the pod-level cgroups against it.
//!
//! Pure and total: bodies in, a model and findings out; no I/O, no clock.

mod adapter;
mod cgroup;
mod findings;
mod kubelet;
mod promjson;

use serde::Serialize;
use serde_json::Value;

use super::findings::NodeFinding;
use super::model::{Input, Unavailable};
use crate::evidence::{PromQuery, Source};
use crate::lineage::model::{BackendKind, Breakdown, Layer};
use crate::quantity::Quantity;

pub use adapter::{AdapterNode, AnswerView, CpuRecompute, MeminfoView, SeriesCalc};
pub use cgroup::{PodCgroups, RootCgroup};
pub use findings::headline;
pub use kubelet::{KubeletNode, KubeletSample};

/// The backend evidence the node lineage reads; every field is optional, and a caller that
/// has none (the default) gets no backend lineage and no backend findings.
#[derive(Debug, Clone, Default)]
pub struct BackendInputs<'a> {
    /// The APIService `v1beta1.metrics.k8s.io` (which backend serves NodeMetrics).
    pub apiservice: Option<Input<'a>>,
    /// kubelet `/metrics/resource` (node and pod lines), or why it is missing.
    pub kubelet_resource: Option<Result<&'a str, Unavailable>>,
    /// kubelet `/metrics/cadvisor` (root and pod cgroup lines), or why it is missing.
    pub kubelet_cadvisor: Option<Result<&'a str, Unavailable>>,
    /// The adapter's node queries as sent and answered (`node-memory`, `node-cpu`,
    /// `node-cpu-samples`, `node-meminfo`).
    pub prometheus: &'a [PromQuery],
    /// `/api/v1/status/buildinfo` of that Prometheus.
    pub buildinfo: Option<&'a Source>,
}

impl BackendInputs<'_> {
    /// True when the caller passed any backend evidence at all.
    pub fn provided(&self) -> bool {
        self.apiservice.is_some()
            || self.kubelet_resource.is_some()
            || self.kubelet_cadvisor.is_some()
            || !self.prometheus.is_empty()
            || self.buildinfo.is_some()
    }
}

/// The node report's backend lineage (`report.backend`).
#[derive(Debug, Clone, Serialize)]
pub struct NodeBackend {
    /// Which backend serves NodeMetrics.
    pub backend: BackendKind,
    /// How that was told (`APIService spec.service monitoring/prometheus-adapter`).
    pub backend_evidence: String,
    /// NodeMetrics as sent (usage, timestamp, window), if readable.
    pub node_metrics: Option<NodeMetricsRaw>,
    /// The kubelet's node series from `/metrics/resource`.
    pub kubelet: Layer<KubeletNode>,
    /// The root cgroup and the pod-level cgroups from `/metrics/cadvisor`.
    pub cadvisor: Layer<RootCgroup>,
    /// The adapter's node queries and their recomputation (prometheus-adapter only).
    pub adapter: Layer<AdapterNode>,
    /// NodeMetrics memory against its source value.
    pub memory: SourceCheck,
    /// NodeMetrics CPU against its source value.
    pub cpu: SourceCheck,
}

/// NodeMetrics as sent.
#[derive(Debug, Clone, Serialize)]
pub struct NodeMetricsRaw {
    /// `timestamp` as sent.
    pub timestamp: Option<String>,
    /// `timestamp` in Unix milliseconds.
    pub timestamp_ms: Option<i64>,
    /// `window` as sent (`15.012s`).
    pub window: Option<String>,
    /// `usage.cpu` as sent (`1200000000n`, `11m`).
    pub cpu: Option<String>,
    /// `usage.cpu` in nanocores.
    pub cpu_nanocores: Option<i128>,
    /// `usage.memory` as sent (`917110784`, `462660Ki`).
    pub memory: Option<String>,
    /// `usage.memory` in bytes, rounded up as `Value()` does.
    pub memory_bytes: Option<i128>,
    /// `usage.memory` in nanobytes (exact, for milli comparisons).
    #[serde(skip)]
    pub memory_nanos: Option<i128>,
}

/// How one NodeMetrics number compares with what the backend read.
#[derive(Debug, Clone, Serialize)]
pub struct SourceCheck {
    /// `exact`, `drift`, `differs`, `not-comparable` or `missing`.
    pub status: String,
    /// The source and its value (`kubelet node_memory_working_set_bytes 917110784`).
    pub source: String,
    /// The comparison in exact units, one line.
    pub arithmetic: String,
}

/// The backend lineage and its findings; `None` when no backend evidence was passed.
pub fn analyze(
    node: &str,
    node_metrics: &Input,
    inputs: &BackendInputs,
) -> Option<(Layer<NodeBackend>, Vec<NodeFinding>)> {
    if !inputs.provided() {
        return None;
    }
    let (backend, backend_evidence) = backend_kind(inputs);
    let raw = node_metrics.as_ref().ok().map(|v| node_metrics_raw(v));
    let kubelet = text_layer(&inputs.kubelet_resource, "/metrics/resource", kubelet::read);
    let cadvisor = text_layer(&inputs.kubelet_cadvisor, "/metrics/cadvisor", cgroup::read);
    let adapter = if backend == BackendKind::PrometheusAdapter || !inputs.prometheus.is_empty() {
        adapter::read(inputs.prometheus, inputs.buildinfo, node)
    } else {
        Layer::Missing {
            reason: format!(
                "{} serves NodeMetrics: no adapter queries",
                backend.as_str()
            ),
        }
    };
    let mut b = NodeBackend {
        backend,
        backend_evidence,
        node_metrics: raw,
        kubelet,
        cadvisor,
        adapter,
        memory: findings::pending(),
        cpu: findings::pending(),
    };
    let found = findings::compare(node, inputs, &mut b);
    Some((Layer::Present { value: b }, found))
}

fn text_layer<T>(
    src: &Option<Result<&str, Unavailable>>,
    what: &str,
    read: fn(&str) -> Result<T, String>,
) -> Layer<T> {
    let r = match src {
        None => Err(format!("kubelet {what} was not collected")),
        Some(Err(u)) => Err(format!("kubelet {what} is missing: {}", u.reason)),
        Some(Ok(body)) => read(body),
    };
    match r {
        Ok(value) => Layer::Present { value },
        Err(reason) => Layer::Missing { reason },
    }
}

/// The backend from the APIService's `spec.service`, else from which evidence is there.
fn backend_kind(inputs: &BackendInputs) -> (BackendKind, String) {
    let svc = match &inputs.apiservice {
        Some(Ok(v)) => v.pointer("/spec/service").cloned(),
        _ => None,
    };
    if let Some(svc) = svc.filter(|s| !s.is_null()) {
        let name = svc.get("name").and_then(Value::as_str).unwrap_or("");
        let ns = svc.get("namespace").and_then(Value::as_str).unwrap_or("");
        let kind = if name.contains("prometheus-adapter") || name.contains("custom-metrics") {
            BackendKind::PrometheusAdapter
        } else if name.contains("metrics-server") {
            BackendKind::MetricsServer
        } else {
            BackendKind::Unknown
        };
        return (kind, format!("APIService spec.service {ns}/{name}"));
    }
    if inputs.prometheus.iter().any(|q| q.purpose.is_node()) {
        let why = "no readable APIService; the evidence holds the adapter's node queries";
        return (BackendKind::PrometheusAdapter, why.into());
    }
    (
        BackendKind::Unknown,
        "no readable APIService and no adapter queries".into(),
    )
}

fn node_metrics_raw(v: &Value) -> NodeMetricsRaw {
    let s = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_owned);
    let q = |p: &str| -> Option<Quantity> { super::parse_value(v.pointer(p)?, p).ok() };
    let timestamp = s("/timestamp");
    NodeMetricsRaw {
        timestamp_ms: timestamp
            .as_deref()
            .and_then(crate::lineage::time::rfc3339_ms),
        timestamp,
        window: s("/window"),
        cpu: s("/usage/cpu"),
        cpu_nanocores: q("/usage/cpu").map(|q| q.nanos()),
        memory: s("/usage/memory"),
        memory_bytes: q("/usage/memory").map(|q| q.value_ceil()),
        memory_nanos: q("/usage/memory").map(|q| q.nanos()),
    }
}

/// The decomposition of the root cgroup's working set, if cAdvisor gave one.
pub fn root_breakdown(b: &NodeBackend) -> Option<&Breakdown> {
    b.cadvisor.get().map(|c| &c.breakdown)
}

#[cfg(test)]
mod tests;
