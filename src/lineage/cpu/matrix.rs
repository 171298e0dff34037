//! Reading the `cpu-samples` answer: a Prometheus `matrix` (`data.result[].metric` and
//! `.values[[t, "v"], …]`), every raw sample of the cpu rule's window, per series.
//!
//! Timestamps are Unix seconds with a millisecond fraction (`1636128362.5`); they are read
//! from their decimal text, so no float rounding touches them. Anything else (a value that
//! is no string, a time that is no number, samples out of order) makes the series
//! unreadable with the reason, never a panic.

use serde_json::Value;

use crate::promql::answer::parse_prom_float;
pub use crate::promql::answer::time_ms;

/// One series of the matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct RawSeries {
    /// `metric` labels (sorted by name, as JSON objects are read here).
    pub labels: Vec<(String, String)>,
    /// Its samples in time order; empty when `problem` is set.
    pub samples: Vec<RawSample>,
    /// Why the series cannot be used.
    pub problem: Option<String>,
}

impl RawSeries {
    /// The value of label `name`, `""` when absent (Prometheus semantics).
    pub fn label(&self, name: &str) -> &str {
        self.labels
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// One raw sample.
#[derive(Debug, Clone, PartialEq)]
pub struct RawSample {
    /// Unix milliseconds.
    pub t_ms: i64,
    /// The value as sent.
    pub text: String,
    /// The value read.
    pub v: f64,
}

/// Every series of a `/api/v1/query` answer whose result is a matrix.
pub fn parse_matrix(body: &str) -> Result<Vec<RawSeries>, String> {
    let v: Value = serde_json::from_str(body)
        .map_err(|e| format!("the cpu-samples answer is not JSON: {e}"))?;
    if v.get("status").and_then(Value::as_str) != Some("success") {
        let err = v.get("error").and_then(Value::as_str);
        return Err(format!(
            "Prometheus error: {}",
            err.unwrap_or("no status=success")
        ));
    }
    let kind = v.pointer("/data/resultType").and_then(Value::as_str);
    if kind != Some("matrix") {
        return Err(format!(
            "the cpu-samples answer is a {}, not a matrix",
            kind.unwrap_or("result without resultType")
        ));
    }
    let result = v
        .pointer("/data/result")
        .and_then(Value::as_array)
        .ok_or("the cpu-samples answer has no data.result array")?;
    Ok(result.iter().map(series).collect())
}

fn series(s: &Value) -> RawSeries {
    let labels = s
        .get("metric")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default();
    match samples(s) {
        Ok(samples) => RawSeries {
            labels,
            samples,
            problem: None,
        },
        Err(problem) => RawSeries {
            labels,
            samples: Vec::new(),
            problem: Some(problem),
        },
    }
}

fn samples(s: &Value) -> Result<Vec<RawSample>, String> {
    let values = s
        .get("values")
        .and_then(Value::as_array)
        .ok_or("the series has no `values` array")?;
    let mut out: Vec<RawSample> = Vec::with_capacity(values.len());
    for (i, pair) in values.iter().enumerate() {
        let sample = sample(pair).map_err(|e| format!("sample {}: {e}", i + 1))?;
        if out.last().is_some_and(|p| p.t_ms >= sample.t_ms) {
            return Err(format!("sample {}: not later than the one before", i + 1));
        }
        out.push(sample);
    }
    Ok(out)
}

fn sample(pair: &Value) -> Result<RawSample, String> {
    let Some([t, v]) = pair.as_array().map(Vec::as_slice) else {
        return Err(format!("{pair} is no [time, \"value\"] pair"));
    };
    let t_text = match t {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        other => return Err(format!("the time {other} is not a number")),
    };
    let t_ms = time_ms(&t_text).ok_or_else(|| format!("the time {t_text} is not Unix seconds"))?;
    let Value::String(text) = v else {
        return Err(format!(
            "the value {v} is not a string, as Prometheus sends it"
        ));
    };
    let v = parse_prom_float(text).ok_or_else(|| format!("the value {text:?} is not a float"))?;
    Ok(RawSample {
        t_ms,
        text: text.clone(),
        v,
    })
}

#[cfg(test)]
mod tests;
