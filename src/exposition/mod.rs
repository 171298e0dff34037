//! The Prometheus text exposition format, as the kubelet serves it on `/metrics/cadvisor`.
//!
//! - [`parse`](mod@parse): an exact, total parser for the text format (quoted label
//!   values with commas, `=`, `}` and escapes; `NaN`/`±Inf`; optional timestamps;
//!   `# HELP`/`# TYPE`; CRLF). Bad lines become [`ParseIssue`]s, never panics.
//! - [`node_filter`]: the same for a node's own lines (root and pod cgroups; node and pod
//!   series of `/metrics/resource`), for `ktrace node`.
//! - [`filter`]: a streaming filter that keeps one pod's lines of a 30–60 MB body,
//!   chunk by chunk, at close to `grep -F` speed, with the exact same result as parsing
//!   every line and testing it with [`line_matches`].
//!
//! This module depends only on `std` and `memchr`.

pub mod filter;
pub mod node_filter;
pub mod parse;

pub use filter::{
    FilterStats, MAX_UNREADABLE_KEPT, MAX_UNREADABLE_LINE_BYTES, PodLineFilter, PodSelector,
    cgroup_path_has_pod, filter_all, line_kept, line_matches,
};
pub use node_filter::{NodeFilterStats, NodeLineFilter, NodeLines, is_node_cgroup, is_pod_cgroup};
pub use parse::{
    Exposition, Family, MAX_ISSUES, MAX_LINE_BYTES, ParseIssue, Sample, parse, parse_labels,
    parse_sample_line,
};

/// Shared by the unit tests of this module and of `lineage`: the real-data corpus.
#[cfg(test)]
pub(crate) mod tests;
