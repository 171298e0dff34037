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

#[test]
fn a_source_cut_at_a_limit_gets_a_limit_reached_finding_quoting_the_note() {
    let cut = format!(
        "{}: kept the first 20000 lines / 8 MiB of the pod's lines, the most ktrace keeps of one kubelet body; the rest of the body was not read",
        ktrace::evidence::LIMIT_REACHED
    );
    let (_, text, v) = run_modified(|v| {
        let o = &mut v["sources"]["kubelet_cadvisor"]["outcome"];
        let note = format!("{}; {cut}", o["filter"].as_str().unwrap());
        o["filter"] = Value::String(note);
        v["sources"]["adapter_config"]["outcome"] = serde_json::json!({
            "status": "failed",
            "error": "ktrace limit reached: the answer to GET /api/v1/x is larger than 4 MiB after decompression, the most ktrace keeps of an API object; it was not kept"
        });
    });
    // Findings with one code are merged into one (tidy): both sources, in source order.
    let found = finding(&v, "limit-reached");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["severity"], "missing");
    assert_eq!(
        found[0]["message"],
        "Adapter config (ConfigMap) was cut at a ktrace size limit: it was not kept, so what it holds is incomplete. kubelet /metrics/cadvisor was cut at a ktrace size limit: only part of it was kept, so what it holds is incomplete."
    );
    assert_eq!(
        found[0]["evidence"],
        serde_json::json!([
            "ktrace limit reached: the answer to GET /api/v1/x is larger than 4 MiB after decompression, the most ktrace keeps of an API object; it was not kept",
            cut
        ])
    );
    assert!(text.contains("limit-reached"), "{text}");
}

#[test]
fn a_complete_bundle_has_no_limit_finding() {
    let (_, v) = json_report("csi/blockvol-fs-1", SEED);
    assert!(finding(&v, "limit-reached").is_empty());
}
