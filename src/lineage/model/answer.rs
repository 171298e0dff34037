//! The answer-first parts of a report (issue 8): the headline [`Summary`], the memory
//! [`Breakdown`] it draws on, and who produced the report ([`Producer`]).
//!
//! These shapes are shared by every report kind (pod memory now; CPU, node and many-pod
//! reports later), so a renderer draws any of them the same way: headline, lineage,
//! findings worst first, evidence.

use serde::Serialize;

use super::Verdict;

/// The answer, first: what the `top` number is, what it is made of, where it came from,
/// whether the layers agree, and the worst finding, in plain words and human units.
/// Exact bytes stay in the sections below; every figure here is computed from them.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The question the report answers, e.g. ``Why does `kubectl top pod` say 84Mi for csi/blockvol-fs-1?``.
    pub question: String,
    /// The number being explained, exactly as `top` prints it (`84Mi`); `None` when it
    /// cannot be computed (no PodMetrics).
    pub number: Option<String>,
    /// The headline statements, in reading order (what, made of, from, agreement, worst).
    pub lines: Vec<SummaryLine>,
    /// The CPU column in one line (kind `cpu`), shown after `lines`; `None` before analysis.
    pub cpu: Option<SummaryLine>,
    /// The verdict (decides the exit code, see `crate::exit`).
    pub verdict: Verdict,
}

/// One headline statement.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryLine {
    /// Which question the line answers.
    pub kind: SummaryKind,
    /// The statement: plain words, human units (MiB with one decimal), no scientific notation.
    pub text: String,
    /// How the renderer should colour it.
    pub tone: Tone,
}

/// Which part of the answer a [`SummaryLine`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SummaryKind {
    /// What the number is (e.g. working set of 2 containers, summed, then floored to MiB).
    What,
    /// What it is made of (process memory, active page cache, kernel/other).
    MadeOf,
    /// Where it comes from (metric, node, backend).
    Source,
    /// Whether the layers agree.
    Agreement,
    /// The worst finding, in one line.
    Worst,
    /// The CPU column: how its number was computed and whether it was reproduced.
    Cpu,
    /// Another tool's number for the pod, and what it counts that `top` does not.
    Compare,
}

/// Colour intent of a headline statement; `Bad` also means "never paint the number green".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    /// Plain information.
    Neutral,
    /// Everything checked agrees.
    Good,
    /// Worth a look (drift, a missing layer).
    Warn,
    /// The number misleads or the layers disagree.
    Bad,
}

/// What one working set is made of: one cgroup, or the pod row (the sum of the containers
/// `top` sums). All values are exact bytes from cAdvisor samples or arithmetic on them.
#[derive(Debug, Clone, Serialize)]
pub struct Breakdown {
    /// Whose memory: a container name, or `None` for the pod row.
    pub container: Option<String>,
    /// Which cgroup version's definitions apply, and how that was told.
    pub cgroup: CgroupVersion,
    /// `container_memory_working_set_bytes`.
    pub working_set: i128,
    /// `container_memory_usage_bytes` (v1 `memory.usage_in_bytes`, v2 `memory.current`).
    pub usage: Option<i128>,
    /// `container_memory_rss` (v1 `total_rss`, v2 `anon`): process memory.
    pub rss: Option<i128>,
    /// `container_memory_cache` (v1 `total_cache`, v2 `file`): page cache.
    pub cache: Option<i128>,
    /// Active file pages: exported (`container_memory_total_active_file_bytes`) or implied
    /// as cache − inactive_file.
    pub active_file: Option<Amount>,
    /// Inactive file pages: exported, or implied as usage − working_set.
    pub inactive_file: Option<Amount>,
    /// `container_memory_mapped_file`.
    pub mapped_file: Option<i128>,
    /// `container_memory_swap`.
    pub swap: Option<i128>,
    /// The parts that make up the working set, in order; they sum to `working_set` when
    /// `adds_up`.
    pub parts: Vec<Part>,
    /// The arithmetic check in exact bytes, e.g.
    /// `working_set 88784896 = rss 3256320 + active_file 85528576 + kernel/other 0`.
    pub check: String,
    /// True when the parts add up to the working set exactly.
    pub adds_up: bool,
    /// Why the decomposition does not add up, in words; `None` when it does.
    pub problem: Option<String>,
    /// Each derived value with its exact arithmetic, e.g.
    /// `inactive_file 42143744 = usage 130928640 − working_set 88784896 (implied: not exported)`.
    pub steps: Vec<String>,
    /// Remarks on the counters (exported page cache not equal to active + inactive, swap,
    /// a container whose cgroup is unknown).
    pub notes: Vec<String>,
}

/// A byte count that was either exported by cAdvisor or implied by arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Amount {
    /// Bytes.
    pub bytes: i128,
    /// True when computed (e.g. usage − working_set) rather than exported.
    pub implied: bool,
}

/// One part of a working set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    /// Stable name: `rss`, `active_file`, `kernel_other`.
    pub name: String,
    /// Plain words, e.g. `process memory (rss)`, `active page cache`, `kernel/other`.
    pub label: String,
    /// Bytes.
    pub bytes: i128,
    /// True when computed rather than exported.
    pub implied: bool,
}

/// Which cgroup version's counter definitions apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "version", rename_all = "snake_case")]
pub enum CgroupVersion {
    /// cgroup v1 (memory.usage_in_bytes includes page cache; `total_*` stats).
    V1 {
        /// How it was told, e.g. `cgroup path under /kubepods.slice/... with crio-*.scope`.
        evidence: String,
    },
    /// cgroup v2 (memory.current; `anon`/`file` stats).
    V2 {
        /// How it was told.
        evidence: String,
    },
    /// Could not be told from the evidence.
    Unknown,
}

/// Who produced the report.
#[derive(Debug, Clone, Serialize)]
pub struct Producer {
    /// The ktrace that drew this report.
    pub ktrace_version: String,
    /// The ktrace that captured the evidence (the bundle's `ktrace_version`).
    pub evidence_ktrace_version: String,
}

impl Producer {
    /// This build of ktrace, reporting on evidence captured by `evidence_version`.
    pub fn this_build(evidence_version: &str) -> Self {
        Producer {
            ktrace_version: env!("CARGO_PKG_VERSION").to_string(),
            evidence_ktrace_version: evidence_version.to_string(),
        }
    }
}
