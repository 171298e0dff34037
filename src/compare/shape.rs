//! The query shapes [`super::explain`] evaluates, and their evaluation over kubelet series.
//!
//! Supported: one vector selector without range or function, wrapped in any nesting of
//! `sum` and `max` with an optional `by (…)` / `without (…)` before or after the argument,
//! e.g. `sum(m{…})`, `sum by (pod) (m{…})`, `sum(max by (container)(m{…})) by (container)`.
//! Anything else (rate, binary operators, joins, offsets, several selectors) is refused with
//! the reason.

use crate::promql::selector::{VectorSelector, analyze_query};

/// An aggregation or the selector at the bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// The one vector selector.
    Selector,
    /// `op by|without (labels) (inner)`.
    Agg {
        /// `sum` or `max`.
        op: Op,
        /// The grouping labels (empty: one group, unless `without`).
        labels: Vec<String>,
        /// `without (…)` instead of `by (…)`.
        without: bool,
        /// The argument.
        inner: Box<Shape>,
    },
}

/// The supported aggregation operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Σ per group.
    Sum,
    /// The largest per group (one series kept).
    Max,
}

/// The parsed query: its selector and its shape.
pub fn parse(query: &str) -> Result<(VectorSelector, Shape), String> {
    let q = analyze_query(query).map_err(|e| format!("not PromQL: {e}"))?;
    let [sel] = q.selectors.as_slice() else {
        return Err(format!(
            "{} vector selectors; only queries over one selector are explained",
            q.selectors.len()
        ));
    };
    if sel.range.is_some() || sel.function.is_some() {
        return Err("a range or function over the selector (rate, irate, avg_over_time …) is not a memory shape explained here".into());
    }
    let mut p = Parser { s: query, at: 0 };
    let shape = p.expr()?;
    p.ws();
    if p.at != query.len() {
        return Err(format!(
            "text after the aggregation at byte {}: only sum/max of one selector is explained",
            p.at
        ));
    }
    Ok((sel.clone(), shape))
}

struct Parser<'s> {
    s: &'s str,
    at: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.s[self.at..]
    }

    fn ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.at = self.s.len() - trimmed.len();
    }

    fn word(&mut self) -> String {
        self.ws();
        let n = self
            .rest()
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(self.rest().len());
        let w = self.rest()[..n].to_string();
        self.at += n;
        w
    }

    fn eat(&mut self, c: char) -> bool {
        self.ws();
        let hit = self.rest().starts_with(c);
        self.at += usize::from(hit);
        hit
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        match self.eat(c) {
            true => Ok(()),
            false => Err(format!("expected `{c}` at byte {}", self.at)),
        }
    }

    fn expr(&mut self) -> Result<Shape, String> {
        let start = self.at;
        let w = self.word();
        let op = match w.to_ascii_lowercase().as_str() {
            "sum" => Op::Sum,
            "max" => Op::Max,
            _ => {
                self.at = start;
                return self.selector();
            }
        };
        let mut grouping = self.grouping()?;
        self.expect('(')?;
        let inner = self.expr()?;
        self.expect(')')?;
        if grouping.is_none() {
            grouping = self.grouping()?;
        }
        let (without, labels) = grouping.unwrap_or_default();
        Ok(Shape::Agg {
            op,
            labels,
            without,
            inner: Box::new(inner),
        })
    }

    fn grouping(&mut self) -> Result<Option<(bool, Vec<String>)>, String> {
        let start = self.at;
        let without = match self.word().to_ascii_lowercase().as_str() {
            "by" => false,
            "without" => true,
            _ => {
                self.at = start;
                return Ok(None);
            }
        };
        self.expect('(')?;
        let mut labels = Vec::new();
        while !self.eat(')') {
            let l = self.word();
            if l.is_empty() {
                return Err(format!("expected a label at byte {}", self.at));
            }
            labels.push(l);
            if !self.eat(',') {
                self.expect(')')?;
                break;
            }
        }
        Ok(Some((without, labels)))
    }

    /// A metric name and/or `{…}` (quotes respected); analyze_query already checked it.
    fn selector(&mut self) -> Result<Shape, String> {
        let name = self.word();
        self.ws();
        if self.rest().starts_with('(') {
            return Err(format!(
                "`{name}(…)` is not sum or max: only sum/max of one selector is explained"
            ));
        }
        if self.rest().starts_with('{') {
            let end = brace_end(self.rest()).ok_or("unclosed `{`")?;
            self.at += end;
        } else if name.is_empty() {
            return Err(format!(
                "expected sum, max or a selector at byte {}",
                self.at
            ));
        }
        Ok(Shape::Selector)
    }
}

/// The byte just after the `}` closing the `{` at the start of `s`, skipping strings.
fn brace_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(_), _) if escaped => escaped = false,
            (Some(_), '\\') => escaped = true,
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'' | '`') => quote = Some(c),
            (None, '}') => return Some(i + 1),
            (None, _) => {}
        }
    }
    None
}

/// One output series of an evaluation: its grouping labels, value, and the input series
/// (indexes) its value is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Grouping labels (all labels at the selector level).
    pub labels: Vec<(String, String)>,
    /// The value in bytes.
    pub bytes: i128,
    /// Indexes of the input series counted in it.
    pub members: Vec<usize>,
}

/// Evaluates `shape` over the selected series (labels, bytes).
pub fn eval(shape: &Shape, series: &[(Vec<(String, String)>, i128)]) -> Vec<Row> {
    match shape {
        Shape::Selector => series
            .iter()
            .enumerate()
            .map(|(i, (labels, bytes))| Row {
                labels: labels.clone(),
                bytes: *bytes,
                members: vec![i],
            })
            .collect(),
        Shape::Agg {
            op,
            labels,
            without,
            inner,
        } => aggregate(*op, labels, *without, eval(inner, series)),
    }
}

fn group_labels(row: &Row, labels: &[String], without: bool) -> Vec<(String, String)> {
    if without {
        let mut kept: Vec<(String, String)> = row
            .labels
            .iter()
            .filter(|(k, _)| k != "__name__" && !labels.contains(k))
            .cloned()
            .collect();
        kept.sort();
        return kept;
    }
    labels
        .iter()
        .map(|l| {
            let v = row.labels.iter().find(|(k, _)| k == l);
            (l.clone(), v.map_or(String::new(), |(_, v)| v.clone()))
        })
        .collect()
}

fn aggregate(op: Op, labels: &[String], without: bool, rows: Vec<Row>) -> Vec<Row> {
    let mut out: Vec<Row> = Vec::new();
    for row in rows {
        let key = group_labels(&row, labels, without);
        let Some(g) = out.iter_mut().find(|g| g.labels == key) else {
            out.push(Row { labels: key, ..row });
            continue;
        };
        match op {
            Op::Sum => {
                g.bytes += row.bytes;
                g.members.extend(row.members);
            }
            Op::Max if row.bytes > g.bytes => {
                g.bytes = row.bytes;
                g.members = row.members;
            }
            Op::Max => {}
        }
    }
    out
}

#[cfg(test)]
mod tests;
