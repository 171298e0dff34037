use super::*;

#[test]
fn a_403_names_the_permission_and_keeps_the_server_message() {
    let body =
        r#"{"kind":"Status","message":"nodes \"w\" is forbidden","reason":"Forbidden","code":403}"#;
    match outcome(
        403,
        "/api/v1/nodes/w/proxy/metrics/cadvisor",
        body.into(),
        None,
    ) {
        Outcome::Failed {
            http_status,
            error,
            needs,
        } => {
            assert_eq!(http_status, Some(403));
            assert_eq!(error, "nodes \"w\" is forbidden");
            assert_eq!(needs.as_deref(), Some("get nodes/proxy"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        status_message("<html>bad gateway</html>"),
        "<html>bad gateway</html>"
    );
}

#[test]
fn a_403_page_from_behind_the_proxy_is_not_an_rbac_denial() {
    let path = "/api/v1/namespaces/m/services/https:p:9091/proxy/api/v1/query";
    assert_eq!(
        outcome(403, path, "Forbidden\n".into(), None),
        Outcome::Failed {
            http_status: Some(403),
            error: "Forbidden (refused by the service behind the API server's proxy, not an RBAC denial)".into(),
            needs: None,
        }
    );
}

#[test]
fn success_keeps_the_body_and_the_filter_note() {
    assert_eq!(
        outcome(200, "/version", "{}".into(), Some("kept 1 of 2".into())),
        Outcome::Ok {
            http_status: 200,
            body: "{}".into(),
            filter: Some("kept 1 of 2".into()),
        }
    );
}

#[test]
fn a_direct_prometheus_refusing_asks_for_a_token() {
    let want = Some("a bearer token Prometheus accepts (--prometheus-token-file)".to_string());
    for code in [401, 403] {
        match direct_outcome(code, "Unauthorized".into()) {
            Outcome::Failed {
                http_status,
                error,
                needs,
            } => {
                assert_eq!((http_status, error.as_str()), (Some(code), "Unauthorized"));
                assert_eq!(needs, want);
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        direct_outcome(502, r#"{"message":"upstream down"}"#.into()),
        failed(Some(502), "upstream down".into())
    );
}

#[test]
fn long_error_pages_are_cut_to_300_characters() {
    let page = "x".repeat(1000);
    assert_eq!(status_message(&page).len(), 300);
}

#[test]
fn a_source_is_stamped_with_its_request_and_time() {
    let s = source("/version", failed(None, "timed out".into()));
    assert_eq!(s.request.as_deref(), Some("/version"));
    let at: jiff::Timestamp = s.fetched_at.unwrap().parse().unwrap();
    assert!((jiff::Timestamp::now() - at).get_seconds().abs() < 60);
    assert_eq!(s.outcome, failed(None, "timed out".into()));
}
