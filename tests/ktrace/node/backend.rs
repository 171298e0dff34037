//! The source value behind NodeMetrics, from real captures read in place:
//! - the root cgroup of the same minikube node as the 1.35 node lists (its full
//!   `/metrics/cadvisor` dump, kept to the node's lines as the fetcher keeps them), decomposed,
//!   against the kubelet's `/stats/summary` node working set of the same moment;
//! - the local node-exporter 1.5.0 / Prometheus 2.42 captures (cpu-node.md §A.8, E.3) as
//!   the adapter's node query answers: MemTotal − MemAvailable and Σ (1 − irate(idle)) are
//!   recomputed through ktrace's path and equal the captured answers bit for bit.

use ktrace::evidence::{Outcome, PromQuery, QueryPurpose, Source};
use ktrace::exposition::{NodeLineFilter, NodeLines};
use ktrace::lineage::model::{BackendKind, Layer};
use ktrace::node::backend::{self, BackendInputs, NodeBackend};
use ktrace::node::findings::NodeFinding;
use serde_json::{Value, json};

use crate::support::fixtures::realdata;

const CADVISOR_135: &str = "cadvisor/nri-k8s-1.35-minikube-containerd2-cgv2.prom";
const SUMMARY_135: &str = "summary/nri-k8s-1.35-minikube-containerd2-cgv2-stats-summary.json";

fn ok(body: String) -> Source {
    Source {
        request: None,
        fetched_at: None,
        outcome: Outcome::Ok {
            http_status: 200,
            body,
            filter: None,
        },
    }
}

/// The node's lines of a kubelet body, as `ktrace node` stores them.
fn node_lines(body: &str) -> String {
    let mut f = NodeLineFilter::new(NodeLines::Cadvisor);
    let mut out = Vec::new();
    f.push(body.as_bytes(), &mut out);
    f.finish(&mut out);
    String::from_utf8(out).expect("utf-8")
}

fn run(node: &str, nm: &Value, inputs: &BackendInputs) -> (NodeBackend, Vec<NodeFinding>) {
    let (layer, found) = backend::analyze(node, &Ok(nm), inputs).expect("inputs were passed");
    match layer {
        Layer::Present { value } => (value, found),
        Layer::Missing { reason } => panic!("no backend lineage: {reason}"),
    }
}

#[test]
fn the_real_root_cgroup_is_the_kubelets_node_working_set_and_decomposes_exactly() {
    let cad = node_lines(&realdata(CADVISOR_135));
    let summary: Value = serde_json::from_str(&realdata(SUMMARY_135)).unwrap();
    let api = json!({"spec": {"service": {"name": "metrics-server", "namespace": "kube-system"}}});
    let inputs = BackendInputs {
        apiservice: Some(Ok(&api)),
        kubelet_cadvisor: Some(Ok(&cad)),
        ..Default::default()
    };
    let nm = json!({"timestamp": "2026-06-26T10:14:35Z", "window": "15s",
        "usage": {"cpu": "100m", "memory": "917110784"}});
    let (b, _) = run("datagen-1-35", &nm, &inputs);
    assert_eq!(b.backend, BackendKind::MetricsServer);
    let root = b.cadvisor.get().expect("the root cgroup is in the dump");
    let d = &root.breakdown;
    // The kubelet's node working set (/stats/summary) is the root cgroup's (dataflow §3.7).
    assert_eq!(
        summary["node"]["memory"]["workingSetBytes"].as_i64(),
        Some(917_110_784)
    );
    assert_eq!(d.working_set, 917_110_784);
    assert_eq!(d.usage, Some(3_080_323_072));
    assert_eq!(d.rss, Some(710_361_088));
    assert_eq!(d.cache, Some(2_174_259_200));
    assert_eq!(d.mapped_file, Some(476_962_816));
    assert_eq!(d.swap, Some(0));
    let inactive = d.inactive_file.expect("exported");
    let active = d.active_file.expect("exported");
    assert_eq!((inactive.bytes, inactive.implied), (2_163_212_288, false));
    assert_eq!((active.bytes, active.implied), (524_288, false));
    assert_eq!(
        d.steps[0],
        "working_set 917110784 = max(usage 3080323072 − inactive_file 2163212288, 0) = 917110784 ✓"
    );
    assert_eq!(
        d.check,
        "working_set 917110784 = rss 710361088 + active_file 524288 + kernel/other 206225408"
    );
    assert!(d.adds_up);
    assert!(d.notes[0].starts_with(
        "cache 2174259200 B is not active_file + inactive_file = 2163736576 B (+10522624 B)"
    ));
    assert_eq!(root.t_ms, Some(1_782_468_875_486));
    assert_eq!(
        root.cpu_seconds.as_ref().map(|c| c.0.as_str()),
        Some("62.148052")
    );
    // 18 pod-level cgroups (container and pause cgroups under them are not counted).
    assert_eq!(root.pods.count, 18);
    assert_eq!(root.pods.working_set, 528_420_864);
    assert_eq!(root.pods.rest, 388_689_920);
}

