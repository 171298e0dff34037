//! `ktrace node NODE` end to end against the test API server, checked against real kubectl:
//! the REAL Node and Pod lists of minikube node `datagen-1-35` (nri-kubernetes testdata 1_35,
//! read in place), its real cAdvisor dump as the kubelet's `/metrics/cadvisor`, and the
//! Metrics API objects a backend would serve for them. Whatever ktrace predicts for
//! `kubectl top node` and `kubectl describe node` must be what real kubectl prints against
//! the same server, cell by cell.
//!
//! The test server does not evaluate field selectors: the pods route answers what an API
//! server answers to `describe node`'s selector (this node, not Succeeded or Failed; filtered
//! here with the selector's plain meaning), and the selector sent is checked.

mod adapter;
mod agree;

use serde_json::{Value, json};

use super::{Live, start};
use crate::node::{NODES_135, PODS_135, only_node, realdata_yaml};
use crate::support::apiserver::{Route, Routes};
use crate::support::{fixtures, ktrace, tools, url_decode};
use agree::{assert_describe_agrees, assert_top_agrees, kubectl, live_equals_replay, rest_by_hand};

const NODE: &str = "datagen-1-35";
const DUMP: &str = "cadvisor/nri-k8s-1.35-minikube-containerd2-cgv2.prom";
const SUMMARY: &str = "summary/nri-k8s-1.35-minikube-containerd2-cgv2-stats-summary.json";
const CADVISOR: &str = "/api/v1/nodes/datagen-1-35/proxy/metrics/cadvisor";
const RESOURCE: &str = "/api/v1/nodes/datagen-1-35/proxy/metrics/resource";
const SELECTOR: &str = "fieldSelector=spec.nodeName=datagen-1-35,status.phase!=Succeeded,status.phase!=Failed&limit=500";

/// The real node with reservations: capacity 16 CPUs and 8Gi, allocatable as captured
/// (14, 8024304Ki), so `--show-capacity` differs from the default row.
fn node_object() -> Value {
    let mut n = only_node(NODES_135);
    n["status"]["capacity"]["cpu"] = json!("16");
    n["status"]["capacity"]["memory"] = json!("8Gi");
    n
}

/// What the API server answers to kubectl's field selector: the node's pods that are not
/// Succeeded or Failed (18 of the list's 25).
fn served_pods() -> Value {
    let mut list = realdata_yaml(PODS_135);
    let items = list["items"].as_array().unwrap().iter().filter(|p| {
        let phase = p["status"]["phase"].as_str().unwrap_or("");
        p["spec"]["nodeName"] == NODE && phase != "Succeeded" && phase != "Failed"
    });
    list["items"] = Value::Array(items.cloned().collect());
    list["kind"] = json!("PodList");
    list["apiVersion"] = json!("v1");
    list["metadata"] = json!({"resourceVersion": "1"});
    list
}

/// A BinarySI byte count as the Metrics API writes it (apimachinery CanonicalizeBytes):
/// divided by 1024 while it divides evenly, with `Ki`/`Mi`/`Gi`; a plain integer otherwise.
fn binary_si(bytes: i64) -> String {
    let suffixes = ["", "Ki", "Mi", "Gi", "Ti"];
    let (mut n, mut i) = (bytes, 0);
    while n >= 1024 && n % 1024 == 0 && i + 1 < suffixes.len() {
        n /= 1024;
        i += 1;
    }
    format!("{n}{}", suffixes[i])
}

