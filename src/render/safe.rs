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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// True for a marker character: it takes no room in the finished report.
pub fn is_marker(c: char) -> bool {
    c == END || Paint::style(c).is_some()
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
mod tests;
