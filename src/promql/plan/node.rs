//! Planning the adapter's node queries, as prometheus-adapter runs them for
//! `kubectl top node NAME`: each rule's `nodeQuery` rendered for one node under that rule's
//! own node label (cpu-node.md §B: `node` for cpu, `instance` for memory in the OpenShift and
//! kube-prometheus configs), `.GroupBy` the node label only, no namespace matcher.
//!
//! Entries, in run order: `node-memory`, `node-cpu`, `node-cpu-samples` (the raw samples the
//! cpu node query's range function reads), and `node-meminfo` (node-exporter's MemTotal and
//! MemAvailable of the node) when the memory node query reads them. All are evaluated at the
//! NodeMetrics `timestamp`, which the adapter reports as its evaluation time.

use super::{PlanError, PlannedQuery, QueryPlan, eval_time, read_config, rule_for};
use crate::evidence::{QueryPurpose, Source};
use crate::promql::config::ResourceRules;
use crate::promql::rate::{RangeFunction, parse_duration_ms};
use crate::promql::selector::analyze_query;
use crate::promql::template::{QueryTarget, build, label_matcher, resource_label};

/// The node-exporter series the memory node queries of OpenShift and kube-prometheus read.
const MEMINFO: [&str; 2] = [
    "node_memory_MemTotal_bytes",
    "node_memory_MemAvailable_bytes",
];

/// What the node planner reads, all of it from the node evidence.
#[derive(Debug, Clone, Copy)]
pub struct NodePlanInput<'a> {
    /// The adapter ConfigMap (`sources.adapter_config`).
    pub config: &'a Source,
    /// The backend Deployment's args (`objects::deployment_args`), for `--config`.
    pub deployment_args: &'a [String],
    /// The node the queries are for.
    pub node: &'a str,
    /// The NodeMetrics (`sources.node_metrics`): its `timestamp` is the evaluation time.
    pub node_metrics: &'a Source,
}

/// Plans the adapter's node queries for `input.node`; see the module docs.
pub fn plan_node_queries(input: &NodePlanInput) -> QueryPlan {
    let time = eval_time(input.node_metrics);
    let (config, rules) = match read_config(input.config, input.deployment_args) {
        Ok((origin, rules)) => (Ok(origin), Some(rules)),
        Err(e) => (Err(e), None),
    };
    let entry = |purpose: QueryPurpose, query: Result<String, PlanError>| PlannedQuery {
        purpose,
        query,
        time,
    };
    let memory = node_query(rules.as_ref(), QueryPurpose::NodeMemory, input.node);
    let cpu = node_query(rules.as_ref(), QueryPurpose::NodeCpu, input.node);
    let mut queries = vec![entry(QueryPurpose::NodeMemory, memory)];
    if let Ok(q) = &cpu {
        let samples = first_range_selector(q).map_err(PlanError::Range);
        queries.push(entry(QueryPurpose::NodeCpu, cpu.clone()));
        queries.push(entry(QueryPurpose::NodeCpuSamples, samples));
    } else {
        queries.push(entry(QueryPurpose::NodeCpu, cpu));
    }
    if let Some(q) = rules.as_ref().and_then(|r| meminfo_query(r, input.node)) {
        queries.push(entry(QueryPurpose::NodeMeminfo, Ok(q)));
    }
    QueryPlan {
        config,
        rules,
        queries,
    }
}

/// The rule's `nodeQuery` rendered for one node, as the adapter's `Build()` does for nodes.
fn node_query(
    rules: Option<&ResourceRules>,
    purpose: QueryPurpose,
    node: &str,
) -> Result<String, PlanError> {
    let rules = rules.ok_or(PlanError::NoConfig)?;
    let rule = rule_for(rules, &purpose).ok_or_else(|| PlanError::NoRule(purpose.clone()))?;
    let template = rule
        .node_query
        .as_deref()
        .ok_or_else(|| PlanError::NoNodeQuery(purpose.clone()))?;
    let names = [node];
    let target = QueryTarget {
        namespace: "",
        pods: &names,
    };
    build(rule, template, "nodes", &[], &target)
        .map(|r| r.query)
        .map_err(|error| PlanError::Render { purpose, error })
}

/// The first range selector under `rate`/`irate`/`increase` in a rendered cpu node query,
/// with its range (`node_cpu_seconds_total{mode="idle"}[5m]`). OpenShift's node query reads
/// two (Linux node-exporter, then an `or` branch for windows-exporter); the first is the
/// one a Linux node answers from. In the OpenShift and kube-prometheus queries it selects
/// every node's idle series: the node's own are the node-exporter pod's, joined through
/// `node_namespace_pod:kube_pod_info:`.
fn first_range_selector(query: &str) -> Result<String, String> {
    let shape =
        analyze_query(query).map_err(|e| format!("the cpu node query does not parse: {e}"))?;
    let sel = shape
        .selectors
        .iter()
        .find(|s| s.range.is_some())
        .ok_or("the cpu node query reads no range selector")?;
    let name = sel.function.as_deref().unwrap_or("");
    RangeFunction::parse(name).ok_or_else(|| {
        format!("the cpu node query applies {name:?} to its range, not rate, irate or increase")
    })?;
    let range = sel.range.clone().unwrap_or_default();
    parse_duration_ms(&range)
        .filter(|ms| *ms > 0)
        .ok_or_else(|| format!("the cpu node query's range [{range}] is not a plain duration"))?;
    Ok(sel.to_string())
}

/// node-exporter's MemTotal and MemAvailable of the node under the memory rule's node
/// label, when the memory node query reads either; `None` otherwise (e.g. the upstream
/// kubelet `node_memory_working_set_bytes` rule).
fn meminfo_query(rules: &ResourceRules, node: &str) -> Option<String> {
    let rule = rules.memory.as_ref()?;
    let template = rule.node_query.as_deref()?;
    if !MEMINFO.iter().any(|m| template.contains(m)) {
        return None;
    }
    let label = resource_label(rule, "nodes").ok()?;
    Some(format!(
        "{{__name__=~\"{}\",{}}}",
        MEMINFO.join("|"),
        label_matcher(&label, &[node])
    ))
}

#[cfg(test)]
mod tests;
