//! Exact Kubernetes `resource.Quantity` values and the `kubectl top` arithmetic
//! applied to them.
//!
//! A [`Quantity`] holds its value as whole nano-units in an `i128` (1Ei × 1e9 fits
//! with room to spare), so sums and roundings are exact; no floats are involved.
//! Behaviour follows apimachinery `pkg/api/resource` and kubectl `pkg/metricsutil`:
//!
//! * Syntax: `[+-]digits[.digits]suffix`, suffix one of `Ki…Ei`, `n u m k M G T P E`,
//!   none, or `e<int>`. Unlike Go, a digit is required (Go reads `"Mi"`, `"-"` as 0).
//! * Precision finer than 1n is rounded up to the next nano-unit, away from zero,
//!   as `ParseQuantity` does (`1.0000000001` → 1000000001n).
//! * `Value()` and `MilliValue()` round away from zero: ceiling for positive
//!   values, and −1.5 → −2 (apimachinery's documented rule).
//! * Go caps or overflows at int64; here results are exact up to about ±1.7e29
//!   units, and anything larger is an error with reason [`OUT_OF_RANGE`].

use std::fmt;

const NANO: i128 = 1_000_000_000;
const MIB: i128 = 1 << 20;
/// `x / 2^20 == x * 5^20 / 10^20`, so every MiB fraction has at most 20 decimals.
const FIVE_POW_20: u128 = 95_367_431_640_625;
/// Every suffix with its power of ten and power of two.
#[rustfmt::skip]
const SUFFIXES: [(&str, i32, u32); 16] = [
    ("n", -9, 0), ("u", -6, 0), ("m", -3, 0), ("", 0, 0), ("k", 3, 0), ("M", 6, 0),
    ("G", 9, 0), ("T", 12, 0), ("P", 15, 0), ("E", 18, 0), ("Ki", 0, 10), ("Mi", 0, 20),
    ("Gi", 0, 30), ("Ti", 0, 40), ("Pi", 0, 50), ("Ei", 0, 60),
];

/// The suffix family a quantity was written in; it decides its canonical string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    BinarySi,
    DecimalSi,
    DecimalExponent,
}

/// An exact quantity plus the string it was parsed from.
#[derive(Debug, Clone)]
pub struct Quantity {
    nanos: i128,
    format: Format,
    original: String,
}

/// Why a string is not a usable quantity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuantityError {
    /// The rejected text (for a sum, `a + b`).
    pub input: String,
    /// What is wrong, e.g. `bad suffix` or [`OUT_OF_RANGE`].
    pub reason: &'static str,
}

/// [`QuantityError::reason`] for well-formed values beyond about ±1.7e29 units.
pub const OUT_OF_RANGE: &str = "too large to represent exactly";

impl QuantityError {
    fn new(input: impl Into<String>, reason: &'static str) -> Self {
        let input = input.into();
        Self { input, reason }
    }
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Keep the message readable when the input is huge.
        let shown = match self.input.char_indices().nth(60) {
            Some((cut, _)) => format!("{}…", &self.input[..cut]),
            None => self.input.clone(),
        };
        write!(f, "invalid quantity {shown:?}: {}", self.reason)
    }
}

impl std::error::Error for QuantityError {}

/// Parses a Kubernetes quantity string such as `176Ki`, `4210345n` or `1.5Gi`.
pub fn parse(s: &str) -> Result<Quantity, QuantityError> {
    let malformed = |reason| QuantityError::new(s, reason);
    let (negative, body) = match s.as_bytes() {
        [] => return Err(malformed("empty string")),
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        all => (false, all),
    };
    let (int, rest) = split_digits(body);
    let (frac, rest) = match rest {
        [b'.', tail @ ..] => split_digits(tail),
        _ => (&rest[..0], rest),
    };
    if int.is_empty() && frac.is_empty() {
        return Err(malformed("no digits"));
    }
    let (exp10, shift, format) = parse_suffix(rest)
        .ok_or_else(|| malformed("bad suffix (want n u m k M G T P E, Ki…Ei or e<int>)"))?;
    let magnitude = to_nanos(int, frac, exp10, shift).ok_or_else(|| malformed(OUT_OF_RANGE))?;
    let nanos = if negative { -magnitude } else { magnitude };
    Ok(Quantity {
        nanos,
        format,
        original: s.to_owned(),
    })
}

