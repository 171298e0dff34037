//! The wall clock, for `captured_at` and `fetched_at` stamps.

/// The current time, RFC 3339 with milliseconds.
pub fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Millisecond)
        .map(|t| t.to_string())
        .unwrap_or_default()
}
