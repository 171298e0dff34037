//! The term-by-term difference between a tool's series and `top`'s.

use serde::Serialize;

use super::{Evaluated, Listed, Role};
use crate::lineage::CgroupRole;

/// Why a term differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TermKind {
    /// The pod-level cgroup (`container=""`) counted by the tool.
    PodCgroup,
    /// The pause container (`container="POD"`) counted by the tool.
    Pause,
    /// The containerd sandbox counted by the tool.
    Sandbox,
    /// Another unlabelled cgroup under the pod counted by the tool.
    OtherCgroup,
    /// A container series counted by the tool and not by top.
    ExtraContainer,
    /// A series of an old container instance counted by the tool.
    OldInstance,
    /// The same cgroup read through another metric (e.g. usage instead of working set).
    Metric,
    /// A series top counts that the tool's `max by` dropped.
    DroppedByMax,
    /// A series top counts that the tool's selector does not select.
    NotSelected,
}

/// One difference: the series the tool counts and top does not (`extra`), those top counts
/// and the tool does not (`missing`), and `bytes` = Σ extra − Σ missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Term {
    /// The kind.
    pub kind: TermKind,
    /// One line saying why.
    pub why: String,
    /// Counted by the tool only.
    pub extra: Vec<Listed>,
    /// Counted by top only.
    pub missing: Vec<Listed>,
    /// Σ extra − Σ missing.
    pub bytes: i128,
}

fn same(a: &Listed, b: &Listed) -> bool {
    let sorted = |s: &Listed| {
        let mut l = s.labels.clone();
        l.sort();
        l
    };
    a.metric == b.metric && sorted(a) == sorted(b)
}

fn term(kind: TermKind, why: String, extra: Vec<Listed>, missing: Vec<Listed>) -> Term {
    let bytes =
        extra.iter().map(|s| s.bytes).sum::<i128>() - missing.iter().map(|s| s.bytes).sum::<i128>();
    Term {
        kind,
        why,
        extra,
        missing,
        bytes,
    }
}

/// Every difference between the series `tool` counts and those `top` counts.
pub fn terms(tool: &Evaluated, top: &Evaluated) -> Vec<Term> {
    let counted = |e: &Evaluated| {
        e.series
            .iter()
            .filter(|s| s.counted)
            .cloned()
            .collect::<Vec<_>>()
    };
    let (t, p) = (counted(tool), counted(top));
    let mut extra: Vec<Listed> = t
        .iter()
        .filter(|s| !p.iter().any(|o| same(s, o)))
        .cloned()
        .collect();
    let mut missing: Vec<Listed> = p
        .iter()
        .filter(|s| !t.iter().any(|o| same(s, o)))
        .cloned()
        .collect();
    let mut out = Vec::new();
    // The same cgroup through another metric: pair them first.
    extra.retain(|e| {
        let Some(i) = missing
            .iter()
            .position(|m| m.cgroup == e.cgroup && m.metric != e.metric)
        else {
            return true;
        };
        let m = missing.remove(i);
        let why = format!(
            "{} `{}` read as {} ({} B) instead of {} ({} B): {} B more{}",
            e.role.as_str(),
            e.container,
            e.metric,
            e.bytes,
            m.metric,
            m.bytes,
            e.bytes - m.bytes,
            if e.metric == "container_memory_usage_bytes" {
                " of page cache (usage counts all of it, the working set not the inactive files)"
            } else {
                ""
            }
        );
        out.push(term(TermKind::Metric, why, vec![e.clone()], vec![m]));
        false
    });
    out.extend(extra.into_iter().map(|e| {
        let (kind, why) = extra_reason(&e);
        term(kind, why, vec![e], Vec::new())
    }));
    out.extend(missing.into_iter().map(|m| {
        let dropped = tool.series.iter().any(|s| !s.counted && same(s, &m));
        let (kind, why) = if dropped {
            (TermKind::DroppedByMax, format!("{} `{}` ({} B) dropped by the tool's max by (…): one series per container is kept, top sums them all", m.role.as_str(), m.container, m.bytes))
        } else {
            (TermKind::NotSelected, format!("{} `{}` ({} B) is counted by top but not selected by the tool", m.role.as_str(), m.container, m.bytes))
        };
        term(kind, why, Vec::new(), vec![m])
    }));
    out
}

fn extra_reason(e: &Listed) -> (TermKind, String) {
    let b = e.bytes;
    match e.role {
        Role::Cgroup(CgroupRole::PodCgroup) => (
            TermKind::PodCgroup,
            format!(
                "pod cgroup (container=\"\") counted: {b} B, which already holds every container of the pod (pause included) plus pod-level charges"
            ),
        ),
        Role::Cgroup(CgroupRole::Pause) => (
            TermKind::Pause,
            format!("pause container (container=\"POD\") counted: {b} B"),
        ),
        Role::Cgroup(CgroupRole::Sandbox) => (
            TermKind::Sandbox,
            format!("sandbox (container=\"\", pause image) counted: {b} B"),
        ),
        Role::Cgroup(CgroupRole::Other) => (
            TermKind::OtherCgroup,
            format!("another cgroup under the pod counted: {b} B"),
        ),
        Role::Cgroup(CgroupRole::App) => (
            TermKind::ExtraContainer,
            format!(
                "container `{}` series counted by the tool but not by top: {b} B",
                e.container
            ),
        ),
        Role::OldInstance => (
            TermKind::OldInstance,
            format!("old instance of container `{}` counted: {b} B", e.container),
        ),
    }
}
