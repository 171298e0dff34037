//! Renderers: a [`Lineage`] to text, JSON or Markdown, written to a writer the caller gives.
//!
//! Renderers never decide about terminals or colour; the caller passes [`TextOptions`].

mod json;
mod markdown;
mod rows;
mod safe;
mod text;

use std::io::{self, Write};

use crate::lineage::Lineage;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Terminal text with an aligned lineage table.
    Text,
    /// Versioned JSON (see `docs/report-format.md`).
    Json,
    /// A Markdown report for tickets.
    Markdown,
}

/// Options for the text renderer.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// Emit ANSI colours.
    pub color: bool,
    /// Columns to fit text into, decided by the caller (`$COLUMNS`, else the terminal's
    /// width, else 100); `0` (the `Default`) means no limit.
    pub width: usize,
    /// Show verbatim evidence lines and reproduce-by-hand commands (`--details`); Markdown
    /// always has them.
    pub details: bool,
}

/// Renders `lineage` in `format` to `w`.
pub fn render(
    lineage: &Lineage,
    format: Format,
    opts: TextOptions,
    w: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => text::render(lineage, opts, w),
        Format::Json => json::render(lineage, w),
        Format::Markdown => markdown::render(lineage, w),
    }
}
