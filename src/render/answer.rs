//! The answer-first pieces every format shows the same way: who produced the report, the
//! headline's labels, the verdict with its exit code, and the severity of each finding.

use crate::lineage::{Lineage, Severity, SummaryKind, Verdict};

/// `ktrace 0.1.0` (the ktrace that drew the report) and `captured … by ktrace 0.1.0` (the
/// one that captured the evidence): always both, so a ticket reader can tell whether a
/// later fix applies to the capture, the report, or both.
pub fn producer(l: &Lineage) -> [String; 2] {
    [
        format!("ktrace {}", l.producer.ktrace_version),
        format!(
            "captured {} by ktrace {}",
            l.captured_at, l.producer.evidence_ktrace_version
        ),
    ]
}

/// The label a headline line carries, by what it answers.
pub fn summary_label(kind: SummaryKind) -> &'static str {
    match kind {
        SummaryKind::What => "what",
        SummaryKind::MadeOf => "made of",
        SummaryKind::Source => "from",
        SummaryKind::Agreement => "layers",
        SummaryKind::Worst => "worst",
        SummaryKind::Cpu => "cpu",
        SummaryKind::Compare => "compare",
    }
}

/// Width of the widest headline label.
pub const LABEL_WIDTH: usize = 7;

/// `consistent · exit 0: every layer present and every value agrees`, and where the details
/// are: the verdict, the exit code it ends with, and what that exit code means. The verdict
/// comes first in a report, so the details are below it: the sources when some are missing,
/// else the findings.
pub fn verdict_sentence(v: Verdict) -> String {
    let details = v
        .details()
        .map(|d| if d == "above" { "sources" } else { d })
        .map(|d| format!(" (see the {d} below)"))
        .unwrap_or_default();
    format!(
        "{} · exit {}: {}{details}",
        v.label(),
        crate::exit::code_for(v),
        v.summary()
    )
}

/// The severity in words, as Markdown shows it.
pub fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Disagree => "disagree",
        Severity::DoubleCount => "double count",
        Severity::Missing => "missing",
        Severity::Warn => "warning",
        Severity::Info => "info",
    }
}

/// The severity's marker in text (two columns wide): `✗` disagree, `2×` double count, `?`
/// missing, `!` warning, `•` info.
pub fn severity_marker(s: Severity) -> &'static str {
    match s {
        Severity::Disagree => "✗ ",
        Severity::DoubleCount => "2×",
        Severity::Missing => "? ",
        Severity::Warn => "! ",
        Severity::Info => "• ",
    }
}

/// How a finding's evidence line is shown.
#[derive(Debug, PartialEq, Eq)]
pub enum EvidenceKind {
    /// A sample line exactly as the source sent it: details only.
    Verbatim,
    /// A command to reproduce by hand: details only.
    Command,
    /// A sentence or a value: shown with the finding.
    Note,
}

/// Tells verbatim sample lines (`name{labels} value [timestamp]`) and reproduce-by-hand
/// commands from the notes a finding carries.
pub fn evidence_kind(e: &str) -> EvidenceKind {
    if e.starts_with("by hand: ") || e.starts_with("kubectl ") {
        return EvidenceKind::Command;
    }
    let name_end = e
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(e.len());
    let sample = name_end > 0
        && e[name_end..].starts_with('{')
        && e.rfind("} ").is_some_and(|i| {
            let rest: Vec<&str> = e[i + 2..].split(' ').collect();
            (1..=2).contains(&rest.len()) && rest.iter().all(|t| !t.is_empty() && !t.contains('='))
        });
    if sample {
        EvidenceKind::Verbatim
    } else {
        EvidenceKind::Note
    }
}

#[cfg(test)]
mod tests;
