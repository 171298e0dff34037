use super::*;

fn target() -> PodRef {
    PodRef {
        namespace: "csi".into(),
        name: "blockvol-fs-1".into(),
    }
}

#[test]
fn the_target_itself_and_absent_metadata_pass() {
    let v = serde_json::json!({"metadata": {"name": "blockvol-fs-1", "namespace": "csi"}});
    assert_eq!(check(&v, &target()), Ok(()));
    assert_eq!(check(&serde_json::json!({}), &target()), Ok(()));
}

#[test]
fn another_name_or_namespace_is_named_in_the_reason() {
    let v = serde_json::json!({"metadata": {"name": "other", "namespace": "csi"}});
    assert_eq!(
        check(&v, &target()),
        Err("the answer is about csi/other, not the target csi/blockvol-fs-1".into())
    );
    let v = serde_json::json!({"metadata": {"name": "blockvol-fs-1", "namespace": "kube-system"}});
    assert_eq!(
        check(&v, &target()),
        Err(
            "the answer is about kube-system/blockvol-fs-1, not the target csi/blockvol-fs-1"
                .into()
        )
    );
}
