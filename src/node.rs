//! The node lineage: why `kubectl top node` and `kubectl describe node` show different
//! numbers. Pure and total: Kubernetes JSON in, predictions and a side-by-side model out;
//! bad input becomes a reason, never a panic. No I/O, no clock (`now` is a parameter).
//!
//! * [`resources`]: kubectl's `PodRequestsAndLimits` (sidecars, init containers, overhead,
//!   in-place resize) for one pod.
//! * [`describe`]: the "Non-terminated Pods" rows and the "Allocated resources" rows of
//!   `kubectl describe node`, with the arithmetic behind each total.
//! * [`top`]: the `kubectl top node` row (allocatable or `--show-capacity`).
//! * [`model`]: both side by side per resource, a per-pod usage table and the findings.
//! * [`backend`]: the source value behind NodeMetrics (kubelet root cgroup or the adapter's
//!   node queries), compared with NodeMetrics.
//! * [`summary`]: the answer-first headline and the verdict.
//! * [`gomath`]: Go's float-to-int64 conversion and `duration.HumanDuration`.
//!
//! Facts: kubernetes/kubectl pkg/describe/describe.go (describeNodeResource,
//! getPodsTotalRequestsAndLimits), pkg/util/resource/resource.go (podRequests, podLimits),
//! pkg/metricsutil/metrics_printer.go (printAllResourceUsages) @kubernetes-1.32.0/1.33.0.

use serde::Serialize;
use serde_json::Value;

use crate::quantity::{self, Quantity};

pub mod backend;
pub mod describe;
pub mod findings;
pub mod gomath;
pub mod inputs;
pub mod model;
pub mod resources;
pub mod summary;
pub mod top;

/// Which kubectl release's rules to apply where 1.32 and 1.33 differ (in-place resize:
/// which status fields count, ties in the max, sidecar statuses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum KubectlRules {
    /// kubectl 1.32.x.
    #[serde(rename = "1.32")]
    V1_32,
    /// kubectl 1.33.x (also 1.34 and 1.35 for these sections).
    #[default]
    #[serde(rename = "1.33")]
    V1_33,
}

impl KubectlRules {
    /// From a kubectl `gitVersion` such as `v1.32.4`; releases before 1.33 use the 1.32
    /// rules, later ones the 1.33 rules; `None` if it is not `v1.N…`.
    pub fn from_git_version(v: &str) -> Option<KubectlRules> {
        let rest = v.strip_prefix('v').unwrap_or(v).strip_prefix("1.")?;
        let minor: u32 = rest
            .split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()?;
        Some(if minor < 33 { Self::V1_32 } else { Self::V1_33 })
    }
}

/// `namespace/name` of an object (empty parts when absent).
pub(crate) fn key(obj: &Value) -> String {
    format!("{}/{}", str_at(obj, &["metadata", "namespace"]), name(obj))
}

/// `metadata.name`, or the empty string.
pub(crate) fn name(obj: &Value) -> &str {
    str_at(obj, &["metadata", "name"])
}

/// The string at `path`, or the empty string.
pub(crate) fn str_at<'a>(obj: &'a Value, path: &[&str]) -> &'a str {
    path.iter()
        .try_fold(obj, |v, k| v.get(k))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// A quantity written as a JSON string (or a bare number, as YAML may give it).
pub(crate) fn parse_value(v: &Value, what: &str) -> Result<Quantity, String> {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => return Err(format!("{what}: not a quantity: {other}")),
    };
    quantity::parse(&text).map_err(|e| format!("{what}: {e}"))
}

/// The items of a list object (`{"items": [...]}`) or of a bare array.
pub(crate) fn items<'a>(list: &'a Value, what: &str) -> Result<&'a [Value], String> {
    match list.get("items").unwrap_or(list) {
        Value::Array(a) => Ok(a),
        Value::Null if list.get("items").is_some() => Ok(&[]),
        _ => Err(format!("{what} is not a list (no items array)")),
    }
}

#[cfg(test)]
mod tests;
