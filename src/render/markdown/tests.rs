use super::*;

#[test]
fn the_verdict_line_reads_the_verdict_words_and_the_exit_code() {
    assert_eq!(
        verdict(crate::lineage::Verdict::Partial),
        "**Verdict:** partial · exit 3: some sources are missing (see the sources below)."
    );
    assert_eq!(
        verdict(crate::lineage::Verdict::Misleading),
        "**Verdict:** misleading · exit 5: the layers agree, but the `top` number counts memory twice (see the findings below)."
    );
}

#[test]
fn table_cells_cannot_break_the_table() {
    let mut out = Vec::new();
    md_row(&mut out, &["a|b".into(), "two\nlines".into()]).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), "| a\\|b | two lines |\n");
}

#[test]
fn code_spans_and_fences_outgrow_the_backticks_in_their_content() {
    assert_eq!(code_span("plain"), "`plain`");
    assert_eq!(code_span("a`b"), "``a`b``");
    assert_eq!(code_span("`x``"), "``` `x`` ```");
    assert_eq!(code_span("two\nlines"), "`two lines`");
    assert_eq!(fence("sh", "echo hi\n"), "```sh\necho hi\n```\n");
    assert_eq!(fence("", "a ``` b\n````"), "`````\na ``` b\n````\n`````\n");
}

#[test]
fn summary_titles_cannot_open_html() {
    assert_eq!(
        syntax::html_text("<script>&\n</summary>"),
        "&lt;script&gt;&amp; &lt;/summary&gt;"
    );
}

#[test]
fn prose_escapes_what_would_open_markup_and_keeps_ktraces_code_spans() {
    assert_eq!(
        syntax::plain("# x <img> [a](b) *e* _u_ a_b \\ `c` &\nnext"),
        "\\# x &lt;img&gt; \\[a\\](b) \\*e\\* \\_u\\_ a_b \\\\ \\`c\\` &amp; next"
    );
    assert_eq!(
        syntax::inline("`84Mi` = the working set of `a`b` <x>"),
        "`84Mi` = the working set of `a`b\\` &lt;x&gt;"
    );
    assert_eq!(syntax::inline("`` a`b ``, ```x"), "``a`b``, \\`\\`\\`x");
    assert_eq!(code_span(""), "` `");
    assert_eq!(code_span(" x "), "`  x  `");
}
