//! The findings as a report shows them: one per cause, worst first.

use super::model::Finding;

/// Merges findings with the same code into one (the worst severity, each distinct
/// message once, joined by a space, every piece of evidence once, in first-seen order), then sorts them by
/// [`super::model::Severity::rank`], keeping the order within a rank.
pub fn tidy(found: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for f in found {
        match out.iter_mut().find(|o| o.code == f.code) {
            Some(o) => merge(o, f),
            None => out.push(f),
        }
    }
    out.sort_by_key(|f| f.severity.rank());
    out
}

fn merge(into: &mut Finding, f: Finding) {
    if f.severity.rank() < into.severity.rank() {
        into.severity = f.severity;
    }
    if !into.message.contains(&f.message) {
        into.message = format!("{} {}", into.message, f.message);
    }
    for e in f.evidence {
        if !into.evidence.contains(&e) {
            into.evidence.push(e);
        }
    }
}

#[cfg(test)]
mod tests;
