//! Markdown that evidence cannot break: table cells, code spans and fences sized to their
//! content, and text safe inside HTML elements.

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

/// The longest run of backticks in `s`.
fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// `s` as an inline code span whose delimiters are longer than any backtick run in it
/// (padded with a space when `s` starts or ends with a backtick); newlines become spaces.
pub fn code_span(s: &str) -> String {
    let s = s.replace(['\r', '\n'], " ");
    let ticks = "`".repeat(longest_backtick_run(&s) + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
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
