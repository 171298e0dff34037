use super::*;

fn ok(body: &str) -> Source {
    Source {
        request: Some("/api/v1/namespaces/a/pods/b".into()),
        fetched_at: None,
        outcome: Outcome::Ok {
            http_status: 200,
            body: body.into(),
            filter: None,
        },
    }
}

#[test]
fn env_values_are_taken_out_and_the_filter_says_so() {
    let pod = r#"{"spec":{"containers":[{"name":"c","env":[{"name":"DB_PASSWORD","value":"hunter2"},{"name":"TOKEN","valueFrom":{"secretKeyRef":{"name":"db-creds","key":"token"}}}]}]}}"#;
    let out = redacted(ok(pod));
    let Outcome::Ok { body, filter, .. } = &out.outcome else {
        panic!("{out:?}")
    };
    assert!(!body.contains("hunter2"), "{body}");
    for kept in ["DB_PASSWORD", "TOKEN", "db-creds", "secretKeyRef"] {
        assert!(body.contains(kept), "{kept} lost: {body}");
    }
    assert_eq!(filter.as_deref(), Some(REDACTED_NOTE));
    assert_eq!(out.request.as_deref(), Some("/api/v1/namespaces/a/pods/b"));
}

#[test]
fn a_body_that_cannot_be_redacted_is_not_stored_and_failures_are_left_alone() {
    let cut = r#"{"spec":{"containers":[{"name":"c","env":[{"name":"DB_PASSWORD","value":"hunter2"#;
    let out = redacted(ok(cut));
    assert_eq!(
        out.outcome,
        Outcome::Failed {
            http_status: Some(200),
            error: format!(
                "the answer is not valid JSON ({} bytes); it is not stored, because ktrace cannot take secrets out of a body it cannot read",
                cut.len()
            ),
            needs: None,
        }
    );
    assert_eq!(out.request.as_deref(), Some("/api/v1/namespaces/a/pods/b"));
    let failed = Source {
        outcome: Outcome::Failed {
            http_status: Some(403),
            error: "forbidden".into(),
            needs: None,
        },
        ..Source::default()
    };
    assert_eq!(redacted(failed.clone()), failed);
}
