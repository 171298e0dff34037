use super::*;

const CADVISOR: &str = r#"# HELP container_cpu_usage_seconds_total Cumulative cpu time consumed in seconds.
# TYPE container_cpu_usage_seconds_total counter
container_cpu_usage_seconds_total{container="",cpu="total",id="/",image="",name="",namespace="",pod=""} 30704.992268458 1595574552851
container_cpu_usage_seconds_total{container="",cpu="total",id="/kubepods.slice",image="",name="",namespace="",pod=""} 1000.5 1595574552851
container_cpu_usage_seconds_total{container="",cpu="total",id="/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1f2e_3d4c.slice",image="",name="",namespace="csi",pod="a-0"} 12.5 1595574552851
container_cpu_usage_seconds_total{container="app",cpu="total",id="/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1f2e_3d4c.slice/crio-0123.scope",image="x",name="k8s_app",namespace="csi",pod="a-0"} 12 1595574552851
container_cpu_usage_seconds_total{container="",cpu="total",id="/system.slice/kubelet.service",image="",name="",namespace="",pod=""} 99 1595574552851
# HELP container_memory_working_set_bytes Current working set in bytes.
# TYPE container_memory_working_set_bytes gauge
container_memory_working_set_bytes{container="",id="/",image="",name="",namespace="",pod=""} 4.0378368e+09 1595574552851
container_memory_working_set_bytes{container="",id="/kubepods/burstable/pod49686167-aaaa",image="",name="",namespace="logging",pod="kibana-0"} 4.0378368e+08 1595574552851
container_memory_working_set_bytes{container="kibana",id="/kubepods/burstable/pod49686167-aaaa/0f0f",image="k",name="k8s_kibana",namespace="logging",pod="kibana-0"} 4e+08 1595574552851
container_memory_working_set_bytes{container="",id="/kubepods/burstable",image="",name="",namespace="",pod=""} 5e+08 1595574552851
"#;

fn kept(lines: NodeLines, body: &str) -> String {
    let mut f = NodeLineFilter::new(lines);
    let mut out = Vec::new();
    f.push(body.as_bytes(), &mut out);
    f.finish(&mut out);
    String::from_utf8(out).unwrap()
}

fn line_with(body: &str, needle: &str) -> String {
    body.lines()
        .find(|l| l.contains(needle))
        .unwrap()
        .to_string()
}

#[test]
fn cadvisor_keeps_the_root_and_the_pod_cgroups_after_their_metadata() {
    let got = kept(NodeLines::Cadvisor, CADVISOR);
    let want: Vec<String> = [
        "# HELP container_cpu_usage_seconds_total",
        "# TYPE container_cpu_usage_seconds_total",
        "container_cpu_usage_seconds_total{container=\"\",cpu=\"total\",id=\"/\"",
        "kubepods-burstable-pod1f2e_3d4c.slice\",",
        "# HELP container_memory_working_set_bytes",
        "# TYPE container_memory_working_set_bytes",
        "container_memory_working_set_bytes{container=\"\",id=\"/\"",
        "id=\"/kubepods/burstable/pod49686167-aaaa\"",
    ]
    .iter()
    .map(|n| line_with(CADVISOR, n))
    .collect();
    assert_eq!(got, want.join("\n") + "\n");
}

#[test]
fn every_split_of_the_body_gives_the_same_lines() {
    let whole = kept(NodeLines::Cadvisor, CADVISOR);
    let bytes = CADVISOR.as_bytes();
    for at in (0..bytes.len()).step_by(7) {
        let mut f = NodeLineFilter::new(NodeLines::Cadvisor);
        let mut out = Vec::new();
        f.push(&bytes[..at], &mut out);
        f.push(&bytes[at..], &mut out);
        f.finish(&mut out);
        assert_eq!(String::from_utf8(out).unwrap(), whole, "split at {at}");
        assert_eq!(f.stats().lines_in, 13);
        assert_eq!(f.stats().lines_kept, 4);
    }
}

#[test]
fn pod_cgroups_are_told_from_containers_qos_and_system_cgroups() {
    for pod in [
        "/kubepods/pod123",
        "/kubepods/besteffort/pod1-2-3",
        "/kubepods.slice/kubepods-pod1_2.slice",
        "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1_2.slice",
    ] {
        assert!(is_pod_cgroup(pod), "{pod}");
        assert!(is_node_cgroup(pod), "{pod}");
    }
    for other in [
        "/kubepods",
        "/kubepods.slice",
        "/kubepods/burstable",
        "/kubepods.slice/kubepods-burstable.slice",
        "/kubepods/pod123/abc",
        "/kubepods.slice/kubepods-pod1_2.slice/crio-1.scope",
        "/kubepods.slice/kubepods-pod1_2.slice/crio-conmon-1.scope",
        "/system.slice/pod-x.slice",
        "/podman/pod1",
        "",
    ] {
        assert!(!is_pod_cgroup(other), "{other}");
    }
    assert!(is_node_cgroup("/"));
}

#[test]
fn resource_keeps_node_and_pod_series_without_container_ones() {
    let body = "# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds\n\
# TYPE node_cpu_usage_seconds_total counter\n\
node_cpu_usage_seconds_total 357.35491 1633253812125\n\
# HELP container_cpu_usage_seconds_total [STABLE] x\n\
# TYPE container_cpu_usage_seconds_total counter\n\
container_cpu_usage_seconds_total{container=\"app\",namespace=\"csi\",pod=\"a-0\"} 1.5 1633253812125\n\
# HELP pod_memory_working_set_bytes [STABLE] y\n\
# TYPE pod_memory_working_set_bytes gauge\n\
pod_memory_working_set_bytes{namespace=\"csi\",pod=\"a-0\"} 1.2e+07 1633253812125\n\
resource_scrape_error 0";
    let got = kept(NodeLines::Resource, body);
    let lines: Vec<&str> = body.lines().collect();
    let want = [0, 1, 2, 6, 7, 8, 9].map(|i| lines[i]).join("\n") + "\n";
    assert_eq!(got, want);
}

#[test]
fn the_keep_limits_cut_and_say_so() {
    let mut f = NodeLineFilter::new(NodeLines::Cadvisor).with_limits(KeepLimits {
        lines: 2,
        bytes: 1 << 20,
    });
    let mut out = Vec::new();
    f.push(CADVISOR.as_bytes(), &mut out);
    f.finish(&mut out);
    assert!(f.is_full());
    assert_eq!(f.stats().lines_kept, 2);
    assert_eq!(String::from_utf8(out).unwrap().lines().count(), 4);
}

#[test]
fn unreadable_candidates_are_counted_not_kept() {
    let body = "container_cpu_usage_seconds_total{id=\"/\" 1\nbad line \"/\" here\n";
    let mut f = NodeLineFilter::new(NodeLines::Cadvisor);
    let mut out = Vec::new();
    f.push(body.as_bytes(), &mut out);
    f.finish(&mut out);
    assert!(out.is_empty());
    assert_eq!(f.stats().unreadable, 2);
}
