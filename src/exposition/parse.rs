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

/// The longest line, in bytes and without its `\n`, that is read; longer lines are issues.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// [`parse`] records at most this many issues, then one final "too many issues" issue.
pub const MAX_ISSUES: usize = 1000;

/// The metric types a `# TYPE` line may name.
const KINDS: [&str; 5] = ["counter", "gauge", "histogram", "summary", "untyped"];

/// Blank characters of the format.
const BLANKS: [char; 2] = [' ', '\t'];

/// Longest piece of offending input quoted in an error message.
const CLIP_CHARS: usize = 40;

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

/// Everything read from one exposition text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exposition {
    /// Samples in the order written.
    pub samples: Vec<Sample>,
    /// Families in the order their first `# HELP` or `# TYPE` line appears.
    pub families: Vec<Family>,
    /// Lines that were rejected (at most [`MAX_ISSUES`] + 1).
    pub issues: Vec<ParseIssue>,
}

impl Exposition {
    /// The family with this exact name, if it had a `# HELP` or `# TYPE` line.
    pub fn family(&self, name: &str) -> Option<&Family> {
        self.families.iter().find(|f| f.name == name)
    }

    /// The samples whose metric name is exactly `name`, in order.
    pub fn samples_named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Sample> + 's {
        self.samples.iter().filter(move |s| s.name == name)
    }
}

/// Parses a whole exposition text. Bad lines become issues; parsing goes on.
pub fn parse(text: &str) -> Exposition {
    let mut builder = Builder::default();
    for (index, line) in text.split('\n').enumerate() {
        builder.line(index + 1, line);
    }
    builder.out
}

/// Parses one sample line (a trailing `\n` or `\r\n` is allowed); `line` is set to 0.
///
/// # Errors
/// A message saying what is wrong, also for blank and comment lines.
pub fn parse_sample_line(line: &str) -> Result<Sample, String> {
    let line = line.strip_suffix('\n').unwrap_or(line);
    match scan_line(line)? {
        Line::Sample(raw) => Ok(raw.to_sample(0)),
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
#[derive(Default)]
struct Builder {
    out: Exposition,
    family_index: HashMap<String, usize>,
}

impl Builder {
    fn line(&mut self, number: usize, line: &str) {
        match scan_line(line) {
            Ok(Line::Sample(raw)) => self.out.samples.push(raw.to_sample(number)),
            Ok(Line::Meta(meta)) => self.meta(number, meta),
            Ok(Line::Blank | Line::Comment) => {}
            Err(message) => self.issue(number, message),
        }
    }

    fn meta(&mut self, number: usize, meta: Meta<'_>) {
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

    fn to_sample(&self, line: usize) -> Sample {
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

/// Reads one line (without its `\n`; a trailing `\r` is dropped).
pub(super) fn scan_line(line: &str) -> Result<Line<'_>, String> {
    if line.len() > MAX_LINE_BYTES {
        return Err(format!("line too long ({} bytes)", line.len()));
    }
    let line = line.strip_suffix('\r').unwrap_or(line);
    let body = line.trim_start_matches(BLANKS);
    if body.is_empty() {
        return Ok(Line::Blank);
    }
    if let Some(comment) = body.strip_prefix('#') {
        return scan_comment(comment);
    }
    scan_sample(line, line.len() - body.len()).map(Line::Sample)
}

fn scan_comment(text: &str) -> Result<Line<'_>, String> {
    let (keyword, rest) = split_token(text.trim_start_matches(BLANKS));
    if keyword != "HELP" && keyword != "TYPE" {
        return Ok(Line::Comment);
    }
    let (name, rest) = split_token(rest.trim_start_matches(BLANKS));
    if name.is_empty() {
        return Err(format!("# {keyword} line without a metric name"));
    }
    if !is_metric_name(name) {
        let name = clip(name);
        return Err(format!("invalid metric name {name:?} in # {keyword} line"));
    }
    let rest = rest.trim_start_matches(BLANKS);
    if keyword == "HELP" {
        return Ok(Line::Meta(Meta::Help { name, text: rest }));
    }
    let kind = rest.trim_end_matches(BLANKS);
    if !KINDS.contains(&kind) {
        let kind = clip(kind);
        return Err(format!("unknown metric type {kind:?} for {name}"));
    }
    Ok(Line::Meta(Meta::Type { name, kind }))
}

fn scan_sample(line: &str, start: usize) -> Result<RawSample<'_>, String> {
    let mut cur = Cursor {
        text: line,
        pos: start,
    };
    let name = cur.take_while(is_metric_char);
    if !is_metric_name(name) {
        return fail("invalid metric name", start + 1);
    }
    if !matches!(cur.peek(), None | Some(b' ' | b'\t' | b'{')) {
        return fail("unexpected character after the metric name", cur.col());
    }
    cur.skip_blanks();
    let labels = if cur.eat(b'{') {
        scan_label_list(&mut cur)?
    } else {
        Vec::new()
    };
    check_duplicates(&labels)?;
    let (value_text, value) = match cur.take_token() {
        (_, "") => return fail("missing value", cur.col()),
        (col, text) => (
            text,
            text.parse::<f64>().or_else(|_| bad("value", text, col))?,
        ),
    };
    let timestamp_ms = match cur.take_token() {
        (_, "") => None,
        (col, text) => Some(
            text.parse::<i64>()
                .or_else(|_| bad("timestamp", text, col))?,
        ),
    };
    cur.skip_blanks();
    if !cur.at_end() {
        return fail("unexpected text after the timestamp", cur.col());
    }
    Ok(RawSample {
        name,
        labels,
        value,
        value_text,
        timestamp_ms,
    })
}

/// Reads `name="value", ...}` after the opening `{`, up to and including the `}`.
fn scan_label_list<'a>(cur: &mut Cursor<'a>) -> Result<Vec<RawLabel<'a>>, String> {
    let mut labels = Vec::new();
    loop {
        cur.skip_blanks();
        if cur.eat(b'}') {
            return Ok(labels);
        }
        labels.push(scan_label(cur)?);
        cur.skip_blanks();
        if cur.eat(b'}') {
            return Ok(labels);
        }
        if !cur.eat(b',') {
            return fail("expected ',' or '}'", cur.col());
        }
    }
}

