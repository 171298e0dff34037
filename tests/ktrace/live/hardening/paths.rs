//! Names the server sends back (`spec.nodeName`, the APIService's service, Deployment names)
//! never change which path ktrace asks for; and a request that got no answer is not repeated.

use serde_json::Value;

use super::super::start;
use crate::support::apiserver::Route;
use crate::support::scenario::{body, request, seed_routes_without_prometheus};

/// The only paths a seed trace asks for: the seed's own requests and discovery.
fn seed_paths(seed: &Value) -> Vec<String> {
    let mut paths: Vec<String> = ["/version", "/apis/metrics.k8s.io"]
        .into_iter()
        .map(str::to_string)
        .collect();
    for src in [
        "pod",
        "pod_metrics",
        "apiservice",
        "backend_deployment",
        "adapter_config",
        "kubelet_cadvisor",
        "kubelet_resource",
    ] {
        paths.push(request(seed, src).to_string());
    }
    for q in seed["sources"]["prometheus"].as_array().unwrap() {
        let req = q["source"]["request"].as_str().unwrap();
        paths.push(req.split('?').next().unwrap().to_string());
    }
    // The Prometheus version (range semantics) is asked for beside the queries.
    paths.push(
        "/api/v1/namespaces/openshift-monitoring/services/https:prometheus-k8s:9091/proxy/api/v1/status/buildinfo"
            .into(),
    );
    // The Service of the backend is asked for beside the Deployment.
    paths.push("/api/v1/namespaces/openshift-monitoring/services/prometheus-adapter".into());
    paths
}

#[test]
fn a_node_name_with_dot_dot_and_a_query_is_never_put_into_a_path() {
    let (seed, mut routes) = seed_routes_without_prometheus();
    let mut pod: Value = serde_json::from_str(body(&seed, "pod")).unwrap();
    pod["spec"]["nodeName"] = "../../api/v1/secrets?x=".into();
    routes.insert(request(&seed, "pod"), Route::json(&pod));
    let live = start(routes, None);
    let (code, out, err) = live.run(&["csi/blockvol-fs-1", "-o", "json"]);
    assert_eq!(code, 3, "{err}");
    let allowed = seed_paths(&seed);
    let hit = live.server.paths_hit();
    let strays: Vec<&String> = hit.iter().filter(|p| !allowed.contains(p)).collect();
    assert!(strays.is_empty(), "unexpected requests: {strays:?}");
    assert!(
        !hit.iter().any(|p| p.starts_with("/api/v1/nodes")),
        "{hit:?}"
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    let reason = v["cadvisor"]["reason"].as_str().unwrap();
    assert!(
        reason.contains(
            r#"spec.nodeName "../../api/v1/secrets?x=" is not a valid Kubernetes node name"#
        ),
        "{reason}"
    );
    // The layers that do not need the node still reconcile.
    assert_eq!(v["reconciliation"][1]["backend_bytes"], 88784896, "{out}");
}

#[test]
fn an_apiservice_naming_a_path_instead_of_a_service_is_not_followed() {
    let (seed, mut routes) = seed_routes_without_prometheus();
    let mut api: Value = serde_json::from_str(body(&seed, "apiservice")).unwrap();
    api["spec"]["service"]["namespace"] = "kube-system/secrets/x?".into();
    api["spec"]["service"]["name"] = "..".into();
    routes.insert(request(&seed, "apiservice"), Route::json(&api));
    let live = start(routes, None);
    let (code, out, err) = live.run(&["csi/blockvol-fs-1", "-o", "json"]);
    assert_eq!(code, 3, "{err}");
    let hit = live.server.paths_hit();
    assert!(
        !hit.iter()
            .any(|p| p.contains("secrets") || p.contains("..") || p.contains("kube-system")),
        "{hit:?}"
    );
    assert!(
        out.contains("is not a valid Kubernetes namespace/name; not requested"),
        "{out}"
    );
}

/// The by-name Deployment GET that timed out used to be sent again after the Service's
/// selector matched the same Deployment in the list: twice the wait.
#[test]
fn a_deployment_get_that_timed_out_is_not_sent_again() {
    let (seed, mut routes) = seed_routes_without_prometheus();
    let dep: Value = serde_json::from_str(body(&seed, "backend_deployment")).unwrap();
    let labels = dep["spec"]["template"]["metadata"]["labels"].clone();
    let ns = "openshift-monitoring";
    routes.insert(
        format!("/api/v1/namespaces/{ns}/services/prometheus-adapter"),
        Route::json(&serde_json::json!({
            "kind": "Service", "apiVersion": "v1",
            "metadata": {"name": "prometheus-adapter", "namespace": ns},
            "spec": {"selector": labels}
        })),
    );
    routes.insert(
        format!("/apis/apps/v1/namespaces/{ns}/deployments"),
        Route::json(&serde_json::json!({"kind": "DeploymentList", "items": [dep]})),
    );
    let by_name = request(&seed, "backend_deployment").to_string();
    routes.insert(by_name.clone(), Route::Hang);
    let live = start(routes, None);
    let (code, out, err) =
        live.run(&["csi/blockvol-fs-1", "--request-timeout", "1s", "-o", "json"]);
    assert_eq!(code, 3, "{err}");
    assert_eq!(live.server.requests_to(&by_name).len(), 1, "{out}");
    assert!(
        out.contains(&format!("timed out after 1s waiting for GET {by_name}")),
        "{out}"
    );
}
