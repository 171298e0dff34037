//! Every real kubelet dump of the corpus, parsed whole: totals and pinned samples.

use super::*;
use crate::exposition::tests::cadvisor_dump as fixture;

/// Parses a dump and checks the totals every real dump must meet.
fn parse_dump<'t>(
    text: &'t str,
    name: &str,
    samples: usize,
    families: usize,
    ws: usize,
) -> Exposition<'t> {
    let e = parse(text);
    assert_eq!(e.issues, [], "{name}");
    assert_eq!(e.samples.len(), samples, "{name}");
    assert_eq!(e.families.len(), families, "{name}");
    assert_eq!(
        e.samples_named("container_memory_working_set_bytes")
            .count(),
        ws,
        "{name}"
    );
    assert!(
        e.families
            .iter()
            .all(|f| f.kind.is_some() && f.help.is_some()),
        "{name}"
    );
    e
}

fn ws_of<'e>(e: &'e Exposition, pod_label: &str, pod: &str, container: &str) -> Vec<&'e Sample> {
    let container_label = if pod_label == "pod_name" {
        "container_name"
    } else {
        "container"
    };
    e.samples_named("container_memory_working_set_bytes")
        .filter(|s| s.label(pod_label) == Some(pod) && s.label(container_label) == Some(container))
        .collect()
}

#[test]
fn real_dump_datadog_gke_legacy_labels() {
    let text = fixture("datadog-integrations-core-gke-cos-docker17-cgv1.prom");
    let e = parse_dump(
        &text,
        "datadog-integrations-core-gke-cos-docker17-cgv1.prom",
        3215,
        52,
        72,
    );
    let agent = ws_of(&e, "pod_name", "dd-agent-q6hpw", "dd-agent");
    assert_eq!(agent.len(), 1);
    assert_eq!(
        (agent[0].value, agent[0].timestamp_ms),
        (213_839_872.0, None)
    );
    assert_eq!(agent[0].label("namespace"), Some("default"));
    assert_eq!(
        ws_of(&e, "pod_name", "fluentd-gcp-v2.0.10-9q9t4", "fluentd-gcp")[0].value,
        129_007_616.0
    );
    let serial = "/system.slice/system-serial\\x2dgetty.slice";
    assert!(e.samples.iter().any(|s| s.label("id") == Some(serial)));
    assert!(e.samples.iter().all(|s| s.label("pod").is_none()));
}

#[test]
fn real_dump_synthetic_cadvisor() {
    let text = fixture("google-cadvisor-testdata-prometheus_metrics-SYNTHETIC.prom");
    let e = parse_dump(
        &text,
        "google-cadvisor-testdata-prometheus_metrics-SYNTHETIC.prom",
        287,
        107,
        1,
    );
    let ws = e
        .samples_named("container_memory_working_set_bytes")
        .next()
        .unwrap();
    assert_eq!(ws.label("id"), Some("testcontainer"));
    assert_eq!(
        e.samples
            .iter()
            .filter(|s| s.timestamp_ms.is_some())
            .count(),
        276
    );
}

#[test]
fn real_dump_nri_1_15_both_label_schemes() {
    let text = fixture("nri-k8s-1.15-minikube-kic-docker-cgv1.prom");
    let e = parse_dump(
        &text,
        "nri-k8s-1.15-minikube-kic-docker-cgv1.prom",
        4277,
        54,
        82,
    );
    let pod = ws_of(&e, "pod", "kube-apiserver-minikube", "");
    assert_eq!(pod.len(), 1);
    assert_eq!(pod[0].value, 281_382_912.0);
    assert_eq!(pod[0].label("pod_name"), Some("kube-apiserver-minikube"));
    let mut apiserver: Vec<f64> =
        ws_of(&e, "pod_name", "kube-apiserver-minikube", "kube-apiserver")
            .iter()
            .map(|s| s.value)
            .collect();
    apiserver.sort_by(f64::total_cmp);
    assert_eq!(apiserver, [280_801_280.0, 283_279_360.0]);
}

#[test]
fn real_dump_nri_1_16_systemd() {
    let text = fixture("nri-k8s-1.16-minikube-docker-cgv1.prom");
    let e = parse_dump(
        &text,
        "nri-k8s-1.16-minikube-docker-cgv1.prom",
        2468,
        57,
        52,
    );
    let pod = "metrics-server-6b79b4d69b-x2ps9";
    assert_eq!(
        ws_of(&e, "pod", pod, "metrics-server")[0].value,
        13_574_144.0
    );
    assert_eq!(ws_of(&e, "pod", pod, "")[0].value_text, "1.4266368e+07");
    assert_eq!(ws_of(&e, "pod", pod, "POD")[0].value, 692_224.0);
}

#[test]
fn real_dump_nri_1_24_containerd() {
    let text = fixture("nri-k8s-1.24-minikube-containerd-cgv2.prom");
    let e = parse_dump(
        &text,
        "nri-k8s-1.24-minikube-containerd-cgv2.prom",
        3181,
        67,
        64,
    );
    let rows = ws_of(&e, "pod", "metrics-server-8894f74c6-8th9v", "");
    let mut values: Vec<f64> = rows.iter().map(|s| s.value).collect();
    values.sort_by(f64::total_cmp);
    assert_eq!(values, [200_704.0, 16_019_456.0]);
    let app = ws_of(
        &e,
        "pod",
        "metrics-server-8894f74c6-8th9v",
        "metrics-server",
    );
    assert_eq!(
        (app[0].value, app[0].timestamp_ms),
        (16_150_528.0, Some(1_694_016_937_886))
    );
}

#[test]
fn real_dump_nri_1_35_containerd2() {
    let text = fixture("nri-k8s-1.35-minikube-containerd2-cgv2.prom");
    let e = parse_dump(
        &text,
        "nri-k8s-1.35-minikube-containerd2-cgv2.prom",
        4621,
        78,
        58,
    );
    let coredns = ws_of(&e, "pod", "coredns-7d764666f9-qdcxt", "coredns");
    assert_eq!(coredns.len(), 1);
    assert_eq!(coredns[0].label("namespace"), Some("kube-system"));
    assert_eq!(
        (coredns[0].value, coredns[0].timestamp_ms),
        (16_232_448.0, Some(1_782_468_872_783))
    );
    let pod_rows = ws_of(&e, "pod", "coredns-7d764666f9-qdcxt", "");
    assert!(
        pod_rows
            .iter()
            .any(|s| s.value == 16_232_448.0 && s.label_or_empty("image").is_empty())
    );
    assert_eq!(
        e.family("container_memory_working_set_bytes")
            .unwrap()
            .kind
            .as_deref(),
        Some("gauge")
    );
}
