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
    let (code, text, v) = run_modified(|v| {
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
    assert_eq!(code, 3, "cut evidence is never an all-clear");
    assert!(
        text.contains("Partly proven: missing Adapter config (ConfigMap) (ktrace limit reached: the answer to GET /api/v1/x is larger than 4 MiB"),
        "{text}"
    );
}

#[test]
fn a_complete_bundle_has_no_limit_finding() {
    let (_, v) = json_report("csi/blockvol-fs-1", SEED);
    assert!(finding(&v, "limit-reached").is_empty());
}

/// The seed with the centos-tools query sample's value (`"88784896"`) replaced by `json`.
fn with_query_value(json: &str) -> (i32, String, Value) {
    run_modified(|v| {
        let q = &mut v["sources"]["prometheus"][0]["source"]["outcome"]["body"];
        *q = Value::String(q.as_str().unwrap().replace("\"88784896\"", json));
    })
}

#[test]
fn an_unreadable_query_value_is_quoted_not_called_no_sample() {
    let cases = [
        (
            "88784896",
            "unreadable: the query's sample is unreadable: the value 88784896 is not a string, as Prometheus sends it",
        ),
        (
            "\"+Inf\"",
            "unreadable: the query returned \"+Inf\", beyond any byte count",
        ),
        (
            "\"1e400\"",
            "unreadable: the query returned \"1e400\", beyond any byte count",
        ),
        (
            "\"0x10\"",
            "unreadable: the query returned \"0x10\", not a decimal number",
        ),
        (
            "\"NaN\"",
            "unreadable: the query returned \"NaN\", not a byte count (the adapter would make it 0)",
        ),
        (
            "\"-Inf\"",
            "unreadable: the query returned \"-Inf\", not a byte count (the adapter would make it 0)",
        ),
        (
            "\"-5\"",
            "unreadable: the query returned \"-5\", not a byte count (the adapter would make it 0)",
        ),
    ];
    for (value, verdict) in cases {
        let (code, text, v) = with_query_value(value);
        let r = recon(&v, "centos-tools");
        assert_eq!(r["verdict"], verdict, "{value}");
        assert_eq!(r["backend_bytes"], Value::Null, "{value}: never shown as 0");
        assert_eq!((code, &v["verdict"]), (3, &"partial".into()), "{value}");
        assert!(!text.contains("returned no sample"), "{value}: {text}");
        let f = finding(&v, "unreadable-answer");
        assert_eq!(f[0]["severity"], "missing", "{value}");
        assert_eq!(
            f[0]["evidence"][0],
            format!(
                "Prometheus query, container \"centos-tools\": {}",
                verdict.trim_start_matches("unreadable: ")
            ),
            "{value}"
        );
        assert!(
            text.contains(&format!("centos-tools: {verdict}")),
            "{value}: the partial line names it: {text}"
        );
    }
}

#[test]
fn an_apiservice_with_a_wrong_typed_service_is_unreadable_not_local() {
    let (_, text, v) = run_modified(|v| {
        set_body(v, "apiservice", |b| {
            let mut o: Value = serde_json::from_str(b).unwrap();
            o["spec"]["service"] = Value::String("prometheus-adapter".into());
            o.to_string()
        })
    });
    assert_eq!(v["backend"]["service"], Value::Null);
    let why = "the APIService's spec.service is unreadable (not a {namespace, name} object): \"\\\"prometheus-adapter\\\"\"";
    assert_eq!(v["backend"]["apiservice_missing"], why);
    assert!(!text.contains("(local"), "{text}");
    assert_eq!(
        finding(&v, "unreadable-answer")[0]["evidence"],
        serde_json::json!([format!("APIService: {why}")])
    );
}

#[test]
fn a_pod_answer_that_is_not_json_is_unreadable_and_quoted() {
    let (_, _, v) = run_modified(|v| {
        v["sources"]["pod"]["outcome"]["body"] = Value::String("<html>\u{1b}[31mgateway".into());
    });
    let why = "the Pod answer is unreadable (not JSON: expected value at line 1 column 1); it begins \"<html>\\u{1b}[31mgateway\"";
    assert_eq!(v["pod"]["reason"], why);
    assert_eq!(
        finding(&v, "unreadable-answer")[0]["evidence"],
        serde_json::json!([format!("Pod: {why}")])
    );
}

/// The seed's kubelet body with its centos-tools working-set line replaced by `f(line)`, and
/// `note` appended to the filter note.
fn with_kubelet_line(f: impl Fn(&str) -> String, note: &str) -> (i32, String, Value) {
    run_modified(|v| {
        let o = &mut v["sources"]["kubelet_cadvisor"]["outcome"];
        let body = o["body"].as_str().unwrap();
        let line = body
            .lines()
            .find(|l| {
                l.starts_with("container_memory_working_set_bytes{")
                    && l.contains("container=\"centos-tools\"")
            })
            .unwrap()
            .to_string();
        o["body"] = Value::String(body.replace(&line, &f(&line)));
        o["filter"] = Value::String(format!("{}{note}", o["filter"].as_str().unwrap()));
    })
}

#[test]
fn an_unreadable_kubelet_line_of_the_pod_is_a_finding_and_a_partial_verdict() {
    // As the filter keeps it now: the broken line, and the count in the note.
    let (code, text, v) = with_kubelet_line(
        |l| l.replacen('}', " ", 1),
        "; 1 lines mention the pod but could not be read (1 kept)",
    );
    assert_eq!(code, 3);
    assert_eq!(v["verdict"], "partial");
    let f = finding(&v, "unreadable-lines");
    assert_eq!(f[0]["severity"], "missing");
    assert_eq!(
        f[0]["message"],
        "1 line of the kubelet /metrics/cadvisor body could not be read, so what it says is not in the tables."
    );
    let quoted = f[0]["evidence"][0].as_str().unwrap();
    assert!(
        quoted.contains("\"container_memory_working_set_bytes{container=\\\"centos-tools\\\""),
        "{quoted}"
    );
    assert!(
        !v["cadvisor"]["value"]["parse_issues"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        text.contains("Partly proven: 1 line of the kubelet /metrics/cadvisor body could not be read, so what it says is not in the tables; what was read agrees."),
        "{text}"
    );
    assert!(!text.contains("missing kubelet"), "{text}");
}

#[test]
fn kubelet_lines_only_counted_by_the_filter_are_still_reported() {
    // Lines that are not UTF-8 or over 1 MiB are counted, not kept: the body looks whole.
    let (code, _, v) = with_kubelet_line(
        str::to_string,
        "; 4 lines mention the pod but could not be read (0 kept)",
    );
    assert_eq!(code, 3);
    assert_eq!(
        message(&v, "unreadable-lines"),
        "4 lines of the kubelet /metrics/cadvisor body could not be read, so what they say is not in the tables."
    );
}

#[test]
fn a_garbage_kubelet_body_is_an_unreadable_layer_not_an_empty_table() {
    let (code, text, v) = run_modified(|v| {
        let o = &mut v["sources"]["kubelet_cadvisor"]["outcome"];
        o["body"] = Value::String(String::new());
        o["filter"] = Value::String(format!(
            "{}; no line of the body is in the Prometheus text format; it begins \"<html>502 Bad Gateway\"",
            o["filter"].as_str().unwrap()
        ));
    });
    assert_eq!(code, 3);
    let why = "the kubelet body is unreadable: no line of the body is in the Prometheus text format; it begins \"<html>502 Bad Gateway\"";
    assert_eq!(v["cadvisor"]["status"], "missing");
    assert_eq!(v["cadvisor"]["reason"], why);
    assert_eq!(
        message(&v, "unreadable-lines"),
        format!("The kubelet /metrics/cadvisor body could not be read: {why}.")
    );
    assert!(
        text.contains("Partly proven: The kubelet /metrics/cadvisor body could not be read: the kubelet body is unreadable"),
        "{text}"
    );
}

#[test]
fn a_garbage_body_kept_whole_is_unreadable_too() {
    let (_, _, v) = run_modified(|v| {
        let o = &mut v["sources"]["kubelet_cadvisor"]["outcome"];
        o["body"] = Value::String("{\"kind\":\"Status\"}\n".into());
        o.as_object_mut().unwrap().remove("filter");
    });
    assert_eq!(
        v["cadvisor"]["reason"],
        "the kubelet body is unreadable: no line of the body is in the Prometheus text format; it begins \"{\\\"kind\\\":\\\"Status\\\"}\\n\""
    );
}

#[test]
fn a_kubelet_body_cut_at_its_keep_limit_makes_the_verdict_partial() {
    let (code, text, v) = run_modified(|v| {
        let o = &mut v["sources"]["kubelet_cadvisor"]["outcome"];
        let note = format!(
            "{}; ktrace limit reached: stopped reading after 256 MiB (decoded), the most ktrace reads of one kubelet body; pod lines after that were not seen",
            o["filter"].as_str().unwrap()
        );
        o["filter"] = Value::String(note);
    });
    assert_eq!((code, &v["verdict"]), (3, &"partial".into()));
    assert!(
        text.contains("Partly proven: kubelet /metrics/cadvisor was cut at a ktrace size limit: only part of it was kept, so what it holds is incomplete; what was read agrees."),
        "{text}"
    );
}
