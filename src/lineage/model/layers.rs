//! What each layer says: the Pod, the `top` prediction, the Metrics API object, the
//! backend and its rules, and the kubelet's samples.

use serde::Serialize;

use super::Layer;

/// What the Pod object says.
#[derive(Debug, Clone, Serialize)]
pub struct PodView {
    /// `status.phase`.
    pub phase: String,
    /// `spec.nodeName`.
    pub node: Option<String>,
    /// `metadata.uid`.
    pub uid: Option<String>,
    /// `status.startTime`.
    pub start_time: Option<String>,
    /// `status.qosClass`.
    pub qos_class: Option<String>,
    /// Per container in the spec.
    pub containers: Vec<PodContainer>,
}

/// One container of the Pod.
#[derive(Debug, Clone, Serialize)]
pub struct PodContainer {
    /// Name.
    pub name: String,
    /// `resources.requests.memory` as written.
    pub memory_request: Option<String>,
    /// `resources.limits.memory` as written.
    pub memory_limit: Option<String>,
    /// The limit in bytes.
    pub memory_limit_bytes: Option<i128>,
    /// `resources.requests.cpu` as written.
    pub cpu_request: Option<String>,
    /// `resources.limits.cpu` as written.
    pub cpu_limit: Option<String>,
    /// The CPU request in millicores (rounded up, as `MilliValue()`).
    pub cpu_request_millicores: Option<i128>,
    /// The CPU limit in millicores (rounded up, as `MilliValue()`).
    pub cpu_limit_millicores: Option<i128>,
    /// `restartCount`.
    pub restarts: Option<u64>,
    /// `lastState.terminated.reason` and `finishedAt`, e.g. `OOMKilled at 2021-11-05T14:00:00Z`.
    pub last_termination: Option<String>,
}

/// The `kubectl top pod` output ktrace predicts, with the arithmetic.
#[derive(Debug, Clone, Serialize)]
pub struct TopPrediction {
    /// The pod row (`kubectl top pod NAME`).
    pub pod_row: TopRow,
    /// The rows of `kubectl top pod NAME --containers`, in kubectl's order (by name, bytewise).
    pub containers: Vec<TopRow>,
    /// How the pod row's memory was summed, e.g. `176Ki + 86704Ki = 180224 + 88784896 = 88965120 B`.
    pub memory_sum: String,
}

/// One printed row.
#[derive(Debug, Clone, Serialize)]
pub struct TopRow {
    /// Pod or container name.
    pub name: String,
    /// The CPU(cores) column exactly as printed.
    pub cpu: String,
    /// The MEMORY(bytes) column exactly as printed.
    pub memory: String,
    /// Memory in bytes before formatting.
    pub memory_bytes: i128,
    /// The arithmetic behind `cpu`.
    pub cpu_arithmetic: String,
    /// The arithmetic behind `memory`.
    pub memory_arithmetic: String,
}

/// The PodMetrics object as read.
#[derive(Debug, Clone, Serialize)]
pub struct MetricsApiView {
    /// `apiVersion` of the object.
    pub api_version: String,
    /// `timestamp`.
    pub timestamp: Option<String>,
    /// `window`.
    pub window: Option<String>,
    /// `containers[]` in the order the backend sent them.
    pub containers: Vec<MetricsApiContainer>,
}

/// One `containers[]` entry.
#[derive(Debug, Clone, Serialize)]
pub struct MetricsApiContainer {
    /// Container name.
    pub name: String,
    /// `usage.memory` as sent.
    pub memory: Option<String>,
    /// `usage.memory` in bytes (Value(): rounded up to a whole byte).
    pub memory_bytes: Option<i128>,
    /// `usage.memory` exactly, in nano-bytes (for exact sums of fractional quantities).
    pub memory_nanos: Option<i128>,
    /// `usage.cpu` as sent.
    pub cpu: Option<String>,
    /// `usage.cpu` in nanocores.
    pub cpu_nanocores: Option<i128>,
}

/// What serves `metrics.k8s.io`.
#[derive(Debug, Clone, Serialize)]
pub struct BackendView {
    /// `prometheus-adapter`, `metrics-server`, or `unknown`.
    pub kind: BackendKind,
    /// `namespace/name` of the APIService's Service.
    pub service: Option<String>,
    /// The APIService `Available` condition, e.g. `True` or `False (FailedDiscoveryCheck: …)`.
    pub available: Option<String>,
    /// Why the APIService could not be read, if it could not.
    pub apiservice_missing: Option<String>,
    /// The backend Deployment, if read.
    pub deployment: Option<DeploymentView>,
}

/// The kind of Metrics API backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BackendKind {
    /// prometheus-adapter (OpenShift ≤ 4.15, kube-prometheus).
    PrometheusAdapter,
    /// metrics-server.
    MetricsServer,
    /// Could not be told.
    Unknown,
}

impl BackendKind {
    /// Display name.
    pub fn as_str(self) -> &'static str {
        match self {
            BackendKind::PrometheusAdapter => "prometheus-adapter",
            BackendKind::MetricsServer => "metrics-server",
            BackendKind::Unknown => "unknown",
        }
    }
}

/// The backend's Deployment.
#[derive(Debug, Clone, Serialize)]
pub struct DeploymentView {
    /// `namespace/name`.
    pub name: String,
    /// Image of the backend container.
    pub image: Option<String>,
    /// Its args, verbatim.
    pub args: Vec<String>,
}

