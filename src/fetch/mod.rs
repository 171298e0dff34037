//! Gathering evidence from a live cluster: the only module that does network I/O.
//!
//! Independent requests run concurrently; each is bounded by the request timeout. The
//! dependency chain (documented in docs/architecture.md) is:
//!
//! ```text
//! Pod ──────────────► kubelet /metrics/cadvisor ∥ /metrics/resource   (needs node name, pod uid)
//!                                                  └─► wait ─► /metrics/resource again (--cpu-sample)
//! discovery ────────► PodMetrics ──────────────┐
//! APIService ───────► Deployment ─► ConfigMap ─┴► Prometheus queries   (needs rules + PodMetrics time)
//! /version
//! ```
//!
//! A failing source is recorded in the evidence and the trace goes on; only a missing
//! kubeconfig, an unreachable API server, rejected credentials or a missing pod are errors.
//!
//! This file is the orchestrator (`collect` and the request chain). The modules below it
//! import only modules further down, never this file or each other in a loop:
//!
//! ```text
//! mod.rs     ─► node, backend, prometheus, client, redact, clock, outcome (tests), options, error
//! node       ─► (mod.rs helpers) backend, prometheus, client, redact, clock, url, options
//! backend    ─► client
//! prometheus ─► client, direct, url, options
//! direct     ─► client (redirect text), limits, outcome, progress, secrets, errtext, url, options
//! client     ─► kubeconfig, sink, limits, outcome, progress, errtext, url, options, secrets, error
//! sink       ─► limits
//! kubeconfig ─► exec, errtext, options, secrets, error      exec ─► error
//! secrets    ─► url
//! progress   ─► log, url, secrets  outcome ─► rbac, clock        log ─► url
//! options    ─► progress (and crate::compare)  the others import nothing from fetch
//! ```

mod backend;
mod client;
mod clock;
mod direct;
mod error;
mod errtext;
mod exec;
mod kubeconfig;
pub mod limits;
mod log;
mod node;
mod options;
mod outcome;
mod progress;
mod prometheus;
mod rbac;
mod redact;
mod secrets;
mod sink;
mod url;

pub use error::FetchError;
pub use node::{NodeFetchRequest, collect_node, collect_node_async, pods_path};
pub use options::{Compare, Connection, DirectPrometheus, Options, compared_query};
pub use progress::{Event, Progress};

use std::time::Duration;

use serde_json::Value;

use crate::evidence::{
    ClusterInfo, Evidence, Outcome, PodRef, PromQuery, SCHEMA_VERSION, Source, Sources, quote_head,
};
use crate::exposition::PodSelector;
use crate::objects::{MAX_NAME, is_k8s_name};
use crate::promql::plan::ComparedQuery;
use client::Conn;
use clock::now_rfc3339;
use redact::redacted;

/// What to trace live.
#[derive(Debug, Clone)]
pub struct FetchRequest {
    /// Namespace, or `None` for the context's namespace.
    pub namespace: Option<String>,
    /// Pod name.
    pub name: String,
    /// How to connect and what to log.
    pub options: Options,
}

/// Gathers the evidence for one pod (blocking; runs its own tokio runtime).
pub fn collect(req: &FetchRequest) -> Result<Evidence, FetchError> {
    block_on(collect_async(req))
}

/// Runs a trace to completion on its own two-thread tokio runtime.
pub(crate) fn block_on<T>(
    trace: impl std::future::Future<Output = Result<T, FetchError>>,
) -> Result<T, FetchError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| FetchError::Runtime(e.to_string()))?;
    rt.block_on(trace)
}

/// Gathers the evidence for one pod.
pub async fn collect_async(req: &FetchRequest) -> Result<Evidence, FetchError> {
    let conn = Conn::connect(&req.options).await?;
    let namespace = req
        .namespace
        .clone()
        .unwrap_or_else(|| conn.default_namespace.clone());
    let target = PodRef {
        namespace,
        name: req.name.clone(),
    };
    let direct = req.options.prometheus.as_ref();
    // A fatal Pod answer (404, 401, unreachable) cancels everything else at once.
    let compare = &req.options.compare;
    let (pod_part, m) = tokio::try_join!(
        pod_and_kubelet(&conn, &target, req.options.cpu_sample),
        async { Ok(metrics_and_backend(&conn, &target, direct, compare).await) },
    )?;
    let version = m.version.clone();
    let Kubelet {
        pod,
        cadvisor: kubelet_cadvisor,
        resource: kubelet_resource,
        resource_second: kubelet_resource_second,
    } = pod_part;
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
            kubelet_resource_second,
            prometheus_buildinfo: Some(m.buildinfo),
        },
        notes: Vec::new(),
        compare: m.compare,
    })
}

