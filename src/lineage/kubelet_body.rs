//! Kubelet bodies that could not be (wholly) read: lines that mention the pod but do not
//! parse (kept by the filter for the parser, or only counted in its note), and bodies with
//! no line in the text format at all. They become the `unreadable-lines` finding and a
//! partial verdict, never an empty table that looks complete.

use super::model::{Finding, Lineage, Severity};
use crate::evidence::{Outcome, Source, UNREADABLE_BODY, UNREADABLE_LINES, quote_head};
use crate::exposition::parse::Exposition;

/// The finding's code.
pub const CODE: &str = "unreadable-lines";

/// How many unreadable lines a finding quotes.
const QUOTED: usize = 3;

/// `Err(reason)` when `src`'s body has no line in the text format: said so by the filter's
/// note, or, for a body kept whole (no note), no sample and no metadata but some issue.
pub fn check_body(src: &Source, parsed: &Exposition) -> Result<(), String> {
    let Outcome::Ok { body, filter, .. } = &src.outcome else {
        return Ok(());
    };
    let said = match filter {
        Some(note) => note.find(UNREADABLE_BODY).map(|at| note[at..].to_string()),
        None => {
            (parsed.samples.is_empty() && parsed.families.is_empty() && !parsed.issues.is_empty())
                .then(|| format!("{UNREADABLE_BODY}; it begins {}", quote_head(body)))
        }
    };
    match said {
        Some(why) => Err(format!("the kubelet body is unreadable: {why}")),
        None => Ok(()),
    }
}

/// The count in the filter note's `; N lines mention the pod but could not be read`.
fn noted_count(src: &Source) -> Option<u64> {
    let Outcome::Ok {
        filter: Some(note), ..
    } = &src.outcome
    else {
        return None;
    };
    let before = &note[..note.find(UNREADABLE_LINES)?];
    before.trim_end().rsplit(' ').next()?.parse().ok()
}

/// The `unreadable-lines` finding of one kubelet source (`name`), if any line of it could
/// not be read; `layer_reason` is its layer's reason when the layer is missing.
pub fn finding(
    name: &str,
    src: &Source,
    parsed: &Exposition,
    layer_reason: Option<&str>,
) -> Option<Finding> {
    let body = src.body()?;
    if let Some(why) = layer_reason.filter(|r| r.starts_with("the kubelet body is unreadable")) {
        return Some(Finding::new(
            CODE,
            Severity::Missing,
            format!("The {name} body could not be read: {why}."),
            vec![],
        ));
    }
    let n = noted_count(src)
        .unwrap_or(0)
        .max(parsed.issues.len() as u64);
    if n == 0 {
        return None;
    }
    let lines: Vec<&str> = body.lines().collect();
    let quoted = parsed
        .issues
        .iter()
        .take(QUOTED)
        .map(|i| {
            let text = i
                .line
                .checked_sub(1)
                .and_then(|k| lines.get(k))
                .unwrap_or(&"");
            format!("line {}: {}: {}", i.line, i.message, quote_head(text))
        })
        .collect();
    let s = if n == 1 { "" } else { "s" };
    Some(Finding::new(
        CODE,
        Severity::Missing,
        format!(
            "{n} line{s} of the {name} body could not be read, so what {} is not in the tables.",
            if n == 1 { "it says" } else { "they say" }
        ),
        quoted,
    ))
}

/// The partial verdict's reason when a kubelet body or a cut source is the cause.
pub fn partial_reason(l: &Lineage) -> Option<String> {
    let f = l
        .findings
        .iter()
        .find(|f| f.code == CODE || f.code == "limit-reached")?;
    let first = f.message.split(". ").next().unwrap_or(&f.message);
    Some(format!(
        "Partly proven: {}; what was read agrees.",
        first.trim_end_matches('.')
    ))
}
