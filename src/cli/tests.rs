use std::time::Duration;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};

use super::*;

fn parse(args: &[&str]) -> Result<PodArgs, clap::Error> {
    let mut all = vec!["ktrace", "pod"];
    all.extend_from_slice(args);
    Cli::try_parse_from(all).map(|cli| match cli.command {
        Command::Pod(p) => p,
        Command::Node(_) => unreachable!("parsed as pod"),
    })
}

fn timeout(s: &str) -> Result<Option<Duration>, String> {
    RequestTimeout::parse(s).map(|t| t.0)
}

#[test]
fn flags_are_consistent_and_kubectl_named() {
    Cli::command().debug_assert();
    let p = parse(&[
        "blockvol-fs-1",
        "-n",
        "csi",
        "-o",
        "markdown",
        "--context",
        "admin",
        "--request-timeout",
        "5s",
        "--insecure-skip-tls-verify",
    ])
    .unwrap();
    assert_eq!(p.target, "blockvol-fs-1");
    assert_eq!(p.namespace.as_deref(), Some("csi"));
    assert_eq!(p.trace.output, OutputFormat::Markdown);
    assert_eq!(p.trace.conn.context.as_deref(), Some("admin"));
    assert_eq!(
        p.trace.conn.request_timeout,
        RequestTimeout(Some(Duration::from_secs(5)))
    );
    assert!(p.trace.conn.insecure_skip_tls_verify);
    assert_eq!(p.trace.color, ColorChoice::Auto);
}

#[test]
fn timeouts_parse_like_kubectl() {
    assert_eq!(timeout("30s").unwrap(), Some(Duration::from_secs(30)));
    assert_eq!(timeout("1m").unwrap(), Some(Duration::from_secs(60)));
    assert_eq!(timeout("500ms").unwrap(), Some(Duration::from_millis(500)));
    assert_eq!(timeout("7").unwrap(), Some(Duration::from_secs(7)));
    assert_eq!(timeout("1m30s").unwrap(), Some(Duration::from_secs(90)));
    assert_eq!(timeout("1.5s").unwrap(), Some(Duration::from_millis(1500)));
    assert_eq!(timeout("2h45m").unwrap(), Some(Duration::from_secs(9900)));
    assert_eq!(timeout("0").unwrap(), None);
    assert_eq!(timeout("0s").unwrap(), None);
    for bad in ["1.2.3s", "s", "-1s", "soon", "5x", "", "banana"] {
        let err = timeout(bad).unwrap_err();
        assert!(
            err.starts_with(&format!("invalid --request-timeout {bad:?}: ")),
            "{bad}: {err}"
        );
    }
}

#[test]
fn timeouts_longer_than_a_day_are_refused_instead_of_overflowing_a_deadline() {
    assert_eq!(timeout("24h").unwrap(), Some(RequestTimeout::MAX));
    assert_eq!(timeout("86400").unwrap(), Some(RequestTimeout::MAX));
    for huge in [
        "24h1s",
        "86401",
        "18446744073709551615",
        "99999999999999999999",
        "9999999999h",
        "1e400s",
    ] {
        assert!(timeout(huge).is_err(), "{huge} was accepted");
    }
}

#[test]
fn the_default_timeout_is_30s_and_applies_with_from() {
    let p = parse(&["csi/x"]).unwrap();
    assert_eq!(p.trace.conn.request_timeout, RequestTimeout::default());
    assert_eq!(
        p.trace.conn.request_timeout.0,
        Some(Duration::from_secs(30))
    );
    let p = parse(&["csi/x", "--from", "b.json", "-v"]).unwrap();
    assert_eq!(
        p.trace.from.as_deref(),
        Some(std::path::Path::new("b.json"))
    );
    assert!(p.trace.conn.verbose, "-v is allowed with --from");
}

#[test]
fn a_bad_timeout_is_a_usage_error_with_or_without_from() {
    for args in [
        &["csi/x", "--request-timeout", "banana"][..],
        &["csi/x", "--from", "b.json", "--request-timeout", "banana"][..],
    ] {
        let err = parse(args).unwrap_err();
        assert_eq!(err.exit_code(), 2, "{args:?}");
        assert!(
            err.to_string()
                .contains("invalid --request-timeout \"banana\""),
            "{err}"
        );
    }
}

#[test]
fn live_only_flags_conflict_with_from() {
    let live_only: [&[&str]; 14] = [
        &["--save-bundle", "out.json"],
        &["--kubeconfig", "kc"],
        &["--context", "c"],
        &["--cluster", "c"],
        &["--user", "u"],
        &["--as", "u"],
        &["--as-group", "g"],
        &["--request-timeout", "5s"],
        &["--insecure-skip-tls-verify"],
        &["--prometheus-url", "https://p"],
        &["--prometheus-token-file", "t"],
        &["--prometheus-ca-file", "ca.pem"],
        &["--request-timeout=0"],
        &["--cpu-sample", "5m"],
    ];
    for flag in live_only {
        let mut args = vec!["csi/x", "--from", "b.json"];
        args.extend_from_slice(flag);
        let err = parse(&args).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ArgumentConflict, "{flag:?}");
        assert_eq!(err.exit_code(), 2);
        let name = flag[0].split('=').next().unwrap();
        let text = err.to_string();
        assert!(
            text.contains(name) && text.contains("--from"),
            "{flag:?}: {text}"
        );
        // Without --from each of them is accepted.
        assert!(parse(&[&["csi/x"][..], flag].concat()).is_ok(), "{flag:?}");
    }
}

