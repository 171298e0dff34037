//! `kubectl describe node NODE`: the "Non-terminated Pods" table and the "Allocated
//! resources" rows, predicted cell by cell, with the arithmetic behind each total.
//!
//! kubectl lists pods with `spec.nodeName=NODE,status.phase!=Succeeded,status.phase!=Failed`
//! and divides by `status.allocatable` (or `status.capacity` when allocatable is empty).
//! Percentages are `int64(float64(x) / float64(allocatable) * 100)`, CPU in millicores,
//! the rest in units; the per-pod rows do not guard a zero allocatable, the totals do.

use serde::Serialize;
use serde_json::Value;

use super::gomath::{explain_percent, human_duration, percent};
use super::resources::{PodResources, ResourceList, pod_requests_and_limits};
use super::{KubectlRules, items, name, parse_value, str_at};
use crate::quantity::{self, Quantity};

/// The two describe sections for one node.
#[derive(Debug, Clone, Serialize)]
pub struct DescribeNode {
    /// The node name.
    pub node: String,
    /// The kubectl rules applied.
    pub rules: KubectlRules,
    /// `allocatable`, or `capacity` when the node has no allocatable.
    pub denominator: String,
    /// The section header cells: `Non-terminated Pods:`, `(18 in total)`.
    pub pods_header: Vec<String>,
    /// One row per counted pod, in list order.
    pub pods: Vec<PodRow>,
    /// Pods of the list that kubectl's field selector leaves out, with why.
    pub excluded: Vec<ExcludedPod>,
    /// The Allocated resources rows: cpu, memory, ephemeral-storage, hugepages-*, extended.
    pub allocated: Vec<AllocatedRow>,
}

/// One "Non-terminated Pods" row.
#[derive(Debug, Clone, Serialize)]
pub struct PodRow {
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `100m (0%)`.
    pub cpu_requests: String,
    /// `0 (0%)` when there is none.
    pub cpu_limits: String,
    /// `70Mi (0%)`.
    pub memory_requests: String,
    /// `170Mi (2%)`.
    pub memory_limits: String,
    /// kubectl's Age (`HumanDuration(now − creationTimestamp)`); `None` without a clock.
    pub age: Option<String>,
    /// The cells as kubectl writes them between tabs (the empty column after Name
    /// included; Age last, when known).
    pub cells: Vec<String>,
    /// Rules that changed this pod's values (init containers, overhead, resize).
    pub notes: Vec<String>,
}

/// A pod in the list that `describe node` does not count.
#[derive(Debug, Clone, Serialize)]
pub struct ExcludedPod {
    /// `namespace/name`.
    pub pod: String,
    /// `phase Succeeded`, `on node other`, `not scheduled`.
    pub reason: String,
}

/// One "Allocated resources" row.
#[derive(Debug, Clone, Serialize)]
pub struct AllocatedRow {
    /// `cpu`, `memory`, `ephemeral-storage`, `hugepages-2Mi`, `nvidia.com/gpu`.
    pub resource: String,
    /// The Requests cell: `1355m (9%)` (extended resources: no percentage).
    pub requests: String,
    /// The Limits cell.
    pub limits: String,
    /// The cells between tabs: resource, requests, limits.
    pub cells: Vec<String>,
    /// How the requests total was formed.
    pub requests_total: Total,
    /// How the limits total was formed.
    pub limits_total: Total,
}

/// One total with its arithmetic.
#[derive(Debug, Clone, Serialize)]
pub struct Total {
    /// `Quantity.String()` of the sum: `1355m`, `524045120`, `0`.
    pub value: String,
    /// The integer percentage printed, if the row has one.
    pub percent: Option<i64>,
    /// `int64(1355 / 14000 × 100) = int64(9.678…) = 9`.
    pub percent_arithmetic: Option<String>,
    /// The allocatable (or capacity) value divided by, as the node states it.
    pub allocatable: Option<String>,
    /// Every pod that has this resource, in summation order.
    pub contributions: Vec<Contribution>,
    /// The pod whose quantity format the sum keeps (Go's `Quantity.Add`).
    pub format_from: Option<String>,
    /// `100m + 250m + … = 1355m`, and why a memory sum prints as plain bytes.
    pub arithmetic: String,
}

/// One pod's part of a total.
#[derive(Debug, Clone, Serialize)]
pub struct Contribution {
    /// `namespace/name`.
    pub pod: String,
    /// `Quantity.String()` of the pod's value.
    pub value: String,
}

