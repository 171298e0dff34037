//! The CPU lineage (`report.cpu`) on the seed bundle edited in memory: a `cpu-samples`
//! matrix written here, a buildinfo, the cpu answer and the PodMetrics set to what the
//! samples give. Expected floats are derived by hand in the comments: every sample value is
//! a dyadic fraction, so differences are exact and only the final division rounds.

use serde_json::{Value, json};

use super::*;

/// The rule's evaluation time in the seed (`time=1636128362`, 2021-11-05T16:06:02Z).
const T: i64 = 1_636_128_362;
const SELECTOR: &str = r#"container_cpu_usage_seconds_total{namespace="csi",pod="blockvol-fs-1",container!="",pod!=""}[5m]"#;
const ID: &str = "/kubepods.slice/kubepods-besteffort.slice/crio-12b0.scope";

fn labels(container: &str, extra: &[(&str, &str)]) -> Value {
    let mut m = json!({
        "__name__": "container_cpu_usage_seconds_total",
        "container": container,
        "cpu": "total",
        "id": ID,
        "name": format!("k8s_{container}_0"),
        "namespace": "csi",
        "pod": "blockvol-fs-1",
    });
    for (k, v) in extra {
        m[*k] = json!(v);
    }
    m
}

/// One matrix series: `(seconds before T, value text)` pairs.
fn series(labels: Value, points: &[(i64, &str)]) -> Value {
    let values: Vec<Value> = points.iter().map(|(ago, v)| json!([T - ago, v])).collect();
    json!({"metric": labels, "values": values})
}

fn ok(body: String) -> Value {
    json!({"request": "/api/v1/namespaces/openshift-monitoring/services/https:prometheus-k8s:9091/proxy/api/v1/query", "outcome": {"status": "ok", "http_status": 200, "body": body}})
}

/// The POD container's counter, flat (irate 0).
fn pause() -> Value {
    series(
        labels("POD", &[]),
        &[(90, "5"), (60, "5"), (30, "5"), (0, "5")],
    )
}

/// Seed + buildinfo 2.42.0+ds + a cpu-samples answer holding `result`, a cpu answer of
/// `centos` for centos-tools (0 for POD), PodMetrics usage.cpu `usage` for centos-tools.
fn edit(v: &mut Value, result: Vec<Value>, centos: &str, usage: &str) {
    let s = &mut v["sources"];
    s["prometheus_buildinfo"] = ok(
        json!({"status":"success","data":{"version":"2.42.0+ds","revision":"2.42.0+ds-5+deb12u1"}})
            .to_string(),
    );
    let matrix = json!({"status":"success","data":{"resultType":"matrix","result": result}});
    let mut samples = ok(matrix.to_string());
    samples["request"] = json!(format!("/api/v1/query?time={T}"));
    // The seed's own cpu-samples answer is replaced by the one written here.
    let queries = s["prometheus"].as_array_mut().unwrap();
    queries.retain(|q| q["purpose"] != "cpu-samples");
    queries.push(json!({
        "purpose": "cpu-samples", "query": SELECTOR, "time": T.to_string(), "source": samples,
    }));
    let answer = json!({"status":"success","data":{"resultType":"vector","result":[
        {"metric":{"container":"POD","pod":"blockvol-fs-1"},"value":[T,"0"]},
        {"metric":{"container":"centos-tools","pod":"blockvol-fs-1"},"value":[T, centos]},
    ]}});
    let cpu = s["prometheus"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|q| q["purpose"] == "cpu")
        .unwrap();
    cpu["source"]["outcome"]["body"] = json!(answer.to_string());
    let pm = &mut s["pod_metrics"]["outcome"]["body"];
    let mut body: Value = serde_json::from_str(pm.as_str().unwrap()).unwrap();
    body["containers"][1]["usage"]["cpu"] = json!(usage);
    *pm = json!(body.to_string());
}

/// The centos-tools irate series: 0.5625 s of CPU every 30 s (100, 100.5625, 101.125,
/// 101.6875 are exact in binary), so irate = 0.5625 / 30, the double nearest 0.01875,
/// written `0.01875`; int64(0.01875 × 1000) = 18 → `18m`.
fn steady() -> Vec<Value> {
    vec![
        pause(),
        series(
            labels("centos-tools", &[]),
            &[
                (90, "100"),
                (60, "100.5625"),
                (30, "101.125"),
                (0, "101.6875"),
            ],
        ),
    ]
}

fn run_cpu(result: Vec<Value>, centos: &str, usage: &str) -> (i32, String, Value) {
    run_modified(|v| edit(v, result, centos, usage))
}

