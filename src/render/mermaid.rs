//! The lineage as a Mermaid flowchart for tickets (GitHub and GitLab draw it; elsewhere it
//! reads as text): `kubectl top` ← PodMetrics per container ← the backend's result ←
//! cAdvisor Σ ← what the working set is made of, with the real values on the nodes.
//!
//! Node ids are generated, never taken from the evidence; every label is quoted and every
//! character outside a small safe set is written as a Mermaid entity (`#34;`), so no label
//! can end its node, its line, or the code block.

use super::rows::backend_label;
use super::units::human_bytes;
use crate::escape::{self, Keep};
use crate::lineage::{Breakdown, Lineage};

/// The flowchart, without its fence.
pub fn flowchart(l: &Lineage) -> String {
    let mut out = vec!["flowchart RL".to_string()];
    let top = l.top.get();
    let number = top.map_or("—".to_string(), |t| t.pod_row.memory.clone());
    out.push(node("top", &["kubectl top pod", &number]));
    let backend = backend_label(l.backend.kind).trim_start_matches("← ");
    let api = l.metrics_api.get();
    for (i, r) in l.reconciliation.iter().enumerate() {
        let name = super::rows::display_name(&r.container);
        let sent = api
            .and_then(|m| m.containers.iter().find(|c| c.name == r.container))
            .and_then(|c| c.memory.clone());
        let api_value = match (sent, r.metrics_api_bytes) {
            (Some(s), Some(b)) => format!("{s} = {}", human_bytes(b)),
            (_, b) => bytes(b),
        };
        let series = match r.series.len() {
            n if n > 1 => format!("{} ({n} series)", bytes(r.series_sum_bytes)),
            _ => bytes(r.series_sum_bytes),
        };
        out.push(node(
            &format!("api{i}"),
            &[&format!("PodMetrics {name}"), &api_value],
        ));
        out.push(node(
            &format!("be{i}"),
            &[&format!("{backend} {name}"), &bytes(r.backend_bytes)],
        ));
        out.push(node(
            &format!("cad{i}"),
            &[&format!("cAdvisor Σ {name}"), &series],
        ));
        out.push(format!("  api{i} --> top"));
        out.push(format!("  be{i} --> api{i}"));
        out.push(format!("  cad{i} --> be{i}"));
        if let Some(b) = breakdown_of(l, &r.container) {
            parts(i, b, &mut out);
        }
    }
    out.join("\n")
}

fn breakdown_of<'a>(l: &'a Lineage, container: &str) -> Option<&'a Breakdown> {
    l.breakdown
        .iter()
        .find(|b| b.container.as_deref() == Some(container))
}

fn parts(i: usize, b: &Breakdown, out: &mut Vec<String>) {
    if !b.adds_up {
        let why = b.problem.as_deref().unwrap_or("the parts do not add up");
        out.push(node(&format!("p{i}x"), &["does not add up", why]));
        out.push(format!("  p{i}x -.-> cad{i}"));
        return;
    }
    for (j, p) in b.parts.iter().enumerate() {
        out.push(node(
            &format!("p{i}_{j}"),
            &[&p.label, &human_bytes(p.bytes)],
        ));
        out.push(format!("  p{i}_{j} --> cad{i}"));
    }
}

fn bytes(v: Option<i128>) -> String {
    v.map_or("—".into(), human_bytes)
}

/// `  id["line one<br>line two"]`, every line escaped.
fn node(id: &str, lines: &[&str]) -> String {
    let label: Vec<String> = lines.iter().map(|s| label_text(s)).collect();
    format!("  {id}[\"{}\"]", label.join("<br>"))
}

/// `s` safe inside a quoted Mermaid label: control characters as `\u{..}` text, then every
/// character outside letters, digits and a few plain punctuation marks as `#NNN;`.
pub fn label_text(s: &str) -> String {
    let mut out = String::new();
    for c in escape::escape(s, Keep::Nothing).chars() {
        let plain = c.is_alphanumeric() || " .,:=+-_/()*%!?@'Σ←→·…".contains(c);
        if plain {
            out.push(c);
        } else {
            out.push_str(&format!("#{};", c as u32));
        }
    }
    out
}

#[cfg(test)]
mod tests;