/// Why kubectl would or would not count a pod on `node`.
pub(crate) fn exclusion(pod: &Value, node: &str) -> Option<String> {
    let on = str_at(pod, &["spec", "nodeName"]);
    if on.is_empty() {
        return Some("not scheduled (no spec.nodeName)".to_owned());
    }
    if on != node {
        return Some(format!("on node {on}"));
    }
    match str_at(pod, &["status", "phase"]) {
        p @ ("Succeeded" | "Failed") => Some(format!("phase {p}")),
        _ => None,
    }
}

/// Predicts both sections from the Node object and a pod list (`{"items": …}` or an
/// array; it may hold other nodes' and terminated pods, which are left out as kubectl's
/// field selector does). `now_ns` (Unix nanoseconds) fills the Age column.
pub fn predict(
    node_obj: &Value,
    pods: &Value,
    rules: KubectlRules,
    now_ns: Option<i128>,
) -> Result<DescribeNode, String> {
    let node = name(node_obj).to_owned();
    let (denominator, alloc) = allocatable(node_obj)?;
    let mut excluded = Vec::new();
    let mut counted: Vec<(&Value, PodResources)> = Vec::new();
    for pod in items(pods, "the pod list")? {
        match exclusion(pod, &node) {
            Some(reason) => excluded.push(ExcludedPod {
                pod: super::key(pod),
                reason,
            }),
            None => counted.push((pod, pod_requests_and_limits(pod, rules)?)),
        }
    }
    let rows = counted
        .iter()
        .map(|(pod, r)| pod_row(pod, r, &alloc, now_ns))
        .collect();
    let resources: Vec<&PodResources> = counted.iter().map(|(_, r)| r).collect();
    Ok(DescribeNode {
        node,
        rules,
        denominator: denominator.to_owned(),
        pods_header: vec![
            "Non-terminated Pods:".to_owned(),
            format!("({} in total)", counted.len()),
        ],
        pods: rows,
        excluded,
        allocated: allocated_rows(&resources, &alloc)?,
    })
}

/// `status.allocatable`, or `status.capacity` when allocatable is empty.
pub fn allocatable(node: &Value) -> Result<(&'static str, ResourceList), String> {
    let read = |field: &str| -> Result<ResourceList, String> {
        let map = node
            .get("status")
            .and_then(|s| s.get(field))
            .and_then(Value::as_object);
        map.into_iter()
            .flatten()
            .map(|(k, v)| {
                Ok((
                    k.clone(),
                    parse_value(v, &format!("node status.{field}.{k}"))?,
                ))
            })
            .collect()
    };
    let alloc = read("allocatable")?;
    if alloc.is_empty() {
        Ok(("capacity", read("capacity")?))
    } else {
        Ok(("allocatable", alloc))
    }
}

/// `Quantity.String()` of a possibly absent value (Go's zero Quantity prints `0`).
fn text(q: Option<&Quantity>) -> String {
    q.map_or_else(|| "0".to_owned(), Quantity::canonical)
}

/// The number kubectl divides: MilliValue for cpu, Value otherwise.
fn units(resource: &str, q: Option<&Quantity>) -> i128 {
    match (resource, q) {
        (_, None) => 0,
        ("cpu", Some(q)) => q.milli_value_ceil(),
        (_, Some(q)) => q.value_ceil(),
    }
}

fn pod_row(pod: &Value, r: &PodResources, alloc: &ResourceList, now_ns: Option<i128>) -> PodRow {
    let cell = |res: &str, list: &ResourceList| {
        let q = list.get(res);
        let p = percent(units(res, q), units(res, alloc.get(res)));
        format!("{} ({p}%)", text(q))
    };
    let (namespace, pod_name) = (str_at(pod, &["metadata", "namespace"]), name(pod));
    let age = now_ns.map(|now| age(pod, now));
    let mut cells = vec![namespace.to_owned(), pod_name.to_owned(), String::new()];
    let values = [
        cell("cpu", &r.requests),
        cell("cpu", &r.limits),
        cell("memory", &r.requests),
        cell("memory", &r.limits),
    ];
    cells.extend(values.iter().cloned());
    cells.extend(age.clone());
    let [cpu_requests, cpu_limits, memory_requests, memory_limits] = values;
    PodRow {
        namespace: namespace.to_owned(),
        name: pod_name.to_owned(),
        cpu_requests,
        cpu_limits,
        memory_requests,
        memory_limits,
        age,
        cells,
        notes: r.notes.clone(),
    }
}

/// `translateTimestampSince`: `<unknown>` without a creationTimestamp.
fn age(pod: &Value, now_ns: i128) -> String {
    let created = str_at(pod, &["metadata", "creationTimestamp"]);
    match created.parse::<jiff::Timestamp>() {
        Ok(t) => human_duration(now_ns - t.as_nanosecond()),
        Err(_) => "<unknown>".to_owned(),
    }
}

