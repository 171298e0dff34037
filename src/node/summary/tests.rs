use super::*;
use crate::node::KubectlRules;
use crate::node::model::analyze;
use serde_json::{Value, json};

fn node() -> Value {
    json!({"metadata": {"name": "n"}, "status": {
        "capacity": {"cpu": "4", "memory": "4Gi"}, "allocatable": {"cpu": "3500m", "memory": "3Gi"}}})
}

fn pods() -> Value {
    let pod = |name: &str, cpu: &str, mem: &str, phase: &str| {
        json!({"metadata": {"namespace": "ns", "name": name},
        "spec": {"nodeName": "n", "containers": [{"name": "c", "resources": {
            "requests": {"cpu": cpu, "memory": mem}, "limits": {"memory": mem}}}]},
        "status": {"phase": phase}})
    };
    json!({"items": [pod("big", "1", "1Gi", "Running"), pod("small", "100m", "64Mi", "Running"),
        pod("done", "2", "2Gi", "Succeeded")]})
}

fn pod_metrics() -> Value {
    let pm = |name: &str, cpu: &str, mem: &str| {
        json!({"metadata": {"namespace": "ns", "name": name},
        "containers": [{"name": "c", "usage": {"cpu": cpu, "memory": mem}}]})
    };
    json!({"items": [pm("big", "50m", "100Mi"), pm("small", "400m", "60Mi")]})
}

fn metrics() -> Value {
    json!({"metadata": {"name": "n"}, "usage": {"cpu": "1200000000n", "memory": "3500Mi"}})
}

fn texts(s: &NodeSummary) -> Vec<(&'static str, &str)> {
    s.lines
        .iter()
        .map(|l| (l.kind.label(), l.text.as_str()))
        .collect()
}

#[test]
fn every_source_read_gives_the_answer_in_plain_words() {
    let (n, p, m, pm) = (node(), pods(), metrics(), pod_metrics());
    let inputs = NodeInputs {
        node_name: "n",
        node: Ok(&n),
        pods: Ok(&p),
        node_metrics: Ok(&m),
        pod_metrics: Some(Ok(&pm)),
        rules: KubectlRules::V1_33,
        now_ns: None,
        backend: Default::default(),
    };
    let s = analyze(&inputs).summary;
    assert_eq!(
        s.question,
        "Why do `kubectl top node n` and `kubectl describe node n` show different numbers?"
    );
    assert_eq!((s.verdict, s.missing.len()), (Verdict::Consistent, 0));
    let t = texts(&s);
    assert_eq!(
        t[0],
        (
            "top",
            "`kubectl top node n` measures use (NodeMetrics: the node's whole cgroup tree): \
             CPU 1200m = 34% of allocatable 3500m; memory 3500Mi (3.4Gi) = 113% of allocatable 3.0Gi"
        )
    );
    assert_eq!(
        t[1],
        (
            "describe",
            "`kubectl describe node n` adds up reservations: the 2 non-terminated pods \
             (1 Succeeded/Failed pods left out) request CPU 1100m (31%), memory 1.1Gi (35%) and \
             limit CPU 0m (0%), memory 1.1Gi (35%), as percentages of allocatable"
        )
    );
    assert_eq!(
        t[2].1,
        "describe counts what the pods reserve (requests, limits), top what the node measures; \
         they share only the denominator, allocatable: CPU used 1200m vs requested 1100m \
         (1.1× the requests); memory used 3.4Gi vs requested 1.1Gi (3.2× the requests); \
         memory use 3.4Gi is above allocatable 3.0Gi, so MEMORY(%) is over 100"
    );
    assert_eq!(
        t[3].1,
        "the 2 pods with PodMetrics use CPU 450m and memory 160.0Mi; the rest of the node's use, \
         CPU 750m and memory 3.3Gi, is outside the pods: system daemons, kubelet, container \
         runtime, kernel, page cache outside pod cgroups"
    );
    assert_eq!(t[4].0, "worst");
    assert!(
        t[4].1
            .starts_with("[memory-percent-over-100] MEMORY(%) is 113% because"),
        "{}",
        t[4].1
    );
    assert!(s.lines.iter().all(|l| l.tone == Tone::Neutral));
}

