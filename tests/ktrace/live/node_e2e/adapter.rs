//! The prometheus-adapter backend of OpenShift 4.8 (its real ConfigMap) for the real node
//! `datagen-1-35`: a real Prometheus 2.42 scrapes the real node-exporter 1.5.0 capture as the
//! node's `node-exporter` target (`instance="datagen-1-35"`, the idle counters advancing with
//! wall time) and the `node_namespace_pod:kube_pod_info:` series the CPU nodeQuery joins on.
//! The NodeMetrics served is what the adapter builds from that Prometheus's answers to the
//! rendered nodeQueries at a whole second `T`; ktrace, sending the same queries at `T`, must
//! find the same values, and real kubectl must print what ktrace predicts.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::{Value, json};

use super::agree::{assert_describe_agrees, assert_top_agrees, live_equals_replay, rest_by_hand};
use super::{NODE, node_metrics, node_routes, pod_metrics_list, served_pods};
use crate::live::{OCP_PROM_PROXY, start};
use crate::support::apiserver::Route;
use crate::support::fixtures;
use crate::support::scenario::{body, bundle, request};
use crate::support::tools::{self, Prometheus, ScrapeTarget};

/// The node-exporter pod the join names (namespace and pod are target labels of the
/// node-exporter ServiceMonitor's scrape on OpenShift).
const EXPORTER_POD: &str = "node-exporter-7xk2p";

/// Each CPU's idle rate, in CPU-seconds per second.
const IDLE_RATES: [(&str, f64); 2] = [("0", 0.75), ("1", 0.5)];

const MEMORY_QUERY: &str = r#"sum(node_memory_MemTotal_bytes{job="node-exporter",instance="datagen-1-35"} - node_memory_MemAvailable_bytes{job="node-exporter",instance="datagen-1-35"}) by (instance) or sum(windows_cs_physical_memory_bytes{job="windows-exporter",instance="datagen-1-35"} - windows_memory_available_bytes{job="windows-exporter",instance="datagen-1-35"}) by (instance)"#;
const CPU_QUERY: &str = r#"sum(1 - irate(node_cpu_seconds_total{mode="idle"}[5m]) * on(namespace, pod) group_left(node) node_namespace_pod:kube_pod_info:{node="datagen-1-35"}) by (node) or sum (1- irate(windows_cpu_time_total{mode="idle", job="windows-exporter",node="datagen-1-35"}[5m])) by (node)"#;

/// The t1 capture with its `mode="idle"` lines moving at [`IDLE_RATES`] from now on (the
/// capture holds one reading; a static body would give an irate of 0, a fully busy node).
fn moving_node_exporter() -> Arc<dyn Fn() -> Bytes + Send + Sync> {
    let text = fixtures::realdata("node/local-node-exporter-1.5.0-scrape-t1.prom");
    let t0 = Instant::now();
    Arc::new(move || {
        let elapsed = t0.elapsed().as_secs_f64();
        let mut out = String::new();
        for line in text.lines() {
            let rate = IDLE_RATES.iter().find(|(cpu, _)| {
                line.starts_with(&format!(
                    r#"node_cpu_seconds_total{{cpu="{cpu}",mode="idle"}} "#
                ))
            });
            match rate {
                Some((_, r)) => {
                    let (head, v) = line.rsplit_once(' ').unwrap();
                    let v: f64 = v.parse().unwrap();
                    out.push_str(&format!("{head} {}", v + r * elapsed));
                }
                None => out.push_str(line),
            }
            out.push('\n');
        }
        Bytes::from(out)
    })
}

/// `int64(v × 1000)` as the adapter converts a sample (NaN or negative: 0).
fn adapter_milli(value: &str) -> i64 {
    let v: f64 = value.parse().unwrap();
    if v.is_nan() || v < 0.0 {
        0
    } else {
        (v * 1000.0) as i64
    }
}

/// `NewMilliQuantity(m, DecimalSI).String()` for whole or fractional cores: `749m`, `2`.
fn decimal_milli(m: i64) -> String {
    if m % 1000 == 0 {
        (m / 1000).to_string()
    } else {
        format!("{m}m")
    }
}

/// `NewMilliQuantity(m, BinarySI).String()` for a whole number of bytes (the only case
/// here: node-exporter's meminfo is in bytes); a fraction would print `…m`.
fn binary_milli(m: i64) -> String {
    assert_eq!(m % 1000, 0, "a fractional byte count: {m}m");
    super::binary_si(m / 1000)
}

/// The one sample value of an instant-vector answer.
fn only_value(answer: &Value) -> String {
    let result = answer["data"]["result"].as_array().unwrap();
    assert_eq!(result.len(), 1, "{answer}");
    result[0]["value"][1].as_str().unwrap().to_owned()
}

/// The PodMetricsList the adapter would serve for the same usage: whole millicores,
/// truncated (memory strings are the same BinarySI).
fn adapter_pod_metrics() -> Value {
    let mut pm = pod_metrics_list();
    for item in pm["items"].as_array_mut().unwrap() {
        item["window"] = json!("5m0s");
        for c in item["containers"].as_array_mut().unwrap() {
            let nanos = ktrace::quantity::parse(c["usage"]["cpu"].as_str().unwrap())
                .unwrap()
                .nanos();
            c["usage"]["cpu"] = json!(decimal_milli((nanos / 1_000_000) as i64));
        }
    }
    pm
}

