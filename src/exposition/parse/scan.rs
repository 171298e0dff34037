//! The line scanner behind [`parse`](super::parse): reads one line of the format
//! without copying, into a [`Line`].

use super::{Line, MAX_LINE_BYTES, Meta, RawLabel, RawSample};

/// The metric types a `# TYPE` line may name.
const KINDS: [&str; 5] = ["counter", "gauge", "histogram", "summary", "untyped"];

/// Blank characters of the format.
const BLANKS: [char; 2] = [' ', '\t'];

/// Longest piece of offending input quoted in an error message.
const CLIP_CHARS: usize = 40;

/// Reads one line (without its `\n`; a trailing `\r` is dropped).
pub(in crate::exposition) fn scan_line(line: &str) -> Result<Line<'_>, String> {
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
pub(super) fn scan_label_list<'a>(cur: &mut Cursor<'a>) -> Result<Vec<RawLabel<'a>>, String> {
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

pub(super) fn check_duplicates(labels: &[RawLabel<'_>]) -> Result<(), String> {
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

pub(super) fn fail<T>(what: &str, column: usize) -> Result<T, String> {
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
pub(super) struct Cursor<'a> {
    pub(super) text: &'a str,
    pub(super) pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    pub(super) fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    /// 1-based column of the read position.
    pub(super) fn col(&self) -> usize {
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
