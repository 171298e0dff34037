//! The text report's details part (`--details`): the evidence verbatim, exactly as each
//! source sent it, and the commands to fetch it again by hand. Nothing here is elided or
//! wrapped; lines are as long as the evidence.

use super::Out;
use super::layers::podmetrics_ms;
use crate::lineage::{AdapterView, Layer, Lineage, PromSample, RuleView};
use crate::render::answer::{self, EvidenceKind};
use crate::render::rows::{cgroup_name, display_name, labels_text};
use crate::render::safe::Paint;
use crate::render::units::time_with_age;

/// Draws the details part.
pub fn details(l: &Lineage, out: &mut Out) {
    out.blank();
    out.line(Paint::Head.wrap("Details: the evidence verbatim, and how to reproduce it by hand"));
    deployment(l, out);
    if let Some(a) = &l.adapter {
        adapter(a, out);
    }
    series(l, out);
    cgroups(l, out);
    checks(l, out);
    finding_evidence(l, out);
    excerpts(l, out);
    reproduce(l, out);
}

fn deployment(l: &Lineage, out: &mut Out) {
    let Some(d) = &l.backend.deployment else {
        return;
    };
    out.head(&format!("Backend Deployment {}", d.name));
    out.line(format!("    image  {}", d.image.as_deref().unwrap_or("—")));
    for a in &d.args {
        out.line(format!("    arg    {a}"));
    }
}

fn adapter(a: &AdapterView, out: &mut Out) {
    for (purpose, layer) in a.rules() {
        if let Layer::Present { value } = layer {
            rule(purpose, value, out);
        }
    }
    if let Some(Layer::Present { value }) = &a.stored_series {
        out.head("Prometheus stores, for this pod (raw-series query, as sent)");
        for s in value {
            out.line(format!("    {}", sample(s)));
        }
    }
}

fn sample(s: &PromSample) -> String {
    format!("{} {} @{}", labels_text(&s.labels), s.value, s.timestamp)
}

fn rule(purpose: &str, r: &RuleView, out: &mut Out) {
    out.head(&format!(
        "Adapter {purpose} rule (containerLabel: {})",
        r.container_label
    ));
    out.line(format!(
        "    {purpose} template  {}",
        r.template.replace('\n', " ")
    ));
    out.line(format!(
        "    {purpose} rendered  {}",
        r.rendered.replace('\n', " ")
    ));
    if let Some(ran) = r.ran.as_deref().filter(|ran| *ran != r.rendered) {
        out.line(format!(
            "    {purpose} ran       {}",
            ran.replace('\n', " ")
        ));
    }
    match &r.result {
        Layer::Present { value } if value.is_empty() => {
            out.line(format!("    {purpose} result    (empty vector)"))
        }
        Layer::Present { value } => {
            for s in value {
                out.line(format!("    {purpose} result    {}", sample(s)));
            }
        }
        Layer::Missing { reason } => out.line(format!("    {purpose} result    {reason}")),
    }
}

fn series(l: &Lineage, out: &mut Out) {
    out.head("Source series (matched by the backend's selector, as the kubelet sent them)");
    for r in &l.reconciliation {
        for s in &r.series {
            out.line(format!("    {}  {s}", display_name(&r.container)));
        }
    }
}

fn cgroups(l: &Lineage, out: &mut Out) {
    let Some(c) = l.cadvisor.get() else {
        return;
    };
    out.head("kubelet /metrics/cadvisor cgroups");
    let api_ms = podmetrics_ms(l);
    for g in &c.cgroups {
        out.line(format!("    {}", cgroup_name(g)));
        out.line(format!("      id     {}", g.id));
        out.line(format!("      image  {}", g.image));
        let ts = g.sample("working_set").and_then(|m| m.timestamp_ms);
        if let Some(t) = ts {
            out.line(format!("      sampled {}", time_with_age(t, api_ms)));
        }
        for m in &g.memory {
            out.line(format!(
                "      {} {} ({} B)",
                m.metric, m.value_text, m.bytes
            ));
        }
        out.line(format!("      {}", g.ws_check));
    }
}

fn checks(l: &Lineage, out: &mut Out) {
    if l.breakdown.is_empty() {
        return;
    }
    out.head("What each working set is made of: the arithmetic, exact bytes");
    for b in &l.breakdown {
        let who = b.container.as_deref().map_or("Σ pod".into(), display_name);
        out.line(format!("    {who}: {}", b.check));
        if let Some(p) = &b.problem {
            out.line(format!("    {who}: {p}"));
        }
    }
}

fn finding_evidence(l: &Lineage, out: &mut Out) {
    let verbatim = |e: &&String| answer::evidence_kind(e) != EvidenceKind::Note;
    if !l
        .findings
        .iter()
        .any(|f| f.evidence.iter().any(|e| verbatim(&e)))
    {
        return;
    }
    out.head("Findings: their verbatim evidence");
    for f in &l.findings {
        for e in f.evidence.iter().filter(verbatim) {
            out.line(format!("    [{}] {e}", f.code));
        }
    }
}

fn excerpts(l: &Lineage, out: &mut Out) {
    for e in &l.excerpts {
        let from = e
            .request
            .as_deref()
            .map(|r| format!(" — {r}"))
            .unwrap_or_default();
        out.head(&format!("{}{from}", e.title));
        for line in e.text.lines() {
            out.line(format!("    {line}"));
        }
    }
}

fn reproduce(l: &Lineage, out: &mut Out) {
    out.head("Reproduce by hand");
    let (ns, name) = (&l.target.namespace, &l.target.name);
    out.line(format!("    $ kubectl top pod {name} -n {ns}"));
    out.line(format!("    $ kubectl top pod {name} -n {ns} --containers"));
    for s in &l.sources {
        let mark = if s.ok {
            "✓"
        } else if s.required {
            "✗"
        } else {
            "-"
        };
        out.line(format!("  {mark} {}: {}", s.name, s.status));
        if let Some(c) = &s.command {
            out.line(format!("      $ {c}"));
        }
    }
}