/// The Pod and what the kubelet said about it.
struct Kubelet {
    pod: Source,
    cadvisor: Source,
    resource: Source,
    /// Some only with `--cpu-sample`.
    resource_second: Option<Source>,
}

/// The Pod, then (needing its node and uid) both kubelet endpoints at once, and with
/// `cpu_sample` a second `/metrics/resource` reading that long after the first. The Pod is
/// returned redacted: node and uid are read first, redaction is for what is stored.
async fn pod_and_kubelet(
    conn: &Conn,
    t: &PodRef,
    cpu_sample: Option<Duration>,
) -> Result<Kubelet, FetchError> {
    let pod = conn
        .get(&format!(
            "/api/v1/namespaces/{}/pods/{}",
            t.namespace, t.name
        ))
        .await;
    check_pod(&pod, t, &conn.server)?;
    let (node, uid) = node_and_uid(&pod);
    let pod = redacted(pod);
    let skipped = |reason: String| {
        let s = Source {
            outcome: Outcome::NotCollected { reason },
            ..Source::default()
        };
        (s.clone(), s.clone(), cpu_sample.map(|_| s))
    };
    let (cadvisor, resource, resource_second) = match node {
        None => skipped(no_node_reason(&pod)),
        Some(node) if !is_k8s_name(&node, MAX_NAME) => skipped(format!(
            "the Pod's spec.nodeName {node:?} is not a valid Kubernetes node name; the kubelet was not asked (the name would change the request path)"
        )),
        Some(node) => kubelet(conn, t, &node, uid, cpu_sample).await,
    };
    Ok(Kubelet {
        pod,
        cadvisor,
        resource,
        resource_second,
    })
}

/// cAdvisor ∥ (/metrics/resource, then after `cpu_sample` the second reading), all filtered
/// to the pod's lines as they stream in.
async fn kubelet(
    conn: &Conn,
    t: &PodRef,
    node: &str,
    uid: Option<String>,
    cpu_sample: Option<Duration>,
) -> (Source, Source, Option<Source>) {
    let mut sel = PodSelector::new(t.namespace.clone(), t.name.clone());
    if let Some(uid) = uid {
        sel = sel.with_uid(uid);
    }
    let base = format!("/api/v1/nodes/{node}/proxy/metrics");
    let (cad_path, res_path) = (format!("{base}/cadvisor"), format!("{base}/resource"));
    let resource = async {
        let first = conn.get_filtered(&res_path, sel.clone()).await;
        let Some(wait) = cpu_sample else {
            return (first, None);
        };
        tokio::time::sleep(wait).await;
        let what = format!("kubelet /metrics/resource (second reading) on {node}");
        let second = conn
            .get_filtered_as(what, "(second reading)", &res_path, sel.clone())
            .await;
        (first, Some(second))
    };
    let (cad, (res, second)) = tokio::join!(conn.get_filtered(&cad_path, sel.clone()), resource);
    (cad, res, second)
}

/// The Metrics API and backend sources of a trace.
struct MetricsPart {
    discovery: Source,
    pod_metrics: Source,
    apiservice: Source,
    deployment: Source,
    config: Source,
    queries: Vec<PromQuery>,
    buildinfo: Source,
    /// `/version`'s `gitVersion`.
    version: Option<String>,
    /// The `Evidence.compare` entries.
    compare: Vec<String>,
}

/// PodMetrics ∥ (APIService → Deployment → ConfigMap) ∥ `/version`, then the Prometheus
/// queries: the adapter's and the compared tools' (whose default set needs the cluster's
/// kind, read from the backend objects and the version).
async fn metrics_and_backend(
    conn: &Conn,
    t: &PodRef,
    direct: Option<&DirectPrometheus>,
    ask: &Compare,
) -> MetricsPart {
    let ((discovery, pod_metrics), (apiservice, deployment, config), version) = tokio::join!(
        pod_metrics(conn, t),
        backend::resolve(conn),
        server_version(conn)
    );
    let compare = if ask.is_empty() {
        Vec::new()
    } else {
        let kind = cluster_kind(&version, &apiservice, &deployment);
        ask.entries(kind, &t.namespace, &t.name)
    };
    let compared = compared_queries(&compare, t);
    let answers = prometheus::run_queries(
        conn,
        direct,
        t,
        &pod_metrics,
        &deployment,
        &config,
        &compared,
    )
    .await;
    MetricsPart {
        version,
        compare,
        discovery,
        pod_metrics,
        apiservice,
        // Redacted for storage only now that its args have been used.
        deployment: redacted(deployment),
        config,
        queries: answers.queries,
        buildinfo: answers.buildinfo,
    }
}

