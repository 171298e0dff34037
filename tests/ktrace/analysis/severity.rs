//! Severity drives order and verdict: on every fixture bundle each cause appears once, worst
//! first, only where it applies; a `top` number that counts memory twice is never all-clear.

use serde_json::Value;

use super::*;

use crate::support::fixtures::REPORT_BUNDLES as BUNDLES;

fn rank(severity: &str) -> usize {
    ["disagree", "double_count", "missing", "warn", "info"]
        .iter()
        .position(|s| *s == severity)
        .unwrap_or_else(|| panic!("unknown severity {severity}"))
}

/// `severity code` of every finding, in report order.
fn listed(v: &Value) -> Vec<String> {
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
        .collect()
}

/// Fails unless every code appears once and ranks never go back up.
fn assert_once_worst_first(v: &Value, what: &str) {
    let list = listed(v);
    let codes: Vec<&str> = list.iter().map(|l| l.split(' ').nth(1).unwrap()).collect();
    let mut unique = codes.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        codes.len(),
        "{what}: a code repeats: {list:?}"
    );
    let ranks: Vec<usize> = list
        .iter()
        .map(|l| rank(l.split(' ').next().unwrap()))
        .collect();
    assert!(
        ranks.windows(2).all(|w| w[0] <= w[1]),
        "{what}: not worst first: {list:?}"
    );
}

#[test]
fn every_bundle_lists_each_cause_once_worst_first() {
    let expected: [&[&str]; 5] = [
        &[
            "warn cpu-irate-vs-rate",
            "info rounding",
            "info pause-counted",
            "info pod-cgroup-not-used",
            "info working-set-check",
        ],
        &[
            "info rounding",
            "info rows-do-not-add-up",
            "info pause-counted",
            "info working-set-check",
        ],
        &[
            "info rounding",
            "info pause-not-counted",
            "info pod-cgroup-not-used",
            "info working-set-check",
            "info cpu-headroom",
        ],
        &[
            "double_count duplicate-series",
            "info rounding",
            "info pause-not-counted",
            "info pod-cgroup-not-used",
            "info working-set-check",
            "info legacy-labels",
            "info limit-headroom",
        ],
        &[
            "info rounding",
            "info pause-not-counted",
            "info pod-cgroup-not-used",
            "info working-set-check",
            "info legacy-labels",
            "info limit-headroom",
        ],
    ];
    for ((bundle, target), want) in BUNDLES.iter().zip(expected) {
        let (_, v) = json_report(target, bundle);
        assert_once_worst_first(&v, bundle);
        assert_eq!(listed(&v), want, "{bundle}");
    }
}

#[test]
fn kic_counts_coredns_twice_so_its_verdict_is_misleading_with_exit_5() {
    let (code, v) = json_report(
        "kube-system/coredns-5c98db65d4-m76hk",
        "kic-duplicate-cgroups.json",
    );
    assert_eq!(code, 5);
    assert_eq!(v["verdict"], "misleading");
    assert_eq!(v["summary"]["verdict"], "misleading");
    assert!(
        v["reconciliation"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["agrees"] == true),
        "the layers agree; the number still misleads"
    );
    let dup = finding(&v, "duplicate-series");
    assert_eq!(dup[0]["severity"], "double_count");
    // Both POD rows (389120 B each, one cgroup under two paths) in one finding.
    let pause = finding(&v, "pause-not-counted");
    assert_eq!(pause.len(), 1);
    assert_eq!(
        pause[0]["message"],
        "The pause (POD) cgroup exists in cAdvisor (working set 389120 B, in 2 series) but is not in the Metrics API, so `top` does not count it."
    );
    let ids: Vec<&str> = pause[0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e.as_str().unwrap().strip_prefix("id="))
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(
        ids[0].starts_with("/docker/08cbe88e")
            && ids[1].starts_with("/kubepods/burstable/pod37b0dd75")
    );
    assert!(
        ids[0].ends_with(ids[1].rsplit('/').next().unwrap()),
        "{ids:?}"
    );
}

