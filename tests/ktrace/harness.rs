//! Proves the test harness (tests/ktrace/support) works against the REAL tools: kubectl 1.32 talking
//! TLS + bearer token to `TestApiServer`, and a real Prometheus scraping a static cadvisor text,
//! reached through the API server's service-proxy emulation. Everything is on 127.0.0.1.
//!
//! Missing kubectl/prometheus fail these tests (with install instructions) unless
//! `KTRACE_ALLOW_MISSING_TOOLS=1` is set outside CI.

use crate::support;

use std::time::{Duration, Instant};

use bytes::Bytes;
use support::apiserver::{Route, Routes, ServerOptions, TestApiServer};
use support::tools::{self, Prometheus, ScrapeTarget};
use support::{query_param, table, url_encode};

const METRICS_PATH: &str = "/apis/metrics.k8s.io/v1beta1/namespaces/csi/pods/blockvol-fs-1";

const POD_METRICS: &str = r#"{"kind":"PodMetrics","apiVersion":"metrics.k8s.io/v1beta1","metadata":{"name":"blockvol-fs-1","namespace":"csi"},"timestamp":"2021-11-05T16:06:02Z","window":"5m0s","containers":[{"name":"POD","usage":{"cpu":"0","memory":"176Ki"}},{"name":"centos-tools","usage":{"cpu":"0","memory":"86704Ki"}}]}"#;

const PROM_PROXY_PREFIX: &str =
    "/api/v1/namespaces/openshift-monitoring/services/https:prometheus-k8s:9091/proxy/";

const WORKING_SET_QUERY: &str = r#"sum(container_memory_working_set_bytes{namespace="csi",pod="blockvol-fs-1",container!="",pod!=""}) by (pod,container)"#;

