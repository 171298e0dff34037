//! Whether the cluster shows signs of OpenShift, so OpenShift-only advice (the console,
//! thanos-querier, `oc whoami -t`) is given only where it applies.

use super::model::Lineage;

/// The signs of OpenShift in the evidence, in words; empty when there are none:
/// a server version with OpenShift's `+<commit>` build suffix (`v1.21.1+6438632`; k3s's
/// `+k3s1` is not one), the Metrics API backend in an `openshift-*` namespace, or an image
/// from the OpenShift release payload (`quay.io/openshift-release-dev/…`).
pub fn signs(l: &Lineage) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(v) = l.cluster.version.as_deref().filter(|v| commit_suffix(v)) {
        out.push(format!("server version {v}"));
    }
    if let Some(s) = l
        .backend
        .service
        .as_deref()
        .filter(|s| s.starts_with("openshift-"))
    {
        out.push(format!("Metrics API backend {s}"));
    }
    if let Some(image) = l
        .backend
        .deployment
        .as_ref()
        .and_then(|d| d.image.as_deref())
        .filter(|i| i.starts_with("quay.io/openshift-release-dev/"))
    {
        out.push(format!("backend image {image}"));
    }
    out
}

/// `v1.21.1+6438632`: a `+` followed by a git commit (at least 7 hex digits).
fn commit_suffix(version: &str) -> bool {
    version
        .split_once('+')
        .is_some_and(|(_, build)| build.len() >= 7 && build.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests;
