//! prometheus-adapter's node numbers: the `node-memory` and `node-cpu` answers as sent and
//! their `int64(v × 1000)` milli quantities (reference/cpu-node.md §A.7, §B), node-exporter's
//! MemTotal − MemAvailable recomputed from the `node-meminfo` answer, and the cpu node query
//! recomputed from the `node-cpu-samples` matrix (`promql::rate`), bit for bit or not at all.

use serde::Serialize;

use super::promjson::{Series, parse_answer, prom_text, time_ms};
use crate::evidence::{PromQuery, QueryPurpose, Source};
use crate::lineage::model::Layer;
use crate::node::gomath::go_int64;
use crate::promql::rate::{self, Calc, Engine, RangeFunction, Sample, parse_duration_ms};
use crate::promql::selector::analyze_query;

/// The adapter's node queries and what ktrace recomputed from their raw series.
#[derive(Debug, Clone, Serialize)]
pub struct AdapterNode {
    /// The Prometheus semantics applied (`2.42`, from buildinfo `2.42.0+ds`, or assumed).
    pub engine: String,
    /// The memory nodeQuery's answer.
    pub memory: Layer<AnswerView>,
    /// The cpu nodeQuery's answer.
    pub cpu: Layer<AnswerView>,
    /// node-exporter's MemTotal and MemAvailable, and their difference.
    pub meminfo: Layer<MeminfoView>,
    /// The cpu answer recomputed from the raw samples (missing: not recomputed, and why).
    pub cpu_recompute: Layer<CpuRecompute>,
}

/// One node query's answer as sent and as the adapter turns it into a quantity.
#[derive(Debug, Clone, Serialize)]
pub struct AnswerView {
    /// The PromQL as sent.
    pub query: String,
    /// `time=` as sent.
    pub time: Option<String>,
    /// The answer series' labels.
    pub labels: Vec<(String, String)>,
    /// The value string as Prometheus sent it.
    pub value: String,
    /// The value read.
    #[serde(skip)]
    pub f: f64,
    /// `int64(v × 1000)` (NaN or negative → 0): the adapter's milli quantity.
    pub millis: i64,
    /// `int64(473763840 × 1000) = 473763840000 milli`.
    pub arithmetic: String,
}

/// MemTotal − MemAvailable from node-exporter's series.
#[derive(Debug, Clone, Serialize)]
pub struct MeminfoView {
    /// `node_memory_MemTotal_bytes` as sent.
    pub mem_total: String,
    /// `node_memory_MemAvailable_bytes` as sent.
    pub mem_available: String,
    /// Their float64 difference, written as Prometheus writes floats.
    pub used: String,
    /// The difference in bytes (integer part).
    pub used_bytes: i128,
    /// True iff the memory rule is MemTotal − MemAvailable and the difference has the
    /// memory answer's float64 bits; `None` when the rule is another expression.
    pub bit_exact: Option<bool>,
    /// `25275990016 − 24802226176 = 473763840`.
    pub arithmetic: String,
}

/// The cpu node query recomputed from the raw samples.
#[derive(Debug, Clone, Serialize)]
pub struct CpuRecompute {
    /// `irate`, `rate` or `increase`.
    pub function: String,
    /// The range (`60s`).
    pub range: String,
    /// True when each series enters the sum as `1 − f(…)` (idle → busy).
    pub one_minus: bool,
    /// Which series are the node's, and how that was told.
    pub selected_by: String,
    /// Series of the samples answer that are not the node's.
    pub other_series: usize,
    /// The node's series, in the answer's order (the order the sum adds them).
    pub series: Vec<SeriesCalc>,
    /// The sum, written as Prometheus writes floats; equals the answer bit for bit.
    pub recomputed: String,
    /// `Σ (1 − irate) = 0.0033333333333379 + 0.00800000000000034 = 0.011333333333338191`.
    pub arithmetic: String,
}

/// One series' part of the recomputation.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesCalc {
    /// Its labels.
    pub labels: Vec<(String, String)>,
    /// Every raw sample as `t_ms` and value as sent.
    pub samples: Vec<(i64, String)>,
    /// `f(x[R])` recomputed.
    pub value: String,
    /// What it adds to the sum (`1 − value` or `value`).
    pub term: String,
    /// `irate = (998.65 − 983.7) / 15 = 0.9966666666666621`.
    pub arithmetic: String,
}

