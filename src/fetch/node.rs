//! Gathering the evidence of `ktrace node NODE`: what `kubectl top node` and `kubectl
//! describe node` read, and the sources behind NodeMetrics. Independent requests run
//! concurrently, each bounded by the request timeout:
//!
//! ```text
//! Node ───────────────────────────────────────────────┐ (404, 401, unreachable: fatal)
//! kubelet /metrics/cadvisor ∥ /metrics/resource        │ (filtered while they stream)
//! pods (fieldSelector spec.nodeName, pages) ──────────┐│
//! discovery ─► NodeMetrics ∥ PodMetrics (all) ────────┴┼► PodMetrics kept for the node's pods
//! APIService ─► Deployment ─► ConfigMap ─(NodeMetrics)─┴► Prometheus node queries ∥ buildinfo
//! /version
//! ```
//!
//! A failing source is stored as data (a 403 names its RBAC verb, e.g. `list pods`); only
//! an unreachable server, rejected credentials or a missing node end the trace.

use serde_json::Value;

use super::client::Conn;
use super::clock::now_rfc3339;
use super::options::{DirectPrometheus, Options};
use super::redact::redacted;
use super::url::percent_encode;
use super::{FetchError, backend, broke_off, no_answer, prometheus, server_version};
use crate::evidence::{
    ClusterInfo, NodeEvidence, NodeKind, NodeRef, NodeSources, Outcome, SCHEMA_VERSION, Source,
};
use crate::exposition::NodeLines;
use crate::objects::deployment_args;
use crate::promql::plan::{NodePlanInput, plan_node_queries};

/// kubectl's default `--chunk-size`: `describe node` lists the node's pods in pages of 500.
pub const CHUNK_SIZE: u32 = 500;

/// Most of the all-namespaces PodMetrics list read (only the node's items are kept): a
/// cluster of 10 000 pods answers about 5 MiB.
pub const MAX_POD_METRICS_LIST_BYTES: usize = 64 * 1024 * 1024;

/// Most pages of the node's pod list followed (a node runs at most a few hundred pods).
const MAX_PAGES: usize = 20;

/// What to trace live.
#[derive(Debug, Clone)]
pub struct NodeFetchRequest {
    /// The node's name (a valid Kubernetes name: it goes into request paths).
    pub name: String,
    /// How to connect and what to log.
    pub options: Options,
}

/// Gathers the evidence for one node (blocking; runs its own tokio runtime).
pub fn collect_node(req: &NodeFetchRequest) -> Result<NodeEvidence, FetchError> {
    super::block_on(collect_node_async(req))
}

/// Gathers the evidence for one node.
pub async fn collect_node_async(req: &NodeFetchRequest) -> Result<NodeEvidence, FetchError> {
    let conn = Conn::connect(&req.options).await?;
    let name = req.name.as_str();
    let direct = req.options.prometheus.as_ref();
    // A fatal Node answer cancels everything else at once.
    let (node, (cadvisor, resource), m, version) = tokio::try_join!(
        async {
            let node = conn.get(&format!("/api/v1/nodes/{name}")).await;
            check_node(&node, name, &conn.server).map(|()| node)
        },
        async { Ok(kubelet(&conn, name).await) },
        async { Ok(metrics_and_backend(&conn, name, direct).await) },
        async { Ok(server_version(&conn).await) }
    )?;
    if version.is_none() && no_answer(&node) && no_answer(&m.pods) {
        return Err(FetchError::Unreachable {
            server: conn.server.clone(),
            reason: node.missing_reason().unwrap_or_default(),
        });
    }
    Ok(NodeEvidence {
        schema_version: SCHEMA_VERSION,
        kind: NodeKind::Node,
        ktrace_version: env!("CARGO_PKG_VERSION").to_string(),
        captured_at: now_rfc3339(),
        target: NodeRef { name: name.into() },
        cluster: ClusterInfo {
            context: conn.context.clone(),
            server: Some(conn.server.clone()),
            version,
        },
        sources: NodeSources {
            node,
            metrics_discovery: m.discovery,
            node_metrics: m.node_metrics,
            pods: m.pods,
            pod_metrics: m.pod_metrics,
            apiservice: m.apiservice,
            backend_deployment: m.deployment,
            adapter_config: m.config,
            prometheus: m.queries,
            prometheus_buildinfo: Some(m.buildinfo),
            kubelet_cadvisor: cadvisor,
            kubelet_resource: resource,
        },
        notes: Vec::new(),
    })
}

