// The fuzz oracles: one function per fuzz target, taking the raw fuzz input. Each panics
// when ktrace breaks a property (or panics itself); returning means the input passed.
//
// The same file is the body of the fuzz crate's library (fuzz/src/lib.rs includes it), so
// a committed fuzz input is replayed by `cargo test` through exactly the code the fuzzer
// ran. It therefore holds no inner attributes or doc comments and uses only `ktrace`.

use ktrace::evidence::read_bundle;
use ktrace::exposition::filter::KeepLimits;
use ktrace::exposition::{self, MAX_ISSUES, MAX_LINE_BYTES, PodLineFilter, PodSelector};
use ktrace::promql::{QueryTarget, ResourceRule, analyze_query, render_container_query};
use ktrace::render::{Format, TextOptions};
use ktrace::{lineage, quantity};

/// `exposition::parse` on any text: every sample reads back, from its span, as the same
/// sample; metadata spans are `# ` lines; the issue list stays bounded.
pub fn check_exposition_parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let exp = exposition::parse(&text);
    assert!(
        exp.issues.len() <= MAX_ISSUES + 1,
        "{} issues",
        exp.issues.len()
    );
    for sample in &exp.samples {
        let written = exp.verbatim(&sample.span);
        let again = exposition::parse_sample_line(written)
            .unwrap_or_else(|e| panic!("span {written:?} of a sample does not parse: {e}"));
        assert_eq!(again.name, sample.name);
        assert_eq!(again.labels, sample.labels);
        assert_eq!(again.value_text, sample.value_text);
        assert_eq!(again.timestamp_ms, sample.timestamp_ms);
        assert!(again.value.to_bits() == sample.value.to_bits() || sample.value.is_nan());
    }
    for family in &exp.families {
        for span in &family.spans {
            assert!(exp.verbatim(span).trim_start().starts_with('#'));
        }
    }
}

/// The pods a filter input can select (picked by its first byte): plain, with a UID, and
/// names that need escaping in a label value.
fn fuzz_selector(pick: u8) -> PodSelector {
    match pick % 4 {
        0 => PodSelector::new("ns", "p"),
        1 => PodSelector::new("ns", "p").with_uid("1a-2b"),
        2 => PodSelector::new("n\"s", "a\\b\nc"),
        _ => PodSelector::new("", "").with_uid("u_1-2"),
    }
}

/// The keep limits of a filter input (second byte): the default, or small ones the
/// fuzzer can reach.
fn fuzz_limits(pick: u8) -> KeepLimits {
    match pick % 3 {
        0 => KeepLimits::DEFAULT,
        1 => KeepLimits {
            lines: 3,
            bytes: 1 << 20,
        },
        _ => KeepLimits {
            lines: 1000,
            bytes: 200,
        },
    }
}

/// Splits `body` into chunks whose lengths cycle through `cuts` (a 0 pushes an empty chunk).
fn chunks<'b>(body: &'b [u8], cuts: &[u8]) -> Vec<&'b [u8]> {
    let mut out = Vec::new();
    let mut rest = body;
    let mut i = 0;
    while !rest.is_empty() {
        let n = cuts
            .get(i % cuts.len().max(1))
            .map_or(rest.len(), |&c| usize::from(c));
        let (head, tail) = rest.split_at(n.min(rest.len()));
        out.push(head);
        rest = tail;
        i += 1;
        if n == 0 && i % cuts.len().max(1) == 0 && cuts.iter().all(|&c| c == 0) {
            out.push(rest);
            break;
        }
    }
    out
}

/// Runs one filter over `pieces`, returning its output and stats.
fn run_filter(
    sel: &PodSelector,
    limits: KeepLimits,
    pieces: &[&[u8]],
) -> (Vec<u8>, exposition::FilterStats) {
    let mut filter = PodLineFilter::new(sel.clone()).with_limits(limits);
    let mut out = Vec::new();
    for piece in pieces {
        filter.push(piece, &mut out);
    }
    filter.finish(&mut out);
    (out, filter.stats())
}

/// The sample lines of `body` that the filter must keep: those [`exposition::line_matches`]
/// accepts, no longer than [`MAX_LINE_BYTES`], each ended by `\n`.
fn expected_lines(body: &[u8], sel: &PodSelector) -> Vec<Vec<u8>> {
    let mut lines: Vec<&[u8]> = body.split(|&b| b == b'\n').collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
        .into_iter()
        .filter(|l| l.len() <= MAX_LINE_BYTES && exposition::line_matches(l, sel))
        .map(|l| [l, b"\n"].concat())
        .collect()
}

