//! Reading the PodMetrics object and predicting `kubectl top pod` from it.

use serde_json::Value;

use super::model::{Layer, MetricsApiContainer, MetricsApiView, TopPrediction, TopRow};
use crate::quantity::{self, Quantity};

/// Parses a PodMetrics JSON body (`metrics.k8s.io` v1beta1 or v1).
pub fn parse_pod_metrics(body: &str) -> Result<MetricsApiView, String> {
    let v: Value =
        serde_json::from_str(body).map_err(|e| format!("PodMetrics is not JSON: {e}"))?;
    let containers = v
        .get("containers")
        .and_then(Value::as_array)
        .ok_or("PodMetrics has no `containers` array")?;
    let containers = containers
        .iter()
        .map(parse_container)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(MetricsApiView {
        api_version: str_at(&v, "apiVersion").unwrap_or_default(),
        timestamp: str_at(&v, "timestamp"),
        window: str_at(&v, "window"),
        containers,
    })
}

fn str_at(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn parse_container(c: &Value) -> Result<MetricsApiContainer, String> {
    let name = str_at(c, "name").ok_or("a PodMetrics container has no `name`")?;
    let usage = c.get("usage");
    let memory = usage.and_then(|u| str_at(u, "memory"));
    let cpu = usage.and_then(|u| str_at(u, "cpu"));
    let memory_q = parse_opt(&memory, &name, "memory")?;
    let memory_bytes = memory_q.as_ref().map(|q| q.value_ceil());
    let memory_nanos = memory_q.as_ref().map(|q| q.nanos());
    let cpu_nanocores = parse_opt(&cpu, &name, "cpu")?.map(|q| q.nanos());
    Ok(MetricsApiContainer {
        name,
        memory,
        memory_bytes,
        memory_nanos,
        cpu,
        cpu_nanocores,
    })
}

fn parse_opt(s: &Option<String>, container: &str, what: &str) -> Result<Option<Quantity>, String> {
    match s {
        None => Ok(None),
        Some(text) => quantity::parse(text)
            .map(Some)
            .map_err(|e| format!("container {container:?}: bad {what} quantity: {e}")),
    }
}

/// Predicts both `kubectl top pod` outputs exactly as kubectl computes them:
/// the pod row sums the quantities first and formats once; `--containers` formats each.
pub fn predict_top(pod_name: &str, view: &MetricsApiView) -> Layer<TopPrediction> {
    let zero = match quantity::parse("0") {
        Ok(q) => q,
        Err(e) => {
            return Layer::Missing {
                reason: e.to_string(),
            };
        }
    };
    let mut mem_sum = zero.clone();
    let mut cpu_sum = zero.clone();
    let mut rows = Vec::new();
    for c in &view.containers {
        let mem = parse_or_zero(&c.memory, &zero);
        let cpu = parse_or_zero(&c.cpu, &zero);
        match (mem_sum.add(&mem), cpu_sum.add(&cpu)) {
            (Ok(m), Ok(p)) => (mem_sum, cpu_sum) = (m, p),
            _ => {
                return Layer::Missing {
                    reason: "quantity sum overflows".into(),
                };
            }
        }
        rows.push(row(&c.name, &cpu, &mem));
    }
    rows.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    let memory_sum = sum_text(view, mem_sum.value_ceil());
    Layer::Present {
        value: TopPrediction {
            pod_row: row(pod_name, &cpu_sum, &mem_sum),
            containers: rows,
            memory_sum,
        },
    }
}

fn parse_or_zero(s: &Option<String>, zero: &Quantity) -> Quantity {
    s.as_deref()
        .and_then(|t| quantity::parse(t).ok())
        .unwrap_or_else(|| zero.clone())
}

fn row(name: &str, cpu: &Quantity, mem: &Quantity) -> TopRow {
    TopRow {
        name: name.to_string(),
        cpu: quantity::kubectl_cpu(cpu),
        memory: quantity::kubectl_memory(mem),
        memory_bytes: mem.value_ceil(),
        cpu_arithmetic: quantity::explain_cpu(cpu),
        memory_arithmetic: quantity::explain_memory(mem),
    }
}

/// `176Ki + 86704Ki = 180224 + 88784896 = 88965120 B`.
fn sum_text(view: &MetricsApiView, total: i128) -> String {
    let strings: Vec<&str> = view
        .containers
        .iter()
        .map(|c| c.memory.as_deref().unwrap_or("0"))
        .collect();
    let bytes: Vec<String> = view
        .containers
        .iter()
        .map(|c| exact_bytes(c.memory_nanos.unwrap_or(0)))
        .collect();
    if strings.is_empty() {
        return "no containers: 0 B".to_string();
    }
    format!(
        "{} = {} = {} B",
        strings.join(" + "),
        bytes.join(" + "),
        total
    )
}

/// Nano-bytes as an exact decimal byte count: `1048575500000000` → `1048575.5`.
pub fn exact_bytes(nanos: i128) -> String {
    let sign = if nanos < 0 { "-" } else { "" };
    let (whole, frac) = (
        nanos.unsigned_abs() / 1_000_000_000,
        nanos.unsigned_abs() % 1_000_000_000,
    );
    if frac == 0 {
        return format!("{sign}{whole}");
    }
    let digits = format!("{frac:09}");
    format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
}
