use super::*;
use serde_json::json;

fn container(name: &str, req: Value, lim: Value) -> Value {
    json!({"name": name, "resources": {"requests": req, "limits": lim}})
}

fn strings(list: &ResourceList) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.clone(), v.canonical()))
        .collect()
}

fn pair(k: &str, v: &str) -> (String, String) {
    (k.to_owned(), v.to_owned())
}

#[test]
fn app_containers_sum_and_keep_the_first_format() {
    let pod = json!({"metadata": {"namespace": "ns", "name": "p"}, "spec": {"containers": [
        container("a", json!({"cpu": "100m", "memory": "64Mi"}), json!({"memory": "128Mi"})),
        container("b", json!({"cpu": "0.25", "memory": "5M"}), json!({"cpu": "1"})),
    ]}});
    let r = pod_requests_and_limits(&pod, KubectlRules::V1_33).unwrap();
    assert_eq!(r.pod, "ns/p");
    // 64Mi + 5M = 72108864 B, not a multiple of 1024: plain integer.
    assert_eq!(
        strings(&r.requests),
        [pair("cpu", "350m"), pair("memory", "72108864")]
    );
    assert_eq!(
        strings(&r.limits),
        [pair("cpu", "1"), pair("memory", "128Mi")]
    );
    assert!(r.notes.is_empty());
}

#[test]
fn init_containers_are_maxed_and_sidecars_summed() {
    let pod = json!({"spec": {
    "containers": [container("app", json!({"cpu": "100m", "memory": "100Mi"}), json!({"cpu": "200m"}))],
    "initContainers": [
        container("setup", json!({"cpu": "500m", "memory": "10Mi"}), json!({"cpu": "1"})),
        {"name": "proxy", "restartPolicy": "Always",
         "resources": {"requests": {"cpu": "50m", "memory": "20Mi"}, "limits": {"cpu": "100m"}}},
        container("late", json!({"cpu": "100m", "memory": "150Mi"}), json!({})),
    ]}});
    let r = pod_requests_and_limits(&pod, KubectlRules::V1_33).unwrap();
    // Sum: app 100m + sidecar 50m = 150m; init max: setup 500m, late 100m + 50m; → 500m.
    // Memory: 100Mi + 20Mi = 120Mi; late 150Mi + 20Mi = 170Mi is larger.
    assert_eq!(
        strings(&r.requests),
        [pair("cpu", "500m"), pair("memory", "170Mi")]
    );
    // Limits: 200m + 100m = 300m; setup 1 is larger.
    assert_eq!(strings(&r.limits), [pair("cpu", "1")]);
    assert_eq!(r.notes.len(), 3, "{:?}", r.notes);
    assert!(
        r.notes[0].contains(
            "requests.cpu: an init container needs 500m while the containers sum to 150m"
        )
    );
}

#[test]
fn overhead_is_added_to_requests_and_to_non_zero_limits_only() {
    let pod = json!({"spec": {
        "containers": [container("app", json!({"cpu": "100m"}), json!({"cpu": "0", "memory": "1Gi"}))],
        "overhead": {"cpu": "10m", "memory": "32Mi"}}});
    let r = pod_requests_and_limits(&pod, KubectlRules::V1_32).unwrap();
    assert_eq!(
        strings(&r.requests),
        [pair("cpu", "110m"), pair("memory", "32Mi")]
    );
    assert_eq!(
        strings(&r.limits),
        [pair("cpu", "0"), pair("memory", "1056Mi")]
    );
}

fn resized(resize: Option<&str>, condition: Option<&str>) -> Value {
    let mut pod = json!({"spec": {"containers": [
        container("app", json!({"cpu": "200m", "memory": "100Mi"}), json!({}))]},
        "status": {"containerStatuses": [{"name": "app",
            "resources": {"requests": {"cpu": "300m", "memory": "50Mi"}},
            "allocatedResources": {"cpu": "250m", "memory": "120Mi"}}]}});
    if let Some(r) = resize {
        pod["status"]["resize"] = json!(r);
    }
    if let Some(reason) = condition {
        pod["status"]["conditions"] =
            json!([{"type": "PodResizePending", "status": "True", "reason": reason}]);
    }
    pod
}

#[test]
fn in_place_resize_follows_each_release() {
    let req = |pod: &Value, rules| strings(&pod_requests_and_limits(pod, rules).unwrap().requests);
    // 1.32: max(spec, status); 1.33 adds allocatedResources.
    let plain = resized(None, None);
    assert_eq!(
        req(&plain, KubectlRules::V1_32),
        [pair("cpu", "300m"), pair("memory", "100Mi")]
    );
    assert_eq!(
        req(&plain, KubectlRules::V1_33),
        [pair("cpu", "300m"), pair("memory", "120Mi")]
    );
    // Infeasible: 1.32 reads status.resize, 1.33 the PodResizePending condition.
    let old = resized(Some("Infeasible"), None);
    assert_eq!(
        req(&old, KubectlRules::V1_32),
        [pair("cpu", "300m"), pair("memory", "50Mi")]
    );
    assert_eq!(
        req(&old, KubectlRules::V1_33),
        [pair("cpu", "300m"), pair("memory", "120Mi")]
    );
    let new = resized(None, Some("Infeasible"));
    assert_eq!(
        req(&new, KubectlRules::V1_33),
        [pair("cpu", "300m"), pair("memory", "120Mi")]
    );
    let deferred = resized(None, Some("Deferred"));
    assert_eq!(
        req(&deferred, KubectlRules::V1_33),
        req(&plain, KubectlRules::V1_33)
    );
}

#[test]
fn ties_keep_the_spec_format_in_1_33_and_the_status_format_in_1_32() {
    let pod = json!({"spec": {"containers": [container("app", json!({"memory": "1Gi"}), json!({}))]},
        "status": {"containerStatuses": [{"name": "app",
            "resources": {"requests": {"memory": "1073741824"}}}]}});
    let mem = |rules| pod_requests_and_limits(&pod, rules).unwrap().requests["memory"].canonical();
    assert_eq!(mem(KubectlRules::V1_33), "1Gi");
    assert_eq!(mem(KubectlRules::V1_32), "1073741824");
}

#[test]
fn a_bad_quantity_names_the_pod_and_the_field() {
    let pod = json!({"metadata": {"namespace": "ns", "name": "p"},
        "spec": {"containers": [{"name": "a", "resources": {"requests": {"cpu": "lots"}}}]}});
    let e = pod_requests_and_limits(&pod, KubectlRules::V1_33).unwrap_err();
    assert!(
        e.starts_with("pod ns/p: spec.containers[0].resources.requests.cpu: invalid quantity"),
        "{e}"
    );
    let odd = json!({"spec": {"containers": [{"resources": {"limits": ["x"]}}]}});
    assert!(
        pod_requests_and_limits(&odd, KubectlRules::V1_32)
            .unwrap_err()
            .contains("not an object")
    );
    assert!(
        pod_requests_and_limits(&json!("nonsense"), KubectlRules::V1_32)
            .unwrap()
            .requests
            .is_empty()
    );
}
