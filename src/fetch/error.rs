//! Errors that stop a live trace before any evidence exists.

/// Fatal fetch errors. A source that fails is not one of these: it is recorded in the evidence.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// No kubeconfig could be loaded and no in-cluster config exists.
    #[error("no usable kubeconfig: {0}")]
    Kubeconfig(String),
    /// The kube client could not be built (bad TLS material, bad URL).
    #[error("cannot build the Kubernetes client: {0}")]
    Client(String),
    /// The pod does not exist (kubectl prints the same).
    #[error("Error from server (NotFound): pods \"{name}\" not found in namespace \"{namespace}\"")]
    PodNotFound {
        /// Namespace.
        namespace: String,
        /// Pod name.
        name: String,
    },
    /// The node does not exist (kubectl prints the same).
    #[error("Error from server (NotFound): nodes \"{name}\" not found")]
    NodeNotFound {
        /// Node name.
        name: String,
    },
    /// The API server could not be reached at all.
    #[error("cannot reach the API server {server}: {reason}")]
    Unreachable {
        /// API server URL.
        server: String,
        /// Cause.
        reason: String,
    },
    /// The API server was reached, but the connection broke before the Pod answer was whole
    /// (reset, closed early): nothing to trace from, as kubectl also ends.
    #[error("the API server {server} broke off its answer for the Pod: {reason}")]
    BrokenAnswer {
        /// API server URL.
        server: String,
        /// Cause.
        reason: String,
    },
    /// The API server rejected the credentials.
    #[error(
        "the API server rejected the credentials (HTTP 401) for {server}: {message}; log in again (e.g. `oc login` or refresh the exec plugin's token)"
    )]
    Unauthorized {
        /// API server URL.
        server: String,
        /// Server message.
        message: String,
    },
    /// The kubeconfig's exec credential plugin could not give a credential (described by its
    /// exit status and stderr only, never by its stdout).
    #[error("{0}")]
    ExecPlugin(String),
    /// The tokio runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
}
