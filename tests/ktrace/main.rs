//! ktrace's integration tests, in one binary.
//!
//! * [`analysis`]: the lineage analysis in process, on fixture bundles edited in memory.
//! * [`replay`]: the `ktrace` binary on bundle files (flags, exit codes, output formats).
//! * [`plumbing`]: the binary with a closed pipe, colour choices, quiet stderr.
//! * [`live`]: live traces against the HTTPS test API server, checked against the real
//!   kubectl and a real Prometheus.
//! * [`faults`]: the fault matrix — every source × every fault class on a live trace, and
//!   hostile bundles replayed.
//! * [`fuzz_regressions`]: every committed fuzz input, through the fuzz targets' oracles.
//! * [`harness`]: proves the test harness itself works against the real tools.
//! * [`promql_scripts`]: Prometheus's own PromQL function tests against the rate engine.
//! * [`support`]: the test API server, the real tools, the fixture bundles and the one
//!   [`support::ktrace`] runner.
//!
//! Only 127.0.0.1 is ever contacted.

mod analysis;
mod compare;
mod faults;
mod fuzz_regressions;
mod harness;
mod live;
mod node;
mod plumbing;
mod promql_scripts;
mod replay;
mod support;
