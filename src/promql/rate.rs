//! Prometheus's `rate`, `irate` and `increase` over float counter samples, and the `sum`
//! that follows them, recomputed in float64 in the engine's own operation order, so a value
//! can be compared with what a Prometheus server returned to the last bit.
//!
//! Facts (reference/cpu-node.md §A, each citing prometheus/prometheus):
//! - which samples `x[R]` holds at time `T`: `[T − R, T]` before 3.0, `(T − R, T]` from 3.0
//!   (promql/engine.go matrixIterSlice @v2.42.0 / @v3.0.0); StaleNaN samples are skipped;
//! - `extrapolatedRate` (promql/functions.go): counter resets add the pre-reset value;
//!   each boundary is extrapolated when its gap is below 1.1 × the average interval, else by
//!   half an interval; the start is limited to where the counter would reach zero. 2.42–2.50
//!   apply the zero limit first, 2.51 and later the threshold first (commit 7f912db15a);
//! - `irate`: the last two samples; a drop is taken as a restart from 0;
//! - `sum`: plain `+=` in input order before 2.54, Kahan–Neumaier from 2.54 (commit ea82b49c33).
//!
//! Pure: no I/O, no clock.

use std::fmt;

#[cfg(test)]
mod tests;

/// One raw sample: Unix milliseconds and the float value Prometheus stores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Timestamp, Unix milliseconds.
    pub t_ms: i64,
    /// Value.
    pub v: f64,
}

/// Prometheus's staleness marker, a NaN with this exact bit pattern (model/value/value.go).
pub const STALE_NAN_BITS: u64 = 0x7ff0_0000_0000_0002;

impl Sample {
    /// True for the staleness marker, which range selectors skip.
    pub fn is_stale(&self) -> bool {
        self.v.to_bits() == STALE_NAN_BITS
    }
}

/// A Prometheus release, as far as these functions differ between releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Engine {
    /// Major version.
    pub major: u32,
    /// Minor version.
    pub minor: u32,
}

impl Engine {
    /// Prometheus 2.42, Debian 12's package (the engine the tests here run).
    pub const V2_42: Engine = Engine {
        major: 2,
        minor: 42,
    };
    /// Prometheus 3.0, the first with left-open ranges.
    pub const V3_0: Engine = Engine { major: 3, minor: 0 };

    /// Reads `2.42.0`, `v3.1.0`, `2.42.0+ds`, `3.0.0-rc.0` (buildinfo's `data.version`).
    pub fn parse(version: &str) -> Option<Engine> {
        let v = version.trim().trim_start_matches('v');
        let mut parts = v.split(['.', '+', '-']);
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        Some(Engine { major, minor })
    }

    /// From 3.0 a range `[R]` excludes its left boundary.
    pub fn left_open(self) -> bool {
        self.major >= 3
    }

    /// From 2.51 the extrapolation threshold is applied before the zero-point limit.
    pub fn threshold_first(self) -> bool {
        (self.major, self.minor) >= (2, 51)
    }

    /// From 2.54 `sum` uses Kahan–Neumaier compensated summation.
    pub fn kahan_sum(self) -> bool {
        (self.major, self.minor) >= (2, 54)
    }

    /// The range semantics in words: `2.x: closed range [T−R, T]`.
    pub fn window_text(self) -> &'static str {
        if self.left_open() {
            "3.x: left-open range (T−R, T]"
        } else {
            "2.x: closed range [T−R, T]"
        }
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// A range function this module recomputes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeFunction {
    /// `rate(x[R])`.
    Rate,
    /// `irate(x[R])`.
    Irate,
    /// `increase(x[R])`.
    Increase,
}

impl RangeFunction {
    /// Reads a PromQL function name.
    pub fn parse(name: &str) -> Option<RangeFunction> {
        match name {
            "rate" => Some(Self::Rate),
            "irate" => Some(Self::Irate),
            "increase" => Some(Self::Increase),
            _ => None,
        }
    }

    /// The PromQL name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rate => "rate",
            Self::Irate => "irate",
            Self::Increase => "increase",
        }
    }
}

