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

/// The versions an API group discovery document (`GET /apis/GROUP`) lists, in its order;
/// `None` when the body is not such a document.
pub fn served_versions(body: &str) -> Option<Vec<String>> {
    let v: Value = serde_json::from_str(body).ok()?;
    let versions = v.get("versions")?.as_array()?;
    Some(
        versions
            .iter()
            .filter_map(|v| v.get("version").and_then(Value::as_str).map(str::to_string))
            .collect(),
    )
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

/// What replaces a redacted value.
pub const REDACTED: &str = "<redacted by ktrace>";

/// A Pod or Deployment body with secrets taken out before it is stored: every `env[].value`,
/// credential-like container args (`--token=…`, `--prometheus-header=Authorization: …`, and the
/// value after such a flag), and the `last-applied-configuration` annotation (a copy of the
/// spec). `None` when the body is not JSON (it is then stored as the error says).
pub fn redact_object(body: &str) -> Option<String> {
    let mut v: Value = serde_json::from_str(body).ok()?;
    redact(&mut v);
    Some(v.to_string())
}

fn redact(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                match (k.as_str(), child) {
                    ("env", Value::Array(items)) => items.iter_mut().for_each(redact_env),
                    ("args" | "command", Value::Array(items)) => redact_args(items),
                    ("kubectl.kubernetes.io/last-applied-configuration", s @ Value::String(_)) => {
                        *s = Value::String(REDACTED.into());
                    }
                    (_, other) => redact(other),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

fn redact_env(e: &mut Value) {
    if let Some(value) = e.get_mut("value").filter(|v| v.is_string()) {
        *value = Value::String(REDACTED.into());
    }
}

fn secret_like(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    [
        "token",
        "password",
        "passwd",
        "secret",
        "authorization",
        "bearer",
        "apikey",
        "api-key",
        "api_key",
        "credential",
    ]
    .iter()
    .any(|w| l.contains(w))
}

fn redact_args(items: &mut [Value]) {
    let mut redact_next = false;
    for item in items.iter_mut() {
        let Some(s) = item.as_str().map(str::to_string) else {
            continue;
        };
        if redact_next {
            *item = Value::String(REDACTED.into());
            redact_next = false;
            continue;
        }
        match s.split_once('=') {
            // A path to a token file is not the token: keep file paths visible.
            Some((flag, value))
                if (secret_like(flag) || secret_like(value))
                    && !(flag.ends_with("-file") || value.starts_with('/')) =>
            {
                *item = Value::String(format!("{flag}={REDACTED}"));
            }
            None if s.starts_with("--") && secret_like(&s) && !s.ends_with("-file") => {
                redact_next = true
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
