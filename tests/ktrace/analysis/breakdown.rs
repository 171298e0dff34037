//! The memory breakdown on every real-data bundle, to the byte. Every expected number was
//! read with grep from the bundle's source dump (the commands are in the closing note of
//! issue 8 and, for the seed, the table in fixtures/README.md) and added by hand.

use serde_json::Value;

use super::*;

/// One breakdown row in one line: `who version ws= usage= rss= cache= active= inactive=
/// mapped= swap= | parts | adds_up or the problem` (`i` marks an implied amount, `-` a
/// counter that is not exported).
fn row(b: &Value) -> String {
    let n = |k: &str| b[k].as_i64().map_or("-".into(), |v| v.to_string());
    let amount = |k: &str| match &b[k] {
        Value::Null => "-".to_string(),
        a => format!(
            "{}{}",
            a["bytes"],
            if a["implied"] == true { "i" } else { "" }
        ),
    };
    let parts: Vec<String> = b["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let i = if p["implied"] == true { "i" } else { "" };
            format!("{} {}{i}", p["name"].as_str().unwrap(), p["bytes"])
        })
        .collect();
    let end = match b["problem"].as_str() {
        None if b["adds_up"] == true => "adds up".to_string(),
        Some(p) if b["adds_up"] == false => p.to_string(),
        _ => panic!("adds_up and problem disagree: {b}"),
    };
    format!(
        "{} {} ws={} usage={} rss={} cache={} active={} inactive={} mapped={} swap={} | {} | {end}",
        b["container"].as_str().unwrap_or("(pod)"),
        b["cgroup"]["version"].as_str().unwrap(),
        n("working_set"),
        n("usage"),
        n("rss"),
        n("cache"),
        amount("active_file"),
        amount("inactive_file"),
        n("mapped_file"),
        n("swap"),
        parts.join(" + "),
    )
}

fn rows(v: &Value) -> Vec<String> {
    v["breakdown"].as_array().unwrap().iter().map(row).collect()
}

#[test]
fn seed_centos_tools_is_3_1mi_rss_and_81_6mi_active_page_cache() {
    let (_, v) = json_report("csi/blockvol-fs-1", SEED);
    assert_eq!(
        rows(&v),
        [
            "(pod) v1 ws=88965120 usage=131108864 rss=3297280 cache=127811584 active=85667840i inactive=42143744i mapped=1081344 swap=0 | rss 3297280 + active_file 85667840i + kernel_other 0 | adds up",
            "POD v1 ws=180224 usage=180224 rss=40960 cache=139264 active=139264i inactive=0i mapped=0 swap=0 | rss 40960 + active_file 139264i + kernel_other 0 | adds up",
            "centos-tools v1 ws=88784896 usage=130928640 rss=3256320 cache=127672320 active=85528576i inactive=42143744i mapped=1081344 swap=0 | rss 3256320 + active_file 85528576i + kernel_other 0 | adds up",
        ]
    );
    let c = &v["breakdown"][2];
    assert_eq!(
        c["check"],
        "working_set 88784896 = rss 3256320 + active_file 85528576 + kernel/other 0"
    );
    assert_eq!(
        c["steps"],
        serde_json::json!([
            "inactive_file 42143744 = usage 130928640 − working_set 88784896 (implied: not exported)",
            "active_file 85528576 = cache 127672320 − inactive_file 42143744 (implied)",
            "kernel/other 0 = working_set 88784896 − rss 3256320 − active_file 85528576"
        ])
    );
    let labels: Vec<&str> = c["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        ["process memory (rss)", "active page cache", "kernel/other"]
    );
    assert_eq!(
        c["cgroup"]["evidence"],
        "max_usage 138547200 B ≥ usage 131276800 B on the pod cgroup from a cAdvisor without container_memory_kernel_usage (before v0.49), which reports max_usage 0 on cgroup v2"
    );
}

#[test]
fn docker_v1_metrics_server_has_rss_above_its_working_set_and_is_not_split() {
    let (_, v) = json_report(
        "kube-system/metrics-server-6b79b4d69b-x2ps9",
        "docker-cgv1-ms-pod.json",
    );
    assert_eq!(
        rows(&v),
        [
            "(pod) v1 ws=14266368 usage=16281600 rss=14372864 cache=0 active=- inactive=2015232i mapped=0 swap=0 |  | does not add up: rss 13.7Mi is above the working set 13.6Mi; the implied inactive_file 1.9Mi exceeds the page cache 0 B",
            "POD v1 ws=692224 usage=692224 rss=24576 cache=0 active=0i inactive=0i mapped=0 swap=0 | rss 24576 + active_file 0i + kernel_other 667648 | adds up",
            "metrics-server v1 ws=13574144 usage=15589376 rss=14348288 cache=0 active=- inactive=2015232i mapped=0 swap=0 |  | does not add up: rss 13.7Mi is above the working set 12.9Mi; the implied inactive_file 1.9Mi exceeds the page cache 0 B",
        ]
    );
    let ms = &v["breakdown"][2];
    assert_eq!(
        ms["check"],
        "rss 14348288 > working_set 13574144; inactive_file 2015232 > cache 0"
    );
    assert_eq!(
        ms["cgroup"]["evidence"],
        "max_usage 18059264 B ≥ usage 16281600 B on the pod cgroup from a cAdvisor without container_memory_kernel_usage (before v0.49), which reports max_usage 0 on cgroup v2"
    );
}

