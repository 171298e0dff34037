//! Real external tools for integration tests: `kubectl` and `prometheus`, plus a tiny plain-HTTP
//! loopback server that Prometheus can scrape.
//!
//! Missing tools: a panic that says how to install them. Only when `KTRACE_ALLOW_MISSING_TOOLS=1`
//! is set *and* `CI` is not set do the `Option`-returning finders return `None` (callers then
//! skip). CI never skips.

use std::convert::Infallible;
use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;

use super::BackgroundRuntime;

/// Set to `1` to let tests skip (instead of fail) when kubectl/prometheus are absent. Ignored in CI.
pub const ALLOW_MISSING_ENV: &str = "KTRACE_ALLOW_MISSING_TOOLS";
/// Optional override: absolute path of the kubectl binary to use.
pub const KUBECTL_ENV: &str = "KTRACE_KUBECTL";
/// Optional override: absolute path of the prometheus binary to use.
pub const PROMETHEUS_ENV: &str = "KTRACE_PROMETHEUS";

/// Default timeout for [`run_kubectl`].
pub const KUBECTL_TIMEOUT: Duration = Duration::from_secs(60);

/// The content type Prometheus 2.x/3.x accept for the text exposition format.
pub const PROM_TEXT_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

const KUBECTL_HELP: &str = "kubectl not found (looked for $KTRACE_KUBECTL, `kubectl.1.32` next to the \
    resolved `kubectl` on PATH, then `kubectl` on PATH). Install it with `apt-get install -y kubectl` \
    (Kubernetes apt repo) or as the Google Cloud SDK component (`apt-get install -y \
    google-cloud-cli-kubectl`, or `gcloud components install kubectl`). To skip these tests locally \
    instead, set KTRACE_ALLOW_MISSING_TOOLS=1 (never honoured when CI is set).";

const PROMETHEUS_HELP: &str = "prometheus not found (looked for $KTRACE_PROMETHEUS, then `prometheus` \
    on PATH). Install it with `apt-get install -y prometheus` (Debian 12 ships 2.42). To skip these \
    tests locally instead, set KTRACE_ALLOW_MISSING_TOOLS=1 (never honoured when CI is set).";

fn is_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// True when a missing tool may be skipped: `KTRACE_ALLOW_MISSING_TOOLS=1` and not in CI.
pub fn missing_tools_allowed() -> bool {
    !is_ci() && std::env::var(ALLOW_MISSING_ENV).is_ok_and(|v| v == "1")
}

fn missing_tool(help: &str) -> Option<PathBuf> {
    if missing_tools_allowed() {
        eprintln!("SKIPPING: {help}");
        None
    } else {
        panic!("{help}");
    }
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// First executable `name` on PATH (like `command -v`).
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

fn env_override(var: &str) -> Option<PathBuf> {
    let p = PathBuf::from(std::env::var_os(var)?);
    if is_executable(&p) {
        Some(p)
    } else {
        panic!("{var}={} is not an executable file", p.display());
    }
}

/// Locate kubectl without applying the missing-tool policy.
///
/// Order: `$KTRACE_KUBECTL`; `kubectl.1.32` beside `readlink -f $(command -v kubectl)` (on this
/// machine `kubectl` is the gcloud dispatcher, tech.md §5.4); `kubectl` on PATH; the well-known
/// `/usr/lib/google-cloud-sdk/bin/kubectl.1.32`.
pub fn find_kubectl() -> Option<PathBuf> {
    if let Some(p) = env_override(KUBECTL_ENV) {
        return Some(p);
    }
    if let Some(on_path) = which("kubectl") {
        let resolved = std::fs::canonicalize(&on_path).unwrap_or_else(|_| on_path.clone());
        if let Some(versioned) = resolved.parent().map(|d| d.join("kubectl.1.32"))
            && is_executable(&versioned)
        {
            return Some(versioned);
        }
        return Some(on_path);
    }
    let known = PathBuf::from("/usr/lib/google-cloud-sdk/bin/kubectl.1.32");
    is_executable(&known).then_some(known)
}

/// kubectl, or `None` if it is missing and skipping is allowed; panics with install
/// instructions otherwise.
pub fn kubectl() -> Option<PathBuf> {
    find_kubectl().or_else(|| missing_tool(KUBECTL_HELP))
}

/// kubectl; panics with install instructions if it is missing (regardless of the skip policy).
pub fn require_kubectl() -> PathBuf {
    find_kubectl().unwrap_or_else(|| panic!("{KUBECTL_HELP}"))
}

/// Locate prometheus without applying the missing-tool policy.
pub fn find_prometheus() -> Option<PathBuf> {
    env_override(PROMETHEUS_ENV).or_else(|| which("prometheus"))
}

/// prometheus, or `None` if missing and skipping is allowed; panics with install instructions
/// otherwise.
pub fn prometheus() -> Option<PathBuf> {
    find_prometheus().or_else(|| missing_tool(PROMETHEUS_HELP))
}

pub fn require_prometheus() -> PathBuf {
    find_prometheus().unwrap_or_else(|| panic!("{PROMETHEUS_HELP}"))
}

// ---------------------------------------------------------------------------------------------
// Running commands
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct CmdOutput {
    /// Exit code; -1 if killed by a signal (including our timeout kill).
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
    pub elapsed: Duration,
}

/// Run `cmd` (stdin null, stdout/stderr captured), killing it after `timeout`.
pub fn run_with_timeout(mut cmd: Command, timeout: Duration) -> CmdOutput {
    let started = Instant::now();
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    let reader = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out_t = reader(Box::new(child.stdout.take().expect("stdout piped")));
    let err_t = reader(Box::new(child.stderr.take().expect("stderr piped")));
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() >= timeout => {
                timed_out = true;
                let _ = child.kill();
                break child.wait().ok();
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(_) => break None,
        }
    };
    let stdout = out_t.join().unwrap_or_default();
    let mut stderr = err_t.join().unwrap_or_default();
    if timed_out {
        stderr.push_str(&format!(
            "\n[test harness: killed after {timeout:?} timeout]\n"
        ));
    }
    CmdOutput {
        code: status.and_then(|s| s.code()).unwrap_or(-1),
        stdout,
        stderr,
        timed_out,
        elapsed: started.elapsed(),
    }
}

