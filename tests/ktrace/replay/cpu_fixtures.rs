//! The fixtures' CPU data against real programs: the seed's counter samples backfilled into a
//! real Prometheus give exactly the answers the bundle stores; the metrics-server rounding case
//! (two containers at 1000001n: `2m` each, pod row `3m`); a schema-1 bundle still replays.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{bundle_file, fixture};
use crate::support::fixtures::{self, SEED};
use crate::support::{http_get, ktrace, replay_json, tools, url_encode};

const PROMTOOL_HELP: &str = "promtool not found beside prometheus (nor on PATH): it comes with \
    Prometheus (`apt-get install -y prometheus` ships both, Debian 12: 2.42)";

/// promtool: beside the prometheus binary, else on PATH; fails saying what to install.
fn promtool() -> PathBuf {
    let beside = tools::require_prometheus()
        .parent()
        .map(|d| d.join("promtool"));
    beside
        .filter(|p| p.is_file())
        .or_else(|| tools::which("promtool"))
        .unwrap_or_else(|| panic!("{PROMTOOL_HELP}"))
}

/// The seed's recorded Prometheus answers, by purpose: (query, time, body).
fn seed_query(seed: &Value, purpose: &str) -> (String, String, String) {
    let q = seed["sources"]["prometheus"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["purpose"] == purpose)
        .unwrap_or_else(|| panic!("the seed has no {purpose} query"));
    let s = |v: &Value| v.as_str().unwrap().to_string();
    (
        s(&q["query"]),
        s(&q["time"]),
        s(&q["source"]["outcome"]["body"]),
    )
}

/// OpenMetrics text holding every sample of a Prometheus matrix answer, as promtool backfills it.
fn openmetrics(matrix: &Value) -> String {
    let mut family = None;
    let mut lines = Vec::new();
    for series in matrix["data"]["result"].as_array().unwrap() {
        let metric = series["metric"].as_object().unwrap();
        let name = metric["__name__"].as_str().unwrap();
        family = Some(name.strip_suffix("_total").expect("a counter").to_string());
        let labels: Vec<String> = metric
            .iter()
            .filter(|(k, _)| *k != "__name__")
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        for point in series["values"].as_array().unwrap() {
            let (t, v) = (&point[0], point[1].as_str().unwrap());
            lines.push(format!("{name}{{{}}} {v} {t}", labels.join(",")));
        }
    }
    let family = family.expect("the matrix has series");
    format!("# TYPE {family} counter\n{}\n# EOF\n", lines.join("\n"))
}

