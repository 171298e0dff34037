//! `ktrace node NODE` live against the test API server: what is fetched and stored (the
//! evidence side; the report is the lead's), replay, RBAC degradation, a missing node, and
//! the prometheus-adapter node queries as sent.
//!
//! The test server does not evaluate field selectors: the pods route answers what the API
//! server would for `describe node`'s selector (the Failed pod left out), and the tests
//! check that the selector was sent exactly as real kubectl sends it.

use serde_json::{Value, json};

use super::{Live, start};
use crate::support::apiserver::{Route, Routes};
use crate::support::faults::PlainHttpRecorder;
use crate::support::scenario::{body, bundle, request};
use crate::support::{fixtures, ktrace, query_param, tools};

const NODE: &str = "worker-1";
const CADVISOR: &str = "/api/v1/nodes/worker-1/proxy/metrics/cadvisor";
const RESOURCE: &str = "/api/v1/nodes/worker-1/proxy/metrics/resource";
const PODS_QUERY: &str = "fieldSelector=spec.nodeName%3Dworker-1%2Cstatus.phase%21%3DSucceeded%2Cstatus.phase%21%3DFailed&limit=500";

fn pod(ns: &str, name: &str, phase: &str) -> Value {
    json!({"metadata": {"namespace": ns, "name": name, "uid": format!("uid-{name}")},
        "spec": {"nodeName": NODE, "containers": [{"name": "app",
            "env": [{"name": "PASSWORD", "value": "hunter2"}],
            "resources": {"requests": {"cpu": "100m", "memory": "5M"}}}]},
        "status": {"phase": phase}})
}

fn pod_metrics(ns: &str, name: &str) -> Value {
    json!({"metadata": {"namespace": ns, "name": name}, "timestamp": "2026-01-02T03:04:05Z",
        "window": "10s", "containers": [{"name": "app", "usage": {"cpu": "1m", "memory": "1Mi"}}]})
}

const ROOT_CPU: &str = r#"container_cpu_usage_seconds_total{container="",cpu="total",id="/",image="",name="",namespace="",pod=""} 30704.99 1767323040000"#;
const POD_CPU: &str = r#"container_cpu_usage_seconds_total{container="",cpu="total",id="/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poduid_a.slice",image="",name="",namespace="csi",pod="a-0"} 12.5 1767323040000"#;
const APP_CPU: &str = r#"container_cpu_usage_seconds_total{container="app",cpu="total",id="/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poduid_a.slice/crio-1.scope",image="x",name="k8s_app",namespace="csi",pod="a-0"} 12 1767323040000"#;
const QOS_CPU: &str = r#"container_cpu_usage_seconds_total{container="",cpu="total",id="/kubepods.slice",image="",name="",namespace="",pod=""} 100 1767323040000"#;
const HELP: &str = "# HELP container_cpu_usage_seconds_total Cumulative cpu time consumed in seconds.\n# TYPE container_cpu_usage_seconds_total counter";

