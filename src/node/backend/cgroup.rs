//! The root cgroup (`id="/"`) and the pod-level cgroups on `/metrics/cadvisor`: what the
//! kubelet reports as the node's use, its working set decomposed with the pod report's
//! rules (dataflow.md §5), and the part of it outside every pod.
//!
//! `working_set = max(usage − inactive_file, 0)` on both cgroup versions; with rss and the
//! active page cache, `working_set = rss + active_file + kernel/other`. inactive_file and
//! active_file are exported by cAdvisor ≥ 0.52, else implied (`usage − working_set`,
//! `cache − inactive_file`). (The pod report's `lineage::breakdown` applies the same rules
//! to container cgroups; it is private to the lineage, so the node's one cgroup is done here.)

use serde::Serialize;

use crate::exposition::is_pod_cgroup;
use crate::exposition::parse::{self, Exposition, Sample};
use crate::lineage::model::{Amount, Breakdown, CgroupVersion, Part};

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
        breakdown: decompose(&c),
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

struct Counters {
    ws: i128,
    usage: Option<i128>,
    rss: Option<i128>,
    cache: Option<i128>,
    inactive: Option<i128>,
    active: Option<i128>,
    mapped: Option<i128>,
    swap: Option<i128>,
}

fn amount(bytes: i128, implied: bool) -> Amount {
    Amount { bytes, implied }
}

fn decompose(c: &Counters) -> Breakdown {
    let inactive = match (c.inactive, c.usage) {
        (Some(b), _) => Some(amount(b, false)),
        (None, Some(u)) => Some(amount(u - c.ws, true)),
        _ => None,
    };
    let active = match (c.active, c.cache, inactive) {
        (Some(b), _, _) => Some(amount(b, false)),
        (None, Some(cache), Some(i)) => Some(amount(cache - i.bytes, true)),
        _ => None,
    };
    let mut steps = Vec::new();
    let mut problems = Vec::new();
    match (inactive, c.usage) {
        (Some(i), Some(u)) if i.implied => steps.push(format!(
            "inactive_file {} = usage {u} − working_set {} (implied: not exported)",
            i.bytes, c.ws
        )),
        (Some(i), Some(u)) => {
            let e = (u - i.bytes).max(0);
            let mark = if e == c.ws { "✓" } else { "✗" };
            steps.push(format!(
                "working_set {} = max(usage {u} − inactive_file {}, 0) = {e} {mark}",
                c.ws, i.bytes
            ));
            if e != c.ws {
                problems.push(format!("working_set {} ≠ usage − inactive_file {e}", c.ws));
            }
        }
        _ => {}
    }
    if let (Some(a), Some(i), Some(cache)) = (active, inactive, c.cache)
        && a.implied
    {
        steps.push(format!(
            "active_file {} = cache {cache} − inactive_file {} (implied)",
            a.bytes, i.bytes
        ));
    }
    let (parts, check) = match (c.rss, active) {
        (Some(rss), Some(a)) if rss + a.bytes <= c.ws && a.bytes >= 0 => {
            let other = c.ws - rss - a.bytes;
            steps.push(format!(
                "kernel/other {other} = working_set {} − rss {rss} − active_file {}",
                c.ws, a.bytes
            ));
            let check = format!(
                "working_set {} = rss {rss} + active_file {} + kernel/other {other}",
                c.ws, a.bytes
            );
            (parts(rss, a, other), check)
        }
        (Some(rss), Some(a)) => {
            problems.push(format!(
                "rss {rss} + active_file {} > working_set {}",
                a.bytes, c.ws
            ));
            (Vec::new(), problems.join("; "))
        }
        _ => {
            problems.push("rss or page cache not exported".into());
            (Vec::new(), problems.join("; "))
        }
    };
    Breakdown {
        container: None,
        cgroup: CgroupVersion::Unknown,
        working_set: c.ws,
        usage: c.usage,
        rss: c.rss,
        cache: c.cache,
        active_file: active.filter(|a| a.bytes >= 0),
        inactive_file: inactive.filter(|i| i.bytes >= 0),
        mapped_file: c.mapped,
        swap: c.swap,
        adds_up: problems.is_empty(),
        problem: (!problems.is_empty())
            .then(|| format!("does not add up: {}", problems.join("; "))),
        notes: notes(c, active, inactive),
        steps,
        parts,
        check,
    }
}

fn parts(rss: i128, active: Amount, other: i128) -> Vec<Part> {
    let part = |name: &str, label: &str, bytes: i128, implied: bool| Part {
        name: name.into(),
        label: label.into(),
        bytes,
        implied,
    };
    vec![
        part("rss", "process memory (rss)", rss, false),
        part(
            "active_file",
            "active page cache",
            active.bytes,
            active.implied,
        ),
        part("kernel_other", "kernel/other", other, false),
    ]
}

fn notes(c: &Counters, active: Option<Amount>, inactive: Option<Amount>) -> Vec<String> {
    let mut out = Vec::new();
    if let (Some(a), Some(i), Some(cache)) = (active, inactive, c.cache)
        && !a.implied
        && !i.implied
        && a.bytes + i.bytes != cache
    {
        out.push(format!(
            "cache {cache} B is not active_file + inactive_file = {} B ({:+} B); kernel/other is \
             taken as the working-set remainder",
            a.bytes + i.bytes,
            cache - a.bytes - i.bytes
        ));
    }
    if let Some(i) = inactive.filter(|i| i.bytes > 0) {
        out.push(format!(
            "inactive page cache {} B is in usage but not in the working set (reclaimable)",
            i.bytes
        ));
    }
    if let Some(swap) = c.swap.filter(|s| *s > 0) {
        out.push(format!(
            "swap {swap} B is outside usage and the working set"
        ));
    }
    out
}