const NODE_DIR: &str = "node/local-prom-2.42-query-";

fn answer(name: &str) -> String {
    realdata(&format!("{NODE_DIR}{name}.json"))
}

fn prom(purpose: QueryPurpose, query: &str, body: String) -> PromQuery {
    PromQuery {
        purpose,
        query: query.into(),
        time: Some("1796155526".into()),
        source: ok(body),
    }
}

/// The captured answers, shaped as a node bundle's `prometheus` entries (the queries are
/// the ones the capture ran: the node label is `instance_node`).
fn captured() -> Vec<PromQuery> {
    vec![
        prom(
            QueryPurpose::NodeMemory,
            "sum by (instance_node) (node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes)",
            answer("node-mem-used"),
        ),
        prom(
            QueryPurpose::NodeCpu,
            "sum by (instance_node) (1 - irate(node_cpu_seconds_total{mode=\"idle\"}[60s]))",
            answer("node-cpu-busy"),
        ),
        prom(
            QueryPurpose::NodeCpuSamples,
            "node_cpu_seconds_total{mode=\"idle\"}[60s]",
            answer("raw-idle-60s"),
        ),
        // The raw [60s] samples: their latest is what an instant selector at this time reads.
        prom(
            QueryPurpose::NodeMeminfo,
            "{__name__=~\"node_memory_MemTotal_bytes|node_memory_MemAvailable_bytes\"}",
            answer("raw-mem-60s"),
        ),
    ]
}

#[test]
fn the_real_node_exporter_answers_are_recomputed_bit_for_bit() {
    let qs = captured();
    let buildinfo = ok(json!({"status": "success", "data": {"version": "2.42.0+ds"}}).to_string());
    let api =
        json!({"spec": {"service": {"name": "prometheus-adapter", "namespace": "monitoring"}}});
    let inputs = BackendInputs {
        apiservice: Some(Ok(&api)),
        prometheus: &qs,
        buildinfo: Some(&buildinfo),
        ..Default::default()
    };
    // What the adapter makes of the answers: 473763840000 milli BinarySI = 462660Ki, 11m.
    let nm = json!({"timestamp": "2026-12-01T20:05:26Z", "window": "5m",
        "usage": {"cpu": "11m", "memory": "462660Ki"}});
    let (b, found) = run("local", &nm, &inputs);
    let a = b.adapter.get().expect("adapter layer");
    assert_eq!(a.engine, "2.42 (buildinfo version 2.42.0+ds)");
    let mem = a.meminfo.get().expect("meminfo");
    assert_eq!(
        mem.arithmetic,
        "MemTotal 25275990016 − MemAvailable 24802226176 = 473763840"
    );
    assert_eq!(mem.bit_exact, Some(true));
    assert_eq!(a.memory.get().unwrap().value, "473763840");
    assert_eq!(a.memory.get().unwrap().millis, 473_763_840_000);
    let cpu = a.cpu_recompute.get().expect("recomputed bit for bit");
    assert_eq!(cpu.recomputed, "0.011333333333338191");
    assert_eq!(
        cpu.selected_by,
        "with instance_node=\"local\" (the query sums by instance_node)"
    );
    // Each series' irate is the captured irate answer.
    let irate: Value = serde_json::from_str(&answer("irate-idle-60s")).unwrap();
    let want: Vec<&str> = irate["data"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["value"][1].as_str().unwrap())
        .collect();
    let got: Vec<&str> = cpu.series.iter().map(|s| s.value.as_str()).collect();
    assert_eq!(got, want);
    assert_eq!(a.cpu.get().unwrap().millis, 11);
    assert_eq!(b.memory.status, "exact");
    assert_eq!(b.cpu.status, "exact");
    let codes: Vec<&str> = found.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["node-source-exact"]);
    let (line, _) = backend::headline(&b);
    assert!(
        line.contains("memory answer = MemTotal 25275990016 − MemAvailable 24802226176 = 473763840, recomputed bit for bit"),
        "{line}"
    );
}
