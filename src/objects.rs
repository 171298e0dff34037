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

/// Longest DNS-1123 subdomain (node, Deployment, ConfigMap, Service, pod names).
pub const MAX_NAME: usize = 253;
/// Longest DNS-1123 label (namespaces).
pub const MAX_LABEL: usize = 63;

/// Whether `s` is a Kubernetes object name (DNS-1123: lower-case letters, digits, `-` and
/// `.`, starting and ending alphanumeric, at most `max` bytes). Such a name is safe as one
/// path segment: it has no `/`, `?`, `%` or `#`, and is never `.` or `..`.
pub fn is_k8s_name(s: &str, max: usize) -> bool {
    let ok_chars = s
        .bytes()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'.');
    let ok_ends = s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric());
    !s.is_empty() && s.len() <= max && ok_chars && ok_ends
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
/// the value of every arg whose NAME is credential-like (`--token=…`, `--client-secret …`,
/// `--prometheus-header=Authorization: …`; never judged by the value, and `…-file` flags are
/// paths, kept), and the `last-applied-configuration` annotation (a copy of the spec). `None`
/// when the body is not JSON (it is then stored as the error says). Redaction is for storage:
/// fetch reads what the trace needs from the unredacted body first.
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

/// Words that make an argument's name (or a header's name) credential-like.
const CREDENTIAL_WORDS: [&str; 10] = [
    "token",
    "password",
    "passwd",
    "secret",
    "credential",
    "authorization",
    "bearer",
    "apikey",
    "api-key",
    "api_key",
];

fn has_credential_word(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    CREDENTIAL_WORDS.iter().any(|w| l.contains(w))
}

/// How an argument named `flag` (`--token`, `--prometheus-header`) is stored. Only the
/// name decides, never the value: a URL whose host says `secrets` is not a secret.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ArgKind {
    /// Kept as it is (also every `…-file` flag: a path to a token is not the token).
    Plain,
    /// The value is a credential (`--token`, `--client-secret`, `--password`).
    Credential,
    /// An HTTP header `Name: value`; a credential when the header's name is one
    /// (`Authorization`, `Cookie`, `X-Api-Key`, …).
    Header,
}

fn arg_kind(flag: &str) -> ArgKind {
    let name = flag.trim_start_matches('-').to_ascii_lowercase();
    if name.ends_with("-file") || name.ends_with("_file") {
        ArgKind::Plain
    } else if name.contains("header") {
        ArgKind::Header
    } else if has_credential_word(&name) {
        ArgKind::Credential
    } else {
        ArgKind::Plain
    }
}

/// Whether a header flag's value (`Authorization: Bearer x`, `X-Api-Key=y`) carries a
/// credential, judged by the header's name.
fn credential_header(value: &str) -> bool {
    let name = value.split([':', '=']).next().unwrap_or("").trim();
    has_credential_word(name)
        || ["cookie", "key"]
            .iter()
            .any(|w| name.to_ascii_lowercase().contains(w))
}

fn redacts(kind: ArgKind, value: &str) -> bool {
    match kind {
        ArgKind::Plain => false,
        ArgKind::Credential => true,
        ArgKind::Header => credential_header(value),
    }
}

/// Redacts `--flag=value` and `--flag value` by the flag's name (see [`ArgKind`]).
fn redact_args(items: &mut [Value]) {
    let mut pending: Option<ArgKind> = None;
    for item in items.iter_mut() {
        let Some(s) = item.as_str().map(str::to_string) else {
            pending = None;
            continue;
        };
        if let Some(kind) = pending.take()
            && !s.starts_with('-')
        {
            if redacts(kind, &s) {
                *item = Value::String(REDACTED.into());
            }
            continue;
        }
        if !s.starts_with('-') {
            continue;
        }
        match s.split_once('=') {
            Some((flag, value)) if redacts(arg_kind(flag), value) => {
                *item = Value::String(format!("{flag}={REDACTED}"));
            }
            Some(_) => {}
            None => pending = Some(arg_kind(&s)).filter(|k| *k != ArgKind::Plain),
        }
    }
}

#[cfg(test)]
mod tests;
