//! Plain-words conclusions, each tied to the values it rests on.

use super::model::{
    BackendKind, CgroupRole, Finding, Lineage, MetricsApiView, Reconciliation, Severity,
    TopPrediction,
};

/// All findings for a lineage (ordered and merged later, see [`super::tidy`]).
/// `pod_metrics_explained`: a pod finding already says why the PodMetrics is missing.
pub fn findings(
    l: &Lineage,
    selection_notes: &[String],
    pod_metrics_explained: bool,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if let (Some(top), Some(api)) = (l.top.get(), l.metrics_api.get()) {
        rounding(top, &mut out);
        pause_counted(api, top, l, &mut out);
        blank_container(api, &mut out);
    }
    pod_cgroup(l, &mut out);
    duplicates(l, &mut out);
    drift(l, &mut out);
    query_differs(l, &mut out);
    ws_checks(l, &mut out);
    legacy_labels(l, &mut out);
    exported_labels(l, &mut out);
    for n in selection_notes {
        out.push(Finding::new(
            "assumption",
            Severity::Info,
            n.clone(),
            vec![],
        ));
    }
    super::missing::findings(l, pod_metrics_explained, &mut out);
    out
}

fn rounding(top: &TopPrediction, out: &mut Vec<Finding>) {
    let p = &top.pod_row;
    out.push(Finding::new(
        "rounding",
        Severity::Info,
        format!(
            "`kubectl top pod` prints {} because it sums the containers first and then truncates to whole MiB (never rounds to nearest): {}",
            p.memory, p.memory_arithmetic
        ),
        vec![format!("Σ containers: {}", top.memory_sum)],
    ));
    let floors: i128 = top
        .containers
        .iter()
        .map(|c| c.memory_bytes.div_euclid(1 << 20))
        .sum();
    let pod_mi = p.memory_bytes.div_euclid(1 << 20);
    if floors != pod_mi {
        out.push(Finding::new(
            "rows-do-not-add-up",
            Severity::Info,
            format!(
                "The `--containers` rows add up to {floors}Mi but the pod row is {pod_mi}Mi: each container row is truncated on its own"
            ),
            top.containers.iter().map(|c| format!("{}: {}", c.name, c.memory_arithmetic)).collect(),
        ));
    }
}

fn pause_counted(api: &MetricsApiView, top: &TopPrediction, l: &Lineage, out: &mut Vec<Finding>) {
    let Some(pause) = api.containers.iter().find(|c| c.name == "POD") else {
        pause_not_counted(l, out);
        return;
    };
    let bytes = pause.memory_bytes.unwrap_or(0);
    // Exactly as kubectl would: sum the other quantities, then round up once.
    let others: i128 = api
        .containers
        .iter()
        .filter(|c| c.name != "POD")
        .filter_map(|c| c.memory_nanos)
        .fold(0, i128::saturating_add);
    let without = super::reconcile::ceil_div(others, 1_000_000_000);
    out.push(Finding::new(
        "pause-counted",
        Severity::Info,
        format!(
            "The pause container `POD` ({} = {bytes} B) is in the Metrics API, so it is counted in the pod row. Without it the pod row would be floor({without} / 1048576) = {}Mi{}.",
            pause.memory.as_deref().unwrap_or("0"),
            without.div_euclid(1 << 20),
            if format!("{}Mi", without.div_euclid(1 << 20)) == top.pod_row.memory {
                " — the same string, because it is under a MiB boundary".to_string()
            } else {
                format!(" instead of {}", top.pod_row.memory)
            }
        ),
        vec![
            "prometheus-adapter rules with `container!=\"\"` only (OpenShift 4.8–4.16, kube-prometheus ≥ 0.8) keep the CRI-O/docker infra container; metrics-server never reports it".into(),
        ],
    ));
}

/// One finding for every pause/sandbox cgroup cAdvisor has but the Metrics API does not
/// (a node inside a container exports the same one under two paths).
fn pause_not_counted(l: &Lineage, out: &mut Vec<Finding>) {
    let Some(cad) = l.cadvisor.get() else { return };
    let pauses: Vec<_> = cad
        .cgroups
        .iter()
        .filter(|c| matches!(c.role, CgroupRole::Pause | CgroupRole::Sandbox))
        .collect();
    let Some(first) = pauses.first() else { return };
    let mut sets: Vec<String> = pauses
        .iter()
        .map(|c| {
            c.bytes("working_set")
                .map_or("?".into(), |v| format!("{v} B"))
        })
        .collect();
    sets.dedup();
    let series = if pauses.len() > 1 {
        format!(", in {} series", pauses.len())
    } else {
        String::new()
    };
    out.push(Finding::new(
        "pause-not-counted",
        Severity::Info,
        format!(
            "The {} cgroup exists in cAdvisor (working set {}{series}) but is not in the Metrics API, so `top` does not count it.",
            first.role.as_str(),
            sets.join(", ")
        ),
        pauses
            .iter()
            .flat_map(|c| [format!("id={}", c.id), format!("image={}", c.image)])
            .fold(Vec::new(), |mut v, e| {
                if !v.contains(&e) {
                    v.push(e);
                }
                v
            }),
    ));
}

