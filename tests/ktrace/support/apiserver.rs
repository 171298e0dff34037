//! A fake Kubernetes API server for tests: real HTTPS (rustls, ring) with bearer-token auth on
//! 127.0.0.1, answering from a path → [`Route`] table. Real `kubectl` and kube-rs both accept it.
//!
//! ```ignore
//! let srv = TestApiServer::start(
//!     Routes::new().with("/apis/metrics.k8s.io/v1beta1/namespaces/csi/pods/p", Route::json(&body)),
//!     ServerOptions::default(),
//! );
//! let kubeconfig = srv.write_kubeconfig(tmp.path(), Some("csi"));
//! ```
//!
//! The server runs on its own tokio runtime in a background thread, so it works from sync and
//! async tests alike; it shuts down when the handle is dropped.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use http::{Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{BackgroundRuntime, LoopbackUrl, RawResponse};

/// Bodies larger than this are streamed in slices of this size (zero-copy `Bytes::slice`).
pub const STREAM_CHUNK: usize = 64 * 1024;

/// How long a Proxy route waits for its upstream before answering 503.
pub const PROXY_TIMEOUT: Duration = Duration::from_secs(30);

pub(super) type Body = BoxBody<Bytes, Infallible>;

/// A body computed per request: `(content type, body)`.
pub type BodyFn = Arc<dyn Fn() -> (String, Bytes) + Send + Sync>;

/// [`BodyFn`] with a `Debug` that names it (a closure has none).
#[derive(Clone)]
pub struct Dynamic(pub BodyFn);

impl std::fmt::Debug for Dynamic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Dynamic(<body computed per request>)")
    }
}

/// What the server answers for a path.
#[derive(Clone, Debug)]
pub enum Route {
    /// `Content-Type: application/json` with this status and body.
    Json(u16, String),
    /// Arbitrary content type; bodies over [`STREAM_CHUNK`] are streamed in 64 KiB chunks
    /// with a `Content-Length`, and never copied per request.
    Text(u16, String, Bytes),
    /// 200 with a content type and body computed when the request comes (e.g. counters that
    /// advance with wall time); rendered like [`Route::Text`].
    Dynamic(Dynamic),
    /// A metav1.Status failure like the real API server renders: `(code, reason, message)`,
    /// with `"details":{}`.
    Status(u16, String, String),
    /// Never answers (the connection stays open until the client gives up or the server drops).
    Hang,
    /// 200 with headers at once, then one byte every `Duration`, forever (a trickling body).
    Trickle(Duration),
    /// Forward the rest of the path (after the registered prefix) plus the query string to a
    /// plain-http loopback upstream, e.g. `http://127.0.0.1:9090`. Copies status,
    /// content-type and body. Emulates `/api/v1/namespaces/NS/services/SCHEME:NAME:PORT/proxy/`.
    Proxy { upstream_base: String },
    /// A hostile server quoting the request's credentials back: `code` with a body (a
    /// metav1.Status message when `as_status`, else plain text) saying `Authorization: <the
    /// header as received>`.
    EchoAuth { code: u16, as_status: bool },
    /// A redirect to `location`, in which `{token}` becomes the bearer token received (so a
    /// Location can carry `access_token={token}`); the body quotes the Location too.
    Redirect { code: u16, location: String },
    /// 200 with `Content-Encoding: gzip` and this (already compressed) body, whatever the
    /// client asked for: kube asks for gzip, and a small answer may decode to a huge body.
    Gzip { content_type: String, body: Bytes },
    /// The connection is reset (TCP RST, no HTTP answer at all) once the request has come.
    Reset,
    /// `code` with `Content-Length: declared` but only `body` (shorter) sent before the
    /// connection closes: an answer cut off on the wire.
    Truncated {
        code: u16,
        content_type: String,
        body: Bytes,
        declared: usize,
    },
}

impl Route {
    /// 200 with a JSON body.
    pub fn json(value: &serde_json::Value) -> Route {
        Route::Json(200, value.to_string())
    }