fn container<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["cpu"]["value"]["containers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap()
}

fn codes(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["severity"].as_str().unwrap(),
                f["code"].as_str().unwrap()
            )
        })
        .filter(|c| c.contains(" cpu-"))
        .collect()
}

fn finding<'a>(v: &'a Value, code: &str) -> &'a Value {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {}", v["findings"]))
}

#[test]
fn irate_is_recomputed_bit_for_bit_and_traced_to_the_top_string() {
    let (code, text, v) = run_cpu(steady(), "0.01875", "18m");
    let cpu = &v["cpu"]["value"];
    assert_eq!(cpu["backend"], "prometheus-adapter");
    assert_eq!(
        cpu["engine"],
        json!({"version":"2.42.0+ds","applied":"2.42","semantics":"2.x: closed range [T−R, T]",
               "why":"the server's /api/v1/status/buildinfo says version 2.42.0+ds"})
    );
    assert_eq!(
        (cpu["function"].as_str(), cpu["range"].as_str()),
        (Some("irate"), Some("5m"))
    );
    let c = container(&v, "centos-tools");
    assert_eq!(c["top"], "18m");
    assert_eq!(c["metrics_api"], "18m");
    assert_eq!(c["metrics_api_nanocores"], 18_000_000);
    assert_eq!(c["backend_value"], "0.01875");
    assert_eq!(c["recomputed"], "0.01875");
    assert_eq!(c["bit_exact"], true);
    assert_eq!(c["adapter_millicores"], 18);
    assert_eq!(
        c["arithmetic"],
        "18m ← usage.cpu 18m ← int64(0.01875 × 1000) = 18 ← irate = (101.6875 − 101.125) / 30 s = 0.01875 (the last two samples)"
    );
    let s = &c["series"][0];
    assert_eq!(s["used"], json!([2, 3]));
    assert_eq!(s["value"], "0.01875");
    assert_eq!(
        s["samples"][2],
        json!({"t":"2021-11-05T16:05:32Z","age":"30 s before the evaluation time","value":"101.125"})
    );
    assert_eq!(
        s["labels"][0],
        json!(["__name__", "container_cpu_usage_seconds_total"])
    );
    assert_eq!(container(&v, "POD")["recomputed"], "0");
    assert_eq!(
        cpu["pod_row"],
        json!({"top":"18m","arithmetic":"Σ usage.cpu = 0 + 18m = 18000000n; rounded up once: ceil(18 m) → 18m"})
    );
    assert_eq!(
        v["summary"]["cpu"]["text"],
        "CPU 18m: centos-tools's irate over the last two samples 30 s apart (0.5625 s of CPU in 30 s), recomputed = Prometheus's answer bit for bit for each of the 2 containers — but the rate over all 4 samples of the window would give 6m."
    );
    assert_eq!((code, v["verdict"].as_str()), (0, Some("consistent")));
    // The series is 90 s old in a 5m window: the rate (6m) is under half the irate (18m).
    assert_eq!(codes(&v), ["warn cpu-irate-vs-rate"]);
    // rate over the 4 samples [T−90, T] of [5m] at 2.42: increase 1.6875, sampled 90 s,
    // start gap 210 s ≥ 1.1 × 30 → 15 s, end 0 → 1.6875 × (105 / 90 / 300).
    let rate = 1.6875 * (105.0_f64 / 90.0 / 300.0);
    let f = finding(&v, "cpu-irate-vs-rate");
    assert_eq!(
        f["message"],
        "container centos-tools: irate reads only the last two samples (30 s apart) and gives 18m; the rate over all 4 samples of the window would give 6m."
    );
    assert_eq!(
        f["evidence"][0],
        format!("irate = 0.01875 (last two samples); rate over the window = {rate}")
    );
    assert!(
        text.contains("recomputed from the samples = Prometheus's answer, bit for bit"),
        "{text}"
    );
    assert!(
        text.contains("#4 2021-11-05T16:06:02Z (at the evaluation time) 101.6875"),
        "{text}"
    );
}

#[test]
fn a_different_last_bit_is_a_disagreement() {
    // 0.018750000000000003 is the double one ulp above 0.01875.
    let (code, _, v) = run_cpu(steady(), "0.018750000000000003", "18m");
    let c = container(&v, "centos-tools");
    assert_eq!(c["bit_exact"], false);
    assert_eq!(c["adapter_millicores"], 18);
    let f = finding(&v, "cpu-recompute-differs");
    assert_eq!(f["severity"], "disagree");
    assert_eq!(f["evidence"][0], "recomputed 0.01875 = 0x3f93333333333333");
    assert_eq!(
        f["evidence"][1],
        "Prometheus 0.018750000000000003 = 0x3f93333333333334"
    );
    assert_eq!(v["verdict"], "disagree");
    assert_eq!(code, exit_code(Verdict::Disagree));
    assert_eq!(v["summary"]["cpu"]["tone"], "bad");
}

