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
use std::sync::LazyLock;

use regex::Regex;

use super::template::go_quote;

/// Deepest nesting of parentheses accepted before giving up.
pub const MAX_DEPTH: usize = 128;

const AGGREGATORS: &str = "sum min max avg group stddev stdvar count count_values bottomk topk quantile limitk limit_ratio";

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

impl Matcher {
    /// Whether a label value satisfies this matcher (an invalid regex matches nothing).
    pub fn matches_value(&self, value: &str) -> bool {
        Test::new(self).is_ok_and(|t| t.test(value))
    }
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

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num,
    Range(String),
    Op(String),
    Punct(char),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    at: usize,
    end: usize,
}

const TOKEN_PATTERN: &str = r#"(?x)
    (?P<skip>[\ \t\r\n]+ | \#[^\n]*)
  | (?P<str>"(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*' | `[^`]*`)
  | \[ (?P<range>[^\]\[]*) \]
  | (?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)
  | (?P<num>(?:0[xX][0-9a-fA-F]+ | [0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)[A-Za-z0-9_.]*)
  | (?P<op>==|!=|=~|!~|<=|>=|[-=+*/%^<>@])
  | (?P<punct>[(){},])
"#;

static TOKEN_RE: LazyLock<Result<Regex, regex::Error>> =
    LazyLock::new(|| Regex::new(TOKEN_PATTERN));

fn lex(src: &str) -> Result<Vec<Token>, SelectorError> {
    let re = TOKEN_RE
        .as_ref()
        .map_err(|e| SelectorError::new(0, Kind::Unexpected(e.to_string())))?;
    let mut out = Vec::new();
    let mut pos = 0;
    for caps in re.captures_iter(src) {
        let Some(whole) = caps.get(0).filter(|m| m.start() == pos) else {
            break;
        };
        pos = whole.end();
        let at = whole.start();
        let text = |name| caps.name(name).map(|m| m.as_str());
        let tok = if let Some(s) = text("str") {
            Tok::Str(unescape(s).ok_or(SelectorError::new(at, Kind::BadEscape))?)
        } else if let Some(r) = text("range") {
            Tok::Range(r.trim().to_string())
        } else if let Some(id) = text("ident") {
            Tok::Ident(id.to_string())
        } else if let Some(op) = text("op") {
            Tok::Op(op.to_string())
        } else if let Some(p) = text("punct").and_then(|p| p.chars().next()) {
            Tok::Punct(p)
        } else if text("num").is_some() {
            Tok::Num
        } else {
            continue;
        };
        out.push(Token { tok, at, end: pos });
    }
    match src[pos..].chars().next() {
        None => Ok(out),
        Some('"' | '\'' | '`') => Err(SelectorError::new(pos, Kind::Unclosed("string"))),
        Some('[') => Err(SelectorError::new(pos, Kind::Unclosed("`[`"))),
        Some(c) => Err(SelectorError::new(pos, Kind::UnexpectedChar(c))),
    }
}

/// Unquote a string literal with Go escapes: `\a \b \f \n \r \t \v \\ \' \"`, `\xNN`,
/// `\NNN` (octal), `\uNNNN`, `\UNNNNNNNN`. Backquoted strings are raw. `None` on a bad
/// escape or on bytes that do not form UTF-8.
fn unescape(literal: &str) -> Option<String> {
    let body = literal.get(1..literal.len().checked_sub(1)?)?;
    if literal.starts_with('`') {
        return Some(body.to_string());
    }
    let mut out = Vec::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            escape(&mut chars, &mut out)?;
        } else {
            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        }
    }
    String::from_utf8(out).ok()
}

fn escape(chars: &mut std::str::Chars<'_>, out: &mut Vec<u8>) -> Option<()> {
    let e = chars.next()?;
    if let Some(i) = "abfnrtv\\'\"".find(e) {
        out.push(*b"\x07\x08\x0c\n\r\t\x0b\\'\"".get(i)?);
        return Some(());
    }
    let (len, radix) = match e {
        'x' => (2, 16),
        'u' => (4, 16),
        'U' => (8, 16),
        '0'..='7' => (2, 8),
        _ => return None,
    };
    let mut digits = if radix == 8 {
        e.to_string()
    } else {
        String::new()
    };
    for _ in 0..len {
        digits.push(chars.next().filter(|d| d.is_digit(radix))?);
    }
    let value = u32::from_str_radix(&digits, radix).ok()?;
    match e {
        'u' | 'U' => {
            out.extend_from_slice(char::from_u32(value)?.encode_utf8(&mut [0; 4]).as_bytes())
        }
        _ => out.push(u8::try_from(value).ok()?),
    }
    Some(())
}

enum Frame {
    Paren,
    Func(String),
    Agg(usize),
}

struct Analyzer<'s> {
    src: &'s str,
    toks: Vec<Token>,
    pos: usize,
    /// Open parentheses with the byte offset of each.
    stack: Vec<(Frame, usize)>,
    selectors: Vec<VectorSelector>,
    /// Each aggregation with its nesting depth and whether it has a grouping clause yet.
    aggs: Vec<(Aggregation, usize, bool)>,
}

