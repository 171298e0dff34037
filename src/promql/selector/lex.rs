//! The tokenizer under [`analyze_query`](super::analyze_query), with Go string unescaping.

use std::sync::LazyLock;

use regex::Regex;

use super::{Kind, SelectorError};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Ident(String),
    Str(String),
    Num,
    Range(String),
    Op(String),
    Punct(char),
}

#[derive(Debug, Clone)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) at: usize,
    pub(super) end: usize,
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

pub(super) fn lex(src: &str) -> Result<Vec<Token>, SelectorError> {
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