fn node_routes() -> Routes {
    let node = json!({"kind": "Node", "metadata": {"name": NODE},
        "status": {"capacity": {"cpu": "4", "memory": "16393524Ki", "pods": "250"},
                   "allocatable": {"cpu": "3500m", "memory": "15242548Ki", "pods": "250"}}});
    let pods = json!({"kind": "PodList", "metadata": {"resourceVersion": "7"},
        "items": [pod("csi", "a-0", "Running"), pod("kube-system", "b-0", "Pending")]});
    let pod_metrics = json!({"kind": "PodMetricsList", "items": [
        pod_metrics("csi", "a-0"), pod_metrics("csi", "on-another-node"), pod_metrics("kube-system", "b-0")]});
    let node_metrics = json!({"kind": "NodeMetrics", "metadata": {"name": NODE},
        "timestamp": "2026-01-02T03:04:05Z", "window": "20.05s",
        "usage": {"cpu": "250m", "memory": "2Gi"}});
    let cadvisor = format!("{HELP}\n{ROOT_CPU}\n{QOS_CPU}\n{POD_CPU}\n{APP_CPU}\n");
    let resource = "node_cpu_usage_seconds_total 357.35 1767323040000\ncontainer_cpu_usage_seconds_total{container=\"app\",namespace=\"csi\",pod=\"a-0\"} 1.5 1767323040000\npod_cpu_usage_seconds_total{namespace=\"csi\",pod=\"a-0\"} 1.6 1767323040000\n";
    let apiservice = json!({"kind": "APIService", "spec": {"service": {"namespace": "kube-system", "name": "metrics-server"}}});
    let deployment = json!({"kind": "Deployment", "metadata": {"namespace": "kube-system", "name": "metrics-server"},
        "spec": {"template": {"spec": {"containers": [{"name": "metrics-server", "args": ["--metric-resolution=15s"]}]}}}});
    // Discovery, for real kubectl describe to resolve `node`.
    let core = json!({"kind": "APIResourceList", "groupVersion": "v1", "resources": [
        {"name": "nodes", "singularName": "node", "namespaced": false, "kind": "Node", "verbs": ["get", "list"], "shortNames": ["no"]},
        {"name": "pods", "singularName": "pod", "namespaced": true, "kind": "Pod", "verbs": ["get", "list"], "shortNames": ["po"]}]});
    Routes::new()
        .with("/api/v1", Route::json(&core))
        .with(format!("/api/v1/nodes/{NODE}"), Route::json(&node))
        .with("/api/v1/pods", Route::json(&pods))
        .with(
            "/apis/metrics.k8s.io",
            Route::json(&json!({"kind": "APIGroup", "name": "metrics.k8s.io",
            "versions": [{"groupVersion": "metrics.k8s.io/v1beta1", "version": "v1beta1"}]})),
        )
        .with(
            format!("/apis/metrics.k8s.io/v1beta1/nodes/{NODE}"),
            Route::json(&node_metrics),
        )
        .with(
            "/apis/metrics.k8s.io/v1beta1/pods",
            Route::json(&pod_metrics),
        )
        .with(CADVISOR, Route::text("text/plain; version=0.0.4", cadvisor))
        .with(RESOURCE, Route::text("text/plain; version=0.0.4", resource))
        .with(
            "/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.k8s.io",
            Route::json(&apiservice),
        )
        .with(
            "/apis/apps/v1/namespaces/kube-system/deployments/metrics-server",
            Route::json(&deployment),
        )
}

impl Live {
    fn node(&self, extra: &[&str]) -> (i32, String, String) {
        let mut args = vec!["node"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--kubeconfig", self.kubeconfig.to_str().unwrap()]);
        ktrace(&args, self.dir.path())
    }
}

fn source<'a>(b: &'a Value, name: &str) -> &'a Value {
    &b["sources"][name]
}

