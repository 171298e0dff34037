//! The lineage analysis in process: fixture bundles edited in memory, read as a bundle file
//! is read (`evidence::read_bundle`), analysed with `lineage::analyze`; the exit code is the
//! one `exit::for_verdict` gives, the text the text renderer writes and the JSON the report's
//! serialization. No binary is run.
//!
//! Every assertion is on an exact value taken from the fixture's source data (see
//! fixtures/README.md for how each bundle was made and the numbers checked against the dumps).

use std::process::ExitCode;

use ktrace::evidence::read_bundle;
use ktrace::lineage::{self, Lineage, Verdict};
use ktrace::render::{self, Format, TextOptions};
use serde_json::Value;

use crate::support::fixtures::{self, SEED};

mod bad_answers;
mod breakdown;
mod compare;
mod cpu;
mod headline;
mod seed_edits;
mod severity;

const SEED_QUERY: &str = r#"sum(container_memory_working_set_bytes{namespace="csi",pod="blockvol-fs-1",container!="",pod!=""}) by (pod,container)"#;

/// The exit code ktrace ends with for `verdict` (`exit::for_verdict`), as a number.
fn exit_code(verdict: Verdict) -> i32 {
    let code = ktrace::exit::for_verdict(verdict);
    (0..=u8::MAX)
        .find(|n| ExitCode::from(*n) == code)
        .map(i32::from)
        .expect("an exit code")
}

/// Analyses bundle JSON `v` exactly as `ktrace pod TARGET --from FILE` would after reading the
/// file: (exit code, text report without colour, JSON report).
fn analyze_value(v: &Value, target: &str) -> (i32, String, Value) {
    let ev = read_bundle(v.to_string().as_bytes()).expect("a readable bundle");
    assert_eq!(ev.target.to_string(), target, "the bundle is for {target}");
    let lineage: Lineage = lineage::analyze(&ev);
    let mut text = Vec::new();
    render::render(
        &lineage,
        Format::Text,
        // Content, not layout: no wrapping, and the details part shown.
        TextOptions {
            color: false,
            width: usize::MAX,
            details: true,
        },
        &mut text,
    )
    .unwrap();
    let json = serde_json::to_value(&lineage).unwrap();
    (
        exit_code(lineage.verdict),
        String::from_utf8(text).unwrap(),
        json,
    )
}

/// Bundle `name`'s (exit code, JSON report) for pod `target`.
fn json_report(target: &str, bundle: &str) -> (i32, Value) {
    let (code, _, v) = analyze_value(&fixtures::bundle(bundle), target);
    (code, v)
}

/// Edits a copy of bundle `name` and analyses it for `target`.
fn run_edited(name: &str, target: &str, edit: impl FnOnce(&mut Value)) -> (i32, String, Value) {
    let mut v = fixtures::bundle(name);
    edit(&mut v);
    analyze_value(&v, target)
}

/// [`run_edited`] on the seed bundle.
fn run_modified(edit: impl FnOnce(&mut Value)) -> (i32, String, Value) {
    run_edited(SEED, "csi/blockvol-fs-1", edit)
}

/// The reconciliation row of `container`.
fn recon<'a>(v: &'a Value, container: &str) -> &'a Value {
    v["reconciliation"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["container"] == container)
        .expect("row")
}

fn finding<'a>(v: &'a Value, code: &str) -> Vec<&'a Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
}

/// The message of the first finding with `code`.
fn message<'a>(v: &'a Value, code: &str) -> &'a str {
    finding(v, code)
        .first()
        .and_then(|f| f["message"].as_str())
        .unwrap_or_else(|| panic!("no {code} finding"))
}

fn set_body(v: &mut Value, source: &str, f: impl FnOnce(&str) -> String) {
    let b = &mut v["sources"][source]["outcome"]["body"];
    *b = Value::String(f(b.as_str().unwrap()));
}

/// (target, bundle, exit code, pod row, --containers rows, per container (Metrics API bytes,
/// cAdvisor Σ)).
struct Case {
    target: &'static str,
    bundle: &'static str,
    code: i32,
    pod_row: &'static str,
    rows: &'static [(&'static str, &'static str, i64, i64)],
}

const REAL: &[Case] = &[
    Case {
        target: "kube-system/metrics-server-6b79b4d69b-x2ps9",
        bundle: "docker-cgv1-ms-pod.json",
        code: 0,
        pod_row: "13Mi",
        rows: &[
            ("POD", "0Mi", 692224, 692224),
            ("metrics-server", "12Mi", 13574144, 13574144),
        ],
    },
    Case {
        target: "kube-system/metrics-server-9d74bb658-c6nnt",
        bundle: "containerd-cgv2-ms.json",
        code: 0,
        pod_row: "21Mi",
        rows: &[("metrics-server", "21Mi", 22396928, 22396928)],
    },
    Case {
        target: "kube-system/coredns-5c98db65d4-m76hk",
        bundle: "kic-duplicate-cgroups.json",
        code: 5,
        pod_row: "26Mi",
        rows: &[("coredns", "26Mi", 28139520, 28139520)],
    },
    Case {
        target: "kube-system/fluentd-gcp-v2.0.10-9q9t4",
        bundle: "legacy-labels-gke.json",
        code: 0,
        pod_row: "128Mi",
        rows: &[
            ("fluentd-gcp", "123Mi", 129007616, 129007616),
            ("prometheus-to-sd-exporter", "5Mi", 5857280, 5857280),
        ],
    },
];

