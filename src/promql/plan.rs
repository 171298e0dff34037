//! The one query planner: which PromQL the adapter leg of a trace sends, and why not when it
//! cannot. The live fetch runs the planned queries and the lineage reads the same plan to
//! show the config, the rendered text and what the evidence says was sent, so the two can
//! never render differently.
//!
//! A plan is a list of entries keyed by [`QueryPurpose`]: the memory and cpu container
//! queries of the adapter's `resourceRules`, the raw samples the cpu rule's range function
//! reads (`cpu-samples`), then the pod's raw memory series, and in a live trace with
//! `--compare` the compared tools' queries ([`plan_with_compare`]). A new kind of query is one
//! more entry.

use std::fmt;

mod node;

pub use node::{NodePlanInput, plan_node_queries};

use serde_json::Value;

use super::config::{self, ConfigError, ResourceRule, ResourceRules};
use super::rate::{RangeFunction, parse_duration_ms};
use super::selector::analyze_query;
use super::template::{QueryTarget, TemplateError, label_matcher, render_container_query};
use crate::evidence::{QueryPurpose, Source};
use crate::objects::adapter_config_text;

/// What the planner reads, all of it from the evidence (or what the fetch has so far).
#[derive(Debug, Clone, Copy)]
pub struct PlanInput<'a> {
    /// The adapter ConfigMap (`sources.adapter_config`): a JSON body, or why there is none.
    pub config: &'a Source,
    /// The backend Deployment's args (`objects::deployment_args`), for `--config`.
    pub deployment_args: &'a [String],
    /// The namespace and the pods the queries are for.
    pub target: QueryTarget<'a>,
    /// The PodMetrics (`sources.pod_metrics`): its `timestamp` is the evaluation time.
    pub pod_metrics: &'a Source,
}

/// The planned queries and what they were planned from.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryPlan {
    /// Where the adapter config came from, or why it could not be read.
    pub config: Result<ConfigOrigin, PlanError>,
    /// The parsed `resourceRules` (with `window`), when the config could be read.
    pub rules: Option<ResourceRules>,
    /// One entry per purpose, in the order they are run.
    pub queries: Vec<PlannedQuery>,
}

/// The ConfigMap and key the adapter config was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigOrigin {
    /// The ConfigMap's namespace (`?` when the object does not say).
    pub namespace: String,
    /// The ConfigMap's name (`?` when the object does not say).
    pub name: String,
    /// The `data` key holding the config file.
    pub key: String,
}

impl fmt::Display for ConfigOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            namespace,
            name,
            key,
        } = self;
        write!(f, "ConfigMap {namespace}/{name}, key {key}")
    }
}

/// One planned query.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedQuery {
    /// What it is for.
    pub purpose: QueryPurpose,
    /// The PromQL text to send, or why there is none (such an entry is not run).
    pub query: Result<String, PlanError>,
    /// The evaluation time (`time=`, whole Unix seconds): the PodMetrics `timestamp`.
    pub time: Option<i64>,
}

/// Why the config could not be read or a query could not be planned.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanError {
    /// The ConfigMap source has no body; the reason the evidence gives.
    Unavailable(String),
    /// The ConfigMap body is not JSON.
    NotJson(String),
    /// No `data` key holds the config (see `objects::adapter_config_text`).
    Key(String),
    /// The config under `key` does not parse.
    Config {
        /// The ConfigMap key.
        key: String,
        /// The parse error.
        error: ConfigError,
    },
    /// The config under `key` has no `resourceRules`.
    NoResourceRules {
        /// The ConfigMap key.
        key: String,
    },
    /// A query needs the config, which could not be read.
    NoConfig,
    /// The config has no rule for this purpose.
    NoRule(QueryPurpose),
    /// The cpu query holds no single `rate`/`irate`/`increase` over a range selector whose
    /// samples could be fetched: why.
    Range(String),
    /// The rule has no `nodeQuery` (the purpose is the node query it would have planned).
    NoNodeQuery(QueryPurpose),
    /// The rule's `containerQuery` (or `nodeQuery`, for a node purpose) does not render.
    Render {
        /// Which rule.
        purpose: QueryPurpose,
        /// Why.
        error: TemplateError,
    },
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unavailable(reason) | Self::Key(reason) | Self::Range(reason) => {
                f.write_str(reason)
            }
            Self::NotJson(e) => write!(f, "ConfigMap is not JSON: {e}"),
            Self::Config { key, error } => write!(f, "adapter config key {key}: {error}"),
            Self::NoResourceRules { key } => {
                write!(f, "adapter config key {key} has no resourceRules")
            }
            Self::NoConfig => f.write_str("adapter config not available"),
            Self::NoRule(purpose) => write!(f, "the config has no resourceRules.{purpose}"),
            Self::Render { purpose, error } => {
                let field = if purpose.is_node() {
                    "nodeQuery"
                } else {
                    "containerQuery"
                };
                write!(f, "cannot render the {purpose} {field}: {error}")
            }
            Self::NoNodeQuery(purpose) => {
                let rule = if *purpose == QueryPurpose::NodeCpu {
                    "cpu"
                } else {
                    "memory"
                };
                write!(f, "resourceRules.{rule} has no nodeQuery")
            }
        }
    }
}