    /// 200 with the given content type and body.
    pub fn text(content_type: &str, body: impl Into<Bytes>) -> Route {
        Route::Text(200, content_type.to_owned(), body.into())
    }

    /// 200 with a body computed per request by `f`.
    pub fn dynamic(f: BodyFn) -> Route {
        Route::Dynamic(Dynamic(f))
    }

    pub fn status(code: u16, reason: &str, message: &str) -> Route {
        Route::Status(code, reason.to_owned(), message.to_owned())
    }

    pub fn proxy(upstream_base: &str) -> Route {
        Route::Proxy {
            upstream_base: upstream_base.to_owned(),
        }
    }
}

/// The route table. Later entries for the same path replace earlier ones (and the built-in
/// `/version`, `/api`, `/apis` defaults).
#[derive(Clone, Debug, Default)]
pub struct Routes(pub Vec<(String, Route)>);

impl Routes {
    pub fn new() -> Self {
        Routes(Vec::new())
    }

    pub fn with(mut self, path: impl Into<String>, route: Route) -> Self {
        self.0.push((path.into(), route));
        self
    }

    pub fn insert(&mut self, path: impl Into<String>, route: Route) {
        self.0.push((path.into(), route));
    }
}

impl<K: Into<String>> From<Vec<(K, Route)>> for Routes {
    fn from(v: Vec<(K, Route)>) -> Self {
        Routes(v.into_iter().map(|(k, r)| (k.into(), r)).collect())
    }
}

impl<K: Into<String>> FromIterator<(K, Route)> for Routes {
    fn from_iter<I: IntoIterator<Item = (K, Route)>>(iter: I) -> Self {
        Routes(iter.into_iter().map(|(k, r)| (k.into(), r)).collect())
    }
}

#[derive(Clone, Debug, Default)]
pub struct ServerOptions {
    /// Artificial latency added before every response (including 401/404), for benchmarks.
    pub latency: Duration,
    /// Answer requests without (or with another) bearer token too, as a server that does
    /// not check credentials would; the log still says whether one came.
    pub anonymous: bool,
}

impl ServerOptions {
    pub fn with_latency(latency: Duration) -> Self {
        ServerOptions {
            latency,
            ..ServerOptions::default()
        }
    }

    /// A server that answers without checking credentials.
    pub fn anonymous() -> Self {
        ServerOptions {
            anonymous: true,
            ..ServerOptions::default()
        }
    }
}

/// One logged request. The token value is never stored.
#[derive(Clone, Debug)]
pub struct RequestRecord {
    /// Path without the query string.
    pub path: String,
    /// Path plus `?query` exactly as received.
    pub path_and_query: String,
    /// Whether an `Authorization` header was present at all.
    pub had_authorization: bool,
    /// Whether it was exactly `Bearer <this server's token>`.
    pub authorized: bool,
    pub user_agent: Option<String>,
    /// `Impersonate-User` header, if sent.
    pub impersonate_user: Option<String>,
    /// Every `Impersonate-Group` header, in the order sent (kubectl sends one per group).
    pub impersonate_groups: Vec<String>,
    /// Response status; `None` while in flight (or forever, for `Hang`).
    pub status: Option<u16>,
    pub started: Instant,
    /// When the response head was ready (after latency); `None` while in flight.
    pub finished: Option<Instant>,
}

struct State {
    token: String,
    /// Exact routes; replaceable while the server runs ([`TestApiServer::set_route`]).
    routes: Arc<Mutex<HashMap<String, Route>>>,
    /// Proxy prefixes, longest first; extendable while the server runs.
    proxy_prefixes: Arc<Mutex<Vec<(String, String)>>>,
    latency: Duration,
    anonymous: bool,
    log: Arc<Mutex<Vec<RequestRecord>>>,
}