/// The fatal Node answers: 404 (as kubectl words it), 401, and no connection at all.
fn check_node(node: &Source, name: &str, server: &str) -> Result<(), FetchError> {
    let Outcome::Failed {
        http_status, error, ..
    } = &node.outcome
    else {
        return Ok(());
    };
    let (server, reason) = (server.to_string(), error.clone());
    match http_status {
        Some(404) => Err(FetchError::NodeNotFound { name: name.into() }),
        Some(401) => Err(FetchError::Unauthorized {
            server,
            message: reason,
        }),
        None if !error.starts_with("timed out") => Err(if broke_off(error) {
            FetchError::BrokenAnswer { server, reason }
        } else {
            FetchError::Unreachable { server, reason }
        }),
        _ => Ok(()),
    }
}

/// Both kubelet endpoints through the API server's node proxy, filtered as they stream.
async fn kubelet(conn: &Conn, node: &str) -> (Source, Source) {
    let base = format!("/api/v1/nodes/{node}/proxy/metrics");
    let (cad, res) = (format!("{base}/cadvisor"), format!("{base}/resource"));
    tokio::join!(
        conn.get_node_filtered(&cad, NodeLines::Cadvisor),
        conn.get_node_filtered(&res, NodeLines::Resource)
    )
}

/// The Metrics API, pods and backend sources of a node trace.
struct MetricsPart {
    discovery: Source,
    node_metrics: Source,
    pods: Source,
    pod_metrics: Source,
    apiservice: Source,
    deployment: Source,
    config: Source,
    queries: Vec<crate::evidence::PromQuery>,
    buildinfo: Source,
}

/// (NodeMetrics ∥ PodMetrics list) ∥ pods ∥ (APIService → Deployment → ConfigMap), then
/// the PodMetrics kept for the node's pods and the Prometheus node queries.
async fn metrics_and_backend(
    conn: &Conn,
    node: &str,
    direct: Option<&DirectPrometheus>,
) -> MetricsPart {
    let ((discovery, node_metrics, all_pod_metrics), pods, (apiservice, deployment, config)) = tokio::join!(
        metrics_api(conn, node),
        node_pods(conn, node),
        backend::resolve(conn)
    );
    let pod_metrics = keep_node_pod_metrics(all_pod_metrics, &pods, node);
    let answers = node_queries(conn, direct, node, &node_metrics, &deployment, &config).await;
    MetricsPart {
        discovery,
        node_metrics,
        pods: redacted(pods),
        pod_metrics,
        apiservice,
        // Redacted for storage only now that its args have been used.
        deployment: redacted(deployment),
        config,
        queries: answers.queries,
        buildinfo: answers.buildinfo,
    }
}

/// The Metrics API version kubectl picks (v1 when served, else v1beta1), then the
/// NodeMetrics and the all-namespaces PodMetrics list at once. Returns (discovery,
/// NodeMetrics, PodMetrics list).
async fn metrics_api(conn: &Conn, node: &str) -> (Source, Source, Source) {
    let (group, version) = super::metrics_version(conn).await;
    let base = format!("/apis/metrics.k8s.io/{version}");
    let nm_path = format!("{base}/nodes/{node}");
    let pm_path = format!("{base}/pods");
    let (nm, pm) = tokio::join!(
        conn.get(&nm_path),
        conn.get_capped(&pm_path, MAX_POD_METRICS_LIST_BYTES)
    );
    (group, nm, pm)
}

/// The path `kubectl describe node` lists the node's non-terminated pods with (client-go
/// sorts the query parameters: `continue`, `fieldSelector`, `limit`).
pub fn pods_path(node: &str, continue_token: Option<&str>) -> String {
    let selector = format!("spec.nodeName={node},status.phase!=Succeeded,status.phase!=Failed");
    let cont = continue_token
        .map(|c| format!("continue={}&", percent_encode(c)))
        .unwrap_or_default();
    format!(
        "/api/v1/pods?{cont}fieldSelector={}&limit={CHUNK_SIZE}",
        percent_encode(&selector)
    )
}

