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
        TextOptions { color: false },
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

/// (target, bundle, pod row, --containers rows, per container (Metrics API bytes, cAdvisor Σ)).
struct Case {
    target: &'static str,
    bundle: &'static str,
    pod_row: &'static str,
    rows: &'static [(&'static str, &'static str, i64, i64)],
}

const REAL: &[Case] = &[
    Case {
        target: "kube-system/metrics-server-6b79b4d69b-x2ps9",
        bundle: "docker-cgv1-ms-pod.json",
        pod_row: "13Mi",
        rows: &[
            ("POD", "0Mi", 692224, 692224),
            ("metrics-server", "12Mi", 13574144, 13574144),
        ],
    },
    Case {
        target: "kube-system/metrics-server-9d74bb658-c6nnt",
        bundle: "containerd-cgv2-ms.json",
        pod_row: "21Mi",
        rows: &[("metrics-server", "21Mi", 22396928, 22396928)],
    },
    Case {
        target: "kube-system/coredns-5c98db65d4-m76hk",
        bundle: "kic-duplicate-cgroups.json",
        pod_row: "26Mi",
        rows: &[("coredns", "26Mi", 28139520, 28139520)],
    },
    Case {
        target: "kube-system/fluentd-gcp-v2.0.10-9q9t4",
        bundle: "legacy-labels-gke.json",
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
        assert_eq!(code, 0, "{}", case.bundle);
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
fn a_403_on_nodes_proxy_gives_a_partial_report_naming_the_permission() {
    let (code, text, v) = run_modified(|v| {
        v["sources"]["kubelet_cadvisor"]["outcome"] = serde_json::json!({
            "status": "failed", "http_status": 403, "needs": "get nodes/proxy",
            "error": "nodes \"worker-4\" is forbidden: User \"support\" cannot get resource \"nodes/proxy\" in API group \"\" at the cluster scope"
        });
    });
    assert_eq!(code, 3);
    assert!(
        text.contains(
            "kubelet /metrics/cadvisor is missing: HTTP 403: nodes \"worker-4\" is forbidden"
        ),
        "{text}"
    );
    assert!(text.contains("(needs RBAC `get nodes/proxy`)"));
    assert!(
        text.contains("blockvol-fs-1  0m          84Mi"),
        "Metrics API layer still shown"
    );
    assert!(text.contains(SEED_QUERY), "adapter layer still shown");
    assert_eq!(v["verdict"], "partial");
    assert_eq!(v["cadvisor"]["status"], "missing");
}

#[test]
fn a_value_mismatch_exits_4_and_says_by_how_much() {
    let (code, text, v) = run_modified(|v| {
        let q = &mut v["sources"]["prometheus"][0]["source"]["outcome"]["body"];
        let body = q.as_str().unwrap().replace("\"88784896\"", "\"88788992\"");
        *q = Value::String(body);
    });
    assert_eq!(code, 4);
    assert_eq!(v["verdict"], "disagree");
    let r = recon(&v, "centos-tools");
    assert_eq!(r["backend_bytes"], 88788992);
    assert_eq!(r["verdict"], "query result off by +4096 B from Metrics API");
    assert!(text.contains("values-differ"));
}

#[test]
fn hostile_payloads_become_missing_layers_not_crashes() {
    let (code, text, v) = run_modified(|v| {
        let s = &mut v["sources"];
        s["pod_metrics"]["outcome"]["body"] =
            Value::String("{\"containers\": [{\"usage\": 7}]".into());
        s["adapter_config"]["outcome"]["body"] =
            Value::String("{\"data\": {\"config.yaml\": \"resourceRules: [\"}}".into());
        s["kubelet_cadvisor"]["outcome"]["body"] =
            Value::String("x{a=\"\n\u{0}\u{0} 1 2 3\n# TYPE\n".into());
        s["prometheus"][0]["source"]["outcome"]["body"] = Value::String("[]".into());
    });
    assert_eq!(code, 3);
    assert_eq!(v["metrics_api"]["status"], "missing");
    assert!(
        v["metrics_api"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("PodMetrics is not JSON")
    );
    assert_eq!(v["adapter"]["memory"]["status"], "missing");
    assert!(text.contains("unparsable: line 1"), "{text}");
}

#[test]
fn an_empty_adapter_result_is_not_called_exact() {
    let (code, _, v) = run_modified(|v| {
        v["sources"]["prometheus"][0]["source"]["outcome"]["body"] = Value::String(
            r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#.into(),
        );
    });
    assert_eq!(code, 3);
    let verdicts: Vec<&str> = v["reconciliation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(
        verdicts,
        ["missing: the adapter's query returned no sample for this container"; 2]
    );
}

#[test]
fn pod_findings_name_oom_kills_limits_and_why_metrics_are_missing() {
    let (code, text, v) = run_modified(|v| {
        let pod = &mut v["sources"]["pod"]["outcome"]["body"];
        let mut p: Value = serde_json::from_str(pod.as_str().unwrap()).unwrap();
        p["spec"]["containers"][0]["resources"] =
            serde_json::json!({"limits": {"memory": "128Mi"}});
        p["status"]["containerStatuses"][0]["restartCount"] = 3.into();
        p["status"]["containerStatuses"][0]["lastState"] = serde_json::json!({"terminated": {"reason": "OOMKilled", "finishedAt": "2021-11-05T15:58:10Z"}});
        *pod = Value::String(p.to_string());
    });
    assert_eq!(code, 0);
    assert!(
        text.contains(
            "centos-tools: limit 128Mi, 3 restarts, last OOMKilled at 2021-11-05T15:58:10Z"
        ),
        "{text}"
    );
    let oom = finding(&v, "oom-killed");
    assert_eq!(oom.len(), 1);
    assert_eq!(
        message(&v, "limit-headroom"),
        "Container \"centos-tools\": limit 128Mi = 134217728 B. usage 130928640 B (97.5 %) is what the limit is enforced on (page cache is reclaimed first); working set 88784896 B (66.1 %) is what `top` shows and what eviction uses."
    );

    let (code, _, v) = run_modified(|v| {
        v["sources"]["pod_metrics"]["outcome"] = serde_json::json!({
            "status": "failed", "http_status": 404,
            "error": "podmetrics.metrics.k8s.io \"csi/blockvol-fs-1\" not found"
        });
        let a = &mut v["sources"]["apiservice"]["outcome"]["body"];
        let mut api: Value = serde_json::from_str(a.as_str().unwrap()).unwrap();
        api["status"]["conditions"][0] = serde_json::json!({"type": "Available", "status": "False",
            "reason": "FailedDiscoveryCheck", "message": "failing or missing response from https://10.128.0.5:6443"});
        *a = Value::String(api.to_string());
    });
    assert_eq!(code, 3);
    let none = finding(&v, "no-pod-metrics");
    assert!(
        none[0]["message"]
            .as_str()
            .unwrap()
            .contains("podmetrics.metrics.k8s.io \"csi/blockvol-fs-1\" not found")
    );
    assert_eq!(
        none[0]["evidence"][0],
        "the pod started 5656 s before the evidence was captured (kubectl says `metrics not available yet` for pods younger than 120 s; metrics-server needs two scrapes after a container (re)start)"
    );
    assert!(message(&v, "apiservice-unavailable").contains(
        "False (FailedDiscoveryCheck: failing or missing response from https://10.128.0.5:6443)"
    ));
}

#[test]
fn an_old_container_instance_still_exported_is_named_as_double_counting() {
    // kubernetes/kubernetes#107291: after a restart the previous instance's series lingers.
    let (code, _, v) = run_modified(|v| {
        let body = &mut v["sources"]["kubelet_cadvisor"]["outcome"]["body"];
        let old = r#"container_memory_working_set_bytes{container="centos-tools",id="/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod8f3c2a61_5b7e_4d2a_9c41_0e6d9b1f7a35.slice/crio-0000000000000000000000000000000000000000000000000000000000000001.scope",image="quay.io/centos/centos:stream8",name="k8s_centos-tools_blockvol-fs-1_csi_8f3c2a61-5b7e-4d2a-9c41-0e6d9b1f7a35_0",namespace="csi",pod="blockvol-fs-1"} 4096 1636128300000"#;
        *body = Value::String(format!("{}{old}\n", body.as_str().unwrap()));
    });
    assert_eq!(
        code, 0,
        "the query still reproduces the Metrics API; the kubelet's sum drifted"
    );
    assert_eq!(v["verdict"], "drift");
    assert!(
        message(&v, "duplicate-series").contains("(88788992 B). They are different container ids")
    );
    let r = recon(&v, "centos-tools");
    assert_eq!(
        r["verdict"],
        "cAdvisor Σ off by +4096 B from Metrics API; cAdvisor sampled 2.873 s before the Metrics API timestamp"
    );
}

#[test]
fn dedicated_service_monitors_trace_to_the_resource_endpoint_and_leave_out_pause() {
    // OpenShift's dedicatedServiceMonitors: the adapter queries pa_container_memory_working_set_bytes,
    // /metrics/resource renamed, where the pause container never appears.
    let yaml = fixtures::realdata(
        "adapter-config/openshift-cmo-release-4.12-prometheus-adapter-config-map-dedicated-service-monitors.yaml",
    );
    let cm: Value = serde_saphyr::from_str(&yaml).unwrap();
    let query = "sum by (pod,container) (\n  pa_container_memory_working_set_bytes{namespace=\"csi\",pod=\"blockvol-fs-1\",container!=\"\",pod!=\"\"}\n)\n";
    let (code, _, v) = run_modified(|v| {
        let s = &mut v["sources"];
        s["adapter_config"]["outcome"]["body"] = Value::String(cm.to_string());
        let pm = s["pod_metrics"]["outcome"]["body"]
            .as_str()
            .unwrap()
            .replace(
                r#"{"name":"POD","usage":{"cpu":"0","memory":"176Ki"}},"#,
                "",
            );
        s["pod_metrics"]["outcome"]["body"] = Value::String(pm);
        s["prometheus"] = serde_json::json!([{"purpose": "memory", "query": query, "source": {"outcome": {
            "status": "ok", "http_status": 200,
            "body": r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"container":"centos-tools","pod":"blockvol-fs-1"},"value":[1636128362,"88784896"]}]}}"#
        }}}]);
    });
    assert_eq!(code, 0);
    assert_eq!(v["adapter"]["memory"]["value"]["rendered"], query);
    assert!(finding(&v, "query-differs").is_empty());
    let recon = v["reconciliation"].as_array().unwrap();
    assert_eq!(recon.len(), 1, "no POD row: {recon:?}");
    assert_eq!(recon[0]["container"], "centos-tools");
    assert_eq!(
        recon[0]["series"][0],
        "container_memory_working_set_bytes{container=\"centos-tools\",namespace=\"csi\",pod=\"blockvol-fs-1\"} 8.8784896e+07 1636128359127"
    );
    assert_eq!(recon[0]["verdict"], "exact");
    assert_eq!(v["top"]["value"]["pod_row"]["memory"], "84Mi");
}

