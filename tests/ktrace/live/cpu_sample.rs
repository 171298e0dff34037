//! `--cpu-sample`: a second kubelet `/metrics/resource` reading, taken beside the rest of
//! the trace and stored verbatim in the bundle.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{Live, assert_kubectl_agrees, start};
use crate::support::apiserver::{Route, ServerOptions, TestApiServer};
use crate::support::ktrace;
use crate::support::scenario::{
    body, bundle, request, routes_from, seed_routes_without_prometheus,
};

const TEXT: &str = "text/plain; version=0.0.4";

/// The seed's `/metrics/resource` 15 s later: centos-tools' counter moved 0.285 s.
fn later_reading(first: &str) -> String {
    let later = first
        .replace("86.412379021 1636128359127", "86.697379021 1636128374127")
        .replace("86.524973862 1636128353412", "86.810973862 1636128368412");
    assert_ne!(later, first, "the seed's /metrics/resource changed");
    later
}

/// Waits (at most 20 s) until `path` has been answered once, then serves `route` there.
fn replace_after_first_answer(server: &TestApiServer, path: &str, route: Route) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if server.requests_to(path).iter().any(|r| r.status.is_some()) {
            server.set_route(path, route);
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("{path} was never answered");
}

fn saved_bundle(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A live trace of the seed pod with `extra` flags, every answer `latency` late, saved to a
/// bundle; with `second` the kubelet's `/metrics/resource` answers that body from its second
/// request on.
fn trace(extra: &[&str], second: Option<String>, latency: Duration) -> (Live, Value, String) {
    let (seed, routes) = seed_routes_without_prometheus();
    let server = TestApiServer::start(routes, ServerOptions::with_latency(latency));
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = server.write_kubeconfig(dir.path(), None);
    let live = Live {
        server,
        dir,
        kubeconfig,
    };
    let res_path = request(&seed, "kubelet_resource").to_string();
    let saved = live.dir.path().join("bundle.json");
    let mut args = vec![
        "csi/blockvol-fs-1",
        "--save-bundle",
        saved.to_str().unwrap(),
        "-o",
        "json",
    ];
    args.extend_from_slice(extra);
    let (code, _, err) = std::thread::scope(|s| {
        if let Some(text) = second {
            let server = &live.server;
            let path = res_path.as_str();
            s.spawn(move || replace_after_first_answer(server, path, Route::text(TEXT, text)));
        }
        live.run(&args)
    });
    assert_eq!(code, 0, "{err}");
    let b = saved_bundle(&saved);
    (live, b, err)
}

#[test]
fn cpu_sample_stores_a_second_reading_taken_beside_the_rest_of_the_trace() {
    let (seed, _) = seed_routes_without_prometheus();
    let first = body(&seed, "kubelet_resource").to_string();
    let res_path = request(&seed, "kubelet_resource").to_string();
    // Every answer 200 ms late: the Prometheus queries (after APIService, Deployment and
    // ConfigMap) end at 0.8 s at the earliest, the second reading starts at about 0.5 s
    // (Pod, first reading, 100 ms wait).
    let latency = Duration::from_millis(200);
    let later = Some(later_reading(&first));
    let (live, b, err) = trace(&["--cpu-sample", "100ms", "-v"], later, latency);

    let reads = live.server.requests_to(&res_path);
    assert_eq!(reads.len(), 2, "requested exactly twice");
    let first_done = reads[0].finished.unwrap();
    let gap = reads[1].started - first_done;
    assert!(gap >= Duration::from_millis(100), "waited only {gap:?}");

    assert_eq!(body(&b, "kubelet_resource"), first);
    let second = &b["sources"]["kubelet_resource_second"];
    assert_eq!(second["request"], res_path.as_str());
    let text = second["outcome"]["body"].as_str().unwrap();
    assert_eq!(text, later_reading(&first));
    assert!(text.contains("} 86.697379021 1636128374127\n"), "{text}");
    assert!(
        second["outcome"]["filter"]
            .as_str()
            .unwrap()
            .contains("blockvol-fs-1")
    );

    // The wait and the second reading ran beside the rest of the trace: the second reading
    // started while the Prometheus queries were still to be answered.
    let all = live.server.requests();
    let last_query_done = all
        .iter()
        .filter(|r| r.path.contains("/proxy/api/v1/query"))
        .map(|r| r.finished.unwrap())
        .max()
        .expect("the adapter's queries were sent");
    assert!(
        reads[1].started < last_query_done,
        "the second reading waited for the Prometheus queries"
    );

    let logged: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("/metrics/resource"))
        .collect();
    assert_eq!(logged.len(), 2, "{err}");
    assert!(
        logged[1].starts_with(&format!("ktrace: GET {res_path} (second reading) → 200 (")),
        "{err}"
    );
    assert!(!logged[0].contains("second reading"), "{err}");
}

