//! The compared queries of the evidence (`ev.compare`, issue 12), each resolved, filled for
//! the pod, explained against `top` by [`crate::compare`], and set beside Prometheus's own
//! answer when the bundle holds one; plus their headline lines.

use super::adapter::parse_prom_response;
use super::model::{ComparedView, Layer, Lineage, PromSample, SummaryKind, SummaryLine, Tone};
use crate::compare::{self, Display, Explanation, TermKind};
use crate::evidence::{Evidence, QueryPurpose};
use crate::promql::answer::{parse_prom_float, prom_float};
use crate::quantity::human_bytes;

/// The prefix of a user's own query in `ev.compare`.
pub const QUERY_PREFIX: &str = "query:";

/// One view per entry of `ev.compare`, in order; `lin` is the rest of the pod's lineage.
pub fn views(ev: &Evidence, lin: &Lineage) -> Vec<ComparedView> {
    ev.compare
        .iter()
        .map(|asked| view(asked, ev, lin))
        .collect()
}

fn view(asked: &str, ev: &Evidence, lin: &Lineage) -> ComparedView {
    let (ns, pod) = (&ev.target.namespace, &ev.target.name);
    let tool = match asked.strip_prefix(QUERY_PREFIX) {
        Some(_) => None,
        None => compare::find(asked),
    };
    let query = match (asked.strip_prefix(QUERY_PREFIX), tool) {
        (Some(q), _) => q.to_string(),
        (None, Some(t)) => compare::fill(t, ns, pod),
        (None, None) => String::new(),
    };
    let result = match (asked.starts_with(QUERY_PREFIX), tool) {
        (false, None) => Err(format!(
            "no built-in query set `{asked}` (see docs/compare.md)"
        )),
        _ => compare::explain_with(&query, ev, lin).map_err(|e| e.0),
    };
    let display = tool.map_or(Display::Bytes, |t| t.display);
    let (explanation, unsupported) = match result {
        Ok(e) => (Some(e), None),
        Err(why) => (None, Some(why)),
    };
    let answer = answer(ev, asked, explanation.as_ref());
    ComparedView {
        asked: asked.to_string(),
        tool: tool.map(|t| t.tag.to_string()),
        view: tool.map(|t| t.view.to_string()),
        source: tool.map(|t| t.source.to_string()),
        shown: explanation.as_ref().map(|e| display.show(e.tool.bytes)),
        display: Some(display.describe().to_string()),
        ratio: explanation.as_ref().and_then(Explanation::ratio),
        query,
        explanation,
        unsupported,
        prometheus_value: answer.value,
        prometheus_agrees: answer.agrees,
        prometheus_note: answer.note,
    }
}

/// Prometheus's stored answer to a compared query.
struct Answer {
    value: Option<String>,
    agrees: Option<bool>,
    note: Option<String>,
}

fn answer(ev: &Evidence, asked: &str, ex: Option<&Explanation>) -> Answer {
    let purpose = QueryPurpose::Other(format!("compare:{asked}"));
    let none = |note: String| Answer {
        value: None,
        agrees: None,
        note: Some(note),
    };
    let Some(q) = ev.sources.prometheus.iter().find(|q| q.purpose == purpose) else {
        return none("not asked of Prometheus (no Prometheus answer in the evidence)".into());
    };
    let Some(body) = q.source.body() else {
        return none(q.source.missing_reason().unwrap_or_default());
    };
    let samples = match parse_prom_response(body) {
        Layer::Present { value } => value,
        Layer::Missing { reason } => return none(reason),
    };
    if let Some(bad) = samples.iter().find_map(|s| s.unreadable.as_ref()) {
        return none(format!("an answer sample cannot be read: {bad}"));
    }
    let value = match samples.as_slice() {
        [] => return none("Prometheus returned no series".into()),
        [one] => one.value.clone(),
        many => match sum(many) {
            Some(total) => prom_float(total),
            None => return none("an answer value is not a number".into()),
        },
    };
    let note = (samples.len() > 1).then(|| {
        let rows: Vec<&str> = samples.iter().map(|s| s.value.as_str()).collect();
        format!("Σ of {} series: {}", samples.len(), rows.join(" + "))
    });
    let agrees = ex.zip(parse_prom_float(&value)).map(|(e, v)| {
        // Bytes below 2^53 are exact in a float64; compare as the same number.
        v == e.tool.bytes as f64
    });
    Answer {
        value: Some(value),
        agrees,
        note,
    }
}

fn sum(samples: &[PromSample]) -> Option<f64> {
    samples.iter().map(|s| parse_prom_float(&s.value)).sum()
}

/// The name a headline gives a compared entry.
fn name(v: &ComparedView) -> String {
    match v.asked.strip_prefix(QUERY_PREFIX) {
        Some(_) => "your query".into(),
        None => v.asked.clone(),
    }
}

