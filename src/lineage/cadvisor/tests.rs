use std::collections::BTreeMap;

use super::*;
use crate::exposition::parse::parse;
use crate::exposition::tests::cadvisor_dump;

/// Working-set series of every real dump, classified; the counts were taken independently
/// (a Python regex pass over the same files) and are pinned here.
#[test]
fn classifies_every_real_dump() {
    let cases: &[(&str, &[(&str, usize)])] = &[
        (
            "datadog-integrations-core-gke-cos-docker17-cgv1.prom",
            &[("app", 6), ("pause", 5)],
        ),
        (
            "nri-k8s-1.15-minikube-kic-docker-cgv1.prom",
            &[("app", 30), ("pause", 30), ("pod_cgroup", 14)],
        ),
        (
            "nri-k8s-1.16-minikube-docker-cgv1.prom",
            &[("app", 15), ("pause", 15), ("pod_cgroup", 16)],
        ),
        (
            "nri-k8s-1.24-minikube-containerd-cgv2.prom",
            &[("app", 17), ("pod_cgroup", 21), ("sandbox", 21)],
        ),
        (
            "nri-k8s-1.35-minikube-containerd2-cgv2.prom",
            &[("app", 17), ("pod_cgroup", 18), ("sandbox", 18)],
        ),
        (
            "google-cadvisor-testdata-prometheus_metrics-SYNTHETIC.prom",
            &[],
        ),
    ];
    for (file, expected) in cases {
        let text = cadvisor_dump(file);
        let parsed = parse(&text);
        assert!(
            parsed.issues.is_empty(),
            "{file}: {:?}",
            parsed.issues.first()
        );
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for s in parsed
            .samples
            .iter()
            .filter(|s| s.name == "container_memory_working_set_bytes")
        {
            let pod = s.label("pod").or_else(|| s.label("pod_name")).unwrap_or("");
            if pod.is_empty() {
                continue;
            }
            let role = serde_json::to_value(classify(s)).unwrap();
            *counts
                .entry(role.as_str().unwrap().to_string())
                .or_default() += 1;
        }
        let expected: BTreeMap<String, usize> =
            expected.iter().map(|(r, n)| (r.to_string(), *n)).collect();
        assert_eq!(counts, expected, "{file}");
    }
}

#[test]
fn working_set_check_holds_on_the_cgroup_v2_dump() {
    let text = cadvisor_dump("nri-k8s-1.35-minikube-containerd2-cgv2.prom");
    let view = cadvisor_view(&parse(&text));
    // Every cgroup of the node (58 working-set series) exports usage and inactive_file.
    assert_eq!(view.cgroups.len(), 58);
    assert!(view.cgroups.iter().all(|c| c.ws_check_ok == Some(true)));
}