/// The node's pods, page by page as kubectl asks for them; later pages' items are merged
/// into the first page's PodList (not yet redacted: the caller redacts for storage).
async fn node_pods(conn: &Conn, node: &str) -> Source {
    let mut first = conn.get(&pods_path(node, None)).await;
    let Some(mut list) = json(&first) else {
        return first;
    };
    let mut pages = 1;
    while let Some(token) = continue_token(&list) {
        if pages == MAX_PAGES {
            return failed_page(first, format!("more than {MAX_PAGES} pages of pods"));
        }
        let page = conn.get(&pods_path(node, Some(&token))).await;
        let Some(next) = json(&page) else {
            let why = page.missing_reason().unwrap_or_default();
            return failed_page(first, format!("page {} failed: {why}", pages + 1));
        };
        pages += 1;
        let items = next.get("items").and_then(Value::as_array).cloned();
        if let Some(all) = list.get_mut("items").and_then(Value::as_array_mut) {
            all.extend(items.unwrap_or_default());
        }
        set_continue(&mut list, next.pointer("/metadata/continue").cloned());
    }
    if pages > 1
        && let Outcome::Ok { body, .. } = &mut first.outcome
    {
        *body = list.to_string();
        first.fetched_at = Some(now_rfc3339());
    }
    first
}

fn continue_token(list: &Value) -> Option<String> {
    list.pointer("/metadata/continue")
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
}

fn set_continue(list: &mut Value, token: Option<Value>) {
    if let Some(meta) = list.get_mut("metadata").and_then(Value::as_object_mut) {
        match token {
            Some(t) => meta.insert("continue".into(), t),
            None => meta.remove("continue"),
        };
    }
}

/// A list whose later page failed: kubectl fails the whole list, so does this source.
fn failed_page(first: Source, why: String) -> Source {
    Source {
        outcome: Outcome::Failed {
            http_status: None,
            error: format!("the node's pod list is incomplete: {why}"),
            needs: None,
        },
        ..first
    }
}

fn json(src: &Source) -> Option<Value> {
    src.body().and_then(|b| serde_json::from_str(b).ok())
}

/// Keeps the PodMetrics items of the node's pods. The Metrics API has no field selector
/// for the node (`metrics.k8s.io` serves only `metadata.name`/`metadata.namespace`), so the
/// whole list is read and the items are matched by namespace and name against the node's
/// pod list; only those are stored. Without a readable pod list nothing can be matched,
/// and nothing is stored.
fn keep_node_pod_metrics(all: Source, pods: &Source, node: &str) -> Source {
    let Outcome::Ok { http_status, .. } = &all.outcome else {
        return all;
    };
    let http_status = *http_status;
    let Some(pod_list) = json(pods) else {
        let why = pods.missing_reason().unwrap_or_default();
        return Source {
            outcome: Outcome::NotCollected {
                reason: format!(
                    "the PodMetrics list was read, but the node's pods are unknown ({why}), so none could be kept"
                ),
            },
            ..all
        };
    };
    let Some(mut list) = json(&all) else {
        return all;
    };
    let on_node: std::collections::HashSet<(String, String)> =
        items(&pod_list).iter().filter_map(namespace_name).collect();
    let total = items(&list).len();
    if let Some(items) = list.get_mut("items").and_then(Value::as_array_mut) {
        items.retain(|i| namespace_name(i).is_some_and(|k| on_node.contains(&k)));
    }
    let kept = items(&list).len();
    Source {
        outcome: Outcome::Ok {
            http_status,
            body: list.to_string(),
            filter: Some(format!(
                "the items of the {} pods listed on node {node}: kept {kept} of {total}",
                on_node.len()
            )),
        },
        ..all
    }
}

fn items(list: &Value) -> Vec<Value> {
    list.get("items")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn namespace_name(item: &Value) -> Option<(String, String)> {
    let meta = item.get("metadata")?;
    Some((
        meta.get("namespace")?.as_str()?.to_string(),
        meta.get("name")?.as_str()?.to_string(),
    ))
}

/// The adapter's node queries (`promql::plan::plan_node_queries`) at the NodeMetrics time.
async fn node_queries(
    conn: &Conn,
    direct: Option<&DirectPrometheus>,
    node: &str,
    node_metrics: &Source,
    deployment: &Source,
    config: &Source,
) -> prometheus::Answers {
    let dep: Option<Value> = json(deployment);
    let dep_args = dep.as_ref().map(deployment_args).unwrap_or_default();
    let plan = plan_node_queries(&NodePlanInput {
        config,
        deployment_args: &dep_args,
        node,
        node_metrics,
    });
    prometheus::run_planned(conn, direct, &plan, deployment).await
}

#[cfg(test)]
mod tests;
