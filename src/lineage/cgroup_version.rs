//! Which cgroup version the node runs, told from the pod's own kubelet lines.
//!
//! The cgroup path shapes do not tell (`/kubepods.slice/…-pod<uid>.slice/…` and
//! `/kubepods/burstable/pod<uid>/…` occur on both versions), nor does which families exist
//! (`container_memory_cache` is `total_cache` on v1 and `file` on v2). What does
//! (dataflow §5; opencontainers/cgroups `fs` and `fs2`):
//!
//! * v2: `container_pressure_*` series — cAdvisor reads pressure stall information only
//!   through its cgroup v2 driver;
//! * v2: `max_usage` 0 below a non-zero `usage` — v1's `memory.max_usage_in_bytes` is a
//!   high-water mark and never below usage; on v2 it is `memory.peak`, which older runc
//!   does not read (kernel < 5.19 has none), so cAdvisor reports 0;
//! * v1: `container_memory_kernel_usage` above 0 — it is `memory.kmem.usage_in_bytes`,
//!   which only v1 has;
//! * v1: `container_memory_failcnt` above 0 — the v2 driver never sets it;
//! * v1: `max_usage` ≥ `usage` > 0 from a cAdvisor without `container_memory_kernel_usage`
//!   (before v0.49): that cAdvisor's v2 driver did not read `memory.peak`, so a non-zero
//!   max_usage is v1's high-water mark.
//!
//! Signals for both versions, or none, give [`CgroupVersion::Unknown`].

use super::model::{CadvisorView, CgroupRow, CgroupVersion};
use crate::exposition::parse::Exposition;

/// The cgroup version whose counter definitions apply, with the evidence it rests on.
pub fn detect(parsed: &Exposition, view: &CadvisorView) -> CgroupVersion {
    let mut v1 = Vec::new();
    let mut v2 = Vec::new();
    if let Some(s) = parsed
        .samples
        .iter()
        .find(|s| s.name.starts_with("container_pressure_"))
    {
        v2.push(format!(
            "{} is exported, and cAdvisor reads pressure stall information only from cgroup v2",
            s.name
        ));
    }
    if let Some((row, usage)) = view.cgroups.iter().find_map(|r| {
        let usage = r.bytes("usage").filter(|u| *u > 0)?;
        (r.bytes("max_usage") == Some(0)).then_some((r, usage))
    }) {
        v2.push(format!(
            "max_usage is 0 B below usage {usage} B on the {}: cgroup v1's max_usage never falls below usage",
            whose(row)
        ));
    }
    for (short, why) in [
        (
            "kernel",
            "kernel memory is read from memory.kmem.usage_in_bytes, which only cgroup v1 has",
        ),
        ("failcnt", "cgroup v2 leaves failcnt at 0"),
    ] {
        if let Some((row, n)) = view
            .cgroups
            .iter()
            .find_map(|r| Some((r, r.bytes(short).filter(|n| *n > 0)?)))
        {
            v1.push(format!(
                "{} is {n} on the {}: {why}",
                metric(row, short),
                whose(row)
            ));
        }
    }
    if let Some(sign) = old_high_water_mark(parsed, view) {
        v1.push(sign);
    }
    match (v1.is_empty(), v2.is_empty()) {
        (false, true) => CgroupVersion::V1 {
            evidence: v1.swap_remove(0),
        },
        (true, false) => CgroupVersion::V2 {
            evidence: v2.swap_remove(0),
        },
        _ => CgroupVersion::Unknown,
    }
}

/// max_usage ≥ usage > 0 on every cgroup that has both, from a cAdvisor before v0.49.
fn old_high_water_mark(parsed: &Exposition, view: &CadvisorView) -> Option<String> {
    if parsed
        .samples
        .iter()
        .any(|s| s.name == "container_memory_kernel_usage")
    {
        return None;
    }
    let pairs: Vec<(&CgroupRow, i128, i128)> = view
        .cgroups
        .iter()
        .filter_map(|r| Some((r, r.bytes("max_usage")?, r.bytes("usage")?)))
        .filter(|(_, _, usage)| *usage > 0)
        .collect();
    let (row, max, usage) = *pairs.first()?;
    pairs.iter().all(|(_, m, u)| m >= u).then(|| {
        format!(
            "max_usage {max} B ≥ usage {usage} B on the {} from a cAdvisor without container_memory_kernel_usage (before v0.49), which reports max_usage 0 on cgroup v2",
            whose(row)
        )
    })
}

/// `pod cgroup`, `container "centos-tools"`, …
fn whose(row: &CgroupRow) -> String {
    if row.container.is_empty() {
        row.role.as_str().to_string()
    } else {
        format!("{} {:?}", row.role.as_str(), row.container)
    }
}

fn metric(row: &CgroupRow, short: &str) -> String {
    row.sample(short)
        .map_or_else(|| short.to_string(), |s| s.metric.clone())
}

impl CgroupVersion {
    /// Which counter definitions apply, in one clause.
    pub fn definitions(&self) -> &'static str {
        match self {
            CgroupVersion::V1 { .. } => {
                "cgroup v1: working_set = memory.usage_in_bytes − total_inactive_file; rss = total_rss, cache = total_cache (page cache, incl. tmpfs)"
            }
            CgroupVersion::V2 { .. } => {
                "cgroup v2: working_set = memory.current − inactive_file; rss = anon, cache = file (page cache, incl. tmpfs)"
            }
            CgroupVersion::Unknown => {
                "cgroup version not told from the pod's series: working_set = usage − inactive_file on both"
            }
        }
    }

    /// `cgroup v1`, `cgroup v2` or `cgroup version unknown`.
    pub fn label(&self) -> &'static str {
        match self {
            CgroupVersion::V1 { .. } => "cgroup v1",
            CgroupVersion::V2 { .. } => "cgroup v2",
            CgroupVersion::Unknown => "cgroup version unknown",
        }
    }
}

#[cfg(test)]
mod tests;
