//! Parser for the Prometheus text exposition format (version 0.0.4), as served by
//! the kubelet on `/metrics/cadvisor`.
//!
//! The parser is total: [`parse`] never fails and never panics. A line it cannot read
//! becomes a [`ParseIssue`] and parsing goes on with the next line.
//!
//! What it accepts, line by line (a trailing `\r` is dropped first, leading blanks are
//! skipped, a blank is a space or a tab):
//! - an empty or all-blank line: ignored;
//! - `# HELP name text` and `# TYPE name kind`: recorded as a [`Family`]; any other
//!   line that starts with `#` is a comment and is ignored;
//! - `name{label="value",...} value [timestamp]`: a [`Sample`]. The label list may be
//!   empty (`name{} 5`) or missing (`name 5`), may have blanks around its tokens and a
//!   trailing comma. Label values may hold any text; `\\`, `\"` and `\n` are the only
//!   escapes and are undone. The value is a Go-style float (`8.8784896e+07`, `NaN`,
//!   `+Inf`, `-Inf`) and the optional timestamp an integer count of milliseconds.
//!
//! Rejected as issues: invalid escapes in label values, duplicate label names, unknown
//! `# TYPE` kinds, a second `# HELP` or `# TYPE` for one family (the first is kept), and
//! lines longer than [`MAX_LINE_BYTES`] (not read at all). Unlike Go's parser, this one
//! does not accept hex floats (`0x1p3`), keeps unknown escapes in `# HELP` text as
//! written instead of rejecting the line, and does not check that samples follow their
//! family's metadata.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

mod scan;

pub(super) use scan::scan_line;
use scan::{Cursor, check_duplicates, fail, scan_label_list};

/// The longest line, in bytes and without its `\n`, that is read; longer lines are issues.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// [`parse`] records at most this many issues, then one final "too many issues" issue.
pub const MAX_ISSUES: usize = 1000;

/// One sample line, with its label values unescaped.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Metric name, e.g. `container_memory_working_set_bytes`.
    pub name: String,
    /// Labels in the order written, values unescaped.
    pub labels: Vec<(String, String)>,
    /// The value as a number.
    pub value: f64,
    /// The value exactly as written, e.g. `1.6232448e+07`.
    pub value_text: String,
    /// The optional timestamp, in milliseconds since the Unix epoch.
    pub timestamp_ms: Option<i64>,
    /// 1-based line number in the parsed text (0 from [`parse_sample_line`]).
    pub line: usize,
    /// Byte range of the line in the parsed text, without its `\n` or `\r\n`: the sample
    /// exactly as written, read back with [`Exposition::verbatim`].
    pub span: Range<usize>,
}

impl Sample {
    /// The value of label `name`, or `None` when the sample has no such label.
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of label `name`, with Prometheus semantics: a missing label reads as `""`.
    pub fn label_or_empty(&self, name: &str) -> &str {
        self.label(name).unwrap_or("")
    }
}

/// Metadata of one metric family, from its `# HELP` and `# TYPE` lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    /// Family name as written on the metadata line.
    pub name: String,
    /// The type from `# TYPE` (`counter`, `gauge`, ...), if there was one.
    pub kind: Option<String>,
    /// The unescaped text from `# HELP`, if there was one.
    pub help: Option<String>,
    /// Byte ranges of the `# HELP` and `# TYPE` lines recorded above, in the order written
    /// (each without its line break).
    pub spans: Vec<Range<usize>>,
}

/// A line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseIssue {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

impl std::fmt::Display for ParseIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Everything read from one exposition text, which it borrows so that every sample and
/// metadata line can be shown exactly as written without splitting the text again.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exposition<'t> {
    /// The parsed text.
    pub text: &'t str,
    /// Samples in the order written.
    pub samples: Vec<Sample>,
    /// Families in the order their first `# HELP` or `# TYPE` line appears.
    pub families: Vec<Family>,
    /// Lines that were rejected (at most [`MAX_ISSUES`] + 1).
    pub issues: Vec<ParseIssue>,
}

impl<'t> Exposition<'t> {
    /// The family with this exact name, if it had a `# HELP` or `# TYPE` line.
    pub fn family(&self, name: &str) -> Option<&Family> {
        self.families.iter().find(|f| f.name == name)
    }

    /// The text of `span` (a [`Sample::span`] or [`Family::spans`] entry of this
    /// exposition), exactly as written; `""` for a span that is not in the text.
    pub fn verbatim(&self, span: &Range<usize>) -> &'t str {
        self.text.get(span.clone()).unwrap_or_default()
    }

    /// The samples whose metric name is exactly `name`, in order.
    pub fn samples_named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Sample> + 's {
        self.samples.iter().filter(move |s| s.name == name)
    }
}

/// Parses a whole exposition text. Bad lines become issues; parsing goes on.
pub fn parse(text: &str) -> Exposition<'_> {
    let mut builder = Builder {
        out: Exposition {
            text,
            ..Exposition::default()
        },
        family_index: HashMap::new(),
    };
    let mut start = 0;
    for (index, line) in text.split('\n').enumerate() {
        let end = start + line.strip_suffix('\r').unwrap_or(line).len();
        builder.line(index + 1, line, start..end);
        start += line.len() + 1;
    }
    builder.out
}

/// Parses one sample line (a trailing `\n` or `\r\n` is allowed); `line` is set to 0.
///
/// # Errors
/// A message saying what is wrong, also for blank and comment lines.
pub fn parse_sample_line(line: &str) -> Result<Sample, String> {
    let line = line.strip_suffix('\n').unwrap_or(line);
    let span = 0..line.strip_suffix('\r').unwrap_or(line).len();
    match scan_line(line)? {
        Line::Sample(raw) => Ok(raw.to_sample(0, span)),
        Line::Blank => Err("blank line, not a sample".to_owned()),
        Line::Comment | Line::Meta(_) => Err("comment line, not a sample".to_owned()),
    }
}

