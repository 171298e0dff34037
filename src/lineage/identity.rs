//! Whether an object the server answered with is about the target pod at all: a Pod or
//! PodMetrics whose `metadata` names another pod (or namespace) is not the target's.

use serde_json::Value;

use super::model::{Finding, Lineage, Severity};
use crate::evidence::PodRef;

/// `Err(reason)` when the object's `metadata.name` or `metadata.namespace` is present and
/// names another pod than `target`; absent metadata is not held against the object.
pub fn check(v: &Value, target: &PodRef) -> Result<(), String> {
    let field = |key: &str| {
        v.pointer(&format!("/metadata/{key}"))
            .and_then(Value::as_str)
    };
    let name = field("name").unwrap_or(&target.name);
    let namespace = field("namespace").unwrap_or(&target.namespace);
    if name == target.name && namespace == target.namespace {
        return Ok(());
    }
    Err(format!(
        "{ABOUT}{namespace}/{name}, not the target {target}"
    ))
}

/// [`check`] on a JSON body; a body that is not JSON is left to its reader.
pub fn check_body(body: &str, target: &PodRef) -> Result<(), String> {
    match serde_json::from_str::<Value>(body) {
        Ok(v) => check(&v, target),
        Err(_) => Ok(()),
    }
}

/// One `wrong-object` finding per layer (Pod, PodMetrics) that [`check`] turned away.
pub fn findings(l: &Lineage, out: &mut Vec<Finding>) {
    let layers = [
        ("Pod", l.pod.reason()),
        ("PodMetrics", l.metrics_api.reason()),
    ];
    for (what, reason) in layers {
        if let Some(why) = reason.filter(|r| r.starts_with(ABOUT)) {
            out.push(Finding::new(
                "wrong-object",
                Severity::Missing,
                format!("The {what} answer is not the target's: {why}. It is not used."),
                vec![],
            ));
        }
    }
}

const ABOUT: &str = "the answer is about ";

#[cfg(test)]
mod tests;
