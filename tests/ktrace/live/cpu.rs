//! The CPU lineage live (issue 10): the test API server's kubelet body has CPU counters that
//! advance with wall time, a real Prometheus 2.42 scrapes them every second, and the PodMetrics
//! served is what prometheus-adapter would build from that Prometheus's answer at `T`. ktrace's
//! recomputed rate must equal Prometheus's to the bit, and real kubectl must print the CPU
//! strings ktrace predicts.
//!
//! The bundle and engine checks hold on their own; the `report.cpu` checks
//! ([`contract::assert_report_cpu`]) follow the JSON contract of the CPU lineage.

mod contract;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{Live, OCP_PROM_PROXY, assert_kubectl_agrees, kubectl_table, start};
use crate::support::apiserver::Route;
use crate::support::counters::{MovingCounters, Rate};
use crate::support::scenario::{body, bundle, request, routes_from};
use crate::support::tools::{self, Prometheus, ScrapeTarget, StaticTextServer};
use contract::Expected;
use ktrace::promql::plan::{RangeCall, range_call};
use ktrace::promql::rate::{self, Engine, Sample};

/// centos-tools' configured speed, in cores.
const CENTOS_RATE: f64 = 0.019;
/// The pause container's.
const POD_RATE: f64 = 0.0003;

fn rates() -> Vec<Rate> {
    vec![
        Rate::new("", CENTOS_RATE + POD_RATE),
        Rate::new("POD", POD_RATE),
        Rate::new("centos-tools", CENTOS_RATE),
    ]
}

/// Prometheus scraping the moving counters, and the counters themselves.
struct Scraped {
    prom: Prometheus,
    counters: Arc<MovingCounters>,
    _target: StaticTextServer,
}

/// A real Prometheus scraping the seed's kubelet lines with moving CPU counters. `None` only
/// when prometheus is missing and KTRACE_ALLOW_MISSING_TOOLS=1 outside CI.
fn scrape_moving(seed: &Value) -> Option<Scraped> {
    let counters = Arc::new(MovingCounters::new(
        body(seed, "kubelet_cadvisor"),
        &rates(),
    ));
    // The scrape target's lines carry no timestamp: the values are computed per request, so
    // the seed's 2021 capture times would be wrong for them, and Prometheus (honor_timestamps
    // false either way) stamps each sample with its own scrape time, as it does for a target
    // without explicit timestamps. The irate/rate intervals are then real scrape intervals.
    let (addr, target) = tools::serve_dynamic_text("/metrics/cadvisor", counters.scrape_body());
    let prom =
        Prometheus::start_if_available(&[ScrapeTarget::new("kubelet", addr, "/metrics/cadvisor")])?;
    Some(Scraped {
        prom,
        counters,
        _target: target,
    })
}

/// Sleeps until `secs` after `since`, then returns the evaluation time: a whole second at
/// least 1 s in the past, so every scrape stamped at or before it is already stored.
fn pick_t(since: Instant, secs: u64) -> i64 {
    if let Some(left) = Duration::from_secs(secs).checked_sub(since.elapsed()) {
        std::thread::sleep(left);
    }
    jiff::Timestamp::now().as_second() - 1
}

/// A millicore count as the adapter writes it (`NewMilliQuantity(m, DecimalSI)`): `19m`, `0`,
/// `1`, `1500m`.
fn milli_quantity(m: i64) -> String {
    if m % 1000 == 0 {
        (m / 1000).to_string()
    } else {
        format!("{m}m")
    }
}

/// The value string of the `container` sample of an instant-vector answer.
fn vector_value(answer: &Value, container: &str) -> Option<String> {
    answer["data"]["result"]
        .as_array()?
        .iter()
        .find(|s| s["metric"]["container"] == container)
        .and_then(|s| s["value"][1].as_str())
        .map(str::to_owned)
}

/// `int64(value × 1000)` as prometheus-adapter converts (NaN or negative: 0).
fn adapter_millicores(value: &str) -> i64 {
    let v: f64 = value.parse().expect("a Prometheus float");
    if v.is_nan() || v < 0.0 {
        0
    } else {
        (v * 1000.0) as i64
    }
}

