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
    let q = not_run("memory", "up".into(), "no --prometheus-url");
    assert_eq!(q.purpose, "memory");
    assert_eq!(q.query, "up");
    assert_eq!(q.time, None);
    assert_eq!(q.source.request, None);
    assert_eq!(
        q.source.missing_reason().as_deref(),
        Some("not collected: no --prometheus-url")
    );
}

#[test]
fn queries_are_evaluated_at_the_podmetrics_timestamp() {
    let pm = Source {
        outcome: Outcome::Ok {
            http_status: 200,
            body: r#"{"timestamp":"2021-11-05T16:06:02Z"}"#.into(),
            filter: None,
        },
        ..Source::default()
    };
    assert_eq!(eval_time(&pm).as_deref(), Some("1636128362"));
    assert_eq!(eval_time(&Source::default()), None);
}
