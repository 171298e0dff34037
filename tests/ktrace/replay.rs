//! End-to-end runs of the `ktrace` binary on the evidence bundles in fixtures/bundles.
//!
//! Every assertion is on an exact value taken from the fixture's source data (see
//! fixtures/README.md for how each bundle was made and the numbers checked against the dumps).

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/bundles")
        .join(name)
}

/// Runs ktrace with NO_COLOR cleared; returns (exit code, stdout, stderr).
fn ktrace(args: &[&str]) -> (i32, String, String) {
    // A clean environment: no KUBECONFIG, HOME or proxy of the developer's can be reached.
    let out = Command::new(env!("CARGO_BIN_EXE_ktrace"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .output()
        .expect("run ktrace");
    let code = out.status.code().expect("exit code");
    (
        code,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json_report(target: &str, bundle: &str) -> (i32, Value) {
    let path = fixture(bundle);
    let (code, out, err) = ktrace(&[
        "pod",
        target,
        "--from",
        path.to_str().unwrap(),
        "-o",
        "json",
    ]);
    assert!(err.is_empty(), "stderr: {err}");
    (code, serde_json::from_str(&out).expect("valid JSON"))
}

fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

const SEED: &str = "seed-ocp48-crio-cgv1.json";
const SEED_QUERY: &str = r#"sum(container_memory_working_set_bytes{namespace="csi",pod="blockvol-fs-1",container!="",pod!=""}) by (pod,container)"#;

#[test]
fn seed_text_shows_84mi_the_query_the_series_and_the_rounding() {
    let path = fixture(SEED);
    let (code, out, err) = ktrace(&[
        "pod",
        "csi/blockvol-fs-1",
        "--from",
        path.to_str().unwrap(),
        "--color",
        "never",
    ]);
    assert_eq!(code, 0, "stderr: {err}");
    let lines: Vec<&str> = out.lines().collect();
    let pod_row = lines
        .iter()
        .find(|l| words(l).first() == Some(&"blockvol-fs-1"))
        .expect("pod row");
    assert_eq!(&words(pod_row)[..3], ["blockvol-fs-1", "0m", "84Mi"]);
    assert!(
        pod_row.contains("floor(88965120 B / 1048576) = floor(84.84375) = 84 → 84Mi"),
        "{pod_row}"
    );
    let containers: Vec<Vec<&str>> = lines
        .iter()
        .map(|l| words(l))
        .filter(|w| {
            w.len() >= 4 && w[0] == "blockvol-fs-1" && (w[1] == "POD" || w[1] == "centos-tools")
        })
        .map(|w| w[..4].to_vec())
        .collect();
    assert_eq!(
        containers,
        [
            ["blockvol-fs-1", "POD", "0m", "0Mi"],
            ["blockvol-fs-1", "centos-tools", "0m", "84Mi"]
        ]
    );
    assert!(
        out.contains(&format!("memory rendered  {SEED_QUERY}")),
        "{out}"
    );
    let series: Vec<&&str> = lines
        .iter()
        .filter(|l| l.contains("container_memory_working_set_bytes{container="))
        .collect();
    assert_eq!(series.len(), 2);
    assert!(
        series[0]
            .trim_start()
            .starts_with("POD  container_memory_working_set_bytes{container=\"POD\"")
    );
    assert!(
        series[0].ends_with(" 180224 1636128356871"),
        "{}",
        series[0]
    );
    assert!(series[1].trim_start().starts_with(
        "centos-tools  container_memory_working_set_bytes{container=\"centos-tools\""
    ));
    assert!(
        series[1].ends_with(" 8.8784896e+07 1636128359127"),
        "{}",
        series[1]
    );
    let bundle: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let kubelet = bundle["sources"]["kubelet_cadvisor"]["outcome"]["body"]
        .as_str()
        .unwrap();
    for s in &series {
        assert!(
            kubelet.lines().any(|l| s.ends_with(l)),
            "shown verbatim from the evidence: {s}"
        );
    }
    let table: Vec<Vec<&str>> = lines
        .iter()
        .map(|l| words(l))
        .filter(|w| w.len() == 7 && w[5] == w[4] && w[6] == "exact")
        .collect();
    assert_eq!(
        table,
        [
            ["POD", "176Ki", "=", "180224", "180224", "180224", "exact"],
            [
                "centos-tools",
                "86704Ki",
                "=",
                "88784896",
                "88784896",
                "88784896",
                "exact"
            ]
        ]
    );
    assert!(out.contains("Verdict: consistent"));
}

#[test]
fn seed_json_carries_the_same_values() {
    let (code, v) = json_report("csi/blockvol-fs-1", SEED);
    assert_eq!(code, 0);
    assert_eq!(v["report_version"], 1);
    let top = &v["top"]["value"];
    assert_eq!(top["pod_row"]["memory"], "84Mi");
    assert_eq!(top["pod_row"]["cpu"], "0m");
    assert_eq!(top["pod_row"]["memory_bytes"], 88965120);
    let rows: Vec<(&str, &str)> = top["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["memory"].as_str().unwrap()))
        .collect();
    assert_eq!(rows, [("POD", "0Mi"), ("centos-tools", "84Mi")]);
    assert_eq!(v["metrics_api"]["value"]["window"], "5m0s");
    assert_eq!(v["backend"]["kind"], "prometheus-adapter");
    assert_eq!(v["adapter"]["memory"]["value"]["rendered"], SEED_QUERY);
    assert_eq!(v["adapter"]["memory"]["value"]["ran"], SEED_QUERY);
    let recon: Vec<(&str, i64, i64, i64)> = v["reconciliation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let n = |k: &str| r[k].as_i64().unwrap();
            (
                r["container"].as_str().unwrap(),
                n("metrics_api_bytes"),
                n("backend_bytes"),
                n("series_sum_bytes"),
            )
        })
        .collect();
    assert_eq!(
        recon,
        [
            ("POD", 180224, 180224, 180224),
            ("centos-tools", 88784896, 88784896, 88784896)
        ]
    );
    assert_eq!(v["verdict"], "consistent");
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"rounding")
            && codes.contains(&"pause-counted")
            && codes.contains(&"pod-cgroup-not-used")
    );
}

#[test]
fn seed_markdown_is_a_ticket_report() {
    let path = fixture(SEED);
    let (code, out, _) = ktrace(&[
        "pod",
        "blockvol-fs-1",
        "-n",
        "csi",
        "--from",
        path.to_str().unwrap(),
        "-o",
        "markdown",
    ]);
    assert_eq!(code, 0);
    assert!(out.starts_with("# ktrace: `csi/blockvol-fs-1` memory lineage\n"));
    assert!(out.contains("| pod `blockvol-fs-1` | 0m | **84Mi** | 86880Ki = 88965120 B; floor(88965120 B / 1048576) = floor(84.84375) = 84 → 84Mi |"));
    assert!(out.contains(&format!("```promql\n{SEED_QUERY}\n```")));
    assert!(out.contains(
        "kubectl get --raw /apis/metrics.k8s.io/v1beta1/namespaces/csi/pods/blockvol-fs-1\n"
    ));
    assert!(out.contains("kubectl get --raw /api/v1/nodes/worker-4/proxy/metrics/cadvisor | grep -F 'pod=\"blockvol-fs-1\"'"));
    assert!(!out.contains('\u{1b}'), "no ANSI escapes in markdown");
}

#[test]
fn colour_follows_the_flag() {
    let path = fixture(SEED);
    let p = path.to_str().unwrap();
    let (_, always, _) = ktrace(&["pod", "csi/blockvol-fs-1", "--from", p, "--color", "always"]);
    let (_, never, _) = ktrace(&["pod", "csi/blockvol-fs-1", "--from", p, "--color", "never"]);
    let (_, auto_piped, _) = ktrace(&["pod", "csi/blockvol-fs-1", "--from", p]);
    assert!(always.contains("\u{1b}["));
    assert!(!never.contains('\u{1b}'));
    assert!(
        !auto_piped.contains('\u{1b}'),
        "auto is off when stdout is not a terminal"
    );
}

#[test]
fn out_writes_the_report_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.md");
    let path = fixture(SEED);
    let (code, stdout, _) = ktrace(&[
        "pod",
        "csi/blockvol-fs-1",
        "--from",
        path.to_str().unwrap(),
        "-o",
        "markdown",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(stdout.is_empty());
    assert!(std::fs::read_to_string(out).unwrap().contains("**84Mi**"));
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

fn finding<'a>(v: &'a Value, code: &str) -> Vec<&'a Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
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
fn usage_errors_exit_2_and_bad_bundles_exit_1() {
    let seed = fixture(SEED);
    let seed = seed.to_str().unwrap();
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["pod", "CSI/Blockvol", "--from", seed],
            2,
            "malformed namespace \"CSI\"",
        ),
        (
            &["pod", "csi/a/b", "--from", seed],
            2,
            "malformed pod name \"a/b\"",
        ),
        (&["pod", "", "--from", seed], 2, "malformed pod name \"\""),
        (
            &["pod", "csi/x", "-n", "other", "--from", seed],
            2,
            "POD says namespace \"csi\" but -n says \"other\"",
        ),
        (
            &[
                "pod",
                "csi/blockvol-fs-1",
                "--from",
                "/nonexistent/bundle.json",
            ],
            1,
            "cannot read bundle /nonexistent/bundle.json",
        ),
        (
            &["pod", "csi/blockvol-fs-1", "-o", "yaml", "--from", seed],
            2,
            "invalid value 'yaml'",
        ),
        (
            &["pod", "csi/other-pod", "--from", seed],
            1,
            "is for pod csi/blockvol-fs-1, not csi/other-pod",
        ),
    ];
    for (args, code, msg) in cases {
        let (c, out, err) = ktrace(args);
        assert_eq!(c, *code, "{args:?}: {err}");
        assert!(err.contains(msg), "{args:?}: {err}");
        assert!(out.is_empty());
    }
    let bad = fixture("bad-schema.json");
    let (c, _, err) = ktrace(&["pod", "csi/blockvol-fs-1", "--from", bad.to_str().unwrap()]);
    assert_eq!(c, 1);
    assert!(
        err.contains("unsupported bundle schema_version 99 (this ktrace reads version 1)"),
        "{err}"
    );
    let junk = fixture("not-json.json");
    let (c, _, err) = ktrace(&["pod", "csi/blockvol-fs-1", "--from", junk.to_str().unwrap()]);
    assert_eq!(c, 1);
    assert!(err.contains("not a ktrace evidence bundle"), "{err}");
}

/// Writes `text` as a bundle file in a fresh temporary directory (kept alive by the guard).
fn bundle_file(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.json");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// Writes a modified copy of fixture `name` and runs ktrace on it for `target`, as text and as
/// JSON (both must exit alike, with nothing on stderr).
fn run_edited(name: &str, target: &str, edit: impl FnOnce(&mut Value)) -> (i32, String, Value) {
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture(name)).unwrap()).unwrap();
    edit(&mut v);
    let (_dir, path) = bundle_file(&v.to_string());
    let p = path.to_str().unwrap();
    let (code, text, err) = ktrace(&["pod", target, "--from", p, "--color", "never"]);
    assert!(err.is_empty(), "{err}");
    let (code2, json, _) = ktrace(&["pod", target, "--from", p, "-o", "json"]);
    assert_eq!(code, code2);
    (code, text, serde_json::from_str(&json).unwrap())
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

/// The message of the first finding with `code`.
fn message<'a>(v: &'a Value, code: &str) -> &'a str {
    finding(v, code)
        .first()
        .and_then(|f| f["message"].as_str())
        .unwrap_or_else(|| panic!("no {code} finding"))
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
fn the_readme_example_is_the_real_output() {
    let readme =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let marker = "$ cargo run --locked -- pod csi/blockvol-fs-1 --from fixtures/bundles/seed-ocp48-crio-cgv1.json\n";
    let start = readme.find(marker).expect("README example") + marker.len();
    let shown = &readme[start..start + readme[start..].find("```").unwrap()];
    let path = fixture(SEED);
    let (_, out, _) = ktrace(&[
        "pod",
        "csi/blockvol-fs-1",
        "--from",
        path.to_str().unwrap(),
        "--color",
        "never",
    ]);
    assert_eq!(
        shown, out,
        "README.md's example differs from what ktrace prints: update it"
    );
}