#[test]
fn a_forbidden_pod_list_and_no_node_metrics_are_named_never_all_clear() {
    let n = node();
    let inputs = NodeInputs {
        node_name: "n",
        node: Ok(&n),
        pods: Err(Unavailable {
            status: Some(403),
            reason: "pods is forbidden".into(),
        }),
        node_metrics: Err(Unavailable {
            status: Some(404),
            reason: "nodemetrics \"n\" not found".into(),
        }),
        pod_metrics: None,
        rules: KubectlRules::V1_33,
        now_ns: None,
        backend: Default::default(),
    };
    let s = analyze(&inputs).summary;
    assert_eq!(s.verdict, Verdict::Partial);
    assert_eq!(
        s.missing,
        [
            "list pods at cluster scope (HTTP 403)",
            "NodeMetrics (HTTP 404)",
            "PodMetrics (not collected)"
        ]
    );
    let t = texts(&s);
    assert_eq!(
        t[0].1,
        "`kubectl top node n` has no number: there are no NodeMetrics for the node \
         (nodemetrics \"n\" not found); the all-nodes list prints <unknown> in every column"
    );
    assert_eq!(
        t[1].1,
        "`kubectl describe node n`'s Allocated resources are unknown: the pods on the node are not \
         readable: pods is forbidden — needs `list pods` at cluster scope (all namespaces)"
    );
    assert!(
        t[2].1.ends_with(
            "not comparable here: neither the node's use nor the pods' requests are known"
        )
    );
    assert_eq!(
        t[3].1,
        "use outside the pods (node use − Σ pods' use) is unknown: the node's use is unknown (no NodeMetrics)"
    );
    assert!(
        t[4].1
            .starts_with("[pods-list-missing] listing pods at cluster scope is forbidden")
    );
    assert!(s.lines.iter().all(|l| l.tone == Tone::Warn));
}

#[test]
fn missing_pod_metrics_alone_make_the_report_partial() {
    let (n, p, m) = (node(), pods(), metrics());
    let inputs = NodeInputs {
        node_name: "n",
        node: Ok(&n),
        pods: Ok(&p),
        node_metrics: Ok(&m),
        pod_metrics: None,
        rules: KubectlRules::V1_33,
        now_ns: None,
        backend: Default::default(),
    };
    let s = analyze(&inputs).summary;
    assert_eq!(s.verdict, Verdict::Partial);
    assert_eq!(s.missing, ["PodMetrics (not collected)"]);
    assert_eq!(
        s.lines[3].text,
        "use outside the pods (node use − Σ pods' use) is unknown: no PodMetrics were collected \
         for the node's pods"
    );
}

#[test]
fn long_findings_are_cut_between_items() {
    let items: Vec<String> = (0..30).map(|i| format!("ns/pod-{i} uses 1m")).collect();
    let msg = format!("cpu: pods: {}", items.join("; "));
    let cut = bounded(&msg, MAX_WORST);
    assert!(cut.ends_with("; … (see the findings)"), "{cut}");
    assert!(cut.chars().count() <= MAX_WORST + 22, "{cut}");
    assert!(cut.starts_with("cpu: pods: ns/pod-0 uses 1m; ns/pod-1 uses 1m"));
    assert_eq!(bounded("short", MAX_WORST), "short");
}

#[test]
fn an_unreadable_node_and_pods_above_the_node_are_told_as_such() {
    let (p, pm) = (pods(), pod_metrics());
    let m = json!({"metadata": {"name": "n"}, "usage": {"cpu": "100m", "memory": "3500Mi"}});
    let inputs = NodeInputs {
        node_name: "n",
        node: Err(Unavailable {
            status: Some(403),
            reason: "nodes \"n\" is forbidden".into(),
        }),
        pods: Ok(&p),
        node_metrics: Ok(&m),
        pod_metrics: Some(Ok(&pm)),
        rules: KubectlRules::V1_33,
        now_ns: None,
        backend: Default::default(),
    };
    let s = analyze(&inputs).summary;
    assert_eq!(s.verdict, Verdict::Partial);
    assert_eq!(s.missing, ["the Node object (HTTP 403)"]);
    assert_eq!(
        s.lines[0].text,
        "`kubectl top node n` measures use (NodeMetrics: the node's whole cgroup tree): CPU 100m \
         (no percentage: the Node's allocatable is unknown); memory 3500Mi (3.4Gi) (no percentage: \
         the Node's allocatable is unknown)"
    );
    assert!(
        s.lines[1]
            .text
            .ends_with("are unknown: the Node is not readable: nodes \"n\" is forbidden")
    );
    assert!(
        s.lines[3]
            .text
            .contains("the rest of the node's use, CPU −350m (the pods' Σ exceeds the node's use: measured at different moments) and memory 3.3Gi"),
        "{}",
        s.lines[3].text
    );
}
