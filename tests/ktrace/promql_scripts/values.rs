//! The expanding value notation of promqltest series lines and range results, as
//! Prometheus's series-description grammar reads it (promql/parser/generated_parser.y,
//! `series_item`, same at v2.42.0 and main):
//!
//! - `v` one sample; `_` no sample at that step; `stale` the staleness marker;
//! - `vxN` N + 1 copies of `v`; `_xN` N steps without a sample;
//! - `a+bxN` / `a-bxN` N + 1 samples `a, a+b, …`, each the previous plus `b` in float64
//!   (the grammar adds `$2` to `$1` in a loop, so the rounding of repeated addition is kept);
//! - `{{...}}`, `{{...}}xN`, `{{...}}+{{...}}xN` native histograms: only counted here.

use ktrace::promql::rate::STALE_NAN_BITS;

/// One step of an expanded series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Point {
    /// No sample at this step (`_`).
    Omitted,
    /// A float sample (the staleness marker included).
    Float(f64),
    /// A native histogram sample.
    Histogram,
}

/// Expands a whitespace-separated value list.
pub fn expand(text: &str) -> Result<Vec<Point>, String> {
    let mut out = Vec::new();
    for token in tokens(text) {
        expand_item(&token, &mut out).map_err(|e| format!("value `{token}`: {e}"))?;
    }
    Ok(out)
}

/// Splits on whitespace, keeping `{{ … }}` (which holds spaces) inside one token.
fn tokens(text: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth) = (Vec::new(), String::new(), 0usize);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '{' && chars.peek() == Some(&'{') {
            depth += 1;
        } else if c == '}' && chars.peek() == Some(&'}') && depth > 0 {
            depth -= 1;
        }
        if c.is_whitespace() && depth == 0 {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        } else {
            cur.push(c);
            if matches!(c, '{' | '}') && chars.peek() == Some(&c) {
                cur.push(chars.next().unwrap_or(c));
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn expand_item(token: &str, out: &mut Vec<Point>) -> Result<(), String> {
    let (body, times) = split_times(token)?;
    if body.contains("{{") {
        // `{{h}}` is one sample; `{{h}}xN` and `{{a}}+{{b}}xN` are N + 1.
        let n = times.map_or(1, |n| n + 1);
        out.extend(std::iter::repeat_n(Point::Histogram, n));
        return Ok(());
    }
    if body == "_" {
        out.extend(std::iter::repeat_n(Point::Omitted, times.unwrap_or(1)));
        return Ok(());
    }
    let Some(n) = times else {
        out.push(Point::Float(number(body)?));
        return Ok(());
    };
    let (start, step) = match split_increment(body) {
        Some((a, b)) => (number(a)?, number(b)?),
        None => (number(body)?, 0.0),
    };
    let mut v = start;
    for _ in 0..=n {
        out.push(Point::Float(v));
        v += step;
    }
    Ok(())
}

/// `bodyxN` → (`body`, Some(N)); a token without a trailing `x<digits>` → (token, None).
fn split_times(token: &str) -> Result<(&str, Option<usize>), String> {
    let Some(at) = token.rfind('x') else {
        return Ok((token, None));
    };
    let (body, count) = (&token[..at], &token[at + 1..]);
    if count.is_empty() || !count.bytes().all(|b| b.is_ascii_digit()) || body.is_empty() {
        return Ok((token, None));
    }
    let n = count
        .parse()
        .map_err(|e| format!("repetition {count}: {e}"))?;
    Ok((body, Some(n)))
}

/// `a+b` / `a-b` → (`a`, `+b`/`-b`): the first sign that is neither leading nor an exponent's.
fn split_increment(body: &str) -> Option<(&str, &str)> {
    let bytes = body.as_bytes();
    let at = (1..bytes.len()).find(|&i| {
        matches!(bytes[i], b'+' | b'-') && !matches!(bytes[i - 1], b'e' | b'E' | b'+' | b'-')
    })?;
    Some((&body[..at], &body[at..]))
}

/// A PromQL number as the test scripts write them: decimal, `.5`, `Inf`, `NaN`, `stale`.
pub fn number(text: &str) -> Result<f64, String> {
    if text == "stale" {
        return Ok(f64::from_bits(STALE_NAN_BITS));
    }
    let unsigned = text.trim_start_matches(['+', '-']);
    let lower = unsigned.to_ascii_lowercase();
    let magnitude = match lower.as_str() {
        "inf" => f64::INFINITY,
        "nan" => f64::NAN,
        _ if unsigned
            .bytes()
            .all(|b| b.is_ascii_digit() || b"._eE+-".contains(&b)) =>
        {
            unsigned
                .parse()
                .map_err(|e| format!("not a number: {text} ({e})"))?
        }
        _ => return Err(format!("not a number: {text}")),
    };
    Ok(if text.starts_with('-') {
        -magnitude
    } else {
        magnitude
    })
}
