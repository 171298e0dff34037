use super::*;
use crate::promql::tests::support::{
    ConfigSource, config_from_configmap_yaml, config_from_helm_values, configmap_config_text,
    parse_any,
};

const RULE: &str = "resourceRules:\n  memory:\n    containerQuery: q\n    containerLabel: c\n    resources:\n      overrides:\n        ns: {group: \"\", resource: namespaces}\n        p: {resource: pod}\n        d: {group: apps, resource: deployments}\n      template: kube_<<.Resource>>\n  window: 2m\nrules: [{seriesQuery: x}]\nexternalRules: []\n";

#[test]
fn parses_rule_fields_and_ignores_other_sections() {
    let cfg = parse_config(RULE).unwrap();
    let rules = cfg.resource_rules.unwrap();
    assert_eq!(rules.window.as_deref(), Some("2m"));
    assert!(rules.cpu.is_none());
    let mem = rules.memory.unwrap();
    assert_eq!(mem.container_query, "q");
    assert_eq!(mem.container_label, "c");
    assert_eq!(mem.node_query, None);
    let expected = [
        ("d", "deployments.apps"),
        ("ns", "namespaces"),
        ("p", "pod"),
    ];
    let got: Vec<(&str, &str)> = mem
        .overrides
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(mem.resource_template.as_deref(), Some("kube_<<.Resource>>"));
}

#[test]
fn configmap_key_selection() {
    let one = "kind: ConfigMap\ndata:\n  adapter.yaml: \"resourceRules: {window: 1m}\"\n";
    let (key, _) = configmap_config_text(one).unwrap();
    assert_eq!(key, "adapter.yaml");
    let two = "data: {a: x, b: y}\n";
    assert_eq!(
        configmap_config_text(two),
        Err(ConfigError::AmbiguousKey(vec!["a".into(), "b".into()]))
    );
    assert_eq!(
        configmap_config_text("kind: Secret\n"),
        Err(ConfigError::NotAConfigMap("Secret".into()))
    );
    assert_eq!(
        configmap_config_text("kind: ConfigMap\n"),
        Err(ConfigError::NoData)
    );
}

#[test]
fn helm_values_and_detection() {
    let empty = "rules:\n  default: true\n  resource: {}\n";
    assert_eq!(
        config_from_helm_values(empty).unwrap(),
        AdapterConfig::default()
    );
    let set = "rules:\n  resource:\n    window: 3m\n    cpu: {containerQuery: x}\n";
    let (source, cfg) = parse_any(set).unwrap();
    assert_eq!(source, ConfigSource::HelmValues);
    assert_eq!(cfg.resource_rules.unwrap().window.as_deref(), Some("3m"));
    let (source, _) = parse_any(RULE).unwrap();
    assert_eq!(source, ConfigSource::AdapterConfig);
}

#[test]
fn hostile_yaml_is_an_error() {
    for bad in [
        "~",
        "- a",
        "resourceRules: [1]",
        "resourceRules: {cpu: {containerQuery: [x]}}",
        "a: 1\na: 2",
        "{",
        "\"resourceRules\": {\"cpu\": ",
        "data: 5\nkind: [x]",
    ] {
        assert!(parse_any(bad).is_err(), "{bad:?}");
    }
    assert!(config_from_configmap_yaml("data: {config.yaml: \"[\"}").is_err());
    let deep = format!("rules: {}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(parse_any(&deep).is_err());
    let bomb = "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n";
    let _ = parse_config(bomb);
}
