//! Gathering evidence from a live cluster: the only module that does network I/O.
//!
//! Independent requests run concurrently; each is bounded by `--request-timeout`. The
//! dependency chain (documented in docs/architecture.md) is:
//!
//! ```text
//! Pod ──────────────► kubelet /metrics/cadvisor ∥ /metrics/resource   (needs node name, pod uid)
//! discovery ────────► PodMetrics ──────────────┐
//! APIService ───────► Deployment ─► ConfigMap ─┴► Prometheus queries   (needs rules + PodMetrics time)
//! /version
//! ```
//!
//! A failing source is recorded in the evidence and the trace goes on; only a missing
//! kubeconfig, an unreachable API server, rejected credentials or a missing pod are errors.

mod backend;
mod client;
mod error;
mod prometheus;
mod rbac;

pub use client::{Conn, parse_timeout};
pub use error::FetchError;

use serde_json::Value;

use crate::cli::ConnArgs;
use crate::evidence::{ClusterInfo, Evidence, Outcome, PodRef, SCHEMA_VERSION, Source, Sources};
use crate::exposition::PodSelector;

/// What to trace live.
#[derive(Debug, Clone)]
pub struct FetchRequest {
    /// Namespace, or `None` for the context's namespace.
    pub namespace: Option<String>,
    /// Pod name.
    pub name: String,
    /// Connection flags.
    pub conn: ConnArgs,
}

/// Gathers the evidence for one pod (blocking; runs its own tokio runtime).
pub fn collect(req: &FetchRequest) -> Result<Evidence, FetchError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| FetchError::Runtime(e.to_string()))?;
    rt.block_on(collect_async(req))
}

/// Gathers the evidence for one pod.
pub async fn collect_async(req: &FetchRequest) -> Result<Evidence, FetchError> {
    let conn = Conn::connect(&req.conn).await?;
    let namespace = req
        .namespace
        .clone()
        .unwrap_or_else(|| conn.default_namespace.clone());
    let target = PodRef {
        namespace,
        name: req.name.clone(),
    };
    // A fatal Pod answer (404, 401, unreachable) cancels everything else at once.
    let (pod_part, m, version) = tokio::try_join!(
        pod_and_kubelet(&conn, &target),
        async { Ok(metrics_and_backend(&conn, &target, &req.conn).await) },
        async { Ok(server_version(&conn).await) }
    )?;
    let (pod, kubelet_cadvisor, kubelet_resource) = pod_part;
    if version.is_none() && no_answer(&pod) && no_answer(&m.discovery) && no_answer(&m.apiservice) {
        return Err(FetchError::Unreachable {
            server: conn.server.clone(),
            reason: pod.missing_reason().unwrap_or_default(),
        });
    }
    Ok(Evidence {
        schema_version: SCHEMA_VERSION,
        ktrace_version: env!("CARGO_PKG_VERSION").to_string(),
        captured_at: now_rfc3339(),
        target,
        cluster: ClusterInfo {
            context: conn.context.clone(),
            server: Some(conn.server.clone()),
            version,
        },
        sources: Sources {
            pod,
            metrics_discovery: m.discovery,
            pod_metrics: m.pod_metrics,
            apiservice: m.apiservice,
            backend_deployment: m.deployment,
            adapter_config: m.config,
            prometheus: m.queries,
            kubelet_cadvisor,
            kubelet_resource,
        },
        notes: Vec::new(),
    })
}

/// An error and its causes on one line (reqwest hides the TLS reason in the source chain).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(&format!(": {c}"));
        cur = c.source();
    }
    s
}

/// An error for the report: its cause chain, except that a failed exec credential plugin is
/// described by its exit status and stderr only (kube's message quotes the plugin's stdout,
/// which may hold a token).
pub fn describe_error(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(kube::client::AuthError::AuthExecRun { out, .. }) =
            err.downcast_ref::<kube::client::AuthError>()
        {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let stderr: String = stderr.trim().chars().take(500).collect();
            return format!(
                "the kubeconfig's exec credential plugin failed ({}): {stderr}",
                out.status
            );
        }
        if let Some(kube::Error::Auth(kube::client::AuthError::AuthExecRun { out, .. })) =
            err.downcast_ref::<kube::Error>()
        {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let stderr: String = stderr.trim().chars().take(500).collect();
            return format!(
                "the kubeconfig's exec credential plugin failed ({}): {stderr}",
                out.status
            );
        }
        cur = err.source();
    }
    error_chain(e)
}

/// A server's text for the `-v` log, with control characters escaped (one line).
pub fn printable(s: &str) -> String {
    crate::escape::escape(s, crate::escape::Keep::Nothing)
}

