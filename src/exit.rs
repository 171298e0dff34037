//! Exit codes, decided in one place. Documented in README.md.

use std::process::ExitCode;

use crate::lineage::Verdict;

/// Report produced; the backend reproduces the Metrics API exactly (newer kubelet samples
/// may differ: that drift is reported as a finding).
pub const CONSISTENT: u8 = 0;
/// Error: bad bundle, pod not found, no kubeconfig, I/O failure.
pub const ERROR: u8 = 1;
/// Usage error: bad flags or a malformed POD argument (clap also uses 2).
pub const USAGE: u8 = 2;
/// Report produced, but some source is missing (RBAC, unreachable, not collected).
pub const PARTIAL: u8 = 3;
/// Report produced, and sources give different values.
pub const DISAGREE: u8 = 4;
/// Report produced; the layers agree, but the `top` number misrepresents the pod (memory
/// counted twice).
pub const MISLEADING: u8 = 5;

/// The exit code for a report's verdict, as a number (reports say what it means).
pub fn code_for(v: Verdict) -> u8 {
    match v {
        Verdict::Consistent | Verdict::Drift => CONSISTENT,
        Verdict::Partial => PARTIAL,
        Verdict::Disagree => DISAGREE,
        Verdict::Misleading => MISLEADING,
    }
}

/// The exit code for a report's verdict.
pub fn for_verdict(v: Verdict) -> ExitCode {
    ExitCode::from(code_for(v))
}

/// The exit code when standard output's reader closed the pipe before the report was whole
/// (`ktrace … | head`): 0, quietly, as kubectl ends; the verdict is not known to the reader.
pub fn for_closed_pipe() -> ExitCode {
    ExitCode::from(CONSISTENT)
}

#[cfg(test)]
mod tests;
