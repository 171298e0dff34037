use super::*;
use crate::exposition::parse::parse;
use crate::exposition::tests::cadvisor_dump;
use crate::lineage::cadvisor::cadvisor_view;

fn detect_in(file: &str) -> CgroupVersion {
    let text = cadvisor_dump(file);
    let parsed = parse(&text);
    detect(&parsed, &cadvisor_view(&parsed))
}

/// Every real dump, read whole; the version in each file name comes from SOURCES.md.
#[test]
fn tells_the_cgroup_version_of_every_real_dump() {
    let v1 = |e: &str| CgroupVersion::V1 { evidence: e.into() };
    let v2 = |e: &str| CgroupVersion::V2 { evidence: e.into() };
    let cases = [
        (
            "datadog-integrations-core-gke-cos-docker17-cgv1.prom",
            v1(
                "max_usage 5677056 B ≥ usage 3063808 B on the pod cgroup from a cAdvisor without container_memory_kernel_usage (before v0.49), which reports max_usage 0 on cgroup v2",
            ),
        ),
        (
            "nri-k8s-1.15-minikube-kic-docker-cgv1.prom",
            v1(
                "max_usage 105373696 B ≥ usage 21032960 B on the pod cgroup from a cAdvisor without container_memory_kernel_usage (before v0.49), which reports max_usage 0 on cgroup v2",
            ),
        ),
        (
            "nri-k8s-1.16-minikube-docker-cgv1.prom",
            v1("container_memory_failcnt is 5114 on the pod cgroup: cgroup v2 leaves failcnt at 0"),
        ),
        (
            "nri-k8s-1.24-minikube-containerd-cgv2.prom",
            v2(
                "max_usage is 0 B below usage 11706368 B on the pod cgroup: cgroup v1's max_usage never falls below usage",
            ),
        ),
        (
            "nri-k8s-1.34-minikube-alpinevm-containerd1.7-cgv2.prom",
            v2(
                "container_pressure_cpu_stalled_seconds_total is exported, and cAdvisor reads pressure stall information only from cgroup v2",
            ),
        ),
        (
            "nri-k8s-1.35-minikube-containerd2-cgv2.prom",
            v2(
                "container_pressure_cpu_stalled_seconds_total is exported, and cAdvisor reads pressure stall information only from cgroup v2",
            ),
        ),
    ];
    for (file, want) in cases {
        assert_eq!(detect_in(file), want, "{file}");
    }
}

#[test]
fn conflicting_or_absent_signals_are_unknown() {
    let both = "container_memory_usage_bytes{id=\"/a\"} 10\n\
                container_memory_max_usage_bytes{id=\"/a\"} 0\n\
                container_memory_failcnt{id=\"/a\"} 3\n";
    let parsed = parse(both);
    assert_eq!(
        detect(&parsed, &cadvisor_view(&parsed)),
        CgroupVersion::Unknown
    );
    let none = "container_memory_working_set_bytes{id=\"/a\"} 10\n";
    let parsed = parse(none);
    assert_eq!(
        detect(&parsed, &cadvisor_view(&parsed)),
        CgroupVersion::Unknown
    );
    let kmem = "container_memory_usage_bytes{id=\"/a\",container=\"c\",image=\"i\"} 10\n\
                container_memory_kernel_usage{id=\"/a\",container=\"c\",image=\"i\"} 4096\n";
    let parsed = parse(kmem);
    assert_eq!(
        detect(&parsed, &cadvisor_view(&parsed)),
        CgroupVersion::V1 {
            evidence: "container_memory_kernel_usage is 4096 on the container \"c\": kernel memory is read from memory.kmem.usage_in_bytes, which only cgroup v1 has".into()
        }
    );
}