/// Reads the adapter's node queries.
pub fn read(queries: &[PromQuery], buildinfo: Option<&Source>, node: &str) -> Layer<AdapterNode> {
    if queries.is_empty() {
        return Layer::Missing {
            reason: "the evidence holds none of the adapter's node queries".into(),
        };
    }
    let (engine, engine_text) = engine(buildinfo);
    let memory = answer(queries, &QueryPurpose::NodeMemory);
    let cpu = answer(queries, &QueryPurpose::NodeCpu);
    let meminfo = meminfo(queries, memory.get());
    let cpu_recompute = match cpu.get() {
        Some(a) => layer(recompute(queries, a, node, engine)),
        None => Layer::Missing {
            reason: "no cpu node answer to recompute".into(),
        },
    };
    Layer::Present {
        value: AdapterNode {
            engine: engine_text,
            memory,
            cpu,
            meminfo,
            cpu_recompute,
        },
    }
}

fn layer<T>(r: Result<T, String>) -> Layer<T> {
    match r {
        Ok(value) => Layer::Present { value },
        Err(reason) => Layer::Missing { reason },
    }
}

/// The query of `purpose`, its parsed answer, or why not.
pub fn find<'q>(
    queries: &'q [PromQuery],
    purpose: &QueryPurpose,
) -> Result<(&'q PromQuery, Vec<Series>), String> {
    let q = queries
        .iter()
        .find(|q| &q.purpose == purpose)
        .ok_or_else(|| format!("the {} query is not in the evidence", purpose.as_str()))?;
    let body = q.source.body().ok_or_else(|| {
        let why = q.source.missing_reason().unwrap_or_default();
        format!("the {} answer is missing: {why}", purpose.as_str())
    })?;
    let series = parse_answer(body).map_err(|e| format!("the {} answer: {e}", purpose.as_str()))?;
    Ok((q, series))
}

fn answer(queries: &[PromQuery], purpose: &QueryPurpose) -> Layer<AnswerView> {
    layer(find(queries, purpose).and_then(|(q, series)| {
        let s = series.first().ok_or_else(|| {
            format!(
                "the {} answer is empty: the adapter skips the node (\"missing {} for node\")",
                purpose.as_str(),
                if purpose == &QueryPurpose::NodeCpu {
                    "CPU"
                } else {
                    "memory"
                }
            )
        })?;
        let (_, text, f) = s
            .samples
            .last()
            .cloned()
            .ok_or("an answer without a value")?;
        let millis = if f.is_nan() || f < 0.0 {
            0
        } else {
            go_int64(f * 1000.0)
        };
        Ok(AnswerView {
            query: q.query.clone(),
            time: q.time.clone(),
            labels: s.labels.clone(),
            arithmetic: format!("int64({text} × 1000) = {millis} milli"),
            value: text,
            f,
            millis,
        })
    }))
}

const TOTAL: &str = "node_memory_MemTotal_bytes";
const AVAILABLE: &str = "node_memory_MemAvailable_bytes";

fn meminfo(queries: &[PromQuery], memory: Option<&AnswerView>) -> Layer<MeminfoView> {
    layer(
        find(queries, &QueryPurpose::NodeMeminfo).and_then(|(_, series)| {
            let one = |name: &str| -> Result<(String, f64), String> {
                let mut it = series.iter().filter(|s| s.label("__name__") == name);
                match (it.next(), it.next()) {
                    (Some(s), None) => s
                        .samples
                        .last()
                        .map(|(_, t, f)| (t.clone(), *f))
                        .ok_or_else(|| format!("{name} has no sample")),
                    (None, _) => Err(format!("the node-meminfo answer has no {name}")),
                    _ => Err(format!("the node-meminfo answer has several {name} series")),
                }
            };
            let ((total, t), (avail, a)) = (one(TOTAL)?, one(AVAILABLE)?);
            let used = t - a;
            let is_rule = memory.filter(|m| {
                m.query.contains(TOTAL)
                    && m.query.contains(AVAILABLE)
                    && !m.query.contains("_over_time")
            });
            Ok(MeminfoView {
                arithmetic: format!(
                    "MemTotal {total} − MemAvailable {avail} = {}",
                    prom_text(used)
                ),
                mem_total: total,
                mem_available: avail,
                used: prom_text(used),
                used_bytes: used as i128,
                bit_exact: is_rule.map(|m| m.f.to_bits() == used.to_bits()),
            })
        }),
    )
}

/// The engine from buildinfo's `data.version`, or 2.42 assumed.
fn engine(buildinfo: Option<&Source>) -> (Engine, String) {
    let version = buildinfo
        .and_then(Source::body)
        .and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok())
        .and_then(|v| v.pointer("/data/version")?.as_str().map(str::to_owned));
    match version.as_deref().and_then(Engine::parse) {
        Some(e) => (
            e,
            format!("{e} (buildinfo version {})", version.unwrap_or_default()),
        ),
        None => (
            Engine::V2_42,
            "2.42 (assumed: no readable buildinfo)".into(),
        ),
    }
}

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

fn recompute(
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
