//! The `resourceRules` section of a prometheus-adapter configuration.
//!
//! Only the part that feeds the Metrics API (`kubectl top`) is read: `resourceRules.cpu`,
//! `resourceRules.memory` and `resourceRules.window`. The custom and external metric rules
//! (`rules`, `externalRules`) are ignored, whatever shape they have.
//!
//! Three inputs are understood:
//! - the adapter's own config file ([`parse_config`]);
//! - a ConfigMap manifest holding that file under `data` ([`config_from_configmap_yaml`]);
//! - a prometheus-community Helm chart `values.yaml`, whose `rules.resource` becomes
//!   `resourceRules` ([`config_from_helm_values`]).
//!
//! [`parse_any`] picks one of the three by looking at the document.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

/// A parsed adapter configuration, reduced to what resource metrics need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdapterConfig {
    /// The `resourceRules` section; `None` when the document has none.
    pub resource_rules: Option<ResourceRules>,
}

/// The `resourceRules` section: one rule per resource plus the reported window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceRules {
    /// The rule behind the `cpu` column.
    pub cpu: Option<ResourceRule>,
    /// The rule behind the `memory` column.
    pub memory: Option<ResourceRule>,
    /// The static window reported in PodMetrics (e.g. `"5m"`), as written.
    pub window: Option<String>,
}

/// One resource rule (`resourceRules.cpu` or `resourceRules.memory`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceRule {
    /// The Go template of the per-container query (`containerQuery`); empty when absent.
    pub container_query: String,
    /// The Go template of the per-node query (`nodeQuery`).
    pub node_query: Option<String>,
    /// The Prometheus label holding the container name (`containerLabel`); empty when absent.
    pub container_label: String,
    /// `resources.overrides` as `(prometheus label, resource)` pairs, sorted by label.
    /// A non-empty API group is appended as `resource.group` (kubectl style).
    pub overrides: Vec<(String, String)>,
    /// `resources.template` (e.g. `<<.Resource>>`), used when no override matches.
    pub resource_template: Option<String>,
}

impl ResourceRule {
    /// The Prometheus label that carries `resource` (`pod`, `pods`, `namespace`, `node`,
    /// `deployments.apps`, ...), from the overrides first and then the resource template.
    /// `None` when neither yields a label.
    pub fn label_for(&self, resource: &str) -> Option<String> {
        super::template::resource_label(self, resource).ok()
    }
}

/// Where [`parse_any`] found the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigSource {
    /// The adapter config file itself.
    AdapterConfig,
    /// A ConfigMap manifest; the config came from one of its `data` keys.
    ConfigMap,
    /// A Helm chart values file (`rules.resource`).
    HelmValues,
}

