//! Running the adapter's rendered queries against its Prometheus: through the API server's
//! service proxy (default) or directly with `--prometheus-url` and a bearer token.

use serde_json::Value;

use super::client::Conn;
use super::direct::Direct;
use super::options::DirectPrometheus;
use super::url::percent_encode;
use crate::evidence::{Outcome, PodRef, PromQuery, Source};
use crate::objects::{adapter_config_text, deployment_args, flag_value};
use crate::promql::config::{self, ResourceRule};
use crate::promql::template::{QueryTarget, render_container_query};

/// Where queries go.
enum Endpoint {
    /// API path prefix of a service proxy, e.g. `/api/v1/namespaces/NS/services/https:NAME:9091/proxy`.
    Proxy(String),
    /// A Prometheus reached directly, with one client for all queries.
    Direct(Direct),
}

/// Renders the memory and cpu rules for the pod and runs them (plus a raw-series query) at
/// the PodMetrics timestamp, concurrently. Empty when the backend is not prometheus-adapter.
pub async fn run_queries(
    conn: &Conn,
    direct: Option<&DirectPrometheus>,
    t: &PodRef,
    pod_metrics: &Source,
    deployment: &Source,
    config: &Source,
) -> Vec<PromQuery> {
    let Some(cm) = config
        .body()
        .and_then(|b| serde_json::from_str::<Value>(b).ok())
    else {
        return Vec::new();
    };
    let dep: Option<Value> = deployment.body().and_then(|b| serde_json::from_str(b).ok());
    let dep_args = dep.as_ref().map(deployment_args).unwrap_or_default();
    let Some((memory, cpu)) = rules(&cm, &dep_args) else {
        return Vec::new();
    };
    let queries = planned(&memory, cpu.as_ref(), t);
    let time = eval_time(pod_metrics);
    let endpoint = match endpoint(conn, direct, &dep_args, dep.as_ref()) {
        Ok(e) => e,
        Err(reason) => {
            return queries
                .into_iter()
                .map(|(p, q)| not_run(p, q, &reason))
                .collect();
        }
    };
    let runs = queries
        .into_iter()
        .map(|(purpose, query)| run_one(conn, &endpoint, purpose, query, time.clone()));
    futures_util::future::join_all(runs).await
}

// The query plan: which rules, rendered for the pod, evaluated when.

fn rules(cm: &Value, args: &[String]) -> Option<(ResourceRule, Option<ResourceRule>)> {
    let (_, text) = adapter_config_text(cm, args).ok()?;
    let rr = config::parse_config(text).ok()?.resource_rules?;
    Some((rr.memory?, rr.cpu))
}

/// (purpose, query) pairs: memory, cpu, and the pod's raw memory series as Prometheus stores them.
fn planned(
    memory: &ResourceRule,
    cpu: Option<&ResourceRule>,
    t: &PodRef,
) -> Vec<(&'static str, String)> {
    let pods = [t.name.as_str()];
    let target = QueryTarget {
        namespace: &t.namespace,
        pods: &pods,
    };
    let mut out = Vec::new();
    if let Ok(r) = render_container_query(memory, &target) {
        out.push(("memory", r.query));
    }
    if let Some(Ok(r)) = cpu.map(|c| render_container_query(c, &target)) {
        out.push(("cpu", r.query));
    }
    let ns_label = memory
        .label_for("namespace")
        .unwrap_or_else(|| "namespace".into());
    let pod_label = memory.label_for("pod").unwrap_or_else(|| "pod".into());
    out.push((
        "raw-series",
        format!(
            "{{__name__=~\"container_memory_.*\",{ns_label}=\"{}\",{pod_label}=\"{}\"}}",
            t.namespace, t.name
        ),
    ));
    out
}

/// The adapter evaluated its queries at the moment it answered, which PodMetrics reports as `timestamp`.
fn eval_time(pod_metrics: &Source) -> Option<String> {
    let v: Value = serde_json::from_str(pod_metrics.body()?).ok()?;
    let ts = v.get("timestamp")?.as_str()?;
    let t: jiff::Timestamp = ts.parse().ok()?;
    Some(t.as_second().to_string())
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
        return Direct::connect(d, conn.insecure, conn.timeout(), conn.verbose())
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

fn not_run(purpose: &str, query: String, reason: &str) -> PromQuery {
    let source = Source {
        outcome: Outcome::NotCollected {
            reason: reason.to_string(),
        },
        ..Source::default()
    };
    PromQuery {
        purpose: purpose.to_string(),
        query,
        time: None,
        source,
    }
}

async fn run_one(
    conn: &Conn,
    ep: &Endpoint,
    purpose: &str,
    query: String,
    time: Option<String>,
) -> PromQuery {
    let mut qs = format!("query={}", percent_encode(&query));
    if let Some(t) = &time {
        qs.push_str(&format!("&time={t}"));
    }
    let source = match ep {
        Endpoint::Proxy(prefix) => conn.get(&format!("{prefix}/api/v1/query?{qs}")).await,
        Endpoint::Direct(prom) => prom.get(&format!("/api/v1/query?{qs}")).await,
    };
    PromQuery {
        purpose: purpose.to_string(),
        query,
        time,
        source,
    }
}

#[cfg(test)]
mod tests;
