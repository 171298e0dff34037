//! The root cgroup (`id="/"`) and the pod-level cgroups on `/metrics/cadvisor`: what the
//! kubelet reports as the node's use, its working set decomposed with the pod report's
//! rules (dataflow.md §5), and the part of it outside every pod.
//!
//! `working_set = max(usage − inactive_file, 0)` on both cgroup versions; with rss and the
//! active page cache, `working_set = rss + active_file + kernel/other`. inactive_file and
//! active_file are exported by cAdvisor ≥ 0.52, else implied (`usage − working_set`,
//! `cache − inactive_file`). The decomposition is the pod report's own
//! (`lineage::decompose_cgroup`), applied to the root cgroup.

use serde::Serialize;

use crate::exposition::is_pod_cgroup;
use crate::exposition::parse::{self, Exposition, Sample};
use crate::lineage::model::{Breakdown, CgroupVersion};
use crate::lineage::{CgroupCounters as Counters, decompose_cgroup};

/// The root cgroup's counters and decomposition.
#[derive(Debug, Clone, Serialize)]
pub struct RootCgroup {
    /// The working set decomposed (bytes).
    pub breakdown: Breakdown,
    /// The working set sample's timestamp, Unix milliseconds.
    pub t_ms: Option<i64>,
    /// `container_cpu_usage_seconds_total{id="/"}` as written, and its timestamp.
    pub cpu_seconds: Option<(String, Option<i64>)>,
    /// The pod-level cgroups against the root.
    pub pods: PodCgroups,
}

/// Σ of the pod-level cgroups' working sets (each pod's containers, pause and overhead).
#[derive(Debug, Clone, Serialize)]
pub struct PodCgroups {
    /// How many pod-level cgroups export a working set.
    pub count: usize,
    /// Their Σ, bytes.
    pub working_set: i128,
    /// root working set − Σ pods: memory outside every pod cgroup, as cAdvisor sees it.
    pub rest: i128,
    /// `rest = root 917110784 − Σ 17 pods 527790080 = 389320704`.
    pub arithmetic: String,
}

const WS: &str = "container_memory_working_set_bytes";

/// Reads the root and pod cgroups of a `/metrics/cadvisor` body.
pub fn read(body: &str) -> Result<RootCgroup, String> {
    let exp = parse::parse(body);
    let root = |name: &str| root_sample(&exp, name);
    let ws = root(WS).ok_or("the /metrics/cadvisor body has no working set for id=\"/\"")?;
    let bytes = |name: &str| root(name).map(|s| s.value as i128);
    let c = Counters {
        ws: ws.value as i128,
        usage: bytes("container_memory_usage_bytes"),
        rss: bytes("container_memory_rss"),
        cache: bytes("container_memory_cache"),
        inactive: bytes("container_memory_total_inactive_file_bytes"),
        active: bytes("container_memory_total_active_file_bytes"),
        mapped: bytes("container_memory_mapped_file"),
        swap: bytes("container_memory_swap"),
    };
    let cpu = exp
        .samples_named("container_cpu_usage_seconds_total")
        .find(|s| s.label_or_empty("id") == "/")
        .map(|s| (s.value_text.clone(), s.timestamp_ms));
    Ok(RootCgroup {
        breakdown: decompose_cgroup(None, &CgroupVersion::Unknown, &c),
        t_ms: ws.timestamp_ms,
        cpu_seconds: cpu,
        pods: pod_cgroups(&exp, c.ws),
    })
}

fn root_sample(exp: &Exposition, name: &str) -> Option<Sample> {
    exp.samples_named(name)
        .find(|s| s.label_or_empty("id") == "/")
        .cloned()
}

fn pod_cgroups(exp: &Exposition, root: i128) -> PodCgroups {
    let pods: Vec<i128> = exp
        .samples_named(WS)
        .filter(|s| is_pod_cgroup(s.label_or_empty("id")))
        .map(|s| s.value as i128)
        .collect();
    let sum: i128 = pods.iter().sum();
    PodCgroups {
        count: pods.len(),
        working_set: sum,
        rest: root - sum,
        arithmetic: format!(
            "rest = root working set {root} − Σ of {} pod cgroups {sum} = {}",
            pods.len(),
            root - sum
        ),
    }
}