fn blank_container(api: &MetricsApiView, out: &mut Vec<Finding>) {
    if let Some(c) = api.containers.iter().find(|c| c.name.is_empty()) {
        out.push(Finding::new(
            "blank-container",
            Severity::DoubleCount,
            format!(
                "The Metrics API has a container with an empty name ({}). That is usually the pod-level cgroup leaking through a query without `container!=\"\"`, and it doubles the pod row.",
                c.memory.as_deref().unwrap_or("?")
            ),
            vec![],
        ));
    }
}

/// The pod-level cgroup, which `top` never uses, when its working set differs from the sum.
fn pod_cgroup(l: &Lineage, out: &mut Vec<Finding>) {
    let (Some(cad), Some(top)) = (l.cadvisor.get(), l.top.get()) else {
        return;
    };
    let readers = if super::openshift::signs(l).is_empty() {
        "dashboards that query `container=\"\"` do"
    } else {
        "the OpenShift console and dashboards that query `container=\"\"` do"
    };
    for c in cad
        .cgroups
        .iter()
        .filter(|c| c.role == CgroupRole::PodCgroup)
    {
        let Some(ws) = c.sample("working_set") else {
            continue;
        };
        let diff = ws.bytes.saturating_sub(top.pod_row.memory_bytes);
        if diff == 0 {
            continue;
        }
        out.push(Finding::new(
            "pod-cgroup-not-used",
            Severity::Info,
            format!(
                "The pod-level cgroup's working set is {} B ({:+} B against the {} B that `top` sums). `top` never uses it; {readers}, so they show a different number.",
                ws.bytes, diff, top.pod_row.memory_bytes
            ),
            vec![format!("{}{{id={:?}}} {}", ws.metric, c.id, ws.value_text)],
        ));
    }
}

fn duplicates(l: &Lineage, out: &mut Vec<Finding>) {
    for r in l.reconciliation.iter().filter(|r| r.series.len() > 1) {
        let effect = match l.backend.kind {
            BackendKind::MetricsServer => format!(
                "metrics-server does not add them up: it keeps the first point of a duplicated container ({} B here), and it reads /metrics/resource, not these series.",
                r.series_sum_bytes.unwrap_or(0)
            ),
            _ => format!(
                "the backend's sum adds them all ({} B).",
                r.series_sum_bytes.unwrap_or(0)
            ),
        };
        // Counted twice in the number `top` prints when the backend summed them all and the
        // Metrics API value is that sum; otherwise (metrics-server keeps the first, or the
        // backend's answer predates the extra series) it is a warning.
        let summed = l.backend.kind != BackendKind::MetricsServer
            && r.metrics_api_bytes.is_some()
            && r.metrics_api_bytes == r.series_sum_bytes;
        let severity = if summed {
            Severity::DoubleCount
        } else {
            Severity::Warn
        };
        out.push(Finding::new(
            "duplicate-series",
            severity,
            format!(
                "{} series match container {:?}; {effect} {}",
                r.series.len(),
                r.container,
                duplicate_cause(l, &r.container, l.backend.kind)
            ),
            r.series.clone(),
        ));
    }
}

/// Same container id under several cgroup paths, or several container ids (old instances).
fn duplicate_cause(l: &Lineage, container: &str, kind: BackendKind) -> &'static str {
    let ids: Vec<&str> = l
        .cadvisor
        .get()
        .map(|c| {
            c.cgroups
                .iter()
                .filter(|g| g.container == container)
                .map(|g| g.id.rsplit('/').next().unwrap_or(""))
                .collect()
        })
        .unwrap_or_default();
    let same = ids.windows(2).all(|w| w[0] == w[1]);
    match (ids.len() > 1, same) {
        (true, true) => {
            "They are the same container's cgroup under different paths (a node running inside a container, e.g. kind or minikube's docker driver, exports both)."
        }
        (true, false) if kind == BackendKind::MetricsServer => {
            "They are different container ids: a restarted or recreated container's old series is still exported."
        }
        (true, false) => {
            "They are different container ids: a restarted or recreated container's old series is still exported, and the sum counts old and new."
        }
        _ => "A query that sums them double-counts the container.",
    }
}

