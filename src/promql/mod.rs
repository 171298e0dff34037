//! The prometheus-adapter leg of the `kubectl top` lineage: from the adapter's
//! `resourceRules` to the PromQL it sends, and from that PromQL to the cAdvisor series it
//! selects.
//!
//! - [`config`] reads `resourceRules` from the adapter config file.
//! - [`template`] renders a rule's `containerQuery` (`<<.LabelMatchers>>`, `<<.GroupBy>>`)
//!   exactly as the adapter's `Build()` does for one namespace and its pods.
//! - [`plan`] is the one query planner: from the ConfigMap, the Deployment's args and the
//!   target it plans every query the trace sends (fetch runs them, lineage shows them).
//! - [`selector`] finds the vector selectors and the outer `sum by (...)` in the rendered
//!   query, and tells which series a selector matches, with Prometheus semantics.
//!
//! Everything here is pure: no I/O, no clock, and malformed input gives an error, never a
//! panic. The modules depend one way: `plan` → `template` → `config`, and `selector` →
//! `template` (for Go quoting).

pub mod answer;
pub mod config;
pub mod plan;
pub mod rate;
pub mod selector;
pub mod template;

pub use config::{AdapterConfig, ConfigError, ResourceRule, ResourceRules, parse_config};
pub use plan::{ConfigOrigin, PlanError, PlanInput, PlannedQuery, QueryPlan, plan_queries};
pub use selector::{
    Aggregation, CompiledSelector, MatchOp, Matcher, QueryShape, SelectorError, VectorSelector,
    analyze_query,
};
pub use template::{
    QueryTarget, RenderedQuery, TemplateError, go_quote, label_matcher, render_container_query,
    render_template,
};

#[cfg(test)]
mod tests;
