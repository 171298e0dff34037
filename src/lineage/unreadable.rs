//! The `unreadable-answer` finding: a source answered, but what it said could not be read,
//! so it proves nothing (it is never taken as "not scheduled", "local" or "no sample").

use super::backend::UNREADABLE_SERVICE;
use super::model::{Finding, Lineage, Severity};

/// Marks a Pod layer made missing by an unreadable answer (see `pod::pod_view`).
pub const UNREADABLE_POD: &str = "the Pod answer is unreadable";

/// One finding per unreadable answer: the Pod, the APIService's service, query samples.
pub fn findings(l: &Lineage, out: &mut Vec<Finding>) {
    let mut said: Vec<String> = Vec::new();
    if let Some(r) = l.pod.reason().filter(|r| r.starts_with(UNREADABLE_POD)) {
        said.push(format!("Pod: {r}"));
    }
    if let Some(r) = l
        .backend
        .apiservice_missing
        .as_deref()
        .filter(|r| r.starts_with(UNREADABLE_SERVICE))
    {
        said.push(format!("APIService: {r}"));
    }
    for r in &l.reconciliation {
        if let Some(why) = r.verdict.strip_prefix("unreadable: ") {
            said.push(format!(
                "Prometheus query, container {:?}: {why}",
                r.container
            ));
        }
    }
    if said.is_empty() {
        return;
    }
    out.push(Finding::new(
        "unreadable-answer",
        Severity::Missing,
        format!(
            "{} answer{} could not be read, so {} nothing; what was sent is quoted below.",
            said.len(),
            if said.len() == 1 { "" } else { "s" },
            if said.len() == 1 {
                "it proves"
            } else {
                "they prove"
            }
        ),
        said,
    ));
}
