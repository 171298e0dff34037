//! Findings about the Pod and the Metrics API's availability: why metrics are missing,
//! OOM kills, and how close usage is to the limit.

use super::model::{Finding, Layer, Lineage, Severity};
use super::time::rfc3339_ms;
use crate::evidence::{Evidence, Outcome};

/// All pod-related findings.
pub fn findings(ev: &Evidence, l: &Lineage) -> Vec<Finding> {
    let mut out = Vec::new();
    apiservice(l, &mut out);
    if !not_served(ev, &mut out) {
        no_metrics(ev, l, &mut out);
    }
    oom(l, &mut out);
    headroom(l, &mut out);
    out
}

fn apiservice(l: &Lineage, out: &mut Vec<Finding>) {
    if let Some(a) = l.backend.available.as_deref().filter(|a| *a != "True") {
        out.push(Finding::new(
            "apiservice-unavailable",
            Severity::Warn,
            format!(
                "The APIService v1beta1.metrics.k8s.io is not Available: {a}. `kubectl top` then fails with `Error from server (ServiceUnavailable)`."
            ),
            l.backend.service.iter().map(|s| format!("backend Service {s}")).collect(),
        ));
    }
}

/// The API server does not serve `metrics.k8s.io` at all: kubectl's own message.
fn not_served(ev: &Evidence, out: &mut Vec<Finding>) -> bool {
    let d = &ev.sources.metrics_discovery;
    let served = match (&d.outcome, d.body()) {
        (
            Outcome::Failed {
                http_status: Some(404),
                ..
            },
            _,
        ) => false,
        (_, Some(body)) => crate::objects::served_versions(body).is_none_or(|v| !v.is_empty()),
        _ => true,
    };
    if !served {
        out.push(Finding::new(
            "metrics-api-not-available",
            Severity::Missing,
            "The API server serves no metrics.k8s.io group, so `kubectl top` prints `error: Metrics API not available`: no APIService for the Metrics API is registered (install metrics-server, or check the prometheus-adapter APIService).".into(),
            d.request.iter().map(|r| format!("GET {r}: {}", d.missing_reason().unwrap_or_else(|| "no versions".into()))).collect(),
        ));
    }
    !served
}

/// A 404 from the Metrics API: say what the Pod shows about why.
fn no_metrics(ev: &Evidence, l: &Lineage, out: &mut Vec<Finding>) {
    let Outcome::Failed {
        http_status: Some(404),
        error,
        ..
    } = &ev.sources.pod_metrics.outcome
    else {
        return;
    };
    let mut why = Vec::new();
    if let Layer::Present { value: pod } = &l.pod {
        if pod.phase != "Running" {
            why.push(format!(
                "the pod is {} and both backends serve only Running pods",
                pod.phase
            ));
        }
        if let (Some(start), Some(now)) = (
            pod.start_time.as_deref().and_then(rfc3339_ms),
            rfc3339_ms(&ev.captured_at),
        ) {
            let age_s = (now - start) / 1000;
            why.push(format!(
                "the pod started {age_s} s before the evidence was captured (kubectl says `metrics not available yet` for pods younger than 120 s; metrics-server needs two scrapes after a container (re)start)"
            ));
        }
        for c in pod
            .containers
            .iter()
            .filter(|c| c.restarts.unwrap_or(0) > 0)
        {
            why.push(format!("container {} restarted {} times; metrics-server drops the whole pod until every container has two scrapes", c.name, c.restarts.unwrap_or(0)));
        }
    }
    why.extend(by_hand(l));
    out.push(Finding::new(
        "no-pod-metrics",
        Severity::Missing,
        format!("The Metrics API has no metrics for this pod ({error}), so `kubectl top pod` prints NotFound."),
        why,
    ));
}

/// The command that fetches the PodMetrics by hand (this finding replaces the
/// `missing-source` one for it).
fn by_hand(l: &Lineage) -> Option<String> {
    l.sources
        .iter()
        .find(|s| s.name == super::missing::POD_METRICS)
        .and_then(|s| s.command.as_ref())
        .map(|c| format!("by hand: {c}"))
}

fn oom(l: &Lineage, out: &mut Vec<Finding>) {
    let Layer::Present { value: pod } = &l.pod else {
        return;
    };
    for c in &pod.containers {
        let Some(t) = c
            .last_termination
            .as_deref()
            .filter(|t| t.starts_with("OOMKilled"))
        else {
            continue;
        };
        out.push(Finding::new(
            "oom-killed",
            Severity::Warn,
            format!(
                "Container {:?} was {t} (restarts: {}). `top` shows a working-set snapshot per scrape; the kernel kills on the cgroup's usage reaching the limit, between scrapes.",
                c.name,
                c.restarts.unwrap_or(0)
            ),
            c.memory_limit.iter().map(|m| format!("limits.memory {m}")).collect(),
        ));
    }
}

/// Usage and working set against the memory limit, per container with a limit.
fn headroom(l: &Lineage, out: &mut Vec<Finding>) {
    let (Layer::Present { value: pod }, Some(cad)) = (&l.pod, l.cadvisor.get()) else {
        return;
    };
    for c in pod.containers.iter() {
        let Some(limit) = c.memory_limit_bytes.filter(|l| *l > 0) else {
            continue;
        };
        let Some(row) = cad.cgroups.iter().find(|g| g.container == c.name) else {
            continue;
        };
        let (Some(usage), Some(ws)) = (row.bytes("usage"), row.bytes("working_set")) else {
            continue;
        };
        let pct = |v: i128| v as f64 * 100.0 / limit as f64;
        out.push(Finding::new(
            "limit-headroom",
            Severity::Info,
            format!(
                "Container {:?}: limit {} = {limit} B. usage {usage} B ({:.1} %) is what the limit is enforced on (page cache is reclaimed first); working set {ws} B ({:.1} %) is what `top` shows and what eviction uses.",
                c.name,
                c.memory_limit.as_deref().unwrap_or("?"),
                pct(usage),
                pct(ws)
            ),
            vec![],
        ));
    }
}
