use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use super::*;

fn conn_args(flags: &[&str]) -> ConnArgs {
    let mut args = vec!["ktrace", "pod", "csi/x"];
    args.extend_from_slice(flags);
    let Command::Pod(p) = Cli::try_parse_from(args).unwrap().command;
    p.conn
}

#[test]
fn fetch_options_carry_every_connection_flag() {
    let o = fetch_options(&conn_args(&[
        "--kubeconfig",
        "/k/config",
        "--context",
        "ctx",
        "--cluster",
        "cl",
        "--user",
        "u",
        "--as",
        "alice",
        "--as-group",
        "g1",
        "--as-group",
        "g2",
        "--insecure-skip-tls-verify",
        "--request-timeout",
        "1m30s",
        "-v",
    ]));
    let c = &o.connection;
    assert_eq!(c.kubeconfig, Some(PathBuf::from("/k/config")));
    assert_eq!(
        (
            c.context.as_deref(),
            c.cluster.as_deref(),
            c.user.as_deref()
        ),
        (Some("ctx"), Some("cl"), Some("u"))
    );
    assert_eq!(c.impersonate_user.as_deref(), Some("alice"));
    assert_eq!(c.impersonate_groups, ["g1", "g2"]);
    assert!(c.insecure_skip_tls_verify);
    assert_eq!(o.timeout, Some(Duration::from_secs(90)));
    assert!(o.verbose);
    assert!(o.prometheus.is_none());
}

#[test]
fn a_direct_prometheus_is_set_only_by_its_url() {
    let o = fetch_options(&conn_args(&[
        "--prometheus-url",
        "https://thanos",
        "--prometheus-token-file",
        "/t",
        "--prometheus-ca-file",
        "/ca.pem",
        "--request-timeout",
        "0",
    ]));
    let p = o.prometheus.unwrap();
    assert_eq!(p.url, "https://thanos");
    assert_eq!(p.token_file, Some(PathBuf::from("/t")));
    assert_eq!(p.ca_file, Some(PathBuf::from("/ca.pem")));
    assert_eq!(o.timeout, None, "0 means no timeout");

    let o = fetch_options(&conn_args(&["--prometheus-token-file", "/t"]));
    assert!(o.prometheus.is_none(), "a token file alone goes nowhere");
    assert_eq!(o.timeout, Some(Duration::from_secs(30)));
    assert!(!o.verbose && !o.connection.insecure_skip_tls_verify);
}

#[test]
fn targets_are_split_and_checked() {
    assert_eq!(
        parse_target("csi/blockvol-fs-1", None).unwrap(),
        (Some("csi".into()), "blockvol-fs-1".into())
    );
    assert_eq!(
        parse_target("blockvol-fs-1", Some("csi")).unwrap(),
        (Some("csi".into()), "blockvol-fs-1".into())
    );
    assert_eq!(parse_target("x", None).unwrap(), (None, "x".into()));
    let err = parse_target("a/x", Some("b")).unwrap_err();
    assert_eq!(err.to_string(), r#"POD says namespace "a" but -n says "b""#);
    assert_eq!(err.exit_code(), exit::USAGE);
    for bad in ["Csi/x", "csi/-x", "csi/", "/x", "csi/x_y"] {
        let err = parse_target(bad, None).unwrap_err();
        assert_eq!(err.exit_code(), exit::USAGE, "{bad}");
        assert!(err.to_string().starts_with("malformed "), "{bad}: {err}");
    }
}

#[test]
fn only_usage_errors_exit_2() {
    let fetch_err = AppError::Fetch(FetchError::Kubeconfig("none".into()));
    assert_eq!(fetch_err.exit_code(), exit::ERROR);
    let write_err = AppError::Write {
        path: "out".into(),
        source: io::Error::other("disk full"),
    };
    assert_eq!(write_err.exit_code(), exit::ERROR);
    assert_eq!(AppError::Usage("x".into()).exit_code(), exit::USAGE);
}