/// Parses a label list, the text between `{` and `}`, into unescaped pairs.
///
/// # Errors
/// A message saying what is wrong (bad name, unterminated value, duplicate label, ...).
pub fn parse_labels(s: &str) -> Result<Vec<(String, String)>, String> {
    let closed = format!("{s}}}");
    let mut cur = Cursor {
        text: &closed,
        pos: 0,
    };
    let labels = scan_label_list(&mut cur)?;
    if !cur.at_end() {
        return fail("unexpected text after '}'", cur.col());
    }
    check_duplicates(&labels)?;
    Ok(labels
        .iter()
        .map(|l| (l.name.to_owned(), l.value().into_owned()))
        .collect())
}

/// Collects samples, families and issues for [`parse`].
struct Builder<'t> {
    out: Exposition<'t>,
    family_index: HashMap<String, usize>,
}

impl Builder<'_> {
    fn line(&mut self, number: usize, line: &str, span: Range<usize>) {
        match scan_line(line) {
            Ok(Line::Sample(raw)) => self.out.samples.push(raw.to_sample(number, span)),
            Ok(Line::Meta(meta)) => self.meta(number, meta, span),
            Ok(Line::Blank | Line::Comment) => {}
            Err(message) => self.issue(number, message),
        }
    }

    fn meta(&mut self, number: usize, meta: Meta<'_>, span: Range<usize>) {
        let (name, is_help, text) = match meta {
            Meta::Help { name, text } => (name, true, unescape(text, false)),
            Meta::Type { name, kind } => (name, false, kind.to_owned()),
        };
        let Some(family) = self.family_mut(name) else {
            return;
        };
        let slot = if is_help {
            &mut family.help
        } else {
            &mut family.kind
        };
        if slot.is_some() {
            let what = if is_help { "HELP" } else { "TYPE" };
            self.issue(number, format!("second # {what} line for {name}"));
        } else {
            *slot = Some(text);
            family.spans.push(span);
        }
    }

    fn family_mut(&mut self, name: &str) -> Option<&mut Family> {
        let next = self.out.families.len();
        let index = *self.family_index.entry(name.to_owned()).or_insert(next);
        if index == next {
            self.out.families.push(Family {
                name: name.to_owned(),
                kind: None,
                help: None,
                spans: Vec::new(),
            });
        }
        self.out.families.get_mut(index)
    }

    fn issue(&mut self, line: usize, message: String) {
        let issues = &mut self.out.issues;
        if issues.len() < MAX_ISSUES {
            issues.push(ParseIssue { line, message });
        } else if issues.len() == MAX_ISSUES {
            let message = format!("too many issues; later bad lines are not reported ({message})");
            issues.push(ParseIssue { line, message });
        }
    }
}

/// One label as written: its name and the still-escaped text between the quotes.
#[derive(Debug, Clone, Copy)]
pub(super) struct RawLabel<'a> {
    pub(super) name: &'a str,
    pub(super) raw: &'a str,
}

impl<'a> RawLabel<'a> {
    /// The unescaped value.
    pub(super) fn value(&self) -> Cow<'a, str> {
        unescape_label(self.raw)
    }

    /// Whether the unescaped value equals `want`, without allocating in the common case.
    pub(super) fn value_is(&self, want: &str) -> bool {
        if self.raw.contains('\\') {
            self.value() == want
        } else {
            self.raw == want
        }
    }
}

/// A sample line read without copying.
#[derive(Debug, Clone)]
pub(super) struct RawSample<'a> {
    pub(super) name: &'a str,
    pub(super) labels: Vec<RawLabel<'a>>,
    pub(super) value: f64,
    pub(super) value_text: &'a str,
    pub(super) timestamp_ms: Option<i64>,
}

impl<'a> RawSample<'a> {
    /// The label called `name`, if present.
    pub(super) fn label(&self, name: &str) -> Option<&RawLabel<'a>> {
        self.labels.iter().find(|l| l.name == name)
    }

    fn to_sample(&self, line: usize, span: Range<usize>) -> Sample {
        Sample {
            name: self.name.to_owned(),
            labels: self
                .labels
                .iter()
                .map(|l| (l.name.to_owned(), l.value().into_owned()))
                .collect(),
            value: self.value,
            value_text: self.value_text.to_owned(),
            timestamp_ms: self.timestamp_ms,
            line,
            span,
        }
    }
}

/// A `# HELP` or `# TYPE` line.
#[derive(Debug, Clone, Copy)]
pub(super) enum Meta<'a> {
    Help { name: &'a str, text: &'a str },
    Type { name: &'a str, kind: &'a str },
}

/// What one line of the format is.
#[derive(Debug, Clone)]
pub(super) enum Line<'a> {
    Blank,
    Comment,
    Meta(Meta<'a>),
    Sample(RawSample<'a>),
}

/// Undoes `\\`, `\"` and `\n` in a label value (other escapes are kept as written).
fn unescape_label(raw: &str) -> Cow<'_, str> {
    if raw.contains('\\') {
        Cow::Owned(unescape(raw, true))
    } else {
        Cow::Borrowed(raw)
    }
}

fn unescape(raw: &str, quote: bool) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('\\') => out.push('\\'),
            Some('"') if quote => out.push('"'),
            Some(other) => out.extend(['\\', other]),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests;
