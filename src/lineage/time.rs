//! Timestamp arithmetic on strings from the evidence (no clock).
//!
//! Reports show a time as RFC 3339 (UTC, milliseconds only when there are any) with its
//! age against a reference time from the same evidence, e.g.
//! `2021-11-05T16:05:59.127Z (2.873 s before the PodMetrics timestamp)`.

/// RFC 3339 → Unix milliseconds.
pub fn rfc3339_ms(s: &str) -> Option<i64> {
    let ts: jiff::Timestamp = s.parse().ok()?;
    Some(ts.as_millisecond())
}

/// Unix milliseconds → RFC 3339 in UTC: `2021-11-05T16:05:59.127Z`, or
/// `2021-11-05T16:06:02Z` for a whole second; the number itself if out of range.
pub fn rfc3339_from_ms(ms: i64) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(ts) => ts.to_string(),
        Err(_) => format!("{ms} ms"),
    }
}

/// How long before or after `reference_ms` (named `reference`) `at_ms` is, in seconds
/// with up to three decimals: `12 s before the PodMetrics timestamp`,
/// `1.5 s after the evidence capture`, `at the PodMetrics timestamp`.
pub fn age(at_ms: i64, reference_ms: i64, reference: &str) -> String {
    let d = i128::from(reference_ms) - i128::from(at_ms);
    if d == 0 {
        return format!("at the {reference}");
    }
    let side = if d > 0 { "before" } else { "after" };
    let (s, ms) = (d.unsigned_abs() / 1000, d.unsigned_abs() % 1000);
    let secs = if ms == 0 {
        s.to_string()
    } else {
        format!("{s}.{}", format!("{ms:03}").trim_end_matches('0'))
    };
    format!("{secs} s {side} the {reference}")
}

/// [`rfc3339_from_ms`] with its [`age`]:
/// `2021-11-05T16:05:59.127Z (2.873 s before the PodMetrics timestamp)`.
pub fn when(at_ms: i64, reference_ms: i64, reference: &str) -> String {
    format!(
        "{} ({})",
        rfc3339_from_ms(at_ms),
        age(at_ms, reference_ms, reference)
    )
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