/// The value and timestamp of the root cgroup's (`id="/"`) `metric` line in the dump.
fn root_sample(dump: &str, metric: &str) -> (f64, i64) {
    let line = dump
        .lines()
        .find(|l| l.starts_with(&format!("{metric}{{")) && l.contains(r#"id="/","#))
        .unwrap_or_else(|| panic!("no root {metric} in the dump"));
    let mut words = line.rsplit(' ');
    let ts = words.next().unwrap().parse().unwrap();
    (words.next().unwrap().parse().unwrap(), ts)
}

/// `/metrics/resource` as the kubelet derives it from the same root cgroup (the dump has
/// no capture of it): the node's CPU counter and working set with their sample times, and
/// one container line the node filter must drop.
fn resource_body(dump: &str) -> String {
    let (cpu, ts) = root_sample(dump, "container_cpu_usage_seconds_total");
    let (ws, ws_ts) = root_sample(dump, "container_memory_working_set_bytes");
    format!(
        "# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds\n\
         # TYPE node_cpu_usage_seconds_total counter\nnode_cpu_usage_seconds_total {cpu} {ts}\n\
         # HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes\n\
         # TYPE node_memory_working_set_bytes gauge\nnode_memory_working_set_bytes {ws} {ws_ts}\n\
         container_cpu_usage_seconds_total{{container=\"etcd\",namespace=\"kube-system\",pod=\"etcd-datagen-1-35\"}} 1 {ts}\n"
    )
}

/// The PodMetricsList metrics-server would serve for the node's pods: each container's
/// usage from the same capture's kubelet `/stats/summary` (usageNanoCores, workingSetBytes),
/// plus a pod of another node that ktrace must not count.
fn pod_metrics_list() -> Value {
    let summary: Value = serde_json::from_str(&fixtures::realdata(SUMMARY)).unwrap();
    let mut items: Vec<Value> = summary["pods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let containers: Vec<Value> = p["containers"].as_array().unwrap().iter().map(|c| {
                json!({"name": c["name"], "usage": {
                    "cpu": format!("{}n", c["cpu"]["usageNanoCores"].as_i64().unwrap()),
                    "memory": binary_si(c["memory"]["workingSetBytes"].as_i64().unwrap())}})
            }).collect();
            json!({"metadata": {"name": p["podRef"]["name"], "namespace": p["podRef"]["namespace"]},
                "timestamp": "2026-06-26T10:14:35Z", "window": "1m0.002s", "containers": containers})
        })
        .collect();
    items.push(
        json!({"metadata": {"name": "elsewhere-0", "namespace": "scraper"},
        "timestamp": "2026-06-26T10:14:35Z", "window": "1m0.002s",
        "containers": [{"name": "x", "usage": {"cpu": "5", "memory": "1Gi"}}]}),
    );
    json!({"kind": "PodMetricsList", "apiVersion": "metrics.k8s.io/v1beta1", "metadata": {}, "items": items})
}

/// A NodeMetrics for the node.
fn node_metrics(cpu: &str, memory: &str, timestamp: &str, window: &str) -> Value {
    json!({"kind": "NodeMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
        "metadata": {"name": NODE, "creationTimestamp": timestamp},
        "timestamp": timestamp, "window": window, "usage": {"cpu": cpu, "memory": memory}})
}

/// Discovery for real kubectl (`describe` maps `node` to a resource; `top` finds the
/// Metrics API) and for ktrace (the Metrics API group).
fn discovery() -> Routes {
    let res = |name: &str, kind: &str, namespaced: bool| json!({"name": name, "singularName": "", "namespaced": namespaced, "kind": kind, "verbs": ["get", "list"]});
    let core = json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "v1", "resources": [
        res("nodes", "Node", false), res("pods", "Pod", true), res("events", "Event", true)]});
    let metrics = json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "metrics.k8s.io/v1beta1",
        "resources": [res("nodes", "NodeMetrics", false), res("pods", "PodMetrics", true)]});
    let group = json!({"kind": "APIGroup", "name": "metrics.k8s.io",
        "versions": [{"groupVersion": "metrics.k8s.io/v1beta1", "version": "v1beta1"}]});
    let events = json!({"kind": "EventList", "apiVersion": "v1", "metadata": {}, "items": []});
    Routes::new()
        .with("/api/v1", Route::json(&core))
        .with("/apis/metrics.k8s.io/v1beta1", Route::json(&metrics))
        .with("/apis/metrics.k8s.io", Route::json(&group))
        .with("/api/v1/events", Route::json(&events))
}

