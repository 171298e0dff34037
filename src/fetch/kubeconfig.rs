//! The kube client configuration, found and overridden the way kubectl does it.

use std::path::PathBuf;
use std::time::Duration;

use kube::config::{AuthInfo, KubeConfigOptions, Kubeconfig};
use secrecy::ExposeSecret;

use super::error::FetchError;
use super::errtext::describe_error;
use super::options::Connection;
use super::secrets::Secrets;

/// A loaded client configuration.
pub struct Loaded {
    /// What kube builds its client from (an exec plugin already run, see `exec`).
    pub config: kube::Config,
    /// The context name it was loaded with (`None` in-cluster).
    pub context: Option<String>,
    /// Every credential the client will send, for the scrubber.
    pub secrets: Secrets,
}

/// The client configuration for `conn`. `timeout` also bounds connecting and the exec
/// credential plugin (run once, here).
pub async fn load(conn: &Connection, timeout: Option<Duration>) -> Result<Loaded, FetchError> {
    let (mut config, context) = from_kubeconfig(conn).await?;
    let exec_token = super::exec::resolve(&mut config.auth_info, timeout).await?;
    let mut secrets = secrets_of(&config.auth_info);
    if let Some(t) = exec_token {
        secrets = secrets.with(&t);
    }
    if conn.insecure_skip_tls_verify {
        config.accept_invalid_certs = true;
    }
    config.connect_timeout = timeout.or(config.connect_timeout);
    // A 503 from a service proxy or an unavailable APIService is evidence, not something
    // to retry for minutes (kube retries 429/503/504 with long backoff by default).
    config.default_retry = false;
    if let Some(user) = &conn.impersonate_user {
        config.auth_info.impersonate = Some(user.clone());
    }
    if !conn.impersonate_groups.is_empty() {
        config.auth_info.impersonate_groups = Some(conn.impersonate_groups.clone());
    }
    Ok(Loaded {
        config,
        context,
        secrets,
    })
}

/// The credentials in an `AuthInfo` that can end up in a request header: the token (inline or
/// from its file), basic auth, and an auth provider's tokens and client secret.
fn secrets_of(auth: &AuthInfo) -> Secrets {
    let mut s = Secrets::default();
    if let Some(t) = &auth.token {
        s = s.with(t.expose_secret());
    }
    if let Some(t) = auth
        .token_file
        .as_ref()
        .and_then(|f| std::fs::read_to_string(f).ok())
    {
        s = s.with(&t);
    }
    if let (Some(u), Some(p)) = (&auth.username, &auth.password) {
        s = s.with_basic(u, p.expose_secret());
    }
    let provider = auth.auth_provider.iter().flat_map(|p| p.config.iter());
    for (key, value) in provider {
        if key.contains("token") || key.contains("secret") {
            s = s.with(value);
        }
    }
    s
}

/// `--kubeconfig`, else `$KUBECONFIG` / `~/.kube/config`, else the in-cluster config.
async fn from_kubeconfig(conn: &Connection) -> Result<(kube::Config, Option<String>), FetchError> {
    let kc = match &conn.kubeconfig {
        Some(p) => Kubeconfig::read_from(p)
            .map_err(|e| FetchError::Kubeconfig(format!("{}: {e}", p.display())))?,
        None => match kubeconfig_from_env_or_home()? {
            Some(kc) => kc,
            None => {
                let cfg = kube::Config::incluster().map_err(|e| {
                    FetchError::Kubeconfig(format!(
                        "no kubeconfig found (--kubeconfig, $KUBECONFIG, ~/.kube/config) and not in a cluster ({e}); log in first (e.g. `oc login`)"
                    ))
                })?;
                return Ok((cfg, None));
            }
        },
    };
    let opts = KubeConfigOptions {
        context: conn.context.clone(),
        cluster: conn.cluster.clone(),
        user: conn.user.clone(),
    };
    let context = opts.context.clone().or_else(|| kc.current_context.clone());
    let cfg = kube::Config::from_custom_kubeconfig(kc, &opts)
        .await
        .map_err(|e| FetchError::Kubeconfig(describe_error(&e)))?;
    Ok((cfg, context))
}

/// `$KUBECONFIG` (a list, merged; files that do not exist are skipped, as kubectl does),
/// else `~/.kube/config`. `None` when neither exists.
fn kubeconfig_from_env_or_home() -> Result<Option<Kubeconfig>, FetchError> {
    let from_env: Vec<PathBuf> = std::env::var_os("KUBECONFIG")
        .map(|v| {
            std::env::split_paths(&v)
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default();
    // An empty KUBECONFIG counts as unset, as in kubectl.
    let paths = if from_env.is_empty() {
        std::env::var_os("HOME")
            .map(|h| vec![PathBuf::from(h).join(".kube/config")])
            .unwrap_or_default()
    } else {
        from_env
    };
    let mut merged: Option<Kubeconfig> = None;
    for path in paths.iter().filter(|p| p.exists()) {
        let kc = Kubeconfig::read_from(path)
            .map_err(|e| FetchError::Kubeconfig(format!("{}: {e}", path.display())))?;
        merged = Some(match merged {
            None => kc,
            Some(m) => m
                .merge(kc)
                .map_err(|e| FetchError::Kubeconfig(e.to_string()))?,
        });
    }
    Ok(merged)
}
