//! Which RBAC permission a request path needs, for 403 messages.

/// `get <resource>` for an API path, e.g. `get nodes/proxy`, `get pods.metrics.k8s.io`.
pub fn needs(path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, rest) = match parts.as_slice() {
        ["api", _version, rest @ ..] => ("", rest),
        ["apis", group, _version, rest @ ..] => (*group, rest),
        _ => return format!("get {path}"),
    };
    let rest = match rest {
        ["namespaces", _ns, rest @ ..] if !rest.is_empty() => rest,
        other => other,
    };
    let resource = match rest {
        [res, _name, sub, ..] => format!("{res}/{sub}"),
        [res, ..] => (*res).to_string(),
        [] => "namespaces".to_string(),
    };
    let qualified = if group.is_empty() {
        resource
    } else {
        qualify(&resource, group)
    };
    let verb = if rest.len() == 1 { "list" } else { "get" };
    format!("{verb} {qualified}")
}

fn qualify(resource: &str, group: &str) -> String {
    match resource.split_once('/') {
        Some((res, sub)) => format!("{res}.{group}/{sub}"),
        None => format!("{resource}.{group}"),
    }
}

#[cfg(test)]
mod tests;