/// Run real kubectl with `--kubeconfig=<kubeconfig>` and `args`, in a cleared environment (only
/// PATH, plus a throwaway HOME and KUBECONFIG), with a custom timeout.
pub fn run_kubectl_output(kubeconfig: &Path, args: &[&str], timeout: Duration) -> CmdOutput {
    let kubectl = require_kubectl();
    let home = tempfile::tempdir().expect("temp HOME");
    let mut cmd = Command::new(&kubectl);
    cmd.arg(format!("--kubeconfig={}", kubeconfig.display()))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("KUBECONFIG", kubeconfig)
        .current_dir(home.path());
    run_with_timeout(cmd, timeout)
}

/// `(exit_code, stdout, stderr)` of real kubectl; 60 s timeout (exit code -1 if killed).
pub fn run_kubectl(kubeconfig: &Path, args: &[&str]) -> (i32, String, String) {
    let out = run_kubectl_output(kubeconfig, args, KUBECTL_TIMEOUT);
    (out.code, out.stdout, out.stderr)
}

// ---------------------------------------------------------------------------------------------
// Real Prometheus
// ---------------------------------------------------------------------------------------------

/// The version `prometheus --version` prints (`2.42.0+ds` from
/// "prometheus, version 2.42.0+ds (branch: …)"), or `None` without the binary.
pub fn prometheus_version() -> Option<String> {
    let out = Command::new(prometheus()?).arg("--version").output().ok()?;
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let rest = text.split("version ").nth(1)?;
    rest.split_whitespace().next().map(str::to_owned)
}

/// One scrape job with a single static target.
#[derive(Debug, Clone)]
pub struct ScrapeTarget {
    pub job: String,
    /// `http` (the only thing the static helper serves).
    pub scheme: String,
    /// `127.0.0.1:PORT`
    pub address: String,
    pub metrics_path: String,
    pub honor_labels: bool,
    /// Keep `false` for fixture text with stale timestamps (tech.md §4), else samples are dropped.
    pub honor_timestamps: bool,
    pub scrape_interval: String,
    /// Extra static target labels (e.g. `namespace` to provoke the `exported_namespace` clash).
    pub labels: Vec<(String, String)>,
    /// For `https` targets: the CA file that signs the target's certificate.
    pub ca_file: Option<String>,
    /// Bearer token sent with each scrape.
    pub bearer_token: Option<String>,
}

impl ScrapeTarget {
    /// http, honor_labels: true, honor_timestamps: false, scrape_interval 1s, no extra labels.
    pub fn new(job: &str, address: SocketAddr, metrics_path: &str) -> Self {
        assert!(
            address.ip().is_loopback(),
            "scrape targets must be on loopback, got {address}"
        );
        ScrapeTarget {
            job: job.to_owned(),
            scheme: "http".to_owned(),
            address: address.to_string(),
            metrics_path: metrics_path.to_owned(),
            honor_labels: true,
            honor_timestamps: false,
            scrape_interval: "1s".to_owned(),
            labels: Vec::new(),
            ca_file: None,
            bearer_token: None,
        }
    }
}

