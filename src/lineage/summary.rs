//! The headline: the answer to "why does `top` say 84Mi?" in a few plain lines, drawn only
//! from the rest of the lineage (every figure is one of its numbers in human units).

use super::model::{
    BackendKind, Breakdown, CgroupRole, Finding, Lineage, Severity, Summary, SummaryKind,
    SummaryLine, Tone, Verdict,
};
use crate::quantity::human_bytes;

/// A container "dominates" the pod row, and its own breakdown is told, from this share on.
const DOMINANT_PERCENT: i128 = 90;
/// A part is worth explaining in words from this share of the working set on.
const NOTABLE_PERCENT: i128 = 10;
/// Longest headline line, in characters.
pub const MAX_LINE: usize = 160;

/// The headline of a finished lineage (findings and verdict decided).
pub fn summary(l: &Lineage) -> Summary {
    let number = l.top.get().map(|t| t.pod_row.memory.clone());
    let question = match &number {
        Some(n) => format!("Why does `kubectl top pod` say {n} for {}?", l.target),
        None => format!("What does `kubectl top pod` say for {}, and why?", l.target),
    };
    // The first screen holds the answer: the number, the worst news, whether the layers
    // agree, then what the number is made of and where it comes from.
    let mut lines = vec![what(l)];
    lines.extend(worst(l));
    lines.push(agreement(l));
    lines.extend(made_of(l));
    lines.push(source(l));
    lines.extend(super::compare::headlines(l));
    Summary {
        question,
        number,
        lines,
        cpu: Some(super::cpu::headline(l)),
        verdict: l.verdict,
    }
}

fn line(kind: SummaryKind, text: String, tone: Tone) -> SummaryLine {
    SummaryLine { kind, text, tone }
}

/// Bad when the number must not read as all-clear.
fn misleads(l: &Lineage) -> bool {
    matches!(l.verdict, Verdict::Disagree | Verdict::Misleading)
}

fn what(l: &Lineage) -> SummaryLine {
    let Some(top) = l.top.get() else {
        let why = l.top.reason().unwrap_or_default();
        return line(
            SummaryKind::What,
            format!("No `top` number: {why}"),
            Tone::Warn,
        );
    };
    let p = &top.pod_row;
    let names: Vec<&str> = top.containers.iter().map(|c| c.name.as_str()).collect();
    let whose = match names.as_slice() {
        [one] => format!("the working set of container {one}"),
        few if few.len() <= 3 => format!(
            "the working set of {} containers ({}), summed",
            few.len(),
            few.join(", ")
        ),
        many => format!("the working set of {} containers, summed", many.len()),
    };
    let tone = if misleads(l) {
        Tone::Bad
    } else {
        Tone::Neutral
    };
    line(
        SummaryKind::What,
        format!(
            "`{}` = {whose}, then floored to MiB: {} → {}",
            p.memory,
            human_bytes(p.memory_bytes),
            p.memory
        ),
        tone,
    )
}

/// The breakdown to tell: the dominant container's when one holds most of the pod row.
fn told(l: &Lineage) -> Option<&Breakdown> {
    let pod = l.breakdown.first()?;
    let containers = &l.breakdown[1..];
    let dominant = containers
        .iter()
        .find(|b| b.working_set * 100 >= pod.working_set * DOMINANT_PERCENT);
    match dominant {
        Some(b) if containers.len() > 1 => Some(b),
        _ => containers
            .first()
            .filter(|_| containers.len() == 1)
            .or(Some(pod)),
    }
}

fn made_of(l: &Lineage) -> Vec<SummaryLine> {
    let Some(b) = told(l) else {
        return vec![line(
            SummaryKind::MadeOf,
            "What the working set is made of is unproven: no kubelet /metrics/cadvisor series."
                .into(),
            Tone::Warn,
        )];
    };
    let series = b
        .container
        .as_ref()
        .and_then(|c| l.reconciliation.iter().find(|r| &r.container == c))
        .map_or(0, |r| r.series.len());
    let summed = if series > 1 {
        format!(" (Σ of {series} series)")
    } else {
        String::new()
    };
    let whose = match &b.container {
        Some(c) => format!("{c} {}{summed}", human_bytes(b.working_set)),
        None => format!("the pod row {}", human_bytes(b.working_set)),
    };
    if let Some(problem) = &b.problem {
        return vec![line(
            SummaryKind::MadeOf,
            format!("{whose} {problem} (no split shown)"),
            Tone::Warn,
        )];
    }
    let parts: Vec<String> = b
        .parts
        .iter()
        .map(|p| {
            let implied = if p.implied { " (implied)" } else { "" };
            format!("{} {}{implied}", human_bytes(p.bytes), p.label)
        })
        .collect();
    let mut out = vec![line(
        SummaryKind::MadeOf,
        format!("{whose} = {} ({})", parts.join(" + "), b.cgroup.label()),
        Tone::Neutral,
    )];
    let words = explain(b);
    if !words.is_empty() {
        out.push(line(SummaryKind::MadeOf, words, Tone::Neutral));
    }
    out
}