/// The PodMetrics prometheus-adapter would serve from `cpu` and `memory` answered at `t`:
/// timestamp `t`, the config's window, cpu in truncated millicores, memory as the seed has it
/// (the memory gauges do not move; asserted against the memory answer).
fn adapter_pod_metrics(seed: &Value, cpu: &Value, memory: &Value, t: i64, window: &str) -> Value {
    let mut pm: Value = serde_json::from_str(body(seed, "pod_metrics")).unwrap();
    pm["timestamp"] = Value::String(jiff::Timestamp::from_second(t).unwrap().to_string());
    pm["window"] = Value::String(window.into());
    let seed_bytes = [("POD", "180224"), ("centos-tools", "88784896")];
    for c in pm["containers"].as_array_mut().unwrap() {
        let name = c["name"].as_str().unwrap().to_owned();
        let v = vector_value(cpu, &name).unwrap_or_else(|| panic!("no cpu for {name}: {cpu}"));
        c["usage"]["cpu"] = Value::String(milli_quantity(adapter_millicores(&v)));
        let bytes = seed_bytes.iter().find(|(n, _)| *n == name).unwrap().1;
        assert_eq!(
            vector_value(memory, &name).as_deref(),
            Some(bytes),
            "{memory}"
        );
    }
    pm
}

/// The seed's adapter ConfigMap with `cpu_query` as the cpu containerQuery and `window`.
fn adapter_config(seed: &Value, cpu_query_template: &str, window: &str) -> String {
    let mut cm: Value = serde_json::from_str(body(seed, "adapter_config")).unwrap();
    let yaml = cm["data"]["config.yaml"].as_str().unwrap();
    let old = yaml
        .lines()
        .find(|l| l.contains("irate(container_cpu_usage_seconds_total"))
        .expect("the seed's cpu rule");
    let yaml = yaml
        .replace(old, &format!("    containerQuery: '{cpu_query_template}'"))
        .replace("  window: 5m\n", &format!("  window: {window}\n"));
    cm["data"]["config.yaml"] = Value::String(yaml);
    cm.to_string()
}

/// One case: the adapter's cpu rule, its window, and how long the counters run before `T`.
struct Case {
    /// The containerQuery template, `<<.LabelMatchers>>` and all.
    template: &'static str,
    /// The rule as the adapter renders it for the pod.
    rendered: &'static str,
    /// The config's `window` and the PodMetrics window it gives.
    window: (&'static str, &'static str),
    /// Seconds from the first stored sample to the moment `T` (1 s earlier) is picked.
    age_s: u64,
}

/// What a live case produced.
struct Run {
    bundle: Value,
    report: Value,
    expected: Vec<Expected>,
    pod_top: String,
}

const MEMORY_RULE: &str = r#"sum(container_memory_working_set_bytes{namespace="csi",pod="blockvol-fs-1",container!="",pod!=""}) by (pod,container)"#;

