//! JSON report: the lineage model serialized as is (`report_version` first).
//!
//! serde_json escapes only `"`, `\` and U+0000–U+001F; DEL, the C1 controls (U+009B is a CSI
//! on some terminals) and the bidi controls would reach a terminal that shows the JSON. They
//! are written as `\uXXXX` escapes: still valid JSON that parses back to the same strings.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

use crate::escape;
use crate::lineage::Lineage;

/// Writes pretty JSON and a newline.
pub fn render(lineage: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    write_safe(lineage, w)
}

/// Any report as pretty JSON and a newline, with the escaping above (the node report too).
pub fn write_safe<T: Serialize + ?Sized>(report: &T, w: &mut dyn Write) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(&mut *w, Safe(PrettyFormatter::new()));
    report.serialize(&mut ser).map_err(io::Error::other)?;
    writeln!(w)
}

/// [`PrettyFormatter`] that also escapes what [`escape::is_unsafe`] names.
struct Safe<'a>(PrettyFormatter<'a>);

/// Delegates one layout method to the pretty formatter.
macro_rules! pretty {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $name<W: ?Sized + Write>(&mut self, w: &mut W $(, $arg: $ty)*) -> io::Result<()> {
            self.0.$name(w $(, $arg)*)
        }
    )*};
}

impl Formatter for Safe<'_> {
    pretty! {
        begin_array();
        end_array();
        begin_array_value(first: bool);
        end_array_value();
        begin_object();
        end_object();
        begin_object_key(first: bool);
        begin_object_value();
        end_object_value();
    }

    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, s: &str) -> io::Result<()> {
        let mut rest = s;
        while let Some((at, c)) = rest.char_indices().find(|(_, c)| escape::is_unsafe(*c)) {
            w.write_all(&rest.as_bytes()[..at])?;
            // Every unsafe character is in the Basic Multilingual Plane: one `\uXXXX`.
            write!(w, "\\u{:04x}", c as u32)?;
            rest = &rest[at + c.len_utf8()..];
        }
        w.write_all(rest.as_bytes())
    }
}

#[cfg(test)]
mod tests;
