use super::*;

#[test]
fn adapter_prometheus_urls_become_service_proxy_paths() {
    assert_eq!(
        service_proxy_path("https://prometheus-k8s.openshift-monitoring.svc:9091", "x").unwrap(),
        "/api/v1/namespaces/openshift-monitoring/services/https:prometheus-k8s:9091/proxy"
    );
    assert_eq!(
        service_proxy_path(
            "http://prometheus-k8s.monitoring.svc.cluster.local:9090/",
            "x"
        )
        .unwrap(),
        "/api/v1/namespaces/monitoring/services/http:prometheus-k8s:9090/proxy"
    );
    assert_eq!(
        service_proxy_path("http://thanos-querier/prom", "monitoring").unwrap(),
        "/api/v1/namespaces/monitoring/services/http:thanos-querier:80/proxy/prom"
    );
    assert!(service_proxy_path("https://localhost", "x").is_err());
    assert!(service_proxy_path("https://10.0.0.1:9091", "x").is_err());
    assert!(service_proxy_path("prometheus-k8s:9091", "x").is_err());
}

#[test]
fn a_query_that_is_not_run_says_why_and_has_no_request() {
    let q = not_run(QueryPurpose::Memory, "up".into(), "no --prometheus-url");
    assert_eq!(q.purpose, QueryPurpose::Memory);
    assert_eq!(q.query, "up");
    assert_eq!(q.time, None);
    assert_eq!(q.source.request, None);
    assert_eq!(
        q.source.missing_reason().as_deref(),
        Some("not collected: no --prometheus-url")
    );
}

#[test]
fn a_prometheus_url_that_would_leave_the_service_is_refused() {
    for url in [
        "https://prom.monitoring.svc:9091/../../../secrets",
        "https://prom.monitoring.svc:9091/x?y=1",
        "https://prom.Mon_itoring.svc:9091",
        "https://prom.monitoring.svc:9091/a/./b",
        "https://prom.monitoring.svc:a?b",
        "ftp://prom.monitoring.svc:21",
    ] {
        let err = service_proxy_path(url, "default").unwrap_err();
        assert!(err.contains("does not name a Service"), "{url}: {err}");
    }
    assert_eq!(
        service_proxy_path("https://prom:web/prometheus", "mon").unwrap(),
        "/api/v1/namespaces/mon/services/https:prom:web/proxy/prometheus"
    );
    assert!(service_proxy_path("https://prom:9091", "../x").is_err());
}
