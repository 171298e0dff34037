//! Prometheus's own PromQL function tests (`functions.test` of v2.42.0 and of main, read in
//! place from the real-data corpus, `prometheus-promql-tests/`, see SOURCES.md there) run
//! against ktrace's rate engine, `ktrace::promql::rate`.
//!
//! Every eval whose expression is `rate`, `irate` or `increase` of one plain range selector
//! (optionally with `offset`) over float series is evaluated with `rate::evaluate` per
//! selected series — v2.42.0's with [`Engine::V2_42`] (closed range, zero limit first), main's
//! with 3.14 (left-open range, threshold first) — and compared with the expected vector the
//! way promqltest compares floats (see [`equal_v2_42`] and [`equal_head`]). Every other eval
//! is skipped and counted by reason. The counts are asserted exactly, so a parser that
//! silently loses cases fails, and the summary is printed (`--nocapture`) and in the message.
//!
//! * [`parse`]: the script commands; [`values`]: the expanding value notation;
//! * [`eval`]: scope, evaluation and comparison.

use std::collections::BTreeMap;

use ktrace::promql::rate::Engine;

use crate::support::fixtures;

mod eval;
mod parse;
mod values;

use eval::{HISTOGRAM, INSIDE, OTHER, Outcome, SUBQUERY};
use values::Point;

/// The engine main's file is run with: 3.14, the release line main was at (left-open range,
/// threshold before the zero limit, as every 3.x).
const HEAD: Engine = Engine {
    major: 3,
    minor: 14,
};

/// The smallest positive normal float64 (`minNormal` in both promqltest versions).
const MIN_NORMAL: f64 = f64::MIN_POSITIVE;

/// promqltest's relative tolerance: `epsilon` (promql/test.go @v2.42.0) and `defaultEpsilon`
/// (promql/promqltest/test.go @main), both 0.000001.
const EPSILON: f64 = 0.000001;

/// `almostEqual` of promql/test.go @v2.42.0: NaN equals NaN; else equal values, or a
/// difference below `epsilon × minNormal` when either is 0 or the difference is subnormal,
/// or a difference below `epsilon` relative to `|a| + |b|`.
fn equal_v2_42(a: f64, b: f64) -> bool {
    if a.is_nan() && b.is_nan() || a == b {
        return true;
    }
    let diff = (a - b).abs();
    if a == 0.0 || b == 0.0 || diff < MIN_NORMAL {
        return diff < EPSILON * MIN_NORMAL;
    }
    diff / (a.abs() + b.abs()) < EPSILON
}

/// `almost.Equal(a, b, defaultEpsilon)` of util/almost/almost.go @main: a staleness marker
/// only equals another; NaN equals NaN; else as v2.42 but the small case tests `|a| + |b|`
/// (not the difference) against `minNormal`, and the sum is capped at `MaxFloat64`.
fn equal_head(a: f64, b: f64) -> bool {
    let stale = |v: f64| v.to_bits() == ktrace::promql::rate::STALE_NAN_BITS;
    if stale(a) || stale(b) {
        return stale(a) && stale(b);
    }
    if a.is_nan() && b.is_nan() || a == b {
        return true;
    }
    let (sum, diff) = (a.abs() + b.abs(), (a - b).abs());
    if a == 0.0 || b == 0.0 || sum < MIN_NORMAL {
        return diff < EPSILON * MIN_NORMAL;
    }
    diff / sum.min(f64::MAX) < EPSILON
}

/// What running one script gave.
#[derive(Debug, Default, PartialEq)]
struct Counts {
    /// Evals in the script (lines starting with `eval`, counted on the raw text).
    evals: usize,
    /// In-scope evals run, passed, values compared, values bit-exact.
    run: usize,
    passed: usize,
    values: usize,
    exact: usize,
    /// The values within tolerance but not bit-exact, with their lines.
    inexact: Vec<String>,
    /// Skipped evals by reason.
    skipped: BTreeMap<&'static str, usize>,
    /// Each failure, with its line.
    failures: Vec<String>,
    /// The lines of the evals that failed.
    failed_lines: Vec<usize>,
}

impl Counts {
    fn summary(&self, file: &str) -> String {
        let skipped: Vec<String> = self
            .skipped
            .iter()
            .map(|(r, n)| format!("{n} {r}"))
            .collect();
        format!(
            "{file}: {} evals; {} rate/irate/increase evaluations run, {} passed \
             ({} values compared, {} bit-exact); skipped: {}{}{}",
            self.evals,
            self.run,
            self.passed,
            self.values,
            self.exact,
            skipped.join(", "),
            self.inexact
                .iter()
                .map(|f| format!("\n  not bit-exact: {f}"))
                .collect::<String>(),
            self.failures
                .iter()
                .map(|f| format!("\n  FAILED {f}"))
                .collect::<String>(),
        )
    }
}