/// Find the vector selectors and the outermost aggregation of a PromQL query.
pub fn analyze_query(q: &str) -> Result<QueryShape, SelectorError> {
    let toks = lex(q)?;
    if toks.is_empty() {
        return Err(SelectorError::new(0, Kind::Empty));
    }
    let mut a = Analyzer {
        src: q,
        toks,
        pos: 0,
        stack: Vec::new(),
        selectors: Vec::new(),
        aggs: Vec::new(),
    };
    while let Some(t) = a.next() {
        a.step(&t)?;
    }
    if let Some((_, at)) = a.stack.last() {
        return Err(SelectorError::new(*at, Kind::Unclosed("`(`")));
    }
    let outer = a.aggs.iter().min_by_key(|(_, depth, _)| *depth);
    let aggregation = outer.map(|(agg, _, _)| agg.clone());
    Ok(QueryShape {
        selectors: a.selectors,
        aggregation,
    })
}

impl Analyzer<'_> {
    fn next(&mut self) -> Option<Token> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += usize::from(t.is_some());
        t
    }

    /// The next token, or an "unclosed `what`" error at `at`.
    fn need(&mut self, what: &'static str, at: usize) -> Result<Token, SelectorError> {
        let unclosed = SelectorError::new(at, Kind::Unclosed(what));
        self.next().ok_or(unclosed)
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    /// Consume the next token if it is the punctuation `c`.
    fn eat(&mut self, c: char) -> bool {
        let hit = self.peek() == Some(&Tok::Punct(c));
        self.pos += usize::from(hit);
        hit
    }

    fn unexpected(&self, t: &Token) -> SelectorError {
        let text = self.src.get(t.at..t.end).unwrap_or_default();
        SelectorError::new(t.at, Kind::Unexpected(format!("`{text}`")))
    }

    fn expect_open(&mut self, at: usize) -> Result<(), SelectorError> {
        let t = self.need("expression, wanted `(`", at)?;
        match t.tok {
            Tok::Punct('(') => Ok(()),
            _ => Err(self.unexpected(&t)),
        }
    }

    fn step(&mut self, t: &Token) -> Result<(), SelectorError> {
        match &t.tok {
            Tok::Ident(name) => self.ident(name, t.at),
            Tok::Punct('{') => self.selector(None, true, t.at),
            Tok::Punct('(') => self.push(Frame::Paren, t.at),
            Tok::Punct(')') => self.close(t),
            Tok::Punct('}') => Err(self.unexpected(t)),
            _ => Ok(()),
        }
    }

    fn push(&mut self, frame: Frame, at: usize) -> Result<(), SelectorError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(SelectorError::new(at, Kind::TooDeep));
        }
        self.stack.push((frame, at));
        Ok(())
    }

    fn ident(&mut self, name: &str, at: usize) -> Result<(), SelectorError> {
        let lower = name.to_ascii_lowercase();
        if AGGREGATORS.split(' ').any(|agg| agg == lower) {
            return self.aggregation(lower, at);
        }
        match lower.as_str() {
            "and" | "or" | "unless" | "atan2" | "bool" | "offset" => Ok(()),
            "on" | "ignoring" => self
                .expect_open(at)
                .and_then(|()| self.labels(at))
                .map(drop),
            "group_left" | "group_right" if self.eat('(') => self.labels(at).map(drop),
            "group_left" | "group_right" => Ok(()),
            "by" | "without" => Err(SelectorError::new(at, Kind::Unexpected(lower))),
            _ if self.eat('(') => self.push(Frame::Func(name.to_string()), at),
            _ if self.eat('{') => self.selector(Some(name.to_string()), true, at),
            "inf" | "nan" => Ok(()),
            _ => self.selector(Some(name.to_string()), false, at),
        }
    }

    fn aggregation(&mut self, op: String, at: usize) -> Result<(), SelectorError> {
        let clause = self.grouping_clause(at)?;
        self.expect_open(at)?;
        let has_clause = clause.is_some();
        let (without, by) = clause.unwrap_or_default();
        let depth = self.stack.len();
        self.aggs
            .push((Aggregation { op, by, without }, depth, has_clause));
        self.push(Frame::Agg(self.aggs.len() - 1), at)
    }

    /// `by (...)` / `without (...)`, if that comes next.
    fn grouping_clause(&mut self, at: usize) -> Result<Option<(bool, Vec<String>)>, SelectorError> {
        let without = match self.peek() {
            Some(Tok::Ident(kw)) if kw.eq_ignore_ascii_case("by") => false,
            Some(Tok::Ident(kw)) if kw.eq_ignore_ascii_case("without") => true,
            _ => return Ok(None),
        };
        self.pos += 1;
        self.expect_open(at)?;
        Ok(Some((without, self.labels(at)?)))
    }

    /// Items up to and including the `close` punctuation, separated by commas (a trailing
    /// comma is allowed); `item` consumes one item given its first token.
    fn list<F>(
        &mut self,
        close: char,
        what: &'static str,
        at: usize,
        mut item: F,
    ) -> Result<(), SelectorError>
    where
        F: FnMut(&mut Self, Token) -> Result<(), SelectorError>,
    {
        loop {
            let t = self.need(what, at)?;
            if t.tok == Tok::Punct(close) {
                return Ok(());
            }
            item(self, t)?;
            let t = self.need(what, at)?;
            match t.tok {
                Tok::Punct(c) if c == close => return Ok(()),
                Tok::Punct(',') => {}
                _ => return Err(self.unexpected(&t)),
            }
        }
    }

    /// A label list after its `(`, up to and including the `)`.
    fn labels(&mut self, at: usize) -> Result<Vec<String>, SelectorError> {
        let mut labels = Vec::new();
        self.list(')', "label list", at, |a, t| match t.tok {
            Tok::Ident(s) | Tok::Str(s) => {
                labels.push(s);
                Ok(())
            }
            _ => Err(a.unexpected(&t)),
        })?;
        Ok(labels)
    }

    fn close(&mut self, t: &Token) -> Result<(), SelectorError> {
        let Some((frame, _)) = self.stack.pop() else {
            return Err(self.unexpected(t));
        };
        let Frame::Agg(idx) = frame else {
            return Ok(());
        };
        let Some((without, by)) = self.grouping_clause(t.at)? else {
            return Ok(());
        };
        match self.aggs.get_mut(idx) {
            Some((agg, _, has_clause @ false)) => {
                *agg = Aggregation {
                    op: std::mem::take(&mut agg.op),
                    by,
                    without,
                };
                *has_clause = true;
                Ok(())
            }
            _ => Err(SelectorError::new(
                t.at,
                Kind::Unexpected("second grouping clause".into()),
            )),
        }
    }

    fn selector(
        &mut self,
        metric: Option<String>,
        braces: bool,
        at: usize,
    ) -> Result<(), SelectorError> {
        let function = self.stack.iter().rev().find_map(|(f, _)| match f {
            Frame::Func(name) => Some(name.clone()),
            _ => None,
        });
        let mut sel = VectorSelector {
            metric,
            matchers: Vec::new(),
            range: None,
            function,
        };
        if braces {
            self.list('}', "`{`", at, |a, t| a.matcher(&mut sel, t))?;
        }
        if let Some(Tok::Range(r)) = self.peek() {
            sel.range = Some(r.clone());
            self.pos += 1;
        }
        validate(&mut sel).map_err(|kind| SelectorError::new(at, kind))?;
        self.selectors.push(sel);
        Ok(())
    }

    /// One `label op "value"` matcher, or a quoted metric name, given its first token.
    fn matcher(&mut self, sel: &mut VectorSelector, t: Token) -> Result<(), SelectorError> {
        let (name, quoted) = match t.tok {
            Tok::Ident(ref s) => (s.clone(), false),
            Tok::Str(ref s) => (s.clone(), true),
            _ => return Err(self.unexpected(&t)),
        };
        let op = match self.peek() {
            Some(Tok::Op(o)) => MatchOp::parse(o),
            _ => None,
        };
        let Some(op) = op else {
            return match (quoted, &sel.metric) {
                (true, None) => {
                    sel.metric = Some(name);
                    Ok(())
                }
                (true, Some(_)) => Err(SelectorError::new(t.at, Kind::DuplicateName)),
                (false, _) => Err(self.unexpected(&t)),
            };
        };
        self.pos += 1;
        let v = self.need("`{`", t.at)?;
        let Tok::Str(value) = v.tok else {
            return Err(self.unexpected(&v));
        };
        sel.matchers.push(Matcher { name, op, value });
        Ok(())
    }
}

