//! Rendering prometheus-adapter query templates.
//!
//! The adapter compiles its queries as Go `text/template`s with `<<` and `>>` as
//! delimiters. Shipped configs only ever print fields (`<<.LabelMatchers>>`,
//! `<<.GroupBy>>`), so that is all this renderer does: an action must be a single field
//! reference, optionally with Go's trim markers (`<<- .GroupBy ->>`), or a comment
//! (`<</* ... */>>`). Pipelines, `if`, `range`, variables and functions are refused with an
//! error naming the action, never guessed at.
//!
//! [`render_container_query`] mirrors the adapter's `Build()` for pod metrics:
//! `LabelMatchers` is `<nsLabel>="<ns>",<podLabel>="<pod>"` (or `<podLabel>=~"a|b"` for
//! several pods, names joined unescaped), values quoted like Go's `%q`, and `GroupBy` is
//! `<podLabel>,<containerLabel>`.
//!
//! This module depends on [`super::config`] for the rule type and nothing depends back on it
//! from there; the label resolution ([`ResourceRule::label_for`]) lives here with the
//! renderer it uses.

use std::collections::BTreeMap;
use std::fmt;
use std::fmt::Write as _;

use super::config::ResourceRule;

/// Why a template could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// A `<<` without a matching `>>`; `at` is the byte offset of the `<<`.
    Unclosed {
        /// Byte offset of the opening delimiter.
        at: usize,
    },
    /// `<<>>` or an action holding only trim markers.
    EmptyAction {
        /// Byte offset of the opening delimiter.
        at: usize,
    },
    /// A field the adapter does not provide (`<<.Foo>>`).
    UnknownField {
        /// The field name, without the dot.
        name: String,
        /// Byte offset of the opening delimiter.
        at: usize,
    },
    /// An action that is not a plain field reference (pipeline, `if`, `range`, ...).
    Unsupported {
        /// The text between the delimiters.
        action: String,
        /// Byte offset of the opening delimiter.
        at: usize,
    },
    /// The template rendered to an empty string (the adapter refuses this too).
    EmptyOutput,
    /// Neither the overrides nor the resource template give a label for this resource.
    NoLabelFor(String),
    /// A query was requested for no pods or nodes at all.
    NoTargets,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unclosed { at } => write!(f, "unclosed `<<` at byte {at}"),
            Self::EmptyAction { at } => write!(f, "empty action `<<>>` at byte {at}"),
            Self::UnknownField { name, at } => {
                write!(f, "unknown template field `.{name}` at byte {at}")
            }
            Self::Unsupported { action, at } => write!(
                f,
                "unsupported template action `<<{action}>>` at byte {at}: only field references are rendered"
            ),
            Self::EmptyOutput => f.write_str("the template rendered an empty query"),
            Self::NoLabelFor(res) => {
                write!(f, "no Prometheus label is configured for resource {res:?}")
            }
            Self::NoTargets => f.write_str("no pod or node names to query"),
        }
    }
}

impl std::error::Error for TemplateError {}

/// Render `template`, replacing each `<<.Field>>` with `field("Field")`.
///
/// `field` returns `None` for fields it does not know, which becomes
/// [`TemplateError::UnknownField`].
pub fn render_template(
    template: &str,
    field: &dyn Fn(&str) -> Option<String>,
) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    let mut trim_next = false;
    while let Some(open) = rest.find("<<") {
        let at = template.len() - rest.len() + open;
        let tail = &rest[open + 2..];
        let close = tail.find(">>").ok_or(TemplateError::Unclosed { at })?;
        let (body, trim_before, trim_after) = strip_trim_markers(&tail[..close]);
        out.push_str(trim_text(&rest[..open], trim_next, trim_before));
        out.push_str(&eval_action(body, at, field)?);
        trim_next = trim_after;
        rest = &tail[close + 2..];
    }
    out.push_str(trim_text(rest, trim_next, false));
    Ok(out)
}

/// Apply Go's trim markers to a text node (they remove ASCII white space only).
fn trim_text(text: &str, start: bool, end: bool) -> &str {
    const WS: [char; 4] = [' ', '\t', '\r', '\n'];
    let text = if start {
        text.trim_start_matches(WS)
    } else {
        text
    };
    if end { text.trim_end_matches(WS) } else { text }
}

