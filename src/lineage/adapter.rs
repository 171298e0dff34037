//! prometheus-adapter: its resource rules, the query rendered for this pod, and the result.
//!
//! The rendered text comes from the same plan the live fetch ran (`promql::plan`); what was
//! actually sent and what came back come from the evidence.

use serde_json::Value;

use super::model::{AdapterView, BackendView, Layer, PromSample, RuleView};
use crate::evidence::{PromQuery, QueryPurpose, Sources};
use crate::objects::flag_value;
use crate::promql::plan::{PlanInput, QueryPlan, plan_queries};
use crate::promql::template::QueryTarget;

/// Builds the adapter layer: config → rules → rendered queries → results in the evidence.
pub fn adapter_view(
    sources: &Sources,
    backend: &BackendView,
    namespace: &str,
    pod: &str,
) -> AdapterView {
    let args = backend
        .deployment
        .as_ref()
        .map(|d| d.args.clone())
        .unwrap_or_default();
    let pods = [pod];
    let plan = plan_queries(&PlanInput {
        config: &sources.adapter_config,
        deployment_args: &args,
        target: QueryTarget {
            namespace,
            pods: &pods,
        },
        pod_metrics: &sources.pod_metrics,
    });
    let config_source = match &plan.config {
        Ok(origin) => Layer::Present {
            value: origin.to_string(),
        },
        Err(e) => Layer::Missing {
            reason: e.to_string(),
        },
    };
    let stored_series = sent(&sources.prometheus, &QueryPurpose::RawSeries).map(result);
    AdapterView {
        config_source,
        window: plan.rules.as_ref().and_then(|r| r.window.clone()),
        prometheus_url: flag_value(&args, "--prometheus-url"),
        memory: rule_view(&plan, QueryPurpose::Memory, &sources.prometheus),
        cpu: rule_view(&plan, QueryPurpose::Cpu, &sources.prometheus),
        stored_series,
    }
}

/// The query of `purpose` the evidence says was sent.
fn sent<'a>(queries: &'a [PromQuery], purpose: &QueryPurpose) -> Option<&'a PromQuery> {
    queries.iter().find(|q| q.purpose == *purpose)
}

/// What a sent query returned, or why there is no answer.
fn result(q: &PromQuery) -> Layer<Vec<PromSample>> {
    match q.source.body() {
        Some(body) => parse_prom_response(body),
        None => Layer::Missing {
            reason: q.source.missing_reason().unwrap_or_default(),
        },
    }
}

/// One rule: its template and the text the plan rendered, beside what was sent and returned.
fn rule_view(plan: &QueryPlan, purpose: QueryPurpose, queries: &[PromQuery]) -> Layer<RuleView> {
    let planned = plan.get(&purpose).map(|p| &p.query);
    let (Some(Ok(rendered)), Some(rule)) = (planned, plan.rule(&purpose)) else {
        let reason = match planned {
            Some(Err(e)) => e.to_string(),
            _ => format!("no {purpose} query is planned"),
        };
        return Layer::Missing { reason };
    };
    let ran = sent(queries, &purpose);
    let result = ran.map(result).unwrap_or_else(|| Layer::Missing {
        reason: format!("the {purpose} query was not run (no Prometheus evidence)"),
    });
    Layer::Present {
        value: RuleView {
            template: rule.container_query.clone(),
            container_label: rule.container_label.clone(),
            rendered: rendered.clone(),
            ran: ran.map(|q| q.query.clone()),
            result,
        },
    }
}

/// Parses a Prometheus `/api/v1/query` JSON response into samples.
pub fn parse_prom_response(body: &str) -> Layer<Vec<PromSample>> {
    let v: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => {
            return Layer::Missing {
                reason: format!("Prometheus response is not JSON: {e}"),
            };
        }
    };
    if v.get("status").and_then(Value::as_str) != Some("success") {
        let err = v
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or("no status=success");
        return Layer::Missing {
            reason: format!("Prometheus error: {err}"),
        };
    }
    if v.pointer("/data/resultType").and_then(Value::as_str) != Some("vector") {
        return Layer::Missing {
            reason: "Prometheus result is not a vector".into(),
        };
    }
    let Some(result) = v.pointer("/data/result").and_then(Value::as_array) else {
        return Layer::Missing {
            reason: "Prometheus response has no data.result".into(),
        };
    };
    Layer::Present {
        value: result.iter().filter_map(prom_sample).collect(),
    }
}

/// One result entry; a `metric` that is no object drops it, any other shape is kept as an
/// unreadable sample quoting what was sent.
fn prom_sample(s: &Value) -> Option<PromSample> {
    let labels = s
        .get("metric")?
        .as_object()?
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    let pair = s.get("value").and_then(Value::as_array);
    let (ts, value) = match pair.map(Vec::as_slice) {
        Some([ts, value]) => (ts, value),
        _ => {
            let sent = s.get("value").map_or("nothing".into(), Value::to_string);
            return Some(PromSample {
                labels,
                value: sent.clone(),
                timestamp: String::new(),
                unreadable: Some(format!("no [time, \"value\"] pair: {sent}")),
            });
        }
    };
    let timestamp = match ts {
        Value::Number(n) => n.to_string(),
        Value::String(t) => t.clone(),
        other => other.to_string(),
    };
    let unreadable = match (ts, value) {
        (Value::Number(_) | Value::String(_), Value::String(_)) => None,
        (Value::Number(_) | Value::String(_), v) => Some(format!(
            "the value {v} is not a string, as Prometheus sends it"
        )),
        (t, _) => Some(format!("the time {t} is not a number")),
    };
    Some(PromSample {
        labels,
        value: value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_string),
        timestamp,
        unreadable,
    })
}
