//! Defect 1: memory stays bounded whatever the answers, and a limit that is hit is said.
//! The sizes default to a little over each limit; set `KTRACE_HOSTILE_MIB` (kubelet lines and
//! bundle) and `KTRACE_HOSTILE_PROM_MB` to the issue's 210 MiB / 54 MB, with
//! `KTRACE_MEASURE_RSS=DIR`, to measure peak RSS (docs/security.md). No test asserts RSS.

use serde_json::Value;

use super::super::start;
use crate::support::apiserver::Route;
use crate::support::faults::gzip;
use crate::support::ktrace;
use crate::support::scenario::{body, request, seed_routes_without_prometheus};

const EXPOSITION: &str = "text/plain; version=0.0.4";

fn env_size(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// About `mib` MiB of lines that all match the seed pod (its own sample lines, repeated).
fn matching_lines(seed: &Value, mib: usize) -> String {
    let lines: String = body(seed, "kubelet_cadvisor")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    lines.repeat((mib << 20) / lines.len() + 1)
}

/// Traces with the kubelet cAdvisor answered by `route`; returns (bundle, text report).
fn trace_with_cadvisor(route: Route) -> (Value, String) {
    let (seed, mut routes) = seed_routes_without_prometheus();
    routes.insert(request(&seed, "kubelet_cadvisor"), route);
    let live = start(routes, None);
    let saved = live.dir.path().join("b.json");
    let (code, text, err) = live.run(&[
        "csi/blockvol-fs-1",
        "--save-bundle",
        saved.to_str().unwrap(),
        "--color",
        "never",
    ]);
    assert!(matches!(code, 0 | 3 | 4), "{code}: {err}");
    assert!(text.contains("\nVerdict: "), "the report rendered: {text}");
    let b = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    (b, text)
}

fn assert_kept_to_the_limit(b: &Value) {
    let outcome = &b["sources"]["kubelet_cadvisor"]["outcome"];
    let note = outcome["filter"].as_str().unwrap();
    assert!(
        note.ends_with("; ktrace limit reached: kept the first 20000 lines / 8 MiB of the pod's lines, the most ktrace keeps of one kubelet body; the rest of the body was not read"),
        "{note}"
    );
    let kept = outcome["body"].as_str().unwrap();
    assert_eq!(kept.lines().filter(|l| !l.starts_with('#')).count(), 20_000);
    assert!(kept.len() <= 8 << 20);
}

#[test]
fn endless_matching_kubelet_lines_are_kept_to_the_limit_and_the_cut_is_said() {
    let seed = crate::support::fixtures::bundle("seed-ocp48-crio-cgv1.json");
    let lines = matching_lines(&seed, env_size("KTRACE_HOSTILE_MIB", 12));
    let (b, _) = trace_with_cadvisor(Route::text(EXPOSITION, lines));
    assert_kept_to_the_limit(&b);
}

/// Fewer bytes on the wire than the 8 MiB kept (12 MiB of lines gzip to some 100 KB, the
/// issue's 210 MiB to 1.8 MB): the limits count decoded bytes.
#[test]
fn a_gzip_bomb_of_matching_lines_is_cut_by_its_decoded_size() {
    let seed = crate::support::fixtures::bundle("seed-ocp48-crio-cgv1.json");
    let lines = matching_lines(&seed, env_size("KTRACE_HOSTILE_MIB", 12));
    let packed = gzip(lines.as_bytes());
    assert!(packed.len() < 8 << 20, "{} on the wire", packed.len());
    let (b, _) = trace_with_cadvisor(Route::Gzip {
        content_type: EXPOSITION.into(),
        body: packed,
    });
    assert_kept_to_the_limit(&b);
}

#[test]
fn a_huge_api_object_is_not_kept() {
    let (seed, mut routes) = seed_routes_without_prometheus();
    let api = format!(r#"{{"kind":"APIService","pad":"{}"}}"#, "y".repeat(5 << 20));
    routes.insert(request(&seed, "apiservice"), Route::Json(200, api));
    let live = start(routes, None);
    let saved = live.dir.path().join("b.json");
    let (code, out, err) = live.run(&[
        "csi/blockvol-fs-1",
        "--save-bundle",
        saved.to_str().unwrap(),
    ]);
    assert_eq!(code, 3, "{err}");
    assert!(out.contains("\nVerdict: "), "{out}");
    let b: Value = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert_eq!(
        b["sources"]["apiservice"]["outcome"]["error"],
        format!(
            "ktrace limit reached: the answer to GET {} is larger than 4 MiB after decompression, the most ktrace keeps of an API object; it was not kept",
            request(&seed, "apiservice")
        )
    );
}

#[test]
fn a_huge_prometheus_answer_through_the_service_proxy_is_not_kept() {
    let (seed, mut routes) = seed_routes_without_prometheus();
    let answer_len = env_size("KTRACE_HOSTILE_PROM_MB", 5) * 1_000_000;
    let answer = format!(
        r#"{{"status":"success","data":{{"resultType":"vector","result":[]}},"pad":"{}"}}"#,
        "x".repeat(answer_len)
    );
    let mut memory_request = String::new();
    for q in seed["sources"]["prometheus"].as_array().unwrap() {
        let req = q["source"]["request"].as_str().unwrap();
        if q["purpose"] == "memory" {
            memory_request = req.to_string();
        }
        routes.insert(req, Route::Json(200, answer.clone()));
    }
    let live = start(routes, None);
    let saved = live.dir.path().join("b.json");
    let (code, out, err) = live.run(&[
        "csi/blockvol-fs-1",
        "--save-bundle",
        saved.to_str().unwrap(),
    ]);
    assert_eq!(code, 3, "{err}");
    assert!(out.contains("\nVerdict: "), "{out}");
    let b: Value = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    let memory = b["sources"]["prometheus"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["purpose"] == "memory")
        .unwrap();
    assert_eq!(
        memory["source"]["outcome"]["error"],
        format!(
            "ktrace limit reached: the answer to GET {memory_request} is larger than 4 MiB after decompression, the most ktrace keeps of a Prometheus answer; it was not kept"
        )
    );
}

#[test]
fn a_bundle_over_the_limit_is_refused_before_it_is_parsed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.json");
    let mib = env_size("KTRACE_HOSTILE_MIB", 65);
    let pad = "z".repeat(mib << 20);
    std::fs::write(&path, format!(r#"{{"schema_version":1,"pad":"{pad}"}}"#)).unwrap();
    drop(pad);
    let (code, out, err) = ktrace(
        &["pod", "csi/blockvol-fs-1", "--from", path.to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty());
    assert_eq!(
        err.trim(),
        format!(
            "error: cannot read bundle {}: ktrace limit reached: the bundle is larger than 64 MiB, the most ktrace reads (a one-pod bundle is a few hundred KiB)",
            path.display()
        )
    );
}
