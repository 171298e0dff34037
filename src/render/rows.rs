//! Format-neutral rows shared by the text and Markdown renderers: the side-by-side lineage
//! (one column per container, one row per layer) and the cgroup table, in human units.

use super::units::{human_bytes, parse_rfc3339, signed_age};
use crate::lineage::{
    BackendKind, Breakdown, CgroupRole, CgroupRow, Lineage, Reconciliation, TopRow,
};

/// One column of the lineage table: the pod row or one container.
struct Column<'a> {
    name: String,
    top: Option<&'a TopRow>,
    api: Option<i128>,
    backend: Option<i128>,
    cadvisor: Option<i128>,
    series: usize,
    breakdown: Option<&'a Breakdown>,
    verdict: String,
}

/// The side-by-side lineage, header row first: `kubectl top` ← Metrics API ← backend result
/// ← cAdvisor Σ ← what the working set is made of, then a short verdict per container.
/// The first column is the `Σ pod` row that `top` prints, then one per container.
pub fn lineage_grid(l: &Lineage) -> Vec<Vec<String>> {
    let cols = columns(l);
    let mut rows = vec![header(&cols)];
    let cell = |f: &dyn Fn(&Column) -> String| cols.iter().map(f).collect::<Vec<String>>();
    let mut push = |label: &str, cells: Vec<String>| {
        let mut row = vec![label.to_string()];
        row.extend(cells);
        rows.push(row);
    };
    push(
        "kubectl top",
        cell(&|c| c.top.map_or("—".into(), |t| t.memory.clone())),
    );
    push("← Metrics API", cell(&|c| bytes(c.api)));
    push(backend_label(l.backend.kind), cell(&|c| bytes(c.backend)));
    push(
        "← cAdvisor series Σ",
        cell(&|c| match c.series {
            n if n > 1 => format!("{} ({n} series)", bytes(c.cadvisor)),
            _ => bytes(c.cadvisor),
        }),
    );
    let differs = cols.iter().any(|c| {
        c.breakdown
            .is_some_and(|b| Some(b.working_set) != c.cadvisor)
    });
    if differs {
        push(
            "  working set",
            cell(&|c| bytes(c.breakdown.map(|b| b.working_set))),
        );
    }
    for (i, (name, label)) in part_names(&cols).iter().enumerate() {
        let sign = if i == 0 { "=" } else { "+" };
        push(&format!("  {sign} {label}"), cell(&|c| part_cell(c, name)));
    }
    push("verdict", cell(&|c| c.verdict.clone()));
    rows
}

fn header(cols: &[Column]) -> Vec<String> {
    let mut h = vec![String::new()];
    h.extend(cols.iter().map(|c| c.name.clone()));
    h
}

/// `← adapter query`, `← /metrics/resource` or `← backend`.
pub fn backend_label(kind: BackendKind) -> &'static str {
    match kind {
        BackendKind::PrometheusAdapter => "← adapter query",
        BackendKind::MetricsServer => "← /metrics/resource",
        BackendKind::Unknown => "← backend",
    }
}

fn columns(l: &Lineage) -> Vec<Column<'_>> {
    let top = l.top.get();
    let rec = &l.reconciliation;
    let sum = |f: fn(&Reconciliation) -> Option<i128>| -> Option<i128> {
        let v: Option<Vec<i128>> = rec.iter().map(f).collect();
        v.filter(|v| !v.is_empty())
            .map(|v| v.iter().fold(0i128, |a, b| a.saturating_add(*b)))
    };
    let mut cols = vec![Column {
        name: "Σ pod".into(),
        top: top.map(|t| &t.pod_row),
        api: top
            .map(|t| t.pod_row.memory_bytes)
            .or(sum(|r| r.metrics_api_bytes)),
        backend: sum(|r| r.backend_bytes),
        cadvisor: sum(|r| r.series_sum_bytes),
        // Said for the pod only when some container has more than one series.
        series: if rec.iter().any(|r| r.series.len() > 1) {
            rec.iter().map(|r| r.series.len()).sum()
        } else {
            0
        },
        breakdown: l.breakdown.iter().find(|b| b.container.is_none()),
        verdict: String::new(),
    }];
    for r in rec {
        cols.push(Column {
            name: display_name(&r.container),
            top: top.and_then(|t| t.containers.iter().find(|c| c.name == r.container)),
            api: r.metrics_api_bytes,
            backend: r.backend_bytes,
            cadvisor: r.series_sum_bytes,
            series: r.series.len(),
            breakdown: breakdown_of(l, &r.container),
            verdict: short_verdict(r).into(),
        });
    }
    let known = |n: &str| rec.iter().any(|r| r.container == n);
    for b in &l.breakdown {
        if let Some(n) = b.container.as_deref().filter(|n| !known(n)) {
            cols.push(Column {
                name: display_name(n),
                top: None,
                api: None,
                backend: None,
                cadvisor: None,
                series: 0,
                breakdown: Some(b),
                verdict: "—".into(),
            });
        }
    }
    cols
}

fn breakdown_of<'a>(l: &'a Lineage, container: &str) -> Option<&'a Breakdown> {
    l.breakdown
        .iter()
        .find(|b| b.container.as_deref() == Some(container))
}

/// The distinct parts across the columns, in order of first appearance: (name, label).
fn part_names(cols: &[Column]) -> Vec<(String, String)> {
    let mut names: Vec<(String, String)> = Vec::new();
    for p in cols
        .iter()
        .filter_map(|c| c.breakdown)
        .flat_map(|b| &b.parts)
    {
        if !names.iter().any(|(n, _)| *n == p.name) {
            names.push((p.name.clone(), p.label.clone()));
        }
    }
    names
}

