//! Timestamp arithmetic on strings from the evidence (no clock).

/// RFC 3339 → Unix milliseconds.
pub fn rfc3339_ms(s: &str) -> Option<i64> {
    let ts: jiff::Timestamp = s.parse().ok()?;
    Some(ts.as_millisecond())
}

/// `; the newest sample is 3.200 s before (or after) the Metrics API timestamp`.
pub fn delta_text(rfc3339: &str, samples_ms: &[i64]) -> String {
    match (rfc3339_ms(rfc3339), samples_ms.iter().max()) {
        (Some(t), Some(s)) => {
            let d = (i128::from(t) - i128::from(*s)) as f64 / 1000.0;
            let side = if d >= 0.0 { "before" } else { "after" };
            format!(
                "; the newest sample is {:.3} s {side} the Metrics API timestamp",
                d.abs()
            )
        }
        _ => String::new(),
    }
}
