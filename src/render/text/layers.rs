//! The layers in the text report's main part: what each one says, in human units, long
//! values elided to the width. Their verbatim evidence is in the details part.

use super::Out;
use crate::lineage::{AdapterView, Layer, Lineage, RuleView};
use crate::render::fit;
use crate::render::rows::{CGROUP_COLUMNS_SHORT, cgroup_grid, display_name, pod_line};
use crate::render::safe::Paint;
use crate::render::units::{parse_rfc3339, prom_seconds_ms, time_with_age};

/// Pod, Metrics API, backend, adapter rules, the matched series and the cAdvisor cgroups.
pub fn layers(l: &Lineage, out: &mut Out) {
    out.head("Layers");
    let cluster: Vec<String> = l
        .cluster
        .server
        .iter()
        .map(|s| fit::elide(s, 60))
        .chain(l.cluster.version.iter().map(|v| format!("server {v}")))
        .collect();
    if !cluster.is_empty() {
        out.wrap(
            &format!("{} ", Paint::Head.wrap("Cluster")),
            &cluster.join(" · "),
        );
    }
    match &l.pod {
        Layer::Present { value } => {
            out.wrap(&format!("{} ", Paint::Head.wrap("Pod")), &pod_line(value))
        }
        Layer::Missing { reason } => out.wrap_paint(
            &format!("{} ", Paint::Head.wrap("Pod")),
            reason,
            Some(Paint::Bad),
        ),
    }
    let api = format!("← {} ", Paint::Head.wrap("Metrics API"));
    match &l.metrics_api {
        Layer::Present { value: m } => {
            let text = format!(
                "{} · timestamp {} · window {}",
                m.api_version,
                m.timestamp.as_deref().unwrap_or("—"),
                m.window.as_deref().unwrap_or("—")
            );
            out.wrap(&api, &text);
        }
        Layer::Missing { reason } => out.wrap_paint(&api, reason, Some(Paint::Bad)),
    }
    backend(l, out);
    if let Some(a) = &l.adapter {
        adapter(a, podmetrics_ms(l), out);
    }
    selected_series(l, out);
    cadvisor(l, out);
}

/// The PodMetrics timestamp, Unix ms: what sample ages are told against.
pub fn podmetrics_ms(l: &Lineage) -> Option<i64> {
    l.metrics_api
        .get()
        .and_then(|m| m.timestamp.as_deref())
        .and_then(parse_rfc3339)
}

fn backend(l: &Lineage, out: &mut Out) {
    let b = &l.backend;
    let avail = b
        .available
        .as_deref()
        .map(|a| format!(" (Available: {a})"))
        .unwrap_or_default();
    let text = format!(
        "{} · APIService v1beta1.metrics.k8s.io → {}{avail}",
        b.kind.as_str(),
        b.service_text()
    );
    out.wrap(&format!("← {} ", Paint::Head.wrap("Backend")), &text);
    if let Some(d) = &b.deployment {
        let image = d.image.as_deref().unwrap_or("—");
        out.elided("    ", &format!("Deployment {} · {image}", d.name), None);
        out.elided("    ", &format!("args: {}", d.args.join(" ")), None);
    }
}

fn adapter(a: &AdapterView, api_ms: Option<i64>, out: &mut Out) {
    let first = format!("← {} ", Paint::Head.wrap("Adapter rule"));
    match &a.config_source {
        Layer::Present { value } => {
            let window = a.window.as_deref().unwrap_or("—");
            out.wrap(&first, &format!("{value} · window {window}"));
        }
        Layer::Missing { reason } => out.wrap_paint(&first, reason, Some(Paint::Bad)),
    }
    if let Some(url) = &a.prometheus_url {
        out.elided("    ", &format!("Prometheus: {url}"), None);
    }
    for (purpose, layer) in a.rules() {
        match layer {
            Layer::Present { value } => rule(purpose, value, api_ms, out),
            Layer::Missing { reason } => {
                out.wrap_paint(&format!("    {purpose}: "), reason, Some(Paint::Bad))
            }
        }
    }
    match &a.stored_series {
        Some(Layer::Present { value }) => out.wrap(
            "    ",
            &format!(
                "Prometheus stores {} container_memory_* series for this pod (raw-series query; verbatim in the details part)",
                value.len()
            ),
        ),
        Some(Layer::Missing { reason }) => {
            out.wrap_paint("    stored series: ", reason, Some(Paint::Bad))
        }
        None => {}
    }
}

