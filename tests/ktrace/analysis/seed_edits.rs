//! The seed bundle, edited in memory one fact at a time: missing layers, mismatches, drift,
//! duplicate and hostile series, pod findings.

use serde_json::Value;

use super::*;

#[test]
fn a_403_on_nodes_proxy_gives_a_partial_report_naming_the_permission() {
    let (code, text, v) = run_modified(|v| {
        v["sources"]["kubelet_cadvisor"]["outcome"] = serde_json::json!({
            "status": "failed", "http_status": 403, "needs": "get nodes/proxy",
            "error": "nodes \"worker-4\" is forbidden: User \"support\" cannot get resource \"nodes/proxy\" in API group \"\" at the cluster scope"
        });
    });
    assert_eq!(code, 3);
    assert!(
        text.contains(
            "kubelet /metrics/cadvisor is missing: HTTP 403: nodes \"worker-4\" is forbidden"
        ),
        "{text}"
    );
    assert!(text.contains("(needs RBAC `get nodes/proxy`)"));
    assert!(
        text.contains("blockvol-fs-1  19m         84Mi"),
        "Metrics API layer still shown"
    );
    assert!(text.contains(SEED_QUERY), "adapter layer still shown");
    assert_eq!(v["verdict"], "partial");
    assert_eq!(v["cadvisor"]["status"], "missing");
}

#[test]
fn a_value_mismatch_exits_4_and_says_by_how_much() {
    let (code, text, v) = run_modified(|v| {
        let q = &mut v["sources"]["prometheus"][0]["source"]["outcome"]["body"];
        let body = q.as_str().unwrap().replace("\"88784896\"", "\"88788992\"");
        *q = Value::String(body);
    });
    assert_eq!(code, 4);
    assert_eq!(v["verdict"], "disagree");
    let r = recon(&v, "centos-tools");
    assert_eq!(r["backend_bytes"], 88788992);
    assert_eq!(r["verdict"], "query result off by +4096 B from Metrics API");
    assert!(text.contains("values-differ"));
}

