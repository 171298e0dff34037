//! The node report in Markdown, for tickets: the same order as the text report, every value
//! whole; kubectl's `top node` and `describe node` cells byte for byte, tab-separated as
//! kubectl writes them before its tabwriter aligns them, inside code blocks.

use std::io::{self, Write};

use super::super::markdown::syntax::{code_span, fence, inline, md_table, plain};
use super::{
    allocated_header, dashes, esc, ordered, pod_grid, pods_header, side_arithmetic, side_grid,
    verdict_sentence,
};
use crate::lineage::Layer;
use crate::node::model::NodeReport;
use crate::node::top::TopNode;

/// Writes the Markdown report (control characters from the evidence escaped).
pub fn render(r: &NodeReport, w: &mut dyn Write) -> io::Result<()> {
    let mut buf = Vec::new();
    report(r, &mut buf)?;
    let text = String::from_utf8_lossy(&buf);
    w.write_all(super::super::safe::finish(&text, false).as_bytes())
}

fn report(r: &NodeReport, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "# ktrace: node {}\n", code_span(&esc(&r.node)))?;
    headline(r, w)?;
    side_by_side(r, w)?;
    behind(r, w)?;
    top(r, w)?;
    allocated(r, w)?;
    pods_by_use(r, w)?;
    findings(r, w)?;
    non_terminated(r, w)?;
    sources(r, w)
}

/// Each source: its request, its status and the command to fetch it by hand.
fn sources(r: &NodeReport, w: &mut dyn Write) -> io::Result<()> {
    if r.sources.is_empty() {
        return Ok(());
    }
    writeln!(w, "\n## Sources\n")?;
    for s in &r.sources {
        let mark = if s.ok { "ok" } else { "missing" };
        writeln!(
            w,
            "- **{}** ({mark}): {}",
            inline(&esc(&s.name)),
            inline(&esc(&s.status))
        )?;
        if let Some(cmd) = &s.command {
            writeln!(w, "  - by hand: {}", code_span(&esc(cmd)))?;
        }
    }
    Ok(())
}

fn headline(r: &NodeReport, w: &mut dyn Write) -> io::Result<()> {
    let s = &r.summary;
    writeln!(w, "**{}**\n", inline(&esc(&s.question)))?;
    for l in &s.lines {
        writeln!(w, "- **{}**: {}", l.kind.label(), inline(&esc(&l.text)))?;
    }
    writeln!(w, "\n**Verdict:** {}.\n", inline(&verdict_sentence(s)))
}

fn side_by_side(r: &NodeReport, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "## Side by side\n")?;
    let grid = side_grid(r);
    let mut header = grid[0].clone();
    header[0] = "quantity".to_owned();
    md_table(w, &header, &grid[1..])?;
    writeln!(w)?;
    for a in side_arithmetic(r) {
        writeln!(w, "- {}", plain(&a))?;
    }
    Ok(())
}

fn behind(r: &NodeReport, w: &mut dyn Write) -> io::Result<()> {
    let Some((head, lines)) = super::backend::section(r) else {
        return Ok(());
    };
    writeln!(w, "\n## {}\n", plain(&esc(&head)))?;
    for l in lines {
        writeln!(w, "- {}", plain(&esc(&l)))?;
    }
    Ok(())
}

/// Cells joined by tabs, as kubectl writes a row (evidence escaped: no tab or newline of
/// its own can shift a column).
fn tabbed(indent: &str, cells: &[String]) -> String {
    let cells: Vec<String> = cells.iter().map(|c| esc(c)).collect();
    format!("{indent}{}", cells.join("\t"))
}

fn top(r: &NodeReport, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "\n## `kubectl top node`\n")?;
    let t = match &r.top {
        Layer::Present { value } => value,
        Layer::Missing { reason } => {
            return writeln!(w, "Cannot be predicted: {}", plain(&esc(reason)));
        }
    };
    writeln!(
        w,
        "The cells kubectl writes, tab-separated (its tabwriter aligns them).\n"
    )?;
    [&t.allocatable, &t.capacity]
        .into_iter()
        .try_for_each(|row| top_row(row, w))
}

