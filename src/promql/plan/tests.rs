use super::*;
use crate::evidence::{Outcome, read_bundle};

/// OpenShift 4.8's `adapter-config` rules (CMO assets/prometheus-adapter/config-map.yaml
/// @release-4.8), as the seed bundle's ConfigMap holds them.
const OCP48: &str = r#"resourceRules:
  cpu:
    containerLabel: container
    containerQuery: sum(irate(container_cpu_usage_seconds_total{<<.LabelMatchers>>,container!="",pod!=""}[5m])) by (<<.GroupBy>>)
    resources:
      overrides:
        namespace: {resource: namespace}
        node: {resource: node}
        pod: {resource: pod}
  memory:
    containerLabel: container
    containerQuery: sum(container_memory_working_set_bytes{<<.LabelMatchers>>,container!="",pod!=""}) by (<<.GroupBy>>)
    resources:
      overrides:
        instance: {resource: node}
        namespace: {resource: namespace}
        pod: {resource: pod}
  window: 5m
"#;

const MEMORY: &str = r#"sum(container_memory_working_set_bytes{namespace="csi",pod="blockvol-fs-1",container!="",pod!=""}) by (pod,container)"#;
const CPU: &str = r#"sum(irate(container_cpu_usage_seconds_total{namespace="csi",pod="blockvol-fs-1",container!="",pod!=""}[5m])) by (pod,container)"#;
const RAW: &str = r#"{__name__=~"container_memory_.*",namespace="csi",pod="blockvol-fs-1"}"#;
const ARGS: &[&str] = &[
    "--config=/etc/adapter/config.yaml",
    "--prometheus-url=https://prometheus-k8s.openshift-monitoring.svc:9091",
];

fn ok(body: String) -> Source {
    Source {
        outcome: Outcome::Ok {
            http_status: 200,
            body,
            filter: None,
        },
        ..Source::default()
    }
}

fn config_map(data: Value) -> Source {
    let cm = serde_json::json!({
        "kind": "ConfigMap",
        "metadata": {"name": "adapter-config", "namespace": "openshift-monitoring"},
        "data": data,
    });
    ok(cm.to_string())
}

fn config(yaml: &str) -> Source {
    config_map(serde_json::json!({ "config.yaml": yaml }))
}

fn pod_metrics() -> Source {
    ok(r#"{"kind":"PodMetrics","timestamp":"2021-11-05T16:06:02Z","window":"5m0s"}"#.into())
}

fn plan_for(config: &Source, pods: &[&str]) -> QueryPlan {
    let args: Vec<String> = ARGS.iter().map(|a| a.to_string()).collect();
    plan_queries(&PlanInput {
        config,
        deployment_args: &args,
        target: QueryTarget {
            namespace: "csi",
            pods,
        },
        pod_metrics: &pod_metrics(),
    })
}

/// Each entry as `(purpose, query or reason, time)`.
fn entries(plan: &QueryPlan) -> Vec<(String, String, Option<i64>)> {
    plan.queries
        .iter()
        .map(|q| {
            let text = match &q.query {
                Ok(query) => query.clone(),
                Err(e) => format!("error: {e}"),
            };
            (q.purpose.to_string(), text, q.time)
        })
        .collect()
}

fn owned(rows: &[(&str, &str, Option<i64>)]) -> Vec<(String, String, Option<i64>)> {
    rows.iter()
        .map(|(p, q, t)| (p.to_string(), q.to_string(), *t))
        .collect()
}

const T: Option<i64> = Some(1636128362);

const CPU_SAMPLES: &str = r#"container_cpu_usage_seconds_total{namespace="csi",pod="blockvol-fs-1",container!="",pod!=""}[5m]"#;

#[test]
fn the_cpu_samples_query_is_the_rules_range_selector() {
    let call = range_call(CPU).unwrap();
    assert_eq!(
        (call.function, call.range.as_str(), call.range_ms),
        (RangeFunction::Irate, "5m", 300_000)
    );
    assert_eq!(call.query, CPU_SAMPLES);
    let kp = "sum by (pod,container) ( irate ( container_cpu_usage_seconds_total{namespace=\"csi\",pod=\"p\",container!=\"\",pod!=\"\"}[120s] ) )";
    assert_eq!(range_call(kp).unwrap().range_ms, 120_000);
    assert_eq!(
        range_call("sum(container_cpu_usage_seconds_total{pod=\"p\"})").unwrap_err(),
        "the cpu query does not read exactly one range selector"
    );
    assert_eq!(
        range_call("sum(avg_over_time(x{pod=\"p\"}[5m]))").unwrap_err(),
        "the cpu query applies \"avg_over_time\" to its range, not rate, irate or increase"
    );
    assert_eq!(
        range_call("sum(rate(x{pod=\"p\"}[5m:1m]))").unwrap_err(),
        "the cpu query's range [5m:1m] is not a plain duration"
    );
}

#[test]
fn the_seed_config_plans_memory_cpu_and_raw_series_at_the_pod_metrics_time() {
    let plan = plan_for(&config(OCP48), &["blockvol-fs-1"]);
    assert_eq!(
        entries(&plan),
        owned(&[
            ("memory", MEMORY, T),
            ("cpu", CPU, T),
            ("cpu-samples", CPU_SAMPLES, T),
            ("raw-series", RAW, T)
        ])
    );
    let origin = plan.config.as_ref().unwrap();
    assert_eq!(
        origin.to_string(),
        "ConfigMap openshift-monitoring/adapter-config, key config.yaml"
    );
    let rules = plan.rules.as_ref().unwrap();
    assert_eq!(rules.window.as_deref(), Some("5m"));
    let memory = plan.rule(&QueryPurpose::Memory).unwrap();
    assert_eq!(memory.container_label, "container");
    assert!(
        memory
            .container_query
            .starts_with("sum(container_memory_working_set_bytes{<<")
    );
    let runnable: Vec<_> = plan.runnable().map(|(p, _, t)| (p.as_str(), t)).collect();
    assert_eq!(
        runnable,
        [
            ("memory", T),
            ("cpu", T),
            ("cpu-samples", T),
            ("raw-series", T)
        ]
    );
}

#[test]
fn the_plan_reproduces_the_queries_recorded_in_the_seed_bundle() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/bundles/seed-ocp48-crio-cgv1.json"
    );
    let ev = read_bundle(std::fs::File::open(path).unwrap()).unwrap();
    let dep: Value = serde_json::from_str(ev.sources.backend_deployment.body().unwrap()).unwrap();
    let args = crate::objects::deployment_args(&dep);
    let pods = [ev.target.name.as_str()];
    let plan = plan_queries(&PlanInput {
        config: &ev.sources.adapter_config,
        deployment_args: &args,
        target: QueryTarget {
            namespace: &ev.target.namespace,
            pods: &pods,
        },
        pod_metrics: &ev.sources.pod_metrics,
    });
    let recorded: Vec<(&QueryPurpose, &str, Option<String>)> = ev
        .sources
        .prometheus
        .iter()
        .map(|q| (&q.purpose, q.query.as_str(), q.time.clone()))
        .collect();
    let planned: Vec<(&QueryPurpose, &str, Option<String>)> = plan
        .runnable()
        .take(3)
        .map(|(p, q, t)| (p, q, t.map(|t| t.to_string())))
        .collect();
    assert_eq!(planned, recorded);
}

