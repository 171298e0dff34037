//! Fitting text to a terminal width: wrapping with a hanging indent, eliding long values in
//! the middle, and aligned tables that keep every column (too many columns go into further
//! blocks that repeat the key columns).

use super::safe::is_marker;

/// Narrowest room a wrapped line gets, however deep its indent.
const MIN_ROOM: usize = 24;

/// Display width of `s`: characters, not counting the paint markers of `safe`.
pub fn width(s: &str) -> usize {
    s.chars().filter(|c| !is_marker(*c)).count()
}

/// `text` wrapped to `width` columns: the first line starts with `first`, the others with as
/// many spaces (a hanging indent). Newlines in `text` start new lines; a word longer than the
/// room is broken.
pub fn wrap(first: &str, text: &str, width: usize) -> Vec<String> {
    wrap_with(first, text, width, str::to_string)
}

/// [`wrap`], with `paint` applied to the text part of every line (so a paint never spans a
/// line break).
pub fn wrap_with(
    first: &str,
    text: &str,
    width: usize,
    paint: impl Fn(&str) -> String,
) -> Vec<String> {
    let indent = self::width(first);
    let room = width.saturating_sub(indent).max(MIN_ROOM);
    let chunks: Vec<String> = text
        .split('\n')
        .flat_map(|para| wrap_paragraph(para, room))
        .collect();
    let hang = " ".repeat(indent);
    chunks
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let lead = if i == 0 { first } else { hang.as_str() };
            format!("{lead}{}", paint(c))
        })
        .collect()
}

/// `items` joined by ` · `, wrapped to `width` between items (an item longer than a line is
/// wrapped by words); the first line starts with `first`, the others hang under it.
pub fn wrap_list(first: &str, items: &[String], width: usize) -> Vec<String> {
    let indent = self::width(first);
    let room = width.saturating_sub(indent).max(MIN_ROOM);
    let mut chunks: Vec<String> = Vec::new();
    let mut line = String::new();
    for (i, item) in items.iter().enumerate() {
        let piece = if i + 1 < items.len() {
            format!("{item} ·")
        } else {
            item.clone()
        };
        let need = if line.is_empty() { 0 } else { 1 };
        if !line.is_empty() && self::width(&line) + need + self::width(&piece) > room {
            chunks.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&piece);
    }
    chunks.push(line);
    let hang = " ".repeat(indent);
    let text = chunks.join("\n");
    wrap(first, &text, width)
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l
            } else {
                format!("{hang}{}", l.trim_start())
            }
        })
        .collect()
}

fn wrap_paragraph(para: &str, room: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in para.split(' ').filter(|w| !w.is_empty()) {
        let mut word = word.to_string();
        let need = if line.is_empty() { 0 } else { 1 };
        if !line.is_empty() && width(&line) + need + width(&word) > room {
            lines.push(std::mem::take(&mut line));
        }
        while width(&word) > room {
            let cut: String = word.chars().take(room).collect();
            word = word.chars().skip(room).collect();
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            lines.push(cut);
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// `s` if it fits `max` characters; else shortened with `…`: long hex ids first
/// (`crio-12b0fa93….scope`), then the middle of a path (`/kubepods.slice/…/crio-….scope`),
/// then the middle of the text.
pub fn elide(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let short = shorten_hex(s);
    if width(&short) <= max {
        return short;
    }
    if let Some(p) = elide_path(&short).filter(|p| width(p) <= max) {
        return p;
    }
    elide_middle(&short, max)
}

/// Runs of 16 or more hex digits cut to their first 8, then `…`.
fn shorten_hex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= 16 {
            out.push_str(&run[..8]);
            out.push('…');
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in s.chars() {
        if c.is_ascii_hexdigit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// A path's first directory and its last component, the middle as `…`: `/a/…/z`.
fn elide_path(s: &str) -> Option<String> {
    let first = s.find('/')?;
    let second = first + 1 + s[first + 1..].find('/')?;
    let last = s.rfind('/')?;
    (last > second).then(|| format!("{}…{}", &s[..=second], &s[last..]))
}

/// The head and tail of `s` around a `…`, `max` characters in all.
fn elide_middle(s: &str, max: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if max < 2 {
        return "…".into();
    }
    let tail = (max - 1) / 2;
    let head = max - 1 - tail;
    let mut out: String = chars[..head].iter().collect();
    out.push('…');
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// Aligns cells into columns, two spaces apart.
pub fn align(rows: &[Vec<String>]) -> Vec<String> {
    let widths = column_widths(rows);
    rows.iter()
        .map(|r| {
            let mut line = String::new();
            for (i, cell) in r.iter().enumerate() {
                line.push_str(cell);
                if i + 1 < r.len() {
                    let pad = widths[i].saturating_sub(width(cell)) + 2;
                    line.push_str(&" ".repeat(pad));
                }
            }
            line.trim_end().to_string()
        })
        .collect()
}

fn column_widths(rows: &[Vec<String>]) -> Vec<usize> {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    (0..cols)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| width(c))
                .max()
                .unwrap_or(0)
        })
        .collect()
}

/// An aligned table, each line starting with `indent`. When its columns do not fit `width`,
/// the columns after the first `keys` are split into blocks that each fit (at least one
/// column a block), every block repeating the key columns; blocks are a blank line apart.
pub fn table(rows: &[Vec<String>], keys: usize, indent: &str, width: usize) -> Vec<String> {
    let widths = column_widths(rows);
    let keys = keys.min(widths.len());
    let key_room: usize = widths[..keys].iter().map(|w| w + 2).sum();
    let mut blocks: Vec<Vec<usize>> = Vec::new();
    let mut used = self::width(indent) + key_room;
    for (i, w) in widths.iter().enumerate().skip(keys) {
        match blocks.last_mut() {
            Some(b) if used + w <= width => b.push(i),
            _ => {
                blocks.push(vec![i]);
                used = self::width(indent) + key_room;
            }
        }
        used += w + 2;
    }
    if blocks.is_empty() {
        blocks.push(Vec::new());
    }
    let mut out = Vec::new();
    for (n, cols) in blocks.iter().enumerate() {
        if n > 0 {
            out.push(String::new());
        }
        let sub: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                (0..keys)
                    .chain(cols.iter().copied())
                    .map(|i| r.get(i).cloned().unwrap_or_default())
                    .collect()
            })
            .collect();
        out.extend(align(&sub).into_iter().map(|l| format!("{indent}{l}")));
    }
    out
}

#[cfg(test)]
mod tests;
