//! The pod's kubelet `/metrics/cadvisor` series, grouped by cgroup and classified.

use std::collections::BTreeMap;

use super::model::{CadvisorView, CgroupRole, CgroupRow, MemSample};
use crate::exposition::parse::{Exposition, Sample};

/// The metric both backends read a container's memory from (`working_set` below).
pub const WORKING_SET: &str = "container_memory_working_set_bytes";

/// Memory families shown per cgroup: (metric, short name).
pub const MEMORY_FAMILIES: &[(&str, &str)] = &[
    (WORKING_SET, "working_set"),
    ("container_memory_usage_bytes", "usage"),
    ("container_memory_rss", "rss"),
    ("container_memory_cache", "cache"),
    ("container_memory_mapped_file", "mapped_file"),
    ("container_memory_swap", "swap"),
    (
        "container_memory_total_inactive_file_bytes",
        "inactive_file",
    ),
    ("container_memory_total_active_file_bytes", "active_file"),
    ("container_memory_kernel_usage", "kernel"),
    ("container_memory_max_usage_bytes", "max_usage"),
    ("container_memory_failcnt", "failcnt"),
];

/// The container label of a sample, current or legacy scheme.
pub fn container_label(s: &Sample) -> &str {
    s.label("container")
        .or_else(|| s.label("container_name"))
        .unwrap_or("")
}

/// One row per cgroup from the parsed kubelet lines.
pub fn cadvisor_view(parsed: &Exposition) -> CadvisorView {
    let mut groups: BTreeMap<String, Vec<&Sample>> = BTreeMap::new();
    let mut issues: Vec<String> = Vec::new();
    for s in &parsed.samples {
        if MEMORY_FAMILIES.iter().any(|(m, _)| *m == s.name) {
            if whole(s.value).is_none() {
                issues.push(format!(
                    "line {}: {} value {} is not a byte count",
                    s.line, s.name, s.value_text
                ));
                continue;
            }
            groups.entry(group_key(s)).or_default().push(s);
        }
    }
    let mut cgroups: Vec<CgroupRow> = groups.values().filter_map(|g| cgroup_row(g)).collect();
    cgroups.sort_by_key(|c| (role_rank(c.role), c.container.clone(), c.id.clone()));
    issues.extend(
        parsed
            .issues
            .iter()
            .map(|i| format!("line {}: {}", i.line, i.message)),
    );
    CadvisorView {
        cgroups,
        label_scheme: label_scheme(&parsed.samples),
        parse_issues: issues,
    }
}

/// The key a sample's cgroup is grouped under: its `id`, or its container and `name`
/// labels when it has no `id` (see [`row_key`]).
pub fn group_key(s: &Sample) -> String {
    match s.label("id") {
        Some(id) if !id.is_empty() => id.to_string(),
        _ => format!(
            "container={};name={}",
            container_label(s),
            s.label_or_empty("name")
        ),
    }
}

/// The [`group_key`] of a cgroup row's samples.
pub fn row_key(row: &CgroupRow) -> String {
    if row.id.is_empty() {
        let name = row.labels.iter().find(|(k, _)| k == "name");
        format!(
            "container={};name={}",
            row.container,
            name.map_or("", |(_, v)| v.as_str())
        )
    } else {
        row.id.clone()
    }
}

fn role_rank(r: CgroupRole) -> u8 {
    match r {
        CgroupRole::PodCgroup => 0,
        CgroupRole::Pause | CgroupRole::Sandbox => 1,
        CgroupRole::App => 2,
        CgroupRole::Other => 3,
    }
}

/// Classifies a cgroup by its labels (dataflow §6.2).
pub fn classify(s: &Sample) -> CgroupRole {
    match (container_label(s), s.label_or_empty("image")) {
        ("POD", _) => CgroupRole::Pause,
        ("", "") if is_pod_level(s.label_or_empty("id")) => CgroupRole::PodCgroup,
        ("", "") => CgroupRole::Other,
        ("", _) => CgroupRole::Sandbox,
        _ => CgroupRole::App,
    }
}

/// True for the pod-level cgroup path itself (`…/pod<uid>` or `…-pod<uid>.slice`), or an
/// unknown path; false for cgroups below it such as `crio-conmon-<id>.scope`.
fn is_pod_level(id: &str) -> bool {
    let last = id.rsplit('/').next().unwrap_or("");
    id.is_empty() || last.starts_with("pod") || (last.ends_with(".slice") && last.contains("-pod"))
}

fn cgroup_row(samples: &[&Sample]) -> Option<CgroupRow> {
    let ws = samples.iter().find(|s| s.name == WORKING_SET);
    let head = *ws.or(samples.first())?;
    let memory: Vec<MemSample> = MEMORY_FAMILIES
        .iter()
        .filter_map(|(metric, short)| {
            let s = samples.iter().find(|s| s.name == *metric)?;
            Some(MemSample {
                name: (*short).to_string(),
                metric: (*metric).to_string(),
                value_text: s.value_text.clone(),
                bytes: whole(s.value)?,
                timestamp_ms: s.timestamp_ms,
            })
        })
        .collect();
    let mut row = CgroupRow {
        role: classify(head),
        container: container_label(head).to_string(),
        id: head.label_or_empty("id").to_string(),
        image: head.label_or_empty("image").to_string(),
        labels: head.labels.clone(),
        memory,
        ws_check: String::new(),
        ws_check_ok: None,
    };
    (row.ws_check, row.ws_check_ok) = ws_check(&row);
    Some(row)
}

/// A sample value as whole bytes: a finite whole number within ±2^63, else not a byte count
/// (never rounded: a value the source did not give is never shown).
pub fn whole(v: f64) -> Option<i128> {
    (v.is_finite() && v.fract() == 0.0 && v.abs() < 9.2e18).then_some(v as i128)
}

/// `working_set = max(usage − inactive_file, 0)`, checked when the samples allow it.
fn ws_check(row: &CgroupRow) -> (String, Option<bool>) {
    let (Some(ws), Some(usage)) = (row.bytes("working_set"), row.bytes("usage")) else {
        return ("working_set or usage not exported".into(), None);
    };
    match row.bytes("inactive_file") {
        Some(inactive) => {
            let expected = usage.saturating_sub(inactive).max(0);
            let ok = expected == ws;
            let verdict = if ok {
                "= working_set ✓".to_string()
            } else {
                format!("≠ working_set {ws} ✗")
            };
            (
                format!("max(usage {usage} − inactive_file {inactive}, 0) = {expected} {verdict}"),
                Some(ok),
            )
        }
        // That it is not exported is said once, by the `working-set-check` finding.
        None => (
            format!(
                "implied inactive_file = usage {usage} − working_set {ws} = {} B",
                usage.saturating_sub(ws)
            ),
            None,
        ),
    }
}

fn label_scheme(samples: &[Sample]) -> String {
    let new = samples
        .iter()
        .any(|s| s.label("pod").is_some_and(|p| !p.is_empty()));
    let old = samples
        .iter()
        .any(|s| s.label("pod_name").is_some_and(|p| !p.is_empty()));
    match (new, old) {
        (true, true) => "both pod/container and legacy pod_name/container_name".into(),
        (false, true) => "legacy pod_name/container_name".into(),
        _ => "pod/container".into(),
    }
}

#[cfg(test)]
mod tests;
