//! The kube client configuration, found and overridden the way kubectl does it.

use std::path::PathBuf;
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};

use super::error::FetchError;
use super::errtext::describe_error;
use super::options::Connection;

/// The client configuration for `conn` and the context name it was loaded with (`None`
/// in-cluster). `timeout` also bounds connecting.
pub async fn load(
    conn: &Connection,
    timeout: Option<Duration>,
) -> Result<(kube::Config, Option<String>), FetchError> {
    let (mut config, context) = from_kubeconfig(conn).await?;
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
    Ok((config, context))
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
