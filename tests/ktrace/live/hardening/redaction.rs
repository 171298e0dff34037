//! Defect 6: storage redaction goes by argument name, after the trace has read the args.

use serde_json::Value;

use super::super::start;
use crate::support::apiserver::Route;
use crate::support::scenario::{body, request, seed_routes_without_prometheus};

const SEED_URL: &str = "https://prometheus-k8s.openshift-monitoring.svc:9091";
const SECRETS_URL: &str = "https://prometheus-k8s.monitoring-secrets.svc:9091";

/// A namespace called `monitoring-secrets` is not a secret: the adapter's `--prometheus-url`
/// survives, its queries are sent through that namespace's service proxy and the adapter
/// layer reconciles; a `--token=` arg is still redacted in the bundle.
#[test]
fn a_secret_looking_url_survives_and_a_token_arg_is_still_redacted() {
    let (seed, mut routes) = seed_routes_without_prometheus();
    let mut dep: Value = serde_json::from_str(body(&seed, "backend_deployment")).unwrap();
    let args = dep
        .pointer_mut("/spec/template/spec/containers/0/args")
        .and_then(Value::as_array_mut)
        .unwrap();
    for a in args.iter_mut() {
        if a.as_str() == Some(&format!("--prometheus-url={SEED_URL}")) {
            *a = Value::String(format!("--prometheus-url={SECRETS_URL}"));
        }
    }
    args.push(Value::String("--token=abc-planted-7f3e".into()));
    routes.insert(request(&seed, "backend_deployment"), Route::json(&dep));
    for q in seed["sources"]["prometheus"].as_array().unwrap() {
        let path = q["source"]["request"].as_str().unwrap().replace(
            "/namespaces/openshift-monitoring/",
            "/namespaces/monitoring-secrets/",
        );
        let answer = q["source"]["outcome"]["body"].as_str().unwrap();
        routes.insert(path, Route::Json(200, answer.into()));
    }
    let live = start(routes, None);
    let saved = live.dir.path().join("b.json");
    let (code, out, err) = live.run(&[
        "csi/blockvol-fs-1",
        "-o",
        "json",
        "--save-bundle",
        saved.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}\n{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["reconciliation"][1]["backend_bytes"], 88784896, "{out}");
    let proxied = live
        .server
        .paths_hit()
        .into_iter()
        .filter(|p| p.starts_with("/api/v1/namespaces/monitoring-secrets/services/https:prometheus-k8s:9091/proxy/api/v1/query"))
        .count();
    assert_eq!(
        proxied, 4,
        "memory, cpu, cpu-samples and raw-series queries"
    );

    let b: Value = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    let stored = body(&b, "backend_deployment");
    assert!(
        stored.contains(&format!("--prometheus-url={SECRETS_URL}")),
        "{stored}"
    );
    assert!(stored.contains("--token=<redacted by ktrace>"), "{stored}");
    assert!(!stored.contains("abc-planted-7f3e") && !out.contains("abc-planted-7f3e"));
    let (code, r, err) = crate::support::replay_json(&saved, live.dir.path());
    assert_eq!(code, 0, "{err}");
    assert_eq!(r["reconciliation"], v["reconciliation"]);
}
