//! Terminal text, answer first: the headline and the verdict, the side-by-side lineage,
//! findings worst first, the `top` arithmetic, each layer, the sources; then (with
//! `TextOptions::details`) the verbatim evidence and the commands to reproduce it by hand.
//! Everything but the details part fits `TextOptions::width`.

mod compare;
mod cpu;
mod details;
mod layers;

use std::io::{self, Write};

use super::TextOptions;
use super::answer::{self, EvidenceKind, LABEL_WIDTH};
use super::fit::{self, elide, wrap, wrap_with};
use super::rows::{lineage_grid, lineage_notes};
use super::safe::{self, Paint};
use crate::lineage::{Layer, Lineage, Severity, SummaryKind, Tone, TopPrediction, Verdict};

/// Writes the text report.
pub fn render(l: &Lineage, opts: TextOptions, w: &mut dyn Write) -> io::Result<()> {
    let mut out = Out {
        lines: Vec::new(),
        width: opts.width,
    };
    report(l, &mut out, opts.details);
    let mut text = out.lines.join("\n");
    text.push('\n');
    w.write_all(safe::finish(&text, opts.color).as_bytes())
}

/// The report being drawn: lines, and the width the main part fits.
pub struct Out {
    lines: Vec<String>,
    width: usize,
}

impl Out {
    fn line(&mut self, s: impl Into<String>) {
        self.lines.push(s.into());
    }

    fn blank(&mut self) {
        self.lines.push(String::new());
    }

    fn head(&mut self, s: &str) {
        self.blank();
        self.line(Paint::Head.wrap(s));
    }

    /// `text` after `first`, wrapped to the width with a hanging indent.
    fn wrap(&mut self, first: &str, text: &str) {
        self.lines.extend(wrap(first, text, self.width));
    }

    /// [`Out::wrap`], the text painted.
    fn wrap_paint(&mut self, first: &str, text: &str, paint: Option<Paint>) {
        let lines = wrap_with(first, text, self.width, |s| match paint {
            Some(p) => p.wrap(s),
            None => s.to_string(),
        });
        self.lines.extend(lines);
    }

    /// `value` after `first` on one line, elided in the middle to fit.
    fn elided(&mut self, first: &str, value: &str, paint: Option<Paint>) {
        let room = self.width.saturating_sub(fit::width(first)).max(24);
        let v = elide(value, room);
        self.line(format!(
            "{first}{}",
            paint.map_or(v.clone(), |p| p.wrap(&v))
        ));
    }
}

fn report(l: &Lineage, out: &mut Out, details: bool) {
    header(l, out);
    headline(l, out);
    lineage_table(l, out);
    cpu::cpu(l, out);
    compare::compare(l, out);
    findings(l, out, details);
    top(l, out);
    layers::layers(l, out);
    layers::sources(l, out);
    if details {
        details::details(l, out);
        cpu::exact(l, out);
        cpu::commands(l, out);
    } else {
        out.blank();
        out.wrap_paint(
            "",
            "Verbatim evidence and the commands to reproduce it by hand: add --details (or use -o markdown).",
            Some(Paint::Dim),
        );
    }
}

fn header(l: &Lineage, out: &mut Out) {
    let title = if l.summary.question.is_empty() {
        format!(
            "ktrace pod {} — where the `top` memory number comes from",
            l.target
        )
    } else {
        l.summary.question.clone()
    };
    out.wrap_paint("", &title, Some(Paint::Head));
    let mut meta = answer::producer(l).to_vec();
    meta.extend(l.cluster.context.iter().map(|c| format!("context {c}")));
    // The API server's URL and version are in the Layers section: the first screen is the answer's.
    let lines = fit::wrap_list("", &meta, out.width);
    out.lines.extend(lines.iter().map(|l| Paint::Dim.wrap(l)));
}

