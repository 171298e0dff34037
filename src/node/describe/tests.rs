use super::*;
use serde_json::json;

fn pod(ns: &str, name: &str, node: &str, phase: &str, req: Value, lim: Value) -> Value {
    json!({"metadata": {"namespace": ns, "name": name, "creationTimestamp": "2026-12-01T00:00:00Z"},
        "spec": {"nodeName": node, "containers": [{"name": "c", "resources": {"requests": req, "limits": lim}}]},
        "status": {"phase": phase}})
}

#[test]
fn capacity_is_the_fallback_and_extended_resources_have_no_percentage() {
    let node = json!({"metadata": {"name": "n"}, "status": {"capacity": {
        "cpu": "2", "memory": "4Gi", "pods": "110", "nvidia.com/gpu": "2", "hugepages-2Mi": "512Mi",
        "example.com/dongle": "1"}}});
    let pods = json!({"items": [
        pod("a", "x", "n", "Running", json!({"cpu": "500m", "nvidia.com/gpu": "1", "hugepages-2Mi": "128Mi"}),
            json!({"nvidia.com/gpu": "1", "memory": "1Gi"})),
        pod("a", "done", "n", "Succeeded", json!({"cpu": "1"}), json!({})),
        pod("b", "y", "n", "Pending", json!({"cpu": "0.25", "memory": "100M"}), json!({})),
        pod("b", "elsewhere", "m", "Running", json!({"cpu": "1"}), json!({})),
    ]});
    let now = jiff::Timestamp::from_second(1_796_083_200 + 3 * 86400 + 5 * 3600).unwrap();
    let d = predict(&node, &pods, KubectlRules::V1_33, Some(now.as_nanosecond())).unwrap();
    assert_eq!(d.denominator, "capacity");
    let cells: Vec<&[String]> = d.allocated.iter().map(|r| r.cells.as_slice()).collect();
    assert_eq!(
        cells,
        [
            ["cpu", "750m (37%)", "0 (0%)"].map(String::from).as_slice(),
            &["memory", "100M (2%)", "1Gi (25%)"].map(String::from),
            &["ephemeral-storage", "0 (0%)", "0 (0%)"].map(String::from),
            &["hugepages-2Mi", "128Mi (25%)", "0 (0%)"].map(String::from),
            &["example.com/dongle", "0", "0"].map(String::from),
            &["nvidia.com/gpu", "1", "1"].map(String::from),
        ]
    );
    assert_eq!(
        d.pods[1].cells,
        [
            "b",
            "y",
            "",
            "250m (12%)",
            "0 (0%)",
            "100M (2%)",
            "0 (0%)",
            "3d5h"
        ]
    );
    assert_eq!(d.excluded.len(), 2);
    assert_eq!(d.excluded[1].reason, "on node m");
    assert_eq!(
        d.allocated[0].requests_total.arithmetic,
        "500m + 250m = 750m"
    );
    assert_eq!(
        d.allocated[0].limits_total.arithmetic,
        "no counted pod sets it: 0"
    );
}

#[test]
fn per_pod_rows_divide_by_zero_but_totals_are_guarded() {
    let node = json!({"metadata": {"name": "n"}, "status": {"allocatable": {"memory": "1Gi"}}});
    let pods = json!([pod(
        "a",
        "x",
        "n",
        "Running",
        json!({"cpu": "100m"}),
        json!({})
    )]);
    let d = predict(&node, &pods, KubectlRules::V1_32, None).unwrap();
    assert_eq!(d.pods[0].cpu_requests, "100m (-9223372036854775808%)");
    assert_eq!(d.pods[0].age, None);
    assert_eq!(d.allocated[0].cells, ["cpu", "100m (0%)", "0 (0%)"]);
    assert_eq!(
        d.allocated[0].requests_total.percent_arithmetic.as_deref(),
        Some("the node has none of it: 0%")
    );
}

#[test]
fn bad_input_is_a_reason() {
    let node = json!({"metadata": {"name": "n"}, "status": {"allocatable": {"cpu": "many"}}});
    assert!(
        predict(&node, &json!([]), KubectlRules::V1_33, None)
            .unwrap_err()
            .contains("node status.allocatable.cpu")
    );
    let ok = json!({"metadata": {"name": "n"}});
    assert!(predict(&ok, &json!({"kind": "PodList"}), KubectlRules::V1_33, None).is_err());
    let bad_pod = json!([pod(
        "a",
        "x",
        "n",
        "Running",
        json!({"memory": "1Q"}),
        json!({})
    )]);
    assert!(
        predict(&ok, &bad_pod, KubectlRules::V1_33, None)
            .unwrap_err()
            .starts_with("pod a/x:")
    );
}
