//! The few Go semantics kubectl's node arithmetic depends on.

/// Go's `int64(f)` for a float64 as compiled for amd64 (`CVTTSD2SI`): truncation toward
/// zero; NaN, ±Inf and values outside int64 give `-9223372036854775808` (the "integer
/// indefinite" value). kubectl divides by a zero allocatable in the per-pod rows, so this
/// case is reachable.
pub fn go_int64(f: f64) -> i64 {
    // 2^63 is exactly representable; NaN, anything at or above it or below -2^63 is invalid.
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if !(-TWO_63..TWO_63).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// kubectl's percentage: `int64(float64(n) / float64(d) * 100)`, division first.
pub fn percent(n: i128, d: i128) -> i64 {
    go_int64(fraction(n, d))
}

/// `float64(n) / float64(d) * 100` in that order (`29/100*100` is `28.999999999999996`).
pub fn fraction(n: i128, d: i128) -> f64 {
    (n as f64) / (d as f64) * 100.0
}

/// The arithmetic behind [`percent`], e.g.
/// `int64(1355 / 14000 × 100) = int64(9.678571428571429) = 9`.
pub fn explain_percent(n: i128, d: i128) -> String {
    format!(
        "int64({n} / {d} × 100) = int64({}) = {}",
        fraction(n, d),
        percent(n, d)
    )
}

/// apimachinery `duration.HumanDuration` (kubectl's Age column) of a duration in
/// nanoseconds: `95s`, `3m20s`, `2h5m`, `5d3h`, `2y10d`; `<invalid>` below −1 s.
pub fn human_duration(nanos: i128) -> String {
    const S: i128 = 1_000_000_000;
    let seconds = nanos / S;
    if seconds < -1 {
        return "<invalid>".to_owned();
    }
    if seconds < 0 {
        return "0s".to_owned();
    }
    if seconds < 120 {
        return format!("{seconds}s");
    }
    let minutes = nanos / (60 * S);
    if minutes < 10 {
        return unit_pair(minutes, "m", seconds % 60, "s");
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = nanos / (3600 * S);
    let days = hours / 24;
    match hours {
        h if h < 8 => unit_pair(h, "h", minutes % 60, "m"),
        h if h < 48 => format!("{h}h"),
        h if h < 24 * 8 => unit_pair(days, "d", h % 24, "h"),
        h if h < 24 * 365 * 2 => format!("{days}d"),
        h if h < 24 * 365 * 8 => unit_pair(days / 365, "y", days % 365, "d"),
        _ => format!("{}y", days / 365),
    }
}

/// `3m20s`, or `3m` when the second part is zero.
fn unit_pair(a: i128, ua: &str, b: i128, ub: &str) -> String {
    if b == 0 {
        format!("{a}{ua}")
    } else {
        format!("{a}{ua}{b}{ub}")
    }
}

#[cfg(test)]
mod tests;
