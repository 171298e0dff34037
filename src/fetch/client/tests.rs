use super::*;

#[test]
fn limits_are_named_in_seconds_or_milliseconds() {
    assert_eq!(human(Duration::from_secs(30)), "30s");
    assert_eq!(human(Duration::from_secs(300)), "300s");
    assert_eq!(human(Duration::from_millis(1500)), "1500ms");
}

#[test]
fn a_redirect_is_reported_with_its_location_redacted() {
    let resp = http::Response::builder()
        .status(302)
        .header(
            "location",
            "https://u:p@sso.example.com/x?access_token=abc&next=%2F",
        )
        .body(())
        .unwrap();
    assert_eq!(
        redirect_target(&resp).as_deref(),
        Some(
            "redirected to https://sso.example.com/x?next=%2F (ktrace does not follow redirects: point it at the final address)"
        )
    );
    let ok = http::Response::builder()
        .status(200)
        .header("location", "/x")
        .body(())
        .unwrap();
    assert_eq!(redirect_target(&ok), None);
}
