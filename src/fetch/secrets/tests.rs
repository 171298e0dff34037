use super::*;

#[test]
fn every_spelling_of_a_secret_is_scrubbed_and_short_ones_are_ignored() {
    let s = Secrets::default()
        .with("  tok/en+abc123  \n")
        .with("short")
        .with_basic("admin", "hunter2-long");
    let text = r#"Bearer tok/en+abc123 | access_token=tok%2Fen%2Babc123 | {"a":"tok\/en+abc123"} | Basic YWRtaW46aHVudGVyMi1sb25n | hunter2-long | short"#;
    assert_eq!(
        s.scrub(text),
        "Bearer <redacted by ktrace> | access_token=<redacted by ktrace> | {\"a\":\"<redacted by ktrace>\"} | Basic <redacted by ktrace> | <redacted by ktrace> | short"
    );
    assert_eq!(
        Secrets::default().with("1234567").scrub("a 1234567"),
        "a 1234567"
    );
}

#[test]
fn outcomes_are_scrubbed_in_every_text_field() {
    let s = Secrets::default().with("planted-secret-1");
    let mut failed = Outcome::Failed {
        http_status: Some(403),
        error: "you sent Bearer planted-secret-1".into(),
        needs: None,
    };
    s.scrub_outcome(&mut failed);
    assert_eq!(
        failed,
        Outcome::Failed {
            http_status: Some(403),
            error: "you sent Bearer <redacted by ktrace>".into(),
            needs: None,
        }
    );
    let mut ok = Outcome::Ok {
        http_status: 200,
        body: "x planted-secret-1 y".into(),
        filter: Some("planted-secret-1".into()),
    };
    s.scrub_outcome(&mut ok);
    assert_eq!(
        ok,
        Outcome::Ok {
            http_status: 200,
            body: "x <redacted by ktrace> y".into(),
            filter: Some("<redacted by ktrace>".into()),
        }
    );
}
