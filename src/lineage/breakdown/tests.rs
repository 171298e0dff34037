use super::*;
use crate::exposition::parse::parse;
use crate::exposition::tests::cadvisor_dump;
use crate::lineage::cadvisor::cadvisor_view;

/// The decomposition of the one cgroup of `dump` whose `container` label is `container`.
fn of_container(dump: &str, container: &str) -> Breakdown {
    let text = cadvisor_dump(dump);
    let view = cadvisor_view(&parse(&text));
    let rows: Vec<&CgroupRow> = view
        .cgroups
        .iter()
        .filter(|r| r.container == container)
        .collect();
    assert_eq!(rows.len(), 1, "{dump} {container}");
    let c = counters(&rows).expect("a working set");
    decompose(Some(container.into()), &CgroupVersion::Unknown, &c)
}

fn part_bytes(b: &Breakdown) -> Vec<(&str, i128, bool)> {
    b.parts
        .iter()
        .map(|p| (p.name.as_str(), p.bytes, p.implied))
        .collect()
}

#[test]
fn etcd_on_the_cgroup_v2_node_is_anon_plus_active_file_plus_kernel() {
    // grep 'container="etcd"' nri-k8s-1.35-minikube-containerd2-cgv2.prom
    let b = of_container("nri-k8s-1.35-minikube-containerd2-cgv2.prom", "etcd");
    assert_eq!(b.working_set, 44_290_048);
    assert_eq!(b.usage, Some(47_861_760));
    assert_eq!(b.rss, Some(42_565_632));
    assert_eq!(b.cache, Some(3_571_712));
    assert_eq!(b.mapped_file, Some(1_933_312));
    assert_eq!(b.swap, Some(0));
    assert_eq!(b.inactive_file, Some(exported(3_571_712)));
    assert_eq!(b.active_file, Some(exported(4_096)));
    assert_eq!(
        part_bytes(&b),
        [
            ("rss", 42_565_632, false),
            ("active_file", 4_096, false),
            ("kernel_other", 1_720_320, false)
        ]
    );
    assert!(b.adds_up);
    assert_eq!(b.problem, None);
    assert_eq!(
        b.check,
        "working_set 44290048 = rss 42565632 + active_file 4096 + kernel/other 1720320"
    );
    assert_eq!(
        b.steps,
        [
            "working_set 44290048 = max(usage 47861760 − inactive_file 3571712, 0) = 44290048 ✓",
            "kernel/other 1720320 = working_set 44290048 − rss 42565632 − active_file 4096",
        ]
    );
    assert_eq!(
        b.notes,
        [
            "cache 3571712 B is not active_file + inactive_file = 3575808 B (-4096 B); kernel/other is taken as the working-set remainder"
        ]
    );
}

#[test]
fn rss_above_the_working_set_on_the_docker_v1_node_does_not_add_up() {
    // grep 'pod="metrics-server-6b79b4d69b-x2ps9"' nri-k8s-1.16-minikube-docker-cgv1.prom
    let b = of_container("nri-k8s-1.16-minikube-docker-cgv1.prom", "metrics-server");
    assert_eq!(
        (b.working_set, b.usage, b.rss, b.cache),
        (13_574_144, Some(15_589_376), Some(14_348_288), Some(0))
    );
    assert_eq!(b.inactive_file, Some(implied(2_015_232)));
    assert_eq!(b.active_file, None, "cache 0 − 2015232 is no amount");
    assert!(!b.adds_up);
    assert!(b.parts.is_empty(), "no negative remainder is shown");
    assert_eq!(
        b.problem.as_deref(),
        Some(
            "does not add up: rss 13.7Mi is above the working set 12.9Mi; \
             the implied inactive_file 1.9Mi exceeds the page cache 0 B"
        )
    );
    assert_eq!(
        b.check,
        "rss 14348288 > working_set 13574144; inactive_file 2015232 > cache 0"
    );
    assert!(!b.check.contains('-'), "{}", b.check);
}

#[test]
fn every_cgroup_of_the_cgroup_v2_node_adds_up() {
    let text = cadvisor_dump("nri-k8s-1.35-minikube-containerd2-cgv2.prom");
    let view = cadvisor_view(&parse(&text));
    let broken: Vec<&str> = view
        .cgroups
        .iter()
        .filter(|r| {
            let c = counters(&[*r]).unwrap();
            !decompose(None, &CgroupVersion::Unknown, &c).adds_up
        })
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(view.cgroups.len(), 58);
    assert_eq!(broken, Vec::<&str>::new());
}

#[test]
fn counters_sum_over_cgroups_and_are_unknown_when_one_lacks_them() {
    let text = "container_memory_working_set_bytes{id=\"/a\"} 10\n\
                container_memory_rss{id=\"/a\"} 4\n\
                container_memory_working_set_bytes{id=\"/b\"} 20\n\
                container_memory_rss{id=\"/b\"} 6\n\
                container_memory_cache{id=\"/b\"} 6\n";
    let view = cadvisor_view(&parse(text));
    let rows: Vec<&CgroupRow> = view.cgroups.iter().collect();
    let c = counters(&rows).unwrap();
    assert_eq!((c.ws, c.rss, c.cache, c.usage), (30, Some(10), None, None));
    let b = decompose(None, &CgroupVersion::Unknown, &c);
    assert_eq!(
        b.problem.as_deref(),
        Some("does not add up: cAdvisor exports no page cache (or usage) for it")
    );
    assert_eq!(counters(&[]), None);
}