#[test]
fn containerd_v2_metrics_server_uses_the_exported_file_counters() {
    let (_, v) = json_report(
        "kube-system/metrics-server-9d74bb658-c6nnt",
        "containerd-cgv2-ms.json",
    );
    let ms = "v2 ws=22396928 usage=22405120 rss=21434368 cache=8192 active=4096 inactive=8192 mapped=0 swap=0 | rss 21434368 + active_file 4096 + kernel_other 958464 | adds up";
    assert_eq!(
        rows(&v),
        [format!("(pod) {ms}"), format!("metrics-server {ms}")],
        "the sandbox (200704 B) is not in the Metrics API, so the pod row is the one container"
    );
    let b = &v["breakdown"][1];
    assert_eq!(
        b["steps"][0],
        "working_set 22396928 = max(usage 22405120 − inactive_file 8192, 0) = 22396928 ✓"
    );
    assert_eq!(
        b["notes"],
        serde_json::json!([
            "cache 8192 B is not active_file + inactive_file = 12288 B (-4096 B); kernel/other is taken as the working-set remainder"
        ])
    );
    assert_eq!(
        b["cgroup"]["evidence"],
        "container_pressure_cpu_stalled_seconds_total is exported, and cAdvisor reads pressure stall information only from cgroup v2"
    );
}

#[test]
fn kic_coredns_is_the_sum_of_both_views_of_its_cgroup() {
    let (_, v) = json_report(
        "kube-system/coredns-5c98db65d4-m76hk",
        "kic-duplicate-cgroups.json",
    );
    // /docker/08cbe88e…/…/6477bc26… + /kubepods/…/6477bc26…: ws 14454784 + 13684736,
    // usage 20180992 + 18915328, rss 7467008 × 2, cache 11268096 + 10006528,
    // mapped_file 10948608 + 9732096.
    let coredns = "v1 ws=28139520 usage=39096320 rss=14934016 cache=21274624 active=10317824i inactive=10956800i mapped=20680704 swap=0 | rss 14934016 + active_file 10317824i + kernel_other 2887680 | adds up";
    assert_eq!(
        rows(&v),
        [format!("(pod) {coredns}"), format!("coredns {coredns}")]
    );
    // A breakdown of a sum that may count one cgroup twice says so beside its numbers.
    assert_eq!(
        v["breakdown"][1]["notes"],
        serde_json::json!([
            "the sum of 2 cgroup series, as the backend summed them; when they are one cgroup under several paths (see the findings) this memory is counted 2 times"
        ])
    );
    assert_eq!(
        v["breakdown"][0]["notes"],
        serde_json::json!([
            "the pod row adds every series the backend summed; a cgroup counted twice is in it twice"
        ])
    );
}

#[test]
fn gke_legacy_labels_break_down_both_containers_without_mapped_file() {
    let (_, v) = json_report(
        "kube-system/fluentd-gcp-v2.0.10-9q9t4",
        "legacy-labels-gke.json",
    );
    assert_eq!(
        rows(&v),
        [
            "(pod) v1 ws=134864896 usage=165548032 rss=107032576 cache=39976960 active=9293824i inactive=30683136i mapped=- swap=0 | rss 107032576 + active_file 9293824i + kernel_other 18538496 | adds up",
            "fluentd-gcp v1 ws=129007616 usage=149200896 rss=101818368 cache=29446144 active=9252864i inactive=20193280i mapped=- swap=0 | rss 101818368 + active_file 9252864i + kernel_other 17936384 | adds up",
            "prometheus-to-sd-exporter v1 ws=5857280 usage=16347136 rss=5214208 cache=10530816 active=40960i inactive=10489856i mapped=- swap=0 | rss 5214208 + active_file 40960i + kernel_other 602112 | adds up",
        ]
    );
}

#[test]
fn without_cadvisor_there_is_no_breakdown() {
    let (code, _, v) = run_modified(|v| {
        v["sources"]["kubelet_cadvisor"]["outcome"] = serde_json::json!({
            "status": "failed", "http_status": 403, "needs": "get nodes/proxy", "error": "forbidden"
        });
    });
    assert_eq!(code, 3);
    assert_eq!(v["breakdown"], serde_json::json!([]));
}
