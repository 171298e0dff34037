//! The connection to the API server (kubeconfig like kubectl) and one-request helpers that
//! turn any answer — success, HTTP error, timeout — into a [`Source`].

use std::time::{Duration, Instant};

use http_body_util::BodyExt;
use kube::config::{KubeConfigOptions, Kubeconfig};

use super::FetchError;
use super::rbac;
use crate::cli::ConnArgs;
use crate::evidence::{Outcome, Source};
use crate::exposition::{PodLineFilter, PodSelector};

/// Largest API response kept whole (objects are KiB; only kubelet bodies are big, and those
/// are filtered as they stream).
const MAX_UNFILTERED_BODY: usize = 64 * 1024 * 1024;

/// A connected client plus what the report may say about it (never the credentials).
pub struct Conn {
    client: kube::Client,
    timeout: Option<Duration>,
    verbose: bool,
    /// API server URL.
    pub server: String,
    /// Context name, when loaded from a kubeconfig.
    pub context: Option<String>,
    /// Namespace of the context.
    pub default_namespace: String,
    /// Whether TLS verification is off (also applied to a direct Prometheus).
    pub insecure: bool,
}

/// Parses kubectl-style durations: `30s`, `1m`, `500ms`, `1h`, or a bare number of seconds.
pub fn parse_timeout(s: &str) -> Result<Option<Duration>, FetchError> {
    let err = || FetchError::Timeout(s.to_string());
    let (num, unit) = s
        .find(|c: char| !c.is_ascii_digit())
        .map_or((s, "s"), |i| s.split_at(i));
    let n: u64 = num.parse().map_err(|_| err())?;
    let d = match unit {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.saturating_mul(60)),
        "h" => Duration::from_secs(n.saturating_mul(3600)),
        _ => return Err(err()),
    };
    Ok((!d.is_zero()).then_some(d))
}

impl Conn {
    /// Loads the kubeconfig (`--kubeconfig`, `$KUBECONFIG`, `~/.kube/config`, then in-cluster).
    pub async fn connect(args: &ConnArgs) -> Result<Conn, FetchError> {
        let timeout = parse_timeout(&args.request_timeout)?;
        let opts = KubeConfigOptions {
            context: args.context.clone(),
            cluster: args.cluster.clone(),
            user: args.user.clone(),
        };
        let (mut config, context) = load_config(args, &opts).await?;
        if args.insecure_skip_tls_verify {
            config.accept_invalid_certs = true;
        }
        config.connect_timeout = timeout.or(config.connect_timeout);
        // A 503 from a service proxy or an unavailable APIService is evidence, not something
        // to retry for minutes (kube retries 429/503/504 with long backoff by default).
        config.default_retry = false;
        if let Some(user) = &args.as_user {
            config.auth_info.impersonate = Some(user.clone());
        }
        if !args.as_group.is_empty() {
            config.auth_info.impersonate_groups = Some(args.as_group.clone());
        }
        let server =
            super::prometheus::redact_url(config.cluster_url.to_string().trim_end_matches('/'));
        let default_namespace = config.default_namespace.clone();
        let client =
            kube::Client::try_from(config).map_err(|e| FetchError::Client(e.to_string()))?;
        Ok(Conn {
            client,
            timeout,
            verbose: args.verbose,
            server,
            context,
            default_namespace,
            insecure: args.insecure_skip_tls_verify,
        })
    }

    /// The per-request timeout.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// GET an API path and keep the whole body.
    pub async fn get(&self, path: &str) -> Source {
        self.request(path, None).await
    }

    /// GET a kubelet exposition path, keeping only the pod's lines as they stream in.
    pub async fn get_filtered(&self, path: &str, sel: PodSelector) -> Source {
        self.request(path, Some(PodLineFilter::new(sel))).await
    }

    async fn request(&self, path: &str, filter: Option<PodLineFilter>) -> Source {
        let started = Instant::now();
        let outcome = self.exchange(path, filter).await;
        self.log(path, &outcome, started);
        Source {
            request: Some(path.to_string()),
            fetched_at: Some(super::now_rfc3339()),
            outcome,
        }
    }