fn yaml_str(s: &str) -> String {
    // A JSON string is a valid YAML double-quoted scalar.
    serde_json::Value::from(s).to_string()
}

/// The prometheus.yml the harness generates for `targets`.
pub fn prometheus_config(targets: &[ScrapeTarget]) -> String {
    let mut y = String::from(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\nscrape_configs:\n",
    );
    for t in targets {
        y.push_str(&format!("  - job_name: {}\n", yaml_str(&t.job)));
        y.push_str(&format!("    scheme: {}\n", yaml_str(&t.scheme)));
        y.push_str(&format!(
            "    metrics_path: {}\n",
            yaml_str(&t.metrics_path)
        ));
        y.push_str(&format!("    honor_labels: {}\n", t.honor_labels));
        y.push_str(&format!("    honor_timestamps: {}\n", t.honor_timestamps));
        y.push_str(&format!("    scrape_interval: {}\n", t.scrape_interval));
        y.push_str(&format!("    scrape_timeout: {}\n", t.scrape_interval));
        if let Some(ca) = &t.ca_file {
            y.push_str(&format!(
                "    tls_config:\n      ca_file: {}\n",
                yaml_str(ca)
            ));
        }
        if let Some(token) = &t.bearer_token {
            y.push_str(&format!(
                "    authorization:\n      credentials: {}\n",
                yaml_str(token)
            ));
        }
        y.push_str(&format!(
            "    static_configs:\n      - targets: [{}]\n",
            yaml_str(&t.address)
        ));
        if !t.labels.is_empty() {
            y.push_str("        labels:\n");
            for (k, v) in &t.labels {
                y.push_str(&format!("          {k}: {}\n", yaml_str(v)));
            }
        }
    }
    y
}

/// A real Prometheus on 127.0.0.1:FREE_PORT with its own temp config + TSDB dir.
/// SIGTERMed (then SIGKILLed if needed) and reaped on drop.
pub struct Prometheus {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
    started: Instant,
}

impl Prometheus {
    /// Start Prometheus scraping `targets` and wait until `/-/ready`. Panics (with install help)
    /// if the binary is missing; use [`Prometheus::start_if_available`] to honour the skip policy.
    pub fn start(targets: &[ScrapeTarget]) -> Prometheus {
        let binary = require_prometheus();
        let mut last_err = String::new();
        for _attempt in 0..3 {
            match Self::try_start(&binary, targets) {
                Ok(p) => return p,
                Err(e) => last_err = e,
            }
        }
        panic!("prometheus failed to start 3 times; last error:\n{last_err}");
    }

    /// `None` when prometheus is missing and skipping is allowed (see module docs).
    pub fn start_if_available(targets: &[ScrapeTarget]) -> Option<Prometheus> {
        prometheus()?;
        Some(Self::start(targets))
    }