#[test]
fn openshift_advice_only_on_clusters_with_openshift_signs() {
    for (bundle, target) in BUNDLES {
        let (_, v) = json_report(target, bundle);
        let text = v["findings"].to_string();
        assert_eq!(
            text.contains("OpenShift console"),
            bundle == SEED,
            "{bundle}"
        );
    }
    let (_, v) = json_report(
        "kube-system/coredns-5c98db65d4-m76hk",
        "kic-duplicate-cgroups.json",
    );
    assert!(message(&v, "pod-cgroup-not-used").ends_with(
        "`top` never uses it; dashboards that query `container=\"\"` do, so they show a different number."
    ));
    // A missing Prometheus answer: thanos-querier and `oc whoami -t` only on OpenShift.
    let fail = |b: &mut Value| {
        b["sources"]["prometheus"][0]["source"]["outcome"] = serde_json::json!({
            "status": "failed", "http_status": 503, "error": "service unavailable"
        });
    };
    let (code, _, seed) = run_modified(fail);
    let (code_kic, _, kic) = run_edited(
        "kic-duplicate-cgroups.json",
        "kube-system/coredns-5c98db65d4-m76hk",
        fail,
    );
    assert_eq!(
        (code, code_kic),
        (3, 5),
        "a known double count outranks a missing layer"
    );
    assert!(
        message(&seed, "missing-source")
            .contains("thanos-querier route and --prometheus-token-file <(oc whoami -t)")
    );
    let kic_missing = message(&kic, "missing-source");
    assert!(
        !kic_missing.contains("OpenShift") && !kic_missing.contains("oc whoami"),
        "{kic_missing}"
    );
    assert!(
        kic_missing
            .ends_with("point --prometheus-url (and --prometheus-token-file) at it directly.")
    );
}

#[test]
fn a_pod_cgroup_equal_to_the_sum_is_not_called_a_different_number() {
    // docker-cgv1: pod cgroup 14266368 = 692224 + 13574144, the bytes `top` sums.
    let (_, v) = json_report(
        "kube-system/metrics-server-6b79b4d69b-x2ps9",
        "docker-cgv1-ms-pod.json",
    );
    assert!(finding(&v, "pod-cgroup-not-used").is_empty());
    assert!(!v["findings"].to_string().contains("+0 B"));
}

#[test]
fn one_missing_pod_metrics_is_one_finding() {
    let (code, _, v) = run_modified(|v| {
        v["sources"]["pod_metrics"]["outcome"] = serde_json::json!({
            "status": "failed", "http_status": 404,
            "error": "podmetrics.metrics.k8s.io \"csi/blockvol-fs-1\" not found"
        });
    });
    assert_eq!(code, 3);
    assert_once_worst_first(&v, "PodMetrics 404");
    assert_eq!(
        listed(&v),
        [
            "missing no-pod-metrics",
            "warn cpu-irate-vs-rate",
            "info working-set-check"
        ]
    );
    assert_eq!(
        finding(&v, "no-pod-metrics")[0]["evidence"]
            .as_array()
            .unwrap()
            .last()
            .unwrap(),
        "by hand: kubectl get --raw /apis/metrics.k8s.io/v1beta1/namespaces/csi/pods/blockvol-fs-1"
    );
    let (code, _, v) = run_modified(|v| {
        v["sources"]["pod_metrics"]["outcome"] = serde_json::json!({
            "status": "failed", "http_status": 403, "needs": "get pods.metrics.k8s.io", "error": "forbidden"
        });
    });
    assert_eq!(code, 3);
    assert_eq!(listed(&v)[0], "missing missing-source");
    assert!(finding(&v, "no-top").is_empty());
}

