//! Hostile answers and hostile flags on a live trace: limits, secrets, paths, redirects.
//! Each test pins one defect of issue 9 (the numbers are the issue's).

use super::{Live, start};
use crate::support::scenario::seed_routes_without_prometheus;

mod limits;
mod paths;
mod redaction;
mod redirects;
mod secrets;

/// Defect 2: a bare number of seconds this large used to overflow `Instant + Duration`
/// (exit 101). It is a usage error now, before any request is made.
#[test]
fn an_absurd_request_timeout_is_a_usage_error_not_a_panic() {
    let (_, routes) = seed_routes_without_prometheus();
    let live: Live = start(routes, None);
    let (code, out, err) = live.run(&[
        "csi/blockvol-fs-1",
        "--request-timeout",
        "1000000000000000000",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains("invalid --request-timeout \"1000000000000000000\""),
        "{err}"
    );
    assert!(live.server.requests().is_empty(), "no request is made");
}
