//! From node evidence (a live capture or a bundle) to what [`super::model::analyze`] reads:
//! each source's body parsed once, or why it is missing (its HTTP status and reason).

use serde_json::Value;

use super::KubectlRules;
use super::model::{NodeInputs, Unavailable};
use crate::evidence::{NodeEvidence, Outcome, Source};

/// The parsed bodies of a node trace's sources, owned so [`NodeInputs`] can borrow them.
#[derive(Debug, Clone)]
pub struct Parsed {
    node: Result<Value, Unavailable>,
    pods: Result<Value, Unavailable>,
    node_metrics: Result<Value, Unavailable>,
    pod_metrics: Result<Value, Unavailable>,
}

impl Parsed {
    /// Parses the Node, pod list, NodeMetrics and PodMetrics list of `ev`.
    pub fn from_evidence(ev: &NodeEvidence) -> Parsed {
        let s = &ev.sources;
        Parsed {
            node: parse(&s.node),
            pods: parse(&s.pods),
            node_metrics: parse(&s.node_metrics),
            pod_metrics: parse(&s.pod_metrics),
        }
    }

    /// The inputs for node `name`, predicting kubectl `rules`, with "now" for the Age column.
    pub fn inputs<'a>(
        &'a self,
        name: &'a str,
        rules: KubectlRules,
        now_ns: Option<i128>,
    ) -> NodeInputs<'a> {
        let borrow = |r: &'a Result<Value, Unavailable>| r.as_ref().map_err(Clone::clone);
        NodeInputs {
            node_name: name,
            node: borrow(&self.node),
            pods: borrow(&self.pods),
            node_metrics: borrow(&self.node_metrics),
            pod_metrics: Some(borrow(&self.pod_metrics)),
            rules,
            now_ns,
        }
    }
}

/// The kubectl rules for the cluster's version (`v1.32.4` → 1.32; kubectl is kept within one
/// minor release of its server); 1.33 when the version is unknown.
pub fn rules_for(server_version: Option<&str>) -> KubectlRules {
    server_version
        .and_then(KubectlRules::from_git_version)
        .unwrap_or(KubectlRules::V1_33)
}

/// "Now" for the Age column: the capture time, so a replay shows the same ages.
pub fn now_ns(ev: &NodeEvidence) -> Option<i128> {
    let ts: jiff::Timestamp = ev.captured_at.parse().ok()?;
    Some(ts.as_nanosecond())
}

fn parse(src: &Source) -> Result<Value, Unavailable> {
    match &src.outcome {
        Outcome::Ok { body, .. } => serde_json::from_str(body).map_err(|e| Unavailable {
            status: None,
            reason: format!("the body is not JSON: {e}"),
        }),
        Outcome::Failed { http_status, .. } => Err(Unavailable {
            status: *http_status,
            reason: src.missing_reason().unwrap_or_default(),
        }),
        Outcome::NotCollected { .. } => Err(Unavailable {
            status: None,
            reason: src.missing_reason().unwrap_or_default(),
        }),
    }
}

#[cfg(test)]
mod tests;
