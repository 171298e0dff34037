//! From node evidence (a live capture or a bundle) to what [`super::model::analyze`] reads:
//! each source's body parsed once, or why it is missing (its HTTP status and reason).

use serde_json::Value;

use super::KubectlRules;
use super::backend::BackendInputs;
use super::model::{NodeInputs, Unavailable};
use crate::evidence::{NodeEvidence, Outcome, PromQuery, Source};
use crate::lineage::SourceView;

/// The parsed bodies of a node trace's sources, owned so [`NodeInputs`] can borrow them.
#[derive(Debug, Clone)]
pub struct Parsed {
    node: Result<Value, Unavailable>,
    pods: Result<Value, Unavailable>,
    node_metrics: Result<Value, Unavailable>,
    pod_metrics: Result<Value, Unavailable>,
    apiservice: Result<Value, Unavailable>,
    kubelet_resource: Result<String, Unavailable>,
    kubelet_cadvisor: Result<String, Unavailable>,
    prometheus: Vec<PromQuery>,
    buildinfo: Option<Source>,
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
            apiservice: parse(&s.apiservice),
            kubelet_resource: text(&s.kubelet_resource),
            kubelet_cadvisor: text(&s.kubelet_cadvisor),
            prometheus: s.prometheus.clone(),
            buildinfo: s.prometheus_buildinfo.clone(),
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
            backend: BackendInputs {
                apiservice: Some(borrow(&self.apiservice)),
                kubelet_resource: Some(self.kubelet_resource.as_deref().map_err(Clone::clone)),
                kubelet_cadvisor: Some(self.kubelet_cadvisor.as_deref().map_err(Clone::clone)),
                prometheus: &self.prometheus,
                buildinfo: self.buildinfo.as_ref(),
            },
        }
    }
}

/// Every source of the node trace with its status and the command to fetch it by hand
/// (`kubectl get --raw 'PATH'`, or `curl` for a Prometheus reached directly).
pub fn source_views(ev: &NodeEvidence) -> Vec<SourceView> {
    ev.sources
        .named()
        .into_iter()
        .map(|(name, src)| crate::lineage::source_view(&name, src, false, &crate::lineage::raw_cmd))
        .collect()
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

/// A text body (a kubelet exposition), or why it is missing.
fn text(src: &Source) -> Result<String, Unavailable> {
    match src.body() {
        Some(b) => Ok(b.to_owned()),
        None => Err(unavailable(src)),
    }
}

fn unavailable(src: &Source) -> Unavailable {
    let status = match &src.outcome {
        Outcome::Failed { http_status, .. } => *http_status,
        _ => None,
    };
    Unavailable {
        status,
        reason: src.missing_reason().unwrap_or_default(),
    }
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