#[test]
fn real_data_bundles_give_the_hand_checked_numbers() {
    for case in REAL {
        let (code, v) = json_report(case.target, case.bundle);
        // Every layer agrees on every bundle; the kic number counts coredns twice (exit 5).
        assert_eq!(code, case.code, "{}", case.bundle);
        assert_eq!(
            v["top"]["value"]["pod_row"]["memory"], case.pod_row,
            "{}",
            case.bundle
        );
        let containers = v["top"]["value"]["containers"].as_array().unwrap();
        assert_eq!(containers.len(), case.rows.len(), "{}", case.bundle);
        for (i, (name, mem, api, series)) in case.rows.iter().enumerate() {
            assert_eq!(containers[i]["name"], *name, "{}", case.bundle);
            assert_eq!(containers[i]["memory"], *mem, "{} {name}", case.bundle);
            let r = recon(&v, name);
            assert_eq!(r["metrics_api_bytes"], *api, "{} {name}", case.bundle);
            assert_eq!(r["series_sum_bytes"], *series, "{} {name}", case.bundle);
            assert_eq!(r["verdict"], "exact", "{} {name}", case.bundle);
        }
    }
}

#[test]
fn duplicate_cgroups_are_named_as_double_counting() {
    let (_, v) = json_report(
        "kube-system/coredns-5c98db65d4-m76hk",
        "kic-duplicate-cgroups.json",
    );
    let dup = finding(&v, "duplicate-series");
    assert_eq!(dup.len(), 1);
    let ev: Vec<&str> = dup[0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(ev.len(), 2);
    assert!(
        ev.iter()
            .any(|e| e.contains("id=\"/docker/08cbe88e") && e.contains("} 1.4454784e+07 "))
    );
    assert!(
        ev.iter()
            .any(|e| e.contains("id=\"/kubepods/burstable/pod37b0dd75")
                && e.contains("} 1.3684736e+07 "))
    );
    assert!(
        message(&v, "pod-cgroup-not-used")
            .contains("14086144 B (-14053376 B against the 28139520 B")
    );
}

#[test]
fn cgroup_v2_working_set_arithmetic_is_checked() {
    let (_, v) = json_report(
        "kube-system/metrics-server-9d74bb658-c6nnt",
        "containerd-cgv2-ms.json",
    );
    let cgroups = v["cadvisor"]["value"]["cgroups"].as_array().unwrap();
    let roles: Vec<&str> = cgroups
        .iter()
        .map(|c| c["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["pod_cgroup", "sandbox", "app"]);
    let app = &cgroups[2];
    assert_eq!(
        app["ws_check"],
        "max(usage 22405120 − inactive_file 8192, 0) = 22396928 = working_set ✓"
    );
    assert_eq!(app["ws_check_ok"], true);
    assert_eq!(v["backend"]["kind"], "metrics-server");
    assert!(v["adapter"].is_null());
    assert!(message(&v, "pause-not-counted").contains("working set 200704 B"));
}

#[test]
fn legacy_labels_are_understood() {
    let (_, v) = json_report(
        "kube-system/fluentd-gcp-v2.0.10-9q9t4",
        "legacy-labels-gke.json",
    );
    assert_eq!(
        v["cadvisor"]["value"]["label_scheme"],
        "legacy pod_name/container_name"
    );
    let rendered = v["adapter"]["memory"]["value"]["rendered"]
        .as_str()
        .unwrap();
    assert!(
        rendered.contains(r#"namespace="kube-system",pod_name="fluentd-gcp-v2.0.10-9q9t4""#),
        "{rendered}"
    );
    assert!(
        rendered.contains("by (pod_name,container_name)"),
        "{rendered}"
    );
    assert!(
        message(&v, "pod-cgroup-not-used").contains("135221248 B"),
        "pod cgroup found by uid path"
    );
}

#[test]
fn metrics_server_duplicates_are_not_summed() {
    let old = r#"container_memory_working_set_bytes{container="metrics-server",id="/kubepods/burstable/pod5e5613d6-fccb-40d6-967b-447697d4d871/0000000000000000000000000000000000000000000000000000000000000001",image="x",name="y",namespace="kube-system",pod="metrics-server-9d74bb658-c6nnt"} 1.2e+07 1782468800000"#;
    let (code, _, v) = run_edited(
        "containerd-cgv2-ms.json",
        "kube-system/metrics-server-9d74bb658-c6nnt",
        |b| set_body(b, "kubelet_cadvisor", |body| format!("{body}{old}\n")),
    );
    assert_eq!(code, 0);
    let r = recon(&v, "metrics-server");
    assert_eq!(
        r["series_sum_bytes"], 22396928,
        "metrics-server keeps the first point, it does not sum"
    );
    assert_eq!(r["verdict"], "exact");
    assert!(message(&v, "duplicate-series").contains("metrics-server does not add them up"));
}
