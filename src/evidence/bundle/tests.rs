use super::*;

use crate::evidence::{Outcome, PodRef, Source};

fn evidence_with_pod_body(body: String) -> Evidence {
    let mut ev = Evidence {
        schema_version: SCHEMA_VERSION,
        ktrace_version: "test".into(),
        captured_at: "2021-11-05T16:06:03Z".into(),
        target: PodRef {
            namespace: "csi".into(),
            name: "p".into(),
        },
        cluster: Default::default(),
        sources: Default::default(),
        notes: Vec::new(),
        compare: Vec::new(),
    };
    ev.sources.pod = Source {
        request: Some("/api/v1/namespaces/csi/pods/p".into()),
        fetched_at: None,
        outcome: Outcome::Ok {
            http_status: 200,
            body,
            filter: None,
        },
    };
    ev
}

fn written(ev: &Evidence) -> Vec<u8> {
    let mut out = Vec::new();
    write_bundle(ev, &mut out).unwrap();
    out
}

#[test]
fn a_bundle_over_the_cap_is_refused_before_parsing() {
    // Not even JSON: only the size is looked at.
    let huge = std::io::repeat(b'x').take(MAX_BUNDLE_BYTES + 10);
    let err = read_bundle(huge).unwrap_err();
    assert!(matches!(err, BundleError::TooLarge), "{err}");
    assert_eq!(
        err.to_string(),
        "ktrace limit reached: the bundle is larger than 64 MiB, the most ktrace reads (a one-pod bundle is a few hundred KiB)"
    );
}

#[test]
fn a_source_body_over_the_cap_is_refused_by_name() {
    let ev = evidence_with_pod_body("y".repeat(MAX_BODY_BYTES + 1));
    let err = read_bundle(written(&ev).as_slice()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "ktrace limit reached: the body of source pod is {} bytes, more than the 16 MiB a bundle may hold for one source",
            MAX_BODY_BYTES + 1
        )
    );
    let ok = evidence_with_pod_body("{}".into());
    assert_eq!(read_bundle(written(&ok).as_slice()).unwrap(), ok);
}

#[test]
fn the_version_is_checked_before_the_shape() {
    let err = read_bundle(&br#"{"schema_version": 7, "sources": 12}"#[..]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unsupported bundle schema_version 7 (this ktrace reads versions 1 to 2)"
    );
    let err = read_bundle(&br#"{"sources": {}}"#[..]).unwrap_err();
    assert!(matches!(err, BundleError::NoVersion), "{err}");
    let err = read_bundle(&br#"{"schema_version": "1"}"#[..]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "bundle schema_version must be a whole number, found \"1\""
    );
}