#[test]
fn several_pods_are_one_regex_matcher_as_the_adapter_writes_it() {
    let plan = plan_for(&config(OCP48), &["a", "b"]);
    let many = |q: &str| q.replace(r#"pod="blockvol-fs-1""#, r#"pod=~"a|b""#);
    assert_eq!(
        entries(&plan),
        vec![
            ("memory".to_string(), many(MEMORY), T),
            ("cpu".to_string(), many(CPU), T),
            ("cpu-samples".to_string(), many(CPU_SAMPLES), T),
            ("raw-series".to_string(), many(RAW), T),
        ]
    );
    assert!(
        entries(&plan)[0]
            .1
            .contains(r#"namespace="csi",pod=~"a|b",container!="""#)
    );
}

#[test]
fn a_config_map_without_the_key_plans_nothing_to_run() {
    let cm = config_map(serde_json::json!({"adapter.yaml": OCP48, "other": "x"}));
    let plan = plan_for(&cm, &["blockvol-fs-1"]);
    assert_eq!(
        plan.config.as_ref().unwrap_err().to_string(),
        r#"ConfigMap has no key "config.yaml""#
    );
    assert_eq!(plan.rules, None);
    assert_eq!(
        entries(&plan),
        owned(&[
            ("memory", "error: adapter config not available", T),
            ("cpu", "error: adapter config not available", T),
        ])
    );
    assert_eq!(plan.runnable().count(), 0);
}

#[test]
fn unreadable_configs_give_the_reasons_lineage_shows() {
    let not_json = ok("{".into());
    let failed = Source {
        outcome: Outcome::Failed {
            http_status: Some(403),
            error: "forbidden".into(),
            needs: Some("get configmaps".into()),
        },
        ..Source::default()
    };
    for (source, reason) in [
        (
            not_json,
            "ConfigMap is not JSON: EOF while parsing an object at line 1 column 1",
        ),
        (
            config("rules: []\n"),
            "adapter config key config.yaml has no resourceRules",
        ),
        (failed, "HTTP 403: forbidden (needs RBAC `get configmaps`)"),
        (
            Source::default(),
            "not collected: not present in the evidence",
        ),
    ] {
        let plan = plan_for(&source, &["p"]);
        assert_eq!(plan.config.as_ref().unwrap_err().to_string(), reason);
        assert_eq!(plan.runnable().count(), 0);
    }
    let plan = plan_for(&config("resourceRules: ["), &["p"]);
    let reason = plan.config.unwrap_err().to_string();
    assert!(
        reason.starts_with("adapter config key config.yaml: invalid adapter config YAML: "),
        "{reason}"
    );
}

#[test]
fn a_rule_that_cannot_render_is_planned_as_its_reason_and_not_run() {
    let bad = OCP48.replace(
        "sum(container_memory_working_set_bytes{<<.LabelMatchers>>",
        "sum(container_memory_working_set_bytes{<<.Labels>>",
    );
    let plan = plan_for(&config(&bad), &["blockvol-fs-1"]);
    assert_eq!(
        entries(&plan)[0].1,
        "error: cannot render the memory containerQuery: unknown template field `.Labels` at byte 39"
    );
    let runnable: Vec<_> = plan.runnable().map(|(p, q, _)| (p.as_str(), q)).collect();
    assert_eq!(
        runnable,
        [
            ("cpu", CPU),
            ("cpu-samples", CPU_SAMPLES),
            ("raw-series", RAW)
        ]
    );
}

#[test]
fn a_missing_rule_is_named() {
    let no_cpu = OCP48[..OCP48.find("  memory:").unwrap()].replace("  cpu:", "  x:")
        + &OCP48[OCP48.find("  memory:").unwrap()..];
    let plan = plan_for(&config(&no_cpu), &["blockvol-fs-1"]);
    assert_eq!(
        entries(&plan),
        owned(&[
            ("memory", MEMORY, T),
            ("cpu", "error: the config has no resourceRules.cpu", T),
            ("raw-series", RAW, T),
        ])
    );
    let no_memory = config("resourceRules:\n  window: 5m\n");
    let plan = plan_for(&no_memory, &["p"]);
    assert_eq!(
        entries(&plan),
        owned(&[
            ("memory", "error: the config has no resourceRules.memory", T),
            ("cpu", "error: the config has no resourceRules.cpu", T),
        ])
    );
}

#[test]
fn without_a_pod_metrics_timestamp_there_is_no_time() {
    let args: Vec<String> = Vec::new();
    for pod_metrics in [
        Source::default(),
        ok("[]".into()),
        ok(r#"{"timestamp":"yesterday"}"#.into()),
    ] {
        let plan = plan_queries(&PlanInput {
            config: &config(OCP48),
            deployment_args: &args,
            target: QueryTarget {
                namespace: "csi",
                pods: &["blockvol-fs-1"],
            },
            pod_metrics: &pod_metrics,
        });
        let times: Vec<Option<i64>> = plan.queries.iter().map(|q| q.time).collect();
        assert_eq!(times, [None, None, None, None]);
    }
}

#[test]
fn entries_are_found_by_purpose() {
    let plan = plan_for(&config(OCP48), &["blockvol-fs-1"]);
    let cpu = plan.get(&QueryPurpose::Cpu).unwrap();
    assert_eq!(cpu.query.as_deref(), Ok(CPU));
    assert!(
        plan.get(&QueryPurpose::Other("cpu-samples".into()))
            .is_none()
    );
    assert!(plan.rule(&QueryPurpose::Other("cpu".into())).is_none());
}

#[test]
fn compared_queries_follow_the_adapters_at_the_same_time() {
    let args: Vec<String> = ARGS.iter().map(|a| a.to_string()).collect();
    let user = r#"sum(container_memory_working_set_bytes{namespace="csi",pod="blockvol-fs-1"})"#;
    let console = "sum(container_memory_working_set_bytes{pod='blockvol-fs-1',namespace='csi',container='',}) BY (pod, namespace)";
    let compared = [
        ComparedQuery {
            entry: "console@4.3".into(),
            query: console.into(),
        },
        ComparedQuery {
            entry: format!("query:{user}"),
            query: user.into(),
        },
    ];
    let plan = plan_with_compare(
        &PlanInput {
            config: &config(OCP48),
            deployment_args: &args,
            target: QueryTarget {
                namespace: "csi",
                pods: &["blockvol-fs-1"],
            },
            pod_metrics: &pod_metrics(),
        },
        &compared,
    );
    let user_purpose = format!("compare:query:{user}");
    assert_eq!(
        entries(&plan),
        owned(&[
            ("memory", MEMORY, T),
            ("cpu", CPU, T),
            ("cpu-samples", CPU_SAMPLES, T),
            ("raw-series", RAW, T),
            ("compare:console@4.3", console, T),
            (&user_purpose, user, T),
        ])
    );
    assert_eq!(
        compared[0].purpose(),
        QueryPurpose::Other("compare:console@4.3".into())
    );
    // With no readable config the compared queries are still planned (and runnable).
    let plan = plan_with_compare(
        &PlanInput {
            config: &Source::default(),
            deployment_args: &[],
            target: QueryTarget {
                namespace: "csi",
                pods: &["blockvol-fs-1"],
            },
            pod_metrics: &pod_metrics(),
        },
        &compared[..1],
    );
    let runnable: Vec<_> = plan
        .runnable()
        .map(|(p, q, t)| (p.to_string(), q, t))
        .collect();
    assert_eq!(runnable, [("compare:console@4.3".to_string(), console, T)]);
}