/// A real Prometheus over a TSDB backfilled from OpenMetrics text; stopped when dropped.
struct Backfilled {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Backfilled {
    fn start(text: &str) -> Backfilled {
        let dir = tempfile::tempdir().unwrap();
        let (input, data) = (dir.path().join("in.om"), dir.path().join("data"));
        std::fs::write(&input, text).unwrap();
        let out = Command::new(promtool())
            .args(["tsdb", "create-blocks-from", "openmetrics"])
            .arg(&input)
            .arg(&data)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "promtool: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let config = dir.path().join("prometheus.yml");
        std::fs::write(&config, "").unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let child = Command::new(tools::require_prometheus())
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", data.display()))
            .arg("--storage.tsdb.retention.time=100y")
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let prom = Backfilled {
            child,
            port,
            _dir: dir,
        };
        prom.wait_ready();
        prom
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let url = format!("http://127.0.0.1:{}/-/ready", self.port);
        while Instant::now() < deadline {
            if http_get(&url, Duration::from_secs(2)).is_ok_and(|r| r.status == 200) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("prometheus over the backfilled TSDB was not ready after 30 s");
    }

    /// The answer body of an instant query at `time`, as Prometheus wrote it.
    fn query(&self, query: &str, time: &str) -> String {
        let url = format!(
            "http://127.0.0.1:{}/api/v1/query?query={}&time={time}",
            self.port,
            url_encode(query)
        );
        let r = http_get(&url, Duration::from_secs(10)).unwrap();
        assert_eq!(r.status, 200, "{}", r.text());
        r.text()
    }
}

impl Drop for Backfilled {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// (labels, [(t, value as sent)]) of every series of a matrix or vector answer.
fn series(body: &str) -> Vec<(Value, Vec<(f64, String)>)> {
    let v: Value = serde_json::from_str(body).unwrap();
    v["data"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let points = match s.get("values") {
                Some(values) => values.as_array().unwrap().clone(),
                None => vec![s["value"].clone()],
            };
            let points = points
                .iter()
                .map(|p| (p[0].as_f64().unwrap(), p[1].as_str().unwrap().to_string()))
                .collect();
            (s["metric"].clone(), points)
        })
        .collect()
}

#[test]
fn the_seed_cpu_answers_are_what_real_prometheus_computes_from_its_samples() {
    let seed = fixtures::bundle(SEED);
    let (samples_q, time, samples_body) = seed_query(&seed, "cpu-samples");
    let (cpu_q, cpu_time, cpu_body) = seed_query(&seed, "cpu");
    assert_eq!(cpu_time, time);
    let matrix: Value = serde_json::from_str(&samples_body).unwrap();
    assert_eq!(matrix["data"]["resultType"], "matrix");
    let prom = Backfilled::start(&openmetrics(&matrix));

    let got = prom.query(&samples_q, &time);
    assert_eq!(series(&got), series(&samples_body));
    assert_eq!(
        got, samples_body,
        "the stored matrix is byte for byte Prometheus' answer"
    );
    let got = prom.query(&cpu_q, &time);
    assert_eq!(series(&got), series(&cpu_body));
    assert_eq!(
        got, cpu_body,
        "the stored cpu answer is byte for byte Prometheus' answer"
    );

    let values: Vec<(String, String)> = series(&cpu_body)
        .into_iter()
        .map(|(m, p)| (m["container"].as_str().unwrap().into(), p[0].1.clone()))
        .collect();
    assert_eq!(
        values,
        [
            ("POD".to_string(), "7.136095463484554e-07".to_string()),
            (
                "centos-tools".to_string(),
                "0.019246436618779814".to_string()
            )
        ]
    );
    // The whole-window rate fixtures/README.md states beside the irate (the app works in bursts).
    let rate_q = cpu_q.replace("irate(", "rate(");
    let rate: Vec<String> = series(&prom.query(&rate_q, &time))
        .into_iter()
        .map(|(_, p)| p[0].1.clone())
        .collect();
    assert_eq!(rate, ["1.9856446039486236e-07", "0.22136169843298037"]);
    let points = series(&samples_body);
    assert_eq!(points.len(), 2);
    assert!(points.iter().all(|(_, p)| p.len() == 10), "{points:?}");
    assert_eq!(points[1].1[9], (1636128360.512, "86.412379021".to_string()));
}

#[test]
fn the_seed_stores_the_adapter_millicores_and_a_2_42_buildinfo() {
    let seed = fixtures::bundle(SEED);
    assert_eq!(seed["schema_version"], 2);
    let pm: Value = serde_json::from_str(
        seed["sources"]["pod_metrics"]["outcome"]["body"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let cpu: Vec<&str> = pm["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["usage"]["cpu"].as_str().unwrap())
        .collect();
    // int64(7.136e-07 × 1000) = 0; int64(0.019246… × 1000) = 19.
    assert_eq!(cpu, ["0", "19m"]);
    let info = &seed["sources"]["prometheus_buildinfo"];
    assert_eq!(
        info["request"],
        "/api/v1/namespaces/openshift-monitoring/services/https:prometheus-k8s:9091/proxy/api/v1/status/buildinfo"
    );
    let text = info["outcome"]["body"].as_str().unwrap();
    // The fields in the order a real 2.42 writes them.
    let at: Vec<usize> = [
        "version",
        "revision",
        "branch",
        "buildUser",
        "buildDate",
        "goVersion",
    ]
    .iter()
    .map(|k| text.find(&format!("\"{k}\":")).expect(k))
    .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{text}");
    let body: Value = serde_json::from_str(text).unwrap();
    assert_eq!(body["data"]["version"], "2.42.0");
    assert_eq!(body["data"].as_object().unwrap().len(), 6);
}

/// The containerd metrics-server bundle with PodMetrics listing `metrics-server` and `sidecar`
/// at 1000001n each.
fn two_containers_at_1000001n() -> Value {
    let mut b = fixtures::bundle("containerd-cgv2-ms.json");
    let body = b["sources"]["pod_metrics"]["outcome"]["body"]
        .as_str()
        .unwrap()
        .to_string();
    let mut pm: Value = serde_json::from_str(&body).unwrap();
    let mut second = pm["containers"][0].clone();
    second["name"] = "sidecar".into();
    pm["containers"].as_array_mut().unwrap().push(second);
    for c in pm["containers"].as_array_mut().unwrap() {
        c["usage"]["cpu"] = "1000001n".into();
    }
    b["sources"]["pod_metrics"]["outcome"]["body"] = pm.to_string().into();
    b
}

#[test]
fn metrics_server_rounds_each_container_up_and_the_pod_row_once() {
    let b = two_containers_at_1000001n();
    let (_dir, path) = bundle_file(&b.to_string());
    let (code, out, err) = ktrace(
        &[
            "pod",
            "kube-system/metrics-server-9d74bb658-c6nnt",
            "--from",
            path.to_str().unwrap(),
            "-o",
            "json",
        ],
        &std::env::temp_dir(),
    );
    assert!(code != 1 && code != 2, "{code}: {err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let top = &v["top"]["value"];
    let rows: Vec<(&str, &str)> = top["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["cpu"].as_str().unwrap()))
        .collect();
    // ceil(1000001n / 1e6) = 2m each; the pod row is ceil(2000002n / 1e6) = 3m, not 2m + 2m.
    assert_eq!(rows, [("metrics-server", "2m"), ("sidecar", "2m")]);
    assert_eq!(top["pod_row"]["cpu"], "3m");
}

#[test]
fn the_metrics_server_fixture_cpu_is_the_kubelets_own_nanocores() {
    let b = fixtures::bundle("containerd-cgv2-ms.json");
    let pm: Value = serde_json::from_str(
        b["sources"]["pod_metrics"]["outcome"]["body"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(pm["containers"][0]["usage"]["cpu"], "1349776n");
    assert_eq!(pm["window"], "1m0.002s");
    let (code, v, err) = replay_json_for(&b);
    assert_eq!(code, 0, "{err}");
    // ceil(1349776 / 1e6) = 2
    assert_eq!(v["top"]["value"]["containers"][0]["cpu"], "2m");
    assert_eq!(v["top"]["value"]["pod_row"]["cpu"], "2m");
}

fn replay_json_for(b: &Value) -> (i32, Value, String) {
    let (_dir, path) = bundle_file(&b.to_string());
    let target = format!(
        "{}/{}",
        b["target"]["namespace"].as_str().unwrap(),
        b["target"]["name"].as_str().unwrap()
    );
    let (code, out, err) = ktrace(
        &[
            "pod",
            &target,
            "--from",
            path.to_str().unwrap(),
            "-o",
            "json",
        ],
        &std::env::temp_dir(),
    );
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, v, err)
}

#[test]
fn a_schema_1_bundle_without_the_cpu_sources_still_replays() {
    let text = std::fs::read_to_string(fixture(SEED)).unwrap();
    let mut old: Value = serde_json::from_str(&text).unwrap();
    old["schema_version"] = 1.into();
    let sources = old["sources"].as_object_mut().unwrap();
    sources.remove("prometheus_buildinfo");
    sources["prometheus"]
        .as_array_mut()
        .unwrap()
        .retain(|q| q["purpose"] != "cpu-samples");
    let (_dir, path) = bundle_file(&old.to_string());
    let (code, v, err) = replay_json(&path, &std::env::temp_dir());
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["top"]["value"]["pod_row"]["memory"], "84Mi");
    assert_eq!(v["top"]["value"]["pod_row"]["cpu"], "19m");
}
