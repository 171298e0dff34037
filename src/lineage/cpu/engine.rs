//! Which Prometheus answered (buildinfo), when it evaluated the rule, and how to fetch the
//! CPU sources by hand when a bundle lacks them.

use serde_json::Value;

use super::super::model::CpuEngine;
use super::super::sources::raw_cmd;
use crate::evidence::{PromQuery, Source};
use crate::promql::rate::Engine;

/// The engine the recomputation applies, and what the report says about it. Without a
/// readable buildinfo 2.42 is applied and the report says it is an assumption.
pub fn engine(buildinfo: Option<&Source>) -> (Engine, CpuEngine) {
    let assumed = |version: Option<String>, why: String| {
        let e = Engine::V2_42;
        let view = CpuEngine {
            version,
            applied: e.to_string(),
            semantics: e.window_text().into(),
            why: format!("{why}: 2.x semantics assumed (2.42), not known"),
        };
        (e, view)
    };
    let Some(src) = buildinfo else {
        return assumed(
            None,
            "no Prometheus buildinfo in the evidence (a bundle from before schema 2)".into(),
        );
    };
    let Some(body) = src.body() else {
        let reason = src.missing_reason().unwrap_or_default();
        return assumed(None, format!("Prometheus buildinfo is missing ({reason})"));
    };
    let version = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.pointer("/data/version")?.as_str().map(str::to_string));
    let Some(version) = version else {
        return assumed(None, "Prometheus buildinfo has no data.version".into());
    };
    match Engine::parse(&version) {
        Some(e) => {
            let view = CpuEngine {
                applied: e.to_string(),
                semantics: e.window_text().into(),
                why: format!("the server's /api/v1/status/buildinfo says version {version}"),
                version: Some(version),
            };
            (e, view)
        }
        None => assumed(
            Some(version.clone()),
            format!("buildinfo's version {version:?} is not a release number"),
        ),
    }
}

/// The Prometheus base the queries went to: the request up to `/api/v1/query`.
fn base(q: &PromQuery) -> Option<&str> {
    let r = q.source.request.as_deref()?;
    r.find("/api/v1/query").map(|at| &r[..at])
}

/// The command to run `query` at `time` where `like` was run.
pub fn query_command(like: &PromQuery, query: &str) -> Option<String> {
    let mut url = format!("{}/api/v1/query?query={}", base(like)?, encode(query));
    if let Some(t) = &like.time {
        url.push_str(&format!("&time={}", encode(t)));
    }
    Some(raw_cmd(&url))
}

/// The command that reads the buildinfo of the Prometheus `like` was sent to.
pub fn buildinfo_command(like: &PromQuery) -> Option<String> {
    Some(raw_cmd(&format!("{}/api/v1/status/buildinfo", base(like)?)))
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
