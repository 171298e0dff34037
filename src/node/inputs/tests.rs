use super::*;
use crate::evidence::{ClusterInfo, NodeKind, NodeRef, NodeSources};

fn ok(body: &str) -> Source {
    Source {
        outcome: Outcome::Ok {
            http_status: 200,
            body: body.into(),
            filter: None,
        },
        ..Source::default()
    }
}

fn evidence(sources: NodeSources) -> NodeEvidence {
    NodeEvidence {
        schema_version: 2,
        kind: NodeKind::Node,
        ktrace_version: "0.1.0".into(),
        captured_at: "2026-12-01T10:00:00Z".into(),
        target: NodeRef { name: "n1".into() },
        cluster: ClusterInfo::default(),
        sources,
        notes: Vec::new(),
    }
}

#[test]
fn bodies_are_parsed_and_failures_keep_their_status_and_reason() {
    let sources = NodeSources {
        node: ok(r#"{"metadata":{"name":"n1"}}"#),
        pods: Source {
            outcome: Outcome::Failed {
                http_status: Some(403),
                error: "pods is forbidden".into(),
                needs: Some("list pods".into()),
            },
            ..Source::default()
        },
        node_metrics: ok("not json"),
        ..NodeSources::default()
    };
    let ev = evidence(sources);
    let parsed = Parsed::from_evidence(&ev);
    let inputs = parsed.inputs("n1", KubectlRules::V1_32, now_ns(&ev));
    assert_eq!(inputs.node.unwrap()["metadata"]["name"], "n1");
    let pods = inputs.pods.unwrap_err();
    assert_eq!(pods.status, Some(403));
    assert_eq!(
        pods.reason,
        "HTTP 403: pods is forbidden (needs RBAC `list pods`)"
    );
    let metrics = inputs.node_metrics.unwrap_err();
    assert_eq!(metrics.status, None);
    assert!(
        metrics.reason.starts_with("the body is not JSON: "),
        "{}",
        metrics.reason
    );
    let pm = inputs.pod_metrics.unwrap().unwrap_err();
    assert_eq!(pm.reason, "not collected: not present in the evidence");
    assert_eq!(inputs.now_ns, Some(1_796_119_200_000_000_000));
}

#[test]
fn rules_follow_the_server_version() {
    assert_eq!(rules_for(Some("v1.32.4")), KubectlRules::V1_32);
    assert_eq!(rules_for(Some("v1.21.1+6438632")), KubectlRules::V1_32);
    assert_eq!(rules_for(Some("v1.35.0")), KubectlRules::V1_33);
    assert_eq!(rules_for(None), KubectlRules::V1_33);
}