#[test]
fn podmetrics_not_the_adapters_truncation_is_a_backend_difference() {
    let (_, _, v) = run_cpu(steady(), "0.01875", "19m");
    let f = finding(&v, "cpu-backend-differs");
    assert_eq!(
        f["message"],
        "centos-tools: the cpu rule answered 0.01875 → int64(× 1000) = 18m, but PodMetrics says usage.cpu 19m (19000000n)."
    );
    assert_eq!(v["verdict"], "disagree");
}

/// The seed as a schema-1 bundle had it: no buildinfo, no cpu-samples query.
fn schema_1(v: &mut Value) {
    v["schema_version"] = json!(1);
    let s = v["sources"].as_object_mut().unwrap();
    s.remove("prometheus_buildinfo");
    let queries = s["prometheus"].as_array_mut().unwrap();
    queries.retain(|q| q["purpose"] != "cpu-samples");
}

#[test]
fn old_bundles_say_what_is_missing_and_how_to_get_it() {
    let (code, _, v) = run_modified(schema_1);
    assert_eq!(code, 0);
    let cpu = &v["cpu"]["value"];
    assert_eq!(cpu["engine"]["version"], Value::Null);
    assert_eq!(
        cpu["engine"]["why"],
        "no Prometheus buildinfo in the evidence (a bundle from before schema 2): 2.x semantics assumed (2.42), not known"
    );
    let c = container(&v, "centos-tools");
    assert_eq!(
        (c["backend_value"].as_str(), c["recomputed"].as_str()),
        (Some("0.019246436618779814"), None)
    );
    assert_eq!(c["bit_exact"], Value::Null);
    assert_eq!(c["adapter_millicores"], 19);
    let missing = cpu["missing"][1].as_str().unwrap();
    assert!(
        missing.starts_with("cpu-samples: not in the evidence (a bundle from before schema 2); by hand: kubectl get --raw '/api/v1/namespaces/openshift-monitoring/services/https:prometheus-k8s:9091/proxy/api/v1/query?query=container_cpu_usage_seconds_total%7Bnamespace%3D%22csi%22"),
        "{missing}"
    );
    assert!(missing.ends_with("%5B5m%5D&time=1636128362'"), "{missing}");
}

/// The seed with its cpu rule's `irate(...[5m])` made `rate(...[1m])` (config and the query sent).
fn rate_1m(v: &mut Value) {
    let swap = |s: &str| s.replace("irate(", "rate(").replace("[5m]", "[1m]");
    let cm = &mut v["sources"]["adapter_config"]["outcome"]["body"];
    *cm = json!(swap(cm.as_str().unwrap()));
    for q in v["sources"]["prometheus"].as_array_mut().unwrap() {
        if q["purpose"] == "cpu" {
            q["query"] = json!(swap(q["query"].as_str().unwrap()));
        }
    }
}

#[test]
fn a_series_younger_than_the_window_is_extrapolated_half_an_interval() {
    // 10, 10.25, 10.5 at T−24, T−12, T under rate[1m]: increase 0.5, sampled 24 s, average
    // 12 s; the start gap 36 s ≥ 13.2 s → extend 6 s (zero point 480 s away is not nearer);
    // end 0. rate = 0.5 × (30 / 24 / 60); a full window: 0.5 / 24 per second.
    let rate = 0.5 * (30.0_f64 / 24.0 / 60.0);
    let young = series(
        labels("centos-tools", &[]),
        &[(24, "10"), (12, "10.25"), (0, "10.5")],
    );
    let (_, _, v) = run_modified(|v| {
        rate_1m(v);
        edit(v, vec![pause(), young], &rate.to_string(), "10m");
    });
    let c = container(&v, "centos-tools");
    assert_eq!(c["recomputed"], rate.to_string());
    assert_eq!(c["bit_exact"], true);
    assert_eq!(c["adapter_millicores"], 10);
    assert_eq!(v["cpu"]["value"]["range"], "1m");
    let f = finding(&v, "cpu-young-series");
    assert_eq!(f["severity"], "warn");
    assert_eq!(
        f["message"],
        format!(
            "container centos-tools: the series starts 36 s into the [1m] window (more than 1.1 × its 12 s sample interval), so rate extrapolates only half an interval there: factor 1.25 over 24 s sampled, giving {rate}. Over the samples it has, the counter rose 0.5 in 24 s: a fully covered window would give {} per second.",
            0.5_f64 / 24.0
        )
    );
    assert_eq!(
        f["evidence"],
        json!([
            "sample 2021-11-05T16:05:38Z 10",
            "sample 2021-11-05T16:06:02Z 10.5"
        ])
    );
    assert_eq!(
        c["series"][0]["arithmetic"],
        format!(
            "rate = 0.5 × (24 + 6 + 0) s / 24 s / 60 s = {rate} (increase × (sampled + start + end) / sampled)"
        )
    );
}

