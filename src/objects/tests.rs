use super::*;

#[test]
fn secrets_are_taken_out_of_stored_objects() {
    let body = r#"{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{...}","a":"b"}},
        "spec":{"template":{"spec":{"containers":[{"name":"x",
        "args":["--config=/etc/adapter/config.yaml","--prometheus-header=Authorization: Bearer abc","--token","s3cr3t","--prometheus-token-file=/var/run/token","--prometheus-url=https://p:9091"],
        "env":[{"name":"PASS","value":"hunter2"},{"name":"FROM","valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}}]}]}}}}"#;
    let out = redact_object(body).unwrap();
    for secret in ["abc", "s3cr3t", "hunter2", "{...}"] {
        assert!(!out.contains(secret), "{secret} leaked: {out}");
    }
    for kept in [
        "--config=/etc/adapter/config.yaml",
        "--prometheus-token-file=/var/run/token",
        "--prometheus-url=https://p:9091",
        "secretKeyRef",
        "\"a\":\"b\"",
    ] {
        assert!(out.contains(kept), "{kept} lost: {out}");
    }
    assert!(out.contains("--prometheus-header=<redacted by ktrace>"));
}

#[test]
fn args_are_redacted_by_their_name_never_by_their_value() {
    let body = r#"{"spec":{"containers":[{"name":"x","args":[
        "--prometheus-url=https://prometheus-k8s.monitoring-secrets.svc:9091",
        "--metrics-relist-interval=token-ish",
        "--client-secret=cs-1","--password","pw-2","--api-key=ak-3",
        "--prometheus-header=X-Scope-OrgID: tenant-a","--prometheus-header","Cookie: c-4",
        "--verbose","/a/secret/path","--token-file=/var/run/t","--kubelet-use-node-status-port"]}]}}"#;
    let v: Value = serde_json::from_str(&redact_object(body).unwrap()).unwrap();
    let args: Vec<&str> = v["spec"]["containers"][0]["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(
        args,
        [
            "--prometheus-url=https://prometheus-k8s.monitoring-secrets.svc:9091",
            "--metrics-relist-interval=token-ish",
            "--client-secret=<redacted by ktrace>",
            "--password",
            "<redacted by ktrace>",
            "--api-key=<redacted by ktrace>",
            "--prometheus-header=X-Scope-OrgID: tenant-a",
            "--prometheus-header",
            "<redacted by ktrace>",
            "--verbose",
            "/a/secret/path",
            "--token-file=/var/run/t",
            "--kubelet-use-node-status-port",
        ]
    );
}

fn config_map(data: Value) -> Value {
    serde_json::json!({ "kind": "ConfigMap", "data": data })
}

#[test]
fn the_config_key_follows_the_config_flag_then_config_yaml_then_the_only_key() {
    let flag = [
        "--config".to_string(),
        "/etc/adapter/adapter.yaml".to_string(),
    ];
    let both = config_map(serde_json::json!({"adapter.yaml": "a", "config.yaml": "c"}));
    assert_eq!(
        adapter_config_text(&both, &flag),
        Ok(("adapter.yaml".to_string(), "a"))
    );
    assert_eq!(
        adapter_config_text(&both, &[]),
        Ok(("config.yaml".to_string(), "c"))
    );
    let only = config_map(serde_json::json!({"rules.yaml": "r"}));
    assert_eq!(
        adapter_config_text(&only, &flag),
        Ok(("rules.yaml".to_string(), "r"))
    );
}

#[test]
fn a_config_map_without_the_key_says_which_key_it_wanted() {
    let two = config_map(serde_json::json!({"a": "x", "b": "y"}));
    assert_eq!(
        adapter_config_text(&two, &["--config=/x/adapter.yaml".into()]),
        Err("ConfigMap has no key \"adapter.yaml\"".to_string())
    );
    assert_eq!(
        adapter_config_text(&config_map(serde_json::json!({})), &[]),
        Err("ConfigMap has no key \"config.yaml\"".to_string())
    );
    assert_eq!(
        adapter_config_text(&serde_json::json!({"kind": "ConfigMap"}), &[]),
        Err("ConfigMap has no `data`".to_string())
    );
    assert_eq!(
        adapter_config_text(&config_map(serde_json::json!({"k": 5})), &[]),
        Err("ConfigMap value is not a string".to_string())
    );
}
