use super::*;

#[test]
fn one_format_for_every_outcome() {
    let ms = Duration::from_millis(12);
    let ok = Outcome::Ok {
        http_status: 200,
        body: "abcd".into(),
        filter: None,
    };
    assert_eq!(
        line("GET", "/version", &ok, ms),
        "ktrace: GET /version → 200 (4 bytes kept) in 12 ms"
    );
    let denied = Outcome::Failed {
        http_status: Some(403),
        error: "forbidden".into(),
        needs: Some("get pods".into()),
    };
    assert_eq!(
        line("GET", "/api/v1/namespaces/a/pods/b", &denied, ms),
        "ktrace: GET /api/v1/namespaces/a/pods/b → 403: forbidden in 12 ms"
    );
    let timeout = Outcome::Failed {
        http_status: None,
        error: "timed out waiting for GET https://p/api/v1/query?query=up".into(),
        needs: None,
    };
    assert_eq!(
        line("GET", "https://p/api/v1/query?query=up", &timeout, ms),
        "ktrace: GET https://p/api/v1/query?query=up → timed out waiting for GET https://p/api/v1/query?query=up in 12 ms"
    );
}

#[test]
fn control_characters_and_credentials_never_reach_the_log() {
    let hostile = Outcome::Failed {
        http_status: Some(500),
        error: "boom\u{1b}[2J\nsecond line".into(),
        needs: None,
    };
    let l = line(
        "GET",
        "https://user:pw@p:9091/api/v1/query?query=up&access_token=s3cr3t",
        &hostile,
        Duration::ZERO,
    );
    assert_eq!(
        l,
        "ktrace: GET https://p:9091/api/v1/query?query=up → 500: boom\\u{1b}[2J\\u{a}second line in 0 ms"
    );
}
