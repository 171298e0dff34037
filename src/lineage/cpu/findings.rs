//! CPU findings, each with the samples it rests on: the recomputation or the backend's
//! conversion differs, a young series, irate vs rate, per-CPU series, counter resets, an old
//! container instance, request/limit headroom, CFS throttling.

use super::super::model::{CpuContainer, CpuLineage, Finding, Severity};
use super::super::time::rfc3339_from_ms;
use super::Inputs;
use super::adapter::Trace;
use super::series::Traced;
use crate::promql::answer::{bits, parse_prom_float, prom_float as f};
use crate::promql::rate::{Calc, RangeFunction, extrapolated_rate};

/// The findings of the adapter path's recomputation.
pub fn trace_findings(cpu: &CpuLineage, trace: &Trace, out: &mut Vec<Finding>) {
    for c in &cpu.containers {
        recompute_differs(c, out);
    }
    let Some(call) = trace.call else { return };
    for s in &trace.series {
        let who = who(s, &trace.container_label);
        young(s, &who, &trace.range, out);
        resets(s, &who, out);
        if call.function == RangeFunction::Irate {
            irate_vs_rate(s, &who, call, out);
        }
    }
    for g in trace.groups.iter().filter(|g| g.members.len() > 1) {
        let members: Vec<&Traced> = g.members.iter().map(|&i| &trace.series[i]).collect();
        summed(&members, &trace.container_label, out);
    }
}

fn who(s: &Traced, label: &str) -> String {
    let c = s.raw.label(label);
    if c.is_empty() {
        "a series without a container label".into()
    } else {
        format!("container {c}")
    }
}

fn labels_text(s: &Traced) -> String {
    let pairs: Vec<String> = s
        .raw
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={v:?}"))
        .collect();
    format!("{{{}}}", pairs.join(","))
}

/// `2021-11-05T16:05:32Z 100` for each sample index.
fn sample_lines(s: &Traced, idx: &[usize]) -> Vec<String> {
    idx.iter()
        .filter_map(|&i| s.raw.samples.get(i))
        .map(|p| format!("sample {} {}", rfc3339_from_ms(p.t_ms), p.text))
        .collect()
}

fn recompute_differs(c: &CpuContainer, out: &mut Vec<Finding>) {
    if c.bit_exact != Some(false) {
        return;
    }
    let (Some(r), Some(b)) = (&c.recomputed, &c.backend_value) else {
        return;
    };
    let rb = parse_prom_float(r).map(bits).unwrap_or_default();
    let bb = parse_prom_float(b).map(bits).unwrap_or_default();
    let mut evidence = vec![
        format!("recomputed {r} = {rb}"),
        format!("Prometheus {b} = {bb}"),
    ];
    evidence.extend(c.series.iter().map(|s| s.arithmetic.clone()));
    out.push(Finding::new(
        "cpu-recompute-differs",
        Severity::Disagree,
        format!(
            "{}: ktrace's recomputation from the raw samples is {r}, but Prometheus answered {b}: not the same float64 ({rb} vs {bb}).",
            c.name
        ),
        evidence,
    ));
}

/// adapter: `int64(v × 1000)` is not what PodMetrics says; metrics-server: nothing to compare.
pub fn backend_differs(cpu: &CpuLineage, out: &mut Vec<Finding>) {
    for c in &cpu.containers {
        let (Some(m), Some(n)) = (c.adapter_millicores, c.metrics_api_nanocores) else {
            continue;
        };
        if i128::from(m) * 1_000_000 == n {
            continue;
        }
        out.push(Finding::new(
            "cpu-backend-differs",
            Severity::Disagree,
            format!(
                "{}: the cpu rule answered {} → int64(× 1000) = {m}m, but PodMetrics says usage.cpu {} ({n}n).",
                c.name,
                c.backend_value.as_deref().unwrap_or("?"),
                c.metrics_api.as_deref().unwrap_or("?")
            ),
            vec![c.arithmetic.clone()],
        ));
    }
}

fn young(s: &Traced, who: &str, range: &str, out: &mut Vec<Finding>) {
    let Some(Calc::Extrapolated(r)) = &s.calc else {
        return;
    };
    if r.gap_start < r.average_interval * 1.1 {
        return;
    }
    let full = r.increase / r.sampled;
    let full_text = match r.function {
        RangeFunction::Increase => format!("an increase of {}", f(full * r.range_seconds)),
        _ => format!("{} per second", f(full)),
    };
    let ext = (r.sampled + r.extend_start + r.extend_end) / r.sampled;
    out.push(Finding::new(
        "cpu-young-series",
        Severity::Warn,
        format!(
            "{who}: the series starts {} s into the [{range}] window (more than 1.1 × its {} s sample interval), so {} extrapolates only half an interval there: factor {} over {} s sampled, giving {}. Over the samples it has, the counter rose {} in {} s: a fully covered window would give {full_text}.",
            f(r.gap_start),
            f(r.average_interval),
            r.function.as_str(),
            f(ext),
            f(r.sampled),
            f(r.value),
            f(r.increase),
            f(r.sampled)
        ),
        sample_lines(s, &[s.in_window[0], s.in_window[s.in_window.len() - 1]]),
    ));
}

