//! How each tool prints a byte value, computed exactly from the integer bytes.

/// A tool's unit and rounding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Display {
    /// Console `humanizeBinaryBytes`: B/KiB/MiB/GiB (÷1024 while ≥ 1024), then
    /// `Intl.NumberFormat` with at most 3 decimals below 1, 2 below 100, else 1 (half away
    /// from zero, trailing zeros dropped), a space before the unit.
    ConsoleBinary,
    /// Console 4.2 `humanizeDecimalBytes`: B/KB/MB/GB (÷1000), same decimals.
    ConsoleDecimal,
    /// Console pods list `formatBytesAsMiB`: MiB with exactly 1 decimal, no unit.
    MiB1,
    /// Lens `bytesToUnits` default precision 1: `toFixed(1)` and `B`/`KiB`/`MiB`/`GiB`.
    Lens,
    /// Plain bytes: the panel's Grafana unit and decimals are not in the reference.
    Bytes,
}

impl Display {
    /// The value as the tool prints it.
    pub fn show(self, bytes: i128) -> String {
        match self {
            Display::ConsoleBinary => humanize(bytes, 1024, &["B", "KiB", "MiB", "GiB", "TiB"]),
            Display::ConsoleDecimal => humanize(bytes, 1000, &["B", "KB", "MB", "GB", "TB"]),
            Display::MiB1 => fixed(bytes, 1 << 20, 1),
            Display::Lens => lens(bytes),
            Display::Bytes => format!("{bytes} B"),
        }
    }

    /// The rounding in words.
    pub fn describe(self) -> &'static str {
        match self {
            Display::ConsoleBinary => {
                "humanizeBinaryBytes: binary units, ≤3/2/1 decimals (<1, <100, else), half up"
            }
            Display::ConsoleDecimal => {
                "humanizeDecimalBytes: decimal units (MB = 10^6 B), ≤3/2/1 decimals, half up"
            }
            Display::MiB1 => "formatBytesAsMiB: bytes/1024/1024 with exactly 1 decimal",
            Display::Lens => "bytesToUnits: toFixed(1) in the largest binary unit",
            Display::Bytes => "bytes (panel unit and decimals not in the reference)",
        }
    }
}

/// Scale down by `div` while ≥ `div`; returns (unit index, divisor as an integer).
fn scale(bytes: i128, div: i128, units: usize) -> (usize, i128) {
    let (mut i, mut d) = (0, 1);
    while bytes.abs() >= d * div && i + 1 < units {
        i += 1;
        d *= div;
    }
    (i, d)
}

fn humanize(bytes: i128, div: i128, units: &[&str]) -> String {
    let (i, d) = scale(bytes, div, units.len());
    // The decimals depend on the scaled value: < 1 → 3, < 100 → 2, else 1.
    let digits = if bytes.abs() < d {
        3
    } else if bytes.abs() < 100 * d {
        2
    } else {
        1
    };
    let text = fixed(bytes, d, digits);
    let trimmed = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    format!("{} {}", group(trimmed), units[i])
}

fn lens(bytes: i128) -> String {
    if bytes <= 0 {
        return "N/A".into();
    }
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let (i, d) = scale(bytes, 1024, units.len());
    format!("{}{}", fixed(bytes, d, 1), units[i])
}

/// `bytes / d` with exactly `digits` decimals, the tie rounded away from zero, computed on
/// integers (so no binary rounding can creep in).
pub fn fixed(bytes: i128, d: i128, digits: u32) -> String {
    let scale = 10i128.pow(digits);
    let n = (bytes.abs() * scale * 2 + d).div_euclid(2 * d);
    let sign = if bytes < 0 && n != 0 { "-" } else { "" };
    let (whole, frac) = (n / scale, n % scale);
    if digits == 0 {
        return format!("{sign}{whole}");
    }
    format!("{sign}{whole}.{frac:0width$}", width = digits as usize)
}

/// en-US thousands separators on the integer part.
fn group(num: &str) -> String {
    let (int, rest) = num.split_at(num.find('.').unwrap_or(num.len()));
    let digits: Vec<char> = int.chars().collect();
    let mut out = String::new();
    for (i, c) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) && c.is_ascii_digit() {
            out.push(',');
        }
        out.push(*c);
    }
    out + rest
}

#[cfg(test)]
mod tests;
