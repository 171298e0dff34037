//! Every size limit of a live fetch, in one place (docs/security.md lists them). Sizes count
//! DECODED bytes: a gzip-compressed answer is measured after decompression.
//!
//! A source that hits a limit says so with [`LIMIT_REACHED`] in its error (answer not kept)
//! or in its `filter` note (kubelet lines kept up to the limit).

use crate::exposition::filter::KeepLimits;

pub use crate::evidence::LIMIT_REACHED;

/// Largest API object (or list) kept; etcd stores objects of at most 1.5 MiB.
pub const MAX_OBJECT_BYTES: usize = 4 * 1024 * 1024;

/// Largest Prometheus answer kept (one pod's queries answer a few KiB).
pub const MAX_PROMETHEUS_BYTES: usize = 4 * 1024 * 1024;

/// Most of a kubelet body that is read (decoded) while filtering it for the pod; a node with
/// hundreds of pods serves tens of MiB.
pub const MAX_KUBELET_READ_BYTES: u64 = 256 * 1024 * 1024;

/// Most of a kubelet body's pod lines kept (a real pod has a few hundred cAdvisor lines).
pub const KUBELET_KEEP: KeepLimits = KeepLimits::DEFAULT;

/// How many request timeouts a streamed kubelet body may take in total, each frame arriving
/// within one timeout.
pub const STREAM_TIMEOUT_FACTOR: u32 = 10;

/// `n` bytes in words: whole MiB when it is a multiple, else bytes.
pub fn size(n: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else {
        format!("{n} bytes")
    }
}

/// The error of an answer larger than `cap` (`what`: "an API object", "a Prometheus answer").
pub fn too_large(request: &str, cap: usize, what: &str) -> String {
    format!(
        "{LIMIT_REACHED}: the answer to GET {request} is larger than {} after decompression, the most ktrace keeps of {what}; it was not kept",
        size(cap as u64)
    )
}
