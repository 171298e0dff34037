//! The node report as terminal text: every line fits `TextOptions::width`; kubectl's tables
//! are aligned (kubectl's tabwriter does the same), long names elided in the middle.

use std::io::{self, Write};

use super::super::TextOptions;
use super::super::answer::severity_marker;
use super::super::fit::{self, elide, wrap_with};
use super::super::safe::{self, Paint};
use super::{
    allocated_header, esc, ordered, pod_grid, pods_header, side_arithmetic, side_grid,
    verdict_sentence,
};
use crate::lineage::{Layer, Severity, Tone, Verdict};
use crate::node::describe::DescribeNode;
use crate::node::model::{NodeReport, TopViews};
use crate::node::summary::LABEL_WIDTH;
use crate::node::top::TopNode;

const INDENT: &str = "  ";

/// Writes the text report.
pub fn render(r: &NodeReport, opts: TextOptions, w: &mut dyn Write) -> io::Result<()> {
    let mut out = Out {
        lines: Vec::new(),
        width: opts.width,
    };
    report(r, &mut out);
    let mut text = out.lines.join("\n");
    text.push('\n');
    w.write_all(safe::finish(&text, opts.color).as_bytes())
}

struct Out {
    lines: Vec<String>,
    width: usize,
}

impl Out {
    fn blank(&mut self) {
        self.lines.push(String::new());
    }

    fn head(&mut self, s: &str) {
        self.blank();
        self.wrap("", s, Some(Paint::Head));
    }

    /// `text` after `first`, wrapped with a hanging indent, painted.
    fn wrap(&mut self, first: &str, text: &str, paint: Option<Paint>) {
        let lines = wrap_with(first, text, self.width, |s| match paint {
            Some(p) => p.wrap(s),
            None => s.to_owned(),
        });
        self.lines.extend(lines);
    }

    /// An aligned table whose first `keys` columns are elided so that they and any one other
    /// column fit the width (further columns go into blocks, see `fit::table`).
    fn table(&mut self, rows: &[Vec<String>], keys: usize) {
        let other = rows
            .iter()
            .flat_map(|r| r.iter().skip(keys))
            .map(|c| fit::width(c))
            .max()
            .unwrap_or(0)
            .min(self.width / 3);
        let room = self
            .width
            .saturating_sub(fit::width(INDENT) + 2 * keys + other);
        let key_room = (room / keys.max(1)).max(8);
        let fitted: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                r.iter()
                    .enumerate()
                    .map(|(i, c)| elide(c, if i < keys { key_room } else { other.max(8) }))
                    .collect()
            })
            .collect();
        let lines = fit::table(&fitted, keys, INDENT, self.width);
        self.lines.extend(lines);
    }
}

fn report(r: &NodeReport, out: &mut Out) {
    headline(r, out);
    side_by_side(r, out);
    behind(r, out);
    top(r, out);
    allocated(r, out);
    pods_by_use(r, out);
    findings(r, out);
    non_terminated(r, out);
    sources(r, out);
}

/// Each source with its status, and for the missing ones the command to fetch it by hand.
fn sources(r: &NodeReport, out: &mut Out) {
    if r.sources.is_empty() {
        return;
    }
    out.head("Sources");
    for s in &r.sources {
        let (mark, paint) = match (s.ok, &s.request) {
            (true, _) => ("✓", Paint::Good),
            (false, None) => ("–", Paint::Dim),
            (false, Some(_)) => ("✗", Paint::Warn),
        };
        let first = format!("{INDENT}{} ", paint.wrap(mark));
        out.wrap(
            &first,
            &format!("{}: {}", esc(&s.name), esc(&s.status)),
            None,
        );
        if let (false, Some(cmd)) = (s.ok, &s.command) {
            out.wrap(&format!("{INDENT}    $ "), &esc(cmd), Some(Paint::Dim));
        }
    }
}

fn tone_paint(t: Tone) -> Option<Paint> {
    match t {
        Tone::Neutral => None,
        Tone::Good => Some(Paint::Good),
        Tone::Warn => Some(Paint::Warn),
        Tone::Bad => Some(Paint::Bad),
    }
}

fn headline(r: &NodeReport, out: &mut Out) {
    let s = &r.summary;
    out.wrap("", &esc(&s.question), Some(Paint::Head));
    out.blank();
    for l in &s.lines {
        let label = format!("{:<LABEL_WIDTH$}", l.kind.label());
        let first = format!("{INDENT}{}  ", Paint::Head.wrap(&label));
        out.wrap(&first, &esc(&l.text), tone_paint(l.tone));
    }
    out.blank();
    let paint = match s.verdict {
        Verdict::Consistent | Verdict::Drift => Paint::Good,
        Verdict::Partial => Paint::Warn,
        _ => Paint::Bad,
    };
    let first = format!("{} ", Paint::Head.wrap("Verdict:"));
    out.wrap(&first, &verdict_sentence(s), Some(paint));
}

fn side_by_side(r: &NodeReport, out: &mut Out) {
    out.head("Side by side (describe node: reservations; top node: measured use)");
    out.table(&side_grid(r), 1);
    for a in side_arithmetic(r) {
        out.wrap(INDENT, &a, Some(Paint::Dim));
    }
}

fn behind(r: &NodeReport, out: &mut Out) {
    let Some((head, lines)) = super::backend::section(r) else {
        return;
    };
    out.head(&esc(&head));
    for l in lines {
        out.wrap(INDENT, &esc(&l), Some(Paint::Dim));
    }
}

