//! One pod's requests and limits exactly as kubectl's describer computes them
//! (kubernetes/kubectl pkg/util/resource/resource.go (podRequests, podLimits)
//! @kubernetes-1.32.0 and @kubernetes-1.33.0):
//!
//! * requests: app containers summed; a sidecar (init container with
//!   `restartPolicy: Always`) is added to the sum and to a running sidecar total; every
//!   ordinary init container counts as itself plus the sidecars declared before it; the
//!   pod takes the larger of the sum and the largest init value, per resource; then
//!   `spec.overhead` is added.
//! * limits: the same from the limits, but overhead only where the limit is non-zero.
//! * in-place resize (requests only): a container whose status has `resources` uses, in
//!   1.33, `max(spec, status.resources.requests, status.allocatedResources)` (or without the
//!   spec when the `PodResizePending` condition says `Infeasible`), sidecars included; in
//!   1.32 `max(spec, status.resources.requests)` (status only when `status.resize` is
//!   `Infeasible`), app containers only.
//!
//! Each value keeps the format Go's `Quantity.Add` would give it: the first contributing
//! quantity's, unless that one is zero.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{KubectlRules, key, parse_value};
use crate::quantity::Quantity;

/// Resource name → quantity, sorted by name.
pub type ResourceList = BTreeMap<String, Quantity>;

/// A pod's requests and limits, with notes on the rules that changed them.
#[derive(Debug, Clone)]
pub struct PodResources {
    /// `namespace/name`.
    pub pod: String,
    /// Requests per resource.
    pub requests: ResourceList,
    /// Limits per resource.
    pub limits: ResourceList,
    /// Plain-words notes: init containers raising a value, overhead, resize statuses.
    pub notes: Vec<String>,
}

/// kubectl's `PodRequestsAndLimits` for one Pod object; an unparseable quantity is an
/// error naming the pod and the field (kubectl itself would fail to decode the list).
pub fn pod_requests_and_limits(pod: &Value, rules: KubectlRules) -> Result<PodResources, String> {
    let pod_key = key(pod);
    let mut notes = Vec::new();
    let requests =
        pod_requests(pod, rules, &mut notes).map_err(|e| format!("pod {pod_key}: {e}"))?;
    let limits = pod_limits(pod, &mut notes).map_err(|e| format!("pod {pod_key}: {e}"))?;
    Ok(PodResources {
        pod: pod_key,
        requests,
        limits,
        notes,
    })
}

/// `spec.containers` or `spec.initContainers` (empty when absent).
fn containers<'a>(pod: &'a Value, field: &str) -> &'a [Value] {
    pod.get("spec")
        .and_then(|s| s.get(field))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A resource list at `obj[field]` (absent or null → empty).
fn list_at(obj: &Value, field: &str, what: &str) -> Result<ResourceList, String> {
    let Some(v) = obj.get(field).filter(|v| !v.is_null()) else {
        return Ok(ResourceList::new());
    };
    let Some(map) = v.as_object() else {
        return Err(format!("{what}: not an object"));
    };
    map.iter()
        .map(|(name, q)| Ok((name.clone(), parse_value(q, &format!("{what}.{name}"))?)))
        .collect()
}

/// `container.resources.<kind>` ("requests" or "limits").
fn container_list(c: &Value, kind: &str, what: &str) -> Result<ResourceList, String> {
    match c.get("resources") {
        Some(r) => list_at(r, kind, &format!("{what}.resources.{kind}")),
        None => Ok(ResourceList::new()),
    }
}

fn is_sidecar(c: &Value) -> bool {
    c.get("restartPolicy").and_then(Value::as_str) == Some("Always")
}

/// `addResourceList`: adds `new` into `list` (first value copied, then `Quantity.Add`).
pub(crate) fn add_list(list: &mut ResourceList, new: &ResourceList) -> Result<(), String> {
    for (name, q) in new {
        let sum = match list.get(name) {
            Some(v) => v.add(q).map_err(|e| e.to_string())?,
            None => q.clone(),
        };
        list.insert(name.clone(), sum);
    }
    Ok(())
}

