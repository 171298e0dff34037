use super::*;

fn q(s: &str) -> Quantity {
    parse(s).unwrap_or_else(|e| panic!("{e}"))
}

/// Checks space-separated `input=expected` pairs with `f`.
fn table(pairs: &str, f: impl Fn(&str) -> String) {
    for pair in pairs.split_whitespace() {
        let (input, want) = pair.split_once('=').unwrap();
        assert_eq!(f(input), want, "{input}");
    }
}

#[test]
fn parses_every_suffix_family_exactly() {
    assert_eq!(q("176Ki").nanos(), 180_224 * NANO);
    assert_eq!(q("86704Ki").value_ceil(), 88_784_896);
    assert_eq!(q("88784896500m").nanos(), 88_784_896_500_000_000);
    assert_eq!(q("4210345n").nanos(), 4_210_345);
    assert_eq!(q("1.5Gi").original(), "1.5Gi");
    let nanos = |s: &str| q(s).nanos().to_string();
    table(
        "0=0 1=1000000000 4210u=4210000 12m=12000000 1E-2=10000000 -1.5m=-1500000 \
             1e3=1000000000000 2e+2=200000000000 100M=100000000000000000 .5=500000000 \
             1.=1000000000 +5=5000000000 007=7000000000 0.5Ki=512000000000 0e999999=0 \
             1.5Gi=1610612736000000000 1E=1000000000000000000000000000 \
             1Ei=1152921504606846976000000000 -1.5=-1500000000",
        nanos,
    );
    // Sub-nano precision rounds up, away from zero; exact values are kept.
    table(
        "1.0000000001=1000000001 -1.0000000001=-1000000001 0.0000000001e3=100 \
             0.0000000001Ki=103",
        nanos,
    );
    assert_eq!(q(&format!("0.{}1", "0".repeat(5000))).nanos(), 1);
    assert_eq!(q(&format!("1{}e-5000", "0".repeat(5000))).nanos(), NANO);
}

#[test]
fn bad_input_is_an_error_naming_it_never_a_panic() {
    let bad = "Mi 1.2.3 12x --1 NaN inf - + . 1e 1e+ 1Ki5 0x10 1_000 1ki 1K 1mi é 1é \
                   1e1.5 1e999999 1e39 1Ei1e30 1e99999999999999999999999";
    for s in bad.split_whitespace().chain(["", " 1", "1 ", "\0"]) {
        let err = parse(s).expect_err(s);
        assert_eq!(err.input, s);
        assert!(err.to_string().contains(&format!("{s:?}")), "{err}");
    }
    assert_eq!(parse("1e999999").unwrap_err().reason, OUT_OF_RANGE);
    let long = parse(&"9".repeat(100)).unwrap_err();
    assert_eq!(long.reason, OUT_OF_RANGE);
    assert!(long.to_string().contains('…') && long.to_string().len() < 120);
}

#[test]
fn worked_example_pause_plus_app_container() {
    let (pause, app) = (q("176Ki"), q("86704Ki"));
    let pod = pause.add(&app).unwrap();
    assert_eq!((pod.value_ceil(), pod.original()), (88_965_120, "86880Ki"));
    let row = |q: &Quantity| kubectl_memory(q);
    assert_eq!([row(&pod), row(&pause), row(&app)], ["84Mi", "0Mi", "84Mi"]);
    assert_eq!(
        explain_memory(&pod),
        "86880Ki = 88965120 B; floor(88965120 B / 1048576) = floor(84.84375) = 84 → 84Mi"
    );
    assert_eq!(
        explain_memory(&q("180224")),
        "floor(180224 B / 1048576) = floor(0.171875) = 0 → 0Mi"
    );
}

#[test]
fn memory_column_rounds_bytes_up_then_floors_mib() {
    let m = q("88784896500m");
    assert_eq!(
        (m.value_ceil(), kubectl_memory(&m)),
        (88_784_897, "84Mi".into())
    );
    assert_eq!(
        explain_memory(&m),
        "88784896500m = 88784896.5 B, Value() rounds up to 88784897 B; \
             floor(88784897 B / 1048576) = floor(84.67187595367431640625) = 84 → 84Mi"
    );
    table(
        "0=0Mi 180224=0Mi 88784896=84Mi 1048575=0Mi 1048576=1Mi 5857280=5Mi 1Gi=1024Mi \
             1.5Mi=1Mi 1Ei=1099511627776Mi -1.5Mi=-1Mi",
        |s| kubectl_memory(&q(s)),
    );
    // Two containers of 0.6 MiB: each row 0Mi, the pod row 1Mi.
    let c = q("629145600m");
    assert_eq!(
        (c.nanos(), kubectl_memory(&c)),
        (q("0.6Mi").nanos(), "0Mi".into())
    );
    assert_eq!(kubectl_memory(&c.add(&c).unwrap()), "1Mi");
}

#[test]
fn cpu_column_is_millivalue_rounded_away_from_zero() {
    table("4210345n=5m 0=0m 1=1000m 12m=12m 1n=1m -1500u=-2m", |s| {
        kubectl_cpu(&q(s))
    });
    let n = q("-1.5");
    assert_eq!((n.value_ceil(), n.milli_value_ceil()), (-2, -1500));
    assert_eq!(
        explain_cpu(&q("4210345n")),
        "ceil(4210345n × 1000) = ceil(4.210345) = 5 → 5m"
    );
    assert_eq!(
        explain_cpu(&q("1")),
        "ceil(1 × 1000) = ceil(1000) = 1000 → 1000m"
    );
    assert!(explain_cpu(&q("-1500u")).ends_with("round_away_from_0(-1.5) = -2 → -2m"));
    assert!(explain_memory(&q("-1.5Mi")).ends_with("trunc(-1.5) = -1 → -1Mi"));
}

