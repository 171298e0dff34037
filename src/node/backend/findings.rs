//! NodeMetrics against the value its backend read, the findings that says how they
//! compare, and the one headline line (`source`).
//!
//! Codes: `node-source-exact` (info), `node-source-drift` (warning: NodeMetrics is from
//! metrics-server's last scrape, the kubelet reading from another moment), `node-source-differs`
//! (warning, and the verdict `disagree`: the source is no newer than NodeMetrics), `node-memory-backends-differ` (info:
//! node-exporter's MemTotal − MemAvailable against the root cgroup's working set),
//! `node-source-missing` (warning, with the command that fetches the source by hand).

use super::{BackendInputs, NodeBackend, SourceCheck};
use crate::lineage::model::{BackendKind, Layer, Tone};
use crate::lineage::time::age;
use crate::node::findings::NodeFinding;
use crate::quantity::human_bytes;

/// A check not made yet.
pub fn pending() -> SourceCheck {
    check("not-comparable", String::new(), String::new())
}

fn check(status: &str, source: String, arithmetic: String) -> SourceCheck {
    SourceCheck {
        status: status.into(),
        source,
        arithmetic,
    }
}

fn finding(code: &str, severity: &str, message: String) -> NodeFinding {
    NodeFinding {
        code: code.into(),
        severity: severity.into(),
        message,
    }
}

/// Fills `b.memory` and `b.cpu` and returns the backend findings.
pub fn compare(node: &str, inputs: &BackendInputs, b: &mut NodeBackend) -> Vec<NodeFinding> {
    let mut out = Vec::new();
    match b.backend {
        BackendKind::MetricsServer => metrics_server(node, b, &mut out),
        BackendKind::PrometheusAdapter => adapter(b, &mut out),
        BackendKind::Unknown => {
            let why = format!("the backend is unknown ({})", b.backend_evidence);
            b.memory = check("not-comparable", String::new(), why.clone());
            b.cpu = check("not-comparable", String::new(), why);
        }
    }
    exact_or_not(b, &mut out);
    backends_differ(b, &mut out);
    if let (Some(Err(u)), Layer::Missing { .. }) = (&inputs.kubelet_cadvisor, &b.cadvisor) {
        out.push(finding(
            "node-source-missing",
            "info",
            format!(
                "the root cgroup (kubelet /metrics/cadvisor, id=\"/\") is missing ({}): no working-set \
                 decomposition; fetch it by hand: kubectl get --raw /api/v1/nodes/{node}/proxy/metrics/cadvisor",
                u.reason
            ),
        ));
    }
    out
}

fn metrics_server(node: &str, b: &mut NodeBackend, out: &mut Vec<NodeFinding>) {
    let k = match &b.kubelet {
        Layer::Present { value } => value,
        Layer::Missing { reason } => {
            out.push(finding(
                "node-source-missing",
                "warning",
                format!(
                    "the source of NodeMetrics with metrics-server, the kubelet's node_memory_working_set_bytes \
                     and node_cpu_usage_seconds_total, is missing ({reason}); fetch it by hand: \
                     kubectl get --raw /api/v1/nodes/{node}/proxy/metrics/resource"
                ),
            ));
            b.memory = check("missing", String::new(), reason.clone());
            b.cpu = check("missing", String::new(), reason.clone());
            return;
        }
    };
    let nm = b.node_metrics.as_ref();
    b.memory = match (&k.memory, nm.and_then(|m| m.memory_nanos)) {
        (None, _) => check(
            "missing",
            String::new(),
            "no node_memory_working_set_bytes".into(),
        ),
        (Some(s), None) => check(
            "not-comparable",
            format!("kubelet node_memory_working_set_bytes {}", s.decoded),
            "no NodeMetrics usage.memory".into(),
        ),
        (Some(s), Some(nanos)) => {
            let source = format!(
                "kubelet node_memory_working_set_bytes {} (root cgroup)",
                s.decoded
            );
            let ws = i128::from(s.decoded);
            let nm_bytes = nm.and_then(|m| m.memory_bytes).unwrap_or(0);
            let shown = nm.and_then(|m| m.memory.clone()).unwrap_or_default();
            let nm_t = nm.and_then(|m| m.timestamp_ms);
            if nanos == ws * 1_000_000_000 {
                let arith = format!(
                    "usage.memory {shown} = {nm_bytes} B = uint64({}) = {ws} B",
                    s.text
                );
                check("exact", source, arith)
            } else {
                let dt = match (s.t_ms, nm_t) {
                    (Some(k), Some(n)) => Some(k - n),
                    _ => None,
                };
                // A kubelet reading no newer than NodeMetrics cannot be a later sample: the
                // two disagree (as the pod report's rule). Newer readings are drift.
                let status = if dt.is_some_and(|d| d <= 0) {
                    "differs"
                } else {
                    "drift"
                };
                let when = match (s.t_ms, nm_t) {
                    (Some(k), Some(n)) => age(k, n, "NodeMetrics timestamp"),
                    _ => "at an unknown time".into(),
                };
                let arith = format!(
                    "usage.memory {shown} = {nm_bytes} B vs kubelet {ws} B: Δ {:+} B; the kubelet sample is {when}",
                    ws - nm_bytes
                );
                check(status, source, arith)
            }
        }
    };
    b.cpu = match &k.cpu {
        None => check(
            "missing",
            String::new(),
            "no node_cpu_usage_seconds_total".into(),
        ),
        Some(s) => {
            let nm_cpu = nm
                .and_then(|m| m.cpu.clone())
                .unwrap_or_else(|| "unknown".into());
            let window = nm
                .and_then(|m| m.window.clone())
                .unwrap_or_else(|| "unknown".into());
            check(
                "not-comparable",
                format!("kubelet node_cpu_usage_seconds_total {} s", s.text),
                format!(
                    "usage.cpu {nm_cpu} over window {window} = (last − prev) / window between two kubelet \
                     readings (metrics-server's prev is not in the evidence); this reading: uint64({} × 1e9) = {} ns",
                    s.text, s.decoded
                ),
            )
        }
    };
}