/// Runs `case` live and checks everything that holds without `report.cpu`: the bundle's
/// `cpu-samples` and buildinfo, ktrace's engine against real Prometheus, and real kubectl
/// against both ktrace's prediction and the adapter's arithmetic. `None` when skipping.
fn run_case(case: &Case) -> Option<Run> {
    let seed = bundle("seed-ocp48-crio-cgv1.json");
    let scraped = scrape_moving(&seed)?;
    let prom = &scraped.prom;
    // The counters "appear" with Prometheus's first scrape of them.
    prom.wait_for_nonempty(
        r#"container_cpu_usage_seconds_total{container="centos-tools"}"#,
        Duration::from_secs(30),
    );
    let t = pick_t(Instant::now(), case.age_s);
    let cpu = prom.query_at(case.rendered, t);
    let memory = prom.query_at(MEMORY_RULE, t);
    let pm = adapter_pod_metrics(&seed, &cpu, &memory, t, case.window.1);

    let mut routes = routes_from(&seed, None);
    routes.insert(request(&seed, "pod_metrics"), Route::json(&pm));
    routes.insert(
        request(&seed, "adapter_config"),
        Route::Json(200, adapter_config(&seed, case.template, case.window.0)),
    );
    routes.insert(OCP_PROM_PROXY, Route::proxy(&prom.url()));
    routes.insert(
        request(&seed, "kubelet_cadvisor"),
        Route::dynamic(scraped.counters.kubelet_body()),
    );
    let live = start(routes, Some("csi"));
    let saved = live.dir.path().join("bundle.json");
    let (code, out, err) = live.run(&[
        "csi/blockvol-fs-1",
        "-o",
        "json",
        "--save-bundle",
        saved.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let b: Value = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();

    let call = range_call(case.rendered).unwrap();
    let mut expected = engine_matches_prometheus(&b, case.rendered, &call, t);
    let pod_top = kubectl_prints_the_adapter_arithmetic(&live, &mut expected);
    assert_kubectl_agrees(&live.kubeconfig, "csi", "blockvol-fs-1", &report);
    for e in &expected {
        eprintln!(
            "{} at T={t}: Prometheus {} = ktrace {:?} over {:?} samples; kubectl {}",
            e.name,
            e.backend_value,
            e.recomputed,
            e.samples.iter().map(Vec::len).collect::<Vec<_>>(),
            e.top
        );
    }
    Some(Run {
        bundle: b,
        report,
        expected,
        pod_top,
    })
}

/// The saved query of `purpose`.
fn saved_query<'a>(b: &'a Value, purpose: &str) -> &'a Value {
    b["sources"]["prometheus"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["purpose"] == purpose)
        .unwrap_or_else(|| panic!("no {purpose} query in the bundle: {b}"))
}

fn answer(q: &Value) -> Value {
    serde_json::from_str(q["source"]["outcome"]["body"].as_str().unwrap()).unwrap()
}

/// One series' raw samples from a matrix answer.
fn samples(series: &Value) -> Vec<Sample> {
    series["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| Sample {
            t_ms: (p[0].as_f64().unwrap() * 1000.0).round() as i64,
            v: p[1].as_str().unwrap().parse().unwrap(),
        })
        .collect()
}

/// From the saved bundle: the `cpu-samples` query (the rule's selector and range, a matrix
/// answer) and the buildinfo (this Prometheus's version); then ktrace's engine, applied to
/// the matrix as the server's version says, gives the cpu answer's value bit for bit.
fn engine_matches_prometheus(b: &Value, rendered: &str, call: &RangeCall, t: i64) -> Vec<Expected> {
    let cpu_q = saved_query(b, "cpu");
    assert_eq!(cpu_q["query"], rendered);
    let samples_q = saved_query(b, "cpu-samples");
    assert_eq!(samples_q["query"], call.query.as_str());
    assert!(
        call.query.ends_with(&format!("[{}]", call.range)),
        "{}",
        call.query
    );
    assert_eq!(samples_q["time"], t.to_string());
    let matrix = answer(samples_q);
    assert_eq!(matrix["data"]["resultType"], "matrix", "{matrix}");

    let info: Value = serde_json::from_str(body(b, "prometheus_buildinfo")).unwrap();
    let version = info["data"]["version"].as_str().unwrap();
    assert_eq!(Some(version.to_owned()), tools::prometheus_version());
    let engine = Engine::parse(version).unwrap();

    let cpu = answer(cpu_q);
    ["POD", "centos-tools"]
        .iter()
        .map(|name| {
            let series: Vec<&Value> = matrix["data"]["result"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| s["metric"]["container"] == *name)
                .collect();
            let values: Vec<f64> = series
                .iter()
                .filter_map(|s| {
                    rate::evaluate(call.function, &samples(s), t * 1000, call.range_ms, engine)
                })
                .map(|c| c.value())
                .collect();
            let recomputed = rate::sum(&values, engine).expect("a value from the samples");
            let backend = vector_value(&cpu, name).unwrap();
            assert_eq!(
                recomputed.to_bits(),
                backend.parse::<f64>().unwrap().to_bits(),
                "{name}: ktrace's engine gives {recomputed:?}, Prometheus {backend}\n{matrix}"
            );
            Expected {
                name: name.to_string(),
                backend_value: backend,
                recomputed,
                samples: series
                    .iter()
                    .map(|s| {
                        s["values"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|p| p[1].as_str().unwrap().to_owned())
                            .collect()
                    })
                    .collect(),
                top: String::new(),
            }
        })
        .collect()
}

