//! The prometheus-adapter path: the cpu rule's answer, recomputed from the raw counter
//! samples (`cpu-samples`) with the answering Prometheus's semantics, compared to the last
//! bit, then the adapter's `int64(v × 1000)` and kubectl's rounding.

use super::super::model::{AdapterView, CpuContainer, CpuLineage, PromSample, RuleView};
use super::super::time::rfc3339_from_ms;
use super::engine::{buildinfo_command, engine, query_command};
use super::group::{Group, group, matches};
use super::matrix::{parse_matrix, time_ms};
use super::series::{self, Call, Traced, in_words, view};
use super::{Inputs, pod_row, top_of};
use crate::evidence::{PromQuery, QueryPurpose};
use crate::lineage::BackendKind;
use crate::promql::answer::{parse_prom_float, prom_float};
use crate::promql::plan::range_call;
use crate::promql::rate;
use crate::promql::selector::analyze_query;

/// What the recomputation found, kept for the findings.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    /// The rule's call, when it could be read.
    pub call: Option<Call>,
    /// The range as written.
    pub range: String,
    /// Every series of the cpu-samples answer.
    pub series: Vec<Traced>,
    /// The rule's output elements over them.
    pub groups: Vec<Group>,
    /// The rule's container label.
    pub container_label: String,
}

/// The CPU lineage on the adapter path.
pub fn cpu_lineage(inputs: &Inputs, adapter: &AdapterView) -> Result<(CpuLineage, Trace), String> {
    let rule = adapter
        .cpu
        .get()
        .ok_or_else(|| format!("no cpu rule: {}", adapter.cpu.reason().unwrap_or_default()))?;
    let ev = inputs.ev;
    let queries = &ev.sources.prometheus;
    let sent = |p: QueryPurpose| queries.iter().find(|q| q.purpose == p);
    let cpu_q = sent(QueryPurpose::Cpu);
    let query = rule.ran.clone().unwrap_or_else(|| rule.rendered.clone());
    let (eng, engine_view) = engine(ev.sources.prometheus_buildinfo.as_ref());
    let mut missing = Vec::new();
    if ev.sources.prometheus_buildinfo.is_none() {
        let by_hand = cpu_q.and_then(buildinfo_command);
        missing.push(with_command(
            "Prometheus buildinfo: not in the evidence",
            by_hand,
        ));
    }
    let eval_ms = eval_time(cpu_q, sent(QueryPurpose::CpuSamples), inputs);
    let mut trace = Trace {
        container_label: rule.container_label.clone(),
        ..Trace::default()
    };
    let call = range_call(&query);
    let mut not_recomputed = None;
    match (&call, eval_ms) {
        (Ok(c), Some(eval_ms)) => {
            trace.range = c.range.clone();
            trace.call = Some(Call {
                function: c.function,
                range_ms: c.range_ms,
                eval_ms,
                engine: eng,
            });
        }
        (Err(e), _) => not_recomputed = Some(e.clone()),
        (_, None) => not_recomputed = Some("the cpu query's evaluation time is unknown".into()),
    }
    if let Some(c) = trace.call {
        match read_samples(sent(QueryPurpose::CpuSamples), cpu_q, &call) {
            Ok(series) => trace.series = series.into_iter().map(|s| series::trace(s, c)).collect(),
            Err((short, long)) => {
                missing.push(long);
                not_recomputed = Some(short);
            }
        }
        let labels: Vec<_> = trace.series.iter().map(|s| s.raw.labels.clone()).collect();
        let agg = analyze_query(&query).ok().and_then(|s| s.aggregation);
        match group(&labels, agg.as_ref()) {
            Ok(g) => trace.groups = g,
            Err(e) => not_recomputed = Some(e),
        }
    }
    let answer = rule.result.get().map(Vec::as_slice).unwrap_or_default();
    let names = container_names(inputs, answer, &rule.container_label);
    let containers = names
        .iter()
        .map(|n| container(n, inputs, rule, &trace, not_recomputed.as_deref()))
        .collect();
    let cpu = CpuLineage {
        backend: BackendKind::PrometheusAdapter,
        engine: Some(engine_view),
        function: call.as_ref().ok().map(|c| c.function.as_str().to_string()),
        range: call.as_ref().ok().map(|c| c.range.clone()),
        eval_time: eval_ms.map(rfc3339_from_ms),
        window: inputs.metrics.and_then(|m| m.window.clone()),
        timestamp: inputs.metrics.and_then(|m| m.timestamp.clone()),
        containers,
        pod_row: pod_row(inputs),
        missing,
    };
    Ok((cpu, trace))
}

fn with_command(what: &str, command: Option<String>) -> String {
    match command {
        Some(c) => format!("{what}; by hand: {c}"),
        None => what.to_string(),
    }
}

/// The cpu query's `time=`; else the cpu-samples query's; else the PodMetrics timestamp.
fn eval_time(cpu: Option<&PromQuery>, samples: Option<&PromQuery>, inputs: &Inputs) -> Option<i64> {
    let sent = |q: Option<&PromQuery>| q.and_then(|q| q.time.as_deref()).and_then(time_ms);
    sent(cpu).or_else(|| sent(samples)).or_else(|| {
        let ts = inputs.metrics?.timestamp.as_deref()?;
        super::super::time::rfc3339_ms(ts)
    })
}

