//! Running a parsed script: which evals are in scope (`rate`, `irate` or `increase` of one
//! plain range selector, optionally with `offset`, over float series), the evaluation with
//! `ktrace::promql::rate::evaluate`, and the comparison with the expected result.

use std::collections::BTreeMap;

use ktrace::promql::rate::{self, Engine, RangeFunction, Sample};
use ktrace::promql::{VectorSelector, analyze_query};

use super::parse::{Command, Eval, Series, duration};
use super::values::Point;

/// Why an eval was not run.
pub type Skip = &'static str;

/// The expression calls none of `rate`, `irate`, `increase`.
pub const OTHER: Skip = "other functions/operators (no rate/irate/increase)";
/// `rate`/`irate`/`increase` is an argument or operand of something else.
pub const INSIDE: Skip = "rate/irate/increase inside other functions/operators";
/// A subquery `[R:S]` appears.
pub const SUBQUERY: Skip = "subquery";
/// An `@` modifier appears.
pub const AT: Skip = "@ modifier";
/// `anchored`/`smoothed` (experimental, behind a feature flag).
pub const FLAGGED: Skip = "anchored/smoothed modifier (feature flag)";
/// A selected series holds native histogram samples.
pub const HISTOGRAM: Skip = "native histogram";
/// The eval expects the query to fail.
pub const FAILS: Skip = "expected to fail";
/// The eval's point is a warning or info annotation.
pub const ANNOTATION: Skip = "expects a warning/info annotation";
/// The eval checks the order of the result.
pub const ORDERED: Skip = "checks result order";

/// An in-scope call: `function(selector[range] offset o)`.
#[derive(Debug, Clone)]
pub struct Call {
    function: RangeFunction,
    selector: VectorSelector,
    range_ms: i64,
    offset_ms: i64,
}

/// What happened to one eval.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Ran and matched: values compared, of which bit-exact, and each one that is not.
    Passed {
        values: usize,
        exact: usize,
        inexact: Vec<String>,
    },
    /// Ran and did not match: why, with the script line.
    Failed(String),
    /// Not run.
    Skipped(Skip),
}

/// How expected and computed floats are compared (promqltest's rule for the release).
pub type Equal = fn(f64, f64) -> bool;

/// A loaded series with the step of its `load`.
struct Loaded<'a> {
    series: &'a Series,
    step_ms: i64,
}

/// Runs every eval of `commands`, keeping the series the `load`s since the last `clear` gave.
pub fn run(commands: &[Command], engine: Engine, equal: Equal) -> Vec<(usize, Outcome)> {
    let mut loaded: Vec<Loaded> = Vec::new();
    let mut out = Vec::new();
    for c in commands {
        match c {
            Command::Clear => loaded.clear(),
            Command::Load { step_ms, series } => {
                let step_ms = *step_ms;
                loaded.extend(series.iter().map(|series| Loaded { series, step_ms }));
            }
            Command::Eval(e) => out.push((e.line, outcome(e, &loaded, engine, equal))),
        }
    }
    out
}

fn outcome(e: &Eval, loaded: &[Loaded], engine: Engine, equal: Equal) -> Outcome {
    let call = match classify(&e.expr) {
        Ok(call) => call,
        Err(skip) => return Outcome::Skipped(skip),
    };
    let Ok(compiled) = call.selector.compile() else {
        return Outcome::Failed(format!("line {}: bad selector `{}`", e.line, call.selector));
    };
    let selected: Vec<&Loaded> = loaded
        .iter()
        .filter(|l| compiled.matches(&l.series.name, &l.series.labels))
        .collect();
    if let Some(skip) = skip_reason(e, &selected) {
        return Outcome::Skipped(skip);
    }
    let actual = compute(&call, e, &selected, engine);
    compare(e, &actual, equal)
}

/// Out-of-scope reasons that need the selected series or the eval's expectations.
fn skip_reason(e: &Eval, selected: &[&Loaded]) -> Option<Skip> {
    let has = |p: &str| {
        e.expects
            .iter()
            .any(|x| x.split_whitespace().next() == Some(p))
    };
    if selected
        .iter()
        .any(|l| l.series.points.contains(&Point::Histogram))
    {
        Some(HISTOGRAM)
    } else if e.keyword == "eval_fail" || has("fail") {
        Some(FAILS)
    } else if matches!(e.keyword.as_str(), "eval_warn" | "eval_info") || has("warn") || has("info")
    {
        Some(ANNOTATION)
    } else if e.keyword == "eval_ordered" || has("ordered") {
        Some(ORDERED)
    } else {
        None
    }
}

