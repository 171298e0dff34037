//! The sources table: where each layer came from, its status, and how to fetch it by hand.

use super::model::{AdapterView, SourceView};
use crate::evidence::{Evidence, Outcome, QueryPurpose, Source};

/// One row per source in the evidence, in lineage order.
pub fn source_views(ev: &Evidence, adapter: Option<&AdapterView>) -> Vec<SourceView> {
    let s = &ev.sources;
    let pod = &ev.target.name;
    let is_adapter = adapter.is_some();
    let mut rows = vec![
        view("Pod", &s.pod, false, &raw_cmd),
        view(
            "Metrics API discovery",
            &s.metrics_discovery,
            false,
            &raw_cmd,
        ),
        view("Metrics API PodMetrics", &s.pod_metrics, true, &raw_cmd),
        view(
            "APIService v1beta1.metrics.k8s.io",
            &s.apiservice,
            true,
            &raw_cmd,
        ),
        view("Backend Deployment", &s.backend_deployment, false, &raw_cmd),
    ];
    if is_adapter {
        rows.push(view(
            "Adapter config (ConfigMap)",
            &s.adapter_config,
            true,
            &raw_cmd,
        ));
        if s.prometheus.is_empty() {
            rows.push(SourceView {
                name: "Prometheus query (memory)".into(),
                request: None,
                status: "not collected".into(),
                ok: false,
                required: true,
                command: None,
            });
        }
    }
    for q in &s.prometheus {
        let required = is_adapter && q.purpose == QueryPurpose::Memory;
        rows.push(view(
            &format!("Prometheus query ({})", q.purpose),
            &q.source,
            required,
            &raw_cmd,
        ));
    }
    // The CPU extras are never required: a missing one leaves the memory trace whole.
    if let Some(b) = &s.prometheus_buildinfo {
        rows.push(view("Prometheus buildinfo", b, false, &raw_cmd));
    }
    let grep = |r: &str| format!("{} | grep -F 'pod=\"{pod}\"'", raw_cmd(r));
    rows.push(view(
        "kubelet /metrics/cadvisor",
        &s.kubelet_cadvisor,
        true,
        &grep,
    ));
    rows.push(view(
        "kubelet /metrics/resource",
        &s.kubelet_resource,
        !is_adapter,
        &grep,
    ));
    if let Some(second) = &s.kubelet_resource_second {
        rows.push(view(
            "kubelet /metrics/resource (second reading)",
            second,
            false,
            &grep,
        ));
    }
    rows
}

/// One source as reports show it: its status and the command to fetch it by hand.
pub(crate) fn view(
    name: &str,
    src: &Source,
    required: bool,
    cmd: &dyn Fn(&str) -> String,
) -> SourceView {
    let status = match &src.outcome {
        Outcome::Ok { http_status, .. } => format!("ok (HTTP {http_status})"),
        _ => src.missing_reason().unwrap_or_default(),
    };
    let ok = matches!(src.outcome, Outcome::Ok { .. });
    SourceView {
        name: name.to_string(),
        request: src.request.clone(),
        status,
        ok,
        required,
        command: src.request.as_deref().map(cmd),
    }
}

/// `kubectl get --raw 'PATH'` for API paths, `curl` for full URLs.
pub fn raw_cmd(request: &str) -> String {
    if request.starts_with('/') {
        format!("kubectl get --raw {}", shell_quote(request))
    } else {
        format!(
            "curl -sS -H \"Authorization: Bearer $TOKEN\" {}",
            shell_quote(request)
        )
    }
}

/// Single-quotes a string for POSIX shells when it needs quoting.
pub fn shell_quote(s: &str) -> String {
    let plain = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/-_.:=,@%+".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}