fn rule(purpose: &str, r: &RuleView, api_ms: Option<i64>, out: &mut Out) {
    let lead = format!("    {purpose:<6}  ");
    out.elided(&lead, &r.rendered.replace('\n', " "), Some(Paint::Good));
    let hang = " ".repeat(lead.len());
    match &r.result {
        Layer::Present { value } if value.is_empty() => {
            out.line(format!("{hang}{}", Paint::Warn.wrap("→ empty vector")))
        }
        Layer::Present { value } => {
            let when = value
                .first()
                .and_then(|s| prom_seconds_ms(&s.timestamp))
                .map(|ms| format!(" at {}", time_with_age(ms, api_ms)))
                .unwrap_or_default();
            let n = value.len();
            let what = if n == 1 { "sample" } else { "samples" };
            out.wrap(&hang, &format!("→ {n} {what}{when}"));
        }
        Layer::Missing { reason } => out.wrap_paint(&format!("{hang}→ "), reason, Some(Paint::Bad)),
    }
}

fn selected_series(l: &Lineage, out: &mut Out) {
    let n: usize = l.reconciliation.iter().map(|r| r.series.len()).sum();
    let text = format!("{n} matched by the backend's selector (verbatim in the details part)");
    out.wrap(&format!("← {} ", Paint::Head.wrap("Source series")), &text);
    for r in l.reconciliation.iter().filter(|r| r.series.is_empty()) {
        out.line(format!(
            "    {}  {}",
            display_name(&r.container),
            Paint::Warn.wrap("no matching series")
        ));
    }
}

fn cadvisor(l: &Lineage, out: &mut Out) {
    let first = format!("← {} ", Paint::Head.wrap("kubelet /metrics/cadvisor"));
    let c = match &l.cadvisor {
        Layer::Present { value } => value,
        Layer::Missing { reason } => return out.wrap_paint(&first, reason, Some(Paint::Bad)),
    };
    out.wrap(
        &first,
        &format!("all cgroups of the pod ({} labels)", c.label_scheme),
    );
    let api_ts = l.metrics_api.get().and_then(|m| m.timestamp.as_deref());
    let grid = cgroup_grid(&c.cgroups, CGROUP_COLUMNS_SHORT, api_ts);
    out.lines.extend(fit::table(&grid, 1, "    ", out.width));
    if let Some(ts) = api_ts.filter(|_| !c.cgroups.is_empty()) {
        out.wrap_paint(
            "    ",
            &format!("SAMPLED: when the kubelet took the working-set sample, against the PodMetrics timestamp {ts} (-: before it)"),
            Some(Paint::Dim),
        );
    }
    for i in &c.parse_issues {
        out.wrap_paint("    ", &format!("unparsable: {i}"), Some(Paint::Warn));
    }
}

/// The sources: every missing one on its own line with why, the ones read in one list.
pub fn sources(l: &Lineage, out: &mut Out) {
    out.head("Sources");
    let mut read: Vec<String> = l
        .sources
        .iter()
        .filter(|s| s.ok)
        .map(|s| s.name.clone())
        .collect();
    if let Some(first) = read.first_mut() {
        *first = format!("read: {first}");
        let lead = format!("  {} ", Paint::Good.wrap("✓"));
        out.lines.extend(fit::wrap_list(&lead, &read, out.width));
    }
    for s in l.sources.iter().filter(|s| !s.ok) {
        let mark = if s.required {
            Paint::Bad.wrap("✗")
        } else {
            Paint::Dim.wrap("-")
        };
        out.wrap(&format!("  {mark} "), &format!("{}: {}", s.name, s.status));
        // The way to fetch a missing layer by hand is the next step: shown whole, here.
        if let Some(c) = s.command.as_deref().filter(|_| s.required) {
            out.line(format!("      $ {c}"));
        }
    }
}
