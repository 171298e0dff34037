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
pub const MAX_UNFILTERED_BODY: usize = 64 * 1024 * 1024;

/// How many request timeouts a streamed kubelet body may take in total while data arrives.
pub const STREAM_TIMEOUT_FACTOR: u32 = 10;

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

/// Parses kubectl's `--request-timeout`: a bare number of seconds, or a Go duration such as
/// `30s`, `1m30s`, `1.5s`, `500ms`, `2h45m`. Zero means no timeout.
pub fn parse_timeout(s: &str) -> Result<Option<Duration>, FetchError> {
    let err = || FetchError::Timeout(s.to_string());
    if let Ok(secs) = s.parse::<u64>() {
        return Ok((secs > 0).then(|| Duration::from_secs(secs)));
    }
    let mut rest = s;
    let mut total = 0f64;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(err)?;
        let (num, tail) = rest.split_at(num_end);
        let value: f64 = num.parse().map_err(|_| err())?;
        let unit_end = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, next) = tail.split_at(unit_end);
        let scale = match unit {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(err()),
        };
        total += value * scale;
        rest = next;
    }
    if s.is_empty() || !total.is_finite() || total > 1e9 {
        return Err(err());
    }
    Ok((total > 0.0).then(|| Duration::from_secs_f64(total)))
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
        let client = kube::Client::try_from(config)
            .map_err(|e| FetchError::Client(super::describe_error(&e)))?;
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

    /// Runs `f` for at most the request timeout and at most until `deadline`; `None` when
    /// either expired.
    async fn within<F: std::future::Future>(
        &self,
        deadline: Option<Instant>,
        f: F,
    ) -> Option<F::Output> {
        let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        match self.timeout.into_iter().chain(left).min() {
            Some(t) => tokio::time::timeout(t, f).await.ok(),
            None => Some(f.await),
        }
    }

    /// `--request-timeout` bounds an API request as a whole, like kubectl. A kubelet body
    /// (filtered while it streams) may take up to [`STREAM_TIMEOUT_FACTOR`] times as long in
    /// total as long as data keeps arriving, so a 60 MB body over a slow link is not cut off
    /// while a stalled or trickling one still ends.
    async fn exchange(&self, path: &str, filter: Option<PodLineFilter>) -> Outcome {
        let req = match http::Request::get(path).body(kube::client::Body::empty()) {
            Ok(r) => r,
            Err(e) => return failed(None, format!("bad request path {path}: {e}")),
        };
        let factor = if filter.is_some() {
            STREAM_TIMEOUT_FACTOR
        } else {
            1
        };
        let total = self.timeout.map(|t| t * factor);
        let deadline = total.map(|t| Instant::now() + t);
        let limit = self.timeout.map(human).unwrap_or_default();
        let resp = match self.within(deadline, self.client.send(req)).await {
            None => {
                return failed(
                    None,
                    format!("timed out after {limit} waiting for GET {path}"),
                );
            }
            Some(Err(e)) => {
                return failed(
                    None,
                    format!("GET {path} failed: {}", super::describe_error(&e)),
                );
            }
            Some(Ok(r)) => r,
        };
        let status = resp.status().as_u16();
        let mut body = resp.into_body();
        let (mut kept, mut read) = (Vec::new(), 0usize);
        let mut filter = filter.filter(|_| (200..300).contains(&status));
        loop {
            let frame = match self.within(deadline, body.frame()).await {
                None => {
                    let over = deadline.is_some_and(|d| Instant::now() >= d);
                    let error = match (over, total) {
                        (true, Some(t)) => format!(
                            "gave up on GET {path} after {} while the body was still arriving ({read} bytes read)",
                            human(t)
                        ),
                        _ => format!(
                            "no data for {limit} while reading the body of GET {path} ({read} bytes read)"
                        ),
                    };
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
    let mut message = status_message(&body);
    // Only the API server's own Forbidden is about RBAC; a 403 page from a service behind
    // the service proxy (e.g. an auth proxy in front of Prometheus) is that service refusing.
    let rbac_denial = status == 403 && is_forbidden_status(&body);
    if status == 403 && !rbac_denial {
        message.push_str(
            " (refused by the service behind the API server's proxy, not an RBAC denial)",
        );
    }
    let needs = rbac_denial.then(|| rbac::needs(path));
    Outcome::Failed {
        http_status: Some(status),
        error: message,
        needs,
    }
}

fn is_forbidden_status(body: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(body).is_ok_and(|v| {
        v.get("kind").and_then(|k| k.as_str()) == Some("Status")
            && v.get("reason").and_then(|r| r.as_str()) == Some("Forbidden")
    })
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
        .map_err(|e| FetchError::Kubeconfig(super::describe_error(&e)))?;
    Ok((cfg, context))
}

/// `$KUBECONFIG` (a list, merged; files that do not exist are skipped, as kubectl does),
/// else `~/.kube/config`. `None` when neither exists.
fn kubeconfig_from_env_or_home() -> Result<Option<Kubeconfig>, FetchError> {
    let from_env: Vec<std::path::PathBuf> = std::env::var_os("KUBECONFIG")
        .map(|v| {
            std::env::split_paths(&v)
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default();
    // An empty KUBECONFIG counts as unset, as in kubectl.
    let paths = if from_env.is_empty() {
        std::env::var_os("HOME")
            .map(|h| vec![std::path::PathBuf::from(h).join(".kube/config")])
            .unwrap_or_default()
    } else {
        from_env
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
        assert_eq!(
            parse_timeout("1m30s").unwrap(),
            Some(Duration::from_secs(90))
        );
        assert_eq!(
            parse_timeout("1.5s").unwrap(),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            parse_timeout("2h45m").unwrap(),
            Some(Duration::from_secs(9900))
        );
        assert!(
            parse_timeout("1.2.3s").is_err()
                && parse_timeout("s").is_err()
                && parse_timeout("-1s").is_err()
        );
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
