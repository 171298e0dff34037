use super::*;

#[test]
fn a_long_first_sentence_is_cut_at_a_word() {
    let long = format!("{} end. Second sentence.", "word ".repeat(40));
    let f = Finding::new("x", Severity::Warn, long, vec![]);
    let cut = first_sentence(&f);
    assert_eq!(cut.chars().count(), 155);
    assert!(cut.ends_with("word…"), "{cut}");
    let f = Finding::new("x", Severity::Warn, "Short one. Then more.".into(), vec![]);
    assert_eq!(first_sentence(&f), "Short one");
}
