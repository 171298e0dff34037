//! The one control-character escaper. Evidence text (label values, server messages, bundle
//! strings) may carry control characters; nothing ktrace prints may let them drive the
//! reader's terminal. Reports and errors keep their layout (newline, tab); a one-line log
//! entry escapes those too.

use std::fmt::Write as _;

/// How much layout survives escaping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Newline and tab stay (reports, error messages).
    Layout,
    /// Every control character is escaped (one-line log entries).
    Nothing,
}

/// True for a bidirectional embedding, override or isolate control (U+202A–U+202E,
/// U+2066–U+2069): text after it may display in another order than it is stored.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// True for what ktrace never prints as is: control characters (C0, DEL, C1) and bidi
/// controls.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// Pushes `c` onto `out`, as `\u{..}` when it is unsafe ([`is_unsafe`]) and not layout that
/// `keep` keeps.
pub fn push_escaped(out: &mut String, c: char, keep: Keep) {
    let kept = keep == Keep::Layout && (c == '\n' || c == '\t');
    if is_unsafe(c) && !kept {
        let _ = write!(out, "\\u{{{:x}}}", c as u32);
    } else {
        out.push(c);
    }
}

/// `s` with control characters and bidi controls escaped as `\u{..}`.
pub fn escape(s: &str, keep: Keep) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_escaped(&mut out, c, keep);
    }
    out
}

/// `s` cut to at most `max` bytes (at a character boundary), saying how much was left out:
/// an error may quote a value from a hostile bundle or server, and a message stays readable.
pub fn bounded(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} more bytes)", &s[..end], s.len() - end)
}

#[cfg(test)]
mod tests;
