//! Section 3's CPU line: the CPU lineage's requests (the `cpu-samples` range query and the
//! Prometheus buildinfo) must start in the same wave as the rule's queries, i.e. cost no
//! extra round trip on the critical path. A wave is a burst of requests that start together
//! because what they wait for came back in the same round trip.

use std::collections::HashMap;
use std::time::Duration;

use bytes::Bytes;
use ktrace::promql::plan::range_call;
use serde_json::Value;

use super::server::{Answer, Logged};

/// Percent-encoding of a query value as ktrace writes it (RFC 3986 unreserved bytes kept).
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Answers for the two CPU requests a schema-1 seed bundle has no record of: the cpu rule's
/// range selector at the rule's time (a matrix of the seed's counters, flat, so irate = 0 as
/// the seed's answer says) and the buildinfo of OCP 4.8's Prometheus (2.26.1).
pub fn add_cpu_answers(seed: &Value, routes: &mut HashMap<String, Answer>) {
    let cpu = seed["sources"]["prometheus"]
        .as_array()
        .and_then(|qs| qs.iter().find(|q| q["purpose"] == "cpu"))
        .expect("the seed's cpu query");
    let request = cpu["source"]["request"].as_str().expect("cpu request");
    let (query_path, _) = request.split_once('?').expect("a query string");
    let time: i64 = cpu["time"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .expect("time");
    let selector = range_call(cpu["query"].as_str().unwrap()).expect("a range call");
    let series = |container: &str, value: &str| {
        let values: Vec<Value> = (0..10)
            .rev()
            .map(|k| serde_json::json!([time - 30 * k, value]))
            .collect();
        serde_json::json!({"metric": {"container": container, "pod": "blockvol-fs-1"}, "values": values})
    };
    let matrix = serde_json::json!({"status": "success", "data": {"resultType": "matrix",
        "result": [series("POD", "0.038512094"), series("centos-tools", "0.412379021")]}});
    let json = |v: Value| Answer {
        content_type: "application/json",
        body: Bytes::from(v.to_string()),
    };
    routes.insert(
        format!("{query_path}?query={}&time={time}", encode(&selector.query)),
        json(matrix),
    );
    let base = query_path.trim_end_matches("/api/v1/query");
    routes.insert(
        format!("{base}/api/v1/status/buildinfo"),
        json(
            serde_json::json!({"status": "success", "data": {"version": "2.26.1",
            "revision": "", "branch": "", "buildUser": "", "buildDate": "", "goVersion": ""}}),
        ),
    );
}

/// A short name for a logged request.
fn name(pq: &str) -> String {
    let (path, query) = pq.split_once('?').unwrap_or((pq, ""));
    if path.ends_with("/api/v1/status/buildinfo") {
        return "buildinfo".into();
    }
    if path.ends_with("/api/v1/query") {
        let q = query.trim_start_matches("query=");
        return if q.starts_with("container_cpu_usage_seconds_total") {
            "cpu-samples".into()
        } else if q.contains("container_cpu_usage") {
            "cpu".into()
        } else if q.contains("container_memory_working_set_bytes") {
            "memory".into()
        } else {
            "raw-series".into()
        };
    }
    if path.starts_with("/apis/metrics.k8s.io/") && path.contains("/pods/") {
        return "PodMetrics".into();
    }
    let mut parts = path.rsplit('/').filter(|p| !p.is_empty());
    let last = parts.next().unwrap_or("/");
    match parts.next() {
        Some(kind) if !matches!(kind, "v1" | "v1beta1") => format!("{kind}/{last}"),
        _ => last.to_string(),
    }
}

/// The requests grouped into waves: a request more than half a latency after the first
/// request of the current wave opens the next one.
fn waves(log: &[Logged], latency: Duration) -> Vec<Vec<&Logged>> {
    let mut sorted: Vec<&Logged> = log.iter().collect();
    sorted.sort_by_key(|l| l.started);
    let mut out: Vec<Vec<&Logged>> = Vec::new();
    for l in sorted {
        match out.last_mut() {
            Some(w) if l.started.duration_since(w[0].started) < latency / 2 => w.push(l),
            _ => out.push(vec![l]),
        }
    }
    out
}

/// Prints the waves of one trace's requests and where the CPU requests started, relative to
/// the memory query. Panics if a CPU request was not answered 200 (then the benchmark's
/// route for it is wrong and the line would measure a 404).
pub fn print(log: &[Logged], latency: Duration) {
    let waves = waves(log, latency);
    let first = waves[0][0].started;
    let wave_of = |what: &str| {
        waves.iter().enumerate().find_map(|(i, w)| {
            w.iter()
                .find(|l| name(&l.path_and_query) == what)
                .map(|l| (i + 1, *l))
        })
    };
    println!("\nrequest waves of one trace (start relative to the first request):\n");
    for (i, w) in waves.iter().enumerate() {
        let names: Vec<String> = w.iter().map(|l| name(&l.path_and_query)).collect();
        let at = w[0].started.duration_since(first).as_secs_f64() * 1000.0;
        println!("- wave {} (+{at:.0} ms): {}", i + 1, names.join(", "));
    }
    let Some((mem_wave, mem)) = wave_of("memory") else {
        println!("\nno memory query in the log");
        return;
    };
    let mut parts = Vec::new();
    for what in ["cpu", "cpu-samples", "buildinfo"] {
        let Some((wave, l)) = wave_of(what) else {
            panic!("no {what} request in the trace");
        };
        assert_eq!(l.status, 200, "{what} was answered {}", l.status);
        let ms = |a: std::time::Instant, b| a.duration_since(b).as_secs_f64() * 1000.0;
        let d = if l.started < mem.started {
            -ms(mem.started, l.started)
        } else {
            ms(l.started, mem.started)
        };
        parts.push(format!("{what} {d:+.1} ms (wave {wave})"));
    }
    println!(
        "\nCPU additions vs the memory query (wave {mem_wave} of {}): {}; no extra round trip when every one is in wave {mem_wave}",
        waves.len(),
        parts.join(", ")
    );
}
