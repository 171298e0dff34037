//! The connection to the API server and the one GET every API request goes through: any
//! answer — success, HTTP error, timeout — becomes a [`Source`].

use std::time::{Duration, Instant};

use http_body_util::BodyExt;
use kube::client::Body;

use super::error::FetchError;
use super::errtext::describe_error;
use super::kubeconfig;
use super::limits::{MAX_OBJECT_BYTES, MAX_PROMETHEUS_BYTES, STREAM_TIMEOUT_FACTOR, too_large};
use super::options::Options;
use super::outcome::{failed, outcome, source};
use super::progress::{Watch, label};
use super::secrets::Secrets;
use super::sink::{LineFilter, Next, Sink};
use super::url::redact_url;
use crate::evidence::{Outcome, Source};
use crate::exposition::{NodeLineFilter, NodeLines, PodLineFilter, PodSelector};

/// A connected client plus what the report may say about it (never the credentials).
pub struct Conn {
    client: kube::Client,
    timeout: Option<Duration>,
    watch: Watch,
    /// API server URL.
    pub server: String,
    /// Context name, when loaded from a kubeconfig.
    pub context: Option<String>,
    /// Namespace of the context.
    pub default_namespace: String,
    /// Whether TLS verification is off (also applied to a direct Prometheus).
    pub insecure: bool,
    /// The credentials this client sends, scrubbed from every answer it stores or logs.
    pub secrets: Secrets,
}

/// When a request must be over: the total deadline, and the limit it came from.
#[derive(Clone, Copy)]
struct Deadline {
    at: Option<Instant>,
    total: Option<Duration>,
}

impl Conn {
    /// Loads the kubeconfig (`--kubeconfig`, `$KUBECONFIG`, `~/.kube/config`, then in-cluster)
    /// and builds the client.
    pub async fn connect(opts: &Options) -> Result<Conn, FetchError> {
        let kubeconfig::Loaded {
            config,
            context,
            secrets,
        } = kubeconfig::load(&opts.connection, opts.timeout).await?;
        let server = redact_url(config.cluster_url.to_string().trim_end_matches('/'));
        let default_namespace = config.default_namespace.clone();
        let client =
            kube::Client::try_from(config).map_err(|e| FetchError::Client(describe_error(&e)))?;
        Ok(Conn {
            client,
            timeout: opts.timeout,
            watch: Watch::new(opts.verbose, opts.progress.clone()).scrubbing(secrets.clone()),
            server,
            context,
            default_namespace,
            insecure: opts.connection.insecure_skip_tls_verify,
            secrets,
        })
    }

    /// The per-request timeout.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// Where requests report (the `-v` log and the progress sink), for a direct Prometheus.
    pub fn watch(&self) -> &Watch {
        &self.watch
    }

    /// GET an API object (or list) and keep the whole body, up to [`MAX_OBJECT_BYTES`].
    pub async fn get(&self, path: &str) -> Source {
        let sink = Sink::new(None, MAX_OBJECT_BYTES);
        self.request(label(path), path, sink, "an API object").await
    }

    /// GET a Prometheus answer through the service proxy, shown in progress as `what`, up to
    /// [`MAX_PROMETHEUS_BYTES`].
    pub async fn get_prometheus(&self, what: String, path: &str) -> Source {
        let sink = Sink::new(None, MAX_PROMETHEUS_BYTES);
        self.request(what, path, sink, "a Prometheus answer").await
    }

    /// GET a kubelet exposition path, keeping only the pod's lines as they stream in.
    pub async fn get_filtered(&self, path: &str, sel: PodSelector) -> Source {
        let sink = Sink::new(Some(PodLineFilter::new(sel)), MAX_OBJECT_BYTES);
        self.request(label(path), path, sink, "an error answer")
            .await
    }

    /// [`Conn::get_filtered`] shown in progress as `what` and in the `-v` log as the path
    /// followed by `note` (a repeated request, e.g. a second reading of the same path).
    pub async fn get_filtered_as(
        &self,
        what: String,
        note: &str,
        path: &str,
        sel: PodSelector,
    ) -> Source {
        let sink = Sink::new(Some(PodLineFilter::new(sel)), MAX_OBJECT_BYTES);
        let shown = format!("{path} {note}");
        self.request_shown(what, &shown, path, sink, "an error answer")
            .await
    }

    /// GET a kubelet exposition path, keeping only the node's own `lines` as they stream in.
    pub async fn get_node_filtered(&self, path: &str, lines: NodeLines) -> Source {
        let filter = LineFilter::Node(Box::new(NodeLineFilter::new(lines)));
        let sink = Sink::with_filter(Some(filter), MAX_OBJECT_BYTES);
        self.request(label(path), path, sink, "an error answer")
            .await
    }

    /// GET an API list, keeping the whole body up to `cap` bytes.
    pub async fn get_capped(&self, path: &str, cap: usize) -> Source {
        let sink = Sink::new(None, cap);
        self.request(label(path), path, sink, "an API list").await
    }

    /// Every API request goes through here. Paths and statuses are reported, never
    /// credentials: the client adds those below this layer.
    async fn request(&self, what: String, path: &str, sink: Sink, kind: &str) -> Source {
        self.request_shown(what, path, path, sink, kind).await
    }