/// Real kubectl's CPU column equals the adapter's arithmetic (int64(v × 1000) millicores,
/// which kubectl prints as is): per container, and for the pod row their sum. Fills each
/// `top` with kubectl's string; returns the pod row's.
fn kubectl_prints_the_adapter_arithmetic(live: &Live, expected: &mut [Expected]) -> String {
    let rows = kubectl_table(
        &live.kubeconfig,
        &["top", "pod", "blockvol-fs-1", "-n", "csi", "--containers"],
    );
    let mut total = 0;
    for e in expected.iter_mut() {
        let row = rows
            .iter()
            .find(|r| r[1] == e.name)
            .unwrap_or_else(|| panic!("no {} row: {rows:?}", e.name));
        let m = adapter_millicores(&e.backend_value);
        total += m;
        assert_eq!(row[2], format!("{m}m"), "{}: {rows:?}", e.name);
        e.top = row[2].clone();
    }
    let pod = kubectl_table(
        &live.kubeconfig,
        &["top", "pod", "blockvol-fs-1", "-n", "csi"],
    );
    assert_eq!(pod[1][1], format!("{total}m"), "{pod:?}");
    pod[1][1].clone()
}

#[test]
fn irate_over_moving_counters_is_recomputed_bit_for_bit_and_kubectl_prints_the_prediction() {
    let Some(run) = run_case(&Case {
        template: r#"sum(irate(container_cpu_usage_seconds_total{<<.LabelMatchers>>,container!="",pod!=""}[5m])) by (<<.GroupBy>>)"#,
        rendered: r#"sum(irate(container_cpu_usage_seconds_total{namespace="csi",pod="blockvol-fs-1",container!="",pod!=""}[5m])) by (pod,container)"#,
        window: ("5m", "5m0s"),
        age_s: 6,
    }) else {
        return;
    };
    // irate is the last interval's slope: the configured speed, give or take scrape jitter (a
    // loose bound: the exact value is what the bit-for-bit check is about).
    let centos = run
        .expected
        .iter()
        .find(|e| e.name == "centos-tools")
        .unwrap();
    assert!(
        (centos.recomputed - CENTOS_RATE).abs() < CENTOS_RATE * 0.5,
        "{} vs {CENTOS_RATE}",
        centos.recomputed
    );
    assert!(run.bundle["schema_version"].as_u64() >= Some(2));
    contract::assert_report_cpu(&run.report, &run.expected, &run.pod_top, "irate", "5m");
}

#[test]
fn rate_1m_on_a_12_second_old_series_is_recomputed_bit_for_bit_and_called_young() {
    let Some(run) = run_case(&Case {
        template: r#"sum(rate(container_cpu_usage_seconds_total{<<.LabelMatchers>>,container!="",pod!=""}[1m])) by (<<.GroupBy>>)"#,
        rendered: r#"sum(rate(container_cpu_usage_seconds_total{namespace="csi",pod="blockvol-fs-1",container!="",pod!=""}[1m])) by (pod,container)"#,
        window: ("1m", "1m0s"),
        age_s: 12,
    }) else {
        return;
    };
    // A 12-second series extrapolated over a minute: about a fifth of the real speed.
    let centos = run
        .expected
        .iter()
        .find(|e| e.name == "centos-tools")
        .unwrap();
    assert!(
        centos.recomputed < CENTOS_RATE * 0.5,
        "{} is not well below {CENTOS_RATE}",
        centos.recomputed
    );
    assert!(centos.recomputed > 0.0, "{}", centos.recomputed);
    contract::assert_report_cpu(&run.report, &run.expected, &run.pod_top, "rate", "1m");
    contract::assert_young_series(&run.report, CENTOS_RATE);
}