/// Split Go's `- ` / ` -` trim markers off an action body.
fn strip_trim_markers(body: &str) -> (&str, bool, bool) {
    let mut inner = body;
    let ws = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n');
    let before = inner.len() > 1 && inner.starts_with('-') && inner[1..].starts_with(ws);
    if before {
        inner = &inner[1..];
    }
    let after = inner.len() > 1 && inner.ends_with('-') && inner[..inner.len() - 1].ends_with(ws);
    if after {
        inner = &inner[..inner.len() - 1];
    }
    (inner.trim(), before, after)
}

fn eval_action(
    body: &str,
    at: usize,
    field: &dyn Fn(&str) -> Option<String>,
) -> Result<String, TemplateError> {
    if body.is_empty() {
        return Err(TemplateError::EmptyAction { at });
    }
    if body.starts_with("/*") && body.ends_with("*/") && body.len() >= 4 {
        return Ok(String::new());
    }
    let name = body.strip_prefix('.').filter(|n| is_go_identifier(n));
    let Some(name) = name else {
        let action = body.to_string();
        return Err(TemplateError::Unsupported { action, at });
    };
    field(name).ok_or_else(|| TemplateError::UnknownField {
        name: name.to_string(),
        at,
    })
}

fn is_go_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_');
    first_ok && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// Quote `s` the way Go's `%q` (`strconv.Quote`) does.
///
/// Printable characters are kept; `\a \b \f \n \r \t \v \\ \"` use short escapes, other
/// ASCII controls `\xNN`, and other non-printable characters `\uNNNN` / `\UNNNNNNNN`.
/// "Printable" follows Go's `unicode.IsPrint` except for unassigned code points, which Go
/// escapes and this keeps (no Unicode tables here); DNS names never contain either.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            '\\' | '"' => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if !is_go_printable(c) && (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if !is_go_printable(c) => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn is_go_printable(c: char) -> bool {
    let cp = c as u32;
    let format = matches!(cp, 0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x180e
        | 0x200b..=0x200f | 0x202a..=0x202e | 0x2060..=0x2064 | 0x2066..=0x206f
        | 0xfeff | 0xfff9..=0xfffb | 0xe0001 | 0xe0020..=0xe007f);
    let private = matches!(cp, 0xe000..=0xf8ff | 0xf0000..=0x10ffff);
    let nonchar = (cp & 0xfffe) == 0xfffe || (0xfdd0..=0xfdef).contains(&cp);
    c == ' ' || !(c.is_control() || c.is_whitespace() || format || private || nonchar)
}

/// How Go's `fmt` prints a `[]string`: `[a b c]`.
pub fn go_slice(items: &[String]) -> String {
    format!("[{}]", items.join(" "))
}

/// How Go's `fmt` prints a `map[string]string`: `map[k1:v1 k2:v2]`, keys sorted.
pub fn go_map(map: &BTreeMap<String, String>) -> String {
    let pairs: Vec<String> = map.iter().map(|(k, v)| format!("{k}:{v}")).collect();
    format!("map[{}]", pairs.join(" "))
}

/// The objects a query is built for: one namespace and the pod (or node) names in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryTarget<'a> {
    /// The namespace; empty for cluster-scoped objects (nodes), which drops its matcher.
    pub namespace: &'a str,
    /// The object names: one gives `label="name"`, several give `label=~"a|b"`.
    pub pods: &'a [&'a str],
}

/// A rendered query plus the template arguments that produced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedQuery {
    /// The PromQL text the adapter would send.
    pub query: String,
    /// The `.LabelMatchers` value, e.g. `namespace="csi",pod="x"`.
    pub label_matchers: String,
    /// The `.GroupBySlice` value, e.g. `["pod", "container"]`.
    pub group_by: Vec<String>,
    /// The label the results are bucketed by (`pod`, `pod_name`, `node`, `instance`).
    pub object_label: String,
    /// The namespace label, when the query is namespaced.
    pub namespace_label: Option<String>,
}

/// Render `rule.container_query` for the pods of one namespace, as the adapter does for
/// `kubectl top pod`.
pub fn render_container_query(
    rule: &ResourceRule,
    target: &QueryTarget,
) -> Result<RenderedQuery, TemplateError> {
    let extra = [rule.container_label.clone()];
    build(rule, &rule.container_query, "pods", &extra, target)
}