/// `maxResourceList`: `list[name]` becomes `new[name]` where that is strictly larger.
fn max_list(list: &mut ResourceList, new: &ResourceList) {
    for (name, q) in new {
        let larger = list.get(name).is_none_or(|v| q.cmp_value(v).is_gt());
        if larger {
            list.insert(name.clone(), q.clone());
        }
    }
}

/// 1.32's two-list `max`: on a tie the second list's value (and format) wins.
fn max_1_32(a: &ResourceList, b: &ResourceList) -> ResourceList {
    let mut out = ResourceList::new();
    for (name, q) in a {
        let pick = match b.get(name) {
            Some(other) if q.cmp_value(other).is_le() => other,
            _ => q,
        };
        out.insert(name.clone(), pick.clone());
    }
    for (name, q) in b {
        out.entry(name.clone()).or_insert_with(|| q.clone());
    }
    out
}

/// Container statuses by name: app containers (and, from 1.33, init containers).
fn statuses(pod: &Value, rules: KubectlRules) -> BTreeMap<&str, &Value> {
    let mut fields = vec!["containerStatuses"];
    if rules == KubectlRules::V1_33 {
        fields.push("initContainerStatuses");
    }
    let mut out = BTreeMap::new();
    for field in fields {
        let list = pod
            .get("status")
            .and_then(|s| s.get(field))
            .and_then(Value::as_array);
        for cs in list.into_iter().flatten() {
            if let Some(name) = cs.get("name").and_then(Value::as_str) {
                out.insert(name, cs);
            }
        }
    }
    out
}

/// 1.33: the first `PodResizePending` condition has reason `Infeasible`.
fn resize_infeasible_1_33(pod: &Value) -> bool {
    let conditions = pod
        .get("status")
        .and_then(|s| s.get("conditions"))
        .and_then(Value::as_array);
    conditions
        .into_iter()
        .flatten()
        .find(|c| c.get("type").and_then(Value::as_str) == Some("PodResizePending"))
        .is_some_and(|c| c.get("reason").and_then(Value::as_str) == Some("Infeasible"))
}

/// The requests a container counts with, given its status (in-place resize).
fn resized_requests(
    pod: &Value,
    rules: KubectlRules,
    spec: ResourceList,
    cs: &Value,
    what: &str,
) -> Result<ResourceList, String> {
    let status_req = match cs.get("resources") {
        Some(r) => list_at(r, "requests", &format!("{what} status.resources.requests"))?,
        None => ResourceList::new(),
    };
    match rules {
        KubectlRules::V1_32 => {
            let infeasible = super::str_at(pod, &["status", "resize"]) == "Infeasible";
            Ok(if infeasible {
                status_req
            } else {
                max_1_32(&spec, &status_req)
            })
        }
        KubectlRules::V1_33 => {
            let allocated = list_at(
                cs,
                "allocatedResources",
                &format!("{what} status.allocatedResources"),
            )?;
            // `max(a, b...)` starts from a copy of `a`, so ties keep the earlier list's value.
            let mut out = if resize_infeasible_1_33(pod) {
                status_req
            } else {
                let mut out = spec;
                max_list(&mut out, &status_req);
                out
            };
            max_list(&mut out, &allocated);
            Ok(out)
        }
    }
}

/// A container's requests after the resize rule, when its status carries `resources`.
fn effective_requests(
    pod: &Value,
    rules: KubectlRules,
    c: &Value,
    what: &str,
    statuses: &BTreeMap<&str, &Value>,
) -> Result<ResourceList, String> {
    let spec = container_list(c, "requests", what)?;
    let name = c.get("name").and_then(Value::as_str).unwrap_or("");
    match statuses.get(name) {
        Some(cs) if cs.get("resources").is_some_and(|r| !r.is_null()) => {
            resized_requests(pod, rules, spec, cs, what)
        }
        _ => Ok(spec),
    }
}

