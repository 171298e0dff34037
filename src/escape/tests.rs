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

#[test]
fn bidi_controls_are_escaped_with_the_control_characters() {
    let s = "user\u{202e}gpj.exe\u{2066}x\u{2069}\u{202a}\u{7f}\u{9b}";
    let want = "user\\u{202e}gpj.exe\\u{2066}x\\u{2069}\\u{202a}\\u{7f}\\u{9b}";
    assert_eq!(escape(s, Keep::Layout), want);
    assert_eq!(escape(s, Keep::Nothing), want);
    // Neighbours of the bidi ranges are ordinary text.
    assert_eq!(
        escape("\u{2029}\u{202f}\u{2065}\u{206a}", Keep::Layout),
        "\u{2029}\u{202f}\u{2065}\u{206a}"
    );
}

#[test]
fn long_messages_are_cut_at_a_character_boundary_saying_how_much() {
    assert_eq!(bounded("short", 10), "short");
    assert_eq!(bounded("aaaaaaaaaa", 4), "aaaa… (6 more bytes)");
    // 'é' is two bytes: a cut inside it backs off to the boundary before.
    assert_eq!(bounded("aéb", 2), "a… (3 more bytes)");
}
