//! Test-only readers of the documents the fixture corpus holds (ConfigMap manifests and Helm
//! chart values files), built on the library's one ConfigMap key rule and config parser.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::objects::adapter_config_text;
use crate::promql::config::{self, AdapterConfig, ConfigError, RawResourceRules, from_yaml};
use crate::promql::template::{self, QueryTarget, RenderedQuery, TemplateError};
use crate::promql::{ResourceRule, parse_config};

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

/// `(key, text)` of the adapter config in a ConfigMap manifest, the key chosen by
/// `objects::adapter_config_text` (no `--config` flag: `config.yaml`, else the only key).
pub fn configmap_config_text(yaml: &str) -> Result<(String, String), ConfigError> {
    let raw: RawConfigMap = from_yaml(yaml)?;
    if let Some(kind) = raw.kind.filter(|k| k != "ConfigMap") {
        return Err(ConfigError::NotAConfigMap(kind));
    }
    let data = raw.data.unwrap_or_default();
    if data.is_empty() {
        return Err(ConfigError::NoData);
    }
    let cm = serde_json::json!({ "data": data });
    match adapter_config_text(&cm, &[]) {
        Ok((key, text)) => Ok((key, text.to_string())),
        Err(_) => Err(ConfigError::AmbiguousKey(data.into_keys().collect())),
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
    let rules = raw.rules.and_then(|r| r.resource);
    Ok(AdapterConfig {
        resource_rules: rules.and_then(config::convert_rules),
    })
}

/// Parse any of the three documents, telling which one it was: `kind:` selects the
/// ConfigMap path, a top-level `rules` mapping (not the adapter's `rules` sequence) the Helm
/// values path, anything else is read as the adapter config file.
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

/// Render `rule.node_query` for the given node names (`target.namespace` empty), as the
/// adapter does for `kubectl top node`.
pub fn render_node_query(
    rule: &ResourceRule,
    target: &QueryTarget,
) -> Result<RenderedQuery, TemplateError> {
    let query = rule.node_query.as_deref().unwrap_or_default();
    template::build(rule, query, "nodes", &[], target)
}