fn resets(s: &Traced, who: &str, out: &mut Vec<Finding>) {
    let drops: Vec<(usize, usize)> = s
        .in_window
        .windows(2)
        .filter(|w| s.raw.samples[w[1]].v < s.raw.samples[w[0]].v)
        .map(|w| (w[0], w[1]))
        .collect();
    for (b, a) in drops {
        let (before, after) = (&s.raw.samples[b], &s.raw.samples[a]);
        out.push(Finding::new(
            "cpu-counter-reset",
            Severity::Warn,
            format!(
                "{who}: the counter dropped from {} to {} at {} inside the window (a reset: the container restarted or the counter was recreated); the rate adds the pre-reset value {} back.",
                before.text,
                after.text,
                rfc3339_from_ms(after.t_ms),
                before.text
            ),
            sample_lines(s, &[b, a]),
        ));
    }
}

fn irate_vs_rate(s: &Traced, who: &str, call: super::series::Call, out: &mut Vec<Finding>) {
    let Some(Calc::Instant(i)) = &s.calc else {
        return;
    };
    let Some(r) = extrapolated_rate(&s.points, call.eval_ms, call.range_ms, true, call.engine)
    else {
        return;
    };
    // The same printed millicores both ways have nothing to explain.
    let m = |v: f64| format!("{}m", (v * 1000.0) as i64);
    if m(r.value) == m(i.value) {
        return;
    }
    // `top` shows a moment, not the window, when the two views print different millicores
    // and differ by a factor of two or more: a busy app can read as idle (or the reverse).
    let (lo, hi) = (i.value.min(r.value), i.value.max(r.value));
    let misleads = hi > 0.0 && (lo <= 0.0 || hi / lo >= 2.0);
    let severity = if misleads {
        Severity::Warn
    } else {
        Severity::Info
    };
    let mut evidence = vec![format!(
        "irate = {} (last two samples); rate over the window = {}",
        f(i.value),
        f(r.value)
    )];
    evidence.extend(sample_lines(s, &s.used));
    out.push(Finding::new(
        "cpu-irate-vs-rate",
        severity,
        format!(
            "{who}: irate reads only the last two samples ({} s apart) and gives {}; the rate over all {} samples of the window would give {}.",
            f(i.seconds),
            m(i.value),
            s.points.len(),
            m(r.value)
        ),
        evidence,
    ));
}

/// Several series in one output element: per-CPU series, or an old container instance.
fn summed(members: &[&Traced], label: &str, out: &mut Vec<Finding>) {
    let who = who(members[0], label);
    let without = |s: &Traced, drop: &[&str]| -> Vec<(String, String)> {
        s.raw
            .labels
            .iter()
            .filter(|(k, _)| !drop.contains(&k.as_str()))
            .cloned()
            .collect()
    };
    let first = without(members[0], &["cpu"]);
    let per_cpu = members.iter().all(|s| without(s, &["cpu"]) == first);
    let evidence: Vec<String> = members
        .iter()
        .map(|s| {
            let v = s.calc.as_ref().map_or("no value".into(), |c| f(c.value()));
            format!("{} = {v}", labels_text(s))
        })
        .collect();
    if per_cpu {
        let cpus: Vec<&str> = members.iter().map(|s| s.raw.label("cpu")).collect();
        out.push(Finding::new(
            "cpu-per-cpu-series",
            Severity::Info,
            format!(
                "{who}: {} series that differ only by their `cpu` label ({}) — old cAdvisor exports one per CPU — and the rule sums them.",
                members.len(),
                cpus.join(", ")
            ),
            evidence,
        ));
        return;
    }
    let instance = |s: &Traced| {
        (
            s.raw.label("id").to_string(),
            s.raw.label("name").to_string(),
        )
    };
    let distinct = members.windows(2).any(|w| instance(w[0]) != instance(w[1]));
    if distinct {
        out.push(Finding::new(
            "cpu-old-instance",
            Severity::Warn,
            format!(
                "{who}: {} series of different container instances (their `id`/`name` labels differ) are still in the window, and the rule sums them: an old instance (a restart) adds its last rate to the new one's.",
                members.len()
            ),
            evidence,
        ));
    }
}

/// Headroom against the Pod's CPU request and limit; CFS throttling from cAdvisor.
pub fn pod_findings(inputs: &Inputs, out: &mut Vec<Finding>) {
    super::pod_findings::headroom(inputs, out);
    super::pod_findings::throttled(inputs, out);
}
