//! Format-neutral rows shared by the text and Markdown renderers.

use super::safe::is_marker;
use crate::lineage::{CgroupRow, Lineage, Reconciliation};

/// Display width of a cell: characters, not counting the paint markers of `safe`.
fn width(cell: &str) -> usize {
    cell.chars().filter(|c| !is_marker(*c)).count()
}

/// Aligns cells into columns (widths by character count), two spaces apart.
pub fn align(rows: &[Vec<String>]) -> Vec<String> {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| width(c))
                .max()
                .unwrap_or(0)
        })
        .collect();
    rows.iter()
        .map(|r| {
            let mut line = String::new();
            for (i, cell) in r.iter().enumerate() {
                line.push_str(cell);
                if i + 1 < r.len() {
                    let pad = widths[i].saturating_sub(width(cell)) + 2;
                    line.push_str(&" ".repeat(pad));
                }
            }
            line
        })
        .collect()
}

/// Header of the per-container lineage table.
pub fn lineage_header(l: &Lineage) -> Vec<String> {
    let backend = match l.backend.kind {
        crate::lineage::BackendKind::PrometheusAdapter => "ADAPTER QUERY",
        _ => "/METRICS/RESOURCE",
    };
    vec![
        "CONTAINER".into(),
        "METRICS API".into(),
        backend.into(),
        "CADVISOR SERIES Σ".into(),
        "VERDICT".into(),
    ]
}

/// One per-container lineage row.
pub fn lineage_row(l: &Lineage, r: &Reconciliation) -> Vec<String> {
    let api_text = l
        .metrics_api
        .get()
        .and_then(|m| m.containers.iter().find(|c| c.name == r.container))
        .and_then(|c| c.memory.clone());
    let api = match (api_text, r.metrics_api_bytes) {
        (Some(t), Some(b)) if t != b.to_string() => format!("{t} = {b}"),
        (_, Some(b)) => b.to_string(),
        _ => "—".into(),
    };
    let n = |v: Option<i128>| v.map_or("—".to_string(), |v| v.to_string());
    let series = match r.series.len() {
        0 | 1 => n(r.series_sum_bytes),
        k => format!("{} ({k} series)", n(r.series_sum_bytes)),
    };
    vec![
        display_name(&r.container),
        api,
        n(r.backend_bytes),
        series,
        r.verdict.clone(),
    ]
}

/// Container names as shown (empty → `""`).
pub fn display_name(name: &str) -> String {
    if name.is_empty() {
        "\"\"".into()
    } else {
        name.to_string()
    }
}

/// Memory columns shown per cgroup.
pub const CGROUP_COLUMNS: &[&str] = &[
    "working_set",
    "usage",
    "rss",
    "cache",
    "mapped_file",
    "swap",
    "inactive_file",
];

/// Header of the cgroup table.
pub fn cgroup_header() -> Vec<String> {
    let mut h = vec!["ROLE".to_string(), "CONTAINER".to_string()];
    h.extend(CGROUP_COLUMNS.iter().map(|c| c.to_uppercase()));
    h.push("SAMPLED (ms)".into());
    h
}

/// One cgroup row.
pub fn cgroup_row(c: &CgroupRow) -> Vec<String> {
    let mut row = vec![c.role.as_str().to_string(), display_name(&c.container)];
    for col in CGROUP_COLUMNS {
        row.push(c.bytes(col).map_or("—".into(), |b| b.to_string()));
    }
    let ts = c.sample("working_set").and_then(|m| m.timestamp_ms);
    row.push(ts.map_or("—".into(), |t| t.to_string()));
    row
}

/// `{a="b",c="d"}`.
pub fn labels_text(labels: &[(String, String)]) -> String {
    let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    format!("{{{}}}", inner.join(","))
}

/// One line about the Pod: phase, node, QoS and per container limit / restarts / last kill.
pub fn pod_line(p: &crate::lineage::PodView) -> String {
    let mut parts = vec![p.phase.clone()];
    parts.extend(p.node.iter().map(|n| format!("on {n}")));
    parts.extend(p.qos_class.iter().map(|q| format!("QoS {q}")));
    for c in &p.containers {
        let limit = c
            .memory_limit
            .as_deref()
            .map_or("no memory limit".to_string(), |l| format!("limit {l}"));
        let restarts = c
            .restarts
            .map_or(String::new(), |r| format!(", {r} restarts"));
        let last = c
            .last_termination
            .as_deref()
            .map_or(String::new(), |t| format!(", last {t}"));
        parts.push(format!("{}: {limit}{restarts}{last}", c.name));
    }
    parts.join(" · ")
}
