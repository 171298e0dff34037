use super::*;
use crate::node::KubectlRules;
use crate::node::model::{NodeInputs, Unavailable, analyze};
use serde_json::{Value, json};

/// Builds the small node of these tests: 4 CPUs / 4Gi, allocatable 3500m / 3Gi, two pods.
pub(super) struct Fixture {
    pub node: Value,
    pub pods: Value,
    pub metrics: Value,
    pub pod_metrics: Value,
}

pub(super) fn fixture(node: &str, pod: &str) -> Fixture {
    let mk = |name: &str, cpu: &str, mem: &str| {
        json!({"metadata": {"namespace": "ns", "name": name, "creationTimestamp": "2026-01-01T00:00:00Z"},
        "spec": {"nodeName": node, "containers": [{"name": "c", "resources": {
            "requests": {"cpu": cpu, "memory": mem}, "limits": {"memory": mem}}}]},
        "status": {"phase": "Running"}})
    };
    let pm = |name: &str, cpu: &str, mem: &str| {
        json!({"metadata": {"namespace": "ns", "name": name},
        "containers": [{"name": "c", "usage": {"cpu": cpu, "memory": mem}}]})
    };
    Fixture {
        node: json!({"metadata": {"name": node}, "status": {
            "capacity": {"cpu": "4", "memory": "4Gi"},
            "allocatable": {"cpu": "3500m", "memory": "3Gi"}}}),
        pods: json!({"items": [mk("big", "1", "1Gi"), mk(pod, "100m", "64Mi")]}),
        metrics: json!({"metadata": {"name": node},
            "usage": {"cpu": "1200000000n", "memory": "3500Mi"}}),
        pod_metrics: json!({"items": [pm("big", "50m", "100Mi"), pm(pod, "400m", "60Mi")]}),
    }
}

/// The report with every source, or with the pods forbidden and no NodeMetrics.
pub(super) fn report(f: &Fixture, node: &str, degraded: bool) -> NodeReport {
    let inputs = NodeInputs {
        node_name: node,
        node: Ok(&f.node),
        pods: if degraded {
            Err(Unavailable {
                status: Some(403),
                reason: "pods is forbidden: User \"u\" cannot list resource \"pods\"".into(),
            })
        } else {
            Ok(&f.pods)
        },
        node_metrics: if degraded {
            Err(Unavailable {
                status: Some(404),
                reason: format!("nodemetrics \"{node}\" not found"),
            })
        } else {
            Ok(&f.metrics)
        },
        pod_metrics: (!degraded).then_some(Ok(&f.pod_metrics)),
        rules: KubectlRules::V1_33,
        now_ns: Some(1_767_312_000_000_000_000),
        backend: Default::default(),
    };
    analyze(&inputs)
}

pub(super) fn plain_report(degraded: bool) -> NodeReport {
    report(&fixture("n", "small"), "n", degraded)
}

#[test]
fn the_side_by_side_grid_holds_every_quantity_with_describe_and_top_percentages() {
    let r = plain_report(false);
    let g = side_grid(&r);
    let rows: Vec<String> = g.iter().map(|r| r.join(" | ")).collect();
    assert_eq!(
        rows,
        [
            " | cpu | memory",
            "capacity | 4000m | 4.0Gi",
            "allocatable | 3500m | 3.0Gi",
            "reserved (capacity − allocatable) | 500m | 1.0Gi",
            "Σ requests (describe node) | 1100m (31%) | 1.1Gi (35%)",
            "Σ limits (describe node) | 0m (0%) | 1.1Gi (35%)",
            "usage (top node) | 1200m (34%) | 3.4Gi (113%)",
            "Σ pods' usage (PodMetrics) | 450m (2 pods) | 160.0Mi (2 pods)",
            "rest (usage − Σ pods) | 750m | 3.3Gi",
        ]
    );
    assert_eq!(
        side_arithmetic(&r),
        [
            "cpu: reserved = capacity 4000m − allocatable 3500m = 500m (system-reserved, kube-reserved, \
             eviction threshold)",
            "cpu: rest = usage 1200m − Σ of 2 pods 450m = 750m",
            "memory: reserved = capacity 4294967296 − allocatable 3221225472 = 1073741824 bytes \
             (1.0Gi) (system-reserved, kube-reserved, eviction threshold)",
            "memory: rest = usage 3670016000 − Σ of 2 pods 167772160 = 3502243840 bytes (3.3Gi)",
        ]
    );
    let pods = pod_grid(&r.cpu);
    assert_eq!(pods[1], ["ns/small", "100m", "none", "400m", "4.00×"]);
    assert_eq!(pods[2], ["ns/big", "1000m", "none", "50m", "0.05×"]);
}

#[test]
fn the_verdict_names_the_missing_sources_and_its_exit_code() {
    assert_eq!(
        verdict_sentence(&plain_report(false).summary),
        "consistent · exit 0: every source was read; the two commands measure different things, \
         side by side below"
    );
    let r = plain_report(true);
    assert_eq!(
        verdict_sentence(&r.summary),
        "partial · exit 3: some sources are missing: list pods at cluster scope (HTTP 403), \
         NodeMetrics (HTTP 404), PodMetrics (not collected); the report shows what is there \
         (see the findings below)"
    );
    let g = side_grid(&r);
    assert_eq!(g[4], ["Σ requests (describe node)", "unknown", "unknown"]);
    assert_eq!(g[6], ["usage (top node)", "unknown", "unknown"]);
    assert_eq!(g[2], ["allocatable", "3500m", "3.0Gi"]);
}

#[test]
fn json_is_the_report_with_unsafe_characters_escaped_and_parses_back() {
    let evil = "n\u{1b}[2J\u{9b}\u{202e}";
    let r = report(&fixture(evil, "small"), evil, false);
    let mut out = Vec::new();
    write_json(&r, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    for c in ['\u{1b}', '\u{9b}', '\u{202e}'] {
        assert!(!text.contains(c), "{c:?} passed raw");
    }
    assert!(
        text.contains("\"node\": \"n\\u001b[2J\\u009b\\u202e\""),
        "{text}"
    );
    let back: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(back, serde_json::to_value(&r).unwrap());
    assert_eq!(back["summary"]["verdict"], "consistent");
    assert_eq!(back["summary"]["lines"][0]["kind"], "top");
    assert_eq!(back["cpu"]["rest"], 750);
}
