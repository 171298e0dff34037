//! The CPU lineage (`report.cpu`): per container, `top`'s CPU string ← the PodMetrics
//! quantity ← the backend's value ← the counter samples it was computed from, with every
//! step's arithmetic. Field names are the JSON contract of docs/report-format.md.

use serde::Serialize;

use super::BackendKind;

/// The CPU column of `kubectl top pod`, traced to its counter samples.
#[derive(Debug, Clone, Serialize)]
pub struct CpuLineage {
    /// `prometheus-adapter` or `metrics-server`.
    pub backend: BackendKind,
    /// The Prometheus release whose semantics the recomputation applied (adapter only).
    pub engine: Option<CpuEngine>,
    /// `irate`, `rate` or `increase`: the cpu rule's range function (adapter only).
    pub function: Option<String>,
    /// The rule's range as written, e.g. `5m` (adapter only).
    pub range: Option<String>,
    /// The rule's evaluation time (`time=` of the cpu query), RFC 3339 (adapter only).
    pub eval_time: Option<String>,
    /// PodMetrics `window` (metrics-server: the time between its two kubelet points).
    pub window: Option<String>,
    /// PodMetrics `timestamp`.
    pub timestamp: Option<String>,
    /// One per container, in `kubectl top pod --containers` order.
    pub containers: Vec<CpuContainer>,
    /// The pod row of `kubectl top pod NAME`.
    pub pod_row: CpuPodRow,
    /// What is missing for a full trace, each with how to get it by hand.
    pub missing: Vec<String>,
}

/// Which Prometheus semantics were applied, and why.
#[derive(Debug, Clone, Serialize)]
pub struct CpuEngine {
    /// buildinfo's `data.version` as sent, or `None` when there is none.
    pub version: Option<String>,
    /// The release applied, e.g. `2.42`.
    pub applied: String,
    /// The range semantics in words, e.g. `2.x: closed range [T−R, T]`.
    pub semantics: String,
    /// Why this release: buildinfo said so, or why it is an assumption.
    pub why: String,
}

/// One container's CPU lineage.
#[derive(Debug, Clone, Serialize)]
pub struct CpuContainer {
    /// Container name.
    pub name: String,
    /// The CPU string `kubectl top pod --containers` prints, e.g. `19m`.
    pub top: Option<String>,
    /// PodMetrics `usage.cpu` as sent.
    pub metrics_api: Option<String>,
    /// PodMetrics `usage.cpu` in nanocores.
    pub metrics_api_nanocores: Option<i128>,
    /// The cpu rule answer's value string as Prometheus sent it.
    pub backend_value: Option<String>,
    /// ktrace's recomputation, written as Prometheus writes floats.
    pub recomputed: Option<String>,
    /// True iff `recomputed` and `backend_value` are the same float64 bits.
    pub bit_exact: Option<bool>,
    /// `int64(backend_value × 1000)`, what prometheus-adapter puts in PodMetrics.
    pub adapter_millicores: Option<i64>,
    /// The counter series the value was computed from (metrics-server: the kubelet readings).
    pub series: Vec<CpuSeries>,
    /// One line from the samples to the printed string.
    pub arithmetic: String,
    /// How the value came about in plain words, e.g. `irate over the last two samples 30 s
    /// apart (0.57 s of CPU in 30 s)`.
    pub in_words: Option<String>,
    /// Why there is no recomputation, when there is none.
    pub not_recomputed: Option<String>,
    /// metrics-server: the kubelet's current counter and its sample time.
    pub kubelet: Option<KubeletCpu>,
    /// metrics-server: ktrace's own two-point rate from two kubelet readings.
    pub own_check: Option<String>,
}

/// One counter series and what the range function made of it.
#[derive(Debug, Clone, Serialize)]
pub struct CpuSeries {
    /// Its labels, as sent.
    pub labels: Vec<(String, String)>,
    /// Every raw sample in the window.
    pub samples: Vec<CpuSampleView>,
    /// Indexes into `samples` that the function used.
    pub used: Vec<usize>,
    /// The recomputed value for this series (Prometheus float text), if any.
    pub value: Option<String>,
    /// One line of arithmetic (or why there is no value).
    pub arithmetic: String,
}

/// One raw sample as a report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct CpuSampleView {
    /// RFC 3339.
    pub t: String,
    /// Its age against the evaluation time (or the PodMetrics timestamp).
    pub age: String,
    /// The value as sent.
    pub value: String,
}

/// The kubelet's `container_cpu_usage_seconds_total` reading.
#[derive(Debug, Clone, Serialize)]
pub struct KubeletCpu {
    /// The value as written.
    pub value: String,
    /// Its sample time, RFC 3339 with its age against the PodMetrics timestamp.
    pub at: Option<String>,
}

/// The pod row of `kubectl top pod NAME`.
#[derive(Debug, Clone, Serialize)]
pub struct CpuPodRow {
    /// The CPU string printed.
    pub top: Option<String>,
    /// Σ containers, then rounded up once.
    pub arithmetic: String,
}
