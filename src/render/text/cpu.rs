//! The CPU lineage in the text report: per container the `top` string ← PodMetrics ←
//! backend value ← the counter samples in plain words, then the pod row. The exact float
//! arithmetic on one line and the samples the function used (values as Prometheus sent
//! them) are in the details part ([`exact`]).

use super::Out;
use crate::lineage::{CpuContainer, CpuLineage, CpuSeries, Layer, Lineage};
use crate::render::safe::Paint;

/// The CPU section (the commands for what is missing are in the details part, see
/// [`commands`]).
pub fn cpu(l: &Lineage, out: &mut Out) {
    out.head("Lineage (CPU: `top` ← Metrics API ← backend ← counter samples)");
    let c = match &l.cpu {
        Layer::Present { value } => value,
        Layer::Missing { reason } => {
            return out.wrap_paint("  ", &format!("not traced: {reason}"), Some(Paint::Warn));
        }
    };
    header(c, out);
    for k in &c.containers {
        container(k, out);
    }
    out.wrap(
        "  ",
        &format!(
            "pod row {}: {}",
            c.pod_row.top.as_deref().unwrap_or("?"),
            c.pod_row.arithmetic
        ),
    );
    for m in &c.missing {
        match m.split_once("; by hand: ") {
            Some((what, _)) => out.wrap_paint(
                "  missing: ",
                &format!("{what} (the command to fetch it: --details)"),
                Some(Paint::Warn),
            ),
            None => out.wrap_paint("  missing: ", m, Some(Paint::Warn)),
        }
    }
}

/// Details part: the commands that fetch the missing CPU sources by hand, never elided.
pub fn commands(l: &Lineage, out: &mut Out) {
    let Some(c) = l.cpu.get() else { return };
    let cmds: Vec<(&str, &str)> = c
        .missing
        .iter()
        .filter_map(|m| m.split_once("; by hand: "))
        .collect();
    if cmds.is_empty() {
        return;
    }
    out.head("Missing CPU sources, by hand");
    for (what, cmd) in cmds {
        out.wrap("  ", what);
        out.line(format!("    $ {cmd}"));
    }
}

fn header(c: &CpuLineage, out: &mut Out) {
    if let Some(e) = &c.engine {
        let version = e.version.as_deref().unwrap_or("unknown");
        out.wrap(
            "  engine: ",
            &format!(
                "Prometheus {version} → {} semantics ({}): {}",
                e.applied, e.semantics, e.why
            ),
        );
    }
    if let (Some(f), Some(r)) = (&c.function, &c.range) {
        let at = c.eval_time.as_deref().unwrap_or("an unknown time");
        out.wrap("  rule: ", &format!("{f}[{r}] evaluated at {at}"));
    }
    if c.engine.is_none() {
        out.wrap(
            "  PodMetrics: ",
            &format!(
                "timestamp {} · window {}",
                c.timestamp.as_deref().unwrap_or("—"),
                c.window.as_deref().unwrap_or("—")
            ),
        );
    }
}

/// `19m ← usage.cpu 19m ← int64(× 1000) = 19m ← irate over …`: the chain in plain words.
fn chain(k: &CpuContainer) -> String {
    let mut parts = vec![k.top.clone().unwrap_or_else(|| "?".into())];
    if let Some(m) = &k.metrics_api {
        parts.push(format!("usage.cpu {m}"));
    }
    if let Some(m) = k.adapter_millicores {
        parts.push(format!("adapter int64(value × 1000) = {m}m"));
    }
    match (&k.in_words, &k.kubelet) {
        (Some(w), _) => parts.push(w.clone()),
        (None, Some(_)) => parts.push("metrics-server's rate between two kubelet samples".into()),
        _ => parts.push("? (not recomputed)".into()),
    }
    parts.join(" ← ")
}

fn container(k: &CpuContainer, out: &mut Out) {
    out.wrap(&format!("  {}: ", Paint::Head.wrap(&k.name)), &chain(k));
    match (k.bit_exact, &k.recomputed, &k.backend_value) {
        (Some(true), Some(_), _) => out.wrap_paint(
            "    ",
            "recomputed from the samples = Prometheus's answer, bit for bit (exact values: --details)",
            Some(Paint::Good),
        ),
        (Some(false), Some(_), Some(_)) => out.wrap_paint(
            "    ",
            "recomputed from the samples ≠ Prometheus's answer (both values: see the findings and --details)",
            Some(Paint::Bad),
        ),
        _ => {
            if let Some(why) = &k.not_recomputed {
                out.wrap_paint("    not recomputed: ", why, Some(Paint::Dim));
            }
        }
    }
    if let Some(r) = &k.kubelet {
        let at = r.at.as_deref().unwrap_or("no timestamp");
        out.wrap(
            "    kubelet counter: ",
            &format!("container_cpu_usage_seconds_total {} at {at}", r.value),
        );
    }
    if let Some(check) = &k.own_check {
        out.wrap("    ", check);
    }
}

/// Details part: per container the exact arithmetic and the samples behind it.
pub fn exact(l: &Lineage, out: &mut Out) {
    let Some(c) = l.cpu.get() else { return };
    if c.containers.is_empty() {
        return;
    }
    out.head("CPU arithmetic, exact (values as the sources sent them)");
    for k in &c.containers {
        out.wrap(&format!("  {}: ", Paint::Head.wrap(&k.name)), &k.arithmetic);
        if let (Some(r), Some(b)) = (&k.recomputed, &k.backend_value) {
            out.wrap("    ", &format!("recomputed {r} · Prometheus's answer {b}"));
        }
        for s in &k.series {
            series(s, out);
        }
    }
}

/// The samples shown: the ones the function used (irate's two), else first and last.
fn shown(s: &CpuSeries) -> Vec<usize> {
    let idx = if s.used.is_empty() {
        (0..s.samples.len()).collect()
    } else {
        s.used.clone()
    };
    match idx.as_slice() {
        [] => Vec::new(),
        [one] => vec![*one],
        [first, .., last] => vec![*first, *last],
    }
}

fn series(s: &CpuSeries, out: &mut Out) {
    let labels: Vec<String> = s.labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    let used = if s.used.is_empty() {
        "none used".to_string()
    } else {
        format!("{} used", s.used.len())
    };
    out.wrap_paint(
        "    series ",
        &format!(
            "{{{}}}: {} samples, {used}",
            labels.join(", "),
            s.samples.len()
        ),
        Some(Paint::Dim),
    );
    for i in shown(s) {
        let p = &s.samples[i];
        let age = if p.age.is_empty() {
            String::new()
        } else {
            format!(" ({})", p.age)
        };
        out.wrap("      ", &format!("#{} {}{age}  {}", i + 1, p.t, p.value));
    }
}