#[test]
fn quiet_details_and_verbose_are_independent_switches() {
    let p = parse(&["csi/x"]).unwrap();
    assert!(!p.trace.conn.quiet && !p.trace.details && !p.trace.conn.verbose);
    let p = parse(&["csi/x", "-q", "--details"]).unwrap();
    assert!(p.trace.conn.quiet && p.trace.details);
    let p = parse(&["csi/x", "--quiet", "-v"]).unwrap();
    assert!(
        p.trace.conn.quiet && p.trace.conn.verbose,
        "-q silences progress, -v still logs"
    );
    // Replaying a bundle fetches nothing, so -q and --details are allowed there too.
    let p = parse(&["csi/x", "--from", "b.json", "-q", "--details"]).unwrap();
    assert!(p.trace.conn.quiet && p.trace.details);
}

#[test]
fn version_names_the_program_and_its_version() {
    for flag in ["--version", "-V"] {
        let err = Cli::try_parse_from(["ktrace", flag]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DisplayVersion);
        assert_eq!(
            err.render().to_string(),
            format!("ktrace {}\n", env!("CARGO_PKG_VERSION"))
        );
    }
}

#[test]
fn cpu_sample_is_off_by_default_and_parses_durations_within_bounds() {
    assert_eq!(parse(&["csi/x"]).unwrap().trace.conn.cpu_sample, None);
    let p = parse(&["csi/x", "--cpu-sample", "15s"]).unwrap();
    assert_eq!(
        p.trace.conn.cpu_sample,
        Some(CpuSample(Duration::from_secs(15)))
    );
    let ok = |s: &str| CpuSample::parse(s).map(|c| c.0);
    assert_eq!(ok("500ms").unwrap(), Duration::from_millis(500));
    assert_eq!(ok("1ms").unwrap(), CpuSample::MIN);
    assert_eq!(ok("10m").unwrap(), CpuSample::MAX);
    assert_eq!(ok("600").unwrap(), CpuSample::MAX);
    assert_eq!(ok("1m30s").unwrap(), Duration::from_secs(90));
    for bad in ["0", "0s", "999us", "10m1ms", "601", "1h", "soon", "", "-1s"] {
        let err = ok(bad).unwrap_err();
        assert!(
            err.starts_with(&format!("invalid --cpu-sample {bad:?}: ")),
            "{bad}: {err}"
        );
    }
    let err = parse(&["csi/x", "--cpu-sample", "0"]).unwrap_err();
    assert_eq!(err.exit_code(), 2);
}

#[test]
fn compare_takes_an_optional_comma_separated_list_of_resolved_tools() {
    let p = parse(&["csi/p"]).unwrap();
    assert_eq!((p.compare, p.compare_query), (None, Vec::<String>::new()));

    let p = parse(&["csi/p", "--compare"]).unwrap();
    assert_eq!(p.compare, Some(Vec::new()));

    let p = parse(&["csi/p", "--compare", "console,lens@5,mixin@1.3"]).unwrap();
    let want = ["console@4.3", "lens@5", "mixin@0.12"].map(String::from);
    assert_eq!(p.compare, Some(want.to_vec()));

    // Without a value the flag does not swallow the next flag; the pod may come first or last.
    let p = parse(&["--compare", "--from", "b.json", "csi/p"]).unwrap();
    assert_eq!(p.compare, Some(Vec::new()));
    assert_eq!(p.target, "csi/p");

    let q1 = r#"sum(container_memory_working_set_bytes{namespace="$namespace",pod="$pod"})"#;
    let p = parse(&["csi/p", "--compare-query", q1, "--compare-query", "up"]).unwrap();
    assert_eq!(p.compare_query, [q1, "up"]);
    assert_eq!(p.compare, None);
}

#[test]
fn an_unknown_compare_tool_is_a_usage_error_naming_the_known_tags() {
    for bad in ["grafana", "console@4.1", "console,nope", "console@x"] {
        let err = parse(&["csi/p", "--compare", bad]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ValueValidation, "{bad}");
        assert_eq!(err.exit_code(), 2, "{bad}");
        let text = err.to_string();
        assert!(
            text.contains("known tools are console, console-list, mixin, lens"),
            "{text}"
        );
        assert!(
            text.contains(
                "console@4.2, console@4.3, console-list@4.4, mixin@0.12, mixin@1.4, lens@5, lens@6"
            ),
            "{text}"
        );
    }
    assert_eq!(
        parse_tool("nope").unwrap_err(),
        "unknown tool \"nope\": known tools are console, console-list, mixin, lens (the newest version), or a version such as console@4.2, console@4.3, console-list@4.4, mixin@0.12, mixin@1.4, lens@5, lens@6"
    );
}
