//! Matching series against selectors: [`Matcher::matches_value`],
//! [`VectorSelector::matches`] and [`CompiledSelector`].

use regex::Regex;

use super::{Kind, MatchOp, Matcher, SelectorError, VectorSelector};

impl Matcher {
    /// Whether a label value satisfies this matcher (an invalid regex matches nothing).
    pub fn matches_value(&self, value: &str) -> bool {
        Test::new(self).is_ok_and(|t| t.test(value))
    }
}

impl VectorSelector {
    /// Whether the series `metric_name{labels}` is selected. Labels absent from `labels`
    /// count as `""`; `__name__` matchers test `metric_name`.
    pub fn matches(&self, metric_name: &str, labels: &[(String, String)]) -> bool {
        self.compile().is_ok_and(|c| c.matches(metric_name, labels))
    }

    /// Compile the regexes once, for matching many series.
    pub fn compile(&self) -> Result<CompiledSelector, SelectorError> {
        let tests = self
            .matchers
            .iter()
            .map(|m| Ok((m.name.clone(), Test::new(m)?)));
        let tests = tests.collect::<Result<_, SelectorError>>()?;
        Ok(CompiledSelector {
            metric: self.metric.clone(),
            tests,
        })
    }
}

/// A [`VectorSelector`] with its regexes compiled.
#[derive(Debug, Clone)]
pub struct CompiledSelector {
    metric: Option<String>,
    tests: Vec<(String, Test)>,
}

impl CompiledSelector {
    /// See [`VectorSelector::matches`].
    pub fn matches(&self, metric_name: &str, labels: &[(String, String)]) -> bool {
        if self.metric.as_deref().is_some_and(|m| m != metric_name) {
            return false;
        }
        self.tests.iter().all(|(name, test)| {
            let value = if name == "__name__" {
                metric_name
            } else {
                let found = labels.iter().find(|(k, _)| k == name);
                found.map_or("", |(_, v)| v.as_str())
            };
            test.test(value)
        })
    }
}

#[derive(Debug, Clone)]
enum Test {
    Eq(String),
    Ne(String),
    Re(Regex, bool),
}

impl Test {
    fn new(m: &Matcher) -> Result<Self, SelectorError> {
        let regex = || Regex::new(&format!("^(?s:{})$", m.value));
        let bad = |e: regex::Error| {
            SelectorError::new(0, Kind::InvalidRegex(m.name.clone(), e.to_string()))
        };
        Ok(match m.op {
            MatchOp::Eq => Self::Eq(m.value.clone()),
            MatchOp::Ne => Self::Ne(m.value.clone()),
            MatchOp::Re => Self::Re(regex().map_err(bad)?, true),
            MatchOp::Nre => Self::Re(regex().map_err(bad)?, false),
        })
    }

    fn test(&self, value: &str) -> bool {
        match self {
            Self::Eq(v) => v == value,
            Self::Ne(v) => v != value,
            Self::Re(re, want) => re.is_match(value) == *want,
        }
    }
}

/// Check the regexes and Prometheus' selector rules; take `metric` from `__name__="..."`.
pub(super) fn validate(sel: &mut VectorSelector) -> Result<(), Kind> {
    let compiled = sel.compile().map_err(|e| e.kind)?;
    let mut names = sel.matchers.iter().filter(|m| m.name == "__name__");
    if sel.metric.is_some() {
        return match names.next() {
            Some(_) => Err(Kind::DuplicateName),
            None => Ok(()),
        };
    }
    if compiled.tests.iter().all(|(_, t)| t.test("")) {
        return Err(Kind::EmptyMatchers);
    }
    sel.metric = names.find(|m| m.op == MatchOp::Eq).map(|m| m.value.clone());
    Ok(())
}
