//! Other tools' numbers in the text report ("Compared with other tools"): per compared
//! query its number as the tool shows it, the ratio to `top`, every term of the difference
//! and the identity tool − top = Σ extra − Σ missing in exact bytes.

use super::Out;
use crate::compare::Term;
use crate::lineage::{ComparedView, Lineage};
use crate::render::safe::Paint;

/// The section; nothing when no tool was compared.
pub fn compare(l: &Lineage, out: &mut Out) {
    if l.compare.is_empty() {
        return;
    }
    out.head("Compared with other tools (memory: tool − top = Σ extra − Σ missing, exact bytes)");
    for v in &l.compare {
        view(v, out);
    }
}

fn view(v: &ComparedView, out: &mut Out) {
    let resolved = match &v.tool {
        Some(t) if *t != v.asked => format!(" → {t}"),
        _ => String::new(),
    };
    let name = match v.asked.strip_prefix("query:") {
        Some(_) => "your query".to_string(),
        None => format!("{}{resolved}", v.asked),
    };
    let Some(e) = &v.explanation else {
        let why = v.unsupported.as_deref().unwrap_or_default();
        out.wrap_paint(
            "  ",
            &format!("{name}: not explained: {why}"),
            Some(Paint::Warn),
        );
        if !v.query.is_empty() {
            out.wrap("    query: ", &v.query);
        }
        return;
    };
    let view = v
        .view
        .as_deref()
        .map(|w| format!(" ({w})"))
        .unwrap_or_default();
    let ratio = v
        .ratio_text()
        .map(|r| format!(", {r} top ({} B)", e.top.bytes))
        .unwrap_or_default();
    let shown = v.shown.as_deref().unwrap_or_default();
    let bytes = format!("{} B", e.tool.bytes);
    let value = match shown == bytes {
        true => bytes,
        false => format!("{shown} = {bytes}"),
    };
    out.wrap("  ", &format!("{name}{view}"));
    out.wrap("    shows ", &format!("{value}{ratio}"));
    out.wrap("    query: ", &v.query);
    for t in &e.terms {
        term(t, out);
    }
    if let Some(identity) = v.identity() {
        out.wrap("    ", &identity);
    }
    let paint = match v.prometheus_agrees {
        Some(false) => Some(Paint::Bad),
        _ => Some(Paint::Dim),
    };
    out.wrap_paint("    Prometheus: ", &v.prometheus_text(), paint);
    for n in &e.notes {
        out.wrap_paint("    note: ", n, Some(Paint::Dim));
    }
}

/// `+89133056 B  pod cgroup (container="") counted: …`.
fn term(t: &Term, out: &mut Out) {
    out.wrap(&format!("    {:+} B  ", t.bytes), &t.why);
}