/// Everything but the backend: Node, pods, NodeMetrics, PodMetrics, the kubelet bodies.
fn node_routes(nm: &Value, pm: &Value) -> Routes {
    let dump = fixtures::realdata(DUMP);
    discovery()
        .with(format!("/api/v1/nodes/{NODE}"), Route::json(&node_object()))
        .with("/api/v1/pods", Route::json(&served_pods()))
        .with(
            format!("/apis/metrics.k8s.io/v1beta1/nodes/{NODE}"),
            Route::json(nm),
        )
        .with("/apis/metrics.k8s.io/v1beta1/pods", Route::json(pm))
        .with(
            RESOURCE,
            Route::text("text/plain; version=0.0.4", resource_body(&dump)),
        )
        .with(CADVISOR, Route::text("text/plain; version=0.0.4", dump))
}

/// metrics-server as the backend: its APIService and Deployment.
fn metrics_server_routes(routes: Routes) -> Routes {
    let apiservice = json!({"kind": "APIService", "metadata": {"name": "v1beta1.metrics.k8s.io"},
        "spec": {"service": {"namespace": "kube-system", "name": "metrics-server"}, "group": "metrics.k8s.io", "version": "v1beta1"}});
    let deployment = json!({"kind": "Deployment", "metadata": {"namespace": "kube-system", "name": "metrics-server"},
        "spec": {"template": {"spec": {"containers": [{"name": "metrics-server",
            "args": ["--cert-dir=/tmp", "--secure-port=4443", "--metric-resolution=60s", "--kubelet-insecure-tls"]}]}}}});
    routes
        .with(
            "/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.k8s.io",
            Route::json(&apiservice),
        )
        .with(
            "/apis/apps/v1/namespaces/kube-system/deployments/metrics-server",
            Route::json(&deployment),
        )
}

/// The NodeMetrics metrics-server serves for the dump: memory = the root cgroup's working
/// set, cpu = the kubelet's own rate for the node at that sample (`/stats/summary`
/// usageNanoCores; metrics-server's two-scrape rate needs a second counter reading the
/// capture does not have), timestamp = the sample time.
fn dump_node_metrics() -> Value {
    let summary: Value = serde_json::from_str(&fixtures::realdata(SUMMARY)).unwrap();
    let (ws, ts) = root_sample(
        &fixtures::realdata(DUMP),
        "container_memory_working_set_bytes",
    );
    assert_eq!(
        summary["node"]["memory"]["workingSetBytes"].as_f64(),
        Some(ws)
    );
    let stamp = jiff::Timestamp::from_millisecond(ts - ts % 1000)
        .unwrap()
        .to_string();
    let cpu = format!(
        "{}n",
        summary["node"]["cpu"]["usageNanoCores"].as_i64().unwrap()
    );
    node_metrics(&cpu, &binary_si(ws as i64), &stamp, "1m0.002s")
}

/// `ktrace node …` against `live`.
fn node(live: &Live, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["node", NODE];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--kubeconfig", live.kubeconfig.to_str().unwrap()]);
    ktrace(&args, live.dir.path())
}

