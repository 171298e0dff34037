use super::*;

#[test]
fn console_binary_uses_two_decimals_below_100_and_drops_zeros() {
    // 89133056 B = 85.00390625 MiB → 2 decimals → 85.00 → "85".
    assert_eq!(Display::ConsoleBinary.show(89_133_056), "85 MiB");
    // 14086144 B = 13.43359375 MiB.
    assert_eq!(Display::ConsoleBinary.show(14_086_144), "13.43 MiB");
    // ≥ 100 in its unit: 1 decimal; < 1024 B stays in B.
    assert_eq!(Display::ConsoleBinary.show(178_098_176), "169.8 MiB");
    assert_eq!(Display::ConsoleBinary.show(512), "512 B");
    // 1000.5 KiB: en-US grouping, 1 decimal.
    assert_eq!(Display::ConsoleBinary.show(1_024_512), "1,000.5 KiB");
}

#[test]
fn console_decimal_divides_by_1000() {
    assert_eq!(Display::ConsoleDecimal.show(89_133_056), "89.13 MB");
}

#[test]
fn mib1_always_one_decimal() {
    assert_eq!(Display::MiB1.show(89_133_056), "85.0");
    assert_eq!(Display::MiB1.show(14_086_144), "13.4");
}

#[test]
fn lens_to_fixed_1_with_binary_suffix() {
    assert_eq!(Display::Lens.show(43_003_904), "41.0MiB");
    assert_eq!(Display::Lens.show(0), "N/A");
}

#[test]
fn fixed_rounds_an_exact_tie_away_from_zero() {
    // 0.25 MiB with 1 decimal: JS toFixed picks the larger, 0.3 (Rust's {:.1} gives 0.2).
    assert_eq!(fixed(262_144, 1 << 20, 1), "0.3");
    assert_eq!(fixed(-262_144, 1 << 20, 1), "-0.3");
    assert_eq!(fixed(7, 1, 0), "7");
}