fn part_cell(c: &Column, name: &str) -> String {
    let Some(b) = c.breakdown else {
        return "—".into();
    };
    if !b.adds_up {
        return "(see below)".into();
    }
    match b.parts.iter().find(|p| p.name == name) {
        Some(p) if p.implied => format!("{}*", human_bytes(p.bytes)),
        Some(p) => human_bytes(p.bytes),
        None => "—".into(),
    }
}

/// `exact`, `differs`, `drift` or `missing`: the reconciliation verdict in one word.
pub fn short_verdict(r: &Reconciliation) -> &'static str {
    if r.agrees {
        "exact"
    } else if r.differs {
        "differs"
    } else if r.drift {
        "drift"
    } else {
        "missing"
    }
}

fn bytes(v: Option<i128>) -> String {
    v.map_or("—".into(), human_bytes)
}

/// What the lineage table cannot say in a cell, one sentence each: the full verdict of every
/// container that is not exact, decompositions that do not add up, which cgroup version's
/// definitions apply, and what `*` means.
pub fn lineage_notes(l: &Lineage) -> Vec<String> {
    let mut notes: Vec<String> = l
        .reconciliation
        .iter()
        .filter(|r| !r.agrees)
        .map(|r| format!("{}: {}", display_name(&r.container), r.verdict))
        .collect();
    for b in l.breakdown.iter().filter(|b| !b.adds_up) {
        let who = b.container.as_deref().map_or("Σ pod".into(), display_name);
        let why = b.problem.as_deref().unwrap_or("the parts do not add up");
        notes.push(format!(
            "{who}: what the working set is made of does not add up: {why}"
        ));
    }
    for b in &l.breakdown {
        let who = b.container.as_deref().map_or("Σ pod".into(), display_name);
        notes.extend(b.notes.iter().map(|n| format!("{who}: {n}")));
    }
    if let Some(b) = l.breakdown.first() {
        notes.push(cgroup_text(b));
    }
    let implied = l
        .breakdown
        .iter()
        .any(|b| b.adds_up && b.parts.iter().any(|p| p.implied));
    if implied {
        notes.push("* implied: computed from other counters, not exported by cAdvisor".into());
    }
    notes
}

fn cgroup_text(b: &Breakdown) -> String {
    match &b.cgroup {
        crate::lineage::CgroupVersion::V1 { evidence } => {
            format!("cgroup v1 definitions apply ({evidence})")
        }
        crate::lineage::CgroupVersion::V2 { evidence } => {
            format!("cgroup v2 definitions apply ({evidence})")
        }
        crate::lineage::CgroupVersion::Unknown => {
            "which cgroup version applies cannot be told from the evidence".into()
        }
    }
}

/// Container names as shown (empty → `""`).
pub fn display_name(name: &str) -> String {
    if name.is_empty() {
        "\"\"".into()
    } else {
        name.to_string()
    }
}

/// A cgroup's name in one cell: the container, or what the cgroup is.
pub fn cgroup_name(c: &CgroupRow) -> String {
    match c.role {
        CgroupRole::App => display_name(&c.container),
        CgroupRole::Pause => format!("{} (pause)", display_name(&c.container)),
        CgroupRole::PodCgroup => "(pod cgroup)".into(),
        CgroupRole::Sandbox => "(sandbox)".into(),
        CgroupRole::Other => format!("(other) {}", display_name(&c.container)),
    }
}

/// Memory columns shown per cgroup, with their headers.
pub const CGROUP_COLUMNS: &[(&str, &str)] = &[
    ("working_set", "WORKING SET"),
    ("usage", "USAGE"),
    ("rss", "RSS"),
    ("cache", "CACHE"),
    ("mapped_file", "MAPPED"),
    ("swap", "SWAP"),
    ("inactive_file", "INACTIVE"),
];

/// [`CGROUP_COLUMNS`] without `mapped_file` (a part of the cache, not of the breakdown), so
/// the table fits 80 columns.
pub const CGROUP_COLUMNS_SHORT: &[(&str, &str)] = &[
    ("working_set", "WORKING SET"),
    ("usage", "USAGE"),
    ("rss", "RSS"),
    ("cache", "CACHE"),
    ("swap", "SWAP"),
    ("inactive_file", "INACTIVE"),
];

/// The cgroup table, header first, in human units, with the memory `columns`; `SAMPLED` is
/// when the working-set sample was taken against the PodMetrics timestamp `api_ts`
/// (`-2.9 s`: before it), or its time when there is none.
pub fn cgroup_grid(
    cgroups: &[CgroupRow],
    columns: &[(&str, &str)],
    api_ts: Option<&str>,
) -> Vec<Vec<String>> {
    let mut h = vec!["CGROUP".to_string()];
    h.extend(columns.iter().map(|(_, head)| head.to_string()));
    h.push("SAMPLED".into());
    let api_ms = api_ts.and_then(parse_rfc3339);
    let mut rows = vec![h];
    for c in cgroups {
        let mut row = vec![cgroup_name(c)];
        row.extend(columns.iter().map(|(n, _)| bytes(c.bytes(n))));
        let ts = c.sample("working_set").and_then(|m| m.timestamp_ms);
        row.push(match (ts, api_ms) {
            (Some(t), Some(a)) => signed_age(t, a),
            (Some(t), None) => super::units::rfc3339(t),
            _ => "—".into(),
        });
        rows.push(row);
    }
    rows
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
