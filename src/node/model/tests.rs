use super::*;
use serde_json::json;

fn node() -> Value {
    json!({"metadata": {"name": "n"}, "status": {
        "capacity": {"cpu": "4", "memory": "4Gi"}, "allocatable": {"cpu": "3500m", "memory": "3Gi"}}})
}

fn pods() -> Value {
    let pod = |name: &str, cpu: &str, mem: &str| {
        json!({"metadata": {"namespace": "ns", "name": name},
        "spec": {"nodeName": "n", "containers": [{"name": "c", "resources": {
            "requests": {"cpu": cpu, "memory": mem}, "limits": {"memory": mem}}}]},
        "status": {"phase": "Running"}})
    };
    json!({"items": [pod("big", "1", "1Gi"), pod("small", "100m", "64Mi")]})
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

#[test]
fn side_by_side_separates_reservations_use_and_the_rest() {
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
    let r = analyze(&inputs);
    let c = &r.cpu;
    assert_eq!(
        (c.capacity, c.allocatable, c.reserved),
        (Some(4000), Some(3500), Some(500))
    );
    assert_eq!(
        (c.requests, c.limits, c.usage, c.pods_usage, c.rest),
        (Some(1100), Some(0), Some(1200), Some(450), Some(750))
    );
    assert_eq!(c.pods[0].pod, "ns/small");
    assert_eq!(c.pods[0].usage_per_request, Some(4.0));
    let m = &r.memory;
    assert_eq!(m.rest, Some((3500 - 160) * 1024 * 1024));
    assert_eq!(
        r.top.get().unwrap().allocatable.cells,
        ["n", "1200m", "34%", "3500Mi", "113%"]
    );
    let codes: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "reservations-vs-use",
            "reservations-vs-use",
            "memory-percent-over-100",
            "usage-outside-pods",
            "pods-over-requests",
            "pods-under-requests",
            "usage-outside-pods",
            "pods-under-requests"
        ]
    );
    let over = &r.findings[2].message;
    assert!(
        over.starts_with(
            "MEMORY(%) is 113% because it divides by allocatable 3.0Gi (1.0Gi below capacity"
        ),
        "{over}"
    );
    assert!(over.ends_with("--show-capacity gives 85%"), "{over}");
    assert_eq!(
        r.findings[4].message,
        "cpu: pods using more than twice their request: ns/small uses 400m (request 100m)"
    );
    assert!(r.findings[0].message.contains(
        "the pods request 1100m and limit 0m of allocatable 3500m; the node measured 1200m"
    ));
    assert!(serde_json::to_value(&r).unwrap()["describe"]["status"] == "present");
}

#[test]
fn forbidden_pods_and_missing_metrics_leave_a_report_that_names_them() {
    let n = node();
    let forbidden = Unavailable {
        status: Some(403),
        reason: "pods is forbidden: User \"u\" cannot list resource \"pods\"".into(),
    };
    let gone = Unavailable {
        status: Some(404),
        reason: "nodemetrics \"n\" not found".into(),
    };
    let inputs = NodeInputs {
        node_name: "n",
        node: Ok(&n),
        pods: Err(forbidden),
        node_metrics: Err(gone),
        pod_metrics: None,
        rules: KubectlRules::V1_32,
        now_ns: None,
        backend: Default::default(),
    };
    let r = analyze(&inputs);
    assert!(
        r.describe
            .reason()
            .unwrap()
            .starts_with("the pods on the node are not readable")
    );
    assert_eq!(r.top.get().unwrap().allocatable.cells[1], "<unknown>");
    assert_eq!(
        (r.cpu.requests, r.cpu.usage, r.cpu.allocatable),
        (None, None, Some(3500))
    );
    assert_eq!(r.findings[0].code, "pods-list-missing");
    assert!(
        r.findings[0]
            .message
            .contains("needs `list pods` in all namespaces")
    );
    assert_eq!(r.findings[1].code, "node-metrics-missing");
    assert_eq!(r.findings.len(), 2);
}

#[test]
fn a_pod_without_a_request_is_unreserved_not_over_its_request() {
    let n = node();
    let p = json!({"items": [{"metadata": {"namespace": "kube-system", "name": "proxy"},
        "spec": {"nodeName": "n", "containers": [{"name": "c"}]},
        "status": {"phase": "Running"}}]});
    let pm = json!({"items": [{"metadata": {"namespace": "kube-system", "name": "proxy"},
        "containers": [{"name": "c", "usage": {"cpu": "1m", "memory": "20Mi"}}]}]});
    let m = metrics();
    let r = analyze(&NodeInputs {
        node_name: "n",
        node: Ok(&n),
        pods: Ok(&p),
        node_metrics: Ok(&m),
        pod_metrics: Some(Ok(&pm)),
        rules: KubectlRules::V1_33,
        now_ns: None,
        backend: Default::default(),
    });
    let found: Vec<(&str, &str)> = r
        .findings
        .iter()
        .filter(|f| f.code.starts_with("pods-"))
        .map(|f| (f.code.as_str(), f.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "pods-without-requests",
                "cpu: pods that request none, so describe node counts them as 0 while they use: kube-system/proxy uses 1m"
            ),
            (
                "pods-without-requests",
                "memory: pods that request none, so describe node counts them as 0 while they use: kube-system/proxy uses 20.0Mi"
            )
        ]
    );
}
