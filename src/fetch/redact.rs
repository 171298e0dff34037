//! Secrets out of stored objects: a Pod or Deployment source is redacted before it becomes
//! evidence (and so before it can reach a saved bundle).

use crate::evidence::{Outcome, Source};

/// What a redacted source's `filter` says was taken out.
pub const REDACTED_NOTE: &str =
    "env values, credential-like args and last-applied-configuration redacted by ktrace";

/// A Pod or Deployment source with secrets taken out of its body (see `objects::redact_object`).
/// A successful answer whose body is not JSON cannot be redacted, so it is not stored: the
/// source becomes a failure that says why (its env values could be in it). A failed source is
/// returned unchanged.
pub fn redacted(mut src: Source) -> Source {
    if let Outcome::Ok {
        http_status,
        body,
        filter,
    } = &mut src.outcome
    {
        match crate::objects::redact_object(body) {
            Some(clean) => {
                *body = clean;
                *filter = Some(REDACTED_NOTE.into());
            }
            None => {
                src.outcome = Outcome::Failed {
                    http_status: Some(*http_status),
                    error: format!(
                        "the answer is not valid JSON ({} bytes); it is not stored, because ktrace cannot take secrets out of a body it cannot read",
                        body.len()
                    ),
                    needs: None,
                };
            }
        }
    }
    src
}

#[cfg(test)]
mod tests;