/// Render `template` for `target` as the adapter's `Build()` does: `resource` names the
/// objects (`pods`, `nodes`) and `extra_group_by` follows their label in `.GroupBy`.
pub(super) fn build(
    rule: &ResourceRule,
    template: &str,
    resource: &str,
    extra_group_by: &[String],
    target: &QueryTarget,
) -> Result<RenderedQuery, TemplateError> {
    if target.pods.is_empty() {
        return Err(TemplateError::NoTargets);
    }
    let mut exprs = Vec::new();
    let mut values = BTreeMap::new();
    let mut namespace_label = None;
    if !target.namespace.is_empty() {
        let label = resource_label(rule, "namespaces")?;
        exprs.push(label_matcher(&label, &[target.namespace]));
        values.insert(label.clone(), target.namespace.to_string());
        namespace_label = Some(label);
    }
    let object_label = resource_label(rule, resource)?;
    exprs.push(label_matcher(&object_label, target.pods));
    values.insert(object_label.clone(), target.pods.join("|"));
    let mut group_by = vec![object_label.clone()];
    group_by.extend(extra_group_by.iter().cloned());
    let label_matchers = exprs.join(",");
    let args = QueryArgs {
        matchers: &label_matchers,
        group_by: &group_by,
        values: &values,
    };
    let query = render_template(template, &|name| args.field(name))?;
    if query.is_empty() {
        return Err(TemplateError::EmptyOutput);
    }
    Ok(RenderedQuery {
        query,
        label_matchers,
        group_by,
        object_label,
        namespace_label,
    })
}

/// One label matcher as the adapter writes it: `label="name"` for one name, `label=~"a|b"`
/// for several (names joined unescaped), the value quoted like Go's `%q`.
pub fn label_matcher(label: &str, names: &[&str]) -> String {
    let op = if names.len() > 1 { "=~" } else { "=" };
    format!("{label}{op}{}", go_quote(&names.join("|")))
}

struct QueryArgs<'a> {
    matchers: &'a str,
    group_by: &'a [String],
    values: &'a BTreeMap<String, String>,
}

impl QueryArgs<'_> {
    fn field(&self, name: &str) -> Option<String> {
        match name {
            "Series" => Some(String::new()),
            "LabelMatchers" => Some(self.matchers.to_string()),
            "GroupBy" => Some(self.group_by.join(",")),
            "GroupBySlice" => Some(go_slice(self.group_by)),
            "LabelValuesByName" => Some(go_map(self.values)),
            _ => None,
        }
    }
}

impl ResourceRule {
    /// The Prometheus label that carries `resource` (`pod`, `pods`, `namespace`, `node`,
    /// `deployments.apps`, ...), from the overrides first and then the resource template.
    /// `None` when neither yields a label.
    pub fn label_for(&self, resource: &str) -> Option<String> {
        resource_label(self, resource).ok()
    }
}

/// The Prometheus label for `resource` under `rule`: an override whose resource matches
/// (singular/plural and case are ignored; `x.group` names a non-core group), otherwise
/// `rule.resource_template` rendered with `.Resource` (singular) and `.Group` (dots and
/// dashes turned into `_`, empty for the core group).
pub fn resource_label(rule: &ResourceRule, resource: &str) -> Result<String, TemplateError> {
    let wanted = normalize_resource(resource);
    let found = rule
        .overrides
        .iter()
        .find(|(_, res)| normalize_resource(res) == wanted);
    if let Some((label, _)) = found {
        return Ok(label.clone());
    }
    let Some(template) = rule.resource_template.as_deref() else {
        return Err(TemplateError::NoLabelFor(resource.to_string()));
    };
    let group = wanted.1.replace(['.', '-'], "_");
    let label = render_template(template, &|name| match name {
        "Resource" => Some(wanted.0.clone()),
        "Group" => Some(group.clone()),
        _ => None,
    })?;
    if label.is_empty() {
        return Err(TemplateError::NoLabelFor(resource.to_string()));
    }
    Ok(label)
}

/// `(singular resource, group)` from `pods`, `Pod`, `deployments.apps`, ...
fn normalize_resource(resource: &str) -> (String, String) {
    let lower = resource.trim().to_ascii_lowercase();
    let (name, group) = lower.split_once('.').unwrap_or((&lower, ""));
    let singular = match name.strip_suffix('s') {
        Some(stem) if !stem.is_empty() && !stem.ends_with('s') => stem,
        _ => name,
    };
    (singular.to_string(), group.to_string())
}

#[cfg(test)]
mod tests;
