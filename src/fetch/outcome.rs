//! Turning an HTTP answer, or the lack of one, into an [`Outcome`]; and stamping it into a
//! [`Source`]. Error bodies are summarised, never dropped silently.

use super::clock::now_rfc3339;
use super::rbac;
use crate::evidence::{Outcome, Source};

/// A request that failed, with the HTTP status when a response arrived.
pub fn failed(http_status: Option<u16>, error: String) -> Outcome {
    Outcome::Failed {
        http_status,
        error,
        needs: None,
    }
}

/// The source for `request` with its outcome, stamped with the current time.
pub fn source(request: &str, outcome: Outcome) -> Source {
    Source {
        request: Some(request.to_string()),
        fetched_at: Some(now_rfc3339()),
        outcome,
    }
}

/// Maps an API server status and body to an outcome; a 403 that is the API server's own
/// `Forbidden` names the RBAC permission `path` needs.
pub fn outcome(status: u16, path: &str, body: String, filter: Option<String>) -> Outcome {
    if (200..300).contains(&status) {
        return Outcome::Ok {
            http_status: status,
            body,
            filter,
        };
    }
    let mut message = status_message(&body);
    // Only the API server's own Forbidden is about RBAC; a 403 page from a service behind
    // the service proxy (e.g. an auth proxy in front of Prometheus) is that service refusing.
    let rbac_denial = status == 403 && is_forbidden_status(&body);
    if status == 403 && !rbac_denial {
        message.push_str(
            " (refused by the service behind the API server's proxy, not an RBAC denial)",
        );
    }
    let needs = rbac_denial.then(|| rbac::needs(path));
    Outcome::Failed {
        http_status: Some(status),
        error: message,
        needs,
    }
}

/// Maps the status and body of a directly reached Prometheus to an outcome; 401 and 403 say
/// that it wants a bearer token.
pub fn direct_outcome(status: u16, body: String) -> Outcome {
    if (200..300).contains(&status) {
        return Outcome::Ok {
            http_status: status,
            body,
            filter: None,
        };
    }
    let needs = matches!(status, 401 | 403)
        .then(|| "a bearer token Prometheus accepts (--prometheus-token-file)".to_string());
    Outcome::Failed {
        http_status: Some(status),
        error: status_message(&body),
        needs,
    }
}

fn is_forbidden_status(body: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(body).is_ok_and(|v| {
        v.get("kind").and_then(|k| k.as_str()) == Some("Status")
            && v.get("reason").and_then(|r| r.as_str()) == Some("Forbidden")
    })
}

/// The `message` of a Kubernetes `Status` body, else the first 300 characters of the body.
pub fn status_message(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.get("message")
                .and_then(|m| m.as_str())
                .map(str::to_string)
        })
        .unwrap_or_else(|| {
            body.chars()
                .take(300)
                .collect::<String>()
                .trim()
                .to_string()
        })
}

#[cfg(test)]
mod tests;
