//! Shared test infrastructure for ktrace integration tests.
//!
//! * [`apiserver`] — a real HTTPS (TLS + bearer token) fake Kubernetes API server on 127.0.0.1
//!   (its hostile routes are rendered by `faults`).
//! * [`counters`] — kubelet bodies whose CPU counters advance with wall time.
//! * [`tools`] — locating and driving the real `kubectl` and real `prometheus` binaries.
//! * [`fixtures`] — the fixture bundles (committed, or generated from the real-data corpus).
//! * [`tls`] — the test servers' TLS identity and kubeconfig (shared with the benchmark).
//! * [`scenario`] — test API server routes that answer what a bundle recorded.
//! * [`ktrace`] — the one runner of the `ktrace` binary.
//!
//! Everything here only ever talks to 127.0.0.1 (loopback); helpers refuse other hosts.

pub mod apiserver;
pub mod counters;
pub mod faults;
pub mod fixtures;
pub mod scenario;
pub mod tls;
pub mod tools;

pub use tls::{base64_encode, install_crypto_provider};

use std::future::Future;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Replays a saved bundle of the seed pod as JSON: (exit code, the parsed report, stderr).
pub fn replay_json(bundle: &Path, home: &Path) -> (i32, serde_json::Value, String) {
    let args = [
        "pod",
        "csi/blockvol-fs-1",
        "--from",
        bundle.to_str().expect("a UTF-8 bundle path"),
        "-o",
        "json",
    ];
    let (code, out, err) = ktrace(&args, home);
    let report = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, report, err)
}

/// Runs the `ktrace` binary with `args` in a clean environment: only `PATH`, and `HOME` set to
/// `home`, so no KUBECONFIG, proxy or home directory of the developer's can be reached (and
/// `NO_COLOR` is unset). Returns (exit code, stdout, stderr); fails the test if ktrace runs
/// longer than 120 s.
///
/// With `KTRACE_MEASURE_RSS=DIR` set, ktrace runs under GNU time (`/usr/bin/time`), which
/// appends its peak RSS and command line to `DIR/<test name>.rss` — for the figures in
/// docs/security.md; no test asserts them.
pub fn ktrace(args: &[&str], home: &Path) -> (i32, String, String) {
    let bin = env!("CARGO_BIN_EXE_ktrace");
    let mut cmd = match std::env::var_os("KTRACE_MEASURE_RSS") {
        Some(dir) => {
            let name = std::thread::current()
                .name()
                .unwrap_or("main")
                .replace("::", ".");
            let log = Path::new(&dir).join(format!("{name}.rss"));
            let mut c = Command::new("/usr/bin/time");
            c.arg("-a")
                .arg("-o")
                .arg(log)
                .args(["-f", "%M KiB peak RSS, exit %x: %C", bin]);
            c
        }
        None => Command::new(bin),
    };
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home);
    let out = tools::run_with_timeout(cmd, Duration::from_secs(120));
    assert!(!out.timed_out, "ktrace did not finish: {}", out.stderr);
    (out.code, out.stdout, out.stderr)
}

/// Percent-encode a URL query component (everything except RFC 3986 unreserved characters).
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Decode a percent-encoded query component (`+` means space, as in form encoding).
pub fn url_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(
                    std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                    16,
                ) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The decoded value of query parameter `name` in a `path?query` string.
pub fn query_param(path_and_query: &str, name: &str) -> Option<String> {
    let (_, query) = path_and_query.split_once('?')?;
    query
        .split('&')
        .filter_map(|kv| kv.split_once('=').or(Some((kv, ""))))
        .find(|(k, _)| url_decode(k) == name)
        .map(|(_, v)| url_decode(v))
}

/// `n` random bytes as lowercase hex (from /dev/urandom; falls back to std's hasher seed).
pub fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    let ok = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .is_ok();
    if !ok {
        use std::hash::{BuildHasher, Hasher};
        for (i, byte) in buf.iter_mut().enumerate() {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_usize(i);
            h.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos())
                    .unwrap_or(0),
            );
            *byte = h.finish() as u8;
        }
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// Split text into lines of whitespace-separated fields (for asserting on kubectl tables).
pub fn table(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        .filter(|fields| !fields.is_empty())
        .collect()
}

/// A whitespace-aligned kubectl line (tabwriter output) back into cells: columns are two or
/// more spaces apart, a cell (`1355m (9%)`) holds single spaces only; empty cells collapse.
pub fn kubectl_cells(line: &str) -> Vec<String> {
    line.trim()
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The lines of kubectl output `text` from the line starting with `header` to the next
/// unindented line (a `describe` section).
pub fn kubectl_section<'a>(text: &'a str, header: &str) -> Vec<&'a str> {
    let mut lines = text.lines().skip_while(|l| !l.starts_with(header));
    let first = lines
        .next()
        .unwrap_or_else(|| panic!("no {header:?} in:\n{text}"));
    std::iter::once(first)
        .chain(lines.take_while(|l| l.starts_with(' ')))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Minimal loopback-only plain-HTTP client (HTTP/1.0, `Connection: close`), used to talk to the
