//! Secrets out of stored objects: a Pod or Deployment source is redacted before it becomes
//! evidence (and so before it can reach a saved bundle).

use crate::evidence::{Outcome, Source};

/// What a redacted source's `filter` says was taken out.
pub const REDACTED_NOTE: &str =
    "env values, credential-like args and last-applied-configuration redacted by ktrace";

/// A Pod or Deployment source with secrets taken out of its body (see `objects::redact_object`).
/// A body that is not JSON, and a failed source, are returned unchanged.
pub fn redacted(mut src: Source) -> Source {
    if let Outcome::Ok { body, filter, .. } = &mut src.outcome
        && let Some(clean) = crate::objects::redact_object(body)
    {
        *body = clean;
        *filter = Some(REDACTED_NOTE.into());
    }
    src
}

#[cfg(test)]
mod tests;
