//! The kubeconfig's exec credential plugin, run ONCE per trace and within the request
//! timeout, the way kubectl runs it.
//!
//! kube would run the plugin itself — three times while building one client (the auth layer
//! and twice for a possible client certificate), synchronously and without a timeout — and
//! its errors quote the plugin's stdout, which may hold a token. So fetch runs it here and
//! hands kube the result as a plain token (or client certificate). A failure is described by
//! the exit status and stderr only, never by stdout.

use std::process::Stdio;
use std::time::Duration;

use base64::Engine;
use kube::config::{ExecConfig, ExecInteractiveMode};
use secrecy::SecretString;
use serde::Deserialize;

use super::error::FetchError;

/// Most characters of a failed plugin's stderr quoted in the error.
const MAX_STDERR_CHARS: usize = 500;

/// What the plugin printed (`ExecCredential.status`); unknown fields are ignored.
#[derive(Deserialize)]
struct ExecCredential {
    status: Option<Status>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Status {
    token: Option<String>,
    client_certificate_data: Option<String>,
    client_key_data: Option<String>,
}

/// Runs the exec plugin of `auth` if kube would (no auth provider, basic auth, token or
/// token file first) and replaces it by what it returned. Returns the token, if any.
pub async fn resolve(
    auth: &mut kube::config::AuthInfo,
    timeout: Option<Duration>,
) -> Result<Option<String>, FetchError> {
    let precedes = auth.auth_provider.is_some()
        || (auth.username.is_some() && auth.password.is_some())
        || auth.token.is_some()
        || auth.token_file.is_some();
    let Some(exec) = auth.exec.clone().filter(|_| !precedes) else {
        return Ok(None);
    };
    let status = run(&exec, timeout).await?;
    auth.exec = None;
    if let (Some(cert), Some(key)) = (&status.client_certificate_data, &status.client_key_data) {
        let b64 = base64::engine::general_purpose::STANDARD;
        auth.client_certificate_data = Some(b64.encode(cert));
        auth.client_key_data = Some(SecretString::from(b64.encode(key)));
        return Ok(None);
    }
    match status.token {
        Some(token) => {
            auth.token = Some(SecretString::from(token.clone()));
            Ok(Some(token))
        }
        None => Err(plugin_error(
            "returned neither a token nor a client certificate",
        )),
    }
}

fn plugin_error(what: impl std::fmt::Display) -> FetchError {
    FetchError::ExecPlugin(format!("the kubeconfig's exec credential plugin {what}"))
}

/// Starts the plugin as kubectl does (args, env, `KUBERNETES_EXEC_INFO`) and reads its
/// `ExecCredential` status; stopped when the timeout passes.
async fn run(exec: &ExecConfig, timeout: Option<Duration>) -> Result<Status, FetchError> {
    let program = exec
        .command
        .as_deref()
        .ok_or_else(|| plugin_error("has no command"))?;
    let interactive = exec.interactive_mode != Some(ExecInteractiveMode::Never);
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(exec.args.iter().flatten())
        .env("KUBERNETES_EXEC_INFO", exec_info(exec, interactive))
        .stdout(Stdio::piped())
        .kill_on_drop(true);
    for e in exec.env.iter().flatten() {
        if let (Some(k), Some(v)) = (e.get("name"), e.get("value")) {
            cmd.env(k, v);
        }
    }
    for k in exec.drop_env.iter().flatten() {
        cmd.env_remove(k);
    }
    if interactive {
        cmd.stdin(Stdio::inherit()).stderr(Stdio::inherit());
    } else {
        cmd.stdin(Stdio::null()).stderr(Stdio::piped());
    }
    let child = cmd.spawn().map_err(|e| {
        let hint = exec.install_hint.as_deref().unwrap_or_default();
        plugin_error(format!("{program:?} could not be started: {e} {hint}").trim_end())
    })?;
    let output = match timeout {
        Some(t) => tokio::time::timeout(t, child.wait_with_output())
            .await
            .map_err(|_| {
                plugin_error(format!(
                    "{program:?} did not finish within the request timeout ({}s); it was stopped",
                    t.as_secs_f64()
                ))
            })?,
        None => child.wait_with_output().await,
    }
    .map_err(|e| plugin_error(format!("{program:?} could not be read: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stderr: String = stderr.trim().chars().take(MAX_STDERR_CHARS).collect();
        return Err(plugin_error(format!(
            "failed ({}): {stderr}",
            output.status
        )));
    }
    parse(&output.stdout)
}

/// The status of an `ExecCredential`; an unreadable one is described without its text.
fn parse(stdout: &[u8]) -> Result<Status, FetchError> {
    let cred: ExecCredential = serde_json::from_slice(stdout).map_err(|e| {
        plugin_error(format!(
            "exited 0 but its output is not an ExecCredential ({} at line {} column {}; the {} bytes it printed are not shown: they may hold a token)",
            match e.classify() {
                serde_json::error::Category::Eof => "it ends early",
                serde_json::error::Category::Syntax => "not JSON",
                serde_json::error::Category::Data => "wrong shape",
                serde_json::error::Category::Io => "unreadable",
            },
            e.line(),
            e.column(),
            stdout.len()
        ))
    })?;
    cred.status
        .ok_or_else(|| plugin_error("printed an ExecCredential without a status"))
}

/// The `KUBERNETES_EXEC_INFO` a plugin reads (its own apiVersion; the cluster when asked).
fn exec_info(exec: &ExecConfig, interactive: bool) -> String {
    let mut spec = serde_json::json!({ "interactive": interactive });
    if exec.provide_cluster_info
        && let Some(c) = &exec.cluster
    {
        spec["cluster"] = serde_json::to_value(c).unwrap_or_default();
    }
    serde_json::json!({
        "apiVersion": exec.api_version,
        "kind": "ExecCredential",
        "spec": spec,
    })
    .to_string()
}

#[cfg(test)]
mod tests;
