//! The adapter configs of the real-data corpus, rendered and analysed end to end.

pub(super) mod support;

use std::path::{Path, PathBuf};

use super::*;
use MatchOp::{Eq, Ne};
use support::{
    ConfigSource, config_from_configmap_yaml, config_from_helm_values, parse_any, render_node_query,
};

/// The corpus's `adapter-config/` directory: `$KTRACE_REALDATA`, else `../shared/realdata`
/// beside the repository. A missing corpus fails the test with the path it was expected at.
fn corpus_dir() -> PathBuf {
    let root = std::env::var_os("KTRACE_REALDATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realdata"));
    let dir = root.join("adapter-config");
    assert!(
        dir.is_dir(),
        "the real-data corpus is expected at {} (set KTRACE_REALDATA to its root)",
        dir.display()
    );
    dir
}
const ONE: &[&str] = &["blockvol-fs-1"];
const TWO: &[&str] = &["blockvol-fs-1", "other-0"];

type Filter = &'static [(&'static str, MatchOp, &'static str)];
const EXCL_POD: Filter = &[
    ("container", Ne, "POD"),
    ("container", Ne, ""),
    ("pod", Ne, ""),
];
const LEGACY: Filter = &[
    ("container_name", Ne, "POD"),
    ("container_name", Ne, ""),
    ("pod_name", Ne, ""),
];
const V08: Filter = &[("container", Ne, ""), ("pod", Ne, "")];
const KUBELET: Filter = &[
    ("container", Ne, ""),
    ("pod", Ne, ""),
    ("job", Eq, "kubelet"),
];

/// One fixture: expected single-pod queries (memory, cpu) and what analysis must find.
struct Case {
    file: &'static str,
    window: &'static str,
    pod: &'static str,
    container: &'static str,
    filter: Filter,
    prefix: &'static str,
    cpu_fn: &'static str,
    cpu_range: &'static str,
    memory: String,
    cpu: String,
}

