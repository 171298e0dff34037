//! Live traces against a real HTTPS test API server (support/apiserver.rs), checked
//! against the real kubectl and a real Prometheus. Only 127.0.0.1 is ever contacted.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use support::apiserver::{Route, Routes, ServerOptions, TestApiServer};
use support::scenario::{body, bundle, request, routes_from, seed_routes_without_prometheus};
use support::tools::{self, Prometheus, ScrapeTarget};
use support::{fixtures, ktrace};

const SEED_QUERY: &str = r#"sum(container_memory_working_set_bytes{namespace="csi",pod="blockvol-fs-1",container!="",pod!=""}) by (pod,container)"#;
const OCP_PROM_PROXY: &str =
    "/api/v1/namespaces/openshift-monitoring/services/https:prometheus-k8s:9091/proxy/";

/// A PodMetrics `timestamp` for "now": whole seconds like the Metrics API, rounded up so the
/// evaluation time ktrace derives from it is not before Prometheus' first scrape.
fn now_rfc3339() -> String {
    jiff::Timestamp::from_second(jiff::Timestamp::now().as_second() + 1)
        .unwrap()
        .to_string()
}

fn kubectl_table(kubeconfig: &Path, args: &[&str]) -> Vec<Vec<String>> {
    let (code, out, err) = tools::run_kubectl(kubeconfig, args);
    assert_eq!(code, 0, "kubectl {args:?}: {err}");
    support::table(&out)
}

/// ktrace's predicted `top` rows in kubectl's table shape.
fn predicted_tables(report: &Value) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let top = &report["top"]["value"];
    let s = |v: &Value| v.as_str().unwrap().to_string();
    let pod = vec![
        vec!["NAME".into(), "CPU(cores)".into(), "MEMORY(bytes)".into()],
        vec![
            s(&top["pod_row"]["name"]),
            s(&top["pod_row"]["cpu"]),
            s(&top["pod_row"]["memory"]),
        ],
    ];
    let mut containers = vec![vec![
        "POD".into(),
        "NAME".into(),
        "CPU(cores)".into(),
        "MEMORY(bytes)".into(),
    ]];
    for c in top["containers"].as_array().unwrap() {
        containers.push(vec![
            s(&top["pod_row"]["name"]),
            s(&c["name"]),
            s(&c["cpu"]),
            s(&c["memory"]),
        ]);
    }
    (pod, containers)
}

fn assert_kubectl_agrees(kubeconfig: &Path, ns: &str, name: &str, report: &Value) {
    // Missing kubectl fails here unless KTRACE_ALLOW_MISSING_TOOLS=1 outside CI (then: skip).
    if tools::kubectl().is_none() {
        return;
    }
    let (pod, containers) = predicted_tables(report);
    assert_eq!(
        kubectl_table(kubeconfig, &["top", "pod", name, "-n", ns]),
        pod
    );
    assert_eq!(
        kubectl_table(kubeconfig, &["top", "pod", name, "-n", ns, "--containers"]),
        containers
    );
}

/// A Prometheus scraping `text` as a kubelet target, ready once `query` returns data.
/// `None` only when prometheus is missing and KTRACE_ALLOW_MISSING_TOOLS=1 outside CI.
fn prometheus_scraping(
    text: &str,
    query: &str,
) -> Option<(Prometheus, support::tools::StaticTextServer)> {
    let (addr, server) = tools::serve_static_text("/metrics/cadvisor", text.to_string());
    let mut prom =
        Prometheus::start_if_available(&[ScrapeTarget::new("kubelet", addr, "/metrics/cadvisor")])?;
    prom.wait_ready(Duration::from_secs(30)).unwrap();
    prom.wait_for_nonempty(query, Duration::from_secs(60));
    Some((prom, server))
}

/// Other pods' lines around the target's, including prefix and namespace look-alikes.
fn busy_node_body(pod_lines: &str) -> String {
    let mut others = String::new();
    for line in pod_lines.lines().filter(|l| !l.starts_with('#')) {
        let line = line.replace("8f3c2a61", "7e2b1950");
        others.push_str(&line.replace("pod=\"blockvol-fs-1\"", "pod=\"blockvol-fs-10\""));
        others.push('\n');
        others.push_str(&line.replace("namespace=\"csi\"", "namespace=\"csi2\""));
        others.push('\n');
    }
    format!("{others}{pod_lines}{others}")
}

struct Live {
    server: TestApiServer,
    dir: tempfile::TempDir,
    kubeconfig: PathBuf,
}

