//! JSON report: the lineage model serialized as is (`report_version` first).

use std::io::{self, Write};

use crate::lineage::Lineage;

/// Writes pretty JSON and a newline.
pub fn render(lineage: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, lineage).map_err(io::Error::other)?;
    writeln!(w)
}
