//! The lineage model: what `analyze` concludes, ready for any renderer.
//!
//! Every number here is either copied from the evidence (with the text it was read from)
//! or computed from such numbers by arithmetic that is spelled out next to it.

use serde::Serialize;

use crate::evidence::{ClusterInfo, PodRef};

mod answer;
mod compared;
mod cpu;
mod layers;

pub use answer::*;
pub use compared::*;
pub use cpu::*;
pub use layers::*;

/// Version of the JSON report (`-o json`); see `docs/report-format.md`.
pub const REPORT_VERSION: u32 = 2;

/// The full analysis of one pod.
#[derive(Debug, Clone, Serialize)]
pub struct Lineage {
    /// Always [`REPORT_VERSION`].
    pub report_version: u32,
    /// Which ktrace drew the report, and which captured the evidence.
    pub producer: Producer,
    /// The answer first: the headline in plain words (see [`Summary`]).
    pub summary: Summary,
    /// The pod.
    pub target: PodRef,
    /// When the evidence was captured.
    pub captured_at: String,
    /// Cluster identity (no credentials).
    pub cluster: ClusterInfo,
    /// The Pod: phase, node, and per container limits, restarts and last termination.
    pub pod: Layer<PodView>,
    /// What `kubectl top pod` prints, computed from the PodMetrics.
    pub top: Layer<TopPrediction>,
    /// The Metrics API object.
    pub metrics_api: Layer<MetricsApiView>,
    /// The backend behind the APIService.
    pub backend: BackendView,
    /// prometheus-adapter rules, rendered queries and their results (adapter backends only).
    pub adapter: Option<AdapterView>,
    /// The CPU column traced to its counter samples (see [`CpuLineage`]).
    pub cpu: Layer<CpuLineage>,
    /// kubelet `/metrics/resource` samples (what metrics-server reads).
    pub resource: Layer<Vec<ResourceSample>>,
    /// kubelet `/metrics/cadvisor` series of the pod, one row per cgroup.
    pub cadvisor: Layer<CadvisorView>,
    /// What the working sets are made of: the pod row first (Σ of the containers `top`
    /// sums), then one per container; empty when cAdvisor is missing.
    pub breakdown: Vec<Breakdown>,
    /// Per container: which series produced the Metrics API value and whether it matches.
    pub reconciliation: Vec<Reconciliation>,
    /// Conclusions in plain words, each tied to evidence.
    pub findings: Vec<Finding>,
    /// Each source: where it came from, its status, and the command to fetch it by hand.
    pub sources: Vec<SourceView>,
    /// Verbatim excerpts of the evidence the numbers rest on.
    pub excerpts: Vec<Excerpt>,
    /// Other tools' numbers for the pod, each explained against `top` (`--compare`);
    /// empty when none was asked.
    pub compare: Vec<ComparedView>,
    /// Overall verdict (decides the exit code).
    pub verdict: Verdict,
}

/// A layer that is either present or missing with a reason.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Layer<T> {
    /// The layer could be read.
    Present {
        /// Its content.
        value: T,
    },
    /// The layer is not available.
    Missing {
        /// Why (HTTP status, RBAC verb, parse error, not collected).
        reason: String,
    },
}

impl<T> Layer<T> {
    /// The value if present.
    pub fn get(&self) -> Option<&T> {
        match self {
            Layer::Present { value } => Some(value),
            Layer::Missing { .. } => None,
        }
    }

    /// The reason if missing.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Layer::Present { .. } => None,
            Layer::Missing { reason } => Some(reason),
        }
    }
}

/// For one Metrics API container: where its memory number came from.
#[derive(Debug, Clone, Serialize)]
pub struct Reconciliation {
    /// Container name as in the Metrics API (or the series).
    pub container: String,
    /// The Metrics API value, bytes.
    pub metrics_api_bytes: Option<i128>,
    /// What the backend's query returned (adapter) or the resource sample (metrics-server).
    pub backend_bytes: Option<i128>,
    /// The cAdvisor series the backend's selector matches, with their sum.
    pub series: Vec<String>,
    /// Σ of those series, bytes.
    pub series_sum_bytes: Option<i128>,
    /// `exact`, `off by N B (Δt …)`, or `missing: …`.
    pub verdict: String,
    /// True when every present value agrees exactly (and the Metrics API value is present).
    pub agrees: bool,
    /// True when the backend's value differs from the Metrics API (they must be equal).
    pub differs: bool,
    /// True when a newer kubelet sample differs from the Metrics API (expected drift).
    pub drift: bool,
}

