//! prometheus-adapter: its resource rules, the query rendered for this pod, and the result.

use serde_json::Value;

use super::model::{AdapterView, BackendView, Layer, PromSample, RuleView};
use crate::evidence::{PromQuery, Sources};
use crate::objects::{adapter_config_text, flag_value};
use crate::promql::config::{self, ResourceRule, ResourceRules};
use crate::promql::template::{QueryTarget, render_container_query};

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
    let prometheus_url = flag_value(&args, "--prometheus-url");
    let rules = load_rules(sources, &args);
    let (config_source, rules) = match rules {
        Ok((src, rules)) => (Layer::Present { value: src }, Some(rules)),
        Err(reason) => (Layer::Missing { reason }, None),
    };
    let window = rules.as_ref().and_then(|r| r.window.clone());
    let target = Target {
        namespace,
        pod,
        queries: &sources.prometheus,
    };
    let rule_layer = |pick: fn(&ResourceRules) -> Option<&ResourceRule>, purpose: &str| match &rules
    {
        None => Layer::Missing {
            reason: "adapter config not available".into(),
        },
        Some(r) => match pick(r) {
            None => Layer::Missing {
                reason: format!("the config has no resourceRules.{purpose}"),
            },
            Some(rule) => rule_view(rule, purpose, &target),
        },
    };
    let memory = rule_layer(|r| r.memory.as_ref(), "memory");
    let cpu = rule_layer(|r| r.cpu.as_ref(), "cpu");
    let stored_series = sources
        .prometheus
        .iter()
        .find(|q| q.purpose == "raw-series")
        .map(|q| match q.source.body() {
            Some(body) => parse_prom_response(body),
            None => Layer::Missing {
                reason: q.source.missing_reason().unwrap_or_default(),
            },
        });
    AdapterView {
        config_source,
        window,
        prometheus_url,
        memory,
        cpu,
        stored_series,
    }
}

struct Target<'a> {
    namespace: &'a str,
    pod: &'a str,
    queries: &'a [PromQuery],
}

/// Finds the config text: the ConfigMap key named like the `--config` file, else `config.yaml`,
/// else the only key.
fn load_rules(sources: &Sources, args: &[String]) -> Result<(String, ResourceRules), String> {
    let body = sources
        .adapter_config
        .body()
        .ok_or_else(|| sources.adapter_config.missing_reason().unwrap_or_default())?;
    let cm: Value =
        serde_json::from_str(body).map_err(|e| format!("ConfigMap is not JSON: {e}"))?;
    let (key, text) = adapter_config_text(&cm, args)?;
    let parsed =
        config::parse_config(text).map_err(|e| format!("adapter config key {key}: {e}"))?;
    let rules = parsed
        .resource_rules
        .ok_or_else(|| format!("adapter config key {key} has no resourceRules"))?;
    let ns = cm
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("?");
    let name = cm
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("?");
    Ok((format!("ConfigMap {ns}/{name}, key {key}"), rules))
}

fn rule_view(rule: &ResourceRule, purpose: &str, t: &Target) -> Layer<RuleView> {
    let pods = [t.pod];
    let target = QueryTarget {
        namespace: t.namespace,
        pods: &pods,
    };
    let rendered = match render_container_query(rule, &target) {
        Ok(r) => r.query,
        Err(e) => {
            return Layer::Missing {
                reason: format!("cannot render the {purpose} containerQuery: {e}"),
            };
        }
    };
    let ran = t.queries.iter().find(|q| q.purpose == purpose);
    let result = match ran {
        None => Layer::Missing {
            reason: format!("the {purpose} query was not run (no Prometheus evidence)"),
        },
        Some(q) => match q.source.body() {
            Some(body) => parse_prom_response(body),
            None => Layer::Missing {
                reason: q.source.missing_reason().unwrap_or_default(),
            },
        },
    };
    Layer::Present {
        value: RuleView {
            template: rule.container_query.clone(),
            container_label: rule.container_label.clone(),
            rendered,
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

fn prom_sample(s: &Value) -> Option<PromSample> {
    let labels = s
        .get("metric")?
        .as_object()?
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    let pair = s.get("value")?.as_array()?;
    let timestamp = match pair.first()? {
        Value::Number(n) => n.to_string(),
        Value::String(t) => t.clone(),
        _ => return None,
    };
    let value = pair.get(1)?.as_str()?.to_string();
    Some(PromSample {
        labels,
        value,
        timestamp,
    })
}