// real Prometheus and by the API server's Proxy route. No TLS, no redirects.
// ---------------------------------------------------------------------------------------------

/// A parsed `http://host:port/path?query` URL. Only loopback hosts are accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoopbackUrl {
    pub host: String,
    pub port: u16,
    /// Path plus query string, always starting with `/`.
    pub path_and_query: String,
}

impl LoopbackUrl {
    pub fn parse(url: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| format!("only plain http:// URLs are supported: {url}"))?;
        let (authority, path) = match rest.find(['/', '?']) {
            Some(i) if rest.as_bytes()[i] == b'/' => (&rest[..i], rest[i..].to_owned()),
            Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
            None => (rest, "/".to_owned()),
        };
        let (host, port) = authority
            .rsplit_once(':')
            .ok_or_else(|| format!("URL needs an explicit port: {url}"))?;
        let port: u16 = port
            .parse()
            .map_err(|_| format!("bad port in URL: {url}"))?;
        if host != "127.0.0.1" && host != "localhost" {
            return Err(format!(
                "refusing non-loopback host {host:?} in {url}; tests talk to 127.0.0.1 only"
            ));
        }
        Ok(LoopbackUrl {
            host: "127.0.0.1".to_owned(),
            port,
            path_and_query: path,
        })
    }

    pub fn socket_addr(&self) -> SocketAddr {
        (self.host.as_str(), self.port)
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], self.port)))
    }
}

/// A raw HTTP response from [`http_get`] / the proxy.
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Build an HTTP/1.0 request (so the server answers without chunking and closes the connection).
pub fn build_http10_request(
    method: &str,
    url: &LoopbackUrl,
    headers: &[(String, String)],
    body: &[u8],
) -> Vec<u8> {
    let mut req = format!(
        "{method} {} HTTP/1.0\r\nHost: {}:{}\r\nConnection: close\r\n",
        url.path_and_query, url.host, url.port
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" || method == "PUT" {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// Parse a complete raw HTTP/1.x response (read until EOF). Handles chunked bodies too.
pub fn parse_http_response(raw: &[u8]) -> Result<RawResponse, String> {
    let head_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("no end of headers in {} byte response", raw.len()))?;
    let head =
        std::str::from_utf8(&raw[..head_end]).map_err(|e| format!("non-UTF-8 headers: {e}"))?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[head_end + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.to_ascii_lowercase().contains("chunked")
    });
    if chunked {
        body = dechunk(&body)?;
    } else if let Some(len) = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        body.truncate(len);
    }
    Ok(RawResponse {
        status,
        headers,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(data.len());
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("truncated chunk size line")?;
        let size_str = std::str::from_utf8(&data[..line_end]).map_err(|_| "bad chunk size")?;
        let size_str = size_str.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_str, 16)
            .map_err(|_| format!("bad chunk size {size_str:?}"))?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if data.len() < size {
            return Err("truncated chunk".into());
        }
        out.extend_from_slice(&data[..size]);
        data = data.get(size + 2..).unwrap_or_default();
    }
}

/// Blocking GET of a loopback `http://` URL with a total timeout.
pub fn http_get(url: &str, timeout: Duration) -> Result<RawResponse, String> {
    let parsed = LoopbackUrl::parse(url)?;
    let mut stream = TcpStream::connect_timeout(&parsed.socket_addr(), timeout)
        .map_err(|e| format!("connect {url}: {e}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    stream
        .set_write_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    let req = build_http10_request("GET", &parsed, &[("Accept".into(), "*/*".into())], &[]);
    stream
        .write_all(&req)
        .map_err(|e| format!("write {url}: {e}"))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| format!("read {url}: {e}"))?;
    parse_http_response(&raw)
}

// ---------------------------------------------------------------------------------------------
// A tokio runtime on its own OS thread, so servers work from sync *and* async tests, and can be
// dropped from either (dropping a Runtime inside an async context would panic).
// ---------------------------------------------------------------------------------------------

pub struct BackgroundRuntime {
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BackgroundRuntime {
    /// Run `make_future()` on a fresh runtime in a background thread until the handle is dropped.
    pub fn spawn<F, Fut>(name: &str, make_future: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .thread_name("test-server-worker")
                    .enable_all()
                    .build()
                    .expect("build test server runtime");
                rt.block_on(async move {
                    tokio::select! {
                        _ = make_future() => {}
                        _ = rx => {}
                    }
                });
                // Drops in-flight connection tasks (e.g. Hang routes) without waiting for them.
                rt.shutdown_timeout(Duration::from_millis(500));
            })
            .expect("spawn test server thread");
        BackgroundRuntime {
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }
}

impl Drop for BackgroundRuntime {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests;