/// Reads `prometheus-promql-tests/<file>` from the corpus and runs it.
fn run_file(file: &str, engine: Engine, equal: eval::Equal) -> Counts {
    let text = fixtures::realdata(&format!("prometheus-promql-tests/{file}"));
    let commands = parse::script(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut counts = Counts {
        evals: text.lines().filter(|l| l.starts_with("eval")).count(),
        ..Counts::default()
    };
    for (line, outcome) in eval::run(&commands, engine, equal) {
        match outcome {
            Outcome::Skipped(reason) => *counts.skipped.entry(reason).or_default() += 1,
            Outcome::Passed {
                values,
                exact,
                inexact,
            } => {
                counts.inexact.extend(inexact);
                counts.run += 1;
                counts.passed += 1;
                counts.values += values;
                counts.exact += exact;
            }
            Outcome::Failed(why) => {
                counts.run += 1;
                counts.failed_lines.push(line);
                counts.failures.push(why);
            }
        }
    }
    counts
}

/// Checks a script's counts against the ones this runner found when it was written.
fn check(file: &str, counts: &Counts, want: (usize, usize, usize, &[(&str, usize)])) {
    let summary = counts.summary(file);
    println!("{summary}");
    let (run, values, exact, skipped) = want;
    let total: usize = counts.run + counts.skipped.values().sum::<usize>();
    assert_eq!(total, counts.evals, "every eval run or skipped\n{summary}");
    assert!(
        counts.failures.is_empty(),
        "in-scope cases failed\n{summary}"
    );
    assert_eq!(
        (counts.run, counts.values, counts.exact),
        (run, values, exact),
        "evaluations run, values compared, bit-exact\n{summary}"
    );
    let skipped: BTreeMap<&str, usize> = skipped.iter().copied().collect();
    assert_eq!(counts.skipped, skipped, "skips by reason\n{summary}");
}

#[test]
fn prometheus_v2_42_functions_test_rate_cases_pass_with_2_42_semantics() {
    let file = "v2.42.0-functions.test";
    let counts = run_file(file, Engine::V2_42, equal_v2_42);
    // The one value not bit-exact: line 137's {start="4m"} is 0.7000000000000001, the file
    // says 0.7; promtool 2.42 (exact comparison) gives 0.7000000000000001 too.
    let skipped = [(OTHER, 190), (INSIDE, 1), (SUBQUERY, 4)];
    check(file, &counts, (12, 27, 26, &skipped));
}

#[test]
fn prometheus_main_functions_test_rate_cases_pass_with_3_x_semantics() {
    let file = "head-functions.test";
    let counts = run_file(file, HEAD, equal_head);
    // Not bit-exact: lines 178 and 370 compute 0.2666666666666667 (720 over the left-open
    // 45 minutes, extrapolated to 50), the file says 0.26666666666666666.
    let skipped = [(HISTOGRAM, 8), (OTHER, 402), (INSIDE, 1), (SUBQUERY, 6)];
    check(file, &counts, (14, 35, 33, &skipped));
}

#[test]
fn each_file_fails_under_the_other_releases_semantics() {
    // The window (closed vs left-open) and the order of the extrapolation limits change
    // these cases; the runner must notice.
    let old = run_file("v2.42.0-functions.test", HEAD, equal_head);
    assert_eq!(
        old.failed_lines,
        [76, 104, 108, 137],
        "{}",
        old.summary("v2.42 as 3.14")
    );
    let head = run_file("head-functions.test", Engine::V2_42, equal_v2_42);
    let want = [122, 135, 161, 165, 198];
    assert_eq!(head.failed_lines, want, "{}", head.summary("main as 2.42"));
}

#[test]
fn the_expanding_notation_reads_as_prometheus_grammar_does() {
    let f = Point::Float;
    let got = values::expand("1 -2+1.5x2 3x1 _ _x2 5-1x1 stale {{sum:1 count:1}}x1 Inf");
    let got = got.unwrap();
    let want = [
        f(1.0),
        f(-2.0),
        f(-0.5),
        f(1.0),
        f(3.0),
        f(3.0),
        Point::Omitted,
    ];
    assert_eq!(got[..7], want);
    assert_eq!(got[7..11], [Point::Omitted, Point::Omitted, f(5.0), f(4.0)]);
    let Point::Float(stale) = got[11] else {
        panic!("{got:?}")
    };
    assert_eq!(stale.to_bits(), ktrace::promql::rate::STALE_NAN_BITS);
    assert_eq!(
        got[12..],
        [Point::Histogram, Point::Histogram, f(f64::INFINITY)]
    );
    // `a+bxN` adds b N times, as the grammar's loop does: 0.1 three times is not 0.3.
    let sum = values::expand("0+0.1x3").unwrap();
    assert_eq!(sum[3], f(0.1 + 0.1 + 0.1));
    assert_ne!(sum[3], f(0.3));
}

#[test]
fn promqltest_float_comparison_is_relative_to_one_in_a_million() {
    assert!(equal_v2_42(0.7, 0.7000000000000001) && equal_head(0.7, 0.7000000000000001));
    assert!(!equal_v2_42(1.0, 1.00001) && !equal_head(1.0, 1.00001));
    assert!(equal_v2_42(f64::NAN, f64::NAN) && equal_head(f64::NAN, f64::NAN));
    let stale = f64::from_bits(ktrace::promql::rate::STALE_NAN_BITS);
    assert!(equal_v2_42(stale, f64::NAN) && !equal_head(stale, f64::NAN));
    assert!(!equal_head(0.0, 1e-300) && !equal_v2_42(0.0, 1e-300));
}
