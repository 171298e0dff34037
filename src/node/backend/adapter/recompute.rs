//! The cpu node query recomputed from the `node-cpu-samples` matrix: the first range call's
//! function and range, each of the node's series through `promql::rate`, then `sum` in the
//! answer's order; bit for bit against the `node-cpu` answer, or not recomputed and why.

use super::super::promjson::{Series, prom_text, time_ms};
use super::{AnswerView, CpuRecompute, SeriesCalc, find};
use crate::evidence::{PromQuery, QueryPurpose};
use crate::promql::rate::{self, Calc, Engine, RangeFunction, Sample, parse_duration_ms};
use crate::promql::selector::analyze_query;

/// The first range call of the cpu node query: function, range text, range ms.
fn range_of(query: &str) -> Result<(RangeFunction, String, i64), String> {
    let shape =
        analyze_query(query).map_err(|e| format!("the cpu node query does not parse: {e}"))?;
    let sel = shape
        .selectors
        .iter()
        .find(|s| s.range.is_some())
        .ok_or("the cpu node query reads no range selector")?;
    let name = sel.function.as_deref().unwrap_or("");
    let f = RangeFunction::parse(name)
        .ok_or_else(|| format!("the cpu node query applies {name:?} to its range"))?;
    let range = sel.range.clone().unwrap_or_default();
    let ms =
        parse_duration_ms(&range).ok_or_else(|| format!("the range [{range}] is no duration"))?;
    Ok((f, range, ms))
}

pub(super) fn recompute(
    queries: &[PromQuery],
    cpu: &AnswerView,
    node: &str,
    engine: Engine,
) -> Result<CpuRecompute, String> {
    let (function, range, range_ms) = range_of(&cpu.query)?;
    let (sq, all) = find(queries, &QueryPurpose::NodeCpuSamples)?;
    let eval_ms = sq
        .time
        .as_deref()
        .or(cpu.time.as_deref())
        .and_then(time_ms)
        .ok_or("the samples query carries no evaluation time")?;
    let compact: String = cpu.query.split_whitespace().collect();
    let one_minus = compact.contains(&format!("1-{}(", function.as_str()));
    let joined = cpu.query.contains("group_left") || cpu.query.contains("kube_pod_info");
    let (picked, selected_by) = select(&all, cpu, node, joined)?;
    let mut series = Vec::new();
    let mut terms = Vec::new();
    for s in &picked {
        let (calc, term) = series_calc(s, function, eval_ms, range_ms, engine, one_minus)?;
        terms.push(term);
        series.push(calc);
    }
    let total = rate::sum(&terms, engine).ok_or("no series to sum")?;
    let shown: Vec<String> = terms.iter().map(|t| prom_text(*t)).collect();
    let f = function.as_str();
    let arithmetic = format!(
        "Σ {} = {} = {}",
        if one_minus {
            format!("(1 − {f})")
        } else {
            f.to_owned()
        },
        shown.join(" + "),
        prom_text(total)
    );
    if total.to_bits() != cpu.f.to_bits() {
        let why = if joined {
            format!(
                "; the query joins the idle series to the node through node_namespace_pod:kube_pod_info: \
                 (namespace, pod → node), which is not in the evidence, so which of the {} series are \
                 the node's cannot be told",
                all.len()
            )
        } else {
            String::new()
        };
        return Err(format!(
            "not recomputed: {arithmetic} over the series {selected_by} is not the answer {} (float64 \
             bits {:#018x} ≠ {:#018x}){why}",
            cpu.value,
            total.to_bits(),
            cpu.f.to_bits()
        ));
    }
    Ok(CpuRecompute {
        function: f.to_owned(),
        range,
        one_minus,
        selected_by,
        other_series: all.len() - picked.len(),
        series,
        recomputed: prom_text(total),
        arithmetic,
    })
}

/// The node's series of the samples answer, and how they were told.
fn select<'s>(
    all: &'s [Series],
    cpu: &AnswerView,
    node: &str,
    joined: bool,
) -> Result<(Vec<&'s Series>, String), String> {
    let by =
        |label: &str| -> Vec<&Series> { all.iter().filter(|s| s.label(label) == node).collect() };
    if joined {
        for label in ["node", "instance"] {
            let picked = by(label);
            if !picked.is_empty() {
                let how = format!(
                    "with {label}=\"{node}\" (the join's node_namespace_pod:kube_pod_info: is not in the \
                     evidence; the bit-exact sum confirms the pick)"
                );
                return Ok((picked, how));
            }
        }
        return Err(format!(
            "not recomputed: the samples answer holds {} idle series and none carries node or instance \
             \"{node}\"; the query ties them to the node through node_namespace_pod:kube_pod_info: \
             (namespace, pod → node), which is not in the evidence",
            all.len()
        ));
    }
    let [(label, value)] = cpu.labels.as_slice() else {
        return Err(format!(
            "not recomputed: the cpu answer's labels {:?} name no single node label to group the {} \
             samples series by",
            cpu.labels,
            all.len()
        ));
    };
    let picked: Vec<&Series> = all.iter().filter(|s| s.label(label) == value).collect();
    if picked.is_empty() {
        return Err(format!(
            "not recomputed: no samples series has {label}=\"{value}\""
        ));
    }
    Ok((
        picked,
        format!("with {label}=\"{value}\" (the query sums by {label})"),
    ))
}

fn series_calc(
    s: &Series,
    function: RangeFunction,
    eval_ms: i64,
    range_ms: i64,
    engine: Engine,
    one_minus: bool,
) -> Result<(SeriesCalc, f64), String> {
    let samples: Vec<Sample> = s
        .samples
        .iter()
        .map(|(t_ms, _, v)| Sample { t_ms: *t_ms, v: *v })
        .collect();
    let calc = rate::evaluate(function, &samples, eval_ms, range_ms, engine).ok_or_else(|| {
        format!(
            "not recomputed: a series has fewer than two samples in the window ({:?})",
            s.labels
        )
    })?;
    let v = calc.value();
    let term = if one_minus { 1.0 - v } else { v };
    let arithmetic = match &calc {
        Calc::Instant(c) => format!(
            "irate = ({} − {}) / {} = {}",
            prom_text(c.last.v),
            prom_text(c.prev.v),
            c.seconds,
            prom_text(v)
        ),
        Calc::Extrapolated(c) => format!(
            "{} = increase {} × factor {} = {}",
            function.as_str(),
            prom_text(c.increase),
            c.factor,
            prom_text(v)
        ),
    };
    let calc = SeriesCalc {
        labels: s.labels.clone(),
        samples: s
            .samples
            .iter()
            .map(|(t, text, _)| (*t, text.clone()))
            .collect(),
        value: prom_text(v),
        term: prom_text(term),
        arithmetic,
    };
    Ok((calc, term))
}