/// A conclusion for the reader.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Short machine-readable code, e.g. `rounding`.
    pub code: String,
    /// `info`, `warn` or `missing`.
    pub severity: Severity,
    /// The sentence.
    pub message: String,
    /// The evidence it rests on (values, series, sources).
    pub evidence: Vec<String>,
}

impl Finding {
    /// A finding of any severity: its code, the sentence, and the evidence it rests on.
    pub fn new(code: &str, severity: Severity, message: String, evidence: Vec<String>) -> Self {
        Finding {
            code: code.to_string(),
            severity,
            message,
            evidence,
        }
    }
}

/// How much a finding matters, worst first: findings are sorted by [`Severity::rank`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The layers give different values (the backend's value is not the Metrics API's).
    Disagree,
    /// The `top` number counts memory twice (one cgroup under two series, an old instance).
    DoubleCount,
    /// A source is missing; something is unproven.
    Missing,
    /// Something that makes numbers drift or mislead a reader.
    Warn,
    /// An explanation.
    Info,
}

impl Severity {
    /// 0 for the worst; findings are shown in ascending rank.
    pub fn rank(self) -> u8 {
        match self {
            Severity::Disagree => 0,
            Severity::DoubleCount => 1,
            Severity::Missing => 2,
            Severity::Warn => 3,
            Severity::Info => 4,
        }
    }
}

/// A source as shown in the report.
#[derive(Debug, Clone, Serialize)]
pub struct SourceView {
    /// Source name, e.g. `Metrics API PodMetrics`.
    pub name: String,
    /// Request path or URL.
    pub request: Option<String>,
    /// `ok (HTTP 200)` or the reason it is missing.
    pub status: String,
    /// True when it has a body.
    pub ok: bool,
    /// True when the lineage of this backend depends on it.
    pub required: bool,
    /// Command to fetch it by hand.
    pub command: Option<String>,
}

/// A verbatim piece of the evidence.
#[derive(Debug, Clone, Serialize)]
pub struct Excerpt {
    /// What it is, e.g. `kubelet /metrics/cadvisor: working set lines`.
    pub title: String,
    /// Where it came from.
    pub request: Option<String>,
    /// The text, exactly as the source sent it (lines cut, never rewritten).
    pub text: String,
}

/// The overall verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// All layers present and every value agrees.
    Consistent,
    /// Some layer is missing; what is present agrees.
    Partial,
    /// Sources disagree.
    Disagree,
    /// The backend reproduces the Metrics API exactly; newer kubelet samples differ.
    Drift,
    /// The layers agree, but the `top` number misrepresents the pod: memory is counted
    /// twice (one cgroup summed under two series, an old container instance still summed).
    Misleading,
}

impl Verdict {
    /// The verdict in words, as reports print it: `consistent`, `partial`, `disagree` or
    /// `consistent, with drift`.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Consistent => "consistent",
            Verdict::Partial => "partial",
            Verdict::Disagree => "disagree",
            Verdict::Drift => "consistent, with drift",
            Verdict::Misleading => "misleading",
        }
    }

    /// What the verdict means, in one clause.
    pub fn summary(self) -> &'static str {
        match self {
            Verdict::Consistent => "every layer present and every value agrees",
            Verdict::Partial => "some sources are missing",
            Verdict::Disagree => "the backend's value is not the Metrics API value",
            Verdict::Drift => {
                "the backend reproduces the Metrics API exactly; newer kubelet samples differ"
            }
            Verdict::Misleading => "the layers agree, but the `top` number counts memory twice",
        }
    }

    /// Where a report shows the details: `above` (the missing sources) or `findings`.
    pub fn details(self) -> Option<&'static str> {
        match self {
            Verdict::Consistent => None,
            Verdict::Partial => Some("above"),
            Verdict::Disagree | Verdict::Drift | Verdict::Misleading => Some("findings"),
        }
    }
}

#[cfg(test)]
mod tests;
