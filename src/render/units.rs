//! Human units for text and Markdown: bytes in Ki/Mi/Gi with one decimal, times in RFC 3339
//! with an age. JSON keeps the exact integers; these are for reading only.

pub use crate::quantity::human_bytes;

/// Unix milliseconds as RFC 3339 (`2021-11-05T16:05:59.127Z`), or the number if out of range.
pub fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map_or_else(|_| format!("{ms} ms"), |t| t.to_string())
}

/// RFC 3339 → Unix milliseconds.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    s.parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_millisecond())
}

/// A Prometheus timestamp as sent (`1636128362`, `1636128362.5`) → Unix milliseconds.
pub fn prom_seconds_ms(s: &str) -> Option<i64> {
    let secs: f64 = s.parse().ok()?;
    let ms = (secs * 1000.0).round();
    (ms.is_finite() && ms.abs() < 1e15).then_some(ms as i64)
}

/// `3.2 s before` (or `after`) `reference`: how far a time lies from a reference time.
pub fn age(ms: i64, reference_ms: i64) -> String {
    let d = i128::from(reference_ms) - i128::from(ms);
    let side = if d >= 0 { "before" } else { "after" };
    let tenths = (d.unsigned_abs() + 50) / 100;
    format!("{}.{} s {side}", tenths / 10, tenths % 10)
}

/// `-2.9 s` (before `reference`) or `+1.2 s` (after): [`age`] for a table cell.
pub fn signed_age(ms: i64, reference_ms: i64) -> String {
    let d = i128::from(ms) - i128::from(reference_ms);
    let sign = if d < 0 { '-' } else { '+' };
    let tenths = (d.unsigned_abs() + 50) / 100;
    format!("{sign}{}.{} s", tenths / 10, tenths % 10)
}

/// `2021-11-05T16:05:59.127Z, 2.9 s before the PodMetrics timestamp` (or just the time when
/// there is no PodMetrics timestamp).
pub fn time_with_age(ms: i64, podmetrics_ms: Option<i64>) -> String {
    match podmetrics_ms {
        Some(r) => format!("{}, {} the PodMetrics timestamp", rfc3339(ms), age(ms, r)),
        None => rfc3339(ms),
    }
}

#[cfg(test)]
mod tests;
