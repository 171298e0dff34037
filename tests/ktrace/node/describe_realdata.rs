//! cpu-node.md §D.3's worked example, from the real files.

use ktrace::node::KubectlRules;
use ktrace::node::describe::{self, DescribeNode};

use super::{NODES_124, NODES_135, PODS_124, PODS_135, only_node, realdata_yaml};

fn predicted(nodes: &str, pods: &str, rules: KubectlRules) -> DescribeNode {
    describe::predict(&only_node(nodes), &realdata_yaml(pods), rules, None).unwrap()
}

fn row<'a>(d: &'a DescribeNode, resource: &str) -> &'a [String] {
    let r = d.allocated.iter().find(|r| r.resource == resource);
    &r.unwrap_or_else(|| panic!("no {resource} row")).cells
}

#[test]
fn datagen_1_35_allocated_resources_match_the_worked_example() {
    for rules in [KubectlRules::V1_32, KubectlRules::V1_33] {
        let d = predicted(NODES_135, PODS_135, rules);
        assert_eq!(d.node, "datagen-1-35");
        assert_eq!(d.pods_header, ["Non-terminated Pods:", "(18 in total)"]);
        assert_eq!(row(&d, "cpu"), ["cpu", "1355m (9%)", "1005m (7%)"]);
        assert_eq!(
            row(&d, "memory"),
            ["memory", "524045120 (6%)", "392973120 (4%)"]
        );
        assert_eq!(
            row(&d, "ephemeral-storage"),
            ["ephemeral-storage", "0 (0%)", "0 (0%)"]
        );
        // hugepages-* follow, sorted, with a percentage of their zero allocatable: 0%.
        let rows: Vec<&str> = d.allocated.iter().map(|r| r.resource.as_str()).collect();
        assert_eq!(
            rows,
            [
                "cpu",
                "memory",
                "ephemeral-storage",
                "hugepages-1Gi",
                "hugepages-2Mi",
                "hugepages-32Mi",
                "hugepages-64Ki"
            ]
        );
        assert_eq!(
            row(&d, "hugepages-2Mi"),
            ["hugepages-2Mi", "0 (0%)", "0 (0%)"]
        );
    }
}

#[test]
fn datagen_1_35_excludes_terminated_and_unscheduled_pods_and_explains_the_sum() {
    let d = predicted(NODES_135, PODS_135, KubectlRules::V1_33);
    let reasons = |r: &str| d.excluded.iter().filter(|e| e.reason == r).count();
    assert_eq!(
        (reasons("phase Succeeded"), reasons("phase Failed")),
        (2, 4)
    );
    assert_eq!(reasons("not scheduled (no spec.nodeName)"), 1);
    assert_eq!(d.excluded.len() + d.pods.len(), 25);
    let mem = &d.allocated[1].requests_total;
    assert_eq!(
        mem.format_from.as_deref(),
        Some("kube-system/coredns-7d764666f9-qdcxt")
    );
    assert_eq!(mem.allocatable.as_deref(), Some("8024304Ki"));
    assert!(
        mem.contributions.iter().any(|c| c.value == "5M"),
        "{:?}",
        mem.contributions
    );
    assert!(mem.arithmetic.ends_with(
        "= 524045120 (a binary-suffix sum that is not a whole number of Ki prints as plain bytes: \
         524045120 mod 1024 = 832; 499.8Mi)"
    ), "{}", mem.arithmetic);
    assert_eq!(
        mem.percent_arithmetic.as_deref(),
        Some("int64(524045120 / 8216887296 × 100) = int64(6.377659825699525) = 6")
    );
    let cpu = &d.allocated[0].requests_total;
    assert_eq!(cpu.percent, Some(9));
    assert_eq!(
        cpu.contributions.len(),
        d.pods.iter().filter(|p| p.cpu_requests != "0 (0%)").count()
    );
    let coredns = &d.pods[0];
    assert_eq!(
        coredns.cells,
        [
            "kube-system",
            "coredns-7d764666f9-qdcxt",
            "",
            "100m (0%)",
            "0 (0%)",
            "70Mi (0%)",
            "170Mi (2%)"
        ]
    );
}

#[test]
fn datagen_1_24_allocated_resources_match_the_worked_example() {
    let d = predicted(NODES_124, PODS_124, KubectlRules::V1_33);
    assert_eq!(d.node, "datagen-1-24");
    assert_eq!(row(&d, "cpu"), ["cpu", "1555m (31%)", "1405m (28%)"]);
    assert_eq!(
        row(&d, "memory"),
        ["memory", "497830720 (6%)", "340544320 (4%)"]
    );
    assert_eq!(
        d.excluded
            .iter()
            .filter(|e| e.reason == "phase Failed")
            .count(),
        6
    );
}
