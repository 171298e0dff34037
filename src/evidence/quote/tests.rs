use super::*;

#[test]
fn short_text_is_quoted_whole_with_controls_escaped() {
    assert_eq!(
        quote_head("<html>\u{1b}[2J\"x\""),
        r#""<html>\u{1b}[2J\"x\"""#
    );
}

#[test]
fn long_text_is_cut_at_a_character_and_marked() {
    let text = "é".repeat(QUOTE_CHARS + 5);
    assert_eq!(
        quote_head(&text),
        format!("\"{}\"…", "é".repeat(QUOTE_CHARS))
    );
}