/// One headline line per compared entry: its number in the tool's unit, the ratio to `top`,
/// and what it counts that `top` does not (or leaves out).
pub fn headlines(l: &Lineage) -> Vec<SummaryLine> {
    l.compare.iter().map(headline).collect()
}

fn headline(v: &ComparedView) -> SummaryLine {
    let who = name(v);
    let Some(e) = &v.explanation else {
        let why = v.unsupported.as_deref().unwrap_or_default();
        return SummaryLine {
            kind: SummaryKind::Compare,
            text: format!("{who}: not explained: {why}"),
            tone: Tone::Warn,
        };
    };
    let shown = v.shown.clone().unwrap_or_default();
    let shown = match v.display.as_deref() == Some(Display::Bytes.describe()) {
        true => format!("{shown} ({})", human_bytes(e.tool.bytes)),
        false => shown,
    };
    let ratio = v.ratio.map_or(String::new(), |r| format!(" = {r:.3}× top"));
    let mut text = format!("{who} shows {shown}{ratio}: {}", why(e));
    let tone = match v.prometheus_agrees {
        Some(false) => {
            let answered = v.prometheus_value.as_deref().unwrap_or_default();
            text.push_str(&format!(
                " — but Prometheus answered {answered}, not {} B",
                e.tool.bytes
            ));
            Tone::Warn
        }
        Some(true) => {
            text.push_str(" (= Prometheus's answer)");
            Tone::Neutral
        }
        None => Tone::Neutral,
    };
    SummaryLine {
        kind: SummaryKind::Compare,
        text,
        tone,
    }
}

/// What the tool counts that `top` does not, and what it leaves out, in plain words.
fn why(e: &Explanation) -> String {
    let top_n = e.top.series.iter().filter(|s| s.counted).count();
    let top = format!("{} ({} B)", series_count(top_n), e.top.bytes);
    if e.terms.is_empty() {
        return format!("the same series as top, to the byte: {top}");
    }
    // Terms of one kind (a pause container under two series) are told together.
    let mut kinds: Vec<TermKind> = Vec::new();
    for t in e.terms.iter().filter(|t| !t.extra.is_empty()) {
        if !kinds.contains(&t.kind) {
            kinds.push(t.kind);
        }
    }
    let extra: Vec<String> = kinds
        .iter()
        .map(|k| what_extra(&e.terms.iter().filter(|t| t.kind == *k).collect::<Vec<_>>()))
        .collect();
    let missing: Vec<String> = e
        .terms
        .iter()
        .filter(|t| t.extra.is_empty())
        .flat_map(|t| t.missing.iter().map(move |s| (t.kind, s)))
        .map(|(kind, s)| {
            let how = match kind {
                TermKind::DroppedByMax => ", dropped by its max by",
                _ => "",
            };
            format!("{} `{}` ({} B{how})", s.role.as_str(), s.container, s.bytes)
        })
        .collect();
    let counts = extra.join(" + ");
    if !extra.is_empty() && missing.len() == top_n {
        return format!("it counts {counts}, instead of top's {top}");
    }
    let mut parts = Vec::new();
    if !extra.is_empty() {
        parts.push(format!("it also counts {counts}"));
    }
    if !missing.is_empty() {
        parts.push(format!("it leaves out {}", missing.join(", ")));
    }
    parts.push(format!("top sums {top}"));
    parts.join("; ")
}

fn series_count(n: usize) -> String {
    match n {
        1 => "1 series".into(),
        n => format!("{n} series"),
    }
}

/// Terms of one kind that the tool counts, in words: `the pause container, 2 series (778240 B)`.
fn what_extra(terms: &[&compare::Term]) -> String {
    let series: Vec<&compare::Listed> = terms.iter().flat_map(|t| &t.extra).collect();
    let bytes: i128 = series.iter().map(|s| s.bytes).sum();
    let n = match series.len() {
        1 => String::new(),
        n => format!(", {n} series"),
    };
    let c = series.first().map_or("", |s| s.container.as_str());
    let net: i128 = terms.iter().map(|t| t.bytes).sum();
    match terms.first().map(|t| t.kind) {
        Some(TermKind::PodCgroup) => {
            format!("the pod cgroup{n} ({bytes} B), which already holds every container")
        }
        Some(TermKind::Pause) => format!("the pause container{n} ({bytes} B)"),
        Some(TermKind::Sandbox) => format!("the sandbox{n} ({bytes} B)"),
        Some(TermKind::OtherCgroup) => format!("other cgroups under the pod{n} ({bytes} B)"),
        Some(TermKind::ExtraContainer) => format!("container `{c}`{n} ({bytes} B)"),
        Some(TermKind::OldInstance) => format!("an old instance of `{c}`{n} ({bytes} B)"),
        Some(TermKind::Metric) => format!("another metric for the same cgroups{n} ({net:+} B)"),
        _ => format!("{bytes} B"),
    }
}

#[cfg(test)]
mod tests;
