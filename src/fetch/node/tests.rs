use super::*;

fn ok(body: &str) -> Source {
    Source {
        request: Some("/apis/metrics.k8s.io/v1beta1/pods".into()),
        fetched_at: None,
        outcome: Outcome::Ok {
            http_status: 200,
            body: body.into(),
            filter: None,
        },
    }
}

fn item(ns: &str, name: &str) -> Value {
    serde_json::json!({"metadata": {"namespace": ns, "name": name}})
}

#[test]
fn the_pods_path_is_kubectl_describe_nodes() {
    assert_eq!(
        pods_path("worker-1", None),
        "/api/v1/pods?fieldSelector=spec.nodeName%3Dworker-1%2Cstatus.phase%21%3DSucceeded%2Cstatus.phase%21%3DFailed&limit=500"
    );
    assert_eq!(
        pods_path("w", Some("eyJ2Ijo=")),
        "/api/v1/pods?continue=eyJ2Ijo%3D&fieldSelector=spec.nodeName%3Dw%2Cstatus.phase%21%3DSucceeded%2Cstatus.phase%21%3DFailed&limit=500"
    );
}

#[test]
fn only_the_node_pods_metrics_are_kept() {
    let all = serde_json::json!({"kind": "PodMetricsList", "items": [
        item("csi", "a-0"), item("csi", "elsewhere"), item("kube-system", "b")
    ]});
    let pods = serde_json::json!({"kind": "PodList", "items": [item("csi", "a-0"), item("kube-system", "b")]});
    let kept = keep_node_pod_metrics(ok(&all.to_string()), &ok(&pods.to_string()), "w");
    let body: Value = serde_json::from_str(kept.body().unwrap()).unwrap();
    assert_eq!(
        body["items"],
        serde_json::json!([item("csi", "a-0"), item("kube-system", "b")])
    );
    let Outcome::Ok { filter, .. } = &kept.outcome else {
        panic!()
    };
    assert_eq!(
        filter.as_deref(),
        Some("the items of the 2 pods listed on node w: kept 2 of 3")
    );
    let forbidden = Source {
        outcome: Outcome::Failed {
            http_status: Some(403),
            error: "forbidden".into(),
            needs: Some("list pods".into()),
        },
        ..Source::default()
    };
    let none = keep_node_pod_metrics(ok(&all.to_string()), &forbidden, "w");
    assert!(none.body().is_none());
    assert!(
        none.missing_reason()
            .unwrap()
            .contains("the node's pods are unknown (HTTP 403: forbidden (needs RBAC `list pods`))"),
        "{:?}",
        none.missing_reason()
    );
}

#[test]
fn a_missing_node_is_fatal_as_kubectl_words_it() {
    let missing = Source {
        outcome: Outcome::Failed {
            http_status: Some(404),
            error: "nodes \"x\" not found".into(),
            needs: None,
        },
        ..Source::default()
    };
    let err = check_node(&missing, "x", "https://127.0.0.1:1").unwrap_err();
    assert_eq!(
        err.to_string(),
        "Error from server (NotFound): nodes \"x\" not found"
    );
    assert!(check_node(&ok("{}"), "x", "s").is_ok());
}