/// Plain words for the parts that matter in this working set.
fn explain(b: &Breakdown) -> String {
    let notable = |name: &str| {
        b.parts
            .iter()
            .any(|p| p.name == name && p.bytes * 100 >= b.working_set * NOTABLE_PERCENT)
    };
    let mut words = Vec::new();
    if notable("active_file") {
        words.push(
            "page cache = file pages the kernel keeps while in use and can reclaim (`top` counts the active part)",
        );
    }
    if notable("kernel_other") {
        words.push("kernel/other = kernel slab, stacks, sockets, other charges");
    }
    words.join("; ")
}

fn source(l: &Lineage) -> SummaryLine {
    let node = l
        .pod
        .get()
        .and_then(|p| p.node.clone())
        .unwrap_or_else(|| "the pod's node".into());
    let text = match l.backend.kind {
        BackendKind::PrometheusAdapter => {
            let metric = adapter_metric(l);
            let from = if metric.starts_with("pa_") {
                "/metrics/resource"
            } else {
                "cAdvisor"
            };
            // The rule's ConfigMap is named in the adapter layer below.
            format!("`{metric}` from the kubelet's {from} on {node}, via prometheus-adapter's rule")
        }
        BackendKind::MetricsServer => format!(
            "`container_memory_working_set_bytes` from the kubelet's /metrics/resource on {node} (cAdvisor's working set), via metrics-server"
        ),
        BackendKind::Unknown => format!(
            "the Metrics API backend is unknown ({}); `container_memory_working_set_bytes` on {node} is the usual source",
            l.backend.service_text()
        ),
    };
    line(SummaryKind::Source, text, Tone::Neutral)
}

/// The metric the adapter's memory rule reads (the rendered query's first selector).
fn adapter_metric(l: &Lineage) -> String {
    l.adapter
        .as_ref()
        .and_then(|a| a.memory.get())
        .and_then(|r| crate::promql::selector::analyze_query(&r.rendered).ok())
        .and_then(|q| q.selectors.into_iter().find_map(|s| s.metric))
        .unwrap_or_else(|| super::cadvisor::WORKING_SET.to_string())
}

fn agreement(l: &Lineage) -> SummaryLine {
    let layers = match l.backend.kind {
        BackendKind::MetricsServer => "PodMetrics = /metrics/resource sample = cAdvisor series",
        _ => "PodMetrics = query result = Σ cAdvisor series",
    };
    let n = l.reconciliation.len();
    let each = if n == 1 {
        "for its container".to_string()
    } else {
        format!("for each of the {n} containers")
    };
    let (text, tone) = match l.verdict {
        Verdict::Consistent => (
            format!("Every layer agrees exactly: {layers}, {each}."),
            Tone::Good,
        ),
        Verdict::Misleading => (
            format!(
                "Every layer agrees exactly ({layers}), but that is not all-clear: the number counts memory twice."
            ),
            Tone::Bad,
        ),
        Verdict::Drift => {
            let rows: Vec<String> = l
                .reconciliation
                .iter()
                .filter(|r| r.drift)
                .map(|r| format!("{}: {}", r.container, r.verdict))
                .collect();
            (
                format!(
                    "The backend reproduces PodMetrics exactly; the kubelet's newer samples differ ({}).",
                    rows.join("; ")
                ),
                Tone::Warn,
            )
        }
        Verdict::Disagree => {
            let rows: Vec<String> = l
                .reconciliation
                .iter()
                .filter(|r| r.differs)
                .map(|r| format!("{}: {}", r.container, r.verdict))
                .collect();
            (
                format!("The layers disagree: {}.", rows.join("; ")),
                Tone::Bad,
            )
        }
        Verdict::Partial => (partial(l), Tone::Warn),
    };
    line(SummaryKind::Agreement, text, tone)
}

