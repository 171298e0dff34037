use super::promjson::{prom_text, time_ms};
use super::*;
use crate::evidence::{Outcome, QueryPurpose};
use crate::lineage::model::Tone;
use serde_json::json;

fn ok(body: &str) -> Source {
    Source {
        request: Some("https://prom.example/api/v1/query?query=x".into()),
        fetched_at: None,
        outcome: Outcome::Ok {
            http_status: 200,
            body: body.into(),
            filter: None,
        },
    }
}

fn query(purpose: QueryPurpose, q: &str, body: &str) -> PromQuery {
    PromQuery {
        purpose,
        query: q.into(),
        time: Some("1700000030".into()),
        source: ok(body),
    }
}

fn apiservice(name: &str) -> Value {
    json!({"spec": {"service": {"name": name, "namespace": "kube-system"}}})
}

fn metrics(mem: &str, cpu: &str, ts: &str) -> Value {
    json!({"timestamp": ts, "window": "15.012s", "usage": {"cpu": cpu, "memory": mem}})
}

/// A `/metrics/resource` body: node WS 2 GiB and a CPU counter, both at 1700000030.000.
const RESOURCE: &str = "\
# TYPE node_cpu_usage_seconds_total counter
node_cpu_usage_seconds_total 70283.340082884 1700000030000
# TYPE node_memory_working_set_bytes gauge
node_memory_working_set_bytes 2.147483648e+09 1700000030000
pod_memory_working_set_bytes{namespace=\"a\",pod=\"p\"} 1.048576e+06 1700000029000
";

/// A `/metrics/cadvisor` body: the root (no active/inactive exported) and two pod cgroups.
const CADVISOR: &str = "\
container_memory_working_set_bytes{id=\"/\",pod=\"\"} 1000000 1700000030000
container_memory_usage_bytes{id=\"/\",pod=\"\"} 1500000 1700000030000
container_memory_rss{id=\"/\",pod=\"\"} 600000 1700000030000
container_memory_cache{id=\"/\",pod=\"\"} 800000 1700000030000
container_memory_working_set_bytes{id=\"/kubepods/burstable/pod1234\",pod=\"a\"} 300000 1700000030000
container_memory_working_set_bytes{id=\"/kubepods/pod99\",pod=\"b\"} 200000 1700000030000
container_memory_working_set_bytes{id=\"/kubepods/pod99/abc\",pod=\"b\"} 150000 1700000030000
container_cpu_usage_seconds_total{cpu=\"total\",id=\"/\",pod=\"\"} 62.148052 1700000030000
";

fn ms_inputs<'a>(api: &'a Value, res: Result<&'a str, Unavailable>) -> BackendInputs<'a> {
    BackendInputs {
        apiservice: Some(Ok(api)),
        kubelet_resource: Some(res),
        kubelet_cadvisor: Some(Ok(CADVISOR)),
        ..Default::default()
    }
}

fn run(nm: &Value, inputs: &BackendInputs) -> (NodeBackend, Vec<NodeFinding>) {
    let (layer, found) = analyze("n1", &Ok(nm), inputs).expect("backend inputs were passed");
    (layer.get().expect("present").clone(), found)
}

fn codes(f: &[NodeFinding]) -> Vec<&str> {
    f.iter().map(|f| f.code.as_str()).collect()
}

#[test]
fn without_backend_inputs_there_is_no_backend_lineage() {
    let nm = metrics("2Gi", "1m", "2023-11-14T22:13:50Z");
    assert!(analyze("n1", &Ok(&nm), &BackendInputs::default()).is_none());
}

#[test]
fn metrics_server_memory_equal_to_the_kubelet_working_set_is_exact() {
    let api = apiservice("metrics-server");
    let nm = metrics("2Gi", "1200000000n", "2023-11-14T22:13:50Z");
    let (b, found) = run(&nm, &ms_inputs(&api, Ok(RESOURCE)));
    assert_eq!(b.backend, BackendKind::MetricsServer);
    assert_eq!(b.memory.status, "exact");
    assert_eq!(
        b.memory.source,
        "kubelet node_memory_working_set_bytes 2147483648 (root cgroup)"
    );
    assert_eq!(codes(&found), ["node-source-exact"]);
    let k = b.kubelet.get().unwrap();
    // metrics-server's uint64(v × 1e9): this counter comes back 1 ns low (cpu-node.md §C.2).
    assert_eq!(k.cpu.as_ref().unwrap().decoded, 70_283_340_082_883);
    assert_eq!(k.pods_memory, Some((1_048_576, 1)));
    assert_eq!(b.cpu.status, "not-comparable");
    assert!(
        b.cpu
            .arithmetic
            .contains("metrics-server's prev is not in the evidence")
    );
    let (line, tone) = headline(&b);
    assert!(line.starts_with("NodeMetrics via metrics-server: memory 2Gi = kubelet node_memory_working_set_bytes 2147483648 (root cgroup), exact; cpu 1200000000n"), "{line}");
    assert_eq!(tone, Tone::Neutral);
}

#[test]
fn metrics_server_memory_from_an_earlier_scrape_is_drift_with_its_delta() {
    let api = apiservice("metrics-server");
    let nm = metrics("2047Mi", "1m", "2023-11-14T22:13:40Z");
    let (b, found) = run(&nm, &ms_inputs(&api, Ok(RESOURCE)));
    assert_eq!(b.memory.status, "drift");
    assert_eq!(
        b.memory.arithmetic,
        "usage.memory 2047Mi = 2146435072 B vs kubelet 2147483648 B: Δ +1048576 B; the kubelet \
         sample is 10 s after the NodeMetrics timestamp"
    );
    assert_eq!(codes(&found), ["node-source-drift"]);
}

#[test]
fn metrics_server_memory_different_at_the_same_time_differs() {
    let api = apiservice("metrics-server");
    let nm = metrics("2047Mi", "1m", "2023-11-14T22:13:50Z");
    let (b, found) = run(&nm, &ms_inputs(&api, Ok(RESOURCE)));
    assert_eq!(b.memory.status, "differs");
    assert_eq!(codes(&found), ["node-source-differs"]);
}

#[test]
fn a_missing_kubelet_resource_names_the_command_to_fetch_it() {
    let api = apiservice("metrics-server");
    let nm = metrics("2Gi", "1m", "2023-11-14T22:13:50Z");
    let gone = Unavailable {
        status: Some(403),
        reason: "forbidden: get nodes/proxy".into(),
    };
    let (b, found) = run(&nm, &ms_inputs(&api, Err(gone)));
    assert_eq!(b.memory.status, "missing");
    assert_eq!(codes(&found), ["node-source-missing"]);
    assert!(
        found[0]
            .message
            .contains("kubectl get --raw /api/v1/nodes/n1/proxy/metrics/resource")
    );
    assert_eq!(headline(&b).1, Tone::Warn);
}

#[test]
fn the_root_cgroup_is_decomposed_and_the_pods_subtracted() {
    let c = cgroup::read(CADVISOR).unwrap();
    let b = &c.breakdown;
    assert_eq!(b.working_set, 1_000_000);
    // inactive_file implied as usage − ws, active_file as cache − inactive_file.
    assert_eq!(
        b.inactive_file.map(|a| (a.bytes, a.implied)),
        Some((500_000, true))
    );
    assert_eq!(
        b.active_file.map(|a| (a.bytes, a.implied)),
        Some((300_000, true))
    );
    assert_eq!(
        b.check,
        "working_set 1000000 = rss 600000 + active_file 300000 + kernel/other 100000"
    );
    assert!(b.adds_up);
    // The container cgroup under pod99 is not a pod-level cgroup.
    assert_eq!(
        (c.pods.count, c.pods.working_set, c.pods.rest),
        (2, 500_000, 500_000)
    );
    assert_eq!(
        c.cpu_seconds,
        Some(("62.148052".into(), Some(1_700_000_030_000)))
    );
}

const MEM_Q: &str = "sum by (instance) (node_memory_MemTotal_bytes{instance=\"n1\"} - node_memory_MemAvailable_bytes{instance=\"n1\"})";
const CPU_Q: &str =
    "sum by (instance) (1 - irate(node_cpu_seconds_total{mode=\"idle\",instance=\"n1\"}[30s]))";
const JOINED_Q: &str = "sum by (node) (1 - irate(node_cpu_seconds_total{mode=\"idle\"}[30s]) * on(namespace, pod) group_left(node) node_namespace_pod:kube_pod_info:{node=\"n1\"})";

fn vector(labels: Value, v: &str) -> String {
    json!({"status": "success", "data": {"resultType": "vector",
        "result": [{"metric": labels, "value": [1700000030, v]}]}})
    .to_string()
}

/// Two idle series of n1 and one of n2, 10 s apart.
fn samples(with_instance: bool) -> String {
    let s = |inst: &str, cpu: &str, a: &str, b: &str| {
        let mut m = json!({"__name__": "node_cpu_seconds_total", "cpu": cpu, "mode": "idle"});
        if with_instance {
            m["instance"] = json!(inst);
        }
        json!({"metric": m, "values": [[1700000010, a], [1700000020, b]]})
    };
    json!({"status": "success", "data": {"resultType": "matrix", "result": [
        s("n1", "0", "100", "109.9"), s("n1", "1", "50", "59.5"), s("n2", "0", "7", "8")]}})
    .to_string()
}

fn adapter_queries(cpu_q: &str, with_instance: bool, cpu_answer: &str) -> Vec<PromQuery> {
    let meminfo = json!({"status": "success", "data": {"resultType": "vector", "result": [
        {"metric": {"__name__": TOTAL_NAME, "instance": "n1"}, "value": [1700000030, "4294967296"]},
        {"metric": {"__name__": AVAIL_NAME, "instance": "n1"}, "value": [1700000030, "3221225472"]}]}});
    let group = if cpu_q.contains("by (node)") {
        "node"
    } else {
        "instance"
    };
    vec![
        query(
            QueryPurpose::NodeMemory,
            MEM_Q,
            &vector(json!({"instance": "n1"}), "1073741824"),
        ),
        query(
            QueryPurpose::NodeCpu,
            cpu_q,
            &vector(json!({group: "n1"}), cpu_answer),
        ),
        query(
            QueryPurpose::NodeCpuSamples,
            "node_cpu_seconds_total{mode=\"idle\"}[30s]",
            &samples(with_instance),
        ),
        query(
            QueryPurpose::NodeMeminfo,
            "{__name__=~\"…\"}",
            &meminfo.to_string(),
        ),
    ]
}

const TOTAL_NAME: &str = "node_memory_MemTotal_bytes";
const AVAIL_NAME: &str = "node_memory_MemAvailable_bytes";

/// Σ (1 − irate) of n1's two series, in the matrix's order, as float64 adds them.
fn busy() -> f64 {
    let a = 1.0 - (109.9 - 100.0) / 10.0;
    let b = 1.0 - (59.5 - 50.0) / 10.0;
    a + b
}

#[test]
fn the_adapter_answers_are_recomputed_bit_for_bit_for_the_nodes_own_series() {
    let api = apiservice("prometheus-adapter");
    let answer = prom_text(busy());
    let qs = adapter_queries(CPU_Q, true, &answer);
    let inputs = BackendInputs {
        apiservice: Some(Ok(&api)),
        prometheus: &qs,
        ..Default::default()
    };
    // 0.009999999999999454 + 0.050000000000000044 → int64(59.99…) = 59 milli.
    let nm = metrics("1Gi", "59m", "2023-11-14T22:13:50Z");
    let (b, found) = run(&nm, &inputs);
    assert_eq!(b.backend, BackendKind::PrometheusAdapter);
    let a = b.adapter.get().unwrap();
    let mem = a.meminfo.get().unwrap();
    assert_eq!(mem.used, "1073741824");
    assert_eq!(mem.bit_exact, Some(true));
    let cpu = a.cpu_recompute.get().expect("recomputed");
    assert_eq!(cpu.recomputed, answer);
    assert_eq!(cpu.series.len(), 2);
    assert_eq!(cpu.other_series, 1);
    assert!(cpu.one_minus);
    assert_eq!(b.memory.status, "exact");
    assert_eq!(b.cpu.status, "exact");
    assert_eq!(a.cpu.get().unwrap().millis, 59);
    assert_eq!(codes(&found), ["node-source-exact"]);
}

#[test]
fn a_joined_cpu_query_without_node_labels_on_the_series_is_not_recomputed() {
    let api = apiservice("prometheus-adapter");
    let qs = adapter_queries(JOINED_Q, false, &prom_text(busy()));
    let inputs = BackendInputs {
        apiservice: Some(Ok(&api)),
        prometheus: &qs,
        ..Default::default()
    };
    let nm = metrics("1Gi", "60m", "2023-11-14T22:13:50Z");
    let (b, found) = run(&nm, &inputs);
    let reason = b.adapter.get().unwrap().cpu_recompute.reason().unwrap();
    assert!(
        reason.starts_with("not recomputed: the samples answer holds 3 idle series"),
        "{reason}"
    );
    assert!(reason.contains("node_namespace_pod:kube_pod_info:"));
    // The answer still compares: NodeMetrics 60m is not int64(answer × 1000) = 59.
    assert_eq!(b.cpu.status, "differs");
    assert_eq!(codes(&found), ["node-source-exact", "node-source-differs"]);
}

#[test]
fn meminfo_and_the_root_working_set_side_by_side() {
    let api = apiservice("prometheus-adapter");
    let qs = adapter_queries(CPU_Q, true, &prom_text(busy()));
    let inputs = BackendInputs {
        apiservice: Some(Ok(&api)),
        prometheus: &qs,
        kubelet_cadvisor: Some(Ok(CADVISOR)),
        ..Default::default()
    };
    let nm = metrics("1Gi", "1m", "2023-11-14T22:13:50Z");
    let (_, found) = run(&nm, &inputs);
    let f = found
        .iter()
        .find(|f| f.code == "node-memory-backends-differ")
        .expect("both views are there");
    assert!(
        f.message.contains("MemTotal − MemAvailable = 1073741824 B"),
        "{}",
        f.message
    );
    assert!(f.message.contains("working set 1000000 B"));
    assert!(f.message.contains("Δ -1072741824 B"));
}

#[test]
fn floats_and_times_are_written_and_read_as_prometheus_does() {
    assert_eq!(prom_text(0.011333333333338191), "0.011333333333338191");
    assert_eq!(prom_text(1e-7), "1e-07");
    assert_eq!(prom_text(1.5e21), "1.5e+21");
    assert_eq!(prom_text(473763840.0), "473763840");
    assert_eq!(time_ms("1796155480.884"), Some(1_796_155_480_884));
    assert_eq!(time_ms("1796155526"), Some(1_796_155_526_000));
    assert_eq!(time_ms("12.3456"), Some(12_346));
    assert_eq!(time_ms("x"), None);
}
