//! The `resourceRules` section of a prometheus-adapter configuration.
//!
//! Only the part that feeds the Metrics API (`kubectl top`) is read: `resourceRules.cpu`,
//! `resourceRules.memory` and `resourceRules.window`. The custom and external metric rules
//! (`rules`, `externalRules`) are ignored, whatever shape they have. [`parse_config`] reads the
//! adapter's own config file (the text of `--config`); which ConfigMap key holds that file is
//! decided once, by `objects::adapter_config_text`.

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

#[derive(Deserialize)]
struct RawConfig {
    #[serde(rename = "resourceRules")]
    resource_rules: Option<RawResourceRules>,
}

#[derive(Deserialize)]
pub(super) struct RawResourceRules {
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

pub(super) fn from_yaml<'de, T: Deserialize<'de>>(yaml: &'de str) -> Result<T, ConfigError> {
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

pub(super) fn convert_rules(raw: RawResourceRules) -> Option<ResourceRules> {
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
mod tests;
