use std::sync::Mutex;

use super::*;

/// A fake sink recording every event, and the watch that feeds it.
fn recording(verbose: bool) -> (Watch, Arc<Mutex<Vec<Event>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let into = Arc::clone(&seen);
    let sink = Progress::new(move |e| into.lock().unwrap().push(e.clone()));
    (Watch::new(verbose, Some(sink)), seen)
}

fn ok(status: u16) -> Outcome {
    Outcome::Ok {
        http_status: status,
        body: "{}".into(),
        filter: None,
    }
}

fn failed(status: Option<u16>, error: &str) -> Outcome {
    Outcome::Failed {
        http_status: status,
        error: error.into(),
        needs: None,
    }
}

/// The elapsed time varies; everything else of a Finished event is compared.
fn without_time(e: &Event) -> Event {
    match e.clone() {
        Event::Finished {
            id,
            label,
            ok,
            summary,
            log,
            ..
        } => Event::Finished {
            id,
            label,
            ok,
            summary,
            elapsed: Duration::ZERO,
            log: log.map(|l| l.rsplit_once(" in ").unwrap().0.to_string()),
        },
        other => other,
    }
}

#[test]
fn a_request_is_started_then_finished_with_its_outcome() {
    let (watch, seen) = recording(false);
    let t = watch.start("Pod csi/x".into(), "/api/v1/namespaces/csi/pods/x");
    assert_eq!(seen.lock().unwrap().len(), 1, "Started is sent at once");
    watch.finish(t, &ok(200));
    let events: Vec<Event> = seen.lock().unwrap().iter().map(without_time).collect();
    assert_eq!(
        events,
        vec![
            Event::Started {
                id: 0,
                label: "Pod csi/x".into(),
                target: "/api/v1/namespaces/csi/pods/x".into(),
            },
            Event::Finished {
                id: 0,
                label: "Pod csi/x".into(),
                ok: true,
                summary: "HTTP 200".into(),
                elapsed: Duration::ZERO,
                log: None,
            },
        ]
    );
}

#[test]
fn overlapping_requests_get_their_own_ids_and_clones_share_the_counter() {
    let (watch, seen) = recording(false);
    let other = watch.clone();
    let a = watch.start("A".into(), "/a");
    let b = other.start("B".into(), "/b");
    other.finish(b, &failed(Some(403), "forbidden"));
    watch.finish(a, &failed(None, "timed out after 3s waiting for GET /a"));
    let got: Vec<(u64, String, bool)> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|e| match e {
            Event::Started { id, label, .. } => (*id, format!("start {label}"), true),
            Event::Finished {
                id,
                label,
                ok,
                summary,
                ..
            } => (*id, format!("end {label}: {summary}"), *ok),
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (0, "start A".to_string(), true),
            (1, "start B".to_string(), true),
            (1, "end B: HTTP 403".to_string(), false),
            (0, "end A: timed out".to_string(), false),
        ]
    );
}

#[test]
fn with_a_sink_the_verbose_line_travels_in_the_event() {
    let (watch, seen) = recording(true);
    let t = watch.start("API server version".into(), "/version");
    watch.finish(t, &ok(200));
    let last = without_time(seen.lock().unwrap().last().unwrap());
    let Event::Finished { log, .. } = last else {
        panic!("not finished: {last:?}")
    };
    assert_eq!(
        log.as_deref(),
        Some("ktrace: GET /version → 200 (2 bytes kept)")
    );
}

#[test]
fn targets_lose_credentials_and_labels_lose_control_characters() {
    let (watch, seen) = recording(false);
    let _t = watch.start(
        "kubelet cAdvisor on evil\u{1b}[2J".into(),
        "https://u:pw@prom:9090/api/v1/query?query=up",
    );
    let Event::Started { label, target, .. } = seen.lock().unwrap()[0].clone() else {
        panic!("no Started event")
    };
    assert_eq!(label, "kubelet cAdvisor on evil\\u{1b}[2J");
    assert_eq!(target, "https://prom:9090/api/v1/query?query=up");
}

#[test]
fn outcomes_are_summarised_in_a_few_words() {
    assert_eq!(summary(&ok(200)), "HTTP 200");
    assert_eq!(summary(&failed(Some(503), "unavailable")), "HTTP 503");
    assert_eq!(summary(&failed(None, "timed out after 30s")), "timed out");
    assert_eq!(summary(&failed(None, "no data for 30s while …")), "stalled");
    assert_eq!(
        summary(&failed(None, "gave up on GET /x after 300s")),
        "too slow"
    );
    let connect = "GET /x failed: ServiceError: client error (Connect): deadline has elapsed";
    assert_eq!(summary(&failed(None, connect)), "timed out");
    assert_eq!(
        summary(&failed(None, "GET /x failed: refused")),
        "no answer"
    );
    let skipped = Outcome::NotCollected {
        reason: "no node".into(),
    };
    assert_eq!(summary(&skipped), "not collected");
}

#[test]
fn every_path_ktrace_asks_for_has_a_label() {
    let cases = [
        ("/version", "API server version"),
        ("/apis/metrics.k8s.io", "Metrics API discovery"),
        (
            "/apis/metrics.k8s.io/v1beta1/namespaces/csi/pods/blockvol-fs-1",
            "PodMetrics csi/blockvol-fs-1",
        ),
        (
            "/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.k8s.io",
            "APIService v1beta1.metrics.k8s.io",
        ),
        ("/apis/apps/v1/namespaces/m/deployments", "Deployments in m"),
        (
            "/apis/apps/v1/namespaces/m/deployments/prometheus-adapter",
            "Deployment m/prometheus-adapter",
        ),
        (
            "/api/v1/namespaces/csi/pods/blockvol-fs-1",
            "Pod csi/blockvol-fs-1",
        ),
        ("/api/v1/namespaces/m/services/adapter", "Service m/adapter"),
        (
            "/api/v1/namespaces/m/configmaps/adapter-config",
            "ConfigMap m/adapter-config",
        ),
        (
            "/api/v1/nodes/worker-4/proxy/metrics/cadvisor",
            "kubelet cAdvisor on worker-4",
        ),
        (
            "/api/v1/nodes/worker-4/proxy/metrics/resource",
            "kubelet resource metrics on worker-4",
        ),
        (
            "/api/v1/namespaces/o/services/https:prometheus-k8s:9091/proxy/api/v1/query?query=up",
            "Prometheus query via https:prometheus-k8s:9091",
        ),
        ("/healthz?verbose", "/healthz"),
    ];
    for (path, want) in cases {
        assert_eq!(label(path), want, "{path}");
    }
}
