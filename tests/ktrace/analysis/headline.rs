//! The headline (`summary`): the answer first, in plain words and human units, every figure
//! one of the report's own numbers.

use serde_json::Value;

use super::severity::OLD_INSTANCE;
use super::*;

/// `kind/tone text` of every headline line.
fn lines(v: &Value) -> Vec<String> {
    v["summary"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            format!(
                "{}/{} {}",
                l["kind"].as_str().unwrap(),
                l["tone"].as_str().unwrap(),
                l["text"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn seed_says_84mi_is_3_1mi_of_process_memory_and_81_6mi_of_active_page_cache() {
    let (_, v) = json_report("csi/blockvol-fs-1", SEED);
    let s = &v["summary"];
    assert_eq!(
        s["question"],
        "Why does `kubectl top pod` say 84Mi for csi/blockvol-fs-1?"
    );
    assert_eq!(s["number"], "84Mi");
    assert_eq!(s["verdict"], "consistent");
    assert_eq!(
        lines(&v),
        [
            "what/neutral `84Mi` = the working set of 2 containers (POD, centos-tools), summed, then floored to MiB: 84.8Mi → 84Mi",
            "agreement/good Every layer agrees exactly: PodMetrics = query result = Σ cAdvisor series, for each of the 2 containers.",
            "made_of/neutral centos-tools 84.7Mi = 3.1Mi process memory (rss) + 81.6Mi active page cache (implied) + 0 B kernel/other (cgroup v1)",
            "made_of/neutral page cache = file pages the kernel keeps while in use and can reclaim (`top` counts the active part)",
            "source/neutral `container_memory_working_set_bytes` from the kubelet's cAdvisor on worker-4, via prometheus-adapter's rule",
        ]
    );
}

#[test]
fn kic_says_coredns_is_counted_twice_and_gives_the_pods_real_13_4mi() {
    let (_, v) = json_report(
        "kube-system/coredns-5c98db65d4-m76hk",
        "kic-duplicate-cgroups.json",
    );
    assert_eq!(v["summary"]["number"], "26Mi");
    assert_eq!(
        lines(&v),
        [
            "what/bad `26Mi` = the working set of container coredns, then floored to MiB: 26.8Mi → 26Mi",
            "worst/bad coredns is counted twice: one cgroup under 2 series, summed 13.8Mi + 13.1Mi = 26.8Mi; the pod's real memory (its pod cgroup) is 13.4Mi = 14086144 B",
            "agreement/bad Every layer agrees exactly (PodMetrics = query result = Σ cAdvisor series), but that is not all-clear: the number counts memory twice.",
            "made_of/neutral coredns 26.8Mi (Σ of 2 series) = 14.2Mi process memory (rss) + 9.8Mi active page cache (implied) + 2.8Mi kernel/other (cgroup v1)",
            "made_of/neutral page cache = file pages the kernel keeps while in use and can reclaim (`top` counts the active part); kernel/other = kernel slab, stacks, sockets, other charges",
            "source/neutral `container_memory_working_set_bytes` from the kubelet's cAdvisor on minikube, via prometheus-adapter's rule",
        ]
    );
}

#[test]
fn real_dumps_are_told_as_they_are() {
    let (_, v) = json_report(
        "kube-system/metrics-server-6b79b4d69b-x2ps9",
        "docker-cgv1-ms-pod.json",
    );
    assert_eq!(
        lines(&v)[2],
        "made_of/warn metrics-server 12.9Mi does not add up: rss 13.7Mi is above the working set 12.9Mi; the implied inactive_file 1.9Mi exceeds the page cache 0 B (no split shown)"
    );
    let (_, v) = json_report(
        "kube-system/metrics-server-9d74bb658-c6nnt",
        "containerd-cgv2-ms.json",
    );
    assert_eq!(
        lines(&v)[1..],
        [
            "agreement/good Every layer agrees exactly: PodMetrics = /metrics/resource sample = cAdvisor series, for its container.",
            "made_of/neutral metrics-server 21.4Mi = 20.4Mi process memory (rss) + 4.0Ki active page cache + 936.0Ki kernel/other (cgroup v2)",
            "source/neutral `container_memory_working_set_bytes` from the kubelet's /metrics/resource on datagen-1-35 (cAdvisor's working set), via metrics-server",
        ]
    );
}

#[test]
fn every_headline_is_short_plain_and_in_human_units() {
    for (bundle, target) in crate::support::fixtures::REPORT_BUNDLES {
        let (_, v) = json_report(target, bundle);
        let texts: Vec<&str> = v["summary"]["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["text"].as_str().unwrap())
            .collect();
        assert!((4..=6).contains(&texts.len()), "{bundle}: {texts:?}");
        for t in &texts {
            assert!(
                t.chars().count() <= 160,
                "{bundle}: {} chars: {t}",
                t.chars().count()
            );
            assert!(!t.contains("e+0") && !t.contains('\n'), "{bundle}: {t}");
        }
        let kinds: Vec<&str> = v["summary"]["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds[0], "what", "{bundle}");
        assert_eq!(
            kinds.iter().filter(|k| **k == "source").count(),
            1,
            "{bundle}"
        );
        assert_eq!(v["summary"]["verdict"], v["verdict"], "{bundle}");
    }
}

#[test]
fn tones_follow_the_verdict() {
    let tone = |v: &Value, kind: &str| -> Vec<String> {
        v["summary"]["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["kind"] == kind)
            .map(|l| {
                format!(
                    "{} {}",
                    l["tone"].as_str().unwrap(),
                    l["text"].as_str().unwrap()
                )
            })
            .collect()
    };
    // Disagree: the backend answered 4096 B more than PodMetrics says.
    let (code, _, v) = run_modified(|v| {
        let q = &mut v["sources"]["prometheus"][0]["source"]["outcome"]["body"];
        *q = Value::String(q.as_str().unwrap().replace("\"88784896\"", "\"88788992\""));
    });
    assert_eq!(code, 4);
    assert_eq!(tone(&v, "what")[0].split(' ').next(), Some("bad"));
    assert_eq!(
        tone(&v, "agreement"),
        ["bad The layers disagree: centos-tools: query result off by +4096 B from Metrics API."]
    );
    // Drift: the kubelet's sample is 3 s newer than the PodMetrics (issue 9: one taken before
    // it that differs is a disagreement, see severity.rs).
    let (code, _, v) = run_modified(|v| {
        set_body(v, "kubelet_cadvisor", |b| {
            b.replace(
                "} 8.8784896e+07 1636128359127",
                "} 8.8789e+07 1636128365000",
            )
        })
    });
    assert_eq!(code, 0);
    assert_eq!(
        tone(&v, "agreement"),
        [
            "warn The backend reproduces PodMetrics exactly; the kubelet's newer samples differ (centos-tools: cAdvisor Σ off by +4104 B from Metrics API; cAdvisor sampled 3.000 s after the Metrics API timestamp)."
        ]
    );
    assert_eq!(
        tone(&v, "worst"),
        [
            "warn Container \"centos-tools\": cAdvisor Σ off by +4104 B from Metrics API; cAdvisor sampled 3.000 s after the Metrics API timestamp."
        ]
    );
    // Partial: the kubelet is missing, so is the breakdown.
    let (code, _, v) = run_modified(|v| {
        v["sources"]["kubelet_cadvisor"]["outcome"] = serde_json::json!({
            "status": "failed", "http_status": 403, "needs": "get nodes/proxy", "error": "forbidden"
        });
    });
    assert_eq!(code, 3);
    assert_eq!(
        tone(&v, "made_of"),
        ["warn What the working set is made of is unproven: no kubelet /metrics/cadvisor series."]
    );
    assert_eq!(
        tone(&v, "agreement"),
        [
            "warn Partly proven: missing kubelet /metrics/cadvisor (HTTP 403: forbidden (needs RBAC `get nodes/proxy`)); what is present agrees."
        ]
    );
    // An old instance summed into PodMetrics: the worst line names it and the pod cgroup.
    let (code, _, v) = run_modified(|v| {
        set_body(v, "kubelet_cadvisor", |b| format!("{b}{OLD_INSTANCE}\n"));
        let q = &mut v["sources"]["prometheus"][0]["source"]["outcome"]["body"];
        *q = Value::String(q.as_str().unwrap().replace("\"88784896\"", "\"88788992\""));
        set_body(v, "pod_metrics", |b| b.replace("86704Ki", "86708Ki"));
    });
    assert_eq!(code, 5);
    assert_eq!(
        tone(&v, "worst"),
        [
            "bad centos-tools is counted twice: 2 container instances (an old one still exported), summed 84.7Mi + 4.0Ki = 84.7Mi; the pod's real memory (its pod cgroup) is 85.0Mi = 89133056 B"
        ]
    );
}

#[test]
fn without_pod_metrics_there_is_no_number_and_the_headline_says_why() {
    let (_, _, v) = run_modified(|v| {
        v["sources"]["pod_metrics"]["outcome"] = serde_json::json!({
            "status": "failed", "http_status": 404,
            "error": "podmetrics.metrics.k8s.io \"csi/blockvol-fs-1\" not found"
        });
    });
    let s = &v["summary"];
    assert!(s["number"].is_null());
    assert_eq!(
        s["question"],
        "What does `kubectl top pod` say for csi/blockvol-fs-1, and why?"
    );
    assert_eq!(
        lines(&v)[0],
        "what/warn No `top` number: no PodMetrics to compute from"
    );
    assert_eq!(
        lines(&v)[1],
        "worst/warn The Metrics API has no metrics for this pod (podmetrics.metrics.k8s.io \"csi/blockvol-fs-1\" not found), so `kubectl top pod` prints NotFound."
    );
}

#[test]
fn the_report_names_its_producer_and_the_bundles() {
    let (_, _, v) = run_modified(|v| v["ktrace_version"] = "0.0.9".into());
    assert_eq!(
        v["producer"],
        serde_json::json!({
            "ktrace_version": env!("CARGO_PKG_VERSION"),
            "evidence_ktrace_version": "0.0.9"
        })
    );
}