fn split_digits(b: &[u8]) -> (&[u8], &[u8]) {
    b.split_at(b.iter().take_while(|c| c.is_ascii_digit()).count())
}

/// Returns (decimal exponent, binary shift, format) for a suffix.
fn parse_suffix(s: &[u8]) -> Option<(i64, u32, Format)> {
    if let Some(&(_, exp, shift)) = SUFFIXES.iter().find(|(name, ..)| name.as_bytes() == s) {
        let format = if shift == 0 {
            Format::DecimalSi
        } else {
            Format::BinarySi
        };
        return Some((i64::from(exp), shift, format));
    }
    let [b'e' | b'E', rest @ ..] = s else {
        return None;
    };
    let (negative, digits) = match rest {
        [b'-', d @ ..] => (true, d),
        [b'+', d @ ..] => (false, d),
        d => (false, d),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let exp = i64::try_from(accumulate(digits.iter().map(|c| c - b'0'))?).ok()?;
    let exp = if negative { -exp } else { exp };
    Some((exp, 0, Format::DecimalExponent))
}

/// |value| in nano-units, rounded up when finer than 1n; `None` if it does not fit.
fn to_nanos(int: &[u8], frac: &[u8], exp10: i64, shift: u32) -> Option<i128> {
    let mut digits: Vec<u8> = int.iter().chain(frac).map(|c| c - b'0').collect();
    if digits.iter().all(|&d| d == 0) {
        return Some(0);
    }
    times_pow2(&mut digits, shift);
    // value = digits × 10^k nano-units
    let k = exp10
        .checked_sub(i64::try_from(frac.len()).ok()?)?
        .checked_add(9)?;
    if k >= 0 {
        let mut n = accumulate(digits.iter().copied())?;
        for _ in 0..k {
            n = n.checked_mul(10)?; // n ≥ 1, so this bails out within 128 rounds
        }
        return Some(n);
    }
    let drop = usize::try_from(k.unsigned_abs()).unwrap_or(usize::MAX);
    if drop >= digits.len() {
        return Some(1); // non-zero but below 1n
    }
    let (keep, dropped) = digits.split_at(digits.len() - drop);
    let round_up = dropped.iter().any(|&d| d != 0);
    accumulate(keep.iter().copied())?.checked_add(i128::from(round_up))
}

/// Multiplies a big-endian decimal digit string by `2^shift` (shift ≤ 60).
fn times_pow2(digits: &mut Vec<u8>, shift: u32) {
    let factor = 1u128 << shift;
    let mut carry = 0u128;
    for d in digits.iter_mut().rev() {
        let v = u128::from(*d) * factor + carry;
        *d = (v % 10) as u8;
        carry = v / 10;
    }
    while carry > 0 {
        digits.insert(0, (carry % 10) as u8);
        carry /= 10;
    }
}

/// Decimal digit values (0–9, most significant first) as an integer, if it fits.
fn accumulate(digits: impl IntoIterator<Item = u8>) -> Option<i128> {
    digits
        .into_iter()
        .try_fold(0i128, |n, d| n.checked_mul(10)?.checked_add(i128::from(d)))
}

/// `n / d` rounded away from zero (apimachinery's "round up").
fn div_away_from_zero(n: i128, d: i128) -> i128 {
    let (q, r) = (n / d, n % d);
    q + r.signum()
}

impl Quantity {
    /// The string this quantity was parsed from (canonical form for a sum).
    pub fn original(&self) -> &str {
        &self.original
    }

    /// The exact value × 1e9 (sub-nano input was rounded up at parse time).
    pub fn nanos(&self) -> i128 {
        self.nanos
    }

    /// apimachinery `Value()`: whole units, rounded away from zero (ceil for ≥ 0).
    pub fn value_ceil(&self) -> i128 {
        div_away_from_zero(self.nanos, NANO)
    }

    /// apimachinery `MilliValue()`: `ceil(q × 1000)`, away from zero for negatives.
    pub fn milli_value_ceil(&self) -> i128 {
        div_away_from_zero(self.nanos, NANO / 1000)
    }

    /// Exact sum, like `Quantity.Add` (kubectl's pod row). The result's format is
    /// `self`'s unless `self` is zero; its string is the canonical form.
    pub fn add(&self, other: &Quantity) -> Result<Quantity, QuantityError> {
        let input = || format!("{} + {}", self.original, other.original);
        let nanos = (self.nanos.checked_add(other.nanos))
            .ok_or_else(|| QuantityError::new(input(), OUT_OF_RANGE))?;
        let format = if self.nanos == 0 {
            other.format
        } else {
            self.format
        };
        Ok(Quantity {
            nanos,
            format,
            original: canonical(nanos, format),
        })
    }

    /// Exact difference, like `Quantity.Sub`: the result keeps `self`'s format unless
    /// `self` is zero (then `other`'s); its string is the canonical form.
    pub fn sub(&self, other: &Quantity) -> Result<Quantity, QuantityError> {
        let input = || format!("{} - {}", self.original, other.original);
        let nanos = (self.nanos.checked_sub(other.nanos))
            .ok_or_else(|| QuantityError::new(input(), OUT_OF_RANGE))?;
        let format = if self.nanos == 0 {
            other.format
        } else {
            self.format
        };
        Ok(Quantity {
            nanos,
            format,
            original: canonical(nanos, format),
        })
    }

    /// `IsZero()`.
    pub fn is_zero(&self) -> bool {
        self.nanos == 0
    }

    /// `Cmp()`: compares the exact values (formats are ignored).
    pub fn cmp_value(&self, other: &Quantity) -> std::cmp::Ordering {
        self.nanos.cmp(&other.nanos)
    }

    /// True if the string was written in a binary suffix (`Ki`…`Ei`).
    pub fn is_binary_si(&self) -> bool {
        self.format == Format::BinarySi
    }

    /// The canonical string apimachinery would serialize this value as.
    pub fn canonical(&self) -> String {
        canonical(self.nanos, self.format)
    }
}

/// kubectl top memory column: `Value() / (1024*1024)` with Go integer division
/// (floor for non-negative values, truncation toward zero otherwise), e.g. `84Mi`.
pub fn kubectl_memory(q: &Quantity) -> String {
    format!("{}Mi", q.value_ceil() / MIB)
}

/// kubectl top cpu column: `MilliValue()` followed by `m`, e.g. `5m`.
pub fn kubectl_cpu(q: &Quantity) -> String {
    format!("{}m", q.milli_value_ceil())
}

/// The arithmetic behind [`kubectl_memory`], with the exact quotient, e.g.
/// `86880Ki = 88965120 B; floor(88965120 B / 1048576) = floor(84.84375) = 84 → 84Mi`.
pub fn explain_memory(q: &Quantity) -> String {
    let bytes = q.value_ceil();
    let mi = bytes / MIB;
    let source = if q.nanos % NANO != 0 {
        let exact = exact_decimal(q.nanos, NANO.unsigned_abs(), 1, 9);
        format!(
            "{} = {exact} B, Value() rounds up to {bytes} B; ",
            q.original
        )
    } else if q.original != bytes.to_string() {
        format!("{} = {bytes} B; ", q.original)
    } else {
        String::new()
    };
    let op = if bytes < 0 { "trunc" } else { "floor" };
    let ratio = exact_decimal(bytes, MIB.unsigned_abs(), FIVE_POW_20, 20);
    format!("{source}{op}({bytes} B / 1048576) = {op}({ratio}) = {mi} → {mi}Mi")
}

/// The arithmetic behind [`kubectl_cpu`], e.g.
/// `ceil(4210345n × 1000) = ceil(4.210345) = 5 → 5m`.
pub fn explain_cpu(q: &Quantity) -> String {
    let milli = q.milli_value_ceil();
    let op = ["ceil", "round_away_from_0"][usize::from(q.nanos < 0)];
    let exact = exact_decimal(q.nanos, 1_000_000, 1, 6);
    format!(
        "{op}({} × 1000) = {op}({exact}) = {milli} → {milli}m",
        q.original
    )
}

/// Renders `n / div` exactly; requires `div × scale == 10^places`, so that the
/// remainder times `scale` is the fraction in units of `10^-places`.
fn exact_decimal(n: i128, div: u128, scale: u128, places: usize) -> String {
    let a = n.unsigned_abs();
    let (int, frac) = (a / div, (a % div) * scale);
    let sign = if n < 0 { "-" } else { "" };
    if frac == 0 {
        return format!("{sign}{int}");
    }
    let digits = format!("{frac:0places$}");
    format!("{sign}{int}.{}", digits.trim_end_matches('0'))
}

fn canonical(nanos: i128, format: Format) -> String {
    match format {
        Format::BinarySi if nanos % NANO == 0 => canonical_binary_bytes(nanos / NANO),
        Format::DecimalExponent => canonical_decimal(nanos, -9, true),
        _ => canonical_decimal(nanos, -9, false),
    }
}

/// `mantissa × 10^exp` (exp a multiple of 3) with factors of 1000 folded into
/// the suffix; exponents without an SI letter use `e<exp>` as apimachinery does.
fn canonical_decimal(mut mantissa: i128, mut exp: i32, exponent_style: bool) -> String {
    if mantissa == 0 {
        return "0".to_owned();
    }
    while mantissa % 1000 == 0 {
        mantissa /= 1000;
        exp += 3;
    }
    match SUFFIXES
        .iter()
        .find(|&&(_, e, shift)| shift == 0 && e == exp)
    {
        Some(&(si, ..)) if !exponent_style || exp == 0 => format!("{mantissa}{si}"),
        _ => format!("{mantissa}e{exp}"),
    }
}

/// BinarySI string for a whole byte count, as the Metrics API emits memory:
/// `180224` → `176Ki`, `88784896` → `86704Ki`, `88784897` → `88784897`, `512` → `512`.
/// Values in (−1024, 1024) use DecimalSI (`1000` → `1k`, as apimachinery does).
pub fn canonical_binary_bytes(bytes: i128) -> String {
    if bytes > -1024 && bytes < 1024 {
        return canonical_decimal(bytes, 0, false);
    }
    let (mut m, mut shift) = (bytes, 0);
    while m % 1024 == 0 && shift < 60 {
        m /= 1024;
        shift += 10;
    }
    let suffix = SUFFIXES.iter().find(|&&(_, e, p)| e == 0 && p == shift);
    format!("{m}{}", suffix.map_or("", |s| s.0))
}

/// prometheus-adapter memory, `NewMilliQuantity(millis, BinarySI)`: whole bytes
/// go through [`canonical_binary_bytes`], fractions stay DecimalSI
/// (`88784896500` → `88784896500m`).
pub fn canonical_binary_millis(millis: i128) -> String {
    if millis % 1000 == 0 {
        canonical_binary_bytes(millis / 1000)
    } else {
        canonical_decimal(millis, -3, false)
    }
}

/// DecimalSI string for a nano-unit count, as metrics-server emits cpu:
/// `4210345` → `4210345n`, `4210000` → `4210u`, `12000000` → `12m`, `1e9` → `1`.
/// (prometheus-adapter's whole millicores: pass `millis × 1e6`; 12 → `12m`.)
pub fn canonical_decimal_nanos(nanos: i128) -> String {
    canonical_decimal(nanos, -9, false)
}

/// A byte count in human units, one rule everywhere in text and Markdown reports:
/// the largest IEC unit (`Ki`, `Mi`, `Gi`, … written as kubectl writes them) in which the
/// value, rounded half up to one decimal, is at least 1; below 1Ki plain bytes (`512 B`).
/// Exact integer arithmetic, never scientific notation:
/// `88784896` → `84.7Mi`, `3256320` → `3.1Mi`, `180224` → `176.0Ki`, `0` → `0 B`,
/// `1048575` → `1.0Mi` (1023.999Ki rounds up to the next unit). Negative values keep
/// their sign (`-2015232` → `-1.9Mi`).
pub fn human_bytes(bytes: i128) -> String {
    let sign = if bytes < 0 { "-" } else { "" };
    let b = bytes.unsigned_abs();
    if b < 1024 {
        return format!("{sign}{b} B");
    }
    let units = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
    let mut shift = 10;
    for (i, unit) in units.iter().enumerate() {
        // Tenths of the unit, rounded half up (no overflow: the remainder is below 2^60).
        let unit_bytes = 1u128 << shift;
        let rest = ((b % unit_bytes) * 10 + unit_bytes / 2) / unit_bytes;
        let tenths = (b / unit_bytes).saturating_mul(10).saturating_add(rest);
        if tenths < 10_240 || i == units.len() - 1 {
            return format!("{sign}{}.{}{unit}", tenths / 10, tenths % 10);
        }
        shift += 10;
    }
    unreachable!("the last unit always returns")
}

#[cfg(test)]
mod tests;
