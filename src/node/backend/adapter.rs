//! prometheus-adapter's node numbers: the `node-memory` and `node-cpu` answers as sent and
//! their `int64(v × 1000)` milli quantities (reference/cpu-node.md §A.7, §B), node-exporter's
//! MemTotal − MemAvailable recomputed from the `node-meminfo` answer, and the cpu node query
//! recomputed from the `node-cpu-samples` matrix (`promql::rate`), bit for bit or not at all.

use serde::Serialize;

mod recompute;

use super::promjson::{Series, parse_answer, prom_text};
use crate::evidence::{PromQuery, QueryPurpose, Source};
use crate::lineage::model::Layer;
use crate::node::gomath::go_int64;
use crate::promql::rate::Engine;
use recompute::recompute;

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
