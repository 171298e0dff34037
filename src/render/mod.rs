//! Renderers: a [`Lineage`] to text, JSON or Markdown, written to a writer the caller gives.
//!
//! Renderers never decide about terminals or colour; the caller passes [`TextOptions`].
//! Every format puts the answer first (headline, verdict), then the side-by-side lineage,
//! findings worst first, then the evidence (see `docs/report-format.md`).

mod answer;
mod fit;
mod json;
mod markdown;
mod mermaid;
pub mod node;
mod rows;
mod safe;
mod text;
mod units;

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
#[derive(Debug, Clone, Copy)]
pub struct TextOptions {
    /// Emit ANSI colours.
    pub color: bool,
    /// Columns the text fits (verbatim evidence in the details part excepted).
    pub width: usize,
    /// Add the details part: the evidence verbatim and the commands to reproduce it.
    pub details: bool,
}

impl Default for TextOptions {
    /// No colour, 100 columns, no details part.
    fn default() -> Self {
        TextOptions {
            color: false,
            width: 100,
            details: false,
        }
    }
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