fn drift(l: &Lineage, out: &mut Vec<Finding>) {
    for r in l.reconciliation.iter().filter(|r| r.differs || r.drift) {
        out.push(Finding::new(
            "values-differ",
            Severity::Warn,
            format!("Container {:?}: {}.", r.container, r.verdict),
            vec![sample_times(l, r)],
        ));
    }
}

fn sample_times(l: &Lineage, r: &Reconciliation) -> String {
    let ts = l
        .metrics_api
        .get()
        .and_then(|m| m.timestamp.clone())
        .unwrap_or_else(|| "?".into());
    let sampled: Vec<i64> = l
        .cadvisor
        .get()
        .map(|c| {
            c.cgroups
                .iter()
                .filter(|g| g.container == r.container)
                .flat_map(|g| g.sample("working_set"))
                .filter_map(|m| m.timestamp_ms)
                .collect()
        })
        .unwrap_or_default();
    let times: Vec<String> = sampled.iter().map(|t| format!("{t} ms")).collect();
    let times = if times.is_empty() {
        "(no timestamp)".to_string()
    } else {
        times.join(", ")
    };
    format!(
        "Metrics API timestamp {ts}; cAdvisor samples at {times}{}",
        super::time::delta_text(&ts, &sampled)
    )
}

fn query_differs(l: &Lineage, out: &mut Vec<Finding>) {
    let Some(a) = &l.adapter else { return };
    for (purpose, layer) in a.rules() {
        if let Some(rule) = layer.get()
            && let Some(ran) = rule.ran.as_ref().filter(|ran| **ran != rule.rendered)
        {
            out.push(Finding::new(
                "query-differs",
                Severity::Warn,
                format!("The {purpose} query in the evidence is not the one the adapter's rule renders for this pod."),
                vec![format!("rendered: {}", rule.rendered), format!("ran: {ran}")],
            ));
        }
    }
}

fn ws_checks(l: &Lineage, out: &mut Vec<Finding>) {
    let Some(cad) = l.cadvisor.get() else { return };
    let checked: Vec<_> = cad
        .cgroups
        .iter()
        .filter(|c| c.ws_check_ok.is_some())
        .collect();
    let failed: Vec<String> = checked
        .iter()
        .filter(|c| c.ws_check_ok == Some(false))
        .map(|c| format!("{} {:?}: {}", c.role.as_str(), c.container, c.ws_check))
        .collect();
    if !failed.is_empty() {
        out.push(Finding::new("working-set-check", Severity::Warn, "working_set ≠ usage − inactive_file for some cgroups (samples taken at different moments, or memory moved between reads).".into(), failed));
    } else if !checked.is_empty() {
        out.push(Finding::new(
            "working-set-check",
            Severity::Info,
            format!("working_set = max(usage − inactive_file, 0) holds exactly for all {} cgroups that export inactive_file.", checked.len()),
            checked.iter().map(|c| format!("{} {:?}: {}", c.role.as_str(), c.container, c.ws_check)).collect(),
        ));
    } else if !cad.cgroups.is_empty() {
        out.push(Finding::new("working-set-check", Severity::Info, "This cAdvisor does not export inactive_file (cAdvisor < v0.52), so working_set = usage − inactive_file cannot be checked; the implied inactive_file is shown per cgroup.".into(), vec![]));
    }
}

fn exported_labels(l: &Lineage, out: &mut Vec<Finding>) {
    let Some(stored) = l
        .adapter
        .as_ref()
        .and_then(|a| a.stored_series.as_ref())
        .and_then(|s| s.get())
    else {
        return;
    };
    let clashing: Vec<String> = stored
        .iter()
        .flat_map(|s| s.labels.iter())
        .filter(|(k, _)| k.starts_with("exported_"))
        .map(|(k, v)| format!("{k}={v:?}"))
        .collect();
    if !clashing.is_empty() {
        out.push(Finding::new(
            "exported-labels",
            Severity::Warn,
            "Prometheus stores this pod's series with `exported_*` labels: the scrape job has honor_labels off and the target's own namespace/pod labels won, so the adapter's `namespace=`/`pod=` matchers miss them.".into(),
            clashing,
        ));
    }
}

fn legacy_labels(l: &Lineage, out: &mut Vec<Finding>) {
    let Some(cad) = l.cadvisor.get() else { return };
    if cad.label_scheme.contains("legacy") {
        out.push(Finding::new("legacy-labels", Severity::Info, format!("The kubelet series use {} labels (Kubernetes ≤ 1.15); an adapter rule must match that scheme or its query returns nothing.", cad.label_scheme), vec![]));
    }
}
