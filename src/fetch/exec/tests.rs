use super::*;

use kube::config::AuthInfo;

fn shell_plugin(script: &str) -> AuthInfo {
    AuthInfo {
        exec: Some(ExecConfig {
            api_version: Some("client.authentication.k8s.io/v1beta1".into()),
            command: Some("/bin/sh".into()),
            args: Some(vec!["-c".into(), script.into()]),
            env: None,
            drop_env: None,
            install_hint: None,
            interactive_mode: Some(ExecInteractiveMode::Never),
            provide_cluster_info: false,
            cluster: None,
            other: Default::default(),
        }),
        ..AuthInfo::default()
    }
}

fn error_of(r: Result<Option<String>, FetchError>) -> String {
    match r {
        Err(e) => e.to_string(),
        Ok(t) => panic!("expected an error, got {t:?}"),
    }
}

#[tokio::test]
async fn a_token_replaces_the_plugin_and_is_returned_for_the_scrubber() {
    let mut auth =
        shell_plugin(r#"printf '{"kind":"ExecCredential","status":{"token":"tok-from-plugin"}}'"#);
    let token = resolve(&mut auth, Some(Duration::from_secs(5)))
        .await
        .unwrap();
    assert_eq!(token.as_deref(), Some("tok-from-plugin"));
    assert!(auth.exec.is_none());
    assert_eq!(
        auth.token
            .as_ref()
            .map(secrecy::ExposeSecret::expose_secret),
        Some("tok-from-plugin")
    );
}

#[tokio::test]
async fn truncated_output_is_described_without_quoting_it() {
    let mut auth = shell_plugin(r#"printf '{"status":{"token":"SECRET-half"'"#);
    let err = error_of(resolve(&mut auth, None).await);
    assert_eq!(
        err,
        "the kubeconfig's exec credential plugin exited 0 but its output is not an ExecCredential (it ends early at line 1 column 32; the 32 bytes it printed are not shown: they may hold a token)"
    );
}

#[tokio::test]
async fn a_failing_plugin_is_described_by_status_and_stderr() {
    let mut auth = shell_plugin("echo SECRET-out; echo broke >&2; exit 3");
    let err = error_of(resolve(&mut auth, None).await);
    assert_eq!(
        err,
        "the kubeconfig's exec credential plugin failed (exit status: 3): broke"
    );
}

#[tokio::test]
async fn a_plugin_that_hangs_is_stopped_at_the_request_timeout() {
    let mut auth = shell_plugin("sleep 30");
    let started = std::time::Instant::now();
    let err = error_of(resolve(&mut auth, Some(Duration::from_millis(300))).await);
    assert!(started.elapsed() < Duration::from_secs(10), "{err}");
    assert_eq!(
        err,
        "the kubeconfig's exec credential plugin \"/bin/sh\" did not finish within the request timeout (0.3s); it was stopped"
    );
}

#[tokio::test]
async fn a_token_in_the_kubeconfig_wins_and_the_plugin_is_not_run() {
    let mut auth = shell_plugin("exit 1");
    auth.token = Some(SecretString::from("inline-token".to_string()));
    assert_eq!(resolve(&mut auth, None).await.unwrap(), None);
    assert!(auth.exec.is_some());
}
