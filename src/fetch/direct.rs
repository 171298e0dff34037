//! A Prometheus reached directly (`--prometheus-url`) with its own HTTP client, and a bearer
//! token only when the user gave one for it.

use std::time::Duration;

use super::client::redirect_message;
use super::errtext::error_chain;
use super::limits::{MAX_PROMETHEUS_BYTES, too_large};
use super::options::DirectPrometheus;
use super::outcome::{direct_outcome, failed, source};
use super::progress::Watch;
use super::secrets::Secrets;
use super::url::redact_url;
use crate::evidence::{Outcome, Source};

/// A client for one directly reached Prometheus.
pub struct Direct {
    /// Base URL without credentials.
    base: String,
    token: Option<String>,
    http: reqwest::Client,
    watch: Watch,
    /// The kubeconfig's credentials and the token: scrubbed from every answer and log line.
    secrets: Secrets,
}

impl Direct {
    /// Reads the token file and CA and builds the client. A token is only ever sent where the
    /// user pointed it (`--prometheus-token-file`), and never over plain http; the
    /// kubeconfig's credentials stay with the API server. Redirects are never followed (a
    /// hop could lead the token to another origin or to plain http): a 3xx is the answer.
    pub fn connect(
        cfg: &DirectPrometheus,
        insecure: bool,
        timeout: Option<Duration>,
        watch: Watch,
    ) -> Result<Direct, String> {
        let token = cfg.token_file.as_ref().map(read_token).transpose()?;
        if token.is_some() && !cfg.url.starts_with("https://") {
            return Err(format!(
                "refusing to send the --prometheus-token-file token to {} over plain http; use https",
                redact_url(&cfg.url)
            ));
        }
        let secrets = match &token {
            Some(t) => watch.secrets().with(t),
            None => watch.secrets(),
        };
        Ok(Direct {
            base: redact_url(cfg.url.trim_end_matches('/')),
            token,
            http: http_client(cfg, insecure, timeout)?,
            watch: watch.scrubbing(secrets.clone()),
            secrets,
        })
    }

    /// GET `path_and_query` (e.g. `/api/v1/query?query=…`) below the base URL, shown in
    /// progress as `what`.
    pub async fn get(&self, what: String, path_and_query: &str) -> Source {
        let url = format!("{}{path_and_query}", self.base);
        // The URL carries no credential: the token travels in a header that is never reported.
        let ticket = self.watch.start(what, &url);
        let mut req = self.http.get(&url);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let mut outcome = match req.send().await {
            Ok(resp) => match resp.headers().get(reqwest::header::LOCATION) {
                Some(to) if resp.status().is_redirection() => failed(
                    Some(resp.status().as_u16()),
                    redirect_message(&String::from_utf8_lossy(to.as_bytes())),
                ),
                _ => read_capped(resp, &url).await,
            },
            Err(e) if e.is_timeout() => failed(None, format!("timed out waiting for GET {url}")),
            Err(e) => failed(None, format!("GET {url} failed: {}", error_chain(&e))),
        };
        self.secrets.scrub_outcome(&mut outcome);
        self.watch.finish(ticket, &outcome);
        source(&url, outcome)
    }
}

fn read_token(path: &std::path::PathBuf) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map(|t| t.trim().to_string())
        .map_err(|e| {
            format!(
                "cannot read --prometheus-token-file {}: {e}",
                path.display()
            )
        })
}

/// The HTTP client: system roots, or only `--prometheus-ca-file`.
fn http_client(
    cfg: &DirectPrometheus,
    insecure: bool,
    timeout: Option<Duration>,
) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .danger_accept_invalid_certs(insecure)
        .redirect(reqwest::redirect::Policy::none());
    if let Some(t) = timeout {
        builder = builder.timeout(t);
    }
    if let Some(path) = &cfg.ca_file {
        let pem = std::fs::read(path)
            .map_err(|e| format!("cannot read --prometheus-ca-file {}: {e}", path.display()))?;
        let cert = reqwest::Certificate::from_pem(&pem).map_err(|e| {
            format!(
                "--prometheus-ca-file {} is not a PEM certificate: {e}",
                path.display()
            )
        })?;
        builder = builder.tls_certs_only([cert]);
    }
    builder
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {}", error_chain(&e)))
}

/// Reads a response body up to [`MAX_PROMETHEUS_BYTES`].
async fn read_capped(mut resp: reqwest::Response, url: &str) -> Outcome {
    let status = resp.status().as_u16();
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) if body.len() + chunk.len() > MAX_PROMETHEUS_BYTES => {
                let error = too_large(url, MAX_PROMETHEUS_BYTES, "a Prometheus answer");
                return failed(Some(status), error);
            }
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(e) => {
                let error = format!("reading {url} failed: {}", error_chain(&e));
                return failed(Some(status), error);
            }
        }
    }
    let text = String::from_utf8(body)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    direct_outcome(status, text)
}

#[cfg(test)]
mod tests;
