//! The evidence: what ktrace gathered, stored verbatim.
//!
//! A live fetch produces an [`Evidence`] value and a bundle file is exactly that value
//! serialized as JSON, so live runs and replays share every line of code after the fetch.
//! Payloads are kept as the source sent them (a JSON body is a string, not a parsed tree);
//! all interpretation happens in `lineage`. Nothing here knows about credentials: the
//! fetch layer never hands a token, key or Authorization header to this module.
//!
//! The wire format is documented in `docs/bundle-format.md`.

mod bundle;
mod node;
mod quote;

pub use bundle::{
    AnyEvidence, BundleError, OLDEST_SCHEMA_VERSION, SCHEMA_VERSION, read_any_bundle, read_bundle,
    read_node_bundle, write_bundle,
};
pub use node::{NodeEvidence, NodeKind, NodeRef, NodeSources};
pub use quote::{QUOTE_CHARS, quote_head};

use serde::{Deserialize, Serialize};

/// The phrase every size-limit message starts with (in a source's `error` when the answer
/// was not kept, in its `filter` note when kubelet lines were kept up to the limit), so a
/// reader — and `lineage` — can tell a cut source from a complete one.
pub const LIMIT_REACHED: &str = "ktrace limit reached";

/// In a kubelet source's `filter` note, after a count: lines that mention the pod but
/// could not be read (e.g. `; 3 lines mention the pod but could not be read (2 kept)`).
pub const UNREADABLE_LINES: &str = "lines mention the pod but could not be read";

/// In a kubelet source's `filter` note: no line of the body was in the text format; the
/// note goes on with `; it begins "…"`.
pub const UNREADABLE_BODY: &str = "no line of the body is in the Prometheus text format";

/// The root of an evidence bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Bundle format version; see [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Version of the ktrace that wrote the bundle.
    pub ktrace_version: String,
    /// When the evidence was gathered (RFC 3339, from the fetcher's clock).
    pub captured_at: String,
    /// The pod the evidence is about.
    pub target: PodRef,
    /// Where it was gathered from (no credentials).
    #[serde(default)]
    pub cluster: ClusterInfo,
    /// One entry per source.
    pub sources: Sources,
    /// Free-text provenance notes (e.g. how a fixture was made).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The other tools' queries asked for (issue 12): each a tool tag as resolved
    /// (`console@4.3`) or `query:<the filled PromQL>`; empty when none was asked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compare: Vec<String>,
}

/// A pod, by namespace and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodRef {
    /// Namespace of the pod.
    pub namespace: String,
    /// Name of the pod.
    pub name: String,
}

impl std::fmt::Display for PodRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

/// Which cluster the evidence came from. Never holds a credential.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClusterInfo {
    /// kubeconfig context name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// API server URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// `gitVersion` from `/version`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// Every source ktrace knows how to gather. Absent entries read as not collected.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sources {
    /// `GET /api/v1/namespaces/NS/pods/NAME`.
    #[serde(default)]
    pub pod: Source,
    /// `GET /apis/metrics.k8s.io`: which Metrics API versions the server serves.
    #[serde(default)]
    pub metrics_discovery: Source,
    /// `GET /apis/metrics.k8s.io/VERSION/namespaces/NS/pods/NAME`.
    #[serde(default)]
    pub pod_metrics: Source,
    /// `GET /apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.k8s.io`.
    #[serde(default)]
    pub apiservice: Source,
    /// The Deployment behind the APIService's Service.
    #[serde(default)]
    pub backend_deployment: Source,
    /// The ConfigMap holding the prometheus-adapter config.
    #[serde(default)]
    pub adapter_config: Source,
    /// Queries run against the adapter's Prometheus.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prometheus: Vec<PromQuery>,
    /// kubelet `/metrics/cadvisor`, only this pod's lines (plus their HELP/TYPE).
    #[serde(default)]
    pub kubelet_cadvisor: Source,
    /// kubelet `/metrics/resource`, only this pod's lines (plus their HELP/TYPE).
    #[serde(default)]
    pub kubelet_resource: Source,
    /// A second `/metrics/resource` reading taken `--cpu-sample` after the first, for
    /// ktrace's own two-point CPU rate (never metrics-server's value); absent by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubelet_resource_second: Option<Source>,
    /// `GET /api/v1/status/buildinfo` of the adapter's Prometheus: its version decides the
    /// range semantics (closed before 3.0, left-open from 3.0) the CPU recomputation uses.
    /// Absent in bundles from before schema 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prometheus_buildinfo: Option<Source>,
}

/// One request and what came back. In a bundle it must be a JSON object: serde would also
/// read a struct from an array (`"pod": []` as an absent Pod), which a bundle never means.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
pub struct Source {
    /// The request as a user could repeat it: an API path (`/api/v1/...`) or a full URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    /// When the answer arrived (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched_at: Option<String>,
    /// What happened.
    #[serde(default)]
    pub outcome: Outcome,
}

impl Serialize for Source {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Source::serialize(self, s)
    }
}

