//! Test scenarios built from the fixture bundles: routes that make the test API server answer
//! exactly what the bundle recorded.

use serde_json::Value;

use super::apiserver::{Route, Routes};
pub use super::fixtures::bundle;

pub fn body<'a>(b: &'a Value, source: &str) -> &'a str {
    b["sources"][source]["outcome"]["body"].as_str().unwrap()
}

pub fn request<'a>(b: &'a Value, source: &str) -> &'a str {
    b["sources"][source]["request"].as_str().unwrap()
}

/// Routes serving every API object of a fixture bundle at the path it was fetched from.
pub fn routes_from(b: &Value, pod_metrics_timestamp: Option<&str>) -> Routes {
    let mut routes = Routes::new();
    for src in ["pod", "apiservice", "backend_deployment", "adapter_config"] {
        if let Some(body) = b["sources"][src]["outcome"]["body"].as_str() {
            routes.insert(request(b, src), Route::Json(200, body.to_string()));
        }
    }
    let mut pm: Value = serde_json::from_str(body(b, "pod_metrics")).unwrap();
    if let Some(ts) = pod_metrics_timestamp {
        pm["timestamp"] = Value::String(ts.to_string());
    }
    routes.insert(request(b, "pod_metrics"), Route::json(&pm));
    routes.insert(
        "/apis/metrics.k8s.io",
        Route::Json(200, r#"{"kind":"APIGroup","apiVersion":"v1","name":"metrics.k8s.io","versions":[{"groupVersion":"metrics.k8s.io/v1beta1","version":"v1beta1"}],"preferredVersion":{"groupVersion":"metrics.k8s.io/v1beta1","version":"v1beta1"}}"#.into()),
    );
    for src in ["kubelet_cadvisor", "kubelet_resource"] {
        if let (Some(path), Some(text)) = (
            b["sources"][src]["request"].as_str(),
            b["sources"][src]["outcome"]["body"].as_str(),
        ) {
            routes.insert(
                path,
                Route::text("text/plain; version=0.0.4", text.to_string()),
            );
        }
    }
    routes
}

/// The seed bundle's routes, with its recorded Prometheus answers served at the exact
/// path-and-query ktrace sends (no Prometheus needed).
pub fn seed_routes_without_prometheus() -> (Value, Routes) {
    let seed = bundle("seed-ocp48-crio-cgv1.json");
    let mut routes = routes_from(&seed, None);
    // The adapter's query exactly as ktrace sends it (path and query string) is answered with the
    // recorded Prometheus response, so these tests need no Prometheus.
    for q in seed["sources"]["prometheus"].as_array().unwrap() {
        let req = q["source"]["request"].as_str().unwrap();
        routes.insert(
            req,
            Route::Json(200, q["source"]["outcome"]["body"].as_str().unwrap().into()),
        );
    }
    let buildinfo = &seed["sources"]["prometheus_buildinfo"];
    routes.insert(
        buildinfo["request"].as_str().unwrap(),
        Route::Json(200, buildinfo["outcome"]["body"].as_str().unwrap().into()),
    );
    (seed, routes)
}