    /// [`Conn::request`], reported as `shown` instead of the bare path.
    async fn request_shown(
        &self,
        what: String,
        shown: &str,
        path: &str,
        sink: Sink,
        kind: &str,
    ) -> Source {
        let ticket = self.watch.start(what, shown);
        let mut outcome = self.exchange(path, sink, kind).await;
        // An error page or Status message may quote the Authorization header back.
        self.secrets.scrub_outcome(&mut outcome);
        self.watch.finish(ticket, &outcome);
        source(path, outcome)
    }

    /// `--request-timeout` bounds an API request as a whole, like kubectl. A kubelet body
    /// (filtered while it streams) may take up to [`STREAM_TIMEOUT_FACTOR`] times as long in
    /// total, each frame arriving within the timeout: a 60 MB body over a slow link gets ten
    /// timeouts, and a stalled or trickling one is cut off (and reported) after them.
    async fn exchange(&self, path: &str, sink: Sink, kind: &str) -> Outcome {
        let factor = if sink.is_filtered() {
            STREAM_TIMEOUT_FACTOR
        } else {
            1
        };
        let total = self.timeout.map(|t| t * factor);
        let deadline = Deadline {
            at: total.map(|t| Instant::now() + t),
            total,
        };
        match self.send(path, deadline).await {
            Ok(resp) => self.read_body(path, resp, (sink, kind), deadline).await,
            Err(failure) => failure,
        }
    }

    /// Sends the GET and waits for the response head.
    async fn send(&self, path: &str, deadline: Deadline) -> Result<http::Response<Body>, Outcome> {
        let req = http::Request::get(path)
            .body(Body::empty())
            .map_err(|e| failed(None, format!("bad request path {path}: {e}")))?;
        match self.within(deadline, self.client.send(req)).await {
            None => Err(failed(
                None,
                format!("timed out after {} waiting for GET {path}", self.limit()),
            )),
            Some(Err(e)) => Err(failed(
                None,
                format!("GET {path} failed: {}", describe_error(&e)),
            )),
            Some(Ok(r)) => Ok(r),
        }
    }

    /// Reads the body frame by frame into a [`Sink`]; each frame must come within the request
    /// timeout and all of them before the deadline. A filtered sink filters only a 2xx body.
    async fn read_body(
        &self,
        path: &str,
        resp: http::Response<Body>,
        (mut sink, kind): (Sink, &str),
        deadline: Deadline,
    ) -> Outcome {
        let status = resp.status().as_u16();
        if let Some(to) = redirect_target(&resp) {
            return failed(Some(status), to);
        }
        if !(200..300).contains(&status) {
            sink = sink.unfiltered();
        }
        let mut body = resp.into_body();
        loop {
            let data = match self.within(deadline, body.frame()).await {
                None => return failed(Some(status), self.stalled(path, sink.read, deadline)),
                Some(None) => break,
                Some(Some(Err(e))) => {
                    let error = format!("reading the body of GET {path} failed: {e}");
                    return failed(Some(status), error);
                }
                Some(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) => data,
                    Err(_) => continue,
                },
            };
            match sink.push(&data) {
                Next::More => {}
                Next::Done => break,
                Next::TooLarge => return failed(Some(status), too_large(path, sink.cap(), kind)),
            }
        }
        let (text, note) = sink.finish();
        outcome(status, path, text, note)
    }

    /// Why a body read was given up on: the deadline passed, or a frame did not come in time.
    fn stalled(&self, path: &str, read: u64, deadline: Deadline) -> String {
        let over = deadline.at.is_some_and(|d| Instant::now() >= d);
        match (over, deadline.total) {
            (true, Some(t)) => format!(
                "gave up on GET {path} after {} while the body was still arriving ({read} bytes read)",
                human(t)
            ),
            _ => format!(
                "no data for {} while reading the body of GET {path} ({read} bytes read)",
                self.limit()
            ),
        }
    }

    /// Runs `f` for at most the request timeout and at most until the deadline; `None` when
    /// either expired.
    async fn within<F: std::future::Future>(&self, deadline: Deadline, f: F) -> Option<F::Output> {
        let left = deadline
            .at
            .map(|d| d.saturating_duration_since(Instant::now()));
        match self.timeout.into_iter().chain(left).min() {
            Some(t) => tokio::time::timeout(t, f).await.ok(),
            None => Some(f.await),
        }
    }

    /// The request timeout in words (empty when there is none).
    fn limit(&self) -> String {
        self.timeout.map(human).unwrap_or_default()
    }
}

/// For a 3xx answer with a `Location`: where it pointed (user info and token-like query
/// parameters taken out; the scrubber takes out any credential left). Never followed.
pub fn redirect_target<B>(resp: &http::Response<B>) -> Option<String> {
    if !resp.status().is_redirection() {
        return None;
    }
    let location = resp.headers().get(http::header::LOCATION)?;
    Some(redirect_message(&String::from_utf8_lossy(
        location.as_bytes(),
    )))
}

/// How a redirect to `location` is reported (user info and token-like query parameters
/// taken out).
pub fn redirect_message(location: &str) -> String {
    format!(
        "redirected to {} (ktrace does not follow redirects: point it at the final address)",
        redact_url(location)
    )
}

fn human(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

#[cfg(test)]
mod tests;
