//! `top node` and `describe node` side by side: per resource, what the node has, what its
//! pods reserve and what is measured, with the per-pod table and the findings.
//!
//! Units: CPU in millicores (`MilliValue()`, as both commands count), memory in bytes
//! (`Value()`).

use serde::Serialize;
use serde_json::Value;

use super::backend::{self, BackendInputs, NodeBackend};
use super::describe::{self, DescribeNode, allocatable, exclusion};
use super::findings::{NodeFinding, findings};
use super::resources::pod_requests_and_limits;
use super::summary::{self, NodeSummary};
use super::top::{self, Basis, TopNode};
use super::{KubectlRules, items, key, parse_value};
use crate::lineage::model::Layer;
use crate::quantity::Quantity;

/// Why an input is missing: the HTTP status if there was one, and the reason.
#[derive(Debug, Clone, Serialize)]
pub struct Unavailable {
    /// HTTP status (403 for RBAC, 404 for no NodeMetrics), if the server answered.
    pub status: Option<u16>,
    /// The reason in plain words (server message, timeout, not collected).
    pub reason: String,
}

/// An input object, or why it is missing.
pub type Input<'a> = Result<&'a Value, Unavailable>;

/// Everything the node lineage reads.
#[derive(Debug, Clone)]
pub struct NodeInputs<'a> {
    /// The node asked about.
    pub node_name: &'a str,
    /// `GET /api/v1/nodes/NODE`.
    pub node: Input<'a>,
    /// `LIST /api/v1/pods?fieldSelector=spec.nodeName=NODE,…` (any superset works).
    pub pods: Input<'a>,
    /// `GET /apis/metrics.k8s.io/v1beta1/nodes/NODE`.
    pub node_metrics: Input<'a>,
    /// A PodMetricsList covering the node's pods, if collected.
    pub pod_metrics: Option<Input<'a>>,
    /// Which kubectl's rules to predict.
    pub rules: KubectlRules,
    /// "Now" in Unix nanoseconds for the Age column (`None`: no Age).
    pub now_ns: Option<i128>,
    /// The sources behind NodeMetrics (kubelet bodies, the adapter's node queries); the
    /// default (none) gives no backend lineage.
    pub backend: BackendInputs<'a>,
}

/// The node report's analysis (the `-o json` shape).
#[derive(Debug, Clone, Serialize)]
pub struct NodeReport {
    /// The node.
    pub node: String,
    /// kubectl rules applied.
    pub rules: KubectlRules,
    /// `kubectl top node NODE` and `--show-capacity`.
    pub top: Layer<TopViews>,
    /// `kubectl describe node NODE`: Non-terminated Pods and Allocated resources.
    pub describe: Layer<DescribeNode>,
    /// CPU side by side (millicores).
    pub cpu: ResourceSide,
    /// Memory side by side (bytes).
    pub memory: ResourceSide,
    /// The source value behind NodeMetrics: the kubelet's root cgroup or the adapter's
    /// node queries, compared with NodeMetrics.
    pub backend: Layer<NodeBackend>,
    /// What the numbers mean, with the numbers.
    pub findings: Vec<NodeFinding>,
    /// The answer first: the headline lines and the verdict.
    pub summary: NodeSummary,
    /// Each source with its status and the command to fetch it by hand (filled from the
    /// evidence by `node::inputs::source_views`; empty when the report was built without it).
    pub sources: Vec<crate::lineage::SourceView>,
}

/// Both `top node` rows.
#[derive(Debug, Clone, Serialize)]
pub struct TopViews {
    /// Percentages of allocatable (the default).
    pub allocatable: TopNode,
    /// Percentages of capacity (`--show-capacity`).
    pub capacity: TopNode,
}

