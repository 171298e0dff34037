//! The evidence of `ktrace node NODE`: what `kubectl top node` and `kubectl describe node`
//! read, and the sources behind NodeMetrics, stored verbatim like the pod's [`Evidence`].
//!
//! A node bundle is told from a pod bundle by its top-level `"kind": "node"`; a bundle
//! without `kind` is a pod bundle (every bundle written before node bundles existed).
//!
//! [`Evidence`]: super::Evidence

use serde::{Deserialize, Serialize};

use super::{ClusterInfo, PromQuery, Source};

/// The `kind` of a node bundle: always `"node"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum NodeKind {
    /// `"node"`.
    #[default]
    #[serde(rename = "node")]
    Node,
}

/// The root of a node evidence bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeEvidence {
    /// Bundle format version; see [`super::SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `"node"`: what tells this bundle from a pod bundle.
    pub kind: NodeKind,
    /// Version of the ktrace that wrote the bundle.
    pub ktrace_version: String,
    /// When the evidence was gathered (RFC 3339, from the fetcher's clock).
    pub captured_at: String,
    /// The node the evidence is about.
    pub target: NodeRef,
    /// Where it was gathered from (no credentials).
    #[serde(default)]
    pub cluster: ClusterInfo,
    /// One entry per source.
    pub sources: NodeSources,
    /// Free-text provenance notes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// A node, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeRef {
    /// Name of the node.
    pub name: String,
}

impl std::fmt::Display for NodeRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

/// Every source of a node trace. Absent entries read as not collected.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeSources {
    /// `GET /api/v1/nodes/NODE` (capacity, allocatable).
    #[serde(default)]
    pub node: Source,
    /// `GET /apis/metrics.k8s.io`: which Metrics API versions the server serves.
    #[serde(default)]
    pub metrics_discovery: Source,
    /// `GET /apis/metrics.k8s.io/VERSION/nodes/NODE`: what `kubectl top node NODE` prints.
    #[serde(default)]
    pub node_metrics: Source,
    /// The node's non-terminated pods as `kubectl describe node` lists them:
    /// `GET /api/v1/pods?fieldSelector=spec.nodeName%3DNODE%2Cstatus.phase%21%3DSucceeded%2Cstatus.phase%21%3DFailed&limit=500`
    /// (`request` is the first page; later pages, if any, are merged into one PodList
    /// body and counted in `filter`). Redacted (env values) before storage.
    #[serde(default)]
    pub pods: Source,
    /// `GET /apis/metrics.k8s.io/VERSION/pods` (all namespaces), keeping only the items of
    /// the pods in [`NodeSources::pods`]; `filter` says how many were kept of how many.
    #[serde(default)]
    pub pod_metrics: Source,
    /// `GET /apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.k8s.io`.
    #[serde(default)]
    pub apiservice: Source,
    /// The Deployment behind the APIService's Service (redacted).
    #[serde(default)]
    pub backend_deployment: Source,
    /// The ConfigMap holding the prometheus-adapter config.
    #[serde(default)]
    pub adapter_config: Source,
    /// The adapter's node queries (`node-memory`, `node-cpu`, `node-cpu-samples`,
    /// `node-meminfo`) at the NodeMetrics `timestamp`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prometheus: Vec<PromQuery>,
    /// `GET /api/v1/status/buildinfo` of the adapter's Prometheus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prometheus_buildinfo: Option<Source>,
    /// kubelet `/metrics/cadvisor`: only the root cgroup (`id="/"`) and the pod-level
    /// cgroups' lines (plus their HELP/TYPE).
    #[serde(default)]
    pub kubelet_cadvisor: Source,
    /// kubelet `/metrics/resource`: only the lines without a `container` label (the
    /// `node_*` and `pod_*` series, scrape errors), plus their HELP/TYPE.
    #[serde(default)]
    pub kubelet_resource: Source,
}

impl NodeSources {
    /// Every stored source by its bundle name, queries as `prometheus[i]`, in bundle order.
    pub fn named(&self) -> Vec<(String, &Source)> {
        let mut all: Vec<(String, &Source)> = [
            ("node", &self.node),
            ("metrics_discovery", &self.metrics_discovery),
            ("node_metrics", &self.node_metrics),
            ("pods", &self.pods),
            ("pod_metrics", &self.pod_metrics),
            ("apiservice", &self.apiservice),
            ("backend_deployment", &self.backend_deployment),
            ("adapter_config", &self.adapter_config),
        ]
        .into_iter()
        .map(|(n, s)| (n.to_string(), s))
        .collect();
        all.extend(
            self.prometheus
                .iter()
                .enumerate()
                .map(|(i, q)| (format!("prometheus[{i}]"), &q.source)),
        );
        if let Some(b) = &self.prometheus_buildinfo {
            all.push(("prometheus_buildinfo".into(), b));
        }
        all.push(("kubelet_cadvisor".into(), &self.kubelet_cadvisor));
        all.push(("kubelet_resource".into(), &self.kubelet_resource));
        all
    }
}

#[cfg(test)]
mod tests;
