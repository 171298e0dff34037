//! Timestamp arithmetic on strings from the evidence (no clock).

/// RFC 3339 → Unix milliseconds.
pub fn rfc3339_ms(s: &str) -> Option<i64> {
    let ts: jiff::Timestamp = s.parse().ok()?;
    Some(ts.as_millisecond())
}

/// `; the newest sample is 3.200 s before (or after) the Metrics API timestamp`.
pub fn delta_text(rfc3339: &str, samples_ms: &[i64]) -> String {
    match (rfc3339_ms(rfc3339), samples_ms.iter().max()) {
        (Some(t), Some(s)) => format!("; the newest sample is {}", offset(*s, t)),
        _ => String::new(),
    }
}

/// `3.200 s before the Metrics API timestamp` (or `after`): when a sample was taken.
pub fn offset(sample_ms: i64, api_ms: i64) -> String {
    let d = (i128::from(api_ms) - i128::from(sample_ms)) as f64 / 1000.0;
    let side = if d >= 0.0 { "before" } else { "after" };
    format!("{:.3} s {side} the Metrics API timestamp", d.abs())
}

#[cfg(test)]
mod tests;
