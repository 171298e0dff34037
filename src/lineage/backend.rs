//! Which backend serves the Metrics API, and how it is configured.

use serde_json::Value;

use super::model::{BackendKind, BackendView, DeploymentView};
use crate::evidence::{Sources, quote_head};
use crate::objects::{container_args, main_container};

/// Reads the APIService and the backend Deployment.
pub fn backend_view(sources: &Sources) -> BackendView {
    let mut view = BackendView {
        kind: BackendKind::Unknown,
        service: None,
        available: None,
        apiservice_missing: sources.apiservice.missing_reason(),
        deployment: None,
    };
    if let Some(body) = sources.apiservice.body() {
        match serde_json::from_str::<Value>(body) {
            Ok(v) => read_apiservice(&v, &mut view),
            Err(e) => view.apiservice_missing = Some(format!("APIService is not JSON: {e}")),
        }
    }
    let deployment = sources
        .backend_deployment
        .body()
        .and_then(|b| serde_json::from_str::<Value>(b).ok());
    view.deployment = deployment.as_ref().map(read_deployment);
    if view.kind == BackendKind::Unknown {
        view.kind = kind_from_deployment(view.deployment.as_ref());
    }
    view
}

fn read_apiservice(v: &Value, view: &mut BackendView) {
    view.available = available_condition(v);
    let svc = match v.pointer("/spec/service") {
        None | Some(Value::Null) => {
            view.service = Some("(local: no spec.service)".into());
            return;
        }
        Some(svc) => svc,
    };
    let name = svc.get("name").and_then(Value::as_str);
    let ns = svc.get("namespace").and_then(Value::as_str);
    if let (Some(name), Some(ns)) = (name, ns) {
        view.service = Some(format!("{ns}/{name}"));
        view.kind = kind_from_name(name);
    } else {
        // Not "local": a spec.service that is there but unreadable names no backend.
        view.apiservice_missing = Some(format!(
            "{UNREADABLE_SERVICE}: {}",
            quote_head(&svc.to_string())
        ));
    }
}

/// How an APIService whose `spec.service` is not a `{namespace, name}` object is described.
pub const UNREADABLE_SERVICE: &str =
    "the APIService's spec.service is unreadable (not a {namespace, name} object)";

fn kind_from_name(name: &str) -> BackendKind {
    if name.contains("prometheus-adapter") || name.contains("custom-metrics") {
        BackendKind::PrometheusAdapter
    } else if name.contains("metrics-server") {
        BackendKind::MetricsServer
    } else {
        BackendKind::Unknown
    }
}

fn kind_from_deployment(d: Option<&DeploymentView>) -> BackendKind {
    let Some(d) = d else {
        return BackendKind::Unknown;
    };
    let image = d.image.as_deref().unwrap_or("");
    if d.args.iter().any(|a| a.starts_with("--prometheus-url"))
        || image.contains("prometheus-adapter")
    {
        BackendKind::PrometheusAdapter
    } else if image.contains("metrics-server") || d.args.iter().any(|a| a.starts_with("--kubelet-"))
    {
        BackendKind::MetricsServer
    } else {
        BackendKind::Unknown
    }
}

fn available_condition(v: &Value) -> Option<String> {
    let conds = v.pointer("/status/conditions")?.as_array()?;
    let c = conds
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some("Available"))?;
    let status = c.get("status").and_then(Value::as_str).unwrap_or("Unknown");
    if status == "True" {
        return Some("True".into());
    }
    let reason = c.get("reason").and_then(Value::as_str).unwrap_or("");
    let msg = c.get("message").and_then(Value::as_str).unwrap_or("");
    Some(format!("{status} ({reason}: {msg})"))
}

fn read_deployment(v: &Value) -> DeploymentView {
    let ns = v
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("");
    let name = v
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let container = main_container(v);
    let args = container.map(container_args).unwrap_or_default();
    let image = container
        .and_then(|c| c.get("image"))
        .and_then(Value::as_str)
        .map(str::to_string);
    DeploymentView {
        name: format!("{ns}/{name}"),
        image,
        args,
    }
}