impl std::error::Error for PlanError {}

impl QueryPlan {
    /// The entry for `purpose`, if one was planned.
    pub fn get(&self, purpose: &QueryPurpose) -> Option<&PlannedQuery> {
        self.queries.iter().find(|q| q.purpose == *purpose)
    }

    /// The resource rule an entry of `purpose` is rendered from.
    pub fn rule(&self, purpose: &QueryPurpose) -> Option<&ResourceRule> {
        rule_for(self.rules.as_ref()?, purpose)
    }

    /// The entries that have a query to send, in order: `(purpose, query, time)`.
    pub fn runnable(&self) -> impl Iterator<Item = (&QueryPurpose, &str, Option<i64>)> {
        self.queries
            .iter()
            .filter_map(|q| Some((&q.purpose, q.query.as_deref().ok()?, q.time)))
    }
}

/// Plans the adapter's queries for `input.target`: memory and cpu (each rendered from its
/// rule, or the reason it cannot be), then — when there is a memory rule — the raw
/// `container_memory_*` series of the pods, all at the PodMetrics timestamp.
pub fn plan_queries(input: &PlanInput) -> QueryPlan {
    let time = eval_time(input.pod_metrics);
    let (config, rules) = match read_config(input.config, input.deployment_args) {
        Ok((origin, rules)) => (Ok(origin), Some(rules)),
        Err(e) => (Err(e), None),
    };
    let entry = |purpose: QueryPurpose, query: Result<String, PlanError>| PlannedQuery {
        purpose,
        query,
        time,
    };
    let mut queries = Vec::new();
    for purpose in [QueryPurpose::Memory, QueryPurpose::Cpu] {
        let rule = rules.as_ref().map(|r| rule_for(r, &purpose));
        let query = match rule {
            None => Err(PlanError::NoConfig),
            Some(None) => Err(PlanError::NoRule(purpose.clone())),
            Some(Some(rule)) => container_query(rule, &purpose, &input.target),
        };
        if purpose == QueryPurpose::Cpu
            && let Ok(cpu) = &query
        {
            let samples = range_call(cpu).map(|c| c.query).map_err(PlanError::Range);
            queries.push(entry(purpose.clone(), query.clone()));
            queries.push(entry(QueryPurpose::CpuSamples, samples));
            continue;
        }
        queries.push(entry(purpose, query));
    }
    if let Some(memory) = rules.as_ref().and_then(|r| r.memory.as_ref()) {
        let query = raw_series_query(memory, &input.target);
        queries.push(entry(QueryPurpose::RawSeries, Ok(query)));
    }
    QueryPlan {
        config,
        rules,
        queries,
    }
}

/// A compared tool's query (issue 12), to run beside the adapter's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComparedQuery {
    /// The `Evidence.compare` entry it answers (`console@4.3`, `query:…`).
    pub entry: String,
    /// The PromQL to send, filled for the pod.
    pub query: String,
}

impl ComparedQuery {
    /// The purpose its answer is stored under: `compare:<entry>`.
    pub fn purpose(&self) -> QueryPurpose {
        QueryPurpose::Other(format!("compare:{}", self.entry))
    }
}

/// [`plan_queries`], then one entry per compared query (purpose `compare:<entry>`) at the
/// same evaluation time, so they are run beside the adapter's and answer for the same moment.
pub fn plan_with_compare(input: &PlanInput, compared: &[ComparedQuery]) -> QueryPlan {
    let mut plan = plan_queries(input);
    let time = eval_time(input.pod_metrics);
    plan.queries.extend(compared.iter().map(|c| PlannedQuery {
        purpose: c.purpose(),
        query: Ok(c.query.clone()),
        time,
    }));
    plan
}

