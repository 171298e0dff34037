use std::os::unix::process::ExitStatusExt;
use std::process::{ExitStatus, Output};

use super::*;

#[derive(Debug, thiserror::Error)]
#[error("{msg}")]
struct Chained {
    msg: &'static str,
    #[source]
    source: Option<Box<dyn Error + Send + Sync>>,
}

fn chained(msgs: &[&'static str]) -> Chained {
    let mut err: Option<Chained> = None;
    for m in msgs.iter().rev() {
        err = Some(Chained {
            msg: m,
            source: err.map(|e| Box::new(e) as Box<dyn Error + Send + Sync>),
        });
    }
    err.unwrap()
}

fn exec_failure() -> AuthError {
    AuthError::AuthExecRun {
        cmd: "get-token --stdout".into(),
        out: Box::new(Output {
            status: ExitStatus::from_raw(256),
            stdout: b"{\"token\":\"s3cr3t-token\"}".to_vec(),
            stderr: b"  login expired\n".to_vec(),
        }),
    }
}

#[test]
fn the_cause_chain_is_one_line() {
    let e = chained(&[
        "error sending request",
        "client error (Connect)",
        "invalid peer certificate",
    ]);
    assert_eq!(
        error_chain(&e),
        "error sending request: client error (Connect): invalid peer certificate"
    );
    assert_eq!(describe_error(&e), error_chain(&e));
}

#[test]
fn a_failed_exec_plugin_is_described_by_status_and_stderr_only() {
    let want = "the kubeconfig's exec credential plugin failed (exit status: 1): login expired";
    let bare = exec_failure();
    assert_eq!(describe_error(&bare), want);
    let wrapped = kube::Error::Auth(exec_failure());
    assert_eq!(describe_error(&wrapped), want);
    let deep = Chained {
        msg: "loading the kubeconfig",
        source: Some(Box::new(kube::Error::Auth(exec_failure()))),
    };
    let text = describe_error(&deep);
    assert_eq!(text, want);
    assert!(!text.contains("s3cr3t-token"));
}

#[test]
fn plugin_stderr_is_cut_to_500_characters() {
    let err = AuthError::AuthExecRun {
        cmd: "p".into(),
        out: Box::new(Output {
            status: ExitStatus::from_raw(256),
            stdout: Vec::new(),
            stderr: "e".repeat(2000).into_bytes(),
        }),
    };
    let text = describe_error(&err);
    assert!(
        text.ends_with(&format!("(exit status: 1): {}", "e".repeat(500))),
        "{text}"
    );
    assert!(!text.contains(&"e".repeat(501)));
}