/// Check the regexes and Prometheus' selector rules; take `metric` from `__name__="..."`.
fn validate(sel: &mut VectorSelector) -> Result<(), Kind> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn one(q: &str) -> VectorSelector {
        let shape = analyze_query(q).unwrap();
        assert_eq!(shape.selectors.len(), 1, "{q}");
        shape.selectors[0].clone()
    }

    #[test]
    fn container_filter_semantics() {
        let sel = one(r#"sum(container_memory_working_set_bytes{container!="",pod!=""}) by (pod)"#);
        let m = "container_memory_working_set_bytes";
        assert!(!sel.matches(m, &labels(&[("pod", "p")])));
        assert!(!sel.matches(m, &labels(&[("pod", "p"), ("container", "")])));
        assert!(sel.matches(m, &labels(&[("pod", "p"), ("container", "POD")])));
        assert!(!sel.matches("other", &labels(&[("pod", "p"), ("container", "c")])));
    }

    #[test]
    fn regexes_are_anchored() {
        let sel = one(r#"m{pod=~"a|b"}"#);
        for (pod, want) in [
            ("a", true),
            ("b", true),
            ("ab", false),
            ("a-1", false),
            ("", false),
        ] {
            assert_eq!(sel.matches("m", &labels(&[("pod", pod)])), want, "{pod}");
        }
        let neg = one(r#"m{pod!~"a.*"}"#);
        assert!(neg.matches("m", &[]));
        assert!(!neg.matches("m", &labels(&[("pod", "a\nb")])));
    }

    #[test]
    fn name_matchers_and_quoted_names() {
        let sel = one(r#"{__name__="up", job='x'}"#);
        assert_eq!(sel.metric.as_deref(), Some("up"));
        assert!(sel.matches("up", &labels(&[("job", "x")])));
        let sel = one(r#"{__name__=~"node_.*"}"#);
        assert_eq!(sel.metric, None);
        assert!(sel.matches("node_x", &[]) && !sel.matches("x", &[]));
        assert_eq!(one(r#"{"a.b", c="d",}"#).metric.as_deref(), Some("a.b"));
        let escaped = one(r#"m{a="\x41\u00e9\101\"\\",b=`\n`}[5m:1m]"#);
        assert_eq!(escaped.to_string(), r#"m{a="AéA\"\\",b="\\n"}[5m:1m]"#);
    }

    #[test]
    fn binary_and_join_forms() {
        let q = "sum by (node) (\n 1 - irate(node_cpu_seconds_total{mode=\"idle\"}[4m])\n * on(namespace, pod) group_left(node) (\n node_namespace_pod:kube_pod_info:{namespace=\"x\"}\n )\n) or sum by (node) (max without (cpu) (w{a=\"b\"} offset 5m))";
        let shape = analyze_query(q).unwrap();
        let names: Vec<_> = shape
            .selectors
            .iter()
            .map(|s| s.metric.clone().unwrap_or_default())
            .collect();
        assert_eq!(
            names,
            [
                "node_cpu_seconds_total",
                "node_namespace_pod:kube_pod_info:",
                "w"
            ]
        );
        assert_eq!(shape.selectors[0].range.as_deref(), Some("4m"));
        assert_eq!(shape.selectors[0].function.as_deref(), Some("irate"));
        assert_eq!(shape.selectors[1].function, None);
        let sum_node = Aggregation {
            op: "sum".into(),
            by: vec!["node".into()],
            without: false,
        };
        assert_eq!(shape.aggregation, Some(sum_node));
        let post = analyze_query("SUM(rate(x[1m])) WITHOUT (a, \"b\",)")
            .unwrap()
            .aggregation;
        let want = Aggregation {
            op: "sum".into(),
            by: vec!["a".into(), "b".into()],
            without: true,
        };
        assert_eq!(post, Some(want));
        let q = "topk(3, up) + label_replace(bar, \"x{y}\", \"$1\", \"z\", \"(.*)\") # c{d}";
        let bare = analyze_query(q).unwrap();
        assert_eq!(bare.selectors.len(), 2);
        assert_eq!(bare.selectors[1].function.as_deref(), Some("label_replace"));
        assert_eq!(
            analyze_query("1 + -2.5e+3 * Inf / 0x1F").unwrap().selectors,
            vec![]
        );
    }

    /// One hostile query per line.
    const HOSTILE: &str = r#"
  # only a comment
m{a=~"("}
m{a="x
m{a="x"
sum(m
m)
m}
{}
{a=""}
{a=~".*"}
m{__name__="x"}
sum by (a) (m) by (b)
sum m
by (a) m
m{a}
m{a=b}
m{a=="b"}
m{"x","y"}
m[5m
m[[5m]]
<<.LabelMatchers>>
m $ n
m{a="\q"}
m{a="\xff"}
m{a="\u12"}
m{a="\x+1"}
on(a b)
é"#;

    #[test]
    fn hostile_queries_are_errors() {
        let deep = format!("{}x{}", "(".repeat(10_000), ")".repeat(10_000));
        let newline = "m{a=\"x\ny\"}";
        for q in HOSTILE.lines().chain([deep.as_str(), newline]) {
            assert!(analyze_query(q).is_err(), "{q:?}");
        }
        let err = analyze_query(r#"m{a=~"("}"#).unwrap_err();
        assert!(
            matches!(err.kind, Kind::InvalidRegex(ref label, _) if label == "a"),
            "{err}"
        );
        assert_eq!(analyze_query(&deep).unwrap_err().kind, Kind::TooDeep);
        let matcher = Matcher {
            name: "a".into(),
            op: MatchOp::Re,
            value: "(".into(),
        };
        let bad = VectorSelector {
            metric: None,
            matchers: vec![matcher],
            range: None,
            function: None,
        };
        assert!(!bad.matches("m", &[]) && bad.compile().is_err());
    }

    #[test]
    fn random_input_never_panics() {
        let alphabet: Vec<char> = "sum by(){}[]\"'`\\=~!,<>.-+ ax_:5m#\nér|*@^$0xe"
            .chars()
            .collect();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut random = move || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005);
            seed = seed.wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize
        };
        let mut parsed = 0;
        for _ in 0..20_000 {
            let len = random() % 24;
            let q: String = (0..len)
                .map(|_| alphabet[random() % alphabet.len()])
                .collect();
            let shape = analyze_query(&q);
            parsed += usize::from(shape.is_ok());
            for sel in shape.map(|s| s.selectors).unwrap_or_default() {
                let _ = sel.matches("m", &labels(&[("a", "b")]));
            }
            let _ = super::super::template::render_template(
                &q.replace('{', "<<").replace('}', ">>"),
                &|_| None,
            );
        }
        assert!(parsed > 100, "{parsed}");
    }
}
