use super::*;

#[test]
fn the_verdict_line_reads_the_verdict_words() {
    assert_eq!(
        verdict(Verdict::Partial),
        "**Verdict:** partial — some sources are missing."
    );
    assert_eq!(
        verdict(Verdict::Drift),
        "**Verdict:** consistent, with drift — the backend reproduces the Metrics API exactly; newer kubelet samples differ."
    );
}

#[test]
fn table_cells_cannot_break_the_table() {
    let mut out = Vec::new();
    md_row(&mut out, &["a|b".into(), "two\nlines".into()]).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), "| a\\|b | two lines |\n");
}