/// The cpu-samples series, or why there are none: in short, and with the command to get
/// them by hand.
fn read_samples(
    samples: Option<&PromQuery>,
    cpu: Option<&PromQuery>,
    call: &Result<crate::promql::plan::RangeCall, String>,
) -> Result<Vec<super::matrix::RawSeries>, (String, String)> {
    let by_hand = match (cpu, call) {
        (Some(cpu), Ok(c)) => query_command(cpu, &c.query),
        _ => None,
    };
    let why = |short: String| (short.clone(), with_command(&short, by_hand.clone()));
    let Some(q) = samples else {
        return Err(why(
            "cpu-samples: not in the evidence (a bundle from before schema 2)".into(),
        ));
    };
    let Some(body) = q.source.body() else {
        let reason = q.source.missing_reason().unwrap_or_default();
        return Err(why(format!("cpu-samples: {reason}")));
    };
    parse_matrix(body).map_err(|e| why(format!("cpu-samples: {e}")))
}

/// kubectl's `--containers` order when there is a PodMetrics; else the answer's containers.
fn container_names(inputs: &Inputs, answer: &[PromSample], label: &str) -> Vec<String> {
    if let Some(top) = inputs.top {
        return top.containers.iter().map(|c| c.name.clone()).collect();
    }
    let mut names: Vec<String> = answer
        .iter()
        .filter_map(|s| s.label(label).map(str::to_string))
        .collect();
    names.sort();
    names.dedup();
    names
}

fn container(
    name: &str,
    inputs: &Inputs,
    rule: &RuleView,
    trace: &Trace,
    not_recomputed: Option<&str>,
) -> CpuContainer {
    let label = rule.container_label.as_str();
    let answer = rule.result.get().and_then(|a| {
        a.iter()
            .find(|s| s.label(label) == Some(name) && s.unreadable.is_none())
    });
    let group = match answer {
        Some(a) => trace.groups.iter().find(|g| matches(&g.key, &a.labels)),
        None => trace.groups.iter().find(|g| {
            g.members
                .first()
                .is_some_and(|&i| trace.series[i].raw.label(label) == name)
        }),
    };
    let eval_ms = trace.call.map_or(0, |c| c.eval_ms);
    let series: Vec<_> = group
        .map(|g| {
            g.members
                .iter()
                .map(|&i| view(&trace.series[i], eval_ms))
                .collect()
        })
        .unwrap_or_default();
    let recomputed = group.and_then(|g| {
        let values: Option<Vec<f64>> = g
            .members
            .iter()
            .map(|&i| trace.series[i].calc.as_ref().map(|c| c.value()))
            .collect();
        rate::sum(&values?, trace.call?.engine)
    });
    let backend_value = answer.map(|a| a.value.clone());
    let backend = backend_value.as_deref().and_then(parse_prom_float);
    let bit_exact = recomputed
        .zip(backend)
        .map(|(r, b)| r.to_bits() == b.to_bits());
    let (top, api) = top_of(inputs, name);
    let adapter_millicores = backend.map(adapter_millis);
    let why_not = match (&recomputed, not_recomputed) {
        (Some(_), _) => None,
        (None, Some(why)) => Some(why.to_string()),
        (None, None) if group.is_none() => {
            Some(format!("no cpu-samples series for container {name}"))
        }
        (None, None) => Some("a series of the group has no value".into()),
    };
    let mut c = CpuContainer {
        name: name.to_string(),
        top,
        metrics_api: api.and_then(|a| a.cpu.clone()),
        metrics_api_nanocores: api.and_then(|a| a.cpu_nanocores),
        backend_value,
        recomputed: recomputed.map(prom_float),
        bit_exact,
        adapter_millicores,
        series,
        arithmetic: String::new(),
        in_words: words(group, trace),
        not_recomputed: why_not,
        kubelet: None,
        own_check: None,
    };
    c.arithmetic = arithmetic(&c, rule);
    c
}

fn words(group: Option<&Group>, trace: &Trace) -> Option<String> {
    let members = &group?.members;
    let first = trace.series[*members.first()?].calc.as_ref()?;
    let one = in_words(first, &trace.range);
    Some(match members.len() {
        1 => one,
        n => format!("Σ of {n} series (the first: {one})"),
    })
}

/// prometheus-adapter's `int64(value × 1000)`: truncation toward zero; NaN and negative
/// values give 0 (reference/cpu-node.md §A.7).
pub fn adapter_millis(v: f64) -> i64 {
    if v.is_nan() || v <= 0.0 {
        return 0;
    }
    (v * 1000.0) as i64
}

/// `18m ← usage.cpu 18m ← int64(0.01875 × 1000) = 18 ← irate = (…) / 30 s = 0.01875`.
fn arithmetic(c: &CpuContainer, rule: &RuleView) -> String {
    let mut parts = Vec::new();
    if let Some(top) = &c.top {
        parts.push(top.clone());
    }
    if let Some(api) = &c.metrics_api {
        parts.push(format!("usage.cpu {api}"));
    }
    match (&c.backend_value, c.adapter_millicores) {
        (Some(v), Some(m)) => parts.push(format!("int64({v} × 1000) = {m}")),
        _ => parts.push(format!(
            "no cpu answer for {} ({})",
            c.name,
            rule.result
                .reason()
                .unwrap_or("the answer has no such element")
        )),
    }
    let sources = match c.series.as_slice() {
        [] => Some("? (not recomputed)".to_string()),
        [one] => Some(one.arithmetic.clone()),
        many => {
            let values: Vec<&str> = many.iter().filter_map(|s| s.value.as_deref()).collect();
            Some(format!(
                "Σ {} series: {} = {}",
                many.len(),
                values.join(" + "),
                c.recomputed.as_deref().unwrap_or("?")
            ))
        }
    };
    parts.extend(sources);
    let mut text = parts.join(" ← ");
    if c.bit_exact == Some(false) {
        text.push_str(&format!(
            " (recomputed {}, Prometheus answered {})",
            c.recomputed.as_deref().unwrap_or("?"),
            c.backend_value.as_deref().unwrap_or("?")
        ));
    }
    text
}