pub struct TestApiServer {
    addr: SocketAddr,
    token: String,
    routes: Arc<Mutex<HashMap<String, Route>>>,
    proxy_prefixes: Arc<Mutex<Vec<(String, String)>>>,
    ca_pem: String,
    log: Arc<Mutex<Vec<RequestRecord>>>,
    _runtime: BackgroundRuntime,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// `/version` default body.
pub const VERSION_JSON: &str = r#"{"major":"1","minor":"32","gitVersion":"v1.32.4"}"#;

/// `/apis` default body: an APIGroupList with `metrics.k8s.io/v1beta1`.
pub fn apis_with_metrics_json() -> String {
    serde_json::json!({
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [{
            "name": "metrics.k8s.io",
            "versions": [{"groupVersion": "metrics.k8s.io/v1beta1", "version": "v1beta1"}],
            "preferredVersion": {"groupVersion": "metrics.k8s.io/v1beta1", "version": "v1beta1"}
        }]
    })
    .to_string()
}

/// Render a metav1.Status like the API server does.
pub fn status_json(code: u16, reason: &str, message: &str, details: &serde_json::Value) -> String {
    serde_json::json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": if code < 400 { "Success" } else { "Failure" },
        "message": message,
        "reason": reason,
        "details": details,
        "code": code,
    })
    .to_string()
}