fn scan_label<'a>(cur: &mut Cursor<'a>) -> Result<RawLabel<'a>, String> {
    let column = cur.col();
    let name = cur.take_while(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return fail("invalid label name", column);
    }
    cur.skip_blanks();
    if !cur.eat(b'=') {
        return fail("expected '=' after the label name", cur.col());
    }
    cur.skip_blanks();
    if !cur.eat(b'"') {
        return fail("expected '\"' to open the label value", cur.col());
    }
    let raw = cur.take_quoted()?;
    Ok(RawLabel { name, raw })
}

fn check_duplicates(labels: &[RawLabel<'_>]) -> Result<(), String> {
    let mut names: Vec<&str> = labels.iter().map(|l| l.name).collect();
    names.sort_unstable();
    match names
        .windows(2)
        .find_map(|w| w.first().filter(|&n| Some(n) == w.get(1)))
    {
        Some(name) => Err(format!("duplicate label {name}")),
        None => Ok(()),
    }
}

fn fail<T>(what: &str, column: usize) -> Result<T, String> {
    Err(format!("{what} at column {column}"))
}

fn bad<T>(what: &str, text: &str, column: usize) -> Result<T, String> {
    Err(format!(
        "invalid {what} {:?} at column {column}",
        clip(text)
    ))
}

/// A read position in one line. Every slice it hands out ends at an ASCII byte or at
/// the end of the line, so slicing never splits a character.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    /// 1-based column of the read position.
    fn col(&self) -> usize {
        self.pos + 1
    }

    fn eat(&mut self, byte: u8) -> bool {
        let hit = self.peek() == Some(byte);
        self.pos += usize::from(hit);
        hit
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    /// Takes bytes while `keep` holds; `keep` must be false for every non-ASCII byte
    /// or true for all of them, so the cut falls on a character boundary.
    fn take_while(&mut self, keep: impl Fn(u8) -> bool) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(&keep) {
            self.pos += 1;
        }
        self.text.get(start..self.pos).unwrap_or("")
    }

    /// Skips blanks, then takes text up to the next blank; also returns its column.
    fn take_token(&mut self) -> (usize, &'a str) {
        self.skip_blanks();
        (self.col(), self.take_while(|b| b != b' ' && b != b'\t'))
    }

    /// Takes an escaped label value after its opening quote and eats the closing quote.
    fn take_quoted(&mut self) -> Result<&'a str, String> {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        loop {
            let rest = bytes.get(self.pos..).unwrap_or(&[]);
            let Some(at) = memchr::memchr2(b'"', b'\\', rest).map(|i| self.pos + i) else {
                return fail("unterminated label value opened", start);
            };
            if bytes.get(at) == Some(&b'"') {
                self.pos = at + 1;
                return Ok(self.text.get(start..at).unwrap_or(""));
            }
            match bytes.get(at + 1) {
                Some(b'\\' | b'"' | b'n') => self.pos = at + 2,
                Some(_) => {
                    let bad = self
                        .text
                        .get(at + 1..)
                        .and_then(|t| t.chars().next())
                        .unwrap_or('?');
                    return fail(&format!("invalid escape \\{bad}"), at + 1);
                }
                None => return fail("unterminated label value opened", start),
            }
        }
    }
}