    /// Runs `f` under the request timeout; `None` when it expired.
    async fn within<F: std::future::Future>(&self, f: F) -> Option<F::Output> {
        match self.timeout {
            Some(t) => tokio::time::timeout(t, f).await.ok(),
            None => Some(f.await),
        }
    }

    /// The timeout bounds the wait for the response headers and then each wait for more of the
    /// body, so a slow but moving 60 MB kubelet body is not cut off, and a stalled one is.
    async fn exchange(&self, path: &str, filter: Option<PodLineFilter>) -> Outcome {
        let req = match http::Request::get(path).body(kube::client::Body::empty()) {
            Ok(r) => r,
            Err(e) => return failed(None, format!("bad request path {path}: {e}")),
        };
        let limit = self.timeout.map(human).unwrap_or_default();
        let resp = match self.within(self.client.send(req)).await {
            None => {
                return failed(
                    None,
                    format!("timed out after {limit} waiting for GET {path}"),
                );
            }
            Some(Err(e)) => {
                return failed(
                    None,
                    format!("GET {path} failed: {}", super::error_chain(&e)),
                );
            }
            Some(Ok(r)) => r,
        };
        let status = resp.status().as_u16();
        let mut body = resp.into_body();
        let (mut kept, mut read) = (Vec::new(), 0usize);
        let mut filter = filter.filter(|_| (200..300).contains(&status));
        loop {
            let frame = match self.within(body.frame()).await {
                None => {
                    let error = format!(
                        "no data for {limit} while reading the body of GET {path} ({read} bytes read)"
                    );
                    return failed(Some(status), error);
                }
                Some(None) => break,
                Some(Some(Err(e))) => {
                    return failed(
                        Some(status),
                        format!("reading the body of GET {path} failed: {e}"),
                    );
                }
                Some(Some(Ok(f))) => f,
            };
            let Ok(data) = frame.into_data() else {
                continue;
            };
            read += data.len();
            match filter.as_mut() {
                Some(f) => f.push(&data, &mut kept),
                None if kept.len() + data.len() > MAX_UNFILTERED_BODY => {
                    let error = format!(
                        "the response to GET {path} is larger than {MAX_UNFILTERED_BODY} bytes"
                    );
                    return failed(Some(status), error);
                }
                None => kept.extend_from_slice(&data),
            }
        }
        let note = filter.map(|mut f| {
            f.finish(&mut kept);
            filter_note(&f)
        });
        outcome(
            status,
            path,
            String::from_utf8_lossy(&kept).into_owned(),
            note,
        )
    }

    fn log(&self, path: &str, outcome: &Outcome, started: Instant) {
        if !self.verbose {
            return;
        }
        let ms = started.elapsed().as_millis();
        let what = match outcome {
            Outcome::Ok {
                http_status, body, ..
            } => format!("{http_status} ({} bytes kept)", body.len()),
            Outcome::Failed {
                http_status: Some(code),
                error,
                ..
            } => format!("{code}: {error}"),
            Outcome::Failed { error, .. } => error.clone(),
            Outcome::NotCollected { reason } => reason.clone(),
        };
        // Paths and statuses only: the client adds credentials below this layer.
        eprintln!(
            "ktrace: GET {path} → {} in {ms} ms",
            super::printable(&what)
        );
    }
}

fn human(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

fn failed(http_status: Option<u16>, error: String) -> Outcome {
    Outcome::Failed {
        http_status,
        error,
        needs: None,
    }
}

fn filter_note(f: &PodLineFilter) -> String {
    let sel = f.selector();
    let st = f.stats();
    let uid = sel
        .uid
        .as_deref()
        .map(|u| format!(" (+ cgroups of pod uid {u})"))
        .unwrap_or_default();
    format!(
        "lines with namespace={:?} and pod={:?} (or legacy pod_name){uid}, plus their # HELP/# TYPE; kept {} of {} lines ({} bytes read)",
        sel.namespace, sel.pod, st.lines_kept, st.lines_in, st.bytes_in
    )
}

/// Maps a status and body to an outcome; error bodies are summarised, never dropped silently.
pub fn outcome(status: u16, path: &str, body: String, filter: Option<String>) -> Outcome {
    if (200..300).contains(&status) {
        return Outcome::Ok {
            http_status: status,
            body,
            filter,
        };
    }
    let message = status_message(&body);
    let needs = (status == 403).then(|| rbac::needs(path));
    Outcome::Failed {
        http_status: Some(status),
        error: message,
        needs,
    }
}

/// The `message` of a Kubernetes `Status` body, else the first 300 characters of the body.
pub fn status_message(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.get("message")
                .and_then(|m| m.as_str())
                .map(str::to_string)
        })
        .unwrap_or_else(|| {
            body.chars()
                .take(300)
                .collect::<String>()
                .trim()
                .to_string()
        })
}

