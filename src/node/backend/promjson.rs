//! Reading Prometheus `/api/v1/query` answers (vector and matrix) and writing floats as
//! Prometheus writes them (util/jsonutil/marshal.go (MarshalValue) @v2.42.0,
//! reference/cpu-node.md §A.7). The pod report's readers (`lineage::cpu::matrix`,
//! `prom_float`) are private to the lineage; these are the node report's small equivalents.

use serde_json::Value;

/// One series of an answer: its labels and its samples `(t_ms, text, value)` in time
/// order (one sample for a vector).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// `metric` labels, sorted by name.
    pub labels: Vec<(String, String)>,
    /// `(Unix ms, value as sent, value)`.
    pub samples: Vec<(i64, String, f64)>,
}

impl Series {
    /// The value of label `name`, `""` when absent.
    pub fn label(&self, name: &str) -> &str {
        self.labels
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// Every series of a `success` answer whose result is a vector or a matrix.
pub fn parse_answer(body: &str) -> Result<Vec<Series>, String> {
    let v: Value = serde_json::from_str(body).map_err(|e| format!("not JSON: {e}"))?;
    if v.get("status").and_then(Value::as_str) != Some("success") {
        let err = v.get("error").and_then(Value::as_str);
        return Err(format!(
            "Prometheus error: {}",
            err.unwrap_or("no status=success")
        ));
    }
    let kind = v.pointer("/data/resultType").and_then(Value::as_str);
    let result = v
        .pointer("/data/result")
        .and_then(Value::as_array)
        .ok_or("no data.result array")?;
    result
        .iter()
        .map(|s| {
            let labels = s
                .get("metric")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                        .collect()
                })
                .unwrap_or_default();
            let samples = match kind {
                Some("vector") => vec![pair(s.get("value").unwrap_or(&Value::Null))?],
                Some("matrix") => s
                    .get("values")
                    .and_then(Value::as_array)
                    .ok_or("a matrix series without values")?
                    .iter()
                    .map(pair)
                    .collect::<Result<_, _>>()?,
                other => return Err(format!("a {} result", other.unwrap_or("typeless"))),
            };
            Ok(Series { labels, samples })
        })
        .collect()
}

fn pair(p: &Value) -> Result<(i64, String, f64), String> {
    let Some([t, v]) = p.as_array().map(Vec::as_slice) else {
        return Err(format!("{p} is no [time, \"value\"] pair"));
    };
    let t_text = match t {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        other => return Err(format!("the time {other} is not a number")),
    };
    let t_ms = time_ms(&t_text).ok_or_else(|| format!("the time {t_text} is not Unix seconds"))?;
    let text = v
        .as_str()
        .ok_or_else(|| format!("the value {v} is not a string"))?;
    let f = parse_float(text).ok_or_else(|| format!("the value {text:?} is not a float"))?;
    Ok((t_ms, text.to_owned(), f))
}

pub use crate::promql::answer::{
    parse_prom_float as parse_float, prom_float as prom_text, time_ms,
};
