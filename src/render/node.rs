//! The node report (`ktrace node NODE`) in text, Markdown or JSON, answer first: the question
//! and the headline, the verdict, the side by side per resource with its arithmetic, the
//! predicted `kubectl top node` rows and `describe node` Allocated resources, the pods by use,
//! the findings worst first, then the Non-terminated Pods rows.
//!
//! Every string that comes from the evidence (node and pod names, server messages) is
//! escaped by the one escaper (`crate::escape`) before it is laid out; JSON escapes as the
//! pod report's JSON does.

mod backend;
mod markdown;
mod text;

use std::io::{self, Write};

use super::{Format, TextOptions};
use crate::escape::{self, Keep};
use crate::lineage::Verdict;
use crate::node::findings::show;
use crate::node::model::{NodeReport, PodShare, ResourceSide};
use crate::node::summary::NodeSummary;
use crate::quantity::human_bytes;

/// Renders the node report in `format` to `w` (`opts` is for text only).
pub fn render(
    report: &NodeReport,
    format: Format,
    opts: TextOptions,
    w: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => write_text(report, opts, w),
        Format::Json => write_json(report, w),
        Format::Markdown => write_markdown(report, w),
    }
}

/// Terminal text, fitting `opts.width` (colour when `opts.color`).
pub fn write_text(report: &NodeReport, opts: TextOptions, w: &mut dyn Write) -> io::Result<()> {
    text::render(report, opts, w)
}

/// The Markdown report for tickets; kubectl's cells byte for byte in code blocks.
pub fn write_markdown(report: &NodeReport, w: &mut dyn Write) -> io::Result<()> {
    markdown::render(report, w)
}

/// `NodeReport` as pretty JSON (DEL, C1 and bidi controls escaped as `\uXXXX`).
pub fn write_json(report: &NodeReport, w: &mut dyn Write) -> io::Result<()> {
    super::json::write_safe(report, w)
}

/// Evidence text with every control character escaped, tab and newline included: a name
/// can neither drive the terminal nor break a line or a table.
fn esc(s: &str) -> String {
    escape::escape(s, Keep::Nothing)
}

/// `consistent · exit 0: …` or `partial · exit 3: some sources are missing: …`.
fn verdict_sentence(s: &NodeSummary) -> String {
    let code = crate::exit::code_for(s.verdict);
    match s.verdict {
        Verdict::Partial => format!(
            "partial · exit {code}: some sources are missing: {}; the report shows what is there \
             (see the findings below)",
            esc(&s.missing.join(", "))
        ),
        Verdict::Disagree => format!(
            "disagree · exit {code}: NodeMetrics is not the value its own source gives (see \
             \"Behind NodeMetrics\" and the findings); the rest is side by side below"
        ),
        Verdict::Drift => format!(
            "consistent, with drift · exit {code}: every source was read; a kubelet reading newer \
             than NodeMetrics differs (see \"Behind NodeMetrics\"); side by side below"
        ),
        v => format!(
            "{} · exit {code}: every source was read; the two commands measure different things, \
             side by side below",
            v.label()
        ),
    }
}

/// A value of `res` in human units, or `unknown`.
fn human(res: &str, v: Option<i128>) -> String {
    v.map_or_else(|| "unknown".to_owned(), |v| show(res, v))
}

/// A percentage cell of describe's Allocated resources (`9%`), if it has one.
fn alloc_percent(r: &NodeReport, res: &str, limits: bool) -> Option<i64> {
    let row = r
        .describe
        .get()?
        .allocated
        .iter()
        .find(|a| a.resource == res)?;
    if limits {
        row.limits_total.percent
    } else {
        row.requests_total.percent
    }
}

/// `top node`'s percentage of allocatable for `res` (`16%`).
fn top_percent(r: &NodeReport, res: &str) -> Option<String> {
    let t = &r.top.get()?.allocatable;
    let v = if res == "cpu" { &t.cpu } else { &t.memory };
    v.as_ref()?.percent.clone()
}

fn with_percent(value: String, pct: Option<String>) -> String {
    match pct {
        Some(p) if value != "unknown" => format!("{value} ({p})"),
        _ => value,
    }
}

