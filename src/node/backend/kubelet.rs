//! The kubelet's node series on `/metrics/resource`: `node_memory_working_set_bytes` and
//! `node_cpu_usage_seconds_total`, the root cgroup `/` as the kubelet's summary provider
//! reads it (reference/cpu-node.md §C.2), decoded as metrics-server decodes them (§C.1):
//! memory `uint64(value)`, CPU `uint64(value × 1e9)` nanoseconds.

use serde::Serialize;

use crate::exposition::parse::{self, Sample};

/// The kubelet's node readings.
#[derive(Debug, Clone, Serialize)]
pub struct KubeletNode {
    /// `node_memory_working_set_bytes`.
    pub memory: Option<KubeletSample>,
    /// `node_cpu_usage_seconds_total` (a counter: CPU seconds since boot).
    pub cpu: Option<KubeletSample>,
    /// Σ `pod_memory_working_set_bytes` over the pod lines, and how many.
    pub pods_memory: Option<(i128, usize)>,
}

/// One kubelet sample as sent and as metrics-server reads it.
#[derive(Debug, Clone, Serialize)]
pub struct KubeletSample {
    /// The series name.
    pub name: String,
    /// The value as written (`9.17110784e+08`, `62.148052`).
    pub text: String,
    /// The value read.
    pub value: f64,
    /// metrics-server's integer: bytes `uint64(v)` for memory, nanoseconds `uint64(v × 1e9)`
    /// for CPU.
    pub decoded: u64,
    /// The sample's timestamp, Unix milliseconds (the cAdvisor stats time).
    pub t_ms: Option<i64>,
}

/// Reads the node series of a `/metrics/resource` body.
pub fn read(body: &str) -> Result<KubeletNode, String> {
    let exp = parse::parse(body);
    let one = |name: &str, scale: f64| exp.samples_named(name).next().map(|s| sample(s, scale));
    let memory = one("node_memory_working_set_bytes", 1.0);
    let cpu = one("node_cpu_usage_seconds_total", 1e9);
    if memory.is_none() && cpu.is_none() {
        return Err(
            "the /metrics/resource body has no node_memory_working_set_bytes and no \
             node_cpu_usage_seconds_total"
                .into(),
        );
    }
    let pods: Vec<i128> = exp
        .samples_named("pod_memory_working_set_bytes")
        .map(|s| s.value as i128)
        .collect();
    Ok(KubeletNode {
        memory,
        cpu,
        pods_memory: (!pods.is_empty()).then(|| (pods.iter().sum(), pods.len())),
    })
}

fn sample(s: &Sample, scale: f64) -> KubeletSample {
    KubeletSample {
        name: s.name.clone(),
        text: s.value_text.clone(),
        value: s.value,
        // Rust's float → u64 cast truncates and saturates, like Go's for in-range values.
        decoded: (s.value * scale) as u64,
        t_ms: s.timestamp_ms,
    }
}
