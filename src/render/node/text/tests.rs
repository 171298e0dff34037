use super::*;
use crate::render::node::tests::{fixture, plain_report, report};

fn draw(r: &NodeReport, width: usize, color: bool) -> String {
    let mut out = Vec::new();
    let opts = TextOptions {
        color,
        width,
        details: false,
    };
    render(r, opts, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// A node and a pod whose names try to drive the terminal and break lines and tables.
const EVIL_NODE: &str = "n\u{1b}]0;pwned\u{7}\nVerdict: consistent";
const EVIL_POD: &str =
    "p\u{1b}[2J\t\u{9b}31m\u{202e}-padded-to-be-very-long-indeed-so-it-must-be-elided-in-any-table";

fn evil() -> NodeReport {
    report(&fixture(EVIL_NODE, EVIL_POD), EVIL_NODE, false)
}

#[test]
fn the_answer_comes_first_under_its_labels_then_the_verdict() {
    let out = draw(&plain_report(false), 100, false);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "Why do `kubectl top node n` and `kubectl describe node n` show different numbers?"
    );
    assert_eq!(
        lines[2],
        "  top       `kubectl top node n` measures use (NodeMetrics: the node's whole cgroup tree): CPU 1200m"
    );
    let labels: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("  ")?.split("  ").next())
        .filter(|w| ["top", "describe", "why", "rest", "worst"].contains(w))
        .collect();
    assert_eq!(labels, ["top", "describe", "why", "rest", "worst"]);
    let verdict = lines
        .iter()
        .position(|l| l.starts_with("Verdict: "))
        .unwrap();
    let side = lines
        .iter()
        .position(|l| l.starts_with("Side by side"))
        .unwrap();
    let top = lines
        .iter()
        .position(|l| *l == "kubectl top node n")
        .unwrap();
    let alloc = lines
        .iter()
        .position(|l| l.ends_with("— Allocated resources"))
        .unwrap();
    let by_use = lines
        .iter()
        .position(|l| l.starts_with("Pods by cpu use"))
        .unwrap();
    let findings = lines
        .iter()
        .position(|l| *l == "Findings (worst first)")
        .unwrap();
    let pods = lines
        .iter()
        .position(|l| l.ends_with("Non-terminated Pods: (2 in total)"))
        .unwrap();
    assert!(verdict < side && side < top && top < alloc && alloc < by_use);
    assert!(by_use < findings && findings < pods);
    assert!(lines[verdict].starts_with("Verdict: consistent · exit 0: every source was read"));
    assert!(lines.contains(&"  usage (top node)                   1200m (34%)    3.4Gi (113%)"));
    assert!(lines.contains(&"  n     1200m       34%     3500Mi         113%"));
    assert!(lines.contains(&"  cpu                1100m (31%)   0 (0%)"));
    assert!(lines.contains(&"  ns/small  100m     none   400m   4.00×"));
}

#[test]
fn every_line_fits_the_width_even_with_hostile_names() {
    for r in [plain_report(false), plain_report(true), evil()] {
        for width in [60, 80, 100, 140] {
            let out = draw(&r, width, false);
            for l in out.lines() {
                assert!(l.chars().count() <= width, "{width}: {l:?}");
            }
        }
    }
}

#[test]
fn hostile_names_are_escaped_never_reaching_the_terminal() {
    for color in [false, true] {
        let out = draw(&evil(), 100, color);
        for bad in ["\u{1b}]0", "\u{1b}[2J", "\u{7}", "\u{9b}", "\u{202e}", "\t"] {
            assert!(!out.contains(bad), "{bad:?} passed raw");
        }
        let verdicts = out
            .lines()
            .filter(|l| l.trim_start_matches("\u{1b}[1m").starts_with("Verdict:"))
            .count();
        assert_eq!(
            verdicts, 1,
            "the node name started a line of its own:\n{out}"
        );
        let q = out.lines().next().unwrap();
        assert!(
            q.contains("kubectl top node n\\u{1b}]0;pwned\\u{7}\\u{a}Verdict:"),
            "{q}"
        );
    }
    let out = draw(&evil(), 100, false);
    // The pod's name is elided in the tables, its escaped start kept.
    assert!(
        out.contains("  ns/p\\u{1b}[2J\\u{9}\\u{9b}31m\\u{202e}"),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.contains("…") && l.contains("ns/p\\u{1b}"))
    );
}

#[test]
fn missing_sources_show_unknown_and_why_and_are_never_all_clear() {
    let out = draw(&plain_report(true), 100, false);
    assert!(out.contains("Verdict: partial · exit 3: some sources are missing: list pods at cluster scope (HTTP 403)"), "{out}");
    assert!(
        out.contains("  n     <unknown>   <unknown>  <unknown>      <unknown>"),
        "{out}"
    );
    assert!(
        out.contains(
            "  no NodeMetrics for n: `kubectl top node n` fails with the server's NotFound"
        )
    );
    let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("are unknown: the pods on the node are not readable: pods is forbidden: User \"u\" cannot list resource \"pods\" — needs `list pods` at cluster scope (all namespaces)"), "{flat}");
    assert!(out.contains("  Σ requests (describe node)         unknown  unknown"));
    assert!(out.contains("  ! [pods-list-missing]") || out.contains("  !  [pods-list-missing]"));
    let colored = draw(&plain_report(true), 100, true);
    assert!(colored.contains("\u{1b}[33mpartial · exit 3"), "{colored}");
    assert!(
        !colored.contains("\u{1b}[32m"),
        "nothing is green with sources missing"
    );
}
