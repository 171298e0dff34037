//! APIService → Service → Deployment → ConfigMap: finding the Metrics API backend and its config.

use serde_json::Value;

use super::client::Conn;
use crate::evidence::{Outcome, Source};
use crate::objects::{MAX_LABEL, MAX_NAME, is_k8s_name};

const APISERVICE: &str = "/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.k8s.io";

fn skipped(reason: impl Into<String>) -> Source {
    Source {
        outcome: Outcome::NotCollected {
            reason: reason.into(),
        },
        ..Source::default()
    }
}

/// True when a request got no HTTP answer (timed out, connection failed).
fn no_http_answer(src: &Source) -> bool {
    matches!(
        src.outcome,
        Outcome::Failed {
            http_status: None,
            ..
        }
    )
}

fn json(src: &Source) -> Option<Value> {
    src.body().and_then(|b| serde_json::from_str(b).ok())
}

/// Returns (APIService, Deployment, adapter ConfigMap). The Deployment is NOT redacted yet:
/// its args still drive the Prometheus queries; the caller redacts it for storage after use.
pub async fn resolve(conn: &Conn) -> (Source, Source, Source) {
    let apiservice = conn.get(APISERVICE).await;
    let svc = json(&apiservice).and_then(|v| {
        let s = v.pointer("/spec/service")?;
        Some((
            s.get("namespace")?.as_str()?.to_string(),
            s.get("name")?.as_str()?.to_string(),
        ))
    });
    let Some((ns, name)) = svc else {
        let why = match apiservice.missing_reason() {
            Some(r) => format!("the APIService could not be read ({r})"),
            None => "the APIService has no spec.service (served locally, not by a backend)".into(),
        };
        return (apiservice, skipped(why.clone()), skipped(why));
    };
    if !is_k8s_name(&ns, MAX_LABEL) || !is_k8s_name(&name, MAX_NAME) {
        let why = format!(
            "the APIService's spec.service {ns:?}/{name:?} is not a valid Kubernetes namespace/name; not requested (it would change the request path)"
        );
        return (apiservice, skipped(why.clone()), skipped(why));
    }
    let deployment = find_deployment(conn, &ns, &name).await;
    let config = adapter_configmap(conn, &ns, &deployment).await;
    (apiservice, deployment, config)
}

/// The Deployment named like the Service, else the one whose pod labels match the Service selector.
async fn find_deployment(conn: &Conn, ns: &str, name: &str) -> Source {
    let by_name_path = format!("/apis/apps/v1/namespaces/{ns}/deployments/{name}");
    let svc_path = format!("/api/v1/namespaces/{ns}/services/{name}");
    let (by_name, service) = tokio::join!(conn.get(&by_name_path), conn.get(&svc_path));
    // No answer at all (a timeout, a reset): asking again, by list or by name, would only
    // wait as long once more.
    if by_name.body().is_some() || no_http_answer(&by_name) {
        return by_name;
    }
    let Some(selector) = json(&service).and_then(|s| s.pointer("/spec/selector").cloned()) else {
        return by_name;
    };
    let list = conn
        .get(&format!("/apis/apps/v1/namespaces/{ns}/deployments"))
        .await;
    if list.body().is_none() {
        // The list failed (e.g. 403 `list deployments.apps`): that is the reason to report.
        return list;
    }
    let found = json(&list).and_then(|l| matching_deployment(&l, &selector));
    match found {
        // The one asked for by name already failed: not asked again.
        Some(d) if d == name => by_name,
        Some(d) if !is_k8s_name(&d, MAX_NAME) => skipped(format!(
            "the Deployment matching the Service's selector is named {d:?}, not a valid Kubernetes name; not requested"
        )),
        Some(d) => {
            conn.get(&format!("/apis/apps/v1/namespaces/{ns}/deployments/{d}"))
                .await
        }
        None => by_name,
    }
}

fn matching_deployment(list: &Value, selector: &Value) -> Option<String> {
    let sel = selector.as_object()?;
    list.get("items")?.as_array()?.iter().find_map(|d| {
        let labels = d.pointer("/spec/template/metadata/labels")?.as_object()?;
        let all = sel.iter().all(|(k, v)| labels.get(k) == Some(v));
        all.then(|| {
            d.pointer("/metadata/name")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .flatten()
    })
}

/// For prometheus-adapter: the ConfigMap mounted where `--config` points.
async fn adapter_configmap(conn: &Conn, ns: &str, deployment: &Source) -> Source {
    let Some(d) = json(deployment) else {
        return skipped("the backend Deployment could not be read");
    };
    let Some(container) = crate::objects::main_container(&d) else {
        return skipped("the backend Deployment has no containers");
    };
    let args = crate::objects::container_args(container);
    let Some(config) = crate::objects::flag_value(&args, "--config") else {
        return skipped("the backend has no --config flag (not prometheus-adapter)");
    };
    match configmap_for_path(&d, container, &config) {
        Some(cm) if !is_k8s_name(&cm, MAX_NAME) => skipped(format!(
            "the ConfigMap mounted at --config is named {cm:?}, not a valid Kubernetes name; not requested"
        )),
        Some(cm) => {
            conn.get(&format!("/api/v1/namespaces/{ns}/configmaps/{cm}"))
                .await
        }
        None => skipped(format!(
            "no ConfigMap volume is mounted at the directory of --config={config}"
        )),
    }
}

/// Volume mount whose mountPath holds `path`, mapped to its ConfigMap name.
fn configmap_for_path(d: &Value, container: &Value, path: &str) -> Option<String> {
    let mounts = container.get("volumeMounts")?.as_array()?;
    let mount = mounts
        .iter()
        .filter(|m| {
            let mp = m.get("mountPath").and_then(Value::as_str).unwrap_or("");
            !mp.is_empty() && path.starts_with(mp.trim_end_matches('/'))
        })
        .max_by_key(|m| {
            m.get("mountPath")
                .and_then(Value::as_str)
                .map_or(0, str::len)
        })?;
    let vol_name = mount.get("name")?.as_str()?;
    let volumes = d.pointer("/spec/template/spec/volumes")?.as_array()?;
    let vol = volumes
        .iter()
        .find(|v| v.get("name").and_then(Value::as_str) == Some(vol_name))?;
    vol.pointer("/configMap/name")
        .and_then(Value::as_str)
        .map(str::to_string)
}
