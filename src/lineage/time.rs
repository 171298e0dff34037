//! Timestamp arithmetic on strings from the evidence (no clock).

/// RFC 3339 → Unix milliseconds.
pub fn rfc3339_ms(s: &str) -> Option<i64> {
    let ts: jiff::Timestamp = s.parse().ok()?;
    Some(ts.as_millisecond())
}

/// `; Δt = -3.2 s` between an RFC 3339 time and the newest of some sample times.
pub fn delta_text(rfc3339: &str, samples_ms: &[i64]) -> String {
    match (rfc3339_ms(rfc3339), samples_ms.iter().max()) {
        (Some(t), Some(s)) => format!(
            "; sample is {:.3} s before the Metrics API timestamp",
            (t - s) as f64 / 1000.0
        ),
        _ => String::new(),
    }
}
