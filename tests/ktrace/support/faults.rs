//! The hostile routes of the test API server: answers that quote the request's credentials
//! back (in a body, a Status message, a redirect `Location`), answers cut off on the wire,
//! and connections reset after the request.

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_ENCODING, HeaderValue, LOCATION};
use http::{Request, Response};
use hyper::body::Incoming;

use std::os::fd::{AsFd, OwnedFd};
use std::sync::Arc;

use super::apiserver::{Body, Route, full_response, status_response};

/// The response for a hostile route; `None` for the ordinary ones.
pub(super) fn render(route: &Route, req: &Request<Incoming>) -> Option<Response<Body>> {
    let auth = req
        .headers()
        .get(AUTHORIZATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    match route {
        Route::EchoAuth { code, as_status } => {
            let message = format!("request refused; you sent Authorization: {auth}");
            Some(if *as_status {
                status_response(*code, "Forbidden", &message, &serde_json::json!({}))
            } else {
                full_response(*code, "text/plain", Bytes::from(message))
            })
        }
        Route::Redirect { code, location } => {
            let token = auth.strip_prefix("Bearer ").unwrap_or(&auth);
            let to = location.replace("{token}", token);
            let page = format!("<a href=\"{to}\">moved</a>");
            let mut resp = full_response(*code, "text/html", Bytes::from(page));
            if let Ok(v) = HeaderValue::from_str(&to) {
                resp.headers_mut().insert(LOCATION, v);
            }
            Some(resp)
        }
        Route::Gzip { content_type, body } => {
            let mut resp = full_response(200, content_type, body.clone());
            resp.headers_mut()
                .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            Some(resp)
        }
        Route::Truncated {
            code,
            content_type,
            body,
            declared,
        } => Some(truncated(*code, content_type, body.clone(), *declared)),
        _ => None,
    }
}

/// `body` sent under a `Content-Length` of `declared`: hyper closes the connection when the
/// body ends early, so the client reads fewer bytes than announced.
fn truncated(code: u16, content_type: &str, body: Bytes, declared: usize) -> Response<Body> {
    use http_body_util::{BodyExt, StreamBody};
    let frames = futures_util::stream::iter([Ok::<_, std::convert::Infallible>(
        hyper::body::Frame::data(body),
    )]);
    let mut resp = Response::new(StreamBody::new(frames).boxed());
    *resp.status_mut() = http::StatusCode::from_u16(code).unwrap_or(http::StatusCode::OK);
    if let Ok(ct) = HeaderValue::from_str(content_type) {
        resp.headers_mut().insert(http::header::CONTENT_TYPE, ct);
    }
    resp.headers_mut()
        .insert(http::header::CONTENT_LENGTH, HeaderValue::from(declared));
    resp
}

/// The request extension through which a [`Route::Reset`] asks its connection to be reset.
#[derive(Clone)]
pub(super) struct ResetSignal(Arc<tokio::sync::Notify>);

/// A second descriptor of an accepted connection's socket, kept beside the TLS stream, so
/// the connection can be closed with an RST (zero linger) when a route asks for it.
pub(super) struct SocketHandle {
    socket: Option<OwnedFd>,
    signal: ResetSignal,
}

impl SocketHandle {
    pub(super) fn of(tcp: &tokio::net::TcpStream) -> SocketHandle {
        SocketHandle {
            socket: tcp.as_fd().try_clone_to_owned().ok(),
            signal: ResetSignal(Arc::new(tokio::sync::Notify::new())),
        }
    }

    pub(super) fn reset_signal(&self) -> ResetSignal {
        self.signal.clone()
    }

    /// Completes once a route asked for the reset.
    pub(super) async fn reset_requested(&self) {
        self.signal.0.notified().await
    }

    /// Sets zero linger on the socket: closing its last descriptor (when the connection task
    /// ends) then sends an RST instead of a FIN.
    pub(super) fn reset(&self) {
        let Some(dup) = self.socket.as_ref().and_then(|fd| fd.try_clone().ok()) else {
            return;
        };
        let std_stream = std::net::TcpStream::from(dup);
        if std_stream.set_nonblocking(true).is_ok()
            && let Ok(stream) = tokio::net::TcpStream::from_std(std_stream)
        {
            let _ = stream.set_zero_linger();
        }
    }
}

/// A [`Route::Reset`]: asks the connection to be reset and never answers.
pub(super) async fn reset_connection(req: &Request<Incoming>) -> Response<Body> {
    if let Some(signal) = req.extensions().get::<ResetSignal>() {
        signal.0.notify_one();
    }
    std::future::pending().await
}

/// `data` gzip-compressed (default level, as a server would).
pub fn gzip(data: &[u8]) -> Bytes {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).expect("gzip in memory");
    Bytes::from(enc.finish().expect("gzip in memory"))
}

/// One request a [`PlainHttpRecorder`] saw.
#[derive(Clone, Debug)]
pub struct PlainRequest {
    /// Path and query as sent.
    pub target: String,
    /// Whether an `Authorization` header came with it (in clear text).
    pub had_authorization: bool,
}

/// A plain-http server on 127.0.0.1 that records every request head and answers `/hop1` with
/// a redirect to `/hop2`, anything else with an empty Prometheus vector. Stops on drop.
pub struct PlainHttpRecorder {
    addr: std::net::SocketAddr,
    log: std::sync::Arc<std::sync::Mutex<Vec<PlainRequest>>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl PlainHttpRecorder {
    pub fn start() -> PlainHttpRecorder {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("local_addr");
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (l, s) = (log.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(std::sync::atomic::Ordering::Relaxed) {
                match listener.accept() {
                    Ok((tcp, _)) => answer(tcp, &l),
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(10)),
                }
            }
        });
        PlainHttpRecorder { addr, log, stop }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<PlainRequest> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for PlainHttpRecorder {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

fn answer(mut tcp: std::net::TcpStream, log: &std::sync::Mutex<Vec<PlainRequest>>) {
    use std::io::{Read, Write};
    let _ = tcp.set_nonblocking(false);
    let _ = tcp.set_read_timeout(Some(std::time::Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match tcp.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let target = head.split_whitespace().nth(1).unwrap_or("").to_string();
    let had_authorization = head
        .lines()
        .any(|l| l.to_ascii_lowercase().starts_with("authorization:"));
    let hop1 = target.starts_with("/hop1");
    log.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(PlainRequest {
            target,
            had_authorization,
        });
    let resp = if hop1 {
        "HTTP/1.1 302 Found\r\nLocation: /hop2\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            .to_string()
    } else {
        let body = r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let _ = tcp.write_all(resp.as_bytes());
}
