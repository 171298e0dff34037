use super::*;

#[test]
fn layout_survives_only_where_asked() {
    let s = "a\u{1b}[31m\tb\nc\u{7}\u{9b}";
    assert_eq!(escape(s, Keep::Layout), "a\\u{1b}[31m\tb\nc\\u{7}\\u{9b}");
    assert_eq!(
        escape(s, Keep::Nothing),
        "a\\u{1b}[31m\\u{9}b\\u{a}c\\u{7}\\u{9b}"
    );
}