/// The resource rule behind a purpose: the raw series are read under the memory rule's labels.
fn rule_for<'r>(rules: &'r ResourceRules, purpose: &QueryPurpose) -> Option<&'r ResourceRule> {
    match purpose {
        QueryPurpose::Memory
        | QueryPurpose::RawSeries
        | QueryPurpose::NodeMemory
        | QueryPurpose::NodeMeminfo => rules.memory.as_ref(),
        QueryPurpose::Cpu
        | QueryPurpose::CpuSamples
        | QueryPurpose::NodeCpu
        | QueryPurpose::NodeCpuSamples => rules.cpu.as_ref(),
        QueryPurpose::Other(_) => None,
    }
}

/// The adapter's query text for one rule: the one place it is rendered.
fn container_query(
    rule: &ResourceRule,
    purpose: &QueryPurpose,
    target: &QueryTarget,
) -> Result<String, PlanError> {
    render_container_query(rule, target)
        .map(|r| r.query)
        .map_err(|error| PlanError::Render {
            purpose: purpose.clone(),
            error,
        })
}

/// The range function a rendered cpu query applies, and the raw-sample query that returns
/// what it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeCall {
    /// `rate`, `irate` or `increase`.
    pub function: RangeFunction,
    /// The range as written, e.g. `5m`.
    pub range: String,
    /// The range in milliseconds.
    pub range_ms: i64,
    /// The selector with its range, e.g. `container_cpu_usage_seconds_total{...}[5m]`: as an
    /// instant query at the rule's evaluation time it returns every sample in the window.
    pub query: String,
}

/// Finds the one `rate`/`irate`/`increase` over a plain range selector in `query`.
pub fn range_call(query: &str) -> Result<RangeCall, String> {
    let shape = analyze_query(query).map_err(|e| format!("the cpu query does not parse: {e}"))?;
    let mut calls = shape.selectors.iter().filter(|s| s.range.is_some());
    let (Some(sel), None) = (calls.next(), calls.next()) else {
        return Err("the cpu query does not read exactly one range selector".into());
    };
    let name = sel.function.as_deref().unwrap_or("");
    let function = RangeFunction::parse(name).ok_or_else(|| {
        format!("the cpu query applies {name:?} to its range, not rate, irate or increase")
    })?;
    let range = sel.range.clone().unwrap_or_default();
    let range_ms = parse_duration_ms(&range)
        .filter(|ms| *ms > 0)
        .ok_or_else(|| format!("the cpu query's range [{range}] is not a plain duration"))?;
    Ok(RangeCall {
        function,
        range,
        range_ms,
        query: sel.to_string(),
    })
}

/// Every `container_memory_*` series of the pods as Prometheus stores them, under the memory
/// rule's namespace and pod labels (`namespace` and `pod` when the rule names none).
fn raw_series_query(memory: &ResourceRule, target: &QueryTarget) -> String {
    let ns_label = memory
        .label_for("namespace")
        .unwrap_or_else(|| "namespace".into());
    let pod_label = memory.label_for("pod").unwrap_or_else(|| "pod".into());
    format!(
        "{{__name__=~\"container_memory_.*\",{},{}}}",
        label_matcher(&ns_label, &[target.namespace]),
        label_matcher(&pod_label, target.pods)
    )
}

/// The config text under the one key rule, parsed down to its `resourceRules`.
fn read_config(
    source: &Source,
    args: &[String],
) -> Result<(ConfigOrigin, ResourceRules), PlanError> {
    let body = source
        .body()
        .ok_or_else(|| PlanError::Unavailable(source.missing_reason().unwrap_or_default()))?;
    let cm: Value = serde_json::from_str(body).map_err(|e| PlanError::NotJson(e.to_string()))?;
    let (key, text) = adapter_config_text(&cm, args).map_err(PlanError::Key)?;
    let parsed = config::parse_config(text).map_err(|error| PlanError::Config {
        key: key.clone(),
        error,
    })?;
    let Some(rules) = parsed.resource_rules else {
        return Err(PlanError::NoResourceRules { key });
    };
    let meta = |field: &str| {
        cm.pointer(&format!("/metadata/{field}"))
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string()
    };
    let origin = ConfigOrigin {
        namespace: meta("namespace"),
        name: meta("name"),
        key,
    };
    Ok((origin, rules))
}

/// The adapter evaluated its queries at the moment it answered, which PodMetrics reports as
/// `timestamp`; whole Unix seconds.
fn eval_time(pod_metrics: &Source) -> Option<i64> {
    let v: Value = serde_json::from_str(pod_metrics.body()?).ok()?;
    let ts: jiff::Timestamp = v.get("timestamp")?.as_str()?.parse().ok()?;
    Some(ts.as_second())
}

#[cfg(test)]
mod tests;