/// The headline lines, each under its label, then the verdict and its exit code.
fn headline(l: &Lineage, out: &mut Out) {
    if !l.summary.lines.is_empty() {
        out.blank();
    }
    let number = l.summary.number.as_deref();
    let number_paint = number_paint(l);
    for s in &l.summary.lines {
        let mut paint = tone_paint(s.tone);
        // The `top` number is never green when something says it misleads.
        let shows_number =
            s.kind == SummaryKind::What || number.is_some_and(|n| s.text.contains(n));
        if paint == Some(Paint::Good) && number_paint != Paint::Good && shows_number {
            paint = None;
        }
        let label = answer::summary_label(s.kind);
        let first = format!(
            "  {}  ",
            Paint::Head.wrap(&format!("{label:<LABEL_WIDTH$}"))
        );
        out.wrap_paint(&first, &s.text, paint);
    }
    out.blank();
    out.wrap_paint(
        &format!("{} ", Paint::Head.wrap("Verdict:")),
        &answer::verdict_sentence(l.verdict),
        Some(verdict_paint(l.verdict)),
    );
    // The CPU line follows the verdict, so the memory answer and the verdict stay on the
    // first screen.
    if let Some(cpu) = &l.summary.cpu {
        let label = answer::summary_label(cpu.kind);
        let first = format!(
            "  {}  ",
            Paint::Head.wrap(&format!("{label:<LABEL_WIDTH$}"))
        );
        out.wrap_paint(&first, &cpu.text, tone_paint(cpu.tone));
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

/// The verdict's colour by how good it is.
fn verdict_paint(v: Verdict) -> Paint {
    match v {
        Verdict::Consistent | Verdict::Drift => Paint::Good,
        Verdict::Partial => Paint::Warn,
        Verdict::Disagree | Verdict::Misleading => Paint::Bad,
    }
}

/// The colour of the `top` number: green only when neither the verdict nor any headline line
/// says something is wrong.
fn number_paint(l: &Lineage) -> Paint {
    let tones = l.summary.lines.iter().map(|s| s.tone);
    let bad = tones.clone().any(|t| t == Tone::Bad);
    let warn = tones.into_iter().any(|t| t == Tone::Warn);
    match verdict_paint(l.verdict) {
        Paint::Bad => Paint::Bad,
        _ if bad => Paint::Bad,
        Paint::Warn => Paint::Warn,
        _ if warn => Paint::Warn,
        p => p,
    }
}

fn lineage_table(l: &Lineage, out: &mut Out) {
    out.head("Lineage (memory: `top` ← Metrics API ← backend ← kubelet cAdvisor)");
    let lines = fit::table(&lineage_grid(l), 1, "  ", out.width);
    out.lines.extend(lines);
    for n in lineage_notes(l) {
        out.wrap("  ", &n);
    }
    let pod = l.breakdown.iter().find(|b| b.container.is_none());
    if let Some(b) = pod.filter(|b| b.adds_up) {
        out.wrap_paint("  ", &format!("check: {}", b.check), Some(Paint::Dim));
    }
}

fn findings(l: &Lineage, out: &mut Out, details: bool) {
    out.head("Findings (worst first)");
    if l.findings.is_empty() {
        out.line("  none");
    }
    for f in &l.findings {
        let paint = match f.severity {
            Severity::Disagree | Severity::DoubleCount => Paint::Bad,
            Severity::Missing | Severity::Warn => Paint::Warn,
            Severity::Info => Paint::Dim,
        };
        let first = format!("  {} ", paint.wrap(answer::severity_marker(f.severity)));
        out.wrap(&first, &format!("[{}] {}", f.code, f.message));
        let mut hidden = 0;
        for e in &f.evidence {
            match answer::evidence_kind(e) {
                // Sentences wrap; a single long value (an id, an image) is elided.
                EvidenceKind::Note if e.contains(' ') => {
                    out.wrap_paint("       ", e, Some(Paint::Dim))
                }
                EvidenceKind::Note => out.elided("       ", e, Some(Paint::Dim)),
                _ => hidden += 1,
            }
        }
        if hidden > 0 && !details {
            let what = if hidden == 1 { "line" } else { "lines" };
            out.line(format!(
                "       {}",
                Paint::Dim.wrap(&format!("({hidden} verbatim {what}: see the details part)"))
            ));
        }
    }
}

fn top(l: &Lineage, out: &mut Out) {
    let t: &TopPrediction = match &l.top {
        Layer::Present { value } => value,
        Layer::Missing { reason } => {
            out.blank();
            let text = format!("cannot be computed: {reason}");
            return out.wrap_paint("kubectl top pod: ", &text, Some(Paint::Bad));
        }
    };
    let (ns, name) = (&l.target.namespace, &l.target.name);
    out.head(&format!("kubectl top pod {name} -n {ns}"));
    let r = &t.pod_row;
    let rows = vec![
        vec!["NAME".into(), "CPU(cores)".into(), "MEMORY(bytes)".into()],
        vec![
            r.name.clone(),
            r.cpu.clone(),
            number_paint(l).wrap(&r.memory),
        ],
    ];
    out.lines.extend(fit::table(&rows, 1, "  ", out.width));
    out.wrap("  ", &format!("pod row: {}", r.memory_arithmetic));
    out.wrap_paint(
        "  ",
        &format!("Σ containers = {}", t.memory_sum),
        Some(Paint::Dim),
    );
    out.line(Paint::Head.wrap(&format!("kubectl top pod {name} -n {ns} --containers")));
    let mut rows = vec![vec![
        "POD".into(),
        "NAME".into(),
        "CPU(cores)".into(),
        "MEMORY(bytes)".into(),
    ]];
    for c in &t.containers {
        rows.push(vec![
            name.clone(),
            c.name.clone(),
            c.cpu.clone(),
            c.memory.clone(),
        ]);
    }
    out.lines.extend(fit::table(&rows, 2, "  ", out.width));
    for c in &t.containers {
        out.wrap("  ", &format!("{}: {}", c.name, c.memory_arithmetic));
    }
}

#[cfg(test)]
mod tests;