/// The current time, RFC 3339 with milliseconds.
pub fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Millisecond)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn check_pod(pod: &Source, target: &PodRef, conn: &Conn) -> Result<(), FetchError> {
    match &pod.outcome {
        Outcome::Failed {
            http_status: Some(404),
            ..
        } => Err(FetchError::PodNotFound {
            namespace: target.namespace.clone(),
            name: target.name.clone(),
        }),
        Outcome::Failed {
            http_status: Some(401),
            error,
            ..
        } => Err(FetchError::Unauthorized {
            server: conn.server.clone(),
            message: error.clone(),
        }),
        Outcome::Failed {
            http_status: None,
            error,
            ..
        } if !error.starts_with("timed out") => Err(FetchError::Unreachable {
            server: conn.server.clone(),
            reason: error.clone(),
        }),
        _ => Ok(()),
    }
}

async fn server_version(conn: &Conn) -> Option<String> {
    let v: Value = serde_json::from_str(conn.get("/version").await.body()?).ok()?;
    v.get("gitVersion")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// The Pod, then (needing its node and uid) both kubelet endpoints at once.
async fn pod_and_kubelet(conn: &Conn, t: &PodRef) -> Result<(Source, Source, Source), FetchError> {
    let pod = conn
        .get(&format!(
            "/api/v1/namespaces/{}/pods/{}",
            t.namespace, t.name
        ))
        .await;
    check_pod(&pod, t, conn)?;
    let parsed: Option<Value> = pod.body().and_then(|b| serde_json::from_str(b).ok());
    let node = parsed
        .as_ref()
        .and_then(|p| p.pointer("/spec/nodeName"))
        .and_then(Value::as_str);
    let Some(node) = node else {
        let why = match pod.missing_reason() {
            Some(r) => format!("the node is unknown because the Pod could not be read ({r})"),
            None => "the pod is not scheduled to a node (no spec.nodeName)".to_string(),
        };
        let skipped = Source {
            outcome: Outcome::NotCollected { reason: why },
            ..Source::default()
        };
        return Ok((pod, skipped.clone(), skipped));
    };
    let uid = parsed
        .as_ref()
        .and_then(|p| p.pointer("/metadata/uid"))
        .and_then(Value::as_str);
    let mut sel = PodSelector::new(t.namespace.clone(), t.name.clone());
    if let Some(uid) = uid {
        sel = sel.with_uid(uid);
    }
    let base = format!("/api/v1/nodes/{node}/proxy/metrics");
    let (cad_path, res_path) = (format!("{base}/cadvisor"), format!("{base}/resource"));
    let (cad, res) = tokio::join!(
        conn.get_filtered(&cad_path, sel.clone()),
        conn.get_filtered(&res_path, sel)
    );
    Ok((pod, cad, res))
}

/// A Pod or Deployment source with secrets taken out of its body (see `objects::redact_object`).
pub fn redacted(mut src: Source) -> Source {
    if let Outcome::Ok { body, filter, .. } = &mut src.outcome
        && let Some(clean) = crate::objects::redact_object(body)
    {
        *body = clean;
        *filter = Some(
            "env values, credential-like args and last-applied-configuration redacted by ktrace"
                .into(),
        );
    }
    src
}

/// True when a request got no HTTP answer at all (timeout or connection failure).
fn no_answer(src: &Source) -> bool {
    matches!(
        src.outcome,
        Outcome::Failed {
            http_status: None,
            ..
        }
    )
}

/// The Metrics API and backend sources of a trace.
struct MetricsPart {
    discovery: Source,
    pod_metrics: Source,
    apiservice: Source,
    deployment: Source,
    config: Source,
    queries: Vec<crate::evidence::PromQuery>,
}

/// PodMetrics ∥ (APIService → Deployment → ConfigMap), then the Prometheus queries.
async fn metrics_and_backend(conn: &Conn, t: &PodRef, args: &ConnArgs) -> MetricsPart {
    let ((discovery, pod_metrics), (apiservice, deployment, config)) =
        tokio::join!(pod_metrics(conn, t), backend::resolve(conn));
    let queries = prometheus::run_queries(conn, args, t, &pod_metrics, &deployment, &config).await;
    MetricsPart {
        discovery,
        pod_metrics,
        apiservice,
        deployment,
        config,
        queries,
    }
}

/// Picks the Metrics API version as kubectl does (v1 when served, else v1beta1), then GETs.
/// Returns (discovery, PodMetrics).
async fn pod_metrics(conn: &Conn, t: &PodRef) -> (Source, Source) {
    let group = conn.get("/apis/metrics.k8s.io").await;
    let served = group
        .body()
        .and_then(crate::objects::served_versions)
        .unwrap_or_default();
    let version = if served.iter().any(|v| v == "v1") {
        "v1"
    } else {
        "v1beta1"
    };
    let path = format!(
        "/apis/metrics.k8s.io/{version}/namespaces/{}/pods/{}",
        t.namespace, t.name
    );
    let pm = conn.get(&path).await;
    (group, pm)
}
