//! Real kubectl against the test API server: `describe node` and `top node` print exactly
//! the cells ktrace predicts, for a real node whose capacity and allocatable differ.

use std::path::{Path, PathBuf};

use ktrace::node::KubectlRules;
use ktrace::node::describe::{self, DescribeNode};
use ktrace::node::top::{self, Basis};
use serde_json::{Value, json};

use super::{NODES_135, PODS_135, only_node, realdata_yaml};
use crate::support::apiserver::{Route, Routes, ServerOptions, TestApiServer};
use crate::support::tools;
use crate::support::{kubectl_cells as cells, kubectl_section as section};

const NODE: &str = "datagen-1-35";

/// The real node with reservations: capacity 16 CPUs and 8Gi, allocatable as captured.
fn node() -> Value {
    let mut n = only_node(NODES_135);
    n["status"]["capacity"]["cpu"] = json!("16");
    n["status"]["capacity"]["memory"] = json!("8Gi");
    n
}

/// What the API server answers to kubectl's field selector: this node, not terminated
/// (filtered here with the selector's plain meaning, independent of ktrace's filter).
fn served_pods() -> Value {
    let mut list = realdata_yaml(PODS_135);
    let items = list["items"].as_array().unwrap().iter().filter(|p| {
        let phase = p["status"]["phase"].as_str().unwrap_or("");
        p["spec"]["nodeName"] == NODE && phase != "Succeeded" && phase != "Failed"
    });
    list["items"] = Value::Array(items.cloned().collect());
    list["kind"] = json!("PodList");
    list["metadata"] = json!({"resourceVersion": "1"});
    list
}

fn node_metrics(cpu: &str, memory: &str) -> Value {
    json!({"kind": "NodeMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
        "metadata": {"name": NODE, "creationTimestamp": "2026-12-01T00:00:00Z"},
        "timestamp": "2026-12-01T00:00:00Z", "window": "20.05s",
        "usage": {"cpu": cpu, "memory": memory}})
}

/// Discovery for `kubectl describe node` (it maps the `node` argument to a resource).
fn core_resources() -> Value {
    let res = |name: &str, kind: &str, namespaced: bool| {
        json!({"name": name, "singularName": "", "namespaced": namespaced, "kind": kind,
            "verbs": ["get", "list"]})
    };
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "v1", "resources": [
        res("nodes", "Node", false), res("pods", "Pod", true), res("events", "Event", true)]})
}

fn metrics_resources() -> Value {
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "metrics.k8s.io/v1beta1",
        "resources": [{"name": "nodes", "singularName": "", "namespaced": false, "kind": "NodeMetrics",
            "verbs": ["get", "list"]}]})
}

