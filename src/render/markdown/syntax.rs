//! Markdown that evidence cannot break: prose with its metacharacters escaped, table cells,
//! code spans and fences sized to their content, and text safe inside HTML elements.
//!
//! Every piece of text that reaches the Markdown report goes through one of these: [`plain`]
//! (evidence outside code), [`inline`] (ktrace's sentences, which quote evidence in code
//! spans), [`code_span`], [`fence`] or [`html_text`]; table cells go through [`md_row`] too.

use std::io::{self, Write};

/// One table row; `|` and newlines in a cell cannot end the cell or the row.
pub fn md_row(w: &mut dyn Write, cells: &[String]) -> io::Result<()> {
    let cells: Vec<String> = cells
        .iter()
        .map(|c| c.trim().replace('|', "\\|").replace(['\r', '\n'], " "))
        .collect();
    writeln!(w, "| {} |", cells.join(" | "))
}

/// A table: header, divider, rows.
pub fn md_table(w: &mut dyn Write, header: &[String], rows: &[Vec<String>]) -> io::Result<()> {
    md_row(w, header)?;
    writeln!(w, "|{}", "---|".repeat(header.len()))?;
    rows.iter().try_for_each(|r| md_row(w, r))
}

/// Pushes `s`, escaped for Markdown prose: HTML metacharacters as entities, the characters
/// that open emphasis, links, code or an escape behind a backslash, line breaks as spaces.
/// An `_` between two letters or digits cannot open or close emphasis and stays as is.
fn push_plain(out: &mut String, s: &str) {
    let mut prev = ' ';
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied().unwrap_or(' ');
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '_' if prev.is_alphanumeric() && next.is_alphanumeric() => out.push(c),
            '\\' | '`' | '*' | '_' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            _ => out.push(c),
        }
        prev = c;
    }
}

/// `s` as Markdown prose that reads as the same characters: nothing in it can open a tag,
/// an entity, emphasis, a link, a code span or a heading, nor end the line.
pub fn plain(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    if s.trim_start().starts_with('#') {
        out.push('\\');
    }
    push_plain(&mut out, s.trim_start());
    out
}

/// Length of the run of backticks that starts at byte `at` of `s`.
fn run_at(s: &str, at: usize) -> usize {
    s[at..].bytes().take_while(|b| *b == b'`').count()
}

/// Where the code span opened by a run of `n` backticks ending at byte `from` closes: the
/// next run of exactly `n` backticks (CommonMark).
fn closing_run(s: &str, from: usize, n: usize) -> Option<usize> {
    let mut at = from;
    while let Some(i) = s[at..].find('`') {
        let start = at + i;
        let len = run_at(s, start);
        if len == n {
            return Some(start);
        }
        at = start + len;
    }
    None
}

/// One of ktrace's sentences, which quotes evidence in code spans (`` `84Mi` ``): each code
/// span, as CommonMark pairs the backticks, is written again by [`code_span`]; everything
/// else is [`plain`]. Whatever backticks the evidence brings, the result opens nothing.
pub fn inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut text = String::new();
    let mut at = 0;
    while let Some(i) = s[at..].find('`') {
        text.push_str(&s[at..at + i]);
        let open = at + i;
        let n = run_at(s, open);
        match closing_run(s, open + n, n) {
            Some(close) => {
                out.push_str(&plain_part(&text, out.is_empty()));
                text.clear();
                out.push_str(&code_span(span_content(&s[open + n..close])));
                at = close + n;
            }
            None => {
                text.push_str(&s[open..open + n]);
                at = open + n;
            }
        }
    }
    text.push_str(&s[at..]);
    out.push_str(&plain_part(&text, out.is_empty()));
    out
}

/// [`plain`] for the text at the start of a sentence, else the same without the heading
/// guard and with its spaces kept.
fn plain_part(s: &str, first: bool) -> String {
    if first {
        return plain(s);
    }
    let mut out = String::with_capacity(s.len());
    push_plain(&mut out, s);
    out
}

/// A code span's content as CommonMark reads it: one space stripped from each side when
/// both sides have one.
fn span_content(s: &str) -> &str {
    let padded = s.len() >= 2 && s.starts_with(' ') && s.ends_with(' ');
    if padded && !s.trim().is_empty() {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

/// The longest run of backticks in `s`.
fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// `s` as an inline code span whose delimiters are longer than any backtick run in it
/// (padded with a space when `s` starts or ends with a backtick, or with a space on both
/// sides, which CommonMark would strip); newlines become spaces. An empty `s` is a span of
/// one space: two backticks alone would not be a span but a run that a later one closes.
pub fn code_span(s: &str) -> String {
    if s.is_empty() {
        return "` `".into();
    }
    let s = s.replace(['\r', '\n'], " ");
    let ticks = "`".repeat(longest_backtick_run(&s) + 1);
    let spaced = s.starts_with(' ') && s.ends_with(' ') && !s.trim().is_empty();
    let pad = if s.starts_with('`') || s.ends_with('`') || spaced {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{s}{pad}{ticks}")
}

/// A fenced code block (with an info string such as `promql`) whose fence is longer than
/// any backtick run in `content`, so the content cannot close it.
pub fn fence(info: &str, content: &str) -> String {
    let ticks = "`".repeat((longest_backtick_run(content) + 1).max(3));
    let body = content.strip_suffix('\n').unwrap_or(content);
    format!("{ticks}{info}\n{body}\n{ticks}\n")
}

/// Text for inside an HTML element (`<summary>`): `&`, `<` and `>` as entities.
pub fn html_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace(['\r', '\n'], " ")
}