#[test]
fn an_empty_kubelet_layer_is_partial_not_consistent() {
    let (code, _, v) = run_modified(|v| set_body(v, "kubelet_cadvisor", |_| String::new()));
    assert_eq!(code, 3);
    assert_eq!(
        v["reconciliation"][1]["verdict"],
        "exact (no cAdvisor series)"
    );
    assert_eq!(v["verdict"], "partial");
}

#[test]
fn newer_kubelet_samples_are_drift_not_disagreement() {
    let (code, text, v) = run_modified(|v| {
        set_body(v, "kubelet_cadvisor", |b| {
            b.replace(
                "} 8.8784896e+07 1636128359127",
                "} 8.8789e+07 1636128365000",
            )
        })
    });
    assert_eq!(code, 0);
    assert_eq!(v["verdict"], "drift");
    assert_eq!(
        v["reconciliation"][1]["verdict"],
        "cAdvisor Σ off by +4104 B from Metrics API; cAdvisor sampled 3.000 s after the Metrics API timestamp"
    );
    assert!(text.contains("consistent, with drift"));
}

#[test]
fn a_container_listed_twice_in_the_metrics_api_is_summed_and_flagged() {
    let (code, _, v) = run_modified(|v| {
        set_body(v, "pod_metrics", |b| {
            b.replace(
                r#"{"name":"centos-tools","usage":{"cpu":"0","memory":"86704Ki"}}"#,
                r#"{"name":"centos-tools","usage":{"cpu":"0","memory":"86704Ki"}},{"name":"centos-tools","usage":{"cpu":"0","memory":"86704Ki"}}"#,
            )
        })
    });
    assert_eq!(code, 4);
    assert_eq!(v["top"]["value"]["pod_row"]["memory"], "169Mi");
    let r = &v["reconciliation"][1];
    assert_eq!(r["metrics_api_bytes"], 177569792);
    assert!(
        r["verdict"]
            .as_str()
            .unwrap()
            .ends_with("(2 Metrics API entries named \"centos-tools\", summed)")
    );
}