#[test]
fn hostile_payloads_become_missing_layers_not_crashes() {
    let (code, text, v) = run_modified(|v| {
        let s = &mut v["sources"];
        s["pod_metrics"]["outcome"]["body"] =
            Value::String("{\"containers\": [{\"usage\": 7}]".into());
        s["adapter_config"]["outcome"]["body"] =
            Value::String("{\"data\": {\"config.yaml\": \"resourceRules: [\"}}".into());
        s["kubelet_cadvisor"]["outcome"]["body"] =
            Value::String("x{a=\"\n\u{0}\u{0} 1 2 3\n# TYPE\n".into());
        s["prometheus"][0]["source"]["outcome"]["body"] = Value::String("[]".into());
    });
    assert_eq!(code, 3);
    assert_eq!(v["metrics_api"]["status"], "missing");
    assert!(
        v["metrics_api"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("PodMetrics is not JSON")
    );
    assert_eq!(v["adapter"]["memory"]["status"], "missing");
    assert!(text.contains("unparsable: line 1"), "{text}");
}

#[test]
fn an_empty_adapter_result_is_not_called_exact() {
    let (code, _, v) = run_modified(|v| {
        v["sources"]["prometheus"][0]["source"]["outcome"]["body"] = Value::String(
            r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#.into(),
        );
    });
    assert_eq!(code, 3);
    let verdicts: Vec<&str> = v["reconciliation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(
        verdicts,
        ["missing: the adapter's query returned no sample for this container"; 2]
    );
}

#[test]
fn pod_findings_name_oom_kills_limits_and_why_metrics_are_missing() {
    let (code, text, v) = run_modified(|v| {
        let pod = &mut v["sources"]["pod"]["outcome"]["body"];
        let mut p: Value = serde_json::from_str(pod.as_str().unwrap()).unwrap();
        p["spec"]["containers"][0]["resources"] =
            serde_json::json!({"limits": {"memory": "128Mi"}});
        p["status"]["containerStatuses"][0]["restartCount"] = 3.into();
        p["status"]["containerStatuses"][0]["lastState"] = serde_json::json!({"terminated": {"reason": "OOMKilled", "finishedAt": "2021-11-05T15:58:10Z"}});
        *pod = Value::String(p.to_string());
    });
    assert_eq!(code, 0);
    assert!(
        text.contains(
            "centos-tools: limit 128Mi, 3 restarts, last OOMKilled at 2021-11-05T15:58:10Z"
        ),
        "{text}"
    );
    let oom = finding(&v, "oom-killed");
    assert_eq!(oom.len(), 1);
    assert_eq!(
        message(&v, "limit-headroom"),
        "Container \"centos-tools\": limit 128Mi = 134217728 B. usage 130928640 B (97.5 %) is what the limit is enforced on (page cache is reclaimed first); working set 88784896 B (66.1 %) is what `top` shows and what eviction uses."
    );

    let (code, _, v) = run_modified(|v| {
        v["sources"]["pod_metrics"]["outcome"] = serde_json::json!({
            "status": "failed", "http_status": 404,
            "error": "podmetrics.metrics.k8s.io \"csi/blockvol-fs-1\" not found"
        });
        let a = &mut v["sources"]["apiservice"]["outcome"]["body"];
        let mut api: Value = serde_json::from_str(a.as_str().unwrap()).unwrap();
        api["status"]["conditions"][0] = serde_json::json!({"type": "Available", "status": "False",
            "reason": "FailedDiscoveryCheck", "message": "failing or missing response from https://10.128.0.5:6443"});
        *a = Value::String(api.to_string());
    });
    assert_eq!(code, 3);
    let none = finding(&v, "no-pod-metrics");
    assert!(
        none[0]["message"]
            .as_str()
            .unwrap()
            .contains("podmetrics.metrics.k8s.io \"csi/blockvol-fs-1\" not found")
    );
    assert_eq!(
        none[0]["evidence"][0],
        "the pod started 5656 s before the evidence was captured (kubectl says `metrics not available yet` for pods younger than 120 s; metrics-server needs two scrapes after a container (re)start)"
    );
    assert!(message(&v, "apiservice-unavailable").contains(
        "False (FailedDiscoveryCheck: failing or missing response from https://10.128.0.5:6443)"
    ));
}

#[test]
fn dedicated_service_monitors_trace_to_the_resource_endpoint_and_leave_out_pause() {
    // OpenShift's dedicatedServiceMonitors: the adapter queries pa_container_memory_working_set_bytes,
    // /metrics/resource renamed, where the pause container never appears.
    let yaml = fixtures::realdata(
        "adapter-config/openshift-cmo-release-4.12-prometheus-adapter-config-map-dedicated-service-monitors.yaml",
    );
    let cm: Value = serde_saphyr::from_str(&yaml).unwrap();
    let query = "sum by (pod,container) (\n  pa_container_memory_working_set_bytes{namespace=\"csi\",pod=\"blockvol-fs-1\",container!=\"\",pod!=\"\"}\n)\n";
    let (code, _, v) = run_modified(|v| {
        let s = &mut v["sources"];
        s["adapter_config"]["outcome"]["body"] = Value::String(cm.to_string());
        let pm = s["pod_metrics"]["outcome"]["body"]
            .as_str()
            .unwrap()
            .replace(
                r#"{"name":"POD","usage":{"cpu":"0","memory":"176Ki"}},"#,
                "",
            );
        s["pod_metrics"]["outcome"]["body"] = Value::String(pm);
        s["prometheus"] = serde_json::json!([{"purpose": "memory", "query": query, "source": {"outcome": {
            "status": "ok", "http_status": 200,
            "body": r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"container":"centos-tools","pod":"blockvol-fs-1"},"value":[1636128362,"88784896"]}]}}"#
        }}}]);
    });
    assert_eq!(code, 0);
    assert_eq!(v["adapter"]["memory"]["value"]["rendered"], query);
    assert!(finding(&v, "query-differs").is_empty());
    let recon = v["reconciliation"].as_array().unwrap();
    assert_eq!(recon.len(), 1, "no POD row: {recon:?}");
    assert_eq!(recon[0]["container"], "centos-tools");
    assert_eq!(
        recon[0]["series"][0],
        "container_memory_working_set_bytes{container=\"centos-tools\",namespace=\"csi\",pod=\"blockvol-fs-1\"} 8.8784896e+07 1636128359127"
    );
    assert_eq!(recon[0]["verdict"], "exact");
    assert_eq!(v["top"]["value"]["pod_row"]["memory"], "84Mi");
    // The series came from /metrics/resource: the cAdvisor cgroup is found by name.
    let b: Vec<(&Value, &Value)> = v["breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (&b["container"], &b["working_set"]))
        .collect();
    assert_eq!(
        b,
        [
            (&Value::Null, &88784896.into()),
            (&"centos-tools".into(), &88784896.into())
        ]
    );
    assert!(
        v["summary"]["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["kind"] == "source")
            .and_then(|l| l["text"].as_str())
            .unwrap()
            .starts_with("`pa_container_memory_working_set_bytes` from the kubelet's /metrics/resource on worker-4")
    );
}

#[test]
fn an_empty_kubelet_layer_is_partial_not_consistent() {
    let (code, _, v) = run_modified(|v| set_body(v, "kubelet_cadvisor", |_| String::new()));
    assert_eq!(code, 3);
    assert_eq!(
        v["reconciliation"][1]["verdict"],
        "exact (no cAdvisor series)"
    );
    assert_eq!(v["verdict"], "partial");
}

#[test]
fn newer_kubelet_samples_are_drift_not_disagreement() {
    let (code, text, v) = run_modified(|v| {
        set_body(v, "kubelet_cadvisor", |b| {
            b.replace(
                "} 8.8784896e+07 1636128359127",
                "} 8.8789e+07 1636128365000",
            )
        })
    });
    assert_eq!(code, 0);
    assert_eq!(v["verdict"], "drift");
    assert_eq!(
        v["reconciliation"][1]["verdict"],
        "cAdvisor Σ off by +4104 B from Metrics API; cAdvisor sampled 3.000 s after the Metrics API timestamp"
    );
    assert!(text.contains("consistent, with drift"));
}

#[test]
fn a_container_listed_twice_in_the_metrics_api_is_summed_and_flagged() {
    let (code, _, v) = run_modified(|v| {
        set_body(v, "pod_metrics", |b| {
            b.replace(
                r#"{"name":"centos-tools","usage":{"cpu":"19m","memory":"86704Ki"}}"#,
                r#"{"name":"centos-tools","usage":{"cpu":"19m","memory":"86704Ki"}},{"name":"centos-tools","usage":{"cpu":"19m","memory":"86704Ki"}}"#,
            )
        })
    });
    assert_eq!(code, 4);
    assert_eq!(v["top"]["value"]["pod_row"]["memory"], "169Mi");
    let r = &v["reconciliation"][1];
    assert_eq!(r["metrics_api_bytes"], 177569792);
    assert!(
        r["verdict"]
            .as_str()
            .unwrap()
            .ends_with("(2 Metrics API entries named \"centos-tools\", summed)")
    );
}

#[test]
fn overflowing_and_non_finite_values_never_panic_or_print_as_numbers() {
    for (source, from, to) in [
        (
            "kubelet_cadvisor",
            "} 8.8784896e+07 1636128359127",
            "} 8.8789e+07 -9223372036854775808",
        ),
        (
            "kubelet_cadvisor",
            "} 8.8784896e+07 1636128359127",
            "} -1e39 1636128359127",
        ),
        (
            "kubelet_cadvisor",
            "} 1.3092864e+08 1636128359127",
            "} 1e39 1636128359127",
        ),
        (
            "kubelet_cadvisor",
            "} 8.9133056e+07 1636128353412",
            "} -1e39 1636128353412",
        ),
        (
            "kubelet_cadvisor",
            "} 8.8784896e+07 1636128359127",
            "} NaN 1636128359127",
        ),
        (
            "kubelet_cadvisor",
            "} 8.8784896e+07 1636128359127",
            "} +Inf 1636128359127",
        ),
    ] {
        let (code, text, v) = run_modified(|v| set_body(v, source, |b| b.replace(from, to)));
        assert!((0..=4).contains(&code), "{to}: exit {code}");
        assert!(
            !text.contains("170141183460469231731687303715884105727"),
            "{to}: i128::MAX printed"
        );
        if to.contains("NaN") || to.contains("Inf") || to.contains("e39") {
            let issues = v["cadvisor"]["value"]["parse_issues"].as_array().unwrap();
            assert!(
                issues
                    .iter()
                    .any(|i| i.as_str().unwrap().contains("is not a byte count")),
                "{to}"
            );
        }
    }
    let (code, _, v) = run_modified(|v| {
        let q = &mut v["sources"]["prometheus"][0]["source"]["outcome"]["body"];
        *q = Value::String(q.as_str().unwrap().replace("\"88784896\"", "\"1e40\""));
    });
    assert_eq!(
        code, 3,
        "a result value that is no byte count leaves the container without a backend value"
    );
    assert!(v["reconciliation"][1]["backend_bytes"].is_null());
}

#[test]
fn fractional_byte_quantities_are_summed_exactly_before_rounding() {
    let (_, _, v) = run_modified(|v| {
        set_body(v, "pod_metrics", |b| {
            b.replace("\"176Ki\"", "\"1048575500m\"")
                .replace("\"86704Ki\"", "\"1048575500m\"")
        })
    });
    let top = &v["top"]["value"];
    assert_eq!(
        top["memory_sum"],
        "1048575500m + 1048575500m = 1048575.5 + 1048575.5 = 2097151 B"
    );
    assert_eq!(top["pod_row"]["memory"], "1Mi");
    let pause = message(&v, "pause-counted");
    assert!(
        pause.contains("Without it the pod row would be floor(1048576 / 1048576) = 1Mi"),
        "{pause}"
    );
}

#[test]
fn crio_conmon_scopes_under_the_pod_slice_are_not_the_pod_cgroup() {
    let conmon = r#"container_memory_working_set_bytes{container="",id="/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod8f3c2a61_5b7e_4d2a_9c41_0e6d9b1f7a35.slice/crio-conmon-12b0fa93cf1848b72bd8e570394fff29a5c293ae76edbbc7adb797a145b7c221.scope",image="",name="",namespace="",pod=""} 1.2e+06 1636128359127"#;
    let (code, _, v) =
        run_modified(|v| set_body(v, "kubelet_cadvisor", |b| format!("{b}{conmon}\n")));
    assert_eq!(code, 0);
    let roles: Vec<&str> = v["cadvisor"]["value"]["cgroups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["pod_cgroup", "pause", "app", "other"]);
    assert_eq!(finding(&v, "pod-cgroup-not-used").len(), 1);
}

#[test]
fn a_fractional_byte_sample_is_shown_but_never_rounded_into_a_sum() {
    let (code, _, v) = run_modified(|v| {
        set_body(v, "kubelet_cadvisor", |b| {
            b.replace(
                "} 8.8784896e+07 1636128359127",
                "} 88784896.5 1636128359127",
            )
        })
    });
    assert_eq!(code, 3);
    let r = recon(&v, "centos-tools");
    assert!(r["series_sum_bytes"].is_null());
    assert!(
        r["series"][0]
            .as_str()
            .unwrap()
            .ends_with("} 88784896.5 1636128359127   (not a whole byte count: not summed)")
    );
    assert_eq!(r["verdict"], "exact (no cAdvisor series)");
    let issues = v["cadvisor"]["value"]["parse_issues"].as_array().unwrap();
    assert!(issues.iter().any(|i| {
        i.as_str()
            .unwrap()
            .contains("value 88784896.5 is not a byte count")
    }));
}
