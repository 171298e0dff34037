//! Other tools' numbers in the Markdown report: a table (tool, value as the tool shows it,
//! bytes, ratio to `top`, Prometheus's answer), then per tool its query, every term of the
//! difference and the identity tool − top = Σ extra − Σ missing in exact bytes.

use std::io::{self, Write};

use super::syntax::{code_span, inline, md_table, plain};
use crate::lineage::{ComparedView, Lineage};

/// The section; nothing when no tool was compared.
pub fn compare(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    if l.compare.is_empty() {
        return Ok(());
    }
    writeln!(w, "\n## Compared with other tools (memory)\n")?;
    let header: Vec<String> = [
        "asked",
        "query set",
        "shows",
        "bytes",
        "× top",
        "Prometheus",
    ]
    .map(String::from)
    .to_vec();
    let rows: Vec<Vec<String>> = l.compare.iter().map(row).collect();
    md_table(w, &header, &rows)?;
    for v in &l.compare {
        details(v, w)?;
    }
    Ok(())
}

fn row(v: &ComparedView) -> Vec<String> {
    let bytes = v.explanation.as_ref().map(|e| e.tool.bytes.to_string());
    vec![
        code_span(&v.asked),
        v.tool.as_deref().map_or("—".into(), code_span),
        plain(v.shown.as_deref().unwrap_or("not explained")),
        bytes.unwrap_or_else(|| "—".into()),
        plain(&v.ratio_text().unwrap_or_else(|| "—".into())),
        plain(&v.prometheus_text()),
    ]
}

fn details(v: &ComparedView, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "\n### {}\n", code_span(&v.asked))?;
    if let Some(view) = &v.view {
        writeln!(w, "- view: {}", inline(view))?;
    }
    if !v.query.is_empty() {
        writeln!(w, "- query: {}", code_span(&v.query))?;
    }
    let Some(e) = &v.explanation else {
        let why = v.unsupported.as_deref().unwrap_or_default();
        return writeln!(w, "- not explained: {}", inline(why));
    };
    for t in &e.terms {
        writeln!(
            w,
            "- {} {}",
            code_span(&format!("{:+} B", t.bytes)),
            inline(&t.why)
        )?;
    }
    if let Some(identity) = v.identity() {
        writeln!(w, "- check: {}", code_span(&identity))?;
    }
    for n in &e.notes {
        writeln!(w, "- note: {}", inline(n))?;
    }
    Ok(())
}