/// prometheus-adapter: rules, rendered queries and results.
#[derive(Debug, Clone, Serialize)]
pub struct AdapterView {
    /// Where the config came from, e.g. `ConfigMap openshift-monitoring/adapter-config, key config.yaml`.
    pub config_source: Layer<String>,
    /// `resourceRules.window` (reported as PodMetrics `window`).
    pub window: Option<String>,
    /// `--prometheus-url` from the Deployment.
    pub prometheus_url: Option<String>,
    /// The memory rule.
    pub memory: Layer<RuleView>,
    /// The cpu rule.
    pub cpu: Layer<RuleView>,
    /// The pod's `container_memory_*` series as Prometheus stores them (the `raw-series` query).
    pub stored_series: Option<Layer<Vec<PromSample>>>,
}

impl AdapterView {
    /// The memory and cpu rules, each with its resource name.
    pub fn rules(&self) -> [(&'static str, &Layer<RuleView>); 2] {
        [("memory", &self.memory), ("cpu", &self.cpu)]
    }
}

impl BackendView {
    /// The APIService's Service as `namespace/name`, or why the APIService is unknown.
    pub fn service_text(&self) -> String {
        self.service
            .clone()
            .or(self.apiservice_missing.clone())
            .unwrap_or_default()
    }
}

/// One resource rule, rendered for this pod, and what the query returned.
#[derive(Debug, Clone, Serialize)]
pub struct RuleView {
    /// `containerQuery` template as configured.
    pub template: String,
    /// `containerLabel`.
    pub container_label: String,
    /// The query rendered for this pod exactly as the adapter renders it.
    pub rendered: String,
    /// The query text found in the evidence (what was actually run), if any.
    pub ran: Option<String>,
    /// The query's result, one row per returned sample.
    pub result: Layer<Vec<PromSample>>,
}

/// One sample of a Prometheus instant-query result.
#[derive(Debug, Clone, Serialize)]
pub struct PromSample {
    /// Its labels.
    pub labels: Vec<(String, String)>,
    /// The value string as returned.
    pub value: String,
    /// The evaluation timestamp as returned (seconds).
    pub timestamp: String,
    /// Why the sample cannot be read (a value that is no JSON string, no value pair), with
    /// `value` then the verbatim JSON; such a sample is never taken as a number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<String>,
}

impl PromSample {
    /// The value of label `name`, if the sample has it.
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One sample line of `/metrics/resource`.
#[derive(Debug, Clone, Serialize)]
pub struct ResourceSample {
    /// Metric name.
    pub metric: String,
    /// `container` label (empty for pod-level metrics).
    pub container: String,
    /// Value as written.
    pub value: String,
    /// Sample timestamp (ms), if present.
    pub timestamp_ms: Option<i64>,
}

/// The pod's cAdvisor series.
#[derive(Debug, Clone, Serialize)]
pub struct CadvisorView {
    /// One row per cgroup (`id`), pod cgroup first, then pause, then containers.
    pub cgroups: Vec<CgroupRow>,
    /// Which label scheme the series use: `pod/container`, `pod_name/container_name` or both.
    pub label_scheme: String,
    /// Lines that could not be parsed.
    pub parse_issues: Vec<String>,
}

/// What a cgroup is, from its labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CgroupRole {
    /// The pod-level cgroup (`container=""`, `image=""`).
    PodCgroup,
    /// The pause/infra container labelled `container="POD"` (CRI-O, docker).
    Pause,
    /// The sandbox with `container=""` and a pause image (containerd).
    Sandbox,
    /// An application container.
    App,
    /// Another unlabelled cgroup under the pod's (e.g. CRI-O's `crio-conmon-<id>.scope`).
    Other,
}

impl CgroupRole {
    /// Short label for tables.
    pub fn as_str(self) -> &'static str {
        match self {
            CgroupRole::PodCgroup => "pod cgroup",
            CgroupRole::Pause => "pause (POD)",
            CgroupRole::Sandbox => "sandbox",
            CgroupRole::App => "container",
            CgroupRole::Other => "other cgroup",
        }
    }
}

/// One cgroup of the pod with its memory samples.
#[derive(Debug, Clone, Serialize)]
pub struct CgroupRow {
    /// Role from the labels.
    pub role: CgroupRole,
    /// `container` (or `container_name`) label.
    pub container: String,
    /// `id` label (cgroup path).
    pub id: String,
    /// `image` label.
    pub image: String,
    /// Full label set of its working-set series.
    pub labels: Vec<(String, String)>,
    /// Memory samples by short name (`working_set`, `usage`, `rss`, ...).
    pub memory: Vec<MemSample>,
    /// The working-set arithmetic check.
    pub ws_check: String,
    /// Whether the check could be made and held.
    pub ws_check_ok: Option<bool>,
}

impl CgroupRow {
    /// Its memory sample with this short name (`working_set`, `usage`, ...), if exported.
    pub fn sample(&self, name: &str) -> Option<&MemSample> {
        self.memory.iter().find(|m| m.name == name)
    }

    /// The value in bytes of its memory sample with this short name, if exported.
    pub fn bytes(&self, name: &str) -> Option<i128> {
        self.sample(name).map(|m| m.bytes)
    }
}

/// One memory sample.
#[derive(Debug, Clone, Serialize)]
pub struct MemSample {
    /// Short name, e.g. `working_set`.
    pub name: String,
    /// Full metric name.
    pub metric: String,
    /// Value as written.
    pub value_text: String,
    /// Value in bytes (whole).
    pub bytes: i128,
    /// Sample timestamp in ms.
    pub timestamp_ms: Option<i64>,
}