fn start(routes: Routes, ns: Option<&str>) -> Live {
    let server = TestApiServer::start(routes, ServerOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = server.write_kubeconfig(dir.path(), ns);
    Live {
        server,
        dir,
        kubeconfig,
    }
}

impl Live {
    fn run(&self, extra: &[&str]) -> (i32, String, String) {
        let mut args = vec!["pod"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--kubeconfig", self.kubeconfig.to_str().unwrap()]);
        ktrace(&args, self.dir.path())
    }
}

#[test]
fn seed_live_trace_matches_real_kubectl_real_prometheus_and_its_replay() {
    let seed = bundle("seed-ocp48-crio-cgv1.json");
    let pod_lines = body(&seed, "kubelet_cadvisor");
    let Some((prom, _target)) = prometheus_scraping(pod_lines, SEED_QUERY) else {
        return;
    };
    let mut routes = routes_from(&seed, Some(&now_rfc3339()));
    routes.insert(OCP_PROM_PROXY, Route::proxy(&prom.url()));
    routes.insert(
        request(&seed, "kubelet_cadvisor"),
        Route::text("text/plain; version=0.0.4", busy_node_body(pod_lines)),
    );
    let live = start(routes, Some("csi"));
    let saved = live.dir.path().join("bundle.json");

    let (code, text, err) = live.run(&[
        "blockvol-fs-1",
        "--save-bundle",
        saved.to_str().unwrap(),
        "--color",
        "never",
    ]);
    assert_eq!(code, 0, "{text}\n{err}");
    let from = |fmt: &[&str]| {
        let mut args = vec![
            "pod",
            "csi/blockvol-fs-1",
            "--from",
            saved.to_str().unwrap(),
        ];
        args.extend_from_slice(fmt);
        ktrace(&args, live.dir.path())
    };
    let (code, replay, err) = from(&["--color", "never"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(replay, text, "live and replay reports differ");
    // The query and what the real Prometheus stored for the pod (raw-series query, with its
    // scrape labels) are verbatim evidence: the Markdown report of what was fetched has them.
    let (_, md, _) = from(&["-o", "markdown"]);
    assert!(md.contains(&format!("```promql\n{SEED_QUERY}\n```")));
    let stored: Vec<&str> = md
        .lines()
        .filter(|l| {
            l.contains("__name__=\"container_memory_working_set_bytes\"")
                && l.contains("job=\"kubelet\"")
        })
        .collect();
    assert!(
        stored
            .iter()
            .any(|l| l.contains("container=\"centos-tools\"") && l.contains("} 88784896 @")),
        "{md}"
    );
    assert!(
        stored
            .iter()
            .any(|l| l.contains("container=\"POD\"") && l.contains("} 180224 @")),
        "{md}"
    );

    let saved_text = std::fs::read_to_string(&saved).unwrap();
    assert!(
        !saved_text.contains(live.server.token()),
        "the bearer token leaked into the bundle"
    );
    let b: Value = serde_json::from_str(&saved_text).unwrap();
    assert_eq!(
        body(&b, "kubelet_cadvisor"),
        pod_lines,
        "the streaming filter kept exactly the pod's lines"
    );
    let memory = &b["sources"]["prometheus"][0];
    assert_eq!(memory["purpose"], "memory");
    assert_eq!(memory["query"], SEED_QUERY);
    assert!(request(&b, "pod_metrics").starts_with("/apis/metrics.k8s.io/v1beta1/"));

    let (_, json, _) = from(&["-o", "json"]);
    let v: Value = serde_json::from_str(&json).unwrap();
    let rows: Vec<(&str, i64, i64, i64, &str)> = v["reconciliation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let n = |k: &str| r[k].as_i64().unwrap();
            let name = r["container"].as_str().unwrap();
            let verdict = r["verdict"].as_str().unwrap();
            (
                name,
                n("metrics_api_bytes"),
                n("backend_bytes"),
                n("series_sum_bytes"),
                verdict,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("POD", 180224, 180224, 180224, "exact"),
            ("centos-tools", 88784896, 88784896, 88784896, "exact")
        ],
        "{text}"
    );
    let sent: Vec<(&str, &str)> = v["metrics_api"]["value"]["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["memory"].as_str().unwrap()))
        .collect();
    assert_eq!(sent, [("POD", "176Ki"), ("centos-tools", "86704Ki")]);
    assert_kubectl_agrees(&live.kubeconfig, "csi", "blockvol-fs-1", &v);
}

/// `s` with every run of whitespace (line breaks and hanging indents too) as one space, so a
/// check on the text report holds at any terminal width.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn real_dump_adapter_query_through_real_prometheus_equals_the_served_podmetrics() {
    // The test API server serves the whole 1.16 docker dump as the node's /metrics/cadvisor;
    // a real Prometheus scrapes that path (TLS + token), and the adapter's service proxy leads
    // to it. The PodMetrics the adapter would build from the dump comes from the fixture bundle.
    let b = bundle("docker-cgv1-ms-pod.json");
    let dump = fixtures::realdata("cadvisor/nri-k8s-1.16-minikube-docker-cgv1.prom");
    let query = b["sources"]["prometheus"][0]["query"]
        .as_str()
        .unwrap()
        .to_string();
    let node_path = request(&b, "kubelet_cadvisor").to_string();
    let mut routes = routes_from(&b, None);
    routes.insert(
        node_path.as_str(),
        Route::text("text/plain; version=0.0.4", dump),
    );
    let live = start(routes, None);
    let ca = live.dir.path().join("ca.pem");
    std::fs::write(&ca, live.server.ca_pem()).unwrap();
    let mut target = ScrapeTarget::new("kubelet", live.server.addr(), &node_path);
    target.scheme = "https".into();
    target.ca_file = Some(ca.to_str().unwrap().into());
    target.bearer_token = Some(live.server.token().into());
    let Some(mut prom) = Prometheus::start_if_available(&[target]) else {
        return;
    };
    prom.wait_ready(Duration::from_secs(30)).unwrap();
    prom.wait_for_nonempty(&query, Duration::from_secs(60));
    live.server.set_route(
        "/api/v1/namespaces/monitoring/services/http:prometheus-k8s:9090/proxy/",
        Route::proxy(&prom.url()),
    );
    let mut pm: Value = serde_json::from_str(body(&b, "pod_metrics")).unwrap();
    pm["timestamp"] = Value::String(now_rfc3339());
    live.server
        .set_route(request(&b, "pod_metrics"), Route::json(&pm));

    let (code, out, err) = live.run(&["kube-system/metrics-server-6b79b4d69b-x2ps9", "-o", "json"]);
    assert_eq!(code, 0, "{err}\n{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["adapter"]["memory"]["value"]["ran"], query.as_str());
    assert_eq!(v["verdict"], "consistent", "{:#}", v["reconciliation"]);
    let recon: Vec<(String, i64, i64, i64)> = v["reconciliation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let n = |k: &str| r[k].as_i64().unwrap();
            (
                r["container"].as_str().unwrap().to_string(),
                n("metrics_api_bytes"),
                n("backend_bytes"),
                n("series_sum_bytes"),
            )
        })
        .collect();
    assert_eq!(
        recon,
        [
            ("POD".to_string(), 692224, 692224, 692224),
            ("metrics-server".to_string(), 13574144, 13574144, 13574144)
        ]
    );
    assert_eq!(v["top"]["value"]["pod_row"]["memory"], "13Mi");
    assert!(live.server.requests_to(&node_path).iter().any(|r| {
        r.user_agent
            .as_deref()
            .is_some_and(|u| u.starts_with("Prometheus"))
    }));
    assert_kubectl_agrees(
        &live.kubeconfig,
        "kube-system",
        "metrics-server-6b79b4d69b-x2ps9",
        &v,
    );
}

#[test]
fn metrics_server_case_matches_real_kubectl() {
    let b = bundle("containerd-cgv2-ms.json");
    let live = start(routes_from(&b, None), None);
    let (code, out, err) = live.run(&["kube-system/metrics-server-9d74bb658-c6nnt", "-o", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["backend"]["kind"], "metrics-server");
    assert_eq!(v["reconciliation"][0]["backend_bytes"], 22396928);
    assert_eq!(v["top"]["value"]["pod_row"]["memory"], "21Mi");
    assert_kubectl_agrees(
        &live.kubeconfig,
        "kube-system",
        "metrics-server-9d74bb658-c6nnt",
        &v,
    );
}

#[test]
fn forbidden_nodes_proxy_still_reports_metrics_api_and_adapter_layers() {
    let (seed, mut routes) = seed_routes_without_prometheus();
    let msg = r#"nodes "worker-4" is forbidden: User "support" cannot get resource "nodes/proxy" in API group "" at the cluster scope"#;
    routes.insert(
        request(&seed, "kubelet_cadvisor"),
        Route::status(403, "Forbidden", msg),
    );
    routes.insert(
        request(&seed, "kubelet_resource"),
        Route::status(403, "Forbidden", msg),
    );
    let live = start(routes, None);
    let (code, out, err) = live.run(&["csi/blockvol-fs-1", "--color", "never"]);
    assert_eq!(code, 3, "{err}");
    assert!(
        squash(&out).contains(&format!(
            "kubelet /metrics/cadvisor is missing: HTTP 403: {msg} (needs RBAC `get nodes/proxy`)"
        )),
        "{out}"
    );
    assert!(out.contains("$ kubectl get --raw /api/v1/nodes/worker-4/proxy/metrics/cadvisor | grep -F 'pod=\"blockvol-fs-1\"'"));
    let pod_row: Vec<&str> = out
        .lines()
        .find(|l| l.trim_start().starts_with("blockvol-fs-1  "))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(&pod_row[..3], ["blockvol-fs-1", "19m", "84Mi"]);
    // The adapter's answer as sent: verbatim evidence, in the Markdown report.
    let (_, md, _) = live.run(&["csi/blockvol-fs-1", "-o", "markdown"]);
    assert!(
        md.contains("\n{container=\"POD\",pod=\"blockvol-fs-1\"} 180224 @"),
        "{md}"
    );
}

#[test]
fn unavailable_apiservice_and_prometheus_down_are_reported_not_fatal() {
    let (seed, mut routes) = seed_routes_without_prometheus();
    routes.insert(
        request(&seed, "apiservice"),
        Route::status(
            503,
            "ServiceUnavailable",
            "the server is currently unable to handle the request",
        ),
    );
    let live = start(routes, None);
    let (code, out, err) = live.run(&["csi/blockvol-fs-1", "--color", "never"]);
    assert_eq!(code, 3, "{err}");
    assert!(squash(&out).contains("APIService v1beta1.metrics.k8s.io is missing: HTTP 503: the server is currently unable to handle the request"), "{out}");
    assert!(out.contains("Backend unknown"), "{out}");

    let (_, mut routes) = seed_routes_without_prometheus();
    routes
        .0
        .retain(|(path, _)| !path.contains("/proxy/api/v1/query"));
    routes.insert(OCP_PROM_PROXY, Route::proxy("http://127.0.0.1:9"));
    let live = start(routes, None);
    let (code, out, err) = live.run(&["csi/blockvol-fs-1", "-o", "json"]);
    assert_eq!(code, 3, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let reason = v["adapter"]["memory"]["value"]["result"]["reason"]
        .as_str()
        .unwrap();
    assert!(reason.starts_with("HTTP 503"), "{reason}");
    assert_eq!(v["top"]["value"]["pod_row"]["memory"], "84Mi");
}

#[test]
fn a_source_that_never_answers_times_out_into_a_partial_report() {
    let (seed, mut routes) = seed_routes_without_prometheus();
    routes.insert(request(&seed, "kubelet_cadvisor"), Route::Hang);
    let live = start(routes, None);
    let (code, out, err) = live.run(&[
        "csi/blockvol-fs-1",
        "--request-timeout",
        "2s",
        "--color",
        "never",
    ]);
    assert_eq!(code, 3, "{err}");
    assert!(
        squash(&out).contains(
            "timed out after 2s waiting for GET /api/v1/nodes/worker-4/proxy/metrics/cadvisor"
        ),
        "{out}"
    );
    // The other layers still reconcile, with the seed's numbers: the PodMetrics (176Ki and
    // 86704Ki) and the adapter's answer (180224 and 88784896) for both containers.
    let (_, json, _) = live.run(&["csi/blockvol-fs-1", "--request-timeout", "2s", "-o", "json"]);
    let v: Value = serde_json::from_str(&json).unwrap();
    let rows: Vec<(&str, &Value, &Value)> = v["reconciliation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let name = r["container"].as_str().unwrap();
            (name, &r["metrics_api_bytes"], &r["backend_bytes"])
        })
        .collect();
    let (pod, tools) = (Value::from(180224), Value::from(88784896));
    assert_eq!(
        rows,
        [("POD", &pod, &pod), ("centos-tools", &tools, &tools)],
        "{json}"
    );
}

#[test]
fn fatal_errors_exit_1_with_one_line_naming_the_cause() {
    let (_, routes) = seed_routes_without_prometheus();
    let live = start(routes, None);
    let (code, out, err) = live.run(&["csi/nope"]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert_eq!(
        err.trim(),
        r#"error: Error from server (NotFound): pods "nope" not found in namespace "csi""#
    );

    let bad = live
        .server
        .write_kubeconfig_with_token(live.dir.path(), None, "wrong-token");
    let (code, _, err) = ktrace(
        &[
            "pod",
            "csi/blockvol-fs-1",
            "--kubeconfig",
            bad.to_str().unwrap(),
        ],
        live.dir.path(),
    );
    assert_eq!(code, 1);
    assert!(err.contains("rejected the credentials (HTTP 401)"), "{err}");
    assert!(!err.contains("wrong-token"));

    let (code, _, err) = ktrace(
        &[
            "pod",
            "csi/blockvol-fs-1",
            "--kubeconfig",
            "/nonexistent/kubeconfig",
        ],
        live.dir.path(),
    );
    assert_eq!(code, 1);
    assert!(err.starts_with("error: no usable kubeconfig: "), "{err}");

    let (code, _, err) = ktrace(
        &[
            "pod",
            "csi/blockvol-fs-1",
            "--kubeconfig",
            live.kubeconfig.to_str().unwrap(),
            "--request-timeout",
            "soon",
        ],
        live.dir.path(),
    );
    assert_eq!(code, 2, "a bad flag value is a usage error");
    assert!(err.contains("invalid --request-timeout \"soon\""), "{err}");
}

#[test]
fn verbose_logging_never_prints_the_token_and_requests_run_concurrently() {
    let (_, routes) = seed_routes_without_prometheus();
    let server = TestApiServer::start(
        routes,
        ServerOptions::with_latency(Duration::from_millis(200)),
    );
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = server.write_kubeconfig(dir.path(), None);
    let (code, out, err) = ktrace(
        &[
            "pod",
            "csi/blockvol-fs-1",
            "-v",
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(
            "ktrace: GET /apis/metrics.k8s.io/v1beta1/namespaces/csi/pods/blockvol-fs-1 → 200"
        ),
        "{err}"
    );
    assert!(!err.contains(server.token()) && !out.contains(server.token()));
    assert!(server.requests().iter().all(|r| r.authorized));
    assert!(
        server.max_concurrency() >= 4,
        "requests were serialized: max {}",
        server.max_concurrency()
    );
}

/// A kubeconfig for `server` with the given `user:` block and optional CA.
fn kubeconfig_with_user(server: &TestApiServer, user_yaml: &str, with_ca: bool) -> String {
    let ca = if with_ca {
        format!(
            "    certificate-authority-data: {}\n",
            support::base64_encode(server.ca_pem().as_bytes())
        )
    } else {
        String::new()
    };
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: {}\n{ca}users:\n- name: u\n  user:\n{user_yaml}contexts:\n- name: test\n  context:\n    cluster: test\n    user: u\n    namespace: csi\ncurrent-context: test\n",
        server.url()
    )
}

#[test]
fn exec_plugin_credentials_work_and_never_reach_the_report() {
    let (_, routes) = seed_routes_without_prometheus();
    let live = start(routes, None);
    let token = live.server.token().to_string();
    let exec = format!(
        "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: /bin/sh\n      args:\n      - -c\n      - printf '{{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"%s\"}}}}' {token}\n      interactiveMode: Never\n"
    );
    let path = live.dir.path().join("exec.yaml");
    std::fs::write(&path, kubeconfig_with_user(&live.server, &exec, true)).unwrap();
    let saved = live.dir.path().join("b.json");
    let (code, out, err) = ktrace(
        &[
            "pod",
            "blockvol-fs-1",
            "--kubeconfig",
            path.to_str().unwrap(),
            "--save-bundle",
            saved.to_str().unwrap(),
            "-v",
        ],
        live.dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        live.server.requests().iter().all(|r| r.authorized),
        "every request carried the exec plugin's token"
    );
    let bundle = std::fs::read_to_string(&saved).unwrap();
    for text in [&out, &err, &bundle] {
        assert!(!text.contains(&token));
    }
}

#[test]
fn kubeconfig_env_list_skips_missing_files_and_tls_is_verified_unless_told_otherwise() {
    let (_, routes) = seed_routes_without_prometheus();
    let live = start(routes, None);
    let env = std::env::join_paths([
        live.dir.path().join("missing.yaml"),
        live.kubeconfig.clone(),
    ])
    .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ktrace"));
    cmd.args(["pod", "csi/blockvol-fs-1", "-o", "json"])
        .env_clear()
        .env("HOME", live.dir.path())
        .env("KUBECONFIG", env);
    let out = tools::run_with_timeout(cmd, Duration::from_secs(60));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["cluster"]["context"], "test");
    assert_eq!(v["top"]["value"]["pod_row"]["memory"], "84Mi");

    let token = format!("    token: {}\n", live.server.token());
    let no_ca = live.dir.path().join("no-ca.yaml");
    std::fs::write(&no_ca, kubeconfig_with_user(&live.server, &token, false)).unwrap();
    let (code, _, err) = ktrace(
        &[
            "pod",
            "blockvol-fs-1",
            "--kubeconfig",
            no_ca.to_str().unwrap(),
        ],
        live.dir.path(),
    );
    assert_eq!(code, 1, "an unknown CA must not be trusted");
    assert!(err.contains("cannot reach the API server"), "{err}");
    let (code, out, err) = ktrace(
        &[
            "pod",
            "blockvol-fs-1",
            "--kubeconfig",
            no_ca.to_str().unwrap(),
            "--insecure-skip-tls-verify",
            "--color",
            "never",
        ],
        live.dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Verdict: consistent"));
}

#[test]
fn a_directly_reached_prometheus_gets_the_token_file_and_ca() {
    // A second HTTPS server with its own CA and token stands in for a Prometheus route
    // (e.g. OpenShift's thanos-querier) reached with --prometheus-url.
    let (seed, routes) = seed_routes_without_prometheus();
    let mut prom_routes = support::apiserver::Routes::new();
    for q in seed["sources"]["prometheus"].as_array().unwrap() {
        let req = q["source"]["request"].as_str().unwrap();
        let direct = &req[req.find("/api/v1/query").unwrap()..];
        prom_routes.insert(
            direct,
            Route::Json(200, q["source"]["outcome"]["body"].as_str().unwrap().into()),
        );
    }
    let prom = TestApiServer::start(prom_routes, ServerOptions::default());
    let live = start(routes, None);
    let token_file = live.dir.path().join("prom-token");
    std::fs::write(&token_file, format!("{}\n", prom.token())).unwrap();
    let ca = live.dir.path().join("prom-ca.pem");
    std::fs::write(&ca, prom.ca_pem()).unwrap();
    let saved = live.dir.path().join("b.json");
    let (code, out, err) = live.run(&[
        "csi/blockvol-fs-1",
        "--prometheus-url",
        &prom.url(),
        "--prometheus-token-file",
        token_file.to_str().unwrap(),
        "--prometheus-ca-file",
        ca.to_str().unwrap(),
        "--save-bundle",
        saved.to_str().unwrap(),
        "-o",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["reconciliation"][1]["backend_bytes"], 88784896);
    let hits = prom.requests();
    assert!(
        hits.len() >= 2 && hits.iter().all(|r| r.authorized),
        "the token file was sent"
    );
    let bundle = std::fs::read_to_string(&saved).unwrap();
    assert!(bundle.contains(&format!(
        "\"request\": \"{}/api/v1/query?query=",
        prom.url()
    )));
    assert!(!bundle.contains(prom.token()) && !bundle.contains(live.server.token()));
}

#[test]
fn metrics_api_v1_is_preferred_when_the_server_serves_it() {
    let (seed, mut routes) = seed_routes_without_prometheus();
    routes.insert(
        "/apis/metrics.k8s.io",
        Route::Json(200, r#"{"kind":"APIGroup","apiVersion":"v1","name":"metrics.k8s.io","versions":[{"groupVersion":"metrics.k8s.io/v1","version":"v1"},{"groupVersion":"metrics.k8s.io/v1beta1","version":"v1beta1"}]}"#.into()),
    );
    let mut pm: Value = serde_json::from_str(body(&seed, "pod_metrics")).unwrap();
    pm["apiVersion"] = "metrics.k8s.io/v1".into();
    routes.insert(
        "/apis/metrics.k8s.io/v1/namespaces/csi/pods/blockvol-fs-1",
        Route::json(&pm),
    );
    let live = start(routes, None);
    let (code, out, err) = live.run(&["csi/blockvol-fs-1", "-o", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["metrics_api"]["value"]["api_version"],
        "metrics.k8s.io/v1"
    );
    let source = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Metrics API PodMetrics")
        .unwrap()
        .clone();
    assert_eq!(
        source["request"],
        "/apis/metrics.k8s.io/v1/namespaces/csi/pods/blockvol-fs-1"
    );
    assert!(
        live.server
            .requests_to("/apis/metrics.k8s.io/v1beta1/namespaces/csi/pods/blockvol-fs-1")
            .is_empty()
    );
}

#[test]
fn a_server_without_the_metrics_api_gives_a_partial_report_that_says_so() {
    let (seed, mut routes) = seed_routes_without_prometheus();
    routes.insert(
        "/apis/metrics.k8s.io",
        Route::status(
            404,
            "NotFound",
            "the server could not find the requested resource",
        ),
    );
    routes.insert(
        request(&seed, "pod_metrics"),
        Route::status(
            404,
            "NotFound",
            "the server could not find the requested resource",
        ),
    );
    routes.insert(
        request(&seed, "apiservice"),
        Route::status(
            404,
            "NotFound",
            "apiservices.apiregistration.k8s.io \"v1beta1.metrics.k8s.io\" not found",
        ),
    );
    let live = start(routes, None);
    let saved = live.dir.path().join("b.json");
    let (code, out, err) = live.run(&[
        "csi/blockvol-fs-1",
        "-o",
        "json",
        "--save-bundle",
        saved.to_str().unwrap(),
    ]);
    assert_eq!(code, 3, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"metrics-api-not-available"), "{codes:?}");
    assert!(!codes.contains(&"no-pod-metrics"));
    assert_eq!(v["top"]["status"], "missing");
    let b: Value = serde_json::from_str(&std::fs::read_to_string(saved).unwrap()).unwrap();
    assert_eq!(
        b["sources"]["metrics_discovery"]["outcome"]["http_status"],
        404
    );
}

#[test]
fn as_impersonates_like_kubectl() {
    let (seed, routes) = seed_routes_without_prometheus();
    let live = start(routes, None);
    let who = [
        "--as",
        "support-engineer",
        "--as-group",
        "system:authenticated",
        "--as-group",
        "support",
    ];
    let mut args = vec!["csi/blockvol-fs-1"];
    args.extend_from_slice(&who);
    let (code, _, err) = live.run(&args);
    assert_eq!(code, 0, "{err}");
    let ktrace_reqs = live.server.requests();
    // Real kubectl, impersonating the same way, against the same server.
    let pod = request(&seed, "pod");
    let mut kubectl_args = vec!["get", "--raw", pod];
    kubectl_args.extend_from_slice(&who);
    let (code, _, err) = tools::run_kubectl(&live.kubeconfig, &kubectl_args);
    assert_eq!(code, 0, "kubectl: {err}");
    let kubectl_reqs = &live.server.requests()[ktrace_reqs.len()..];
    let headers = |r: &support::apiserver::RequestRecord| {
        (r.impersonate_user.clone(), r.impersonate_groups.clone())
    };
    let want = (
        Some("support-engineer".to_string()),
        vec!["system:authenticated".to_string(), "support".to_string()],
    );
    assert_eq!(kubectl_reqs.len(), 1, "{kubectl_reqs:#?}");
    assert_eq!(headers(&kubectl_reqs[0]), want, "what kubectl sends");
    assert!(ktrace_reqs.len() >= 6, "{ktrace_reqs:#?}");
    for r in &ktrace_reqs {
        assert_eq!(headers(r), want, "{}", r.path);
    }
}

#[test]
fn a_prometheus_token_is_never_sent_over_http() {
    let (_, routes) = seed_routes_without_prometheus();
    // A plain-http listener that counts the connections it gets.
    let http = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", http.local_addr().unwrap());
    http.set_nonblocking(true).unwrap();
    let live = start(routes, None);
    let token_file = live.dir.path().join("prom-token");
    std::fs::write(&token_file, "prom-secret-token\n").unwrap();
    let (code, out, err) = live.run(&[
        "csi/blockvol-fs-1",
        "--prometheus-url",
        &url,
        "--prometheus-token-file",
        token_file.to_str().unwrap(),
        "-o",
        "json",
    ]);
    // Refused before any request: the Prometheus layer is missing, with the reason, and the
    // other layers still render (exit 3, partial).
    assert_eq!(code, 3, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let refused = format!(
        "not collected: refusing to send the --prometheus-token-file token to {url} over plain http; use https"
    );
    let prometheus: Vec<(&str, &str)> = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["name"].as_str().unwrap().starts_with("Prometheus"))
        .map(|s| (s["name"].as_str().unwrap(), s["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        prometheus,
        [
            ("Prometheus query (memory)", refused.as_str()),
            ("Prometheus query (cpu)", refused.as_str()),
            ("Prometheus query (cpu-samples)", refused.as_str()),
            ("Prometheus query (raw-series)", refused.as_str()),
            ("Prometheus buildinfo", refused.as_str())
        ],
        "{out}"
    );
    assert_eq!(v["top"]["value"]["pod_row"]["memory"], "84Mi");
    assert!(!out.contains("prom-secret-token") && !err.contains("prom-secret-token"));
    let connected = http.accept();
    assert!(
        matches!(&connected, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the http server was contacted: {connected:?}"
    );
}

#[test]
fn a_trickling_kubelet_body_is_given_up_on_not_waited_for_forever() {
    let (seed, mut routes) = seed_routes_without_prometheus();
    routes.insert(
        request(&seed, "kubelet_cadvisor"),
        Route::Trickle(Duration::from_millis(300)),
    );
    let live = start(routes, None);
    let (code, out, err) =
        live.run(&["csi/blockvol-fs-1", "--request-timeout", "1s", "-o", "json"]);
    assert_eq!(code, 3, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let reason = v["cadvisor"]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("HTTP 200: gave up on GET /api/v1/nodes/worker-4/proxy/metrics/cadvisor after 10s while the body was still arriving"),
        "{reason}"
    );
}

#[test]
fn a_failing_exec_plugin_is_reported_without_its_stdout() {
    let (_, routes) = seed_routes_without_prometheus();
    let live = start(routes, None);
    let exec = "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: /bin/sh\n      args:\n      - -c\n      - echo half-written-token-xyz; echo plugin broke >&2; exit 3\n      interactiveMode: Never\n";
    let path = live.dir.path().join("exec.yaml");
    std::fs::write(&path, kubeconfig_with_user(&live.server, exec, true)).unwrap();
    let (code, out, err) = ktrace(
        &[
            "pod",
            "blockvol-fs-1",
            "--kubeconfig",
            path.to_str().unwrap(),
        ],
        live.dir.path(),
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("exec credential plugin failed") && err.contains("plugin broke"),
        "{err}"
    );
    assert!(!err.contains("half-written-token-xyz") && !out.contains("half-written-token-xyz"));
}

#[test]
fn a_403_page_from_behind_the_service_proxy_is_not_called_rbac() {
    let (seed, mut routes) = seed_routes_without_prometheus();
    for q in seed["sources"]["prometheus"].as_array().unwrap() {
        let page = "<html>403 Forbidden (oauth-proxy)</html>";
        routes.insert(
            q["source"]["request"].as_str().unwrap(),
            Route::Text(403, "text/html".into(), page.into()),
        );
    }
    let live = start(routes, None);
    let (code, out, err) = live.run(&["csi/blockvol-fs-1", "-o", "json"]);
    assert_eq!(code, 3, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let reason = v["adapter"]["memory"]["value"]["result"]["reason"]
        .as_str()
        .unwrap();
    assert!(
        reason.contains("refused by the service behind the API server's proxy, not an RBAC denial"),
        "{reason}"
    );
    assert!(!reason.contains("needs RBAC"), "{reason}");
}

/// Adds plain and secret-backed env vars to every container of a Pod or Deployment body.
fn with_env(body: &str, containers_at: &str, value: &str, secret: &str) -> String {
    let mut v: Value = serde_json::from_str(body).unwrap();
    let containers = v
        .pointer_mut(containers_at)
        .unwrap()
        .as_array_mut()
        .unwrap();
    assert!(!containers.is_empty());
    for c in containers {
        c["env"] = serde_json::json!([
            {"name": "DB_PASSWORD", "value": value},
            {"name": "LOG_LEVEL", "value": format!("{value}-debug")},
            {"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {"name": secret, "key": "token"}}}
        ]);
    }
    v.to_string()
}

#[test]
fn a_saved_bundle_holds_no_env_value_of_the_pod_or_the_deployment() {
    let (seed, mut routes) = seed_routes_without_prometheus();
    let (pod_value, dep_value) = ("pod-env-hunter2-5f1c", "adapter-env-hunter2-9a7d");
    let pod = with_env(
        body(&seed, "pod"),
        "/spec/containers",
        pod_value,
        "pod-db-creds",
    );
    let dep = with_env(
        body(&seed, "backend_deployment"),
        "/spec/template/spec/containers",
        dep_value,
        "adapter-creds",
    );
    routes.insert(request(&seed, "pod"), Route::Json(200, pod));
    routes.insert(request(&seed, "backend_deployment"), Route::Json(200, dep));
    let live = start(routes, None);
    let saved = live.dir.path().join("b.json");
    let (code, out, err) = live.run(&[
        "csi/blockvol-fs-1",
        "--save-bundle",
        saved.to_str().unwrap(),
        "-o",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&saved).unwrap();
    for secret in [pod_value, dep_value] {
        assert!(
            !text.contains(secret),
            "env value {secret} is in the bundle"
        );
        assert!(!out.contains(secret), "env value {secret} is in the report");
    }
    let b: Value = serde_json::from_str(&text).unwrap();
    for (src, secret_name) in [
        ("pod", "pod-db-creds"),
        ("backend_deployment", "adapter-creds"),
    ] {
        let stored = body(&b, src);
        for kept in [
            "DB_PASSWORD",
            "LOG_LEVEL",
            "API_TOKEN",
            secret_name,
            "secretKeyRef",
        ] {
            assert!(stored.contains(kept), "{src}: {kept} lost: {stored}");
        }
        assert_eq!(
            b["sources"][src]["outcome"]["filter"],
            "env values, credential-like args and last-applied-configuration redacted by ktrace",
            "{src}"
        );
    }
    // Node name and uid were read before redaction: the kubelet was still asked, and filtered.
    assert_eq!(
        body(&b, "kubelet_cadvisor"),
        body(&seed, "kubelet_cadvisor")
    );
    let (code, replayed, err) = crate::support::replay_json(&saved, live.dir.path());
    assert_eq!(code, 0, "{err}");
    let live_report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(live_report["reconciliation"], replayed["reconciliation"]);
    assert_eq!(replayed["reconciliation"][1]["backend_bytes"], 88784896);
}

#[test]
fn live_only_flags_and_bad_timeouts_with_from_exit_2() {
    let seed =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bundles/seed-ocp48-crio-cgv1.json");
    let dir = tempfile::tempdir().unwrap();
    let from = ["pod", "csi/blockvol-fs-1", "--from", seed.to_str().unwrap()];
    let (code, out, err) = ktrace(
        &[&from[..], &["--request-timeout", "banana"]].concat(),
        dir.path(),
    );
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains("invalid --request-timeout \"banana\""),
        "{err}"
    );

    let saved = dir.path().join("b.json");
    let (code, out, err) = ktrace(
        &[&from[..], &["--save-bundle", saved.to_str().unwrap()]].concat(),
        dir.path(),
    );
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty() && !saved.exists());
    assert!(
        err.contains("the argument '--from <BUNDLE>' cannot be used with '--save-bundle <FILE>'"),
        "{err}"
    );

    let (code, _, err) = ktrace(
        &[&from[..], &["--request-timeout", "1000000h"]].concat(),
        dir.path(),
    );
    assert_eq!(code, 2, "too long a timeout is refused, not a panic: {err}");
    let (code, _, err) = ktrace(&[&from[..], &["-v"]].concat(), dir.path());
    assert_eq!(code, 0, "-v is not live-only: {err}");
}

mod compare;
mod cpu;
mod cpu_sample;
mod hardening;
mod node;
mod node_e2e;
