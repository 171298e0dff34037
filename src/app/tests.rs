use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use super::*;

fn conn_args(flags: &[&str]) -> ConnArgs {
    let mut args = vec!["ktrace", "pod", "csi/x"];
    args.extend_from_slice(flags);
    let Command::Pod(p) = Cli::try_parse_from(args).unwrap().command else {
        panic!("parsed as pod")
    };
    p.trace.conn
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

fn pod_args(flags: &[&str]) -> TraceArgs {
    let mut args = vec!["ktrace", "pod", "csi/x"];
    args.extend_from_slice(flags);
    let Command::Pod(p) = Cli::try_parse_from(args).unwrap().command else {
        panic!("parsed as pod")
    };
    p.trace
}

fn cols(columns: Option<usize>) -> Env {
    Env {
        columns,
        ..Env::default()
    }
}

#[test]
fn fetch_options_carry_no_progress_sink() {
    assert!(fetch_options(&conn_args(&["-v"])).progress.is_none());
}

#[test]
fn text_options_come_from_flags_terminal_and_environment() {
    let o = text_options(&pod_args(&[]), false, &Env::default());
    assert_eq!((o.color, o.width, o.details), (false, DEFAULT_WIDTH, false));

    let o = text_options(&pod_args(&["--details"]), true, &cols(Some(80)));
    assert_eq!((o.color, o.width, o.details), (true, 80, true));

    let dumb = Env {
        dumb_term: true,
        ..cols(Some(80))
    };
    assert!(!text_options(&pod_args(&[]), true, &dumb).color);
    assert!(text_options(&pod_args(&["--color", "always"]), false, &dumb).color);

    // A report written to a file is not on the terminal, whatever stdout is.
    let o = text_options(&pod_args(&["--out", "r.txt"]), true, &Env::default());
    assert_eq!((o.color, o.width), (false, DEFAULT_WIDTH));
    let o = text_options(&pod_args(&["--out", "r.txt"]), true, &cols(Some(60)));
    assert_eq!(o.width, 60, "$COLUMNS holds for a file too");
}

/// A writer whose reader has gone after `room` bytes, as a closed pipe behaves.
struct Closing {
    room: usize,
    got: Vec<u8>,
}

impl Write for Closing {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.room == 0 {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        let n = buf.len().min(self.room);
        self.room -= n;
        self.got.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_broken_pipe_is_remembered_even_when_the_error_is_rewrapped() {
    let mut w = PipeWatch::new(Closing {
        room: 4,
        got: Vec::new(),
    });
    let value = serde_json::json!({"report": "long enough to overflow"});
    let err = serde_json::to_writer(&mut w, &value)
        .map_err(io::Error::other)
        .unwrap_err();
    assert_ne!(err.kind(), io::ErrorKind::BrokenPipe, "the kind is lost");
    assert!(w.reader_gone);
    assert_eq!(w.inner.got, b"{\"re");

    let mut w = PipeWatch::new(Closing {
        room: 0,
        got: Vec::new(),
    });
    assert!(w.write_all(b"x").is_err() && w.reader_gone);
    let mut w = PipeWatch::new(Vec::new());
    w.write_all(b"fine").unwrap();
    assert!(!w.reader_gone);
}

#[test]
fn a_closed_pipe_exits_0() {
    assert_eq!(exit::for_closed_pipe(), ExitCode::from(0));
}

const SEED: &str = include_str!("../../fixtures/bundles/seed-ocp48-crio-cgv1.json");

#[test]
fn a_replays_compare_flags_replace_the_bundles_list() {
    let mut ev = crate::evidence::read_bundle(SEED.as_bytes()).unwrap();
    ev.compare = vec!["mixin@1.4".into()];
    replace_compare(&mut ev, &compare_ask(None, Vec::new()));
    assert_eq!(ev.compare, ["mixin@1.4"], "no flag keeps the bundle's");

    replace_compare(
        &mut ev,
        &compare_ask(Some(vec!["lens@6".into()]), Vec::new()),
    );
    assert_eq!(ev.compare, ["lens@6"]);

    // No value: the seed is OpenShift (openshift-monitoring, v1.21.1+6438632) → the console;
    // a query's variables are filled for the bundle's pod; duplicates are dropped.
    let q = r#"sum(x{namespace="$namespace",pod="$pod",cluster="$cluster"})"#;
    let ask = compare_ask(Some(Vec::new()), vec![q.into(), q.into()]);
    assert!(ask.default_tools);
    replace_compare(&mut ev, &ask);
    assert_eq!(
        ev.compare,
        [
            "console@4.3",
            r#"query:sum(x{namespace="csi",pod="blockvol-fs-1",cluster=""})"#
        ]
    );
    let ask = compare_ask(
        Some(vec!["mixin@1.4".into(), "console@4.3".into()]),
        Vec::new(),
    );
    assert!(!ask.default_tools);
    assert_eq!(
        ask.entries(crate::compare::ClusterKind::Kubernetes, "ns", "p"),
        ["mixin@1.4", "console@4.3"]
    );
    let both = fetch::Compare {
        default_tools: true,
        ..ask
    };
    assert_eq!(
        both.entries(crate::compare::ClusterKind::Kubernetes, "ns", "p"),
        ["mixin@1.4", "console@4.3"],
        "the default set first, then the named tools, each once"
    );
}

#[test]
fn a_compared_entry_runs_the_tools_filled_query_or_the_users() {
    assert_eq!(
        fetch::compared_query("console@4.3", "csi", "p").unwrap(),
        "sum(container_memory_working_set_bytes{pod='p',namespace='csi',container='',}) BY (pod, namespace)"
    );
    assert_eq!(
        fetch::compared_query("query:sum(up)", "csi", "p").unwrap(),
        "sum(up)"
    );
    assert_eq!(fetch::compared_query("grafana@9", "csi", "p"), None);
}
