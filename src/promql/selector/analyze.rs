//! [`analyze_query`]: the little grammar on top of the tokenizer.

use super::lex::{Tok, Token, lex};
use super::matching::validate;
use super::{
    Aggregation, Kind, MAX_DEPTH, MatchOp, Matcher, QueryShape, SelectorError, VectorSelector,
};

const AGGREGATORS: &str = "sum min max avg group stddev stdvar count count_values bottomk topk quantile limitk limit_ratio";

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