fn top_row(t: &TopNode, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "{}\n", code_span(&esc(&t.command)))?;
    let rows = [tabbed("", &t.header), tabbed("", &t.cells)].join("\n");
    write!(w, "{}", fence("text", &rows))?;
    writeln!(w)?;
    if let Some(m) = &t.missing {
        writeln!(w, "- {}", plain(&esc(m)))?;
    }
    for (res, v) in [("CPU", &t.cpu), ("memory", &t.memory)] {
        let Some(v) = v else { continue };
        writeln!(w, "- {res}: {}", code_span(&esc(&v.shown_arithmetic)))?;
        if let Some(p) = &v.percent_arithmetic {
            writeln!(w, "- {res} %: {}", code_span(&esc(p)))?;
        }
    }
    writeln!(w)
}

fn describe_missing(r: &NodeReport, w: &mut dyn Write) -> io::Result<bool> {
    match r.describe.reason() {
        Some(reason) => {
            writeln!(w, "Unknown: {}", plain(&esc(reason)))?;
            Ok(true)
        }
        None => Ok(false),
    }
}

fn allocated(r: &NodeReport, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "## `kubectl describe node`: Allocated resources\n")?;
    let Some(d) = r.describe.get() else {
        describe_missing(r, w)?;
        return writeln!(w);
    };
    let header = allocated_header();
    let mut lines = vec![
        "Allocated resources:".to_owned(),
        "  (Total limits may be over 100 percent, i.e., overcommitted.)".to_owned(),
        tabbed("  ", &header),
        tabbed("  ", &dashes(&header)),
    ];
    lines.extend(d.allocated.iter().map(|a| tabbed("  ", &a.cells)));
    write!(w, "{}", fence("text", &lines.join("\n")))?;
    writeln!(w)?;
    for a in &d.allocated {
        for (kind, t) in [("requests", &a.requests_total), ("limits", &a.limits_total)] {
            let pct = t
                .percent_arithmetic
                .as_ref()
                .map_or(String::new(), |p| format!("; {}", code_span(&esc(p))));
            let sum = code_span(&esc(&t.arithmetic));
            writeln!(w, "- {} {kind}: {sum}{pct}", plain(&esc(&a.resource)))?;
        }
    }
    writeln!(w)
}

fn pods_by_use(r: &NodeReport, w: &mut dyn Write) -> io::Result<()> {
    for s in [&r.cpu, &r.memory] {
        if s.pods.is_empty() {
            continue;
        }
        writeln!(w, "## Pods by {} use (largest first)\n", s.resource)?;
        let grid = pod_grid(s);
        let rows: Vec<Vec<String>> = grid[1..]
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r[0] = code_span(&r[0]);
                r
            })
            .collect();
        md_table(w, &grid[0], &rows)?;
        writeln!(w)?;
    }
    Ok(())
}

fn findings(r: &NodeReport, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "## Findings (worst first)\n")?;
    if r.findings.is_empty() {
        writeln!(w, "None.")?;
    }
    for f in ordered(r) {
        let tag = if f.severity == "warning" {
            "**warning**"
        } else {
            "info"
        };
        let code = code_span(&esc(&f.code));
        writeln!(w, "- {tag} {code}: {}", inline(&esc(&f.message)))?;
    }
    writeln!(w)
}

fn non_terminated(r: &NodeReport, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "## `kubectl describe node`: Non-terminated Pods\n")?;
    let Some(d) = r.describe.get() else {
        describe_missing(r, w)?;
        return Ok(());
    };
    let header = pods_header(d.pods.iter().any(|p| p.age.is_some()));
    let mut lines = vec![
        tabbed("", &d.pods_header),
        tabbed("  ", &header),
        tabbed("  ", &dashes(&header)),
    ];
    lines.extend(d.pods.iter().map(|p| tabbed("  ", &p.cells)));
    write!(w, "{}", fence("text", &lines.join("\n")))?;
    for p in d.pods.iter().filter(|p| !p.notes.is_empty()) {
        let who = code_span(&esc(&format!("{}/{}", p.namespace, p.name)));
        writeln!(w, "- {who}: {}", plain(&esc(&p.notes.join("; "))))?;
    }
    if !d.excluded.is_empty() {
        writeln!(
            w,
            "\nNot counted (kubectl's field selector leaves them out):\n"
        )?;
        for e in &d.excluded {
            let pod = code_span(&esc(&e.pod));
            writeln!(w, "- {pod}: {}", plain(&esc(&e.reason)))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