/// One resource from the machine down to the pods.
#[derive(Debug, Clone, Serialize)]
pub struct ResourceSide {
    /// `cpu` or `memory`.
    pub resource: String,
    /// `millicores` or `bytes`.
    pub unit: String,
    /// `status.capacity`.
    pub capacity: Option<i128>,
    /// `status.allocatable` (what both commands divide by).
    pub allocatable: Option<i128>,
    /// capacity − allocatable (system-reserved, kube-reserved, eviction threshold).
    pub reserved: Option<i128>,
    /// Σ requests of the non-terminated pods (`describe node`).
    pub requests: Option<i128>,
    /// Σ limits of the non-terminated pods.
    pub limits: Option<i128>,
    /// Measured usage of the whole node (NodeMetrics, `top node`).
    pub usage: Option<i128>,
    /// Σ of the pods' measured usage (PodMetrics), over the pods that have metrics.
    pub pods_usage: Option<i128>,
    /// How many of the counted pods had PodMetrics.
    pub pods_with_usage: usize,
    /// usage − Σ pods: system daemons, kubelet, runtime, kernel, page cache outside pods.
    pub rest: Option<i128>,
    /// The counted pods, largest usage first (pods without metrics last).
    pub pods: Vec<PodShare>,
}

/// One pod's row of the per-pod table.
#[derive(Debug, Clone, Serialize)]
pub struct PodShare {
    /// `namespace/name`.
    pub pod: String,
    /// Its request as `describe node` counts it.
    pub request: i128,
    /// Its limit (0: none).
    pub limit: i128,
    /// Its measured usage, if PodMetrics had it.
    pub usage: Option<i128>,
    /// usage / request, if both exist and the request is non-zero.
    pub usage_per_request: Option<f64>,
}

/// Builds the report; every missing input becomes a missing layer and a finding.
pub fn analyze(inputs: &NodeInputs) -> NodeReport {
    let name = inputs.node_name;
    let describe = match (&inputs.node, &inputs.pods) {
        (Ok(n), Ok(p)) => layer(describe::predict(n, p, inputs.rules, inputs.now_ns)),
        (Err(u), _) => missing(format!("the Node is not readable: {}", u.reason)),
        (_, Err(u)) => missing(format!(
            "the pods on the node are not readable: {}",
            u.reason
        )),
    };
    let top = top_views(inputs);
    let node = inputs.node.as_ref().ok().copied();
    let pods = counted_pods(inputs);
    let pod_usage = pod_usage(inputs);
    let side = |res: &str| side(res, node, &pods, &pod_usage, &inputs.node_metrics);
    let (cpu, memory) = (side("cpu"), side("memory"));
    let mut findings = findings(inputs, &top, &describe, &cpu, &memory);
    let backend = match backend::analyze(name, &inputs.node_metrics, &inputs.backend) {
        Some((layer, found)) => {
            findings.extend(found);
            layer
        }
        None => missing("no backend evidence was passed".into()),
    };
    let mut report = NodeReport {
        node: name.to_owned(),
        rules: inputs.rules,
        top,
        describe,
        cpu,
        memory,
        backend,
        findings,
        summary: NodeSummary::pending(name),
        sources: Vec::new(),
    };
    report.summary = summary::summary(inputs, &report);
    report
}

fn layer<T>(r: Result<T, String>) -> Layer<T> {
    match r {
        Ok(value) => Layer::Present { value },
        Err(reason) => Layer::Missing { reason },
    }
}

fn missing<T>(reason: String) -> Layer<T> {
    Layer::Missing { reason }
}

fn top_views(inputs: &NodeInputs) -> Layer<TopViews> {
    let metrics = match &inputs.node_metrics {
        Ok(m) => Some(*m),
        Err(u) if u.status == Some(404) => None,
        Err(u) => return missing(format!("NodeMetrics are not readable: {}", u.reason)),
    };
    let node = inputs.node.as_ref().ok().copied();
    let row = |basis| top::predict(metrics, node, inputs.node_name, basis);
    layer(row(Basis::Allocatable).and_then(|allocatable| {
        Ok(TopViews {
            allocatable,
            capacity: row(Basis::Capacity)?,
        })
    }))
}

/// `(namespace/name, requests, limits)` of the pods `describe node` counts.
type Counted = Vec<(
    String,
    super::resources::ResourceList,
    super::resources::ResourceList,
)>;

fn counted_pods(inputs: &NodeInputs) -> Option<Counted> {
    let list = inputs.pods.as_ref().ok()?;
    let pods = items(list, "the pod list").unwrap_or(&[]);
    pods.iter()
        .filter(|p| exclusion(p, inputs.node_name).is_none())
        .filter_map(|p| pod_requests_and_limits(p, inputs.rules).ok())
        .map(|r| (r.pod, r.requests, r.limits))
        .collect::<Counted>()
        .into()
}