    fn try_start(binary: &Path, targets: &[ScrapeTarget]) -> Result<Prometheus, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let config = dir.path().join("prometheus.yml");
        std::fs::write(&config, prometheus_config(targets)).map_err(|e| e.to_string())?;
        let data = dir.path().join("data");
        let log_path = dir.path().join("prometheus.log");
        let log = std::fs::File::create(&log_path).map_err(|e| e.to_string())?;
        let log2 = log.try_clone().map_err(|e| e.to_string())?;
        // Free port: bind :0, read it, release it (tiny race; try_start is retried).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let child = Command::new(binary)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", data.display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--storage.tsdb.retention.time=1h")
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log2))
            .spawn()
            .map_err(|e| format!("spawn {}: {e}", binary.display()))?;
        let mut prom = Prometheus {
            child,
            port,
            dir,
            started: Instant::now(),
        };
        prom.wait_ready(Duration::from_secs(30))?;
        Ok(prom)
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// When the process was spawned (for "time to first sample" measurements).
    pub fn started_at(&self) -> Instant {
        self.started
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("prometheus.log")).unwrap_or_default()
    }

    pub fn config(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("prometheus.yml")).unwrap_or_default()
    }

    /// Poll `/-/ready` until 200. Errors (with the log) if the process exits or time runs out.
    pub fn wait_ready(&mut self, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "prometheus exited early ({status}); log:\n{}",
                    self.log()
                ));
            }
            if let Ok(r) =
                super::http_get(&format!("{}/-/ready", self.url()), Duration::from_secs(2))
                && r.status == 200
            {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "prometheus not ready after {timeout:?}; log:\n{}",
                    self.log()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn get_json(&self, path_and_query: &str) -> serde_json::Value {
        let url = format!("{}{path_and_query}", self.url());
        let resp = super::http_get(&url, Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        serde_json::from_slice(&resp.body).unwrap_or_else(|e| {
            panic!(
                "GET {url}: HTTP {} non-JSON body ({e}): {}",
                resp.status,
                resp.text()
            )
        })
    }

    /// Instant query; returns the whole API response (`{"status":..,"data":{..}}`).
    pub fn query(&self, promql: &str) -> serde_json::Value {
        self.get_json(&format!(
            "/api/v1/query?query={}",
            super::url_encode(promql)
        ))
    }

    /// Instant query evaluated at `time` (Unix seconds); the whole API response.
    pub fn query_at(&self, promql: &str, time: i64) -> serde_json::Value {
        self.get_json(&format!(
            "/api/v1/query?query={}&time={time}",
            super::url_encode(promql)
        ))
    }

    /// `/api/v1/targets`, for diagnostics.
    pub fn targets(&self) -> serde_json::Value {
        self.get_json("/api/v1/targets")
    }

    /// Poll the instant query every 100 ms until `data.result` is a non-empty array; return that
    /// array. Panics on timeout with the last answer, the targets and the log.
    pub fn wait_for_nonempty(&self, promql: &str, timeout: Duration) -> serde_json::Value {
        let deadline = Instant::now() + timeout;
        loop {
            let answer = self.query(promql);
            if answer["data"]["result"]
                .as_array()
                .is_some_and(|a| !a.is_empty())
            {
                return answer["data"]["result"].clone();
            }
            if Instant::now() >= deadline {
                panic!(
                    "no result for {promql:?} after {timeout:?}.\nlast answer: {answer}\ntargets: {}\nconfig:\n{}\nlog:\n{}",
                    self.targets(),
                    self.config(),
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(self.child.id().to_string())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while let Ok(None) = self.child.try_wait() {
                if Instant::now() >= deadline {
                    let _ = self.child.kill();
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// Plain-HTTP static text server (scrape target for Prometheus)
// ---------------------------------------------------------------------------------------------

/// Serves one path over plain HTTP/1.1 on 127.0.0.1 with `text/plain; version=0.0.4`.
/// Other paths: 404. Stops on drop.
pub struct StaticTextServer {
    hits: Arc<AtomicUsize>,
    _runtime: BackgroundRuntime,
}

impl StaticTextServer {
    /// How many times the path was fetched (e.g. Prometheus scrapes).
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// Serve `body` at `path` (query string ignored) on a free 127.0.0.1 port.
pub fn serve_static_text(path: &str, body: impl Into<Bytes>) -> (SocketAddr, StaticTextServer) {
    let body: Bytes = body.into();
    serve_dynamic_text(path, Arc::new(move || body.clone()))
}

/// Serve at `path` a body computed by `body` for each request (e.g. counters that advance with
/// wall time, so a real Prometheus scrapes a counter that really moves).
pub fn serve_dynamic_text(
    path: &str,
    body: Arc<dyn Fn() -> Bytes + Send + Sync>,
) -> (SocketAddr, StaticTextServer) {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    std_listener.set_nonblocking(true).expect("set_nonblocking");
    let addr = std_listener.local_addr().expect("local_addr");
    let hits = Arc::new(AtomicUsize::new(0));
    let (b, h, p) = (body, hits.clone(), path.to_owned());
    let runtime = BackgroundRuntime::spawn("test-static-http", move || async move {
        let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) else {
            return;
        };
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            };
            let (b, h, p) = (b.clone(), h.clone(), p.clone());
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
                    let resp = if req.uri().path() == p {
                        h.fetch_add(1, Ordering::SeqCst);
                        let mut r = Response::new(Full::new(b()));
                        r.headers_mut().insert(
                            CONTENT_TYPE,
                            HeaderValue::from_static(PROM_TEXT_CONTENT_TYPE),
                        );
                        r
                    } else {
                        let mut r =
                            Response::new(Full::new(Bytes::from_static(b"404 page not found\n")));
                        *r.status_mut() = StatusCode::NOT_FOUND;
                        r.headers_mut().insert(
                            CONTENT_TYPE,
                            HeaderValue::from_static("text/plain; charset=utf-8"),
                        );
                        r
                    };
                    async move { Ok::<_, Infallible>(resp) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tcp), svc)
                    .await;
            });
        }
    });
    (
        addr,
        StaticTextServer {
            hits,
            _runtime: runtime,
        },
    )
}
