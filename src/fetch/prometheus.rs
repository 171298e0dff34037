//! Running the adapter's rendered queries against its Prometheus: through the API server's
//! service proxy (default) or directly with `--prometheus-url` and a bearer token.

use serde_json::Value;

use super::{Conn, client};
use crate::cli::ConnArgs;
use crate::evidence::{Outcome, PodRef, PromQuery, QueryPurpose, Source};
use crate::objects::{deployment_args, flag_value};
use crate::promql::plan::{PlanInput, plan_queries};
use crate::promql::template::QueryTarget;

/// Where queries go.
enum Endpoint {
    /// API path prefix of a service proxy, e.g. `/api/v1/namespaces/NS/services/https:NAME:9091/proxy`.
    Proxy(String),
    /// A Prometheus base URL reached directly, with one client for all queries.
    Direct {
        base: String,
        token: Option<String>,
        client: reqwest::Client,
    },
}

/// Runs the queries `promql::plan` plans for the pod (memory, cpu, raw-series) at the
/// PodMetrics timestamp, concurrently. Empty when there is nothing to run (no readable config).
pub async fn run_queries(
    conn: &Conn,
    args: &ConnArgs,
    t: &PodRef,
    pod_metrics: &Source,
    deployment: &Source,
    config: &Source,
) -> Vec<PromQuery> {
    let dep: Option<Value> = deployment.body().and_then(|b| serde_json::from_str(b).ok());
    let dep_args = dep.as_ref().map(deployment_args).unwrap_or_default();
    let pods = [t.name.as_str()];
    let plan = plan_queries(&PlanInput {
        config,
        deployment_args: &dep_args,
        target: QueryTarget {
            namespace: &t.namespace,
            pods: &pods,
        },
        pod_metrics,
    });
    let queries: Vec<(QueryPurpose, String, Option<String>)> = plan
        .runnable()
        .map(|(p, q, time)| (p.clone(), q.to_string(), time.map(|s| s.to_string())))
        .collect();
    if queries.is_empty() {
        return Vec::new();
    }
    let endpoint = match endpoint(conn, args, &dep_args, dep.as_ref()) {
        Ok(e) => e,
        Err(reason) => {
            return queries
                .into_iter()
                .map(|(p, q, _)| not_run(p, q, &reason))
                .collect();
        }
    };
    let runs = queries
        .into_iter()
        .map(|(purpose, query, time)| run_one(conn, &endpoint, purpose, query, time, args));
    futures_util::future::join_all(runs).await
}

/// A token is only ever sent where the user pointed it (`--prometheus-token-file`), and never
/// over plain http; the kubeconfig's credentials stay with the API server.
fn endpoint(
    conn: &Conn,
    args: &ConnArgs,
    dep_args: &[String],
    dep: Option<&Value>,
) -> Result<Endpoint, String> {
    if let Some(base) = &args.prometheus_url {
        let token = match &args.prometheus_token_file {
            Some(p) => Some(
                std::fs::read_to_string(p)
                    .map_err(|e| {
                        format!("cannot read --prometheus-token-file {}: {e}", p.display())
                    })?
                    .trim()
                    .to_string(),
            ),
            None => None,
        };
        if token.is_some() && !base.starts_with("https://") {
            return Err(format!(
                "refusing to send the --prometheus-token-file token to {} over plain http; use https",
                redact_url(base)
            ));
        }
        let client = direct_client(conn, args)?;
        return Ok(Endpoint::Direct {
            base: redact_url(base.trim_end_matches('/')),
            token,
            client,
        });
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

fn not_run(purpose: QueryPurpose, query: String, reason: &str) -> PromQuery {
    let source = Source {
        outcome: Outcome::NotCollected {
            reason: reason.to_string(),
        },
        ..Source::default()
    };
    PromQuery {
        purpose,
        query,
        time: None,
        source,
    }
}

async fn run_one(
    conn: &Conn,
    ep: &Endpoint,
    purpose: QueryPurpose,
    query: String,
    time: Option<String>,
    args: &ConnArgs,
) -> PromQuery {
    let mut qs = format!("query={}", percent_encode(&query));
    if let Some(t) = &time {
        qs.push_str(&format!("&time={t}"));
    }
    let source = match ep {
        Endpoint::Proxy(prefix) => conn.get(&format!("{prefix}/api/v1/query?{qs}")).await,
        Endpoint::Direct {
            base,
            token,
            client,
        } => {
            direct(
                client,
                &format!("{base}/api/v1/query?{qs}"),
                token.as_deref(),
                args,
            )
            .await
        }
    };
    PromQuery {
        purpose,
        query,
        time,
        source,
    }
}

async fn direct(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    args: &ConnArgs,
) -> Source {
    let mut req = client.get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let outcome = match req.send().await {
        Ok(resp) => read_capped(resp, url).await,
        Err(e) if e.is_timeout() => failed(None, format!("timed out waiting for GET {url}")),
        Err(e) => failed(
            None,
            format!("GET {url} failed: {}", super::error_chain(&e)),
        ),
    };
    if args.verbose {
        let what = match &outcome {
            Outcome::Ok { http_status, .. } => http_status.to_string(),
            Outcome::Failed { error, .. } => error.clone(),
            Outcome::NotCollected { reason } => reason.clone(),
        };
        // The URL carries no credential: the token travels in a header that is never logged.
        eprintln!("ktrace: GET {url} → {}", super::printable(&what));
    }
    Source {
        request: Some(url.to_string()),
        fetched_at: Some(super::now_rfc3339()),
        outcome,
    }
}

/// Reads a response body up to the same cap as API responses.
async fn read_capped(mut resp: reqwest::Response, url: &str) -> Outcome {
    let status = resp.status().as_u16();
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) if body.len() + chunk.len() > super::client::MAX_UNFILTERED_BODY => {
                return failed(
                    Some(status),
                    format!(
                        "the response of {url} is larger than {} bytes",
                        super::client::MAX_UNFILTERED_BODY
                    ),
                );
            }
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(e) => {
                return failed(
                    Some(status),
                    format!("reading {url} failed: {}", super::error_chain(&e)),
                );
            }
        }
    }
    direct_outcome(status, String::from_utf8_lossy(&body).into_owned())
}

