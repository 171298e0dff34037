use super::*;

fn answered(body: &str) -> Source {
    Source {
        outcome: Outcome::Ok {
            http_status: 200,
            body: body.into(),
            filter: None,
        },
        ..Source::default()
    }
}

fn failed_with(http_status: Option<u16>, error: &str) -> Source {
    Source {
        outcome: outcome::failed(http_status, error.into()),
        ..Source::default()
    }
}

fn target() -> PodRef {
    PodRef {
        namespace: "csi".into(),
        name: "blockvol-fs-1".into(),
    }
}

#[test]
fn node_and_uid_come_from_the_pod_body() {
    let pod = answered(r#"{"metadata":{"uid":"8f3c2a61"},"spec":{"nodeName":"worker-4"}}"#);
    assert_eq!(
        node_and_uid(&pod),
        (Some("worker-4".into()), Some("8f3c2a61".into()))
    );
    assert_eq!(node_and_uid(&answered(r#"{"spec":{}}"#)), (None, None));
    assert_eq!(node_and_uid(&failed_with(Some(403), "no")), (None, None));
}

#[test]
fn only_404_401_and_no_connection_stop_the_trace() {
    let server = "https://127.0.0.1:6443";
    let err = check_pod(&failed_with(Some(404), "nf"), &target(), server).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"Error from server (NotFound): pods "blockvol-fs-1" not found in namespace "csi""#
    );
    let err = check_pod(&failed_with(Some(401), "Unauthorized"), &target(), server).unwrap_err();
    assert!(
        matches!(&err, FetchError::Unauthorized { server: s, message } if s == server && message == "Unauthorized"),
        "{err:?}"
    );
    let err = check_pod(&failed_with(None, "connection refused"), &target(), server).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot reach the API server https://127.0.0.1:6443: connection refused"
    );
    for fine in [
        failed_with(
            None,
            "timed out after 2s waiting for GET /api/v1/namespaces/csi/pods/x",
        ),
        failed_with(Some(403), "forbidden"),
        answered("{}"),
    ] {
        assert!(check_pod(&fine, &target(), server).is_ok(), "{fine:?}");
    }
}

#[test]
fn no_answer_means_no_http_status() {
    assert!(no_answer(&failed_with(None, "timed out")));
    assert!(!no_answer(&failed_with(Some(503), "unavailable")));
    assert!(!no_answer(&answered("{}")));
    assert!(!no_answer(&Source::default()));
}

#[test]
fn a_pod_answer_that_cannot_be_read_is_not_called_unscheduled() {
    // Issue 9, defect 8: a body that is not JSON used to read as "not scheduled".
    assert_eq!(
        no_node_reason(&answered("<html>oops")),
        "the node is unknown because the Pod answer is unreadable (not JSON: expected value at line 1 column 1; it begins \"<html>oops\")"
    );
    assert_eq!(
        no_node_reason(&answered(r#"{"spec":{"nodeName":7}}"#)),
        "the node is unknown because the Pod answer is unreadable (spec.nodeName is \"7\", not a string)"
    );
    assert_eq!(
        no_node_reason(&answered(r#"{"spec":{}}"#)),
        "the pod is not scheduled to a node (no spec.nodeName)"
    );
    assert_eq!(
        no_node_reason(&failed_with(Some(500), "boom")),
        "the node is unknown because the Pod could not be read (HTTP 500: boom)"
    );
}

#[test]
fn a_connection_that_broke_during_the_answer_is_not_an_unreachable_server() {
    let reset = "GET /api/v1/namespaces/csi/pods/p failed: ServiceError: client error (SendRequest): client error (SendRequest): connection error: Connection reset by peer (os error 104)";
    let refused = "GET /api/v1/namespaces/csi/pods/p failed: ServiceError: client error (Connect): tcp connect error: Connection refused (os error 111)";
    assert!(broke_off(reset));
    assert!(!broke_off(refused));
}
