//! The binary's plumbing: a closed stdout pipe, colour choices, and quiet stderr when it is
//! not a terminal. Each test runs `ktrace` with a clean environment.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const SEED_POD: &str = "csi/blockvol-fs-1";

fn seed_bundle() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bundles/seed-ocp48-crio-cgv1.json")
}

/// `ktrace` with only PATH and HOME (a fresh directory) in its environment.
fn ktrace(home: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ktrace"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .args(args)
        .stdin(Stdio::null());
    cmd
}

fn replay_args(format: &str) -> Vec<String> {
    let bundle = seed_bundle().display().to_string();
    ["pod", SEED_POD, "--from", &bundle, "-o", format]
        .map(String::from)
        .to_vec()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn a_pipe_closed_before_the_report_ends_quietly_with_exit_0() {
    let home = tempfile::tempdir().unwrap();
    for format in ["text", "json", "markdown"] {
        // The reader is gone before ktrace starts, so the very first write fails with EPIPE.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let args = replay_args(format);
        let out = ktrace(home.path(), &strs(&args))
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "",
            "{format}: stderr must stay empty"
        );
        assert_eq!(out.status.code(), Some(0), "{format}");
    }
}

#[test]
fn a_reader_that_stops_after_10_bytes_sees_them_and_ktrace_exits_0() {
    let home = tempfile::tempdir().unwrap();
    for format in ["text", "json", "markdown"] {
        let args = replay_args(format);
        // The ten bytes the reader must see are the report's own first ten.
        let whole = ktrace(home.path(), &strs(&args)).output().unwrap();
        assert!(whole.stdout.len() > 10, "{format}: a report to cut short");
        let first = String::from_utf8_lossy(&whole.stdout[..10]).into_owned();
        let mut child = ktrace(home.path(), &strs(&args))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // As `| head -c 10`: read ten bytes, then close the pipe.
        let mut head = [0u8; 10];
        let mut stdout = child.stdout.take().unwrap();
        stdout.read_exact(&mut head).unwrap();
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        assert_eq!(String::from_utf8_lossy(&head), first, "{format}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{format}");
        assert_eq!(out.status.code(), Some(0), "{format}");
    }
}

#[test]
fn colour_always_colours_even_for_a_dumb_terminal_and_no_color() {
    let home = tempfile::tempdir().unwrap();
    let args = replay_args("text");
    let run = |extra: &[&str], env: &[(&str, &str)]| {
        let mut all = strs(&args);
        all.extend_from_slice(extra);
        let mut cmd = ktrace(home.path(), &all);
        cmd.envs(env.iter().copied());
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    let dumb = [("TERM", "dumb"), ("NO_COLOR", "1")];
    let always = run(&["--color", "always"], &dumb);
    assert!(always.contains("\x1b["), "--color always is obeyed");
    let auto = run(&["--color", "auto"], &[("TERM", "dumb")]);
    assert!(!auto.contains('\x1b'), "no colour under auto: {auto}");
    assert_eq!(
        auto,
        run(&["--color", "never"], &[]),
        "auto off a terminal is never"
    );
}

#[test]
fn a_live_run_with_stderr_not_a_terminal_prints_only_the_error() {
    let home = tempfile::tempdir().unwrap();
    // Port 1 on loopback: nothing listens, so the connection is refused at once.
    let kubeconfig = home.path().join("config");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user:\n    token: t0ken\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\n    namespace: csi\ncurrent-context: c\n",
    )
    .unwrap();
    let kc = kubeconfig.display().to_string();
    let out = ktrace(
        home.path(),
        &[
            "pod",
            SEED_POD,
            "--kubeconfig",
            &kc,
            "--request-timeout",
            "5s",
        ],
    )
    .output()
    .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.starts_with("error: "), "{err}");
    assert_eq!(
        err.lines().count(),
        1,
        "one error line, no progress: {err:?}"
    );
    assert!(!err.contains(['\x1b', '\r']), "no drawing codes: {err:?}");
    assert!(out.stdout.is_empty());
}
