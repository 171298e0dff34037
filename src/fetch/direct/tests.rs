use super::*;

/// reqwest needs the process-wide rustls provider before a client is built (as in `main`).
fn install_ring() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn cfg(url: &str, token_file: Option<std::path::PathBuf>) -> DirectPrometheus {
    DirectPrometheus {
        url: url.into(),
        token_file,
        ca_file: None,
    }
}

#[test]
fn a_token_is_never_sent_over_plain_http() {
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("t");
    std::fs::write(&token, "s3cr3t\n").unwrap();
    let err = Direct::connect(
        &cfg("http://user:pw@prom:9090/?access_token=x", Some(token)),
        false,
        None,
        Watch::default(),
    )
    .err()
    .unwrap();
    assert_eq!(
        err,
        "refusing to send the --prometheus-token-file token to http://prom:9090/ over plain http; use https"
    );
}

#[test]
fn the_token_is_read_trimmed_and_the_base_url_stored_without_credentials() {
    install_ring();
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("t");
    std::fs::write(&token, "s3cr3t\n").unwrap();
    let d = Direct::connect(
        &cfg("https://u:p@thanos.example.com/prom/", Some(token)),
        false,
        Some(Duration::from_secs(5)),
        Watch::new(true, None),
    )
    .unwrap();
    assert_eq!(d.token.as_deref(), Some("s3cr3t"));
    assert_eq!(d.base, "https://thanos.example.com/prom");
    assert!(d.watch.verbose());
}

#[test]
fn unreadable_token_and_ca_files_are_reasons_not_panics() {
    install_ring();
    let missing = std::path::PathBuf::from("/nonexistent/ktrace-token");
    let err = Direct::connect(
        &cfg("https://p", Some(missing)),
        false,
        None,
        Watch::default(),
    )
    .err()
    .unwrap();
    assert!(
        err.starts_with("cannot read --prometheus-token-file /nonexistent/ktrace-token: "),
        "{err}"
    );
    let mut c = cfg("https://p", None);
    c.ca_file = Some("/nonexistent/ktrace-ca.pem".into());
    let err = Direct::connect(&c, false, None, Watch::default())
        .err()
        .unwrap();
    assert!(
        err.starts_with("cannot read --prometheus-ca-file /nonexistent/ktrace-ca.pem: "),
        "{err}"
    );
}