#[test]
fn adapter_node_metrics_from_real_prometheus_predict_real_kubectl_and_replay() {
    let (addr, _exporter) = tools::serve_dynamic_text("/metrics", moving_node_exporter());
    let join = format!(
        "node_namespace_pod:kube_pod_info:{{namespace=\"openshift-monitoring\",node=\"{NODE}\",pod=\"{EXPORTER_POD}\"}} 1\n"
    );
    let (join_addr, _join) = tools::serve_static_text("/federate", join);
    let mut exporter = ScrapeTarget::new("node-exporter", addr, "/metrics");
    exporter.labels = vec![
        ("instance".into(), NODE.into()),
        ("namespace".into(), "openshift-monitoring".into()),
        ("pod".into(), EXPORTER_POD.into()),
    ];
    let rules = ScrapeTarget::new("recording-rules", join_addr, "/federate");
    let Some(mut prom) = Prometheus::start_if_available(&[exporter, rules]) else {
        return;
    };
    prom.wait_ready(Duration::from_secs(30)).unwrap();
    prom.wait_for_nonempty(CPU_QUERY, Duration::from_secs(60));
    std::thread::sleep(Duration::from_secs(2));
    let t = jiff::Timestamp::now().as_second() - 1;
    let (memory, cpu) = (
        only_value(&prom.query_at(MEMORY_QUERY, t)),
        only_value(&prom.query_at(CPU_QUERY, t)),
    );
    // MemTotal − MemAvailable of the capture: 25275990016 − 24633651200.
    assert_eq!(memory, "642338816");
    let stamp = jiff::Timestamp::from_second(t).unwrap().to_string();
    // The OpenShift 4.8 fork writes window 1m for nodes (CPU and memory share one time).
    let nm = node_metrics(
        &decimal_milli(adapter_milli(&cpu)),
        &binary_milli(adapter_milli(&memory)),
        &stamp,
        "1m0s",
    );
    assert_eq!(nm["usage"]["memory"], "627284Ki");
    let pm = adapter_pod_metrics();

    let seed = bundle("seed-ocp48-crio-cgv1.json");
    let yaml = fixtures::realdata(
        "adapter-config/openshift-cmo-release-4.8-prometheus-adapter-config-map.yaml",
    );
    let cm: Value = serde_saphyr::from_str(&yaml).unwrap();
    let routes = node_routes(&nm, &pm)
        .with(
            request(&seed, "apiservice"),
            Route::Json(200, body(&seed, "apiservice").into()),
        )
        .with(
            request(&seed, "backend_deployment"),
            Route::Json(200, body(&seed, "backend_deployment").into()),
        )
        .with(request(&seed, "adapter_config"), Route::json(&cm))
        .with(OCP_PROM_PROXY, Route::proxy(&prom.url()));
    let live = start(routes, None);
    let (r, b) = live_equals_replay(&live);
    assert_eq!(r["summary"]["verdict"], "consistent", "{:#}", r["summary"]);

    // ktrace sent the rendered nodeQueries at T and stored Prometheus's answers: the
    // values behind the NodeMetrics.
    let answer = |purpose: &str| -> Value {
        let q = b["sources"]["prometheus"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["purpose"] == purpose)
            .unwrap_or_else(|| panic!("no {purpose} query in the bundle"));
        assert!(
            q["source"]["request"]
                .as_str()
                .unwrap()
                .contains(&format!("time={t}")),
            "{q}"
        );
        serde_json::from_str(q["source"]["outcome"]["body"].as_str().unwrap()).unwrap()
    };
    assert_eq!(only_value(&answer("node-memory")), memory);
    // The source value behind NodeMetrics: the nodeQuery answers, memory and cpu exact.
    let backend = &r["backend"]["value"];
    eprintln!("adapter source: {} / {}", backend["memory"], backend["cpu"]);
    // Σ (1 − irate(idle)) recomputed from the node's raw idle samples = the answer, bit for bit.
    let adapter = &backend["adapter"]["value"];
    assert_eq!(
        adapter["cpu_recompute"]["value"]["recomputed"],
        adapter["cpu"]["value"]["value"]
    );
    assert_eq!(
        adapter["cpu_recompute"]["value"]["series"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "the node-exporter capture has two CPUs"
    );
    assert_eq!(backend["memory"]["status"], "exact", "{:#}", r["backend"]);
    assert_eq!(backend["cpu"]["status"], "exact", "{:#}", r["backend"]);
    assert_eq!(only_value(&answer("node-cpu")), cpu);

    let cpu_m = adapter_milli(&cpu);
    let top = &r["top"]["value"]["allocatable"]["cells"];
    assert_eq!(top[1], format!("{cpu_m}m"));
    assert_eq!(top[3], "612Mi", "floor(642338816 / 1048576)");
    assert_eq!(top[4], "7%", "int64(642338816000 / 8216887296000 × 100)");
    let (cpu_rest, mem_rest) = rest_by_hand(&nm, &pm, &served_pods());
    assert_eq!(r["cpu"]["rest"].as_i64(), Some(cpu_rest as i64));
    assert_eq!(r["memory"]["rest"].as_i64(), Some(mem_rest as i64));
    if tools::kubectl().is_none() {
        return;
    }
    assert_top_agrees(&live, &r);
    assert_describe_agrees(&live, &r);
}
