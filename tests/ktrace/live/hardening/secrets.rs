//! Credentials are sent only where they belong, and never come back out: an answer quoting
//! the Authorization header is scrubbed from stdout, stderr (`-v`) and the bundle; the exec
//! plugin runs once, and its stdout is never quoted.

use std::path::Path;

use super::super::{Live, kubeconfig_with_user, start};
use crate::support::apiserver::{Route, Routes};
use crate::support::ktrace;
use crate::support::scenario::{request, seed_routes_without_prometheus};

/// An exec plugin that appends a line to `counter` and prints `token` as an ExecCredential.
fn counting_plugin(token: &str, counter: &Path) -> String {
    format!(
        "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: /bin/sh\n      args:\n      - -c\n      - echo run >> {}; printf '{{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"%s\"}}}}' {token}\n      interactiveMode: Never\n",
        counter.display()
    )
}

/// Routes whose answers quote the request's Authorization header: a Status message, an
/// error page, a redirect whose Location carries `access_token=`.
fn echoing_routes() -> Routes {
    let (seed, mut routes) = seed_routes_without_prometheus();
    routes.insert(
        request(&seed, "pod_metrics"),
        Route::EchoAuth {
            code: 403,
            as_status: true,
        },
    );
    routes.insert(
        request(&seed, "apiservice"),
        Route::EchoAuth {
            code: 500,
            as_status: false,
        },
    );
    routes.insert(
        request(&seed, "kubelet_cadvisor"),
        Route::Redirect {
            code: 302,
            location: "https://127.0.0.1:1/login?access_token={token}&next={token}".into(),
        },
    );
    routes.insert(
        request(&seed, "kubelet_resource"),
        Route::EchoAuth {
            code: 401,
            as_status: true,
        },
    );
    routes
}

/// Runs a text, a JSON (with `-v` and a bundle) trace; asserts `secret` is in none of them and
/// that the echoes were really answered (the sources failed with the scrubbed message).
fn assert_never_echoed(live: &Live, kubeconfig: &Path, secret: &str) {
    let bundle = live.dir.path().join("echo.json");
    let kc = kubeconfig.to_str().unwrap();
    let (code, text, err_text) = ktrace(
        &[
            "pod",
            "csi/blockvol-fs-1",
            "--kubeconfig",
            kc,
            "-v",
            "--details",
            "--color",
            "never",
        ],
        live.dir.path(),
    );
    assert_eq!(code, 3, "{err_text}\n{text}");
    let (code, json, err_json) = ktrace(
        &[
            "pod",
            "csi/blockvol-fs-1",
            "--kubeconfig",
            kc,
            "-v",
            "-o",
            "json",
            "--save-bundle",
            bundle.to_str().unwrap(),
        ],
        live.dir.path(),
    );
    assert_eq!(code, 3, "{err_json}");
    let (_, md, _) = ktrace(
        &[
            "pod",
            "csi/blockvol-fs-1",
            "--kubeconfig",
            kc,
            "-o",
            "markdown",
        ],
        live.dir.path(),
    );
    let saved = std::fs::read_to_string(&bundle).unwrap();
    for (what, out) in [
        ("text", &text),
        ("-v stderr", &err_text),
        ("json", &json),
        ("-v stderr (json)", &err_json),
        ("markdown", &md),
        ("bundle", &saved),
    ] {
        assert!(!out.contains(secret), "the token is in the {what}:\n{out}");
    }
    for echoed in [&saved, &err_json] {
        assert!(
            echoed.contains("you sent Authorization: Bearer <redacted by ktrace>"),
            "{echoed}"
        );
    }
    assert!(
        saved.contains(
            "redirected to https://127.0.0.1:1/login?next=<redacted by ktrace> (ktrace does not follow redirects"
        ),
        "{saved}"
    );
}

#[test]
fn a_kubeconfig_token_quoted_back_by_the_server_is_scrubbed_everywhere() {
    let live = start(echoing_routes(), None);
    let token = live.server.token().to_string();
    assert_never_echoed(&live, &live.kubeconfig, &token);
}

#[test]
fn an_exec_plugin_token_quoted_back_is_scrubbed_and_the_plugin_runs_once() {
    let live = start(echoing_routes(), None);
    let counter = live.dir.path().join("runs");
    let user = counting_plugin(live.server.token(), &counter);
    let path = live.dir.path().join("exec.yaml");
    std::fs::write(&path, kubeconfig_with_user(&live.server, &user, true)).unwrap();
    let token = live.server.token().to_string();
    assert_never_echoed(&live, &path, &token);
    // Three traces above, one plugin run each (kube alone ran it three times per trace).
    let runs = std::fs::read_to_string(&counter).unwrap();
    assert_eq!(runs.lines().count(), 3, "{runs}");
}

#[test]
fn the_exec_plugin_runs_once_per_trace() {
    let (_, routes) = seed_routes_without_prometheus();
    let live = start(routes, None);
    let counter = live.dir.path().join("runs");
    let user = counting_plugin(live.server.token(), &counter);
    let path = live.dir.path().join("exec.yaml");
    std::fs::write(&path, kubeconfig_with_user(&live.server, &user, true)).unwrap();
    let (code, _, err) = ktrace(
        &[
            "pod",
            "blockvol-fs-1",
            "--kubeconfig",
            path.to_str().unwrap(),
        ],
        live.dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(&counter).unwrap(), "run\n");
    assert!(live.server.requests().iter().all(|r| r.authorized));
}

/// Defect 5: exit 0 with truncated JSON used to be quoted three times in the error.
#[test]
fn a_plugin_printing_truncated_json_is_not_quoted() {
    let (_, routes) = seed_routes_without_prometheus();
    let live = start(routes, None);
    let user = "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: /bin/sh\n      args:\n      - -c\n      - printf '{\"status\":{\"token\":\"SECRET-trunc-42\"'\n      interactiveMode: Never\n";
    let path = live.dir.path().join("exec.yaml");
    std::fs::write(&path, kubeconfig_with_user(&live.server, user, true)).unwrap();
    let (code, out, err) = ktrace(
        &[
            "pod",
            "blockvol-fs-1",
            "--kubeconfig",
            path.to_str().unwrap(),
            "-v",
        ],
        live.dir.path(),
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        !err.contains("SECRET-trunc-42") && !out.contains("SECRET-trunc-42"),
        "{err}"
    );
    assert_eq!(
        err.trim(),
        "error: the kubeconfig's exec credential plugin exited 0 but its output is not an ExecCredential (it ends early at line 1 column 36; the 36 bytes it printed are not shown: they may hold a token)"
    );
}