/// The side-by-side grid: a header row, then one row per quantity, a column per resource.
fn side_grid(r: &NodeReport) -> Vec<Vec<String>> {
    let sides = [&r.cpu, &r.memory];
    let row = |label: &str, cell: &dyn Fn(&ResourceSide) -> String| {
        let mut v = vec![label.to_owned()];
        v.extend(sides.iter().map(|s| cell(s)));
        v
    };
    let pct = |p: Option<i64>| p.map(|p| format!("{p}%"));
    vec![
        row("", &|s| s.resource.clone()),
        row("capacity", &|s| human(&s.resource, s.capacity)),
        row("allocatable", &|s| human(&s.resource, s.allocatable)),
        row("reserved (capacity − allocatable)", &|s| {
            human(&s.resource, s.reserved)
        }),
        row("Σ requests (describe node)", &|s| {
            let v = human(&s.resource, s.requests);
            with_percent(v, pct(alloc_percent(r, &s.resource, false)))
        }),
        row("Σ limits (describe node)", &|s| {
            let v = human(&s.resource, s.limits);
            with_percent(v, pct(alloc_percent(r, &s.resource, true)))
        }),
        row("usage (top node)", &|s| {
            with_percent(human(&s.resource, s.usage), top_percent(r, &s.resource))
        }),
        row("Σ pods' usage (PodMetrics)", &|s| {
            let v = human(&s.resource, s.pods_usage);
            match s.pods_usage {
                Some(_) => format!("{v} ({} pods)", s.pods_with_usage),
                None => v,
            }
        }),
        row("rest (usage − Σ pods)", &|s| human(&s.resource, s.rest)),
    ]
}

/// An exact amount: `2000m`, or `373047296 bytes (355.8Mi)`.
fn exact(res: &str, v: i128) -> String {
    if res == "cpu" {
        format!("{v}m")
    } else {
        format!("{v} bytes ({})", human_bytes(v))
    }
}

/// An exact operand: `4000m`, or bytes.
fn operand(res: &str, v: i128) -> String {
    if res == "cpu" {
        format!("{v}m")
    } else {
        v.to_string()
    }
}

/// The side by side's arithmetic in exact units, one line per derived value.
fn side_arithmetic(r: &NodeReport) -> Vec<String> {
    let mut out = Vec::new();
    for s in [&r.cpu, &r.memory] {
        let res = &s.resource;
        let o = |v| operand(res, v);
        if let (Some(c), Some(a), Some(d)) = (s.capacity, s.allocatable, s.reserved) {
            out.push(format!(
                "{res}: reserved = capacity {} − allocatable {} = {} (system-reserved, \
                 kube-reserved, eviction threshold)",
                o(c),
                o(a),
                exact(res, d)
            ));
        }
        if let (Some(u), Some(p), Some(rest)) = (s.usage, s.pods_usage, s.rest) {
            out.push(format!(
                "{res}: rest = usage {} − Σ of {} pods {} = {}",
                o(u),
                s.pods_with_usage,
                o(p),
                exact(res, rest)
            ));
        }
    }
    out
}

/// The per-pod table of one resource, by use (largest first): header, then rows.
fn pod_grid(s: &ResourceSide) -> Vec<Vec<String>> {
    let res = &s.resource;
    let mut rows = vec![
        ["pod", "request", "limit", "usage", "usage/request"]
            .map(str::to_owned)
            .to_vec(),
    ];
    rows.extend(s.pods.iter().map(|p: &PodShare| {
        vec![
            esc(&p.pod),
            show(res, p.request),
            if p.limit == 0 {
                "none".to_owned()
            } else {
                show(res, p.limit)
            },
            human(res, p.usage),
            p.usage_per_request
                .map_or_else(|| "—".to_owned(), |x| format!("{x:.2}×")),
        ]
    }));
    rows
}

/// kubectl's "Non-terminated Pods" header row (Age only when the rows carry one).
fn pods_header(with_age: bool) -> Vec<String> {
    let mut h: Vec<String> = [
        "Namespace",
        "Name",
        "",
        "CPU Requests",
        "CPU Limits",
        "Memory Requests",
        "Memory Limits",
    ]
    .map(str::to_owned)
    .to_vec();
    if with_age {
        h.push("Age".to_owned());
    }
    h
}

/// kubectl's dashes under a header row (`---------` under `Namespace`).
fn dashes(header: &[String]) -> Vec<String> {
    header
        .iter()
        .map(|h| "-".repeat(h.chars().count()))
        .collect()
}

/// The "Allocated resources" header row.
fn allocated_header() -> Vec<String> {
    ["Resource", "Requests", "Limits"]
        .map(str::to_owned)
        .to_vec()
}

/// Findings, worst first: warnings, then explanations (stable within each).
fn ordered(r: &NodeReport) -> Vec<&crate::node::findings::NodeFinding> {
    let mut f: Vec<_> = r.findings.iter().collect();
    f.sort_by_key(|f| f.severity != "warning");
    f
}

#[cfg(test)]
mod tests;
