//! Defect 3: the `--prometheus-token-file` token reaches only the `--prometheus-url` origin.
//! The direct client used to follow redirects: the token was dropped on the first
//! cross-origin hop but sent again on the next hop inside the new origin, and
//! https → http → http sent it in clear text.

use serde_json::Value;

use super::super::start;
use crate::support::apiserver::{Route, Routes, ServerOptions, TestApiServer};
use crate::support::faults::PlainHttpRecorder;
use crate::support::scenario::seed_routes_without_prometheus;

/// A Prometheus on 127.0.0.1 whose query endpoint redirects to `to`.
fn redirecting_prometheus(to: &str) -> TestApiServer {
    let routes = Routes::new().with(
        "/api/v1/query",
        Route::Redirect {
            code: 302,
            location: to.into(),
        },
    );
    TestApiServer::start(routes, ServerOptions::default())
}

/// Runs a trace with `--prometheus-url prom` and its token; returns the report.
fn trace_with_token(prom: &TestApiServer) -> Value {
    let (_, routes) = seed_routes_without_prometheus();
    let live = start(routes, None);
    let token_file = live.dir.path().join("prom-token");
    std::fs::write(&token_file, prom.token()).unwrap();
    let (code, out, err) = live.run(&[
        "csi/blockvol-fs-1",
        "--prometheus-url",
        &prom.url(),
        "--prometheus-token-file",
        token_file.to_str().unwrap(),
        // The other origins have other CAs: without this they would be refused for that
        // reason alone, and the test would prove nothing about the token.
        "--insecure-skip-tls-verify",
        "-o",
        "json",
        "-v",
    ]);
    assert_eq!(code, 3, "{err}");
    assert!(!out.contains(prom.token()) && !err.contains(prom.token()));
    assert!(
        prom.requests().iter().all(|r| r.authorized),
        "the first origin got it"
    );
    serde_json::from_str(&out).unwrap()
}

fn memory_reason(report: &Value) -> String {
    report["adapter"]["memory"]["value"]["result"]["reason"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn the_token_never_follows_a_redirect_to_another_tls_origin() {
    let other = TestApiServer::start(
        Routes::new()
            .with(
                "/hop1",
                Route::Redirect {
                    code: 302,
                    location: "/hop2".into(),
                },
            )
            .with(
                "/hop2",
                Route::Json(
                    200,
                    r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#.into(),
                ),
            ),
        // Like a host that does not ask for credentials: it answers whatever comes.
        ServerOptions::anonymous(),
    );
    let hop1 = format!("https://localhost:{}/hop1", other.addr().port());
    let prom = redirecting_prometheus(&hop1);
    let report = trace_with_token(&prom);
    let leaked: Vec<String> = other
        .requests()
        .iter()
        .filter(|r| r.had_authorization)
        .map(|r| r.path.clone())
        .collect();
    assert!(
        leaked.is_empty(),
        "the token reached localhost at {leaked:?}"
    );
    assert!(
        other.requests().is_empty(),
        "the redirect was not followed at all"
    );
    assert_eq!(
        memory_reason(&report),
        format!(
            "HTTP 302: redirected to {hop1} (ktrace does not follow redirects: point it at the final address)"
        )
    );
}

#[test]
fn the_token_never_follows_a_redirect_to_plain_http() {
    let plain = PlainHttpRecorder::start();
    let prom = redirecting_prometheus(&format!("{}/hop1", plain.url()));
    let report = trace_with_token(&prom);
    let seen = plain.requests();
    assert!(
        seen.iter().all(|r| !r.had_authorization),
        "the token went over plain http: {seen:?}"
    );
    let targets: Vec<&str> = seen.iter().map(|r| r.target.as_str()).collect();
    assert!(
        targets.is_empty(),
        "the redirect was followed to {targets:?}"
    );
    assert!(
        memory_reason(&report).contains("redirected to http://127.0.0.1:"),
        "{report}"
    );
}

#[test]
fn a_prometheus_quoting_the_token_back_has_it_scrubbed() {
    let prom = TestApiServer::start(
        Routes::new().with(
            "/api/v1/query",
            Route::EchoAuth {
                code: 500,
                as_status: false,
            },
        ),
        ServerOptions::default(),
    );
    let report = trace_with_token(&prom);
    assert_eq!(
        memory_reason(&report),
        "HTTP 500: request refused; you sent Authorization: Bearer <redacted by ktrace>"
    );
}

#[test]
fn a_huge_direct_prometheus_answer_is_not_kept() {
    // KTRACE_HOSTILE_PROM_MB=54 for the issue's case (see limits.rs).
    let mb: usize = std::env::var("KTRACE_HOSTILE_PROM_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let pad = "x".repeat(mb * 1_000_000);
    let answer = format!(
        r#"{{"status":"success","data":{{"resultType":"vector","result":[]}},"pad":"{pad}"}}"#
    );
    let prom = TestApiServer::start(
        Routes::new().with("/api/v1/query", Route::Json(200, answer)),
        ServerOptions::default(),
    );
    let report = trace_with_token(&prom);
    let reason = memory_reason(&report);
    assert!(
        reason.starts_with(&format!(
            "HTTP 200: ktrace limit reached: the answer to GET {}/api/v1/query?query=",
            prom.url()
        )),
        "{reason}"
    );
    assert!(
        reason.ends_with("is larger than 4 MiB after decompression, the most ktrace keeps of a Prometheus answer; it was not kept"),
        "{reason}"
    );
}