/// The samples of one series a range selector `[range_ms]` holds at `eval_ms` (offset
/// already subtracted), staleness markers skipped. `samples` must be in time order.
pub fn window(samples: &[Sample], eval_ms: i64, range_ms: i64, engine: Engine) -> Vec<Sample> {
    let start = eval_ms.saturating_sub(range_ms);
    samples
        .iter()
        .filter(|s| !s.is_stale() && s.t_ms <= eval_ms)
        .filter(|s| {
            if engine.left_open() {
                s.t_ms > start
            } else {
                s.t_ms >= start
            }
        })
        .copied()
        .collect()
}

/// Every intermediate of `extrapolatedRate`, so a report can print the arithmetic.
#[derive(Debug, Clone, PartialEq)]
pub struct RateCalc {
    /// The function computed.
    pub function: RangeFunction,
    /// `v[n−1] − v[0]` plus every pre-reset value.
    pub increase: f64,
    /// The counter resets found: (time of the sample after the drop, value before it).
    pub resets: Vec<(i64, f64)>,
    /// Seconds from the range start to the first sample, as computed (before limits).
    pub gap_start: f64,
    /// Seconds from the last sample to the range end.
    pub gap_end: f64,
    /// Seconds between the first and the last sample.
    pub sampled: f64,
    /// `sampled / (n − 1)`.
    pub average_interval: f64,
    /// The start extrapolation applied (seconds).
    pub extend_start: f64,
    /// The end extrapolation applied (seconds).
    pub extend_end: f64,
    /// True when the start was limited to where the counter would reach zero.
    pub zero_limited: bool,
    /// `(sampled + extend_start + extend_end) / sampled`, then `/ R` for `rate`.
    pub factor: f64,
    /// The result: `increase × factor`.
    pub value: f64,
    /// The range in seconds.
    pub range_seconds: f64,
}

/// `extrapolatedRate` for `rate` (`is_rate`) or `increase` of one series' window
/// (see [`window`]); `None` with fewer than two samples, as Prometheus returns no element.
pub fn extrapolated_rate(
    points: &[Sample],
    eval_ms: i64,
    range_ms: i64,
    is_rate: bool,
    engine: Engine,
) -> Option<RateCalc> {
    let (first, last) = (points.first()?, points.last()?);
    if points.len() < 2 {
        return None;
    }
    let mut result = last.v - first.v;
    let mut resets = Vec::new();
    let mut prev = first.v;
    for p in &points[1..] {
        if p.v < prev {
            result += prev;
            resets.push((p.t_ms, prev));
        }
        prev = p.v;
    }
    // Saturating: a hostile bundle may hold any timestamps; real ones are far from the ends.
    let range_start = eval_ms.saturating_sub(range_ms);
    let mut d_start = first.t_ms.saturating_sub(range_start) as f64 / 1000.0;
    let mut d_end = eval_ms.saturating_sub(last.t_ms) as f64 / 1000.0;
    let (gap_start, gap_end) = (d_start, d_end);
    let sampled = last.t_ms.saturating_sub(first.t_ms) as f64 / 1000.0;
    let avg = sampled / (points.len() - 1) as f64;
    let threshold = avg * 1.1;
    let mut zero_limited = false;
    let mut limit_zero = |d_start: &mut f64| {
        if result > 0.0 && first.v >= 0.0 {
            let d_zero = sampled * (first.v / result);
            if d_zero < *d_start {
                *d_start = d_zero;
                zero_limited = true;
            }
        }
    };
    let extended = if engine.threshold_first() {
        if d_start >= threshold {
            d_start = avg / 2.0;
        }
        limit_zero(&mut d_start);
        let mut ext = sampled + d_start;
        if d_end >= threshold {
            d_end = avg / 2.0;
        }
        ext += d_end;
        ext
    } else {
        limit_zero(&mut d_start);
        let mut ext = sampled;
        if d_start < threshold {
            ext += d_start;
        } else {
            d_start = avg / 2.0;
            ext += d_start;
        }
        if d_end < threshold {
            ext += d_end;
        } else {
            d_end = avg / 2.0;
            ext += d_end;
        }
        ext
    };
    let range_seconds = range_ms as f64 / 1000.0;
    let mut factor = extended / sampled;
    if is_rate {
        factor /= range_seconds;
    }
    Some(RateCalc {
        function: if is_rate {
            RangeFunction::Rate
        } else {
            RangeFunction::Increase
        },
        increase: result,
        resets,
        gap_start,
        gap_end,
        sampled,
        average_interval: avg,
        extend_start: d_start,
        extend_end: d_end,
        zero_limited,
        factor,
        value: result * factor,
        range_seconds,
    })
}