async fn load_config(
    args: &ConnArgs,
    opts: &KubeConfigOptions,
) -> Result<(kube::Config, Option<String>), FetchError> {
    let kc = match &args.kubeconfig {
        Some(p) => Kubeconfig::read_from(p)
            .map_err(|e| FetchError::Kubeconfig(format!("{}: {e}", p.display())))?,
        None => match kubeconfig_from_env_or_home()? {
            Some(kc) => kc,
            None => {
                let cfg = kube::Config::incluster().map_err(|e| {
                    FetchError::Kubeconfig(format!(
                        "no kubeconfig found (--kubeconfig, $KUBECONFIG, ~/.kube/config) and not in a cluster ({e}); log in first (e.g. `oc login`)"
                    ))
                })?;
                return Ok((cfg, None));
            }
        },
    };
    let context = opts.context.clone().or_else(|| kc.current_context.clone());
    let cfg = kube::Config::from_custom_kubeconfig(kc, opts)
        .await
        .map_err(|e| FetchError::Kubeconfig(e.to_string()))?;
    Ok((cfg, context))
}

/// `$KUBECONFIG` (a list, merged; files that do not exist are skipped, as kubectl does),
/// else `~/.kube/config`. `None` when neither exists.
fn kubeconfig_from_env_or_home() -> Result<Option<Kubeconfig>, FetchError> {
    let paths: Vec<std::path::PathBuf> = match std::env::var_os("KUBECONFIG") {
        Some(v) => std::env::split_paths(&v)
            .filter(|p| !p.as_os_str().is_empty())
            .collect(),
        None => std::env::var_os("HOME")
            .map(|h| vec![std::path::PathBuf::from(h).join(".kube/config")])
            .unwrap_or_default(),
    };
    let mut merged: Option<Kubeconfig> = None;
    for path in paths.iter().filter(|p| p.exists()) {
        let kc = Kubeconfig::read_from(path)
            .map_err(|e| FetchError::Kubeconfig(format!("{}: {e}", path.display())))?;
        merged = Some(match merged {
            None => kc,
            Some(m) => m
                .merge(kc)
                .map_err(|e| FetchError::Kubeconfig(e.to_string()))?,
        });
    }
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{outcome, parse_timeout, status_message};
    use crate::evidence::Outcome;

    #[test]
    fn timeouts_parse_like_kubectl() {
        assert_eq!(parse_timeout("30s").unwrap(), Some(Duration::from_secs(30)));
        assert_eq!(parse_timeout("1m").unwrap(), Some(Duration::from_secs(60)));
        assert_eq!(
            parse_timeout("500ms").unwrap(),
            Some(Duration::from_millis(500))
        );
        assert_eq!(parse_timeout("7").unwrap(), Some(Duration::from_secs(7)));
        assert_eq!(parse_timeout("0").unwrap(), None);
        assert!(
            parse_timeout("soon").is_err()
                && parse_timeout("5x").is_err()
                && parse_timeout("").is_err()
        );
    }

    #[test]
    fn a_403_names_the_permission_and_keeps_the_server_message() {
        let body = r#"{"kind":"Status","message":"nodes \"w\" is forbidden","reason":"Forbidden","code":403}"#;
        match outcome(
            403,
            "/api/v1/nodes/w/proxy/metrics/cadvisor",
            body.into(),
            None,
        ) {
            Outcome::Failed {
                http_status,
                error,
                needs,
            } => {
                assert_eq!(http_status, Some(403));
                assert_eq!(error, "nodes \"w\" is forbidden");
                assert_eq!(needs.as_deref(), Some("get nodes/proxy"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            status_message("<html>bad gateway</html>"),
            "<html>bad gateway</html>"
        );
    }
}
