//! The `-v` request log: one line per request, the same for the API server and a directly
//! reached Prometheus.

use std::io::Write;
use std::time::Duration;

use super::url::redact_url;
use crate::escape::{Keep, escape};
use crate::evidence::Outcome;

/// Prints one log line to stderr; a closed stderr is not worth a panic.
pub fn print(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// `ktrace: GET <path or URL> → <status (bytes kept) or error> in <ms> ms`, one line with
/// every control character escaped. Only the method, the target (user info and token-like
/// query parameters taken out) and the outcome are shown: credentials travel in headers the
/// log never sees.
pub fn line(method: &str, target: &str, outcome: &Outcome, elapsed: Duration) -> String {
    let what = match outcome {
        Outcome::Ok {
            http_status, body, ..
        } => format!("{http_status} ({} bytes kept)", body.len()),
        Outcome::Failed {
            http_status: Some(code),
            error,
            ..
        } => format!("{code}: {error}"),
        Outcome::Failed { error, .. } => error.clone(),
        Outcome::NotCollected { reason } => reason.clone(),
    };
    let text = format!(
        "ktrace: {method} {} → {what} in {} ms",
        redact_url(target),
        elapsed.as_millis()
    );
    escape(&text, Keep::Nothing)
}

#[cfg(test)]
mod tests;
