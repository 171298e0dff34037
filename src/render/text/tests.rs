use super::*;

fn plain(s: &str) -> String {
    safe::finish(s, false)
}

#[test]
fn the_verdict_line_reads_the_verdict_words_and_points_to_the_details() {
    let lines: Vec<String> = [
        Verdict::Consistent,
        Verdict::Partial,
        Verdict::Disagree,
        Verdict::Drift,
    ]
    .into_iter()
    .map(|v| plain(&verdict(v)))
    .collect();
    assert_eq!(
        lines,
        [
            "consistent: every layer present and every value agrees",
            "partial: some sources are missing (see above)",
            "disagree: the backend's value is not the Metrics API value (see findings)",
            "consistent, with drift: the backend reproduces the Metrics API exactly; newer kubelet samples differ (see findings)",
        ]
    );
}

#[test]
fn the_verdict_is_painted_by_how_good_it_is() {
    assert!(safe::finish(&verdict(Verdict::Disagree), true).starts_with("\u{1b}[31mdisagree"));
    assert!(safe::finish(&verdict(Verdict::Drift), true).starts_with("\u{1b}[32mconsistent"));
    assert!(safe::finish(&verdict(Verdict::Partial), true).starts_with("\u{1b}[33mpartial"));
}
