//! The node report rendered from the real Node and Pod lists of datagen-1-35 (read in
//! place), a NodeMetrics and a PodMetricsList written here: the headline in plain words, the
//! Markdown's kubectl cells byte for byte, the text within its width, the degraded cases.

use ktrace::node::KubectlRules;
use ktrace::node::model::{NodeInputs, NodeReport, Unavailable, analyze};
use ktrace::render::node::{write_json, write_markdown, write_text};
use ktrace::render::{Format, TextOptions};
use serde_json::{Value, json};

use super::{NODES_135, PODS_135, only_node, realdata_yaml};

const NODE: &str = "datagen-1-35";

/// The real node, with capacity above allocatable (as on a node with reservations).
fn node() -> Value {
    let mut n = only_node(NODES_135);
    n["status"]["capacity"]["cpu"] = json!("16");
    n["status"]["capacity"]["memory"] = json!("8Gi");
    n
}

fn node_metrics() -> Value {
    json!({"kind": "NodeMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
        "metadata": {"name": NODE}, "timestamp": "2026-12-01T00:00:00Z", "window": "20.05s",
        "usage": {"cpu": "2345678901n", "memory": "3000000Ki"}})
}

/// PodMetrics for four of the node's pods.
fn pod_metrics() -> Value {
    let pm = |ns: &str, name: &str, cpu: &str, mem: &str| {
        json!({"metadata": {"namespace": ns, "name": name}, "timestamp": "2026-12-01T00:00:00Z",
            "window": "20.05s", "containers": [{"name": "c", "usage": {"cpu": cpu, "memory": mem}}]})
    };
    json!({"kind": "PodMetricsList", "items": [
        pm("kube-system", "coredns-7d764666f9-qdcxt", "3000000n", "20Mi"),
        pm("kube-system", "etcd-datagen-1-35", "40m", "60Mi"),
        pm("kube-system", "kube-apiserver-datagen-1-35", "120m", "300Mi"),
        pm("scraper", "e2e-hpa-6cd8d99884-tggnr", "450m", "15Mi"),
    ]})
}

struct Case {
    pods_forbidden: bool,
    node_metrics: bool,
}

fn analyzed(case: Case) -> NodeReport {
    let (n, pods, m, pm) = (
        node(),
        realdata_yaml(PODS_135),
        node_metrics(),
        pod_metrics(),
    );
    let inputs = NodeInputs {
        node_name: NODE,
        node: Ok(&n),
        pods: if case.pods_forbidden {
            Err(Unavailable {
                status: Some(403),
                reason: "pods is forbidden: User \"viewer\" cannot list resource \"pods\" in API \
                         group \"\" at the cluster scope"
                    .into(),
            })
        } else {
            Ok(&pods)
        },
        node_metrics: if case.node_metrics {
            Ok(&m)
        } else {
            Err(Unavailable {
                status: Some(404),
                reason: format!("nodemetrics.metrics.k8s.io \"{NODE}\" not found"),
            })
        },
        pod_metrics: Some(Ok(&pm)),
        rules: KubectlRules::V1_32,
        now_ns: None,
        backend: Default::default(),
    };
    analyze(&inputs)
}

fn full() -> NodeReport {
    analyzed(Case {
        pods_forbidden: false,
        node_metrics: true,
    })
}

