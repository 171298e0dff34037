//! `ktrace node` on the generated node bundle `node-datagen-1-35.json` (fixtures/make_bundles.py:
//! the real Node and Pod lists of minikube node `datagen-1-35`, the root and pod cgroups of
//! the same node's real cAdvisor dump, the kubelet's own node and pod numbers of the same
//! capture as NodeMetrics and PodMetrics): the worked numbers of cpu-node.md §D.3, the
//! generator's node filter against ktrace's, and the README's node example.

use std::path::PathBuf;

use serde_json::{Value, json};

use super::{fixture, run};
use crate::support::fixtures;
use crate::support::scenario::body;

const NODE: &str = "datagen-1-35";
const BUNDLE: &str = "node-datagen-1-35.json";

fn replay(format: &str) -> (i32, String) {
    let path = fixture(BUNDLE);
    let (code, out, err) = run(&[
        "node",
        NODE,
        "--from",
        path.to_str().unwrap(),
        "-o",
        format,
        "--color",
        "never",
    ]);
    assert!(err.is_empty(), "stderr: {err}");
    (code, out)
}

#[test]
fn the_node_bundle_replays_the_worked_describe_node_numbers() {
    let (code, md) = replay("markdown");
    assert_eq!(code, 0);
    // kubectl's cells byte for byte, tab-separated as kubectl hands them to its tabwriter.
    assert!(md.contains("\n  cpu\t1355m (9%)\t1005m (7%)\n"), "{md}");
    assert!(
        md.contains("\n  memory\t524045120 (6%)\t392973120 (4%)\n"),
        "{md}"
    );
    let (code, out) = replay("json");
    assert_eq!(code, 0);
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["summary"]["verdict"], "consistent");
    assert_eq!(r["summary"]["missing"], json!([]));
    // NodeMetrics: 573081903n and the root cgroup's 917110784 B; allocatable 14, 8024304Ki.
    assert_eq!(
        r["top"]["value"]["allocatable"]["cells"],
        json!([NODE, "574m", "4%", "874Mi", "11%"])
    );
    assert_eq!(r["describe"]["value"]["pods"].as_array().unwrap().len(), 18);
    let excluded: Vec<&str> = r["describe"]["value"]["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pod"].as_str().unwrap())
        .collect();
    assert!(
        excluded.is_empty(),
        "the served list is already filtered: {excluded:?}"
    );
    // Σ of the 17 pods' PodMetrics (the kubelet's /stats/summary numbers of the capture).
    assert_eq!(
        (
            r["cpu"]["usage"].as_i64(),
            r["cpu"]["pods_usage"].as_i64(),
            r["cpu"]["rest"].as_i64()
        ),
        (Some(574), Some(452), Some(122))
    );
    assert_eq!(
        (
            r["memory"]["usage"].as_i64(),
            r["memory"]["pods_usage"].as_i64()
        ),
        (Some(917110784), Some(523374592))
    );
    assert_eq!(r["memory"]["rest"].as_i64(), Some(917110784 - 523374592));
}

#[test]
fn the_generated_cadvisor_lines_are_what_ktraces_node_filter_keeps() {
    use ktrace::exposition::{NodeLineFilter, NodeLines};
    let dump = fixtures::realdata("cadvisor/nri-k8s-1.35-minikube-containerd2-cgv2.prom");
    let mut filter = NodeLineFilter::new(NodeLines::Cadvisor);
    let mut kept = Vec::new();
    // In chunks, as a body streams in.
    for chunk in dump.as_bytes().chunks(4096) {
        filter.push(chunk, &mut kept);
    }
    filter.finish(&mut kept);
    assert!(!filter.is_full());
    let b = fixtures::bundle(BUNDLE);
    assert_eq!(
        body(&b, "kubelet_cadvisor"),
        String::from_utf8(kept).unwrap()
    );
    let mut resource = NodeLineFilter::new(NodeLines::Resource);
    let mut kept = Vec::new();
    resource.push(body(&b, "kubelet_resource").as_bytes(), &mut kept);
    resource.finish(&mut kept);
    assert_eq!(
        body(&b, "kubelet_resource"),
        String::from_utf8(kept).unwrap(),
        "the derived /metrics/resource holds only node_* and pod_* lines"
    );
}