impl<'de> Deserialize<'de> for Source {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ObjectOnly;
        impl<'de> serde::de::Visitor<'de> for ObjectOnly {
            type Value = Source;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a source object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Source, A::Error> {
                Source::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(ObjectOnly)
    }
}

/// The result of one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// The source answered with a success status; `body` is verbatim (or the kept lines, see `filter`).
    Ok {
        /// HTTP status code.
        http_status: u16,
        /// Response body as text.
        body: String,
        /// When only part of the body was kept: which lines and why.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        filter: Option<String>,
    },
    /// The request was made and failed.
    Failed {
        /// HTTP status, if a response arrived.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        http_status: Option<u16>,
        /// What went wrong, in words (server message, timeout, connection error).
        error: String,
        /// The RBAC permission that would allow it, e.g. `get nodes/proxy`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        needs: Option<String>,
    },
    /// The request was not made.
    NotCollected {
        /// Why not (e.g. the layer before it failed, or the backend does not use it).
        reason: String,
    },
}

impl Default for Outcome {
    fn default() -> Self {
        Outcome::NotCollected {
            reason: "not present in the evidence".to_string(),
        }
    }
}

impl Source {
    /// The body when the source answered successfully.
    pub fn body(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::Ok { body, .. } => Some(body),
            _ => None,
        }
    }

    /// A one-line reason when the source has no usable body.
    pub fn missing_reason(&self) -> Option<String> {
        match &self.outcome {
            Outcome::Ok { .. } => None,
            Outcome::Failed {
                http_status,
                error,
                needs,
            } => {
                let mut s = match http_status {
                    Some(code) => format!("HTTP {code}: {error}"),
                    None => error.clone(),
                };
                if let Some(n) = needs {
                    s.push_str(&format!(" (needs RBAC `{n}`)"));
                }
                Some(s)
            }
            Outcome::NotCollected { reason } => Some(format!("not collected: {reason}")),
        }
    }
}

/// A PromQL instant query run against the adapter's Prometheus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromQuery {
    /// What the query is for: `memory`, `cpu` (the adapter's rules) or `raw-series`.
    pub purpose: QueryPurpose,
    /// The PromQL text exactly as sent.
    pub query: String,
    /// The evaluation time sent with the query (`time=`, Unix seconds), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// Request and raw JSON response.
    pub source: Source,
}

/// What a Prometheus query is for. Stored in a bundle as its name (`"memory"`, `"cpu"`,
/// `"raw-series"`); a name this ktrace does not know (a newer or edited bundle) is kept as
/// [`QueryPurpose::Other`], so the bundle still reads and writes back unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum QueryPurpose {
    /// The adapter's `resourceRules.memory` container query.
    Memory,
    /// The adapter's `resourceRules.cpu` container query.
    Cpu,
    /// The pod's `container_memory_*` series as Prometheus stores them.
    RawSeries,
    /// The raw samples the cpu rule's range function reads: its selector with its range
    /// (`x{...}[5m]`), as an instant query at the same time (a matrix answer).
    CpuSamples,
    /// The adapter's `resourceRules.memory` node query, rendered for one node.
    NodeMemory,
    /// The adapter's `resourceRules.cpu` node query, rendered for one node.
    NodeCpu,
    /// The raw samples the cpu node query's (first) range function reads, as an instant
    /// query at the same time (a matrix answer).
    NodeCpuSamples,
    /// node-exporter's `node_memory_MemTotal_bytes` and `node_memory_MemAvailable_bytes`
    /// of the node, under the memory rule's node label.
    NodeMeminfo,
    /// A purpose this ktrace does not know, by its stored name.
    Other(String),
}

impl QueryPurpose {
    /// The name stored in bundles and shown in reports.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Memory => "memory",
            Self::Cpu => "cpu",
            Self::RawSeries => "raw-series",
            Self::CpuSamples => "cpu-samples",
            Self::NodeMemory => "node-memory",
            Self::NodeCpu => "node-cpu",
            Self::NodeCpuSamples => "node-cpu-samples",
            Self::NodeMeminfo => "node-meminfo",
            Self::Other(name) => name,
        }
    }
}

impl QueryPurpose {
    /// True for the purposes of a node trace (`node-*`).
    pub fn is_node(&self) -> bool {
        matches!(
            self,
            Self::NodeMemory | Self::NodeCpu | Self::NodeCpuSamples | Self::NodeMeminfo
        )
    }
}

impl From<String> for QueryPurpose {
    fn from(name: String) -> Self {
        match name.as_str() {
            "memory" => Self::Memory,
            "cpu" => Self::Cpu,
            "raw-series" => Self::RawSeries,
            "cpu-samples" => Self::CpuSamples,
            "node-memory" => Self::NodeMemory,
            "node-cpu" => Self::NodeCpu,
            "node-cpu-samples" => Self::NodeCpuSamples,
            "node-meminfo" => Self::NodeMeminfo,
            _ => Self::Other(name),
        }
    }
}

impl From<QueryPurpose> for String {
    fn from(purpose: QueryPurpose) -> Self {
        match purpose {
            QueryPurpose::Other(name) => name,
            known => known.as_str().to_string(),
        }
    }
}

impl std::fmt::Display for QueryPurpose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests;