fn adapter(b: &mut NodeBackend, out: &mut Vec<NodeFinding>) {
    let Layer::Present { value: a } = &b.adapter else {
        let why = b.adapter.reason().unwrap_or_default().to_owned();
        missing_answer("node queries", &why, out);
        b.memory = check("missing", String::new(), why.clone());
        b.cpu = check("missing", String::new(), why);
        return;
    };
    let nm = b.node_metrics.as_ref();
    let compare = |layer: &Layer<super::AnswerView>,
                   nm_nanos: Option<i128>,
                   shown: Option<String>| match (layer, nm_nanos) {
        (Layer::Missing { reason }, _) => check("missing", String::new(), reason.clone()),
        (Layer::Present { value: v }, None) => check(
            "not-comparable",
            format!("nodeQuery answer {}", v.value),
            "no NodeMetrics value".into(),
        ),
        (Layer::Present { value: v }, Some(n)) => {
            let status = if n == i128::from(v.millis) * 1_000_000 {
                "exact"
            } else {
                "differs"
            };
            let arith = format!(
                "{}; NodeMetrics {} = {} milli",
                v.arithmetic,
                shown.unwrap_or_default(),
                n / 1_000_000
            );
            check(
                status,
                format!("prometheus-adapter nodeQuery answer {}", v.value),
                arith,
            )
        }
    };
    b.memory = compare(
        &a.memory,
        nm.and_then(|m| m.memory_nanos),
        nm.and_then(|m| m.memory.clone()),
    );
    b.cpu = compare(
        &a.cpu,
        nm.and_then(|m| m.cpu_nanocores),
        nm.and_then(|m| m.cpu.clone()),
    );
    for (what, l) in [("memory", &a.memory), ("cpu", &a.cpu)] {
        if let Some(r) = l.reason() {
            missing_answer(what, r, out);
        }
    }
}

fn missing_answer(what: &str, reason: &str, out: &mut Vec<NodeFinding>) {
    out.push(finding(
        "node-source-missing",
        "warning",
        format!(
            "the source of NodeMetrics {what} with prometheus-adapter, its nodeQuery answer, is missing \
             ({reason}); run the query by hand at the NodeMetrics timestamp: \
             curl -sS -H \"Authorization: Bearer $TOKEN\" '<prometheus>/api/v1/query?query=…&time=…'"
        ),
    ));
}