#[test]
fn a_counter_reset_inside_the_window_is_told_with_the_pre_reset_value() {
    // After the drop irate still uses the last two: (0.8125 − 0.25) / 30 = 0.5625 / 30.
    let reset = series(
        labels("centos-tools", &[]),
        &[(90, "100"), (60, "100.5625"), (30, "0.25"), (0, "0.8125")],
    );
    let (_, _, v) = run_cpu(vec![pause(), reset], "0.01875", "18m");
    assert_eq!(container(&v, "centos-tools")["bit_exact"], true);
    let f = finding(&v, "cpu-counter-reset");
    assert_eq!(f["severity"], "warn");
    assert!(
        f["message"].as_str().unwrap().starts_with(
            "container centos-tools: the counter dropped from 100.5625 to 0.25 at 2021-11-05T16:05:32Z inside the window"
        ),
        "{f}"
    );
}

#[test]
fn per_cpu_series_are_summed_by_the_rule() {
    // Each CPU: 0.28125 s in 30 s = half of 0.5625 / 30 (halving is exact), so the sum is
    // the double of 0.01875 again.
    let cpu = |n: &str| {
        series(
            labels("centos-tools", &[("cpu", n)]),
            &[(30, "100"), (0, "100.28125")],
        )
    };
    let (_, _, v) = run_cpu(vec![pause(), cpu("cpu00"), cpu("cpu01")], "0.01875", "18m");
    let c = container(&v, "centos-tools");
    assert_eq!(c["recomputed"], "0.01875");
    assert_eq!(c["bit_exact"], true);
    assert_eq!(c["series"].as_array().unwrap().len(), 2);
    assert!(
        c["arithmetic"]
            .as_str()
            .unwrap()
            .ends_with("← Σ 2 series: 0.009375 + 0.009375 = 0.01875")
    );
    let f = finding(&v, "cpu-per-cpu-series");
    assert_eq!(f["severity"], "info");
    assert!(
        f["message"].as_str().unwrap().contains("(cpu00, cpu01)"),
        "{f}"
    );
}

#[test]
fn an_old_container_instance_still_in_the_window_is_summed() {
    let old = series(
        labels(
            "centos-tools",
            &[("id", "/old.scope"), ("name", "k8s_centos-tools_old")],
        ),
        &[(60, "50"), (30, "50.28125")],
    );
    let new = series(labels("centos-tools", &[]), &[(30, "0"), (0, "0.28125")]);
    let (_, _, v) = run_cpu(vec![pause(), old, new], "0.01875", "18m");
    assert_eq!(container(&v, "centos-tools")["bit_exact"], true);
    let f = finding(&v, "cpu-old-instance");
    assert_eq!(f["severity"], "warn");
    assert_eq!(f["evidence"].as_array().unwrap().len(), 2);
}

#[test]
fn throttling_and_headroom_come_from_cadvisor_and_the_pod_spec() {
    let (_, _, v) = run_modified(|v| {
        edit(v, steady(), "0.01875", "18m");
        let s = &mut v["sources"];
        let lbl = r#"{container="centos-tools",namespace="csi",pod="blockvol-fs-1"}"#;
        let cad = &mut s["kubelet_cadvisor"]["outcome"]["body"];
        let text = format!(
            "{}container_cpu_cfs_periods_total{lbl} 1000\ncontainer_cpu_cfs_throttled_periods_total{lbl} 25\n",
            cad.as_str().unwrap()
        );
        *cad = json!(text);
        let pod = &mut s["pod"]["outcome"]["body"];
        let mut p: Value = serde_json::from_str(pod.as_str().unwrap()).unwrap();
        p["spec"]["containers"][0]["resources"] =
            json!({"requests":{"cpu":"100m"},"limits":{"cpu":"0.5"}});
        *pod = json!(p.to_string());
    });
    let t = finding(&v, "cpu-throttled");
    assert_eq!(t["severity"], "warn");
    assert!(
        t["message"].as_str().unwrap().starts_with(
            "centos-tools was throttled in 25 of 1000 CFS periods since it started (2.5%"
        ),
        "{t}"
    );
    assert_eq!(t["evidence"].as_array().unwrap().len(), 2);
    let h = finding(&v, "cpu-headroom");
    assert_eq!(
        h["message"],
        "centos-tools uses 18m: 18.0% of its 100m request, 3.6% of its 0.5 limit."
    );
    assert_eq!(
        v["pod"]["value"]["containers"][0]["cpu_limit_millicores"],
        500
    );
}

