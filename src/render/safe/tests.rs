use super::*;

#[test]
fn control_characters_from_evidence_are_escaped_and_markers_become_styles() {
    let report = format!("{} \u{1b}[31mevil\u{7}\n", Paint::Good.wrap("ok"));
    assert_eq!(finish(&report, false), "ok \\u{1b}[31mevil\\u{7}\n");
    let coloured = finish(&report, true);
    assert!(
        coloured.starts_with("\u{1b}[32mok\u{1b}[0m"),
        "{coloured:?}"
    );
    assert!(coloured.contains("\\u{1b}[31mevil"));
}