#[test]
fn dedicated_service_monitors_trace_to_the_resource_endpoint_and_leave_out_pause() {
    // OpenShift's dedicatedServiceMonitors: the adapter queries pa_container_memory_working_set_bytes,
    // /metrics/resource renamed, where the pause container never appears.
    let yaml = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(
        "fixtures/realdata/adapter-config/openshift-cmo-release-4.12-prometheus-adapter-config-map-dedicated-service-monitors.yaml",
    ))
    .unwrap();
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

fn set_body(v: &mut Value, source: &str, f: impl FnOnce(&str) -> String) {
    let b = &mut v["sources"][source]["outcome"]["body"];
    *b = Value::String(f(b.as_str().unwrap()));
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
fn a_fractional_schema_version_is_named() {
    let text = std::fs::read_to_string(fixture(SEED)).unwrap();
    let (_dir, p) =
        bundle_file(&text.replacen("\"schema_version\": 1,", "\"schema_version\": 1.0,", 1));
    let (code, _, err) = ktrace(&["pod", "csi/blockvol-fs-1", "--from", p.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        err.contains("bundle schema_version must be a whole number, found 1.0"),
        "{err}"
    );
}

#[test]
fn control_characters_in_the_evidence_cannot_drive_the_terminal() {
    let path = fixture(SEED);
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("centos-tools", "centos\\u001b]0;pwned\\u0007-tools");
    let (_dir, p) = bundle_file(&text);
    for format in ["text", "markdown"] {
        let (code, out, err) = ktrace(&[
            "pod",
            "csi/blockvol-fs-1",
            "--from",
            p.to_str().unwrap(),
            "-o",
            format,
            "--color",
            "never",
        ]);
        assert!(code == 0 || code == 3, "{format}: exit {code}: {err}");
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{7}'),
            "{format}: raw control characters"
        );
        assert!(
            out.contains("centos\\u{1b}]0;pwned\\u{7}-tools"),
            "{format}: shown escaped"
        );
    }
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
