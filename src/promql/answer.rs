//! The text of Prometheus HTTP API answers: sample values and timestamps, read and written
//! exactly. Shared by the pod CPU lineage and the node lineage.
//!
//! Floats written as Prometheus writes sample values (util/jsonutil/marshal.go
//! (MarshalValue) @v2.42.0, reference/cpu-node.md §A.7): Go's `strconv.AppendFloat(v, 'f',
//! -1, 64)`, or `'e'` when `0 < |v| < 1e-6` or `|v| >= 1e21`. Both are the shortest text
//! that reads back as the same float64, so two values compare as strings.

/// `v` as Prometheus's JSON writes it: `0.019`, `1e-07`, `1.5e+21`, `NaN`, `+Inf`.
pub fn prom_float(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    let abs = v.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        return go_exponent(v);
    }
    // Rust's Display is the shortest round-trip text and never uses an exponent: Go's 'f', -1.
    format!("{v}")
}

/// Go's `'e', -1`: shortest mantissa digits, an exponent with a sign and at least two digits.
fn go_exponent(v: f64) -> String {
    let text = format!("{v:e}");
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let (sign, digits) = match exp.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', exp),
    };
    format!("{mantissa}e{sign}{digits:0>2}")
}

/// Reads a Prometheus sample value: Go's `strconv.ParseFloat` forms, including `NaN`,
/// `+Inf`, `-Inf` and `Inf` (any case).
pub fn parse_prom_float(s: &str) -> Option<f64> {
    match s.to_ascii_lowercase().as_str() {
        "nan" => Some(f64::NAN),
        "inf" | "+inf" | "infinity" | "+infinity" => Some(f64::INFINITY),
        "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
        t if t.contains("inf") || t.contains("nan") => None,
        t => t.parse().ok(),
    }
}

/// The float64 bit pattern, as findings show it: `0x3f9374bc6a7ef9db`.
pub fn bits(v: f64) -> String {
    format!("{:#018x}", v.to_bits())
}

/// Unix seconds as written (`1636128362`, `1636128362.5`, `1636128362.125`) → milliseconds,
/// exactly; a longer fraction is rounded to the millisecond as Prometheus's `parseTime` does.
pub fn time_ms(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.contains(['e', 'E']) {
        let secs: f64 = text.parse().ok()?;
        let ms = (secs * 1000.0).round();
        return (ms.is_finite() && ms.abs() < 9e15).then_some(ms as i64);
    }
    let (neg, body) = match text.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, text),
    };
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs: i64 = whole.parse().ok()?;
    let padded = format!("{frac:0<4}");
    let mut ms: i64 = padded[..3].parse().ok()?;
    if padded.as_bytes()[3] >= b'5' {
        ms += 1;
    }
    let total = secs.checked_mul(1000)?.checked_add(ms)?;
    Some(if neg { -total } else { total })
}

#[cfg(test)]
mod tests;