/// `rate(sel[5m])`, `irate(sel[5m] offset 1m)`, … → a [`Call`]; anything else → why not.
pub fn classify(expr: &str) -> Result<Call, Skip> {
    let mentions = ["rate(", "irate(", "increase("].iter().any(|f| {
        expr.match_indices(f)
            .any(|(i, _)| i == 0 || !expr.as_bytes()[i - 1].is_ascii_alphanumeric())
    });
    if !mentions {
        return Err(OTHER);
    }
    let outer_reason = || {
        if has_subquery(expr) {
            SUBQUERY
        } else if expr.contains('@') {
            AT
        } else if expr.contains("anchored") || expr.contains("smoothed") {
            FLAGGED
        } else {
            INSIDE
        }
    };
    direct_call(expr.trim()).ok_or_else(outer_reason)
}

/// True when some `[…]` holds a `:` (`x[5m:1m]`, `f(x)[5m:]`).
fn has_subquery(expr: &str) -> bool {
    expr.split('[')
        .skip(1)
        .any(|part| part.split(']').next().is_some_and(|r| r.contains(':')))
}

/// The call when `expr` is exactly `f(selector[range] [offset d])`.
fn direct_call(expr: &str) -> Option<Call> {
    let open = expr.find('(')?;
    let function = RangeFunction::parse(&expr[..open])?;
    let inner = expr[open + 1..].strip_suffix(')')?.trim();
    let (selector, after) = inner.rsplit_once('[')?;
    let (range, modifiers) = after.split_once(']')?;
    let range_ms = duration(range).ok()?;
    let offset_ms = match modifiers.split_whitespace().collect::<Vec<_>>()[..] {
        [] => 0,
        ["offset", d] => match d.strip_prefix('-') {
            Some(d) => -duration(d).ok()?,
            None => duration(d).ok()?,
        },
        _ => return None,
    };
    let selector = selector.trim();
    let name_len = selector
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b':'))
        .count();
    let braces = &selector[name_len..];
    let plain = braces.is_empty() || (braces.starts_with('{') && braces.ends_with('}'));
    let mut shape = analyze_query(selector).ok()?;
    let single = shape.selectors.len() == 1 && shape.aggregation.is_none();
    let selector = shape.selectors.pop()?;
    (plain && single && selector.function.is_none()).then_some(Call {
        function,
        selector,
        range_ms,
        offset_ms,
    })
}

/// Computed output: label set (without `__name__`) → one value or none per evaluation time.
type Vectors = BTreeMap<Vec<(String, String)>, Vec<Option<f64>>>;

fn compute(call: &Call, e: &Eval, selected: &[&Loaded], engine: Engine) -> Vectors {
    let times = e.when.times();
    let mut out = Vectors::new();
    for l in selected {
        let samples = samples(&l.series.points, l.step_ms);
        let values: Vec<Option<f64>> = times
            .iter()
            .map(|t| {
                let at = t - call.offset_ms;
                rate::evaluate(call.function, &samples, at, call.range_ms, engine)
                    .map(|c| c.value())
            })
            .collect();
        if values.iter().any(Option::is_some) {
            out.insert(l.series.labels.clone(), values);
        }
    }
    out
}

/// The float samples of a loaded series, point `i` at `i × step_ms`.
pub fn samples(points: &[Point], step_ms: i64) -> Vec<Sample> {
    let timed = points
        .iter()
        .enumerate()
        .map(|(i, p)| (i as i64 * step_ms, p));
    timed
        .filter_map(|(t_ms, p)| match p {
            Point::Float(v) => Some(Sample { t_ms, v: *v }),
            _ => None,
        })
        .collect()
}

fn compare(e: &Eval, actual: &Vectors, equal: Equal) -> Outcome {
    let fail = |why: String| Outcome::Failed(format!("line {} `{}`: {why}", e.line, e.expr));
    let mut expected = Vectors::new();
    for r in &e.results {
        let mut labels = r.labels.clone();
        if !r.name.is_empty() {
            labels.push(("__name__".to_string(), r.name.clone()));
            labels.sort();
        }
        let values = r.points.iter().map(|p| match p {
            Point::Float(v) => Some(*v),
            _ => None,
        });
        expected.insert(labels, values.collect());
    }
    let keys = |v: &Vectors| v.keys().cloned().collect::<Vec<_>>();
    if keys(&expected) != keys(actual) {
        return fail(format!(
            "series {:?}, expected {:?}",
            keys(actual),
            keys(&expected)
        ));
    }
    let (mut values, mut exact, mut inexact) = (0, 0, Vec::new());
    for (labels, want) in &expected {
        let got = &actual[labels];
        if want.len() != got.len() {
            return fail(format!("{labels:?}: {got:?}, expected {want:?}"));
        }
        for (w, g) in want.iter().zip(got) {
            match (w, g) {
                (None, None) => {}
                (Some(w), Some(g)) if equal(*w, *g) => {
                    values += 1;
                    if w.to_bits() == g.to_bits() || w.is_nan() && g.is_nan() {
                        exact += 1;
                    } else {
                        inexact.push(format!("line {} {labels:?}: {g:?}, file {w:?}", e.line));
                    }
                }
                _ => return fail(format!("{labels:?}: {got:?}, expected {want:?}")),
            }
        }
    }
    Outcome::Passed {
        values,
        exact,
        inexact,
    }
}