#[test]
fn metrics_server_rows_round_up_each_and_the_pod_row_once_with_ktraces_own_check() {
    const POD: &str = "metrics-server-9d74bb658-c6nnt";
    let line = |value: &str, ms: i64| {
        format!(
            "container_cpu_usage_seconds_total{{container=\"metrics-server\",namespace=\"kube-system\",pod=\"{POD}\"}} {value} {ms}"
        )
    };
    // PodMetrics timestamp 2026-06-26T10:14:36Z = 1782468876 s; the bundle's own reading
    // is replaced by 4.7 at 15 s before it, the second reading is 4.715000015 at it.
    let (_, text, v) = run_edited(
        "containerd-cgv2-ms.json",
        &format!("kube-system/{POD}"),
        |v| {
            let s = &mut v["sources"];
            let body = s["kubelet_resource"]["outcome"]["body"].as_str().unwrap();
            let first = body.replace(
                &line("0.90173", 1_782_468_876_586),
                &line("4.7", 1_782_468_861_000),
            );
            assert_ne!(first, body, "the bundle's cpu line is replaced");
            let second = first.replace(
                &line("4.7", 1_782_468_861_000),
                &line("4.715000015", 1_782_468_876_000),
            );
            s["kubelet_resource"]["outcome"]["body"] = json!(first);
            let mut again = s["kubelet_resource"].clone();
            again["outcome"]["body"] = json!(second);
            s["kubelet_resource_second"] = again;
            let pm = &mut s["pod_metrics"]["outcome"]["body"];
            let mut body: Value = serde_json::from_str(pm.as_str().unwrap()).unwrap();
            body["containers"][0]["usage"]["cpu"] = json!("1000001n");
            let sidecar = json!({"name": "sidecar", "usage": {"cpu": "1000001n", "memory": "1Mi"}});
            body["containers"].as_array_mut().unwrap().push(sidecar);
            *pm = json!(body.to_string());
        },
    );
    let cpu = &v["cpu"]["value"];
    assert_eq!(cpu["backend"], "metrics-server");
    assert_eq!(cpu["engine"], Value::Null);
    assert_eq!(cpu["window"], "1m0.002s");
    let c = container(&v, "metrics-server");
    assert_eq!(c["top"], "2m");
    assert_eq!(c["metrics_api_nanocores"], 1_000_001);
    assert_eq!(
        (&c["backend_value"], &c["recomputed"], &c["bit_exact"]),
        (&Value::Null, &Value::Null, &Value::Null)
    );
    assert_eq!(
        c["kubelet"],
        json!({"value": "4.7", "at": "2026-06-26T10:14:21Z (15 s before the PodMetrics timestamp)"})
    );
    // uint64(4.715000015e9) − uint64(4.7e9) = 15000015 ns over 15 s = 1000001n.
    assert_eq!(
        c["own_check"],
        "ktrace's own check (two kubelet readings 15 s apart), not metrics-server's value: (4715000015 − 4700000000) ns / 15 s = 1000001n → 2m"
    );
    assert_eq!(c["series"][0]["used"], json!([0, 1]));
    assert_eq!(container(&v, "sidecar")["top"], "2m");
    assert_eq!(
        cpu["pod_row"],
        json!({"top": "3m", "arithmetic": "Σ usage.cpu = 1000001n + 1000001n = 2000002n; rounded up once: ceil(2.000002 m) → 3m"})
    );
    let second: Vec<(&str, bool)> = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap(),
                s["required"].as_bool().unwrap(),
            )
        })
        .filter(|(n, _)| n.contains("second"))
        .collect();
    assert_eq!(
        second,
        [("kubelet /metrics/resource (second reading)", false)]
    );
    assert!(
        text.contains("CPU 3m: metrics-server's rate between two kubelet readings 1m0.002s apart, ending 2026-06-26T10:14:36Z; ktrace's own check gives 1000001n → 2m"),
        "{text}"
    );
}