/// The HTTP client for a Prometheus reached directly: system roots, or only `--prometheus-ca-file`.
fn direct_client(conn: &Conn, args: &ConnArgs) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder().danger_accept_invalid_certs(conn.insecure);
    if let Some(t) = conn.timeout() {
        builder = builder.timeout(t);
    }
    if let Some(path) = &args.prometheus_ca_file {
        let pem = std::fs::read(path)
            .map_err(|e| format!("cannot read --prometheus-ca-file {}: {e}", path.display()))?;
        let cert = reqwest::Certificate::from_pem(&pem).map_err(|e| {
            format!(
                "--prometheus-ca-file {} is not a PEM certificate: {e}",
                path.display()
            )
        })?;
        builder = builder.tls_certs_only([cert]);
    }
    builder
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {}", super::error_chain(&e)))
}

fn direct_outcome(status: u16, body: String) -> Outcome {
    if (200..300).contains(&status) {
        return Outcome::Ok {
            http_status: status,
            body,
            filter: None,
        };
    }
    let needs = matches!(status, 401 | 403)
        .then(|| "a bearer token Prometheus accepts (--prometheus-token-file)".to_string());
    Outcome::Failed {
        http_status: Some(status),
        error: client::status_message(&body),
        needs,
    }
}

fn failed(http_status: Option<u16>, error: String) -> Outcome {
    Outcome::Failed {
        http_status,
        error,
        needs: None,
    }
}

/// A URL without user info or credential-like query parameters, safe to store and print.
/// (Credentials belong in `--prometheus-token-file`.)
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (path, query) = tail
        .split_once('?')
        .map_or((tail, None), |(p, q)| (p, Some(q)));
    let kept: Vec<&str> = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter(|kv| {
            let k = kv.split('=').next().unwrap_or("").to_ascii_lowercase();
            !["token", "key", "secret", "password", "auth", "credential"]
                .iter()
                .any(|w| k.contains(w))
        })
        .collect();
    let sep = if scheme.is_empty() { "" } else { "://" };
    let q = if kept.is_empty() {
        String::new()
    } else {
        format!("?{}", kept.join("&"))
    };
    format!("{scheme}{sep}{host}{path}{q}")
}

/// Percent-encodes a query-string value (RFC 3986 unreserved characters stay).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{percent_encode, redact_url, service_proxy_path};

    #[test]
    fn urls_lose_credentials_before_they_are_stored() {
        assert_eq!(
            redact_url("https://u:p@thanos.example.com:9091/prom?x=1&access_token=s"),
            "https://thanos.example.com:9091/prom?x=1"
        );
        assert_eq!(
            redact_url("https://thanos.example.com"),
            "https://thanos.example.com"
        );
        assert_eq!(redact_url("https://h/?token=a"), "https://h/");
    }

    #[test]
    fn adapter_prometheus_urls_become_service_proxy_paths() {
        assert_eq!(
            service_proxy_path("https://prometheus-k8s.openshift-monitoring.svc:9091", "x")
                .unwrap(),
            "/api/v1/namespaces/openshift-monitoring/services/https:prometheus-k8s:9091/proxy"
        );
        assert_eq!(
            service_proxy_path(
                "http://prometheus-k8s.monitoring.svc.cluster.local:9090/",
                "x"
            )
            .unwrap(),
            "/api/v1/namespaces/monitoring/services/http:prometheus-k8s:9090/proxy"
        );
        assert_eq!(
            service_proxy_path("http://thanos-querier/prom", "monitoring").unwrap(),
            "/api/v1/namespaces/monitoring/services/http:thanos-querier:80/proxy/prom"
        );
        assert!(service_proxy_path("https://localhost", "x").is_err());
        assert!(service_proxy_path("https://10.0.0.1:9091", "x").is_err());
        assert!(service_proxy_path("prometheus-k8s:9091", "x").is_err());
    }

    #[test]
    fn queries_are_percent_encoded() {
        assert_eq!(
            percent_encode(r#"sum(x{a!="",b=~"c|d"}) by (e)"#),
            "sum%28x%7Ba%21%3D%22%22%2Cb%3D~%22c%7Cd%22%7D%29%20by%20%28e%29"
        );
    }
}
