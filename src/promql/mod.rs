//! The prometheus-adapter leg of the `kubectl top` lineage: from the adapter's
//! `resourceRules` to the PromQL it sends, and from that PromQL to the cAdvisor series it
//! selects.
//!
//! - [`config`] reads `resourceRules` from the adapter config, a ConfigMap manifest or a
//!   Helm values file.
//! - [`template`] renders a rule's `containerQuery` (`<<.LabelMatchers>>`, `<<.GroupBy>>`)
//!   exactly as the adapter's `Build()` does for one namespace and its pods.
//! - [`selector`] finds the vector selectors and the outer `sum by (...)` in the rendered
//!   query, and tells which series a selector matches, with Prometheus semantics.
//!
//! Everything here is pure: no I/O, no clock, and malformed input gives an error, never a
//! panic.

pub mod config;
pub mod selector;
pub mod template;

pub use config::{
    AdapterConfig, ConfigError, ConfigSource, ResourceRule, ResourceRules,
    config_from_configmap_yaml, config_from_helm_values, parse_any, parse_config,
};
pub use selector::{
    Aggregation, CompiledSelector, MatchOp, Matcher, QueryShape, SelectorError, VectorSelector,
    analyze_query,
};
pub use template::{
    QueryTarget, RenderedQuery, TemplateError, go_quote, render_container_query, render_node_query,
    render_template,
};

#[cfg(test)]
#[path = "tests.rs"]
mod fixture_tests;
