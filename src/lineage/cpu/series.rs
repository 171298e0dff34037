//! One counter series: the samples its window holds, what the range function used, the
//! recomputed value and the arithmetic on one line.

use super::super::model::{CpuSampleView, CpuSeries};
use super::super::time::{age, rfc3339_from_ms};
use super::matrix::RawSeries;
use crate::promql::answer::prom_float as f;
use crate::promql::rate::{self, Calc, Engine, RangeFunction, Sample};

/// A series with what the rule's function made of it.
#[derive(Debug, Clone)]
pub struct Traced {
    /// The series as the cpu-samples answer sent it.
    pub raw: RawSeries,
    /// Indexes of the samples inside the window under the engine's semantics.
    pub in_window: Vec<usize>,
    /// Indexes of the samples the function used.
    pub used: Vec<usize>,
    /// The window's samples.
    pub points: Vec<Sample>,
    /// The function's result with its intermediates (`None`: too few samples).
    pub calc: Option<Calc>,
}

/// The range call the rule makes, and where.
#[derive(Debug, Clone, Copy)]
pub struct Call {
    /// `rate`, `irate` or `increase`.
    pub function: RangeFunction,
    /// The range, ms.
    pub range_ms: i64,
    /// The evaluation time, Unix ms.
    pub eval_ms: i64,
    /// Whose semantics.
    pub engine: Engine,
}

/// Recomputes `call` over one series.
pub fn trace(raw: RawSeries, call: Call) -> Traced {
    let all: Vec<Sample> = raw
        .samples
        .iter()
        .map(|s| Sample {
            t_ms: s.t_ms,
            v: s.v,
        })
        .collect();
    let start = call.eval_ms.saturating_sub(call.range_ms);
    let in_window: Vec<usize> = (0..all.len())
        .filter(|&i| {
            let s = all[i];
            let after = if call.engine.left_open() {
                s.t_ms > start
            } else {
                s.t_ms >= start
            };
            !s.is_stale() && s.t_ms <= call.eval_ms && after
        })
        .collect();
    let points: Vec<Sample> = in_window.iter().map(|&i| all[i]).collect();
    let calc = rate::evaluate(
        call.function,
        &all,
        call.eval_ms,
        call.range_ms,
        call.engine,
    );
    let used = match (&calc, call.function) {
        (None, _) => Vec::new(),
        (Some(_), RangeFunction::Irate) => in_window[in_window.len() - 2..].to_vec(),
        (Some(_), _) => in_window.clone(),
    };
    Traced {
        raw,
        in_window,
        used,
        points,
        calc,
    }
}

/// The series as the report shows it; ages are against the evaluation time.
pub fn view(t: &Traced, eval_ms: i64) -> CpuSeries {
    let samples = t
        .raw
        .samples
        .iter()
        .map(|s| CpuSampleView {
            t: rfc3339_from_ms(s.t_ms),
            age: age(s.t_ms, eval_ms, "evaluation time"),
            value: s.text.clone(),
        })
        .collect();
    let arithmetic = match (&t.calc, &t.raw.problem) {
        (_, Some(p)) => format!("unreadable: {p}"),
        (Some(c), None) => arithmetic(c),
        (None, None) => format!(
            "no value: {} sample(s) in the window, the function needs two",
            t.points.len()
        ),
    };
    CpuSeries {
        labels: t.raw.labels.clone(),
        samples,
        used: t.used.clone(),
        value: t.calc.as_ref().map(|c| f(c.value())),
        arithmetic,
    }
}

/// One line: `irate = (100.5625 − 100) / 30 s = 0.01875`, or for `rate` the increase, the
/// extrapolated seconds over the sampled seconds, and the range.
pub fn arithmetic(c: &Calc) -> String {
    match c {
        Calc::Instant(i) => {
            let delta = if i.reset {
                format!(
                    "{} (counter reset: the last sample is the increase)",
                    f(i.delta)
                )
            } else {
                format!("({} − {})", f(i.last.v), f(i.prev.v))
            };
            format!(
                "irate = {delta} / {} s = {} (the last two samples)",
                f(i.seconds),
                f(i.value)
            )
        }
        Calc::Extrapolated(r) => {
            let resets = if r.resets.is_empty() {
                String::new()
            } else {
                let pre: Vec<String> = r.resets.iter().map(|(_, v)| f(*v)).collect();
                format!(" (with {} added for the reset)", pre.join(" + "))
            };
            let per = if r.function == RangeFunction::Rate {
                format!(" / {} s", f(r.range_seconds))
            } else {
                String::new()
            };
            format!(
                "{} = {}{resets} × ({} + {} + {}) s / {} s{per} = {} (increase × (sampled + start + end) / sampled)",
                r.function.as_str(),
                f(r.increase),
                f(r.sampled),
                f(r.extend_start),
                f(r.extend_end),
                f(r.sampled),
                f(r.value)
            )
        }
    }
}

/// The value in plain words: `irate over the last two samples 30 s apart (0.57 s of CPU in
/// 30 s)`, `rate over [1m]: 0.57 s of CPU in 12 s sampled, extrapolated ×1.5`.
pub fn in_words(c: &Calc, range: &str) -> String {
    match c {
        Calc::Instant(i) => format!(
            "irate over the last two samples {s} s apart ({} s of CPU in {s} s)",
            human(i.delta),
            s = human(i.seconds)
        ),
        Calc::Extrapolated(r) => format!(
            "{} over [{range}]: {} s of CPU in {} s sampled, extrapolated ×{}",
            r.function.as_str(),
            human(r.increase),
            human(r.sampled),
            human((r.sampled + r.extend_start + r.extend_end) / r.sampled)
        ),
    }
}

/// A float for reading, not for checking: at most three decimals, never an exponent
/// (`0.5774123450000133` → `0.577`, `30.001` stays, `2` stays); the exact value is in the
/// arithmetic line.
pub fn human(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    if v != 0.0 && v.abs() < 0.0005 {
        return if v > 0.0 { "< 0.001" } else { "> −0.001" }.into();
    }
    // A value with at most four decimals is shown as it is (0.5625); longer ones are cut
    // to three (0.5774123450000133 → 0.577).
    let shortest = v.to_string();
    if shortest.split_once('.').is_none_or(|(_, d)| d.len() <= 4) && !shortest.contains('e') {
        return shortest;
    }
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}
