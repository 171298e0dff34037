//! What a live fetch needs to know, as plain values (built by `app` from the flags).

use std::path::PathBuf;
use std::time::Duration;

use super::progress::Progress;
use crate::compare::queries::{ClusterKind, Vars, default_for, fill, fill_template, find};

/// Everything that shapes a live fetch besides its target.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// How to reach and authenticate to the API server.
    pub connection: Connection,
    /// A Prometheus to query directly instead of the adapter's through the API server proxy.
    pub prometheus: Option<DirectPrometheus>,
    /// Per-request timeout (`None` = none); a streamed kubelet body may take ten times as
    /// long in total while data keeps arriving.
    pub timeout: Option<Duration>,
    /// Log each request to stderr (through `progress` when there is one).
    pub verbose: bool,
    /// Where to report each request as it starts and ends (`None` = nowhere).
    pub progress: Option<Progress>,
    /// `--cpu-sample`: wait this long after the first kubelet `/metrics/resource` reading and
    /// take a second one (`None` = one reading only).
    pub cpu_sample: Option<Duration>,
    /// `--compare`/`--compare-query`: other tools' queries to run beside the adapter's.
    pub compare: Compare,
}

/// What `--compare` and `--compare-query` ask for, before the cluster and the namespace are
/// known (the default tool set needs the first, every query the second).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Compare {
    /// Tool tags as `compare::queries::find` resolved them (`console@4.3`).
    pub tools: Vec<String>,
    /// `--compare` without a value: also the default set for the cluster's kind.
    pub default_tools: bool,
    /// `--compare-query` templates as written (`$namespace`, `$pod` not yet filled).
    pub queries: Vec<String>,
}

impl Compare {
    /// Whether nothing is asked.
    pub fn is_empty(&self) -> bool {
        self.tools.is_empty() && !self.default_tools && self.queries.is_empty()
    }

    /// The `Evidence.compare` entries for a pod on a cluster of `kind`, duplicates dropped:
    /// the tools' tags (the default set first when asked), then `query:<filled PromQL>` per
    /// `--compare-query`, its Grafana-style variables filled for the pod.
    pub fn entries(&self, kind: ClusterKind, namespace: &str, pod: &str) -> Vec<String> {
        let defaults = self.default_tools.then(|| default_for(kind));
        let tags = defaults.into_iter().flatten().map(|q| q.tag.to_string());
        let queries = self
            .queries
            .iter()
            .map(|t| format!("query:{}", fill_template(t, Vars::Grafana, namespace, pod)));
        let mut out: Vec<String> = Vec::new();
        for e in tags.chain(self.tools.iter().cloned()).chain(queries) {
            if !out.contains(&e) {
                out.push(e);
            }
        }
        out
    }
}

/// The PromQL an `Evidence.compare` entry runs for the pod: a tool's query filled as the tool
/// fills it, or the query after `query:`; `None` for a tag this ktrace does not know.
pub fn compared_query(entry: &str, namespace: &str, pod: &str) -> Option<String> {
    match entry.strip_prefix("query:") {
        Some(q) => Some(q.to_string()),
        None => find(entry).map(|q| fill(q, namespace, pod)),
    }
}

/// The kubeconfig selection and overrides, as kubectl names them.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    /// Kubeconfig file; `None` = `$KUBECONFIG`, then `~/.kube/config`, then in-cluster.
    pub kubeconfig: Option<PathBuf>,
    /// Context to use instead of the current one.
    pub context: Option<String>,
    /// Cluster to use instead of the context's.
    pub cluster: Option<String>,
    /// User to use instead of the context's.
    pub user: Option<String>,
    /// User to impersonate.
    pub impersonate_user: Option<String>,
    /// Groups to impersonate.
    pub impersonate_groups: Vec<String>,
    /// Do not verify TLS certificates (the API server's, and a direct Prometheus').
    pub insecure_skip_tls_verify: bool,
}

/// A Prometheus reached directly (`--prometheus-url`).
#[derive(Debug, Clone, Default)]
pub struct DirectPrometheus {
    /// Base URL, e.g. `https://thanos-querier.example.com`.
    pub url: String,
    /// File holding a bearer token, sent only to `url` and only over https.
    pub token_file: Option<PathBuf>,
    /// CA bundle (PEM) that signs `url`'s certificate; `None` = the system roots.
    pub ca_file: Option<PathBuf>,
}