/// Why a configuration could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// The text is not YAML of the expected shape.
    Yaml(String),
    /// The manifest declares a `kind` other than `ConfigMap`.
    NotAConfigMap(String),
    /// The ConfigMap has no `data` entries.
    NoData,
    /// The ConfigMap has several keys and none is `config.yaml`.
    AmbiguousKey(Vec<String>),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Yaml(msg) => write!(f, "invalid adapter config YAML: {msg}"),
            Self::NotAConfigMap(kind) => write!(f, "expected kind ConfigMap, found {kind:?}"),
            Self::NoData => f.write_str("the ConfigMap has no data entries"),
            Self::AmbiguousKey(keys) => write!(
                f,
                "the ConfigMap has no \"config.yaml\" key and several others: {}",
                keys.join(", ")
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The preferred ConfigMap key, as used by kube-prometheus and OpenShift.
pub const CONFIG_KEY: &str = "config.yaml";

#[derive(Deserialize)]
struct RawConfig {
    #[serde(rename = "resourceRules")]
    resource_rules: Option<RawResourceRules>,
}

#[derive(Deserialize)]
struct RawResourceRules {
    cpu: Option<RawRule>,
    memory: Option<RawRule>,
    window: Option<String>,
}

#[derive(Deserialize)]
struct RawRule {
    #[serde(rename = "containerQuery")]
    container_query: Option<String>,
    #[serde(rename = "nodeQuery")]
    node_query: Option<String>,
    #[serde(rename = "containerLabel")]
    container_label: Option<String>,
    resources: Option<RawMapping>,
}

#[derive(Deserialize)]
struct RawMapping {
    template: Option<String>,
    overrides: Option<BTreeMap<String, Option<RawGroupResource>>>,
}

#[derive(Deserialize)]
struct RawGroupResource {
    group: Option<String>,
    resource: Option<String>,
}

#[derive(Deserialize)]
struct RawConfigMap {
    kind: Option<String>,
    data: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
struct RawHelmValues {
    rules: Option<RawHelmRules>,
}

#[derive(Deserialize)]
struct RawHelmRules {
    resource: Option<RawResourceRules>,
}

fn from_yaml<'de, T: Deserialize<'de>>(yaml: &'de str) -> Result<T, ConfigError> {
    serde_saphyr::from_str(yaml).map_err(|e| ConfigError::Yaml(e.to_string()))
}

/// Parse the adapter config file itself (the text of `--config`).
///
/// A document without `resourceRules` (or with `resourceRules: ~`) parses to
/// `resource_rules: None`; everything outside `resourceRules` is ignored.
pub fn parse_config(yaml: &str) -> Result<AdapterConfig, ConfigError> {
    let raw: RawConfig = from_yaml(yaml)?;
    Ok(AdapterConfig {
        resource_rules: raw.resource_rules.and_then(convert_rules),
    })
}

/// Return `(key, text)` of the adapter config stored in a ConfigMap manifest: the
/// `config.yaml` key when present, otherwise the only key.
pub fn configmap_config_text(yaml: &str) -> Result<(String, String), ConfigError> {
    let raw: RawConfigMap = from_yaml(yaml)?;
    if let Some(kind) = raw.kind.filter(|k| k != "ConfigMap") {
        return Err(ConfigError::NotAConfigMap(kind));
    }
    let mut data = raw.data.unwrap_or_default();
    if let Some(text) = data.remove(CONFIG_KEY) {
        return Ok((CONFIG_KEY.to_string(), text));
    }
    let mut entries = data.into_iter();
    match (entries.next(), entries.next()) {
        (None, _) => Err(ConfigError::NoData),
        (Some(only), None) => Ok(only),
        (Some((first, _)), Some((second, _))) => {
            let mut keys = vec![first, second];
            keys.extend(entries.map(|(k, _)| k));
            Err(ConfigError::AmbiguousKey(keys))
        }
    }
}

/// Parse the adapter config stored in a ConfigMap manifest (see [`configmap_config_text`]).
pub fn config_from_configmap_yaml(yaml: &str) -> Result<AdapterConfig, ConfigError> {
    let (_, text) = configmap_config_text(yaml)?;
    parse_config(&text)
}

/// Parse a prometheus-community Helm chart `values.yaml`: `rules.resource` becomes
/// `resourceRules`. A missing, null or empty (`{}`) `rules.resource` means "no
/// resourceRules", as the chart's `if` treats an empty map as false.
pub fn config_from_helm_values(yaml: &str) -> Result<AdapterConfig, ConfigError> {
    let raw: RawHelmValues = from_yaml(yaml)?;
    let rules = raw.rules.and_then(|r| r.resource).and_then(convert_rules);
    Ok(AdapterConfig {
        resource_rules: rules,
    })
}

/// Parse any of the three supported documents, telling which one it was.
///
/// `kind: ConfigMap` selects the ConfigMap path; a top-level `rules` mapping (as opposed
/// to the adapter's `rules` sequence) selects the Helm values path; anything else is read
/// as the adapter config file.
pub fn parse_any(yaml: &str) -> Result<(ConfigSource, AdapterConfig), ConfigError> {
    #[derive(Deserialize)]
    struct Probe {
        kind: Option<String>,
    }
    let probe: Probe = from_yaml(yaml)?;
    if probe.kind.is_some() {
        let config = config_from_configmap_yaml(yaml)?;
        return Ok((ConfigSource::ConfigMap, config));
    }
    if let Ok(RawHelmValues { rules: Some(_) }) = from_yaml::<RawHelmValues>(yaml) {
        let config = config_from_helm_values(yaml)?;
        return Ok((ConfigSource::HelmValues, config));
    }
    Ok((ConfigSource::AdapterConfig, parse_config(yaml)?))
}

fn convert_rules(raw: RawResourceRules) -> Option<ResourceRules> {
    let rules = ResourceRules {
        cpu: raw.cpu.map(convert_rule),
        memory: raw.memory.map(convert_rule),
        window: raw.window,
    };
    (rules != ResourceRules::default()).then_some(rules)
}

fn convert_rule(raw: RawRule) -> ResourceRule {
    let mapping = raw.resources.unwrap_or(RawMapping {
        template: None,
        overrides: None,
    });
    let overrides = mapping
        .overrides
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(label, target)| Some((label, qualified_resource(target?))))
        .collect();
    ResourceRule {
        container_query: raw.container_query.unwrap_or_default(),
        node_query: raw.node_query,
        container_label: raw.container_label.unwrap_or_default(),
        overrides,
        resource_template: mapping.template.filter(|t| !t.is_empty()),
    }
}

fn qualified_resource(raw: RawGroupResource) -> String {
    let resource = raw.resource.unwrap_or_default();
    match raw.group.filter(|g| !g.is_empty()) {
        Some(group) => format!("{resource}.{group}"),
        None => resource,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
