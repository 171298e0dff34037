//! Findings about missing layers: which source is missing, what that leaves unproven, and
//! how to fetch it by hand. One finding per cause: a PodMetrics that a pod finding already
//! explains (`no-pod-metrics`, `metrics-api-not-available`) is not restated here, and the
//! `top` strings are said to be unknown only when the PodMetrics was read but cannot be
//! summed.

use super::model::{BackendKind, Finding, Layer, Lineage, Severity};

/// The Metrics API source, as named in the sources table.
pub const POD_METRICS: &str = "Metrics API PodMetrics";

/// Findings for the missing required sources and an uncomputable `top`.
pub fn findings(l: &Lineage, pod_metrics_explained: bool, out: &mut Vec<Finding>) {
    let openshift = !super::openshift::signs(l).is_empty();
    for s in l
        .sources
        .iter()
        .filter(|s| s.required && !s.ok)
        .filter(|s| !(pod_metrics_explained && s.name == POD_METRICS))
    {
        out.push(Finding::new(
            "missing-source",
            Severity::Missing,
            format!(
                "{} is missing: {}. {}",
                s.name,
                s.status,
                unproven(&s.name, l.backend.kind, openshift)
            ),
            s.command.iter().map(|c| format!("by hand: {c}")).collect(),
        ));
    }
    let source_ok = l.sources.iter().any(|s| s.name == POD_METRICS && s.ok);
    match (&l.top, l.metrics_api.reason()) {
        (Layer::Missing { reason }, None) => out.push(Finding::new(
            "no-top",
            Severity::Missing,
            format!("The `top` strings cannot be computed: {reason}."),
            vec![],
        )),
        (Layer::Missing { .. }, Some(why)) if source_ok => out.push(Finding::new(
            "no-top",
            Severity::Missing,
            format!(
                "The PodMetrics could not be read ({why}), so the `top` strings cannot be computed."
            ),
            vec![],
        )),
        _ => {}
    }
}

fn unproven(name: &str, kind: BackendKind, openshift: bool) -> &'static str {
    match (name, kind) {
        (n, _) if n.starts_with("Metrics API") => {
            "Without it the number `top` prints is not known."
        }
        (n, _) if n.starts_with("kubelet /metrics/cadvisor") => {
            "Which cgroup series fed the number is unproven."
        }
        (n, BackendKind::MetricsServer) if n.starts_with("kubelet /metrics/resource") => {
            "The sample metrics-server read is unproven."
        }
        (n, _) if n.starts_with("Prometheus") && openshift => {
            "What the adapter's query returns is unproven. On OpenShift the API server's service proxy cannot pass your token to prometheus-k8s; use --prometheus-url with the thanos-querier route and --prometheus-token-file <(oc whoami -t)."
        }
        (n, _) if n.starts_with("Prometheus") => {
            "What the adapter's query returns is unproven. If the service proxy cannot reach Prometheus, point --prometheus-url (and --prometheus-token-file) at it directly."
        }
        (n, _) if n.starts_with("Adapter config") => "The adapter's query cannot be rendered.",
        _ => "Which backend produced the number is unproven.",
    }
}