fn pod_requests(
    pod: &Value,
    rules: KubectlRules,
    notes: &mut Vec<String>,
) -> Result<ResourceList, String> {
    let statuses = statuses(pod, rules);
    let mut reqs = ResourceList::new();
    for (i, c) in containers(pod, "containers").iter().enumerate() {
        let what = format!("spec.containers[{i}]");
        add_list(
            &mut reqs,
            &effective_requests(pod, rules, c, &what, &statuses)?,
        )?;
    }
    let (mut sidecars, mut init_max) = (ResourceList::new(), ResourceList::new());
    for (i, c) in containers(pod, "initContainers").iter().enumerate() {
        let what = format!("spec.initContainers[{i}]");
        let own = if is_sidecar(c) && rules == KubectlRules::V1_33 {
            effective_requests(pod, rules, c, &what, &statuses)?
        } else {
            container_list(c, "requests", &what)?
        };
        let counted = init_value(&mut reqs, &mut sidecars, own, is_sidecar(c))?;
        max_list(&mut init_max, &counted);
    }
    raise_by_init(&mut reqs, &init_max, "requests", notes);
    add_overhead(pod, &mut reqs, false, notes)?;
    Ok(reqs)
}

fn pod_limits(pod: &Value, notes: &mut Vec<String>) -> Result<ResourceList, String> {
    let mut limits = ResourceList::new();
    for (i, c) in containers(pod, "containers").iter().enumerate() {
        add_list(
            &mut limits,
            &container_list(c, "limits", &format!("spec.containers[{i}]"))?,
        )?;
    }
    let (mut sidecars, mut init_max) = (ResourceList::new(), ResourceList::new());
    for (i, c) in containers(pod, "initContainers").iter().enumerate() {
        let own = container_list(c, "limits", &format!("spec.initContainers[{i}]"))?;
        let counted = init_value(&mut limits, &mut sidecars, own, is_sidecar(c))?;
        max_list(&mut init_max, &counted);
    }
    raise_by_init(&mut limits, &init_max, "limits", notes);
    add_overhead(pod, &mut limits, true, notes)?;
    Ok(limits)
}

/// What one init container contributes to the init maximum: a sidecar joins the pod sum
/// and the running sidecar total (which it then counts as); an ordinary init container
/// counts as itself plus the sidecars before it.
fn init_value(
    total: &mut ResourceList,
    sidecars: &mut ResourceList,
    own: ResourceList,
    sidecar: bool,
) -> Result<ResourceList, String> {
    if sidecar {
        add_list(total, &own)?;
        add_list(sidecars, &own)?;
        return Ok(sidecars.clone());
    }
    let mut tmp = ResourceList::new();
    add_list(&mut tmp, &own)?;
    add_list(&mut tmp, sidecars)?;
    Ok(tmp)
}

/// `maxResourceList(total, initMax)`, noting each resource an init container raised.
fn raise_by_init(
    total: &mut ResourceList,
    init_max: &ResourceList,
    kind: &str,
    notes: &mut Vec<String>,
) {
    for (name, q) in init_max {
        if let Some(v) = total.get(name).filter(|v| q.cmp_value(v).is_gt()) {
            notes.push(format!(
                "{kind}.{name}: an init container needs {} while the containers sum to {}; the larger counts",
                q.canonical(),
                v.canonical()
            ));
        }
    }
    max_list(total, init_max);
}

/// `spec.overhead` added to every request, or only to non-zero limits.
fn add_overhead(
    pod: &Value,
    list: &mut ResourceList,
    limits: bool,
    notes: &mut Vec<String>,
) -> Result<(), String> {
    let Some(spec) = pod.get("spec") else {
        return Ok(());
    };
    let overhead = list_at(spec, "overhead", "spec.overhead")?;
    let kind = if limits { "limits" } else { "requests" };
    for (name, q) in &overhead {
        let current = list.get(name);
        if limits && current.is_none_or(Quantity::is_zero) {
            continue;
        }
        let sum = match current {
            Some(v) => v.add(q).map_err(|e| e.to_string())?,
            None => q.clone(),
        };
        notes.push(format!(
            "{kind}.{name}: pod overhead {} added → {}",
            q.canonical(),
            sum.canonical()
        ));
        list.insert(name.clone(), sum);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
