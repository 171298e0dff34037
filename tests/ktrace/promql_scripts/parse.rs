//! Reading a promqltest script into commands: `load <step>` with its series, `clear`, and
//! `eval…` with its `expect` lines and expected results.
//!
//! As promqltest reads them (promql/test.go @v2.42.0, promql/promqltest/test.go @main): each
//! line is trimmed, a line starting with `#` counts as empty, and a command's block ends at the
//! first empty line. Samples of a `load` sit at 0, step, 2·step, … (Unix time 0 is the start).

use ktrace::promql::rate::parse_duration_ms;

use super::values::{Point, expand};

/// Label pairs.
pub type Labels = Vec<(String, String)>;

/// A series: its name (`__name__`, may be empty), other labels sorted by name, and points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The metric name.
    pub name: String,
    /// The labels other than `__name__`, sorted by name.
    pub labels: Labels,
    /// One point per step.
    pub points: Vec<Point>,
}

/// When an eval runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum When {
    /// `instant at T`.
    Instant(i64),
    /// `range from A to B step S`.
    Range { start: i64, end: i64, step: i64 },
}

impl When {
    /// The evaluation times, milliseconds.
    pub fn times(self) -> Vec<i64> {
        match self {
            When::Instant(t) => vec![t],
            When::Range { start, end, step } => {
                let n = (end - start) / step.max(1);
                (0..=n).map(|i| start + i * step).collect()
            }
        }
    }
}

/// One `eval…` command.
#[derive(Debug, Clone, PartialEq)]
pub struct Eval {
    /// Its line number (1-based) in the script.
    pub line: usize,
    /// `eval`, `eval_fail`, `eval_ordered`, `eval_warn`, `eval_info`.
    pub keyword: String,
    /// When it runs.
    pub when: When,
    /// The PromQL expression as written.
    pub expr: String,
    /// The `expect …` lines (head scripts), without the `expect ` prefix.
    pub expects: Vec<String>,
    /// The expected result series (one point for an instant eval).
    pub results: Vec<Series>,
}

/// One script command.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// `load <step>`: the series with their points `step_ms` apart from 0.
    Load { step_ms: i64, series: Vec<Series> },
    /// `clear`.
    Clear,
    /// `eval…`.
    Eval(Eval),
}

/// Parses a whole script; an error names the line.
pub fn script(text: &str) -> Result<Vec<Command>, String> {
    let lines: Vec<&str> = text.lines().map(clean).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let head = lines[i];
        let block_end = (i + 1..lines.len())
            .find(|&j| lines[j].is_empty())
            .unwrap_or(lines.len());
        let block = &lines[i + 1..block_end];
        if head.is_empty() {
            i += 1;
            continue;
        }
        let cmd = command(head, block, i + 1).map_err(|e| format!("line {}: {e}", i + 1))?;
        out.push(cmd);
        i = block_end;
    }
    Ok(out)
}

fn clean(line: &str) -> &str {
    let t = line.trim();
    if t.starts_with('#') { "" } else { t }
}

fn command(head: &str, block: &[&str], line: usize) -> Result<Command, String> {
    let (word, rest) = head.split_once([' ', '\t']).unwrap_or((head, ""));
    match word {
        "clear" => Ok(Command::Clear),
        "load" => {
            let step_ms = duration(rest.trim())?;
            let series = block.iter().map(|l| series_line(l));
            let series = series.collect::<Result<_, _>>()?;
            Ok(Command::Load { step_ms, series })
        }
        w if w == "eval" || w.starts_with("eval_") => {
            let (when, expr) = eval_header(rest.trim())?;
            let (expects, results) = eval_block(block)?;
            Ok(Command::Eval(Eval {
                line,
                keyword: w.to_string(),
                when,
                expr: expr.to_string(),
                expects,
                results,
            }))
        }
        _ => Err(format!("unknown command `{head}`")),
    }
}

/// `instant at T expr` or `range from A to B step S expr`.
fn eval_header(rest: &str) -> Result<(When, &str), String> {
    let mut words = rest.splitn(2, char::is_whitespace);
    let kind = words.next().unwrap_or("");
    let mut tail = words.next().unwrap_or("").trim_start();
    let mut take = |keyword: &str| -> Result<i64, String> {
        let after = tail
            .strip_prefix(keyword)
            .ok_or_else(|| format!("expected `{keyword}` in `{rest}`"))?;
        let (value, more) = after
            .trim_start()
            .split_once(char::is_whitespace)
            .ok_or_else(|| format!("nothing after `{keyword}` in `{rest}`"))?;
        tail = more.trim_start();
        duration(value)
    };
    let when = match kind {
        "instant" => When::Instant(take("at")?),
        "range" => When::Range {
            start: take("from")?,
            end: take("to")?,
            step: take("step")?,
        },
        _ => return Err(format!("unknown eval kind `{kind}`")),
    };
    Ok((when, tail))
}

/// The `expect` lines and the result lines under an eval.
fn eval_block(block: &[&str]) -> Result<(Vec<String>, Vec<Series>), String> {
    let mut expects = Vec::new();
    let mut results = Vec::new();
    for l in block {
        match l.strip_prefix("expect ") {
            Some(e) => expects.push(e.trim().to_string()),
            None => results.push(series_line(l)?),
        }
    }
    Ok((expects, results))
}

/// `name{k="v", …} values`, `{…} values` or `name values`.
pub fn series_line(line: &str) -> Result<Series, String> {
    let name_len = line
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b':'))
        .count();
    let mut name = line[..name_len].to_string();
    let mut rest = &line[name_len..];
    let mut labels = Vec::new();
    if let Some(inner) = rest.strip_prefix('{') {
        let (parsed, after) = label_set(inner).map_err(|e| format!("`{line}`: {e}"))?;
        labels = parsed;
        rest = after;
    }
    if let Some(at) = labels.iter().position(|(k, _)| k == "__name__") {
        name = labels.remove(at).1;
    }
    labels.sort();
    let points = expand(rest.trim()).map_err(|e| format!("`{line}`: {e}"))?;
    Ok(Series {
        name,
        labels,
        points,
    })
}

/// The pairs after `{` up to the matching `}`, and the text after it.
fn label_set(mut s: &str) -> Result<(Labels, &str), String> {
    let mut out = Vec::new();
    loop {
        s = s.trim_start().trim_start_matches(',').trim_start();
        if let Some(after) = s.strip_prefix('}') {
            return Ok((out, after));
        }
        let key_len = s
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        let key = s[..key_len].to_string();
        let after_eq = s[key_len..].trim_start().strip_prefix('=');
        let after_eq = after_eq.ok_or_else(|| format!("expected `=` after label `{key}`"))?;
        let (value, after) = quoted(after_eq.trim_start())?;
        out.push((key, value));
        s = after;
    }
}

/// A `"…"` or `'…'` string with backslash escapes, and the text after it.
fn quoted(s: &str) -> Result<(String, &str), String> {
    let quote = s.chars().next().filter(|c| matches!(c, '"' | '\''));
    let quote = quote.ok_or_else(|| format!("expected a quoted label value at `{s}`"))?;
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next().map(|(_, e)| e) {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(e) => out.push(e),
                None => break,
            },
            c if c == quote => return Ok((out, &s[i + 1..])),
            c => out.push(c),
        }
    }
    Err(format!("unclosed string at `{s}`"))
}

/// A promqltest duration: `50m`, `15m1s`, `0s`, or a bare `0`.
pub fn duration(text: &str) -> Result<i64, String> {
    if text == "0" {
        return Ok(0);
    }
    parse_duration_ms(text).ok_or_else(|| format!("not a duration: `{text}`"))
}
