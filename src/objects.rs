//! Pure helpers over Kubernetes objects (JSON), shared by `fetch` and `lineage`.

use serde_json::Value;

/// The container that carries the backend's args (the first with `--prometheus-url`,
/// `--config` or `--kubelet-*`, else the first container).
pub fn main_container(v: &Value) -> Option<&Value> {
    let containers = v.pointer("/spec/template/spec/containers")?.as_array()?;
    containers
        .iter()
        .find(|c| {
            c.get("args").and_then(Value::as_array).is_some_and(|a| {
                a.iter().filter_map(Value::as_str).any(|s| {
                    s.starts_with("--prometheus-url")
                        || s.starts_with("--config")
                        || s.starts_with("--kubelet-")
                })
            })
        })
        .or_else(|| containers.first())
}

/// The value of `--flag=value` (or `--flag value`) among `args`.
pub fn flag_value(args: &[String], flag: &str) -> Option<String> {
    let prefix = format!("{flag}=");
    for (i, a) in args.iter().enumerate() {
        if let Some(v) = a.strip_prefix(&prefix) {
            return Some(v.to_string());
        }
        if a == flag {
            return args.get(i + 1).cloned();
        }
    }
    None
}

/// The adapter config text in a ConfigMap: the key named like the `--config` file, else
/// `config.yaml`, else the only key. Returns (key, text).
pub fn adapter_config_text<'a>(
    cm: &'a Value,
    args: &[String],
) -> Result<(String, &'a str), String> {
    let data = cm
        .get("data")
        .and_then(Value::as_object)
        .ok_or("ConfigMap has no `data`")?;
    let wanted = flag_value(args, "--config")
        .and_then(|p| p.rsplit('/').next().map(str::to_string))
        .unwrap_or_else(|| "config.yaml".to_string());
    if let Some(t) = data.get(&wanted).and_then(Value::as_str) {
        return Ok((wanted, t));
    }
    match data.iter().next() {
        Some((k, v)) if data.len() == 1 => Ok((
            k.clone(),
            v.as_str().ok_or("ConfigMap value is not a string")?,
        )),
        _ => Err(format!("ConfigMap has no key {wanted:?}")),
    }
}

/// Args of the backend Deployment's main container.
pub fn deployment_args(d: &Value) -> Vec<String> {
    main_container(d).map(container_args).unwrap_or_default()
}

/// A container's `args`, as strings.
pub fn container_args(c: &Value) -> Vec<String> {
    c.get("args")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}