fn partial(l: &Lineage) -> String {
    let missing: Vec<String> = l
        .sources
        .iter()
        .filter(|s| s.required && !s.ok)
        .map(|s| format!("{} ({})", s.name, s.status))
        .collect();
    if !missing.is_empty() {
        return format!(
            "Partly proven: missing {}; what is present agrees.",
            missing.join(", ")
        );
    }
    if let Some(reason) = super::kubelet_body::partial_reason(l) {
        return reason;
    }
    let rows: Vec<String> = l
        .reconciliation
        .iter()
        .filter(|r| !r.agrees && !r.drift)
        .map(|r| format!("{}: {}", r.container, r.verdict))
        .collect();
    if rows.is_empty() {
        "Partly proven: no container to compare.".into()
    } else {
        format!("Partly proven: {}.", rows.join("; "))
    }
}

/// The worst finding in one line; none when there are only explanations. A CPU warning is
/// told on the CPU line instead (it says nothing about the memory number this line sits
/// under); a CPU disagreement is told here too, as it decides the verdict.
fn worst(l: &Lineage) -> Option<SummaryLine> {
    let f = l
        .findings
        .iter()
        .find(|f| !f.code.starts_with("cpu-") || f.severity == Severity::Disagree)
        .filter(|f| f.severity != Severity::Info)?;
    let tone = match f.severity {
        Severity::Disagree | Severity::DoubleCount => Tone::Bad,
        _ => Tone::Warn,
    };
    let text = match (f.severity, f.code.as_str()) {
        (Severity::DoubleCount, "duplicate-series") => {
            counted_twice(l).unwrap_or_else(|| first_sentence(f))
        }
        _ => first_sentence(f),
    };
    Some(line(SummaryKind::Worst, text, tone))
}

/// `coredns is counted twice: one cgroup under 2 series, summed 13.8Mi + 13.1Mi = 26.8Mi;
/// the pod's real memory (its pod cgroup) is 13.4Mi = 14086144 B`.
fn counted_twice(l: &Lineage) -> Option<String> {
    let r = l.reconciliation.iter().find(|r| r.series.len() > 1)?;
    let cad = l.cadvisor.get()?;
    let rows: Vec<_> = cad
        .cgroups
        .iter()
        .filter(|g| g.container == r.container && g.role != CgroupRole::PodCgroup)
        .collect();
    let mut bytes: Vec<i128> = rows.iter().filter_map(|g| g.bytes("working_set")).collect();
    bytes.sort_by(|a, b| b.cmp(a));
    let values: Vec<String> = bytes.into_iter().map(human_bytes).collect();
    let ids: Vec<&str> = rows
        .iter()
        .map(|g| g.id.rsplit('/').next().unwrap_or(""))
        .collect();
    let what = if ids.windows(2).all(|w| w[0] == w[1]) {
        format!("one cgroup under {} series", r.series.len())
    } else {
        format!(
            "{} container instances (an old one still exported)",
            r.series.len()
        )
    };
    let sum = human_bytes(r.series_sum_bytes?);
    let pod = cad
        .cgroups
        .iter()
        .find(|g| g.role == CgroupRole::PodCgroup)
        .and_then(|g| g.bytes("working_set"))
        .map(|b| {
            format!(
                "; the pod's real memory (its pod cgroup) is {} = {b} B",
                human_bytes(b)
            )
        })
        .unwrap_or_default();
    Some(format!(
        "{} is counted twice: {what}, summed {} = {sum}{pod}",
        r.container,
        values.join(" + ")
    ))
}

/// The finding's first sentence, cut at a word to fit [`MAX_LINE`].
fn first_sentence(f: &Finding) -> String {
    let text = f.message.split(". ").next().unwrap_or(&f.message);
    if text.chars().count() <= MAX_LINE {
        return text.to_string();
    }
    let cut: String = text.chars().take(MAX_LINE - 1).collect();
    let at = cut.rfind(' ').unwrap_or(cut.len());
    format!("{}…", &cut[..at])
}

#[cfg(test)]
mod tests;
