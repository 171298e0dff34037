//! Output safety: evidence text (label values, server messages, bundle strings) may contain
//! control characters; a report must never let them drive the reader's terminal.
//!
//! Renderers paint with private-use marker characters instead of escape sequences; [`finish`]
//! first escapes every control character in the whole report, then turns the markers into
//! owo-colors styles (or drops them).

use owo_colors::Style;

use crate::escape::{self, Keep};

/// Marker that ends a painted span.
pub const END: char = '\u{E000}';

/// The styles renderers use, each with its opening marker.
#[derive(Clone, Copy)]
pub enum Paint {
    /// Headings.
    Head = 0xE001,
    /// Values that agree, verdict ok.
    Good = 0xE002,
    /// Drift and warnings.
    Warn = 0xE003,
    /// Missing and disagreeing.
    Bad = 0xE004,
    /// Secondary detail.
    Dim = 0xE005,
}

impl Paint {
    /// `s` wrapped in this style's markers.
    pub fn wrap(self, s: &str) -> String {
        let open = char::from_u32(self as u32).unwrap_or(END);
        format!("{open}{s}{END}")
    }

    fn style(c: char) -> Option<Style> {
        Some(match c as u32 {
            0xE001 => Style::new().bold(),
            0xE002 => Style::new().green(),
            0xE003 => Style::new().yellow(),
            0xE004 => Style::new().red(),
            0xE005 => Style::new().dimmed(),
            _ => return None,
        })
    }
}

/// Escapes control characters (except newline and tab) and renders or drops the markers.
pub fn finish(report: &str, color: bool) -> String {
    let mut out = String::with_capacity(report.len());
    let mut open: Option<Style> = None;
    for c in report.chars() {
        if let Some(style) = Paint::style(c) {
            if color {
                out.push_str(&style.prefix_formatter().to_string());
            }
            open = Some(style);
        } else if c == END {
            if let (true, Some(style)) = (color, open.take()) {
                out.push_str(&style.suffix_formatter().to_string());
            }
        } else {
            escape::push_escaped(&mut out, c, Keep::Layout);
        }
    }
    out
}

#[cfg(test)]
mod tests {
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
}
