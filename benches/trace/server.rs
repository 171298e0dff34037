//! The benchmark's HTTPS API server on 127.0.0.1: answers a fixed path → body table (a route
//! keyed by `path?query` wins over the path alone) to the bearer token it made up, after an
//! optional fixed latency, and counts the requests and how many were in flight at once.
//! Bodies over 64 KiB are streamed in 64 KiB chunks with a `Content-Length`, as the tests'
//! API server does. TLS identity and kubeconfig come from the tests' `support/tls.rs`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use http::{Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper_util::rt::TokioIo;

use super::tls;

const CHUNK: usize = 64 * 1024;

/// One answer: content type and body.
pub struct Answer {
    /// `Content-Type` header.
    pub content_type: &'static str,
    /// The body, served as is.
    pub body: Bytes,
}

/// One request as it came: path and query, when it started, the status answered.
#[derive(Clone, Debug)]
pub struct Logged {
    /// Path plus `?query`, as received.
    pub path_and_query: String,
    /// When the request reached the server (before the latency).
    pub started: Instant,
    /// The status answered.
    pub status: u16,
}

/// Request counters, and the log of requests since the last reset.
#[derive(Default)]
struct Stats {
    requests: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    log: Mutex<Vec<Logged>>,
}

struct State {
    token: String,
    routes: HashMap<String, Answer>,
    latency: Duration,
    stats: Stats,
}

/// A running server; it stops when dropped.
pub struct BenchServer {
    url: String,
    ca_pem: String,
    state: Arc<State>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl BenchServer {
    /// Serves `routes` on a free 127.0.0.1 port, each answer after `latency`.
    pub fn start(routes: HashMap<String, Answer>, latency: Duration) -> BenchServer {
        let (ca_pem, config) = tls::make_tls();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener.set_nonblocking(true).expect("set_nonblocking");
        let url = format!("https://{}", listener.local_addr().expect("local_addr"));
        let token = format!("bench-{}", std::process::id());
        let state = Arc::new(State {
            token,
            routes,
            latency,
            stats: Stats::default(),
        });
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = state.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("bench server runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let acceptor = tokio_rustls::TlsAcceptor::from(config);
                tokio::select! {
                    _ = accept_loop(listener, acceptor, serving) => {}
                    _ = stopped => {}
                }
            });
            rt.shutdown_timeout(Duration::from_millis(500));
        });
        BenchServer {
            url,
            ca_pem,
            state,
            _stop: stop,
        }
    }

    /// `https://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The CA certificate (PEM) that signed the server's certificate.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The bearer token the server accepts.
    pub fn token(&self) -> &str {
        &self.state.token
    }

    /// Writes `kubeconfig` for this server into `dir`; returns its path.
    pub fn write_kubeconfig(&self, dir: &Path) -> PathBuf {
        let path = dir.join("kubeconfig");
        let yaml = tls::kubeconfig_yaml(&self.url, &self.ca_pem, &self.state.token, None);
        std::fs::write(&path, yaml).expect("write kubeconfig");
        path
    }

    /// Sets the request counters to zero.
    pub fn reset_counts(&self) {
        let s = &self.state.stats;
        s.requests.store(0, Ordering::SeqCst);
        s.max_in_flight.store(0, Ordering::SeqCst);
        s.log.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// The requests since the last reset, in the order they came.
    pub fn log(&self) -> Vec<Logged> {
        let log = self.state.stats.log.lock();
        log.unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Requests answered since the last reset.
    pub fn requests(&self) -> usize {
        self.state.stats.requests.load(Ordering::SeqCst)
    }

    /// Most requests in flight at the same moment since the last reset.
    pub fn max_in_flight(&self) -> usize {
        self.state.stats.max_in_flight.load(Ordering::SeqCst)
    }
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    state: Arc<State>,
) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let (acceptor, state) = (acceptor.clone(), state.clone());
        tokio::spawn(async move {
            let Ok(tls) = acceptor.accept(tcp).await else {
                return;
            };
            let svc = hyper::service::service_fn(move |req| {
                let state = state.clone();
                async move { Ok::<_, Infallible>(handle(&state, req).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tls), svc)
                .await;
        });
    }
}

type Body = BoxBody<Bytes, Infallible>;

async fn handle(state: &State, req: Request<Incoming>) -> Response<Body> {
    let s = &state.stats;
    let started = Instant::now();
    s.requests.fetch_add(1, Ordering::SeqCst);
    let now = s.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    s.max_in_flight.fetch_max(now, Ordering::SeqCst);
    tokio::time::sleep(state.latency).await;
    let resp = answer(state, &req);
    s.in_flight.fetch_sub(1, Ordering::SeqCst);
    let path_and_query = req.uri().path_and_query().map_or("", |p| p.as_str());
    s.log
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(Logged {
            path_and_query: path_and_query.to_owned(),
            started,
            status: resp.status().as_u16(),
        });
    resp
}

fn answer(state: &State, req: &Request<Incoming>) -> Response<Body> {
    let expected = format!("Bearer {}", state.token);
    let auth = req.headers().get(http::header::AUTHORIZATION);
    if auth.is_none_or(|v| v.as_bytes() != expected.as_bytes()) {
        return plain(StatusCode::UNAUTHORIZED, "Unauthorized");
    }
    let pq = req.uri().path_and_query().map_or("", |p| p.as_str());
    let Some(a) = state
        .routes
        .get(pq)
        .or_else(|| state.routes.get(req.uri().path()))
    else {
        return plain(StatusCode::NOT_FOUND, "not in the benchmark's route table");
    };
    let body = a.body.clone();
    let len = body.len();
    let frames = (0..len).step_by(CHUNK).map(move |start| {
        Ok::<_, Infallible>(Frame::data(body.slice(start..(start + CHUNK).min(len))))
    });
    let mut resp = Response::new(StreamBody::new(futures_util::stream::iter(frames)).boxed());
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(a.content_type));
    h.insert(CONTENT_LENGTH, HeaderValue::from(len));
    resp
}

fn plain(code: StatusCode, text: &'static str) -> Response<Body> {
    let mut resp =
        Response::new(http_body_util::Full::new(Bytes::from_static(text.as_bytes())).boxed());
    *resp.status_mut() = code;
    resp
}