/// `namespace/name` → summed container usage, per resource.
fn pod_usage(inputs: &NodeInputs) -> Vec<(String, Option<Quantity>, Option<Quantity>)> {
    let Some(Ok(list)) = &inputs.pod_metrics else {
        return Vec::new();
    };
    let sum = |pm: &Value, res: &str| -> Option<Quantity> {
        let containers = pm.get("containers").and_then(Value::as_array)?;
        containers.iter().try_fold(None::<Quantity>, |acc, c| {
            let q = parse_value(c.get("usage")?.get(res)?, res).ok()?;
            Some(Some(match acc {
                Some(a) => a.add(&q).ok()?,
                None => q,
            }))
        })?
    };
    let pms = items(list, "the PodMetrics list").unwrap_or(&[]);
    pms.iter()
        .map(|pm| (key(pm), sum(pm, "cpu"), sum(pm, "memory")))
        .collect()
}

fn amount(res: &str, q: &Quantity) -> i128 {
    if res == "cpu" {
        q.milli_value_ceil()
    } else {
        q.value_ceil()
    }
}

fn side(
    res: &str,
    node: Option<&Value>,
    pods: &Option<Counted>,
    pod_usage: &[(String, Option<Quantity>, Option<Quantity>)],
    node_metrics: &Input,
) -> ResourceSide {
    let status = |field: &str| {
        let v = node?.get("status")?.get(field)?.get(res)?;
        parse_value(v, res).ok().map(|q| amount(res, &q))
    };
    let capacity = status("capacity");
    let allocatable = node
        .and_then(|n| allocatable(n).ok())
        .and_then(|(_, a)| a.get(res).map(|q| amount(res, q)));
    let measured = node_metrics
        .as_ref()
        .ok()
        .and_then(|m| m.get("usage")?.get(res).cloned());
    let usage = measured
        .and_then(|v| parse_value(&v, res).ok())
        .map(|q| amount(res, &q));
    let mut rows: Vec<PodShare> = pods
        .iter()
        .flatten()
        .map(|(pod, req, lim)| {
            let get = |l: &super::resources::ResourceList| l.get(res).map_or(0, |q| amount(res, q));
            let used = usage_of(usage_list(pod_usage, pod), res);
            let request = get(req);
            let usage_per_request = used
                .filter(|_| request != 0)
                .map(|u| u as f64 / request as f64);
            PodShare {
                pod: pod.clone(),
                request,
                limit: get(lim),
                usage: used,
                usage_per_request,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.usage.cmp(&a.usage).then_with(|| a.pod.cmp(&b.pod)));
    let measured_pods: Vec<i128> = rows.iter().filter_map(|r| r.usage).collect();
    let pods_usage = (!measured_pods.is_empty()).then(|| measured_pods.iter().sum());
    let total = |f: fn(&PodShare) -> i128| pods.as_ref().map(|_| rows.iter().map(f).sum());
    ResourceSide {
        resource: res.to_owned(),
        unit: if res == "cpu" { "millicores" } else { "bytes" }.to_owned(),
        reserved: capacity.zip(allocatable).map(|(c, a)| c - a),
        capacity,
        allocatable,
        requests: total(|r| r.request),
        limits: total(|r| r.limit),
        usage,
        pods_usage,
        pods_with_usage: measured_pods.len(),
        rest: usage.zip(pods_usage).map(|(u, p)| u - p),
        pods: rows,
    }
}

fn usage_list<'a>(
    usage: &'a [(String, Option<Quantity>, Option<Quantity>)],
    pod: &str,
) -> Option<&'a (String, Option<Quantity>, Option<Quantity>)> {
    usage.iter().find(|(k, ..)| k == pod)
}

fn usage_of(
    entry: Option<&(String, Option<Quantity>, Option<Quantity>)>,
    res: &str,
) -> Option<i128> {
    let (_, cpu, mem) = entry?;
    let q = if res == "cpu" { cpu } else { mem };
    q.as_ref().map(|q| amount(res, q))
}

#[cfg(test)]
mod tests;
