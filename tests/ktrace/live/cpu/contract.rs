//! The `report.cpu` checks of the live CPU cases, against the JSON contract of the CPU
//! lineage (issue 10): per container `top` ← PodMetrics ← backend value ← the counter samples,
//! with ktrace's recomputed value equal to Prometheus's to the bit.

use serde_json::Value;

use super::{adapter_millicores, milli_quantity};
use crate::support::tools;
use ktrace::promql::rate::Engine;

/// What one container's CPU lineage must show, from the bundle, the engine and real kubectl.
pub(super) struct Expected {
    /// Container name.
    pub name: String,
    /// The cpu rule's answer, as Prometheus sent it.
    pub backend_value: String,
    /// ktrace's engine on the `cpu-samples` matrix (equal in bits to `backend_value`).
    pub recomputed: f64,
    /// Per series of the container, every raw sample value in the window, as sent.
    pub samples: Vec<Vec<String>>,
    /// The CPU column real `kubectl top pod --containers` printed.
    pub top: String,
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

/// `report.cpu` is present and says, per container, what real kubectl printed, the backend's
/// value, ktrace's recomputation equal to it as a string and in bits, and the raw samples
/// Prometheus returned; the pod row is what `kubectl top pod` printed. Fails with "report.cpu
/// missing" on a build without the CPU lineage.
pub(super) fn assert_report_cpu(
    report: &Value,
    expected: &[Expected],
    pod_top: &str,
    function: &str,
    range: &str,
) {
    let cpu = &report["cpu"];
    assert!(
        !cpu.is_null(),
        "report.cpu missing: this build's JSON report has no CPU lineage (issue 10 contract)"
    );
    assert_eq!(cpu["status"], "present", "{cpu}");
    let v = &cpu["value"];
    assert_eq!(v["backend"], "prometheus-adapter", "{v}");
    assert_eq!(v["function"], function, "{v}");
    assert_eq!(v["range"], range, "{v}");
    let version = tools::prometheus_version().unwrap();
    let engine = Engine::parse(&version).unwrap();
    assert_eq!(v["engine"]["version"], version.as_str(), "{v}");
    assert_eq!(v["engine"]["applied"], engine.to_string().as_str(), "{v}");
    assert_eq!(v["engine"]["semantics"], engine.window_text(), "{v}");
    let containers = v["containers"].as_array().expect("cpu.value.containers");
    let names: Vec<&str> = containers.iter().map(|c| s(&c["name"])).collect();
    let want: Vec<&str> = expected.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, want, "kubectl's --containers order");
    for (c, e) in containers.iter().zip(expected) {
        assert_container(c, e, function);
    }
    assert_eq!(v["pod_row"]["top"], pod_top, "{v}");
}

fn assert_container(c: &Value, e: &Expected, function: &str) {
    let m = adapter_millicores(&e.backend_value);
    assert_eq!(c["top"], e.top.as_str(), "{}: {c}", e.name);
    assert_eq!(
        c["backend_value"],
        e.backend_value.as_str(),
        "{}: {c}",
        e.name
    );
    assert_eq!(c["recomputed"], e.backend_value.as_str(), "{}: {c}", e.name);
    assert_eq!(c["bit_exact"], true, "{}: {c}", e.name);
    assert_eq!(c["adapter_millicores"], m, "{}: {c}", e.name);
    assert_eq!(
        c["metrics_api"],
        milli_quantity(m).as_str(),
        "{}: {c}",
        e.name
    );
    let series = c["series"].as_array().expect("series");
    let sent: Vec<Vec<&str>> = series
        .iter()
        .map(|sr| {
            sr["samples"]
                .as_array()
                .expect("samples")
                .iter()
                .map(|p| s(&p["value"]))
                .collect()
        })
        .collect();
    assert_eq!(
        sent, e.samples,
        "{}: the raw samples as Prometheus sent them",
        e.name
    );
    for sr in series {
        for p in sr["samples"].as_array().unwrap() {
            assert!(
                s(&p["t"]).parse::<jiff::Timestamp>().is_ok(),
                "{}: t is RFC3339: {p}",
                e.name
            );
        }
        if function == "irate" {
            let n = sr["samples"].as_array().unwrap().len() as u64;
            assert_eq!(
                sr["used"],
                serde_json::json!([n - 2, n - 1]),
                "irate: last two"
            );
        }
    }
}

/// Every number written in `text`, in cores: `0.019` as is, `19m` as millicores.
fn numbers_in_cores(text: &str) -> Vec<f64> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
            i += 1;
        }
        if i == start {
            i += 1;
            continue;
        }
        let Ok(n) = text[start..i].trim_end_matches('.').parse::<f64>() else {
            continue;
        };
        let milli = b.get(i) == Some(&b'm') && !b.get(i + 1).is_some_and(u8::is_ascii_alphabetic);
        out.push(if milli { n / 1000.0 } else { n });
    }
    out
}

/// The report has a `cpu-young-series` finding that names a full-window rate within 10% of
/// the configured `rate` (cores, or millicores written `19m`).
pub(super) fn assert_young_series(report: &Value, rate: f64) {
    let findings = report["findings"].as_array().expect("findings");
    let young: Vec<&Value> = findings
        .iter()
        .filter(|f| f["code"] == "cpu-young-series")
        .collect();
    assert!(
        !young.is_empty(),
        "no cpu-young-series finding: {findings:?}"
    );
    let close = young.iter().any(|f| {
        let mut text = s(&f["message"]).to_owned();
        for e in f["evidence"].as_array().into_iter().flatten() {
            text.push(' ');
            text.push_str(s(e));
        }
        numbers_in_cores(&text)
            .iter()
            .any(|n| (n - rate).abs() <= rate * 0.1)
    });
    assert!(
        close,
        "no full-window rate within 10% of {rate} cores in {young:?}"
    );
}