fn is_metric_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b':'
}

fn is_metric_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && name.bytes().all(is_metric_char)
}

/// Splits at the first blank: `("token", " rest")`.
fn split_token(text: &str) -> (&str, &str) {
    text.split_at(text.find(BLANKS).unwrap_or(text.len()))
}

/// At most [`CLIP_CHARS`] characters of `text`, for error messages.
fn clip(text: &str) -> String {
    let mut clipped: String = text.chars().take(CLIP_CHARS).collect();
    if clipped.len() < text.len() {
        clipped.push('…');
    }
    clipped
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
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/realdata/cadvisor/");
        std::fs::read_to_string(format!("{dir}{name}")).unwrap()
    }

    fn one(line: &str) -> Sample {
        parse_sample_line(line).unwrap()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn quoted_values_may_hold_separators_and_escapes() {
        assert_eq!(
            one(r#"t{a="x,y",b="1"} 1"#).labels,
            pairs(&[("a", "x,y"), ("b", "1")])
        );
        assert_eq!(
            one(r#"t{a="k=v}{",b="}"} 2"#).labels,
            pairs(&[("a", "k=v}{"), ("b", "}")])
        );
        assert_eq!(
            one(r#"t{a="say \"hi\", ok"} 3"#).label("a"),
            Some(r#"say "hi", ok"#)
        );
        let s = one(r#"t{id="/system-serial\\x2dgetty.slice",m="l1\nl2",e=""} 4"#);
        assert_eq!(s.label("id"), Some(r"/system-serial\x2dgetty.slice"));
        assert_eq!(s.label("m"), Some("l1\nl2"));
        assert_eq!(s.label("e"), Some(""));
        assert_eq!(one(r#"t{a="ünï ☃"} 1"#).label("a"), Some("ünï ☃"));
    }

    #[test]
    fn label_list_layout_variants() {
        let spaced = one("t{a=\"1\", b=\"2\" ,\tc = \"3\" } 5");
        assert_eq!(spaced.labels, pairs(&[("a", "1"), ("b", "2"), ("c", "3")]));
        assert_eq!(one(r#"t{a="1",} 6"#).labels, pairs(&[("a", "1")]));
        let empty = one("name{} 5");
        assert!(empty.labels.is_empty());
        assert_eq!((empty.name.as_str(), empty.value), ("name", 5.0));
        let bare = one("name 5");
        assert!(bare.labels.is_empty());
        assert_eq!(bare.value_text, "5");
        assert_eq!(one("  ns:sub_total {a=\"b\"}\t7  ").name, "ns:sub_total");
        assert_eq!(one("x{a=\"1\"}8").value, 8.0);
    }

    #[test]
    fn values_and_timestamps() {
        let s = one("container_memory_working_set_bytes{pod=\"p\"} 8.8784896e+07 1687269135477");
        assert_eq!(s.value, 88_784_896.0);
        assert_eq!(s.value_text, "8.8784896e+07");
        assert_eq!(s.timestamp_ms, Some(1_687_269_135_477));
        assert!(one("t NaN").value.is_nan());
        assert_eq!(one("t +Inf").value, f64::INFINITY);
        assert_eq!(one("t -Inf").value, f64::NEG_INFINITY);
        assert_eq!(one("t -Inf").value_text, "-Inf");
        assert_eq!(one("t 1.5e-3").value, 0.0015);
        assert_eq!(one("t -0 -12").timestamp_ms, Some(-12));
        assert_eq!(one("t 12 \r\n").timestamp_ms, None);
        assert_eq!(one("t 4.0378368e+08 1687269135477\r").value, 403_783_680.0);
    }

    #[test]
    fn sample_label_helpers() {
        let s = one(r#"m{pod="",namespace="ns"} 1"#);
        assert_eq!(s.label("namespace"), Some("ns"));
        assert_eq!(s.label("pod"), Some(""));
        assert_eq!(s.label("pod_name"), None);
        assert_eq!(s.label_or_empty("pod_name"), "");
        assert_eq!(s.label_or_empty("namespace"), "ns");
    }

    #[test]
    fn bad_lines_are_errors() {
        let cases = [
            (r#"t{a="open} 1"#, "unterminated"),
            (r#"t{a="x\"} 1"#, "unterminated"),
            (r#"t{a="x\"#, "unterminated"),
            (r#"t{a="1"}"#, "missing value"),
            ("t", "missing value"),
            ("t 12abc", "invalid value"),
            ("t 0x1p3", "invalid value"),
            (r#"t{1a="1"} 1"#, "invalid label name"),
            (r#"t{a-b="1"} 1"#, "expected '='"),
            (r#"t{,} 1"#, "invalid label name"),
            (r#"t{a=1} 1"#, "expected '\"'"),
            (r#"t{a="1" b="2"} 1"#, "expected ','"),
            (r#"t{a="\t"} 1"#, "invalid escape"),
            (r#"t{a="1",a="2"} 1"#, "duplicate label a"),
            ("t 1 2 3", "unexpected text"),
            ("t 1 1.5", "invalid timestamp"),
            ("9t 1", "invalid metric name"),
            ("t-x 1", "unexpected character"),
            ("{a=\"1\"} 1", "invalid metric name"),
        ];
        for (line, want) in cases {
            let err = parse_sample_line(line).unwrap_err();
            assert!(err.contains(want), "{line:?}: {err:?} lacks {want:?}");
        }
        assert!(parse_sample_line("# HELP t x").is_err());
        assert!(parse_sample_line("   ").is_err());
    }

    #[test]
    fn huge_and_hostile_lines_never_panic() {
        let long = "x".repeat(MAX_LINE_BYTES + 1);
        assert!(parse_sample_line(&long).unwrap_err().contains("too long"));
        let braces = format!("t{}", "{".repeat(100_000));
        assert!(parse_sample_line(&braces).is_err());
        let many = format!(
            "t{{{}}} 1",
            (0..20_000)
                .map(|i| format!("l{i}=\"v\","))
                .collect::<String>()
        );
        assert_eq!(parse_sample_line(&many).unwrap().labels.len(), 20_000);
        let alphabet: Vec<char> = "{}\",=\\ \t\n\r#a1.e+-_:éNI".chars().collect();
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut junk = String::new();
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            junk.push(alphabet[(state % alphabet.len() as u64) as usize]);
        }
        let parsed = parse(&junk);
        assert!(parsed.issues.len() <= MAX_ISSUES + 1);
        let real = fixture("nri-k8s-1.35-minikube-containerd2-cgv2.prom");
        let line = real.lines().find(|l| l.contains("qdcxt")).unwrap();
        for (cut, _) in line.char_indices() {
            let _ = parse_sample_line(&line[..cut]);
            let _ = parse_sample_line(&line[cut..]);
        }
    }

    #[test]
    fn whole_text_with_metadata_comments_crlf_and_issues() {
        let text = "# HELP m Memory \\\\ in\\nbytes.\r\n# TYPE m gauge\r\n\r\n# just a comment\r\n\
                    m{pod=\"a\"} 1 10\r\nm{pod=\"b\" 2\r\n  \t\r\n#TYPE n counter\nn_total 3\n# TYPE o bogus\n";
        let e = parse(text);
        assert_eq!(e.samples.len(), 2);
        assert_eq!(
            (e.samples[0].line, e.samples[0].timestamp_ms),
            (5, Some(10))
        );
        assert_eq!(
            (e.samples[1].name.as_str(), e.samples[1].line),
            ("n_total", 9)
        );
        let m = e.family("m").unwrap();
        assert_eq!(m.help.as_deref(), Some("Memory \\ in\nbytes."));
        assert_eq!(m.kind.as_deref(), Some("gauge"));
        assert_eq!(e.family("n").unwrap().kind.as_deref(), Some("counter"));
        assert_eq!(e.families.len(), 2);
        let lines: Vec<usize> = e.issues.iter().map(|i| i.line).collect();
        assert_eq!(lines, [6, 10]);
        assert!(e.issues[1].message.contains("unknown metric type"));
    }

    #[test]
    fn issues_are_capped() {
        let text = "bad line\n".repeat(MAX_ISSUES + 50);
        let e = parse(&text);
        assert_eq!(e.issues.len(), MAX_ISSUES + 1);
        assert!(e.issues[MAX_ISSUES].message.starts_with("too many issues"));
    }

    #[test]
    fn parse_labels_reads_the_inside_of_braces() {
        let got = parse_labels(r#"a="x,y", b="q\"}" ,"#).unwrap();
        assert_eq!(got, pairs(&[("a", "x,y"), ("b", "q\"}")]));
        assert!(parse_labels("").unwrap().is_empty());
        assert!(parse_labels(r#"a="1"} b="2""#).is_err());
        assert!(parse_labels(r#"a="1"#).is_err());
    }

    #[test]
    fn prometheus_parse_loses_what_we_keep() {
        let line = r#"t{a="x,y",b="k=v",c="1"} 1"#;
        let theirs = prometheus_parse::Scrape::parse(std::iter::once(Ok(line.to_owned()))).unwrap();
        let labels = &theirs.samples[0].labels;
        assert_eq!(
            labels.get("a"),
            Some("x"),
            "prometheus-parse cuts the value at the comma"
        );
        assert_eq!(
            labels.get("b"),
            None,
            "prometheus-parse drops a value holding '='"
        );
        assert_eq!(labels.get("c"), Some("1"));
        assert_eq!(
            one(line).labels,
            pairs(&[("a", "x,y"), ("b", "k=v"), ("c", "1")])
        );
    }

    /// Parses a dump and checks the totals every real dump must meet.
    fn parse_dump(name: &str, samples: usize, families: usize, ws: usize) -> Exposition {
        let e = parse(&fixture(name));
        assert_eq!(e.issues, [], "{name}");
        assert_eq!(e.samples.len(), samples, "{name}");
        assert_eq!(e.families.len(), families, "{name}");
        assert_eq!(
            e.samples_named("container_memory_working_set_bytes")
                .count(),
            ws,
            "{name}"
        );
        assert!(
            e.families
                .iter()
                .all(|f| f.kind.is_some() && f.help.is_some()),
            "{name}"
        );
        e
    }

    fn ws_of<'e>(
        e: &'e Exposition,
        pod_label: &str,
        pod: &str,
        container: &str,
    ) -> Vec<&'e Sample> {
        let container_label = if pod_label == "pod_name" {
            "container_name"
        } else {
            "container"
        };
        e.samples_named("container_memory_working_set_bytes")
            .filter(|s| {
                s.label(pod_label) == Some(pod) && s.label(container_label) == Some(container)
            })
            .collect()
    }

    #[test]
    fn real_dump_datadog_gke_legacy_labels() {
        let e = parse_dump(
            "datadog-integrations-core-gke-cos-docker17-cgv1.prom",
            3215,
            52,
            72,
        );
        let agent = ws_of(&e, "pod_name", "dd-agent-q6hpw", "dd-agent");
        assert_eq!(agent.len(), 1);
        assert_eq!(
            (agent[0].value, agent[0].timestamp_ms),
            (213_839_872.0, None)
        );
        assert_eq!(agent[0].label("namespace"), Some("default"));
        assert_eq!(
            ws_of(&e, "pod_name", "fluentd-gcp-v2.0.10-9q9t4", "fluentd-gcp")[0].value,
            129_007_616.0
        );
        let serial = "/system.slice/system-serial\\x2dgetty.slice";
        assert!(e.samples.iter().any(|s| s.label("id") == Some(serial)));
        assert!(e.samples.iter().all(|s| s.label("pod").is_none()));
    }

    #[test]
    fn real_dump_synthetic_cadvisor() {
        let e = parse_dump(
            "google-cadvisor-testdata-prometheus_metrics-SYNTHETIC.prom",
            287,
            107,
            1,
        );
        let ws = e
            .samples_named("container_memory_working_set_bytes")
            .next()
            .unwrap();
        assert_eq!(ws.label("id"), Some("testcontainer"));
        assert_eq!(
            e.samples
                .iter()
                .filter(|s| s.timestamp_ms.is_some())
                .count(),
            276
        );
    }

    #[test]
    fn real_dump_nri_1_15_both_label_schemes() {
        let e = parse_dump("nri-k8s-1.15-minikube-kic-docker-cgv1.prom", 4277, 54, 82);
        let pod = ws_of(&e, "pod", "kube-apiserver-minikube", "");
        assert_eq!(pod.len(), 1);
        assert_eq!(pod[0].value, 281_382_912.0);
        assert_eq!(pod[0].label("pod_name"), Some("kube-apiserver-minikube"));
        let mut apiserver: Vec<f64> =
            ws_of(&e, "pod_name", "kube-apiserver-minikube", "kube-apiserver")
                .iter()
                .map(|s| s.value)
                .collect();
        apiserver.sort_by(f64::total_cmp);
        assert_eq!(apiserver, [280_801_280.0, 283_279_360.0]);
    }

    #[test]
    fn real_dump_nri_1_16_systemd() {
        let e = parse_dump("nri-k8s-1.16-minikube-docker-cgv1.prom", 2468, 57, 52);
        let pod = "metrics-server-6b79b4d69b-x2ps9";
        assert_eq!(
            ws_of(&e, "pod", pod, "metrics-server")[0].value,
            13_574_144.0
        );
        assert_eq!(ws_of(&e, "pod", pod, "")[0].value_text, "1.4266368e+07");
        assert_eq!(ws_of(&e, "pod", pod, "POD")[0].value, 692_224.0);
    }

    #[test]
    fn real_dump_nri_1_24_containerd() {
        let e = parse_dump("nri-k8s-1.24-minikube-containerd-cgv2.prom", 3181, 67, 64);
        let rows = ws_of(&e, "pod", "metrics-server-8894f74c6-8th9v", "");
        let mut values: Vec<f64> = rows.iter().map(|s| s.value).collect();
        values.sort_by(f64::total_cmp);
        assert_eq!(values, [200_704.0, 16_019_456.0]);
        let app = ws_of(
            &e,
            "pod",
            "metrics-server-8894f74c6-8th9v",
            "metrics-server",
        );
        assert_eq!(
            (app[0].value, app[0].timestamp_ms),
            (16_150_528.0, Some(1_694_016_937_886))
        );
    }

    #[test]
    fn real_dump_nri_1_35_containerd2() {
        let e = parse_dump("nri-k8s-1.35-minikube-containerd2-cgv2.prom", 4621, 78, 58);
        let coredns = ws_of(&e, "pod", "coredns-7d764666f9-qdcxt", "coredns");
        assert_eq!(coredns.len(), 1);
        assert_eq!(coredns[0].label("namespace"), Some("kube-system"));
        assert_eq!(
            (coredns[0].value, coredns[0].timestamp_ms),
            (16_232_448.0, Some(1_782_468_872_783))
        );
        let pod_rows = ws_of(&e, "pod", "coredns-7d764666f9-qdcxt", "");
        assert!(
            pod_rows
                .iter()
                .any(|s| s.value == 16_232_448.0 && s.label_or_empty("image").is_empty())
        );
        assert_eq!(
            e.family("container_memory_working_set_bytes")
                .unwrap()
                .kind
                .as_deref(),
            Some("gauge")
        );
    }
}
