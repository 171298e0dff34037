//! `--compare` / `--compare-query` live: the asked tools are stored in the bundle as
//! `compare`, and their filled queries are sent to the adapter's Prometheus beside the
//! adapter's own, at the same `time=`, their answers stored as `compare:<entry>` entries.

use serde_json::Value;

use super::{OCP_PROM_PROXY, start};
use crate::support::apiserver::Route;
use crate::support::ktrace;
use crate::support::scenario::seed_routes_without_prometheus;

/// The seed's PodMetrics timestamp 2021-11-05T16:06:02Z, the adapter queries' `time=`.
const TIME: &str = "1636128362";
const CONSOLE: &str = "sum(container_memory_working_set_bytes{pod='blockvol-fs-1',namespace='csi',container='',}) BY (pod, namespace)";
const LENS5: &str = r#"sum(container_memory_working_set_bytes{container!="", image!="", pod=~"blockvol-fs-1", namespace="csi"}) by (pod, namespace)"#;
const USER_TEMPLATE: &str =
    r#"sum(container_memory_working_set_bytes{namespace="$namespace",pod="$pod"})"#;
const USER: &str =
    r#"sum(container_memory_working_set_bytes{namespace="csi",pod="blockvol-fs-1"})"#;

/// Percent-encoding as ktrace writes a query string (unreserved bytes kept).
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The path ktrace sends `query` to (through the API server's service proxy).
fn query_path(query: &str) -> String {
    format!(
        "{OCP_PROM_PROXY}api/v1/query?query={}&time={TIME}",
        encode(query)
    )
}

/// How many times `path_and_query` was requested.
fn times_asked(live: &super::Live, path_and_query: &str) -> usize {
    let all = live.server.requests();
    all.iter()
        .filter(|r| r.path_and_query == path_and_query)
        .count()
}

/// A vector answer of one series holding `value`.
fn answer(value: &str) -> String {
    format!(
        r#"{{"status":"success","data":{{"resultType":"vector","result":[{{"metric":{{"namespace":"csi","pod":"blockvol-fs-1"}},"value":[{TIME},"{value}"]}}]}}}}"#
    )
}

/// The bundle's Prometheus entries as `(purpose, query, time)`.
fn prometheus_entries(b: &Value) -> Vec<(String, String, String)> {
    let s = |v: &Value| v.as_str().unwrap_or("?").to_string();
    b["sources"]["prometheus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| (s(&q["purpose"]), s(&q["query"]), s(&q["time"])))
        .collect()
}

#[test]
fn compared_queries_run_beside_the_adapters_and_are_stored_with_their_answers() {
    let (_, mut routes) = seed_routes_without_prometheus();
    // 89133056 B is the seed's pod cgroup; 178266112 = pod cgroup + containers (2×).
    let answers = [
        (CONSOLE, "89133056"),
        (LENS5, "88965120"),
        (USER, "178266112"),
    ];
    for (query, value) in answers {
        routes.insert(query_path(query), Route::Json(200, answer(value)));
    }
    let live = start(routes, None);
    let saved = live.dir.path().join("bundle.json");
    let (code, _, err) = live.run(&[
        "csi/blockvol-fs-1",
        "--compare",
        "console@4.8,lens@5",
        "--compare-query",
        USER_TEMPLATE,
        "--save-bundle",
        saved.to_str().unwrap(),
        "-o",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let b: Value = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    let user_entry = format!("query:{USER}");
    assert_eq!(
        b["compare"],
        serde_json::json!(["console@4.3", "lens@5", user_entry])
    );
    let entries = prometheus_entries(&b);
    let purposes: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
    let user_purpose = format!("compare:{user_entry}");
    assert_eq!(
        purposes,
        [
            "memory",
            "cpu",
            "cpu-samples",
            "raw-series",
            "compare:console@4.3",
            "compare:lens@5",
            user_purpose.as_str()
        ]
    );
    for ((query, value), entry) in answers.iter().zip(&entries[4..]) {
        assert_eq!((entry.1.as_str(), entry.2.as_str()), (*query, TIME));
        let q = b["sources"]["prometheus"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["query"] == *query)
            .unwrap();
        assert_eq!(q["source"]["request"], query_path(query).as_str());
        assert_eq!(q["source"]["outcome"]["body"], answer(value).as_str());
        assert_eq!(times_asked(&live, &query_path(query)), 1);
    }
    // The adapter's own queries are unchanged and at the same time.
    assert!(entries[..4].iter().all(|e| e.2 == TIME), "{entries:?}");
}

#[test]
fn compare_without_a_value_asks_for_the_clusters_tool_and_a_replay_replaces_the_list() {
    let (_, mut routes) = seed_routes_without_prometheus();
    routes.insert(query_path(CONSOLE), Route::Json(200, answer("89133056")));
    let live = start(routes, None);
    let saved = live.dir.path().join("bundle.json");
    let saved = saved.to_str().unwrap();
    let (code, _, err) = live.run(&[
        "csi/blockvol-fs-1",
        "--save-bundle",
        saved,
        "-o",
        "json",
        "--compare",
    ]);
    assert_eq!(code, 0, "{err}");
    let b: Value = serde_json::from_str(&std::fs::read_to_string(saved).unwrap()).unwrap();
    // The seed is OpenShift (its adapter is in openshift-monitoring): the console's pod page.
    assert_eq!(b["compare"], serde_json::json!(["console@4.3"]));
    let last = prometheus_entries(&b).pop().unwrap();
    assert_eq!(
        last,
        ("compare:console@4.3".into(), CONSOLE.into(), TIME.into())
    );

    // Without --compare a live trace asks for nothing and stores no `compare`.
    let plain = live.dir.path().join("plain.json");
    let (code, _, err) = live.run(&[
        "csi/blockvol-fs-1",
        "--save-bundle",
        plain.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let p: Value = serde_json::from_str(&std::fs::read_to_string(&plain).unwrap()).unwrap();
    assert!(p.get("compare").is_none(), "{}", p["compare"]);
    assert_eq!(times_asked(&live, &query_path(CONSOLE)), 1);

    // A replay takes --compare too (the list it analyses is tested in app's unit tests); an
    // unknown tool is a usage error naming the known tags, before the bundle is read.
    let replay = |extra: &str| {
        let args = [
            "pod",
            "csi/blockvol-fs-1",
            "--from",
            saved,
            "--compare",
            extra,
        ];
        ktrace(&args, live.dir.path())
    };
    let (code, _, err) = replay("lens");
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = replay("grafana");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown tool \"grafana\""), "{err}");
    assert!(err.contains("lens@5, lens@6"), "{err}");
}

/// The issue's user query against a REAL Prometheus 2.42 scraping the seed's kubelet lines:
/// it sums the pod cgroup and the containers, so ktrace explains it as 2× `top`, and the
/// explanation's bytes are exactly what that Prometheus answers.
#[test]
fn a_user_query_is_explained_as_twice_top_and_equals_real_prometheus() {
    let seed = crate::support::fixtures::bundle("seed-ocp48-crio-cgv1.json");
    let pod_lines = crate::support::scenario::body(&seed, "kubelet_cadvisor");
    let Some((prom, _target)) = super::prometheus_scraping(pod_lines, USER) else {
        return;
    };
    let mut routes = crate::support::scenario::routes_from(&seed, Some(&super::now_rfc3339()));
    routes.insert(OCP_PROM_PROXY, Route::proxy(&prom.url()));
    let live = start(routes, Some("csi"));
    let (code, out, err) = live.run(&[
        "blockvol-fs-1",
        "-o",
        "json",
        "--compare-query",
        USER_TEMPLATE,
    ]);
    assert_eq!(code, 0, "{err}\n{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let c = &v["compare"][0];
    assert_eq!(c["asked"], format!("query:{USER}"), "{c:#}");
    // pod cgroup 89133056 + POD 180224 + centos-tools 88784896 (fixtures/README.md).
    assert_eq!(c["explanation"]["tool"]["bytes"], 178098176, "{c:#}");
    assert_eq!(c["prometheus_value"], "178098176", "{c:#}");
    assert_eq!(c["prometheus_agrees"], true, "{c:#}");
    let terms: Vec<(&str, i64)> = c["explanation"]["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["kind"].as_str().unwrap(), t["bytes"].as_i64().unwrap()))
        .collect();
    assert_eq!(terms, [("pod_cgroup", 89133056)], "{c:#}");
    let ratio = c["ratio"].as_f64().unwrap();
    assert!((2.0..2.01).contains(&ratio), "{ratio}");
}
