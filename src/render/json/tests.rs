use super::*;

fn seed() -> Lineage {
    let bundle = include_str!("../../../fixtures/bundles/seed-ocp48-crio-cgv1.json");
    crate::lineage::analyze(&crate::evidence::read_bundle(bundle.as_bytes()).unwrap())
}

fn json(l: &Lineage) -> String {
    let mut out = Vec::new();
    render(l, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn del_c1_and_bidi_controls_are_escaped_and_parse_back_to_the_same_strings() {
    let planted = "evil\u{9b}31m\u{202e}gpj\u{7f}\u{85}\u{2066}x\u{2069}\u{1b}é";
    let mut l = seed();
    l.reconciliation[0].container = planted.into();
    l.findings[0].message = format!("{planted} in a message");
    let out = json(&l);
    for c in [
        '\u{9b}', '\u{202e}', '\u{7f}', '\u{85}', '\u{2066}', '\u{2069}', '\u{1b}',
    ] {
        assert!(!out.contains(c), "{c:?} passed raw");
    }
    assert!(
        out.contains("\"evil\\u009b31m\\u202egpj\\u007f\\u0085\\u2066x\\u2069\\u001bé\""),
        "{out}"
    );
    let back: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(back["reconciliation"][0]["container"], planted);
    assert_eq!(
        back,
        serde_json::to_value(&l).unwrap(),
        "the whole report round-trips"
    );
}

#[test]
fn the_layout_is_serde_jsons_pretty_layout() {
    let l = seed();
    let pretty = serde_json::to_string_pretty(&l).unwrap();
    assert_eq!(json(&l), format!("{pretty}\n"));
}
