//! Every committed fuzz input, replayed through the fuzz targets' own oracles.
//!
//! `fuzz/seeds/<target>/` holds each target's small seed corpus and `fuzz/regressions/<target>/`
//! the minimized inputs of crashes the fuzzers found (kept after the fix). A test per
//! target runs all of them through the function in [`checks`] that the fuzz target calls,
//! so a committed input that breaks again fails `cargo test` (see docs/fuzzing.md).

mod checks;

use std::path::{Path, PathBuf};

/// The committed inputs of `target`, seeds and regressions, sorted by path.
fn inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files: Vec<PathBuf> = ["seeds", "regressions"]
        .iter()
        .map(|kind| root.join(kind).join(target))
        .filter(|dir| dir.is_dir())
        .flat_map(|dir| std::fs::read_dir(dir).expect("readable fuzz input folder"))
        .map(|entry| entry.expect("readable folder entry").path())
        .collect();
    files.sort();
    files
}

/// Runs `check` on every committed input of `target`; returns how many there were.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    let files = inputs(target);
    for file in &files {
        let data = std::fs::read(file).expect("readable fuzz input");
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "fuzz input {} fails again", file.display());
    }
    files.len()
}

#[test]
fn exposition_parse_inputs_pass() {
    assert!(replay("exposition_parse", checks::check_exposition_parse) >= 3);
}

#[test]
fn pod_line_filter_inputs_pass() {
    assert!(replay("pod_line_filter", checks::check_pod_line_filter) >= 3);
}

#[test]
fn quantity_inputs_pass() {
    assert!(replay("quantity", checks::check_quantity) >= 3);
}

#[test]
fn template_inputs_pass() {
    assert!(replay("template", checks::check_template) >= 3);
}

#[test]
fn selector_inputs_pass() {
    assert!(replay("selector", checks::check_selector) >= 3);
}

#[test]
fn bundle_inputs_pass() {
    assert!(replay("bundle", checks::check_bundle) >= 2);
}

/// Found by the `pod_line_filter` fuzzer: a body pushed in one chunk went on keeping
/// shorter matching lines after the first one that did not fit the limits, while the same
/// body pushed line by line kept nothing more; the docs promise nothing after the cut.
#[test]
fn filter_keeps_nothing_after_the_cut_even_within_one_chunk() {
    use ktrace::exposition::filter::KeepLimits;
    use ktrace::exposition::{PodLineFilter, PodSelector};
    let long = format!(
        "a{{namespace=\"ns\",pod=\"p\",x=\"{}\"}} 1\n",
        "y".repeat(60)
    );
    let body = format!("{long}b{{namespace=\"ns\",pod=\"p\"}} 2\n");
    let limits = KeepLimits {
        lines: 10,
        bytes: 50,
    };
    let mut filter = PodLineFilter::new(PodSelector::new("ns", "p")).with_limits(limits);
    let mut out = Vec::new();
    filter.push(body.as_bytes(), &mut out);
    filter.finish(&mut out);
    assert_eq!(String::from_utf8_lossy(&out), "");
    let stats = filter.stats();
    assert!(stats.cut);
    assert_eq!((stats.lines_kept, stats.bytes_out), (0, 0));
}
