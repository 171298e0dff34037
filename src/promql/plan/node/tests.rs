//! The node queries planned from the real-data corpus's adapter ConfigMaps (read in place),
//! checked against the rendered strings of cpu-node.md §B for node `worker-1`.

use std::path::PathBuf;

use super::*;
use crate::evidence::Outcome;
use crate::promql::tests::support::configmap_config_text;

const NODE: &str = "worker-1";

fn ok(body: String) -> Source {
    Source {
        outcome: Outcome::Ok {
            http_status: 200,
            body,
            filter: None,
        },
        ..Source::default()
    }
}

/// The ConfigMap of `file` in the corpus's `adapter-config/`, as the API server returns it.
fn corpus_configmap(file: &str) -> Source {
    let root = std::env::var_os("KTRACE_REALDATA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/realdata"),
        PathBuf::from,
    );
    let path = root.join("adapter-config").join(file);
    let yaml = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the real-data corpus is expected at {}: {e}",
            path.display()
        )
    });
    let (key, text) = configmap_config_text(&yaml).unwrap();
    let cm = serde_json::json!({
        "kind": "ConfigMap",
        "metadata": {"name": "adapter-config", "namespace": "monitoring"},
        "data": { key: text },
    });
    ok(cm.to_string())
}

fn node_metrics() -> Source {
    ok(r#"{"kind":"NodeMetrics","timestamp":"2026-01-02T03:04:05Z","window":"5m0s"}"#.into())
}

fn plan(config: &Source) -> QueryPlan {
    plan_node_queries(&NodePlanInput {
        config,
        deployment_args: &[],
        node: NODE,
        node_metrics: &node_metrics(),
    })
}

/// `(purpose, query)` of every runnable entry, in order, with the multi-line block scalars'
/// newlines and indentation collapsed to single spaces as cpu-node.md §B shows them.
fn runnable(p: &QueryPlan) -> Vec<(String, String)> {
    p.runnable()
        .map(|(purpose, q, _)| {
            let q = q.split_whitespace().collect::<Vec<_>>().join(" ");
            (purpose.to_string(), q)
        })
        .collect()
}

fn pairs(want: &[(&str, &str)]) -> Vec<(String, String)> {
    want.iter()
        .map(|(p, q)| (p.to_string(), q.to_string()))
        .collect()
}

const MEMINFO_Q: &str = r#"{__name__=~"node_memory_MemTotal_bytes|node_memory_MemAvailable_bytes",instance="worker-1"}"#;

#[test]
fn openshift_4_8_node_queries_use_node_for_cpu_and_instance_for_memory() {
    let p = plan(&corpus_configmap(
        "openshift-cmo-release-4.8-prometheus-adapter-config-map.yaml",
    ));
    let memory = r#"sum(node_memory_MemTotal_bytes{job="node-exporter",instance="worker-1"} - node_memory_MemAvailable_bytes{job="node-exporter",instance="worker-1"}) by (instance) or sum(windows_cs_physical_memory_bytes{job="windows-exporter",instance="worker-1"} - windows_memory_available_bytes{job="windows-exporter",instance="worker-1"}) by (instance)"#;
    let cpu = r#"sum(1 - irate(node_cpu_seconds_total{mode="idle"}[5m]) * on(namespace, pod) group_left(node) node_namespace_pod:kube_pod_info:{node="worker-1"}) by (node) or sum (1- irate(windows_cpu_time_total{mode="idle", job="windows-exporter",node="worker-1"}[5m])) by (node)"#;
    // The single-line strings are sent as they are: nothing to collapse.
    let sent: Vec<&str> = p.runnable().map(|(_, q, _)| q).collect();
    assert_eq!(sent[..2], [memory, cpu]);
    let want = [
        ("node-memory", memory),
        ("node-cpu", cpu),
        (
            "node-cpu-samples",
            r#"node_cpu_seconds_total{mode="idle"}[5m]"#,
        ),
        ("node-meminfo", MEMINFO_Q),
    ];
    assert_eq!(runnable(&p), pairs(&want));
    assert!(p.queries.iter().all(|q| q.time == Some(1_767_323_045)));
}

#[test]
fn kube_prometheus_main_node_queries_render_under_their_own_labels() {
    let p = plan(&corpus_configmap("kube-prometheus-main-configmap.yaml"));
    let memory = r#"sum by (instance) ( node_memory_MemTotal_bytes{job="node-exporter",instance="worker-1"} - node_memory_MemAvailable_bytes{job="node-exporter",instance="worker-1"} ) or sum by (instance) ( windows_cs_physical_memory_bytes{job="windows-exporter",instance="worker-1"} - windows_memory_available_bytes{job="windows-exporter",instance="worker-1"} )"#;
    let cpu = r#"sum by (node) ( 1 - irate( node_cpu_seconds_total{mode="idle"}[60s] ) * on(namespace, pod) group_left(node) ( node_namespace_pod:kube_pod_info:{node="worker-1"} ) ) or sum by (node) ( 1 - irate( windows_cpu_time_total{mode="idle", job="windows-exporter",node="worker-1"}[4m] ) )"#;
    let want = [
        ("node-memory", memory),
        ("node-cpu", cpu),
        (
            "node-cpu-samples",
            r#"node_cpu_seconds_total{mode="idle"}[60s]"#,
        ),
        ("node-meminfo", MEMINFO_Q),
    ];
    assert_eq!(runnable(&p), pairs(&want));
}

#[test]
fn upstream_node_queries_read_kubelet_series_and_plan_no_meminfo() {
    let p = plan(&corpus_configmap(
        "prometheus-adapter-deploy-config-map.yaml",
    ));
    let want = [
        (
            "node-memory",
            r#"sum by (node) ( node_memory_working_set_bytes{node="worker-1"} )"#,
        ),
        (
            "node-cpu",
            r#"sum by (node) ( irate( node_cpu_usage_seconds_total{node="worker-1"}[4m] ) )"#,
        ),
        (
            "node-cpu-samples",
            r#"node_cpu_usage_seconds_total{node="worker-1"}[4m]"#,
        ),
    ];
    assert_eq!(runnable(&p), pairs(&want));
}

#[test]
fn a_config_without_node_queries_says_so_per_rule() {
    // The seed bundle's OpenShift 4.8 ConfigMap keeps only the container queries.
    let bundle = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/bundles/seed-ocp48-crio-cgv1.json"
    ))
    .unwrap();
    let seed = crate::evidence::read_bundle(&bundle[..]).unwrap();
    let p = plan(&seed.sources.adapter_config);
    assert_eq!(runnable(&p), Vec::<(String, String)>::new());
    let errors: Vec<String> = p
        .queries
        .iter()
        .map(|q| q.query.as_ref().unwrap_err().to_string())
        .collect();
    assert_eq!(
        errors,
        [
            "resourceRules.memory has no nodeQuery",
            "resourceRules.cpu has no nodeQuery"
        ]
    );
    let none = plan(&Source::default());
    assert_eq!(none.queries.len(), 2);
    assert!(
        none.queries
            .iter()
            .all(|q| q.query == Err(PlanError::NoConfig))
    );
}
