//! Running the adapter's rendered queries against its Prometheus: through the API server's
//! service proxy (default) or directly with `--prometheus-url` and a bearer token.

use serde_json::Value;

use super::client::Conn;
use super::direct::Direct;
use super::options::DirectPrometheus;
use super::url::percent_encode;
use crate::evidence::{Outcome, PodRef, PromQuery, QueryPurpose, Source};
use crate::objects::{MAX_LABEL, deployment_args, flag_value, is_k8s_name};
use crate::promql::plan::{ComparedQuery, PlanInput, QueryPlan, plan_with_compare};
use crate::promql::template::QueryTarget;

/// Where queries go.
enum Endpoint {
    /// API path prefix of a service proxy, e.g. `/api/v1/namespaces/NS/services/https:NAME:9091/proxy`.
    Proxy(String),
    /// A Prometheus reached directly, with one client for all queries.
    Direct(Direct),
}

/// What the adapter's Prometheus answered.
pub struct Answers {
    /// One per planned query, in plan order.
    pub queries: Vec<PromQuery>,
    /// `/api/v1/status/buildinfo` (its version decides the range semantics).
    pub buildinfo: Source,
}

/// Runs the queries `promql::plan` plans for the pod (memory, cpu, cpu-samples, raw-series,
/// then the `compared` tools' queries) at the PodMetrics timestamp, and reads the server's
/// buildinfo, all concurrently. No queries (and buildinfo not collected) when there is
/// nothing to run (no readable config, nothing compared). The compared queries are planned
/// only when there is a Prometheus to ask: `--prometheus-url`, or the adapter's own.
pub async fn run_queries(
    conn: &Conn,
    direct: Option<&DirectPrometheus>,
    t: &PodRef,
    pod_metrics: &Source,
    deployment: &Source,
    config: &Source,
    compared: &[ComparedQuery],
) -> Answers {
    let dep: Option<Value> = deployment.body().and_then(|b| serde_json::from_str(b).ok());
    let dep_args = dep.as_ref().map(deployment_args).unwrap_or_default();
    let has_prometheus = direct.is_some() || flag_value(&dep_args, "--prometheus-url").is_some();
    let compared = if has_prometheus { compared } else { &[] };
    let pods = [t.name.as_str()];
    let input = PlanInput {
        config,
        deployment_args: &dep_args,
        target: QueryTarget {
            namespace: &t.namespace,
            pods: &pods,
        },
        pod_metrics,
    };
    let plan = plan_with_compare(&input, compared);
    run_planned(conn, direct, &plan, deployment).await
}

/// Runs the runnable entries of a `promql::plan` plan (pod or node) against the adapter's
/// Prometheus, and reads its buildinfo, all concurrently. No queries (and buildinfo not
/// collected) when there is nothing to run.
pub async fn run_planned(
    conn: &Conn,
    direct: Option<&DirectPrometheus>,
    plan: &QueryPlan,
    deployment: &Source,
) -> Answers {
    let dep: Option<Value> = deployment.body().and_then(|b| serde_json::from_str(b).ok());
    let dep_args = dep.as_ref().map(deployment_args).unwrap_or_default();
    let queries: Vec<(QueryPurpose, String, Option<String>)> = plan
        .runnable()
        .map(|(p, q, time)| (p.clone(), q.to_string(), time.map(|s| s.to_string())))
        .collect();
    if queries.is_empty() {
        return Answers {
            queries: Vec::new(),
            buildinfo: not_collected("no Prometheus query was planned"),
        };
    }
    let endpoint = match endpoint(conn, direct, &dep_args, dep.as_ref()) {
        Ok(e) => e,
        Err(reason) => {
            return Answers {
                queries: queries
                    .into_iter()
                    .map(|(p, q, _)| not_run(p, q, &reason))
                    .collect(),
                buildinfo: not_collected(&reason),
            };
        }
    };
    let runs = queries
        .into_iter()
        .map(|(purpose, query, time)| run_one(conn, &endpoint, purpose, query, time));
    let (queries, buildinfo) = tokio::join!(
        futures_util::future::join_all(runs),
        get(
            conn,
            &endpoint,
            "Prometheus buildinfo",
            "/api/v1/status/buildinfo"
        )
    );
    Answers { queries, buildinfo }
}

