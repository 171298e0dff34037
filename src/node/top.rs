//! `kubectl top node NODE` (and `--show-capacity`), predicted cell by cell
//! (kubernetes/kubectl pkg/metricsutil/metrics_printer.go (printAllResourceUsages,
//! printMissingMetricsNodeLine) @kubernetes-1.32.0, unchanged in 1.33).
//!
//! CPU is `MilliValue()` + `m`, memory `Value() / 1048576` + `Mi`; each percentage is
//! `int64(float64(usage.MilliValue()) / float64(available.MilliValue()) * 100)` (memory in
//! milli-bytes too) and is printed only if the Node has that resource.

use serde::Serialize;
use serde_json::Value;

use super::gomath::{explain_percent, percent};
use super::{name, parse_value};
use crate::quantity::{self, Quantity};

/// What the percentages divide by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// `status.allocatable` (the default).
    Allocatable,
    /// `status.capacity` (`--show-capacity`).
    Capacity,
}

/// The predicted `kubectl top node` row.
#[derive(Debug, Clone, Serialize)]
pub struct TopNode {
    /// The command this row is for.
    pub command: String,
    /// The divisor.
    pub basis: Basis,
    /// `NAME CPU(cores) CPU(%) MEMORY(bytes) MEMORY(%)`.
    pub header: Vec<String>,
    /// The row's cells as kubectl writes them between tabs (a percentage is absent when
    /// the Node lacks the resource; `<unknown>` ×4 when there are no NodeMetrics).
    pub cells: Vec<String>,
    /// CPU column, when NodeMetrics exist.
    pub cpu: Option<TopValue>,
    /// Memory column, when NodeMetrics exist.
    pub memory: Option<TopValue>,
    /// Without NodeMetrics: what kubectl does instead.
    pub missing: Option<String>,
}

/// One resource of the row, with its arithmetic.
#[derive(Debug, Clone, Serialize)]
pub struct TopValue {
    /// `usage.<resource>` as the NodeMetrics sent it (`1234567890n`).
    pub usage: String,
    /// The printed value: `1235m`, `1953Mi`.
    pub shown: String,
    /// `ceil(1234567890n × 1000) = …`.
    pub shown_arithmetic: String,
    /// The divisor as the Node states it, if the Node has the resource.
    pub available: Option<String>,
    /// `8%`, if printed.
    pub percent: Option<String>,
    /// `int64(1235 / 14000 × 100) = …`, milli-units on both sides.
    pub percent_arithmetic: Option<String>,
}

/// Predicts the row from a NodeMetrics object (`None`: the server has none for the node)
/// and the Node object (`None`: not readable; no percentage columns). `node_name` names
/// the row when there are no NodeMetrics.
pub fn predict(
    node_metrics: Option<&Value>,
    node: Option<&Value>,
    node_name: &str,
    basis: Basis,
) -> Result<TopNode, String> {
    let flag = if basis == Basis::Capacity {
        " --show-capacity"
    } else {
        ""
    };
    let header = ["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"];
    let mut top = TopNode {
        command: format!("kubectl top node {node_name}{flag}"),
        basis,
        header: header.map(str::to_owned).to_vec(),
        cells: Vec::new(),
        cpu: None,
        memory: None,
        missing: None,
    };
    let Some(metrics) = node_metrics else {
        top.cells = std::iter::once(node_name.to_owned())
            .chain(std::iter::repeat_n("<unknown>".to_owned(), 4))
            .collect();
        top.missing = Some(format!(
            "no NodeMetrics for {node_name}: `kubectl top node {node_name}` fails with the server's NotFound error; \
             `kubectl top node` (all nodes) prints <unknown> in every column for it"
        ));
        return Ok(top);
    };
    let field = if basis == Basis::Capacity {
        "capacity"
    } else {
        "allocatable"
    };
    let available = node
        .and_then(|n| n.get("status"))
        .and_then(|s| s.get(field));
    let cpu = value(metrics, available, "cpu")?;
    let memory = value(metrics, available, "memory")?;
    top.cells.push(name(metrics).to_owned());
    for v in [&cpu, &memory] {
        top.cells.push(v.shown.clone());
        top.cells.extend(v.percent.clone());
    }
    top.cpu = Some(cpu);
    top.memory = Some(memory);
    Ok(top)
}

fn value(metrics: &Value, available: Option<&Value>, res: &str) -> Result<TopValue, String> {
    // A resource missing from usage is Go's zero Quantity.
    let usage = match metrics.get("usage").and_then(|u| u.get(res)) {
        Some(v) => parse_value(v, &format!("NodeMetrics usage.{res}"))?,
        None => quantity::parse("0").map_err(|e| e.to_string())?,
    };
    let avail: Option<Quantity> = match available.and_then(|a| a.get(res)) {
        Some(v) => Some(parse_value(v, &format!("node {res}"))?),
        None => None,
    };
    let (shown, shown_arithmetic) = if res == "cpu" {
        (quantity::kubectl_cpu(&usage), quantity::explain_cpu(&usage))
    } else {
        (
            quantity::kubectl_memory(&usage),
            quantity::explain_memory(&usage),
        )
    };
    let ratio = avail
        .as_ref()
        .map(|a| (usage.milli_value_ceil(), a.milli_value_ceil()));
    Ok(TopValue {
        usage: usage.original().to_owned(),
        shown,
        shown_arithmetic,
        available: avail.as_ref().map(|a| a.original().to_owned()),
        percent: ratio.map(|(n, d)| format!("{}%", percent(n, d))),
        percent_arithmetic: ratio.map(|(n, d)| explain_percent(n, d)),
    })
}

#[cfg(test)]
mod tests;
