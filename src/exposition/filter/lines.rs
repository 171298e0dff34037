//! The exact per-line rules of the [`PodLineFilter`](super::PodLineFilter): which lines
//! are the pod's, which unreadable lines it keeps, and the texts it searches for.

use super::super::parse::{self, Line, RawSample};
use super::{MAX_UNREADABLE_LINE_BYTES, PodSelector};

/// Whether one sample line belongs to the pod of `sel` (a trailing `\n` or `\r\n` is
/// allowed). This is the exact predicate the filter applies:
/// - the labels say `namespace == sel.namespace` and (`pod == sel.pod` or
///   `pod_name == sel.pod`); a missing label never matches, not even an empty value;
/// - or, when `sel.uid` is set, the `id` label is a cgroup path of that pod, see
///   [`cgroup_path_has_pod`].
///
/// Comments, blank lines, invalid UTF-8 and lines that do not parse never match.
pub fn line_matches(line: &[u8], sel: &PodSelector) -> bool {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let Ok(text) = std::str::from_utf8(line) else {
        return false;
    };
    match parse::scan_line(text) {
        Ok(Line::Sample(sample)) => sample_matches(&sample, sel),
        _ => false,
    }
}

/// Whether the filter keeps one line (without its `\n`): [`line_matches`], or a line it
/// cannot read that mentions the pod (UTF-8, at most [`MAX_UNREADABLE_LINE_BYTES`], not a comment,
/// containing the quoted pod name or the UID, and not a sample line), kept for the parser
/// to report as an issue — never dropped unseen. The filter keeps at most
/// [`MAX_UNREADABLE_KEPT`] of the latter.
pub fn line_kept(line: &[u8], sel: &PodSelector) -> bool {
    line_matches(line, sel) || unreadable_mention(line.strip_suffix(b"\n").unwrap_or(line), sel)
}

/// A line the filter keeps although it cannot read it; see [`line_kept`].
fn unreadable_mention(line: &[u8], sel: &PodSelector) -> bool {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let needles = needle_texts(sel);
    line.len() <= MAX_UNREADABLE_LINE_BYTES
        && !is_comment(line)
        && needles
            .iter()
            .any(|n| memchr::memmem::find(line, n.as_bytes()).is_some())
        && std::str::from_utf8(line)
            .is_ok_and(|t| !matches!(parse::scan_line(t), Ok(Line::Sample(_))))
}

pub(super) fn is_comment(line: &[u8]) -> bool {
    line.iter().find(|&&b| b != b' ' && b != b'\t') == Some(&b'#')
}

/// The texts every kept line contains: the escaped, quoted pod name and, with a UID, the
/// escaped UID in its cgroupfs and systemd spellings.
pub(super) fn needle_texts(sel: &PodSelector) -> Vec<String> {
    let mut texts = vec![format!("\"{}\"", escape_label_value(&sel.pod))];
    if let Some(uid) = sel.uid() {
        texts.push(escape_label_value(uid));
        texts.push(escape_label_value(&uid.replace('-', "_")));
    }
    texts.dedup();
    texts
}

/// Whether the cgroup path `path` is the pod cgroup, or lies under it, of the pod with
/// UID `uid`. One `/`-separated component must be either `pod<uid>` (cgroupfs driver)
/// or `kubepods[-<qos>]-pod<uid with '-' as '_'>.slice` (systemd driver).
pub fn cgroup_path_has_pod(path: &str, uid: &str) -> bool {
    if uid.is_empty() {
        return false;
    }
    let systemd_uid = uid.replace('-', "_");
    path.split('/')
        .any(|part| is_pod_component(part, uid, &systemd_uid))
}

fn is_pod_component(part: &str, uid: &str, systemd_uid: &str) -> bool {
    if part.strip_prefix("pod") == Some(uid) {
        return true;
    }
    let qos = part
        .strip_prefix("kubepods")
        .and_then(|p| p.strip_suffix(".slice"))
        .and_then(|p| p.strip_suffix(systemd_uid))
        .and_then(|p| p.strip_suffix("-pod"));
    match qos {
        Some("") => true,
        Some(q) => q
            .strip_prefix('-')
            .is_some_and(|q| !q.is_empty() && !q.contains('-')),
        None => false,
    }
}

pub(super) fn sample_matches(sample: &RawSample<'_>, sel: &PodSelector) -> bool {
    let has = |name: &str, want: &str| sample.label(name).is_some_and(|l| l.value_is(want));
    let by_labels =
        has("namespace", &sel.namespace) && (has("pod", &sel.pod) || has("pod_name", &sel.pod));
    by_labels
        || sel
            .uid()
            .zip(sample.label("id"))
            .is_some_and(|(uid, id)| cgroup_path_has_pod(&id.value(), uid))
}

/// How a label value is written in the text format: `\`, `"` and newline escaped.
fn escape_label_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            other => out.push(other),
        }
    }
    out
}
