//! Error text for the report and the fatal messages: one line, no credentials.

use std::error::Error;

use kube::client::AuthError;

/// An error and its causes on one line (reqwest hides the TLS reason in the source chain).
pub fn error_chain(e: &dyn Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(&format!(": {c}"));
        cur = c.source();
    }
    s
}

/// An error for the report: its cause chain, except that a failed exec credential plugin is
/// described by its exit status and stderr only (kube's message quotes the plugin's stdout,
/// which may hold a token).
pub fn describe_error(e: &(dyn Error + 'static)) -> String {
    let mut cur: Option<&(dyn Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(text) = exec_plugin_failure(err) {
            return text;
        }
        cur = err.source();
    }
    error_chain(e)
}

/// The exit status and (at most 500 characters of) stderr of a failed exec credential plugin,
/// whether kube reports it bare or wrapped in `kube::Error::Auth`.
fn exec_plugin_failure(err: &(dyn Error + 'static)) -> Option<String> {
    let auth = match err.downcast_ref::<kube::Error>() {
        Some(kube::Error::Auth(a)) => a,
        _ => err.downcast_ref::<AuthError>()?,
    };
    let AuthError::AuthExecRun { out, .. } = auth else {
        return None;
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stderr: String = stderr.trim().chars().take(500).collect();
    Some(format!(
        "the kubeconfig's exec credential plugin failed ({}): {stderr}",
        out.status
    ))
}

#[cfg(test)]
mod tests;
