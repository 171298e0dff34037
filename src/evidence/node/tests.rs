use super::*;
use crate::evidence::{
    AnyEvidence, BundleError, Outcome, QueryPurpose, SCHEMA_VERSION, read_any_bundle, read_bundle,
    read_node_bundle, write_bundle,
};

fn ok(body: &str) -> Source {
    Source {
        request: Some("/api/v1/nodes/worker-1".into()),
        fetched_at: Some("2026-01-02T03:04:05Z".into()),
        outcome: Outcome::Ok {
            http_status: 200,
            body: body.into(),
            filter: None,
        },
    }
}

fn node_evidence() -> NodeEvidence {
    NodeEvidence {
        schema_version: SCHEMA_VERSION,
        kind: NodeKind::Node,
        ktrace_version: "0.0.0".into(),
        captured_at: "2026-01-02T03:04:05Z".into(),
        target: NodeRef {
            name: "worker-1".into(),
        },
        cluster: ClusterInfo::default(),
        sources: NodeSources {
            node: ok(r#"{"kind":"Node"}"#),
            prometheus: vec![PromQuery {
                purpose: QueryPurpose::NodeCpu,
                query: "up".into(),
                time: Some("1767323045".into()),
                source: ok("{}"),
            }],
            ..NodeSources::default()
        },
        notes: Vec::new(),
    }
}

fn written(ev: &NodeEvidence) -> Vec<u8> {
    let mut out = Vec::new();
    write_bundle(ev, &mut out).unwrap();
    out
}

#[test]
fn a_node_bundle_says_kind_node_and_reads_back_unchanged() {
    let ev = node_evidence();
    let bytes = written(&ev);
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["kind"], "node");
    assert_eq!(v["target"], serde_json::json!({"name": "worker-1"}));
    assert_eq!(v["sources"]["prometheus"][0]["purpose"], "node-cpu");
    let back = read_node_bundle(&bytes[..]).unwrap();
    assert_eq!(back, ev);
    assert_eq!(written(&back), bytes);
    assert_eq!(
        read_any_bundle(&bytes[..]).unwrap(),
        AnyEvidence::Node(ev.clone())
    );
}

#[test]
fn the_kinds_are_not_mixed_up() {
    let node = written(&node_evidence());
    let err = read_bundle(&node[..]).unwrap_err();
    assert!(
        matches!(&err, BundleError::WrongKind { found, wanted: "pod" } if found == "node"),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "this is a node bundle, not a pod bundle (use `ktrace node … --from`)"
    );
    let seed = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/bundles/seed-ocp48-crio-cgv1.json"
    ))
    .unwrap();
    assert!(matches!(
        read_any_bundle(&seed[..]).unwrap(),
        AnyEvidence::Pod(_)
    ));
    let err = read_node_bundle(&seed[..]).unwrap_err();
    assert!(matches!(&err, BundleError::WrongKind { found, wanted: "node" } if found == "pod"));
    let text = String::from_utf8(node)
        .unwrap()
        .replace(r#""kind": "node""#, r#""kind": "rack""#);
    let err = read_any_bundle(text.as_bytes()).unwrap_err();
    assert!(
        err.to_string().contains(r#"unknown bundle kind "rack""#),
        "{err}"
    );
}

#[test]
fn node_purposes_are_stored_by_their_names() {
    for (name, purpose) in [
        ("node-memory", QueryPurpose::NodeMemory),
        ("node-cpu", QueryPurpose::NodeCpu),
        ("node-cpu-samples", QueryPurpose::NodeCpuSamples),
        ("node-meminfo", QueryPurpose::NodeMeminfo),
    ] {
        assert_eq!(QueryPurpose::from(name.to_string()), purpose);
        assert_eq!(purpose.as_str(), name);
        assert!(purpose.is_node());
    }
    assert!(!QueryPurpose::Cpu.is_node());
}

#[test]
fn a_node_source_body_over_the_cap_is_refused_by_name() {
    let mut ev = node_evidence();
    let big = "x".repeat(crate::evidence::bundle::MAX_BODY_BYTES + 1);
    ev.sources.kubelet_cadvisor = ok(&big);
    let err = read_node_bundle(&written(&ev)[..]).unwrap_err();
    assert!(
        matches!(&err, BundleError::BodyTooLarge { source_name, .. } if source_name == "kubelet_cadvisor"),
        "{err}"
    );
}
