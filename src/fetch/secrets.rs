//! Every credential ktrace sends, collected in one place, and the one scrubber that takes
//! them out of everything the fetch layer stores or logs: an error page, a `Status` message
//! or a redirect `Location` may quote the request's `Authorization` header back.

use std::sync::Arc;

use crate::evidence::Outcome;
use crate::objects::REDACTED;

/// Shorter values are not scrubbed: they would match ordinary text (and are no real token).
pub const MIN_SECRET_LEN: usize = 8;

/// The credentials of one run (kubeconfig token, token file, password, exec-plugin token,
/// auth-provider tokens, the `--prometheus-token-file` token), each also in the spellings an
/// echo may use (percent-encoded, JSON-escaped, Basic-encoded).
#[derive(Debug, Clone, Default)]
pub struct Secrets(Arc<Vec<String>>);

impl Secrets {
    /// The same set plus `secret` (trimmed); ignored when shorter than [`MIN_SECRET_LEN`].
    pub fn with(self, secret: &str) -> Secrets {
        let secret = secret.trim();
        if secret.len() < MIN_SECRET_LEN {
            return self;
        }
        let mut all = Arc::unwrap_or_clone(self.0);
        let encoded = super::url::percent_encode(secret);
        let json = serde_json::to_string(secret).unwrap_or_default();
        let json = json.trim_matches('"').replace('/', "\\/");
        for form in [secret.to_string(), encoded, json] {
            if !all.contains(&form) {
                all.push(form);
            }
        }
        // Longest first, so a longer spelling is never cut by a shorter one inside it.
        all.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Secrets(Arc::new(all))
    }

    /// The same set plus the `Authorization: Basic` encoding of `user:password`, and both.
    pub fn with_basic(self, user: &str, password: &str) -> Secrets {
        use base64::Engine;
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        self.with(password).with(&basic)
    }

    /// `text` with every secret replaced by `<redacted by ktrace>`.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        self.scrub_in_place(&mut out);
        out
    }

    /// Replaces every secret in `text` (allocates only when one is found).
    pub fn scrub_in_place(&self, text: &mut String) {
        for secret in self.0.iter() {
            if text.contains(secret.as_str()) {
                *text = text.replace(secret.as_str(), REDACTED);
            }
        }
    }

    /// Scrubs everything an outcome may quote: its body, error, filter note and reason.
    pub fn scrub_outcome(&self, outcome: &mut Outcome) {
        match outcome {
            Outcome::Ok { body, filter, .. } => {
                self.scrub_in_place(body);
                if let Some(f) = filter {
                    self.scrub_in_place(f);
                }
            }
            Outcome::Failed { error, needs, .. } => {
                self.scrub_in_place(error);
                if let Some(n) = needs {
                    self.scrub_in_place(n);
                }
            }
            Outcome::NotCollected { reason } => self.scrub_in_place(reason),
        }
    }
}

#[cfg(test)]
mod tests;