#[test]
fn the_readme_node_example_is_the_real_output() {
    let readme =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let marker = "$ cargo run --locked -- node datagen-1-35 --from target/tmp/ktrace-fixtures/node-datagen-1-35.json\n";
    let start = readme.find(marker).expect("README node example") + marker.len();
    let shown = &readme[start..start + readme[start..].find("```").unwrap()];
    let (_, out) = replay("text");
    assert_eq!(
        shown, out,
        "README.md's node example differs from what ktrace prints: update it"
    );
}

/// The node bundle with NodeMetrics `usage.memory` 1 KiB off its kubelet source (895615Ki
/// against node_memory_working_set_bytes 917110784 = 895616Ki) and the given timestamp.
fn edited_memory(timestamp: &str) -> PathBuf {
    let mut b: Value = serde_json::from_str(&fixtures::bundle_text(BUNDLE)).unwrap();
    let mut nm: Value = serde_json::from_str(body(&b, "node_metrics")).unwrap();
    nm["usage"]["memory"] = json!("895615Ki");
    nm["timestamp"] = json!(timestamp);
    b["sources"]["node_metrics"]["outcome"]["body"] = json!(nm.to_string());
    let path = std::env::temp_dir().join(format!(
        "ktrace-node-{timestamp}-{}.json",
        std::process::id()
    ));
    std::fs::write(&path, b.to_string()).unwrap();
    path
}

fn verdict_of(path: &std::path::Path) -> (i32, Value) {
    let (code, out, err) = run(&["node", NODE, "--from", path.to_str().unwrap(), "-o", "json"]);
    assert!(err.is_empty(), "stderr: {err}");
    (code, serde_json::from_str(&out).unwrap())
}

/// A NodeMetrics that is not its source's value is never all-clear: against a newer kubelet
/// reading (10:14:35.486 after NodeMetrics' 10:14:35) it is drift; against a reading no newer
/// than NodeMetrics (10:14:36) it is a disagreement, exit 4.
#[test]
fn nodemetrics_off_its_source_is_drift_or_disagreement_never_consistent() {
    let (code, r) = verdict_of(&edited_memory("2026-06-26T10:14:35Z"));
    assert_eq!(code, 0);
    assert_eq!(r["summary"]["verdict"], "drift");
    assert_eq!(r["backend"]["value"]["memory"]["status"], "drift");
    let (code, r) = verdict_of(&edited_memory("2026-06-26T10:14:36Z"));
    assert_eq!(code, 4);
    assert_eq!(r["summary"]["verdict"], "disagree");
    assert_eq!(r["backend"]["value"]["memory"]["status"], "differs");
    let codes: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"node-source-differs"), "{codes:?}");
}

/// A forbidden pods list is shown as missing with its reason and the command to fetch it by
/// hand once `list pods` is granted.
#[test]
fn a_missing_source_is_listed_with_its_reason_and_the_command_by_hand() {
    let mut b: Value = serde_json::from_str(&fixtures::bundle_text(BUNDLE)).unwrap();
    b["sources"]["pods"]["outcome"] = json!({"status": "failed", "http_status": 403,
        "error": "pods is forbidden", "needs": "list pods"});
    let path = std::env::temp_dir().join(format!("ktrace-node-403-{}.json", std::process::id()));
    std::fs::write(&path, b.to_string()).unwrap();
    let (code, out, err) = run(&["node", NODE, "--from", path.to_str().unwrap(), "-o", "json"]);
    assert_eq!(code, 3, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    let pods = r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "pods")
        .unwrap();
    assert_eq!(pods["ok"], false);
    assert_eq!(
        pods["status"],
        "HTTP 403: pods is forbidden (needs RBAC `list pods`)"
    );
    assert_eq!(
        pods["command"],
        "kubectl get --raw '/api/v1/pods?fieldSelector=spec.nodeName%3Ddatagen-1-35%2Cstatus.phase%21%3DSucceeded%2Cstatus.phase%21%3DFailed&limit=500'"
    );
}