#[test]
fn canonical_forms_match_apimachinery_and_parse_back() {
    let binary = "180224=176Ki 88784896=86704Ki 88080384=84Mi 88784897=88784897 0=0 \
                      512=512 1000=1k 1024=1Ki 2000=2000 -2048=-2Ki 1152921504606846976=1Ei \
                      1180591620717411303424=1024Ei";
    table(binary, |s| canonical_binary_bytes(s.parse().unwrap()));
    table(binary, |s| {
        canonical_binary_millis(s.parse::<i128>().unwrap() * 1000)
    });
    for (bytes, text) in binary.split_whitespace().filter_map(|p| p.split_once('=')) {
        assert_eq!(
            q(text).nanos(),
            bytes.parse::<i128>().unwrap() * NANO,
            "{text}"
        );
    }
    table("88784896500=88784896500m 500=500m 1500=1500m", |s| {
        canonical_binary_millis(s.parse().unwrap())
    });
    let decimal = "4210345=4210345n 4210000=4210u 12000000=12m 1000000000=1 \
                       1500000000=1500m 1000000000000=1k 0=0 -5000000=-5m \
                       1000000000000000000000000000000=1e21";
    table(decimal, |s| canonical_decimal_nanos(s.parse().unwrap()));
    for (nanos, text) in decimal.split_whitespace().filter_map(|p| p.split_once('=')) {
        assert_eq!(q(text).nanos().to_string(), nanos);
        assert_eq!(q(text).canonical(), text);
    }
    table(
        "2000=2k 1000e0=1e3 0.001E0=1e-3 1500=1500 88784896Ki=86704Mi",
        |s| q(s).canonical(),
    );
}

#[test]
fn sums_follow_add_format_rules_and_report_overflow() {
    table(
        "0+176Ki=176Ki 1+176Ki=180225 1500m+500m=2 5+-7=-2 176Ki+0=176Ki",
        |s| {
            let (a, b) = s.split_once('+').unwrap();
            q(a).add(&q(b)).unwrap().original().to_owned()
        },
    );
    let big = q("170000000000000000000000000000");
    let err = big.add(&big).unwrap_err();
    assert_eq!(
        (err.input.contains(" + "), err.reason),
        (true, OUT_OF_RANGE)
    );
    assert_eq!(
        big.add(&q("-170000000000000000000000000000"))
            .unwrap()
            .nanos(),
        0
    );
}

#[test]
fn human_bytes_use_one_decimal_and_iec_units_as_kubectl_writes_them() {
    let cases: &[(i128, &str)] = &[
        (0, "0 B"),
        (512, "512 B"),
        (1023, "1023 B"),
        (1024, "1.0Ki"),
        (4096, "4.0Ki"),
        (180_224, "176.0Ki"),
        (1_048_575, "1.0Mi"),
        (1_048_576, "1.0Mi"),
        (3_256_320, "3.1Mi"),
        (85_528_576, "81.6Mi"),
        (88_784_896, "84.7Mi"),
        (88_965_120, "84.8Mi"),
        (14_086_144, "13.4Mi"),
        (1_720_320, "1.6Mi"),
        // 1.25Mi exactly: half up.
        (1_310_720, "1.3Mi"),
        (1_288_490_189, "1.2Gi"),
        (1 << 60, "1.0Ei"),
        (5 << 70, "5120.0Ei"),
        (-2_015_232, "-1.9Mi"),
        (i128::MIN, "-147573952589676412928.0Ei"),
    ];
    for (bytes, want) in cases {
        assert_eq!(human_bytes(*bytes), *want, "{bytes}");
    }
}

#[test]
fn differences_keep_the_first_format_unless_it_is_zero() {
    let d = q("8Gi").sub(&q("512Mi")).unwrap();
    assert_eq!(
        (d.canonical(), d.is_binary_si()),
        ("7680Mi".to_owned(), true)
    );
    // A decimal subtrahend leaves a remainder that is not a multiple of 1024: plain bytes.
    assert_eq!(q("1Gi").sub(&q("5M")).unwrap().canonical(), "1068741824");
    // Zero takes the other operand's format, as Go's Sub does.
    assert_eq!(q("0").sub(&q("1Ki")).unwrap().canonical(), "-1Ki");
    assert_eq!(q("14").sub(&q("13500m")).unwrap().canonical(), "500m");
    assert_eq!(q("100m").sub(&q("250m")).unwrap().original(), "-150m");
}

#[test]
fn comparison_and_zero_ignore_the_format() {
    use std::cmp::Ordering::*;
    assert_eq!(q("1Ki").cmp_value(&q("1024")), Equal);
    assert_eq!(q("1k").cmp_value(&q("1Ki")), Less);
    assert_eq!(q("0.1").cmp_value(&q("99m")), Greater);
    assert!(q("0Mi").is_zero() && !q("1n").is_zero());
    assert!(q("5Mi").is_binary_si() && !q("5M").is_binary_si());
}