fn exact_or_not(b: &NodeBackend, out: &mut Vec<NodeFinding>) {
    let checks = [("memory", &b.memory), ("cpu", &b.cpu)];
    let exact: Vec<String> = checks
        .iter()
        .filter(|(_, c)| c.status == "exact")
        .map(|(r, c)| format!("{r} = {} ({})", c.source, c.arithmetic))
        .collect();
    if !exact.is_empty() {
        out.push(finding(
            "node-source-exact",
            "info",
            format!(
                "NodeMetrics carries its source value unchanged: {}",
                exact.join("; ")
            ),
        ));
    }
    for (r, c) in checks {
        match c.status.as_str() {
            "drift" => out.push(finding(
                "node-source-drift",
                "warning",
                format!(
                    "NodeMetrics {r} is not the kubelet's current reading: {}; NodeMetrics is metrics-server's \
                     last scrape, the kubelet reading was taken at another moment",
                    c.arithmetic
                ),
            )),
            "differs" => out.push(finding(
                "node-source-differs",
                "warning",
                format!(
                    "NodeMetrics {r} is not the value its source gives, and the source is no newer than NodeMetrics (so this is not drift): {} vs {}",
                    c.source, c.arithmetic
                ),
            )),
            _ => {}
        }
    }
}

fn backends_differ(b: &NodeBackend, out: &mut Vec<NodeFinding>) {
    let Some(mem) = b.adapter.get().and_then(|a| a.meminfo.get()) else {
        return;
    };
    let root = b
        .cadvisor
        .get()
        .map(|c| (c.breakdown.working_set, "cAdvisor id=\"/\""))
        .or_else(|| {
            let k = b.kubelet.get()?.memory.as_ref()?;
            Some((
                i128::from(k.decoded),
                "kubelet node_memory_working_set_bytes",
            ))
        });
    let Some((ws, from)) = root else { return };
    let used = mem.used_bytes;
    out.push(finding(
        "node-memory-backends-differ",
        "info",
        format!(
            "node memory depends on the backend: node-exporter MemTotal − MemAvailable = {used} B ({}) \
             (prometheus-adapter, OpenShift ≤ 4.15) vs the root cgroup working set {ws} B ({}, {from}; \
             metrics-server, OpenShift ≥ 4.16): Δ {:+} B ({}): MemAvailable is the kernel's estimate of \
             reclaimable memory (/proc/meminfo), the working set the root cgroup's usage − inactive_file",
            human_bytes(used),
            human_bytes(ws),
            ws - used,
            human_bytes((ws - used).abs())
        ),
    ));
}

/// The `source` headline line: where NodeMetrics' numbers come from, and whether they match.
pub fn headline(b: &NodeBackend) -> (String, Tone) {
    let via = b.backend.as_str();
    let part = |r: &str, c: &SourceCheck| -> String {
        let nm = b.node_metrics.as_ref();
        let shown = if r == "memory" {
            nm.and_then(|m| m.memory.clone())
        } else {
            nm.and_then(|m| m.cpu.clone())
        }
        .unwrap_or_else(|| "unknown".into());
        match c.status.as_str() {
            "exact" => format!("{r} {shown} = {}, exact", c.source),
            "drift" => format!("{r} {shown} ≈ {}: drift, {}", c.source, c.arithmetic),
            "differs" => format!("{r} {shown} ≠ {}: {}", c.source, c.arithmetic),
            "missing" => format!("{r} {shown}: its source is missing ({})", c.arithmetic),
            _ if c.source.is_empty() => format!("{r} {shown}: {}", c.arithmetic),
            _ => format!("{r} {shown} ← {}: {}", c.source, c.arithmetic),
        }
    };
    let mut text = format!(
        "NodeMetrics via {via}: {}; {}",
        part("memory", &b.memory),
        part("cpu", &b.cpu)
    );
    if let Some(a) = b.adapter.get() {
        if let Some(m) = a.meminfo.get().filter(|m| m.bit_exact == Some(true)) {
            text.push_str(&format!(
                "; memory answer = {}, recomputed bit for bit",
                m.arithmetic
            ));
        }
        match &a.cpu_recompute {
            Layer::Present { value } => text.push_str(&format!(
                "; cpu answer = {}, recomputed bit for bit",
                value.arithmetic
            )),
            Layer::Missing { reason } if a.cpu.get().is_some() => {
                text.push_str(&format!("; cpu answer {reason}"))
            }
            Layer::Missing { .. } => {}
        }
    }
    let bad = [&b.memory, &b.cpu]
        .iter()
        .any(|c| matches!(c.status.as_str(), "drift" | "differs" | "missing"));
    (text, if bad { Tone::Warn } else { Tone::Neutral })
}