fn server(metrics: &Value) -> (TestApiServer, tempfile::TempDir, PathBuf) {
    let events = json!({"kind": "EventList", "apiVersion": "v1", "metadata": {}, "items": []});
    let routes = Routes::new()
        .with("/api/v1", Route::json(&core_resources()))
        .with(
            "/apis/metrics.k8s.io/v1beta1",
            Route::json(&metrics_resources()),
        )
        .with(format!("/api/v1/nodes/{NODE}"), Route::json(&node()))
        .with("/api/v1/pods", Route::json(&served_pods()))
        .with("/api/v1/events", Route::json(&events))
        .with(
            format!("/apis/metrics.k8s.io/v1beta1/nodes/{NODE}"),
            Route::json(metrics),
        );
    let server = TestApiServer::start(routes, ServerOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = server.write_kubeconfig(dir.path(), None);
    (server, dir, kubeconfig)
}

fn kubectl(kubeconfig: &Path, args: &[&str]) -> String {
    let (code, out, err) = tools::run_kubectl(kubeconfig, args);
    assert_eq!(code, 0, "kubectl {args:?}: {err}");
    out
}

fn nonempty(cells: &[String]) -> Vec<String> {
    cells.iter().filter(|c| !c.is_empty()).cloned().collect()
}

fn predicted() -> DescribeNode {
    let rules = KubectlRules::from_git_version("v1.32.4").unwrap();
    describe::predict(&node(), &realdata_yaml(PODS_135), rules, None).unwrap()
}

#[test]
fn describe_node_prints_the_predicted_allocated_resources_and_pod_rows() {
    let (server, _dir, kubeconfig) = server(&node_metrics("1m", "1Mi"));
    let out = kubectl(&kubeconfig, &["describe", "node", NODE]);
    // kubectl asks the server to do the filtering that ktrace redoes on any list.
    let listed = server.requests_to("/api/v1/pods");
    let query = crate::support::url_decode(&listed[0].path_and_query);
    assert!(
        query.contains(
            "fieldSelector=spec.nodeName=datagen-1-35,status.phase!=Succeeded,status.phase!=Failed"
        ),
        "{query}"
    );
    let d = predicted();
    let pods = section(&out, "Non-terminated Pods:");
    assert_eq!(cells(pods[0]), d.pods_header, "{out}");
    assert_eq!(pods.len(), 3 + d.pods.len(), "{out}");
    for (line, row) in pods[3..].iter().zip(&d.pods) {
        let mut got = cells(line);
        got.pop(); // Age: kubectl's clock, not ours.
        assert_eq!(got, nonempty(&row.cells), "{line}");
    }
    let alloc = section(&out, "Allocated resources:");
    assert_eq!(
        alloc[1].trim(),
        "(Total limits may be over 100 percent, i.e., overcommitted.)"
    );
    let rows: Vec<Vec<String>> = alloc[4..].iter().map(|l| cells(l)).collect();
    let want: Vec<Vec<String>> = d.allocated.iter().map(|r| r.cells.clone()).collect();
    assert_eq!(rows, want, "{out}");
    assert_eq!(rows[0], ["cpu", "1355m (9%)", "1005m (7%)"]);
    assert_eq!(rows[1], ["memory", "524045120 (6%)", "392973120 (4%)"]);
}

fn top_cells(kubeconfig: &Path, extra: &[&str]) -> (Vec<String>, Vec<String>) {
    let mut args = vec!["top", "node", NODE];
    args.extend_from_slice(extra);
    let out = kubectl(kubeconfig, &args);
    let table = crate::support::table(&out);
    assert_eq!(table.len(), 2, "{out}");
    (table[0].clone(), table[1].clone())
}

#[test]
fn top_node_prints_the_predicted_row_for_allocatable_and_capacity() {
    // Memory above allocatable (8024304Ki) but below capacity (8Gi): MEMORY(%) over 100.
    for (cpu, memory) in [("1234567890n", "2000000Ki"), ("13999999999n", "8100000Ki")] {
        let m = node_metrics(cpu, memory);
        let (_server, _dir, kubeconfig) = server(&m);
        for (basis, extra) in [
            (Basis::Allocatable, &[][..]),
            (Basis::Capacity, &["--show-capacity"][..]),
        ] {
            let want = top::predict(Some(&m), Some(&node()), NODE, basis).unwrap();
            let (header, row) = top_cells(&kubeconfig, extra);
            assert_eq!(header, want.header);
            assert_eq!(row, want.cells, "{cpu} {memory} {basis:?}");
        }
    }
    let m = node_metrics("13999999999n", "8100000Ki");
    let over = top::predict(Some(&m), Some(&node()), NODE, Basis::Allocatable).unwrap();
    assert_eq!(over.cells, [NODE, "14000m", "100%", "7910Mi", "100%"]);
    let m = node_metrics("1234567890n", "8200000Ki");
    let (_server, _dir, kubeconfig) = server(&m);
    let (_, row) = top_cells(&kubeconfig, &[]);
    assert_eq!(row, [NODE, "1235m", "8%", "8007Mi", "102%"]);
    assert_eq!(
        row,
        top::predict(Some(&m), Some(&node()), NODE, Basis::Allocatable)
            .unwrap()
            .cells
    );
}
