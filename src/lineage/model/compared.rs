//! Other tools' numbers for the pod (`report.compare`, issue 12): per compared query, the
//! explanation of its difference from `top`, and Prometheus's own answer when stored.

use serde::Serialize;

use crate::compare::Explanation;

/// One compared tool query (or the user's own query), as asked.
#[derive(Debug, Clone, Serialize)]
pub struct ComparedView {
    /// The entry as stored in the evidence: a tool tag (`console@4.8`) or `query:<PromQL>`.
    pub asked: String,
    /// The built-in query set it resolved to (`console@4.3`); `None` for a `query:` entry
    /// or a tag no set matches.
    pub tool: Option<String>,
    /// The view of the tool that shows the number (`Pod → Metrics "Memory usage"`).
    pub view: Option<String>,
    /// Where the tool's query is written (repository, path, ref).
    pub source: Option<String>,
    /// The PromQL with the tool's variables filled for the pod (empty when unresolved).
    pub query: String,
    /// The tool's value as the tool prints it (its unit and rounding), e.g. `85 MiB`.
    pub shown: Option<String>,
    /// The tool's rounding in words.
    pub display: Option<String>,
    /// tool value ÷ `top` value, bytes over bytes; `None` without an explanation or when
    /// top is 0.
    pub ratio: Option<f64>,
    /// The query applied to the kubelet series and explained term by term against `top`.
    pub explanation: Option<Explanation>,
    /// Why it was not explained.
    pub unsupported: Option<String>,
    /// Prometheus's answer to the same query at the adapter queries' time: the value string
    /// as sent for one series, or the Σ of the series (written as Prometheus writes floats).
    pub prometheus_value: Option<String>,
    /// Whether that answer equals the explanation's tool value, in bytes; `None` when either
    /// is missing.
    pub prometheus_agrees: Option<bool>,
    /// What the answer is made of, or why there is none.
    pub prometheus_note: Option<String>,
}

impl ComparedView {
    /// The identity in exact bytes on one line, e.g. `tool − top: 178098176 − 88965120 =
    /// 89133056 B = Σ extra 89133056 − Σ missing 0`; `None` without an explanation.
    pub fn identity(&self) -> Option<String> {
        let e = self.explanation.as_ref()?;
        Some(format!(
            "tool − top: {} − {} = {} B = Σ extra {} − Σ missing {}",
            e.tool.bytes,
            e.top.bytes,
            e.difference(),
            e.extra_bytes(),
            e.missing_bytes()
        ))
    }

    /// `1.002×`: the ratio to `top` with three decimals.
    pub fn ratio_text(&self) -> Option<String> {
        self.ratio.map(|r| format!("{r:.3}×"))
    }

    /// Prometheus's answer in words: `89133056 (agrees)`, `… (differs: …)` or why none.
    pub fn prometheus_text(&self) -> String {
        let note = self.prometheus_note.as_deref().unwrap_or_default();
        let Some(v) = &self.prometheus_value else {
            return note.to_string();
        };
        let verdict = match (self.prometheus_agrees, &self.explanation) {
            (Some(true), _) => "= the tool value to the byte".to_string(),
            (Some(false), Some(e)) => format!("≠ the tool value {} B", e.tool.bytes),
            _ => "not compared".to_string(),
        };
        match note.is_empty() {
            true => format!("{v} ({verdict})"),
            false => format!("{v} ({verdict}; {note})"),
        }
    }
}