/// A YAML block scalar (`|`): lines joined by newlines, with the final newline kept.
fn block(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

#[rustfmt::skip]
    fn case(file: &'static str, window: &'static str, pod: &'static str, filter: Filter, cpu: (&'static str, &'static str), queries: [String; 2]) -> Case {
        let container = if pod == "pod_name" { "container_name" } else { "container" };
        let prefix = if file.contains("dedicated") { "pa_" } else { "" };
        let [memory, cpu_query] = queries;
        Case { file, window, pod, container, filter, prefix, cpu_fn: cpu.0, cpu_range: cpu.1, memory, cpu: cpu_query }
    }

/// The expected single-pod renderings, written out per file.
    #[rustfmt::skip]
    fn cases() -> Vec<Case> {
        let s = |q: &str| q.to_string();
        vec![
            case("kube-prometheus-main-configmap.yaml", "5m", "pod", V08, ("irate", "120s"), [
                block(&["sum by (pod,container) (",
                    r#"  container_memory_working_set_bytes{namespace="csi",pod="blockvol-fs-1",container!="",pod!=""}"#,
                    ")"]),
                block(&["sum by (pod,container) (", "  irate (",
                    r#"      container_cpu_usage_seconds_total{namespace="csi",pod="blockvol-fs-1",container!="",pod!=""}[120s]"#,
                    "  )", ")"]),
            ]),
            case("kube-prometheus-release-0.1-configmap.yaml", "1m", "pod_name", LEGACY, ("rate", "1m"), [
                s(r#"sum(container_memory_working_set_bytes{namespace="csi",pod_name="blockvol-fs-1",container_name!="POD",container_name!="",pod_name!=""}) by (pod_name,container_name)"#),
                s(r#"sum(rate(container_cpu_usage_seconds_total{namespace="csi",pod_name="blockvol-fs-1",container_name!="POD",container_name!="",pod_name!=""}[1m])) by (pod_name,container_name)"#),
            ]),
            case("kube-prometheus-release-0.3-configmap.yaml", "5m", "pod", EXCL_POD, ("rate", "5m"), [
                s(r#"sum(container_memory_working_set_bytes{namespace="csi",pod="blockvol-fs-1",container!="POD",container!="",pod!=""}) by (pod,container)"#),
                s(r#"sum(rate(container_cpu_usage_seconds_total{namespace="csi",pod="blockvol-fs-1",container!="POD",container!="",pod!=""}[5m])) by (pod,container)"#),
            ]),
            case("kube-prometheus-release-0.8-configmap.yaml", "5m", "pod", V08, ("irate", "5m"), [
                s(r#"sum(container_memory_working_set_bytes{namespace="csi",pod="blockvol-fs-1",container!="",pod!=""}) by (pod,container)"#),
                s(r#"sum(irate(container_cpu_usage_seconds_total{namespace="csi",pod="blockvol-fs-1",container!="",pod!=""}[5m])) by (pod,container)"#),
            ]),
            case("openshift-cmo-release-4.1-prometheus-adapter-config-map.yaml", "1m", "pod_name", LEGACY, ("rate", "1m"), [
                s(r#"sum(container_memory_working_set_bytes{namespace="csi",pod_name="blockvol-fs-1",container_name!="POD",container_name!="",pod_name!=""}) by (pod_name,container_name)"#),
                s(r#"sum(rate(container_cpu_usage_seconds_total{namespace="csi",pod_name="blockvol-fs-1",container_name!="POD",container_name!="",pod_name!=""}[1m])) by (pod_name,container_name)"#),
            ]),
            case("openshift-cmo-release-4.3-prometheus-adapter-config-map.yaml", "5m", "pod", EXCL_POD, ("rate", "5m"), [
                s(r#"sum(container_memory_working_set_bytes{namespace="csi",pod="blockvol-fs-1",container!="POD",container!="",pod!=""}) by (pod,container)"#),
                s(r#"sum(rate(container_cpu_usage_seconds_total{namespace="csi",pod="blockvol-fs-1",container!="POD",container!="",pod!=""}[5m])) by (pod,container)"#),
            ]),
            case("openshift-cmo-release-4.8-prometheus-adapter-config-map.yaml", "5m", "pod", V08, ("irate", "5m"), [
                s(r#"sum(container_memory_working_set_bytes{namespace="csi",pod="blockvol-fs-1",container!="",pod!=""}) by (pod,container)"#),
                s(r#"sum(irate(container_cpu_usage_seconds_total{namespace="csi",pod="blockvol-fs-1",container!="",pod!=""}[5m])) by (pod,container)"#),
            ]),
            case("openshift-cmo-release-4.12-prometheus-adapter-config-map.yaml", "5m", "pod", V08, ("irate", "4m"), [
                block(&["sum by (pod,container) (",
                    r#"  container_memory_working_set_bytes{namespace="csi",pod="blockvol-fs-1",container!="",pod!=""}"#,
                    ")"]),
                block(&["sum by (pod,container) (", "  irate (",
                    r#"      container_cpu_usage_seconds_total{namespace="csi",pod="blockvol-fs-1",container!="",pod!=""}[4m]"#,
                    "  )", ")"]),
            ]),
            case("openshift-cmo-release-4.12-prometheus-adapter-config-map-dedicated-service-monitors.yaml", "5m", "pod", V08, ("irate", "4m"), [
                block(&["sum by (pod,container) (",
                    r#"  pa_container_memory_working_set_bytes{namespace="csi",pod="blockvol-fs-1",container!="",pod!=""}"#,
                    ")"]),
                block(&["sum by (pod,container) (", "  irate (",
                    r#"      pa_container_cpu_usage_seconds_total{namespace="csi",pod="blockvol-fs-1",container!="",pod!=""}[4m]"#,
                    "  )", ")"]),
            ]),
            case("openshift-cmo-release-4.16-prometheus-adapter-config-map.yaml", "5m", "pod", KUBELET, ("irate", "4m"), [
                block(&["sum by (pod,container) (",
                    r#"  container_memory_working_set_bytes{namespace="csi",pod="blockvol-fs-1",container!="",pod!="",job="kubelet"}"#,
                    ")"]),
                block(&["sum by (pod,container) (", "  irate (",
                    r#"      container_cpu_usage_seconds_total{namespace="csi",pod="blockvol-fs-1",container!="",pod!="",job="kubelet"}[4m]"#,
                    "  )", ")"]),
            ]),
            case("prometheus-adapter-deploy-config-map.yaml", "5m", "pod", V08, ("irate", "4m"), [
                block(&["sum by (pod,container) (",
                    r#"  container_memory_working_set_bytes{namespace="csi",pod="blockvol-fs-1",container!="",pod!=""}"#,
                    ")"]),
                block(&["sum by (pod,container) (", "  irate (",
                    r#"      container_cpu_usage_seconds_total{namespace="csi",pod="blockvol-fs-1",container!="",pod!=""}[4m]"#,
                    "  )", ")"]),
            ]),
            case("prometheus-adapter-release-0.9-custom-metrics-config-map.yaml", "1m", "pod", &[], ("rate", "1m"), [
                s(r#"sum(container_memory_working_set_bytes{namespace="csi",pod="blockvol-fs-1"}) by (pod,container)"#),
                s(r#"sum(rate(container_cpu_usage_seconds_total{namespace="csi",pod="blockvol-fs-1"}[1m])) by (pod,container)"#),
            ]),
        ]
    }

const HELM: &[&str] = &[
    "prometheus-community-helm-prometheus-adapter-3.2.0-values.yaml",
    "prometheus-community-helm-prometheus-adapter-5.3.0-values.yaml",
];

fn read(file: &str) -> String {
    let path = corpus_dir().join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn rules(file: &str) -> ResourceRules {
    let (source, cfg) = parse_any(&read(file)).unwrap();
    assert_eq!(source, ConfigSource::ConfigMap, "{file}");
    assert_eq!(config_from_configmap_yaml(&read(file)).unwrap(), cfg);
    cfg.resource_rules
        .unwrap_or_else(|| panic!("{file}: no resourceRules"))
}

fn render(rule: &ResourceRule, pods: &[&str]) -> RenderedQuery {
    render_container_query(
        rule,
        &QueryTarget {
            namespace: "csi",
            pods,
        },
    )
    .unwrap()
}

#[test]
fn every_fixture_is_covered() {
    let mut listed: Vec<String> = cases().iter().map(|c| c.file.to_string()).collect();
    listed.extend(HELM.iter().map(|s| s.to_string()));
    listed.sort();
    let mut on_disk: Vec<String> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    on_disk.sort();
    assert_eq!(listed, on_disk);
}

#[test]
fn fixtures_render_exactly() {
    for c in cases() {
        let rules = rules(c.file);
        assert_eq!(rules.window.as_deref(), Some(c.window), "{}", c.file);
        for (rule, want) in [
            (rules.memory.as_ref(), &c.memory),
            (rules.cpu.as_ref(), &c.cpu),
        ] {
            let rule = rule.unwrap();
            let one = render(rule, ONE);
            assert_eq!(&one.query, want, "{}", c.file);
            assert_eq!(one.group_by, [c.pod, c.container]);
            assert_eq!(
                one.label_matchers,
                format!(r#"namespace="csi",{}="blockvol-fs-1""#, c.pod)
            );
            let from = format!(r#"{}="blockvol-fs-1""#, c.pod);
            let to = format!(r#"{}=~"blockvol-fs-1|other-0""#, c.pod);
            assert_eq!(want.matches(&from).count(), 1);
            assert_eq!(
                render(rule, TWO).query,
                want.replace(&from, &to),
                "{}",
                c.file
            );
        }
    }
}

fn expected_matchers(c: &Case, pod_value: &str, op: MatchOp) -> Vec<Matcher> {
    let mut want = vec![
        Matcher {
            name: "namespace".into(),
            op: Eq,
            value: "csi".into(),
        },
        Matcher {
            name: c.pod.into(),
            op,
            value: pod_value.into(),
        },
    ];
    want.extend(c.filter.iter().map(|&(n, op, v)| Matcher {
        name: n.into(),
        op,
        value: v.into(),
    }));
    want
}

#[test]
fn fixtures_analyze_to_their_selectors() {
    for c in cases() {
        let rules = rules(c.file);
        let agg = Aggregation {
            op: "sum".into(),
            by: vec![c.pod.into(), c.container.into()],
            without: false,
        };
        let kinds = [
            (
                rules.memory.unwrap(),
                "container_memory_working_set_bytes",
                None,
                None,
            ),
            (
                rules.cpu.unwrap(),
                "container_cpu_usage_seconds_total",
                Some(c.cpu_fn),
                Some(c.cpu_range),
            ),
        ];
        for (rule, metric, function, range) in kinds {
            for (pods, value, op) in [
                (ONE, "blockvol-fs-1", Eq),
                (TWO, "blockvol-fs-1|other-0", MatchOp::Re),
            ] {
                let shape = analyze_query(&render(&rule, pods).query).unwrap();
                assert_eq!(shape.aggregation.as_ref(), Some(&agg), "{}", c.file);
                let [sel] = shape.selectors.as_slice() else {
                    panic!("{}: {:?}", c.file, shape.selectors)
                };
                assert_eq!(
                    sel.metric,
                    Some(format!("{}{metric}", c.prefix)),
                    "{}",
                    c.file
                );
                assert_eq!(sel.matchers, expected_matchers(&c, value, op), "{}", c.file);
                assert_eq!(sel.function.as_deref(), function, "{}", c.file);
                assert_eq!(sel.range.as_deref(), range, "{}", c.file);
            }
        }
    }
}

fn series(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Which of the usual cAdvisor WS series of blockvol-fs-1 the memory rule selects.
fn selected(file: &str) -> Vec<&'static str> {
    let rule = rules(file).memory.unwrap();
    let shape = analyze_query(&render(&rule, ONE).query).unwrap();
    let sel = shape.selectors[0].compile().unwrap();
    let base = [
        ("namespace", "csi"),
        ("pod", "blockvol-fs-1"),
        ("job", "kubelet"),
    ];
    let candidates = [
        ("pod-cgroup", ""),
        ("pause", "POD"),
        ("app", "centos-tools"),
    ];
    let metric = "container_memory_working_set_bytes";
    candidates
        .into_iter()
        .filter(|(_, container)| {
            let mut labels = series(&base);
            labels.push(("container".into(), container.to_string()));
            sel.matches(metric, &labels)
        })
        .map(|(what, _)| what)
        .collect()
}

#[test]
fn lineage_of_the_pause_container() {
    let dir = "openshift-cmo-release-4.";
    assert_eq!(
        selected(&format!("{dir}3-prometheus-adapter-config-map.yaml")),
        ["app"]
    );
    assert_eq!(
        selected(&format!("{dir}8-prometheus-adapter-config-map.yaml")),
        ["pause", "app"]
    );
    assert_eq!(
        selected(&format!("{dir}16-prometheus-adapter-config-map.yaml")),
        ["pause", "app"]
    );
    let all = selected("prometheus-adapter-release-0.9-custom-metrics-config-map.yaml");
    assert_eq!(all, ["pod-cgroup", "pause", "app"]);
}

#[test]
fn ocp_416_requires_the_kubelet_job() {
    let rule = rules("openshift-cmo-release-4.16-prometheus-adapter-config-map.yaml")
        .memory
        .unwrap();
    let sel = analyze_query(&render(&rule, ONE).query)
        .unwrap()
        .selectors
        .remove(0);
    let app = [
        ("namespace", "csi"),
        ("pod", "blockvol-fs-1"),
        ("container", "c"),
    ];
    let metric = "container_memory_working_set_bytes";
    assert!(!sel.matches(metric, &series(&app)));
    let mut with_job = series(&app);
    with_job.push(("job".into(), "kubelet".into()));
    assert!(sel.matches(metric, &with_job));
    with_job[3].1 = "kubelet-resource".into();
    assert!(!sel.matches(metric, &with_job));
}

#[test]
fn helm_values_have_no_resource_rules() {
    for file in HELM {
        let text = read(file);
        assert_eq!(
            parse_config(&text).unwrap(),
            AdapterConfig::default(),
            "{file}"
        );
        assert_eq!(
            config_from_helm_values(&text).unwrap(),
            AdapterConfig::default(),
            "{file}"
        );
        assert_eq!(
            parse_any(&text).unwrap(),
            (ConfigSource::HelmValues, AdapterConfig::default())
        );
    }
}

#[test]
fn node_queries_render_and_analyze() {
    for c in cases() {
        let rules = rules(c.file);
        for rule in [rules.memory.unwrap(), rules.cpu.unwrap()] {
            let target = QueryTarget {
                namespace: "",
                pods: &["node-a", "node-b"],
            };
            let got = render_node_query(&rule, &target).unwrap();
            assert!(
                ["node", "instance"].contains(&got.object_label.as_str()),
                "{}",
                c.file
            );
            let shape = analyze_query(&got.query).unwrap();
            assert!(!shape.selectors.is_empty(), "{}", c.file);
        }
    }
}

#[test]
fn truncated_inputs_never_panic() {
    for c in cases() {
        let text = read(c.file);
        for (i, _) in text.char_indices().step_by(5) {
            let _ = parse_any(&text[..i]);
        }
        let rule = rules(c.file).memory.unwrap_or_default();
        let query = render(&rule, TWO).query;
        for (i, _) in query.char_indices() {
            let _ = analyze_query(&query[..i]);
            let _ = render_template(
                &rule.container_query[..i.min(rule.container_query.len())],
                &|_| None,
            );
        }
    }
}
