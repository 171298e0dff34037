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

/// Pushes `c` onto `out`, as `\u{..}` when it is a control character that `keep` does not keep.
pub fn push_escaped(out: &mut String, c: char, keep: Keep) {
    let kept = keep == Keep::Layout && (c == '\n' || c == '\t');
    if c.is_control() && !kept {
        let _ = write!(out, "\\u{{{:x}}}", c as u32);
    } else {
        out.push(c);
    }
}

/// `s` with control characters escaped as `\u{..}`.
pub fn escape(s: &str, keep: Keep) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_escaped(&mut out, c, keep);
    }
    out
}

#[cfg(test)]
mod tests;
