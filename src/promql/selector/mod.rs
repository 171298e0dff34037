//! Finding the vector selectors and the grouping of a rendered PromQL query, and matching
//! series against those selectors.
//!
//! This is a tokenizer with a little grammar on top, not a PromQL parser. It finds every
//! `metric{...}`, `{__name__="..."}` and bare `metric` selector (with its `[range]`), the
//! innermost function around each, and the outermost aggregation with its `by (...)` /
//! `without (...)` labels in either position. Label lists after `on`, `ignoring`,
//! `group_left` and `group_right` are skipped, string literals are never searched for
//! selectors, and `#` comments are ignored. Precedence and argument types are not checked.
//!
//! Matching follows Prometheus: a missing label equals `""`, and `=~`/`!~` are fully
//! anchored. Prometheus compiles them as `^(?s:re)$` (RE2, `.` matching newlines), and so
//! does this module; the `regex` crate reads the same syntax, except that `\d`, `\w`, `\s`
//! and `\b` are Unicode-aware here and ASCII-only in Go.

use std::fmt;

use super::template::go_quote;

mod analyze;
mod lex;
mod matching;

pub use analyze::analyze_query;
pub use matching::CompiledSelector;

/// Deepest nesting of parentheses accepted before giving up.
pub const MAX_DEPTH: usize = 128;

/// A label matcher operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `=~` (anchored regex)
    Re,
    /// `!~` (anchored regex, negated)
    Nre,
}

impl MatchOp {
    /// The operator as written in PromQL.
    pub fn as_str(self) -> &'static str {
        ["=", "!=", "=~", "!~"][self as usize]
    }

    fn parse(op: &str) -> Option<Self> {
        [Self::Eq, Self::Ne, Self::Re, Self::Nre]
            .into_iter()
            .find(|m| m.as_str() == op)
    }
}

/// One label matcher, e.g. `container!=""`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matcher {
    /// The label name (`__name__` for the metric name).
    pub name: String,
    /// The operator.
    pub op: MatchOp,
    /// The unquoted value (a regex for `=~`/`!~`).
    pub value: String,
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}{}",
            self.name,
            self.op.as_str(),
            go_quote(&self.value)
        )
    }
}

/// A vector selector found in a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VectorSelector {
    /// The metric name, from `name{...}`, `{"name", ...}` or an `__name__="..."` matcher.
    pub metric: Option<String>,
    /// The matchers between the braces, in written order.
    pub matchers: Vec<Matcher>,
    /// The text inside a directly following `[...]`, e.g. `"5m"` (or `"5m:1m"`).
    pub range: Option<String>,
    /// The innermost enclosing function that is not an aggregation, e.g. `irate`.
    pub function: Option<String>,
}

impl fmt::Display for VectorSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let matchers: Vec<String> = self.matchers.iter().map(Matcher::to_string).collect();
        write!(
            f,
            "{}{{{}}}",
            self.metric.as_deref().unwrap_or(""),
            matchers.join(",")
        )?;
        self.range.as_ref().map_or(Ok(()), |r| write!(f, "[{r}]"))
    }
}

/// The outermost aggregation of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aggregation {
    /// The operator, lower-cased: `sum`, `max`, `avg`, ...
    pub op: String,
    /// The labels of `by (...)` or `without (...)`; empty when there is no clause.
    pub by: Vec<String>,
    /// `true` for `without (...)`.
    pub without: bool,
}

/// What [`analyze_query`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryShape {
    /// Every vector selector, in order of appearance.
    pub selectors: Vec<VectorSelector>,
    /// The least nested aggregation (the first one if several share that depth).
    pub aggregation: Option<Aggregation>,
}

/// Why a query could not be analyzed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectorError {
    /// Byte offset in the query (0 for regex errors found outside a query).
    pub at: usize,
    /// What went wrong.
    pub kind: SelectorErrorKind,
}

/// The kinds of [`SelectorError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectorErrorKind {
    /// The query holds no tokens.
    Empty,
    /// A character that is not PromQL (e.g. a leftover `$`).
    UnexpectedChar(char),
    /// A string literal, `[`, `{`, `(` or label list (named) that is never closed.
    Unclosed(&'static str),
    /// A malformed escape sequence in a string literal.
    BadEscape,
    /// A token (as written) that does not fit where it stands.
    Unexpected(String),
    /// Parentheses nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// A `=~`/`!~` value that is not a valid regex: label name and regex error.
    InvalidRegex(String, String),
    /// A selector without a metric name whose matchers all match the empty string.
    EmptyMatchers,
    /// The metric name is given twice (`foo{__name__="bar"}`).
    DuplicateName,
}
use SelectorErrorKind as Kind;

impl SelectorError {
    fn new(at: usize, kind: Kind) -> Self {
        Self { at, kind }
    }
}

impl fmt::Display for SelectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Empty => return f.write_str("empty query"),
            Kind::UnexpectedChar(c) => write!(f, "unexpected character {c:?}")?,
            Kind::Unclosed(what) => write!(f, "unclosed {what}")?,
            Kind::BadEscape => f.write_str("invalid escape in string")?,
            Kind::Unexpected(tok) => write!(f, "unexpected {tok}")?,
            Kind::TooDeep => write!(f, "parentheses nested deeper than {MAX_DEPTH}")?,
            Kind::InvalidRegex(l, e) => return write!(f, "invalid regex for label {l}: {e}"),
            Kind::EmptyMatchers => f.write_str("selector needs a name or a non-empty matcher")?,
            Kind::DuplicateName => f.write_str("metric name set twice in a selector")?,
        }
        write!(f, " at byte {}", self.at)
    }
}

impl std::error::Error for SelectorError {}

#[cfg(test)]
mod tests;