/// One GET of `path_and_query` (from the API root, e.g. `/api/v1/query?...`) at `ep`.
async fn get(conn: &Conn, ep: &Endpoint, what: &str, path_and_query: &str) -> Source {
    match ep {
        Endpoint::Proxy(prefix) => {
            conn.get_prometheus(what.to_string(), &format!("{prefix}{path_and_query}"))
                .await
        }
        Endpoint::Direct(prom) => prom.get(what.to_string(), path_and_query).await,
    }
}

fn not_collected(reason: &str) -> Source {
    Source {
        outcome: Outcome::NotCollected {
            reason: reason.to_string(),
        },
        ..Source::default()
    }
}

/// `--prometheus-url` when given, else the adapter's own `--prometheus-url` through the API
/// server's service proxy.
fn endpoint(
    conn: &Conn,
    direct: Option<&DirectPrometheus>,
    dep_args: &[String],
    dep: Option<&Value>,
) -> Result<Endpoint, String> {
    if let Some(d) = direct {
        return Direct::connect(d, conn.insecure, conn.timeout(), conn.watch().clone())
            .map(Endpoint::Direct);
    }
    let url = flag_value(dep_args, "--prometheus-url")
        .ok_or("the adapter Deployment has no --prometheus-url; pass --prometheus-url")?;
    let dep_ns = dep
        .and_then(|d| d.pointer("/metadata/namespace"))
        .and_then(Value::as_str)
        .unwrap_or("default");
    service_proxy_path(&url, dep_ns).map(Endpoint::Proxy)
}

/// `https://prometheus-k8s.openshift-monitoring.svc:9091/x` →
/// `/api/v1/namespaces/openshift-monitoring/services/https:prometheus-k8s:9091/proxy/x`.
pub fn service_proxy_path(url: &str, default_ns: &str) -> Result<String, String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| format!("--prometheus-url {url:?} has no scheme"))?;
    let (hostport, path) = rest.split_once('/').map_or((rest, ""), |(h, p)| (h, p));
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h, p.to_string()),
        None => (
            hostport,
            if scheme == "https" {
                "443".into()
            } else {
                "80".into()
            },
        ),
    };
    let mut labels = host.split('.');
    let name = labels
        .next()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| format!("--prometheus-url {url:?} has no host"))?;
    if host == "localhost" || name.parse::<u8>().is_ok() {
        return Err(format!(
            "--prometheus-url {url:?} is not a Service; pass --prometheus-url to reach it directly"
        ));
    }
    let ns = labels.next().filter(|l| *l != "svc").unwrap_or(default_ns);
    check_proxy_parts(url, scheme, name, ns, &port, path)?;
    let path = path.trim_end_matches('/');
    let path = if path.is_empty() {
        String::new()
    } else {
        format!("/{path}")
    };
    Ok(format!(
        "/api/v1/namespaces/{ns}/services/{scheme}:{name}:{port}/proxy{path}"
    ))
}

/// Refuses a `--prometheus-url` whose parts would change the service-proxy path beyond the
/// Service (`..` segments, a query, a name that is not a Kubernetes name).
fn check_proxy_parts(
    url: &str,
    scheme: &str,
    name: &str,
    ns: &str,
    port: &str,
    path: &str,
) -> Result<(), String> {
    let port_ok = port.bytes().all(|b| b.is_ascii_digit()) || is_k8s_name(port, MAX_LABEL);
    let path_ok = !path.contains(['?', '#', '%', '\\'])
        && path.split('/').all(|seg| seg != "." && seg != "..");
    let names_ok = is_k8s_name(name, MAX_LABEL) && is_k8s_name(ns, MAX_LABEL);
    if matches!(scheme, "http" | "https") && port_ok && path_ok && names_ok {
        return Ok(());
    }
    Err(format!(
        "the adapter's --prometheus-url {url:?} does not name a Service by valid Kubernetes names; not requested through the service proxy (pass --prometheus-url to reach it directly)"
    ))
}

fn not_run(purpose: QueryPurpose, query: String, reason: &str) -> PromQuery {
    PromQuery {
        purpose,
        query,
        time: None,
        source: not_collected(reason),
    }
}

async fn run_one(
    conn: &Conn,
    ep: &Endpoint,
    purpose: QueryPurpose,
    query: String,
    time: Option<String>,
) -> PromQuery {
    let mut qs = format!("query={}", percent_encode(&query));
    if let Some(t) = &time {
        qs.push_str(&format!("&time={t}"));
    }
    let what = format!("Prometheus query ({})", purpose.as_str());
    let source = get(conn, ep, &what, &format!("/api/v1/query?{qs}")).await;
    PromQuery {
        purpose,
        query,
        time,
        source,
    }
}

#[cfg(test)]
mod tests;