#[test]
fn an_old_instance_summed_into_the_metrics_api_value_is_a_double_count() {
    // kubernetes/kubernetes#107291 with a Prometheus-backed sum: the old instance (4096 B)
    // is in the query's answer and in PodMetrics: 88784896 + 4096 = 88788992 = 86708Ki.
    let (code, _, v) = run_modified(|v| {
        set_body(v, "kubelet_cadvisor", |b| format!("{b}{OLD_INSTANCE}\n"));
        let q = &mut v["sources"]["prometheus"][0]["source"]["outcome"]["body"];
        *q = Value::String(q.as_str().unwrap().replace("\"88784896\"", "\"88788992\""));
        set_body(v, "pod_metrics", |b| b.replace("86704Ki", "86708Ki"));
    });
    assert_eq!(code, 5);
    assert_eq!(v["verdict"], "misleading");
    let r = recon(&v, "centos-tools");
    assert_eq!(
        (
            &r["metrics_api_bytes"],
            &r["series_sum_bytes"],
            &r["verdict"]
        ),
        (&88788992.into(), &88788992.into(), &"exact".into())
    );
    let dup = finding(&v, "duplicate-series");
    assert_eq!(dup[0]["severity"], "double_count");
    assert!(message(&v, "duplicate-series").ends_with("and the sum counts old and new."));
}

#[test]
fn an_old_container_instance_still_exported_is_a_disagreement_not_drift() {
    // kubernetes/kubernetes#107291: after a restart the previous instance's series lingers.
    // Its samples are older than the PodMetrics timestamp, so the backend read them too:
    // a sum that differs is a disagreement (issue 9; it used to be "drift, exit 0").
    let (code, text, v) = run_modified(|v| {
        let body = &mut v["sources"]["kubelet_cadvisor"]["outcome"]["body"];
        *body = Value::String(format!("{}{OLD_INSTANCE}\n", body.as_str().unwrap()));
    });
    assert_eq!(code, 4);
    assert_eq!(v["verdict"], "disagree");
    assert!(
        message(&v, "duplicate-series").contains("(88788992 B). They are different container ids")
    );
    assert_eq!(
        finding(&v, "duplicate-series")[0]["severity"],
        "warn",
        "not in the number `top` printed: a warning, not a double count"
    );
    let r = recon(&v, "centos-tools");
    assert_eq!(
        r["verdict"],
        "cAdvisor Σ off by +4096 B from Metrics API; cAdvisor sampled 2.873 s before the Metrics API timestamp (not newer than the PodMetrics timestamp: the backend read a sample at least as new)"
    );
    assert_eq!((&r["differs"], &r["drift"]), (&true.into(), &false.into()));
    assert!(
        text.contains("The layers disagree: centos-tools: cAdvisor Σ off by +4096 B"),
        "{text}"
    );
}

#[test]
fn an_exact_repeat_of_a_kubelet_line_is_counted_once_not_double() {
    let (code, _, v) = run_modified(|v| {
        set_body(v, "kubelet_cadvisor", |b| {
            let line = b
                .lines()
                .find(|l| {
                    l.starts_with("container_memory_working_set_bytes{")
                        && l.contains("container=\"centos-tools\"")
                })
                .unwrap()
                .to_string();
            format!("{b}{line}\n")
        })
    });
    assert_eq!(
        code, 0,
        "still consistent: Prometheus stores the repeat once"
    );
    assert_eq!(v["verdict"], "consistent");
    assert!(finding(&v, "duplicate-series").is_empty());
    assert_eq!(recon(&v, "centos-tools")["verdict"], "exact");
    let f = finding(&v, "repeated-line");
    assert_eq!(f[0]["severity"], "info");
    assert_eq!(
        f[0]["message"],
        "1 kubelet line repeats an earlier sample exactly (same labels, value and timestamp); Prometheus stores such a sample once, so it is counted once."
    );
    assert!(
        f[0]["evidence"][0]
            .as_str()
            .unwrap()
            .ends_with("} 8.8784896e+07 1636128359127")
    );
}

/// A previous centos-tools instance still exported (another container id, 4096 B).
pub const OLD_INSTANCE: &str = r#"container_memory_working_set_bytes{container="centos-tools",id="/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod8f3c2a61_5b7e_4d2a_9c41_0e6d9b1f7a35.slice/crio-0000000000000000000000000000000000000000000000000000000000000001.scope",image="quay.io/centos/centos:stream8",name="k8s_centos-tools_blockvol-fs-1_csi_8f3c2a61-5b7e-4d2a-9c41-0e6d9b1f7a35_0",namespace="csi",pod="blockvol-fs-1"} 4096 1636128300000"#;