#[test]
fn node_evidence_holds_what_top_and_describe_node_read_and_replays() {
    let live = start(node_routes(), None);
    let saved = live.dir.path().join("node.json");
    let (code, out, err) =
        live.node(&[NODE, "--save-bundle", saved.to_str().unwrap(), "-o", "json"]);
    assert_eq!(code, 0, "{err}");
    let b: Value = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    // The report: kubectl's `top node` and `describe node` cells, and use outside the pods.
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        r["top"]["value"]["allocatable"]["cells"],
        json!(["worker-1", "250m", "7%", "2048Mi", "13%"])
    );
    assert_eq!(
        r["top"]["value"]["capacity"]["cells"],
        json!(["worker-1", "250m", "6%", "2048Mi", "12%"])
    );
    assert_eq!(
        r["describe"]["value"]["allocated"][0]["cells"],
        json!(["cpu", "200m (5%)", "0 (0%)"])
    );
    assert_eq!(
        r["describe"]["value"]["allocated"][1]["cells"],
        json!(["memory", "10M (0%)", "0 (0%)"])
    );
    assert_eq!(
        (r["cpu"]["usage"].as_i64(), r["cpu"]["rest"].as_i64()),
        (Some(250), Some(248))
    );
    assert_eq!(r["summary"]["verdict"], "consistent");
    assert_eq!(b["kind"], "node");
    assert_eq!(b["target"], json!({"name": NODE}));

    let pods = live.server.requests_to("/api/v1/pods");
    assert_eq!(pods.len(), 1);
    assert_eq!(pods[0].path_and_query, format!("/api/v1/pods?{PODS_QUERY}"));
    assert_eq!(request(&b, "pods"), format!("/api/v1/pods?{PODS_QUERY}"));
    let stored_pods: Value = serde_json::from_str(body(&b, "pods")).unwrap();
    let names: Vec<&str> = stored_pods["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a-0", "b-0"]);
    assert!(
        !body(&b, "pods").contains("hunter2"),
        "env values are redacted"
    );

    let pm: Value = serde_json::from_str(body(&b, "pod_metrics")).unwrap();
    let kept: Vec<&str> = pm["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(kept, ["a-0", "b-0"]);
    assert_eq!(
        source(&b, "pod_metrics")["outcome"]["filter"],
        "the items of the 2 pods listed on node worker-1: kept 2 of 3"
    );
    assert_eq!(
        request(&b, "node_metrics"),
        "/apis/metrics.k8s.io/v1beta1/nodes/worker-1"
    );
    assert_eq!(request(&b, "node"), "/api/v1/nodes/worker-1");

    assert_eq!(
        body(&b, "kubelet_cadvisor"),
        format!("{HELP}\n{ROOT_CPU}\n{POD_CPU}\n")
    );
    assert_eq!(
        body(&b, "kubelet_resource"),
        "node_cpu_usage_seconds_total 357.35 1767323040000\npod_cpu_usage_seconds_total{namespace=\"csi\",pod=\"a-0\"} 1.6 1767323040000\n"
    );
    assert_eq!(
        b["sources"]["prometheus"],
        Value::Null,
        "metrics-server: no queries"
    );

    let (code, replay, err) = ktrace(
        &[
            "node",
            NODE,
            "--from",
            saved.to_str().unwrap(),
            "-o",
            "json",
        ],
        live.dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(replay, out, "live and replay differ");
    let (code, _, err) = ktrace(
        &["pod", "csi/a-0", "--from", saved.to_str().unwrap()],
        live.dir.path(),
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("this is a node bundle, not a pod bundle"),
        "{err}"
    );

    // Real kubectl lists the node's pods with the same request.
    if tools::kubectl().is_some() {
        let before = live.server.requests_to("/api/v1/pods").len();
        let (code, out, err) = tools::run_kubectl(&live.kubeconfig, &["describe", "node", NODE]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("Allocated resources:"), "{out}");
        let sent = live.server.requests_to("/api/v1/pods");
        assert_eq!(
            sent.len(),
            before + 1,
            "kubectl describe node lists pods once"
        );
        assert_eq!(sent[before].path_and_query, pods[0].path_and_query);
    }
}

#[test]
fn a_forbidden_pod_list_is_stored_with_its_rbac_verb_and_the_trace_completes() {
    let routes = node_routes().with("/api/v1/pods", Route::status(403, "Forbidden",
        "pods is forbidden: User \"dev\" cannot list resource \"pods\" in API group \"\" at the cluster scope"));
    let live = start(routes, None);
    let saved = live.dir.path().join("node.json");
    let (code, out, err) =
        live.node(&[NODE, "-o", "json", "--save-bundle", saved.to_str().unwrap()]);
    // The report stands (top node, the side-by-side without pods) and is partial.
    assert_eq!(code, 3, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["summary"]["verdict"], "partial");
    assert_eq!(
        r["top"]["value"]["allocatable"]["cells"],
        json!(["worker-1", "250m", "7%", "2048Mi", "13%"])
    );
    let b: Value = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    let outcome = &source(&b, "pods")["outcome"];
    assert_eq!(outcome["status"], "failed");
    assert_eq!(outcome["http_status"], 403);
    assert_eq!(outcome["needs"], "list pods");
    assert_eq!(
        source(&b, "pod_metrics")["outcome"]["status"],
        "not_collected"
    );
    assert_eq!(source(&b, "node_metrics")["outcome"]["status"], "ok");
    let (code, text, _) = live.node(&[NODE, "--color", "never"]);
    assert_eq!(code, 3);
    assert!(text.contains("list pods"), "{text}");
}

#[test]
fn a_missing_node_ends_the_trace_as_kubectl_does() {
    let live = start(Routes::new(), None);
    let (code, out, err) = live.node(&["x", "-o", "json"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.is_empty());
    assert!(
        err.contains("Error from server (NotFound): nodes \"x\" not found"),
        "{err}"
    );
}

#[test]
fn the_adapter_node_queries_are_sent_as_the_adapter_renders_them() {
    let seed = bundle("seed-ocp48-crio-cgv1.json");
    // The seed's ConfigMap keeps only the container queries; the real OpenShift 4.8
    // ConfigMap (same container queries) has the node queries.
    let yaml = fixtures::realdata(
        "adapter-config/openshift-cmo-release-4.8-prometheus-adapter-config-map.yaml",
    );
    let cm: Value = serde_saphyr::from_str(&yaml).unwrap();
    let prom = PlainHttpRecorder::start();
    let routes = node_routes()
        .with(
            request(&seed, "apiservice"),
            Route::Json(200, body(&seed, "apiservice").into()),
        )
        .with(
            request(&seed, "backend_deployment"),
            Route::Json(200, body(&seed, "backend_deployment").into()),
        )
        .with(request(&seed, "adapter_config"), Route::json(&cm))
        .with(
            "/api/v1/namespaces/openshift-monitoring/services/https:prometheus-k8s:9091/proxy/",
            Route::proxy(&prom.url()),
        );
    let live = start(routes, None);
    let saved = live.dir.path().join("node.json");
    let (code, out, err) =
        live.node(&[NODE, "-o", "json", "--save-bundle", saved.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}\n{out}");
    let b: Value = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    let memory = r#"sum(node_memory_MemTotal_bytes{job="node-exporter",instance="worker-1"} - node_memory_MemAvailable_bytes{job="node-exporter",instance="worker-1"}) by (instance) or sum(windows_cs_physical_memory_bytes{job="windows-exporter",instance="worker-1"} - windows_memory_available_bytes{job="windows-exporter",instance="worker-1"}) by (instance)"#;
    let cpu = r#"sum(1 - irate(node_cpu_seconds_total{mode="idle"}[5m]) * on(namespace, pod) group_left(node) node_namespace_pod:kube_pod_info:{node="worker-1"}) by (node) or sum (1- irate(windows_cpu_time_total{mode="idle", job="windows-exporter",node="worker-1"}[5m])) by (node)"#;
    let want = [
        ("node-memory", memory),
        ("node-cpu", cpu),
        (
            "node-cpu-samples",
            r#"node_cpu_seconds_total{mode="idle"}[5m]"#,
        ),
        (
            "node-meminfo",
            r#"{__name__=~"node_memory_MemTotal_bytes|node_memory_MemAvailable_bytes",instance="worker-1"}"#,
        ),
    ];
    let stored: Vec<(String, String)> = b["sources"]["prometheus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["purpose"].as_str().unwrap().into(),
                q["query"].as_str().unwrap().into(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(p, q)| (p.to_string(), q.to_string()))
        .collect();
    assert_eq!(stored, want);
    let mut sent: Vec<(String, Option<String>)> = prom
        .requests()
        .iter()
        .filter(|r| r.target.starts_with("/api/v1/query?"))
        .map(|r| {
            (
                query_param(&r.target, "query").unwrap(),
                query_param(&r.target, "time"),
            )
        })
        .collect();
    sent.sort();
    let mut expected: Vec<(String, Option<String>)> = want
        .iter()
        .map(|(_, q)| (q.clone(), Some("1767323045".to_string())))
        .collect();
    expected.sort();
    assert_eq!(
        sent, expected,
        "each planned query is sent once, at the NodeMetrics time"
    );
    assert!(
        prom.requests()
            .iter()
            .any(|r| r.target == "/api/v1/status/buildinfo")
    );
}
