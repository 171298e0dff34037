//! Issue 9, defects 7, 8, 9, 13 and the limit finding: answers that are unreadable, cut,
//! about another object, or too different to be drift never become facts about the target.

use super::*;

#[test]
fn a_pod_answer_about_another_pod_is_not_the_targets() {
    let (code, text, v) = run_modified(|v| {
        set_body(v, "pod", |b| {
            b.replacen("\"name\":\"blockvol-fs-1\"", "\"name\":\"intruder-0\"", 1)
        });
    });
    assert_eq!(v["pod"]["status"], "missing");
    assert_eq!(
        v["pod"]["reason"],
        "the answer is about csi/intruder-0, not the target csi/blockvol-fs-1"
    );
    assert_eq!(
        message(&v, "wrong-object"),
        "The Pod answer is not the target's: the answer is about csi/intruder-0, not the target csi/blockvol-fs-1. It is not used."
    );
    assert!(text.contains("wrong-object"), "{text}");
    assert_eq!(code, 0, "the Pod is context, not a layer of the number");
}

#[test]
fn a_pod_metrics_answer_from_another_namespace_makes_the_layer_missing() {
    let (code, _, v) = run_modified(|v| {
        set_body(v, "pod_metrics", |b| {
            b.replacen("\"namespace\":\"csi\"", "\"namespace\":\"kube-system\"", 1)
        });
    });
    assert_eq!(v["verdict"], "partial");
    assert_eq!(code, 3);
    assert_eq!(v["metrics_api"]["status"], "missing");
    assert_eq!(
        v["metrics_api"]["reason"],
        "the answer is about kube-system/blockvol-fs-1, not the target csi/blockvol-fs-1"
    );
    assert_eq!(finding(&v, "wrong-object").len(), 1);
}
