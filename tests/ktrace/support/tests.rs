use super::*;

#[test]
fn base64_matches_rfc4648_vectors() {
    for (input, want) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(base64_encode(input.as_bytes()), want, "input {input:?}");
    }
}

#[test]
fn url_decode_round_trip() {
    let q = r#"sum(a{b="c",d!=""}) by (e)"#;
    assert_eq!(url_decode(&url_encode(q)), q);
    assert_eq!(url_decode("a+b%2Bc%zz%4"), "a b+c%zz%4");
    assert_eq!(
        query_param("/p?x=1&query=up+%7B%7D", "query").as_deref(),
        Some("up {}")
    );
    assert_eq!(query_param("/p", "query"), None);
}

#[test]
fn url_encode_promql() {
    assert_eq!(
        url_encode(r#"sum(a{b="c"}) by (d)"#),
        "sum%28a%7Bb%3D%22c%22%7D%29%20by%20%28d%29"
    );
}

#[test]
fn loopback_url_parsing() {
    let u = LoopbackUrl::parse("http://127.0.0.1:9090/api/v1/query?query=up").unwrap();
    assert_eq!(
        (u.port, u.path_and_query.as_str()),
        (9090, "/api/v1/query?query=up")
    );
    let u = LoopbackUrl::parse("http://localhost:1").unwrap();
    assert_eq!(u.path_and_query, "/");
    assert!(LoopbackUrl::parse("http://example.com:80/").is_err());
    assert!(LoopbackUrl::parse("https://127.0.0.1:1/").is_err());
}

#[test]
fn parses_chunked_response() {
    let raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: a/b\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
    let r = parse_http_response(raw).unwrap();
    assert_eq!(
        (r.status, r.body.as_slice(), r.header("content-type")),
        (200, &b"abcde"[..], Some("a/b"))
    );
}