impl TestApiServer {
    /// Start the server on `127.0.0.1:0`. Panics only on setup failures (cert generation, bind,
    /// a Proxy route whose upstream is not a loopback http:// URL).
    pub fn start(routes: impl Into<Routes>, options: ServerOptions) -> TestApiServer {
        let (ca_pem, tls_config) = super::tls::make_tls();
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        std_listener.set_nonblocking(true).expect("set_nonblocking");
        let addr = std_listener.local_addr().expect("local_addr");
        let token = super::random_hex(24);

        let mut table: HashMap<String, Route> = HashMap::new();
        table.insert("/version".into(), Route::Json(200, VERSION_JSON.into()));
        table.insert(
            "/api".into(),
            Route::Json(
                200,
                serde_json::json!({
                    "kind": "APIVersions",
                    "versions": ["v1"],
                    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": addr.to_string()}]
                })
                .to_string(),
            ),
        );
        table.insert("/apis".into(), Route::Json(200, apis_with_metrics_json()));
        for (path, route) in routes.into().0 {
            table.insert(path, route);
        }
        let mut proxy_prefixes: Vec<(String, String)> = table
            .iter()
            .filter_map(|(p, r)| match r {
                Route::Proxy { upstream_base } => {
                    if let Err(e) = LoopbackUrl::parse(upstream_base) {
                        panic!("Proxy route {p}: {e}");
                    }
                    Some((p.clone(), upstream_base.clone()))
                }
                _ => None,
            })
            .collect();
        proxy_prefixes.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));

        let log = Arc::new(Mutex::new(Vec::new()));
        let routes = Arc::new(Mutex::new(table));
        let proxy_prefixes = Arc::new(Mutex::new(proxy_prefixes));
        let state = Arc::new(State {
            token: token.clone(),
            routes: routes.clone(),
            proxy_prefixes: proxy_prefixes.clone(),
            latency: options.latency,
            anonymous: options.anonymous,
            log: log.clone(),
        });
        let acceptor = tokio_rustls::TlsAcceptor::from(tls_config);
        let runtime = BackgroundRuntime::spawn("test-apiserver", move || async move {
            let listener = match tokio::net::TcpListener::from_std(std_listener) {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("test apiserver: cannot register listener: {e}");
                    return;
                }
            };
            accept_loop(listener, acceptor, state).await;
        });
        TestApiServer {
            addr,
            token,
            routes,
            proxy_prefixes,
            ca_pem,
            log,
            _runtime: runtime,
        }
    }

    /// Adds or replaces an exact route while the server runs.
    pub fn set_route(&self, path: impl Into<String>, route: Route) {
        let path = path.into();
        if let Route::Proxy { upstream_base } = &route {
            LoopbackUrl::parse(upstream_base).unwrap_or_else(|e| panic!("Proxy route {path}: {e}"));
            let mut prefixes = lock(&self.proxy_prefixes);
            prefixes.retain(|(p, _)| *p != path);
            prefixes.push((path.clone(), upstream_base.clone()));
            prefixes.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        }
        lock(&self.routes).insert(path, route);
    }

    /// `https://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// PEM of the CA that signed the server's leaf certificate.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// Snapshot of the request log, in arrival order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.log).clone()
    }

    /// Requests whose path (without query) equals `path`.
    pub fn requests_to(&self, path: &str) -> Vec<RequestRecord> {
        lock(&self.log)
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    /// Paths (without query) in arrival order.
    pub fn paths_hit(&self) -> Vec<String> {
        lock(&self.log).iter().map(|r| r.path.clone()).collect()
    }

    /// Largest number of requests that were in flight at the same moment (finished ones only,
    /// plus still-open ones counted as open until now).
    pub fn max_concurrency(&self) -> usize {
        let now = Instant::now();
        let mut events: Vec<(Instant, i32)> = Vec::new();
        for r in lock(&self.log).iter() {
            events.push((r.started, 1));
            events.push((r.finished.unwrap_or(now), -1));
        }
        // Ends sort before starts at the same instant, so back-to-back requests don't overlap.
        events.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        let (mut cur, mut max) = (0i32, 0i32);
        for (_, d) in events {
            cur += d;
            max = max.max(cur);
        }
        max as usize
    }

    /// Kubeconfig YAML: cluster/user/context `test`, CA data, this server's token.
    pub fn kubeconfig_yaml(&self, namespace: Option<&str>) -> String {
        self.kubeconfig_yaml_with_token(namespace, &self.token)
    }

    /// Same, with an arbitrary token (for 401 tests).
    pub fn kubeconfig_yaml_with_token(&self, namespace: Option<&str>, token: &str) -> String {
        super::tls::kubeconfig_yaml(&self.url(), &self.ca_pem, token, namespace)
    }

    /// Write `kubeconfig` into `dir` and return its path.
    pub fn write_kubeconfig(&self, dir: &Path, namespace: Option<&str>) -> PathBuf {
        let path = dir.join("kubeconfig");
        std::fs::write(&path, self.kubeconfig_yaml(namespace)).expect("write kubeconfig");
        path
    }

    /// Write `kubeconfig-custom-token` (with `token` instead of the real one) into `dir`; returns its path.
    pub fn write_kubeconfig_with_token(
        &self,
        dir: &Path,
        namespace: Option<&str>,
        token: &str,
    ) -> PathBuf {
        let path = dir.join("kubeconfig-custom-token");
        std::fs::write(&path, self.kubeconfig_yaml_with_token(namespace, token))
            .expect("write kubeconfig");
        path
    }
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    state: Arc<State>,
) {
    loop {
        let tcp = match listener.accept().await {
            Ok((tcp, _)) => tcp,
            Err(_) => {
                // e.g. EMFILE; back off instead of spinning.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let state = state.clone();
        tokio::spawn(async move {
            // A second handle on the socket, for a Reset route to close it with an RST.
            let socket = super::faults::SocketHandle::of(&tcp);
            let tls =
                match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await {
                    Ok(Ok(tls)) => tls,
                    _ => return, // handshake failure / plain-http client / timeout
                };
            let reset = socket.reset_signal();
            let svc = hyper::service::service_fn(move |mut req: Request<Incoming>| {
                let state = state.clone();
                req.extensions_mut().insert(reset.clone());
                async move { Ok::<_, Infallible>(handle(state, req).await) }
            });
            // Errors here are client disconnects or malformed requests; ignore them.
            let conn =
                hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(tls), svc);
            tokio::select! {
                _ = conn => {}
                _ = socket.reset_requested() => socket.reset(),
            }
        });
    }
}

fn header_string(req: &Request<Incoming>, name: http::header::HeaderName) -> Option<String> {
    req.headers()
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

async fn handle(state: Arc<State>, req: Request<Incoming>) -> Response<Body> {
    let path = req.uri().path().to_owned();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| path.clone());
    let auth = req.headers().get(http::header::AUTHORIZATION);
    let had_authorization = auth.is_some();
    let expected = format!("Bearer {}", state.token);
    let authorized = auth.is_some_and(|v| v.as_bytes() == expected.as_bytes());
    let index = {
        let mut log = lock(&state.log);
        log.push(RequestRecord {
            path: path.clone(),
            path_and_query,
            had_authorization,
            authorized,
            user_agent: header_string(&req, http::header::USER_AGENT),
            impersonate_user: req
                .headers()
                .get("impersonate-user")
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
            impersonate_groups: req
                .headers()
                .get_all("impersonate-group")
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .collect(),
            status: None,
            started: Instant::now(),
            finished: None,
        });
        log.len() - 1
    };

    if !state.latency.is_zero() {
        tokio::time::sleep(state.latency).await;
    }

    let resp = if !authorized && !state.anonymous {
        status_response(401, "Unauthorized", "Unauthorized", &serde_json::json!({}))
    } else {
        route_request(&state, req).await
    };

    let mut log = lock(&state.log);
    if let Some(rec) = log.get_mut(index) {
        rec.status = Some(resp.status().as_u16());
        rec.finished = Some(Instant::now());
    }
    resp
}

async fn route_request(state: &State, req: Request<Incoming>) -> Response<Body> {
    let path = req.uri().path().to_owned();
    let exact = req.uri().path_and_query().map(|p| p.as_str().to_owned());
    // A route keyed by `path?query` wins over one keyed by the path alone.
    let route = exact
        .and_then(|pq| lock(&state.routes).get(&pq).cloned())
        .or_else(|| lock(&state.routes).get(&path).cloned());
    if let Some(route) = route {
        if let Route::Proxy { upstream_base } = &route {
            return proxy(upstream_base, "", req).await;
        }
        if let Route::Reset = route {
            return super::faults::reset_connection(&req).await;
        }
        if let Some(resp) = super::faults::render(&route, &req) {
            return resp;
        }
        return render(&route).await;
    }
    let prefixes = lock(&state.proxy_prefixes).clone();
    for (prefix, upstream) in &prefixes {
        if let Some(rest) = path.strip_prefix(prefix.as_str()) {
            let rest = rest.to_owned();
            return proxy(upstream, &rest, req).await;
        }
    }
    status_response(
        404,
        "NotFound",
        "the server could not find the requested resource",
        &serde_json::json!({}),
    )
}

fn status_code(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

pub(super) fn full_response(code: u16, content_type: &str, body: Bytes) -> Response<Body> {
    let mut resp = Response::new(Full::new(body).boxed());
    *resp.status_mut() = status_code(code);
    let ct = HeaderValue::from_str(content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    resp.headers_mut().insert(CONTENT_TYPE, ct);
    resp
}

pub(super) fn status_response(
    code: u16,
    reason: &str,
    message: &str,
    details: &serde_json::Value,
) -> Response<Body> {
    full_response(
        code,
        "application/json",
        Bytes::from(status_json(code, reason, message, details)),
    )
}

async fn render(route: &Route) -> Response<Body> {
    match route {
        Route::Json(code, body) => {
            full_response(*code, "application/json", Bytes::from(body.clone()))
        }
        Route::Text(code, content_type, body) => text_response(*code, content_type, body.clone()),
        Route::Dynamic(Dynamic(f)) => {
            let (content_type, body) = f();
            text_response(200, &content_type, body)
        }
        Route::Status(code, reason, message) => {
            status_response(*code, reason, message, &serde_json::json!({}))
        }
        Route::Hang => std::future::pending().await,
        Route::Trickle(every) => {
            let every = *every;
            let frames = futures_util::stream::unfold((), move |()| async move {
                tokio::time::sleep(every).await;
                Some((
                    Ok::<_, Infallible>(Frame::data(Bytes::from_static(b"#"))),
                    (),
                ))
            });
            let mut resp = Response::new(StreamBody::new(frames).boxed());
            resp.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4"),
            );
            resp
        }
        // Handled in route_request; kept total for safety.
        Route::Proxy { .. }
        | Route::EchoAuth { .. }
        | Route::Redirect { .. }
        | Route::Gzip { .. }
        | Route::Reset
        | Route::Truncated { .. } => status_response(
            500,
            "InternalError",
            "proxy route rendered directly",
            &serde_json::json!({}),
        ),
    }
}

/// `body` as is, or streamed in [`STREAM_CHUNK`] slices with a `Content-Length` when larger.
fn text_response(code: u16, content_type: &str, body: Bytes) -> Response<Body> {
    if body.len() <= STREAM_CHUNK {
        return full_response(code, content_type, body);
    }
    let len = body.len();
    let chunks = (0..len).step_by(STREAM_CHUNK).map(move |start| {
        Ok::<_, Infallible>(Frame::data(
            body.slice(start..(start + STREAM_CHUNK).min(len)),
        ))
    });
    let mut resp = Response::new(StreamBody::new(futures_util::stream::iter(chunks)).boxed());
    *resp.status_mut() = status_code(code);
    let ct = HeaderValue::from_str(content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    resp.headers_mut().insert(CONTENT_TYPE, ct);
    resp.headers_mut()
        .insert(CONTENT_LENGTH, HeaderValue::from(len));
    resp
}

async fn proxy(upstream_base: &str, rest: &str, req: Request<Incoming>) -> Response<Body> {
    let mut url = upstream_base.trim_end_matches('/').to_owned();
    url.push('/');
    url.push_str(rest.trim_start_matches('/'));
    if let Some(q) = req.uri().query() {
        url.push('?');
        url.push_str(q);
    }
    let method = req.method().as_str().to_owned();
    let mut headers = vec![("Accept".to_owned(), "*/*".to_owned())];
    if let Some(ct) = req.headers().get(CONTENT_TYPE) {
        headers.push((
            "Content-Type".to_owned(),
            String::from_utf8_lossy(ct.as_bytes()).into_owned(),
        ));
    }
    let body = match req.into_body().collect().await {
        Ok(c) => c.to_bytes(),
        Err(e) => {
            return status_response(
                400,
                "BadRequest",
                &format!("reading request body: {e}"),
                &serde_json::json!({}),
            );
        }
    };
    match tokio::time::timeout(
        PROXY_TIMEOUT,
        fetch_upstream(&method, &url, &headers, &body),
    )
    .await
    {
        Ok(Ok(up)) => {
            let ct = up
                .header("content-type")
                .unwrap_or("application/octet-stream")
                .to_owned();
            full_response(up.status, &ct, Bytes::from(up.body))
        }
        Ok(Err(e)) => status_response(
            503,
            "ServiceUnavailable",
            &format!("error trying to reach service: {e}"),
            &serde_json::json!({}),
        ),
        Err(_) => status_response(
            503,
            "ServiceUnavailable",
            &format!("error trying to reach service: timeout after {PROXY_TIMEOUT:?} ({url})"),
            &serde_json::json!({}),
        ),
    }
}

async fn fetch_upstream(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<RawResponse, String> {
    let parsed = LoopbackUrl::parse(url)?;
    let mut stream = tokio::net::TcpStream::connect(parsed.socket_addr())
        .await
        .map_err(|e| format!("dial tcp {}: {e}", parsed.socket_addr()))?;
    let request = super::build_http10_request(method, &parsed, headers, body);
    stream
        .write_all(&request)
        .await
        .map_err(|e| format!("write upstream: {e}"))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .await
        .map_err(|e| format!("read upstream: {e}"))?;
    super::parse_http_response(&raw)
}
