//! The rule's aggregation over the recomputed series: which series fall in one output
//! element, in the order the series appear in the answer (Prometheus's input order).

use crate::promql::selector::Aggregation;

/// A label set as a sorted-by-appearance list of pairs.
pub type Labels = Vec<(String, String)>;

/// One output element: its labels (as the aggregation writes them) and its series' indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The output labels (labels with an empty value are left out, as Prometheus does).
    pub key: Labels,
    /// Indexes of the input series, in input order.
    pub members: Vec<usize>,
}

/// Groups `series` (their label sets) as `aggregation` does; without one each series is its
/// own element (the range function drops `__name__`). `Err` for aggregations other than `sum`.
pub fn group(series: &[Labels], aggregation: Option<&Aggregation>) -> Result<Vec<Group>, String> {
    if let Some(a) = aggregation
        && a.op != "sum"
    {
        return Err(format!(
            "the rule aggregates with {}, which ktrace does not recompute",
            a.op
        ));
    }
    let mut groups: Vec<Group> = Vec::new();
    for (i, labels) in series.iter().enumerate() {
        let key = key(labels, aggregation);
        match groups.iter_mut().find(|g| g.key == key) {
            Some(g) => g.members.push(i),
            None => groups.push(Group {
                key,
                members: vec![i],
            }),
        }
    }
    Ok(groups)
}

fn key(labels: &Labels, aggregation: Option<&Aggregation>) -> Labels {
    let value = |name: &str| {
        labels
            .iter()
            .find(|(k, _)| k == name)
            .map_or(String::new(), |(_, v)| v.clone())
    };
    let mut key: Labels = match aggregation {
        Some(a) if !a.without => a.by.iter().map(|l| (l.clone(), value(l))).collect(),
        Some(a) => labels
            .iter()
            .filter(|(k, _)| k != "__name__" && !a.by.contains(k))
            .cloned()
            .collect(),
        None => labels
            .iter()
            .filter(|(k, _)| k != "__name__")
            .cloned()
            .collect(),
    };
    key.retain(|(_, v)| !v.is_empty());
    key.sort();
    key.dedup();
    key
}

/// True when an answer element's labels are exactly `key` (order aside).
pub fn matches(key: &Labels, answer: &[(String, String)]) -> bool {
    let mut a: Labels = answer
        .iter()
        .filter(|(k, v)| k != "__name__" && !v.is_empty())
        .cloned()
        .collect();
    a.sort();
    a == *key
}

#[cfg(test)]
mod tests;