#[test]
fn overflowing_and_non_finite_values_never_panic_or_print_as_numbers() {
    for (source, from, to) in [
        (
            "kubelet_cadvisor",
            "} 8.8784896e+07 1636128359127",
            "} 8.8789e+07 -9223372036854775808",
        ),
        (
            "kubelet_cadvisor",
            "} 8.8784896e+07 1636128359127",
            "} -1e39 1636128359127",
        ),
        (
            "kubelet_cadvisor",
            "} 1.3092864e+08 1636128359127",
            "} 1e39 1636128359127",
        ),
        (
            "kubelet_cadvisor",
            "} 8.9133056e+07 1636128353412",
            "} -1e39 1636128353412",
        ),
        (
            "kubelet_cadvisor",
            "} 8.8784896e+07 1636128359127",
            "} NaN 1636128359127",
        ),
        (
            "kubelet_cadvisor",
            "} 8.8784896e+07 1636128359127",
            "} +Inf 1636128359127",
        ),
    ] {
        let (code, text, v) = run_modified(|v| set_body(v, source, |b| b.replace(from, to)));
        assert!((0..=4).contains(&code), "{to}: exit {code}");
        assert!(
            !text.contains("170141183460469231731687303715884105727"),
            "{to}: i128::MAX printed"
        );
        if to.contains("NaN") || to.contains("Inf") || to.contains("e39") {
            let issues = v["cadvisor"]["value"]["parse_issues"].as_array().unwrap();
            assert!(
                issues
                    .iter()
                    .any(|i| i.as_str().unwrap().contains("is not a byte count")),
                "{to}"
            );
        }
    }
    let (code, _, v) = run_modified(|v| {
        let q = &mut v["sources"]["prometheus"][0]["source"]["outcome"]["body"];
        *q = Value::String(q.as_str().unwrap().replace("\"88784896\"", "\"1e40\""));
    });
    assert_eq!(
        code, 3,
        "a result value that is no byte count leaves the container without a backend value"
    );
    assert!(v["reconciliation"][1]["backend_bytes"].is_null());
}