/// `compare::queries::kind_of` over what the trace has so far (the rule reads only these).
fn cluster_kind(
    version: &Option<String>,
    apiservice: &Source,
    deployment: &Source,
) -> crate::compare::ClusterKind {
    let mut ev = Evidence {
        schema_version: SCHEMA_VERSION,
        ktrace_version: String::new(),
        captured_at: String::new(),
        target: PodRef {
            namespace: String::new(),
            name: String::new(),
        },
        cluster: ClusterInfo {
            version: version.clone(),
            ..ClusterInfo::default()
        },
        sources: Sources::default(),
        notes: Vec::new(),
        compare: Vec::new(),
    };
    ev.sources.apiservice = apiservice.clone();
    ev.sources.backend_deployment = deployment.clone();
    crate::compare::queries::kind_of(&ev)
}

/// The PromQL of each entry for the pod (an unknown tag, never produced live, is skipped).
fn compared_queries(entries: &[String], t: &PodRef) -> Vec<ComparedQuery> {
    entries
        .iter()
        .filter_map(|entry| {
            let query = compared_query(entry, &t.namespace, &t.name)?;
            Some(ComparedQuery {
                entry: entry.clone(),
                query,
            })
        })
        .collect()
}

/// The Metrics API discovery answer and the version kubectl would pick from it: `v1` when
/// served, else `v1beta1`.
pub(crate) async fn metrics_version(conn: &Conn) -> (Source, &'static str) {
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
    (group, version)
}

/// Picks the Metrics API version as kubectl does (v1 when served, else v1beta1), then GETs.
/// Returns (discovery, PodMetrics).
async fn pod_metrics(conn: &Conn, t: &PodRef) -> (Source, Source) {
    let (group, version) = metrics_version(conn).await;
    let path = format!(
        "/apis/metrics.k8s.io/{version}/namespaces/{}/pods/{}",
        t.namespace, t.name
    );
    let pm = conn.get(&path).await;
    (group, pm)
}

async fn server_version(conn: &Conn) -> Option<String> {
    let v: Value = serde_json::from_str(conn.get("/version").await.body()?).ok()?;
    v.get("gitVersion")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// The fatal Pod answers: 404, 401, and no connection at all (a timeout is not fatal).
fn check_pod(pod: &Source, target: &PodRef, server: &str) -> Result<(), FetchError> {
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
            server: server.to_string(),
            message: error.clone(),
        }),
        Outcome::Failed {
            http_status: None,
            error,
            ..
        } if !error.starts_with("timed out") => {
            let (server, reason) = (server.to_string(), error.clone());
            Err(if broke_off(error) {
                FetchError::BrokenAnswer { server, reason }
            } else {
                FetchError::Unreachable { server, reason }
            })
        }
        _ => Ok(()),
    }
}

/// True when the request was sent on an open connection that then broke (hyper's
/// `SendRequest` errors: reset, closed before the answer was whole), rather than a server
/// that could not be reached (connect, DNS, TLS handshake).
fn broke_off(error: &str) -> bool {
    error.contains("(SendRequest)") && !error.contains("(Connect)")
}

/// `spec.nodeName` and `metadata.uid` of a Pod body.
fn node_and_uid(pod: &Source) -> (Option<String>, Option<String>) {
    let parsed: Option<Value> = pod.body().and_then(|b| serde_json::from_str(b).ok());
    let field = |ptr: &str| {
        parsed
            .as_ref()
            .and_then(|p| p.pointer(ptr))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    (field("/spec/nodeName"), field("/metadata/uid"))
}

/// Why the kubelet was not asked when the Pod named no node: the Pod failed, its answer is
/// unreadable (not JSON, or a `spec.nodeName` that is no string: quoted), or it is not
/// scheduled.
fn no_node_reason(pod: &Source) -> String {
    if let Some(r) = pod.missing_reason() {
        return format!("the node is unknown because the Pod could not be read ({r})");
    }
    let body = pod.body().unwrap_or_default();
    let unreadable = match serde_json::from_str::<Value>(body) {
        Err(e) => format!("not JSON: {e}; it begins {}", quote_head(body)),
        Ok(v) => match v.pointer("/spec/nodeName") {
            None | Some(Value::Null) => {
                return "the pod is not scheduled to a node (no spec.nodeName)".to_string();
            }
            Some(n) => format!(
                "spec.nodeName is {}, not a string",
                quote_head(&n.to_string())
            ),
        },
    };
    format!("the node is unknown because the Pod answer is unreadable ({unreadable})")
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

#[cfg(test)]
mod tests;
