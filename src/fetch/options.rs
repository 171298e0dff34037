//! What a live fetch needs to know, as plain values (built by `app` from the flags).

use std::path::PathBuf;
use std::time::Duration;

use super::progress::Progress;

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
