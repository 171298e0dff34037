//! The headline's CPU line: the `top` CPU number, how it was computed, and whether ktrace
//! reproduced it, in plain words.

use super::super::model::{
    BackendKind, CpuContainer, CpuLineage, Layer, Lineage, Severity, SummaryKind, SummaryLine, Tone,
};

/// The CPU line of a finished lineage.
pub fn headline(l: &Lineage) -> SummaryLine {
    let number = l
        .top
        .get()
        .map_or("(no `top` number)".to_string(), |t| t.pod_row.cpu.clone());
    let (mut text, mut tone) = match &l.cpu {
        Layer::Missing { reason } => (format!("not traced: {reason}"), Tone::Warn),
        Layer::Present { value } => match value.backend {
            BackendKind::MetricsServer => metrics_server(value),
            _ => adapter(value),
        },
    };
    // The worst CPU warning (a young series, irate against the window's rate, a reset) is
    // the CPU line's news: a reproduced number can still mislead.
    let warning = l
        .findings
        .iter()
        .find(|f| f.code.starts_with("cpu-") && f.severity == Severity::Warn);
    if let Some(f) = warning
        && tone != Tone::Bad
    {
        // irate against the window: the line already says what irate read; add the other view.
        let rest = f.message.split_once("; the rate over ").map(|(_, r)| r);
        text = match (f.code.as_str(), rest) {
            ("cpu-irate-vs-rate", Some(r)) => format!("{text} — but the rate over {r}"),
            _ => format!("{text} — but {}", f.message),
        };
        tone = Tone::Warn;
    }
    SummaryLine {
        kind: SummaryKind::Cpu,
        text: format!("CPU {number}: {text}"),
        tone,
    }
}

/// The container the pod row's CPU mostly comes from: the largest millicores, else the first.
fn main_container(cpu: &CpuLineage) -> Option<&CpuContainer> {
    let value = |c: &CpuContainer| {
        c.adapter_millicores
            .map(i128::from)
            .map(|m| m * 1_000_000)
            .or(c.metrics_api_nanocores)
            .unwrap_or(0)
    };
    // The largest; on a tie an application container before the pause container, then
    // the first in kubectl's order.
    cpu.containers
        .iter()
        .rev()
        .max_by_key(|c| (value(c), c.name != "POD"))
}

fn adapter(cpu: &CpuLineage) -> (String, Tone) {
    if let Some(c) = cpu.containers.iter().find(|c| c.bit_exact == Some(false)) {
        return (
            format!(
                "{}: recomputed {} ≠ Prometheus's answer {} (not the same float64)",
                c.name,
                c.recomputed.as_deref().unwrap_or("?"),
                c.backend_value.as_deref().unwrap_or("?")
            ),
            Tone::Bad,
        );
    }
    let answered: Vec<&CpuContainer> = cpu
        .containers
        .iter()
        .filter(|c| c.backend_value.is_some())
        .collect();
    let function = cpu.function.as_deref().unwrap_or("the rule");
    let range = cpu.range.as_deref().unwrap_or("?");
    let Some(main) = main_container(cpu).filter(|_| !answered.is_empty()) else {
        return (
            format!(
                "the adapter's cpu answer is missing ({function}[{range}]); the CPU number is unproven"
            ),
            Tone::Warn,
        );
    };
    let who = if cpu.containers.len() > 1 {
        format!("{}'s ", main.name)
    } else {
        String::new()
    };
    if answered.iter().all(|c| c.bit_exact == Some(true)) {
        let how = main
            .in_words
            .clone()
            .unwrap_or_else(|| format!("{function}[{range}]"));
        let each = if answered.len() > 1 {
            format!(" for each of the {} containers", answered.len())
        } else {
            String::new()
        };
        return (
            format!("{who}{how}, recomputed = Prometheus's answer bit for bit{each}"),
            Tone::Good,
        );
    }
    let why = answered
        .iter()
        .find_map(|c| c.not_recomputed.clone())
        .unwrap_or_else(|| "no samples".into());
    (
        format!(
            "{who}{function}[{range}] = {} by Prometheus → {}m; not recomputed: {why}",
            main.backend_value.as_deref().unwrap_or("?"),
            main.adapter_millicores.unwrap_or(0)
        ),
        Tone::Warn,
    )
}

fn metrics_server(cpu: &CpuLineage) -> (String, Tone) {
    let window = cpu.window.as_deref().unwrap_or("?");
    let at = cpu.timestamp.as_deref().unwrap_or("?");
    let mut text =
        format!("metrics-server's rate between two kubelet readings {window} apart, ending {at}");
    if let Some(check) = main_container(cpu).and_then(|c| c.own_check.as_deref()) {
        let tail = check.rsplit(" = ").next().unwrap_or(check);
        text.push_str(&format!("; ktrace's own check gives {tail}"));
    }
    (text, Tone::Neutral)
}
