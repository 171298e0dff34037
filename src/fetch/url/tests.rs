use super::*;

#[test]
fn urls_lose_credentials_before_they_are_stored() {
    assert_eq!(
        redact_url("https://u:p@thanos.example.com:9091/prom?x=1&access_token=s"),
        "https://thanos.example.com:9091/prom?x=1"
    );
    assert_eq!(
        redact_url("https://thanos.example.com"),
        "https://thanos.example.com"
    );
    assert_eq!(redact_url("https://h/?token=a"), "https://h/");
}

#[test]
fn api_paths_pass_through_unchanged() {
    let path = "/api/v1/namespaces/m/services/https:p:9091/proxy/api/v1/query?query=up&time=5";
    assert_eq!(redact_url(path), path);
    assert_eq!(redact_url("/x?api_key=k&Password=p&query=a"), "/x?query=a");
}

#[test]
fn queries_are_percent_encoded() {
    assert_eq!(
        percent_encode(r#"sum(x{a!="",b=~"c|d"}) by (e)"#),
        "sum%28x%7Ba%21%3D%22%22%2Cb%3D~%22c%7Cd%22%7D%29%20by%20%28e%29"
    );
    assert_eq!(percent_encode("a-b_c.d~e"), "a-b_c.d~e");
    assert_eq!(percent_encode("µ"), "%C2%B5");
}
