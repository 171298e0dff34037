//! The `limit-reached` finding: a source that ktrace cut or refused at one of its size
//! limits (its `filter` note or `error` carries [`LIMIT_REACHED`]) is incomplete evidence.

use super::model::{Finding, Severity};
use crate::escape::{Keep, escape};
use crate::evidence::{Evidence, LIMIT_REACHED, Outcome, Source};

/// One finding per source that hit a limit, quoting what the fetch layer noted.
pub fn findings(ev: &Evidence, out: &mut Vec<Finding>) {
    for (name, src) in named_sources(ev) {
        let Some(note) = limit_note(src) else {
            continue;
        };
        let kept = match &src.outcome {
            Outcome::Ok { .. } => "only part of it was kept",
            _ => "it was not kept",
        };
        let quoted = note.find(LIMIT_REACHED).map_or(note, |at| &note[at..]);
        out.push(Finding::new(
            "limit-reached",
            Severity::Missing,
            format!(
                "{name} was cut at a ktrace size limit: {kept}, so what it holds is incomplete."
            ),
            vec![escape(quoted, Keep::Nothing)],
        ));
    }
}

/// The names (as in the report's sources) of the sources that hit a limit.
pub fn cut_sources(ev: &Evidence) -> Vec<String> {
    named_sources(ev)
        .into_iter()
        .filter(|(_, src)| limit_note(src).is_some())
        .map(|(name, _)| name)
        .collect()
}

/// The note or error of `src` when it names a reached limit.
fn limit_note(src: &Source) -> Option<&str> {
    let text = match &src.outcome {
        Outcome::Ok { filter, .. } => filter.as_deref()?,
        Outcome::Failed { error, .. } => error.as_str(),
        Outcome::NotCollected { reason } => reason.as_str(),
    };
    text.contains(LIMIT_REACHED).then_some(text)
}

fn named_sources(ev: &Evidence) -> Vec<(String, &Source)> {
    let s = &ev.sources;
    let mut v: Vec<(String, &Source)> = vec![
        ("Pod".into(), &s.pod),
        ("Metrics API discovery".into(), &s.metrics_discovery),
        ("Metrics API PodMetrics".into(), &s.pod_metrics),
        ("APIService v1beta1.metrics.k8s.io".into(), &s.apiservice),
        ("Backend Deployment".into(), &s.backend_deployment),
        ("Adapter config (ConfigMap)".into(), &s.adapter_config),
    ];
    v.extend(
        s.prometheus
            .iter()
            .map(|q| (format!("Prometheus query ({})", q.purpose), &q.source)),
    );
    v.push(("kubelet /metrics/cadvisor".into(), &s.kubelet_cadvisor));
    v.push(("kubelet /metrics/resource".into(), &s.kubelet_resource));
    v
}