fn top(r: &NodeReport, out: &mut Out) {
    let t: &TopViews = match &r.top {
        Layer::Present { value } => value,
        Layer::Missing { reason } => {
            out.head(&format!("kubectl top node {}", esc(&r.node)));
            let text = format!("cannot be predicted: {}", esc(reason));
            return out.wrap(INDENT, &text, Some(Paint::Bad));
        }
    };
    for row in [&t.allocatable, &t.capacity] {
        top_row(row, out);
    }
}

fn top_row(t: &TopNode, out: &mut Out) {
    out.head(&esc(&t.command));
    let rows = vec![t.header.clone(), t.cells.iter().map(|c| esc(c)).collect()];
    out.table(&rows, 1);
    if let Some(m) = &t.missing {
        out.wrap(INDENT, &esc(m), Some(Paint::Warn));
    }
    for (res, v) in [("CPU", &t.cpu), ("memory", &t.memory)] {
        let Some(v) = v else { continue };
        out.wrap(
            INDENT,
            &esc(&format!("{res}: {}", v.shown_arithmetic)),
            Some(Paint::Dim),
        );
        if let Some(p) = &v.percent_arithmetic {
            out.wrap(INDENT, &esc(&format!("{res} %: {p}")), Some(Paint::Dim));
        }
    }
}

fn describe_missing(r: &NodeReport, out: &mut Out, what: &str) -> Option<()> {
    let reason = r.describe.reason()?;
    out.head(&format!("kubectl describe node {} — {what}", esc(&r.node)));
    let text = format!("unknown: {}", esc(reason));
    out.wrap(INDENT, &text, Some(Paint::Warn));
    Some(())
}

fn allocated(r: &NodeReport, out: &mut Out) {
    let Some(d) = r.describe.get() else {
        describe_missing(r, out, "Allocated resources");
        return;
    };
    out.head(&format!(
        "kubectl describe node {} — Allocated resources",
        esc(&r.node)
    ));
    out.wrap(
        INDENT,
        "(Total limits may be over 100 percent, i.e., overcommitted.)",
        None,
    );
    let mut rows = vec![allocated_header()];
    rows.extend(
        d.allocated
            .iter()
            .map(|a| a.cells.iter().map(|c| esc(c)).collect()),
    );
    out.table(&rows, 1);
    for a in d
        .allocated
        .iter()
        .filter(|a| a.resource == "cpu" || a.resource == "memory")
    {
        for (kind, t) in [("requests", &a.requests_total), ("limits", &a.limits_total)] {
            let text = format!("{} {kind}: {}", a.resource, t.arithmetic);
            out.wrap(INDENT, &esc(&text), Some(Paint::Dim));
            if let Some(p) = &t.percent_arithmetic {
                let text = format!("{} {kind} %: {p}", a.resource);
                out.wrap(INDENT, &esc(&text), Some(Paint::Dim));
            }
        }
    }
}

fn pods_by_use(r: &NodeReport, out: &mut Out) {
    for s in [&r.cpu, &r.memory] {
        if s.pods.is_empty() {
            continue;
        }
        out.head(&format!("Pods by {} use (largest first)", s.resource));
        out.table(&pod_grid(s), 1);
    }
}

fn findings(r: &NodeReport, out: &mut Out) {
    out.head("Findings (worst first)");
    if r.findings.is_empty() {
        out.wrap(INDENT, "none", None);
    }
    for f in ordered(r) {
        let (sev, paint) = if f.severity == "warning" {
            (Severity::Warn, Paint::Warn)
        } else {
            (Severity::Info, Paint::Dim)
        };
        let first = format!("{INDENT}{} ", paint.wrap(severity_marker(sev)));
        let text = format!("[{}] {}", esc(&f.code), esc(&f.message));
        out.wrap(&first, &text, None);
    }
}

fn non_terminated(r: &NodeReport, out: &mut Out) {
    let Some(d) = r.describe.get() else {
        describe_missing(r, out, "Non-terminated Pods");
        return;
    };
    out.head(&esc(&format!(
        "kubectl describe node {} — {}",
        r.node,
        d.pods_header.join(" ")
    )));
    pod_rows(d, out);
    if !d.excluded.is_empty() {
        let left: Vec<String> = d
            .excluded
            .iter()
            .map(|e| format!("{} ({})", e.pod, e.reason))
            .collect();
        let text = format!(
            "not counted (kubectl's field selector leaves them out): {}",
            left.join(", ")
        );
        out.wrap(INDENT, &esc(&text), Some(Paint::Dim));
    }
}

/// The rows without kubectl's empty column after Name (it only widens the gap).
fn pod_rows(d: &DescribeNode, out: &mut Out) {
    let with_age = d.pods.iter().any(|p| p.age.is_some());
    let drop_empty = |cells: &[String]| -> Vec<String> {
        cells
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 2)
            .map(|(_, c)| esc(c))
            .collect()
    };
    let mut rows = vec![drop_empty(&pods_header(with_age))];
    rows.extend(d.pods.iter().map(|p| drop_empty(&p.cells)));
    out.table(&rows, 2);
    for p in d.pods.iter().filter(|p| !p.notes.is_empty()) {
        let text = format!("{}/{}: {}", p.namespace, p.name, p.notes.join("; "));
        out.wrap(INDENT, &esc(&text), Some(Paint::Dim));
    }
}

#[cfg(test)]
mod tests;
