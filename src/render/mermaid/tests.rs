use super::*;

#[test]
fn labels_keep_plain_text_and_escape_everything_that_is_syntax() {
    assert_eq!(label_text("centos-tools 84.7Mi"), "centos-tools 84.7Mi");
    assert_eq!(
        label_text("cAdvisor Σ POD: 176.0Ki"),
        "cAdvisor Σ POD: 176.0Ki"
    );
    assert_eq!(
        label_text("a\"b]c`d\ne#f;<g>|{h}"),
        "a#34;b#93;c#96;d#92;u#123;a#125;e#35;f#59;#60;g#62;#124;#123;h#125;"
    );
    assert_eq!(
        label_text("\u{1b}]0;x\u{7}"),
        "#92;u#123;1b#125;#93;0#59;x#92;u#123;7#125;"
    );
}

#[test]
fn nodes_are_quoted_with_generated_ids() {
    assert_eq!(
        node("api0", &["PodMetrics a\"]", "1.0Ki"]),
        "  api0[\"PodMetrics a#34;#93;<br>1.0Ki\"]"
    );
}