/// `PodLineFilter` fed in chunks chosen by the input: input = selector byte, limits
/// byte, cut count, that many chunk lengths, then the body. The chunked run equals the
/// one-push run; its sample lines are exactly the matching lines of the body (a prefix of
/// them when cut); the output stays within the limits.
pub fn check_pod_line_filter(data: &[u8]) {
    let [pick, limit, count, rest @ ..] = data else {
        return;
    };
    let (cuts, body) = rest.split_at(usize::from(*count % 32).min(rest.len()));
    let (sel, limits) = (fuzz_selector(*pick), fuzz_limits(*limit));
    let (chunked, stats) = run_filter(&sel, limits, &chunks(body, cuts));
    let (whole, whole_stats) = run_filter(&sel, limits, &[body]);
    assert_eq!(chunked, whole, "chunk boundaries changed the output");
    assert_eq!(stats.lines_kept, whole_stats.lines_kept);
    assert_eq!(stats.cut, whole_stats.cut);
    assert_eq!(stats.bytes_out, chunked.len() as u64);
    assert!(stats.bytes_out <= limits.bytes && stats.lines_kept <= limits.lines);
    let lines: Vec<Vec<u8>> = chunked
        .split_inclusive(|&b| b == b'\n')
        .filter(|l| l.iter().find(|&&b| b != b' ' && b != b'\t') != Some(&b'#'))
        .map(<[u8]>::to_vec)
        .collect();
    // Besides the matching samples, the filter keeps (a bounded number of) lines that mention
    // the pod but cannot be read, for the parser to report: every kept line is one or the other.
    let (kept, unreadable): (Vec<Vec<u8>>, Vec<Vec<u8>>) = lines
        .into_iter()
        .partition(|l| exposition::line_matches(l.strip_suffix(b"\n").unwrap_or(l), &sel));
    assert_eq!(kept.len() as u64, stats.lines_kept);
    assert_eq!(unreadable.len() as u64, stats.unreadable_kept);
    assert!(
        unreadable
            .iter()
            .all(|l| exposition::line_kept(l.strip_suffix(b"\n").unwrap_or(l), &sel))
    );
    let expected = expected_lines(body, &sel);
    if stats.cut {
        assert!(expected.starts_with(&kept) && kept.len() < expected.len());
    } else {
        assert_eq!(
            kept, expected,
            "kept lines differ from the lines that match"
        );
    }
}

/// `quantity::parse` and everything done with a parsed quantity: the canonical form
/// parses back to the same value; sums and the kubectl columns never panic.
pub fn check_quantity(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(q) = quantity::parse(&text) else {
        return;
    };
    let canonical = q.canonical();
    let back = quantity::parse(&canonical)
        .unwrap_or_else(|e| panic!("canonical {canonical:?} of {text:?} does not parse: {e}"));
    assert_eq!(back.nanos(), q.nanos(), "{text:?} -> {canonical:?}");
    let _ = (q.value_ceil(), q.milli_value_ceil(), q.original());
    let _ = (quantity::kubectl_memory(&q), quantity::kubectl_cpu(&q));
    let _ = (quantity::explain_memory(&q), quantity::explain_cpu(&q));
    if let Ok(sum) = q.add(&back) {
        assert_eq!(
            quantity::parse(&sum.canonical()).map(|s| s.nanos()),
            Ok(sum.nanos())
        );
    }
    let n = q.nanos();
    let _ = quantity::canonical_binary_bytes(n);
    let _ = quantity::canonical_binary_millis(n);
    let _ = quantity::canonical_decimal_nanos(n);
    let _ = quantity::human_bytes(n);
}

