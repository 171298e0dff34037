//! Markdown report for tickets, answer first: the headline and the verdict, the side-by-side
//! lineage table and its Mermaid diagram, findings worst first, then every piece of evidence
//! (whole, never elided) and the commands to reproduce it by hand.

mod compare;
mod cpu;
mod evidence;
pub(super) mod syntax;

use std::io::{self, Write};

use super::answer;
use super::rows::{lineage_grid, lineage_notes};
use crate::lineage::Lineage;
use syntax::{code_span, fence, inline, md_table, plain};

#[cfg(test)]
use syntax::md_row;

/// Writes the Markdown report (control characters from the evidence escaped).
pub fn render(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    let mut buf = Vec::new();
    report(l, &mut buf)?;
    w.write_all(super::safe::finish(&String::from_utf8_lossy(&buf), false).as_bytes())
}

fn report(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    let target = code_span(&l.target.to_string());
    writeln!(w, "# ktrace: {target} memory lineage\n")?;
    headline(l, w)?;
    lineage(l, w)?;
    cpu::cpu(l, w)?;
    compare::compare(l, w)?;
    findings(l, w)?;
    evidence::evidence(l, w)
}

fn headline(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    if !l.summary.question.is_empty() {
        writeln!(w, "**{}**\n", inline(&l.summary.question))?;
    }
    for s in l.summary.lines.iter().chain(&l.summary.cpu) {
        let label = answer::summary_label(s.kind);
        writeln!(w, "- **{label}**: {}", inline(&s.text))?;
    }
    if !l.summary.lines.is_empty() {
        writeln!(w)?;
    }
    writeln!(w, "{}\n", verdict(l.verdict))?;
    let mut meta: Vec<String> = answer::producer(l).iter().map(|p| inline(p)).collect();
    meta.extend(
        l.cluster
            .context
            .iter()
            .map(|c| format!("context {}", code_span(c))),
    );
    meta.extend(l.cluster.server.iter().map(|s| code_span(s)));
    meta.extend(
        l.cluster
            .version
            .iter()
            .map(|v| format!("server {}", plain(v))),
    );
    writeln!(w, "{}.\n", meta.join(" · "))
}

/// `**Verdict:** consistent · exit 0: every layer present and every value agrees.`
fn verdict(v: crate::lineage::Verdict) -> String {
    format!("**Verdict:** {}.", answer::verdict_sentence(v))
}

fn lineage(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "## Lineage (memory)\n")?;
    let grid = lineage_grid(l);
    let mut header = grid[0].clone();
    header[0] = "layer".into();
    header[1] = plain(&header[1]);
    for h in header.iter_mut().skip(2) {
        *h = code_span(h);
    }
    md_table(w, &header, &plain_cells(&grid[1..]))?;
    writeln!(w)?;
    for n in lineage_notes(l) {
        writeln!(w, "- {}", inline(&n))?;
    }
    let pod = l.breakdown.iter().find(|b| b.container.is_none());
    if let Some(b) = pod.filter(|b| b.adds_up) {
        writeln!(w, "- check: {}", code_span(&b.check))?;
    }
    if !lineage_notes(l).is_empty() || pod.is_some() {
        writeln!(w)?;
    }
    write!(w, "{}", fence("mermaid", &super::mermaid::flowchart(l)))
}

fn findings(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "\n## Findings (worst first)\n")?;
    if l.findings.is_empty() {
        writeln!(w, "None.")?;
    }
    for f in &l.findings {
        let word = answer::severity_word(f.severity);
        let tag = match f.severity {
            crate::lineage::Severity::Info => word.to_string(),
            _ => format!("**{word}**"),
        };
        let message = inline(&f.message);
        writeln!(w, "- {tag} {}: {message}", code_span(&f.code))?;
        for e in &f.evidence {
            writeln!(w, "  - {}", code_span(e))?;
        }
    }
    Ok(())
}

/// Every cell of `rows` as [`plain`] text.
fn plain_cells(rows: &[Vec<String>]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|c| plain(c)).collect())
        .collect()
}

#[cfg(test)]
mod tests;