fn markdown(r: &NodeReport) -> String {
    let mut out = Vec::new();
    write_markdown(r, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn text(r: &NodeReport, width: usize) -> String {
    let mut out = Vec::new();
    let opts = TextOptions {
        color: false,
        width,
        details: false,
    };
    write_text(r, opts, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn the_headline_answers_the_question_with_the_real_numbers() {
    let r = full();
    let s = &r.summary;
    assert_eq!(
        s.question,
        "Why do `kubectl top node datagen-1-35` and `kubectl describe node datagen-1-35` show \
         different numbers?"
    );
    let lines: Vec<&str> = s.lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        lines,
        [
            "`kubectl top node datagen-1-35` measures use (NodeMetrics: the node's whole cgroup \
             tree): CPU 2346m = 16% of allocatable 14000m; memory 2929Mi (2.9Gi) = 37% of \
             allocatable 7.7Gi",
            "`kubectl describe node datagen-1-35` adds up reservations: the 18 non-terminated pods \
             (6 Succeeded/Failed pods left out) request CPU 1355m (9%), memory 499.8Mi (6%) and \
             limit CPU 1005m (7%), memory 374.8Mi (4%), as percentages of allocatable",
            "describe counts what the pods reserve (requests, limits), top what the node measures; \
             they share only the denominator, allocatable: CPU used 2346m vs requested 1355m \
             (1.7× the requests); memory used 2.9Gi vs requested 499.8Mi (5.9× the requests)",
            "the 4 of 18 pods with PodMetrics use CPU 613m and memory 395.0Mi; the rest of the \
             node's use, CPU 1733m and memory 2.5Gi, is outside the pods: system daemons, \
             kubelet, container runtime, kernel, page cache outside pod cgroups",
            "[pods-over-requests] cpu: pods using more than twice their request: \
             scraper/e2e-hpa-6cd8d99884-tggnr uses 450m (request 200m)",
        ]
    );
    assert_eq!(s.verdict, ktrace::lineage::Verdict::Consistent);
}

#[test]
fn markdown_shows_kubectls_cells_byte_for_byte() {
    let out = markdown(&full());
    assert!(out.contains("\n  cpu\t1355m (9%)\t1005m (7%)\n"), "{out}");
    assert!(out.contains("\n  memory\t524045120 (6%)\t392973120 (4%)\n"));
    assert!(out.contains("\n  hugepages-2Mi\t0 (0%)\t0 (0%)\n"));
    assert!(out.contains("\nNAME\tCPU(cores)\tCPU(%)\tMEMORY(bytes)\tMEMORY(%)\ndatagen-1-35\t2346m\t16%\t2929Mi\t37%\n"));
    assert!(
        out.contains("\ndatagen-1-35\t2346m\t14%\t2929Mi\t35%\n"),
        "--show-capacity"
    );
    assert!(out.contains("Non-terminated Pods:\t(18 in total)\n"));
    assert!(out.contains(
        "\n  kube-system\tcoredns-7d764666f9-qdcxt\t\t100m (0%)\t0 (0%)\t70Mi (0%)\t170Mi (2%)\n"
    ));
    assert!(out.contains("| Σ requests (describe node) | 1355m (9%) | 499.8Mi (6%) |"));
    assert!(out.contains("| rest (usage − Σ pods) | 1733m | 2.5Gi |"));
    assert!(out.contains(
        "(a binary-suffix sum that is not a whole number of Ki prints as plain bytes: 524045120 mod 1024 = 832; 499.8Mi)"
    ));
}

#[test]
fn text_fits_every_width_and_aligns_the_rows() {
    let r = full();
    for width in [60, 80, 120] {
        let out = text(&r, width);
        for l in out.lines() {
            assert!(l.chars().count() <= width, "{width}: {l:?}");
        }
    }
    let out = text(&r, 120);
    assert!(
        out.contains("\n  cpu                1355m (9%)      1005m (7%)\n"),
        "{out}"
    );
    assert!(
        out.contains("\n  datagen-1-35  2346m       16%     2929Mi         37%\n"),
        "{out}"
    );
}

#[test]
fn a_forbidden_pod_list_names_list_pods_and_the_rest_stands() {
    let r = analyzed(Case {
        pods_forbidden: true,
        node_metrics: true,
    });
    let s = &r.summary;
    assert_eq!(s.verdict, ktrace::lineage::Verdict::Partial);
    assert_eq!(s.missing, ["list pods at cluster scope (HTTP 403)"]);
    assert!(
        s.lines[1]
            .text
            .ends_with("— needs `list pods` at cluster scope (all namespaces)")
    );
    assert!(
        s.lines[0]
            .text
            .contains("CPU 2346m = 16% of allocatable 14000m")
    );
    let out = markdown(&r);
    assert!(out.contains("**Verdict:** partial · exit 3: some sources are missing: list pods at cluster scope (HTTP 403)"));
    assert!(
        out.contains("\ndatagen-1-35\t2346m\t16%\t2929Mi\t37%\n"),
        "top node still predicted"
    );
}

#[test]
fn without_node_metrics_top_node_is_unknown_and_says_why() {
    let r = analyzed(Case {
        pods_forbidden: false,
        node_metrics: false,
    });
    assert_eq!(r.summary.verdict, ktrace::lineage::Verdict::Partial);
    assert_eq!(
        r.summary.lines[0].text,
        "`kubectl top node datagen-1-35` has no number: there are no NodeMetrics for the node \
         (nodemetrics.metrics.k8s.io \"datagen-1-35\" not found); the all-nodes list prints \
         <unknown> in every column"
    );
    let out = text(&r, 100);
    assert!(
        out.contains("  datagen-1-35  <unknown>   <unknown>  <unknown>      <unknown>"),
        "{out}"
    );
    assert!(
        out.contains("Verdict: partial · exit 3: some sources are missing: NodeMetrics (HTTP 404)")
    );
    let mut json = Vec::new();
    write_json(&r, &mut json).unwrap();
    let v: Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v["summary"]["verdict"], "partial");
    assert_eq!(v["top"]["value"]["allocatable"]["cells"][1], "<unknown>");
    let mut again = Vec::new();
    ktrace::render::node::render(&r, Format::Json, TextOptions::default(), &mut again).unwrap();
    assert_eq!(again, json);
}