/// The adapter template renderer: input = `\0`-separated container query template,
/// container label, namespace, pod names (`,`-separated), `label=resource` overrides
/// (`,`-separated) and the resources template. A rendered query is never empty, and the
/// selector analysis accepts or rejects it without panicking.
pub fn check_template(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\0');
    let mut next = || parts.next().unwrap_or("");
    let (template, container, namespace, pods) = (next(), next(), next(), next());
    let (overrides, resources) = (next(), next());
    let rule = ResourceRule {
        container_query: template.to_owned(),
        node_query: None,
        container_label: container.to_owned(),
        overrides: overrides
            .split(',')
            .filter_map(|o| o.split_once('='))
            .map(|(l, r)| (l.to_owned(), r.to_owned()))
            .collect(),
        resource_template: (!resources.is_empty()).then(|| resources.to_owned()),
    };
    let pods: Vec<&str> = pods.split(',').filter(|p| !p.is_empty()).collect();
    let target = QueryTarget {
        namespace,
        pods: &pods,
    };
    let field = |name: &str| (!name.len().is_multiple_of(3)).then(|| name.repeat(2));
    let _ = ktrace::promql::render_template(template, &field).map(|s| s.len());
    if let Ok(rendered) = render_container_query(&rule, &target) {
        assert!(!rendered.query.is_empty());
        assert_eq!(rendered.group_by.first(), Some(&rendered.object_label));
        let _ = analyze_query(&rendered.query).map(|shape| shape.selectors.len());
    }
}

/// PromQL selector analysis and matching: input = query, then `\0`, then a series
/// `name{labels}` to match. Each selector found prints as a selector that analyzes to
/// the same matchers, and the compiled and uncompiled matchers agree on the series.
pub fn check_selector(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (query, series) = text.split_once('\0').unwrap_or((&text, "up"));
    let Ok(shape) = analyze_query(query) else {
        return;
    };
    let (name, labels) = series.split_once('{').unwrap_or((series, "}"));
    let labels =
        exposition::parse_labels(labels.strip_suffix('}').unwrap_or(labels)).unwrap_or_default();
    for sel in &shape.selectors {
        // `{__name__="x"}` prints as `x{__name__="x"}`, which PromQL (and the analysis)
        // rejects as a name given twice, and quoted metric and label names (`{"a-b"}`,
        // `{"a b"="c"}`) print bare; only other selectors must read back.
        let plain_name = sel.metric.as_deref().is_none_or(is_metric_identifier);
        let plain_labels = sel.matchers.iter().all(|m| is_metric_identifier(&m.name));
        if plain_name && plain_labels && !sel.matchers.iter().any(|m| m.name == "__name__") {
            check_printed_selector(sel, query);
        }
        let direct = sel.matches(name, &labels);
        if let Ok(compiled) = sel.compile() {
            assert_eq!(compiled.matches(name, &labels), direct);
        }
        for m in &sel.matchers {
            let _ = m.matches_value(name);
        }
    }
}

/// Whether `name` can be written unquoted in PromQL: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
fn is_metric_identifier(name: &str) -> bool {
    let ok = |c: char, first: bool| {
        c == '_' || c == ':' || c.is_ascii_alphabetic() || (!first && c.is_ascii_digit())
    };
    let mut chars = name.chars();
    chars.next().is_some_and(|c| ok(c, true)) && chars.all(|c| ok(c, false))
}

/// `sel` printed analyzes to one selector with the same name and matchers.
fn check_printed_selector(sel: &ktrace::promql::VectorSelector, query: &str) {
    let printed = sel.to_string();
    let again = analyze_query(&printed)
        .unwrap_or_else(|e| panic!("{printed:?} (from {query:?}) does not analyze: {e}"));
    assert_eq!(again.selectors.len(), 1, "{printed:?}");
    assert_eq!(again.selectors[0].matchers, sel.matchers, "{printed:?}");
    assert_eq!(again.selectors[0].metric, sel.metric, "{printed:?}");
}

/// The bundle loader: whatever `read_bundle` accepts is analyzed and rendered in all
/// three formats without panicking, and the JSON report is valid JSON.
pub fn check_bundle(data: &[u8]) {
    let Ok(evidence) = read_bundle(data) else {
        return;
    };
    let lineage = lineage::analyze(&evidence);
    let detailed = TextOptions {
        color: true,
        width: 60,
        details: true,
    };
    for (format, opts) in [
        (Format::Text, TextOptions::default()),
        (Format::Text, detailed),
        (Format::Markdown, detailed),
        (Format::Json, detailed),
    ] {
        let mut out = Vec::new();
        ktrace::render::render(&lineage, format, opts, &mut out).expect("render to a Vec");
        if format == Format::Json {
            let _: serde_json::Value = serde_json::from_slice(&out).expect("valid JSON report");
        }
    }
}