#[test]
fn without_cpu_sample_the_kubelet_is_read_once_and_the_bundle_has_no_second_reading() {
    let (seed, _) = seed_routes_without_prometheus();
    let res_path = request(&seed, "kubelet_resource").to_string();
    let (live, b, _) = trace(&[], None, Duration::ZERO);
    assert_eq!(live.server.requests_to(&res_path).len(), 1);
    assert!(b["sources"]["kubelet_resource"]["outcome"]["body"].is_string());
    let sources = b["sources"].as_object().unwrap();
    assert!(
        !sources.contains_key("kubelet_resource_second"),
        "{:?}",
        sources.keys().collect::<Vec<_>>()
    );
}

#[test]
fn a_failed_second_reading_is_recorded_not_fatal() {
    let (seed, routes) = seed_routes_without_prometheus();
    let res_path = request(&seed, "kubelet_resource").to_string();
    let msg = "the kubelet went away";
    let gone = Route::status(503, "ServiceUnavailable", msg);
    let live = start(routes, None);
    let saved = live.dir.path().join("bundle.json");
    let (code, _, err) = std::thread::scope(|s| {
        let (server, path) = (&live.server, res_path.as_str());
        s.spawn(move || replace_after_first_answer(server, path, gone));
        live.run(&[
            "csi/blockvol-fs-1",
            "--cpu-sample",
            "10ms",
            "--save-bundle",
            saved.to_str().unwrap(),
        ])
    });
    assert_ne!(code, 2, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let b = saved_bundle(&saved);
    let second = &b["sources"]["kubelet_resource_second"]["outcome"];
    assert_eq!(second["status"], "failed", "{second}");
    assert_eq!(second["http_status"], 503);
    assert!(second["error"].as_str().unwrap().contains(msg), "{second}");
    assert!(b["sources"]["kubelet_resource"]["outcome"]["body"].is_string());
}

#[test]
fn cpu_sample_is_live_only() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = ktrace(
        &["pod", "csi/x", "--cpu-sample", "5m", "--from", "B"],
        dir.path(),
    );
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("'--cpu-sample <DURATION>' cannot be used with '--from <BUNDLE>'"),
        "{err}"
    );
    let (code, _, err) = ktrace(&["pod", "csi/x", "--cpu-sample", "11m"], dir.path());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("invalid --cpu-sample \"11m\""), "{err}");
}

/// PodMetrics of the containerd metrics-server pod with a second container, both at 1000001n.
fn two_containers_at_1000001n() -> Value {
    let b = bundle("containerd-cgv2-ms.json");
    let mut pm: Value = serde_json::from_str(body(&b, "pod_metrics")).unwrap();
    let mut second = pm["containers"][0].clone();
    second["name"] = "sidecar".into();
    pm["containers"].as_array_mut().unwrap().push(second);
    for c in pm["containers"].as_array_mut().unwrap() {
        c["usage"]["cpu"] = "1000001n".into();
    }
    let mut edited = b.clone();
    edited["sources"]["pod_metrics"]["outcome"]["body"] = pm.to_string().into();
    edited
}

#[test]
fn metrics_server_rounding_case_matches_real_kubectl() {
    let b = two_containers_at_1000001n();
    let live = start(routes_from(&b, None), None);
    let (ns, name) = ("kube-system", "metrics-server-9d74bb658-c6nnt");
    let (code, out, err) = live.run(&[&format!("{ns}/{name}"), "-o", "json"]);
    assert!(code != 1 && code != 2, "{code}: {err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let top = &v["top"]["value"];
    let cpu: Vec<&str> = top["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["cpu"].as_str().unwrap())
        .collect();
    assert_eq!(cpu, ["2m", "2m"]);
    assert_eq!(top["pod_row"]["cpu"], "3m");
    // Real kubectl prints the same tables: 2m and 2m per container, 3m for the pod.
    assert_kubectl_agrees(&live.kubeconfig, ns, name, &v);
}