/// The resources kubectl prints rows for, in its order.
fn row_resources(alloc: &ResourceList) -> Vec<(String, bool)> {
    let mut rows: Vec<(String, bool)> = ["cpu", "memory", "ephemeral-storage"]
        .iter()
        .map(|r| (r.to_string(), true))
        .collect();
    let huge = alloc.keys().filter(|k| k.starts_with("hugepages-"));
    rows.extend(huge.map(|k| (k.clone(), true)));
    let standard = ["cpu", "memory", "ephemeral-storage", "pods"];
    let ext = alloc
        .keys()
        .filter(|k| !k.starts_with("hugepages-") && !standard.contains(&k.as_str()));
    rows.extend(ext.map(|k| (k.clone(), false)));
    rows
}

fn allocated_rows(
    pods: &[&PodResources],
    alloc: &ResourceList,
) -> Result<Vec<AllocatedRow>, String> {
    let mut rows = Vec::new();
    for (resource, with_percent) in row_resources(alloc) {
        let denominator = with_percent.then(|| alloc.get(&resource));
        let requests_total = total(pods, &resource, |p| &p.requests, denominator)?;
        let limits_total = total(pods, &resource, |p| &p.limits, denominator)?;
        let show = |t: &Total| match t.percent {
            Some(p) => format!("{} ({p}%)", t.value),
            None => t.value.clone(),
        };
        let (requests, limits) = (show(&requests_total), show(&limits_total));
        rows.push(AllocatedRow {
            cells: vec![resource.clone(), requests.clone(), limits.clone()],
            resource,
            requests,
            limits,
            requests_total,
            limits_total,
        });
    }
    Ok(rows)
}

/// `getPodsTotalRequestsAndLimits` for one resource; `denominator` is `Some` for rows
/// with a percentage (`Some(None)`: the node lacks the resource, so 0%).
fn total(
    pods: &[&PodResources],
    resource: &str,
    pick: impl Fn(&PodResources) -> &ResourceList,
    denominator: Option<Option<&Quantity>>,
) -> Result<Total, String> {
    let mut sum: Option<Quantity> = None;
    let mut contributions = Vec::new();
    for p in pods {
        let Some(q) = pick(p).get(resource) else {
            continue;
        };
        contributions.push(Contribution {
            pod: p.pod.clone(),
            value: q.canonical(),
        });
        sum = Some(match &sum {
            Some(s) => s.add(q).map_err(|e| e.to_string())?,
            None => q.clone(),
        });
    }
    let value = text(sum.as_ref());
    let (n, d) = (
        units(resource, sum.as_ref()),
        denominator.map(|d| units(resource, d)),
    );
    let pct = d.map(|d| if d == 0 { 0 } else { percent(n, d) });
    let percent_arithmetic = d.map(|d| match d {
        0 => "the node has none of it: 0%".to_owned(),
        d => explain_percent(n, d),
    });
    let format_from = format_source(pods, resource, &pick, sum.as_ref());
    Ok(Total {
        arithmetic: sum_text(&contributions, &value, sum.as_ref()),
        value,
        percent: pct,
        percent_arithmetic,
        allocatable: denominator.flatten().map(Quantity::canonical),
        contributions,
        format_from,
    })
}

/// The first pod with a non-zero value (Go's `Add` takes the other format while zero).
fn format_source(
    pods: &[&PodResources],
    resource: &str,
    pick: &impl Fn(&PodResources) -> &ResourceList,
    sum: Option<&Quantity>,
) -> Option<String> {
    sum?;
    let first = pods
        .iter()
        .filter_map(|p| pick(p).get(resource).map(|q| (p, q)));
    let mut seen = None;
    for (p, q) in first {
        seen.get_or_insert(p.pod.clone());
        if !q.is_zero() {
            return Some(p.pod.clone());
        }
    }
    seen
}

/// `100m + 250m = 350m`, with why a BinarySI sum prints as plain bytes.
fn sum_text(parts: &[Contribution], value: &str, sum: Option<&Quantity>) -> String {
    let Some(sum) = sum else {
        return "no counted pod sets it: 0".to_owned();
    };
    let terms: Vec<&str> = parts.iter().map(|c| c.value.as_str()).collect();
    let mut s = format!("{} = {value}", terms.join(" + "));
    let bytes = sum.value_ceil();
    if sum.is_binary_si() && value == bytes.to_string() && bytes.abs() >= 1024 {
        s.push_str(&format!(
            " (a binary-suffix sum that is not a whole number of Ki prints as plain bytes: {bytes} mod 1024 = {}; {})",
            bytes.rem_euclid(1024),
            quantity::human_bytes(bytes)
        ));
    }
    s
}

#[cfg(test)]
mod tests;