#[test]
fn fractional_byte_quantities_are_summed_exactly_before_rounding() {
    let (_, _, v) = run_modified(|v| {
        set_body(v, "pod_metrics", |b| {
            b.replace("\"176Ki\"", "\"1048575500m\"")
                .replace("\"86704Ki\"", "\"1048575500m\"")
        })
    });
    let top = &v["top"]["value"];
    assert_eq!(
        top["memory_sum"],
        "1048575500m + 1048575500m = 1048575.5 + 1048575.5 = 2097151 B"
    );
    assert_eq!(top["pod_row"]["memory"], "1Mi");
    let pause = message(&v, "pause-counted");
    assert!(
        pause.contains("Without it the pod row would be floor(1048576 / 1048576) = 1Mi"),
        "{pause}"
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

#[test]
fn crio_conmon_scopes_under_the_pod_slice_are_not_the_pod_cgroup() {
    let conmon = r#"container_memory_working_set_bytes{container="",id="/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod8f3c2a61_5b7e_4d2a_9c41_0e6d9b1f7a35.slice/crio-conmon-12b0fa93cf1848b72bd8e570394fff29a5c293ae76edbbc7adb797a145b7c221.scope",image="",name="",namespace="",pod=""} 1.2e+06 1636128359127"#;
    let (code, _, v) =
        run_modified(|v| set_body(v, "kubelet_cadvisor", |b| format!("{b}{conmon}\n")));
    assert_eq!(code, 0);
    let roles: Vec<&str> = v["cadvisor"]["value"]["cgroups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["pod_cgroup", "pause", "app", "other"]);
    assert_eq!(finding(&v, "pod-cgroup-not-used").len(), 1);
}

#[test]
fn a_fractional_byte_sample_is_shown_but_never_rounded_into_a_sum() {
    let (code, _, v) = run_modified(|v| {
        set_body(v, "kubelet_cadvisor", |b| {
            b.replace(
                "} 8.8784896e+07 1636128359127",
                "} 88784896.5 1636128359127",
            )
        })
    });
    assert_eq!(code, 3);
    let r = recon(&v, "centos-tools");
    assert!(r["series_sum_bytes"].is_null());
    assert!(
        r["series"][0]
            .as_str()
            .unwrap()
            .ends_with("} 88784896.5 1636128359127   (not a whole byte count: not summed)")
    );
    assert_eq!(r["verdict"], "exact (no cAdvisor series)");
    let issues = v["cadvisor"]["value"]["parse_issues"].as_array().unwrap();
    assert!(issues.iter().any(|i| {
        i.as_str()
            .unwrap()
            .contains("value 88784896.5 is not a byte count")
    }));
}