#[test]
fn metrics_server_node_report_predicts_real_kubectl_and_replays() {
    let (nm, pm) = (dump_node_metrics(), pod_metrics_list());
    let live = start(metrics_server_routes(node_routes(&nm, &pm)), None);
    let (r, b) = live_equals_replay(&live);
    assert_eq!(r["summary"]["verdict"], "consistent", "{:#}", r["summary"]);
    assert_eq!(r["summary"]["missing"], json!([]));
    // kubectl describe's selector, sent as kubectl sends it.
    let sent = live.server.requests_to("/api/v1/pods");
    assert_eq!(
        url_decode(&sent[0].path_and_query),
        format!("/api/v1/pods?{SELECTOR}")
    );
    // The numbers of cpu-node.md §D.3, and the row the NodeMetrics gives.
    let alloc = &r["describe"]["value"]["allocated"];
    assert_eq!(
        alloc[0]["cells"],
        json!(["cpu", "1355m (9%)", "1005m (7%)"])
    );
    assert_eq!(
        alloc[1]["cells"],
        json!(["memory", "524045120 (6%)", "392973120 (4%)"])
    );
    assert_eq!(
        r["top"]["value"]["allocatable"]["cells"],
        json!([NODE, "574m", "4%", "874Mi", "11%"])
    );
    assert_eq!(
        r["top"]["value"]["capacity"]["cells"],
        json!([NODE, "574m", "3%", "874Mi", "10%"])
    );
    // usage − Σ pods, by hand from what was served.
    let (cpu_rest, mem_rest) = rest_by_hand(&nm, &pm, &served_pods());
    assert_eq!(r["cpu"]["rest"].as_i64(), Some(cpu_rest as i64));
    assert_eq!(r["memory"]["rest"].as_i64(), Some(mem_rest as i64));
    assert_eq!(
        (
            r["cpu"]["pods_with_usage"].as_u64(),
            r["cpu"]["pods"].as_array().unwrap().len()
        ),
        (Some(17), 18)
    );
    let rest = r["summary"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "rest")
        .unwrap();
    assert!(
        rest["text"]
            .as_str()
            .unwrap()
            .starts_with("the 17 of 18 pods with PodMetrics use"),
        "{rest}"
    );
    // The source value behind NodeMetrics: the kubelet's root-cgroup working set, exactly.
    let memory = &r["backend"]["value"]["memory"];
    assert_eq!(memory["status"], "exact", "{:#}", r["backend"]);
    eprintln!("metrics-server source: {memory}");
    // The evidence behind NodeMetrics is in the bundle: the root cgroup's working set.
    let cadvisor = b["sources"]["kubelet_cadvisor"]["outcome"]["body"]
        .as_str()
        .unwrap();
    assert!(cadvisor.contains(r#"container_memory_working_set_bytes{container="",id="/",image="",name="",namespace="",pod=""} 9.17110784e+08 1782468875486"#));
    assert!(
        !cadvisor.contains("kubepods-besteffort.slice "),
        "QoS cgroups are dropped"
    );
    if tools::kubectl().is_none() {
        return;
    }
    assert_top_agrees(&live, &r);
    assert_describe_agrees(&live, &r);
}

#[test]
fn a_forbidden_cluster_pod_list_leaves_top_node_standing_and_names_list_pods() {
    let (nm, pm) = (dump_node_metrics(), pod_metrics_list());
    let msg = r#"pods is forbidden: User "dev" cannot list resource "pods" in API group "" at the cluster scope"#;
    let routes = metrics_server_routes(node_routes(&nm, &pm))
        .with("/api/v1/pods", Route::status(403, "Forbidden", msg));
    let live = start(routes, None);
    let (code, out, err) = node(&live, &["-o", "json"]);
    assert_eq!(code, 3, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["summary"]["verdict"], "partial");
    assert_eq!(
        r["summary"]["missing"][0], "list pods at cluster scope (HTTP 403)",
        "{:#}",
        r["summary"]
    );
    assert_eq!(
        r["top"]["value"]["allocatable"]["cells"],
        json!([NODE, "574m", "4%", "874Mi", "11%"])
    );
    assert_eq!(r["describe"]["status"], "missing");
    assert_eq!(r["cpu"]["rest"], Value::Null);
    let (code, text, _) = node(&live, &["--color", "never"]);
    assert_eq!(code, 3);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("list pods at cluster scope (HTTP 403)"),
        "{text}"
    );
    assert!(
        flat.contains("needs `list pods` at cluster scope"),
        "{text}"
    );
    if tools::kubectl().is_none() {
        return;
    }
    assert_top_agrees(&live, &r);
    // Real kubectl degrades the same way: the node is described, its pods are not.
    let out = kubectl(&live, &["describe", "node", NODE]);
    assert!(
        out.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["Pods:", "not", "authorized"]),
        "{out}"
    );
}