/// What `irate` used: the last two samples of the window.
#[derive(Debug, Clone, PartialEq)]
pub struct IrateCalc {
    /// The second-to-last sample.
    pub prev: Sample,
    /// The last sample.
    pub last: Sample,
    /// True when `last < prev`: the counter restarted and `last` itself is the increase.
    pub reset: bool,
    /// `last − prev` (or `last` after a reset).
    pub delta: f64,
    /// `(last.t − prev.t) / 1000`.
    pub seconds: f64,
    /// `delta / seconds`.
    pub value: f64,
}

/// `irate` of one series' window; `None` with fewer than two samples or equal timestamps.
pub fn irate(points: &[Sample]) -> Option<IrateCalc> {
    let [.., prev, last] = points else {
        return None;
    };
    let reset = last.v < prev.v;
    let delta = if reset { last.v } else { last.v - prev.v };
    let dt = last.t_ms.saturating_sub(prev.t_ms);
    if dt == 0 {
        return None;
    }
    let seconds = dt as f64 / 1000.0;
    Some(IrateCalc {
        prev: *prev,
        last: *last,
        reset,
        delta,
        seconds,
        value: delta / seconds,
    })
}

/// One series' recomputed value, with the intermediates of whichever function ran.
#[derive(Debug, Clone, PartialEq)]
pub enum Calc {
    /// `rate` or `increase`.
    Extrapolated(RateCalc),
    /// `irate`.
    Instant(IrateCalc),
}

impl Calc {
    /// The value.
    pub fn value(&self) -> f64 {
        match self {
            Calc::Extrapolated(c) => c.value,
            Calc::Instant(c) => c.value,
        }
    }
}

/// `function(x[range_ms])` at `eval_ms` for one series' raw samples (in time order).
pub fn evaluate(
    function: RangeFunction,
    samples: &[Sample],
    eval_ms: i64,
    range_ms: i64,
    engine: Engine,
) -> Option<Calc> {
    let points = window(samples, eval_ms, range_ms, engine);
    match function {
        RangeFunction::Irate => irate(&points).map(Calc::Instant),
        RangeFunction::Rate => {
            extrapolated_rate(&points, eval_ms, range_ms, true, engine).map(Calc::Extrapolated)
        }
        RangeFunction::Increase => {
            extrapolated_rate(&points, eval_ms, range_ms, false, engine).map(Calc::Extrapolated)
        }
    }
}

/// `sum` of one group's values in input order, as `engine` adds them.
pub fn sum(values: &[f64], engine: Engine) -> Option<f64> {
    let (first, rest) = values.split_first()?;
    if !engine.kahan_sum() {
        return Some(rest.iter().fold(*first, |acc, v| acc + v));
    }
    let (mut total, mut c) = (*first, 0.0);
    for v in rest {
        (total, c) = kahan_step(*v, total, c);
    }
    Some(total + c)
}

/// One Kahan–Neumaier step: `(sum, compensation)` after adding `v`.
fn kahan_step(v: f64, sum: f64, c: f64) -> (f64, f64) {
    let t = sum + v;
    let c = if t.is_infinite() {
        0.0
    } else if sum.abs() >= v.abs() {
        c + ((sum - t) + v)
    } else {
        c + ((v - t) + sum)
    };
    (t, c)
}

/// A Prometheus duration (`5m`, `120s`, `1h30m`, `500ms`) in milliseconds.
pub fn parse_duration_ms(s: &str) -> Option<i64> {
    let mut total: i64 = 0;
    let mut rest = s;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let n: i64 = rest.get(..digits)?.parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let ms = match unit {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 604_800_000,
            "y" => 31_536_000_000,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(ms)?)?;
    }
    Some(total)
}