/// Two cadvisor samples, with 2021 timestamps as a stale fixture would have: only ingested
/// because the harness scrapes with `honor_timestamps: false` (tech.md §4).
const CADVISOR_TEXT: &str = "\
# HELP container_memory_working_set_bytes Current working set in bytes.
# TYPE container_memory_working_set_bytes gauge
container_memory_working_set_bytes{container=\"centos-tools\",id=\"/x\",image=\"i\",name=\"n\",namespace=\"csi\",pod=\"blockvol-fs-1\"} 8.8784896e+07 1636128362000
container_memory_working_set_bytes{container=\"POD\",id=\"/y\",image=\"p\",name=\"m\",namespace=\"csi\",pod=\"blockvol-fs-1\"} 180224 1636128362000
";

fn metrics_server() -> TestApiServer {
    TestApiServer::start(
        Routes::new().with(METRICS_PATH, Route::Json(200, POD_METRICS.to_owned())),
        ServerOptions::default(),
    )
}

fn rows(v: &[&[&str]]) -> Vec<Vec<String>> {
    v.iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect()
}

#[test]
fn kubectl_top_pod_reads_pod_metrics_over_tls_with_token() {
    let Some(kubectl) = tools::kubectl() else {
        return;
    };
    eprintln!("using kubectl {}", kubectl.display());
    let srv = metrics_server();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = srv.write_kubeconfig(dir.path(), None);

    let (code, stdout, stderr) =
        tools::run_kubectl(&kubeconfig, &["top", "pod", "blockvol-fs-1", "-n", "csi"]);
    assert_eq!(
        code, 0,
        "kubectl top failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert_eq!(
        table(&stdout),
        rows(&[
            &["NAME", "CPU(cores)", "MEMORY(bytes)"],
            &["blockvol-fs-1", "0m", "84Mi"]
        ]),
        "stdout:\n{stdout}"
    );

    let (code, stdout, stderr) = tools::run_kubectl(
        &kubeconfig,
        &["top", "pod", "blockvol-fs-1", "-n", "csi", "--containers"],
    );
    assert_eq!(
        code, 0,
        "kubectl top --containers failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert_eq!(
        table(&stdout),
        rows(&[
            &["POD", "NAME", "CPU(cores)", "MEMORY(bytes)"],
            &["blockvol-fs-1", "POD", "0m", "0Mi"],
            &["blockvol-fs-1", "centos-tools", "0m", "84Mi"],
        ]),
        "stdout:\n{stdout}"
    );

    let hits = srv.requests_to(METRICS_PATH);
    assert_eq!(
        hits.len(),
        2,
        "one metrics GET per kubectl run; log: {:#?}",
        srv.requests()
    );
    assert!(
        hits.iter()
            .all(|r| r.had_authorization && r.authorized && r.status == Some(200)),
        "{hits:#?}"
    );
    let all = srv.requests();
    assert!(
        all.iter().all(|r| r.authorized),
        "every kubectl request carried the token: {all:#?}"
    );
    let paths = srv.paths_hit();
    assert!(
        paths.contains(&"/api".to_owned()) && paths.contains(&"/apis".to_owned()),
        "discovery: {paths:?}"
    );
}

#[test]
fn wrong_token_gets_401_status() {
    let Some(_) = tools::kubectl() else { return };
    let srv = metrics_server();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = srv.write_kubeconfig_with_token(dir.path(), Some("csi"), "not-the-token");
    let (code, stdout, stderr) = tools::run_kubectl(&kubeconfig, &["get", "--raw", METRICS_PATH]);
    assert_ne!(code, 0, "stdout:\n{stdout}");
    assert!(stderr.contains("Unauthorized"), "stderr:\n{stderr}");
    let log = srv.requests();
    assert!(
        !log.is_empty()
            && log
                .iter()
                .all(|r| r.had_authorization && !r.authorized && r.status == Some(401)),
        "{log:#?}"
    );
    assert!(srv.requests_to(METRICS_PATH).is_empty() || log.iter().all(|r| r.status == Some(401)));
}

#[test]
fn kubectl_get_raw_forbidden_status() {
    let Some(_) = tools::kubectl() else { return };
    let path = "/api/v1/nodes/worker-4/proxy/metrics/cadvisor";
    let message = "nodes \"worker-4\" is forbidden: User \"test\" cannot get resource \"nodes/proxy\" in API group \"\" at the cluster scope";
    let srv = TestApiServer::start(
        Routes::new().with(path, Route::status(403, "Forbidden", message)),
        ServerOptions::default(),
    );
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = srv.write_kubeconfig(dir.path(), None);
    let (code, stdout, stderr) = tools::run_kubectl(&kubeconfig, &["get", "--raw", path]);
    assert_ne!(code, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stderr.contains("Forbidden"), "stderr:\n{stderr}");
    assert!(
        stderr.contains("worker-4"),
        "kubectl shows the Status message: {stderr}"
    );
    let hits = srv.requests_to(path);
    assert_eq!(hits.len(), 1, "{:#?}", srv.requests());
    assert_eq!(hits[0].status, Some(403));
}

#[test]
fn kubectl_request_timeout_on_hang_route() {
    let Some(_) = tools::kubectl() else { return };
    let srv = TestApiServer::start(
        Routes::new().with("/hang", Route::Hang),
        ServerOptions::default(),
    );
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = srv.write_kubeconfig(dir.path(), None);
    let out = tools::run_kubectl_output(
        &kubeconfig,
        &["--request-timeout=2s", "get", "--raw", "/hang"],
        Duration::from_secs(30),
    );
    eprintln!(
        "kubectl on Hang route: exit {} after {:?}; stderr: {}",
        out.code,
        out.elapsed,
        out.stderr.trim()
    );
    assert!(
        !out.timed_out,
        "kubectl's own --request-timeout should fire, not the harness kill: {out:?}"
    );
    assert_ne!(out.code, 0, "{out:?}");
    let hits = srv.requests_to("/hang");
    assert!(!hits.is_empty(), "{:#?}", srv.requests());
    assert!(
        hits.iter()
            .all(|r| r.status.is_none() && r.finished.is_none()),
        "Hang never answers: {hits:#?}"
    );
}

#[test]
fn real_prometheus_through_service_proxy() {
    if tools::kubectl().is_none() || tools::prometheus().is_none() {
        return;
    }
    let (target_addr, target) = tools::serve_static_text("/metrics/cadvisor", CADVISOR_TEXT);
    let prom = Prometheus::start(&[ScrapeTarget::new(
        "kubelet-cadvisor",
        target_addr,
        "/metrics/cadvisor",
    )]);
    let ready_after = prom.started_at().elapsed();

    let srv = TestApiServer::start(
        Routes::new().with(PROM_PROXY_PREFIX, Route::proxy(&prom.url())),
        ServerOptions::default(),
    );
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = srv.write_kubeconfig(dir.path(), None);
    let raw = format!(
        "{PROM_PROXY_PREFIX}api/v1/query?query={}",
        url_encode(WORKING_SET_QUERY)
    );

    let deadline = Instant::now() + Duration::from_secs(30);
    let answer: serde_json::Value = loop {
        let (code, stdout, stderr) = tools::run_kubectl(&kubeconfig, &["get", "--raw", &raw]);
        assert_eq!(
            code, 0,
            "kubectl get --raw through proxy failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
        );
        let v: serde_json::Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("non-JSON from proxy ({e}): {stdout}"));
        assert_eq!(v["status"], "success", "{v}");
        if v["data"]["result"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
        {
            break v;
        }
        assert!(
            Instant::now() < deadline,
            "no samples after 30 s; last: {v}\ntargets: {}\nlog:\n{}",
            prom.targets(),
            prom.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let first_nonempty = prom.started_at().elapsed();
    eprintln!(
        "prometheus: ready after {ready_after:?}, first non-empty query (via kubectl+proxy) after {first_nonempty:?}, {} scrapes",
        target.hits()
    );

    let mut got: Vec<(String, String, String)> = answer["data"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["metric"]["pod"].as_str().unwrap_or("?").to_owned(),
                s["metric"]["container"].as_str().unwrap_or("?").to_owned(),
                s["value"][1].as_str().unwrap_or("?").to_owned(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("blockvol-fs-1".into(), "POD".into(), "180224".into()),
            (
                "blockvol-fs-1".into(),
                "centos-tools".into(),
                "88784896".into()
            ),
        ],
        "{answer}"
    );

    // The proxy route saw kubectl's request (kubectl re-encodes the query: spaces become `+`),
    // required the token like any other route, and answered 200.
    let query_path = format!("{PROM_PROXY_PREFIX}api/v1/query");
    let proxied = srv.requests_to(&query_path);
    assert!(
        proxied.iter().any(|r| {
            query_param(&r.path_and_query, "query").as_deref() == Some(WORKING_SET_QUERY)
                && r.authorized
                && r.status == Some(200)
        }),
        "{proxied:#?}"
    );
    // Direct query gives the same series: the proxy copies the body faithfully.
    let direct = prom.query(WORKING_SET_QUERY);
    assert_eq!(
        direct["data"]["result"].as_array().map(Vec::len),
        Some(2),
        "{direct}"
    );
    assert!(target.hits() >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kube_rs_client_trusts_harness_tls_and_large_bodies_stream() {
    support::install_crypto_provider();
    // 45 MB like a big node's /metrics/cadvisor; streamed in 64 KiB chunks from one Bytes.
    let line = b"container_cpu_usage_seconds_total{container=\"c\",namespace=\"csi\",pod=\"p\"} 1 1636128362000\n";
    let mut big = Vec::with_capacity(45 * 1024 * 1024 + line.len());
    while big.len() < 45 * 1024 * 1024 {
        big.extend_from_slice(line);
    }
    let big = Bytes::from(big);
    let big_len = big.len();
    let srv = TestApiServer::start(
        Routes::new()
            .with(
                "/api/v1/nodes/worker-1/proxy/metrics/cadvisor",
                Route::text(tools::PROM_TEXT_CONTENT_TYPE, big),
            )
            .with(
                "/api/v1/namespaces/x/services/http:dead:80/proxy/",
                // Nothing listens on port 9 (discard) on this loopback.
                Route::proxy("http://127.0.0.1:9"),
            ),
        ServerOptions::default(),
    );
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = srv.write_kubeconfig(dir.path(), Some("csi"));
    let kc = kube::config::Kubeconfig::read_from(&kubeconfig).unwrap();
    let cfg = kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
        .await
        .unwrap();
    assert_eq!(cfg.default_namespace, "csi");
    // GOTCHA: kube 5 retries 429/503/504 by default (RetryPolicy::server_retry: 15 attempts,
    // exponential backoff up to 1000 s), so the 503 below would take minutes. Disable it here.
    let mut cfg = cfg;
    cfg.default_retry = false;
    let client = kube::Client::try_from(cfg).unwrap();

    let version = client
        .apiserver_version()
        .await
        .expect("rustls accepts the CA-signed leaf");
    assert_eq!(
        (
            version.major.as_str(),
            version.minor.as_str(),
            version.git_version.as_str()
        ),
        ("1", "32", "v1.32.4")
    );

    let started = Instant::now();
    let text = client
        .request_text(
            http::Request::get("/api/v1/nodes/worker-1/proxy/metrics/cadvisor")
                .body(vec![])
                .unwrap(),
        )
        .await
        .unwrap();
    eprintln!("45 MB body over TLS in {:?}", started.elapsed());
    assert_eq!(text.len(), big_len);
    assert!(
        text.starts_with("container_cpu_usage_seconds_total{") && text.ends_with("1636128362000\n")
    );

    let err = client
        .request_text(http::Request::get("/no/such/path").body(vec![]).unwrap())
        .await
        .unwrap_err();
    match err {
        kube::Error::Api(s) => assert_eq!((s.code, s.reason.as_str()), (404, "NotFound")),
        other => panic!("expected a 404 Status, got {other:?}"),
    }
    let err = client
        .request_text(
            http::Request::get("/api/v1/namespaces/x/services/http:dead:80/proxy/metrics")
                .body(vec![])
                .unwrap(),
        )
        .await
        .unwrap_err();
    match err {
        kube::Error::Api(s) => assert_eq!(
            (s.code, s.reason.as_str()),
            (503, "ServiceUnavailable"),
            "{s:?}"
        ),
        other => panic!("expected a 503 Status, got {other:?}"),
    }
    let logged = srv.requests();
    assert!(logged.iter().all(|r| r.authorized), "{logged:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latency_option_and_concurrency_are_recorded() {
    support::install_crypto_provider();
    let latency = Duration::from_millis(300);
    let srv = TestApiServer::start(Routes::new(), ServerOptions::with_latency(latency));
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = srv.write_kubeconfig(dir.path(), None);
    let kc = kube::config::Kubeconfig::read_from(&kubeconfig).unwrap();
    let cfg = kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
        .await
        .unwrap();
    let client = kube::Client::try_from(cfg).unwrap();

    let calls = (0..4).map(|_| client.apiserver_version());
    let results = futures_util::future::join_all(calls).await;
    assert!(results.iter().all(|r| r.is_ok()), "{results:?}");

    let log = srv.requests_to("/version");
    assert_eq!(log.len(), 4, "{log:#?}");
    for r in &log {
        let took = r.finished.expect("finished") - r.started;
        assert!(
            took >= latency,
            "latency applied before the response: {took:?}"
        );
    }
    assert_eq!(
        srv.max_concurrency(),
        4,
        "all four requests overlapped: {log:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odd_requests_and_disconnects_do_not_break_the_server() {
    use futures_util::AsyncReadExt;
    use std::io::{Read, Write};
    support::install_crypto_provider();
    let big = Bytes::from(vec![b'x'; 8 * 1024 * 1024]);
    let srv = TestApiServer::start(
        Routes::new().with("/big", Route::text("text/plain", big)),
        ServerOptions::default(),
    );

    // Plain HTTP and garbage on the TLS port: the handshake fails, the connection is closed.
    for junk in [
        &b"GET /version HTTP/1.1\r\nHost: x\r\n\r\n"[..],
        &b"\x16\x03\x01\xff\xffgarbage"[..],
    ] {
        let mut s = std::net::TcpStream::connect(srv.addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
        s.write_all(junk).unwrap();
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        assert!(
            !buf.starts_with(b"HTTP/"),
            "no plaintext answer on the TLS port"
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = srv.write_kubeconfig(dir.path(), None);
    let kc = kube::config::Kubeconfig::read_from(&kubeconfig).unwrap();
    let cfg = kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
        .await
        .unwrap();
    let client = kube::Client::try_from(cfg).unwrap();

    // Read 1 MiB of an 8 MiB streamed body, then drop the stream (client disconnect mid-body).
    let mut stream = client
        .request_stream(http::Request::get("/big").body(vec![]).unwrap())
        .await
        .unwrap();
    let mut first = vec![0u8; 1024 * 1024];
    stream.read_exact(&mut first).await.unwrap();
    assert!(first.iter().all(|&b| b == b'x'));
    drop(stream);
    drop(client);

    // Odd paths and methods with a fresh client: still well-formed Status answers.
    let kc = kube::config::Kubeconfig::read_from(&kubeconfig).unwrap();
    let cfg = kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
        .await
        .unwrap();
    let client = kube::Client::try_from(cfg).unwrap();
    for req in [
        http::Request::delete("/version").body(vec![]).unwrap(),
        http::Request::get("/%ff%00/..//?a=%zz&&")
            .body(vec![])
            .unwrap(),
    ] {
        match client.request_text(req).await {
            Ok(body) => assert!(body.contains("gitVersion"), "{body}"),
            Err(kube::Error::Api(s)) => assert_eq!((s.code, s.reason.as_str()), (404, "NotFound")),
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    let v = client
        .apiserver_version()
        .await
        .expect("server still healthy");
    assert_eq!(v.git_version, "v1.32.4");
    let statuses: Vec<Option<u16>> = srv.requests().iter().map(|r| r.status).collect();
    assert!(
        statuses.contains(&Some(200)) && statuses.contains(&Some(404)),
        "{statuses:?}"
    );
}
