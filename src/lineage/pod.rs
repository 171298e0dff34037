//! Reading the Pod object: what a support engineer checks next to `top` (limits, restarts, OOM).

use serde_json::Value;

use super::model::{Layer, PodContainer, PodView};
use crate::evidence::{PodRef, Source, quote_head};
use crate::quantity;

/// The Pod layer; missing when the answer names another pod than `target`.
pub fn pod_view(src: &Source, target: &PodRef) -> Layer<PodView> {
    let Some(body) = src.body() else {
        return Layer::Missing {
            reason: src.missing_reason().unwrap_or_default(),
        };
    };
    let v: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => {
            return Layer::Missing {
                reason: format!(
                    "{} (not JSON: {e}); it begins {}",
                    super::unreadable::UNREADABLE_POD,
                    quote_head(body)
                ),
            };
        }
    };
    if let Err(reason) = super::identity::check(&v, target) {
        return Layer::Missing { reason };
    }
    let text = |ptr: &str| v.pointer(ptr).and_then(Value::as_str).map(str::to_string);
    let statuses = v
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array);
    let containers = v
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .map(|cs| cs.iter().map(|c| container(c, statuses)).collect())
        .unwrap_or_default();
    Layer::Present {
        value: PodView {
            phase: text("/status/phase").unwrap_or_else(|| "Unknown".into()),
            node: text("/spec/nodeName"),
            uid: text("/metadata/uid"),
            start_time: text("/status/startTime"),
            qos_class: text("/status/qosClass"),
            containers,
        },
    }
}

fn container(c: &Value, statuses: Option<&Vec<Value>>) -> PodContainer {
    let name = c
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let res = |kind: &str, what: &str| {
        c.pointer(&format!("/resources/{kind}/{what}"))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let memory_limit = res("limits", "memory");
    let (cpu_request, cpu_limit) = (res("requests", "cpu"), res("limits", "cpu"));
    let millis = |q: &Option<String>| {
        q.as_deref()
            .and_then(|l| quantity::parse(l).ok())
            .map(|q| q.milli_value_ceil())
    };
    let status = statuses.and_then(|s| {
        s.iter()
            .find(|st| st.get("name").and_then(Value::as_str) == Some(&name))
    });
    let last = status.and_then(|s| s.pointer("/lastState/terminated"));
    let last_termination = last.map(|t| {
        let reason = t
            .get("reason")
            .and_then(Value::as_str)
            .unwrap_or("terminated");
        match t.get("finishedAt").and_then(Value::as_str) {
            Some(at) => format!("{reason} at {at}"),
            None => reason.to_string(),
        }
    });
    PodContainer {
        memory_limit_bytes: memory_limit
            .as_deref()
            .and_then(|l| quantity::parse(l).ok())
            .map(|q| q.value_ceil()),
        memory_request: res("requests", "memory"),
        memory_limit,
        cpu_request_millicores: millis(&cpu_request),
        cpu_limit_millicores: millis(&cpu_limit),
        cpu_request,
        cpu_limit,
        restarts: status
            .and_then(|s| s.get("restartCount"))
            .and_then(Value::as_u64),
        last_termination,
        name,
    }
}
