//! Quoting a piece of an answer in a message: bounded, and with every control character
//! escaped (a quoted answer may hold anything).

/// How many characters of an answer a message quotes.
pub const QUOTE_CHARS: usize = 80;

/// `text`'s first [`QUOTE_CHARS`] characters, Debug-quoted (so `"`, `\` and controls are
/// escaped), followed by `…` when `text` is longer.
pub fn quote_head(text: &str) -> String {
    let head: String = text.chars().take(QUOTE_CHARS).collect();
    let more = if head.len() < text.len() { "…" } else { "" };
    format!("{head:?}{more}")
}

#[cfg(test)]
mod tests;
